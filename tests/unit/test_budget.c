/* The budget view (issue 15, docs/budget.md): the population block, the open
 * population of the streaming engine and /analysis/budget, against hand
 * computations and closed forms.
 *
 * The fixture: one domain, households "in" the target group leave it for
 * good ("out", an exit state) with probability p_leave a year (0.2 classic,
 * 0.3 integrated); while in, gemeente-wmo pays 1000 and zorgverzekeraar 250
 * a year. Its text is written per test with the population block of the
 * test, so each bad setting's line is known. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "results/schema.h"
#include "support.h"

/* Lines 1-13; the population block starts on line 14. */
static const char fixture[] =
    "mkba_format = 1;\n"
    "name = \"budget\";\n"
    "price_year = 2024;\n"
    "run = { seed = 11; draws = 0; households = 4000; };\n"
    "timing = { cycle = \"year\"; horizon = 6; correction = \"%s\"; occupancy = \"%s\"; "
    "discount_time = \"start\"; };\n"
    "discount = { costs = 0.03; effects = 0.03; };\n"
    "payers = ( \"gemeente-wmo\", \"zorgverzekeraar\" );\n"
    "arms = ( { name = \"classic\"; reference = true; },\n"
    "         { name = \"integrated\"; overrides = { p_leave = %s; }; } );\n"
    "parameters = { p_leave = %s; };\n"
    "domains = ( { name = \"life\"; states = ( \"in\", { name = \"out\"; exit = true; } ); "
    "initial = { state = \"in\"; }; transitions = ( { from = \"in\"; probabilities = "
    "{ out = \"p_leave\"; }; } ); } );\n"
    "costs = ( { domain = \"life\"; state = \"in\"; payer = \"gemeente-wmo\"; per_year = 1000.0; },\n"
    "          { domain = \"life\"; state = \"in\"; payer = \"zorgverzekeraar\"; per_year = 250.0; } );\n";

#define T 6                 /* cycles = years */
#define A 2
#define P 2
#define BLOCK_LINE 14

typedef struct case_files {
    char cfg[128], h5[128];
} case_files;

/* Writes the fixture with the timing, the leaving probabilities of both
 * arms and the population block (may be "") to a scenario file. */
static void write_case(case_files *c, const char *tag, const char *correction,
                       const char *occupancy, const char *p_classic, const char *p_integrated,
                       const char *block)
{
    snprintf(c->cfg, sizeof c->cfg, "/tmp/mkba-budget-%s-%ld.cfg", tag, (long)getpid());
    snprintf(c->h5, sizeof c->h5, "/tmp/mkba-budget-%s-%ld.h5", tag, (long)getpid());
    FILE *f = fopen(c->cfg, "w");
    assert_non_null(f);
    fprintf(f, fixture, correction, occupancy, p_integrated, p_classic);
    fputs(block, f);
    assert_int_equal(fclose(f), 0);
}

/* Loads and runs c's scenario (`draws` draws, < 0 the scenario's base
 * case; `households` households, `threads` threads, `mode`) into c->h5,
 * telling `progress` (NULL: no one); the load or run error code, its
 * message in msg. */
static int run_case_told(const case_files *c, long draws, long households, int threads,
                         mkba_mode mode, mkba_progress_fn progress, void *user, char *msg,
                         size_t size)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    int rc = mkba_scenario_load(NULL, c->cfg, &m, &err);
    if (rc == MKBA_OK) {
        mkba_run_options o;
        mkba_run_options_init(&o);
        o.output = c->h5;
        o.force = 1;
        o.households = households;
        o.mode = mode;
        o.draws = draws;
        mkba_context ctx;
        mkba_context_init(&ctx);
        ctx.threads = threads;
        ctx.progress = progress;
        ctx.progress_user = user;
        rc = mkba_run(&ctx, m, &o, &err);
    }
    mkba_model_free(m);
    if (msg != NULL)
        snprintf(msg, size, "%.900s", err.message);
    return rc;
}

/* The same, telling no one about progress. */
static int run_case_with(const case_files *c, long draws, long households, int threads,
                         mkba_mode mode, char *msg, size_t size)
{
    return run_case_told(c, draws, households, threads, mode, NULL, NULL, msg, size);
}

static int run_case(const case_files *c, long households, mkba_mode mode, char *msg,
                    size_t size)
{
    return run_case_with(c, -1, households, 1, mode, msg, size);
}

static void run_ok_with(const case_files *c, long draws, long households, int threads)
{
    char msg[1024];
    if (run_case_with(c, draws, households, threads, MKBA_MODE_MICRO, msg, sizeof msg)
        != MKBA_OK)
        fail_msg("%s: %s", c->cfg, msg);
}

static void run_ok(const case_files *c, long households)
{
    run_ok_with(c, -1, households, 1);
}

/* The budget view's datasets and labels. */
static int is_budget_path(const char *path)
{
    return strncmp(path, "/draws/budget/", 14) == 0 || strncmp(path, "/analysis/budget/", 17) == 0
           || strncmp(path, "/labels/budget_", 15) == 0 || strcmp(path, "/labels/price_index") == 0
           || strcmp(path, "/labels/wage_index") == 0
           || strcmp(path, "/labels/calendar_year") == 0;
}

/* Every dataset of the schema that both files hold (budget ones when
 * `budget`, the others when not), bit for bit; returns how many. */
static int compare_files(const char *a, const char *b, int budget, const char *why)
{
    int compared = 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* datasets a run does not write are skipped */
    for (size_t i = 0; i < mkba_schema_ndatasets; i++) {
        const mkba_dataset_spec *s = &mkba_schema_dataset[i];
        if (is_budget_path(s->path) != budget)
            continue;
        size_t n1 = 0, n2 = 0;
        double *x = support_read_doubles(a, s->path, &n1);
        double *y = support_read_doubles(b, s->path, &n2);
        if ((x == NULL) != (y == NULL))
            fail_msg("%s is in one file only (%s)", s->path, why);
        if (x != NULL) {
            assert_int_equal(n1, n2);
            if (memcmp(x, y, n1 * sizeof *x) != 0)
                fail_msg("%s differs (%s)", s->path, why);
            compared++;
        }
        free(x);
        free(y);
    }
    return compared;
}

static void remove_case(const case_files *c)
{
    remove(c->cfg);
    remove(c->h5);
}

static double *read_all(const case_files *c, const char *name, size_t expect)
{
    size_t n = 0;
    double *v = support_read_doubles(c->h5, name, &n);
    if (v == NULL)
        fail_msg("%s: cannot read %s", c->h5, name);
    assert_int_equal(n, expect);
    return v;
}

/* A closed cohort: the budget is the per-household cost of the MKBA view
 * times the population, when the MKBA view counts a cycle at its start
 * without correction as the budget does; exactly up to the rounding of one
 * product (relative 1e-12). */
