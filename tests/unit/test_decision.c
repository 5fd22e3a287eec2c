/* Tests of the decision outputs (break-even, frontier, CEAC and EVPI, payer
 * table) against hand computations, closed forms and invariants. The
 * numbers in the comments were worked out on paper; docs/decision.md has
 * the definitions. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "analysis/breakeven.h"
#include "analysis/ceac.h"
#include "analysis/frontier.h"
#include "analysis/payers.h"

#define TOL 1e-10

static void assert_close(double got, double want)
{
    if (isinf(want)) {
        if (!(isinf(got) && (got > 0) == (want > 0)))
            fail_msg("got %.17g, want %g", got, want);
        return;
    }
    if (isnan(want)) {
        if (!isnan(got))
            fail_msg("got %.17g, want NaN", got);
        return;
    }
    if (!(fabs(got - want) <= TOL * (1.0 + fabs(want))))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* ---------------------------------------------------------------- cash flows */

/* One draw, two arms (0 = reference), ten yearly cycles, two payers. Both
 * arms carry the same baseline costs (200.5 and 75.25 a year); the arm adds
 * an investment of 1000 for payer 0 in year 1 and saves payer 1 `ret` a
 * year in years 2..10. Discounted values are undiscounted ones times
 * (1 + rate)^-t, t = year. */
enum { NY = 10, NP = 2 };
typedef struct flows {
    double disc[2 * NY * NP], undisc[2 * NY * NP];
} flows;

static void make_flows(flows *f, double ret, double rate)
{
    for (size_t a = 0; a < 2; a++) {
        for (size_t t = 0; t < NY; t++) {
            double c0 = 200.5, c1 = 75.25;
            if (a == 1 && t == 0)
                c0 += 1000.0;
            if (a == 1 && t > 0)
                c1 -= ret;
            double v = pow(1.0 + rate, -(double)(t + 1));
            f->undisc[(a * NY + t) * NP + 0] = c0;
            f->undisc[(a * NY + t) * NP + 1] = c1;
            f->disc[(a * NY + t) * NP + 0] = c0 * v;
            f->disc[(a * NY + t) * NP + 1] = c1 * v;
        }
    }
}

static mkba_cashflow_input flow_input(const flows *f)
{
    mkba_cashflow_input in;
    memset(&in, 0, sizeof in);
    in.ndraws = 1;
    in.narms = 2;
    in.ncycles = NY;
    in.npayers = NP;
    in.reference = 0;
    in.cycle_years = 1.0;
    in.cost_disc = f->disc;
    in.cost_undisc = f->undisc;
    return in;
}

static void test_breakeven_r0(void **state)
{
    (void)state;
    /* Net -1000 in year 1, +250 in years 2..10. Cumulative: -1000, -750,
     * -500, -250, 0, 250, ... : 0 counts as "at or above zero", so the
     * break-even year is 5; NPV = -1000 + 9 x 250 = 1250; investment 1000,
     * returns 2250, ROI = 1250 / 1000 = 1.25. */
    flows f;
    make_flows(&f, 250.0, 0.0);
    mkba_cashflow_input in = flow_input(&f);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_cashflow *c = mkba_cashflow_alloc(&in, &err);
    assert_non_null(c);
    assert_int_equal(c->nyears, NY);
    const double *net = c->net_disc + NY, *cum = c->cum_disc + NY;
    assert_close(net[0], -1000.0);
    for (size_t t = 1; t < NY; t++)
        assert_close(net[t], 250.0);
    assert_close(cum[3], -250.0);
    assert_close(cum[4], 0.0);
    assert_close(cum[9], 1250.0);
    assert_int_equal(c->breakeven[1], 5);
    assert_int_equal(c->payback[1], 5);
    assert_close(c->npv[1], 1250.0);
    assert_close(c->investment[1], 1000.0);
    assert_close(c->returns[1], 2250.0);
    assert_close(c->roi[1], 1.25);
    /* The reference arm: zero flows, never below zero, no investment. */
    assert_close(c->net_disc[0], 0.0);
    assert_int_equal(c->breakeven[0], 1);
    assert_true(isnan(c->roi[0]));
    mkba_cashflow_free(c);
}

static void test_breakeven_r3(void **state)
{
    (void)state;
    /* At 3% with v = 1/1.03 the cumulative discounted net benefit in year t
     * is v (-1000 + 250 a(t-1)), a(n) = (1 - v^n)/0.03 the annuity factor:
     * a(4) = 3.7171 < 4 <= a(5) = 4.5797, so the break-even year is 6,
     * while the undiscounted payback stays at year 5. NPV = -1000 v + 250
     * (a(10) - v) = 918.95847618...; investment 1000 v = 970.87378640...;
     * ROI = NPV / investment = 0.94652723... */
    flows f;
    make_flows(&f, 250.0, 0.03);
    mkba_cashflow_input in = flow_input(&f);
    mkba_cashflow *c = mkba_cashflow_alloc(&in, NULL);
    assert_non_null(c);
    double v = 1.0 / 1.03, a10 = (1.0 - pow(v, 10)) / 0.03;
    double npv = -1000.0 * v + 250.0 * (a10 - v);
    assert_close(npv, 918.9584761842486);
    assert_int_equal(c->breakeven[1], 6);
    assert_int_equal(c->payback[1], 5);
    assert_true(c->cum_disc[NY + 4] < 0.0);
    assert_true(c->cum_disc[NY + 5] > 0.0);
    assert_close(c->npv[1], npv);
    assert_close(c->investment[1], 1000.0 * v);
    assert_close(c->returns[1], npv + 1000.0 * v);
    assert_close(c->roi[1], 0.946527230469776);
    assert_close(c->cum_undisc[NY + 9], 1250.0);
    mkba_cashflow_free(c);
}

