/* reach.h - travel times from places to facilities, coverage against a
 * service standard, and floating-catchment accessibility scores (2SFCA,
 * E2SFCA).
 *
 * A place or facility joins the network at its nearest node (roadnet.h
 * snapping) and the straight walk to it is counted at the off-road walking
 * speed, for cars too (one walks to the road). Times are in 0.1 s;
 * XT_COST_NONE means out of reach (a different piece of the network).
 *
 * Ownership: struct xt_reach owns its graphs and snap indexes and borrows
 * the network, which must outlive it.
 */
#ifndef XT_REACH_H
#define XT_REACH_H

#include "core/roadnet.h"

struct xt_point {
    double lat, lon;
    double weight; /* population (places) or capacity (facilities) */
};

struct xt_reach {
    const struct xt_roadnet *net;
    struct xt_speeds sp;
    struct xt_graph rev[XT_MODE_N]; /* arcs entering each node */
    struct xt_snap snap[XT_MODE_N];
    struct xt_sp work;
};

int xt_reach_init(struct xt_reach *r, const struct xt_roadnet *net, const struct xt_speeds *sp);
void xt_reach_release(struct xt_reach *r);

/* Snap a point for a mode: its node and its walk-in time. */
int xt_reach_snap(const struct xt_reach *r, int mode, double lat, double lon, uint32_t *node,
                  uint32_t *walkin);

/* Time from each of n_places places to its nearest facility (one search
 * from all facilities at once): time[i] and nearest[i] (facility index, or
 * UINT32_MAX when out of reach). */
int xt_reach_nearest(struct xt_reach *r, int mode, const struct xt_point *fac, size_t n_fac,
                     const struct xt_point *places, size_t n_places, uint32_t *time,
                     uint32_t *nearest);

/* All (place, facility) pairs within limit (0.1 s), from one bounded search
 * per facility. *pairs is owned by the caller (free()). */
struct xt_pair {
    uint32_t place, fac;
    uint32_t time;
};
int xt_reach_pairs(struct xt_reach *r, int mode, const struct xt_point *fac, size_t n_fac,
                   const struct xt_point *places, size_t n_places, uint32_t limit,
                   struct xt_pair **pairs, size_t *n_pairs);

/* Floating catchment (Luo & Wang 2003, Luo & Qi 2009). Bands: a pair with
 * time t in (band_end[b-1], band_end[b]] gets weight band_w[b]; beyond the
 * last band it is ignored. 2SFCA is one band with weight 1.
 *   R_j = S_j / sum_{i} P_i W(t_ij)         (supply to weighted demand)
 *   A_i = sum_{j} R_j W(t_ij)               (score of place i)
 * A facility with no weighted demand gets R_j = 0. score[] has n_places
 * entries, ratio[] (may be NULL) n_fac. */
#define XT_FCA_MAX_BANDS 8
struct xt_fca_bands {
    int n;
    uint32_t end[XT_FCA_MAX_BANDS]; /* 0.1 s, increasing */
    double w[XT_FCA_MAX_BANDS];
};
/* E2SFCA defaults: 1 / 0.68 / 0.22 at 10 / 20 / 30 minutes. */
void xt_fca_bands_e2sfca(struct xt_fca_bands *b);
/* 2SFCA: weight 1 up to minutes. */
void xt_fca_bands_2sfca(struct xt_fca_bands *b, double minutes);
int xt_fca(const struct xt_pair *pairs, size_t n_pairs, const struct xt_point *fac, size_t n_fac,
           const struct xt_point *places, size_t n_places, const struct xt_fca_bands *bands,
           double *score, double *ratio);

#endif
