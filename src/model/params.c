/* The parameter table: definitions, validation (finalize) and sampling.
 *
 * Every parameter draws from its own counter-based stream keyed by (seed,
 * draw, a hash of the parameter's name, purpose), so a value never depends
 * on how many numbers another parameter consumed, on which thread asks, or
 * on where in the file the parameter stands: adding or moving a parameter
 * changes no other parameter's draws. Derived
 * parameters (expressions) are evaluated per arm after all drawn values, in
 * an order computed once by finalize. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "mkba/rng.h"
#include "core/alloc.h"
#include "core/expr.h"
#include "core/strutil.h"
#include "params.h"

/* arm_dist[].kind of an arm without an override. */
#define NO_OVERRIDE ((mkba_dist_kind)-1)
/* Streams of arm overrides: distinct purposes per arm. */
#define ARM_PURPOSE(arm) ((uint32_t)MKBA_STREAM_PARAMS + 256u * (uint32_t)((arm) + 1))
#define LOC_MAX 512

/* Where an arm override was defined. */
typedef struct loc {
    char *path, *file;
    int line;
    char *source;           /* an override's own source, or NULL */
} loc;

/* Private data kept beside each public mkba_param. */
typedef struct param_extra {
    int referenceable;      /* name is an identifier expressions may use */
    int used;               /* a setting uses it (mkba_params_mark_used); after
                               finalize also through the expressions of used ones */
    loc *oloc;              /* [narms] */
    loc once;               /* the first setting that reads it once per draw
                               (mkba_params_mark_once), or path NULL */
} param_extra;

/* One parsed expression: of parameter `param` in variant `variant` (0 = the
 * reference definition, arm + 1 = that arm's override). A variable that is
 * calendar time has a negative index: YEAR_VAR (MKBA_PARAMS_YEAR) or
 * WHOLE_YEAR_VAR (MKBA_PARAMS_WHOLE_YEAR). */
#define YEAR_VAR (-1)
#define WHOLE_YEAR_VAR (-2)
typedef struct expr_slot {
    int param, variant;
    const char *text;       /* points into the definition */
    size_t nvars;
    int *var;               /* parameter index of each variable */
} expr_slot;

struct mkba_params {
    size_t narms;
    size_t n, cap;
    mkba_param *param;
    param_extra *extra;
    char **arm_name;        /* [narms]; NULL entries print as "arm N" */
    size_t ncop, capcop;
    mkba_copula *cop;
    int finalized;
    /* Filled by finalize. */
    int *copula_of;         /* [n]: copula index or -1 */
    uint32_t *stream;       /* [n]: stream of each parameter (hash of its name) */
    int *slot_of;           /* [n * (narms + 1)]: expression slot or -1 */
    size_t nslot;
    expr_slot *slot;
    int **order;            /* [narms]: slots in evaluation order */
    size_t *norder;
    size_t max_vars, max_cop;
    /* Parameters that vary by year: their expression (in some variant)
     * uses the year, directly or through another such parameter. */
    int *time_col;          /* [n]: column in a by-cycle table, or -1 */
    int *time_param;        /* [ntime]: parameter of each column */
    size_t ntime;
};

struct mkba_params_work {
    const mkba_params *p;
    gsl_rng *rng;
    mkba_expr **ev;         /* [nslot]: this work's own evaluators */
    double *ref;            /* [n]: reference values of this draw */
    double *cyc;            /* [n]: one arm's values in one cycle (by_cycle) */
    double *vbuf;           /* [max_vars] */
    double *z, *x;          /* [max_cop] */
    const double *fixed;    /* [narms][n] or NULL: mkba_params_work_fix */
};

/* "file:line: path" (or just path) for messages. */
static const char *where(char *buf, const char *path, const char *file, int line)
{
    if (path == NULL)
        path = "(unnamed)";
    if (file != NULL)
        snprintf(buf, LOC_MAX, "%s:%d: %s", file, line, path);
    else
        snprintf(buf, LOC_MAX, "%s", path);
    return buf;
}

static const char *param_where(char *buf, const mkba_param *q)
{
    return where(buf, q->path, q->file, q->line);
}

static const char *arm_label(char *buf, size_t n, const mkba_params *p, size_t arm)
{
    if (p->arm_name[arm] != NULL)
        snprintf(buf, n, "%s", p->arm_name[arm]);
    else
        snprintf(buf, n, "%zu", arm);
    return buf;
}

