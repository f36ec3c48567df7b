/* test_siting.c - tests for src/core/siting.c: the heuristic reaches
 * GLPK's proven optimum on many small random instances, and its reported
 * bound is never below (MCLP) or above (p-median) that optimum; the same
 * with capacities (split assignment, existing sites fixed), and capacities
 * that never bind change nothing. */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/siting.h"

static uint64_t rng = 88172645463325252ull;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static void test_mclp_equals_glpk(void **state)
{
    (void)state;
    enum { N = 40, M = 15 };
    int nontrivial = 0;
    for (int inst = 0; inst < 60; inst++) {
        double w[N];
        uint8_t c0[N];
        uint32_t first[M + 1], idx[N * M];
        size_t q = 0;
        for (int i = 0; i < N; i++) {
            w[i] = 1 + next_rand() % 100;
            c0[i] = next_rand() % 7 == 0;
        }
        for (int j = 0; j < M; j++) {
            first[j] = (uint32_t)q;
            for (int i = 0; i < N; i++)
                if (next_rand() % 5 == 0)
                    idx[q++] = (uint32_t)i;
        }
        first[M] = (uint32_t)q;
        struct xt_mclp p = {N, M, w, c0, first, idx, NULL, 0};
        size_t k = 1 + inst % 4;
        struct xt_site_result h, e;
        assert_int_equal(xt_site_mclp(&p, k, &h), 0);
        assert_int_equal(xt_site_mclp_glpk(&p, k, &e), 0);
        assert_int_equal(h.k, k);
        assert_int_equal(e.k, k);
        assert_float_equal(h.value, e.value, 1e-6);
        assert_true(h.bound >= e.value - 1e-6);
        assert_true(h.gap >= 0 && h.gap < 1);
        nontrivial += h.swaps > 0 || h.bound > h.value + 1e-6;
    }
    assert_true(nontrivial > 0);
    /* k out of range */
    struct xt_site_result r;
    struct xt_mclp p0 = {0, 0, NULL, NULL, (uint32_t[]){0}, NULL, NULL, 0};
    assert_int_equal(xt_site_mclp(&p0, 1, &r), XT_EINVAL);
}

static void test_pmedian_equals_glpk(void **state)
{
    (void)state;
    enum { N = 25, M = 10 };
    for (int inst = 0; inst < 40; inst++) {
        double w[N], c[N * M], c0[N];
        for (int i = 0; i < N; i++) {
            w[i] = 1 + next_rand() % 50;
            c0[i] = inst % 2 ? 60 + next_rand() % 120 : 1e18;
            for (int j = 0; j < M; j++)
                c[i * M + j] = 1 + next_rand() % 150;
        }
        struct xt_pmedian p = {N, M, w, c, inst % 2 ? c0 : NULL, NULL, 0};
        size_t k = 1 + inst % 3;
        struct xt_site_result h, e;
        assert_int_equal(xt_site_pmedian(&p, k, &h), 0);
        assert_int_equal(xt_site_pmedian_glpk(&p, k, &e), 0);
        assert_float_equal(h.value, e.value, 1e-6 * e.value);
        assert_true(h.bound <= e.value + 1e-6);
    }
}

/* Existing facilities count: a point they already cover adds nothing. */
static void test_mclp_existing_fixed(void **state)
{
    (void)state;
    double w[3] = {100, 10, 1};
    uint8_t c0[3] = {1, 0, 0};
    /* candidate 0 covers the big point only, 1 covers points 1 and 2 */
    uint32_t first[3] = {0, 1, 3}, idx[3] = {0, 1, 2};
    struct xt_mclp p = {3, 2, w, c0, first, idx, NULL, 0};
    struct xt_site_result h;
    assert_int_equal(xt_site_mclp(&p, 1, &h), 0);
    assert_int_equal(h.chosen[0], 1);
    assert_float_equal(h.value, 111, 1e-9);
    assert_float_equal(h.gap, 0, 1e-12);
}

/* Random capacities: about a third unlimited, the others 40..440 of a
 * total demand near 1,500, so that they bind often. */
/* Instances per capacitated test: fewer under valgrind (XT_VALGRIND is set
 * by the memcheck runs), where each flow costs fifty times more. */
