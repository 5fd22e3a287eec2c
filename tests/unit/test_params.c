/* The parameter table: definitions and their errors, expressions and their
 * order, copulas, Dirichlet vectors, arm overrides, the base case, and the
 * reproducibility of draws (each parameter on its own stream). */
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
#include "mkba/rng.h"
#include "model/params.h"

#define SEED 20240611u

#define assert_close(x, y, tol)                                                   \
    do {                                                                          \
        double x_ = (x), y_ = (y);                                                \
        if (!(fabs(x_ - y_) <= (tol)))                                            \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #x, x_, y_,     \
                     (double)(tol));                                              \
    } while (0)

#define assert_message(err, text)                                                 \
    do {                                                                          \
        if (strstr((err).message, (text)) == NULL)                                \
            fail_msg("expected \"%s\" in \"%s\"", (text), (err).message);         \
    } while (0)

static mkba_dist fixed(double v)
{
    return (mkba_dist){.kind = MKBA_DIST_FIXED, .a = v};
}

static mkba_dist dist(mkba_dist_kind k, double a, double b, double c)
{
    return (mkba_dist){.kind = k, .a = a, .b = b, .c = c};
}

static mkba_dist expr(const char *text)
{
    return (mkba_dist){.kind = MKBA_DIST_EXPR, .expr = (char *)text};
}

/* Adds `name` at path "parameters.NAME"; fails the test on error. */
static int add(mkba_params *p, const char *name, mkba_dist d)
{
    char path[128];
    snprintf(path, sizeof path, "parameters.%s", name);
    mkba_error err;
    mkba_error_clear(&err);
    int i = mkba_params_add(p, name, &d, path, NULL, 0, "assumption", &err);
    if (i < 0)
        fail_msg("adding %s: %s", name, err.message);
    return i;
}

static void finalize_ok(mkba_params *p)
{
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_params_finalize(p, &err) != MKBA_OK)
        fail_msg("finalize: %s", err.message);
}

/* Samples draw `draw` into values (narms x count). */
static void sample_ok(const mkba_params *p, mkba_params_work *w, uint32_t draw, double *values)
{
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_params_sample(p, SEED, draw, 0, MKBA_BASE_MEAN, values, w, &err) != MKBA_OK)
        fail_msg("sample: %s", err.message);
}

/* ---- definitions and their errors ---------------------------------------- */

static void test_add_find_get(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(2);
    assert_non_null(p);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_dist d = dist(MKBA_DIST_BETA, 20, 180, 0);
    assert_int_equal(mkba_params_add(p, "p_debt_worse", &d, "parameters.p_debt_worse",
                                     "full.cfg", 50, "assumption", &err), 0);
    /* Inline values use their setting path as name: stored, findable, but
     * not offered to expressions. */
    mkba_dist v = fixed(125.5);
    assert_int_equal(mkba_params_add(p, "costs.[0].per_year", &v, "costs.[0].per_year",
                                     "full.cfg", 90, NULL, &err), 1);
    assert_int_equal(mkba_params_set_unit(p, 1, "EUR/year"), MKBA_OK);
    assert_int_equal(mkba_params_count(p), 2);
    assert_int_equal(mkba_params_find(p, "costs.[0].per_year"), 1);
    assert_int_equal(mkba_params_find(p, "nope"), -1);
    const mkba_param *q = mkba_params_get(p, 0);
    assert_string_equal(q->name, "p_debt_worse");
    assert_string_equal(q->path, "parameters.p_debt_worse");
    assert_string_equal(q->file, "full.cfg");
    assert_int_equal(q->line, 50);
    assert_string_equal(q->source, "assumption");
    assert_int_equal(q->dist.kind, MKBA_DIST_BETA);
    assert_close(q->dist.b, 180, 0);
    assert_true((int)q->arm_dist[1].kind == -1);
    assert_string_equal(mkba_params_get(p, 1)->unit, "EUR/year");
    assert_null(mkba_params_get(p, 2));
    assert_string_equal(mkba_params_closest(p, "p_dbet_worse"), "p_debt_worse");
    assert_null(mkba_params_closest(p, "costs.[0].per_yaer"));
    assert_null(mkba_params_closest(p, "completely_unrelated"));
    assert_int_equal(err.code, MKBA_OK);
    mkba_params_free(p);
    mkba_params_free(NULL);
    mkba_params_work_free(NULL);
}

static void test_add_errors(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(1);
    mkba_error err;
    mkba_dist ok = dist(MKBA_DIST_NORMAL, 0, 1, 0);
    assert_int_equal(mkba_params_add(p, "p_x", &ok, "parameters.p_x", "a.cfg", 12, NULL, NULL), 0);

    mkba_error_clear(&err);
    assert_int_equal(mkba_params_add(p, "p_x", &ok, "arms.[1].p_x", "b.cfg", 40, NULL, &err), -1);
    assert_int_equal(err.code, MKBA_EINVAL);
    assert_message(err, "arms.[1].p_x");
    assert_message(err, "defined twice");
    assert_message(err, "a.cfg:12: parameters.p_x");

    mkba_error_clear(&err);
    mkba_dist bad = dist(MKBA_DIST_BETA, -1, 2, 0);
    assert_int_equal(mkba_params_add(p, "p_y", &bad, "parameters.p_y", NULL, 0, NULL, &err), -1);
    assert_message(err, "parameters.p_y: beta distribution needs alpha > 0 (got -1)");

    mkba_error_clear(&err);
    assert_int_equal(mkba_params_add(p, "pi", &ok, "parameters.pi", NULL, 0, NULL, &err), -1);
    assert_message(err, "name 'pi' is reserved");

    mkba_error_clear(&err);
    mkba_dist dir = {.kind = MKBA_DIST_DIRICHLET};
    assert_int_equal(mkba_params_add(p, "d", &dir, "parameters.d", NULL, 0, NULL, &err), -1);
    assert_message(err, "mkba_params_add_dirichlet");

    mkba_error_clear(&err);
    mkba_dist noexpr = {.kind = MKBA_DIST_EXPR};
    assert_int_equal(mkba_params_add(p, "e1", &noexpr, "parameters.e1", NULL, 0, NULL, &err), -1);
    assert_message(err, "parameters.e1: an expression parameter needs expr text");

    assert_int_equal(mkba_params_count(p), 1);
    mkba_params_free(p);
}

