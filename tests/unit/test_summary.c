/* Tests of the decision summary against hand computations (the numbers in
 * the comments were worked out on paper; docs/summary.md has the rules). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "analysis/summary.h"

#define TOL 1e-12

static void assert_close(double got, double want)
{
    if (isinf(want)) {
        assert_true(isinf(got) && (got > 0) == (want > 0));
        return;
    }
    if (fabs(got - want) > TOL * (1.0 + fabs(want)))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* A totals record over caller arrays: the summary reads only counts, the
 * reference, the monetary flags and the discounted totals (transfers:
 * NULL, none, unless a test sets them). */
static mkba_h5_totals totals(size_t ndraws, size_t narms, size_t npayers,
                             size_t neffects, int reference, double *cost,
                             double *effect, int *monetary)
{
    mkba_h5_totals t;
    memset(&t, 0, sizeof t);
    t.ndraws = ndraws;
    t.narms = narms;
    t.npayers = npayers;
    t.neffects = neffects;
    t.reference = reference;
    t.cost_total_disc = cost;
    t.effect_total_disc = effect;
    t.effect_monetary = monetary;
    return t;
}

static void test_quantile_type7(void **state)
{
    (void)state;
    /* Sorted {1.2, 2.385, 4.4, 7.1, 9.03}; h = 4p.
     * p = 0.025: h = 0.1 -> 1.2 + 0.1 * 1.185 = 1.3185
     * p = 0.3:   h = 1.2 -> 2.385 + 0.2 * 2.015 = 2.788
     * p = 0.5:   h = 2   -> 4.4
     * p = 0.975: h = 3.9 -> 7.1 + 0.9 * 1.93 = 8.837 */
    const double x[] = { 1.2, 2.385, 4.4, 7.1, 9.03 };
    assert_close(mkba_quantile_sorted(x, 5, 0.025), 1.3185);
    assert_close(mkba_quantile_sorted(x, 5, 0.3), 2.788);
    assert_close(mkba_quantile_sorted(x, 5, 0.5), 4.4);
    assert_close(mkba_quantile_sorted(x, 5, 0.975), 8.837);
    assert_close(mkba_quantile_sorted(x, 5, 0.0), 1.2);
    assert_close(mkba_quantile_sorted(x, 5, 1.0), 9.03);
    assert_close(mkba_quantile_sorted(x, 1, 0.975), 1.2);
    /* An infinite top value: interpolating towards it gives +inf, hitting
     * a finite point exactly gives that point (not inf * 0). */
    const double y[] = { 1.0, 2.0, INFINITY };
    assert_close(mkba_quantile_sorted(y, 3, 0.5), 2.0);
    assert_true(isinf(mkba_quantile_sorted(y, 3, 0.975)));
}

static void test_stat_unsorted_and_one_draw(void **state)
{
    (void)state;
    /* Same values shuffled: mean 24.115 / 5 = 4.823; input left unchanged. */
    double x[] = { 7.1, 1.2, 9.03, 2.385, 4.4 }, work[5];
    mkba_stat s = mkba_stat_of(x, 5, work);
    assert_close(s.mean, 4.823);
    assert_close(s.lo, 1.3185);
    assert_close(s.hi, 8.837);
    assert_close(x[0], 7.1);
    mkba_stat one = mkba_stat_of(x, 1, work);
    assert_close(one.mean, 7.1);
    assert_true(isnan(one.lo) && isnan(one.hi));
}

/* The 3-draw hand example: arms classic (reference) and integrated, payers
 * p0 and p1, effects qaly (non-monetary) and income (monetary).
 *   draw  classic costs/qaly/income   integrated costs/qaly/income
 *   0     100  50  1.0  0             130  20  1.5  10
 *   1     200  80  2.0  0             260  90  2.2   5
 *   2     150  60  1.5  0             150  30  1.4  40 */
static double hand_cost[3 * 2 * 2] = {
    100, 50, 130, 20,
    200, 80, 260, 90,
    150, 60, 150, 30,
};
static double hand_effect[3 * 2 * 2] = {
    1.0, 0, 1.5, 10,
    2.0, 0, 2.2, 5,
    1.5, 0, 1.4, 40,
};
static int hand_monetary[2] = { 0, 1 };

