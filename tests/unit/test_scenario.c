/* The scenario loader: tests/data/full.cfg loads into the structure its text
 * describes (checked by hand against the file), defaults fill in what a
 * minimal scenario leaves out, @include works and its text is kept, and
 * every class of bad input in tests/data/bad/ fails with a message naming
 * the file, line, setting path and what is wrong. Run from the top folder. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "model/scenario.h"
#include "support.h"

#define FULL "tests/data/full.cfg"
#define MINIMAL "tests/data/include/main.cfg"

#define assert_close(x, y, tol)                                                   \
    do {                                                                          \
        double x_ = (x), y_ = (y);                                                \
        if (!(fabs(x_ - y_) <= (tol)))                                            \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #x, x_, y_,     \
                     (double)(tol));                                              \
    } while (0)

#define assert_contains(haystack, needle)                                         \
    do {                                                                          \
        if (strstr((haystack), (needle)) == NULL)                                 \
            fail_msg("expected \"%s\" in:\n%s", (needle), (haystack));            \
    } while (0)

static mkba_model *load_ok(const char *path)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    int rc = mkba_scenario_load(NULL, path, &m, &err);
    if (rc != MKBA_OK)
        fail_msg("loading %s failed: %s", path, err.message);
    assert_non_null(m);
    return m;
}

/* The fixed value of parameter `index` (its reference definition). */
static double fixed_value(const mkba_model *m, int index)
{
    const mkba_param *q = mkba_params_get(m->params, (size_t)index);
    assert_non_null(q);
    assert_int_equal(q->dist.kind, MKBA_DIST_FIXED);
    return q->dist.a;
}

static int param(const mkba_model *m, const char *name)
{
    int i = mkba_params_find(m->params, name);
    if (i < 0)
        fail_msg("parameter %s not found", name);
    return i;
}

/* ------------------------------------------------------------- full.cfg */

static void test_full_structure(void **state)
{
    (void)state;
    mkba_model *m = load_ok(FULL);
    assert_string_equal(m->name, "full");
    assert_string_equal(m->currency, "EUR");
    assert_int_equal(m->price_year, 2024);
    assert_true(m->seed == 20261128u);
    assert_int_equal(m->draws, 20);
    assert_int_equal(m->households, 2000);
    assert_int_equal(m->base_case, MKBA_BASE_MEAN);
    assert_close(m->timing.cycle_years, 1.0, 0);
    assert_int_equal(m->timing.ncycles, 6);
    assert_int_equal(m->timing.occupancy, MKBA_OCC_BOTH);
    assert_int_equal(m->timing.correction, MKBA_CORR_HALF_CYCLE);
    assert_int_equal(m->timing.discount_time, MKBA_DISC_POINT);
    assert_close(m->timing.rate_costs, 0.0225, 0);
    assert_close(m->timing.rate_effects, 0.0225, 0);

    /* Payers: names and groups mixed; municipal by the "gemeente" prefix
     * unless set. */
    assert_int_equal(m->npayers, 8);
    assert_string_equal(m->payer[0], "gemeente-wmo");
    assert_string_equal(m->payer[5], "huishouden");
    assert_string_equal(m->payer[7], "wijkteam-stichting");
    static const int municipal[8] = {1, 1, 0, 0, 0, 0, 1, 1};
    for (int i = 0; i < 8; i++) {
        assert_string_equal(m->payer_def[i].name, m->payer[i]);
        assert_int_equal(m->payer_def[i].municipal, municipal[i]);
    }
    assert_int_equal(m->neffects, 3);
    assert_string_equal(m->effect[1].unit, "household-years with a severe problem");
    assert_false(m->effect[0].monetary);
    assert_true(m->effect[2].monetary);
    assert_false(m->effect[0].lower_is_better);
    assert_true(m->effect[1].lower_is_better);
    assert_false(m->effect[2].lower_is_better);
    assert_int_equal(m->effect[0].payer, -1);
    assert_int_equal(m->effect[2].payer, 5);
    assert_int_equal(m->effect[0].category, MKBA_CAT_DIRECT);
    assert_int_equal(m->effect[2].category, MKBA_CAT_INDIRECT);
    assert_int_equal(m->narms, 2);
    assert_int_equal(m->reference, 0);
    assert_true(m->arm[0].is_reference);
    assert_false(m->arm[1].is_reference);
    assert_string_equal(m->arm[1].name, "integrated");
    assert_string_equal(m->arm[1].label, "Broad integrated wijkteam");

    assert_int_equal(m->ndomains, 4);
    const mkba_domain *debt = &m->domain[0], *mental = &m->domain[1];
    const mkba_domain *housing = &m->domain[2], *life = &m->domain[3];
    assert_string_equal(debt->name, "debt");
    assert_int_equal(debt->nstates, 3);
    for (int s = 0; s < 3; s++) /* default severity = index */
        assert_close(debt->state[s].severity, s, 0);
    assert_close(mental->state[1].severity, 1.0, 0);
    assert_string_equal(housing->state[1].name, "at_risk");
    assert_close(housing->state[1].severity, 1.0, 0);
    assert_close(housing->state[2].severity, 3.0, 0);
    assert_false(housing->state[2].absorbing);
    assert_true(life->state[1].absorbing);
    assert_true(life->state[1].exit);
    assert_false(life->state[0].absorbing);

    assert_int_equal(debt->init_kind, MKBA_INIT_PREVALENCE);
    assert_close(fixed_value(m, debt->init_prev[0]), 0.7, 0);
    assert_close(fixed_value(m, debt->init_prev[2]), 0.1, 0);
    assert_int_equal(debt->loading, param(m, "loading"));
    assert_close(fixed_value(m, mental->loading), 0.3, 0);
    assert_int_equal(housing->init_kind, MKBA_INIT_STATE);
    assert_int_equal(housing->init_state, 0);
    assert_int_equal(housing->loading, MKBA_NO_VALUE);
    mkba_model_free(m);
}