static int is_identifier(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
        return 0;
    for (s++; *s != '\0'; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')
              || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* ---- allocation ---------------------------------------------------------- */

mkba_params *mkba_params_alloc(size_t narms)
{
    if (narms == 0)
        return NULL;
    mkba_params *p = mkba_calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->narms = narms;
    p->arm_name = mkba_calloc(narms, sizeof *p->arm_name);
    if (p->arm_name == NULL) {
        mkba_free(p);
        return NULL;
    }
    return p;
}

static void dist_clear(mkba_dist *d)
{
    mkba_free(d->expr);
    if (d->kind == MKBA_DIST_DIRICHLET && d->group_index == 0)
        mkba_free(d->alpha);
    d->expr = NULL;
    d->alpha = NULL;
}

static void param_clear(mkba_param *q, param_extra *x, size_t narms)
{
    mkba_free(q->name);
    mkba_free(q->path);
    mkba_free(q->file);
    mkba_free(q->source);
    mkba_free(q->unit);
    dist_clear(&q->dist);
    for (size_t a = 0; q->arm_dist != NULL && a < narms; a++)
        if (q->arm_dist[a].kind != NO_OVERRIDE)
            dist_clear(&q->arm_dist[a]);
    mkba_free(q->arm_dist);
    for (size_t a = 0; x->oloc != NULL && a < narms; a++) {
        mkba_free(x->oloc[a].path);
        mkba_free(x->oloc[a].file);
        mkba_free(x->oloc[a].source);
    }
    mkba_free(x->oloc);
    mkba_free(x->once.path);
    mkba_free(x->once.file);
    memset(q, 0, sizeof *q);
    memset(x, 0, sizeof *x);
}

/* Frees what finalize computed, leaving the definitions. */
static void unfinalize(mkba_params *p)
{
    mkba_free(p->copula_of);
    mkba_free(p->stream);
    p->stream = NULL;
    mkba_free(p->slot_of);
    for (size_t s = 0; s < p->nslot; s++)
        mkba_free(p->slot[s].var);
    mkba_free(p->slot);
    for (size_t a = 0; p->order != NULL && a < p->narms; a++)
        mkba_free(p->order[a]);
    mkba_free(p->order);
    mkba_free(p->norder);
    mkba_free(p->time_col);
    mkba_free(p->time_param);
    p->time_col = p->time_param = NULL;
    p->ntime = 0;
    p->copula_of = p->slot_of = NULL;
    p->slot = NULL;
    p->nslot = 0;
    p->order = NULL;
    p->norder = NULL;
    p->finalized = 0;
}

void mkba_params_free(mkba_params *p)
{
    if (p == NULL)
        return;
    unfinalize(p);
    for (size_t i = 0; i < p->n; i++)
        param_clear(&p->param[i], &p->extra[i], p->narms);
    mkba_free(p->param);
    mkba_free(p->extra);
    for (size_t c = 0; c < p->ncop; c++) {
        mkba_free(p->cop[c].param);
        mkba_free(p->cop[c].corr);
        mkba_free(p->cop[c].chol);
        mkba_free(p->cop[c].path);
    }
    mkba_free(p->cop);
    for (size_t a = 0; a < p->narms; a++)
        mkba_free(p->arm_name[a]);
    mkba_free(p->arm_name);
    mkba_free(p);
}

int mkba_params_set_arm_name(mkba_params *p, size_t arm, const char *name)
{
    if (p == NULL || arm >= p->narms)
        return MKBA_EINVAL;
    char *copy = mkba_strdup(name);
    if (name != NULL && copy == NULL)
        return MKBA_ENOMEM;
    mkba_free(p->arm_name[arm]);
    p->arm_name[arm] = copy;
    return MKBA_OK;
}

int mkba_params_set_unit(mkba_params *p, int index, const char *unit)
{
    if (p == NULL || index < 0 || (size_t)index >= p->n)
        return MKBA_EINVAL;
    char *copy = mkba_strdup(unit);
    if (unit != NULL && copy == NULL)
        return MKBA_ENOMEM;
    mkba_free(p->param[index].unit);
    p->param[index].unit = copy;
    return MKBA_OK;
}

/* ---- definitions --------------------------------------------------------- */

/* Copies def into dst; expression text is duplicated, the Dirichlet vector
 * is not (add_dirichlet handles it). */
static int dist_copy(mkba_dist *dst, const mkba_dist *def)
{
    *dst = *def;
    dst->expr = NULL;
    if (def->kind != MKBA_DIST_DIRICHLET) {
        dst->alpha = NULL;
        dst->group_size = dst->group_index = 0;
    }
    if (def->kind == MKBA_DIST_EXPR) {
        dst->expr = mkba_strdup(def->expr);
        if (dst->expr == NULL)
            return MKBA_ENOMEM;
    }
    return MKBA_OK;
}

static int grow(mkba_params *p)
{
    if (p->n < p->cap)
        return MKBA_OK;
    size_t cap = p->cap ? 2 * p->cap : 16;
    mkba_param *q = mkba_realloc(p->param, cap * sizeof *q);
    if (q == NULL)
        return MKBA_ENOMEM;
    p->param = q;
    param_extra *x = mkba_realloc(p->extra, cap * sizeof *x);
    if (x == NULL)
        return MKBA_ENOMEM;
    p->extra = x;
    p->cap = cap;
    return MKBA_OK;
}

static int check_open(const mkba_params *p, mkba_error *err)
{
    if (p->finalized)
        return mkba_error_set(err, MKBA_EINTERNAL,
                              "the parameter table is already finalized; add definitions before "
                              "mkba_params_finalize");
    return MKBA_OK;
}

/* Adds one parameter whose definition has been checked; dist is copied.
 * Returns its index, or -1 with err set. */
static int add_one(mkba_params *p, const char *name, const mkba_dist *def,
                   const char *path, const char *file, int line,
                   const char *source, mkba_error *err)
{
    char here[LOC_MAX], there[LOC_MAX];
    where(here, path, file, line);
    if (name == NULL || name[0] == '\0')
        return mkba_error_set(err, MKBA_EINVAL, "%s: a parameter needs a name", here), -1;
    int ident = is_identifier(name);
    if (ident && mkba_expr_reserved(name))
        return mkba_error_set(err, MKBA_EINVAL,
                              "%s: the parameter name '%s' is reserved in expressions (a function "
                              "or constant); choose another name", here, name), -1;
    if (mkba_params_is_time_variable(name))
        return mkba_error_set(err, MKBA_EINVAL,
                              "%s: the parameter name '%s' is reserved in expressions (the year "
                              "of the cycle, docs/model.md); choose another name", here, name),
               -1;
    int dup = mkba_params_find(p, name);
    if (dup >= 0)
        return mkba_error_set(err, MKBA_EINVAL,
                              "%s: parameter '%s' is defined twice: here and at %s", here, name,
                              param_where(there, &p->param[dup])), -1;
    if (grow(p) != MKBA_OK)
        return mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory", here), -1;

    mkba_param *q = &p->param[p->n];
    param_extra *x = &p->extra[p->n];
    memset(q, 0, sizeof *q);
    memset(x, 0, sizeof *x);
    x->referenceable = ident;
    q->line = line;
    q->name = mkba_strdup(name);
    q->path = mkba_strdup(path);
    q->file = mkba_strdup(file);
    q->source = mkba_strdup(source);
    q->arm_dist = mkba_calloc(p->narms, sizeof *q->arm_dist);
    x->oloc = mkba_calloc(p->narms, sizeof *x->oloc);
    int bad = q->name == NULL || (path != NULL && q->path == NULL)
        || (file != NULL && q->file == NULL) || (source != NULL && q->source == NULL)
        || q->arm_dist == NULL || x->oloc == NULL;
    q->dist.kind = MKBA_DIST_FIXED;
    if (!bad)
        bad = dist_copy(&q->dist, def) != MKBA_OK;
    if (bad) {
        param_clear(q, x, p->narms);
        return mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory", here), -1;
    }
    for (size_t a = 0; a < p->narms; a++)
        q->arm_dist[a].kind = NO_OVERRIDE;
    return (int)p->n++;
}

int mkba_params_add(mkba_params *p, const char *name, const mkba_dist *def,
                    const char *path, const char *file, int line,
                    const char *source, mkba_error *err)
{
    char here[LOC_MAX];
    if (check_open(p, err) != MKBA_OK)
        return -1;
    if (def == NULL || def->kind == MKBA_DIST_DIRICHLET) {
        mkba_error_set(err, MKBA_EINTERNAL, "%s: mkba_params_add needs a non-Dirichlet "
                       "definition (use mkba_params_add_dirichlet)", where(here, path, file, line));
        return -1;
    }
    if (mkba_dist_check(def, where(here, path, file, line), err) != MKBA_OK)
        return -1;
    return add_one(p, name, def, path, file, line, source, err);
}

int mkba_params_add_dirichlet(mkba_params *p, const char *name,
                              const double *alpha, int k, const char *path,
                              const char *file, int line, const char *source,
                              mkba_error *err)
{
    char here[LOC_MAX];
    where(here, path, file, line);
    if (check_open(p, err) != MKBA_OK)
        return -1;
    mkba_dist d = {.kind = MKBA_DIST_DIRICHLET, .alpha = (double *)alpha, .group_size = k};
    if (mkba_dist_check(&d, here, err) != MKBA_OK)
        return -1;
    if (name == NULL || name[0] == '\0') {
        mkba_error_set(err, MKBA_EINVAL, "%s: a parameter needs a name", here);
        return -1;
    }
    double *vec = mkba_malloc((size_t)k * sizeof *vec);
    size_t len = strlen(name) + 16;
    char *cname = mkba_malloc(len);
    if (vec == NULL || cname == NULL) {
        mkba_free(vec);
        mkba_free(cname);
        mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory", here);
        return -1;
    }
    memcpy(vec, alpha, (size_t)k * sizeof *vec);
    d.alpha = vec;
    size_t first = p->n;
    for (int j = 0; j < k; j++) {
        d.group_index = j;
        snprintf(cname, len, "%s_%d", name, j + 1);
        if (add_one(p, cname, &d, path, file, line, source, err) < 0) {
            /* Roll back: the first component, once added, owns vec. */
            if (p->n == first)
                mkba_free(vec);
            while (p->n > first) {
                p->n--;
                param_clear(&p->param[p->n], &p->extra[p->n], p->narms);
            }
            mkba_free(cname);
            return -1;
        }
    }
    mkba_free(cname);
    return (int)first;
}

int mkba_params_override(mkba_params *p, int index, size_t arm,
                         const mkba_dist *def, const char *path,
                         const char *file, int line, mkba_error *err)
{
    char here[LOC_MAX], there[LOC_MAX];
    where(here, path, file, line);
    if (check_open(p, err) != MKBA_OK)
        return MKBA_EINTERNAL;
    if (index < 0 || (size_t)index >= p->n || arm >= p->narms || def == NULL)
        return mkba_error_set(err, MKBA_EINTERNAL,
                              "%s: override of parameter %d in arm %zu is out of range", here,
                              index, arm);
    mkba_param *q = &p->param[index];
    loc *ol = &p->extra[index].oloc[arm];
    if (q->dist.kind == MKBA_DIST_DIRICHLET)
        return mkba_error_set(err, MKBA_EINVAL,
                              "%s: parameter '%s' is a component of a Dirichlet vector and cannot "
                              "be overridden per arm; define a separate Dirichlet parameter for "
                              "the arm instead", here, q->name);
    if (def->kind == MKBA_DIST_DIRICHLET)
        return mkba_error_set(err, MKBA_EINVAL,
                              "%s: an arm override cannot be a Dirichlet distribution", here);
    if (q->arm_dist[arm].kind != NO_OVERRIDE)
        return mkba_error_set(err, MKBA_EINVAL,
                              "%s: parameter '%s' is overridden twice for the same arm: here and "
                              "at %s", here, q->name, where(there, ol->path, ol->file, ol->line));
    int rc = mkba_dist_check(def, here, err);
    if (rc != MKBA_OK)
        return rc;
    char *opath = mkba_strdup(path), *ofile = mkba_strdup(file);
    mkba_dist copy;
    if ((path != NULL && opath == NULL) || (file != NULL && ofile == NULL)
        || dist_copy(&copy, def) != MKBA_OK) {
        mkba_free(opath);
        mkba_free(ofile);
        return mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory", here);
    }
    q->arm_dist[arm] = copy;
    ol->path = opath;
    ol->file = ofile;
    ol->line = line;
    return MKBA_OK;
}

int mkba_params_add_copula(mkba_params *p, const int *index, size_t n,
                           const double *corr, const char *path,
                           mkba_error *err)
{
    if (check_open(p, err) != MKBA_OK)
        return MKBA_EINTERNAL;
    const char *at = path != NULL ? path : "(correlation)";
    if (n < 2 || index == NULL || corr == NULL)
        return mkba_error_set(err, MKBA_EINVAL,
                              "%s: a correlation needs at least two parameters and a matrix (got %zu)",
                              at, n);
    for (size_t i = 0; i < n; i++)
        if (index[i] < 0 || (size_t)index[i] >= p->n)
            return mkba_error_set(err, MKBA_EINTERNAL,
                                  "%s: parameter index %d is out of range", at, index[i]);
    if (p->ncop == p->capcop) {
        size_t cap = p->capcop ? 2 * p->capcop : 4;
        mkba_copula *c = mkba_realloc(p->cop, cap * sizeof *c);
        if (c == NULL)
            return mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory", at);
        p->cop = c;
        p->capcop = cap;
    }
    mkba_copula c = {n, mkba_malloc(n * sizeof *c.param), mkba_malloc(n * n * sizeof *c.corr),
                     mkba_calloc(n * n, sizeof *c.chol), mkba_strdup(at)};
    if (c.param == NULL || c.corr == NULL || c.chol == NULL || c.path == NULL) {
        mkba_free(c.param);
        mkba_free(c.corr);
        mkba_free(c.chol);
        mkba_free(c.path);
        return mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory", at);
    }
    memcpy(c.param, index, n * sizeof *c.param);
    memcpy(c.corr, corr, n * n * sizeof *c.corr);
    p->cop[p->ncop++] = c;
    return MKBA_OK;
}

/* ---- lookup -------------------------------------------------------------- */

int mkba_params_find(const mkba_params *p, const char *name)
{
    if (p == NULL || name == NULL)
        return -1;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->param[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* Only names an expression can use are offered as suggestions. */
const char *mkba_params_closest(const mkba_params *p, const char *name)
{
    if (p == NULL || name == NULL)
        return NULL;
    mkba_closest c;
    mkba_closest_init(&c, name);
    for (size_t i = 0; i < p->n; i++)
        mkba_closest_offer(&c, p->extra[i].referenceable ? p->param[i].name : NULL);
    return c.best;
}

size_t mkba_params_count(const mkba_params *p)
{
    return p != NULL ? p->n : 0;
}

const mkba_param *mkba_params_get(const mkba_params *p, size_t index)
{
    return p != NULL && index < p->n ? &p->param[index] : NULL;
}

/* ---- finalize ------------------------------------------------------------ */

/* Lower Cholesky factor of the n x n matrix a (row-major) into l; non-zero
 * when a is not positive definite. Our own rather than GSL's, whose failure
 * path calls the process-wide GSL error handler (abort by default). */
static int cholesky(const double *a, double *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = a[i * n + j];
            for (size_t k = 0; k < j; k++)
                s -= l[i * n + k] * l[j * n + k];
            if (i == j) {
                if (!(s > 1e-12))
                    return -1;
                l[i * n + i] = sqrt(s);
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    return 0;
}

static int finalize_copulas(mkba_params *p, mkba_error *err)
{
    char here[LOC_MAX];
    for (size_t c = 0; c < p->ncop; c++) {
        mkba_copula *cp = &p->cop[c];
        size_t n = cp->n;
        for (size_t i = 0; i < n; i++) {
            int k = cp->param[i];
            const mkba_param *q = &p->param[k];
            if (q->dist.kind < MKBA_DIST_NORMAL || q->dist.kind > MKBA_DIST_PERT)
                return mkba_error_set(err, MKBA_EINVAL,
                                      "%s: parameter '%s' (%s) is %s; a correlation needs "
                                      "parameters with a distribution (not fixed, expression or "
                                      "Dirichlet)", cp->path, q->name, param_where(here, q),
                                      mkba_dist_name(q->dist.kind));
            if (p->copula_of[k] >= 0)
                return mkba_error_set(err, MKBA_EINVAL,
                                      "%s: parameter '%s' is already in another correlation (%s); "
                                      "a parameter may be in at most one correlation", cp->path,
                                      q->name, p->cop[p->copula_of[k]].path);
            p->copula_of[k] = (int)c;
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++) {
                double v = cp->corr[i * n + j], t = cp->corr[j * n + i];
                if (!(v >= -1 && v <= 1))
                    return mkba_error_set(err, MKBA_EINVAL,
                                          "%s.matrix entry (%zu,%zu) = %g is outside [-1, 1]",
                                          cp->path, i + 1, j + 1, v);
                if (i == j && fabs(v - 1) > 1e-12)
                    return mkba_error_set(err, MKBA_EINVAL,
                                          "%s.matrix needs 1 on the diagonal (entry (%zu,%zu) = %g)",
                                          cp->path, i + 1, j + 1, v);
                if (fabs(v - t) > 1e-12)
                    return mkba_error_set(err, MKBA_EINVAL,
                                          "%s.matrix is not symmetric (entry (%zu,%zu) = %g but "
                                          "(%zu,%zu) = %g)", cp->path, i + 1, j + 1, v, j + 1,
                                          i + 1, t);
            }
        if (cholesky(cp->corr, cp->chol, n) != 0)
            return mkba_error_set(err, MKBA_EINVAL,
                                  "%s.matrix is not positive definite; correlations this strong "
                                  "among these parameters cannot hold together", cp->path);
        if (n > p->max_cop)
            p->max_cop = n;
    }
    return MKBA_OK;
}

/* The definition of parameter i in variant v (0 = reference, arm + 1). */
static const mkba_dist *variant_dist(const mkba_params *p, size_t i, size_t v)
{
    if (v > 0 && p->param[i].arm_dist[v - 1].kind != NO_OVERRIDE)
        return &p->param[i].arm_dist[v - 1];
    return &p->param[i].dist;
}

/* Expression slot of parameter i as arm variant v sees it, or -1. */
static int effective_slot(const mkba_params *p, size_t i, size_t v)
{
    if (v > 0 && p->param[i].arm_dist[v - 1].kind != NO_OVERRIDE)
        return p->slot_of[i * (p->narms + 1) + v];
    return p->slot_of[i * (p->narms + 1)];
}

static int parse_slot(mkba_params *p, size_t i, size_t v, mkba_error *err)
{
    char here[LOC_MAX], why[256];
    const mkba_param *q = &p->param[i];
    const mkba_dist *d = variant_dist(p, i, v);
    if (v == 0)
        param_where(here, q);
    else {
        const loc *ol = &p->extra[i].oloc[v - 1];
        where(here, ol->path, ol->file, ol->line);
    }
    mkba_expr *e = mkba_expr_alloc(d->expr, why, sizeof why);
    if (e == NULL && strcmp(why, MKBA_EXPR_NOMEM) == 0)
        return mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory parsing expression \"%s\"",
                              here, d->expr);
    if (e == NULL)
        return mkba_error_set(err, MKBA_EPARSE, "%s: cannot parse expression \"%s\" (%s)", here,
                              d->expr, why);
    expr_slot *s = &p->slot[p->nslot];
    s->param = (int)i;
    s->variant = (int)v;
    s->text = d->expr;
    s->nvars = 0;
    s->var = mkba_malloc((mkba_expr_nvars(e) + 1) * sizeof *s->var);
    if (s->var == NULL) {
        mkba_expr_free(e);
        return mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory", here);
    }
    p->slot_of[i * (p->narms + 1) + v] = (int)p->nslot++;
    for (size_t j = 0; j < mkba_expr_nvars(e); j++) {
        const char *name = mkba_expr_var(e, j);
        if (mkba_params_is_time_variable(name)) {
            s->var[s->nvars++] = strcmp(name, MKBA_PARAMS_YEAR) == 0 ? YEAR_VAR : WHOLE_YEAR_VAR;
            continue;
        }
        int k = mkba_params_find(p, name);
        if (k < 0 || !p->extra[k].referenceable) {
            const char *near = mkba_params_closest(p, name);
            if (near != NULL)
                mkba_error_set(err, MKBA_EINVAL,
                               "%s: expression \"%s\" uses unknown parameter '%s'; did you mean "
                               "'%s'?", here, d->expr, name, near);
            else
                mkba_error_set(err, MKBA_EINVAL,
                               "%s: expression \"%s\" uses unknown parameter '%s'", here, d->expr,
                               name);
            mkba_expr_free(e);
            return MKBA_EINVAL;
        }
        s->var[s->nvars++] = k;
    }
    if (s->nvars > p->max_vars)
        p->max_vars = s->nvars;
    mkba_expr_free(e);
    return MKBA_OK;
}

/* Depth-first search state for ordering the expressions of one variant. */
typedef struct topo {
    mkba_params *p;
    size_t v;
    unsigned char *mark;    /* 0 unvisited, 1 on the path, 2 done */
    int *path;              /* the current chain of parameters */
    size_t depth;
    int *out;               /* slots in evaluation order */
    size_t nout;
} topo;

static int cycle_error(topo *t, int k, mkba_error *err)
{
    mkba_params *p = t->p;
    char text[1024] = "", here[LOC_MAX], arm[128] = "";
    size_t start = 0;
    while ((int)t->path[start] != k)
        start++;
    size_t len = 0;
    for (size_t j = start; j < t->depth && len < sizeof text; j++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s -> ", p->param[t->path[j]].name);
    if (len < sizeof text)
        snprintf(text + len, sizeof text - len, "%s", p->param[k].name);
    if (t->v > 0) {
        char name[64];
        snprintf(arm, sizeof arm, " (with the overrides of arm %s)",
                 arm_label(name, sizeof name, p, t->v - 1));
    }
    return mkba_error_set(err, MKBA_EINVAL,
                          "%s: parameters depend on each other in a cycle: %s%s; break the cycle "
                          "by making one of them a value or distribution",
                          param_where(here, &p->param[k]), text, arm);
}

static int visit(topo *t, int k, mkba_error *err)
{
    int s = effective_slot(t->p, (size_t)k, t->v);
    if (s < 0 || t->mark[k] == 2)
        return MKBA_OK;
    if (t->mark[k] == 1) {
        t->path[t->depth] = k;
        return cycle_error(t, k, err);
    }
    t->mark[k] = 1;
    t->path[t->depth++] = k;
    const expr_slot *es = &t->p->slot[s];
    for (size_t j = 0; j < es->nvars; j++) {
        int rc = es->var[j] < 0 ? MKBA_OK : visit(t, es->var[j], err);
        if (rc != MKBA_OK)
            return rc;
    }
    t->depth--;
    t->mark[k] = 2;
    t->out[t->nout++] = s;
    return MKBA_OK;
}

/* Orders the expressions of each arm (and checks the reference definitions
 * alone), since an override can add or remove a dependency. */
static int finalize_order(mkba_params *p, mkba_error *err)
{
    int rc = MKBA_OK;
    topo t = {p, 0, mkba_malloc(p->n + 1), mkba_malloc((p->n + 1) * sizeof *t.path), 0,
              NULL, 0};
    p->order = mkba_calloc(p->narms, sizeof *p->order);
    p->norder = mkba_calloc(p->narms, sizeof *p->norder);
    if (t.mark == NULL || t.path == NULL || p->order == NULL || p->norder == NULL) {
        rc = mkba_error_set(err, MKBA_ENOMEM, "parameters: out of memory");
        goto done;
    }
    for (size_t v = 0; v <= p->narms && rc == MKBA_OK; v++) {
        memset(t.mark, 0, p->n + 1);
        t.v = v;
        t.depth = t.nout = 0;
        t.out = mkba_malloc((p->n + 1) * sizeof *t.out);
        if (t.out == NULL) {
            rc = mkba_error_set(err, MKBA_ENOMEM, "parameters: out of memory");
            break;
        }
        for (size_t i = 0; i < p->n && rc == MKBA_OK; i++)
            rc = visit(&t, (int)i, err);
        if (v == 0 || rc != MKBA_OK) {
            mkba_free(t.out);
        } else {
            p->order[v - 1] = t.out;
            p->norder[v - 1] = t.nout;
        }
    }
done:
    mkba_free(t.mark);
    mkba_free(t.path);
    return rc;
}

/* FNV-1a, 32 bits: a parameter's stream follows its name. */
static uint32_t name_hash(const char *name)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        h = (h ^ *c) * 16777619u;
    return h;
}

/* Streams by name; two drawn parameters whose names hash alike (about one
 * chance in 10^4 for a thousand parameters) would share their random
 * numbers, so that is an error asking for a new name. */
static int finalize_streams(mkba_params *p, mkba_error *err)
{
    for (size_t i = 0; i < p->n; i++)
        p->stream[i] = name_hash(p->param[i].name);
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = i + 1; j < p->n; j++)
            if (p->stream[i] == p->stream[j]) {
                char a[LOC_MAX], b[LOC_MAX];
                return mkba_error_set(err, MKBA_EINVAL,
                                      "%s: parameters '%s' and '%s' (%s) would share a random "
                                      "stream (their names hash alike); rename one of them",
                                      param_where(a, &p->param[j]), p->param[j].name,
                                      p->param[i].name, param_where(b, &p->param[i]));
            }
    return MKBA_OK;
}

uint32_t mkba_params_stream(const mkba_params *p, size_t index)
{
    return p->stream[index];
}

/* One walk over the expressions' inputs: every arm's (view 0 .. narms:
 * the scenario's and each arm's) when arm < 0, else arm `arm`'s own view
 * (each parameter as that arm defines it). */
static int close_inputs(const mkba_params *p, int arm, unsigned char *mark)
{
    size_t nv = p->narms + 1, top = 0;
    int *stack = mkba_malloc((p->n + 1) * sizeof *stack);
    if (stack == NULL)
        return MKBA_ENOMEM;
    for (size_t i = 0; i < p->n; i++)
        if (mark[i])
            stack[top++] = (int)i;
    while (top > 0) {
        size_t i = (size_t)stack[--top];
        for (size_t v = arm < 0 ? 0 : 1; v < (arm < 0 ? nv : 2); v++) {
            int s = arm < 0 ? p->slot_of[i * nv + v] : effective_slot(p, i, (size_t)arm + 1);
            for (size_t j = 0; s >= 0 && j < p->slot[s].nvars; j++) {
                int k = p->slot[s].var[j];
                if (k >= 0 && !mark[k]) {
                    mark[k] = 1;
                    stack[top++] = k;
                }
            }
        }
    }
    mkba_free(stack);
    return MKBA_OK;
}

int mkba_params_inputs(const mkba_params *p, unsigned char *mark)
{
    return close_inputs(p, -1, mark);
}

int mkba_params_inputs_arm(const mkba_params *p, size_t arm, unsigned char *mark)
{
    return arm < p->narms ? close_inputs(p, (int)arm, mark) : MKBA_OK;
}

/* Extends `used` from the parameters the settings use to every parameter
 * their expressions (in any arm) use, directly or through others. */
static int finalize_used(mkba_params *p, mkba_error *err)
{
    unsigned char *mark = mkba_malloc(p->n + 1);
    if (mark == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "parameters: out of memory");
    for (size_t i = 0; i < p->n; i++)
        mark[i] = p->extra[i].used != 0;
    int rc = mkba_params_inputs(p, mark);
    for (size_t i = 0; i < p->n; i++)
        p->extra[i].used = mark[i];
    mkba_free(mark);
    return rc == MKBA_OK ? MKBA_OK
                         : mkba_error_set(err, MKBA_ENOMEM, "parameters: out of memory");
}

/* Whether slot s reads the year or a parameter already marked in tv[]. */
static int slot_in_time(const expr_slot *s, const unsigned char *tv)
{
    for (size_t j = 0; j < s->nvars; j++)
        if (s->var[j] < 0 || tv[s->var[j]])
            return 1;
    return 0;
}

/* The error for parameter i, which varies by year, read once per draw by
 * the setting its `once` names: what makes it vary, and where. */
static int time_refused(const mkba_params *p, size_t i, const unsigned char *tv,
                        mkba_error *err)
{
    const mkba_param *q = &p->param[i];
    const loc *once = &p->extra[i].once;
    const char *cause = NULL;   /* another parameter that varies */
    const char *variable = MKBA_PARAMS_YEAR;    /* or the calendar-time variable it reads */
    for (size_t v = 0; v <= p->narms; v++) {
        int k = p->slot_of[i * (p->narms + 1) + v];
        for (size_t j = 0; k >= 0 && j < p->slot[k].nvars; j++) {
            int var = p->slot[k].var[j];
            if (var >= 0 && tv[var])
                cause = p->param[var].name;
            else if (var == WHOLE_YEAR_VAR)
                variable = MKBA_PARAMS_WHOLE_YEAR;
        }
    }
    char here[LOC_MAX], def[LOC_MAX], what[LOC_MAX + 64];
    /* A value written inline is defined where it is read. */
    if (q->path != NULL && strcmp(q->path, once->path) == 0)
        snprintf(what, sizeof what, "its expression");
    else
        snprintf(what, sizeof what, "parameter %s (%s)", q->name, param_where(def, q));
    return mkba_error_set(err, MKBA_EINVAL,
                          "%s: this setting is read once per draw, so it may not vary by year, "
                          "but %s uses %s%s; only the amounts of cost and effect rules "
                          "(per_year, once) may vary by year (docs/model.md, \"Calendar time\")",
                          where(here, once->path, once->file, once->line), what,
                          cause != NULL ? cause : variable,
                          cause != NULL ? ", which varies by year" : "");
}

/* Finds the parameters that vary by year (their expression in some arm
 * uses the year, directly or through others), gives each a column of the
 * by-cycle table, and refuses one that a setting reads once per draw,
 * naming that setting. */
static int finalize_time(mkba_params *p, mkba_error *err)
{
    unsigned char *tv = mkba_calloc(p->n + 1, 1);
    p->time_col = mkba_malloc((p->n + 1) * sizeof *p->time_col);
    p->time_param = mkba_malloc((p->n + 1) * sizeof *p->time_param);
    if (tv == NULL || p->time_col == NULL || p->time_param == NULL) {
        mkba_free(tv);
        return mkba_error_set(err, MKBA_ENOMEM, "parameters: out of memory");
    }
    /* A chain of n expressions settles within n passes. */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t k = 0; k < p->nslot; k++) {
            const expr_slot *s = &p->slot[k];
            if (!tv[s->param] && slot_in_time(s, tv))
                tv[s->param] = changed = 1;
        }
    }
    int rc = MKBA_OK;
    p->ntime = 0;
    for (size_t i = 0; i < p->n; i++) {
        p->time_col[i] = tv[i] ? (int)p->ntime : -1;
        if (tv[i])
            p->time_param[p->ntime++] = (int)i;
        const loc *once = &p->extra[i].once;
        if (tv[i] && once->path != NULL && rc == MKBA_OK)
            rc = time_refused(p, i, tv, err);
    }
    mkba_free(tv);
    return rc;
}

int mkba_params_finalize(mkba_params *p, mkba_error *err)
{
    if (p == NULL)
        return mkba_error_set(err, MKBA_EINTERNAL, "mkba_params_finalize: no table");
    if (p->finalized)
        return MKBA_OK;
    size_t nv = p->narms + 1;
    p->copula_of = mkba_malloc((p->n + 1) * sizeof *p->copula_of);
    p->stream = mkba_malloc((p->n + 1) * sizeof *p->stream);
    p->slot_of = mkba_malloc((p->n * nv + 1) * sizeof *p->slot_of);
    p->slot = mkba_calloc(p->n * nv + 1, sizeof *p->slot);
    if (p->copula_of == NULL || p->stream == NULL || p->slot_of == NULL || p->slot == NULL) {
        unfinalize(p);
        return mkba_error_set(err, MKBA_ENOMEM, "parameters: out of memory");
    }
    for (size_t i = 0; i < p->n; i++)
        p->copula_of[i] = -1;
    for (size_t i = 0; i < p->n * nv; i++)
        p->slot_of[i] = -1;
    p->max_vars = p->max_cop = 0;

    int rc = finalize_streams(p, err);
    if (rc == MKBA_OK)
        rc = finalize_copulas(p, err);
    for (size_t i = 0; i < p->n && rc == MKBA_OK; i++)
        for (size_t v = 0; v < nv && rc == MKBA_OK; v++) {
            if (v > 0 && p->param[i].arm_dist[v - 1].kind == NO_OVERRIDE)
                continue;
            if (variant_dist(p, i, v)->kind == MKBA_DIST_EXPR)
                rc = parse_slot(p, i, v, err);
        }
    if (rc == MKBA_OK)
        rc = finalize_order(p, err);
    if (rc == MKBA_OK)
        rc = finalize_used(p, err);
    if (rc == MKBA_OK)
        rc = finalize_time(p, err);
    if (rc != MKBA_OK) {
        unfinalize(p);
        return rc;
    }
    p->finalized = 1;
    return MKBA_OK;
}

/* ---- sampling ------------------------------------------------------------ */

void mkba_params_work_free(mkba_params_work *w)
{
    if (w == NULL)
        return;
    gsl_rng_free(w->rng);
    for (size_t s = 0; w->ev != NULL && s < w->p->nslot; s++)
        mkba_expr_free(w->ev[s]);
    mkba_free(w->ev);
    mkba_free(w->ref);
    mkba_free(w->cyc);
    mkba_free(w->vbuf);
    mkba_free(w->z);
    mkba_free(w->x);
    mkba_free(w);
}

/* Each work parses its own evaluators from the text: libmatheval writes
 * variable values into the evaluator, so threads must not share one. */
mkba_params_work *mkba_params_work_alloc(const mkba_params *p)
{
    if (p == NULL || !p->finalized)
        return NULL;
    mkba_params_work *w = mkba_calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->p = p;
    w->rng = gsl_rng_alloc(mkba_rng_philox);
    w->ev = mkba_calloc(p->nslot + 1, sizeof *w->ev);
    w->ref = mkba_malloc((p->n + 1) * sizeof *w->ref);
    w->cyc = mkba_malloc((p->n + 1) * sizeof *w->cyc);
    w->vbuf = mkba_malloc((p->max_vars + 1) * sizeof *w->vbuf);
    w->z = mkba_malloc((p->max_cop + 1) * sizeof *w->z);
    w->x = mkba_malloc((p->max_cop + 1) * sizeof *w->x);
    if (w->rng == NULL || w->ev == NULL || w->ref == NULL || w->cyc == NULL || w->vbuf == NULL
        || w->z == NULL || w->x == NULL) {
        mkba_params_work_free(w);
        return NULL;
    }
    for (size_t s = 0; s < p->nslot; s++) {
        w->ev[s] = mkba_expr_alloc(p->slot[s].text, NULL, 0);
        if (w->ev[s] == NULL || mkba_expr_nvars(w->ev[s]) != p->slot[s].nvars) {
            mkba_params_work_free(w);
            return NULL;
        }
    }
    return w;
}

/* A value strictly inside (0, 1): Phi of a large normal score rounds to 1. */
static double open_unit(double u)
{
    if (u <= 0)
        return 1e-300;
    if (u >= 1)
        return nextafter(1.0, 0.0);
    return u;
}

static double draw_one(gsl_rng *r, const mkba_dist *d, uint64_t seed, uint32_t draw,
                       uint32_t stream, uint32_t purpose)
{
    if (d->kind == MKBA_DIST_FIXED)
        return d->a;
    mkba_rng_set_stream(r, seed, draw, stream, purpose);
    return mkba_dist_quantile(d, gsl_rng_uniform_pos(r));
}

static double base_value(const mkba_dist *d, mkba_base_case which)
{
    return which == MKBA_BASE_MODE ? mkba_dist_mode(d) : mkba_dist_mean(d);
}

/* Gaussian copula: correlated normal scores x = L z, then each parameter's
 * quantile at Phi(x_i). */
static void draw_copula(const mkba_params *p, const mkba_copula *c, mkba_params_work *w,
                        uint64_t seed, uint32_t draw)
{
    size_t n = c->n;
    mkba_rng_set_stream(w->rng, seed, draw, p->stream[c->param[0]], MKBA_STREAM_PARAMS);
    for (size_t j = 0; j < n; j++)
        w->z[j] = gsl_cdf_ugaussian_Pinv(gsl_rng_uniform_pos(w->rng));
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j <= i; j++)
            s += c->chol[i * n + j] * w->z[j];
        w->x[i] = s;
    }
    for (size_t i = 0; i < n; i++) {
        int k = c->param[i];
        w->ref[k] = mkba_dist_quantile(&p->param[k].dist, open_unit(gsl_cdf_ugaussian_P(w->x[i])));
    }
}

