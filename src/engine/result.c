/* The per-draw result record: one block of arrays sized from the model. */
#include <stdlib.h>
#include "result.h"

/* calloc that never returns NULL for an empty array, so a NULL pointer
 * always means an allocation failure and callers may index [0..n). */
static double *zeros(size_t n)
{
    return calloc(n > 0 ? n : 1, sizeof(double));
}

/* Allocates a zeroed result sized for `m` (arms, cycles, payers, effects,
 * states of all domains and parameters). Returns NULL when out of memory,
 * having freed whatever it had allocated. */
mkba_draw_result *mkba_draw_result_alloc(const mkba_model *m)
{
    if (m == NULL)
        return NULL;
    mkba_draw_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->narms = m->narms;
    r->ncycles = (size_t)(m->timing.ncycles > 0 ? m->timing.ncycles : 0);
    r->npoints = r->ncycles + 1;
    r->npayers = m->npayers;
    r->neffects = m->neffects;
    for (size_t d = 0; d < m->ndomains; d++)
        r->nstates_total += (size_t)m->domain[d].nstates;
    r->nparams = m->params != NULL ? mkba_params_count(m->params) : 0;

    size_t A = r->narms, T = r->ncycles;
    r->cost = zeros(A * T * r->npayers);
    r->cost_disc = zeros(A * T * r->npayers);
    r->effect = zeros(A * T * r->neffects);
    r->effect_disc = zeros(A * T * r->neffects);
    r->occupancy = zeros(A * r->npoints * r->nstates_total);
    r->cost_total = zeros(A * r->npayers);
    r->cost_total_disc = zeros(A * r->npayers);
    r->effect_total = zeros(A * r->neffects);
    r->effect_total_disc = zeros(A * r->neffects);
    r->transfer = zeros(A * T * r->npayers);
    r->transfer_disc = zeros(A * T * r->npayers);
    r->transfer_total = zeros(A * r->npayers);
    r->transfer_total_disc = zeros(A * r->npayers);
    r->params = zeros(A * r->nparams);
    r->ncategories = m->ncategories;
    r->ndomains = m->ndomains;
    r->cost_category = zeros(A * T * r->ncategories);
    r->cost_category_disc = zeros(A * T * r->ncategories);
    r->escalations = zeros(A * T * r->ndomains);
    int svc_failed = 0;
    r->services = m->services.enabled;
    if (r->services) {
        double **svc[] = {&r->svc_arrivals, &r->svc_reached, &r->svc_self_resolved,
                          &r->svc_in_care, &r->svc_queue, &r->svc_mean_wait,
                          &r->svc_detected, &r->svc_fte_used, &r->svc_withdrawn};
        for (size_t i = 0; i < sizeof svc / sizeof svc[0]; i++)
            svc_failed |= (*svc[i] = zeros(A * T)) == NULL;
        r->nteams = m->services.nteams;
        svc_failed |= (r->svc_team_in_care = zeros(A * T * r->nteams)) == NULL;
        svc_failed |= (r->svc_team_queue = zeros(A * T * r->nteams)) == NULL;
    }
    if (svc_failed || r->cost_category == NULL || r->cost_category_disc == NULL
        || r->escalations == NULL || r->cost == NULL || r->cost_disc == NULL || r->effect == NULL
        || r->effect_disc == NULL || r->occupancy == NULL
        || r->cost_total == NULL || r->cost_total_disc == NULL
        || r->effect_total == NULL || r->effect_total_disc == NULL
        || r->transfer == NULL || r->transfer_disc == NULL
        || r->transfer_total == NULL || r->transfer_total_disc == NULL
        || r->params == NULL) {
        mkba_draw_result_free(r);
        return NULL;
    }
    return r;
}

void mkba_draw_result_free(mkba_draw_result *r)
{
    if (r == NULL)
        return;
    free(r->cost);
    free(r->cost_disc);
    free(r->effect);
    free(r->effect_disc);
    free(r->occupancy);
    free(r->cost_total);
    free(r->cost_total_disc);
    free(r->effect_total);
    free(r->effect_total_disc);
    free(r->transfer);
    free(r->transfer_disc);
    free(r->transfer_total);
    free(r->transfer_total_disc);
    free(r->params);
    free(r->cost_category);
    free(r->cost_category_disc);
    free(r->escalations);
    free(r->svc_arrivals);
    free(r->svc_reached);
    free(r->svc_self_resolved);
    free(r->svc_in_care);
    free(r->svc_queue);
    free(r->svc_mean_wait);
    free(r->svc_detected);
    free(r->svc_fte_used);
    free(r->svc_withdrawn);
    free(r->svc_team_in_care);
    free(r->svc_team_queue);
    free(r);
}
