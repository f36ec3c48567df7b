/* geojson.c - FeatureCollection walker on json-c. */
#include "core/geojson.h"

#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deep enough for any GeoJSON (a MultiPolygon is 4 arrays inside the
 * feature, the collection and the geometry) with room for nested
 * properties, and shallow enough to stop a hostile nesting bomb. */
#define GJ_MAX_DEPTH 64

/* The code member as text in buf, or NULL when it is absent, empty or not
 * a string or an integral number. */
static const char *code_text(struct json_object *v, char *buf, size_t size)
{
    if (!v)
        return NULL;
    switch (json_object_get_type(v)) {
    case json_type_string: {
        const char *s = json_object_get_string(v);
        return s && s[0] ? s : NULL;
    }
    case json_type_int:
        snprintf(buf, size, "%lld", (long long)json_object_get_int64(v));
        return buf;
    case json_type_double: {
        /* Some writers store 12-digit codes as 6.22921101001e11; those are
         * still integers, and doubles hold them exactly below 2^53. */
        double d = json_object_get_double(v);
        if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740992.0)
            return NULL;
        snprintf(buf, size, "%.0f", d);
        return buf;
    }
    default:
        return NULL;
    }
}

static const char *feature_code(struct json_object *feature, char *buf, size_t size)
{
    static const char *const keys[] = {"code", "adcode", "id"};
    struct json_object *props = NULL, *v = NULL;
    if (json_object_object_get_ex(feature, "properties", &props) &&
        json_object_is_type(props, json_type_object)) {
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
            v = NULL;
            json_object_object_get_ex(props, keys[i], &v);
            const char *c = code_text(v, buf, size);
            if (c)
                return c;
        }
    }
    v = NULL;
    json_object_object_get_ex(feature, "id", &v);
    return code_text(v, buf, size);
}

static bool is_type(struct json_object *obj, const char *type)
{
    struct json_object *t = NULL;
    return json_object_is_type(obj, json_type_object) &&
           json_object_object_get_ex(obj, "type", &t) && json_object_is_type(t, json_type_string) &&
           strcmp(json_object_get_string(t), type) == 0;
}

static bool number(struct json_object *v, double *out)
{
    if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
        return false;
    *out = json_object_get_double(v);
    return isfinite(*out);
}

/* 1 when the feature went to fn, 0 when skipped, or fn's nonzero code. */
static int visit(struct json_object *feature,
                 int (*fn)(void *, const char *, const char *, double *, struct xt_error *),
                 void *ctx, struct xt_error *err)
{
    char buf[32];
    if (!is_type(feature, "Feature"))
        return 0;
    const char *code = feature_code(feature, buf, sizeof(buf));
    struct json_object *geom = NULL;
    json_object_object_get_ex(feature, "geometry", &geom);
    if (!code || !json_object_is_type(geom, json_type_object))
        return 0;
    double lat_lon[2], *point = NULL;
    if (is_type(geom, "Point")) {
        struct json_object *coords = NULL;
        if (!json_object_object_get_ex(geom, "coordinates", &coords) ||
            !json_object_is_type(coords, json_type_array) || json_object_array_length(coords) < 2 ||
            !number(json_object_array_get_idx(coords, 0), &lat_lon[1]) ||
            !number(json_object_array_get_idx(coords, 1), &lat_lon[0]))
            return 0;
        point = lat_lon;
    }
    const char *text = json_object_to_json_string_ext(geom, JSON_C_TO_STRING_PLAIN |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text)
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    int rc = fn(ctx, code, text, point, err);
    return rc ? rc : 1;
}

