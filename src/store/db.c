/* db.c - one connection API over SQLite and PostgreSQL; the SQLite driver
 * lives here, the PostgreSQL one in db_pg.c. */
#include "store/db_pg.h"
#include "store/store_int.h"
#include "lib/buf.h"
#include "lib/log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xt_stmt {
    struct xt_conn *c;
    sqlite3_stmt *lite;
    struct xt_pg_stmt *pg;
};

int xt_db_kind_of_url(const char *url)
{
    if (!url)
        return 0;
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return XT_DB_POSTGRES;
    return XT_DB_SQLITE;
}

static const char *sqlite_path(const char *url)
{
    return strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
}

struct xt_conn *xt_conn_open(const char *url, bool readonly)
{
    struct xt_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->kind = xt_db_kind_of_url(url);
    if (c->kind == XT_DB_POSTGRES) {
        c->pg = xt_pg_open(url, readonly);
        if (!c->pg) {
            free(c);
            return NULL;
        }
        return c;
    }
    const char *path = sqlite_path(url);
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &c->lite, flags, NULL) != SQLITE_OK) {
        xt_log(XT_LOG_ERROR, "sqlite open %s: %s", path,
               c->lite ? sqlite3_errmsg(c->lite) : "?");
        sqlite3_close(c->lite);
        free(c);
        return NULL;
    }
    sqlite3_busy_timeout(c->lite, 5000);
    return c;
}

void xt_conn_close(struct xt_conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < XT_STMT_CACHE && c->sql[i]; i++) {
        struct xt_stmt *st = c->stmt[i];
        if (st->lite)
            sqlite3_finalize(st->lite);
        if (st->pg)
            xt_pg_finalize(st->pg);
        free(st);
    }
    if (c->lite)
        sqlite3_close(c->lite);
    if (c->pg)
        xt_pg_close(c->pg);
    free(c);
}

int xt_conn_kind(const struct xt_conn *c)
{
    return c->kind;
}

