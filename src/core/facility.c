/* facility.c - facility types, service standards and OSM tag mapping. */
#include "core/facility.h"
#include "lib/csv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *code, *zh;
    double car, foot;
} types[XT_FT_N] = {
#define XT_FT_ROW(code, zh, car, foot) {#code, zh, car, foot},
    XT_FACILITY_TYPES(XT_FT_ROW)
#undef XT_FT_ROW
};

int xt_facility_type_parse(const char *code)
{
    if (!code)
        return -1;
    for (int i = 0; i < XT_FT_N; i++)
        if (strcmp(code, types[i].code) == 0)
            return i;
    return -1;
}

const char *xt_facility_type_code(int type)
{
    return type >= 0 && type < XT_FT_N ? types[type].code : "?";
}

const char *xt_facility_type_zh(int type)
{
    return type >= 0 && type < XT_FT_N ? types[type].zh : "?";
}

void xt_standards_default(struct xt_standards *st)
{
    for (int i = 0; i < XT_FT_N; i++) {
        st->minutes[i][0] = types[i].car;
        st->minutes[i][1] = types[i].foot;
    }
}

int xt_standards_load(struct xt_standards *st, const char *path, struct xt_error *err)
{
    struct xt_csv c;
    if (xt_csv_open(&c, path))
        return xt_error_set(err, XT_ENOTFOUND, "standards", "cannot open '%s'", path);
    struct xt_standards tmp = *st;
    int rc = xt_csv_next(&c);
    int it = xt_csv_index(&c, "type"), ic = xt_csv_index(&c, "car_min"),
        ifo = xt_csv_index(&c, "foot_min");
    if (rc != 1 || it < 0 || ic < 0 || ifo < 0) {
        xt_csv_close(&c);
        return xt_error_set(err, XT_EINVAL, "standards", "'%s' needs columns type,car_min,foot_min",
                            path);
    }
    while ((rc = xt_csv_next(&c)) == 1) {
        int t = it < c.nfield ? xt_facility_type_parse(c.field[it]) : -1;
        if (t < 0) {
            rc = xt_error_set(err, XT_EINVAL, "standards", "line %ld: unknown facility type",
                              c.line);
            break;
        }
        char *e1 = NULL, *e2 = NULL;
        double car = ic < c.nfield ? strtod(c.field[ic], &e1) : -1;
        double foot = ifo < c.nfield ? strtod(c.field[ifo], &e2) : -1;
        if (!e1 || !e2 || *e1 || *e2 || !(car > 0 && car <= 1440) || !(foot > 0 && foot <= 1440)) {
            rc = xt_error_set(err, XT_EINVAL, "standards",
                              "line %ld: minutes must be numbers in 1..1440", c.line);
            break;
        }
        tmp.minutes[t][0] = car;
        tmp.minutes[t][1] = foot;
    }
    xt_csv_close(&c);
    if (rc < 0) {
        if (!err || !err->code)
            xt_error_set(err, rc, "standards", "'%s' is not valid CSV", path);
        return rc;
    }
    *st = tmp;
    return 0;
}

static const char *tag(const char *const *keys, const char *const *values, int n, const char *k)
{
    for (int i = 0; i < n; i++)
        if (keys[i] && strcmp(keys[i], k) == 0)
            return values[i] ? values[i] : "";
    return NULL;
}

static int is(const char *v, const char *want)
{
    return v && strcmp(v, want) == 0;
}

int xt_facility_type_from_osm(const char *const *keys, const char *const *values, int n)
{
    const char *am = tag(keys, values, n, "amenity");
    const char *hc = tag(keys, values, n, "healthcare");
    const char *sf = tag(keys, values, n, "social_facility");
    if (is(am, "school")) {
        const char *lvl = tag(keys, values, n, "isced:level");
        const char *sl = tag(keys, values, n, "school:level");
        const char *name = tag(keys, values, n, "name");
        if ((lvl && strtol(lvl, NULL, 10) >= 2) || (sl && strstr(sl, "secondary")) ||
            (name && (strcasestr(name, "secondary") || strcasestr(name, "high school") ||
                      strcasestr(name, "liceu") || strcasestr(name, "gymnasium") ||
                      strcasestr(name, "institut") || strstr(name, "中学"))))
            return XT_FT_secondary_school;
        return XT_FT_primary_school;
    }
    if (is(am, "kindergarten") || is(am, "childcare"))
        return XT_FT_kindergarten;
    if (is(am, "hospital") || is(hc, "hospital"))
        return XT_FT_hospital;
    if (is(hc, "centre"))
        return XT_FT_township_health_centre;
    if (is(am, "clinic") || is(am, "doctors") || is(hc, "clinic") || is(hc, "doctor"))
        return XT_FT_village_clinic;
    if (is(am, "nursing_home") || is(sf, "nursing_home") || is(sf, "assisted_living") ||
        (is(am, "social_facility") && tag(keys, values, n, "social_facility:for") &&
         is(tag(keys, values, n, "social_facility:for"), "senior")))
        return XT_FT_elderly_care;
    if (is(am, "townhall"))
        return XT_FT_service_hall;
    if (is(am, "community_centre") || is(am, "arts_centre") || is(am, "library"))
        return XT_FT_cultural_station;
    return -1;
}
