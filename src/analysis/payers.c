/* Who pays, who gains: per-payer investment, returns and net position of
 * each arm against the reference; see docs/decision.md. */
#include <math.h>
#include <stdlib.h>
#include "payers.h"
#include "core/alloc.h"

static int check_input(const mkba_payer_input *in, mkba_error *err)
{
    if (in == NULL || in->cost == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "payer table: no input or no costs given");
    if (in->ndraws == 0 || in->narms == 0)
        return mkba_error_set(err, MKBA_EINVAL,
                              "payer table: need at least one draw and one arm (got %zu, %zu)",
                              in->ndraws, in->narms);
    if (in->reference < 0 || (size_t)in->reference >= in->narms)
        return mkba_error_set(err, MKBA_EINVAL,
                              "payer table: reference arm %d is out of range 0..%zu",
                              in->reference, in->narms - 1);
    size_t n = in->ndraws * in->narms * in->npayers;
    for (size_t i = 0; i < n; i++) {
        double g = in->gain != NULL ? in->gain[i] : 0.0;
        if (!isfinite(in->cost[i]) || !isfinite(g))
            return mkba_error_set(err, MKBA_EINVAL,
                                  "payer table: cost (%g) or gain (%g) of draw %zu, arm %zu, "
                                  "payer %zu is not finite", in->cost[i], g,
                                  i / (in->narms * in->npayers), i / in->npayers % in->narms,
                                  i % in->npayers);
    }
    return MKBA_OK;
}

/* The row for valid input; work holds 2 x ndraws doubles. */
static void row_of(const mkba_payer_input *in, size_t arm, const int *mask,
                   double *work, mkba_payer_row *out)
{
    size_t nd = in->ndraws, np = in->npayers, r = (size_t)in->reference;
    double *net = work, *sort = work + nd, inv = 0.0, ret = 0.0;
    size_t losses = 0;
    for (size_t d = 0; d < nd; d++) {
        const double *ca = in->cost + (d * in->narms + arm) * np;
        const double *cr = in->cost + (d * in->narms + r) * np;
        double dinv = 0.0, dret = 0.0;
        for (size_t p = 0; p < np; p++) {
            if (mask != NULL && !mask[p])
                continue;
            double dc = ca[p] - cr[p];
            if (dc > 0.0) dinv += dc; else dret -= dc;
            if (in->gain != NULL) {
                double dg = in->gain[(d * in->narms + arm) * np + p]
                            - in->gain[(d * in->narms + r) * np + p];
                if (dg > 0.0) dret += dg; else dinv -= dg;
            }
        }
        inv += dinv;
        ret += dret;
        net[d] = dret - dinv;
        if (net[d] < 0.0)
            losses++;
    }
    out->investment = inv / (double)nd;
    out->returns = ret / (double)nd;
    out->net = mkba_stat_of(net, nd, sort);
    out->p_loss = (double)losses / (double)nd;
}

int mkba_payer_row_of(const mkba_payer_input *in, size_t arm, const int *mask,
                      double *work, mkba_payer_row *out, mkba_error *err)
{
    int rc = check_input(in, err);
    if (rc != MKBA_OK)
        return rc;
    if (work == NULL || out == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "payer table: no scratch or output given");
    if (arm >= in->narms)
        return mkba_error_set(err, MKBA_EINVAL, "payer table: arm %zu is out of range 0..%zu",
                              arm, in->narms - 1);
    row_of(in, arm, mask, work, out);
    return MKBA_OK;
}

void mkba_payer_table_free(mkba_payer_table *t)
{
    if (t == NULL)
        return;
    mkba_free(t->row);
    mkba_free(t);
}

mkba_payer_table *mkba_payer_table_alloc(const mkba_payer_input *in, mkba_error *err)
{
    if (check_input(in, err) != MKBA_OK)
        return NULL;
    size_t na = in->narms, np = in->npayers;
    mkba_payer_table *t = mkba_calloc(1, sizeof *t);
    int *mask = mkba_malloc((np > 0 ? np : 1) * sizeof *mask);
    double *work = mkba_malloc(2 * in->ndraws * sizeof *work);
    if (t == NULL || mask == NULL || work == NULL)
        goto nomem;
    t->narms = na;
    t->npayers = np;
    t->reference = in->reference;
    t->row = mkba_malloc(na * (np + 1) * sizeof *t->row);
    if (t->row == NULL)
        goto nomem;
    for (size_t a = 0; a < na; a++) {
        mkba_payer_row *rows = t->row + a * (np + 1);
        for (size_t p = 0; p < np; p++) {
            for (size_t q = 0; q < np; q++)
                mask[q] = q == p;
            row_of(in, a, mask, work, &rows[p]);
        }
        row_of(in, a, NULL, work, &rows[np]);
    }
    mkba_free(mask);
    mkba_free(work);
    return t;

nomem:
    mkba_free(mask);
    mkba_free(work);
    mkba_payer_table_free(t);
    mkba_error_set(err, MKBA_ENOMEM, "payer table: out of memory for %zu draws x %zu arms",
                   in->ndraws, na);
    return NULL;
}

int mkba_effect_counts(int monetary, int payer, const int *mask, size_t np)
{
    if (!monetary)
        return 0;
    if (payer >= 0)
        return mask[payer] != 0;
    for (size_t q = 0; q < np; q++)
        if (!mask[q])
            return 0;
    return 1;
}