/* ---- expressions --------------------------------------------------------- */

static void test_expression_exact_and_ordered(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(1);
    /* Defined before its inputs: finalize must order them. */
    int d = add(p, "d", expr("c / 2 - a"));
    int c = add(p, "c", expr("a * b + 1"));
    int a = add(p, "a", fixed(2.385));
    int b = add(p, "b", fixed(1.5));
    int e = add(p, "e_x", expr("exp(log(b)) + sqrt(4) * pi - 2 ^ 3"));
    finalize_ok(p);
    mkba_params_work *w = mkba_params_work_alloc(p);
    assert_non_null(w);
    double v[5];
    sample_ok(p, w, 3, v);
    assert_true(v[a] == 2.385 && v[b] == 1.5);
    double cv = 2.385 * 1.5 + 1;
    assert_true(v[c] == cv);
    assert_true(v[d] == cv / 2 - 2.385);
    assert_close(v[e], 1.5 + 2 * 3.14159265358979323846 - 8, 1e-12);
    mkba_params_work_free(w);
    mkba_params_free(p);
}

static void expect_finalize_error(mkba_params *p, mkba_status code, const char *text)
{
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_finalize(p, &err), code);
    assert_message(err, text);
    assert_null(mkba_params_work_alloc(p));
}

static void test_cycle_named(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(1);
    add(p, "x0", fixed(1));
    add(p, "a", expr("b + x0"));
    add(p, "b", expr("c * 2"));
    add(p, "c", expr("a - 1"));
    expect_finalize_error(p, MKBA_EINVAL, "a -> b -> c -> a");
    mkba_params_free(p);

    p = mkba_params_alloc(1);
    add(p, "self", expr("self + 1"));
    expect_finalize_error(p, MKBA_EINVAL, "self -> self");
    mkba_params_free(p);
}

static void test_unknown_variable(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(1);
    add(p, "p_debt_worse", dist(MKBA_DIST_BETA, 20, 180, 0));
    add(p, "p_y", expr("p_dbet_worse * 2"));
    expect_finalize_error(p, MKBA_EINVAL,
                          "parameters.p_y: expression \"p_dbet_worse * 2\" uses unknown parameter "
                          "'p_dbet_worse'; did you mean 'p_debt_worse'?");
    mkba_params_free(p);

    p = mkba_params_alloc(1);
    add(p, "p_debt_worse", dist(MKBA_DIST_BETA, 20, 180, 0));
    add(p, "p_y", expr("zzz_total_other / 2"));
    expect_finalize_error(p, MKBA_EINVAL, "uses unknown parameter 'zzz_total_other'");
    mkba_error err;
    mkba_error_clear(&err);
    mkba_params_finalize(p, &err);
    assert_null(strstr(err.message, "did you mean"));
    mkba_params_free(p);
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "a *", "a >= b", "sin", "foo(a)", "(a", "a)", "2a", "", "a b", "+a", "1.5.2", "a[1]",
        "exp(a, b)", "a @ b"
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mkba_params *p = mkba_params_alloc(1);
        add(p, "a", fixed(1));
        add(p, "b", fixed(2));
        if (bad[i][0] == '\0') {
            /* Empty text is caught when the definition is added. */
            mkba_error err;
            mkba_error_clear(&err);
            mkba_dist d = expr("");
            assert_int_equal(mkba_params_add(p, "p_y", &d, "parameters.p_y", NULL, 0, NULL,
                                             &err), -1);
            mkba_params_free(p);
            continue;
        }
        add(p, "p_y", expr(bad[i]));
        char text[128];
        snprintf(text, sizeof text, "parameters.p_y: cannot parse expression \"%s\"", bad[i]);
        expect_finalize_error(p, MKBA_EPARSE, text);
        mkba_params_free(p);
    }
    /* Accepted forms, checked by value. */
    static const struct { const char *text; double value; } good[] = {
        {"-a", -1}, {"a--b", 3}, {"a^-b", 1}, {"-b^2", -4}, {"1.5e3 * a", 1500}, {".5 + 1.", 1.5},
        {"abs(a - b)", 1}, {"exp (0)", 1}, {"a +\n  b", 3}, {"((a))", 1}, {"2 * a_1", 14}
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        mkba_params *p = mkba_params_alloc(1);
        add(p, "a", fixed(1));
        add(p, "b", fixed(2));
        add(p, "a_1", fixed(7));
        int y = add(p, "p_y", expr(good[i].text));
        finalize_ok(p);
        mkba_params_work *w = mkba_params_work_alloc(p);
        double v[4];
        sample_ok(p, w, 0, v);
        if (fabs(v[y] - good[i].value) > 1e-12)
            fail_msg("\"%s\" = %g, expected %g", good[i].text, v[y], good[i].value);
        mkba_params_work_free(w);
        mkba_params_free(p);
    }
}

