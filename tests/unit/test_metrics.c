/* test_metrics.c - the three rates (三率) and the ranking
 * (src/core/metrics.c).
 *
 * Every expected figure is worked out by hand in the comment beside it from
 * DESIGN's definitions: response = signed by the sign-for deadline /
 * dispatched; resolution = confirmed resolved / called back; satisfaction =
 * (satisfied + 0.5 x basically) / called back; composite = 0.30 response +
 * 0.35 resolution + 0.35 satisfaction; callbacks that reached nobody are
 * out of the denominators.
 */
/* cmocka.h needs these four first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/metrics.h"
#include "core/ticket.h"

#define EPS 1e-12

#define UNIT "622921100"

/* One assignment: sign-for deadline 1000, resolution deadline 5000. */
static struct xt_assignment A(int64_t signed_at, int64_t replied_at, bool called_back, int resolved,
                              int sat, bool returned, bool repeat, bool proactive) {
    struct xt_assignment a;
    memset(&a, 0, sizeof(a));
    snprintf(a.unit, sizeof(a.unit), UNIT);
    a.dispatched_at = 0;
    a.sign_by = 1000;
    a.signed_at = signed_at;
    a.resolve_by = 5000;
    a.replied_at = replied_at;
    a.called_back = called_back;
    a.resolved = resolved;
    a.satisfaction = sat;
    a.returned = returned;
    a.repeat = repeat;
    a.proactive = proactive;
    return a;
}

enum {
    NO = 0,
    YES = 1
};
#define SAT XT_SAT_SATISFIED
#define BAS XT_SAT_BASIC
#define UNS XT_SAT_UNSATISFIED
#define NON XT_SAT_NONE

/* Ten assignments of one unit in one month.
 *
 *     signed  replied  callback          returned repeat proactive
 *  1    900     4000   resolved, sat         .      .      yes
 *  2   1000     5000   resolved, basic       .      .       .
 *  3   1001     6000   unresolved, unsat     .      .       .
 *  4    500     4500   resolved, sat         .     yes      .
 *  5      -        -   -                    yes     .       .
 *  6    800     3000   unreachable           .      .       .
 *  7    950        -   -                     .      .       .
 *  8   2000     4800   unresolved, basic     .      .      yes
 *  9    100      100   resolved, sat         .      .       .
 * 10      -        -   -                    yes    yes      .
 */
static void ten(struct xt_assignment a[10])
{
    a[0] = A(900, 4000, YES, 1, SAT, NO, NO, YES);
    a[1] = A(1000, 5000, YES, 1, BAS, NO, NO, NO);
    a[2] = A(1001, 6000, YES, 0, UNS, NO, NO, NO);
    a[3] = A(500, 4500, YES, 1, SAT, NO, YES, NO);
    a[4] = A(0, 0, NO, -1, NON, YES, NO, NO);
    /* Unreachable: called_back is false; whatever else the row says does
     * not count. */
    a[5] = A(800, 3000, NO, -1, NON, NO, NO, NO);
    a[6] = A(950, 0, NO, -1, NON, NO, NO, NO);
    a[7] = A(2000, 4800, YES, 0, BAS, NO, NO, YES);
    a[8] = A(100, 100, YES, 1, SAT, NO, NO, NO);
    a[9] = A(0, 0, NO, -1, NON, YES, YES, NO);
}

static void test_weights(void **state)
{
    (void)state;
    struct xt_rate_weights w = xt_rate_weights_default();
    assert_float_equal(w.response, 0.30, EPS);
    assert_float_equal(w.resolution, 0.35, EPS);
    assert_float_equal(w.satisfaction, 0.35, EPS);
}

