/* Budget figures of mkba expost (issue 11, "spending per payer or budget"):
 * an observed figure of a fund or taakveld of the municipal budget
 * (the metric budget, docs/expost.md), mapped through the budget view's
 * allocation of payers to budget lines (docs/budget.md).
 *
 * The fixture: one domain with a need (30% at the start, nothing moves);
 * the need costs the Wmo c_wmo a year (uncertain) and the Jeugdwet 400,
 * households without it cost the Participatiewet 3000, and the insurer
 * pays 250 for a need but has no budget line. Wmo and Jeugdwet are on the
 * fund gemeentefonds (taakvelden 6.71 and 6.72), the Participatiewet on
 * BUIG (6.3, a taakveld with a comma, so the CSV must quote it). 2,385
 * households and 200 entrants a year (so the budget view,
 * with its entrants, is not the MKBA view times the population), prices
 * 2% a year from the price year 2024 (year 1, 2025, at 1.02).
 *
 * 1. The model's value of a budget figure is the sum over the line's
 *    payers of the budget view's nominal money, rebuilt by hand from the
 *    stored per-payer figures (/draws/budget/cost x population x the
 *    year's price level), and its mean over the draws the sum of
 *    /analysis/budget/nominal's means; its likelihood adds the pooled
 *    Monte Carlo share of the payers' summed batch errors.
 * 2. A confrontation and an update on a fund row, end to end: the data of
 *    one draw narrow c_wmo around that draw's value, also with the
 *    sequential refinement (whose evaluations must store the budget view).
 * 3. Bad input: each an error naming the file, line and column.
 * 4. Names with commas and quotes (RFC 4180): --simulate writes the
 *    fixture's taakveld quoted and reads back the same rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "mkba/expost.h"
#include "expost/expost_impl.h"
#include "support.h"

#define DRAWS 30
#define HOUSEHOLDS 1000
#define YEARS 3
#define PAYERS 4
#define PI 3.14159265358979323846

static char dir[] = "/tmp/mkba-expost-budget-XXXXXX";

/* The file `name` of the test's folder, into buf. */
static const char *in_dir(char buf[256], const char *name)
{
    snprintf(buf, 256, "%s/%s", dir, name);
    return buf;
}

static const char *const fixture_head =
    "mkba_format = 1;\n"
    "name = \"budget-figures\";\n"
    "price_year = 2024;\n"
    "run = { seed = 5; draws = 30; households = 1000; };\n"
    "timing = { cycle = \"year\"; horizon = 3; occupancy = \"start\"; correction = \"none\"; };\n"
    "payers = [\"gemeente-wmo\", \"gemeente-jeugdwet\", \"gemeente-participatiewet\",\n"
    "          \"zorgverzekeraar\"];\n"
    "effects = ( { name = \"qaly\"; unit = \"QALY\"; } );\n"
    "arms = ( { name = \"usual\"; reference = true; },\n"
    "         { name = \"new\"; overrides = { c_wmo = 800.0; }; } );\n"
    "parameters = { c_wmo = { dist = \"uniform\"; min = 500.0; max = 1500.0; }; };\n"
    "domains = ( { name = \"need\"; states = [\"none\", \"need\"];\n"
    "  initial = { prevalence = [0.7, 0.3]; };\n"
    "  transitions = ( { from = \"none\"; probabilities = { need = 0.0; }; },\n"
    "                  { from = \"need\"; probabilities = { none = 0.0; }; } ); } );\n"
    "costs = ( { domain = \"need\"; state = \"need\"; payer = \"gemeente-wmo\"; per_year = \"c_wmo\"; },\n"
    "          { domain = \"need\"; state = \"need\"; payer = \"gemeente-jeugdwet\"; per_year = 400.0; },\n"
    "          { domain = \"need\"; state = \"none\"; payer = \"gemeente-participatiewet\";\n"
    "            per_year = 3000.0; },\n"
    "          { domain = \"need\"; state = \"need\"; payer = \"zorgverzekeraar\"; per_year = 250.0; } );\n"
    "effect_values = ( { effect = \"qaly\"; per_year = 0.8; } );\n";

static const char *const fixture_population =
    "population = {\n"
    "  households = 2385; inflow = 200; first_year = 2025;\n"
    "  budget_lines = (\n"
    "    { payer = \"gemeente-wmo\"; fund = \"gemeentefonds\"; taakveld = \"6.71 Maatwerkdienstverlening 18+\"; },\n"
    "    { payer = \"gemeente-jeugdwet\"; fund = \"gemeentefonds\"; taakveld = \"6.72 Maatwerkdienstverlening 18-\"; },\n"
    "    { payer = \"gemeente-participatiewet\"; fund = \"BUIG\"; taakveld = \"6.3 Inkomensregelingen, bijstand\"; } );\n"
    "};\n";

/* The fixture as a file: with the budget lines (lines 1), with a
 * population block but no budget lines (lines 0). */
