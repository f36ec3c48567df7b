/* spatial.c - point-to-unit lookup: STR-packed R-trees over polygon boxes
 * and unit points, ray casting on flat ring arrays, GEOS for parsing and
 * validation only. See spatial.h for the reasons. */
#define GEOS_USE_ONLY_R_API
#include "core/spatial.h"

#include <geos_c.h>
#include <json-c/json.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SP_CODE_MAX 16
#define SP_FANOUT 16
/* Polygons with more edges than this get a band index; below it a plain
 * loop over the edges is as fast and needs no extra memory. */
#define SP_BAND_MIN_EDGES 32
/* A band index may hold at most this many edge references per edge; tall
 * edges are listed in every band they cross, so fewer bands are used when a
 * polygon has many of them. */
#define SP_BAND_MAX_DUP 16
#define SP_MAX_COORDS ((size_t)1 << 31)
#define SP_EARTH_KM 6371.0088
#define SP_NO_BANDS UINT32_MAX
#define SP_PI 3.14159265358979323846

/* A box in the R-tree: either a leaf entry (count == 0, first = item index)
 * or an inner node whose children are nodes[first .. first + count). */
struct sp_node {
    double minx, miny, maxx, maxy;
    uint32_t first;
    uint32_t count;
};

struct sp_rtree {
    struct sp_node *nodes;
    size_t n;
    size_t root; /* valid when n > 0 */
};

/* The polygon tree is searched in this form: one inner node's children as
 * columns, so that one loop without branches tests all SP_FANOUT boxes and
 * yields a bit mask. Random points make a branch per box a coin toss; the
 * mask took the demo benchmark from 3.0M to 3.7M lookups/s. Empty slots
 * hold an inverted box that contains nothing. */
struct sp_block {
    double minx[SP_FANOUT], miny[SP_FANOUT], maxx[SP_FANOUT], maxy[SP_FANOUT];
    uint32_t child[SP_FANOUT]; /* polygon index when leaf, else block index */
    uint32_t leaf;
};

/* A ring as a run of closed (first == last) (x, y) pairs in s->xy. */
struct sp_ring {
    uint32_t start; /* index of the first vertex */
    uint32_t n;     /* vertices, the closing one included */
};

struct sp_poly {
    char code[SP_CODE_MAX];
    double area; /* square degrees */
    double minx, miny, maxx, maxy;
    uint32_t ring_first, ring_count;
    uint32_t nedges;
    /* Band index: band b lists s->band_edges[s->band_off[band_first + b] ..
     * s->band_off[band_first + b + 1]), each the vertex that starts an edge. */
    uint32_t band_first; /* SP_NO_BANDS when the polygon has none */
    uint32_t nbands;
    double band_y0, band_scale;
};

struct sp_point {
    char code[SP_CODE_MAX];
    double lat, lon;
};

struct xt_spatial {
    GEOSContextHandle_t geos;
    char geos_msg[200]; /* last GEOS error, for the reason in err */
    bool built;

    struct sp_poly *polys;
    size_t npolys, cap_polys;
    struct sp_ring *rings;
    size_t nrings, cap_rings;
    double *xy; /* vertex i is xy[2i], xy[2i+1] */
    size_t ncoords, cap_coords;

    uint32_t *band_off;
    size_t nband_off, cap_band_off;
    uint32_t *band_edges;
    size_t nband_edges, cap_band_edges;

    struct sp_point *points;
    size_t npoints, cap_points;

    struct sp_rtree poly_tree;
    struct sp_block *blocks; /* poly_tree as blocks; the root is the last */
    size_t nblocks;
    struct sp_rtree point_tree;
};

/* Make room for need elements in *p; XT_ENOMEM leaves *p as it was. */
static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    if (n > SIZE_MAX / elem)
        return XT_ENOMEM;
    void *q = realloc(*p, n * elem);
    if (!q)
        return XT_ENOMEM;
    *p = q;
    *cap = n;
    return 0;
}