static void test_nonfinite_expression(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(2);
    assert_int_equal(mkba_params_set_arm_name(p, 0, "classic"), MKBA_OK);
    assert_int_equal(mkba_params_set_arm_name(p, 1, "integrated"), MKBA_OK);
    add(p, "a", fixed(1));
    int b = add(p, "b", fixed(2));
    add(p, "p_x", expr("a / b"));
    mkba_error err;
    mkba_dist zero = fixed(0);
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_override(p, b, 1, &zero, "arms.[1].overrides.b", NULL, 0, &err),
                     MKBA_OK);
    finalize_ok(p);
    mkba_params_work *w = mkba_params_work_alloc(p);
    double v[6];
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_sample(p, SEED, 17, 0, MKBA_BASE_MEAN, v, w, &err),
                     MKBA_ENUMERIC);
    assert_message(err, "draw 17, arm integrated: parameter p_x = inf");
    mkba_params_work_free(w);
    mkba_params_free(p);
}

/* ---- reproducibility ----------------------------------------------------- */

/* The table of the reproducibility tests; extra = 1 appends a parameter,
 * extra = 2 puts one first. */
static mkba_params *psa_table(int extra)
{
    mkba_params *p = mkba_params_alloc(2);
    if (extra == 2)
        add(p, "unrelated", dist(MKBA_DIST_NORMAL, 5, 1, 0));
    add(p, "p_debt_worse", dist(MKBA_DIST_BETA, 20, 180, 0));
    add(p, "cost", dist(MKBA_DIST_GAMMA, 16, 500, 0));
    add(p, "hr", dist(MKBA_DIST_LOGNORMAL, 0.1, 0.05, 0));
    add(p, "ev", dist(MKBA_DIST_PERT, 4000, 6000, 10000));
    add(p, "prog", dist(MKBA_DIST_TRIANGULAR, 200, 300, 450));
    add(p, "u", dist(MKBA_DIST_UNIFORM, 0.2, 0.4, 0));
    add(p, "shift", dist(MKBA_DIST_NORMAL, 0, 0.01, 0));
    add(p, "derived", expr("p_debt_worse / 2 + shift"));
    if (extra == 1)
        add(p, "unrelated", dist(MKBA_DIST_NORMAL, 5, 1, 0));
    return p;
}

static void test_same_draw_bit_identical(void **state)
{
    (void)state;
    mkba_params *p = psa_table(0);
    finalize_ok(p);
    size_t n = mkba_params_count(p);
    mkba_params_work *w1 = mkba_params_work_alloc(p), *w2 = mkba_params_work_alloc(p);
    double a[32], b[32], c[32];
    sample_ok(p, w1, 7, a);
    sample_ok(p, w2, 3, c);   /* another draw in between changes nothing */
    sample_ok(p, w2, 7, b);
    assert_memory_equal(a, b, 2 * n * sizeof a[0]);
    /* A different draw gives different values. */
    for (size_t i = 0; i < 7; i++)
        assert_true(a[i] != c[i]);
    /* The contract of the streams: parameter i of draw d is the quantile of
     * the first uniform of stream (seed, d, stream of i, MKBA_STREAM_PARAMS),
     * where the stream is the FNV-1a hash of the name. */
    assert_int_equal(mkba_params_stream(p, 0), 0x9be8e512u); /* FNV-1a of "p_debt_worse" */
    gsl_rng *r = gsl_rng_alloc(mkba_rng_philox);
    for (size_t i = 0; i < 7; i++) {
        mkba_rng_set_stream(r, SEED, 7, mkba_params_stream(p, i), MKBA_STREAM_PARAMS);
        double x = mkba_dist_quantile(&mkba_params_get(p, i)->dist, gsl_rng_uniform_pos(r));
        assert_true(x == a[i]);
    }
    gsl_rng_free(r);
    mkba_params_work_free(w1);
    mkba_params_work_free(w2);
    mkba_params_free(p);
}

static void test_unrelated_parameter_changes_nothing(void **state)
{
    (void)state;
    mkba_params *p = psa_table(0), *q = psa_table(1);
    finalize_ok(p);
    finalize_ok(q);
    size_t n = mkba_params_count(p), m = mkba_params_count(q);
    assert_int_equal(m, n + 1);
    mkba_params_work *wp = mkba_params_work_alloc(p), *wq = mkba_params_work_alloc(q);
    for (uint32_t draw = 0; draw < 20; draw++) {
        double a[32], b[32];
        sample_ok(p, wp, draw, a);
        sample_ok(q, wq, draw, b);
        for (size_t arm = 0; arm < 2; arm++)
            assert_memory_equal(a + arm * n, b + arm * m, n * sizeof a[0]);
    }
    mkba_params_work_free(wp);
    mkba_params_work_free(wq);
    mkba_params_free(q);

    /* A parameter inserted first shifts every index but no draw. */
    mkba_params *f = psa_table(2);
    finalize_ok(f);
    mkba_params_work *wf = mkba_params_work_alloc(f);
    wp = mkba_params_work_alloc(p);
    for (uint32_t draw = 0; draw < 20; draw++) {
        double a[32], b[32];
        sample_ok(p, wp, draw, a);
        sample_ok(f, wf, draw, b);
        for (size_t arm = 0; arm < 2; arm++)
            assert_memory_equal(a + arm * n, b + arm * m + 1, n * sizeof a[0]);
    }
    mkba_params_work_free(wp);
    mkba_params_work_free(wf);
    mkba_params_free(f);
    mkba_params_free(p);
}

