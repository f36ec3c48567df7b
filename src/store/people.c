/* people.c - residents, households, lineage and conflicts; the import of
 * departmental lists with record linkage (core/linkage.h); the needs basis.
 *
 * An import is one writer job: the whole list is linked and written in one
 * savepoint, so a failure leaves nothing behind. The linkage index holds
 * the residents of the import's scope in memory (their birth dates and
 * minors' names unsealed only there). */
#include "store/people.h"

#include "core/ethnic.h"
#include "core/linkage.h"
#include "core/privacy.h"
#include "lib/buf.h"
#include "lib/csv.h"
#include "lib/log.h"
#include "lib/xlsx.h"
#include "store/store_int.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_LINES_MAX 2000

/* ---- small helpers ---- */

static char *seal(struct xt_store *s, const char *plain)
{
    if (!plain || !*plain)
        return NULL;
    char *out = NULL;
    if (xt_seal(&s->key, plain, strlen(plain), &out))
        return NULL;
    return out;
}

/* Unseal into out; "" when sealed is empty or does not open. */
static void unseal(struct xt_store *s, const char *sealed, char *out, size_t outsz)
{
    out[0] = '\0';
    if (!sealed || !*sealed)
        return;
    char *plain = NULL;
    size_t n = 0;
    if (xt_unseal(&s->key, sealed, &plain, &n))
        return;
    snprintf(out, outsz, "%s", plain);
    sodium_memzero(plain, n);
    free(plain);
}

/* The subtree [lo, hi) of a unit code: codes are digits and 'D'. */
static void subtree(const char *unit, char lo[XT_CODE_MAX], char hi[XT_CODE_MAX + 1])
{
    snprintf(lo, XT_CODE_MAX, "%s", unit);
    snprintf(hi, XT_CODE_MAX + 1, "%s~", unit);
}

static int today_of(int64_t now)
{
    char d[11];
    xt_date_format(xt_local_day(now), d);
    return (int)strtol(d, NULL, 10) * 10000 + (int)strtol(d + 5, NULL, 10) * 100 +
           (int)strtol(d + 8, NULL, 10);
}

static void id_key(struct xt_store *s, const char *number, char out[65])
{
    xt_hmac_hex(&s->key, number, strlen(number), out);
}

/* ---- configured tags ---- */

/* DIR/tags.csv (code,name,sensitive,graded,department,needs) adds a
 * county's own tags to the built-in ones (core/needs.h), read once per data
 * directory on the first people call. A bad line is logged and skipped. */
static void load_tags(struct xt_store *s)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static char loaded[512];
    pthread_mutex_lock(&mu);
    if (strcmp(loaded, s->dir) == 0) {
        pthread_mutex_unlock(&mu);
        return;
    }
    snprintf(loaded, sizeof(loaded), "%s", s->dir);
    char path[600];
    snprintf(path, sizeof(path), "%s/tags.csv", s->dir);
    struct xt_csv c;
    if (xt_csv_open(&c, path) == 0) {
        int rc;
        while ((rc = xt_csv_next(&c)) == 1) {
            if (c.nfield == 1 && !*c.field[0])
                continue;
            if (strcmp(c.field[0], "code") == 0)
                continue;
            struct xt_error err;
            xt_error_clear(&err);
            if (c.nfield != 6) {
                xt_log(XT_LOG_WARN,
                       "%s: line %ld: need code,name,sensitive,graded,department,needs", path,
                       c.line);
                continue;
            }
            int r = xt_tag_add(c.field[0], c.field[1], strcmp(c.field[2], "1") == 0,
                               strcmp(c.field[3], "1") == 0, c.field[4], c.field[5], &err);
            if (r && r != XT_EEXIST)
                xt_log(XT_LOG_WARN, "%s: line %ld: %s: %s", path, c.line, err.field, err.message);
        }
        xt_csv_close(&c);
    }
    pthread_mutex_unlock(&mu);
}

/* ---- mapping ---- */

static const char *const map_fields[] = {
    "name",    "id_number", "birth_date", "sex",      "phone", "ethnicity", "languages",
    "address", "unit",      "household",  "relation", "tags",  "tag_grade", "tag_date",
};
#define N_MAP_FIELDS ((int)(sizeof(map_fields) / sizeof(map_fields[0])))

static int map_field_index(const char *f)
{
    for (int i = 0; i < N_MAP_FIELDS; i++)
        if (strcmp(f, map_fields[i]) == 0)
            return i;
    return -1;
}

int xt_people_mapping_add(struct xt_people_mapping *m, const char *field, const char *column,
                          struct xt_error *err)
{
    if (map_field_index(field) < 0)
        return xt_error_set(err, XT_EINVAL, "mapping", "unknown field '%.40s'", field);
    if (!column || !*column || strlen(column) >= sizeof(m->column[0]))
        return xt_error_set(err, XT_EINVAL, "mapping", "field '%s' needs a column name", field);
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->field[i], field) == 0)
            return xt_error_set(err, XT_EINVAL, "mapping", "field '%s' mapped twice", field);
    if (m->n == XT_MAP_MAX)
        return xt_error_set(err, XT_EINVAL, "mapping", "too many fields");
    snprintf(m->field[m->n], sizeof(m->field[0]), "%s", field);
    snprintf(m->column[m->n], sizeof(m->column[0]), "%s", column);
    m->n++;
    return 0;
}

int xt_people_mapping_load(const char *path, struct xt_people_mapping *m, struct xt_error *err)
{
    memset(m, 0, sizeof(*m));
    struct xt_csv c;
    if (xt_csv_open(&c, path))
        return xt_error_set(err, XT_ENOTFOUND, "mapping", "cannot open '%s'", path);
    int rc, line = 0;
    while ((rc = xt_csv_next(&c)) == 1) {
        line++;
        if (line == 1 && c.nfield >= 1 && strcmp(c.field[0], "field") == 0)
            continue;
        if (c.nfield == 1 && !*c.field[0])
            continue;
        if (c.nfield != 2) {
            rc = xt_error_set(err, XT_EINVAL, "mapping", "line %ld: need field,column", c.line);
            break;
        }
        if ((rc = xt_people_mapping_add(m, c.field[0], c.field[1], err)))
            break;
    }
    xt_csv_close(&c);
    if (rc < 0)
        return rc == XT_EINVAL && err && *err->message
                   ? rc
                   : xt_error_set(err, XT_EINVAL, "mapping", "cannot read '%s'", path);
    return 0;
}

/* ---- report ---- */

void xt_people_report_release(struct xt_people_report *r)
{
    if (!r)
        return;
    free(r->lines);
    r->lines = NULL;
}

struct json_object *xt_people_report_json(const struct xt_people_report *r)
{
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "run", json_object_new_int64(r->run_id));
    json_object_object_add(o, "repeat", json_object_new_boolean(r->repeat));
    json_object_object_add(o, "rows", json_object_new_int64(r->rows));
    json_object_object_add(o, "new", json_object_new_int64(r->created));
    json_object_object_add(o, "merged", json_object_new_int64(r->merged));
    json_object_object_add(o, "unchanged", json_object_new_int64(r->unchanged));
    json_object_object_add(o, "conflicting", json_object_new_int64(r->conflicting));
    json_object_object_add(o, "review", json_object_new_int64(r->review));
    json_object_object_add(o, "rejected", json_object_new_int64(r->rejected));
    struct json_object *lines = r->lines ? json_tokener_parse(r->lines) : NULL;
    json_object_object_add(o, "lines", lines ? lines : json_object_new_array());
    return o;
}

/* ---- import ---- */

struct import_job {
    const struct xt_actor *a;
    FILE *fp;
    const struct xt_people_mapping *m;
    const char *source, *scope, *name, *hash;
    int64_t now;
    int today;
    struct xt_people_report *rep;
    struct xt_error *err;
    struct xt_buf lines;
    long nlines;
    struct xt_link_index *ix;
    char tag_source[80];
    struct pipe *pipe;
    size_t size_hint; /* bytes of the list */
    char last_hh[64]; /* the household of the previous new row, and its id */
    int64_t last_hh_id;
    struct bulk *bulk; /* PostgreSQL: new residents written by COPY, else NULL */
};

static void report_line(struct import_job *j, long row, const char *outcome, const char *field,
                        const char *reason, int64_t resident)
{
    if (j->nlines >= REPORT_LINES_MAX)
        return;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "row", json_object_new_int64(row));
    json_object_object_add(o, "outcome", json_object_new_string(outcome));
    if (field && *field)
        json_object_object_add(o, "field", json_object_new_string(field));
    if (reason && *reason)
        json_object_object_add(o, "reason", json_object_new_string(reason));
    if (resident)
        json_object_object_add(o, "resident", json_object_new_int64(resident));
    xt_buf_puts(&j->lines, j->nlines ? ",\n" : "[\n");
    xt_buf_puts(&j->lines, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    j->nlines++;
}

/* The JSON a list said about a person: what lineage keeps (sealed). */
static char *source_data(const struct xt_person *p)
{
    struct json_object *o = json_object_new_object();
#define ADD(k, v)                                                                                  \
    if (*(v))                                                                                      \
    json_object_object_add(o, k, json_object_new_string(v))
    ADD("name", p->name);
    if (p->has_id)
        json_object_object_add(o, "id_number", json_object_new_string(p->id.number));
    ADD("birth", p->birth);
    if (p->sex)
        json_object_object_add(o, "sex", json_object_new_int(p->sex));
    ADD("phone", p->phone);
    if (p->ethnic)
        json_object_object_add(o, "ethnicity", json_object_new_int(p->ethnic));
    ADD("languages", p->languages);
    ADD("address", p->address);
    ADD("unit", p->unit);
    ADD("household", p->household);
    ADD("relation", p->relation);
#undef ADD
    if (p->ntags) {
        struct json_object *t = json_object_new_array();
        for (int i = 0; i < p->ntags; i++) {
            char b[48];
            if (p->tags[i].grade)
                snprintf(b, sizeof(b), "%s:%d", p->tags[i].def->code, p->tags[i].grade);
            else
                snprintf(b, sizeof(b), "%s", p->tags[i].def->code);
            json_object_array_add(t, json_object_new_string(b));
        }
        json_object_object_add(o, "tags", t);
        json_object_object_add(o, "tag_date", json_object_new_string(p->tag_date));
    }
    char *s = strdup(
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return s;
}

static int household_id(struct xt_conn *c, const struct xt_person *p, int64_t now, int64_t *out)
{
    *out = 0;
    if (!*p->household)
        return 0;
    struct xt_stmt *st = xt_conn_stmt(
        c, "INSERT INTO households(hh_key, unit, address, created_at) VALUES(?1, ?2, ?3, ?4)"
           " ON CONFLICT(hh_key) DO UPDATE SET hh_key=excluded.hh_key RETURNING id");
    if (!st)
        return XT_EIO;
    xt_bind_text(st, 1, p->household);
    xt_bind_text(st, 2, p->unit);
    xt_bind_text(st, 3, *p->address ? p->address : NULL);
    xt_bind_int(st, 4, now);
    int rc = xt_step(st);
    if (rc == 1)
        *out = xt_col_int(st, 0);
    xt_reset(st);
    return rc == 1 ? 0 : XT_EIO;
}

static int insert_tag(struct xt_store *s, struct xt_conn *c, int64_t rid, const char *unit,
                      const struct xt_person_tag *t, bool minor, const char *source,
                      const char *since, int64_t now)
{
    struct xt_stmt *st = xt_conn_stmt(c, "INSERT INTO resident_tags(resident_id, unit, tag,"
                                         " tag_sealed, grade, source, since, added_at)"
                                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st)
        return XT_EIO;
    char *sealed = NULL;
    if (t->def->sensitive || minor) {
        char b[48];
        snprintf(b, sizeof(b), "%s:%d", t->def->code, t->grade);
        if (!(sealed = seal(s, b)))
            return XT_EIO;
    }
    xt_bind_int(st, 1, rid);
    xt_bind_text(st, 2, unit);
    xt_bind_text(st, 3, sealed ? NULL : t->def->code);
    xt_bind_text(st, 4, sealed);
    xt_bind_int(st, 5, sealed ? 0 : t->grade);
    xt_bind_text(st, 6, source);
    xt_bind_text(st, 7, since);
    xt_bind_int(st, 8, now);
    int rc = xt_step(st) == 0 ? 0 : XT_EIO;
    xt_reset(st);
    free(sealed);
    return rc;
}

/* data is sealed here unless sealed_in already holds it sealed. */
static int upsert_source(struct xt_store *s, struct xt_conn *c, int64_t rid, const char *source,
                         int64_t run, const char *data, const char *sealed_in, int64_t now)
{
    char *own = sealed_in ? NULL : seal(s, data);
    const char *sealed = sealed_in ? sealed_in : own;
    if (!sealed)
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(
        c, "INSERT INTO resident_sources(resident_id, source, run_id, seen_at, data_sealed)"
           " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(resident_id, source) DO UPDATE SET"
           " run_id=excluded.run_id, seen_at=excluded.seen_at, data_sealed=excluded.data_sealed");
    int rc = XT_EIO;
    if (st) {
        xt_bind_int(st, 1, rid);
        xt_bind_text(st, 2, source);
        xt_bind_int(st, 3, run);
        xt_bind_int(st, 4, now);
        xt_bind_text(st, 5, sealed);
        rc = xt_step(st) == 0 ? 0 : XT_EIO;
        xt_reset(st);
    }
    free(own);
    return rc;
}

/* A row of a list made ready for the writer by the reader thread: checked,
 * its linkage record computed and its protected values sealed, so that the
 * writer only links and writes. */
struct prow {
    long row;
    struct xt_error rerr; /* code != XT_OK: rejected for this reason */
    struct xt_person p;
    struct xt_link_rec q;
    char *name_sealed, *id_sealed, *birth_sealed, *phone_sealed, *eth_sealed;
    char *data, *data_sealed; /* what the list said, clear and sealed */
    char name_masked[128], id_masked[40], phone_masked[40];
};

static void prow_release(struct prow *r)
{
    free(r->name_sealed);
    free(r->id_sealed);
    free(r->birth_sealed);
    free(r->phone_sealed);
    free(r->eth_sealed);
    if (r->data)
        sodium_memzero(r->data, strlen(r->data));
    free(r->data);
    free(r->data_sealed);
    sodium_memzero(&r->p, sizeof(r->p));
}

/* Write a new resident from a prepared row; *rid gets its id. */
static int insert_resident(struct import_job *j, struct xt_conn *c, const struct prow *r,
                           int64_t now, int64_t *rid)
{
    const struct xt_person *p = &r->p;
    int64_t hh;
    int rc;
    /* A register lists a household's members one after another. */
    if (*p->household && strcmp(p->household, j->last_hh) == 0) {
        hh = j->last_hh_id;
    } else {
        if ((rc = household_id(c, p, now, &hh)))
            return rc;
        snprintf(j->last_hh, sizeof(j->last_hh), "%s", p->household);
        j->last_hh_id = hh;
    }
    const char *name_masked = r->name_masked, *id_masked = r->id_masked;
    const char *phone_masked = r->phone_masked;
    const char *key = r->q.id_key;
    const char *name_sealed = r->name_sealed, *id_sealed = r->id_sealed;
    const char *birth_sealed = r->birth_sealed, *phone_sealed = r->phone_sealed;
    const char *eth_sealed = r->eth_sealed;
    rc = XT_EIO;
    if ((p->minor && !name_sealed) || (p->has_id && !id_sealed) ||
        (!p->has_id && *p->birth && !birth_sealed) || (*p->phone && !phone_sealed) ||
        (p->ethnic && !eth_sealed))
        return rc;
#define INSERT_RESIDENT                                                                            \
    "INSERT INTO residents(unit, household_id, relation, name, name_masked, minor,"                \
    " id_index, id_sealed, id_masked, birth_sealed, birth_year, sex, phone_sealed,"                \
    " phone_masked, ethnicity_sealed, languages, address, created_at, updated_at)"                 \
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"               \
    " ?17, ?18, ?18)"
    /* RETURNING makes SQLite collect the row apart for every insert: there
     * the id is the connection's last rowid instead. */
    static const char sql_lite[] = INSERT_RESIDENT, sql_pg[] = INSERT_RESIDENT " RETURNING id";
#undef INSERT_RESIDENT
    struct xt_stmt *st = xt_conn_stmt2(c, sql_lite, sql_pg);
    if (!st)
        return rc;
    xt_bind_text(st, 1, p->unit);
    if (hh)
        xt_bind_int(st, 2, hh);
    else
        xt_bind_null(st, 2);
    xt_bind_text(st, 3, *p->relation ? p->relation : NULL);
    xt_bind_text(st, 4, p->minor ? name_sealed : p->name);
    xt_bind_text(st, 5, name_masked);
    xt_bind_int(st, 6, p->minor);
    xt_bind_text(st, 7, *key ? key : NULL);
    xt_bind_text(st, 8, id_sealed);
    xt_bind_text(st, 9, *id_masked ? id_masked : NULL);
    xt_bind_text(st, 10, birth_sealed);
    if (*p->birth)
        xt_bind_int(st, 11, strtol(p->birth, NULL, 10) / 10000);
    else
        xt_bind_null(st, 11);
    xt_bind_int(st, 12, p->sex);
    xt_bind_text(st, 13, phone_sealed);
    xt_bind_text(st, 14, *phone_masked ? phone_masked : NULL);
    xt_bind_text(st, 15, eth_sealed);
    xt_bind_text(st, 16, *p->languages ? p->languages : NULL);
    xt_bind_text(st, 17, *p->address ? p->address : NULL);
    xt_bind_int(st, 18, now);
    int got = xt_step(st);
    if (got == 1) {
        *rid = xt_col_int(st, 0);
        rc = 0;
    } else if (got == 0 && xt_conn_kind(c) == XT_DB_SQLITE) {
        *rid = xt_conn_last_rowid(c);
        rc = 0;
    }
    xt_reset(st);
    return rc;
}

