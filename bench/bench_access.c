/* bench_access.c - access to public services against pgRouting, on a real
 * OpenStreetMap extract; nearest-facility times on a 1,000,000-edge tiled
 * network; siting 20,000 demand points x 2,000 candidates.
 *
 *   bench_access OSM_FILE DEM_FILE|- PG_URL|- TILES
 *
 * Prints the Markdown body of the benchmark section on stdout (progress
 * on stderr). Exit status 1 when pgRouting and we disagree on any cost or
 * something fails; missed targets are reported as FAIL, not as an error.
 */
#include "core/facility.h"
#include "core/osmimport.h"
#include "core/reach.h"
#include "core/siting.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static const char *pf(int ok)
{
    return ok ? "PASS" : "FAIL";
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static size_t uniq(uint32_t *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[k - 1] != v[i])
            v[k++] = v[i];
    return k;
}

static PGresult *q(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    int st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "bench_access: %s\n  %s", sql, PQerrorMessage(c));
        PQclear(r);
        return NULL;
    }
    return r;
}

static char *id_array(const uint32_t *v, size_t n)
{
    char *s = malloc(n * 12 + 16), *p = s;
    p += snprintf(p, 16, "ARRAY[");
    for (size_t i = 0; i < n; i++)
        p += snprintf(p, 14, "%s%u", i ? "," : "", v[i] + 1);
    snprintf(p, 4, "]");
    return s;
}

/* pgRouting against our searches on the same car graph. Returns -1 when a
 * cost differs. */
