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
#include <dirent.h>
#include <unistd.h>
#include <sys/wait.h>
#include "support.h"
#include "support_errors.h"
#include "io/h5util.h"
#include <hdf5.h>

/* This process's folder for the files the tests write (group setup), so
 * that two runs of this binary at once (a plain and a sanitized one, two
 * sessions on one machine) never share an output or its lock. */
static char tmp_dir[] = "/tmp/mkba-test-sa-XXXXXX";
enum { TMP_SIZE = 96 };

static void tmp_name(char *path, size_t size, const char *name)
{
    snprintf(path, size, "%s/%s", tmp_dir, name);
}

static int make_tmp_dir(void **state)
{
    (void)state;
    return mkdtemp(tmp_dir) != NULL ? 0 : -1;
}

/* Names and removes every file still in the folder (an output, OUT.tmp
 * or OUT.lock that a test or a run failed to remove): how many. */
static int clear_tmp_dir(void)
{
    int left = 0;
    DIR *d = opendir(tmp_dir);
    if (d == NULL)
        return 0;
    char path[TMP_SIZE + 256];
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", tmp_dir, e->d_name);
        print_message("left behind: %s\n", path);
        remove(path);
        left++;
    }
    closedir(d);
    return left;
}

static int remove_tmp_dir(void **state)
{
    (void)state;
    clear_tmp_dir();
    return rmdir(tmp_dir) == 0 ? 0 : -1;
}

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
    char out[TMP_SIZE];
    tmp_name(out, sizeof out, "tornado.h5");
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

/* A tornado on a parameter that varies by year (tests/data/trend.cfg's
 * cost_now, with a second arm whose trend is steeper) fixes it in every
 * cycle of both arms: at either end the arms pay the same, so the NPV is 0
 * at both ends, where the unfixed trend gives the base case's nonzero NPV. */
static void test_tornado_year_varying(void **state)
{
    (void)state;
    char cfg[TMP_SIZE], out[TMP_SIZE];
    tmp_name(out, sizeof out, "tornado-year.h5");
    tmp_name(cfg, sizeof cfg, "trend.cfg");
    assert_int_equal(support_write_variant("tests/data/trend.cfg", cfg,
                                           "arms = ( { name = \"only\"; reference = true; } );",
                                           "arms = ( { name = \"only\"; reference = true; }, "
                                           "{ name = \"alt\"; "
                                           "overrides = { growth = 0.05; }; } );"),
                     0);
    char args[256];
    snprintf(args, sizeof args, "tornado %s --factors cost_now --range cost_now=500:1500 "
             "--threads 1", cfg);
    assert_int_equal(run(args, out), 0);
    size_t n = 0, nb = 0;
    double *low = support_read_doubles(out, "/sa/tornado/low", &n);
    double *high = support_read_doubles(out, "/sa/tornado/high", &n);
    double *base = support_read_doubles(out, "/sa/tornado/base", &nb);
    assert_non_null(low);
    assert_non_null(base);
    size_t c = nb / 2;         /* arm 1 (alt), outcome 0 (npv:society) */
    assert_true(fabs(base[c]) > 100.0);
    assert_true(fabs(low[c]) < 1e-9);
    assert_true(fabs(high[c]) < 1e-9);
    free(low);
    free(high);
    free(base);
    remove(out);
    remove(cfg);
}

/* The threshold of an NPV linear in the factor is the closed-form root of
 * the line through any two evaluations. */
