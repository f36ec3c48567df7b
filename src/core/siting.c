/* siting.c - MCLP and p-median: greedy + swap heuristic with a submodular
 * bound, and exact solves through GLPK (see siting.h). */
#include "core/siting.h"

#include <glpk.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* perturbation rounds of the iterated local search */
#define XT_SITE_ROUNDS 40

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Sum of the k largest of g[0..m-1] (g is reordered). */
static double top_k_sum(double *g, size_t m, size_t k)
{
    qsort(g, m, sizeof(*g), cmp_desc);
    double s = 0;
    for (size_t i = 0; i < k && i < m; i++)
        s += g[i] > 0 ? g[i] : 0;
    return s;
}

/* ---- MCLP ---- */

static double mclp_gain(const struct xt_mclp *p, const uint32_t *cnt, size_t j)
{
    double g = 0;
    for (uint32_t k = p->cov_first[j]; k < p->cov_first[j + 1]; k++)
        if (!cnt[p->cov_idx[k]])
            g += p->weight[p->cov_idx[k]];
    return g;
}

static void mclp_open(const struct xt_mclp *p, uint32_t *cnt, size_t j, int d)
{
    for (uint32_t k = p->cov_first[j]; k < p->cov_first[j + 1]; k++)
        cnt[p->cov_idx[k]] += d;
}

static uint64_t site_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s >> 11;
}

/* Restart rounds within a work budget (each round costs about work), at
 * least min and at most XT_SITE_ROUNDS. */
static int site_rounds(double budget, double work, int min)
{
    int rounds = work > 0 ? (int)(budget / work) : XT_SITE_ROUNDS;
    if (rounds > XT_SITE_ROUNDS)
        rounds = XT_SITE_ROUNDS;
    return rounds < min ? min : rounds;
}

/* A random candidate that is not open (there is one: m > k). */
static size_t site_closed(uint64_t *seed, const uint8_t *open, size_t m)
{
    size_t c;
    do
        c = (size_t)(site_rand(seed) % m);
    while (open[c]);
    return c;
}

static double mclp_value(const struct xt_mclp *p, const uint32_t *cnt)
{
    double v = 0;
    for (size_t i = 0; i < p->n_demand; i++)
        if (cnt[i])
            v += p->weight[i];
    return v;
}

/* Best-improvement swaps until none improves; returns the number made.
 * delta(s, c) = gain0(c) + overlap(c, uniq(s)) - loss(s), where uniq(s)
 * are the points only s covers. */
static int mclp_descend(const struct xt_mclp *p, uint32_t *cnt, uint8_t *open, uint32_t *chosen,
                        size_t k, const uint32_t *inv_first, const uint32_t *inv, double *gain,
                        double *overlap)
{
    size_t m = p->n_cand;
    int swaps = 0;
    for (int iter = 0; iter < 10000; iter++) {
        for (size_t j = 0; j < m; j++)
            gain[j] = open[j] ? 0 : mclp_gain(p, cnt, j);
        double best_delta = 1e-9;
        size_t bs = SIZE_MAX, bc = SIZE_MAX;
        for (size_t si = 0; si < k; si++) {
            size_t s = chosen[si];
            double loss = 0;
            memset(overlap, 0, m * sizeof(double));
            for (uint32_t q = p->cov_first[s]; q < p->cov_first[s + 1]; q++) {
                uint32_t i = p->cov_idx[q];
                if (cnt[i] != 1 || (p->covered0 && p->covered0[i]))
                    continue;
                loss += p->weight[i];
                for (uint32_t t = inv_first[i]; t < inv_first[i + 1]; t++)
                    overlap[inv[t]] += p->weight[i];
            }
            for (size_t c = 0; c < m; c++) {
                if (open[c])
                    continue;
                double d = gain[c] + overlap[c] - loss;
                if (d > best_delta) {
                    best_delta = d;
                    bs = si;
                    bc = c;
                }
            }
        }
        if (bs == SIZE_MAX || bc >= m)
            break;
        size_t s = chosen[bs];
        mclp_open(p, cnt, s, -1);
        open[s] = 0;
        mclp_open(p, cnt, bc, 1);
        open[bc] = 1;
        chosen[bs] = (uint32_t)bc;
        swaps++;
    }
    return swaps;
}

/* Lagrangian bound: relax y_i <= sum_j a_ij x_j with multipliers l_i >= 0;
 *   L(l) = sum_i max(0, w_i - l_i) + (sum of the k largest s_j), s_j =
 *   sum_{i in cov(j)} l_i,
 * is an upper bound for every l (points covered by existing facilities
 * count in full and are left out). Subgradient descent from l = w/2,
 * Polyak steps towards the heuristic's value, a fixed work budget; stops
 * once the bound is within 0.1 % of the value. */
static double mclp_lagrange(const struct xt_mclp *p, size_t k, double value, double start_bound)
{
    size_t n = p->n_demand, m = p->n_cand, nnz = p->cov_first[m];
    double *l = malloc((n ? n : 1) * sizeof(double)), *g = malloc((n ? n : 1) * sizeof(double));
    double *sj = malloc(m * sizeof(double)), *tmp = malloc(m * sizeof(double));
    uint32_t *order = malloc(m * sizeof(uint32_t));
    double best = start_bound;
    if (!l || !g || !sj || !tmp || !order)
        goto out;
    double fixed = 0;
    for (size_t i = 0; i < n; i++) {
        bool c0 = p->covered0 && p->covered0[i];
        l[i] = c0 ? 0 : p->weight[i] / 2;
        if (c0)
            fixed += p->weight[i];
    }
    size_t iters = (size_t)(4e8 / (double)(2 * nnz + 2 * n + m + 1));
    if (iters > 300)
        iters = 300;
    if (iters < 20)
        iters = 20;
    double theta = 1.0;
    int stall = 0;
    for (size_t it = 0; it < iters; it++) {
        double L = fixed;
        for (size_t i = 0; i < n; i++) {
            g[i] = 0;
            if (p->covered0 && p->covered0[i])
                continue;
            if (p->weight[i] > l[i]) {
                L += p->weight[i] - l[i];
                g[i] = -1; /* y_i = 1 */
            }
        }
        for (size_t j = 0; j < m; j++) {
            double s = 0;
            for (uint32_t q = p->cov_first[j]; q < p->cov_first[j + 1]; q++)
                s += l[p->cov_idx[q]];
            sj[j] = s;
            order[j] = (uint32_t)j;
        }
        /* the k largest s_j: partial selection */
        for (size_t t = 0; t < k; t++) {
            size_t bi = t;
            for (size_t j = t + 1; j < m; j++)
                if (sj[order[j]] > sj[order[bi]])
                    bi = j;
            uint32_t sw = order[t];
            order[t] = order[bi];
            order[bi] = sw;
            L += sj[order[t]];
            for (uint32_t q = p->cov_first[order[t]]; q < p->cov_first[order[t] + 1]; q++)
                g[p->cov_idx[q]] += 1;
        }
        if (L < best - 1e-9) {
            best = L;
            stall = 0;
        } else if (++stall >= 10) {
            theta /= 2;
            stall = 0;
        }
        double norm = 0;
        for (size_t i = 0; i < n; i++)
            if (!(p->covered0 && p->covered0[i]) && !(l[i] <= 0 && g[i] > 0))
                norm += g[i] * g[i];
        if (norm <= 0 || best - value <= 1e-3 * best || theta < 1e-4)
            break;
        double step = theta * (L - value) / norm;
        for (size_t i = 0; i < n; i++) {
            /* minimise L: move against the subgradient, stay >= 0 */
            double v = l[i] - step * g[i];
            l[i] = v > 0 ? v : 0;
        }
    }
out:
    free(l);
    free(g);
    free(sj);
    free(tmp);
    free(order);
    return best;
}

