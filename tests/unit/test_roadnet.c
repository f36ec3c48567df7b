/* test_roadnet.c - tests for src/core/roadnet.c and src/core/osmimport.c:
 * OSM import on real extracts, hand-checked path costs, a second (O(V^2))
 * Dijkstra as reference, the binary file, the edge CSV, the elevation tile
 * and the refusal of truncated and garbage files. */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/facility.h"
#include "core/osmimport.h"
#include "core/roadnet.h"

#define TINY XT_SOURCE_DIR "/data/osm/osmnx_test_planet_10.068_48.135_10.071_48.137.osm"
#define LIE XT_SOURCE_DIR "/data/osm/liechtenstein-2013-08-03.osm.pbf"
#define SHARED XT_SOURCE_DIR "/../shared/data/osm"

static struct xt_speeds speeds;

static int setup(void **state)
{
    (void)state;
    xt_speeds_default(&speeds);
    return 0;
}

static void import(const char *path, struct xt_roadnet *net, struct xt_poi **pois, size_t *np,
                   struct xt_import_counts *cnt)
{
    struct xt_error err = {0};
    int rc = xt_osm_import(path, &speeds, NULL, net, pois, np, cnt, &err);
    if (rc)
        fprintf(stderr, "import %s: %s\n", path, err.message);
    assert_int_equal(rc, 0);
}

/* The node at exactly these coordinates (OSM node positions). */
static uint32_t node_at(const struct xt_roadnet *net, double lat, double lon)
{
    for (size_t i = 0; i < net->n_nodes; i++)
        if (fabs(net->lat[i] - lat) < 1e-9 && fabs(net->lon[i] - lon) < 1e-9)
            return (uint32_t)i;
    fail_msg("no node at %f,%f", lat, lon);
    return 0;
}

static uint32_t sp_cost(const struct xt_roadnet *net, int mode, uint32_t from, uint32_t to)
{
    struct xt_graph g;
    struct xt_sp sp;
    assert_int_equal(xt_graph_build(net, mode, false, &g), 0);
    assert_int_equal(xt_sp_init(&sp, g.n), 0);
    struct xt_source s = {from, 0, 7};
    xt_sp_run(&sp, &g, &s, 1, XT_COST_NONE - 1);
    uint32_t d = sp.dist[to];
    if (d != XT_COST_NONE)
        assert_int_equal(sp.origin[to], 7);
    xt_sp_release(&sp);
    xt_graph_release(&g);
    return d;
}

/* Hand-checked costs on the tiny real file (Germany, 281 nodes). Every way
 * there is residential, track or service, no one-way and no elevation, so
 * a path costs the sum over its segments of round(10 * haversine length /
 * speed): residential 20 km/h by car, 4.5 km/h on foot. The figures below
 * were worked out segment by segment from the node coordinates in the
 * file (way 25216931 from node 7119017425, 48.135072 10.0708028, to node
 * 274969423, 48.1360495 10.0704523: nine nodes, 112.6 m, 20.3 s by car,
 * 90.4 s on foot; on to node 274969431 through way 25216933). */
static void test_tiny_hand_checked(void **state)
{
    (void)state;
    struct xt_roadnet net;
    struct xt_poi *pois;
    size_t np;
    struct xt_import_counts cnt;
    import(TINY, &net, &pois, &np, &cnt);
    assert_int_equal(cnt.nodes, 40);
    assert_int_equal(cnt.edges, 36);
    uint32_t a = node_at(&net, 48.135072, 10.0708028);
    uint32_t b = node_at(&net, 48.1360495, 10.0704523);
    uint32_t c = node_at(&net, 48.1357951, 10.0697323);
    uint32_t far = node_at(&net, 48.135273, 10.0682089);
    assert_int_equal(sp_cost(&net, XT_MODE_CAR, a, b), 203);
    assert_int_equal(sp_cost(&net, XT_MODE_FOOT, a, b), 904);
    assert_int_equal(sp_cost(&net, XT_MODE_CAR, a, c), 284);
    assert_int_equal(sp_cost(&net, XT_MODE_FOOT, a, c), 1261);
    assert_int_equal(sp_cost(&net, XT_MODE_CAR, b, a), 203);
    /* a track clipped off from the rest: out of reach, not zero */
    assert_int_equal(sp_cost(&net, XT_MODE_CAR, a, far), XT_COST_NONE);
    free(pois);
    xt_roadnet_release(&net);
}

