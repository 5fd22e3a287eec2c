/* A pathway's referral substitution (issue 12): the arm's own teams give
 * part of the help a cost rule buys themselves, for the households in
 * their care, at the price of team places (docs/model.md, "Referral
 * substitution").
 *
 *   substitution = ( { domain = "youth"; state = "medium";
 *                      payer = "gemeente-jeugdwet"; share = ...; places = ...; } );
 *
 * (domain, state, payer) names the state cost rule that buys the help, so
 * the saving is priced at what is bought and can never exceed it. */
#include <stdio.h>
#include <string.h>
#include "pathway.h"
#include "scenario_impl.h"

#define EXPECT "a group {domain = ...; state = ...; payer = ...; share = ...; places = ...;}"

/* The one state cost rule of (domain, state, payer) that applies in arm
 * `arm` at every cycle and duration and is no transfer; -1 with a failure
 * recorded otherwise. */
static int bought_help(mkba_loader *ld, const config_setting_t *e, int d, int s, int payer,
                       size_t arm)
{
    const mkba_model *m = ld->m;
    int found = -1;
    for (size_t i = 0; i < m->ncosts; i++) {
        const mkba_cost_rule *c = &m->cost[i];
        if (c->kind != MKBA_COST_STATE || c->domain != d || c->state != s || c->payer != payer
            || !(c->arms >> arm & 1u))
            continue;
        if (found >= 0) {
            mkba_sc_fail(ld, e, NULL, "two cost rules of payer '%s' charge state '%s' of domain "
                         "'%s' (%s and %s); expected exactly one, the help the team gives "
                         "instead", m->payer[payer], m->domain[d].state[s].name,
                         m->domain[d].name, m->cost[found].path, c->path);
            return -1;
        }
        found = (int)i;
    }
    if (found < 0) {
        mkba_sc_fail(ld, e, NULL, "no cost rule of payer '%s' charges state '%s' of domain "
                     "'%s' in arm '%s'; expected the state cost rule that buys the help the "
                     "team gives instead", m->payer[payer], m->domain[d].state[s].name,
                     m->domain[d].name, m->arm[arm].name);
        return -1;
    }
    const mkba_cost_rule *c = &m->cost[found];
    if (c->transfer_to >= 0 || c->cycles.from > 1 || c->cycles.to != MKBA_CYCLE_END
        || c->duration.from > 0 || c->duration.to != MKBA_CYCLE_END) {
        mkba_sc_fail(ld, e, NULL, "cost rule %s is a transfer or has a cycle or duration "
                     "window; expected help bought in every cycle, which the team can give "
                     "instead", c->path);
        return -1;
    }
    return found;
}

static int read_entry(mkba_loader *ld, const config_setting_t *e, size_t arm,
                      mkba_substitute *sub, uint32_t own)
{
    mkba_model *m = ld->m;
    const char *domains[MKBA_MAX_DOMAINS], *states[MKBA_MAX_STATES];
    int payer = -1, rc;
    for (size_t d = 0; d < m->ndomains; d++)
        domains[d] = m->domain[d].name;
    if ((rc = mkba_sc_expect_group(ld, e, EXPECT)) != 0
        || (rc = mkba_sc_check_keys(ld, e, MKBA_KEYS_SUBSTITUTE)) != 0
        || (rc = mkba_sc_lookup_member(ld, e, "domain", domains, m->ndomains, "domain", NULL,
                                       &sub->domain)) != 0)
        return rc;
    const mkba_domain *dom = &m->domain[sub->domain];
    for (int j = 0; j < dom->nstates; j++)
        states[j] = dom->state[j].name;
    if ((rc = mkba_sc_lookup_member(ld, e, "state", states, (size_t)dom->nstates, "state",
                                    NULL, &sub->state)) != 0
        || (rc = mkba_sc_lookup_member(ld, e, "payer", (const char *const *)m->payer,
                                       m->npayers, "payer", NULL, &payer)) != 0)
        return rc;
    int treated = 0;
    for (uint32_t c = own; c != 0; c &= c - 1)
        treated |= mkba_pathway_treats(m->services.team, __builtin_ctz(c), sub->domain);
    if (!treated)
        return mkba_sc_fail(ld, config_setting_get_member(e, "domain"), NULL,
                            "no team of the arm's own treats domain '%s', so no household in "
                            "their care has it in its plan; expected a domain of the "
                            "pathway's team(s)", dom->name);
    if ((sub->cost_rule = bought_help(ld, e, sub->domain, sub->state, payer, arm)) < 0)
        return MKBA_EINVAL;
    if ((rc = mkba_sc_range_value(ld, e, "share", 1, 0, 0, 1, 0,
                                  "the share of the bought help the team gives itself, 0 to 1",
                                  &sub->share)) != 0)
        return rc;
    return mkba_sc_range_value(ld, e, "places", 1, 0, 0, 1e3, 0,
                               "the team places one household's help takes when the team "
                               "gives all of it, a number >= 0", &sub->places);
}

int mkba_sc_substitution(mkba_loader *ld, const config_setting_t *g, size_t arm)
{
    mkba_pathway *p = &ld->m->services.pathway[arm];
    const config_setting_t *list = config_setting_get_member(g, "substitution");
    p->nsubstitute = 0;
    if (list == NULL)
        return 0;
    int rc = mkba_sc_expect_list(ld, list, "a list of " EXPECT);
    if (rc != 0)
        return rc;
    const mkba_pathway_rule *r = mkba_pathway_rule_of(p->rule);
    if (!r->integrated || p->degree == MKBA_DEGREE_NONE)
        return mkba_sc_fail(ld, list, NULL, "the classic route (rule '%s'%s) has no team of its "
                            "own to give help itself; expected substitution only on an "
                            "integrated pathway", mkba_route_names[p->rule],
                            r->integrated ? ", degree none" : "");
    if (r->single_worker)
        return mkba_sc_fail(ld, list, NULL, "rule '%s' has a single worker, a broker who "
                            "commissions help rather than gives it; expected substitution only "
                            "on a pathway whose teams give help", mkba_route_names[p->rule]);
    int n = config_setting_length(list);
    if (n > MKBA_MAX_SUBSTITUTE)
        return mkba_sc_fail(ld, list, NULL, "%d entries; expected at most %d", n,
                            MKBA_MAX_SUBSTITUTE);
    uint32_t own = p->team >= 0 ? 1u << p->team : 0u;
    for (int i = 0; i < p->nspecific; i++)
        own |= 1u << p->specific[i];
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        mkba_substitute *sub = &p->substitute[i];
        if ((rc = read_entry(ld, e, arm, sub, own)) != 0)
            return rc;
        for (int j = 0; j < i; j++)
            if (p->substitute[j].cost_rule == sub->cost_rule)
                return mkba_sc_fail(ld, e, NULL, "the same help as entry %d (cost rule %s); "
                                    "expected each bought help once", j + 1,
                                    ld->m->cost[sub->cost_rule].path);
        p->nsubstitute = i + 1;
    }
    return 0;
}
