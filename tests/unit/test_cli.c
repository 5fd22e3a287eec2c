/* Tests of the mkba program as a user meets it: exit codes, messages and
 * the files it leaves behind. Runs the binary named by MKBA_BIN (the
 * Makefile sets it) from the top folder; every test is skipped when it is
 * unset. */
#include <setjmp.h>
#include <signal.h>
#include <time.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <errno.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "support_run.h"

static const char *bin;
static char dir[] = "/tmp/mkba-test-cli-XXXXXX";

typedef struct outcome {
    int status;               /* exit status, or -1 when killed */
    char out[1 << 16], err[1 << 16];
} outcome;

static outcome result;

/* Runs `mkba ARGS` (ARGS pasted into a shell command: tests pass only
 * plain words) and captures its exit status, stdout and stderr. */
static const outcome *mkba(const char *args)
{
    char cmd[4096], out[512], err[512];
    snprintf(out, sizeof out, "%s/stdout", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s' </dev/null", bin, args, out, err);
    int st = system(cmd);
    result.status = st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    support_slurp(out, result.out, sizeof result.out);
    support_slurp(err, result.err, sizeof result.err);
    return &result;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void need_bin(void)
{
    if (bin == NULL || bin[0] == '\0')
        skip();
}

static void assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

static void test_help_lists_commands(void **state)
{
    (void)state;
    need_bin();
    const outcome *o = mkba("--help");
    assert_int_equal(o->status, 0);
    assert_contains(o->out, "run");
    assert_contains(o->out, "check");
    assert_contains(o->out, "summary");
    assert_contains(o->out, "--draws");
    assert_contains(o->out, "--format");
    assert_contains(o->out, "--perspective");
    assert_contains(o->out, "no summary");
    assert_string_equal(o->err, "");
}

/* `mkba COMMAND --help` prints the command's own options, wherever its
 * section sits in the help text. */
static void test_command_help_lists_its_options(void **state)
{
    (void)state;
    need_bin();
    const outcome *o = mkba("run --help");
    assert_int_equal(o->status, 0);
    assert_contains(o->out, "Usage: mkba run");
    assert_contains(o->out, "Options of run:");
    assert_contains(o->out, "--households N");
    assert_contains(o->out, "--resume");
    o = mkba("sa --help");
    assert_int_equal(o->status, 0);
    assert_contains(o->out, "Usage: mkba sa");
    assert_contains(o->out, "Options of sa");
    assert_contains(o->out, "--factors LIST");
    assert_contains(o->out, "--grid NAME=LO:HI:N");
    assert_contains(o->out, "Examples:");
}

static void test_version(void **state)
{
    (void)state;
    need_bin();
    const outcome *o = mkba("--version");
    assert_int_equal(o->status, 0);
    assert_string_equal(o->out, "mkba " MKBA_VERSION "\n");
}

static void test_usage_errors_exit_2(void **state)
{
    (void)state;
    need_bin();
    const outcome *o = mkba("--bogus");
    assert_int_equal(o->status, 2);
    assert_contains(o->err, "--bogus");
    assert_string_equal(o->out, "");

    assert_int_equal(mkba("")->status, 2);
    assert_int_equal(mkba("frobnicate")->status, 2);
    o = mkba("run tests/data/full.cfg --bogus");
    assert_int_equal(o->status, 2);
    assert_contains(o->err, "unknown option '--bogus'");
    assert_int_equal(mkba("run")->status, 2);
    assert_int_equal(mkba("run a.cfg b.cfg")->status, 2);
    assert_int_equal(mkba("check --force tests/data/full.cfg")->status, 2);
    assert_int_equal(mkba("summary")->status, 2);
    assert_int_equal(mkba("run tests/data/full.cfg -o")->status, 2);
}

static void test_numbers_are_parsed_strictly(void **state)
{
    (void)state;
    need_bin();
    const outcome *o = mkba("run tests/data/full.cfg --draws x");
    assert_int_equal(o->status, 2);
    assert_contains(o->err, "mkba: --draws expects a whole number >= 0, got 'x'");
    o = mkba("run tests/data/full.cfg --draws=-3");
    assert_int_equal(o->status, 2);
    assert_contains(o->err, "got '-3'");
    assert_int_equal(mkba("run tests/data/full.cfg --draws 12abc")->status, 2);
    assert_int_equal(mkba("run tests/data/full.cfg --draws ' 5'")->status, 2);
    assert_int_equal(mkba("run tests/data/full.cfg --draws 99999999999999999999999")->status, 2);
    assert_int_equal(mkba("run tests/data/full.cfg --households 0")->status, 2);
    assert_int_equal(mkba("run tests/data/full.cfg --threads 1.5")->status, 2);
    o = mkba("run tests/data/full.cfg --seed -1");
    assert_int_equal(o->status, 2);
    assert_contains(o->err, "--seed");
    assert_int_equal(mkba("run tests/data/full.cfg --seed 18446744073709551616")->status, 2);
    /* The same shared parser for run, sa and expost (src/cli/args.c). */
    o = mkba("run tests/data/full.cfg --threads 4097");
    assert_int_equal(o->status, 2);
    assert_contains(o->err, "mkba: --threads expects at most 4096, got '4097'");
    o = mkba("run tests/data/full.cfg --households=x");
    assert_int_equal(o->status, 2);
    assert_contains(o->err, "mkba: --households expects a whole number >= 1, got 'x'");
    o = mkba("run tests/data/full.cfg --seed");
    assert_int_equal(o->status, 2);
    assert_contains(o->err, "--seed needs a value");
    /* A draw number beyond 32 bits is a usage error, before the scenario
     * is read (a missing file here: a later check would name it). */
    o = mkba("expost missing.cfg --simulate --observed missing.csv --truth-draw 4294967296 "
             "-o x.csv");
    assert_int_equal(o->status, 2);
    assert_contains(o->err, "--truth-draw expects a draw number from 0 to 4294967295, "
                            "got '4294967296'");
}

static void test_missing_scenario_is_named(void **state)
{
    (void)state;
    need_bin();
    char args[1024], out[512];
    snprintf(out, sizeof out, "%s/missing.h5", dir);
    snprintf(args, sizeof args, "run %s/no-such-scenario.cfg -o %s --quiet", dir, out);
    const outcome *o = mkba(args);
    assert_int_equal(o->status, 1);
    assert_contains(o->err, "mkba: ");
    assert_contains(o->err, "no-such-scenario.cfg");
    assert_false(exists(out));
    o = mkba("check /nonexistent/other.cfg");
    assert_int_equal(o->status, 1);
    assert_contains(o->err, "other.cfg");
    o = mkba("summary /nonexistent/result.h5");
    assert_int_equal(o->status, 1);
    assert_contains(o->err, "result.h5");
}

/* --set: a value that is not NAME=NUMBER is a usage error; an unknown name
 * fails before any work with the closest name; a known one is stored in
 * /design/fixed and in the draw's parameters. */
static void test_set_parameter(void **state)
{
    (void)state;
    need_bin();
    const outcome *o = mkba("run tests/data/full.cfg --set hr_recover");
    assert_int_equal(o->status, 2);
    assert_contains(o->err, "--set expects NAME=VALUE");
    assert_int_equal(mkba("run tests/data/full.cfg --set hr_recover=1.2x")->status, 2);
    assert_int_equal(mkba("run tests/data/full.cfg --set =1")->status, 2);
    assert_int_equal(mkba("run tests/data/full.cfg --set hr_recover=inf")->status, 2);
    char out[512], args[1024];
    snprintf(out, sizeof out, "%s/set.h5", dir);
    snprintf(args, sizeof args, "run tests/data/full.cfg -o %s --draws 2 --households 50 "
             "--quiet --set hr_recovr=1.2", out);
    o = mkba(args);
    assert_int_equal(o->status, 1);
    assert_contains(o->err, "no parameter 'hr_recovr' (did you mean 'hr_recover'?)");
    assert_false(exists(out));
    snprintf(args, sizeof args, "run tests/data/full.cfg -o %s --draws 2 --households 50 "
             "--quiet --set hr_recover=1.25 --set=eviction_cost=5000", out);
    o = mkba(args);
    if (o->status != 0)
        fail_msg("run --set failed (%d): %s", o->status, o->err);
    assert_true(exists(out));
    /* The summary says what was fixed, and where. */
    snprintf(args, sizeof args, "run tests/data/full.cfg -o %s --draws 2 --households 50 "
             "--force --set p_debt_recover=0.3 --set p_debt_recover@integrated=0.35", out);
    o = mkba(args);
    if (o->status != 0)
        fail_msg("run --set failed (%d): %s", o->status, o->err);
    assert_contains(o->out, "Fixed (--set)   p_debt_recover = 0.3 (in classic); "
                            "p_debt_recover = 0.35 (in integrated)");
    remove(out);
}

static void test_check_full_scenario(void **state)
{
    (void)state;
    need_bin();
    const outcome *o = mkba("check tests/data/full.cfg");
    if (o->status != 0)
        fail_msg("check failed (%d): %s", o->status, o->err);
    assert_contains(o->out, "p_debt_worse");
    assert_contains(o->out, "integrated");
}

/* A model warning goes to stderr from check and run, not with --quiet,
 * and does not change the exit status. */
static void test_model_warnings(void **state)
{
    (void)state;
    need_bin();
    const outcome *o = mkba("check tests/data/dead_state.cfg");
    assert_int_equal(o->status, 0);
    assert_contains(o->err, "mkba: warning: tests/data/dead_state.cfg:21: domain 'life', "
                            "state 'dead' is absorbing, not an exit state");
    char args[1024];
    snprintf(args, sizeof args, "run tests/data/dead_state.cfg -o %s/dead.h5 --draws 1", dir);
    o = mkba(args);
    assert_int_equal(o->status, 0);
    assert_contains(o->err, "state 'written_off' is absorbing");
    snprintf(args, sizeof args, "run tests/data/dead_state.cfg -o %s/dead.h5 --draws 1 --force "
             "--quiet", dir);
    o = mkba(args);
    assert_int_equal(o->status, 0);
    assert_string_equal(o->err, "");
    /* Definitions nothing uses warn from check too (test_scenario.c has
     * them all). */
    o = mkba("check tests/data/unused.cfg");
    assert_int_equal(o->status, 0);
    assert_contains(o->err, "mkba: warning: tests/data/unused.cfg:21: parameters.p_typo: "
                            "parameter 'p_typo' is defined but no rule, team or pathway uses it");
    assert_contains(o->err, "mkba: warning: tests/data/unused.cfg:10: payers: payer "
                            "'gemeente-leeg' is listed");
}

static void test_existing_output_is_kept(void **state)
{
    (void)state;
    need_bin();
    char out[512], args[1024], text[64];
    snprintf(out, sizeof out, "%s/existing.h5", dir);
    write_file(out, "not an HDF5 file: keep me\n");
    snprintf(args, sizeof args,
             "run tests/data/full.cfg -o %s --draws 1 --households 10 --quiet", out);
    const outcome *o = mkba(args);
    assert_int_equal(o->status, 1);
    assert_contains(o->err, "--force");
    support_slurp(out, text, sizeof text);
    assert_string_equal(text, "not an HDF5 file: keep me\n");
    remove(out);
}

static void test_bad_scenario_leaves_no_file(void **state)
{
    (void)state;
    need_bin();
    char cfg[512], out[512], tmp[600], args[1200];
    snprintf(cfg, sizeof cfg, "%s/bad.cfg", dir);
    snprintf(out, sizeof out, "%s/bad.h5", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    /* Valid syntax up to a missing semicolon on line 3. */
    write_file(cfg, "mkba_format = 1;\nname = \"bad\";\ncurrency = \"EUR\"\nprice_year = 2024;\n");
    snprintf(args, sizeof args, "run %s -o %s --quiet", cfg, out);
    const outcome *o = mkba(args);
    assert_int_equal(o->status, 1);
    assert_contains(o->err, "bad.cfg");
    assert_false(exists(out));
    assert_false(exists(tmp));
    remove(cfg);
}

/* A small run end to end: the summary printed after the run equals the one
 * `mkba summary` prints for the file, --quiet prints nothing, and --force
 * overwrites. */
static void test_run_then_summary(void **state)
{
    (void)state;
    need_bin();
    char out[512], args[1024];
    snprintf(out, sizeof out, "%s/small.h5", dir);
    snprintf(args, sizeof args,
             "run tests/data/full.cfg -o %s --draws 3 --households 40 --threads 2", out);
    const outcome *o = mkba(args);
    if (o->status != 0)
        fail_msg("run failed (%d): %s", o->status, o->err);
    assert_true(exists(out));
    assert_contains(o->err, "mkba: wrote");   /* no terminal: no progress bar */
    assert_contains(o->out, "Versus the reference arm classic");
    assert_contains(o->out, "NPV for society (horizon, the answer's)");
    assert_contains(o->out, "97.5%");
    assert_contains(o->out, "Break-even year");
    assert_contains(o->out, "Who pays, who gains");
    assert_contains(o->out, "Efficiency frontier");
    assert_contains(o->out, "ranks first in");
    assert_contains(o->out, "MKBA table");
    assert_contains(o->out, "price year");
    static char first[1 << 16];
    snprintf(first, sizeof first, "%s", o->out);

    snprintf(args, sizeof args, "summary %s", out);
    o = mkba(args);
    assert_int_equal(o->status, 0);
    assert_string_equal(o->out, first);

    /* --quiet: neither progress nor summary. */
    snprintf(args, sizeof args,
             "run tests/data/full.cfg -o %s --draws 3 --households 40 --force --quiet", out);
    o = mkba(args);
    assert_int_equal(o->status, 0);
    assert_string_equal(o->out, "");
    assert_string_equal(o->err, "");
    /* Same seed, same draws: the same numbers whatever the thread count. */
    snprintf(args, sizeof args, "summary %s", out);
    o = mkba(args);
    assert_int_equal(o->status, 0);
    assert_string_equal(o->out, first);
    remove(out);
}

/* Makes dir/NAME.h5 from a small run of full.cfg. */
static void small_run(const char *name, char *out, size_t size)
{
    char args[1024];
    snprintf(out, size, "%s/%s.h5", dir, name);
    snprintf(args, sizeof args,
             "run tests/data/full.cfg -o %s --draws 4 --households 40 --force --quiet", out);
    const outcome *o = mkba(args);
    if (o->status != 0)
        fail_msg("run failed (%d): %s", o->status, o->err);
}

/* Feeds text to `python3 -m json.tool` and returns its exit status, or -1
 * when python3 is not there. */
static int json_tool_status(const char *text)
{
    if (system("python3 -c 'import json' >/dev/null 2>&1") != 0)
        return -1;
    FILE *p = popen("python3 -m json.tool >/dev/null 2>&1", "w");
    assert_non_null(p);
    fputs(text, p);
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

static void test_summary_formats(void **state)
{
    (void)state;
    need_bin();
    char out[512], args[1024];
    small_run("fmt", out, sizeof out);

    snprintf(args, sizeof args, "summary %s --format json", out);
    const outcome *o = mkba(args);
    assert_int_equal(o->status, 0);
    assert_contains(o->out, "\"id\": \"breakeven\"");
    assert_contains(o->out, "\"id\": \"mkba\"");
    int st = json_tool_status(o->out);
    if (st == -1)
        skip();
    assert_int_equal(st, 0);
    /* A broken document must fail the same check (the check can fail). */
    assert_int_not_equal(json_tool_status("{\"tables\": [1, 2"), 0);

    snprintf(args, sizeof args, "summary --format=csv %s", out);
    o = mkba(args);
    assert_int_equal(o->status, 0);
    assert_contains(o->out, "table,perspective,arm,NPV,2.5%,97.5%,net-cost years,net-gain years,"
                              "NPV / net-cost years\n");
    assert_contains(o->out, "\nnpv,society,integrated,");
    assert_contains(o->out, "\npayers,integrated,society,");
    assert_contains(o->out, "\nceac,");

    snprintf(args, sizeof args, "summary %s --format markdown", out);
    o = mkba(args);
    assert_int_equal(o->status, 0);
    assert_contains(o->out, "## Who pays, who gains");
    assert_contains(o->out, "|---|");

    snprintf(args, sizeof args, "summary %s --format xml", out);
    o = mkba(args);
    assert_int_equal(o->status, 2);
    assert_contains(o->err, "--format expects text, csv, markdown, json, tidy or xlsx");
    remove(out);
}

static void test_summary_perspective(void **state)
{
    (void)state;
    need_bin();
    char out[512], args[1024];
    small_run("persp", out, sizeof out);

    snprintf(args, sizeof args, "summary %s --perspective municipality --format csv", out);
    const outcome *o = mkba(args);
    assert_int_equal(o->status, 0);
    assert_contains(o->out, "\nnpv,municipality,integrated,");
    assert_contains(o->out, "\ncashflow,municipality,integrated,1,");
    assert_null(strstr(o->out, "\nnpv,society,"));
    assert_null(strstr(o->out, "\ncashflow,society,"));

    snprintf(args, sizeof args, "summary %s --perspective municipality", out);
    o = mkba(args);
    assert_int_equal(o->status, 0);
    assert_contains(o->out, "Yearly cash flows");

    snprintf(args, sizeof args, "summary %s --perspective societyy", out);
    o = mkba(args);
    assert_int_equal(o->status, 1);
    assert_string_equal(o->out, "");
    assert_contains(o->err, "mkba: unknown perspective 'societyy'; known: society, "
                            "municipality, ");
    assert_contains(o->err, "did you mean 'society'?");
    remove(out);
}

static void test_summary_bad_files(void **state)
{
    (void)state;
    need_bin();
    char out[512], bad[512], args[1200];
    small_run("whole", out, sizeof out);

    /* The first half of a good file. */
    snprintf(bad, sizeof bad, "%s/trunc.h5", dir);
    FILE *in = fopen(out, "rb"), *to = fopen(bad, "wb");
    assert_non_null(in);
    assert_non_null(to);
    fseek(in, 0, SEEK_END);
    long n = ftell(in);
    fseek(in, 0, SEEK_SET);
    for (long i = 0; i < n / 2; i++)
        fputc(fgetc(in), to);
    fclose(in);
    assert_int_equal(fclose(to), 0);
    snprintf(args, sizeof args, "summary %s", bad);
    const outcome *o = mkba(args);
    assert_int_equal(o->status, 1);
    assert_contains(o->err, "mkba: ");
    assert_contains(o->err, "trunc.h5");
    assert_string_equal(o->out, "");
    remove(bad);

    write_file(bad, "not a result file\n");
    o = mkba(args);
    assert_int_equal(o->status, 1);
    assert_contains(o->err, "is not an mkba result file");
    remove(bad);
    remove(out);
}

/* An arm identical to the reference has neither benefits nor costs, so the
 * MKBA table's benefit-cost ratio is not available: "n/a" in text and
 * Markdown (not the C library's "nan"), null in JSON, empty in CSV. */
static void test_ratio_not_available(void **state)
{
    (void)state;
    need_bin();
    char out[512], args[1200];
    snprintf(out, sizeof out, "%s/twins.h5", dir);
    snprintf(args, sizeof args, "run tests/data/twins.cfg --cohort --draws 0 -o %s --force "
             "--quiet", out);
    const outcome *o = mkba(args);
    if (o->status != 0)
        fail_msg("run failed (%d): %s", o->status, o->err);

    snprintf(args, sizeof args, "summary %s", out);
    o = mkba(args);
    assert_int_equal(o->status, 0);
    /* The row reads n/a three times, whatever the label column's width. */
    const char *bcr = strstr(o->out, "two benefit-cost ratio ");
    assert_non_null(bcr);
    const char *end = strchr(bcr, '\n');
    assert_non_null(end);
    int nas = 0;
    for (const char *q = bcr; (q = strstr(q, "n/a")) != NULL && q < end; q += 3)
        nas++;
    assert_int_equal(nas, 3);
    assert_null(strstr(o->out, " nan"));
    snprintf(args, sizeof args, "summary %s --format markdown", out);
    o = mkba(args);
    assert_contains(o->out, "| two | benefit-cost ratio | n/a | n/a | n/a |\n");
    assert_null(strstr(o->out, " nan"));
    snprintf(args, sizeof args, "summary %s --format csv", out);
    o = mkba(args);
    assert_contains(o->out, "\nmkba,two,benefit-cost ratio,,,\n");
    snprintf(args, sizeof args, "summary %s --format json", out);
    o = mkba(args);
    assert_contains(o->out, "[\"two\", \"benefit-cost ratio\", null, null, null]");
    int st = json_tool_status(o->out);
    assert_true(st == -1 || st == 0);
    remove(out);
}

/* An arm that is cheaper and worse (south-west quadrant) saves money per
 * unit of effect lost: its ICER must not read as a cost per unit gained,
 * for an effect where more is better nor for one where less is. */
static void test_icer_cheaper_and_worse(void **state)
{
    (void)state;
    need_bin();
    char cfg[512], out[512], args[1200];
    snprintf(cfg, sizeof cfg, "%s/southwest.cfg", dir);
    snprintf(out, sizeof out, "%s/southwest.h5", dir);
    write_file(cfg,
        "mkba_format = 1;\nname = \"southwest\";\nprice_year = 2024;\n"
        "run = { seed = 5; draws = 0; households = 100; };\n"
        "timing = { cycle = \"year\"; horizon = 3; };\npayers = [\"a\"];\n"
        "effects = ( { name = \"qaly\"; unit = \"QALY\"; },\n"
        "  { name = \"bad_years\"; unit = \"years in trouble\"; better = \"lower\"; } );\n"
        "arms = ( { name = \"classic\"; reference = true; },\n"
        "  { name = \"cut\"; overrides = { p_bad = 0.4; cost_prog = 0.0; }; } );\n"
        "parameters = { p_bad = 0.2; cost_prog = 1000.0; };\n"
        "domains = ( { name = \"x\"; states = [\"ok\", \"bad\"]; initial = { state = \"ok\"; };\n"
        "  transitions = ( { from = \"ok\"; probabilities = { bad = \"p_bad\"; }; },\n"
        "                  { from = \"bad\"; probabilities = { ok = 0.0; }; } ); } );\n"
        "costs = ( { domain = \"x\"; state = \"ok\"; payer = \"a\"; per_year = \"cost_prog\"; } );\n"
        "effect_values = ( { effect = \"qaly\"; domain = \"x\"; state = \"ok\"; per_year = 0.8; },\n"
        "  { effect = \"bad_years\"; domain = \"x\"; state = \"bad\"; per_year = 1.0; } );\n");
    snprintf(args, sizeof args, "run %s --cohort -o %s --force", cfg, out);
    const outcome *o = mkba(args);
    if (o->status != 0)
        fail_msg("run failed (%d): %s", o->status, o->err);
    assert_contains(o->out, "EUR saved per QALY lost; cheaper, less qaly\n");
    assert_contains(o->out, "EUR saved per years in trouble added; cheaper, more bad_years\n");
    assert_null(strstr(o->out, "per QALY gained"));
    assert_null(strstr(o->out, "avoided"));
    snprintf(args, sizeof args, "summary %s --format csv", out);
    o = mkba(args);
    assert_contains(o->out, "\nicers,cut,qaly,");
    assert_contains(o->out, ",saving per unit lost,");
    remove(out);
    remove(cfg);
}

/* Runs `mkba ARGS` (no shell), sends `signo` once the run has written at
 * least `bytes` to `file` (its temporary file created: its handlers are in
 * place and it is simulating; its checkpoint grown: it has stored draws)
 * and returns how it ended: the signal it died by, or 1000 + its exit
 * status. *stop gets the wall and CPU seconds from the signal to the end;
 * stderr is left in text (size bytes). */
static int interrupted(const char *const *args, const char *file, off_t bytes, int signo,
                       support_stop *stop, char *text, size_t size)
{
    char err_path[600];
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    pid_t pid = support_start(args, NULL, err_path);
    /* At most a minute (sanitizers are slow), then it is killed. */
    int how = support_interrupt_timed(pid, file, (long)bytes, signo, 60.0, stop);
    support_slurp(err_path, text, size);
    if (!stop->signalled)
        fail_msg("the run ended (%d) before it could be interrupted:\n%s", how, text);
    return how;
}

static void assert_died_by(int how, int signo)
{
    if (how != signo)
        fail_msg("expected death by signal %d, got %s %d", signo,
                 how >= 1000 ? "exit status" : "signal", how >= 1000 ? how - 1000 : how);
}

/* Ctrl-C (SIGINT) or a scheduler's SIGTERM during a run: it stops at a
 * safe point within about a second, also inside a draw of a services
 * scenario and after many draws are stored (when HDF5 once held up to
 * 1 MiB of rows per dataset, compressed at the close: 6 to 16 s), says
 * so, dies by the signal (the shell sees 130 or 143, and a script stops)
 * and leaves no file, not even the temporary one. The time to stop is
 * measured in CPU seconds of the run's 2 threads (at most 2 s each), as
 * the wall time of a loaded machine says little; MKBA_STRICT_TIMING
 * bounds the wall time as well (2 s). A generous wall bound (15 s, 30 s
 * sanitized) always holds: a stop that waits instead of computing (a
 * blocking lock, a join on a sleeping thread, a grace period) uses no
 * CPU time, and a loaded machine still passes it. */
static void test_interrupt(void **state)
{
    (void)state;
    need_bin();
    char out[600], tmp[620], ckpt[620];
    snprintf(out, sizeof out, "%s/small.h5", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", out);
    const char *services[] = { "run", "scenarios/pathways/all-models.cfg", "--draws", "1000",
                               "--households", "200000", "--threads", "2", "-q", "-o", out,
                               "--force", NULL };
    const char *streaming[] = { "run", "scenarios/default.cfg", "--draws", "5000",
                                "--households", "200000", "--threads", "2", "-q", "-o", out,
                                "--force", NULL };
    const char *stored[] = { "run", "scenarios/default.cfg", "--draws", "3000", "--threads",
                             "2", "-q", "-o", out, "--force", NULL };
    const struct {
        const char *const *args, *what;
        int signo;
        off_t after;           /* bytes of the checkpoint (31,632 per draw of
                                  default.cfg since it has rijk and the three
                                  wage effects; 24,840 when this was written) */
    } cases[] = {
        { services, "services run", SIGINT, 0 },
        { streaming, "streaming run", SIGTERM, 0 },
        { stored, "run with 60 draws stored", SIGTERM, 60 * 31632 },
    };
    /* ASan and UBSan slow everything several times. */
    const double limit = getenv("MKBA_SANITIZED") != NULL ? 10.0 : 2.0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        support_stop stop;
        char text[2048];
        remove(out);
        remove(tmp);
        remove(ckpt);
        int how = interrupted(cases[i].args, cases[i].after > 0 ? ckpt : tmp, cases[i].after,
                              cases[i].signo, &stop, text, sizeof text);
        int signo = cases[i].signo;
        assert_died_by(how, signo);
        print_message("%s stopped %.2f s (%.2f CPU s) after the signal\n", cases[i].what,
                      stop.wall_s, stop.cpu_s);
        if (stop.cpu_s > 2 * limit)
            fail_msg("the run took %.2f CPU s to stop after the signal", stop.cpu_s);
        const double wall_limit = (stop.cpu_s < 0 || getenv("MKBA_STRICT_TIMING") != NULL)
                                  ? limit : 7.5 * limit;
        if (stop.wall_s > wall_limit)
            fail_msg("the run took %.2f s to stop after the signal (at most %.0f s)",
                     stop.wall_s, wall_limit);
        struct stat st;
        assert_int_not_equal(stat(out, &st), 0);
        assert_int_not_equal(stat(tmp, &st), 0);
        assert_contains(text, signo == SIGINT ? "by SIGINT" : "by SIGTERM");
        assert_contains(text, "wrote no result file");
    }
    remove(ckpt);
}

/* Interrupted before its first draw finished, without --force: the run
 * keeps no checkpoint (an empty one made the same command refuse to start
 * over, the advice the message gives), and the same command then starts
 * (it gets as far as its temporary file and is interrupted again). */
static void test_interrupt_before_first_draw(void **state)
{
    (void)state;
    need_bin();
    char out[600], tmp[620], ckpt[620], text[2048];
    snprintf(out, sizeof out, "%s/small.h5", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", out);
    remove(out);
    remove(ckpt);
    const char *args[] = { "run", "scenarios/pathways/all-models.cfg", "--draws", "2",
                           "--households", "200000", "--threads", "1", "-q", "-o", out, NULL };
    for (int attempt = 0; attempt < 2; attempt++) {
        support_stop stop;
        assert_died_by(interrupted(args, tmp, 0, SIGINT, &stop, text, sizeof text), SIGINT);
        assert_contains(text, "run the same command again to start over");
        assert_false(support_exists(ckpt));
        assert_false(support_exists(tmp));
        assert_false(support_exists(out));
    }
}

/* An interrupted `mkba expost` (here in its refinement, every PSA draw
 * done) leaves nothing: expost has no --resume, so a checkpoint would
 * only make the same command refuse to start over, which it must not
 * (it gets as far as its temporary file again). */
static void test_interrupt_expost(void **state)
{
    (void)state;
    need_bin();
    char out[600], tmp[620], ckpt[620], refine[640], text[2048];
    snprintf(out, sizeof out, "%s/expost.h5", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", out);
    snprintf(refine, sizeof refine, "%s.refine.h5.tmp", tmp);
    const char *args[] = { "expost", "scenarios/pathways/model-b.cfg", "--observed",
                           "scenarios/pathways/observed/model-b-synthetic.csv", "--draws", "12",
                           "--households", "20000", "--threads", "1", "-q", "-o", out, NULL };
    const char *waits[] = { refine, tmp };
    for (int attempt = 0; attempt < 2; attempt++) {
        support_stop stop;
        assert_died_by(interrupted(args, waits[attempt], 0, SIGTERM, &stop, text, sizeof text),
                       SIGTERM);
        assert_contains(text, "run the same command again to start over");
        assert_false(support_exists(ckpt));
        assert_false(support_exists(tmp));
        assert_false(support_exists(refine));
        assert_false(support_exists(out));
    }
}

/* Whether process pid has file path open (its /proc/PID/fd links). */
static int has_open(pid_t pid, const char *path)
{
    char fds[64], link[700], target[700];
    snprintf(fds, sizeof fds, "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(fds);
    int found = 0;
    for (struct dirent *e; d != NULL && !found && (e = readdir(d)) != NULL;) {
        snprintf(link, sizeof link, "%s/%s", fds, e->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        target[n > 0 ? n : 0] = '\0';
        found = n > 0 && strcmp(target, path) == 0;
    }
    if (d != NULL)
        closedir(d);
    return found;
}

/* A signal while the scenario is read (a large one near the size limit)
 * stops the run in words like one during the draws: it once came before
 * the handlers, killed mkba silently and left a previous run's files. The
 * run is frozen (SIGSTOP) while it holds the scenario open, signalled and
 * let go; attempts that miss the window are repeated. */
static void test_interrupt_while_loading(void **state)
{
    (void)state;
    need_bin();
    char sdir[600], scen[620], link[620], target[1200], cwd[512], out[600], text[2048];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(sdir, sizeof sdir, "%s/s", dir);
    snprintf(scen, sizeof scen, "%s/big.cfg", sdir);
    mkdir(sdir, 0777);
    /* default.cfg's @includes, relative to its folder, resolve as in scenarios/. */
    snprintf(link, sizeof link, "%s/params", dir);
    snprintf(target, sizeof target, "%s/params", cwd);
    assert_int_equal(symlink(target, link) == 0 || errno == EEXIST, 1);
    snprintf(link, sizeof link, "%s/shared", sdir);
    snprintf(target, sizeof target, "%s/scenarios/shared", cwd);
    assert_int_equal(symlink(target, link) == 0 || errno == EEXIST, 1);
    static char text0[1 << 16];
    support_slurp("scenarios/default.cfg", text0, sizeof text0);
    assert_true(strlen(text0) > 1000 && strlen(text0) < sizeof text0 - 1);
    FILE *f = fopen(scen, "w");
    assert_non_null(f);
    fputs(text0, f);
    for (int i = 0; i < 12000; i++)
        fprintf(f, "# padding %06d: comment lines that make the scenario slow to read....\n", i);
    assert_int_equal(fclose(f), 0);
    snprintf(out, sizeof out, "%s/small.h5", dir);
    char tmp[620], err_path[620];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    const char *args[] = { "run", scen, "--draws", "1", "--households", "1000", "-q", "-o",
                           out, "--force", NULL };
    int hit = 0;
    for (int attempt = 0; attempt < 40 && !hit; attempt++) {
        /* A missed attempt may have run to the end and written out. */
        remove(out);
        write_file(tmp, "a killed run's temporary file");
        pid_t pid = support_start(args, NULL, err_path);
        int status = 0, reaped = 0;
        /* A run that ends before it is stopped (the poller missed the
         * window) is reaped here: it is a miss to repeat, and its pid must
         * not be waited for or signalled again. */
        while (!reaped && !has_open(pid, scen)) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            assert_true(w == 0 || w == pid);
            reaped = w == pid;
        }
        if (!reaped) {
            /* A run that ended between has_open and the SIGSTOP is a
             * zombie: kill() succeeds and waitpid reaps its exit. */
            assert_int_equal(kill(pid, SIGSTOP), 0);
            assert_int_equal(waitpid(pid, &status, WUNTRACED), pid);
            reaped = !WIFSTOPPED(status);
        }
        /* A miss must still be a run that succeeded. */
        if (reaped) {
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                support_slurp(err_path, text, sizeof text);
                fail_msg("a run that was not interrupted ended with status %#x: %s", status,
                         text);
            }
            continue;
        }
        if (has_open(pid, scen)) {
            hit = 1;
            kill(pid, SIGTERM);
        }
        kill(pid, SIGCONT);
        int how = support_finish(pid, 60.0);
        if (!hit) {
            if (how != 1000) {
                support_slurp(err_path, text, sizeof text);
                fail_msg("a run that was not interrupted ended with %d: %s", how, text);
            }
            continue;
        }
        support_slurp(err_path, text, sizeof text);
        assert_died_by(how, SIGTERM);
        assert_contains(text, "interrupted by SIGTERM");
        assert_contains(text, "run the same command again to start over");
        assert_false(support_exists(out));
    }
    remove(tmp);
    if (!hit) {
        print_message("skipped: none of 40 runs was caught reading its scenario (each ended "
                      "first, successfully)\n");
        skip();
    }
}

/* A killed run's OUT.h5.tmp goes once the next run holds the output lock,
 * also when that run then refuses (here: a request beyond memory). */
static void test_stale_tmp_removed(void **state)
{
    (void)state;
    need_bin();
    char out[600], tmp[620], args[1400];
    snprintf(out, sizeof out, "%s/small.h5", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    write_file(tmp, "a killed run's temporary file");
    snprintf(args, sizeof args, "run scenarios/default.cfg --draws 100000000 -q -o '%s'", out);
    const outcome *r = mkba(args);
    assert_int_equal(r->status, 1);
    assert_contains(r->err, "memory");
    assert_false(support_exists(tmp));
    assert_false(support_exists(out));
}

/* Whether folder `dir` holds a file whose name ends in ".ckpt". */
static int any_checkpoint(const char *folder)
{
    DIR *d = opendir(folder);
    int found = 0;
    struct dirent *e;
    while (d != NULL && !found && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        found = n > 5 && strcmp(e->d_name + n - 5, ".ckpt") == 0;
    }
    if (d != NULL)
        closedir(d);
    return found;
}

/* `expost --simulate` has no --resume, so its truth run keeps no
 * checkpoint: one once lay beside it all along and stayed after an
 * interruption in the run's last step (writing the CSV), litter nothing
 * could continue. Watched for the whole run. */
static void test_simulate_keeps_no_checkpoint(void **state)
{
    (void)state;
    need_bin();
    char out[600], err_path[620];
    snprintf(out, sizeof out, "%s/data.csv", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    const char *args[] = { "expost", "scenarios/pathways/model-b.cfg", "--simulate",
                           "--observed", "scenarios/pathways/observed/model-b-template.csv",
                           "--households", "20000", "--threads", "1", "-q", "-o", out,
                           "--force", NULL };
    pid_t pid = support_start(args, NULL, err_path);
    int seen = 0, status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        /* The truth run's file has a private name (data.csv.truth.h5.tmp-
         * XXXXXX): any checkpoint in the folder counts. */
        seen |= any_checkpoint(dir);
        support_sleep_s(0.001);
    }
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(support_exists(out));
    assert_false(seen);
    assert_false(any_checkpoint(dir));
}

static int setup(void **state)
{
    (void)state;
    bin = getenv("MKBA_BIN");
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    /* Failed tests may leave their files; remove every name a test uses. */
    static const char *const names[] = {
        "stdout", "stderr", "missing.h5", "existing.h5", "bad.cfg", "bad.h5",
        "bad.h5.tmp", "small.h5", "small.h5.tmp", "small.h5.ckpt", "fmt.h5", "persp.h5", "whole.h5",
        "trunc.h5", "twins.h5", "southwest.cfg", "southwest.h5", "southwest.h5.tmp",
        "dead.h5", "dead.h5.tmp", "expost.h5", "expost.h5.tmp", "expost.h5.ckpt",
        "expost.h5.lock", "expost.h5.tmp.refine.h5.tmp", "expost.h5.tmp.refine.h5.lock",
        "expost.h5.tmp.refine.h5", "small.h5.lock", "s/big.cfg", "s/shared", "s", "params",
        "data.csv", "data.csv.truth.h5.ckpt"
    };
    return support_remove_folder(dir, names, sizeof names / sizeof names[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_lists_commands),
        cmocka_unit_test(test_command_help_lists_its_options),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_usage_errors_exit_2),
        cmocka_unit_test(test_numbers_are_parsed_strictly),
        cmocka_unit_test(test_missing_scenario_is_named),
        cmocka_unit_test(test_check_full_scenario),
        cmocka_unit_test(test_set_parameter),
        cmocka_unit_test(test_model_warnings),
        cmocka_unit_test(test_existing_output_is_kept),
        cmocka_unit_test(test_bad_scenario_leaves_no_file),
        cmocka_unit_test(test_run_then_summary),
        cmocka_unit_test(test_summary_formats),
        cmocka_unit_test(test_summary_perspective),
        cmocka_unit_test(test_summary_bad_files),
        cmocka_unit_test(test_ratio_not_available),
        cmocka_unit_test(test_icer_cheaper_and_worse),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_interrupt_before_first_draw),
        cmocka_unit_test(test_interrupt_while_loading),
        cmocka_unit_test(test_stale_tmp_removed),
        cmocka_unit_test(test_simulate_keeps_no_checkpoint),
        cmocka_unit_test(test_interrupt_expost),
    };
    /* MKBA_TEST_FILTER=test_simulate_* runs one part (a glob over the names). */
    if (getenv("MKBA_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("MKBA_TEST_FILTER"));
    return cmocka_run_group_tests(tests, setup, teardown);
}
