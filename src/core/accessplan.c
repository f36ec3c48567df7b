/* accessplan.c - travel, coverage, score and siting reports (see
 * accessplan.h). */
#include "core/accessplan.h"
#include "core/siting.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double band_max[] = {15, 30, 60, 120}; /* minutes */
#define N_BANDS (sizeof(band_max) / sizeof(band_max[0]))
/* p-median: times beyond this many standards (at least 2 hours) count as
 * that much, so unreachable places weigh but do not swamp the sum */
#define PM_CAP_STANDARDS 4
/* p-median keeps a dense time matrix: places x candidates at most */
#define PM_MAX_CELLS 20000000u

int xt_plan_mode_parse(const char *name)
{
    if (!name || !strcmp(name, "car"))
        return name ? XT_MODE_CAR : -1;
    if (!strcmp(name, "foot"))
        return XT_MODE_FOOT;
    return -1;
}

const char *xt_plan_mode_name(int mode)
{
    return mode == XT_MODE_FOOT ? "foot" : "car";
}

/* A number printed with at most `digits` decimals and no binary noise. */
static struct json_object *jfix(double v, int digits)
{
    char buf[40];
    snprintf(buf, sizeof(buf), "%.*f", digits, v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
    }
    return json_object_new_double_s(v, buf);
}

static struct json_object *jnum(double v)
{
    return jfix(v, 2);
}

static struct json_object *point(double lat, double lon)
{
    struct json_object *g = json_object_new_object(), *c = json_object_new_array();
    json_object_array_add(c, jfix(lon, 6));
    json_object_array_add(c, jfix(lat, 6));
    json_object_object_add(g, "type", json_object_new_string("Point"));
    json_object_object_add(g, "coordinates", c);
    return g;
}

static struct json_object *feature(double lat, double lon, struct json_object *props)
{
    struct json_object *f = json_object_new_object();
    json_object_object_add(f, "type", json_object_new_string("Feature"));
    json_object_object_add(f, "geometry", point(lat, lon));
    json_object_object_add(f, "properties", props);
    return f;
}

static struct json_object *meta(const struct xt_plan_input *in, int type, int mode)
{
    struct json_object *m = json_object_new_object();
    json_object_object_add(m, "facility_type", json_object_new_string(xt_facility_type_code(type)));
    json_object_object_add(m, "facility_type_name",
                           json_object_new_string(xt_facility_type_zh(type)));
    json_object_object_add(m, "mode", json_object_new_string(xt_plan_mode_name(mode)));
    json_object_object_add(m, "standard_minutes", jnum(in->standards->minutes[type][mode]));
    json_object_object_add(m, "generated_network", json_object_new_boolean(in->generated_network));
    if (in->generated_network)
        json_object_object_add(
            m, "note",
            json_object_new_string("road network generated for the demo region, not surveyed"));
    return m;
}

/* Facilities of a type as points (capacity as weight, 1 when unknown);
 * idx[k] is the input index of point k. */
static int fac_points(const struct xt_plan_input *in, int type, struct xt_point **pts, size_t **idx,
                      size_t *n)
{
    *pts = malloc((in->n_fac ? in->n_fac : 1) * sizeof(**pts));
    *idx = malloc((in->n_fac ? in->n_fac : 1) * sizeof(**idx));
    if (!*pts || !*idx) {
        free(*pts);
        free(*idx);
        return XT_ENOMEM;
    }
    *n = 0;
    for (size_t j = 0; j < in->n_fac; j++)
        if (in->fac[j].type == type) {
            (*pts)[*n] = (struct xt_point){in->fac[j].lat, in->fac[j].lon,
                                           in->fac[j].has_capacity ? in->fac[j].capacity : 1};
            (*idx)[(*n)++] = j;
        }
    return 0;
}

static struct xt_point *place_points(const struct xt_plan_input *in)
{
    struct xt_point *p = malloc((in->n_places ? in->n_places : 1) * sizeof(*p));
    if (p)
        for (size_t i = 0; i < in->n_places; i++)
            p[i] =
                (struct xt_point){in->places[i].lat, in->places[i].lon, in->places[i].population};
    return p;
}

