/* demogeo.c - deterministic demo positions and Voronoi polygons for the units
 * of one county. See demogeo.h for the method and why. */
#define GEOS_USE_ONLY_R_API
#include "core/demogeo.h"

#include <geos_c.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

#define DG_EARTH_KM 6371.0088
#define DG_PI 3.14159265358979323846
#define DG_GOLDEN_ANGLE 2.39996322972865332 /* radians; spreads points evenly */
#define DG_REGION_SIDES 96
#define DG_GHOSTS 48
#define DG_GHOST_RADIUS 3.0 /* in county radii */
#define DG_INSIDE 0.95      /* points stay within this share of the radius */
#define DG_MIN_SEP_KM 0.002
#define DG_MAX_TOTAL_GRIDS 200000
#define DG_NO_SITE ((size_t)-1)

/* ---- random numbers ---- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(uint64_t *state)
{
    return (double)(splitmix64(state) >> 11) * 0x1.0p-53;
}

/* A unit's own stream: the seed mixed with the FNV-1a hash of its code. */
static uint64_t rng_for(uint64_t seed, const char *code)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)code; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    uint64_t state = seed ^ h;
    return splitmix64(&state);
}

/* ---- the generator's state ---- */

struct dg_gen {
    GEOSContextHandle_t h;
    char geos_msg[200];
    const struct xt_demogeo_county *county;
    double radius; /* km */
    double deg_per_km_lat, deg_per_km_lon;

    struct xt_demogeo_unit *units;
    size_t nunits;
    double *ux, *uy; /* each unit's generated centre in km from the seat */

    size_t ngrids;
    size_t *grid_unit;     /* unit index of grid g */
    double *sx, *sy;       /* sites in degrees: grids first, then the ghosts */
    GEOSGeometry **cells;  /* grid g's clipped cell */
    GEOSGeometry **unions; /* per unit: a village's or township's union */
    double region[2 * DG_REGION_SIDES];
};

static void geos_message(const char *msg, void *userdata)
{
    struct dg_gen *g = userdata;
    snprintf(g->geos_msg, sizeof(g->geos_msg), "%s", msg);
}

static int geos_fail(struct dg_gen *g, struct xt_error *err, const char *what)
{
    return xt_error_set(err, XT_EIO, "", "geometry engine failed to %s: %s", what, g->geos_msg);
}

/* ---- input checks ---- */

struct dg_code_ref {
    const char *code;
    size_t t, v; /* v == DG_NO_SITE for a township */
};

static int cmp_code_ref(const void *a, const void *b)
{
    const struct dg_code_ref *p = a, *q = b;
    int c = strcmp(p->code, q->code);
    if (c)
        return c;
    /* Keep the input order among equals so the later one is named. */
    if (p->t != q->t)
        return p->t < q->t ? -1 : 1;
    return (p->v > q->v) - (p->v < q->v);
}

static bool has_prefix(const char *code, const char *parent)
{
    return strncmp(code, parent, strlen(parent)) == 0;
}

static int check_input(const struct xt_demogeo_county *c, size_t *ngrids_out, size_t *nvillages_out,
                       struct xt_error *err)
{
    char field[96]; /* xt_error keeps the first 63 characters */
    if (!c->code || xt_unit_level_of_code(c->code) != XT_LEVEL_COUNTY)
        return xt_error_set(err, XT_EINVAL, "county.code", "'%s' is not a county code",
                            c->code ? c->code : "");
    if (!(c->lat >= -80.0 && c->lat <= 80.0))
        return xt_error_set(err, XT_EINVAL, "county.lat", "must be within -80..80");
    if (!(c->lon >= -180.0 && c->lon <= 180.0))
        return xt_error_set(err, XT_EINVAL, "county.lon", "must be within -180..180");
    if (!(c->radius_km >= 0.5 && c->radius_km <= 500.0))
        return xt_error_set(err, XT_EINVAL, "county.radius_km", "must be within 0.5..500");
    /* The helper points lie furthest out; all of them must keep a plain
     * longitude. */
    double half_deg = DG_GHOST_RADIUS * c->radius_km / (DG_EARTH_KM * cos(c->lat * DG_PI / 180.0)) *
                      180.0 / DG_PI;
    if (c->lon - half_deg < -180.0 || c->lon + half_deg > 180.0)
        return xt_error_set(err, XT_EINVAL, "county.lon",
                            "the region must stay clear of the antimeridian");
    if (!c->townships || c->n_townships == 0)
        return xt_error_set(err, XT_EINVAL, "county.townships", "at least one is required");