static void geos_message(const char *msg, void *userdata)
{
    struct xt_spatial *s = userdata;
    snprintf(s->geos_msg, sizeof(s->geos_msg), "%s", msg);
}

struct xt_spatial *xt_spatial_new(void)
{
    struct xt_spatial *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->geos = GEOS_init_r();
    if (!s->geos) {
        free(s);
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(s->geos, geos_message, s);
    return s;
}

void xt_spatial_free(struct xt_spatial *s)
{
    if (!s)
        return;
    if (s->geos)
        GEOS_finish_r(s->geos);
    free(s->polys);
    free(s->rings);
    free(s->xy);
    free(s->band_off);
    free(s->band_edges);
    free(s->points);
    free(s->poly_tree.nodes);
    free(s->blocks);
    free(s->point_tree.nodes);
    free(s);
}

static bool code_ok(const char *code)
{
    return code && code[0] && strlen(code) < SP_CODE_MAX;
}

static bool lat_lon_ok(double lat, double lon)
{
    /* Written so that NaN fails every comparison. */
    return lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0;
}

/* Append the vertices of ring to s->xy and a ring record; checks the range
 * of every coordinate. */
static int add_ring(struct xt_spatial *s, const GEOSGeometry *ring, struct xt_error *err)
{
    GEOSContextHandle_t h = s->geos;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(h, seq, &n))
        return xt_error_set(err, XT_EINVAL, "geometry", "cannot read a ring: %s", s->geos_msg);
    if (n < 4)
        return xt_error_set(err, XT_EINVAL, "geometry", "a ring needs at least 4 positions");
    if (s->ncoords + n >= SP_MAX_COORDS)
        return xt_error_set(err, XT_ETOOBIG, "geometry", "too many vertices in all polygons");
    if (grow((void **)&s->xy, &s->cap_coords, 2 * (s->ncoords + n), sizeof(double)) ||
        grow((void **)&s->rings, &s->cap_rings, s->nrings + 1, sizeof(struct sp_ring)))
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    double *out = s->xy + 2 * s->ncoords;
    if (!GEOSCoordSeq_copyToBuffer_r(h, seq, out, 0, 0))
        return xt_error_set(err, XT_EINVAL, "geometry", "cannot read a ring: %s", s->geos_msg);
    for (unsigned int i = 0; i < n; i++)
        if (!lat_lon_ok(out[2 * i + 1], out[2 * i]))
            return xt_error_set(err, XT_EINVAL, "geometry",
                                "position [%g, %g] is outside longitude -180..180 or latitude "
                                "-90..90",
                                out[2 * i], out[2 * i + 1]);
    s->rings[s->nrings].start = (uint32_t)s->ncoords;
    s->rings[s->nrings].n = n;
    s->nrings++;
    s->ncoords += n;
    return 0;
}

