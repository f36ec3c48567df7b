/* facilities.c - stored public-service facilities (see facilities.h). */
#include "store/facilities.h"
#include "core/facility.h"
#include "lib/utf8.h"
#include "store/store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FAC_COLS                                                                                   \
    "id, type, name, capacity, lat, lon, unit, source, COALESCE(source_ref, ''), created_at,"      \
    " updated_at"

int xt_facility_check(const struct xt_facility *f, struct xt_error *err)
{
    if (f->type < 0 || f->type >= XT_FT_N)
        return xt_error_set(err, XT_EINVAL, "type", "unknown facility type");
    size_t n = strlen(f->name);
    if (n == 0 || n > 200 || !xt_utf8_valid(f->name, n))
        return xt_error_set(err, XT_EINVAL, "name", "must be 1..200 bytes of UTF-8");
    if (f->has_capacity && !(f->capacity >= 0 && f->capacity <= 1e7))
        return xt_error_set(err, XT_EINVAL, "capacity", "must be a number in 0..10000000");
    if (!(f->lat >= -90 && f->lat <= 90))
        return xt_error_set(err, XT_EINVAL, "location.lat", "latitude must be within -90..90");
    if (!(f->lon >= -180 && f->lon <= 180))
        return xt_error_set(err, XT_EINVAL, "location.lon", "longitude must be within -180..180");
    if (*f->unit && xt_unit_level_of_code(f->unit) == XT_LEVEL_NONE)
        return xt_error_set(err, XT_EINVAL, "unit", "'%s' is not a unit code", f->unit);
    return 0;
}

static void read_row(struct xt_stmt *st, struct xt_facility *f)
{
    memset(f, 0, sizeof(*f));
    f->id = xt_col_int(st, 0);
    f->type = xt_facility_type_parse(xt_col_text(st, 1));
    snprintf(f->name, sizeof(f->name), "%s", xt_col_text(st, 2));
    f->has_capacity = !xt_col_null(st, 3);
    f->capacity = xt_col_double(st, 3);
    f->lat = xt_col_double(st, 4);
    f->lon = xt_col_double(st, 5);
    snprintf(f->unit, sizeof(f->unit), "%s", xt_col_text(st, 6));
    snprintf(f->source, sizeof(f->source), "%s", xt_col_text(st, 7));
    snprintf(f->source_ref, sizeof(f->source_ref), "%s", xt_col_text(st, 8));
    f->created_at = xt_col_int(st, 9);
    f->updated_at = xt_col_int(st, 10);
}

static int check_all(struct xt_store *s, const struct xt_facility *f, struct xt_error *err)
{
    int rc = xt_facility_check(f, err);
    if (rc)
        return rc;
    struct xt_unit u;
    if (*f->unit && xt_store_unit_get(s, f->unit, &u))
        return xt_error_set(err, XT_EINVAL, "unit", "unknown unit '%s'", f->unit);
    return 0;
}

struct fac_job {
    const struct xt_actor *actor;
    struct xt_facility *f;
    const struct xt_facility *many;
    size_t n;
    long inserted, updated;
    int64_t now;
    struct xt_error *err;
};

static void bind_fields(struct xt_stmt *st, const struct xt_facility *f)
{
    xt_bind_text(st, 1, xt_facility_type_code(f->type));
    xt_bind_text(st, 2, f->name);
    if (f->has_capacity)
        xt_bind_double(st, 3, f->capacity);
    else
        xt_bind_null(st, 3);
    xt_bind_double(st, 4, f->lat);
    xt_bind_double(st, 5, f->lon);
    xt_bind_text(st, 6, f->unit);
}

static int audit_fac(struct xt_store *s, struct xt_conn *c, const struct xt_actor *a,
                     const char *action, const struct xt_facility *f, int64_t now)
{
    char obj[32], detail[400];
    snprintf(obj, sizeof(obj), "facility %lld", (long long)f->id);
    snprintf(detail, sizeof(detail), "%s %s %.6f,%.6f", xt_facility_type_code(f->type), f->name,
             f->lat, f->lon);
    return xt_audit_append(s, c, a, action, obj, detail, now);
}

static int create_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct fac_job *j = arg;
    struct xt_stmt *st = xt_conn_stmt(
        c, "INSERT INTO facilities(type, name, capacity, lat, lon, unit, source, source_ref,"
           " created_at, updated_at) VALUES(?1,?2,?3,?4,?5,?6,'manual',NULL,?7,?7) RETURNING id");
    if (!st)
        return xt_sqlite_err(j->err, c, "prepare facility");
    bind_fields(st, j->f);
    xt_bind_int(st, 7, j->now);
    int rc = xt_step(st);
    if (rc == 1)
        j->f->id = xt_col_int(st, 0);
    xt_reset(st);
    if (rc != 1)
        return xt_sqlite_err(j->err, c, "insert facility");
    j->f->created_at = j->f->updated_at = j->now;
    snprintf(j->f->source, sizeof(j->f->source), "manual");
    return audit_fac(s, c, j->actor, "facility.create", j->f, j->now);
}

