/* access.c - `xietong access ...`: road networks, facilities, travel times,
 * coverage, accessibility scores and siting (服务半径).
 *
 * The road network of a data directory lives in DIR/roads.xtr (binary, see
 * core/roadnet.h); import-osm and import-edges write it, `generate` makes
 * one for the demo region (which has no public road data: it is generated
 * and every report says so). Reports read places from the units table
 * (villages or grids with a point) or from a CSV (--places), facilities
 * from the store, and print JSON or GeoJSON (--out FILE to write it). */
#include "cli/cli_int.h"
#include "core/accessplan.h"
#include "core/osmimport.h"
#include "lib/csv.h"
#include "store/facilities.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct xt_actor cli_actor = {0, XT_ROLE_SYSTEM, "", "cli"};

static double secs_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int load_speeds(const struct xt_opts *o, struct xt_speeds *sp)
{
    xt_speeds_default(sp);
    const char *f = xt_opt(o, "speeds", NULL);
    struct xt_error err = {0};
    if (f && xt_speeds_load(sp, f, &err)) {
        xt_cli_error("access: speeds", &err);
        return -1;
    }
    return 0;
}

static int save_roads(struct xt_store *s, const struct xt_roadnet *net, bool quiet)
{
    char path[1100];
    struct xt_error err = {0};
    if (xt_store_roads_path(s, path, sizeof(path)) || xt_roadnet_save(net, path, &err)) {
        xt_cli_error("access: save", &err);
        return -1;
    }
    if (!quiet)
        printf("road network written to %s (%zu nodes, %zu edges)\n", path, net->n_nodes,
               net->n_edges);
    return 0;
}

static int cmd_import_osm(const struct xt_opts *o)
{
    const char *file = xt_opt_arg(o, 1);
    if (!file) {
        fprintf(stderr, "xietong: access import-osm: FILE (.osm or .osm.pbf) is required\n");
        return 2;
    }
    struct xt_speeds sp;
    if (load_speeds(o, &sp))
        return 1;
    struct xt_dem dem = {0};
    struct xt_error err = {0};
    const char *demf = xt_opt(o, "dem", NULL);
    if (demf && xt_dem_load(&dem, demf, &err)) {
        xt_cli_error("access: dem", &err);
        return 1;
    }
    struct xt_roadnet net;
    struct xt_poi *pois = NULL;
    size_t np = 0;
    struct xt_import_counts cnt;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = xt_osm_import(file, &sp, demf ? &dem : NULL, &net, &pois, &np, &cnt, &err);
    xt_dem_release(&dem);
    if (rc) {
        xt_cli_error("access: import-osm", &err);
        return 1;
    }
    printf("read %s in %.2f s: %ld road nodes, %ld edges from %ld ways; %ld places, %ld "
           "facilities\n",
           file, secs_since(&t0), cnt.nodes, cnt.edges, cnt.ways, cnt.places, cnt.facilities);
    if (cnt.missing_nodes)
        printf("clipped: %ld way nodes are missing from the file, %ld segments skipped\n",
               cnt.missing_nodes, cnt.skipped_segments);
    if (cnt.bad_rows)
        printf("%ld facility multipolygons not reduced to a point (skipped)\n", cnt.bad_rows);
    struct xt_store *s;
    if (xt_cli_open(o, &s)) {
        free(pois);
        xt_roadnet_release(&net);
        return 1;
    }
    rc = save_roads(s, &net, false);
    if (!rc && !xt_opt_flag(o, "no-facilities")) {
        struct xt_facility *fs = calloc(np ? np : 1, sizeof(*fs));
        size_t nf = 0;
        for (size_t i = 0; fs && i < np; i++) {
            if (pois[i].kind != XT_POI_FACILITY)
                continue;
            struct xt_facility *f = &fs[nf++];
            f->type = pois[i].type;
            snprintf(f->name, sizeof(f->name), "%s",
                     *pois[i].name ? pois[i].name : xt_facility_type_zh(pois[i].type));
            f->lat = pois[i].lat;
            f->lon = pois[i].lon;
            snprintf(f->source, sizeof(f->source), "osm");
            snprintf(f->source_ref, sizeof(f->source_ref), "%c%lld", pois[i].osm_type,
                     pois[i].osm_id);
        }
        long ins = 0, upd = 0;
        if (!fs || xt_store_facility_import(s, &cli_actor, fs, nf, &ins, &upd, &err)) {
            xt_cli_error("access: facilities", &err);
            rc = -1;
        } else {
            printf("facilities: %ld added, %ld updated\n", ins, upd);
        }
        free(fs);
    }
    const char *pout = xt_opt(o, "places-out", NULL);
    if (!rc && pout) {
        FILE *fp = fopen(pout, "w");
        if (!fp) {
            fprintf(stderr, "xietong: access: cannot write '%s'\n", pout);
            rc = -1;
        } else {
            fprintf(fp, "code,name,lat,lon,population,place\n");
            long k = 0;
            for (size_t i = 0; i < np; i++)
                if (pois[i].kind == XT_POI_PLACE) {
                    /* names with quotes or commas are quoted (RFC 4180) */
                    fprintf(fp, "osm:%c%lld,\"", pois[i].osm_type, pois[i].osm_id);
                    for (const char *c = pois[i].name; *c; c++)
                        fputs(*c == '"' ? "\"\"" : (char[2]){*c, 0}, fp);
                    fprintf(fp, "\",%.7f,%.7f,%ld,%s\n", pois[i].lat, pois[i].lon,
                            pois[i].population, pois[i].place);
                    k++;
                }
            fclose(fp);
            printf("%ld places written to %s\n", k, pout);
        }
    }
    free(pois);
    xt_roadnet_release(&net);
    xt_store_close(s);
    return rc ? 1 : 0;
}

