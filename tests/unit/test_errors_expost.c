/* Error paths of the ex-post evaluation (src/expost): the options the
 * library checks, an observed-data file that cannot be read or holds no
 * rows, a --from file that is not a whole PSA of this scenario (damaged
 * copies of one the library wrote), a refinement that cannot run or stops
 * short, and synthetic data that cannot be made. Each is refused with its
 * message, naming the file (and line) where there is one, and leaves no
 * output file nor its temporary. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "mkba/expost.h"
#include "io/h5util.h"
#include "io/h5out.h"
#include "expost/expost_impl.h"
#include "core/alloc.h"
#include "support.h"
#include "support_expost.h"
#include "support_run.h"

static support_expost fx;      /* the data, the PSA and the scenario */
static char post[300], out[300], bad[300], csv[300];

static char *in_dir(char *buf, const char *name)
{
    return support_expost_path(&fx, buf, name);
}

/* The expost options every case starts from: a small PSA run of its own. */
static void base_options(mkba_expost_options *o)
{
    support_expost_options(&fx, o, out);
}

/* "DIR" in `text` replaced by the test's folder. */
static void expand(const char *text, char *buf, size_t size)
{
    size_t used = 0;
    for (const char *p = text; *p != '\0' && used + 1 < size;) {
        if (strncmp(p, "DIR", 3) == 0) {
            used += (size_t)snprintf(buf + used, size - used, "%s", fx.dir);
            p += 3;
        } else {
            buf[used++] = *p++;
        }
    }
    buf[used < size ? used : size - 1] = '\0';
}

/* mkba_expost_run of o must fail with `code` and a message holding `says`
 * (DIR expanded), and leave neither o->output nor its temporary. */
static void expect_refused(const mkba_model *m, const mkba_expost_options *o, int code,
                           const char *says)
{
    char expect[1024], tmp[320];
    expand(says, expect, sizeof expect);
    if (o->output != NULL)
        remove(o->output);
    mkba_error err = {0};
    int rc = mkba_expost_run(NULL, m, o, &err);
    if (rc != code || strstr(err.message, expect) == NULL)
        fail_msg("code %d (expected %d), expected \"%s\" in: %s", rc, code, expect,
                 err.message);
    if (o->output != NULL) {
        snprintf(tmp, sizeof tmp, "%s.tmp", o->output);
        if (support_exists(o->output) || support_exists(tmp))
            fail_msg("\"%s\" left %s behind", expect, support_exists(tmp) ? tmp : o->output);
    }
}

/* An option case: the base options with one field changed. */
typedef struct option_case {
    int missing;               /* 1: no observed data, 2: no output */
    double min_ess, conflict;  /* 0: the default */
    long moves, draws;         /* 0: the default */
    const char *refine;        /* --refine-parameters, or NULL */
    const char *says;
} option_case;

