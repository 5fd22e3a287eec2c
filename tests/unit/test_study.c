/* The study layer: explicit parameter values (mkba run --set and points
 * designs) against scenarios edited by hand, common random numbers across
 * points, parallel points against serial ones, and output paths refused
 * before any work. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include "mkba/mkba.h"
#include "support.h"
#include "support_sim.h"
#include "study/study.h"

static const char *datasets[] = {
    "/draws/cost", "/draws/cost_discounted", "/draws/effect", "/draws/effect_discounted",
    "/draws/occupancy", "/draws/cost_total", "/draws/cost_total_discounted",
    "/draws/effect_total", "/draws/effect_total_discounted", "/draws/parameters",
    "/draws/transfer", "/draws/cost_category", "/draws/escalations",
};
#define NDATASETS (sizeof datasets / sizeof datasets[0])

static double *read_all(const char *path, const char *name, size_t *count)
{
    double *v = support_read_doubles(path, name, count);
    if (v == NULL)
        fail_msg("cannot read %s from %s", name, path);
    return v;
}

/* Asserts that stored draw ia of file a equals stored draw ib of file b
 * (na and nb draws stored) in every dataset, bit for bit. */
static void assert_same_draw(const char *a, size_t ia, size_t na, const char *b, size_t ib,
                             size_t nb)
{
    for (size_t i = 0; i < NDATASETS; i++) {
        size_t n1, n2;
        double *x = read_all(a, datasets[i], &n1);
        double *y = read_all(b, datasets[i], &n2);
        assert_int_equal(n1 / na, n2 / nb);
        size_t per = n1 / na;
        if (memcmp(x + ia * per, y + ib * per, per * sizeof *x) != 0)
            fail_msg("%s differs between %s[%zu] and %s[%zu]", datasets[i], a, ia, b, ib);
        free(x);
        free(y);
    }
}

/* Copies file `from` to `to`, replacing the line that starts with `key`
 * (after blanks) by `line`. */
