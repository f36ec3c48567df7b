/* test_api_input.c - bad input through the real API: every case is
 * answered 4xx with {"error": {"code", "field", "message"}} naming the
 * field at fault, and nothing is written (the ticket list, the ticket and
 * its timeline are the same afterwards). */
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
static char received[32]; /* a ticket in `received` */
static char signed_[32];  /* a ticket the township has signed */
static char replied[32];  /* a ticket the township has replied to */

#define T(account) tok[API_##account]
#define N(a) (sizeof(a) / sizeof((a)[0]))

struct bad {
    const char *what;
    const char *method;
    const char *path; /* "%s" is replaced by the case's ticket number */
    const char *body; /* NULL for none */
    int status;
    const char *field; /* NULL: the answer names no field */
};

/* The state of everything a refused request could have touched. */
struct snapshot {
    long tickets;
    char *body[3];
    long events[3];
};

static const char *const *tickets(void)
{
    static const char *const all[3] = {received, signed_, replied};
    return all;
}

static void snap(struct snapshot *s)
{
    s->tickets = api_ticket_count(&srv, T(OPERATOR), NULL);
    assert_true(s->tickets >= 3);
    for (int i = 0; i < 3; i++) {
        struct api_resp r;
        assert_int_equal(
            api_call(&srv, "GET", T(OPERATOR), NULL, NULL, &r, "/api/v1/tickets/%s", tickets()[i]),
            0);
        assert_int_equal(r.status, 200);
        s->body[i] = r.body;
        r.body = NULL;
        api_resp_release(&r);
        struct json_object *tl = api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL,
                                            "/api/v1/tickets/%s/timeline", tickets()[i]);
        assert_non_null(tl);
        s->events[i] = api_json_len(tl, "events");
        json_object_put(tl);
    }
}

static void expect_unchanged(struct snapshot *before, const char *what)
{
    struct snapshot after;
    snap(&after);
    bool same = after.tickets == before->tickets;
    if (!same)
        print_message("%s: the ticket count went from %ld to %ld\n", what, before->tickets,
                      after.tickets);
    for (int i = 0; i < 3; i++) {
        if (strcmp(after.body[i], before->body[i]) != 0 || after.events[i] != before->events[i]) {
            print_message("%s: ticket %s changed\n", what, tickets()[i]);
            same = false;
        }
        free(after.body[i]);
        free(before->body[i]);
        before->body[i] = NULL;
    }
    assert_true(same);
}

/* Send one bad request and check the answer's shape; false (after saying
 * what came instead) when it is not the expected refusal. */
static bool refused(const char *token, const char *what, const char *method, const char *path,
                    const char *body, size_t body_len, int status, const char *field)
{
    struct api_resp r;
    if (api_request(&srv, method, path, token, NULL, body, body_len, &r) != 0) {
        print_message("%s: %s %s: no answer\n", what, method, path);
        return false;
    }
    const char *got = api_error_field(&r);
    const char *code = api_error_code(&r);
    const char *message = api_json_str(r.json, "error.message");
    bool ok = r.status == status && code && message && *message &&
              (!field || (got && strcmp(got, field) == 0)) &&
              (status != 400 || strcmp(code, "invalid_field") == 0);
    if (!ok)
        print_message("%s: %s %s: expected %d naming '%s', got %d: %.400s\n", what, method, path,
                      status, field ? field : "-", r.status, r.body ? r.body : "");
    api_resp_release(&r);
    return ok;
}

static void refuse_raw(const char *token, const char *what, const char *method, const char *path,
                       const char *body, size_t body_len, int status, const char *field)
{
    assert_true(refused(token, what, method, path, body, body_len, status, field));
}

/* The case's path with its "%s" replaced by the ticket number. */
static void fill_path(char *out, size_t outsz, const char *pattern, const char *number)
{
    const char *hole = strstr(pattern, "%s");
    if (!hole)
        snprintf(out, outsz, "%s", pattern);
    else
        snprintf(out, outsz, "%.*s%s%s", (int)(hole - pattern), pattern, number ? number : "",
                 hole + 2);
}

