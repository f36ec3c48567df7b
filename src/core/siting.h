/* siting.h - where k new facilities help most (选址): maximal covering
 * location (MCLP) and p-median, with existing facilities fixed.
 *
 * Heuristic: greedy (lazy evaluation) then swap local search (one open
 * candidate for one closed, best improvement, until no swap improves).
 * Bound: both objectives are monotone submodular in the set of opened
 * candidates (covered demand; demand-weighted time saved over the existing
 * facilities), so for any set S and the k largest marginal gains g_1..g_k
 * with respect to S, OPT <= f(S) + g_1 + ... + g_k (Nemhauser, Wolsey &
 * Fisher 1978). The smallest such bound seen during the search is kept;
 * for MCLP a Lagrangian bound (coverage constraints relaxed, subgradient
 * descent within a fixed work budget) usually tightens it further. The
 * gap = (bound - value) / bound (MCLP), (value - bound) / value (p-median).
 * Exact: xt_site_*_glpk solve the integer programme with GLPK's branch and
 * cut, for instances small enough (tests use it to prove the heuristic).
 *
 * Capacities (cap != NULL or n_fixed > 0): each facility j may serve at
 * most cap[j] of demand weight (cap[j] < 0: no limit). The assignment is
 * split, not single-sourced: a place's population may be shared between
 * facilities (the transportation problem; a village's pupils can go to two
 * schools), so for a fixed set of open facilities the best assignment is
 * a min-cost flow, solved exactly (successive shortest paths with
 * potentials, blocking augmentation on the admissible arcs). The search
 * is the same greedy start (from the uncapacitated solution) + swap
 * descent + perturbation, each candidate set evaluated by that flow, with
 * the swap neighbourhood narrowed to a shortlist within a work budget on
 * big instances (about a second of flow work); for p-median each place is
 * assigned among its 64 nearest sites and its fallback, so that the flow
 * stays small on a county (the value is that of a feasible assignment).
 * - capacitated p-median: minimise sum_i w_i sum_j z_ij c_ij + unserved
 *   weight x cost0[i] (cost0 is required: it is the cost of a place left at
 *   its uncapacitated fallback, an existing facility or the cap).
 * - capacitated MCLP: maximise covered weight; covered weight assigned to
 *   facility j <= cap[j]; points in covered0 are covered by uncapacitated
 *   existing facilities and count in full.
 * Existing facilities that have a capacity are candidates 0..n_fixed-1,
 * always open and not counted in k (existing ones without a capacity stay
 * folded in covered0 / cost0). Bound: the uncapacitated problem is a
 * relaxation, so its bound (upper for MCLP, lower for p-median) is valid;
 * for MCLP it is also capped by covered0 + the capacities of the fixed
 * sites + the k largest candidate capacities (when all are finite).
 *
 * Inputs are borrowed; out-arrays are the caller's.
 */
#ifndef XT_SITING_H
#define XT_SITING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Coverage: candidate j covers demand points cov_idx[cov_first[j] ..
 * cov_first[j+1]-1]; weight[i] is the demand of point i; covered0[i] (may
 * be NULL) marks points that existing facilities already cover. */
struct xt_mclp {
    size_t n_demand, n_cand;
    const double *weight;
    const uint8_t *covered0;
    const uint32_t *cov_first, *cov_idx;
    const double *cap; /* may be NULL: no capacities */
    size_t n_fixed;    /* candidates 0..n_fixed-1 are open existing facilities */
};

/* p-median: cost[i * n_cand + j] is the time from point i to candidate j
 * (XT_COST_NONE-like large values for out of reach), cost0[i] (may be NULL)
 * the time to the nearest existing facility. Objective: sum_i weight[i] *
 * min(cost0[i], min_{j in S} cost[i][j]). */
struct xt_pmedian {
    size_t n_demand, n_cand;
    const double *weight;
    const double *cost;
    const double *cost0;
    const double *cap; /* may be NULL: no capacities */
    size_t n_fixed;    /* candidates 0..n_fixed-1 are open existing facilities */
};

struct xt_site_result {
    size_t k;
    uint32_t chosen[256]; /* candidate indexes, ascending */
    double value;         /* MCLP: weight covered in all; p-median: total weighted cost */
    double bound;         /* MCLP: upper bound; p-median: lower bound on the cost */
    double gap;           /* relative, >= 0 */
    int swaps;
    bool capacitated;  /* cap or n_fixed given */
    double load[256];  /* demand weight assigned to chosen[q] (MCLP: covered
                          weight, not counting points in covered0) */
    bool binds[256];   /* load reached the capacity of chosen[q] */
    double fixed_load; /* weight assigned to the n_fixed existing sites */
};

/* chosen[] are candidate indexes >= n_fixed. XT_EINVAL when k is 0 or
 * larger than the free candidates or 256, or for a capacitated p-median
 * without cost0. */
int xt_site_mclp(const struct xt_mclp *p, size_t k, struct xt_site_result *res);
int xt_site_pmedian(const struct xt_pmedian *p, size_t k, struct xt_site_result *res);

/* Exact optimum through GLPK (silent), capacities included. XT_EINVAL when
 * k is 0 or larger than the candidates or 256; XT_EIO when GLPK fails. */
int xt_site_mclp_glpk(const struct xt_mclp *p, size_t k, struct xt_site_result *res);
int xt_site_pmedian_glpk(const struct xt_pmedian *p, size_t k, struct xt_site_result *res);

#endif
