/* One-way sensitivity (tornado): each factor at its low and at its high
 * value, every other parameter at its base case, every point on the
 * households of one draw, so a bar is the factor's effect and not Monte
 * Carlo noise. Point 0 is the base; points 2i+1 and 2i+2 are factor i low
 * and high. */
#include <math.h>
#include <string.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"

static void row(void *user, size_t i, double *r)
{
    const mkba_sa *s = user;
    if (i == 0)
        return;
    const mkba_sa_factor *f = &s->fs->f[(i - 1) / 2];
    mkba_sa_factor_set(f, s->m, r, i % 2 ? f->lo : f->hi);
}

static int store(mkba_sa *s, const char *tmp, mkba_error *err)
{
    size_t nf = s->fs->n, na = s->narms, no = s->nout, cell = na * no;
    double *low = mkba_malloc(4 * nf * cell * sizeof *low);
    double *values = mkba_malloc(s->npoints * nf * sizeof *values);
    if (low == NULL || values == NULL) {
        mkba_free(low);
        mkba_free(values);
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the tornado");
    }
    double *high = low + nf * cell, *swing = high + nf * cell, *mcse = swing + nf * cell;
    for (size_t i = 0; i < s->npoints * nf; i++)
        values[i] = NAN;
    for (size_t f = 0; f < nf; f++) {
        values[(2 * f + 1) * nf + f] = s->fs->f[f].lo;
        values[(2 * f + 2) * nf + f] = s->fs->f[f].hi;
        for (size_t a = 0; a < na; a++)
            for (size_t k = 0; k < no; k++) {
                size_t c = f * cell + a * no + k;
                low[c] = mkba_sa_y(s, 2 * f + 1, a, k);
                high[c] = mkba_sa_y(s, 2 * f + 2, a, k);
                swing[c] = fabs(high[c] - low[c]);
                mcse[c] = a != (size_t)s->m->reference
                              ? mkba_sa_diff_mcse(s, 2 * f + 1, a, 2 * f + 2, a, k) : NAN;
            }
    }
    mkba_h5_store *st = mkba_h5_store_open(tmp, 1, err);
    int rc = st != NULL ? MKBA_OK : (err != NULL ? err->code : MKBA_EIO);
    if (rc == MKBA_OK)
        rc = mkba_sa_store_common(s, st, values, err);
    size_t d3[3] = { nf, na, no }, d2[2] = { na, no };
    if (rc == MKBA_OK)
        rc = mkba_h5_store_group(st, "/sa/tornado", "one-way sensitivity", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/tornado/low", 3, d3, low, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/tornado/high", 3, d3, high, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/tornado/base", 2, d2, s->y, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/tornado/swing", 3, d3, swing, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/tornado/swing_mcse", 3, d3, mcse, err);
    int rc2 = mkba_h5_store_close(st, rc == MKBA_OK ? err : NULL);
    mkba_free(low);
    mkba_free(values);
    return rc != MKBA_OK ? rc : rc2;
}

int mkba_sa_tornado(mkba_sa *s, mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    int rc = mkba_sa_factors_alloc(s->m, "--factors", o->factors, o->range, o->nrange, o->low,
                                   o->high, 0, 0, o->set_name, o->nset, &s->fs, err);
    if (rc != MKBA_OK)
        return rc;
    mkba_design *d = mkba_sa_design(s, 1 + 2 * s->fs->n, row, s, err);
    if (d == NULL)
        return err != NULL ? err->code : MKBA_ENOMEM;
    s->keep_batches = 1;
    rc = mkba_sa_evaluate(s, d, o->output, 1, store, err);
    mkba_design_free(d);
    return rc;
}
