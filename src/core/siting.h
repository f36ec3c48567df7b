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
 * Capacities are not modelled in these two objectives: every demand point
 * goes to its nearest open facility (say so to users).
 *
 * Inputs are borrowed; out-arrays are the caller's.
 */
#ifndef XT_SITING_H
#define XT_SITING_H

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
};

struct xt_site_result {
    size_t k;
    uint32_t chosen[256]; /* candidate indexes, ascending */
    double value;         /* MCLP: weight covered in all; p-median: total weighted cost */
    double bound;         /* MCLP: upper bound; p-median: lower bound on the cost */
    double gap;           /* relative, >= 0 */
    int swaps;
};

int xt_site_mclp(const struct xt_mclp *p, size_t k, struct xt_site_result *res);
int xt_site_pmedian(const struct xt_pmedian *p, size_t k, struct xt_site_result *res);

/* Exact optimum through GLPK (silent). XT_EINVAL when k is 0 or larger
 * than the candidates or 256; XT_EIO when GLPK fails. */
int xt_site_mclp_glpk(const struct xt_mclp *p, size_t k, struct xt_site_result *res);
int xt_site_pmedian_glpk(const struct xt_pmedian *p, size_t k, struct xt_site_result *res);

#endif
