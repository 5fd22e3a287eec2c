/* Monte Carlo standard errors by batch means: the estimator against a hand
 * computation, the batches against the draw's totals (they must average to
 * them), and the MCSE of base-case means against the spread of the same
 * means over 150 seeds, for the streaming engine (scenarios/default.cfg)
 * and the lockstep engine of services (tests/data/services.cfg).
 *
 * 150 seeds rather than 20: the spread over n seeds is itself uncertain,
 * by 1/sqrt(2(n-1)) for normal means (16% for 20 seeds) and more for these
 * skewed costs (blocks of 100 seeds gave spreads from 3259 to 4198 for the
 * same quantity), so with 20 seeds a factor 0.7-1.4 fails one of a dozen
 * quantities by chance. Over 400 seeds the spread of an arm's total cost
 * was 3668 (consecutive seeds) and 3648 (scattered seeds) against an MCSE
 * of about 3600. */
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
#include "support.h"
#include "analysis/mcse.h"

#define NSEEDS 150
#define B MKBA_RESULT_BATCHES

static double *read_all(const char *path, const char *name, size_t *count)
{
    double *v = support_read_doubles(path, name, count);
    if (v == NULL)
        fail_msg("cannot read %s from %s", name, path);
    return v;
}

static void test_estimator(void **state)
{
    (void)state;
    /* Equal batches: the MCSE is the sample sd of the batch means over
     * sqrt(B): values 1, 2, 3, 4 have sd sqrt(5/3), so sqrt(5/3) / 2. */
    const double f[] = { 1, 2, 3, 4 }, n[] = { 10, 10, 10, 10 };
    assert_float_equal(mkba_mcse_batches(f, n, 4), sqrt(5.0 / 3.0) / 2.0, 1e-15);
    /* Unequal batches: sqrt(B/(B-1) sum w^2 (f - m)^2) by hand. */
    const double g[] = { 2, 5 }, m[] = { 1, 3 };
    double mean = 0.25 * 2 + 0.75 * 5;
    double want = sqrt(2.0 * (0.0625 * (2 - mean) * (2 - mean) + 0.5625 * (5 - mean) * (5 - mean)));
    assert_float_equal(mkba_mcse_batches(g, m, 2), want, 1e-15);
    assert_true(isnan(mkba_mcse_batches(f, n, 1)));
    /* Noise share: draws 1, 3 (variance 2) with MCSE 1 each: 1 / 2. */
    const double v[] = { 1, 3 }, e[] = { 1, 1 };
    assert_float_equal(mkba_mcse_noise_share(v, e, 2), 0.5, 1e-15);
    assert_true(isnan(mkba_mcse_noise_share(v, e, 1)));
}