static void test_closed_population_totals(void **state)
{
    (void)state;
    case_files c;
    write_case(&c, "closed", "none", "start", "0.2", "0.3",
               "population = { households = 2385.5; };\n");
    run_ok(&c, 3000);
    double *cost = read_all(&c, "/draws/cost", A * T * P);
    double *cost_d = read_all(&c, "/draws/cost_discounted", A * T * P);
    double *constant = read_all(&c, "/analysis/budget/constant", A * P * T * 3);
    double *nominal = read_all(&c, "/analysis/budget/nominal", A * P * T * 3);
    double *disc = read_all(&c, "/analysis/budget/discounted", A * P * T * 3);
    for (size_t a = 0; a < A; a++)
        for (size_t p = 0; p < P; p++)
            for (size_t y = 0; y < T; y++) {
                size_t at = ((a * P + p) * T + y) * 3;
                double want = 2385.5 * cost[(a * T + y) * P + p];
                double want_d = 2385.5 * cost_d[(a * T + y) * P + p];
                assert_true(want > 0);
                assert_true(fabs(constant[at] - want) <= 1e-12 * want);
                assert_true(fabs(disc[at] - want_d) <= 1e-12 * want_d);
                /* The default price path: 2% a year from the price year. */
                assert_true(fabs(nominal[at] - want * pow(1.02, (double)y)) <= 1e-12 * want * 2);
            }
    free(cost);
    free(cost_d);
    free(constant);
    free(nominal);
    free(disc);
    remove_case(&c);
}

/* inflow = 0 is the closed model: every dataset the closed run writes is
 * bit for bit the same. */
static void test_inflow_zero_is_closed(void **state)
{
    (void)state;
    case_files closed, open;
    write_case(&closed, "plain", "half-cycle", "both", "0.2", "0.3", "");
    write_case(&open, "inflow0", "half-cycle", "both", "0.2", "0.3",
               "population = { households = 1000; inflow = 0; };\n");
    run_ok(&closed, 2000);
    run_ok(&open, 2000);
    assert_true(compare_files(closed.h5, open.h5, 0, "no population block against inflow 0")
                >= 10);
    remove_case(&closed);
    remove_case(&open);
}

/* Inflow changes the budget view only: with inflow 150 every other dataset
 * of /draws, /analysis and /labels is bit for bit that of inflow 0 (the
 * MKBA view is per household of the starting cohort), and the budget view
 * does differ. */
static void test_inflow_leaves_mkba_view(void **state)
{
    (void)state;
    case_files closed, open;
    write_case(&closed, "mkba0", "half-cycle", "both", "0.2", "0.3",
               "population = { households = 1000; inflow = 0; };\n");
    write_case(&open, "mkba150", "half-cycle", "both", "0.2", "0.3",
               "population = { households = 1000; inflow = 150; };\n");
    run_ok_with(&closed, 4, 1500, 1);
    run_ok_with(&open, 4, 1500, 1);
    int compared = compare_files(closed.h5, open.h5, 0, "inflow 150 against inflow 0");
    assert_true(compared >= 20);
    size_t n = 0;
    double *x = support_read_doubles(closed.h5, "/draws/budget/households", &n);
    double *y = support_read_doubles(open.h5, "/draws/budget/households", &n);
    assert_non_null(x);
    assert_non_null(y);
    assert_true(memcmp(x, y, n * sizeof *x) != 0);
    free(x);
    free(y);
    remove_case(&closed);
    remove_case(&open);
}

/* Entrants, rounded at random (302.75 expected a year), on 1 and 2 threads:
 * the budget view bit for bit the same (chunks of 256 households carry
 * their share of each year's entrants, whichever thread runs them). */
static void test_entrants_threads(void **state)
{
    (void)state;
    case_files one, two;
    const char *block = "population = { households = 1000; inflow = 151.3; };\n";
    write_case(&one, "thr1", "half-cycle", "both", "0.2", "0.3", block);
    write_case(&two, "thr2", "half-cycle", "both", "0.2", "0.3", block);
    run_ok_with(&one, 3, 2001, 1);
    run_ok_with(&two, 3, 2001, 2);
    assert_true(compare_files(one.h5, two.h5, 1, "1 against 2 threads") >= 6);
    assert_true(compare_files(one.h5, two.h5, 0, "1 against 2 threads") >= 20);
    remove_case(&one);
    remove_case(&two);
}

/* The rounding of entrants keeps the inflow in expectation: 4 simulated
 * households for 1000 and inflow 625 expect 2.5 entrants a year, so each
 * draw has 2 or 3 a year in its five entry years (10 to 15 in all) and 12.5
 * on average (variance 5 x 0.25 a draw; within 4 standard errors over 400
 * draws, where rounding 2.5 to 2 or 3 would be off by 2.5). Nobody leaves,
 * so the households at the horizon are the 4 and the entrants. */
static void test_entrant_rounding(void **state)
{
    (void)state;
    case_files c;
    write_case(&c, "round", "none", "start", "0.0", "0.0",
               "population = { households = 1000; inflow = 625; };\n");
    const long D = 400;
    run_ok_with(&c, D, 4, 1);
    double *hh = read_all(&c, "/draws/budget/households", (size_t)D * A * (T + 1));
    double sum = 0;
    for (long d = 0; d < D; d++) {
        double n = hh[((size_t)d * A) * (T + 1) + T] * 4 - 4;
        if (!(n >= 10 && n <= 15 && n == floor(n)))
            fail_msg("draw %ld: %g entrants; expected 10 to 15", d, n);
        /* Every arm the same entrants. */
        assert_true(hh[((size_t)d * A + 1) * (T + 1) + T] == hh[((size_t)d * A) * (T + 1) + T]);
        sum += n;
    }
    double mean = sum / (double)D, se = sqrt(1.25 / (double)D);
    if (fabs(mean - 12.5) > 4 * se)
        fail_msg("%g entrants a draw on average; expected 12.5 (se %g)", mean, se);
    free(hh);
    remove_case(&c);
}

/* Entrants take population.entrants' shares: all households start "low",
 * nobody moves, 75% of entrants start "high" at 100 a year. With 10,000
 * simulated households for 1,000 and an inflow of 1,000, 10,000 entrants a
 * year: the Wmo budget of year 2 is 1000 x 100 x 0.75 = 75,000 and of year
 * 3 150,000, within 4 binomial standard errors. */
static void test_entrant_shares(void **state)
{
    (void)state;
    case_files c;
    snprintf(c.cfg, sizeof c.cfg, "/tmp/mkba-budget-shares-%ld.cfg", (long)getpid());
    snprintf(c.h5, sizeof c.h5, "/tmp/mkba-budget-shares-%ld.h5", (long)getpid());
    FILE *f = fopen(c.cfg, "w");
    assert_non_null(f);
    fputs("mkba_format = 1;\nname = \"shares\";\nprice_year = 2024;\n"
          "run = { seed = 5; draws = 0; households = 10000; };\n"
          "timing = { cycle = \"year\"; horizon = 3; correction = \"none\"; "
          "occupancy = \"start\"; discount_time = \"start\"; };\n"
          "discount = { costs = 0.03; effects = 0.03; };\n"
          "payers = ( \"gemeente-wmo\" );\n"
          "arms = ( { name = \"classic\"; reference = true; }, { name = \"integrated\"; } );\n"
          "parameters = { p = 0.0; };\n"
          "domains = ( { name = \"debt\"; states = ( \"low\", \"high\" ); initial = { state = "
          "\"low\"; }; transitions = ( { from = \"low\"; probabilities = { high = \"p\"; }; }, "
          "{ from = \"high\"; probabilities = { low = \"p\"; }; } ); } );\n"
          "costs = ( { domain = \"debt\"; state = \"high\"; payer = \"gemeente-wmo\"; "
          "per_year = 100.0; } );\n"
          "population = { households = 1000; inflow = 1000; entrants = { debt = [0.25, 0.75]; "
          "}; price_growth = 0.0; };\n", f);
    assert_int_equal(fclose(f), 0);
    run_ok(&c, 10000);
    double *constant = read_all(&c, "/analysis/budget/constant", 2 * 1 * 3 * 3);
    const double sd = 1000.0 * 100.0 * sqrt(10000 * 0.75 * 0.25) / 10000;
    assert_true(constant[0] == 0.0);
    for (int y = 1; y < 3; y++) {
        double want = 75000.0 * y, got = constant[(size_t)y * 3];
        if (fabs(got - want) > 4 * sd * sqrt((double)y))
            fail_msg("year %d: %g; expected %g (sd %g)", y + 1, got, want, sd * sqrt((double)y));
    }
    free(constant);
    remove_case(&c);
}

