/* db.h - the store's database connection, over SQLite or PostgreSQL.
 *
 * The store writes its SQL once, with ?1, ?2 ... parameters; where the two
 * dialects differ a statement carries a PostgreSQL text beside the SQLite
 * one. A connection caches its prepared statements by the address of their
 * (static) SQLite text, so preparing is paid once per connection.
 *
 * Binding: text passed to xt_bind_text must stay valid until the statement
 * is stepped or reset (the drivers may keep the pointer). Results: strings
 * from xt_col_text are valid until the next step or reset of the
 * statement. Steps return 1 for a row, 0 when done, or a negative XT_E*
 * code: XT_EEXIST for a uniqueness violation, XT_EIO otherwise.
 */
#ifndef XT_DB_H
#define XT_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

enum xt_db_kind {
    XT_DB_SQLITE = 1,
    XT_DB_POSTGRES = 2,
};

struct xt_conn; /* a connection (store_int.h) */
struct xt_stmt; /* a prepared statement of a connection */

/* What a database URL names: "sqlite:PATH" (or a bare path) or
 * "postgresql://..." / "postgres://..." (a libpq connection string). */
int xt_db_kind_of_url(const char *url);

/* Open a connection. readonly opens SQLite read-only; for PostgreSQL it
 * sets default_transaction_read_only. NULL on failure (logged). */
struct xt_conn *xt_conn_open(const char *url, bool readonly);
void xt_conn_close(struct xt_conn *c);
int xt_conn_kind(const struct xt_conn *c);
/* Run SQL text without parameters (may hold several statements). */
int xt_conn_exec(struct xt_conn *c, const char *sql);
const char *xt_conn_errmsg(struct xt_conn *c);
/* The rowid of the row last inserted on c (SQLite), which spares a bulk
 * INSERT the cost of RETURNING there; 0 on PostgreSQL, where the statement
 * says RETURNING id. */
int64_t xt_conn_last_rowid(struct xt_conn *c);
/* Pipelined writing on PostgreSQL (see db_pg.c): between on and off, a
 * statement that returns no rows answers 0 at once and its error, if any,
 * is returned by the call that turns the pipeline off (after which the
 * transaction can only be rolled back). A no-op on SQLite. */
int xt_conn_pipeline(struct xt_conn *c, bool on);

/* Bulk loading on PostgreSQL: COPY target FROM STDIN with n bytes of rows
 * in PostgreSQL's text format (see xt_copy_text / xt_copy_int), target
 * being "table(col, ...)". One call sends them all and waits for the
 * answer: 0, XT_EEXIST when a row breaks a unique index (nothing of the
 * COPY is kept; the transaction must be rolled back), XT_EIO otherwise.
 * Not in pipeline mode. XT_EINVAL on SQLite, which has no COPY: the store
 * writes there row by row with prepared INSERTs. */
int xt_conn_copy(struct xt_conn *c, const char *target, const char *rows, size_t n);

/* Append one field of a COPY text row to b: text (NULL for \N) with
 * backslash, tab, newline and carriage return escaped, or an integer; then
 * a tab, or the newline when last. 0 or XT_ETOOBIG (b's cap). */
struct xt_buf;
int xt_copy_text(struct xt_buf *b, const char *v, bool last);
int xt_copy_int(struct xt_buf *b, int64_t v, bool last);

/* The cached prepared statement for sql (same text on both backends), or
 * for sql on SQLite and pg on PostgreSQL. Reset, bindings cleared. NULL on
 * failure (logged). */
struct xt_stmt *xt_conn_stmt(struct xt_conn *c, const char *sql);
struct xt_stmt *xt_conn_stmt2(struct xt_conn *c, const char *sql, const char *pg);

void xt_bind_text(struct xt_stmt *st, int i, const char *text); /* NULL binds NULL */
void xt_bind_int(struct xt_stmt *st, int i, int64_t v);
void xt_bind_double(struct xt_stmt *st, int i, double v);
void xt_bind_null(struct xt_stmt *st, int i);

int xt_step(struct xt_stmt *st);
void xt_reset(struct xt_stmt *st);

bool xt_col_null(struct xt_stmt *st, int i);
const char *xt_col_text(struct xt_stmt *st, int i); /* "" for NULL */
int64_t xt_col_int(struct xt_stmt *st, int i);      /* 0 for NULL */
double xt_col_double(struct xt_stmt *st, int i);    /* 0 for NULL */

#endif
