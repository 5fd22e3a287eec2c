/* Threshold: the value of one factor at which the decision flips, i.e.
 * where outcome(--arm) - outcome(--versus) changes sign. A grid over the
 * factor's range brackets every sign change; bisection on common random
 * numbers then narrows each bracket, and linear interpolation in the last
 * bracket gives the root (exact for an outcome linear in the factor).
 * "No flip in range" is an outcome. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"

enum { GRID = 11, BISECTIONS = 14, MAX_EVALS = GRID + (GRID - 1) * BISECTIONS };

typedef struct threshold {
    const mkba_sa_factor *f;
    double value;              /* of the point being evaluated */
    size_t n;                  /* evaluations so far */
    double x[MAX_EVALS], diff[MAX_EVALS], mcse[MAX_EVALS];
    double *y;                 /* [evaluation][arm][outcome] */
    size_t nroots;
    double root[GRID];
} threshold;

static void row(void *user, size_t i, double *r)
{
    const mkba_sa *s = user;
    const threshold *t = s->method;
    (void)i;
    if (!isnan(t->value))
        mkba_sa_factor_set(t->f, s->m, r, t->value);
}

/* Difference of the chosen outcome between the arms at point 0 of s->y. */
static void difference(const mkba_sa *s, double *diff, double *mcse)
{
    size_t k = (size_t)s->outcome, a = (size_t)s->arm, b = (size_t)s->versus;
    *diff = mkba_sa_y(s, 0, a, k) - mkba_sa_y(s, 0, b, k);
    *mcse = mkba_sa_diff_mcse(s, 0, b, 0, a, k);
}

/* Evaluates the factor at value v; the result is t->n's entry. */
static int eval_at(mkba_sa *s, threshold *t, double v, mkba_error *err)
{
    t->value = v;
    mkba_design *d = mkba_sa_design(s, 1, row, s, err);
    if (d == NULL)
        return err != NULL ? err->code : MKBA_ENOMEM;
    int rc = mkba_sa_evaluate(s, d, NULL, 0, NULL, err);
    mkba_design_free(d);
    if (rc == MKBA_OK) {
        size_t cell = s->narms * s->nout;
        t->x[t->n] = v;
        difference(s, &t->diff[t->n], &t->mcse[t->n]);
        memcpy(t->y + t->n * cell, s->y, cell * sizeof *t->y);
        t->n++;
    }
    return rc;
}

typedef struct ranked { double x; size_t i; } ranked;

static int by_x(const void *a, const void *b)
{
    double x = ((const ranked *)a)->x, y = ((const ranked *)b)->x;
    return (x > y) - (x < y);
}