    size_t ngrids = 0, nvillages = 0;
    for (size_t t = 0; t < c->n_townships; t++) {
        const struct xt_demogeo_township *tw = &c->townships[t];
        if (!tw->code || xt_unit_level_of_code(tw->code) != XT_LEVEL_TOWNSHIP ||
            !has_prefix(tw->code, c->code)) {
            snprintf(field, sizeof(field), "townships[%zu].code", t);
            return xt_error_set(err, XT_EINVAL, field,
                                "'%s' is not the code of a township of county '%s'",
                                tw->code ? tw->code : "", c->code);
        }
        if (tw->n_villages && !tw->villages) {
            snprintf(field, sizeof(field), "townships[%zu].villages", t);
            return xt_error_set(err, XT_EINVAL, field, "is missing");
        }
        for (size_t v = 0; v < tw->n_villages; v++) {
            const struct xt_demogeo_village *vi = &tw->villages[v];
            if (!vi->code || xt_unit_level_of_code(vi->code) != XT_LEVEL_VILLAGE ||
                !has_prefix(vi->code, tw->code)) {
                snprintf(field, sizeof(field), "townships[%zu].villages[%zu].code", t, v);
                return xt_error_set(err, XT_EINVAL, field,
                                    "'%s' is not the code of a village of township '%s'",
                                    vi->code ? vi->code : "", tw->code);
            }
            if (vi->grids < 1 || vi->grids > XT_DEMOGEO_MAX_GRIDS) {
                snprintf(field, sizeof(field), "townships[%zu].villages[%zu].grids", t, v);
                return xt_error_set(err, XT_EINVAL, field, "must be within 1..%d",
                                    XT_DEMOGEO_MAX_GRIDS);
            }
            ngrids += (size_t)vi->grids;
            if (ngrids > DG_MAX_TOTAL_GRIDS)
                return xt_error_set(err, XT_ETOOBIG, "county.townships",
                                    "more than %d grids in one county", DG_MAX_TOTAL_GRIDS);
        }
        nvillages += tw->n_villages;
    }

    /* A repeated code would give two units (and their grids) one code. */
    size_t nrefs = c->n_townships + nvillages, k = 0;
    struct dg_code_ref *refs = malloc(nrefs * sizeof(*refs));
    if (!refs)
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    for (size_t t = 0; t < c->n_townships; t++) {
        refs[k++] = (struct dg_code_ref){c->townships[t].code, t, DG_NO_SITE};
        for (size_t v = 0; v < c->townships[t].n_villages; v++)
            refs[k++] = (struct dg_code_ref){c->townships[t].villages[v].code, t, v};
    }
    qsort(refs, nrefs, sizeof(*refs), cmp_code_ref);
    int rc = 0;
    for (size_t i = 1; i < nrefs && !rc; i++) {
        if (strcmp(refs[i].code, refs[i - 1].code) != 0)
            continue;
        if (refs[i].v == DG_NO_SITE)
            snprintf(field, sizeof(field), "townships[%zu].code", refs[i].t);
        else
            snprintf(field, sizeof(field), "townships[%zu].villages[%zu].code", refs[i].t,
                     refs[i].v);
        rc = xt_error_set(err, XT_EINVAL, field, "'%s' is repeated", refs[i].code);
    }
    free(refs);
    *ngrids_out = ngrids;
    *nvillages_out = nvillages;
    return rc;
}

/* ---- positions ---- */

/* Fold a point that would leave the county back inside DG_INSIDE * R by
 * inversion in that circle, which keeps the direction and the spread. */
static void fold_inside(const struct dg_gen *g, double *x, double *y)
{
    double lim = DG_INSIDE * g->radius;
    double d = hypot(*x, *y);
    if (d <= lim)
        return;
    double f = lim * lim / (d * d);
    *x *= f;
    *y *= f;
}

/* Point k of n spread evenly (a sunflower pattern with jitter) over the
 * disk of radius r around (cx, cy). */
static void spread(uint64_t *rng, size_t k, size_t n, double r, double theta0, double cx, double cy,
                   double *x, double *y)
{
    double rr = r * sqrt(((double)k + 0.5) / (double)n) * (0.9 + 0.2 * rng_unit(rng));
    double th = theta0 + (double)k * DG_GOLDEN_ANGLE + (rng_unit(rng) - 0.5) * 0.6;
    *x = cx + rr * cos(th);
    *y = cy + rr * sin(th);
}

static void to_degrees(const struct dg_gen *g, double x, double y, double *lat, double *lon)
{
    *lat = g->county->lat + y * g->deg_per_km_lat;
    *lon = g->county->lon + x * g->deg_per_km_lon;
}

/* A point with its index, for sorting by x without a global. */
struct dg_key {
    double x, y;
    size_t i;
};

static int cmp_key_x(const void *a, const void *b)
{
    const struct dg_key *p = a, *q = b;
    if (p->x != q->x)
        return (p->x > q->x) - (p->x < q->x);
    return (p->i > q->i) - (p->i < q->i);
}

/* For each of the n points (x[idx[i]], y[idx[i]]), the distance to the
 * nearest other one into dist[i], or fallback when there is no other. */