static int mclp_uncap(const struct xt_mclp *p, size_t k, struct xt_site_result *res)
{
    memset(res, 0, sizeof(*res));
    size_t n = p->n_demand, m = p->n_cand;
    if (k == 0 || k > m || k > 256)
        return XT_EINVAL;
    uint32_t *cnt = calloc(n ? n : 1, sizeof(uint32_t));
    double *stale = malloc(m * sizeof(double)), *tmp = malloc(m * sizeof(double));
    uint8_t *open = calloc(m, 1);
    uint32_t *inv_first = calloc(n + 1, sizeof(uint32_t));
    uint32_t *inv = malloc((p->cov_first[m] ? p->cov_first[m] : 1) * sizeof(uint32_t));
    double *overlap = calloc(m, sizeof(double));
    int rc = 0;
    if (!cnt || !stale || !tmp || !open || !inv_first || !inv || !overlap) {
        rc = XT_ENOMEM;
        goto out;
    }
    double value = 0;
    for (size_t i = 0; i < n; i++) {
        cnt[i] = p->covered0 && p->covered0[i] ? 1 : 0;
        if (cnt[i])
            value += p->weight[i];
    }
    for (size_t j = 0; j < m; j++)
        stale[j] = mclp_gain(p, cnt, j);
    double bound = INFINITY;
    /* greedy with lazy (stale) gains: stale >= true, so the bound holds */
    for (size_t step = 0; step < k; step++) {
        memcpy(tmp, stale, m * sizeof(double));
        for (size_t j = 0; j < m; j++)
            if (open[j])
                tmp[j] = 0;
        double b = value + top_k_sum(tmp, m, k);
        if (b < bound)
            bound = b;
        size_t best;
        for (;;) {
            best = SIZE_MAX;
            for (size_t j = 0; j < m; j++)
                if (!open[j] && (best == SIZE_MAX || stale[j] > stale[best]))
                    best = j;
            double g = mclp_gain(p, cnt, best);
            int fresh = g == stale[best];
            stale[best] = g;
            if (fresh)
                break;
            /* still the largest after refreshing? */
            int top = 1;
            for (size_t j = 0; j < m && top; j++)
                if (!open[j] && j != best && stale[j] > g)
                    top = 0;
            if (top)
                break;
        }
        if (best >= m)
            break;
        open[best] = 1;
        res->chosen[res->k++] = (uint32_t)best;
        value += stale[best];
        mclp_open(p, cnt, best, 1);
    }
    /* inverse coverage: demand point -> candidates */
    for (size_t j = 0; j < m; j++)
        for (uint32_t q = p->cov_first[j]; q < p->cov_first[j + 1]; q++)
            inv_first[p->cov_idx[q] + 1]++;
    for (size_t i = 0; i < n; i++)
        inv_first[i + 1] += inv_first[i];
    {
        uint32_t *fill = malloc((n + 1) * sizeof(uint32_t));
        if (!fill) {
            rc = XT_ENOMEM;
            goto out;
        }
        memcpy(fill, inv_first, (n + 1) * sizeof(uint32_t));
        for (size_t j = 0; j < m; j++)
            for (uint32_t q = p->cov_first[j]; q < p->cov_first[j + 1]; q++)
                inv[fill[p->cov_idx[q]]++] = (uint32_t)j;
        free(fill);
    }
    /* iterated local search: swap descent, then perturb the best set
     * (close up to half of it, open as many random candidates) and descend
     * again; keep the best. Deterministic (fixed seed). */
    {
        uint32_t best_set[256];
        size_t nb = res->k;
        res->swaps +=
            mclp_descend(p, cnt, open, res->chosen, res->k, inv_first, inv, stale, overlap);
        double best_val = mclp_value(p, cnt);
        /* rounds within a work budget: each costs about one pass over the
         * coverage lists per swap */
        double work = (double)p->cov_first[m] + (double)n;
        int rounds = site_rounds(3e7, work, 5);
        memcpy(best_set, res->chosen, nb * sizeof(uint32_t));
        uint64_t seed = 0x9e3779b97f4a7c15ull;
        for (int round = 0; round < rounds && m > k; round++) {
            /* change 1 .. ceil(k/2) sites at once */
            size_t r = 1 + (size_t)(site_rand(&seed) % ((k + 1) / 2));
            for (size_t t = 0; t < r; t++) {
                size_t si = (size_t)(site_rand(&seed) % k);
                size_t c = site_closed(&seed, open, m);
                mclp_open(p, cnt, res->chosen[si], -1);
                open[res->chosen[si]] = 0;
                mclp_open(p, cnt, c, 1);
                open[c] = 1;
                res->chosen[si] = (uint32_t)c;
            }
            res->swaps +=
                mclp_descend(p, cnt, open, res->chosen, res->k, inv_first, inv, stale, overlap);
            double v = mclp_value(p, cnt);
            if (v > best_val + 1e-9) {
                best_val = v;
                memcpy(best_set, res->chosen, nb * sizeof(uint32_t));
            } else {
                for (size_t t = 0; t < nb; t++) {
                    mclp_open(p, cnt, res->chosen[t], -1);
                    open[res->chosen[t]] = 0;
                }
                memcpy(res->chosen, best_set, nb * sizeof(uint32_t));
                for (size_t t = 0; t < nb; t++) {
                    mclp_open(p, cnt, res->chosen[t], 1);
                    open[res->chosen[t]] = 1;
                }
            }
        }
    }
    /* exact value, and the bound at the final set */
    value = 0;
    for (size_t i = 0; i < n; i++)
        if (cnt[i])
            value += p->weight[i];
    for (size_t j = 0; j < m; j++)
        tmp[j] = open[j] ? 0 : mclp_gain(p, cnt, j);
    double b = value + top_k_sum(tmp, m, k);
    if (b < bound)
        bound = b;
    if (bound > value + 1e-9) {
        double lb = mclp_lagrange(p, k, value, bound);
        if (lb < bound)
            bound = lb;
    }
    res->value = value;
    res->bound = bound < value ? value : bound;
    res->gap = res->bound > 0 ? (res->bound - value) / res->bound : 0;
    qsort(res->chosen, res->k, sizeof(uint32_t), cmp_u32);
out:
    free(cnt);
    free(stale);
    free(tmp);
    free(open);
    free(inv_first);
    free(inv);
    free(overlap);
    return rc;
}

/* ---- p-median ---- */

#define PM_BIG 1e15

static double pm_c(const struct xt_pmedian *p, size_t i, size_t j)
{
    double c = p->cost[i * p->n_cand + j];
    return c < PM_BIG ? c : PM_BIG;
}

static double pm_total(const struct xt_pmedian *p, const double *best)
{
    double c = 0;
    for (size_t i = 0; i < p->n_demand; i++)
        c += p->weight[i] * best[i];
    return c;
}

/* best[i] = time from i to the nearest of the existing and chosen sites */
static void pm_assign(const struct xt_pmedian *p, const uint32_t *chosen, size_t k, double *best)
{
    for (size_t i = 0; i < p->n_demand; i++) {
        double b = p->cost0 && p->cost0[i] < PM_BIG ? p->cost0[i] : PM_BIG;
        for (size_t t = 0; t < k; t++)
            b = fmin(b, pm_c(p, i, chosen[t]));
        best[i] = b;
    }
}

/* Best-improvement swaps, each evaluated exactly, until none improves. */
static int pm_descend(const struct xt_pmedian *p, uint8_t *open, uint32_t *chosen, size_t k,
                      double *best)
{
    size_t n = p->n_demand, m = p->n_cand;
    int swaps = 0;
    for (int iter = 0; iter < 10000; iter++) {
        double cur = pm_total(p, best);
        double best_cost = cur - 1e-9 * (1 + fabs(cur));
        size_t bs = SIZE_MAX, bc = SIZE_MAX;
        for (size_t si = 0; si < k; si++) {
            for (size_t c = 0; c < m; c++) {
                if (open[c])
                    continue;
                double tot = 0;
                for (size_t i = 0; i < n && tot < best_cost; i++) {
                    double b = p->cost0 && p->cost0[i] < PM_BIG ? p->cost0[i] : PM_BIG;
                    for (size_t t = 0; t < k; t++)
                        if (t != si)
                            b = fmin(b, pm_c(p, i, chosen[t]));
                    b = fmin(b, pm_c(p, i, c));
                    tot += p->weight[i] * b;
                }
                if (tot < best_cost) {
                    best_cost = tot;
                    bs = si;
                    bc = c;
                }
            }
        }
        if (bs == SIZE_MAX || bc >= m)
            break;
        open[chosen[bs]] = 0;
        open[bc] = 1;
        chosen[bs] = (uint32_t)bc;
        swaps++;
        pm_assign(p, chosen, k, best);
    }
    return swaps;
}

