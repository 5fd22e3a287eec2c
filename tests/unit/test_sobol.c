/* Sobol' indices (analysis/sobol.h) against closed forms: the Ishigami
 * function (S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437; S13 =
 * ST1 - S1_1, the only interaction), Sobol's G function and an additive
 * linear function (indices = variance shares c_i^2 / sum c^2), all from
 * analysis/testfn.h; against OpenTURNS 1.20 on the very same sample
 * (tests/peer/openturns_sobol.py, skipped without /usr/bin/python3 and
 * openturns); the design's layout and the first points of the Sobol'
 * sequence; bootstrap intervals; every error path, allocation failures
 * included. */
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
#include <gsl/gsl_errno.h>
#include "analysis/sobol.h"
#include "analysis/testfn.h"
#include "core/alloc.h"

#define PYTHON "/usr/bin/python3"
#define PEER "tests/peer/openturns_sobol.py"

/* The outputs of f at every point of d (free them). */
static double *eval_design(const mkba_testfn *f, const mkba_sobol_design *d)
{
    double *y = malloc(d->npoints * sizeof *y);
    assert_non_null(y);
    for (size_t p = 0; p < d->npoints; p++)
        y[p] = f->eval(d->u + p * d->k);
    return y;
}

/* The indices of test function `name` with base size n; *maxerr gets the
 * largest absolute error of S1 and ST against the closed forms. */