int xt_geojson_each_feature(const char *text, size_t n,
                            int (*fn)(void *ctx, const char *code, const char *geometry_json,
                                      double *point_lat_lon, struct xt_error *err),
                            void *ctx, size_t *skipped, struct xt_error *err)
{
    if (!text || !fn)
        return xt_error_set(err, XT_EINVAL, "geojson", "is required");
    if (n > INT_MAX)
        return xt_error_set(err, XT_ETOOBIG, "geojson", "is larger than 2 GiB");

    struct json_tokener *tok = json_tokener_new_ex(GJ_MAX_DEPTH);
    if (!tok)
        return xt_error_set(err, XT_ENOMEM, "", "out of memory");
    struct json_object *root = json_tokener_parse_ex(tok, text, (int)n);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    int rc = 0;
    size_t nskipped = 0;

    if (!root || jerr != json_tokener_success) {
        rc = xt_error_set(err, XT_EINVAL, "geojson", "is not JSON: %s at byte %zu",
                          jerr == json_tokener_continue ? "unexpected end of text"
                                                        : json_tokener_error_desc(jerr),
                          end);
        goto out;
    }
    while (end < n && strchr(" \t\r\n", text[end]) && text[end])
        end++;
    if (end < n) {
        rc = xt_error_set(err, XT_EINVAL, "geojson", "has text after the JSON value at byte %zu",
                          end);
        goto out;
    }

    if (is_type(root, "Feature")) {
        int r = visit(root, fn, ctx, err);
        if (r == 0)
            nskipped++;
        else if (r < 0)
            rc = r;
        goto out;
    }
    if (!is_type(root, "FeatureCollection")) {
        rc = xt_error_set(err, XT_EINVAL, "geojson", "must be a FeatureCollection or a Feature");
        goto out;
    }
    struct json_object *features = NULL;
    if (!json_object_object_get_ex(root, "features", &features) ||
        !json_object_is_type(features, json_type_array)) {
        rc = xt_error_set(err, XT_EINVAL, "features", "must be an array");
        goto out;
    }
    size_t count = json_object_array_length(features);
    for (size_t i = 0; i < count; i++) {
        int r = visit(json_object_array_get_idx(features, i), fn, ctx, err);
        if (r == 0) {
            nskipped++;
        } else if (r < 0) {
            rc = r;
            break;
        }
    }

out:
    if (skipped)
        *skipped = nskipped;
    json_object_put(root);
    json_tokener_free(tok);
    return rc;
}

/* ---- writing ---- */

static struct json_object *coord(double v)
{
    char text[40];
    snprintf(text, sizeof(text), "%.*f", XT_GEOJSON_PLACES, v);
    /* Drop trailing zeros so 103.5 is written as 103.5, not 103.500000. */
    char *dot = strchr(text, '.');
    if (dot) {
        char *end = text + strlen(text) - 1;
        while (end > dot && *end == '0')
            *end-- = '\0';
        if (end == dot)
            *end = '\0';
    }
    if (strcmp(text, "-0") == 0)
        snprintf(text, sizeof(text), "0");
    return json_object_new_double_s(strtod(text, NULL), text);
}

struct json_object *xt_geojson_point(double lat, double lon)
{
    struct json_object *g = json_object_new_object(), *c = json_object_new_array();
    json_object_array_add(c, coord(lon));
    json_object_array_add(c, coord(lat));
    json_object_object_add(g, "type", json_object_new_string("Point"));
    json_object_object_add(g, "coordinates", c);
    return g;
}

static bool position(struct json_object *p, double *lon, double *lat)
{
    return json_object_is_type(p, json_type_array) && json_object_array_length(p) >= 2 &&
           number(json_object_array_get_idx(p, 0), lon) &&
           number(json_object_array_get_idx(p, 1), lat);
}

double xt_geojson_ring_area2(struct json_object *ring)
{
    size_t n = json_object_array_length(ring);
    double sum = 0, x0, y0, x1, y1;
    for (size_t i = 0; i + 1 < n; i++) {
        if (!position(json_object_array_get_idx(ring, i), &x0, &y0) ||
            !position(json_object_array_get_idx(ring, i + 1), &x1, &y1))
            return 0;
        sum += x0 * y1 - x1 * y0;
    }
    return sum;
}

