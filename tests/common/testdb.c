/* testdb.c - a fresh PostgreSQL database per test data directory. */
#include "testdb.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

bool xt_testdb_postgres(void)
{
    const char *base = getenv("XT_TEST_PG");
    return base && *base;
}

int xt_testdb_create(char *url, size_t urlsz)
{
    if (url && urlsz)
        url[0] = '\0';
    const char *base = getenv("XT_TEST_PG");
    if (!base || !*base) {
        fprintf(stderr, "testdb: XT_TEST_PG is not set\n");
        return -1;
    }
    static unsigned counter;
    char name[64];
    snprintf(name, sizeof(name), "xt_%ld_%u_%ld", (long)getpid(), counter++,
             (long)(time(NULL) % 100000));
    PGconn *c = PQconnectdb(base);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "testdb: cannot connect to %s: %s", base, PQerrorMessage(c));
        PQfinish(c);
        return -1;
    }
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "testdb: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    if (!ok)
        return -1;
    /* Same server, the new database: replace the path after the last '/'. */
    const char *slash = strrchr(base, '/');
    if (!slash || slash < base + 13) {
        fprintf(stderr, "testdb: XT_TEST_PG '%s' has no database part\n", base);
        return -1;
    }
    if (url && urlsz)
        snprintf(url, urlsz, "%.*s/%s", (int)(slash - base), base, name);
    return 0;
}

int xt_testdb_configure(const char *dir, char *url, size_t urlsz)
{
    if (url && urlsz)
        url[0] = '\0';
    if (!xt_testdb_postgres())
        return 0;
    char dburl[512];
    if (xt_testdb_create(dburl, sizeof(dburl)))
        return -1;
    char path[600];
    snprintf(path, sizeof(path), "%s/xietong.conf", dir);
    FILE *fp = fopen(path, "w");
    if (!fp) {
        fprintf(stderr, "testdb: cannot write %s\n", path);
        return -1;
    }
    fprintf(fp, "# written by the test harness\ndatabase = %s\n", dburl);
    fclose(fp);
    if (url && urlsz)
        snprintf(url, urlsz, "%s", dburl);
    return 0;
}

int xt_testdb_sql(const char *dir, const char *sql, char *out, size_t outsz)
{
    if (out && outsz)
        out[0] = '\0';
    char path[600], line[700], url[600] = "";
    snprintf(path, sizeof(path), "%s/xietong.conf", dir);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    while (fgets(line, sizeof(line), fp))
        if (sscanf(line, "database = %599s", url) == 1)
            break;
    fclose(fp);
    if (!*url)
        return -1;
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        return -1;
    }
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
    if (!rc && out && outsz && st == PGRES_TUPLES_OK && PQntuples(r) > 0)
        snprintf(out, outsz, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
    return rc;
}

int xt_testdb_exec(const char *dir, const char *sql, char *out, size_t outsz)
{
    if (xt_testdb_postgres())
        return xt_testdb_sql(dir, sql, out, outsz);
    if (out && outsz)
        out[0] = '\0';
    char path[600];
    snprintf(path, sizeof(path), "%s/xietong.db", dir);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "testdb: %s: %s\n", path, db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW && out && outsz) {
            const unsigned char *v = sqlite3_column_text(st, 0);
            snprintf(out, outsz, "%s", v ? (const char *)v : "");
        }
        rc = r == SQLITE_ROW || r == SQLITE_DONE ? 0 : -1;
    }
    if (rc)
        fprintf(stderr, "testdb: %s: %s\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
