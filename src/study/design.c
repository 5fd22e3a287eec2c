/* Designs: the points a study evaluates (design.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/strutil.h"
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
    mkba_free(d->point_draw);
    mkba_free(d);
}

static mkba_design *design_alloc(const mkba_model *m, mkba_design_kind kind, size_t npoints,
                                 int keep_points, mkba_error *err)
{
    mkba_design *d = mkba_calloc(1, sizeof *d);
    size_t na = m->narms, np = mkba_params_count(m->params), row = na * np + 1;
    if (d != NULL) {
        d->kind = kind;
        d->npoints = npoints;
        d->narms = na;
        d->nparams = np;
        d->fixed = mkba_malloc(row * sizeof *d->fixed);
        if (keep_points && npoints <= SIZE_MAX / row / sizeof(double))
            d->point = mkba_malloc(npoints * row * sizeof *d->point);
    }
    if (d == NULL || d->fixed == NULL || (keep_points && d->point == NULL)) {
        mkba_design_free(d);
        mkba_error_set(err, MKBA_ENOMEM, "out of memory for a design of %zu points", npoints);
        return NULL;
    }
    for (size_t i = 0; i < na * np; i++)
        d->fixed[i] = NAN;
    for (size_t i = 0; d->point != NULL && i < npoints * na * np; i++)
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
    return design_alloc(m, MKBA_DESIGN_PSA, (size_t)draws, 0, err);
}

mkba_design *mkba_design_base_case(const mkba_model *m, mkba_error *err)
{
    mkba_design *d = design_alloc(m, MKBA_DESIGN_BASE_CASE, 1, 0, err);
    if (d != NULL)
        d->base_case = 1;
    return d;
}

static mkba_design *points(const mkba_model *m, size_t npoints, int base_case, uint32_t draw,
                           int keep_points, mkba_error *err)
{
    if (npoints < 1 || npoints > 100000000u) {
        mkba_error_set(err, MKBA_EINVAL, "a design needs between 1 and 100000000 points "
                       "(got %zu)", npoints);
        return NULL;
    }
    mkba_design *d = design_alloc(m, MKBA_DESIGN_POINTS, npoints, keep_points, err);
    if (d != NULL) {
        d->base_case = base_case != 0;
        d->draw = draw;
    }
    return d;
}

mkba_design *mkba_design_points(const mkba_model *m, size_t npoints, int base_case,
                                uint32_t draw, mkba_error *err)
{
    return points(m, npoints, base_case, draw, 1, err);
}

mkba_design *mkba_design_generated(const mkba_model *m, size_t npoints, int base_case,
                                   uint32_t draw, mkba_design_row_fn fn, void *user,
                                   mkba_error *err)
{
    mkba_design *d = points(m, npoints, base_case, draw, 0, err);
    if (d != NULL) {
        d->row_fn = fn;
        d->row_user = user;
    }
    return d;
}

int mkba_design_set_draws(mkba_design *d, const uint32_t *draw, mkba_error *err)
{
    if (d->kind != MKBA_DESIGN_POINTS)
        return mkba_error_set(err, MKBA_EINTERNAL, "only a points design has per-point draws");
    if (d->point_draw == NULL && (d->point_draw = mkba_malloc(d->npoints * sizeof *draw)) == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for a design of %zu points",
                              d->npoints);
    memcpy(d->point_draw, draw, d->npoints * sizeof *draw);
    return MKBA_OK;
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
                       "vector (%s:%d), whose components sum to 1: it cannot be set or varied "
                       "on its own; change the vector's alpha in the scenario", what, name,
                       q->dist.group_index + 1, q->file != NULL ? q->file : "?", q->line);
        return -1;
    }
    return k;
}

/* Sets row[arm][k] = value for arm `arm`, or for every simulated arm
 * without an override of k when arm < 0; returns how many arms it set. A
 * blended arm has no parameters (its parts' values act in it), so it
 * counts for nothing: were it counted, a parameter every simulated arm
 * overrides would be "set" in the blend alone and change nothing. */
static size_t set_arms(const mkba_model *m, size_t np, double *row, size_t k, int arm,
                       double value)
{
    size_t n = 0;
    for (size_t a = 0; a < mkba_model_simulated(m); a++)
        if (arm >= 0 ? a == (size_t)arm : !mkba_params_overridden(m->params, k, a)) {
            row[a * np + k] = value;
            n++;
        }
    return n;
}