static int add_part(struct xt_spatial *s, const GEOSGeometry *poly, struct xt_error *err)
{
    GEOSContextHandle_t h = s->geos;
    const GEOSGeometry *shell = GEOSGetExteriorRing_r(h, poly);
    if (!shell)
        return xt_error_set(err, XT_EINVAL, "geometry", "a polygon has no outer ring");
    int rc = add_ring(s, shell, err);
    if (rc)
        return rc;
    int holes = GEOSGetNumInteriorRings_r(h, poly);
    for (int i = 0; i < holes; i++) {
        rc = add_ring(s, GEOSGetInteriorRingN_r(h, poly, i), err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Whether o is an array nested `depth` levels deep whose innermost arrays
 * are positions of at least two numbers. GEOS 3.11's GeoJSON reader reads
 * a position's first two members without looking (a crash on "[]" or
 * "[103.2]", found by tests/fuzz/fuzz_geojson), so the shape is checked
 * before GEOS sees the text. */
static bool coords_ok(struct json_object *o, int depth)
{
    if (!json_object_is_type(o, json_type_array))
        return false;
    size_t n = json_object_array_length(o);
    if (depth == 0) {
        if (n < 2)
            return false;
        for (size_t i = 0; i < n; i++) {
            struct json_object *v = json_object_array_get_idx(o, i);
            if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
                return false;
        }
        return true;
    }
    for (size_t i = 0; i < n; i++)
        if (!coords_ok(json_object_array_get_idx(o, i), depth - 1))
            return false;
    return true;
}

/* 0 when text is a Polygon or MultiPolygon object with well-shaped
 * coordinates; otherwise the reason, for the caller's message. */
static const char *polygon_shape_error(const char *text)
{
    struct json_object *o = json_tokener_parse(text);
    if (!o)
        return "is not GeoJSON: not JSON";
    const char *why = NULL;
    struct json_object *type = NULL, *coords = NULL;
    if (!json_object_object_get_ex(o, "type", &type) || !json_object_is_type(type, json_type_string))
        why = "is not GeoJSON: no type";
    else if (strcmp(json_object_get_string(type), "Polygon") != 0 &&
             strcmp(json_object_get_string(type), "MultiPolygon") != 0)
        why = "must be a Polygon or MultiPolygon";
    else if (!json_object_object_get_ex(o, "coordinates", &coords) ||
             !coords_ok(coords, strcmp(json_object_get_string(type), "Polygon") == 0 ? 2 : 3))
        why = "is not GeoJSON: coordinates are not rings of [lon, lat] positions";
    json_object_put(o);
    return why;
}

int xt_spatial_add_polygon(struct xt_spatial *s, const char *code, const char *geojson_geometry,
                           struct xt_error *err)
{
    if (!s)
        return xt_error_set(err, XT_EINVAL, "", "no spatial index");
    if (s->built)
        return xt_error_set(err, XT_ESTATE, "", "the spatial index is already built");
    if (!code_ok(code))
        return xt_error_set(err, XT_EINVAL, "code", "must have 1 to %d characters",
                            SP_CODE_MAX - 1);
    if (!geojson_geometry)
        return xt_error_set(err, XT_EINVAL, "geometry", "is required");

    GEOSContextHandle_t h = s->geos;
    GEOSGeoJSONReader *reader = NULL;
    GEOSGeometry *g = NULL;
    char *reason = NULL;
    size_t old_rings = s->nrings, old_coords = s->ncoords;
    int rc = 0;

    s->geos_msg[0] = '\0';
    const char *shape = polygon_shape_error(geojson_geometry);
    if (shape) {
        rc = xt_error_set(err, XT_EINVAL, "geometry", "polygon of '%s' %s", code, shape);
        goto out;
    }
    reader = GEOSGeoJSONReader_create_r(h);
    if (!reader) {
        rc = xt_error_set(err, XT_ENOMEM, "", "out of memory");
        goto out;
    }
    g = GEOSGeoJSONReader_readGeometry_r(h, reader, geojson_geometry);
    if (!g) {
        rc = xt_error_set(err, XT_EINVAL, "geometry", "polygon of '%s' is not GeoJSON: %s", code,
                          s->geos_msg);
        goto out;
    }
    int type = GEOSGeomTypeId_r(h, g);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
        rc = xt_error_set(err, XT_EINVAL, "geometry",
                          "polygon of '%s' must be a Polygon or MultiPolygon", code);
        goto out;
    }
    if (GEOSisEmpty_r(h, g)) {
        rc = xt_error_set(err, XT_EINVAL, "geometry", "polygon of '%s' is empty", code);
        goto out;
    }
    char valid = GEOSisValid_r(h, g);
    if (valid != 1) {
        reason = GEOSisValidReason_r(h, g);
        rc = xt_error_set(err, XT_EINVAL, "geometry", "polygon of '%s' is not valid: %s", code,
                          reason ? reason : s->geos_msg);
        goto out;
    }
    double area = 0;
    if (!GEOSArea_r(h, g, &area)) {
        rc = xt_error_set(err, XT_EINVAL, "geometry", "polygon of '%s' has no area: %s", code,
                          s->geos_msg);
        goto out;
    }
    if (grow((void **)&s->polys, &s->cap_polys, s->npolys + 1, sizeof(struct sp_poly))) {
        rc = xt_error_set(err, XT_ENOMEM, "", "out of memory");
        goto out;
    }
    if (type == GEOS_POLYGON) {
        rc = add_part(s, g, err);
    } else {
        int parts = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < parts && !rc; i++)
            rc = add_part(s, GEOSGetGeometryN_r(h, g, i), err);
    }
    if (rc)
        goto out;

    struct sp_poly *p = &s->polys[s->npolys];
    memset(p, 0, sizeof(*p));
    memcpy(p->code, code, strlen(code) + 1);
    p->area = area;
    p->ring_first = (uint32_t)old_rings;
    p->ring_count = (uint32_t)(s->nrings - old_rings);
    p->band_first = SP_NO_BANDS;
    p->minx = p->miny = INFINITY;
    p->maxx = p->maxy = -INFINITY;
    for (size_t i = old_coords; i < s->ncoords; i++) {
        double x = s->xy[2 * i], y = s->xy[2 * i + 1];
        p->minx = fmin(p->minx, x);
        p->maxx = fmax(p->maxx, x);
        p->miny = fmin(p->miny, y);
        p->maxy = fmax(p->maxy, y);
    }
    p->nedges = (uint32_t)(s->ncoords - old_coords - p->ring_count);
    s->npolys++;

out:
    if (rc) {
        s->nrings = old_rings;
        s->ncoords = old_coords;
    }
    if (reason)
        GEOSFree_r(h, reason);
    if (g)
        GEOSGeom_destroy_r(h, g);
    if (reader)
        GEOSGeoJSONReader_destroy_r(h, reader);
    return rc;
}