static void test_hand_example(void **state)
{
    (void)state;
    mkba_h5_totals t = totals(3, 2, 2, 2, 0, hand_cost, hand_effect, hand_monetary);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_summary *s = mkba_summary_alloc(&t, &err);
    assert_non_null(s);

    /* Levels: integrated total cost {150, 350, 180}, mean 680/3;
     * sorted interval: 150 + 0.05 * 30 = 151.5, 180 + 0.95 * 170 = 341.5. */
    assert_close(s->cost[1].mean, 680.0 / 3.0);
    assert_close(s->cost[1].lo, 151.5);
    assert_close(s->cost[1].hi, 341.5);
    assert_close(s->cost[0].mean, 640.0 / 3.0);
    assert_close(s->effect[1 * 2 + 1].mean, 55.0 / 3.0);

    /* Paired increments: total {0, 70, -30} -> mean 40/3, interval
     * -30 + 0.05 * 30 = -28.5 and 0 + 0.95 * 70 = 66.5. */
    assert_close(s->inc_cost[1].mean, 40.0 / 3.0);
    assert_close(s->inc_cost[1].lo, -28.5);
    assert_close(s->inc_cost[1].hi, 66.5);
    /* Per payer: p0 {30, 60, 0} mean 30; p1 {-30, 10, -30} mean -50/3. */
    assert_close(s->inc_cost_payer[1 * 2 + 0].mean, 30.0);
    assert_close(s->inc_cost_payer[1 * 2 + 1].mean, -50.0 / 3.0);
    /* p1 sorted {-30, -30, 10}: lo -30, hi -30 + 0.95 * 40 = 8. */
    assert_close(s->inc_cost_payer[1 * 2 + 1].lo, -30.0);
    assert_close(s->inc_cost_payer[1 * 2 + 1].hi, 8.0);
    /* qaly {0.5, 0.2, -0.1}: mean 0.2, interval -0.085 .. 0.485. */
    assert_close(s->inc_effect[1 * 2 + 0].mean, 0.2);
    assert_close(s->inc_effect[1 * 2 + 0].lo, -0.085);
    assert_close(s->inc_effect[1 * 2 + 0].hi, 0.485);

    /* NPV per draw = income gain - cost increase: {10, -65, 70}, mean 5,
     * interval -65 + 0.05 * 75 = -61.25 and 10 + 0.95 * 60 = 67. */
    assert_close(s->npv[1].mean, 5.0);
    assert_close(s->npv[1].lo, -61.25);
    assert_close(s->npv[1].hi, 67.0);

    /* Benefits {30 + 10, 5, 30 + 40} and costs {30, 60 + 10, 0}:
     * BCR = (115/3) / (100/3) = 1.15; per-draw ratios {4/3, 1/14, inf}
     * give lo = 1/14 + 0.05 (4/3 - 1/14) and hi = inf. */
    assert_close(s->benefits[1].mean, 115.0 / 3.0);
    assert_close(s->costs[1].mean, 100.0 / 3.0);
    assert_close(s->benefits[1].mean - s->costs[1].mean, s->npv[1].mean);
    assert_close(s->bcr[1].mean, 1.15);
    assert_close(s->bcr[1].lo, 1.0 / 14.0 + 0.05 * (4.0 / 3.0 - 1.0 / 14.0));
    assert_true(isinf(s->bcr[1].hi));

    /* ICER for qaly: (40/3) / 0.2 = 200/3, costlier and more effective,
     * but the effect interval contains 0. Income is monetary: no ICER. */
    const mkba_icer *q = &s->icer[1 * 2 + 0];
    assert_close(q->value, 200.0 / 3.0);
    assert_int_equal(q->kind, MKBA_ICER_RATIO);
    assert_true(q->effect_ci_has_zero);
    assert_int_equal(s->icer[1 * 2 + 1].kind, MKBA_ICER_NONE);
    assert_true(isnan(s->icer[1 * 2 + 1].value));

    /* The reference against itself: exact zeros, no ratio. */
    assert_true(s->inc_cost[0].mean == 0.0 && s->npv[0].mean == 0.0);
    assert_true(isnan(s->bcr[0].mean));
    assert_int_equal(s->icer[0].kind, MKBA_ICER_NONE);
    mkba_summary_free(s);
}

