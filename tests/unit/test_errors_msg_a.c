/* Error paths of the command line, the sensitivity analyses and the report
 * that no other test provoked (the list of scripts/unprovoked-messages.py
 * for src/cli, src/sa and src/report), and the argument checks of the
 * acceptability curve, the payer table and the decision outputs. Through
 * the program where a user can reach a message (exit status, words, no
 * output file left), through the library where only a caller of the API
 * can (the returned code and the words). */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "mkba/sa.h"
#include "analysis/ceac.h"
#include "analysis/decision.h"
#include "analysis/payers.h"
#include "support.h"
#include "support_cli.h"
#include "support_errors.h"
#include "support_run.h"

static char dir[] = "/tmp/mkba-errors-msg-a-XXXXXX";

/* A sensitivity analysis small enough to run in a case, and one of the
 * draws of a --from file. */
#define SA_OUT " --households 20 -q -o DIR/out.h5"
#define FROM_OUT " -q -o DIR/out.h5"
/* The chart script stand-in that draws no chart, for a report that must
 * get past its charts. */
#define NOCHARTS "MKBA_PYTHON=/bin/sh MKBA_PLOTS=DIR/none.sh "
/* The chart script stand-in SCRIPT of the test's folder. */
#define PLOTS(script) "MKBA_PYTHON=/bin/sh MKBA_PLOTS=DIR/" script

/* Sensitivity analyses the scenario or the --from file cannot support:
 * the setting named, no file left. */
static void test_sa_refusals(void **state)
{
    (void)state;
    static const support_cli_case cases[] = {
        { "", "sa sweep tests/data/full.cfg --grid u_severe=0.5:0.2:3" SA_OUT,
          "mkba: --grid u_severe=0.5:0.2:3: LO must be below HI", 2, "DIR/out.h5" },
        { "", "sa sobol tests/data/full.cfg --outcome breakeven:society -n 8" SA_OUT,
          "mkba: --outcome breakeven:society: variance shares need finite outcomes; choose an "
          "npv, cost or effect outcome, not a break-even year or ratio", 1, "DIR/out.h5" },
        { "", "sa tornado DIR/one.cfg" SA_OUT, "mkba: DIR/one.cfg has one arm; a sensitivity "
          "analysis compares arms against the reference arm", 1, "DIR/out.h5" },
        { "", "sa evppi tests/data/full.cfg --from DIR/sa.h5" FROM_OUT,
          "mkba: --from DIR/sa.h5: the file has no decision outputs (skipped: the points of a "
          "points design are not PSA draws); it must hold every draw of a PSA run", 1,
          "DIR/out.h5" },
        { "", "sa evppi DIR/persp.cfg --from DIR/psa.h5 --outcome npv:extra" FROM_OUT,
          "mkba: --from DIR/psa.h5: the file has no perspective 'extra'", 1, "DIR/out.h5" },
        { "", "sa evppi DIR/extra.cfg --from DIR/psa.h5" FROM_OUT,
          "mkba: --from DIR/psa.h5: the file has 41 parameters, the scenario 42; give the "
          "scenario that wrote the file", 1, "DIR/out.h5" },
    };
    support_cli_check(dir, cases, sizeof cases / sizeof cases[0]);
}

/* The summary and the report of files that cannot take them, the
 * report's helpers making its files unwritable (the scratch page a
 * folder or /dev/full, the output's folder gone, a folder in the
 * output's place), and the words of success a quiet run leaves out. */
