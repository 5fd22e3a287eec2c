/* The model's Monte Carlo noise in the likelihood of normal figures
 * (review rel16-expost11, finding 1): the engine's year-to-date batch
 * errors of each payer's cost (/draws/mcse/cost_year_to_date) against a
 * closed form, and the spending likelihood of mkba expost, whose variance
 * must be se^2 plus that noise.
 *
 * The fixture: one domain with a need of probability p = 0.3 at the start
 * and nothing that moves, the need costing c = 1000 a year. A household's
 * cost in a year is then c 1{need}: variance c^2 p (1 - p) = 210,000 per
 * household, so the mean over H = 2000 households has variance 105. With
 * monthly cycles the year to date after m months is m c / 12 1{need}, its
 * variance (m / 12)^2 105, and it starts again in each year. Without a
 * half-cycle correction and counting each cycle at its start, so that
 * every cycle weighs the same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "mkba/expost.h"
#include "support.h"

#define DRAWS 40
#define HOUSEHOLDS 2000
#define CLOSED_FORM (1000.0 * 1000.0 * 0.3 * 0.7 / HOUSEHOLDS)

static char dir[] = "/tmp/mkba-expost-noise-XXXXXX";

static const char *path(const char *name)
{
    static char buf[4][256];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static void write_text(const char *file, const char *text)
{
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* The fixture with cycles of `cycle` ("year" or "month"), as a file. */
static const char *scenario(const char *cycle)
{
    char text[2048];
    snprintf(text, sizeof text,
             "mkba_format = 1;\n"
             "name = \"noise\";\n"
             "price_year = 2024;\n"
             "run = { seed = 3; draws = %d; households = %d; };\n"
             "timing = { cycle = \"%s\"; horizon = 2; occupancy = \"start\"; correction = \"none\"; };\n"
             "payers = [\"gemeente\"];\n"
             "effects = ( { name = \"qaly\"; unit = \"QALY\"; } );\n"
             "arms = ( { name = \"usual\"; reference = true; }, { name = \"new\"; } );\n"
             "parameters = { u = { dist = \"beta\"; alpha = 8.0; beta = 2.0; }; };\n"
             "domains = ( { name = \"need\"; states = [\"none\", \"need\"];\n"
             "  initial = { prevalence = [0.7, 0.3]; };\n"
             "  transitions = ( { from = \"none\"; probabilities = { need = 0.0; }; },\n"
             "                  { from = \"need\"; probabilities = { none = 0.0; }; } ); } );\n"
             "costs = ( { domain = \"need\"; state = \"need\"; payer = \"gemeente\";\n"
             "            per_year = 1000.0; } );\n"
             "effect_values = ( { effect = \"qaly\"; per_year = \"u\"; } );\n",
             DRAWS, HOUSEHOLDS, cycle);
    const char *file = path(cycle);
    write_text(file, text);
    return file;
}