int xt_spatial_add_point(struct xt_spatial *s, const char *code, double lat, double lon)
{
    if (!s || !code_ok(code) || !lat_lon_ok(lat, lon))
        return XT_EINVAL;
    if (s->built)
        return XT_ESTATE;
    if (grow((void **)&s->points, &s->cap_points, s->npoints + 1, sizeof(struct sp_point)))
        return XT_ENOMEM;
    struct sp_point *pt = &s->points[s->npoints++];
    memset(pt, 0, sizeof(*pt));
    memcpy(pt->code, code, strlen(code) + 1);
    pt->lat = lat;
    pt->lon = lon;
    return 0;
}

/* ---- STR bulk loading ---- */

static int cmp_center_x(const void *a, const void *b)
{
    const struct sp_node *p = a, *q = b;
    double x = p->minx + p->maxx, y = q->minx + q->maxx;
    return (x > y) - (x < y);
}

static int cmp_center_y(const void *a, const void *b)
{
    const struct sp_node *p = a, *q = b;
    double x = p->miny + p->maxy, y = q->miny + q->maxy;
    return (x > y) - (x < y);
}

/* Build the tree over t->nodes[0 .. n), which the caller filled with leaf
 * entries. Each level is sorted into vertical slices by x, each slice by y,
 * and consecutive runs of SP_FANOUT become the parents; a level's own order
 * can change freely because parents refer only to the level below. */
