/* Argument checks of the study's designs and the sensitivity analyses,
 * provoked by calling the functions directly with arguments the program
 * itself never passes (its option parser refuses them first), as
 * test_errors_api does for the loader and the result files. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "mkba/sa.h"
#include "study/design.h"
#include "support.h"
#include "support_errors.h"

static mkba_model *model;

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
    };
    return cmocka_run_group_tests_name("argument checks (2)", tests, setup, teardown);
}
