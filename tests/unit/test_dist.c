/* Distributions: quantiles against closed forms and published values, means
 * and modes, sampled moments against analytic ones, and every domain check
 * by its message. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include "model/params.h"

/* cmocka's assert_float_equal works in single precision. */
#define assert_close(x, y, tol)                                                   \
    do {                                                                          \
        double x_ = (x), y_ = (y);                                                \
        if (!(fabs(x_ - y_) <= (tol)))                                            \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #x, x_, y_,     \
                     (double)(tol));                                              \
    } while (0)

static mkba_dist mk(mkba_dist_kind k, double a, double b, double c)
{
    mkba_dist d;
    memset(&d, 0, sizeof d);
    d.kind = k;
    d.a = a;
    d.b = b;
    d.c = c;
    return d;
}

static void test_quantiles_known_values(void **state)
{
    (void)state;
    mkba_dist n01 = mk(MKBA_DIST_NORMAL, 0, 1, 0);
    assert_close(mkba_dist_quantile(&n01, 0.975), 1.959963985, 1e-8);
    mkba_dist n = mk(MKBA_DIST_NORMAL, 2.385, 0.5, 0);
    assert_close(mkba_dist_quantile(&n, 0.025), 2.385 - 0.5 * 1.959963985, 1e-8);
    /* Lognormal median exp(mu). */
    mkba_dist ln = mk(MKBA_DIST_LOGNORMAL, 0.1, 0.05, 0);
    assert_close(mkba_dist_quantile(&ln, 0.5), exp(0.1), 1e-12);
    /* Gamma with shape 1 is exponential: Q(u) = -scale log(1 - u). */
    mkba_dist g = mk(MKBA_DIST_GAMMA, 1, 2.5, 0);
    assert_close(mkba_dist_quantile(&g, 0.3), -2.5 * log(0.7), 1e-10);
    /* Beta(2, 1) has CDF x^2; Beta(1, 3) has CDF 1 - (1 - x)^3. */
    mkba_dist b21 = mk(MKBA_DIST_BETA, 2, 1, 0);
    assert_close(mkba_dist_quantile(&b21, 0.3), sqrt(0.3), 1e-10);
    mkba_dist b13 = mk(MKBA_DIST_BETA, 1, 3, 0);
    assert_close(mkba_dist_quantile(&b13, 0.6), 1 - cbrt(0.4), 1e-10);
    mkba_dist u = mk(MKBA_DIST_UNIFORM, 2, 5, 0);
    assert_close(mkba_dist_quantile(&u, 0.3), 2.9, 1e-12);
    mkba_dist f = mk(MKBA_DIST_FIXED, 7.25, 0, 0);
    assert_close(mkba_dist_quantile(&f, 0.9), 7.25, 0);
}

/* Triangular(1, 2, 4): F(x) = (x - 1)^2 / 3 up to the mode (F(2) = 1/3),
 * 1 - (4 - x)^2 / 6 above it. By hand: u = 0.12 -> 1 + sqrt(0.36) = 1.6;
 * u = 0.75 -> 4 - sqrt(1.5); u = 1/3 -> the mode. */
static void test_triangular_by_hand(void **state)
{
    (void)state;
    mkba_dist t = mk(MKBA_DIST_TRIANGULAR, 1, 2, 4);
    assert_close(mkba_dist_quantile(&t, 0.12), 1.6, 1e-12);
    assert_close(mkba_dist_quantile(&t, 0.75), 4 - sqrt(1.5), 1e-12);
    assert_close(mkba_dist_quantile(&t, 1.0 / 3.0), 2.0, 1e-12);
    assert_close(mkba_dist_mean(&t), 7.0 / 3.0, 1e-12);
    assert_close(mkba_dist_mode(&t), 2.0, 0);
}

/* PERT(2, 2, 12) is 2 + 10 Beta(1, 5): Q(u) = 2 + 10 (1 - (1 - u)^(1/5)).
 * PERT(0, 0.5, 1) is Beta(3, 3): median 0.5. */
static void test_pert_quantile(void **state)
{
    (void)state;
    mkba_dist p = mk(MKBA_DIST_PERT, 2, 2, 12);
    assert_close(mkba_dist_quantile(&p, 0.5), 2 + 10 * (1 - pow(0.5, 0.2)), 1e-9);
    assert_close(mkba_dist_quantile(&p, 0.9), 2 + 10 * (1 - pow(0.1, 0.2)), 1e-9);
    mkba_dist s = mk(MKBA_DIST_PERT, 0, 0.5, 1);
    assert_close(mkba_dist_quantile(&s, 0.5), 0.5, 1e-10);
}

