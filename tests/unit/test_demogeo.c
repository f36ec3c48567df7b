/* test_demogeo.c - tests for src/core/demogeo.c and src/core/gridplan.c. */
#define GEOS_USE_ONLY_R_API
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/demogeo.h"
#include "core/gridplan.h"
#include "core/spatial.h"

#define T_TOWNSHIPS 6
#define T_MAX_VILLAGES 12

/* A county shaped like 临夏县: 6 townships of 1..12 villages, 1..9 grids. */
struct t_county {
    char tcode[T_TOWNSHIPS][16];
    char vcode[T_TOWNSHIPS][T_MAX_VILLAGES][16];
    struct xt_demogeo_village villages[T_TOWNSHIPS][T_MAX_VILLAGES];
    struct xt_demogeo_township townships[T_TOWNSHIPS];
    struct xt_demogeo_county county;
    size_t ngrids, nvillages;
};

static void make_county(struct t_county *c)
{
    static const int nv[T_TOWNSHIPS] = {12, 8, 1, 10, 5, 7};
    memset(c, 0, sizeof(*c));
    for (int t = 0; t < T_TOWNSHIPS; t++) {
        snprintf(c->tcode[t], 16, "622921%03d", (100 + t) % 1000);
        for (int v = 0; v < nv[t]; v++) {
            snprintf(c->vcode[t][v], 16, "%.9s%03d", c->tcode[t], (200 + v) % 1000);
            c->villages[t][v].code = c->vcode[t][v];
            c->villages[t][v].grids = 1 + (t * 7 + v * 3) % 9;
            c->ngrids += (size_t)c->villages[t][v].grids;
        }
        c->townships[t].code = c->tcode[t];
        c->townships[t].villages = c->villages[t];
        c->townships[t].n_villages = (size_t)nv[t];
        c->nvillages += (size_t)nv[t];
    }
    c->county.code = "622921";
    c->county.lat = 35.49;
    c->county.lon = 103.02;
    c->county.radius_km = 25;
    c->county.townships = c->townships;
    c->county.n_townships = T_TOWNSHIPS;
}

static void test_shape_and_codes(void **state)
{
    (void)state;
    struct t_county c;
    make_county(&c);
    struct xt_demogeo_unit *u = NULL;
    size_t n = 0;
    struct xt_error err;
    assert_int_equal(xt_demogeo_generate(&c.county, 7, &u, &n, &err), 0);
    assert_int_equal(n, 1 + T_TOWNSHIPS + c.nvillages + c.ngrids);
    assert_string_equal(u[0].code, "622921");
    assert_int_equal(u[0].level, XT_LEVEL_COUNTY);
    assert_string_equal(u[1].code, "622921100");
    assert_int_equal(u[1].level, XT_LEVEL_TOWNSHIP);
    assert_string_equal(u[2].code, "622921100200");
    assert_int_equal(u[2].level, XT_LEVEL_VILLAGE);
    assert_string_equal(u[3].code, "622921100200001");
    assert_int_equal(u[3].level, XT_LEVEL_GRID);
    /* Preorder: every unit's parent comes before it. */
    char parent[16] = "";
    for (size_t i = 1; i < n; i++) {
        assert_non_null(u[i].polygon_geojson);
        assert_int_equal(xt_unit_level_of_code(u[i].code), u[i].level);
        int found = 0;
        for (size_t j = i; j-- > 0;)
            if (u[j].level == u[i].level - 1) {
                assert_true(xt_unit_ancestor(u[i].code, u[j].level, parent));
                assert_string_equal(parent, u[j].code);
                found = 1;
                break;
            }
        assert_true(found);
    }
    /* The county's point is its seat. */
    assert_true(u[0].lat == 35.49 && u[0].lon == 103.02);
    xt_demogeo_free(u, n);
    xt_demogeo_free(NULL, 0);
}