static int vs_pgrouting(const struct xt_roadnet *net, const struct xt_reach *r, const char *url,
                        const struct xt_poi *pois, size_t np, const char *extract)
{
    /* places and facilities snapped to car nodes */
    uint32_t *vil = malloc(np * sizeof(uint32_t)), *fac = malloc(np * sizeof(uint32_t));
    size_t nv = 0, nf = 0;
    for (size_t i = 0; i < np; i++) {
        uint32_t node, w;
        if (xt_reach_snap(r, XT_MODE_CAR, pois[i].lat, pois[i].lon, &node, &w))
            continue;
        if (pois[i].kind == XT_POI_PLACE)
            vil[nv++] = node;
        else
            fac[nf++] = node;
    }
    nv = uniq(vil, nv);
    nf = uniq(fac, nf);
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "bench_access: %s", PQerrorMessage(c));
        return -1;
    }
    PQclear(q(c, "SET client_min_messages = warning"));
    PQclear(q(c, "CREATE EXTENSION IF NOT EXISTS pgrouting CASCADE"));
    PQclear(q(c, "DROP TABLE IF EXISTS edges"));
    PQclear(q(c, "CREATE TABLE edges (id BIGINT PRIMARY KEY, source BIGINT, target BIGINT,"
                 " cost DOUBLE PRECISION, reverse_cost DOUBLE PRECISION)"));
    PGresult *res = PQexec(c, "COPY edges FROM STDIN");
    PQclear(res);
    char line[128];
    size_t n_rows = 0;
    for (size_t e = 0; e < net->n_edges; e++) {
        const struct xt_road_edge *ed = &net->edges[e];
        uint32_t fw = ed->cost[XT_MODE_CAR][0], bw = ed->cost[XT_MODE_CAR][1];
        if (fw == XT_COST_NONE && bw == XT_COST_NONE)
            continue;
        int n = snprintf(line, sizeof(line), "%zu\t%u\t%u\t%.0f\t%.0f\n", e + 1, ed->u + 1,
                         ed->v + 1, fw == XT_COST_NONE ? -1.0 : (double)fw,
                         bw == XT_COST_NONE ? -1.0 : (double)bw);
        PQputCopyData(c, line, n);
        n_rows++;
    }
    PQputCopyEnd(c, NULL);
    PQclear(PQgetResult(c));
    PQclear(q(c, "ANALYZE edges"));
    char *va = id_array(vil, nv), *fa = id_array(fac, nf);
    size_t sqln = strlen(va) + strlen(fa) + 512;
    char *sql_m = malloc(sqln), *sql_n = malloc(sqln);
    snprintf(sql_m, sqln,
             "SELECT start_vid, end_vid, agg_cost FROM pgr_dijkstraCost('SELECT id, source, "
             "target, cost, reverse_cost FROM edges', %s, %s, true)",
             va, fa);
    snprintf(sql_n, sqln,
             "SELECT start_vid, min(agg_cost) FROM pgr_dijkstraCost('SELECT id, source, target, "
             "cost, reverse_cost FROM edges', %s, %s, true) GROUP BY start_vid",
             va, fa);
    /* pgRouting: best of 3 each */
    double pg_m = 1e9, pg_n = 1e9;
    PGresult *mat = NULL, *near = NULL;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now_s();
        PGresult *a = q(c, sql_m);
        double t1 = now_s();
        PGresult *b = q(c, sql_n);
        double t2 = now_s();
        if (!a || !b)
            return -1;
        pg_m = fmin(pg_m, t1 - t0);
        pg_n = fmin(pg_n, t2 - t1);
        PQclear(mat);
        PQclear(near);
        mat = a;
        near = b;
    }
    /* ours: contract once for these places and facilities, then one search
     * per facility (matrix) or one from all of them (nearest) on the
     * reverse graph; best of 5 */
    double t0 = now_s();
    uint8_t *keep = calloc(net->n_nodes, 1);
    uint32_t *map = malloc(net->n_nodes * sizeof(uint32_t));
    for (size_t i = 0; i < nv; i++)
        keep[vil[i]] = 1;
    for (size_t i = 0; i < nf; i++)
        keep[fac[i]] = 1;
    struct xt_graph cg;
    xt_graph_contract(&r->rev[XT_MODE_CAR], keep, &cg, map);
    double t_contract = now_s() - t0;
    struct xt_sp sp, spf;
    xt_sp_init(&sp, cg.n);
    xt_sp_init(&spf, (uint32_t)net->n_nodes);
    uint32_t *m_ours = malloc(nv * nf * sizeof(uint32_t)), *n_ours = malloc(nv * sizeof(uint32_t));
    struct xt_source *src = malloc(nf * sizeof(*src));
    /* the matrix searches stop once every village is settled */
    uint8_t *is_vil = calloc(cg.n, 1);
    for (size_t i = 0; i < nv; i++)
        is_vil[map[vil[i]]] = 1;
    double our_m = 1e9, our_n = 1e9, full_m = 1e9, full_n = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        double a = now_s();
        for (size_t j = 0; j < nf; j++) {
            struct xt_source s1 = {map[fac[j]], 0, (uint32_t)j};
            xt_sp_run_until(&sp, &cg, &s1, 1, XT_COST_NONE - 1, is_vil, (uint32_t)nv);
            for (size_t i = 0; i < nv; i++)
                m_ours[i * nf + j] = sp.dist[map[vil[i]]];
        }
        double b = now_s();
        for (size_t j = 0; j < nf; j++)
            src[j] = (struct xt_source){map[fac[j]], 0, (uint32_t)j};
        xt_sp_run(&sp, &cg, src, nf, XT_COST_NONE - 1);
        for (size_t i = 0; i < nv; i++)
            n_ours[i] = sp.dist[map[vil[i]]];
        double cc = now_s();
        our_m = fmin(our_m, b - a);
        our_n = fmin(our_n, cc - b);
        /* the same on the full graph, for the record */
        double d = now_s();
        for (size_t j = 0; j < nf; j++) {
            struct xt_source s1 = {fac[j], 0, (uint32_t)j};
            xt_sp_run(&spf, &r->rev[XT_MODE_CAR], &s1, 1, XT_COST_NONE - 1);
            for (size_t i = 0; i < nv; i++)
                if (spf.dist[vil[i]] != m_ours[i * nf + j])
                    return fprintf(stderr, "bench_access: contracted != full\n"), -1;
        }
        double e = now_s();
        for (size_t j = 0; j < nf; j++)
            src[j] = (struct xt_source){fac[j], 0, (uint32_t)j};
        xt_sp_run(&spf, &r->rev[XT_MODE_CAR], src, nf, XT_COST_NONE - 1);
        double f = now_s();
        full_m = fmin(full_m, e - d);
        full_n = fmin(full_n, f - e);
    }
    /* compare: every pgRouting row equals ours; pairs it omits are
     * unreachable for us too */
    size_t rows = (size_t)PQntuples(mat), same = 0, reach = 0, bad = 0;
    for (size_t i = 0; i < nv * nf; i++)
        reach += m_ours[i] != XT_COST_NONE;
    uint32_t *vidx = calloc(net->n_nodes + 1, sizeof(uint32_t)),
             *fidx = calloc(net->n_nodes + 1, sizeof(uint32_t));
    for (size_t i = 0; i < nv; i++)
        vidx[vil[i] + 1] = (uint32_t)i + 1;
    for (size_t j = 0; j < nf; j++)
        fidx[fac[j] + 1] = (uint32_t)j + 1;
    char example[256] = "";
    for (size_t k = 0; k < rows; k++) {
        long sv = strtol(PQgetvalue(mat, (int)k, 0), NULL, 10);
        long ev = strtol(PQgetvalue(mat, (int)k, 1), NULL, 10);
        double cost = strtod(PQgetvalue(mat, (int)k, 2), NULL);
        uint32_t i = vidx[sv] - 1, j = fidx[ev] - 1;
        uint32_t ours = m_ours[i * nf + j];
        if (ours != XT_COST_NONE && fabs(cost - ours) < 1e-6)
            same++;
        else
            bad++;
        if (k == rows / 2)
            snprintf(example, sizeof(example),
                     "node %ld → node %ld: pgRouting %.1f s, xietong %.1f s", sv, ev, cost / 10,
                     ours / 10.0);
    }
    /* pgRouting returns no row when a start is also an end (cost 0): a
     * village snapped to a facility's node */
    size_t self = 0;
    for (size_t i = 0; i < nv; i++)
        if (fidx[vil[i] + 1]) {
            self++;
            if (m_ours[i * nf + fidx[vil[i] + 1] - 1] == 0)
                same++;
        }
    size_t nsame = 0;
    for (int k = 0; k < PQntuples(near); k++) {
        long sv = strtol(PQgetvalue(near, k, 0), NULL, 10);
        double cost = strtod(PQgetvalue(near, k, 1), NULL);
        uint32_t i = vidx[sv] - 1;
        nsame += fidx[sv] ? n_ours[i] == 0 : fabs(cost - n_ours[i]) < 1e-6;
    }
    int ok = bad == 0 && same == reach && nsame == (size_t)PQntuples(near);
    PQclear(q(c, "DROP TABLE edges"));
    printf("### Against pgRouting (%s, car)\n\n", extract);
    printf("Graph: %zu nodes, %zu edges loaded into PostgreSQL as `edges(id, source, target, "
           "cost, reverse_cost)` (0.1 s units, one-way as reverse_cost = -1); %zu places and "
           "%zu facilities snapped to car nodes. pgRouting builds its graph from that table in "
           "every query; we load the binary file once (and contract pass-through nodes once for "
           "the query's places and facilities: %.1f ms, %u nodes left).\n\n",
           net->n_nodes, n_rows, nv, nf, t_contract * 1000, cg.n);
    char pgver[64] = "?";
    PGresult *vr = q(c, "SELECT pgr_version()");
    if (vr && PQntuples(vr) == 1)
        snprintf(pgver, sizeof(pgver), "%s", PQgetvalue(vr, 0, 0));
    PQclear(vr);
    /* the speed-up counts our contraction as part of our time */
    double sm = pg_m / (our_m + t_contract), sn = pg_n / (our_n + t_contract);
    printf("| query | pgRouting %s (PostgreSQL %s) | xietong (contracted) | xietong (full graph) "
           "| speed-up (contraction included) | target ≥ 20× |\n|---|---|---|---|---|---|\n",
           pgver, PQparameterStatus(c, "server_version"));
    printf("| village × facility matrix (%zu × %zu) | %.1f ms | %.2f ms | %.1f ms | %.0f× | %s |\n",
           nv, nf, pg_m * 1000, our_m * 1000, full_m * 1000, sm, pf(sm >= 20));
    printf("| nearest facility of every village | %.1f ms | %.3f ms | %.1f ms | %.0f× | %s |\n\n",
           pg_n * 1000, our_n * 1000, full_n * 1000, sn, pf(sn >= 20));
    printf("Costs: %zu of %zu pgRouting matrix rows identical to ours, plus %zu village(s) on a "
           "facility's own node (0 s for us; pgRouting returns no row when start = end), against "
           "%zu pairs reachable for us; %zu of %d nearest-facility rows identical: **%s**. "
           "Example: %s.\n\n",
           same - self, rows, self, reach, nsame, PQntuples(near), ok ? "identical" : "MISMATCH",
           example);
    printf("| village node | nearest facility, pgRouting | xietong |\n|---|---|---|\n");
    for (int k = 0; k < PQntuples(near) && k < 6; k++) {
        long sv = strtol(PQgetvalue(near, k, 0), NULL, 10);
        printf("| %ld | %.1f s | %.1f s |\n", sv, strtod(PQgetvalue(near, k, 1), NULL) / 10,
               n_ours[vidx[sv] - 1] / 10.0);
    }
    printf("\n");
    PQclear(mat);
    PQclear(near);
    PQfinish(c);
    free(vil);
    free(fac);
    free(va);
    free(fa);
    free(sql_m);
    free(sql_n);
    free(keep);
    free(map);
    free(m_ours);
    free(n_ours);
    free(src);
    free(is_vil);
    free(vidx);
    free(fidx);
    xt_sp_release(&sp);
    xt_sp_release(&spf);
    xt_graph_release(&cg);
    return ok ? 0 : -1;
}