static int cmd_import_edges(const struct xt_opts *o)
{
    const char *file = xt_opt_arg(o, 1);
    if (!file) {
        fprintf(stderr, "xietong: access import-edges: FILE (CSV) is required\n");
        return 2;
    }
    struct xt_speeds sp;
    if (load_speeds(o, &sp))
        return 1;
    struct xt_roadnet net;
    struct xt_import_counts cnt;
    struct xt_error err = {0};
    if (xt_roadnet_import_edges(&net, &sp, file, &cnt, &err)) {
        xt_cli_error("access: import-edges", &err);
        return 1;
    }
    struct xt_store *s;
    if (xt_cli_open(o, &s)) {
        xt_roadnet_release(&net);
        return 1;
    }
    int rc = save_roads(s, &net, false);
    xt_roadnet_release(&net);
    xt_store_close(s);
    return rc ? 1 : 0;
}

/* ---- the demo region's generated network ---- */

struct gnode {
    double lat, lon;
    int level;
    const struct xt_plan_place *place;
};

static double gdist(const struct gnode *a, const struct gnode *b)
{
    return xt_geo_dist_m(a->lat, a->lon, b->lat, b->lon);
}

/* Villages, townships and the county seats of a region, joined by a
 * minimum spanning tree (Prim) plus, for every node, a road to its two
 * nearest neighbours: mountain roads (class "generated", 25 km/h) with a
 * detour factor of 1.5 over the straight line; roads between townships
 * and county seats are secondary roads with a detour of 1.3. Then demo
 * facilities: a township health centre, a primary school, a service hall
 * and a cultural station at each township seat, a secondary school and a
 * hospital at each county seat, a clinic in every second village and an
 * elderly-care centre in every fifth. All of it is generated. */
