/* test_api_access.c - scopes and roles through the real API: who sees which
 * ticket and unit, who may take which action, masking and unmasking of
 * contact details with its audit row, and sessions.
 *
 * DESIGN's rule: an invisible ticket or unit is answered 404 (its existence
 * must not leak), a role that may not act 403, a wrong state 409, and a
 * refusal changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apiclient.h"

static struct api_server srv;
static char dir[64];
static char tok[API_ACCOUNT_COUNT][128];

#define T(account) tok[API_##account]

static int setup(void **state)
{
    (void)state;
    unsigned who = (1u << API_ACCOUNT_COUNT) - 1;
    return api_fixture_start(&srv, dir, sizeof(dir), who, tok) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fixture_finish(&srv, dir);
    return 0;
}

/* ---- helpers ---- */

static int status_of(const char *method, const char *token, const char *body, const char *path)
{
    struct api_resp r;
    assert_int_equal(api_call(&srv, method, token, NULL, body, &r, "%s", path), 0);
    int st = r.status;
    if (st >= 400) {
        /* Every refusal is a JSON error naming its code. */
        assert_non_null(api_error_code(&r));
    }
    api_resp_release(&r);
    return st;
}

/* A new ticket located by unit, created by the operator; its number goes
 * to number. With contact, the requester's name and phone are given. */
static void new_ticket(const char *unit, const char *category, bool contact, char number[32])
{
    char body[512];
    snprintf(body, sizeof(body),
             "{\"text\": \"权限测试工单\", \"type\": \"complaint\", \"category\": \"%s\","
             " \"location\": {\"unit\": \"%s\"}%s}",
             category, unit,
             contact ? ", \"contact\": {\"name\": \"演示人\", \"phone\": \"13912341234\"}" : "");
    struct json_object *o =
        api_expect(&srv, 201, "POST", T(OPERATOR), NULL, body, "/api/v1/tickets");
    assert_non_null(o);
    snprintf(number, 32, "%s", api_json_str(o, "number"));
    json_object_put(o);
}

static struct json_object *act(int status, const char *token, const char *number,
                               const char *action, const char *body)
{
    struct json_object *o = api_expect(&srv, status, "POST", token, NULL, body,
                                       "/api/v1/tickets/%s/%s", number, action);
    assert_non_null(o);
    return o;
}

static void dispatch(const char *number, const char *handler)
{
    char body[64];
    snprintf(body, sizeof(body), "{\"handler\": \"%s\"}", handler);
    json_object_put(act(200, T(OPERATOR), number, "dispatch", body));
}

/* The raw body of GET ticket and the length of its timeline, to show that
 * a refused action changed nothing at all. */
struct snapshot {
    char *body;
    long events;
};

static void snap(const char *number, struct snapshot *s)
{
    struct api_resp r;
    assert_int_equal(
        api_call(&srv, "GET", T(OPERATOR), NULL, NULL, &r, "/api/v1/tickets/%s", number), 0);
    assert_int_equal(r.status, 200);
    s->body = r.body;
    r.body = NULL;
    api_resp_release(&r);
    struct json_object *tl = api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL,
                                        "/api/v1/tickets/%s/timeline", number);
    assert_non_null(tl);
    s->events = api_json_len(tl, "events");
    json_object_put(tl);
}

static void expect_unchanged(const char *number, struct snapshot *before)
{
    struct snapshot after;
    snap(number, &after);
    bool same = strcmp(after.body, before->body) == 0 && after.events == before->events;
    if (!same)
        print_message("ticket %s changed:\n  before %s\n  after  %s\n", number, before->body,
                      after.body);
    free(after.body);
    free(before->body);
    before->body = NULL;
    assert_true(same);
}

static bool list_has(struct json_object *list, const char *number)
{
    for (long i = 0; i < api_json_len(list, "items"); i++) {
        char p[48];
        snprintf(p, sizeof(p), "items.%ld.number", i);
        if (strcmp(api_json_str(list, p), number) == 0)
            return true;
    }
    return false;
}

/* ---- tests ---- */

