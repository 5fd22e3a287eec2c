/* Sweeps: a one- or two-way grid of factors, every point on the households
 * of one draw, every outcome at every grid point. The pseudo factors
 * `horizon` and `discount_rate` are settings of the run, not parameters:
 * for each of their values the grid is simulated and priced with the
 * scenario's timing changed accordingly (its horizon, or both discount
 * rates), so a point is exactly the run of a scenario edited that way. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"

/* Grid points are [first][second] in row-major order. */
typedef struct sweep {
    size_t n[2];
    double *grid[2];
    size_t npoints;
    double *y;                 /* [point][arm][outcome] of every grid point */
    /* The grids (0, 1) of the real factors, and their points. */
    size_t nreal, real[2];
    /* The first and second index of the current sub-grid: a value of each
     * pseudo factor; the real factors' (and a missing second grid's) are
     * 0 here and run over their grid in grid_point. */
    size_t at[2];
} sweep;

/* The grid point of sub-grid point j (the real factors' points in order). */
static size_t grid_point(const sweep *w, size_t j)
{
    size_t idx[2] = { w->at[0], w->at[1] };
    for (size_t r = w->nreal; r-- > 0;) {
        size_t g = w->real[r];
        idx[g] = j % w->n[g];
        j /= w->n[g];
    }
    return idx[0] * w->n[1] + idx[1];
}

static void row(void *user, size_t j, double *r)
{
    const mkba_sa *s = user;
    const sweep *w = s->method;
    size_t i = grid_point(w, j), idx[2] = { i / w->n[1], i % w->n[1] };
    for (size_t g = 0; g < s->fs->n; g++)
        if (!s->fs->f[g].pseudo)
            mkba_sa_factor_set(&s->fs->f[g], s->m, r, w->grid[g][idx[g]]);
}

