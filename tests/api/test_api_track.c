/* test_api_track.c - what the browser console needs beyond the core API:
 * a resident without an account follows his request by its number and
 * tracking code and answers the callback (回访) with it; place names for
 * filing without an account; unit children with their polygons for maps.
 *
 * The tracking code is a secret: only the creating answer shows it, a
 * repeated create gets a fresh one (the first is never replayed from
 * storage), the view holds no contact data, coordinates, notes or names of
 * staff, a wrong code and an unknown number answer alike, and five wrong
 * codes lock the number. */
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

static const char FILED[] =
    "{\"text\": \"村口路灯坏了一个月\", \"type\": \"help\", \"channel\": \"web\","
    " \"location\": {\"unit\": \"" API_VILLAGE "\", \"address\": \"村委会东侧\"},"
    " \"contact\": {\"name\": \"马小花\", \"phone\": \"13912345678\"}}";

static int setup(void **state)
{
    (void)state;
    unsigned who = (1u << API_OPERATOR) | (1u << API_TOWNSHIP) | (1u << API_AUDITOR);
    return api_fixture_start(&srv, dir, sizeof(dir), who, tok) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fixture_finish(&srv, dir);
    return 0;
}

/* File anonymously; number and code (11 bytes) are copied out. */
static void file_anonymous(const char *idem, char number[32], char code[16])
{
    struct json_object *t = api_expect(&srv, 201, "POST", NULL, idem, FILED, "/api/v1/tickets");
    assert_non_null(t);
    const char *n = api_json_str(t, "number");
    const char *c = api_json_str(t, "tracking.code");
    assert_non_null(n);
    assert_non_null(c);
    assert_int_equal(strlen(c), 10);
    assert_int_equal(strspn(c, "0123456789"), 10);
    snprintf(number, 32, "%s", n);
    snprintf(code, 16, "%s", c);
    json_object_put(t);
}

