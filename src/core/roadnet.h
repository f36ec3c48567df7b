/* roadnet.h - road networks for travel times to public services (服务半径).
 *
 * A road network is a list of nodes (WGS 84 degrees, optional elevation)
 * and edges. Each edge carries, for each mode (car, foot) and each
 * direction, a travel cost in tenths of a second (integer, so that sums
 * are exact and the benchmark can demand identical costs from pgRouting);
 * XT_COST_NONE means the mode may not use the edge in that direction.
 *
 * Costs:
 * - Speeds come from a table per highway class and mode (xt_speeds; the
 *   defaults suit rural mountain roads and can be replaced from a CSV
 *   `class,car_kmh,foot_kmh`). A speed of 0 forbids the mode.
 * - One-way streets (oneway=yes/1/true/-1, roundabouts, motorways) bind
 *   cars only; walkers use them both ways.
 * - Slope, where an elevation model is given: the grade g = dh / length of
 *   each segment (uphill positive in the direction of travel).
 *   Walking uses Tobler's hiking function, v = v_flat * exp(-3.5 |g + 0.05|)
 *   / exp(-0.175), so a class's table speed is the speed on flat ground and
 *   a gentle descent (-5 %) is the fastest. Cars are slowed on steep
 *   grades: time * (1 + 4 * max(0, |g| - 0.04)), capped at 2 (mountain
 *   hairpins and trucks), both directions.
 * - Edge cost = round(sum over its segments of length / speed), in 0.1 s.
 *
 * Ownership: a struct xt_roadnet owns its arrays; xt_roadnet_release frees
 * them (and accepts a zeroed struct). A graph (struct xt_graph) owns its
 * arrays and does not refer to the network it was built from.
 */
#ifndef XT_ROADNET_H
#define XT_ROADNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

#define XT_COST_NONE UINT32_MAX

enum xt_mode {
    XT_MODE_CAR = 0,
    XT_MODE_FOOT = 1,
    XT_MODE_N = 2,
};

/* Highway classes (OSM highway=* values) with default speeds in km/h for
 * car and foot. Rural mountain defaults: narrow, winding, mixed traffic. */
#define XT_HIGHWAY_CLASSES(X)                                                                      \
    X(motorway, 80, 0)                                                                             \
    X(motorway_link, 50, 0)                                                                        \
    X(trunk, 60, 4.5)                                                                              \
    X(trunk_link, 40, 4.5)                                                                         \
    X(primary, 50, 4.5)                                                                            \
    X(primary_link, 35, 4.5)                                                                       \
    X(secondary, 40, 4.5)                                                                          \
    X(secondary_link, 30, 4.5)                                                                     \
    X(tertiary, 30, 4.5)                                                                           \
    X(tertiary_link, 25, 4.5)                                                                      \
    X(unclassified, 25, 4.5)                                                                       \
    X(road, 20, 4.5)                                                                               \
    X(residential, 20, 4.5)                                                                        \
    X(living_street, 10, 4.5)                                                                      \
    X(service, 15, 4.5)                                                                            \
    X(track, 10, 4.5)                                                                              \
    X(pedestrian, 0, 4.5)                                                                          \
    X(footway, 0, 4.5)                                                                             \
    X(path, 0, 4)                                                                                  \
    X(bridleway, 0, 4)                                                                             \
    X(cycleway, 0, 4.5)                                                                            \
    X(steps, 0, 2)                                                                                 \
    X(generated, 25, 4.5) /* demo region's generated mountain roads */

enum xt_highway {
#define XT_HW_ENUM(name, car, foot) XT_HW_##name,
    XT_HIGHWAY_CLASSES(XT_HW_ENUM)
#undef XT_HW_ENUM
        XT_HW_N
};

/* Class by OSM name; -1 when not a road class this module uses. */
int xt_highway_parse(const char *name);
const char *xt_highway_name(int cls);

struct xt_speeds {
    double kmh[XT_HW_N][XT_MODE_N];
    double offroad_walk_kmh; /* walk-in from a place to its snapped node */
};

/* The built-in table. */
void xt_speeds_default(struct xt_speeds *sp);
/* Override from a CSV `class,car_kmh,foot_kmh` (header required; classes
 * not listed keep their value). On failure sp is unchanged and err names
 * the line and column. */
int xt_speeds_load(struct xt_speeds *sp, const char *path, struct xt_error *err);

/* An SRTM .hgt tile (1201x1201 or 3601x3601 big-endian int16 metres; the
 * south-west corner is taken from the file name, e.g. N42E001.hgt). */
struct xt_dem {
    int size;          /* samples per side */
    double lat0, lon0; /* south-west corner */
    int16_t *h;        /* row 0 is the northern edge, as in the file */
};
int xt_dem_load(struct xt_dem *d, const char *path, struct xt_error *err);
/* Bilinear height in metres; NAN outside the tile or next to a void. */
double xt_dem_height(const struct xt_dem *d, double lat, double lon);
void xt_dem_release(struct xt_dem *d);

struct xt_road_edge {
    uint32_t u, v;
    float length_m;
    uint8_t cls;
    uint8_t pad[3];
    uint32_t cost[XT_MODE_N][2]; /* [mode][0] u->v, [mode][1] v->u; 0.1 s */
};

struct xt_roadnet {
    size_t n_nodes, n_edges;
    double *lat, *lon;
    float *elev; /* NAN where unknown */
    struct xt_road_edge *edges;
    size_t cap_nodes, cap_edges;
    void *block; /* set when loaded from a file: every array points into it */
};

