/* db_pg.h - internal: the PostgreSQL (libpq) driver behind db.h.
 *
 * Parameters travel as text (libpq's text format), so db.c turns numbers
 * into text when binding and back when reading. SQL handed to
 * xt_pg_prepare uses ?1, ?2 ...; the driver rewrites them as $1, $2 ...
 * outside string literals. */
#ifndef XT_DB_PG_H
#define XT_DB_PG_H

#include <stdbool.h>
#include <stddef.h>

struct xt_pg_conn;
struct xt_pg_stmt;

struct xt_pg_conn *xt_pg_open(const char *conninfo, bool readonly);
void xt_pg_close(struct xt_pg_conn *c);
int xt_pg_exec(struct xt_pg_conn *c, const char *sql);
const char *xt_pg_errmsg(struct xt_pg_conn *c);
/* Enter (on) or leave pipeline mode; leaving waits for every answer and
 * returns the first error among them (XT_EEXIST or XT_EIO), or 0. */
int xt_pg_pipeline(struct xt_pg_conn *c, bool on);
/* COPY target FROM STDIN with n bytes of text-format rows (db.h). */
int xt_pg_copy(struct xt_pg_conn *c, const char *target, const char *rows, size_t n);

struct xt_pg_stmt *xt_pg_prepare(struct xt_pg_conn *c, const char *sql);
void xt_pg_finalize(struct xt_pg_stmt *st);
/* Bind parameter i (1-based) to a copy of text, or NULL. */
void xt_pg_bind(struct xt_pg_stmt *st, int i, const char *text);
/* 1 row, 0 done, XT_EEXIST on a unique violation (SQLSTATE 23505), XT_EIO. */
int xt_pg_step(struct xt_pg_stmt *st);
void xt_pg_reset(struct xt_pg_stmt *st);
bool xt_pg_col_null(struct xt_pg_stmt *st, int i);
const char *xt_pg_col_text(struct xt_pg_stmt *st, int i);

#endif