/* Minutes from every place to the nearest facility of type. */
static int nearest_times(struct xt_reach *r, const struct xt_plan_input *in, int type, int mode,
                         uint32_t **time, uint32_t **near_fac)
{
    struct xt_point *fp, *pp = place_points(in);
    size_t *fidx, nf;
    *time = malloc((in->n_places ? in->n_places : 1) * sizeof(uint32_t));
    *near_fac = malloc((in->n_places ? in->n_places : 1) * sizeof(uint32_t));
    int rc = !pp || !*time || !*near_fac ? XT_ENOMEM : fac_points(in, type, &fp, &fidx, &nf);
    if (!rc) {
        rc = xt_reach_nearest(r, mode, fp, nf, pp, in->n_places, *time, *near_fac);
        for (size_t i = 0; i < in->n_places && !rc; i++)
            if ((*near_fac)[i] != UINT32_MAX)
                (*near_fac)[i] = (uint32_t)fidx[(*near_fac)[i]];
        free(fp);
        free(fidx);
    }
    free(pp);
    if (rc) {
        free(*time);
        free(*near_fac);
        *time = *near_fac = NULL;
    }
    return rc;
}

static struct json_object *minutes_or_null(uint32_t t)
{
    return t == XT_COST_NONE ? NULL : jnum(t / 600.0);
}

static const char *band_name(uint32_t t)
{
    static const char *const names[] = {"0-15", "15-30", "30-60", "60-120", ">120"};
    if (t == XT_COST_NONE)
        return "unreachable";
    for (size_t b = 0; b < N_BANDS; b++)
        if (t <= band_max[b] * 600)
            return names[b];
    return names[N_BANDS];
}

static struct json_object *fac_feature(const struct xt_plan_fac *f)
{
    struct json_object *p = json_object_new_object();
    json_object_object_add(p, "layer", json_object_new_string("facility"));
    json_object_object_add(p, "id", json_object_new_int64(f->id));
    json_object_object_add(p, "type", json_object_new_string(xt_facility_type_code(f->type)));
    json_object_object_add(p, "name", json_object_new_string(f->name));
    json_object_object_add(p, "capacity", f->has_capacity ? jnum(f->capacity) : NULL);
    return feature(f->lat, f->lon, p);
}

int xt_plan_travel(struct xt_reach *r, const struct xt_plan_input *in, int type, int mode,
                   struct json_object **out)
{
    uint32_t *t, *nf;
    int rc = nearest_times(r, in, type, mode, &t, &nf);
    if (rc)
        return rc;
    double std = in->standards->minutes[type][mode] * 600;
    struct json_object *fc = json_object_new_object(), *feats = json_object_new_array();
    json_object_object_add(fc, "type", json_object_new_string("FeatureCollection"));
    json_object_object_add(fc, "xietong", meta(in, type, mode));
    for (size_t i = 0; i < in->n_places; i++) {
        const struct xt_plan_place *pl = &in->places[i];
        struct json_object *p = json_object_new_object();
        json_object_object_add(p, "layer", json_object_new_string("place"));
        json_object_object_add(p, "code", json_object_new_string(pl->code));
        json_object_object_add(p, "name", json_object_new_string(pl->name));
        json_object_object_add(p, "level", json_object_new_string(xt_unit_level_name(pl->level)));
        json_object_object_add(p, "population", jnum(pl->population));
        json_object_object_add(p, "minutes", minutes_or_null(t[i]));
        json_object_object_add(p, "band", json_object_new_string(band_name(t[i])));
        json_object_object_add(p, "within_standard", json_object_new_boolean(t[i] <= std));
        json_object_object_add(p, "nearest_facility",
                               nf[i] == UINT32_MAX ? NULL
                                                   : json_object_new_int64(in->fac[nf[i]].id));
        json_object_array_add(feats, feature(pl->lat, pl->lon, p));
    }
    for (size_t j = 0; j < in->n_fac; j++)
        if (in->fac[j].type == type)
            json_object_array_add(feats, fac_feature(&in->fac[j]));
    json_object_object_add(fc, "features", feats);
    free(t);
    free(nf);
    *out = fc;
    return 0;
}

