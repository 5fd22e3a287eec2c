/* Error paths of library calls that no scenario or command line reaches
 * through the program: argument checks of internal functions, an arm name
 * the scenario lacks, and a result file that another process creates while
 * a run is writing its own. Each call must return its code with a message,
 * and the writer must leave the other process's file alone. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "core/cycles.h"
#include "mkba/sa.h"
#include "study/design.h"
#include "io/h5out.h"
#include "model/params.h"
#include "support.h"
#include "support_errors.h"

static mkba_model *model;

static void test_argument_checks(void **state)
{
    (void)state;
    mkba_error err = {0};
    support_expect_error(mkba_cycles_per_year(1.0, NULL, &err), MKBA_EINVAL, &err,
                   "cycles per year: no output given");
    mkba_error_clear(&err);
    double values[1], out[1];
    support_expect_error(mkba_params_by_cycle(model->params, values, NULL, 1, 0, out, NULL, &err),
                   MKBA_EINTERNAL, &err, "mkba_params_by_cycle needs a finalized table and a "
                   "work object allocated for it");
}

/* The checks of the parameter table, distributions and the result-file
 * writer and reader against a call the loader or the run never makes. */
static void test_internal_checks(void **state)
{
    (void)state;
    mkba_error err = {0};
    mkba_dist bad = { .kind = (mkba_dist_kind)99 };
    support_expect_error(mkba_dist_check(&bad, "here", &err), MKBA_EINVAL, &err,
                   "here: unknown distribution kind 99");
    mkba_error_clear(&err);
    mkba_dist dirichlet = { .kind = MKBA_DIST_DIRICHLET, .group_size = 2 };
    support_expect_error(mkba_dist_check(&dirichlet, "here", &err), MKBA_EINVAL, &err,
                   "here: dirichlet distribution has no alpha vector");

    mkba_params *p = mkba_params_alloc(2);
    assert_non_null(p);
    mkba_dist fixed = { .kind = MKBA_DIST_FIXED, .a = 1.0 };
    const double alpha[2] = { 1.0, 2.0 };
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_add(p, "", &fixed, "parameters.x", "f.cfg", 3, NULL, &err), -1);
    support_expect_error(err.code, MKBA_EINVAL, &err, "f.cfg:3: parameters.x: a parameter needs a name");
    mkba_error_clear(&err);
    assert_int_equal(mkba_params_add_dirichlet(p, "", alpha, 2, "parameters.d", "f.cfg", 4,
                                               NULL, &err), -1);
    support_expect_error(err.code, MKBA_EINVAL, &err, "f.cfg:4: parameters.d: a parameter needs a name");
    mkba_error_clear(&err);
    int x = mkba_params_add(p, "x", &fixed, "parameters.x", "f.cfg", 3, NULL, &err);
    assert_int_equal(x, 0);
    dirichlet.alpha = (double *)alpha;
    support_expect_error(mkba_params_override(p, x, 1, &dirichlet, "arms.[1].overrides.x", "f.cfg", 9,
                                        &err), MKBA_EINVAL, &err,
                   "f.cfg:9: arms.[1].overrides.x: an arm override cannot be a Dirichlet");
    mkba_error_clear(&err);
    const int index[2] = { x, 7 };
    const double corr[4] = { 1, 0, 0, 1 };
    support_expect_error(mkba_params_add_copula(p, index, 2, corr, "f.cfg:12: correlations.[0]", &err),
                   MKBA_EINTERNAL, &err, "f.cfg:12: correlations.[0]: parameter index 7 is out "
                   "of range");
    mkba_params_free(p);
    mkba_error_clear(&err);
    support_expect_error(mkba_params_finalize(NULL, &err), MKBA_EINTERNAL, &err,
                   "mkba_params_finalize: no table");

    mkba_h5_totals *t = NULL;
    mkba_error_clear(&err);
    support_expect_error(mkba_h5_read_totals("x.h5", NULL, &err), MKBA_EINVAL, &err,
                   "mkba_h5_read_totals: missing output");
    mkba_error_clear(&err);
    support_expect_error(mkba_h5_read_totals(NULL, &t, &err), MKBA_EINVAL, &err,
                   "mkba_h5_read_totals: missing path");
    mkba_error_clear(&err);
    assert_null(mkba_h5_store_open(NULL, 0, &err));
    support_expect_error(err.code, MKBA_EINVAL, &err, "mkba_h5_store_open: missing path");
    mkba_error_clear(&err);
    assert_null(mkba_h5_create(NULL, 1, model, NULL, 1, &err));
    support_expect_error(err.code, MKBA_EINVAL, &err, "mkba_h5_create: missing path, model or run "
                   "facts");
    mkba_error_clear(&err);
    support_expect_error(mkba_h5_write_draw(NULL, 0, NULL, &err), MKBA_EINVAL, &err,
                   "mkba_h5_write_draw: missing writer or result");
    mkba_error_clear(&err);
    support_expect_error(mkba_h5_set_draw_index(NULL, 0, 0, &err), MKBA_EINVAL, &err,
                   "mkba_h5_set_draw_index: missing writer");
    mkba_error_clear(&err);
    support_expect_error(mkba_h5_finish(NULL, &err), MKBA_EINVAL, &err,
                   "mkba_h5_finish: missing writer");
}

