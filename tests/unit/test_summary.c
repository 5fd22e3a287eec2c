/* Tests of the decision summary against hand computations (the numbers in
 * the comments were worked out on paper; docs/summary.md has the rules). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include "analysis/summary.h"
#include "core/strutil.h"
#include "results/result.h"
#include "support.h"

#define TOL 1e-12

static void assert_close(double got, double want)
{
    if (isinf(want)) {
        assert_true(isinf(got) && (got > 0) == (want > 0));
        return;
    }
    /* Written so that a NaN fails too. */
    if (!(fabs(got - want) <= TOL * (1.0 + fabs(want))))
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

/* Gives t one cycle and the cost categories "programme" (a project cost)
 * and "care", with the programme costs prog[draw][arm] (care left 0: the
 * MKBA rows read the project categories only). cat holds ndraws x narms
 * x 2 doubles. */
static void with_programme(mkba_h5_totals *t, const double *prog, double *cat)
{
    static char *names[2] = { "programme", "care" };
    t->ncycles = 1;
    t->ncategories = 2;
    t->category = names;
    for (size_t i = 0; i < t->ndraws * t->narms; i++) {
        cat[2 * i] = prog[i];
        cat[2 * i + 1] = 0.0;
    }
    t->cost_category_disc = cat;
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
 *   2     150  60  1.5  0             150  30  1.4  40
 * The arm's programme (its project cost) is 25, 40 and 10 of that. */
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
static double hand_programme[3 * 2] = { 0, 25, 0, 40, 0, 10 };

static void test_hand_example(void **state)
{
    (void)state;
    mkba_h5_totals t = totals(3, 2, 2, 2, 0, hand_cost, hand_effect, hand_monetary);
    double cat[3 * 2 * 2];
    with_programme(&t, hand_programme, cat);
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

    /* Costs are the project costs {25, 40, 10}; benefits the provision
     * avoided (project minus total change: {25, -30, 40}) plus income:
     * {35, -25, 80}. BCR = 30 / 25 = 1.2, a ratio of means without an
     * interval, as in the MKBA table (the per-draw ratios {1.4, -0.625, 8}
     * would give -0.524 to 7.67, which is not an interval of 1.2). */
    assert_close(s->benefits[1].mean, 30.0);
    assert_close(s->costs[1].mean, 25.0);
    assert_close(s->benefits[1].mean - s->costs[1].mean, s->npv[1].mean);
    assert_close(s->bcr[1].mean, 1.2);
    assert_true(isnan(s->bcr[1].lo) && isnan(s->bcr[1].hi));

    /* ICER for qaly on the net cost: the cost increase 40/3 less the
     * income gain {10, 5, 40}, mean 55/3, is -5 (minus the NPV), so
     * -5 / 0.2 = -25: not costlier and more effective, dominant; the
     * effect interval contains 0. On the payers' costs alone (before aud13a
     * H1) it was (40/3) / 0.2 = 200/3, a ratio. Income is monetary: no
     * ICER. */
    const mkba_icer *q = &s->icer[1 * 2 + 0];
    assert_close(q->value, (40.0 / 3.0 - 55.0 / 3.0) / 0.2);
    assert_close(q->value, -25.0);
    assert_int_equal(q->kind, MKBA_ICER_DOMINANT);
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
     * dominant; no intervals anywhere. The 10 more of p1 is its programme:
     * project costs 10, provision avoided 40: BCR 4. */
    double cost[1 * 2 * 2] = { 100, 50, 60, 60 };
    double effect[1 * 2 * 1] = { 3.0, 3.25 };
    int monetary[1] = { 0 };
    const double prog[2] = { 0.0, 10.0 };
    double cat[2 * 2];
    mkba_h5_totals t = totals(1, 2, 2, 1, 0, cost, effect, monetary);
    with_programme(&t, prog, cat);
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
    /* Project costs -10 (cheaper to deliver) for benefits -40: no ratio. */
    assert_close(s->costs[0].mean, -10.0);
    assert_close(s->benefits[0].mean, -40.0);
    assert_true(isnan(s->bcr[0].mean));
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
 * The 60 is the project cost; society's real cost falls by 60 (the
 * transfers net out over payers), so the provision avoided is 120:
 * benefits 120, costs 60, BCR 2, NPV 60. Classifying each payer's cost
 * change with its transfers (a rule mkba used before) would have put the
 * 300 less paid by the municipality and received by the household on both
 * sides: benefits 360, costs 300, BCR 1.2. The one definition reads
 * society's total, so it is the same with or without transfer arrays. */
static void test_transfers_left_out(void **state)
{
    (void)state;
    double cost[1 * 2 * 3] = { 1000, 500, -1000, 760, 380, -700 };
    double transfer[1 * 2 * 3] = { 1000, 0, -1000, 700, 0, -700 };
    double effect[1] = { 0 };
    int monetary[1] = { 0 };
    const double prog[2] = { 0.0, 60.0 };
    double cat[2 * 2];
    mkba_h5_totals t = totals(1, 2, 3, 0, 0, cost, effect, monetary);
    with_programme(&t, prog, cat);
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
    assert_close(before->benefits[1].mean, 120.0);
    assert_close(before->bcr[1].mean, 2.0);
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

/* Costs by category, escalations and services, written through the
 * result file writer and read back: the support model with half-year
 * cycles, 5 of them (first year = cycles 1-2, mature = cycles 3-5, 1.5
 * years; overall 2.5 years), 3 draws, 2 arms, 2 domains, 3 categories.
 * The arrays have closed forms (d draw, a arm, t cycle index 0..4):
 *   cost_category_discounted[c] = 10 (c + 1) + d + a t
 *   escalations: domain 0 none; domain 1 = 0.001 (a + 1 + d) + 0.0002 a t
 *                + 0.0005 a d
 *   arrivals = 0.01 (d + 1)(t + 1) + 0.1 a
 *   reached = 0.002 (t + 1), but 0 (and mean wait NaN) in cycle index 1
 *             of arm 0 and in cycles 0 and 1 of arm 1
 *   mean_wait = 0.25 (t + 1) + 0.1 d
 *   in_care = 0.05 + 0.01 t, queue = 0.02 a, fte_used = 2.5 + t + d
 *   self_resolved = 0.004, detected = 0.001 (a + 1) (d + 1)
 *   withdrawn = 0.003 (a + 1) + 0.001 d
 * Two teams: arm 0 runs team 1 ("schuldhulp") only, arm 1 both. In care
 * with team 1 is 0.05 + 0.01 t in arm 0, 0.02 in arm 1; with team 0
 * ("wijkteam") 0.03 + 0.01 t in arm 1 (the teams add up to in_care).
 * Waiting: arm 1 0.015 for team 0 and 0.005 for team 1 (sum: queue).
 * Parameters: fte of team 0 (SUPPORT_P_RECOVER) 12 + d, of team 1
 * (SUPPORT_INCOME) 3.5 + a; caseload of team 0 (SUPPORT_COST_SEVERE) 25,
 * of team 1 (SUPPORT_COST_PROGRAMME) 40 + 10 d; the population
 * (SUPPORT_COST_EVICTION) 2000 (a + 1). */
#define SVC_DRAWS 3
#define SVC_CYCLES 5

static int no_admission(size_t a, size_t t)
{
    return (a == 0 && t == 1) || (a == 1 && t <= 1);
}

static void fill_services_draw(mkba_draw_result *r, size_t d)
{
    size_t A = r->narms, T = r->ncycles, C = r->ncategories, N = r->ndomains;
    for (size_t a = 0; a < A; a++)
        for (size_t t = 0; t < T; t++) {
            double dd = (double)d, aa = (double)a, tt = (double)t;
            size_t i = a * T + t;
            for (size_t c = 0; c < C; c++) {
                r->cost_category_disc[i * C + c] = 10.0 * (double)(c + 1) + dd + aa * tt;
                r->cost_category[i * C + c] = 1.0;
            }
            for (size_t k = 0; k < N; k++)
                r->escalations[i * N + k] = k == 1 ? 0.001 * (aa + 1.0 + dd) + 0.0002 * aa * tt
                                                     + 0.0005 * aa * dd
                                                   : 0.0;
            r->svc_arrivals[i] = 0.01 * (dd + 1.0) * (tt + 1.0) + 0.1 * aa;
            r->svc_reached[i] = no_admission(a, t) ? 0.0 : 0.002 * (tt + 1.0);
            r->svc_mean_wait[i] = no_admission(a, t) ? NAN : 0.25 * (tt + 1.0) + 0.1 * dd;
            r->svc_in_care[i] = 0.05 + 0.01 * tt;
            r->svc_queue[i] = 0.02 * aa;
            r->svc_fte_used[i] = 2.5 + tt + dd;
            r->svc_self_resolved[i] = 0.004;
            r->svc_detected[i] = 0.001 * (aa + 1.0) * (dd + 1.0);
            r->svc_withdrawn[i] = 0.003 * (aa + 1.0) + 0.001 * dd;
            double *care = r->svc_team_in_care + i * 2, *wait = r->svc_team_queue + i * 2;
            care[0] = a == 1 ? 0.03 + 0.01 * tt : 0.0;
            care[1] = a == 1 ? 0.02 : 0.05 + 0.01 * tt;
            wait[0] = a == 1 ? 0.015 : 0.0;
            wait[1] = a == 1 ? 0.005 : 0.0;
        }
    for (size_t a = 0; a < A; a++) {
        double *v = r->params + a * r->nparams;
        v[SUPPORT_P_RECOVER] = 12.0 + (double)d;
        v[SUPPORT_INCOME] = 3.5 + (double)a;
        v[SUPPORT_COST_SEVERE] = 25.0;
        v[SUPPORT_COST_PROGRAMME] = 40.0 + 10.0 * (double)d;
        v[SUPPORT_COST_EVICTION] = 2000.0 * (double)(a + 1);
    }
}

/* The support model with three cost categories and services on (a
 * classic and a broad pathway; the file stores only what they are). */
static mkba_model *services_model(void)
{
    mkba_model *m = support_model_small();
    assert_non_null(m);
    m->timing.cycle_years = 0.5;
    m->timing.ncycles = SVC_CYCLES;
    static const char *const cat[3] = { "team", "first line", "second line" };
    m->category = calloc(3, sizeof *m->category);
    assert_non_null(m->category);
    for (size_t c = 0; c < 3; c++) {
        m->category[c] = mkba_strdup(cat[c]);
        assert_non_null(m->category[c]);
        m->ncategories = c + 1;
    }
    mkba_services *sv = &m->services;
    sv->enabled = 1;
    sv->population = SUPPORT_COST_EVICTION;
    sv->team[0].name = mkba_strdup("wijkteam");
    assert_non_null(sv->team[0].name);
    sv->team[0].domains = 3u;
    sv->team[0].fte = SUPPORT_P_RECOVER;
    sv->team[0].caseload = SUPPORT_COST_SEVERE;
    sv->team[1].name = mkba_strdup("schuldhulp");
    assert_non_null(sv->team[1].name);
    sv->team[1].domains = 1u;
    sv->team[1].fte = SUPPORT_INCOME;
    sv->team[1].caseload = SUPPORT_COST_PROGRAMME;
    sv->nteams = 2;
    sv->pathway[0].rule = MKBA_ROUTE_CLASSIC;
    sv->pathway[0].degree = MKBA_DEGREE_NONE;
    sv->pathway[0].team = -1;
    sv->pathway[0].teams_used = 2u;
    sv->pathway[1].rule = MKBA_ROUTE_BROAD;
    sv->pathway[1].degree = MKBA_DEGREE_FULL;
    sv->pathway[1].team = 0;
    sv->pathway[1].teams_used = 3u;
    return m;
}

static void write_services_file(const char *path)
{
    mkba_model *m = services_model();
    const mkba_run_meta meta = { .seed = 7, .draws = SVC_DRAWS, .households = 100,
                                 .threads = 1, .mode = "microsimulation",
                                 .base_case = "mean" };
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_writer *w = mkba_h5_create(path, 1, m, &meta, SVC_DRAWS, &err);
    assert_non_null(w);
    mkba_draw_result *r = mkba_draw_result_alloc(m);
    assert_non_null(r);
    assert_int_equal(r->ncycles, SVC_CYCLES);
    for (size_t d = 0; d < SVC_DRAWS; d++) {
        fill_services_draw(r, d);
        assert_int_equal(mkba_h5_write_draw(w, d, r, &err), MKBA_OK);
    }
    mkba_draw_result_free(r);
    assert_int_equal(mkba_h5_close(w, 1, &err), MKBA_OK);
    mkba_model_free(m);
}

/* Checks a statistic against mean, lo, hi. */
static void assert_stat(mkba_stat st, double mean, double lo, double hi)
{
    assert_close(st.mean, mean);
    assert_close(st.lo, lo);
    assert_close(st.hi, hi);
}

static const mkba_stat *svc(const mkba_summary *s, size_t a, int p, int i)
{
    return &s->service[(a * MKBA_PERIOD_N + (size_t)p) * MKBA_H5_NSERVICE + (size_t)i];
}

/* Copies file `from` to `to`; 0 on success. */
static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[8192];
    size_t n;
    int rc = in != NULL && out != NULL ? 0 : -1;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    if (in != NULL)
        fclose(in);
    if (out != NULL && fclose(out) != 0)
        rc = -1;
    return rc;
}

static const double *team_of(const mkba_summary *s, size_t a, int p, size_t k)
{
    return s->team + ((a * MKBA_PERIOD_N + (size_t)p) * s->nteams + k) * MKBA_TEAM_N;
}

/* The per-team table of the services file (see fill_services_draw); with
 * caseload 0 the file has no caseloads and FTE used is NaN. */
static void check_teams(const mkba_h5_totals *t, const mkba_summary *s, int caseload)
{
    assert_int_equal(t->nteams, 2);
    assert_string_equal(t->team[1], "schuldhulp");
    assert_int_equal(t->arm_teams[0 * 2 + 0], 0);
    assert_int_equal(t->arm_teams[1 * 2 + 0], 1);
    /* Draw 2, arm 1: fte of team 0 = 14, population 4000. */
    assert_close(t->team_fte[(2 * 2 + 1) * 2 + 0], 14.0);
    assert_close(t->service_population[2 * 2 + 1], 4000.0);
    assert_int_equal(s->nteams, 2);
    /* Arm 0 does not run team 0: no numbers. */
    for (int i = 0; i < MKBA_TEAM_N; i++)
        assert_true(isnan(team_of(s, 0, MKBA_PERIOD_MATURE, 0)[i]));
    /* Arm 1, team 0, mature: in care (0.05 + 0.06 + 0.07) / 3 = 0.06, 60
     * per 1000; waiting 15; fte 12 + d, mean 13; FTE used 0.06 x 4000 /
     * 25 = 9.6 in every draw. */
    const double *v = team_of(s, 1, MKBA_PERIOD_MATURE, 0);
    assert_close(v[MKBA_TEAM_FTE], 13.0);
    assert_close(v[MKBA_TEAM_IN_CARE], 60.0);
    assert_close(v[MKBA_TEAM_QUEUE], 15.0);
    if (caseload)
        assert_close(v[MKBA_TEAM_FTE_USED], 9.6);
    else
        assert_true(isnan(v[MKBA_TEAM_FTE_USED]));
    /* Arm 0, team 1, mature: in care 0.08, 80 per 1000, no queue, fte 3.5;
     * FTE used 0.08 x 2000 / (40 + 10 d) = 4, 3.2, 8/3: mean 148/45.
     * First year: (0.05 + 0.06) / 2 = 55 per 1000. */
    v = team_of(s, 0, MKBA_PERIOD_MATURE, 1);
    assert_close(v[MKBA_TEAM_FTE], 3.5);
    assert_close(v[MKBA_TEAM_IN_CARE], 80.0);
    assert_close(v[MKBA_TEAM_QUEUE], 0.0);
    if (caseload)
        assert_close(v[MKBA_TEAM_FTE_USED], 148.0 / 45.0);
    assert_close(team_of(s, 0, MKBA_PERIOD_FIRST_YEAR, 1)[MKBA_TEAM_IN_CARE], 55.0);
    /* Arm 1, team 1, overall: 20 and 5 per 1000, fte 4.5; FTE used 0.02 x
     * 4000 / (40 + 10 d) = 2, 1.6, 4/3: mean 74/45. */
    v = team_of(s, 1, MKBA_PERIOD_OVERALL, 1);
    assert_close(v[MKBA_TEAM_FTE], 4.5);
    assert_close(v[MKBA_TEAM_IN_CARE], 20.0);
    assert_close(v[MKBA_TEAM_QUEUE], 5.0);
    if (caseload)
        assert_close(v[MKBA_TEAM_FTE_USED], 74.0 / 45.0);
}

static void test_services_from_file(void **state)
{
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "/tmp/mkba_test_summary_%ld_services.h5", (long)getpid());
    write_services_file(path);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_totals *t = NULL;
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    /* The reader takes the domains, escalations and service arrays along:
     * [draw][arm][cycle](domain). */
    assert_int_equal(t->ndomains, 2);
    assert_string_equal(t->domain[1], "housing");
    /* d = 2, a = 1, t = 3: 0.001 (1 + 1 + 2) + 0.0006 + 0.001. */
    assert_close(t->escalations[((2 * 2 + 1) * SVC_CYCLES + 3) * 2 + 1], 0.0056);
    assert_close(t->service[MKBA_H5_SVC_FTE_USED][(2 * 2 + 1) * SVC_CYCLES + 4], 8.5);
    assert_true(isnan(t->service[MKBA_H5_SVC_MEAN_WAIT][(1 * 2 + 0) * SVC_CYCLES + 1]));
    mkba_summary *s = mkba_summary_alloc(t, &err);
    assert_non_null(s);

    /* Periods: cycles [0, 2), [2, 5), [0, 5); 1, 1.5 and 2.5 years. */
    assert_int_equal(s->period_first[MKBA_PERIOD_FIRST_YEAR], 0);
    assert_int_equal(s->period_cycles[MKBA_PERIOD_FIRST_YEAR], 2);
    assert_int_equal(s->period_first[MKBA_PERIOD_MATURE], 2);
    assert_int_equal(s->period_cycles[MKBA_PERIOD_MATURE], 3);
    assert_int_equal(s->period_cycles[MKBA_PERIOD_OVERALL], 5);
    assert_close(s->period_years[MKBA_PERIOD_MATURE], 1.5);

    /* Categories: sum over 5 cycles = 50 (c + 1) + 5 d + 10 a, so arm 1,
     * "first line" (c = 1) is {110, 115, 120}: mean 115, interval
     * 110 + 0.05 * 5 = 110.25 and 115 + 0.95 * 5 = 119.75; the increment
     * is exactly 10 in every draw. */
    assert_int_equal(s->ncategories, 3);
    assert_stat(s->cost_category[1 * 3 + 1], 115.0, 110.25, 119.75);
    assert_stat(s->cost_category[0 * 3 + 2], 155.0, 150.25, 159.75);
    assert_stat(s->inc_cost_category[1 * 3 + 0], 10.0, 10.0, 10.0);
    assert_stat(s->inc_cost_category[0 * 3 + 0], 0.0, 0.0, 0.0);

    /* Escalations, domain 1. Arm 0: 0.001 (1 + d) per half-year cycle =
     * 2 + 2 d per 1000 households per year in every period, {2, 4, 6}.
     * Arm 1: 1000 (0.002 + 0.0015 d) per cycle plus 0.2 t: first year
     * (2 cycles, 1 year, t = 0, 1) 4.2 + 3 d; mature (3 cycles, 1.5 years,
     * t = 2..4) (6 + 4.5 d + 1.8) / 1.5 = 5.2 + 3 d; overall (10 + 7.5 d
     * + 2) / 2.5 = 4.8 + 3 d. Domain 0 never escalates. */
    assert_int_equal(s->ndomains, 2);
    assert_int_equal(s->domain_escalates[0], 0);
    assert_int_equal(s->domain_escalates[1], 1);
    for (int p = 0; p < MKBA_PERIOD_N; p++) {
        assert_stat(s->escalation[(0 * MKBA_PERIOD_N + (size_t)p) * 2 + 1], 4.0, 2.1, 5.9);
        assert_stat(s->escalation[(1 * MKBA_PERIOD_N + (size_t)p) * 2 + 0], 0.0, 0.0, 0.0);
        assert_stat(s->inc_escalation[(0 * MKBA_PERIOD_N + (size_t)p) * 2 + 1], 0.0, 0.0, 0.0);
    }
    assert_stat(s->escalation[(1 * MKBA_PERIOD_N + MKBA_PERIOD_FIRST_YEAR) * 2 + 1], 7.2, 4.35,
                10.05);
    /* Arm minus reference in each draw: 2.2 + d, 3.2 + d, 2.8 + d, so the
     * interval spans 2 per 1000 (0.05 and 0.95 of the way), where unpaired
     * levels would span 6. */
    assert_stat(s->inc_escalation[(1 * MKBA_PERIOD_N + MKBA_PERIOD_FIRST_YEAR) * 2 + 1], 3.2,
                2.25, 4.15);
    assert_stat(s->inc_escalation[(1 * MKBA_PERIOD_N + MKBA_PERIOD_MATURE) * 2 + 1], 4.2, 3.25,
                5.15);
    assert_stat(s->inc_escalation[(1 * MKBA_PERIOD_N + MKBA_PERIOD_OVERALL) * 2 + 1], 3.8, 2.85,
                4.75);
    assert_stat(s->inc_escalation[(1 * MKBA_PERIOD_N + MKBA_PERIOD_OVERALL) * 2 + 0], 0.0, 0.0,
                0.0);

    assert_int_equal(s->services, 1);
    /* Arrivals, first year: 1000 (0.01 (d + 1)(1 + 2) + 0.2 a) / 1 year
     * = 30 (d + 1) + 200 a: arm 1 {230, 260, 290}, interval 231.5, 288.5.
     * Mature: 1000 (0.01 (d + 1)(3 + 4 + 5) + 0.3 a) / 1.5 = 80 (d + 1)
     * + 200 a: arm 0 {80, 160, 240}. Overall: 1000 (0.15 (d + 1) + 0.5 a)
     * / 2.5 = 60 (d + 1) + 200 a. */
    assert_stat(*svc(s, 1, MKBA_PERIOD_FIRST_YEAR, MKBA_H5_SVC_ARRIVALS), 260.0, 231.5, 288.5);
    assert_stat(*svc(s, 0, MKBA_PERIOD_MATURE, MKBA_H5_SVC_ARRIVALS), 160.0, 84.0, 236.0);
    assert_stat(*svc(s, 1, MKBA_PERIOD_OVERALL, MKBA_H5_SVC_ARRIVALS), 320.0, 263.0, 377.0);
    /* Reached, arm 0, first year: only cycle 0, 0.002 -> 2 per 1000 per
     * year; mature: 1000 (0.006 + 0.008 + 0.010) / 1.5 = 16. */
    assert_stat(*svc(s, 0, MKBA_PERIOD_FIRST_YEAR, MKBA_H5_SVC_REACHED), 2.0, 2.0, 2.0);
    assert_stat(*svc(s, 0, MKBA_PERIOD_MATURE, MKBA_H5_SVC_REACHED), 16.0, 16.0, 16.0);
    /* Self-resolved 0.004 per half year = 8 per 1000 per year. */
    assert_stat(*svc(s, 1, MKBA_PERIOD_OVERALL, MKBA_H5_SVC_SELF_RESOLVED), 8.0, 8.0, 8.0);
    /* Stocks: the mean over the cycles, not a rate: in care (0.05 + 0.06)
     * / 2 = 55 per 1000 in the first year, (0.07 + 0.08 + 0.09) / 3 = 80
     * mature; queue 20 per 1000 in arm 1. */
    assert_stat(*svc(s, 0, MKBA_PERIOD_FIRST_YEAR, MKBA_H5_SVC_IN_CARE), 55.0, 55.0, 55.0);
    assert_stat(*svc(s, 1, MKBA_PERIOD_MATURE, MKBA_H5_SVC_IN_CARE), 80.0, 80.0, 80.0);
    assert_stat(*svc(s, 1, MKBA_PERIOD_OVERALL, MKBA_H5_SVC_QUEUE), 20.0, 20.0, 20.0);
    assert_stat(*svc(s, 0, MKBA_PERIOD_OVERALL, MKBA_H5_SVC_QUEUE), 0.0, 0.0, 0.0);
    /* Mean wait weighted by reached. Arm 0, first year: cycle 1 admitted
     * nobody (NaN), so the wait is cycle 0's, 0.25 + 0.1 d: mean 0.35,
     * interval 0.255, 0.445. Mature: (0.006 * 0.75 + 0.008 * 1 + 0.010 *
     * 1.25) / 0.024 = 0.025 / 0.024, + 0.1 d. Arm 1 admitted nobody in
     * the first year in any draw: NaN; overall its weights are those of
     * cycles 2-4 only, the mature value. */
    assert_stat(*svc(s, 0, MKBA_PERIOD_FIRST_YEAR, MKBA_H5_SVC_MEAN_WAIT), 0.35, 0.255, 0.445);
    double wm = 0.025 / 0.024;
    assert_stat(*svc(s, 0, MKBA_PERIOD_MATURE, MKBA_H5_SVC_MEAN_WAIT), wm + 0.1, wm + 0.005,
                wm + 0.195);
    const mkba_stat *none = svc(s, 1, MKBA_PERIOD_FIRST_YEAR, MKBA_H5_SVC_MEAN_WAIT);
    assert_true(isnan(none->mean) && isnan(none->lo) && isnan(none->hi));
    assert_stat(*svc(s, 1, MKBA_PERIOD_OVERALL, MKBA_H5_SVC_MEAN_WAIT), wm + 0.1, wm + 0.005,
                wm + 0.195);
    /* Arm 0 overall: weights 0.002, 0.006, 0.008, 0.010 (cycle 1 none):
     * (0.0005 + 0.025) / 0.026, + 0.1 d. */
    double wo = 0.0255 / 0.026;
    assert_stat(*svc(s, 0, MKBA_PERIOD_OVERALL, MKBA_H5_SVC_MEAN_WAIT), wo + 0.1, wo + 0.005,
                wo + 0.195);
    /* Detected: 0.001 (a + 1)(d + 1) per half year = 2 (a + 1)(d + 1) per
     * 1000 per year: arm 1 {4, 8, 12}. FTE: the mean over the period's
     * cycles, 2.5 + t + d: first year 3 + d, mature 5.5 + d. */
    assert_stat(*svc(s, 1, MKBA_PERIOD_MATURE, MKBA_H5_SVC_DETECTED), 8.0, 4.2, 11.8);
    assert_stat(*svc(s, 0, MKBA_PERIOD_FIRST_YEAR, MKBA_H5_SVC_FTE_USED), 4.0, 3.05, 4.95);
    assert_stat(*svc(s, 1, MKBA_PERIOD_MATURE, MKBA_H5_SVC_FTE_USED), 6.5, 5.55, 7.45);
    /* Withdrawn: 0.003 (a + 1) + 0.001 d per half year = 6 (a + 1) + 2 d
     * per 1000 per year in every period: arm 1 {12, 14, 16}. */
    for (int p = 0; p < MKBA_PERIOD_N; p++) {
        assert_stat(*svc(s, 1, p, MKBA_H5_SVC_WITHDRAWN), 14.0, 12.1, 15.9);
        assert_stat(*svc(s, 0, p, MKBA_H5_SVC_WITHDRAWN), 8.0, 6.1, 9.9);
    }

    check_teams(t, s, 1);
    mkba_summary_free(s);
    mkba_h5_totals_free(t);

    /* A file written before withdrawn, the per-team arrays and the caseload
     * label existed still reads: those numbers are unknown (NaN, or no team
     * table), the rest unchanged. */
    char old[300];
    snprintf(old, sizeof old, "%s.old.h5", path);
    assert_int_equal(copy_file(path, old), 0);
    hid_t h5 = H5Fopen(old, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(h5 >= 0);
    assert_true(H5Ldelete(h5, "/labels/team_caseload_parameter", H5P_DEFAULT) >= 0);
    assert_true(H5Ldelete(h5, "/draws/services/withdrawn", H5P_DEFAULT) >= 0);
    assert_true(H5Fclose(h5) >= 0);
    assert_int_equal(mkba_h5_read_totals(old, &t, &err), MKBA_OK);
    assert_null(t->service[MKBA_H5_SVC_WITHDRAWN]);
    s = mkba_summary_alloc(t, &err);
    assert_non_null(s);
    assert_true(isnan(svc(s, 1, MKBA_PERIOD_MATURE, MKBA_H5_SVC_WITHDRAWN)->mean));
    assert_stat(*svc(s, 1, MKBA_PERIOD_MATURE, MKBA_H5_SVC_FTE_USED), 6.5, 5.55, 7.45);
    check_teams(t, s, 0);
    mkba_summary_free(s);
    mkba_h5_totals_free(t);
    h5 = H5Fopen(old, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(h5 >= 0);
    assert_true(H5Ldelete(h5, "/draws/services/team_in_care", H5P_DEFAULT) >= 0);
    assert_true(H5Fclose(h5) >= 0);
    assert_int_equal(mkba_h5_read_totals(old, &t, &err), MKBA_OK);
    assert_null(t->team_in_care);
    s = mkba_summary_alloc(t, &err);
    assert_non_null(s);
    assert_int_equal(s->nteams, 0);
    assert_null(s->team);
    mkba_summary_free(s);
    mkba_h5_totals_free(t);
    remove(old);

    /* The program prints the same numbers, in every format. */
    const char *bin = getenv("MKBA_BIN");
    if (bin != NULL) {
        static const char *const want[] = {
            "\ncost_categories,integrated,first line,115,110.25,119.75\n",
            "\ncost_category_increments,integrated,team,10,10,10\n",
            "\nservices,integrated,arrivals per 1000 households per year,first year,260,"
            "231.5,288.5\n",
            "\nservices,usual,arrivals per 1000 households per year,\"mature, years 2-3\","
            "160,84,236\n",
            "\nservices,integrated,mean wait in years (weighted by reached),first year,,,\n",
            "\nescalations,integrated,housing,\"overall, years 1-3\",7.8,4.95,10.65\n",
            "\nescalation_increments,integrated,housing,first year,3.2,2.25,4.15\n",
            "\nservices,integrated,withdrawn per 1000 households per year,"
            "\"overall, years 1-3\",14,12.1,15.9\n",
            "\nteams,integrated,wijkteam,\"mature, years 2-3\",13,9.6,60,15\n",
            "\nteams,usual,schuldhulp,\"mature, years 2-3\",3.5,3.288888889,80,0\n",
            "\nteams,usual,schuldhulp,first year,3.5,",
        };
        char cmd[1024], out[300];
        snprintf(out, sizeof out, "%s.csv", path);
        snprintf(cmd, sizeof cmd, "%s summary %s --format csv > %s", bin, path, out);
        assert_int_equal(system(cmd), 0);
        FILE *f = fopen(out, "r");
        assert_non_null(f);
        static char text[1 << 18];
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = '\0';
        fclose(f);
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
            if (strstr(text, want[i]) == NULL)
                fail_msg("csv summary lacks: %s", want[i]);
        /* A domain without escalations is left out; so are the
         * reference arm's increments and the teams an arm does not run. */
        assert_null(strstr(text, "\nescalations,usual,debt,"));
        assert_null(strstr(text, "\nescalation_increments,integrated,debt,"));
        assert_null(strstr(text, "\nescalation_increments,usual,"));
        assert_null(strstr(text, "\nteams,usual,wijkteam,"));
        static const char *const format[] = { "text", "markdown", "json" };
        for (size_t i = 0; i < 3; i++) {
            snprintf(cmd, sizeof cmd, "%s summary %s --format %s > %s", bin, path, format[i],
                     out);
            assert_int_equal(system(cmd), 0);
            f = fopen(out, "r");
            assert_non_null(f);
            n = fread(text, 1, sizeof text - 1, f);
            text[n] = '\0';
            fclose(f);
            assert_non_null(strstr(text, "Costs by category"));
            assert_non_null(strstr(text, "Services per arm"));
            assert_non_null(strstr(text, "Escalations to second-line care"));
            assert_non_null(strstr(text, "Escalations versus the reference arm usual"));
            assert_non_null(strstr(text, "Teams per arm"));
            assert_non_null(strstr(text, "withdrawn per 1000 households per year"));
            /* The text shows the teams in the mature years and overall. */
            if (i == 0) {
                char *teams = strstr(text, "Teams per arm"), *end = strstr(teams, "\n\n");
                assert_non_null(end);
                *end = '\0';
                assert_non_null(strstr(teams, "schuldhulp mature"));
                assert_null(strstr(teams, "first year"));
            }
        }
        remove(out);
    }
    remove(path);
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
        cmocka_unit_test(test_services_from_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
