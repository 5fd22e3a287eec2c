/* EVPPI by nonparametric regression (analysis/evppi.h) against closed
 * forms, invariants and mgcv on the same sample.
 *
 * Samples are stratified: a parameter X ~ N(0, s^2) takes the values
 * s Phi^-1((j + 1/2) / n), j < n, in an order shuffled by a seeded
 * mt19937, each parameter with its own shuffle. The sample means of X and
 * of max(0, X) then miss their expectations by at most 3.3e-4 for n >= 4000
 * (computed once, for the quantile grids used here), so the Monte Carlo
 * error left is the regression's, which we bound:
 *
 * When y = g(X) + e with e independent of X, the fitted values are
 * A y with A the hat matrix of a penalised spline (symmetric, eigenvalues
 * in [0, 1]). If the basis reproduces g (a line is in every spline's null
 * space), ghat - g = A e, and since max(0, .) is 1-Lipschitz the estimate
 * moves from mean_j max(0, g_j) by (1/n) w'A e to first order, w_j =
 * 1{g_j > 0}, whose sd is at most sd(e) sqrt(P(g > 0) / n) (as ||A|| <= 1).
 * The tolerance is 3 such sds plus 2e-3 for the grid, the second-order
 * term at the kink (about phi(0) sd(e)^2 edf / n < 1e-3 here) and the
 * spline's bias. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "analysis/evppi.h"

#define N 10000
#define NPAR 6
#define SLACK 2e-3
#define PI 3.14159265358979323846

/* x[j][q] for q < NPAR: independent stratified N(0, sd[q]^2) samples. */
static double *stratified(size_t n, const double *sd, size_t npar, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    double *col = malloc(n * sizeof *col), *x = malloc(n * npar * sizeof *x);
    assert_non_null(col);
    assert_non_null(x);
    for (size_t q = 0; q < npar; q++) {
        for (size_t j = 0; j < n; j++)
            col[j] = sd[q] * gsl_cdf_ugaussian_Pinv(((double)j + 0.5) / (double)n);
        gsl_ran_shuffle(r, col, n, sizeof *col);
        for (size_t j = 0; j < n; j++)
            x[j * npar + q] = col[j];
    }
    free(col);
    gsl_rng_free(r);
    return x;
}

/* The columns idx[0..p) of x[n][NPAR] as a [n][p] array. */
static double *group(const double *x, size_t n, const size_t *idx, size_t p)
{
    double *g = malloc(n * p * sizeof *g);
    assert_non_null(g);
    for (size_t j = 0; j < n; j++)
        for (size_t q = 0; q < p; q++)
            g[j * p + q] = x[j * NPAR + idx[q]];
    return g;
}

/* EVPI straight from nb[n][d]. */
static double evpi_of(const double *nb, size_t n, size_t d)
{
    double smax = 0.0, best = -INFINITY;
    for (size_t j = 0; j < n; j++) {
        double v = -INFINITY;
        for (size_t i = 0; i < d; i++)
            v = fmax(v, nb[j * d + i]);
        smax += v;
    }
    for (size_t i = 0; i < d; i++) {
        double s = 0.0;
        for (size_t j = 0; j < n; j++)
            s += nb[j * d + i];
        best = fmax(best, s / (double)n);
    }
    return smax / (double)n - best;
}

/* Runs the EVPPI of columns idx[0..p) and checks what holds always: the
 * bounds, the EVPI, the edf within the basis. */
