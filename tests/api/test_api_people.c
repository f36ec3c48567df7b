/* test_api_people.c - the people registry through the real API, on SQLite
 * and (test_api_people_pg) PostgreSQL: a list import with its report and
 * idempotence, residents within the caller's scope and masked for his
 * role, an audited clear read, a conflict kept until a person resolves
 * it, edits checked field by field, and the needs basis. */
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

/* Generated ID numbers with correct check digits (GB 11643). */
#define ID_OLD "622921195003140115"
#define ID_WOMAN "622921198807020227"
#define ID_CHILD "622921201609090333"
#define ID_OTHER "622921197001010412"

static int setup(void **state)
{
    (void)state;
    unsigned who = (1u << API_ADMIN) | (1u << API_AUDITOR) | (1u << API_OPERATOR) |
                   (1u << API_COMMAND) | (1u << API_DEPARTMENT) | (1u << API_TOWNSHIP2) |
                   (1u << API_VILLAGE_AC) | (1u << API_GRID_AC);
    return api_fixture_start(&srv, dir, sizeof(dir), who, tok) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fixture_finish(&srv, dir);
    return 0;
}

static int status_of(const char *token, const char *method, const char *body, const char *path)
{
    struct api_resp r;
    if (api_call(&srv, method, token, NULL, body, &r, "%s", path))
        return -1;
    int st = r.status;
    api_resp_release(&r);
    return st;
}

static const char REGISTER[] =
    "{\"source\": \"hukou\", \"unit\": \"" API_COUNTY "\", \"name\": \"register.csv\","
    " \"mapping\": {\"name\": \"姓名\", \"id_number\": \"身份证号\", \"phone\": \"电话\","
    " \"unit\": \"网格\", \"ethnicity\": \"民族\", \"household\": \"户号\", \"relation\": \"关系\","
    " \"tags\": \"标签\"},"
    " \"csv\": \"姓名,身份证号,电话,网格,民族,户号,关系,标签\\n"
    "马福海," ID_OLD ",13912345678," API_GRID ",回族,H1,户主,elderly_alone\\n"
    "尕藏卓玛," ID_WOMAN ",13887654321," API_GRID ",藏族,H2,户主,disabled:2\\n"
    "马小军," ID_CHILD ",," API_GRID ",03,H1,孙子,left_behind_child\\n"
    "丁海," ID_OTHER ",13700001111," API_GRID2 ",东乡族,H3,户主,low_income\\n"
    "无名,,,," API_GRID ",,,\\n\"}";

static int64_t resident_in_grid(const char *token, const char *name)
{
    struct json_object *v = api_expect(&srv, 200, "GET", token, NULL, NULL,
                                       "/api/v1/residents?unit=%s", API_GRID);
    if (!v)
        return -1;
    int64_t id = -1;
    for (long i = 0; i < api_json_len(v, "items"); i++) {
        struct json_object *it = json_object_array_get_idx(api_json_get(v, "items"), (size_t)i);
        if (strcmp(api_json_str(it, "name"), name) == 0)
            id = api_json_int(it, "id", -1);
    }
    json_object_put(v);
    return id;
}

static void test_import_report_and_repeat(void **state)
{
    (void)state;
    /* roles that may not import, and a mapping naming no real field */
    assert_int_equal(status_of(T(OPERATOR), "POST", REGISTER, "/api/v1/people/imports"), 403);
    assert_int_equal(status_of(T(GRID_AC), "POST", REGISTER, "/api/v1/people/imports"), 403);
    struct api_resp r;
    assert_int_equal(api_call(&srv, "POST", T(COMMAND), NULL,
                              "{\"source\": \"x\", \"unit\": \"622921\", \"mapping\":"
                              " {\"shoe_size\": \"a\"}, \"csv\": \"a\\n1\\n\"}",
                              &r, "/api/v1/people/imports"),
                     0);
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "mapping");
    api_resp_release(&r);

    struct json_object *v =
        api_expect(&srv, 201, "POST", T(COMMAND), NULL, REGISTER, "/api/v1/people/imports");
    assert_non_null(v);
    assert_int_equal(api_json_int(v, "rows", -1), 5);
    assert_int_equal(api_json_int(v, "new", -1), 4);
    assert_int_equal(api_json_int(v, "rejected", -1), 1);
    assert_string_equal(api_json_str(v, "lines.0.outcome"), "rejected");
    assert_string_equal(api_json_str(v, "lines.0.field"), "id_number");
    json_object_put(v);
    /* the same file again changes nothing */
    v = api_expect(&srv, 200, "POST", T(COMMAND), NULL, REGISTER, "/api/v1/people/imports");
    assert_non_null(v);
    assert_int_equal(api_json_bool(v, "repeat"), 1);
    json_object_put(v);
    v = api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL, "/api/v1/residents?unit=%s",
                   API_COUNTY);
    assert_non_null(v);
    assert_int_equal(api_json_len(v, "items"), 4);
    json_object_put(v);
}