static const char *fixture(int lines)
{
    char text[8192];
    snprintf(text, sizeof text, "%s%s", fixture_head,
             lines ? fixture_population
                   : "population = { households = 2385; first_year = 2025; };\n");
    static char file[2][256];
    in_dir(file[lines], lines ? "budget.cfg" : "no-lines.cfg");
    assert_int_equal(support_write_file(file[lines], text), 0);
    return file[lines];
}

typedef struct fixture_state {
    mkba_model *m, *no_lines;
    char psa[256];
} fixture_state;

static int setup(void **state)
{
    if (mkdtemp(dir) == NULL)
        return -1;
    fixture_state *s = calloc(1, sizeof *s);
    mkba_error err;
    mkba_error_clear(&err);
    if (s == NULL || mkba_scenario_load(NULL, fixture(1), &s->m, &err) != MKBA_OK
        || mkba_scenario_load(NULL, fixture(0), &s->no_lines, &err) != MKBA_OK) {
        print_error("%s\n", err.message);
        return -1;
    }
    in_dir(s->psa, "psa.h5");
    mkba_run_options o;
    support_run_options(&o, s->psa, DRAWS, HOUSEHOLDS);
    o.seed_set = 1;
    o.seed = 20261206;
    if (mkba_run(NULL, s->m, &o, &err) != MKBA_OK) {
        print_error("%s\n", err.message);
        return -1;
    }
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    fixture_state *s = *state;
    mkba_model_free(s->m);
    mkba_model_free(s->no_lines);
    free(s);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* An update of m --from the PSA file psa by the figures text, into out. */
static int update_from(const mkba_model *m, const char *psa, const char *text, const char *out,
                       int refine, mkba_error *err)
{
    char csv[256];
    in_dir(csv, "observed.csv");
    assert_int_equal(support_write_file(csv, text), 0);
    mkba_expost_options o;
    mkba_expost_options_init(&o);
    o.observed = csv;
    o.output = out;
    o.from = psa;
    o.force = 1;
    o.refine = refine;
    o.accept_partial = !refine;
    o.min_ess_share = refine ? 0.9 : o.min_ess_share; /* refine whatever the ESS */
    o.moves = 2;
    o.max_stages = 4;
    mkba_error_clear(err);
    return mkba_expost_run(NULL, m, &o, err);
}

/* The fixture with its first `from` replaced by `to`, written to the
 * test's folder as name and loaded. */
static mkba_model *variant(const char *from, const char *to, const char *name)
{
    char text[8192], whole[8192], cfg[256];
    snprintf(whole, sizeof whole, "%s%s", fixture_head, fixture_population);
    const char *at = strstr(whole, from);
    assert_non_null(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - whole), whole, to, at + strlen(from));
    assert_int_equal(support_write_file(in_dir(cfg, name), text), 0);
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_scenario_load(NULL, cfg, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    return m;
}

/* A PSA of m (draws x households, c_wmo fixed at *fixed unless NULL) into
 * psa, then an update by the figures text into out. */
static void psa_and_update(const mkba_model *m, long draws, long households,
                           const double *fixed, const char *psa, const char *text,
                           const char *out)
{
    mkba_run_options o;
    support_run_options(&o, psa, draws, households);
    const char *fix = "c_wmo";
    o.nset = fixed != NULL;
    o.set_name = &fix;
    o.set_value = fixed;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_run(NULL, m, &o, &err) != MKBA_OK
        || update_from(m, psa, text, out, 0, &err) != MKBA_OK)
        fail_msg("%s", err.message);
}

/* The same for the fixture and its PSA. */
static int update(const fixture_state *s, const char *text, const char *out, int refine,
                  mkba_error *err)
{
    return update_from(s->m, s->psa, text, out, refine, err);
}

/* The payers of each figure of test_counterpart: gemeentefonds (Wmo and
 * Jeugdwet), the taakveld 6.3 (Participatiewet), both gemeentefonds and
 * 6.71 (the Wmo alone). */
static const char *const figures =
    "year,arm,metric,value,se,fund,taakveld\n"
    "2,usual,budget,2500000,100000,gemeentefonds,\n"
    "1,usual,budget,5000000,300000,,\"6.3 Inkomensregelingen, bijstand\"\n"
    "3,new,budget,1000000,50000,gemeentefonds,6.71 Maatwerkdienstverlening 18+\n";
static const int figure_year[3] = { 2, 1, 3 }, figure_arm[3] = { 0, 0, 1 };
static const int figure_payers[3][PAYERS] = { { 1, 1, 0, 0 }, { 0, 0, 1, 0 }, { 1, 0, 0, 0 } };