/* What the registry holds now about a resident, in clear (memory only). */
struct current {
    char unit[XT_CODE_MAX];
    char name[128];
    bool minor;
    bool has_id;
    char phone[40];
    int ethnic;
    char address[256];
    char languages[128];
};

static const char SQL_CURRENT[] =
    "SELECT unit, name, minor, id_index, phone_sealed, ethnicity_sealed, address, languages"
    " FROM residents WHERE id=?1";

static int load_current(struct xt_store *s, struct xt_conn *c, int64_t rid, struct current *cur)
{
    struct xt_stmt *st = xt_conn_stmt(c, SQL_CURRENT);
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, rid);
    int rc = xt_step(st);
    if (rc == 1) {
        memset(cur, 0, sizeof(*cur));
        snprintf(cur->unit, sizeof(cur->unit), "%s", xt_col_text(st, 0));
        cur->minor = xt_col_int(st, 2) != 0;
        if (cur->minor)
            unseal(s, xt_col_text(st, 1), cur->name, sizeof(cur->name));
        else
            snprintf(cur->name, sizeof(cur->name), "%s", xt_col_text(st, 1));
        cur->has_id = !xt_col_null(st, 3);
        unseal(s, xt_col_text(st, 4), cur->phone, sizeof(cur->phone));
        char eth[8];
        unseal(s, xt_col_text(st, 5), eth, sizeof(eth));
        cur->ethnic = (int)strtol(eth, NULL, 10);
        snprintf(cur->address, sizeof(cur->address), "%s", xt_col_text(st, 6));
        snprintf(cur->languages, sizeof(cur->languages), "%s", xt_col_text(st, 7));
    }
    xt_reset(st);
    return rc == 1 ? 0 : rc == 0 ? XT_ENOTFOUND : XT_EIO;
}

static int open_conflict(struct xt_conn *c, int64_t rid, const char *field, const char *source,
                         int64_t other, int64_t now, bool *opened)
{
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT 1 FROM person_conflicts WHERE resident_id=?1"
                                         " AND field=?2 AND source=?3 AND resolved_at IS NULL");
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, rid);
    xt_bind_text(st, 2, field);
    xt_bind_text(st, 3, source);
    int rc = xt_step(st);
    xt_reset(st);
    if (rc < 0)
        return XT_EIO;
    *opened = true;
    if (rc == 1)
        return 0;
    st = xt_conn_stmt(c, "INSERT INTO person_conflicts(resident_id, field, source, other_id,"
                         " opened_at) VALUES(?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, rid);
    xt_bind_text(st, 2, field);
    xt_bind_text(st, 3, source);
    if (other)
        xt_bind_int(st, 4, other);
    else
        xt_bind_null(st, 4);
    xt_bind_int(st, 5, now);
    rc = xt_step(st) == 0 ? 0 : XT_EIO;
    xt_reset(st);
    return rc;
}

/* Set one protected or plain column of a resident (empty fills). */
static int set_field(struct xt_store *s, struct xt_conn *c, int64_t rid, const char *field,
                     const char *value, int64_t now)
{
    static const char SQL_PHONE[] =
        "UPDATE residents SET phone_sealed=?2, phone_masked=?3, updated_at=?4 WHERE id=?1";
    static const char SQL_ETH[] =
        "UPDATE residents SET ethnicity_sealed=?2, updated_at=?3 WHERE id=?1";
    static const char SQL_ADDR[] = "UPDATE residents SET address=?2, updated_at=?3 WHERE id=?1";
    static const char SQL_LANG[] = "UPDATE residents SET languages=?2, updated_at=?3 WHERE id=?1";
    static const char SQL_REL[] = "UPDATE residents SET relation=?2, updated_at=?3 WHERE id=?1";
    static const char SQL_UNIT[] = "UPDATE residents SET unit=?2, updated_at=?3 WHERE id=?1";
    static const char SQL_TAGUNIT[] = "UPDATE resident_tags SET unit=?2 WHERE resident_id=?1";
    const char *sql;
    char *sealed = NULL;
    char masked[40] = "";
    bool protect = false;
    if (strcmp(field, "phone") == 0) {
        sql = SQL_PHONE;
        protect = true;
        if (*value)
            xt_mask_phone(value, masked, sizeof(masked));
    } else if (strcmp(field, "ethnicity") == 0) {
        sql = SQL_ETH;
        protect = true;
    } else if (strcmp(field, "address") == 0) {
        sql = SQL_ADDR;
    } else if (strcmp(field, "languages") == 0) {
        sql = SQL_LANG;
    } else if (strcmp(field, "relation") == 0) {
        sql = SQL_REL;
    } else if (strcmp(field, "unit") == 0) {
        sql = SQL_UNIT;
    } else {
        return XT_EINVAL;
    }
    if (protect && *value && !(sealed = seal(s, value)))
        return XT_EIO;
    struct xt_stmt *st = xt_conn_stmt(c, sql);
    int rc = XT_EIO;
    if (st) {
        xt_bind_int(st, 1, rid);
        xt_bind_text(st, 2, protect ? sealed : (*value ? value : NULL));
        if (sql == SQL_PHONE) {
            xt_bind_text(st, 3, *masked ? masked : NULL);
            xt_bind_int(st, 4, now);
        } else {
            xt_bind_int(st, 3, now);
        }
        rc = xt_step(st) == 0 ? 0 : XT_EIO;
        xt_reset(st);
    }
    free(sealed);
    if (!rc && sql == SQL_UNIT && (st = xt_conn_stmt(c, SQL_TAGUNIT))) {
        xt_bind_int(st, 1, rid);
        xt_bind_text(st, 2, value);
        rc = xt_step(st) == 0 ? 0 : XT_EIO;
        xt_reset(st);
    }
    return rc;
}

/* Compare one field: fill when the registry has none, open a conflict
 * when it differs. */
static int merge_field(struct xt_store *s, struct xt_conn *c, int64_t rid, const char *field,
                       const char *have, const char *got, const char *source, int64_t now,
                       bool *changed, bool *conflict)
{
    if (!*got || strcmp(have, got) == 0)
        return 0;
    if (!*have) {
        *changed = true;
        return set_field(s, c, rid, field, got, now);
    }
    return open_conflict(c, rid, field, source, 0, now, conflict);
}

/* Tags of (resident, source) already stored, as "code:grade" strings. */
static int has_tag(struct xt_store *s, struct xt_conn *c, int64_t rid, const char *source,
                   const struct xt_person_tag *t, bool *found)
{
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT tag, tag_sealed FROM resident_tags"
                                         " WHERE resident_id=?1 AND source=?2");
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, rid);
    xt_bind_text(st, 2, source);
    *found = false;
    int rc;
    while (!*found && (rc = xt_step(st)) == 1) {
        char code[48];
        if (!xt_col_null(st, 0))
            snprintf(code, sizeof(code), "%s", xt_col_text(st, 0));
        else
            unseal(s, xt_col_text(st, 1), code, sizeof(code));
        char *colon = strchr(code, ':');
        if (colon)
            *colon = '\0';
        *found = strcmp(code, t->def->code) == 0;
    }
    xt_reset(st);
    return 0;
}

static int source_unchanged(struct xt_store *s, struct xt_conn *c, int64_t rid, const char *source,
                            const char *data, bool *same)
{
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT data_sealed FROM resident_sources"
                                         " WHERE resident_id=?1 AND source=?2");
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, rid);
    xt_bind_text(st, 2, source);
    *same = false;
    int rc = xt_step(st);
    if (rc == 1) {
        char old[4096];
        unseal(s, xt_col_text(st, 0), old, sizeof(old));
        *same = strcmp(old, data) == 0;
        sodium_memzero(old, sizeof(old));
    }
    xt_reset(st);
    return rc < 0 ? XT_EIO : 0;
}

static void person_rec(struct xt_store *s, const struct xt_person *p, int64_t id,
                       struct xt_link_rec *r)
{
    memset(r, 0, sizeof(*r));
    r->id = id;
    snprintf(r->village, sizeof(r->village), "%s", p->village);
    snprintf(r->birth, sizeof(r->birth), "%s", p->birth);
    if (p->has_id)
        id_key(s, p->id.number, r->id_key);
    xt_link_name_norm(p->name, r->name, sizeof(r->name));
}

/* Merge a row into resident rid. */
static int merge_row(struct import_job *j, struct xt_store *s, struct xt_conn *c, int64_t rid,
                     const struct xt_person *p, const char *data, const char *data_sealed,
                     bool *changed, bool *conflict)
{
    struct current cur;
    int rc = load_current(s, c, rid, &cur);
    if (rc)
        return rc;
    char nh[XT_LINK_NAME_MAX], ng[XT_LINK_NAME_MAX];
    xt_link_name_norm(cur.name, nh, sizeof(nh));
    xt_link_name_norm(p->name, ng, sizeof(ng));
    if (strcmp(nh, ng) != 0 && (rc = open_conflict(c, rid, "name", j->source, 0, j->now, conflict)))
        return rc;
    char eh[8] = "", eg[8] = "";
    if (cur.ethnic)
        snprintf(eh, sizeof(eh), "%02d", cur.ethnic);
    if (p->ethnic)
        snprintf(eg, sizeof(eg), "%02d", p->ethnic);
    if ((rc = merge_field(s, c, rid, "phone", cur.phone, p->phone, j->source, j->now, changed,
                          conflict)) ||
        (rc = merge_field(s, c, rid, "ethnicity", eh, eg, j->source, j->now, changed, conflict)) ||
        (rc = merge_field(s, c, rid, "address", cur.address, p->address, j->source, j->now, changed,
                          conflict)) ||
        (rc = merge_field(s, c, rid, "languages", cur.languages, p->languages, j->source, j->now,
                          changed, conflict)))
        return rc;
    /* A grid code is more precise than its village's code. */
    if (strcmp(cur.unit, p->unit) != 0) {
        if (xt_unit_within(p->unit, cur.unit)) {
            *changed = true;
            if ((rc = set_field(s, c, rid, "unit", p->unit, j->now)))
                return rc;
        } else if (!xt_unit_within(cur.unit, p->unit) &&
                   (rc = open_conflict(c, rid, "unit", j->source, 0, j->now, conflict))) {
            return rc;
        }
    }
    if (p->has_id && !cur.has_id) {
        /* Learnt the ID number from this list (linked by the fuzzy score). */
        char key[65], masked[40];
        id_key(s, p->id.number, key);
        xt_mask_id_number(p->id.number, masked, sizeof(masked));
        char *sealed = seal(s, p->id.number);
        struct xt_stmt *st = xt_conn_stmt(c, "UPDATE residents SET id_index=?2, id_sealed=?3,"
                                             " id_masked=?4, updated_at=?5 WHERE id=?1");
        if (!sealed || !st) {
            free(sealed);
            return XT_EIO;
        }
        xt_bind_int(st, 1, rid);
        xt_bind_text(st, 2, key);
        xt_bind_text(st, 3, sealed);
        xt_bind_text(st, 4, masked);
        xt_bind_int(st, 5, j->now);
        rc = xt_step(st);
        xt_reset(st);
        free(sealed);
        if (rc == XT_EEXIST)
            return open_conflict(c, rid, "id_number", j->source, 0, j->now, conflict);
        if (rc != 0)
            return XT_EIO;
        *changed = true;
        struct xt_link_rec r;
        person_rec(s, p, rid, &r);
        snprintf(r.village, sizeof(r.village), "%.12s", cur.unit);
        xt_link_name_norm(cur.name, r.name, sizeof(r.name));
        if (xt_link_index_update(j->ix, &r) == XT_ENOMEM)
            return XT_ENOMEM;
    }
    for (int i = 0; i < p->ntags; i++) {
        bool found;
        if ((rc = has_tag(s, c, rid, j->tag_source, &p->tags[i], &found)))
            return rc;
        if (!found) {
            *changed = true;
            if ((rc = insert_tag(s, c, rid, cur.unit, &p->tags[i], cur.minor || p->minor,
                                 j->tag_source, p->tag_date, j->now)))
                return rc;
        }
    }
    bool same;
    if ((rc = source_unchanged(s, c, rid, j->source, data, &same)))
        return rc;
    if (!same) {
        *changed = true;
        if ((rc = upsert_source(s, c, rid, j->source, j->rep->run_id, data, data_sealed, j->now)))
            return rc;
    }
    return 0;
}

