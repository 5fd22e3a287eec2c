/* Calibration of the shipped service-pathway scenarios against the
 * literature (issue 3, docs/scenarios.md).
 *
 * Utrecht [S1][S25] reported municipal costs about 10% lower for adults
 * and 32% lower for youth and family than before. Since issue 12 the
 * utrecht-like scenario is compared with these figures, not fitted to
 * them: the test checks the direction of the model's result and that the
 * youth figure stays outside its 90% interval (a documented gap). The test runs the SHIPPED scenarios/pathways/utrecht-like.cfg
 * through mkba_run to an HDF5 file and recomputes the relative differences
 * from the undiscounted /draws/cost, independently of the analysis code.
 * Utrecht's figures are per team type over all budgets the teams touched
 * (AWBZ included); the model compares budgets (adult municipal payers,
 * Jeugdwet) and has no AWBZ payer, so the target is matched in order of
 * magnitude (docs/scenarios.md, "Calibration of utrecht-like").
 *
 * Rotterdam [S1][S30]: the social teams gained most in light and heavy
 * cases, less in medium ones. With the shipped wijkteam of model A,
 * households that all start light, medium or heavy gain more (relative
 * reduction of severity-years against the classic route) when light and
 * when heavy than when medium. */
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
#include <hdf5.h>
#include "mkba/mkba.h"
#include "engine/services.h"
#include "support_sim.h"

#define UTRECHT "scenarios/pathways/utrecht-like.cfg"
#define MODEL_A "scenarios/pathways/model-a.cfg"

/* Under the sanitizers the runs are several times slower: fewer
 * households there (the suite's convention, Makefile `check`). */
static int sanitized(void)
{
    const char *s = getenv("MKBA_SANITIZED");
    return s != NULL && s[0] != '\0' && strcmp(s, "0") != 0;
}