static void test_outputs(void **state)
{
    (void)state;
    static const support_cli_case cases[] = {
        { "", "summary DIR/sa.h5 --format tidy -o DIR/long.csv",
          "mkba: DIR/sa.h5 holds a sensitivity analysis: the long format is for the draws of "
          "a run; use --format csv", 1, "DIR/long.csv" },
        { PLOTS("stray.sh"), "report DIR/psa.h5 -o DIR/r.html",
          "mkba: chart stray of tools/mkba_plots.py has no place in the report (section "
          "nowhere): the script and src/report/html_*.c disagree", 1, "DIR/r.html" },
        { PLOTS("lost.sh"), "report DIR/psa.h5 -o DIR/r.html",
          "mkba: chart plane: cannot read /tmp/mkba-plots-", 1, "DIR/r.html" },
        { PLOTS("huge.sh"), "report DIR/psa.h5 -o DIR/r.html",
          "wrote a manifest of more than 64 MB (", 1, "DIR/r.html" },
        { PLOTS("pagedir.sh"), "report DIR/psa.h5 --pdf -o DIR/r.pdf",
          "/report.html: Is a directory", 1, "DIR/r.pdf" },
        { PLOTS("pagefull.sh"), "report DIR/psa.h5 --pdf -o DIR/r.pdf",
          "/report.html: No space left on device", 1, "DIR/r.pdf" },
        { PLOTS("rmsub.sh"), "report DIR/psa.h5 -o DIR/sub/r.html",
          "mkba: cannot write DIR/sub/r.html: No such file or directory", 1, NULL },
        { NOCHARTS "MKBA_CHROMIUM=DIR/blocked.sh", "report DIR/psa.h5 --pdf -o DIR/r2.pdf",
          "mkba: cannot write DIR/r2.pdf: Is a directory", 1, NULL },
        { "", "expost tests/data/full.cfg --simulate --observed DIR/x.csv -o DIR/y.csv "
          "--households 20", "mkba: wrote DIR/y.csv", 0, NULL },
        { "", "expost tests/data/full.cfg --observed DIR/y.csv --draws 10 --households 20 "
          "--no-refine -o DIR/e.h5", "mkba: wrote DIR/e.h5", 0, NULL },
    };
    support_cli_check(dir, cases, sizeof cases / sizeof cases[0]);
    static const char *const made[] = { "y.csv" };
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        char path[300];
        snprintf(path, sizeof path, "%s/%s", dir, made[i]);
        assert_true(support_exists(path));
        assert_int_equal(remove(path), 0);
    }
}

/* Result files damaged as a foreign writer might: a threshold with more
 * roots than a threshold can have, an ex-post file of an older layout,
 * and parameter sources that do not match the parameters (the workbook's
 * sources sheet), or one too long for a cell. */
static void test_damaged_files(void **state)
{
    (void)state;
    char good[300], bad[300];
    snprintf(good, sizeof good, "%s/threshold.h5", dir);
    snprintf(bad, sizeof bad, "%s/roots.h5", dir);
    hid_t f = support_damaged_copy(good, bad);
    assert_true(f >= 0);
    assert_int_equal(support_replace_doubles(f, "/sa/threshold/root", 65), 0);
    H5Fclose(f);
    snprintf(good, sizeof good, "%s/psa.h5", dir);
    snprintf(bad, sizeof bad, "%s/sources.h5", dir);
    f = support_damaged_copy(good, bad);
    assert_true(f >= 0);
    assert_true(H5Ldelete(f, "/labels/parameter_sources", H5P_DEFAULT) >= 0);
    assert_true(H5Ocopy(f, "/labels/arms", f, "/labels/parameter_sources", H5P_DEFAULT,
                        H5P_DEFAULT) >= 0);
    H5Fclose(f);
    snprintf(good, sizeof good, "%s/e.h5", dir);    /* test_outputs wrote it */
    snprintf(bad, sizeof bad, "%s/update.h5", dir);
    f = support_damaged_copy(good, bad);
    assert_true(f >= 0);
    assert_int_equal(support_replace_doubles(f, "/expost/update", 3), 0);
    H5Fclose(f);
    /* A source longer than a spreadsheet cell holds. */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "sed \"s/source = \\\"assumption\\\"; };/source = \\\"$(head -c "
             "40000 /dev/zero | tr '\\0' a)\\\"; };/\" tests/data/full.cfg >'%s/long.cfg' && "
             "'%s' run '%s/long.cfg' --draws 3 --households 20 -q -o '%s/long.h5'", dir,
             support_bin(), dir, dir);
    assert_int_equal(system(cmd), 0);
    /* An effect's unit, which its table's cells show, as long. */
    snprintf(cmd, sizeof cmd, "sed \"s/unit = \\\"household-years with a severe problem"
             "\\\"/unit = \\\"$(head -c 40000 /dev/zero | tr '\\0' u)\\\"/\" "
             "tests/data/full.cfg >'%s/unit.cfg' && '%s' run '%s/unit.cfg' --draws 3 "
             "--households 20 -q -o '%s/unit.h5'", dir, support_bin(), dir, dir);
    assert_int_equal(system(cmd), 0);
    static const support_cli_case cases[] = {
        { "", "summary DIR/roots.h5", "mkba: DIR/roots.h5: /sa/threshold/root has 65 values; a "
          "threshold has at most 64 roots", 1, NULL },
        { "", "summary DIR/update.h5", "mkba: DIR/update.h5 was written by an older mkba "
          "(/expost/update has 3 columns, expected 13); run mkba expost again", 1, NULL },
        { "", "summary DIR/long.h5 --format xlsx -o DIR/book.xlsx",
          "mkba: cannot write the sources sheet of DIR/book.xlsx: String exceeds Excel's limit "
          "of 32,767 characters. (the row of p_debt_recover)", 1, "DIR/book.xlsx" },
        { "", "summary DIR/unit.h5 --format xlsx -o DIR/book.xlsx",
          "mkba: cannot write the sheet of table effects to DIR/book.xlsx: String exceeds "
          "Excel's limit of 32,767 characters.", 1, "DIR/book.xlsx" },
        { "", "summary DIR/sources.h5 --format xlsx -o DIR/book.xlsx",
          "mkba: DIR/sources.h5: /labels/parameter_sources has 2 entries for 41 parameters", 1,
          "DIR/book.xlsx" },
    };
    support_cli_check(dir, cases, sizeof cases / sizeof cases[0]);
    static const char *const damaged[] = { "roots.h5", "sources.h5", "update.h5", "long.cfg",
                                           "long.h5", "unit.cfg", "unit.h5" };
    for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
        snprintf(bad, sizeof bad, "%s/%s", dir, damaged[i]);
        assert_int_equal(remove(bad), 0);
    }
}

