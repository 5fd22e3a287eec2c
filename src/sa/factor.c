/* Factors of a sensitivity analysis (factor.h). */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sa/factor.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "model/params.h"
#include "model/services.h"
#include "study/design.h"

static const char *const pseudo_name[] = { "", "horizon", "discount_rate" };

/* A value --set fixes: parameter k in arm `arm` (-1: the definition). */
typedef struct fixed_cell {
    int param, arm;
    const char *spec;
} fixed_cell;

/* What listing the factors needs besides the list itself. */
typedef struct lister {
    const mkba_model *m;
    const char *what;
    const mkba_sa_range *range;
    size_t nrange;
    double plo, phi;
    int allow_pseudo, independent;
    const double *base;        /* [arm][param] the base case */
    const fixed_cell *fixed;   /* the --set values */
    size_t nfixed;
    mkba_sa_factors *fs;
} lister;

void mkba_sa_factors_free(mkba_sa_factors *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n; i++)
        mkba_free(f->f[i].label);
    mkba_free(f->f);
    mkba_free(f);
}

double mkba_sa_factor_at(const mkba_sa_factor *f, double u)
{
    if (f->explicit_range || f->dist == NULL)
        return f->lo + u * (f->hi - f->lo);
    return mkba_dist_quantile(f->dist, u);
}

void mkba_sa_factor_set(const mkba_sa_factor *f, const mkba_model *m, double *row,
                        double value)
{
    if (f->param >= 0)
        mkba_design_row_set(m, row, (size_t)f->param, f->arm, value);
}

static int has_quantile(const mkba_dist *d)
{
    return d->kind != MKBA_DIST_FIXED && d->kind != MKBA_DIST_EXPR
           && d->kind != MKBA_DIST_DIRICHLET;
}

static const mkba_sa_range *range_of(const lister *l, const char *label)
{
    for (size_t i = 0; i < l->nrange; i++)
        if (strcmp(l->range[i].name, label) == 0)
            return &l->range[i];
    return NULL;
}

/* Whether parameter k in arm a (-1: the arms that use the definition) and
 * in arm b share a value. */
static int same_cell(const mkba_model *m, size_t k, int a, int b)
{
    if (a >= 0 && b >= 0)
        return a == b;
    if (a < 0 && b < 0)
        return 1;
    return !mkba_params_overridden(m->params, k, (size_t)(a >= 0 ? a : b));
}

/* The --set value among l->fixed that fixes a value of factor (k, arm). */
static const fixed_cell *fixed_by_set(const lister *l, int k, int arm)
{
    for (size_t i = 0; i < l->nfixed; i++)
        if (l->fixed[i].param == k && same_cell(l->m, (size_t)k, l->fixed[i].arm, arm))
            return &l->fixed[i];
    return NULL;
}

/* The domain a value of parameter k may take: its distribution's support
 * for bounded kinds and the model's own ranges (services). */
static void domain_of(const mkba_model *m, int k, const mkba_dist *d, double *lo, double *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    if (d != NULL && d->kind == MKBA_DIST_BETA) {
        *lo = 0.0;
        *hi = 1.0;
    } else if (d != NULL && (d->kind == MKBA_DIST_GAMMA || d->kind == MKBA_DIST_LOGNORMAL)) {
        *lo = 0.0;
    }
    for (size_t b = 0; b < m->services.nbounds; b++)
        if (m->services.bound[b].value == k) {
            *lo = fmax(*lo, m->services.bound[b].lo);
            *hi = fmin(*hi, m->services.bound[b].hi);
        }
}

/* Adds the factor of parameter k in arm `arm` (-1: the definition), or the
 * pseudo factor `pseudo` (k = -1). */
