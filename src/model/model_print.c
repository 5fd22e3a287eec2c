/* The resolved scenario as text, for `mkba check`: what the engine will run,
 * with every default filled in, so a reader can compare it with the file. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pathway.h"
#include "core/alloc.h"
#include "scenario.h"
#include "scenario_impl.h"

static const char *const trans_names[] = {
    "probabilities", "rates", "relative_risks", "hazard_ratios"};
static const char *const cost_names[] = {
    "per year in state", "once on entering", "programme, once at start", "programme, per year"};

/* A parameter given inline in a rule is named by its setting path. */
static int is_inline(const mkba_param *q)
{
    return q->path != NULL && strcmp(q->name, q->path) == 0;
}

/* "beta(alpha = 20, beta = 180)", "0.3", "= p_a / 2" into buf. */
static void dist_text(const mkba_dist *d, char *buf, size_t size)
{
    switch (d->kind) {
    case MKBA_DIST_FIXED:
        snprintf(buf, size, "%g", d->a);
        return;
    case MKBA_DIST_EXPR:
        snprintf(buf, size, "= %s", d->expr);
        return;
    case MKBA_DIST_DIRICHLET: {
        size_t used = (size_t)snprintf(buf, size, "dirichlet(alpha = [");
        for (int i = 0; i < d->group_size && used < size; i++)
            used += (size_t)snprintf(buf + used, size - used, "%s%g", i ? ", " : "",
                                     d->alpha[i]);
        if (used < size)
            snprintf(buf + used, size - used, "], component %d)", d->group_index + 1);
        return;
    }
    default:
        break;
    }
    const char *const *keys = mkba_sc_dist_keys(d->kind);
    const double v[3] = {d->a, d->b, d->c};
    size_t used = (size_t)snprintf(buf, size, "%s(", mkba_sc_dist_names[d->kind]);
    for (int i = 0; keys[i] != NULL && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s = %g", i ? ", " : "", keys[i],
                                 v[i]);
    if (used < size)
        snprintf(buf + used, size - used, ")");
}

/* A value's text: the parameter's name, or an inline definition. */
void mkba_print_value_text(const mkba_model *m, int index, char *buf, size_t size)
{
    const mkba_param *q = index >= 0 ? mkba_params_get(m->params, (size_t)index) : NULL;
    if (q == NULL)
        snprintf(buf, size, "-");
    else if (is_inline(q) && q->dist.kind == MKBA_DIST_EXPR)
        snprintf(buf, size, "\"%s\"", q->dist.expr);
    else if (is_inline(q))
        dist_text(&q->dist, buf, size);
    else
        snprintf(buf, size, "%s", q->name);
}

static void print_scope(const mkba_model *m, FILE *f, uint32_t arms, mkba_window cycles,
                        mkba_window duration)
{
    if (arms != MKBA_ALL_ARMS) {
        fprintf(f, "; arms");
        for (size_t a = 0; a < m->narms; a++)
            if (arms & (1u << a))
                fprintf(f, " %s", m->arm[a].name);
    }
    if (cycles.from != 1 || cycles.to != MKBA_CYCLE_END) {
        fprintf(f, "; cycles %d-", cycles.from);
        cycles.to == MKBA_CYCLE_END ? fprintf(f, "end") : fprintf(f, "%d", cycles.to);
    }
    if (duration.to == MKBA_CYCLE_END && duration.from != 0)
        fprintf(f, "; after %d or more cycles in state", duration.from);
    else if (duration.to != MKBA_CYCLE_END)
        fprintf(f, "; after %d-%d cycles in state", duration.from, duration.to);
}