static int load_index(struct import_job *j, struct xt_store *s, struct xt_conn *c)
{
    char lo[XT_CODE_MAX], hi[XT_CODE_MAX + 1];
    subtree(j->scope, lo, hi);
    /* Size the index once for the registry and the list. */
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT COUNT(*) FROM residents"
                                         " WHERE unit >= ?1 AND unit < ?2");
    if (!st)
        return XT_EIO;
    xt_bind_text(st, 1, lo);
    xt_bind_text(st, 2, hi);
    int64_t have = xt_step(st) == 1 ? xt_col_int(st, 0) : 0;
    xt_reset(st);
    if (xt_link_index_reserve(j->ix, (size_t)have + j->size_hint / 60 + 1024))
        return XT_ENOMEM;
    st = xt_conn_stmt(c, "SELECT id, unit, id_index, birth_sealed, name, minor,"
                         " id_sealed FROM residents WHERE unit >= ?1 AND unit < ?2");
    if (!st)
        return XT_EIO;
    xt_bind_text(st, 1, lo);
    xt_bind_text(st, 2, hi);
    int rc;
    while ((rc = xt_step(st)) == 1) {
        struct xt_link_rec r;
        memset(&r, 0, sizeof(r));
        r.id = xt_col_int(st, 0);
        snprintf(r.village, sizeof(r.village), "%.12s", xt_col_text(st, 1));
        snprintf(r.id_key, sizeof(r.id_key), "%s", xt_col_text(st, 2));
        if (!xt_col_null(st, 3)) {
            unseal(s, xt_col_text(st, 3), r.birth, sizeof(r.birth));
        } else {
            /* With an ID number the birth date is its digits 7-14. */
            char id[24];
            unseal(s, xt_col_text(st, 6), id, sizeof(id));
            snprintf(r.birth, sizeof(r.birth), "%.8s", strlen(id) == 18 ? id + 6 : "");
            sodium_memzero(id, sizeof(id));
        }
        char name[128];
        if (xt_col_int(st, 5))
            unseal(s, xt_col_text(st, 4), name, sizeof(name));
        else
            snprintf(name, sizeof(name), "%s", xt_col_text(st, 4));
        xt_link_name_norm(name, r.name, sizeof(r.name));
        if (xt_link_index_add(j->ix, &r)) {
            rc = XT_ENOMEM;
            break;
        }
    }
    xt_reset(st);
    return rc < 0 ? rc : 0;
}

/* Column indices for the mapping in the header; -2 for a constant. */
struct colmap {
    int col[N_MAP_FIELDS];
    const char *constant[N_MAP_FIELDS];
};

static int resolve_columns(const struct xt_people_mapping *m, struct xt_csv *csv, struct colmap *cm,
                           struct xt_error *err)
{
    for (int i = 0; i < N_MAP_FIELDS; i++) {
        cm->col[i] = -1;
        cm->constant[i] = NULL;
    }
    for (int k = 0; k < m->n; k++) {
        int f = map_field_index(m->field[k]);
        const char *col = m->column[k];
        if (col[0] == '=') {
            cm->col[f] = -2;
            cm->constant[f] = col + 1;
            continue;
        }
        int idx = xt_csv_index(csv, col);
        if (idx < 0)
            return xt_error_set(err, XT_EINVAL, "mapping",
                                "column '%.60s' (for %s) is not in the file's header", col,
                                m->field[k]);
        cm->col[f] = idx;
    }
    if (cm->col[0] == -1 || cm->col[8] == -1)
        return xt_error_set(err, XT_EINVAL, "mapping", "name and unit must be mapped");
    return 0;
}

static const char *cell(const struct colmap *cm, const struct xt_csv *csv, int f)
{
    if (cm->col[f] == -2)
        return cm->constant[f];
    if (cm->col[f] < 0 || cm->col[f] >= csv->nfield)
        return NULL;
    return csv->field[cm->col[f]];
}

/* ---- the reading thread ----------------------------------------------------
 * Reading, checking and sealing a row needs no database, so a second thread
 * does it while the writer links and writes: rows go from one to the other
 * in batches through a small bounded queue. */

#define BATCH_ROWS 512
#define BATCHES_QUEUED 4

struct batch {
    struct prow rows[BATCH_ROWS];
    int n;
    struct batch *next;
    /* The mapped cells of each row as read, copied into text (offsets,
     * -1 for none) until the rows are prepared. */
    long at[BATCH_ROWS][N_MAP_FIELDS];
    struct xt_buf text;
};

/* Checking and sealing a row is most of the reader's work and each row's
 * own: a helper thread prepares the second half of every batch while the
 * reader prepares the first, so the writer seldom waits for rows. */
struct helper {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pipe *pp;
    struct batch *b; /* the batch to work on, NULL when idle */
    int lo, hi;      /* its rows [lo, hi) */
    int rc;          /* the first failure */
    long failed_row;
    bool quit;
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct batch *head, *tail;
    struct batch *used; /* written batches, freed by the reader (off the writer) */
    int queued;
    bool done, stop;
    int rc;              /* the reader's failure, 0 when none */
    struct xt_error err; /* and its reason */
    /* reader's inputs */
    struct xt_store *s;
    FILE *fp;
    const struct xt_people_mapping *m;
    const char *scope;
    int today;
};

static void batch_free(struct batch *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->n; i++)
        prow_release(&b->rows[i]);
    if (b->text.data)
        sodium_memzero(b->text.data, b->text.len);
    xt_buf_release(&b->text);
    free(b);
}

/* Check and seal one row into r. Returns 0 (r->rerr tells a rejection) or
 * XT_ENOMEM / XT_EIO. */
static int prepare_row(struct pipe *pp, const char *const *cells, struct prow *r)
{
    struct xt_store *s = pp->s;
    xt_error_clear(&r->rerr);
    char tags[512] = "";
    const char *t = cells[11], *g = cells[12];
    if (t && *t && g && *g && !strchr(t, ':') && !strchr(t, ';'))
        snprintf(tags, sizeof(tags), "%s:%s", t, g);
    else if (t)
        snprintf(tags, sizeof(tags), "%s", t);
    struct xt_person_in in = {
        .name = cells[0],
        .id_number = cells[1],
        .birth_date = cells[2],
        .sex = cells[3],
        .phone = cells[4],
        .ethnicity = cells[5],
        .languages = cells[6],
        .address = cells[7],
        .unit = cells[8],
        .household = cells[9],
        .relation = cells[10],
        .tags = tags,
        .tag_date = cells[13],
    };
    struct xt_person *p = &r->p;
    if (xt_person_check(&in, pp->today, p, &r->rerr) == 0 && !xt_unit_within(p->unit, pp->scope))
        xt_error_set(&r->rerr, XT_EINVAL, "unit", "'%s' is outside the import's unit '%s'", p->unit,
                     pp->scope);
    else if (r->rerr.code == XT_OK && !xt_store_unit_name(s, p->unit))
        xt_error_set(&r->rerr, XT_EINVAL, "unit", "unknown unit '%s'", p->unit);
    if (r->rerr.code != XT_OK)
        return 0;
    person_rec(s, p, 0, &r->q);
    xt_mask_name(p->name, r->name_masked, sizeof(r->name_masked));
    if (p->has_id)
        xt_mask_id_number(p->id.number, r->id_masked, sizeof(r->id_masked));
    if (*p->phone)
        xt_mask_phone(p->phone, r->phone_masked, sizeof(r->phone_masked));
    if (!(r->data = source_data(p)) || !(r->data_sealed = seal(s, r->data)))
        return XT_ENOMEM;
    char eth[8] = "";
    if (p->ethnic)
        snprintf(eth, sizeof(eth), "%02d", p->ethnic);
    r->name_sealed = p->minor ? seal(s, p->name) : NULL;
    r->id_sealed = p->has_id ? seal(s, p->id.number) : NULL;
    /* The ID number holds the birth date: sealed apart only without one. */
    r->birth_sealed = p->has_id ? NULL : seal(s, p->birth);
    r->phone_sealed = seal(s, p->phone);
    r->eth_sealed = seal(s, eth);
    if ((p->minor && !r->name_sealed) || (p->has_id && !r->id_sealed) ||
        (!p->has_id && *p->birth && !r->birth_sealed) || (*p->phone && !r->phone_sealed) ||
        (*eth && !r->eth_sealed))
        return XT_EIO;
    return 0;
}

/* Prepare rows [lo, hi) of b; 0, or the failure with *failed its row. */
static int prepare_rows(struct pipe *pp, struct batch *b, int lo, int hi, long *failed)
{
    for (int i = lo; i < hi; i++) {
        const char *cells[N_MAP_FIELDS];
        for (int f = 0; f < N_MAP_FIELDS; f++)
            cells[f] = b->at[i][f] < 0 ? NULL : b->text.data + b->at[i][f];
        int rc = prepare_row(pp, cells, &b->rows[i]);
        if (rc) {
            *failed = b->rows[i].row;
            return rc;
        }
    }
    return 0;
}

static void *helper_main(void *arg)
{
    struct helper *h = arg;
    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (!h->b && !h->quit)
            pthread_cond_wait(&h->cv, &h->mu);
        if (!h->b)
            break;
        struct batch *b = h->b;
        int lo = h->lo, hi = h->hi;
        bool failed_before = h->rc != 0;
        pthread_mutex_unlock(&h->mu);
        long failed = 0;
        int rc = failed_before ? 0 : prepare_rows(h->pp, b, lo, hi, &failed);
        pthread_mutex_lock(&h->mu);
        if (rc && !h->rc) {
            h->rc = rc;
            h->failed_row = failed;
        }
        h->b = NULL;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* Prepare a full batch, half of it on the helper when there is one. */
static int prepare_batch(struct pipe *pp, struct helper *h, struct batch *b, long *failed)
{
    int split = h ? b->n / 2 : b->n;
    if (h && split < b->n) {
        pthread_mutex_lock(&h->mu);
        h->b = b;
        h->lo = split;
        h->hi = b->n;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
    }
    int rc = prepare_rows(pp, b, 0, split, failed);
    if (h && split < b->n) {
        pthread_mutex_lock(&h->mu);
        while (h->b)
            pthread_cond_wait(&h->cv, &h->mu);
        if (rc == 0 && h->rc) {
            rc = h->rc;
            *failed = h->failed_row;
        }
        pthread_mutex_unlock(&h->mu);
    }
    return rc;
}

/* Copy the mapped cells of the current CSV row into row i of b. */
static int batch_keep(struct batch *b, int i, const struct colmap *cm, const struct xt_csv *csv)
{
    for (int f = 0; f < N_MAP_FIELDS; f++) {
        const char *v = cell(cm, csv, f);
        b->at[i][f] = -1;
        if (!v)
            continue;
        b->at[i][f] = (long)b->text.len;
        if (xt_buf_append(&b->text, v, strlen(v) + 1))
            return XT_ENOMEM;
    }
    return 0;
}

/* Take the batches the writer is done with, to free them here. */
static struct batch *pipe_take_used(struct pipe *pp)
{
    pthread_mutex_lock(&pp->mu);
    struct batch *u = pp->used;
    pp->used = NULL;
    pthread_mutex_unlock(&pp->mu);
    return u;
}

static void batches_free(struct batch *b)
{
    while (b) {
        struct batch *next = b->next;
        batch_free(b);
        b = next;
    }
}

/* Hand a full batch over; false when the writer asked to stop. */
static bool pipe_push(struct pipe *pp, struct batch *b)
{
    batches_free(pipe_take_used(pp));
    pthread_mutex_lock(&pp->mu);
    while (pp->queued >= BATCHES_QUEUED && !pp->stop)
        pthread_cond_wait(&pp->cv, &pp->mu);
    bool ok = !pp->stop;
    if (ok) {
        if (pp->tail)
            pp->tail->next = b;
        else
            pp->head = b;
        pp->tail = b;
        pp->queued++;
        pthread_cond_broadcast(&pp->cv);
    }
    pthread_mutex_unlock(&pp->mu);
    return ok;
}

static void pipe_finish(struct pipe *pp, int rc)
{
    pthread_mutex_lock(&pp->mu);
    pp->done = true;
    pp->rc = rc;
    pthread_cond_broadcast(&pp->cv);
    pthread_mutex_unlock(&pp->mu);
}

/* A helper for the reader, or NULL (then the reader prepares every row). */
static struct helper *helper_start(struct pipe *pp)
{
    struct helper *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->pp = pp;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (pthread_create(&h->thread, NULL, helper_main, h)) {
        pthread_mutex_destroy(&h->mu);
        pthread_cond_destroy(&h->cv);
        free(h);
        return NULL;
    }
    return h;
}

static void *reader_main(void *arg)
{
    struct pipe *pp = arg;
    struct helper *h = helper_start(pp);
    struct xt_csv csv;
    xt_csv_init(&csv, pp->fp);
    struct colmap cm;
    int rc = xt_csv_next(&csv);
    if (rc != 1) {
        xt_error_set(&pp->err, XT_EINVAL, "file", "no header line");
        rc = XT_EINVAL;
    } else {
        rc = resolve_columns(pp->m, &csv, &cm, &pp->err);
    }
    long row = 0;
    struct batch *b = NULL;
    while (rc == 0) {
        int got = xt_csv_next(&csv);
        if (got < 0) {
            rc = xt_error_set(&pp->err, XT_EINVAL, "file", "line %ld: not valid CSV", csv.line);
            break;
        }
        if (got == 0)
            break;
        if (csv.nfield == 1 && !*csv.field[0])
            continue;
        if (!b) {
            if (!(b = calloc(1, sizeof(*b)))) {
                rc = XT_ENOMEM;
                break;
            }
            xt_buf_init(&b->text, (size_t)1 << 30); /* rows of up to 1 MiB each */
        }
        b->rows[b->n].row = ++row;
        if ((rc = batch_keep(b, b->n, &cm, &csv))) {
            xt_error_set(&pp->err, rc, "", "cannot read row %ld", row);
            break;
        }
        b->n++;
        if (b->n == BATCH_ROWS) {
            long failed = 0;
            if ((rc = prepare_batch(pp, h, b, &failed))) {
                xt_error_set(&pp->err, rc, "", "cannot prepare row %ld", failed);
                break;
            }
            if (!pipe_push(pp, b)) {
                batch_free(b);
                b = NULL;
                break;
            }
            b = NULL;
        }
    }
    if (rc == 0 && b && b->n) {
        long failed = 0;
        if ((rc = prepare_batch(pp, h, b, &failed)))
            xt_error_set(&pp->err, rc, "", "cannot prepare row %ld", failed);
        else if (pipe_push(pp, b))
            b = NULL;
    }
    batch_free(b);
    xt_csv_close(&csv);
    if (h) {
        pthread_mutex_lock(&h->mu);
        h->quit = true;
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->thread, NULL);
        pthread_mutex_destroy(&h->mu);
        pthread_cond_destroy(&h->cv);
        free(h);
    }
    pipe_finish(pp, rc);
    return NULL;
}

