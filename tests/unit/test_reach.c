/* test_reach.c - tests for src/core/reach.c: travel times with walk-in,
 * pairs within a limit against the nearest search, and 2SFCA / E2SFCA on
 * a hand-computed fixture. */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/osmimport.h"
#include "core/reach.h"

#define LIE XT_SOURCE_DIR "/data/osm/liechtenstein-2013-08-03.osm.pbf"

/* Fixture (times in minutes):
 *   P1 (1000 people) - F1  5      F1 capacity 10
 *   P2 ( 500)        - F1 15      F2 capacity 5
 *   P3 (2000)        - F1 25
 *   P2               - F2  8
 *   P3               - F2 35 (beyond every catchment)
 * 2SFCA, 30 min: R1 = 10 / 3500, R2 = 5 / 500;
 *   A1 = R1 = 0.00285714, A2 = R1 + R2 = 0.01285714, A3 = R1.
 * E2SFCA (1 / 0.68 / 0.22 at 10 / 20 / 30 min):
 *   R1 = 10 / (1000 + 0.68 * 500 + 0.22 * 2000) = 10 / 1780, R2 = 5 / 500;
 *   A1 = R1 = 0.00561798, A2 = 0.68 R1 + R2 = 0.01382022,
 *   A3 = 0.22 R1 = 0.00123596. */
static void test_fca_fixture(void **state)
{
    (void)state;
    struct xt_point places[3] = {{0, 0, 1000}, {0, 0, 500}, {0, 0, 2000}};
    struct xt_point fac[2] = {{0, 0, 10}, {0, 0, 5}};
    struct xt_pair pairs[5] = {
        {0, 0, 5 * 600}, {1, 0, 15 * 600}, {2, 0, 25 * 600}, {1, 1, 8 * 600}, {2, 1, 35 * 600},
    };
    double a[3], r[2];
    struct xt_fca_bands b;
    xt_fca_bands_2sfca(&b, 30);
    assert_int_equal(xt_fca(pairs, 5, fac, 2, places, 3, &b, a, r), 0);
    assert_float_equal(r[0], 0.00285714, 1e-8);
    assert_float_equal(r[1], 0.01, 1e-12);
    assert_float_equal(a[0], 0.00285714, 1e-8);
    assert_float_equal(a[1], 0.01285714, 1e-8);
    assert_float_equal(a[2], 0.00285714, 1e-8);
    xt_fca_bands_e2sfca(&b);
    assert_int_equal(xt_fca(pairs, 5, fac, 2, places, 3, &b, a, r), 0);
    assert_float_equal(r[0], 0.00561798, 1e-8);
    assert_float_equal(a[0], 0.00561798, 1e-8);
    assert_float_equal(a[1], 0.01382022, 1e-8);
    assert_float_equal(a[2], 0.00123596, 1e-8);
    /* a facility nobody reaches gives nothing and divides by nothing */
    struct xt_pair lone[1] = {{0, 0, 40 * 600}};
    assert_int_equal(xt_fca(lone, 1, fac, 2, places, 3, &b, a, r), 0);
    assert_float_equal(r[0], 0, 0);
    assert_float_equal(a[0], 0, 0);
    /* a pair naming a facility that does not exist is refused */
    struct xt_pair bad[1] = {{0, 5, 60}};
    assert_int_equal(xt_fca(bad, 1, fac, 2, places, 3, &b, a, r), XT_EINVAL);
}

/* A straight road of five nodes 0.01 degree of latitude apart (1111.95 m),
 * secondary (40 km/h): 100.1 s per edge by car. */
