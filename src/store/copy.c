/* copy.c - copy a whole database to another backend (xietong
 * migrate-data), verified by row counts and checksums per table.
 *
 * Everything goes through db.h, so the same code copies SQLite to
 * PostgreSQL, back, or SQLite to SQLite. The target is first opened as a
 * store, which runs the migrations; then, inside one transaction on the
 * target, every table is copied in an order that satisfies the foreign
 * keys, every table is read back and hashed, and the transaction commits
 * only when every count and checksum matches the source. A failure at any
 * point leaves the target tables empty.
 *
 * The checksum of a table is the SHA-256 of its rows in primary-key order,
 * each row rendered canonically: values separated by a tab, the row ended
 * by a newline, NULL as \N, integers in decimal, reals as %.17g (which
 * round-trips a double exactly), text as is with backslash, tab, newline
 * and carriage return escaped as \\, \t, \n, \r (PostgreSQL's COPY text
 * format). Text keys are ordered by byte value on both backends (SQLite's
 * BINARY collation, PostgreSQL's "C"), whatever the server's locale.
 *
 * The source is read in one read-only transaction, so the copy is a
 * consistent snapshot even if something writes meanwhile; writes after
 * the snapshot are not copied, which the row counts taken again at the end
 * reveal (report->source_changed).
 */
#include "lib/buf.h"
#include "lib/crypto.h"
#include "lib/log.h"
#include "store/db.h"
#include "store/migrations.h"
#include "store/store.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum col_kind { COL_TEXT, COL_INT, COL_REAL };

struct copy_column {
    const char *name;
    enum col_kind kind;
};

/* A table as migrations.c defines it. The first nkey columns are the
 * primary key. identity: its first column "id" is an identity column on
 * PostgreSQL, whose sequence must be moved past the copied ids. */
struct copy_table {
    const char *name;
    const struct copy_column *cols;
    int ncols;
    int nkey;
    bool identity;
};

/* clang-format off */
#define T(n) {n, COL_TEXT}
#define I(n) {n, COL_INT}
#define R(n) {n, COL_REAL}

/* The columns of each table in the order of migrations.c. */
static const struct copy_column units_cols[] = {
    T("code"), T("parent"), T("name"), I("level"), I("kind"), R("lat"), R("lon"), T("polygon"),
    I("population"), I("households"), T("dept_key"),
};
static const struct copy_column census_cols[] = {
    T("code"), T("name"), I("population"), I("male"), I("female"), R("minority_pct"), I("urban"),
    I("rural"), I("households"), R("household_size"), R("age0_14"), R("age15_64"), R("age65"),
};
static const struct copy_column calendar_cols[] = {
    T("day"), T("kind"), T("name"),
};
static const struct copy_column categories_cols[] = {
    T("code"), T("name"), T("parent"), T("route"), I("sign_minutes"), I("resolve_days"),
};
static const struct copy_column accounts_cols[] = {
    I("id"), T("username"), T("pwhash"), T("role"), T("scope"), T("display_name"),
    I("created_at"), I("disabled"), I("failed"), I("locked_until"),
};
static const struct copy_column sessions_cols[] = {
    T("digest"), I("account_id"), I("created_at"), I("revoked"),
};
static const struct copy_column ticket_counters_cols[] = {
    T("day"), I("seq"),
};
static const struct copy_column tickets_cols[] = {
    I("id"), T("number"), I("state"), I("type"), I("channel"), I("urgent"), T("category"),
    T("text"), T("address"), R("lat"), R("lon"), T("grid"), T("lead"), T("handler"),
    T("cohandlers"), I("sign_by"), I("resolve_by"), I("created_at"), I("updated_at"),
    I("dispatched_at"), I("signed_at"), I("replied_at"), I("closed_at"), I("result"),
    T("reply"), I("resolved"), I("satisfaction"), I("unreachable"), I("ext_pending"),
    I("ext_days"), I("escalated"), I("returns"), I("reopens"), T("merged_into"),
    I("creator_id"), I("assignment_id"), T("contact_name"), T("contact_phone"),
    T("phone_index"), T("suggested_category"), T("suggested_handler"),
    R("suggested_confidence"),
    /* migration 2 */
    T("contact_name_masked"), T("contact_phone_masked"),
    /* migration 9 */
    T("text_sig"),
};
/* migration 3 */
static const struct copy_column ticket_tracking_cols[] = {
    T("number"), T("code_hash"), I("issued_at"), I("failures"), I("locked_until"),
};
/* migration 5 (Open311) */
static const struct copy_column api_keys_cols[] = {
    I("id"), T("name"), T("key_hash"), I("account_id"), I("created_at"), I("revoked_at"),
};
static const struct copy_column open311_requests_cols[] = {
    T("number"), T("token"), I("api_key_id"), T("email"), T("email_masked"), T("device_id"),
    T("media_url"), I("created_at"),
};
static const struct copy_column events_cols[] = {
    I("id"), I("ticket_id"), I("action"), I("from_state"), I("to_state"), I("at"),
    I("actor_id"), T("actor_name"), I("actor_role"), T("actor_scope"), T("unit"), T("note"),
};
static const struct copy_column assignments_cols[] = {
    I("id"), I("ticket_id"), T("unit"), I("month"), I("dispatched_at"), I("sign_by"),
    I("signed_at"), I("resolve_by"), I("replied_at"), I("returned"), I("called_back"),
    I("resolved"), I("satisfaction"), I("repeat"), I("proactive"), I("escalated"),
};
static const struct copy_column audit_cols[] = {
    I("id"), I("at"), I("actor_id"), T("actor_name"), T("actor_role"), T("action"),
    T("object"), T("detail"), T("prev_hash"), T("hash"),
};
static const struct copy_column idempotency_cols[] = {
    T("key"), I("account_id"), I("status"), T("body"), I("created_at"),
};
/* migration 5 */
static const struct copy_column classify_overrides_cols[] = {
    I("id"), I("ticket_id"), I("at"), I("actor_id"), T("suggested_category"),
    T("suggested_handler"), R("confidence"), T("chosen_category"), T("chosen_handler"),
};