static void test_identical_arms_give_exact_zeros(void **state)
{
    (void)state;
    /* Arm 1 (the reference here) repeats arm 0 draw by draw. */
    double cost[2 * 2 * 3] = { 2.385, 101.7, 3.3e4, 2.385, 101.7, 3.3e4,
                               9.1e-3, 77.77, 1.0 / 3.0, 9.1e-3, 77.77, 1.0 / 3.0 };
    double effect[2 * 2 * 1] = { 0.713, 0.713, 1.0 / 7.0, 1.0 / 7.0 };
    int monetary[1] = { 0 };
    mkba_h5_totals t = totals(2, 2, 3, 1, 1, cost, effect, monetary);
    mkba_summary *s = mkba_summary_alloc(&t, NULL);
    assert_non_null(s);
    assert_true(s->inc_cost[0].mean == 0.0);
    assert_true(s->inc_cost[0].lo == 0.0 && s->inc_cost[0].hi == 0.0);
    for (size_t p = 0; p < 3; p++)
        assert_true(s->inc_cost_payer[p].mean == 0.0);
    assert_true(s->inc_effect[0].mean == 0.0);
    assert_true(s->npv[0].mean == 0.0 && s->npv[0].lo == 0.0 && s->npv[0].hi == 0.0);
    assert_true(isnan(s->bcr[0].mean) && isnan(s->bcr[0].lo));
    assert_int_equal(s->icer[0].kind, MKBA_ICER_NONE);
    mkba_summary_free(s);
}

static void test_one_draw_and_dominance(void **state)
{
    (void)state;
    /* One draw: integrated is cheaper (-40 + 10) and gains 0.25 qaly:
     * dominant; no intervals anywhere. Savings 40, extra cost 10: BCR 4. */
    double cost[1 * 2 * 2] = { 100, 50, 60, 60 };
    double effect[1 * 2 * 1] = { 3.0, 3.25 };
    int monetary[1] = { 0 };
    mkba_h5_totals t = totals(1, 2, 2, 1, 0, cost, effect, monetary);
    mkba_summary *s = mkba_summary_alloc(&t, NULL);
    assert_non_null(s);
    assert_close(s->inc_cost[1].mean, -30.0);
    assert_true(isnan(s->inc_cost[1].lo) && isnan(s->inc_cost[1].hi));
    assert_close(s->npv[1].mean, 30.0);
    assert_close(s->bcr[1].mean, 4.0);
    assert_true(isnan(s->bcr[1].lo));
    assert_int_equal(s->icer[1].kind, MKBA_ICER_DOMINANT);
    assert_close(s->icer[1].value, -120.0);
    assert_false(s->icer[1].effect_ci_has_zero);
    mkba_summary_free(s);

    /* Swap the roles: the classic arm against integrated is dominated. */
    t.reference = 1;
    s = mkba_summary_alloc(&t, NULL);
    assert_non_null(s);
    assert_int_equal(s->icer[0].kind, MKBA_ICER_DOMINATED);
    assert_close(s->bcr[0].mean, 0.25);
    mkba_summary_free(s);
}

/* Less is better (years with a severe problem): the improvement is
 * reference minus arm, so a cheaper arm with fewer such years is dominant
 * and the ICER is cost per year avoided. */
static void test_lower_is_better(void **state)
{
    (void)state;
    double cost[1 * 2 * 1] = { 100, 70 };
    double effect[1 * 2 * 1] = { 2.5, 2.0 };   /* the arm has 0.5 fewer bad years */
    int monetary[1] = { 0 }, lower[1] = { 1 };
    mkba_h5_totals t = totals(1, 2, 1, 1, 0, cost, effect, monetary);
    t.effect_lower_is_better = lower;
    mkba_summary *s = mkba_summary_alloc(&t, NULL);
    assert_non_null(s);
    assert_close(s->inc_effect[1].mean, -0.5);
    assert_int_equal(s->icer[1].kind, MKBA_ICER_DOMINANT);
    assert_close(s->icer[1].value, -60.0);      /* -30 / 0.5 years avoided */
    mkba_summary_free(s);
    /* Read as more is better, the same arm is cheaper and worse: a saving
     * of 30 for 0.5 units lost, 60 saved per unit lost (not a cost per
     * unit gained, and not dominated). */
    lower[0] = 0;
    s = mkba_summary_alloc(&t, NULL);
    assert_non_null(s);
    assert_int_equal(s->icer[1].kind, MKBA_ICER_SAVING);
    assert_close(s->icer[1].value, 60.0);
    mkba_summary_free(s);
}

/* The south-west quadrant for both orientations: cheaper by 30 and worse
 * by 0.25 units gives 120 saved per unit lost (more is better) or per
 * unit added (less is better); costlier and better stays a plain ratio. */