static void run(const char *scenario, const char *out, uint64_t seed, long households,
                int cohort)
{
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, scenario, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_run_options o;
    support_base_case_options(&o, out, households, seed);
    o.analyse = 0;
    o.mode = cohort ? MKBA_MODE_COHORT : MKBA_MODE_MICRO;
    if (mkba_run(NULL, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_model_free(m);
}

/* The households-weighted mean of the batches is the draw's total. */
static void assert_batches_average(const char *path, const char *total, const char *batch)
{
    size_t nt, nb;
    double *t = read_all(path, total, &nt);
    double *x = read_all(path, batch, &nb);
    double *n = read_all(path, "/draws/batches/households", NULL);
    assert_int_equal(nb, B * nt);
    double H = 0;
    for (size_t b = 0; b < B; b++)
        H += n[b];
    for (size_t i = 0; i < nt; i++) {
        double s = 0;
        for (size_t b = 0; b < B; b++)
            s += n[b] / H * x[b * nt + i];
        if (fabs(s - t[i]) > 1e-12 * fmax(1.0, fabs(t[i])))
            fail_msg("%s[%zu]: batches average to %.17g, the total is %.17g", total, i, s, t[i]);
    }
    free(t);
    free(x);
    free(n);
}

/* Over NSEEDS base-case runs: the root mean square of the MCSE of each
 * arm's total cost, its increment over the first arm and each effect,
 * against the standard deviation of the same means over the seeds; the
 * ratio must lie in [0.7, 1.4]. */
static void check_against_seeds(const char *scenario, long households)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba-mcse-%d.h5", (int)getpid());
    double *value = NULL, *err2 = NULL;
    size_t nq = 0;
    for (int s = 0; s < NSEEDS; s++) {
        run(scenario, path, 1000 + (uint64_t)s, households, 0);
        size_t ncost, neff;
        double *cost = read_all(path, "/draws/cost_total_discounted", &ncost);
        double *eff = read_all(path, "/draws/effect_total_discounted", &neff);
        double *bc = read_all(path, "/draws/batches/cost_total_discounted", NULL);
        double *n = read_all(path, "/draws/batches/households", NULL);
        double *me = read_all(path, "/draws/mcse/effect_total_discounted", NULL);
        size_t A = 2, P = ncost / A;
        if (s == 0) {
            assert_batches_average(path, "/draws/cost_total_discounted",
                                   "/draws/batches/cost_total_discounted");
            assert_batches_average(path, "/draws/effect_total_discounted",
                                   "/draws/batches/effect_total_discounted");
            nq = 3 + neff;
            value = calloc(NSEEDS * nq, sizeof *value);
            err2 = calloc(NSEEDS * nq, sizeof *err2);
        }
        double *v = value + (size_t)s * nq, *e = err2 + (size_t)s * nq;
        /* Per batch: arm totals over payers and the increment of arm 1. */
        double f[3][B];
        for (size_t b = 0; b < B; b++) {
            f[0][b] = f[1][b] = 0;
            for (size_t p = 0; p < P; p++) {
                f[0][b] += bc[(b * A + 0) * P + p];
                f[1][b] += bc[(b * A + 1) * P + p];
            }
            f[2][b] = f[1][b] - f[0][b];
        }
        for (size_t a = 0; a < A; a++) {
            v[a] = 0;
            for (size_t p = 0; p < P; p++)
                v[a] += cost[a * P + p];
            e[a] = mkba_mcse_batches(f[a], n, B);
        }
        v[2] = v[1] - v[0];
        e[2] = mkba_mcse_batches(f[2], n, B);
        for (size_t i = 0; i < neff; i++) {
            v[3 + i] = eff[i];
            e[3 + i] = me[i];
        }
        free(cost);
        free(eff);
        free(bc);
        free(n);
        free(me);
    }
    for (size_t q = 0; q < nq; q++) {
        double mean = 0, ss = 0, ms = 0;
        for (int s = 0; s < NSEEDS; s++)
            mean += value[s * nq + q] / NSEEDS;
        for (int s = 0; s < NSEEDS; s++) {
            ss += (value[s * nq + q] - mean) * (value[s * nq + q] - mean);
            ms += err2[s * nq + q] * err2[s * nq + q];
        }
        double sd = sqrt(ss / (NSEEDS - 1)), rms = sqrt(ms / NSEEDS);
        if (sd == 0 && rms == 0)
            continue;
        double ratio = rms / sd;
        print_message("%s quantity %zu: MCSE %.4g, spread over seeds %.4g, ratio %.2f\n",
                      scenario, q, rms, sd, ratio);
        if (!(ratio >= 0.7 && ratio <= 1.4))
            fail_msg("%s quantity %zu: MCSE %g against a spread of %g over %d seeds",
                     scenario, q, rms, sd, NSEEDS);
    }
    free(value);
    free(err2);
    unlink(path);
}

static void test_streaming_against_seeds(void **state)
{
    (void)state;
    check_against_seeds("scenarios/default.cfg", 1000);
}

static void test_services_against_seeds(void **state)
{
    (void)state;
    check_against_seeds("tests/data/services.cfg", 1000);
}

/* The cohort trace has no household noise: MCSE 0, no batches. */
static void test_cohort_has_no_noise(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba-mcse-cohort-%d.h5", (int)getpid());
    run("tests/data/full.cfg", path, 1, 0, 1);
    size_t n;
    double *mc = read_all(path, "/draws/mcse/cost_total_discounted", &n);
    double *h = read_all(path, "/draws/batches/households", NULL);
    for (size_t i = 0; i < n; i++)
        assert_true(mc[i] == 0.0);
    for (size_t b = 0; b < B; b++)
        assert_true(h[b] == 0.0);
    free(mc);
    free(h);
    unlink(path);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_estimator),
        cmocka_unit_test(test_streaming_against_seeds),
        cmocka_unit_test(test_services_against_seeds),
        cmocka_unit_test(test_cohort_has_no_noise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