/* The library refuses what the command line refuses first, for callers of
 * the API: a draw beyond 32 bits, a bootstrap beyond its cap, a range with
 * LO not below HI. */
static void test_sa_api(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    assert_int_equal(mkba_scenario_load(NULL, "tests/data/full.cfg", &m, &err), MKBA_OK);
    char out[300];
    snprintf(out, sizeof out, "%s/api.h5", dir);
    mkba_sa_options o;
    mkba_sa_options_init(&o);
    o.method = MKBA_SA_TORNADO;
    o.output = out;
    o.households = 20;
    o.draw = 4294967296L;
    support_expect_error(mkba_sa_run(NULL, m, &o, &err), MKBA_EINVAL, &err,
                         "--draw must be between 0 and 4294967295 (got 4294967296)");
    mkba_error_clear(&err);
    o.draw = 0;
    o.bootstrap = 100001;
    support_expect_error(mkba_sa_run(NULL, m, &o, &err), MKBA_EINVAL, &err,
                         "--bootstrap must be 0 to 100000 (got 100001)");
    mkba_error_clear(&err);
    o.bootstrap = 200;
    const mkba_sa_range bad = { "u_severe", 0.5, 0.2, 0 };
    o.factors = "u_severe";
    o.range = &bad;
    o.nrange = 1;
    support_expect_error(mkba_sa_run(NULL, m, &o, &err), MKBA_EINVAL, &err,
                         "--factors: the range of u_severe must be LO:HI with finite LO < HI "
                         "(got 0.5:0.2)");
    mkba_error_clear(&err);
    /* Only the methods on a design take a range (the command line refuses
     * --range for the others). */
    const mkba_sa_range good = { "u_severe", 0.2, 0.4, 0 };
    o.method = MKBA_SA_EVPPI;
    o.draws = 100;
    o.range = &good;
    support_expect_error(mkba_sa_run(NULL, m, &o, &err), MKBA_EINVAL, &err,
                         "--range has no meaning on PSA draws (u_severe); the draws span each "
                         "factor's distribution");
    mkba_error_clear(&err);
    assert_false(support_exists(out));
    mkba_sa_options f;
    mkba_sa_options_init(&f);
    f.method = MKBA_SA_SOBOL;
    f.bootstrap = -1;
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    int rc = mkba_sa_function(NULL, &f, "ishigami", MKBA_SUMMARY_TEXT, sink, &err);
    fclose(sink);
    support_expect_error(rc, MKBA_EINVAL, &err, "--bootstrap must be 0 to 100000 (got -1)");
    mkba_model_free(m);
}