/* The closed form of the households in the model at point j of `cycles`:
 * H q^j starting households still in plus E entrants a year, those of
 * year i (joining at point i = 1..cycles-1) still in with probability q^(j-i), each in
 * or out independently; fails when `got` (arm a's) is more than 4 standard
 * deviations off. Returns got, with the mean and variance. */
static double check_households(double got, double H, double E, double q, int j, int cycles,
                               size_t a, double *mean, double *var)
{
    *mean = H * pow(q, j);
    *var = H * pow(q, j) * (1 - pow(q, j));
    for (int i = 1; i <= j && i < cycles; i++) {
        double s = pow(q, j - i);
        *mean += E * s;
        *var += E * s * (1 - s);
    }
    if (fabs(got - *mean) > 4 * sqrt(*var) + 1e-9)
        fail_msg("arm %zu, point %d: %g households, closed form %g (sd %g)", a, j, got, *mean,
                 sqrt(*var));
    return got;
}

/* With inflow, households in the model at time point j, per starting
 * household, against the closed form: H q^j starting households still in
 * (q = 1 - p_leave) plus E entrants a year, those of year i (joining at
 * point i = 1..T-1) still in with probability q^(j-i); within 4 Monte Carlo
 * standard errors (each household in or out independently). */
static void test_inflow_closed_form(void **state)
{
    (void)state;
    case_files c;
    write_case(&c, "inflow", "none", "start", "0.2", "0.3",
               "population = { households = 1000; inflow = 150; };\n");
    const double H = 4000, E = 600; /* 4000 x 150 / 1000 */
    run_ok(&c, (long)H);
    double *hh = read_all(&c, "/draws/budget/households", A * (T + 1));
    double *hy = read_all(&c, "/analysis/budget/households", A * T * 3);
    double *constant = read_all(&c, "/analysis/budget/constant", A * P * T * 3);
    double *nominal = read_all(&c, "/analysis/budget/nominal", A * P * T * 3);
    const double leave[A] = {0.2, 0.3};
    for (size_t a = 0; a < A; a++) {
        double q = 1 - leave[a];
        for (int j = 0; j <= T; j++) {
            double mean, var;
            double got = check_households(hh[a * (T + 1) + (size_t)j] * H, H, E, q, j, T, a,
                                          &mean, &var);
            if (j < T) {
                double whole = hy[(a * T + (size_t)j) * 3];
                assert_true(fabs(whole - 1000 * got / H) <= 1e-9 * whole);
                /* The money: year j+1 costs the Wmo 1000 and the insurer
                 * 250 a year for each of the 1000 / H households a
                 * simulated one stands for, at the default 2% a year from
                 * the price year, which is year 1's (first_year unset). */
                const double per_year[P] = {1000.0, 250.0};
                for (size_t p = 0; p < P; p++) {
                    double want = per_year[p] * 1000 / H * mean;
                    double sd = per_year[p] * 1000 / H * sqrt(var);
                    double cst = constant[((a * P + p) * T + (size_t)j) * 3];
                    double nom = nominal[((a * P + p) * T + (size_t)j) * 3];
                    if (fabs(cst - want) > 4 * sd + 1e-9)
                        fail_msg("arm %zu, payer %zu, year %d: %g, closed form %g (sd %g)", a, p,
                                 j + 1, cst, want, sd);
                    assert_true(fabs(nom - cst * pow(1.02, j)) <= 1e-9 * nom);
                }
            }
        }
        /* Entrants do make the population open: more than the cohort alone. */
        assert_true(hh[a * (T + 1) + T - 1] * H > H * pow(q, T - 1) + E);
    }
    free(hh);
    free(hy);
    free(constant);
    free(nominal);
    remove_case(&c);
}

/* The price path as documented, by hand: 2385 households each costing the
 * municipality 1000 a year, nobody leaving. */
static void test_price_index(void **state)
{
    (void)state;
    case_files c;
    write_case(&c, "index", "none", "start", "0.0", "0.0",
               "population = { households = 2385;\n"
               "  price_index = [1.0, 1.031, 1.0629, 1.0957, 1.13, 1.165, 1.2]; };\n");
    run_ok(&c, 500);
    double *nominal = read_all(&c, "/analysis/budget/nominal", A * P * T * 3);
    /* gemeente-wmo (payer 0), classic: 2,385,000 x the year's index. */
    const double want[T] = {2385000.0, 2458935.0, 2535016.5, 2613244.5, 2695050.0,
                            2778525.0};
    for (size_t y = 0; y < T; y++)
        assert_true(fabs(nominal[y * 3] - want[y]) <= 1e-6);
    free(nominal);
    remove_case(&c);
    /* The default, 2% a year from the price year 2024, when year 1 is 2025:
     * 1.02 in year 1, 1.02^3 = 1.061208 in year 3. */
    write_case(&c, "growth", "none", "start", "0.0", "0.0",
               "population = { households = 2385; first_year = 2025; };\n");
    run_ok(&c, 500);
    nominal = read_all(&c, "/analysis/budget/nominal", A * P * T * 3);
    assert_true(fabs(nominal[0] - 2432700.0) <= 1e-6);
    assert_true(fabs(nominal[2 * 3] - 2530981.08) <= 1e-6);
    free(nominal);
    remove_case(&c);
}

/* A constant cost and a constant population give the same budget every
 * year, also where the MKBA view's half-cycle correction weighs the first
 * and last cycle otherwise (1.5 and 0.5 of a year here). */
static void test_constant_budget(void **state)
{
    (void)state;
    case_files c;
    write_case(&c, "constant", "half-cycle", "both", "0.0", "0.0",
               "population = { households = 2385; price_growth = 0.0; };\n");
    run_ok(&c, 500);
    double *constant = read_all(&c, "/analysis/budget/constant", A * P * T * 3);
    double *nominal = read_all(&c, "/analysis/budget/nominal", A * P * T * 3);
    double *cost = read_all(&c, "/draws/cost", A * T * P);
    for (size_t a = 0; a < A; a++)
        for (size_t p = 0; p < P; p++)
            for (size_t y = 0; y < T; y++) {
                size_t at = ((a * P + p) * T + y) * 3;
                assert_true(constant[at] == constant[(a * P + p) * T * 3]);
                assert_true(nominal[at] == constant[at]);
            }
    assert_true(fabs(constant[0] - 2385000.0) <= 1e-6);
    assert_true(fabs(cost[0] - 1500.0) <= 1e-9 && fabs(cost[(T - 1) * P] - 500.0) <= 1e-9);
    free(constant);
    free(nominal);
    free(cost);
    remove_case(&c);
}

