/* Finding an arm by name, with "did you mean" (model.h). */
#include <string.h>
#include "model.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "params.h"

int mkba_model_arm(const mkba_model *m, const char *what, const char *name, mkba_error *err)
{
    const char *names[MKBA_MAX_ARMS];
    for (size_t a = 0; a < m->narms; a++) {
        if (strcmp(m->arm[a].name, name) == 0)
            return (int)a;
        names[a] = m->arm[a].name;
    }
    const char *near = mkba_closest_name(name, names, m->narms);
    mkba_error_set(err, MKBA_EINVAL, "%s: the scenario has no arm '%s'%s%s%s", what, name,
                   near != NULL ? " (did you mean '" : "", near != NULL ? near : "",
                   near != NULL ? "'?)" : "");
    return -1;
}

int mkba_model_simulated_arm(const mkba_model *m, const char *what, const char *name,
                             mkba_error *err)
{
    int a = mkba_model_arm(m, what, name, err);
    if (a >= 0 && (size_t)a >= mkba_model_simulated(m)) {
        mkba_error_set(err, MKBA_EINVAL, "%s: arm '%s' is blended, not simulated, and has no "
                       "parameters of its own; name one of the arms it blends", what, name);
        return -1;
    }
    return a;
}

/* Marks the parameters that set the starting population (each domain's
 * starting shares and initial.loading) and, in arm `arm`'s own view,
 * every parameter their expressions read. MKBA_OK or MKBA_ENOMEM. */
int mkba_model_start_inputs(const mkba_model *m, size_t arm, unsigned char *mark)
{
    const size_t np = mkba_params_count(m->params);
    memset(mark, 0, np);
    for (size_t d = 0; d < m->ndomains; d++) {
        const mkba_domain *dom = &m->domain[d];
        if (dom->init_kind != MKBA_INIT_PREVALENCE)
            continue;
        for (int st = 0; st < dom->nstates; st++)
            if (dom->init_prev[st] >= 0)
                mark[dom->init_prev[st]] = 1;
        if (dom->loading >= 0)
            mark[dom->loading] = 1;
    }
    return mkba_params_inputs_arm(m->params, arm, mark);
}

int mkba_model_blend_part_fix(const mkba_model *m, const char *what, int k, int arm,
                              mkba_error *err)
{
    int blend = -1;
    for (size_t j = 0; blend < 0 && j < m->nblends; j++)
        for (size_t i = 0; i < m->blend[j].nparts; i++)
            if (m->blend[j].arm[i] == arm && m->blend[j].share[i] > 0.0)
                blend = (int)j;
    if (blend < 0 || k < 0)
        return MKBA_OK;
    unsigned char *mark = mkba_malloc(mkba_params_count(m->params) + 1);
    if (mark == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory checking the starting "
                              "population of blend '%s'", what,
                              m->arm[mkba_model_simulated(m) + (size_t)blend].name);
    int rc = mkba_model_start_inputs(m, (size_t)arm, mark);
    const int moves = rc == MKBA_OK && mark[k];
    mkba_free(mark);
    if (rc != MKBA_OK)
        return mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory checking the starting "
                              "population of blend '%s'", what,
                              m->arm[mkba_model_simulated(m) + (size_t)blend].name);
    if (!moves)
        return MKBA_OK;
    return mkba_error_set(err, MKBA_EINVAL, "%s: arm '%s' is a part of blend '%s', and '%s' "
                          "sets its starting population (a starting share or initial.loading, "
                          "directly or through an expression): fixing or varying it in one "
                          "part makes that part's households start elsewhere than the other "
                          "parts', and a blend weighs parts of one population; fix it in every "
                          "arm (--set %s=VALUE) or leave the starting population alone", what,
                          m->arm[arm].name, m->arm[mkba_model_simulated(m) + (size_t)blend].name,
                          mkba_params_get(m->params, (size_t)k)->name,
                          mkba_params_get(m->params, (size_t)k)->name);
}
