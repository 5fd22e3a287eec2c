/* Threshold: the value of one factor at which the decision flips, i.e.
 * where outcome(--arm) - outcome(--versus) changes sign. A grid over the
 * factor's range brackets every sign change; bisection on common random
 * numbers then narrows each bracket. "No flip in range" is an outcome. */
#include <math.h>
#include <string.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"
#include "analysis/mcse.h"

enum { GRID = 11, BISECTIONS = 14, MAX_EVALS = GRID + 8 * BISECTIONS };

typedef struct threshold {
    const mkba_sa_factor *f;
    double value;              /* of the point being evaluated */
    size_t n;                  /* evaluations so far */
    double x[MAX_EVALS], diff[MAX_EVALS], mcse[MAX_EVALS];
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
    *mcse = NAN;
    if (!mkba_sa_outcome_linear(s->out, k))
        return;
    double w[MKBA_RESULT_BATCHES];
    size_t na = s->narms, no = s->nout;
    for (size_t j = 0; j < s->nbatches; j++)
        w[j] = s->batch[(j * na + a) * no + k] - s->batch[(j * na + b) * no + k];
    *mcse = mkba_mcse_batches(w, s->households, s->nbatches);
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
        t->x[t->n] = v;
        difference(s, &t->diff[t->n], &t->mcse[t->n]);
        t->n++;
    }
    return rc;
}

static int by_x(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int store(mkba_sa *s, const char *tmp, mkba_error *err)
{
    threshold *t = s->method;
    /* Sort the evaluations by value, keeping each difference with it. */
    double pairs[MAX_EVALS][3];
    for (size_t i = 0; i < t->n; i++) {
        pairs[i][0] = t->x[i];
        pairs[i][1] = t->diff[i];
        pairs[i][2] = t->mcse[i];
    }
    qsort(pairs, t->n, sizeof pairs[0], by_x);
    double x[MAX_EVALS], dv[MAX_EVALS], mc[MAX_EVALS];
    for (size_t i = 0; i < t->n; i++) {
        x[i] = pairs[i][0];
        dv[i] = pairs[i][1];
        mc[i] = pairs[i][2];
    }
    mkba_h5_store *st = mkba_h5_store_open(tmp, 1, err);
    int rc = st != NULL ? MKBA_OK : (err != NULL ? err->code : MKBA_EIO);
    if (rc == MKBA_OK)
        rc = mkba_sa_store_common(s, st, NULL, err);
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
    return rc != MKBA_OK ? rc : rc2;
}

int mkba_sa_threshold(mkba_sa *s, mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    const mkba_model *m = s->m;
    if (o->factors == NULL || strpbrk(o->factors, ",*?[") != NULL)
        return mkba_error_set(err, MKBA_EINVAL, "threshold: name exactly one factor with "
                              "--factors NAME (or NAME@ARM)");
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
    int rc = mkba_sa_factors_alloc(m, "threshold", o->factors, o->range, o->nrange, o->low,
                                   o->high, 0, 0, &s->fs, err);
    if (rc != MKBA_OK)
        return rc;
    threshold t = { .f = &s->fs->f[0], .value = NAN };
    s->method = &t;
    s->keep_batches = 1;
    const double lo = t.f->lo, hi = t.f->hi;
    for (int i = 0; rc == MKBA_OK && i < GRID; i++)
        rc = eval_at(s, &t, lo + (hi - lo) * i / (GRID - 1), err);
    for (int i = 0; rc == MKBA_OK && i + 1 < GRID && t.nroots < GRID; i++) {
        double a = t.x[i], b = t.x[i + 1], fa = t.diff[i], fb = t.diff[i + 1];
        if (fa == 0.0) {
            t.root[t.nroots++] = a;
            continue;
        }
        if (!(fa * fb < 0.0) || t.n + BISECTIONS > MAX_EVALS)
            continue;
        for (int j = 0; rc == MKBA_OK && j < BISECTIONS; j++) {
            double c = 0.5 * (a + b);
            rc = eval_at(s, &t, c, err);
            double fc = t.diff[t.n - 1];
            if ((fc < 0.0) == (fa < 0.0)) {
                a = c;
                fa = fc;
            } else {
                b = c;
                fb = fc;
            }
        }
        /* Linear interpolation within the last bracket: exact for a
         * difference linear in the factor. */
        t.root[t.nroots++] = fb != fa ? a - fa * (b - a) / (fb - fa) : 0.5 * (a + b);
    }
    if (rc == MKBA_OK && GRID > 0 && t.diff[GRID - 1] == 0.0 && t.nroots < GRID)
        t.root[t.nroots++] = t.x[GRID - 1];
    /* The file: the base point, with the evaluations stored beside it. */
    t.value = NAN;
    mkba_design *d = rc == MKBA_OK ? mkba_sa_design(s, 1, row, s, err) : NULL;
    if (rc == MKBA_OK && d == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK)
        rc = mkba_sa_evaluate(s, d, o->output, 1, store, err);
    mkba_design_free(d);
    s->method = NULL;
    return rc;
}