/* The next batch (owned by the caller), or NULL at the end or on the
 * reader's failure (pp->rc). */
static struct batch *pipe_pop(struct pipe *pp)
{
    pthread_mutex_lock(&pp->mu);
    while (!pp->head && !pp->done)
        pthread_cond_wait(&pp->cv, &pp->mu);
    struct batch *b = pp->head;
    if (b) {
        pp->head = b->next;
        if (!pp->head)
            pp->tail = NULL;
        pp->queued--;
        pthread_cond_broadcast(&pp->cv);
    }
    pthread_mutex_unlock(&pp->mu);
    return b;
}

static void pipe_stop(struct pipe *pp)
{
    pthread_mutex_lock(&pp->mu);
    pp->stop = true;
    pthread_cond_broadcast(&pp->cv);
    pthread_mutex_unlock(&pp->mu);
}

/* ---- bulk writing on PostgreSQL ----------------------------------------------
 * Row by row, a new resident costs PostgreSQL four statements and the round
 * trips of the two that return an id (its household's and its own): some
 * 5,000 rows/s. So there the new residents of a batch are gathered, given
 * ids drawn ahead from the identity sequence, their households found or
 * made by one statement for the batch, and the residents, their tags and
 * their lineage written by one COPY per table (xt_conn_copy). The rows
 * written are the same as insert_resident, insert_tag and upsert_source
 * write, and the batch is flushed before anything else of the import reads
 * or changes the registry (a row that links to an earlier one, the end of
 * the batch), so linkage sees what it would see row by row. A failure
 * fails the import as a failed row does. */

#define BULK_IDS 1024

struct bulk_row {
    struct prow *r;
    int64_t rid;
};

struct bulk {
    struct bulk_row *rows;
    int n, cap;
    long first, last; /* the list's rows gathered, for an error */
    int64_t ids[BULK_IDS];
    int id_next, id_count;
    struct xt_buf res, tags, src, keys, units, addrs; /* COPY text; arrays */
    struct hh_key *hh;                                 /* the batch's households */
    int nhh, caphh;
};

struct hh_key {
    const char *key;
    int at; /* the first gathered row with it */
    int64_t id;
};

static void bulk_free(struct bulk *b)
{
    if (!b)
        return;
    free(b->rows);
    free(b->hh);
    if (b->src.data)
        sodium_memzero(b->src.data, b->src.len);
    xt_buf_release(&b->res);
    xt_buf_release(&b->tags);
    xt_buf_release(&b->src);
    xt_buf_release(&b->keys);
    xt_buf_release(&b->units);
    xt_buf_release(&b->addrs);
    free(b);
}

static struct bulk *bulk_new(void)
{
    struct bulk *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    xt_buf_init(&b->res, (size_t)1 << 30);
    xt_buf_init(&b->tags, (size_t)1 << 30);
    xt_buf_init(&b->src, (size_t)1 << 30);
    xt_buf_init(&b->keys, (size_t)1 << 30);
    xt_buf_init(&b->units, (size_t)1 << 30);
    xt_buf_init(&b->addrs, (size_t)1 << 30);
    return b;
}

/* The next resident id, drawn from the sequence BULK_IDS at a time (ids
 * drawn and not used are gaps, as a rolled-back insert leaves). */
static int bulk_id(struct bulk *b, struct xt_conn *c, int64_t *id)
{
    if (b->id_next == b->id_count) {
        struct xt_stmt *st = xt_conn_stmt(c, "SELECT nextval(pg_get_serial_sequence('residents',"
                                             " 'id')) FROM generate_series(1, 1024)");
        if (!st)
            return XT_EIO;
        int rc, n = 0;
        while ((rc = xt_step(st)) == 1 && n < BULK_IDS)
            b->ids[n++] = xt_col_int(st, 0);
        xt_reset(st);
        if (rc < 0 || n == 0)
            return XT_EIO;
        b->id_next = 0;
        b->id_count = n;
    }
    *id = b->ids[b->id_next++];
    return 0;
}

/* Gather a new resident from r; *rid gets its id. */
static int bulk_add(struct bulk *b, struct xt_conn *c, struct prow *r, int64_t *rid)
{
    if (b->n == b->cap) {
        int cap = b->cap ? 2 * b->cap : BATCH_ROWS;
        struct bulk_row *p = realloc(b->rows, (size_t)cap * sizeof(*p));
        if (!p)
            return XT_ENOMEM;
        b->rows = p;
        b->cap = cap;
    }
    int rc = bulk_id(b, c, rid);
    if (rc)
        return rc;
    if (b->n == 0)
        b->first = r->row;
    b->last = r->row;
    b->rows[b->n].r = r;
    b->rows[b->n].rid = *rid;
    b->n++;
    return 0;
}

/* An element of a PostgreSQL array literal ("{...}" built by the caller). */
static int array_add(struct xt_buf *a, const char *v)
{
    int rc = xt_buf_putc(a, a->len ? ',' : '{');
    if (rc || !v)
        return rc ? rc : xt_buf_puts(a, "NULL");
    rc = xt_buf_putc(a, '"');
    for (const char *p = v; !rc && *p; p++) {
        if (*p == '"' || *p == '\\')
            rc = xt_buf_putc(a, '\\');
        if (!rc)
            rc = xt_buf_putc(a, *p);
    }
    return rc ? rc : xt_buf_putc(a, '"');
}

static int hh_cmp(const void *x, const void *y)
{
    const struct hh_key *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->at > b->at) - (a->at < b->at);
}

