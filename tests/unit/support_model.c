/* A small model filled in by hand (see support.h). Every string and array
 * is heap-allocated, and every count is set only once its array exists, as
 * the scenario loader does, so mkba_model_free frees it, finished or not. */
#include <stdlib.h>
#include <string.h>
#include "core/strutil.h"
#include "support.h"

static const mkba_window every_cycle = { 1, MKBA_CYCLE_END };
static const mkba_window any_duration = { 0, MKBA_CYCLE_END };

static const struct { const char *name; double value; const char *source; }
support_param[SUPPORT_NPARAMS] = {
    [SUPPORT_P_WORSE] = { "p_worse", 0.1, "assumption" },
    [SUPPORT_P_RECOVER] = { "p_recover", 0.3, "assumption" },
    [SUPPORT_COST_SEVERE] = { "cost_severe", 1200.0, "test fixture" },
    [SUPPORT_COST_PROGRAMME] = { "cost_programme", 250.0, "test fixture" },
    [SUPPORT_COST_EVICTION] = { "cost_eviction", 5000.0, NULL },
    [SUPPORT_U_ALIVE] = { "u_alive", 0.85, "assumption" },
    [SUPPORT_INCOME] = { "income_none", 400.0, NULL },
};

static int set_domain(mkba_domain *d, const char *name, const char *const state[3])
{
    d->name = mkba_strdup(name);
    d->nstates = 3;
    d->init_kind = MKBA_INIT_STATE;
    d->init_state = 0;
    d->loading = MKBA_NO_VALUE;
    for (int s = 0; s < MKBA_MAX_STATES; s++)
        d->init_prev[s] = MKBA_NO_VALUE;
    int ok = d->name != NULL;
    for (int s = 0; s < 3; s++) {
        d->state[s].name = mkba_strdup(state[s]);
        d->state[s].severity = s;
        ok = ok && d->state[s].name != NULL;
    }
    return ok;
}

/* A probability rule for row `from` of `domain`: to[k] gets value[k]. */
static mkba_trans_rule prob_rule(int domain, int from, int to0, int v0, int to1, int v1)
{
    mkba_trans_rule r = { .domain = domain, .from = from, .arms = MKBA_ALL_ARMS,
                          .cycles = every_cycle, .duration = any_duration,
                          .kind = MKBA_TRANS_PROB, .of_arm = -1, .line = 0 };
    for (int s = 0; s < MKBA_MAX_STATES; s++)
        r.value[s] = MKBA_NO_VALUE;
    r.value[to0] = v0;
    if (to1 >= 0)
        r.value[to1] = v1;
    return r;
}

static mkba_cost_rule cost_rule(mkba_cost_kind kind, int domain, int state, int payer,
                                uint32_t arms, int amount)
{
    mkba_cost_rule c = { .kind = kind, .domain = domain, .state = state, .payer = payer,
                         .transfer_to = -1,
                         .arms = arms, .cycles = every_cycle, .duration = any_duration,
                         .amount = amount, .line = 0 };
    return c;
}

static mkba_effect_rule effect_rule(int effect, int domain, int state, int amount)
{
    mkba_effect_rule e = { .effect = effect, .domain = domain, .state = state,
                           .arms = MKBA_ALL_ARMS, .cycles = every_cycle,
                           .duration = any_duration, .amount = amount, .line = 0 };
    return e;
}

/* Gives every rule its own copy of a setting path and file name, as the
 * loader would. */
static int name_rules(mkba_model *m)
{
    int ok = 1;
    for (size_t i = 0; i < m->ntrans; i++) {
        m->trans[i].path = mkba_strdup("support.transitions");
        m->trans[i].file = mkba_strdup("support_model.c");
        ok = ok && m->trans[i].path && m->trans[i].file;
    }
    for (size_t i = 0; i < m->ncosts; i++) {
        m->cost[i].path = mkba_strdup("support.costs");
        m->cost[i].file = mkba_strdup("support_model.c");
        ok = ok && m->cost[i].path && m->cost[i].file;
    }
    for (size_t i = 0; i < m->neffect_rules; i++) {
        m->effect_rule[i].path = mkba_strdup("support.effect_values");
        m->effect_rule[i].file = mkba_strdup("support_model.c");
        ok = ok && m->effect_rule[i].path && m->effect_rule[i].file;
    }
    return ok;
}

static int add_params(mkba_model *m)
{
    mkba_error err;
    mkba_error_clear(&err);
    m->params = mkba_params_alloc(m->narms);
    if (m->params == NULL)
        return 0;
    for (int i = 0; i < SUPPORT_NPARAMS; i++) {
        mkba_dist d;
        memset(&d, 0, sizeof d);
        d.kind = MKBA_DIST_FIXED;
        d.a = support_param[i].value;
        if (mkba_params_add(m->params, support_param[i].name, &d, "support.parameters",
                            "support_model.c", i + 1, support_param[i].source, &err) != i)
            return 0;
    }
    return mkba_params_finalize(m->params, &err) == MKBA_OK;
}

