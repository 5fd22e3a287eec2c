/* Timing and discounting conventions against hand computation.
 *
 * tests/data/timing.cfg has a closed-form trace: a household is "well" at
 * time j with probability 0.8^j; it costs 1000 a year while well (3%
 * discount) and counts 1 life year a year (1.5%); death costs 500 once. The
 * expected totals below follow from the textbook definition of each
 * convention, written out here independently of the engine's weights. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "model/scenario.h"
#include "engine/engine.h"
#include "core/cycles.h"
#include "support.h"

#define T 4

static double f(int j) { return pow(0.8, j); }           /* occupancy at time j */
static double df(double rate, double y) { return pow(1.0 + rate, -y); }

/* Undiscounted cost totals of payers 0 and 1 from the last totals() call. */
static double last_cost[2];

/* Runs the cohort trace under `timing` and returns discounted cost and
 * effect totals (payer 0, effect 0). */
static void totals(mkba_model *m, mkba_occupancy occ, mkba_correction corr,
                   mkba_discount_time dt, double *cost, double *effect, double *cost_undisc)
{
    mkba_error err = {0};
    m->timing.occupancy = occ;
    m->timing.correction = corr;
    m->timing.discount_time = dt;
    mkba_layout *l = mkba_layout_alloc(m, &err);
    mkba_tables *t = mkba_tables_alloc(m, l);
    mkba_params_work *w = mkba_params_work_alloc(m->params);
    double *v = calloc(mkba_params_count(m->params) + 1, sizeof *v);
    assert_int_equal(mkba_params_sample(m->params, 1, 0, 1, MKBA_BASE_MEAN, v, w, &err), MKBA_OK);
    assert_int_equal(mkba_tables_resolve(t, m, v, 0, &err), MKBA_OK);
    mkba_counts *c = mkba_counts_alloc(l);
    assert_int_equal(mkba_cohort_run(m, t, c, &err), MKBA_OK);
    mkba_draw_result *r = mkba_draw_result_alloc(m);
    mkba_tally(m, l, c, v, NULL, r);
    *cost = r->cost_total_disc[0];
    *effect = m->neffects ? r->effect_total_disc[0] : 0.0;
    for (size_t p = 0; p < 2 && p < m->npayers; p++)
        last_cost[p] = r->cost_total[p];
    *cost_undisc = r->cost_total[0];
    mkba_draw_result_free(r);
    mkba_counts_free(c);
    free(v);
    mkba_params_work_free(w);
    mkba_tables_free(t);
    mkba_layout_free(l);
}

/* Death costs: entries in cycle k are 0.2 * 0.8^(k-1), discounted at the
 * event time of the convention. */
static double deaths(double years_offset)
{
    double s = 0.0;
    for (int k = 1; k <= T; k++)
        s += 500.0 * 0.2 * f(k - 1) * df(0.03, k - years_offset);
    return s;
}

static void expect(double got, double want, const char *what)
{
    if (fabs(got - want) > 1e-9 * fabs(want))
        fail_msg("%s: got %.12f, want %.12f", what, got, want);
}