/* Two works in two threads give the same numbers as one work in one. */
static void test_threads_agree(void **state)
{
    (void)state;
    mkba_params *p = psa_table(0);
    finalize_ok(p);
    size_t n = mkba_params_count(p);
    enum { DRAWS = 200 };
    double *serial = malloc(DRAWS * 2 * n * sizeof *serial);
    double *parallel = malloc(DRAWS * 2 * n * sizeof *parallel);
    mkba_params_work *w = mkba_params_work_alloc(p);
    for (uint32_t d = 0; d < DRAWS; d++)
        sample_ok(p, w, d, serial + d * 2 * n);
    mkba_params_work_free(w);
    mkba_params_work *works[2] = {mkba_params_work_alloc(p), mkba_params_work_alloc(p)};
    int failed = 0;
#pragma omp parallel for num_threads(2) schedule(static, 1) reduction(| : failed)
    for (int d = 0; d < DRAWS; d++) {
        int t = d % 2;
        mkba_error err;
        mkba_error_clear(&err);
        failed |= mkba_params_sample(p, SEED, (uint32_t)d, 0, MKBA_BASE_MEAN,
                                     parallel + (size_t)d * 2 * n, works[t], &err) != MKBA_OK;
    }
    assert_false(failed);
    assert_memory_equal(serial, parallel, DRAWS * 2 * n * sizeof *serial);
    mkba_params_work_free(works[0]);
    mkba_params_work_free(works[1]);
    free(serial);
    free(parallel);
    mkba_params_free(p);
}

/* PERT mean (min + 4 mode + max) / 6 by the sample mean of 20000 draws. */
static void test_pert_sample_mean(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(1);
    double lo = 4000, mode = 6000, hi = 10000;
    add(p, "ev", dist(MKBA_DIST_PERT, lo, mode, hi));
    finalize_ok(p);
    mkba_params_work *w = mkba_params_work_alloc(p);
    enum { N = 20000 };
    double s = 0, ss = 0;
    for (uint32_t d = 0; d < N; d++) {
        double v;
        sample_ok(p, w, d, &v);
        assert_true(v >= lo && v <= hi);
        s += v;
        ss += v * v;
    }
    double mean = s / N, sd = sqrt((ss - N * mean * mean) / (N - 1));
    double expected = (lo + 4 * mode + hi) / 6;
    if (fabs(mean - expected) > 4 * sd / sqrt(N))
        fail_msg("PERT sample mean %g, expected %g (SE %g)", mean, expected, sd / sqrt(N));
    mkba_params_work_free(w);
    mkba_params_free(p);
}

/* ---- arm overrides -------------------------------------------------------- */

static void test_arm_override(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(3);
    int x = add(p, "x", dist(MKBA_DIST_NORMAL, 10, 2, 0));
    int y = add(p, "y", dist(MKBA_DIST_GAMMA, 2, 3, 0));
    int z = add(p, "z", expr("x + y"));
    mkba_error err;
    mkba_error_clear(&err);
    mkba_dist o = dist(MKBA_DIST_NORMAL, 10, 2, 0);   /* same law, own stream */
    assert_int_equal(mkba_params_override(p, x, 1, &o, "arms.[1].overrides.x", NULL, 0, &err),
                     MKBA_OK);
    mkba_dist f = fixed(4.5);
    assert_int_equal(mkba_params_override(p, y, 2, &f, "arms.[2].overrides.y", NULL, 0, &err),
                     MKBA_OK);
    finalize_ok(p);
    mkba_params_work *w = mkba_params_work_alloc(p);
    double v[9];
    sample_ok(p, w, 11, v);
    double *a0 = v, *a1 = v + 3, *a2 = v + 6;
    assert_true(a1[x] != a0[x]);
    assert_true(a0[x] == a2[x]);               /* common value where not overridden */
    assert_true(a0[y] == a1[y]);
    assert_true(a2[y] == 4.5);
    for (int a = 0; a < 3; a++)
        assert_true(v[a * 3 + z] == v[a * 3 + x] + v[a * 3 + y]);
    /* The override's stream: purpose MKBA_STREAM_PARAMS + 256 (arm + 1). */
    gsl_rng *r = gsl_rng_alloc(mkba_rng_philox);
    mkba_rng_set_stream(r, SEED, 11, mkba_params_stream(p, (size_t)x), MKBA_STREAM_PARAMS + 256 * 2);
    assert_true(a1[x] == mkba_dist_quantile(&o, gsl_rng_uniform_pos(r)));
    gsl_rng_free(r);
    mkba_params_work_free(w);
    mkba_params_free(p);
}

/* An override can change dependencies: in arm 1, q depends on r, which is
 * defined after it. */
