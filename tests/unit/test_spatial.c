/* test_spatial.c - tests for src/core/spatial.c. */
#define GEOS_USE_ONLY_R_API
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <geos_c.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/spatial.h"
#include "lib/buf.h"

#define SQUARE(x0, y0, x1, y1)                                                                     \
    "[[" #x0 "," #y0 "],[" #x1 "," #y0 "],[" #x1 "," #y1 "],[" #x0 "," #y1 "],[" #x0 "," #y0 "]]"

static struct xt_spatial *built(void)
{
    struct xt_spatial *s = xt_spatial_new();
    assert_non_null(s);
    return s;
}

static void expect_at(struct xt_spatial *s, double lat, double lon, double max_km, const char *code,
                      int how)
{
    char out[16] = "";
    int got_how = 0;
    assert_int_equal(xt_spatial_lookup(s, lat, lon, max_km, out, &got_how), 0);
    assert_string_equal(out, code);
    assert_int_equal(got_how, how);
}

static void expect_none(struct xt_spatial *s, double lat, double lon, double max_km)
{
    char out[16] = "untouched";
    int how = 7;
    assert_int_equal(xt_spatial_lookup(s, lat, lon, max_km, out, &how), XT_ENOTFOUND);
    assert_string_equal(out, "untouched");
    assert_int_equal(how, 7);
}

static void test_inside_square(void **state)
{
    (void)state;
    struct xt_spatial *s = built();
    struct xt_error err;
    assert_int_equal(xt_spatial_add_polygon(
                         s, "622921101001001",
                         "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE(100, 30, 101, 31) "]}",
                         &err),
                     0);
    assert_int_equal(xt_spatial_build(s), 0);
    expect_at(s, 30.5, 100.5, 0, "622921101001001", XT_SPATIAL_INSIDE);
    expect_at(s, 30.999, 100.001, 0, "622921101001001", XT_SPATIAL_INSIDE);
    expect_none(s, 31.5, 100.5, 100);
    expect_none(s, 30.5, 99.9, 100);
    assert_int_equal(xt_spatial_polygon_count(s), 1);
    assert_int_equal(xt_spatial_point_count(s), 0);
    xt_spatial_free(s);
}

static void test_hole_is_outside(void **state)
{
    (void)state;
    struct xt_spatial *s = built();
    assert_int_equal(
        xt_spatial_add_polygon(s, "A",
                               "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE(
                                   100, 30, 101, 31) "," SQUARE(100.4, 30.4, 100.6, 30.6) "]}",
                               NULL),
        0);
    assert_int_equal(xt_spatial_build(s), 0);
    expect_none(s, 30.5, 100.5, 0);
    expect_at(s, 30.3, 100.5, 0, "A", XT_SPATIAL_INSIDE);
    expect_at(s, 30.5, 100.7, 0, "A", XT_SPATIAL_INSIDE);
    xt_spatial_free(s);
}

static void test_multipolygon_second_part(void **state)
{
    (void)state;
    struct xt_spatial *s = built();
    assert_int_equal(
        xt_spatial_add_polygon(s, "M",
                               "{\"type\":\"MultiPolygon\",\"coordinates\":[[" SQUARE(
                                   100, 30, 101, 31) "],[" SQUARE(102, 30, 103, 31) "]]}",
                               NULL),
        0);
    assert_int_equal(xt_spatial_build(s), 0);
    expect_at(s, 30.5, 102.5, 0, "M", XT_SPATIAL_INSIDE);
    expect_at(s, 30.5, 100.5, 0, "M", XT_SPATIAL_INSIDE);
    expect_none(s, 30.5, 101.5, 0);
    assert_int_equal(xt_spatial_polygon_count(s), 1);
    xt_spatial_free(s);
}