static void test_conventions(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/timing.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(m->timing.ncycles, T);
    double c, e, cu, want_c, want_e;

    /* Literal values computed by hand: end-of-cycle occupancy, discounted at
     * cycle end: 1000 (0.8/1.03 + 0.64/1.03^2 + 0.512/1.03^3 + 0.4096/1.03^4). */
    totals(m, MKBA_OCC_END, MKBA_CORR_NONE, MKBA_DISC_END, &c, &e, &cu);
    expect(c - deaths(0.0), 2212.4372353869007, "none/end/end");
    expect(cu, 1000.0 * (0.8 + 0.64 + 0.512 + 0.4096) + 500.0 * (1.0 - 0.4096), "undiscounted");
    totals(m, MKBA_OCC_START, MKBA_CORR_NONE, MKBA_DISC_START, &c, &e, &cu);
    expect(c - deaths(1.0), 2848.5129405606344, "none/start/start");

    /* Uncorrected "both ends" counts times 0..T, cycle 1 carrying time 0. */
    totals(m, MKBA_OCC_BOTH, MKBA_CORR_NONE, MKBA_DISC_MIDDLE, &c, &e, &cu);
    want_c = 1000.0 * (f(0) + f(1)) * df(0.03, 0.5);
    want_e = (f(0) + f(1)) * df(0.015, 0.5);
    for (int k = 2; k <= T; k++) {
        want_c += 1000.0 * f(k) * df(0.03, k - 0.5);
        want_e += f(k) * df(0.015, k - 0.5);
    }
    expect(c, want_c + deaths(0.5), "none/both/middle cost");
    expect(e, want_e, "none/both/middle effect");

    /* Half-cycle correction and the trapezoid, discounting each occupancy at
     * its own time: sum of w_j f_j (1+r)^-j with w = 1/2, 1, ..., 1, 1/2.
     * 2530.4750879737676 by hand for the costs. */
    for (int occ = MKBA_OCC_START; occ <= MKBA_OCC_BOTH; occ++) {
        totals(m, (mkba_occupancy)occ, MKBA_CORR_HALF_CYCLE, MKBA_DISC_POINT, &c, &e, &cu);
        expect(c - deaths(0.5), 2530.4750879737676, "half-cycle/point cost");
        want_e = 0.5 * f(0) + 0.5 * f(T) * df(0.015, T);
        for (int j = 1; j < T; j++)
            want_e += f(j) * df(0.015, j);
        expect(e, want_e, "half-cycle/point effect");
        expect(cu, 1000.0 * (0.5 + 0.8 + 0.64 + 0.512 + 0.2048) + 500.0 * (1.0 - 0.4096),
               "half-cycle undiscounted");
    }
    totals(m, MKBA_OCC_BOTH, MKBA_CORR_TRAPEZOID, MKBA_DISC_POINT, &c, &e, &cu);
    expect(c - deaths(0.5), 2530.4750879737676, "trapezoid/point");

    /* Trapezoid with the cycle's value discounted at its middle. */
    totals(m, MKBA_OCC_BOTH, MKBA_CORR_TRAPEZOID, MKBA_DISC_MIDDLE, &c, &e, &cu);
    want_c = 0.0;
    for (int k = 1; k <= T; k++)
        want_c += 1000.0 * 0.5 * (f(k - 1) + f(k)) * df(0.03, k - 0.5);
    expect(c, want_c + deaths(0.5), "trapezoid/middle");

    /* Half-cycle with start occupancy, discounted per cycle at its start:
     * cycle 1 counts f0/2, cycles 2..T count f(k-1), cycle T adds f(T)/2. */
    totals(m, MKBA_OCC_START, MKBA_CORR_HALF_CYCLE, MKBA_DISC_START, &c, &e, &cu);
    want_c = 1000.0 * (0.5 * f(0) + f(1) * df(0.03, 1) + f(2) * df(0.03, 2) +
                       (f(3) + 0.5 * f(4)) * df(0.03, 3));
    expect(c, want_c + deaths(1.0), "half-cycle/start/start");

    /* Composite Simpson's 1/3 over the discounted points: 2517.1510977925327. */
    totals(m, MKBA_OCC_BOTH, MKBA_CORR_SIMPSON, MKBA_DISC_POINT, &c, &e, &cu);
    expect(c - deaths(0.5), 2517.1510977925327, "simpson/point");
    /* Undiscounted, Simpson's rule matches the integral of the smooth trace
     * 0.8^t over the horizon to within 1e-4 (its error term is ~2e-5 here). */
    double exact = 1000.0 * (1.0 - pow(0.8, T)) / -log(0.8);
    assert_true(fabs((cu - 500.0 * (1.0 - 0.4096)) - exact) / exact < 1e-4);

    /* Odd horizon: the last cycle uses the parabola through the last three
     * points, (-f1 + 8 f2 + 5 f3) / 12, after the pair (f0 + 4 f1 + f2) / 3. */
    m->timing.ncycles = 3;
    totals(m, MKBA_OCC_BOTH, MKBA_CORR_SIMPSON, MKBA_DISC_POINT, &c, &e, &cu);
    double g[4];
    for (int j = 0; j < 4; j++)
        g[j] = 1000.0 * f(j) * df(0.03, j);
    double d3 = 0.0;
    for (int k = 1; k <= 3; k++)
        d3 += 500.0 * 0.2 * f(k - 1) * df(0.03, k - 0.5);
    expect(c - d3, (g[0] + 4 * g[1] + g[2]) / 3.0 + (-g[1] + 8 * g[2] + 5 * g[3]) / 12.0,
           "simpson odd horizon");
    mkba_model_free(m);
}