int xt_conn_exec(struct xt_conn *c, const char *sql)
{
    if (c->kind == XT_DB_POSTGRES)
        return xt_pg_exec(c->pg, sql);
    char *msg = NULL;
    if (sqlite3_exec(c->lite, sql, NULL, NULL, &msg) != SQLITE_OK) {
        xt_log(XT_LOG_ERROR, "sqlite exec: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return XT_EIO;
    }
    return 0;
}

int xt_conn_pipeline(struct xt_conn *c, bool on)
{
    return c->kind == XT_DB_POSTGRES ? xt_pg_pipeline(c->pg, on) : 0;
}

int xt_conn_copy(struct xt_conn *c, const char *target, const char *rows, size_t n)
{
    if (c->kind != XT_DB_POSTGRES)
        return XT_EINVAL;
    return n ? xt_pg_copy(c->pg, target, rows, n) : 0;
}

int xt_copy_text(struct xt_buf *b, const char *v, bool last)
{
    size_t len0 = b->len;
    int rc = 0;
    if (!v) {
        rc = xt_buf_append(b, "\\N", 2);
    } else {
        /* Runs of plain bytes at once, escapes one by one. */
        const char *p = v;
        while (!rc && *p) {
            size_t k = strcspn(p, "\\\t\n\r");
            if (k)
                rc = xt_buf_append(b, p, k);
            p += k;
            if (!rc && *p) {
                char e[2] = {'\\', *p == '\t' ? 't' : *p == '\n' ? 'n' : *p == '\r' ? 'r' : '\\'};
                rc = xt_buf_append(b, e, 2);
                p++;
            }
        }
    }
    if (!rc)
        rc = xt_buf_putc(b, last ? '\n' : '\t');
    if (rc)
        b->len = len0; /* the row as it was */
    if (rc && b->data)
        b->data[len0] = '\0';
    return rc;
}

int xt_copy_int(struct xt_buf *b, int64_t v, bool last)
{
    return xt_buf_printf(b, "%" PRId64 "%c", v, last ? '\n' : '\t');
}

const char *xt_conn_errmsg(struct xt_conn *c)
{
    if (!c)
        return "?";
    return c->kind == XT_DB_POSTGRES ? xt_pg_errmsg(c->pg) : sqlite3_errmsg(c->lite);
}

int64_t xt_conn_last_rowid(struct xt_conn *c)
{
    return c && c->kind == XT_DB_SQLITE ? sqlite3_last_insert_rowid(c->lite) : 0;
}

struct xt_stmt *xt_conn_stmt2(struct xt_conn *c, const char *sql, const char *pg)
{
    int i;
    for (i = 0; i < XT_STMT_CACHE && c->sql[i]; i++) {
        if (c->sql[i] == sql) {
            xt_reset(c->stmt[i]);
            return c->stmt[i];
        }
    }
    if (i == XT_STMT_CACHE) {
        /* The project has a fixed set of statements; a full cache is a bug. */
        xt_log(XT_LOG_ERROR, "statement cache full");
        return NULL;
    }
    struct xt_stmt *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->c = c;
    if (c->kind == XT_DB_POSTGRES) {
        st->pg = xt_pg_prepare(c->pg, pg ? pg : sql);
        if (!st->pg) {
            free(st);
            return NULL;
        }
    } else if (sqlite3_prepare_v3(c->lite, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->lite, NULL) !=
               SQLITE_OK) {
        xt_log(XT_LOG_ERROR, "sqlite prepare: %s: %s", sqlite3_errmsg(c->lite), sql);
        free(st);
        return NULL;
    }
    c->sql[i] = sql;
    c->stmt[i] = st;
    return st;
}

struct xt_stmt *xt_conn_stmt(struct xt_conn *c, const char *sql)
{
    return xt_conn_stmt2(c, sql, NULL);
}

void xt_bind_text(struct xt_stmt *st, int i, const char *text)
{
    if (st->pg)
        xt_pg_bind(st->pg, i, text);
    else if (text)
        sqlite3_bind_text(st->lite, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st->lite, i);
}

void xt_bind_int(struct xt_stmt *st, int i, int64_t v)
{
    if (st->pg) {
        char buf[24];
        snprintf(buf, sizeof(buf), "%" PRId64, v);
        xt_pg_bind(st->pg, i, buf);
    } else {
        sqlite3_bind_int64(st->lite, i, v);
    }
}

void xt_bind_double(struct xt_stmt *st, int i, double v)
{
    if (st->pg) {
        char buf[40];
        snprintf(buf, sizeof(buf), "%.17g", v);
        xt_pg_bind(st->pg, i, buf);
    } else {
        sqlite3_bind_double(st->lite, i, v);
    }
}

void xt_bind_null(struct xt_stmt *st, int i)
{
    if (st->pg)
        xt_pg_bind(st->pg, i, NULL);
    else
        sqlite3_bind_null(st->lite, i);
}

int xt_step(struct xt_stmt *st)
{
    if (st->pg)
        return xt_pg_step(st->pg);
    int rc = sqlite3_step(st->lite);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    if (rc == SQLITE_CONSTRAINT &&
        (sqlite3_extended_errcode(sqlite3_db_handle(st->lite)) == SQLITE_CONSTRAINT_UNIQUE ||
         sqlite3_extended_errcode(sqlite3_db_handle(st->lite)) == SQLITE_CONSTRAINT_PRIMARYKEY))
        return XT_EEXIST;
    return XT_EIO;
}

void xt_reset(struct xt_stmt *st)
{
    if (st->pg) {
        xt_pg_reset(st->pg);
    } else {
        sqlite3_reset(st->lite);
        sqlite3_clear_bindings(st->lite);
    }
}

bool xt_col_null(struct xt_stmt *st, int i)
{
    if (st->pg)
        return xt_pg_col_null(st->pg, i);
    return sqlite3_column_type(st->lite, i) == SQLITE_NULL;
}

const char *xt_col_text(struct xt_stmt *st, int i)
{
    if (st->pg)
        return xt_pg_col_text(st->pg, i);
    const unsigned char *p = sqlite3_column_text(st->lite, i);
    return p ? (const char *)p : "";
}

int64_t xt_col_int(struct xt_stmt *st, int i)
{
    if (st->pg) {
        const char *s = xt_pg_col_text(st->pg, i);
        /* PostgreSQL prints booleans as t/f. */
        if (s[0] == 't' && s[1] == '\0')
            return 1;
        return strtoll(s, NULL, 10);
    }
    return sqlite3_column_int64(st->lite, i);
}

double xt_col_double(struct xt_stmt *st, int i)
{
    if (st->pg)
        return strtod(xt_pg_col_text(st->pg, i), NULL);
    return sqlite3_column_double(st->lite, i);
}
