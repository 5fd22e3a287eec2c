/* Elementary-effects screening (analysis/morris.h) against exact answers:
 * on the linear test function every elementary effect is its coefficient
 * (sigma 0, the inert input's mu* 0) for both designs; on Sobol's G
 * function with 4 centred levels each step moves |4u - 2| between 1/2 and
 * 3/2, so EE_i = +-2/(1 + a_i) times the other factors, whose product has
 * mean 1: E mu*_i = 2 / (1 + a_i) and E mu_i = 0; on Ishigami the
 * half-range step of the trajectory design cannot see sin^2 x2 (period
 * pi on (-pi, pi)), the radial design does. Also the designs' structure,
 * reproducibility from the seed, the bootstrap of mu* and every error
 * path, allocation failures included. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "analysis/morris.h"
#include "analysis/testfn.h"
#include "core/alloc.h"

/* The indices of test function f on design d (fails on error). */
static mkba_morris_indices *estimate(const mkba_testfn *f, const mkba_morris_design *d,
                                     size_t nboot, uint64_t seed)
{
    double *y = malloc(d->npoints * sizeof *y);
    assert_non_null(y);
    for (size_t p = 0; p < d->npoints; p++)
        y[p] = f->eval(d->u + p * d->k);
    mkba_error err = {0};
    mkba_morris_indices *m = NULL;
    if (mkba_morris_estimate(d, y, nboot, 0.95, seed, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    free(y);
    return m;
}

/* Every group changes every input once, from row `from` to row `to`
 * that differ in that input only, by delta. */
static void check_structure(const mkba_morris_design *d)
{
    const size_t k = d->k;
    for (size_t t = 0; t < d->r; t++) {
        int seen[64] = {0};
        assert_true(k <= 64);
        for (size_t s = 0; s < k; s++) {
            size_t st = t * k + s, i = d->factor[st];
            assert_true(i < k && !seen[i]);
            seen[i] = 1;
            assert_true(d->from[st] / (k + 1) == t && d->to[st] / (k + 1) == t);
            const double *a = d->u + d->from[st] * k, *b = d->u + d->to[st] * k;
            for (size_t c = 0; c < k; c++)
                if (c == i)
                    assert_true(b[c] - a[c] == d->delta[st] && d->delta[st] != 0.0);
                else
                    assert_true(b[c] == a[c]);
        }
    }
    for (size_t p = 0; p < d->npoints * k; p++)
        assert_true(d->u[p] > 0.0 && d->u[p] < 1.0);
}

static void test_trajectory_design(void **state)
{
    (void)state;
    mkba_error err = {0};
    mkba_morris_design *d = mkba_morris_design_alloc(30, 6, 4, 2024, &err);
    assert_non_null(d);
    assert_int_equal(d->npoints, 30 * 7);
    assert_int_equal(d->levels, 4);
    check_structure(d);
    /* The levels are the centres 1/8, 3/8, 5/8, 7/8; each step jumps two
     * of them; each group moves along the steps in row order. */
    for (size_t p = 0; p < d->npoints * d->k; p++) {
        double l = d->u[p] * 8.0;
        assert_true(l == 1.0 || l == 3.0 || l == 5.0 || l == 7.0);
    }
    int up = 0, down = 0;
    for (size_t st = 0; st < d->r * d->k; st++) {
        assert_true(fabs(d->delta[st]) == 0.5);
        assert_int_equal(d->to[st], d->from[st] + 1);
        up += d->delta[st] > 0;
        down += d->delta[st] < 0;
    }
    /* 180 steps, up or down with probability 1/2: both plenty. */
    assert_true(up > 50 && down > 50);
    /* Reproducible from the seed, and the seed matters. */
    mkba_morris_design *e = mkba_morris_design_alloc(30, 6, 4, 2024, &err);
    mkba_morris_design *f = mkba_morris_design_alloc(30, 6, 4, 2025, &err);
    assert_memory_equal(d->u, e->u, d->npoints * d->k * sizeof *d->u);
    assert_memory_equal(d->factor, e->factor, d->r * d->k * sizeof *d->factor);
    assert_true(memcmp(d->u, f->u, d->npoints * d->k * sizeof *d->u) != 0);
    mkba_morris_design_free(d);
    mkba_morris_design_free(e);
    mkba_morris_design_free(f);
    /* Six levels: centres (i + 0.5) / 6, still a half-range step. */
    d = mkba_morris_design_alloc(10, 3, 6, 7, &err);
    assert_non_null(d);
    check_structure(d);
    for (size_t p = 0; p < d->npoints * d->k; p++) {
        double l = d->u[p] * 6.0 - 0.5;
        assert_float_equal(l, round(l), 1e-12);
    }
    mkba_morris_design_free(d);
    mkba_morris_design_free(NULL);
    mkba_morris_indices_free(NULL);
}

static void test_radial_design(void **state)
{
    (void)state;
    mkba_error err = {0};
    mkba_morris_design *d = mkba_morris_radial_alloc(64, 8, &err);
    assert_non_null(d);
    assert_int_equal(d->levels, 0);
    check_structure(d);
    /* Every step starts from its group's base row; the base rows are
     * GSL's Sobol' points 1, 2, 3: (1/2, ...), (3/4, 1/4, ...), (1/4, 3/4, ...). */
    for (size_t st = 0; st < d->r * d->k; st++)
        assert_int_equal(d->from[st], st / d->k * (d->k + 1));
    assert_true(d->u[0] == 0.5 && d->u[9 * 8] == 0.75 && d->u[9 * 8 + 1] == 0.25);
    assert_true(d->u[18 * 8] == 0.25 && d->u[18 * 8 + 1] == 0.75);
    mkba_morris_design_free(d);
    d = mkba_morris_radial_alloc(16, 40, &err);
    assert_non_null(d);
    check_structure(d);
    mkba_morris_design_free(d);
}

static void test_linear(void **state)
{
    (void)state;
    const mkba_testfn *f = mkba_testfn_find("linear");
    const double c[] = { 1, -2, 3, 0.5, 0 };
    mkba_error err = {0};
    mkba_morris_design *designs[] = { mkba_morris_design_alloc(12, 5, 4, 99, &err),
                                      mkba_morris_design_alloc(12, 5, 8, 99, &err),
                                      mkba_morris_radial_alloc(12, 5, &err) };
    for (size_t n = 0; n < 3; n++) {
        assert_non_null(designs[n]);
        mkba_morris_indices *m = estimate(f, designs[n], 0, 1);
        for (size_t i = 0; i < 5; i++) {
            for (size_t t = 0; t < 12; t++)
                assert_float_equal(m->ee[t * 5 + i], c[i], 1e-12);
            assert_float_equal(m->mu[i], c[i], 1e-12);
            assert_float_equal(m->mu_star[i], fabs(c[i]), 1e-12);
            assert_float_equal(m->sigma[i], 0.0, 1e-12);
            assert_true(isnan(m->mu_star_lo[i]));
        }
        assert_true(m->mu_star[4] == 0.0);
        mkba_morris_indices_free(m);
        mkba_morris_design_free(designs[n]);
    }
}

static void test_sobol_g(void **state)
{
    (void)state;
    const mkba_testfn *f = mkba_testfn_find("sobol-g");
    const double a[] = { 0, 1, 4.5, 9, 99, 99, 99, 99 };
    const size_t r = 1000;
    mkba_error err = {0};
    mkba_morris_design *d = mkba_morris_design_alloc(r, 8, 4, 11, &err);
    mkba_morris_indices *m = estimate(f, d, 0, 1);
    for (size_t i = 0; i < 8; i++) {
        /* Each other factor is (1/2 + a_j) / (1 + a_j) or (3/2 + a_j) /
         * (1 + a_j), equally likely: mean 1, mean square 1 + 1/(4 (1 +
         * a_j)^2). So E mu* = 2/(1 + a_i) and sigma tends to 2/(1 + a_i)
         * sqrt(prod_{j != i} (1 + 1/(4 (1 + a_j)^2))). */
        double want = 2.0 / (1.0 + a[i]), ms = 1.0;
        for (size_t j = 0; j < 8; j++)
            if (j != i)
                ms *= 1.0 + 0.25 / ((1.0 + a[j]) * (1.0 + a[j]));
        print_message("G x%zu: mu* %.4f (expected %.4f), mu %+.4f, sigma %.4f (%.4f)\n",
                      i + 1, m->mu_star[i], want, m->mu[i], m->sigma[i], want * sqrt(ms));
        /* The other factors' product has a relative spread sqrt(ms - 1)
         * of at most 0.58, so mu*'s relative standard error over 1000
         * groups is below 0.019: 0.08 is over four of them. */
        assert_float_equal(m->mu_star[i] / want, 1.0, 0.08);
        assert_float_equal(m->sigma[i] / (want * sqrt(ms)), 1.0, 0.1);
        /* mu: a mean of +-|EE| with equally likely signs, sd below 0.04
         * mu*. */
        assert_true(fabs(m->mu[i]) < 0.2 * m->mu_star[i]);
        for (size_t t = 0; t < r; t++)
            assert_true(fabs(m->ee[t * 8 + i]) > 0.0);
    }
    /* The a = 99 inputs screen out against the first: mu* 50 times smaller. */
    for (size_t i = 4; i < 8; i++)
        assert_true(m->mu_star[i] < 0.02 * m->mu_star[0]);
    mkba_morris_indices_free(m);
    mkba_morris_design_free(d);
}

static void test_ishigami(void **state)
{
    (void)state;
    const mkba_testfn *f = mkba_testfn_find("ishigami");
    mkba_error err = {0};
    mkba_morris_design *d = mkba_morris_design_alloc(50, 3, 4, 5, &err);
    mkba_morris_indices *m = estimate(f, d, 0, 1);
    /* sin^2(x2 + pi) = sin^2 x2: every effect of x2 is zero up to rounding. */
    for (size_t t = 0; t < 50; t++)
        assert_float_equal(m->ee[t * 3 + 1], 0.0, 1e-12);
    /* x3 acts only through x3^4 sin x1, whose sign is that of sin x1: a
     * large mu*, a mu that cancels (its sd is below mu* / sqrt(50)). */
    assert_true(m->mu_star[2] > 1.0);
    assert_true(fabs(m->mu[2]) < 0.5 * m->mu_star[2]);
    mkba_morris_indices_free(m);
    mkba_morris_design_free(d);
    d = mkba_morris_radial_alloc(64, 3, &err);
    m = estimate(f, d, 0, 1);
    print_message("Ishigami radial mu*: %.3f %.3f %.3f\n", m->mu_star[0], m->mu_star[1],
                  m->mu_star[2]);
    assert_true(m->mu_star[1] > 1.0);
    mkba_morris_indices_free(m);
    mkba_morris_design_free(d);
}

static void test_bootstrap(void **state)
{
    (void)state;
    const mkba_testfn *f = mkba_testfn_find("sobol-g");
    mkba_error err = {0};
    mkba_morris_design *d = mkba_morris_design_alloc(40, 8, 4, 3, &err);
    mkba_morris_indices *m = estimate(f, d, 500, 17);
    mkba_morris_indices *n = estimate(f, d, 500, 17);
    mkba_morris_indices *o = estimate(f, d, 500, 18);
    int differ = 0;
    for (size_t i = 0; i < 8; i++) {
        assert_true(m->mu_star_lo[i] <= m->mu_star[i] && m->mu_star[i] <= m->mu_star_hi[i]);
        assert_true(m->mu_star_lo[i] < m->mu_star_hi[i]);
        assert_true(m->mu_star_lo[i] == n->mu_star_lo[i]);
        assert_true(m->mu_star_hi[i] == n->mu_star_hi[i]);
        differ |= m->mu_star_lo[i] != o->mu_star_lo[i];
    }
    assert_true(differ);
    /* x1's interval holds its expected mu* of 2 and excludes x5's. */
    assert_true(m->mu_star_lo[0] < 2.0 && 2.0 < m->mu_star_hi[0]);
    assert_true(m->mu_star_hi[4] < m->mu_star_lo[0]);
    mkba_morris_indices_free(m);
    mkba_morris_indices_free(n);
    mkba_morris_indices_free(o);
    mkba_morris_design_free(d);
}

static void test_errors(void **state)
{
    (void)state;
    mkba_error err = {0};
    assert_null(mkba_morris_design_alloc(1, 3, 4, 1, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    assert_non_null(strstr(err.message, "at least 2 groups"));
    mkba_error_clear(&err);
    assert_null(mkba_morris_design_alloc(10, 0, 4, 1, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    mkba_error_clear(&err);
    assert_null(mkba_morris_design_alloc(10, 3, 5, 1, &err));
    assert_non_null(strstr(err.message, "must be even"));
    mkba_error_clear(&err);
    assert_null(mkba_morris_design_alloc(10, 3, 0, 1, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    mkba_error_clear(&err);
    assert_null(mkba_morris_radial_alloc(10, 41, &err));
    assert_non_null(strstr(err.message, "at most 40"));
    mkba_error_clear(&err);
    assert_null(mkba_morris_radial_alloc((size_t)1 << 29, 2, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    assert_null(mkba_morris_radial_alloc(1, 2, NULL));

    mkba_morris_design *d = mkba_morris_design_alloc(4, 2, 4, 1, &err);
    double y[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
    mkba_morris_indices *m = (mkba_morris_indices *)&err;
    y[7] = INFINITY;
    mkba_error_clear(&err);
    assert_int_equal(mkba_morris_estimate(d, y, 0, 0.95, 1, &m, &err), MKBA_EINVAL);
    assert_null(m);
    assert_non_null(strstr(err.message, "group 2, point 1"));
    y[7] = 8;
    mkba_error_clear(&err);
    assert_int_equal(mkba_morris_estimate(d, y, 10, 0.0, 1, &m, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "confidence level"));
    mkba_error_clear(&err);
    assert_int_equal(mkba_morris_estimate(d, y, SIZE_MAX / 2, 0.95, 1, &m, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "too many"));
    assert_int_equal(mkba_morris_estimate(d, NULL, 0, 0.95, 1, &m, NULL), MKBA_EINVAL);
    assert_int_equal(mkba_morris_estimate(NULL, y, 0, 0.95, 1, &m, NULL), MKBA_EINVAL);
    assert_int_equal(mkba_morris_estimate(d, y, 0, 0.95, 1, NULL, NULL), MKBA_EINVAL);
    /* A constant output is fine here: every effect and statistic is 0. */
    for (size_t p = 0; p < 12; p++)
        y[p] = 3.25;
    assert_int_equal(mkba_morris_estimate(d, y, 10, 0.9, 1, &m, &err), MKBA_OK);
    assert_true(m->mu_star[0] == 0.0 && m->sigma[1] == 0.0 && m->mu_star_hi[1] == 0.0);
    mkba_morris_indices_free(m);
    mkba_morris_design_free(d);
}

/* An allocator that fails its fail_at-th allocation. */
typedef struct failing {
    long calls, fail_at;
} failing;

static void *f_malloc(void *user, size_t size)
{
    failing *f = user;
    return ++f->calls == f->fail_at ? NULL : malloc(size);
}

static void *f_calloc(void *user, size_t n, size_t size)
{
    failing *f = user;
    return ++f->calls == f->fail_at ? NULL : calloc(n, size);
}

static void *f_realloc(void *user, void *p, size_t size)
{
    failing *f = user;
    return ++f->calls == f->fail_at ? NULL : realloc(p, size);
}

static void f_free(void *user, void *p)
{
    (void)user;
    free(p);
}

/* Every allocation of both designs and the estimate may fail: each
 * failure returns MKBA_ENOMEM and frees what was made (AddressSanitizer
 * checks). */
static void test_alloc_failures(void **state)
{
    (void)state;
    const mkba_testfn *f = mkba_testfn_find("linear");
    for (int radial = 0; radial < 2; radial++) {
        int succeeded = 0;
        for (long at = 1; !succeeded; at++) {
            failing fl = { 0, at };
            mkba_allocator a = { f_malloc, f_calloc, f_realloc, f_free, &fl };
            mkba_alloc_scope scope = mkba_alloc_enter(&a);
            mkba_error err = {0};
            mkba_morris_design *d = radial ? mkba_morris_radial_alloc(6, 5, &err)
                                           : mkba_morris_design_alloc(6, 5, 4, 1, &err);
            mkba_morris_indices *m = NULL;
            double y[36];
            if (d != NULL) {
                for (size_t p = 0; p < d->npoints; p++)
                    y[p] = f->eval(d->u + p * d->k);
                mkba_morris_estimate(d, y, 20, 0.9, 1, &m, &err);
            }
            succeeded = m != NULL;
            if (!succeeded) {
                assert_int_equal(err.code, MKBA_ENOMEM);
                assert_non_null(strstr(err.message, "out of memory"));
            }
            mkba_morris_indices_free(m);
            mkba_morris_design_free(d);
            mkba_alloc_leave(scope);
            assert_true(at < 100);
        }
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trajectory_design),
        cmocka_unit_test(test_radial_design),
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_sobol_g),
        cmocka_unit_test(test_ishigami),
        cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