int xt_cli_access_generate(struct xt_store *s, const char *within, bool quiet)
{
    struct xt_plan_place *pl[3] = {NULL, NULL, NULL};
    size_t npl[3] = {0, 0, 0};
    int levels[3] = {XT_LEVEL_COUNTY, XT_LEVEL_TOWNSHIP, XT_LEVEL_VILLAGE};
    int rc = 0;
    for (int l = 0; l < 3 && !rc; l++)
        rc = xt_store_plan_places(s, within, levels[l], &pl[l], &npl[l]);
    size_t n = npl[0] + npl[1] + npl[2];
    struct gnode *g = rc ? NULL : calloc(n ? n : 1, sizeof(*g));
    struct xt_speeds sp;
    xt_speeds_default(&sp);
    struct xt_roadnet net = {0};
    if (!g || n < 2) {
        fprintf(stderr, "xietong: access generate: no units with positions (run `xietong "
                        "grids` or `xietong demo` first)\n");
        rc = -1;
        goto out;
    }
    size_t k = 0;
    for (int l = 0; l < 3; l++)
        for (size_t i = 0; i < npl[l]; i++)
            g[k++] = (struct gnode){pl[l][i].lat, pl[l][i].lon, levels[l], &pl[l][i]};
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t id;
        rc = xt_roadnet_add_node(&net, g[i].lat, g[i].lon, NAN, &id);
    }
    double *best = malloc(n * sizeof(double));
    size_t *from = malloc(n * sizeof(size_t));
    char *in = calloc(n, 1);
    unsigned char *adj = calloc(n, 1); /* degree, for the extra roads */
    if (!best || !from || !in || !adj) {
        free(best);
        free(from);
        free(in);
        free(adj);
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        best[i] = INFINITY;
        from[i] = 0;
    }
    best[0] = 0;
    long roads = 0;
    for (size_t step = 0; step < n && !rc; step++) {
        size_t u = n;
        for (size_t i = 0; i < n; i++)
            if (!in[i] && (u == n || best[i] < best[u]))
                u = i;
        in[u] = 1;
        if (step > 0) {
            bool major = g[u].level < XT_LEVEL_VILLAGE && g[from[u]].level < XT_LEVEL_VILLAGE;
            rc = xt_roadnet_add_edge(&net, &sp, (uint32_t)from[u], (uint32_t)u,
                                     major ? XT_HW_secondary : XT_HW_generated, 0,
                                     major ? 1.3 : 1.5);
            roads++;
        }
        for (size_t i = 0; i < n; i++)
            if (!in[i]) {
                double d = gdist(&g[u], &g[i]);
                if (d < best[i]) {
                    best[i] = d;
                    from[i] = u;
                }
            }
    }
    /* two nearest neighbours of each node (loops make the network a mesh) */
    for (size_t u = 0; u < n && !rc; u++) {
        size_t nb[2] = {n, n};
        for (size_t i = 0; i < n; i++) {
            if (i == u)
                continue;
            double d = gdist(&g[u], &g[i]);
            if (nb[0] == n || d < gdist(&g[u], &g[nb[0]])) {
                nb[1] = nb[0];
                nb[0] = i;
            } else if (nb[1] == n || d < gdist(&g[u], &g[nb[1]])) {
                nb[1] = i;
            }
        }
        for (int q = 0; q < 2 && !rc; q++)
            if (nb[q] != n && nb[q] > u) {
                rc = xt_roadnet_add_edge(&net, &sp, (uint32_t)u, (uint32_t)nb[q], XT_HW_generated,
                                         0, 1.5);
                roads++;
            }
    }
    free(best);
    free(from);
    free(in);
    free(adj);
    if (rc || save_roads(s, &net, quiet)) {
        rc = -1;
        goto out;
    }
    if (!quiet)
        printf("generated demo road network: %zu places, %ld roads (not surveyed: the demo "
               "region has no public road data)\n",
               n, roads);
    /* demo facilities */
    struct xt_facility *fs = calloc(n * 4, sizeof(*fs));
    size_t nf = 0;
    if (!fs) {
        rc = -1;
        goto out;
    }