static void print_domains(const mkba_model *m, FILE *f)
{
    char v[256];
    fprintf(f, "\nDomains (%zu)\n", m->ndomains);
    for (size_t di = 0; di < m->ndomains; di++) {
        const mkba_domain *d = &m->domain[di];
        fprintf(f, "  %s\n    states:", d->name);
        for (int s = 0; s < d->nstates; s++)
            fprintf(f, "%s %s (severity %g%s%s%s)", s ? "," : "", d->state[s].name,
                    d->state[s].severity, d->state[s].absorbing ? ", absorbing" : "",
                    d->state[s].exit ? ", exit" : "",
                    d->state[s].second_line ? ", second line" : "");
        if (d->init_kind == MKBA_INIT_STATE) {
            fprintf(f, "\n    initial: everyone in %s\n", d->state[d->init_state].name);
        } else {
            fprintf(f, "\n    initial prevalence:");
            for (int s = 0; s < d->nstates; s++) {
                mkba_print_value_text(m, d->init_prev[s], v, sizeof v);
                fprintf(f, "%s %s = %s", s ? "," : "", d->state[s].name, v);
            }
            mkba_print_value_text(m, d->loading, v, sizeof v);
            fprintf(f, "; loading %s\n", d->loading == MKBA_NO_VALUE ? "0 (none)" : v);
        }
        for (size_t i = 0; i < m->ntrans; i++) {
            const mkba_trans_rule *r = &m->trans[i];
            if (r->domain != (int)di)
                continue;
            fprintf(f, "    from %s, %s:", d->state[r->from].name, trans_names[r->kind]);
            for (int t = 0; t < d->nstates; t++)
                if (r->value[t] != MKBA_NO_VALUE) {
                    mkba_print_value_text(m, r->value[t], v, sizeof v);
                    fprintf(f, " %s = %s", d->state[t].name, v);
                }
            if (r->kind == MKBA_TRANS_RR || r->kind == MKBA_TRANS_HR)
                fprintf(f, "; of arm %s", m->arm[r->of_arm].name);
            print_scope(m, f, r->arms, r->cycles, r->duration);
            fprintf(f, "  [%s:%d]\n", r->file, r->line);
        }
    }
}

static void print_rules(const mkba_model *m, FILE *f)
{
    char v[256];
    if (m->ninteract > 0)
        fprintf(f, "\nInteractions (%zu)\n", m->ninteract);
    for (size_t i = 0; i < m->ninteract; i++) {
        mkba_print_value_text(m, m->interact[i].beta, v, sizeof v);
        fprintf(f, "  %s -> %s: beta = %s\n", m->domain[m->interact[i].from].name,
                m->domain[m->interact[i].to].name, v);
    }
    if (m->ncosts > 0)
        fprintf(f, "\nCosts (%zu; %s, price year %d, per household)\n", m->ncosts, m->currency,
                m->price_year);
    for (size_t i = 0; i < m->ncosts; i++) {
        const mkba_cost_rule *c = &m->cost[i];
        mkba_print_value_text(m, c->amount, v, sizeof v);
        fprintf(f, "  %s", cost_names[c->kind]);
        if (c->domain >= 0)
            fprintf(f, " %s.%s", m->domain[c->domain].name,
                    m->domain[c->domain].state[c->state].name);
        fprintf(f, ": %s; payer %s", v, m->payer[c->payer]);
        if (c->transfer_to >= 0)
            fprintf(f, "; transfer to %s", m->payer[c->transfer_to]);
        if (c->wage_indexed)
            fprintf(f, "; budget at the wage index");
        if (c->category != NULL)
            fprintf(f, "; category %s", c->category);
        print_scope(m, f, c->arms, c->cycles, c->duration);
        fprintf(f, "  [%s:%d]\n", c->file, c->line);
    }
    if (m->neffect_rules > 0)
        fprintf(f, "\nEffect values (%zu, per year)\n", m->neffect_rules);
    for (size_t i = 0; i < m->neffect_rules; i++) {
        const mkba_effect_rule *e = &m->effect_rule[i];
        mkba_print_value_text(m, e->amount, v, sizeof v);
        fprintf(f, "  %s", m->effect[e->effect].name);
        if (e->domain >= 0)
            fprintf(f, " in %s.%s", m->domain[e->domain].name,
                    m->domain[e->domain].state[e->state].name);
        else
            fprintf(f, " per household in the model");
        fprintf(f, ": %s", v);
        print_scope(m, f, e->arms, e->cycles, e->duration);
        fprintf(f, "  [%s:%d]\n", e->file, e->line);
    }
}