static void test_overlap_picks_smaller(void **state)
{
    (void)state;
    /* Both insertion orders, so the answer cannot come from the order. */
    for (int order = 0; order < 2; order++) {
        struct xt_spatial *s = built();
        const char *big = "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE(100, 30, 102, 32) "]}";
        const char *small =
            "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE(100.5, 30.5, 101, 31) "]}";
        if (order == 0) {
            assert_int_equal(xt_spatial_add_polygon(s, "BIG", big, NULL), 0);
            assert_int_equal(xt_spatial_add_polygon(s, "SMALL", small, NULL), 0);
        } else {
            assert_int_equal(xt_spatial_add_polygon(s, "SMALL", small, NULL), 0);
            assert_int_equal(xt_spatial_add_polygon(s, "BIG", big, NULL), 0);
        }
        assert_int_equal(xt_spatial_build(s), 0);
        expect_at(s, 30.7, 100.7, 0, "SMALL", XT_SPATIAL_INSIDE);
        expect_at(s, 31.5, 101.5, 0, "BIG", XT_SPATIAL_INSIDE);
        xt_spatial_free(s);
    }
    /* A village with a single grid shares its polygon: the grid (the
     * longer code) wins the tie, whatever the order. */
    for (int order = 0; order < 2; order++) {
        struct xt_spatial *s = built();
        const char *sq = "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE(100, 30, 101, 31) "]}";
        assert_int_equal(
            xt_spatial_add_polygon(s, order ? "622921100200" : "622921100200001", sq, NULL), 0);
        assert_int_equal(
            xt_spatial_add_polygon(s, order ? "622921100200001" : "622921100200", sq, NULL), 0);
        assert_int_equal(xt_spatial_build(s), 0);
        expect_at(s, 30.5, 100.5, 0, "622921100200001", XT_SPATIAL_INSIDE);
        xt_spatial_free(s);
    }
}

static void test_many_overlaps(void **state)
{
    (void)state;
    /* More overlapping boxes than the candidate list holds (32): forty
     * nested squares, added in a scrambled order. */
    struct xt_spatial *s = built();
    for (int i = 0; i < 40; i++) {
        int k = (i * 17) % 40;
        double h = 0.01 * (k + 1);
        char code[16], json[256];
        snprintf(code, sizeof(code), "N%02d", k);
        snprintf(json, sizeof(json),
                 "{\"type\":\"Polygon\",\"coordinates\":[[[%.2f,%.2f],[%.2f,%.2f],[%.2f,%.2f],"
                 "[%.2f,%.2f],[%.2f,%.2f]]]}",
                 100 - h, 30 - h, 100 + h, 30 - h, 100 + h, 30 + h, 100 - h, 30 + h, 100 - h,
                 30 - h);
        assert_int_equal(xt_spatial_add_polygon(s, code, json, NULL), 0);
    }
    assert_int_equal(xt_spatial_build(s), 0);
    expect_at(s, 30.001, 100.001, 0, "N00", XT_SPATIAL_INSIDE);
    expect_at(s, 30.0, 100.395, 0, "N39", XT_SPATIAL_INSIDE);
    expect_at(s, 30.0, 100.105, 0, "N10", XT_SPATIAL_INSIDE);
    xt_spatial_free(s);
}