static volatile sig_atomic_t stop_flag;

static void raise_stop(int signo)
{
    (void)signo;
    stop_flag = 1;
}

/* mkba report through the API: no output file; a stop flag raised before
 * the call, while the chart script runs and while Chromium prints (the
 * stand-ins send SIGUSR1 to the test, whose handler raises the flag).
 * Each ends with its message and leaves no output. */
static void test_report_api(void **state)
{
    (void)state;
    char psa[300], html[300], pdf[300], path[300];
    snprintf(psa, sizeof psa, "%s/psa.h5", dir);
    snprintf(html, sizeof html, "%s/api.html", dir);
    snprintf(pdf, sizeof pdf, "%s/api.pdf", dir);
    mkba_error err = {0};
    mkba_html_options o = { NULL, "en" };
    support_expect_error(mkba_report_html(NULL, psa, &o, &err), MKBA_EINVAL, &err,
                         "the report needs an output file");
    mkba_error_clear(&err);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = raise_stop;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.stop = &stop_flag;
    o.output = html;
    assert_int_equal(setenv("MKBA_PYTHON", "/bin/sh", 1), 0);
    const struct {
        const char *plots, *chromium;   /* stand-in scripts of the test's folder */
        int pdf, stopped;               /* stopped: the flag raised before the call */
        const char *says;
    } cases[] = {
        { "none.sh", NULL, 0, 1, "interrupted while the report was written" },
        { "stop.sh", NULL, 0, 0, "interrupted while the charts were drawn" },
        { "none.sh", "stop.sh", 1, 0, "interrupted while Chromium printed the PDF" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, cases[i].plots);
        assert_int_equal(setenv("MKBA_PLOTS", path, 1), 0);
        if (cases[i].chromium != NULL) {
            snprintf(path, sizeof path, "%s/%s", dir, cases[i].chromium);
            assert_int_equal(setenv("MKBA_CHROMIUM", path, 1), 0);
        }
        stop_flag = (sig_atomic_t)cases[i].stopped;
        o.output = cases[i].pdf ? pdf : html;
        int rc = (cases[i].pdf ? mkba_report_pdf : mkba_report_html)(&ctx, psa, &o, &err);
        support_expect_error(rc, MKBA_EINTERRUPTED, &err, cases[i].says);
        mkba_error_clear(&err);
        assert_false(support_exists(o.output));
    }
    unsetenv("MKBA_PYTHON");
    unsetenv("MKBA_PLOTS");
    unsetenv("MKBA_CHROMIUM");
    assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
}

/* Fails the test unless the call returned MKBA_EINVAL with `says` in err,
 * then clears err for the next call. */
static void refused(int rc, mkba_error *err, const char *says)
{
    support_expect_error(rc, MKBA_EINVAL, err, says);
    mkba_error_clear(err);
}

/* Argument checks of the acceptability curve, the payer table and the
 * decision outputs: each bad argument its own message, MKBA_EINVAL. */
