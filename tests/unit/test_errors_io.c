/* Error paths of the result-file reader behind `mkba summary`: a file that
 * is HDF5 but not a result file, a dataset of the wrong shape, a root
 * attribute naming an arm the labels do not have, a label or attribute
 * missing, too short or of the wrong type, a truncated file. Each is
 * refused with a message naming the file and what is wrong, never read as
 * if it were whole. Also the store (h5out.h) that the sensitivity
 * analyses, reports and ex-post runs read and write through, and the
 * commit of a finished file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "io/h5util.h"
#include "io/h5out.h"
#include "core/commit.h"
#include "support.h"
#include "support_errors.h"

static char good[96], good_services[96], bad[96];

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

/* A copy of result file `from`, opened for writing. */
static hid_t copy_of(const char *from)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "cp %s %s", from, bad);
    assert_int_equal(system(cmd), 0);
    hid_t f = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    return f;
}

/* A copy of the good result file, opened for writing. */
static hid_t damaged_copy(void)
{
    return copy_of(good);
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

/* ----------------------------------------------- damaged labels and attributes */

static int drop(hid_t f, const char *name)
{
    return H5Ldelete(f, name, H5P_DEFAULT) < 0 ? -1 : 0;
}

/* Dataset `name` again with its shape, as fixed-length strings: its shape
 * is right, its values cannot be read as numbers. */
static int as_strings(hid_t f, const char *name)
{
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t space = ds >= 0 ? H5Dget_space(ds) : -1;
    if (space < 0 || H5Dclose(ds) < 0 || drop(f, name) < 0)
        return -1;
    hid_t type = mkba_h5_string_type(8);
    hid_t again = H5Dcreate2(f, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Tclose(type);
    H5Sclose(space);
    return again >= 0 && H5Dclose(again) >= 0 ? 0 : -1;
}

/* Label list `name` again with only its first entry. */
static int one_entry(hid_t f, const char *name)
{
    const char *const first[] = { "only" };
    return drop(f, name) < 0 || mkba_h5_write_strings(f, name, first, 1) < 0 ? -1 : 0;
}

/* Label list `name` again, declaring 2^44 labels of 16 bytes in chunks
 * that were never written: a few bytes on disk that claim 256 TiB. */
static int huge(hid_t f, const char *name)
{
    hsize_t dims[1] = { (hsize_t)1 << 44 }, chunk[1] = { 1024 };
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t type = mkba_h5_string_type(16);
    hid_t ds = -1;
    if (drop(f, name) == 0 && H5Pset_chunk(dcpl, 1, chunk) >= 0)
        ds = H5Dcreate2(f, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Tclose(type);
    H5Pclose(dcpl);
    H5Sclose(space);
    return ds >= 0 && H5Dclose(ds) >= 0 ? 0 : -1;
}

/* Root attribute `name` again as a number where a string belongs. */
static int attr_as_int(hid_t f, const char *name)
{
    return H5Adelete(f, name) < 0 || mkba_h5_attr_int(f, name, 7) < 0 ? -1 : 0;
}

static int no_payers(hid_t f) { return drop(f, "/labels/payers"); }
static int no_monetary(hid_t f) { return drop(f, "/labels/effect_monetary"); }
static int no_parameters(hid_t f) { return drop(f, "/labels/parameters"); }
static int no_arm_teams(hid_t f) { return drop(f, "/labels/arm_teams"); }
static int no_cycle_years(hid_t f) { return H5Adelete(f, "cycle_years") < 0 ? -1 : 0; }
static int no_mode(hid_t f) { return H5Adelete(f, "mode") < 0 ? -1 : 0; }
static int text_totals(hid_t f) { return as_strings(f, "/draws/cost_total"); }
static int huge_arms(hid_t f) { return huge(f, "/labels/arms"); }
static int huge_perspectives(hid_t f) { return huge(f, "/labels/perspectives"); }
static int short_calibrated(hid_t f) { return one_entry(f, "/labels/arm_calibrated_to"); }
static int short_units(hid_t f) { return one_entry(f, "/labels/effect_units"); }
static int numeric_status(hid_t f) { return attr_as_int(f, "analysis_status"); }
static int numeric_correction(hid_t f) { return attr_as_int(f, "correction"); }

typedef struct damage {
    int (*apply)(hid_t f);
    int services;              /* damage the services run's file, not full.cfg's */
    int code;
    const char *phrase;        /* after "PATH: " */
} damage;

static const damage damages[] = {
    { no_payers, 0, MKBA_EPARSE, "cannot read /labels/payers" },
    { text_totals, 0, MKBA_EIO, "cannot read /draws/cost_total" },
    { short_calibrated, 0, MKBA_EPARSE,
      "/labels/arm_calibrated_to and /labels/arms differ in length" },
    { short_units, 0, MKBA_EPARSE, "/labels/effect_units and /labels/effects differ in length" },
    { huge_arms, 0, MKBA_EPARSE, "cannot read /labels/arms" },
    { huge_perspectives, 0, MKBA_EPARSE, "cannot read /labels/perspectives" },
    { no_monetary, 0, MKBA_EPARSE, "cannot read /labels/effect_monetary" },
    { no_cycle_years, 0, MKBA_EPARSE, "cannot read root attribute cycle_years" },
    { no_mode, 0, MKBA_EPARSE, "cannot read root attribute mode" },
    { numeric_status, 0, MKBA_EPARSE, "cannot read root attribute analysis_status" },
    { numeric_correction, 0, MKBA_EPARSE, "cannot read correction; is it a result file of this "
      "mkba version" },
    { no_parameters, 1, MKBA_EPARSE, "cannot read /labels/parameters" },
    { no_arm_teams, 1, MKBA_EPARSE, "cannot read /labels/arm_teams (or it does not have one "
      "entry per team of /labels/teams)" },
};

static void test_damaged_labels(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof damages / sizeof damages[0]; i++) {
        const damage *d = &damages[i];
        hid_t f = copy_of(d->services ? good_services : good);
        if (d->apply(f) != 0)
            fail_msg("case %zu (%s): the damage did not apply", i, d->phrase);
        H5Fclose(f);
        char phrase[256];
        snprintf(phrase, sizeof phrase, "%s: %s", bad, d->phrase);
        expect_summary(bad, d->code, phrase);
    }
}

/* A file cut short keeps the HDF5 signature but cannot be opened. */
static void test_truncated(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "head -c 2048 %s > %s", good, bad);
    assert_int_equal(system(cmd), 0);
    char phrase[256];
    snprintf(phrase, sizeof phrase, "cannot open %s", bad);
    expect_summary(bad, MKBA_EIO, phrase);
}

/* ------------------------------------------------------------------- store */

/* A message is kept until cleared (the first error is the cause): each
 * call starts with a clear one. */
#define EXPECT(call, code, phrase)                                                        \
    do {                                                                                  \
        mkba_error_clear(&err);                                                           \
        support_expect_error((call), (code), &err, (phrase));                                     \
    } while (0)

static void test_store(void **state)
{
    (void)state;
    mkba_error err = {0};
    char phrase[256];
    snprintf(phrase, sizeof phrase, "cannot open %s.missing", bad);
    char missing[128];
    snprintf(missing, sizeof missing, "%s.missing", bad);
    assert_null(mkba_h5_store_open(missing, 0, &err));
    support_expect_error(err.code, MKBA_EIO, &err, phrase);

    /* A file without its money units cannot take money datasets. */
    hid_t f = damaged_copy();
    assert_true(H5Adelete(f, "price_year") >= 0);
    /* A link to nothing: listed, yet it opens no object. */
    assert_true(H5Lcreate_soft("/nowhere", f, "/dangling", H5P_DEFAULT, H5P_DEFAULT) >= 0);
    H5Fclose(f);
    mkba_error_clear(&err);
    assert_null(mkba_h5_store_open(bad, 1, &err));
    snprintf(phrase, sizeof phrase, "%s has no currency or price_year attribute", bad);
    support_expect_error(err.code, MKBA_EPARSE, &err, phrase);

    mkba_h5_store *st = mkba_h5_store_open(bad, 0, &err);
    assert_non_null(st);
    size_t dims[1] = { 3 };
    double v[3];
    int iv[3];
    char **names = NULL, *text = NULL;
    size_t n = 0;
    uint64_t u = 0;
    int found = 0;
    snprintf(phrase, sizeof phrase, "%s: /nosuch is missing or has the wrong shape", bad);
    EXPECT(mkba_h5_store_read_doubles(st, "/nosuch", 1, dims, v, &err), MKBA_EPARSE, phrase);
    snprintf(phrase, sizeof phrase, "%s: /labels/arms is missing or has the wrong shape", bad);
    EXPECT(mkba_h5_store_read_ints(st, "/labels/arms", 1, dims, iv, &err), MKBA_EPARSE, phrase);
    snprintf(phrase, sizeof phrase, "%s: /draws/cost_total is missing or not a list of strings",
             bad);
    EXPECT(mkba_h5_store_read_strings(st, "/draws/cost_total", &names, &n, &err), MKBA_EPARSE,
           phrase);
    assert_null(names);
    snprintf(phrase, sizeof phrase, "%s: cannot open /dangling", bad);
    EXPECT(mkba_h5_store_read_attr(st, "/dangling", "status", &text, &err), MKBA_EPARSE,
           phrase);
    EXPECT(mkba_h5_store_read_attr_u64(st, "/dangling", "seed", &u, &found, &err), MKBA_EPARSE,
           phrase);
    snprintf(phrase, sizeof phrase, "%s: cannot read attribute households of / (not a string)",
             bad);
    EXPECT(mkba_h5_store_read_attr(st, "/", "households", &text, &err), MKBA_EPARSE, phrase);
    assert_null(text);
    assert_int_equal(mkba_h5_store_close(st, &err), MKBA_OK);

    /* A dataset the schema does not list is a slip of the program. */
    assert_non_null(st = mkba_h5_store_open(good, 1, &err));
    snprintf(phrase, sizeof phrase, "%s: /sa/nosuch is not in the schema with rank 1", good);
    EXPECT(mkba_h5_store_doubles(st, "/sa/nosuch", 1, dims, v, &err), MKBA_EINTERNAL, phrase);
    snprintf(phrase, sizeof phrase, "%s: slab 5 of /draws/cost_total is out of range", good);
    EXPECT(mkba_h5_store_doubles_slab(st, "/draws/cost_total", 1, dims, 5, v, &err),
           MKBA_EINTERNAL, phrase);
    assert_int_equal(mkba_h5_store_close(st, &err), MKBA_OK);
}

/* ------------------------------------------------------------------ commit */

/* A finished file that is gone cannot be flushed; one that cannot take
 * the place of a folder is not renamed. Either way the message names
 * both files. */
static void test_commit(void **state)
{
    (void)state;
    mkba_error err = {0};
    char target[128], phrase[512];
    snprintf(target, sizeof target, "%s.dir", bad);
    remove(bad);
    snprintf(phrase, sizeof phrase, "cannot write %s: ", target);
    EXPECT(mkba_commit_file(bad, target, &err), MKBA_EIO, phrase);
    snprintf(phrase, sizeof phrase, "(flushing %s to the disk)", bad);
    support_expect_error(err.code, MKBA_EIO, &err, phrase);

    char inside[160];
    snprintf(inside, sizeof inside, "%s/kept", target);
    assert_int_equal(mkdir(target, 0700), 0);
    FILE *f = fopen(inside, "w");
    assert_non_null(f);
    fclose(f);
    f = fopen(bad, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(phrase, sizeof phrase, "cannot rename %s to %s: ", bad, target);
    EXPECT(mkba_commit_file(bad, target, &err), MKBA_EIO, phrase);
    /* Nothing was replaced: the folder and the finished file are both there. */
    assert_int_equal(access(inside, F_OK), 0);
    assert_int_equal(access(bad, F_OK), 0);
    remove(inside);
    rmdir(target);
}

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    snprintf(good, sizeof good, "/tmp/mkba-errors-io-%d.h5", (int)getpid());
    snprintf(bad, sizeof bad, "/tmp/mkba-errors-io-%d-bad.h5", (int)getpid());
    snprintf(good_services, sizeof good_services, "/tmp/mkba-errors-io-%d-services.h5",
             (int)getpid());
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/full.cfg", &m, &err) != MKBA_OK)
        return -1;
    mkba_run_options o;
    support_run_options(&o, good, 3, 50);
    int rc = mkba_run(NULL, m, &o, &err);
    mkba_model_free(m);
    if (rc != MKBA_OK
        || mkba_scenario_load(NULL, "tests/data/services.cfg", &m, &err) != MKBA_OK)
        return -1;
    o.output = good_services;
    rc = mkba_run(NULL, m, &o, &err);
    mkba_model_free(m);
    return rc == MKBA_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    remove(good);
    remove(good_services);
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
        cmocka_unit_test(test_damaged_labels),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_commit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