static void test_ten_assignments(void **state)
{
    (void)state;
    struct xt_assignment a[10];
    ten(a);
    struct xt_rates r;
    xt_rates_init(&r, UNIT);
    for (int i = 0; i < 10; i++)
        xt_rates_add(&r, &a[i]);
    struct xt_rate_weights w = xt_rate_weights_default();
    xt_rates_finish(&r, &w);

    assert_string_equal(r.unit, UNIT);
    assert_int_equal(r.dispatched, 10);
    /* Signed by 1000 (the deadline itself counts): 1, 2, 4, 6, 7, 9 = 6;
     * 3 (1001) and 8 (2000) are late, 5 and 10 never signed. */
    assert_int_equal(r.signed_on_time, 6);
    assert_float_equal(r.response, 6.0 / 10.0, EPS); /* 0.6 */
    /* Called back (reached): 1, 2, 3, 4, 8, 9 = 6; 6 was unreachable. */
    assert_int_equal(r.called_back, 6);
    /* Resolved: 1, 2, 4, 9 = 4 → 4/6. */
    assert_int_equal(r.resolved, 4);
    assert_float_equal(r.resolution, 4.0 / 6.0, EPS);
    /* Satisfied 1, 4, 9 = 3; basically 2, 8 = 2 → (3 + 0.5 x 2) / 6 = 4/6. */
    assert_int_equal(r.satisfied, 3);
    assert_int_equal(r.basically, 2);
    assert_float_equal(r.satisfaction, 4.0 / 6.0, EPS);
    /* 0.30 x 0.6 + 0.35 x 4/6 + 0.35 x 4/6 = 0.18 + 0.7 x 0.6667
     * = 0.18 + 0.46667 = 0.64667. */
    assert_float_equal(r.composite, 0.18 + 0.7 * 4.0 / 6.0, 1e-9);
    assert_float_equal(r.composite, 0.646666666667, 1e-9);
    /* On time (replied by 5000, the deadline itself counts): 1, 2, 4, 6,
     * 8, 9 = 6 → 0.6; 3 replied late, 7 never. */
    assert_int_equal(r.replied_on_time, 6);
    assert_float_equal(r.on_time, 0.6, EPS);
    /* Returned 5, 10 → 0.2; repeat 4, 10 → 0.2; proactive 1, 8 → 0.2. */
    assert_int_equal(r.returned, 2);
    assert_float_equal(r.return_rate, 0.2, EPS);
    assert_int_equal(r.repeat, 2);
    assert_float_equal(r.repeat_rate, 0.2, EPS);
    assert_int_equal(r.proactive, 2);
    assert_float_equal(r.proactive_share, 0.2, EPS);
}

/* A row that did not reach the requester stays out of both the numerators
 * and the denominators of resolution and satisfaction, whatever stale
 * values it carries. */
static void test_unreachable_out_of_denominators(void **state)
{
    (void)state;
    struct xt_rates r;
    xt_rates_init(&r, UNIT);
    struct xt_assignment reached = A(900, 4000, YES, 0, UNS, NO, NO, NO);
    struct xt_assignment unreachable = A(900, 4000, NO, 1, SAT, NO, NO, NO);
    xt_rates_add(&r, &reached);
    xt_rates_add(&r, &unreachable);
    xt_rates_add(&r, &unreachable);
    struct xt_rate_weights w = xt_rate_weights_default();
    xt_rates_finish(&r, &w);
    /* 3 dispatched, all signed in time → response 1. One reached: not
     * resolved, unsatisfied → resolution 0/1, satisfaction 0/1.
     * composite 0.30 x 1 = 0.30. */
    assert_int_equal(r.dispatched, 3);
    assert_int_equal(r.called_back, 1);
    assert_int_equal(r.resolved, 0);
    assert_int_equal(r.satisfied, 0);
    assert_float_equal(r.response, 1.0, EPS);
    assert_float_equal(r.resolution, 0.0, EPS);
    assert_float_equal(r.satisfaction, 0.0, EPS);
    assert_float_equal(r.composite, 0.30, EPS);
}

static void test_zero_denominators(void **state)
{
    (void)state;
    struct xt_rate_weights w = xt_rate_weights_default();
    struct xt_rates r;

    /* Nothing dispatched: every rate undefined. */
    xt_rates_init(&r, UNIT);
    xt_rates_finish(&r, &w);
    assert_true(isnan(r.response));
    assert_true(isnan(r.resolution));
    assert_true(isnan(r.satisfaction));
    assert_true(isnan(r.composite));
    assert_true(isnan(r.on_time));
    assert_true(isnan(r.return_rate));
    assert_true(isnan(r.repeat_rate));
    assert_true(isnan(r.proactive_share));

    /* Dispatched and signed but nobody called back (one unreachable):
     * response 1/2, resolution and satisfaction undefined, so the
     * composite is undefined too. */
    xt_rates_init(&r, UNIT);
    struct xt_assignment x = A(900, 0, NO, -1, NON, NO, NO, NO);
    struct xt_assignment y = A(0, 0, NO, -1, NON, NO, NO, NO);
    xt_rates_add(&r, &x);
    xt_rates_add(&r, &y);
    xt_rates_finish(&r, &w);
    assert_float_equal(r.response, 0.5, EPS);
    assert_true(isnan(r.resolution));
    assert_true(isnan(r.satisfaction));
    assert_true(isnan(r.composite));
    assert_float_equal(r.on_time, 0.0, EPS);

    /* A NULL unit is an empty code. */
    xt_rates_init(&r, NULL);
    assert_string_equal(r.unit, "");
}

static void test_custom_weights(void **state)
{
    (void)state;
    struct xt_assignment a[10];
    ten(a);
    struct xt_rates r;
    xt_rates_init(&r, UNIT);
    for (int i = 0; i < 10; i++)
        xt_rates_add(&r, &a[i]);
    /* 0.5 x 0.6 + 0.25 x 4/6 + 0.25 x 4/6 = 0.3 + 0.33333 = 0.63333. */
    struct xt_rate_weights w = {0.5, 0.25, 0.25};
    xt_rates_finish(&r, &w);
    assert_float_equal(r.composite, 0.3 + 0.5 * 4.0 / 6.0, 1e-9);
}