static mkba_evppi_result *run(const double *nb, size_t n, size_t d, const double *x,
                              const size_t *idx, size_t p, const mkba_evppi_options *o)
{
    double *g = group(x, n, idx, p);
    mkba_evppi_result *r = NULL;
    mkba_error err = { 0 };
    if (mkba_evppi_alloc(nb, n, d, g, p, o, &r, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    free(g);
    assert_float_equal(r->evpi, evpi_of(nb, n, d), 1e-12 * fmax(1.0, r->evpi));
    assert_true(r->evppi >= 0.0 && r->evppi <= r->evpi);
    assert_true(r->estimate >= -1e-12);
    assert_int_equal(r->clamped, r->estimate > r->evpi);
    assert_int_equal(r->nfits, d - 1);
    for (size_t i = 0; i < r->nfits; i++)
        assert_true(r->edf[i] >= 1.0 - 1e-6 && r->edf[i] <= (double)r->nbasis + 1e-6);
    return r;
}

static double evppi_of(const double *nb, size_t n, size_t d, const double *x,
                       const size_t *idx, size_t p, const char *method)
{
    mkba_evppi_result *r = run(nb, n, d, x, idx, p, NULL);
    if (method != NULL && strstr(r->method, method) == NULL)
        fail_msg("method \"%s\", expected \"%s\"", r->method, method);
    double v = r->evppi;
    mkba_evppi_result_free(r);
    return v;
}

/* Two options, INB = X1 + X2 with X1 ~ N(0, 1), X2 ~ N(0, 2^2); X3..X6
 * do not enter the model. Option 0 has a constant net benefit. */
typedef struct linear_case {
    double *x, *nb;
} linear_case;

static const double linear_sd[NPAR] = { 1.0, 2.0, 1.0, 1.7, 0.6, 3.1 };

static int linear_setup(void **state)
{
    linear_case *c = malloc(sizeof *c);
    c->x = stratified(N, linear_sd, NPAR, 20240611);
    c->nb = malloc(2 * N * sizeof *c->nb);
    for (size_t j = 0; j < N; j++) {
        c->nb[2 * j] = 2.385;
        c->nb[2 * j + 1] = 2.385 + c->x[j * NPAR] + c->x[j * NPAR + 1];
    }
    *state = c;
    return 0;
}

static int linear_teardown(void **state)
{
    linear_case *c = *state;
    free(c->x);
    free(c->nb);
    free(c);
    return 0;
}

/* EVPPI(X_i) = E max(0, X_i) = s_i / sqrt(2 pi), the other parameter being
 * the noise: tolerance 3 s_other sqrt(0.5 / n) + SLACK (0.044 for X1,
 * 0.023 for X2). */
static void test_linear_single(void **state)
{
    linear_case *c = *state;
    for (size_t i = 0; i < 2; i++) {
        size_t idx[] = { i };
        double want = linear_sd[i] / sqrt(2.0 * PI);
        double tol = 3.0 * linear_sd[1 - i] * sqrt(0.5 / N) + SLACK;
        double got = evppi_of(c->nb, N, 2, c->x, idx, 1, "penalised cubic regression spline");
        if (fabs(got - want) > tol)
            fail_msg("EVPPI(X%zu) = %.5f, want %.5f +- %.5f", i + 1, got, want, tol);
    }
}

/* X3 does not enter: the fit is A e with e the whole INB (sd sqrt(5)), and
 * E mean max(0, A e) <= sqrt(E mean (A e)^2) <= sd(e) sqrt(edf / n); the
 * bound is 3 times that. */
static void test_unrelated_is_zero(void **state)
{
    linear_case *c = *state;
    size_t idx[] = { 2 };
    mkba_evppi_result *r = run(c->nb, N, 2, c->x, idx, 1, NULL);
    double bound = 3.0 * sqrt(5.0) * sqrt(r->edf[0] / N);
    if (r->evppi > bound)
        fail_msg("EVPPI(X3) = %.5f above %.5f (edf %.2f)", r->evppi, bound, r->edf[0]);
    mkba_evppi_result_free(r);
}

/* {X1, X2} determines the INB, which is in the null space of the tensor
 * product's penalties (x1 + x2 is linear in each): the fit is exact up to
 * the basis' 1e-9 ridge, so EVPPI = the sample's EVPI to 1e-4 relative. The
 * same holds for larger groups containing both. */
static void test_linear_groups(void **state)
{
    linear_case *c = *state;
    const double evpi = evpi_of(c->nb, N, 2);
    /* Closed form: E max(0, X1 + X2) = sqrt(5 / (2 pi)); the grid and the
     * shuffles leave the sample's EVPI within 3 sqrt(5 (1/2 - 1/(2 pi)) / n). */
    assert_float_equal(evpi, sqrt(5.0 / (2.0 * PI)), 3.0 * sqrt(5.0 * (0.5 - 0.5 / PI) / N));
    size_t both[] = { 0, 1 }, three[] = { 0, 1, 2 }, four[] = { 0, 1, 2, 3 };
    size_t six[] = { 0, 1, 2, 3, 4, 5 };
    double e2 = evppi_of(c->nb, N, 2, c->x, both, 2, "tensor-product");
    double e3 = evppi_of(c->nb, N, 2, c->x, three, 3, "tensor-product");
    double e4 = evppi_of(c->nb, N, 2, c->x, four, 4, "tensor-product");
    double e6 = evppi_of(c->nb, N, 2, c->x, six, 6, "additive");
    assert_float_equal(e2, evpi, 1e-4 * evpi);
    assert_float_equal(e3, evpi, 1e-4 * evpi);
    assert_float_equal(e4, evpi, 1e-4 * evpi);
    assert_float_equal(e6, evpi, 1e-4 * evpi);
}

/* Adding a parameter never lowers the EVPPI: {X1} <= {X1, X3} (raised to
 * the members' own EVPPI when the coarser tensor margins find less) <=
 * {X1, X2, X3}; {X2} <= {X2, X4} <= {X2, X4, X5} <= {X2, X4, X5, X6}, the
 * last two with the caller's floor. */
static void test_monotone(void **state)
{
    linear_case *c = *state;
    size_t a[] = { 0 }, b[] = { 0, 2 }, cc[] = { 0, 1, 2 };
    double e1 = evppi_of(c->nb, N, 2, c->x, a, 1, NULL);
    double e13 = evppi_of(c->nb, N, 2, c->x, b, 2, NULL);
    double e123 = evppi_of(c->nb, N, 2, c->x, cc, 3, NULL);
    assert_true(e1 <= e13);
    assert_true(e13 <= e123);
    /* The unrelated X3 adds about nothing: within the bound of
     * test_unrelated_is_zero with the tensor basis' 36 functions. */
    assert_true(e13 - e1 <= 3.0 * sqrt(4.0) * sqrt(36.0 / N));

    size_t g1[] = { 1 }, g2[] = { 1, 3 }, g3[] = { 1, 3, 4 }, g4[] = { 1, 3, 4, 5 };
    double v = evppi_of(c->nb, N, 2, c->x, g1, 1, NULL);
    mkba_evppi_options o = { 0 };
    const size_t *gs[] = { g2, g3, g4 };
    for (size_t p = 2; p <= 4; p++) {
        o.floor = v;
        mkba_evppi_result *r = run(c->nb, N, 2, c->x, gs[p - 2], p, &o);
        assert_true(r->evppi >= v);
        assert_true(r->evppi >= r->estimate || r->clamped);
        /* and the estimate itself stays near EVPPI(X2) = 2 / sqrt(2 pi) */
        assert_float_equal(r->estimate, 2.0 / sqrt(2.0 * PI), 0.05);
        v = r->evppi;
        mkba_evppi_result_free(r);
    }
}

/* INB = X^2 - 1 + Z, X and Z ~ N(0, 1): E[INB | X] = X^2 - 1, so
 * EVPPI(X) = E max(0, X^2 - 1) - max(0, 0) = 2 int_1^inf (x^2 - 1) phi(x) dx
 *          = 2 phi(1)  (as int_1^inf x^2 phi = phi(1) + 1 - Phi(1)).
 * The spline must bend; a line would give about 0. Tolerance
 * 3 sqrt(P(X^2 > 1) / n) + SLACK = 0.019. EVPPI(Z) = E max(0, Z) - 0 =
 * 1 / sqrt(2 pi) with the same reasoning (noise sd sqrt(2), P = 1/2). */
static void test_nonlinear(void **state)
{
    (void)state;
    const double sd[NPAR] = { 1, 1, 1, 1, 1, 1 };
    double *x = stratified(N, sd, NPAR, 7331);
    double *nb = malloc(2 * N * sizeof *nb);
    for (size_t j = 0; j < N; j++) {
        double xj = x[j * NPAR], zj = x[j * NPAR + 1];
        nb[2 * j] = -1.25;
        nb[2 * j + 1] = -1.25 + xj * xj - 1.0 + zj;
    }
    size_t ix[] = { 0 }, iz[] = { 1 };
    double want = 2.0 * gsl_ran_ugaussian_pdf(1.0);
    double tol = 3.0 * sqrt(2.0 * gsl_cdf_ugaussian_Q(1.0) / N) + SLACK;
    double got = evppi_of(nb, N, 2, x, ix, 1, NULL);
    if (fabs(got - want) > tol)
        fail_msg("EVPPI(X) = %.5f, want 2 phi(1) = %.5f +- %.5f", got, want, tol);
    want = 1.0 / sqrt(2.0 * PI);
    tol = 3.0 * sqrt(2.0) * sqrt(0.5 / N) + SLACK;
    got = evppi_of(nb, N, 2, x, iz, 1, NULL);
    if (fabs(got - want) > tol)
        fail_msg("EVPPI(Z) = %.5f, want %.5f +- %.5f", got, want, tol);
    free(x);
    free(nb);
}

/* Three options: nb = (0, X1, X2 - 0.3) with X1, X2 ~ N(0, 1). Knowing X1
 * only, option 2's expected INB stays -0.3 < 0, so EVPPI(X1) = E max(0, X1)
 * = 1/sqrt(2 pi); likewise EVPPI(X2) = E max(0, X2 - 0.3) = phi(0.3) -
 * 0.3 Q(0.3). Each time one fit reproduces its line and the other fits
 * noise of sd 1 (the other parameter): tolerance 3 sqrt(1 / n) + SLACK. */
static void test_three_options(void **state)
{
    (void)state;
    const double sd[NPAR] = { 1, 1, 1, 1, 1, 1 };
    double *x = stratified(N, sd, NPAR, 99173);
    double *nb = malloc(3 * N * sizeof *nb);
    for (size_t j = 0; j < N; j++) {
        nb[3 * j] = 0.0;
        nb[3 * j + 1] = x[j * NPAR];
        nb[3 * j + 2] = x[j * NPAR + 1] - 0.3;
    }
    size_t i1[] = { 0 }, i2[] = { 1 };
    double tol = 3.0 * sqrt(1.0 / N) + SLACK;
    double got = evppi_of(nb, N, 3, x, i1, 1, NULL), want = 1.0 / sqrt(2.0 * PI);
    if (fabs(got - want) > tol)
        fail_msg("EVPPI(X1) = %.5f, want %.5f +- %.5f", got, want, tol);
    got = evppi_of(nb, N, 3, x, i2, 1, NULL);
    want = gsl_ran_ugaussian_pdf(0.3) - 0.3 * gsl_cdf_ugaussian_Q(0.3);
    if (fabs(got - want) > tol)
        fail_msg("EVPPI(X2) = %.5f, want %.5f +- %.5f", got, want, tol);
    free(x);
    free(nb);
}

/* A parameter constant over the draws: EVPPI 0 alone, and no change to a
 * group it joins. */
static void test_constant_parameter(void **state)
{
    linear_case *c = *state;
    double *x = malloc(N * 2 * sizeof *x);
    for (size_t j = 0; j < N; j++) {
        x[2 * j] = 4.2;
        x[2 * j + 1] = c->x[j * NPAR];
    }
    double *k = malloc(N * sizeof *k);
    for (size_t j = 0; j < N; j++)
        k[j] = 4.2;
    mkba_evppi_result *r = NULL;
    mkba_error err = { 0 };
    assert_int_equal(mkba_evppi_alloc(c->nb, N, 2, k, 1, NULL, &r, &err), MKBA_OK);
    free(k);
    assert_true(r->evppi == 0.0);
    assert_int_equal(r->nparams, 0);
    mkba_evppi_result_free(r);
    assert_int_equal(mkba_evppi_alloc(c->nb, N, 2, x, 2, NULL, &r, &err), MKBA_OK);
    assert_int_equal(r->nparams, 1);
    size_t a[] = { 0 };
    assert_true(r->evppi == evppi_of(c->nb, N, 2, c->x, a, 1, NULL));
    mkba_evppi_result_free(r);
    free(x);
}

static void expect_error(const double *nb, size_t n, size_t d, const double *x, size_t p,
                         const char *a, const char *b)
{
    mkba_evppi_result *r = (mkba_evppi_result *)&r;
    mkba_error err = { 0 };
    assert_int_equal(mkba_evppi_alloc(nb, n, d, x, p, NULL, &r, &err), MKBA_EINVAL);
    assert_null(r);
    if (strstr(err.message, a) == NULL || (b != NULL && strstr(err.message, b) == NULL))
        fail_msg("message \"%s\" lacks \"%s\"%s%s", err.message, a, b ? " or " : "", b ? b : "");
}

static void test_bad_input(void **state)
{
    linear_case *c = *state;
    size_t two[] = { 0, 1 };
    double *x = group(c->x, N, two, 2);
    /* Too few draws: the minimum is named, and is enforced exactly. */
    char need[32];
    snprintf(need, sizeof need, "at least %zu PSA draws", mkba_evppi_min_draws(1));
    expect_error(c->nb, 60, 2, c->x, 1, need, "the sample has 60");
    expect_error(c->nb, 40, 2, c->x, 1, "at least 90", NULL);
    expect_error(c->nb, 179, 2, x, 2, "at least 180", "has 179");
    assert_int_equal(mkba_evppi_min_draws(4), 1280);
    assert_int_equal(mkba_evppi_min_draws(6), 290);
    mkba_evppi_result *r = NULL;
    assert_int_equal(mkba_evppi_alloc(c->nb, 180, 2, x, 2, NULL, &r, NULL), MKBA_OK);
    mkba_evppi_result_free(r);
    expect_error(c->nb, N, 1, x, 2, "at least 2 decision options", "have 1");
    expect_error(c->nb, N, 2, x, 0, "at least 1 parameter", NULL);
    expect_error(NULL, N, 2, x, 2, "must not be NULL", NULL);
    double *nb = malloc(2 * N * sizeof *nb);
    memcpy(nb, c->nb, 2 * N * sizeof *nb);
    nb[2 * 123 + 1] = NAN;
    expect_error(nb, N, 2, x, 2, "option 1 in draw 123", "finite");
    nb[2 * 123 + 1] = 0.0;
    x[2 * 4567 + 1] = INFINITY;
    expect_error(nb, N, 2, x, 2, "parameter 1 of the group in draw 4567", "finite");
    free(nb);
    free(x);
}

/* mgcv on the same sample (tests/peer/mgcv_evppi.R): INB = X1^2 - 1 +
 * 0.8 X1 X2 + Z, n = 4000 pseudo-random normal draws, EVPPI of {X1} by
 * s(x1, bs = "cr", k = 18) and of {X1, X2} by te(x1, x2, bs = "cr", k = 6),
 * smoothing by GCV. The bases span nearly the same functions but are not
 * the same (mgcv's cr is a natural spline parametrised by its values at
 * the knots, te() reparametrises its margins, and its smoothing parameters
 * land elsewhere on a flat GCV), so the fits differ slightly; the EVPPI
 * moves by at most the mean absolute difference of the fits. Agreement
 * within 1% of the EVPI is asked (0.25% was seen). The standard errors
 * (ours from 500 posterior draws, mgcv's from 1000) each carry a sampling
 * error of about 1/sqrt(2B) (3.2% and 2.2%), so their ratio must lie in
 * [0.8, 1.25] (3 sds and the bases' difference). */
static void test_peer_mgcv(void **state)
{
    (void)state;
    const char *rscript = "/usr/bin/Rscript", *script = "tests/peer/mgcv_evppi.R";
    if (access(rscript, X_OK) != 0 || access(script, R_OK) != 0) {
        print_message("skipped: %s or %s (run from the top folder) is missing\n", rscript, script);
        skip();
    }
    const size_t n = 4000;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    double *x = malloc(2 * n * sizeof *x), *nb = malloc(2 * n * sizeof *nb);
    double *x1 = malloc(n * sizeof *x1);
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba-evppi-peer-%d.csv", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "inb,x1,x2\n");
    for (size_t j = 0; j < n; j++) {
        double a = gsl_ran_gaussian(rng, 1.0), b = gsl_ran_gaussian(rng, 1.0);
        double z = gsl_ran_gaussian(rng, 1.0);
        x[2 * j] = x1[j] = a;
        x[2 * j + 1] = b;
        nb[2 * j] = 0.0;
        nb[2 * j + 1] = a * a - 1.0 + 0.8 * a * b + z;
        fprintf(f, "%.17g,%.17g,%.17g\n", nb[2 * j + 1], a, b);
    }
    assert_int_equal(fclose(f), 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s %s %s", rscript, script, path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    double peer[4];
    int got = fscanf(p, "%lf %lf %lf %lf", &peer[0], &peer[1], &peer[2], &peer[3]);
    int status = pclose(p);
    unlink(path);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
        free(x);
        free(x1);
        free(nb);
        gsl_rng_free(rng);
        print_message("skipped: R has no mgcv or MASS\n");
        skip();
    }
    if (got != 4 || status != 0)
        fail_msg("%s failed (status %d, %d values read)", cmd, status, got);
    mkba_evppi_options o = { .rng = rng, .se_draws = 500 };
    for (size_t g = 0; g < 2; g++) {
        mkba_evppi_result *r = NULL;
        mkba_error err = { 0 };
        if (mkba_evppi_alloc(nb, n, 2, g == 0 ? x1 : x, g + 1, &o, &r, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        if (fabs(r->evppi - peer[g]) > 0.01 * r->evpi)
            fail_msg("EVPPI of %zu parameter(s): ours %.5f, mgcv %.5f, EVPI %.5f", g + 1,
                     r->evppi, peer[g], r->evpi);
        double ratio = r->se / peer[2 + g];
        if (!(ratio >= 0.8 && ratio <= 1.25))
            fail_msg("SE of %zu parameter(s): ours %.5f, mgcv %.5f", g + 1, r->se, peer[2 + g]);
        mkba_evppi_result_free(r);
    }
    free(x1);
    free(x);
    free(nb);
    gsl_rng_free(rng);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_linear_single, linear_setup, linear_teardown),
        cmocka_unit_test_setup_teardown(test_unrelated_is_zero, linear_setup, linear_teardown),
        cmocka_unit_test_setup_teardown(test_linear_groups, linear_setup, linear_teardown),
        cmocka_unit_test_setup_teardown(test_monotone, linear_setup, linear_teardown),
        cmocka_unit_test(test_nonlinear),
        cmocka_unit_test(test_three_options),
        cmocka_unit_test_setup_teardown(test_constant_parameter, linear_setup, linear_teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, linear_setup, linear_teardown),
        cmocka_unit_test(test_peer_mgcv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
