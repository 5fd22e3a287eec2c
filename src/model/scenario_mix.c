/* Mixed arms (issue 12; docs/model.md, "Mixed arms"): "een klein deel van
 * de gemeenten werkt met verschillende typen wijkteams" [S1]. An arm with
 * `integrated_share` runs its integrated route in that share of the
 * households (its districts); the others follow the classic route with
 * the access of the arm `classic_access` names, and need a provider for
 * every domain of the arm's own teams. Several integrated route types in
 * one arm (`routes`) are refused with what to do instead: a blended arm
 * (scenario_blend.c). */
#include "pathway.h"
#include "scenario_impl.h"

int mkba_sc_mix_routes(mkba_loader *ld, const config_setting_t *g)
{
    const config_setting_t *s = config_setting_get_member(g, "routes");
    if (s == NULL)
        return 0;
    return mkba_sc_fail(ld, s, NULL, "an arm cannot mix several integrated route types (e.g. "
                        "model A in some districts and model C in others): the engine runs one "
                        "pathway per arm; remove routes. Supported instead: integrated_share with classic_access (the "
                        "arm's integrated route in a share of the districts, the classic route "
                        "in the others) and the rules' criteria (by target group); for a mix "
                        "of types, run the pure arms and add a blended arm that weighs them, "
                        "blend = ( { arm = ...; share = ...; }, ... ) (docs/model.md, \"Mixed "
                        "arms\")");
}

int mkba_sc_mix(mkba_loader *ld, const config_setting_t *g, mkba_pathway *p)
{
    const mkba_model *m = ld->m;
    const config_setting_t *s = config_setting_get_member(g, "integrated_share");
    p->integrated_share = -1;
    if (s == NULL)
        return 0;
    const int integrated = mkba_pathway_rule_of(p->rule)->integrated;
    if (!integrated || p->degree == MKBA_DEGREE_NONE)
        return mkba_sc_fail(ld, s, NULL, "the classic route (rule '%s'%s) has no integrated "
                            "route to mix; expected integrated_share only on an integrated "
                            "pathway", mkba_route_names[p->rule],
                            integrated ? ", degree none" : "");
    if (config_setting_get_member(g, "classic_access") == NULL)
        return mkba_sc_fail(ld, g, "classic_access", "required setting is missing; a mixed arm "
                            "(integrated_share) needs the arm whose access its classic-route "
                            "households keep");
    uint32_t own = p->own_teams;
    for (uint32_t c = own; c != 0; c &= c - 1) {
        const mkba_team *t = &m->services.team[__builtin_ctz(c)];
        for (uint32_t d = t->domains; d != 0; d &= d - 1) {
            int pr = p->provider[__builtin_ctz(d)];
            if (pr < 0 || (own >> pr & 1u))
                return mkba_sc_fail(ld, g, "providers", "domain '%s' of team '%s' has no "
                                    "provider of its own; a mixed arm sends the households "
                                    "outside its integrated share to the providers, so every "
                                    "domain of its teams needs one",
                                    m->domain[__builtin_ctz(d)].name, t->name);
        }
    }
    return mkba_sc_range_value(ld, g, "integrated_share", 1, 0, 0, 1, 0,
                               "the share of the households (districts) on the integrated "
                               "route, 0 to 1", &p->integrated_share);
}