static void test_deterministic(void **state)
{
    (void)state;
    struct t_county c;
    make_county(&c);
    struct xt_demogeo_unit *a = NULL, *b = NULL, *d = NULL;
    size_t na = 0, nb = 0, nd = 0;
    assert_int_equal(xt_demogeo_generate(&c.county, 7, &a, &na, NULL), 0);
    assert_int_equal(xt_demogeo_generate(&c.county, 7, &b, &nb, NULL), 0);
    assert_int_equal(xt_demogeo_generate(&c.county, 8, &d, &nd, NULL), 0);
    assert_int_equal(na, nb);
    assert_int_equal(na, nd);
    size_t differ = 0;
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(a[i].code, b[i].code);
        assert_true(a[i].lat == b[i].lat && a[i].lon == b[i].lon);
        assert_string_equal(a[i].polygon_geojson, b[i].polygon_geojson);
        if (a[i].lat != d[i].lat || a[i].lon != d[i].lon)
            differ++;
    }
    /* Another seed moves (nearly) everything but the seat. */
    assert_true(differ > na - 2);
    xt_demogeo_free(a, na);
    xt_demogeo_free(b, nb);
    xt_demogeo_free(d, nd);
}

static void test_points_resolve_to_own_grid(void **state)
{
    (void)state;
    struct t_county c;
    make_county(&c);
    struct xt_demogeo_unit *u = NULL;
    size_t n = 0;
    assert_int_equal(xt_demogeo_generate(&c.county, 2024, &u, &n, NULL), 0);
    struct xt_spatial *s = xt_spatial_new();
    assert_non_null(s);
    for (size_t i = 0; i < n; i++) {
        struct xt_error err;
        xt_error_clear(&err);
        int rc = xt_spatial_add_polygon(s, u[i].code, u[i].polygon_geojson, &err);
        if (rc)
            fail_msg("%s: %s", u[i].code, err.message);
    }
    assert_int_equal(xt_spatial_build(s), 0);
    for (size_t i = 0; i < n; i++) {
        char out[16];
        int how = 0;
        assert_int_equal(xt_spatial_lookup(s, u[i].lat, u[i].lon, 0, out, &how), 0);
        assert_int_equal(how, XT_SPATIAL_INSIDE);
        /* The smallest polygon holding a unit's point is a grid of that
         * unit: the grid itself, or one of the village's or township's. */
        if (xt_unit_level_of_code(out) != XT_LEVEL_GRID)
            fail_msg("point of %s (%.17g, %.17g) resolves to %s", u[i].code, u[i].lat, u[i].lon,
                     out);
        if (!xt_unit_within(out, u[i].code))
            fail_msg("point of %s resolves to %s", u[i].code, out);
    }
    xt_spatial_free(s);
    xt_demogeo_free(u, n);
}

static GEOSGeometry *read_geom(GEOSContextHandle_t h, GEOSGeoJSONReader *r, const char *text)
{
    GEOSGeometry *g = GEOSGeoJSONReader_readGeometry_r(h, r, text);
    assert_non_null(g);
    assert_int_equal(GEOSisValid_r(h, g), 1);
    return g;
}

