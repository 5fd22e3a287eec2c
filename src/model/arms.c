/* Finding an arm by name, with "did you mean" (model.h). */
#include <string.h>
#include "model.h"
#include "core/strutil.h"

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