static void test_threshold_linear(void **state)
{
    (void)state;
    char out[TMP_SIZE];
    tmp_name(out, sizeof out, "threshold.h5");
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

/* Writes scenarios/default.cfg with `from` replaced by `to` beside it (so
 * its relative includes resolve) under `path`. */
static void edited_default(const char *path, const char *from, const char *to)
{
    FILE *in = fopen("scenarios/default.cfg", "r");
    FILE *out = fopen(path, "w");
    assert_non_null(in);
    assert_non_null(out);
    char line[4096];
    int replaced = 0;
    while (fgets(line, sizeof line, in) != NULL) {
        char *at = strstr(line, from);
        if (at != NULL && !replaced) {
            fprintf(out, "%.*s%s%s", (int)(at - line), line, to, at + strlen(from));
            replaced = 1;
        } else {
            fputs(line, out);
        }
    }
    fclose(in);
    fclose(out);
    assert_true(replaced);
}

/* A sweep over the horizon or the discount rate equals, point for point,
 * the base case of the scenario edited to that horizon or rate (the
 * half-cycle correction and the discounting timed as in a real run), on the
 * same households. */
static void test_sweep_equals_edited_scenario(void **state)
{
    (void)state;
    char out[TMP_SIZE], t[TMP_SIZE];
    tmp_name(out, sizeof out, "sweep.h5");
    tmp_name(t, sizeof t, "sweep-t.h5");
    /* Beside default.cfg, so its relative includes resolve; the pid keeps
     * two runs of this test apart. */
    char step[64], edited[64];
    snprintf(step, sizeof step, "scenarios/.test-sa-step-%ld.cfg", (long)getpid());
    snprintf(edited, sizeof edited, "scenarios/.test-sa-edited-%ld.cfg", (long)getpid());
    assert_int_equal(run("sweep scenarios/default.cfg --grid horizon=4:10:2 "
                         "--grid discount_rate=0:0.04:2", out), 0);
    size_t n = 0, nb = 0;
    double *y = support_read_doubles(out, "/sa/sweep/outcomes", &n);
    assert_non_null(y);
    size_t no = n / (2 * 2 * 2);               /* [horizon][rate][arm][outcome] */
    static const struct { const char *horizon, *rate; size_t i, j; } cell[] = {
        { "horizon = 4;", "costs = 0.0;", 0, 0 },
        { "horizon = 4;", "costs = 0.04;", 0, 1 },
        { "horizon = 10;", "costs = 0.04;", 1, 1 },
    };
    for (size_t c = 0; c < sizeof cell / sizeof cell[0]; c++) {
        /* Both rates: edit costs, then effects, in two passes. */
        char rate_e[64];
        snprintf(rate_e, sizeof rate_e, "effects = %s", strchr(cell[c].rate, '=') + 2);
        edited_default(step, "horizon = 10;", cell[c].horizon);
        FILE *f = fopen(step, "r");
        FILE *g = fopen(edited, "w");
        char line[4096];
        while (fgets(line, sizeof line, f) != NULL) {
            if (strstr(line, "costs = 0.0225;") != NULL)
                fprintf(g, "  %s\n", cell[c].rate);
            else if (strstr(line, "effects = 0.0225;") != NULL)
                fprintf(g, "  %s\n", rate_e);
            else
                fputs(line, g);
        }
        fclose(f);
        fclose(g);
        unlink(step);
        char args[256];
        snprintf(args, sizeof args, "tornado %s --factors fte_cost_year", edited);
        assert_int_equal(run(args, t), 0);
        double *base = support_read_doubles(t, "/sa/tornado/base", &nb);
        assert_int_equal(nb, 2 * no);
        for (size_t k = 0; k < no; k++) {
            double a = y[((cell[c].i * 2 + cell[c].j) * 2 + 1) * no + k], b = base[no + k];
            if (!(a == b || fabs(a - b) <= 1e-9 * fabs(b) || (isnan(a) && isnan(b))))
                fail_msg("%s %s, outcome %zu: sweep %.17g, edited scenario %.17g",
                         cell[c].horizon, cell[c].rate, k, a, b);
        }
        free(base);
    }
    unlink(edited);
    free(y);
    unlink(out);
    unlink(t);
}

/* A grid over a parameter and the horizon: at the full horizon it equals
 * the one-way sweep of the parameter (the index arithmetic of mixed grids). */
static void test_sweep_mixed_grid(void **state)
{
    (void)state;
    char a[TMP_SIZE], b[TMP_SIZE];
    tmp_name(a, sizeof a, "mixed.h5");
    tmp_name(b, sizeof b, "oneway.h5");
    assert_int_equal(run("sweep scenarios/default.cfg --grid horizon=5:10:2 "
                         "--grid fte_cost_year=60000:90000:3", a), 0);
    assert_int_equal(run("sweep scenarios/default.cfg --grid fte_cost_year=60000:90000:3", b), 0);
    size_t na = 0, nb = 0;
    double *ya = support_read_doubles(a, "/sa/sweep/outcomes", &na);
    double *yb = support_read_doubles(b, "/sa/sweep/outcomes", &nb);
    assert_int_equal(na, 2 * nb);
    /* ya [horizon 2][cost 3][arm][outcome]: the second horizon row. */
    for (size_t i = 0; i < nb; i++)
        assert_true(ya[nb + i] == yb[i] || (isnan(ya[nb + i]) && isnan(yb[i])));
    free(ya);
    free(yb);
    unlink(a);
    unlink(b);
}

/* The same numbers for 1 and 2 threads. */
static void test_threads(void **state)
{
    (void)state;
    char a[TMP_SIZE], b[TMP_SIZE];
    tmp_name(a, sizeof a, "t1.h5");
    tmp_name(b, sizeof b, "t2.h5");
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
    /* Sobol runs whole points in parallel (few households per point). */
    assert_int_equal(run("sobol scenarios/default.cfg --factors fte_cost_year,p_debt_onset "
                         "-n 16 --bootstrap 20 --threads 1", a), 0);
    assert_int_equal(run("sobol scenarios/default.cfg --factors fte_cost_year,p_debt_onset "
                         "-n 16 --bootstrap 20 --threads 2", b), 0);
    y1 = support_read_doubles(a, "/sa/point_outcomes", &n1);
    y2 = support_read_doubles(b, "/sa/point_outcomes", &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(y1, y2, n1 * sizeof *y1);
    free(y1);
    free(y2);
    y1 = support_read_doubles(a, "/sa/sobol/total_order", &n1);
    y2 = support_read_doubles(b, "/sa/sobol/total_order", &n2);
    assert_memory_equal(y1, y2, n1 * sizeof *y1);
    free(y1);
    free(y2);
    unlink(a);
    unlink(b);
}

/* The strings of dataset name in the file at path (n of them). */
static char **read_strings(const char *path, const char *name, size_t *n)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    char **v = NULL;
    assert_int_equal(mkba_h5_read_strings(f, name, &v, n), 0);
    H5Fclose(f);
    return v;
}

static double read_one(const char *path, const char *name, size_t i)
{
    size_t n = 0;
    double *v = support_read_doubles(path, name, &n);
    assert_non_null(v);
    assert_true(i < n);
    double x = v[i];
    free(v);
    return x;
}

/* An outcome linear and additive in two cost factors (no household path
 * depends on them): the first-order and total indices agree and sum to 1,
 * and the larger swing has the larger index. */
static void test_sobol_additive(void **state)
{
    (void)state;
    char out[TMP_SIZE];
    tmp_name(out, sizeof out, "sobol.h5");
    assert_int_equal(run("sobol scenarios/default.cfg --factors fte_cost_year,"
                         "cost_intake_municipal -n 512 --bootstrap 50", out), 0);
    size_t n = 0;
    double *s1 = support_read_doubles(out, "/sa/sobol/first_order", &n);
    double *st = support_read_doubles(out, "/sa/sobol/total_order", &n);
    assert_int_equal(n, 2 * 2 * 3);    /* [arm][factor][statistic] */
    const double *a1 = s1 + 6, *t1 = st + 6;   /* arm 1: integrated */
    assert_true(isnan(s1[0]));                 /* the reference has no indices */
    for (size_t f = 0; f < 2; f++)
        assert_true(fabs(a1[f * 3] - t1[f * 3]) < 0.05);
    assert_true(fabs(t1[0] + t1[3] - 1.0) < 0.05);
    assert_true(t1[0] > t1[3]);                /* staff cost dominates (tornado swings) */
    size_t nv = 0;
    double *u = support_read_doubles(out, "/sa/point_factor_values", &nv);
    assert_int_equal(nv, 512 * 4 * 2);         /* N (k + 2) points of 2 factors */
    free(u);
    free(s1);
    free(st);
    unlink(out);
}

/* Morris: a factor that does not enter the outcome (a utility weight, not
 * money) has every elementary effect exactly 0 on common random numbers;
 * a cost that only lowers the NPV has mu = -mu*. */
static void test_morris_inert_and_sign(void **state)
{
    (void)state;
    char out[TMP_SIZE];
    tmp_name(out, sizeof out, "morris.h5");
    assert_int_equal(run("morris scenarios/default.cfg --factors u_base,fte_cost_year -n 6",
                         out), 0);
    double mu_star_u = read_one(out, "/sa/morris/mu_star", 2 + 0);
    double mu_cost = read_one(out, "/sa/morris/mu", 2 + 1);
    double mu_star_cost = read_one(out, "/sa/morris/mu_star", 2 + 1);
    assert_true(mu_star_u == 0.0);
    assert_true(mu_star_cost > 0.0);
    assert_true(mu_cost == -mu_star_cost);
    unlink(out);
}

/* EVPPI from the PSA draws: within [0, EVPI]; a parameter that does not
 * enter the NPV is worth (almost) nothing to learn. */
static void test_evppi_bounds(void **state)
{
    (void)state;
    char out[TMP_SIZE];
    tmp_name(out, sizeof out, "evppi.h5");
    assert_int_equal(run("evppi scenarios/default.cfg --draws 200 --factors "
                         "u_base,rr_recover_work_income@integrated --group "
                         "u_base+rr_recover_work_income@integrated", out), 0);
    size_t n = 0;
    double *ev = support_read_doubles(out, "/sa/evppi/evppi", &n);
    double evpi = read_one(out, "/sa/evppi/evpi", 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++)
        assert_true(ev[i] >= 0.0 && ev[i] <= evpi);
    assert_true(ev[0] <= 0.05 * evpi + 1e-9);
    assert_true(ev[2] >= ev[1]);               /* a group is worth at least a member */
    free(ev);
    unlink(out);
}

/* What must be believed, against runs built by hand: the arm with every
 * lever on is the tornado's base point, and switching the
 * damp_interaction override off equals --set damp_interaction@integrated
 * to the reference arm's value (1), on the same households. */
/* Referral substitution saves the full bought price for help the team
 * gives with fewer hours: its lever says that this must be believed too. */
static void test_believe_substitution_price(void **state)
{
    (void)state;
    char out[TMP_SIZE];
    tmp_name(out, sizeof out, "believe-subst.h5");
    assert_int_equal(run("believe tests/data/services_substitution.cfg", out), 0);
    size_t nl = 0, found = 0;
    char **lever = read_strings(out, "/sa/believe/lever", &nl);
    for (size_t l = 0; l < nl; l++)
        if (strncmp(lever[l], "substitution.[0].share", 22) == 0)
            found += strstr(lever[l], "full price saved for the team's lighter help") != NULL;
    assert_int_equal(found, 1);
    mkba_h5_strings_free(lever, nl);
    unlink(out);
}

static void test_believe_against_set(void **state)
{
    (void)state;
    char out[TMP_SIZE], t[TMP_SIZE];
    tmp_name(out, sizeof out, "believe.h5");
    tmp_name(t, sizeof t, "believe-t.h5");
    assert_int_equal(run("believe scenarios/default.cfg", out), 0);
    size_t nl = 0;
    char **lever = read_strings(out, "/sa/believe/lever", &nl);
    size_t damp = nl;
    for (size_t l = 0; l < nl; l++)
        if (strcmp(lever[l], "override damp_interaction") == 0)
            damp = l;
    assert_true(damp < nl);
    mkba_h5_strings_free(lever, nl);
    double on = read_one(out, "/sa/believe/arm_npv", 3 * 1 + 0);
    double contribution = read_one(out, "/sa/believe/contribution", 2 * damp);
    assert_int_equal(run("tornado scenarios/default.cfg --factors fte_cost_year", t), 0);
    size_t nb = 0;
    double *base = support_read_doubles(t, "/sa/tornado/base", &nb);
    assert_true(fabs(base[nb / 2] - on) <= 1e-9 * fabs(on));
    free(base);
    assert_int_equal(run("tornado scenarios/default.cfg --factors fte_cost_year "
                         "--set damp_interaction@integrated=1", t), 0);
    base = support_read_doubles(t, "/sa/tornado/base", &nb);
    assert_true(fabs(base[nb / 2] - (on - contribution)) <= 1e-9 * fabs(on));
    free(base);
    unlink(out);
    unlink(t);
}

/* The current model as the reference arm (current-model-b.cfg): model_b
 * overrides maturity, efficiency, awareness and friction and model_a
 * overrides nothing, so every lever is one of the reference's overrides,
 * and the decomposition still adds up to the arm's NPV. */
static void test_believe_reference_overrides(void **state)
{
    (void)state;
    char out[TMP_SIZE];
    tmp_name(out, sizeof out, "believe-ref.h5");
    assert_int_equal(run("believe scenarios/pathways/current-model-b.cfg --arm model_a "
                         "--threads 2", out), 0);
    size_t nl = 0;
    char **lever = read_strings(out, "/sa/believe/lever", &nl);
    int maturity = 0;
    for (size_t l = 0; l < nl; l++)
        maturity |= strcmp(lever[l], "reference's override maturity_start") == 0;
    mkba_h5_strings_free(lever, nl);
    assert_true(maturity);
    size_t nc = 0;
    double *c = support_read_doubles(out, "/sa/believe/contribution", &nc);
    double sum = 0.0;
    for (size_t l = 0; l < nl; l++)
        sum += c[2 * l];
    free(c);
    /* model_a is the second arm: its row of [arm][on, all off, interaction] */
    double on = read_one(out, "/sa/believe/arm_npv", 3 + 0);
    double off = read_one(out, "/sa/believe/arm_npv", 3 + 1);
    double interaction = read_one(out, "/sa/believe/arm_npv", 3 + 2);
    assert_true(isfinite(on));
    assert_true(fabs(sum + off + interaction - on) <= 1e-6 * (fabs(on) + 1.0));
    unlink(out);
}

/* An arm's own coordination weight (integration.coordination_weight) is a
 * lever (review integ12, 10): off at the degree's weight it replaces, so
 * the arm with the lever off is the arm with that weight written out. */
static void test_believe_coordination_weight(void **state)
{
    (void)state;
    char out[TMP_SIZE], out1[TMP_SIZE];
    tmp_name(out, sizeof out, "believe-weight.h5");
    tmp_name(out1, sizeof out1, "believe-weight1.h5");
    char half[512], one[512], args[1200];
    support_bad c = {.base = "tests/data/services_integration.cfg", .at = "",
                     .edit = {"integration = {", "integration = { coordination_weight = 0.5;"}};
    support_bad_write(&c, half, sizeof half);
    c.edit[1] = "integration = { coordination_weight = 1.0;"; /* degree full: w = 1 */
    support_bad_write(&c, one, sizeof one);
    snprintf(args, sizeof args, "believe %s", half);
    assert_int_equal(run(args, out), 0);
    snprintf(args, sizeof args, "believe %s", one);
    assert_int_equal(run(args, out1), 0);
    unlink(half);
    unlink(one);
    size_t nl = 0, at = SIZE_MAX;
    char **lever = read_strings(out, "/sa/believe/lever", &nl);
    for (size_t l = 0; l < nl; l++)
        if (strncmp(lever[l], "integration.coordination_weight", 31) == 0)
            at = l;
    mkba_h5_strings_free(lever, nl);
    assert_true(at < nl);
    double on = read_one(out, "/sa/believe/arm_npv", 3 * 1 + 0);
    double contribution = read_one(out, "/sa/believe/contribution", 2 * at);
    double at_degree = read_one(out1, "/sa/believe/arm_npv", 3 * 1 + 0);
    assert_true(contribution != 0.0);
    assert_true(fabs(on - contribution - at_degree) <= 1e-9 * (fabs(at_degree) + 1.0));
    unlink(out);
    unlink(out1);
}

/* The built-in functions: Ishigami's indices within 0.01 of the closed
 * form at N = 10,000 (the estimator's own tests go further). */
static void test_function_ishigami(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s sa sobol --function ishigami -n 10000 --format csv", bin());
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[512];
    int rows = 0;
    while (fgets(line, sizeof line, p) != NULL) {
        double v[8];
        char table[16], name[16];
        if (sscanf(line, "%15[^,],%15[^,],%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", table, name, &v[0],
                   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 10 && name[0] == 'x') {
            assert_true(fabs(v[0] - v[3]) < 0.01);
            assert_true(fabs(v[4] - v[7]) < 0.01);
            rows++;
        }
    }
    assert_int_equal(pclose(p), 0);
    assert_int_equal(rows, 3);
    snprintf(cmd, sizeof cmd, "%s sa sobol --function ishigam > /dev/null 2>&1", bin());
    int status = system(cmd);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
}

/* The outcomes of a point are the decision outputs' numbers: the tornado's
 * base point is the base case that mkba run --draws 0 simulates (same
 * households), so its NPV per perspective equals /analysis/cashflow's. */
static void test_outcomes_equal_decision_outputs(void **state)
{
    (void)state;
    char sa[TMP_SIZE], run_file[TMP_SIZE];
    tmp_name(sa, sizeof sa, "outcomes.h5");
    tmp_name(run_file, sizeof run_file, "run.h5");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s run scenarios/default.cfg --draws 0 --households 600 -q "
             "-o %s --force", bin(), run_file);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run("tornado scenarios/default.cfg --factors fte_cost_year", sa), 0);
    size_t nk = 0, nb = 0;
    double *npv = support_read_doubles(run_file, "/analysis/cashflow/npv_draws", &nk);
    double *base = support_read_doubles(sa, "/sa/tornado/base", &nb);
    assert_non_null(npv);
    size_t no = nb / 2, nper = nk / 2;     /* [perspective][draw 1][arm 2] */
    assert_true(nper >= 3 && nper <= no);
    for (size_t k = 0; k < nper; k++) {
        double a = npv[k * 2 + 1], b = base[no + k];
        if (fabs(a - b) > 1e-9 * (fabs(a) + 1.0))
            fail_msg("perspective %zu: mkba run %.17g, tornado base %.17g", k, a, b);
    }
    /* The outcome icer is on society's net cost, as the summary's ICERs:
     * (incremental cost - the production gained) / incremental effect =
     * -npv:society / incremental_effect. Outcomes: npv:P and breakeven:P
     * per perspective, then incremental_cost, incremental_effect, icer. */
    double inc_cost = base[no + 2 * nper], inc_effect = base[no + 2 * nper + 1];
    double icer = base[no + 2 * nper + 2];
    assert_true(inc_effect != 0.0 && inc_cost != -npv[1]);  /* production changes */
    double want = -npv[1] / inc_effect;
    if (fabs(icer - want) > 1e-9 * fabs(want))
        fail_msg("icer %.17g, want -npv:society / incremental_effect = %.17g", icer, want);
    free(npv);
    free(base);
    unlink(sa);
    unlink(run_file);
}