static int64_t hh_find(const struct bulk *b, const char *key)
{
    int lo = 0, hi = b->nhh;
    while (lo < hi) {
        int mid = (lo + hi) / 2, c = strcmp(b->hh[mid].key, key);
        if (c == 0)
            return b->hh[mid].id;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* The households of the gathered rows: one statement finds or makes every
 * one (as household_id does, the first new member's unit and address make
 * a new household). */
static int bulk_households(struct import_job *j, struct bulk *b, struct xt_conn *c)
{
    b->nhh = 0;
    if (b->caphh < b->n) {
        struct hh_key *p = realloc(b->hh, (size_t)b->n * sizeof(*p));
        if (!p)
            return XT_ENOMEM;
        b->hh = p;
        b->caphh = b->n;
    }
    const char *prev = "";
    for (int i = 0; i < b->n; i++) {
        const char *k = b->rows[i].r->p.household;
        /* A register lists a household's members one after another. */
        if (!*k || strcmp(k, prev) == 0)
            continue;
        b->hh[b->nhh++] = (struct hh_key){.key = k, .at = i};
        prev = k;
    }
    if (b->nhh == 0)
        return 0;
    qsort(b->hh, (size_t)b->nhh, sizeof(*b->hh), hh_cmp);
    int u = 0;
    for (int i = 0; i < b->nhh; i++)
        if (u == 0 || strcmp(b->hh[u - 1].key, b->hh[i].key) != 0)
            b->hh[u++] = b->hh[i];
    b->nhh = u;
    xt_buf_reset(&b->keys);
    xt_buf_reset(&b->units);
    xt_buf_reset(&b->addrs);
    int rc = 0;
    for (int i = 0; !rc && i < b->nhh; i++) {
        const struct xt_person *p = &b->rows[b->hh[i].at].r->p;
        b->hh[i].id = 0;
        if ((rc = array_add(&b->keys, p->household)) || (rc = array_add(&b->units, p->unit)) ||
            (rc = array_add(&b->addrs, *p->address ? p->address : NULL)))
            break;
    }
    if (rc || (rc = xt_buf_putc(&b->keys, '}')) || (rc = xt_buf_putc(&b->units, '}')) ||
        (rc = xt_buf_putc(&b->addrs, '}')))
        return rc;
    struct xt_stmt *st = xt_conn_stmt(
        c, "INSERT INTO households(hh_key, unit, address, created_at)"
           " SELECT k, u, a, ?4 FROM unnest(?1::text[], ?2::text[], ?3::text[]) AS x(k, u, a)"
           " ON CONFLICT(hh_key) DO UPDATE SET hh_key=excluded.hh_key RETURNING hh_key, id");
    if (!st)
        return XT_EIO;
    xt_bind_text(st, 1, b->keys.data);
    xt_bind_text(st, 2, b->units.data);
    xt_bind_text(st, 3, b->addrs.data);
    xt_bind_int(st, 4, j->now);
    int got = 0;
    while ((rc = xt_step(st)) == 1) {
        const char *k = xt_col_text(st, 0);
        int lo = 0, hi = b->nhh;
        while (lo < hi) {
            int mid = (lo + hi) / 2, cmp = strcmp(b->hh[mid].key, k);
            if (cmp == 0) {
                b->hh[mid].id = xt_col_int(st, 1);
                got++;
                break;
            }
            if (cmp < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    xt_reset(st);
    return rc < 0 ? rc : got == b->nhh ? 0 : XT_EIO;
}

/* One gathered resident as the COPY rows of residents, resident_tags and
 * resident_sources. */
static int bulk_lines(struct import_job *j, struct xt_store *s, struct bulk *b,
                      const struct bulk_row *br, int64_t hh)
{
    const struct prow *r = br->r;
    const struct xt_person *p = &r->p;
    struct xt_buf *o = &b->res;
    int rc = 0;
    rc |= xt_copy_int(o, br->rid, false);
    rc |= xt_copy_text(o, p->unit, false);
    rc |= hh ? xt_copy_int(o, hh, false) : xt_copy_text(o, NULL, false);
    rc |= xt_copy_text(o, *p->relation ? p->relation : NULL, false);
    rc |= xt_copy_text(o, p->minor ? r->name_sealed : p->name, false);
    rc |= xt_copy_text(o, r->name_masked, false);
    rc |= xt_copy_int(o, p->minor, false);
    rc |= xt_copy_text(o, *r->q.id_key ? r->q.id_key : NULL, false);
    rc |= xt_copy_text(o, r->id_sealed, false);
    rc |= xt_copy_text(o, *r->id_masked ? r->id_masked : NULL, false);
    rc |= xt_copy_text(o, r->birth_sealed, false);
    rc |= *p->birth ? xt_copy_int(o, strtol(p->birth, NULL, 10) / 10000, false)
                    : xt_copy_text(o, NULL, false);
    rc |= xt_copy_int(o, p->sex, false);
    rc |= xt_copy_text(o, r->phone_sealed, false);
    rc |= xt_copy_text(o, *r->phone_masked ? r->phone_masked : NULL, false);
    rc |= xt_copy_text(o, r->eth_sealed, false);
    rc |= xt_copy_text(o, *p->languages ? p->languages : NULL, false);
    rc |= xt_copy_text(o, *p->address ? p->address : NULL, false);
    rc |= xt_copy_int(o, j->now, false);
    rc |= xt_copy_int(o, j->now, true);
    for (int i = 0; !rc && i < p->ntags; i++) {
        const struct xt_person_tag *t = &p->tags[i];
        char *sealed = NULL;
        if (t->def->sensitive || p->minor) {
            char v[48];
            snprintf(v, sizeof(v), "%s:%d", t->def->code, t->grade);
            if (!(sealed = seal(s, v)))
                return XT_EIO;
        }
        o = &b->tags;
        rc |= xt_copy_int(o, br->rid, false);
        rc |= xt_copy_text(o, p->unit, false);
        rc |= xt_copy_text(o, sealed ? NULL : t->def->code, false);
        rc |= xt_copy_text(o, sealed, false);
        rc |= xt_copy_int(o, sealed ? 0 : t->grade, false);
        rc |= xt_copy_text(o, j->tag_source, false);
        rc |= xt_copy_text(o, p->tag_date, false);
        rc |= xt_copy_int(o, j->now, true);
        free(sealed);
    }
    o = &b->src;
    rc |= xt_copy_int(o, br->rid, false);
    rc |= xt_copy_text(o, j->source, false);
    rc |= xt_copy_int(o, j->rep->run_id, false);
    rc |= xt_copy_int(o, j->now, false);
    rc |= xt_copy_text(o, r->data_sealed, true);
    return rc ? XT_ENOMEM : 0;
}

/* Write the gathered residents. */
static int bulk_flush(struct import_job *j, struct xt_store *s, struct xt_conn *c)
{
    struct bulk *b = j->bulk;
    if (!b || b->n == 0)
        return 0;
    int rc = bulk_households(j, b, c);
    xt_buf_reset(&b->res);
    xt_buf_reset(&b->tags);
    xt_buf_reset(&b->src);
    for (int i = 0; !rc && i < b->n; i++) {
        const struct xt_person *p = &b->rows[i].r->p;
        int64_t hh = 0;
        if (*p->household && !(hh = hh_find(b, p->household)))
            rc = XT_EIO;
        if (!rc)
            rc = bulk_lines(j, s, b, &b->rows[i], hh);
    }
    if (!rc)
        rc = xt_conn_copy(c,
                          "residents(id, unit, household_id, relation, name, name_masked, minor,"
                          " id_index, id_sealed, id_masked, birth_sealed, birth_year, sex,"
                          " phone_sealed, phone_masked, ethnicity_sealed, languages, address,"
                          " created_at, updated_at)",
                          b->res.data, b->res.len);
    if (!rc)
        rc = xt_conn_copy(c,
                          "resident_tags(resident_id, unit, tag, tag_sealed, grade, source,"
                          " since, added_at)",
                          b->tags.data, b->tags.len);
    if (!rc)
        rc = xt_conn_copy(c, "resident_sources(resident_id, source, run_id, seen_at, data_sealed)",
                          b->src.data, b->src.len);
    if (b->src.data)
        sodium_memzero(b->src.data, b->src.len);
    if (rc == XT_EEXIST)
        xt_error_set(j->err, rc, "",
                     "cannot store rows %ld to %ld: an ID number among them is already in the"
                     " registry outside unit '%s'",
                     b->first, b->last, j->scope);
    else if (rc)
        xt_error_set(j->err, rc, "", "cannot store rows %ld to %ld", b->first, b->last);
    b->n = 0;
    return rc;
}

/* Link and write one prepared row. */
static int write_row(struct import_job *j, struct xt_store *s, struct xt_conn *c, struct prow *r)
{
    struct xt_people_report *rep = j->rep;
    rep->rows++;
    if (r->rerr.code != XT_OK) {
        rep->rejected++;
        report_line(j, r->row, "rejected", r->rerr.field, r->rerr.message, 0);
        return 0;
    }
    const struct xt_person *p = &r->p;
    struct xt_link_result lr;
    xt_link_find(j->ix, &r->q, &lr);
    int rc;
    if (lr.kind == XT_LINK_MATCHED) {
        bool changed = false, conflict = false;
        /* The resident may be among the rows gathered for COPY. */
        if ((rc = bulk_flush(j, s, c)))
            return rc;
        rc = merge_row(j, s, c, lr.id, p, r->data, r->data_sealed, &changed, &conflict);
        if (rc == 0) {
            if (conflict) {
                rep->conflicting++;
                report_line(j, r->row, "conflicting", "",
                            "differs from the registry; kept"
                            " side by side until a person resolves it",
                            lr.id);
            } else if (changed) {
                rep->merged++;
            } else {
                rep->unchanged++;
            }
        }
        return rc;
    }
    int64_t rid = 0;
    if (j->bulk) {
        rc = bulk_add(j->bulk, c, r, &rid);
    } else {
        rc = insert_resident(j, c, r, j->now, &rid);
        for (int i = 0; rc == 0 && i < p->ntags; i++)
            rc = insert_tag(s, c, rid, p->unit, &p->tags[i], p->minor, j->tag_source,
                            p->tag_date, j->now);
        if (rc == 0)
            rc = upsert_source(s, c, rid, j->source, rep->run_id, r->data, r->data_sealed,
                               j->now);
    }
    if (rc == 0) {
        r->q.id = rid;
        rc = xt_link_index_add(j->ix, &r->q);
    }
    if (rc == 0 && lr.kind == XT_LINK_REVIEW_KIND) {
        bool opened = false;
        rc = open_conflict(c, rid, "identity", j->source, lr.id, j->now, &opened);
        rep->review++;
        char why[96];
        snprintf(why, sizeof(why), "may be resident %lld (score %.2f); a person decides",
                 (long long)lr.id, lr.score);
        report_line(j, r->row, "review", "", why, rid);
    } else if (rc == 0) {
        rep->created++;
    }
    return rc;
}

static int import_rows(struct import_job *j, struct xt_store *s, struct xt_conn *c)
{
    int rc = 0;
    struct batch *b;
    while (rc == 0 && (b = pipe_pop(j->pipe))) {
        for (int i = 0; rc == 0 && i < b->n; i++)
            if ((rc = write_row(j, s, c, &b->rows[i])) && j->err->code == XT_OK)
                xt_error_set(j->err, rc, "", "cannot store row %ld", b->rows[i].row);
        /* The gathered rows point into the batch: written before it goes. */
        if (rc == 0)
            rc = bulk_flush(j, s, c);
        if (j->bulk)
            j->bulk->n = 0;
        pthread_mutex_lock(&j->pipe->mu);
        b->next = j->pipe->used;
        j->pipe->used = b;
        pthread_mutex_unlock(&j->pipe->mu);
    }
    if (rc == 0 && j->pipe->rc) {
        *j->err = j->pipe->err;
        rc = j->pipe->rc;
    }
    return rc;
}

/* A bulk import into a registry smaller than the list writes the residents'
 * indexes in the order of the rows, which for the blind index of the ID
 * number is random: every row then touches a page of its own. Built once
 * after the rows, from sorted keys, the same indexes cost a fraction. So the
 * residents' secondary indexes are dropped here and made again by
 * indexes_restore, both inside the import's savepoint: a failure rolls the
 * drop back, and the UNIQUE index made again still refuses a duplicate (then
 * the whole import fails). On SQLite other connections keep reading the last
 * committed schema; on PostgreSQL the drop holds the table's exclusive lock
 * to the commit, so readers of residents wait for such an import (a first
 * load, larger than the whole registry; a county's later lists are not). Nothing in the import looks residents up by these indexes
 * (linkage uses the index in memory, everything else the primary key).
 * *saved gets the statements that make them again ("" when none dropped). */
static int indexes_drop(struct import_job *j, struct xt_conn *c, struct xt_buf *saved)
{
    /* Rows of a list run to some 60 bytes or more. The registry's size is
     * bounded by its highest id, which the primary key gives at once (a
     * province's registry is not counted for a county's list). */
    int64_t rows = (int64_t)(j->size_hint / 60);
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT COALESCE(MAX(id), 0) FROM residents");
    if (!st)
        return XT_EIO;
    int64_t have = xt_step(st) == 1 ? xt_col_int(st, 0) : -1;
    xt_reset(st);
    if (have < 0 || have >= rows)
        return 0;
    st = xt_conn_stmt2(c,
                       "SELECT name, sql FROM sqlite_master WHERE type='index'"
                       " AND tbl_name='residents' AND sql IS NOT NULL ORDER BY name",
                       "SELECT i.indexname, i.indexdef FROM pg_indexes i"
                       " WHERE i.schemaname = current_schema() AND i.tablename = 'residents'"
                       " AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
                       " WHERE k.conname = i.indexname AND k.conrelid = 'residents'::regclass)"
                       " ORDER BY i.indexname");
    if (!st)
        return XT_EIO;
    struct xt_buf drop;
    xt_buf_init(&drop, 0);
    int rc;
    while ((rc = xt_step(st)) == 1) {
        xt_buf_printf(&drop, "DROP INDEX \"%s\";", xt_col_text(st, 0));
        xt_buf_printf(saved, "%s;", xt_col_text(st, 1));
    }
    xt_reset(st);
    if (rc == 0 && drop.len && xt_conn_exec(c, drop.data))
        rc = XT_EIO;
    xt_buf_release(&drop);
    if (rc < 0)
        xt_buf_reset(saved);
    return rc < 0 ? XT_EIO : 0;
}

static int indexes_restore(struct xt_conn *c, const struct xt_buf *saved)
{
    if (!saved->len)
        return 0;
    bool lite = xt_conn_kind(c) == XT_DB_SQLITE;
    /* SQLite's sorter may use a helper thread for the index builds. */
    if (lite)
        xt_conn_exec(c, "PRAGMA threads=2");
    int rc = xt_conn_exec(c, saved->data) ? XT_EIO : 0;
    if (lite)
        xt_conn_exec(c, "PRAGMA threads=0");
    return rc;
}

static int import_run(struct xt_store *s, struct xt_conn *c, struct import_job *j)
{
    struct xt_people_report *rep = j->rep;
    struct xt_stmt *st = xt_conn_stmt(
        c, "SELECT id, rows_read, rows_new, rows_merged, rows_unchanged, rows_conflicting,"
           " rows_review, rows_rejected, report FROM people_imports"
           " WHERE source=?1 AND file_hash=?2");
    if (!st)
        return xt_sqlite_err(j->err, c, "people import");
    xt_bind_text(st, 1, j->source);
    xt_bind_text(st, 2, j->hash);
    int rc = xt_step(st);
    if (rc == 1) {
        rep->repeat = true;
        rep->run_id = xt_col_int(st, 0);
        rep->rows = xt_col_int(st, 1);
        rep->created = xt_col_int(st, 2);
        rep->merged = xt_col_int(st, 3);
        rep->unchanged = xt_col_int(st, 4);
        rep->conflicting = xt_col_int(st, 5);
        rep->review = xt_col_int(st, 6);
        rep->rejected = xt_col_int(st, 7);
        rep->lines = strdup(xt_col_text(st, 8));
    }
    xt_reset(st);
    if (rc < 0)
        return xt_sqlite_err(j->err, c, "people import");
    if (rep->repeat)
        return 0;
    st = xt_conn_stmt(c, "INSERT INTO people_imports(source, file_hash, file_name, unit, at,"
                         " actor, rows_read, rows_new, rows_merged, rows_unchanged,"
                         " rows_conflicting, rows_review, rows_rejected, report)"
                         " VALUES(?1, ?2, ?3, ?4, ?5, ?6, 0, 0, 0, 0, 0, 0, 0, '[]')"
                         " RETURNING id");
    if (!st)
        return xt_sqlite_err(j->err, c, "people import");
    xt_bind_text(st, 1, j->source);
    xt_bind_text(st, 2, j->hash);
    xt_bind_text(st, 3, j->name);
    xt_bind_text(st, 4, j->scope);
    xt_bind_int(st, 5, j->now);
    xt_bind_text(st, 6, j->a->username);
    rc = xt_step(st);
    if (rc == 1)
        rep->run_id = xt_col_int(st, 0);
    xt_reset(st);
    if (rc != 1)
        return xt_sqlite_err(j->err, c, "people import");
    j->ix = xt_link_index_new();
    if (!j->ix)
        return XT_ENOMEM;
    if ((rc = load_index(j, s, c))) {
        xt_error_set(j->err, rc, "", "cannot load the registry for linkage");
        return rc;
    }
    /* Rows of a list run to some 60 bytes or more: room for them all. */
    if (xt_link_index_reserve(j->ix, xt_link_index_size(j->ix) + j->size_hint / 60 + 1024))
        return XT_ENOMEM;
    struct xt_buf indexes;
    xt_buf_init(&indexes, 0);
    if ((rc = indexes_drop(j, c, &indexes))) {
        xt_buf_release(&indexes);
        return xt_sqlite_err(j->err, c, "people import");
    }
    if (xt_conn_kind(c) == XT_DB_POSTGRES && !(j->bulk = bulk_new())) {
        xt_buf_release(&indexes);
        return XT_ENOMEM;
    }
    rc = import_rows(j, s, c);
    bulk_free(j->bulk);
    j->bulk = NULL;
    if (rc == 0 && (rc = indexes_restore(c, &indexes)))
        xt_error_set(j->err, rc, "", "cannot index the residents: %s", xt_conn_errmsg(c));
    xt_buf_release(&indexes);
    if (rc)
        return rc;
    if (j->nlines)
        xt_buf_puts(&j->lines, "\n]");
    else
        xt_buf_puts(&j->lines, "[]");
    st = xt_conn_stmt(c, "UPDATE people_imports SET rows_read=?2, rows_new=?3, rows_merged=?4,"
                         " rows_unchanged=?5, rows_conflicting=?6, rows_review=?7,"
                         " rows_rejected=?8, report=?9 WHERE id=?1");
    if (!st)
        return xt_sqlite_err(j->err, c, "people import");
    xt_bind_int(st, 1, rep->run_id);
    xt_bind_int(st, 2, rep->rows);
    xt_bind_int(st, 3, rep->created);
    xt_bind_int(st, 4, rep->merged);
    xt_bind_int(st, 5, rep->unchanged);
    xt_bind_int(st, 6, rep->conflicting);
    xt_bind_int(st, 7, rep->review);
    xt_bind_int(st, 8, rep->rejected);
    xt_bind_text(st, 9, j->lines.data);
    rc = xt_step(st);
    xt_reset(st);
    if (rc != 0)
        return xt_sqlite_err(j->err, c, "people import");
    rep->lines = strdup(j->lines.data);
    char detail[160];
    snprintf(detail, sizeof(detail),
             "source=%s rows=%ld new=%ld merged=%ld conflicting=%ld"
             " review=%ld rejected=%ld",
             j->source, rep->rows, rep->created, rep->merged, rep->conflicting, rep->review,
             rep->rejected);
    char object[32];
    snprintf(object, sizeof(object), "import:%lld", (long long)rep->run_id);
    return xt_audit_append(s, c, j->a, "people.import", object, detail, j->now);
}

/* A large list touches every page of the residents' indexes: give SQLite's
 * page cache room for them while it is written (the writer's usual 64 MiB
 * otherwise). */
static int import_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    bool lite = xt_conn_kind(c) == XT_DB_SQLITE;
    if (lite)
        xt_conn_exec(c, "PRAGMA cache_size=-1048576");
    int rc = import_run(s, c, arg);
    if (lite)
        xt_conn_exec(c, "PRAGMA cache_size=-65536");
    return rc;
}

static bool source_ok(const char *source)
{
    size_t n = source ? strlen(source) : 0;
    return n >= 1 && n <= 32 && strspn(source, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int import_stream(struct xt_store *s, const struct xt_actor *a, FILE *fp, size_t size,
                         const char *hash, const char *name, const struct xt_people_mapping *m,
                         const char *source, const char *scope, int64_t now,
                         struct xt_people_report *rep, struct xt_error *err)
{
    load_tags(s);
    memset(rep, 0, sizeof(*rep));
    if (!xt_people_may_import(a->role))
        return xt_error_set(err, XT_EPERM, "", "role '%s' may not import lists",
                            xt_role_name(a->role));
    if (!source_ok(source))
        return xt_error_set(err, XT_EINVAL, "source", "must be 1 to 32 of a-z, 0-9, '_' and '-'");
    int level = xt_unit_level_of_code(scope ? scope : "");
    if (level < XT_LEVEL_PROVINCE || level > XT_LEVEL_VILLAGE || !xt_store_unit_name(s, scope))
        return xt_error_set(err, XT_EINVAL, "unit", "'%s' is not a known unit", scope ? scope : "");
    char county[XT_CODE_MAX];
    if (a->role == XT_ROLE_DEPARTMENT) {
        /* A department imports into its own county only. */
        if (!xt_unit_ancestor(a->scope, XT_LEVEL_COUNTY, county) || !xt_unit_within(scope, county))
            return xt_error_set(err, XT_EPERM, "unit", "outside the department's county");
    } else if (!xt_actor_covers(a, scope)) {
        return xt_error_set(err, XT_EPERM, "unit", "outside the caller's scope");
    }
    struct import_job j = {
        .a = a,
        .fp = fp,
        .m = m,
        .source = source,
        .scope = scope,
        .name = name,
        .hash = hash,
        .now = now,
        .today = today_of(now),
        .rep = rep,
        .err = err,
        .size_hint = size,
    };
    snprintf(j.tag_source, sizeof(j.tag_source), "%s", source);
    xt_buf_init(&j.lines, 0);
    struct pipe *pp = calloc(1, sizeof(*pp));
    if (!pp)
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    pthread_mutex_init(&pp->mu, NULL);
    pthread_cond_init(&pp->cv, NULL);
    pp->s = s;
    pp->fp = fp;
    pp->m = m;
    pp->scope = scope;
    pp->today = j.today;
    j.pipe = pp;
    pthread_t reader;
    if (pthread_create(&reader, NULL, reader_main, pp)) {
        free(pp);
        return xt_error_set(err, XT_EIO, "", "cannot start the reader");
    }
    int rc = xt_store_write(s, import_job, &j);
    /* A repeat or a failure may leave rows unread: stop and drain. */
    pipe_stop(pp);
    pthread_join(reader, NULL);
    batches_free(pp->head);
    batches_free(pp->used);
    pthread_mutex_destroy(&pp->mu);
    pthread_cond_destroy(&pp->cv);
    free(pp);
    xt_link_index_free(j.ix);
    xt_buf_release(&j.lines);
    if (rc) {
        long rows = rep->rows;
        xt_people_report_release(rep);
        memset(rep, 0, sizeof(*rep));
        rep->rows = rows;
        if (err->code == XT_OK)
            xt_error_set(err, rc, "", "cannot store the import");
        return rc;
    }
    return 0;
}

static int import_text(struct xt_store *s, const struct xt_actor *a, const char *data, size_t n,
                       const char *hash, const char *name, const struct xt_people_mapping *m,
                       const char *source, const char *scope, int64_t now,
                       struct xt_people_report *rep, struct xt_error *err)
{
    memset(rep, 0, sizeof(*rep));
    if (n == 0)
        return xt_error_set(err, XT_EINVAL, "file", "is empty");
    FILE *fp = fmemopen((void *)data, n, "r");
    if (!fp)
        return xt_error_set(err, XT_ENOMEM, "", "cannot read the list");
    int rc = import_stream(s, a, fp, n, hash, name, m, source, scope, now, rep, err);
    fclose(fp);
    return rc;
}

/* CSV text, or an .xlsx workbook turned into CSV text; the hash is always
 * of the bytes as given, so a file imported twice is known again. */
static int import_bytes(struct xt_store *s, const struct xt_actor *a, const char *data, size_t n,
                        const char *name, const struct xt_people_mapping *m, const char *source,
                        const char *scope, int64_t now, struct xt_people_report *rep,
                        struct xt_error *err)
{
    xt_error_clear(err);
    memset(rep, 0, sizeof(*rep));
    char hash[65];
    xt_sha256_hex(data, n, hash);
    if (!xt_xlsx_sniff(data, n))
        return import_text(s, a, data, n, hash, name, m, source, scope, now, rep, err);
    struct xt_buf csv;
    xt_buf_init(&csv, (size_t)2 << 30);
    int rc = xt_xlsx_to_csv(data, n, &csv, err);
    if (rc == 0)
        rc = import_text(s, a, csv.data ? csv.data : "", csv.len, hash, name, m, source, scope, now,
                         rep, err);
    else if (err->code == XT_OK)
        xt_error_set(err, rc, "file", "cannot read the workbook");
    xt_buf_release(&csv);
    return rc;
}

int xt_store_people_import_csv(struct xt_store *s, const struct xt_actor *a, const char *data,
                               size_t n, const char *name, const struct xt_people_mapping *m,
                               const char *source, const char *scope, int64_t now,
                               struct xt_people_report *rep, struct xt_error *err)
{
    return import_bytes(s, a, data, n, name, m, source, scope, now, rep, err);
}

int xt_store_people_import_file(struct xt_store *s, const struct xt_actor *a, const char *path,
                                const struct xt_people_mapping *m, const char *source,
                                const char *scope, int64_t now, struct xt_people_report *rep,
                                struct xt_error *err)
{
    xt_error_clear(err);
    memset(rep, 0, sizeof(*rep));
    struct xt_buf b;
    xt_buf_init(&b, (size_t)2 << 30);
    int rc = xt_buf_read_file(&b, path);
    if (rc) {
        xt_buf_release(&b);
        return xt_error_set(err, rc == XT_ENOTFOUND ? XT_ENOTFOUND : rc, "file", "cannot read '%s'",
                            path);
    }
    const char *slash = strrchr(path, '/');
    rc = import_bytes(s, a, b.data, b.len, slash ? slash + 1 : path, m, source, scope, now, rep,
                      err);
    xt_buf_release(&b);
    return rc;
}

/* ---- reads ---- */

/* The department key of a department actor's unit, "" otherwise. */
static void dept_key_of(struct xt_conn *c, const struct xt_actor *a, char out[32])
{
    out[0] = '\0';
    if (a->role != XT_ROLE_DEPARTMENT)
        return;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT dept_key FROM units WHERE code=?1");
    if (!st)
        return;
    xt_bind_text(st, 1, a->scope);
    if (xt_step(st) == 1)
        snprintf(out, 32, "%s", xt_col_text(st, 0));
    xt_reset(st);
}

/* The subtree an actor's people reads cover: its scope, or for a county
 * department the county. */
static void people_scope(const struct xt_actor *a, char out[XT_CODE_MAX])
{
    if (a->role == XT_ROLE_DEPARTMENT && xt_unit_ancestor(a->scope, XT_LEVEL_COUNTY, out))
        return;
    snprintf(out, XT_CODE_MAX, "%s", a->scope);
}

/* A field value as the caller may see it. */
static void show_value(const char *field, const char *value, bool clear, bool minor, char *out,
                       size_t outsz)
{
    if (clear || !*value) {
        snprintf(out, outsz, "%s", value);
    } else if (strcmp(field, "name") == 0) {
        if (minor)
            xt_mask_name(value, out, outsz);
        else
            snprintf(out, outsz, "%s", value);
    } else if (strcmp(field, "id_number") == 0) {
        xt_mask_id_number(value, out, outsz);
    } else if (strcmp(field, "phone") == 0) {
        xt_mask_phone(value, out, outsz);
    } else if (strcmp(field, "ethnicity") == 0 || strcmp(field, "birth") == 0 ||
               strcmp(field, "sex") == 0 || strcmp(field, "tags") == 0) {
        snprintf(out, outsz, "%s", "***");
    } else if (minor) {
        snprintf(out, outsz, "%s", "***");
    } else {
        snprintf(out, outsz, "%s", value);
    }
}

#define RES_COLS                                                                                   \
    "id, unit, household_id, relation, name, name_masked, minor, id_masked, id_sealed,"            \
    " birth_sealed, birth_year, sex, phone_masked, phone_sealed, ethnicity_sealed, languages,"     \
    " address, created_at, updated_at"

struct view {
    const struct xt_actor *a;
    char dept[32];
    bool clear;
};

/* The tags of a resident visible to the viewer; *hidden counts the rest;
 * *dept_tag tells whether one is of the viewer's department. */
static int tags_json(struct xt_store *s, struct xt_conn *c, const struct view *v, int64_t rid,
                     bool minor, struct json_object **out, int *hidden, bool *dept_tag)
{
    static const char sql[] = "SELECT tag, tag_sealed, grade, source, since FROM resident_tags"
                              " WHERE resident_id=?1 ORDER BY id";
    struct xt_stmt *st = xt_conn_stmt(c, sql);
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, rid);
    struct json_object *arr = json_object_new_array();
    *hidden = 0;
    *dept_tag = false;
    int rc;
    while ((rc = xt_step(st)) == 1) {
        char code[48];
        int grade = (int)xt_col_int(st, 2);
        if (!xt_col_null(st, 0)) {
            snprintf(code, sizeof(code), "%s", xt_col_text(st, 0));
        } else {
            unseal(s, xt_col_text(st, 1), code, sizeof(code));
            char *colon = strchr(code, ':');
            if (colon) {
                grade = (int)strtol(colon + 1, NULL, 10);
                *colon = '\0';
            }
        }
        const struct xt_tag_def *t = xt_tag_find(code);
        if (!t)
            continue;
        if (*v->dept && strcmp(t->department, v->dept) == 0)
            *dept_tag = true;
        if (!xt_people_tag_visible(v->a, v->dept, t, minor, v->clear)) {
            (*hidden)++;
            continue;
        }
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "tag", json_object_new_string(t->code));
        json_object_object_add(o, "name", json_object_new_string(t->zh));
        if (t->graded)
            json_object_object_add(o, "grade", json_object_new_int(grade));
        json_object_object_add(o, "source", json_object_new_string(xt_col_text(st, 3)));
        json_object_object_add(o, "since", json_object_new_string(xt_col_text(st, 4)));
        json_object_array_add(arr, o);
    }
    xt_reset(st);
    if (rc < 0) {
        json_object_put(arr);
        return XT_EIO;
    }
    *out = arr;
    return 0;
}

/* Render the current row of st (RES_COLS) for the viewer; NULL when the
 * viewer may not see this resident. */
static int resident_json(struct xt_store *s, struct xt_conn *c, const struct view *v,
                         struct xt_stmt *st, struct json_object **out)
{
    *out = NULL;
    int64_t rid = xt_col_int(st, 0);
    bool minor = xt_col_int(st, 6) != 0;
    char unit[XT_CODE_MAX];
    snprintf(unit, sizeof(unit), "%s", xt_col_text(st, 1));
    char scope[XT_CODE_MAX];
    people_scope(v->a, scope);
    if (!xt_unit_within(unit, scope))
        return 0;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(rid));
    json_object_object_add(o, "unit", json_object_new_string(unit));
    const char *un = xt_store_unit_name(s, unit);
    json_object_object_add(o, "unit_name", un ? json_object_new_string(un) : NULL);
    json_object_object_add(o, "household",
                           xt_col_null(st, 2) ? NULL : json_object_new_int64(xt_col_int(st, 2)));
    json_object_object_add(o, "relation",
                           xt_col_null(st, 3) ? NULL : json_object_new_string(xt_col_text(st, 3)));
    char buf[256];
    if (v->clear) {
        if (minor)
            unseal(s, xt_col_text(st, 4), buf, sizeof(buf));
        else
            snprintf(buf, sizeof(buf), "%s", xt_col_text(st, 4));
    } else {
        snprintf(buf, sizeof(buf), "%s", minor ? xt_col_text(st, 5) : xt_col_text(st, 4));
    }
    json_object_object_add(o, "name", json_object_new_string(buf));
    json_object_object_add(o, "minor", json_object_new_boolean(minor));
    if (v->clear)
        unseal(s, xt_col_text(st, 8), buf, sizeof(buf));
    else
        snprintf(buf, sizeof(buf), "%s", xt_col_text(st, 7));
    json_object_object_add(o, "id_number", *buf ? json_object_new_string(buf) : NULL);
    if (v->clear) {
        if (xt_col_null(st, 9) && strlen(buf) == 18) { /* from the ID number */
            char b[11];
            snprintf(b, sizeof(b), "%.8s", buf + 6);
            snprintf(buf, sizeof(buf), "%s", b);
        } else {
            unseal(s, xt_col_text(st, 9), buf, sizeof(buf));
        }
        json_object_object_add(o, "birth_date", json_object_new_string(buf));
    }
    /* The birth year shows the age group that needs depend on; a minor's
     * is withheld like the rest of his record. */
    if (!xt_col_null(st, 10) && (!minor || v->clear))
        json_object_object_add(o, "birth_year", json_object_new_int((int)xt_col_int(st, 10)));
    int sex = (int)xt_col_int(st, 11);
    json_object_object_add(o, "sex",
                           json_object_new_string(sex == XT_SEX_MALE     ? "male"
                                                  : sex == XT_SEX_FEMALE ? "female"
                                                                         : "unknown"));
    if (v->clear)
        unseal(s, xt_col_text(st, 13), buf, sizeof(buf));
    else
        snprintf(buf, sizeof(buf), "%s", xt_col_text(st, 12));
    json_object_object_add(o, "phone", *buf ? json_object_new_string(buf) : NULL);
    if (v->clear) {
        char eth[8];
        unseal(s, xt_col_text(st, 14), eth, sizeof(eth));
        const struct xt_ethnic *g = xt_ethnic_by_code((int)strtol(eth, NULL, 10));
        if (g) {
            struct json_object *e = json_object_new_object();
            json_object_object_add(e, "code", json_object_new_string(eth));
            json_object_object_add(e, "name", json_object_new_string(g->zh));
            json_object_object_add(o, "ethnicity", e);
        } else {
            json_object_object_add(o, "ethnicity", NULL);
        }
    } else {
        json_object_object_add(o, "ethnicity",
                               xt_col_null(st, 14) ? NULL : json_object_new_string("***"));
    }
    show_value("languages", xt_col_text(st, 15), v->clear, minor, buf, sizeof(buf));
    json_object_object_add(o, "languages", *buf ? json_object_new_string(buf) : NULL);
    show_value("address", xt_col_text(st, 16), v->clear, minor, buf, sizeof(buf));
    json_object_object_add(o, "address", *buf ? json_object_new_string(buf) : NULL);
    char t[32];
    xt_time_format(xt_col_int(st, 18), t);
    json_object_object_add(o, "updated_at", json_object_new_string(t));
    json_object_object_add(o, "masked", json_object_new_boolean(!v->clear));
    struct json_object *tags;
    int hidden;
    bool dept_tag;
    int rc = tags_json(s, c, v, rid, minor, &tags, &hidden, &dept_tag);
    if (rc) {
        json_object_put(o);
        return rc;
    }
    if (v->a->role == XT_ROLE_DEPARTMENT && !dept_tag) {
        json_object_put(tags);
        json_object_put(o);
        return 0;
    }
    json_object_object_add(o, "tags", tags);
    json_object_object_add(o, "protected_tags", json_object_new_int(hidden));
    *out = o;
    return 0;
}

static int view_init(struct xt_store *s, struct xt_conn *c, const struct xt_actor *a, bool reveal,
                     struct view *v, struct xt_error *err)
{
    memset(v, 0, sizeof(*v));
    v->a = a;
    if (!xt_people_may_read(a->role))
        return xt_error_set(err, XT_EPERM, "", "role '%s' may not read the people registry",
                            xt_role_name(a->role));
    if (reveal && !xt_people_may_reveal(a->role))
        return xt_error_set(err, XT_EPERM, "reveal", "role '%s' may not see personal data unmasked",
                            xt_role_name(a->role));
    v->clear = reveal;
    dept_key_of(c, a, v->dept);
    (void)s;
    return 0;
}

int xt_store_people_list(struct xt_store *s, const struct xt_actor *a, const char *unit,
                         const char *tag, int64_t cursor, int limit, struct json_object **out,
                         struct xt_error *err)
{
    load_tags(s);
    xt_error_clear(err);
    if (limit < 1 || limit > 500)
        return xt_error_set(err, XT_EINVAL, "limit", "must be 1..500");
    const struct xt_tag_def *want = NULL;
    if (tag && *tag && !(want = xt_tag_find(tag)))
        return xt_error_set(err, XT_EINVAL, "tag", "unknown tag '%.40s'", tag);
    char scope[XT_CODE_MAX];
    people_scope(a, scope);
    if (!unit || !*unit)
        unit = scope;
    if (!xt_unit_within(unit, scope) && !xt_unit_within(scope, unit))
        return xt_error_set(err, XT_ENOTFOUND, "unit", "no unit '%s' in view", unit);
    if (xt_unit_within(scope, unit))
        unit = scope;
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    struct view v;
    int rc = view_init(s, c, a, false, &v, err);
    if (rc) {
        xt_store_reader_put(s, c);
        return rc;
    }
    static const char sqlp[] = "SELECT " RES_COLS " FROM residents WHERE unit >= ?1"
                               " AND unit < ?2 AND id > ?3 ORDER BY id LIMIT ?4";
    char lo[XT_CODE_MAX], hi[XT_CODE_MAX + 1];
    subtree(unit, lo, hi);
    struct json_object *items = json_object_new_array();
    int64_t last = cursor;
    bool more = true;
    /* Departments and tag filters skip residents: read on until the page
     * is full or the subtree ends. */
    while (more && (int)json_object_array_length(items) < limit) {
        struct xt_stmt *st = xt_conn_stmt(c, sqlp);
        if (!st) {
            rc = XT_EIO;
            break;
        }
        xt_bind_text(st, 1, lo);
        xt_bind_text(st, 2, hi);
        xt_bind_int(st, 3, last);
        xt_bind_int(st, 4, limit);
        int got = 0;
        while ((rc = xt_step(st)) == 1 && (int)json_object_array_length(items) < limit) {
            got++;
            last = xt_col_int(st, 0);
            struct json_object *o;
            if ((rc = resident_json(s, c, &v, st, &o)))
                break;
            if (o && want) {
                bool has = false;
                struct json_object *tags = json_object_object_get(o, "tags");
                for (size_t i = 0; i < json_object_array_length(tags); i++) {
                    struct json_object *t = json_object_array_get_idx(tags, i);
                    if (strcmp(json_object_get_string(json_object_object_get(t, "tag")),
                               want->code) == 0)
                        has = true;
                }
                if (!has) {
                    json_object_put(o);
                    o = NULL;
                }
            }
            if (o)
                json_object_array_add(items, o);
        }
        xt_reset(st);
        if (rc < 0)
            break;
        more = got == limit;
        rc = 0;
    }
    xt_store_reader_put(s, c);
    if (rc) {
        json_object_put(items);
        return xt_error_set(err, XT_EIO, "", "cannot list residents");
    }
    *out = json_object_new_object();
    json_object_object_add(*out, "unit", json_object_new_string(unit));
    json_object_object_add(*out, "items", items);
    json_object_object_add(*out, "next_cursor", more ? json_object_new_int64(last) : NULL);
    return 0;
}

static int lineage_json(struct xt_store *s, struct xt_conn *c, const struct view *v, int64_t rid,
                        bool minor, struct json_object **out)
{
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT source, run_id, seen_at, data_sealed FROM"
                                         " resident_sources WHERE resident_id=?1 ORDER BY seen_at,"
                                         " source");
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, rid);
    struct json_object *arr = json_object_new_array();
    int rc;
    while ((rc = xt_step(st)) == 1) {
        char data[4096];
        unseal(s, xt_col_text(st, 3), data, sizeof(data));
        struct json_object *d = json_tokener_parse(data);
        sodium_memzero(data, sizeof(data));
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "source", json_object_new_string(xt_col_text(st, 0)));
        json_object_object_add(o, "run", json_object_new_int64(xt_col_int(st, 1)));
        char t[32];
        xt_time_format(xt_col_int(st, 2), t);
        json_object_object_add(o, "seen_at", json_object_new_string(t));
        struct json_object *vals = json_object_new_object();
        if (d) {
            json_object_object_foreach(d, key, val)
            {
                char shown[512];
                const char *raw = json_object_get_string(val);
                show_value(key, raw ? raw : "", v->clear, minor, shown, sizeof(shown));
                json_object_object_add(vals, key, json_object_new_string(shown));
            }
            json_object_put(d);
        }
        json_object_object_add(o, "values", vals);
        json_object_array_add(arr, o);
    }
    xt_reset(st);
    if (rc < 0) {
        json_object_put(arr);
        return XT_EIO;
    }
    *out = arr;
    return 0;
}