static void test_full_rules(void **state)
{
    (void)state;
    mkba_model *m = load_ok(FULL);
    assert_int_equal(m->ntrans, 12);
    const mkba_trans_rule *t = m->trans;
    /* debt: none -> light = p_debt_worse, the parameter itself. */
    assert_int_equal(t[0].domain, 0);
    assert_int_equal(t[0].from, 0);
    assert_int_equal(t[0].kind, MKBA_TRANS_PROB);
    assert_int_equal(t[0].value[1], param(m, "p_debt_worse"));
    assert_int_equal(t[0].value[0], MKBA_NO_VALUE);
    assert_int_equal(t[0].value[2], MKBA_NO_VALUE);
    assert_true(t[0].arms == MKBA_ALL_ARMS);
    assert_int_equal(t[0].cycles.from, 1);
    assert_int_equal(t[0].cycles.to, MKBA_CYCLE_END);
    assert_int_equal(t[0].duration.from, 0);
    assert_int_equal(t[0].duration.to, MKBA_CYCLE_END);
    /* An inline number is a parameter named by its setting path. */
    const mkba_param *q = mkba_params_get(m->params, (size_t)t[1].value[2]);
    assert_string_equal(q->name, "domains.[0].transitions.[1].probabilities.severe");
    assert_close(q->dist.a, 0.1, 0);
    assert_string_equal(t[1].path, "domains.[0].transitions.[1]");
    assert_string_equal(t[1].file, FULL);
    assert_int_equal(t[1].line, 82);
    assert_int_equal(t[2].kind, MKBA_TRANS_RATE);
    assert_int_equal(t[3].duration.from, 3);
    assert_int_equal(t[3].duration.to, MKBA_CYCLE_END);
    assert_int_equal(t[4].kind, MKBA_TRANS_HR);
    assert_true(t[4].arms == 2u);
    assert_int_equal(t[4].cycles.from, 1);
    assert_int_equal(t[4].cycles.to, 2);
    assert_int_equal(t[4].of_arm, 0);
    assert_int_equal(t[4].value[0], param(m, "hr_recover"));
    assert_int_equal(t[7].domain, 1);
    assert_int_equal(t[7].kind, MKBA_TRANS_RR);
    assert_int_equal(t[7].of_arm, m->reference);
    assert_int_equal(t[8].value[1], param(m, "row_housing_2"));
    assert_int_equal(t[11].domain, 3);

    assert_int_equal(m->ninteract, 2);
    assert_int_equal(m->interact[0].from, 0);
    assert_int_equal(m->interact[0].to, 1);
    assert_int_equal(m->interact[0].beta, param(m, "beta_debt_mental"));
    assert_close(fixed_value(m, m->interact[1].beta), 0.4, 0);

    assert_int_equal(m->ncosts, 10);
    const mkba_cost_rule *c = m->cost;
    assert_int_equal(c[0].kind, MKBA_COST_STATE);
    assert_int_equal(c[0].domain, 1);
    assert_int_equal(c[0].state, 1);
    assert_int_equal(c[0].payer, 2);
    assert_string_equal(c[0].category, "second line");
    assert_int_equal(c[1].duration.from, 0);
    assert_int_equal(c[1].duration.to, 0);
    assert_null(c[2].category);
    assert_int_equal(c[3].kind, MKBA_COST_ENTRY);
    assert_int_equal(c[3].state, 2);
    assert_int_equal(c[3].amount, param(m, "eviction_cost"));
    assert_true(c[4].arms == 1u);
    assert_int_equal(c[5].cycles.from, 3);
    assert_int_equal(c[5].cycles.to, 6);
    assert_int_equal(c[6].kind, MKBA_COST_PROGRAMME_ONCE);
    assert_int_equal(c[6].domain, -1);
    assert_close(fixed_value(m, c[6].amount), 150, 0);
    assert_int_equal(c[7].kind, MKBA_COST_PROGRAMME_YEAR);
    assert_int_equal(c[7].payer, 1);
    q = mkba_params_get(m->params, (size_t)c[8].amount);
    assert_int_equal(q->dist.kind, MKBA_DIST_GAMMA);
    assert_close(mkba_dist_mean(&q->dist), 4.0 * 100.0, 1e-12);
    /* Only the last rule is a transfer; calloc's 0 would be a payer. */
    for (int i = 0; i < 9; i++)
        assert_int_equal(c[i].transfer_to, -1);
    assert_int_equal(c[9].payer, 6);
    assert_int_equal(c[9].transfer_to, 5);
    assert_close(fixed_value(m, c[9].amount), 7000.0, 0);
    /* An interaction's source is recorded on its inline beta. */
    q = mkba_params_get(m->params, (size_t)m->interact[1].beta);
    assert_string_equal(q->source, "assumption");

    assert_int_equal(m->neffect_rules, 4);
    assert_int_equal(m->effect_rule[0].domain, -1);
    assert_int_equal(m->effect_rule[1].domain, 1);
    assert_int_equal(m->effect_rule[1].state, 1);
    q = mkba_params_get(m->params, (size_t)m->effect_rule[1].amount);
    assert_int_equal(q->dist.kind, MKBA_DIST_EXPR);
    assert_string_equal(q->dist.expr, "-u_severe");
    assert_int_equal(m->effect_rule[3].effect, 2);
    assert_true(m->effect_rule[3].arms == 2u);
    mkba_model_free(m);
}

