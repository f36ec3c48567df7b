/* roadnet.c - road network, costs, CSR graphs, shortest paths and snapping
 * (see roadnet.h for the cost model). */
#include "core/roadnet.h"
#include "lib/csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RN_EARTH_M 6371008.8
#define RN_PI 3.14159265358979323846

static const char *const hw_names[XT_HW_N] = {
#define XT_HW_NAME(name, car, foot) #name,
    XT_HIGHWAY_CLASSES(XT_HW_NAME)
#undef XT_HW_NAME
};

int xt_highway_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < XT_HW_N; i++)
        if (strcmp(name, hw_names[i]) == 0)
            return i;
    return -1;
}

const char *xt_highway_name(int cls)
{
    return cls >= 0 && cls < XT_HW_N ? hw_names[cls] : "?";
}

void xt_speeds_default(struct xt_speeds *sp)
{
    static const double tab[XT_HW_N][XT_MODE_N] = {
#define XT_HW_SPEED(name, car, foot) {car, foot},
        XT_HIGHWAY_CLASSES(XT_HW_SPEED)
#undef XT_HW_SPEED
    };
    memcpy(sp->kmh, tab, sizeof(tab));
    sp->offroad_walk_kmh = 3.0;
}

int xt_speeds_load(struct xt_speeds *sp, const char *path, struct xt_error *err)
{
    struct xt_csv c;
    if (xt_csv_open(&c, path))
        return xt_error_set(err, XT_ENOTFOUND, "speeds", "cannot open '%s'", path);
    struct xt_speeds tmp = *sp;
    int rc = xt_csv_next(&c);
    int ic = xt_csv_index(&c, "class"), icar = xt_csv_index(&c, "car_kmh"),
        ifoot = xt_csv_index(&c, "foot_kmh");
    if (rc != 1 || ic < 0 || icar < 0 || ifoot < 0) {
        xt_csv_close(&c);
        return xt_error_set(err, XT_EINVAL, "speeds", "'%s' needs columns class,car_kmh,foot_kmh",
                            path);
    }
    while ((rc = xt_csv_next(&c)) == 1) {
        if (c.nfield <= ic || c.nfield <= icar || c.nfield <= ifoot) {
            rc = xt_error_set(err, XT_EINVAL, "speeds", "line %ld: missing columns", c.line);
            break;
        }
        int cls = xt_highway_parse(c.field[ic]);
        if (cls < 0) {
            rc = xt_error_set(err, XT_EINVAL, "speeds", "line %ld: unknown class '%s'", c.line,
                              c.field[ic]);
            break;
        }
        char *e1, *e2;
        double car = strtod(c.field[icar], &e1), foot = strtod(c.field[ifoot], &e2);
        if (*e1 || *e2 || !(car >= 0 && car <= 200) || !(foot >= 0 && foot <= 20)) {
            rc = xt_error_set(err, XT_EINVAL, "speeds",
                              "line %ld: speeds must be numbers, car 0..200 and foot 0..20 km/h",
                              c.line);
            break;
        }
        tmp.kmh[cls][XT_MODE_CAR] = car;
        tmp.kmh[cls][XT_MODE_FOOT] = foot;
    }
    xt_csv_close(&c);
    if (rc < 0) {
        if (!err || !err->code)
            xt_error_set(err, rc, "speeds", "'%s' is not valid CSV", path);
        return rc;
    }
    *sp = tmp;
    return 0;
}

/* ---- elevation ---- */

int xt_dem_load(struct xt_dem *d, const char *path, struct xt_error *err)
{
    memset(d, 0, sizeof(*d));
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char ns, ew;
    int la, lo;
    if (sscanf(base, "%c%2d%c%3d", &ns, &la, &ew, &lo) != 4 || (ns != 'N' && ns != 'S') ||
        (ew != 'E' && ew != 'W'))
        return xt_error_set(err, XT_EINVAL, "dem", "'%s' is not named like N42E001.hgt", base);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return xt_error_set(err, XT_ENOTFOUND, "dem", "cannot open '%s'", path);
    fseek(fp, 0, SEEK_END);
    long sz = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    int size = sz == 1201L * 1201 * 2 ? 1201 : sz == 3601L * 3601 * 2 ? 3601 : 0;
    if (!size) {
        fclose(fp);
        return xt_error_set(err, XT_EINVAL, "dem", "'%s' is not an SRTM tile (%ld bytes)", base,
                            sz);
    }
    uint8_t *raw = malloc((size_t)sz);
    int16_t *h = malloc((size_t)size * size * sizeof(*h));
    if (!raw || !h || fread(raw, 1, (size_t)sz, fp) != (size_t)sz) {
        fclose(fp);
        free(raw);
        free(h);
        return xt_error_set(err, XT_EIO, "dem", "cannot read '%s'", base);
    }
    fclose(fp);
    for (size_t i = 0; i < (size_t)size * size; i++)
        h[i] = (int16_t)((uint16_t)raw[2 * i] << 8 | raw[2 * i + 1]);
    free(raw);
    d->size = size;
    d->lat0 = ns == 'N' ? la : -la;
    d->lon0 = ew == 'E' ? lo : -lo;
    d->h = h;
    return 0;
}

