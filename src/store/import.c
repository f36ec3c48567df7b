/* import.c - reference data in: divisions, census, calendar, categories,
 * departments, GeoJSON. Each import is one write job, so it is all or
 * nothing: a bad row fails it with the line and field, and nothing is
 * written. */
#include "core/geojson.h"
#include "lib/csv.h"
#include "lib/utf8.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct import_job {
    const char *path;
    const char *prefix;
    struct xt_import_stats *st;
    struct xt_error *err;
    const char *text; /* geojson body */
    size_t text_len;
};

static int bad_row(struct import_job *j, long line, const char *field, const char *why,
                   const char *value)
{
    return xt_error_set(j->err, XT_EINVAL, field, "line %ld: %s '%.60s'", line, why,
                        value ? value : "");
}

static int open_csv(struct import_job *j, struct xt_csv *csv, const char *const *cols, int ncols,
                    int *idx)
{
    if (xt_csv_open(csv, j->path))
        return xt_error_set(j->err, XT_ENOTFOUND, "file", "cannot open '%s'", j->path);
    int rc = xt_csv_next(csv);
    if (rc != 1) {
        xt_csv_close(csv);
        return xt_error_set(j->err, XT_EINVAL, "file", "'%s' has no header row", j->path);
    }
    for (int i = 0; i < ncols; i++) {
        idx[i] = xt_csv_index(csv, cols[i]);
        if (idx[i] < 0) {
            xt_csv_close(csv);
            return xt_error_set(j->err, XT_EINVAL, cols[i], "'%s' has no column '%s'", j->path,
                                cols[i]);
        }
    }
    return 0;
}

/* Close the reader at the end of a job's loop. A record the reader could
 * not parse (unterminated quote, too many fields, too long) stops the loop
 * with rc < 0 and no message yet: name the line, so that no import fails
 * without saying where. Returns rc. */
static int csv_done(struct import_job *j, struct xt_csv *csv, int rc)
{
    long line = csv->line;
    xt_csv_close(csv);
    if (rc < 0 && j->err->code == XT_OK)
        xt_error_set(j->err, rc, "file", "line %ld: malformed CSV record (unterminated quote, "
                     "more than %d fields or too long)", line, XT_CSV_MAX_FIELDS);
    return rc;
}

static const char *field(struct xt_csv *csv, int i)
{
    return i < csv->nfield ? csv->field[i] : "";
}

static const char SQL_UNIT_UPSERT[] =
    "INSERT INTO units(code, parent, name, level, kind) VALUES(?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT(code) DO UPDATE SET parent=?2, name=?3, level=?4, kind=?5";

static int divisions_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    (void)s;
    struct import_job *j = arg;
    static const char *const cols[] = {"code", "name", "parent_code", "level"};
    int idx[4], rc;
    struct xt_csv csv;
    if ((rc = open_csv(j, &csv, cols, 4, idx)))
        return rc;
    struct xt_stmt *st = xt_conn_stmt(c, SQL_UNIT_UPSERT);
    size_t plen = strlen(j->prefix);
    while ((rc = xt_csv_next(&csv)) == 1) {
        const char *code = field(&csv, idx[0]), *name = field(&csv, idx[1]);
        const char *parent = field(&csv, idx[2]), *lvl = field(&csv, idx[3]);
        j->st->rows++;
        if (strncmp(code, j->prefix, plen) != 0 && strncmp(j->prefix, code, strlen(code)) != 0) {
            j->st->skipped++;
            continue;
        }
        int level = xt_unit_level_parse(lvl);
        if (level < XT_LEVEL_PROVINCE || level > XT_LEVEL_VILLAGE) {
            rc = bad_row(j, csv.line, "level", "unknown level", lvl);
            break;
        }
        struct xt_error why;
        if (xt_unit_check(code, parent, level, &why)) {
            rc = xt_error_set(j->err, XT_EINVAL, why.field, "line %ld: %.200s", csv.line,
                              why.message);
            break;
        }
        size_t nl = strlen(name);
        if (nl == 0 || nl >= XT_NAME_MAX || !xt_utf8_valid(name, nl)) {
            rc = bad_row(j, csv.line, "name", "empty, too long or not UTF-8", name);
            break;
        }
        int kind = level == XT_LEVEL_VILLAGE ? xt_unit_kind_from_name(name) : XT_KIND_NONE;
        xt_reset(st);
        xt_bind_text(st, 1, code);
        xt_bind_text(st, 2, parent);
        xt_bind_text(st, 3, name);
        xt_bind_int(st, 4, level);
        xt_bind_int(st, 5, kind);
        if (xt_step(st) != 0) {
            rc = xt_sqlite_err(j->err, c, "insert unit");
            break;
        }
        j->st->inserted++;
    }
    rc = csv_done(j, &csv, rc);
    return rc < 0 ? rc : 0;
}

