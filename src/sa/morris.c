/* Morris screening on a scenario: trajectories (or the radial design) of
 * analysis/morris.h in the unit cube, mapped through each factor's
 * quantile function, other parameters at base, households of --draw.
 * Elementary effects are per unit of probability scale (a step of 1/2 is
 * half the factor's distribution), so factors of different units compare. */
#include <math.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"
#include "analysis/morris.h"

enum { MU = 0, MU_STAR, SIGMA, MU_STAR_LO, MU_STAR_HI, NSTAT };

static int store(mkba_sa *s, const char *tmp, mkba_error *err)
{
    const mkba_morris_design *d = s->method;
    size_t k = d->k, na = s->narms;
    double *y = mkba_malloc(d->npoints * sizeof *y);
    double *st = mkba_malloc(NSTAT * na * k * sizeof *st);
    double *values = mkba_sa_unit_values(s, d->u, d->npoints);
    int rc = y && st && values ? MKBA_OK
             : mkba_error_set(err, MKBA_ENOMEM, "out of memory for the Morris statistics");
    for (size_t i = 0; rc == MKBA_OK && i < NSTAT * na * k; i++)
        st[i] = NAN;
    for (size_t a = 0; rc == MKBA_OK && a < na; a++) {
        if ((int)a == s->m->reference || (s->arm >= 0 && (int)a != s->arm))
            continue;
        mkba_sa_column(s, a, y);
        mkba_morris_indices *ix = NULL;
        rc = mkba_morris_estimate(d, y, (size_t)s->o->bootstrap, 0.95,
                                  s->so.seed ^ 0x4d4f5252ULL, &ix, err);
        if (rc != MKBA_OK)
            break;
        for (size_t f = 0; f < k; f++) {
            st[(MU * na + a) * k + f] = ix->mu[f];
            st[(MU_STAR * na + a) * k + f] = ix->mu_star[f];
            st[(SIGMA * na + a) * k + f] = ix->sigma[f];
            st[(MU_STAR_LO * na + a) * k + f] = ix->mu_star_lo[f];
            st[(MU_STAR_HI * na + a) * k + f] = ix->mu_star_hi[f];
        }
        mkba_morris_indices_free(ix);
    }
    mkba_h5_store *h = rc == MKBA_OK ? mkba_h5_store_open(tmp, 1, err) : NULL;
    if (rc == MKBA_OK && h == NULL)
        rc = err != NULL ? err->code : MKBA_EIO;
    if (rc == MKBA_OK)
        rc = mkba_sa_store_common(s, h, values, err);
    size_t d2[2] = { na, k };
    static const char *const name[NSTAT] = { "/sa/morris/mu", "/sa/morris/mu_star",
                                             "/sa/morris/sigma", "/sa/morris/mu_star_low",
                                             "/sa/morris/mu_star_high" };
    if (rc == MKBA_OK)
        rc = mkba_h5_store_group(h, "/sa/morris", "elementary-effects screening", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_attr(h, "/sa/morris", "design",
                                d->levels == 0 ? "radial" : "trajectories", err);
    for (int i = 0; rc == MKBA_OK && i < NSTAT; i++)
        rc = mkba_h5_store_doubles(h, name[i], 2, d2, st + (size_t)i * na * k, err);
    if (h != NULL) {
        int rc2 = mkba_h5_store_close(h, rc == MKBA_OK ? err : NULL);
        rc = rc != MKBA_OK ? rc : rc2;
    }
    mkba_free(y);
    mkba_free(st);
    mkba_free(values);
    return rc;
}

int mkba_sa_morris(mkba_sa *s, mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    int rc = mkba_sa_factors_alloc(s->m, "--factors", o->factors, o->range, o->nrange, o->low,
                                   o->high, 0, 1, o->set_name, o->nset, &s->fs, err);
    if (rc != MKBA_OK)
        return rc;
    if ((rc = mkba_sa_need_outcome(s, 0, "elementary effects need finite outcomes", err))
        != MKBA_OK)
        return rc;
    size_t r = o->n > 0 ? (size_t)o->n : 20, k = s->fs->n;
    if ((rc = mkba_sa_design_size("-n", r, k + 1, err)) != MKBA_OK)
        return rc;
    mkba_morris_design *d = o->radial ? mkba_morris_radial_alloc(r, k, err)
                                      : mkba_morris_design_alloc(r, k, (size_t)o->levels,
                                                                 s->so.seed, err);
    if (d == NULL) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "morris (-n %zu, %zu factors)", r, k);
        return mkba_sa_prefix_error(err, prefix);
    }
    s->method = d;
    rc = mkba_sa_unit_design(s, d->u, d->npoints, store, err);
    s->method = NULL;
    mkba_morris_design_free(d);
    return rc;
}
