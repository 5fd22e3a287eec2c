/* mkba sa (src/sa/): the one-way, threshold and sweep methods against
 * closed forms of outcomes linear in a parameter, common random numbers,
 * thread-count independence, and bad input. Runs the built program
 * (MKBA_BIN) on scenarios/default.cfg with few households. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "support.h"

static const char *bin(void)
{
    const char *b = getenv("MKBA_BIN");
    if (b == NULL)
        skip();
    return b;
}

static int run(const char *args, const char *out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s sa %s -o %s --force -q --households 600 > /dev/null 2>&1",
             bin(), args, out);
    return system(cmd);
}

/* NPV is linear in a cost parameter that no household's path depends on
 * (the team's staff cost): on common random numbers the base point lies
 * exactly on the line through the low and high points, and the swing has
 * no household noise. */
static void test_tornado_linear_factor(void **state)
{
    (void)state;
    const char *out = "/tmp/mkba-test-sa-tornado.h5";
    assert_int_equal(run("tornado scenarios/default.cfg --factors fte_cost_year,p_debt_onset",
                         out), 0);
    size_t n = 0, nr = 0, nb = 0;
    double *low = support_read_doubles(out, "/sa/tornado/low", &n);
    double *high = support_read_doubles(out, "/sa/tornado/high", &n);
    double *mcse = support_read_doubles(out, "/sa/tornado/swing_mcse", &n);
    double *base = support_read_doubles(out, "/sa/tornado/base", &nb);
    double *range = support_read_doubles(out, "/sa/factor_range", &nr);
    double *fbase = support_read_doubles(out, "/sa/factor_base", &nr);
    assert_non_null(low);
    assert_non_null(range);
    size_t no = nb / 2;        /* [arm][outcome], two arms */
    assert_int_equal(n, 2 * nb);
    /* Factor 0 (fte_cost_year), arm 1 (integrated), outcome 0 (npv:society). */
    size_t c = 1 * no + 0;
    double t = (fbase[0] - range[0]) / (range[1] - range[0]);
    double on_line = low[c] + t * (high[c] - low[c]);
    assert_true(fabs(base[c] - on_line) <= 1e-6 * fabs(base[c]) + 1e-6);
    assert_true(high[c] < low[c]);            /* dearer staff, lower NPV */
    assert_true(mcse[c] < 1e-6 * fabs(high[c] - low[c]) + 1e-6);
    /* A transition probability moves households: its swing has noise. */
    assert_true(mcse[2 * no + c] > 0.0);
    free(low);
    free(high);
    free(mcse);
    free(base);
    free(range);
    free(fbase);
    unlink(out);
}

/* The threshold of an NPV linear in the factor is the closed-form root of
 * the line through any two evaluations. */
static void test_threshold_linear(void **state)
{
    (void)state;
    const char *out = "/tmp/mkba-test-sa-threshold.h5";
    assert_int_equal(run("threshold scenarios/default.cfg --factors fte_cost_year "
                         "--range fte_cost_year=50000:400000", out), 0);
    size_t n = 0, nr = 0;
    double *x = support_read_doubles(out, "/sa/threshold/grid", &n);
    double *d = support_read_doubles(out, "/sa/threshold/difference", &n);
    double *root = support_read_doubles(out, "/sa/threshold/root", &nr);
    assert_non_null(x);
    assert_int_equal(nr, 1);
    double closed = x[0] - d[0] * (x[n - 1] - x[0]) / (d[n - 1] - d[0]);
    assert_true(fabs(root[0] - closed) < 1e-6 * closed);
    free(x);
    free(d);
    free(root);
    /* No flip inside a range where the arm always wins. */
    assert_int_equal(run("threshold scenarios/default.cfg --factors fte_cost_year "
                         "--range fte_cost_year=50000:60000", out), 0);
    root = support_read_doubles(out, "/sa/threshold/root", &nr);
    assert_int_equal(nr, 0);
    free(root);
    unlink(out);
}

/* The horizon sweep at the full horizon equals the tornado's base NPV
 * (same point, same households), and the NPV of a shorter horizon is the
 * cumulative NPV up to it. */