/* The integration group's elements and costs (scenario_integration.c). */
static void print_integration(const mkba_model *m, FILE *f, const mkba_pathway *p)
{
    if (!p->integration)
        return;
    fprintf(f, "      integration: front office %s, shared ICT %s, budgets %s; coordination "
            "weight ", p->front_office ? "yes" : "no", p->shared_ict ? "yes" : "no",
            p->pooled_budgets ? "pooled" : "not pooled");
    if (p->coordination_weight >= 0) {
        char v[256];
        mkba_print_value_text(m, p->coordination_weight, v, sizeof v);
        fprintf(f, "%s", v);
    } else {
        fprintf(f, "%g (degree %s)", m->services.degree_weight[p->degree],
                mkba_degree_names[p->degree]);
    }
    if (p->front_office) {
        static const char *const fo[] = {"front office investment"};
        fprintf(f, "\n        ");
        mkba_print_values(m, f, fo, (const int[]){p->front_office_investment}, 1);
    }
    if (p->pooled_budgets) {
        static const char *const pool[] = {"pooling investment", "running"};
        fprintf(f, "\n        ");
        mkba_print_values(m, f, pool, (const int[]){p->pooling_investment, p->pooling_running},
                          2);
    } else {
        /* shift only with a substitution list (scenario_integration.c). */
        const int shift = p->unpooled_shift >= 0;
        const char *const un[] = {"unpooled second_line", "shift"};
        fprintf(f, "\n        ");
        mkba_print_values(m, f, un, (const int[]){p->unpooled_second_line, p->unpooled_shift},
                          1 + shift);
    }
    fprintf(f, "\n");
}

/* The start-up, secondment and mix settings a pathway has (docs/model.md,
 * "Start-up and secondment", "Mixed arms"), one line each; none without. */
static void print_startup(const mkba_model *m, FILE *f, const mkba_pathway *p)
{
    static const struct {
        const char *what;
        size_t at;             /* offset of the value index in mkba_pathway */
    } settings[] = {
        {"start-up ramp, years", offsetof(mkba_pathway, ramp_years)},
        {"friction lasting after friction_years, share", offsetof(mkba_pathway, friction_lasting)},
        {"double running, share of the own teams' staff cost",
         offsetof(mkba_pathway, double_running)},
        {"double running, years", offsetof(mkba_pathway, double_running_years)},
        {"secondment, share of the own teams' staff cost", offsetof(mkba_pathway, secondment)},
        {"integrated share of the households", offsetof(mkba_pathway, integrated_share)},
    };
    char v[256];
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
        int index;
        memcpy(&index, (const char *)p + settings[i].at, sizeof index);
        if (index >= 0) {
            mkba_print_value_text(m, index, v, sizeof v);
            fprintf(f, "      %s: %s\n", settings[i].what, v);
        }
    }
}

void mkba_print_values(const mkba_model *m, FILE *f, const char *const *names,
                         const int *index, int n)
{
    char v[256];
    for (int i = 0; i < n; i++) {
        mkba_print_value_text(m, index[i], v, sizeof v);
        fprintf(f, "%s%s %s", i ? ", " : "", names[i], v);
    }
}

/* The names of the domains in mask, separated by ", ". */
static void print_domain_list(const mkba_model *m, FILE *f, uint32_t mask)
{
    int any = 0;
    for (size_t d = 0; d < m->ndomains; d++)
        if (mask >> d & 1u)
            fprintf(f, "%s%s", any++ ? ", " : "", m->domain[d].name);
    if (!any)
        fprintf(f, "none");
}