static void test_unauthenticated(void **state)
{
    (void)state;
    struct api_resp r;
    assert_int_equal(api_call(&srv, "GET", NULL, NULL, NULL, &r, "/api/v1/tickets"), 0);
    assert_int_equal(r.status, 401);
    assert_string_equal(api_error_code(&r), "unauthenticated");
    api_resp_release(&r);
    assert_int_equal(status_of("GET", "not-a-real-token", NULL, "/api/v1/tickets"), 401);
    assert_int_equal(status_of("GET", NULL, NULL, "/api/v1/me"), 401);
    assert_int_equal(status_of("GET", NULL, NULL, "/api/v1/units/" API_COUNTY), 401);
    assert_int_equal(status_of("GET", NULL, NULL, "/api/v1/metrics/rates?unit=" API_TOWN), 401);
    assert_int_equal(status_of("GET", NULL, NULL, "/api/v1/audit/verify"), 401);
    /* Health and the category list are public. */
    assert_int_equal(status_of("GET", NULL, NULL, "/api/v1/health"), 200);
    assert_int_equal(status_of("GET", NULL, NULL, "/api/v1/categories"), 200);
}

/* Residents may file through the web without an account. */
static void test_anonymous_web_intake(void **state)
{
    (void)state;
    long before = api_ticket_count(&srv, T(OPERATOR), NULL);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"text\": \"小区门口路灯坏了\", \"type\": \"help\", \"channel\": \"web\","
             " \"location\": {\"unit\": \"%s\"},"
             " \"contact\": {\"name\": \"马小明\", \"phone\": \"13812345678\"}}",
             API_GRID);
    struct json_object *o = api_expect(&srv, 201, "POST", NULL, NULL, body, "/api/v1/tickets");
    assert_non_null(o);
    assert_string_equal(api_json_str(o, "channel"), "web");
    assert_string_equal(api_json_str(o, "state"), "received");
    /* The echo masks the contact too. */
    assert_string_equal(api_json_str(o, "contact.phone"), "138****5678");
    assert_string_equal(api_json_str(o, "contact.name"), "马**");
    char number[32];
    snprintf(number, sizeof(number), "%s", api_json_str(o, "number"));
    json_object_put(o);
    assert_int_equal(api_ticket_count(&srv, T(OPERATOR), NULL), before + 1);

    /* The anonymous caller cannot read it back (no account, no session). */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/tickets/%s", number);
    assert_int_equal(status_of("GET", NULL, NULL, path), 401);

    /* Anonymous intake through the hotline channel is refused, unwritten. */
    snprintf(body, sizeof(body),
             "{\"text\": \"冒充热线\", \"type\": \"help\", \"channel\": \"hotline\","
             " \"location\": {\"unit\": \"%s\"}}",
             API_GRID);
    struct api_resp r;
    assert_int_equal(api_call(&srv, "POST", NULL, NULL, body, &r, "/api/v1/tickets"), 0);
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "channel");
    api_resp_release(&r);
    assert_int_equal(api_ticket_count(&srv, T(OPERATOR), NULL), before + 1);
}

/* A township sees nothing of another township's tickets: 404 to read and
 * to act, and no trace in its list. */
static void test_township_out_of_scope(void **state)
{
    (void)state;
    char number[32];
    new_ticket(API_GRID, "C16", false, number);
    dispatch(number, API_TOWN);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/tickets/%s", number);
    assert_int_equal(status_of("GET", T(TOWNSHIP), NULL, path), 200);
    assert_int_equal(status_of("GET", T(TOWNSHIP2), NULL, path), 404);
    snprintf(path, sizeof(path), "/api/v1/tickets/%s/timeline", number);
    assert_int_equal(status_of("GET", T(TOWNSHIP2), NULL, path), 404);

    struct snapshot s;
    snap(number, &s);
    struct json_object *e = act(404, T(TOWNSHIP2), number, "sign", NULL);
    assert_string_equal(api_json_str(e, "error.code"), "not_found");
    json_object_put(e);
    json_object_put(act(404, T(TOWNSHIP2), number, "return", "{\"reason\": \"不是我们的\"}"));
    json_object_put(
        act(404, T(TOWNSHIP2), number, "reply", "{\"reply\": \"x\", \"result\": \"resolved\"}"));
    /* The answer is the same as for a number that does not exist. */
    e = act(404, T(TOWNSHIP2), "20000101-00001", "sign", NULL);
    assert_string_equal(api_json_str(e, "error.code"), "not_found");
    json_object_put(e);
    expect_unchanged(number, &s);

    /* Its own township signs it. */
    e = act(200, T(TOWNSHIP), number, "sign", NULL);
    assert_string_equal(api_json_str(e, "state"), "signed");
    json_object_put(e);
}