/* An amount restricted to a cycle window counts over exactly that window:
 * the half-cycle correction belongs to the window's ends, not the
 * horizon's. 300 a year in cycles 1-4 is 1200 for every rule but
 * uncorrected "both ends", which by definition counts five points; the care
 * cost in cycles 2-3 integrates 0.8^t over [1, 3] by the rule's own
 * quadrature (trapezoid: 1000 (0.8/2 + 0.64 + 0.512/2) = 1296). */
static void test_cycle_windows(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/window.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    double c, e, cu;
    const double trapezoid = 1000.0 * (0.5 * f(1) + f(2) + 0.5 * f(3));
    for (int occ = MKBA_OCC_START; occ <= MKBA_OCC_BOTH; occ++) {
        totals(m, (mkba_occupancy)occ, MKBA_CORR_HALF_CYCLE, MKBA_DISC_POINT, &c, &e, &cu);
        expect(last_cost[0], 1200.0, "half-cycle programme");
        expect(last_cost[1], trapezoid, "half-cycle care");
    }
    totals(m, MKBA_OCC_BOTH, MKBA_CORR_TRAPEZOID, MKBA_DISC_POINT, &c, &e, &cu);
    expect(last_cost[0], 1200.0, "trapezoid programme");
    expect(last_cost[1], trapezoid, "trapezoid care");
    totals(m, MKBA_OCC_BOTH, MKBA_CORR_SIMPSON, MKBA_DISC_POINT, &c, &e, &cu);
    expect(last_cost[0], 1200.0, "simpson programme");
    totals(m, MKBA_OCC_START, MKBA_CORR_NONE, MKBA_DISC_POINT, &c, &e, &cu);
    expect(last_cost[0], 1200.0, "none/start programme");
    expect(last_cost[1], 1000.0 * (f(1) + f(2)), "none/start care");
    totals(m, MKBA_OCC_END, MKBA_CORR_NONE, MKBA_DISC_POINT, &c, &e, &cu);
    expect(last_cost[0], 1200.0, "none/end programme");
    expect(last_cost[1], 1000.0 * (f(2) + f(3)), "none/end care");
    totals(m, MKBA_OCC_BOTH, MKBA_CORR_NONE, MKBA_DISC_POINT, &c, &e, &cu);
    expect(last_cost[0], 1500.0, "none/both programme");
    expect(last_cost[1], 1000.0 * (f(1) + f(2) + f(3)), "none/both care");
    mkba_model_free(m);
}

/* ---- calendar time (docs/model.md, "Calendar time") ---- */

/* Writes tests/data/trend.cfg with `from` replaced by `to` into path. */
static void trend_variant(const char *path, const char *from, const char *to)
{
    assert_int_equal(support_write_variant("tests/data/trend.cfg", path, from, to), 0);
}

/* One base-case draw of scenario `path` in `mode` with `households`
 * households into a new record. */