static int conflicts_json(struct xt_conn *c, int64_t rid, bool open_only, struct json_object **out)
{
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT id, field, source, other_id, opened_at,"
                                         " resolved_at, resolved_by, resolution FROM"
                                         " person_conflicts WHERE resident_id=?1 ORDER BY id");
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, rid);
    struct json_object *arr = json_object_new_array();
    int rc;
    while ((rc = xt_step(st)) == 1) {
        bool resolved = !xt_col_null(st, 5);
        if (open_only && resolved)
            continue;
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int64(xt_col_int(st, 0)));
        json_object_object_add(o, "field", json_object_new_string(xt_col_text(st, 1)));
        json_object_object_add(o, "source", json_object_new_string(xt_col_text(st, 2)));
        if (!xt_col_null(st, 3))
            json_object_object_add(o, "other_resident", json_object_new_int64(xt_col_int(st, 3)));
        char t[32];
        xt_time_format(xt_col_int(st, 4), t);
        json_object_object_add(o, "opened_at", json_object_new_string(t));
        json_object_object_add(o, "state", json_object_new_string(resolved ? "resolved" : "open"));
        if (resolved) {
            json_object_object_add(o, "resolved_by", json_object_new_string(xt_col_text(st, 6)));
            json_object_object_add(o, "resolution", json_object_new_string(xt_col_text(st, 7)));
        }
        json_object_array_add(arr, o);
    }
    xt_reset(st);
    if (rc < 0) {
        json_object_put(arr);
        return XT_EIO;
    }
    *out = arr;
    return 0;
}