static void test_override_changes_order(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(2);
    int pp = add(p, "pp", expr("q + 1"));
    int q = add(p, "q", fixed(2));
    int r = add(p, "r", expr("3 * pp0"));
    int p0 = add(p, "pp0", fixed(1));
    mkba_error err;
    mkba_error_clear(&err);
    mkba_dist o = expr("r * 2");
    assert_int_equal(mkba_params_override(p, q, 1, &o, "arms.[1].overrides.q", NULL, 0, &err),
                     MKBA_OK);
    finalize_ok(p);
    mkba_params_work *w = mkba_params_work_alloc(p);
    double v[8];
    sample_ok(p, w, 0, v);
    assert_true(v[pp] == 3 && v[q] == 2 && v[r] == 3 && v[p0] == 1);
    assert_true(v[4 + r] == 3 && v[4 + q] == 6 && v[4 + pp] == 7);
    mkba_params_work_free(w);
    mkba_params_free(p);

    /* A cycle that only an override creates. */
    p = mkba_params_alloc(2);
    add(p, "xx", expr("yy + 1"));
    int yy = add(p, "yy", fixed(2));
    assert_int_equal(mkba_params_set_arm_name(p, 1, "integrated"), MKBA_OK);
    mkba_dist back = expr("xx * 2");
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_override(p, yy, 1, &back, "arms.[1].overrides.yy", NULL, 0,
                                          &err), MKBA_OK);
    expect_finalize_error(p, MKBA_EINVAL, "xx -> yy -> xx (with the overrides of arm integrated)");
    mkba_params_free(p);
}

/* Two names whose FNV-1a hashes are equal (found by a birthday search)
 * would share a stream: finalize refuses and names both. */
static void test_stream_collision(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(1);
    add(p, "p2039599", dist(MKBA_DIST_UNIFORM, 0, 1, 0));
    add(p, "p2222382", dist(MKBA_DIST_UNIFORM, 0, 1, 0));
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_finalize(p, &err), MKBA_EINVAL);
    assert_message(err, "parameters.p2222382: parameters 'p2222382' and 'p2039599'");
    assert_message(err, "would share a random stream (their names hash alike); rename one");
    mkba_params_free(p);
}

static void test_override_errors(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(2);
    int x = add(p, "x", fixed(1));
    double alpha[2] = {2, 3};
    mkba_error err;
    mkba_error_clear(&err);
    int d = mkba_params_add_dirichlet(p, "row", alpha, 2, "parameters.row", NULL, 0, NULL, &err);
    assert_true(d >= 0);
    mkba_dist o = dist(MKBA_DIST_BETA, 0, 1, 0);
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_override(p, x, 1, &o, "arms.[1].overrides.x", NULL, 0, &err),
                     MKBA_EINVAL);
    assert_message(err, "arms.[1].overrides.x: beta distribution needs alpha > 0 (got 0)");
    mkba_dist f = fixed(2);
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_override(p, d, 1, &f, "arms.[1].overrides.row_1", NULL, 0, &err),
                     MKBA_EINVAL);
    assert_message(err, "component of a Dirichlet vector");
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_override(p, x, 1, &f, "arms.[1].overrides.x", "s.cfg", 3, &err),
                     MKBA_OK);
    assert_int_equal(mkba_params_override(p, x, 1, &f, "arms.[1].overrides.x", "s.cfg", 9, &err),
                     MKBA_EINVAL);
    assert_message(err, "overridden twice");
    assert_message(err, "s.cfg:3: arms.[1].overrides.x");
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_override(p, x, 2, &f, "arms.[2].overrides.x", NULL, 0, &err),
                     MKBA_EINTERNAL);
    /* Parse errors in an override name the override. */
    mkba_dist bad = expr("x *");
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_override(p, x, 0, &bad, "arms.[0].overrides.x", NULL, 0, &err),
                     MKBA_OK);
    expect_finalize_error(p, MKBA_EPARSE, "arms.[0].overrides.x: cannot parse expression \"x *\"");
    mkba_params_free(p);
}

/* ---- Dirichlet ------------------------------------------------------------ */

static void test_dirichlet(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(1);
    add(p, "before", fixed(1));
    double alpha[3] = {80, 15, 5};
    mkba_error err;
    mkba_error_clear(&err);
    int first = mkba_params_add_dirichlet(p, "row_housing", alpha, 3, "parameters.row_housing",
                                          NULL, 0, NULL, &err);
    assert_int_equal(first, 1);
    alpha[0] = -5;   /* the table keeps its own copy */
    assert_int_equal(mkba_params_find(p, "row_housing_1"), 1);
    assert_int_equal(mkba_params_find(p, "row_housing_3"), 3);
    int sum = add(p, "s", expr("row_housing_1 + row_housing_2 + row_housing_3"));
    finalize_ok(p);
    mkba_params_work *w = mkba_params_work_alloc(p);
    enum { N = 2000 };
    double mean[3] = {0, 0, 0};
    for (uint32_t d = 0; d < N; d++) {
        double v[5];
        sample_ok(p, w, d, v);
        assert_close(v[1] + v[2] + v[3], 1.0, 1e-12);
        assert_close(v[sum], 1.0, 1e-12);
        for (int k = 0; k < 3; k++) {
            assert_true(v[1 + k] > 0);
            mean[k] += v[1 + k] / N;
        }
    }
    /* Component k is Beta(alpha_k, 100 - alpha_k): SE of the mean
     * sqrt(m (1 - m) / 101 / N). */
    const double expect[3] = {0.8, 0.15, 0.05};
    for (int k = 0; k < 3; k++)
        assert_close(mean[k], expect[k], 4 * sqrt(expect[k] * (1 - expect[k]) / 101 / N));
    /* Base case: the means. */
    double v[5];
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_sample(p, SEED, 0, 1, MKBA_BASE_MEAN, v, w, &err), MKBA_OK);
    assert_close(v[2], 0.15, 1e-15);
    mkba_params_work_free(w);
    mkba_params_free(p);
}