/* Reference values of every drawn (non-expression) parameter into w->ref. */
static void reference_values(const mkba_params *p, uint64_t seed, uint32_t draw,
                             int base_case, mkba_base_case which, mkba_params_work *w)
{
    for (size_t i = 0; i < p->n; i++) {
        const mkba_dist *d = &p->param[i].dist;
        if (d->kind == MKBA_DIST_EXPR) {
            w->ref[i] = NAN;
        } else if (base_case) {
            w->ref[i] = base_value(d, which);
        } else if (d->kind == MKBA_DIST_DIRICHLET) {
            if (d->group_index == 0) {
                mkba_rng_set_stream(w->rng, seed, draw, p->stream[i], MKBA_STREAM_PARAMS);
                gsl_ran_dirichlet(w->rng, (size_t)d->group_size, d->alpha, &w->ref[i]);
            }
        } else if (p->copula_of[i] < 0) {
            w->ref[i] = draw_one(w->rng, d, seed, draw, p->stream[i], MKBA_STREAM_PARAMS);
        }
    }
    if (!base_case)
        for (size_t c = 0; c < p->ncop; c++)
            draw_copula(p, &p->cop[c], w, seed, draw);
}

static int bad_value(const mkba_params *p, size_t i, size_t arm, uint32_t draw, int base_case,
                     int no_mode, double value, mkba_error *err)
{
    char here[LOC_MAX], name[64], when[32];
    const mkba_param *q = &p->param[i];
    param_where(here, q);
    if (no_mode)
        return mkba_error_set(err, MKBA_EINVAL,
                              "%s: parameter %s has no interior mode; use base_case = \"mean\"",
                              here, q->name);
    if (base_case)
        snprintf(when, sizeof when, "base case");
    else
        snprintf(when, sizeof when, "draw %u", (unsigned)draw);
    return mkba_error_set(err, MKBA_ENUMERIC, "%s, arm %s: parameter %s = %g (defined at %s)",
                          when, arm_label(name, sizeof name, p, arm), q->name, value, here);
}