int xt_plan_bands(struct xt_reach *r, const struct xt_plan_input *in, int type, int mode,
                  struct json_object **out)
{
    const struct xt_roadnet *net = r->net;
    struct xt_point *fp;
    size_t *fidx, nf;
    int rc = fac_points(in, type, &fp, &fidx, &nf);
    if (rc)
        return rc;
    struct xt_source *src = malloc((nf ? nf : 1) * sizeof(*src));
    if (!src) {
        free(fp);
        free(fidx);
        return XT_ENOMEM;
    }
    size_t ns = 0;
    for (size_t j = 0; j < nf; j++)
        if (!xt_reach_snap(r, mode, fp[j].lat, fp[j].lon, &src[ns].node, &src[ns].cost)) {
            src[ns].tag = (uint32_t)j;
            ns++;
        }
    xt_sp_run(&r->work, &r->rev[mode], src, ns, XT_COST_NONE - 1);
    double la0 = 90, la1 = -90, lo0 = 180, lo1 = -180;
    for (size_t i = 0; i < in->n_places; i++) {
        la0 = fmin(la0, in->places[i].lat);
        la1 = fmax(la1, in->places[i].lat);
        lo0 = fmin(lo0, in->places[i].lon);
        lo1 = fmax(lo1, in->places[i].lon);
    }
    double m_lat = 0.018, m_lon = 0.018 / fmax(0.1, cos((la0 + la1) / 2 * 3.14159265358979 / 180));
    la0 -= m_lat;
    la1 += m_lat;
    lo0 -= m_lon;
    lo1 += m_lon;
    bool major_only = net->n_edges > 20000;
    struct json_object *fc = json_object_new_object(), *feats = json_object_new_array();
    json_object_object_add(fc, "type", json_object_new_string("FeatureCollection"));
    json_object_object_add(fc, "xietong", meta(in, type, mode));
    for (size_t e = 0; e < net->n_edges && in->n_places; e++) {
        const struct xt_road_edge *ed = &net->edges[e];
        if (ed->cost[mode][0] == XT_COST_NONE && ed->cost[mode][1] == XT_COST_NONE)
            continue;
        if (major_only && ed->cls > XT_HW_tertiary_link && ed->cls != XT_HW_generated)
            continue;
        bool in_u = net->lat[ed->u] >= la0 && net->lat[ed->u] <= la1 && net->lon[ed->u] >= lo0 &&
                    net->lon[ed->u] <= lo1;
        bool in_v = net->lat[ed->v] >= la0 && net->lat[ed->v] <= la1 && net->lon[ed->v] >= lo0 &&
                    net->lon[ed->v] <= lo1;
        if (!in_u && !in_v)
            continue;
        uint32_t tu = r->work.dist[ed->u], tv = r->work.dist[ed->v];
        uint32_t t = tu > tv ? tu : tv; /* XT_COST_NONE is the largest */
        struct json_object *g = json_object_new_object(), *c = json_object_new_array();
        uint32_t ends[2] = {ed->u, ed->v};
        for (int k = 0; k < 2; k++) {
            struct json_object *pt = json_object_new_array();
            json_object_array_add(pt, jfix(net->lon[ends[k]], 6));
            json_object_array_add(pt, jfix(net->lat[ends[k]], 6));
            json_object_array_add(c, pt);
        }
        json_object_object_add(g, "type", json_object_new_string("LineString"));
        json_object_object_add(g, "coordinates", c);
        struct json_object *p = json_object_new_object();
        json_object_object_add(p, "layer", json_object_new_string("band"));
        json_object_object_add(p, "band", json_object_new_string(band_name(t)));
        json_object_object_add(p, "minutes", minutes_or_null(t));
        json_object_object_add(p, "road", json_object_new_string(xt_highway_name(ed->cls)));
        struct json_object *f = json_object_new_object();
        json_object_object_add(f, "type", json_object_new_string("Feature"));
        json_object_object_add(f, "geometry", g);
        json_object_object_add(f, "properties", p);
        json_object_array_add(feats, f);
    }
    json_object_object_add(fc, "features", feats);
    free(fp);
    free(fidx);
    free(src);
    *out = fc;
    return 0;
}

struct agg {
    char code[XT_CODE_MAX];
    double pop, within, beyond, unreachable, vulnerable_beyond;
    double w2, w2e; /* population-weighted score sums */
    size_t places;
};

static struct agg *agg_for(struct agg **a, size_t *n, size_t *cap, const char *place_code)
{
    char code[XT_CODE_MAX];
    if (!xt_unit_ancestor(place_code, XT_LEVEL_TOWNSHIP, code))
        snprintf(code, sizeof(code), "%s", place_code);
    for (size_t k = 0; k < *n; k++)
        if (!strcmp((*a)[k].code, code))
            return &(*a)[k];
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        struct agg *p = realloc(*a, c * sizeof(*p));
        if (!p)
            return NULL;
        *a = p;
        *cap = c;
    }
    struct agg *g = &(*a)[(*n)++];
    memset(g, 0, sizeof(*g));
    snprintf(g->code, sizeof(g->code), "%s", code);
    return g;
}

