/* The Monte Carlo standard error of a mean by batch means (result.h): in
 * the results layer so that both the engine (the per-draw standard errors
 * it stores) and the analyses use one estimator. */
#include <math.h>
#include "results/result.h"

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