static int nearest_other(const double *x, const double *y, const size_t *idx, size_t n,
                         double fallback, double *dist)
{
    struct dg_key *keys = malloc((n ? n : 1) * sizeof(*keys));
    size_t *pos = malloc((n ? n : 1) * sizeof(*pos));
    if (!keys || !pos) {
        free(keys);
        free(pos);
        return XT_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = (struct dg_key){x[idx[i]], y[idx[i]], i};
    qsort(keys, n, sizeof(*keys), cmp_key_x);
    for (size_t i = 0; i < n; i++)
        pos[keys[i].i] = i;
    for (size_t i = 0; i < n; i++) {
        size_t p = pos[i];
        double best = INFINITY;
        /* Scan outwards in x until the x gap alone exceeds the best. */
        for (size_t j = p + 1; j < n && keys[j].x - keys[p].x < best; j++)
            best = fmin(best, hypot(keys[j].x - keys[p].x, keys[j].y - keys[p].y));
        for (size_t j = p; j-- > 0 && keys[p].x - keys[j].x < best;)
            best = fmin(best, hypot(keys[j].x - keys[p].x, keys[j].y - keys[p].y));
        dist[i] = isfinite(best) ? best : fallback;
    }
    free(keys);
    free(pos);
    return 0;
}

/* Townships first, then villages, then grids. A unit's children spread
 * over at most 0.45 of the distance to the nearest unit of its own level,
 * so they stay on their parent's side of the Voronoi bisectors and the
 * unions of their cells come out in one piece (mostly: the ring of cells
 * still decides). */
static int place_units(struct dg_gen *g, uint64_t seed)
{
    const struct xt_demogeo_county *c = g->county;
    double R = g->radius;
    size_t nt = c->n_townships, nv = g->nunits - 1 - nt - g->ngrids;
    size_t *t_unit = malloc(nt * sizeof(size_t));
    size_t *v_unit = malloc((nv ? nv : 1) * sizeof(size_t));
    double *t_near = malloc(nt * sizeof(double));
    double *v_near = malloc((nv ? nv : 1) * sizeof(double));
    int rc = 0;
    if (!t_unit || !v_unit || !t_near || !v_near) {
        rc = XT_ENOMEM;
        goto out;
    }
    size_t u = 1, vi = 0, grid = 0;
    for (size_t t = 0; t < nt; t++) {
        t_unit[t] = u++;
        for (size_t v = 0; v < c->townships[t].n_villages; v++) {
            v_unit[vi++] = u++;
            for (int k = 0; k < c->townships[t].villages[v].grids; k++)
                g->grid_unit[grid++] = u++;
        }
    }

    g->ux[0] = g->uy[0] = 0;
    uint64_t rng = rng_for(seed, c->code);
    double theta0 = 2 * DG_PI * rng_unit(&rng);
    double r_in = fmin(0.35 * R, 1.2 * R / sqrt((double)nt)), r_out = 0.85 * R;
    for (size_t t = 0; t < nt; t++) {
        double tx, ty;
        if (t == 0) {
            double r = 0.03 * R * rng_unit(&rng), th = 2 * DG_PI * rng_unit(&rng);
            tx = r * cos(th);
            ty = r * sin(th);
        } else {
            /* Uniform by area over the ring from r_in to r_out. */
            double k = (double)(t - 1), m = (double)(nt - 1);
            double r = sqrt(r_in * r_in + (r_out * r_out - r_in * r_in) * (k + 0.5) / m) *
                       (0.94 + 0.12 * rng_unit(&rng));
            double th = theta0 + k * DG_GOLDEN_ANGLE + (rng_unit(&rng) - 0.5) * 0.5;
            tx = r * cos(th);
            ty = r * sin(th);
            fold_inside(g, &tx, &ty);
        }
        g->ux[t_unit[t]] = tx;
        g->uy[t_unit[t]] = ty;
    }

    rc = nearest_other(g->ux, g->uy, t_unit, nt, 2 * R, t_near);
    if (rc)
        goto out;
    vi = 0;
    for (size_t t = 0; t < nt; t++) {
        const struct xt_demogeo_township *tw = &c->townships[t];
        double rt = R / sqrt((double)nt) * (t == 0 ? 0.7 : 1.0);
        double spread_r = fmin(0.85 * rt, 0.45 * t_near[t]);
        uint64_t trng = rng_for(seed, tw->code);
        double tth = 2 * DG_PI * rng_unit(&trng);
        for (size_t v = 0; v < tw->n_villages; v++, vi++) {
            double vx, vy;
            spread(&trng, v, tw->n_villages, spread_r, tth, g->ux[t_unit[t]], g->uy[t_unit[t]], &vx,
                   &vy);
            fold_inside(g, &vx, &vy);
            g->ux[v_unit[vi]] = vx;
            g->uy[v_unit[vi]] = vy;
        }
    }

    rc = nearest_other(g->ux, g->uy, v_unit, nv, R, v_near);
    if (rc)
        goto out;
    vi = 0;
    grid = 0;
    for (size_t t = 0; t < nt; t++) {
        const struct xt_demogeo_township *tw = &c->townships[t];
        double rt = R / sqrt((double)nt) * (t == 0 ? 0.7 : 1.0);
        for (size_t v = 0; v < tw->n_villages; v++, vi++) {
            const struct xt_demogeo_village *vil = &tw->villages[v];
            double rv = rt / sqrt((double)tw->n_villages);
            double spread_r = fmin(0.8 * rv, 0.45 * v_near[vi]);
            uint64_t vrng = rng_for(seed, vil->code);
            double vth = 2 * DG_PI * rng_unit(&vrng);
            for (int k = 0; k < vil->grids; k++, grid++) {
                double gx, gy;
                spread(&vrng, (size_t)k, (size_t)vil->grids, spread_r, vth, g->ux[v_unit[vi]],
                       g->uy[v_unit[vi]], &gx, &gy);
                fold_inside(g, &gx, &gy);
                g->ux[g->grid_unit[grid]] = gx;
                g->uy[g->grid_unit[grid]] = gy;
            }
        }
    }

out:
    free(t_unit);
    free(v_unit);
    free(t_near);
    free(v_near);
    return rc;
}

/* Voronoi needs distinct sites, and cells a few metres wide are useless, so
 * move the later of two grid points closer than DG_MIN_SEP_KM. */
static int separate_grids(struct dg_gen *g, uint64_t seed)
{
    struct dg_key *keys = malloc((g->ngrids ? g->ngrids : 1) * sizeof(*keys));
    if (!keys)
        return XT_ENOMEM;
    uint64_t rng = rng_for(~seed, g->county->code);
    for (int pass = 0; pass < 64; pass++) {
        for (size_t k = 0; k < g->ngrids; k++) {
            size_t u = g->grid_unit[k];
            keys[k] = (struct dg_key){g->ux[u], g->uy[u], u};
        }
        qsort(keys, g->ngrids, sizeof(*keys), cmp_key_x);
        size_t moved = 0;
        for (size_t a = 0; a < g->ngrids; a++)
            for (size_t b = a + 1; b < g->ngrids && keys[b].x - keys[a].x < DG_MIN_SEP_KM; b++) {
                if (fabs(keys[b].y - keys[a].y) >= DG_MIN_SEP_KM)
                    continue;
                size_t u = keys[a].i > keys[b].i ? keys[a].i : keys[b].i;
                double th = 2 * DG_PI * rng_unit(&rng);
                g->ux[u] += 1.5 * DG_MIN_SEP_KM * cos(th);
                g->uy[u] += 1.5 * DG_MIN_SEP_KM * sin(th);
                fold_inside(g, &g->ux[u], &g->uy[u]);
                moved++;
            }
        if (!moved)
            break;
    }
    free(keys);
    return 0;
}

/* ---- cells ---- */

/* Even-odd test on an open ring of n vertices. */
static bool ring_contains(const double *xy, size_t n, double px, double py)
{
    bool inside = false;
    for (size_t i = 0, j = n - 1; i < n; j = i++) {
        double x1 = xy[2 * j], y1 = xy[2 * j + 1], x2 = xy[2 * i], y2 = xy[2 * i + 1];
        if ((y1 > py) != (y2 > py) &&
            ((x2 - x1) * (py - y1) - (px - x1) * (y2 - y1) > 0) == (y2 > y1))
            inside = !inside;
    }
    return inside;
}

static double side_of(double ax, double ay, double bx, double by, double px, double py)
{
    return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

/* Clip the open convex ring in[0 .. n) to the left of the line a -> b into
 * out (room for cap vertices); returns the new count, or SIZE_MAX when out
 * is too small (a convex ring grows by at most one vertex, but rounding on
 * a near-degenerate ring could do worse). The crossing of an edge is
 * computed from its endpoints in lexicographic order, so the two cells
 * that share the edge get bit-identical vertices. */
static size_t clip_half(const double *in, size_t n, double ax, double ay, double bx, double by,
                        double *out, size_t cap)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m + 2 > cap)
            return SIZE_MAX;
        const double *p = in + 2 * i, *q = in + 2 * ((i + 1) % n);
        bool p_in = side_of(ax, ay, bx, by, p[0], p[1]) >= 0;
        bool q_in = side_of(ax, ay, bx, by, q[0], q[1]) >= 0;
        if (p_in) {
            out[2 * m] = p[0];
            out[2 * m + 1] = p[1];
            m++;
        }
        if (p_in != q_in) {
            const double *u = p, *v = q;
            if (u[0] > v[0] || (u[0] == v[0] && u[1] > v[1])) {
                u = q;
                v = p;
            }
            double su = side_of(ax, ay, bx, by, u[0], u[1]);
            double sv = side_of(ax, ay, bx, by, v[0], v[1]);
            double t = su / (su - sv);
            out[2 * m] = u[0] + t * (v[0] - u[0]);
            out[2 * m + 1] = u[1] + t * (v[1] - u[1]);
            m++;
        }
    }
    return m;
}

