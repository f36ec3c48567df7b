/* test_writer.c - the store's writer thread: a batch of replayable jobs
 * on PostgreSQL is pipelined, and when one job of it fails the batch is
 * rolled back and run again job by job, so that the failure is that job's
 * alone. Also the pipeline itself (db_pg.c): deferred statements, their
 * errors, and order. Runs on SQLite (no pipeline: the same outcomes) and,
 * as test_writer_pg, on PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testdb.h"

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/access.h"
#include "store/store_int.h"

struct fx {
    char dir[64];
    struct xt_store *s;
    struct xt_actor actor;
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/xt_test_writer_XXXXXX");
    if (!mkdtemp(f->dir) || xt_testdb_configure(f->dir, NULL, 0))
        return -1;
    struct xt_error err;
    if (xt_store_open(f->dir, &f->s, &err)) {
        print_error("open: %s\n", err.message);
        return -1;
    }
    f->actor.account_id = 1;
    f->actor.role = XT_ROLE_ADMIN;
    snprintf(f->actor.username, sizeof(f->actor.username), "writer-test");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    xt_store_close(f->s);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* ---- jobs ---- */

struct job {
    struct fx *f;
    char object[32];
    int fail;     /* write a calendar row that already exists: a unique violation */
    int slow;     /* hold the writer, so that the jobs behind queue into one batch */
    int runs, rc; /* how often the writer ran it; what the caller got */
};

static int job_fn(struct xt_store *s, struct xt_conn *c, void *arg)
{
    struct job *j = arg;
    j->runs++;
    if (j->slow)
        usleep(300 * 1000);
    int rc = xt_audit_append(s, c, &j->f->actor, "test.write", j->object, "", 1700000000);
    if (rc || !j->fail)
        return rc;
    struct xt_stmt *st =
        xt_conn_stmt(c, "INSERT INTO calendar(day, kind, name) VALUES('2000-01-01', 'test', 'x')");
    if (!st)
        return XT_EIO;
    rc = xt_step(st);
    xt_reset(st);
    return rc == 0 ? 0 : rc;
}

static void *job_thread(void *arg)
{
    struct job *j = arg;
    j->rc = xt_store_write_replayable(j->f->s, job_fn, j);
    return NULL;
}

static long audit_rows(struct fx *f, const char *object)
{
    struct xt_conn *c = xt_store_reader(f->s);
    assert_non_null(c);
    struct xt_stmt *st = xt_conn_stmt(c, "SELECT count(*) FROM audit WHERE object=?1");
    assert_non_null(st);
    xt_bind_text(st, 1, object);
    assert_int_equal(xt_step(st), 1);
    long n = (long)xt_col_int(st, 0);
    xt_reset(st);
    xt_store_reader_put(f->s, c);
    return n;
}

/* One job of a batch fails: it alone is refused, the others are committed,
 * the audit chain stays whole, and on PostgreSQL the batch was replayed. */
static void test_failing_job_fails_alone(void **state)
{
    struct fx *f = *state;
    struct job seed = {.f = f};
    snprintf(seed.object, sizeof(seed.object), "seed");
    seed.fail = 1; /* the calendar row does not exist yet: this one succeeds */
    assert_int_equal(xt_store_write_replayable(f->s, job_fn, &seed), 0);
    long replays0 = f->s->replays;

    enum { N = 8 };
    struct job jobs[N];
    pthread_t th[N];
    memset(jobs, 0, sizeof(jobs));
    for (int i = 0; i < N; i++) {
        jobs[i].f = f;
        snprintf(jobs[i].object, sizeof(jobs[i].object), "job-%d", i);
    }
    jobs[0].slow = 1;
    jobs[4].fail = 1; /* the row exists now: a unique violation */
    assert_int_equal(pthread_create(&th[0], NULL, job_thread, &jobs[0]), 0);
    usleep(100 * 1000); /* job 0 is running; the rest queue behind it */
    for (int i = 1; i < N; i++)
        assert_int_equal(pthread_create(&th[i], NULL, job_thread, &jobs[i]), 0);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);

    for (int i = 0; i < N; i++) {
        if (i == 4) {
            assert_int_equal(jobs[i].rc, XT_EEXIST);
            assert_int_equal(audit_rows(f, jobs[i].object), 0);
        } else {
            assert_int_equal(jobs[i].rc, 0);
            assert_int_equal(audit_rows(f, jobs[i].object), 1);
        }
    }
    int64_t bad = 0;
    long rows = 0;
    assert_int_equal(xt_store_audit_verify(f->s, &bad, &rows), 0);
    assert_int_equal(rows, 1 + N - 1);
    if (xt_store_backend(f->s) == XT_DB_POSTGRES) {
        /* Jobs 1..7 shared a batch: tried pipelined, then one by one. */
        assert_true(f->s->replays > replays0);
        assert_true(jobs[5].runs >= 2);
    }
}