int xt_store_import_divisions(struct xt_store *s, const char *path, const char *prefix,
                              struct xt_import_stats *st, struct xt_error *err)
{
    struct import_job j = {.path = path, .prefix = prefix ? prefix : "", .st = st, .err = err};
    memset(st, 0, sizeof(*st));
    xt_error_clear(err);
    int rc = xt_store_write(s, divisions_job, &j);
    if (rc && err->code == XT_OK)
        xt_error_set(err, rc, "", "import failed");
    return rc;
}

static const char SQL_CENSUS_UPSERT[] =
    "INSERT INTO census(code, name, population, male, female, minority_pct, urban,"
    " rural, households, household_size, age0_14, age15_64, age65)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    " ON CONFLICT(code) DO UPDATE SET name=excluded.name, population=excluded.population,"
    " male=excluded.male, female=excluded.female, minority_pct=excluded.minority_pct,"
    " urban=excluded.urban, rural=excluded.rural, households=excluded.households,"
    " household_size=excluded.household_size, age0_14=excluded.age0_14,"
    " age15_64=excluded.age15_64, age65=excluded.age65";
static const char SQL_UNIT_SET_POP[] =
    "UPDATE units SET population=?2, households=?3 WHERE code=?1";

static int parse_num(const char *s, double *out)
{
    if (!*s || strcmp(s, "NA") == 0) {
        *out = 0;
        return 0;
    }
    char *end;
    *out = strtod(s, &end);
    return *end ? XT_EINVAL : 0;
}

static int census_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    (void)s;
    struct import_job *j = arg;
    static const char *const cols[] = {
        "区划代码", "区县", "人口数_合计", "人口数_男", "人口数_女", "少数民族人口比重（%）",
        "城镇人口", "乡村人口", "家庭户数", "户规模", "人口比重_0-14岁", "人口比重_15-64岁",
        "人口比重_65岁及以上"};
    int idx[13], rc;
    struct xt_csv csv;
    if ((rc = open_csv(j, &csv, cols, 13, idx)))
        return rc;
    struct xt_stmt *st = xt_conn_stmt(c, SQL_CENSUS_UPSERT);
    struct xt_stmt *up = xt_conn_stmt(c, SQL_UNIT_SET_POP);
    size_t plen = strlen(j->prefix);
    while ((rc = xt_csv_next(&csv)) == 1) {
        const char *raw = field(&csv, idx[0]);
        j->st->rows++;
        char code[XT_CODE_MAX];
        size_t n = strlen(raw);
        if (n != 6 || xt_unit_level_of_code(raw) != XT_LEVEL_COUNTY) {
            rc = bad_row(j, csv.line, "区划代码", "not a 6-digit code", raw);
            break;
        }
        /* 620000 is a province, 622900 a prefecture, others counties. */
        size_t keep = strcmp(raw + 2, "0000") == 0 ? 2 : strcmp(raw + 4, "00") == 0 ? 4 : 6;
        memcpy(code, raw, keep);
        code[keep] = '\0';
        if (strncmp(code, j->prefix, plen) != 0 && strncmp(j->prefix, code, keep) != 0) {
            j->st->skipped++;
            continue;
        }
        double v[11];
        for (int k = 0; k < 11; k++) {
            if (parse_num(field(&csv, idx[k + 2]), &v[k])) {
                rc = bad_row(j, csv.line, cols[k + 2], "not a number", field(&csv, idx[k + 2]));
                goto out;
            }
        }
        xt_reset(st);
        xt_bind_text(st, 1, code);
        xt_bind_text(st, 2, field(&csv, idx[1]));
        xt_bind_int(st, 3, (int64_t)v[0]);
        xt_bind_int(st, 4, (int64_t)v[1]);
        xt_bind_int(st, 5, (int64_t)v[2]);
        xt_bind_double(st, 6, v[3]);
        xt_bind_int(st, 7, (int64_t)v[4]);
        xt_bind_int(st, 8, (int64_t)v[5]);
        xt_bind_int(st, 9, (int64_t)v[6]);
        xt_bind_double(st, 10, v[7]);
        xt_bind_double(st, 11, v[8]);
        xt_bind_double(st, 12, v[9]);
        xt_bind_double(st, 13, v[10]);
        if (xt_step(st) != 0) {
            rc = xt_sqlite_err(j->err, c, "insert census");
            break;
        }
        xt_reset(up);
        xt_bind_text(up, 1, code);
        xt_bind_int(up, 2, (int64_t)v[0]);
        xt_bind_int(up, 3, (int64_t)v[6]);
        xt_step(up);
        j->st->inserted++;
    }