static void test_breakeven_never_and_dips(void **state)
{
    (void)state;
    /* Returns of 100 a year: cumulative -1000 + 9 x 100 = -100 < 0 at the
     * horizon, so neither break-even nor payback happens. */
    flows f;
    make_flows(&f, 100.0, 0.0);
    mkba_cashflow_input in = flow_input(&f);
    mkba_cashflow *c = mkba_cashflow_alloc(&in, NULL);
    assert_non_null(c);
    assert_int_equal(c->breakeven[1], MKBA_BREAKEVEN_NEVER);
    assert_int_equal(c->payback[1], MKBA_BREAKEVEN_NEVER);
    assert_close(c->npv[1], -100.0);
    assert_close(c->roi[1], -0.1);
    mkba_cashflow_free(c);

    /* Net flows -100, +200, -200, +300 (one payer, reference costs 0):
     * cumulative -100, 100, -100, 200. Positive in year 2 but negative
     * again in year 3, so the year from which it stays >= 0 is 4. */
    double arm[4] = { 100.0, -200.0, 200.0, -300.0 };
    double cost[8] = { 0 };
    memcpy(cost + 4, arm, sizeof arm);
    mkba_cashflow_input in2;
    memset(&in2, 0, sizeof in2);
    in2.ndraws = 1;
    in2.narms = 2;
    in2.ncycles = 4;
    in2.npayers = 1;
    in2.cycle_years = 1.0;
    in2.cost_disc = cost;
    in2.cost_undisc = cost;
    c = mkba_cashflow_alloc(&in2, NULL);
    assert_non_null(c);
    assert_close(c->cum_disc[4 + 1], 100.0);
    assert_int_equal(c->breakeven[1], 4);
    /* Investment 300 (years 1 and 3), returns 500: ROI 200 / 300. */
    assert_close(c->investment[1], 300.0);
    assert_close(c->returns[1], 500.0);
    assert_close(c->roi[1], 2.0 / 3.0);
    mkba_cashflow_free(c);
}

static void test_perspective_mask(void **state)
{
    (void)state;
    /* Payer 1 alone only saves 250 a year from year 2: no investment, net
     * never negative, break-even year 1, ROI +inf. Payer 0 alone only pays
     * the 1000: never breaks even. The two perspectives add up to society. */
    flows f;
    make_flows(&f, 250.0, 0.0);
    mkba_cashflow_input in = flow_input(&f);
    int only1[NP] = { 0, 1 }, only0[NP] = { 1, 0 };
    in.payer_mask = only1;
    mkba_cashflow *c1 = mkba_cashflow_alloc(&in, NULL);
    in.payer_mask = only0;
    mkba_cashflow *c0 = mkba_cashflow_alloc(&in, NULL);
    in.payer_mask = NULL;
    mkba_cashflow *cs = mkba_cashflow_alloc(&in, NULL);
    assert_non_null(c1);
    assert_non_null(c0);
    assert_non_null(cs);
    assert_close(c1->net_disc[NY], 0.0);
    assert_close(c1->npv[1], 2250.0);
    assert_int_equal(c1->breakeven[1], 1);
    assert_close(c1->investment[1], 0.0);
    assert_close(c1->roi[1], INFINITY);
    assert_int_equal(c0->breakeven[1], MKBA_BREAKEVEN_NEVER);
    assert_close(c0->npv[1], -1000.0);
    for (size_t t = 0; t < NY; t++)
        assert_close(c0->net_disc[NY + t] + c1->net_disc[NY + t], cs->net_disc[NY + t]);
    mkba_cashflow_free(c1);
    mkba_cashflow_free(c0);
    mkba_cashflow_free(cs);
}

