/* Error paths of the result-file reader behind `mkba summary`: a file that
 * is HDF5 but not a result file, a dataset of the wrong shape, a root
 * attribute naming an arm the labels do not have. Each is refused with a
 * message naming the file and what is wrong, never read as if it were
 * whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "io/h5util.h"
#include "support.h"

static char good[96], bad[96];

/* The summary of path must fail with code and contain phrase. */
static void expect_summary(const char *path, int code, const char *phrase)
{
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    mkba_error err = {0};
    int rc = mkba_summary_write(NULL, path, MKBA_SUMMARY_TEXT, NULL, sink, &err);
    fclose(sink);
    if (rc != code || strstr(err.message, phrase) == NULL)
        fail_msg("code %d (expected %d), expected \"%s\" in: %s", rc, code, phrase,
                 err.message);
}

/* A copy of the good result file, opened for writing. */
static hid_t damaged_copy(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp %s %s", good, bad);
    assert_int_equal(system(cmd), 0);
    hid_t f = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    return f;
}

static void test_not_a_result_file(void **state)
{
    (void)state;
    hid_t f = H5Fcreate(bad, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t g = H5Gcreate2(f, "labels", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(g >= 0);
    H5Gclose(g);
    H5Fclose(f);
    char phrase[256];
    snprintf(phrase, sizeof phrase, "%s is not an mkba result file (missing /draws/", bad);
    expect_summary(bad, MKBA_EPARSE, phrase);
}

static void test_missing_dataset(void **state)
{
    (void)state;
    hid_t f = damaged_copy();
    assert_true(H5Ldelete(f, "/draws/effect", H5P_DEFAULT) >= 0);
    H5Fclose(f);
    char phrase[256];
    snprintf(phrase, sizeof phrase, "%s is not an mkba result file (missing /draws/effect)", bad);
    expect_summary(bad, MKBA_EPARSE, phrase);
}

static void test_wrong_shape(void **state)
{
    (void)state;
    hid_t f = damaged_copy();
    assert_int_equal(support_replace_doubles(f, "/draws/cost_total", 1), 0);
    H5Fclose(f);
    char phrase[256];
    snprintf(phrase, sizeof phrase, "%s: /draws/cost_total does not have the shape its labels "
             "and other datasets give", bad);
    expect_summary(bad, MKBA_EPARSE, phrase);
}

static void test_unknown_reference_arm(void **state)
{
    (void)state;
    hid_t f = damaged_copy();
    assert_true(H5Adelete(f, "reference_arm") >= 0);
    assert_int_equal(mkba_h5_attr_string(f, "reference_arm", "nosuch"), 0);
    H5Fclose(f);
    char phrase[256];
    snprintf(phrase, sizeof phrase, "%s: reference_arm \"nosuch\" is not in /labels/arms", bad);
    expect_summary(bad, MKBA_EPARSE, phrase);
}

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    snprintf(good, sizeof good, "/tmp/mkba-errors-io-%d.h5", (int)getpid());
    snprintf(bad, sizeof bad, "/tmp/mkba-errors-io-%d-bad.h5", (int)getpid());
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/full.cfg", &m, &err) != MKBA_OK)
        return -1;
    mkba_run_options o;
    support_run_options(&o, good, 3, 50);
    int rc = mkba_run(NULL, m, &o, &err);
    mkba_model_free(m);
    return rc == MKBA_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    remove(good);
    remove(bad);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_a_result_file),
        cmocka_unit_test(test_missing_dataset),
        cmocka_unit_test(test_wrong_shape),
        cmocka_unit_test(test_unknown_reference_arm),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
