/* Issue 11, "Bad input", end to end through the command: each kind of bad
 * observed-data file the issue lists (missing columns, an unknown metric
 * with the closest name, a year outside the horizon, an arm not in the
 * scenario, non-numeric and negative counts, duplicate rows, se <= 0) makes
 * `mkba expost` exit with status 1, print an error naming the file, the
 * line and the column (or both lines of a duplicate), and leave no output
 * file, neither the result nor its temporary. The reader's messages are
 * tested in detail in test_expost_observed.c; this checks what the user
 * sees: the exit status and the file system. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

static const char *bin;
static char dir[] = "/tmp/mkba-expost-bad-XXXXXX";

#define HEADER "year,arm,metric,value,n,se,domain,team,payer\n"
#define GOOD "1,model_b,reached,323.9,12000,,,,\n"

typedef struct bad_case {
    const char *text;
    const char *want[3];   /* phrases of the message, the first "FILE:LINE: ..." */
} bad_case;

static const bad_case bad[] = {
    { "year,arm,value,n\n1,model_b,3,100\n", { "bad.csv:1:", "no column 'metric'" } },
    { HEADER GOOD "1,model_b,reachd,3,12000,,,,\n",
      { "bad.csv:3: column 3 (metric)", "did you mean 'reached'" } },
    { HEADER GOOD "11,model_b,reached,3,12000,,,,\n",
      { "bad.csv:3: column 1 (year)", "outside the horizon" } },
    { HEADER "1,model_x,reached,3,12000,,,,\n",
      { "bad.csv:2: column 2 (arm)", "did you mean 'model_b'" } },
    { HEADER "1,model_b,reached,many,12000,,,,\n",
      { "bad.csv:2: column 4 (value)", "not a decimal number" } },
    { HEADER "1,model_b,reached,3,lots,,,,\n", { "bad.csv:2: column 5 (n)" } },
    { HEADER "1,model_b,reached,-3,12000,,,,\n", { "bad.csv:2: column 4 (value)", "negative" } },
    { HEADER "1,model_b,reached,3,-12000,,,,\n", { "bad.csv:2: column 5 (n)" } },
    { HEADER GOOD GOOD, { "bad.csv:3:", "duplicate", "line 2" } },
    { HEADER "1,model_b,spending,6000,,0,,,gemeente-jeugdwet\n",
      { "bad.csv:2: column 6 (se)", "> 0" } },
    { HEADER "1,model_b,spending,6000,,-60,,,gemeente-jeugdwet\n",
      { "bad.csv:2: column 6 (se)", "> 0" } },
};

static int run(const char *args, char *text, size_t size)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t got = fread(text, 1, size - 1, p);
    text[got] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_bad_files(void **state)
{
    (void)state;
    char csv[300], out[300], tmp[310], args[1024], text[4096];
    snprintf(csv, sizeof csv, "%s/bad.csv", dir);
    snprintf(out, sizeof out, "%s/out.h5", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *f = fopen(csv, "w");
        assert_non_null(f);
        fputs(bad[i].text, f);
        fclose(f);
        snprintf(args, sizeof args, "expost scenarios/pathways/model-b.cfg --observed %s -o %s "
                 "--draws 2 --households 50 -q", csv, out);
        int rc = run(args, text, sizeof text);
        if (rc != 1)
            fail_msg("case %zu: exit %d, expected 1: %s", i, rc, text);
        for (int k = 0; k < 3 && bad[i].want[k] != NULL; k++)
            if (strstr(text, bad[i].want[k]) == NULL)
                fail_msg("case %zu: '%s' lacks '%s'", i, text, bad[i].want[k]);
        if (access(out, F_OK) == 0 || access(tmp, F_OK) == 0)
            fail_msg("case %zu left a file", i);
    }
}

static int setup(void **state)
{
    (void)state;
    bin = getenv("MKBA_BIN");
    if (bin == NULL)
        bin = "build/mkba";
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