/* Build a polygon from an open ring, dropping repeated vertices and
 * turning it counterclockwise. NULL when fewer than 3 vertices remain. */
static GEOSGeometry *make_polygon(struct dg_gen *g, double *xy, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const double *prev = m ? xy + 2 * (m - 1) : NULL;
        if (prev && prev[0] == xy[2 * i] && prev[1] == xy[2 * i + 1])
            continue;
        xy[2 * m] = xy[2 * i];
        xy[2 * m + 1] = xy[2 * i + 1];
        m++;
    }
    while (m > 1 && xy[0] == xy[2 * (m - 1)] && xy[1] == xy[2 * (m - 1) + 1])
        m--;
    if (m < 3)
        return NULL;
    double area2 = 0;
    for (size_t i = 0, j = m - 1; i < m; j = i++)
        area2 += xy[2 * j] * xy[2 * i + 1] - xy[2 * i] * xy[2 * j + 1];
    if (area2 < 0)
        for (size_t i = 0; i < m / 2; i++)
            for (int d = 0; d < 2; d++) {
                double tmp = xy[2 * i + d];
                xy[2 * i + d] = xy[2 * (m - 1 - i) + d];
                xy[2 * (m - 1 - i) + d] = tmp;
            }
    /* Close the ring in place; the caller left room for one more vertex. */
    xy[2 * m] = xy[0];
    xy[2 * m + 1] = xy[1];
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(g->h, xy, (unsigned int)(m + 1), 0, 0);
    if (!seq)
        return NULL;
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(g->h, seq);
    if (!ring)
        return NULL;
    return GEOSGeom_createPolygon_r(g->h, ring, NULL, 0);
}