out:
    rc = csv_done(j, &csv, rc);
    return rc < 0 ? rc : 0;
}

int xt_store_import_census(struct xt_store *s, const char *path, const char *prefix,
                           struct xt_import_stats *st, struct xt_error *err)
{
    struct import_job j = {.path = path, .prefix = prefix ? prefix : "", .st = st, .err = err};
    memset(st, 0, sizeof(*st));
    xt_error_clear(err);
    return xt_store_write(s, census_job, &j);
}

static int calendar_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    (void)s;
    struct import_job *j = arg;
    /* Validate the whole file with the core parser first. */
    struct xt_calendar *cal = xt_calendar_new();
    if (!cal)
        return XT_ENOMEM;
    int rc = xt_calendar_load_csv(cal, j->path, j->err);
    xt_calendar_free(cal);
    if (rc)
        return rc;
    static const char *const cols[] = {"date", "kind", "name"};
    int idx[3];
    struct xt_csv csv;
    if ((rc = open_csv(j, &csv, cols, 3, idx)))
        return rc;
    struct xt_stmt *st =
        xt_conn_stmt(c, "INSERT INTO calendar(day, kind, name) VALUES(?1, ?2, ?3)"
                        " ON CONFLICT(day) DO UPDATE SET kind=excluded.kind, name=excluded.name");
    while ((rc = xt_csv_next(&csv)) == 1) {
        j->st->rows++;
        xt_reset(st);
        xt_bind_text(st, 1, field(&csv, idx[0]));
        xt_bind_text(st, 2, field(&csv, idx[1]));
        xt_bind_text(st, 3, field(&csv, idx[2]));
        if (xt_step(st) != 0) {
            rc = xt_sqlite_err(j->err, c, "insert calendar");
            break;
        }
        j->st->inserted++;
    }
    rc = csv_done(j, &csv, rc);
    return rc < 0 ? rc : 0;
}

int xt_store_import_calendar(struct xt_store *s, const char *path, struct xt_import_stats *st,
                             struct xt_error *err)
{
    struct import_job j = {.path = path, .st = st, .err = err};
    memset(st, 0, sizeof(*st));
    xt_error_clear(err);
    return xt_store_write(s, calendar_job, &j);
}

static int parse_int_field(const char *s, int lo, int hi, int *out)
{
    if (!*s) {
        *out = 0;
        return 0;
    }
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < lo || v > hi)
        return XT_EINVAL;
    *out = (int)v;
    return 0;
}