/* migration 5: people and households */
static const struct copy_column households_cols[] = {
    I("id"), T("hh_key"), T("unit"), T("address"), I("created_at"),
};
static const struct copy_column residents_cols[] = {
    I("id"), T("unit"), I("household_id"), T("relation"), T("name"), T("name_masked"),
    I("minor"), T("id_index"), T("id_sealed"), T("id_masked"), T("birth_sealed"),
    I("birth_year"), I("sex"), T("phone_sealed"), T("phone_masked"), T("ethnicity_sealed"),
    T("languages"), T("address"), I("created_at"), I("updated_at"),
};
static const struct copy_column resident_tags_cols[] = {
    I("id"), I("resident_id"), T("unit"), T("tag"), T("tag_sealed"), I("grade"), T("source"),
    T("since"), I("added_at"),
};
static const struct copy_column resident_sources_cols[] = {
    I("resident_id"), T("source"), I("run_id"), I("seen_at"), T("data_sealed"),
};
static const struct copy_column person_conflicts_cols[] = {
    I("id"), I("resident_id"), T("field"), T("source"), I("other_id"), I("opened_at"),
    I("resolved_at"), T("resolved_by"), T("resolution"),
};
static const struct copy_column people_imports_cols[] = {
    I("id"), T("source"), T("file_hash"), T("file_name"), T("unit"), I("at"), T("actor"),
    I("rows_read"), I("rows_new"), I("rows_merged"), I("rows_unchanged"),
    I("rows_conflicting"), I("rows_review"), I("rows_rejected"), T("report"),
};
/* public-service facilities (migration "public-service facilities") */
static const struct copy_column facilities_cols[] = {
    I("id"), T("type"), T("name"), R("capacity"), R("lat"), R("lon"), T("unit"), T("source"),
    T("source_ref"), I("created_at"), I("updated_at"),
};

#undef T
#undef I
#undef R

#define TABLE(name, cols, nkey, identity) \
    {name, cols, (int)(sizeof(cols) / sizeof(cols[0])), nkey, identity}

/* In foreign-key order: sessions need accounts; events and assignments
 * need tickets. schema_version is not copied: the target's migrations
 * write their own. */
static const struct copy_table tables[] = {
    TABLE("units", units_cols, 1, false),
    TABLE("census", census_cols, 1, false),
    TABLE("calendar", calendar_cols, 1, false),
    TABLE("categories", categories_cols, 1, false),
    TABLE("accounts", accounts_cols, 1, true),
    TABLE("sessions", sessions_cols, 1, false),
    TABLE("ticket_counters", ticket_counters_cols, 1, false),
    TABLE("tickets", tickets_cols, 1, true),
    TABLE("ticket_tracking", ticket_tracking_cols, 1, false),
    TABLE("events", events_cols, 1, true),
    TABLE("assignments", assignments_cols, 1, true),
    TABLE("audit", audit_cols, 1, true),
    TABLE("idempotency", idempotency_cols, 2, false),
    TABLE("classify_overrides", classify_overrides_cols, 1, true),
    TABLE("api_keys", api_keys_cols, 1, true),
    TABLE("open311_requests", open311_requests_cols, 1, false),
    TABLE("households", households_cols, 1, true),
    TABLE("residents", residents_cols, 1, true),
    TABLE("resident_tags", resident_tags_cols, 1, true),
    TABLE("resident_sources", resident_sources_cols, 2, false),
    TABLE("person_conflicts", person_conflicts_cols, 1, true),
    TABLE("people_imports", people_imports_cols, 1, true),
    TABLE("facilities", facilities_cols, 1, true),
};
/* clang-format on */
#define N_TABLES ((int)(sizeof(tables) / sizeof(tables[0])))
_Static_assert(sizeof(tables) / sizeof(tables[0]) <= XT_COPY_TABLES_MAX,
               "struct xt_copy_report has room for every table");