static double *read_doubles(const char *path, const char *name, size_t *count)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t sp = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    assert_true(n > 0);
    double *buf = malloc((size_t)n * sizeof *buf);
    assert_non_null(buf);
    assert_true(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Sclose(sp);
    H5Dclose(d);
    H5Fclose(f);
    *count = (size_t)n;
    return buf;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of x[0..n) by linear interpolation between order
 * statistics (R's type 7); sorts x. */
static double quantile(double *x, size_t n, double q)
{
    qsort(x, n, sizeof *x, by_value);
    double h = q * (double)(n - 1);
    size_t i = (size_t)h;
    if (i + 1 >= n)
        return x[n - 1];
    return x[i] + (h - (double)i) * (x[i + 1] - x[i]);
}

static int payer_index(const mkba_model *m, const char *name)
{
    for (size_t p = 0; p < m->npayers; p++)
        if (strcmp(m->payer[p], name) == 0)
            return (int)p;
    fail_msg("payer '%s' missing from %s", name, m->path);
    return -1;
}

static int arm_index(const mkba_model *m, const char *name)
{
    for (size_t a = 0; a < m->narms; a++)
        if (strcmp(m->arm[a].name, name) == 0)
            return (int)a;
    fail_msg("arm '%s' missing from %s", name, m->path);
    return -1;
}

/* Mean, 5% and 95% points over the draws of one relative difference. */
typedef struct interval {
    double mean, lo, hi;
} interval;

static interval summarise(double *x, size_t n)
{
    interval r = {0.0, 0.0, 0.0};
    for (size_t i = 0; i < n; i++)
        r.mean += x[i] / (double)n;
    r.lo = quantile(x, n, 0.05);
    r.hi = quantile(x, n, 0.95);
    return r;
}

/* Per draw: (arm's cost) / (reference's cost) - 1 over cycles 6..10 and
 * the payers in `payers` (indices, -1 terminated), from cost[D][A][T][P]. */
static void relative_difference(const double *cost, size_t D, size_t A, size_t T, size_t P,
                                size_t arm, size_t ref, const int *payers, double *out)
{
    for (size_t d = 0; d < D; d++) {
        double s[2] = {0.0, 0.0};
        for (int k = 0; k < 2; k++)
            for (size_t t = 5; t < 10; t++)
                for (const int *p = payers; *p >= 0; p++)
                    s[k] += cost[((d * A + (k ? arm : ref)) * T + t) * P + (size_t)*p];
        assert_true(s[0] > 0.0);
        out[d] = s[1] / s[0] - 1.0;
    }
}

static void test_utrecht_compared(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, UTRECHT, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_true(m->timing.ncycles >= 10 && m->timing.cycle_years == 1.0);

    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba-calibration-%d.h5", (int)getpid());
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = path;
    o.force = 1;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 2;
    /* The shipped seed and 50 draws; 2000 households as shipped, 1000
     * under the sanitizers (the figures move by about a point). */
    o.draws = 50;
    o.households = sanitized() ? 1000 : 2000;
    if (mkba_run(&ctx, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);

    size_t n;
    double *cost = read_doubles(path, "/draws/cost", &n);
    size_t A = m->narms, T = (size_t)m->timing.ncycles, P = m->npayers;
    size_t D = n / (A * T * P);
    assert_int_equal(D, 50);
    size_t ref = (size_t)m->reference, arm = (size_t)arm_index(m, "utrecht");
    assert_int_equal(ref, (size_t)arm_index(m, "classic"));

    /* The two municipal budgets of the comparison (the scenario's
     * perspectives gemeente-volwassenen and gemeente-jeugd). */
    const int adults[] = {payer_index(m, "gemeente-wmo"), payer_index(m, "gemeente-participatiewet"),
                          payer_index(m, "gemeente-schuldhulp"), -1};
    const int youth[] = {payer_index(m, "gemeente-jeugdwet"), -1};
    double *rel = malloc(D * sizeof *rel);
    assert_non_null(rel);

    relative_difference(cost, D, A, T, P, arm, ref, adults, rel);
    interval a = summarise(rel, D);
    relative_difference(cost, D, A, T, P, arm, ref, youth, rel);
    interval y = summarise(rel, D);
    print_message("utrecht vs classic, years 6-10: adults %+.1f%% [%+.1f, %+.1f], "
                  "youth %+.1f%% [%+.1f, %+.1f]\n", 100 * a.mean, 100 * a.lo, 100 * a.hi,
                  100 * y.mean, 100 * y.lo, 100 * y.hi);

    /* Utrecht's -32% for youth is not reproduced since issue 12 made
     * referral substitution act only on the households in the teams' care
     * and take team time (docs/scenarios.md, "Calibration of
     * utrecht-like"). No band fitted to the model's output: two checks
     * against something outside it. The direction: a youth saving on
     * average (since the start-up ramp scales the teams' places and the
     * help they give, mech12cfix, the 90% interval reaches above 0: -12.9%
     * [-29.0, +6.0], so a saving in 95% of the draws is no longer what the
     * model says; -13.2% [-29.4, +3.7] since rate12 brought evictions and
     * restructurings to the national rates). The documented gap: Utrecht's figure lies outside the
     * model's 90% interval; if a change makes it reachable this fails,
     * and the docs and the arm's calibrated_to must be revisited. */
    assert_true(y.mean < 0.0);
    assert_true(y.lo > -0.32);
    /* Utrecht's -10% for adults is not reproduced since issue 12 took the
     * teams' faster route into work away (Finland, Norway: no faster into
     * a job) and booked take-up of entitlements as a cost: no plausible
     * value of the arm's assumptions reaches it (docs/scenarios.md,
     * "Calibration of utrecht-like"). What the mechanisms still say for
     * adults: a saving,
     * smaller than Utrecht reported (-1.5% before rate12 brought evictions
     * and restructurings to the national rates, -0.6% since: less
     * prevention to save on shelter and restructuring). */
    assert_true(a.mean < 0.0 && a.mean > -0.10);

    free(rel);
    free(cost);
    remove(path);
    mkba_model_free(m);
}

/* ------------------------------------------------------------- Rotterdam */

/* Severity-years of arm `arm`: the severity of every domain's state summed
 * over domains and the time points 1..T, per starting household. */
static double severity_years(const sim *s, const mkba_draw_result *r, size_t arm)
{
    double x = 0.0;
    for (size_t j = 1; j < r->npoints; j++)
        for (size_t g = 0; g < r->nstates_total; g++)
            x += s->t->severity[g] * r->occupancy[(arm * r->npoints + j) * r->nstates_total + g];
    return x;
}

/* A case type: the starting state of each domain, by domain name (the
 * domains not named start in their first state). */
typedef struct case_type {
    const char *name;
    const char *domain[6];
    int state[6];
} case_type;

/* Relative reduction of severity-years of arm 1 against the classic arm
 * when every household starts as case `c`. */
static double gain(sim *s, const case_type *c, long households)
{
    for (size_t d = 0; d < s->m->ndomains; d++) {
        s->m->domain[d].init_kind = MKBA_INIT_STATE;
        s->m->domain[d].init_state = 0;
        for (size_t i = 0; i < 6 && c->domain[i] != NULL; i++)
            if (strcmp(s->m->domain[d].name, c->domain[i]) == 0)
                s->m->domain[d].init_state = c->state[i];
    }
    mkba_error err = {0};
    assert_int_equal(mkba_tables_resolve(s->t, s->m, s->values, 0, &err), MKBA_OK);
    mkba_svc_work *w = mkba_svc_work_alloc(s->m, s->l, households, 2);
    mkba_counts *cn = mkba_counts_alloc(s->l);
    mkba_draw_result *r = mkba_draw_result_alloc(s->m);
    assert_true(w && cn && r);
    mkba_svc_run(s->m, s->t, s->values, NULL, s->m->seed, 0, NULL, w, cn);
    mkba_tally(s->m, s->l, cn, s->values, NULL, r);
    size_t ref = (size_t)s->m->reference;
    double g = 1.0 - severity_years(s, r, 1 - ref) / severity_years(s, r, ref);
    mkba_draw_result_free(r);
    mkba_counts_free(cn);
    mkba_svc_work_free(w);
    return g;
}

/* Rotterdam's results were mainly in finances, income, housing and the
 * structure of the household [S1]. Cases: light, arrears and a low income
 * (debt and work_income light); medium, the same two problems at medium
 * (problematic debts, bijstand); heavy, a multi-problem household with
 * three problems in second-line care (a child placed, bijstand far from
 * work, specialist mental health care) and two at medium (problematic
 * debts, an eviction procedure). States: 0 none, 1 light, 2 medium, 3 top. */
static const case_type light_case = {"light", {"debt", "work_income", NULL}, {1, 1}};
static const case_type medium_case = {"medium", {"debt", "work_income", NULL}, {2, 2}};
static const case_type heavy_case = {"heavy",
    {"youth", "debt", "work_income", "housing", "mental_health", NULL}, {3, 2, 3, 2, 3}};

static void test_rotterdam_heavy_gain_more(void **state)
{
    (void)state;
    sim s;
    sim_open_draw(&s, MODEL_A, 0, -1);
    assert_int_equal(s.m->narms, 2);
    const mkba_services *sv = &s.m->services;
    /* The light, medium and heavy levels of the shipped wijkteam's
     * improvement hazard ratio are what should produce the finding. */
    for (size_t i = 0; i < sv->nteams; i++)
        if (strcmp(sv->team[i].name, "wijkteam") == 0)
            assert_int_equal(sv->team[i].nimprove, 3);
    /* A population of one case type is no population a municipality has:
     * staffed for the shipped mix, its teams would be swamped by heavy
     * cases and idle with light ones, and queues, not care, would decide.
     * Ample staff in both arms, so that the comparison is of what the
     * care does for each kind of case. */
    for (size_t i = 0; i < sv->nteams; i++)
        for (size_t a = 0; a < s.m->narms; a++)
            s.values[a * s.np + (size_t)sv->team[i].fte] *= 100.0;
    long households = sanitized() ? 3000 : 8000;
    double light = gain(&s, &light_case, households);
    double medium = gain(&s, &medium_case, households);
    double heavy = gain(&s, &heavy_case, households);
    print_message("model A vs classic, relative reduction of severity-years over 10 years: "
                  "light %.2f%%, medium %.2f%%, heavy %.2f%%\n",
                  100 * light, 100 * medium, 100 * heavy);
    assert_true(light > 0.0 && medium > 0.0 && heavy > 0.0);
    /* Heavy cases gain more than medium ones, as in Rotterdam. That light
     * cases do too is no longer reproduced: it came from the teams' faster
     * route into work at the light level, which issue 12 removed (no team
     * gain in work_income); light and medium now gain alike (3.1% both at
     * 8,000 households). A gap, stated in docs/scenarios.md. */
    assert_true(heavy > medium + 0.002);
    sim_close(&s);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utrecht_compared),
        cmocka_unit_test(test_rotterdam_heavy_gain_more),
    };
    return cmocka_run_group_tests_name("calibration", tests, NULL, NULL);
}