static void edit_copy(const char *from, const char *to, const char *const *key,
                      const char *const *line, size_t n)
{
    FILE *in = fopen(from, "r"), *out = fopen(to, "w");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t replaced = 0;
    while (fgets(buf, sizeof buf, in) != NULL) {
        const char *s = buf + strspn(buf, " \t");
        size_t k = 0;
        while (k < n && strncmp(s, key[k], strlen(key[k])) != 0)
            k++;
        if (k < n) {
            fprintf(out, "%s\n", line[k]);
            replaced++;
        } else {
            fputs(buf, out);
        }
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(replaced, n);
}

static void run_to(const mkba_model *m, const char *path, long draws, int threads,
                   size_t nset, const char *const *name, const double *value)
{
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = path;
    o.force = 1;
    o.draws = draws;
    o.households = 800;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = threads;
    o.nset = nset;
    o.set_name = name;
    o.set_value = value;
    mkba_error err = {0};
    if (mkba_run(&ctx, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
}

/* --set of a drawn parameter and of a derived one equals the scenario with
 * both written as those fixed values, in every dataset of every draw: the
 * other parameters keep their streams, the derived ones that use a fixed
 * value follow it. */
static void test_set_equals_hand_edit(void **state)
{
    (void)state;
    char edited[64], a[64], b[64];
    snprintf(edited, sizeof edited, "/tmp/mkba-study-%d.cfg", (int)getpid());
    snprintf(a, sizeof a, "/tmp/mkba-study-%d-set.h5", (int)getpid());
    snprintf(b, sizeof b, "/tmp/mkba-study-%d-edit.h5", (int)getpid());
    const char *key[] = { "hr_recover ", "eviction_cost " };
    const char *line[] = { "hr_recover = 1.2;", "eviction_cost = 7777.5;" };
    edit_copy("tests/data/full.cfg", edited, key, line, 2);
    const char *name[] = { "hr_recover", "eviction_cost" };
    const double value[] = { 1.2, 7777.5 };
    mkba_model *m = support_load("tests/data/full.cfg");
    mkba_model *e = support_load(edited);
    run_to(m, a, 3, 2, 2, name, value);
    run_to(e, b, 3, 1, 0, NULL, NULL);
    for (size_t d = 0; d < 3; d++)
        assert_same_draw(a, d, 3, b, d, 3);
    /* A derived parameter: its expression gives way to the value. */
    const char *dkey[] = { "p_mental_worse " };
    const char *dline[] = { "p_mental_worse = 0.0625;" };
    edit_copy("tests/data/full.cfg", edited, dkey, dline, 1);
    mkba_model *e2 = support_load(edited);
    const char *dname[] = { "p_mental_worse" };
    const double dvalue[] = { 0.0625 };
    run_to(m, a, 2, 2, 1, dname, dvalue);
    run_to(e2, b, 2, 2, 0, NULL, NULL);
    for (size_t d = 0; d < 2; d++)
        assert_same_draw(a, d, 2, b, d, 2);
    mkba_model_free(e2);
    mkba_model_free(e);
    mkba_model_free(m);
    unlink(edited);
    unlink(a);
    unlink(b);
}

/* A parameter that an arm overrides: --set NAME fixes the scenario's own
 * definition and the overriding arm keeps its override, exactly as an
 * edited scenario; --set NAME@ARM fixes it in that arm only. */
static void test_set_overridden(void **state)
{
    (void)state;
    char edited[64], a[64], b[64];
    snprintf(edited, sizeof edited, "/tmp/mkba-study-ov-%d.cfg", (int)getpid());
    snprintf(a, sizeof a, "/tmp/mkba-study-ov-%d-set.h5", (int)getpid());
    snprintf(b, sizeof b, "/tmp/mkba-study-ov-%d-edit.h5", (int)getpid());
    /* The reference definition, not the integrated arm's override. */
    const char *key[] = { "p_debt_recover = { dist = \"beta\"; alpha = 20.0" };
    const char *line[] = { "p_debt_recover = 0.3;" };
    edit_copy("tests/data/full.cfg", edited, key, line, 1);
    mkba_model *m = support_load("tests/data/full.cfg");
    mkba_model *e = support_load(edited);
    int k = mkba_params_find(m->params, "p_debt_recover");
    assert_true(k >= 0);
    assert_false(mkba_params_overridden(m->params, (size_t)k, 0));
    assert_true(mkba_params_overridden(m->params, (size_t)k, 1));
    const char *name[] = { "p_debt_recover" };
    const double value[] = { 0.3 };
    run_to(m, a, 3, 2, 1, name, value);
    run_to(e, b, 3, 1, 0, NULL, NULL);
    for (size_t d = 0; d < 3; d++)
        assert_same_draw(a, d, 3, b, d, 3);
    /* In one arm: the integrated arm's value is replaced, classic's drawn. */
    const char *one[] = { "p_debt_recover@integrated" };
    const double v2[] = { 0.35 };
    run_to(m, a, 2, 2, 1, one, v2);
    size_t n;
    double *par = read_all(a, "/draws/parameters", &n);
    size_t np = n / 2 / 2;
    for (size_t d = 0; d < 2; d++) {
        assert_true(par[(d * 2 + 1) * np + (size_t)k] == 0.35);
        assert_true(par[(d * 2 + 0) * np + (size_t)k] != 0.35);
    }
    free(par);
    mkba_model_free(e);
    mkba_model_free(m);
    unlink(edited);
    unlink(a);
    unlink(b);
}

/* Unknown names and arms are named with the closest; a value given twice
 * is refused. */
static void test_set_errors(void **state)
{
    (void)state;
    mkba_model *m = support_load("tests/data/full.cfg");
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.draws = 1;
    o.households = 10;
    struct { const char *name[2]; size_t n; const char *want; } cases[] = {
        { { "hr_recover@integratd" }, 1, "no arm 'integratd' (did you mean 'integrated'?)" },
        { { "hr_recover", "hr_recover" }, 2, "given more than once" },
        { { "hr_recover@classic", "hr_recover" }, 2, "given more than once" },
    };
    const double value[] = { 1.0, 1.1 };
    /* The definition and one overriding arm do not overlap, in either order. */
    const char *both[2][2] = { { "p_debt_recover@integrated", "p_debt_recover" },
                               { "p_debt_recover", "p_debt_recover@integrated" } };
    const double p[] = { 0.3, 0.35 };
    for (size_t i = 0; i < 2; i++) {
        o.nset = 2;
        o.set_name = both[i];
        o.set_value = p;
        mkba_error err = {0};
        if (mkba_run(NULL, m, &o, &err) != MKBA_OK)
            fail_msg("%s", err.message);
    }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        o.nset = cases[i].n;
        o.set_name = cases[i].name;
        o.set_value = value;
        mkba_error err = {0};
        assert_int_equal(mkba_run(NULL, m, &o, &err), MKBA_EINVAL);
        if (strstr(err.message, cases[i].want) == NULL)
            fail_msg("expected \"%s\" in: %s", cases[i].want, err.message);
    }
    mkba_model_free(m);
}

static void test_set_unknown_name(void **state)
{
    (void)state;
    mkba_model *m = support_load("tests/data/full.cfg");
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.draws = 1;
    o.households = 10;
    const char *name[] = { "hr_recovr" };
    const double value[] = { 1.0 };
    o.nset = 1;
    o.set_name = name;
    o.set_value = value;
    mkba_error err = {0};
    assert_int_equal(mkba_run(NULL, m, &o, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "'hr_recovr'"));
    assert_non_null(strstr(err.message, "did you mean 'hr_recover'"));
    mkba_model_free(m);
}

/* Runs a points design over hr_recover (values 0.9 + 0.1 i) on the base
 * case, into path. */
static void run_points(const mkba_model *m, const char *path, size_t npoints, int threads)
{
    mkba_error err = {0};
    mkba_design *d = mkba_design_points(m, npoints, 1, 0, &err);
    assert_non_null(d);
    int k = mkba_design_param(m, "test", "hr_recover", &err);
    assert_true(k >= 0);
    for (size_t i = 0; i < npoints; i++)
        assert_int_equal(mkba_design_set_point(d, m, i, (size_t)k, -1, 0.9 + 0.1 * (double)i),
                         2);
    mkba_study_options o = { .output = path, .force = 1, .households = 700, .seed = m->seed,
                             .threads = threads, .mode = MKBA_ENGINE_MICRO, .analyse = 1,
                             .store_draws = 1 };
    if (mkba_study_run(m, d, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_design_free(d);
}

/* Point i of a points design equals a base-case run with --set at the
 * point's value; whole points in parallel (2 and 3 threads) equal points
 * one after the other (1 thread). */
static void test_points_design(void **state)
{
    (void)state;
    mkba_model *m = support_load("tests/data/full.cfg");
    char p1[64], p2[64], p3[64], one[64];
    snprintf(p1, sizeof p1, "/tmp/mkba-points-%d-1.h5", (int)getpid());
    snprintf(p2, sizeof p2, "/tmp/mkba-points-%d-2.h5", (int)getpid());
    snprintf(p3, sizeof p3, "/tmp/mkba-points-%d-3.h5", (int)getpid());
    snprintf(one, sizeof one, "/tmp/mkba-points-%d-one.h5", (int)getpid());
    run_points(m, p1, 7, 1);
    /* The points' explicit values are stored, labelled by draw and parameter. */
    hid_t f = H5Fopen(p1, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t pv = H5Dopen2(f, "/design/point_values", H5P_DEFAULT);
    assert_true(pv >= 0);
    assert_int_equal(H5DSget_num_scales(pv, 0), 1);
    assert_int_equal(H5DSget_num_scales(pv, 1), 1);
    H5Dclose(pv);
    H5Fclose(f);
    run_points(m, p2, 7, 2);
    run_points(m, p3, 7, 3);
    for (size_t i = 0; i < 7; i++) {
        assert_same_draw(p1, i, 7, p2, i, 7);
        assert_same_draw(p1, i, 7, p3, i, 7);
    }
    const char *name[] = { "hr_recover" };
    for (size_t i = 0; i < 7; i += 3) {
        double v = 0.9 + 0.1 * (double)i;
        mkba_run_options o;
        mkba_run_options_init(&o);
        o.output = one;
        o.force = 1;
        o.draws = 0;
        o.households = 700;
        o.nset = 1;
        o.set_name = name;
        o.set_value = &v;
        mkba_error err = {0};
        if (mkba_run(NULL, m, &o, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        assert_same_draw(p1, i, 7, one, 0, 1);
    }
    /* Common random numbers: hr_recover acts in the integrated arm only, so
     * the classic arm (the first half of each point's [arm][cycle][payer]
     * block) is the same at every point while the integrated arm moves. */
    size_t n;
    double *c = read_all(p1, "/draws/cost", &n);
    size_t per = n / 7, half = per / 2;
    for (size_t i = 1; i < 7; i++) {
        assert_memory_equal(c, c + i * per, half * sizeof *c);
        assert_true(memcmp(c + half, c + i * per + half, half * sizeof *c) != 0);
    }
    free(c);
    mkba_model_free(m);
    unlink(p1);
    unlink(p2);
    unlink(p3);
    unlink(one);
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* A folder, a missing folder and a device are refused before the run
 * starts (a run of 10^9 household-cycles would take minutes), in words. */
static void test_output_refused_first(void **state)
{
    (void)state;
    mkba_model *m = support_load("tests/data/full.cfg");
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.draws = 1000;
    o.households = 1000000;
    o.force = 1;
    const char *path[] = { "/tmp", "/tmp/mkba-no-such-folder/out.h5", "/dev/null" };
    const char *words[] = { "is a folder", "does not exist", "not a regular file" };
    for (size_t i = 0; i < 3; i++) {
        mkba_error err = {0};
        o.output = path[i];
        assert_int_equal(mkba_run(NULL, m, &o, &err), MKBA_EIO);
        if (strstr(err.message, words[i]) == NULL || strstr(err.message, path[i]) == NULL)
            fail_msg("%s: %s", path[i], err.message);
    }
    assert_false(exists("/tmp.tmp"));
    assert_false(exists("/dev/null.tmp"));
    mkba_model_free(m);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_equals_hand_edit),
        cmocka_unit_test(test_set_overridden),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_set_unknown_name),
        cmocka_unit_test(test_points_design),
        cmocka_unit_test(test_output_refused_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