static void test_cells_tile_the_region(void **state)
{
    (void)state;
    struct t_county c;
    make_county(&c);
    struct xt_demogeo_unit *u = NULL;
    size_t n = 0;
    assert_int_equal(xt_demogeo_generate(&c.county, 99, &u, &n, NULL), 0);
    GEOSContextHandle_t h = GEOS_init_r();
    GEOSGeoJSONReader *r = GEOSGeoJSONReader_create_r(h);
    GEOSGeometry **grids = calloc(c.ngrids, sizeof(*grids));
    assert_non_null(grids);
    double sum = 0, village_sum = 0, village_area = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (u[i].level == XT_LEVEL_TOWNSHIP || u[i].level == XT_LEVEL_VILLAGE) {
            /* The placement keeps villages and townships in one piece. */
            GEOSGeometry *p = read_geom(h, r, u[i].polygon_geojson);
            assert_int_equal(GEOSGeomTypeId_r(h, p), GEOS_POLYGON);
            assert_int_equal(GEOSGetNumInteriorRings_r(h, p), 0);
            GEOSGeom_destroy_r(h, p);
        }
        if (u[i].level == XT_LEVEL_VILLAGE) {
            if (village_area > 0)
                assert_true(fabs(village_sum - village_area) <= 1e-9 * village_area);
            GEOSGeometry *v = read_geom(h, r, u[i].polygon_geojson);
            assert_int_equal(GEOSArea_r(h, v, &village_area), 1);
            GEOSGeom_destroy_r(h, v);
            village_sum = 0;
        }
        if (u[i].level != XT_LEVEL_GRID)
            continue;
        grids[k] = read_geom(h, r, u[i].polygon_geojson);
        /* A cell of a Voronoi diagram clipped to a convex region is one
         * convex polygon. */
        assert_int_equal(GEOSGeomTypeId_r(h, grids[k]), GEOS_POLYGON);
        double a = 0;
        assert_int_equal(GEOSArea_r(h, grids[k], &a), 1);
        assert_true(a > 0);
        sum += a;
        village_sum += a;
        k++;
    }
    assert_true(fabs(village_sum - village_area) <= 1e-9 * village_area);
    assert_int_equal(k, c.ngrids);
    GEOSGeometry *all =
        GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, grids, (unsigned int)k);
    GEOSGeometry *un = GEOSUnaryUnion_r(h, all);
    assert_non_null(un);
    double union_area = 0, county_area = 0;
    assert_int_equal(GEOSArea_r(h, un, &union_area), 1);
    GEOSGeometry *county = read_geom(h, r, u[0].polygon_geojson);
    assert_int_equal(GEOSArea_r(h, county, &county_area), 1);
    /* No overlaps: the parts add up to the union. No gaps: the union is the
     * whole region, as one polygon without holes. */
    assert_true(fabs(sum - union_area) <= 1e-9 * union_area);
    assert_true(fabs(union_area - county_area) <= 1e-9 * county_area);
    assert_int_equal(GEOSGeomTypeId_r(h, un), GEOS_POLYGON);
    assert_int_equal(GEOSGetNumInteriorRings_r(h, un), 0);
    /* The region is a disk of 25 km: pi * 25^2 km^2 in square degrees. */
    double km2 = county_area * 111.195 * 111.195 * cos(35.49 * 3.14159265358979 / 180);
    assert_true(fabs(km2 - 3.14159265 * 625) < 0.01 * 3.14159265 * 625);

    GEOSGeom_destroy_r(h, county);
    GEOSGeom_destroy_r(h, un);
    GEOSGeom_destroy_r(h, all);
    free(grids);
    GEOSGeoJSONReader_destroy_r(h, r);
    GEOS_finish_r(h);
    xt_demogeo_free(u, n);
}

static void test_township_without_villages(void **state)
{
    (void)state;
    struct t_county c;
    make_county(&c);
    c.townships[4].n_villages = 0;
    struct xt_demogeo_unit *u = NULL;
    size_t n = 0;
    assert_int_equal(xt_demogeo_generate(&c.county, 1, &u, &n, NULL), 0);
    int seen = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(u[i].code, c.tcode[4]) == 0) {
            assert_null(u[i].polygon_geojson);
            assert_true(u[i].lat > 35 && u[i].lat < 36);
            seen = 1;
        }
    assert_true(seen);
    xt_demogeo_free(u, n);
}

static void expect_invalid(const struct xt_demogeo_county *county, const char *field)
{
    struct xt_demogeo_unit *u = (struct xt_demogeo_unit *)1;
    size_t n = 12345;
    struct xt_error err;
    xt_error_clear(&err);
    assert_int_equal(xt_demogeo_generate(county, 1, &u, &n, &err), XT_EINVAL);
    assert_string_equal(err.field, field);
    assert_true(u == (struct xt_demogeo_unit *)1);
    assert_int_equal(n, 12345);
}

static void test_invalid_input(void **state)
{
    (void)state;
    struct t_county c;
    make_county(&c);
    c.county.code = "62292";
    expect_invalid(&c.county, "county.code");
    make_county(&c);
    c.county.lat = NAN;
    expect_invalid(&c.county, "county.lat");
    make_county(&c);
    c.county.radius_km = 0;
    expect_invalid(&c.county, "county.radius_km");
    make_county(&c);
    c.county.lon = 179.9;
    expect_invalid(&c.county, "county.lon");
    make_county(&c);
    c.county.n_townships = 0;
    expect_invalid(&c.county, "county.townships");
    make_county(&c);
    c.townships[1].code = "623021101";
    expect_invalid(&c.county, "townships[1].code");
    make_county(&c);
    c.villages[3][2].code = "622921100201";
    expect_invalid(&c.county, "townships[3].villages[2].code");
    make_county(&c);
    c.villages[0][4].grids = 0;
    expect_invalid(&c.county, "townships[0].villages[4].grids");
    make_county(&c);
    c.villages[0][4].grids = 1000;
    expect_invalid(&c.county, "townships[0].villages[4].grids");
    make_county(&c);
    c.villages[0][5].code = c.vcode[0][1];
    expect_invalid(&c.county, "townships[0].villages[5].code");
    make_county(&c);
    c.townships[5].code = c.tcode[2];
    c.townships[5].n_villages = 0;
    expect_invalid(&c.county, "townships[5].code");
}