/* A second, deliberately simple Dijkstra: O(V^2) selection over adjacency
 * lists built here from the edge list (not from the CSR under test). It
 * stops once the nearest unsettled node is beyond limit (so that it runs in
 * seconds in the sanitiser build); dist is exact up to limit. */
static void naive_dijkstra(const struct xt_roadnet *net, int mode, uint32_t src, uint32_t *dist,
                           uint32_t limit)
{
    size_t n = net->n_nodes, m = net->n_edges;
    int64_t *head = malloc(n * sizeof(*head));
    int64_t *next = malloc(2 * m * sizeof(*next));
    uint32_t *to = malloc(2 * m * sizeof(*to)), *w = malloc(2 * m * sizeof(*w));
    char *done = calloc(n, 1);
    assert_true(head && next && to && w && done);
    for (size_t v = 0; v < n; v++)
        head[v] = -1;
    size_t k = 0;
    for (size_t e = 0; e < m; e++) {
        const struct xt_road_edge *ed = &net->edges[e];
        if (ed->cost[mode][0] != XT_COST_NONE) {
            to[k] = ed->v;
            w[k] = ed->cost[mode][0];
            next[k] = head[ed->u];
            head[ed->u] = (int64_t)k++;
        }
        if (ed->cost[mode][1] != XT_COST_NONE) {
            to[k] = ed->u;
            w[k] = ed->cost[mode][1];
            next[k] = head[ed->v];
            head[ed->v] = (int64_t)k++;
        }
    }
    for (size_t v = 0; v < n; v++)
        dist[v] = XT_COST_NONE;
    dist[src] = 0;
    for (;;) {
        size_t u = n;
        for (size_t v = 0; v < n; v++)
            if (!done[v] && dist[v] != XT_COST_NONE && (u == n || dist[v] < dist[u]))
                u = v;
        if (u == n || dist[u] > limit)
            break;
        done[u] = 1;
        for (int64_t q = head[u]; q >= 0; q = next[q])
            if (dist[u] + w[q] < dist[to[q]])
                dist[to[q]] = dist[u] + w[q];
    }
    free(head);
    free(next);
    free(to);
    free(w);
    free(done);
}

static void test_liechtenstein_against_naive(void **state)
{
    (void)state;
    struct xt_roadnet net;
    struct xt_poi *pois;
    size_t np;
    struct xt_import_counts cnt;
    import(LIE, &net, &pois, &np, &cnt);
    assert_true(cnt.nodes > 20000);
    assert_true(cnt.places >= 14);
    int schools = 0;
    for (size_t i = 0; i < np; i++)
        schools += pois[i].kind == XT_POI_FACILITY &&
                   (pois[i].type == XT_FT_primary_school || pois[i].type == XT_FT_secondary_school);
    assert_true(schools >= 16);
    uint32_t *ref = malloc(net.n_nodes * sizeof(uint32_t));
    assert_non_null(ref);
    struct xt_graph g;
    struct xt_sp sp;
    for (int mode = 0; mode < XT_MODE_N; mode++) {
        assert_int_equal(xt_graph_build(&net, mode, false, &g), 0);
        assert_int_equal(xt_sp_init(&sp, g.n), 0);
        /* a source with arcs: the first edge usable by the mode */
        uint32_t src = UINT32_MAX;
        for (size_t e = 0; e < net.n_edges && src == UINT32_MAX; e++)
            if (net.edges[e].cost[mode][0] != XT_COST_NONE && net.edges[e].cls <= XT_HW_tertiary)
                src = net.edges[e].u;
        assert_true(src != UINT32_MAX);
        /* 13 minutes by car, 60 on foot: thousands of nodes either way */
        const uint32_t limit = mode == XT_MODE_CAR ? 7800 : 36000;
        naive_dijkstra(&net, mode, src, ref, limit);
        struct xt_source s = {src, 0, 0};
        xt_sp_run(&sp, &g, &s, 1, XT_COST_NONE - 1);
        size_t reached = 0, beyond = 0;
        for (size_t v = 0; v < net.n_nodes; v++) {
            if (ref[v] <= limit) {
                assert_int_equal(sp.dist[v], ref[v]);
                reached++;
            } else {
                /* not settled by the reference: ours must be beyond too */
                assert_true(sp.dist[v] > limit);
                beyond += sp.dist[v] != XT_COST_NONE;
            }
        }
        print_message("mode %d: %zu nodes within %u, %zu reached beyond\n", mode, reached, limit,
                      beyond);
        assert_true(reached > 2000);
        assert_true(beyond > 2000);
        /* a bounded run reaches exactly the nodes within the bound */
        xt_sp_run(&sp, &g, &s, 1, limit);
        for (size_t v = 0; v < net.n_nodes; v++)
            assert_int_equal(sp.dist[v], ref[v] <= limit ? ref[v] : XT_COST_NONE);
        xt_sp_release(&sp);
        xt_graph_release(&g);
    }
    /* one-way streets: the car graph is not symmetric somewhere */
    size_t oneway = 0;
    for (size_t e = 0; e < net.n_edges; e++)
        oneway += (net.edges[e].cost[XT_MODE_CAR][0] == XT_COST_NONE) !=
                  (net.edges[e].cost[XT_MODE_CAR][1] == XT_COST_NONE);
    assert_true(oneway > 0);
    free(ref);
    free(pois);
    xt_roadnet_release(&net);
}