static int rtree_build(struct sp_rtree *t, size_t n)
{
    if (n == 0) {
        t->n = 0;
        return 0;
    }
    size_t cap = n;
    size_t lo = 0, hi = n;
    do {
        size_t count = hi - lo;
        size_t parents = (count + SP_FANOUT - 1) / SP_FANOUT;
        size_t slices = (size_t)ceil(sqrt((double)parents));
        size_t per_slice = slices * SP_FANOUT;
        qsort(t->nodes + lo, count, sizeof(struct sp_node), cmp_center_x);
        for (size_t i = 0; i < count; i += per_slice) {
            size_t m = count - i < per_slice ? count - i : per_slice;
            qsort(t->nodes + lo + i, m, sizeof(struct sp_node), cmp_center_y);
        }
        if (grow((void **)&t->nodes, &cap, hi + parents, sizeof(struct sp_node)))
            return XT_ENOMEM;
        for (size_t k = 0; k < parents; k++) {
            size_t first = lo + k * SP_FANOUT;
            size_t m = hi - first < SP_FANOUT ? hi - first : SP_FANOUT;
            struct sp_node *parent = &t->nodes[hi + k];
            parent->minx = parent->miny = INFINITY;
            parent->maxx = parent->maxy = -INFINITY;
            for (size_t c = first; c < first + m; c++) {
                parent->minx = fmin(parent->minx, t->nodes[c].minx);
                parent->miny = fmin(parent->miny, t->nodes[c].miny);
                parent->maxx = fmax(parent->maxx, t->nodes[c].maxx);
                parent->maxy = fmax(parent->maxy, t->nodes[c].maxy);
            }
            parent->first = (uint32_t)first;
            parent->count = (uint32_t)m;
        }
        lo = hi;
        hi += parents;
    } while (hi - lo > 1);
    t->n = hi;
    t->root = lo;
    return 0;
}

/* ---- band index ---- */

/* The bands [*b0, *b1] that an edge from y1 to y2 overlaps. y == maxy maps
 * to band nb, which is folded into the last band. */
static void edge_bands(double y1, double y2, double y0, double scale, size_t nb, size_t *b0,
                       size_t *b1)
{
    size_t lo = (size_t)((fmin(y1, y2) - y0) * scale);
    size_t hi = (size_t)((fmax(y1, y2) - y0) * scale);
    if (hi >= nb)
        hi = nb - 1;
    if (lo > hi)
        lo = hi;
    *b0 = lo;
    *b1 = hi;
}

static int band_index(struct xt_spatial *s, struct sp_poly *p)
{
    double height = p->maxy - p->miny;
    if (!(height > 0))
        return 0;
    size_t nb = p->nedges / 4;
    if (nb > 65536)
        nb = 65536;
    const struct sp_ring *rings = s->rings + p->ring_first;
    size_t total, b0, b1;
    double scale;
    /* Count the references first; halve the bands until tall edges no
     * longer blow up the index. */
    for (;;) {
        scale = (double)nb / height;
        total = 0;
        for (uint32_t r = 0; r < p->ring_count; r++)
            for (uint32_t i = rings[r].start; i + 1 < rings[r].start + rings[r].n; i++) {
                edge_bands(s->xy[2 * i + 1], s->xy[2 * i + 3], p->miny, scale, nb, &b0, &b1);
                total += b1 - b0 + 1;
            }
        if (total <= (size_t)SP_BAND_MAX_DUP * p->nedges || nb == 1)
            break;
        nb /= 2;
    }
    if (s->nband_edges + total >= UINT32_MAX || s->nband_off + nb + 1 >= UINT32_MAX)
        return 0; /* too big to index: the plain loop still answers correctly */
    if (grow((void **)&s->band_off, &s->cap_band_off, s->nband_off + nb + 1, sizeof(uint32_t)) ||
        grow((void **)&s->band_edges, &s->cap_band_edges, s->nband_edges + total, sizeof(uint32_t)))
        return XT_ENOMEM;
    uint32_t *off = s->band_off + s->nband_off;
    memset(off, 0, (nb + 1) * sizeof(uint32_t));
    /* Counting sort: the first pass counts band b in off[b + 1], prefix sums
     * turn counts into starts, the second pass fills and advances each
     * start to the next band's, and a final shift restores the starts. */
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t r = 0; r < p->ring_count; r++)
            for (uint32_t i = rings[r].start; i + 1 < rings[r].start + rings[r].n; i++) {
                edge_bands(s->xy[2 * i + 1], s->xy[2 * i + 3], p->miny, scale, nb, &b0, &b1);
                for (size_t b = b0; b <= b1; b++) {
                    if (pass == 0)
                        off[b + 1]++;
                    else
                        s->band_edges[off[b]++] = i;
                }
            }
        if (pass == 0) {
            off[0] = (uint32_t)s->nband_edges;
            for (size_t b = 1; b <= nb; b++)
                off[b] += off[b - 1];
        }
    }
    for (size_t b = nb; b > 0; b--)
        off[b] = off[b - 1];
    off[0] = (uint32_t)s->nband_edges;
    p->band_first = (uint32_t)s->nband_off;
    p->nbands = (uint32_t)nb;
    p->band_y0 = p->miny;
    p->band_scale = scale;
    s->nband_off += nb + 1;
    s->nband_edges += total;
    return 0;
}

