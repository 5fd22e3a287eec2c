/* The command line of the report commands, run through the program named
 * by MKBA_BIN: every command answers --help with its usage and examples,
 * `mkba report` writes OUT.html beside OUT.h5, and wrong input gives exit
 * status 1 (a file) or 2 (the command line) with no file left. */
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
    const char *cmds[] = { "run", "sa", "check", "summary", "report" };
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command_has_help),
        cmocka_unit_test(test_report_default_name_and_errors),
    };
    return cmocka_run_group_tests(tests, make_result, remove_result);
}