static void test_dirichlet_errors(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(1);
    add(p, "row_2", fixed(1));
    double alpha[3] = {1, 2, 3};
    mkba_error err;
    mkba_error_clear(&err);
    /* NAME_2 collides: nothing of the vector stays behind. */
    assert_int_equal(mkba_params_add_dirichlet(p, "row", alpha, 3, "parameters.row", NULL, 0,
                                               NULL, &err), -1);
    assert_message(err, "parameter 'row_2' is defined twice");
    assert_int_equal(mkba_params_count(p), 1);
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_add_dirichlet(p, "one", alpha, 1, "parameters.one", NULL, 0,
                                               NULL, &err), -1);
    assert_message(err, "parameters.one: dirichlet distribution needs at least 2 components");
    alpha[1] = 0;
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_add_dirichlet(p, "z", alpha, 3, "parameters.z", NULL, 0,
                                               NULL, &err), -1);
    assert_message(err, "parameters.z: dirichlet distribution needs every alpha finite and > 0 "
                        "(got 0 for component 2)");
    assert_int_equal(mkba_params_count(p), 1);
    mkba_params_free(p);
}

/* ---- copulas -------------------------------------------------------------- */

static void test_copula_correlation(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(1);
    int idx[2];
    idx[0] = add(p, "p_debt_worse", dist(MKBA_DIST_BETA, 20, 180, 0));
    add(p, "other", dist(MKBA_DIST_NORMAL, 0, 1, 0));
    idx[1] = add(p, "cost", dist(MKBA_DIST_GAMMA, 16, 500, 0));
    const double corr[4] = {1, 0.6, 0.6, 1};
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_add_copula(p, idx, 2, corr, "correlations.[0]", &err), MKBA_OK);
    finalize_ok(p);
    mkba_params_work *w = mkba_params_work_alloc(p);
    enum { N = 5000 };
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, so = 0, mcost = 0;
    for (uint32_t d = 0; d < N; d++) {
        double v[3];
        sample_ok(p, w, d, v);
        /* Normal scores through each margin's own CDF. */
        double x = gsl_cdf_ugaussian_Pinv(gsl_cdf_beta_P(v[idx[0]], 20, 180));
        double y = gsl_cdf_ugaussian_Pinv(gsl_cdf_gamma_P(v[idx[1]], 16, 500));
        sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
        so += v[1] * x;
        mcost += v[idx[1]] / N;
    }
    double r = (sxy - sx * sy / N) / sqrt((sxx - sx * sx / N) * (syy - sy * sy / N));
    assert_close(r, 0.6, 0.05);
    /* The uncorrelated parameter stays uncorrelated. */
    assert_close(so / N, 0.0, 0.06);
    /* Margins keep their law: gamma mean 8000, sd 2000. */
    assert_close(mcost, 8000, 4 * 2000 / sqrt(N));
    mkba_params_work_free(w);
    mkba_params_free(p);
}

static void expect_copula_error(const double *corr, size_t n, mkba_dist_kind kind,
                                const char *text)
{
    mkba_params *p = mkba_params_alloc(1);
    int idx[3];
    for (size_t i = 0; i < n; i++) {
        char name[24];
        snprintf(name, sizeof name, "c%zu", i);
        idx[i] = add(p, name, i == 1 && kind == MKBA_DIST_FIXED ? fixed(1)
                                                                  : dist(MKBA_DIST_NORMAL, 0, 1, 0));
    }
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_add_copula(p, idx, n, corr, "correlations.[0]", &err), MKBA_OK);
    expect_finalize_error(p, MKBA_EINVAL, text);
    mkba_params_free(p);
}

static void test_copula_errors(void **state)
{
    (void)state;
    const double not_pd[9] = {1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1};
    expect_copula_error(not_pd, 3, MKBA_DIST_NORMAL,
                        "correlations.[0].matrix is not positive definite");
    const double asym[4] = {1, 0.4, 0.3, 1};
    expect_copula_error(asym, 2, MKBA_DIST_NORMAL, "correlations.[0].matrix is not symmetric");
    const double diag[4] = {0.9, 0.4, 0.4, 1};
    expect_copula_error(diag, 2, MKBA_DIST_NORMAL, "needs 1 on the diagonal");
    const double range[4] = {1, 1.4, 1.4, 1};
    expect_copula_error(range, 2, MKBA_DIST_NORMAL, "entry (1,2) = 1.4 is outside [-1, 1]");
    const double ok[4] = {1, 0.4, 0.4, 1};
    expect_copula_error(ok, 2, MKBA_DIST_FIXED, "parameter 'c1' (parameters.c1) is fixed");

    /* One parameter in two correlations. */
    mkba_params *p = mkba_params_alloc(1);
    int a = add(p, "a", dist(MKBA_DIST_NORMAL, 0, 1, 0));
    int b = add(p, "b", dist(MKBA_DIST_NORMAL, 0, 1, 0));
    int c = add(p, "c", dist(MKBA_DIST_NORMAL, 0, 1, 0));
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_add_copula(p, (int[]){a, b}, 2, ok, "correlations.[0]", &err), 0);
    assert_int_equal(mkba_params_add_copula(p, (int[]){c, b}, 2, ok, "correlations.[1]", &err), 0);
    expect_finalize_error(p, MKBA_EINVAL,
                          "correlations.[1]: parameter 'b' is already in another correlation (correlations.[0])");
    mkba_params_free(p);

    /* A Dirichlet component has no quantile of its own. */
    p = mkba_params_alloc(1);
    a = add(p, "a", dist(MKBA_DIST_NORMAL, 0, 1, 0));
    mkba_error_clear(&err);
    int d = mkba_params_add_dirichlet(p, "w", (double[]){1, 2}, 2, "parameters.w", NULL, 0, NULL,
                                      &err);
    assert_int_equal(mkba_params_add_copula(p, (int[]){a, d}, 2, ok, "correlations.[0]", &err), 0);
    expect_finalize_error(p, MKBA_EINVAL, "is dirichlet; a correlation needs parameters");
    mkba_params_free(p);

    p = mkba_params_alloc(1);
    a = add(p, "a", dist(MKBA_DIST_NORMAL, 0, 1, 0));
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_add_copula(p, (int[]){a}, 1, ok, "correlations.[0]", &err),
                     MKBA_EINVAL);
    assert_message(err, "at least two parameters");
    mkba_params_free(p);
}