/* A team's hazard ratios for single domains, one line each. */
static void print_domain_ratios(const mkba_model *m, FILE *f, const char *what, uint32_t mask,
                                const int (*index)[8], const int *n)
{
    static const char *const level[] = {"level 1", "level 2", "level 3", "level 4",
                                        "level 5", "level 6", "level 7", "level 8"};
    for (uint32_t c = mask; c != 0; c &= c - 1) {
        int d = __builtin_ctz(c);
        fprintf(f, "      %s for %s%s: ", what, m->domain[d].name, n[d] > 1 ? " by level" : "");
        mkba_print_values(m, f, n[d] > 1 ? level : &what, index[d], n[d]);
        fprintf(f, "\n");
    }
}

static void print_team(const mkba_model *m, FILE *f, const mkba_team *t)
{
    fprintf(f, "    %s: domains ", t->name);
    print_domain_list(m, f, t->domains);
    fprintf(f, "; queue %s; payer", mkba_queue_names[t->queue]);
    if (t->npayers <= 1)
        fprintf(f, " %s", m->payer[t->payer]);
    for (int i = 0; t->npayers > 1 && i < t->npayers; i++)
        fprintf(f, "%s %s %g", i ? "," : "", m->payer[t->payer_of[i]], t->payer_share[i]);
    fprintf(f, "; category %s  [%s:%d]\n      ", m->category[t->category], t->file, t->line);
    static const char *const staff[] = {"fte", "caseload", "cost_per_fte", "intake_cost"};
    mkba_print_values(m, f, staff, (const int[]){t->fte, t->caseload, t->cost_per_fte,
                                                 t->intake_cost}, 4);
    fprintf(f, "\n      ");
    /* A hazard ratio given by severity level prints as its list. */
    static const char *const level[] = {"level 1", "level 2", "level 3", "level 4",
                                        "level 5", "level 6", "level 7", "level 8"};
    static const char *const improve[] = {"improve_hr"}, *const worsen[] = {"worsen_hr"};
    static const char *const episode[] = {"episode_years"};
    if (t->nimprove > 1) {
        fprintf(f, "improve_hr by severity level: ");
        mkba_print_values(m, f, level, t->improve_by_level, t->nimprove);
    } else {
        mkba_print_values(m, f, improve, &t->improve_hr, 1);
    }
    fprintf(f, t->nworsen > 1 ? "\n      worsen_hr by severity level: " : ", ");
    if (t->nworsen > 1)
        mkba_print_values(m, f, level, t->worsen_by_level, t->nworsen);
    else
        mkba_print_values(m, f, worsen, &t->worsen_hr, 1);
    fprintf(f, t->nworsen > 1 || t->nimprove > 1 ? "\n      " : ", ");
    mkba_print_values(m, f, episode, &t->episode_years, 1);
    fprintf(f, "\n      ");
    static const char *const staffing[] = {"turnover", "turnover_loss", "handover_cost"};
    mkba_print_values(m, f, staffing,
                      (const int[]){t->turnover, t->turnover_loss, t->handover_cost}, 3);
    fprintf(f, "\n");
    if (t->caseload_norm >= 0) {
        static const char *const norm[] = {"caseload_norm", "caseload_slope"};
        fprintf(f, "      quality falls above the caseload norm: ");
        mkba_print_values(m, f, norm, (const int[]){t->caseload_norm, t->caseload_slope}, 2);
        fprintf(f, "\n");
    }
    print_domain_ratios(m, f, "improve_hr", t->improve_domains, t->improve_by_domain,
                        t->nimprove_domain);
    print_domain_ratios(m, f, "worsen_hr", t->worsen_domains, t->worsen_by_domain,
                        t->nworsen_domain);
}