static int pmedian_uncap(const struct xt_pmedian *p, size_t k, struct xt_site_result *res)
{
    memset(res, 0, sizeof(*res));
    size_t n = p->n_demand, m = p->n_cand;
    if (k == 0 || k > m || k > 256)
        return XT_EINVAL;
    double *best = malloc((n ? n : 1) * sizeof(double));
    double *stale = malloc(m * sizeof(double)), *tmp = malloc(m * sizeof(double));
    uint8_t *open = calloc(m, 1);
    if (!best || !stale || !tmp || !open) {
        free(best);
        free(stale);
        free(tmp);
        free(open);
        return XT_ENOMEM;
    }
    double base = 0;
    for (size_t i = 0; i < n; i++) {
        best[i] = p->cost0 && p->cost0[i] < PM_BIG ? p->cost0[i] : PM_BIG;
        base += p->weight[i] * best[i];
    }
    double saved = 0, bound_saved = INFINITY;
    for (size_t j = 0; j < m; j++) {
        double g = 0;
        for (size_t i = 0; i < n; i++)
            g += p->weight[i] * fmax(0, best[i] - pm_c(p, i, j));
        stale[j] = g;
    }
    for (size_t step = 0; step < k; step++) {
        memcpy(tmp, stale, m * sizeof(double));
        for (size_t j = 0; j < m; j++)
            if (open[j])
                tmp[j] = 0;
        double b = saved + top_k_sum(tmp, m, k);
        if (b < bound_saved)
            bound_saved = b;
        size_t bj;
        for (;;) {
            bj = SIZE_MAX;
            for (size_t j = 0; j < m; j++)
                if (!open[j] && (bj == SIZE_MAX || stale[j] > stale[bj]))
                    bj = j;
            double g = 0;
            for (size_t i = 0; i < n; i++)
                g += p->weight[i] * fmax(0, best[i] - pm_c(p, i, bj));
            int top = 1;
            stale[bj] = g;
            for (size_t j = 0; j < m && top; j++)
                if (!open[j] && j != bj && stale[j] > g)
                    top = 0;
            if (top)
                break;
        }
        if (bj >= m)
            break;
        open[bj] = 1;
        res->chosen[res->k++] = (uint32_t)bj;
        saved += stale[bj];
        for (size_t i = 0; i < n; i++)
            best[i] = fmin(best[i], pm_c(p, i, bj));
    }
    /* iterated local search as for MCLP */
    {
        uint32_t best_set[256];
        size_t nb = res->k;
        res->swaps += pm_descend(p, open, res->chosen, nb, best);
        double best_val = pm_total(p, best);
        double work = (double)n * (double)m * (double)k * (double)k;
        int rounds = site_rounds(4e8, work, 3);
        memcpy(best_set, res->chosen, nb * sizeof(uint32_t));
        uint64_t seed = 0x9e3779b97f4a7c15ull;
        for (int round = 0; round < rounds && m > k; round++) {
            /* change 1 .. ceil(k/2) sites at once */
            size_t r = 1 + (size_t)(site_rand(&seed) % ((k + 1) / 2));
            for (size_t t = 0; t < r; t++) {
                size_t si = (size_t)(site_rand(&seed) % k);
                size_t c = site_closed(&seed, open, m);
                open[res->chosen[si]] = 0;
                open[c] = 1;
                res->chosen[si] = (uint32_t)c;
            }
            pm_assign(p, res->chosen, nb, best);
            res->swaps += pm_descend(p, open, res->chosen, nb, best);
            double v = pm_total(p, best);
            if (v < best_val - 1e-9 * (1 + fabs(best_val))) {
                best_val = v;
                memcpy(best_set, res->chosen, nb * sizeof(uint32_t));
            } else {
                for (size_t t = 0; t < nb; t++)
                    open[res->chosen[t]] = 0;
                memcpy(res->chosen, best_set, nb * sizeof(uint32_t));
                for (size_t t = 0; t < nb; t++)
                    open[res->chosen[t]] = 1;
            }
        }
        pm_assign(p, res->chosen, nb, best);
    }
    double cost = 0;
    for (size_t i = 0; i < n; i++)
        cost += p->weight[i] * best[i];
    for (size_t j = 0; j < m; j++) {
        double g = 0;
        if (!open[j])
            for (size_t i = 0; i < n; i++)
                g += p->weight[i] * fmax(0, best[i] - pm_c(p, i, j));
        tmp[j] = g;
    }
    double b = (base - cost) + top_k_sum(tmp, m, k);
    if (b < bound_saved)
        bound_saved = b;
    res->value = cost;
    res->bound = fmin(cost, base - bound_saved);
    if (res->bound < 0)
        res->bound = 0;
    res->gap = cost > 0 ? (cost - res->bound) / cost : 0;
    qsort(res->chosen, res->k, sizeof(uint32_t), cmp_u32);
    free(best);
    free(stale);
    free(tmp);
    free(open);
    return 0;
}

/* ---- GLPK ---- */

struct triplets {
    int *ia, *ja;
    double *ar;
    int n, cap;
};

static int trip_add(struct triplets *t, int i, int j, double v)
{
    if (t->n + 1 >= t->cap) {
        int cap = t->cap ? t->cap * 2 : 1024;
        int *ia = realloc(t->ia, cap * sizeof(int));
        if (ia)
            t->ia = ia;
        int *ja = realloc(t->ja, cap * sizeof(int));
        if (ja)
            t->ja = ja;
        double *ar = realloc(t->ar, cap * sizeof(double));
        if (ar)
            t->ar = ar;
        if (!ia || !ja || !ar)
            return XT_ENOMEM;
        t->cap = cap;
    }
    t->n++; /* GLPK arrays are 1-based */
    t->ia[t->n] = i;
    t->ja[t->n] = j;
    t->ar[t->n] = v;
    return 0;
}

static int solve(glp_prob *lp, size_t nf, size_t m, size_t k, struct xt_site_result *res)
{
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    glp_iocp io;
    glp_init_iocp(&io);
    io.msg_lev = GLP_MSG_OFF;
    io.presolve = GLP_OFF;
    if (glp_simplex(lp, &sm) != 0 || glp_intopt(lp, &io) != 0 || glp_mip_status(lp) != GLP_OPT)
        return XT_EIO;
    res->value = glp_mip_obj_val(lp);
    res->bound = res->value;
    res->gap = 0;
    for (size_t j = nf; j < m && res->k < k; j++)
        if (glp_mip_col_val(lp, (int)j + 1) > 0.5)
            res->chosen[res->k++] = (uint32_t)j;
    return 0;
}