/* Copy the inner nodes of the polygon tree into blocks. Inner nodes sit
 * after the npolys leaf entries, so node i is block i - npolys, and STR
 * keeps all leaves on one level, so a node's children are all leaves or
 * all inner nodes. */
static int make_blocks(struct xt_spatial *s)
{
    const struct sp_rtree *t = &s->poly_tree;
    free(s->blocks);
    s->blocks = NULL;
    s->nblocks = 0;
    if (t->n == 0)
        return 0;
    size_t nb = t->n - s->npolys;
    s->blocks = malloc(nb * sizeof(struct sp_block));
    if (!s->blocks)
        return XT_ENOMEM;
    for (size_t b = 0; b < nb; b++) {
        const struct sp_node *node = &t->nodes[s->npolys + b];
        struct sp_block *blk = &s->blocks[b];
        blk->leaf = node->first < s->npolys;
        for (uint32_t k = 0; k < SP_FANOUT; k++) {
            if (k >= node->count) {
                blk->minx[k] = blk->miny[k] = INFINITY;
                blk->maxx[k] = blk->maxy[k] = -INFINITY;
                blk->child[k] = 0;
                continue;
            }
            const struct sp_node *c = &t->nodes[node->first + k];
            blk->minx[k] = c->minx;
            blk->miny[k] = c->miny;
            blk->maxx[k] = c->maxx;
            blk->maxy[k] = c->maxy;
            blk->child[k] = blk->leaf ? c->first : (uint32_t)(node->first + k - s->npolys);
        }
    }
    s->nblocks = nb;
    return 0;
}

int xt_spatial_build(struct xt_spatial *s)
{
    if (!s)
        return XT_EINVAL;
    if (s->built)
        return XT_ESTATE;
    int rc = 0;
    s->nband_off = s->nband_edges = 0;
    for (size_t i = 0; i < s->npolys && !rc; i++) {
        s->polys[i].band_first = SP_NO_BANDS;
        if (s->polys[i].nedges > SP_BAND_MIN_EDGES)
            rc = band_index(s, &s->polys[i]);
    }
    if (rc)
        return rc;

    free(s->poly_tree.nodes);
    s->poly_tree.nodes = NULL;
    if (s->npolys) {
        s->poly_tree.nodes = malloc(s->npolys * sizeof(struct sp_node));
        if (!s->poly_tree.nodes)
            return XT_ENOMEM;
        for (size_t i = 0; i < s->npolys; i++) {
            struct sp_node *e = &s->poly_tree.nodes[i];
            e->minx = s->polys[i].minx;
            e->miny = s->polys[i].miny;
            e->maxx = s->polys[i].maxx;
            e->maxy = s->polys[i].maxy;
            e->first = (uint32_t)i;
            e->count = 0;
        }
    }
    rc = rtree_build(&s->poly_tree, s->npolys);
    if (rc)
        return rc;
    rc = make_blocks(s);
    if (rc)
        return rc;
    /* Lookups read only the blocks. */
    free(s->poly_tree.nodes);
    s->poly_tree.nodes = NULL;

    free(s->point_tree.nodes);
    s->point_tree.nodes = NULL;
    if (s->npoints) {
        s->point_tree.nodes = malloc(s->npoints * sizeof(struct sp_node));
        if (!s->point_tree.nodes)
            return XT_ENOMEM;
        for (size_t i = 0; i < s->npoints; i++) {
            struct sp_node *e = &s->point_tree.nodes[i];
            e->minx = e->maxx = s->points[i].lon;
            e->miny = e->maxy = s->points[i].lat;
            e->first = (uint32_t)i;
            e->count = 0;
        }
    }
    rc = rtree_build(&s->point_tree, s->npoints);
    if (rc)
        return rc;
    s->built = true;
    return 0;
}

