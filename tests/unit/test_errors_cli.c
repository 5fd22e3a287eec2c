/* Error paths of the command line: each message of the option parser and of
 * the checks the library makes on the options (design, sensitivity methods,
 * --from files, the output), provoked through the program and checked for
 * its words and exit status (2 for usage, 1 for refused input), with no
 * output file left behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "support_errors.h"
#include "support_run.h"

static const char *bin;
static char dir[] = "/tmp/mkba-errors-cli-XXXXXX";

/* Runs the shell command `cmd` and returns its exit status, with its
 * output in text. */
static int shell(const char *cmd, char *text, size_t size)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t got = fread(text, 1, size - 1, p);
    text[got] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs `mkba ARGS` through the shell from the top folder, with stderr
 * joined to stdout. */
static int mkba(const char *args, char *text, size_t size)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin, args);
    return shell(cmd, text, size);
}

typedef struct cli_case {
    const char *args;   /* after the program; DIR stands for the test's folder */
    const char *says;
    int code;
} cli_case;

/* args with every "DIR" replaced by the test's folder. */
static void expand(const char *args, char *out, size_t size)
{
    size_t used = 0;
    for (const char *p = args; *p != '\0' && used + 64 < size;) {
        if (strncmp(p, "DIR", 3) == 0) {
            used += (size_t)snprintf(out + used, size - used, "%s", dir);
            p += 3;
        } else {
            out[used++] = *p++;
        }
    }
    out[used] = '\0';
}

static void check_cases(const cli_case *cases, size_t n)
{
    char out[128];
    snprintf(out, sizeof out, "%s/out.h5", dir);
    for (size_t i = 0; i < n; i++) {
        char args[1024], text[8192];
        expand(cases[i].args, args, sizeof args);
        remove(out);
        int code = mkba(args, text, sizeof text);
        if (code != cases[i].code || strstr(text, cases[i].says) == NULL)
            fail_msg("mkba %s: exit %d (expected %d), expected \"%s\" in: %s", args, code,
                     cases[i].code, cases[i].says, text);
        if (access(out, F_OK) == 0)
            fail_msg("mkba %s left %s behind", args, out);
    }
}

#define FULL " tests/data/full.cfg "
#define SA_OUT " -o DIR/out.h5 --households 100 -q"

