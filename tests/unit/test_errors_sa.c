/* Error paths of the reader of sensitivity-analysis files behind `mkba
 * summary`: an /sa group whose method, outcome or units do not fit, and
 * the method groups of threshold, sweep and evppi cut short. Each damaged
 * copy of a file the program wrote must be refused with its message,
 * never summarised as if it were whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "io/h5util.h"
#include "support.h"
#include "support_run.h"

static char dir[] = "/tmp/mkba-test-errors-sa-XXXXXX";
static char bad[300], errpath[300];

/* The file of `mkba sa ARGS` in dir/NAME (made once per name). */
static const char *sa_file(const char *name, const char *args)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (support_exists(path))
        return path;
    char cmd[1500];
    snprintf(cmd, sizeof cmd, "'%s' sa %s -q --force -o '%s' >/dev/null 2>'%s' </dev/null",
             support_bin(), args, path, errpath);
    if (system(cmd) != 0) {
        char text[4096];
        support_slurp(errpath, text, sizeof text);
        fail_msg("mkba sa %s failed: %s", args, text);
    }
    return path;
}

static const char *tornado(void)
{
    return sa_file("tornado.h5", "tornado scenarios/default.cfg --households 100 "
                   "--factors p_debt_onset");
}

/* A copy of `good` as `bad`, opened for writing. */
static hid_t damaged_copy(const char *good)
{
    hid_t f = support_damaged_copy(good, bad);
    assert_true(f >= 0);
    return f;
}

/* Replaces attribute `name` of object `obj` in f by the string value. */
static void set_attr(hid_t f, const char *obj, const char *name, const char *value)
{
    hid_t o = H5Oopen(f, obj, H5P_DEFAULT);
    assert_true(o >= 0);
    assert_true(H5Adelete(o, name) >= 0);
    assert_int_equal(mkba_h5_attr_string(o, name, value), 0);
    H5Oclose(o);
}

/* Replaces string dataset `name` (in group `group`) of f by n strings. */
static void set_strings(hid_t f, const char *group, const char *name, const char *const *s,
                        size_t n)
{
    hid_t g = H5Gopen2(f, group, H5P_DEFAULT);
    assert_true(g >= 0);
    assert_true(H5Ldelete(g, name, H5P_DEFAULT) >= 0);
    assert_int_equal(mkba_h5_write_strings(g, name, s, n), 0);
    H5Gclose(g);
}

/* The summary of `bad` must fail with MKBA_EPARSE and contain phrase,
 * prefixed with the file's name when `named`. */
static void expect_refused(const char *phrase, int named)
{
    char expect[600];
    snprintf(expect, sizeof expect, "%s%s%s", named ? bad : "", named ? ": " : "", phrase);
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    mkba_error err = {0};
    int rc = mkba_summary_write(NULL, bad, MKBA_SUMMARY_TEXT, NULL, sink, &err);
    fclose(sink);
    if (rc != MKBA_EPARSE || strstr(err.message, expect) == NULL)
        fail_msg("code %d (expected %d), expected \"%s\" in: %s", rc, MKBA_EPARSE, expect,
                 err.message);
}

static void test_unknown_method(void **state)
{
    (void)state;
    hid_t f = damaged_copy(tornado());
    set_attr(f, "/sa", "method", "nosuch");
    H5Fclose(f);
    expect_refused("unknown sensitivity method 'nosuch' in /sa", 1);
}

static void test_outcome_not_listed(void **state)
{
    (void)state;
    hid_t f = damaged_copy(tornado());
    set_attr(f, "/sa", "outcome", "npv:nobody");
    H5Fclose(f);
    expect_refused("/sa names outcome 'npv:nobody', which /sa/outcome does not list", 1);
}

/* Fewer units than outcomes (a longer list was a heap overflow once). */
static void test_units_short(void **state)
{
    (void)state;
    hid_t f = damaged_copy(tornado());
    static const char *const one[] = { "EUR" };
    set_strings(f, "/sa", "outcome_units", one, 1);
    H5Fclose(f);
    expect_refused("the /sa group is incomplete (no method, reference arm or outcome units)",
                   1);
}

/* A threshold is of one factor: a file naming two is not a threshold's. */
static void test_threshold_of_two_factors(void **state)
{
    (void)state;
    const char *good = sa_file("threshold.h5", "threshold scenarios/default.cfg "
                               "--households 100 --factors fte_cost_year");
    hid_t f = damaged_copy(good);
    static const char *const two[] = { "fte_cost_year", "p_debt_onset" };
    set_strings(f, "/sa", "factor", two, 2);
    H5Fclose(f);
    expect_refused("the /sa/threshold group is incomplete", 0);
}

/* A sweep whose first grid is empty. */
static void test_sweep_without_grid(void **state)
{
    (void)state;
    const char *good = sa_file("sweep.h5", "sweep scenarios/default.cfg --households 100 "
                               "--grid fte_cost_year=50000:90000:2");
    hid_t f = damaged_copy(good);
    assert_int_equal(support_replace_doubles(f, "/sa/sweep/grid_1", 0), 0);
    H5Fclose(f);
    expect_refused("the /sa/sweep group is incomplete", 0);
}

/* An EVPPI whose list of regression methods is shorter than its groups. */
static void test_evppi_methods_short(void **state)
{
    (void)state;
    char path[300], cmd[1200];
    snprintf(path, sizeof path, "%s/psa.h5", dir);
    snprintf(cmd, sizeof cmd, "'%s' run scenarios/default.cfg --draws 90 --households 100 -q "
             "--force -o '%s' >/dev/null 2>&1", support_bin(), path);
    assert_int_equal(system(cmd), 0);
    char args[600];
    snprintf(args, sizeof args, "evppi scenarios/default.cfg --from '%s' "
             "--factors p_debt_onset,fte_cost_year", path);
    hid_t f = damaged_copy(sa_file("evppi.h5", args));
    static const char *const one[] = { "gam" };
    set_strings(f, "/sa/evppi", "method", one, 1);
    H5Fclose(f);
    expect_refused("the /sa/evppi group is incomplete", 0);
}

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(bad, sizeof bad, "%s/bad.h5", dir);
    snprintf(errpath, sizeof errpath, "%s/stderr", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = { "bad.h5", "stderr", "tornado.h5", "threshold.h5",
                                         "sweep.h5", "psa.h5", "evppi.h5" };
    return support_remove_folder(dir, names, sizeof names / sizeof names[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_method),
        cmocka_unit_test(test_outcome_not_listed),
        cmocka_unit_test(test_units_short),
        cmocka_unit_test(test_threshold_of_two_factors),
        cmocka_unit_test(test_sweep_without_grid),
        cmocka_unit_test(test_evppi_methods_short),
    };
    return cmocka_run_group_tests_name("sa file errors", tests, setup, teardown);
}
