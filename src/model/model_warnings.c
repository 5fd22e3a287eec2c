/* Warnings about a model that loads but is probably not what was meant:
 * checks that need the whole model, run by `mkba check` and `mkba run`.
 * A warning must be certain, so each check decides only on what is fixed
 * when the scenario loads and stays silent when a drawn value could
 * change the answer: states that are never left and cost nothing, and
 * parameters, teams and payers defined but never used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/alloc.h"
#include "scenario.h"

/* Whether value index v is 0 in every arm and draw: absent, or a fixed 0
 * without arm overrides. */
static int always_zero(const mkba_model *m, int v)
{
    if (v == MKBA_NO_VALUE)
        return 1;
    const mkba_param *q = mkba_params_get(m->params, (size_t)v);
    if (q == NULL || q->dist.kind != MKBA_DIST_FIXED || q->dist.a != 0.0)
        return 0;
    for (size_t a = 0; q->arm_dist != NULL && a < mkba_model_simulated(m); a++)
        if ((int)q->arm_dist[a].kind != -1)
            return 0;
    return 1;
}

/* Whether state s of domain d can never be left. Besides absorbing = true,
 * that holds when every probabilities or rates rule from it leaves each
 * entry off the diagonal absent or a fixed 0: relative risks, hazard
 * ratios, interactions and services all scale a probability, and a 0
 * stays 0. */
static int never_left(const mkba_model *m, int d, int s)
{
    if (m->domain[d].state[s].absorbing)
        return 1;
    for (size_t i = 0; i < m->ntrans; i++) {
        const mkba_trans_rule *t = &m->trans[i];
        if (t->domain != d || t->from != s
            || (t->kind != MKBA_TRANS_PROB && t->kind != MKBA_TRANS_RATE))
            continue;
        for (int to = 0; to < m->domain[d].nstates; to++)
            if (to != s && !always_zero(m, t->value[to]))
                return 0;
    }
    return 1;
}

/* Whether a cost or effect rule of state s of domain d, or a service team
 * that treats the domain at the state's severity, can give an amount. */
static int has_amounts(const mkba_model *m, int d, int s)
{
    for (size_t i = 0; i < m->ncosts; i++) {
        const mkba_cost_rule *c = &m->cost[i];
        if ((c->kind == MKBA_COST_STATE || c->kind == MKBA_COST_ENTRY) && c->domain == d
            && c->state == s && !always_zero(m, c->amount))
            return 1;
    }
    for (size_t i = 0; i < m->neffect_rules; i++) {
        const mkba_effect_rule *e = &m->effect_rule[i];
        if (e->domain == d && e->state == s && !always_zero(m, e->amount))
            return 1;
    }
    if (m->services.enabled && m->domain[d].state[s].severity > 0)
        for (size_t i = 0; i < m->services.nteams; i++)
            if (m->services.team[i].domains & (1u << d))
                return 1;
    return 0;
}

/* The file of a setting, or the scenario's when it is not known. */
static const char *file_or_scenario(const mkba_model *m, const char *file)
{
    return file != NULL ? file : m->path != NULL ? m->path : "(model)";
}

/* Whether a definition is in the scenario's own file. Definitions in
 * @include files are libraries that several scenarios share, each using a
 * part (params/, scenarios/pathways/shared/), so only the scenario's own
 * definitions warn when unused. */
static int own_definition(const mkba_model *m, const char *file)
{
    return file == NULL || m->path == NULL || strcmp(file, m->path) == 0;
}

/* Parameters no setting uses, directly or through expressions: a typo in
 * a rule's value that picked another parameter, or a leftover. A Dirichlet
 * vector warns once, when none of its components is used. */
static int unused_parameters(const mkba_model *m, FILE *f)
{
    int n = 0;
    size_t count = mkba_params_count(m->params);
    for (size_t i = 0; i < count; i++) {
        const mkba_param *q = mkba_params_get(m->params, i);
        size_t group = q->dist.kind == MKBA_DIST_DIRICHLET ? (size_t)q->dist.group_size : 1;
        int used = 0;
        for (size_t j = i; j < i + group && j < count; j++)
            used |= mkba_params_used(m->params, j);
        if (!used && own_definition(m, q->file)) {
            const char *file = file_or_scenario(m, q->file);
            if (group > 1)
                fprintf(f, "mkba: warning: %s:%d: %s: the Dirichlet components %s to %s are "
                           "defined but no setting uses any of them; remove them or name them "
                           "in a rule\n", file, q->line, q->path, q->name,
                        mkba_params_get(m->params, i + group - 1)->name);
            else
                fprintf(f, "mkba: warning: %s:%d: %s: parameter '%s' is defined but no rule, "
                           "team or pathway uses it, nor the expression of a parameter in use; "
                           "remove it, or check the rule meant to use it for a misspelt "
                           "name\n", file, q->line, q->path, q->name);
            n++;
        }
        i += group - 1;
    }
    return n;
}