/* A connection caches up to 128 statements (XT_STMT_CACHE); the target
 * prepares a count, an insert and a select per table, and 3 others. */
_Static_assert(3 + 3 * sizeof(tables) / sizeof(tables[0]) <= 128,
               "a connection's statement cache holds every statement of a copy");

/* Rows per FETCH when reading PostgreSQL through a cursor: bounded memory
 * however large the table. */
#define FETCH_ROWS 1000
#define STR_(x) #x
#define STR(x) STR_(x)
static const char SQL_FETCH[] = "FETCH " STR(FETCH_ROWS) " FROM xt_copy";

static const char SQL_TABLES[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'";
static const char PG_TABLES[] =
    "SELECT CAST(table_name AS TEXT) FROM information_schema.tables"
    " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'";
static const char SQL_COLUMNS[] = "SELECT name FROM pragma_table_info(?1)";
static const char PG_COLUMNS[] =
    "SELECT CAST(column_name AS TEXT) FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND CAST(table_name AS TEXT) = ?1";
static const char SQL_VERSION[] = "SELECT max(version) FROM schema_version";
static const char SQL_SEALED[] =
    "SELECT contact_name, contact_phone FROM tickets"
    " WHERE contact_name IS NOT NULL OR contact_phone IS NOT NULL ORDER BY id LIMIT 1";

/* The statements of one table, built once per run. A connection caches
 * its statements by the address of their text, so these live until both
 * connections are closed. */
struct table_sql {
    char *select_lite; /* SELECT ... ORDER BY key */
    char *declare_pg;  /* DECLARE xt_copy CURSOR FOR SELECT ... ORDER BY key COLLATE "C" */
    char *insert;
    char *count;
};

static void sql_free(struct table_sql *q)
{
    if (!q)
        return;
    for (int i = 0; i < N_TABLES; i++) {
        free(q[i].select_lite);
        free(q[i].declare_pg);
        free(q[i].insert);
        free(q[i].count);
    }
    free(q);
}

static char *build_select(const struct copy_table *t, bool pg)
{
    struct xt_buf b;
    xt_buf_init(&b, 0);
    int rc = xt_buf_puts(&b, pg ? "DECLARE xt_copy NO SCROLL CURSOR FOR SELECT " : "SELECT ");
    for (int i = 0; i < t->ncols && !rc; i++)
        rc = xt_buf_printf(&b, "%s%s", i ? ", " : "", t->cols[i].name);
    if (!rc)
        rc = xt_buf_printf(&b, " FROM %s ORDER BY ", t->name);
    for (int i = 0; i < t->nkey && !rc; i++)
        rc = xt_buf_printf(&b, "%s%s%s", i ? ", " : "", t->cols[i].name,
                           pg && t->cols[i].kind == COL_TEXT ? " COLLATE \"C\"" : "");
    if (rc) {
        xt_buf_release(&b);
        return NULL;
    }
    return xt_buf_detach(&b);
}

static char *build_insert(const struct copy_table *t)
{
    struct xt_buf b;
    xt_buf_init(&b, 0);
    int rc = xt_buf_printf(&b, "INSERT INTO %s (", t->name);
    for (int i = 0; i < t->ncols && !rc; i++)
        rc = xt_buf_printf(&b, "%s%s", i ? ", " : "", t->cols[i].name);
    if (!rc)
        rc = xt_buf_puts(&b, ") VALUES (");
    for (int i = 0; i < t->ncols && !rc; i++)
        rc = xt_buf_printf(&b, "%s?%d", i ? ", " : "", i + 1);
    if (!rc)
        rc = xt_buf_putc(&b, ')');
    if (rc) {
        xt_buf_release(&b);
        return NULL;
    }
    return xt_buf_detach(&b);
}

static struct table_sql *sql_build(void)
{
    struct table_sql *q = calloc(N_TABLES, sizeof(*q));
    if (!q)
        return NULL;
    for (int i = 0; i < N_TABLES; i++) {
        const struct copy_table *t = &tables[i];
        q[i].select_lite = build_select(t, false);
        q[i].declare_pg = build_select(t, true);
        q[i].insert = build_insert(t);
        struct xt_buf b;
        xt_buf_init(&b, 0);
        q[i].count =
            xt_buf_printf(&b, "SELECT count(*) FROM %s", t->name) ? NULL : xt_buf_detach(&b);
        xt_buf_release(&b);
        if (!q[i].select_lite || !q[i].declare_pg || !q[i].insert || !q[i].count) {
            sql_free(q);
            return NULL;
        }
    }
    return q;
}

static int db_error(struct xt_error *err, struct xt_conn *c, const char *side, const char *what,
                    const char *table)
{
    /* The first line of the driver's message says enough. */
    const char *msg = c ? xt_conn_errmsg(c) : "cannot connect";
    int n = (int)strcspn(msg, "\n");
    if (!*table)
        return xt_error_set(err, XT_EIO, "", "%s: %s: %.*s", side, what, n, msg);
    return xt_error_set(err, XT_EIO, "", "%s: %s '%s': %.*s", side, what, table, n, msg);
}

/* ---- reading a table ---- */

/* Rows of one table in key order: stepped directly on SQLite, fetched
 * FETCH_ROWS at a time through a cursor on PostgreSQL (inside the
 * transaction the caller has begun). */
struct scan {
    struct xt_conn *c;
    struct xt_stmt *st;
    bool cursor;
    int in_batch; /* rows returned from the current FETCH */
};

static int scan_open(struct scan *sc, struct xt_conn *c, const struct table_sql *q)
{
    memset(sc, 0, sizeof(*sc));
    sc->c = c;
    if (xt_conn_kind(c) == XT_DB_POSTGRES) {
        if (xt_conn_exec(c, q->declare_pg))
            return XT_EIO;
        sc->cursor = true;
        sc->st = xt_conn_stmt(c, SQL_FETCH);
    } else {
        sc->st = xt_conn_stmt(c, q->select_lite);
    }
    if (!sc->st) {
        if (sc->cursor)
            xt_conn_exec(c, "CLOSE xt_copy");
        return XT_EIO;
    }
    return 0;
}

/* 1 with a row (valid until the next call), 0 at the end, < 0 on error. */
static int scan_next(struct scan *sc)
{
    for (;;) {
        int rc = xt_step(sc->st);
        if (rc != 0 || !sc->cursor) {
            if (rc == 1)
                sc->in_batch++;
            return rc;
        }
        /* A short batch was the last one. */
        if (sc->in_batch < FETCH_ROWS)
            return 0;
        xt_reset(sc->st);
        sc->in_batch = 0;
    }
}

static void scan_close(struct scan *sc)
{
    if (!sc->st)
        return;
    xt_reset(sc->st);
    if (sc->cursor)
        xt_conn_exec(sc->c, "CLOSE xt_copy");
    sc->st = NULL;
}

/* ---- canonical rows and checksums ---- */

static int put_text(struct xt_buf *b, const char *s)
{
    int rc = 0;
    for (const char *p = s; *p && !rc;) {
        size_t n = strcspn(p, "\\\t\n\r");
        if (n)
            rc = xt_buf_append(b, p, n);
        p += n;
        if (!*p || rc)
            break;
        const char *esc = *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" : *p == '\n' ? "\\n" : "\\r";
        rc = xt_buf_append(b, esc, 2);
        p++;
    }
    return rc;
}

static int render_row(struct xt_buf *b, struct xt_stmt *st, const struct copy_table *t)
{
    xt_buf_reset(b);
    int rc = 0;
    for (int i = 0; i < t->ncols && !rc; i++) {
        if (i)
            rc = xt_buf_putc(b, '\t');
        if (rc)
            break;
        if (xt_col_null(st, i)) {
            rc = xt_buf_append(b, "\\N", 2);
            continue;
        }
        switch (t->cols[i].kind) {
        case COL_INT:
            rc = xt_buf_printf(b, "%lld", (long long)xt_col_int(st, i));
            break;
        case COL_REAL:
            rc = xt_buf_printf(b, "%.17g", xt_col_double(st, i));
            break;
        case COL_TEXT:
            rc = put_text(b, xt_col_text(st, i));
            break;
        }
    }
    return rc ? rc : xt_buf_putc(b, '\n');
}

/* The row's key as text, for error messages. */
static void key_text(struct xt_stmt *st, const struct copy_table *t, char *out, size_t outsz)
{
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; i < t->nkey && k < outsz; i++) {
        int n = t->cols[i].kind == COL_TEXT
                    ? snprintf(out + k, outsz - k, "%s%s=%.60s", i ? ", " : "", t->cols[i].name,
                               xt_col_text(st, i))
                    : snprintf(out + k, outsz - k, "%s%s=%lld", i ? ", " : "", t->cols[i].name,
                               (long long)xt_col_int(st, i));
        if (n < 0)
            break;
        k += (size_t)n;
    }
}