/* A bad population block: the load fails naming the file, the line and the
 * setting, with the expectation. */
static void expect_refused(const char *block, int line, ...)
{
    case_files c;
    write_case(&c, "bad", "none", "start", "0.2", "0.3", block);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    int rc = mkba_scenario_load(NULL, c.cfg, &m, &err);
    assert_int_equal(rc, MKBA_EINVAL);
    assert_null(m);
    char where[200];
    snprintf(where, sizeof where, "%s:%d: ", c.cfg, line);
    if (strstr(err.message, where) == NULL)
        fail_msg("expected \"%s\" in: %s", where, err.message);
    va_list ap;
    va_start(ap, line);
    for (const char *p = va_arg(ap, const char *); p != NULL; p = va_arg(ap, const char *))
        if (strstr(err.message, p) == NULL)
            fail_msg("expected \"%s\" in: %s", p, err.message);
    va_end(ap);
    remove_case(&c);
}

static void test_bad_population(void **state)
{
    (void)state;
    expect_refused("population = {\n  households = -5; };\n", BLOCK_LINE + 1,
                   "population.households", "-5 is out of range", NULL);
    expect_refused("population = { households = 100;\n  inflow = -1.5; };\n", BLOCK_LINE + 1,
                   "population.inflow", "-1.5 is out of range", NULL);
    expect_refused("population = { households = 100;\n  price_index = [1.0, 1.02]; };\n",
                   BLOCK_LINE + 1, "population.price_index", "has 2 years; the horizon has 6",
                   NULL);
    expect_refused("population = { households = 100; budget_lines = (\n"
                   "  { payer = \"gemeente-wmo\"; fund = \"gemeentefonds\"; },\n"
                   "  { payer = \"gemeente-jeugd\"; fund = \"gemeentefonds\"; } ); };\n",
                   BLOCK_LINE + 2, "population.budget_lines.[1].payer",
                   "unknown payer 'gemeente-jeugd'", NULL);
    expect_refused("population = { inhabitants = 90000; };\n", BLOCK_LINE,
                   "population.prevalence", "required with inhabitants", NULL);
    expect_refused("population = { households = 100;\n  entrants = { life = [0.5, 0.5]; }; };\n",
                   BLOCK_LINE + 1, "population.entrants.life", "'out' is an exit state", NULL);
    /* Bounds: no inf budget, no overflowing entrant count. */
    expect_refused("population = {\n  households = 1e308; };\n", BLOCK_LINE + 1,
                   "population.households", "expected the households in the target group, 1 "
                   "to 1e+08", NULL);
    expect_refused("population = { households = 1000;\n  inflow = 1e300; };\n", BLOCK_LINE + 1,
                   "population.inflow", "expected the households entering the target group "
                   "per year, 0 to 10000", NULL);
    expect_refused("population = { inhabitants = 90000;\n  prevalence = 1e-12; };\n",
                   BLOCK_LINE + 1, "population.prevalence", "households; expected 1 to 1e+08",
                   NULL);
    expect_refused("population = { households = 100;\n"
                   "  price_index = [1.0, 1e308, 1.0, 1.0, 1.0, 1.0]; };\n", BLOCK_LINE + 1, "population.price_index.[1]", "expected a price "
                   "level in (0, 100]", NULL);
    expect_refused("population = { households = 100; budget_lines = (\n"
                   "  { payer = \"gemeente-wmo\"; taakveld = \"6.71 | Wmo\\nline2\"; } ); };\n",
                   BLOCK_LINE + 1, "population.budget_lines.[0].taakveld",
                   "control character 0x0a; expected a one-line label", NULL);
    /* The wage path: as the price path, named as itself. */
    expect_refused("population = { households = 100;\n  wage_index = [1.0, 1.03]; };\n",
                   BLOCK_LINE + 1, "population.wage_index", "has 2 years; the horizon has 6: "
                   "expected one wage level per year", NULL);
    expect_refused("population = { households = 100;\n  wage_growth = 1.5; };\n",
                   BLOCK_LINE + 1, "population.wage_growth", "1.5 is out of range", NULL);
    expect_refused("population = { households = 100; wage_index = [1, 1, 1, 1, 1, 1];\n"
                   "  wage_growth = 0.03; };\n", BLOCK_LINE + 1, "population.wage_growth",
                   "give wage_index or wage_growth, not both", NULL);
    expect_refused("population = { households = 100;\n"
                   "  wage_index = [1.0, 1.0, -1.0, 1.0, 1.0, 1.0]; };\n", BLOCK_LINE + 1,
                   "population.wage_index.[2]", "expected a wage level in (0, 100]", NULL);
}

/* Inhabitants times prevalence is the population. */
static void test_inhabitants(void **state)
{
    (void)state;
    case_files c;
    write_case(&c, "inhabitants", "none", "start", "0.0", "0.0",
               "population = { inhabitants = 90000; prevalence = 0.0265; };\n");
    run_ok(&c, 200);
    double *pop = read_all(&c, "/labels/budget_population", 2);
    assert_true(fabs(pop[0] - 2385.0) <= 1e-9);
    free(pop);
    remove_case(&c);
}

/* The cohort trace has no entrants (both microsimulations have): it
 * refuses inflow with a message naming the file, line and setting. */
static void test_inflow_refused_by_cohort(void **state)
{
    (void)state;
    case_files c;
    write_case(&c, "cohort", "none", "start", "0.2", "0.3",
               "population = { households = 100; inflow = 10; };\n");
    char msg[1024];
    assert_int_equal(run_case(&c, 100, MKBA_MODE_COHORT, msg, sizeof msg), MKBA_EINVAL);
    char where[200];
    snprintf(where, sizeof where, "%s:%d: population.inflow", c.cfg, BLOCK_LINE);
    if (strstr(msg, where) == NULL)
        fail_msg("expected \"%s\" in: %s", where, msg);
    assert_int_equal(access(c.h5, F_OK), -1);
    remove_case(&c);
}

/* tests/data/services.cfg with the budget's timing (each cycle at its
 * start, no correction), `life` (the exit domain's transition, may be
 * NULL: the file's) and the population block `block` (may be "") added. */
static void write_services_case(case_files *c, const char *tag, const char *life,
                                const char *block)
{
    char *text = support_read_file("tests/data/services.cfg");
    assert_non_null(text);
    const char *timing = "timing = { cycle = \"year\"; horizon = 8; };";
    const char *death = "rates = { dead = 0.01; }";
    char *at = strstr(text, timing), *dies = strstr(text, death);
    assert_non_null(at);
    assert_non_null(dies);
    assert_true(dies > at);
    snprintf(c->cfg, sizeof c->cfg, "/tmp/mkba-budget-svc-%s-%ld.cfg", tag, (long)getpid());
    snprintf(c->h5, sizeof c->h5, "/tmp/mkba-budget-svc-%s-%ld.h5", tag, (long)getpid());
    FILE *f = fopen(c->cfg, "w");
    assert_non_null(f);
    const char *after = at + strlen(timing);
    fprintf(f, "%.*stiming = { cycle = \"year\"; horizon = 8; occupancy = \"start\"; "
            "correction = \"none\"; };%.*s%s%s\n%s", (int)(at - text), text,
            (int)(dies - after), after, life != NULL ? life : death, dies + strlen(death),
            block);
    assert_int_equal(fclose(f), 0);
    free(text);
}