static void line_network(struct xt_roadnet *net, const struct xt_speeds *sp)
{
    memset(net, 0, sizeof(*net));
    uint32_t id[5];
    for (int i = 0; i < 5; i++)
        assert_int_equal(xt_roadnet_add_node(net, 35.0 + 0.01 * i, 103.0, NAN, &id[i]), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(xt_roadnet_add_edge(net, sp, id[i], id[i + 1], XT_HW_secondary, 0, 1), 0);
}

static void test_nearest_with_walkin(void **state)
{
    (void)state;
    struct xt_speeds sp;
    xt_speeds_default(&sp);
    struct xt_roadnet net;
    line_network(&net, &sp);
    struct xt_reach r;
    assert_int_equal(xt_reach_init(&r, &net, &sp), 0);
    uint32_t edge = net.edges[0].cost[XT_MODE_CAR][0];
    assert_int_equal(edge, 1001);
    /* facilities at node 0 and node 4; a place at node 1, one at node 3 and
     * one 0.001 degree of longitude east of node 2 (91.1 m at 35 N, walked
     * at 3 km/h = 109.3 s) */
    struct xt_point fac[2] = {{35.0, 103.0, 1}, {35.04, 103.0, 1}};
    struct xt_point pl[3] = {{35.01, 103.0, 1}, {35.03, 103.0, 1}, {35.02, 103.001, 1}};
    uint32_t t[3], near[3];
    assert_int_equal(xt_reach_nearest(&r, XT_MODE_CAR, fac, 2, pl, 3, t, near), 0);
    assert_int_equal(t[0], edge);
    assert_int_equal(near[0], 0);
    assert_int_equal(t[1], edge);
    assert_int_equal(near[1], 1);
    double walk = xt_geo_dist_m(35.02, 103.001, 35.02, 103.0);
    assert_int_equal(t[2], 2 * edge + (uint32_t)floor(walk / (3.0 / 3.6) * 10 + 0.5));
    /* pairs within 150 s: each place with the facility one edge away */
    struct xt_pair *pairs;
    size_t n;
    assert_int_equal(xt_reach_pairs(&r, XT_MODE_CAR, fac, 2, pl, 3, 1500, &pairs, &n), 0);
    assert_int_equal(n, 2);
    free(pairs);
    xt_reach_release(&r);
    xt_roadnet_release(&net);
}

/* On a real extract, the smallest pair time of each place equals the
 * nearest-facility time from the one multi-source search. */
static void test_pairs_agree_with_nearest(void **state)
{
    (void)state;
    struct xt_speeds sp;
    xt_speeds_default(&sp);
    struct xt_roadnet net;
    struct xt_poi *pois;
    size_t np;
    struct xt_import_counts cnt;
    struct xt_error err = {0};
    assert_int_equal(xt_osm_import(LIE, &sp, NULL, &net, &pois, &np, &cnt, &err), 0);
    struct xt_point fac[64], pl[64];
    size_t nf = 0, npl = 0;
    for (size_t i = 0; i < np; i++) {
        struct xt_point p = {pois[i].lat, pois[i].lon, 1};
        if (pois[i].kind == XT_POI_FACILITY && nf < 64)
            fac[nf++] = p;
        else if (pois[i].kind == XT_POI_PLACE && npl < 64)
            pl[npl++] = p;
    }
    assert_true(nf >= 10 && npl >= 10);
    struct xt_reach r;
    assert_int_equal(xt_reach_init(&r, &net, &sp), 0);
    for (int mode = 0; mode < XT_MODE_N; mode++) {
        uint32_t t[64], near[64];
        assert_int_equal(xt_reach_nearest(&r, mode, fac, nf, pl, npl, t, near), 0);
        struct xt_pair *pairs;
        size_t n;
        assert_int_equal(xt_reach_pairs(&r, mode, fac, nf, pl, npl, XT_COST_NONE - 1, &pairs, &n),
                         0);
        uint32_t best[64];
        for (size_t i = 0; i < npl; i++)
            best[i] = XT_COST_NONE;
        for (size_t k = 0; k < n; k++)
            if (pairs[k].time < best[pairs[k].place])
                best[pairs[k].place] = pairs[k].time;
        size_t reached = 0;
        for (size_t i = 0; i < npl; i++) {
            assert_int_equal(best[i], t[i]);
            reached += t[i] != XT_COST_NONE;
        }
        assert_true(reached == npl);
        free(pairs);
    }
    xt_reach_release(&r);
    free(pois);
    xt_roadnet_release(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fca_fixture),
        cmocka_unit_test(test_nearest_with_walkin),
        cmocka_unit_test(test_pairs_agree_with_nearest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