static void test_scopes_and_masking(void **state)
{
    (void)state;
    struct json_object *v =
        api_expect(&srv, 200, "GET", T(GRID_AC), NULL, NULL, "/api/v1/residents");
    assert_non_null(v);
    assert_int_equal(api_json_len(v, "items"), 3);
    const char *body = json_object_to_json_string(v);
    assert_null(strstr(body, ID_OLD));
    assert_null(strstr(body, "13912345678"));
    assert_null(strstr(body, "马小军")); /* a minor's name is masked */
    assert_null(strstr(body, "disabled")); /* health data */
    assert_non_null(strstr(body, "马福海"));
    json_object_put(v);
    /* the other township sees only its own resident */
    v = api_expect(&srv, 200, "GET", T(TOWNSHIP2), NULL, NULL, "/api/v1/residents");
    assert_non_null(v);
    assert_int_equal(api_json_len(v, "items"), 1);
    json_object_put(v);
    assert_int_equal(status_of(T(OPERATOR), "GET", NULL, "/api/v1/residents"), 403);
    assert_int_equal(status_of(NULL, "GET", NULL, "/api/v1/residents"), 401);

    int64_t id = resident_in_grid(T(COMMAND), "马福海");
    assert_true(id > 0);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/residents/%lld", (long long)id);
    assert_int_equal(status_of(T(TOWNSHIP2), "GET", NULL, path), 404);
    snprintf(path, sizeof(path), "/api/v1/residents/%lld?reveal=true", (long long)id);
    assert_int_equal(status_of(T(GRID_AC), "GET", NULL, path), 403);
    v = api_expect(&srv, 200, "GET", T(AUDITOR), NULL, NULL, "/api/v1/audit/verify");
    assert_non_null(v);
    int64_t before = api_json_int(v, "rows", -1);
    json_object_put(v);
    v = api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL, "%s", path);
    assert_non_null(v);
    assert_string_equal(api_json_str(v, "id_number"), ID_OLD);
    assert_string_equal(api_json_str(v, "phone"), "13912345678");
    assert_string_equal(api_json_str(v, "ethnicity.name"), "回族");
    assert_string_equal(api_json_str(v, "birth_date"), "19500314");
    json_object_put(v);
    v = api_expect(&srv, 200, "GET", T(AUDITOR), NULL, NULL, "/api/v1/audit/verify");
    assert_non_null(v);
    assert_int_equal(api_json_int(v, "rows", -1), before + 1);
    json_object_put(v);
}