int mkba_params_mark_once(mkba_params *p, int index, const char *path, const char *file,
                          int line)
{
    if (p == NULL || index < 0 || (size_t)index >= p->n || p->extra[index].once.path != NULL)
        return MKBA_OK;
    loc *once = &p->extra[index].once;
    once->path = mkba_strdup(path);
    once->file = mkba_strdup(file);
    once->line = line;
    if (once->path != NULL && (file == NULL || once->file != NULL))
        return MKBA_OK;
    mkba_free(once->path);
    mkba_free(once->file);
    once->path = once->file = NULL;
    return MKBA_ENOMEM;
}

size_t mkba_params_time_count(const mkba_params *p)
{
    return p->ntime;
}

int mkba_params_is_time_variable(const char *name)
{
    return name != NULL &&
           (strcmp(name, MKBA_PARAMS_YEAR) == 0 || strcmp(name, MKBA_PARAMS_WHOLE_YEAR) == 0);
}

int mkba_params_time_column(const mkba_params *p, size_t index)
{
    return p->time_col[index];
}

size_t mkba_params_time_param(const mkba_params *p, size_t column)
{
    return (size_t)p->time_param[column];
}

int mkba_params_by_cycle(const mkba_params *p, const double *values, const double *year,
                         size_t ncycles, uint32_t draw, double *out, mkba_params_work *w,
                         mkba_error *err)
{
    if (p == NULL || !p->finalized || w == NULL || w->p != p)
        return mkba_error_set(err, MKBA_EINTERNAL, "mkba_params_by_cycle needs a finalized "
                              "table and a work object allocated for it");
    for (size_t a = 0; a < p->narms; a++) {
        const double *fixed = w->fixed != NULL ? w->fixed + a * p->n : NULL;
        memcpy(w->cyc, values + a * p->n, p->n * sizeof *w->cyc);
        for (size_t k = 0; k < ncycles; k++) {
            /* year[k] is 1 + k x cycle length: the tolerance keeps a
             * January's 1 + 12 x (1/12) in its year whatever the rounding. */
            const double whole = floor(year[k] + 1e-9);
            /* Only the expressions that vary by year change; the others
             * keep the draw's values, which these may read. A fixed value
             * (mkba_params_work_fix) stays the same in every cycle, as if
             * the scenario said NAME = VALUE. */
            for (size_t o = 0; o < p->norder[a]; o++) {
                const expr_slot *s = &p->slot[p->order[a][o]];
                if (p->time_col[s->param] < 0 || (fixed != NULL && !isnan(fixed[s->param])))
                    continue;
                for (size_t j = 0; j < s->nvars; j++)
                    w->vbuf[j] = s->var[j] == YEAR_VAR         ? year[k]
                                 : s->var[j] == WHOLE_YEAR_VAR ? whole
                                                               : w->cyc[s->var[j]];
                double x = mkba_expr_eval(w->ev[p->order[a][o]], w->vbuf);
                if (!isfinite(x))
                    return bad_value(p, (size_t)s->param, a, draw, 0, 0, x, err);
                w->cyc[s->param] = x;
            }
            for (size_t c = 0; c < p->ntime; c++)
                out[(a * p->ntime + c) * ncycles + k] = w->cyc[p->time_param[c]];
        }
    }
    return MKBA_OK;
}

