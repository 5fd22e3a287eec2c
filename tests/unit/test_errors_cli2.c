/* Error paths of the program, provoked through it: the words of the
 * command line that test_errors_cli leaves out (a missing value, an
 * unknown option of each command, mkba init's files), the summary's output
 * options and output file checks, and the helpers the report runs (the
 * chart script, Chromium): options that do not go together, an output that is
 * a folder, a device, the input or another HDF5 file, and a chart script
 * or browser that cannot run, fails, writes nothing or hangs (stand-ins
 * given with MKBA_PYTHON, MKBA_PLOTS and MKBA_CHROMIUM). Each case checks
 * the exit status, the words (naming the file or setting) and that no
 * output file is left. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "mkba/expost.h"
#include "support.h"
#include "support_run.h"
#include "support_cli.h"

static char dir[] = "/tmp/mkba-errors-cli2-XXXXXX";

/* A run that would write DIR/out.h5 at once. */
#define RUN " --draws 0 -q -o DIR/out.h5"

typedef support_cli_case report_case;

static void check_cases(const report_case *cases, size_t n)
{
    support_cli_check(dir, cases, n);
}

/* Runs mkba with args (DIR: the test's folder) and fails unless it exits
 * 2 printing exactly `text` (stdout and stderr). */
static void says_exactly(const char *args, const char *text)
{
    char expanded[600], cmd[900], got[4096];
    support_cli_expand(dir, args, expanded, sizeof expanded);
    snprintf(cmd, sizeof cmd, "{ '%s' %s </dev/null; } 2>&1", support_bin(), expanded);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(got, 1, sizeof got - 1, p);
    got[n] = '\0';
    int status = pclose(p);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 2 || strcmp(got, text) != 0)
        fail_msg("mkba %s: exit %d, expected 2 and exactly \"%s\", got: \"%s\"", expanded,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, text, got);
}

/* Usage errors (exit 2) and mkba init's files (exit 1), none leaving a
 * file; init's success names the next step. */
