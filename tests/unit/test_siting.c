/* test_siting.c - tests for src/core/siting.c: the heuristic reaches
 * GLPK's proven optimum on many small random instances, and its reported
 * bound is never below (MCLP) or above (p-median) that optimum. */
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
        struct xt_mclp p = {N, M, w, c0, first, idx};
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
    struct xt_mclp p0 = {0, 0, NULL, NULL, (uint32_t[]){0}, NULL};
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
        struct xt_pmedian p = {N, M, w, c, inst % 2 ? c0 : NULL};
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
    struct xt_mclp p = {3, 2, w, c0, first, idx};
    struct xt_site_result h;
    assert_int_equal(xt_site_mclp(&p, 1, &h), 0);
    assert_int_equal(h.chosen[0], 1);
    assert_float_equal(h.value, 111, 1e-9);
    assert_float_equal(h.gap, 0, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mclp_equals_glpk),
        cmocka_unit_test(test_pmedian_equals_glpk),
        cmocka_unit_test(test_mclp_existing_fixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