/* Every case is tried; the test fails after the last one if any was not
 * refused as expected, or if anything changed. */
static void refuse_all(const char *token, const struct bad *cases, size_t n, const char *number)
{
    struct snapshot s;
    snap(&s);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        char path[256];
        fill_path(path, sizeof(path), cases[i].path, number);
        failures +=
            !refused(token, cases[i].what, cases[i].method, path, cases[i].body,
                     cases[i].body ? strlen(cases[i].body) : 0, cases[i].status, cases[i].field);
    }
    expect_unchanged(&s, cases[0].what);
    assert_int_equal(failures, 0);
}

static void new_ticket(char number[32])
{
    struct json_object *o =
        api_expect(&srv, 201, "POST", T(OPERATOR), NULL,
                   "{\"text\": \"输入测试\", \"type\": \"complaint\", \"category\": \"C16\","
                   " \"location\": {\"unit\": \"" API_GRID "\"}}",
                   "/api/v1/tickets");
    assert_non_null(o);
    snprintf(number, 32, "%s", api_json_str(o, "number"));
    json_object_put(o);
}

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

/* Three tickets in the states the action cases need. */
static void test_prepare_tickets(void **state)
{
    (void)state;
    new_ticket(received);
    new_ticket(signed_);
    new_ticket(replied);
    const char *d = "{\"handler\": \"" API_TOWN "\"}";
    for (int i = 1; i < 3; i++) {
        const char *n = tickets()[i];
        json_object_put(
            api_expect(&srv, 200, "POST", T(OPERATOR), NULL, d, "/api/v1/tickets/%s/dispatch", n));
        struct json_object *o =
            api_expect(&srv, 200, "POST", T(TOWNSHIP), NULL, NULL, "/api/v1/tickets/%s/sign", n);
        assert_non_null(o);
        json_object_put(o);
    }
    struct json_object *o = api_expect(&srv, 200, "POST", T(TOWNSHIP), NULL,
                                       "{\"reply\": \"已处理\", \"result\": \"resolved\"}",
                                       "/api/v1/tickets/%s/reply", replied);
    assert_non_null(o);
    assert_string_equal(api_json_str(o, "state"), "replied");
    json_object_put(o);
}

#define LOC "\"location\": {\"unit\": \"" API_GRID "\"}"
#define CREATE(what, body, field)                                                                  \
    {                                                                                              \
        what, "POST", "/api/v1/tickets", body, 400, field                                          \
    }

static void test_malformed_bodies(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        CREATE("malformed JSON", "{\"text\": \"a\", \"type\": ", "body"),
        CREATE("unquoted key", "{text: \"a\", \"type\": \"help\", " LOC "}", "body"),
        CREATE("single quotes", "{'text': 'a'}", "body"),
        CREATE("empty body", "", "body"),
        CREATE("trailing garbage", "{\"text\": \"a\", \"type\": \"help\", " LOC "} x", "body"),
        CREATE("two objects", "{\"text\": \"a\", \"type\": \"help\", " LOC "}{}", "body"),
        CREATE("JSON array", "[{\"text\": \"a\", \"type\": \"help\", " LOC "}]", "body"),
        CREATE("JSON string", "\"text\"", "body"),
        CREATE("JSON null", "null", "body"),
        CREATE("invalid UTF-8", "{\"text\": \"\xff\xfe bad\", \"type\": \"help\", " LOC "}",
               "body"),
        CREATE("overlong UTF-8", "{\"text\": \"\xc0\xaf\", \"type\": \"help\", " LOC "}", "body"),
        CREATE("UTF-8 surrogate", "{\"text\": \"\xed\xa0\x80 x\", \"type\": \"help\", " LOC "}",
               "body"),
        CREATE("truncated UTF-8", "{\"text\": \"\xe4\xb8\", \"type\": \"help\", " LOC "}", "body"),
    };
    refuse_all(T(OPERATOR), cases, N(cases), NULL);
}