static void hash_hex(crypto_hash_sha256_state *h, char out[65])
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(h, d);
    sodium_bin2hex(out, 65, d, sizeof(d));
}

/* Count and hash table t as the connection sees it. */
static int hash_table(struct xt_conn *c, const char *side, int ti, const struct table_sql *q,
                      long *rows, char sum[65], struct xt_error *err)
{
    const struct copy_table *t = &tables[ti];
    struct scan sc;
    if (scan_open(&sc, c, &q[ti]))
        return db_error(err, c, side, "cannot read table", t->name);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    struct xt_buf row;
    xt_buf_init(&row, 0);
    long n = 0;
    int rc;
    while ((rc = scan_next(&sc)) == 1) {
        if ((rc = render_row(&row, sc.st, t)))
            break;
        crypto_hash_sha256_update(&h, (const unsigned char *)row.data, row.len);
        n++;
    }
    scan_close(&sc);
    xt_buf_release(&row);
    if (rc < 0)
        return rc == XT_EIO
                   ? db_error(err, c, side, "cannot read table", t->name)
                   : xt_error_set(err, rc, "", "%s: table '%s': a row is too large", side, t->name);
    *rows = n;
    hash_hex(&h, sum);
    return 0;
}

static void bind_row(struct xt_stmt *ins, struct xt_stmt *st, const struct copy_table *t)
{
    for (int i = 0; i < t->ncols; i++) {
        if (xt_col_null(st, i)) {
            xt_bind_null(ins, i + 1);
            continue;
        }
        switch (t->cols[i].kind) {
        case COL_INT:
            xt_bind_int(ins, i + 1, xt_col_int(st, i));
            break;
        case COL_REAL:
            xt_bind_double(ins, i + 1, xt_col_double(st, i));
            break;
        case COL_TEXT:
            /* Valid until the source steps again, after this insert. */
            xt_bind_text(ins, i + 1, xt_col_text(st, i));
            break;
        }
    }
}