static void test_counterpart(void **state)
{
    const fixture_state *s = *state;
    char out[256];
    in_dir(out, "counterpart.h5");
    mkba_error err;
    if (update(s, figures, out, 0, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    size_t n = 0;
    double *cost = support_read_doubles(out, "/draws/budget/cost", &n);
    assert_int_equal(n, DRAWS * 2 * YEARS * PAYERS);
    double *price = support_read_doubles(out, "/labels/price_index", &n);
    assert_int_equal(n, YEARS);
    double *pop = support_read_doubles(out, "/labels/budget_population", &n);
    assert_int_equal(n, 2);
    assert_true(pop[0] == 2385.0);
    double *mu = support_read_doubles(out, "/expost/model_value", &n);
    assert_int_equal(n, 3 * DRAWS);
    double *nominal = support_read_doubles(out, "/analysis/budget/nominal", &n);
    assert_int_equal(n, 2 * PAYERS * YEARS * 3);
    double *mcse = support_read_doubles(out, "/draws/mcse/cost_year_to_date", &n);
    double *undisc = support_read_doubles(out, "/draws/cost", &n);
    assert_int_equal(n, DRAWS * 2 * YEARS * PAYERS);
    double *noise = support_read_doubles(out, "/expost/likelihood_noise", &n);
    double *ll = support_read_doubles(out, "/expost/loglik", &n);
    assert_int_equal(n, DRAWS * 3);
    double *data = support_read_doubles(out, "/expost/data", &n);
    assert_int_equal(n, 3 * 3);
    const double value[3] = { 2500000, 5000000, 1000000 }, se[3] = { 100000, 300000, 50000 };
    for (int i = 0; i < 3; i++) {
        size_t y = (size_t)figure_year[i] - 1, a = (size_t)figure_arm[i];
        double mean = 0.0, var = 0.0, square = 0.0;
        for (size_t d = 0; d < DRAWS; d++) {
            double want = 0.0, e = 0.0, u = 0.0;
            for (size_t p = 0; p < PAYERS; p++) {
                if (!figure_payers[i][p])
                    continue;
                size_t at = ((d * 2 + a) * YEARS + y) * PAYERS + p;
                /* No teams: no wages, so nominal = population x cost x price level. */
                want += pop[0] * cost[at] * price[y];
                e += mcse[at];
                u += undisc[at];
            }
            double got = mu[(size_t)i * DRAWS + d];
            if (!(fabs(got - want) <= 1e-9 * fabs(want)))
                fail_msg("figure %d, draw %zu: model value %.12g, by hand %.12g", i, d, got,
                         want);
            mean += got / DRAWS;
            var += e * e;
            square += u * u;
        }
        /* The fixture's price path: 2% a year from 2024, so 1.02^(y + 1). */
        assert_true(fabs(price[y] - pow(1.02, (double)y + 1.0)) < 1e-12);
        double analysis = 0.0;
        for (size_t p = 0; p < PAYERS; p++)
            if (figure_payers[i][p])
                analysis += nominal[((a * PAYERS + p) * YEARS + y) * 3];
        if (!(fabs(mean - analysis) <= 1e-9 * analysis))
            fail_msg("figure %d: mean %.12g, /analysis/budget/nominal %.12g", i, mean, analysis);
        /* The likelihood: Normal(value; mu_d, se^2 + kappa mu_d^2), kappa
         * the pooled share of the payers' summed errors, over the
         * households simulated by the year's start: 1 + y inflow /
         * households per starting one. */
        double kappa = var / square / (1.0 + (double)y * pop[1] / pop[0]), avg = 0.0;
        /* No n given: the budget view's households at the year's start,
         * the starting 2,385 and 200 entrants a year (nobody leaves; the
         * simulated entrants round to whole households), whose own noise
         * the likelihood adds: kappa (1 + H / n). */
        double hh = data[i * 3 + 1];
        if (!(fabs(hh - (pop[0] + (double)y * pop[1])) <= 2.0 + 0.02 * (double)y * pop[1]))
            fail_msg("figure %d: n %.0f, want %.0f", i, hh, pop[0] + (double)y * pop[1]);
        kappa *= 1.0 + HOUSEHOLDS / hh;
        assert_true(kappa > 0.0);
        for (size_t d = 0; d < DRAWS; d++) {
            double m = mu[(size_t)i * DRAWS + d], v = se[i] * se[i] + kappa * m * m;
            double z = value[i] - m, want = -0.5 * z * z / v - 0.5 * log(2.0 * PI * v);
            double got = ll[d * 3 + (size_t)i];
            if (!(fabs(got - want) <= 1e-9 * fabs(want)))
                fail_msg("figure %d, draw %zu: loglik %.12g, want %.12g", i, d, got, want);
            avg += kappa * m * m / DRAWS;
        }
        assert_true(fabs(noise[i] - avg) <= 1e-9 * avg);
    }
    free(cost);
    free(price);
    free(pop);
    free(mu);
    free(nominal);
    free(mcse);
    free(undisc);
    free(noise);
    free(ll);
    free(data);
}

/* The Jeugdwet's cost at the wage index (index = "wage"; the wage level
 * is the price level x 1.01 a year by default): a budget figure's value is
 * then pop x ((C - W) x price level + W x wage level) per payer, rebuilt
 * from the stored cost, its wage part and both indices (review fund11,
 * finding 9: the fixture alone has no wage-priced cost). */
static void test_wage_priced(void **state)
{
    (void)state;
    char psa[256], out[256];
    mkba_model *m = variant("payer = \"gemeente-jeugdwet\"; per_year = 400.0;",
                            "payer = \"gemeente-jeugdwet\"; per_year = 400.0; "
                            "index = \"wage\";", "wage.cfg");
    enum { N = 10 };
    psa_and_update(m, N, 300, NULL, in_dir(psa, "wage-psa.h5"), figures,
                   in_dir(out, "wage.h5"));
    size_t n = 0;
    double *cost = support_read_doubles(out, "/draws/budget/cost", &n);
    assert_int_equal(n, N * 2 * YEARS * PAYERS);
    double *wages = support_read_doubles(out, "/draws/budget/cost_wages", &n);
    assert_int_equal(n, N * 2 * YEARS * PAYERS);
    double *price = support_read_doubles(out, "/labels/price_index", &n);
    double *wage = support_read_doubles(out, "/labels/wage_index", &n);
    assert_int_equal(n, YEARS);
    double *pop = support_read_doubles(out, "/labels/budget_population", &n);
    double *mu = support_read_doubles(out, "/expost/model_value", &n);
    assert_int_equal(n, 3 * N);
    double wage_part = 0.0;
    for (int i = 0; i < 3; i++) {
        size_t y = (size_t)figure_year[i] - 1, a = (size_t)figure_arm[i];
        assert_true(fabs(wage[y] / price[y] - pow(1.01, (double)y + 1.0)) < 1e-12);
        for (size_t d = 0; d < N; d++) {
            double want = 0.0;
            for (size_t p = 0; p < PAYERS; p++) {
                size_t k = ((d * 2 + a) * YEARS + y) * PAYERS + p;
                if (figure_payers[i][p])
                    want += pop[0] * ((cost[k] - wages[k]) * price[y] + wages[k] * wage[y]);
                wage_part += wages[k];
            }
            double got = mu[(size_t)i * N + d];
            if (!(fabs(got - want) <= 1e-9 * fabs(want)))
                fail_msg("figure %d, draw %zu: model value %.12g, by hand %.12g", i, d, got,
                         want);
        }
    }
    assert_true(wage_part > 0.0);
    free(cost);
    free(wages);
    free(price);
    free(wage);
    free(pop);
    free(mu);
    mkba_model_free(m);
}

/* Monthly cycles: a budget figure sums the year's 12 cycles of the budget
 * view, and its Monte Carlo share takes the batch error at the year's last
 * cycle against the payers' spending summed over the 12 (review fund11,
 * "What is right": checked by hand only until now). */
static void test_monthly(void **state)
{
    (void)state;
    char psa[256], out[256];
    mkba_model *m = variant("cycle = \"year\"", "cycle = \"month\"", "month.cfg");
    enum { N = 10, T = 12 * YEARS };
    psa_and_update(m, N, 300, NULL, in_dir(psa, "month-psa.h5"), figures,
                   in_dir(out, "month.h5"));
    size_t n = 0;
    double *cost = support_read_doubles(out, "/draws/budget/cost", &n);
    assert_int_equal(n, N * 2 * T * PAYERS);
    double *undisc = support_read_doubles(out, "/draws/cost", &n);
    double *mcse = support_read_doubles(out, "/draws/mcse/cost_year_to_date", &n);
    assert_int_equal(n, N * 2 * T * PAYERS);
    double *price = support_read_doubles(out, "/labels/price_index", &n);
    assert_int_equal(n, YEARS);
    double *pop = support_read_doubles(out, "/labels/budget_population", &n);
    double *mu = support_read_doubles(out, "/expost/model_value", &n);
    double *noise = support_read_doubles(out, "/expost/likelihood_noise", &n);
    double *data = support_read_doubles(out, "/expost/data", &n);
    for (int i = 0; i < 3; i++) {
        size_t y = (size_t)figure_year[i] - 1, a = (size_t)figure_arm[i];
        double var = 0.0, square = 0.0, avg = 0.0;
        for (size_t d = 0; d < N; d++) {
            double want = 0.0, e = 0.0, u = 0.0;
            for (size_t p = 0; p < PAYERS; p++) {
                if (!figure_payers[i][p])
                    continue;
                for (size_t c = 12 * y; c < 12 * (y + 1); c++) {
                    size_t k = ((d * 2 + a) * T + c) * PAYERS + p;
                    want += pop[0] * cost[k] * price[y];
                    u += undisc[k];
                }
                e += mcse[((d * 2 + a) * T + 12 * y + 11) * PAYERS + p];
            }
            double got = mu[(size_t)i * N + d];
            if (!(fabs(got - want) <= 1e-9 * fabs(want)))
                fail_msg("figure %d, draw %zu: model value %.12g, by hand %.12g", i, d, got,
                         want);
            var += e * e;
            square += u * u;
        }
        double kappa = var / square / (1.0 + (double)y * pop[1] / pop[0])
                       * (1.0 + 300.0 / data[i * 3 + 1]);
        for (size_t d = 0; d < N; d++)
            avg += kappa * mu[(size_t)i * N + d] * mu[(size_t)i * N + d] / N;
        if (!(avg > 0.0 && fabs(noise[i] - avg) <= 1e-9 * avg))
            fail_msg("figure %d: likelihood noise %.12g, want %.12g", i, noise[i], avg);
    }
    free(cost);
    free(undisc);
    free(mcse);
    free(price);
    free(pop);
    free(mu);
    free(noise);
    free(data);
    mkba_model_free(m);
}

/* Column `col` of the parameter summary of c_wmo (the only updated
 * parameter) in out. */
static double c_wmo(const char *out, int col)
{
    size_t n = 0;
    double *ps = support_read_doubles(out, "/expost/parameter_summary", &n);
    assert_int_equal(n, MKBA_PS_N);
    double v = ps[col];
    free(ps);
    return v;
}

/* Data from one draw's model values: the fund's spending in years 1 and 2
 * at 1% se. The posterior of c_wmo moves to that draw's value and
 * narrows, by reweighting and by the sequential refinement alike. */
static void test_update(void **state)
{
    const fixture_state *s = *state;
    char first[256], out[256];
    in_dir(first, "first.h5");
    mkba_error err;
    if (update(s, "year,arm,metric,value,se,fund\n"
                  "1,usual,budget,2500000,1000000,gemeentefonds\n"
                  "2,usual,budget,2500000,1000000,gemeentefonds\n", first, 0, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    size_t n = 0;
    double *mu = support_read_doubles(first, "/expost/model_value", &n);
    double *par = support_read_doubles(first, "/draws/parameters", &n);
    size_t np = n / (DRAWS * 2), k = 0;
    /* c_wmo: the only parameter of arm usual that differs between draws. */
    while (k < np && par[k] == par[2 * np + k])
        k++;
    assert_true(k < np);
    /* The draw whose c_wmo is nearest 1200. */
    size_t pick = 0;
    for (size_t d = 1; d < DRAWS; d++)
        if (fabs(par[d * 2 * np + k] - 1200.0) < fabs(par[pick * 2 * np + k] - 1200.0))
            pick = d;
    double truth = par[pick * 2 * np + k];
    char text[512];
    snprintf(text, sizeof text, "year,arm,metric,value,se,fund\n"
             "1,usual,budget,%.6f,%.6f,gemeentefonds\n2,usual,budget,%.6f,%.6f,gemeentefonds\n",
             mu[pick], 0.01 * mu[pick], mu[DRAWS + pick], 0.01 * mu[DRAWS + pick]);
    free(mu);
    free(par);
    for (int refine = 0; refine <= 1; refine++) {
        in_dir(out, refine ? "refined.h5" : "reweighted.h5");
        if (update(s, text, out, refine, &err) != MKBA_OK)
            fail_msg("refine %d: %s", refine, err.message);
        double *prior = support_read_doubles(out, "/expost/prior_predictive", &n);
        assert_int_equal(n, 2 * MKBA_PRED_N);
        for (int i = 0; i < 2; i++) {
            double pct = prior[i * MKBA_PRED_N + MKBA_PRED_PERCENTILE];
            assert_true(pct > 0.0 && pct < 1.0);
        }
        free(prior);
        double *up = support_read_doubles(out, "/expost/update", &n);
        assert_int_equal(n, MKBA_UP_N);
        assert_true(up[MKBA_UP_ESS] >= 1.0 && up[MKBA_UP_ESS] < DRAWS);
        if (up[MKBA_UP_REFINED] != (double)refine)
            fail_msg("refine %d: refined %g, ESS %g", refine, up[MKBA_UP_REFINED],
                     up[MKBA_UP_ESS]);
        free(up);
        double post = c_wmo(out, MKBA_PS_POST_MEAN), prior_mean = c_wmo(out, MKBA_PS_PRIOR_MEAN);
        if (!(fabs(post - truth) < 0.5 * fabs(prior_mean - truth) || fabs(post - truth) < 50.0))
            fail_msg("refine %d: posterior mean %g, truth %g, prior mean %g", refine, post,
                     truth, prior_mean);
        print_message("refine %d: c_wmo truth %.1f, prior mean %.1f, posterior mean %.1f "
                      "(90%%: %.1f-%.1f), narrowed %.2f\n", refine, truth, prior_mean, post,
                      c_wmo(out, MKBA_PS_POST_P05), c_wmo(out, MKBA_PS_POST_P95),
                      c_wmo(out, MKBA_PS_NARROWING));
        assert_true(c_wmo(out, MKBA_PS_POST_P05) <= truth && truth <= c_wmo(out, MKBA_PS_POST_P95));
        if (!(c_wmo(out, MKBA_PS_NARROWING) > 0.5))
            fail_msg("refine %d: narrowed by %g", refine, c_wmo(out, MKBA_PS_NARROWING));
    }
}

/* A budget file and the pieces its message must hold. */
typedef struct bad_case {
    int no_lines;              /* against the fixture without budget lines */
    const char *text;
    const char *want[3];
} bad_case;

#define H "year,arm,metric,value,se,payer,fund,taakveld\n"
static const bad_case bad[] = {
    { 0, H "1,usual,budget,3,1,,gemeentefond,\n",
      { "obs.csv:2: column 7 (fund)", "'gemeentefond' is not a fund",
        "did you mean 'gemeentefonds'" } },
    { 0, H "1,usual,budget,3,1,,,6.71 Maatwerkdienstverlening\n",
      { "obs.csv:2: column 8 (taakveld)", "is not a taakveld",
        "did you mean '6.71 Maatwerkdienstverlening 18+'" } },
    { 0, H "1,usual,budget,3,1,gemeente-wmo,gemeentefonds,\n",
      { "obs.csv:2: column 6 (payer)", "the metric budget has no payer" } },
    { 0, H "1,usual,spending,3,1,gemeente-wmo,gemeentefonds,\n",
      { "obs.csv:2: column 7 (fund)", "the metric spending has no fund" } },
    { 0, H "1,usual,spending,3,1,gemeente-wmo,,\"6.3 Inkomensregelingen, bijstand\"\n",
      { "obs.csv:2: column 8 (taakveld)", "has no taakveld" } },
    { 0, H "1,usual,budget,3,1,,,\n",
      { "obs.csv:2: column 7 (fund)", "needs a fund or a taakveld" } },
    { 0, "year,arm,metric,value,se\n1,usual,budget,3,1\n",
      { "obs.csv:2:", "add the column fund or taakveld" } },
    { 0, H "1,usual,budget,3,1,,BUIG,6.71 Maatwerkdienstverlening 18+\n",
      { "obs.csv:2: column 8 (taakveld)", "no payer", "on both the fund 'BUIG'" } },
    { 0, H "1,usual,budget,3,1,,gemeentefonds,\n1,usual,budget,3,1,,gemeentefonds,\n",
      { "obs.csv:3:", "duplicate", "line 2" } },
    { 0, H "2,new,budget,3,1,,gemeentefonds,\n"
           "2,new,budget,3,1,,,6.72 Maatwerkdienstverlening 18-\n",
      { "obs.csv:3:", "overlaps line 2", "gemeente-jeugdwet" } },
    { 0, H "2,new,budget,3,1,,gemeentefonds,\n2,new,spending,3,1,gemeente-wmo,,\n",
      { "obs.csv:3:", "overlaps line 2", "gemeente-wmo" } },
    { 0, H "1,usual,budget,-3,0,,gemeentefonds,\n", { "obs.csv:2: column 5 (se)" } },
    { 1, H "1,usual,budget,3,1,,gemeentefonds,\n",
      { "obs.csv:2: column 7 (fund)", "give no payer a fund" } },
    /* A jaarrekening's calendar year: the message says the horizon year. */
    { 0, H "2026,usual,budget,3,1,,gemeentefonds,\n",
      { "obs.csv:2: column 1 (year)", "calendar year 2026 is horizon year 2",
        "population.first_year = 2025" } },
    /* Unquoted, the comma splits the name: the hint says to quote it. */
    { 0, H "1,usual,budget,3,1,,,6.3 Inkomensregelingen, bijstand\n",
      { "obs.csv:2:", "9 fields", "quote such names" } },
    { 0, H "1,usual,budget,3,1,,,\"6.3 Inkomensregelingen, bijstand\n",
      { "obs.csv:2: column 8, character 22:", "not closed" } },
    { 0, H "1,usual,budget,3,1,,,\"6.3 Inkomensregelingen\" bijstand\n",
      { "obs.csv:2: column 8, character 47:", "after the closing quote" } },
    { 0, H "1,usual,budget,3,1,,,6.3 \"Inkomensregelingen\"\n",
      { "obs.csv:2: column 8, character 26:", "inside a field that does not start" } },
    /* "" is a quote: the name then differs from the scenario's. */
    { 0, H "1,usual,budget,3,1,,,\"6.3 \"\"Inkomensregelingen\"\", bijstand\"\n",
      { "column 8 (taakveld)", "'6.3 \"Inkomensregelingen\", bijstand' is not a taakveld",
        "did you mean '6.3 Inkomensregelingen, bijstand'" } },
};
#undef H

static int parse(const mkba_model *m, const char *text, mkba_observed **o, mkba_error *err)
{
    mkba_error_clear(err);
    return mkba_observed_parse(text, strlen(text), "obs.csv", m, o, err);
}

static void test_bad_input(void **state)
{
    const fixture_state *s = *state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mkba_observed *o = (mkba_observed *)&o;
        mkba_error err;
        int rc = parse(bad[i].no_lines ? s->no_lines : s->m, bad[i].text, &o, &err);
        if (rc == MKBA_OK || o != NULL)
            fail_msg("case %zu was accepted: %s", i, bad[i].text);
        for (int k = 0; k < 3 && bad[i].want[k] != NULL; k++)
            if (strstr(err.message, bad[i].want[k]) == NULL)
                fail_msg("case %zu: '%s' lacks '%s'", i, err.message, bad[i].want[k]);
    }
}

/* Rows on separate payers stand side by side: a fund and another fund's
 * taakveld, a fund in two years, a payer outside the fund; a negative
 * figure is money (a transfer can make it so). */
static void test_good_rows(void **state)
{
    const fixture_state *s = *state;
    const char *text = "year,arm,metric,value,se,payer,fund,taakveld\n"
                       "1,usual,budget,2500000,1e5,,gemeentefonds,\n"
                       "1,usual,budget,5000000,1e5,,, \"6.3 Inkomensregelingen, bijstand\" \n"
                       "2,usual,budget,-10,1e5,,gemeentefonds,\n"
                       "1,usual,spending,60,5,zorgverzekeraar,,\n"
                       "1,new,budget,900000,1e5,,gemeentefonds,6.71 Maatwerkdienstverlening 18+\n";
    mkba_observed *o = NULL;
    mkba_error err;
    if (parse(s->m, text, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(o->n, 5);
    assert_string_equal(o->obs[0].label, "budget gemeentefonds, usual, year 1");
    assert_string_equal(o->obs[1].label, "budget 6.3 Inkomensregelingen, bijstand, usual, year 1");
    assert_string_equal(o->obs[4].label, "budget gemeentefonds / 6.71 Maatwerkdienstverlening "
                                         "18+, new, year 1");
    static const int reads[5][PAYERS] = { { 1, 1, 0, 0 }, { 0, 0, 1, 0 }, { 1, 1, 0, 0 },
                                          { 0, 0, 0, 1 }, { 1, 0, 0, 0 } };
    for (size_t i = 0; i < 5; i++)
        for (size_t p = 0; p < PAYERS; p++)
            assert_int_equal(mkba_observation_reads_payer(&o->obs[i], p), reads[i][p]);
    assert_true(o->obs[2].value == -10.0);
    mkba_observed_free(o);
}

/* An independent check of the budget figures' Monte Carlo noise: with
 * c_wmo fixed, draws differ only in their households, so the spread of a
 * figure's model value over 40 draws is the noise the likelihood must add.
 * The inflow is twice the households a year (4,770 on 2,385), so by year 3
 * five times the starting households have been simulated: the closed
 * cohort's errors alone would be sqrt(5) = 2.2 times too wide (review
 * fund11, finding 1). A one-payer line is on the mark within the spread's
 * own error (40 draws: about 11%); gemeentefonds holds Wmo and Jeugdwet,
 * which move together (one need), so its summed errors are close too. */
static void test_noise_against_spread(void **state)
{
    (void)state;
    char psa[256], out[256];
    mkba_model *m = variant("inflow = 200;", "inflow = 4770;", "inflow.cfg");
    enum { N = 40, ROWS = 4 };
    static const char *const rows =
        "year,arm,metric,value,se,fund,taakveld\n"
        "3,usual,budget,1000000,1,,6.71 Maatwerkdienstverlening 18+\n"
        "1,usual,budget,1000000,1,,6.71 Maatwerkdienstverlening 18+\n"
        "3,new,budget,5000000,1,BUIG,\n"
        "2,usual,budget,1000000,1,gemeentefonds,\n";
    const double fixed = 1000.0;
    psa_and_update(m, N, HOUSEHOLDS, &fixed, in_dir(psa, "inflow.h5"), rows,
                   in_dir(out, "inflow-expost.h5"));
    size_t n = 0;
    double *mu = support_read_doubles(out, "/expost/model_value", &n);
    assert_int_equal(n, ROWS * N);
    double *noise = support_read_doubles(out, "/expost/likelihood_noise", &n);
    assert_int_equal(n, ROWS);
    double *data = support_read_doubles(out, "/expost/data", &n);
    assert_int_equal(n, ROWS * 3);
    for (size_t i = 0; i < ROWS; i++) {
        /* Without the observed population's own noise (n defaults to the
         * budget view's households): the simulation's alone. */
        noise[i] /= 1.0 + HOUSEHOLDS / data[i * 3 + 1];
        double mean = 0.0, ss = 0.0;
        for (size_t d = 0; d < N; d++)
            mean += mu[i * N + d] / N;
        for (size_t d = 0; d < N; d++)
            ss += (mu[i * N + d] - mean) * (mu[i * N + d] - mean);
        double ratio = sqrt(noise[i]) / sqrt(ss / (N - 1));
        print_message("row %zu: likelihood MC sd / sd over draws = %.3f\n", i, ratio);
        if (!(ratio > 0.7 && ratio < 1.4))
            fail_msg("row %zu: likelihood MC sd / sd over draws = %.3f", i, ratio);
    }
    free(mu);
    free(noise);
    free(data);
    mkba_model_free(m);
}

/* A budget figure's n is the whole target group: an n far from the
 * budget view's households of that year (2,385 + 200 in year 2) is
 * refused, naming both, and no file is left. */
static void test_budget_n(void **state)
{
    const fixture_state *s = *state;
    char out[256];
    in_dir(out, "budget-n.h5");
    mkba_error err;
    int rc = update(s, "year,arm,metric,value,n,se,fund,taakveld\n"
                       "2,usual,budget,2500000,9,100000,gemeentefonds,\n", out, 0, &err);
    assert_int_not_equal(rc, MKBA_OK);
    if (strstr(err.message, "observed.csv:2: n = 9 households") == NULL
        || strstr(err.message, "has 258") == NULL)
        fail_msg("%s", err.message);
    assert_int_not_equal(access(out, F_OK), 0);
}

/* The budget_lines edited after the PSA (the Jeugdwet moved to a fund of
 * its own): the file's budget view contradicts the scenario, refused. */
static void test_moved_lines(void **state)
{
    const fixture_state *s = *state;
    char out[256];
    mkba_model *m = variant("payer = \"gemeente-jeugdwet\"; fund = \"gemeentefonds\"",
                            "payer = \"gemeente-jeugdwet\"; fund = \"jeugdfonds\"",
                            "moved.cfg");
    mkba_error err;
    int rc = update_from(m, s->psa, "year,arm,metric,value,se,fund,taakveld\n"
                                    "2,usual,budget,400000,1e5,jeugdfonds,\n",
                         in_dir(out, "moved.h5"), 0, &err);
    assert_int_not_equal(rc, MKBA_OK);
    if (strstr(err.message, "puts gemeente-jeugdwet on the fund 'gemeentefonds', the "
                            "scenario on 'jeugdfonds'") == NULL)
        fail_msg("%s", err.message);
    assert_int_not_equal(access(out, F_OK), 0);
    mkba_model_free(m);
}

/* The quoting rule of the writer: a field the reader would split or trim
 * is quoted, a quote inside doubled; a plain one is written as it is. */
static void test_write_field(void **state)
{
    (void)state;
    static const char *const in[] = { "6.71 Maatwerkdienstverlening 18+", "a, b",
                                       " lead", "6.3 \"Inkomens\"", "#x", "" };
    static const char *const want[] = { "6.71 Maatwerkdienstverlening 18+", "\"a, b\"",
                                         "\" lead\"", "\"6.3 \"\"Inkomens\"\"\"", "\"#x\"", "" };
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        char buf[100] = "";
        FILE *f = fmemopen(buf, sizeof buf - 1, "w");
        assert_non_null(f);
        mkba_observed_write_field(f, in[i]);
        fclose(f);
        assert_string_equal(buf, want[i]);
    }
}

/* --simulate fills the figures' rows, the taakveld with a comma quoted,
 * and reads back as the same rows (year, arm, metric, se, fund and
 * taakveld, so the same payers). */
static void test_simulate_round_trip(void **state)
{
    const fixture_state *s = *state;
    char csv[256], sim[256];
    in_dir(csv, "template.csv");
    in_dir(sim, "simulated.csv");
    assert_int_equal(support_write_file(csv, figures), 0);
    mkba_expost_simulate_options o;
    mkba_expost_simulate_options_init(&o);
    o.template_csv = csv;
    o.output = sim;
    o.force = 1;
    o.households = 300;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_expost_simulate(NULL, s->m, &o, &err) != MKBA_OK)
        fail_msg("simulate: %s", err.message);
    char *text = support_read_file(sim);
    assert_non_null(text);
    assert_non_null(strstr(text, ",,\"6.3 Inkomensregelingen, bijstand\"\n"));
    mkba_observed *want = NULL, *got = NULL;
    if (parse(s->m, figures, &want, &err) != MKBA_OK
        || mkba_observed_parse(text, strlen(text), sim, s->m, &got, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(got->n, want->n);
    for (size_t i = 0; i < want->n; i++) {
        const mkba_observation *a = &want->obs[i], *b = &got->obs[i];
        assert_int_equal(a->year, b->year);
        assert_int_equal(a->arm, b->arm);
        assert_int_equal(a->metric, b->metric);
        assert_int_equal(a->fund, b->fund);
        assert_int_equal(a->taakveld, b->taakveld);
        assert_true(a->se == b->se);
        assert_string_equal(a->label, b->label);
    }
    mkba_observed_free(want);
    mkba_observed_free(got);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_rows),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_counterpart),
        cmocka_unit_test(test_update),
        cmocka_unit_test(test_noise_against_spread),
        cmocka_unit_test(test_budget_n),
        cmocka_unit_test(test_moved_lines),
        cmocka_unit_test(test_wage_priced),
        cmocka_unit_test(test_monthly),
        cmocka_unit_test(test_write_field),
        cmocka_unit_test(test_simulate_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