static void test_binary_roundtrip_and_damage(void **state)
{
    (void)state;
    struct xt_roadnet net, back;
    struct xt_poi *pois;
    size_t np;
    struct xt_import_counts cnt;
    struct xt_error err = {0};
    import(LIE, &net, &pois, &np, &cnt);
    char path[] = "/tmp/xt_roadnet_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(xt_roadnet_save(&net, path, &err), 0);
    assert_int_equal(xt_roadnet_load(&back, path, &err), 0);
    assert_int_equal(back.n_nodes, net.n_nodes);
    assert_int_equal(back.n_edges, net.n_edges);
    assert_memory_equal(back.lat, net.lat, net.n_nodes * sizeof(double));
    assert_memory_equal(back.edges, net.edges, net.n_edges * sizeof(*net.edges));
    xt_roadnet_release(&back);
    /* cut the file short: refused with a message, nothing returned */
    assert_int_equal(truncate(path, 1000), 0);
    assert_int_equal(xt_roadnet_load(&back, path, &err), XT_EINVAL);
    assert_non_null(strstr(err.message, "truncated"));
    assert_null(back.edges);
    unlink(path);
    free(pois);
    xt_roadnet_release(&net);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    fclose(fp);
}

static void test_bad_osm_files(void **state)
{
    (void)state;
    struct xt_roadnet net;
    struct xt_poi *pois;
    size_t np;
    struct xt_import_counts cnt;
    struct xt_error err = {0};
    /* a real PBF cut in the middle of a block */
    FILE *fp = fopen(LIE, "rb");
    assert_non_null(fp);
    static char buf[300000];
    size_t got = fread(buf, 1, sizeof(buf), fp);
    fclose(fp);
    assert_int_equal(got, sizeof(buf));
    write_file("/tmp/xt_test_truncated.osm.pbf", buf, sizeof(buf));
    assert_int_equal(xt_osm_import("/tmp/xt_test_truncated.osm.pbf", &speeds, NULL, &net, &pois,
                                   &np, &cnt, &err),
                     XT_EINVAL);
    assert_non_null(strstr(err.message, "xt_test_truncated"));
    assert_null(pois);
    assert_int_equal(net.n_nodes, 0);
    /* garbage with the right name */
    for (size_t i = 0; i < 5000; i++)
        buf[i] = (char)(i * 7919 % 251);
    write_file("/tmp/xt_test_garbage.osm.pbf", buf, 5000);
    assert_int_equal(
        xt_osm_import("/tmp/xt_test_garbage.osm.pbf", &speeds, NULL, &net, &pois, &np, &cnt, &err),
        XT_EINVAL);
    /* (Broken XML is refused too, but readosm 1.1 then leaks its expat
     * parser, which the leak checker of the sanitiser build would report.) */
    /* wrong suffix, missing file */
    assert_int_equal(
        xt_osm_import(XT_SOURCE_DIR "/CMakeLists.txt", &speeds, NULL, &net, &pois, &np, &cnt, &err),
        XT_EINVAL);
    assert_non_null(strstr(err.message, ".osm or .pbf"));
    assert_int_equal(
        xt_osm_import("/tmp/no/such.osm.pbf", &speeds, NULL, &net, &pois, &np, &cnt, &err),
        XT_ENOTFOUND);
    unlink("/tmp/xt_test_truncated.osm.pbf");
    unlink("/tmp/xt_test_garbage.osm.pbf");
}