double xt_dem_height(const struct xt_dem *d, double lat, double lon)
{
    if (!d || !d->h)
        return NAN;
    double fy = (d->lat0 + 1 - lat) * (d->size - 1), fx = (lon - d->lon0) * (d->size - 1);
    if (!(fx >= 0 && fy >= 0 && fx <= d->size - 1 && fy <= d->size - 1))
        return NAN;
    int x = (int)fx, y = (int)fy;
    if (x >= d->size - 1)
        x = d->size - 2;
    if (y >= d->size - 1)
        y = d->size - 2;
    double tx = fx - x, ty = fy - y;
    const int16_t *r0 = d->h + (size_t)y * d->size, *r1 = r0 + d->size;
    int16_t a = r0[x], b = r0[x + 1], c = r1[x], e = r1[x + 1];
    if (a == -32768 || b == -32768 || c == -32768 || e == -32768)
        return NAN;
    return (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + e * tx) * ty;
}

void xt_dem_release(struct xt_dem *d)
{
    if (!d)
        return;
    free(d->h);
    memset(d, 0, sizeof(*d));
}

/* ---- network ---- */

double xt_geo_dist_m(double lat1, double lon1, double lat2, double lon2)
{
    double r = RN_PI / 180.0;
    double dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * r) * cos(lat2 * r) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * RN_EARTH_M * asin(sqrt(a < 1 ? a : 1));
}

void xt_roadnet_release(struct xt_roadnet *net)
{
    if (!net)
        return;
    if (net->block) {
        free(net->block);
    } else {
        free(net->lat);
        free(net->lon);
        free(net->elev);
        free(net->edges);
    }
    memset(net, 0, sizeof(*net));
}

int xt_roadnet_add_node(struct xt_roadnet *net, double lat, double lon, float elev, uint32_t *id)
{
    if (net->block)
        return XT_ESTATE;
    if (net->n_nodes >= UINT32_MAX - 1)
        return XT_ETOOBIG;
    if (net->n_nodes == net->cap_nodes) {
        size_t cap = net->cap_nodes ? net->cap_nodes * 2 : 1024;
        double *la = realloc(net->lat, cap * sizeof(*la));
        if (la)
            net->lat = la;
        double *lo = realloc(net->lon, cap * sizeof(*lo));
        if (lo)
            net->lon = lo;
        float *el = realloc(net->elev, cap * sizeof(*el));
        if (el)
            net->elev = el;
        if (!la || !lo || !el)
            return XT_ENOMEM;
        net->cap_nodes = cap;
    }
    net->lat[net->n_nodes] = lat;
    net->lon[net->n_nodes] = lon;
    net->elev[net->n_nodes] = elev;
    *id = (uint32_t)net->n_nodes++;
    return 0;
}

uint32_t xt_road_cost(const struct xt_speeds *sp, int cls, int mode, double length_m, double grade)
{
    double kmh = sp->kmh[cls][mode];
    if (!(kmh > 0))
        return XT_COST_NONE;
    double secs;
    if (mode == XT_MODE_FOOT) {
        double v = kmh * exp(-3.5 * fabs(grade + 0.05)) / exp(-3.5 * 0.05);
        secs = length_m * sqrt(1 + grade * grade) / (v / 3.6);
    } else {
        double f = 1 + 4 * fmax(0, fabs(grade) - 0.04);
        secs = length_m / (kmh / 3.6) * (f < 2 ? f : 2);
    }
    double ds = floor(secs * 10 + 0.5);
    return ds < 1 ? 1 : ds > 4e9 ? 4000000000u : (uint32_t)ds;
}

