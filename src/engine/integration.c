/* Degrees of integration in the engine (docs/model.md, "Degrees of
 * integration"): an arm with an `integration` group may weigh its joint
 * plan's coordination itself, pays its front office's and pooled budgets'
 * costs, and, without pooled budgets, buys more of the help its teams
 * would give themselves and buys heavier help for the households in their
 * care (its weaker joint plan is its degree's weight). All of it is per
 * arm and draw, set once here; the admission phase counts the households
 * of heavier help only for an arm that has it, and an arm without the
 * group does no work at all. */
#include "engine/services.h"

void mkba_svc_integration_init(mkba_svc_arm *a, const double *values, int switches,
                               const mkba_pathway *ref)
{
    const mkba_pathway *p = a->p;
    if (!p->integration || a->classic)
        return;
    if (p->coordination_weight >= 0)
        a->coordination = values[p->coordination] * values[p->coordination_weight];
    /* The costs of the elements join the pathway's own overheads, booked
     * as they are (payer; the set-up as "investment", the running cost as
     * "programme"). The reference's set-up was paid before the horizon,
     * and so was that of an element an arm keeping its model has too. */
    if (p->front_office_investment >= 0
        && mkba_services_sets_up(switches, ref->integration && ref->front_office))
        a->investment += values[p->front_office_investment];
    if (p->pooled_budgets) {
        if (mkba_services_sets_up(switches, ref->integration && ref->pooled_budgets))
            a->investment += values[p->pooling_investment];
        a->recurring += values[p->pooling_running];
        return;
    }
    /* Unpooled budgets "kunnen leiden tot onnodig zware inzet van
     * middelen" [S1]; that they "remmen de daadwerkelijke samenwerking"
     * is in the degree's weight already (limited and partial pool nothing
     * by definition), so not counted twice. */
    if (p->unpooled_shift >= 0)
        for (int e = 0; e < a->nsubstitute; e++)
            a->sub_share[e] *= 1.0 - values[p->unpooled_shift];
    /* Heavier help is a cost at unchanged need: the help bought for the
     * own teams' households is used more, their states move as before
     * (mkba_svc_heavier_add, booked in lockstep.c). */
    a->heavier = values[p->unpooled_second_line];
    a->values = values;
}

void mkba_svc_heavier_add(const mkba_svc_arm *a, const mkba_svc_households *hh, long h,
                          mkba_svc_admitted *out)
{
    if (!(a->own_teams >> hh->team[h] & 1u))
        return;
    const uint8_t *x = hh->x + (size_t)h * hh->ndomains;
    for (uint32_t d = hh->plan[h]; d != 0; d &= d - 1)
        out->heavier[__builtin_ctz(d)][x[__builtin_ctz(d)]]++;
}