static int import_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (!(len > 4 && strcmp(de->d_name + len - 4, ".osm") == 0) &&
            !(len > 8 && strcmp(de->d_name + len - 8, ".osm.pbf") == 0))
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        struct xt_roadnet net;
        struct xt_poi *pois;
        size_t np;
        struct xt_import_counts cnt;
        import(path, &net, &pois, &np, &cnt);
        assert_true(cnt.nodes > 0);
        assert_true(cnt.edges > 0);
        struct xt_graph g;
        assert_int_equal(xt_graph_build(&net, XT_MODE_CAR, true, &g), 0);
        assert_int_equal(g.first[g.n], g.m);
        xt_graph_release(&g);
        free(pois);
        xt_roadnet_release(&net);
        n++;
    }
    closedir(d);
    return n;
}

/* Every extract imports: the copies in data/osm always, and the shared
 * directory as well where this checkout has it beside it. */
static void test_import_every_extract(void **state)
{
    (void)state;
    assert_int_equal(import_dir(XT_SOURCE_DIR "/data/osm"), 2);
    int shared = import_dir(SHARED);
    if (shared >= 0)
        assert_true(shared >= 5);
}

static void test_edge_csv(void **state)
{
    (void)state;
    const char *csv = "source,target,source_lat,source_lon,target_lat,target_lon,highway,"
                      "length_m,oneway\n"
                      "a,b,35.0,103.0,35.0,103.01,secondary,2000,no\n"
                      "b,c,35.0,103.01,35.01,103.01,track,,yes\n";
    write_file("/tmp/xt_test_edges.csv", csv, strlen(csv));
    struct xt_roadnet net;
    struct xt_import_counts cnt;
    struct xt_error err = {0};
    assert_int_equal(xt_roadnet_import_edges(&net, &speeds, "/tmp/xt_test_edges.csv", &cnt, &err),
                     0);
    assert_int_equal(net.n_nodes, 3);
    assert_int_equal(net.n_edges, 2);
    /* 2 km at 40 km/h = 180 s, both ways */
    assert_int_equal(net.edges[0].cost[XT_MODE_CAR][0], 1800);
    assert_int_equal(net.edges[0].cost[XT_MODE_CAR][1], 1800);
    assert_float_equal(net.edges[0].length_m, 2000, 0.01);
    /* 0.01 degree of latitude = 1111.95 m at 10 km/h = 400.3 s, one way */
    assert_int_equal(net.edges[1].cost[XT_MODE_CAR][0], 4003);
    assert_int_equal(net.edges[1].cost[XT_MODE_CAR][1], XT_COST_NONE);
    assert_int_equal(net.edges[1].cost[XT_MODE_FOOT][1], 8896); /* 4.5 km/h */
    xt_roadnet_release(&net);
    const char *bad = "source,target,source_lat,source_lon,target_lat,target_lon,highway\n"
                      "a,b,95.0,103.0,35.0,103.01,secondary\n";
    write_file("/tmp/xt_test_edges.csv", bad, strlen(bad));
    assert_int_equal(xt_roadnet_import_edges(&net, &speeds, "/tmp/xt_test_edges.csv", &cnt, &err),
                     XT_EINVAL);
    assert_non_null(strstr(err.message, "line 2"));
    assert_null(net.edges);
    unlink("/tmp/xt_test_edges.csv");
}

/* A synthetic SRTM tile whose heights form a plane h = 2 * row + col
 * metres: bilinear sampling must return the plane exactly. */
