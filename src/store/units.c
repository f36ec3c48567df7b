/* units.c - reading units and loading the engine's caches. */
#include "lib/log.h"
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#define UNIT_COLS "code, parent, name, level, kind, lat, lon, population, households"

static void row_to_unit(struct xt_stmt *st, struct xt_unit *u)
{
    memset(u, 0, sizeof(*u));
    snprintf(u->code, sizeof(u->code), "%s", xt_col_text(st, 0));
    snprintf(u->parent, sizeof(u->parent), "%s", xt_col_text(st, 1));
    snprintf(u->name, sizeof(u->name), "%s", xt_col_text(st, 2));
    u->level = xt_col_int(st, 3);
    u->kind = xt_col_int(st, 4);
    if (!xt_col_null(st, 5)) {
        u->has_point = true;
        u->lat = xt_col_double(st, 5);
        u->lon = xt_col_double(st, 6);
    }
    u->population = xt_col_int(st, 7);
    u->households = xt_col_int(st, 8);
}

int xt_store_unit_get(struct xt_store *s, const char *code, struct xt_unit *u)
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT " UNIT_COLS " FROM units WHERE code=?1");
    int rc = XT_ENOTFOUND;
    if (!st) {
        rc = XT_EIO;
    } else {
        xt_bind_text(st, 1, code);
        if (xt_step(st) == 1) {
            row_to_unit(st, u);
            rc = 0;
        }
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    return rc;
}

static int each_unit(struct xt_store *s, const char *sql, const char *a, int level,
                     int (*fn)(void *ctx, const struct xt_unit *u), void *ctx)
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, sql);
    int rc = 0;
    if (!st) {
        rc = XT_EIO;
    } else {
        xt_bind_text(st, 1, a);
        if (level)
            xt_bind_int(st, 2, level);
        struct xt_unit u;
        while (xt_step(st) == 1) {
            row_to_unit(st, &u);
            if (fn(ctx, &u))
                break;
        }
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    return rc;
}

int xt_store_unit_children(struct xt_store *s, const char *code,
                           int (*fn)(void *ctx, const struct xt_unit *u), void *ctx)
{
    return each_unit(s, "SELECT " UNIT_COLS " FROM units WHERE parent=?1 ORDER BY level, code",
                     code, 0, fn, ctx);
}

int xt_store_units_at_level(struct xt_store *s, const char *within, int level,
                            int (*fn)(void *ctx, const struct xt_unit *u), void *ctx)
{
    return each_unit(s,
                     "SELECT " UNIT_COLS " FROM units WHERE level=?2 AND code >= ?1 AND"
                     " code < CAST(?1 AS TEXT) || 'z' ORDER BY code",
                     within ? within : "", level, fn, ctx);
}

int xt_store_unit_polygon(struct xt_store *s, const char *code, char **geojson)
{
    *geojson = NULL;
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT polygon FROM units WHERE code=?1");
    int rc = XT_ENOTFOUND;
    if (st) {
        xt_bind_text(st, 1, code);
        if (xt_step(st) == 1) {
            rc = 0;
            if (!xt_col_null(st, 0)) {
                *geojson = strdup(xt_col_text(st, 0));
                if (!*geojson)
                    rc = XT_ENOMEM;
            }
        }
        xt_reset(st);
    } else {
        rc = XT_EIO;
    }
    xt_store_reader_put(s, c);
    return rc;
}

int xt_store_unit_counts(struct xt_store *s, long counts[8])
{
    memset(counts, 0, 8 * sizeof(long));
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT level, count(*) FROM units GROUP BY level");
    if (st) {
        while (xt_step(st) == 1) {
            int l = xt_col_int(st, 0);
            if (l >= 0 && l < 8)
                counts[l] = xt_col_int(st, 1);
        }
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    return st ? 0 : XT_EIO;
}

int xt_store_load_calendar(struct xt_store *s, struct xt_conn *c, struct xt_calendar **out)
{
    (void)s;
    struct xt_calendar *cal = xt_calendar_new();
    if (!cal)
        return XT_ENOMEM;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT day, kind, name FROM calendar");
    if (!st) {
        xt_calendar_free(cal);
        return XT_EIO;
    }
    while (xt_step(st) == 1) {
        int32_t day;
        if (xt_date_parse(xt_col_text(st, 0), &day))
            continue;
        int kind = strcmp(xt_col_text(st, 1), "workday") == 0 ? XT_DAY_WORKDAY : XT_DAY_HOLIDAY;
        xt_calendar_set(cal, day, kind, xt_col_text(st, 2));
    }
    xt_reset(st);
    *out = cal;
    return 0;
}

int xt_store_load_routing(struct xt_store *s, struct xt_conn *c, struct xt_routing *r)
{
    (void)s;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT code, name, parent, route, sign_minutes,"
                                       " resolve_days FROM categories ORDER BY code");
    if (!st)
        return XT_EIO;
    int rc = 0;
    while (!rc && xt_step(st) == 1) {
        struct xt_category cat;
        memset(&cat, 0, sizeof(cat));
        snprintf(cat.code, sizeof(cat.code), "%s", xt_col_text(st, 0));
        snprintf(cat.name, sizeof(cat.name), "%s", xt_col_text(st, 1));
        snprintf(cat.parent, sizeof(cat.parent), "%s", xt_col_text(st, 2));
        snprintf(cat.route, sizeof(cat.route), "%s", xt_col_text(st, 3));
        cat.rule.sign_minutes = xt_col_int(st, 4);
        cat.rule.resolve_days = xt_col_int(st, 5);
        rc = xt_routing_add_category(r, &cat);
    }
    xt_reset(st);
    st = xt_conn_stmt(c, "SELECT code, dept_key FROM units WHERE level=7 ORDER BY code");
    if (!st)
        return XT_EIO;
    while (!rc && xt_step(st) == 1)
        rc = xt_routing_add_department(r, xt_col_text(st, 0), xt_col_text(st, 1));
    xt_reset(st);
    return rc;
}