static int cap_instances(int full)
{
    const char *v = getenv("XT_VALGRIND");
    return v && *v ? full / 5 : full;
}

static void random_caps(double *cap, size_t m)
{
    for (size_t j = 0; j < m; j++)
        cap[j] = next_rand() % 3 == 0 ? -1.0 : 40.0 + (double)(next_rand() % 400);
}

static void test_cap_mclp_equals_glpk(void **state)
{
    (void)state;
    enum { N = 30, M = 12 };
    int binding = 0;
    for (int inst = 0, n_inst = cap_instances(25); inst < n_inst; inst++) {
        double w[N], cap[M];
        uint8_t c0[N];
        uint32_t first[M + 1], idx[N * M];
        size_t q = 0;
        for (int i = 0; i < N; i++) {
            w[i] = 1 + next_rand() % 100;
            c0[i] = next_rand() % 9 == 0;
        }
        for (int j = 0; j < M; j++) {
            first[j] = (uint32_t)q;
            for (int i = 0; i < N; i++)
                if (next_rand() % 4 == 0)
                    idx[q++] = (uint32_t)i;
        }
        first[M] = (uint32_t)q;
        random_caps(cap, M);
        size_t nf = (size_t)(inst % 3); /* 0..2 existing sites with limits */
        struct xt_mclp p = {N, M, w, c0, first, idx, cap, nf};
        size_t k = 1 + inst % 4;
        struct xt_site_result h, e;
        assert_int_equal(xt_site_mclp(&p, k, &h), 0);
        assert_int_equal(xt_site_mclp_glpk(&p, k, &e), 0);
        assert_true(h.capacitated);
        assert_int_equal(h.k, k);
        assert_float_equal(h.value, e.value, 1e-6 * (1 + e.value));
        assert_true(h.bound >= e.value - 1e-6);
        /* the loads add up to the value and respect the limits */
        double covered0 = 0, sum = h.fixed_load;
        for (int i = 0; i < N; i++)
            covered0 += c0[i] ? w[i] : 0;
        for (size_t t = 0; t < h.k; t++) {
            assert_true(h.chosen[t] >= nf);
            double cj = cap[h.chosen[t]];
            assert_true(cj < 0 || h.load[t] <= cj + 1e-6);
            sum += h.load[t];
            binding += h.binds[t];
        }
        assert_float_equal(covered0 + sum, h.value, 1e-6 * (1 + h.value));
    }
    assert_true(binding > 0);
}

static void test_cap_pmedian_equals_glpk(void **state)
{
    (void)state;
    enum { N = 20, M = 10 };
    int binding = 0;
    for (int inst = 0, n_inst = cap_instances(25); inst < n_inst; inst++) {
        double w[N], c[N * M], c0[N], cap[M];
        for (int i = 0; i < N; i++) {
            w[i] = 1 + next_rand() % 100;
            c0[i] = 60 + next_rand() % 120;
            for (int j = 0; j < M; j++)
                c[i * M + j] = 1 + next_rand() % 150;
        }
        random_caps(cap, M);
        size_t nf = (size_t)(inst % 3);
        struct xt_pmedian p = {N, M, w, c, c0, cap, nf};
        size_t k = 1 + inst % 3;
        struct xt_site_result h, e;
        assert_int_equal(xt_site_pmedian(&p, k, &h), 0);
        assert_int_equal(xt_site_pmedian_glpk(&p, k, &e), 0);
        assert_float_equal(h.value, e.value, 1e-6 * e.value);
        assert_true(h.bound <= e.value + 1e-6);
        assert_true(h.gap >= 0 && h.gap < 1);
        for (size_t t = 0; t < h.k; t++) {
            double cj = cap[h.chosen[t]];
            assert_true(cj < 0 || h.load[t] <= cj + 1e-6);
            binding += h.binds[t];
        }
    }
    assert_true(binding > 0);
    /* a capacitated p-median needs the fallback cost */
    double w1 = 1, c1 = 1, cap1 = 1;
    struct xt_pmedian bad = {1, 1, &w1, &c1, NULL, &cap1, 0};
    struct xt_site_result r;
    assert_int_equal(xt_site_pmedian(&bad, 1, &r), XT_EINVAL);
}

