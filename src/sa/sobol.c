/* Variance-based sensitivity on a scenario: the factors move together over
 * a Saltelli design (analysis/sobol.h) mapped through their quantile
 * functions, every other parameter at base, every point on the households
 * of --draw, so the variance decomposed is the factors' own (plus the
 * household noise their changes cause). Indices per arm of the chosen
 * outcome against the reference. */
#include <math.h>
#include <string.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"
#include "analysis/sobol.h"

enum { EST = 0, LO, HI, NSTAT };

typedef struct sobol_run {
    mkba_sobol_design *design;
} sobol_run;

/* Whether y[0..n) (the A and B rows) varies by more than rounding, by the
 * estimator's own rule (analysis/sobol.h: against the largest |y| of all
 * npoints), which refuses a constant one. */
static int varies(const double *y, size_t n, size_t npoints)
{
    double mean = 0.0, ss = 0.0, big = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += y[i] / (double)n;
    for (size_t i = 0; i < npoints; i++)
        big = fmax(big, fabs(y[i]));
    for (size_t i = 0; i < n; i++)
        ss += (y[i] - mean) * (y[i] - mean);
    double tol = 1e-12 * big;
    return ss / (double)n > tol * tol;
}

static int store(mkba_sa *s, const char *tmp, mkba_error *err)
{
    const sobol_run *run = s->method;
    const mkba_sobol_design *d = run->design;
    size_t k = d->k, na = s->narms, n2 = d->second_order ? k * k : 1;
    double *y = mkba_malloc(d->npoints * sizeof *y);
    double *s1 = mkba_malloc(2 * na * k * NSTAT * sizeof *s1);
    double *s2 = mkba_malloc(na * n2 * sizeof *s2);
    double *var = mkba_malloc(na * sizeof *var);
    double *values = mkba_sa_unit_values(s, d->u, d->npoints);
    int rc = y && s1 && s2 && var && values ? MKBA_OK
             : mkba_error_set(err, MKBA_ENOMEM, "out of memory for the Sobol indices");
    double *st = s1 != NULL ? s1 + na * k * NSTAT : NULL;
    for (size_t i = 0; rc == MKBA_OK && i < 2 * na * k * NSTAT; i++)
        s1[i] = NAN;
    for (size_t i = 0; rc == MKBA_OK && i < na * n2; i++)
        s2[i] = NAN;
    for (size_t a = 0; rc == MKBA_OK && a < na; a++) {
        var[a] = NAN;
        if ((int)a == s->m->reference || (s->arm >= 0 && (int)a != s->arm))
            continue;
        mkba_sa_column(s, a, y);
        if (!varies(y, 2 * d->n, d->npoints)) {
            var[a] = 0.0;      /* the factors do not move this arm's outcome */
            continue;
        }
        mkba_sobol_indices *ix = NULL;
        rc = mkba_sobol_estimate(d, y, (size_t)s->o->bootstrap, 0.95,
                                 s->so.seed ^ 0x5a4c5445ULL, &ix, err);
        if (rc != MKBA_OK)
            break;
        var[a] = ix->variance;
        for (size_t f = 0; f < k; f++) {
            double *p = s1 + (a * k + f) * NSTAT, *q = st + (a * k + f) * NSTAT;
            p[EST] = ix->s1[f];
            p[LO] = ix->s1_lo[f];
            p[HI] = ix->s1_hi[f];
            q[EST] = ix->st[f];
            q[LO] = ix->st_lo[f];
            q[HI] = ix->st_hi[f];
        }
        if (d->second_order)
            memcpy(s2 + a * n2, ix->s2, n2 * sizeof *s2);
        mkba_sobol_indices_free(ix);
    }
    mkba_h5_store *st5 = rc == MKBA_OK ? mkba_h5_store_open(tmp, 1, err) : NULL;
    if (rc == MKBA_OK && st5 == NULL)
        rc = err != NULL ? err->code : MKBA_EIO;
    if (rc == MKBA_OK)
        rc = mkba_sa_store_common(s, st5, values, err);
    size_t d3[3] = { na, k, NSTAT }, dd[3] = { na, k, k }, d1[1] = { na };
    char text[64];
    if (rc == MKBA_OK)
        rc = mkba_h5_store_group(st5, "/sa/sobol", "variance-based sensitivity indices", err);
    snprintf(text, sizeof text, "%zu", d->n);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_attr(st5, "/sa/sobol", "base_points", text, err);
    snprintf(text, sizeof text, "%ld", s->o->bootstrap);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_attr(st5, "/sa/sobol", "bootstrap", text, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st5, "/sa/sobol/first_order", 3, d3, s1, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st5, "/sa/sobol/total_order", 3, d3, st, err);
    if (rc == MKBA_OK && d->second_order)
        rc = mkba_h5_store_doubles(st5, "/sa/sobol/second_order", 3, dd, s2, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st5, "/sa/sobol/variance", 1, d1, var, err);
    if (st5 != NULL) {
        int rc2 = mkba_h5_store_close(st5, rc == MKBA_OK ? err : NULL);
        rc = rc != MKBA_OK ? rc : rc2;
    }
    mkba_free(y);
    mkba_free(s1);
    mkba_free(s2);
    mkba_free(var);
    mkba_free(values);
    return rc;
}

int mkba_sa_sobol(mkba_sa *s, mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    int rc = mkba_sa_factors_alloc(s->m, "--factors", o->factors, o->range, o->nrange, o->low,
                                   o->high, 0, 1, o->set_name, o->nset, &s->fs, err);
    if (rc != MKBA_OK)
        return rc;
    if ((rc = mkba_sa_need_outcome(s, 0, "variance shares need finite outcomes", err))
        != MKBA_OK)
        return rc;
    size_t n = o->n > 0 ? (size_t)o->n : 512, k = s->fs->n;
    if ((rc = mkba_sa_design_size("-n", n, o->second_order ? 2 * k + 2 : k + 2, err)) != MKBA_OK)
        return rc;
    sobol_run run = { mkba_sobol_design_alloc(n, k, o->second_order, err) };
    if (run.design == NULL) {
        /* The estimator's message names the limit; say which option. */
        char prefix[64];
        snprintf(prefix, sizeof prefix, "sobol (-n %zu, %zu factors)", n, k);
        return mkba_sa_prefix_error(err, prefix);
    }
    s->method = &run;
    rc = mkba_sa_unit_design(s, run.design->u, run.design->npoints, store, err);
    s->method = NULL;
    mkba_sobol_design_free(run.design);
    return rc;
}