/* TILES copies of the network side by side (0.4 degree of longitude
 * apart), each joined to the next by 20 roads of 5 minutes between the
 * same node of both copies. */
static int tile(const struct xt_roadnet *net, int tiles, struct xt_roadnet *big)
{
    memset(big, 0, sizeof(*big));
    size_t n = net->n_nodes, m = net->n_edges;
    big->n_nodes = n * tiles;
    big->n_edges = m * tiles + 20 * (tiles - 1);
    big->lat = malloc(big->n_nodes * sizeof(double));
    big->lon = malloc(big->n_nodes * sizeof(double));
    big->elev = malloc(big->n_nodes * sizeof(float));
    big->edges = malloc(big->n_edges * sizeof(*big->edges));
    if (!big->lat || !big->lon || !big->elev || !big->edges)
        return -1;
    for (int t = 0; t < tiles; t++) {
        for (size_t i = 0; i < n; i++) {
            big->lat[t * n + i] = net->lat[i];
            big->lon[t * n + i] = net->lon[i] + 0.4 * t;
            big->elev[t * n + i] = net->elev[i];
        }
        for (size_t e = 0; e < m; e++) {
            struct xt_road_edge ed = net->edges[e];
            ed.u += (uint32_t)(t * n);
            ed.v += (uint32_t)(t * n);
            big->edges[t * m + e] = ed;
        }
    }
    size_t k = m * tiles;
    for (int t = 0; t + 1 < tiles; t++)
        for (int b = 0; b < 20; b++) {
            const struct xt_road_edge *src = &net->edges[(size_t)b * (m / 20)];
            struct xt_road_edge ed = *src;
            ed.u = (uint32_t)(t * n + src->u);
            ed.v = (uint32_t)((t + 1) * n + src->u);
            ed.cls = XT_HW_secondary;
            for (int md = 0; md < XT_MODE_N; md++)
                ed.cost[md][0] = ed.cost[md][1] = 3000;
            big->edges[k++] = ed;
        }
    big->cap_nodes = big->n_nodes;
    big->cap_edges = big->n_edges;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_access OSM_FILE DEM_FILE|- PG_URL|- TILES\n");
        return 2;
    }
    const char *osm = argv[1], *demf = argv[2], *url = argv[3];
    int tiles = atoi(argv[4]);
    const char *base = strrchr(osm, '/') ? strrchr(osm, '/') + 1 : osm;
    struct xt_speeds sp;
    xt_speeds_default(&sp);
    struct xt_dem dem = {0};
    struct xt_error err = {0};
    if (strcmp(demf, "-") && xt_dem_load(&dem, demf, &err)) {
        fprintf(stderr, "bench_access: %s\n", err.message);
        return 1;
    }
    struct xt_roadnet net;
    struct xt_poi *pois;
    size_t np;
    struct xt_import_counts cnt;
    double t0 = now_s();
    if (xt_osm_import(osm, &sp, strcmp(demf, "-") ? &dem : NULL, &net, &pois, &np, &cnt, &err)) {
        fprintf(stderr, "bench_access: %s\n", err.message);
        return 1;
    }
    double t_import = now_s() - t0;
    xt_dem_release(&dem);
    /* binary file: save, then load (best of 5) */
    const char *bin = "/tmp/xt_bench_access.xtr";
    xt_roadnet_save(&net, bin, &err);
    double t_load = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        struct xt_roadnet back;
        t0 = now_s();
        if (xt_roadnet_load(&back, bin, &err))
            return 1;
        t_load = fmin(t_load, now_s() - t0);
        xt_roadnet_release(&back);
    }
    remove(bin);
    struct xt_reach r;
    t0 = now_s();
    if (xt_reach_init(&r, &net, &sp))
        return 1;
    double t_init = now_s() - t0;
    printf("### Import and load (%s)\n\n", base);
    printf("| step | figure |\n|---|---|\n");
    printf("| OSM import with SRTM slope (readosm) | %.2f s: %ld road nodes, %ld edges, %ld "
           "places, %ld facilities |\n",
           t_import, cnt.nodes, cnt.edges, cnt.places, cnt.facilities);
    printf("| binary network load (one read) | %.1f ms |\n", t_load * 1000);
    printf("| CSR graphs + snapping index, car and foot | %.1f ms |\n\n", t_init * 1000);
    fflush(stdout);
    int status = 0;
    if (strcmp(url, "-") != 0) {
        fprintf(stderr, "bench_access: against pgRouting ...\n");
        if (vs_pgrouting(&net, &r, url, pois, np, base))
            status = 1;
        fflush(stdout);
    }
    if (tiles < 1) {
        xt_reach_release(&r);
        xt_roadnet_release(&net);
        free(pois);
        return status;
    }
    /* 1,000,000-edge network */
    fprintf(stderr, "bench_access: tiled network ...\n");
    struct xt_roadnet big;
    if (tile(&net, tiles, &big))
        return 1;
    struct xt_reach rb;
    t0 = now_s();
    if (xt_reach_init(&rb, &big, &sp))
        return 1;
    double t_binit = now_s() - t0;
    printf("### Nearest facility for every node of a %zu-edge network\n\n", big.n_edges);
    printf("%d copies of %s side by side, joined by 20 roads between neighbours (%zu nodes, "
           "%zu edges; graphs and snapping built in %.2f s). One multi-source search from all "
           "facilities of a type (snapped, walk-in counted) on the reverse graph gives every "
           "node's time to its nearest one; one core, best of 3.\n\n",
           tiles, base, big.n_nodes, big.n_edges, t_binit);
    printf("| type | facilities | car | foot | target < 1 s |\n|---|---|---|---|---|\n");
    double worst = 0;
    for (int type = 0; type < XT_FT_N; type++) {
        struct xt_source *src = malloc(np * tiles * sizeof(*src) + 1);
        double best[2] = {1e9, 1e9};
        size_t ns = 0;
        for (int mode = 0; mode < XT_MODE_N; mode++) {
            ns = 0;
            for (int t = 0; t < tiles; t++)
                for (size_t i = 0; i < np; i++)
                    if (pois[i].kind == XT_POI_FACILITY && pois[i].type == type) {
                        uint32_t node, w;
                        if (!xt_reach_snap(&rb, mode, pois[i].lat, pois[i].lon + 0.4 * t, &node,
                                           &w))
                            src[ns++] = (struct xt_source){node, w, (uint32_t)i};
                    }
            for (int rep = 0; rep < 3 && ns; rep++) {
                t0 = now_s();
                xt_sp_run(&rb.work, &rb.rev[mode], src, ns, XT_COST_NONE - 1);
                best[mode] = fmin(best[mode], now_s() - t0);
            }
        }
        free(src);
        if (!ns)
            continue;
        worst = fmax(worst, fmax(best[0], best[1]));
        printf("| %s | %zu | %.0f ms | %.0f ms | %s |\n", xt_facility_type_code(type), ns,
               best[0] * 1000, best[1] * 1000, pf(fmax(best[0], best[1]) < 1));
    }
    printf("\n");
    fflush(stdout);
    /* siting: 20,000 demand points x 2,000 candidates, k = 20 */
    fprintf(stderr, "bench_access: siting ...\n");
    enum { ND = 20000, NC = 2000, K = 20 };
    const double std_min = 30;
    uint32_t *dn = malloc(ND * sizeof(uint32_t)), *cn = malloc(NC * sizeof(uint32_t));
    double *w = malloc(ND * sizeof(double));
    struct xt_graph *gr = &rb.rev[XT_MODE_CAR];
    for (int i = 0; i < ND + NC; i++) {
        uint32_t v;
        do
            v = rnd() % gr->n;
        while (gr->first[v] == gr->first[v + 1]);
        if (i < ND) {
            dn[i] = v;
            w[i] = 50 + rnd() % 1950;
        } else {
            cn[i - ND] = v;
        }
    }
    t0 = now_s();
    uint8_t *keep = calloc(gr->n, 1);
    uint32_t *map = malloc(gr->n * sizeof(uint32_t));
    for (int i = 0; i < ND; i++)
        keep[dn[i]] = 1;
    for (int j = 0; j < NC; j++)
        keep[cn[j]] = 1;
    struct xt_graph cg;
    xt_graph_contract(gr, keep, &cg, map);
    /* demand points by contracted node */
    uint32_t *dfirst = calloc(cg.n + 1, sizeof(uint32_t)), *dlist = malloc(ND * sizeof(uint32_t));
    for (int i = 0; i < ND; i++)
        dfirst[map[dn[i]] + 1]++;
    for (uint32_t v = 0; v < cg.n; v++)
        dfirst[v + 1] += dfirst[v];
    uint32_t *fill = malloc((cg.n + 1) * sizeof(uint32_t));
    memcpy(fill, dfirst, (cg.n + 1) * sizeof(uint32_t));
    for (int i = 0; i < ND; i++)
        dlist[fill[map[dn[i]]]++] = (uint32_t)i;
    free(fill);
    struct xt_sp csp;
    xt_sp_init(&csp, cg.n);
    uint32_t *cfirst = malloc((NC + 1) * sizeof(uint32_t)), *cidx = NULL;
    size_t ncov = 0, ccap = 0;
    uint32_t lim = (uint32_t)(std_min * 600);
    for (int j = 0; j < NC; j++) {
        cfirst[j] = (uint32_t)ncov;
        struct xt_source s1 = {map[cn[j]], 0, 0};
        xt_sp_run(&csp, &cg, &s1, 1, lim);
        for (uint32_t t = 0; t < csp.n_touched; t++) {
            uint32_t v = csp.touched[t];
            for (uint32_t q = dfirst[v]; q < dfirst[v + 1]; q++) {
                if (ncov == ccap) {
                    ccap = ccap ? ccap * 2 : 65536;
                    cidx = realloc(cidx, ccap * sizeof(uint32_t));
                }
                cidx[ncov++] = dlist[q];
            }
        }
    }
    cfirst[NC] = (uint32_t)ncov;
    double t_cov = now_s() - t0;
    /* existing facilities: the primary schools of every copy */
    uint8_t *cov0 = calloc(ND, 1);
    {
        struct xt_source *src = malloc(np * tiles * sizeof(*src) + 1);
        size_t ns = 0;
        for (int t = 0; t < tiles; t++)
            for (size_t i = 0; i < np; i++)
                if (pois[i].kind == XT_POI_FACILITY && pois[i].type == XT_FT_primary_school) {
                    uint32_t node, wk;
                    if (!xt_reach_snap(&rb, XT_MODE_CAR, pois[i].lat, pois[i].lon + 0.4 * t, &node,
                                       &wk))
                        src[ns++] = (struct xt_source){node, wk, 0};
                }
        xt_sp_run(&rb.work, gr, src, ns, lim);
        for (int i = 0; i < ND; i++)
            cov0[i] = rb.work.dist[dn[i]] <= lim;
        free(src);
    }
    struct xt_mclp p = {ND, NC, w, cov0, cfirst, cidx, NULL, 0};
    struct xt_site_result res;
    t0 = now_s();
    xt_site_mclp(&p, K, &res);
    double t_site = now_s() - t0;
    double tot = 0, before = 0;
    for (int i = 0; i < ND; i++) {
        tot += w[i];
        before += cov0[i] ? w[i] : 0;
    }
    printf("### Siting: %d demand points × %d candidates, k = %d (MCLP, car, %.0f min)\n\n", ND, NC,
           K, std_min);
    printf("Random nodes of the tiled network (seeded), demand weights 50–1,999; the primary "
           "schools of every copy are the existing facilities (fixed). Coverage lists from one "
           "bounded search per candidate on the graph contracted for these points: %.2f s, %zu "
           "(candidate, point) pairs.\n\n",
           t_cov, ncov);
    printf("| figure | value | target |\n|---|---|---|\n");
    printf("| time: greedy + iterated swap search + bound, one core | %.2f s | < 2 s %s |\n",
           t_site, pf(t_site < 2));
    printf("| demand covered before / after | %.0f / %.0f of %.0f | |\n", before, res.value, tot);
    printf("| upper bound (best of submodular and Lagrangian) | %.0f | |\n", res.bound);
    printf("| gap to the bound | %.3f %% | ≤ 1 %% %s |\n", res.gap * 100, pf(res.gap <= 0.01));
    printf("| swaps made by the local search | %d | |\n\n", res.swaps);
    fflush(stdout);
    /* the same instance with capacities on the new sites: 70 %, 100 % and
     * 150 % of what an uncapacitated new site took on average above */
    fprintf(stderr, "bench_access: capacitated siting ...\n");
    printf("### Siting with capacities: the same instance, each new site serving at most C "
           "people\n\n");
    printf("Split assignment (a point's demand may be shared between sites) by min-cost flow "
           "for each candidate set, inside the uncapacitated start + swap search (within a work "
           "budget: on this size the capacitated search evaluates few sets). The bound is the "
           "smaller of the uncapacitated bound and what the capacities can hold. A is the "
           "average an uncapacitated new site took above (%.0f).\n\n",
           (res.value - before) / K);
    printf("| C | time, one core | covered after (before %.0f) | upper bound | gap | sites "
           "binding | swaps (start + capacitated) |\n|---|---|---|---|---|---|---|\n",
           before);
    {
        double *capv = malloc(NC * sizeof(double));
        const double factor[] = {0.7, 1.0, 1.5};
        for (int fi = 0; fi < 3; fi++) {
            double cap_new = floor(factor[fi] * (res.value - before) / K / 1000) * 1000;
            if (cap_new < 1000)
                cap_new = 1000;
            for (int j = 0; j < NC; j++)
                capv[j] = cap_new;
            struct xt_mclp pc = {ND, NC, w, cov0, cfirst, cidx, capv, 0};
            struct xt_site_result rc_;
            t0 = now_s();
            int src = xt_site_mclp(&pc, K, &rc_);
            double t_cap = now_s() - t0;
            int binding = 0;
            for (size_t q = 0; q < rc_.k; q++)
                binding += rc_.binds[q];
            printf("| %.0f (%.0f %% of A) | %.2f s%s | %.0f | %.0f | %.3f %% | %d of %zu | %d |\n",
                   cap_new, factor[fi] * 100, t_cap, src ? " FAIL (error)" : "", rc_.value,
                   rc_.bound, rc_.gap * 100, binding, rc_.k, rc_.swaps);
        }
        printf("\n");
        free(capv);
    }
    free(dn);
    free(cn);
    free(w);
    free(keep);
    free(map);
    free(dfirst);
    free(dlist);
    free(cfirst);
    free(cidx);
    free(cov0);
    xt_sp_release(&csp);
    xt_graph_release(&cg);
    xt_reach_release(&rb);
    xt_roadnet_release(&big);
    xt_reach_release(&r);
    xt_roadnet_release(&net);
    free(pois);
    (void)worst;
    return status;
}
