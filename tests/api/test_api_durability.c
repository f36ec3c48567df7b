/* test_api_durability.c - crash durability in rounds: writer threads drive
 * ticket creations and transitions (create, dispatch, sign) through the
 * API while the server is killed with SIGKILL at a random moment. After
 * each kill:
 *
 *   - on SQLite, the database file passes PRAGMA integrity_check (opened
 *     as the crash left it, before any restart);
 *   - a new server on the same data directory answers every ticket whose
 *     creation was acknowledged (201), in at least the state of its last
 *     acknowledged transition (200), with its text, and every acknowledged
 *     transition in its timeline;
 *   - the audit hash chain is intact.
 *
 * XT_CRASH_ROUNDS sets the number of rounds (default 3; `make test-long`
 * runs 50), XT_CRASH_SEED the random seed (printed, to replay a failure). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apiclient.h"
#include "testdb.h"

#define WRITERS 4
#define MAX_TICKETS 60000

static struct api_server srv;
static char dir[64];
static char tok[API_ACCOUNT_COUNT][128];

#define T(account) tok[API_##account]

/* What the clients were told. state: 0 created, 1 dispatched, 2 signed. */
struct acked {
    char number[32];
    char text[96];
    int state;
};

static struct acked acked[MAX_TICKETS];
static atomic_int n_acked;
static atomic_int stop_writers;
static atomic_long transitions_acked;
static atomic_long creates_acked;

static int setup(void **state)
{
    (void)state;
    unsigned who = 1u << API_OPERATOR | 1u << API_TOWNSHIP | 1u << API_AUDITOR;
    return api_fixture_start(&srv, dir, sizeof(dir), who, tok) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fixture_finish(&srv, dir);
    return 0;
}

/* One request; the status, or 0 when the connection failed (the kill). */
static int call(const char *method, const char *token, const char *body, struct json_object **out,
                const char *path)
{
    struct api_resp r;
    if (api_call(&srv, method, token, NULL, body, &r, "%s", path))
        return 0;
    int st = r.status;
    if (out) {
        *out = r.json;
        r.json = NULL;
    }
    api_resp_release(&r);
    return st;
}

static void *writer(void *arg)
{
    int id = (int)(intptr_t)arg;
    unsigned seq = 0;
    while (!atomic_load(&stop_writers)) {
        char body[512], path[96];
        int slot = atomic_fetch_add(&n_acked, 1);
        if (slot >= MAX_TICKETS) {
            atomic_fetch_sub(&n_acked, 1);
            break;
        }
        struct acked *a = &acked[slot];
        snprintf(a->text, sizeof(a->text), "持久性第%d-%u件 %ld", id, seq++, (long)time(NULL));
        snprintf(body, sizeof(body),
                 "{\"text\": \"%s\", \"type\": \"help\", \"location\": {\"unit\": \"%s\"},"
                 " \"contact\": {\"name\": \"测试人\", \"phone\": \"13900000000\"}}",
                 a->text, API_GRID);
        struct json_object *o = NULL;
        int st = call("POST", T(OPERATOR), body, &o, "/api/v1/tickets");
        const char *n = o ? api_json_str(o, "number") : NULL;
        if (st != 201 || !n) {
            /* Not acknowledged: give the slot a blank number, so that the
             * check skips it, and stop at the first failure (the kill). */
            a->number[0] = '\0';
            json_object_put(o);
            if (st != 0)
                fprintf(stderr, "durability: create answered %d\n", st);
            break;
        }
        snprintf(a->number, sizeof(a->number), "%s", n);
        a->state = 0;
        atomic_fetch_add(&creates_acked, 1);
        json_object_put(o);
        snprintf(path, sizeof(path), "/api/v1/tickets/%.31s/dispatch", a->number);
        st = call("POST", T(OPERATOR), "{\"handler\": \"" API_TOWN "\"}", NULL, path);
        if (st != 200)
            break;
        a->state = 1;
        atomic_fetch_add(&transitions_acked, 1);
        snprintf(path, sizeof(path), "/api/v1/tickets/%.31s/sign", a->number);
        st = call("POST", T(TOWNSHIP), "{}", NULL, path);
        if (st != 200)
            break;
        a->state = 2;
        atomic_fetch_add(&transitions_acked, 1);
    }
    return NULL;
}

static int state_rank(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "received") == 0)
        return 0;
    if (strcmp(s, "dispatched") == 0)
        return 1;
    if (strcmp(s, "signed") == 0)
        return 2;
    return -1;
}

