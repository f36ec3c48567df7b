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

int xt_site_mclp(const struct xt_mclp *p, size_t k, struct xt_site_result *res)
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
        int rounds = work > 0 ? (int)(3e7 / work) : XT_SITE_ROUNDS;
        if (rounds > XT_SITE_ROUNDS)
            rounds = XT_SITE_ROUNDS;
        if (rounds < 5)
            rounds = 5;
        memcpy(best_set, res->chosen, nb * sizeof(uint32_t));
        uint64_t seed = 0x9e3779b97f4a7c15ull;
        for (int round = 0; round < rounds && m > k; round++) {
            /* change 1 .. ceil(k/2) sites at once */
            size_t r = 1 + (size_t)(site_rand(&seed) % ((k + 1) / 2));
            for (size_t t = 0; t < r; t++) {
                size_t si = (size_t)(site_rand(&seed) % k), c;
                do
                    c = (size_t)(site_rand(&seed) % m);
                while (open[c]);
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

int xt_site_pmedian(const struct xt_pmedian *p, size_t k, struct xt_site_result *res)
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
        int rounds = work > 0 ? (int)(4e8 / work) : XT_SITE_ROUNDS;
        if (rounds > XT_SITE_ROUNDS)
            rounds = XT_SITE_ROUNDS;
        if (rounds < 3)
            rounds = 3;
        memcpy(best_set, res->chosen, nb * sizeof(uint32_t));
        uint64_t seed = 0x9e3779b97f4a7c15ull;
        for (int round = 0; round < rounds && m > k; round++) {
            /* change 1 .. ceil(k/2) sites at once */
            size_t r = 1 + (size_t)(site_rand(&seed) % ((k + 1) / 2));
            for (size_t t = 0; t < r; t++) {
                size_t si = (size_t)(site_rand(&seed) % k), c;
                do
                    c = (size_t)(site_rand(&seed) % m);
                while (open[c]);
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

static int solve(glp_prob *lp, size_t m, size_t k, struct xt_site_result *res)
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
    for (size_t j = 0; j < m && res->k < k; j++)
        if (glp_mip_col_val(lp, (int)j + 1) > 0.5)
            res->chosen[res->k++] = (uint32_t)j;
    return 0;
}

int xt_site_mclp_glpk(const struct xt_mclp *p, size_t k, struct xt_site_result *res)
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
        rc = solve(lp, m, k, res);
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
    if (k == 0 || k > m || k > 256 || n * (m + 1) > 200000)
        return XT_EINVAL;
    glp_term_out(GLP_OFF);
    glp_prob *lp = glp_create_prob();
    glp_set_obj_dir(lp, GLP_MIN);
    /* columns: x_1..x_m, then z_ij (i*(m+1)+j, j = m for the existing set) */
    int nz = (int)(n * (m + 1));
    glp_add_cols(lp, (int)m + nz);
    for (size_t j = 0; j < m; j++)
        glp_set_col_kind(lp, (int)j + 1, GLP_BV);
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
    /* rows: sum_j z_ij = 1 (n), z_ij - x_j <= 0 (n*m), sum x = k */
    glp_add_rows(lp, (int)(n + n * m + 1));
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
    for (size_t j = 0; j < m && !rc; j++)
        rc = trip_add(&t, row, (int)j + 1, 1);
    if (!rc) {
        glp_load_matrix(lp, t.n, t.ia, t.ja, t.ar);
        rc = solve(lp, m, k, res);
    }
    glp_delete_prob(lp);
    free(t.ia);
    free(t.ja);
    free(t.ar);
    return rc;
}