static void test_oversized_body(void **state)
{
    (void)state;
    struct snapshot s;
    snap(&s);
    size_t n = 70 * 1024;
    char *body = malloc(n + 256);
    assert_non_null(body);
    int k = snprintf(body, 256, "{\"type\": \"help\", " LOC ", \"text\": \"");
    memset(body + k, 'a', n);
    memcpy(body + k + n, "\"}", 3);
    refuse_raw(T(OPERATOR), "oversized body", "POST", "/api/v1/tickets", body, strlen(body), 413,
               "body");
    /* Anonymous callers get the same answer. */
    refuse_raw(NULL, "oversized anonymous body", "POST", "/api/v1/tickets", body, strlen(body), 413,
               "body");
    free(body);
    expect_unchanged(&s, "oversized body");

    /* The body of an action has its own, smaller limit (16 KiB). */
    snap(&s);
    n = 20 * 1024;
    body = malloc(n + 64);
    assert_non_null(body);
    k = snprintf(body, 64, "{\"reason\": \"");
    memset(body + k, 'b', n);
    memcpy(body + k + n, "\"}", 3);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/tickets/%s/return", signed_);
    refuse_raw(T(TOWNSHIP), "oversized action body", "POST", path, body, strlen(body), 413, "body");
    free(body);
    expect_unchanged(&s, "oversized action body");
}

static void test_bad_fields(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        CREATE("missing text", "{\"type\": \"help\", " LOC "}", "text"),
        CREATE("empty text", "{\"text\": \"\", \"type\": \"help\", " LOC "}", "text"),
        CREATE("text not a string", "{\"text\": 5, \"type\": \"help\", " LOC "}", "text"),
        CREATE("text with NUL", "{\"text\": \"a\\u0000b\", \"type\": \"help\", " LOC "}", "text"),
        CREATE("missing type", "{\"text\": \"a\", " LOC "}", "type"),
        CREATE("bad type", "{\"text\": \"a\", \"type\": \"complain\", " LOC "}", "type"),
        CREATE("type not a string", "{\"text\": \"a\", \"type\": 3, " LOC "}", "type"),
        CREATE("urgent as a string",
               "{\"text\": \"a\", \"type\": \"help\", \"urgent\": \"yes\", " LOC "}", "urgent"),
        CREATE("unknown channel",
               "{\"text\": \"a\", \"type\": \"help\", \"channel\": \"fax\", " LOC "}", "channel"),
        CREATE("unknown category",
               "{\"text\": \"a\", \"type\": \"help\", \"category\": \"C99\", " LOC "}", "category"),
        CREATE("missing location", "{\"text\": \"a\", \"type\": \"help\"}", "location"),
        CREATE("location not an object",
               "{\"text\": \"a\", \"type\": \"help\", \"location\": \"here\"}", "location"),
        CREATE("empty location", "{\"text\": \"a\", \"type\": \"help\", \"location\": {}}",
               "location"),
        CREATE("unknown unit",
               "{\"text\": \"a\", \"type\": \"help\", \"location\": {\"unit\": \"622921100999\"}}",
               "location.unit"),
        CREATE("unit not a code",
               "{\"text\": \"a\", \"type\": \"help\", \"location\": {\"unit\": \"somewhere\"}}",
               "location.unit"),
        CREATE("county as location",
               "{\"text\": \"a\", \"type\": \"help\", \"location\": {\"unit\": \"" API_COUNTY
               "\"}}",
               "location.unit"),
        CREATE("lat 95",
               "{\"text\": \"a\", \"type\": \"help\", \"location\": {\"lat\": 95, \"lon\": 103}}",
               "location.lat"),
        CREATE(
            "lon -200",
            "{\"text\": \"a\", \"type\": \"help\", \"location\": {\"lat\": 35.5, \"lon\": -200}}",
            "location.lon"),
        CREATE("lat as a string",
               "{\"text\": \"a\", \"type\": \"help\", \"location\": {\"lat\": \"35.5\", \"lon\": "
               "103}}",
               "location.lat"),
        CREATE("lat without lon",
               "{\"text\": \"a\", \"type\": \"help\", \"location\": {\"lat\": 35.5}}",
               "location.lon"),
        CREATE(
            "lat 1e400",
            "{\"text\": \"a\", \"type\": \"help\", \"location\": {\"lat\": 1e400, \"lon\": 103}}",
            "location.lat"),
        CREATE("point far outside the region",
               "{\"text\": \"a\", \"type\": \"help\", \"location\": {\"lat\": 30, \"lon\": 90}}",
               "location"),
        CREATE("contact not an object",
               "{\"text\": \"a\", \"type\": \"help\", \"contact\": \"x\", " LOC "}", "contact"),
        CREATE("bad phone",
               "{\"text\": \"a\", \"type\": \"help\", \"contact\": {\"phone\": \"12345\"}, " LOC
               "}",
               "contact.phone"),
        CREATE(
            "foreign phone",
            "{\"text\": \"a\", \"type\": \"help\", \"contact\": {\"phone\": \"+1 555 0100\"}, " LOC
            "}",
            "contact.phone"),
        CREATE(
            "phone with letters",
            "{\"text\": \"a\", \"type\": \"help\", \"contact\": {\"phone\": \"1391234abcd\"}, " LOC
            "}",
            "contact.phone"),
        CREATE("name with a control character",
               "{\"text\": \"a\", \"type\": \"help\", \"contact\": {\"name\": \"马\\u0007\"}, " LOC
               "}",
               "contact.name"),
    };
    refuse_all(T(OPERATOR), cases, N(cases), NULL);
}

