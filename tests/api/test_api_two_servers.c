/* test_api_two_servers.c - two `xietong serve` processes on one database
 * (the province set-up: several app servers, one PostgreSQL; the same
 * holds for two processes on one SQLite file). Concurrent intake on both
 * gives no duplicate ticket number and loses no acknowledged ticket;
 * concurrent actions on the same tickets through both servers let exactly
 * one of two conflicting steps through (no lost update); a session made on
 * one server works on the other, and a logout on one reaches the other;
 * the audit chain stays one chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apiclient.h"

#define THREADS 4
#define PER_THREAD 15
#define TOTAL (2 * THREADS * PER_THREAD)

static struct api_server a, b;
static char dir[64];
static char tok[API_ACCOUNT_COUNT][128];
static char numbers[TOTAL][32];

#define T(account) tok[API_##account]

/* Assert the status and release the answer. */
#define EXPECT(...)                                                                                \
    do {                                                                                           \
        struct json_object *o_ = api_expect(__VA_ARGS__);                                          \
        assert_non_null(o_);                                                                       \
        json_object_put(o_);                                                                       \
    } while (0)

static int setup(void **state)
{
    (void)state;
    unsigned who = 1u << API_OPERATOR | 1u << API_AUDITOR | 1u << API_DEPARTMENT;
    if (api_fixture_start(&a, dir, sizeof(dir), who, tok))
        return -1;
    return api_server_start(&b, dir) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    api_server_stop(&b);
    api_fixture_finish(&a, dir);
    return 0;
}

struct worker {
    const struct api_server *srv;
    int first;
    int ok;
};

static void *intake(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        int k = w->first + i;
        char body[400];
        snprintf(body, sizeof(body),
                 "{\"text\": \"两台服务器并发受理第%d件\", \"type\": \"help\", \"category\": \"C01\","
                 " \"location\": {\"unit\": \"%s\"}}",
                 k, API_GRID);
        struct api_resp r;
        if (api_call(w->srv, "POST", T(OPERATOR), NULL, body, &r, "/api/v1/tickets") == 0 &&
            r.status == 201 && api_json_str(r.json, "number")) {
            snprintf(numbers[k], sizeof(numbers[k]), "%s", api_json_str(r.json, "number"));
            w->ok++;
        }
        api_resp_release(&r);
    }
    return NULL;
}

static void test_concurrent_intake_on_both(void **state)
{
    (void)state;
    long before = api_ticket_count(&a, T(OPERATOR), "");
    pthread_t th[2 * THREADS];
    struct worker w[2 * THREADS];
    for (int i = 0; i < 2 * THREADS; i++) {
        w[i] = (struct worker){i % 2 ? &b : &a, i * PER_THREAD, 0};
        assert_int_equal(pthread_create(&th[i], NULL, intake, &w[i]), 0);
    }
    int ok = 0;
    for (int i = 0; i < 2 * THREADS; i++) {
        pthread_join(th[i], NULL);
        ok += w[i].ok;
    }
    assert_int_equal(ok, TOTAL);
    /* No number twice. */
    for (int i = 0; i < TOTAL; i++)
        for (int j = i + 1; j < TOTAL; j++)
            assert_string_not_equal(numbers[i], numbers[j]);
    /* Both servers see every acknowledged ticket. */
    assert_int_equal(api_ticket_count(&a, T(OPERATOR), ""), before + TOTAL);
    assert_int_equal(api_ticket_count(&b, T(OPERATOR), ""), before + TOTAL);
    for (int i = 0; i < TOTAL; i += 7) {
        struct json_object *t = api_expect(i % 2 ? &a : &b, 200, "GET", T(OPERATOR), NULL, NULL,
                                           "/api/v1/tickets/%s", numbers[i]);
        assert_non_null(t);
        assert_string_equal(api_json_str(t, "state"), "received");
        json_object_put(t);
    }
}