static int store(mkba_sa *s, const char *tmp, mkba_error *err)
{
    threshold *t = s->method;
    size_t cell = s->narms * s->nout;
    ranked order[MAX_EVALS];
    double x[MAX_EVALS], dv[MAX_EVALS], mc[MAX_EVALS];
    double *y = mkba_malloc((t->n * cell + 1) * sizeof *y);
    if (y == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the threshold");
    /* The evaluations in increasing order of the factor. */
    for (size_t i = 0; i < t->n; i++)
        order[i] = (ranked){ t->x[i], i };
    qsort(order, t->n, sizeof *order, by_x);
    for (size_t i = 0; i < t->n; i++) {
        size_t j = order[i].i;
        x[i] = t->x[j];
        dv[i] = t->diff[j];
        mc[i] = t->mcse[j];
        memcpy(y + i * cell, t->y + j * cell, cell * sizeof *y);
    }
    double *base_y = s->y;
    size_t base_n = s->npoints;
    s->y = y;
    s->npoints = t->n;
    mkba_h5_store *st = mkba_h5_store_open(tmp, 1, err);
    int rc = st != NULL ? MKBA_OK : (err != NULL ? err->code : MKBA_EIO);
    if (rc == MKBA_OK)
        rc = mkba_sa_store_common(s, st, x, err);
    s->y = base_y;
    s->npoints = base_n;
    size_t n1[1] = { t->n }, nr[1] = { t->nroots };
    if (rc == MKBA_OK)
        rc = mkba_h5_store_group(st, "/sa/threshold", "where the decision flips", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_attr(st, "/sa/threshold", "status",
                                t->nroots > 0 ? "flip" : "no flip in range", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/threshold/grid", 1, n1, x, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/threshold/difference", 1, n1, dv, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/threshold/difference_mcse", 1, n1, mc, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/threshold/root", 1, nr, t->root, err);
    int rc2 = mkba_h5_store_close(st, rc == MKBA_OK ? err : NULL);
    mkba_free(y);
    return rc != MKBA_OK ? rc : rc2;
}

/* Bisects the bracket [a, b] with differences fa, fb of opposite signs and
 * records its root. */
static int refine(mkba_sa *s, threshold *t, double a, double b, double fa, double fb,
                  mkba_error *err)
{
    int rc = MKBA_OK;
    for (int j = 0; rc == MKBA_OK && j < BISECTIONS; j++) {
        double c = 0.5 * (a + b);
        rc = eval_at(s, t, c, err);
        double fc = rc == MKBA_OK ? t->diff[t->n - 1] : 0.0;
        if (fc == 0.0) {
            a = b = c;
            fa = fb = 0.0;
            break;
        }
        if ((fc < 0.0) == (fa < 0.0)) {
            a = c;
            fa = fc;
        } else {
            b = c;
            fb = fc;
        }
    }
    if (rc == MKBA_OK)
        t->root[t->nroots++] = fb != fa ? a - fa * (b - a) / (fb - fa) : 0.5 * (a + b);
    return rc;
}

int mkba_sa_threshold(mkba_sa *s, mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    const mkba_model *m = s->m;
    int rc = mkba_sa_need_outcome(s, 0, "a threshold needs a difference between arms that "
                                  "changes sign where the decision flips", err);
    if (rc != MKBA_OK)
        return rc;
    if (s->arm < 0) {
        if (m->narms != 2)
            return mkba_error_set(err, MKBA_EINVAL, "threshold: the scenario has %zu arms; "
                                  "name the arm with --arm (and --versus, default the "
                                  "reference)", m->narms);
        s->arm = m->reference == 0 ? 1 : 0;
    }
    if (s->versus < 0)
        s->versus = m->reference;
    if (s->arm == s->versus)
        return mkba_error_set(err, MKBA_EINVAL, "threshold: --arm and --versus name the same "
                              "arm '%s'", m->arm[s->arm].name);
    if (o->factors == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "threshold: name the factor with --factors "
                              "NAME (or NAME@ARM)");
    rc = mkba_sa_factors_alloc(m, "--factors", o->factors, o->range, o->nrange, o->low, o->high,
                               0, 0, o->set_name, o->nset, &s->fs, err);
    if (rc != MKBA_OK)
        return rc;
    if (s->fs->n != 1)
        return mkba_error_set(err, MKBA_EINVAL, "--factors %s: a threshold moves exactly one "
                              "factor (this names %zu)", o->factors, s->fs->n);
    threshold t = { .f = &s->fs->f[0], .value = NAN };
    t.y = mkba_malloc(MAX_EVALS * s->narms * s->nout * sizeof *t.y);
    if (t.y == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the threshold");
    s->method = &t;
    s->keep_batches = 1;
    const double lo = t.f->lo, hi = t.f->hi;
    for (int i = 0; rc == MKBA_OK && i < GRID; i++)
        rc = eval_at(s, &t, lo + (hi - lo) * i / (GRID - 1), err);
    /* Every sign change of the grid, then every zero on it. */
    double gx[GRID], gf[GRID];
    memcpy(gx, t.x, sizeof gx);
    memcpy(gf, t.diff, sizeof gf);
    for (int i = 0; rc == MKBA_OK && i < GRID; i++) {
        if (gf[i] == 0.0)
            t.root[t.nroots++] = gx[i];
        else if (i + 1 < GRID && gf[i] * gf[i + 1] < 0.0)
            rc = refine(s, &t, gx[i], gx[i + 1], gf[i], gf[i + 1], err);
    }
    /* The file: the base point, with the evaluations stored beside it. */
    t.value = NAN;
    mkba_design *d = rc == MKBA_OK ? mkba_sa_design(s, 1, row, s, err) : NULL;
    if (rc == MKBA_OK && d == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK)
        rc = mkba_sa_evaluate(s, d, o->output, 1, store, err);
    mkba_design_free(d);
    mkba_free(t.y);
    s->method = NULL;
    return rc;
}