/* ---- the pipeline itself (PostgreSQL; a no-op on SQLite) ---- */

static void test_pipeline_defers_and_reports(void **state)
{
    struct fx *f = *state;
    if (xt_store_backend(f->s) != XT_DB_POSTGRES) {
        /* On SQLite the pipeline switch changes nothing. */
        struct xt_conn *c = xt_store_reader(f->s);
        assert_int_equal(xt_conn_pipeline(c, true), 0);
        assert_int_equal(xt_conn_pipeline(c, false), 0);
        xt_store_reader_put(f->s, c);
        return;
    }
    struct xt_conn *c = xt_conn_open(f->s->path, false);
    assert_non_null(c);
    assert_int_equal(xt_conn_exec(c, "CREATE TABLE pipe_t (k INTEGER PRIMARY KEY)"), 0);

    /* Deferred inserts are seen, in order, by a later statement. */
    assert_int_equal(xt_conn_exec(c, "BEGIN"), 0);
    assert_int_equal(xt_conn_pipeline(c, true), 0);
    static const char ins[] = "INSERT INTO pipe_t(k) VALUES(?1)";
    for (int k = 1; k <= 300; k++) { /* more than the driver lets pile up */
        struct xt_stmt *st = xt_conn_stmt(c, ins);
        assert_non_null(st);
        xt_bind_int(st, 1, k);
        assert_int_equal(xt_step(st), 0);
        xt_reset(st);
    }
    struct xt_stmt *q = xt_conn_stmt(c, "SELECT count(*), max(k) FROM pipe_t");
    assert_int_equal(xt_step(q), 1);
    assert_int_equal(xt_col_int(q, 0), 300);
    assert_int_equal(xt_col_int(q, 1), 300);
    xt_reset(q);
    assert_int_equal(xt_conn_pipeline(c, false), 0);
    assert_int_equal(xt_conn_exec(c, "COMMIT"), 0);

    /* A duplicate is answered 0 at once; its error comes at the end, and
     * the transaction can only be rolled back. */
    assert_int_equal(xt_conn_exec(c, "BEGIN"), 0);
    assert_int_equal(xt_conn_pipeline(c, true), 0);
    struct xt_stmt *st = xt_conn_stmt(c, ins);
    xt_bind_int(st, 1, 1000);
    assert_int_equal(xt_step(st), 0);
    xt_reset(st);
    st = xt_conn_stmt(c, ins);
    xt_bind_int(st, 1, 5);
    assert_int_equal(xt_step(st), 0);
    xt_reset(st);
    /* A statement that needs its answer sees the failure now. */
    q = xt_conn_stmt(c, "SELECT count(*), max(k) FROM pipe_t");
    assert_true(xt_step(q) < 0);
    xt_reset(q);
    assert_int_equal(xt_conn_pipeline(c, false), XT_EEXIST);
    assert_int_equal(xt_conn_exec(c, "ROLLBACK"), 0);
    q = xt_conn_stmt(c, "SELECT count(*), max(k) FROM pipe_t");
    assert_int_equal(xt_step(q), 1);
    assert_int_equal(xt_col_int(q, 0), 300); /* 1000 was rolled back */
    xt_reset(q);
    assert_int_equal(xt_conn_exec(c, "DROP TABLE pipe_t"), 0);
    xt_conn_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failing_job_fails_alone),
        cmocka_unit_test(test_pipeline_defers_and_reports),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