static void test_conflict_and_edit(void **state)
{
    (void)state;
    /* Civil affairs (a department of the county) lists 马福海 with another
     * phone: kept side by side, not overwritten. */
    static const char CIVIL[] =
        "{\"source\": \"civil\", \"unit\": \"" API_COUNTY "\","
        " \"mapping\": {\"name\": \"姓名\", \"id_number\": \"身份证号\", \"phone\": \"电话\","
        " \"unit\": \"村\", \"tags\": \"=low_income\"},"
        " \"csv\": \"姓名,身份证号,电话,村\\n马福海," ID_OLD ",13900009999," API_VILLAGE "\\n\"}";
    struct json_object *v =
        api_expect(&srv, 201, "POST", T(DEPARTMENT), NULL, CIVIL, "/api/v1/people/imports");
    assert_non_null(v);
    assert_int_equal(api_json_int(v, "conflicting", -1), 1);
    json_object_put(v);
    int64_t id = resident_in_grid(T(COMMAND), "马福海");
    v = api_expect(&srv, 200, "GET", T(VILLAGE_AC), NULL, NULL, "/api/v1/residents/%lld",
                   (long long)id);
    assert_non_null(v);
    assert_string_equal(api_json_str(v, "phone"), "139****5678");
    assert_string_equal(api_json_str(v, "conflicts.0.field"), "phone");
    assert_string_equal(api_json_str(v, "conflicts.0.state"), "open");
    /* the values side by side, masked: the registry's and each list's */
    assert_string_equal(api_json_str(v, "conflicts.0.values.0.source"), "registry");
    assert_string_equal(api_json_str(v, "conflicts.0.values.0.value"), "139****5678");
    assert_int_equal(api_json_len(v, "conflicts.0.values"), 3);
    assert_null(strstr(json_object_to_json_string(v), "13900009999"));
    assert_int_equal(api_json_len(v, "lineage"), 2);
    int64_t cid = api_json_int(v, "conflicts.0.id", -1);
    json_object_put(v);
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/residents/%lld/conflicts/%lld/resolve",
             (long long)id, (long long)cid);
    assert_int_equal(status_of(T(GRID_AC), "POST", "{\"source\": \"civil\"}", path), 403);
    v = api_expect(&srv, 200, "POST", T(VILLAGE_AC), NULL, "{\"source\": \"civil\"}", "%s", path);
    assert_non_null(v);
    assert_string_equal(api_json_str(v, "phone"), "139****9999");
    assert_string_equal(api_json_str(v, "conflicts.0.state"), "resolved");
    json_object_put(v);
    assert_int_equal(status_of(T(VILLAGE_AC), "POST", "{\"source\": \"civil\"}", path), 409);

    /* edits: a bad phone names the field and changes nothing */
    snprintf(path, sizeof(path), "/api/v1/residents/%lld", (long long)id);
    struct api_resp r;
    assert_int_equal(api_call(&srv, "POST", T(GRID_AC), NULL, "{\"phone\": \"12345\"}", &r, "%s",
                              path),
                     0);
    assert_int_equal(r.status, 400);
    assert_string_equal(api_error_field(&r), "phone");
    api_resp_release(&r);
    v = api_expect(&srv, 200, "POST", T(GRID_AC), NULL,
                   "{\"phone\": \"13611112222\", \"languages\": \"东乡语\","
                   " \"tags\": \"left_behind_elderly\"}",
                   "%s", path);
    assert_non_null(v);
    assert_string_equal(api_json_str(v, "phone"), "136****2222");
    assert_string_equal(api_json_str(v, "languages"), "东乡语");
    json_object_put(v);
}

static void test_needs(void **state)
{
    (void)state;
    struct json_object *v = api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL,
                                       "/api/v1/needs?unit=%s&period=2099", API_COUNTY);
    assert_non_null(v);
    assert_int_equal(api_json_int(v, "residents", -1), 4);
    long checkin = -1, after_school = -1;
    for (long i = 0; i < api_json_len(v, "needs"); i++) {
        struct json_object *n = json_object_array_get_idx(api_json_get(v, "needs"), (size_t)i);
        if (strcmp(api_json_str(n, "need"), "daily_checkin") == 0)
            checkin = api_json_int(n, "people", -1);
        if (strcmp(api_json_str(n, "need"), "after_school_care") == 0)
            after_school = api_json_int(n, "people", -1);
    }
    /* 马福海: living alone and left-behind elderly: one person, one need */
    assert_int_equal(checkin, 1);
    assert_int_equal(after_school, 1);
    json_object_put(v);
    assert_int_equal(status_of(T(OPERATOR), "GET", NULL, "/api/v1/needs"), 403);
    assert_int_equal(status_of(T(COMMAND), "GET", NULL, "/api/v1/needs?period=26"), 400);
}

/* An export is masked: the CLI writes what the API would show. */
static void test_export_masked(void **state)
{
    (void)state;
    char out[128];
    snprintf(out, sizeof(out), "%s/residents.csv", dir);
    char *const argv[] = {"xietong", "people", "export", "--unit", API_COUNTY, "--out", out,
                          "--data", dir, NULL};
    assert_int_equal(api_cli(argv), 0);
    FILE *fp = fopen(out, "r");
    assert_non_null(fp);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "马福海,622921********0115"));
    assert_null(strstr(buf, ID_OLD));
    assert_null(strstr(buf, ID_CHILD));
    assert_null(strstr(buf, "13912345678"));
    assert_null(strstr(buf, "disabled"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_report_and_repeat),
        cmocka_unit_test(test_scopes_and_masking),
        cmocka_unit_test(test_conflict_and_edit),
        cmocka_unit_test(test_needs),
        cmocka_unit_test(test_export_masked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
