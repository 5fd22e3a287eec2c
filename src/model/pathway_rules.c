/* The table of routing rules, built from MKBA_PATHWAY_RULES (services.h),
 * and the helpers several rules share (pathway.h). */
#include "pathway.h"
#include "scenario_impl.h"

#define NAME_(id, name) #name,
const char *const mkba_route_names[MKBA_NROUTES] = {MKBA_PATHWAY_RULES(NAME_)};
#undef NAME_

#define RULE_(id, name) [MKBA_ROUTE_##id] = &mkba_pathway_##name,
static const mkba_pathway_rule *const rules[MKBA_NROUTES] = {MKBA_PATHWAY_RULES(RULE_)};
#undef RULE_

const mkba_pathway_rule *mkba_pathway_rule_of(mkba_route_rule rule)
{
    return rules[rule];
}

void mkba_pathway_route_team(const mkba_pathway *p, const mkba_team *teams,
                             const mkba_route_request *q, mkba_route *r)
{
    if (mkba_pathway_treats(teams, p->team, q->pd))
        r->team = p->team;
}

int mkba_pathway_check_providers(mkba_loader *ld, const config_setting_t *g,
                                 const mkba_pathway *p, const char *who)
{
    const mkba_model *m = ld->m;
    const mkba_team *teams = m->services.team;
    for (size_t d = 0; d < m->ndomains; d++) {
        if (!mkba_pathway_treats(teams, p->team, (int)d))
            continue;
        if (p->provider[d] < 0)
            return mkba_sc_fail(ld, g, "providers", "domain '%s' of team '%s' has no "
                                "provider; rule '%s' sends %s to the providers, so every "
                                "domain of the team needs one", m->domain[d].name,
                                teams[p->team].name, mkba_route_names[p->rule], who);
        if (p->provider[d] == p->team)
            return mkba_sc_fail(ld, g, "providers", "team '%s' is both the rule's team and "
                                "the provider of '%s'; expected a separate provider",
                                teams[p->team].name, m->domain[d].name);
    }
    return 0;
}

void mkba_pathway_print_teams(const mkba_model *m, FILE *f, const mkba_pathway *p)
{
    const mkba_team *team = m->services.team;
    if (p->team >= 0)
        fprintf(f, "      team: %s\n", team[p->team].name);
    if (p->nspecific > 0) {
        fprintf(f, "      teams (triage in this order):");
        for (int i = 0; i < p->nspecific; i++)
            fprintf(f, "%s %s", i ? "," : "", team[p->specific[i]].name);
        fprintf(f, "\n");
    }
}

void mkba_pathway_print_providers(const mkba_model *m, FILE *f, const mkba_pathway *p)
{
    int any = 0;
    for (size_t d = 0; d < m->ndomains; d++)
        if (p->provider[d] >= 0)
            fprintf(f, "%s %s -> %s", any++ ? "," : "      providers:", m->domain[d].name,
                    m->services.team[p->provider[d]].name);
    if (any)
        fprintf(f, "\n");
}

void mkba_pathway_print_route(const mkba_model *m, FILE *f, const mkba_pathway *p)
{
    mkba_pathway_print_teams(m, f, p);
    mkba_pathway_print_providers(m, f, p);
}