static int categories_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    (void)s;
    struct import_job *j = arg;
    static const char *const cols[] = {"code", "name", "parent", "route", "sign_minutes",
                                       "resolve_days"};
    int idx[6], rc;
    struct xt_csv csv;
    if ((rc = open_csv(j, &csv, cols, 6, idx)))
        return rc;
    struct xt_stmt *st = xt_conn_stmt(c, "INSERT INTO categories(code, name, parent,"
                                       " route, sign_minutes, resolve_days)"
                                       " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(code) DO"
                                       " UPDATE SET name=excluded.name, parent=excluded.parent,"
                                       " route=excluded.route, sign_minutes=excluded.sign_minutes,"
                                       " resolve_days=excluded.resolve_days");
    while ((rc = xt_csv_next(&csv)) == 1) {
        j->st->rows++;
        const char *code = field(&csv, idx[0]), *name = field(&csv, idx[1]);
        const char *route = field(&csv, idx[3]);
        int sign, days;
        if (!*code || strlen(code) >= 32) {
            rc = bad_row(j, csv.line, "code", "empty or longer than 31 bytes", code);
            break;
        }
        if (!*name || strlen(name) >= 64 || !xt_utf8_valid(name, strlen(name))) {
            rc = bad_row(j, csv.line, "name", "empty, too long or not UTF-8", name);
            break;
        }
        if (!*route || strlen(route) >= 32) {
            rc = bad_row(j, csv.line, "route", "empty or too long", route);
            break;
        }
        if (parse_int_field(field(&csv, idx[4]), 0, 24 * 60, &sign)) {
            rc = bad_row(j, csv.line, "sign_minutes", "not 0..1440", field(&csv, idx[4]));
            break;
        }
        if (parse_int_field(field(&csv, idx[5]), 0, 90, &days)) {
            rc = bad_row(j, csv.line, "resolve_days", "not 0..90", field(&csv, idx[5]));
            break;
        }
        xt_reset(st);
        xt_bind_text(st, 1, code);
        xt_bind_text(st, 2, name);
        xt_bind_text(st, 3, field(&csv, idx[2]));
        xt_bind_text(st, 4, route);
        xt_bind_int(st, 5, sign);
        xt_bind_int(st, 6, days);
        if (xt_step(st) != 0) {
            rc = xt_sqlite_err(j->err, c, "insert category");
            break;
        }
        j->st->inserted++;
    }
    rc = csv_done(j, &csv, rc);
    return rc < 0 ? rc : 0;
}

int xt_store_import_categories(struct xt_store *s, const char *path, struct xt_import_stats *st,
                               struct xt_error *err)
{
    struct import_job j = {.path = path, .st = st, .err = err};
    memset(st, 0, sizeof(*st));
    xt_error_clear(err);
    return xt_store_write(s, categories_job, &j);
}

static int departments_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    (void)s;
    struct import_job *j = arg;
    static const char *const cols[] = {"key", "name"};
    int idx[2], rc;
    struct xt_csv csv;
    char keys[99][32], names[99][64];
    int n = 0;
    if ((rc = open_csv(j, &csv, cols, 2, idx)))
        return rc;
    while ((rc = xt_csv_next(&csv)) == 1) {
        const char *key = field(&csv, idx[0]), *name = field(&csv, idx[1]);
        if (!*key || strlen(key) >= 32 || !*name || strlen(name) >= 64 || n >= 99) {
            rc = bad_row(j, csv.line, "key", "empty, too long or too many rows", key);
            break;
        }
        snprintf(keys[n], sizeof(keys[n]), "%s", key);
        snprintf(names[n], sizeof(names[n]), "%s", name);
        n++;
    }
    rc = csv_done(j, &csv, rc);
    if (rc < 0)
        return rc;
    struct xt_stmt *q = xt_conn_stmt(c, "SELECT code, name FROM units WHERE level=3 AND code LIKE"
                                      " CAST(?1 AS TEXT) || '%' ORDER BY code");
    struct xt_stmt *ins = xt_conn_stmt(c, "INSERT INTO units(code, parent, name, level, kind,"
                                        " dept_key) VALUES(?1, ?2, ?3, 7, 0, ?4)"
                                        " ON CONFLICT(code) DO UPDATE SET name=?3, dept_key=?4");
    if (!q || !ins)
        return xt_sqlite_err(j->err, c, "prepare departments");
    xt_bind_text(q, 1, j->prefix);
    char counties[256][XT_CODE_MAX];
    char county_names[256][XT_NAME_MAX];
    int nc = 0;
    while (xt_step(q) == 1 && nc < 256) {
        snprintf(counties[nc], XT_CODE_MAX, "%s", xt_col_text(q, 0));
        snprintf(county_names[nc], XT_NAME_MAX, "%s", xt_col_text(q, 1));
        nc++;
    }
    xt_reset(q);
    for (int ci = 0; ci < nc; ci++) {
        for (int k = 0; k < n; k++) {
            char code[XT_CODE_MAX], name[XT_NAME_MAX + 64];
            snprintf(code, sizeof(code), "%.6sD%02d", counties[ci], k + 1);
            snprintf(name, sizeof(name), "%.90s%.63s", county_names[ci], names[k]);
            xt_reset(ins);
            xt_bind_text(ins, 1, code);
            xt_bind_text(ins, 2, counties[ci]);
            xt_bind_text(ins, 3, name);
            xt_bind_text(ins, 4, keys[k]);
            if (xt_step(ins) != 0)
                return xt_sqlite_err(j->err, c, "insert department");
            j->st->inserted++;
        }
    }
    j->st->rows = n;
    return 0;
}

