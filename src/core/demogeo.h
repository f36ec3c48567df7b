/* demogeo.h - generated demo geography for one county (演示地理).
 *
 * Village and grid boundaries are not public, so the demo region gets
 * made-up ones that behave like the real thing: every grid has a valid
 * polygon and a point inside it, grids of a county tile its region without
 * gaps or overlaps, and villages, townships and the county are the unions
 * of their grids. The result is deterministic: the same input and seed give
 * byte-identical output on every run and machine with the same GEOS and C
 * maths library.
 *
 * How positions are made (in a local kilometre frame around the seat):
 * - the first township (usually the seat's own town or subdistrict) sits
 *   within 3% of the radius from the seat; the others are spread evenly,
 *   with jitter, over a ring from ~0.3 to 0.85 of the radius;
 * - the villages of a township are spread around it, and the grids of a
 *   village around the village, over a disk of the unit's share of its
 *   parent's area but at most 0.45 of the distance to the nearest unit of
 *   its own level, so that children stay on their parent's side of the
 *   Voronoi bisectors and villages and townships come out in one piece
 *   (over 40 test counties, no village or township was a MultiPolygon or
 *   had a hole, though nothing guarantees it);
 * - points that would leave the county are folded back inside 0.95 R, and
 *   grid points closer than 2 m to each other are nudged apart;
 * - the random numbers of a unit come from splitmix64 seeded with the seed
 *   and a hash of the unit's code, so adding a village moves only its
 *   township's villages (and their neighbours' grids), not the whole
 *   county.
 *
 * How polygons are made: the Voronoi diagram (GEOSVoronoiDiagram_r) of the
 * grid points, with a ring of 48 far-away helper points so that every real
 * cell is closed by shared Voronoi vertices; each cell is clipped to the
 * county's region, a regular 96-gon of radius R around the seat, by our own
 * convex clip that computes a shared edge's crossing identically for both
 * neighbours. Villages and townships are GEOSUnaryUnion_r of their grids'
 * cells (a MultiPolygon should grids of two villages interleave).
 * Coordinates are written with the fewest digits (15 to 17) that read back
 * to the same double, so the cells stay an exact tiling after a round trip
 * through text. Rings follow RFC 7946: outer rings
 * counterclockwise, holes clockwise.
 */
#ifndef XT_DEMOGEO_H
#define XT_DEMOGEO_H

#include <stddef.h>
#include <stdint.h>

#include "core/unit.h"
#include "lib/err.h"

#define XT_DEMOGEO_MAX_GRIDS 999 /* per village: the 3-digit grid sequence */

/* Input. All pointers are borrowed for the duration of the call. */
struct xt_demogeo_village {
    const char *code; /* 12 digits, starting with its township's code */
    int grids;        /* 1..XT_DEMOGEO_MAX_GRIDS, e.g. from xt_gridplan_grids */
};

struct xt_demogeo_township {
    const char *code; /* 9 digits, starting with the county's code */
    const struct xt_demogeo_village *villages;
    size_t n_villages; /* 0 allowed: the township then has no polygon */
};

struct xt_demogeo_county {
    const char *code; /* 6 digits */
    double lat, lon;  /* the county seat (县城); latitude within -80..80 */
    double radius_km; /* 0.5..500: the region is the disk of this radius */
    const struct xt_demogeo_township *townships;
    size_t n_townships; /* at least 1 */
};

/* Output: one per unit. */
struct xt_demogeo_unit {
    char code[XT_CODE_MAX];
    int level;       /* XT_LEVEL_COUNTY, _TOWNSHIP, _VILLAGE or _GRID */
    double lat, lon; /* a point inside the polygon (for a grid: its generated point) */
    /* A GeoJSON Polygon or MultiPolygon geometry object, NUL-terminated,
     * owned by the array; NULL only for a township without villages. */
    char *polygon_geojson;
};

/* Generate the county's geography. On success *units_out is a new array of
 * *n_out units (owned by the caller; free it with xt_demogeo_free) in
 * preorder: the county, then each township followed by each of its
 * villages, each village followed by its grids "<village code>001",
 * "...002", ... in input order. Returns 0; XT_EINVAL with err naming the
 * field ("county.lat", "townships[2].villages[5].code", ...) for a bad
 * code, a code that does not start with its parent's, a repeated code, or
 * a value out of range; XT_ETOOBIG past 200,000 grids; XT_EIO when GEOS
 * fails; XT_ENOMEM. On failure the outputs are untouched. err may be
 * NULL. */
int xt_demogeo_generate(const struct xt_demogeo_county *county, uint64_t seed,
                        struct xt_demogeo_unit **units_out, size_t *n_out, struct xt_error *err);

/* Free an array from xt_demogeo_generate and its strings. units may be
 * NULL. */
void xt_demogeo_free(struct xt_demogeo_unit *units, size_t n);

#endif