static int mclp_glpk_uncap(const struct xt_mclp *p, size_t k, struct xt_site_result *res)
{
    memset(res, 0, sizeof(*res));
    size_t n = p->n_demand, m = p->n_cand;
    if (k == 0 || k > m || k > 256 || n + m > 200000)
        return XT_EINVAL;
    glp_term_out(GLP_OFF);
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MAX);
    /* columns: x_1..x_m binary, then y_i in [0,1] for open demand points */
    glp_add_cols(lp, (int)(m + n));
    for (size_t j = 0; j < m; j++) {
        glp_set_col_kind(lp, (int)j + 1, GLP_BV);
    }
    double fixed = 0;
    for (size_t i = 0; i < n; i++) {
        int col = (int)(m + i + 1);
        if (p->covered0 && p->covered0[i]) {
            glp_set_col_bnds(lp, col, GLP_FX, 0, 0);
            fixed += p->weight[i];
        } else {
            glp_set_col_bnds(lp, col, GLP_DB, 0, 1);
            glp_set_obj_coef(lp, col, p->weight[i]);
        }
    }
    /* rows: y_i - sum_{j covers i} x_j <= 0, and sum x_j = k */
    glp_add_rows(lp, (int)n + 1);
    struct triplets t = {0};
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        glp_set_row_bnds(lp, (int)i + 1, GLP_UP, 0, 0);
        rc = trip_add(&t, (int)i + 1, (int)(m + i + 1), 1);
    }
    for (size_t j = 0; j < m && !rc; j++)
        for (uint32_t q = p->cov_first[j]; q < p->cov_first[j + 1] && !rc; q++)
            rc = trip_add(&t, (int)p->cov_idx[q] + 1, (int)j + 1, -1);
    glp_set_row_bnds(lp, (int)n + 1, GLP_FX, (double)k, (double)k);
    for (size_t j = 0; j < m && !rc; j++)
        rc = trip_add(&t, (int)n + 1, (int)j + 1, 1);
    if (!rc) {
        glp_load_matrix(lp, t.n, t.ia, t.ja, t.ar);
        rc = solve(lp, 0, m, k, res);
        res->value += fixed;
        res->bound = res->value;
    }
    glp_delete_prob(lp);
    free(t.ia);
    free(t.ja);
    free(t.ar);
    return rc;
}

int xt_site_pmedian_glpk(const struct xt_pmedian *p, size_t k, struct xt_site_result *res)
{
    memset(res, 0, sizeof(*res));
    size_t n = p->n_demand, m = p->n_cand;
    size_t nf = p->n_fixed, ncap = 0;
    if (k == 0 || nf > m || k > m - nf || k > 256 || n * (m + 1) > 200000 ||
        ((p->cap || nf) && !p->cost0))
        return XT_EINVAL;
    for (size_t j = 0; p->cap && j < m; j++)
        ncap += p->cap[j] >= 0;
    glp_term_out(GLP_OFF);
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    /* columns: x_1..x_m, then z_ij (i*(m+1)+j, j = m for the existing set) */
    int nz = (int)(n * (m + 1));
    glp_add_cols(lp, (int)m + nz);
    for (size_t j = 0; j < m; j++) {
        if (j < nf) /* an existing facility: always open */
            glp_set_col_bnds(lp, (int)j + 1, GLP_FX, 1, 1);
        else
            glp_set_col_kind(lp, (int)j + 1, GLP_BV);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= m; j++) {
            int col = (int)(m + i * (m + 1) + j + 1);
            bool none = j == m && (!p->cost0 || p->cost0[i] >= PM_BIG);
            double c = j < m ? pm_c(p, i, j) : none ? 0 : p->cost0[i];
            if (none) /* no existing facility: this column is not an option */
                glp_set_col_bnds(lp, col, GLP_FX, 0, 0);
            else
                glp_set_col_bnds(lp, col, GLP_DB, 0, 1);
            glp_set_obj_coef(lp, col, p->weight[i] * c);
        }
    /* rows: sum_j z_ij = 1 (n), z_ij - x_j <= 0 (n*m), sum x = k, and
     * sum_i w_i z_ij - cap_j x_j <= 0 for each capacitated j */
    glp_add_rows(lp, (int)(n + n * m + 1 + ncap));
    struct triplets t = {0};
    int rc = 0, row = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        row++;
        glp_set_row_bnds(lp, row, GLP_FX, 1, 1);
        for (size_t j = 0; j <= m && !rc; j++)
            rc = trip_add(&t, row, (int)(m + i * (m + 1) + j + 1), 1);
    }
    for (size_t i = 0; i < n && !rc; i++)
        for (size_t j = 0; j < m && !rc; j++) {
            row++;
            glp_set_row_bnds(lp, row, GLP_UP, 0, 0);
            rc = trip_add(&t, row, (int)(m + i * (m + 1) + j + 1), 1);
            if (!rc)
                rc = trip_add(&t, row, (int)j + 1, -1);
        }
    row++;
    glp_set_row_bnds(lp, row, GLP_FX, (double)k, (double)k);
    for (size_t j = nf; j < m && !rc; j++)
        rc = trip_add(&t, row, (int)j + 1, 1);
    for (size_t j = 0; j < m && !rc && ncap; j++) {
        if (p->cap[j] < 0)
            continue;
        row++;
        glp_set_row_bnds(lp, row, GLP_UP, 0, 0);
        rc = trip_add(&t, row, (int)j + 1, -p->cap[j]);
        for (size_t i = 0; i < n && !rc; i++)
            if (p->weight[i] > 0)
                rc = trip_add(&t, row, (int)(m + i * (m + 1) + j + 1), p->weight[i]);
    }
    if (!rc) {
        glp_load_matrix(lp, t.n, t.ia, t.ja, t.ar);
        rc = solve(lp, nf, m, k, res);
        res->capacitated = p->cap || nf;
    }
    glp_delete_prob(lp);
    free(t.ia);
    free(t.ja);
    free(t.ar);
    return rc;
}

/* Capacitated MCLP: x_j binary (fixed ones 1), z_q in [0,1] the share of
 * point i covered through coverage entry q = (i, j); sum_q z_q <= 1 per
 * point, z_q <= x_j, sum_i w_i z_q <= cap_j x_j, sum of free x_j = k. */
static int mclp_glpk_cap(const struct xt_mclp *p, size_t k, struct xt_site_result *res)
{
    size_t n = p->n_demand, m = p->n_cand, nf = p->n_fixed, nnz = p->cov_first[m];
    if (k == 0 || nf > m || k > m - nf || k > 256 || n + m + nnz > 200000)
        return XT_EINVAL;
    glp_term_out(GLP_OFF);
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MAX);
    glp_add_cols(lp, (int)(m + nnz));
    for (size_t j = 0; j < m; j++) {
        if (j < nf)
            glp_set_col_bnds(lp, (int)j + 1, GLP_FX, 1, 1);
        else
            glp_set_col_kind(lp, (int)j + 1, GLP_BV);
    }
    double fixed = 0;
    for (size_t i = 0; i < n; i++)
        if (p->covered0 && p->covered0[i])
            fixed += p->weight[i];
    size_t ncap = 0;
    for (size_t j = 0; p->cap && j < m; j++)
        ncap += p->cap[j] >= 0;
    glp_add_rows(lp, (int)(n + nnz + 1 + ncap));
    struct triplets t = {0};
    int rc = 0, row = 0;
    for (size_t i = 0; i < n; i++)
        glp_set_row_bnds(lp, (int)i + 1, GLP_UP, 0, 1);
    row = (int)n;
    for (size_t j = 0; j < m && !rc; j++)
        for (uint32_t q = p->cov_first[j]; q < p->cov_first[j + 1] && !rc; q++) {
            uint32_t i = p->cov_idx[q];
            int col = (int)(m + q + 1);
            bool c0 = p->covered0 && p->covered0[i];
            glp_set_col_bnds(lp, col, c0 ? GLP_FX : GLP_DB, 0, c0 ? 0 : 1);
            glp_set_obj_coef(lp, col, c0 ? 0 : p->weight[i]);
            rc = trip_add(&t, (int)i + 1, col, 1);
            row++;
            glp_set_row_bnds(lp, row, GLP_UP, 0, 0);
            if (!rc)
                rc = trip_add(&t, row, col, 1);
            if (!rc)
                rc = trip_add(&t, row, (int)j + 1, -1);
        }
    row++;
    glp_set_row_bnds(lp, row, GLP_FX, (double)k, (double)k);
    for (size_t j = nf; j < m && !rc; j++)
        rc = trip_add(&t, row, (int)j + 1, 1);
    for (size_t j = 0; j < m && !rc && ncap; j++) {
        if (p->cap[j] < 0)
            continue;
        row++;
        glp_set_row_bnds(lp, row, GLP_UP, 0, 0);
        rc = trip_add(&t, row, (int)j + 1, -p->cap[j]);
        for (uint32_t q = p->cov_first[j]; q < p->cov_first[j + 1] && !rc; q++)
            if (p->weight[p->cov_idx[q]] > 0)
                rc = trip_add(&t, row, (int)(m + q + 1), p->weight[p->cov_idx[q]]);
    }
    if (!rc) {
        glp_load_matrix(lp, t.n, t.ia, t.ja, t.ar);
        rc = solve(lp, nf, m, k, res);
        res->value += fixed;
        res->bound = res->value;
        res->capacitated = true;
    }
    glp_delete_prob(lp);
    free(t.ia);
    free(t.ja);
    free(t.ar);
    return rc;
}