static void test_analysis_arguments(void **state)
{
    (void)state;
    mkba_error err = {0};
    /* 2 draws x 2 arms; the third value is not finite. */
    const double cost[4] = { 100.0, 90.0, 110.0, 95.0 }, effect[4] = { 1.0, 1.2, 0.9, 1.1 };
    const double inf_cost[4] = { 100.0, 90.0, INFINITY, 95.0 }, wtp[1] = { 2.5e4 };
    double nmb[4], mean[2], best[2], wv[2], work[8], out = 0.0;
    size_t wi[2];
    mkba_decision_point pt;
    refused(mkba_nmb_fill(4, NULL, effect, 1.0, nmb, &err), &err,
            "net monetary benefit: NULL array given");
    refused(mkba_nmb_fill(4, cost, effect, NAN, nmb, &err), &err,
            "net monetary benefit: willingness to pay nan is not finite");
    refused(mkba_nmb_fill(4, inf_cost, effect, 1.0, nmb, &err), &err,
            "net monetary benefit: cost (inf) or effect (0.9) at index 2 is not finite");
    refused(mkba_decision_at(2, 2, cost, mean, best, NULL, &pt, NULL, wi, &err), &err,
            "decision: NULL array given");
    refused(mkba_decision_at(0, 2, cost, mean, best, NULL, &pt, wv, wi, &err), &err,
            "decision: need at least one draw and one arm (got 0, 2)");
    refused(mkba_decision_at(2, 2, inf_cost, mean, best, NULL, &pt, wv, wi, &err), &err,
            "decision: value of draw 1, arm 0 is not finite (inf)");
    assert_null(mkba_ceac_alloc(2, 2, cost, effect, wtp, 0, &err));
    refused(err.code, &err, "acceptability curve: need costs, effects and willingness-to-pay "
            "values, with at least one draw, arm and value (got 2, 2, 0)");
    const double population[2] = { 1000.0, 900.0 };
    refused(mkba_evpi_population(10.0, population, 0, 0.03, &out, &err), &err,
            "population EVPI: need a population for at least one year");
    refused(mkba_evpi_population(-1.0, population, 2, 0.03, &out, &err), &err,
            "population EVPI: per-person EVPI -1 must be finite and >= 0");
    refused(mkba_evpi_population(10.0, population, 2, -1.0, &out, &err), &err,
            "population EVPI: discount rate -1 must be finite and > -1");
    /* The payer table: 2 draws x 2 arms x 1 payer. */
    mkba_payer_input in = { 2, 2, 1, 0, cost, NULL };
    mkba_payer_row row;
    mkba_payer_input none = in;
    none.cost = NULL;
    refused(mkba_payer_row_of(&none, 1, NULL, work, &row, &err), &err,
            "payer table: no input or no costs given");
    mkba_payer_input empty = in;
    empty.ndraws = 0;
    refused(mkba_payer_row_of(&empty, 1, NULL, work, &row, &err), &err,
            "payer table: need at least one draw and one arm (got 0, 2)");
    mkba_payer_input far = in;
    far.reference = 2;
    refused(mkba_payer_row_of(&far, 1, NULL, work, &row, &err), &err,
            "payer table: reference arm 2 is out of range 0..1");
    mkba_payer_input infinite = in;
    infinite.cost = inf_cost;
    refused(mkba_payer_row_of(&infinite, 1, NULL, work, &row, &err), &err,
            "payer table: cost (inf) or gain (0) of draw 1, arm 0, payer 0 is not finite");
    refused(mkba_payer_row_of(&in, 1, NULL, NULL, &row, &err), &err,
            "payer table: no scratch or output given");
    refused(mkba_payer_row_of(&in, 2, NULL, work, &row, &err), &err,
            "payer table: arm 2 is out of range 0..1");
    /* The decision outputs of a totals record without draws, and of one
     * without its perspectives. */
    assert_null(mkba_decision_alloc(NULL, NULL, NULL, &err));
    refused(err.code, &err, "decision outputs: the result holds no draws, arms or cycles, or "
            "its reference arm is out of range");
    mkba_h5_totals t;
    memset(&t, 0, sizeof t);
    t.ndraws = 2;
    t.narms = 2;
    t.ncycles = 1;
    assert_null(mkba_decision_alloc(&t, NULL, NULL, &err));
    refused(err.code, &err, "decision outputs: the result lacks its perspectives or per-cycle "
            "arrays");
}

/* A stand-in script of the test's folder: its name and its text, in which
 * DIR names the folder. */