static void test_options(void **state)
{
    (void)state;
    static const option_case cases[] = {
        { .missing = 1, .says = "expost needs the observed data: --observed DATA.csv" },
        { .missing = 2, .says = "expost needs an output file (-o)" },
        { .min_ess = 1.5, .says = "--min-ess expects a share of the draws in (0, 1], got 1.5" },
        { .moves = -1, .says = "--moves and --max-stages expect 1 to 1000 (got -1 and 30)" },
        { .conflict = 0.7, .says = "--conflict-level expects a probability in (0, 0.5), got "
                                   "0.7" },
        { .draws = 1, .says = "expost needs PSA draws: --draws from 2 to 100000000 (got 1)" },
        { .refine = "p_debt_worse,p_debt_worse",
          .says = "--refine-parameters names p_debt_worse twice" },
        { .refine = "", .says = "--refine-parameters: an empty list" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const option_case *c = &cases[i];
        mkba_expost_options o;
        base_options(&o);
        if (c->missing == 1)
            o.observed = NULL;
        if (c->missing == 2)
            o.output = NULL;
        o.min_ess_share = c->min_ess != 0 ? c->min_ess : o.min_ess_share;
        o.conflict_level = c->conflict != 0 ? c->conflict : o.conflict_level;
        o.moves = c->moves != 0 ? c->moves : o.moves;
        o.draws = c->draws != 0 ? c->draws : o.draws;
        o.refine_parameters = c->refine;
        expect_refused(fx.services, &o, MKBA_EINVAL, c->says);
    }
}

/* Observed-data files the reader refuses before any model run. */
static void test_observed_files(void **state)
{
    (void)state;
    static const struct { const char *text; const char *says; int code; } cases[] = {
        { NULL, "cannot read the observed data DIR/obs.csv: No such file or directory",
          MKBA_EIO },
        { "", "DIR/obs.csv: the file is empty; it needs a header line", MKBA_EPARSE },
        { "# only a comment\n", "DIR/obs.csv: the file is empty", MKBA_EPARSE },
        { "year,arm,metric,value,n,domain\n", "DIR/obs.csv: the file has a header but no rows",
          MKBA_EPARSE },
        { "year,arm,metric,value,n,domain\n1,broad,escalations,40,3000,youth\n"
          "1,broad,escalations,41,3000,youth\n",
          "DIR/obs.csv:3: a duplicate row: line 2 gives the same year, arm, metric, domain, "
          "team and payer", MKBA_EPARSE },
        { "year,arm,metric,value,n,domain\n1,broad,escalations,40,3000,youth,1,2,3,4,5,6,7\n",
          "DIR/obs.csv:2: the row has more fields than the header's 6", MKBA_EPARSE },
        { "year,arm,metric,value,n,domain\n1,broad,escalations,40,3000\n",
          "DIR/obs.csv:2: the row has 5 fields; the header has 6", MKBA_EPARSE },
        { "year,arms,metric,value,n\n1,broad,escalations,40,3000\n",
          "DIR/obs.csv:1: column 2: unknown column 'arms' (did you mean 'arm'?); the columns "
          "are year,arm,metric,value,n,se,domain,team,payer,fund,taakveld", MKBA_EPARSE },
    };
    char obs[300];
    in_dir(obs, "obs.csv");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        remove(obs);
        if (cases[i].text != NULL)
            assert_int_equal(support_write_file(obs, cases[i].text), 0);
        mkba_expost_options o;
        base_options(&o);
        o.observed = obs;
        expect_refused(fx.services, &o, cases[i].code, cases[i].says);
    }
    remove(obs);
    /* A folder opens for reading, but reading it fails. */
    assert_int_equal(mkdir(obs, 0700), 0);
    mkba_expost_options o;
    base_options(&o);
    o.observed = obs;
    expect_refused(fx.services, &o, MKBA_EIO, "cannot read the observed data DIR/obs.csv");
    assert_int_equal(rmdir(obs), 0);
}

/* A copy of `good` as `bad`, opened for writing. */
static hid_t damaged_copy(const char *good)
{
    hid_t f = support_damaged_copy(good, bad);
    assert_true(f >= 0);
    return f;
}

static void from_options(mkba_expost_options *o, const char *from)
{
    base_options(o);
    o->from = from;
    o->draws = -1;
    o->households = -1;
}