int xt_site_mclp_glpk(const struct xt_mclp *p, size_t k, struct xt_site_result *res)
{
    memset(res, 0, sizeof(*res));
    if (p->cap || p->n_fixed)
        return mclp_glpk_cap(p, k, res);
    return mclp_glpk_uncap(p, k, res);
}

/* ---- capacities: the assignment for a fixed set of open facilities ---- */

/* Both objectives in one shape: point i has weight w[i] and a fallback
 * cost u[i] that is always available without limit (MCLP: 1, uncovered;
 * p-median: cost0); its options are facilities opt_f[q] at cost opt_c[q]
 * for q in opt_first[i] .. opt_first[i+1]-1, ascending, all below u[i].
 * The cost to minimise is sum_i w_i x (assigned cost, or u_i). */
struct cinst {
    size_t n, m, nf;
    double *w, *u;
    const double *cap; /* NULL: none */
    uint32_t *opt_first, *opt_f;
    double *opt_c;
    double eps; /* a flow this small is zero */
};

static bool capped(const struct cinst *c, size_t f)
{
    return c->cap && c->cap[f] >= 0;
}

/* Work space of the flow, sized once per search. Nodes: 0 source, 1 sink,
 * then capacitated open facilities, then the active points. */
struct fwork {
    size_t vmax, emax, nv, ne;
    double work; /* arcs and options scanned, for the search's budget */
    int32_t *head, *nxt, *to, *fnode, *flist, *nodef, *pt, *pfb, *pe, *par, *it, *heap_v;
    double *cap, *cost, *pot, *dist, *heap_d;
    uint8_t *done, *dead, *onstack;
};

static void fwork_free(struct fwork *fw)
{
    free(fw->head);
    free(fw->nxt);
    free(fw->to);
    free(fw->fnode);
    free(fw->flist);
    free(fw->nodef);
    free(fw->pt);
    free(fw->pfb);
    free(fw->pe);
    free(fw->par);
    free(fw->it);
    free(fw->heap_v);
    free(fw->cap);
    free(fw->cost);
    free(fw->pot);
    free(fw->dist);
    free(fw->heap_d);
    free(fw->done);
    free(fw->dead);
    free(fw->onstack);
}

static int fwork_init(struct fwork *fw, const struct cinst *c)
{
    memset(fw, 0, sizeof(*fw));
    size_t nnz = c->opt_first[c->n];
    fw->vmax = 2 + c->m + c->n;
    fw->emax = 2 * (2 * c->n + nnz + c->m) + 2;
    size_t v = fw->vmax, e = fw->emax;
    fw->head = malloc(v * sizeof(int32_t));
    fw->nxt = malloc(e * sizeof(int32_t));
    fw->to = malloc(e * sizeof(int32_t));
    fw->fnode = malloc(c->m * sizeof(int32_t) + 1);
    fw->flist = malloc(c->m * sizeof(int32_t) + 1);
    fw->nodef = malloc(v * sizeof(int32_t));
    fw->pt = malloc(v * sizeof(int32_t));
    fw->pfb = malloc(v * sizeof(int32_t));
    fw->pe = malloc(v * sizeof(int32_t));
    fw->par = malloc(v * sizeof(int32_t));
    fw->it = malloc(v * sizeof(int32_t));
    fw->heap_v = malloc((e + v) * sizeof(int32_t));
    fw->cap = malloc(e * sizeof(double));
    fw->cost = malloc(e * sizeof(double));
    fw->pot = malloc(v * sizeof(double));
    fw->dist = malloc(v * sizeof(double));
    fw->heap_d = malloc((e + v) * sizeof(double));
    fw->done = malloc(v);
    fw->dead = malloc(v);
    fw->onstack = malloc(v);
    if (!fw->head || !fw->nxt || !fw->to || !fw->fnode || !fw->flist || !fw->nodef || !fw->pt ||
        !fw->pfb || !fw->pe || !fw->par || !fw->it || !fw->heap_v || !fw->cap || !fw->cost ||
        !fw->pot || !fw->dist || !fw->heap_d || !fw->done || !fw->dead || !fw->onstack) {
        fwork_free(fw);
        return XT_ENOMEM;
    }
    for (size_t f = 0; f < c->m; f++)
        fw->fnode[f] = -1;
    return 0;
}

static void add_edge(struct fwork *fw, int32_t u, int32_t v, double cap, double cost)
{
    int32_t e = (int32_t)fw->ne;
    fw->to[e] = v;
    fw->cap[e] = cap;
    fw->cost[e] = cost;
    fw->nxt[e] = fw->head[u];
    fw->head[u] = e;
    fw->to[e + 1] = u;
    fw->cap[e + 1] = 0;
    fw->cost[e + 1] = -cost;
    fw->nxt[e + 1] = fw->head[v];
    fw->head[v] = e + 1;
    fw->ne += 2;
}

static void heap_push(struct fwork *fw, size_t *hn, double d, int32_t v)
{
    size_t i = (*hn)++;
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (fw->heap_d[up] <= d)
            break;
        fw->heap_d[i] = fw->heap_d[up];
        fw->heap_v[i] = fw->heap_v[up];
        i = up;
    }
    fw->heap_d[i] = d;
    fw->heap_v[i] = v;
}

static int32_t heap_pop(struct fwork *fw, size_t *hn, double *d)
{
    int32_t top = fw->heap_v[0];
    *d = fw->heap_d[0];
    size_t n = --(*hn), i = 0;
    double ld = fw->heap_d[n];
    int32_t lv = fw->heap_v[n];
    for (;;) {
        size_t a = 2 * i + 1;
        if (a >= n)
            break;
        if (a + 1 < n && fw->heap_d[a + 1] < fw->heap_d[a])
            a++;
        if (fw->heap_d[a] >= ld)
            break;
        fw->heap_d[i] = fw->heap_d[a];
        fw->heap_v[i] = fw->heap_v[a];
        i = a;
    }
    fw->heap_d[i] = ld;
    fw->heap_v[i] = lv;
    return top;
}

/* Reduced cost of residual arc e out of u. */
static double rcost(const struct fwork *fw, int32_t u, int32_t e)
{
    double r = fw->cost[e] + fw->pot[u] - fw->pot[fw->to[e]];
    return r > 0 ? r : 0;
}

/* Dijkstra on reduced costs from the source; false when the sink is not
 * reached. Then potentials += min(dist, dist[sink]). */
static bool dijkstra(struct fwork *fw, double eps)
{
    size_t nv = fw->nv, hn = 0;
    for (size_t v = 0; v < nv; v++) {
        fw->dist[v] = INFINITY;
        fw->done[v] = 0;
        fw->par[v] = -1;
    }
    fw->dist[0] = 0;
    heap_push(fw, &hn, 0, 0);
    while (hn) {
        double d;
        int32_t u = heap_pop(fw, &hn, &d);
        if (fw->done[u])
            continue;
        fw->done[u] = 1;
        if (u == 1) /* the rest are at least this far: min() below caps them */
            break;
        for (int32_t e = fw->head[u]; e >= 0; e = fw->nxt[e]) {
            fw->work++;
            if (fw->cap[e] <= eps)
                continue;
            int32_t v = fw->to[e];
            double nd = d + rcost(fw, u, e);
            if (nd < fw->dist[v]) {
                fw->dist[v] = nd;
                fw->par[v] = e;
                heap_push(fw, &hn, nd, v);
            }
        }
    }
    if (!isfinite(fw->dist[1]))
        return false;
    double dt = fw->dist[1];
    for (size_t v = 0; v < nv; v++)
        fw->pot[v] += fw->dist[v] < dt ? fw->dist[v] : dt;
    return true;
}