static struct xt_rates rated(const char *unit, double composite, long dispatched)
{
    struct xt_rates r;
    xt_rates_init(&r, unit);
    r.composite = composite;
    r.dispatched = dispatched;
    return r;
}

/* Composite descending, undefined last, ties share a rank (1, 1, 3),
 * within a tie more dispatched first, then code. */
static void test_ranking(void **state)
{
    (void)state;
    struct xt_rates r[7] = {
        rated("622921104", NAN, 0),   /* undefined: last */
        rated("622921101", 0.80, 5),  /* tie at 0.80, fewer dispatched */
        rated("622921103", 0.80, 9),  /* tie at 0.80, most dispatched */
        rated("622921100", 0.95, 3),  /* best */
        rated("622921102", 0.80, 5),  /* tie at 0.80, same count: code after 101 */
        rated("622921105", 0.10, 40), /* lowest defined */
        rated("622921099", NAN, 12),  /* undefined, more dispatched */
    };
    int rank[7];
    xt_rates_rank(r, 7, rank);
    static const char *const order[7] = {"622921100", "622921103", "622921101", "622921102",
                                         "622921105", "622921099", "622921104"};
    for (int i = 0; i < 7; i++)
        assert_string_equal(r[i].unit, order[i]);
    /* 0.95 is 1st; the three at 0.80 share 2nd; 0.10 is 5th (competition
     * ranking, 1-2-2-2-5); the undefined come after every defined one. */
    assert_int_equal(rank[0], 1);
    assert_int_equal(rank[1], 2);
    assert_int_equal(rank[2], 2);
    assert_int_equal(rank[3], 2);
    assert_int_equal(rank[4], 5);
    assert_true(rank[5] > 5);
    assert_true(rank[6] >= rank[5]);

    /* Nothing to rank, also without arrays (a unit without children:
     * qsort of NULL was undefined, found by fuzz_query). */
    xt_rates_rank(r, 0, rank);
    xt_rates_rank(NULL, 0, NULL);
}

/* Two units whose composites are equal in exact arithmetic but reached by
 * different sums, so that the floating-point results differ in the last
 * bit (0.4375 and 0.43749999999999994):
 *
 *   A: 2 dispatched, none signed in time, both called back, both
 *      resolved, one basically satisfied and one unsatisfied:
 *      0.30 x 0 + 0.35 x 2/2 + 0.35 x (0.5 / 2) = 0.35 + 0.0875 = 0.4375
 *   B: 3 dispatched, none signed in time, two called back, one resolved
 *      and satisfied, one unresolved and basically satisfied:
 *      0.30 x 0 + 0.35 x 1/2 + 0.35 x (1.5 / 2) = 0.175 + 0.2625 = 0.4375
 *
 * They tie, so both rank 1 and B, with more dispatched, comes first. */
static void test_ranking_tie_computed(void **state)
{
    (void)state;
    struct xt_rate_weights w = xt_rate_weights_default();
    struct xt_rates r[2];

    xt_rates_init(&r[0], "622921100"); /* A */
    struct xt_assignment a1 = A(2000, 4000, YES, 1, BAS, NO, NO, NO);
    struct xt_assignment a2 = A(2000, 4000, YES, 1, UNS, NO, NO, NO);
    xt_rates_add(&r[0], &a1);
    xt_rates_add(&r[0], &a2);

    xt_rates_init(&r[1], "622921101"); /* B */
    struct xt_assignment b1 = A(2000, 4000, YES, 1, SAT, NO, NO, NO);
    struct xt_assignment b2 = A(2000, 4000, YES, 0, BAS, NO, NO, NO);
    struct xt_assignment b3 = A(0, 0, NO, -1, NON, NO, NO, NO);
    xt_rates_add(&r[1], &b1);
    xt_rates_add(&r[1], &b2);
    xt_rates_add(&r[1], &b3);

    xt_rates_finish(&r[0], &w);
    xt_rates_finish(&r[1], &w);
    assert_float_equal(r[0].composite, 0.4375, 1e-9);
    assert_float_equal(r[1].composite, 0.4375, 1e-9);

    int rank[2];
    xt_rates_rank(r, 2, rank);
    assert_int_equal(rank[0], 1);
    assert_int_equal(rank[1], 1);
    assert_string_equal(r[0].unit, "622921101");
    assert_string_equal(r[1].unit, "622921100");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weights),
        cmocka_unit_test(test_ten_assignments),
        cmocka_unit_test(test_unreachable_out_of_denominators),
        cmocka_unit_test(test_zero_denominators),
        cmocka_unit_test(test_custom_weights),
        cmocka_unit_test(test_ranking),
        cmocka_unit_test(test_ranking_tie_computed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
