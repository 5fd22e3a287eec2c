/* Error messages of src/analysis, src/engine, src/study and src/expost
 * (its options and its observed data) that the other error-path tests left
 * unprovoked (docs/reliability.md, "Error paths and coverage"): argument
 * checks of the analyses through their API, engine refusals that only a
 * scenario of a certain shape reaches, and output files a run cannot take.
 * Each case asserts the error code and the message's words; a scenario's
 * message must name its file, line and setting. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "mkba/expost.h"
#include <hdf5.h>
#include "analysis/breakeven.h"
#include "analysis/budget.h"
#include "analysis/ceac.h"
#include "analysis/decision.h"
#include "analysis/summary.h"
#include "io/h5out.h"
#include "io/h5util.h"
#include "support.h"
#include "support_errors.h"
#include "support_run.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

static char out[96];

/* ------------------------------------------------------- analysis API */

/* One call of an analysis with an argument its checks refuse. */
typedef struct api_case {
    const char *what;
    int (*call)(mkba_error *err);
    int code;
    const char *says;
} api_case;

/* Cash flows of one draw, two arms, two yearly cycles and one payer whose
 * discounted monetary gain of arm 1 in year 2 is not finite. */
static int gain_not_finite(mkba_error *err)
{
    const double cost[4] = { 1, 1, 2, 2 };
    const double gain[4] = { 0, 0, 0, INFINITY }, plain[4] = { 0 };
    mkba_cashflow_input in = { .ndraws = 1, .narms = 2, .ncycles = 2, .npayers = 1,
                               .reference = 0, .cycle_years = 1.0, .cost_disc = cost,
                               .cost_undisc = cost, .gain_disc = gain, .gain_undisc = plain };
    mkba_cashflow *c = mkba_cashflow_alloc(&in, err);
    mkba_cashflow_free(c);
    return c == NULL ? err->code : MKBA_OK;
}

/* A population EVPI whose second year has a negative population. */
static int population_negative(mkba_error *err)
{
    const double population[3] = { 100, -5, 100 };
    double evpi = 0.0;
    return mkba_evpi_population(2.0, population, 3, 0.03, &evpi, err);
}

/* A summary of totals without draws (what a reader never returns). */
static int summary_of_nothing(mkba_error *err)
{
    mkba_summary *s = mkba_summary_alloc(NULL, err);
    mkba_summary_free(s);
    return s == NULL ? err->code : MKBA_OK;
}

static const api_case api_cases[] = {
    { "gain", gain_not_finite, MKBA_EINVAL,
      "cash flows: discounted monetary gain of draw 0, arm 1, year 2 is not finite (inf)" },
    { "population", population_negative, MKBA_EINVAL,
      "population EVPI: population of year 2 (-5) must be finite and >= 0" },
    { "summary", summary_of_nothing, MKBA_EINVAL,
      "summary: the result holds no draws or arms, or its reference arm index is out of range" },
};

static void test_api(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(api_cases); i++) {
        mkba_error err = {0};
        int rc = api_cases[i].call(&err);
        if (rc != api_cases[i].code || strstr(err.message, api_cases[i].says) == NULL)
            fail_msg("%s: code %d (expected %d), expected \"%s\" in: %s", api_cases[i].what, rc,
                     api_cases[i].code, api_cases[i].says, err.message);
    }
}

/* ------------------------------------------------------- ex-post options */

/* Options of mkba_expost_run that the command line refuses in its own
 * words first: a PSA size with --from, and --from as the output. */
typedef struct expost_case {
    long draws;
    int same_output;
    const char *says;
} expost_case;

static const expost_case expost_cases[] = {
    { 50, 0, "expost: --draws has no meaning with --from, whose file holds its own draws" },
    { -1, 1, "; write the evaluation to another file" },
};

static void test_expost_options(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    assert_int_equal(mkba_scenario_load(NULL, "tests/data/services.cfg", &m, &err), MKBA_OK);
    char from[128], same[256];
    snprintf(from, sizeof from, "%s.psa.h5", out);   /* never written: refused first */
    snprintf(same, sizeof same, "expost: -o names the --from file %s", from);
    for (size_t i = 0; i < N(expost_cases); i++) {
        mkba_expost_options o;
        mkba_expost_options_init(&o);
        o.observed = "tests/data/none.csv";
        o.from = from;
        o.output = expost_cases[i].same_output ? o.from : out;
        o.draws = expost_cases[i].draws;
        mkba_error_clear(&err);
        int rc = mkba_expost_run(NULL, m, &o, &err);
        if (rc != MKBA_EINVAL || strstr(err.message, expost_cases[i].says) == NULL
            || (expost_cases[i].same_output && strstr(err.message, same) == NULL))
            fail_msg("case %zu: code %d, expected \"%s\" in: %s", i, rc, expost_cases[i].says,
                     err.message);
        assert_int_equal(access(o.output, F_OK), -1);
    }
    mkba_model_free(m);
}

