/* The templates of `mkba init` are the files of src/cli/templates/ and
 * nothing else: each one is offered by `mkba init --help` with its "#:"
 * lines as help and written by `--template NAME` without them, passing
 * `mkba check` without warnings; and
 * scripts/templates-h.sh makes a header that compiles from a file whose
 * name is no C identifier, with CRLF line ends, quotes and backslashes,
 * and refuses a file without help. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/wait.h>
#include <unistd.h>
#include "support.h"
#include "support_run.h"

/* The scratch folder of the tests' files. */
static char dir[] = "/tmp/mkba_templates_XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    const char *names[] = {"out", "t.cfg", "one-stop.cfg", "bare.cfg", "show.c",
                           "templates.h", "show"};
    return support_remove_folder(dir, names, sizeof names / sizeof *names);
}

/* Runs cmd with sh, stdout and stderr into the file dir/out; returns the
 * exit status and the output in *out (free it). */
static int run(const char *cmd, char **out)
{
    char full[4096];
    snprintf(full, sizeof full, "(%s) >'%s/out' 2>&1", cmd, dir);
    int st = system(full);
    char path[600];
    snprintf(path, sizeof path, "%s/out", dir);
    *out = support_read_file(path);
    assert_non_null(*out);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void write_file(const char *name, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(support_write_file(path, text), 0);
}

/* Every file of the folder is in `init --help` with each of its help
 * lines, and `init --template` writes it without them, passing check;
 * the help names no template that is not a file. */
static void test_help_lists_the_folder(void **state)
{
    (void)state;
    const char *bin = getenv("MKBA_BIN");
    if (bin == NULL)
        skip();
    char cmd[1024], *help;
    snprintf(cmd, sizeof cmd, "'%s' init --help", bin);
    assert_int_equal(run(cmd, &help), 0);
    DIR *d = opendir("src/cli/templates");
    assert_non_null(d);
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n <= 4 || strcmp(e->d_name + n - 4, ".cfg") != 0)
            continue;
        files++;
        char name[256], listed[300];
        snprintf(name, sizeof name, "%.*s", (int)(n - 4), e->d_name);
        snprintf(listed, sizeof listed, "\n  %-9s ", name);
        if (strstr(help, listed) == NULL)
            fail_msg("template %s is not listed in init --help:\n%s", name, help);
        char path[600];
        snprintf(path, sizeof path, "src/cli/templates/%s", e->d_name);
        char *text = support_read_file(path);
        assert_non_null(text);
        int help_lines = 0;
        for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n"))
            if (strncmp(line, "#: ", 3) == 0) {
                help_lines++;
                if (strstr(help, line + 3) == NULL)
                    fail_msg("%s: help line '%s' is not in init --help", path, line + 3);
            }
        assert_true(help_lines > 0);
        free(text);
        char *said;
        snprintf(cmd, sizeof cmd, "'%s' init --template '%s' '%s/t.cfg' --force", bin, name,
                 dir);
        if (run(cmd, &said) != 0)
            fail_msg("%s: %s", cmd, said);
        free(said);
        snprintf(path, sizeof path, "%s/t.cfg", dir);
        char *written = support_read_file(path);
        assert_non_null(written);
        if (strncmp(written, "#:", 2) == 0 || strstr(written, "\n#:") != NULL)
            fail_msg("init --template %s wrote its help lines", name);
        free(written);
        /* Every file, not only those test_report_cli.c also runs. */
        snprintf(cmd, sizeof cmd, "'%s' check '%s/t.cfg'", bin, dir);
        if (run(cmd, &said) != 0 || strstr(said, "warning") != NULL)
            fail_msg("template %s does not pass check cleanly:\n%s", name, said);
        free(said);
    }
    closedir(d);
    /* The usage line names exactly the files: as many names as files. */
    const char *open = strstr(help, "[--template "), *close = open ? strchr(open, ']') : NULL;
    assert_non_null(close);
    int names = 1;
    for (const char *c = open; c < close; c++)
        names += *c == '|';
    assert_int_equal(names, files);
    free(help);
}

/* A header made from a file named one-stop.cfg with CRLF line ends, a
 * quote and a backslash compiles clean, and prints the file's name, its
 * help and its lines as they are, without CRs and "#:" lines; a file
 * without a help line is refused, naming it. */
static void test_script_odd_files(void **state)
{
    (void)state;
    write_file("one-stop.cfg", "#: first \"help\" line\r\n#: second\r\n"
                               "name = \"NAME\"; # a \\ here\r\nx = 1;\r\n");
    write_file("show.c",
               "#include <stddef.h>\n#include <stdio.h>\n#include \"templates.h\"\n"
               "#define SHOW(name, lines, help) \\\n"
               "    { printf(\"[%s]\\n%s\", name, help);\\\n"
               "      for (const char *const *l = lines; *l; l++) fputs(*l, stdout); }\n"
               "int main(void) { MKBA_TEMPLATES(SHOW) return 0; }\n");
    const char *cc = getenv("CC") != NULL ? getenv("CC") : "cc";
    char cmd[2048], *out;
    snprintf(cmd, sizeof cmd,
             "sh scripts/templates-h.sh '%s/one-stop.cfg' >'%s/templates.h' && "
             "%s -std=c11 -Wall -Wextra -Wpedantic -Werror -o '%s/show' '%s/show.c' && '%s/show'",
             dir, dir, cc, dir, dir, dir);
    if (run(cmd, &out) != 0)
        fail_msg("%s:\n%s", cmd, out);
    assert_string_equal(out, "[one-stop]\nfirst \"help\" line\nsecond\n"
                             "name = \"NAME\"; # a \\ here\nx = 1;\n");
    free(out);

    write_file("bare.cfg", "x = 1;\n");
    snprintf(cmd, sizeof cmd, "sh scripts/templates-h.sh '%s/bare.cfg'", dir);
    assert_int_not_equal(run(cmd, &out), 0);
    assert_non_null(strstr(out, "bare.cfg has no \"#:\" line"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_lists_the_folder),
        cmocka_unit_test(test_script_odd_files),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