static void test_cheaper_and_worse(void **state)
{
    (void)state;
    double cost[1 * 2 * 1] = { 100, 70 };
    double effect[1 * 2 * 2] = { 3.0, 1.5, 2.75, 1.75 };  /* qaly down, bad years up */
    int monetary[2] = { 0, 0 }, lower[2] = { 0, 1 };
    mkba_h5_totals t = totals(1, 2, 1, 2, 0, cost, effect, monetary);
    t.effect_lower_is_better = lower;
    mkba_summary *s = mkba_summary_alloc(&t, NULL);
    assert_non_null(s);
    for (size_t e = 0; e < 2; e++) {
        assert_int_equal(s->icer[1 * 2 + e].kind, MKBA_ICER_SAVING);
        assert_close(s->icer[1 * 2 + e].value, 120.0);   /* -30 / -0.25 */
    }
    mkba_summary_free(s);
    /* The reference against the arm: costlier by 30, better by 0.25. */
    t.reference = 1;
    s = mkba_summary_alloc(&t, NULL);
    assert_non_null(s);
    for (size_t e = 0; e < 2; e++) {
        assert_int_equal(s->icer[e].kind, MKBA_ICER_RATIO);
        assert_close(s->icer[e].value, 120.0);
    }
    mkba_summary_free(s);
}

/* Transfers (docs/summary.md): one draw, payers municipality, insurer and
 * household. The municipality pays the household a benefit (a transfer):
 * 1000 in classic, 700 in integrated, where it also spends 60 on the
 * programme; the insurer saves 120.
 *   payer        classic cost (transfer)   integrated cost (transfer)
 *   municipality  1000 (1000)                760 (700)
 *   insurer        500 (0)                   380 (0)
 *   household    -1000 (-1000)              -700 (-700)
 * Without transfers the changes are +60, -120, 0: benefits 120, costs 60,
 * BCR 2, NPV 60. With them (the old rule) the 300 less paid by the
 * municipality and received by the household would land on both sides:
 * benefits 360, costs 300, BCR 1.2, the same NPV. */
static void test_transfers_left_out(void **state)
{
    (void)state;
    double cost[1 * 2 * 3] = { 1000, 500, -1000, 760, 380, -700 };
    double transfer[1 * 2 * 3] = { 1000, 0, -1000, 700, 0, -700 };
    double effect[1] = { 0 };
    int monetary[1] = { 0 };
    mkba_h5_totals t = totals(1, 2, 3, 0, 0, cost, effect, monetary);
    mkba_summary *before = mkba_summary_alloc(&t, NULL);
    t.transfer_total_disc = transfer;
    mkba_summary *s = mkba_summary_alloc(&t, NULL);
    assert_non_null(before);
    assert_non_null(s);
    assert_close(s->benefits[1].mean, 120.0);
    assert_close(s->costs[1].mean, 60.0);
    assert_close(s->bcr[1].mean, 2.0);
    assert_close(s->npv[1].mean, 60.0);
    /* The society NPV is the same with or without the transfers. */
    assert_close(before->npv[1].mean, 60.0);
    assert_close(before->benefits[1].mean, 360.0);
    /* Each payer's own cost change keeps its transfers. */
    assert_close(s->inc_cost_payer[1 * 3 + 0].mean, -240.0);
    assert_close(s->inc_cost_payer[1 * 3 + 2].mean, 300.0);
    assert_close(s->inc_cost[1].mean, -60.0);
    mkba_summary_free(before);
    mkba_summary_free(s);
}

static void test_bad_totals(void **state)
{
    (void)state;
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_totals t = totals(0, 2, 2, 2, 0, hand_cost, hand_effect, hand_monetary);
    assert_null(mkba_summary_alloc(&t, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    mkba_error_clear(&err);
    t = totals(3, 2, 2, 2, 2, hand_cost, hand_effect, hand_monetary);
    assert_null(mkba_summary_alloc(&t, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    assert_non_null(strstr(err.message, "reference"));
    mkba_summary_free(NULL);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_type7),
        cmocka_unit_test(test_stat_unsorted_and_one_draw),
        cmocka_unit_test(test_hand_example),
        cmocka_unit_test(test_identical_arms_give_exact_zeros),
        cmocka_unit_test(test_one_draw_and_dominance),
        cmocka_unit_test(test_lower_is_better),
        cmocka_unit_test(test_cheaper_and_worse),
        cmocka_unit_test(test_transfers_left_out),
        cmocka_unit_test(test_bad_totals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