int xt_store_import_departments(struct xt_store *s, const char *path, const char *prefix,
                                struct xt_import_stats *st, struct xt_error *err)
{
    struct import_job j = {.path = path, .prefix = prefix ? prefix : "", .st = st, .err = err};
    memset(st, 0, sizeof(*st));
    xt_error_clear(err);
    return xt_store_write(s, departments_job, &j);
}

static bool unit_known(struct xt_conn *c, const char *code)
{
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT 1 FROM units WHERE code=?1");
    if (!st)
        return false;
    xt_bind_text(st, 1, code);
    bool found = xt_step(st) == 1;
    xt_reset(st);
    return found;
}

struct put_units_job {
    const struct xt_unit *units;
    char *const *polygons;
    size_t n;
    struct xt_error *err;
};

static const char SQL_UNIT_PUT[] =
    "INSERT INTO units(code, parent, name, level, kind, lat, lon, polygon, population,"
    " households) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT(code) DO UPDATE SET parent=?2, name=?3, level=?4, kind=?5, lat=?6, lon=?7,"
    " polygon=coalesce(excluded.polygon, units.polygon), population=?9, households=?10";

static int put_units_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    (void)s;
    struct put_units_job *j = arg;
    struct xt_stmt *st = xt_conn_stmt(c, SQL_UNIT_PUT);
    if (!st)
        return xt_sqlite_err(j->err, c, "prepare unit");
    for (size_t i = 0; i < j->n; i++) {
        const struct xt_unit *u = &j->units[i];
        if (xt_unit_check(u->code, u->parent, u->level, j->err))
            return XT_EINVAL;
        xt_reset(st);
        xt_bind_text(st, 1, u->code);
        xt_bind_text(st, 2, u->parent);
        xt_bind_text(st, 3, u->name);
        xt_bind_int(st, 4, u->level);
        xt_bind_int(st, 5, u->kind);
        if (u->has_point) {
            xt_bind_double(st, 6, u->lat);
            xt_bind_double(st, 7, u->lon);
        } else {
            xt_bind_null(st, 6);
            xt_bind_null(st, 7);
        }
        xt_bind_text(st, 8, j->polygons ? j->polygons[i] : NULL);
        xt_bind_int(st, 9, u->population);
        xt_bind_int(st, 10, u->households);
        if (xt_step(st) != 0)
            return xt_sqlite_err(j->err, c, "put unit");
    }
    return 0;
}

int xt_store_put_units(struct xt_store *s, const struct xt_unit *units, char *const *polygons,
                       size_t n, struct xt_error *err)
{
    struct put_units_job j = {units, polygons, n, err};
    xt_error_clear(err);
    return xt_store_write(s, put_units_job, &j);
}

/* ---- GeoJSON unit geometry ---- */