/* Teams (providers) that no arm's pathway runs: their staff and costs are
 * given but never enter a run. */
static int unused_teams(const mkba_model *m, FILE *f)
{
    if (!m->services.enabled)
        return 0;
    uint32_t used = 0;
    for (size_t a = 0; a < mkba_model_simulated(m); a++)
        used |= m->services.pathway[a].teams_used;
    int n = 0;
    for (size_t i = 0; i < m->services.nteams; i++) {
        const mkba_team *t = &m->services.team[i];
        if (used >> i & 1u || !own_definition(m, t->file))
            continue;
        fprintf(f, "mkba: warning: %s:%d: %s: team '%s' is paid by %s but no arm's pathway "
                   "sends households to it, so its staff and costs never enter the run; name "
                   "it in a pathway or remove it\n", file_or_scenario(m, t->file), t->line,
                t->path != NULL ? t->path : "services.teams", t->name,
                t->payer >= 0 && (size_t)t->payer < m->npayers ? m->payer[t->payer] : "no payer");
        n++;
    }
    return n;
}

/* Payers that nothing charges or credits: every figure of theirs is 0. */
static int unused_payers(const mkba_model *m, FILE *f)
{
    if (m->payer_def == NULL || m->npayers == 0)
        return 0;
    unsigned char *used = mkba_calloc(m->npayers, 1);
    if (used == NULL) {
        fprintf(f, "mkba: warning: out of memory: the payers were not checked for ones that "
                   "nothing names\n");
        return 1;
    }
    for (size_t i = 0; i < m->ncosts; i++) {
        const mkba_cost_rule *c = &m->cost[i];
        if (c->payer >= 0)
            used[c->payer] = 1;
        if (c->transfer_to >= 0)
            used[c->transfer_to] = 1;
    }
    for (size_t i = 0; i < m->neffects; i++)
        if (m->effect[i].monetary && m->effect[i].payer >= 0)
            used[m->effect[i].payer] = 1;
    for (size_t i = 0; m->services.enabled && i < m->services.nteams; i++)
        for (int j = 0; j < m->services.team[i].npayers; j++)
            used[m->services.team[i].payer_of[j]] = 1;
    for (size_t a = 0; m->services.enabled && a < mkba_model_simulated(m); a++)
        if (m->services.pathway[a].payer >= 0)
            used[m->services.pathway[a].payer] = 1;
    int n = 0;
    for (size_t i = 0; i < m->npayers; i++) {
        if (used[i] || !own_definition(m, m->payer_def[i].file))
            continue;
        fprintf(f, "mkba: warning: %s:%d: payers: payer '%s' is listed but no cost rule, "
                   "transfer, team, pathway or monetary effect names it, so all its figures "
                   "are 0; remove it or name it where it pays\n",
                file_or_scenario(m, m->payer_def[i].file), m->payer_def[i].line,
                m->payer_def[i].name);
        n++;
    }
    mkba_free(used);
    return n;
}

int mkba_model_warnings(const mkba_model *m, FILE *f)
{
    if (m == NULL || f == NULL)
        return 0;
    int n = 0;
    for (size_t d = 0; d < m->ndomains; d++) {
        const mkba_domain *dom = &m->domain[d];
        for (int s = 0; s < dom->nstates; s++) {
            const mkba_state *st = &dom->state[s];
            if (st->exit || !never_left(m, (int)d, s) || has_amounts(m, (int)d, s))
                continue;
            const char *file = file_or_scenario(m, st->file);
            fprintf(f, "mkba: warning: %s:%d: domain '%s', state '%s' is absorbing, not an exit "
                       "state, and has no costs or effects: households there keep counting in "
                       "the per-household means; mark it as an exit state (see "
                       "docs/scenario.md) if it stands for leaving the target group\n",
                    file, st->line, dom->name, st->name);
            n++;
        }
    }
    if (m->params != NULL)
        n += unused_parameters(m, f);
    /* The model's allocator, as for everything else it allocates. */
    mkba_allocator a = m->alloc;
    mkba_alloc_scope scope = mkba_alloc_enter(a.free != NULL ? &a : mkba_alloc_current());
    n += unused_teams(m, f) + unused_payers(m, f);
    mkba_alloc_leave(scope);
    return n;
}