static struct json_object *township_name(const struct xt_plan_input *in, const char *code)
{
    const char *n = in->unit_name ? in->unit_name(in->name_ctx, code) : NULL;
    return n ? json_object_new_string(n) : NULL;
}

static int cmp_agg(const void *a, const void *b)
{
    return strcmp(((const struct agg *)a)->code, ((const struct agg *)b)->code);
}

struct oor {
    size_t i;
    uint32_t t;
};

static int cmp_oor(const void *a, const void *b)
{
    uint32_t x = ((const struct oor *)a)->t, y = ((const struct oor *)b)->t;
    return x < y ? 1 : x > y ? -1 : 0;
}

int xt_plan_coverage(struct xt_reach *r, const struct xt_plan_input *in, int type, int mode,
                     struct json_object **out)
{
    uint32_t *t, *nf;
    int rc = nearest_times(r, in, type, mode, &t, &nf);
    if (rc)
        return rc;
    double std = in->standards->minutes[type][mode] * 600;
    struct agg *a = NULL, tot = {{0}, 0, 0, 0, 0, 0, 0, 0, 0};
    size_t na = 0, ca = 0, noor = 0;
    struct oor *oor = malloc((in->n_places ? in->n_places : 1) * sizeof(*oor));
    bool vulnerable_known = false;
    if (!oor) {
        rc = XT_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < in->n_places; i++) {
        const struct xt_plan_place *pl = &in->places[i];
        struct agg *g = agg_for(&a, &na, &ca, pl->code);
        if (!g) {
            rc = XT_ENOMEM;
            goto out;
        }
        bool ok = t[i] <= std;
        double vul = pl->vulnerable > 0 ? pl->vulnerable : 0;
        vulnerable_known |= pl->vulnerable >= 0;
        struct agg *both[2] = {g, &tot};
        for (int k = 0; k < 2; k++) {
            both[k]->pop += pl->population;
            both[k]->places++;
            if (ok) {
                both[k]->within += pl->population;
            } else {
                both[k]->beyond += pl->population;
                both[k]->vulnerable_beyond += vul;
                if (t[i] == XT_COST_NONE)
                    both[k]->unreachable += pl->population;
            }
        }
        if (!ok)
            oor[noor++] = (struct oor){i, t[i]};
    }
    if (na > 1) /* qsort's base may not be NULL, even for nothing */
        qsort(a, na, sizeof(*a), cmp_agg);
    if (noor > 1)
        qsort(oor, noor, sizeof(*oor), cmp_oor);
    struct json_object *o = meta(in, type, mode), *units = json_object_new_array(),
                       *list = json_object_new_array();
    json_object_object_add(o, "places", json_object_new_int64((int64_t)tot.places));
    json_object_object_add(o, "population", jnum(tot.pop));
    json_object_object_add(o, "population_within", jnum(tot.within));
    json_object_object_add(o, "population_beyond", jnum(tot.beyond));
    json_object_object_add(o, "population_unreachable", jnum(tot.unreachable));
    json_object_object_add(o, "share_within", jnum(tot.pop > 0 ? 100 * tot.within / tot.pop : 0));
    json_object_object_add(o, "vulnerable_beyond",
                           vulnerable_known ? jnum(tot.vulnerable_beyond) : NULL);
    for (size_t k = 0; k < na; k++) {
        struct json_object *u = json_object_new_object();
        json_object_object_add(u, "township", json_object_new_string(a[k].code));
        json_object_object_add(u, "township_name", township_name(in, a[k].code));
        json_object_object_add(u, "places", json_object_new_int64((int64_t)a[k].places));
        json_object_object_add(u, "population", jnum(a[k].pop));
        json_object_object_add(u, "population_within", jnum(a[k].within));
        json_object_object_add(u, "population_beyond", jnum(a[k].beyond));
        json_object_object_add(u, "share_within",
                               jnum(a[k].pop > 0 ? 100 * a[k].within / a[k].pop : 0));
        json_object_array_add(units, u);
    }
    struct json_object *gaps = json_object_new_object(), *gf = json_object_new_array();
    json_object_object_add(gaps, "type", json_object_new_string("FeatureCollection"));
    for (size_t k = 0; k < noor; k++) {
        const struct xt_plan_place *pl = &in->places[oor[k].i];
        struct json_object *gp = json_object_new_object();
        json_object_object_add(gp, "layer", json_object_new_string("gap"));
        json_object_object_add(gp, "code", json_object_new_string(pl->code));
        json_object_object_add(gp, "name", json_object_new_string(pl->name));
        json_object_object_add(gp, "population", jnum(pl->population));
        json_object_object_add(gp, "minutes", minutes_or_null(oor[k].t));
        json_object_object_add(gp, "band", json_object_new_string(band_name(oor[k].t)));
        json_object_array_add(gf, feature(pl->lat, pl->lon, gp));
        struct json_object *u = json_object_new_object();
        json_object_object_add(u, "code", json_object_new_string(pl->code));
        json_object_object_add(u, "name", json_object_new_string(pl->name));
        json_object_object_add(u, "population", jnum(pl->population));
        json_object_object_add(u, "minutes", minutes_or_null(oor[k].t));
        json_object_object_add(u, "vulnerable", pl->vulnerable >= 0 ? jnum(pl->vulnerable) : NULL);
        json_object_object_add(u, "lat", jfix(pl->lat, 6));
        json_object_object_add(u, "lon", jfix(pl->lon, 6));
        json_object_array_add(list, u);
    }
    json_object_object_add(o, "by_township", units);
    json_object_object_add(o, "out_of_reach", list);
    json_object_object_add(gaps, "features", gf);
    json_object_object_add(o, "gaps", gaps);
    *out = o;
out:
    free(t);
    free(nf);
    free(a);
    free(oor);
    return rc;
}