void mkba_params_mark_used(mkba_params *p, int index)
{
    if (p != NULL && index >= 0 && (size_t)index < p->n)
        p->extra[index].used = 1;
}

int mkba_params_used(const mkba_params *p, size_t index)
{
    return p->extra[index].used;
}

int mkba_params_read_once(const mkba_params *p, size_t index)
{
    return p->extra[index].once.path != NULL;
}

int mkba_params_override_source(mkba_params *p, int index, size_t arm, const char *source,
                                mkba_error *err)
{
    loc *ol = &p->extra[index].oloc[arm];
    char *copy = source != NULL ? mkba_strdup(source) : NULL;
    if (source != NULL && copy == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory keeping a source");
    mkba_free(ol->source);
    ol->source = copy;
    return MKBA_OK;
}

const char *mkba_params_override_source_of(const mkba_params *p, size_t index, size_t arm,
                                           int *line, const char **file)
{
    const loc *ol = &p->extra[index].oloc[arm];
    if (line != NULL)
        *line = ol->line;
    if (file != NULL)
        *file = ol->file;
    return ol->source;
}

int mkba_params_overridden(const mkba_params *p, size_t index, size_t arm)
{
    /* A blended arm (an index past the table's arms) has no parameters. */
    return arm < p->narms && p->param[index].arm_dist[arm].kind != NO_OVERRIDE;
}

void mkba_params_work_fix(mkba_params_work *w, const double *fixed)
{
    w->fixed = fixed;
}

int mkba_params_sample(const mkba_params *p, uint64_t seed, uint32_t draw,
                       int base_case, mkba_base_case which, double *values,
                       mkba_params_work *work, mkba_error *err)
{
    if (p == NULL || !p->finalized || work == NULL || work->p != p || values == NULL)
        return mkba_error_set(err, MKBA_EINTERNAL,
                              "mkba_params_sample needs a finalized table and a work object "
                              "allocated for it");
    reference_values(p, seed, draw, base_case, which, work);
    for (size_t a = 0; a < p->narms; a++) {
        double *v = values + a * p->n;
        const double *fixed = work->fixed != NULL ? work->fixed + a * p->n : NULL;
        for (size_t i = 0; i < p->n; i++) {
            const mkba_param *q = &p->param[i];
            const mkba_dist *o = &q->arm_dist[a];
            const mkba_dist *d = o->kind != NO_OVERRIDE ? o : &q->dist;
            if (fixed != NULL && !isnan(fixed[i])) {
                v[i] = fixed[i];
                continue;
            }
            if (d->kind == MKBA_DIST_EXPR) {
                v[i] = NAN;
                continue;
            }
            if (o->kind == NO_OVERRIDE)
                v[i] = work->ref[i];
            else if (base_case)
                v[i] = base_value(o, which);
            else
                v[i] = draw_one(work->rng, o, seed, draw, p->stream[i], ARM_PURPOSE(a));
            if (!isfinite(v[i]))
                return bad_value(p, i, a, draw, base_case,
                                 base_case && which == MKBA_BASE_MODE && isnan(v[i]), v[i], err);
        }
        for (size_t k = 0; k < p->norder[a]; k++) {
            const expr_slot *s = &p->slot[p->order[a][k]];
            if (fixed != NULL && !isnan(fixed[s->param]))
                continue;
            for (size_t j = 0; j < s->nvars; j++)
                work->vbuf[j] = s->var[j] < 0 ? 1.0 : v[s->var[j]];   /* year 1 */
            double x = mkba_expr_eval(work->ev[p->order[a][k]], work->vbuf);
            v[s->param] = x;
            if (!isfinite(x))
                return bad_value(p, (size_t)s->param, a, draw, base_case, 0, x, err);
        }
    }
    return MKBA_OK;
}

size_t mkba_params_copula_count(const mkba_params *p)
{
    return p->ncop;
}

const mkba_copula *mkba_params_copula(const mkba_params *p, size_t c)
{
    return &p->cop[c];
}

const char *mkba_params_copula_path(const mkba_params *p, size_t index)
{
    int c = p->copula_of != NULL && index < p->n ? p->copula_of[index] : -1;
    return c >= 0 ? p->cop[c].path : NULL;
}
