/* Referral substitution: a team gives part of the help it would buy
 * itself, for the households in its care only, and that help takes team
 * places (docs/model.md, "Referral substitution"). Runs in the serial
 * admission phase, and only for arms whose pathway has a substitution
 * list: an arm without one does none of this work. */
#include "engine/services.h"

void mkba_svc_substitution_init(mkba_svc_arm *a, const double *values)
{
    const mkba_pathway *p = a->p;
    a->nsubstitute = a->classic ? 0 : p->nsubstitute;
    for (int e = 0; e < a->nsubstitute; e++) {
        const mkba_substitute *s = &p->substitute[e];
        a->sub_share[e] = values[s->share];
        a->sub_places[e] = values[s->places];
        a->sub_price[e] = values[a->m->cost[s->cost_rule].amount];
    }
}

void mkba_svc_substitution_count(const mkba_svc_arm *a, const mkba_svc_households *hh,
                                 mkba_svc_admitted *out)
{
    const mkba_pathway *p = a->p;
    const size_t D = hh->ndomains;
    for (long h = 0; h < hh->n; h++) {
        if (hh->status[h] != MKBA_SVC_CARE || !(a->maturing >> hh->team[h] & 1u))
            continue;
        const uint8_t *x = hh->x + (size_t)h * D;
        for (int e = 0; e < a->nsubstitute; e++) {
            const mkba_substitute *s = &p->substitute[e];
            if ((hh->plan[h] >> s->domain & 1u) && x[s->domain] == s->state) {
                out->substituted[e]++;
                out->team_load[hh->team[h]] += a->sub_share[e] * a->ramp * a->sub_places[e];
            }
        }
    }
}