static mkba_sobol_indices *run(const char *name, size_t n, int second, size_t nboot,
                               uint64_t seed, double *maxerr)
{
    const mkba_testfn *f = mkba_testfn_find(name);
    assert_non_null(f);
    mkba_error err = {0};
    mkba_sobol_design *d = mkba_sobol_design_alloc(n, f->k, second, &err);
    if (d == NULL)
        fail_msg("%s", err.message);
    double *y = eval_design(f, d);
    mkba_sobol_indices *s = NULL;
    if (mkba_sobol_estimate(d, y, nboot, 0.95, seed, &s, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    double s1[8], st[8], e = 0.0;
    f->indices(s1, st);
    for (size_t i = 0; i < f->k; i++)
        e = fmax(e, fmax(fabs(s->s1[i] - s1[i]), fabs(s->st[i] - st[i])));
    *maxerr = e;
    free(y);
    mkba_sobol_design_free(d);
    return s;
}

static void test_closed_forms(void **state)
{
    (void)state;
    /* The four-decimal Ishigami values quoted in the literature check
     * testfn's closed forms themselves. */
    double s1[8], st[8];
    mkba_testfn_find("ishigami")->indices(s1, st);
    const double p1[] = { 0.3139, 0.4424, 0.0 }, pt[] = { 0.5576, 0.4424, 0.2437 };
    for (size_t i = 0; i < 3; i++) {
        assert_float_equal(s1[i], p1[i], 5e-5);
        assert_float_equal(st[i], pt[i], 5e-5);
    }
    /* G function: V_1 = 1/3, V_2 = 1/12, V = prod(1 + V_i) - 1. */
    mkba_testfn_find("sobol-g")->indices(s1, st);
    double v = 1.0;
    const double a[] = { 0, 1, 4.5, 9, 99, 99, 99, 99 };
    for (size_t i = 0; i < 8; i++)
        v *= 1.0 + 1.0 / (3.0 * (1 + a[i]) * (1 + a[i]));
    v -= 1.0;
    assert_float_equal(s1[0], 1.0 / 3.0 / v, 1e-15);
    assert_float_equal(st[1], 1.0 / 12.0 * (v + 1.0) / (1.0 + 1.0 / 12.0) / v, 1e-15);
    assert_null(mkba_testfn_find("ishigam"));
    mkba_error err = {0};
    assert_null(mkba_testfn_lookup("nope", &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    assert_non_null(strstr(err.message, "ishigami, sobol-g, linear"));
    size_t count = 0;
    assert_non_null(mkba_testfn_list(&count));
    assert_int_equal(count, 3);
}

static void test_design(void **state)
{
    (void)state;
    mkba_error err = {0};
    mkba_sobol_design *d = mkba_sobol_design_alloc(16, 3, 1, &err);
    assert_non_null(d);
    const size_t n = 16, k = 3;
    assert_int_equal(d->npoints, n * (2 * k + 2));
    const double *a = d->u, *b = d->u + n * k;
    /* GSL's Sobol' sequence after the origin: (1/2, ...), then (3/4, 1/4,
     * ...), (1/4, 3/4, ...) in its first two dimensions (A's first two
     * columns); its dimensions 4 and 5 (B's first two) repeat that. */
    assert_true(a[0] == 0.5 && a[1] == 0.5 && b[0] == 0.5);
    assert_true(a[k] == 0.75 && a[k + 1] == 0.25 && a[2 * k] == 0.25 && a[2 * k + 1] == 0.75);
    for (size_t i = 0; i < k; i++) {
        const double *ab = d->u + (2 + i) * n * k, *ba = d->u + (2 + k + i) * n * k;
        for (size_t j = 0; j < n; j++)
            for (size_t c = 0; c < k; c++) {
                assert_true(ab[j * k + c] == (c == i ? b : a)[j * k + c]);
                assert_true(ba[j * k + c] == (c == i ? a : b)[j * k + c]);
            }
    }
    mkba_sobol_design_free(d);
    /* The largest design GSL allows: every coordinate strictly inside. */
    d = mkba_sobol_design_alloc(4096, 20, 0, &err);
    assert_non_null(d);
    for (size_t p = 0; p < d->npoints * d->k; p++)
        assert_true(d->u[p] > 0.0 && d->u[p] < 1.0);
    mkba_sobol_design_free(d);
    mkba_sobol_design_free(NULL);
    mkba_sobol_indices_free(NULL);
}

static void test_ishigami(void **state)
{
    (void)state;
    double e1000, e10000;
    mkba_sobol_indices_free(run("ishigami", 1000, 0, 0, 1, &e1000));
    mkba_sobol_indices *s = run("ishigami", 10000, 0, 0, 1, &e10000);
    print_message("Ishigami max |error|: N = 1000 %.4f, N = 10000 %.4f\n", e1000, e10000);
    assert_true(e1000 < 0.05);
    assert_true(e10000 < 0.01);
    assert_true(e10000 < e1000);
    /* y = sin x1 + 7 sin^2 x2 + 0.1 x3^4 sin x1: mean 7/2, and with no
     * interval asked for the interval arrays are NaN. */
    assert_float_equal(s->mean, 3.5, 0.01);
    assert_true(isnan(s->s1_lo[0]) && isnan(s->st_hi[2]));
    assert_null(s->s2);
    mkba_sobol_indices_free(s);

    /* Second order: x1 and x3 interact only with each other. */
    s = run("ishigami", 8192, 1, 0, 1, &e10000);
    double s1[3], st[3];
    mkba_testfn_find("ishigami")->indices(s1, st);
    print_message("Ishigami S2: %.4f %.4f %.4f (S13 = %.4f)\n", s->s2[0 * 3 + 1],
                  s->s2[0 * 3 + 2], s->s2[1 * 3 + 2], st[0] - s1[0]);
    assert_float_equal(s->s2[0 * 3 + 2], st[0] - s1[0], 0.01);
    assert_float_equal(s->s2[2 * 3 + 0], s->s2[0 * 3 + 2], 0.0);
    assert_float_equal(s->s2[0 * 3 + 1], 0.0, 0.01);
    assert_float_equal(s->s2[1 * 3 + 2], 0.0, 0.01);
    assert_true(isnan(s->s2[0]) && isnan(s->s2[4]));
    assert_true(e10000 < 0.01);
    mkba_sobol_indices_free(s);
}

static void test_sobol_g(void **state)
{
    (void)state;
    double e;
    mkba_sobol_indices *s = run("sobol-g", 8192, 0, 0, 1, &e);
    print_message("G function max |error| at N = 8192: %.5f\n", e);
    assert_true(e < 0.01);
    /* The four factors with a = 99 barely matter: ST about 1e-4 each. */
    for (size_t i = 4; i < 8; i++)
        assert_true(s->st[i] < 0.001);
    mkba_sobol_indices_free(s);
}

static void test_linear(void **state)
{
    (void)state;
    double e;
    mkba_sobol_indices *s = run("linear", 16384, 0, 0, 1, &e);
    print_message("linear max |error| at N = 16384: %.2e\n", e);
    assert_true(e < 2e-4);
    /* The inert factor: AB_5 rows give exactly A's outputs. */
    assert_true(s->s1[4] == 0.0 && s->st[4] == 0.0);
    mkba_sobol_indices_free(s);
}

/* The indices do not change when a constant is added to y (the outputs
 * are centred first: an uncentred Saltelli sum would carry the constant
 * times the noise of yAB_i - yA). */
static void test_shift(void **state)
{
    (void)state;
    const mkba_testfn *f = mkba_testfn_find("ishigami");
    mkba_error err = {0};
    mkba_sobol_design *d = mkba_sobol_design_alloc(512, 3, 0, &err);
    double *y = eval_design(f, d);
    mkba_sobol_indices *s = NULL, *t = NULL;
    assert_int_equal(mkba_sobol_estimate(d, y, 0, 0.95, 1, &s, &err), MKBA_OK);
    for (size_t p = 0; p < d->npoints; p++)
        y[p] += 2.5e6;
    assert_int_equal(mkba_sobol_estimate(d, y, 0, 0.95, 1, &t, &err), MKBA_OK);
    for (size_t i = 0; i < 3; i++) {
        assert_float_equal(s->s1[i], t->s1[i], 1e-8);
        assert_float_equal(s->st[i], t->st[i], 1e-8);
    }
    assert_float_equal(t->mean - s->mean, 2.5e6, 1e-6);
    mkba_sobol_indices_free(s);
    mkba_sobol_indices_free(t);
    free(y);
    mkba_sobol_design_free(d);
}

static void test_bootstrap(void **state)
{
    (void)state;
    double e;
    mkba_sobol_indices *s = run("ishigami", 1024, 1, 300, 42, &e);
    mkba_sobol_indices *t = run("ishigami", 1024, 1, 300, 42, &e);
    mkba_sobol_indices *u = run("ishigami", 1024, 1, 300, 43, &e);
    double s1[3], st[3];
    mkba_testfn_find("ishigami")->indices(s1, st);
    int differ = 0;
    for (size_t i = 0; i < 3; i++) {
        assert_true(s->s1_lo[i] <= s->s1[i] && s->s1[i] <= s->s1_hi[i]);
        assert_true(s->st_lo[i] <= s->st[i] && s->st[i] <= s->st_hi[i]);
        assert_true(s->st_lo[i] < s->st_hi[i]);
        /* At N = 1024 the intervals are a few hundredths wide and here
         * hold the true values too. */
        assert_true(s->s1_lo[i] <= s1[i] && s1[i] <= s->s1_hi[i]);
        assert_true(s->st_lo[i] <= st[i] && st[i] <= s->st_hi[i]);
        assert_true(s->s1_hi[i] - s->s1_lo[i] < 0.2);
        assert_true(s->s1_lo[i] == t->s1_lo[i] && s->st_hi[i] == t->st_hi[i]);
        differ |= s->s1_lo[i] != u->s1_lo[i];
        for (size_t l = 0; l < 3; l++)
            if (l != i) {
                assert_true(s->s2_lo[i * 3 + l] <= s->s2[i * 3 + l]);
                assert_true(s->s2[i * 3 + l] <= s->s2_hi[i * 3 + l]);
                assert_true(s->s2_hi[i * 3 + l] == t->s2_hi[i * 3 + l]);
            }
    }
    assert_true(differ);
    assert_int_equal(s->nboot, 300);
    mkba_sobol_indices_free(s);
    mkba_sobol_indices_free(t);
    mkba_sobol_indices_free(u);
}

static void test_errors(void **state)
{
    (void)state;
    mkba_error err = {0};
    assert_null(mkba_sobol_design_alloc(7, 3, 0, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    assert_non_null(strstr(err.message, "between 8 and"));
    mkba_error_clear(&err);
    assert_null(mkba_sobol_design_alloc(64, 21, 0, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    assert_non_null(strstr(err.message, "1 to 20 inputs"));
    mkba_error_clear(&err);
    assert_null(mkba_sobol_design_alloc(64, 0, 0, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    mkba_error_clear(&err);
    assert_null(mkba_sobol_design_alloc(64, 1, 1, &err));
    assert_non_null(strstr(err.message, "at least 2 inputs"));
    mkba_error_clear(&err);
    assert_null(mkba_sobol_design_alloc((size_t)1 << 30, 2, 0, &err));
    assert_int_equal(err.code, MKBA_EINVAL);
    assert_null(mkba_sobol_design_alloc(7, 2, 0, NULL));

    mkba_sobol_design *d = mkba_sobol_design_alloc(64, 3, 0, &err);
    double *y = malloc(d->npoints * sizeof *y);
    for (size_t p = 0; p < d->npoints; p++)
        y[p] = 1234.5;
    mkba_sobol_indices *s = (mkba_sobol_indices *)&err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_sobol_estimate(d, y, 0, 0.95, 1, &s, &err), MKBA_EINVAL);
    assert_null(s);
    assert_non_null(strstr(err.message, "constant"));
    /* Constant over A and B: the AB rows do not rescue it. */
    for (size_t p = 2 * 64; p < d->npoints; p++)
        y[p] = (double)p;
    mkba_error_clear(&err);
    assert_int_equal(mkba_sobol_estimate(d, y, 0, 0.95, 1, &s, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "constant"));
    y[64 * 3 + 5] = NAN;
    mkba_error_clear(&err);
    assert_int_equal(mkba_sobol_estimate(d, y, 0, 0.95, 1, &s, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "block AB_2, base row 5"));
    y[64 * 3 + 5] = 1.0;
    y[0] = 2.0;
    mkba_error_clear(&err);
    assert_int_equal(mkba_sobol_estimate(d, y, 10, 1.0, 1, &s, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "confidence level"));
    mkba_error_clear(&err);
    assert_int_equal(mkba_sobol_estimate(d, y, SIZE_MAX / 2, 0.95, 1, &s, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "too many"));
    mkba_error_clear(&err);
    assert_int_equal(mkba_sobol_estimate(d, NULL, 0, 0.95, 1, &s, &err), MKBA_EINVAL);
    assert_int_equal(mkba_sobol_estimate(NULL, y, 0, 0.95, 1, &s, NULL), MKBA_EINVAL);
    assert_int_equal(mkba_sobol_estimate(d, y, 0, 0.95, 1, NULL, NULL), MKBA_EINVAL);
    /* One row differs from the rest: most resamples miss it and are
     * drawn again; the intervals still come out. */
    mkba_error_clear(&err);
    assert_int_equal(mkba_sobol_estimate(d, y, 50, 0.9, 1, &s, &err), MKBA_OK);
    assert_true(isfinite(s->s1_lo[0]) && isfinite(s->st_hi[2]));
    mkba_sobol_indices_free(s);
    free(y);
    mkba_sobol_design_free(d);
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

/* Every allocation of the design and the estimate may fail: each failure
 * returns MKBA_ENOMEM and frees what was made (AddressSanitizer checks). */
static void test_alloc_failures(void **state)
{
    (void)state;
    const mkba_testfn *f = mkba_testfn_find("ishigami");
    int succeeded = 0;
    for (long at = 1; !succeeded; at++) {
        failing fl = { 0, at };
        mkba_allocator a = { f_malloc, f_calloc, f_realloc, f_free, &fl };
        mkba_alloc_scope scope = mkba_alloc_enter(&a);
        mkba_error err = {0};
        mkba_sobol_design *d = mkba_sobol_design_alloc(32, 3, 1, &err);
        mkba_sobol_indices *s = NULL;
        double *y = NULL;
        if (d != NULL) {
            y = eval_design(f, d);
            mkba_sobol_estimate(d, y, 20, 0.9, 1, &s, &err);
        }
        succeeded = s != NULL;
        if (!succeeded) {
            assert_int_equal(err.code, MKBA_ENOMEM);
            assert_true(strstr(err.message, "out of memory") != NULL);
        }
        mkba_sobol_indices_free(s);
        mkba_sobol_design_free(d);
        mkba_alloc_leave(scope);
        free(y);
        assert_true(at < 100);
    }
}

/* OpenTURNS on the same sample: agreement to rounding. */
static void test_openturns(void **state)
{
    (void)state;
    if (access(PYTHON, X_OK) != 0 || access(PEER, R_OK) != 0) {
        print_message("skipped: no %s or no %s (run from the top folder)\n", PYTHON, PEER);
        skip();
    }
    const mkba_testfn *f = mkba_testfn_find("ishigami");
    mkba_error err = {0};
    mkba_sobol_design *d = mkba_sobol_design_alloc(1024, 3, 0, &err);
    double *y = eval_design(f, d);
    mkba_sobol_indices *s = NULL;
    assert_int_equal(mkba_sobol_estimate(d, y, 0, 0.95, 1, &s, &err), MKBA_OK);
    char path[] = "/tmp/mkba-sobol-peer-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "w");
    assert_non_null(out);
    fprintf(out, "%zu %zu\n", d->n, d->k);
    for (size_t p = 0; p < d->npoints; p++) {
        for (size_t c = 0; c < d->k; c++)
            fprintf(out, "%.17g ", d->u[p * d->k + c]);
        fprintf(out, "%.17g\n", y[p]);
    }
    assert_int_equal(fclose(out), 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s %s %s 2>&1", PYTHON, PEER, path);
    FILE *pipe = popen(cmd, "r");
    assert_non_null(pipe);
    char line[512], kind[8];
    size_t i, seen = 0;
    double v, maxdiff = 0.0;
    while (fgets(line, sizeof line, pipe) != NULL) {
        if (sscanf(line, "%7s %zu %lf", kind, &i, &v) == 3 && i < 3
            && (strcmp(kind, "s1") == 0 || strcmp(kind, "st") == 0)) {
            double mine = kind[1] == '1' ? s->s1[i] : s->st[i];
            maxdiff = fmax(maxdiff, fabs(mine - v));
            seen++;
        } else {
            print_message("peer: %s", line);
        }
    }
    int status = pclose(pipe);
    unlink(path);
    mkba_sobol_indices_free(s);
    free(y);
    mkba_sobol_design_free(d);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        print_message("skipped: OpenTURNS is not installed for %s\n", PYTHON);
        skip();
    }
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(seen, 6);
    print_message("OpenTURNS max |difference|: %.2e\n", maxdiff);
    assert_true(maxdiff < 1e-10);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_forms),
        cmocka_unit_test(test_design),
        cmocka_unit_test(test_ishigami),
        cmocka_unit_test(test_sobol_g),
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_shift),
        cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_openturns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