static void test_village_and_grid_cannot_dispatch(void **state)
{
    (void)state;
    char number[32];
    new_ticket(API_GRID, "C16", false, number);
    struct snapshot s;
    snap(number, &s);
    /* The village sees the ticket of its grid, but may not dispatch it. */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/tickets/%s", number);
    assert_int_equal(status_of("GET", T(VILLAGE_AC), NULL, path), 200);
    struct json_object *e =
        act(403, T(VILLAGE_AC), number, "dispatch", "{\"handler\": \"" API_TOWN "\"}");
    assert_string_equal(api_json_str(e, "error.code"), "forbidden");
    json_object_put(e);
    json_object_put(act(403, T(GRID_AC), number, "dispatch", "{\"handler\": \"" API_TOWN "\"}"));
    json_object_put(act(403, T(TOWNSHIP), number, "dispatch", "{\"handler\": \"" API_TOWN "\"}"));
    json_object_put(act(403, T(AUDITOR), number, "dispatch", "{\"handler\": \"" API_TOWN "\"}"));
    expect_unchanged(number, &s);
}

/* Grid workers file in their own grid only. */
static void test_grid_worker_intake_scope(void **state)
{
    (void)state;
    char body[256];
    snprintf(
        body, sizeof(body),
        "{\"text\": \"巡查发现井盖缺失\", \"type\": \"report\", \"location\": {\"unit\": \"%s\"}}",
        API_GRID);
    struct json_object *o =
        api_expect(&srv, 201, "POST", T(GRID_AC), NULL, body, "/api/v1/tickets");
    assert_non_null(o);
    assert_string_equal(api_json_str(o, "channel"), "grid");
    json_object_put(o);

    long before = api_ticket_count(&srv, T(OPERATOR), NULL);
    snprintf(body, sizeof(body),
             "{\"text\": \"别人网格的事\", \"type\": \"report\", \"location\": {\"unit\": \"%s\"}}",
             API_GRID2);
    struct api_resp r;
    assert_int_equal(api_call(&srv, "POST", T(GRID_AC), NULL, body, &r, "/api/v1/tickets"), 0);
    assert_int_equal(r.status, 403);
    assert_string_equal(api_error_field(&r), "location.unit");
    api_resp_release(&r);
    assert_int_equal(api_ticket_count(&srv, T(OPERATOR), NULL), before);

    /* A department does not file requests. */
    snprintf(body, sizeof(body),
             "{\"text\": \"部门不能建单\", \"type\": \"report\", \"location\": {\"unit\": \"%s\"}}",
             API_GRID);
    assert_int_equal(api_call(&srv, "POST", T(DEPARTMENT), NULL, body, &r, "/api/v1/tickets"), 0);
    assert_int_equal(r.status, 403);
    api_resp_release(&r);
    assert_int_equal(api_ticket_count(&srv, T(OPERATOR), NULL), before);
}

static void test_department_cannot_callback(void **state)
{
    (void)state;
    char number[32];
    new_ticket(API_GRID, "C01", false, number);
    dispatch(number, API_HOUSING);
    json_object_put(act(200, T(DEPARTMENT), number, "sign", NULL));
    json_object_put(act(200, T(DEPARTMENT), number, "reply",
                        "{\"reply\": \"已处理\", \"result\": \"resolved\"}"));
    struct snapshot s;
    snap(number, &s);
    struct json_object *e = act(403, T(DEPARTMENT), number, "callback",
                                "{\"resolved\": true, \"satisfaction\": \"satisfied\"}");
    assert_string_equal(api_json_str(e, "error.code"), "forbidden");
    json_object_put(e);
    /* Nor may it reopen its own ticket. */
    json_object_put(act(403, T(DEPARTMENT), number, "reopen", NULL));
    expect_unchanged(number, &s);

    e = act(200, T(OPERATOR), number, "callback",
            "{\"resolved\": true, \"satisfaction\": \"basically\"}");
    assert_string_equal(api_json_str(e, "state"), "closed");
    json_object_put(e);
}

