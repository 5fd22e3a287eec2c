/* Issue 11 through the command (`mkba expost`, then `mkba summary`): what
 * the user sees.
 *
 * 1. Bad input, end to end through the command: each kind of bad
 * observed-data file the issue lists (missing columns, an unknown metric
 * with the closest name, a year outside the horizon, an arm not in the
 * scenario, non-numeric and negative counts, duplicate rows, se <= 0) makes
 * `mkba expost` exit with status 1, print an error naming the file, the
 * line and the column (or both lines of a duplicate), and leave no output
 * file, neither the result nor its temporary. The reader's messages are
 * tested in detail in test_expost_observed.c; this checks what the user
 * sees: the exit status and the file system.
 *
 * 2. The printed statements, as `mkba summary` of an ex-post file gives
 * them, against the numbers stored in the file (docs/expost.md, "How to
 * read the tables"):
 * - each figure's sentence "LABEL: observed V per 1000, expected M (90%:
 *   A-B), percentile P" holds the figure's value (/expost/data) and its
 *   ex-ante predictive mean, 5% and 95% points and percentile
 *   (/expost/prior_predictive);
 * - the side-by-side sentence of each perspective and arm: "ex-ante we
 *   expected break-even in year X (A-B); with N years of data, ex-post
 *   year Y (C-D); NPV ..." holds the ex-ante break-even and NPV
 *   (/analysis/cashflow) and the ex-post ones recomputed on the posterior
 *   sample (/expost/posterior), and N counts the distinct years with
 *   data: 2 here, from three rows of years 1, 1 and 2 (not the 3 rows, nor
 *   the last year read as a count);
 * - the calibration summary: the PIT histogram (/expost/pit) and the shares
 *   inside the 50% and 90% predictive intervals (/expost/calibration),
 *   recomputed here from each figure's value and stored predictive points
 *   (inside 90%: between the 5% and 95% points and not a conflict, a
 *   two-sided tail of at least the default 0.01).
 * The update is --no-refine --accept-partial on a PSA of 20 draws: the
 * statements, not the posterior, are under test.
 *
 * 3. The refinement's scratch file is written uncompressed: caught while
 * a small refinement runs. */
#include <setjmp.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <hdf5.h>
#include "analysis/decision.h"
#include "expost/expost_impl.h"
#include "support.h"
#include "support_run.h"

static const char *bin;
static char dir[] = "/tmp/mkba-expost-cli-XXXXXX";

/* ---- 1. Bad input ---- */

#define HEADER "year,arm,metric,value,n,se,domain,team,payer\n"
#define GOOD "1,model_b,reached,323.9,12000,,,,\n"

typedef struct bad_case {
    const char *text;
    const char *want[3];   /* phrases of the message, the first "FILE:LINE: ..." */
} bad_case;

static const bad_case bad[] = {
    { "year,arm,value,n\n1,model_b,3,100\n", { "bad.csv:1:", "no column 'metric'" } },
    { HEADER GOOD "1,model_b,reachd,3,12000,,,,\n",
      { "bad.csv:3: column 3 (metric)", "did you mean 'reached'" } },
    { HEADER GOOD "11,model_b,reached,3,12000,,,,\n",
      { "bad.csv:3: column 1 (year)", "outside the horizon" } },
    { HEADER "1,model_x,reached,3,12000,,,,\n",
      { "bad.csv:2: column 2 (arm)", "did you mean 'model_b'" } },
    { HEADER "1,model_b,reached,many,12000,,,,\n",
      { "bad.csv:2: column 4 (value)", "not a decimal number" } },
    { HEADER "1,model_b,reached,3,lots,,,,\n", { "bad.csv:2: column 5 (n)" } },
    { HEADER "1,model_b,reached,-3,12000,,,,\n", { "bad.csv:2: column 4 (value)", "negative" } },
    { HEADER "1,model_b,reached,3,-12000,,,,\n", { "bad.csv:2: column 5 (n)" } },
    { HEADER GOOD GOOD, { "bad.csv:3:", "duplicate", "line 2" } },
    { HEADER "1,model_b,spending,6000,,0,,,gemeente-jeugdwet\n",
      { "bad.csv:2: column 6 (se)", "> 0" } },
    { HEADER "1,model_b,spending,6000,,-60,,,gemeente-jeugdwet\n",
      { "bad.csv:2: column 6 (se)", "> 0" } },
};

