/* geojson.h - walk the features of a GeoJSON FeatureCollection (RFC 7946)
 * and hand each unit's code and geometry to a callback, so that importers
 * can feed boundary files (e.g. DataV/阿里云 adcode files or an export of
 * our own units) into xt_spatial and the store without knowing JSON.
 *
 * Which code a feature has: the first of properties.code,
 * properties.adcode, properties.id and the feature's own "id" member that is
 * a non-empty string or a number. Numbers are passed as decimal text
 * without exponent or fraction ("622921101001"), because unit codes are
 * digit strings that some files store as numbers; a number with a fraction
 * is not a code.
 *
 * Skipped features: a feature without a usable code, without a geometry
 * (missing or null), or whose Point geometry has no two numeric
 * coordinates, is not passed to the callback and is counted in *skipped;
 * it is not an error, because real boundary files contain such features
 * and the import should go on. Members of "features" that are not Feature
 * objects are skipped the same way.
 */
#ifndef XT_GEOJSON_H
#define XT_GEOJSON_H

#include <stddef.h>

#include "lib/err.h"

/* Parse text[0 .. n) (need not be NUL-terminated) as a FeatureCollection,
 * or a single Feature, and call fn once per usable feature in file order:
 *
 *   code           the feature's code (borrowed, valid during the call);
 *   geometry_json  the geometry object serialised as compact JSON, in the
 *                  file's (lon, lat) order (borrowed, valid during the call);
 *   point_lat_lon  for a Point geometry, a double[2] holding {lat, lon}
 *                  (note the swap to the API's order); NULL for any other
 *                  geometry type (borrowed, valid during the call);
 *   err            the caller's err, for fn to fill when it fails.
 *
 * fn returns 0 to go on, or a negative XT_E* code to stop; that code is
 * then returned as is, with err as fn left it. When skipped is not NULL it
 * receives the number of skipped features (also when fn stops the walk).
 *
 * Returns 0; XT_EINVAL naming "geojson" when the text is not JSON or not a
 * FeatureCollection/Feature, or "features" when that member is not an
 * array; XT_ETOOBIG for text over 2 GiB; XT_ENOMEM; or fn's code. Nothing
 * is called when the text itself is invalid. err may be NULL. */
int xt_geojson_each_feature(const char *text, size_t n,
                            int (*fn)(void *ctx, const char *code, const char *geometry_json,
                                      double *point_lat_lon, struct xt_error *err),
                            void *ctx, size_t *skipped, struct xt_error *err);

/* ---- writing (export) ---- */

/* Decimal places of exported coordinates: 6 places are about 0.1 m, the
 * precision RFC 7946 (section 11.2) suggests. */
#define XT_GEOJSON_PLACES 6

/* Parse a stored Polygon or MultiPolygon geometry (GeoJSON text, lon/lat)
 * into *out (a new json_object owned by the caller) the way RFC 7946 wants
 * it written: every ring closed, exterior rings counter-clockwise and holes
 * clockwise (the right-hand rule of section 3.1.6; rings are reversed when
 * needed), coordinates rounded to XT_GEOJSON_PLACES, only "type" and
 * "coordinates" kept. Returns 0; XT_EINVAL naming "geometry" when the text
 * is not such a geometry or has a ring of fewer than 4 positions or a
 * position that is not two finite numbers; XT_ENOMEM. err may be NULL. */
struct json_object;
int xt_geojson_polygon_normalise(const char *geometry_json, struct json_object **out,
                                 struct xt_error *err);

/* A Point geometry [lon, lat] rounded to XT_GEOJSON_PLACES (a new object). */
struct json_object *xt_geojson_point(double lat, double lon);

/* Twice the signed area of a ring given as a json array of [lon, lat]
 * positions: positive when counter-clockwise. Exposed for tests. */
double xt_geojson_ring_area2(struct json_object *ring);

#endif
