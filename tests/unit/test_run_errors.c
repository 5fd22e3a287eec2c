/* Errors only a run can find: a drawn row that is not a distribution stops
 * the run with a message naming the draw, arm, row and rule, and leaves
 * neither the result file nor its temporary file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static void test_drawn_row_above_one(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/drawn_row.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char path[96], tmp[128];
    snprintf(path, sizeof path, "/tmp/mkba-drawn-row-%d.h5", (int)getpid());
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = path;
    o.force = 1;
    /* p_up + 0.3 > 1 when p_up > 0.7: a third of the draws. */
    assert_int_equal(mkba_run(NULL, m, &o, &err), MKBA_ENUMERIC);
    print_message("%s\n", err.message);
    assert_non_null(strstr(err.message, "draw "));
    assert_non_null(strstr(err.message, "arm 'classic'"));
    assert_non_null(strstr(err.message, "row of 'none'"));
    assert_non_null(strstr(err.message, "more than 1 (tolerance 1e-09)"));
    assert_non_null(strstr(err.message, "rule domains.[0].transitions.[0] at tests/data/drawn_row.cfg:15"));
    assert_false(exists(path));
    assert_false(exists(tmp));

    /* The base case (p_up = 0.6) is a valid row and runs. */
    o.draws = 0;
    mkba_error_clear(&err);
    if (mkba_run(NULL, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_true(exists(path));
    remove(path);
    mkba_model_free(m);
}

/* An amount beyond +-1e15 per household (here 1e300 from an expression)
 * stops the run at the first draw with the rule's file, line and setting,
 * before any sum can overflow; no file is left. */
static void test_amount_beyond_range(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/huge_amount.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char path[96];
    snprintf(path, sizeof path, "/tmp/mkba-huge-%d.h5", (int)getpid());
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = path;
    o.force = 1;
    assert_int_equal(mkba_run(NULL, m, &o, &err), MKBA_ENUMERIC);
    assert_non_null(strstr(err.message, "tests/data/huge_amount.cfg:18: costs.[0]: draw 0, arm 'classic'"));
    assert_non_null(strstr(err.message, "expected a finite amount within +-1e+15 per household"));
    assert_false(exists(path));
    mkba_model_free(m);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drawn_row_above_one),
        cmocka_unit_test(test_amount_beyond_range),
    };
    return cmocka_run_group_tests_name("run errors", tests, NULL, NULL);
}