int xt_roadnet_add_edge(struct xt_roadnet *net, const struct xt_speeds *sp, uint32_t u, uint32_t v,
                        int cls, int oneway, double detour)
{
    if (net->block)
        return XT_ESTATE;
    if (u >= net->n_nodes || v >= net->n_nodes || cls < 0 || cls >= XT_HW_N)
        return XT_EINVAL;
    if (net->n_edges == net->cap_edges) {
        size_t cap = net->cap_edges ? net->cap_edges * 2 : 1024;
        struct xt_road_edge *e = realloc(net->edges, cap * sizeof(*e));
        if (!e)
            return XT_ENOMEM;
        net->edges = e;
        net->cap_edges = cap;
    }
    struct xt_road_edge *e = &net->edges[net->n_edges];
    memset(e, 0, sizeof(*e));
    double len = xt_geo_dist_m(net->lat[u], net->lon[u], net->lat[v], net->lon[v]) * detour;
    double grade = 0;
    if (len > 1 && !isnan(net->elev[u]) && !isnan(net->elev[v])) {
        grade = (net->elev[v] - net->elev[u]) / len;
        if (grade > 1)
            grade = 1;
        if (grade < -1)
            grade = -1;
    }
    e->u = u;
    e->v = v;
    e->length_m = (float)len;
    e->cls = (uint8_t)cls;
    for (int m = 0; m < XT_MODE_N; m++) {
        e->cost[m][0] = xt_road_cost(sp, cls, m, len, grade);
        e->cost[m][1] = xt_road_cost(sp, cls, m, len, -grade);
    }
    if (oneway == 1)
        e->cost[XT_MODE_CAR][1] = XT_COST_NONE;
    else if (oneway == -1)
        e->cost[XT_MODE_CAR][0] = XT_COST_NONE;
    net->n_edges++;
    return 0;
}

/* ---- binary file ---- */

struct rn_header {
    char magic[8];
    uint64_t n_nodes, n_edges;
};

int xt_roadnet_save(const struct xt_roadnet *net, const char *path, struct xt_error *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return xt_error_set(err, XT_EIO, "graph", "cannot write '%s'", tmp);
    struct rn_header h = {{'X', 'T', 'R', 'O', 'A', 'D', 'S', '1'}, net->n_nodes, net->n_edges};
    size_t n = net->n_nodes;
    int ok = fwrite(&h, sizeof(h), 1, fp) == 1 && fwrite(net->lat, sizeof(double), n, fp) == n &&
             fwrite(net->lon, sizeof(double), n, fp) == n &&
             fwrite(net->elev, sizeof(float), n, fp) == n;
    if (ok && n % 2) {
        float pad = 0;
        ok = fwrite(&pad, sizeof(pad), 1, fp) == 1;
    }
    ok = ok && fwrite(net->edges, sizeof(*net->edges), net->n_edges, fp) == net->n_edges;
    ok = fclose(fp) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return xt_error_set(err, XT_EIO, "graph", "cannot write '%s'", path);
    }
    return 0;
}

int xt_roadnet_load(struct xt_roadnet *net, const char *path, struct xt_error *err)
{
    memset(net, 0, sizeof(*net));
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return xt_error_set(err, XT_ENOTFOUND, "graph", "cannot open '%s'", path);
    fseek(fp, 0, SEEK_END);
    long sz = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    if (sz < (long)sizeof(struct rn_header)) {
        fclose(fp);
        return xt_error_set(err, XT_EINVAL, "graph", "'%s' is not a road network file", path);
    }
    char *block = malloc((size_t)sz);
    if (!block) {
        fclose(fp);
        return xt_error_set(err, XT_ENOMEM, "graph", "out of memory");
    }
    size_t got = fread(block, 1, (size_t)sz, fp);
    fclose(fp);
    struct rn_header h;
    memcpy(&h, block, sizeof(h));
    if (got != (size_t)sz || memcmp(h.magic, "XTROADS1", 8) != 0 || h.n_nodes >= UINT32_MAX ||
        h.n_edges >= ((uint64_t)1 << 40)) {
        free(block);
        return xt_error_set(err, XT_EINVAL, "graph", "'%s' is not a road network file", path);
    }
    size_t n = h.n_nodes, fl = n + (n % 2);
    uint64_t want = sizeof(h) + n * 16 + fl * 4 + h.n_edges * sizeof(struct xt_road_edge);
    if (want != (uint64_t)sz) {
        free(block);
        return xt_error_set(err, XT_EINVAL, "graph",
                            "'%s' is truncated or damaged (%ld bytes, header says %llu)", path, sz,
                            (unsigned long long)want);
    }
    net->block = block;
    net->n_nodes = n;
    net->n_edges = h.n_edges;
    net->lat = (double *)(block + sizeof(h));
    net->lon = net->lat + n;
    net->elev = (float *)(net->lon + n);
    net->edges = (struct xt_road_edge *)(net->elev + fl);
    for (size_t i = 0; i < net->n_edges; i++)
        if (net->edges[i].u >= n || net->edges[i].v >= n || net->edges[i].cls >= XT_HW_N) {
            xt_roadnet_release(net);
            return xt_error_set(err, XT_EINVAL, "graph", "'%s': edge %zu is damaged", path, i);
        }
    return 0;
}

/* ---- edge-list CSV ---- */