/* Hand-checked: 10 people 1 minute from the one candidate that takes 4,
 * 10 minutes from the existing facility: 4 x 1 + 6 x 10 = 64. */
static void test_cap_pmedian_hand(void **state)
{
    (void)state;
    double w[1] = {10}, c[1] = {1}, c0[1] = {10}, cap[1] = {4};
    struct xt_pmedian p = {1, 1, w, c, c0, cap, 0};
    struct xt_site_result h;
    assert_int_equal(xt_site_pmedian(&p, 1, &h), 0);
    assert_float_equal(h.value, 64, 1e-9);
    assert_float_equal(h.load[0], 4, 1e-9);
    assert_true(h.binds[0]);
    /* the split: two points, a site for 15 between them; the nearer share
     * goes where it saves most (point 0 saves 9/min, point 1 saves 2) */
    double w2[2] = {10, 10}, c2[2] = {1, 3}, c02[2] = {10, 5}, cap2[1] = {15};
    struct xt_pmedian p2 = {2, 1, w2, c2, c02, cap2, 0};
    assert_int_equal(xt_site_pmedian(&p2, 1, &h), 0);
    assert_float_equal(h.value, 10 * 1 + 5 * 3 + 5 * 5, 1e-9);
    assert_float_equal(h.load[0], 15, 1e-9);
}

/* Limits that never bind, or none at all, give the uncapacitated answer. */
static void test_cap_absent_unchanged(void **state)
{
    (void)state;
    enum { N = 30, M = 12 };
    for (int inst = 0, n_inst = cap_instances(10); inst < n_inst; inst++) {
        double w[N], c[N * M], c0[N], none[M], big[M];
        uint8_t cv0[N];
        uint32_t first[M + 1], idx[N * M];
        size_t q = 0;
        for (int i = 0; i < N; i++) {
            w[i] = 1 + next_rand() % 100;
            c0[i] = 60 + next_rand() % 120;
            cv0[i] = next_rand() % 9 == 0;
            for (int j = 0; j < M; j++)
                c[i * M + j] = 1 + next_rand() % 150;
        }
        for (int j = 0; j < M; j++) {
            first[j] = (uint32_t)q;
            for (int i = 0; i < N; i++)
                if (next_rand() % 4 == 0)
                    idx[q++] = (uint32_t)i;
            none[j] = -1;
            big[j] = 1e6;
        }
        first[M] = (uint32_t)q;
        size_t k = 1 + inst % 3;
        struct xt_site_result a, b, d;
        struct xt_mclp m0 = {N, M, w, cv0, first, idx, NULL, 0};
        struct xt_mclp m1 = {N, M, w, cv0, first, idx, none, 0};
        struct xt_mclp m2 = {N, M, w, cv0, first, idx, big, 0};
        assert_int_equal(xt_site_mclp(&m0, k, &a), 0);
        assert_int_equal(xt_site_mclp(&m1, k, &b), 0);
        assert_int_equal(xt_site_mclp(&m2, k, &d), 0);
        assert_false(a.capacitated);
        assert_float_equal(a.value, b.value, 1e-9);
        assert_float_equal(a.value, d.value, 1e-9);
        for (size_t t = 0; t < k; t++)
            assert_false(d.binds[t]);
        struct xt_pmedian p0 = {N, M, w, c, c0, NULL, 0};
        struct xt_pmedian p1 = {N, M, w, c, c0, none, 0};
        struct xt_pmedian p2 = {N, M, w, c, c0, big, 0};
        assert_int_equal(xt_site_pmedian(&p0, k, &a), 0);
        assert_int_equal(xt_site_pmedian(&p1, k, &b), 0);
        assert_int_equal(xt_site_pmedian(&p2, k, &d), 0);
        assert_float_equal(a.value, b.value, 1e-9 * a.value);
        assert_float_equal(a.value, d.value, 1e-9 * a.value);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mclp_equals_glpk),
        cmocka_unit_test(test_pmedian_equals_glpk),
        cmocka_unit_test(test_mclp_existing_fixed),
        cmocka_unit_test(test_cap_mclp_equals_glpk),
        cmocka_unit_test(test_cap_pmedian_equals_glpk),
        cmocka_unit_test(test_cap_pmedian_hand),
        cmocka_unit_test(test_cap_absent_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