#define DEMO_FAC(place, t, cap)                                                                    \
    do {                                                                                           \
        struct xt_facility *f = &fs[nf++];                                                         \
        f->type = (t);                                                                             \
        snprintf(f->name, sizeof(f->name), "%.180s%s(演示)", (place)->name,                        \
                 xt_facility_type_zh(t));                                                          \
        f->lat = (place)->lat + 0.002;                                                             \
        f->lon = (place)->lon + 0.002;                                                             \
        f->has_capacity = true;                                                                    \
        f->capacity = (cap);                                                                       \
        snprintf(f->unit, sizeof(f->unit), "%s", (place)->code);                                   \
        snprintf(f->source, sizeof(f->source), "demo");                                            \
        snprintf(f->source_ref, sizeof(f->source_ref), "%s-%d", (place)->code, (t));               \
    } while (0)
    for (size_t i = 0; i < npl[0]; i++) {
        DEMO_FAC(&pl[0][i], XT_FT_secondary_school, 1500);
        DEMO_FAC(&pl[0][i], XT_FT_hospital, 400);
    }
    for (size_t i = 0; i < npl[1]; i++) {
        DEMO_FAC(&pl[1][i], XT_FT_township_health_centre, 40);
        DEMO_FAC(&pl[1][i], XT_FT_primary_school, 600);
        DEMO_FAC(&pl[1][i], XT_FT_service_hall, 20);
        DEMO_FAC(&pl[1][i], XT_FT_cultural_station, 10);
    }
    for (size_t i = 0; i < npl[2]; i++) {
        if (i % 2 == 0)
            DEMO_FAC(&pl[2][i], XT_FT_village_clinic, 2);
        if (i % 5 == 0)
            DEMO_FAC(&pl[2][i], XT_FT_elderly_care, 30);
    }
#undef DEMO_FAC
    long ins = 0, upd = 0;
    struct xt_error err = {0};
    if (xt_store_facility_import(s, &cli_actor, fs, nf, &ins, &upd, &err)) {
        xt_cli_error("access: demo facilities", &err);
        rc = -1;
    } else if (!quiet) {
        printf("demo facilities (generated): %ld added, %ld updated\n", ins, upd);
    }
    free(fs);
out:
    free(g);
    for (int l = 0; l < 3; l++)
        free(pl[l]);
    xt_roadnet_release(&net);
    return rc ? 1 : 0;
}

static int cmd_generate(const struct xt_opts *o)
{
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    int rc = xt_cli_access_generate(s, xt_opt(o, "within", ""), false);
    xt_store_close(s);
    return rc;
}

/* ---- facilities ---- */

static void print_fac(const struct xt_facility *f)
{
    printf("%lld\t%s\t%s\t%.6f\t%.6f\t%s\t%s\t%s:%s\n", (long long)f->id,
           xt_facility_type_code(f->type), f->name, f->lat, f->lon, f->has_capacity ? "" : "-",
           f->unit, f->source, f->source_ref);
}

static int print_fac_cb(void *ctx, const struct xt_facility *f)
{
    (void)ctx;
    print_fac(f);
    return 0;
}