/* The services engine. With a closed population, the budget per household
 * is the MKBA view's cost, the teams' staff, intake and overheads included
 * (to the rounding of one sum), and the population block changes no
 * dataset of the MKBA view. With entrants (the open run beside the closed
 * one), the MKBA view is still bit for bit the closed cohort's; the budget
 * of year 1, before the first entrants join, too; later years cost more. */
static void test_services_budget(void **state)
{
    (void)state;
    case_files plain, closed, open;
    write_services_case(&plain, "plain", NULL, "");
    write_services_case(&closed, "closed", NULL,
                        "population = { households = 5000; inflow = 0; };\n");
    write_services_case(&open, "open", NULL,
                        "population = { households = 5000; inflow = 100; };\n");
    run_ok_with(&plain, 2, 800, 1);
    run_ok_with(&closed, 2, 800, 1);
    run_ok_with(&open, 2, 800, 1);
    assert_true(compare_files(plain.h5, closed.h5, 0, "no population block against inflow 0")
                >= 20);
    assert_true(compare_files(closed.h5, open.h5, 0, "inflow 100 against inflow 0") >= 20);
    size_t n = 0, nb = 0, no = 0;
    double *cost = support_read_doubles(closed.h5, "/draws/cost", &n);
    double *budget = support_read_doubles(closed.h5, "/draws/budget/cost", &nb);
    double *open_budget = support_read_doubles(open.h5, "/draws/budget/cost", &no);
    assert_non_null(cost);
    assert_non_null(budget);
    assert_non_null(open_budget);
    assert_int_equal(n, nb);
    assert_int_equal(n, no);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(fabs(budget[i] - cost[i]) <= 1e-12 * fabs(cost[i]) + 1e-9);
        total += cost[i];
    }
    assert_true(total > 0);
    /* [draw][arm][cycle][payer]: 2 draws, 2 arms, 8 cycles, 3 payers. */
    const size_t C = 8, Q = 3;
    assert_int_equal(n, 2 * 2 * C * Q);
    for (size_t da = 0; da < 4; da++) {
        double later_open = 0, later_closed = 0;
        for (size_t p = 0; p < Q; p++) {
            assert_true(open_budget[da * C * Q + p] == budget[da * C * Q + p]);
            later_open += open_budget[da * C * Q + (C - 1) * Q + p];
            later_closed += budget[da * C * Q + (C - 1) * Q + p];
        }
        assert_true(later_open > later_closed);
    }
    free(cost);
    free(budget);
    free(open_budget);
    remove_case(&plain);
    remove_case(&closed);
    remove_case(&open);
}

/* The services engine's open population against the closed form of
 * test_inflow_closed_form: nobody's care touches `life` (no team treats
 * it, no interaction reaches it), where a household leaves with
 * probability 0.2 a year; H = 1000 simulated households for 5000 with an
 * inflow of 1000 give E = 200 entrants a year, a whole number, so the
 * count has only the leaving's binomial variance. */
static void test_services_inflow_closed_form(void **state)
{
    (void)state;
    case_files c;
    write_services_case(&c, "form", "probabilities = { dead = 0.2; }",
                        "population = { households = 5000; inflow = 1000; };\n");
    const double H = 1000, E = 200, q = 0.8;
    const int C = 8;
    run_ok_with(&c, 0, (long)H, 1);
    double *hh = read_all(&c, "/draws/budget/households", 2 * (C + 1));
    for (size_t a = 0; a < 2; a++)
        for (int j = 0; j <= C; j++) {
            double mean, var;
            check_households(hh[a * (C + 1) + (size_t)j] * H, H, E, q, j, C, a, &mean, &var);
        }
    free(hh);
    remove_case(&c);
}

/* The services engine's entrants on 1, 2 and 3 threads (2: a thread per
 * arm; 3: the threads share each cycle's households), with a year's
 * entrants rounded at random (999 x 123.4 / 5000 = 24.66 expected): every
 * dataset bit for bit the same. */
static void test_services_entrants_threads(void **state)
{
    (void)state;
    case_files c[3];
    const char *block = "population = { households = 5000; inflow = 123.4; };\n";
    const char *tag[3] = {"thr1", "thr2", "thr3"};
    for (int i = 0; i < 3; i++) {
        write_services_case(&c[i], tag[i], NULL, block);
        run_ok_with(&c[i], 2, 999, i + 1);
    }
    for (int i = 1; i < 3; i++) {
        assert_true(compare_files(c[0].h5, c[i].h5, 1, "entrants on 1 thread and more") >= 6);
        assert_true(compare_files(c[0].h5, c[i].h5, 0, "entrants on 1 thread and more") >= 20);
    }
    for (int i = 0; i < 3; i++)
        remove_case(&c[i]);
}

/* Replaces every `from` in file `path` by `to` (same length or not). */
static void replace_in_file(const char *path, const char *from, const char *to)
{
    char *text = support_read_file(path);
    assert_non_null(text);
    size_t n = 0, lf = strlen(from), lt = strlen(to);
    for (const char *q = strstr(text, from); q != NULL; q = strstr(q + lf, from))
        n++;
    assert_true(n > 0);
    char *out = malloc(strlen(text) + n * lt + 1), *o = out;
    assert_non_null(out);
    const char *q = text;
    for (const char *hit = strstr(q, from); hit != NULL; hit = strstr(q, from)) {
        memcpy(o, q, (size_t)(hit - q));
        o += hit - q;
        memcpy(o, to, lt);
        o += lt;
        q = hit + lf;
    }
    strcpy(o, q);
    assert_int_equal(support_write_file(path, out), 0);
    free(out);
    free(text);
}

/* The wage index by hand: tests/data/services.cfg without intake and
 * hand-over costs, so the teams' wages are their staff alone, fte x
 * cost_per_fte a year for the 10,000 households the staff numbers and the
 * population block both refer to: classic, Wmo 15 x 75,000 = 1,125,000,
 * Jeugdwet 15 x 85,000 = 1,275,000, insurer 15 x 90,000 = 1,350,000; the
 * broad arm's Wmo adds the wijkteam's 25 x 80,000. Year y (0-based, year 1
 * the price year) at 2% for prices and 5% for wages against the same run
 * with 2% for both: nominal differs by W (1.05^y - 1.02^y), where with
 * equal paths it is constant x 1.02^y; /draws/budget/cost_wages holds W. */