static void test_monthly_cycles_and_gains(void **state)
{
    (void)state;
    /* Monthly cycles (cycle_years = 1/12), 30 of them: years of 12, 12 and
     * 6 cycles. The arm costs payer 0 (10 + k) in cycle k = 0..29, payer 1
     * (not in the perspective) 1000 a cycle; the reference costs nothing.
     * Yearly net benefit: -(12 x 10 + 0+...+11) = -186, -(120 + 12+...+23)
     * = -330, -(60 + 24+...+29) = -219. Monetary gains of the arm 100,
     * 400, 300 a year (the reference's 7, 7, 7 cancel against its own)
     * give net -86, +70, +81: cumulative -86, -16, +65, break-even year 3. */
    enum { T = 30, A = 2, P = 2 };
    double cost[A * T * P] = { 0 };
    for (size_t k = 0; k < T; k++) {
        cost[(1 * T + k) * P + 0] = 10.0 + (double)k;
        cost[(1 * T + k) * P + 1] = 1000.0;
    }
    size_t cpy = 0;
    assert_int_equal(mkba_cycles_per_year(1.0 / 12.0, &cpy, NULL), MKBA_OK);
    assert_int_equal(cpy, 12);
    assert_int_equal(mkba_years_of(T, cpy), 3);
    int mask[P] = { 1, 0 };
    double years[A * 3];
    mkba_years_sum(cost, A, T, P, mask, cpy, years);
    assert_close(years[3], 186.0);
    assert_close(years[4], 330.0);
    assert_close(years[5], 219.0);
    mkba_years_sum(cost, A, T, P, NULL, cpy, years);
    assert_close(years[5], 219.0 + 6000.0);

    double gain[A * 3] = { 7.0, 7.0, 7.0, 107.0, 407.0, 307.0 };
    mkba_cashflow_input in;
    memset(&in, 0, sizeof in);
    in.ndraws = 1;
    in.narms = A;
    in.ncycles = T;
    in.npayers = P;
    in.reference = 0;
    in.cycle_years = 1.0 / 12.0;
    in.cost_disc = cost;
    in.cost_undisc = cost;
    in.payer_mask = mask;
    in.gain_disc = gain;
    in.gain_undisc = gain;
    mkba_cashflow *c = mkba_cashflow_alloc(&in, NULL);
    assert_non_null(c);
    assert_int_equal(c->nyears, 3);
    assert_close(c->net_disc[3], -86.0);
    assert_close(c->net_disc[4], 70.0);
    assert_close(c->net_disc[5], 81.0);
    assert_close(c->cum_undisc[5], 65.0);
    assert_int_equal(c->breakeven[1], 3);
    mkba_cashflow_free(c);
}

static void test_cycles_per_year_errors(void **state)
{
    (void)state;
    size_t cpy = 0;
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_cycles_per_year(0.3, &cpy, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "does not divide a year"));
    assert_int_equal(mkba_cycles_per_year(2.0, &cpy, NULL), MKBA_EINVAL);
    assert_int_equal(mkba_cycles_per_year(0.0, &cpy, NULL), MKBA_EINVAL);
    assert_int_equal(mkba_cycles_per_year(NAN, &cpy, NULL), MKBA_EINVAL);
    assert_int_equal(mkba_cycles_per_year(0.25, &cpy, NULL), MKBA_OK);
    assert_int_equal(cpy, 4);
}

static void test_breakeven_stats(void **state)
{
    (void)state;
    /* Years {2, 3, 0 (never), 5, 3} of five draws, horizon 5, stored as a
     * column of a [draw][2 arms] array (stride 2). Share never 1/5; mean
     * among the four that break even (2+3+5+3)/4 = 3.25; sorted with never
     * as +inf: 2, 3, 3, 5, inf: median 3, p05 at h = 0.2: 2 + 0.2 = 2.2,
     * p95 at h = 3.8 between 5 and inf: inf. P(by t) = 0, .2, .6, .6, .8. */
    int year[10] = { 2, -9, 3, -9, 0, -9, 5, -9, 3, -9 };
    double work[5], by[5];
    mkba_breakeven_stats s;
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_breakeven_stats_of(year, 5, 2, 5, work, by, &s, &err), MKBA_OK);
    assert_close(s.share_never, 0.2);
    assert_close(s.mean, 3.25);
    assert_close(s.median, 3.0);
    assert_close(s.p05, 2.2);
    assert_close(s.p95, INFINITY);
    const double want[5] = { 0.0, 0.2, 0.6, 0.6, 0.8 };
    for (size_t t = 0; t < 5; t++)
        assert_close(by[t], want[t]);
    /* Nobody breaks even: mean NAN, the curve stays at 0. */
    int never[3] = { 0, 0, 0 };
    assert_int_equal(mkba_breakeven_stats_of(never, 3, 1, 4, work, by, &s, NULL), MKBA_OK);
    assert_true(isnan(s.mean));
    assert_close(s.share_never, 1.0);
    assert_close(by[3], 0.0);
    /* The reference's column (-9 here) or a year past the horizon is refused. */
    assert_int_equal(mkba_breakeven_stats_of(year + 1, 5, 2, 5, work, by, &s, &err),
                     MKBA_EINVAL);
    assert_non_null(strstr(err.message, "outside"));
    assert_int_equal(mkba_breakeven_stats_of(year, 5, 2, 4, work, by, &s, NULL), MKBA_EINVAL);
    assert_int_equal(mkba_breakeven_stats_of(NULL, 5, 2, 4, work, by, &s, NULL), MKBA_EINVAL);
}