static int add(lister *l, int k, int arm, int pseudo, mkba_error *err)
{
    const mkba_model *m = l->m;
    mkba_sa_factors *fs = l->fs;
    const mkba_param *q = k >= 0 ? mkba_params_get(m->params, (size_t)k) : NULL;
    char label[256];
    if (pseudo)
        snprintf(label, sizeof label, "%s", pseudo_name[pseudo]);
    else if (arm >= 0)
        snprintf(label, sizeof label, "%s@%s", q->name, m->arm[arm].name);
    else
        snprintf(label, sizeof label, "%s", q->name);
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->f[i].label, label) == 0)
            return mkba_error_set(err, MKBA_EINVAL, "%s: factor %s is listed twice", l->what,
                                  label);
    const fixed_cell *fixed = k >= 0 ? fixed_by_set(l, k, arm) : NULL;
    if (fixed != NULL)
        return mkba_error_set(err, MKBA_EINVAL, "--set %s: %s is also a factor of this "
                              "analysis, which moves it; leave it out of %s or of --set",
                              fixed->spec, label, l->what);
    mkba_sa_factor f = { .param = k, .arm = arm, .pseudo = pseudo };
    /* NAME@ARM of an arm without an override moves the definition's value
     * in that arm only. */
    f.dist = q == NULL ? NULL
             : arm >= 0 && mkba_params_overridden(m->params, (size_t)k, (size_t)arm)
                 ? &q->arm_dist[arm] : &q->dist;
    if (f.dist != NULL && !has_quantile(f.dist))
        f.dist = NULL;
    const mkba_sa_range *r = range_of(l, label);
    if (q != NULL && l->independent && mkba_params_copula_path(m->params, (size_t)k) != NULL)
        return mkba_error_set(err, MKBA_EINVAL, "%s: %s is a member of a correlation (%s); "
                              "this method needs independent factors (docs/sensitivity.md, "
                              "Correlated inputs): leave it out of the factors, or remove the "
                              "correlation for the analysis", l->what, label,
                              mkba_params_copula_path(m->params, (size_t)k));
    if (pseudo == MKBA_SA_HORIZON) {
        f.base = m->timing.ncycles * m->timing.cycle_years;
    } else if (pseudo == MKBA_SA_DISCOUNT_RATE) {
        f.base = m->timing.rate_costs;
    } else {
        /* The value the design's other points give it: the base case in
         * its arm, or in the first simulated arm that uses the definition
         * (a blended arm's row is NaN: it has no parameters). */
        size_t a = arm >= 0 ? (size_t)arm : 0, np = mkba_params_count(m->params);
        while (arm < 0 && a + 1 < mkba_model_simulated(m)
               && mkba_params_overridden(m->params, (size_t)k, a))
            a++;
        f.base = l->base[a * np + (size_t)k];
    }
    if (r != NULL) {
        f.lo = r->lo;
        f.hi = r->hi;
        f.explicit_range = 1;
        if (!(r->lo < r->hi) || !isfinite(r->lo) || !isfinite(r->hi))
            return mkba_error_set(err, MKBA_EINVAL, "%s: the range of %s must be LO:HI with "
                                  "finite LO < HI (got %g:%g)", l->what, label, r->lo, r->hi);
    } else if (f.dist != NULL) {
        f.lo = mkba_dist_quantile(f.dist, l->plo);
        f.hi = mkba_dist_quantile(f.dist, l->phi);
    } else {
        return mkba_error_set(err, MKBA_EINVAL, "%s: %s has no distribution to take "
                              "percentiles of (%s); give its range with --range %s=LO:HI",
                              l->what, label, pseudo ? "it is a setting of the run"
                              : q->dist.kind == MKBA_DIST_EXPR ? "it is derived by an expression"
                              : "it is fixed", label);
    }
    double dlo, dhi;
    if (pseudo == MKBA_SA_HORIZON) {
        dlo = m->timing.cycle_years;
        dhi = f.base;
    } else if (pseudo == MKBA_SA_DISCOUNT_RATE) {
        dlo = 0.0;             /* as the scenario: [0, 1) */
        dhi = 1.0 - 1e-12;
    } else {
        domain_of(m, k, f.dist, &dlo, &dhi);
    }
    if (f.lo < dlo || f.hi > dhi)
        return mkba_error_set(err, MKBA_EINVAL, "%s: the range %g:%g of %s leaves its valid "
                              "domain [%g, %g]%s", l->what, f.lo, f.hi, label, dlo, dhi,
                              pseudo == MKBA_SA_HORIZON ? " (the horizon cannot exceed the "
                              "scenario's; lengthen timing.horizon to sweep further)" : "");
    mkba_sa_factor *grown = mkba_realloc(fs->f, (fs->n + 1) * sizeof *grown);
    if (grown == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory listing factors");
    fs->f = grown;
    size_t len = strlen(label) + 1;
    if ((f.label = mkba_malloc(len)) == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory listing factors");
    memcpy(f.label, label, len);
    fs->f[fs->n++] = f;
    return MKBA_OK;
}

/* Every parameter (and override) whose name matches pattern, in table
 * order: those with a distribution, or with an explicit range. Values
 * --set fixes and (for independent factors) members of correlations are
 * left out. */
static int add_matching(lister *l, const char *pattern, const char *arm_name, mkba_error *err)
{
    const mkba_model *m = l->m;
    size_t np = mkba_params_count(m->params), before = l->fs->n;
    int arm = arm_name != NULL ? mkba_model_simulated_arm(m, l->what, arm_name, NULL) : -1;
    for (size_t k = 0; k < np; k++) {
        const mkba_param *q = mkba_params_get(m->params, k);
        if (fnmatch(pattern, q->name, 0) != 0 || q->dist.kind == MKBA_DIST_DIRICHLET)
            continue;
        for (int a = -1; a < (int)m->narms; a++) {
            if (arm_name != NULL && a != arm)
                continue;
            const mkba_dist *d = a >= 0 ? &q->arm_dist[a] : &q->dist;
            if (a >= 0 && !mkba_params_overridden(m->params, k, (size_t)a))
                continue;
            char label[256];
            snprintf(label, sizeof label, a >= 0 ? "%s@%s" : "%s", q->name,
                     a >= 0 ? m->arm[a].name : "");
            if (!has_quantile(d) && range_of(l, label) == NULL)
                continue;
            if (l->independent && mkba_params_copula_path(m->params, k) != NULL)
                continue;
            if (fixed_by_set(l, (int)k, a) != NULL)
                continue;
            /* An override of a blend's part that sets its start would move
             * that part alone (docs/model.md, "Mixed arms"). */
            char what[320];
            snprintf(what, sizeof what, "%s: %s (from the pattern '%s')", l->what, label, pattern);
            int rc = a >= 0 ? mkba_model_blend_part_fix(m, what, (int)k, a, err) : MKBA_OK;
            if (rc != MKBA_OK)
                return rc;
            rc = add(l, (int)k, a, 0, err);
            if (rc != MKBA_OK)
                return rc;
        }
    }
    if (l->fs->n == before && strcmp(pattern, "*") != 0)
        return mkba_error_set(err, MKBA_EINVAL, "%s: the pattern '%s' matches no parameter "
                              "with a distribution%s", l->what, pattern,
                              l->independent ? " outside a correlation" : "");
    return MKBA_OK;
}

/* Adds one item of the list: a pseudo factor, NAME, NAME@ARM or a pattern. */
static int add_item(lister *l, const char *item, mkba_error *err)
{
    const mkba_model *m = l->m;
    for (int p = MKBA_SA_HORIZON; p <= MKBA_SA_DISCOUNT_RATE; p++)
        if (strcmp(item, pseudo_name[p]) == 0) {
            if (!l->allow_pseudo)
                return mkba_error_set(err, MKBA_EINVAL, "%s: %s is a setting of the run, not "
                                      "a parameter; only `mkba sa sweep` varies it", l->what,
                                      item);
            return add(l, -1, -1, p, err);
        }
    char name[256];
    const char *at = strchr(item, '@');
    size_t len = at != NULL ? (size_t)(at - item) : strlen(item);
    if (len == 0 || len >= sizeof name)
        return mkba_error_set(err, MKBA_EINVAL, "%s: '%s' is not a parameter name", l->what,
                              item);
    memcpy(name, item, len);
    name[len] = '\0';
    int arm = -1;
    if (at != NULL && (arm = mkba_model_simulated_arm(m, l->what, at + 1, err)) < 0)
        return err != NULL ? err->code : MKBA_EINVAL;
    /* A parameter's own name (inline values have names like costs.[8].amount)
     * before any reading as a pattern. */
    if (mkba_params_find(m->params, name) < 0 && strpbrk(name, "*?[") != NULL)
        return add_matching(l, name, at != NULL ? at + 1 : NULL, err);
    int k = mkba_design_param(m, l->what, name, err);
    if (k < 0)
        return err != NULL ? err->code : MKBA_EINVAL;
    if (arm >= 0) {
        char what[320];
        snprintf(what, sizeof what, "%s: %s", l->what, item);
        int rc = mkba_model_blend_part_fix(m, what, k, arm, err);
        if (rc != MKBA_OK)
            return rc;
    }
    return add(l, k, arm, 0, err);
}

/* The values --set fixes, as (parameter, arm) cells; items naming no
 * parameter are left to the design, which refuses them in words. */
static int read_fixed(const mkba_model *m, const char *const *set_name, size_t nset,
                      fixed_cell *out, size_t *n, mkba_error *err)
{
    *n = 0;
    for (size_t i = 0; i < nset; i++) {
        char name[256];
        const char *at = strchr(set_name[i], '@');
        size_t len = at != NULL ? (size_t)(at - set_name[i]) : strlen(set_name[i]);
        if (len >= sizeof name)
            continue;
        memcpy(name, set_name[i], len);
        name[len] = '\0';
        int k = mkba_params_find(m->params, name), arm = -1;
        char what[300];
        snprintf(what, sizeof what, "--set %s", set_name[i]);
        if (at != NULL && (arm = mkba_model_simulated_arm(m, what, at + 1, err)) < 0)
            return err != NULL ? err->code : MKBA_EINVAL;
        if (k >= 0)
            out[(*n)++] = (fixed_cell){ k, arm, set_name[i] };
    }
    return MKBA_OK;
}

int mkba_sa_factors_alloc(const mkba_model *m, const char *what, const char *spec,
                          const mkba_sa_range *range, size_t nrange, double plo, double phi,
                          int allow_pseudo, int independent, const char *const *set_name,
                          size_t nset, mkba_sa_factors **out, mkba_error *err)
{
    *out = NULL;
    if (!(plo > 0.0 && plo < phi && phi < 1.0))
        return mkba_error_set(err, MKBA_EINVAL, "%s: the low and high percentiles must satisfy "
                              "0 < low < high < 1 (got %g and %g)", what, plo, phi);
    lister l = { m, what, range, nrange, plo, phi, allow_pseudo, independent, NULL, NULL, 0,
                 NULL };
    size_t np = mkba_params_count(m->params);
    l.fs = mkba_calloc(1, sizeof *l.fs);
    double *base = mkba_malloc((m->narms * np + 1) * sizeof *base);
    fixed_cell *fixed = mkba_malloc((nset + 1) * sizeof *fixed);
    mkba_params_work *w = mkba_params_work_alloc(m->params);
    int rc = l.fs != NULL && base != NULL && fixed != NULL && w != NULL ? MKBA_OK
             : mkba_error_set(err, MKBA_ENOMEM, "out of memory listing factors");
    /* The base case (seed and draw do not matter to it). */
    if (rc == MKBA_OK)
        rc = mkba_params_sample(m->params, m->seed, 0, 1, m->base_case, base, w, err);
    if (rc == MKBA_OK)
        rc = read_fixed(m, set_name, nset, fixed, &l.nfixed, err);
    mkba_params_work_free(w);
    l.base = base;
    l.fixed = fixed;
    if (rc == MKBA_OK && spec == NULL) {
        rc = add_matching(&l, "*", NULL, err);
    } else if (rc == MKBA_OK) {
        const char *p = spec;
        while (rc == MKBA_OK && *p != '\0') {
            size_t len = strcspn(p, ",");
            char item[256];
            if (len == 0 || len >= sizeof item) {
                rc = mkba_error_set(err, MKBA_EINVAL, "%s: empty or overlong item in the "
                                    "factor list '%s'", what, spec);
                break;
            }
            memcpy(item, p, len);
            item[len] = '\0';
            rc = add_item(&l, item, err);
            p += len;
            if (*p == ',')
                p++;
        }
    }
    for (size_t i = 0; rc == MKBA_OK && i < nrange; i++) {
        int used = 0;
        for (size_t j = 0; j < l.fs->n; j++)
            used |= strcmp(l.fs->f[j].label, range[i].name) == 0;
        if (!used)
            rc = mkba_error_set(err, MKBA_EINVAL, "%s: the range of %s names no factor of this "
                                "analysis (one factor, spelled as in the factor list)", what,
                                range[i].name);
    }
    if (rc == MKBA_OK && l.fs->n == 0)
        rc = mkba_error_set(err, MKBA_EINVAL, "%s: no factor to vary: the scenario has no "
                            "parameter with a distribution%s%s; name factors with --factors "
                            "and give ranges with --range", what,
                            independent ? " outside a correlation" : "",
                            nset > 0 ? " that --set leaves free" : "");
    mkba_free(base);
    mkba_free(fixed);
    if (rc != MKBA_OK) {
        mkba_sa_factors_free(l.fs);
        return rc;
    }
    *out = l.fs;
    return MKBA_OK;
}