/* An ex-post evaluation (or the synthetic data of --simulate), through
 * the command line, of observed data that two households per draw cannot
 * meet: a mean wait most draws (or the truth run) have no admissions for,
 * escalations no draw has; a data file above the size limit (sparse);
 * and a refinement of a scenario without drawn parameters. The message
 * names the data file (and the row's line) where the data are at fault. */
typedef struct expost_data_case {
    const char *csv;            /* NULL: a sparse file of 1 GiB + 1 byte */
    int simulate;
    int fixed;                  /* 1: every parameter of the scenario fixed */
    const char *says;           /* after "mkba: OBS", or after "mkba: " when fixed */
} expost_data_case;

/* The services fixture with no parameter drawn. */
static const support_bad all_fixed = {
    "tests/data/services.cfg",
    { "p_debt_worse = { dist = \"beta\"; alpha = 20.0; beta = 180.0;",
      "p_debt_worse = { value = 0.1;",
      "improve = { dist = \"lognormal\"; meanlog = 0.7; sdlog = 0.1;",
      "improve = { value = 2.0;" }, "", { "" } };

#define MEAN_WAIT "year,arm,metric,value,n,se\n1,broad,mean_wait,0.3,3000,0.05\n"

static const expost_data_case expost_data_cases[] = {
    { MEAN_WAIT, 0, 0,
      ":2: the model has no value for mean_wait, broad, year 1 in 5 of the 6 draws (e.g. a team "
      "that admitted nobody in the year), which would get weight 0 for want of simulated "
      "households; run the PSA with more households, or remove the row" },
    { "year,arm,metric,value,n,domain\n1,broad,escalations,400,3000,youth\n", 0, 0,
      ": no ex-ante draw can produce the observed data (every draw has likelihood 0): a "
      "prior-data conflict too large to update" },
    { MEAN_WAIT, 1, 0,
      ":2: the truth run has no value for mean_wait, broad, year 1 (no admissions in that "
      "year)" },
    { NULL, 0, 0, " is larger than 1 GiB; observed data are a few thousand rows" },
    /* Too few effective draws call for the refinement, which has nothing
     * to move. */
    { "year,arm,metric,value,n,domain\n1,broad,escalations,40,3000,youth\n"
      "2,broad,in_state,900,3000,debt/severe\n", 0, 1,
      "the refinement has no parameter to move: no parameter of the scenario has a "
      "distribution" },
};

static void test_expost_data(void **state)
{
    (void)state;
    char obs[128], csv[128], errfile[128], text[2048], expect[512];
    snprintf(obs, sizeof obs, "%s.csv", out);
    snprintf(csv, sizeof csv, "%s.sim.csv", out);
    snprintf(errfile, sizeof errfile, "%s.err", out);
    for (size_t i = 0; i < N(expost_data_cases); i++) {
        const expost_data_case *c = &expost_data_cases[i];
        assert_int_equal(support_write_file(obs, c->csv != NULL ? c->csv : ""), 0);
        if (c->csv == NULL)
            assert_int_equal(truncate(obs, (1L << 30) + 1), 0);
        char scenario[256] = "tests/data/services.cfg";
        if (c->fixed)
            support_bad_write(&all_fixed, scenario, sizeof scenario);
        const char *const run[] = { "expost", scenario, "--observed", obs, "--draws",
                                    c->fixed ? "20" : "6", "--households", c->fixed ? "30" : "2",
                                    "--force", NULL };
        const char *const simulate[] = { "expost", "tests/data/services.cfg", "--simulate",
                                         "--observed", obs, "--households", "2", NULL };
        const char *target = c->simulate ? csv : out;
        struct rusage use;
        int how = support_finish_rusage(support_start(c->simulate ? simulate : run, target,
                                                      errfile), 300, &use);
        if (c->fixed)
            remove(scenario);
        support_slurp(errfile, text, sizeof text);
        snprintf(expect, sizeof expect, "mkba: %s%s", c->fixed ? "" : obs, c->says);
        if (how != 1001 || strstr(text, expect) == NULL)
            fail_msg("case %zu: ended %d (expected exit 1), expected \"%s\" in: %s", i, how,
                     expect, text);
        assert_int_equal(access(target, F_OK), -1);
        /* The size limit acts before any reading: the run of the sparse
         * 1 GiB file held less than 512 MiB. Its peak also counts the
         * pages it shared with this test between the fork and the exec, at
         * most this test's own peak (and a few pages of its own), so the
         * bound is that when it is higher; reading the file needs 1 GiB. */
        if (c->csv == NULL) {
            struct rusage self;
            assert_int_equal(getrusage(RUSAGE_SELF, &self), 0);
            long forked = self.ru_maxrss + 16L * 1024, bound = 512L * 1024;
            if (forked > bound)
                bound = forked;
            print_message("case %zu: the run's peak %ld kB, this test's %ld kB\n", i,
                          use.ru_maxrss, self.ru_maxrss);
            if (use.ru_maxrss > bound)
                fail_msg("case %zu: the run held %ld kB (bound %ld kB); the 1 GiB file was "
                         "read before it was refused", i, use.ru_maxrss, bound);
        }
    }
    remove(obs);
    remove(errfile);
}