static void test_sweep_horizon(void **state)
{
    (void)state;
    const char *out = "/tmp/mkba-test-sa-sweep.h5", *t = "/tmp/mkba-test-sa-sweep-t.h5";
    assert_int_equal(run("sweep scenarios/default.cfg --grid horizon=5:10:2", out), 0);
    assert_int_equal(run("tornado scenarios/default.cfg --factors fte_cost_year", t), 0);
    size_t n = 0, nb = 0;
    double *y = support_read_doubles(out, "/sa/sweep/outcomes", &n);
    double *base = support_read_doubles(t, "/sa/tornado/base", &nb);
    assert_non_null(y);
    size_t no = nb / 2;
    /* [level 1][one][arm][outcome]: horizon 10 at level index 1. */
    assert_true(fabs(y[(1 * 2 + 1) * no] - base[no]) <= 1e-9 * fabs(base[no]));
    assert_true(y[(0 * 2 + 1) * no] != y[(1 * 2 + 1) * no]);
    free(y);
    free(base);
    unlink(out);
    unlink(t);
}

/* The same numbers for 1 and 2 threads. */
static void test_threads(void **state)
{
    (void)state;
    const char *a = "/tmp/mkba-test-sa-t1.h5", *b = "/tmp/mkba-test-sa-t2.h5";
    assert_int_equal(run("tornado scenarios/default.cfg --factors 'p_debt_*' --threads 1", a),
                     0);
    assert_int_equal(run("tornado scenarios/default.cfg --factors 'p_debt_*' --threads 2", b),
                     0);
    size_t n1 = 0, n2 = 0;
    double *y1 = support_read_doubles(a, "/sa/point_outcomes", &n1);
    double *y2 = support_read_doubles(b, "/sa/point_outcomes", &n2);
    assert_int_equal(n1, n2);
    assert_true(n1 > 0);
    assert_memory_equal(y1, y2, n1 * sizeof *y1);
    free(y1);
    free(y2);
    unlink(a);
    unlink(b);
}

/* Bad input: a clear message, exit 1 (2 for the command line), no file. */
static void test_bad_input(void **state)
{
    (void)state;
    const char *out = "/tmp/mkba-test-sa-bad.h5";
    char cmd[1024];
    static const struct { const char *args, *expect; int code; } cases[] = {
        { "tornado scenarios/default.cfg --factors fte_cost_yaer", "did you mean 'fte_cost_year'", 1 },
        { "tornado scenarios/default.cfg --factors 'nothing_*'", "matches no parameter", 1 },
        { "sweep scenarios/default.cfg --grid horizon=5:30:6", "valid domain", 1 },
        { "sweep scenarios/default.cfg --grid discount_rate=0:0.1:3", "discount_time", 1 },
        { "sweep scenarios/default.cfg --grid fte_cost_year=1:2", "NAME=LO:HI:N", 2 },
        { "tornado scenarios/default.cfg --factors fte_cost_year --range fte_cost_year=-5:2000",
          "valid domain", 1 },
        { "threshold scenarios/default.cfg --factors 'p_*'", "exactly one factor", 1 },
        { "prim scenarios/default.cfg --draws 10", "at least 50", 1 },
        { "tornado scenarios/default.cfg --outcome npv:socety", "did you mean 'npv:society'", 1 },
        { "sobol scenarios/default.cfg", "unknown sensitivity method", 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unlink(out);
        snprintf(cmd, sizeof cmd, "%s sa %s -o %s --households 200 -q 2>&1", bin(),
                 cases[i].args, out);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char text[4096] = "";
        size_t got = fread(text, 1, sizeof text - 1, p);
        text[got] = '\0';
        int status = pclose(p);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        if (code != cases[i].code || strstr(text, cases[i].expect) == NULL)
            fail_msg("mkba sa %s: exit %d, output: %s", cases[i].args, code, text);
        if (cases[i].code != 0 && access(out, F_OK) == 0)
            fail_msg("mkba sa %s left %s behind", cases[i].args, out);
    }
    unlink(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tornado_linear_factor),
        cmocka_unit_test(test_threshold_linear),
        cmocka_unit_test(test_sweep_horizon),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