static void test_gridplan(void **state)
{
    (void)state;
    assert_int_equal(xt_gridplan_grids(0, XT_KIND_URBAN), 1);
    assert_int_equal(xt_gridplan_grids(-5, XT_KIND_RURAL), 1);
    assert_int_equal(xt_gridplan_grids(100, XT_KIND_URBAN), 1);
    assert_int_equal(xt_gridplan_grids(449, XT_KIND_URBAN), 1);
    assert_int_equal(xt_gridplan_grids(450, XT_KIND_URBAN), 2);
    assert_int_equal(xt_gridplan_grids(3000, XT_KIND_URBAN), 10);
    assert_int_equal(xt_gridplan_grids(299, XT_KIND_RURAL), 1);
    assert_int_equal(xt_gridplan_grids(300, XT_KIND_RURAL), 2);
    assert_int_equal(xt_gridplan_grids(1000, XT_KIND_RURAL), 5);
    assert_int_equal(xt_gridplan_grids(1000, XT_KIND_NONE), 5);
    assert_int_equal(xt_gridplan_grids(6150, XT_KIND_URBAN), 20);
    assert_int_equal(xt_gridplan_grids(INT64_MAX, XT_KIND_RURAL), 20);

    int64_t urban = -1, rural = -1;
    /* 300,000 people, 30% urban, 10 communities and 150 villages. */
    xt_gridplan_county(300000, 3.0, 90000, 10, 150, &urban, &rural);
    assert_int_equal(urban, 9000);
    assert_int_equal(rural, 1400);
    assert_int_equal(xt_gridplan_households(rural, 3.0), 467);
    assert_int_equal(xt_gridplan_grids(xt_gridplan_households(urban, 3.0), XT_KIND_URBAN), 10);
    assert_int_equal(xt_gridplan_grids(xt_gridplan_households(rural, 3.0), XT_KIND_RURAL), 2);
    /* Two communities cannot hold 90,000 people: each takes 20 grids x 300
     * households x 3 persons, the rest lives in the villages. */
    xt_gridplan_county(300000, 3.0, 90000, 2, 150, &urban, &rural);
    assert_int_equal(urban, 18000);
    assert_int_equal(rural, 1760);
    /* No communities: everyone in the villages. */
    xt_gridplan_county(300000, 3.0, 90000, 0, 150, &urban, &rural);
    assert_int_equal(urban, 0);
    assert_int_equal(rural, 2000);
    /* No villages: everyone in the communities, beyond the cap. */
    xt_gridplan_county(300000, 3.0, 90000, 2, 0, &urban, &rural);
    assert_int_equal(urban, 150000);
    assert_int_equal(rural, 0);
    /* Nonsense figures are clamped. */
    xt_gridplan_county(1000, NAN, 5000, 1, 1, &urban, &rural);
    assert_int_equal(urban, 1000);
    assert_int_equal(rural, 0);
    xt_gridplan_county(-1, 3.0, -1, -1, -1, &urban, &rural);
    assert_int_equal(urban, 0);
    assert_int_equal(rural, 0);
    xt_gridplan_county(1000, 3.0, 0, 1, 1, NULL, NULL);
    assert_int_equal(xt_gridplan_households(0, 3.0), 0);
    assert_int_equal(xt_gridplan_households(1, 3.0), 1);
    assert_int_equal(xt_gridplan_households(2620, 0), 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_and_codes),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_points_resolve_to_own_grid),
        cmocka_unit_test(test_cells_tile_the_region),
        cmocka_unit_test(test_township_without_villages),
        cmocka_unit_test(test_invalid_input),
        cmocka_unit_test(test_gridplan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
