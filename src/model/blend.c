/* The starting population of a blend's parts (model.h; docs/scenario.md,
 * "The parts are one population"): which parameters set it, in one list,
 * and the refusal of a fix that would move one part's start alone. The
 * loader's check of the parts is in scenario_blend.c. */
#include <string.h>
#include "model.h"
#include "core/alloc.h"
#include "params.h"

int mkba_model_start_setting(const mkba_model *m, size_t i, size_t *domain, int *state)
{
    for (size_t d = 0; d < m->ndomains; d++) {
        const mkba_domain *dom = &m->domain[d];
        if (dom->init_kind != MKBA_INIT_PREVALENCE)
            continue;
        for (int st = 0; st <= dom->nstates; st++) {
            const int v = st < dom->nstates ? dom->init_prev[st] : dom->loading;
            if (v < 0)
                continue;
            if (i-- == 0) {
                if (domain != NULL)
                    *domain = d;
                if (state != NULL)
                    *state = st;
                return v;
            }
        }
    }
    return -1;
}

int mkba_model_start_inputs(const mkba_model *m, size_t arm, unsigned char *mark)
{
    memset(mark, 0, mkba_params_count(m->params));
    for (size_t i = 0, v; (v = (size_t)mkba_model_start_setting(m, i, NULL, NULL)) != (size_t)-1;
         i++)
        mark[v] = 1;
    return mkba_params_inputs_arm(m->params, arm, mark);
}

int mkba_model_blend_of_part(const mkba_model *m, int arm)
{
    for (size_t j = 0; j < m->nblends; j++)
        for (size_t i = 0; i < m->blend[j].nparts; i++)
            if (m->blend[j].arm[i] == arm && m->blend[j].share[i] > 0.0)
                return (int)j;
    return -1;
}

int mkba_model_blend_part_fix(const mkba_model *m, const char *what, int k, int arm,
                              mkba_error *err)
{
    const int blend = mkba_model_blend_of_part(m, arm);
    if (blend < 0 || k < 0)
        return MKBA_OK;
    const char *bname = m->arm[mkba_model_simulated(m) + (size_t)blend].name;
    unsigned char *mark = mkba_malloc(mkba_params_count(m->params) + 1);
    int rc = mark == NULL ? MKBA_ENOMEM : mkba_model_start_inputs(m, (size_t)arm, mark);
    const int moves = rc == MKBA_OK && mark[k];
    mkba_free(mark);
    if (rc != MKBA_OK)
        return mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory checking the starting "
                              "population of blend '%s'", what, bname);
    if (!moves)
        return MKBA_OK;
    const char *name = mkba_params_get(m->params, (size_t)k)->name;
    /* The load made the parts alike in k: all keep the scenario's
     * definition, which --set NAME=VALUE fixes in each of them, or all
     * override it with one fixed number or expression, which only the
     * scenario can change in every part at once. */
    if (!mkba_params_overridden(m->params, (size_t)k, (size_t)arm))
        return mkba_error_set(err, MKBA_EINVAL, "%s: arm '%s' is a part of blend '%s', and "
                              "'%s' sets its starting population (a starting share or "
                              "initial.loading, directly or through an expression): fixing or "
                              "varying it in one part makes that part's households start "
                              "elsewhere than the other parts', and a blend weighs parts of one "
                              "population; fix it in every arm that keeps the scenario's "
                              "definition (--set %s=VALUE) or leave the starting population "
                              "alone", what, m->arm[arm].name, bname, name, name);
    return mkba_error_set(err, MKBA_EINVAL, "%s: arm '%s' is a part of blend '%s', and '%s' "
                          "sets its starting population (a starting share or initial.loading, "
                          "directly or through an expression): fixing or varying it in one "
                          "part makes that part's households start elsewhere than the other "
                          "parts', and a blend weighs parts of one population; every part "
                          "overrides '%s' alike, so change that override in the scenario, in "
                          "every part, or leave the starting population alone", what,
                          m->arm[arm].name, bname, name, name);
}