/* ------------------------------------------------------- engine refusals */

/* An edit of a fixture that loads but that the engine refuses when it
 * runs, in `mode`: the message must name FILE:LINE of `at` (NULL: the
 * first edit; "": the file alone, first) and its phrases. */
typedef struct run_case {
    support_bad edit;
    mkba_mode mode;
    int code;
} run_case;

static const run_case run_cases[] = {
    /* An amount out of range in the first year, where each draw checks
     * its amounts, and one that grows out of range in the third. */
    { { "tests/data/budget.cfg", { "per_year = 1000.0;", "per_year = \"1e30 * year\";" },
        NULL, { ": costs.[0]: draw 0, arm 'classic': the amount is 1e+30; expected a finite "
                "amount within +-1e+15 per household" } }, MKBA_MODE_MICRO, MKBA_ENUMERIC },
    { { "tests/data/budget.cfg", { "per_year = 1000.0;", "per_year = \"1e14 * 10 ^ (year - 1)\";" },
        NULL, { ": costs.[0].per_year: draw 0, arm 'classic', cycle 3: parameter ",
                " is 1e+16; expected a finite amount within +-1e+15 per household" } },
      MKBA_MODE_MICRO, MKBA_ENUMERIC },
    /* Two interacting domains whose states a cost rule splits at 300
     * cycles in the state: 302 x 303 joint states, more than the trace
     * holds. */
    { { "tests/data/loading.cfg",
        { "timing = { horizon = 2; };", "timing = { cycle = \"month\"; horizon = 50; };",
          "costs = ( {", "costs = ( { domain = \"a\"; state = \"no\"; payer = \"p\"; per_year = "
          "1.0; duration = [300, 1000000]; },\n  { domain = \"b\"; state = \"no\"; payer = "
          "\"p\"; per_year = 1.0; duration = [300, 1000000]; },\n  {" }, "",
        { "cohort mode: the joint state space of this scenario has more than 65536 states",
          "use microsimulation (the default) for this scenario" } },
      MKBA_MODE_COHORT, MKBA_EINVAL },
};

/* Loads case c, runs it and checks its refusal. */
static void expect_refused(const run_case *c, size_t i)
{
    char path[256], what[64];
    snprintf(what, sizeof what, "run case %zu", i);
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.draws = 2;
    o.households = 20;
    o.mode = c->mode;
    o.output = out;
    o.force = 1;
    o.no_checkpoint = 1;
    mkba_error err = {0};
    int line;
    int rc = support_bad_run(&c->edit, &o, path, sizeof path, &line, &err);
    if (rc != c->code)
        fail_msg("%s: code %d, expected %d: %s", what, rc, c->code, err.message);
    support_bad_check(&c->edit, what, err.message, path, line);
    /* A refusal of the whole scenario names its file. */
    if (line == 0 && strncmp(err.message, path, strlen(path)) != 0)
        fail_msg("%s: expected the scenario %s first in: %s", what, path, err.message);
    if (access(out, F_OK) == 0)
        fail_msg("%s left %s", what, out);
}

static void test_engine_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(run_cases); i++)
        expect_refused(&run_cases[i], i);
}

/* A state whose cost rules end after 1, 2, ... 260 months in it: 262
 * intervals of time in the state, more than the engine's byte holds; the
 * rule of months 254 makes the 256th, and the message names its line. */