mkba_model *support_model_small(void)
{
    static const char *const debt[3] = { "none", "light", "severe" };
    static const char *const housing[3] = { "stable", "unstable", "evicted" };
    static const char *const payer[3] = { "municipality", "insurer", "housing" };

    mkba_model *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->name = mkba_strdup("support-small");
    m->description = mkba_strdup("Two domains, two arms, built in memory for tests.");
    m->path = mkba_strdup("tests/unit/support_model.c");
    m->text = mkba_strdup("# built in memory by tests/unit/support_model.c\nname = \"support-small\";\n");
    m->currency = mkba_strdup("EUR");
    m->price_year = 2024;
    m->timing = (mkba_timing){ .cycle_years = 1.0, .ncycles = 4, .rate_costs = 0.03,
                               .rate_effects = 0.015, .occupancy = MKBA_OCC_START,
                               .correction = MKBA_CORR_NONE,
                               .discount_time = MKBA_DISC_START };
    m->seed = 20240611u;
    m->draws = 3;
    m->households = 500;
    m->base_case = MKBA_BASE_MEAN;

    m->ndomains = 2;
    int ok = m->name && m->description && m->path && m->text && m->currency
             && set_domain(&m->domain[0], "debt", debt)
             && set_domain(&m->domain[1], "housing", housing);
    if (ok) {
        m->domain[1].state[2].absorbing = 1;
        m->domain[1].state[2].exit = 1;
    }

    m->narms = 2;
    m->arm[0].name = mkba_strdup("usual");
    m->arm[0].label = mkba_strdup("Usual care (reference)");
    m->arm[0].is_reference = 1;
    m->arm[1].name = mkba_strdup("integrated");
    m->arm[1].label = mkba_strdup("Integrated neighbourhood team");
    m->reference = 0;
    ok = ok && m->arm[0].name && m->arm[0].label && m->arm[1].name && m->arm[1].label;

    m->payer = calloc(3, sizeof *m->payer);
    m->effect = calloc(2, sizeof *m->effect);
    ok = ok && m->payer && m->effect;
    if (ok) {
        m->npayers = 3;
        for (int p = 0; p < 3; p++)
            ok = ok && (m->payer[p] = mkba_strdup(payer[p])) != NULL;
        m->neffects = 2;
        m->effect[0] = (mkba_effect_def){ .name = mkba_strdup("qaly"), .unit = mkba_strdup("QALY"), .payer = -1 };
        m->effect[1] = (mkba_effect_def){ .name = mkba_strdup("income"), .unit = mkba_strdup("EUR"), .monetary = 1, .payer = -1 };
        ok = ok && m->effect[0].name && m->effect[0].unit && m->effect[1].name
             && m->effect[1].unit;
    }

    m->trans = calloc(5, sizeof *m->trans);
    m->cost = calloc(3, sizeof *m->cost);
    m->effect_rule = calloc(2, sizeof *m->effect_rule);
    ok = ok && m->trans && m->cost && m->effect_rule;
    if (ok) {
        m->ntrans = 5;
        m->trans[0] = prob_rule(0, 0, 1, SUPPORT_P_WORSE, -1, 0);
        m->trans[1] = prob_rule(0, 1, 0, SUPPORT_P_RECOVER, 2, SUPPORT_P_WORSE);
        m->trans[2] = prob_rule(0, 2, 1, SUPPORT_P_RECOVER, -1, 0);
        m->trans[3] = prob_rule(1, 0, 1, SUPPORT_P_WORSE, -1, 0);
        m->trans[4] = prob_rule(1, 1, 0, SUPPORT_P_RECOVER, 2, SUPPORT_P_WORSE);
        m->ncosts = 3;
        m->cost[0] = cost_rule(MKBA_COST_STATE, 0, 2, 0, MKBA_ALL_ARMS, SUPPORT_COST_SEVERE);
        m->cost[1] = cost_rule(MKBA_COST_PROGRAMME_YEAR, -1, -1, 1, 1u << 1,
                               SUPPORT_COST_PROGRAMME);
        m->cost[2] = cost_rule(MKBA_COST_ENTRY, 1, 2, 2, MKBA_ALL_ARMS, SUPPORT_COST_EVICTION);
        m->neffect_rules = 2;
        m->effect_rule[0] = effect_rule(0, -1, -1, SUPPORT_U_ALIVE);
        m->effect_rule[1] = effect_rule(1, 0, 0, SUPPORT_INCOME);
        ok = name_rules(m);
    }
    ok = ok && add_params(m);
    if (!ok) {
        mkba_model_free(m);
        return NULL;
    }
    return m;
}