static mkba_draw_result *base_draw(const char *path, mkba_engine_mode mode, long households)
{
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_params_work *w = mkba_params_work_alloc(m->params);
    /* One value vector per arm. */
    double *v = calloc(m->narms * mkba_params_count(m->params) + 1, sizeof *v);
    assert_int_equal(mkba_params_sample(m->params, 1, 0, 1, MKBA_BASE_MEAN, v, w, &err), MKBA_OK);
    mkba_engine *e = mkba_engine_alloc(m, mode, households, 2, &err);
    assert_non_null(e);
    mkba_draw_result *r = mkba_draw_result_alloc(m);
    if (mkba_engine_draw(e, v, 1, 0, r, NULL, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_engine_free(e);
    free(v);
    mkba_params_work_free(w);
    mkba_model_free(m);
    return r;
}

static mkba_draw_result *trend_draw(const char *path, mkba_engine_mode mode)
{
    return base_draw(path, mode, 64);
}

/* A cost of 1000 x 1.03^(year - 1) and an effect of 1 + 0.5 (year - 1)
 * for a household that never leaves its state, discounted at the end of
 * each year at 2.25%: cycle k books exactly its year's amount, and the
 * totals are the closed forms
 *   cost   = 1000/d  (1 - (g/d)^T) / (1 - g/d),  g = 1.03, d = 1.0225
 *   effect = sum_k (1 + 0.5 (k - 1)) d^-k,
 * in the microsimulation and the cohort trace alike. */
static void test_calendar_trend(void **state)
{
    (void)state;
    const double g = 1.03, d = 1.0225;
    const int years = 10;
    double want_cost = 1000.0 / d * (1.0 - pow(g / d, years)) / (1.0 - g / d), want_eff = 0.0;
    for (int k = 1; k <= years; k++)
        want_eff += (1.0 + 0.5 * (k - 1)) * pow(d, -k);
    for (int mode = MKBA_ENGINE_MICRO; mode <= MKBA_ENGINE_COHORT; mode++) {
        mkba_draw_result *r = trend_draw("tests/data/trend.cfg", (mkba_engine_mode)mode);
        for (int k = 1; k <= years; k++) {
            expect(r->cost[k - 1], 1000.0 * pow(g, k - 1), "cost of the year");
            expect(r->effect[k - 1], 1.0 + 0.5 * (k - 1), "effect of the year");
        }
        expect(r->cost_total_disc[0], want_cost, "discounted cost, closed form");
        expect(r->effect_total_disc[0], want_eff, "discounted effect, closed form");
        mkba_draw_result_free(r);
    }
}

/* The same trend under the half-cycle correction: the half-cycle weights
 * (1/2, 1, ..., 1, 1/2) over points 0..T, priced as the per-cycle
 * trapezoid sum_k A_k (f_{k-1} + f_k) / 2, give each cycle exactly its
 * year's amount again for a household that never moves (f = 1), so the
 * same closed forms hold (without the end effect (A_1 - A_T) / 2 of
 * pricing point 0 at A_1 and point T at A_T in cycles 1 and T). Discounted
 * at the end of each cycle. */
static void test_calendar_trend_half_cycle(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba_trend_hc_%ld.cfg", (long)getpid());
    trend_variant(path, "correction = \"none\"", "correction = \"half-cycle\"");
    const double g = 1.03, d = 1.0225;
    const int years = 10;
    double want_cost = 1000.0 / d * (1.0 - pow(g / d, years)) / (1.0 - g / d), want_eff = 0.0;
    double want_undisc = 1000.0 * (pow(g, years) - 1.0) / (g - 1.0);
    for (int k = 1; k <= years; k++)
        want_eff += (1.0 + 0.5 * (k - 1)) * pow(d, -k);
    for (int mode = MKBA_ENGINE_MICRO; mode <= MKBA_ENGINE_COHORT; mode++) {
        mkba_draw_result *r = trend_draw(path, (mkba_engine_mode)mode);
        for (int k = 1; k <= years; k++)
            expect(r->cost[k - 1], 1000.0 * pow(g, k - 1), "cost of the year");
        expect(r->cost_total[0], want_undisc, "undiscounted cost, closed form");
        expect(r->cost_total_disc[0], want_cost, "discounted cost, closed form");
        expect(r->effect_total_disc[0], want_eff, "discounted effect, closed form");
        mkba_draw_result_free(r);
    }
    remove(path);
}

/* `whole_year` is the number of the year a cycle starts in: with yearly
 * cycles the same as `year` (the trend prices bit for bit as with `year`);
 * with monthly ones 1 for months 1-12, 2 for 13-24, ..., so a cost of
 * 1000 x 1.03^(whole_year - 1) books 1000 x 1.03^floor((k - 1) / 12) / 12
 * in month k: a step each January, where `year` grows month by month. */
static void test_calendar_whole_year(void **state)
{
    (void)state;
    char yearly[64], monthly[64];
    snprintf(yearly, sizeof yearly, "/tmp/mkba_trend_wy_%ld.cfg", (long)getpid());
    snprintf(monthly, sizeof monthly, "/tmp/mkba_trend_wm_%ld.cfg", (long)getpid());
    trend_variant(yearly, "(year - 1)\"; source", "(whole_year - 1)\"; source");
    assert_int_equal(support_write_variant(yearly, monthly, "cycle = \"year\"",
                                           "cycle = \"month\""), 0);
    const double g = 1.03;
    for (int mode = MKBA_ENGINE_MICRO; mode <= MKBA_ENGINE_COHORT; mode++) {
        mkba_draw_result *a = trend_draw("tests/data/trend.cfg", (mkba_engine_mode)mode);
        mkba_draw_result *b = trend_draw(yearly, (mkba_engine_mode)mode);
        assert_int_equal(a->ncycles, b->ncycles);
        for (size_t k = 0; k < a->ncycles; k++)
            assert_memory_equal(&a->cost[k], &b->cost[k], sizeof a->cost[k]);
        assert_memory_equal(&a->cost_total_disc[0], &b->cost_total_disc[0], sizeof(double));
        mkba_draw_result_free(a);
        mkba_draw_result_free(b);
        mkba_draw_result *m = trend_draw(monthly, (mkba_engine_mode)mode);
        assert_int_equal(m->ncycles, 120);
        for (size_t k = 1; k <= m->ncycles; k++)
            expect(m->cost[k - 1], 1000.0 * pow(g, (double)((k - 1) / 12)) / 12.0,
                   "cost of the month, at its year's level");
        mkba_draw_result_free(m);
    }
    remove(yearly);
    remove(monthly);
}

/* An amount whose expression uses the year but does not change with it
 * prices exactly as the same amount without the year: the by-cycle path
 * gives the draw's path's numbers bit for bit. */
static void test_calendar_constant(void **state)
{
    (void)state;
    char timed[64], plain[64];
    snprintf(timed, sizeof timed, "/tmp/mkba_trend_timed_%ld.cfg", (long)getpid());
    snprintf(plain, sizeof plain, "/tmp/mkba_trend_plain_%ld.cfg", (long)getpid());
    trend_variant(timed, "per_year = \"1 + 0.5 * (year - 1)\"", "per_year = \"2.385 + 0 * year\"");
    trend_variant(plain, "per_year = \"1 + 0.5 * (year - 1)\"", "per_year = \"2.385 + 0 * 7\"");
    mkba_draw_result *a = trend_draw(timed, MKBA_ENGINE_MICRO);
    mkba_draw_result *b = trend_draw(plain, MKBA_ENGINE_MICRO);
    assert_memory_equal(a->effect, b->effect, 10 * sizeof *a->effect);
    assert_memory_equal(a->effect_total_disc, b->effect_total_disc, sizeof *a->effect_total_disc);
    mkba_draw_result_free(a);
    mkba_draw_result_free(b);
    remove(timed);
    remove(plain);
}

/* A value fixed by a design (--set, a tornado's point) on a parameter that
 * varies by year holds in every cycle, as if the scenario said
 * cost_now = 500: the discounted cost is 500 sum_k d^-k, not the trend's. */
static void test_calendar_fixed(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/trend.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    size_t np = mkba_params_count(m->params);
    int k = mkba_params_find(m->params, "cost_now");
    assert_true(k >= 0);
    double *fixed = malloc((np + 1) * sizeof *fixed), *v = calloc(np + 1, sizeof *v);
    for (size_t i = 0; i < np; i++)
        fixed[i] = NAN;
    fixed[k] = 500.0;
    mkba_params_work *w = mkba_params_work_alloc(m->params);
    mkba_params_work_fix(w, fixed);
    assert_int_equal(mkba_params_sample(m->params, 1, 0, 1, MKBA_BASE_MEAN, v, w, &err), MKBA_OK);
    for (int mode = MKBA_ENGINE_MICRO; mode <= MKBA_ENGINE_COHORT; mode++) {
        mkba_engine *e = mkba_engine_alloc(m, (mkba_engine_mode)mode, 64, 2, &err);
        assert_non_null(e);
        mkba_engine_fix(e, fixed);
        mkba_draw_result *r = mkba_draw_result_alloc(m);
        if (mkba_engine_draw(e, v, 1, 0, r, NULL, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        double want = 0.0;
        for (int y = 1; y <= 10; y++) {
            expect(r->cost[y - 1], 500.0, "fixed cost of the year");
            want += 500.0 * pow(1.0225, -y);
        }
        expect(r->cost_total_disc[0], want, "discounted fixed cost");
        mkba_draw_result_free(r);
        mkba_engine_free(e);
    }
    free(fixed);
    free(v);
    mkba_params_work_free(w);
    mkba_model_free(m);
}

/* A parameter that varies by year where it is read once per draw (a
 * transition probability) is refused at load, naming the file, the line
 * and the setting that reads it. */
static void test_calendar_refused(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba_trend_bad_%ld.cfg", (long)getpid());
    trend_variant(path, "ill = 0.0;", "ill = \"0.001 * cost_now\";");
    mkba_model *m = NULL;
    mkba_error err = {0};
    assert_int_not_equal(mkba_scenario_load(NULL, path, &m, &err), MKBA_OK);
    assert_null(m);
    char where[128];
    snprintf(where, sizeof where, "%s:22: domains.[0].transitions.[0].probabilities.ill", path);
    if (strstr(err.message, where) == NULL || strstr(err.message, "varies by year") == NULL
        || strstr(err.message, "cost_now") == NULL)
        fail_msg("unexpected message: %s", err.message);
    /* `year` is no parameter name. */
    trend_variant(path, "growth = {", "year = { value = 1.0; source = \"x\"; };\n  growth = {");
    err = (mkba_error){0};
    assert_int_not_equal(mkba_scenario_load(NULL, path, &m, &err), MKBA_OK);
    if (strstr(err.message, "'year' is reserved") == NULL)
        fail_msg("unexpected message: %s", err.message);
    trend_variant(path, "growth = {", "whole_year = { value = 1.0; source = \"x\"; };\n  growth = {");
    err = (mkba_error){0};
    assert_int_not_equal(mkba_scenario_load(NULL, path, &m, &err), MKBA_OK);
    if (strstr(err.message, "'whole_year' is reserved") == NULL)
        fail_msg("unexpected message: %s", err.message);
    /* A setting read once per draw names the variable that makes it vary. */
    trend_variant(path, "ill = 0.0;", "ill = \"0.001 * whole_year\";");
    err = (mkba_error){0};
    assert_int_not_equal(mkba_scenario_load(NULL, path, &m, &err), MKBA_OK);
    if (strstr(err.message, "may not vary by year") == NULL
        || strstr(err.message, "uses whole_year") == NULL)
        fail_msg("unexpected message: %s", err.message);
    remove(path);
}

/* Referral substitution prices the help a team gives at the bought help's
 * price in each cycle when that price varies by year (issue 12): in the
 * substitution fixture (1,000 households at medium, bought help the team
 * gives in full, nobody moves) with a price of 1,000 x year, cycle k
 * charges the classic arm 1,000 k and the team arm 1,000 k less the help
 * given, weighed as the tally weighs a yearly amount (the per-cycle
 * trapezoid): k (1,000 - (n_(k-1) + n_k) / 2), with n_j the households in
 * the team's care at point j, 0 0 600 0 400 200 400
 * (tests/unit/test_substitution.c): 1,000, 1,400, 2,100, 3,200, 3,500,
 * 4,200. (Booking it at the year-1 price, as the engine did before it
 * was refused at load, fails here: cycle 3 costs 3,000.) */
static void test_calendar_substitution_priced(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba_trend_sub_%ld.cfg", (long)getpid());
    assert_int_equal(support_write_variant("tests/data/services_substitution.cfg", path,
                                           "per_year = 1000.0; category = \"first line\"",
                                           "per_year = \"1000.0 * year\"; "
                                           "category = \"first line\""), 0);
    mkba_draw_result *r = base_draw(path, MKBA_ENGINE_MICRO, 1000);
    remove(path);
    static const double in_care[7] = {0, 0, 600, 0, 400, 200, 400};
    const size_t nc = r->ncycles, np = r->npayers;
    assert_int_equal(nc, 6);
    double total = 0.0;
    for (size_t k = 1; k <= nc; k++) {
        double want = 1000.0 * (double)k * (1.0 - (in_care[k - 1] + in_care[k]) / 2.0 / 1000.0);
        expect(r->cost[(0 * nc + k - 1) * np], 1000.0 * (double)k, "classic arm's cycle cost");
        expect(r->cost[(1 * nc + k - 1) * np], want, "team arm's cycle cost");
        total += want;
    }
    expect(r->cost_total[1 * np], total, "team arm's total cost");
    mkba_draw_result_free(r);
}

/* Unpooled budgets' heavier help is priced, like substitution, at the
 * bought help's price in each cycle when that price varies by year
 * (review issue12-final, 5). The substitution fixture without its
 * substitution list, at degree limited with second_line = 0.5 (the help
 * bought for the team's households used 1.5 times) and a price of
 * 1,000 x year: cycle k charges the classic arm 1,000 k and the team arm
 * 1,000 k (1 + 0.5 n_k / 1,000), n_k the households in the team's care in
 * cycle k. Nobody's need moves, all ask at once, the team has 600 places
 * and two-year episodes, and a household whose episode ends asks again
 * the cycle after: cycle 1 admits 600 (400 wait); 2 keeps them; in 3
 * they leave and the 400 come in; in 4 the 600 ask again and 200 join the
 * 400; in 5 the 400 leave and the 400 waiting join the 200; in 6 the 200
 * leave, and 200 of the 400 who left in 5 join the 400 of 5. So n_k =
 * 600 600 400 600 600 600. Priced at the year-1 value, as
 * before, cycle 2 would cost 2,000 + 300 instead of 2,600. */
static void test_calendar_heavier_priced(void **state)
{
    (void)state;
    static const char *const edit[][2] = {
        {"per_year = 1000.0; category = \"first line\"",
         "per_year = \"1000.0 * year\"; category = \"first line\""},
        {"degree = \"full\"; team = \"team\"; providers = [\"desk\"];",
         "degree = \"limited\"; team = \"team\"; providers = [\"desk\"];"},
        /* The fixture's zero-cost group at degree full, as limited's. */
        {"payer = \"gemeente\"; overheads = { co_location = 0.0; shared_ict = false; }; "
         "integration = { front_office_investment = 0.0; pooling_investment = 0.0; "
         "pooling_running = 0.0; };",
         "payer = \"gemeente\"; overheads = { co_location = 0.0; }; "
         "integration = { front_office_investment = 0.0; "
         "unpooled = { second_line = 0.5; }; };"},
        {"substitution = ( { domain = \"need\"; state = \"medium\"; payer = \"gemeente\"; "
         "share = 1.0; places = 0.0; } );", ""}};
    char path[2][64];
    const char *from = "tests/data/services_substitution.cfg";
    for (int i = 0; i < 4; i++) {
        snprintf(path[i % 2], sizeof path[i % 2], "/tmp/mkba_trend_heavier%d_%ld.cfg", i % 2,
                 (long)getpid());
        assert_int_equal(support_write_variant(from, path[i % 2], edit[i][0], edit[i][1]), 0);
        from = path[i % 2];
    }
    mkba_draw_result *r = base_draw(from, MKBA_ENGINE_MICRO, 1000);
    remove(path[0]);
    remove(path[1]);
    static const double in_care[6] = {600, 600, 400, 600, 600, 600};
    const size_t nc = r->ncycles, np = r->npayers;
    assert_int_equal(nc, 6);
    double total = 0.0;
    for (size_t k = 1; k <= nc; k++) {
        expect(r->svc_in_care[1 * nc + k - 1] * 1000.0, in_care[k - 1], "team's households");
        double want = 1000.0 * (double)k * (1.0 + 0.5 * in_care[k - 1] / 1000.0);
        expect(r->cost[(0 * nc + k - 1) * np], 1000.0 * (double)k, "classic arm's cycle cost");
        expect(r->cost[(1 * nc + k - 1) * np], want, "team arm's cycle cost");
        total += want;
    }
    expect(r->cost_total[1 * np], total, "team arm's total cost");
    mkba_draw_result_free(r);
}

/* `mkba check` shows a parameter that varies by year with its year-1
 * value, saying that it varies; a constant one without that remark. */
static void test_calendar_printed(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/trend.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char *buf = support_model_text(m);
    const char *line = strstr(buf, "  cost_now: ");
    assert_non_null(line);
    const char *eol = strchr(line, '\n');
    const char *said = strstr(line, "mean 1000 (year 1; varies by year)");
    if (said == NULL || said > eol)
        fail_msg("unexpected line: %.*s", (int)(eol - line), line);
    line = strstr(buf, "  base_cost: ");
    assert_non_null(line);
    said = strstr(line, "varies by year");
    assert_true(said == NULL || said > strchr(line, '\n'));
    free(buf);
    mkba_model_free(m);
}

/* The engine's cycles per year (its year-to-date costs) are the analysis
 * layer's one definition: whole cycles of a year, a month, a quarter; a
 * cycle that does not divide a year is refused when the model is laid
 * out, as the analysis layer refuses it, not taken as a year of its own. */
static void test_cycles_per_year(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/timing.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    static const struct {
        double years;
        size_t want;           /* 0: refused */
    } c[] = { { 1.0, 1 }, { 1.0 / 12.0, 12 }, { 0.25, 4 }, { 0.3, 0 }, { 2.0, 0 } };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        m->timing.cycle_years = c[i].years;
        err = (mkba_error){0};
        mkba_layout *l = mkba_layout_alloc(m, &err);
        size_t cpy = 0;
        int rc = mkba_cycles_per_year(c[i].years, &cpy, NULL);
        if (c[i].want == 0) {
            assert_null(l);
            assert_int_not_equal(rc, MKBA_OK);
            if (strstr(err.message, "cycle length") == NULL)
                fail_msg("cycle %g: %s", c[i].years, err.message);
        } else {
            assert_non_null(l);
            assert_int_equal(l->cycles_per_year, c[i].want);
            assert_int_equal(cpy, c[i].want);
            mkba_layout_free(l);
        }
    }
    mkba_model_free(m);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conventions),
        cmocka_unit_test(test_cycle_windows),
        cmocka_unit_test(test_calendar_trend),
        cmocka_unit_test(test_calendar_trend_half_cycle),
        cmocka_unit_test(test_calendar_whole_year),
        cmocka_unit_test(test_calendar_constant),
        cmocka_unit_test(test_calendar_fixed),
        cmocka_unit_test(test_calendar_refused),
        cmocka_unit_test(test_cycles_per_year),
        cmocka_unit_test(test_calendar_substitution_priced),
        cmocka_unit_test(test_calendar_heavier_priced),
        cmocka_unit_test(test_calendar_printed),
    };
    return cmocka_run_group_tests_name("timing", tests, NULL, NULL);
}