/* Copy table ti from src to dst, hashing the source rows as they pass. */
static int copy_table(struct xt_conn *src, struct xt_conn *dst, int ti, const struct table_sql *q,
                      long *rows, char sum[65], struct xt_error *err)
{
    const struct copy_table *t = &tables[ti];
    struct xt_stmt *ins = xt_conn_stmt(dst, q[ti].insert);
    if (!ins)
        return db_error(err, dst, "target", "cannot prepare the insert into", t->name);
    struct scan sc;
    if (scan_open(&sc, src, &q[ti]))
        return db_error(err, src, "source", "cannot read table", t->name);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    struct xt_buf row;
    xt_buf_init(&row, 0);
    long n = 0;
    int rc;
    bool reported = false;
    while ((rc = scan_next(&sc)) == 1) {
        if ((rc = render_row(&row, sc.st, t))) {
            xt_error_set(err, rc, "", "source: table '%s': a row is too large", t->name);
            reported = true;
            break;
        }
        crypto_hash_sha256_update(&h, (const unsigned char *)row.data, row.len);
        bind_row(ins, sc.st, t);
        int irc = xt_step(ins);
        xt_reset(ins);
        if (irc < 0) {
            char key[160];
            key_text(sc.st, t, key, sizeof(key));
            const char *msg = xt_conn_errmsg(dst);
            rc = xt_error_set(err, irc, "", "target: cannot insert into '%s' the row %s: %.*s",
                              t->name, key, (int)strcspn(msg, "\n"), msg);
            reported = true;
            break;
        }
        n++;
    }
    if (rc < 0 && !reported)
        db_error(err, src, "source", "cannot read table", t->name);
    scan_close(&sc);
    xt_buf_release(&row);
    if (rc < 0)
        return rc;
    *rows = n;
    hash_hex(&h, sum);
    return 0;
}

static int count_rows(struct xt_conn *c, const struct table_sql *q, long *n)
{
    struct xt_stmt *st = xt_conn_stmt(c, q->count);
    if (!st)
        return XT_EIO;
    int rc = xt_step(st);
    *n = rc == 1 ? (long)xt_col_int(st, 0) : 0;
    xt_reset(st);
    return rc == 1 ? 0 : XT_EIO;
}

/* ---- schema checks ---- */

static int table_index(const char *name)
{
    for (int i = 0; i < N_TABLES; i++)
        if (strcmp(tables[i].name, name) == 0)
            return i;
    return -1;
}

static int column_index(const struct copy_table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return i;
    return -1;
}

/* The database holds exactly the tables and columns above (plus
 * schema_version), so that nothing is left behind by a copy made with an
 * out-of-date list; *version gets its schema version. */
