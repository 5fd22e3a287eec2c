/* Updating by sampling importance resampling (Rubin 1988; Menzies et al.
 * 2017): each ex-ante PSA draw d is weighted by the likelihood of the
 * observed data, w_d proportional to exp(sum_i log p(y_i | mu_id)); the
 * effective sample size (sum w)^2 / sum w^2 says how many draws carry the
 * posterior; systematic resampling turns the weights into a sample of
 * draws that the decision analyses (src/analysis/) read unchanged. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "expost/expost_impl.h"
#include "core/alloc.h"

double mkba_expost_weights(const double *lw, size_t n, double *w, double *log_ml)
{
    double top = -INFINITY;
    for (size_t d = 0; d < n; d++)
        top = fmax(top, lw[d]);
    *log_ml = -INFINITY;
    if (!isfinite(top)) {
        for (size_t d = 0; d < n; d++)
            w[d] = 0.0;
        return 0.0;
    }
    double sum = 0.0, sum2 = 0.0;
    for (size_t d = 0; d < n; d++) {
        w[d] = exp(lw[d] - top);
        sum += w[d];
    }
    for (size_t d = 0; d < n; d++) {
        w[d] /= sum;
        sum2 += w[d] * w[d];
    }
    *log_ml = top + log(sum / (double)n);
    return 1.0 / sum2;
}

void mkba_expost_resample(const double *w, size_t n, double u, long *index)
{
    double cum = 0.0;
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        double target = ((double)i + u) / (double)n;
        while (d + 1 < n && cum + w[d] < target) {
            cum += w[d];
            d++;
        }
        index[i] = (long)d;
    }
}

static int by_value(const void *a, const void *b)
{
    double x = ((const mkba_expost_pair *)a)->value, y = ((const mkba_expost_pair *)b)->value;
    return x < y ? -1 : x > y;
}

double mkba_expost_quantile(const double *x, const double *w, size_t n, double p,
                            mkba_expost_pair *scratch)
{
    size_t m = 0;
    double total = 0.0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]) && (w == NULL || w[i] > 0)) {
            scratch[m].value = x[i];
            scratch[m++].weight = w != NULL ? w[i] : 1.0;
            total += w != NULL ? w[i] : 1.0;
        }
    if (m == 0)
        return NAN;
    qsort(scratch, m, sizeof *scratch, by_value);
    /* The smallest value whose cumulative weight reaches p. */
    double cum = 0.0;
    for (size_t j = 0; j < m; j++) {
        cum += scratch[j].weight / total;
        if (cum >= p - 1e-12)
            return scratch[j].value;
    }
    return scratch[m - 1].value;
}

/* Rows index[] of a [draw][rest] array (NULL stays NULL). */
static double *rows(const double *v, size_t rest, const long *index, size_t nd, int *failed)
{
    if (v == NULL)
        return NULL;
    double *r = mkba_malloc((nd * rest > 0 ? nd * rest : 1) * sizeof *r);
    if (r == NULL) {
        *failed = 1;
        return NULL;
    }
    for (size_t i = 0; i < nd; i++)
        memcpy(r + i * rest, v + (size_t)index[i] * rest, rest * sizeof *r);
    return r;
}

void mkba_expost_totals_free(mkba_h5_totals *r)
{
    if (r == NULL)
        return;
    mkba_free(r->cost_total_disc);
    mkba_free(r->effect_total_disc);
    mkba_free(r->cost_disc);
    mkba_free(r->effect_disc);
    mkba_free(r->cost_undisc);
    mkba_free(r->effect_undisc);
    mkba_free(r->transfer_total_disc);
    mkba_free(r);
}

mkba_h5_totals *mkba_expost_totals_resampled(const mkba_h5_totals *t, const long *index,
                                             mkba_error *err)
{
    mkba_h5_totals *r = mkba_malloc(sizeof *r);
    if (r == NULL) {
        mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        return NULL;
    }
    *r = *t;
    /* Only the per-draw arrays the decision analyses read are resampled;
     * the others are left out so nothing reads stale rows. */
    r->cost_total = r->effect_total = r->transfer_total = NULL;
    r->cost_category_disc = r->cost_category_undisc = NULL;
    r->ncategories = 0;
    r->escalations = NULL;
    r->ndomains = 0;
    for (int i = 0; i < MKBA_H5_NSERVICE; i++)
        r->service[i] = NULL;
    r->services = 0;
    r->nbatches = 0;
    r->batch_households = r->batch_cost_total_disc = r->batch_effect_total_disc = NULL;
    r->nteams = 0;
    r->team = NULL;
    r->arm_teams = NULL;
    r->team_fte = r->team_caseload = r->service_population = NULL;
    r->team_in_care = r->team_queue = NULL;
    size_t nd = t->ndraws, a = t->narms, c = t->ncycles;
    int failed = 0;
    r->cost_total_disc = rows(t->cost_total_disc, a * t->npayers, index, nd, &failed);
    r->effect_total_disc = rows(t->effect_total_disc, a * t->neffects, index, nd, &failed);
    r->cost_disc = rows(t->cost_disc, a * c * t->npayers, index, nd, &failed);
    r->effect_disc = rows(t->effect_disc, a * c * t->neffects, index, nd, &failed);
    r->cost_undisc = rows(t->cost_undisc, a * c * t->npayers, index, nd, &failed);
    r->effect_undisc = rows(t->effect_undisc, a * c * t->neffects, index, nd, &failed);
    r->transfer_total_disc = rows(t->transfer_total_disc, a * t->npayers, index, nd, &failed);
    if (failed) {
        mkba_expost_totals_free(r);
        mkba_error_set(err, MKBA_ENOMEM, "out of memory for the posterior draws");
        return NULL;
    }
    return r;
}