/* The ring rounded, closed and turned to the wanted orientation. */
static int ring_out(struct json_object *ring, bool exterior, struct json_object **out,
                    struct xt_error *err)
{
    *out = NULL;
    if (!json_object_is_type(ring, json_type_array))
        return xt_error_set(err, XT_EINVAL, "geometry", "a ring must be an array of positions");
    size_t n = json_object_array_length(ring);
    double lon, lat, lon0 = 0, lat0 = 0, lonl = 0, latl = 0;
    for (size_t i = 0; i < n; i++) {
        if (!position(json_object_array_get_idx(ring, i), &lon, &lat) || fabs(lon) > 180 ||
            fabs(lat) > 90)
            return xt_error_set(err, XT_EINVAL, "geometry",
                                "position %zu of a ring is not a longitude and latitude", i);
        if (i == 0) {
            lon0 = lon;
            lat0 = lat;
        }
        lonl = lon;
        latl = lat;
    }
    bool closed = n > 0 && lon0 == lonl && lat0 == latl;
    if (n + (closed ? 0 : 1) < 4)
        return xt_error_set(err, XT_EINVAL, "geometry", "a ring needs at least 4 positions");
    double a = xt_geojson_ring_area2(ring);
    if (!closed) /* the closing edge */
        a += lonl * lat0 - lon0 * latl;
    bool reverse = exterior ? a < 0 : a > 0;
    struct json_object *r = json_object_new_array();
    if (!r)
        return XT_ENOMEM;
    size_t m = closed ? n : n + 1;
    for (size_t k = 0; k < m; k++) {
        /* k == n only when closing an open ring: its first position again. */
        size_t i = reverse ? (k < n ? n - 1 - k : n - 1) : (k < n ? k : 0);
        position(json_object_array_get_idx(ring, i), &lon, &lat);
        struct json_object *p = json_object_new_array();
        json_object_array_add(p, coord(lon));
        json_object_array_add(p, coord(lat));
        json_object_array_add(r, p);
    }
    *out = r;
    return 0;
}

static int polygon_out(struct json_object *rings, struct json_object **out, struct xt_error *err)
{
    *out = NULL;
    if (!json_object_is_type(rings, json_type_array) || json_object_array_length(rings) < 1)
        return xt_error_set(err, XT_EINVAL, "geometry", "a polygon must be an array of rings");
    struct json_object *p = json_object_new_array();
    if (!p)
        return XT_ENOMEM;
    size_t n = json_object_array_length(rings);
    for (size_t i = 0; i < n; i++) {
        struct json_object *r;
        int rc = ring_out(json_object_array_get_idx(rings, i), i == 0, &r, err);
        if (rc) {
            json_object_put(p);
            return rc;
        }
        json_object_array_add(p, r);
    }
    *out = p;
    return 0;
}

int xt_geojson_polygon_normalise(const char *geometry_json, struct json_object **out,
                                 struct xt_error *err)
{
    *out = NULL;
    if (!geometry_json)
        return xt_error_set(err, XT_EINVAL, "geometry", "is required");
    struct json_tokener *tok = json_tokener_new_ex(GJ_MAX_DEPTH);
    if (!tok)
        return XT_ENOMEM;
    struct json_object *g = json_tokener_parse_ex(tok, geometry_json, (int)strlen(geometry_json));
    json_tokener_free(tok);
    struct json_object *coords = NULL, *c = NULL;
    int rc = 0;
    bool multi = is_type(g, "MultiPolygon");
    if (!multi && !is_type(g, "Polygon")) {
        rc = xt_error_set(err, XT_EINVAL, "geometry", "must be a Polygon or MultiPolygon");
        goto out;
    }
    if (!json_object_object_get_ex(g, "coordinates", &coords)) {
        rc = xt_error_set(err, XT_EINVAL, "geometry", "has no coordinates");
        goto out;
    }
    if (!multi) {
        rc = polygon_out(coords, &c, err);
    } else if (!json_object_is_type(coords, json_type_array) ||
               json_object_array_length(coords) < 1) {
        rc = xt_error_set(err, XT_EINVAL, "geometry", "a MultiPolygon needs polygons");
    } else {
        c = json_object_new_array();
        size_t n = json_object_array_length(coords);
        for (size_t i = 0; !rc && i < n; i++) {
            struct json_object *p;
            rc = polygon_out(json_object_array_get_idx(coords, i), &p, err);
            if (!rc)
                json_object_array_add(c, p);
        }
    }
    if (rc)
        goto out;
    struct json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string(multi ? "MultiPolygon" : "Polygon"));
    json_object_object_add(o, "coordinates", c);
    c = NULL;
    *out = o;
out:
    json_object_put(c);
    json_object_put(g);
    return rc;
}