struct racer {
    const struct api_server *srv;
    const char *number;
    const char *action;
    const char *body;
    int status;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    struct api_resp resp;
    r->status = api_call(r->srv, "POST", T(DEPARTMENT), NULL, r->body, &resp,
                         "/api/v1/tickets/%s/%s", r->number, r->action) == 0
                    ? resp.status
                    : 0;
    api_resp_release(&resp);
    return NULL;
}

static void test_conflicting_steps_one_wins(void **state)
{
    (void)state;
    /* Dispatch ten tickets, then for each let the department sign on
     * server A while returning it on server B at the same moment: both
     * start from `dispatched`, only one may win. */
    for (int i = 0; i < 10; i++) {
        EXPECT(&a, 200, "POST", T(OPERATOR), NULL, "{}",
                                   "/api/v1/tickets/%s/dispatch", numbers[i]);
        struct racer r1 = {&a, numbers[i], "sign", "{}", 0};
        struct racer r2 = {&b, numbers[i], "return", "{\"reason\": \"不属于本部门职责\"}", 0};
        pthread_t t1, t2;
        assert_int_equal(pthread_create(&t1, NULL, race, &r1), 0);
        assert_int_equal(pthread_create(&t2, NULL, race, &r2), 0);
        pthread_join(t1, NULL);
        pthread_join(t2, NULL);
        /* sign then return is allowed (signed → returned), return then sign
         * is not (returned → 409): either both succeed in that order or
         * exactly one does, and the final state tells which. */
        struct json_object *t = api_expect(&b, 200, "GET", T(OPERATOR), NULL, NULL,
                                           "/api/v1/tickets/%s", numbers[i]);
        assert_non_null(t);
        const char *state_now = api_json_str(t, "state");
        if (r1.status == 200 && r2.status == 200) {
            assert_string_equal(state_now, "returned");
        } else {
            assert_true((r1.status == 200 && r2.status == 409 && !strcmp(state_now, "signed")) ||
                        (r2.status == 200 && r1.status == 409 && !strcmp(state_now, "returned")));
        }
        /* The timeline holds exactly the steps that were acknowledged. */
        struct json_object *tl = api_expect(&a, 200, "GET", T(OPERATOR), NULL, NULL,
                                            "/api/v1/tickets/%s/timeline", numbers[i]);
        long acked = 2 + (r1.status == 200) + (r2.status == 200);
        assert_int_equal(api_json_len(tl, "events"), acked);
        json_object_put(tl);
        json_object_put(t);
    }
}

static void test_sessions_across_servers(void **state)
{
    (void)state;
    char token[128];
    const struct api_account_def *op = &api_accounts[API_OPERATOR];
    assert_int_equal(api_login(&a, op->username, op->password, token, sizeof(token)), 0);
    /* Made on A, valid on B. */
    EXPECT(&b, 200, "GET", token, NULL, NULL, "/api/v1/me");
    /* Ended on A: B refuses it once it checks with the database again
     * (every 5 seconds). */
    EXPECT(&a, 200, "DELETE", token, NULL, NULL, "/api/v1/sessions/current");
    EXPECT(&a, 401, "GET", token, NULL, NULL, "/api/v1/me");
    sleep(6);
    EXPECT(&b, 401, "GET", token, NULL, NULL, "/api/v1/me");
}

static void test_one_audit_chain(void **state)
{
    (void)state;
    struct json_object *v =
        api_expect(&b, 200, "GET", T(AUDITOR), NULL, NULL, "/api/v1/audit/verify");
    assert_non_null(v);
    assert_true(api_json_bool(v, "intact"));
    assert_true(api_json_int(v, "rows", 0) > TOTAL);
    json_object_put(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_intake_on_both),
        cmocka_unit_test(test_conflicting_steps_one_wins),
        cmocka_unit_test(test_sessions_across_servers),
        cmocka_unit_test(test_one_audit_chain),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