static int check_schema(struct xt_conn *c, const char *side, int *version, struct xt_error *err)
{
    bool seen[N_TABLES] = {false}, has_version = false;
    struct xt_stmt *st = xt_conn_stmt2(c, SQL_TABLES, PG_TABLES);
    if (!st)
        return db_error(err, c, side, "cannot list the tables", "");
    int rc;
    char unknown[64] = "";
    while ((rc = xt_step(st)) == 1) {
        const char *name = xt_col_text(st, 0);
        int i = table_index(name);
        if (i >= 0)
            seen[i] = true;
        else if (strcmp(name, "schema_version") == 0)
            has_version = true;
        else if (!*unknown)
            snprintf(unknown, sizeof(unknown), "%s", name);
    }
    xt_reset(st);
    if (rc < 0)
        return db_error(err, c, side, "cannot list the tables", "");
    if (!has_version)
        return xt_error_set(err, XT_ESTATE, "",
                            "%s: no table 'schema_version': not a xietong"
                            " database",
                            side);
    if (*unknown)
        return xt_error_set(err, XT_ESTATE, "",
                            "%s: table '%s' is not known to migrate-data"
                            " (a newer schema?)",
                            side, unknown);
    for (int i = 0; i < N_TABLES; i++) {
        if (!seen[i])
            return xt_error_set(err, XT_ESTATE, "", "%s: no table '%s'", side, tables[i].name);
        const struct copy_table *t = &tables[i];
        st = xt_conn_stmt2(c, SQL_COLUMNS, PG_COLUMNS);
        if (!st)
            return db_error(err, c, side, "cannot list the columns of", t->name);
        xt_bind_text(st, 1, t->name);
        int found = 0;
        while ((rc = xt_step(st)) == 1) {
            const char *col = xt_col_text(st, 0);
            if (column_index(t, col) < 0) {
                xt_error_set(err, XT_ESTATE, "",
                             "%s: column '%s' of table '%s' is not known"
                             " to migrate-data (a newer schema?)",
                             side, col, t->name);
                rc = XT_ESTATE;
                break;
            }
            found++;
        }
        xt_reset(st);
        if (rc == XT_ESTATE)
            return rc;
        if (rc < 0)
            return db_error(err, c, side, "cannot list the columns of", t->name);
        if (found != t->ncols)
            return xt_error_set(err, XT_ESTATE, "",
                                "%s: table '%s' has %d of the %d columns"
                                " migrate-data copies (an older schema?)",
                                side, t->name, found, t->ncols);
    }
    st = xt_conn_stmt(c, SQL_VERSION);
    if (!st || xt_step(st) != 1) {
        if (st)
            xt_reset(st);
        return db_error(err, c, side, "cannot read", "schema_version");
    }
    *version = (int)xt_col_int(st, 0);
    xt_reset(st);
    return 0;
}

/* The key in dir must open the source's sealed contacts: the target is
 * useless to a server whose key cannot. */
static int check_key(struct xt_conn *src, const char *dir, bool *checked, struct xt_error *err)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/keys/field.key", dir);
    struct stat sb;
    /* Opening the target as a store would create a fresh key: refuse
     * rather than hide the mistake. */
    if (stat(path, &sb) != 0)
        return xt_error_set(err, XT_ENOTFOUND, "data",
                            "no key '%s': --data must be the data directory whose"
                            " keys/field.key sealed the source's contacts",
                            path);
    struct xt_key key;
    if (xt_key_load_or_create(path, &key))
        return xt_error_set(err, XT_EIO, "data", "cannot read the key '%s'", path);
    struct xt_stmt *st = xt_conn_stmt(src, SQL_SEALED);
    int rc = 0;
    if (!st) {
        rc = db_error(err, src, "source", "cannot read", "tickets");
    } else if (xt_step(st) == 1) {
        const char *sealed = xt_col_text(st, xt_col_null(st, 0) ? 1 : 0);
        char *plain = NULL;
        size_t n = 0;
        if (xt_unseal(&key, sealed, &plain, &n)) {
            rc = xt_error_set(err, XT_EINVAL, "data",
                              "the key '%s' does not open the source's sealed contacts: it is"
                              " not the key the source was written with",
                              path);
        } else {
            sodium_memzero(plain, n);
            free(plain);
            *checked = true;
        }
    }
    if (st)
        xt_reset(st);
    xt_key_wipe(&key);
    return rc;
}

/* ---- the copy ---- */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void report_init(struct xt_copy_report *rep)
{
    memset(rep, 0, sizeof(*rep));
    rep->n = N_TABLES;
    for (int i = 0; i < N_TABLES; i++)
        rep->tables[i].name = tables[i].name;
}

static void report_finish(struct xt_copy_report *rep)
{
    rep->all_ok = true;
    for (int i = 0; i < rep->n; i++) {
        struct xt_copy_table *t = &rep->tables[i];
        t->ok = t->rows_from == t->rows_to && strcmp(t->sum_from, t->sum_to) == 0;
        rep->all_ok = rep->all_ok && t->ok;
    }
}