static mkba_model *load(const char *file)
{
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_scenario_load(NULL, file, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    return m;
}

static void psa(const mkba_model *m, const char *out)
{
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = out;
    o.force = 1;
    o.draws = DRAWS;
    o.households = HOUSEHOLDS;
    o.seed_set = 1;
    o.seed = 20261205;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_run(NULL, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
}

/* Mean over the draws of the squared error of arm 0's cost in cycle
 * index k (one payer) of a [draw][arm][cycle][payer] array. */
static double mean_square(const double *mcse, size_t narms, size_t ncycles, size_t k)
{
    double s = 0.0;
    for (size_t d = 0; d < DRAWS; d++) {
        double e = mcse[(d * narms) * ncycles + k];
        assert_true(isfinite(e));
        s += e * e;
    }
    return s / DRAWS;
}

/* The batch errors agree with the closed form, a year at a time: each
 * draw's estimate has 19 degrees of freedom (a relative sd of 32% in the
 * variance), the mean of 40 about 5%, so 15% is three of those. */
static void test_engine_year_to_date(void **state)
{
    (void)state;
    for (int monthly = 0; monthly <= 1; monthly++) {
        mkba_model *m = load(scenario(monthly ? "month" : "year"));
        const char *out = path("psa.h5");
        psa(m, out);
        size_t n = 0, T = monthly ? 24 : 2;
        double *mcse = support_read_doubles(out, "/draws/mcse/cost_year_to_date", &n);
        assert_non_null(mcse);
        assert_int_equal(n, DRAWS * 2 * T * 1);
        for (size_t k = 0; k < T; k++) {
            /* Months into the year (the year to date), of 12. */
            double share = monthly ? (double)(k % 12 + 1) / 12.0 : 1.0;
            double want = share * share * CLOSED_FORM, got = mean_square(mcse, 2, T, k);
            if (!(fabs(got / want - 1.0) <= 0.15))
                fail_msg("cycle %zu: mean squared error %g, closed form %g", k + 1, got, want);
        }
        free(mcse);
        mkba_model_free(m);
    }
}

/* The cohort trace has no household noise: errors 0. */
static void test_cohort_has_none(void **state)
{
    (void)state;
    mkba_model *m = load(scenario("year"));
    const char *out = path("cohort.h5");
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = out;
    o.force = 1;
    o.draws = 2;
    o.mode = MKBA_MODE_COHORT;
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_run(NULL, m, &o, &err), MKBA_OK);
    size_t n = 0;
    double *mcse = support_read_doubles(out, "/draws/mcse/cost_year_to_date", &n);
    assert_non_null(mcse);
    for (size_t i = 0; i < n; i++)
        assert_true(mcse[i] == 0.0);
    free(mcse);
    mkba_model_free(m);
}

/* The spending likelihood of every draw is Normal(value; mu_d, se^2 + V)
 * with V the file's mean squared year error (1e-9), and V is the closed
 * form (15%, as above): the model's noise is in the likelihood. */
static void test_likelihood_variance(void **state)
{
    (void)state;
    mkba_model *m = load(scenario("year"));
    const char *psa_file = path("from.h5"), *csv = path("observed.csv");
    const char *out = path("expost.h5");
    psa(m, psa_file);
    const double value = 300.0, se = 5.0;
    write_text(csv, "year,arm,metric,value,se,payer\n2,new,spending,300,5,gemeente\n");
    mkba_expost_options o;
    mkba_expost_options_init(&o);
    o.observed = csv;
    o.output = out;
    o.from = psa_file;
    o.force = 1;
    o.refine = 0;
    o.accept_partial = 1;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_expost_run(NULL, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    size_t n = 0;
    double *noise = support_read_doubles(out, "/expost/likelihood_noise", &n);
    assert_non_null(noise);
    assert_int_equal(n, 1);
    double *mcse = support_read_doubles(out, "/draws/mcse/cost_year_to_date", &n);
    assert_non_null(mcse);
    double v = 0.0;
    for (size_t d = 0; d < DRAWS; d++) {
        double e = mcse[(d * 2 + 1) * 2 + 1];   /* arm new, year 2 */
        v += e * e / DRAWS;
    }
    assert_true(fabs(noise[0] - v) <= 1e-9 * v);
    if (!(fabs(noise[0] / CLOSED_FORM - 1.0) <= 0.15))
        fail_msg("likelihood noise %g, closed form %g", noise[0], CLOSED_FORM);
    double *mu = support_read_doubles(out, "/expost/model_value", &n);
    assert_int_equal(n, DRAWS);
    double *ll = support_read_doubles(out, "/expost/loglik", &n);
    assert_int_equal(n, DRAWS);
    for (size_t d = 0; d < DRAWS; d++) {
        double var = se * se + noise[0], z = value - mu[d];
        double want = -0.5 * z * z / var - 0.5 * log(2.0 * 3.14159265358979323846 * var);
        assert_true(fabs(ll[d] - want) <= 1e-9 * fabs(want));
    }
    free(noise);
    free(mcse);
    free(mu);
    free(ll);
    mkba_model_free(m);
}

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return getenv("KEEP") != NULL || system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_engine_year_to_date),
        cmocka_unit_test(test_cohort_has_none),
        cmocka_unit_test(test_likelihood_variance),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
