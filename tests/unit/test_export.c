/* test_export.c - tests for src/core/export.c and the GeoJSON writing of
 * src/core/geojson.c: ring orientation, closing, rounding, features. */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/export.h"
#include "core/geojson.h"

static struct json_object *normalise(const char *text)
{
    struct json_object *o = NULL;
    struct xt_error err;
    int rc = xt_geojson_polygon_normalise(text, &o, &err);
    if (rc)
        fprintf(stderr, "normalise: %s\n", err.message);
    assert_int_equal(rc, 0);
    return o;
}

static const char *plain(struct json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

static void test_exterior_ccw_holes_cw(void **state)
{
    (void)state;
    /* Exterior clockwise and a hole counter-clockwise: both reversed. */
    struct json_object *o =
        normalise("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[0,10],[10,10],[10,0],[0,0]],"
                  "[[2,2],[4,2],[4,4],[2,4],[2,2]]],\"crs\":{\"x\":1}}");
    assert_string_equal(plain(o), "{\"type\":\"Polygon\",\"coordinates\":"
                                  "[[[0,0],[10,0],[10,10],[0,10],[0,0]],"
                                  "[[2,2],[2,4],[4,4],[4,2],[2,2]]]}");
    struct json_object *coords = json_object_object_get(o, "coordinates");
    assert_true(xt_geojson_ring_area2(json_object_array_get_idx(coords, 0)) > 0);
    assert_true(xt_geojson_ring_area2(json_object_array_get_idx(coords, 1)) < 0);
    json_object_put(o);

    /* Already right: unchanged; an open ring is closed; rounding to 6 places. */
    o = normalise("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[103.1234567,35.1],"
                  "[103.2,35.1],[103.2,35.2]]],[[[1,1],[2,1],[2,2],[1,1]]]]}");
    assert_string_equal(plain(o), "{\"type\":\"MultiPolygon\",\"coordinates\":"
                                  "[[[[103.123457,35.1],[103.2,35.1],[103.2,35.2],"
                                  "[103.123457,35.1]]],[[[1,1],[2,1],[2,2],[1,1]]]]}");
    json_object_put(o);

    /* An open clockwise ring: closed and reversed. */
    o = normalise("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[0,1],[1,1],[1,0]]]}");
    assert_string_equal(plain(o), "{\"type\":\"Polygon\",\"coordinates\":"
                                  "[[[1,0],[1,1],[0,1],[0,0],[1,0]]]}");
    json_object_put(o);
}

static void test_bad_geometries(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"type\":\"Point\",\"coordinates\":[1,2]}",
        "{\"type\":\"Polygon\"}",
        "{\"type\":\"Polygon\",\"coordinates\":[]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,\"x\"],[1,1],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,95],[1,1],[0,0]]]}",
        "{\"type\":\"MultiPolygon\",\"coordinates\":[]}",
        "not json",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct json_object *o = (struct json_object *)1;
        struct xt_error err;
        assert_int_equal(xt_geojson_polygon_normalise(bad[i], &o, &err), XT_EINVAL);
        assert_null(o);
        assert_string_equal(err.field, "geometry");
    }
}

static const char *names(void *ctx, const char *code)
{
    (void)ctx;
    return strcmp(code, "622921100") == 0 ? "韩集镇" : NULL;
}