static void test_full_parameters(void **state)
{
    (void)state;
    mkba_model *m = load_ok(FULL);
    const mkba_param *q = mkba_params_get(m->params, (size_t)param(m, "cost_mental_severe"));
    assert_int_equal(q->dist.kind, MKBA_DIST_GAMMA);
    assert_close(q->dist.a, 16.0, 0);
    assert_close(q->dist.b, 500.0, 0);
    assert_string_equal(q->unit, "EUR/year");
    assert_string_equal(q->source, "assumption");
    assert_string_equal(q->path, "parameters.cost_mental_severe");
    /* The override of the integrated arm (arm 1), not of the reference. */
    q = mkba_params_get(m->params, (size_t)param(m, "p_debt_recover"));
    assert_int_equal(q->arm_dist[1].kind, MKBA_DIST_BETA);
    assert_close(q->arm_dist[1].a, 30.0, 0);
    assert_int_equal((int)q->arm_dist[0].kind, -1);
    q = mkba_params_get(m->params, (size_t)param(m, "row_housing_3"));
    assert_int_equal(q->dist.kind, MKBA_DIST_DIRICHLET);
    assert_close(mkba_dist_mean(&q->dist), 5.0 / 100.0, 1e-15);
    /* The file's text is kept verbatim. */
    assert_true(strncmp(m->text, "# A small scenario that uses every construct", 44) == 0);
    assert_contains(m->text, "effect_values = (");
    mkba_model_free(m);
}

static void test_full_analysis(void **state)
{
    (void)state;
    mkba_model *m = load_ok(FULL);
    const mkba_analysis *a = &m->analysis;
    assert_int_equal(a->nperspectives, 2);
    assert_string_equal(a->perspective[0].name, "gemeente-sociaal");
    assert_int_equal(a->perspective[0].npayers, 3);
    assert_int_equal(a->perspective[0].payer[0], 0);
    assert_int_equal(a->perspective[0].payer[1], 1);
    assert_int_equal(a->perspective[0].payer[2], 6);
    assert_string_equal(a->perspective[1].name, "zorg-en-veiligheid");
    assert_int_equal(a->perspective[1].npayers, 2);
    assert_int_equal(a->perspective[1].payer[0], 2);
    assert_int_equal(a->perspective[1].payer[1], 3);
    /* {from = 0; to = 80000; step = 20000}: five values, both ends in. */
    assert_int_equal(a->nwtp, 5);
    for (size_t i = 0; i < 5; i++)
        assert_close(a->wtp[i], 20000.0 * (double)i, 0);
    assert_int_equal(a->primary_effect, 0);
    assert_close(a->population, 1500.0, 0);
    assert_int_equal(a->population_years, 5);
    assert_close(a->optimism_bias, 0.2, 0);
    assert_close(a->deadweight, 0.1, 0);
    assert_int_equal(a->npm, 2);
    assert_string_equal(a->pm_item[0], "fewer school drop-outs");
    assert_string_equal(a->pm_item[1], "safer neighbourhood");
    mkba_model_free(m);
}

/* The other forms: wtp as an array, payers as names and groups with
 * defaults only, the default primary effect (none is non-monetary here: no
 * effects at all gives -1, see test_defaults_and_include). */
static void test_wtp_array(void **state)
{
    (void)state;
    mkba_model *m = load_ok("tests/data/transfer.cfg");
    const double want[4] = {0.0, 20000.0, 50000.0, 80000.0};
    assert_int_equal(m->analysis.nwtp, 4);
    for (size_t i = 0; i < 4; i++)
        assert_close(m->analysis.wtp[i], want[i], 0);
    assert_true(m->payer_def[0].municipal);
    assert_false(m->payer_def[1].municipal);
    assert_int_equal(m->analysis.population_years, 4);
    mkba_model_free(m);
}