/* --from files that are not a whole PSA of this scenario with its outputs. */
static void test_from(void **state)
{
    (void)state;
    mkba_expost_options o;
    from_options(&o, post);
    expect_refused(fx.services, &o, MKBA_EINVAL, "--from DIR/expost.h5: the file already holds "
                   "an ex-post evaluation; give the PSA file it was made from");

    hid_t f = damaged_copy(fx.psa);
    assert_true(H5Adelete(f, "seed") >= 0);
    H5Fclose(f);
    from_options(&o, bad);
    expect_refused(fx.services, &o, MKBA_EPARSE, "--from DIR/bad.h5: the file has no root "
                   "attribute seed; give a PSA file written by mkba run");

    f = damaged_copy(fx.psa);
    assert_true(H5Adelete(f, "analysis_status") >= 0);
    H5Fclose(f);
    expect_refused(fx.services, &o, MKBA_EINVAL, "--from DIR/bad.h5: the file has no decision "
                   "outputs (/analysis)");

    f = damaged_copy(fx.psa);
    assert_true(H5Adelete(f, "households") >= 0);
    assert_int_equal(mkba_h5_attr_int64(f, "households", 0), 0);
    H5Fclose(f);
    expect_refused(fx.services, &o, MKBA_EINVAL, "--from DIR/bad.h5: a cohort run has no "
                   "households to confront with data; give a microsimulation run");

    f = damaged_copy(fx.psa);
    assert_true(H5Adelete(f, "design") >= 0);
    assert_int_equal(mkba_h5_attr_string(f, "design", "points"), 0);
    H5Fclose(f);
    expect_refused(fx.services, &o, MKBA_EINVAL, "--from DIR/bad.h5: the file must hold every "
                   "draw of a PSA run (mkba run with draws >= 2)");

    f = damaged_copy(fx.psa);
    static const char *const renamed[] = { "classic", "wide" };
    hid_t g = H5Gopen2(f, "/labels", H5P_DEFAULT);
    assert_true(g >= 0);
    assert_true(H5Ldelete(g, "arms", H5P_DEFAULT) >= 0);
    assert_int_equal(mkba_h5_write_strings(g, "arms", renamed, 2), 0);
    H5Gclose(g);
    H5Fclose(f);
    expect_refused(fx.services, &o, MKBA_EINVAL, "--from DIR/bad.h5: arm 2 is 'wide' in the file "
                   "but 'broad' in the scenario; give the scenario that wrote the file");

    /* A PSA of another scenario, with three arms. */
    char cfg[300], other[300];
    assert_int_equal(support_write_variant("tests/data/full.cfg", in_dir(cfg, "three.cfg"),
                                           "arms = (", "arms = ( { name = \"third\"; },"), 0);
    mkba_model *three = NULL;
    mkba_error err = {0};
    mkba_run_options ro;
    mkba_run_options_init(&ro);
    ro.output = in_dir(other, "other.h5");
    ro.force = 1;
    ro.draws = 3;
    ro.households = 20;
    if (mkba_scenario_load(NULL, cfg, &three, &err) != MKBA_OK
        || mkba_run(NULL, three, &ro, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_model_free(three);
    remove(cfg);
    from_options(&o, other);
    expect_refused(fx.services, &o, MKBA_EINVAL, "--from DIR/other.h5: the file has 3 arms, the "
                   "scenario 2; give the scenario that wrote the file");
    remove(other);
}

/* The model's values and noise of the figures, read from a PSA file
 * (src/expost/metric.c), through the library's own functions: a copy
 * damaged after the --from checks (which name the user's file first), as
 * an older file or another writer would leave it. `drop` is removed from
 * the copy (a dataset or group; NULL: none); the figures in `rows` (a
 * header and rows) then meet `says` (DIR expanded, the copy's path in full)
 * in the values (noise 0) or the noise (1). */
static void model_values_refused(const mkba_model *m, const char *psa, const char *drop,
                                 const char *rows, int noise, const char *says)
{
    mkba_error err = {0};
    mkba_observed *obs = NULL;
    if (mkba_observed_parse(rows, strlen(rows), "obs.csv", m, &obs, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    hid_t f = damaged_copy(psa);
    if (drop != NULL)
        assert_true(H5Ldelete(f, drop, H5P_DEFAULT) >= 0);
    H5Fclose(f);
    mkba_h5_totals *t = NULL;
    if (mkba_h5_read_totals(bad, &t, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    double *mu = mkba_expost_model_values(bad, t, m, obs, &err);
    if (noise) {
        if (mu == NULL)
            fail_msg("%s", err.message);
        assert_int_equal(mkba_expost_model_noise(bad, t, obs, mu, &err), MKBA_EINVAL);
    } else {
        assert_null(mu);
        assert_int_equal(err.code, MKBA_EINVAL);
    }
    char expect[1024];
    expand(says, expect, sizeof expect);
    assert_string_equal(err.message, expect);
    mkba_free(mu);
    mkba_h5_totals_free(t);
    mkba_observed_free(obs);
    remove(bad);
}

static void test_model_values(void **state)
{
    (void)state;
    model_values_refused(fx.services, fx.psa, "/draws/occupancy",
                         "year,arm,metric,value,n,domain\n2,broad,in_state,900,3000,debt/severe\n",
                         0, "DIR/bad.h5 has no /draws/occupancy, which in_state and with_problem "
                         "figures need; run the PSA again with this version of mkba");
    model_values_refused(fx.services, fx.psa, "/draws/services",
                         "year,arm,metric,value,n\n1,classic,reached,30,3000\n", 0,
                         "DIR/bad.h5 has no service outputs (/draws/services); the observed "
                         "metrics need them");
    model_values_refused(fx.services, fx.psa, "/draws/mcse/cost_year_to_date",
                         "year,arm,metric,value,se,payer\n1,classic,spending,100,10,"
                         "gemeente-wmo\n", 1,
                         "DIR/bad.h5 has no /draws/mcse/cost_year_to_date, which spending "
                         "figures need; run the PSA again with this version of mkba");

    /* A budget figure on a PSA without the budget view: tests/data/budget.cfg
     * has one; its file's /draws/budget is removed. */
    mkba_model *b = NULL;
    mkba_error err = {0};
    char psa[300];
    mkba_run_options ro;
    mkba_run_options_init(&ro);
    ro.output = in_dir(psa, "budget.h5");
    ro.force = 1;
    ro.draws = 2;
    ro.households = 20;
    if (mkba_scenario_load(NULL, "tests/data/budget.cfg", &b, &err) != MKBA_OK
        || mkba_run(NULL, b, &ro, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    model_values_refused(b, psa, "/draws/budget",
                         "year,arm,metric,value,se,fund\n1,classic,budget,3e6,1e5,"
                         "gemeentefonds\n", 0,
                         "DIR/bad.h5 has no budget view (/draws/budget), which budget figures "
                         "need: run a scenario with a population block (docs/budget.md)");
    mkba_model_free(b);
    remove(psa);
}

/* The refinement: stopped by its stage limit short of the posterior, and
 * refused a parameter without a distribution of its own. */
static void test_refinement(void **state)
{
    (void)state;
    char strong[300];
    assert_int_equal(support_write_file(in_dir(strong, "strong.csv"),
                                        "year,arm,metric,value,n,domain\n"
                                        "1,broad,escalations,400,3000,youth\n"
                                        "2,broad,in_state,900,3000,debt/severe\n"
                                        "1,classic,escalations,400,3000,youth\n"), 0);
    mkba_expost_options o;
    base_options(&o);
    o.observed = strong;
    o.draws = 20;
    o.min_ess_share = 1.0;
    o.max_stages = 1;
    o.moves = 1;
    expect_refused(fx.services, &o, MKBA_EINVAL, "(1 is the posterior) after --max-stages 1 "
                   "stages: the sample is "
                   "tempered, not a posterior, and its intervals are too wide; raise "
                   "--max-stages, or pass --accept-partial");
    remove(strong);
    /* A parameter without a distribution of its own. */
    char cfg[300];
    mkba_model *fixed = NULL;
    mkba_error err = {0};
    assert_int_equal(support_write_variant("tests/data/services.cfg", in_dir(cfg, "fixed.cfg"),
                                           "parameters = {",
                                           "parameters = {\n  fixed_one = 0.5;"), 0);
    if (mkba_scenario_load(NULL, cfg, &fixed, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    remove(cfg);
    base_options(&o);
    o.refine_parameters = "fixed_one";
    expect_refused(fixed, &o, MKBA_EINVAL, "--refine-parameters: fixed_one cannot be refined: "
                   "it needs a univariate distribution of its own");
    mkba_model_free(fixed);
}

/* test_simulate's full disk: /dev/full (full_fd) put under the CSV's
 * temporary (csv's name + ".tmp-") when the last draw is stored. */
static int full_fd = -1, full_swapped;

/* The descriptor open on a file whose name starts with csv's + ".tmp-",
 * or -1. */
static int temporary_fd(void)
{
    char want[360];
    snprintf(want, sizeof want, "%s.tmp-", csv);
    DIR *d = opendir("/proc/self/fd");
    int found = -1;
    struct dirent *e;
    while (d != NULL && found < 0 && (e = readdir(d)) != NULL) {
        char fd_path[300], to[400];
        snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(fd_path, to, sizeof to - 1);
        if (n <= 0)
            continue;
        to[n] = '\0';
        if (strncmp(to, want, strlen(want)) == 0)
            found = atoi(e->d_name);
    }
    if (d != NULL)
        closedir(d);
    return found;
}

static void to_full_disk(void *user, double done, double total)
{
    (void)user;
    int fd = done >= total && !full_swapped ? temporary_fd() : -1;
    if (fd >= 0 && dup2(full_fd, fd) == fd)
        full_swapped = 1;
}

/* How many files beside csv start with its name and ".tmp" or ".truth". */
static int count_temporaries(void)
{
    char folder[340];
    snprintf(folder, sizeof folder, "%s", csv);
    char *slash = strrchr(folder, '/');
    const char *base = slash != NULL ? slash + 1 : csv;
    if (slash != NULL)
        *slash = '\0';
    DIR *d = opendir(slash != NULL ? folder : ".");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    size_t len = strlen(base);
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, base, len) == 0
            && (strncmp(e->d_name + len, ".tmp", 4) == 0
                || strncmp(e->d_name + len, ".truth", 6) == 0))
            n++;
    closedir(d);
    return n;
}

static void test_simulate(void **state)
{
    (void)state;
    mkba_expost_simulate_options o;
    mkba_expost_simulate_options_init(&o);
    o.households = 20;
    o.force = 1;
    mkba_error err = {0};
    o.output = csv;
    assert_int_equal(mkba_expost_simulate(NULL, fx.services, &o, &err), MKBA_EINVAL);
    support_assert_contains(err.message, "expost --simulate needs a template (--observed) and "
                            "an output CSV (-o)");
    assert_false(support_exists(csv));
    /* A link of the user's at OUT.tmp (the old temporary's name): never
     * written through, its target unchanged, and OUT a file of its own. */
    char link[340], target[340];
    snprintf(link, sizeof link, "%s.tmp", csv);
    snprintf(target, sizeof target, "%s.target", csv);
    assert_int_equal(support_write_file(target, "the user's data\n"), 0);
    assert_int_equal(symlink(target, link), 0);
    mkba_error_clear(&err);
    o.template_csv = fx.data;
    if (mkba_expost_simulate(NULL, fx.services, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char *kept = support_read_file(target);
    assert_non_null(kept);
    assert_string_equal(kept, "the user's data\n");
    free(kept);
    struct stat st;
    assert_int_equal(lstat(csv, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    remove(link);
    remove(target);
    remove(csv);
    assert_int_equal(count_temporaries(), 0);
    /* A full disk under the CSV's temporary: its descriptor turned into
     * /dev/full once the last draw is stored (a size limit cannot pick
     * the CSV: the truth run's file, larger, is written around it). The
     * write fails when the CSV is flushed, the message names the output
     * and the cause, and nothing is left under either name. */
    int full = open("/dev/full", O_WRONLY);
    if (full < 0) {
        print_message("skipped the full disk: /dev/full cannot be opened (%s)\n",
                      strerror(errno));
        return;
    }
    full_fd = full;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 1;
    ctx.progress = to_full_disk;
    mkba_error_clear(&err);
    assert_int_equal(mkba_expost_simulate(&ctx, fx.services, &o, &err), MKBA_EIO);
    close(full);
    assert_int_equal(full_swapped, 1);
    char expect[400];
    snprintf(expect, sizeof expect, "cannot write %s: the disk is full (No space left on "
             "device)", csv);
    assert_string_equal(err.message, expect);
    assert_false(support_exists(csv));
    assert_int_equal(count_temporaries(), 0);
}

/* The ex-post tables to a full disk, found when they are flushed. */
static void test_report_to_full_disk(void **state)
{
    (void)state;
    FILE *full = fopen("/dev/full", "w");
    if (full == NULL)
        skip();
    /* A buffer larger than the tables: the write fails at the flush. */
    static char buffer[1 << 20];
    assert_int_equal(setvbuf(full, buffer, _IOFBF, sizeof buffer), 0);
    mkba_error err = {0};
    int rc = mkba_expost_report_write(NULL, post, MKBA_SUMMARY_TEXT, full, &err);
    fclose(full);
    assert_int_equal(rc, MKBA_EIO);
    support_assert_contains(err.message, "cannot write the report: No space left on device");
}

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    if (support_expost_open(&fx, "errors-expost", 10) != 0)
        return -1;
    in_dir(post, "expost.h5");
    in_dir(out, "out.h5");
    in_dir(bad, "bad.h5");
    in_dir(csv, "synthetic.csv");
    mkba_expost_options eo;
    base_options(&eo);
    eo.from = fx.psa;
    eo.draws = eo.households = -1;
    eo.output = post;
    eo.accept_partial = 1;
    mkba_error err = {0};
    if (mkba_expost_run(NULL, fx.services, &eo, &err) != MKBA_OK) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = { "expost.h5", "bad.h5" };
    return support_expost_close(&fx, names, sizeof names / sizeof names[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_observed_files),
        cmocka_unit_test(test_from),
        cmocka_unit_test(test_model_values),
        cmocka_unit_test(test_refinement),
        cmocka_unit_test(test_simulate),
        cmocka_unit_test(test_report_to_full_disk),
    };
    /* MKBA_TEST_FILTER=test_simulate runs one part (a glob over the names). */
    if (getenv("MKBA_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("MKBA_TEST_FILTER"));
    return cmocka_run_group_tests_name("expost errors", tests, setup, teardown);
}
