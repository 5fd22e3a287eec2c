/* Monte Carlo standard errors by batch means (mcse.h). */
#include <math.h>
#include "analysis/mcse.h"

double mkba_mcse_batches(const double *f, const double *n, size_t nb)
{
    if (nb < 2)
        return NAN;
    double h = 0.0, mean = 0.0;
    for (size_t b = 0; b < nb; b++)
        h += n[b];
    if (!(h > 0.0))
        return NAN;
    for (size_t b = 0; b < nb; b++)
        mean += n[b] / h * f[b];
    double ss = 0.0;
    for (size_t b = 0; b < nb; b++) {
        double w = n[b] / h, d = f[b] - mean;
        ss += w * w * d * d;
    }
    return sqrt(ss * (double)nb / (double)(nb - 1));
}

double mkba_mcse_noise_share(const double *value, const double *mcse, size_t ndraws)
{
    if (ndraws < 2)
        return NAN;
    double mean = 0.0, noise = 0.0;
    for (size_t d = 0; d < ndraws; d++) {
        mean += value[d];
        noise += mcse[d] * mcse[d];
    }
    mean /= (double)ndraws;
    double var = 0.0;
    for (size_t d = 0; d < ndraws; d++)
        var += (value[d] - mean) * (value[d] - mean);
    var /= (double)(ndraws - 1);
    return var > 0.0 && isfinite(noise) ? noise / (double)ndraws / var : NAN;
}

double mkba_mcse_rms(const double *mcse, size_t n)
{
    if (n == 0)
        return NAN;
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += mcse[i] * mcse[i];
    return sqrt(s / (double)n);
}

/* The MCSE of entry i of a [batch][n] array, over the used batches. */
static double entry_mcse(const double *batch, const double *households, size_t nb, size_t n,
                         size_t i, double *f)
{
    for (size_t b = 0; b < nb; b++)
        f[b] = batch[b * n + i];
    return mkba_mcse_batches(f, households, nb);
}

void mkba_mcse_record(mkba_draw_result *r, int cohort)
{
    const size_t A = r->narms, P = r->npayers, E = r->neffects;
    size_t nb = 0;
    while (nb < r->nbatches && r->batch_households[nb] > 0.0)
        nb++;
    double f[MKBA_RESULT_BATCHES];
    for (size_t i = 0; i < A * P; i++)
        r->mcse_cost_total_disc[i] = cohort ? 0.0
            : entry_mcse(r->batch_cost_total_disc, r->batch_households, nb, A * P, i, f);
    for (size_t i = 0; i < A * E; i++)
        r->mcse_effect_total_disc[i] = cohort ? 0.0
            : entry_mcse(r->batch_effect_total_disc, r->batch_households, nb, A * E, i, f);
}