static void print_pathway(const mkba_model *m, FILE *f, size_t arm)
{
    const mkba_services *sv = &m->services;
    const mkba_pathway *p = &sv->pathway[arm];
    fprintf(f, "    %s: rule %s, degree %s (weight %g); payer %s  [%s:%d]\n", m->arm[arm].name,
            mkba_route_names[p->rule], mkba_degree_names[p->degree],
            sv->degree_weight[p->degree], p->payer >= 0 ? m->payer[p->payer] : "none",
            p->file, p->line);
    const mkba_pathway_rule *rule = mkba_pathway_rule_of(p->rule);
    if (rule->integrated && p->degree == MKBA_DEGREE_NONE)
        fprintf(f, "      degree none: households follow the classic route (providers); the "
                   "arm keeps its own costs\n");
    rule->print(m, f, p);
    /* A domain no team of the arm treats gets no help in this arm: often
     * intended (life, or a domain out of scope), sometimes a forgotten
     * provider, so say it. */
    uint32_t served = 0;
    for (size_t i = 0; i < sv->nteams; i++)
        if (p->teams_used >> i & 1u)
            served |= sv->team[i].domains;
    if (!rule->integrated || p->degree == MKBA_DEGREE_NONE) {
        served = 0;
        for (size_t d = 0; d < m->ndomains; d++)
            served |= (uint32_t)(p->provider[d] >= 0) << d;
    }
    int unserved = 0;
    for (size_t d = 0; d < m->ndomains; d++)
        if (!(served >> d & 1u))
            fprintf(f, "%s %s", unserved++ ? "," : "      no team or provider treats:",
                    m->domain[d].name);
    if (unserved)
        fprintf(f, " (no help asked or given for these in this arm)\n");
    fprintf(f, "      teams run:");
    for (size_t i = 0, any = 0; i < sv->nteams; i++)
        if (p->teams_used >> i & 1u)
            fprintf(f, "%s %s", any++ ? "," : "", sv->team[i].name);
    static const char *const access[] = {"stigma", "outreach", "awareness start", "years"};
    fprintf(f, "\n      access: ");
    mkba_print_values(m, f, access, (const int[]){p->stigma, p->outreach, p->awareness_start,
                                                  p->awareness_years}, 4);
    static const char *const intake[] = {"self_reliance share", "cap", "detect"};
    fprintf(f, "\n      intake: ");
    mkba_print_values(m, f, intake, (const int[]){p->self_share, p->self_cap, p->detect}, 3);
    static const char *const plan[] = {"coordination", "wait_escalation", "wait_effect"};
    fprintf(f, "\n      plan and waiting: ");
    mkba_print_values(m, f, plan, (const int[]){p->coordination, p->wait_escalation,
                                                p->wait_effect}, 3);
    static const char *const maturity[] = {"maturity start", "years", "efficiency_start",
                                           "efficiency_years", "friction", "friction_years"};
    fprintf(f, "\n      ");
    mkba_print_values(m, f, maturity, (const int[]){p->maturity_start, p->maturity_years,
                                                    p->efficiency_start, p->efficiency_years,
                                                    p->friction, p->friction_years}, 6);
    static const char *const overheads[] = {"investment", "recurring", "co_location",
                                            "duplicate_registration"};
    fprintf(f, "\n      overheads: ");
    mkba_print_values(m, f, overheads, (const int[]){p->investment, p->recurring, p->co_location,
                                                     p->duplicate_registration}, 4);
    if (p->shared_ict) {
        static const char *const ict[] = {"investment", "running"};
        fprintf(f, "\n      shared ICT (no duplicate registration): ");
        mkba_print_values(m, f, ict, (const int[]){p->ict_investment, p->ict_running}, 2);
        fprintf(f, "\n");
    } else {
        fprintf(f, "; no shared ICT\n");
    }
    print_integration(m, f, p);
    if (p->informal_care >= 0) {
        char v[256];
        mkba_print_value_text(m, p->informal_care, v, sizeof v);
        fprintf(f, "      informal care per problem solved by own strength: %s, borne by %s\n", v,
                m->payer[p->informal_payer]);
    }
    print_startup(m, f, p);
    if (p->take_up_domain >= 0) {
        static const char *const take[] = {"non_take_up", "team_claims", "amount"};
        fprintf(f, "      take-up: entitled at %s severity >= %g, paid by %s to %s%s; ",
                m->domain[p->take_up_domain].name, p->take_up_min, m->payer[p->take_up_payer],
                m->payer[p->take_up_recipient],
                p->take_up_wage_indexed ? " (budget at the wage index)" : "");
        mkba_print_values(m, f, take, (const int[]){p->take_up_non, p->take_up_claims,
                                                    p->take_up_amount}, 3);
        fprintf(f, "\n");
    }
    if (p->relapse >= 0) {
        char v[256];
        mkba_print_value_text(m, p->relapse, v, sizeof v);
        fprintf(f, "      relapse of problems solved by own strength, rate per year: %s\n", v);
    }
    for (int e = 0; e < p->nsubstitute; e++) {
        static const char *const sub[] = {"share", "places"};
        const mkba_substitute *su = &p->substitute[e];
        fprintf(f, "      substitution: the own teams give %s %s help (cost rule %s) to "
                "households in care: ", m->domain[su->domain].name,
                m->domain[su->domain].state[su->state].name, m->cost[su->cost_rule].path);
        mkba_print_values(m, f, sub, (const int[]){su->share, su->places}, 2);
        fprintf(f, "\n");
    }
}

