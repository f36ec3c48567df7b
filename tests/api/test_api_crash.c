/* test_api_crash.c - durability: what the server acknowledged survives a
 * kill -9. Tickets are created one after the other and from several
 * threads at once, the server is killed right after the last 201, and a
 * new server on the same data directory must answer every acknowledged
 * number with its text, keep numbering after the last one and find the
 * audit chain intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apiclient.h"

#define SEQUENTIAL 20
#define THREADS 4
#define PER_THREAD 10
#define TOTAL (SEQUENTIAL + THREADS * PER_THREAD)

static struct api_server srv;
static char dir[64];
static char tok[API_ACCOUNT_COUNT][128];
static char numbers[TOTAL][32];
static char texts[TOTAL][96];
static int acked;

#define T(account) tok[API_##account]

static int setup(void **state)
{
    (void)state;
    unsigned who = 1u << API_OPERATOR | 1u << API_AUDITOR;
    return api_fixture_start(&srv, dir, sizeof(dir), who, tok) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fixture_finish(&srv, dir);
    return 0;
}

/* Create ticket i; 0 when acknowledged with 201 and a number. */
static int create_one(int i)
{
    snprintf(texts[i], sizeof(texts[i]), "持久性测试第%d件：路面坑洼", i);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"text\": \"%s\", \"type\": \"help\", \"location\": {\"unit\": \"%s\"},"
             " \"contact\": {\"name\": \"测试人\", \"phone\": \"13900000000\"}}",
             texts[i], API_GRID);
    struct api_resp r;
    if (api_call(&srv, "POST", T(OPERATOR), NULL, body, &r, "/api/v1/tickets"))
        return -1;
    const char *n = api_json_str(r.json, "number");
    int rc = r.status == 201 && n ? 0 : -1;
    if (!rc)
        snprintf(numbers[i], sizeof(numbers[i]), "%s", n);
    else
        fprintf(stderr, "create %d answered %d: %s\n", i, r.status, r.body);
    api_resp_release(&r);
    return rc;
}

static void *worker(void *arg)
{
    int first = *(int *)arg;
    intptr_t failures = 0;
    for (int i = first; i < first + PER_THREAD; i++)
        failures += create_one(i) != 0;
    return (void *)failures;
}

static void test_create_then_kill9(void **state)
{
    (void)state;
    for (int i = 0; i < SEQUENTIAL; i++)
        assert_int_equal(create_one(i), 0);
    /* Then several clients at once, so that commits are grouped. */
    pthread_t th[THREADS];
    int first[THREADS];
    for (int t = 0; t < THREADS; t++) {
        first[t] = SEQUENTIAL + t * PER_THREAD;
        assert_int_equal(pthread_create(&th[t], NULL, worker, &first[t]), 0);
    }
    intptr_t failures = 0;
    for (int t = 0; t < THREADS; t++) {
        void *ret;
        assert_int_equal(pthread_join(th[t], &ret), 0);
        failures += (intptr_t)ret;
    }
    /* Right after the last 201: no clean shutdown, no chance to flush. */
    api_server_kill9(&srv);
    assert_int_equal(failures, 0);
    acked = TOTAL;
    /* Numbers are unique. */
    for (int i = 0; i < TOTAL; i++)
        for (int j = i + 1; j < TOTAL; j++)
            assert_string_not_equal(numbers[i], numbers[j]);
}

static void test_restart_reads_every_ticket(void **state)
{
    (void)state;
    assert_int_equal(acked, TOTAL);
    assert_int_equal(api_server_start(&srv, dir), 0);
    /* The old sessions were stored durably too. */
    for (int i = 0; i < acked; i++) {
        struct json_object *o =
            api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/tickets/%s", numbers[i]);
        assert_non_null(o);
        assert_string_equal(api_json_str(o, "number"), numbers[i]);
        assert_string_equal(api_json_str(o, "text"), texts[i]);
        assert_string_equal(api_json_str(o, "state"), "received");
        assert_string_equal(api_json_str(o, "contact.phone"), "139****0000");
        json_object_put(o);
    }
    assert_int_equal(api_ticket_count(&srv, T(OPERATOR), NULL), acked);

    /* Numbering carries on after the highest acknowledged number. */
    int hi = 0;
    for (int i = 1; i < acked; i++)
        if (strcmp(numbers[i], numbers[hi]) > 0)
            hi = i;
    char highest[32];
    memcpy(highest, numbers[hi], sizeof(highest));
    assert_int_equal(create_one(0), 0);
    assert_true(strcmp(numbers[0], highest) > 0);

    struct json_object *v =
        api_expect(&srv, 200, "GET", T(AUDITOR), NULL, NULL, "/api/v1/audit/verify");
    assert_non_null(v);
    assert_int_equal(api_json_bool(v, "intact"), 1);
    assert_true(api_json_int(v, "rows", 0) >= TOTAL + 1);
    json_object_put(v);
    assert_int_equal(api_server_stop(&srv), 0);
}