struct geojson_job {
    const char *text;
    size_t n;
    struct xt_import_stats *st;
    struct xt_error *err;
    struct xt_conn *c;
    struct xt_buf unmatched;
    int n_unmatched;
    long n_uncoded; /* features without a usable code or geometry */
};

static int geojson_feature(void *ctx, const char *code, const char *geometry,
                           double *point_lat_lon, struct xt_error *err)
{
    struct geojson_job *j = ctx;
    j->st->rows++;
    if (!unit_known(j->c, code)) {
        j->st->skipped++;
        if (j->n_unmatched++ < 20)
            xt_buf_printf(&j->unmatched, "%s%s", j->n_unmatched > 1 ? ", " : "", code);
        return 0;
    }
    struct xt_stmt *st;
    if (point_lat_lon) {
        if (point_lat_lon[0] < -90 || point_lat_lon[0] > 90 || point_lat_lon[1] < -180 ||
            point_lat_lon[1] > 180)
            return xt_error_set(err, XT_EINVAL, "geometry", "feature '%s': point out of range",
                                code);
        st = xt_conn_stmt(j->c, "UPDATE units SET lat=?2, lon=?3 WHERE code=?1");
        xt_bind_text(st, 1, code);
        xt_bind_double(st, 2, point_lat_lon[0]);
        xt_bind_double(st, 3, point_lat_lon[1]);
    } else {
        /* Validate with the same code that will index it. */
        struct xt_spatial *sp = xt_spatial_new();
        if (!sp)
            return XT_ENOMEM;
        int rc = xt_spatial_add_polygon(sp, code, geometry, err);
        xt_spatial_free(sp);
        if (rc) {
            char why[sizeof(err->message)];
            snprintf(why, sizeof(why), "%s", err->message);
            return xt_error_set(err, rc, "geometry", "feature '%.20s': %.180s", code, why);
        }
        st = xt_conn_stmt(j->c, "UPDATE units SET polygon=?2 WHERE code=?1");
        xt_bind_text(st, 1, code);
        xt_bind_text(st, 2, geometry);
    }
    if (xt_step(st) != 0)
        return xt_sqlite_err(err, j->c, "update unit geometry");
    j->st->updated++;
    return 0;
}

static int geojson_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    (void)s;
    struct geojson_job *j = arg;
    j->c = c;
    size_t skipped = 0;
    int rc = xt_geojson_each_feature(j->text, j->n, geojson_feature, j, &skipped, j->err);
    /* Features without a code or a geometry are read and skipped too. */
    j->n_uncoded = (long)skipped;
    j->st->rows += (long)skipped;
    j->st->skipped += (long)skipped;
    return rc;
}

int xt_store_import_geojson(struct xt_store *s, const char *path, struct xt_import_stats *st,
                            struct xt_error *err)
{
    memset(st, 0, sizeof(*st));
    xt_error_clear(err);
    struct xt_buf b;
    xt_buf_init(&b, (size_t)512 << 20);
    int rc = xt_buf_read_file(&b, path);
    if (rc) {
        xt_buf_release(&b);
        return xt_error_set(err, rc, "file", "cannot read '%s' (missing, unreadable or over 512 MiB)", path);
    }
    struct geojson_job j = {.text = b.data ? b.data : "", .n = b.len, .st = st, .err = err};
    xt_buf_init(&j.unmatched, 4096);
    rc = xt_store_write(s, geojson_job, &j);
    if (!rc && (j.n_unmatched || j.n_uncoded)) {
        char uncoded[96] = "";
        if (j.n_uncoded)
            snprintf(uncoded, sizeof(uncoded), "%s%ld features had no code or no geometry",
                     j.n_unmatched ? "; " : "", j.n_uncoded);
        if (j.n_unmatched)
            xt_error_set(err, XT_OK, "", "%d features matched no unit: %.120s%s%s", j.n_unmatched,
                         j.unmatched.data, j.n_unmatched > 20 ? ", ..." : "", uncoded);
        else
            xt_error_set(err, XT_OK, "", "%s", uncoded);
    }
    xt_buf_release(&j.unmatched);
    xt_buf_release(&b);
    return rc;
}