/* An action the state does not allow is a 409 and changes nothing. */
static void test_wrong_state_changes_nothing(void **state)
{
    (void)state;
    char number[32];
    new_ticket(API_GRID, "C16", false, number);
    struct snapshot s;
    snap(number, &s);
    struct json_object *before =
        api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/tickets/%s", number);
    assert_non_null(before);
    struct json_object *e = act(409, T(OPERATOR), number, "callback",
                                "{\"resolved\": true, \"satisfaction\": \"satisfied\"}");
    assert_string_equal(api_json_str(e, "error.code"), "invalid_state");
    json_object_put(e);
    json_object_put(act(409, T(OPERATOR), number, "reopen", NULL));
    json_object_put(act(409, T(OPERATOR), number, "decide-extension", "{\"approve\": true}"));
    json_object_put(act(409, T(COMMAND), number, "decide-extension", "{\"approve\": false}"));
    expect_unchanged(number, &s);
    struct json_object *after =
        api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/tickets/%s", number);
    assert_non_null(after);
    assert_string_equal(api_json_str(after, "state"), api_json_str(before, "state"));
    assert_string_equal(api_json_str(after, "updated_at"), api_json_str(before, "updated_at"));
    json_object_put(before);
    json_object_put(after);

    /* Dispatched but not signed: the handler cannot reply or ask for more
     * time yet. */
    dispatch(number, API_TOWN);
    snap(number, &s);
    json_object_put(act(409, T(TOWNSHIP), number, "reply",
                        "{\"reply\": \"先回复\", \"result\": \"resolved\"}"));
    json_object_put(act(409, T(TOWNSHIP), number, "ask-extension",
                        "{\"days\": 2, \"reason\": \"未签收先延期\"}"));
    json_object_put(
        act(409, T(TOWNSHIP), number, "whistle", "{\"departments\": [\"" API_HOUSING "\"]}"));
    json_object_put(act(409, T(OPERATOR), number, "dispatch", "{\"handler\": \"" API_TOWN "\"}"));
    expect_unchanged(number, &s);
}

/* A township's list holds only tickets of its subtree, even when it asks
 * for another unit. */
static void test_list_scoped(void **state)
{
    (void)state;
    char mine[32], other[32];
    new_ticket(API_GRID, "C16", false, mine);
    new_ticket(API_GRID2, "C16", false, other);

    struct json_object *l =
        api_expect(&srv, 200, "GET", T(TOWNSHIP), NULL, NULL, "/api/v1/tickets?limit=500");
    assert_non_null(l);
    long n = api_json_len(l, "items");
    assert_true(n >= 1);
    for (long i = 0; i < n; i++) {
        char p[64];
        snprintf(p, sizeof(p), "items.%ld.location.grid.code", i);
        const char *grid = api_json_str(l, p);
        snprintf(p, sizeof(p), "items.%ld.handler.code", i);
        const char *handler = api_json_str(l, p);
        assert_true((grid && strncmp(grid, API_TOWN, 9) == 0) ||
                    (handler && strncmp(handler, API_TOWN, 9) == 0));
    }
    assert_true(list_has(l, mine));
    assert_false(list_has(l, other));
    json_object_put(l);

    /* Asking for the other township's unit gives nothing of it. */
    l = api_expect(&srv, 200, "GET", T(TOWNSHIP), NULL, NULL,
                   "/api/v1/tickets?limit=500&unit=" API_TOWN2);
    assert_non_null(l);
    assert_false(list_has(l, other));
    assert_int_equal(api_json_len(l, "items"), 0);
    json_object_put(l);

    l = api_expect(&srv, 200, "GET", T(TOWNSHIP2), NULL, NULL, "/api/v1/tickets?limit=500");
    assert_non_null(l);
    assert_true(list_has(l, other));
    assert_false(list_has(l, mine));
    json_object_put(l);

    l = api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/tickets?limit=500");
    assert_non_null(l);
    assert_true(list_has(l, other));
    assert_true(list_has(l, mine));
    json_object_put(l);
}