static int status_of(const char *method, const char *body, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int status_of(const char *method, const char *body, const char *fmt, ...)
{
    struct api_resp r;
    char path[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    if (api_call(&srv, method, NULL, NULL, body, &r, "%s", path))
        return -1;
    int st = r.status;
    api_resp_release(&r);
    return st;
}

static void test_places(void **state)
{
    (void)state;
    struct json_object *v = api_expect(&srv, 200, "GET", NULL, NULL, NULL, "/api/v1/places");
    assert_non_null(v);
    bool county = false;
    for (long i = 0; i < api_json_len(v, "items"); i++) {
        struct json_object *it = json_object_array_get_idx(api_json_get(v, "items"), (size_t)i);
        assert_string_equal(api_json_str(it, "level"), "county");
        county |= strcmp(api_json_str(it, "code"), API_COUNTY) == 0;
    }
    assert_true(county);
    json_object_put(v);

    v = api_expect(&srv, 200, "GET", NULL, NULL, NULL, "/api/v1/places/" API_COUNTY);
    assert_non_null(v);
    bool town = false;
    for (long i = 0; i < api_json_len(v, "items"); i++) {
        struct json_object *it = json_object_array_get_idx(api_json_get(v, "items"), (size_t)i);
        assert_string_equal(api_json_str(it, "level"), "township"); /* no departments */
        assert_null(api_json_get(it, "population"));
        assert_null(api_json_get(it, "polygon"));
        town |= strcmp(api_json_str(it, "code"), API_TOWN) == 0;
    }
    assert_true(town);
    json_object_put(v);

    v = api_expect(&srv, 200, "GET", NULL, NULL, NULL, "/api/v1/places/" API_TOWN);
    assert_non_null(v);
    assert_true(api_json_len(v, "items") > 0);
    assert_string_equal(api_json_str(v, "items.0.level"), "village");
    json_object_put(v);

    v = api_expect(&srv, 200, "GET", NULL, NULL, NULL,
                   "/api/v1/places/" API_COUNTY "?level=department");
    assert_non_null(v);
    assert_true(api_json_len(v, "items") >= 10);
    bool housing = false;
    for (long i = 0; i < api_json_len(v, "items"); i++) {
        struct json_object *it = json_object_array_get_idx(api_json_get(v, "items"), (size_t)i);
        assert_string_equal(api_json_str(it, "level"), "department");
        housing |= strcmp(api_json_str(it, "code"), API_HOUSING) == 0;
    }
    assert_true(housing);
    json_object_put(v);
    assert_int_equal(status_of("GET", NULL, "/api/v1/places/" API_COUNTY "?level=grid"), 400);
    assert_int_equal(status_of("GET", NULL, "/api/v1/places/" API_TOWN "?level=department"), 400);

    /* Villages are as far as residents go; unknown codes are not found. */
    assert_int_equal(status_of("GET", NULL, "/api/v1/places/%s", API_VILLAGE), 404);
    assert_int_equal(status_of("GET", NULL, "/api/v1/places/629999"), 404);
    assert_int_equal(status_of("GET", NULL, "/api/v1/places/x"), 404);
}

static void test_tracking_code_only_for_anonymous(void **state)
{
    (void)state;
    struct json_object *t =
        api_expect(&srv, 201, "POST", T(OPERATOR), NULL, FILED, "/api/v1/tickets");
    assert_non_null(t);
    assert_null(api_json_get(t, "tracking"));
    json_object_put(t);
}

/* A repeat with the same key answers with the same ticket and a new code;
 * the first code stops working. */
static void test_repeat_gets_fresh_code(void **state)
{
    (void)state;
    char n1[32], c1[16], n2[32], c2[16];
    file_anonymous("track-repeat-1", n1, c1);
    file_anonymous("track-repeat-1", n2, c2);
    assert_string_equal(n1, n2);
    assert_string_not_equal(c1, c2);
    assert_int_equal(status_of("GET", NULL, "/api/v1/track/%s?code=%s", n1, c1), 404);
    assert_int_equal(status_of("GET", NULL, "/api/v1/track/%s?code=%s", n1, c2), 200);
}

static void test_view_is_reduced(void **state)
{
    (void)state;
    char n[32], c[16];
    file_anonymous(NULL, n, c);
    struct json_object *v =
        api_expect(&srv, 200, "GET", NULL, NULL, NULL, "/api/v1/track/%s?code=%s", n, c);
    assert_non_null(v);
    assert_string_equal(api_json_str(v, "number"), n);
    assert_string_equal(api_json_str(v, "state"), "received");
    assert_string_equal(api_json_str(v, "text"), "村口路灯坏了一个月");
    assert_int_equal(api_json_bool(v, "can_callback"), 0);
    const char *body = json_object_to_json_string(v);
    assert_null(strstr(body, "contact"));
    assert_null(strstr(body, "1391"));
    assert_null(strstr(body, "5678"));
    assert_null(strstr(body, "马"));
    assert_null(strstr(body, "location"));
    assert_null(strstr(body, "村委会东侧"));
    assert_null(strstr(body, "actor"));
    assert_null(strstr(body, "note"));
    assert_int_equal(api_json_len(v, "events"), 1);
    assert_string_equal(api_json_str(v, "events.0.action"), "create");
    assert_int_equal(json_object_object_length(api_json_get(v, "events.0")), 3);
    json_object_put(v);

    /* A wrong code and an unknown number answer alike. */
    struct api_resp r1, r2;
    assert_int_equal(
        api_call(&srv, "GET", NULL, NULL, NULL, &r1, "/api/v1/track/%s?code=0000000000", n), 0);
    assert_int_equal(
        api_call(&srv, "GET", NULL, NULL, NULL, &r2, "/api/v1/track/20990101-00001?code=%s", c), 0);
    assert_int_equal(r1.status, 404);
    assert_int_equal(r2.status, 404);
    assert_string_equal(api_error_field(&r1), "code");
    assert_string_equal(api_json_str(r1.json, "error.message"),
                        api_json_str(r2.json, "error.message"));
    api_resp_release(&r1);
    api_resp_release(&r2);
    assert_int_equal(status_of("GET", NULL, "/api/v1/track/%s?code=12345", n), 400);
    assert_int_equal(status_of("GET", NULL, "/api/v1/track/%s", n), 400);
    assert_int_equal(status_of("GET", NULL, "/api/v1/track/..%%2F..%%2Fetc?code=%s", c), 404);
}

static void test_callback_by_code(void **state)
{
    (void)state;
    char n[32], c[16], body[256];
    file_anonymous(NULL, n, c);
    snprintf(body, sizeof(body),
             "{\"code\": \"%s\", \"resolved\": true, \"satisfaction\": \"satisfied\"}", c);
    /* Not before the reply. */
    assert_int_equal(status_of("POST", body, "/api/v1/track/%s/callback", n), 409);

    struct json_object *t;
    assert_non_null(t = api_expect(&srv, 200, "POST", T(OPERATOR), NULL,
                                   "{\"handler\": \"" API_TOWN "\"}", "/api/v1/tickets/%s/dispatch",
                                   n));
    json_object_put(t);
    assert_non_null(
        t = api_expect(&srv, 200, "POST", T(TOWNSHIP), NULL, "{}", "/api/v1/tickets/%s/sign", n));
    json_object_put(t);
    assert_non_null(t = api_expect(&srv, 200, "POST", T(TOWNSHIP), NULL,
                                   "{\"reply\": \"已修复\", \"result\": \"resolved\"}",
                                   "/api/v1/tickets/%s/reply", n));
    json_object_put(t);

    struct json_object *v =
        api_expect(&srv, 200, "GET", NULL, NULL, NULL, "/api/v1/track/%s?code=%s", n, c);
    assert_non_null(v);
    assert_int_equal(api_json_bool(v, "can_callback"), 1);
    assert_string_equal(api_json_str(v, "reply.text"), "已修复");
    assert_string_equal(api_json_str(v, "handler.code"), API_TOWN);
    json_object_put(v);

    /* A wrong code changes nothing. */
    char bad[256];
    snprintf(bad, sizeof(bad),
             "{\"code\": \"0000000000\", \"resolved\": false, \"satisfaction\": \"unsatisfied\"}");
    assert_int_equal(status_of("POST", bad, "/api/v1/track/%s/callback", n), 404);
    assert_int_equal(status_of("POST", "{\"code\": \"x\"}", "/api/v1/track/%s/callback", n), 400);

    v = api_expect(&srv, 200, "POST", NULL, "cb-1", body, "/api/v1/track/%s/callback", n);
    assert_non_null(v);
    assert_string_equal(api_json_str(v, "state"), "closed");
    assert_int_equal(api_json_bool(v, "callback.resolved"), 1);
    assert_string_equal(api_json_str(v, "callback.satisfaction"), "satisfied");
    json_object_put(v);
    /* The same request again gets the same answer; a new one is refused. */
    v = api_expect(&srv, 200, "POST", NULL, "cb-1", body, "/api/v1/track/%s/callback", n);
    assert_non_null(v);
    assert_string_equal(api_json_str(v, "state"), "closed");
    json_object_put(v);
    assert_int_equal(status_of("POST", body, "/api/v1/track/%s/callback", n), 409);

    /* Staff see the requester's callback, made by the requester. */
    v = api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/tickets/%s/timeline", n);
    assert_non_null(v);
    long k = api_json_len(v, "events");
    char path[64];
    snprintf(path, sizeof(path), "events.%ld", k - 1);
    struct json_object *last = api_json_get(v, path);
    assert_string_equal(api_json_str(last, "action"), "callback");
    assert_string_equal(api_json_str(last, "actor"), "requester");
    assert_string_equal(api_json_str(last, "actor_role"), "resident");
    json_object_put(v);
    v = api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/tickets/%s", n);
    assert_non_null(v);
    assert_string_equal(api_json_str(v, "callback.satisfaction"), "satisfied");
    json_object_put(v);
}

/* Five wrong codes lock the number (429), even for the right code; other
 * numbers are not affected. */
static void test_wrong_codes_lock(void **state)
{
    (void)state;
    char n[32], c[16], n2[32], c2[16];
    file_anonymous(NULL, n, c);
    file_anonymous(NULL, n2, c2);
    for (int i = 0; i < 5; i++)
        assert_int_equal(status_of("GET", NULL, "/api/v1/track/%s?code=9999999999", n), 404);
    assert_int_equal(status_of("GET", NULL, "/api/v1/track/%s?code=%s", n, c), 429);
    assert_int_equal(status_of("GET", NULL, "/api/v1/track/%s?code=%s", n2, c2), 200);
}

static void test_children_polygons(void **state)
{
    (void)state;
    struct json_object *v = api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL,
                                       "/api/v1/units/" API_COUNTY "/children?polygons=true");
    assert_non_null(v);
    long n = api_json_len(v, "children"), with = 0;
    for (long i = 0; i < n; i++) {
        struct json_object *it = json_object_array_get_idx(api_json_get(v, "children"), (size_t)i);
        if (strcmp(api_json_str(it, "level"), "township") == 0) {
            const char *type = api_json_str(it, "polygon.type");
            assert_non_null(type);
            with++;
        }
    }
    assert_true(with >= 10);
    json_object_put(v);
    v = api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL,
                   "/api/v1/units/" API_COUNTY "/children");
    assert_non_null(v);
    assert_null(api_json_get(api_json_get(v, "children.0"), "polygon"));
    json_object_put(v);
    struct api_resp r;
    assert_int_equal(api_call(&srv, "GET", T(OPERATOR), NULL, NULL, &r,
                              "/api/v1/units/" API_COUNTY "/children?polygons=maybe"),
                     0);
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "polygons");
    api_resp_release(&r);
}

static void test_audit_intact(void **state)
{
    (void)state;
    struct json_object *v =
        api_expect(&srv, 200, "GET", T(AUDITOR), NULL, NULL, "/api/v1/audit/verify");
    assert_non_null(v);
    assert_int_equal(api_json_bool(v, "intact"), 1);
    json_object_put(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_places),
        cmocka_unit_test(test_tracking_code_only_for_anonymous),
        cmocka_unit_test(test_repeat_gets_fresh_code),
        cmocka_unit_test(test_view_is_reduced),
        cmocka_unit_test(test_callback_by_code),
        cmocka_unit_test(test_wrong_codes_lock),
        cmocka_unit_test(test_children_polygons),
        cmocka_unit_test(test_audit_intact),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