static void test_bad_files(void **state)
{
    (void)state;
    support_bin();
    char csv[300], out[300], tmp[310], errfile[300], text[4096];
    snprintf(csv, sizeof csv, "%s/bad.csv", dir);
    snprintf(out, sizeof out, "%s/out.h5", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    snprintf(errfile, sizeof errfile, "%s/err.txt", dir);
    const char *const args[] = { "expost", "scenarios/pathways/model-b.cfg", "--observed", csv,
                                 "--draws", "2", "--households", "50", "-q", NULL };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(support_write_file(csv, bad[i].text), 0);
        int how = support_finish(support_start(args, out, errfile), 300);
        support_slurp(errfile, text, sizeof text);
        if (how != 1000 + 1)
            fail_msg("case %zu: ended %d, expected exit status 1: %s", i, how, text);
        for (int k = 0; k < 3 && bad[i].want[k] != NULL; k++)
            support_assert_contains(text, bad[i].want[k]);
        if (support_exists(out) || support_exists(tmp))
            fail_msg("case %zu left a file", i);
    }
}

/* ---- 2. The printed statements ---- */

static const char csv[] = "year,arm,metric,value,n,se,domain,team,payer\n"
                          "1,model_b,reached,323.9,12000,,,,\n"
                          "1,model_b,escalations,22.4,12000,,youth,,\n"
                          "2,model_b,escalations,22.4,12000,,youth,,\n";
static const char *const label[] = { "reached, model_b, year 1",
                                     "escalations youth, model_b, year 1",
                                     "escalations youth, model_b, year 2" };
#define NOBS 3

static void shell(const char *cmd)
{
    int status = system(cmd);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("failed: %s", cmd);
}