static void make_region(struct dg_gen *g)
{
    for (int i = 0; i < DG_REGION_SIDES; i++) {
        double th = 2 * DG_PI * i / DG_REGION_SIDES;
        to_degrees(g, g->radius * cos(th), g->radius * sin(th), &g->region[2 * i + 1],
                   &g->region[2 * i]);
    }
}

/* Voronoi cells of the grid points, clipped to the region, into g->cells. */
static int make_cells(struct dg_gen *g, struct xt_error *err)
{
    size_t nsites = g->ngrids + DG_GHOSTS;
    GEOSGeometry **pts = malloc(nsites * sizeof(*pts));
    struct dg_key *keys = malloc(nsites * sizeof(*keys));
    /* Ping-pong buffers for the clip: each half-plane adds at most one
     * vertex to a convex ring. */
    size_t cap = 0;
    double *ring = NULL, *buf_a = NULL, *buf_b = NULL;
    GEOSGeometry *mp = NULL, *diagram = NULL;
    size_t npts = 0; /* points created and not yet owned by a collection */
    int rc = 0;
    if (!pts || !keys) {
        rc = xt_error_set(err, XT_ENOMEM, "", "out of memory");
        goto out;
    }

    for (size_t k = 0; k < g->ngrids; k++) {
        size_t u = g->grid_unit[k];
        to_degrees(g, g->ux[u], g->uy[u], &g->sy[k], &g->sx[k]);
        g->units[u].lat = g->sy[k];
        g->units[u].lon = g->sx[k];
    }
    for (size_t k = 0; k < DG_GHOSTS; k++) {
        double th = 2 * DG_PI * ((double)k + 0.5) / DG_GHOSTS;
        double r = DG_GHOST_RADIUS * g->radius;
        to_degrees(g, r * cos(th), r * sin(th), &g->sy[g->ngrids + k], &g->sx[g->ngrids + k]);
    }
    for (size_t k = 0; k < nsites; k++) {
        pts[k] = GEOSGeom_createPointFromXY_r(g->h, g->sx[k], g->sy[k]);
        if (!pts[k]) {
            rc = geos_fail(g, err, "create a point");
            goto out;
        }
        npts++;
        keys[k] = (struct dg_key){g->sx[k], g->sy[k], k};
    }
    mp = GEOSGeom_createCollection_r(g->h, GEOS_MULTIPOINT, pts, (unsigned int)nsites);
    if (!mp) {
        rc = geos_fail(g, err, "collect the points");
        goto out;
    }
    npts = 0; /* the collection owns them now */
    diagram = GEOSVoronoiDiagram_r(g->h, mp, NULL, 0.0, 0);
    if (!diagram) {
        rc = geos_fail(g, err, "compute the Voronoi diagram");
        goto out;
    }
    qsort(keys, nsites, sizeof(*keys), cmp_key_x);

    int ncells = GEOSGetNumGeometries_r(g->h, diagram);
    for (int c = 0; c < ncells; c++) {
        const GEOSGeometry *cell = GEOSGetGeometryN_r(g->h, diagram, c);
        const GEOSGeometry *shell = cell ? GEOSGetExteriorRing_r(g->h, cell) : NULL;
        const GEOSCoordSequence *seq = shell ? GEOSGeom_getCoordSeq_r(g->h, shell) : NULL;
        unsigned int n = 0;
        if (!seq || !GEOSCoordSeq_getSize_r(g->h, seq, &n) || n < 4) {
            rc = geos_fail(g, err, "read a Voronoi cell");
            goto out;
        }
        size_t need = 2 * ((size_t)n + DG_REGION_SIDES + 2);
        if (need > cap) {
            double *r1 = realloc(ring, need * sizeof(double));
            if (r1)
                ring = r1;
            double *r2 = realloc(buf_a, need * sizeof(double));
            if (r2)
                buf_a = r2;
            double *r3 = realloc(buf_b, need * sizeof(double));
            if (r3)
                buf_b = r3;
            if (!r1 || !r2 || !r3) {
                rc = xt_error_set(err, XT_ENOMEM, "", "out of memory");
                goto out;
            }
            cap = need;
        }
        if (!GEOSCoordSeq_copyToBuffer_r(g->h, seq, ring, 0, 0)) {
            rc = geos_fail(g, err, "read a Voronoi cell");
            goto out;
        }
        size_t nv = n - 1; /* open the ring */
        double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
        for (size_t i = 0; i < nv; i++) {
            minx = fmin(minx, ring[2 * i]);
            maxx = fmax(maxx, ring[2 * i]);
            miny = fmin(miny, ring[2 * i + 1]);
            maxy = fmax(maxy, ring[2 * i + 1]);
        }
        /* The site of this cell is the one point strictly inside it. */
        size_t lo = 0, hi = nsites;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (keys[mid].x < minx)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t site = DG_NO_SITE;
        for (size_t k = lo; k < nsites && keys[k].x <= maxx; k++)
            if (keys[k].y >= miny && keys[k].y <= maxy &&
                ring_contains(ring, nv, keys[k].x, keys[k].y)) {
                site = keys[k].i;
                break;
            }
        if (site == DG_NO_SITE || site >= g->ngrids)
            continue; /* a helper point's cell */
        if (g->cells[site]) {
            rc = xt_error_set(err, XT_EIO, "", "two Voronoi cells for grid '%s'",
                              g->units[g->grid_unit[site]].code);
            goto out;
        }
        double *src = ring, *dst = buf_a;
        size_t m = nv;
        for (int e = 0; e < DG_REGION_SIDES && m >= 3 && m != SIZE_MAX; e++) {
            const double *a = g->region + 2 * e;
            const double *b = g->region + 2 * ((e + 1) % DG_REGION_SIDES);
            /* Keep one vertex free for make_polygon to close the ring. */
            m = clip_half(src, m, a[0], a[1], b[0], b[1], dst, cap / 2 - 1);
            src = dst;
            dst = dst == buf_a ? buf_b : buf_a;
        }
        g->cells[site] = m == SIZE_MAX ? NULL : make_polygon(g, src, m);
        if (!g->cells[site]) {
            rc = xt_error_set(err, XT_EIO, "", "grid '%s' has an empty cell",
                              g->units[g->grid_unit[site]].code);
            goto out;
        }
    }
    for (size_t k = 0; k < g->ngrids; k++)
        if (!g->cells[k]) {
            rc = xt_error_set(err, XT_EIO, "", "grid '%s' got no Voronoi cell",
                              g->units[g->grid_unit[k]].code);
            goto out;
        }

out:
    for (size_t k = 0; k < npts; k++)
        GEOSGeom_destroy_r(g->h, pts[k]);
    if (mp)
        GEOSGeom_destroy_r(g->h, mp);
    if (diagram)
        GEOSGeom_destroy_r(g->h, diagram);
    free(pts);
    free(keys);
    free(ring);
    free(buf_a);
    free(buf_b);
    return rc;
}