/* The option parser of run, check and summary. */
static void test_options(void **state)
{
    (void)state;
    static const cli_case cases[] = {
        { "run" FULL "-o ''", "mkba: --output needs a file name", 2 },
        { "run" FULL "--threads 5000", "mkba: --threads expects at most 4096, got '5000'", 2 },
        { "check" FULL FULL, "mkba: one file only; unexpected 'tests/data/full.cfg'", 2 },
        { "check", "mkba: check needs a scenario file", 2 },
        { "summary a.h5 b.h5", "mkba: summary takes one result file; unexpected 'b.h5'", 2 },
        { "summary a.h5 --bogus", "mkba: unknown option '--bogus' for summary", 2 },
        { "run" FULL "--set zzqq=1 -o DIR/out.h5",
          "--set: the scenario has no parameter 'zzqq'; `mkba check` lists every parameter", 1 },
        { "run" FULL "--set row_housing_1=0.5 -o DIR/out.h5",
          "--set: parameter 'row_housing_1' is component 1 of a Dirichlet vector "
          "(tests/data/full.cfg:67), whose components sum to 1: it cannot be set or varied on "
          "its own; change the vector's alpha in the scenario", 1 },
        { "run" FULL "-o tests/data/full.cfg/out.h5", "mkba: cannot write the result file "
          "tests/data/full.cfg/out.h5: tests/data/full.cfg is not a folder", 1 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* The option parsers of expost, report, init and the commands' own words:
 * each usage message in turn (exit 2), none writing a file. */
static void test_command_words(void **state)
{
    (void)state;
    static const cli_case cases[] = {
        { "frobnicate", "mkba: unknown command 'frobnicate'", 2 },
        { "run" FULL FULL, "mkba: run takes one scenario file; unexpected 'tests/data/full.cfg'",
          2 },
        { "run" FULL "--seed x",
          "mkba: --seed expects a whole number from 0 to 18446744073709551615, got 'x'", 2 },
        { "run" FULL "--set x", "mkba: --set expects NAME=VALUE or NAME@ARM=VALUE with a "
          "finite number (a decimal point, not a comma), e.g. --set p_debt_relapse=0.2, got "
          "'x'", 2 },
        { "expost" FULL FULL,
          "mkba: expost takes one scenario file; unexpected 'tests/data/full.cfg'", 2 },
        { "expost", "mkba: expost needs a scenario file", 2 },
        { "expost" FULL, "mkba: expost needs the observed data: --observed DATA.csv", 2 },
        { "expost" FULL "--simulate --observed DIR/x.csv",
          "mkba: expost --simulate needs the CSV to write: -o DATA.csv", 2 },
        { "expost" FULL "--simulate --observed DIR/x.csv -o DIR/out.h5 --draws 5",
          "mkba: --draws has no meaning with --simulate (one run at the true values)", 2 },
        { "expost" FULL "--observed DIR/x.csv --truth-draw 3",
          "mkba: --truth-draw belongs to --simulate (the true values of synthetic data)", 2 },
        { "report DIR/a.h5 DIR/b.h5", "mkba: report takes one result file; unexpected", 2 },
        { "report DIR/a.h5 --bogus", "mkba: unknown option '--bogus' for report (mkba report "
          "--help lists them)", 2 },
        { "report DIR/a.h5 --format docx", "mkba: --format expects html or pdf, got 'docx'", 2 },
        { "summary DIR/a.h5 --table ''", "mkba: --table needs a name", 2 },
        { "sa morris" FULL "--levels 3",
          "mkba: --levels expects an even number from 2 to 1000, got '3'", 2 },
        { "sa tornado" FULL "--range u_severe",
          "mkba: --range expects NAME=LO:HI (e.g. detect_team=0.2:0.6), got 'u_severe'", 2 },
        { "sa tornado" FULL "--grid x=1:2:3",
          "mkba: --grid is not an option of sa tornado; it is one of sa sweep", 2 },
        { "sa sobol --function ishigami --households 5", "mkba: --households has no meaning "
          "with --function (an analytic function, no scenario, no file)", 2 },
        { "sa tornado" FULL "--format docx",
          "mkba: --format expects text, csv, markdown or json, got 'docx'", 2 },
        { "init DIR/a.cfg DIR/b.cfg", "mkba: init writes one file; unexpected", 2 },
        { "init 'DIR/a\"b.cfg'", "the scenario's name comes from the file name ('a\"b') and "
          "may not hold a quote, a backslash or a control character", 1 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
    char path[256];
    snprintf(path, sizeof path, "%s/a.cfg", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/a\"b.cfg", dir);
    assert_int_not_equal(access(path, F_OK), 0);
}

/* The option parser of sa and the checks of its methods and factors. */
static void test_sa_options(void **state)
{
    (void)state;
    static const cli_case cases[] = {
        { "sa", "mkba: sa needs a method: tornado, threshold, sweep, sobol", 2 },
        { "sa tornado", "mkba: sa tornado needs a scenario file", 2 },
        { "sa tornado" FULL FULL, "mkba: sa takes one scenario file; unexpected", 2 },
        { "sa tornado" FULL "--threads 5000", "mkba: --threads expects at most 4096", 2 },
        { "sa tornado" FULL "--bogus", "mkba: unknown option '--bogus' for sa", 2 },
        { "sa sobol --function ishigami" FULL,
          "mkba: --function replaces the scenario; unexpected 'tests/data/full.cfg'", 2 },
        { "sa tornado" FULL "--low 0,1",
          "mkba: --low expects a finite number (a decimal point, not a comma), got '0,1'", 2 },
        { "sa tornado" FULL "--factors u_severe,u_severe" SA_OUT,
          "mkba: --factors: factor u_severe is listed twice", 1 },
        { "sa tornado" FULL "--factors row_housing_1" SA_OUT,
          "'row_housing_1' is component 1 of a Dirichlet vector (tests/data/full.cfg:67), whose "
          "components sum to 1: it cannot be set or varied on its own", 1 },
        { "sa sobol" FULL "--factors p_debt_worse,u_severe -n 8" SA_OUT,
          "p_debt_worse is a member of a correlation (tests/data/full.cfg:72: "
          "correlations.[0]); this method needs independent factors", 1 },
        { "sa tornado" FULL "--factors u_severe --range u_severe=2:1" SA_OUT,
          "mkba: --range u_severe=2:1: LO must be below HI\nUsage:", 2 },
        { "sa tornado" FULL "--factors loading" SA_OUT,
          "loading has no distribution to take percentiles of (it is fixed); give its range "
          "with --range loading=LO:HI", 1 },
        { "sa tornado" FULL "--factors horizon" SA_OUT,
          "horizon is a setting of the run, not a parameter; only `mkba sa sweep` varies it", 1 },
        { "sa tornado" FULL "--low 0.9 --high 0.1" SA_OUT,
          "the low and high percentiles must satisfy 0 < low < high < 1 (got 0.9 and 0.1)", 1 },
        { "sa tornado" FULL "--factors u_severe,,prog_year" SA_OUT,
          "empty or overlong item in the factor list 'u_severe,,prog_year'", 1 },
        { "sa tornado" FULL "--factors u_severe --range prog_year=1:2" SA_OUT,
          "the range of prog_year names no factor of this analysis", 1 },
        { "sa sobol tests/data/hazard.cfg -n 8" SA_OUT,
          "no factor to vary: the scenario has no parameter with a distribution", 1 },
        { "sa sobol" FULL "-n 100000000" SA_OUT,
          "-n 100000000: the design would have more than the 10000000 points", 1 },
        { "sa believe" FULL "--draw 5000000000" SA_OUT,
          "mkba: --draw expects a draw number from 0 to 4294967295, got '5000000000'", 2 },
        { "sa sobol" FULL "--bootstrap 200000 -n 8" SA_OUT,
          "mkba: --bootstrap expects a whole number from 0 to 100000, got '200000'", 2 },
        { "sa sobol --function ishigami --bootstrap 200000",
          "mkba: --bootstrap expects a whole number from 0 to 100000, got '200000'", 2 },
        { "sa threshold" FULL "--arm integrated --versus integrated --factors u_severe" SA_OUT,
          "threshold: --arm and --versus name the same arm 'integrated'", 1 },
        { "sa threshold" FULL SA_OUT,
          "threshold: name the factor with --factors NAME (or NAME@ARM)", 1 },
        { "sa sweep" FULL SA_OUT, "sweep: give one or two grids, --grid NAME=LO:HI:N (got 0)",
          1 },
        { "sa sweep" FULL "--grid horizon=1.5:2.5:2" SA_OUT,
          "--grid horizon: 1.5 years is not a whole number of cycles", 1 },
        { "sa believe" FULL "--draws 5 --draw 2" SA_OUT,
          "believe: --draw has no meaning with --draws 5, whose points use draws 0 to 4", 1 },
        { "sa believe" FULL "--draws 20000" SA_OUT,
          "believe: --draws must be 0 (the base case) to 10000 (got 20000)", 1 },
        { "sa evppi" FULL "--draws 100 --group u_severe+" SA_OUT,
          "--group 'u_severe+': an empty member; a group is factors joined by +", 1 },
        { "sa evppi" FULL "--draws 100 --group u_severe+u_severe" SA_OUT,
          "--group u_severe+u_severe names u_severe twice", 1 },
        { "sa evppi" FULL "--draws 100 --group u_severe+prog_year+p_debt_worse+p_debt_recover"
          "+hr_recover+eviction_cost+n_shift" SA_OUT,
          "(7 parameters) needs at least 355 PSA draws", 1 },
    };
    check_cases(cases, sizeof cases / sizeof cases[0]);
}

/* A threshold between two of three arms needs --arm. */
static void test_three_arms(void **state)
{
    (void)state;
    const support_bad third = { "tests/data/full.cfg",
                                { "arms = (", "arms = ( { name = \"third\"; }," }, "", { "" } };
    char path[256], args[512], text[4096];
    support_bad_write(&third, path, sizeof path);
    snprintf(args, sizeof args, "sa threshold %s --factors u_severe -o %s/out.h5 -q", path, dir);
    int code = mkba(args, text, sizeof text);
    remove(path);
    assert_int_equal(code, 1);
    if (strstr(text, "threshold: the scenario has 3 arms; name the arm with --arm") == NULL)
        fail_msg("%s", text);
}

/* sa --from: the stored draws of a run, checked against the method. */
static void test_sa_from(void **state)
{
    (void)state;
    char args[512], text[4096];
    snprintf(args, sizeof args, "run" FULL "--draws 60 --households 100 -q -o %s/psa.h5", dir);
    assert_int_equal(mkba(args, text, sizeof text), 0);
    snprintf(args, sizeof args, "run" FULL "--draws 5 --households 100 -q -o %s/few.h5", dir);
    assert_int_equal(mkba(args, text, sizeof text), 0);
    static const cli_case cases[] = {
        { "sa prim" FULL "--from DIR/few.h5 -o DIR/out.h5",
          "--from DIR/few.h5: prim needs at least 50 PSA draws; the file has 5", 1 },
        { "sa prim" FULL "--from DIR/psa.h5 --set u_severe=0.3 -o DIR/out.h5",
          "prim: --set has no meaning with --from; the draws are stored as they were run", 1 },
        { "sa evppi" FULL "--from DIR/psa.h5 --group u_severe+prog_year -o DIR/out.h5",
          "evppi needs at least 90 PSA draws; the file has 60", 1 },
    };
    /* The expected words name the folder too. */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char says[512];
        expand(cases[i].says, says, sizeof says);
        const cli_case c = { cases[i].args, says, cases[i].code };
        check_cases(&c, 1);
    }
    snprintf(args, sizeof args, "summary %s/psa.h5 --perspective nosuch", dir);
    assert_int_equal(mkba(args, text, sizeof text), 1);
    if (strstr(text, "mkba: unknown perspective 'nosuch'; known: society, municipality, "
                     "gemeente-wmo") == NULL)
        fail_msg("%s", text);
    if (support_have_dev_full("the summary to /dev/full")) {
        snprintf(args, sizeof args, "%s summary %s/psa.h5 2>&1 >/dev/full", bin, dir);
        assert_int_equal(shell(args, text, sizeof text), 1);
        if (strstr(text, "mkba: cannot write the summary: No space left on device") == NULL)
            fail_msg("%s", text);
    }
    snprintf(args, sizeof args, "sa prim" FULL "--from %s/psa.h5 -o %s/psa.h5 --force", dir,
             dir);
    assert_int_equal(mkba(args, text, sizeof text), 1);
    if (strstr(text, "-o names the --from file") == NULL)
        fail_msg("%s", text);
    assert_int_equal(access(strcat(strcpy(args, dir), "/psa.h5"), F_OK), 0);
}

/* Output that cannot be written: a full disk for `check`, a default
 * results folder that is a file or cannot be made; and the line saying
 * where a result went. */
static void test_output(void **state)
{
    (void)state;
    char args[2048], text[4096];
    /* stderr to the pipe, stdout to the full device. */
    int full = support_have_dev_full("check and summary to /dev/full");
    if (full) {
        snprintf(args, sizeof args, "%s check" FULL "2>&1 >/dev/full", bin);
        assert_int_equal(shell(args, text, sizeof text), 1);
        if (strstr(text, "mkba: cannot write the output: No space left on device") == NULL)
            fail_msg("%s", text);
    }
    /* A file named results where the default output folder would go. */
    char cwd[512], abs_bin[600];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(abs_bin, sizeof abs_bin, "%s%s%s", bin[0] == '/' ? "" : cwd,
             bin[0] == '/' ? "" : "/", bin);
    snprintf(args, sizeof args, "cd %s && touch results && %s run %s/tests/data/full.cfg "
             "--draws 0 --households 10 -q 2>&1", dir, abs_bin, cwd);
    assert_int_equal(shell(args, text, sizeof text), 1);
    if (strstr(text, "mkba: cannot write the result file results/full.h5: results is not a "
                     "folder") == NULL)
        fail_msg("%s", text);
    /* A working folder that was removed: the results folder cannot be made. */
    snprintf(args, sizeof args, "mkdir %s/gone && cd %s/gone && rmdir ../gone && %s run "
             "%s/tests/data/full.cfg --draws 0 --households 10 -q 2>&1", dir, dir, abs_bin, cwd);
    assert_int_equal(shell(args, text, sizeof text), 1);
    if (strstr(text, "mkba: cannot create folder results: No such file or directory") == NULL)
        fail_msg("%s", text);
    snprintf(args, sizeof args, "%s/results", dir);
    remove(args);
    snprintf(args, sizeof args, "sa tornado" FULL "--factors u_severe --households 100 -o %s/t.h5",
             dir);
    assert_int_equal(mkba(args, text, sizeof text), 0);
    char wrote[256];
    snprintf(wrote, sizeof wrote, "mkba: wrote %s/t.h5", dir);
    if (strstr(text, wrote) == NULL)
        fail_msg("expected \"%s\" in: %s", wrote, text);
    if (full) {
        snprintf(args, sizeof args, "%s summary %s/t.h5 2>&1 >/dev/full", bin, dir);
        assert_int_equal(shell(args, text, sizeof text), 1);
        if (strstr(text, "mkba: cannot write the summary: No space left on device") == NULL)
            fail_msg("%s", text);
    }
}

static int setup(void **state)
{
    (void)state;
    bin = getenv("MKBA_BIN");
    if (bin == NULL)
        bin = "build/mkba";
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = { "out.h5", "psa.h5", "few.h5", "t.h5", "results" };
    char path[256];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_sa_options),
        cmocka_unit_test(test_command_words),
        cmocka_unit_test(test_three_arms),
        cmocka_unit_test(test_sa_from),
        cmocka_unit_test(test_output),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