static void test_features(void **state)
{
    (void)state;
    struct xt_unit u = {.code = "622921100",
                        .parent = "622921",
                        .name = "韩集镇",
                        .level = XT_LEVEL_TOWNSHIP,
                        .has_point = true,
                        .lat = 35.5,
                        .lon = 102.9999999,
                        .population = 1200};
    struct json_object *f;
    assert_int_equal(xt_export_unit_feature(&u, NULL, &f, NULL), 0);
    assert_string_equal(plain(f),
                        "{\"type\":\"Feature\",\"id\":\"622921100\",\"geometry\":{\"type\":"
                        "\"Point\",\"coordinates\":[103,35.5]},\"properties\":{\"code\":"
                        "\"622921100\",\"name\":\"韩集镇\",\"level\":\"township\",\"kind\":null,"
                        "\"parent\":\"622921\",\"population\":1200,\"households\":null}}");
    json_object_put(f);
    u.has_point = false;
    assert_int_equal(xt_export_unit_feature(&u, NULL, &f, NULL), 0);
    assert_null(json_object_object_get(f, "geometry"));
    assert_true(json_object_object_get_ex(f, "geometry", NULL));
    json_object_put(f);
    struct xt_error err;
    assert_int_equal(xt_export_unit_feature(&u, "{\"type\":\"Polygon\"}", &f, &err), XT_EINVAL);
    assert_non_null(strstr(err.message, "622921100"));

    struct xt_ticket t;
    xt_ticket_init(&t);
    snprintf(t.number, sizeof(t.number), "20261126-00042");
    snprintf(t.handler, sizeof(t.handler), "622921100");
    t.state = XT_ST_SIGNED;
    t.has_point = true;
    t.lat = 35.49;
    t.lon = 102.99;
    t.text = strdup("我的电话 13800000000");
    snprintf(t.masked_phone, sizeof(t.masked_phone), "138****0000");
    struct xt_render_ctx rc = {names, NULL, NULL};
    f = xt_export_ticket_feature(&rc, &t, 0);
    struct json_object *p = json_object_object_get(f, "properties");
    assert_string_equal(json_object_get_string(json_object_object_get(f, "id")), "20261126-00042");
    assert_string_equal(json_object_get_string(json_object_object_get(p, "state")), "signed");
    assert_string_equal(json_object_get_string(json_object_object_get(p, "handler_name")),
                        "韩集镇");
    /* Neither the contact nor the text that may name people. */
    assert_null(strstr(plain(f), "138"));
    assert_null(strstr(plain(f), "contact"));
    assert_null(strstr(plain(f), "text"));
    json_object_put(f);
    xt_ticket_release(&t);
}

static void test_ticket_and_rates_rows(void **state)
{
    (void)state;
    int n;
    const struct xt_sheet_col *cols = xt_export_ticket_cols(XT_LANG_ZH, &n);
    assert_string_equal(cols[0].header, "工单号");
    cols = xt_export_ticket_cols(XT_LANG_EN, &n);
    assert_string_equal(cols[0].header, "Number");
    struct xt_sheet *s;
    assert_int_equal(xt_sheet_new(XT_SHEET_CSV, "t", cols, n, 0, &s, NULL), 0);
    struct xt_ticket t;
    xt_ticket_init(&t);
    snprintf(t.number, sizeof(t.number), "20261126-00042");
    t.text = strdup("=HYPERLINK(\"x\")");
    t.state = XT_ST_CLOSED;
    t.satisfaction = XT_SAT_BASIC;
    struct xt_render_ctx rc = {names, NULL, NULL};
    assert_int_equal(xt_export_ticket_row(s, &rc, &t, "张*", "138****0000", XT_LANG_EN, 0), 0);
    xt_ticket_release(&t);
    char *data;
    size_t len;
    assert_int_equal(xt_sheet_finish(s, &data, &len, NULL), 0);
    xt_sheet_free(s);
    assert_non_null(strstr(data, "\r\n20261126-00042,,"));
    assert_non_null(strstr(data, ",closed,"));
    assert_non_null(strstr(data, ",\"'=HYPERLINK(\"\"x\"\")\","));
    assert_non_null(strstr(data, ",basically,张*,138****0000\r\n"));
    free(data);

    cols = xt_export_rates_cols(XT_LANG_ZH, true, &n);
    assert_string_equal(cols[0].header, "名次");
    int m;
    const struct xt_sheet_col *plain_cols = xt_export_rates_cols(XT_LANG_ZH, false, &m);
    assert_int_equal(m, n - 1);
    assert_string_equal(plain_cols[0].header, "月份");
    assert_int_equal(xt_export_lang_parse("zh-CN"), XT_LANG_ZH);
    assert_int_equal(xt_export_lang_parse("en"), XT_LANG_EN);
    assert_int_equal(xt_export_lang_parse("fr"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exterior_ccw_holes_cw),
        cmocka_unit_test(test_bad_geometries),
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_ticket_and_rates_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
