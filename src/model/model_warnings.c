/* Warnings about a model that loads but is probably not what was meant:
 * checks that need the whole model, run by `mkba check` and `mkba run`.
 * A warning must be certain, so each check decides only on what is fixed
 * when the scenario loads and stays silent when a drawn value could
 * change the answer. */
#include <stdio.h>
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
    for (size_t a = 0; q->arm_dist != NULL && a < m->narms; a++)
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
            const char *file = st->file != NULL ? st->file
                               : m->path != NULL ? m->path : "(model)";
            fprintf(f, "mkba: warning: %s:%d: domain '%s', state '%s' is absorbing, not an exit "
                       "state, and has no costs or effects: households there keep counting in "
                       "the per-household means; mark it as an exit state (see "
                       "docs/scenario.md) if it stands for leaving the target group\n",
                    file, st->line, dom->name, st->name);
            n++;
        }
    }
    return n;
}