/* The printout for `mkba check` shows defaults and means computed by hand. */
static void test_print(void **state)
{
    (void)state;
    mkba_model *m = load_ok(FULL);
    char *buf = support_model_text(m);
    assert_contains(buf, "horizon 6 years = 6 cycles");
    assert_contains(buf, "correction half-cycle, occupancy both, discount time point");
    assert_contains(buf, "costs 2.25%, effects 2.25%");
    assert_contains(buf, "cost_mental_severe: gamma(shape = 16, scale = 500); mean 8000 EUR/year");
    /* PERT mean (4000 + 4 * 6000 + 10000) / 6. */
    assert_contains(buf, "mean 6333.33");
    /* p_mental_worse = p_debt_worse / 2 + n_shift at the means: 0.1 / 2 + 0. */
    assert_contains(buf, "p_mental_worse: = p_debt_worse / 2 + n_shift; mean 0.05");
    assert_contains(buf, "in arm integrated: 0.15; mean 0.15");
    assert_contains(buf, "dead (severity 1, absorbing, exit)");
    assert_contains(buf, "rates: light = 0.1; after 3 or more cycles in state");
    assert_contains(buf, "  wijkteam-stichting: municipal\n");
    assert_contains(buf, "  justitie: not municipal\n");
    assert_contains(buf, "severe_years [household-years with a severe problem]: lower is better");
    assert_contains(buf, "income [EUR]: higher is better, indirect, monetary, gained by "
                         "huishouden");
    assert_contains(buf, "payer gemeente-participatiewet; transfer to huishouden");
    assert_contains(buf, "municipality (gemeente-wmo, gemeente-jeugdwet, "
                         "gemeente-participatiewet, wijkteam-stichting)");
    assert_contains(buf, "gemeente-sociaal (gemeente-wmo, gemeente-jeugdwet, "
                         "gemeente-participatiewet)");
    assert_contains(buf, "willingness to pay (5 values, EUR per unit): 0 20000 40000 60000 "
                         "80000\n");
    assert_contains(buf, "1500 households per year over 5 years");
    assert_contains(buf, "optimism bias 20% on each project cost category's increase, "
                         "deadweight 10% of benefits");
    assert_contains(buf, "    - safer neighbourhood\n");
    free(buf);
    mkba_model_free(m);
}

/* ------------------------------------------------ defaults and @include */

static void test_defaults_and_include(void **state)
{
    (void)state;
    mkba_model *m = load_ok(MINIMAL);
    assert_string_equal(m->currency, "EUR");
    assert_null(m->description);
    assert_true(m->seed == 1u);
    assert_int_equal(m->draws, 100);
    assert_int_equal(m->households, 10000);
    assert_int_equal(m->base_case, MKBA_BASE_MEAN);
    assert_close(m->timing.cycle_years, 1.0 / 12.0, 1e-15);
    assert_int_equal(m->timing.ncycles, 30); /* 2.5 years of months */
    assert_int_equal(m->timing.occupancy, MKBA_OCC_BOTH);
    assert_int_equal(m->timing.correction, MKBA_CORR_HALF_CYCLE);
    assert_int_equal(m->timing.discount_time, MKBA_DISC_POINT);
    assert_close(m->timing.rate_costs, 0.0225, 0);
    assert_close(m->timing.rate_effects, 0.0225, 0);
    assert_int_equal(m->npayers, 0);
    assert_int_equal(m->neffects, 0);
    /* Analysis defaults: no effect to be primary; the EVPI horizon is the
     * horizon of 2.5 years rounded down to whole years. */
    const mkba_analysis *a = &m->analysis;
    assert_int_equal(a->nperspectives, 0);
    assert_int_equal(a->nwtp, 21);
    for (size_t i = 0; i < 21; i++)
        assert_close(a->wtp[i], 5000.0 * (double)i, 0);
    assert_int_equal(a->primary_effect, -1);
    assert_close(a->population, 0.0, 0);
    assert_int_equal(a->population_years, 2);
    assert_close(a->optimism_bias, 0.0, 0);
    assert_close(a->deadweight, 0.0, 0);
    assert_int_equal(a->npm, 0);
    assert_int_equal(m->narms, 1);
    assert_close(m->domain[0].state[1].severity, 1.0, 0);

    /* Parameters from the @include'd file, with source and unit. */
    const mkba_param *q = mkba_params_get(m->params, (size_t)param(m, "p_unemployed"));
    assert_string_equal(q->source, "CBS 2023 (example)");
    assert_string_equal(q->unit, "proportion");
    assert_string_equal(q->file, "tests/data/include/parts/params.cfg");
    assert_int_equal(q->line, 3);
    assert_int_equal(m->trans[0].value[1], param(m, "r_lose"));

    /* The stored text: the main file, then the included one after a
     * comment line naming it. */
    assert_true(strncmp(m->text, "# A minimal scenario", 20) == 0);
    const char *sep = strstr(m->text, "\n# ---- mkba: text of @include \"parts/params.cfg\" "
                                      "----\n");
    assert_non_null(sep);
    assert_contains(sep, "r_lose = { dist = \"gamma\"");

    /* The expression "1 - p_unemployed" at the base case: 1 - 0.06. */
    size_t n = mkba_params_count(m->params);
    double *v = calloc(n, sizeof *v);
    mkba_params_work *w = mkba_params_work_alloc(m->params);
    assert_non_null(v);
    assert_non_null(w);
    assert_int_equal(mkba_params_sample(m->params, 1, 0, 1, MKBA_BASE_MEAN, v, w, NULL),
                     MKBA_OK);
    assert_close(v[m->domain[0].init_prev[0]], 0.94, 1e-15);
    assert_close(v[m->domain[0].init_prev[1]], 0.06, 0);
    mkba_params_work_free(w);
    free(v);
    mkba_model_free(m);
}