static void test_nearest_point_fallback(void **state)
{
    (void)state;
    struct xt_spatial *s = built();
    assert_int_equal(
        xt_spatial_add_polygon(
            s, "SQ", "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE(100, 30, 101, 31) "]}", NULL),
        0);
    assert_int_equal(xt_spatial_add_point(s, "P1", 35.0, 105.0), 0);
    assert_int_equal(xt_spatial_add_point(s, "P2", 35.1, 105.0), 0);
    assert_int_equal(xt_spatial_add_point(s, "SQ", 30.5, 100.5), 0);
    assert_int_equal(xt_spatial_build(s), 0);
    assert_int_equal(xt_spatial_point_count(s), 3);

    /* The polygon wins over a nearer point. */
    expect_at(s, 30.9, 100.9, 50, "SQ", XT_SPATIAL_INSIDE);
    expect_at(s, 35.02, 105.0, 50, "P1", XT_SPATIAL_NEAREST);
    expect_at(s, 35.08, 105.0, 50, "P2", XT_SPATIAL_NEAREST);
    /* One degree of latitude is 111.19 km with R = 6371.0088 km. */
    expect_none(s, 36.1, 105.0, 111.0);
    expect_at(s, 36.1, 105.0, 111.4, "P2", XT_SPATIAL_NEAREST);
    /* East-west distances shrink with cos(lat): 1 degree at 35 N is 91.1 km. */
    expect_at(s, 35.0, 106.0, 91.3, "P1", XT_SPATIAL_NEAREST);
    expect_none(s, 35.0, 106.0, 90.9);
    /* how may be NULL. */
    char out[16];
    assert_int_equal(xt_spatial_lookup(s, 35.0, 105.0, 0, out, NULL), 0);
    assert_string_equal(out, "P1");
    xt_spatial_free(s);
}

static void test_bad_coordinates(void **state)
{
    (void)state;
    struct xt_spatial *s = built();
    assert_int_equal(xt_spatial_add_point(s, "P", 30, 100), 0);
    assert_int_equal(xt_spatial_add_point(s, "P", 91, 100), XT_EINVAL);
    assert_int_equal(xt_spatial_add_point(s, "P", 30, NAN), XT_EINVAL);
    assert_int_equal(xt_spatial_add_point(s, "", 30, 100), XT_EINVAL);
    assert_int_equal(xt_spatial_add_point(s, "1234567890123456", 30, 100), XT_EINVAL);
    assert_int_equal(xt_spatial_build(s), 0);
    char out[16];
    int how;
    assert_int_equal(xt_spatial_lookup(s, 90.5, 100, 10, out, &how), XT_EINVAL);
    assert_int_equal(xt_spatial_lookup(s, -90.5, 100, 10, out, &how), XT_EINVAL);
    assert_int_equal(xt_spatial_lookup(s, 30, 180.5, 10, out, &how), XT_EINVAL);
    assert_int_equal(xt_spatial_lookup(s, 30, -180.5, 10, out, &how), XT_EINVAL);
    assert_int_equal(xt_spatial_lookup(s, NAN, 100, 10, out, &how), XT_EINVAL);
    assert_int_equal(xt_spatial_lookup(s, 30, NAN, 10, out, &how), XT_EINVAL);
    assert_int_equal(xt_spatial_lookup(s, 30, 100, -1, out, &how), XT_EINVAL);
    assert_int_equal(xt_spatial_lookup(s, 30, 100, NAN, out, &how), XT_EINVAL);
    /* The edges of the ranges are valid. */
    assert_int_equal(xt_spatial_lookup(s, 90, 180, 10, out, &how), XT_ENOTFOUND);
    assert_int_equal(xt_spatial_lookup(s, -90, -180, 10, out, &how), XT_ENOTFOUND);
    xt_spatial_free(s);
}

/* Positions with fewer than two numbers crashed GEOS 3.11's GeoJSON reader
 * (found by tests/fuzz/fuzz_geojson): refused before GEOS sees them. */
static void test_short_positions(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"type\":\"Polygon\",\"coordinates\":[[[100,30],[],[101,31],[100,30]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[100,30],[101],[101,31],[100,30]]]}",
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[100,30],[\"a\",1],[101,31],[100,30]]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[100,30]]}",
        "{\"type\":\"Point\",\"coordinates\":[100]}",
    };
    struct xt_spatial *s = xt_spatial_new();
    assert_non_null(s);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct xt_error err;
        xt_error_clear(&err);
        int rc = xt_spatial_add_polygon(s, "X", bad[i], &err);
        if (rc != XT_EINVAL)
            print_message("%s: %d %s\n", bad[i], rc, err.message);
        assert_int_equal(rc, XT_EINVAL);
        assert_string_equal(err.field, "geometry");
    }
    /* The same rings with whole positions are taken. */
    struct xt_error err;
    xt_error_clear(&err);
    int rc = xt_spatial_add_polygon(
        s, "Z",
        "{\"type\":\"Polygon\",\"coordinates\":[[[100,30],[101,30],[101,31],[100,30]]]}",
        &err);
    if (rc)
        print_message("whole positions: %s\n", err.message);
    assert_int_equal(rc, 0);
    xt_spatial_free(s);
}