struct id_map {
    char **key;
    uint32_t *val;
    size_t cap, n;
};

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int id_map_get(struct id_map *m, const char *k, uint32_t *v, bool *found, uint32_t newv)
{
    if (m->n * 2 >= m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        char **key = calloc(cap, sizeof(*key));
        uint32_t *val = calloc(cap, sizeof(*val));
        if (!key || !val) {
            free(key);
            free(val);
            return XT_ENOMEM;
        }
        for (size_t i = 0; i < m->cap; i++)
            if (m->key[i]) {
                size_t j = str_hash(m->key[i]) & (cap - 1);
                while (key[j])
                    j = (j + 1) & (cap - 1);
                key[j] = m->key[i];
                val[j] = m->val[i];
            }
        free(m->key);
        free(m->val);
        m->key = key;
        m->val = val;
        m->cap = cap;
    }
    size_t j = str_hash(k) & (m->cap - 1);
    while (m->key[j]) {
        if (strcmp(m->key[j], k) == 0) {
            *v = m->val[j];
            *found = true;
            return 0;
        }
        j = (j + 1) & (m->cap - 1);
    }
    if (!(m->key[j] = strdup(k)))
        return XT_ENOMEM;
    m->val[j] = *v = newv;
    m->n++;
    *found = false;
    return 0;
}

static void id_map_release(struct id_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->key[i]);
    free(m->key);
    free(m->val);
}

