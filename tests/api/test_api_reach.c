/* test_api_reach.c - access to public services (服务半径) through the real
 * API: facilities (who may write, validation, edit, delete), and the
 * travel, coverage, score and siting reports on the demo region's
 * generated road network (`xietong access generate`, run before the
 * server starts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
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
    memset(&srv, 0, sizeof(srv));
    srv.out_fd = -1;
    if (api_data_prepare(dir, sizeof(dir)))
        return -1;
    /* a report before any network exists is refused by the server below;
     * generate the demo network and facilities of one county */
    char *gen[] = {"xietong", "access", "generate", "--within", API_COUNTY, "--data", dir, NULL};
    if (api_cli(gen) != 0 || api_server_start(&srv, dir) ||
        api_login_accounts(&srv, (1u << API_ACCOUNT_COUNT) - 1, tok)) {
        api_fixture_finish(&srv, dir);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fixture_finish(&srv, dir);
    return 0;
}

static int status_of(const char *method, const char *token, const char *body, const char *path,
                     const char *field)
{
    struct api_resp r;
    assert_int_equal(api_call(&srv, method, token, NULL, body, &r, "%s", path), 0);
    int st = r.status;
    if (st >= 400) {
        assert_non_null(api_error_code(&r));
        if (field)
            assert_string_equal(api_error_field(&r), field);
    }
    api_resp_release(&r);
    return st;
}

static void test_facility_crud_and_roles(void **state)
{
    (void)state;
    const char *body = "{\"type\":\"village_clinic\",\"name\":\"测试卫生室\",\"capacity\":3,"
                       "\"location\":{\"lat\":35.55,\"lon\":103.1},\"unit\":\"" API_VILLAGE "\"}";
    /* who may write */
    assert_int_equal(status_of("POST", T(TOWNSHIP), body, "/api/v1/access/facilities", NULL), 403);
    assert_int_equal(status_of("POST", T(GRID_AC), body, "/api/v1/access/facilities", NULL), 403);
    assert_int_equal(status_of("POST", T(RESIDENT), body, "/api/v1/access/facilities", NULL), 403);
    /* a department writes only inside its own area */
    assert_int_equal(status_of("POST", T(DEPARTMENT), body, "/api/v1/access/facilities", "unit"),
                     403);
    /* bad input names its field and writes nothing */
    assert_int_equal(status_of("POST", T(COMMAND),
                               "{\"type\":\"village_clinic\",\"name\":\"x\","
                               "\"location\":{\"lat\":95,\"lon\":103.1}}",
                               "/api/v1/access/facilities", "location.lat"),
                     400);
    assert_int_equal(status_of("POST", T(COMMAND),
                               "{\"type\":\"spaceport\",\"name\":\"x\","
                               "\"location\":{\"lat\":35,\"lon\":103.1}}",
                               "/api/v1/access/facilities", "type"),
                     400);
    assert_int_equal(status_of("POST", T(COMMAND),
                               "{\"type\":\"village_clinic\",\"name\":\"x\",\"capacity\":-1,"
                               "\"location\":{\"lat\":35,\"lon\":103.1}}",
                               "/api/v1/access/facilities", "capacity"),
                     400);
    assert_int_equal(status_of("POST", T(COMMAND),
                               "{\"type\":\"village_clinic\",\"name\":\"x\","
                               "\"location\":{\"lat\":35,\"lon\":103.1},\"unit\":\"622921199999\"}",
                               "/api/v1/access/facilities", "unit"),
                     400);
    struct json_object *list = api_expect(&srv, 200, "GET", T(GRID_AC), NULL, NULL,
                                          "/api/v1/access/facilities?type=village_clinic");
    assert_non_null(list);
    long before = api_json_len(list, "facilities");
    assert_true(before > 10); /* the generated demo clinics */
    json_object_put(list);
    /* create, read, replace, delete */
    struct json_object *f =
        api_expect(&srv, 201, "POST", T(COMMAND), NULL, body, "/api/v1/access/facilities");
    assert_non_null(f);
    int64_t id = api_json_int(f, "id", 0);
    assert_true(id > 0);
    assert_string_equal(api_json_str(f, "type"), "village_clinic");
    assert_string_equal(api_json_str(f, "unit"), API_VILLAGE);
    assert_float_equal(api_json_num(f, "capacity", -1), 3, 1e-9);
    json_object_put(f);
    list = api_expect(&srv, 200, "GET", T(GRID_AC), NULL, NULL,
                      "/api/v1/access/facilities?type=village_clinic");
    assert_int_equal(api_json_len(list, "facilities"), before + 1);
    json_object_put(list);
    f = api_expect(&srv, 200, "PUT", T(ADMIN), NULL,
                   "{\"type\":\"elderly_care\",\"name\":\"测试养老中心\","
                   "\"location\":{\"lat\":35.56,\"lon\":103.11}}",
                   "/api/v1/access/facilities/%lld", (long long)id);
    assert_non_null(f);
    assert_string_equal(api_json_str(f, "type"), "elderly_care");
    assert_true(api_json_is_null(f, "capacity"));
    json_object_put(f);
    f = api_expect(&srv, 200, "GET", T(TOWNSHIP), NULL, NULL, "/api/v1/access/facilities/%lld",
                   (long long)id);
    assert_string_equal(api_json_str(f, "name"), "测试养老中心");
    json_object_put(f);
    assert_int_equal(status_of("DELETE", T(TOWNSHIP), NULL, "/api/v1/access/facilities/1", NULL),
                     403);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/access/facilities/%lld", (long long)id);
    assert_int_equal(status_of("DELETE", T(DEPARTMENT), NULL, path, NULL), 200);
    assert_int_equal(status_of("GET", T(COMMAND), NULL, path, "id"), 404);
    assert_int_equal(status_of("PUT", T(COMMAND),
                               "{\"type\":\"hospital\",\"name\":\"y\","
                               "\"location\":{\"lat\":35,\"lon\":103}}",
                               path, "id"),
                     404);
    assert_int_equal(status_of("GET", T(RESIDENT), NULL, "/api/v1/access/facilities", NULL), 403);
    assert_int_equal(status_of("GET", T(COMMAND), NULL, "/api/v1/access/facilities/abc", "id"),
                     400);
}