/* Teams and, per arm, its pathway with every mechanism's value. */
static void print_services(const mkba_model *m, FILE *f)
{
    const mkba_services *sv = &m->services;
    char v[256];
    if (!sv->enabled)
        return;
    mkba_print_value_text(m, sv->population, v, sizeof v);
    fprintf(f, "\nServices (population %s households)\n", v);
    if (sv->dismantling >= 0) {
        mkba_print_value_text(m, sv->dismantling, v, sizeof v);
        fprintf(f, "  dismantling the reference's teams, once for every switching arm: %s\n", v);
    }
    fprintf(f, "  degree weights:");
    for (int d = 0; d < MKBA_NDEGREES; d++)
        fprintf(f, "%s %s %g", d ? "," : "", mkba_degree_names[d], sv->degree_weight[d]);
    fprintf(f, "\n  help seeking per year by highest severity:");
    for (int i = 0; i < sv->nseek; i++) {
        mkba_print_value_text(m, sv->seek_rate[i], v, sizeof v);
        if (i + 1 < sv->nseek)
            fprintf(f, "%s (%d, %d] %s", i ? "," : "", i, i + 1, v);
        else
            fprintf(f, "%s above %d %s", i ? "," : "", i, v);
    }
    fprintf(f, "\n  teams (%zu)\n", sv->nteams);
    for (size_t i = 0; i < sv->nteams; i++)
        print_team(m, f, &sv->team[i]);
    fprintf(f, "  pathways\n");
    for (size_t a = 0; a < mkba_model_simulated(m); a++)
        print_pathway(m, f, a);
}

/* The settings of the decision outputs, defaults filled in. */
static void print_analysis(const mkba_model *m, FILE *f)
{
    const mkba_analysis *a = &m->analysis;
    fprintf(f, "\nAnalysis\n  perspectives: society, municipality (");
    int any = 0;
    for (size_t i = 0; i < m->npayers; i++)
        if (m->payer_def[i].municipal)
            fprintf(f, "%s%s", any++ ? ", " : "", m->payer[i]);
    fprintf(f, "%s), each payer", any ? "" : "no municipal payers");
    for (size_t i = 0; i < a->nperspectives; i++) {
        fprintf(f, ", %s (", a->perspective[i].name);
        for (size_t j = 0; j < a->perspective[i].npayers; j++)
            fprintf(f, "%s%s", j ? ", " : "", m->payer[a->perspective[i].payer[j]]);
        fprintf(f, ")");
    }
    fprintf(f, "\n  primary effect: %s\n", a->primary_effect >= 0
                                                ? m->effect[a->primary_effect].name
                                                : "none (no non-monetary effect)");
    fprintf(f, "  willingness to pay (%zu values, %s per unit):", a->nwtp, m->currency);
    for (size_t i = 0; i < a->nwtp; i++) {
        if (a->nwtp > 8 && i == 3) {
            fprintf(f, " ...");
            i = a->nwtp - 3;
        }
        fprintf(f, " %g", a->wtp[i]);
    }
    fprintf(f, "\n  population: ");
    if (a->population > 0)
        fprintf(f, "%g households per year over %d years\n", a->population,
                a->population_years);
    else
        fprintf(f, "none (results per household only)\n");
    fprintf(f, "  optimism bias %g%% on each project cost category's increase, deadweight %g%% of "
               "benefits\n",
            100 * a->optimism_bias, 100 * a->deadweight);
    if (a->residual_years > 0)
        fprintf(f, "  residual value: the last year continued %d years\n", a->residual_years);
    if (a->health_source != NULL)
        fprintf(f, "  %s valued at %g per unit (%s)\n", m->effect[a->health_effect].name,
                a->health_value, a->health_source);
    if (a->npm > 0)
        fprintf(f, "  PM items (not monetised):\n");
    for (size_t i = 0; i < a->npm; i++)
        fprintf(f, "    - %s\n", a->pm_item[i]);
}

