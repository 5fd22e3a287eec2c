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

void mkba_svc_substitution_add(const mkba_svc_arm *a, const mkba_svc_households *hh, long h,
                               mkba_svc_admitted *out)
{
    const int tm = hh->team[h];
    if (!(a->own_teams >> tm & 1u))
        return;
    const uint8_t *x = hh->x + (size_t)h * hh->ndomains;
    for (int e = 0; e < a->nsubstitute; e++) {
        const mkba_substitute *s = &a->p->substitute[e];
        if ((hh->plan[h] >> s->domain & 1u) && x[s->domain] == s->state) {
            out->sub_team[e][tm]++;
            out->cell_sub_team[e][tm][mkba_svc_cell_of(a, h)]++;
            out->team_load[tm] += a->sub_share[e] * a->ramp * a->sub_places[e];
        }
    }
}

void mkba_svc_substitution_give(const mkba_svc_arm *a, int k, mkba_svc_admitted *out)
{
    const int T = (int)a->m->services.nteams;
    for (int tm = 0; tm < T; tm++) {
        /* A full team gives no more help than its free places allow; the
         * rest is bought as usual. Help that takes no places is given. */
        double load = out->team_load[tm], part = 1.0;
        if (load > 0.0) {
            double free = mkba_svc_capacity(a, tm, k) - (double)out->team_in_care[tm];
            double given = free <= 0.0 ? 0.0 : free < load ? free : load;
            out->team_load[tm] = given;
            part = given / load;
        }
        for (int e = 0; e < a->nsubstitute; e++) {
            out->substituted[e] += (double)out->sub_team[e][tm] * part;
            for (int c = 0; c < MKBA_GROUP_CELLS; c++)
                out->cell_substituted[e][c] += (double)out->cell_sub_team[e][tm][c] * part;
        }
    }
}