/* ---- unions ---- */

/* The union of clones of parts[0 .. n), or NULL (then g->geos_msg says
 * why). */
static GEOSGeometry *union_of(struct dg_gen *g, GEOSGeometry *const *parts, size_t n)
{
    GEOSGeometry **copies = malloc((n ? n : 1) * sizeof(*copies));
    if (!copies)
        return NULL;
    size_t k = 0;
    for (; k < n; k++) {
        copies[k] = GEOSGeom_clone_r(g->h, parts[k]);
        if (!copies[k])
            break;
    }
    GEOSGeometry *coll = NULL, *u = NULL;
    if (k == n)
        coll = GEOSGeom_createCollection_r(g->h, GEOS_GEOMETRYCOLLECTION, copies, (unsigned int)n);
    if (coll) {
        u = GEOSUnaryUnion_r(g->h, coll);
        GEOSGeom_destroy_r(g->h, coll);
    } else {
        for (size_t i = 0; i < k; i++)
            GEOSGeom_destroy_r(g->h, copies[i]);
    }
    free(copies);
    return u;
}

/* A point for a union: the generated centre when it lies inside, else a
 * point GEOS guarantees to be inside. */
static int inner_point(struct dg_gen *g, size_t u, const GEOSGeometry *area)
{
    double lat, lon;
    to_degrees(g, g->ux[u], g->uy[u], &lat, &lon);
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g->h, lon, lat);
    if (!pt)
        return XT_EIO;
    char in = GEOSContains_r(g->h, area, pt);
    GEOSGeom_destroy_r(g->h, pt);
    if (in == 2)
        return XT_EIO;
    if (!in) {
        GEOSGeometry *on = GEOSPointOnSurface_r(g->h, area);
        if (!on)
            return XT_EIO;
        int ok = GEOSGeomGetX_r(g->h, on, &lon) && GEOSGeomGetY_r(g->h, on, &lat);
        GEOSGeom_destroy_r(g->h, on);
        if (!ok)
            return XT_EIO;
    }
    g->units[u].lat = lat;
    g->units[u].lon = lon;
    return 0;
}

/* ---- GeoJSON text ---- */

/* The shortest of 15, 16 or 17 significant digits that reads back as v. */
static int put_number(struct xt_buf *b, double v)
{
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    return xt_buf_puts(b, tmp);
}

/* A ring as [[x, y], ...], outer rings counterclockwise and holes
 * clockwise as RFC 7946 asks. */