static void test_wage_index(void **state)
{
    (void)state;
    case_files c[2];
    const char *growth[2] = {"0.05", "0.02"};
    for (int i = 0; i < 2; i++) {
        char block[200];
        snprintf(block, sizeof block, "population = { households = 10000; price_growth = 0.02; "
                 "wage_growth = %s; };\n", growth[i]);
        write_services_case(&c[i], i == 0 ? "wage5" : "wage2", NULL, block);
        replace_in_file(c[i].cfg, "intake_cost = 200.0", "intake_cost = 0.0");
        replace_in_file(c[i].cfg, "intake_cost = 150.0", "intake_cost = 0.0");
        replace_in_file(c[i].cfg, "handover_cost = 250.0", "handover_cost = 0.0");
        run_ok_with(&c[i], 0, 1000, 1);
    }
    const size_t C = 8, Q = 3;
    double *nom5 = read_all(&c[0], "/analysis/budget/nominal", 2 * Q * C * 3);
    double *nom2 = read_all(&c[1], "/analysis/budget/nominal", 2 * Q * C * 3);
    double *cst = read_all(&c[1], "/analysis/budget/constant", 2 * Q * C * 3);
    double *wages = read_all(&c[0], "/draws/budget/cost_wages", 2 * C * Q);
    /* [arm][payer]: gemeente-wmo, gemeente-jeugdwet, zorgverzekeraar. */
    const double W[2][3] = {{1125000, 1275000, 1350000}, {3125000, 1275000, 1350000}};
    for (size_t a = 0; a < 2; a++)
        for (size_t p = 0; p < Q; p++)
            for (size_t y = 0; y < C; y++) {
                size_t at = ((a * Q + p) * C + y) * 3;
                double w = W[a][p], py = pow(1.02, (double)y), wy = pow(1.05, (double)y);
                assert_true(fabs(wages[(a * C + y) * Q + p] * 10000 - w) <= 1e-9 * w);
                assert_true(fabs(nom2[at] - cst[at] * py) <= 1e-12 * nom2[at]);
                double want = w * (wy - py), got = nom5[at] - nom2[at];
                if (fabs(got - want) > 1e-9 * nom5[at])
                    fail_msg("arm %zu, payer %zu, year %zu: nominal %g at 5%% wages, %g at 2%%: "
                             "%g apart; by hand %g", a, p, y + 1, nom5[at], nom2[at], got, want);
            }
    free(nom5);
    free(nom2);
    free(cst);
    free(wages);
    remove_case(&c[0]);
    remove_case(&c[1]);
}

/* Without wage_index or wage_growth the wage path is the scenario's own
 * price path x 1.01 a year (real wage growth): at price_growth 0.04 from
 * 2024 with year 1 in 2025, 1.04^y x 1.01^y in year y; with a price_index
 * list, the list x 1.01^y; a wage_growth of its own ignores the prices. */
static void test_default_wage_path(void **state)
{
    (void)state;
    const char *blocks[3] = {
        "population = { households = 100; first_year = 2025; price_growth = 0.04; };\n",
        "population = { households = 100; first_year = 2025;\n"
        "  price_index = [1.1, 1.2, 1.3, 1.4, 1.5, 1.6]; };\n",
        "population = { households = 100; first_year = 2025; price_growth = 0.04; "
        "wage_growth = 0.025; };\n"};
    const double list[T] = {1.1, 1.2, 1.3, 1.4, 1.5, 1.6};
    for (int i = 0; i < 3; i++) {
        case_files c;
        write_case(&c, "wagepath", "none", "start", "0.2", "0.3", blocks[i]);
        run_ok(&c, 100);
        double *wage = read_all(&c, "/labels/wage_index", T);
        for (size_t y = 0; y < T; y++) {
            double n = (double)y + 1.0;
            double want = i == 0 ? pow(1.04, n) * pow(1.01, n)
                        : i == 1 ? list[y] * pow(1.01, n) : pow(1.025, n);
            if (fabs(wage[y] - want) > 1e-12 * want)
                fail_msg("case %d, year %zu: wage level %.15g, by hand %.15g", i, y + 1,
                         wage[y], want);
        }
        free(wage);
        remove_case(&c);
    }
}

/* A cost rule with index = "wage" follows the wage path in the nominal
 * budget, the others the price path. 2,385 households that never leave:
 * the Wmo's 1000 a year at 5% wage growth from the price year 2024 is
 * 2,385,000 x 1.05^(2025 + y - 1 - 2024) in year y, by hand; the
 * insurer's 250 stays at the price index (596,250 x 1.02^y); the
 * constant budget is the same as without the index; cost_wages holds the
 * Wmo's whole cost and none of the insurer's. A bad index names the
 * setting. */
static void test_cost_rule_wage_index(void **state)
{
    (void)state;
    case_files c;
    write_case(&c, "ruleindex", "none", "start", "0.0", "0.0",
               "population = { households = 2385; first_year = 2025; wage_growth = 0.05; };\n");
    replace_in_file(c.cfg, "per_year = 1000.0;", "per_year = 1000.0; index = \"wage\";");
    run_ok(&c, 500);
    double *nominal = read_all(&c, "/analysis/budget/nominal", A * P * T * 3);
    double *constant = read_all(&c, "/analysis/budget/constant", A * P * T * 3);
    double *wages = read_all(&c, "/draws/budget/cost_wages", A * T * P);
    for (size_t a = 0; a < A; a++)
        for (size_t y = 0; y < T; y++) {
            double yr = (double)y + 1.0;
            size_t wmo = ((a * P + 0) * T + y) * 3, ins = ((a * P + 1) * T + y) * 3;
            double want_wmo = 2385000.0 * pow(1.05, yr), want_ins = 596250.0 * pow(1.02, yr);
            if (fabs(nominal[wmo] - want_wmo) > 1e-9 * want_wmo
                || fabs(nominal[ins] - want_ins) > 1e-9 * want_ins)
                fail_msg("arm %zu, year %zu: nominal Wmo %.6f (by hand %.6f), insurer %.6f "
                         "(by hand %.6f)", a, y + 1, nominal[wmo], want_wmo, nominal[ins],
                         want_ins);
            assert_true(fabs(constant[wmo] - 2385000.0) <= 1e-6);
            assert_true(fabs(wages[(a * T + y) * P + 0] - 1000.0) <= 1e-9);
            assert_true(wages[(a * T + y) * P + 1] == 0.0);
        }
    free(nominal);
    free(constant);
    free(wages);
    remove_case(&c);
    /* A transfer (bijstand is one) takes its index on both sides: the
     * recipient's nominal line is its own 250 at the price path less the
     * 1000 it receives at the wage path. */
    write_case(&c, "transferindex", "none", "start", "0.0", "0.0",
               "population = { households = 2385; first_year = 2025; wage_growth = 0.05; };\n");
    replace_in_file(c.cfg, "per_year = 1000.0;",
                    "per_year = 1000.0; transfer_to = \"zorgverzekeraar\"; index = \"wage\";");
    run_ok(&c, 500);
    nominal = read_all(&c, "/analysis/budget/nominal", A * P * T * 3);
    for (size_t a = 0; a < A; a++)
        for (size_t y = 0; y < T; y++) {
            double yr = (double)y + 1.0;
            size_t wmo = ((a * P + 0) * T + y) * 3, ins = ((a * P + 1) * T + y) * 3;
            double want_wmo = 2385000.0 * pow(1.05, yr);
            double want_ins = 596250.0 * pow(1.02, yr) - want_wmo;
            if (fabs(nominal[wmo] - want_wmo) > 1e-9 * want_wmo
                || fabs(nominal[ins] - want_ins) > 1e-9 * fabs(want_ins))
                fail_msg("arm %zu, year %zu: transfer nominal Wmo %.6f (by hand %.6f), "
                         "recipient %.6f (by hand %.6f)", a, y + 1, nominal[wmo], want_wmo,
                         nominal[ins], want_ins);
        }
    free(nominal);
    remove_case(&c);
    write_case(&c, "badindex", "none", "start", "0.0", "0.0", "");
    replace_in_file(c.cfg, "per_year = 250.0;", "per_year = 250.0; index = \"wages\";");
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    assert_int_equal(mkba_scenario_load(NULL, c.cfg, &m, &err), MKBA_EINVAL);
    assert_null(m);
    if (strstr(err.message, "index") == NULL || strstr(err.message, "'wages'") == NULL
        || strstr(err.message, ":13: costs.[1].index") == NULL)
        fail_msg("expected line 13, the setting and the value in: %s", err.message);
    remove_case(&c);
}