/* One augmenting path on admissible arcs (reduced cost ~ 0) from u to the
 * sink carrying at most lim; returns the amount pushed. */
static double dfs(struct fwork *fw, int32_t u, double lim, double eps, double ceps)
{
    if (u == 1)
        return lim;
    fw->onstack[u] = 1;
    for (; fw->it[u] >= 0; fw->it[u] = fw->nxt[fw->it[u]]) {
        int32_t e = fw->it[u], v = fw->to[e];
        fw->work++;
        if (fw->cap[e] <= eps || fw->dead[v] || fw->onstack[v])
            continue;
        if (fw->cost[e] + fw->pot[u] - fw->pot[v] > ceps)
            continue;
        double got = dfs(fw, v, lim < fw->cap[e] ? lim : fw->cap[e], eps, ceps);
        if (got > eps) {
            fw->cap[e] -= got;
            fw->cap[e ^ 1] += got;
            fw->onstack[u] = 0;
            return got;
        }
    }
    fw->onstack[u] = 0;
    fw->dead[u] = 1;
    return 0;
}

/* The exact best assignment for the open set: returns its cost; load[f]
 * (may be NULL, m entries) gets the weight assigned to facility f. */
static double ceval(const struct cinst *c, const uint8_t *open, double *load, struct fwork *fw)
{
    double total = 0;
    size_t na = 0, nfac = 0;
    if (load)
        memset(load, 0, c->m * sizeof(double));
    fw->nv = 2;
    fw->ne = 0;
    fw->head[0] = fw->head[1] = -1;
    for (size_t i = 0; i < c->n; i++) {
        if (c->w[i] <= 0)
            continue;
        double fb = c->u[i];
        int32_t fbf = -1;
        uint32_t q0 = c->opt_first[i], q1 = c->opt_first[i + 1], qe = q1;
        bool active = false;
        fw->work += q1 - q0;
        for (uint32_t q = q0; q < q1; q++) {
            uint32_t f = c->opt_f[q];
            if (!open[f])
                continue;
            if (!capped(c, f)) {
                fb = c->opt_c[q];
                fbf = (int32_t)f;
                qe = q;
                break;
            }
            active = true;
        }
        if (!active) {
            total += c->w[i] * fb;
            if (load && fbf >= 0)
                load[fbf] += c->w[i];
            continue;
        }
        int32_t pv = (int32_t)fw->nv++;
        fw->head[pv] = -1;
        fw->pt[na] = (int32_t)i;
        fw->pfb[na] = fbf;
        fw->pe[na] = (int32_t)fw->ne;
        na++;
        add_edge(fw, 0, pv, c->w[i], 0);
        add_edge(fw, pv, 1, INFINITY, fb);
        for (uint32_t q = q0; q < qe; q++) {
            uint32_t f = c->opt_f[q];
            if (!open[f])
                continue;
            if (fw->fnode[f] < 0) {
                fw->fnode[f] = (int32_t)fw->nv++;
                fw->head[fw->fnode[f]] = -1;
                fw->nodef[fw->fnode[f]] = (int32_t)f;
                fw->flist[nfac++] = (int32_t)f; /* reset after the solve */
                add_edge(fw, fw->fnode[f], 1, c->cap[f], 0);
            }
            add_edge(fw, pv, fw->fnode[f], INFINITY, c->opt_c[q]);
        }
    }
    if (!na)
        return total;
    double ceps = 1e-9;
    for (size_t v = 0; v < fw->nv; v++)
        fw->pot[v] = 0;
    for (int phase = 0; phase < 1000000; phase++) {
        if (!dijkstra(fw, c->eps))
            break;
        for (size_t v = 0; v < fw->nv; v++) {
            fw->it[v] = fw->head[v];
            fw->dead[v] = 0;
            fw->onstack[v] = 0;
        }
        double pushed = 0, got;
        while ((got = dfs(fw, 0, INFINITY, c->eps, ceps)) > c->eps)
            pushed += got;
        if (pushed <= c->eps) {
            /* ties defeated the search: push along the Dijkstra path */
            double lim = INFINITY;
            for (int32_t v = 1; v != 0; v = fw->to[fw->par[v] ^ 1])
                lim = fmin(lim, fw->cap[fw->par[v]]);
            for (int32_t v = 1; v != 0; v = fw->to[fw->par[v] ^ 1]) {
                fw->cap[fw->par[v]] -= lim;
                fw->cap[fw->par[v] ^ 1] += lim;
            }
        }
    }
    /* flows: the reverse arc's residual is the flow on the arc */
    for (size_t a = 0; a < na; a++) {
        int32_t e = fw->pe[a] + 2; /* point -> sink (fallback) */
        double fbflow = fw->cap[e + 1];
        total += fbflow * fw->cost[e];
        if (load && fw->pfb[a] >= 0)
            load[fw->pfb[a]] += fbflow;
        int32_t pv = fw->to[fw->pe[a]];
        for (int32_t x = fw->head[pv]; x >= 0; x = fw->nxt[x]) {
            if (x & 1 || x == e)
                continue;
            double fx = fw->cap[x + 1];
            total += fx * fw->cost[x];
            if (load)
                load[fw->nodef[fw->to[x]]] += fx;
        }
    }
    for (size_t t = 0; t < nfac; t++)
        fw->fnode[fw->flist[t]] = -1;
    return total;
}

/* ---- capacities: the search ---- */

/* The capacitated search stops after this many arcs and options scanned
 * (about a second on one core), whatever its evaluation count. */
#define XT_SITE_CAP_WORK 4e8
/* p-median with capacities: a place is assigned among its this many
 * nearest sites (and its fallback), which keeps the flow small on big
 * areas; the value reported is that of this assignment, so it stays
 * feasible (the exact solve and small instances are unaffected). */
#define XT_SITE_CAP_OPTIONS 64

static bool more(const struct fwork *fw, size_t evals, size_t max_evals)
{
    return evals < max_evals && fw->work < XT_SITE_CAP_WORK;
}

/* Swap descent (first improvement) over the shortlist, each set evaluated
 * exactly; stops when no swap improves or the evaluations run out. */
static int cdescend(const struct cinst *c, struct fwork *fw, uint8_t *open, uint32_t *chosen,
                    size_t k, const uint32_t *list, size_t nl, double *cur, size_t *evals,
                    size_t max_evals)
{
    int swaps = 0;
    bool improved = true;
    while (improved && more(fw, *evals, max_evals)) {
        improved = false;
        for (size_t si = 0; si < k && more(fw, *evals, max_evals); si++)
            for (size_t t = 0; t < nl && more(fw, *evals, max_evals); t++) {
                uint32_t cand = list[t], old = chosen[si];
                if (open[cand])
                    continue;
                open[old] = 0;
                open[cand] = 1;
                double v = ceval(c, open, NULL, fw);
                (*evals)++;
                if (v < *cur - 1e-9 * (1 + fabs(*cur))) {
                    *cur = v;
                    chosen[si] = cand;
                    swaps++;
                    improved = true;
                } else {
                    open[cand] = 0;
                    open[old] = 1;
                }
            }
    }
    return swaps;
}

struct scored {
    double s;
    uint32_t j;
};

static int cmp_scored(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->s != y->s)
        return x->s < y->s ? 1 : -1;
    return x->j < y->j ? -1 : x->j > y->j;
}

/* Capacitated search from start[] (k free candidates); fills res->chosen,
 * swaps, load, binds, fixed_load and returns the cost through *cost. */