static int put_ring(struct dg_gen *g, struct xt_buf *b, const GEOSGeometry *ring, bool outer)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(g->h, ring);
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(g->h, seq, &n) || n < 4)
        return XT_EIO;
    double area2 = 0, x0, y0, x1, y1;
    if (!GEOSCoordSeq_getXY_r(g->h, seq, 0, &x0, &y0))
        return XT_EIO;
    for (unsigned int i = 1; i < n; i++) {
        if (!GEOSCoordSeq_getXY_r(g->h, seq, i, &x1, &y1))
            return XT_EIO;
        area2 += x0 * y1 - x1 * y0;
        x0 = x1;
        y0 = y1;
    }
    bool reverse = (area2 > 0) != outer;
    int rc = xt_buf_putc(b, '[');
    for (unsigned int i = 0; i < n && !rc; i++) {
        double x, y;
        if (!GEOSCoordSeq_getXY_r(g->h, seq, reverse ? n - 1 - i : i, &x, &y))
            return XT_EIO;
        rc = xt_buf_puts(b, i ? ",[" : "[");
        if (!rc)
            rc = put_number(b, x);
        if (!rc)
            rc = xt_buf_putc(b, ',');
        if (!rc)
            rc = put_number(b, y);
        if (!rc)
            rc = xt_buf_putc(b, ']');
    }
    return rc ? rc : xt_buf_putc(b, ']');
}

static int put_polygon(struct dg_gen *g, struct xt_buf *b, const GEOSGeometry *poly)
{
    const GEOSGeometry *shell = GEOSGetExteriorRing_r(g->h, poly);
    int holes = GEOSGetNumInteriorRings_r(g->h, poly);
    if (!shell || holes < 0)
        return XT_EIO;
    int rc = xt_buf_putc(b, '[');
    if (!rc)
        rc = put_ring(g, b, shell, true);
    for (int i = 0; i < holes && !rc; i++) {
        rc = xt_buf_putc(b, ',');
        if (!rc)
            rc = put_ring(g, b, GEOSGetInteriorRingN_r(g->h, poly, i), false);
    }
    return rc ? rc : xt_buf_putc(b, ']');
}

/* The geometry (Polygon or MultiPolygon) as a new GeoJSON string. */
static int write_geojson(struct dg_gen *g, const GEOSGeometry *geom, char **out)
{
    struct xt_buf b;
    xt_buf_init(&b, 0);
    int type = GEOSGeomTypeId_r(g->h, geom);
    int rc;
    if (type == GEOS_POLYGON) {
        rc = xt_buf_puts(&b, "{\"type\":\"Polygon\",\"coordinates\":");
        if (!rc)
            rc = put_polygon(g, &b, geom);
    } else if (type == GEOS_MULTIPOLYGON) {
        rc = xt_buf_puts(&b, "{\"type\":\"MultiPolygon\",\"coordinates\":[");
        int parts = GEOSGetNumGeometries_r(g->h, geom);
        for (int i = 0; i < parts && !rc; i++) {
            if (i)
                rc = xt_buf_putc(&b, ',');
            if (!rc)
                rc = put_polygon(g, &b, GEOSGetGeometryN_r(g->h, geom, i));
        }
        if (!rc)
            rc = xt_buf_putc(&b, ']');
    } else {
        rc = XT_EIO;
    }
    if (!rc)
        rc = xt_buf_putc(&b, '}');
    if (!rc) {
        *out = xt_buf_detach(&b);
        if (!*out)
            rc = XT_ENOMEM;
    }
    xt_buf_release(&b);
    return rc;
}

/* ---- the whole county ---- */

static int make_unions(struct dg_gen *g, struct xt_error *err)
{
    const struct xt_demogeo_county *c = g->county;
    size_t u = 1, grid = 0;
    int rc = 0;
    GEOSGeometry **villages = NULL;
    size_t cap_villages = 0;
    for (size_t t = 0; t < c->n_townships && !rc; t++) {
        const struct xt_demogeo_township *tw = &c->townships[t];
        size_t tu = u++;
        if (tw->n_villages > cap_villages) {
            GEOSGeometry **p = realloc(villages, tw->n_villages * sizeof(*p));
            if (!p)
                return xt_error_set(err, XT_ENOMEM, "", "out of memory");
            villages = p;
            cap_villages = tw->n_villages;
        }
        for (size_t v = 0; v < tw->n_villages && !rc; v++) {
            size_t vu = u++;
            int ng = tw->villages[v].grids;
            g->unions[vu] = union_of(g, g->cells + grid, (size_t)ng);
            if (!g->unions[vu]) {
                rc = geos_fail(g, err, "join the grids of a village");
                break;
            }
            villages[v] = g->unions[vu];
            for (int k = 0; k < ng && !rc; k++, grid++, u++)
                if (write_geojson(g, g->cells[grid], &g->units[u].polygon_geojson))
                    rc = geos_fail(g, err, "write a grid polygon");
            if (!rc && (write_geojson(g, g->unions[vu], &g->units[vu].polygon_geojson) ||
                        inner_point(g, vu, g->unions[vu])))
                rc = geos_fail(g, err, "write a village polygon");
        }
        if (rc || tw->n_villages == 0) {
            if (!rc)
                to_degrees(g, g->ux[tu], g->uy[tu], &g->units[tu].lat, &g->units[tu].lon);
            continue;
        }
        g->unions[tu] = union_of(g, villages, tw->n_villages);
        if (!g->unions[tu] || write_geojson(g, g->unions[tu], &g->units[tu].polygon_geojson) ||
            inner_point(g, tu, g->unions[tu]))
            rc = geos_fail(g, err, "join the villages of a township");
    }
    free(villages);
    if (rc)
        return rc;

    double ring[2 * (DG_REGION_SIDES + 1)];
    memcpy(ring, g->region, sizeof(g->region));
    GEOSGeometry *region = make_polygon(g, ring, DG_REGION_SIDES);
    if (!region)
        return geos_fail(g, err, "make the county region");
    rc = write_geojson(g, region, &g->units[0].polygon_geojson);
    GEOSGeom_destroy_r(g->h, region);
    if (rc)
        return geos_fail(g, err, "write the county polygon");
    g->units[0].lat = c->lat;
    g->units[0].lon = c->lon;
    return 0;
}