/* mkba_model_warnings: the two dead states of dead_state.cfg warn, with
 * their file and line; a drawn row, an arm override, a cost and an exit
 * state each keep a look-alike state quiet, and full.cfg has none. */
static void test_warnings(void **state)
{
    (void)state;
    mkba_model *m = load_ok("tests/data/dead_state.cfg");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(mkba_model_warnings(m, f), 2);
    fclose(f);
    assert_contains(buf, "mkba: warning: tests/data/dead_state.cfg:21: domain 'life', state "
                         "'dead' is absorbing, not an exit state, and has no costs or effects: "
                         "households there keep counting in the per-household means; mark it "
                         "as an exit state (see docs/scenario.md) if it stands for leaving the "
                         "target group\n");
    assert_contains(buf, "mkba: warning: tests/data/dead_state.cfg:27: domain 'debt', state "
                         "'written_off' is absorbing");
    const char *quiet[] = {"'gone'", "'light'", "'severe'", "'settled'", "'alive'"};
    for (size_t i = 0; i < sizeof quiet / sizeof *quiet; i++)
        if (strstr(buf, quiet[i]) != NULL)
            fail_msg("unexpected warning for state %s:\n%s", quiet[i], buf);
    free(buf);
    mkba_model_free(m);

    /* full.cfg's one warning is its payer that nothing charges (its costs
     * are 0 in tests/data/answers/full.txt). */
    m = load_ok(FULL);
    f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(mkba_model_warnings(m, f), 1);
    fclose(f);
    assert_contains(buf, "mkba: warning: tests/data/full.cfg:36: payers: payer "
                         "'wijkteam-stichting' is listed but no cost rule");
    free(buf);
    mkba_model_free(m);
    assert_int_equal(mkba_model_warnings(NULL, stderr), 0);
}

/* The warnings of m as one string (free it), their count in *n. */
static char *warnings_of(const mkba_model *m, int *n)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    *n = mkba_model_warnings(m, f);
    long len = ftell(f);
    assert_true(len >= 0);
    char *buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    rewind(f);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

/* Definitions nothing uses: every line of unused.cfg marked "# warns" gets
 * exactly one warning naming that line, and nothing else warns (the
 * definitions used by a rule, a team, through an expression, as a
 * transfer's recipient, one Dirichlet component, and the unused ones of an
 * @include library). */
static void test_unused_warnings(void **state)
{
    (void)state;
    const char *path = "tests/data/unused.cfg";
    mkba_model *m = load_ok(path);
    int n;
    char *buf = warnings_of(m, &n);
    FILE *cfg = fopen(path, "r");
    assert_non_null(cfg);
    char line[512];
    int lineno = 0, marked = 0;
    while (fgets(line, sizeof line, cfg) != NULL) {
        lineno++;
        if (strstr(line, "# warns") == NULL)
            continue;
        marked++;
        char want[64];
        snprintf(want, sizeof want, "mkba: warning: %s:%d: ", path, lineno);
        const char *at = strstr(buf, want);
        if (at == NULL || strstr(at + 1, want) != NULL)
            fail_msg("expected one warning at line %d:\n%s", lineno, buf);
    }
    fclose(cfg);
    assert_int_equal(marked, 9);
    assert_int_equal(n, marked);
    const char *quiet[] = {"'p_worse'", "'improve'", "'improve_base'", "split", "lib_",
                           "'debt-service'", "'wijkteam'", "'woningcorporatie'",
                           "'huishouden'", "mix_2"};
    for (size_t i = 0; i < sizeof quiet / sizeof *quiet; i++)
        if (strstr(buf, quiet[i]) != NULL)
            fail_msg("unexpected warning naming %s:\n%s", quiet[i], buf);
    assert_contains(buf, "parameters.mix: the Dirichlet components mix_1 to mix_3 are defined "
                         "but no setting uses any of them");
    assert_contains(buf, "services.teams.[2]: team 'vergeten-team' is paid by zorgverzekeraar "
                         "but no arm's pathway sends households to it");
    assert_contains(buf, "parameters.p_override_only: parameter 'p_override_only' is defined "
                         "but no rule, team or pathway uses it");
    free(buf);
    mkba_model_free(m);
}

/* An allocator whose calloc fails once `failing` is set (after loading). */
static int calloc_fails;
static void *plain_malloc(void *user, size_t size) { (void)user; return malloc(size); }
static void *failing_calloc(void *user, size_t n, size_t size)
{
    (void)user;
    return calloc_fails ? NULL : calloc(n, size);
}
static void *plain_realloc(void *user, void *p, size_t size)
{
    (void)user;
    return realloc(p, size);
}
static void plain_free(void *user, void *p) { (void)user; free(p); }

/* Out of memory checking the payers is said, not a silent skip: the
 * payer warnings of unused.cfg give way to one line that says the check
 * was not made (through the model's allocator, as the rest). */