int xt_plan_scores(struct xt_reach *r, const struct xt_plan_input *in, int type, int mode,
                   struct json_object **out)
{
    struct xt_point *fp, *pp = place_points(in);
    size_t *fidx, nf;
    if (!pp)
        return XT_ENOMEM;
    int rc = fac_points(in, type, &fp, &fidx, &nf);
    if (rc) {
        free(pp);
        return rc;
    }
    struct xt_fca_bands b2, be;
    xt_fca_bands_2sfca(&b2, in->standards->minutes[type][mode]);
    xt_fca_bands_e2sfca(&be);
    uint32_t limit = b2.end[0] > be.end[be.n - 1] ? b2.end[0] : be.end[be.n - 1];
    struct xt_pair *pairs = NULL;
    size_t np = 0;
    double *s2 = malloc((in->n_places ? in->n_places : 1) * sizeof(double));
    double *se = malloc((in->n_places ? in->n_places : 1) * sizeof(double));
    struct agg *a = NULL;
    size_t na = 0, ca = 0;
    if (!s2 || !se)
        rc = XT_ENOMEM;
    if (!rc)
        rc = xt_reach_pairs(r, mode, fp, nf, pp, in->n_places, limit, &pairs, &np);
    if (!rc)
        rc = xt_fca(pairs, np, fp, nf, pp, in->n_places, &b2, s2, NULL);
    if (!rc)
        rc = xt_fca(pairs, np, fp, nf, pp, in->n_places, &be, se, NULL);
    if (rc)
        goto out;
    struct json_object *o = meta(in, type, mode), *places = json_object_new_array(),
                       *units = json_object_new_array();
    json_object_object_add(o, "unit",
                           json_object_new_string("facility capacity per 1,000 residents"));
    json_object_object_add(o, "e2sfca_bands",
                           json_object_new_string("1 / 0.68 / 0.22 at 10 / 20 / 30 minutes"));
    for (size_t i = 0; i < in->n_places; i++) {
        const struct xt_plan_place *pl = &in->places[i];
        struct json_object *p = json_object_new_object();
        json_object_object_add(p, "code", json_object_new_string(pl->code));
        json_object_object_add(p, "name", json_object_new_string(pl->name));
        json_object_object_add(p, "population", jnum(pl->population));
        json_object_object_add(p, "sfca", json_object_new_double(s2[i] * 1000));
        json_object_object_add(p, "e2sfca", json_object_new_double(se[i] * 1000));
        json_object_array_add(places, p);
        struct agg *g = agg_for(&a, &na, &ca, pl->code);
        if (!g) {
            json_object_put(o);
            json_object_put(places);
            json_object_put(units);
            rc = XT_ENOMEM;
            goto out;
        }
        g->pop += pl->population;
        g->w2 += pl->population * s2[i];
        g->w2e += pl->population * se[i];
        g->places++;
    }
    if (na > 1)
        qsort(a, na, sizeof(*a), cmp_agg);
    for (size_t k = 0; k < na; k++) {
        struct json_object *u = json_object_new_object();
        json_object_object_add(u, "township", json_object_new_string(a[k].code));
        json_object_object_add(u, "township_name", township_name(in, a[k].code));
        json_object_object_add(u, "population", jnum(a[k].pop));
        json_object_object_add(
            u, "sfca", json_object_new_double(a[k].pop > 0 ? 1000 * a[k].w2 / a[k].pop : 0));
        json_object_object_add(
            u, "e2sfca", json_object_new_double(a[k].pop > 0 ? 1000 * a[k].w2e / a[k].pop : 0));
        json_object_array_add(units, u);
    }
    json_object_object_add(o, "places", places);
    json_object_object_add(o, "by_township", units);
    *out = o;
out:
    free(pp);
    free(fp);
    free(fidx);
    free(pairs);
    free(s2);
    free(se);
    free(a);
    return rc;
}