void xt_roadnet_release(struct xt_roadnet *net);
/* Append a node; returns its index through id. */
int xt_roadnet_add_node(struct xt_roadnet *net, double lat, double lon, float elev, uint32_t *id);
/* Append a straight edge between two existing nodes (every OSM way node is
 * a network node, so edges are single segments), costed from its length
 * and the grade between the nodes' elevations. oneway: 0 both ways, 1
 * forward only for cars, -1 backward only for cars. detour multiplies the
 * straight-line length (1 for surveyed roads, more for generated ones). */
int xt_roadnet_add_edge(struct xt_roadnet *net, const struct xt_speeds *sp, uint32_t u, uint32_t v,
                        int cls, int oneway, double detour);
/* Cost of length_m metres at class cls, mode, grade g, in 0.1 s
 * (XT_COST_NONE when the mode may not use the class). */
uint32_t xt_road_cost(const struct xt_speeds *sp, int cls, int mode, double length_m, double grade);

/* Great-circle distance in metres (haversine, mean Earth radius). */
double xt_geo_dist_m(double lat1, double lon1, double lat2, double lon2);

/* Binary format "XTROADS1": header, lat[], lon[], elev[], edges[]; loaded
 * with one read into one block. Loading checks the magic, the sizes and
 * every edge's end points; a truncated or foreign file is XT_EINVAL. */
int xt_roadnet_save(const struct xt_roadnet *net, const char *path, struct xt_error *err);
int xt_roadnet_load(struct xt_roadnet *net, const char *path, struct xt_error *err);

/* Edge-list CSV import: header with at least source, target, source_lat,
 * source_lon, target_lat, target_lon, highway; optional length_m and oneway
 * (yes/no/-1). Node ids are any text; equal ids are the same node. */
struct xt_import_counts {
    long nodes, edges, ways, skipped_segments, missing_nodes, places, facilities, bad_rows;
};
int xt_roadnet_import_edges(struct xt_roadnet *net, const struct xt_speeds *sp, const char *path,
                            struct xt_import_counts *cnt, struct xt_error *err);

/* A directed graph in compressed sparse row form for one mode: arcs of
 * node v are head[first[v]] .. head[first[v+1]-1] with cost[]. A reverse
 * graph holds, for each node, the arcs that enter it (so a search from the
 * facilities on it gives the time from every node to them). */
struct xt_graph {
    uint32_t n, m;
    uint32_t *first, *head, *cost;
};
int xt_graph_build(const struct xt_roadnet *net, int mode, bool reverse, struct xt_graph *g);
void xt_graph_release(struct xt_graph *g);

/* Contract pass-through nodes: a node that is not kept and has exactly two
 * distinct neighbours (a road vertex between two others, one-way or not)
 * is removed and the arcs through it joined (nodes without arcs in the
 * mode are dropped too), so that shortest-path costs
 * between the remaining nodes are unchanged. keep[v] != 0 keeps v (the
 * places and facilities a query needs). map[v] (n entries, caller's) gets
 * v's index in out, or UINT32_MAX when v was removed. */
int xt_graph_contract(const struct xt_graph *g, const uint8_t *keep, struct xt_graph *out,
                      uint32_t *map);

/* Shortest paths from many sources at once (Dijkstra with a 4-ary heap).
 * A source starts at node with an initial cost (its walk-in time); tag is
 * copied to every node it is nearest to. */
struct xt_source {
    uint32_t node;
    uint32_t cost;
    uint32_t tag;
};
struct xt_sp {
    uint32_t n;
    uint32_t *dist;   /* XT_COST_NONE when not reached */
    uint32_t *origin; /* tag of the nearest source */
    uint32_t *heap, *pos;
    uint32_t heap_n;
    uint32_t *touched;
    uint32_t n_touched;
};
int xt_sp_init(struct xt_sp *sp, uint32_t n);
void xt_sp_release(struct xt_sp *sp);
/* Run from srcs; nodes farther than limit (0.1 s; XT_COST_NONE for none)
 * stay unreached. Only the nodes the previous run touched are reset, so
 * many small bounded runs cost what they visit. */
void xt_sp_run(struct xt_sp *sp, const struct xt_graph *g, const struct xt_source *srcs,
               size_t n_srcs, uint32_t limit);
/* The same, stopping as soon as n_targets nodes with is_target[v] != 0 are
 * settled (their dist is then final; other nodes may be unfinished). */
void xt_sp_run_until(struct xt_sp *sp, const struct xt_graph *g, const struct xt_source *srcs,
                     size_t n_srcs, uint32_t limit, const uint8_t *is_target, uint32_t n_targets);

/* Snapping of points to the network: the nearest node of the largest
 * weakly connected part of a mode's graph (small disconnected pieces at
 * clip edges would otherwise strand a village), found through a uniform
 * grid of about 1 km cells. */
struct xt_snap {
    double lat0, lon0, cell_deg_lat, cell_deg_lon;
    int nx, ny;
    uint32_t *cell_first, *cell_nodes;
    const double *lat, *lon; /* borrowed from the network */
};
int xt_snap_build(struct xt_snap *s, const struct xt_roadnet *net, const struct xt_graph *g);
/* Nearest node and its distance in metres; XT_ENOTFOUND for an empty
 * network. */
int xt_snap_find(const struct xt_snap *s, double lat, double lon, uint32_t *node, double *dist_m);
void xt_snap_release(struct xt_snap *s);
/* Walk-in time for dist_m metres off the network, in 0.1 s. */
uint32_t xt_walkin_cost(const struct xt_speeds *sp, double dist_m);

#endif
