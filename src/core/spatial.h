/* spatial.h - resolve a location to its unit (网格定位): which grid polygon
 * contains a point, else which unit's representative point is nearest.
 *
 * Lifecycle: xt_spatial_new, any number of xt_spatial_add_polygon and
 * xt_spatial_add_point, one xt_spatial_build, then xt_spatial_lookup as often
 * as wanted, then xt_spatial_free. Adding after the build, or looking up
 * before it, fails with XT_ESTATE. The adds and the build are not
 * thread-safe; after xt_spatial_build returns, the index is read-only and
 * xt_spatial_lookup may be called from any number of threads at once without
 * a lock.
 *
 * Coordinates are WGS 84 degrees. GeoJSON text is in RFC 7946 order
 * (longitude, latitude); the C functions take (lat, lon) like the API.
 *
 * How a lookup works and why:
 * - Every polygon's bounding box goes into a packed R-tree, bulk-loaded once
 *   with Sort-Tile-Recursive (STR, fan-out 16); this is the "R*Tree
 *   prefilter" of the design. A lookup walks the tree for the boxes that
 *   contain the point.
 * - Each candidate is tested with our own point-in-polygon test: even-odd
 *   ray casting over all rings of the polygon (outer rings and holes, every
 *   part of a MultiPolygon), kept as flat coordinate arrays. Polygons with
 *   more than 32 edges also get a band index (the bounding box cut into
 *   horizontal bands, each listing the edges that cross it), so a test on a
 *   county outline with 10,000 vertices reads a handful of edges instead of
 *   all of them.
 * - GEOS is used only while adding: parsing, the validity check
 *   (GEOSisValidReason_r) and the area. Measured on GEOS 3.11, one core,
 *   random points in one polygon's box, our whole lookup against
 *   GEOSPreparedContains_r alone (with a point built per call): 13-15M/s
 *   against 10M/s for an 8-vertex grid cell, 9.5M/s against 4-6M/s for a
 *   1,000-vertex outline, 7-8M/s against 4.1-4.4M/s for a 10,000-vertex
 *   county outline. Prepared geometries would also need a context and a
 *   prepared copy per thread, because their first use builds an index
 *   lazily; our arrays are immutable after the build, so lookups need
 *   neither. (A ring so jagged that a horizontal line crosses thousands of
 *   its edges is slow for both.)
 * - On the demo data (8 counties, 2,464 grids, bench/bench_spatial.c) one
 *   core does about 3.7M lookups/s against the grids alone, and about 2M/s
 *   with every township, village and county polygon in the same index.
 * - A point on an edge (within rounding) may count as inside either
 *   neighbour, both (the smaller one then wins) or neither (the
 *   nearest-point fallback then answers, which is why grids should also have
 *   their points added). Away from edges the answer is exact.
 * - When polygons overlap (a grid inside its village, or data from two
 *   sources), the one with the smallest area wins; on a tie the longer code
 *   wins (a village with one grid shares the grid's polygon, and the grid is
 *   the answer), then the smaller code. Areas are planar in square
 *   degrees, which ranks polygons that overlap correctly because they share
 *   a latitude.
 * - The nearest-point fallback measures distance with the equirectangular
 *   projection centred on the query point: d = R * sqrt(dlat^2 +
 *   (cos(lat) * dlon)^2), R = 6371.0088 km (mean Earth radius), angles in
 *   radians. For the distances it is used at (a few km up to ~100 km) it is
 *   within 1% of the great-circle distance outside polar regions, and it
 *   gives an exact lower bound for a bounding box, so the search through the
 *   points' R-tree is exact for this metric. There is no wrap-around at the
 *   antimeridian.
 *
 * Ownership: the index copies every string and coordinate it is given; the
 * caller keeps its arguments.
 */
#ifndef XT_SPATIAL_H
#define XT_SPATIAL_H

#include <stddef.h>

#include "lib/err.h"

struct xt_spatial;

enum xt_spatial_how {
    XT_SPATIAL_INSIDE = 1,  /* the point lies inside the unit's polygon */
    XT_SPATIAL_NEAREST = 2, /* no polygon contains it; the unit's point is nearest */
};

/* A new, empty index (owned by the caller, free with xt_spatial_free), or
 * NULL when out of memory. */
struct xt_spatial *xt_spatial_new(void);

/* Free the index and everything it holds. s may be NULL. */
void xt_spatial_free(struct xt_spatial *s);

/* Add the polygon of the unit code (1..15 characters) from a GeoJSON
 * geometry object: Polygon or MultiPolygon, (lon, lat) order. A code may be
 * added more than once (a unit made of several pieces).
 * Returns 0; XT_EINVAL with err naming "code" or "geometry" and the reason
 * (not GeoJSON, wrong type, empty, coordinates out of range, or the GEOS
 * validity reason such as "Self-intersection[103.5 36.1]"); XT_ESTATE after
 * xt_spatial_build; XT_ETOOBIG past 2^31 vertices in all; XT_ENOMEM. On
 * failure the index is unchanged. err may be NULL. */
int xt_spatial_add_polygon(struct xt_spatial *s, const char *code, const char *geojson_geometry,
                           struct xt_error *err);

/* Add a unit's representative point, used when a location lies in no
 * polygon (or the unit has no polygon). Returns 0, XT_EINVAL for an empty or
 * too long code or coordinates out of range, XT_ESTATE after the build,
 * XT_ENOMEM. */
int xt_spatial_add_point(struct xt_spatial *s, const char *code, double lat, double lon);

/* Build the R-trees and band indexes. Call once, after all adds; an empty
 * index is fine. Returns 0, XT_ESTATE when already built, XT_ENOMEM (the
 * index then stays unbuilt and may be freed). */
int xt_spatial_build(struct xt_spatial *s);

/* Resolve (lat, lon). On success returns 0, copies the unit code into
 * code_out (NUL-terminated) and sets *how (how may be NULL):
 * XT_SPATIAL_INSIDE with the smallest-area polygon that contains the point
 * (ties as above),
 * else XT_SPATIAL_NEAREST with the unit whose point is nearest and at most
 * max_km away (max_km = 0 disables the fallback except for an exact hit).
 * Returns XT_ENOTFOUND when neither exists, XT_EINVAL for lat outside
 * -90..90, lon outside -180..180, NaN, or a negative or NaN max_km,
 * XT_ESTATE before the build. On failure code_out and *how are untouched.
 * Thread-safe after the build; allocates nothing. */
int xt_spatial_lookup(struct xt_spatial *s, double lat, double lon, double max_km,
                      char code_out[16], int *how);

/* Number of polygons added (a MultiPolygon counts once). */
size_t xt_spatial_polygon_count(const struct xt_spatial *s);
/* Number of points added. */
size_t xt_spatial_point_count(const struct xt_spatial *s);

#endif