/* Text is limited to 4000 characters, counted as characters, not bytes. */
static void test_text_length(void **state)
{
    (void)state;
    const char *zi = "字"; /* 3 bytes in UTF-8 */
    size_t cap = 4001 * 3 + 256;
    char *body = malloc(cap);
    assert_non_null(body);
    for (int chars = 4001; chars >= 4000; chars--) {
        int k = snprintf(body, 256, "{\"type\": \"help\", " LOC ", \"text\": \"");
        for (int i = 0; i < chars; i++) {
            memcpy(body + k, zi, 3);
            k += 3;
        }
        memcpy(body + k, "\"}", 3);
        if (chars == 4001) {
            struct snapshot s;
            snap(&s);
            refuse_raw(T(OPERATOR), "text of 4001 characters", "POST", "/api/v1/tickets", body,
                       strlen(body), 400, "text");
            expect_unchanged(&s, "text of 4001 characters");
        } else {
            struct json_object *o =
                api_expect(&srv, 201, "POST", T(OPERATOR), NULL, body, "/api/v1/tickets");
            assert_non_null(o);
            assert_int_equal(strlen(api_json_str(o, "text")), 4000 * 3);
            json_object_put(o);
        }
    }
    free(body);
    /* 4001 plain ASCII characters are refused the same way. */
    body = malloc(4001 + 256);
    assert_non_null(body);
    int k = snprintf(body, 256, "{\"type\": \"help\", " LOC ", \"text\": \"");
    memset(body + k, 'x', 4001);
    memcpy(body + k + 4001, "\"}", 3);
    struct snapshot s;
    snap(&s);
    refuse_raw(T(OPERATOR), "text of 4001 ASCII characters", "POST", "/api/v1/tickets", body,
               strlen(body), 400, "text");
    expect_unchanged(&s, "text of 4001 ASCII characters");
    free(body);
}

/* A point and a unit that disagree. */
static void test_point_unit_mismatch(void **state)
{
    (void)state;
    struct json_object *u =
        api_expect(&srv, 200, "GET", T(OPERATOR), NULL, NULL, "/api/v1/units/" API_GRID);
    assert_non_null(u);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"text\": \"a\", \"type\": \"help\", \"location\": {\"lat\": %.9f, \"lon\": %.9f,"
             " \"unit\": \"" API_GRID2 "\"}}",
             api_json_num(u, "point.lat", 0), api_json_num(u, "point.lon", 0));
    json_object_put(u);
    struct snapshot s;
    snap(&s);
    refuse_raw(T(OPERATOR), "point outside the unit", "POST", "/api/v1/tickets", body, strlen(body),
               400, "location.unit");
    expect_unchanged(&s, "point outside the unit");
}

