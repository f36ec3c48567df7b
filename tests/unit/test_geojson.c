/* test_geojson.c - tests for src/core/geojson.c. */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "core/geojson.h"

struct seen {
    int n;
    char code[8][32];
    char geometry[8][256];
    int has_point[8];
    double lat[8], lon[8];
    int fail_at; /* return XT_EEXIST on this call (1-based), 0 never */
};

static int collect(void *ctx, const char *code, const char *geometry_json, double *point_lat_lon,
                   struct xt_error *err)
{
    struct seen *s = ctx;
    if (s->n == s->fail_at - 1)
        return xt_error_set(err, XT_EEXIST, "code", "'%s' exists", code);
    assert_true(s->n < 8);
    snprintf(s->code[s->n], sizeof(s->code[0]), "%s", code);
    snprintf(s->geometry[s->n], sizeof(s->geometry[0]), "%s", geometry_json);
    s->has_point[s->n] = point_lat_lon != NULL;
    if (point_lat_lon) {
        s->lat[s->n] = point_lat_lon[0];
        s->lon[s->n] = point_lat_lon[1];
    }
    s->n++;
    return 0;
}

static const char *collection =
    "{\"type\":\"FeatureCollection\",\"features\":["
    /* 1: string code */
    "{\"type\":\"Feature\",\"properties\":{\"code\":\"622921101001\",\"name\":\"村\"},"
    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[103.1,35.5],[103.2,35.5],[103.2,"
    "35.6],[103.1,35.5]]]}},"
    /* 2: numeric adcode (DataV files) */
    "{\"type\":\"Feature\",\"properties\":{\"adcode\":622921,\"name\":\"临夏县\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[103.0,35.49]}},"
    /* 3: no code at all: skipped */
    "{\"type\":\"Feature\",\"properties\":{\"name\":\"无代码\"},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[103.0,35.49]}},"
    /* 4: code but null geometry: skipped */
    "{\"type\":\"Feature\",\"properties\":{\"code\":\"622921102\"},\"geometry\":null},"
    /* 5: empty code falls back to properties.id, written as a double */
    "{\"type\":\"Feature\",\"properties\":{\"code\":\"\",\"id\":6.22921101002e11},"
    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[103.05,35.51]}},"
    /* 6: the feature's own id */
    "{\"type\":\"Feature\",\"id\":\"622921101003\",\"properties\":null,"
    "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[]}},"
    /* 7: not a feature: skipped */
    "{\"type\":\"Point\",\"coordinates\":[1,2]},"
    /* 8: a Point without coordinates: skipped */
    "{\"type\":\"Feature\",\"properties\":{\"code\":\"622921101004\"},"
    "\"geometry\":{\"type\":\"Point\"}}"
    "]}";

static void test_codes_geometries_and_skips(void **state)
{
    (void)state;
    struct seen s;
    memset(&s, 0, sizeof(s));
    size_t skipped = 99;
    struct xt_error err;
    xt_error_clear(&err);
    assert_int_equal(
        xt_geojson_each_feature(collection, strlen(collection), collect, &s, &skipped, &err), 0);
    assert_int_equal(s.n, 4);
    assert_int_equal(skipped, 4);

    assert_string_equal(s.code[0], "622921101001");
    assert_int_equal(s.has_point[0], 0);
    /* The geometry comes back as JSON with the same content. */
    struct json_object *g = json_tokener_parse(s.geometry[0]);
    assert_non_null(g);
    struct json_object *type = NULL, *coords = NULL;
    assert_true(json_object_object_get_ex(g, "type", &type));
    assert_string_equal(json_object_get_string(type), "Polygon");
    assert_true(json_object_object_get_ex(g, "coordinates", &coords));
    struct json_object *first = json_object_array_get_idx(json_object_array_get_idx(coords, 0), 0);
    assert_true(json_object_get_double(json_object_array_get_idx(first, 0)) == 103.1);
    assert_true(json_object_get_double(json_object_array_get_idx(first, 1)) == 35.5);
    json_object_put(g);

    assert_string_equal(s.code[1], "622921");
    assert_int_equal(s.has_point[1], 1);
    assert_true(s.lat[1] == 35.49);
    assert_true(s.lon[1] == 103.0);

    assert_string_equal(s.code[2], "622921101002");
    assert_int_equal(s.has_point[2], 1);
    assert_true(s.lat[2] == 35.51);
    assert_true(s.lon[2] == 103.05);

    assert_string_equal(s.code[3], "622921101003");
    assert_int_equal(s.has_point[3], 0);
    assert_non_null(strstr(s.geometry[3], "MultiPolygon"));
}

static void test_callback_error_stops(void **state)
{
    (void)state;
    struct seen s;
    memset(&s, 0, sizeof(s));
    s.fail_at = 2;
    size_t skipped = 99;
    struct xt_error err;
    xt_error_clear(&err);
    assert_int_equal(
        xt_geojson_each_feature(collection, strlen(collection), collect, &s, &skipped, &err),
        XT_EEXIST);
    assert_int_equal(s.n, 1);
    assert_int_equal(skipped, 0);
    assert_string_equal(err.field, "code");
    assert_string_equal(err.message, "'622921' exists");
}

static void test_single_feature_and_length(void **state)
{
    (void)state;
    /* Only the first n bytes count; what follows is not read. */
    const char *text = "{\"type\":\"Feature\",\"properties\":{\"code\":123},"
                       "\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}} \n"
                       "garbage beyond n";
    size_t n = (size_t)(strstr(text, "garbage") - text);
    struct seen s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(xt_geojson_each_feature(text, n, collect, &s, NULL, NULL), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.code[0], "123");
    assert_true(s.lat[0] == 2.0 && s.lon[0] == 1.0);

    /* Within n, trailing text is an error and nothing is called. */
    memset(&s, 0, sizeof(s));
    struct xt_error err;
    assert_int_equal(xt_geojson_each_feature(text, strlen(text), collect, &s, NULL, &err),
                     XT_EINVAL);
    assert_string_equal(err.field, "geojson");
    assert_int_equal(s.n, 0);
}

static void test_bad_documents(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *field;
    } cases[] = {
        {"", "geojson"},
        {"{\"type\":\"FeatureCollection\",\"features\":[", "geojson"},
        {"not json", "geojson"},
        {"[1,2,3]", "geojson"},
        {"{\"type\":\"Polygon\",\"coordinates\":[]}", "geojson"},
        {"{\"type\":\"FeatureCollection\"}", "features"},
        {"{\"type\":\"FeatureCollection\",\"features\":{}}", "features"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct seen s;
        memset(&s, 0, sizeof(s));
        struct xt_error err;
        xt_error_clear(&err);
        size_t skipped = 99;
        assert_int_equal(xt_geojson_each_feature(cases[i].text, strlen(cases[i].text), collect, &s,
                                                 &skipped, &err),
                         XT_EINVAL);
        assert_string_equal(err.field, cases[i].field);
        assert_int_equal(s.n, 0);
        assert_int_equal(skipped, 0);
    }
    struct seen s;
    memset(&s, 0, sizeof(s));
    const char *empty = "{\"type\":\"FeatureCollection\",\"features\":[]}";
    assert_int_equal(xt_geojson_each_feature(empty, strlen(empty), collect, &s, NULL, NULL), 0);
    assert_int_equal(s.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes_geometries_and_skips),
        cmocka_unit_test(test_callback_error_stops),
        cmocka_unit_test(test_single_feature_and_length),
        cmocka_unit_test(test_bad_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