static void test_duration_windows(void **state)
{
    (void)state;
    enum { RULES = 260 };
    static char rules[RULES * 110 + 64];
    size_t used = (size_t)snprintf(rules, sizeof rules, "costs = ( ");
    for (int k = 1; k <= RULES; k++)
        used += (size_t)snprintf(rules + used, sizeof rules - used,
                                 "{ domain = \"a\"; state = \"no\"; payer = \"p\"; "
                                 "per_year = 1.0; duration = [%d, %d]; },\n", k, k);
    run_case c = { { "tests/data/loading.cfg",
                     { "timing = { horizon = 2; };",
                       "timing = { cycle = \"month\"; horizon = 50; };",
                       "costs = ( ", rules }, "duration = [254, 254]",
                     { ".duration: domain 'a', state 'no': this window makes the duration "
                       "windows of its transition, cost and effect rules split the time in "
                       "the state into more than 255 intervals (262 in all); at most 255 are "
                       "supported" } },
                   MKBA_MODE_MICRO, MKBA_EINVAL };
    expect_refused(&c, 0);
}

/* ------------------------------------------------------- output files */

/* What lies beside the result file OUT before a run: OUT.lock or
 * OUT.ckpt as a folder, or a checkpoint with mkba's magic but another
 * format; the run must refuse with the reason and write no OUT. */
typedef struct beside_case {
    const char *suffix;         /* ".lock" or ".ckpt" */
    int folder;                 /* 1: a folder; 0: a file of another format */
    int resume;
    int code;
    const char *says;           /* after "OUT" */
} beside_case;

static const beside_case beside_cases[] = {
    { ".lock", 1, 0, MKBA_EIO, ".lock: Is a directory" },
    { ".ckpt", 1, 0, MKBA_EIO, ".ckpt: Is a directory" },
    { ".ckpt", 0, 1, MKBA_EINVAL, ".ckpt: its header is damaged or of another checkpoint "
                                  "format; use --force without --resume to start over" },
};

static void test_beside_output(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    assert_int_equal(mkba_scenario_load(NULL, "tests/data/full.cfg", &m, &err), MKBA_OK);
    for (size_t i = 0; i < N(beside_cases); i++) {
        const beside_case *c = &beside_cases[i];
        char beside[128], expect[400];
        snprintf(beside, sizeof beside, "%s%s", out, c->suffix);
        if (c->folder) {
            assert_int_equal(mkdir(beside, 0700), 0);
        } else {
            /* The magic, then format 99 and zeros: a whole header. */
            FILE *f = fopen(beside, "wb");
            assert_non_null(f);
            const unsigned long long format = 99;
            static const char zeros[4096];
            assert_int_equal(fwrite("MKBACKPT", 1, 8, f), 8);
            assert_int_equal(fwrite(&format, sizeof format, 1, f), 1);
            assert_int_equal(fwrite(zeros, 1, sizeof zeros, f), sizeof zeros);
            assert_int_equal(fclose(f), 0);
        }
        mkba_run_options o;
        mkba_run_options_init(&o);
        o.draws = 2;
        o.households = 20;
        o.output = out;
        o.force = 1;
        o.resume = c->resume;
        mkba_error_clear(&err);
        int rc = mkba_run(NULL, m, &o, &err);
        int left = access(out, F_OK) == 0;
        assert_int_equal(c->folder ? rmdir(beside) : remove(beside), 0);
        snprintf(expect, sizeof expect, "%s%s", out, c->says);
        if (rc != c->code || strstr(err.message, expect) == NULL)
            fail_msg("case %zu: code %d (expected %d), expected \"%s\" in: %s", i, rc, c->code,
                     expect, err.message);
        if (left)
            fail_msg("case %zu left %s", i, out);
    }
    mkba_model_free(m);
}

/* --force over another user's checkpoint in a shared sticky folder (as
 * /tmp): the sticky bit lets only the owner remove it, and the message
 * says what the user can do. Runs mkba as nobody (uid 65534) over a
 * root-owned checkpoint, as test_errors_cli2 does for a folder nobody may
 * write to; needs root, setpriv and a checkout nobody can reach, skipped
 * with a message otherwise. */