#define ACT(what, action, body, field)                                                             \
    {                                                                                              \
        what, "POST", "/api/v1/tickets/%s/" action, body, 400, field                               \
    }

static void test_bad_dispatch(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        ACT("dispatch to an unknown township", "dispatch", "{\"handler\": \"622921199\"}",
            "handler"),
        ACT("dispatch to an unknown department", "dispatch", "{\"handler\": \"622921D99\"}",
            "handler"),
        ACT("dispatch to a village", "dispatch", "{\"handler\": \"" API_VILLAGE "\"}", "handler"),
        ACT("dispatch to nonsense", "dispatch", "{\"handler\": \"nowhere\"}", "handler"),
        ACT("handler not a string", "dispatch", "{\"handler\": 622921100}", "handler"),
        ACT("dispatch with an unknown category", "dispatch",
            "{\"handler\": \"" API_TOWN "\", \"category\": \"C99\"}", "category"),
        ACT("malformed action body", "dispatch", "{\"handler\": ", "body"),
        ACT("action body an array", "dispatch", "[\"" API_TOWN "\"]", "body"),
        ACT("note not a string", "dispatch", "{\"handler\": \"" API_TOWN "\", \"note\": 1}",
            "note"),
        ACT("merge without target", "merge", "{}", "into"),
    };
    refuse_all(T(OPERATOR), cases, N(cases), received);
}

static void test_bad_signed_actions(void **state)
{
    (void)state;
    static const struct bad township[] = {
        ACT("reply without result", "reply", "{\"reply\": \"已处理\"}", "result"),
        ACT("reply with a bad result", "reply", "{\"reply\": \"已处理\", \"result\": \"done\"}",
            "result"),
        ACT("reply without text", "reply", "{\"result\": \"resolved\"}", "reply"),
        ACT("unresolvable without reason", "reply",
            "{\"reply\": \"无法处理\", \"result\": \"unresolvable\"}", "reason"),
        ACT("ask-extension with days 0", "ask-extension", "{\"days\": 0, \"reason\": \"r\"}",
            "days"),
        ACT("ask-extension with days 31", "ask-extension", "{\"days\": 31, \"reason\": \"r\"}",
            "days"),
        ACT("ask-extension with days as a string", "ask-extension",
            "{\"days\": \"3\", \"reason\": \"r\"}", "days"),
        ACT("ask-extension with fractional days", "ask-extension",
            "{\"days\": 2.5, \"reason\": \"r\"}", "days"),
        ACT("ask-extension without reason", "ask-extension", "{\"days\": 3}", "reason"),
        ACT("return without reason", "return", "{}", "reason"),
        ACT("return with an empty reason", "return", "{\"reason\": \"\"}", "reason"),
        ACT("whistle without departments", "whistle", "{}", "departments"),
        ACT("whistle with a string", "whistle", "{\"departments\": \"" API_HOUSING "\"}",
            "departments"),
        ACT("whistle with none", "whistle", "{\"departments\": []}", "departments"),
        ACT("whistle an unknown department", "whistle", "{\"departments\": [\"622921D99\"]}",
            "departments"),
        ACT("whistle a township", "whistle", "{\"departments\": [\"" API_TOWN2 "\"]}",
            "departments"),
        ACT("sub-dispatch without handler", "sub-dispatch", "{}", "handler"),
        ACT("sub-dispatch to another township's village", "sub-dispatch",
            "{\"handler\": \"622921101001\"}", "handler"),
    };
    refuse_all(T(TOWNSHIP), township, N(township), signed_);
    static const struct bad operator[] = {
        ACT("decide-extension without approve", "decide-extension", "{}", "approve"),
        ACT("decide-extension with approve as a string", "decide-extension",
            "{\"approve\": \"yes\"}", "approve"),
    };
    refuse_all(T(OPERATOR), operator, N(operator), signed_);
}

