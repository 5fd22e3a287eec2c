/* The command line that helps, run through the program named by MKBA_BIN:
 * every command answers --help with its usage and examples, `mkba report`
 * writes OUT.html beside OUT.h5, wrong input gives exit status 1 (a file)
 * or 2 (the command line) with no file left, and an input trap (a
 * percentage for a share) is caught with a hint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "support.h"

static char result_path[256];

static int make_result(void **state)
{
    (void)state;
    return support_run_small(result_path, sizeof result_path, "cli", 2);
}

static int remove_result(void **state)
{
    (void)state;
    remove(result_path);
    return 0;
}

/* Runs `mkba ARGS` and returns its exit status, stdout in out (free it). */
static int mkba(const char *args, char **out)
{
    const char *bin = getenv("MKBA_BIN");
    char cmd[1024], file[300];
    snprintf(file, sizeof file, "%s.out", result_path);
    snprintf(cmd, sizeof cmd, "%s %s >'%s' 2>&1", bin != NULL ? bin : "build/mkba", args, file);
    int st = system(cmd);
    *out = support_read_file(file);
    assert_non_null(*out);
    remove(file);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_every_command_has_help(void **state)
{
    (void)state;
    const char *cmds[] = { "run", "sa", "check", "summary", "report", "init" };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char args[64], usage[64], *out;
        snprintf(args, sizeof args, "%s --help", cmds[i]);
        assert_int_equal(mkba(args, &out), 0);
        snprintf(usage, sizeof usage, "Usage: mkba %s", cmds[i]);
        if (strstr(out, usage) == NULL || strstr(out, "Example") == NULL)
            fail_msg("mkba %s --help:\n%s", cmds[i], out);
        free(out);
    }
}

static void test_report_default_name_and_errors(void **state)
{
    (void)state;
    char args[600], html[300], *out;
    snprintf(html, sizeof html, "%.*s.html", (int)(strlen(result_path) - 3), result_path);
    snprintf(args, sizeof args, "report '%s'", result_path);
    assert_int_equal(mkba(args, &out), 0);
    assert_non_null(strstr(out, html));
    free(out);
    assert_int_equal(access(html, F_OK), 0);
    remove(html);

    snprintf(args, sizeof args, "report '%s' --lang fr", result_path);
    assert_int_equal(mkba(args, &out), 2);
    assert_non_null(strstr(out, "--lang expects nl or en, got 'fr'"));
    free(out);
    assert_int_not_equal(access(html, F_OK), 0);

    assert_int_equal(mkba("report /tmp/no-such-mkba-file.h5 -o /tmp/no-such-mkba.html", &out),
                     1);
    free(out);
    assert_int_not_equal(access("/tmp/no-such-mkba.html", F_OK), 0);

    snprintf(args, sizeof args, "summary '%s' --format xlsx", result_path);
    assert_int_equal(mkba(args, &out), 1);
    assert_non_null(strstr(out, "-o FILE.xlsx"));
    free(out);
}

/* optimism_bias = 20 is a percentage where a share belongs: refused with a
 * hint naming the file, line and the share meant. */
static void test_optimism_bias_percentage(void **state)
{
    (void)state;
    char *text = support_read_file("tests/data/transfer.cfg");
    assert_non_null(text);
    char *at = strstr(text, "optimism_bias = 0.2;");
    assert_non_null(at);
    char cfg[300], args[400], *out;
    snprintf(cfg, sizeof cfg, "%s.cfg", result_path);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fprintf(f, "%.*soptimism_bias = 20;%s", (int)(at - text), text,
            at + strlen("optimism_bias = 0.2;"));
    fclose(f);
    snprintf(args, sizeof args, "check '%s'", cfg);
    assert_int_equal(mkba(args, &out), 1);
    assert_non_null(strstr(out, ":31: analysis.optimism_bias: 20 looks like a percentage"));
    assert_non_null(strstr(out, "write 0.2 for +20%"));
    free(out);
    free(text);
    remove(cfg);
}

/* mkba init writes, from each template, a scenario that passes check
 * without warnings and runs (markov as a cohort trace too), named after
 * the file; it does not overwrite without --force. */
static void test_init_passes_check(void **state)
{
    (void)state;
    const char *templates[] = {"minimal", "pathways", "markov"};
    char cfg[300], args[700], out_h5[300], *out;
    snprintf(out_h5, sizeof out_h5, "%s.init.h5", result_path);
    for (size_t t = 0; t < sizeof templates / sizeof *templates; t++) {
        snprintf(cfg, sizeof cfg, "%s.init-%s.cfg", result_path, templates[t]);
        remove(cfg);
        snprintf(args, sizeof args, "init --template %s '%s'", templates[t], cfg);
        assert_int_equal(mkba(args, &out), 0);
        free(out);
        snprintf(args, sizeof args, "check '%s'", cfg);
        assert_int_equal(mkba(args, &out), 0);
        if (strstr(out, "warning") != NULL)
            fail_msg("template %s warns:\n%s", templates[t], out);
        free(out);
        snprintf(args, sizeof args, "run '%s' --draws 3 --households 50 -q --force -o '%s'", cfg,
                 out_h5);
        if (mkba(args, &out) != 0)
            fail_msg("template %s does not run:\n%s", templates[t], out);
        free(out);
        if (strcmp(templates[t], "markov") == 0) {
            snprintf(args, sizeof args, "run '%s' --draws 3 --cohort -q --force -o '%s'", cfg,
                     out_h5);
            assert_int_equal(mkba(args, &out), 0);
            free(out);
        }
        char *text = support_read_file(cfg);
        assert_non_null(text);
        const char *base = strrchr(cfg, '/') + 1;
        char name[300];
        snprintf(name, sizeof name, "name = \"%.*s\";", (int)(strlen(base) - 4), base);
        assert_non_null(strstr(text, name));
        free(text);
    }
    snprintf(args, sizeof args, "init '%s'", cfg);
    assert_int_equal(mkba(args, &out), 1);
    assert_non_null(strstr(out, "--force replaces it"));
    free(out);
    snprintf(args, sizeof args, "init --template nope '%s'", cfg);
    assert_int_equal(mkba(args, &out), 2);
    assert_non_null(strstr(out, "--template expects one of markov, minimal, pathways; got 'nope'"));
    free(out);
    for (size_t t = 0; t < sizeof templates / sizeof *templates; t++) {
        snprintf(cfg, sizeof cfg, "%s.init-%s.cfg", result_path, templates[t]);
        remove(cfg);
    }
    remove(out_h5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command_has_help),
        cmocka_unit_test(test_report_default_name_and_errors),
        cmocka_unit_test(test_optimism_bias_percentage),
        cmocka_unit_test(test_init_passes_check),
    };
    return cmocka_run_group_tests(tests, make_result, remove_result);
}