/* travel and coverage agree, every village of the generated network is
 * reached, and a facility built where the slowest village is makes it
 * near */
static void test_travel_coverage_and_new_facility(void **state)
{
    (void)state;
    struct json_object *tr =
        api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL,
                   "/api/v1/access/travel?type=township_health_centre&within=" API_COUNTY);
    assert_non_null(tr);
    assert_string_equal(api_json_str(tr, "type"), "FeatureCollection");
    assert_int_equal(api_json_bool(tr, "xietong.generated_network"), 1);
    double std = api_json_num(tr, "xietong.standard_minutes", 0);
    assert_float_equal(std, 60, 1e-9);
    long n = api_json_len(tr, "features");
    assert_true(n > 100);
    double pop = 0, within = 0, worst = -1, wlat = 0, wlon = 0;
    char wcode[20] = "";
    long places = 0;
    for (long i = 0; i < n; i++) {
        char p[64];
        snprintf(p, sizeof(p), "features.%ld.properties", i);
        struct json_object *pr = api_json_get(tr, p);
        if (strcmp(api_json_str(pr, "layer"), "place") != 0)
            continue;
        places++;
        double mins = api_json_num(pr, "minutes", -1);
        assert_true(mins >= 0); /* the generated network reaches every village */
        double pp = api_json_num(pr, "population", 0);
        pop += pp;
        if (api_json_bool(pr, "within_standard") == 1) {
            within += pp;
            assert_true(mins <= std);
        } else {
            assert_true(mins > std);
        }
        if (mins > worst) {
            worst = mins;
            snprintf(wcode, sizeof(wcode), "%s", api_json_str(pr, "code"));
            snprintf(p, sizeof(p), "features.%ld.geometry.coordinates.0", i);
            wlon = api_json_num(tr, p, 0);
            snprintf(p, sizeof(p), "features.%ld.geometry.coordinates.1", i);
            wlat = api_json_num(tr, p, 0);
        }
    }
    json_object_put(tr);
    assert_true(places > 100 && worst > 5);
    struct json_object *cov =
        api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL,
                   "/api/v1/access/coverage?type=township_health_centre&within=" API_COUNTY);
    assert_non_null(cov);
    assert_int_equal(api_json_int(cov, "places", 0), places);
    assert_float_equal(api_json_num(cov, "population", 0), pop, 0.5);
    assert_float_equal(api_json_num(cov, "population_within", 0), within, 0.5);
    assert_true(api_json_len(cov, "by_township") > 5);
    assert_string_equal(api_json_str(cov, "by_township.0.township"), API_TOWN);
    assert_string_equal(api_json_str(cov, "by_township.0.township_name"), "韩集镇");
    /* the gaps layer holds exactly the places out of reach */
    assert_int_equal(api_json_len(cov, "gaps.features"), api_json_len(cov, "out_of_reach"));
    assert_string_equal(api_json_str(cov, "gaps.type"), "FeatureCollection");
    /* no people registry in this build: vulnerable residents unknown */
    assert_true(api_json_is_null(cov, "vulnerable_beyond"));
    json_object_put(cov);
    /* a new township health centre at the slowest village */
    char body[256];
    snprintf(body, sizeof(body),
             "{\"type\":\"township_health_centre\",\"name\":\"新卫生院\","
             "\"location\":{\"lat\":%.6f,\"lon\":%.6f}}",
             wlat, wlon);
    struct json_object *f =
        api_expect(&srv, 201, "POST", T(COMMAND), NULL, body, "/api/v1/access/facilities");
    assert_non_null(f);
    json_object_put(f);
    tr = api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL,
                    "/api/v1/access/travel?type=township_health_centre&within=" API_COUNTY);
    bool seen = false;
    n = api_json_len(tr, "features");
    for (long i = 0; i < n; i++) {
        char p[64];
        snprintf(p, sizeof(p), "features.%ld.properties", i);
        struct json_object *pr = api_json_get(tr, p);
        const char *code = api_json_str(pr, "code");
        if (code && !strcmp(code, wcode)) {
            seen = true;
            assert_true(api_json_num(pr, "minutes", 99) < 1.0); /* at most a short walk */
        }
    }
    assert_true(seen);
    json_object_put(tr);
}