static void test_bad_callback(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        ACT("callback with a bad satisfaction", "callback",
            "{\"resolved\": true, \"satisfaction\": \"great\"}", "satisfaction"),
        ACT("callback without satisfaction", "callback", "{\"resolved\": true}", "satisfaction"),
        ACT("callback without resolved", "callback", "{\"satisfaction\": \"satisfied\"}",
            "resolved"),
        ACT("callback with resolved as a string", "callback",
            "{\"resolved\": \"yes\", \"satisfaction\": \"satisfied\"}", "resolved"),
        ACT("callback with unreachable as a number", "callback", "{\"unreachable\": 1}",
            "unreachable"),
    };
    refuse_all(T(OPERATOR), cases, N(cases), replied);
}

static void test_bad_paths_and_methods(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        {"unknown action", "POST", "/api/v1/tickets/%s/fly", "{}", 404, "action"},
        {"create as an action", "POST", "/api/v1/tickets/%s/create", "{}", 404, "action"},
        {"unknown ticket", "POST", "/api/v1/tickets/20000101-00001/sign", NULL, 404, "number"},
        {"unknown ticket read", "GET", "/api/v1/tickets/20000101-00001", NULL, 404, "number"},
        {"unknown resource", "GET", "/api/v1/nothing-here", NULL, 404, NULL},
        {"DELETE a ticket", "DELETE", "/api/v1/tickets/%s", NULL, 405, NULL},
        {"PUT the ticket list", "PUT", "/api/v1/tickets", "{}", 405, NULL},
        {"PATCH a ticket", "PATCH", "/api/v1/tickets/%s", "{}", 405, NULL},
        /* An API path that exists for other methods is a 405 for GET too,
         * and an API path that does not exist is a 404 for any method: the
         * console's catch-all static route must not answer under /api/. */
        {"GET the session", "GET", "/api/v1/sessions/current", NULL, 405, NULL},
        {"GET an action", "GET", "/api/v1/tickets/%s/dispatch", NULL, 405, NULL},
        {"POST to an unknown resource", "POST", "/api/v1/nothing-here", "{}", 404, NULL},
        {"POST to health", "POST", "/api/v1/health", NULL, 405, NULL},
    };
    refuse_all(T(OPERATOR), cases, N(cases), received);
}

/* A 405 says which methods the resource has (RFC 9110: the Allow header
 * is required). */
static void test_method_not_allowed_names_allow(void **state)
{
    (void)state;
    struct api_resp r;
    assert_int_equal(
        api_call(&srv, "DELETE", T(OPERATOR), NULL, NULL, &r, "/api/v1/tickets/%s", received), 0);
    int status = r.status;
    char allow[96];
    snprintf(allow, sizeof(allow), "%s", r.allow);
    api_resp_release(&r);
    assert_int_equal(status, 405);
    if (!*allow)
        print_message("405 without an Allow header\n");
    assert_non_null(strstr(allow, "GET"));
}

/* Text that is only white space says nothing: refused like empty text. */
static void test_blank_text(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        CREATE("blank text", "{\"text\": \"   \", \"type\": \"help\", " LOC "}", "text"),
        CREATE("text of full-width spaces",
               "{\"text\": \"\xe3\x80\x80\xe3\x80\x80\", \"type\": \"help\", " LOC "}", "text"),
        CREATE("text of line breaks", "{\"text\": \"\\n\\r\\n\\t\", \"type\": \"help\", " LOC "}",
               "text"),
    };
    refuse_all(T(OPERATOR), cases, N(cases), NULL);
}