static void test_invalid_polygons(void **state)
{
    (void)state;
    struct xt_spatial *s = built();
    struct xt_error err;

    xt_error_clear(&err);
    assert_int_equal(xt_spatial_add_polygon(s, "BOWTIE",
                                            "{\"type\":\"Polygon\",\"coordinates\":[[[100,30],[101,"
                                            "31],[101,30],[100,31],[100,30]]]}",
                                            &err),
                     XT_EINVAL);
    assert_int_equal(err.code, XT_EINVAL);
    assert_string_equal(err.field, "geometry");
    assert_non_null(strstr(err.message, "BOWTIE"));
    assert_non_null(strstr(err.message, "Self-intersection"));

    xt_error_clear(&err);
    assert_int_equal(xt_spatial_add_polygon(s, "X", "{\"type\":\"Polygon\"", &err), XT_EINVAL);
    assert_string_equal(err.field, "geometry");
    assert_non_null(strstr(err.message, "not GeoJSON"));

    xt_error_clear(&err);
    assert_int_equal(
        xt_spatial_add_polygon(s, "X", "{\"type\":\"Point\",\"coordinates\":[100,30]}", &err),
        XT_EINVAL);
    assert_string_equal(err.field, "geometry");

    xt_error_clear(&err);
    assert_int_equal(
        xt_spatial_add_polygon(
            s, "X", "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE(30, 100, 31, 101) "]}", &err),
        XT_EINVAL);
    assert_string_equal(err.field, "geometry");
    assert_non_null(strstr(err.message, "latitude"));

    xt_error_clear(&err);
    assert_int_equal(
        xt_spatial_add_polygon(
            s, "", "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE(100, 30, 101, 31) "]}", &err),
        XT_EINVAL);
    assert_string_equal(err.field, "code");

    /* Nothing was added by the failures. */
    assert_int_equal(xt_spatial_polygon_count(s), 0);
    assert_int_equal(xt_spatial_build(s), 0);
    expect_none(s, 30.5, 100.5, 0);
    xt_spatial_free(s);
}

static void test_lifecycle(void **state)
{
    (void)state;
    xt_spatial_free(NULL);
    struct xt_spatial *s = built();
    char out[16];
    assert_int_equal(xt_spatial_lookup(s, 30, 100, 1, out, NULL), XT_ESTATE);
    assert_int_equal(xt_spatial_build(s), 0);
    assert_int_equal(xt_spatial_build(s), XT_ESTATE);
    expect_none(s, 30, 100, 1000);
    assert_int_equal(xt_spatial_add_point(s, "P", 30, 100), XT_ESTATE);
    struct xt_error err;
    assert_int_equal(
        xt_spatial_add_polygon(
            s, "A", "{\"type\":\"Polygon\",\"coordinates\":[" SQUARE(100, 30, 101, 31) "]}", &err),
        XT_ESTATE);
    xt_spatial_free(s);
}

/* ---- cross-check against a naive scan with GEOS ---- */

#define CC_POLYS 400
#define CC_POINTS 300
#define CC_QUERIES 10000
/* Under valgrind (XT_VALGRIND set by the memcheck tests) the brute-force
 * cross-check takes minutes; memcheck looks for memory errors, which a
 * fiftieth of the random points exercises just as well. */
static int cc_scale(void)
{
    const char *v = getenv("XT_VALGRIND");
    return v && *v ? 50 : 1;
}
#define CC_EARTH_KM 6371.0088
#define CC_PI 3.14159265358979323846

static uint64_t rng_state;

static double rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

