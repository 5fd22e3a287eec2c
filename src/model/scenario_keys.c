/* The known settings of each group of a scenario file. A setting that is not
 * in its group's table is an error rather than being ignored, because a typo
 * ("discont_time") would otherwise silently leave a default in force. */
#include <stdio.h>
#include <string.h>
#include "core/strutil.h"
#include "scenario_impl.h"

static const char *const keys_root[] = {
    "mkba_format", "name", "description", "currency", "price_year", "run",
    "timing", "discount", "payers", "effects", "arms", "parameters",
    "correlations", "domains", "interactions", "costs", "effect_values", "analysis", "services",
    "population", NULL};
static const char *const keys_run[] = {"seed", "draws", "households", "base_case", NULL};
static const char *const keys_timing[] = {
    "cycle", "horizon", "occupancy", "correction", "discount_time", NULL};
static const char *const keys_discount[] = {"costs", "effects", NULL};
static const char *const keys_effect[] = {
    "name", "unit", "monetary", "better", "payer", "category", NULL};
static const char *const keys_arm[] = {"name", "reference", "label", "overrides",
                                       "calibrated_to", NULL};
static const char *const keys_correlation[] = {"parameters", "matrix", NULL};
static const char *const keys_domain[] = {"name", "states", "initial", "transitions", NULL};
static const char *const keys_state[] = {"name", "severity", "absorbing", "exit", "second_line", NULL};
static const char *const keys_initial[] = {"prevalence", "loading", "state", NULL};
static const char *const keys_transition[] = {
    "from", "probabilities", "rates", "relative_risks", "hazard_ratios",
    "arms", "cycles", "duration", "of", NULL};
static const char *const keys_interaction[] = {"from", "to", "beta", "source", NULL};
static const char *const keys_cost[] = {
    "domain", "state", "enter", "payer", "per_year", "once", "arms", "cycles",
    "duration", "category", "source", "transfer_to", "index", NULL};
static const char *const keys_effect_value[] = {
    "effect", "per_year", "domain", "state", "arms", "cycles", "duration",
    "source", NULL};
/* A parameter group without `dist`: {value = ...} or {expr = ...}. */
static const char *const keys_value[] = {"value", "source", "unit", NULL};
static const char *const keys_expr[] = {"expr", "source", "unit", NULL};
/* A parameter group before we know which of the three it is. */
static const char *const keys_param[] = {"dist", "value", "expr", "source", "unit", NULL};
static const char *const keys_payer[] = {"name", "municipal", NULL};
static const char *const keys_analysis[] = {
    "perspectives", "wtp", "primary_effect", "population", "population_years",
    "optimism_bias", "deadweight", "pm_items", "residual_years", "health_value", NULL};
static const char *const keys_health_value[] = {"effect", "value", "source", NULL};
static const char *const keys_perspective[] = {"name", "payers", NULL};
static const char *const keys_wtp_range[] = {"from", "to", "step", NULL};

static const char *const keys_population[] = {
    "households", "inhabitants", "prevalence", "inflow", "entrants", "first_year",
    "price_index", "price_growth", "wage_index", "wage_growth", "budget_lines", NULL};
static const char *const keys_budget_line[] = {"payer", "fund", "taakveld", NULL};

static const char *const keys_services[] = {
    "population", "degree_weights", "seek_rate", "teams", "pathways", "dismantling", NULL};
static const char *const keys_degree_weights[] = {"limited", "partial", "full", NULL};
static const char *const keys_team[] = {
    "name", "domains", "fte", "caseload", "queue", "cost_per_fte", "intake_cost", "payer",
    "category", "improve_hr", "worsen_hr", "episode_years", "turnover", "turnover_loss",
    "handover_cost", "improve_hr_by_domain", "worsen_hr_by_domain", "caseload_norm",
    "caseload_slope", NULL};
static const char *const keys_pathway[] = {
    "rule", "degree", "team", "teams", "triage", "providers", "refer_above", "multi_problem",
    "quick_scan", "home_visit_cost", "payer", "stigma", "outreach", "awareness", "detect",
    "coordination", "wait_escalation", "wait_effect", "self_reliance", "maturity",
    "overheads", "take_up", "classic_access",
    "integrated_share", "substitution",
    "integration", NULL};
static const char *const keys_awareness[] = {"start", "years", NULL};
static const char *const keys_self_reliance[] = {"share", "cap", "informal_care", "payer",
                                                  "relapse", NULL};
static const char *const keys_maturity[] = {
    "start", "years", "efficiency_start", "efficiency_years", "friction",
    "friction_years",
    "ramp_years", "friction_lasting", NULL};
static const char *const keys_overheads[] = {
    "investment", "recurring", "co_location", "shared_ict", "duplicate_registration",
    "ict_investment", "ict_running",
    "double_running", "double_running_years", "secondment", NULL};