static void test_command_line(void **state)
{
    (void)state;
    static const report_case cases[] = {
        { "", "", "mkba: no command given", 2, NULL },
        { "", "--bogus", "mkba: unknown option '--bogus'", 2, NULL },
        { "", "run", "mkba: run needs a scenario file", 2, NULL },
        { "", "run tests/data/full.cfg --draws x -o DIR/out.h5",
          "mkba: --draws expects a whole number >= 0, got 'x'", 2, "DIR/out.h5" },
        { "", "run tests/data/full.cfg -o", "mkba: --output needs a value", 2, NULL },
        { "", "run tests/data/full.cfg --bogus -o DIR/out.h5",
          "mkba: unknown option '--bogus' for run", 2, "DIR/out.h5" },
        { "", "run tests/data/full.cfg --households 10 --set u_sever=0.3" RUN,
          "mkba: --set: the scenario has no parameter 'u_sever' (did you mean 'u_severe'?); "
          "`mkba check` lists every parameter", 1, "DIR/out.h5" },
        { "", "run tests/data/full.cfg --households 10 --set u_severe@integrated=0.3 "
          "--set u_severe@integrated=0.2" RUN,
          "mkba: --set u_severe: given more than once for arm 'integrated'", 1, "DIR/out.h5" },
        { "", "run DIR/both.cfg --households 10 --set p_debt_recover=0.3" RUN,
          "mkba: --set p_debt_recover: every arm overrides this parameter, so the scenario's "
          "own definition is used nowhere; fix it in one arm with --set p_debt_recover@ARM=0.3",
          1, "DIR/out.h5" },
        { "", "run tests/data/full.cfg --draws 0 -q -o /dev/null",
          "mkba: cannot write the result file /dev/null: it exists and is not a regular file "
          "(a device, pipe or socket)", 1, NULL },
        { "", "run tests/data/full.cfg --households 10 --resume --no-checkpoint" RUN,
          "mkba: --resume continues from the checkpoint, which --no-checkpoint turns off; give "
          "one of them", 1, "DIR/out.h5" },
        { "", "run tests/data/full.cfg --draws 0 -q -o DIR/plain",
          "mkba: DIR/plain already exists; use --force to overwrite it or -o to write "
          "elsewhere", 1, NULL },
        { "", "check tests/data/full.cfg --bogus", "mkba: unknown option '--bogus' for check",
          2, NULL },
        { "", "summary", "mkba: summary needs a result file", 2, NULL },
        { "", "summary DIR/psa.h5 --format docx",
          "mkba: --format expects text, csv, markdown, json, tidy or xlsx, got 'docx'", 2,
          NULL },
        { "", "summary DIR/psa.h5 --csv-locale fr", "mkba: --csv-locale expects nl or en, got "
          "'fr'", 2, NULL },
        { "", "report", "mkba: report needs a result file", 2, NULL },
        { "", "sa nosuch tests/data/full.cfg", "mkba: unknown sensitivity method 'nosuch'; "
          "known: tornado, threshold, sweep, sobol, morris, evppi, prim, believe", 2, NULL },
        { "", "expost tests/data/full.cfg --observed DIR/x.csv --bogus -o DIR/out.h5",
          "mkba: unknown option '--bogus' for expost", 2, "DIR/out.h5" },
        { "", "expost tests/data/full.cfg --simulate --observed DIR/x.csv -o DIR/y.csv "
          "--truth-draw 5000000000",
          "mkba: --truth-draw expects a draw number from 0 to 4294967295, got '5000000000'", 2,
          "DIR/y.csv" },
        { "", "expost tests/data/full.cfg --observed DIR/x.csv --max-repeats 10001 -o "
          "DIR/out.h5", "mkba: --max-repeats expects 0 to 10000 decorrelation repeats a stage, "
          "got '10001'", 2, "DIR/out.h5" },
        { "", "expost tests/data/full.cfg --observed DIR/x.csv --max-repeats -1 -o DIR/out.h5",
          "mkba: --max-repeats expects a whole number >= 0, got '-1'", 2, "DIR/out.h5" },
        { "", "expost tests/data/full.cfg --observed DIR/x.csv --set u_severe=0.3 -o "
          "DIR/out.h5", "mkba: --set gives the true values of --simulate; the update runs the "
          "PSA as the scenario defines it", 2, "DIR/out.h5" },
        { "", "init", "mkba: init needs the name of the scenario file to write", 2, NULL },
        { "", "init DIR/a.cfg --bogus", "mkba: unknown option '--bogus' for init", 2,
          "DIR/a.cfg" },
        { "", "init DIR/a.cfg --template nosuch", "mkba: --template expects one of ", 2,
          "DIR/a.cfg" },
        { "", "init DIR/", "mkba: cannot use DIR/: it gives the scenario no name", 1, NULL },
        { "", "init DIR/plain", "mkba: cannot write DIR/plain: it exists (--force replaces it)",
          1, NULL },
        { "", "init DIR/dangling.cfg",  /* a symbolic link to nothing: stat finds no file */
          "mkba: cannot write DIR/dangling.cfg: File exists (--force replaces it)", 1, NULL },
        { "", "init DIR/tables.cfg --force",
          "mkba: cannot write DIR/tables.cfg: it is not a regular file", 1, NULL },
        { "", "init DIR/nosuch/a.cfg",
          "mkba: cannot write DIR/nosuch/a.cfg: No such file or directory", 1,
          "DIR/nosuch/a.cfg" },
        { "", "init DIR/new.cfg", "mkba: wrote DIR/new.cfg; next: mkba check DIR/new.cfg", 0,
          NULL },
    };
    char path[300];
    snprintf(path, sizeof path, "%s/tables.cfg", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    check_cases(cases, sizeof cases / sizeof cases[0]);
    assert_int_equal(rmdir(path), 0);
    snprintf(path, sizeof path, "%s/new.cfg", dir);
    assert_true(support_exists(path));
    assert_int_equal(remove(path), 0);
    /* A number out of its range is one line, as a malformed one is: the
     * value, not the usage. */
    char bound[160];
    snprintf(bound, sizeof bound, "mkba: --max-repeats expects 0 to %d decorrelation repeats a "
             "stage, got '%d'\n", MKBA_EXPOST_MAX_REPEATS, MKBA_EXPOST_MAX_REPEATS + 1);
    says_exactly("expost tests/data/full.cfg --observed DIR/x.csv --max-repeats 10001 -o "
                 "DIR/out.h5", bound);
    says_exactly("expost tests/data/full.cfg --observed DIR/x.csv --max-repeats -1 -o "
                 "DIR/out.h5", "mkba: --max-repeats expects a whole number >= 0, got '-1'\n");
}

/* A folder the user may not write to: run as nobody (uid 65534) with an
 * output in /, which root owns. Needs root to drop to nobody (CI runs as
 * root) and a checkout nobody can reach; skipped with a message otherwise. */
static void test_no_permission(void **state)
{
    (void)state;
    support_need_nobody("tests/data/full.cfg");
    static const report_case cases[] = {
        { SUPPORT_NOBODY,
          "run tests/data/full.cfg --draws 0 -q -o /mkba-no-permission.h5",
          "mkba: cannot write the result file /mkba-no-permission.h5: no permission to create "
          "files in folder / (Permission denied)", 1, "/mkba-no-permission.h5" },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Sensitivity analyses whose factors, outcome, arms or --from file do not
 * fit the scenario. */
static void test_sa_words(void **state)
{
    (void)state;
#define SA_FULL "sa tornado tests/data/full.cfg --households 50 -q -o DIR/out.h5 "
    static const report_case cases[] = {
        { "", SA_FULL "--factors u_severe --set u_severe=0.3",
          "--set u_severe: u_severe is also a factor of this analysis, which moves it; leave "
          "it out of --factors or of --set", 1, "DIR/out.h5" },
        { "", SA_FULL "--factors p_debt_worse --range p_debt_worse=0:5",
          "--factors: the range 0:5 of p_debt_worse leaves its valid domain [0, 1]", 1,
          "DIR/out.h5" },
        { "", SA_FULL "--factors 'zz*'",
          "--factors: the pattern 'zz*' matches no parameter with a distribution", 1,
          "DIR/out.h5" },
        { "", SA_FULL "--factors @integrated",
          "--factors: '@integrated' is not a parameter name", 1, "DIR/out.h5" },
        { "", SA_FULL "--factors u_severe --outcome nosuch", "--outcome: no outcome 'nosuch'; "
          "outcomes are npv:P and breakeven:P for a perspective P", 1, "DIR/out.h5" },
        { "", "sa threshold tests/data/full.cfg --households 50 -q -o DIR/out.h5 "
          "--factors u_severe,prog_year",
          "--factors u_severe,prog_year: a threshold moves exactly one factor (this names 2)",
          1, "DIR/out.h5" },
        { "", "sa prim tests/data/full.cfg -q -o DIR/out.h5 --from DIR/svc.h5 --arm classic",
          "--arm classic is the reference arm, which the others are compared with; name "
          "another arm", 1, "DIR/out.h5" },
        { "", "sa sweep tests/data/full.cfg --households 50 -q -o DIR/out.h5 "
          "--grid u_severe=0.1:0.9:1000 --grid prog_year=100:200:1000",
          "--grid: the grids have more than the ", 1, "DIR/out.h5" },
        { "", "sa prim tests/data/full.cfg --households 50 -q -o DIR/out.h5 --draws 5",
          "prim: needs at least 50 PSA draws (got 5); give --draws N", 1, "DIR/out.h5" },
        { "", "sa evppi tests/data/full.cfg --households 50 -q -o DIR/out.h5 --draws 100 "
          "--factors u_severe,prog_year --group u_severe+nosuch",
          "--group u_severe+nosuch: 'nosuch' is not one of the factors", 1, "DIR/out.h5" },
        { "", "sa prim tests/data/full.cfg -q -o DIR/out.h5 --from DIR/svc.h5 --draws 60",
          "--draws has no meaning with --from, whose file holds its own draws", 1,
          "DIR/out.h5" },
        { "", "sa prim tests/data/full.cfg -q -o DIR/out.h5 --from DIR/svc.h5",
          "--from DIR/svc.h5: parameter 2 is 'improve' in the file but 'p_debt_recover' in the "
          "scenario; give the scenario that wrote the file", 1, "DIR/out.h5" },
    };
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "'%s' run tests/data/services.cfg --draws 60 --households 20 -q "
             "-o '%s/svc.h5'", support_bin(), dir);
    assert_int_equal(system(cmd), 0);
    check_cases(cases, sizeof cases / sizeof cases[0]);
    snprintf(cmd, sizeof cmd, "%s/svc.h5", dir);
    assert_int_equal(remove(cmd), 0);
}

/* Runs the engines refuse before they start: the cohort trace of a
 * scenario with services or entrants, more households than services can
 * keep, more entrants than a draw can count. */
static void test_engine_limits(void **state)
{
    (void)state;
    static const report_case cases[] = {
        { "", "run tests/data/services.cfg --cohort" RUN,
          "mkba: tests/data/services.cfg: the scenario has services, whose capacity couples "
          "households; they need the microsimulation, not the cohort trace", 1, "DIR/out.h5" },
        { "", "run tests/data/budget.cfg --cohort" RUN,
          "mkba: tests/data/budget.cfg:21: population.inflow = 150: entrants need a "
          "microsimulation; the cohort trace (--cohort) has none", 1, "DIR/out.h5" },
        { "", "run tests/data/services.cfg --households 60000000" RUN,
          "mkba: tests/data/services.cfg:76: services: 60000000 households per draw; expected "
          "at most 20000000 with services", 1, "DIR/out.h5" },
        { "", "run DIR/inflow.cfg --households 2000000000" RUN,
          "mkba: DIR/inflow.cfg:21: population.inflow = 5000 gives 1e+10 entrants a year for "
          "2000000000 simulated households; expected at most 2e9 (fewer --households)", 1,
          "DIR/out.h5" },
    };
    char path[300];
    snprintf(path, sizeof path, "%s/inflow.cfg", dir);
    assert_int_equal(support_write_variant("tests/data/budget.cfg", path, "  inflow = 150;",
                                           "  inflow = 5000;"), 0);
    check_cases(cases, sizeof cases / sizeof cases[0]);
    assert_int_equal(remove(path), 0);
}

/* The summary's options that do not go together, and outputs it must not
 * replace. */
static void test_summary_outputs(void **state)
{
    (void)state;
    static const report_case cases[] = {
        { "", "summary DIR/psa.h5 --format xlsx",
          "the xlsx format needs an output file (-o FILE.xlsx)", 1, NULL },
        { "", "summary DIR/psa.h5 --format json --folder DIR/tables",
          "a folder of files (--folder) holds csv files: use it with --format csv", 1,
          "DIR/tables" },
        { "", "summary DIR/psa.h5 --format csv -o DIR/a.csv --folder DIR/tables",
          "give either an output file or a folder, not both", 1, "DIR/a.csv" },
        { "", "summary DIR/psa.h5 --format json --csv-locale nl -o DIR/a.json",
          "--csv-locale applies to --format csv and tidy only", 1, "DIR/a.json" },
        { "", "summary DIR/psa.h5 --brief --format csv",
          "--brief is the answer of the text summary: use it without --format", 1, NULL },
        { "", "summary DIR/psa.h5 --format tidy --table npv",
          "the long format is one table of per-draw values; --table selects a table of the "
          "other formats", 1, NULL },
        { "", "summary DIR/psa.h5 --table zzz_nosuch",
          "no table 'zzz_nosuch' in this file; its tables: ", 1, NULL },
        { "", "summary DIR/psa.h5 --format csv -o DIR",
          "cannot write DIR: it is a folder", 1, NULL },
        { "", "summary DIR/psa.h5 --format csv -o /dev/null",
          "cannot write /dev/null: it is not a regular file (a device or a pipe); name a file "
          "(summary without -o prints to standard output)", 1, NULL },
        { "", "summary DIR/psa.h5 --format csv -o DIR/psa.h5",
          "refusing to write DIR/psa.h5: it is the input file DIR/psa.h5; name another "
          "output file", 1, NULL },
        { "", "summary DIR/psa.h5 --format csv -o DIR/other.h5",
          "refusing to write DIR/other.h5: it is an HDF5 file (a result file?) that the "
          "output would replace; name another output file", 1, NULL },
        { "", "summary DIR/psa.h5 --format csv --folder DIR/plain",
          "cannot write into DIR/plain: it is a file, not a folder", 1, NULL },
        { "", "summary DIR/psa.h5 --format csv --folder DIR/plain/sub",
          "cannot create the folder DIR/plain/sub: Not a directory", 1, NULL },
        { "", "summary DIR/psa.h5 --perspective societ",
          "mkba: unknown perspective 'societ'; known: society, municipality, ", 1, NULL },
        { "", "summary DIR/psa.h5 --perspective societ",
          "(did you mean 'society'?)", 1, NULL },
        { "", "summary DIR/psa.h5 --table npvv",
          "no table 'npvv' in this file; its tables: answer, run, ", 1, NULL },
        { "", "summary DIR/psa.h5 --table npvv", "(did you mean 'npv'?)", 1, NULL },
        { "", "summary DIR/psa.h5 --format csv -o DIR/nosuch/x.csv",
          "mkba: cannot write DIR/nosuch/x.csv: No such file or directory", 1, NULL },
        { "", "summary DIR/psa.h5 --format tidy >/dev/full",
          "mkba: cannot write the long table", 1, NULL },
        { "", "sa sobol --function nosuch",
          "mkba: unknown test function \"nosuch\": known are ishigami, sobol-g, linear", 1,
          NULL },
        { "", "sa sobol --function ishigami -n 16 >/dev/full", "mkba: cannot write the tables",
          1, NULL },
        { "", "summary DIR/psa.h5 --bogus",
          "mkba: unknown option '--bogus' for summary (mkba summary --help lists them)", 2,
          NULL },
    };
    /* The cases that write to /dev/full need the device. */
    int full = support_have_dev_full("the cases that write to /dev/full");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (full || strstr(cases[i].args, "/dev/full") == NULL)
            check_cases(&cases[i], 1);
    char path[300];
    snprintf(path, sizeof path, "%s/other.h5", dir);
    assert_true(support_exists(path));
    snprintf(path, sizeof path, "%s/psa.h5", dir);
    assert_true(support_exists(path));
}

/* The chart script of mkba report: each way it can fail, with a stand-in
 * run by /bin/sh (its second argument is the folder for the charts). */
static void test_chart_script(void **state)
{
    (void)state;
#define SH "MKBA_PYTHON=/bin/sh "
    static const report_case cases[] = {
        { "MKBA_PLOTS_TIMEOUT=soon", "report DIR/psa.h5 -o DIR/r.html",
          "MKBA_PLOTS_TIMEOUT is 'soon'; expected the seconds the chart script may take, a "
          "positive number", 1, "DIR/r.html" },
        { "MKBA_PLOTS=DIR/nosuch.py", "report DIR/psa.h5 -o DIR/r.html",
          "the chart script DIR/nosuch.py cannot be read (No such file or directory); set "
          "MKBA_PLOTS to tools/mkba_plots.py", 1, "DIR/r.html" },
        { "TMPDIR=DIR/nosuch", "report DIR/psa.h5 -o DIR/r.html",
          "cannot make a folder for the charts (DIR/nosuch/mkba-plots-", 1, "DIR/r.html" },
        { "MKBA_PYTHON=DIR/nosuch-python", "report DIR/psa.h5 -o DIR/r.html",
          "the charts need python3 with matplotlib and h5py; DIR/nosuch-python cannot be run "
          "(No such file or directory)", 1, "DIR/r.html" },
        { SH "MKBA_PLOTS=DIR/missing.sh", "report DIR/psa.h5 -o DIR/r.html",
          "the charts need python3 with matplotlib and h5py (/bin/sh): No module named "
          "'matplotlib'", 1, "DIR/r.html" },
        { SH "MKBA_PLOTS=DIR/fails.sh", "report DIR/psa.h5 -o DIR/r.html",
          "the chart script DIR/fails.sh failed (exit status 1): something broke", 1,
          "DIR/r.html" },
        { SH "MKBA_PLOTS=DIR/silent.sh", "report DIR/psa.h5 -o DIR/r.html",
          "the chart script DIR/silent.sh wrote no manifest (", 1, "DIR/r.html" },
        { SH "MKBA_PLOTS=DIR/slow.sh MKBA_PLOTS_TIMEOUT=0.5", "report DIR/psa.h5 -o DIR/r.html",
          "the chart script DIR/slow.sh did not finish within 0.5 s and was stopped", 1,
          "DIR/r.html" },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* The PDF printer: the charts from a stand-in that draws none, then a
 * browser that cannot run, fails, prints nothing or hangs. */
static void test_pdf_printer(void **state)
{
    (void)state;
#define NOCHARTS "MKBA_PYTHON=/bin/sh MKBA_PLOTS=DIR/none.sh "
    static const report_case cases[] = {
        { NOCHARTS "MKBA_CHROMIUM_TIMEOUT=-3", "report DIR/psa.h5 --format pdf -o DIR/r.pdf",
          "MKBA_CHROMIUM_TIMEOUT is '-3'; expected the seconds Chromium may take to print, a "
          "positive number", 1, "DIR/r.pdf" },
        { NOCHARTS "MKBA_CHROMIUM=DIR/nosuch-chromium",
          "report DIR/psa.h5 --format pdf -o DIR/r.pdf",
          "the PDF is printed by Chromium, and DIR/nosuch-chromium cannot be run (No such file "
          "or directory): install the Debian package chromium", 1, "DIR/r.pdf" },
        { NOCHARTS "MKBA_CHROMIUM=DIR/fails.sh", "report DIR/psa.h5 --format pdf -o DIR/r.pdf",
          "DIR/fails.sh failed to print the PDF (exit status 1): something broke", 1,
          "DIR/r.pdf" },
        { NOCHARTS "MKBA_CHROMIUM=DIR/silent.sh", "report DIR/psa.h5 --format pdf -o DIR/r.pdf",
          "DIR/silent.sh wrote no PDF with pages to ", 1, "DIR/r.pdf" },
        { NOCHARTS "MKBA_CHROMIUM=DIR/slow.sh MKBA_CHROMIUM_TIMEOUT=0.5",
          "report DIR/psa.h5 --format pdf -o DIR/r.pdf",
          "DIR/slow.sh did not print the PDF within 0.5 s and was stopped", 1, "DIR/r.pdf" },
    };
    /* The stand-ins for Chromium are run directly, from the test's folder. */
    char stand_in[300];
    snprintf(stand_in, sizeof stand_in, "%s/fails.sh", dir);
    support_need_exec(stand_in);
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* The ex-post tables of a file without an ex-post evaluation. */
static void test_expost_report_of_a_run(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/psa.h5", dir);
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    mkba_error err = {0};
    int rc = mkba_expost_report_write(NULL, path, MKBA_SUMMARY_TEXT, sink, &err);
    fclose(sink);
    assert_int_equal(rc, MKBA_EINVAL);
    char expect[400];
    snprintf(expect, sizeof expect, "%s holds no ex-post evaluation (/expost); write one with "
             "mkba expost", path);
    support_assert_contains(err.message, expect);
}

/* A stand-in script of the test's folder: name and its text. */
static int script(const char *name, const char *body)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return support_write_file(path, body) == 0 && chmod(path, 0755) == 0 ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    char cmd[1200], plain[300];
    /* both.cfg: full.cfg with p_debt_recover overridden in every arm. */
    snprintf(cmd, sizeof cmd, "'%s' run tests/data/full.cfg --draws 3 --households 20 -q -o "
             "'%s/psa.h5' && cp '%s/psa.h5' '%s/other.h5' && sed 's/reference = true;/"
             "reference = true; overrides = { p_debt_recover = 0.25; };/' tests/data/full.cfg "
             ">'%s/both.cfg' && ln -s '%s/nosuch' '%s/dangling.cfg'", support_bin(), dir, dir,
             dir, dir, dir, dir);
    snprintf(plain, sizeof plain, "%s/plain", dir);
    if (system(cmd) != 0 || support_write_file(plain, "not a folder\n") != 0)
        return -1;
    return script("missing.sh", "#!/bin/sh\necho \"No module named 'matplotlib'\" >&2\n"
                                "exit 3\n")
           | script("fails.sh", "#!/bin/sh\necho 'something broke' >&2\nexit 1\n")
           | script("silent.sh", "#!/bin/sh\nexit 0\n")
           | script("slow.sh", "#!/bin/sh\nexec sleep 30\n")
           | script("none.sh", "#!/bin/sh\necho '[]' >\"$2/manifest.json\"\n");
}

static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = { "psa.h5", "other.h5", "plain", "both.cfg", "dangling.cfg",
                                         "missing.sh",
                                         "fails.sh", "silent.sh", "slow.sh", "none.sh" };
    return support_remove_folder(dir, names, sizeof names / sizeof names[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command_line),
        cmocka_unit_test(test_no_permission),
        cmocka_unit_test(test_sa_words),
        cmocka_unit_test(test_engine_limits),
        cmocka_unit_test(test_summary_outputs),
        cmocka_unit_test(test_chart_script),
        cmocka_unit_test(test_pdf_printer),
        cmocka_unit_test(test_expost_report_of_a_run),
    };
    return cmocka_run_group_tests_name("command line errors (2)", tests, setup, teardown);
}