static int parse_coord(const char *s, double lo, double hi, double *out)
{
    char *e;
    double v = strtod(s, &e);
    if (e == s || *e || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

int xt_roadnet_import_edges(struct xt_roadnet *net, const struct xt_speeds *sp, const char *path,
                            struct xt_import_counts *cnt, struct xt_error *err)
{
    memset(net, 0, sizeof(*net));
    memset(cnt, 0, sizeof(*cnt));
    struct xt_csv c;
    if (xt_csv_open(&c, path))
        return xt_error_set(err, XT_ENOTFOUND, "edges", "cannot open '%s'", path);
    static const char *const cols[] = {"source",     "target",     "source_lat", "source_lon",
                                       "target_lat", "target_lon", "highway"};
    int ix[7];
    int rc = xt_csv_next(&c);
    for (int i = 0; i < 7; i++) {
        ix[i] = rc == 1 ? xt_csv_index(&c, cols[i]) : -1;
        if (ix[i] < 0) {
            xt_csv_close(&c);
            return xt_error_set(err, XT_EINVAL, "edges", "'%s' needs a column '%s'", path, cols[i]);
        }
    }
    int ilen = xt_csv_index(&c, "length_m"), ione = xt_csv_index(&c, "oneway");
    struct id_map map = {0};
    while ((rc = xt_csv_next(&c)) == 1) {
        double la[2], lo[2];
        bool bad = false;
        for (int i = 0; i < 7 && !bad; i++)
            bad = ix[i] >= c.nfield;
        if (bad) {
            rc = xt_error_set(err, XT_EINVAL, "edges", "line %ld: missing columns", c.line);
            break;
        }
        if (parse_coord(c.field[ix[2]], -90, 90, &la[0]) ||
            parse_coord(c.field[ix[3]], -180, 180, &lo[0]) ||
            parse_coord(c.field[ix[4]], -90, 90, &la[1]) ||
            parse_coord(c.field[ix[5]], -180, 180, &lo[1])) {
            rc = xt_error_set(err, XT_EINVAL, "edges",
                              "line %ld: coordinates must be latitude -90..90, longitude -180..180",
                              c.line);
            break;
        }
        int cls = xt_highway_parse(c.field[ix[6]]);
        if (cls < 0) {
            rc = xt_error_set(err, XT_EINVAL, "edges", "line %ld: unknown highway class '%s'",
                              c.line, c.field[ix[6]]);
            break;
        }
        uint32_t id[2];
        for (int k = 0; k < 2 && rc >= 0; k++) {
            bool found;
            rc = id_map_get(&map, c.field[ix[k]], &id[k], &found, (uint32_t)net->n_nodes);
            if (!rc && !found)
                rc = xt_roadnet_add_node(net, la[k], lo[k], NAN, &id[k]);
        }
        if (rc < 0)
            break;
        int oneway = 0;
        if (ione >= 0 && ione < c.nfield) {
            const char *o = c.field[ione];
            oneway = !strcmp(o, "yes") || !strcmp(o, "1") || !strcmp(o, "true") ? 1
                     : !strcmp(o, "-1")                                         ? -1
                                                                                : 0;
        }
        double detour = 1;
        if (ilen >= 0 && ilen < c.nfield && *c.field[ilen]) {
            double straight = xt_geo_dist_m(la[0], lo[0], la[1], lo[1]), len;
            if (parse_coord(c.field[ilen], 0, 1e6, &len)) {
                rc = xt_error_set(err, XT_EINVAL, "edges", "line %ld: length_m must be 0..1e6",
                                  c.line);
                break;
            }
            detour = straight > 0.01 ? len / straight : 1;
            if (straight <= 0.01 && len > 0.01) {
                /* coincident end points with a length: keep the length */
                detour = 1;
            }
        }
        if ((rc = xt_roadnet_add_edge(net, sp, id[0], id[1], cls, oneway, detour)))
            break;
        cnt->edges++;
    }
    xt_csv_close(&c);
    id_map_release(&map);
    if (rc < 0) {
        xt_roadnet_release(net);
        if (!err || !err->code)
            xt_error_set(err, rc, "edges", "cannot read '%s'", path);
        return err ? err->code : rc;
    }
    cnt->nodes = (long)net->n_nodes;
    return 0;
}

/* ---- CSR graph ---- */

int xt_graph_build(const struct xt_roadnet *net, int mode, bool reverse, struct xt_graph *g)
{
    memset(g, 0, sizeof(*g));
    uint32_t n = (uint32_t)net->n_nodes;
    size_t m = 0;
    for (size_t i = 0; i < net->n_edges; i++)
        m += (net->edges[i].cost[mode][0] != XT_COST_NONE) +
             (net->edges[i].cost[mode][1] != XT_COST_NONE);
    g->first = calloc((size_t)n + 1, sizeof(uint32_t));
    g->head = malloc((m ? m : 1) * sizeof(uint32_t));
    g->cost = malloc((m ? m : 1) * sizeof(uint32_t));
    if (!g->first || !g->head || !g->cost) {
        xt_graph_release(g);
        return XT_ENOMEM;
    }
    g->n = n;
    g->m = (uint32_t)m;
    /* arc d of edge e goes from a to b; forward graphs index it by a,
     * reverse graphs by b */
    for (size_t i = 0; i < net->n_edges; i++) {
        const struct xt_road_edge *e = &net->edges[i];
        for (int d = 0; d < 2; d++)
            if (e->cost[mode][d] != XT_COST_NONE) {
                uint32_t a = d ? e->v : e->u, b = d ? e->u : e->v;
                g->first[(reverse ? b : a) + 1]++;
            }
    }
    for (uint32_t v = 0; v < n; v++)
        g->first[v + 1] += g->first[v];
    uint32_t *fill = malloc(((size_t)n + 1) * sizeof(uint32_t));
    if (!fill) {
        xt_graph_release(g);
        return XT_ENOMEM;
    }
    memcpy(fill, g->first, ((size_t)n + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < net->n_edges; i++) {
        const struct xt_road_edge *e = &net->edges[i];
        for (int d = 0; d < 2; d++)
            if (e->cost[mode][d] != XT_COST_NONE) {
                uint32_t a = d ? e->v : e->u, b = d ? e->u : e->v;
                uint32_t k = fill[reverse ? b : a]++;
                g->head[k] = reverse ? a : b;
                g->cost[k] = e->cost[mode][d];
            }
    }
    free(fill);
    return 0;
}

void xt_graph_release(struct xt_graph *g)
{
    if (!g)
        return;
    free(g->first);
    free(g->head);
    free(g->cost);
    memset(g, 0, sizeof(*g));
}

/* ---- contraction of pass-through nodes ---- */

struct arc3 {
    uint32_t from, to, cost;
};

int xt_graph_contract(const struct xt_graph *g, const uint8_t *keep, struct xt_graph *out,
                      uint32_t *map)
{
    memset(out, 0, sizeof(*out));
    uint32_t n = g->n;
    int rc = XT_ENOMEM;
    /* transpose, for the in-neighbours */
    uint32_t *rfirst = calloc((size_t)n + 1, sizeof(uint32_t));
    uint32_t *rhead = malloc((g->m ? g->m : 1) * sizeof(uint32_t));
    uint32_t(*nb)[2] = malloc((n ? n : 1) * sizeof(*nb));
    uint8_t *pass = calloc(n ? n : 1, 1);
    struct arc3 *arcs = NULL;
    size_t na = 0, ca = 0;
    if (!rfirst || !rhead || !nb || !pass)
        goto out;
    for (uint32_t v = 0; v < n; v++)
        for (uint32_t k = g->first[v]; k < g->first[v + 1]; k++)
            rfirst[g->head[k] + 1]++;
    for (uint32_t v = 0; v < n; v++)
        rfirst[v + 1] += rfirst[v];
    {
        uint32_t *fill = malloc(((size_t)n + 1) * sizeof(uint32_t));
        if (!fill)
            goto out;
        memcpy(fill, rfirst, ((size_t)n + 1) * sizeof(uint32_t));
        for (uint32_t v = 0; v < n; v++)
            for (uint32_t k = g->first[v]; k < g->first[v + 1]; k++)
                rhead[fill[g->head[k]]++] = v;
        free(fill);
    }
    /* a pass-through node has exactly two distinct neighbours */
    for (uint32_t v = 0; v < n; v++) {
        if (keep && keep[v])
            continue;
        uint32_t a = UINT32_MAX, b = UINT32_MAX;
        int cnt = 0;
        for (int dir = 0; dir < 2 && cnt <= 2; dir++) {
            const uint32_t *f = dir ? rfirst : g->first, *h = dir ? rhead : g->head;
            for (uint32_t k = f[v]; k < f[v + 1] && cnt <= 2; k++) {
                uint32_t w = h[k];
                if (w == v || w == a || w == b)
                    continue;
                if (cnt == 0)
                    a = w;
                else if (cnt == 1)
                    b = w;
                cnt++;
            }
        }
        if (cnt == 2) {
            pass[v] = 1;
            nb[v][0] = a;
            nb[v][1] = b;
        } else if (cnt == 0) {
            pass[v] = 2; /* no arcs in this mode: dropped, never on a path */
        }
    }
    uint32_t nn = 0;
    for (uint32_t v = 0; v < n; v++)
        map[v] = pass[v] ? UINT32_MAX : nn++;
    /* follow every arc out of a kept node through pass-through nodes */
    for (uint32_t u = 0; u < n; u++) {
        if (pass[u])
            continue;
        for (uint32_t k = g->first[u]; k < g->first[u + 1]; k++) {
            uint32_t prev = u, cur = g->head[k];
            uint64_t cost = g->cost[k];
            uint32_t steps = 0;
            while (pass[cur] == 1 && steps++ < n) {
                uint32_t next = nb[cur][0] == prev ? nb[cur][1] : nb[cur][0];
                uint32_t best = XT_COST_NONE;
                for (uint32_t q = g->first[cur]; q < g->first[cur + 1]; q++)
                    if (g->head[q] == next && g->cost[q] < best)
                        best = g->cost[q];
                if (best == XT_COST_NONE) {
                    cur = UINT32_MAX; /* a one-way dead end */
                    break;
                }
                cost += best;
                prev = cur;
                cur = next;
            }
            if (cur == UINT32_MAX || pass[cur] || cur == u || cost >= XT_COST_NONE)
                continue;
            if (na == ca) {
                size_t c = ca ? ca * 2 : 1024;
                struct arc3 *p = realloc(arcs, c * sizeof(*p));
                if (!p)
                    goto out;
                arcs = p;
                ca = c;
            }
            arcs[na++] = (struct arc3){map[u], map[cur], (uint32_t)cost};
        }
    }
    out->first = calloc((size_t)nn + 1, sizeof(uint32_t));
    out->head = malloc((na ? na : 1) * sizeof(uint32_t));
    out->cost = malloc((na ? na : 1) * sizeof(uint32_t));
    if (!out->first || !out->head || !out->cost) {
        xt_graph_release(out);
        goto out;
    }
    out->n = nn;
    out->m = (uint32_t)na;
    /* arcs were produced in order of their tail */
    for (size_t i = 0; i < na; i++) {
        out->first[arcs[i].from + 1]++;
        out->head[i] = arcs[i].to;
        out->cost[i] = arcs[i].cost;
    }
    for (uint32_t v = 0; v < nn; v++)
        out->first[v + 1] += out->first[v];
    rc = 0;
out:
    free(rfirst);
    free(rhead);
    free(nb);
    free(pass);
    free(arcs);
    return rc;
}

/* ---- Dijkstra, 4-ary heap keyed by dist[] ---- */

int xt_sp_init(struct xt_sp *sp, uint32_t n)
{
    memset(sp, 0, sizeof(*sp));
    size_t k = n ? n : 1;
    sp->dist = malloc(k * sizeof(uint32_t));
    sp->origin = malloc(k * sizeof(uint32_t));
    sp->heap = malloc(k * sizeof(uint32_t));
    sp->pos = malloc(k * sizeof(uint32_t));
    sp->touched = malloc(k * sizeof(uint32_t));
    if (!sp->dist || !sp->origin || !sp->heap || !sp->pos || !sp->touched) {
        xt_sp_release(sp);
        return XT_ENOMEM;
    }
    sp->n = n;
    for (uint32_t i = 0; i < n; i++) {
        sp->dist[i] = XT_COST_NONE;
        sp->origin[i] = XT_COST_NONE;
        sp->pos[i] = UINT32_MAX;
    }
    return 0;
}

void xt_sp_release(struct xt_sp *sp)
{
    if (!sp)
        return;
    free(sp->dist);
    free(sp->origin);
    free(sp->heap);
    free(sp->pos);
    free(sp->touched);
    memset(sp, 0, sizeof(*sp));
}

static void heap_up(struct xt_sp *sp, uint32_t i)
{
    uint32_t v = sp->heap[i], d = sp->dist[v];
    while (i > 0) {
        uint32_t p = (i - 1) / 4;
        uint32_t pv = sp->heap[p];
        if (sp->dist[pv] <= d)
            break;
        sp->heap[i] = pv;
        sp->pos[pv] = i;
        i = p;
    }
    sp->heap[i] = v;
    sp->pos[v] = i;
}

static uint32_t heap_pop(struct xt_sp *sp)
{
    uint32_t top = sp->heap[0];
    sp->pos[top] = UINT32_MAX;
    uint32_t last = sp->heap[--sp->heap_n];
    if (sp->heap_n == 0)
        return top;
    uint32_t i = 0, d = sp->dist[last], n = sp->heap_n;
    for (;;) {
        uint32_t c = 4 * i + 1;
        if (c >= n)
            break;
        uint32_t best = c, bd = sp->dist[sp->heap[c]];
        uint32_t end = c + 4 < n ? c + 4 : n;
        for (uint32_t k = c + 1; k < end; k++)
            if (sp->dist[sp->heap[k]] < bd) {
                bd = sp->dist[sp->heap[k]];
                best = k;
            }
        if (bd >= d)
            break;
        sp->heap[i] = sp->heap[best];
        sp->pos[sp->heap[i]] = i;
        i = best;
    }
    sp->heap[i] = last;
    sp->pos[last] = i;
    return top;
}

static void relax(struct xt_sp *sp, uint32_t v, uint32_t d, uint32_t tag)
{
    if (sp->dist[v] == XT_COST_NONE)
        sp->touched[sp->n_touched++] = v;
    else if (d >= sp->dist[v])
        return;
    sp->dist[v] = d;
    sp->origin[v] = tag;
    if (sp->pos[v] == UINT32_MAX) {
        sp->heap[sp->heap_n] = v;
        heap_up(sp, sp->heap_n++);
    } else {
        heap_up(sp, sp->pos[v]);
    }
}

void xt_sp_run(struct xt_sp *sp, const struct xt_graph *g, const struct xt_source *srcs,
               size_t n_srcs, uint32_t limit)
{
    xt_sp_run_until(sp, g, srcs, n_srcs, limit, NULL, 0);
}

void xt_sp_run_until(struct xt_sp *sp, const struct xt_graph *g, const struct xt_source *srcs,
                     size_t n_srcs, uint32_t limit, const uint8_t *is_target, uint32_t n_targets)
{
    for (uint32_t i = 0; i < sp->n_touched; i++) {
        uint32_t v = sp->touched[i];
        sp->dist[v] = XT_COST_NONE;
        sp->origin[v] = XT_COST_NONE;
        sp->pos[v] = UINT32_MAX;
    }
    sp->n_touched = 0;
    sp->heap_n = 0;
    for (size_t i = 0; i < n_srcs; i++)
        if (srcs[i].node < sp->n && srcs[i].cost <= limit && srcs[i].cost != XT_COST_NONE)
            relax(sp, srcs[i].node, srcs[i].cost, srcs[i].tag);
    const uint32_t *first = g->first, *head = g->head, *cost = g->cost;
    while (sp->heap_n) {
        uint32_t v = heap_pop(sp);
        if (is_target && is_target[v] && --n_targets == 0)
            break;
        uint32_t dv = sp->dist[v], tag = sp->origin[v];
        for (uint32_t k = first[v]; k < first[v + 1]; k++) {
            uint64_t nd = (uint64_t)dv + cost[k];
            if (nd > limit || nd >= XT_COST_NONE)
                continue;
            uint32_t w = head[k];
            if (nd < sp->dist[w])
                relax(sp, w, (uint32_t)nd, tag);
        }
    }
}

/* ---- snapping ---- */

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

int xt_snap_build(struct xt_snap *s, const struct xt_roadnet *net, const struct xt_graph *g)
{
    memset(s, 0, sizeof(*s));
    uint32_t n = g->n;
    uint32_t *parent = malloc((n ? n : 1) * sizeof(uint32_t));
    uint32_t *size = calloc(n ? n : 1, sizeof(uint32_t));
    if (!parent || !size) {
        free(parent);
        free(size);
        return XT_ENOMEM;
    }
    for (uint32_t v = 0; v < n; v++)
        parent[v] = v;
    for (uint32_t v = 0; v < n; v++)
        for (uint32_t k = g->first[v]; k < g->first[v + 1]; k++) {
            uint32_t a = uf_find(parent, v), b = uf_find(parent, g->head[k]);
            if (a != b)
                parent[a] = b;
        }
    uint32_t best = UINT32_MAX, best_size = 0;
    double la0 = 90, la1 = -90, lo0 = 180, lo1 = -180;
    for (uint32_t v = 0; v < n; v++) {
        if (g->first[v] == g->first[v + 1])
            continue;
        uint32_t r = uf_find(parent, v);
        if (++size[r] > best_size) {
            best_size = size[r];
            best = r;
        }
    }
    size_t cnt = 0;
    for (uint32_t v = 0; v < n; v++) {
        bool in = g->first[v] != g->first[v + 1] && uf_find(parent, v) == best;
        size[v] = in; /* reuse as the membership flag */
        if (in) {
            cnt++;
            la0 = fmin(la0, net->lat[v]);
            la1 = fmax(la1, net->lat[v]);
            lo0 = fmin(lo0, net->lon[v]);
            lo1 = fmax(lo1, net->lon[v]);
        }
    }
    free(parent);
    s->lat = net->lat;
    s->lon = net->lon;
    if (!cnt) {
        free(size);
        return 0;
    }
    double mid = (la0 + la1) / 2 * RN_PI / 180;
    s->cell_deg_lat = 1000.0 / RN_EARTH_M * 180 / RN_PI;
    s->cell_deg_lon = s->cell_deg_lat / fmax(0.05, cos(mid));
    s->lat0 = la0;
    s->lon0 = lo0;
    s->nx = (int)((lo1 - lo0) / s->cell_deg_lon) + 1;
    s->ny = (int)((la1 - la0) / s->cell_deg_lat) + 1;
    while ((size_t)s->nx * s->ny > 4 * cnt + 1024) { /* huge sparse areas: coarser cells */
        s->cell_deg_lat *= 2;
        s->cell_deg_lon *= 2;
        s->nx = (int)((lo1 - lo0) / s->cell_deg_lon) + 1;
        s->ny = (int)((la1 - la0) / s->cell_deg_lat) + 1;
    }
    size_t nc = (size_t)s->nx * s->ny;
    s->cell_first = calloc(nc + 1, sizeof(uint32_t));
    s->cell_nodes = malloc(cnt * sizeof(uint32_t));
    if (!s->cell_first || !s->cell_nodes) {
        free(size);
        xt_snap_release(s);
        return XT_ENOMEM;
    }
#define CELL_OF(v)                                                                                 \
    ((size_t)(int)((net->lat[v] - s->lat0) / s->cell_deg_lat) * s->nx +                            \
     (size_t)(int)((net->lon[v] - s->lon0) / s->cell_deg_lon))
    for (uint32_t v = 0; v < n; v++)
        if (size[v])
            s->cell_first[CELL_OF(v) + 1]++;
    for (size_t c = 0; c < nc; c++)
        s->cell_first[c + 1] += s->cell_first[c];
    uint32_t *fill = malloc(nc * sizeof(uint32_t));
    if (!fill) {
        free(size);
        xt_snap_release(s);
        return XT_ENOMEM;
    }
    memcpy(fill, s->cell_first, nc * sizeof(uint32_t));
    for (uint32_t v = 0; v < n; v++)
        if (size[v])
            s->cell_nodes[fill[CELL_OF(v)]++] = v;
#undef CELL_OF
    free(fill);
    free(size);
    return 0;
}

int xt_snap_find(const struct xt_snap *s, double lat, double lon, uint32_t *node, double *dist_m)
{
    if (!s->cell_first)
        return XT_ENOTFOUND;
    int cx = (int)floor((lon - s->lon0) / s->cell_deg_lon);
    int cy = (int)floor((lat - s->lat0) / s->cell_deg_lat);
    double cell_m = s->cell_deg_lat * RN_PI / 180 * RN_EARTH_M;
    double best = INFINITY;
    uint32_t bv = UINT32_MAX;
    int maxr = s->nx + s->ny + abs(cx) + abs(cy) + 2;
    for (int r = 0; r <= maxr; r++) {
        /* every node in ring r is at least (r - 1) cells away */
        if (bv != UINT32_MAX && (r - 1) * cell_m * 0.9 > best)
            break;
        for (int y = cy - r; y <= cy + r; y++) {
            if (y < 0 || y >= s->ny)
                continue;
            for (int x = cx - r; x <= cx + r; x++) {
                if (x < 0 || x >= s->nx)
                    continue;
                if (y != cy - r && y != cy + r && x != cx - r && x != cx + r)
                    continue;
                size_t c = (size_t)y * s->nx + x;
                for (uint32_t k = s->cell_first[c]; k < s->cell_first[c + 1]; k++) {
                    uint32_t v = s->cell_nodes[k];
                    double d = xt_geo_dist_m(lat, lon, s->lat[v], s->lon[v]);
                    if (d < best || (d == best && v < bv)) {
                        best = d;
                        bv = v;
                    }
                }
            }
        }
    }
    if (bv == UINT32_MAX)
        return XT_ENOTFOUND;
    *node = bv;
    *dist_m = best;
    return 0;
}

void xt_snap_release(struct xt_snap *s)
{
    if (!s)
        return;
    free(s->cell_first);
    free(s->cell_nodes);
    memset(s, 0, sizeof(*s));
}

uint32_t xt_walkin_cost(const struct xt_speeds *sp, double dist_m)
{
    double kmh = sp->offroad_walk_kmh > 0 ? sp->offroad_walk_kmh : 3.0;
    return (uint32_t)floor(dist_m / (kmh / 3.6) * 10 + 0.5);
}