/* Whether some cost is at the wage index: the teams' wages, or a cost rule
 * with index = "wage" (a take-up needs services, hence teams). */
static int wage_priced(const mkba_model *m)
{
    int any = m->services.enabled && m->services.nteams > 0;
    for (size_t i = 0; i < m->ncosts && !any; i++)
        any = m->cost[i].wage_indexed;
    return any;
}

/* The budget view's population block (docs/budget.md), when there is one. */
static void print_population(const mkba_model *m, FILE *f)
{
    const mkba_population *p = &m->population;
    if (!p->enabled)
        return;
    fprintf(f, "\nBudget view (population)\n  %g households at the start, %g entering per "
            "year\n  year 1 = %d; price level", p->households, p->inflow, p->first_year);
    for (size_t y = 0; y < p->nyears; y++)
        fprintf(f, " %.4g", p->price_index[y]);
    fprintf(f, " (relative to %d)", m->price_year);
    if (wage_priced(m)) {
        fprintf(f, "; wage level");
        for (size_t y = 0; y < p->nyears; y++)
            fprintf(f, " %.4g", p->wage_index[y]);
    }
    fprintf(f, "\n");
    for (size_t i = 0; i < m->npayers; i++)
        if (p->fund[i][0] != '\0' || p->taakveld[i][0] != '\0')
            fprintf(f, "  %s: %s %s\n", m->payer[i], p->fund[i], p->taakveld[i]);
}

/* Every parameter with its distribution and mean; derived parameters show
 * their base-case value (the expression at the other parameters' means). */
static void print_params(const mkba_model *m, FILE *f)
{
    size_t n = mkba_params_count(m->params);
    double *base = mkba_calloc(n * m->narms + 1, sizeof *base);
    mkba_params_work *w = mkba_params_work_alloc(m->params);
    int have_base = base != NULL && w != NULL
                    && mkba_params_sample(m->params, m->seed, 0, 1, MKBA_BASE_MEAN, base, w,
                                          NULL) == MKBA_OK;
    char d[512];
    fprintf(f, "\nParameters (%zu; mean, or base-case value of expressions)\n", n);
    for (size_t i = 0; i < n; i++) {
        const mkba_param *q = mkba_params_get(m->params, i);
        dist_text(&q->dist, d, sizeof d);
        double mean = q->dist.kind == MKBA_DIST_EXPR
                          ? (have_base ? base[(size_t)m->reference * n + i] : NAN)
                          : mkba_dist_mean(&q->dist);
        fprintf(f, "  %s: %s; mean %.6g", q->name, d, mean);
        if (q->unit != NULL)
            fprintf(f, " %s", q->unit);
        /* sample gives a parameter that varies by year its year-1 value */
        if (mkba_params_time_column(m->params, i) >= 0)
            fprintf(f, " (year 1; varies by year)");
        fprintf(f, "; source %s\n", q->source != NULL ? q->source : "(none given)");
        for (size_t a = 0; q->arm_dist != NULL && a < mkba_model_simulated(m); a++) {
            if ((int)q->arm_dist[a].kind == -1)
                continue;
            dist_text(&q->arm_dist[a], d, sizeof d);
            double am = q->arm_dist[a].kind == MKBA_DIST_EXPR
                            ? (have_base ? base[a * n + i] : NAN)
                            : mkba_dist_mean(&q->arm_dist[a]);
            fprintf(f, "      in arm %s: %s; mean %.6g%s\n", m->arm[a].name, d, am,
                    mkba_params_time_column(m->params, i) >= 0 ? " (year 1; varies by year)"
                                                               : "");
        }
    }
    mkba_params_work_free(w);
    mkba_free(base);
}

