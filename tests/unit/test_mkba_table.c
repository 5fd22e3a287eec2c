/* The MKBA table against hand computation (docs/decision.md, "One
 * definition of costs and benefits"), on tests/data/mkba.cfg: a closed-form
 * cohort trace in which a household on bijstand finds work with
 * probability q a year (0.25 classic, 0.4 integrated). With occupancy and
 * discounting at the cycle start (3%), with S(b) = sum_{k=1..4}
 * (b / 1.03)^(k-1) and A = sum_{k=1..4} 1.03^-(k-1):
 *   project costs    237.5 A + 1234.5 (team staff a year, a programme once)
 *   avoided care     1200 (S(0.75) - S(0.6))        (the insurer, direct)
 *   wages            w (S(0.75) - S(0.6)) gained by the households
 *   production       (1 - 0.3) x wages              (indirect: less displacement)
 * The transfers (bijstand) net out. The benefit-cost ratio is one number
 * in the table, the summary and the JSON output. On common random numbers
 * (the microsimulation) a household that finds work gains its wage less
 * the benefit it loses, whatever the sample. */
#include <limits.h>
#include <math.h>
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
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "model/scenario.h"
#include "io/h5out.h"
#include "analysis/decision.h"
#include "analysis/frontier.h"
#include "analysis/summary.h"
#include "analysis/mkba_rows.h"
#include "report/answer.h"
#include "support.h"

#define WAGE 23456.7
#define DISPLACEMENT 0.3
#define BENEFIT 7000.0
enum { HOUSEHOLD = 2 };

static void expect(double got, double want, double rel, const char *what)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("%s: got %.12f, want %.12f", what, got, want);
}

/* sum_{k=1..4} (b / 1.03)^(k-1). */
static double trace_sum(double b)
{
    double s = 0.0;
    for (int k = 1; k <= 4; k++)
        s += pow(b / 1.03, k - 1);
    return s;
}

/* Runs scenario cfg (cohort or microsimulation, base case) into path and
 * reads back its totals, summary and decision outputs. */