/* The progress a run reports: how many values below the total, whether
 * they never went back, and the last. */
typedef struct progress_seen {
    int below, backwards;
    double last, total;
} progress_seen;

static void see_progress(void *user, double done, double total)
{
    progress_seen *p = user;
    p->backwards += done < p->last;
    p->below += done < total * (1 - 1e-12);
    p->last = done;
    p->total = total;
}

/* With inflow a services draw runs twice (closed and open); the progress
 * bar counts both: twice the reports below the total of a closed draw
 * (one report per arm and cycle, the last of a closed draw at the total),
 * never backwards, ending at the total. */
static void test_services_progress_counts_open_run(void **state)
{
    (void)state;
    progress_seen seen[2];
    const char *blocks[2] = {"population = { households = 5000; };\n",
                             "population = { households = 5000; inflow = 500; };\n"};
    for (int i = 0; i < 2; i++) {
        case_files c;
        write_services_case(&c, i == 0 ? "progress0" : "progress1", NULL, blocks[i]);
        seen[i] = (progress_seen){0, 0, 0.0, 0.0};
        char msg[1024];
        if (run_case_told(&c, 0, 400, 1, MKBA_MODE_MICRO, see_progress, &seen[i], msg,
                          sizeof msg) != MKBA_OK)
            fail_msg("%s", msg);
        remove_case(&c);
        assert_int_equal(seen[i].backwards, 0);
        assert_true(seen[i].total > 0 && seen[i].last == seen[i].total);
    }
    assert_true(seen[0].below > 0);
    assert_int_equal(seen[1].below, 2 * seen[0].below + 1);
}

/* Entrants in the services engine take population.entrants' shares and
 * are the teams' clients. tests/data/services.cfg, 1000 simulated
 * households for 5000 with 1000 entering a year: exactly 200 entrants a
 * year. No staff or hand-over cost, intakes at 1, and a debt service with
 * room for everybody, so /draws/budget/cost_wages x H counts its
 * admissions (the classic arm: only it charges gemeente-wmo an intake) and
 * the rest of the Wmo's cost is the 3000 a year of debt restructuring.
 * - Shares: every entrant in restructuring against none: at the start of
 *   year 2 the starting households are the same in both runs (no entrant
 *   has joined before), so the Wmo's state cost of year 2 differs by
 *   exactly 200 x 3000 per 1000 starting households.
 * - Care: entrants with severe debts against entrants without: the debt
 *   service admits more households in years 2-8. */
static void test_services_entrant_shares_and_care(void **state)
{
    (void)state;
    const char *shares[3] = {"[0.0, 0.0, 0.0, 1.0]", "[1.0, 0.0, 0.0, 0.0]",
                             "[0.0, 0.0, 1.0, 0.0]"};
    const double H = 1000;
    const size_t C = 8, Q = 3, WMO = 0;
    double state_cost[3], admitted[3];
    for (int i = 0; i < 3; i++) {
        case_files c;
        char block[200], tag[24];
        snprintf(block, sizeof block, "population = { households = 5000; inflow = 1000; "
                 "entrants = { debt = %s; }; };\n", shares[i]);
        snprintf(tag, sizeof tag, "eshare%d", i);
        write_services_case(&c, tag, NULL, block);
        const char *staff[] = {"cost_per_fte = 75000.0", "cost_per_fte = 90000.0",
                               "cost_per_fte = 85000.0", "cost_per_fte = 80000.0"};
        for (size_t j = 0; j < 4; j++)
            replace_in_file(c.cfg, staff[j], "cost_per_fte = 0.0");
        replace_in_file(c.cfg, "intake_cost = 200.0", "intake_cost = 1.0");
        replace_in_file(c.cfg, "intake_cost = 150.0", "intake_cost = 1.0");
        replace_in_file(c.cfg, "handover_cost = 250.0", "handover_cost = 0.0");
        replace_in_file(c.cfg, "domains = [\"debt\"]; fte = 15.0;",
                        "domains = [\"debt\"]; fte = 1500.0;");
        run_ok_with(&c, 0, (long)H, 1);
        double *cost = read_all(&c, "/draws/budget/cost", 2 * C * Q);
        double *wages = read_all(&c, "/draws/budget/cost_wages", 2 * C * Q);
        state_cost[i] = (cost[1 * Q + WMO] - wages[1 * Q + WMO]) * H;   /* classic, year 2 */
        admitted[i] = 0;
        for (size_t k = 1; k < C; k++)
            admitted[i] += wages[k * Q + WMO] * H;
        free(cost);
        free(wages);
        remove_case(&c);
    }
    double diff = state_cost[0] - state_cost[1];
    if (fabs(diff - 200 * 3000.0) > 1e-6)
        fail_msg("year 2, restructuring: %g with every entrant in it, %g with none: %g apart; "
                 "expected 200 x 3000", state_cost[0], state_cost[1], diff);
    if (!(admitted[2] > admitted[1] + 100))
        fail_msg("debt service admissions in years 2-8: %g with entrants in severe debt, %g "
                 "with entrants without debts", admitted[2], admitted[1]);
}

/* Entrants are the teams' clients: with intakes at 1 and no other team
 * cost, /draws/budget/cost_wages x H counts the households admitted in a
 * cycle. The classic arm's teams have 90, 105 and 75 places for H = 2000
 * simulated households (FTE x caseload x 2000 / 10,000, whole numbers) and
 * episodes of a year; 2000 entrants a year (inflow 5000 for 5000) ask far
 * more than that. Admissions stay within the 270 places in every cycle of
 * the open run (entrants with places of their own would take up to twice
 * as many), while the population grows past 10,000 households. */
static void test_services_entrants_share_capacity(void **state)
{
    (void)state;
    case_files c;
    write_services_case(&c, "capacity", NULL,
                        "population = { households = 5000; inflow = 5000; };\n");
    const char *costs[] = {"cost_per_fte = 75000.0", "cost_per_fte = 90000.0",
                           "cost_per_fte = 85000.0", "cost_per_fte = 80000.0"};
    for (size_t i = 0; i < 4; i++)
        replace_in_file(c.cfg, costs[i], "cost_per_fte = 0.0");
    replace_in_file(c.cfg, "intake_cost = 200.0", "intake_cost = 1.0");
    replace_in_file(c.cfg, "intake_cost = 150.0", "intake_cost = 1.0");
    replace_in_file(c.cfg, "handover_cost = 250.0", "handover_cost = 0.0");
    const double H = 2000;
    const size_t C = 8, Q = 3;
    run_ok_with(&c, 0, (long)H, 1);
    double *wages = read_all(&c, "/draws/budget/cost_wages", 2 * C * Q);
    double *hh = read_all(&c, "/draws/budget/households", 2 * (C + 1));
    double most = 0;
    for (size_t k = 0; k < C; k++) {
        double admitted = 0;
        for (size_t p = 0; p < Q; p++)
            admitted += wages[k * Q + p] * H; /* arm 0, classic */
        if (admitted > 270 + 1e-6)
            fail_msg("cycle %zu: %g households admitted; the teams have 270 places", k + 1,
                     admitted);
        most = admitted > most ? admitted : most;
    }
    assert_true(most > 0);
    assert_true(hh[C] * H > 5 * H);
    free(wages);
    free(hh);
    remove_case(&c);
}