static void test_unused_payers_out_of_memory(void **state)
{
    (void)state;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.alloc = (mkba_allocator){ plain_malloc, failing_calloc, plain_realloc, plain_free,
                                  NULL };
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    calloc_fails = 0;
    assert_int_equal(mkba_scenario_load(&ctx, "tests/data/unused.cfg", &m, &err), MKBA_OK);
    calloc_fails = 1;
    int n;
    char *buf = warnings_of(m, &n);
    calloc_fails = 0;
    assert_non_null(strstr(buf, "out of memory: the payers were not checked"));
    assert_null(strstr(buf, "payers: payer '"));
    assert_true(n >= 1);
    free(buf);
    mkba_model_free(m);
}

/* -------------------------------------------------------------- bad input */

/* Loads tests/data/bad/NAME.cfg, expects failure with `code`, *out NULL and
 * a message containing "FILE:LINE: " and each of the NULL-terminated
 * phrases. */
static void expect_bad(const char *name, int code, int line, ...)
{
    char path[256], where[300];
    snprintf(path, sizeof path, "tests/data/bad/%s.cfg", name);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = (mkba_model *)&err; /* must be reset to NULL */
    int rc = mkba_scenario_load(NULL, path, &m, &err);
    if (rc == MKBA_OK)
        fail_msg("%s loaded without error", path);
    assert_null(m);
    if (rc != code)
        fail_msg("%s: code %d, expected %d; message: %s", path, rc, code, err.message);
    assert_int_equal(err.code, code);
    snprintf(where, sizeof where, "%s:%d: ", path, line);
    if (strstr(err.message, where) == NULL)
        fail_msg("expected \"%s\" in: %s", where, err.message);
    va_list ap;
    va_start(ap, line);
    for (const char *p = va_arg(ap, const char *); p != NULL; p = va_arg(ap, const char *))
        assert_contains(err.message, p);
    va_end(ap);
}

/* A whole number libconfig would wrap to 32 bits is refused where it
 * stands; with the L suffix, in comments, strings and amounts, a wide
 * number is read whole. */