/* A consistent snapshot of the source: SQLite's read transaction holds
 * one WAL snapshot from its first read; PostgreSQL's repeatable read
 * holds one for the whole transaction (and allows its cursors). */
static int begin_read(struct xt_conn *c, const char *side, struct xt_error *err)
{
    if (xt_conn_exec(c, xt_conn_kind(c) == XT_DB_POSTGRES
                            ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                            : "BEGIN"))
        return db_error(err, c, side, "cannot begin a read transaction", "");
    return 0;
}

/* Both sides must be at the same schema version to be compared or copied. */
static int versions_match(int source, int target, struct xt_error *err)
{
    if (source == target)
        return 0;
    return xt_error_set(err, XT_ESTATE, "to",
                        "the source is at schema version %d, the target at %d", source, target);
}

static int urls_check(const char *from, const char *to, struct xt_error *err)
{
    if (!from || !*from)
        return xt_error_set(err, XT_EINVAL, "from", "is required (a database URL)");
    if (!to || !*to)
        return xt_error_set(err, XT_EINVAL, "to", "is required (a database URL)");
    const char *a = strncmp(from, "sqlite:", 7) == 0 ? from + 7 : from;
    const char *b = strncmp(to, "sqlite:", 7) == 0 ? to + 7 : to;
    if (strcmp(a, b) == 0)
        return xt_error_set(err, XT_EINVAL, "to", "names the source database");
    return 0;
}

int xt_store_copy(const char *from_url, const char *to_url, const char *dir,
                  void (*progress)(void *ctx, const struct xt_copy_table *t), void *ctx,
                  struct xt_copy_report *rep, struct xt_error *err)
{
    struct xt_error local;
    if (!err)
        err = &local;
    xt_error_clear(err);
    report_init(rep);
    int rc = urls_check(from_url, to_url, err);
    if (rc)
        return rc;
    if (!dir || !*dir)
        return xt_error_set(err, XT_EINVAL, "data",
                            "is required (the data directory with the"
                            " key)");
    if (xt_crypto_init())
        return xt_error_set(err, XT_EIO, "", "cannot initialise libsodium");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct table_sql *q = sql_build();
    if (!q)
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    struct xt_conn *src = NULL, *dst = NULL;
    struct xt_store *ts = NULL;
    struct xt_error serr;
    bool src_tx = false, dst_tx = false;
    int from_version = 0, to_version = 0, store_version;

    src = xt_conn_open(from_url, true);
    if (!src) {
        rc = xt_error_set(err, XT_EIO, "from", "cannot open the source database");
        goto out;
    }
    if ((rc = check_schema(src, "source", &from_version, err)))
        goto out;
    /* An older source must be migrated first (opening it with this
     * xietong does it); a newer one needs the xietong that wrote it. */
    int latest = xt_migrations[xt_migration_count - 1].version;
    if (from_version != latest) {
        rc = xt_error_set(
            err, XT_ESTATE, "from", "the source is at schema version %d, this xietong at %d: %s",
            from_version, latest,
            from_version < latest ? "upgrade the source first (xietong init --data DIR opens and"
                                    " migrates it)"
                                  : "use the xietong that wrote it");
        goto out;
    }
    if ((rc = check_key(src, dir, &rep->key_checked, err)))
        goto out;

    /* Opening the target as a store runs its migrations. */
    xt_error_clear(&serr);
    if ((rc = xt_store_open_db(dir, to_url, &ts, &serr))) {
        xt_error_set(err, rc, "to", "target: %s", serr.message);
        goto out;
    }
    store_version = xt_store_schema_version(ts);
    xt_store_close(ts);
    if (store_version != from_version) {
        rc = xt_error_set(err, XT_ESTATE, "from",
                          "the source is at schema version %d, this xietong migrates to %d:"
                          " run the same version of xietong on both",
                          from_version, store_version);
        goto out;
    }

