/* testdb.h - run a test's store on PostgreSQL when XT_TEST_PG is set.
 *
 * XT_TEST_PG names a throw-away server (scripts/pg-test.sh), e.g.
 * postgresql://postgres@127.0.0.1:25432/postgres. xt_testdb_configure
 * creates a fresh database there and writes "database = URL" into
 * dir/xietong.conf, so every store opened on dir uses it. Without
 * XT_TEST_PG it does nothing and the store stays on SQLite. */
#ifndef XT_TESTDB_H
#define XT_TESTDB_H

#include <stdbool.h>
#include <stddef.h>

/* 0 on success; -1 (with a message on stderr) when the database cannot be
 * made. url (may be NULL) receives the database URL, "" on SQLite. */
int xt_testdb_configure(const char *dir, char *url, size_t urlsz);
bool xt_testdb_postgres(void);
/* Create a fresh database on the XT_TEST_PG server and write its URL to
 * url, touching no data directory. 0 on success; -1 (with a message on
 * stderr) without XT_TEST_PG or when the database cannot be made. */
int xt_testdb_create(char *url, size_t urlsz);
/* Run sql on the PostgreSQL database configured for dir, behind the
 * store's back. 0 when it succeeded (out, if given, gets the first column
 * of the first row, "" when none); -1 when PostgreSQL refused it. */
int xt_testdb_sql(const char *dir, const char *sql, char *out, size_t outsz);
/* The same on the database of dir whichever backend it is: PostgreSQL as
 * configured, else the SQLite file dir/xietong.db. 0 when it succeeded
 * (out as above); -1 with the database's message on stderr. */
int xt_testdb_exec(const char *dir, const char *sql, char *out, size_t outsz);

#endif