/* Residents with an account see their own requests only. */
static void test_resident_sees_own(void **state)
{
    (void)state;
    char body[256];
    snprintf(body, sizeof(body),
             "{\"text\": \"我的诉求\", \"type\": \"consult\", \"location\": {\"unit\": \"%s\"}}",
             API_GRID);
    struct json_object *o =
        api_expect(&srv, 201, "POST", T(RESIDENT), NULL, body, "/api/v1/tickets");
    assert_non_null(o);
    char own[32], other[32];
    snprintf(own, sizeof(own), "%s", api_json_str(o, "number"));
    json_object_put(o);
    new_ticket(API_GRID, "C16", false, other);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/tickets/%s", own);
    assert_int_equal(status_of("GET", T(RESIDENT), NULL, path), 200);
    snprintf(path, sizeof(path), "/api/v1/tickets/%s", other);
    assert_int_equal(status_of("GET", T(RESIDENT), NULL, path), 404);
    assert_int_equal(api_ticket_count(&srv, T(RESIDENT), NULL), 1);
    /* Staff resources stay closed to residents. */
    assert_int_equal(status_of("GET", T(RESIDENT), NULL, "/api/v1/units/" API_COUNTY), 403);
    assert_int_equal(status_of("GET", T(RESIDENT), NULL, "/api/v1/metrics/rates?unit=" API_TOWN),
                     403);
}

/* Contact details: masked for the department, clear for the operator on
 * request (and audited), refused to the department on request. */
static void test_contact_masking_and_reveal(void **state)
{
    (void)state;
    char number[32];
    new_ticket(API_GRID, "C01", true, number);
    dispatch(number, API_HOUSING);

    struct json_object *t =
        api_expect(&srv, 200, "GET", T(DEPARTMENT), NULL, NULL, "/api/v1/tickets/%s", number);
    assert_non_null(t);
    assert_string_equal(api_json_str(t, "contact.name"), "演**");
    assert_string_equal(api_json_str(t, "contact.phone"), "139****1234");
    assert_int_equal(api_json_bool(t, "contact.masked"), 1);
    json_object_put(t);

    t = api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/tickets/%s", number);
    assert_non_null(t);
    assert_string_equal(api_json_str(t, "contact.phone"), "139****1234");
    json_object_put(t);

    /* The list never carries the contact in clear. */
    struct api_resp r;
    assert_int_equal(
        api_call(&srv, "GET", T(OPERATOR), NULL, NULL, &r, "/api/v1/tickets?limit=500"), 0);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "13912341234"));
    assert_null(strstr(r.body, "演示人"));
    api_resp_release(&r);

    struct json_object *v =
        api_expect(&srv, 200, "GET", T(AUDITOR), NULL, NULL, "/api/v1/audit/verify");
    assert_non_null(v);
    int64_t rows_before = api_json_int(v, "rows", -1);
    json_object_put(v);

    t = api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/tickets/%s?reveal=contact",
                   number);
    assert_non_null(t);
    assert_string_equal(api_json_str(t, "contact.name"), "演示人");
    assert_string_equal(api_json_str(t, "contact.phone"), "13912341234");
    assert_int_equal(api_json_bool(t, "contact.masked"), 0);
    json_object_put(t);

    assert_int_equal(api_call(&srv, "GET", T(DEPARTMENT), NULL, NULL, &r,
                              "/api/v1/tickets/%s?reveal=contact", number),
                     0);
    assert_int_equal(r.status, 403);
    assert_string_equal(api_error_field(&r), "reveal");
    assert_null(strstr(r.body, "13912341234"));
    api_resp_release(&r);
    assert_int_equal(api_call(&srv, "GET", T(OPERATOR), NULL, NULL, &r,
                              "/api/v1/tickets/%s?reveal=idcard", number),
                     0);
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "reveal");
    api_resp_release(&r);

    /* The unmasked read is in the audit log, and the chain is intact. */
    v = api_expect(&srv, 200, "GET", T(AUDITOR), NULL, NULL, "/api/v1/audit/verify");
    assert_non_null(v);
    assert_int_equal(api_json_bool(v, "intact"), 1);
    assert_int_equal(api_json_int(v, "rows", -1), rows_before + 1);
    assert_true(api_json_is_null(v, "first_bad_id"));
    json_object_put(v);
    /* Only auditors and admins verify. */
    assert_int_equal(status_of("GET", T(OPERATOR), NULL, "/api/v1/audit/verify"), 403);
    assert_int_equal(status_of("GET", T(ADMIN), NULL, "/api/v1/audit/verify"), 200);
}