static void test_wide_integers(void **state)
{
    (void)state;
    expect_bad("wide_integer", MKBA_EINVAL, 7, "seed: 4294967297 is out of the 32-bit range",
               "4294967297L", NULL);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    if (mkba_scenario_load(NULL, "tests/data/wide_ok.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_true(m->seed == 12345678901ULL);
    mkba_model_free(m);
}

/* The matrix checks of a correlation, made when the parameter table is
 * finished, name the file and line of the correlation too. */
static void test_bad_correlations(void **state)
{
    (void)state;
    expect_bad("correlation_asym", MKBA_EINVAL, 15, "correlations.[0].matrix is not symmetric",
               NULL);
    expect_bad("correlation_notpd", MKBA_EINVAL, 15, "not positive definite", NULL);
    expect_bad("correlation_range", MKBA_EINVAL, 15, "(1,2) = 1.4 is outside [-1, 1]", NULL);
    expect_bad("correlation_twice", MKBA_EINVAL, 15, "correlations.[1]: parameter 'a' is "
               "already in another correlation", "at most one correlation", NULL);
}

static void test_bad_syntax(void **state)
{
    (void)state;
    expect_bad("syntax", MKBA_EPARSE, 8, "syntax error", NULL);
}

/* libconfig's parse errors, explained: the include file and its folder,
 * the doubled setting, a hint for a decimal comma or a bare formula. */
static void test_bad_include_missing(void **state)
{
    (void)state;
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    assert_int_equal(mkba_scenario_load(NULL, "tests/data/bad/include_missing.cfg", &m, &err),
                     MKBA_EIO);
    assert_null(m);
    assert_contains(err.message, "tests/data/bad/include_missing.cfg:8: "
                                 "@include \"params/no_such_part.params\": cannot open it in "
                                 "folder tests/data/bad "
                                 "(as tests/data/bad/params/no_such_part.params): "
                                 "No such file or directory");
}

static void test_bad_duplicate(void **state)
{
    (void)state;
    expect_bad("duplicate_setting", MKBA_EPARSE, 11,
               "parameters.p_worse: duplicate setting, already set at line 9", NULL);
    /* Doubled across files: reported in the included file, with the path. */
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    assert_int_equal(mkba_scenario_load(NULL, "tests/data/bad/duplicate_include.cfg", &m, &err),
                     MKBA_EPARSE);
    assert_null(m);
    assert_contains(err.message, "tests/data/bad/duplicate_include.params:2: parameters: "
                                 "duplicate setting, already set in another file");
}

static void test_bad_number_hints(void **state)
{
    (void)state;
    expect_bad("decimal_comma", MKBA_EPARSE, 9, "parameters.p_worse: syntax error at 0,35",
               "write a decimal point: 0.35", NULL);
    expect_bad("unquoted_formula", MKBA_EPARSE, 10,
               "parameters.cost_debt: syntax error at 1701 + 1055",
               "quote an expression: \"1701 + 1055\"", NULL);
}

static void test_bad_unknown_setting(void **state)
{
    (void)state;
    expect_bad("unknown_setting", MKBA_EINVAL, 6,
               "timing.discont_time: unknown setting; did you mean 'discount_time'?", NULL);
}

static void test_bad_unknown_setting_in_include(void **state)
{
    (void)state;
    /* Reported at the included file's own path and line. */
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    assert_int_equal(mkba_scenario_load(NULL, "tests/data/bad/include_typo.cfg", &m, &err),
                     MKBA_EINVAL);
    assert_null(m);
    assert_contains(err.message, "tests/data/bad/include_typo.params:3: "
                                 "parameters.p_worse.valeu: unknown setting; did you mean "
                                 "'value'?");
}

static void test_bad_probability(void **state)
{
    (void)state;
    expect_bad("prob_gt1", MKBA_EINVAL, 13, "domains.[0].transitions.[0].probabilities.severe",
               "probability 1.2 is outside [0, 1]", NULL);
}

static void test_bad_row_sum(void **state)
{
    (void)state;
    expect_bad("row_sum", MKBA_EINVAL, 13, "domains.[0].transitions.[0].probabilities",
               "sum to 1.1", "at most 1 (tolerance 1e-09)", NULL);
}

static void test_bad_prevalence_sum(void **state)
{
    (void)state;
    expect_bad("prevalence_sum", MKBA_EINVAL, 11, "domains.[0].initial.prevalence",
               "sum to 1.1", "expected 1 (tolerance 1e-09)", NULL);
}

static void test_bad_counts(void **state)
{
    (void)state;
    expect_bad("negative_count", MKBA_EINVAL, 6, "run.draws", "-5 is negative", NULL);
    expect_bad("zero_households", MKBA_EINVAL, 6, "run.households", "at least 1", NULL);
}

static void test_bad_distribution(void **state)
{
    (void)state;
    expect_bad("bad_dist_param", MKBA_EINVAL, 9, "parameters.p_worse",
               "beta distribution needs alpha > 0 (got -1)", NULL);
    expect_bad("dist_key", MKBA_EINVAL, 10, "parameters.cost.mean",
               "unknown setting for a gamma distribution", "shape, scale", NULL);
    expect_bad("unknown_dist", MKBA_EINVAL, 9, "parameters.p_worse.dist",
               "unknown distribution 'bta' (did you mean 'beta'?)",
               "normal, lognormal, gamma, beta, uniform, triangular, pert, dirichlet", NULL);
}

static void test_bad_unknown_names(void **state)
{
    (void)state;
    expect_bad("unknown_domain", MKBA_EINVAL, 19, "interactions.[0].from",
               "unknown domain 'dept'; did you mean 'debt'?", NULL);
    expect_bad("unknown_state", MKBA_EINVAL, 14, "domains.[0].transitions.[1].from",
               "unknown state 'sever' in domain 'debt'; did you mean 'severe'?", NULL);
    expect_bad("unknown_payer", MKBA_EINVAL, 19, "costs.[0].payer",
               "unknown payer 'gemeent'; did you mean 'gemeente'?", NULL);
    expect_bad("unknown_arm", MKBA_EINVAL, 15, "domains.[0].transitions.[2].arms.[0]",
               "unknown arm 'nwe'; did you mean 'new'?", NULL);
    expect_bad("unknown_parameter", MKBA_EINVAL, 13,
               "domains.[0].transitions.[0].probabilities.severe",
               "unknown parameter 'p_wrose'; did you mean 'p_worse'?", NULL);
    expect_bad("override_unknown", MKBA_EINVAL, 8, "arms.[1].overrides.p_wores",
               "unknown parameter 'p_wores'; did you mean 'p_worse'?", NULL);
}

static void test_bad_expression(void **state)
{
    (void)state;
    expect_bad("expr_parse", MKBA_EINVAL, 13, "domains.[0].transitions.[0].probabilities.severe",
               "cannot parse expression \"p_worse * (2 +\"", NULL);
}

static void test_bad_reference_cycle(void **state)
{
    (void)state;
    expect_bad("reference_cycle", MKBA_EINVAL, 9, "parameters.p_worse",
               "in a cycle: p_worse -> p_other -> p_worse", NULL);
}

static void test_bad_transitions(void **state)
{
    (void)state;
    expect_bad("diagonal", MKBA_EINVAL, 14, "domains.[0].transitions.[1].probabilities.severe",
               "the diagonal completes the row", NULL);
    expect_bad("no_base_row", MKBA_EINVAL, 10,
               "domains.[0]: state 'severe' has no base transition rule", NULL);
    expect_bad("absorbing_rule", MKBA_EINVAL, 14, "domains.[0].transitions.[1].from",
               "state 'dead' is absorbing", NULL);
    expect_bad("cycles_beyond", MKBA_EINVAL, 15, "domains.[0].transitions.[2].cycles",
               "last value 9 is out of range; expected at most 5", NULL);
}

static void test_bad_arms(void **state)
{
    (void)state;
    expect_bad("two_references", MKBA_EINVAL, 8, "arms.[1].reference",
               "arms 'usual' and 'new' both have reference = true", NULL);
}

static void test_bad_timing(void **state)
{
    (void)state;
    expect_bad("horizon", MKBA_EINVAL, 6, "timing.horizon", "2.5 years is 2.5 cycles",
               "expected a whole number of cycles", NULL);
    expect_bad("occupancy_simpson", MKBA_EINVAL, 6, "timing.occupancy",
               "occupancy applies only with correction \"none\" or \"half-cycle\"",
               "\"simpson\"", NULL);
}

static void test_bad_payers_and_effects(void **state)
{
    (void)state;
    /* A payer's category did nothing since the MKBA table: refused, with
     * what replaced it. */
    expect_bad("bad_category", MKBA_EINVAL, 8, "payers.[1].category",
               "a payer has no MKBA category any more", "project costs", "direct effects",
               "docs/decision.md", NULL);
    expect_bad("bad_better", MKBA_EINVAL, 9, "effects.[0].better",
               "'less' is not a valid choice; expected one of: higher, lower", NULL);
    expect_bad("effect_payer", MKBA_EINVAL, 9, "effects.[0].payer",
               "only a monetary effect has a payer", NULL);
}

static void test_bad_transfer(void **state)
{
    (void)state;
    expect_bad("transfer_unknown", MKBA_EINVAL, 19, "costs.[0].transfer_to",
               "unknown payer 'huishoudn'; did you mean 'huishouden'?", NULL);
    expect_bad("transfer_self", MKBA_EINVAL, 20, "costs.[0].transfer_to",
               "'huishouden' is the payer itself", NULL);
    expect_bad("exit_duration", MKBA_EINVAL, 13, "costs.[0].duration",
               "state 'dead' is an exit state, where time does not run", NULL);
    expect_bad("monetary_lower", MKBA_EINVAL, 7, "effects.[0].better",
               "a monetary effect is money gained, so more is better", NULL);
}

static void test_bad_analysis(void **state)
{
    (void)state;
    expect_bad("perspective_duplicate", MKBA_EINVAL, 21, "analysis.perspectives.[1].name",
               "perspective 'sociaal' is defined twice", NULL);
    expect_bad("perspective_builtin", MKBA_EINVAL, 19, "analysis.perspectives.[0].name",
               "'municipality' is a built-in perspective", NULL);
    expect_bad("perspective_payer", MKBA_EINVAL, 19, "analysis.perspectives.[0].name",
               "'huishouden' is a payer", NULL);
    expect_bad("perspective_unknown_payer", MKBA_EINVAL, 20,
               "analysis.perspectives.[0].payers.[1]",
               "unknown payer 'huishoudens'; did you mean 'huishouden'?", NULL);
    expect_bad("wtp_decreasing", MKBA_EINVAL, 19, "analysis.wtp.[2]",
               "20000 follows 50000; expected increasing amounts", NULL);
    expect_bad("deadweight", MKBA_EINVAL, 19, "analysis.deadweight",
               "1.5 is out of range; expected a share in [0, 1)", NULL);
    expect_bad("primary_effect_unknown", MKBA_EINVAL, 19, "analysis.primary_effect",
               "unknown effect 'qualy'; did you mean 'qaly'?", NULL);
    expect_bad("primary_effect_monetary", MKBA_EINVAL, 19, "analysis.primary_effect",
               "effect 'income' is monetary", NULL);
    expect_bad("analysis_key", MKBA_EINVAL, 19,
               "analysis.populaton: unknown setting; did you mean 'population'?", NULL);
}

static void test_missing_file(void **state)
{
    (void)state;
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    assert_int_equal(mkba_scenario_load(NULL, "tests/data/bad/no_such_file.cfg", &m, &err),
                     MKBA_EIO);
    assert_null(m);
    assert_contains(err.message, "tests/data/bad/no_such_file.cfg: cannot read the scenario");
    mkba_model_free(NULL);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_structure),
        cmocka_unit_test(test_full_rules),
        cmocka_unit_test(test_full_parameters),
        cmocka_unit_test(test_full_analysis),
        cmocka_unit_test(test_wtp_array),
        cmocka_unit_test(test_print),
        cmocka_unit_test(test_defaults_and_include),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_unused_warnings),
        cmocka_unit_test(test_unused_payers_out_of_memory),
        cmocka_unit_test(test_bad_syntax),
        cmocka_unit_test(test_wide_integers),
        cmocka_unit_test(test_bad_correlations),
        cmocka_unit_test(test_bad_include_missing),
        cmocka_unit_test(test_bad_duplicate),
        cmocka_unit_test(test_bad_number_hints),
        cmocka_unit_test(test_bad_unknown_setting),
        cmocka_unit_test(test_bad_unknown_setting_in_include),
        cmocka_unit_test(test_bad_probability),
        cmocka_unit_test(test_bad_row_sum),
        cmocka_unit_test(test_bad_prevalence_sum),
        cmocka_unit_test(test_bad_counts),
        cmocka_unit_test(test_bad_distribution),
        cmocka_unit_test(test_bad_unknown_names),
        cmocka_unit_test(test_bad_expression),
        cmocka_unit_test(test_bad_reference_cycle),
        cmocka_unit_test(test_bad_transitions),
        cmocka_unit_test(test_bad_arms),
        cmocka_unit_test(test_bad_timing),
        cmocka_unit_test(test_bad_payers_and_effects),
        cmocka_unit_test(test_bad_transfer),
        cmocka_unit_test(test_bad_analysis),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