static void test_statements(void **state)
{
    (void)state;
    bin = support_bin();
    char cmd[2048], psa[300], data[300], ex[300], txt[300];
    snprintf(psa, sizeof psa, "%s/psa.h5", dir);
    snprintf(data, sizeof data, "%s/data.csv", dir);
    snprintf(ex, sizeof ex, "%s/ex.h5", dir);
    snprintf(txt, sizeof txt, "%s/summary.txt", dir);
    assert_int_equal(support_write_file(data, csv), 0);
    snprintf(cmd, sizeof cmd, "%s run scenarios/pathways/model-b.cfg --draws 20 --households "
             "200 -q -o %s && %s expost scenarios/pathways/model-b.cfg --from %s --observed %s "
             "--no-refine --accept-partial -q -o %s && %s summary %s > %s", bin, psa, bin, psa,
             data, ex, bin, ex, txt);
    shell(cmd);
    char *text = support_read_file(txt);
    assert_non_null(text);
    size_t n = 0;
    double *obs = support_read_doubles(ex, "/expost/data", &n);
    assert_int_equal(n, NOBS * 3);
    double *prior = support_read_doubles(ex, "/expost/prior_predictive", &n);
    assert_int_equal(n, NOBS * MKBA_PRED_N);
    char want[512];
    for (size_t i = 0; i < NOBS; i++) {
        const double *p = prior + i * MKBA_PRED_N;
        snprintf(want, sizeof want, "%s: observed %.4g per 1000, expected %.4g (90%%: "
                 "%.4g-%.4g), percentile %.0f", label[i], obs[3 * i], p[MKBA_PRED_MEAN],
                 p[MKBA_PRED_P05], p[MKBA_PRED_P95], 100 * p[MKBA_PRED_PERCENTILE]);
        support_assert_contains(text, want);
        /* The interval is the predictive one: around its mean. */
        assert_true(p[MKBA_PRED_P05] <= p[MKBA_PRED_MEAN]
                    && p[MKBA_PRED_MEAN] <= p[MKBA_PRED_P95]);
    }
    size_t npit = 0, ncal = 0;
    double *pit = support_read_doubles(ex, "/expost/pit", &npit);
    double *cal = support_read_doubles(ex, "/expost/calibration", &ncal);
    assert_int_equal(npit, MKBA_PIT_BINS);
    assert_int_equal(ncal, MKBA_CAL_N);
    double bins[MKBA_PIT_BINS] = { 0 }, in50 = 0, in90 = 0, conflicts = 0;
    for (size_t i = 0; i < NOBS; i++) {
        const double *p = prior + i * MKBA_PRED_N;
        double v = obs[3 * i], pct = p[MKBA_PRED_PERCENTILE];
        int b = (int)(pct * MKBA_PIT_BINS);
        bins[b < MKBA_PIT_BINS ? b : MKBA_PIT_BINS - 1]++;
        int conflict = 2 * (pct < 0.5 ? pct : 1 - pct) < 0.01;
        conflicts += conflict;
        in90 += !conflict && v >= p[MKBA_PRED_P05] && v <= p[MKBA_PRED_P95];
        in50 += !conflict && v >= p[MKBA_PRED_P25] && v <= p[MKBA_PRED_P75];
    }
    for (int b = 0; b < MKBA_PIT_BINS; b++)
        assert_true(pit[b] == bins[b]);
    assert_true(fabs(cal[MKBA_CAL_INSIDE_50] - in50 / NOBS) < 1e-12);
    assert_true(fabs(cal[MKBA_CAL_INSIDE_90] - in90 / NOBS) < 1e-12);
    assert_true(cal[MKBA_CAL_CONFLICTS] == conflicts);
    print_message("PIT and calibration: %.0f inside 50%%, %.0f inside 90%%, %.0f conflicts of "
                  "%d\n", in50, in90, conflicts, NOBS);
    free(pit);
    free(cal);
    static const char *const persp[] = { "society", "municipality" };
    double *be[2], *npv[2];
    size_t nbe = 0, nnpv = 0;
    be[0] = support_read_doubles(ex, "/analysis/cashflow/breakeven", &nbe);
    be[1] = support_read_doubles(ex, "/expost/posterior/breakeven", &n);
    assert_int_equal(n, nbe);
    npv[0] = support_read_doubles(ex, "/analysis/cashflow/npv", &nnpv);
    npv[1] = support_read_doubles(ex, "/expost/posterior/npv", &n);
    assert_int_equal(n, nnpv);
    const size_t arms = 2, arm = 1; /* classic (the reference), model_b */
    assert_true(nbe >= 2 * arms * MKBA_BE_N && nnpv >= 2 * arms * MKBA_ST_N);
    for (size_t k = 0; k < 2; k++) {
        const double *b0 = be[0] + (k * arms + arm) * MKBA_BE_N;
        const double *b1 = be[1] + (k * arms + arm) * MKBA_BE_N;
        const double *n0 = npv[0] + (k * arms + arm) * MKBA_ST_N;
        const double *n1 = npv[1] + (k * arms + arm) * MKBA_ST_N;
        snprintf(want, sizeof want, "%s, model_b: ex-ante we expected break-even in year %.0f "
                 "(%.0f-%.0f); with 2 years of data, ex-post year %.0f (%.0f-%.0f); NPV %.0f "
                 "(2.5%%-97.5%%: %.0f to %.0f) ex-ante, %.0f (%.0f to %.0f) ex-post", persp[k],
                 b0[MKBA_BE_MEDIAN], b0[MKBA_BE_P05], b0[MKBA_BE_P95], b1[MKBA_BE_MEDIAN],
                 b1[MKBA_BE_P05], b1[MKBA_BE_P95], n0[MKBA_ST_MEAN], n0[MKBA_ST_LO],
                 n0[MKBA_ST_HI], n1[MKBA_ST_MEAN], n1[MKBA_ST_LO], n1[MKBA_ST_HI]);
        support_assert_contains(text, want);
    }
    for (int i = 0; i < 2; i++) {
        free(be[i]);
        free(npv[i]);
    }
    free(prior);
    free(obs);
    free(text);
}