/* ---- point in polygon ---- */

/* Does the rightward ray from (px, py) cross the edge from vertex i to i+1?
 * The half-open test in y counts a vertex on the ray once; the comparison
 * of the cross product avoids a division. */
static inline bool crosses(const double *xy, uint32_t i, double px, double py)
{
    double x1 = xy[2 * i], y1 = xy[2 * i + 1], x2 = xy[2 * i + 2], y2 = xy[2 * i + 3];
    if ((y1 > py) == (y2 > py))
        return false;
    double cross = (x2 - x1) * (py - y1) - (px - x1) * (y2 - y1);
    return (cross > 0) == (y2 > y1);
}

static bool poly_contains(const struct xt_spatial *s, const struct sp_poly *p, double px, double py)
{
    bool inside = false;
    if (p->band_first != SP_NO_BANDS) {
        double f = (py - p->band_y0) * p->band_scale;
        size_t b = f <= 0 ? 0 : (size_t)f;
        if (b >= p->nbands)
            b = p->nbands - 1;
        const uint32_t *off = s->band_off + p->band_first;
        for (uint32_t k = off[b]; k < off[b + 1]; k++)
            if (crosses(s->xy, s->band_edges[k], px, py))
                inside = !inside;
        return inside;
    }
    const struct sp_ring *r = s->rings + p->ring_first;
    for (uint32_t k = 0; k < p->ring_count; k++) {
        uint32_t end = r[k].start + r[k].n - 1;
        for (uint32_t i = r[k].start; i < end; i++)
            if (crosses(s->xy, i, px, py))
                inside = !inside;
    }
    return inside;
}

/* Better means smaller area, then the longer code, then the smaller code,
 * so the answer does not depend on the order of the tree. A village with a
 * single grid has the grid's polygon, and the grid, whose code is longer,
 * is the answer wanted. */
static bool poly_better(const struct sp_poly *p, const struct sp_poly *best)
{
    if (!best)
        return true;
    if (p->area != best->area)
        return p->area < best->area;
    size_t lp = strlen(p->code), lb = strlen(best->code);
    if (lp != lb)
        return lp > lb;
    return strcmp(p->code, best->code) < 0;
}

#define SP_MAX_CANDIDATES 32

/* The boxes that contain the point are gathered first and tested from the
 * best down, so the first polygon that contains the point is the answer
 * and big ones (a township around its grids) are seldom tested at all.
 * Should more boxes overlap than the list holds, the rest are tested on
 * the spot against the best so far. */
static const struct sp_poly *find_polygon(const struct xt_spatial *s, double px, double py)
{
    if (s->nblocks == 0)
        return NULL;
    const struct sp_poly *best = NULL;
    const struct sp_poly *cand[SP_MAX_CANDIDATES];
    size_t ncand = 0;
    /* The tree has at most 8 levels for 2^32 entries, and each level
     * pushes at most SP_FANOUT entries. */
    uint32_t stack[8 * SP_FANOUT + 1];
    size_t top = 0;
    stack[top++] = (uint32_t)(s->nblocks - 1);
    while (top) {
        const struct sp_block *b = &s->blocks[stack[--top]];
        uint32_t mask = 0;
        for (uint32_t k = 0; k < SP_FANOUT; k++)
            mask |= (uint32_t)((px >= b->minx[k]) & (px <= b->maxx[k]) & (py >= b->miny[k]) &
                               (py <= b->maxy[k]))
                    << k;
        while (mask) {
            uint32_t k = (uint32_t)__builtin_ctz(mask);
            mask &= mask - 1;
            if (!b->leaf) {
                stack[top++] = b->child[k];
                continue;
            }
            const struct sp_poly *p = &s->polys[b->child[k]];
            if (ncand < SP_MAX_CANDIDATES) {
                /* Insertion sort: the list is short. */
                size_t j = ncand++;
                while (j > 0 && poly_better(p, cand[j - 1])) {
                    cand[j] = cand[j - 1];
                    j--;
                }
                cand[j] = p;
            } else if (poly_better(p, best) && poly_contains(s, p, px, py)) {
                best = p;
            }
        }
    }
    for (size_t j = 0; j < ncand; j++) {
        if (!poly_better(cand[j], best))
            break;
        if (poly_contains(s, cand[j], px, py))
            return cand[j];
    }
    return best;
}