/* After a restart no session is cached: many first requests with the same
 * token at once must still leave exactly one session to end at logout. */
#define RACERS 16

static pthread_barrier_t barrier;

static void *racer(void *arg)
{
    const char *token = arg;
    pthread_barrier_wait(&barrier);
    struct api_resp r;
    intptr_t st = api_call(&srv, "GET", token, NULL, NULL, &r, "/api/v1/me") == 0 ? r.status : 0;
    api_resp_release(&r);
    return (void *)st;
}

static void test_logout_after_restart_race(void **state)
{
    (void)state;
    enum { SESSIONS = 12 };
    static char tokens[SESSIONS][128];
    if (!srv.pid)
        assert_int_equal(api_server_start(&srv, dir), 0);
    const struct api_account_def *a = &api_accounts[API_OPERATOR];
    for (int k = 0; k < SESSIONS; k++)
        assert_int_equal(api_login(&srv, a->username, a->password, tokens[k], 128), 0);
    /* Restart so that the sessions are known only to the database. */
    assert_int_equal(api_server_stop(&srv), 0);
    assert_int_equal(api_server_start(&srv, dir), 0);
    int survived = 0;
    for (int k = 0; k < SESSIONS; k++) {
        pthread_t th[RACERS];
        assert_int_equal(pthread_barrier_init(&barrier, NULL, RACERS), 0);
        for (int i = 0; i < RACERS; i++)
            assert_int_equal(pthread_create(&th[i], NULL, racer, tokens[k]), 0);
        for (int i = 0; i < RACERS; i++) {
            void *ret;
            assert_int_equal(pthread_join(th[i], &ret), 0);
            assert_int_equal((intptr_t)ret, 200);
        }
        pthread_barrier_destroy(&barrier);
        struct json_object *o =
            api_expect(&srv, 200, "DELETE", tokens[k], NULL, NULL, "/api/v1/sessions/current");
        assert_non_null(o);
        json_object_put(o);
        struct api_resp r;
        assert_int_equal(api_call(&srv, "GET", tokens[k], NULL, NULL, &r, "/api/v1/me"), 0);
        survived += r.status != 401;
        api_resp_release(&r);
    }
    if (survived)
        print_message("%d of %d sessions still answered after their logout\n", survived, SESSIONS);
    assert_int_equal(survived, 0);
}

/* Requests with a token while it is being logged out must not bring the
 * ended session back. */
static atomic_int hammer_stop;

static void *hammer(void *arg)
{
    const char *token = arg;
    long n = 0;
    while (!atomic_load(&hammer_stop)) {
        struct api_resp r;
        if (api_call(&srv, "GET", token, NULL, NULL, &r, "/api/v1/me") == 0)
            api_resp_release(&r);
        n++;
    }
    return (void *)n;
}

static void test_logout_while_in_use(void **state)
{
    (void)state;
    enum { SESSIONS = 8, HAMMERS = 6 };
    if (!srv.pid)
        assert_int_equal(api_server_start(&srv, dir), 0);
    const struct api_account_def *a = &api_accounts[API_OPERATOR];
    int survived = 0;
    for (int k = 0; k < SESSIONS; k++) {
        char token[128];
        assert_int_equal(api_login(&srv, a->username, a->password, token, sizeof(token)), 0);
        atomic_store(&hammer_stop, 0);
        pthread_t th[HAMMERS];
        for (int i = 0; i < HAMMERS; i++)
            assert_int_equal(pthread_create(&th[i], NULL, hammer, token), 0);
        usleep(20 * 1000);
        struct json_object *o =
            api_expect(&srv, 200, "DELETE", token, NULL, NULL, "/api/v1/sessions/current");
        usleep(20 * 1000);
        atomic_store(&hammer_stop, 1);
        for (int i = 0; i < HAMMERS; i++)
            assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_non_null(o);
        json_object_put(o);
        struct api_resp r;
        assert_int_equal(api_call(&srv, "GET", token, NULL, NULL, &r, "/api/v1/me"), 0);
        survived += r.status != 401;
        api_resp_release(&r);
    }
    if (survived)
        print_message("%d of %d sessions still answered after their logout\n", survived, SESSIONS);
    assert_int_equal(survived, 0);
}

/* After all that, SIGTERM still stops the server cleanly (under the
 * sanitizers: without a leak or a race report). */
static void test_clean_stop(void **state)
{
    (void)state;
    if (!srv.pid)
        assert_int_equal(api_server_start(&srv, dir), 0);
    assert_int_equal(api_server_stop(&srv), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_then_kill9),
        cmocka_unit_test(test_restart_reads_every_ticket),
        cmocka_unit_test(test_logout_after_restart_race),
        cmocka_unit_test(test_logout_while_in_use),
        cmocka_unit_test(test_clean_stop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