static int store(mkba_sa *s, const char *tmp, mkba_error *err)
{
    sweep *w = s->method;
    size_t nf = s->fs->n;
    double *values = mkba_malloc(w->npoints * nf * sizeof *values);
    if (values == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the sweep");
    for (size_t i = 0; i < w->npoints; i++) {
        size_t idx[2] = { i / w->n[1], i % w->n[1] };
        for (size_t g = 0; g < nf; g++)
            values[i * nf + g] = w->grid[g][idx[g]];
    }
    /* The file's outcome table is the grid's, not the base point's. */
    double *base_y = s->y;
    size_t base_n = s->npoints;
    s->y = w->y;
    s->npoints = w->npoints;
    mkba_h5_store *st = mkba_h5_store_open(tmp, 1, err);
    int rc = st != NULL ? MKBA_OK : (err != NULL ? err->code : MKBA_EIO);
    if (rc == MKBA_OK)
        rc = mkba_sa_store_common(s, st, values, err);
    s->y = base_y;
    s->npoints = base_n;
    size_t g1[1] = { w->n[0] }, g2[1] = { w->n[1] };
    size_t d4[4] = { w->n[0], w->n[1], s->narms, s->nout };
    if (rc == MKBA_OK)
        rc = mkba_h5_store_group(st, "/sa/sweep", "one- or two-way grid", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/sweep/grid_1", 1, g1, w->grid[0], err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/sweep/grid_2", 1, g2, w->grid[1], err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/sweep/outcomes", 4, d4, w->y, err);
    int rc2 = mkba_h5_store_close(st, rc == MKBA_OK ? err : NULL);
    mkba_free(values);
    return rc != MKBA_OK ? rc : rc2;
}

/* Simulates the sub-grid of the real factors with the pseudo factors at
 * indices w->at, with the model's timing set to them, into w->y. */
static int run_subgrid(mkba_sa *s, sweep *w, mkba_error *err)
{
    const mkba_model *m = s->m;
    mkba_model edited = *m;    /* read-only copy: only its timing differs */
    for (size_t g = 0; g < s->fs->n; g++) {
        const mkba_sa_factor *f = &s->fs->f[g];
        double v = w->grid[g][w->at[g]];
        if (f->pseudo == MKBA_SA_HORIZON)
            edited.timing.ncycles = (int)nearbyint(v / m->timing.cycle_years);
        else if (f->pseudo == MKBA_SA_DISCOUNT_RATE)
            edited.timing.rate_costs = edited.timing.rate_effects = v;
    }
    size_t nsub = 1;
    for (size_t r = 0; r < w->nreal; r++)
        nsub *= w->n[w->real[r]];
    mkba_sa_outcomes *own = s->out;
    int rc = MKBA_OK;
    s->m = &edited;
    if ((s->out = mkba_sa_outcomes_alloc(&edited, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    mkba_design *d = rc == MKBA_OK ? mkba_sa_design(s, nsub, row, s, err) : NULL;
    if (rc == MKBA_OK && d == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK)
        rc = mkba_sa_evaluate(s, d, NULL, 0, NULL, err);
    size_t cell = s->narms * s->nout;
    for (size_t j = 0; rc == MKBA_OK && j < nsub; j++)
        memcpy(w->y + grid_point(w, j) * cell, s->y + j * cell, cell * sizeof *w->y);
    mkba_design_free(d);
    mkba_sa_outcomes_free(s->out);
    s->out = own;
    s->m = m;
    return rc;
}

int mkba_sa_sweep(mkba_sa *s, mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    const mkba_model *m = s->m;
    if (o->ngrid < 1 || o->ngrid > 2)
        return mkba_error_set(err, MKBA_EINVAL, "sweep: give one or two grids, --grid "
                              "NAME=LO:HI:N (got %zu)", o->ngrid);
    char spec[512];
    snprintf(spec, sizeof spec, "%s%s%s", o->grid[0].name, o->ngrid > 1 ? "," : "",
             o->ngrid > 1 ? o->grid[1].name : "");
    int rc = mkba_sa_factors_alloc(m, "--grid", spec, o->grid, o->ngrid, o->low, o->high, 1, 0,
                                   o->set_name, o->nset, &s->fs, err);
    if (rc != MKBA_OK)
        return rc;
    sweep w = { .n = { 1, 1 }, .at = { 0, 0 } };
    w.npoints = 1;
    for (size_t g = 0; g < o->ngrid; g++) {
        w.n[g] = (size_t)o->grid[g].n;
        if (w.n[g] > MKBA_SA_MAX_SWEEP_POINTS / w.npoints)
            return mkba_error_set(err, MKBA_EINVAL, "--grid: the grids have more than the %d "
                                  "points a sweep evaluates; use fewer points per grid",
                                  MKBA_SA_MAX_SWEEP_POINTS);
        w.npoints *= w.n[g];
    }
    for (size_t g = 0; g < 2; g++)
        w.grid[g] = mkba_malloc(w.n[g] * sizeof(double));
    w.y = mkba_malloc(w.npoints * s->narms * s->nout * sizeof *w.y);
    if (w.grid[0] == NULL || w.grid[1] == NULL || w.y == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory for the sweep");
    for (size_t g = 0; rc == MKBA_OK && g < 2; g++)
        for (size_t j = 0; j < w.n[g]; j++)
            w.grid[g][j] = g < o->ngrid ? s->fs->f[g].lo + (s->fs->f[g].hi - s->fs->f[g].lo)
                                                               * (double)j / (double)(w.n[g] - 1)
                                        : NAN;
    /* A horizon must be whole cycles. */
    for (size_t g = 0; rc == MKBA_OK && g < o->ngrid; g++)
        for (size_t j = 0; s->fs->f[g].pseudo == MKBA_SA_HORIZON && j < w.n[g]; j++) {
            double c = w.grid[g][j] / m->timing.cycle_years;
            if (fabs(c - nearbyint(c)) > 1e-9 || c < 1.0) {
                rc = mkba_error_set(err, MKBA_EINVAL, "--grid horizon: %g years is not a whole "
                                    "number of cycles of %g years; choose LO, HI and N so "
                                    "every value is", w.grid[g][j], m->timing.cycle_years);
                break;
            }
        }
    for (size_t g = 0; g < o->ngrid; g++)
        if (!s->fs->f[g].pseudo)
            w.real[w.nreal++] = g;
    s->method = &w;
    /* One sub-grid per value of each pseudo factor (one in all without). */
    size_t pseudo_points = w.npoints;
    for (size_t r = 0; r < w.nreal; r++)
        pseudo_points /= w.n[w.real[r]];
    for (size_t p = 0; rc == MKBA_OK && p < pseudo_points; p++) {
        size_t q = p;
        for (size_t g = o->ngrid; g-- > 0;) {
            if (s->fs->f[g].pseudo) {
                w.at[g] = q % w.n[g];
                q /= w.n[g];
            }
        }
        rc = run_subgrid(s, &w, err);
    }
    /* The file: the base point, with the grid stored beside it. */
    mkba_design *d = NULL;
    if (rc == MKBA_OK && (d = mkba_sa_design(s, 1, NULL, NULL, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK)
        rc = mkba_sa_evaluate(s, d, o->output, 1, store, err);
    s->method = NULL;
    mkba_design_free(d);
    mkba_free(w.grid[0]);
    mkba_free(w.grid[1]);
    mkba_free(w.y);
    return rc;
}