static void test_scores_and_sites(void **state)
{
    (void)state;
    struct json_object *sc = api_expect(&srv, 200, "GET", T(TOWNSHIP), NULL, NULL,
                                        "/api/v1/access/scores?type=primary_school&mode=foot");
    assert_non_null(sc);
    long n = api_json_len(sc, "places");
    assert_true(n > 3);
    bool positive = false;
    for (long i = 0; i < n; i++) {
        char p[64];
        snprintf(p, sizeof(p), "places.%ld.e2sfca", i);
        double v = api_json_num(sc, p, -1);
        assert_true(v >= 0);
        positive |= v > 0;
        /* a township sees only its own villages */
        snprintf(p, sizeof(p), "places.%ld.code", i);
        assert_memory_equal(api_json_str(sc, p), API_TOWN, 9);
    }
    assert_true(positive);
    json_object_put(sc);
    struct json_object *st =
        api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL,
                   "/api/v1/access/sites?type=elderly_care&within=" API_TOWN "&k=2&exact=true");
    assert_non_null(st);
    assert_int_equal(api_json_len(st, "features"), 2);
    assert_int_equal(api_json_bool(st, "xietong.glpk.heuristic_equals_optimum"), 1);
    assert_true(api_json_num(st, "xietong.population_within_after", -1) >=
                api_json_num(st, "xietong.population_within_before", 0));
    json_object_put(st);
    st = api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL,
                    "/api/v1/access/sites?type=elderly_care&within=" API_TOWN
                    "&k=2&objective=pmedian&exact=true");
    assert_non_null(st);
    assert_int_equal(api_json_bool(st, "xietong.glpk.heuristic_equals_optimum"), 1);
    assert_true(api_json_num(st, "xietong.mean_minutes_after", 1e9) <=
                api_json_num(st, "xietong.mean_minutes_before", 0));
    json_object_put(st);
    /* travel-time bands along the roads of the area */
    struct json_object *bd = api_expect(&srv, 200, "GET", T(TOWNSHIP), NULL, NULL,
                                        "/api/v1/access/bands?type=primary_school");
    assert_non_null(bd);
    long nb = api_json_len(bd, "features");
    assert_true(nb > 5);
    for (long i = 0; i < nb; i++) {
        char p[64];
        snprintf(p, sizeof(p), "features.%ld.geometry.type", i);
        assert_string_equal(api_json_str(bd, p), "LineString");
        snprintf(p, sizeof(p), "features.%ld.properties.minutes", i);
        double mins = api_json_num(bd, p, -1);
        snprintf(p, sizeof(p), "features.%ld.properties.band", i);
        const char *band = api_json_str(bd, p);
        assert_true(mins >= 0);
        assert_true(!strcmp(band, mins <= 15    ? "0-15"
                                  : mins <= 30  ? "15-30"
                                  : mins <= 60  ? "30-60"
                                  : mins <= 120 ? "60-120"
                                                : ">120"));
    }
    json_object_put(bd);
    /* a county department plans for its county */
    struct json_object *dc = api_expect(&srv, 200, "GET", T(DEPARTMENT), NULL, NULL,
                                        "/api/v1/access/coverage?type=primary_school");
    assert_non_null(dc);
    assert_true(api_json_int(dc, "places", 0) > 100);
    json_object_put(dc);
    /* refusals */
    assert_int_equal(status_of("GET", T(TOWNSHIP), NULL,
                               "/api/v1/access/travel?type=primary_school&within=" API_TOWN2,
                               "within"),
                     403);
    assert_int_equal(
        status_of("GET", T(COMMAND), NULL, "/api/v1/access/travel?type=school", "type"), 400);
    assert_int_equal(status_of("GET", T(COMMAND), NULL, "/api/v1/access/coverage?mode=car", "type"),
                     400);
    assert_int_equal(status_of("GET", T(COMMAND), NULL,
                               "/api/v1/access/travel?type=primary_school&mode=bike", "mode"),
                     400);
    assert_int_equal(
        status_of("GET", T(COMMAND), NULL, "/api/v1/access/sites?type=primary_school&k=0", "k"),
        400);
    assert_int_equal(
        status_of("GET", T(RESIDENT), NULL, "/api/v1/access/travel?type=primary_school", NULL),
        403);
}