static void test_means_and_modes(void **state)
{
    (void)state;
    mkba_dist ln = mk(MKBA_DIST_LOGNORMAL, 0.1, 0.5, 0);
    assert_close(mkba_dist_mean(&ln), exp(0.1 + 0.125), 1e-12);
    assert_close(mkba_dist_mode(&ln), exp(0.1 - 0.25), 1e-12);
    mkba_dist g = mk(MKBA_DIST_GAMMA, 16, 500, 0);
    assert_close(mkba_dist_mean(&g), 8000, 1e-9);
    assert_close(mkba_dist_mode(&g), 7500, 1e-9);
    mkba_dist g_small = mk(MKBA_DIST_GAMMA, 0.5, 3, 0);
    assert_close(mkba_dist_mode(&g_small), 0.0, 0);
    mkba_dist b = mk(MKBA_DIST_BETA, 20, 180, 0);
    assert_close(mkba_dist_mean(&b), 0.1, 1e-12);
    assert_close(mkba_dist_mode(&b), 19.0 / 198.0, 1e-12);
    mkba_dist b_edge = mk(MKBA_DIST_BETA, 1, 3, 0);
    assert_true(isnan(mkba_dist_mode(&b_edge)));
    mkba_dist pert = mk(MKBA_DIST_PERT, 4000, 6000, 10000);
    assert_close(mkba_dist_mean(&pert), (4000 + 4 * 6000 + 10000) / 6.0, 1e-9);
    assert_close(mkba_dist_mode(&pert), 6000, 0);
    mkba_dist n = mk(MKBA_DIST_NORMAL, -0.3, 2, 0);
    assert_close(mkba_dist_mean(&n), -0.3, 0);
    assert_close(mkba_dist_mode(&n), -0.3, 0);
    mkba_dist u = mk(MKBA_DIST_UNIFORM, 0.2, 0.4, 0);
    assert_close(mkba_dist_mean(&u), 0.3, 1e-12);

    double alpha[3] = {80, 15, 5};
    mkba_dist d = mk(MKBA_DIST_DIRICHLET, 0, 0, 0);
    d.alpha = alpha;
    d.group_size = 3;
    d.group_index = 1;
    assert_close(mkba_dist_mean(&d), 0.15, 1e-12);
    assert_close(mkba_dist_mode(&d), 14.0 / 97.0, 1e-12);
    alpha[2] = 0.5;
    assert_true(isnan(mkba_dist_mode(&d)));
}

/* Sample mean and variance of n inverse-CDF draws. The variance's standard
 * error uses the sample fourth central moment. */
static void sample_moments(const mkba_dist *d, int n, double *mean, double *var,
                           double *var_se)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2385);
    double *x = malloc((size_t)n * sizeof *x);
    assert_non_null(x);
    double s = 0;
    for (int i = 0; i < n; i++) {
        x[i] = mkba_dist_quantile(d, gsl_rng_uniform_pos(r));
        s += x[i];
    }
    *mean = s / n;
    double m2 = 0, m4 = 0;
    for (int i = 0; i < n; i++) {
        double e = x[i] - *mean;
        m2 += e * e;
        m4 += e * e * e * e;
    }
    m2 /= n;
    m4 /= n;
    *var = m2 * n / (n - 1);
    *var_se = sqrt((m4 - m2 * m2) / n);
    free(x);
    gsl_rng_free(r);
}

static void check_moments(const mkba_dist *d, double mean, double var)
{
    const int n = 20000;
    double m, v, v_se;
    sample_moments(d, n, &m, &v, &v_se);
    double se = sqrt(var / n);
    if (fabs(m - mean) > 4 * se || fabs(v - var) > 4 * v_se)
        fail_msg("%s: sample mean %g (expected %g, SE %g), variance %g (expected %g, SE %g)",
                 mkba_dist_name(d->kind), m, mean, se, v, var, v_se);
}

static void test_sampled_moments(void **state)
{
    (void)state;
    check_moments(&(mkba_dist){.kind = MKBA_DIST_NORMAL, .a = 1.5, .b = 0.7}, 1.5, 0.49);
    double mu = 0.1, s = 0.4;
    check_moments(&(mkba_dist){.kind = MKBA_DIST_LOGNORMAL, .a = mu, .b = s},
                  exp(mu + s * s / 2), (exp(s * s) - 1) * exp(2 * mu + s * s));
    check_moments(&(mkba_dist){.kind = MKBA_DIST_GAMMA, .a = 3.2, .b = 1.5}, 4.8, 3.2 * 2.25);
    double a = 2.5, b = 7.5;
    check_moments(&(mkba_dist){.kind = MKBA_DIST_BETA, .a = a, .b = b}, a / (a + b),
                  a * b / ((a + b) * (a + b) * (a + b + 1)));
    check_moments(&(mkba_dist){.kind = MKBA_DIST_UNIFORM, .a = -1, .b = 3}, 1, 16.0 / 12);
    /* Triangular variance (a^2 + b^2 + c^2 - ab - ac - bc) / 18. */
    check_moments(&(mkba_dist){.kind = MKBA_DIST_TRIANGULAR, .a = 1, .b = 2, .c = 4}, 7.0 / 3,
                  (1 + 4 + 16 - 2 - 4 - 8) / 18.0);
    /* PERT: mean (min + 4 mode + max) / 6, variance of the scaled beta. */
    double lo = 4000, mode = 6000, hi = 10000, w = hi - lo;
    double a1 = 1 + 4 * (mode - lo) / w, a2 = 1 + 4 * (hi - mode) / w;
    check_moments(&(mkba_dist){.kind = MKBA_DIST_PERT, .a = lo, .b = mode, .c = hi},
                  (lo + 4 * mode + hi) / 6,
                  w * w * a1 * a2 / ((a1 + a2) * (a1 + a2) * (a1 + a2 + 1)));
}