/* ---- nearest point ---- */

struct sp_near {
    const struct xt_spatial *s;
    double px, py, kx; /* kx = cos(lat) scales longitude differences */
    double best_d2;    /* squared distance in degrees of latitude */
    const struct sp_point *best;
};

static double box_d2(const struct sp_near *q, const struct sp_node *b)
{
    double dx = q->px < b->minx ? b->minx - q->px : q->px > b->maxx ? q->px - b->maxx : 0;
    double dy = q->py < b->miny ? b->miny - q->py : q->py > b->maxy ? q->py - b->maxy : 0;
    dx *= q->kx;
    return dx * dx + dy * dy;
}

/* Depth-first branch and bound, nearest children first. */
static void near_visit(struct sp_near *q, const struct sp_node *node)
{
    const struct sp_rtree *t = &q->s->point_tree;
    uint32_t order[SP_FANOUT];
    double d2[SP_FANOUT];
    uint32_t m = 0;
    for (uint32_t k = 0; k < node->count; k++) {
        double d = box_d2(q, &t->nodes[node->first + k]);
        if (d > q->best_d2)
            continue;
        uint32_t j = m++;
        while (j > 0 && d2[j - 1] > d) {
            d2[j] = d2[j - 1];
            order[j] = order[j - 1];
            j--;
        }
        d2[j] = d;
        order[j] = node->first + k;
    }
    for (uint32_t j = 0; j < m; j++) {
        if (d2[j] > q->best_d2)
            break;
        const struct sp_node *c = &t->nodes[order[j]];
        if (c->count) {
            near_visit(q, c);
            continue;
        }
        const struct sp_point *pt = &q->s->points[c->first];
        if (d2[j] < q->best_d2 || !q->best || strcmp(pt->code, q->best->code) < 0) {
            q->best_d2 = d2[j];
            q->best = pt;
        }
    }
}

int xt_spatial_lookup(struct xt_spatial *s, double lat, double lon, double max_km,
                      char code_out[16], int *how)
{
    if (!s || !code_out || !lat_lon_ok(lat, lon) || !(max_km >= 0))
        return XT_EINVAL;
    if (!s->built)
        return XT_ESTATE;
    const struct sp_poly *p = find_polygon(s, lon, lat);
    if (p) {
        memcpy(code_out, p->code, SP_CODE_MAX);
        if (how)
            *how = XT_SPATIAL_INSIDE;
        return 0;
    }
    if (s->point_tree.n == 0)
        return XT_ENOTFOUND;
    double max_deg = max_km / SP_EARTH_KM * (180.0 / SP_PI);
    struct sp_near q = {
        .s = s,
        .px = lon,
        .py = lat,
        .kx = cos(lat * (SP_PI / 180.0)),
        .best_d2 = max_deg * max_deg,
        .best = NULL,
    };
    near_visit(&q, &s->point_tree.nodes[s->point_tree.root]);
    if (!q.best)
        return XT_ENOTFOUND;
    memcpy(code_out, q.best->code, SP_CODE_MAX);
    if (how)
        *how = XT_SPATIAL_NEAREST;
    return 0;
}

size_t xt_spatial_polygon_count(const struct xt_spatial *s)
{
    return s ? s->npolys : 0;
}

size_t xt_spatial_point_count(const struct xt_spatial *s)
{
    return s ? s->npoints : 0;
}