static void test_cashflow_errors(void **state)
{
    (void)state;
    flows f;
    make_flows(&f, 250.0, 0.0);
    mkba_cashflow_input in = flow_input(&f);
    mkba_error err;

    mkba_error_clear(&err);
    assert_null(mkba_cashflow_alloc(NULL, &err));
    assert_int_equal(err.code, MKBA_EINVAL);

    mkba_cashflow_input bad = in;
    bad.narms = 0;
    mkba_error_clear(&err);
    assert_null(mkba_cashflow_alloc(&bad, &err));
    assert_int_equal(err.code, MKBA_EINVAL);

    bad = in;
    bad.reference = 2;
    mkba_error_clear(&err);
    assert_null(mkba_cashflow_alloc(&bad, &err));
    assert_non_null(strstr(err.message, "reference arm 2"));

    bad = in;
    bad.cycle_years = 0.4;
    mkba_error_clear(&err);
    assert_null(mkba_cashflow_alloc(&bad, &err));
    assert_int_equal(err.code, MKBA_EINVAL);

    double g[2 * NY] = { 0 };
    bad = in;
    bad.gain_disc = g;
    mkba_error_clear(&err);
    assert_null(mkba_cashflow_alloc(&bad, &err));
    assert_non_null(strstr(err.message, "neither"));

    /* A NaN in arm 1, cycle 4, payer 1 of the undiscounted costs. */
    f.undisc[(1 * NY + 3) * NP + 1] = NAN;
    mkba_error_clear(&err);
    assert_null(mkba_cashflow_alloc(&in, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    assert_non_null(strstr(err.message, "arm 1, cycle 4, payer 1"));
}

/* ------------------------------------------------------------------ frontier */

static void test_frontier_textbook(void **state)
{
    (void)state;
    /* Six arms given out of cost order (cost, effect):
     *   0 A (1000, 1.0)  reference
     *   1 D (6000, 1.8)
     *   2 B (3000, 1.5)
     *   3 F (12000, 2.5)
     *   4 C (4000, 1.4)  dominated by B (costs more, less effect)
     *   5 E (7000, 2.2)
     * Without C, ICERs in cost order: B vs A 2000/0.5 = 4000, D vs B
     * 3000/0.3 = 10000, E vs D 1000/0.4 = 2500 < 10000: D is extendedly
     * dominated. Then E vs B 4000/0.7 = 5714.2857..., F vs E 5000/0.3 =
     * 16666.67: increasing. Frontier A, B, E, F. */
    const double cost[6] = { 1000, 6000, 3000, 12000, 4000, 7000 };
    const double effect[6] = { 1.0, 1.8, 1.5, 2.5, 1.4, 2.2 };
    mkba_error err;
    mkba_error_clear(&err);
    mkba_frontier *f = mkba_frontier_alloc(6, cost, effect, 0, &err);
    assert_non_null(f);
    const size_t order[6] = { 0, 2, 4, 1, 5, 3 };
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(f->order[i], order[i]);
    assert_int_equal(f->status[0], MKBA_FRONTIER_ON);
    assert_int_equal(f->status[2], MKBA_FRONTIER_ON);
    assert_int_equal(f->status[5], MKBA_FRONTIER_ON);
    assert_int_equal(f->status[3], MKBA_FRONTIER_ON);
    assert_int_equal(f->status[4], MKBA_FRONTIER_DOMINATED);
    assert_int_equal(f->status[1], MKBA_FRONTIER_EXT_DOMINATED);
    assert_true(isnan(f->icer[0]));
    assert_close(f->icer[2], 4000.0);
    assert_close(f->icer[5], 4000.0 / 0.7);
    assert_close(f->icer[3], 5000.0 / 0.3);
    assert_true(isnan(f->icer[1]));
    assert_true(isnan(f->icer[4]));
    /* Previous frontier arms and increments: C and D sit after B. */
    assert_int_equal(f->prev[0], -1);
    assert_int_equal(f->prev[2], 0);
    assert_int_equal(f->prev[4], 2);
    assert_int_equal(f->prev[1], 2);
    assert_int_equal(f->prev[5], 2);
    assert_int_equal(f->prev[3], 5);
    assert_close(f->inc_cost_prev[4], 1000.0);
    assert_close(f->inc_effect_prev[4], -0.1);
    assert_close(f->inc_cost_prev[1], 3000.0);
    assert_close(f->inc_effect_prev[1], 0.3);
    assert_close(f->inc_cost_prev[5], 4000.0);
    assert_close(f->inc_effect_prev[5], 0.7);
    assert_true(isnan(f->inc_cost_prev[0]));
    assert_close(f->inc_cost_ref[3], 11000.0);
    assert_close(f->inc_effect_ref[3], 1.5);
    assert_close(f->inc_cost_ref[0], 0.0);
    mkba_frontier_free(f);
}

static void test_frontier_cascade_and_ties(void **state)
{
    (void)state;
    /* A (0, 0), B (10, 1), C (25, 2), D (29, 3). ICERs 10, 15, 4: C goes
     * (15 > 4). Then B vs A 10, D vs B 19/2 = 9.5 < 10: B goes too. D vs A
     * = 29/3. Reference D (index 3). */
    const double cost[4] = { 0, 10, 25, 29 }, effect[4] = { 0, 1, 2, 3 };
    mkba_frontier *f = mkba_frontier_alloc(4, cost, effect, 3, NULL);
    assert_non_null(f);
    assert_int_equal(f->status[0], MKBA_FRONTIER_ON);
    assert_int_equal(f->status[1], MKBA_FRONTIER_EXT_DOMINATED);
    assert_int_equal(f->status[2], MKBA_FRONTIER_EXT_DOMINATED);
    assert_int_equal(f->status[3], MKBA_FRONTIER_ON);
    assert_close(f->icer[3], 29.0 / 3.0);
    assert_close(f->inc_cost_ref[0], -29.0);
    mkba_frontier_free(f);

    /* Equal ICERs (collinear: 10 and 10) keep the middle arm; an exact
     * duplicate (arm 3 = arm 1) and an equal-cost, less effective arm
     * (arm 4) are dominated; a single arm is its own frontier. */
    const double c2[5] = { 0, 10, 20, 10, 20 }, e2[5] = { 0, 1, 2, 1, 1.5 };
    f = mkba_frontier_alloc(5, c2, e2, 0, NULL);
    assert_non_null(f);
    assert_int_equal(f->status[1], MKBA_FRONTIER_ON);
    assert_int_equal(f->status[2], MKBA_FRONTIER_ON);
    assert_int_equal(f->status[3], MKBA_FRONTIER_DOMINATED);
    assert_int_equal(f->status[4], MKBA_FRONTIER_DOMINATED);
    assert_close(f->icer[1], 10.0);
    assert_close(f->icer[2], 10.0);
    mkba_frontier_free(f);
    const double one = 5.0;
    f = mkba_frontier_alloc(1, &one, &one, 0, NULL);
    assert_non_null(f);
    assert_int_equal(f->status[0], MKBA_FRONTIER_ON);
    mkba_frontier_free(f);
}

static void test_frontier_errors(void **state)
{
    (void)state;
    const double cost[2] = { 1, 2 }, effect[2] = { 1, NAN };
    mkba_error err;
    mkba_error_clear(&err);
    assert_null(mkba_frontier_alloc(2, NULL, effect, 0, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    mkba_error_clear(&err);
    assert_null(mkba_frontier_alloc(0, cost, effect, 0, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    mkba_error_clear(&err);
    assert_null(mkba_frontier_alloc(2, cost, effect, -1, &err));
    assert_non_null(strstr(err.message, "reference arm -1"));
    mkba_error_clear(&err);
    assert_null(mkba_frontier_alloc(2, cost, effect, 0, &err));
    assert_non_null(strstr(err.message, "arm 1"));
}

/* ---------------------------------------------------------- CEAC and EVPI */

static void test_evpi_two_draws(void **state)
{
    (void)state;
    /* Two draws, two arms (cost, effect):
     *   draw 1: A (490, 0.5), B (296, 0.3)
     *   draw 2: A (398, 0.4), B (592, 0.6)
     * At lambda = 1000 the NMBs are 10, 4 and 2, 8: means 6 and 6 (a tie,
     * frontier arm A by the lowest index), each arm best in one draw;
     * EVPI = (10 + 8)/2 - 6 = 3. At lambda = 0 the NMBs are -490, -296 and
     * -398, -592: means -444 and -444, EVPI = (-296 - 398)/2 + 444 = 97. */
    const double cost[4] = { 490, 296, 398, 592 }, effect[4] = { 0.5, 0.3, 0.4, 0.6 };
    const double lambda[2] = { 0.0, 1000.0 };
    mkba_error err;
    mkba_error_clear(&err);
    mkba_ceac *c = mkba_ceac_alloc(2, 2, cost, effect, lambda, 2, &err);
    assert_non_null(c);
    assert_close(c->evpi[0], 97.0);
    assert_close(c->evpi[1], 3.0);
    assert_close(c->mean_nmb[2], 6.0);
    assert_close(c->mean_nmb[3], 6.0);
    assert_int_equal(c->frontier_arm[1], 0);
    assert_close(c->frontier_prob[1], 0.5);
    assert_close(c->prob_best[2], 0.5);
    assert_close(c->prob_best[3], 0.5);
    mkba_ceac_free(c);

    /* Population EVPI of 3 per person for 1000 people a year over 3 years
     * at 3%: 3 x 1000 x (1/1.03 + 1/1.03^2 + 1/1.03^3) = 8485.834...; at
     * 0%: 9000. */
    const double pop[3] = { 1000, 1000, 1000 };
    double out = 0.0;
    assert_int_equal(mkba_evpi_population(3.0, pop, 3, 0.03, &out, NULL), MKBA_OK);
    assert_close(out, 8485.834064684044);
    assert_int_equal(mkba_evpi_population(3.0, pop, 3, 0.0, &out, NULL), MKBA_OK);
    assert_close(out, 9000.0);
    assert_int_equal(mkba_evpi_population(3.0, pop, 0, 0.0, &out, NULL), MKBA_EINVAL);
    assert_int_equal(mkba_evpi_population(3.0, pop, 3, -1.0, &out, NULL), MKBA_EINVAL);
    assert_int_equal(mkba_evpi_population(-1.0, pop, 3, 0.0, &out, NULL), MKBA_EINVAL);
}

static void test_evpi_zero_when_one_arm_always_best(void **state)
{
    (void)state;
    /* Arm 1 is better than arms 0 and 2 in every draw (values chosen with
     * fractions that do not add up exactly in binary): EVPI exactly 0,
     * arm 1's probability of being best 1 and its rank 1 share 1. */
    const double v[4 * 3] = { 0.1, 0.7, 0.3,  -2.385, 1.1, 0.9,
                              3.3, 3.31, -1.0,  0.2, 0.3, 0.29 };
    double mean[3], pb[3], rank[9], wv[3];
    size_t wi[3];
    mkba_decision_point pt;
    assert_int_equal(mkba_decision_at(4, 3, v, mean, pb, rank, &pt, wv, wi, NULL), MKBA_OK);
    assert_true(pt.evpi == 0.0);
    assert_int_equal(pt.best_mean, 1);
    assert_close(pt.best_prob, 1.0);
    assert_close(pb[0], 0.0);
    assert_close(rank[1 * 3 + 0], 1.0);
    assert_close(mean[1], (0.7 + 1.1 + 3.31 + 0.3) / 4.0);
}

static void test_ceac_ties_and_ranks(void **state)
{
    (void)state;
    /* Three draws, three arms, with ties:
     *   d1 (5, 5, 1): arms 0, 1 share ranks 1-2 (1/2 each), arm 2 rank 3;
     *   d2 (3, 7, 7): arms 1, 2 share ranks 1-2, arm 0 rank 3;
     *   d3 (2, 2, 2): every arm 1/3 of every rank.
     * Per draw weight 1/3: prob best = (1/2 + 0 + 1/3)/3 = 5/18 (arm 0),
     * (1/2 + 1/2 + 1/3)/3 = 8/18 (arm 1), (0 + 1/2 + 1/3)/3 = 5/18 (arm 2).
     * Rank 3: arm 0 (0 + 1 + 1/3)/3 = 4/9, arm 1 1/9, arm 2 4/9. */
    const double v[9] = { 5, 5, 1, 3, 7, 7, 2, 2, 2 };
    double mean[3], pb[3], rank[9], wv[3];
    size_t wi[3];
    mkba_decision_point pt;
    assert_int_equal(mkba_decision_at(3, 3, v, mean, pb, rank, &pt, wv, wi, NULL), MKBA_OK);
    assert_close(pb[0], 5.0 / 18.0);
    assert_close(pb[1], 8.0 / 18.0);
    assert_close(pb[2], 5.0 / 18.0);
    assert_close(rank[0 * 3 + 2], 4.0 / 9.0);
    assert_close(rank[1 * 3 + 2], 1.0 / 9.0);
    assert_close(rank[2 * 3 + 2], 4.0 / 9.0);
    assert_close(rank[1 * 3 + 1], (0.5 + 0.5 + 1.0 / 3.0) / 3.0);
    for (size_t a = 0; a < 3; a++) {
        double row = 0.0, col = 0.0;
        for (size_t k = 0; k < 3; k++) {
            row += rank[a * 3 + k];
            col += rank[k * 3 + a];
        }
        assert_close(row, 1.0);
        assert_close(col, 1.0);
        assert_close(rank[a * 3 + 0], pb[a]);
    }
    /* Means 10/3, 14/3, 10/3: arm 1 is the frontier arm. EVPI = (5 + 7 +
     * 2)/3 - 14/3 = 0. */
    assert_int_equal(pt.best_mean, 1);
    assert_close(pt.evpi, 0.0);
}

static void test_ceac_sums_to_one(void **state)
{
    (void)state;
    /* Four arms, 50 draws of deterministic "high-entropy" costs and
     * effects, with arms 2 and 3 identical (ties in every draw), over a
     * grid of willingness-to-pay values: the CEAC sums to 1 everywhere and
     * the frontier arm's probability is its CEAC value. */
    enum { D = 50, A = 4, L = 6 };
    double cost[D * A], effect[D * A];
    for (size_t d = 0; d < D; d++) {
        for (size_t a = 0; a < 3; a++) {
            double x = (double)(d * 7 + a * 13 % 11);
            cost[d * A + a] = 1000.0 * (double)a + 123.45 * sin(x + 0.3);
            effect[d * A + a] = 0.05 * (double)a + 0.037 * cos(1.7 * x);
        }
        cost[d * A + 3] = cost[d * A + 2];
        effect[d * A + 3] = effect[d * A + 2];
    }
    const double lambda[L] = { 0, 5000, 20000, 35000, 50000, 1e6 };
    mkba_ceac *c = mkba_ceac_alloc(D, A, cost, effect, lambda, L, NULL);
    assert_non_null(c);
    for (size_t l = 0; l < L; l++) {
        double sum = 0.0;
        for (size_t a = 0; a < A; a++)
            sum += c->prob_best[l * A + a];
        assert_close(sum, 1.0);
        assert_close(c->prob_best[l * A + 2], c->prob_best[l * A + 3]);
        assert_close(c->frontier_prob[l], c->prob_best[l * A + (size_t)c->frontier_arm[l]]);
        assert_true(c->evpi[l] >= 0.0);
    }
    /* At lambda = 0 the cheapest arm (arm 0, cost about 0 vs 1000+) wins. */
    assert_int_equal(c->frontier_arm[0], 0);
    assert_close(c->prob_best[0], 1.0);
    mkba_ceac_free(c);
}

static void test_ceac_errors(void **state)
{
    (void)state;
    const double cost[2] = { 1, 2 }, effect[2] = { 1, 2 }, lambda[1] = { 1 };
    const double bad[2] = { 1, INFINITY };
    mkba_error err;
    mkba_error_clear(&err);
    assert_null(mkba_ceac_alloc(1, 0, cost, effect, lambda, 1, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    mkba_error_clear(&err);
    assert_null(mkba_ceac_alloc(1, 2, NULL, effect, lambda, 1, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    mkba_error_clear(&err);
    assert_null(mkba_ceac_alloc(1, 2, cost, bad, lambda, 1, &err));
    assert_non_null(strstr(err.message, "not finite"));
    const double nan_lambda[1] = { NAN };
    mkba_error_clear(&err);
    assert_null(mkba_ceac_alloc(1, 2, cost, effect, nan_lambda, 1, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    double mean[2], pb[2], wv[2];
    size_t wi[2];
    mkba_decision_point pt;
    mkba_error_clear(&err);
    assert_int_equal(mkba_decision_at(1, 2, bad, mean, pb, NULL, &pt, wv, wi, &err),
                     MKBA_EINVAL);
    assert_non_null(strstr(err.message, "draw 0, arm 1"));
}

/* ------------------------------------------------------------- payer table */

static void test_payer_table(void **state)
{
    (void)state;
    /* Four draws, two arms (reference 0), three payers: gemeente,
     * zorgverzekeraar, huishouden. Reference costs are (100, 200, 50) in
     * every draw. The arm's changes dc per draw:
     *   gemeente  +500, -100, +20, -30    (it pays a benefit of 120 to the
     *                                       households in draws 1 and 2,
     *                                       included in these numbers)
     *   zorgverz. -300, -250, -410, +40
     *   huishoud. -120, -120, +0.5, -1.5
     * Gemeente: net (-dc) = -500, 100, -20, 30: mean -97.5, p_loss 2/4;
     * investment (500 + 20)/4 = 130, returns (100 + 30)/4 = 32.5.
     * Zorgverzekeraar: net 300, 250, 410, -40: mean 230, p_loss 1/4.
     * Huishouden: net 120, 120, -0.5, 1.5: mean 60.25, p_loss 1/4.
     * Society: net per draw -80, 470, 389.5, -8.5: mean 192.75, p_loss 2/4;
     * its investment is 130 + 10 + 0.125 = 140.125, returns 32.5 + 240 +
     * 60.375 = 332.875, sums of the payer rows. */
    enum { D = 4, A = 2, P = 3 };
    const double ref[P] = { 100, 200, 50 };
    const double dc[D][P] = { { 500, -300, -120 }, { -100, -250, -120 },
                              { 20, -410, 0.5 }, { -30, 40, -1.5 } };
    double cost[D * A * P];
    for (size_t d = 0; d < D; d++)
        for (size_t p = 0; p < P; p++) {
            cost[(d * A + 0) * P + p] = ref[p];
            cost[(d * A + 1) * P + p] = ref[p] + dc[d][p];
        }
    mkba_payer_input in = { D, A, P, 0, cost, NULL };
    mkba_error err;
    mkba_error_clear(&err);
    mkba_payer_table *t = mkba_payer_table_alloc(&in, &err);
    assert_non_null(t);
    const mkba_payer_row *r = t->row + 1 * (P + 1);
    assert_close(r[0].net.mean, -97.5);
    assert_close(r[0].p_loss, 0.5);
    assert_close(r[0].investment, 130.0);
    assert_close(r[0].returns, 32.5);
    assert_close(r[1].net.mean, 230.0);
    assert_close(r[1].p_loss, 0.25);
    assert_close(r[2].net.mean, 60.25);
    assert_close(r[2].p_loss, 0.25);
    assert_close(r[3].net.mean, 192.75);
    assert_close(r[3].p_loss, 0.5);
    assert_close(r[3].investment, 140.125);
    assert_close(r[3].returns, 332.875);
    /* The table sums to society in every column of means. */
    double inv = 0.0, ret = 0.0, net = 0.0;
    for (size_t p = 0; p < P; p++) {
        inv += r[p].investment;
        ret += r[p].returns;
        net += r[p].net.mean;
    }
    assert_close(inv, r[3].investment);
    assert_close(ret, r[3].returns);
    assert_close(net, r[3].net.mean);
    /* Society's interval from the per-draw sums -80, -8.5, 389.5, 470
     * (sorted): 2.5% at h = 0.075: -80 + 0.075 x 71.5 = -74.6375. */
    assert_close(r[3].net.lo, -74.6375);
    /* The reference arm's rows are zero. */
    assert_close(t->row[3].net.mean, 0.0);
    assert_close(t->row[0].p_loss, 0.0);

    /* A group (gemeente + huishouden) through mkba_payer_row_of: net per
     * draw -500 + 120 = -380, 100 + 120 = 220, -20 - 0.5 = -20.5,
     * 30 + 1.5 = 31.5: mean -149/4 = -37.25, p_loss 2/4. */
    int mask[P] = { 1, 0, 1 };
    double work[2 * D];
    mkba_payer_row g;
    assert_int_equal(mkba_payer_row_of(&in, 1, mask, work, &g, NULL), MKBA_OK);
    assert_close(g.net.mean, -37.25);
    assert_close(g.p_loss, 0.5);
    mkba_payer_table_free(t);
}

static void test_payer_transfers_and_gains(void **state)
{
    (void)state;
    /* Two draws. The arm moves a benefit of 237.5 (draw 1) and 410.25
     * (draw 2) from the municipality (cost up) to households (cost down):
     * a pure transfer. Society's net is exactly 0 in every draw: no loss,
     * investment = returns = mean transfer 323.875. A monetary gain of 80
     * for households in the arm (income, in the gain array) then makes
     * households gain 80 more and society net +80. */
    enum { D = 2, A = 2, P = 2 };
    double cost[D * A * P] = { 10, 20, 10 + 237.5, 20 - 237.5,
                               10, 20, 10 + 410.25, 20 - 410.25 };
    double gain[D * A * P] = { 0, 5, 0, 85, 0, 5, 0, 85 };
    mkba_payer_input in = { D, A, P, 0, cost, NULL };
    mkba_payer_table *t = mkba_payer_table_alloc(&in, NULL);
    assert_non_null(t);
    const mkba_payer_row *r = t->row + (P + 1);
    assert_close(r[0].net.mean, -323.875);
    assert_close(r[0].p_loss, 1.0);
    assert_close(r[1].net.mean, 323.875);
    assert_true(r[2].net.mean == 0.0);
    assert_close(r[2].p_loss, 0.0);
    assert_close(r[2].investment, 323.875);
    assert_close(r[2].returns, 323.875);
    mkba_payer_table_free(t);

    in.gain = gain;
    t = mkba_payer_table_alloc(&in, NULL);
    assert_non_null(t);
    r = t->row + (P + 1);
    assert_close(r[1].net.mean, 323.875 + 80.0);
    assert_close(r[2].net.mean, 80.0);
    assert_close(r[2].returns, 323.875 + 80.0);
    mkba_payer_table_free(t);
}

static void test_payer_errors(void **state)
{
    (void)state;
    double cost[4] = { 1, 2, 3, 4 };
    mkba_payer_input in = { 1, 2, 2, 0, cost, NULL };
    mkba_error err;
    mkba_error_clear(&err);
    assert_null(mkba_payer_table_alloc(NULL, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    mkba_payer_input bad = in;
    bad.narms = 0;
    mkba_error_clear(&err);
    assert_null(mkba_payer_table_alloc(&bad, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    bad = in;
    bad.reference = 5;
    mkba_error_clear(&err);
    assert_null(mkba_payer_table_alloc(&bad, &err));
    assert_non_null(strstr(err.message, "reference arm 5"));
    double work[2];
    mkba_payer_row row;
    mkba_error_clear(&err);
    assert_int_equal(mkba_payer_row_of(&in, 2, NULL, work, &row, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "arm 2"));
    cost[3] = NAN;
    mkba_error_clear(&err);
    assert_null(mkba_payer_table_alloc(&in, &err));
    assert_non_null(strstr(err.message, "draw 0, arm 1, payer 1"));
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breakeven_r0),
        cmocka_unit_test(test_breakeven_r3),
        cmocka_unit_test(test_breakeven_never_and_dips),
        cmocka_unit_test(test_perspective_mask),
        cmocka_unit_test(test_monthly_cycles_and_gains),
        cmocka_unit_test(test_cycles_per_year_errors),
        cmocka_unit_test(test_breakeven_stats),
        cmocka_unit_test(test_cashflow_errors),
        cmocka_unit_test(test_frontier_textbook),
        cmocka_unit_test(test_frontier_cascade_and_ties),
        cmocka_unit_test(test_frontier_errors),
        cmocka_unit_test(test_evpi_two_draws),
        cmocka_unit_test(test_evpi_zero_when_one_arm_always_best),
        cmocka_unit_test(test_ceac_ties_and_ranks),
        cmocka_unit_test(test_ceac_sums_to_one),
        cmocka_unit_test(test_ceac_errors),
        cmocka_unit_test(test_payer_table),
        cmocka_unit_test(test_payer_transfers_and_gains),
        cmocka_unit_test(test_payer_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