/* ---- base case ------------------------------------------------------------ */

static void test_base_case(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(2);
    int b = add(p, "b", dist(MKBA_DIST_BETA, 20, 180, 0));
    int g = add(p, "g", dist(MKBA_DIST_GAMMA, 16, 500, 0));
    int l = add(p, "l", dist(MKBA_DIST_LOGNORMAL, 0.1, 0.05, 0));
    int t = add(p, "t", dist(MKBA_DIST_TRIANGULAR, 200, 300, 450));
    int e = add(p, "e_", expr("b * 2"));
    mkba_error err;
    mkba_error_clear(&err);
    mkba_dist o = dist(MKBA_DIST_PERT, 4000, 6000, 10000);
    assert_int_equal(mkba_params_override(p, g, 1, &o, "arms.[1].overrides.g", NULL, 0, &err), 0);
    const double cg[4] = {1, 0.5, 0.5, 1};
    assert_int_equal(mkba_params_add_copula(p, (int[]){b, g}, 2, cg, "correlations.[0]", &err), 0);
    finalize_ok(p);
    mkba_params_work *w = mkba_params_work_alloc(p);
    double v[10], v2[10];
    assert_int_equal(mkba_params_sample(p, SEED, 5, 1, MKBA_BASE_MEAN, v, w, &err), MKBA_OK);
    assert_int_equal(mkba_params_sample(p, SEED + 1, 9, 1, MKBA_BASE_MEAN, v2, w, &err), MKBA_OK);
    assert_memory_equal(v, v2, sizeof v);   /* no randomness */
    assert_close(v[b], 0.1, 1e-15);
    assert_close(v[g], 8000, 1e-9);
    assert_close(v[l], exp(0.1 + 0.05 * 0.05 / 2), 1e-15);
    assert_close(v[t], 950.0 / 3, 1e-12);
    assert_close(v[e], 0.2, 1e-15);
    assert_close(v[5 + g], (4000 + 24000 + 10000) / 6.0, 1e-9);
    assert_true(v[5 + b] == v[b]);
    assert_int_equal(mkba_params_sample(p, SEED, 5, 1, MKBA_BASE_MODE, v, w, &err), MKBA_OK);
    assert_close(v[b], 19.0 / 198, 1e-15);
    assert_close(v[g], 7500, 1e-9);
    assert_close(v[l], exp(0.1 - 0.05 * 0.05), 1e-15);
    assert_close(v[t], 300, 0);
    assert_close(v[5 + g], 6000, 0);
    mkba_params_work_free(w);
    mkba_params_free(p);

    /* Beta(0.5, 2) has its mode on the boundary. */
    p = mkba_params_alloc(1);
    add(p, "p_edge", dist(MKBA_DIST_BETA, 0.5, 2, 0));
    finalize_ok(p);
    w = mkba_params_work_alloc(p);
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_sample(p, SEED, 0, 1, MKBA_BASE_MODE, v, w, &err), MKBA_EINVAL);
    assert_message(err, "parameter p_edge has no interior mode; use base_case = \"mean\"");
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_sample(p, SEED, 0, 1, MKBA_BASE_MEAN, v, w, &err), MKBA_OK);
    assert_close(v[0], 0.2, 1e-15);
    mkba_params_work_free(w);
    mkba_params_free(p);
}

/* ---- misuse --------------------------------------------------------------- */

static void test_lifecycle_errors(void **state)
{
    (void)state;
    assert_null(mkba_params_alloc(0));
    mkba_params *p = mkba_params_alloc(1);
    add(p, "a", fixed(1));
    assert_null(mkba_params_work_alloc(p));   /* not finalized */
    mkba_error err;
    double v[2];
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_sample(p, SEED, 0, 0, MKBA_BASE_MEAN, v, NULL, &err),
                     MKBA_EINTERNAL);
    finalize_ok(p);
    finalize_ok(p);   /* a second call changes nothing */
    mkba_dist d = fixed(2);
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_add(p, "b", &d, "parameters.b", NULL, 0, NULL, &err), -1);
    assert_message(err, "already finalized");
    mkba_params *other = mkba_params_alloc(1);
    add(other, "a", fixed(1));
    finalize_ok(other);
    mkba_params_work *w = mkba_params_work_alloc(other);
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_sample(p, SEED, 0, 0, MKBA_BASE_MEAN, v, w, &err),
                     MKBA_EINTERNAL);
    mkba_params_work_free(w);
    mkba_params_free(other);
    mkba_params_free(p);
}

/* ---- calendar time -------------------------------------------------------- */

/* Parameters that vary by year: through an expression of `year`, through
 * another such parameter, or only in the arm that overrides them. Each
 * cycle's value is the expression at that cycle's year, from the draw's
 * values; a drawn input keeps its draw, a parameter that does not vary is
 * not in the table, and mkba_params_sample gives the value in year 1. */
