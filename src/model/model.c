/* Freeing a model. Every owned pointer is freed whether or not loading
 * finished, so the loader can hand a half-built model here on error. */
#include <stdlib.h>
#include "model.h"

void mkba_model_free(mkba_model *m)
{
    if (m == NULL)
        return;
    free(m->name);
    free(m->description);
    free(m->path);
    free(m->text);
    free(m->currency);
    for (size_t d = 0; d < m->ndomains; d++) {
        free(m->domain[d].name);
        for (int s = 0; s < m->domain[d].nstates; s++) {
            free(m->domain[d].state[s].name);
            free(m->domain[d].state[s].file);
        }
    }
    for (size_t a = 0; a < m->narms; a++) {
        free(m->arm[a].name);
        free(m->arm[a].label);
    }
    /* payer_def may be absent in a model built in memory. */
    for (size_t i = 0; i < m->npayers; i++) {
        free(m->payer[i]);
        if (m->payer_def != NULL)
            free(m->payer_def[i].name);
    }
    free(m->payer);
    free(m->payer_def);
    for (size_t i = 0; i < m->neffects; i++) {
        free(m->effect[i].name);
        free(m->effect[i].unit);
    }
    free(m->effect);
    for (size_t i = 0; i < m->ntrans; i++) {
        free(m->trans[i].path);
        free(m->trans[i].file);
    }
    free(m->trans);
    for (size_t i = 0; i < m->ninteract; i++)
        free(m->interact[i].path);
    free(m->interact);
    for (size_t i = 0; i < m->ncosts; i++) {
        free(m->cost[i].category);
        free(m->cost[i].path);
        free(m->cost[i].file);
    }
    free(m->cost);
    for (size_t i = 0; i < m->neffect_rules; i++) {
        free(m->effect_rule[i].path);
        free(m->effect_rule[i].file);
    }
    free(m->effect_rule);
    mkba_analysis *a = &m->analysis;
    for (size_t i = 0; i < a->nperspectives; i++) {
        free(a->perspective[i].name);
        free(a->perspective[i].payer);
    }
    free(a->perspective);
    free(a->wtp);
    for (size_t i = 0; i < a->npm; i++)
        free(a->pm_item[i]);
    free(a->pm_item);
    for (size_t i = 0; i < m->services.nteams; i++) {
        free(m->services.team[i].name);
        free(m->services.team[i].path);
        free(m->services.team[i].file);
    }
    for (size_t i = 0; i < MKBA_MAX_ARMS; i++) {
        free(m->services.pathway[i].path);
        free(m->services.pathway[i].file);
    }
    for (size_t i = 0; i < m->services.nbounds; i++)
        free(m->services.bound[i].where);
    free(m->services.bound);
    for (size_t i = 0; i < m->ncategories; i++)
        free(m->category[i]);
    free(m->category);
    mkba_params_free(m->params);
    free(m);
}