static void test_foreign_checkpoint(void **state)
{
    (void)state;
    support_need_nobody("tests/data/full.cfg");
    char dir[] = "/tmp/mkba-msg-b-sticky-XXXXXX", ckpt[128], result[96], errfile[128],
        cmd[1024], text[1024], expect[512];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chmod(dir, 01777), 0);
    snprintf(result, sizeof result, "%s/out.h5", dir);
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", result);
    snprintf(errfile, sizeof errfile, "%s.err", out);
    assert_int_equal(support_write_file(ckpt, "x"), 0);
    assert_int_equal(chmod(ckpt, 0666), 0);
    snprintf(cmd, sizeof cmd, SUPPORT_NOBODY " %s run tests/data/full.cfg --draws 2 "
             "--households 20 -q -o %s --force 2>%s", support_bin(), result, errfile);
    int status = system(cmd);
    support_slurp(errfile, text, sizeof text);
    snprintf(expect, sizeof expect, "mkba: cannot remove the old checkpoint %s: Operation not "
             "permitted; it belongs to another user or lies in a folder you may not change: "
             "ask its owner to remove it, or choose another -o", ckpt);
    int left = access(result, F_OK) == 0;
    char lock[128];
    snprintf(lock, sizeof lock, "%s.lock", result);
    remove(lock);
    remove(ckpt);
    remove(errfile);
    assert_int_equal(rmdir(dir), 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 || strstr(text, expect) == NULL)
        fail_msg("status %d, expected exit 1 and \"%s\" in: %s", status, expect, text);
    assert_false(left);
}

/* ------------------------------------------------------- damaged files */

/* A result file with one dataset damaged: an index set out of range, or a
 * label with one entry too few; reading its decision outputs (or its
 * budget view) must refuse it with the dataset's name. */
typedef struct damage_case {
    const char *dataset;
    int value;                  /* the first entry's new value; labels: -1 */
    int budget;                 /* 1: read the budget view, 0: the decision outputs */
    const char *says;           /* after "BAD: " (decision) or as is (budget) */
} damage_case;

static const damage_case damage_cases[] = {
    { "/analysis/ceac/frontier_arm", 7, 0,
      "/analysis/ceac/frontier_arm holds an invalid arm index" },
    { "/analysis/frontier/status", 99, 0,
      "/analysis/frontier holds an invalid status or arm index" },
    { "/labels/budget_taakveld", -1, 1,
      "/labels/budget_taakveld has 1 entries; expected one per payer (2)" },
};