    dst = xt_conn_open(to_url, false);
    if (!dst) {
        rc = xt_error_set(err, XT_EIO, "to", "cannot open the target database");
        goto out;
    }
    if (xt_conn_kind(dst) == XT_DB_SQLITE &&
        xt_conn_exec(dst, "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL")) {
        rc = db_error(err, dst, "target", "cannot set foreign_keys and synchronous", "");
        goto out;
    }
    if ((rc = check_schema(dst, "target", &to_version, err)))
        goto out;
    rep->schema_version = to_version;
    if ((rc = versions_match(from_version, to_version, err)) ||
        (rc = begin_read(src, "source", err)))
        goto out;
    src_tx = true;
    if (xt_conn_exec(dst, xt_conn_kind(dst) == XT_DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN")) {
        rc = db_error(err, dst, "target", "cannot begin a transaction", "");
        goto out;
    }
    dst_tx = true;
    for (int i = 0; i < N_TABLES; i++) {
        long n;
        if (count_rows(dst, &q[i], &n)) {
            rc = db_error(err, dst, "target", "cannot count the rows of", tables[i].name);
            goto out;
        }
        if (n) {
            rc = xt_error_set(err, XT_EEXIST, "to",
                              "target table '%s' already holds %ld rows: migrate-data copies"
                              " into an empty database only",
                              tables[i].name, n);
            goto out;
        }
    }
    for (int i = 0; i < N_TABLES; i++) {
        struct xt_copy_table *t = &rep->tables[i];
        if ((rc = copy_table(src, dst, i, q, &t->rows_from, t->sum_from, err)))
            goto out;
        if (progress)
            progress(ctx, t);
    }
    /* Identity columns take the copied ids as given; their sequences must
     * then start past them, or the next insert would collide. */
    if (xt_conn_kind(dst) == XT_DB_POSTGRES) {
        for (int i = 0; i < N_TABLES; i++) {
            if (!tables[i].identity)
                continue;
            char sql[200];
            snprintf(sql, sizeof(sql),
                     "SELECT setval(pg_get_serial_sequence('%s', 'id'), max(id)) FROM %s",
                     tables[i].name, tables[i].name);
            if (xt_conn_exec(dst, sql)) {
                rc = db_error(err, dst, "target", "cannot advance the identity sequence of",
                              tables[i].name);
                goto out;
            }
        }
    }
    /* Read everything back before committing: a mismatch rolls back. */
    for (int i = 0; i < N_TABLES; i++) {
        struct xt_copy_table *t = &rep->tables[i];
        if ((rc = hash_table(dst, "target", i, q, &t->rows_to, t->sum_to, err)))
            goto out;
    }
    report_finish(rep);
    if (!rep->all_ok) {
        const char *bad = "";
        for (int i = 0; i < rep->n && !*bad; i++)
            if (!rep->tables[i].ok)
                bad = rep->tables[i].name;
        rc = xt_error_set(err, XT_EIO, "",
                          "table '%s' differs after the copy: nothing was"
                          " written",
                          bad);
        goto out;
    }
    if (xt_conn_exec(dst, "COMMIT")) {
        rc = db_error(err, dst, "target", "cannot commit the copy", "");
        goto out;
    }
    dst_tx = false;
    xt_conn_exec(src, "COMMIT");
    src_tx = false;
    /* Rows written to the source after the snapshot are not in the copy. */
    for (int i = 0; i < N_TABLES; i++) {
        long n;
        if (count_rows(src, &q[i], &n) == 0 && n != rep->tables[i].rows_from)
            rep->source_changed = true;
    }
    rc = 0;
out:
    if (dst_tx)
        xt_conn_exec(dst, "ROLLBACK");
    if (src_tx)
        xt_conn_exec(src, "ROLLBACK");
    xt_conn_close(src);
    xt_conn_close(dst);
    sql_free(q);
    rep->seconds = seconds_since(&t0);
    return rc;
}

int xt_store_compare(const char *a_url, const char *b_url, struct xt_copy_report *rep,
                     struct xt_error *err)
{
    struct xt_error local;
    if (!err)
        err = &local;
    xt_error_clear(err);
    report_init(rep);
    int rc = urls_check(a_url, b_url, err);
    if (rc)
        return rc;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct table_sql *q = sql_build();
    if (!q)
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    struct xt_conn *a = xt_conn_open(a_url, true), *b = xt_conn_open(b_url, true);
    bool a_tx = false, b_tx = false;
    int va = 0, vb = 0;
    if (!a || !b) {
        rc = xt_error_set(err, XT_EIO, a ? "to" : "from", "cannot open the %s database",
                          a ? "target" : "source");
        goto out;
    }
    if ((rc = check_schema(a, "source", &va, err)) || (rc = check_schema(b, "target", &vb, err)))
        goto out;
    rep->schema_version = va;
    if ((rc = versions_match(va, vb, err)) || (rc = begin_read(a, "source", err)))
        goto out;
    a_tx = true;
    if ((rc = begin_read(b, "target", err)))
        goto out;
    b_tx = true;
    for (int i = 0; i < N_TABLES; i++) {
        struct xt_copy_table *t = &rep->tables[i];
        if ((rc = hash_table(a, "source", i, q, &t->rows_from, t->sum_from, err)) ||
            (rc = hash_table(b, "target", i, q, &t->rows_to, t->sum_to, err)))
            goto out;
    }
    report_finish(rep);
    rc = 0;
out:
    if (a_tx)
        xt_conn_exec(a, "ROLLBACK");
    if (b_tx)
        xt_conn_exec(b, "ROLLBACK");
    xt_conn_close(a);
    xt_conn_close(b);
    sql_free(q);
    rep->seconds = seconds_since(&t0);
    return rc;
}