/* EVPPI from an existing PSA file equals EVPPI of the same PSA run by sa
 * itself (the NPVs of /analysis and of the points agree draw by draw). The
 * file has the households of run() (600): with 300 it was another PSA, and
 * the two agreed only because both EVPPIs were 0 (the default scenario's
 * integrated arm was best in every draw until it counted displacement);
 * one EVPPI must now be positive, or the comparison proves little. */
static void test_evppi_from_file(void **state)
{
    (void)state;
    char psa[TMP_SIZE], a[TMP_SIZE], b[TMP_SIZE];
    tmp_name(psa, sizeof psa, "psa.h5");
    tmp_name(a, sizeof a, "from.h5");
    tmp_name(b, sizeof b, "own.h5");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s run scenarios/default.cfg --draws 120 --households 600 -q "
             "-o %s --force", bin(), psa);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s sa evppi scenarios/default.cfg --from %s --factors "
             "rr_recover_work_income@integrated,fte_cost_year -q -o %s --force > /dev/null 2>&1",
             bin(), psa, a);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run("evppi scenarios/default.cfg --draws 120 --factors "
                         "rr_recover_work_income@integrated,fte_cost_year", b), 0);
    size_t na = 0, nb = 0;
    double *ea = support_read_doubles(a, "/sa/evppi/evppi", &na);
    double *eb = support_read_doubles(b, "/sa/evppi/evppi", &nb);
    assert_int_equal(na, 2);
    assert_int_equal(nb, 2);
    assert_memory_equal(ea, eb, 2 * sizeof *ea);
    print_message("EVPPI rr_recover_work_income@integrated %g, fte_cost_year %g\n", eb[0], eb[1]);
    assert_true(eb[0] > 0.0 || eb[1] > 0.0);
    /* A file of another scenario, or none, is refused in words. */
    snprintf(cmd, sizeof cmd, "%s sa evppi tests/data/services.cfg --from %s -q -o %s --force "
             "2>&1 | grep -q 'give the scenario that wrote the file'", bin(), psa, b);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s sa prim scenarios/default.cfg --from /nonexistent.h5 -q "
             "-o %s --force 2>&1 | grep -q nonexistent", bin(), b);
    assert_int_equal(system(cmd), 0);
    /* The copy keeps the PSA's own outputs. */
    double *npv = support_read_doubles(a, "/analysis/cashflow/npv_draws", &na);
    assert_non_null(npv);
    free(npv);
    free(ea);
    free(eb);
    unlink(psa);
    unlink(a);
    unlink(b);
}