/* Each conflict gets the values of its field side by side: the registry's
 * current one and what every list said, with when (already masked). */
static void side_by_side(struct json_object *res, struct json_object *lineage,
                         struct json_object *conflicts)
{
    for (size_t i = 0; i < json_object_array_length(conflicts); i++) {
        struct json_object *cf = json_object_array_get_idx(conflicts, i);
        const char *field = json_object_get_string(json_object_object_get(cf, "field"));
        if (!field)
            continue;
        struct json_object *vals = json_object_new_array();
        struct json_object *cur = json_object_object_get(res, field);
        if (cur && strcmp(field, "identity") != 0) {
            struct json_object *e = json_object_new_object();
            json_object_object_add(e, "source", json_object_new_string("registry"));
            json_object_object_add(e, "value", json_object_get(cur));
            json_object_array_add(vals, e);
        }
        for (size_t k = 0; k < json_object_array_length(lineage); k++) {
            struct json_object *l = json_object_array_get_idx(lineage, k);
            struct json_object *v =
                json_object_object_get(json_object_object_get(l, "values"), field);
            if (!v)
                continue;
            struct json_object *e = json_object_new_object();
            json_object_object_add(e, "source",
                                   json_object_get(json_object_object_get(l, "source")));
            json_object_object_add(e, "seen_at",
                                   json_object_get(json_object_object_get(l, "seen_at")));
            json_object_object_add(e, "value", json_object_get(v));
            json_object_array_add(vals, e);
        }
        json_object_object_add(cf, "values", vals);
    }
}

int xt_store_people_get(struct xt_store *s, const struct xt_actor *a, int64_t id, bool reveal,
                        int64_t now, struct json_object **out, struct xt_error *err)
{
    load_tags(s);
    xt_error_clear(err);
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    struct view v;
    int rc = view_init(s, c, a, reveal, &v, err);
    if (rc) {
        xt_store_reader_put(s, c);
        return rc;
    }
    static const char sqlp[] = "SELECT " RES_COLS " FROM residents WHERE id=?1";
    struct xt_stmt *st = xt_conn_stmt(c, sqlp);
    struct json_object *o = NULL;
    bool minor = false;
    int64_t household = 0;
    rc = XT_EIO;
    if (st) {
        xt_bind_int(st, 1, id);
        int r = xt_step(st);
        if (r == 1) {
            minor = xt_col_int(st, 6) != 0;
            household = xt_col_int(st, 2);
            rc = resident_json(s, c, &v, st, &o);
        } else if (r == 0) {
            rc = 0;
        }
        xt_reset(st);
    }
    if (!rc && o) {
        struct json_object *lin = NULL, *conf = NULL;
        if ((rc = lineage_json(s, c, &v, id, minor, &lin)) == 0 &&
            (rc = conflicts_json(c, id, false, &conf)) == 0) {
            side_by_side(o, lin, conf);
            json_object_object_add(o, "lineage", lin);
            json_object_object_add(o, "conflicts", conf);
        } else {
            json_object_put(lin);
        }
        if (!rc && household) {
            static const char msql[] = "SELECT id, name, name_masked, minor, relation FROM"
                                       " residents WHERE household_id=?1 ORDER BY id";
            struct xt_stmt *ms = xt_conn_stmt(c, msql);
            struct json_object *mem = json_object_new_array();
            if (ms) {
                xt_bind_int(ms, 1, household);
                while (xt_step(ms) == 1) {
                    struct json_object *m = json_object_new_object();
                    json_object_object_add(m, "id", json_object_new_int64(xt_col_int(ms, 0)));
                    bool mm = xt_col_int(ms, 3) != 0;
                    char nm[128];
                    if (mm && v.clear)
                        unseal(s, xt_col_text(ms, 1), nm, sizeof(nm));
                    else
                        snprintf(nm, sizeof(nm), "%s",
                                 mm ? xt_col_text(ms, 2) : xt_col_text(ms, 1));
                    json_object_object_add(m, "name", json_object_new_string(nm));
                    json_object_object_add(m, "relation",
                                           json_object_new_string(xt_col_text(ms, 4)));
                    json_object_array_add(mem, m);
                }
                xt_reset(ms);
            }
            json_object_object_add(o, "household_members", mem);
        }
    }
    xt_store_reader_put(s, c);
    if (rc) {
        json_object_put(o);
        return xt_error_set(err, XT_EIO, "", "cannot read the resident");
    }
    if (!o)
        return xt_error_set(err, XT_ENOTFOUND, "id", "no resident %lld", (long long)id);
    if (reveal) {
        char object[32];
        snprintf(object, sizeof(object), "resident:%lld", (long long)id);
        if (xt_store_audit(s, a, "people.reveal", object, "unmasked read", now)) {
            json_object_put(o);
            return xt_error_set(err, XT_EIO, "", "cannot audit the read");
        }
    }
    *out = o;
    return 0;
}

/* ---- writes by a person ---- */

/* The resident's unit and minor flag, for scope checks in the writer. */
static int resident_unit(struct xt_conn *c, int64_t id, char unit[XT_CODE_MAX], bool *minor)
{
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT unit, minor FROM residents WHERE id=?1");
    if (!st)
        return XT_EIO;
    xt_bind_int(st, 1, id);
    int rc = xt_step(st);
    if (rc == 1) {
        snprintf(unit, XT_CODE_MAX, "%s", xt_col_text(st, 0));
        *minor = xt_col_int(st, 1) != 0;
    }
    xt_reset(st);
    return rc == 1 ? 0 : rc == 0 ? XT_ENOTFOUND : XT_EIO;
}

/* resident_unit for a write by a: a resident outside a's area is "not
 * found", as a read would say. */
static int resident_in_scope(struct xt_conn *c, const struct xt_actor *a, int64_t id,
                             char unit[XT_CODE_MAX], bool *minor, struct xt_error *err)
{
    int rc = resident_unit(c, id, unit, minor);
    if (rc == XT_ENOTFOUND || (!rc && !xt_actor_covers(a, unit)))
        return xt_error_set(err, XT_ENOTFOUND, "id", "no resident %lld", (long long)id);
    return rc ? xt_sqlite_err(err, c, "resident") : 0;
}

struct edit_job {
    const struct xt_actor *a;
    int64_t id;
    const struct xt_people_edit *e;
    struct xt_person checked; /* phone and tags checked by core */
    int64_t now;
    struct xt_error *err;
};