/* A distribution with a shifted mean must fail the same check: the test can
 * fail. */
static void test_moment_check_is_sharp(void **state)
{
    (void)state;
    double m, v, v_se;
    mkba_dist d = mk(MKBA_DIST_NORMAL, 1.5, 0.7, 0);
    sample_moments(&d, 20000, &m, &v, &v_se);
    assert_true(fabs(m - 1.53) > 4 * sqrt(0.49 / 20000));
}

static void expect_error(mkba_dist d, const char *message)
{
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_not_equal(mkba_dist_check(&d, "parameters.p_x", &err), MKBA_OK);
    assert_int_equal(err.code, MKBA_EINVAL);
    if (strstr(err.message, message) == NULL)
        fail_msg("expected \"%s\" in \"%s\"", message, err.message);
}

static void test_check_messages(void **state)
{
    (void)state;
    expect_error(mk(MKBA_DIST_BETA, -1, 2, 0),
                 "parameters.p_x: beta distribution needs alpha > 0 (got -1)");
    expect_error(mk(MKBA_DIST_BETA, 1, 0, 0), "beta distribution needs beta > 0 (got 0)");
    expect_error(mk(MKBA_DIST_NORMAL, 0, 0, 0), "normal distribution needs sd > 0 (got 0)");
    expect_error(mk(MKBA_DIST_LOGNORMAL, 0, -0.5, 0),
                 "lognormal distribution needs sdlog > 0 (got -0.5)");
    expect_error(mk(MKBA_DIST_GAMMA, 0, 1, 0), "gamma distribution needs shape > 0 (got 0)");
    expect_error(mk(MKBA_DIST_GAMMA, 2, -3, 0), "gamma distribution needs scale > 0 (got -3)");
    expect_error(mk(MKBA_DIST_UNIFORM, 3, 3, 0), "uniform distribution needs min < max");
    expect_error(mk(MKBA_DIST_TRIANGULAR, 1, 5, 4),
                 "triangular distribution needs min <= mode <= max and min < max "
                 "(got min = 1, mode = 5, max = 4)");
    expect_error(mk(MKBA_DIST_PERT, 2, 2, 2), "pert distribution needs min <= mode <= max");
    expect_error(mk(MKBA_DIST_NORMAL, INFINITY, 1, 0),
                 "normal distribution needs a finite mean (got inf)");
    expect_error(mk(MKBA_DIST_FIXED, NAN, 0, 0), "fixed distribution needs a finite value");
    expect_error(mk(MKBA_DIST_EXPR, 0, 0, 0), "an expression parameter needs expr text");

    double alpha[2] = {3, -1};
    mkba_dist d = mk(MKBA_DIST_DIRICHLET, 0, 0, 0);
    d.alpha = alpha;
    d.group_size = 2;
    expect_error(d, "dirichlet distribution needs every alpha finite and > 0 (got -1 for "
                    "component 2)");
    d.group_size = 1;
    expect_error(d, "dirichlet distribution needs at least 2 components (got 1)");

    /* Valid boundary cases pass. */
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_dist_check(&(mkba_dist){.kind = MKBA_DIST_TRIANGULAR, .a = 1, .b = 1,
                                                  .c = 4}, "p", &err), MKBA_OK);
    assert_int_equal(mkba_dist_check(&(mkba_dist){.kind = MKBA_DIST_FIXED, .a = -3}, "p", &err),
                     MKBA_OK);
    assert_int_equal(err.code, MKBA_OK);
}

/* A skewed beta where GSL's own quantile fails near the median: every
 * quantile is finite and the CDF at it gives back u. */
static void test_beta_quantile_where_gsl_fails(void **state)
{
    (void)state;
    mkba_dist d = {0};
    d.kind = MKBA_DIST_BETA;
    d.a = 12.0;
    d.b = 988.0;
    for (int i = 1; i < 2000; i++) {
        double u = i / 2000.0, x = mkba_dist_quantile(&d, u);
        assert_true(isfinite(x) && x > 0.0 && x < 1.0);
        assert_true(fabs(gsl_cdf_beta_P(x, d.a, d.b) - u) < 1e-9);
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(mkba_dist_name(MKBA_DIST_BETA), "beta");
    assert_string_equal(mkba_dist_name(MKBA_DIST_PERT), "pert");
    assert_string_equal(mkba_dist_name(MKBA_DIST_DIRICHLET), "dirichlet");
    assert_string_equal(mkba_dist_name(MKBA_DIST_EXPR), "expression");
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles_known_values),
        cmocka_unit_test(test_triangular_by_hand),
        cmocka_unit_test(test_pert_quantile),
        cmocka_unit_test(test_means_and_modes),
        cmocka_unit_test(test_sampled_moments),
        cmocka_unit_test(test_moment_check_is_sharp),
        cmocka_unit_test(test_check_messages),
        cmocka_unit_test(test_beta_quantile_where_gsl_fails),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