/* Units outside the caller's subtree (and not above it) are 404. */
static void test_units_scope(void **state)
{
    (void)state;
    assert_int_equal(status_of("GET", T(TOWNSHIP2), NULL, "/api/v1/units/" API_TOWN2), 200);
    assert_int_equal(status_of("GET", T(TOWNSHIP2), NULL, "/api/v1/units/" API_COUNTY), 200);
    assert_int_equal(status_of("GET", T(TOWNSHIP2), NULL, "/api/v1/units/" API_TOWN), 404);
    assert_int_equal(status_of("GET", T(TOWNSHIP2), NULL, "/api/v1/units/" API_VILLAGE), 404);
    assert_int_equal(status_of("GET", T(TOWNSHIP2), NULL, "/api/v1/units/" API_GRID), 404);
    assert_int_equal(status_of("GET", T(TOWNSHIP2), NULL, "/api/v1/units/" API_TOWN "/children"),
                     404);
    assert_int_equal(status_of("GET", T(DEPARTMENT), NULL, "/api/v1/units/" API_TOWN), 404);
    assert_int_equal(status_of("GET", T(VILLAGE_AC), NULL, "/api/v1/units/" API_GRID2), 404);
    assert_int_equal(status_of("GET", T(OPERATOR), NULL, "/api/v1/units/622922"), 200);
    /* Out of the demo region altogether. */
    assert_int_equal(status_of("GET", T(OPERATOR), NULL, "/api/v1/units/620102"), 404);

    /* Children of the county, seen from one township: only itself. */
    struct json_object *c = api_expect(&srv, 200, "GET", T(TOWNSHIP2), NULL, NULL,
                                       "/api/v1/units/" API_COUNTY "/children");
    assert_non_null(c);
    assert_int_equal(api_json_len(c, "children"), 1);
    assert_string_equal(api_json_str(c, "children.0.code"), API_TOWN2);
    json_object_put(c);
}

/* A point lookup must not hand out the units of another township either. */
static void test_lookup_scope(void **state)
{
    (void)state;
    struct json_object *u =
        api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/units/" API_GRID);
    assert_non_null(u);
    double lat = api_json_num(u, "point.lat", 0), lon = api_json_num(u, "point.lon", 0);
    json_object_put(u);
    struct api_resp r;
    assert_int_equal(api_call(&srv, "GET", T(TOWNSHIP2), NULL, NULL, &r,
                              "/api/v1/units/lookup?lat=%.9f&lon=%.9f", lat, lon),
                     0);
    if (r.status == 200)
        print_message("township %s looked up a point of %s and got: %.300s\n", API_TOWN2, API_TOWN,
                      r.body);
    bool leaked = r.status != 404 && strstr(r.body, API_TOWN) != NULL;
    api_resp_release(&r);
    assert_false(leaked);
}

/* Metrics: a unit outside the caller's area is refused; the ranking is for
 * the command centre and operators. */
static void test_metrics_roles(void **state)
{
    (void)state;
    struct api_resp r;
    assert_int_equal(api_call(&srv, "GET", T(DEPARTMENT), NULL, NULL, &r,
                              "/api/v1/metrics/rates?unit=" API_TOWN),
                     0);
    assert_int_equal(r.status, 403);
    assert_string_equal(api_error_field(&r), "unit");
    api_resp_release(&r);
    assert_int_equal(status_of("GET", T(TOWNSHIP), NULL, "/api/v1/metrics/rates?unit=" API_TOWN2),
                     403);
    assert_int_equal(status_of("GET", T(TOWNSHIP), NULL, "/api/v1/metrics/rates?unit=" API_TOWN),
                     200);
    assert_int_equal(status_of("GET", T(TOWNSHIP), NULL, "/api/v1/metrics/ranking?level=township"),
                     403);
    assert_int_equal(status_of("GET", T(COMMAND), NULL, "/api/v1/metrics/ranking?level=township"),
                     200);
}