/* A star-shaped ring (simple by construction) of n vertices around (cx,
 * cy), radii between rmin and rmax, closed. */
static void put_star(struct xt_buf *b, double cx, double cy, int n, double rmin, double rmax)
{
    xt_buf_putc(b, '[');
    double first_x = 0, first_y = 0;
    for (int i = 0; i < n; i++) {
        double th = 2 * CC_PI * (i + 0.8 * rnd()) / n;
        double r = rmin + (rmax - rmin) * rnd();
        double x = cx + r * cos(th), y = cy + r * sin(th);
        if (i == 0) {
            first_x = x;
            first_y = y;
        }
        xt_buf_printf(b, "%s[%.17g,%.17g]", i ? "," : "", x, y);
    }
    xt_buf_printf(b, ",[%.17g,%.17g]]", first_x, first_y);
}

/* A polygon with an optional hole; the hole's radius stays below the chord
 * distance of the outer ring (n >= 8 vertices at radius >= 0.5 r). */
static void put_polygon(struct xt_buf *b, double cx, double cy, double r, int n, int hole)
{
    xt_buf_putc(b, '[');
    put_star(b, cx, cy, n, 0.5 * r, r);
    if (hole) {
        xt_buf_putc(b, ',');
        put_star(b, cx, cy, 8 + (int)(rnd() * 20), 0.1 * r, 0.35 * r);
    }
    xt_buf_putc(b, ']');
}

struct cc_case {
    struct xt_spatial *s;
    double lat[CC_QUERIES], lon[CC_QUERIES];
    char want[CC_QUERIES][16];
    int want_how[CC_QUERIES];
};

static void *cc_thread(void *arg)
{
    struct cc_case *c = arg;
    size_t bad = 0;
    for (int i = 0; i < CC_QUERIES / cc_scale(); i++) {
        char out[16] = "";
        int how = 0;
        int rc = xt_spatial_lookup(c->s, c->lat[i], c->lon[i], 20.0, out, &how);
        if (c->want_how[i] == 0 ? rc != XT_ENOTFOUND
                                : (rc != 0 || how != c->want_how[i] || strcmp(out, c->want[i])))
            bad++;
    }
    return (void *)bad;
}

