/* db_pg.c - the PostgreSQL driver behind db.h, on libpq.
 *
 * Statements are prepared once per connection (named "s<n>") and run with
 * text parameters; a result is kept until the statement is reset, and
 * xt_pg_step walks its rows. The store's ?N parameters become $N.
 *
 * Pipelined writing (xt_pg_pipeline): a statement that returns no rows
 * (INSERT, UPDATE or DELETE without RETURNING, or exec'd text) is sent
 * without waiting for its answer; a statement that returns rows sends, then
 * reads every answer before its own. So a ticket's five statements cost
 * the round trips of its two RETURNING statements, not five. The first
 * error aborts the server's pipeline: every later statement fails and
 * xt_pg_pipeline(c, false) reports it, and the caller rolls back. */
#include "store/db_pg.h"
#include "lib/err.h"
#include "lib/log.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PG_MAX_PARAMS 64

struct xt_pg_conn {
    PGconn *conn;
    int next_name;
    bool pipeline; /* in pipeline mode */
    int pending;   /* statements sent whose answers are not read yet */
    int failed;    /* the first error among them (XT_EEXIST or XT_EIO), or 0 */
};

/* More unread answers than this are read before sending on, so that
 * neither side's socket buffer fills while the other waits. */
#define PG_MAX_PENDING 256

struct xt_pg_stmt {
    struct xt_pg_conn *c;
    char name[16];
    int nparams;
    char *params[PG_MAX_PARAMS];
    PGresult *res;
    int row, nrows;
    bool norows; /* INSERT/UPDATE/DELETE without RETURNING */
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
     * scale, docs/BENCHMARKS.md), so readers plan each execution for its
     * values. The writer's statements touch rows by key, where the plan
     * never changes: it keeps PostgreSQL's cached plans, planning each
     * statement once instead of on every ticket. */
    if (readonly) {
        xt_pg_exec(c, "SET plan_cache_mode = force_custom_plan");
        xt_pg_exec(c, "SET default_transaction_read_only = on");
    }
    return c;
}

void xt_pg_close(struct xt_pg_conn *c)
{
    if (!c)
        return;
    PQfinish(c->conn);
    free(c);
}

static int result_rc(struct xt_pg_conn *c, PGresult *r)
{
    ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
        return 0;
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (state && strcmp(state, "23505") == 0)
        return XT_EEXIST;
    if (s != PGRES_PIPELINE_ABORTED)
        xt_log(XT_LOG_ERROR, "postgresql: %s", PQerrorMessage(c->conn));
    return XT_EIO;
}

/* Read the answers of every statement sent and not read yet. */
static void drain(struct xt_pg_conn *c)
{
    while (c->pending > 0) {
        PGresult *r;
        while ((r = PQgetResult(c->conn)) != NULL) {
            int rc = result_rc(c, r);
            if (rc && !c->failed)
                c->failed = rc;
            PQclear(r);
        }
        c->pending--;
    }
}

/* In pipeline mode, the statement just sent returns rows: ask the server
 * to send what it has, read the answers before it, and return its own. */
static PGresult *pipeline_answer(struct xt_pg_conn *c)
{
    if (!PQsendFlushRequest(c->conn) || PQflush(c->conn) != 0) {
        c->failed = c->failed ? c->failed : XT_EIO;
        return NULL; /* still pending: xt_pg_pipeline reads it */
    }
    c->pending--; /* its own answer is read here, not by drain */
    drain(c);
    PGresult *r = PQgetResult(c->conn);
    PGresult *extra;
    while ((extra = PQgetResult(c->conn)) != NULL)
        PQclear(extra);
    return r;
}

/* A statement sent in pipeline mode (ok: libpq took it). One whose answer
 * is not awaited (deferred) may trigger reading the answers so far, so
 * that they do not pile up. */
static void sent(struct xt_pg_conn *c, int ok, bool deferred)
{
    if (!ok) {
        c->failed = c->failed ? c->failed : XT_EIO;
        xt_log(XT_LOG_ERROR, "postgresql send: %s", PQerrorMessage(c->conn));
        return;
    }
    c->pending++;
    if (deferred && c->pending > PG_MAX_PENDING) {
        if (!PQsendFlushRequest(c->conn) || PQflush(c->conn) != 0)
            c->failed = c->failed ? c->failed : XT_EIO;
        else
            drain(c);
    }
}