/* A misspelt arm gets the closest name; one far from all gets none. */
static void test_unknown_arm(void **state)
{
    (void)state;
    mkba_error err = {0};
    assert_int_equal(mkba_model_arm(model, "--arm", "integratd", &err), -1);
    support_expect_error(err.code, MKBA_EINVAL, &err,
                   "--arm: the scenario has no arm 'integratd' (did you mean 'integrated'?)");
    mkba_error_clear(&err);
    assert_int_equal(mkba_model_arm(model, "--arm", "zzqqxxkk", &err), -1);
    support_expect_error(err.code, MKBA_EINVAL, &err, "--arm: the scenario has no arm 'zzqqxxkk'");
    assert_null(strstr(err.message, "did you mean"));
    assert_int_equal(mkba_model_arm(model, "--arm", "integrated", &err), 1);
}

/* The output is checked when the run starts and again when it commits:
 * a file that appeared in between is not overwritten without --force. */
static void test_output_appears_during_run(void **state)
{
    (void)state;
    char path[96], tmp[112];
    snprintf(path, sizeof path, "/tmp/mkba-errors-api-%d.h5", (int)getpid());
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    remove(path);
    const mkba_run_meta meta = { 1, 1, 10, 1, "microsimulation", "none", 0 };
    mkba_error err = {0};
    mkba_h5_writer *w = mkba_h5_create(path, 0, model, &meta, 1, &err);
    assert_non_null(w);
    mkba_draw_result *r = mkba_draw_result_alloc(model);
    assert_non_null(r);
    assert_int_equal(mkba_h5_write_draw(w, 0, r, &err), MKBA_OK);
    mkba_draw_result_free(r);
    assert_int_equal(support_write_file(path, "another process's file\n"), 0);
    char phrase[160];
    snprintf(phrase, sizeof phrase, "%s exists; use --force to overwrite", path);
    support_expect_error(mkba_h5_close(w, 1, &err), MKBA_EEXIST, &err, phrase);
    assert_int_not_equal(access(tmp, F_OK), 0);
    char *text = support_read_file(path);
    assert_non_null(text);
    assert_string_equal(text, "another process's file\n");
    free(text);
    remove(path);
}

/* The study's designs and the sensitivity analyses: arguments the option
 * parser refuses before the program would pass them. */
static void test_design_checks(void **state)
{
    (void)state;
    mkba_error err = {0};
    assert_null(mkba_design_psa(model, 0, &err));
    support_expect_error(err.code, MKBA_EINVAL, &err,
                         "draws must be between 1 and 100000000 for a PSA (got 0)");
    mkba_error_clear(&err);
    assert_null(mkba_design_points(model, 0, 0, 0, &err));
    support_expect_error(err.code, MKBA_EINVAL, &err,
                         "a design needs between 1 and 100000000 points (got 0)");
    mkba_error_clear(&err);
    mkba_design *d = mkba_design_psa(model, 2, &err);
    assert_non_null(d);
    static const uint32_t draws[2] = { 0, 1 };
    support_expect_error(mkba_design_set_draws(d, draws, &err), MKBA_EINTERNAL, &err,
                         "only a points design has per-point draws");
    mkba_error_clear(&err);
    support_expect_error(mkba_design_fix(d, model, "u_severe", NULL, NAN, &err), MKBA_EINVAL,
                         &err, "--set u_severe: expected a finite number");
    mkba_design_free(d);
}

static void test_sa_checks(void **state)
{
    (void)state;
    mkba_error err = {0};
    mkba_sa_options o;
    mkba_sa_options_init(&o);
    o.method = MKBA_SA_NMETHODS;
    o.output = "/nonexistent/out.h5";
    support_expect_error(mkba_sa_run(NULL, model, &o, &err), MKBA_EINVAL, &err,
                         "unknown sensitivity method");
    mkba_error_clear(&err);
    o.method = MKBA_SA_TORNADO;
    o.output = NULL;
    support_expect_error(mkba_sa_run(NULL, model, &o, &err), MKBA_EINVAL, &err,
                         "mkba sa needs a result file (-o)");
    mkba_error_clear(&err);
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    int rc = mkba_sa_function(NULL, &o, "ishigami", MKBA_SUMMARY_TEXT, sink, &err);
    fclose(sink);
    support_expect_error(rc, MKBA_EINVAL, &err, "--function works with sobol and morris, not ");
}

static int setup(void **state)
{
    (void)state;
    mkba_error err = {0};
    return mkba_scenario_load(NULL, "tests/data/full.cfg", &model, &err) == MKBA_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    mkba_model_free(model);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_design_checks),
        cmocka_unit_test(test_sa_checks),
        cmocka_unit_test(test_argument_checks),
        cmocka_unit_test(test_internal_checks),
        cmocka_unit_test(test_unknown_arm),
        cmocka_unit_test(test_output_appears_during_run),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