/* Damages c->dataset of open file f as the case says. */
static void damage(hid_t f, const damage_case *c)
{
    if (c->value < 0) {
        static const char *const one[] = { "6.71 Maatwerkdienstverlening 18+" };
        assert_true(H5Ldelete(f, c->dataset, H5P_DEFAULT) >= 0);
        hid_t g = H5Gopen2(f, "/labels", H5P_DEFAULT);
        assert_true(g >= 0);
        assert_int_equal(mkba_h5_write_strings(g, strrchr(c->dataset, '/') + 1, one, 1), 0);
        H5Gclose(g);
        return;
    }
    hid_t d = H5Dopen2(f, c->dataset, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t sp = H5Dget_space(d);
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    assert_true(n > 0);
    int *v = calloc((size_t)n, sizeof *v);
    assert_non_null(v);
    assert_true(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    v[0] = c->value;
    assert_true(H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    free(v);
    H5Sclose(sp);
    H5Dclose(d);
}

/* Reads the decision outputs or the budget view of `path`. */
static int read_back(const char *path, int budget, mkba_error *err)
{
    mkba_h5_totals *t = NULL;
    int rc = mkba_h5_read_totals(path, &t, err);
    if (rc != MKBA_OK)
        return rc;
    if (budget) {
        mkba_h5_store *st = mkba_h5_store_open(path, 0, err);
        mkba_budget *b = NULL;
        rc = st != NULL ? mkba_budget_read(st, t, &b, err) : (int)err->code;
        mkba_budget_free(b);
        mkba_h5_store_close(st, NULL);
    } else {
        mkba_decision *d = NULL;
        rc = mkba_decision_load(path, t, &d, err);
        mkba_decision_free(d);
    }
    mkba_h5_totals_free(t);
    return rc;
}

static void test_damaged_files(void **state)
{
    (void)state;
    /* A PSA of the budget fixture: decision outputs and a budget view. */
    mkba_model *m = NULL;
    mkba_error err = {0};
    assert_int_equal(mkba_scenario_load(NULL, "tests/data/budget.cfg", &m, &err), MKBA_OK);
    mkba_run_options o;
    support_run_options(&o, out, 3, 30);
    int rc = mkba_run(NULL, m, &o, &err);
    mkba_model_free(m);
    if (rc != MKBA_OK)
        fail_msg("%s", err.message);
    char bad[128], expect[300];
    snprintf(bad, sizeof bad, "%s.bad.h5", out);
    for (size_t i = 0; i < N(damage_cases); i++) {
        const damage_case *c = &damage_cases[i];
        mkba_error_clear(&err);
        assert_int_equal(read_back(out, c->budget, &err), MKBA_OK);
        hid_t f = support_damaged_copy(out, bad);
        assert_true(f >= 0);
        damage(f, c);
        H5Fclose(f);
        rc = read_back(bad, c->budget, &err);
        snprintf(expect, sizeof expect, "%s%s%s", c->budget ? "" : bad, c->budget ? "" : ": ",
                 c->says);
        if (rc != MKBA_EPARSE || strstr(err.message, expect) == NULL)
            fail_msg("%s: code %d (expected %d), expected \"%s\" in: %s", c->dataset, rc,
                     MKBA_EPARSE, expect, err.message);
        assert_int_equal(remove(bad), 0);
    }
    assert_int_equal(remove(out), 0);
}

/* ------------------------------------------------------- out of memory */

/* An allocator that fails its n-th allocation. */
typedef struct failing {
    long calls, fail_at;
} failing;

static int fails(void *user)
{
    failing *f = user;
    return ++f->calls == f->fail_at;
}

static void *f_malloc(void *user, size_t size)
{
    return fails(user) ? NULL : malloc(size);
}

static void *f_calloc(void *user, size_t n, size_t size)
{
    return fails(user) ? NULL : calloc(n, size);
}

static void *f_realloc(void *user, void *p, size_t size)
{
    return fails(user) ? NULL : realloc(p, size);
}

static void f_free(void *user, void *p)
{
    (void)user;
    free(p);
}

/* A run of `scenario` in `mode` (with --set `fix`=0.2 unless NULL) with
 * each of its allocations failing in turn: every failure is an
 * out-of-memory error, and `says` comes at least once. */
static void run_out_of_memory(const char *scenario, mkba_mode mode, const char *fix,
                              const char *says)
{
    mkba_model *m = NULL;
    mkba_error err = {0};
    assert_int_equal(mkba_scenario_load(NULL, scenario, &m, &err), MKBA_OK);
    const double value = 0.2;
    int seen = 0;
    for (long n = 1;; n++) {
        failing f = { 0, n };
        mkba_context ctx;
        mkba_context_init(&ctx);
        ctx.threads = 1;
        ctx.alloc = (mkba_allocator){ f_malloc, f_calloc, f_realloc, f_free, &f };
        mkba_run_options o;
        mkba_run_options_init(&o);
        o.mode = mode;
        o.draws = mode == MKBA_MODE_COHORT ? 0 : 2;
        o.households = 20;
        o.nset = fix != NULL;
        o.set_name = &fix;
        o.set_value = &value;
        mkba_error_clear(&err);
        int rc = mkba_run(&ctx, m, &o, &err);
        if (rc == MKBA_OK && f.calls < n)
            break;
        if (rc != MKBA_ENOMEM || strstr(err.message, "memory") == NULL)
            fail_msg("%s: allocation %ld failed: code %d: %s", scenario, n, rc, err.message);
        seen += strstr(err.message, says) != NULL;
        if (n > 100000)
            fail_msg("%s: still failing after %ld allocations", scenario, n);
    }
    mkba_model_free(m);
    if (!seen)
        fail_msg("%s: no failure said \"%s\"", scenario, says);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    run_out_of_memory("tests/data/loading.cfg", MKBA_MODE_COHORT, NULL,
                      "cohort mode: out of memory for 6 joint states");
    run_out_of_memory("tests/data/timing.cfg", MKBA_MODE_COHORT, NULL,
                      "cohort mode: out of memory");
    run_out_of_memory("tests/data/full.cfg", MKBA_MODE_MICRO, "p_debt_recover@integrated",
                      "out of memory");
}

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    snprintf(out, sizeof out, "/tmp/mkba-errors-msg-b-%d.h5", (int)getpid());
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_expost_options),
        cmocka_unit_test(test_expost_data),
        cmocka_unit_test(test_engine_refusals),
        cmocka_unit_test(test_duration_windows),
        cmocka_unit_test(test_beside_output),
        cmocka_unit_test(test_foreign_checkpoint),
        cmocka_unit_test(test_damaged_files),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