static void test_dem_and_slope(void **state)
{
    (void)state;
    size_t n = 1201;
    uint8_t *raw = malloc(n * n * 2);
    assert_non_null(raw);
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < n; c++) {
            uint16_t h = (uint16_t)(2 * r + c);
            raw[2 * (r * n + c)] = (uint8_t)(h >> 8);
            raw[2 * (r * n + c) + 1] = (uint8_t)h;
        }
    assert_int_equal(mkdir("/tmp/xt_test_dem", 0700) == 0 || access("/tmp/xt_test_dem", F_OK) == 0,
                     1);
    write_file("/tmp/xt_test_dem/N35E103.hgt", raw, n * n * 2);
    free(raw);
    struct xt_dem dem;
    struct xt_error err = {0};
    assert_int_equal(xt_dem_load(&dem, "/tmp/xt_test_dem/N35E103.hgt", &err), 0);
    /* row = (36 - lat) * 1200, col = (lon - 103) * 1200 */
    double lat = 35.5 + 0.3 / 1200, lon = 103.25 + 0.7 / 1200;
    double row = (36 - lat) * 1200, col = (lon - 103) * 1200;
    assert_float_equal(xt_dem_height(&dem, lat, lon), 2 * row + col, 1e-6);
    assert_true(isnan(xt_dem_height(&dem, 34.9, 103.5)));
    xt_dem_release(&dem);
    assert_int_equal(xt_dem_load(&dem, "/tmp/xt_test_dem/N35E103.hgt.bad", &err), XT_ENOTFOUND);
    unlink("/tmp/xt_test_dem/N35E103.hgt");
    rmdir("/tmp/xt_test_dem");
    /* Tobler: fastest on a 5 % descent, slower uphill than downhill */
    uint32_t flat = xt_road_cost(&speeds, XT_HW_track, XT_MODE_FOOT, 1000, 0);
    uint32_t up = xt_road_cost(&speeds, XT_HW_track, XT_MODE_FOOT, 1000, 0.15);
    uint32_t down = xt_road_cost(&speeds, XT_HW_track, XT_MODE_FOOT, 1000, -0.05);
    assert_int_equal(flat, 8000); /* 1 km at 4.5 km/h = 800 s */
    /* 15 % up: v = 4.5 * exp(-0.7) / exp(-0.175) = 2.662 km/h over
     * 1000 * sqrt(1 + 0.15^2) m; 5 % down: v = 4.5 * exp(0.175) km/h */
    assert_int_equal(up, 13675);
    assert_int_equal(down, 6724);
    assert_true(down < flat && up > flat);
    /* cars: 10 % grade costs (1 + 4 * 0.06) = 1.24 times the flat time */
    assert_int_equal(xt_road_cost(&speeds, XT_HW_secondary, XT_MODE_CAR, 1000, 0.10), 1116);
    assert_int_equal(xt_road_cost(&speeds, XT_HW_footway, XT_MODE_CAR, 1000, 0), XT_COST_NONE);
}

static void test_snap(void **state)
{
    (void)state;
    struct xt_roadnet net;
    struct xt_poi *pois;
    size_t np;
    struct xt_import_counts cnt;
    import(LIE, &net, &pois, &np, &cnt);
    struct xt_graph g;
    assert_int_equal(xt_graph_build(&net, XT_MODE_CAR, false, &g), 0);
    struct xt_snap s;
    assert_int_equal(xt_snap_build(&s, &net, &g), 0);
    /* against a full scan over the nodes that have arcs */
    for (size_t p = 0; p < np; p++) {
        uint32_t node;
        double d;
        assert_int_equal(xt_snap_find(&s, pois[p].lat, pois[p].lon, &node, &d), 0);
        assert_true(g.first[node] < g.first[node + 1]);
        double best = INFINITY;
        for (uint32_t v = 0; v < g.n; v++)
            if (g.first[v] < g.first[v + 1]) {
                double dv = xt_geo_dist_m(pois[p].lat, pois[p].lon, net.lat[v], net.lon[v]);
                if (dv < best)
                    best = dv;
            }
        /* the big piece only: never nearer than the nearest node overall */
        assert_true(d >= best - 1e-6);
        if (d > best + 1e-6)
            continue; /* the nearest node is on a small separate piece */
        assert_float_equal(d, best, 1e-6);
    }
    xt_snap_release(&s);
    xt_graph_release(&g);
    free(pois);
    xt_roadnet_release(&net);
}

