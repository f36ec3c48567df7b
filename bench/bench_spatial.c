/* bench_spatial.c - lookups per second of xt_spatial on generated demo
 * geography: 8 synthetic counties sized from census-like figures through
 * gridplan (about 2,500 grids in all), 5,000,000 lookups of random points
 * inside the counties on one thread.
 *
 * Prints "spatial_lookups_per_sec <N>" for the grid index (what a request's
 * location resolves against), then the same with every level's polygon in
 * the index, and the counts behind both. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/demogeo.h"
#include "core/gridplan.h"
#include "core/spatial.h"

#define B_COUNTIES 8
#define B_MAX_TOWNSHIPS 16
#define B_MAX_VILLAGES 24
#define B_LOOKUPS 5000000
#define B_POINTS (1u << 20) /* query points, reused round-robin */
#define B_MAX_KM 5.0
#define B_PI 3.14159265358979323846
#define B_EARTH_KM 6371.0088

static uint64_t rng_state = 20201101; /* census reference day */

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double next_unit(void)
{
    return (double)(next_u64() >> 11) * 0x1.0p-53;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct b_county {
    char code[16];
    char tcode[B_MAX_TOWNSHIPS][16];
    char vcode[B_MAX_TOWNSHIPS][B_MAX_VILLAGES][16];
    struct xt_demogeo_village villages[B_MAX_TOWNSHIPS][B_MAX_VILLAGES];
    struct xt_demogeo_township townships[B_MAX_TOWNSHIPS];
    struct xt_demogeo_county county;
    struct xt_demogeo_unit *units;
    size_t nunits;
};

/* A county of western China in round figures: 8-13 townships of 6-17
 * villages; the first township is the seat's subdistrict and holds the
 * urban communities. */
static void plan_county(struct b_county *c, int k)
{
    snprintf(c->code, sizeof(c->code), "6229%02d", 21 + k);
    int nt = 8 + (int)(next_unit() * 6);
    int n_urban = 4 + (int)(next_unit() * 6), n_rural = 0;
    int nv[B_MAX_TOWNSHIPS];
    for (int t = 0; t < nt; t++) {
        nv[t] = t == 0 ? n_urban + 2 : 6 + (int)(next_unit() * 12);
        n_rural += t == 0 ? 2 : nv[t];
    }
    int64_t pop = 150000 + (int64_t)(next_unit() * 150000);
    double hs = 3.0 + 0.8 * next_unit();
    int64_t urban = (int64_t)((double)pop * (0.2 + 0.15 * next_unit()));
    int64_t urban_pop = 0, rural_pop = 0;
    xt_gridplan_county(pop, hs, urban, n_urban, n_rural, &urban_pop, &rural_pop);

    for (int t = 0; t < nt; t++) {
        snprintf(c->tcode[t], sizeof(c->tcode[t]), "%.6s%03d", c->code, (100 + t) % 1000);
        for (int v = 0; v < nv[t]; v++) {
            int is_urban = t == 0 && v < n_urban;
            snprintf(c->vcode[t][v], sizeof(c->vcode[t][v]), "%.9s%03d", c->tcode[t],
                     (is_urban ? 1 + v : 200 + v) % 1000);
            /* Villages differ in size around the county's average. */
            int64_t vpop =
                (int64_t)((double)(is_urban ? urban_pop : rural_pop) * (0.6 + 0.8 * next_unit()));
            int64_t hh = xt_gridplan_households(vpop, hs);
            c->villages[t][v].code = c->vcode[t][v];
            c->villages[t][v].grids =
                xt_gridplan_grids(hh, is_urban ? XT_KIND_URBAN : XT_KIND_RURAL);
        }
        c->townships[t].code = c->tcode[t];
        c->townships[t].villages = c->villages[t];
        c->townships[t].n_villages = (size_t)nv[t];
    }
    c->county.code = c->code;
    /* A 4 x 2 block of counties around 临夏, 120 km apart. */
    c->county.lat = 35.0 + 1.1 * (k / 4);
    c->county.lon = 102.0 + 1.3 * (k % 4);
    c->county.radius_km = 25 + 15 * next_unit();
    c->county.townships = c->townships;
    c->county.n_townships = (size_t)nt;
}

static double run(struct xt_spatial *s, const double *lat, const double *lon, size_t counts[3])
{
    char out[16];
    int how;
    counts[0] = counts[1] = counts[2] = 0;
    double t0 = now();
    for (uint32_t i = 0; i < B_LOOKUPS; i++) {
        uint32_t j = i & (B_POINTS - 1);
        int rc = xt_spatial_lookup(s, lat[j], lon[j], B_MAX_KM, out, &how);
        counts[rc == 0 ? how : 0]++;
    }
    double dt = now() - t0;
    return B_LOOKUPS / dt;
}

int main(void)
{
    static struct b_county counties[B_COUNTIES];
    size_t n_level[8] = {0};
    struct xt_spatial *grids = xt_spatial_new(), *all = xt_spatial_new();
    if (!grids || !all) {
        fprintf(stderr, "bench_spatial: out of memory\n");
        return 1;
    }
    double t_gen = now();
    for (int k = 0; k < B_COUNTIES; k++) {
        struct b_county *c = &counties[k];
        struct xt_error err;
        plan_county(c, k);
        int rc = xt_demogeo_generate(&c->county, 42 + (uint64_t)k, &c->units, &c->nunits, &err);
        if (rc) {
            fprintf(stderr, "bench_spatial: county %s: %s: %s\n", c->code, err.field, err.message);
            return 1;
        }
        for (size_t i = 0; i < c->nunits; i++) {
            const struct xt_demogeo_unit *u = &c->units[i];
            n_level[u->level]++;
            if (u->polygon_geojson &&
                xt_spatial_add_polygon(all, u->code, u->polygon_geojson, &err) != 0) {
                fprintf(stderr, "bench_spatial: %s: %s\n", u->code, err.message);
                return 1;
            }
            if (u->level != XT_LEVEL_GRID)
                continue;
            if (xt_spatial_add_polygon(grids, u->code, u->polygon_geojson, &err) != 0 ||
                xt_spatial_add_point(grids, u->code, u->lat, u->lon) != 0 ||
                xt_spatial_add_point(all, u->code, u->lat, u->lon) != 0) {
                fprintf(stderr, "bench_spatial: %s: %s\n", u->code, err.message);
                return 1;
            }
        }
    }
    t_gen = now() - t_gen;
    double t_build = now();
    if (xt_spatial_build(grids) || xt_spatial_build(all)) {
        fprintf(stderr, "bench_spatial: build failed\n");
        return 1;
    }
    t_build = now() - t_build;

    /* Query points uniform over the counties' disks, a county at a time. */
    double *lat = malloc(B_POINTS * sizeof(double)), *lon = malloc(B_POINTS * sizeof(double));
    if (!lat || !lon) {
        fprintf(stderr, "bench_spatial: out of memory\n");
        return 1;
    }
    for (uint32_t i = 0; i < B_POINTS; i++) {
        const struct xt_demogeo_county *c = &counties[next_u64() % B_COUNTIES].county;
        double r = c->radius_km * sqrt(next_unit()), th = 2 * B_PI * next_unit();
        lat[i] = c->lat + r * sin(th) / B_EARTH_KM * 180 / B_PI;
        lon[i] = c->lon + r * cos(th) / (B_EARTH_KM * cos(c->lat * B_PI / 180)) * 180 / B_PI;
    }

    size_t cg[3], ca[3];
    double rate_grids = run(grids, lat, lon, cg);
    double rate_all = run(all, lat, lon, ca);

    printf("counties %d townships %zu villages %zu grids %zu\n", B_COUNTIES,
           n_level[XT_LEVEL_TOWNSHIP], n_level[XT_LEVEL_VILLAGE], n_level[XT_LEVEL_GRID]);
    printf("generate_seconds %.3f build_seconds %.3f\n", t_gen, t_build);
    printf("grid_index polygons %zu points %zu lookups %d inside %zu nearest %zu notfound %zu\n",
           xt_spatial_polygon_count(grids), xt_spatial_point_count(grids), B_LOOKUPS, cg[1], cg[2],
           cg[0]);
    printf("all_levels_index polygons %zu points %zu lookups %d inside %zu nearest %zu "
           "notfound %zu\n",
           xt_spatial_polygon_count(all), xt_spatial_point_count(all), B_LOOKUPS, ca[1], ca[2],
           ca[0]);
    printf("spatial_lookups_per_sec %.0f\n", rate_grids);
    printf("spatial_lookups_per_sec_all_levels %.0f\n", rate_all);

    for (int k = 0; k < B_COUNTIES; k++)
        xt_demogeo_free(counties[k].units, counties[k].nunits);
    xt_spatial_free(grids);
    xt_spatial_free(all);
    free(lat);
    free(lon);
    return 0;
}