static void test_cross_check_naive_scan(void **state)
{
    (void)state;
    static struct cc_case c;
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSGeoJSONReader *reader = GEOSGeoJSONReader_create_r(h);
    static GEOSGeometry *geom[CC_POLYS];
    static double area[CC_POLYS], env[CC_POLYS][4];
    static char code[CC_POLYS][16];
    static double plat[CC_POINTS], plon[CC_POINTS];
    static char pcode[CC_POINTS][16];

    rng_state = 42;
    c.s = built();
    for (int k = 0; k < CC_POLYS; k++) {
        struct xt_buf b;
        xt_buf_init(&b, 0);
        double cx = 100 + 4 * rnd(), cy = 30 + 4 * rnd();
        double r = 0.05 + 0.3 * rnd();
        /* Mostly small rings, some big enough for the band index. */
        int n = k % 10 == 0 ? 300 + (int)(rnd() * 3000) : 8 + (int)(rnd() * 40);
        if (k % 7 == 3) {
            xt_buf_puts(&b, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
            put_polygon(&b, cx, cy, r, n, k % 2);
            xt_buf_putc(&b, ',');
            put_polygon(&b, cx + 2.5 * r, cy, r, 8 + (int)(rnd() * 40), 0);
            xt_buf_puts(&b, "]}");
        } else {
            xt_buf_puts(&b, "{\"type\":\"Polygon\",\"coordinates\":");
            put_polygon(&b, cx, cy, r, n, k % 3 == 0);
            xt_buf_puts(&b, "}");
        }
        snprintf(code[k], sizeof(code[k]), "U%04d", k);
        struct xt_error err;
        assert_int_equal(xt_spatial_add_polygon(c.s, code[k], b.data, &err), 0);
        geom[k] = GEOSGeoJSONReader_readGeometry_r(h, reader, b.data);
        assert_non_null(geom[k]);
        assert_int_equal(GEOSArea_r(h, geom[k], &area[k]), 1);
        assert_int_equal(
            GEOSGeom_getExtent_r(h, geom[k], &env[k][0], &env[k][1], &env[k][2], &env[k][3]), 1);
        xt_buf_release(&b);
    }
    for (int k = 0; k < CC_POINTS; k++) {
        plat[k] = 29 + 6 * rnd();
        plon[k] = 99 + 6 * rnd();
        snprintf(pcode[k], sizeof(pcode[k]), "P%04d", k);
        assert_int_equal(xt_spatial_add_point(c.s, pcode[k], plat[k], plon[k]), 0);
    }
    assert_int_equal(xt_spatial_build(c.s), 0);

    int inside = 0, nearest = 0, none = 0;
    for (int i = 0; i < CC_QUERIES / cc_scale(); i++) {
        double lat = 29 + 6 * rnd(), lon = 99 + 6 * rnd();
        c.lat[i] = lat;
        c.lon[i] = lon;
        int best = -1;
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, lon, lat);
        for (int k = 0; k < CC_POLYS; k++) {
            if (lon < env[k][0] || lat < env[k][1] || lon > env[k][2] || lat > env[k][3])
                continue;
            if (GEOSContains_r(h, geom[k], pt) != 1)
                continue;
            if (best < 0 || area[k] < area[best] ||
                (area[k] == area[best] && strcmp(code[k], code[best]) < 0))
                best = k;
        }
        GEOSGeom_destroy_r(h, pt);
        if (best >= 0) {
            snprintf(c.want[i], 16, "%s", code[best]);
            c.want_how[i] = XT_SPATIAL_INSIDE;
            inside++;
        } else {
            double kx = cos(lat * CC_PI / 180), best_d = INFINITY;
            for (int k = 0; k < CC_POINTS; k++) {
                double dy = (plat[k] - lat) * CC_PI / 180, dx = (plon[k] - lon) * CC_PI / 180 * kx;
                double d = CC_EARTH_KM * sqrt(dx * dx + dy * dy);
                if (d <= 20.0 && d < best_d) {
                    best_d = d;
                    best = k;
                }
            }
            if (best >= 0) {
                snprintf(c.want[i], 16, "%s", pcode[best]);
                c.want_how[i] = XT_SPATIAL_NEAREST;
                nearest++;
            } else {
                c.want_how[i] = 0;
                none++;
            }
        }
    }
    /* Every branch must have been exercised for the check to mean much. */
    assert_true(inside > 2000 / cc_scale());
    assert_true(nearest > 500 / cc_scale());
    assert_true(none > 100 / cc_scale());
    assert_int_equal((size_t)cc_thread(&c), 0);

    /* The same answers from four threads at once. */
    pthread_t th[4];
    for (int t = 0; t < 4; t++)
        assert_int_equal(pthread_create(&th[t], NULL, cc_thread, &c), 0);
    for (int t = 0; t < 4; t++) {
        void *bad = NULL;
        assert_int_equal(pthread_join(th[t], &bad), 0);
        assert_int_equal((size_t)bad, 0);
    }

    for (int k = 0; k < CC_POLYS; k++)
        GEOSGeom_destroy_r(h, geom[k]);
    GEOSGeoJSONReader_destroy_r(h, reader);
    GEOS_finish_r(h);
    xt_spatial_free(c.s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inside_square),
        cmocka_unit_test(test_hole_is_outside),
        cmocka_unit_test(test_multipolygon_second_part),
        cmocka_unit_test(test_overlap_picks_smaller),
        cmocka_unit_test(test_many_overlaps),
        cmocka_unit_test(test_nearest_point_fallback),
        cmocka_unit_test(test_bad_coordinates),
        cmocka_unit_test(test_invalid_polygons),
        cmocka_unit_test(test_short_positions),
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_cross_check_naive_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
