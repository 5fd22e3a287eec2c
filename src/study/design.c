/* Designs: the points a study evaluates (design.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "study/design.h"
#include "core/alloc.h"

static const char *const kind_name[] = {
    [MKBA_DESIGN_PSA] = "psa",
    [MKBA_DESIGN_BASE_CASE] = "base_case",
    [MKBA_DESIGN_POINTS] = "points",
};

const char *mkba_design_kind_name(mkba_design_kind k)
{
    return kind_name[k];
}

void mkba_design_free(mkba_design *d)
{
    if (d == NULL)
        return;
    mkba_free(d->fixed);
    mkba_free(d->point);
    mkba_free(d);
}

static mkba_design *design_alloc(const mkba_model *m, mkba_design_kind kind, size_t npoints,
                                 mkba_error *err)
{
    mkba_design *d = mkba_calloc(1, sizeof *d);
    size_t np = mkba_params_count(m->params);
    if (d != NULL) {
        d->kind = kind;
        d->npoints = npoints;
        d->nparams = np;
        d->fixed = mkba_malloc((np + 1) * sizeof *d->fixed);
        if (kind == MKBA_DESIGN_POINTS && npoints <= SIZE_MAX / (np + 1) / sizeof(double))
            d->point = mkba_malloc(npoints * (np + 1) * sizeof *d->point);
    }
    if (d == NULL || d->fixed == NULL || (kind == MKBA_DESIGN_POINTS && d->point == NULL)) {
        mkba_design_free(d);
        mkba_error_set(err, MKBA_ENOMEM, "out of memory for a design of %zu points", npoints);
        return NULL;
    }
    for (size_t i = 0; i < np; i++)
        d->fixed[i] = NAN;
    for (size_t i = 0; d->point != NULL && i < npoints * np; i++)
        d->point[i] = NAN;
    return d;
}

mkba_design *mkba_design_psa(const mkba_model *m, long draws, mkba_error *err)
{
    if (draws < 1 || draws > 100000000L) {
        mkba_error_set(err, MKBA_EINVAL, "draws must be between 1 and 100000000 for a PSA "
                       "(got %ld); 0 asks for the base case", draws);
        return NULL;
    }
    return design_alloc(m, MKBA_DESIGN_PSA, (size_t)draws, err);
}

mkba_design *mkba_design_base_case(const mkba_model *m, mkba_error *err)
{
    mkba_design *d = design_alloc(m, MKBA_DESIGN_BASE_CASE, 1, err);
    if (d != NULL)
        d->base_case = 1;
    return d;
}

mkba_design *mkba_design_points(const mkba_model *m, size_t npoints, int base_case,
                                uint32_t draw, mkba_error *err)
{
    if (npoints < 1 || npoints > 100000000u) {
        mkba_error_set(err, MKBA_EINVAL, "a design needs between 1 and 100000000 points "
                       "(got %zu)", npoints);
        return NULL;
    }
    mkba_design *d = design_alloc(m, MKBA_DESIGN_POINTS, npoints, err);
    if (d != NULL) {
        d->base_case = base_case != 0;
        d->draw = draw;
    }
    return d;
}

int mkba_design_param(const mkba_model *m, const char *what, const char *name,
                      mkba_error *err)
{
    int k = mkba_params_find(m->params, name);
    if (k < 0) {
        const char *near = mkba_params_closest(m->params, name);
        if (near != NULL)
            mkba_error_set(err, MKBA_EINVAL, "%s: the scenario has no parameter '%s' (did you "
                           "mean '%s'?); `mkba check` lists every parameter", what, name, near);
        else
            mkba_error_set(err, MKBA_EINVAL, "%s: the scenario has no parameter '%s'; "
                           "`mkba check` lists every parameter", what, name);
        return -1;
    }
    const mkba_param *q = mkba_params_get(m->params, (size_t)k);
    if (q->dist.kind == MKBA_DIST_DIRICHLET) {
        mkba_error_set(err, MKBA_EINVAL, "%s: parameter '%s' is component %d of a Dirichlet "
                       "vector (%s:%d), whose components sum to 1 and cannot be fixed one by "
                       "one; fix the vector in the scenario instead", what, name,
                       q->dist.group_index + 1, q->file != NULL ? q->file : "?", q->line);
        return -1;
    }
    return k;
}

int mkba_design_fix(mkba_design *d, const mkba_model *m, const char *name, double value,
                    mkba_error *err)
{
    int k = mkba_design_param(m, "--set", name, err);
    if (k < 0)
        return err != NULL ? err->code : MKBA_EINVAL;
    if (!isfinite(value))
        return mkba_error_set(err, MKBA_EINVAL, "--set %s: expected a finite number", name);
    d->fixed[k] = value;
    return MKBA_OK;
}

void mkba_design_row(const mkba_design *d, size_t i, double *row)
{
    const double *p = d->point != NULL ? d->point + i * d->nparams : NULL;
    for (size_t k = 0; k < d->nparams; k++)
        row[k] = p != NULL && !isnan(p[k]) ? p[k] : d->fixed[k];
}

uint32_t mkba_design_draw(const mkba_design *d, size_t i)
{
    switch (d->kind) {
    case MKBA_DESIGN_PSA: return (uint32_t)i;
    case MKBA_DESIGN_BASE_CASE: return 0;
    case MKBA_DESIGN_POINTS: return d->draw;
    }
    return 0;
}

int mkba_design_is_base_case(const mkba_design *d)
{
    return d->base_case;
}