/* The console's static files are served, and nothing outside web/. */
static void test_static_files(void **state)
{
    (void)state;
    struct api_resp r;
    assert_int_equal(api_request(&srv, "GET", "/index.html", NULL, NULL, NULL, 0, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/html"));
    api_resp_release(&r);
    static const char *const escapes[] = {
        "/../CMakeLists.txt", "/%2e%2e/CMakeLists.txt", "/..%2fCMakeLists.txt",
        "//etc/passwd",       "/%2fetc%2fpasswd",       "/web/../../CMakeLists.txt",
    };
    for (size_t i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
        assert_int_equal(api_request(&srv, "GET", escapes[i], NULL, NULL, NULL, 0, &r), 0);
        bool leaked =
            r.body && (strstr(r.body, "cmake_minimum_required") || strstr(r.body, "root:"));
        if (r.status != 404 || leaked)
            print_message("GET %s answered %d\n", escapes[i], r.status);
        int status = r.status;
        api_resp_release(&r);
        assert_false(leaked);
        assert_true(status == 404 || status == 400);
    }
}

static void test_logout(void **state)
{
    (void)state;
    char fresh[128];
    const struct api_account_def *a = &api_accounts[API_TOWNSHIP];
    assert_int_equal(api_login(&srv, a->username, a->password, fresh, sizeof(fresh)), 0);
    struct json_object *me = api_expect(&srv, 200, "GET", fresh, NULL, NULL, "/api/v1/me");
    assert_non_null(me);
    assert_string_equal(api_json_str(me, "username"), a->username);
    assert_string_equal(api_json_str(me, "role"), "township");
    assert_string_equal(api_json_str(me, "scope.code"), API_TOWN);
    json_object_put(me);

    struct json_object *o =
        api_expect(&srv, 200, "DELETE", fresh, NULL, NULL, "/api/v1/sessions/current");
    assert_non_null(o);
    assert_int_equal(api_json_bool(o, "ended"), 1);
    json_object_put(o);
    assert_int_equal(status_of("GET", fresh, NULL, "/api/v1/me"), 401);
    assert_int_equal(status_of("GET", fresh, NULL, "/api/v1/tickets"), 401);
    assert_int_equal(status_of("DELETE", fresh, NULL, "/api/v1/sessions/current"), 401);
    /* The account's other session lives on. */
    assert_int_equal(status_of("GET", T(TOWNSHIP), NULL, "/api/v1/me"), 200);
    /* A wrong password opens nothing. */
    struct api_resp r;
    assert_int_equal(api_call(&srv, "POST", NULL, NULL,
                              "{\"username\": \"t-hanji\", \"password\": \"wrong-password\"}", &r,
                              "/api/v1/sessions"),
                     0);
    assert_int_equal(r.status, 401);
    assert_null(api_json_str(r.json, "token"));
    api_resp_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unauthenticated),
        cmocka_unit_test(test_anonymous_web_intake),
        cmocka_unit_test(test_township_out_of_scope),
        cmocka_unit_test(test_village_and_grid_cannot_dispatch),
        cmocka_unit_test(test_grid_worker_intake_scope),
        cmocka_unit_test(test_department_cannot_callback),
        cmocka_unit_test(test_wrong_state_changes_nothing),
        cmocka_unit_test(test_list_scoped),
        cmocka_unit_test(test_resident_sees_own),
        cmocka_unit_test(test_contact_masking_and_reveal),
        cmocka_unit_test(test_units_scope),
        cmocka_unit_test(test_lookup_scope),
        cmocka_unit_test(test_metrics_roles),
        cmocka_unit_test(test_static_files),
        cmocka_unit_test(test_logout),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