/* Capacities: a limit on new sites and the demo's existing facilities
 * with one (elderly care: 30) are honoured, the heuristic still equals
 * GLPK, every proposed site reports the people assigned to it and whether
 * its capacity binds; existing_capacity=ignore gives the model without. */
static void test_sites_with_capacities(void **state)
{
    (void)state;
    struct json_object *u = api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL,
                                       "/api/v1/access/sites?type=elderly_care&within=" API_TOWN
                                       "&k=2&exact=true&existing_capacity=ignore");
    assert_non_null(u);
    assert_string_equal(api_json_str(u, "xietong.capacities"),
                        "none given: each place counts at its nearest open facility");
    double uncap = api_json_num(u, "xietong.population_within_after", -1);
    double lat = api_json_num(u, "features.0.geometry.coordinates.1", 0);
    double lon = api_json_num(u, "features.0.geometry.coordinates.0", 0);
    assert_true(api_json_is_null(u, "features.0.properties.capacity"));
    assert_int_equal(api_json_bool(u, "features.0.properties.capacity_binds"), 0);
    /* MCLP: what the new sites serve is what they newly bring within reach */
    assert_float_equal(api_json_num(u, "features.0.properties.population_assigned", -1) +
                           api_json_num(u, "features.1.properties.population_assigned", -1),
                       uncap - api_json_num(u, "xietong.population_within_before", -1), 1e-3);
    json_object_put(u);
    /* new sites take at most 100 people: fewer are newly within reach */
    struct json_object *c =
        api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL,
                   "/api/v1/access/sites?type=elderly_care&within=" API_TOWN
                   "&k=2&exact=true&candidate_capacity=100&existing_capacity=ignore");
    assert_non_null(c);
    assert_int_equal(api_json_bool(c, "xietong.capacities.modelled"), 1);
    assert_int_equal(api_json_int(c, "xietong.capacities.existing_with_capacity", -1), 0);
    assert_int_equal(api_json_bool(c, "xietong.glpk.heuristic_equals_optimum"), 1);
    double capped = api_json_num(c, "xietong.population_within_after", -1);
    double before = api_json_num(c, "xietong.population_within_before", -1);
    assert_true(capped <= uncap + 1e-6);
    assert_true(capped >= before);
    assert_int_equal(api_json_len(c, "features"), 2);
    double assigned = 0;
    for (int q = 0; q < 2; q++) {
        char p[80];
        snprintf(p, sizeof(p), "features.%d.properties.population_assigned", q);
        double a = api_json_num(c, p, -1);
        assert_true(a >= 0 && a <= 100 + 1e-6);
        assigned += a;
        snprintf(p, sizeof(p), "features.%d.properties.capacity", q);
        assert_float_equal(api_json_num(c, p, -1), 100, 1e-9);
    }
    assert_float_equal(capped - before, assigned, 1e-3);
    json_object_put(c);
    /* p-median with limits, proved by GLPK too */
    c = api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL,
                   "/api/v1/access/sites?type=elderly_care&within=" API_TOWN
                   "&k=2&objective=pmedian&exact=true&candidate_capacity=150");
    assert_non_null(c);
    assert_int_equal(api_json_bool(c, "xietong.glpk.heuristic_equals_optimum"), 1);
    assert_true(api_json_num(c, "features.0.properties.population_assigned", -1) <= 150 + 1e-6);
    json_object_put(c);
    /* the demo's existing elderly-care centres take 30 each; one more with
     * a capacity of 5 where the best site was */
    char body[256];
    snprintf(body, sizeof(body),
             "{\"type\":\"elderly_care\",\"name\":\"小养老点\",\"capacity\":5,"
             "\"location\":{\"lat\":%.6f,\"lon\":%.6f}}",
             lat, lon);
    struct json_object *f =
        api_expect(&srv, 201, "POST", T(COMMAND), NULL, body, "/api/v1/access/facilities");
    assert_non_null(f);
    int64_t id = api_json_int(f, "id", 0);
    json_object_put(f);
    c = api_expect(&srv, 200, "GET", T(COMMAND), NULL, NULL,
                   "/api/v1/access/sites?type=elderly_care&within=" API_TOWN "&k=2&exact=true");
    assert_non_null(c);
    assert_true(api_json_int(c, "xietong.capacities.existing_with_capacity", 0) >= 1);
    double ex_assigned = api_json_num(c, "xietong.capacities.existing_population_assigned", -1);
    assert_true(ex_assigned > 0);
    assert_true(ex_assigned <=
                30 * api_json_int(c, "xietong.capacities.existing_with_capacity", 0) + 1e-6);
    assert_int_equal(api_json_bool(c, "xietong.glpk.heuristic_equals_optimum"), 1);
    json_object_put(c);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/access/facilities/%lld", (long long)id);
    assert_int_equal(status_of("DELETE", T(COMMAND), NULL, path, NULL), 200);
    /* bad limits name their field */
    assert_int_equal(status_of("GET", T(COMMAND), NULL,
                               "/api/v1/access/sites?type=elderly_care&candidate_capacity=-3",
                               "candidate_capacity"),
                     400);
    assert_int_equal(status_of("GET", T(COMMAND), NULL,
                               "/api/v1/access/sites?type=elderly_care&candidate_capacity=lots",
                               "candidate_capacity"),
                     400);
    assert_int_equal(status_of("GET", T(COMMAND), NULL,
                               "/api/v1/access/sites?type=elderly_care&existing_capacity=maybe",
                               "existing_capacity"),
                     400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_facility_crud_and_roles),
        cmocka_unit_test(test_travel_coverage_and_new_facility),
        cmocka_unit_test(test_scores_and_sites),
        cmocka_unit_test(test_sites_with_capacities),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