static void test_by_cycle(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(2);
    int base = add(p, "base", dist(MKBA_DIST_GAMMA, 4, 250, 0));
    int trend = add(p, "trend", expr("base * 1.03 ^ (year - 1)"));
    int twice = add(p, "twice", expr("2 * trend"));
    int flat = add(p, "flat", expr("base + 1"));
    mkba_error err;
    mkba_error_clear(&err);
    mkba_dist o = expr("base - 10 * year");
    assert_int_equal(mkba_params_override(p, flat, 1, &o, "arms.[1].overrides.flat", NULL, 0,
                                          &err), MKBA_OK);
    finalize_ok(p);
    assert_int_equal(mkba_params_time_count(p), 3);
    assert_int_equal(mkba_params_time_column(p, (size_t)base), -1);
    int ct = mkba_params_time_column(p, (size_t)trend), c2 = mkba_params_time_column(p, (size_t)twice);
    int cf = mkba_params_time_column(p, (size_t)flat);
    assert_true(ct >= 0 && c2 >= 0 && cf >= 0);
    assert_int_equal(mkba_params_time_param(p, (size_t)ct), trend);
    mkba_params_work *w = mkba_params_work_alloc(p);
    double v[8], out[2 * 3 * 4];
    const double year[4] = { 1.0, 2.0, 3.0, 4.5 };
    sample_ok(p, w, 5, v);
    assert_true(v[trend] == v[base] && v[twice] == 2 * v[base]);   /* year 1 */
    assert_int_equal(mkba_params_by_cycle(p, v, year, 4, 5, out, w, &err), MKBA_OK);
    for (int a = 0; a < 2; a++)
        for (int k = 0; k < 4; k++) {
            double b = v[a * 4 + base], t = b * pow(1.03, year[k] - 1);
            assert_true(fabs(out[(a * 3 + ct) * 4 + k] - t) <= 1e-12 * t);
            assert_true(out[(a * 3 + c2) * 4 + k] == 2 * out[(a * 3 + ct) * 4 + k]);
            double want = a == 0 ? b + 1 : b - 10 * year[k];
            assert_true(out[(a * 3 + cf) * 4 + k] == want);
        }
    mkba_params_work_free(w);
    mkba_params_free(p);
}

/* A value that becomes infinite in some year is an error naming the
 * parameter and the draw; a parameter that varies by year and a setting
 * reads once per draw is refused by finalize, naming that setting; and
 * no parameter may be called `year`. */
static void test_by_cycle_errors(void **state)
{
    (void)state;
    mkba_params *p = mkba_params_alloc(1);
    add(p, "spike", expr("1 / (year - 3)"));
    finalize_ok(p);
    mkba_params_work *w = mkba_params_work_alloc(p);
    double v[1], out[4];
    const double year[4] = { 1.0, 2.0, 3.0, 4.0 };
    sample_ok(p, w, 2, v);
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_by_cycle(p, v, year, 4, 2, out, w, &err), MKBA_ENUMERIC);
    if (strstr(err.message, "draw 2") == NULL || strstr(err.message, "spike") == NULL)
        fail_msg("unhelpful message: %s", err.message);
    mkba_params_work_free(w);
    mkba_params_free(p);

    p = mkba_params_alloc(1);
    int rate = add(p, "rate", expr("0.01 * year"));
    int used = add(p, "used", expr("rate / 2"));
    mkba_params_mark_once(p, used, "domains.[0].transitions.[0].probabilities.ill", "s.cfg", 17);
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_finalize(p, &err), MKBA_EINVAL);
    if (strstr(err.message, "s.cfg:17: domains.[0].transitions.[0].probabilities.ill") == NULL
        || strstr(err.message, "parameter used") == NULL
        || strstr(err.message, "uses rate, which varies by year") == NULL)
        fail_msg("unhelpful message: %s", err.message);
    (void)rate;
    mkba_params_free(p);

    p = mkba_params_alloc(1);
    mkba_dist one = fixed(1.0);
    mkba_error_clear(&err);
    assert_true(mkba_params_add(p, "year", &one, "parameters.year", NULL, 0, "x", &err) < 0);
    if (strstr(err.message, "'year' is reserved") == NULL)
        fail_msg("unhelpful message: %s", err.message);
    mkba_params_free(p);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_find_get),
        cmocka_unit_test(test_add_errors),
        cmocka_unit_test(test_expression_exact_and_ordered),
        cmocka_unit_test(test_cycle_named),
        cmocka_unit_test(test_unknown_variable),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_nonfinite_expression),
        cmocka_unit_test(test_same_draw_bit_identical),
        cmocka_unit_test(test_unrelated_parameter_changes_nothing),
        cmocka_unit_test(test_stream_collision),
        cmocka_unit_test(test_threads_agree),
        cmocka_unit_test(test_pert_sample_mean),
        cmocka_unit_test(test_arm_override),
        cmocka_unit_test(test_override_changes_order),
        cmocka_unit_test(test_override_errors),
        cmocka_unit_test(test_dirichlet),
        cmocka_unit_test(test_dirichlet_errors),
        cmocka_unit_test(test_copula_correlation),
        cmocka_unit_test(test_copula_errors),
        cmocka_unit_test(test_base_case),
        cmocka_unit_test(test_lifecycle_errors),
        cmocka_unit_test(test_by_cycle),
        cmocka_unit_test(test_by_cycle_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