/* Check the facility's fields, then run fn (create or update) in the writer. */
static int write_checked(struct xt_store *s, const struct xt_actor *actor, struct xt_facility *f,
                         int (*fn)(struct xt_store *s, struct xt_conn *c, void *arg),
                         struct xt_error *err)
{
    xt_error_clear(err);
    int rc = check_all(s, f, err);
    if (rc)
        return rc;
    struct fac_job j = {.actor = actor, .f = f, .now = (int64_t)time(NULL), .err = err};
    return xt_store_write(s, fn, &j);
}

int xt_store_facility_create(struct xt_store *s, const struct xt_actor *actor,
                             struct xt_facility *f, struct xt_error *err)
{
    return write_checked(s, actor, f, create_job, err);
}

/* One facility by id: 0, XT_ENOTFOUND or XT_EIO. */
static int load_row(struct xt_conn *c, int64_t id, struct xt_facility *f)
{
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT " FAC_COLS " FROM facilities WHERE id=?1");
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, id);
    int r = xt_step(st);
    if (r == 1)
        read_row(st, f);
    xt_reset(st);
    return r == 1 ? 0 : r == 0 ? XT_ENOTFOUND : XT_EIO;
}

/* load_row in a write job: the job's error names what went wrong. */
static int job_load(struct fac_job *j, struct xt_conn *c)
{
    int rc = load_row(c, j->f->id, j->f);
    if (rc == XT_ENOTFOUND)
        return xt_error_set(j->err, XT_ENOTFOUND, "id", "no such facility");
    return rc ? xt_sqlite_err(j->err, c, "read facility") : 0;
}

static int update_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct fac_job *j = arg;
    struct xt_stmt *st =
        xt_conn_stmt(c, "UPDATE facilities SET type=?1, name=?2, capacity=?3, lat=?4, lon=?5,"
                        " unit=?6, updated_at=?7 WHERE id=?8");
    if (!st)
        return xt_sqlite_err(j->err, c, "prepare facility");
    bind_fields(st, j->f);
    xt_bind_int(st, 7, j->now);
    xt_bind_int(st, 8, j->f->id);
    int rc = xt_step(st);
    xt_reset(st);
    if (rc != 0)
        return xt_sqlite_err(j->err, c, "update facility");
    if ((rc = job_load(j, c)))
        return rc;
    return audit_fac(s, c, j->actor, "facility.update", j->f, j->now);
}

int xt_store_facility_update(struct xt_store *s, const struct xt_actor *actor,
                             struct xt_facility *f, struct xt_error *err)
{
    return write_checked(s, actor, f, update_job, err);
}

static int delete_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct fac_job *j = arg;
    int rc = job_load(j, c);
    if (rc)
        return rc;
    struct xt_stmt *st = xt_conn_stmt(c, "DELETE FROM facilities WHERE id=?1");
    if (!st)
        return xt_sqlite_err(j->err, c, "prepare facility");
    xt_bind_int(st, 1, j->f->id);
    rc = xt_step(st);
    xt_reset(st);
    if (rc != 0)
        return xt_sqlite_err(j->err, c, "delete facility");
    return audit_fac(s, c, j->actor, "facility.delete", j->f, j->now);
}

int xt_store_facility_delete(struct xt_store *s, const struct xt_actor *actor, int64_t id,
                             struct xt_error *err)
{
    xt_error_clear(err);
    struct xt_facility f = {.id = id};
    struct fac_job j = {.actor = actor, .f = &f, .now = (int64_t)time(NULL), .err = err};
    return xt_store_write(s, delete_job, &j);
}

int xt_store_facility_get(struct xt_store *s, int64_t id, struct xt_facility *f)
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    int rc = load_row(c, id, f);
    xt_store_reader_put(s, c);
    return rc;
}

int xt_store_facility_list(struct xt_store *s, int type, const char *unit,
                           int (*fn)(void *ctx, const struct xt_facility *f), void *ctx)
{
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(
        c, "SELECT " FAC_COLS " FROM facilities WHERE (?1 = '' OR type = ?1) AND"
           " (?2 = '' OR (unit >= ?2 AND unit < CAST(?2 AS TEXT) || 'z')) ORDER BY id");
    int rc = 0;
    if (!st) {
        xt_store_reader_put(s, c);
        return XT_EIO;
    }
    xt_bind_text(st, 1, type >= 0 ? xt_facility_type_code(type) : "");
    xt_bind_text(st, 2, unit ? unit : "");
    int r;
    while ((r = xt_step(st)) == 1) {
        struct xt_facility f;
        read_row(st, &f);
        if ((rc = fn(ctx, &f)))
            break;
    }
    if (r < 0)
        rc = XT_EIO;
    xt_reset(st);
    xt_store_reader_put(s, c);
    return rc;
}

