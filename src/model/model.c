/* Freeing a model. Every owned pointer is freed whether or not loading
 * finished, so the loader can hand a half-built model here on error. */
#include <math.h>
#include <stdlib.h>
#include "model.h"
#include "core/alloc.h"

static void model_release(mkba_model *m);

void mkba_model_free(mkba_model *m)
{
    if (m == NULL)
        return;
    mkba_allocator a = m->alloc;
    mkba_alloc_scope s = mkba_alloc_enter(a.free != NULL ? &a : mkba_alloc_current());
    model_release(m);
    mkba_alloc_leave(s);
}

static void model_release(mkba_model *m)
{
    mkba_free(m->name);
    mkba_free(m->description);
    mkba_free(m->path);
    mkba_free(m->text);
    mkba_free(m->currency);
    for (size_t d = 0; d < m->ndomains; d++) {
        mkba_free(m->domain[d].name);
        for (int s = 0; s < m->domain[d].nstates; s++) {
            mkba_free(m->domain[d].state[s].name);
            mkba_free(m->domain[d].state[s].file);
        }
    }
    for (size_t a = 0; a < m->narms; a++) {
        mkba_free(m->arm[a].name);
        mkba_free(m->arm[a].label);
        mkba_free(m->arm[a].calibrated_to);
    }
    /* payer_def may be absent in a model built in memory. */
    for (size_t i = 0; i < m->npayers; i++) {
        mkba_free(m->payer[i]);
        if (m->payer_def != NULL) {
            mkba_free(m->payer_def[i].name);
            mkba_free(m->payer_def[i].file);
        }
    }
    mkba_free(m->payer);
    mkba_free(m->payer_def);
    for (size_t i = 0; i < m->neffects; i++) {
        mkba_free(m->effect[i].name);
        mkba_free(m->effect[i].unit);
    }
    mkba_free(m->effect);
    for (size_t i = 0; i < m->ntrans; i++) {
        mkba_free(m->trans[i].path);
        mkba_free(m->trans[i].file);
    }
    mkba_free(m->trans);
    for (size_t i = 0; i < m->ninteract; i++)
        mkba_free(m->interact[i].path);
    mkba_free(m->interact);
    for (size_t i = 0; i < m->ncosts; i++) {
        mkba_free(m->cost[i].category);
        mkba_free(m->cost[i].path);
        mkba_free(m->cost[i].file);
    }
    mkba_free(m->cost);
    for (size_t i = 0; i < m->neffect_rules; i++) {
        mkba_free(m->effect_rule[i].path);
        mkba_free(m->effect_rule[i].file);
    }
    mkba_free(m->effect_rule);
    mkba_analysis *a = &m->analysis;
    for (size_t i = 0; i < a->nperspectives; i++) {
        mkba_free(a->perspective[i].name);
        mkba_free(a->perspective[i].payer);
    }
    mkba_free(a->perspective);
    mkba_free(a->wtp);
    for (size_t i = 0; i < a->npm; i++)
        mkba_free(a->pm_item[i]);
    mkba_free(a->pm_item);
    mkba_free(a->health_source);
    mkba_population *pop = &m->population;
    for (size_t i = 0; (pop->fund || pop->taakveld) && i < m->npayers; i++) {
        mkba_free(pop->fund ? pop->fund[i] : NULL);
        mkba_free(pop->taakveld ? pop->taakveld[i] : NULL);
    }
    mkba_free(pop->fund);
    mkba_free(pop->taakveld);
    mkba_free(pop->entrant_share);
    mkba_free(pop->price_index);
    mkba_free(pop->wage_index);
    for (size_t i = 0; i < m->services.nteams; i++) {
        mkba_free(m->services.team[i].name);
        mkba_free(m->services.team[i].path);
        mkba_free(m->services.team[i].file);
    }
    for (size_t i = 0; i < MKBA_MAX_ARMS; i++) {
        mkba_free(m->services.pathway[i].path);
        mkba_free(m->services.pathway[i].file);
    }
    for (size_t i = 0; i < m->services.nbounds; i++)
        mkba_free(m->services.bound[i].where);
    mkba_free(m->services.bound);
    mkba_free(m->services.file);
    for (size_t i = 0; i < m->ncategories; i++)
        mkba_free(m->category[i]);
    mkba_free(m->category);
    mkba_params_free(m->params);
    mkba_free(m);
}

double mkba_population_entrants(const mkba_model *m, long households)
{
    const mkba_population *p = &m->population;
    if (!p->enabled || !(p->inflow > 0))
        return 0.0;
    return (double)households * p->inflow / p->households;
}