static int script(const char *name, const char *body)
{
    char path[300], text[2000];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    support_cli_expand(dir, body, text, sizeof text);
    return support_write_file(path, text) == 0 && chmod(path, 0755) == 0 ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    /* The result files, and scenarios made from the fixtures: one arm, a
     * perspective more, an inline amount (the last parameter) more. */
    static const char *const steps[] = {
        "BIN run tests/data/full.cfg --draws 100 --households 20 -q -o DIR/psa.h5",
        "BIN sa tornado tests/data/full.cfg --factors u_severe --households 20 -q -o DIR/sa.h5",
        "BIN sa threshold tests/data/full.cfg --factors u_severe --households 20 -q "
        "-o DIR/threshold.h5",
        "sed 's/arms = ( { name = \"one\"; reference = true; }, { name = \"two\"; } );/"
        "arms = ( { name = \"one\"; reference = true; } );/' tests/data/twins.cfg >DIR/one.cfg",
        "sed 's/^    { name = \"zorg-en-veiligheid\";/    { name = \"extra\"; payers = "
        "[\"justitie\"]; },\\n&/' tests/data/full.cfg >DIR/persp.cfg",
        "sed 's/^\\(  { effect = \"income\"; domain = \"debt\"; state = \"none\"; per_year = "
        "500.0; arms = \\[\"integrated\"\\]; }\\)$/\\1,\\n  { effect = \"income\"; domain = "
        "\"debt\"; state = \"light\"; per_year = 250.0; }/' tests/data/full.cfg >DIR/extra.cfg",
        "printf 'year,arm,metric,value,n,domain\\n1,integrated,in_state,150,3000,debt/severe"
        "\\n' >DIR/x.csv",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        char step[1000], cmd[1200];
        support_cli_expand(dir, steps[i], step, sizeof step);
        if (strncmp(step, "BIN ", 4) == 0)
            snprintf(cmd, sizeof cmd, "'%s' %s", support_bin(), step + 4);
        else
            snprintf(cmd, sizeof cmd, "%s", step);
        if (system(cmd) != 0)
            return -1;
    }
    char sub[300];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    if (mkdir(sub, 0700) != 0)
        return -1;
    return script("none.sh", "#!/bin/sh\necho '[]' >\"$2/manifest.json\"\n")
           | script("stray.sh", "#!/bin/sh\necho '<svg/>' >\"$2/stray.svg\"\n"
                                "echo '[{\"id\": \"stray\", \"file\": \"stray.svg\", "
                                "\"section\": \"nowhere\"}]' >\"$2/manifest.json\"\n")
           | script("lost.sh", "#!/bin/sh\necho '[{\"id\": \"plane\", \"file\": \"plane.svg\", "
                               "\"section\": \"plane\"}]' >\"$2/manifest.json\"\n")
           | script("pagedir.sh", "#!/bin/sh\necho '[]' >\"$2/manifest.json\"\n"
                                  "mkdir \"$2/report.html\"\n")
           | script("pagefull.sh", "#!/bin/sh\necho '[]' >\"$2/manifest.json\"\n"
                                   "ln -s /dev/full \"$2/report.html\"\n")
           | script("rmsub.sh", "#!/bin/sh\necho '[]' >\"$2/manifest.json\"\nrmdir DIR/sub\n")
           | script("blocked.sh", "#!/bin/sh\nfor a; do case $a in --print-to-pdf=*) "
                                  "out=${a#--print-to-pdf=};; esac; done\n"
                                  "printf '%%PDF-1.4 /Count 1 ' >\"$out\"\n"
                                  "mkdir -p \"${out%.tmp-*}/x\"\n")
           | script("stop.sh", "#!/bin/sh\nkill -USR1 $PPID\nexec sleep 30\n")
           | script("huge.sh", "#!/bin/sh\nhead -c 67108865 /dev/zero >\"$2/manifest.json\"\n");
}

static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = { "psa.h5", "sa.h5", "threshold.h5", "e.h5", "one.cfg",
                                         "persp.cfg", "extra.cfg", "x.csv", "none.sh",
                                         "stray.sh", "lost.sh", "stop.sh", "huge.sh",
                                         "pagedir.sh", "pagefull.sh", "rmsub.sh",
                                         "blocked.sh", "sub", "r2.pdf/x", "r2.pdf" };
    return support_remove_folder(dir, names, sizeof names / sizeof names[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sa_refusals),
        cmocka_unit_test(test_outputs),
        cmocka_unit_test(test_damaged_files),
        cmocka_unit_test(test_sa_api),
        cmocka_unit_test(test_report_api),
        cmocka_unit_test(test_analysis_arguments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