/* Contracted graphs keep every shortest-path cost between kept nodes. */
static void test_contract(void **state)
{
    (void)state;
    struct xt_roadnet net;
    struct xt_poi *pois;
    size_t np;
    struct xt_import_counts cnt;
    import(LIE, &net, &pois, &np, &cnt);
    for (int mode = 0; mode < XT_MODE_N; mode++) {
        struct xt_graph g, c;
        assert_int_equal(xt_graph_build(&net, mode, true, &g), 0);
        uint8_t *keep = calloc(g.n, 1);
        uint32_t *map = malloc(g.n * sizeof(uint32_t));
        assert_true(keep && map);
        uint32_t kept[60];
        int nk = 0;
        for (uint32_t v = 0; v < g.n && nk < 60; v += g.n / 60)
            if (g.first[v] < g.first[v + 1]) {
                keep[v] = 1;
                kept[nk++] = v;
            }
        assert_int_equal(xt_graph_contract(&g, keep, &c, map), 0);
        print_message("contract mode %d: %u -> %u nodes\n", mode, g.n, c.n);
        assert_true(c.n < g.n / 3);
        struct xt_sp full, small;
        assert_int_equal(xt_sp_init(&full, g.n), 0);
        assert_int_equal(xt_sp_init(&small, c.n), 0);
        size_t finite = 0;
        for (int i = 0; i < nk; i += 6) {
            struct xt_source s1 = {kept[i], 0, 0}, s2 = {map[kept[i]], 0, 0};
            assert_true(map[kept[i]] != UINT32_MAX);
            xt_sp_run(&full, &g, &s1, 1, XT_COST_NONE - 1);
            xt_sp_run(&small, &c, &s2, 1, XT_COST_NONE - 1);
            for (int j = 0; j < nk; j++) {
                assert_int_equal(small.dist[map[kept[j]]], full.dist[kept[j]]);
                finite += full.dist[kept[j]] != XT_COST_NONE;
            }
            /* stopping once every reachable kept node is settled changes
             * none of their costs */
            uint8_t *target = calloc(c.n, 1);
            uint32_t nt = 0;
            for (int j = 0; j < nk; j++)
                if (full.dist[kept[j]] != XT_COST_NONE) {
                    target[map[kept[j]]] = 1;
                    nt++;
                }
            xt_sp_run_until(&small, &c, &s2, 1, XT_COST_NONE - 1, target, nt);
            for (int j = 0; j < nk; j++)
                assert_int_equal(small.dist[map[kept[j]]], full.dist[kept[j]]);
            free(target);
        }
        assert_true(finite > 100);
        xt_sp_release(&full);
        xt_sp_release(&small);
        xt_graph_release(&c);
        xt_graph_release(&g);
        free(keep);
        free(map);
    }
    free(pois);
    xt_roadnet_release(&net);
}

/* The shipped tables equal the built-in defaults; bad tables are refused
 * and leave the current values alone. */
static void test_speed_and_standard_tables(void **state)
{
    (void)state;
    struct xt_speeds def, sp;
    struct xt_error err = {0};
    xt_speeds_default(&def);
    memset(&sp, 0, sizeof(sp));
    sp.offroad_walk_kmh = def.offroad_walk_kmh;
    assert_int_equal(xt_speeds_load(&sp, XT_SOURCE_DIR "/data/access/speeds.csv", &err), 0);
    assert_memory_equal(sp.kmh, def.kmh, sizeof(def.kmh));
    struct xt_standards sd, st;
    xt_standards_default(&sd);
    memset(&st, 0, sizeof(st));
    assert_int_equal(xt_standards_load(&st, XT_SOURCE_DIR "/data/access/standards.csv", &err), 0);
    assert_memory_equal(&st, &sd, sizeof(sd));
    const char *bad = "class,car_kmh,foot_kmh\nprimary,55,4\nairstrip,300,0\n";
    write_file("/tmp/xt_test_speeds.csv", bad, strlen(bad));
    sp = def;
    assert_int_equal(xt_speeds_load(&sp, "/tmp/xt_test_speeds.csv", &err), XT_EINVAL);
    assert_non_null(strstr(err.message, "line 3"));
    assert_float_equal(sp.kmh[XT_HW_primary][XT_MODE_CAR], 50, 0); /* unchanged */
    const char *good = "class,car_kmh,foot_kmh\nprimary,55,4\n";
    write_file("/tmp/xt_test_speeds.csv", good, strlen(good));
    assert_int_equal(xt_speeds_load(&sp, "/tmp/xt_test_speeds.csv", &err), 0);
    assert_float_equal(sp.kmh[XT_HW_primary][XT_MODE_CAR], 55, 0);
    unlink("/tmp/xt_test_speeds.csv");
    const char *bads = "type,car_min,foot_min\nhospital,0,10\n";
    write_file("/tmp/xt_test_std.csv", bads, strlen(bads));
    assert_int_equal(xt_standards_load(&st, "/tmp/xt_test_std.csv", &err), XT_EINVAL);
    assert_string_equal(err.field, "standards");
    unlink("/tmp/xt_test_std.csv");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_hand_checked),
        cmocka_unit_test(test_liechtenstein_against_naive),
        cmocka_unit_test(test_binary_roundtrip_and_damage),
        cmocka_unit_test(test_bad_osm_files),
        cmocka_unit_test(test_import_every_extract),
        cmocka_unit_test(test_edge_csv),
        cmocka_unit_test(test_dem_and_slope),
        cmocka_unit_test(test_snap),
        cmocka_unit_test(test_contract),
        cmocka_unit_test(test_speed_and_standard_tables),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