int xt_plan_site(struct xt_reach *r, const struct xt_plan_input *in,
                 const struct xt_plan_site_opts *o, struct json_object **out, struct xt_error *err)
{
    /* Every place is a demand point (n) and a candidate site (m). */
    size_t n = in->n_places, k = o->k;
    size_t m = n;
    if (o->type < 0 || o->type >= XT_FT_N)
        return xt_error_set(err, XT_EINVAL, "type", "unknown facility type");
    if (o->mode != XT_MODE_CAR && o->mode != XT_MODE_FOOT)
        return xt_error_set(err, XT_EINVAL, "mode", "must be car or foot");
    if (k < 1 || k > 50 || k > m)
        return xt_error_set(err, XT_EINVAL, "k", "must be 1..50 and at most the %zu candidates", m);
    /* existing facilities of the type with a capacity become fixed open
     * sites (candidates 0..nf-1); the others stay in the nearest times */
    size_t nf = 0;
    for (size_t j = 0; j < in->n_fac; j++)
        nf += in->fac[j].type == o->type && in->fac[j].has_capacity && !o->ignore_existing_capacity;
    bool capacitated = nf > 0 || o->candidate_capacity >= 0;
    if (o->objective == XT_PLAN_PMEDIAN && (uint64_t)n * (m + nf) > PM_MAX_CELLS)
        return xt_error_set(err, XT_ETOOBIG, "objective",
                            "p-median over %zu places needs a %zu x %zu matrix; use mclp or a"
                            " smaller unit",
                            n, n, m);
    double std = in->standards->minutes[o->type][o->mode];
    uint32_t *t0 = NULL, *near = NULL;
    struct xt_point *pp = place_points(in), *fixp = malloc((nf ? nf : 1) * sizeof(*fixp));
    struct xt_pair *pairs = NULL, *fpairs = NULL;
    size_t np = 0, nfp = 0, mt_all = m + nf;
    double *w = malloc((n ? n : 1) * sizeof(double));
    uint8_t *cov0 = calloc(n ? n : 1, 1);
    uint32_t *first = calloc(mt_all + 1, sizeof(uint32_t)), *idx = NULL;
    double *cost = NULL, *cost0 = NULL, *capv = malloc(mt_all * sizeof(double));
    struct xt_plan_fac *free_fac = malloc((in->n_fac ? in->n_fac : 1) * sizeof(*free_fac));
    int rc = !pp || !fixp || !w || !cov0 || !first || !capv || !free_fac ? XT_ENOMEM : 0;
    if (!rc) {
        /* nearest times over the existing facilities without a capacity */
        struct xt_plan_input in0 = *in;
        size_t n0 = 0, q = 0;
        for (size_t j = 0; j < in->n_fac; j++) {
            const struct xt_plan_fac *f = &in->fac[j];
            if (f->type == o->type && f->has_capacity && !o->ignore_existing_capacity) {
                fixp[q] = (struct xt_point){f->lat, f->lon, f->capacity};
                capv[q++] = f->capacity;
            } else {
                free_fac[n0++] = *f;
            }
        }
        for (size_t j = 0; j < m; j++)
            capv[nf + j] = o->candidate_capacity >= 0 ? o->candidate_capacity : -1;
        in0.fac = free_fac;
        in0.n_fac = n0;
        rc = nearest_times(r, &in0, o->type, o->mode, &t0, &near);
    }
    double cap = fmax(PM_CAP_STANDARDS * std, 120);
    uint32_t limit = (uint32_t)((o->objective == XT_PLAN_MCLP ? std : cap) * 600);
    /* candidates are the places themselves: pairs with places as "facilities" */
    if (!rc)
        rc = xt_reach_pairs(r, o->mode, pp, m, pp, n, limit, &pairs, &np);
    if (!rc && nf)
        rc = xt_reach_pairs(r, o->mode, fixp, nf, pp, n, limit, &fpairs, &nfp);
    if (rc)
        goto out;
    /* before: within the standard of (MCLP) or the time to (p-median) the
     * nearest existing facility, capacities aside */
    double before = 0, total = 0;
    uint8_t *near_fixed = calloc(n ? n : 1, 1);
    if (!near_fixed) {
        rc = XT_ENOMEM;
        goto out;
    }
    for (size_t q = 0; q < nfp; q++)
        if (fpairs[q].time <= std * 600)
            near_fixed[fpairs[q].place] = 1;
    for (size_t i = 0; i < n; i++) {
        w[i] = in->places[i].population > 0 ? in->places[i].population : 0;
        cov0[i] = t0[i] <= std * 600;
        total += w[i];
        if (cov0[i] || near_fixed[i])
            before += w[i];
    }
    free(near_fixed);
    struct xt_site_result res, ex;
    memset(&ex, 0, sizeof(ex));
    bool have_exact = false;
    if (o->objective == XT_PLAN_MCLP) {
        idx = malloc((np + nfp ? np + nfp : 1) * sizeof(uint32_t));
        if (!idx) {
            rc = XT_ENOMEM;
            goto out;
        }
        for (size_t q = 0; q < nfp; q++)
            first[fpairs[q].fac + 1]++;
        for (size_t q = 0; q < np; q++)
            first[nf + pairs[q].fac + 1]++;
        for (size_t j = 0; j < mt_all; j++)
            first[j + 1] += first[j];
        uint32_t *fill = malloc((mt_all + 1) * sizeof(uint32_t));
        if (!fill) {
            rc = XT_ENOMEM;
            goto out;
        }
        memcpy(fill, first, (mt_all + 1) * sizeof(uint32_t));
        for (size_t q = 0; q < nfp; q++)
            idx[fill[fpairs[q].fac]++] = fpairs[q].place;
        for (size_t q = 0; q < np; q++)
            idx[fill[nf + pairs[q].fac]++] = pairs[q].place;
        free(fill);
        struct xt_mclp p = {n, mt_all, w, cov0, first, idx, capacitated ? capv : NULL, nf};
        rc = xt_site_mclp(&p, k, &res);
        if (!rc && o->exact) {
            if (xt_site_mclp_glpk(&p, k, &ex) == 0)
                have_exact = true;
            else
                rc = xt_error_set(err, XT_ETOOBIG, "exact", "GLPK could not solve this instance");
        }
    } else {
        cost = malloc(n * mt_all * sizeof(double));
        cost0 = malloc(n * sizeof(double));
        if (!cost || !cost0) {
            rc = XT_ENOMEM;
            goto out;
        }
        for (size_t q = 0; q < n * mt_all; q++)
            cost[q] = cap;
        for (size_t q = 0; q < nfp; q++)
            cost[(size_t)fpairs[q].place * mt_all + fpairs[q].fac] = fpairs[q].time / 600.0;
        for (size_t q = 0; q < np; q++)
            cost[(size_t)pairs[q].place * mt_all + nf + pairs[q].fac] = pairs[q].time / 600.0;
        for (size_t i = 0; i < n; i++)
            cost0[i] = t0[i] == XT_COST_NONE ? cap : fmin(cap, t0[i] / 600.0);
        struct xt_pmedian p = {n, mt_all, w, cost, cost0, capacitated ? capv : NULL, nf};
        rc = xt_site_pmedian(&p, k, &res);
        if (!rc && o->exact) {
            if (xt_site_pmedian_glpk(&p, k, &ex) == 0)
                have_exact = true;
            else
                rc = xt_error_set(err, XT_ETOOBIG, "exact",
                                  "too big for the exact solve (places x sites <= 200,000)");
        }
        before = 0;
        for (size_t i = 0; i < n; i++) {
            double b = cost0[i];
            for (size_t j = 0; j < nf; j++)
                b = fmin(b, cost[i * mt_all + j]);
            before += w[i] * b;
        }
    }
    if (rc)
        goto out;
    struct json_object *fc = json_object_new_object(), *feats = json_object_new_array(),
                       *mt = meta(in, o->type, o->mode);
    json_object_object_add(fc, "type", json_object_new_string("FeatureCollection"));
    json_object_object_add(
        mt, "objective", json_object_new_string(o->objective == XT_PLAN_MCLP ? "mclp" : "pmedian"));
    json_object_object_add(mt, "k", json_object_new_int64((int64_t)k));
    json_object_object_add(mt, "population", jnum(total));
    if (o->objective == XT_PLAN_MCLP) {
        json_object_object_add(mt, "population_within_before", jnum(before));
        json_object_object_add(mt, "population_within_after", jnum(res.value));
        json_object_object_add(mt, "upper_bound", jnum(res.bound));
    } else {
        json_object_object_add(mt, "capped_minutes", jnum(cap));
        json_object_object_add(mt, "mean_minutes_before", jnum(total > 0 ? before / total : 0));
        json_object_object_add(mt, "mean_minutes_after", jnum(total > 0 ? res.value / total : 0));
        json_object_object_add(mt, "lower_bound_mean_minutes",
                               jnum(total > 0 ? res.bound / total : 0));
    }
    json_object_object_add(mt, "gap_percent", json_object_new_double(res.gap * 100));
    json_object_object_add(mt, "swaps", json_object_new_int(res.swaps));
    if (have_exact) {
        struct json_object *e = json_object_new_object();
        json_object_object_add(e, "value", jnum(ex.value));
        json_object_object_add(
            e, "heuristic_equals_optimum",
            json_object_new_boolean(fabs(ex.value - res.value) <= 1e-6 * (1 + fabs(ex.value))));
        json_object_object_add(mt, "glpk", e);
    }
    if (capacitated) {
        struct json_object *c = json_object_new_object();
        json_object_object_add(c, "modelled", json_object_new_boolean(true));
        json_object_object_add(c, "existing_with_capacity", json_object_new_int64((int64_t)nf));
        json_object_object_add(c, "existing_population_assigned", jnum(res.fixed_load));
        json_object_object_add(c, "candidate_capacity",
                               o->candidate_capacity >= 0 ? jnum(o->candidate_capacity) : NULL);
        json_object_object_add(
            c, "note",
            json_object_new_string(
                o->objective == XT_PLAN_MCLP
                    ? "a place counts as within the standard only for the share of its"
                      " population a site within the standard can still take; a place's"
                      " population may be split between sites; existing facilities without"
                      " a capacity take everyone; the bound is that of the problem without"
                      " capacities, or what the capacities can hold"
                    : "each site serves at most its capacity, a place's population may be"
                      " split between sites, the rest stays at its nearest facility without"
                      " a capacity (or counts at the capped minutes); the bound is that of"
                      " the problem without capacities"));
        json_object_object_add(mt, "capacities", c);
    } else {
        json_object_object_add(
            mt, "capacities",
            json_object_new_string("none given: each place counts at its nearest open facility"));
    }
    json_object_object_add(fc, "xietong", mt);
    for (size_t q = 0; q < res.k; q++) {
        const struct xt_plan_place *pl = &in->places[res.chosen[q] - nf];
        struct json_object *p = json_object_new_object();
        json_object_object_add(p, "layer", json_object_new_string("proposed_site"));
        json_object_object_add(p, "rank", json_object_new_int((int)q + 1));
        json_object_object_add(p, "code", json_object_new_string(pl->code));
        json_object_object_add(p, "name", json_object_new_string(pl->name));
        /* MCLP: people newly within the standard it serves; p-median:
         * people it serves */
        json_object_object_add(p, "population_assigned", jnum(res.load[q]));
        json_object_object_add(p, "capacity",
                               capv[res.chosen[q]] >= 0 ? jnum(capv[res.chosen[q]]) : NULL);
        json_object_object_add(p, "capacity_binds", json_object_new_boolean(res.binds[q]));
        json_object_array_add(feats, feature(pl->lat, pl->lon, p));
    }
    json_object_object_add(fc, "features", feats);
    *out = fc;
out:
    free(t0);
    free(near);
    free(pp);
    free(fixp);
    free(pairs);
    free(fpairs);
    free(capv);
    free(free_fac);
    free(w);
    free(cov0);
    free(first);
    free(idx);
    free(cost);
    free(cost0);
    if (rc && err && !err->code)
        xt_error_set(err, rc, "", "cannot compute the sites");
    return rc;
}
