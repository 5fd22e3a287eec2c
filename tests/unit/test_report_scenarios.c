/* Every shipped scenario gives a report: each scenario file under
 * scenarios/ (found by walking the folder, so a new one is covered without
 * a change here; a file is a scenario when it sets mkba_format, the rest
 * are @include fragments) runs small through the program named by
 * MKBA_BIN without a warning, and `mkba report` of its result exits 0 with
 * a non-empty HTML document. Only the document's frame is checked: how the
 * charts are drawn is tested elsewhere and may change. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "support.h"
#include "support_run.h"

#define MAX_SCENARIOS 64

typedef struct found {
    size_t n;
    char path[MAX_SCENARIOS][512];
} found;

/* Adds the scenario files under dir, recursively, in name order. */
static void find_scenarios(const char *dir, found *f)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_true(n >= 0);
    for (int i = 0; i < n; i++) {
        char path[512];
        const char *name = names[i]->d_name;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        struct stat st;
        size_t len = strlen(name);
        if (name[0] == '.' || stat(path, &st) != 0) {
            /* skipped */
        } else if (S_ISDIR(st.st_mode)) {
            find_scenarios(path, f);
        } else if (len > 4 && strcmp(name + len - 4, ".cfg") == 0) {
            char *text = support_read_file(path);
            assert_non_null(text);
            if (strstr(text, "mkba_format") != NULL) {
                assert_true(f->n < MAX_SCENARIOS);
                snprintf(f->path[f->n++], sizeof f->path[0], "%s", path);
            }
            free(text);
        }
        free(names[i]);
    }
    free(names);
}

/* Runs `MKBA_BIN ARGS` with stdout and stderr into `log`; the exit status. */
static int run(const char *args, const char *log)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>&1 </dev/null", getenv("MKBA_BIN"), args, log);
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The count of `needle` in text. */
static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The folder of the run's files, made and removed by the group so that a
 * failing scenario (fail_msg leaves the test at once) leaves nothing. */
static char dir[] = "/tmp/mkba_reports_XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    const char *names[] = {"r.h5", "r.html", "log"};
    return support_remove_folder(dir, names, sizeof names / sizeof *names);
}

static void test_every_scenario_reports(void **state)
{
    (void)state;
    if (getenv("MKBA_BIN") == NULL)
        skip();
    found f = {0};
    find_scenarios("scenarios", &f);
    /* default, bench and the pathways library at least. */
    assert_true(f.n >= 10);
    char h5[600], html[600], log[600], args[2048];
    snprintf(h5, sizeof h5, "%s/r.h5", dir);
    snprintf(html, sizeof html, "%s/r.html", dir);
    snprintf(log, sizeof log, "%s/log", dir);
    for (size_t i = 0; i < f.n; i++) {
        snprintf(args, sizeof args, "run '%s' --draws 3 --households 120 --force -o '%s'",
                 f.path[i], h5);
        int rc = run(args, log);
        char *out = support_read_file(log);
        assert_non_null(out);
        if (rc != 0 || strstr(out, "warning") != NULL)
            fail_msg("%s: run exited %d:\n%s", f.path[i], rc, out);
        free(out);
        snprintf(args, sizeof args, "report '%s' -o '%s'", h5, html);
        rc = run(args, log);
        out = support_read_file(log);
        assert_non_null(out);
        if (rc != 0)
            fail_msg("%s: report exited %d:\n%s", f.path[i], rc, out);
        free(out);
        char *doc = support_read_file(html);
        assert_non_null(doc);
        size_t len = strlen(doc);
        while (len > 0 && (doc[len - 1] == '\n' || doc[len - 1] == ' '))
            doc[--len] = '\0';
        if (strncmp(doc, "<!DOCTYPE html>", 15) != 0 || len < 7
            || strcmp(doc + len - 7, "</html>") != 0 || count(doc, "<head>") != 1
            || count(doc, "</head>") != 1 || count(doc, "<body") != 1
            || count(doc, "</body>") != 1 || strstr(doc, "<title>") == NULL
            || strstr(doc, "<title>") > strstr(doc, "</head>")
            || count(doc, "<table") != count(doc, "</table>")
            || count(doc, "<section") != count(doc, "</section>"))
            fail_msg("%s: the report is not a whole HTML document (%zu bytes)", f.path[i],
                     len);
        free(doc);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_scenario_reports),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