static void run_scenario_draws(const char *cfg, const char *path, int cohort, long draws,
                               long households, mkba_h5_totals **t, mkba_summary **s,
                               mkba_decision **d)
{
    mkba_error err = {0};
    mkba_model *m = NULL;
    if (mkba_scenario_load(NULL, cfg, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_run_options o;
    support_run_options(&o, path, draws, households);
    if (cohort)
        o.mode = MKBA_MODE_COHORT;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 1;
    if (mkba_run(&ctx, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_model_free(m);
    if (mkba_h5_read_totals(path, t, &err) != MKBA_OK
        || (*s = mkba_summary_alloc(*t, &err)) == NULL
        || mkba_decision_load(path, *t, d, &err) != MKBA_OK)
        fail_msg("%s", err.message);
}

static void run_scenario(const char *cfg, const char *path, int cohort, mkba_h5_totals **t,
                         mkba_summary **s, mkba_decision **d)
{
    run_scenario_draws(cfg, path, cohort, 0, -1, t, s, d);
}

static void run_fixture(const char *path, int cohort, mkba_h5_totals **t, mkba_summary **s,
                        mkba_decision **d)
{
    run_scenario("tests/data/mkba.cfg", path, cohort, t, s, d);
}

/* Writes file src with its text `from` replaced by `to` into path. */
static void file_variant(const char *src, const char *path, const char *from, const char *to)
{
    assert_int_equal(support_write_variant(src, path, from, to), 0);
}

/* Writes tests/data/mkba.cfg with its text `from` replaced by `to` into
 * path. */
static void fixture_variant(const char *path, const char *from, const char *to)
{
    file_variant("tests/data/mkba.cfg", path, from, to);
}

static double row(const mkba_decision *d, int i)
{
    return d->mkba[((size_t)1 * MKBA_ROW_N + (size_t)i) * MKBA_ST_N + MKBA_ST_MEAN];
}

static void results_free(mkba_h5_totals *t, mkba_summary *s, mkba_decision *d)
{
    mkba_decision_free(d);
    mkba_summary_free(s);
    mkba_h5_totals_free(t);
}

/* What `mkba summary PATH ARGS` (the program named by MKBA_BIN) writes,
 * as a string to free; the command must succeed. */
static char *summary_output(const char *path, const char *args)
{
    const char *bin = getenv("MKBA_BIN");
    char cmd[512], out[96];
    snprintf(out, sizeof out, "%s.out", path);
    snprintf(cmd, sizeof cmd, "%s summary '%s' %s -o '%s'", bin != NULL ? bin : "build/mkba",
             path, args, out);
    int st = system(cmd);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char *text = support_read_file(out);
    assert_non_null(text);
    remove(out);
    return text;
}

/* The number after `"benefit-cost ratio", ` on the n-th line holding it
 * in json (n = 0, 1, ...); NAN when there is no such line. */
static double json_bcr(const char *json, int n)
{
    const char *key = "\"benefit-cost ratio\", ";
    const char *p = json;
    for (int i = 0; (p = strstr(p, key)) != NULL; i++, p++)
        if (i == n)
            return strtod(p + strlen(key), NULL);
    return NAN;
}

/* The benefit-cost ratio `mkba report` shows for arm `arm` of the file at
 * path: the data-value of the last cell of its row in the answer table. */
/* The page `mkba report PATH ARGS` writes, as a string to free; the
 * command must succeed. */
static char *report_page(const char *path, const char *args)
{
    const char *bin = getenv("MKBA_BIN");
    char html[96], cmd[600];
    snprintf(html, sizeof html, "%s.html", path);
    snprintf(cmd, sizeof cmd, "%s report '%s' %s -o '%s' 2>/dev/null",
             bin != NULL ? bin : "build/mkba", path, args, html);
    assert_int_equal(system(cmd), 0);
    char *page = support_read_file(html);
    assert_non_null(page);
    remove(html);
    return page;
}

static double report_bcr(const char *path, const char *arm)
{
    char cell[64];
    char *page = report_page(path, "");
    snprintf(cell, sizeof cell, "<td>%s</td>", arm);
    const char *table = strstr(page, "id=\"answer-table\"");
    const char *at = table != NULL ? strstr(table, cell) : NULL;
    const char *end = at != NULL ? strstr(at, "</tr>") : NULL;
    if (end == NULL)
        fail_msg("no row of %s in the report's answer table", arm);
    const char *last = NULL;
    for (const char *v = strstr(at, "data-value=\""); v != NULL && v < end;
         v = strstr(v + 1, "data-value=\""))
        last = v;
    assert_non_null(last);
    double x = strtod(last + strlen("data-value=\""), NULL);
    free(page);
    return x;
}

/* The sentence of s around position at: from after the previous ". " (or
 * line start) to the next ". " (or line end), copied into buf. */
static const char *sentence_at(const char *s, const char *at, char *buf, size_t size)
{
    const char *from = at, *to = at;
    while (from > s && from[-1] != '\n' && !(from - s >= 2 && from[-2] == '.' && from[-1] == ' '))
        from--;
    while (*to != '\0' && *to != '\n' && !(to[0] == '.' && to[1] == ' '))
        to++;
    snprintf(buf, size, "%.*s", (int)(to - from), from);
    return buf;
}

/* Fails unless every occurrence of word in out is the cost category of the
 * project costs: in a sentence that names the project costs (`project`) or
 * lists the category with the programme (`listed`, the groups' note). */
static void word_only_as_project_cost(const char *out, const char *word, const char *project,
                                      const char *listed, const char *what)
{
    char buf[4096];
    for (const char *at = strstr(out, word); at != NULL; at = strstr(at + 1, word)) {
        sentence_at(out, at, buf, sizeof buf);
        if (strstr(buf, project) == NULL && strstr(buf, listed) == NULL)
            fail_msg("%s: \"%s\" used for something other than the project costs: %s", what,
                     word, buf);
    }
}

/* One investment (issue 13): "investment" names only the cost category of
 * the MKBA table's project costs; the NPV table's years with a net cost,
 * the payer table's net outlay and the chart of payers carry other labels,
 * and no ratio besides the benefit-cost ratio is called a return ("ROI"). */
static void check_one_investment(const char *path, const mkba_decision *d)
{
    /* The text names the project costs with the table's number. */
    char *text = summary_output(path, "");
    char want[128];
    snprintf(want, sizeof want, "integrated project costs (arm - reference) %.0f",
             row(d, MKBA_ROW_PROJECT_COSTS));
    char *squeezed = strdup(text);
    assert_non_null(squeezed);
    size_t n = 0;
    for (const char *c = squeezed; *c != '\0'; c++)
        if (!(c[0] == ' ' && (n == 0 || squeezed[n - 1] == ' ')))
            squeezed[n++] = *c;
    squeezed[n] = '\0';
    if (strstr(squeezed, want) == NULL)
        fail_msg("no \"%s\" in the text summary:\n%s", want, text);
    free(squeezed);
    char *json = summary_output(path, "--format json");
    const char *outs[] = { text, json };
    const char *names[] = { "text summary", "JSON summary" };
    for (int i = 0; i < 2; i++) {
        word_only_as_project_cost(outs[i], "nvestment", "project costs", "programme, investment",
                                  names[i]);
        if (strstr(outs[i], "ROI") != NULL || strstr(outs[i], "returns") != NULL)
            fail_msg("%s calls a figure ROI or returns:\n%s", names[i], outs[i]);
    }
    free(json);
    free(text);
    /* The report in both languages, its charts' captions included. */
    static const char *const lang[] = { "--lang en", "--lang nl" };
    for (int l = 0; l < 2; l++) {
        char *page = report_page(path, lang[l]);
        if (l == 0)
            word_only_as_project_cost(page, "nvestment", "project costs",
                                      "programme, investment", "English report");
        else
            word_only_as_project_cost(page, "nvestering", "projectkosten",
                                      "programma, investering", "Dutch report");
        if (strstr(page, "ROI") != NULL || strstr(page, "returns") != NULL
            || strstr(page, "opbrengst") != NULL)
            fail_msg("the %s report calls a figure ROI or returns", lang[l]);
        free(page);
    }
}

static void test_project_costs_and_one_ratio(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba_test_mkba_table_%ld.h5", (long)getpid());
    mkba_h5_totals *t = NULL;
    mkba_summary *s = NULL;
    mkba_decision *d = NULL;
    run_fixture(path, 1, &t, &s, &d);

    double a = trace_sum(1.0), gap = trace_sum(0.75) - trace_sum(0.6);
    double project = 237.5 * a + 1234.5;
    expect(row(d, MKBA_ROW_PROJECT_COSTS), project, 1e-12, "project costs");
    expect(row(d, MKBA_ROW_OPTIMISM), 0.2 * project, 1e-12, "optimism bias");
    expect(row(d, MKBA_ROW_COSTS), 1.2 * project, 1e-12, "total costs");
    expect(row(d, MKBA_ROW_DIRECT), 1200.0 * gap, 1e-12, "direct effects (avoided care)");
    expect(row(d, MKBA_ROW_INDIRECT), (1.0 - DISPLACEMENT) * WAGE * gap, 1e-12,
           "indirect effects (production less displacement)");
    assert_true(row(d, MKBA_ROW_EXTERNAL) == 0.0);
    double benefits = (1200.0 + (1.0 - DISPLACEMENT) * WAGE) * gap;
    expect(row(d, MKBA_ROW_BENEFITS), benefits, 1e-12, "total benefits");
    expect(row(d, MKBA_ROW_BALANCE), benefits - 1.2 * project, 1e-12, "balance");
    expect(row(d, MKBA_ROW_BCR), benefits / (1.2 * project), 1e-12, "benefit-cost ratio");

    /* One function computes both: the summary's costs, benefits and ratio
     * are the table's, bit for bit. */
    assert_true(s->costs[1].mean == row(d, MKBA_ROW_COSTS));
    assert_true(s->benefits[1].mean == row(d, MKBA_ROW_BENEFITS));
    assert_true(s->bcr[1].mean == row(d, MKBA_ROW_BCR));

    /* The JSON output prints that number in the summary's increments and
     * in the MKBA table (17 significant digits: the same double). */
    char *json = summary_output(path, "--format json");
    assert_true(json_bcr(json, 0) == row(d, MKBA_ROW_BCR));
    assert_true(json_bcr(json, 1) == row(d, MKBA_ROW_BCR));
    assert_true(isnan(json_bcr(json, 2)));
    /* The calibrated arm's banner, in the JSON and the text summary. */
    static const char banner[] = "arm integrated is tuned to reproduce a 40% yearly "
                                 "job-finding rate; agreement with a 40% yearly job-finding "
                                 "rate is not evidence";
    if (strstr(json, banner) == NULL)
        fail_msg("no banner in the JSON summary:\n%s", json);
    free(json);
    char *text = summary_output(path, "");
    const char *first = strstr(text, banner);
    if (first == NULL || strstr(text, "Calibrated       arm integrated") == NULL)
        fail_msg("no banner in the text summary:\n%s", text);
    assert_null(strstr(text, "arm classic is tuned"));
    free(text);
    /* The HTML report's answer table: the ratio is the last cell of the
     * arm's row, its data-value the same double (17 significant digits). */
    assert_true(report_bcr(path, "integrated") == row(d, MKBA_ROW_BCR));
    check_one_investment(path, d);
    /* Markdown rounds the ratio one way in every table that shows it
     * (the increments and the MKBA table): two decimals. */
    char *md = summary_output(path, "--format markdown");
    char want[64];
    snprintf(want, sizeof want, "| benefit-cost ratio | %.2f | n/a | n/a |",
             row(d, MKBA_ROW_BCR));
    int seen = 0;
    for (const char *at = strstr(md, "| benefit-cost ratio |"); at != NULL;
         at = strstr(at + 1, "| benefit-cost ratio |"), seen++)
        if (strncmp(at, want, strlen(want)) != 0)
            fail_msg("the Markdown summary shows the ratio otherwise than \"%s\": %.60s", want,
                     at);
    assert_int_equal(seen, 2);
    free(md);
    /* CSV keeps no notes: the answer table's "calibrated to" column. */
    char *csv = summary_output(path, "--format csv");
    if (strstr(csv, "calibrated to") == NULL
        || strstr(csv, ",a 40% yearly job-finding rate") == NULL)
        fail_msg("no calibrated arm in the CSV summary:\n%s", csv);
    /* CSV: the same ratio (10 significant digits) in the increments and
     * the MKBA table, without an interval in either. */
    int rows = 0;
    for (const char *at = strstr(csv, ",benefit-cost ratio,"); at != NULL;
         at = strstr(at + 1, ",benefit-cost ratio,"), rows++) {
        char *end = NULL;
        double x = strtod(at + strlen(",benefit-cost ratio,"), &end);
        expect(x, row(d, MKBA_ROW_BCR), 1e-9, "CSV benefit-cost ratio");
        assert_true(strncmp(end, ",,\n", 3) == 0);
    }
    assert_int_equal(rows, 2);
    free(csv);
    remove(path);
    results_free(t, s, d);
}

/* Project costs hold all four categories (mkba_rows.c): a one-off
 * investment of 100 and overheads of 10 a year added to the fixture's team
 * staff and programme give (237.5 + 10) A + 1234.5 + 100. */
static void test_project_costs_every_category(void **state)
{
    (void)state;
    char cfg[64], path[64];
    snprintf(cfg, sizeof cfg, "/tmp/mkba_test_mkba_categories_%ld.cfg", (long)getpid());
    snprintf(path, sizeof path, "/tmp/mkba_test_mkba_categories_%ld.h5", (long)getpid());
    fixture_variant(cfg, "category = \"programme\"; }",
                    "category = \"programme\"; },\n"
                    "  { payer = \"gemeente-participatiewet\"; once = 100.0; "
                    "arms = [\"integrated\"]; category = \"investment\"; },\n"
                    "  { payer = \"gemeente-participatiewet\"; per_year = 10.0; "
                    "arms = [\"integrated\"]; category = \"overheads\"; }");
    mkba_h5_totals *t = NULL;
    mkba_summary *s = NULL;
    mkba_decision *d = NULL;
    run_scenario(cfg, path, 1, &t, &s, &d);
    double project = 247.5 * trace_sum(1.0) + 1234.5 + 100.0;
    expect(row(d, MKBA_ROW_PROJECT_COSTS), project, 1e-12, "project costs, four categories");
    expect(row(d, MKBA_ROW_OPTIMISM), 0.2 * project, 1e-12, "optimism bias on all four");
    remove(cfg);
    remove(path);
    results_free(t, s, d);
}

/* The delivery costs and the project costs by category of the table
 * (docs/decision.md): the reference spends 300 a year of team staff of its
 * own (the providers' staff of a classic route), so against it
 *   delivery costs of the arm        237.5 A + 1234.5
 *   delivery costs of the reference  300 A
 *   project costs                    1234.5 - 62.5 A   (team -62.5 A,
 *                                                       programme +1234.5)
 * and optimism bias applies to the new spending only: 0.2 x 1234.5, each
 * category's increase, the cut in staff getting no uplift on its saving
 * (the net rule gave 0.2 x (1234.5 - 62.5 A)). The reference's staff are
 * not a benefit: the direct effects stay the avoided care. With the
 * programme dropped the arm only saves: project costs -62.5 A, no
 * optimism bias (not -0.2 x 62.5 A) and no ratio. */
static void test_optimism_bias_on_each_increase(void **state)
{
    (void)state;
    char cfg[64], cfg2[64], path[64];
    snprintf(cfg, sizeof cfg, "/tmp/mkba_test_mkba_ob_%ld.cfg", (long)getpid());
    snprintf(cfg2, sizeof cfg2, "/tmp/mkba_test_mkba_ob2_%ld.cfg", (long)getpid());
    snprintf(path, sizeof path, "/tmp/mkba_test_mkba_ob_%ld.h5", (long)getpid());
    static const char programme[] = "  { payer = \"gemeente-participatiewet\"; once = 1234.5; "
                                    "arms = [\"integrated\"]; category = \"programme\"; }";
    fixture_variant(cfg, programme,
                    "  { payer = \"gemeente-participatiewet\"; per_year = 300.0; "
                    "arms = [\"classic\"]; category = \"team\"; },\n"
                    "  { payer = \"gemeente-participatiewet\"; once = 1234.5; "
                    "arms = [\"integrated\"]; category = \"programme\"; }");
    mkba_h5_totals *t = NULL;
    mkba_summary *s = NULL;
    mkba_decision *d = NULL;
    run_scenario(cfg, path, 1, &t, &s, &d);
    double a = trace_sum(1.0), gap = trace_sum(0.75) - trace_sum(0.6);
    double project = 1234.5 - 62.5 * a, ob = 0.2 * 1234.5;
    double benefits = (1200.0 + (1.0 - DISPLACEMENT) * WAGE) * gap;
    expect(row(d, MKBA_ROW_DELIVERY_ARM), 237.5 * a + 1234.5, 1e-12, "arm's delivery costs");
    expect(row(d, MKBA_ROW_DELIVERY_REF), 300.0 * a, 1e-12, "reference's delivery costs");
    expect(row(d, MKBA_ROW_PROJECT_COSTS), project, 1e-12, "project costs = arm - reference");
    expect(row(d, MKBA_ROW_OF_TEAM), -62.5 * a, 1e-12, "of which team");
    expect(row(d, MKBA_ROW_OF_PROGRAMME), 1234.5, 1e-12, "of which programme");
    assert_true(row(d, MKBA_ROW_OF_INVESTMENT) == 0.0 && row(d, MKBA_ROW_OF_OVERHEADS) == 0.0);
    expect(row(d, MKBA_ROW_OPTIMISM), ob, 1e-12, "optimism bias on the increase only");
    expect(row(d, MKBA_ROW_COSTS), project + ob, 1e-12, "total costs");
    expect(row(d, MKBA_ROW_DIRECT), 1200.0 * gap, 1e-12, "direct effects (avoided care)");
    expect(row(d, MKBA_ROW_BENEFITS), benefits, 1e-12, "total benefits");
    expect(row(d, MKBA_ROW_BCR), benefits / (project + ob), 1e-12, "benefit-cost ratio");
    assert_true(s->costs[1].mean == row(d, MKBA_ROW_COSTS));
    assert_true(s->bcr[1].mean == row(d, MKBA_ROW_BCR));
    /* The table shows the categories the file has, not investment or
     * overheads here. */
    char *text = summary_output(path, "--table mkba");
    if (strstr(text, "delivery costs of the reference (gross)") == NULL
        || strstr(text, "project costs, of which team") == NULL
        || strstr(text, "project costs, of which programme") == NULL
        || strstr(text, "of which investment") != NULL
        || strstr(text, "of which overheads") != NULL)
        fail_msg("the MKBA table does not show the delivery costs and the categories "
                 "present:\n%s", text);
    free(text);
    results_free(t, s, d);

    /* With its continuation after the horizon (7 years, the last year's
     * -62.5 v^3 a(7) of team staff) the saving still gets no uplift. */
    file_variant(cfg, cfg2, "optimism_bias = 0.2;", "optimism_bias = 0.2; residual_years = 7;");
    run_scenario(cfg2, path, 1, &t, &s, &d);
    double v = 1.0 / 1.03, an = 0.0;
    for (int j = 1; j <= 7; j++)
        an += pow(v, j);
    expect(row(d, MKBA_ROW_PROJECT_AFTER), -62.5 * pow(v, 3) * an, 1e-12,
           "project costs after the horizon");
    expect(row(d, MKBA_ROW_OPTIMISM), ob, 1e-12, "optimism bias with a residual value");
    results_free(t, s, d);

    /* Only a saving: no uplift, no ratio. */
    file_variant(cfg, cfg2, programme, "  { payer = \"gemeente-participatiewet\"; once = 0.0; "
                 "arms = [\"integrated\"]; category = \"care\"; }");
    run_scenario(cfg2, path, 1, &t, &s, &d);
    expect(row(d, MKBA_ROW_PROJECT_COSTS), -62.5 * a, 1e-12, "project costs, a saving");
    assert_true(row(d, MKBA_ROW_OPTIMISM) == 0.0);
    expect(row(d, MKBA_ROW_COSTS), -62.5 * a, 1e-12, "total costs, a saving");
    assert_true(isnan(row(d, MKBA_ROW_BCR)) && isnan(s->bcr[1].mean));
    remove(cfg);
    remove(cfg2);
    remove(path);
    results_free(t, s, d);
}

/* Common random numbers: the arms share every household's random stream,
 * so the households that find work in the integrated arm and not in the
 * classic one are the same sample in both. Each work-year gained earns
 * the wage and loses the benefit, so the households' net position is the
 * wage gain times (1 - benefit / wage), and society's production is the
 * wage gain less displacement, exactly, whatever the sample. */
static void test_wage_gain_on_common_random_numbers(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba_test_mkba_wage_%ld.h5", (long)getpid());
    mkba_h5_totals *t = NULL;
    mkba_summary *s = NULL;
    mkba_decision *d = NULL;
    run_fixture(path, 0, &t, &s, &d);
    assert_int_equal(t->households, 3000);

    size_t ne = t->neffects;
    double wages = t->effect_total_disc[1 * ne + 0] - t->effect_total_disc[0 * ne + 0];
    double displaced = t->effect_total_disc[1 * ne + 1] - t->effect_total_disc[0 * ne + 1];
    /* Against the closed form within sampling noise (3000 households). */
    expect(wages, WAGE * (trace_sum(0.75) - trace_sum(0.6)), 0.1, "wage gain");
    expect(displaced, -DISPLACEMENT * wages, 1e-12, "displacement");

    size_t rows = t->npayers + MKBA_PR_EXTRA;
    const double *pt = d->payer_table + 1 * rows * MKBA_PT_N;
    double household = pt[HOUSEHOLD * MKBA_PT_N + MKBA_PT_NET];
    expect(household, wages * (1.0 - BENEFIT / WAGE), 1e-9, "household net: wage less benefit");
    assert_true(household > 0.0);
    assert_true(pt[HOUSEHOLD * MKBA_PT_N + MKBA_PT_P_LOSS] == 0.0);
    expect(row(d, MKBA_ROW_INDIRECT), (1.0 - DISPLACEMENT) * wages, 1e-12,
           "production less displacement");

    remove(path);
    results_free(t, s, d);
}

/* The net wage (docs/decision.md, "Production and wages"): a state payer
 * ("rijk") that receives the tax wedge on the wage. On the same households
 * (common random numbers, the same seed) the households' wage gain plus
 * the state's wedge is the gross wage gain of the run without the wedge,
 * the state gains exactly the wedge share of it, the households' net
 * position falls by that, and society's production and the MKBA balance
 * do not change. */
#define WEDGE 0.0713
static void test_net_wage_and_the_state(void **state)
{
    (void)state;
    char gross_h5[64], net_h5[64], cfg[3][64];
    snprintf(gross_h5, sizeof gross_h5, "/tmp/mkba_test_gross_%ld.h5", (long)getpid());
    snprintf(net_h5, sizeof net_h5, "/tmp/mkba_test_net_%ld.h5", (long)getpid());
    for (int i = 0; i < 3; i++)
        snprintf(cfg[i], sizeof cfg[i], "/tmp/mkba_test_net_%d_%ld.cfg", i, (long)getpid());
    char wedge[256];
    snprintf(wedge, sizeof wedge, "per_year = \"wage_year * (1 - %g)\"; },\n"
             "  { effect = \"wage_taxes\"; domain = \"income\"; state = \"work\"; "
             "per_year = \"wage_year * %g\"; },", WEDGE, WEDGE);
    fixture_variant(cfg[0], "\"huishouden\" );", "\"huishouden\", \"rijk\" );");
    file_variant(cfg[0], cfg[1], "{ name = \"qaly\"; unit = \"QALY\"; }",
                 "{ name = \"qaly\"; unit = \"QALY\"; },\n  { name = \"wage_taxes\"; unit = \"EUR\"; "
                 "monetary = true; payer = \"rijk\"; category = \"indirect\"; }");
    file_variant(cfg[1], cfg[2], "per_year = \"wage_year\"; },", wedge);
    mkba_h5_totals *tg = NULL, *tn = NULL;
    mkba_summary *sg = NULL, *sn = NULL;
    mkba_decision *dg = NULL, *dn = NULL;
    run_fixture(gross_h5, 0, &tg, &sg, &dg);
    run_scenario(cfg[2], net_h5, 0, &tn, &sn, &dn);
    assert_int_equal(tn->npayers, 4);
    assert_int_equal(tn->neffects, 4);

    const size_t eg = tg->neffects, en = tn->neffects;
    double gross = tg->effect_total_disc[1 * eg + 0] - tg->effect_total_disc[0 * eg + 0];
    double net = tn->effect_total_disc[1 * en + 0] - tn->effect_total_disc[0 * en + 0];
    double taxes = tn->effect_total_disc[1 * en + 3] - tn->effect_total_disc[0 * en + 3];
    assert_true(gross > 1000.0);
    expect(net + taxes, gross, 1e-12, "household + state = gross wage");
    expect(taxes, WEDGE * gross, 1e-12, "the state's wedge");

    const size_t rg = tg->npayers + MKBA_PR_EXTRA, rn = tn->npayers + MKBA_PR_EXTRA;
    const double *pg = dg->payer_table + 1 * rg * MKBA_PT_N;
    const double *pn = dn->payer_table + 1 * rn * MKBA_PT_N;
    expect(pn[HOUSEHOLD * MKBA_PT_N + MKBA_PT_NET],
           pg[HOUSEHOLD * MKBA_PT_N + MKBA_PT_NET] - WEDGE * gross, 1e-12,
           "household net: the net wage less the benefit");
    expect(pn[3 * MKBA_PT_N + MKBA_PT_NET], WEDGE * gross, 1e-12, "rijk net: the wedge");
    expect(row(dn, MKBA_ROW_INDIRECT), row(dg, MKBA_ROW_INDIRECT), 1e-12,
           "society's production unchanged");
    expect(row(dn, MKBA_ROW_BALANCE), row(dg, MKBA_ROW_BALANCE), 1e-12,
           "MKBA balance unchanged");

    for (int i = 0; i < 3; i++)
        remove(cfg[i]);
    remove(gross_h5);
    remove(net_h5);
    results_free(tg, sg, dg);
    results_free(tn, sn, dn);
}

/* The bijstand of the pathway library (scenarios/pathways/shared/model.cfg,
 * issue 13), against the parameters of model A in the base case and in 400
 * sampled draws, in every arm. The municipality (gemeente-participatiewet)
 * pays the gross benefit C = N g, with g = bijstand_grossup and N the net
 * norm, computed here from the 2024 norms and the draw's share_single s:
 *   N = 12 (s 1283.83 + (1 - s) 1834.04).
 * The household receives the net part, the state (rijk) the wage tax the
 * municipality withholds on it:
 *   full bijstand (medium, severe): household N, rijk C - N, together C;
 *   light work: the municipality pays T = max(C share_bijstand_light,
 *   g (N - W)), W the net wage in light work (net earnings count against the
 *   net norm); household T / g, rijk T - T / g.
 * So a household in light work (W plus its part) never has less than on
 * full bijstand net, N, and has exactly N where the top-up binds (T = g (N
 * - W)); the earlier top-up C - W gave it N + W (1 - 1 / g) there. Sums the amounts of every work_income rule of category
 * "benefits" by state and recipient, so a rule split further, or one that
 * goes to a third payer, is counted. */
enum { BIJ_LIGHT, BIJ_MEDIUM, BIJ_SEVERE, BIJ_STATES };
enum { BIJ_HOUSEHOLD, BIJ_STATE, BIJ_RECIPIENTS };

typedef struct bij_rule {
    int state, recipient;   /* BIJ_*; recipient BIJ_RECIPIENTS: another payer */
    int amount;             /* value index */
} bij_rule;

static int rule_in(const mkba_model *m, int domain, int state, const char *name)
{
    return domain >= 0 && strcmp(m->domain[domain].name, "work_income") == 0
           && strcmp(m->domain[domain].state[state].name, name) == 0;
}

static int param(const mkba_model *m, const char *name)
{
    int k = mkba_params_find(m->params, name);
    if (k < 0)
        fail_msg("model A has no parameter %s", name);
    return k;
}

static void test_bijstand_to_household_and_state(void **state)
{
    (void)state;
    static const char *const states[BIJ_STATES] = { "light", "medium", "severe" };
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "scenarios/pathways/model-a.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    bij_rule rule[16];
    size_t nrules = 0, to_household[BIJ_STATES] = {0};
    for (size_t i = 0; i < m->ncosts; i++) {
        const mkba_cost_rule *c = &m->cost[i];
        if (c->category == NULL || strcmp(c->category, "benefits") != 0)
            continue;
        int k = -1;
        for (int s = 0; s < BIJ_STATES; s++)
            if (c->kind == MKBA_COST_STATE && rule_in(m, c->domain, c->state, states[s]))
                k = s;
        if (k < 0)
            fail_msg("%s:%d: a benefit outside work_income light, medium, severe", c->file,
                     c->line);
        assert_string_equal(m->payer[c->payer], "gemeente-participatiewet");
        assert_true(c->transfer_to >= 0);
        assert_true(c->wage_indexed);
        assert_true(nrules < sizeof rule / sizeof *rule);
        const char *to = m->payer[c->transfer_to];
        int r = strcmp(to, "huishouden") == 0 ? BIJ_HOUSEHOLD
              : strcmp(to, "rijk") == 0       ? BIJ_STATE : BIJ_RECIPIENTS;
        to_household[k] += r == BIJ_HOUSEHOLD;
        rule[nrules++] = (bij_rule){ k, r, c->amount };
    }
    for (int s = 0; s < BIJ_STATES; s++)
        assert_true(to_household[s] > 0);
    const int single = param(m, "share_single"), grossup = param(m, "bijstand_grossup"),
              gross = param(m, "cost_bijstand_year"), share = param(m, "share_bijstand_light"),
              wage = param(m, "pw_wage_year"), part = param(m, "pw_work_share_light"),
              wedge = param(m, "pw_tax_wedge");
    int wages = -1;
    for (size_t i = 0; i < m->neffect_rules; i++) {
        const mkba_effect_rule *r = &m->effect_rule[i];
        if (strcmp(m->effect[r->effect].name, "wages") == 0
            && rule_in(m, r->domain, r->state, "light"))
            wages = r->amount;
    }
    assert_true(wages >= 0);
    size_t np = mkba_params_count(m->params);
    double *values = calloc(m->narms * (np + 1), sizeof *values);
    mkba_params_work *w = mkba_params_work_alloc(m->params);
    assert_true(values != NULL && w != NULL);
    int binds = 0, loose = 0;
    for (uint32_t draw = 0; draw <= 400; draw++) {
        assert_int_equal(mkba_params_sample(m->params, 7, draw, draw == 400, MKBA_BASE_MEAN,
                                            values, w, &err), MKBA_OK);
        for (size_t a = 0; a < m->narms; a++) {
            const double *v = values + a * np;
            double got[BIJ_STATES][BIJ_RECIPIENTS + 1] = {{0}};
            for (size_t i = 0; i < nrules; i++)
                got[rule[i].state][rule[i].recipient] += v[rule[i].amount];
            double s = v[single], g = v[grossup];
            double norm = 12.0 * (s * 1283.83 + (1.0 - s) * 1834.04), c = norm * g;
            double net_wage = v[wage] * v[part] * (1.0 - v[wedge]);
            double top_up = fmax(c * v[share], g * (norm - net_wage));
            char what[96];
            snprintf(what, sizeof what, "draw %u, arm %zu: cost_bijstand_year = N g",
                     (unsigned)draw, a);
            expect(v[gross], c, 1e-12, what);
            snprintf(what, sizeof what, "draw %u, arm %zu: the net wage in light work",
                     (unsigned)draw, a);
            expect(v[wages], net_wage, 1e-12, what);
            for (int k = 0; k < BIJ_STATES; k++) {
                double paid = k == BIJ_LIGHT ? top_up : c;
                const double *t = got[k];
                snprintf(what, sizeof what, "draw %u, arm %zu, %s: household = the net part",
                         (unsigned)draw, a, states[k]);
                expect(t[BIJ_HOUSEHOLD], paid / g, 1e-9, what);
                snprintf(what, sizeof what, "draw %u, arm %zu, %s: rijk = the tax on it",
                         (unsigned)draw, a, states[k]);
                expect(t[BIJ_STATE], paid - paid / g, 1e-9, what);
                snprintf(what, sizeof what, "draw %u, arm %zu, %s: no other recipient",
                         (unsigned)draw, a, states[k]);
                expect(t[BIJ_RECIPIENTS], 0.0, 0.0, what);
                snprintf(what, sizeof what, "draw %u, arm %zu, %s: what the municipality pays",
                         (unsigned)draw, a, states[k]);
                expect(t[BIJ_HOUSEHOLD] + t[BIJ_STATE], paid, 1e-12, what);
            }
            /* Full bijstand: the net norm itself, not the gross benefit. */
            snprintf(what, sizeof what, "draw %u, arm %zu: full bijstand to the household",
                     (unsigned)draw, a);
            expect(got[BIJ_MEDIUM][BIJ_HOUSEHOLD], norm, 1e-9, what);
            double income = net_wage + got[BIJ_LIGHT][BIJ_HOUSEHOLD];
            if (income < norm - 1e-9 * norm)
                fail_msg("draw %u, arm %zu: light work %.2f < full bijstand net %.2f",
                         (unsigned)draw, a, income, norm);
            if (g * (norm - net_wage) >= c * v[share]) {
                snprintf(what, sizeof what, "draw %u, arm %zu: light work where the top-up "
                         "binds", (unsigned)draw, a);
                expect(income, norm, 1e-9, what);
                binds++;
            } else {
                loose++;
            }
        }
    }
    /* Both branches of the top-up occur: each check above can fail. */
    assert_true(binds > 0 && loose > 0);
    free(values);
    mkba_params_work_free(w);
    mkba_model_free(m);
}

/* Who switches model, and so pays the dismantling of the reference's teams
 * and every other one-off switching cost: the arms with another pathway
 * rule or other teams, not the reference, and not an arm that keeps the
 * reference's model (here model C's pathway given model B's rule and
 * teams). */
static void test_dismantling_only_when_switching(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "scenarios/pathways/current-model-b.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_services *sv = &m->services;
    assert_true(sv->dismantling >= 0);
    assert_int_equal(m->narms, 3);
    assert_false(mkba_services_switches(sv, m->reference, (size_t)m->reference));
    for (size_t a = 0; a < m->narms; a++)
        assert_int_equal(mkba_services_switches(sv, m->reference, a), (int)a != m->reference);
    size_t other = m->reference == 2 ? 1 : 2;
    sv->pathway[other].rule = sv->pathway[m->reference].rule;
    assert_true(mkba_services_switches(sv, m->reference, other));   /* other teams */
    sv->pathway[other].teams_used = sv->pathway[m->reference].teams_used;
    assert_false(mkba_services_switches(sv, m->reference, other));
    mkba_model_free(m);
}

/* The residual value: 0 years reproduces the table without the setting bit
 * for bit; N years adds the last year (cycle 4, discounted by v^3) per year
 * continued N more years, discounted by sum_{j=1..N} v^j:
 *   project costs after the horizon  237.5 v^3 a(N)
 *   effects after the horizon        (1200 + 0.7 w) (0.75^3 - 0.6^3) v^3 a(N). */
static void test_residual_value(void **state)
{
    (void)state;
    char cfg[64], path[64];
    snprintf(cfg, sizeof cfg, "/tmp/mkba_test_residual_%ld.cfg", (long)getpid());
    snprintf(path, sizeof path, "/tmp/mkba_test_residual_%ld.h5", (long)getpid());
    mkba_h5_totals *t0 = NULL, *t = NULL;
    mkba_summary *s0 = NULL, *s = NULL;
    mkba_decision *d0 = NULL, *d = NULL;
    run_fixture(path, 1, &t0, &s0, &d0);
    fixture_variant(cfg, "optimism_bias = 0.2;", "optimism_bias = 0.2; residual_years = 0;");
    run_scenario(cfg, path, 1, &t, &s, &d);
    assert_int_equal(t->residual_years, 0);
    assert_memory_equal(d->mkba, d0->mkba, 2 * MKBA_ROW_N * MKBA_ST_N * sizeof *d->mkba);
    assert_true(row(d, MKBA_ROW_PROJECT_AFTER) == 0.0 && row(d, MKBA_ROW_RESIDUAL) == 0.0);
    results_free(t, s, d);

    const int n = 7;
    fixture_variant(cfg, "optimism_bias = 0.2;", "optimism_bias = 0.2; residual_years = 7;");
    run_scenario(cfg, path, 1, &t, &s, &d);
    assert_int_equal(t->residual_years, n);
    double v = 1.0 / 1.03, an = 0.0;
    for (int j = 1; j <= n; j++)
        an += pow(v, j);
    double last = pow(v, 3), gap = pow(0.75, 3) - pow(0.6, 3);
    double project_after = 237.5 * last * an;
    double effects_after = (1200.0 + (1.0 - DISPLACEMENT) * WAGE) * gap * last * an;
    expect(row(d, MKBA_ROW_PROJECT_AFTER), project_after, 1e-12, "project costs after");
    expect(row(d, MKBA_ROW_RESIDUAL), effects_after, 1e-12, "effects after the horizon");
    /* The horizon's rows are unchanged; the totals add exactly the stated
     * continuation (optimism bias on the project part). */
    assert_true(row(d, MKBA_ROW_PROJECT_COSTS) == row(d0, MKBA_ROW_PROJECT_COSTS));
    assert_true(row(d, MKBA_ROW_DIRECT) == row(d0, MKBA_ROW_DIRECT));
    expect(row(d, MKBA_ROW_COSTS) - row(d0, MKBA_ROW_COSTS), 1.2 * project_after, 1e-9,
           "total costs added");
    expect(row(d, MKBA_ROW_BENEFITS) - row(d0, MKBA_ROW_BENEFITS), effects_after, 1e-9,
           "total benefits added");
    assert_true(s->bcr[1].mean == row(d, MKBA_ROW_BCR));
    /* One balance: the summary's benefits - costs is the table's balance;
     * the answer's NPV stays that of the horizon, and the summary says
     * they differ. Without the settings (t0: optimism bias on the project
     * costs only) the balance is the NPV less the optimism bias. */
    expect(s->balance[1].mean, s->benefits[1].mean - s->costs[1].mean, 1e-12,
           "summary balance = benefits - costs");
    expect(s->balance[1].mean, row(d, MKBA_ROW_BALANCE), 1e-12, "summary = table balance");
    assert_true(s->npv[1].mean == s0->npv[1].mean);
    expect(s0->balance[1].mean, s0->npv[1].mean - row(d0, MKBA_ROW_OPTIMISM), 1e-9,
           "balance = NPV - optimism bias");
    char *text = summary_output(path, "");
    if (strstr(text, "The MKBA balance differs from the answer's NPV") == NULL
        || strstr(text, "MKBA balance (benefits - costs)") == NULL)
        fail_msg("the summary names neither the balance nor their difference:\n%s", text);
    free(text);
    remove(cfg);
    remove(path);
    results_free(t, s, d);
    results_free(t0, s0, d0);
}

/* The residual value with different rates for costs (4%) and effects
 * (1.5%): the costs of the last year, project and avoided care, carry on
 * at the cost rate, the monetary effects at the effect rate, with
 * vc = 1/1.04, ve = 1/1.015 and ac, ae their sums over 7 years:
 *   project costs after the horizon  237.5 vc^3 ac
 *   effects after the horizon        (1200 vc^3 ac + 0.7 w ve^3 ae) (0.75^3 - 0.6^3).
 * Swapping the two rates in the continuation fails here. */
static void test_residual_value_two_rates(void **state)
{
    (void)state;
    char cfg[64], cfg2[64], path[64];
    snprintf(cfg, sizeof cfg, "/tmp/mkba_test_residual_rates_%ld.cfg", (long)getpid());
    snprintf(cfg2, sizeof cfg2, "/tmp/mkba_test_residual_rates2_%ld.cfg", (long)getpid());
    snprintf(path, sizeof path, "/tmp/mkba_test_residual_rates_%ld.h5", (long)getpid());
    fixture_variant(cfg, "optimism_bias = 0.2;", "optimism_bias = 0.2; residual_years = 7;");
    file_variant(cfg, cfg2, "discount = { costs = 0.03; effects = 0.03; };",
                 "discount = { costs = 0.04; effects = 0.015; };");
    mkba_h5_totals *t = NULL;
    mkba_summary *s = NULL;
    mkba_decision *d = NULL;
    run_scenario(cfg2, path, 1, &t, &s, &d);
    assert_true(t->rate_costs == 0.04 && t->rate_effects == 0.015);
    double vc = 1.0 / 1.04, ve = 1.0 / 1.015, ac = 0.0, ae = 0.0;
    for (int j = 1; j <= 7; j++) {
        ac += pow(vc, j);
        ae += pow(ve, j);
    }
    double gap = pow(0.75, 3) - pow(0.6, 3);
    expect(row(d, MKBA_ROW_PROJECT_AFTER), 237.5 * pow(vc, 3) * ac, 1e-12,
           "project costs after, at the cost rate");
    expect(row(d, MKBA_ROW_RESIDUAL),
           (1200.0 * pow(vc, 3) * ac + (1.0 - DISPLACEMENT) * WAGE * pow(ve, 3) * ae) * gap,
           1e-12, "effects after, each at its rate");
    remove(cfg);
    remove(cfg2);
    remove(path);
    results_free(t, s, d);
}

/* The residual value under the half-cycle correction, which weighs the
 * last cycle's occupancy by 1/2 ("both") or 3/2 ("start"): the year
 * continued is cycle 3, the last whole one, moved one year on (v^3), so
 * with occupancy "both" (cycle 3 counts point 3) the continuation is that
 * of test_residual_value, and with "start" (cycle 3 counts point 2)
 *   effects after the horizon  (1200 + 0.7 w) (0.75^2 - 0.6^2) v^3 a(N).
 * The team's 237.5 a year is the same in every cycle: 237.5 v^3 a(N). */
static void test_residual_value_half_cycle(void **state)
{
    (void)state;
    static const struct { const char *occupancy; int point; } timing[] = {
        { "both", 3 }, { "start", 2 },
    };
    char cfg[64], path[64], cfg2[64], text[160];
    snprintf(cfg, sizeof cfg, "/tmp/mkba_test_residual_half_%ld.cfg", (long)getpid());
    snprintf(cfg2, sizeof cfg2, "/tmp/mkba_test_residual_half2_%ld.cfg", (long)getpid());
    snprintf(path, sizeof path, "/tmp/mkba_test_residual_half_%ld.h5", (long)getpid());
    const int n = 7;
    double v = 1.0 / 1.03, an = 0.0;
    for (int j = 1; j <= n; j++)
        an += pow(v, j);
    for (size_t i = 0; i < sizeof timing / sizeof *timing; i++) {
        mkba_h5_totals *t = NULL;
        mkba_summary *s = NULL;
        mkba_decision *d = NULL;
        fixture_variant(cfg, "optimism_bias = 0.2;", "optimism_bias = 0.2; residual_years = 7;");
        snprintf(text, sizeof text, "correction = \"half-cycle\"; occupancy = \"%s\";",
                 timing[i].occupancy);
        file_variant(cfg, cfg2, "correction = \"none\"; occupancy = \"start\";", text);
        run_scenario(cfg2, path, 1, &t, &s, &d);
        assert_int_equal(t->last_cycle_partial, 1);
        double gap = pow(0.75, timing[i].point) - pow(0.6, timing[i].point);
        expect(row(d, MKBA_ROW_PROJECT_AFTER), 237.5 * pow(v, 3) * an, 1e-12,
               "project costs after (half-cycle)");
        expect(row(d, MKBA_ROW_RESIDUAL),
               (1200.0 + (1.0 - DISPLACEMENT) * WAGE) * gap * pow(v, 3) * an, 1e-12,
               timing[i].occupancy);
        results_free(t, s, d);
    }
    remove(cfg);
    remove(cfg2);
    remove(path);
}

/* Health: without a value per QALY the table lists the QALY change as a
 * PM item (no row); with health_value it adds value x 0.1 (S(0.75) -
 * S(0.6)), the discounted QALYs gained by the extra work-years. */
static void test_health_valued_or_pm(void **state)
{
    (void)state;
    char cfg[64], path[64];
    snprintf(cfg, sizeof cfg, "/tmp/mkba_test_health_%ld.cfg", (long)getpid());
    snprintf(path, sizeof path, "/tmp/mkba_test_health_%ld.h5", (long)getpid());
    mkba_h5_totals *t = NULL;
    mkba_summary *s = NULL;
    mkba_decision *d = NULL;
    run_fixture(path, 1, &t, &s, &d);
    assert_int_equal(t->health_effect, -1);
    assert_true(row(d, MKBA_ROW_HEALTH) == 0.0);
    double before = row(d, MKBA_ROW_BENEFITS);
    char *text = summary_output(path, "--table mkba");
    if (strstr(text, "PM: qaly +") == NULL || strstr(text, "health (valued") != NULL)
        fail_msg("no PM row for the QALYs:\n%s", text);
    free(text);
    results_free(t, s, d);

    fixture_variant(cfg, "optimism_bias = 0.2;", "optimism_bias = 0.2; health_value = { "
                    "effect = \"qaly\"; value = 41234.5; source = \"a test value\"; };");
    run_scenario(cfg, path, 1, &t, &s, &d);
    assert_string_equal(t->health_value_source, "a test value");
    double gain = 41234.5 * 0.1 * (trace_sum(0.75) - trace_sum(0.6));
    expect(row(d, MKBA_ROW_HEALTH), gain, 1e-12, "health valued in money");
    expect(row(d, MKBA_ROW_BENEFITS) - before, gain, 1e-9, "benefits added");
    text = summary_output(path, "--table mkba");
    if (strstr(text, "health (valued in money)") == NULL || strstr(text, "a test value") == NULL
        || strstr(text, "PM: qaly") != NULL)
        fail_msg("no health row or source:\n%s", text);
    free(text);
    remove(cfg);
    remove(path);
    results_free(t, s, d);
}

/* A health value must name a non-monetary effect and give its source. */
static void test_bad_health_value(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        { "effect = \"wages\"; value = 50000.0; source = \"s\";", "is monetary" },
        { "effect = \"qali\"; value = 50000.0; source = \"s\";", "qaly" },
        { "effect = \"qaly\"; value = 50000.0; source = \"\";", "where the value" },
        { "effect = \"qaly\"; value = -1.0; source = \"s\";", "out of range" },
        { "effect = \"qaly\"; value = 50000.0;", "source" },
    };
    char cfg[64], to[256];
    snprintf(cfg, sizeof cfg, "/tmp/mkba_test_bad_health_%ld.cfg", (long)getpid());
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(to, sizeof to, "optimism_bias = 0.2; health_value = { %s };", bad[i][0]);
        fixture_variant(cfg, "optimism_bias = 0.2;", to);
        mkba_error err = {0};
        mkba_model *m = NULL;
        assert_int_not_equal(mkba_scenario_load(NULL, cfg, &m, &err), MKBA_OK);
        if (strstr(err.message, "health_value") == NULL || strstr(err.message, bad[i][1]) == NULL)
            fail_msg("%s: unhelpful message: %s", bad[i][0], err.message);
    }
    remove(cfg);
}

/* Index of `name` in names[0..n), failing the test when absent. */
static size_t index_of(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    fail_msg("no '%s'", name);
    return n;
}

/* The first occurrence of `from` in text replaced by `to`, in a new
 * string the caller frees; fails the test when text has no `from`. */
static char *replace_once(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (at == NULL)
        fail_msg("no '%s'", from);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

/* A reference that is a municipality's current model runs
 * (scenarios/pathways/current-model-b.cfg: model B in place, models A and
 * C switching), and the switching costs (docs/decision.md, "The reference
 * arm") appear only in the arms that switch model. A fourth arm,
 * model_b_same, keeps the reference's model: model_b's arm (its mature
 * overrides) and pathway under another name, not the reference; a fifth,
 * model_b_pooled, keeps it too but pools its budgets, which the reference
 * does not; a sixth, model_b_full, the same at degree full: an upgrade
 * (review rev11e M1). In every one of 3 PSA draws:
 *   model_b_same: exactly the reference's costs in every cost category,
 *     cycle and payer, and an MKBA balance of exactly 0 (it pays no
 *     switching cost, and on common random numbers its households fare as
 *     the reference's);
 *   cycle 1's costs per household of the population, from the draw's
 *   parameters (the dismantling here a constructed 1,234,567.8):
 *     "programme", every arm: (recurring + co-location + ICT running
 *       [+ pooling running] + secondment x own staff) x 1.0225^-0.5 (one
 *       year, discounted at mid-cycle);
 *     "investment", 0 in model_b and model_b_same; the pooling investment
 *       alone in model_b_pooled (the set-up of what it adds); in
 *       model_b_full that and its pathway's investment (no ICT or front
 *       office set-up, no double running, no dismantling); in the
 *       switching arms investment + ICT investment + front office
 *       investment [+ pooling investment] + 1,234,567.8 / the population,
 *       at time 0, + double running x min(1, its years) x own staff x
 *       1.0225^-0.5. */
#define DISMANTLING 1234567.8
static void test_current_model_as_reference(void **state)
{
    (void)state;
    char path[64], cfg[96];
    snprintf(path, sizeof path, "/tmp/mkba_test_current_b_%ld.h5", (long)getpid());
    /* A copy in a folder of its own under /tmp (DIR/s/p/, with DIR/params
     * and DIR/s/p/shared linked to the library's, which the includes name
     * relative to scenarios/pathways), so nothing is written into the
     * source tree. */
    char dir[64] = "/tmp/mkba_test_current_b_XXXXXX", cwd[PATH_MAX], at[PATH_MAX + 64];
    char made[4][96];
    assert_non_null(mkdtemp(dir));
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(made[0], sizeof made[0], "%s/params", dir);
    snprintf(at, sizeof at, "%s/params", cwd);
    assert_int_equal(symlink(at, made[0]), 0);
    snprintf(made[1], sizeof made[1], "%s/s", dir);
    snprintf(made[2], sizeof made[2], "%s/s/p", dir);
    assert_int_equal(mkdir(made[1], 0700), 0);
    assert_int_equal(mkdir(made[2], 0700), 0);
    snprintf(made[3], sizeof made[3], "%s/s/p/shared", dir);
    snprintf(at, sizeof at, "%s/scenarios/pathways/shared", cwd);
    assert_int_equal(symlink(at, made[3]), 0);
    snprintf(cfg, sizeof cfg, "%s/s/p/current-b.cfg", dir);
    /* Both the MKBA scenario and its budget twin state the dismantling
     * (review cal13, finding 6); here it is fixed at DISMANTLING. */
    const char *dismantling = "@include \"shared/dismantling-model-b.cfg\"\n";
    char *budget = support_read_file("scenarios/pathways/budget-current-model-b.cfg");
    char *text = support_read_file("scenarios/pathways/current-model-b.cfg");
    char *arm = support_read_file("scenarios/pathways/shared/arms/model-b-current.cfg");
    char *way = support_read_file("scenarios/pathways/shared/pathways/model-b.cfg");
    assert_non_null(budget);
    assert_non_null(text);
    assert_non_null(arm);
    assert_non_null(way);
    assert_non_null(strstr(budget, dismantling));
    free(budget);
    char fixed[64];
    snprintf(fixed, sizeof fixed, "dismantling = %.1f;\n", DISMANTLING);
    /* model_b_same: the reference's arm and pathway, renamed, appended. */
    char *same_arm = replace_once(arm, "name = \"model_b\"; reference = true;",
                                  "name = \"model_b_same\";");
    char *same_way = replace_once(way, "    model_b = {", "    model_b_same = {");
    char *pooled_arm = replace_once(arm, "name = \"model_b\"; reference = true;",
                                    "name = \"model_b_pooled\";");
    char *pooled_way0 = replace_once(way, "    model_b = {", "    model_b_pooled = {");
    char *pooled_way = replace_once(
        pooled_way0, "unpooled = { shift = \"unpooled_shift\"; second_line = \"unpooled_second_line\"; };",
        "pooled_budgets = true; "
        "pooling_investment = \"pooling_invest_per_household * svc_population\"; "
        "pooling_running = \"pooling_recurring_per_household * svc_population\";");
    /* model_b_full: the pooled one at degree full, an upgrade. */
    char *full_arm = replace_once(arm, "name = \"model_b\"; reference = true;",
                                  "name = \"model_b_full\";");
    char *full_way0 = replace_once(pooled_way, "    model_b_pooled = {", "    model_b_full = {");
    char *full_way = replace_once(full_way0, "degree = \"partial\"", "degree = \"full\"");
    const char *last_arm = "@include \"shared/arms/model-c.cfg\"\n";
    const char *last_way = "@include \"shared/pathways/model-c.cfg\"\n";
    size_t n = strlen(last_arm) + strlen(same_arm) + strlen(pooled_arm) + strlen(full_arm) + 12;
    size_t nw = strlen(last_way) + strlen(same_way) + strlen(pooled_way) + strlen(full_way) + 1;
    char *arms = malloc(n), *ways = malloc(nw);
    assert_non_null(arms);
    assert_non_null(ways);
    snprintf(arms, n, "%s,\n%s,\n%s,\n%s", last_arm, same_arm, pooled_arm, full_arm);
    snprintf(ways, nw, "%s%s%s%s", last_way, same_way, pooled_way, full_way);
    char *t1 = replace_once(text, dismantling, fixed);
    char *t2 = replace_once(t1, last_arm, arms);
    char *t3 = replace_once(t2, last_way, ways);
    assert_int_equal(support_write_file(cfg, t3), 0);
    char *texts[] = { text,       arm,         way,        same_arm, same_way, pooled_arm,
                      pooled_way0, pooled_way, full_arm, full_way0, full_way, arms, ways,
                      t1,          t2,         t3 };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        free(texts[i]);
    mkba_h5_totals *t = NULL;
    mkba_summary *s = NULL;
    mkba_decision *d = NULL;
    run_scenario_draws(cfg, path, 0, 3, 400, &t, &s, &d);
    remove(cfg);
    for (int i = 3; i >= 0; i--)
        remove(made[i]);
    rmdir(dir);
    assert_string_equal(t->arm[t->reference], "model_b");
    assert_int_equal(t->narms, 6);
    assert_int_equal(t->ndraws, 3);
    const size_t R = (size_t)t->reference, same = 3;
    assert_string_equal(t->arm[same], "model_b_same");
    assert_string_equal(t->arm[4], "model_b_pooled");
    assert_string_equal(t->arm[5], "model_b_full");

    mkba_error err = {0};
    mkba_h5_store *st = mkba_h5_store_open(path, 0, &err);
    assert_non_null(st);
    char **pname = NULL;
    size_t np = 0;
    assert_int_equal(mkba_h5_store_read_strings(st, "/labels/parameters", &pname, &np, &err),
                     MKBA_OK);
    mkba_h5_store_close(st, NULL);
    size_t count = 0;
    double *par = support_read_doubles(path, "/draws/parameters", &count);
    assert_non_null(par);
    assert_int_equal(count, t->ndraws * t->narms * np);
    size_t inv = index_of(pname, np, "invest_per_household");
    size_t rec = index_of(pname, np, "recurring_per_household");
    size_t col = index_of(pname, np, "colocation_per_household");
    /* All arms share ICT (issue 12): its running cost is yearly programme
     * cost in every arm, its investment part of the switch. */
    size_t ict_inv = index_of(pname, np, "ict_invest_per_household");
    size_t ict_rec = index_of(pname, np, "ict_recurring_per_household");
    size_t pop = index_of(pname, np, "svc_population");
    /* Degrees of integration (issue 12): every arm has a front office,
     * whose fit-out is part of the switch; model A (full) pools its
     * budgets, at a one-off and a yearly cost; B and C (partial) do not. */
    size_t fo_inv = index_of(pname, np, "front_office_invest_per_household");
    size_t pool_inv = index_of(pname, np, "pooling_invest_per_household");
    size_t pool_rec = index_of(pname, np, "pooling_recurring_per_household");
    size_t prog = index_of(t->category, t->ncategories, "programme");
    size_t invc = index_of(t->category, t->ncategories, "investment");
    size_t nc = t->ncategories, T = t->ncycles, P = t->npayers, A = t->narms;
    /* Start-up and secondment (issue 12): every arm's seconded staff's
     * extra work, and the switching arms' old structure running on for
     * the part of cycle 1 in its period, as shares of the staff cost of
     * the teams the arm sets up (FTE for the population). */
    size_t sec = index_of(pname, np, "secondment_overhead");
    size_t dr = index_of(pname, np, "double_running_share");
    size_t dry = index_of(pname, np, "double_running_years");
    size_t cpf = index_of(pname, np, "cost_fte_generalist");
    static const char *const own[][4] = {
        { "model_b", "fte_team_adult", "fte_team_family", "fte_mpg" },
        { "model_a", "fte_wijkteam", NULL, NULL },
        { "model_c", "fte_frontpost", NULL, NULL },
        { "model_b_same", "fte_team_adult", "fte_team_family", "fte_mpg" },
        { "model_b_pooled", "fte_team_adult", "fte_team_family", "fte_mpg" },
        { "model_b_full", "fte_team_adult", "fte_team_family", "fte_mpg" },
    };
    int project[64];
    assert_true(nc <= 64);
    mkba_rows_project_mask(t, project);
    for (size_t dw = 0; dw < t->ndraws; dw++) {
        /* The arm that keeps the model: the reference's costs exactly. */
        const double *cc = t->cost_category_disc, *cu = t->cost_category_undisc;
        for (size_t i = 0; i < T * nc; i++)
            if (cc[(dw * A + same) * T * nc + i] != cc[(dw * A + R) * T * nc + i]
                || cu[(dw * A + same) * T * nc + i] != cu[(dw * A + R) * T * nc + i])
                fail_msg("draw %zu, cycle %zu, %s: model_b_same %.17g, model_b %.17g", dw,
                         i / nc + 1, t->category[i % nc], cc[(dw * A + same) * T * nc + i],
                         cc[(dw * A + R) * T * nc + i]);
        for (size_t i = 0; i < T * P; i++)
            if (t->cost_disc[(dw * A + same) * T * P + i] != t->cost_disc[(dw * A + R) * T * P + i])
                fail_msg("draw %zu, cycle %zu, %s: model_b_same differs from model_b", dw,
                         i / P + 1, t->payer[i % P]);
        double row[MKBA_ROW_N];
        mkba_rows_compute(t, project, dw, same, row);
        if (row[MKBA_ROW_PROJECT_COSTS] != 0.0 || row[MKBA_ROW_BENEFITS] != 0.0
            || row[MKBA_ROW_BALANCE] != 0.0)
            fail_msg("draw %zu: model_b_same project costs %g, benefits %g, balance %g", dw,
                     row[MKBA_ROW_PROJECT_COSTS], row[MKBA_ROW_BENEFITS], row[MKBA_ROW_BALANCE]);
        for (size_t a = 0; a < A; a++) {
            const double *v = par + (dw * A + a) * np;
            const double *got = t->cost_category_disc + ((dw * A + a) * T + 0) * nc;
            double staff = 0.0;
            for (size_t i = 0; i < 6; i++)
                for (size_t j = 1; j < 4 && strcmp(own[i][0], t->arm[a]) == 0 && own[i][j]; j++)
                    staff += v[index_of(pname, np, own[i][j])] * v[cpf] / v[pop];
            assert_true(staff > 100.0);
            int switches = a != R && a != same && a != 4 && a != 5, upgrade = a == 5;
            int pooled = strcmp(t->arm[a], "model_a") == 0 || a == 4 || a == 5;
            double df = pow(1.0225, -0.5);
            double yearly = (v[rec] + v[col] + v[ict_rec] + (pooled ? v[pool_rec] : 0.0)
                             + v[sec] * staff) * df;
            double once = !switches ? (pooled ? v[pool_inv] : 0.0) + (upgrade ? v[inv] : 0.0)
                                    : v[inv] + v[ict_inv] + v[fo_inv]
                                          + (pooled ? v[pool_inv] : 0.0) + DISMANTLING / v[pop]
                                          + v[dr] * fmin(1.0, v[dry]) * staff * df;
            char what[64];
            snprintf(what, sizeof what, "draw %zu, %s programme", dw, t->arm[a]);
            expect(got[prog], yearly, 1e-12, what);
            snprintf(what, sizeof what, "draw %zu, %s investment", dw, t->arm[a]);
            if (!switches && !pooled)
                assert_true(got[invc] == 0.0);
            else
                expect(got[invc], once, 1e-12, what);
            assert_true(v[inv] > 100.0);     /* the investment would be seen */
        }
    }
    mkba_h5_store_strings_free(pname, np);
    free(par);
    remove(path);
    results_free(t, s, d);
}

/* Which arms pay a pathway's one-off costs and which dismantle: against a
 * reference on rule B with teams 0 and 1 at degree partial, an arm with the
 * same rule, teams and degree keeps the model (neither); one at degree full
 * sets up another model (its investment, review rev11c M2) but keeps the
 * teams (no dismantling); one with other teams or another rule, or on the
 * classic route by its degree (none), switches (both); the reference
 * itself neither. */
static void test_who_changes_model(void **state)
{
    (void)state;
    static mkba_services sv;    /* large: off the stack */
    memset(&sv, 0, sizeof sv);
    for (size_t a = 0; a < 6; a++) {
        sv.pathway[a].rule = MKBA_ROUTE_SPECIFIC;
        sv.pathway[a].teams_used = 3;
        sv.pathway[a].degree = MKBA_DEGREE_PARTIAL;
    }
    sv.pathway[2].degree = MKBA_DEGREE_FULL;
    sv.pathway[3].teams_used = 7;
    sv.pathway[4].rule = MKBA_ROUTE_BROAD;
    sv.pathway[5].degree = MKBA_DEGREE_NONE;    /* the classic route: another model */
    static const int changes[6] = { 0, 0, 1, 1, 1, 1 }, switches[6] = { 0, 0, 0, 1, 1, 1 };
    for (size_t a = 0; a < 6; a++) {
        assert_int_equal(mkba_services_changes_model(&sv, 0, a), changes[a]);
        assert_int_equal(mkba_services_switches(&sv, 0, a), switches[a]);
    }
    /* Against a reference on the classic route by its degree, the same
     * rule and teams at degree partial switch too (review final11 M1). */
    assert_int_equal(mkba_services_switches(&sv, 5, 0), 1);
}

/* A reference on the classic route (model-a.cfg) has no integrated teams
 * to dismantle: services.dismantling there is refused, naming the file,
 * the line and the setting. */
static void test_dismantling_needs_teams(void **state)
{
    (void)state;
    char cfg[64];
    snprintf(cfg, sizeof cfg, "scenarios/pathways/mkba_test_dismantle_%ld.cfg", (long)getpid());
    file_variant("scenarios/pathways/model-a.cfg", cfg, "  pathways = {",
                 "  dismantling = 1000.0;\n  pathways = {");
    char *text = support_read_file(cfg), line[160];
    assert_non_null(text);
    int n = 1;
    for (const char *c = text; c < strstr(text, "dismantling = 1000.0"); c++)
        n += *c == '\n';
    free(text);
    snprintf(line, sizeof line, "%s:%d: services.dismantling", cfg, n);
    mkba_error err = {0};
    mkba_model *m = NULL;
    int rc = mkba_scenario_load(NULL, cfg, &m, &err);
    remove(cfg);
    assert_int_not_equal(rc, MKBA_OK);
    assert_null(m);
    if (strstr(err.message, line) == NULL || strstr(err.message, "classic route") == NULL)
        fail_msg("unhelpful message: %s", err.message);
}

/* A dismantling that a draw makes negative (an expression, so the loader
 * cannot refuse it) is refused when the run checks the draw, naming the
 * file, the line and the setting and an arm that pays it (one that
 * switches model), not the reference, which does not. */
static void test_negative_dismantling_names_payer(void **state)
{
    (void)state;
    char cfg[80], out[80];
    snprintf(cfg, sizeof cfg, "scenarios/pathways/mkba_test_dismantle_neg_%ld.cfg",
             (long)getpid());
    snprintf(out, sizeof out, "/tmp/mkba_test_dismantle_neg_%ld.h5", (long)getpid());
    file_variant("scenarios/pathways/current-model-b.cfg", cfg,
                 "@include \"shared/dismantling-model-b.cfg\"",
                 "dismantling = \"svc_population * -1\";");
    char *text = support_read_file(cfg), line[160];
    assert_non_null(text);
    int n = 1;
    for (const char *c = text; c < strstr(text, "dismantling = \"svc"); c++)
        n += *c == '\n';
    free(text);
    snprintf(line, sizeof line, "%s:%d: services.dismantling", cfg, n);
    mkba_error err = {0};
    mkba_model *m = NULL;
    int rc = mkba_scenario_load(NULL, cfg, &m, &err);
    remove(cfg);
    assert_int_equal(rc, MKBA_OK);
    mkba_run_options o;
    support_run_options(&o, out, 0, 100);
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 1;
    assert_int_not_equal(mkba_run(&ctx, m, &o, &err), MKBA_OK);
    mkba_model_free(m);
    remove(out);
    if (strstr(err.message, line) == NULL || strstr(err.message, "arm 'model_a'") == NULL
        || strstr(err.message, "model_b") != NULL || strstr(err.message, "-10000") == NULL)
        fail_msg("unhelpful message: %s", err.message);
}

/* An empty calibration target says nothing: refused, naming the file, the
 * line and the setting. */
static void test_empty_calibration_target(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba_test_calibrated_%ld.cfg", (long)getpid());
    static const char target[] = "\"a 40% yearly job-finding rate\"";
    fixture_variant(path, target, "\"\"");
    /* The line of the setting, counted in the fixture. */
    char *cfg = support_read_file("tests/data/mkba.cfg"), line[32];
    assert_non_null(cfg);
    int n = 1;
    for (const char *c = cfg; c < strstr(cfg, target); c++)
        n += *c == '\n';
    free(cfg);
    snprintf(line, sizeof line, ":%d:", n);
    mkba_error err = {0};
    mkba_model *m = NULL;
    assert_int_not_equal(mkba_scenario_load(NULL, path, &m, &err), MKBA_OK);
    assert_null(m);
    if (strstr(err.message, path) == NULL || strstr(err.message, "calibrated_to") == NULL
        || strstr(err.message, line) == NULL)
        fail_msg("unhelpful message: %s", err.message);
    /* An essay is refused too (the banner quotes the target twice); the
     * longest allowed loads. */
    char long_target[MKBA_CALIBRATED_TO_MAX + 4];
    for (int fits = 0; fits <= 1; fits++) {
        size_t len = MKBA_CALIBRATED_TO_MAX + (fits ? 0 : 1);
        long_target[0] = '"';
        memset(long_target + 1, 'x', len);
        snprintf(long_target + 1 + len, 2, "\"");
        fixture_variant(path, target, long_target);
        err = (mkba_error){0};
        m = NULL;
        int rc = mkba_scenario_load(NULL, path, &m, &err);
        if (fits) {
            assert_int_equal(rc, MKBA_OK);
            mkba_model_free(m);
        } else {
            assert_int_not_equal(rc, MKBA_OK);
            assert_null(m);
            if (strstr(err.message, line) == NULL || strstr(err.message, "calibrated_to") == NULL
                || strstr(err.message, "expected at most 160") == NULL)
                fail_msg("unhelpful message: %s", err.message);
        }
    }
    remove(path);
}

/* A file whose stored MKBA table has other rows than this program's (an
 * older version's 13, or one label renamed) is read from its draws, not
 * taken as stored: with the stored table zeroed and one row label changed
 * the JSON summary is byte for byte the original's; zeroed under the
 * current labels, the stored zeros show (so the test sees which it read). */
static void test_older_table_recomputed(void **state)
{
    (void)state;
    char path[64], bad[64];
    /* Names of one length: the summary names its file, put back below. */
    snprintf(path, sizeof path, "/tmp/mkba_test_rows_a_%ld.h5", (long)getpid());
    snprintf(bad, sizeof bad, "/tmp/mkba_test_rows_b_%ld.h5", (long)getpid());
    mkba_h5_totals *t;
    mkba_summary *s;
    mkba_decision *d;
    run_fixture(path, 0, &t, &s, &d);
    results_free(t, s, d);
    char *want = summary_output(path, "--format json");
    for (int rename = 0; rename <= 1; rename++) {
        hid_t f = support_damaged_copy(path, bad);
        assert_true(f >= 0);
        hid_t ds = H5Dopen2(f, "/analysis/mkba/table", H5P_DEFAULT);
        assert_true(ds >= 0);
        hid_t sp = H5Dget_space(ds);
        hssize_t n = H5Sget_simple_extent_npoints(sp);
        double *zero = calloc((size_t)n, sizeof *zero);
        assert_non_null(zero);
        assert_true(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, zero) >= 0);
        free(zero);
        H5Sclose(sp);
        H5Dclose(ds);
        if (rename) {
            hid_t rows = H5Dopen2(f, "/analysis/mkba/rows", H5P_DEFAULT);
            assert_true(rows >= 0);
            /* Fixed-length strings, the labels' width each. */
            hid_t type = H5Dget_type(rows);
            size_t width = H5Tget_size(type);
            assert_true(width > strlen("project costs"));
            char *label = calloc(MKBA_ROW_N, width);
            assert_non_null(label);
            assert_true(H5Dread(rows, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, label) >= 0);
            memset(label, 0, width);
            strcpy(label, "project costs");     /* an older version's first row */
            assert_true(H5Dwrite(rows, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, label) >= 0);
            free(label);
            H5Tclose(type);
            H5Dclose(rows);
        }
        assert_true(H5Fclose(f) >= 0);
        char *got = summary_output(bad, "--format json"), *name = strstr(got, bad);
        assert_non_null(name);
        memcpy(name, path, strlen(path));
        if (rename && strcmp(got, want) != 0)
            fail_msg("a table with other rows was not recomputed:\n%s", got);
        if (!rename && strcmp(got, want) == 0)
            fail_msg("the stored table was not read: zeroing it changed nothing");
        free(got);
        remove(bad);
    }
    free(want);
    remove(path);
}

/* A file may hold a target longer than a scenario may give (written by
 * hand or an older version): the banner cuts its quotes, never the
 * warning at its end. */
static void test_banner_of_a_long_target(void **state)
{
    (void)state;
    char name[] = "arm_a", target[4 * MKBA_CALIBRATED_TO_MAX + 1];
    memset(target, 'y', sizeof target - 1);
    target[sizeof target - 1] = '\0';
    char *names[] = { name }, *targets[] = { target };
    mkba_h5_totals t = {0};
    t.narms = 1;
    t.arm = names;
    t.arm_calibrated_to = targets;
    char banner[MKBA_BANNER_SIZE];
    assert_int_equal(mkba_answer_calibration_banner(&t, 0, banner, sizeof banner), 1);
    const char *end = "... is not evidence";
    size_t n = strlen(banner);
    if (n < strlen(end) || strcmp(banner + n - strlen(end), end) != 0)
        fail_msg("the banner lost its warning: %s", banner);
    /* Cut at a character, never inside one: 200 euro signs (3 bytes each)
     * are quoted as 160 whole ones, twice. */
    char euros[200 * 3 + 1] = "";
    for (int i = 0; i < 200; i++)
        strcat(euros, "\xe2\x82\xac");
    targets[0] = euros;
    assert_int_equal(mkba_answer_calibration_banner(&t, 0, banner, sizeof banner), 1);
    size_t whole = 0;
    for (const char *c = banner; (c = strstr(c, "\xe2\x82\xac")) != NULL; c += 3)
        whole++;
    assert_int_equal(whole, 2 * MKBA_CALIBRATED_TO_MAX);
    for (const unsigned char *c = (const unsigned char *)banner; *c; c++)
        if (*c >= 0x80 && !(c[0] == 0xe2 && c[1] == 0x82 && c[2] == 0xac && (c += 2)))
            fail_msg("a character cut at byte %td of the banner", (const char *)c - banner);
    /* The short fixture's target is quoted whole, twice. */
    char short_target[] = "a 40% yearly job-finding rate";
    targets[0] = short_target;
    assert_int_equal(mkba_answer_calibration_banner(&t, 0, banner, sizeof banner), 1);
    assert_string_equal(banner, "arm arm_a is tuned to reproduce a 40% yearly job-finding rate; "
                                "agreement with a 40% yearly job-finding rate is not evidence");
}

/* The pathway library counts paid work in its accounting layer: every
 * scenario of scenarios/pathways/ has the monetary effects "wages" (the
 * net wage, gained by the households), "wage_taxes" (the wedge, gained by
 * the state, "rijk") and "displacement" (society at large), all indirect,
 * valued in the work_income states with work. */
static void test_pathway_library_counts_wages(void **state)
{
    (void)state;
    static const char *const files[] = { "scenarios/pathways/model-a.cfg",
                                         "scenarios/pathways/utrecht-like.cfg" };
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        mkba_error err = {0};
        mkba_model *m = NULL;
        if (mkba_scenario_load(NULL, files[f], &m, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        int wages = -1, displaced = -1, taxes = -1;
        for (size_t e = 0; e < m->neffects; e++) {
            if (strcmp(m->effect[e].name, "wage_taxes") == 0)
                taxes = (int)e;
            if (strcmp(m->effect[e].name, "wages") == 0)
                wages = (int)e;
            if (strcmp(m->effect[e].name, "displacement") == 0)
                displaced = (int)e;
        }
        assert_true(wages >= 0 && displaced >= 0);
        assert_true(m->effect[wages].monetary && m->effect[displaced].monetary);
        assert_string_equal(m->payer[m->effect[wages].payer], "huishouden");
        assert_int_equal(m->effect[displaced].payer, -1);
        assert_int_equal(m->effect[wages].category, MKBA_CAT_INDIRECT);
        assert_true(taxes >= 0 && m->effect[taxes].monetary);
        assert_string_equal(m->payer[m->effect[taxes].payer], "rijk");
        assert_int_equal(m->effect[taxes].category, MKBA_CAT_INDIRECT);
        size_t rules[3] = { 0, 0, 0 };
        for (size_t i = 0; i < m->neffect_rules; i++) {
            const mkba_effect_rule *r = &m->effect_rule[i];
            if (r->effect != wages && r->effect != displaced && r->effect != taxes)
                continue;
            assert_string_equal(m->domain[r->domain].name, "work_income");
            rules[r->effect == displaced ? 1 : r->effect == taxes ? 2 : 0]++;
        }
        assert_int_equal(rules[0], 2);
        assert_int_equal(rules[1], 2);
        assert_int_equal(rules[2], 2);
        mkba_model_free(m);
    }
}

/* Arm a's discounted totals in draw d of t: society's cost (every payer)
 * and effect e. */
static double society_cost(const mkba_h5_totals *t, size_t d, size_t a)
{
    double c = 0.0;
    for (size_t p = 0; p < t->npayers; p++)
        c += t->cost_total_disc[(d * t->narms + a) * t->npayers + p];
    return c;
}

static double effect_total(const mkba_h5_totals *t, size_t d, size_t a, size_t e)
{
    return t->effect_total_disc[(d * t->narms + a) * t->neffects + e];
}

/* The ICERs are on society's net cost (aud13a H1, issue 13): the extra
 * cost less the production gained. On the fixture with a wage of 1234.5 a
 * year, so that the arm is costlier and better (a ratio, not dominant):
 *   ICER = (project - (1200 + (1 - 0.3) w) gap) / (0.1 gap)
 * with gap = S(0.75) - S(0.6) (the household-years on bijstand avoided),
 * about 20,200 EUR/QALY; on the payers' costs alone (the old definition)
 * it was (project - 1200 gap) / (0.1 gap), about 28,800. The same number
 * from the stored totals by hand, (Δcost - Δmonetary) / ΔQALY, in the
 * summary's ICER and the frontier's, and the frontier's cost is the net
 * cost. */
static void test_icer_net_of_production(void **state)
{
    (void)state;
    char cfg[64], path[64];
    snprintf(cfg, sizeof cfg, "/tmp/mkba_test_mkba_icer_%ld.cfg", (long)getpid());
    snprintf(path, sizeof path, "/tmp/mkba_test_mkba_icer_%ld.h5", (long)getpid());
    fixture_variant(cfg, "wage_year = 23456.7;", "wage_year = 1234.5;");
    mkba_h5_totals *t = NULL;
    mkba_summary *s = NULL;
    mkba_decision *d = NULL;
    run_scenario(cfg, path, 1, &t, &s, &d);
    assert_int_equal(t->ndraws, 1);
    size_t qaly = 2;
    assert_string_equal(t->effect[qaly], "qaly");
    assert_int_equal(d->primary_effect, (int)qaly);

    double gap = trace_sum(0.75) - trace_sum(0.6), project = 237.5 * trace_sum(1.0) + 1234.5;
    double want = (project - (1200.0 + (1.0 - DISPLACEMENT) * 1234.5) * gap) / (0.1 * gap);
    double dcost = society_cost(t, 0, 1) - society_cost(t, 0, 0), dmoney = 0.0;
    for (size_t e = 0; e < t->neffects; e++)
        if (t->effect_monetary[e])
            dmoney += effect_total(t, 0, 1, e) - effect_total(t, 0, 0, e);
    double dq = effect_total(t, 0, 1, qaly) - effect_total(t, 0, 0, qaly);
    expect((dcost - dmoney) / dq, want, 1e-9, "ICER by hand from the totals");
    expect(s->icer[1 * t->neffects + qaly].value, want, 1e-9, "summary ICER");
    assert_int_equal(s->icer[1 * t->neffects + qaly].kind, MKBA_ICER_RATIO);
    assert_int_equal(d->frontier_status[1], MKBA_FRONTIER_ON);
    assert_int_equal(d->frontier_prev[1], 0);
    expect(d->frontier[1 * MKBA_FR_N + MKBA_FR_ICER], want, 1e-9, "frontier ICER");
    expect(d->frontier[1 * MKBA_FR_N + MKBA_FR_INC_COST_REF], dcost - dmoney, 1e-9,
           "frontier's incremental net cost");
    expect(d->frontier[1 * MKBA_FR_N + MKBA_FR_COST],
           society_cost(t, 0, 1) - (effect_total(t, 0, 1, 0) + effect_total(t, 0, 1, 1)),
           1e-12, "frontier's net cost level");
    /* Against the old definition: far apart, so a revert is caught. */
    double old = (project - 1200.0 * gap) / (0.1 * gap);
    assert_true(fabs(want - old) > 0.2 * want);
    remove(cfg);
    remove(path);
    results_free(t, s, d);
}

/* Invariant: at wtp 0 an arm's NMB less the reference's is its NPV for
 * society, in every draw, so the CEAC at 0 is the answer's P(best) (rank
 * 1 on society's NPV), the mean NMB difference is the mean NPV and the
 * EVPI at 0 is the EVPI of the NPV choice. On 40 PSA draws of the
 * fixture (cohort) with a drawn job-finding rate and wage, so that the
 * NPV changes sign between draws; on the payers' costs alone the arm
 * would never be best at 0 (it always costs more). */
static void test_ceac_at_zero_is_the_answer(void **state)
{
    (void)state;
    char cfg[64], path[64];
    snprintf(cfg, sizeof cfg, "/tmp/mkba_test_mkba_ceac0_%ld.cfg", (long)getpid());
    snprintf(path, sizeof path, "/tmp/mkba_test_mkba_ceac0_%ld.h5", (long)getpid());
    fixture_variant(cfg, "parameters = { q_work = 0.25; wage_year = 23456.7;",
                    "parameters = { q_work = { dist = \"beta\"; alpha = 25.0; beta = 75.0; }; "
                    "wage_year = { dist = \"uniform\"; min = 1000.0; max = 8000.0; };");
    mkba_h5_totals *t = NULL;
    mkba_summary *s = NULL;
    mkba_decision *d = NULL;
    run_scenario_draws(cfg, path, 1, 40, -1, &t, &s, &d);
    size_t na = d->narms, nd = t->ndraws;
    assert_int_equal(nd, 40);
    assert_true(d->wtp[0] == 0.0);
    double wins = 0.0, npv_mean = 0.0;
    for (size_t k = 0; k < nd; k++) {
        double npv = -(society_cost(t, k, 1) - society_cost(t, k, 0));
        for (size_t e = 0; e < t->neffects; e++)
            if (t->effect_monetary[e])
                npv += effect_total(t, k, 1, e) - effect_total(t, k, 0, e);
        wins += npv > 0.0 ? 1.0 : 0.0;
        npv_mean += npv / (double)nd;
        assert_true(society_cost(t, k, 1) > society_cost(t, k, 0));
    }
    /* The NPV changes sign: the test can tell the definitions apart. */
    assert_true(wins >= 4.0 && wins <= (double)nd - 4.0);
    for (size_t a = 0; a < na; a++)
        assert_true(d->ceac[a] == d->rank_npv[a * na + 0]);
    expect(d->ceac[1], wins / (double)nd, 1e-12, "CEAC at 0");
    expect(d->nmb_mean[1] - d->nmb_mean[0], npv_mean, 1e-9, "mean NMB difference at 0");
    expect(d->nmb_mean[1] - d->nmb_mean[0], s->npv[1].mean, 1e-9, "against the summary's NPV");
    expect(d->evpi[MKBA_EV_PERSON], d->evpi_npv[0], 1e-9, "EVPI at 0");
    remove(cfg);
    remove(path);
    results_free(t, s, d);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_project_costs_and_one_ratio),
        cmocka_unit_test(test_project_costs_every_category),
        cmocka_unit_test(test_optimism_bias_on_each_increase),
        cmocka_unit_test(test_icer_net_of_production),
        cmocka_unit_test(test_ceac_at_zero_is_the_answer),
        cmocka_unit_test(test_wage_gain_on_common_random_numbers),
        cmocka_unit_test(test_net_wage_and_the_state),
        cmocka_unit_test(test_bijstand_to_household_and_state),
        cmocka_unit_test(test_pathway_library_counts_wages),
        cmocka_unit_test(test_empty_calibration_target),
        cmocka_unit_test(test_banner_of_a_long_target),
        cmocka_unit_test(test_older_table_recomputed),
        cmocka_unit_test(test_who_changes_model),
        cmocka_unit_test(test_dismantling_needs_teams),
        cmocka_unit_test(test_residual_value),
        cmocka_unit_test(test_residual_value_half_cycle),
        cmocka_unit_test(test_residual_value_two_rates),
        cmocka_unit_test(test_current_model_as_reference),
        cmocka_unit_test(test_dismantling_only_when_switching),
        cmocka_unit_test(test_negative_dismantling_names_payer),
        cmocka_unit_test(test_health_valued_or_pm),
        cmocka_unit_test(test_bad_health_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