static int import_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct fac_job *j = arg;
    for (size_t i = 0; i < j->n; i++) {
        const struct xt_facility *f = &j->many[i];
        struct xt_stmt *q =
            xt_conn_stmt(c, "SELECT id FROM facilities WHERE source=?1 AND source_ref=?2");
        if (!q)
            return xt_sqlite_err(j->err, c, "prepare facility");
        xt_bind_text(q, 1, f->source);
        xt_bind_text(q, 2, f->source_ref);
        int r = xt_step(q);
        int64_t id = r == 1 ? xt_col_int(q, 0) : 0;
        xt_reset(q);
        if (r < 0)
            return xt_sqlite_err(j->err, c, "find facility");
        struct xt_stmt *st;
        if (id) {
            st = xt_conn_stmt(c, "UPDATE facilities SET type=?1, name=?2, capacity=?3, lat=?4,"
                                 " lon=?5, unit=?6, updated_at=?7 WHERE id=?8");
            if (!st)
                return xt_sqlite_err(j->err, c, "prepare facility");
            bind_fields(st, f);
            xt_bind_int(st, 7, j->now);
            xt_bind_int(st, 8, id);
            j->updated++;
        } else {
            st = xt_conn_stmt(c, "INSERT INTO facilities(type, name, capacity, lat, lon, unit,"
                                 " source, source_ref, created_at, updated_at)"
                                 " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?9)");
            if (!st)
                return xt_sqlite_err(j->err, c, "prepare facility");
            bind_fields(st, f);
            xt_bind_text(st, 7, f->source);
            xt_bind_text(st, 8, f->source_ref);
            xt_bind_int(st, 9, j->now);
            j->inserted++;
        }
        r = xt_step(st);
        xt_reset(st);
        if (r != 0)
            return xt_sqlite_err(j->err, c, "write facility");
    }
    char detail[96];
    snprintf(detail, sizeof(detail), "%ld inserted, %ld updated", j->inserted, j->updated);
    return xt_audit_append(s, c, j->actor, "facility.import", j->n ? j->many[0].source : "", detail,
                           j->now);
}

int xt_store_facility_import(struct xt_store *s, const struct xt_actor *actor,
                             const struct xt_facility *fs, size_t n, long *inserted, long *updated,
                             struct xt_error *err)
{
    xt_error_clear(err);
    *inserted = *updated = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = check_all(s, &fs[i], err);
        if (!rc && (!*fs[i].source || !*fs[i].source_ref))
            rc = xt_error_set(err, XT_EINVAL, "source_ref", "imported rows need a source key");
        if (rc) {
            char field[64];
            snprintf(field, sizeof(field), "%s", err->field);
            snprintf(err->field, sizeof(err->field), "row %zu: %.24s", i + 1, field);
            return rc;
        }
    }
    struct fac_job j = {.actor = actor, .many = fs, .n = n, .now = (int64_t)time(NULL), .err = err};
    int rc = xt_store_write(s, import_job, &j);
    if (!rc) {
        *inserted = j.inserted;
        *updated = j.updated;
    }
    return rc;
}

struct place_list {
    struct xt_plan_place *p;
    size_t n, cap;
};

static int add_place(void *ctx, const struct xt_unit *u)
{
    struct place_list *l = ctx;
    if (!u->has_point)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct xt_plan_place *q = realloc(l->p, cap * sizeof(*q));
        if (!q)
            return XT_ENOMEM;
        l->p = q;
        l->cap = cap;
    }
    struct xt_plan_place *p = &l->p[l->n++];
    memset(p, 0, sizeof(*p));
    snprintf(p->code, sizeof(p->code), "%s", u->code);
    snprintf(p->name, sizeof(p->name), "%s", u->name);
    p->level = u->level;
    p->lat = u->lat;
    p->lon = u->lon;
    p->population = (double)u->population;
    p->vulnerable = -1; /* people registry hook: not present in this build */
    return 0;
}

int xt_store_plan_places(struct xt_store *s, const char *within, int level,
                         struct xt_plan_place **out, size_t *n)
{
    struct place_list l = {0};
    int rc = xt_store_units_at_level(s, within ? within : "", level, add_place, &l);
    if (rc) {
        free(l.p);
        return rc;
    }
    *out = l.p;
    *n = l.n;
    return 0;
}

struct fac_list {
    struct xt_plan_fac *f;
    size_t n, cap;
};

static int add_fac(void *ctx, const struct xt_facility *f)
{
    struct fac_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct xt_plan_fac *q = realloc(l->f, cap * sizeof(*q));
        if (!q)
            return XT_ENOMEM;
        l->f = q;
        l->cap = cap;
    }
    struct xt_plan_fac *p = &l->f[l->n++];
    memset(p, 0, sizeof(*p));
    p->id = f->id;
    p->type = f->type;
    snprintf(p->name, sizeof(p->name), "%s", f->name);
    p->lat = f->lat;
    p->lon = f->lon;
    p->has_capacity = f->has_capacity;
    p->capacity = f->capacity;
    return 0;
}

int xt_store_plan_facilities(struct xt_store *s, int type, struct xt_plan_fac **out, size_t *n)
{
    struct fac_list l = {0};
    int rc = xt_store_facility_list(s, type, "", add_fac, &l);
    if (rc) {
        free(l.f);
        return rc;
    }
    *out = l.f;
    *n = l.n;
    return 0;
}

int xt_store_roads_path(struct xt_store *s, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/roads.xtr", s->dir);
    return n > 0 && (size_t)n < size ? 0 : XT_ETOOBIG;
}