int xt_store_load_spatial(struct xt_store *s, struct xt_conn *c, struct xt_spatial **out)
{
    (void)s;
    struct xt_spatial *sp = xt_spatial_new();
    if (!sp)
        return XT_ENOMEM;
    struct xt_stmt *st =
        xt_conn_stmt(c, "SELECT code, lat, lon, polygon FROM units WHERE level=6 ORDER BY code");
    if (!st) {
        xt_spatial_free(sp);
        return XT_EIO;
    }
    int rc = 0;
    while (!rc && xt_step(st) == 1) {
        const char *code = xt_col_text(st, 0);
        if (!xt_col_null(st, 1))
            rc = xt_spatial_add_point(sp, code, xt_col_double(st, 1),
                                      xt_col_double(st, 2));
        if (!rc && !xt_col_null(st, 3)) {
            struct xt_error err;
            if (xt_spatial_add_polygon(sp, code, xt_col_text(st, 3), &err))
                xt_log(XT_LOG_WARN, "unit %s: polygon skipped: %s", code, err.message);
        }
    }
    xt_reset(st);
    if (!rc)
        rc = xt_spatial_build(sp);
    if (rc) {
        xt_spatial_free(sp);
        return rc;
    }
    *out = sp;
    return 0;
}

void xt_names_free(struct xt_name_entry *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i].name);
    free(names);
}

int xt_store_load_names(struct xt_store *s, struct xt_conn *c, struct xt_name_entry **out,
                        size_t *n)
{
    (void)s;
    *out = NULL;
    *n = 0;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT code, name, level FROM units ORDER BY code");
    if (!st)
        return XT_EIO;
    size_t cap = 0;
    struct xt_name_entry *names = NULL;
    int rc = 0;
    while (xt_step(st) == 1) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            struct xt_name_entry *p = realloc(names, cap * sizeof(*p));
            if (!p) {
                rc = XT_ENOMEM;
                break;
            }
            names = p;
        }
        struct xt_name_entry *e = &names[*n];
        snprintf(e->code, sizeof(e->code), "%s", xt_col_text(st, 0));
        e->name = strdup(xt_col_text(st, 1));
        e->level = (int)xt_col_int(st, 2);
        if (!e->name) {
            rc = XT_ENOMEM;
            break;
        }
        (*n)++;
    }
    xt_reset(st);
    if (rc) {
        xt_names_free(names, *n);
        *n = 0;
        return rc;
    }
    *out = names;
    return 0;
}

static int cmp_name(const void *key, const void *elem)
{
    return strcmp(key, ((const struct xt_name_entry *)elem)->code);
}

const char *xt_store_unit_name(struct xt_store *s, const char *code)
{
    if (!code || !s->names)
        return NULL;
    const struct xt_name_entry *e = bsearch(code, s->names, s->n_names, sizeof(*s->names),
                                            cmp_name);
    return e ? e->name : NULL;
}

int xt_store_known_level(struct xt_store *s, const char *code)
{
    if (!code || !s->names)
        return XT_LEVEL_NONE;
    const struct xt_name_entry *e = bsearch(code, s->names, s->n_names, sizeof(*s->names),
                                            cmp_name);
    return e ? e->level : XT_LEVEL_NONE;
}

int xt_store_census(struct xt_store *s, const char *code, struct xt_census *out)
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT code, name, population, male, female, urban,"
                                       " rural, households, minority_pct, household_size,"
                                       " age0_14, age15_64, age65 FROM census WHERE code=?1");
    int rc = XT_ENOTFOUND;
    if (!st) {
        rc = XT_EIO;
    } else {
        xt_bind_text(st, 1, code);
        if (xt_step(st) == 1) {
            memset(out, 0, sizeof(*out));
            snprintf(out->code, sizeof(out->code), "%s", xt_col_text(st, 0));
            snprintf(out->name, sizeof(out->name), "%s", xt_col_text(st, 1));
            out->population = xt_col_int(st, 2);
            out->male = xt_col_int(st, 3);
            out->female = xt_col_int(st, 4);
            out->urban = xt_col_int(st, 5);
            out->rural = xt_col_int(st, 6);
            out->households = xt_col_int(st, 7);
            out->minority_pct = xt_col_double(st, 8);
            out->household_size = xt_col_double(st, 9);
            out->age0_14 = xt_col_double(st, 10);
            out->age15_64 = xt_col_double(st, 11);
            out->age65 = xt_col_double(st, 12);
            rc = 0;
        }
        xt_reset(st);
    }
    xt_store_reader_put(s, c);
    return rc;
}

static int bulk_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    (void)s;
    (void)c;
    (void)arg;
    return 0;
}

int xt_store_set_bulk(struct xt_store *s, bool bulk)
{
    /* PRAGMA synchronous cannot change inside a transaction, so let the
     * writer finish what is queued, then switch between batches. */
    int rc = xt_store_write(s, bulk_job, NULL);
    if (rc)
        return rc;
    pthread_mutex_lock(&s->qlock);
    if (s->writer->kind == XT_DB_POSTGRES)
        rc = xt_conn_exec(s->writer, bulk ? "SET synchronous_commit = off"
                                          : "SET synchronous_commit = on");
    else
        rc = xt_conn_exec(s->writer, bulk ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=FULL");
    pthread_mutex_unlock(&s->qlock);
    return rc;
}