int xt_pg_pipeline(struct xt_pg_conn *c, bool on)
{
    if (on) {
        if (c->pipeline)
            return 0;
        if (!PQenterPipelineMode(c->conn)) {
            xt_log(XT_LOG_ERROR, "postgresql pipeline: %s", PQerrorMessage(c->conn));
            return XT_EIO;
        }
        c->pipeline = true;
        c->pending = 0;
        c->failed = 0;
        return 0;
    }
    if (!c->pipeline)
        return 0;
    int rc = 0;
    if (!PQpipelineSync(c->conn)) {
        rc = XT_EIO;
    } else {
        drain(c);
        PGresult *r = PQgetResult(c->conn);
        if (PQresultStatus(r) != PGRES_PIPELINE_SYNC)
            rc = XT_EIO;
        PQclear(r);
    }
    if (!PQexitPipelineMode(c->conn)) {
        xt_log(XT_LOG_ERROR, "postgresql pipeline end: %s", PQerrorMessage(c->conn));
        rc = XT_EIO;
    }
    c->pipeline = false;
    if (!rc)
        rc = c->failed;
    c->failed = 0;
    c->pending = 0;
    return rc;
}

int xt_pg_exec(struct xt_pg_conn *c, const char *sql)
{
    if (c->pipeline) {
        sent(c, PQsendQueryParams(c->conn, sql, 0, NULL, NULL, NULL, NULL, 0), true);
        return c->failed;
    }
    PGresult *r = PQexec(c->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : XT_EIO;
    if (rc)
        xt_log(XT_LOG_ERROR, "postgresql exec: %s", PQerrorMessage(c->conn));
    PQclear(r);
    return rc;
}

int xt_pg_copy(struct xt_pg_conn *c, const char *target, const char *rows, size_t n)
{
    if (c->pipeline)
        return XT_EINVAL; /* libpq refuses COPY in pipeline mode */
    char sql[512];
    if ((size_t)snprintf(sql, sizeof(sql), "COPY %s FROM STDIN", target) >= sizeof(sql))
        return XT_EINVAL;
    PGresult *r = PQexec(c->conn, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        int rc = result_rc(c, r);
        PQclear(r);
        return rc ? rc : XT_EIO;
    }
    PQclear(r);
    /* Sent in pieces of 1 MiB, which libpq passes on as it goes. */
    int ok = 1;
    for (size_t at = 0; ok == 1 && at < n;) {
        size_t k = n - at < ((size_t)1 << 20) ? n - at : (size_t)1 << 20;
        ok = PQputCopyData(c->conn, rows + at, (int)k);
        at += k;
    }
    if (ok != 1)
        xt_log(XT_LOG_ERROR, "postgresql copy: %s", PQerrorMessage(c->conn));
    PQputCopyEnd(c->conn, ok == 1 ? NULL : "the client could not send the rows");
    int rc = 0;
    while ((r = PQgetResult(c->conn)) != NULL) {
        int k = result_rc(c, r);
        if (k && !rc)
            rc = k;
        PQclear(r);
    }
    return ok == 1 ? rc : XT_EIO;
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

/* Whether a statement returns no rows: INSERT, UPDATE or DELETE without
 * RETURNING (a word search is enough for the store's own statements). */
static bool no_rows(const char *sql)
{
    while (*sql == ' ')
        sql++;
    bool write = strncasecmp(sql, "INSERT", 6) == 0 || strncasecmp(sql, "UPDATE", 6) == 0 ||
                 strncasecmp(sql, "DELETE", 6) == 0;
    return write && !strcasestr(sql, "RETURNING");
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
    st->norows = no_rows(text);
    snprintf(st->name, sizeof(st->name), "s%d", c->next_name++);
    PGresult *r;
    if (c->pipeline) {
        sent(c, PQsendPrepare(c->conn, st->name, text, 0, NULL), false);
        r = c->failed ? NULL : pipeline_answer(c);
    } else {
        r = PQprepare(c->conn, st->name, text, 0, NULL);
    }
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
        struct xt_pg_conn *c = st->c;
        if (c->pipeline) {
            if (c->failed)
                return c->failed;
            sent(c,
                 PQsendQueryPrepared(c->conn, st->name, st->nparams,
                                     (const char *const *)st->params, NULL, NULL, 0),
                 st->norows);
            if (st->norows || c->failed)
                return c->failed; /* answered later, or the pipeline has failed */
            st->res = pipeline_answer(c);
        } else {
            st->res = PQexecPrepared(c->conn, st->name, st->nparams,
                                     (const char *const *)st->params, NULL, NULL, 0);
        }
        int rc = st->res ? result_rc(c, st->res) : XT_EIO;
        if (rc) {
            if (c->pipeline && !c->failed)
                c->failed = rc;
            PQclear(st->res);
            st->res = NULL;
            return rc;
        }
        ExecStatusType s = PQresultStatus(st->res);
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
