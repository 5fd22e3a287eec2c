/* Degrees of integration in the engine (docs/model.md, "Degrees of
 * integration"): an arm with an `integration` group may weigh its joint
 * plan's coordination itself, pays its front office's and pooled budgets'
 * costs, and, without pooled budgets, has a weaker joint plan, buys more
 * of the help its teams would give themselves and escalates more. All of
 * it is per arm and draw, set once here: the household phase does no
 * extra work, and an arm without the group does none at all. */
#include "engine/services.h"

void mkba_svc_integration_init(mkba_svc_arm *a, const double *values, int switches)
{
    const mkba_pathway *p = a->p;
    if (!p->integration || a->classic)
        return;
    if (p->coordination_weight >= 0)
        a->coordination = values[p->coordination] * values[p->coordination_weight];
    /* The costs of the elements join the pathway's own overheads, booked
     * as they are (payer, "programme"); the reference arm's set-up was
     * paid before the horizon. */
    if (p->front_office_investment >= 0 && switches)
        a->investment += values[p->front_office_investment];
    if (p->pooled_budgets) {
        if (switches)
            a->investment += values[p->pooling_investment];
        a->recurring += values[p->pooling_running];
        return;
    }
    /* Unpooled budgets: "niet-geïntegreerde budgetten remmen de
     * daadwerkelijke samenwerking en kunnen leiden tot onnodig zware inzet
     * van middelen" [S1]. */
    a->coordination *= 1.0 - values[p->unpooled_plan_loss];
    for (int e = 0; e < a->nsubstitute; e++)
        a->sub_share[e] *= 1.0 - values[p->unpooled_shift];
    const double heavier = 1.0 + values[p->unpooled_second_line];
    for (uint32_t c = p->own_teams; c != 0; c &= c - 1) {
        mkba_svc_team_values *v = &a->team[__builtin_ctz(c)];
        for (int j = 0; j < v->nworsen; j++)
            v->worsen_hr[j] *= heavier;
        for (uint32_t dm = v->worsen_domains; dm != 0; dm &= dm - 1) {
            int d = __builtin_ctz(dm);
            for (int j = 0; j < v->nworsen_domain[d]; j++)
                v->worsen_domain[d][j] *= heavier;
        }
    }
}