static void name_units(struct dg_gen *g)
{
    const struct xt_demogeo_county *c = g->county;
    size_t u = 0;
    snprintf(g->units[u].code, XT_CODE_MAX, "%s", c->code);
    g->units[u++].level = XT_LEVEL_COUNTY;
    for (size_t t = 0; t < c->n_townships; t++) {
        const struct xt_demogeo_township *tw = &c->townships[t];
        snprintf(g->units[u].code, XT_CODE_MAX, "%s", tw->code);
        g->units[u++].level = XT_LEVEL_TOWNSHIP;
        for (size_t v = 0; v < tw->n_villages; v++) {
            const struct xt_demogeo_village *vi = &tw->villages[v];
            snprintf(g->units[u].code, XT_CODE_MAX, "%s", vi->code);
            g->units[u++].level = XT_LEVEL_VILLAGE;
            for (int k = 1; k <= vi->grids; k++) {
                char *code = g->units[u].code;
                memcpy(code, vi->code, 12);
                code[12] = (char)('0' + k / 100);
                code[13] = (char)('0' + k / 10 % 10);
                code[14] = (char)('0' + k % 10);
                code[15] = '\0';
                g->units[u++].level = XT_LEVEL_GRID;
            }
        }
    }
}

void xt_demogeo_free(struct xt_demogeo_unit *units, size_t n)
{
    if (!units)
        return;
    for (size_t i = 0; i < n; i++)
        free(units[i].polygon_geojson);
    free(units);
}

int xt_demogeo_generate(const struct xt_demogeo_county *county, uint64_t seed,
                        struct xt_demogeo_unit **units_out, size_t *n_out, struct xt_error *err)
{
    if (!county || !units_out || !n_out)
        return xt_error_set(err, XT_EINVAL, "county", "is required");
    size_t ngrids = 0, nvillages = 0;
    int rc = check_input(county, &ngrids, &nvillages, err);
    if (rc)
        return rc;

    struct dg_gen g;
    memset(&g, 0, sizeof(g));
    g.county = county;
    g.radius = county->radius_km;
    g.deg_per_km_lat = 180.0 / (DG_PI * DG_EARTH_KM);
    g.deg_per_km_lon = g.deg_per_km_lat / cos(county->lat * DG_PI / 180.0);
    g.ngrids = ngrids;
    g.nunits = 1 + county->n_townships + nvillages + ngrids;
    g.units = calloc(g.nunits, sizeof(*g.units));
    g.ux = malloc(g.nunits * sizeof(double));
    g.uy = malloc(g.nunits * sizeof(double));
    g.grid_unit = malloc((ngrids ? ngrids : 1) * sizeof(size_t));
    g.sx = malloc((ngrids + DG_GHOSTS) * sizeof(double));
    g.sy = malloc((ngrids + DG_GHOSTS) * sizeof(double));
    g.cells = calloc(ngrids ? ngrids : 1, sizeof(*g.cells));
    g.unions = calloc(g.nunits, sizeof(*g.unions));
    g.h = GEOS_init_r();
    if (!g.units || !g.ux || !g.uy || !g.grid_unit || !g.sx || !g.sy || !g.cells || !g.unions ||
        !g.h) {
        rc = xt_error_set(err, XT_ENOMEM, "", "out of memory");
        goto out;
    }
    GEOSContext_setErrorMessageHandler_r(g.h, geos_message, &g);

    name_units(&g);
    rc = place_units(&g, seed);
    if (!rc)
        rc = separate_grids(&g, seed);
    if (rc) {
        rc = xt_error_set(err, rc, "", "out of memory");
        goto out;
    }
    make_region(&g);
    if (ngrids) {
        rc = make_cells(&g, err);
        if (rc)
            goto out;
    }
    rc = make_unions(&g, err);
    if (rc)
        goto out;

    *units_out = g.units;
    *n_out = g.nunits;
    g.units = NULL;

out:
    if (g.h) {
        for (size_t k = 0; g.cells && k < ngrids; k++)
            if (g.cells[k])
                GEOSGeom_destroy_r(g.h, g.cells[k]);
        for (size_t k = 0; g.unions && k < g.nunits; k++)
            if (g.unions[k])
                GEOSGeom_destroy_r(g.h, g.unions[k]);
        GEOS_finish_r(g.h);
    }
    xt_demogeo_free(g.units, g.units ? g.nunits : 0);
    free(g.ux);
    free(g.uy);
    free(g.grid_unit);
    free(g.sx);
    free(g.sy);
    free(g.cells);
    free(g.unions);
    return rc;
}
