/* Sweeps: a one- or two-way grid of factors, every point on the households
 * of one draw, every outcome at every grid point. The pseudo factors
 * `horizon` and `discount_rate` change how a point's flows are counted:
 * the flows are cut at the horizon, or re-discounted, per point. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"

typedef struct sweep {
    size_t n[2];
    double *grid[2];
    size_t *horizon;           /* [point] cycles */
    double *rate;              /* [point] */
} sweep;

static void row(void *user, size_t i, double *r)
{
    const mkba_sa *s = user;
    const sweep *w = s->method;
    size_t np = mkba_params_count(s->m->params), idx[2] = { i / w->n[1], i % w->n[1] };
    for (size_t g = 0; g < s->fs->n; g++)
        if (!s->fs->f[g].pseudo)
            mkba_sa_factor_set(&s->fs->f[g], s->m, np, r, w->grid[g][idx[g]]);
}

static int store(mkba_sa *s, const char *tmp, mkba_error *err)
{
    const sweep *w = s->method;
    size_t nf = s->fs->n;
    double *values = mkba_malloc(s->npoints * nf * sizeof *values);
    if (values == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the sweep");
    for (size_t i = 0; i < s->npoints; i++) {
        size_t idx[2] = { i / w->n[1], i % w->n[1] };
        for (size_t g = 0; g < nf; g++)
            values[i * nf + g] = w->grid[g][idx[g]];
    }
    mkba_h5_store *st = mkba_h5_store_open(tmp, 1, err);
    int rc = st != NULL ? MKBA_OK : (err != NULL ? err->code : MKBA_EIO);
    if (rc == MKBA_OK)
        rc = mkba_sa_store_common(s, st, values, err);
    size_t g1[1] = { w->n[0] }, g2[1] = { w->n[1] };
    size_t d4[4] = { w->n[0], w->n[1], s->narms, s->nout };
    double base2 = NAN;        /* a one-way sweep has no second factor */
    if (rc == MKBA_OK)
        rc = mkba_h5_store_group(st, "/sa/sweep", "one- or two-way grid", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/sweep/grid_1", 1, g1, w->grid[0], err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/sweep/grid_2", 1, g2, nf > 1 ? w->grid[1] : &base2,
                                   err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/sweep/outcomes", 4, d4, s->y, err);
    int rc2 = mkba_h5_store_close(st, rc == MKBA_OK ? err : NULL);
    mkba_free(values);
    return rc != MKBA_OK ? rc : rc2;
}

int mkba_sa_sweep(mkba_sa *s, mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    const mkba_model *m = s->m;
    if (o->ngrid < 1 || o->ngrid > 2)
        return mkba_error_set(err, MKBA_EINVAL, "sweep: give one or two grids, --grid "
                              "NAME=LO:HI:N (got %zu)", o->ngrid);
    if (o->factors != NULL)
        return mkba_error_set(err, MKBA_EINVAL, "sweep: the grids name the factors; leave out "
                              "--factors");
    char spec[512];
    snprintf(spec, sizeof spec, "%s%s%s", o->grid[0].name, o->ngrid > 1 ? "," : "",
             o->ngrid > 1 ? o->grid[1].name : "");
    int rc = mkba_sa_factors_alloc(m, "sweep", spec, o->grid, o->ngrid, o->low, o->high, 1, 0,
                                   &s->fs, err);
    if (rc != MKBA_OK)
        return rc;
    sweep w = { { 1, 1 }, { NULL, NULL }, NULL, NULL };
    size_t npoints = 1;
    for (size_t g = 0; g < o->ngrid; g++) {
        if (o->grid[g].n < 2 || o->grid[g].n > 10000)
            return mkba_error_set(err, MKBA_EINVAL, "sweep: --grid %s needs 2 to 10000 points "
                                  "(got %ld)", o->grid[g].name, o->grid[g].n);
        w.n[g] = (size_t)o->grid[g].n;
        npoints *= w.n[g];
    }
    for (size_t g = 0; g < 2; g++)
        w.grid[g] = mkba_malloc(w.n[g] * sizeof(double));
    w.horizon = mkba_malloc(npoints * sizeof *w.horizon);
    w.rate = mkba_malloc(npoints * sizeof *w.rate);
    if (w.grid[0] == NULL || w.grid[1] == NULL || w.horizon == NULL || w.rate == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory for the sweep");
    for (size_t g = 0; rc == MKBA_OK && g < 2; g++)
        for (size_t j = 0; j < w.n[g]; j++)
            w.grid[g][j] = g < o->ngrid ? s->fs->f[g].lo + (s->fs->f[g].hi - s->fs->f[g].lo)
                                                               * (double)j / (double)(w.n[g] - 1)
                                        : NAN;
    for (size_t i = 0; rc == MKBA_OK && i < npoints; i++) {
        size_t idx[2] = { i / w.n[1], i % w.n[1] };
        w.horizon[i] = 0;
        w.rate[i] = NAN;
        for (size_t g = 0; g < o->ngrid; g++) {
            double v = w.grid[g][idx[g]];
            if (s->fs->f[g].pseudo == MKBA_SA_HORIZON) {
                double c = v / m->timing.cycle_years;
                if (fabs(c - nearbyint(c)) > 1e-9 || c < 1.0) {
                    rc = mkba_error_set(err, MKBA_EINVAL, "sweep: horizon %g years is not a "
                                        "whole number of cycles of %g years", v,
                                        m->timing.cycle_years);
                    break;
                }
                w.horizon[i] = (size_t)nearbyint(c);
            } else if (s->fs->f[g].pseudo == MKBA_SA_DISCOUNT_RATE) {
                w.rate[i] = v;
            }
        }
    }
    mkba_design *d = NULL;
    if (rc == MKBA_OK && (d = mkba_sa_design(s, npoints, row, s, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK) {
        s->method = &w;
        s->point_horizon = w.horizon;
        s->point_rate = w.rate;
        rc = mkba_sa_evaluate(s, d, o->output, 1, store, err);
        s->point_horizon = NULL;
        s->point_rate = NULL;
        s->method = NULL;
    }
    mkba_design_free(d);
    mkba_free(w.grid[0]);
    mkba_free(w.grid[1]);
    mkba_free(w.horizon);
    mkba_free(w.rate);
    return rc;
}