/* Bad input: a clear message, exit 1 (2 for the command line), no file. */
static void test_bad_input(void **state)
{
    (void)state;
    char out[TMP_SIZE];
    tmp_name(out, sizeof out, "bad.h5");
    char cmd[1024];
    static const struct { const char *args, *expect; int code; } cases[] = {
        { "tornado scenarios/default.cfg --factors fte_cost_yaer", "did you mean 'fte_cost_year'", 1 },
        { "tornado scenarios/default.cfg --factors 'nothing_*'", "matches no parameter", 1 },
        { "sweep scenarios/default.cfg --grid horizon=5:30:6", "valid domain", 1 },
        { "sweep scenarios/default.cfg --grid discount_rate=0:1:3", "valid domain", 1 },
        { "sweep scenarios/default.cfg --grid fte_cost_year=1:2:1000 --grid p_debt_onset=0.1:0.2:1000",
          "more than the 100000", 1 },
        { "sweep scenarios/default.cfg --grid fte_cost_year=1:2", "NAME=LO:HI:N", 2 },
        { "tornado scenarios/default.cfg --factors fte_cost_year --range fte_cost_year=-5:2000",
          "valid domain", 1 },
        { "threshold scenarios/default.cfg --factors 'p_*'", "exactly one factor", 1 },
        { "prim scenarios/default.cfg --draws 10", "at least 50", 1 },
        { "tornado scenarios/default.cfg --outcome npv:socety", "did you mean 'npv:society'", 1 },
        { "sobl scenarios/default.cfg", "unknown sensitivity method", 2 },
        { "sobol scenarios/default.cfg --factors fte_cost_year -n 4", "sobol (-n 4", 1 },
        { "sobol scenarios/default.cfg --outcome breakeven:society", "not a break-even year", 1 },
        { "evppi scenarios/default.cfg --draws 200 --factors fte_cost_year --group "
          "fte_cost_yaer+u_base", "did you mean 'fte_cost_year'", 1 },
        { "evppi scenarios/default.cfg --draws 20", "at least 90", 1 },
        { "morris scenarios/default.cfg --levels 3", "even number", 2 },
        { "believe scenarios/default.cfg --arm classic", "reference arm", 1 },
        { "sobol --function ishigami", "no meaning with --function", 2 },
        { "tornado scenarios/default.cfg --grid x=1:2:3", "not an option of sa tornado", 2 },
        { "tornado scenarios/default.cfg --factors fte_cost_year --set fte_cost_year=5",
          "also a factor", 1 },
        { "prim scenarios/default.cfg --draws 60 --arm classic", "reference arm", 1 },
        { "prim scenarios/default.cfg --draws 60 --outcome incremental_cost", "NPV > 0", 1 },
        { "threshold scenarios/default.cfg --factors fte_cost_year --outcome icer",
          "changes sign", 1 },
        { "prim scenarios/default.cfg --from /nonexistent.h5", "no meaning with --from", 1 },
        /* A generated name with brackets is a name, not a pattern. */
        { "sweep tests/data/full.cfg --grid 'costs.[1].per_year=100:900:2'", "", 0 },
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

/* Last: the tests removed every file they wrote (cmocka does not count a
 * failed group teardown in the exit status, so this is a test). */
static void test_nothing_left_behind(void **state)
{
    (void)state;
    int left = clear_tmp_dir();
    if (left > 0)
        fail_msg("%d file(s) left behind in %s (listed above)", left, tmp_dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tornado_linear_factor),
        cmocka_unit_test(test_tornado_year_varying),
        cmocka_unit_test(test_threshold_linear),
        cmocka_unit_test(test_sweep_equals_edited_scenario),
        cmocka_unit_test(test_sweep_mixed_grid),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_sobol_additive),
        cmocka_unit_test(test_morris_inert_and_sign),
        cmocka_unit_test(test_evppi_bounds),
        cmocka_unit_test(test_believe_substitution_price),
        cmocka_unit_test(test_believe_against_set),
        cmocka_unit_test(test_believe_reference_overrides),
        cmocka_unit_test(test_believe_coordination_weight),
        cmocka_unit_test(test_function_ishigami),
        cmocka_unit_test(test_outcomes_equal_decision_outputs),
        cmocka_unit_test(test_evppi_from_file),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_nothing_left_behind),
    };
    return cmocka_run_group_tests(tests, make_tmp_dir, remove_tmp_dir);
}