/* The budget table of `mkba summary` (csv) and the long format carry the
 * numbers of /analysis/budget: the table its means, the long format the
 * per-draw values whose mean they are. */
static void test_summary_formats(void **state)
{
    (void)state;
    const char *bin = getenv("MKBA_BIN");
    if (bin == NULL || bin[0] == '\0')
        fail_msg("MKBA_BIN is unset: this test runs the program; run it from the top folder "
                 "as MKBA_BIN=build/mkba build/tests/test_budget (make check does)");
    char h5[128], cmd[512], line[1024];
    snprintf(h5, sizeof h5, "/tmp/mkba-budget-summary-%ld.h5", (long)getpid());
    snprintf(cmd, sizeof cmd, "%s run tests/data/budget.cfg -o %s --force -q", bin, h5);
    assert_int_equal(system(cmd), 0);
    size_t n = 0;
    double *nominal = support_read_doubles(h5, "/analysis/budget/nominal", &n);
    assert_non_null(nominal);
    assert_int_equal(n, A * P * T * 3);
    /* classic, gemeente-wmo, 2026 (year 2): the mean. */
    double want = nominal[1 * 3];
    snprintf(cmd, sizeof cmd, "%s summary %s --format csv --table budget", bin, h5);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    int found = 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "classic,gemeente-wmo,gemeentefonds,", 35) == 0
            && strstr(line, ",2026,") != NULL) {
            double v = atof(strstr(line, ",2026,") + 6);
            assert_true(fabs(v - want) <= 1e-6 * want);
            found++;
        }
    assert_int_equal(pclose(f), 0);
    assert_int_equal(found, 1);
    /* No team and no index = "wage" rule: the note names no wage index,
     * which would price nothing. */
    snprintf(cmd, sizeof cmd, "%s summary %s --table budget", bin, h5);
    assert_non_null(f = popen(cmd, "r"));
    int notes = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        notes += strstr(line, "price index") != NULL;
        if (strstr(line, "wage") != NULL)
            fail_msg("a scenario without wage-indexed costs, yet: %s", line);
    }
    assert_int_equal(pclose(f), 0);
    assert_int_equal(notes, 1);
    /* The Dutch report groups thousands with a dot, but a calendar year
     * is a year: 2026, never 2.026. */
    char html[160];
    snprintf(html, sizeof html, "/tmp/mkba-budget-summary-%ld.html", (long)getpid());
    snprintf(cmd, sizeof cmd, "%s report %s --lang nl -o %s > /dev/null", bin, h5, html);
    assert_int_equal(system(cmd), 0);
    char *page = support_read_file(html);
    assert_non_null(page);
    assert_non_null(strstr(page, ">2026</td>"));
    assert_null(strstr(page, ">2.026</td>"));
    free(page);
    remove(html);
    snprintf(cmd, sizeof cmd, "%s summary %s --format tidy", bin, h5);
    assert_non_null(f = popen(cmd, "r"));
    double sum = 0;
    int draws = 0, insurer = 0, wmo_total = 0;
    /* The payer's fund and taakveld on every line of a payer with a budget
     * line, the MKBA view's too (the insurer has no budget line). */
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "draw,arm,year,payer,measure,value,unit,fund,taakveld\n");
    while (fgets(line, sizeof line, f) != NULL) {
        const char *end = line + strlen(line);
        if (strstr(line, ",classic,2,gemeente-wmo,budget_nominal,") != NULL) {
            sum += atof(strstr(line, "budget_nominal,") + 15);
            draws++;
            const char *label = ",gemeentefonds,6.71 Maatwerkdienstverlening 18+\n";
            assert_true(end - line > (long)strlen(label));
            assert_string_equal(end - strlen(label), label);
        } else if (strstr(line, ",classic,2,zorgverzekeraar,budget_nominal,") != NULL) {
            assert_string_equal(end - 3, ",,\n");
            insurer++;
        } else if (strstr(line, ",zorgverzekeraar,cost_total,") != NULL) {
            assert_string_equal(end - 3, ",,\n");
        } else if (strstr(line, ",gemeente-wmo,cost_total,") != NULL) {
            const char *label = ",gemeentefonds,6.71 Maatwerkdienstverlening 18+\n";
            assert_string_equal(end - strlen(label), label);
            wmo_total++;
        } else if (strstr(line, ",budget_households,") != NULL) {
            assert_string_equal(end - 3, ",,\n");
        }
    }
    assert_int_equal(pclose(f), 0);
    assert_int_equal(draws, 4);
    assert_int_equal(insurer, 4);
    assert_int_equal(wmo_total, 4 * A);
    assert_true(fabs(sum / draws - want) <= 1e-6 * want);
    free(nominal);
    remove(h5);
}

/* A label's < and & reach Markdown as text, not as inline HTML. */
static void test_markdown_escapes(void **state)
{
    (void)state;
    const char *bin = getenv("MKBA_BIN");
    if (bin == NULL || bin[0] == '\0')
        fail_msg("MKBA_BIN is unset: run as MKBA_BIN=build/mkba build/tests/test_budget");
    case_files c;
    write_case(&c, "md", "none", "start", "0.2", "0.3",
               "population = { households = 100; budget_lines = ( { payer = \"gemeente-wmo\"; "
               "taakveld = \"6.71 <b>Wmo</b> & co | x\"; } ); };\n");
    run_ok(&c, 200);
    char cmd[512], line[2048];
    snprintf(cmd, sizeof cmd, "%s summary %s --format markdown --table budget", bin, c.h5);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    int found = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        assert_null(strstr(line, "<b>"));
        found += strstr(line, "6.71 &lt;b>Wmo&lt;/b> &amp; co \\| x") != NULL;
    }
    assert_int_equal(pclose(f), 0);
    assert_true(found > 0);
    remove_case(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_population_totals),
        cmocka_unit_test(test_inflow_zero_is_closed),
        cmocka_unit_test(test_inflow_leaves_mkba_view),
        cmocka_unit_test(test_entrants_threads),
        cmocka_unit_test(test_entrant_rounding),
        cmocka_unit_test(test_entrant_shares),
        cmocka_unit_test(test_inflow_closed_form),
        cmocka_unit_test(test_price_index),
        cmocka_unit_test(test_constant_budget),
        cmocka_unit_test(test_bad_population),
        cmocka_unit_test(test_inhabitants),
        cmocka_unit_test(test_inflow_refused_by_cohort),
        cmocka_unit_test(test_services_budget),
        cmocka_unit_test(test_services_inflow_closed_form),
        cmocka_unit_test(test_services_entrants_threads),
        cmocka_unit_test(test_wage_index),
        cmocka_unit_test(test_cost_rule_wage_index),
        cmocka_unit_test(test_default_wage_path),
        cmocka_unit_test(test_services_entrants_share_capacity),
        cmocka_unit_test(test_services_entrant_shares_and_care),
        cmocka_unit_test(test_services_progress_counts_open_run),
        cmocka_unit_test(test_summary_formats),
        cmocka_unit_test(test_markdown_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