void mkba_model_print(const mkba_model *m, FILE *f)
{
    if (m == NULL || f == NULL)
        return;
    const mkba_timing *t = &m->timing;
    fprintf(f, "Scenario %s (%s)\n", m->name, m->path);
    if (m->description != NULL)
        fprintf(f, "  %s\n", m->description);
    fprintf(f, "  currency %s, price year %d\n", m->currency, m->price_year);
    fprintf(f, "\nRun: seed %llu, draws %ld%s, households %ld, base case %s\n",
            (unsigned long long)m->seed, m->draws, m->draws == 0 ? " (base case only)" : "",
            m->households, m->base_case == MKBA_BASE_MEAN ? "mean" : "mode");
    fprintf(f, "Timing: cycle %s, horizon %g years = %d cycles\n",
            t->cycle_years == 1.0 ? "year" : "month", t->ncycles * t->cycle_years, t->ncycles);
    fprintf(f, "  correction %s", mkba_correction_names[t->correction]);
    if (t->correction == MKBA_CORR_NONE || t->correction == MKBA_CORR_HALF_CYCLE)
        fprintf(f, ", occupancy %s", mkba_occupancy_names[t->occupancy]);
    fprintf(f, ", discount time %s\n", mkba_discount_time_names[t->discount_time]);
    fprintf(f, "Discount rates per year: costs %g%%, effects %g%%\n", 100 * t->rate_costs,
            100 * t->rate_effects);

    fprintf(f, "\nArms (%zu)\n", m->narms);
    for (size_t a = 0; a < m->narms; a++) {
        const char *label = m->arm[a].label;
        fprintf(f, "  %s%s%s%s\n", m->arm[a].name, m->arm[a].is_reference ? " (reference)" : "",
                label != NULL ? ": " : "", label != NULL ? label : "");
        if (m->arm[a].calibrated_to != NULL)
            fprintf(f, "    calibrated to: %s\n", m->arm[a].calibrated_to);
        if (a >= mkba_model_simulated(m)) {
            const mkba_blend *b = &m->blend[a - mkba_model_simulated(m)];
            fprintf(f, "    blended, not simulated:");
            for (size_t k = 0; k < b->nparts; k++)
                fprintf(f, "%s %s %.6g", k > 0 ? "," : "", m->arm[b->arm[k]].name, b->share[k]);
            fprintf(f, "\n");
        }
    }
    fprintf(f, "Payers (%zu)\n", m->npayers);
    for (size_t i = 0; i < m->npayers; i++)
        fprintf(f, "  %s: %s\n", m->payer_def[i].name,
                m->payer_def[i].municipal ? "municipal" : "not municipal");
    fprintf(f, "Effects (%zu)\n", m->neffects);
    for (size_t i = 0; i < m->neffects; i++) {
        const mkba_effect_def *e = &m->effect[i];
        fprintf(f, "  %s [%s]: %s is better, %s", e->name, e->unit,
                e->lower_is_better ? "lower" : "higher", mkba_sc_category_names[e->category]);
        if (e->monetary)
            fprintf(f, ", monetary, gained by %s", e->payer >= 0 ? m->payer[e->payer]
                                                                 : "society at large");
        fprintf(f, "\n");
    }
    print_domains(m, f);
    print_rules(m, f);
    print_services(m, f);
    print_analysis(m, f);
    print_population(m, f);
    print_params(m, f);
}