int mkba_design_fix(mkba_design *d, const mkba_model *m, const char *name, const char *arm,
                    double value, mkba_error *err)
{
    int k = mkba_design_param(m, "--set", name, err);
    if (k < 0)
        return err != NULL ? err->code : MKBA_EINVAL;
    if (!isfinite(value))
        return mkba_error_set(err, MKBA_EINVAL, "--set %s: expected a finite number", name);
    int a = -1;
    if (arm != NULL) {
        char what[320];
        snprintf(what, sizeof what, "--set %s@%s", name, arm);
        if ((a = mkba_model_simulated_arm(m, what, arm, err)) < 0)
            return err != NULL ? err->code : MKBA_EINVAL;
        /* A part of a blend keeps the other parts' starting population. */
        int rc = mkba_model_blend_part_fix(m, what, k, a, err);
        if (rc != MKBA_OK)
            return rc;
    }
    for (size_t i = 0; i < mkba_model_simulated(m); i++)
        if ((a >= 0 ? i == (size_t)a : !mkba_params_overridden(m->params, (size_t)k, i))
            && !isnan(d->fixed[i * d->nparams + (size_t)k]))
            return mkba_error_set(err, MKBA_EINVAL, "--set %s: given more than once for arm "
                                  "'%s'", name, m->arm[i].name);
    if (set_arms(m, d->nparams, d->fixed, (size_t)k, a, value) == 0) {
        char num[32];          /* as given: 0.3, not 0.29999999999999999 */
        snprintf(num, sizeof num, "%.15g", value);
        if (strtod(num, NULL) != value)
            snprintf(num, sizeof num, "%.17g", value);
        /* --set NAME@ARM needs an arm that is no part of a blend whose
         * starting population k sets. */
        int ok = -1;
        for (size_t i = 0; ok < 0 && i < mkba_model_simulated(m); i++)
            if (mkba_model_blend_part_fix(m, "", k, (int)i, NULL) == MKBA_OK)
                ok = (int)i;
        if (ok < 0)
            return mkba_error_set(err, MKBA_EINVAL, "--set %s: every arm overrides this "
                                  "parameter, so the scenario's own definition is used "
                                  "nowhere, and the arms are parts of a blend whose starting "
                                  "population it sets, which one part cannot change alone; "
                                  "change the overrides in the scenario", name);
        return mkba_error_set(err, MKBA_EINVAL, "--set %s: every arm overrides this parameter, "
                              "so the scenario's own definition is used nowhere; fix it in one "
                              "arm with --set %s@ARM=%s", name, name, num);
    }
    return MKBA_OK;
}

size_t mkba_design_set_point(mkba_design *d, const mkba_model *m, size_t i, size_t k, int arm,
                             double value)
{
    return set_arms(m, d->nparams, d->point + i * d->narms * d->nparams, k, arm, value);
}

size_t mkba_design_row_set(const mkba_model *m, double *row, size_t k, int arm, double value)
{
    return set_arms(m, mkba_params_count(m->params), row, k, arm, value);
}

void mkba_design_row(const mkba_design *d, size_t i, double *row)
{
    const size_t n = d->narms * d->nparams;
    const double *p = d->point != NULL ? d->point + i * n : NULL;
    for (size_t k = 0; k < n; k++)
        row[k] = p != NULL && !isnan(p[k]) ? p[k] : d->fixed[k];
    if (d->row_fn != NULL)
        d->row_fn(d->row_user, i, row);
}

uint32_t mkba_design_draw(const mkba_design *d, size_t i)
{
    switch (d->kind) {
    case MKBA_DESIGN_PSA: return (uint32_t)i;
    case MKBA_DESIGN_BASE_CASE: return 0;
    case MKBA_DESIGN_POINTS: return d->point_draw != NULL ? d->point_draw[i] : d->draw;
    }
    return 0;
}

int mkba_design_is_base_case(const mkba_design *d)
{
    return d->base_case;
}

int mkba_design_fix_spec(mkba_design *d, const mkba_model *m, const char *spec, double value,
                         mkba_error *err)
{
    const char *at = strchr(spec, '@');
    if (at == NULL)
        return mkba_design_fix(d, m, spec, NULL, value, err);
    size_t n = (size_t)(at - spec);
    char *name = mkba_malloc(n + 1);
    if (name == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    memcpy(name, spec, n);
    name[n] = '\0';
    int rc = mkba_design_fix(d, m, name, at + 1, value, err);
    mkba_free(name);
    return rc;
}
