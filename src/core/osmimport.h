/* osmimport.h - road network, places and facilities from an OpenStreetMap
 * .osm or .osm.pbf file (readosm).
 *
 * Every node of a way tagged with a road class of roadnet.h becomes a
 * network node, and every pair of consecutive way nodes an edge. Ways that
 * reference nodes missing from the file (clipped extracts) are cut there:
 * the segments touching a missing node are skipped and counted. Places are
 * nodes (or ways) tagged place=city|town|village|hamlet|suburb|
 * isolated_dwelling; facilities are nodes or ways whose tags map to a
 * facility type (facility.h), areas reduced to the mean of their vertices.
 * Multipolygon relations are not reduced (counted as skipped).
 *
 * A file that readosm cannot read to the end (truncated, not OSM, wrong
 * suffix) fails with XT_EINVAL naming the file; nothing is returned then.
 */
#ifndef XT_OSMIMPORT_H
#define XT_OSMIMPORT_H

#include "core/roadnet.h"

enum xt_poi_kind {
    XT_POI_PLACE = 0,
    XT_POI_FACILITY = 1,
};

struct xt_poi {
    int kind;
    int type;       /* facility type (facility.h), or -1 for places */
    char place[24]; /* place=* value for places */
    char name[128]; /* name:zh, else name; "" when none */
    double lat, lon;
    long population; /* population=* for places; 0 when unknown */
    long long osm_id;
    char osm_type; /* 'n' or 'w' */
};

/* dem may be NULL. On success net and *pois (owned by the caller, free())
 * are filled. */
int xt_osm_import(const char *path, const struct xt_speeds *sp, const struct xt_dem *dem,
                  struct xt_roadnet *net, struct xt_poi **pois, size_t *n_pois,
                  struct xt_import_counts *cnt, struct xt_error *err);

#endif