static int csearch(const struct cinst *c, size_t k, const uint32_t *start,
                   struct xt_site_result *res, double *cost)
{
    size_t m = c->m, nf = c->nf, nfree = m - nf, nnz = c->opt_first[c->n];
    struct fwork fw;
    if (fwork_init(&fw, c))
        return XT_ENOMEM;
    uint8_t *open = calloc(m, 1);
    uint32_t *list = malloc((nfree ? nfree : 1) * sizeof(uint32_t));
    double *score = calloc(m, sizeof(double)), *load = malloc(m * sizeof(double));
    int rc = 0;
    if (!open || !list || !score || !load) {
        rc = XT_ENOMEM;
        goto out;
    }
    /* shortlist order: weight-times-saving a candidate offers on its own,
     * limited by its capacity */
    for (size_t i = 0; i < c->n; i++)
        for (uint32_t q = c->opt_first[i]; q < c->opt_first[i + 1]; q++)
            score[c->opt_f[q]] += c->w[i] * (c->u[i] - c->opt_c[q]);
    double tw = 0;
    for (size_t i = 0; i < c->n; i++)
        tw += c->w[i];
    struct scored *sc = malloc((nfree ? nfree : 1) * sizeof(*sc));
    if (!sc) {
        rc = XT_ENOMEM;
        goto out;
    }
    for (size_t j = 0; j < nfree; j++) {
        double s = score[nf + j];
        if (capped(c, nf + j) && tw > c->cap[nf + j] && tw > 0)
            s *= c->cap[nf + j] / tw;
        sc[j] = (struct scored){s, (uint32_t)(nf + j)};
    }
    qsort(sc, nfree, sizeof(*sc), cmp_scored);
    for (size_t j = 0; j < nfree; j++)
        list[j] = sc[j].j;
    free(sc);
    size_t max_evals = (size_t)(1.5e8 / (double)(c->n + nnz + 1));
    if (max_evals < 60)
        max_evals = 60;
    size_t nl = max_evals / (4 * k);
    if (nl < 2 * k)
        nl = 2 * k;
    if (nl > nfree)
        nl = nfree;
    uint32_t chosen[256], best_set[256];
    for (size_t f = 0; f < nf; f++)
        open[f] = 1;
    for (size_t t = 0; t < k; t++) {
        chosen[t] = start[t];
        open[start[t]] = 1;
    }
    size_t evals = 1;
    double cur = ceval(c, open, NULL, &fw);
    res->swaps += cdescend(c, &fw, open, chosen, k, list, nl, &cur, &evals, max_evals);
    double best = cur;
    memcpy(best_set, chosen, k * sizeof(uint32_t));
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int round = 0; round < XT_SITE_ROUNDS && nfree > k && more(&fw, evals, max_evals);
         round++) {
        size_t r = 1 + (size_t)(site_rand(&seed) % ((k + 1) / 2));
        for (size_t t = 0; t < r; t++) {
            size_t si = (size_t)(site_rand(&seed) % k);
            uint32_t cand;
            do
                cand = list[site_rand(&seed) % nl];
            while (open[cand] && nl > k);
            if (open[cand])
                break;
            open[chosen[si]] = 0;
            open[cand] = 1;
            chosen[si] = cand;
        }
        cur = ceval(c, open, NULL, &fw);
        evals++;
        res->swaps += cdescend(c, &fw, open, chosen, k, list, nl, &cur, &evals, max_evals);
        if (cur < best - 1e-9 * (1 + fabs(best))) {
            best = cur;
            memcpy(best_set, chosen, k * sizeof(uint32_t));
        } else {
            for (size_t t = 0; t < k; t++)
                open[chosen[t]] = 0;
            memcpy(chosen, best_set, k * sizeof(uint32_t));
            for (size_t t = 0; t < k; t++)
                open[chosen[t]] = 1;
        }
    }
    qsort(best_set, k, sizeof(uint32_t), cmp_u32);
    *cost = ceval(c, open, load, &fw);
    res->k = k;
    res->capacitated = true;
    res->fixed_load = 0;
    for (size_t f = 0; f < nf; f++)
        res->fixed_load += load[f];
    for (size_t t = 0; t < k; t++) {
        uint32_t j = best_set[t];
        res->chosen[t] = j;
        res->load[t] = load[j];
        res->binds[t] = capped(c, j) && load[j] >= c->cap[j] - 1e-6 * (1 + c->cap[j]);
    }
out:
    fwork_free(&fw);
    free(open);
    free(list);
    free(score);
    free(load);
    return rc;
}

static void cinst_free(struct cinst *c)
{
    free(c->w);
    free(c->u);
    free(c->opt_first);
    free(c->opt_f);
    free(c->opt_c);
}

struct opt_sort {
    double c;
    uint32_t f;
    int capped;
};

static int cmp_opt(const void *a, const void *b)
{
    const struct opt_sort *x = a, *y = b;
    if (x->c != y->c)
        return x->c < y->c ? -1 : 1;
    if (x->capped != y->capped)
        return x->capped - y->capped; /* unlimited first on a tie */
    return x->f < y->f ? -1 : x->f > y->f;
}

/* Keep the first `keep` options of each point (after sorting). */
static void cinst_truncate(struct cinst *c, uint32_t keep)
{
    uint32_t out = 0;
    for (size_t i = 0; i < c->n; i++) {
        uint32_t q0 = c->opt_first[i], q1 = c->opt_first[i + 1];
        if (q1 - q0 > keep)
            q1 = q0 + keep;
        c->opt_first[i] = out;
        for (uint32_t q = q0; q < q1; q++) {
            c->opt_f[out] = c->opt_f[q];
            c->opt_c[out++] = c->opt_c[q];
        }
    }
    c->opt_first[c->n] = out;
}

/* Sort each point's options by cost, unlimited facilities first on ties. */
static int cinst_sort(struct cinst *c)
{
    size_t most = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->opt_first[i + 1] - c->opt_first[i] > most)
            most = c->opt_first[i + 1] - c->opt_first[i];
    struct opt_sort *tmp = malloc((most ? most : 1) * sizeof(*tmp));
    if (!tmp)
        return XT_ENOMEM;
    for (size_t i = 0; i < c->n; i++) {
        uint32_t q0 = c->opt_first[i], d = c->opt_first[i + 1] - q0;
        for (uint32_t t = 0; t < d; t++)
            tmp[t] =
                (struct opt_sort){c->opt_c[q0 + t], c->opt_f[q0 + t], capped(c, c->opt_f[q0 + t])};
        qsort(tmp, d, sizeof(*tmp), cmp_opt);
        for (uint32_t t = 0; t < d; t++) {
            c->opt_c[q0 + t] = tmp[t].c;
            c->opt_f[q0 + t] = tmp[t].f;
        }
    }
    free(tmp);
    return 0;
}

/* per person served by a new site rather than an existing one: far below
 * one person over any real population */
#define MCLP_NEW_COST 1e-7