/* PRAGMA integrity_check on the database as the crash left it. */
static void check_integrity(void)
{
    if (xt_testdb_postgres())
        return; /* PostgreSQL does its own crash recovery; the rows are checked below */
    char path[128];
    snprintf(path, sizeof(path), "%s/xietong.db", dir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *res = (const char *)sqlite3_column_text(st, 0);
    if (strcmp(res, "ok") != 0)
        print_message("integrity_check: %s\n", res);
    assert_string_equal(res, "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Every acknowledged ticket and transition from index `from` on is there
 * after the restart, and a sample of 50 earlier ones (all of them at the
 * end: from = 0). */
static void check_acknowledged(int round, int from)
{
    int n = atomic_load(&n_acked);
    int missing = 0, checked = 0;
    for (int i = 0; i < n; i++) {
        struct acked *a = &acked[i];
        if (!*a->number)
            continue;
        if (i < from && rand() % (from / 50 + 1) != 0)
            continue;
        checked++;
        char path[96];
        snprintf(path, sizeof(path), "/api/v1/tickets/%.31s", a->number);
        struct json_object *o = NULL;
        int st = call("GET", T(OPERATOR), NULL, &o, path);
        const char *text = o ? api_json_str(o, "text") : NULL;
        int rank = o ? state_rank(api_json_str(o, "state")) : -1;
        if (st != 200 || !text || strcmp(text, a->text) != 0 || rank < a->state) {
            print_message("round %d: ticket %s (acknowledged state %d) came back as %d %s\n",
                          round, a->number, a->state, st,
                          o ? json_object_to_json_string(o) : "");
            missing++;
        }
        json_object_put(o);
        if (a->state > 0) {
            /* The timeline holds create plus each acknowledged transition. */
            snprintf(path, sizeof(path), "/api/v1/tickets/%.31s/timeline", a->number);
            st = call("GET", T(OPERATOR), NULL, &o, path);
            long events = st == 200 ? api_json_len(o, "events") : -1;
            if (events < 1 + a->state) {
                print_message("round %d: ticket %s has %ld events, %d acknowledged\n", round,
                              a->number, events, 1 + a->state);
                missing++;
            }
            json_object_put(o);
        }
    }
    assert_int_equal(missing, 0);
    assert_true(checked > 0);
    struct json_object *v = NULL;
    assert_int_equal(call("GET", T(AUDITOR), NULL, &v, "/api/v1/audit/verify"), 200);
    assert_int_equal(api_json_bool(v, "intact"), 1);
    json_object_put(v);
}

static void test_kill9_rounds(void **state)
{
    (void)state;
    const char *env = getenv("XT_CRASH_ROUNDS");
    int rounds = env && *env ? (int)strtol(env, NULL, 10) : 3;
    if (rounds < 1)
        rounds = 1;
    env = getenv("XT_CRASH_SEED");
    unsigned seed = env && *env ? (unsigned)strtoul(env, NULL, 10) : (unsigned)time(NULL);
    print_message("durability: %d rounds, XT_CRASH_SEED=%u\n", rounds, seed);
    srand(seed);
    long created_before = 0;
    for (int round = 1; round <= rounds; round++) {
        int from = atomic_load(&n_acked);
        if (!srv.pid)
            assert_int_equal(api_server_start(&srv, dir), 0);
        atomic_store(&stop_writers, 0);
        pthread_t th[WRITERS];
        for (int t = 0; t < WRITERS; t++)
            assert_int_equal(pthread_create(&th[t], NULL, writer, (void *)(intptr_t)t), 0);
        /* A random moment: 0 to 1 s after the round's first acknowledged
         * write (waiting for it keeps a slow, loaded machine from killing
         * a server that has not answered yet, which would prove nothing). */
        long acks = atomic_load(&creates_acked);
        for (int w = 0; w < 3000 && atomic_load(&creates_acked) == acks; w++)
            usleep(10 * 1000);
        usleep((useconds_t)(rand() % 1000) * 1000);
        api_server_kill9(&srv);
        atomic_store(&stop_writers, 1);
        for (int t = 0; t < WRITERS; t++)
            assert_int_equal(pthread_join(th[t], NULL), 0);
        check_integrity();
        assert_int_equal(api_server_start(&srv, dir), 0);
        check_acknowledged(round, from);
        long created = 0;
        for (int i = 0; i < atomic_load(&n_acked); i++)
            created += acked[i].number[0] != '\0';
        print_message("round %d: %ld tickets and %ld transitions acknowledged so far, all present\n",
                      round, created, atomic_load(&transitions_acked));
        /* Each round must have written something, or it proves nothing. */
        assert_true(created > created_before);
        created_before = created;
        if (atomic_load(&n_acked) >= MAX_TICKETS - 2000)
            break;
    }
    /* At the end, every ticket of every round once more. */
    check_acknowledged(rounds + 1, 0);
    assert_int_equal(api_server_stop(&srv), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill9_rounds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