static int read_num(const char *s, double lo, double hi, double *out)
{
    char *e;
    if (!s || !*s)
        return -1;
    double v = strtod(s, &e);
    if (*e || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

static int facilities_csv(struct xt_store *s, const char *file)
{
    struct xt_csv c;
    if (xt_csv_open(&c, file)) {
        fprintf(stderr, "xietong: access facilities import: cannot open '%s'\n", file);
        return 1;
    }
    int rc = xt_csv_next(&c);
    int it = xt_csv_index(&c, "type"), in = xt_csv_index(&c, "name"), ila = xt_csv_index(&c, "lat"),
        ilo = xt_csv_index(&c, "lon"), ic = xt_csv_index(&c, "capacity"),
        iu = xt_csv_index(&c, "unit"), ir = xt_csv_index(&c, "ref");
    if (rc != 1 || it < 0 || in < 0 || ila < 0 || ilo < 0) {
        fprintf(stderr,
                "xietong: access facilities import: '%s' needs columns "
                "type,name,lat,lon (and optional capacity,unit,ref)\n",
                file);
        xt_csv_close(&c);
        return 1;
    }
    struct xt_facility *fs = NULL;
    size_t n = 0, cap = 0;
    int bad = 0;
    while (!bad && (rc = xt_csv_next(&c)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct xt_facility *q = realloc(fs, cap * sizeof(*q));
            if (!q) {
                bad = 1;
                break;
            }
            fs = q;
        }
        struct xt_facility *f = &fs[n++];
        memset(f, 0, sizeof(*f));
#define COL(i) ((i) >= 0 && (i) < c.nfield ? c.field[i] : "")
        f->type = xt_facility_type_parse(COL(it));
        snprintf(f->name, sizeof(f->name), "%s", COL(in));
        if (read_num(COL(ila), -90, 90, &f->lat) || read_num(COL(ilo), -180, 180, &f->lon)) {
            fprintf(stderr,
                    "xietong: access facilities import: line %ld: lat/lon must be "
                    "numbers within -90..90 / -180..180\n",
                    c.line);
            bad = 1;
        }
        if (*COL(ic)) {
            f->has_capacity = true;
            if (read_num(COL(ic), 0, 1e7, &f->capacity)) {
                fprintf(stderr,
                        "xietong: access facilities import: line %ld: capacity must be 0..1e7\n",
                        c.line);
                bad = 1;
            }
        }
        snprintf(f->unit, sizeof(f->unit), "%s", COL(iu));
        snprintf(f->source, sizeof(f->source), "csv");
        if (*COL(ir))
            snprintf(f->source_ref, sizeof(f->source_ref), "%s", COL(ir));
        else
            snprintf(f->source_ref, sizeof(f->source_ref), "%.30s@%.5f,%.5f", f->name, f->lat,
                     f->lon);
#undef COL
    }
    xt_csv_close(&c);
    if (rc < 0 && !bad) {
        fprintf(stderr, "xietong: access facilities import: '%s' is not valid CSV\n", file);
        bad = 1;
    }
    long ins = 0, upd = 0;
    struct xt_error err = {0};
    if (!bad && xt_store_facility_import(s, &cli_actor, fs, n, &ins, &upd, &err)) {
        xt_cli_error("access facilities import", &err);
        bad = 1;
    }
    if (!bad)
        printf("facilities: %ld added, %ld updated\n", ins, upd);
    free(fs);
    return bad;
}

static int cmd_facilities(const struct xt_opts *o)
{
    const char *what = xt_opt_arg(o, 1);
    if (!what) {
        fprintf(stderr, "xietong: access facilities list|import FILE|add|delete --id N\n");
        return 2;
    }
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    int rc = 0;
    struct xt_error err = {0};
    if (!strcmp(what, "list")) {
        const char *t = xt_opt(o, "type", NULL);
        int type = t ? xt_facility_type_parse(t) : -1;
        if (t && type < 0) {
            fprintf(stderr, "xietong: access facilities: --type: unknown facility type '%s'\n", t);
            rc = 1;
        } else {
            rc = xt_store_facility_list(s, type, xt_opt(o, "unit", ""), print_fac_cb, NULL) ? 1 : 0;
        }
    } else if (!strcmp(what, "import")) {
        const char *file = xt_opt_arg(o, 2);
        rc = file ? facilities_csv(s, file) : 2;
        if (!file)
            fprintf(stderr, "xietong: access facilities import FILE\n");
    } else if (!strcmp(what, "add")) {
        struct xt_facility f = {0};
        f.type = xt_facility_type_parse(xt_opt(o, "type", ""));
        snprintf(f.name, sizeof(f.name), "%s", xt_opt(o, "name", ""));
        f.lat = strtod(xt_opt(o, "lat", "nan"), NULL);
        f.lon = strtod(xt_opt(o, "lon", "nan"), NULL);
        const char *cap = xt_opt(o, "capacity", NULL);
        if (cap) {
            f.has_capacity = true;
            f.capacity = strtod(cap, NULL);
        }
        snprintf(f.unit, sizeof(f.unit), "%s", xt_opt(o, "unit", ""));
        if (xt_store_facility_create(s, &cli_actor, &f, &err)) {
            xt_cli_error("access facilities add", &err);
            rc = 1;
        } else {
            print_fac(&f);
        }
    } else if (!strcmp(what, "delete")) {
        long long id = strtoll(xt_opt(o, "id", "0"), NULL, 10);
        if (xt_store_facility_delete(s, &cli_actor, id, &err)) {
            xt_cli_error("access facilities delete", &err);
            rc = 1;
        }
    } else {
        fprintf(stderr, "xietong: access facilities: unknown action '%s'\n", what);
        rc = 2;
    }
    xt_store_close(s);
    return rc;
}

/* ---- reports ---- */

static int places_csv(const char *file, struct xt_plan_place **out, size_t *n)
{
    struct xt_csv c;
    if (xt_csv_open(&c, file)) {
        fprintf(stderr, "xietong: access: cannot open '%s'\n", file);
        return -1;
    }
    int rc = xt_csv_next(&c);
    int ic = xt_csv_index(&c, "code"), in = xt_csv_index(&c, "name"), ila = xt_csv_index(&c, "lat"),
        ilo = xt_csv_index(&c, "lon"), ip = xt_csv_index(&c, "population");
    if (rc != 1 || ila < 0 || ilo < 0) {
        fprintf(stderr, "xietong: access: '%s' needs columns lat,lon (and code,name,population)\n",
                file);
        xt_csv_close(&c);
        return -1;
    }
    struct xt_plan_place *p = NULL;
    size_t k = 0, cap = 0;
    while ((rc = xt_csv_next(&c)) == 1) {
        if (k == cap) {
            cap = cap ? cap * 2 : 64;
            struct xt_plan_place *q = realloc(p, cap * sizeof(*q));
            if (!q) {
                rc = -1;
                break;
            }
            p = q;
        }
        struct xt_plan_place *x = &p[k];
        memset(x, 0, sizeof(*x));
#define COL(i) ((i) >= 0 && (i) < c.nfield ? c.field[i] : "")
        if (read_num(COL(ila), -90, 90, &x->lat) || read_num(COL(ilo), -180, 180, &x->lon)) {
            fprintf(stderr, "xietong: access: '%s' line %ld: lat/lon must be numbers\n", file,
                    c.line);
            rc = -1;
            break;
        }
        snprintf(x->code, sizeof(x->code), "%s", COL(ic));
        snprintf(x->name, sizeof(x->name), "%s", COL(in));
        x->population = strtod(*COL(ip) ? COL(ip) : "0", NULL);
        if (!(x->population >= 0))
            x->population = 0;
#undef COL
        x->level = XT_LEVEL_VILLAGE;
        x->vulnerable = -1;
        k++;
    }
    xt_csv_close(&c);
    if (rc < 0) {
        free(p);
        return -1;
    }
    *out = p;
    *n = k;
    return 0;
}

static const char *unit_name(void *ctx, const char *code)
{
    return xt_store_unit_name(ctx, code);
}

static bool network_generated(const struct xt_roadnet *net)
{
    for (size_t e = 0; e < net->n_edges; e++)
        if (net->edges[e].cls == XT_HW_generated)
            return true;
    return false;
}

static int cmd_report(const struct xt_opts *o, const char *what)
{
    const char *tname = xt_opt(o, "type", NULL);
    int type = xt_facility_type_parse(tname);
    int mode = xt_plan_mode_parse(xt_opt(o, "mode", "car"));
    if (type < 0 || mode < 0) {
        fprintf(stderr, "xietong: access %s: --type must be one of", what);
        for (int t = 0; t < XT_FT_N; t++)
            fprintf(stderr, " %s", xt_facility_type_code(t));
        fprintf(stderr, "; --mode car|foot\n");
        return 2;
    }
    struct xt_standards std;
    xt_standards_default(&std);
    struct xt_error err = {0};
    const char *sf = xt_opt(o, "standards", NULL);
    if (sf && xt_standards_load(&std, sf, &err)) {
        xt_cli_error("access: standards", &err);
        return 1;
    }
    struct xt_store *s;
    if (xt_cli_open(o, &s))
        return 1;
    struct xt_roadnet net = {0};
    struct xt_reach r = {0};
    struct xt_plan_place *pl = NULL;
    struct xt_plan_fac *fac = NULL;
    size_t npl = 0, nfac = 0;
    struct json_object *res = NULL;
    char path[1100];
    int rc = xt_store_roads_path(s, path, sizeof(path));
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!rc && xt_roadnet_load(&net, path, &err)) {
        xt_cli_error("access: road network (run `xietong access import-osm` or `generate`)", &err);
        rc = -1;
        goto out;
    }
    double t_load = secs_since(&t0);
    const char *pf = xt_opt(o, "places", NULL);
    if (pf) {
        rc = places_csv(pf, &pl, &npl);
    } else {
        int level = xt_unit_level_parse(xt_opt(o, "level", "village"));
        if (level != XT_LEVEL_VILLAGE && level != XT_LEVEL_GRID) {
            fprintf(stderr, "xietong: access: --level must be village or grid\n");
            rc = -1;
        } else {
            rc = xt_store_plan_places(s, xt_opt(o, "within", ""), level, &pl, &npl);
        }
    }
    if (!rc)
        rc = xt_store_plan_facilities(s, -1, &fac, &nfac);
    struct xt_speeds sp;
    xt_speeds_default(&sp);
    if (!rc)
        rc = xt_reach_init(&r, &net, &sp);
    if (rc)
        goto out;
    struct xt_plan_input in = {pl, npl, fac, nfac, &std, network_generated(&net), unit_name, s};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!strcmp(what, "travel")) {
        rc = xt_plan_travel(&r, &in, type, mode, &res);
    } else if (!strcmp(what, "coverage")) {
        rc = xt_plan_coverage(&r, &in, type, mode, &res);
    } else if (!strcmp(what, "score")) {
        rc = xt_plan_scores(&r, &in, type, mode, &res);
    } else if (!strcmp(what, "bands")) {
        rc = xt_plan_bands(&r, &in, type, mode, &res);
    } else {
        struct xt_plan_site_opts so = {type, mode, XT_PLAN_MCLP,
                                       (size_t)strtol(xt_opt(o, "k", "1"), NULL, 10),
                                       xt_opt_flag(o, "exact"), -1,
                                       xt_opt_flag(o, "ignore-existing-capacity")};
        const char *cc = xt_opt(o, "candidate-capacity", NULL);
        if (cc) {
            char *e = NULL;
            so.candidate_capacity = strtod(cc, &e);
            if (!*cc || *e || !(so.candidate_capacity >= 0 && so.candidate_capacity <= 1e7)) {
                fprintf(stderr, "xietong: access site: --candidate-capacity must be a number of"
                                " people in 0..10000000\n");
                rc = -1;
                goto out;
            }
        }
        const char *obj = xt_opt(o, "objective", "mclp");
        if (!strcmp(obj, "pmedian"))
            so.objective = XT_PLAN_PMEDIAN;
        else if (strcmp(obj, "mclp") != 0) {
            fprintf(stderr, "xietong: access site: --objective must be mclp or pmedian\n");
            rc = -1;
            goto out;
        }
        if ((rc = xt_plan_site(&r, &in, &so, &res, &err))) {
            xt_cli_error("access site", &err);
            goto out;
        }
    }
    if (rc)
        goto out;
    fprintf(stderr,
            "access %s: %zu places, %zu facilities; network loaded in %.1f ms, report in "
            "%.1f ms\n",
            what, npl, nfac, t_load * 1000, secs_since(&t0) * 1000);
    const char *txt = json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN |
                                                              JSON_C_TO_STRING_NOSLASHESCAPE);
    const char *outf = xt_opt(o, "out", NULL);
    if (outf) {
        FILE *fp = fopen(outf, "w");
        if (!fp || fputs(txt, fp) < 0) {
            fprintf(stderr, "xietong: access: cannot write '%s'\n", outf);
            rc = -1;
        }
        if (fp)
            fclose(fp);
    } else {
        puts(txt);
    }
out:
    json_object_put(res);
    xt_reach_release(&r);
    xt_roadnet_release(&net);
    free(pl);
    free(fac);
    xt_store_close(s);
    return rc ? 1 : 0;
}

int xt_cli_access(const struct xt_opts *o)
{
    const char *sub = xt_opt_arg(o, 0);
    if (!sub) {
        fprintf(stderr, "xietong: access import-osm|import-edges|generate|facilities|travel|"
                        "coverage|score|site|bands ...\n");
        return 2;
    }
    if (!strcmp(sub, "import-osm"))
        return cmd_import_osm(o);
    if (!strcmp(sub, "import-edges"))
        return cmd_import_edges(o);
    if (!strcmp(sub, "generate"))
        return cmd_generate(o);
    if (!strcmp(sub, "facilities"))
        return cmd_facilities(o);
    if (!strcmp(sub, "travel") || !strcmp(sub, "coverage") || !strcmp(sub, "score") ||
        !strcmp(sub, "site") || !strcmp(sub, "bands"))
        return cmd_report(o, sub);
    fprintf(stderr, "xietong: access: unknown command '%s'\n", sub);
    return 2;
}