static void test_bad_queries(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        {"status=bogus", "GET", "/api/v1/tickets?status=bogus", NULL, 400, "status"},
        {"limit=0", "GET", "/api/v1/tickets?limit=0", NULL, 400, "limit"},
        {"limit=501", "GET", "/api/v1/tickets?limit=501", NULL, 400, "limit"},
        {"limit=ten", "GET", "/api/v1/tickets?limit=ten", NULL, 400, "limit"},
        {"type=x", "GET", "/api/v1/tickets?type=x", NULL, 400, "type"},
        {"unit=x", "GET", "/api/v1/tickets?unit=x", NULL, 400, "unit"},
        {"from=yesterday", "GET", "/api/v1/tickets?from=yesterday", NULL, 400, "from"},
        {"to=2026-02-30", "GET", "/api/v1/tickets?to=2026-02-30", NULL, 400, "to"},
        {"overdue=maybe", "GET", "/api/v1/tickets?overdue=maybe", NULL, 400, "overdue"},
        {"cursor=-1", "GET", "/api/v1/tickets?cursor=-1", NULL, 400, "cursor"},
        {"period=2026-13", "GET", "/api/v1/metrics/rates?unit=" API_TOWN "&period=2026-13", NULL,
         400, "period"},
        {"period=2026-1", "GET", "/api/v1/metrics/rates?unit=" API_TOWN "&period=2026-1", NULL, 400,
         "period"},
        {"period=2026-00", "GET", "/api/v1/metrics/ranking?level=township&period=2026-00", NULL,
         400, "period"},
        {"rates unit=x", "GET", "/api/v1/metrics/rates?unit=x", NULL, 400, "unit"},
        {"ranking level=village", "GET", "/api/v1/metrics/ranking?level=village", NULL, 400,
         "level"},
        {"lookup lat=95", "GET", "/api/v1/units/lookup?lat=95&lon=103", NULL, 400, "lat"},
        {"lookup lon=abc", "GET", "/api/v1/units/lookup?lat=35.5&lon=abc", NULL, 400, "lon"},
        {"lookup without lat", "GET", "/api/v1/units/lookup?lon=103", NULL, 400, "lat"},
        {"lookup far away", "GET", "/api/v1/units/lookup?lat=30&lon=90", NULL, 404, "lat"},
        {"unit code x", "GET", "/api/v1/units/x", NULL, 400, "code"},
        {"reveal=all", "GET", "/api/v1/tickets/%s?reveal=all", NULL, 400, "reveal"},
        {"a body on GET", "GET", "/api/v1/tickets", "{\"status\": \"closed\"}", 400, "body"},
        {"a body on logout", "DELETE", "/api/v1/sessions/current", "{\"all\": true}", 400, "body"},
    };
    refuse_all(T(OPERATOR), cases, N(cases), received);
}

static void test_bad_logins(void **state)
{
    (void)state;
    static const struct bad cases[] = {
        {"login with malformed JSON", "POST", "/api/v1/sessions", "{\"username\": ", 400, "body"},
        {"login without password", "POST", "/api/v1/sessions", "{\"username\": \"t-hanji\"}", 400,
         "password"},
        {"login without username", "POST", "/api/v1/sessions", "{\"password\": \"x\"}", 400,
         "username"},
        {"login with a number", "POST", "/api/v1/sessions",
         "{\"username\": 5, \"password\": \"x\"}", 400, "username"},
    };
    refuse_all(NULL, cases, N(cases), NULL);
}

/* After all the refusals the audit chain is intact. */
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
        cmocka_unit_test(test_prepare_tickets),
        cmocka_unit_test(test_malformed_bodies),
        cmocka_unit_test(test_oversized_body),
        cmocka_unit_test(test_bad_fields),
        cmocka_unit_test(test_text_length),
        cmocka_unit_test(test_point_unit_mismatch),
        cmocka_unit_test(test_bad_dispatch),
        cmocka_unit_test(test_bad_signed_actions),
        cmocka_unit_test(test_bad_callback),
        cmocka_unit_test(test_bad_paths_and_methods),
        cmocka_unit_test(test_method_not_allowed_names_allow),
        cmocka_unit_test(test_blank_text),
        cmocka_unit_test(test_bad_queries),
        cmocka_unit_test(test_bad_logins),
        cmocka_unit_test(test_audit_intact),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