static int mclp_cap(const struct xt_mclp *p, size_t k, struct xt_site_result *res)
{
    size_t n = p->n_demand, m = p->n_cand, nf = p->n_fixed, nnz = p->cov_first[m];
    struct cinst c = {n, m, nf, NULL, NULL, p->cap, NULL, NULL, NULL, 0};
    c.w = malloc((n ? n : 1) * sizeof(double));
    c.u = malloc((n ? n : 1) * sizeof(double));
    c.opt_first = calloc(n + 1, sizeof(uint32_t));
    c.opt_f = malloc((nnz ? nnz : 1) * sizeof(uint32_t));
    c.opt_c = calloc(nnz ? nnz : 1, sizeof(double));
    uint8_t *cov0 = calloc(n ? n : 1, 1);
    uint32_t *fill = NULL;
    int rc = 0;
    if (!c.w || !c.u || !c.opt_first || !c.opt_f || !c.opt_c || !cov0) {
        rc = XT_ENOMEM;
        goto out;
    }
    double fixed = 0, tw = 0;
    for (size_t i = 0; i < n; i++) {
        bool c0 = p->covered0 && p->covered0[i];
        c.w[i] = c0 ? 0 : p->weight[i];
        c.u[i] = 1;
        fixed += c0 ? p->weight[i] : 0;
        tw += p->weight[i];
        cov0[i] = c0;
    }
    c.eps = 1e-12 * (1 + tw);
    for (size_t q = 0; q < nnz; q++)
        c.opt_first[p->cov_idx[q] + 1]++;
    for (size_t i = 0; i < n; i++)
        c.opt_first[i + 1] += c.opt_first[i];
    fill = malloc((n + 1) * sizeof(uint32_t));
    if (!fill) {
        rc = XT_ENOMEM;
        goto out;
    }
    memcpy(fill, c.opt_first, (n + 1) * sizeof(uint32_t));
    for (size_t j = 0; j < m; j++)
        for (uint32_t q = p->cov_first[j]; q < p->cov_first[j + 1]; q++) {
            /* a new site costs a hair more than an existing one, so that
             * existing capacity is used first (it never trades a person) */
            c.opt_c[fill[p->cov_idx[q]]] = j < nf ? 0 : MCLP_NEW_COST;
            c.opt_f[fill[p->cov_idx[q]]++] = (uint32_t)j;
            if (j < nf)
                cov0[p->cov_idx[q]] = 1;
        }
    if ((rc = cinst_sort(&c)))
        goto out;
    /* the relaxation: fixed sites without limits, candidates without limits */
    struct xt_mclp sub = {n, m - nf, p->weight, cov0, p->cov_first + nf, p->cov_idx, NULL, 0};
    struct xt_site_result u;
    if ((rc = mclp_uncap(&sub, k, &u)))
        goto out;
    uint32_t start[256];
    for (size_t t = 0; t < k; t++)
        start[t] = (uint32_t)(u.chosen[t] + nf);
    double cost;
    if ((rc = csearch(&c, k, start, res, &cost)))
        goto out;
    (void)cost;
    res->value = fixed + res->fixed_load;
    for (size_t t = 0; t < k; t++)
        res->value += res->load[t];
    /* bound: the relaxation's, and what the capacities can hold at most */
    double capb = fixed;
    bool finite = p->cap != NULL;
    for (size_t f = 0; f < nf && finite; f++)
        finite = p->cap[f] >= 0;
    for (size_t f = 0; f < nf && finite; f++)
        capb += p->cap[f];
    if (finite) {
        double *cc = malloc((m - nf) * sizeof(double) + 1);
        if (!cc) {
            rc = XT_ENOMEM;
            goto out;
        }
        for (size_t j = nf; j < m; j++)
            cc[j - nf] = p->cap[j] >= 0 ? p->cap[j] : INFINITY;
        capb += top_k_sum(cc, m - nf, k);
        free(cc);
    }
    res->bound = fmin(u.bound, finite ? capb : INFINITY);
    if (res->bound < res->value)
        res->bound = res->value;
    res->gap = res->bound > 0 ? (res->bound - res->value) / res->bound : 0;
    res->swaps += u.swaps;
out:
    cinst_free(&c);
    free(cov0);
    free(fill);
    return rc;
}

static int pmedian_cap(const struct xt_pmedian *p, size_t k, struct xt_site_result *res)
{
    size_t n = p->n_demand, m = p->n_cand, nf = p->n_fixed, nnz = 0;
    struct cinst c = {n, m, nf, NULL, NULL, p->cap, NULL, NULL, NULL, 0};
    double *cost1 = NULL, *cost0 = NULL;
    c.w = malloc((n ? n : 1) * sizeof(double));
    c.u = malloc((n ? n : 1) * sizeof(double));
    c.opt_first = calloc(n + 1, sizeof(uint32_t));
    int rc = 0;
    if (!c.w || !c.u || !c.opt_first) {
        rc = XT_ENOMEM;
        goto out;
    }
    double tw = 0;
    for (size_t i = 0; i < n; i++) {
        c.w[i] = p->weight[i] > 0 ? p->weight[i] : 0;
        c.u[i] = p->cost0[i] < PM_BIG ? p->cost0[i] : PM_BIG;
        tw += c.w[i];
        for (size_t j = 0; j < m; j++)
            nnz += pm_c(p, i, j) < c.u[i];
    }
    c.eps = 1e-12 * (1 + tw);
    c.opt_f = malloc((nnz ? nnz : 1) * sizeof(uint32_t));
    c.opt_c = malloc((nnz ? nnz : 1) * sizeof(double));
    cost1 = malloc((n * (m - nf) + 1) * sizeof(double));
    cost0 = malloc((n ? n : 1) * sizeof(double));
    if (!c.opt_f || !c.opt_c || !cost1 || !cost0) {
        rc = XT_ENOMEM;
        goto out;
    }
    size_t q = 0;
    for (size_t i = 0; i < n; i++) {
        cost0[i] = c.u[i];
        for (size_t j = 0; j < m; j++) {
            double cij = pm_c(p, i, j);
            if (cij < c.u[i]) {
                c.opt_f[q] = (uint32_t)j;
                c.opt_c[q++] = cij;
            }
            if (j < nf)
                cost0[i] = fmin(cost0[i], cij);
            else
                cost1[i * (m - nf) + j - nf] = cij;
        }
        c.opt_first[i + 1] = (uint32_t)q;
    }
    if ((rc = cinst_sort(&c)))
        goto out;
    cinst_truncate(&c, XT_SITE_CAP_OPTIONS);
    struct xt_pmedian sub = {n, m - nf, p->weight, cost1, cost0, NULL, 0};
    struct xt_site_result u;
    if ((rc = pmedian_uncap(&sub, k, &u)))
        goto out;
    uint32_t start[256];
    for (size_t t = 0; t < k; t++)
        start[t] = (uint32_t)(u.chosen[t] + nf);
    double cost;
    if ((rc = csearch(&c, k, start, res, &cost)))
        goto out;
    res->value = cost;
    res->bound = fmin(u.bound, cost);
    res->gap = cost > 0 ? (cost - res->bound) / cost : 0;
    res->swaps += u.swaps;
out:
    cinst_free(&c);
    free(cost1);
    free(cost0);
    return rc;
}

/* ---- entry points ---- */

int xt_site_mclp(const struct xt_mclp *p, size_t k, struct xt_site_result *res)
{
    memset(res, 0, sizeof(*res));
    if (p->n_fixed > p->n_cand || k == 0 || k > p->n_cand - p->n_fixed || k > 256)
        return XT_EINVAL;
    if (p->cap || p->n_fixed)
        return mclp_cap(p, k, res);
    int rc = mclp_uncap(p, k, res);
    if (rc)
        return rc;
    /* loads: each newly covered point counts at the first chosen site
     * that covers it */
    uint8_t *seen = calloc(p->n_demand ? p->n_demand : 1, 1);
    if (!seen)
        return XT_ENOMEM;
    for (size_t t = 0; t < res->k; t++)
        for (uint32_t q = p->cov_first[res->chosen[t]]; q < p->cov_first[res->chosen[t] + 1]; q++) {
            uint32_t i = p->cov_idx[q];
            if (seen[i] || (p->covered0 && p->covered0[i]))
                continue;
            seen[i] = 1;
            res->load[t] += p->weight[i];
        }
    free(seen);
    return 0;
}

int xt_site_pmedian(const struct xt_pmedian *p, size_t k, struct xt_site_result *res)
{
    memset(res, 0, sizeof(*res));
    if (p->n_fixed > p->n_cand || k == 0 || k > p->n_cand - p->n_fixed || k > 256 ||
        ((p->cap || p->n_fixed) && !p->cost0))
        return XT_EINVAL;
    if (p->cap || p->n_fixed)
        return pmedian_cap(p, k, res);
    int rc = pmedian_uncap(p, k, res);
    if (rc)
        return rc;
    /* loads: each point counts at its nearest chosen site when that beats
     * the existing facilities */
    for (size_t i = 0; i < p->n_demand; i++) {
        double b = p->cost0 && p->cost0[i] < PM_BIG ? p->cost0[i] : PM_BIG;
        size_t bt = SIZE_MAX;
        for (size_t t = 0; t < res->k; t++)
            if (pm_c(p, i, res->chosen[t]) < b) {
                b = pm_c(p, i, res->chosen[t]);
                bt = t;
            }
        if (bt != SIZE_MAX)
            res->load[bt] += p->weight[i];
    }
    return 0;
}