static int edit_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct edit_job *j = arg;
    char unit[XT_CODE_MAX];
    bool minor;
    int rc = resident_in_scope(c, j->a, j->id, unit, &minor, j->err);
    if (rc)
        return rc;
    char source[80];
    snprintf(source, sizeof(source), "edit:%s", j->a->username);
    const struct xt_people_edit *e = j->e;
    if ((e->phone && (rc = set_field(s, c, j->id, "phone", j->checked.phone, j->now))) ||
        (e->address && (rc = set_field(s, c, j->id, "address", e->address, j->now))) ||
        (e->languages && (rc = set_field(s, c, j->id, "languages", e->languages, j->now))) ||
        (e->relation && (rc = set_field(s, c, j->id, "relation", e->relation, j->now))))
        return xt_sqlite_err(j->err, c, "resident");
    for (int i = 0; i < j->checked.ntags; i++) {
        bool found;
        if ((rc = has_tag(s, c, j->id, source, &j->checked.tags[i], &found)))
            return xt_sqlite_err(j->err, c, "tags");
        if (!found && (rc = insert_tag(s, c, j->id, unit, &j->checked.tags[i], minor, source,
                                       j->checked.tag_date, j->now)))
            return xt_sqlite_err(j->err, c, "tags");
    }
    /* Lineage: what the person said, beside what the lists said. */
    struct json_object *d = json_object_new_object();
    if (e->phone)
        json_object_object_add(d, "phone", json_object_new_string(j->checked.phone));
    if (e->address)
        json_object_object_add(d, "address", json_object_new_string(e->address));
    if (e->languages)
        json_object_object_add(d, "languages", json_object_new_string(e->languages));
    if (e->relation)
        json_object_object_add(d, "relation", json_object_new_string(e->relation));
    if (e->tags)
        json_object_object_add(d, "tags", json_object_new_string(e->tags));
    rc = upsert_source(
        s, c, j->id, source, 0,
        json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
        NULL, j->now);
    json_object_put(d);
    if (rc)
        return xt_sqlite_err(j->err, c, "lineage");
    char object[32];
    snprintf(object, sizeof(object), "resident:%lld", (long long)j->id);
    return xt_audit_append(s, c, j->a, "people.edit", object, "", j->now);
}

int xt_store_people_edit(struct xt_store *s, const struct xt_actor *a, int64_t id,
                         const struct xt_people_edit *e, int64_t now, struct xt_error *err)
{
    load_tags(s);
    xt_error_clear(err);
    if (!xt_people_may_edit(a->role))
        return xt_error_set(err, XT_EPERM, "", "role '%s' may not edit residents",
                            xt_role_name(a->role));
    struct edit_job j = {.a = a, .id = id, .e = e, .now = now, .err = err};
    if (e->phone && *e->phone && xt_phone_check(e->phone, NULL))
        return xt_error_set(err, XT_EINVAL, "phone",
                            "must be a mobile (11 digits) or landline number");
    if (e->phone)
        snprintf(j.checked.phone, sizeof(j.checked.phone), "%s", e->phone);
    /* Tags and text fields are checked by the same rules as a list row. */
    struct xt_person_in in = {.name = "x",
                              .birth_date = "2000-01-01",
                              .unit = "000000000000",
                              .tags = e->tags,
                              .address = e->address,
                              .languages = e->languages,
                              .relation = e->relation};
    struct xt_person p;
    int rc = xt_person_check(&in, today_of(now), &p, err);
    if (rc)
        return rc;
    memcpy(j.checked.tags, p.tags, sizeof(p.tags));
    j.checked.ntags = p.ntags;
    memcpy(j.checked.tag_date, p.tag_date, sizeof(p.tag_date));
    rc = xt_store_write(s, edit_job, &j);
    if (rc && err->code == XT_OK)
        xt_error_set(err, rc, "", "cannot store the edit");
    return rc;
}

struct resolve_job {
    const struct xt_actor *a;
    int64_t id, cid;
    const char *source;
    int64_t now;
    struct xt_error *err;
};

static int resolve_job(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct resolve_job *j = arg;
    char unit[XT_CODE_MAX];
    bool minor;
    int rc = resident_in_scope(c, j->a, j->id, unit, &minor, j->err);
    if (rc)
        return rc;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT field, resolved_at FROM person_conflicts"
                                         " WHERE id=?1 AND resident_id=?2");
    if (!st)
        return xt_sqlite_err(j->err, c, "conflict");
    xt_bind_int(st, 1, j->cid);
    xt_bind_int(st, 2, j->id);
    char field[32] = "";
    bool resolved = false;
    rc = xt_step(st);
    if (rc == 1) {
        snprintf(field, sizeof(field), "%s", xt_col_text(st, 0));
        resolved = !xt_col_null(st, 1);
    }
    xt_reset(st);
    if (rc == 0)
        return xt_error_set(j->err, XT_ENOTFOUND, "conflict", "no conflict %lld",
                            (long long)j->cid);
    if (rc < 0)
        return xt_sqlite_err(j->err, c, "conflict");
    if (resolved)
        return xt_error_set(j->err, XT_ESTATE, "conflict", "already resolved");
    char resolution[128];
    if (*j->source && strcmp(field, "identity") != 0) {
        /* Take what that list said. */
        st = xt_conn_stmt(c, "SELECT data_sealed FROM resident_sources WHERE resident_id=?1"
                             " AND source=?2");
        if (!st)
            return xt_sqlite_err(j->err, c, "lineage");
        xt_bind_int(st, 1, j->id);
        xt_bind_text(st, 2, j->source);
        char data[4096] = "";
        rc = xt_step(st);
        if (rc == 1)
            unseal(s, xt_col_text(st, 0), data, sizeof(data));
        xt_reset(st);
        if (rc != 1)
            return xt_error_set(j->err, XT_EINVAL, "source", "no list '%.40s' for this resident",
                                j->source);
        struct json_object *d = json_tokener_parse(data);
        sodium_memzero(data, sizeof(data));
        struct json_object *val = d ? json_object_object_get(d, field) : NULL;
        char value[512] = "";
        if (val && strcmp(field, "ethnicity") == 0)
            snprintf(value, sizeof(value), "%02d", json_object_get_int(val));
        else if (val)
            snprintf(value, sizeof(value), "%s", json_object_get_string(val));
        json_object_put(d);
        if (!*value)
            return xt_error_set(j->err, XT_EINVAL, "source", "list '%.40s' gave no %s", j->source,
                                field);
        if (strcmp(field, "name") == 0) {
            char masked[128];
            xt_mask_name(value, masked, sizeof(masked));
            char *sealed = minor ? seal(s, value) : NULL;
            st = xt_conn_stmt(c, "UPDATE residents SET name=?2, name_masked=?3, updated_at=?4"
                                 " WHERE id=?1");
            if (!st || (minor && !sealed)) {
                free(sealed);
                return xt_sqlite_err(j->err, c, "resident");
            }
            xt_bind_int(st, 1, j->id);
            xt_bind_text(st, 2, minor ? sealed : value);
            xt_bind_text(st, 3, masked);
            xt_bind_int(st, 4, j->now);
            rc = xt_step(st) == 0 ? 0 : XT_EIO;
            xt_reset(st);
            free(sealed);
        } else {
            rc = set_field(s, c, j->id, field, value, j->now);
        }
        sodium_memzero(value, sizeof(value));
        if (rc)
            return rc == XT_EINVAL ? xt_error_set(j->err, XT_EINVAL, "conflict",
                                                  "field '%s' cannot be taken from a list", field)
                                   : xt_sqlite_err(j->err, c, "resident");
        snprintf(resolution, sizeof(resolution), "took %s from '%s'", field, j->source);
    } else {
        snprintf(resolution, sizeof(resolution), "%s",
                 strcmp(field, "identity") == 0 ? "different people" : "kept the current value");
    }
    /* Every open conflict on the same field is settled by this decision. */
    st = xt_conn_stmt(c, "UPDATE person_conflicts SET resolved_at=?3, resolved_by=?4,"
                         " resolution=?5 WHERE resident_id=?1 AND field=?2"
                         " AND resolved_at IS NULL");
    if (!st)
        return xt_sqlite_err(j->err, c, "conflict");
    xt_bind_int(st, 1, j->id);
    xt_bind_text(st, 2, field);
    xt_bind_int(st, 3, j->now);
    xt_bind_text(st, 4, j->a->username);
    xt_bind_text(st, 5, resolution);
    rc = xt_step(st) == 0 ? 0 : XT_EIO;
    xt_reset(st);
    if (rc)
        return xt_sqlite_err(j->err, c, "conflict");
    char object[48];
    snprintf(object, sizeof(object), "resident:%lld/conflict:%lld", (long long)j->id,
             (long long)j->cid);
    return xt_audit_append(s, c, j->a, "people.resolve", object, resolution, j->now);
}

int xt_store_people_resolve(struct xt_store *s, const struct xt_actor *a, int64_t id, int64_t cid,
                            const char *source, int64_t now, struct xt_error *err)
{
    xt_error_clear(err);
    if (!xt_people_may_resolve(a->role))
        return xt_error_set(err, XT_EPERM, "", "role '%s' may not resolve conflicts",
                            xt_role_name(a->role));
    struct resolve_job j = {a, id, cid, source ? source : "", now, err};
    int rc = xt_store_write(s, resolve_job, &j);
    if (rc && err->code == XT_OK)
        xt_error_set(err, rc, "", "cannot resolve the conflict");
    return rc;
}

/* ---- needs basis ---- */

int xt_store_people_needs(struct xt_store *s, const struct xt_actor *a, const char *unit,
                          int period, struct json_object **out, struct xt_error *err)
{
    load_tags(s);
    xt_error_clear(err);
    if (!xt_people_may_read(a->role))
        return xt_error_set(err, XT_EPERM, "", "role '%s' may not read the people registry",
                            xt_role_name(a->role));
    char scope[XT_CODE_MAX];
    people_scope(a, scope);
    if (!unit || !*unit)
        unit = scope;
    if (!xt_unit_within(unit, scope))
        return xt_error_set(err, XT_ENOTFOUND, "unit", "no unit '%s' in view", unit);
    /* Tags count when they held by the end of the period. */
    char until[24];
    int y = period / 100, m = period % 100;
    if (m == 0)
        snprintf(until, sizeof(until), "%04d-12-31", y);
    else
        snprintf(until, sizeof(until), "%04d-%02d-31", y, m);
    char lo[XT_CODE_MAX], hi[XT_CODE_MAX + 1];
    subtree(unit, lo, hi);
    struct xt_conn *c = xt_store_reader(s);
    if (!c)
        return xt_error_set(err, XT_EIO, "", "storage unavailable");
    int ntag = xt_tag_count(), nneed = xt_need_count();
    long tag_n[32] = {0}, need_n[32] = {0}, people = 0, residents = 0, households = 0;
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT resident_id, tag, tag_sealed, since FROM"
                                         " resident_tags WHERE unit >= ?1 AND unit < ?2"
                                         " ORDER BY resident_id");
    int rc = XT_EIO;
    if (st) {
        xt_bind_text(st, 1, lo);
        xt_bind_text(st, 2, hi);
        int64_t cur = -1;
        bool seen_tag[32], seen_need[32];
        while ((rc = xt_step(st)) == 1) {
            int64_t rid = xt_col_int(st, 0);
            if (rid != cur) {
                cur = rid;
                people++;
                memset(seen_tag, 0, sizeof(seen_tag));
                memset(seen_need, 0, sizeof(seen_need));
            }
            if (strcmp(xt_col_text(st, 3), until) > 0)
                continue;
            char code[48];
            if (!xt_col_null(st, 1))
                snprintf(code, sizeof(code), "%s", xt_col_text(st, 1));
            else
                unseal(s, xt_col_text(st, 2), code, sizeof(code));
            char *colon = strchr(code, ':');
            if (colon)
                *colon = '\0';
            for (int i = 0; i < ntag && i < 32; i++) {
                const struct xt_tag_def *t = xt_tag_at(i);
                if (strcmp(t->code, code) != 0 || seen_tag[i])
                    continue;
                seen_tag[i] = true;
                tag_n[i]++;
                for (int k = 0; k < XT_NEEDS_PER_TAG && t->needs[k]; k++) {
                    int ni = xt_need_index(t->needs[k]);
                    if (ni >= 0 && ni < 32 && !seen_need[ni]) {
                        seen_need[ni] = true;
                        need_n[ni]++;
                    }
                }
            }
        }
        xt_reset(st);
    }
    if (rc == 0) {
        st = xt_conn_stmt(c, "SELECT COUNT(*), COUNT(DISTINCT household_id) FROM residents"
                             " WHERE unit >= ?1 AND unit < ?2");
        rc = XT_EIO;
        if (st) {
            xt_bind_text(st, 1, lo);
            xt_bind_text(st, 2, hi);
            if (xt_step(st) == 1) {
                residents = xt_col_int(st, 0);
                households = xt_col_int(st, 1);
                rc = 0;
            }
            xt_reset(st);
        }
    }
    xt_store_reader_put(s, c);
    if (rc)
        return xt_error_set(err, XT_EIO, "", "cannot count needs");
    (void)people;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "unit", json_object_new_string(unit));
    const char *un = xt_store_unit_name(s, unit);
    json_object_object_add(o, "unit_name", un ? json_object_new_string(un) : NULL);
    char p[16];
    if (m == 0)
        snprintf(p, sizeof(p), "%04d", y);
    else
        snprintf(p, sizeof(p), "%04d-%02d", y, m);
    json_object_object_add(o, "period", json_object_new_string(p));
    json_object_object_add(o, "residents", json_object_new_int64(residents));
    json_object_object_add(o, "households", json_object_new_int64(households));
    struct json_object *tags = json_object_new_array();
    for (int i = 0; i < ntag && i < 32; i++) {
        struct json_object *t = json_object_new_object();
        json_object_object_add(t, "tag", json_object_new_string(xt_tag_at(i)->code));
        json_object_object_add(t, "name", json_object_new_string(xt_tag_at(i)->zh));
        json_object_object_add(t, "count", json_object_new_int64(tag_n[i]));
        json_object_array_add(tags, t);
    }
    json_object_object_add(o, "tags", tags);
    struct json_object *needs = json_object_new_array();
    for (int i = 0; i < nneed && i < 32; i++) {
        struct json_object *t = json_object_new_object();
        json_object_object_add(t, "need", json_object_new_string(xt_need_at(i)->code));
        json_object_object_add(t, "name", json_object_new_string(xt_need_at(i)->zh));
        json_object_object_add(t, "people", json_object_new_int64(need_n[i]));
        json_object_array_add(needs, t);
    }
    json_object_object_add(o, "needs", needs);
    *out = o;
    return 0;
}