/* ---- 3. The refinement's scratch file ---- */

/* The refinement evaluates each of its steps into a scratch file beside
 * the output's temporary (OUT.tmp.refine.h5), reads it back at once and
 * removes it at the end: it asks for it uncompressed (refine.c,
 * so.uncompressed), as no user keeps it and deflating each step's rows
 * is serial work. Caught while the refinement runs: the process is
 * stopped while the file is there (each step's file is renamed into
 * place whole), its per-draw datasets' filters are read, and the process
 * goes on to write its result. Where the HDF5 library has no deflate
 * filter every file is uncompressed and this cannot tell. */
static void test_scratch_uncompressed(void **state)
{
    (void)state;
    char data[300], out[300], scratch[320], errfile[300], text[4096];
    snprintf(data, sizeof data, "%s/scratch.csv", dir);
    snprintf(out, sizeof out, "%s/scratch.h5", dir);
    snprintf(scratch, sizeof scratch, "%s.tmp.refine.h5", out);
    snprintf(errfile, sizeof errfile, "%s/scratch-err.txt", dir);
    assert_int_equal(support_write_file(data, csv), 0);
    const char *const args[] = { "expost", "scenarios/pathways/model-b.cfg", "--observed", data,
                                 "--draws", "24", "--households", "200", "--min-ess", "0.9",
                                 "--moves", "2", "--max-stages", "3", "--accept-partial",
                                 "--threads", "1", "-q", NULL };
    pid_t pid = support_start(args, out, errfile);
    support_filters c = { 0, 0, 0 };
    int how = 0, ended = 0;
    for (int tries = 0; c.datasets == 0 && tries < 100; tries++) {
        if ((ended = support_wait_for_size(pid, scratch, 1, &how)) != 0)
            break;
        assert_int_equal(kill(pid, SIGSTOP), 0);
        /* Gone already: the refinement ended between the look and the stop. */
        if (support_exists(scratch)) {
            hid_t f = H5Fopen(scratch, H5F_ACC_RDONLY, H5P_DEFAULT);
            if (f >= 0) {
                assert_true(H5Ovisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, support_count_filters, &c)
                            >= 0);
                H5Fclose(f);
            }
        }
        assert_int_equal(kill(pid, SIGCONT), 0);
    }
    if (!ended)
        how = support_finish(pid, 600);
    support_slurp(errfile, text, sizeof text);
    if (how != 1000)
        fail_msg("mkba expost ended %d, expected exit status 0: %s", how, text);
    if (c.datasets == 0)
        fail_msg("the refinement's scratch file %s was never caught and opened (did it "
                 "refine?)", scratch);
    print_message("scratch file: %d of %d per-draw datasets filtered (deflate %savailable)\n",
                  c.filtered, c.datasets, H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 ? "" : "not ");
    assert_int_equal(c.filtered, 0);
    assert_true(support_exists(out));
    assert_false(support_exists(scratch));
}

static int setup(void **state)
{
    (void)state;
    return support_temp_folder(dir);
}

static int teardown(void **state)
{
    (void)state;
    return support_remove_temp_folder(dir);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_statements),
        cmocka_unit_test(test_scratch_uncompressed),
    };
    /* MKBA_TEST_FILTER=test_scratch_uncompressed runs one part (a glob). */
    if (getenv("MKBA_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("MKBA_TEST_FILTER"));
    return cmocka_run_group_tests(tests, setup, teardown);
}
