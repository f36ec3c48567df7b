/* bench_sqlite.c - the floor under the store's group commit: a bare
 * SQLite insert loop on one table, WAL with synchronous=FULL (every commit
 * fsyncs the WAL), one thread, prepared statements, no application work.
 *
 *   (a) one row per transaction  - what a write costs without grouping
 *   (b) 256 rows per transaction - what grouping can reach
 *
 * Rows look like a ticket row in size (about 300 bytes of text and a few
 * integers). Each mode runs for a fixed time on a fresh database file.
 *
 *   bench_sqlite --dir DIR [--seconds S]
 *
 * Prints "sqlite_rows_per_sec_txn1 N", "sqlite_rows_per_sec_txn256 N" and
 * the commits per second behind each. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bench_sqlite: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_sqlite: %s: %s\n", sql, msg ? msg : "?");
        exit(1);
    }
}

static void remove_db(const char *path)
{
    char p[1100];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

/* Insert rows in transactions of `per_tx` rows for `seconds`; returns
 * rows per second and sets *commits_per_sec. */
static double run(const char *dir, int per_tx, double seconds, double *commits_per_sec)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/bench_sqlite_%d.db", dir, per_tx);
    remove_db(path);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        die(db, "open");
    /* The store's settings (src/store/store.c conn_open). */
    exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=4000;");
    exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,"
             " state INTEGER NOT NULL, grid TEXT NOT NULL, created_at INTEGER NOT NULL,"
             " text TEXT NOT NULL)");
    sqlite3_stmt *ins, *begin, *commit;
    if (sqlite3_prepare_v2(db, "INSERT INTO t(number, state, grid, created_at, text)"
                               " VALUES(?1, 0, ?2, ?3, ?4)", -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK)
        die(db, "prepare");
    static const char text[] =
        "小区门口的路灯已经坏了两个多星期，晚上出行很不方便，老人孩子容易摔倒，"
        "希望有关部门尽快派人维修。地址在韩集镇韩集村东口，靠近卫生院。";
    long rows = 0, commits = 0;
    double t0 = now(), t = t0;
    while (t - t0 < seconds) {
        if (sqlite3_step(begin) != SQLITE_DONE)
            die(db, "begin");
        sqlite3_reset(begin);
        for (int i = 0; i < per_tx; i++) {
            char number[32];
            snprintf(number, sizeof(number), "20261126-%07ld", rows);
            sqlite3_bind_text(ins, 1, number, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, "622921100001001", -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, 3, 1795000000 + rows);
            sqlite3_bind_text(ins, 4, text, -1, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE)
                die(db, "insert");
            sqlite3_reset(ins);
            rows++;
        }
        if (sqlite3_step(commit) != SQLITE_DONE)
            die(db, "commit");
        sqlite3_reset(commit);
        commits++;
        t = now();
    }
    double dt = t - t0;
    sqlite3_finalize(ins);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    remove_db(path);
    *commits_per_sec = (double)commits / dt;
    return (double)rows / dt;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    double seconds = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = strtod(argv[i + 1], NULL);
    }
    if (!dir || seconds <= 0) {
        fprintf(stderr, "usage: bench_sqlite --dir DIR [--seconds S]\n");
        return 2;
    }
    mkdir(dir, 0700);
    printf("sqlite_version %s\n", sqlite3_libversion());
    double c1, c256;
    double r1 = run(dir, 1, seconds, &c1);
    printf("sqlite_rows_per_sec_txn1 %.0f\n", r1);
    printf("sqlite_commits_per_sec_txn1 %.0f\n", c1);
    fflush(stdout);
    double r256 = run(dir, 256, seconds, &c256);
    printf("sqlite_rows_per_sec_txn256 %.0f\n", r256);
    printf("sqlite_commits_per_sec_txn256 %.0f\n", c256);
    return 0;
}
