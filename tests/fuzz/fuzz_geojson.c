/* fuzz_geojson.c - GeoJSON boundary import: the feature walker on its own
 * (each feature's code and geometry must come out well-formed), then the
 * file through xt_store_import_geojson, which stores polygons via GEOS. */
#include "fuzzsupport.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/geojson.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_world_init();
    return 0;
}

static int feature(void *ctx, const char *code, const char *geometry_json,
                   double *point_lat_lon, struct xt_error *err)
{
    (void)ctx;
    (void)err;
    (void)point_lat_lon;
    if (!code || !*code || !geometry_json)
        abort();
    struct json_object *g = json_tokener_parse(geometry_json);
    if (!g)
        abort(); /* the walker must hand out valid JSON */
    json_object_put(g);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    size_t skipped = 0;
    struct xt_error err = {0};
    xt_geojson_each_feature((const char *)data, size, feature, NULL, &skipped, &err);
    const char *path = fuzz_scratch_file(data, size, ".geojson");
    struct xt_import_stats st;
    memset(&err, 0, sizeof(err));
    int rc = xt_store_import_geojson(fuzz_store(), path, &st, &err);
    if (rc && !*err.message) {
        fprintf(stderr, "fuzz_geojson: failed import without a message\n");
        abort();
    }
    return 0;
}
