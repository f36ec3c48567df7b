/* db_pg.c - the PostgreSQL driver behind db.h, on libpq.
 *
 * Statements are prepared once per connection (named "s<n>") and run with
 * text parameters; a result is kept until the statement is reset, and
 * xt_pg_step walks its rows. The store's ?N parameters become $N. */
#include "store/db_pg.h"
#include "lib/err.h"
#include "lib/log.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_MAX_PARAMS 64

struct xt_pg_conn {
    PGconn *conn;
    int next_name;
};

struct xt_pg_stmt {
    struct xt_pg_conn *c;
    char name[16];
    int nparams;
    char *params[PG_MAX_PARAMS];
    PGresult *res;
    int row, nrows;
};

struct xt_pg_conn *xt_pg_open(const char *conninfo, bool readonly)
{
    struct xt_pg_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->conn = PQconnectdb(conninfo);
    if (PQstatus(c->conn) != CONNECTION_OK) {
        xt_log(XT_LOG_ERROR, "postgresql connect: %s", PQerrorMessage(c->conn));
        PQfinish(c->conn);
        free(c);
        return NULL;
    }
    /* Quiet notices; times are kept as numbers, so the session time zone
     * does not matter. */
    xt_pg_exec(c, "SET client_min_messages = warning");
    /* Report queries are prepared once per connection; a generic plan
     * guesses the month's volume badly (4x slower ranking at province
     * scale, docs/BENCHMARKS.md), so plan each execution for its values. */
    xt_pg_exec(c, "SET plan_cache_mode = force_custom_plan");
    if (readonly)
        xt_pg_exec(c, "SET default_transaction_read_only = on");
    return c;
}

void xt_pg_close(struct xt_pg_conn *c)
{
    if (!c)
        return;
    PQfinish(c->conn);
    free(c);
}

int xt_pg_exec(struct xt_pg_conn *c, const char *sql)
{
    PGresult *r = PQexec(c->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : XT_EIO;
    if (rc)
        xt_log(XT_LOG_ERROR, "postgresql exec: %s", PQerrorMessage(c->conn));
    PQclear(r);
    return rc;
}

const char *xt_pg_errmsg(struct xt_pg_conn *c)
{
    return c ? PQerrorMessage(c->conn) : "?";
}

/* ?N → $N outside single-quoted literals; counts the highest N. */
static char *translate(const char *sql, int *nparams)
{
    size_t n = strlen(sql);
    char *out = malloc(2 * n + 1); /* room for instr( -> strpos( */
    if (!out)
        return NULL;
    bool quoted = false;
    int max = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = sql[i];
        if (ch == '\'')
            quoted = !quoted;
        /* SQLite's instr(haystack, needle) is PostgreSQL's strpos. */
        if (!quoted && strncmp(sql + i, "instr(", 6) == 0 &&
            (i == 0 || !((sql[i - 1] >= 'a' && sql[i - 1] <= 'z') || sql[i - 1] == '_'))) {
            memcpy(out + k, "strpos(", 7);
            k += 7;
            i += 5;
            continue;
        }
        if (!quoted && ch == '?' && i + 1 < n && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            out[k++] = '$';
            int v = 0;
            while (i + 1 < n && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
                v = v * 10 + (sql[i + 1] - '0');
                out[k++] = sql[++i];
            }
            if (v > max)
                max = v;
            continue;
        }
        out[k++] = ch;
    }
    out[k] = '\0';
    *nparams = max;
    return out;
}

struct xt_pg_stmt *xt_pg_prepare(struct xt_pg_conn *c, const char *sql)
{
    struct xt_pg_stmt *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    char *text = translate(sql, &st->nparams);
    if (!text || st->nparams > PG_MAX_PARAMS) {
        free(text);
        free(st);
        return NULL;
    }
    st->c = c;
    snprintf(st->name, sizeof(st->name), "s%d", c->next_name++);
    PGresult *r = PQprepare(c->conn, st->name, text, 0, NULL);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        xt_log(XT_LOG_ERROR, "postgresql prepare: %s: %s", PQerrorMessage(c->conn), text);
    PQclear(r);
    free(text);
    if (!ok) {
        free(st);
        return NULL;
    }
    return st;
}

void xt_pg_reset(struct xt_pg_stmt *st)
{
    PQclear(st->res);
    st->res = NULL;
    st->row = st->nrows = 0;
    for (int i = 0; i < PG_MAX_PARAMS; i++) {
        free(st->params[i]);
        st->params[i] = NULL;
    }
}

void xt_pg_finalize(struct xt_pg_stmt *st)
{
    if (!st)
        return;
    xt_pg_reset(st);
    free(st);
}

void xt_pg_bind(struct xt_pg_stmt *st, int i, const char *text)
{
    if (i < 1 || i > PG_MAX_PARAMS)
        return;
    free(st->params[i - 1]);
    st->params[i - 1] = text ? strdup(text) : NULL;
}

int xt_pg_step(struct xt_pg_stmt *st)
{
    if (!st->res) {
        st->res = PQexecPrepared(st->c->conn, st->name, st->nparams,
                                 (const char *const *)st->params, NULL, NULL, 0);
        ExecStatusType s = PQresultStatus(st->res);
        if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
            const char *state = PQresultErrorField(st->res, PG_DIAG_SQLSTATE);
            int rc = state && strcmp(state, "23505") == 0 ? XT_EEXIST : XT_EIO;
            if (rc == XT_EIO)
                xt_log(XT_LOG_ERROR, "postgresql: %s", PQerrorMessage(st->c->conn));
            PQclear(st->res);
            st->res = NULL;
            return rc;
        }
        st->nrows = s == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
        st->row = -1;
    }
    if (st->row + 1 < st->nrows) {
        st->row++;
        return 1;
    }
    st->row = st->nrows;
    return 0;
}

bool xt_pg_col_null(struct xt_pg_stmt *st, int i)
{
    if (!st->res || st->row < 0 || st->row >= st->nrows)
        return true;
    return PQgetisnull(st->res, st->row, i) != 0;
}

const char *xt_pg_col_text(struct xt_pg_stmt *st, int i)
{
    if (xt_pg_col_null(st, i))
        return "";
    return PQgetvalue(st->res, st->row, i);
}