static const char *const keys_quick_scan[] = {"share", "cost", NULL};
static const char *const keys_multi_problem[] = {"min_domains", "min_severity", NULL};
static const char *const keys_triage[] = {"team", "domain", "min_severity",
                                          "min_domains", NULL};
static const char *const keys_take_up[] = {
    "domain", "min_severity", "non_take_up", "team_claims", "amount", "payer", "recipient", "index", NULL};
static const char *const keys_substitute[] = {"domain", "state", "payer", "share", "places", NULL};
static const char *const keys_integration[] = {
    "front_office", "pooled_budgets", "coordination_weight", "front_office_investment",
    "pooling_investment", "pooling_running", "unpooled", NULL};
static const char *const keys_unpooled[] = {"shift", "second_line", NULL};

static const char *const *const keysets[MKBA_KEYS_COUNT] = {
    keys_root, keys_run, keys_timing, keys_discount, keys_effect, keys_arm,
    keys_correlation, keys_domain, keys_state, keys_initial, keys_transition,
    keys_interaction, keys_cost, keys_effect_value, keys_value, keys_expr, keys_param,
    keys_payer, keys_analysis, keys_perspective, keys_wtp_range, keys_services,
    keys_degree_weights, keys_team, keys_pathway, keys_awareness, keys_self_reliance,
    keys_maturity, keys_overheads, keys_quick_scan, keys_multi_problem, keys_triage,
    keys_health_value, keys_population, keys_budget_line, keys_take_up,
    keys_substitute, keys_integration, keys_unpooled};

const char *const mkba_sc_category_names[MKBA_NCATEGORIES] = {"direct", "indirect", "external"};

const char *const mkba_occupancy_names[3] = {"start", "end", "both"};
const char *const mkba_correction_names[4] = {"none", "half-cycle", "trapezoid", "simpson"};
const char *const mkba_discount_time_names[4] = {"start", "middle", "end", "point"};

const char *const mkba_sc_dist_names[] = {
    "fixed", "normal", "lognormal", "gamma", "beta", "uniform", "triangular",
    "pert", "dirichlet", "expr", NULL};

/* Common members of every distribution group come first, so the list in a
 * message reads "dist, source, unit, alpha, beta". Fixed values and
 * expressions are not distributions: their groups use keys_value and
 * keys_expr. */
static const char *const dist_keys[][7] = {
    [MKBA_DIST_NORMAL] = {"dist", "source", "unit", "mean", "sd", NULL},
    [MKBA_DIST_LOGNORMAL] = {"dist", "source", "unit", "meanlog", "sdlog", NULL},
    [MKBA_DIST_GAMMA] = {"dist", "source", "unit", "shape", "scale", NULL},
    [MKBA_DIST_BETA] = {"dist", "source", "unit", "alpha", "beta", NULL},
    [MKBA_DIST_UNIFORM] = {"dist", "source", "unit", "min", "max", NULL},
    [MKBA_DIST_TRIANGULAR] = {"dist", "source", "unit", "min", "mode", "max", NULL},
    [MKBA_DIST_PERT] = {"dist", "source", "unit", "min", "mode", "max", NULL},
    [MKBA_DIST_DIRICHLET] = {"dist", "source", "unit", "alpha", NULL},
};

const char *const *mkba_sc_dist_keys(mkba_dist_kind kind)
{
    /* Skip the three common members: callers want the parameters. */
    return dist_keys[kind] + 3;
}

static size_t count_names(const char *const *names)
{
    size_t n = 0;
    while (names[n] != NULL)
        n++;
    return n;
}

static int check_against(mkba_loader *ld, const config_setting_t *group,
                         const char *const *known, const char *context)
{
    size_t nknown = count_names(known);
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(s);
        if (name == NULL)
            continue;
        size_t k;
        for (k = 0; k < nknown; k++)
            if (strcmp(name, known[k]) == 0)
                break;
        if (k < nknown)
            continue;
        const char *close = mkba_closest_name(name, known, nknown);
        if (close != NULL)
            return mkba_sc_fail(ld, s, NULL, "unknown setting%s; did you mean '%s'?",
                                context, close);
        char list[512] = "";
        size_t used = 0;
        for (k = 0; k < nknown && used < sizeof list; k++)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                     k ? ", " : "", known[k]);
        return mkba_sc_fail(ld, s, NULL, "unknown setting%s; expected one of: %s",
                            context, list);
    }
    return 0;
}

int mkba_sc_check_keys(mkba_loader *ld, const config_setting_t *group, mkba_keyset set)
{
    return check_against(ld, group, keysets[set], "");
}

int mkba_sc_check_dist_keys(mkba_loader *ld, const config_setting_t *group, mkba_dist_kind kind)
{
    char context[64];
    snprintf(context, sizeof context, " for a %s distribution", mkba_sc_dist_names[kind]);
    return check_against(ld, group, dist_keys[kind], context);
}
