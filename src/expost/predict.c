/* The observation model of one observed figure (docs/expost.md,
 * "Statistics"): given the model value mu of a draw, a count metric's
 * observed count k = value n / 1000 is Poisson(n mu / 1000) or
 * Binomial(n, mu / 1000) (n: the households the figure covers), and a
 * figure with a standard error is Normal(mu, se^2). The ex-ante predictive
 * distribution is the mixture of these over the PSA draws: parameter
 * uncertainty plus the model's household noise (each mu is a mean over H
 * simulated households) plus the observation's own noise at n. */
#include <math.h>
#include <gsl/gsl_cdf.h>
#include "expost/expost_impl.h"

/* P(X <= k) of the draw's count distribution; k may be negative. In
 * double throughout (the regularised incomplete gamma and beta functions
 * GSL's own count CDFs use), so no count is cast to an integer type. */
static double count_cdf(mkba_expost_likelihood lik, double n, double mu, double k)
{
    if (k < 0)
        return 0.0;
    if (lik == MKBA_LIK_POISSON) {
        double lambda = n * mu / 1000.0;
        return lambda <= 0 ? 1.0 : gsl_cdf_gamma_Q(lambda, k + 1.0, 1.0);
    }
    double p = mu / 1000.0, nn = floor(n);
    if (k >= nn || p <= 0)
        return 1.0;
    if (p >= 1)
        return 0.0;
    return gsl_cdf_beta_Q(p, k + 1.0, nn - k);
}

/* Mixture CDF at x: counts at the whole count floor(x), normal at x. */
static double mix_cdf(const mkba_observation *o, const double *mu, const double *w,
                      size_t nd, double x)
{
    double sum = 0.0, wsum = 0.0;
    for (size_t d = 0; d < nd; d++) {
        if (isnan(mu[d]))
            continue;
        double wd = w != NULL ? w[d] : 1.0;
        if (wd <= 0)
            continue;
        double f = o->likelihood == MKBA_LIK_NORMAL
                       ? gsl_cdf_ugaussian_P((x - mu[d]) / o->se)
                       : count_cdf(o->likelihood, o->n, mu[d], floor(x));
        sum += wd * f;
        wsum += wd;
    }
    return wsum > 0 ? sum / wsum : NAN;
}

/* The p-quantile of the mixture, in the observation's unit. */
static double mix_quantile(const mkba_observation *o, const double *mu, const double *w,
                           size_t nd, double p, double lo, double hi)
{
    if (o->likelihood == MKBA_LIK_NORMAL) {
        for (int it = 0; it < 100; it++) {
            double mid = 0.5 * (lo + hi);
            if (mix_cdf(o, mu, w, nd, mid) >= p)
                hi = mid;
            else
                lo = mid;
        }
        return 0.5 * (lo + hi);
    }
    /* Counts: the smallest whole k with F(k) >= p, as a rate per 1000. */
    double klo = -1, khi = ceil(hi);
    while (khi - klo > 1) {
        double mid = floor(0.5 * (klo + khi));
        if (mix_cdf(o, mu, w, nd, mid) >= p)
            khi = mid;
        else
            klo = mid;
    }
    return khi * 1000.0 / o->n;
}

void mkba_expost_predictive(const mkba_observation *o, const double *mu, const double *w,
                            size_t nd, double *stat)
{
    for (int i = 0; i < MKBA_PRED_N; i++)
        stat[i] = NAN;
    double wsum = 0.0, mean = 0.0, lo = INFINITY, hi = -INFINITY;
    for (size_t d = 0; d < nd; d++)
        if (!isnan(mu[d]) && (w == NULL || w[d] > 0)) {
            double wd = w != NULL ? w[d] : 1.0;
            wsum += wd;
            mean += wd * mu[d];
            lo = fmin(lo, mu[d]);
            hi = fmax(hi, mu[d]);
        }
    if (wsum <= 0)
        return;
    mean /= wsum;
    /* Variance: between draws plus the observation noise within a draw. */
    double var = 0.0, scale = 1000.0 / o->n;
    for (size_t d = 0; d < nd; d++)
        if (!isnan(mu[d]) && (w == NULL || w[d] > 0)) {
            double wd = (w != NULL ? w[d] : 1.0) / wsum, p = mu[d] / 1000.0;
            double noise = o->likelihood == MKBA_LIK_NORMAL ? o->se * o->se
                           : o->likelihood == MKBA_LIK_POISSON
                               ? o->n * p * scale * scale
                               : o->n * fmin(fmax(p, 0.0), 1.0)
                                     * (1.0 - fmin(fmax(p, 0.0), 1.0)) * scale * scale;
            var += wd * ((mu[d] - mean) * (mu[d] - mean) + noise);
        }
    stat[MKBA_PRED_MEAN] = mean;
    stat[MKBA_PRED_SD] = sqrt(var);
    double qlo, qhi;
    if (o->likelihood == MKBA_LIK_NORMAL) {
        qlo = lo - 10 * o->se;
        qhi = hi + 10 * o->se;
    } else {
        double lmax = o->n * hi / 1000.0;
        qlo = 0;
        qhi = o->likelihood == MKBA_LIK_BINOMIAL ? floor(o->n)
                                                 : lmax + 12 * sqrt(lmax) + 20;
    }
    static const double ps[5] = { 0.05, 0.25, 0.5, 0.75, 0.95 };
    for (int i = 0; i < 5; i++)
        stat[MKBA_PRED_P05 + i] = mix_quantile(o, mu, w, nd, ps[i], qlo, qhi);
    double pct;
    if (o->likelihood == MKBA_LIK_NORMAL) {
        pct = mix_cdf(o, mu, w, nd, o->value);
    } else {
        /* Mid-p: P(X < k) + P(X = k) / 2 at the observed count. */
        double k = round(o->value * o->n / 1000.0);
        double below = mix_cdf(o, mu, w, nd, k - 1), at = mix_cdf(o, mu, w, nd, k);
        pct = below + 0.5 * (at - below);
    }
    stat[MKBA_PRED_PERCENTILE] = pct;
    stat[MKBA_PRED_TAIL] = 2.0 * fmin(pct, 1.0 - pct);
    stat[MKBA_PRED_Z] = var > 0 ? (o->value - mean) / sqrt(var) : NAN;
}

double mkba_expost_model_variance(const mkba_observation *o, double mu)
{
    return fmax(o->var_linear * mu + o->var_share * mu * mu, 0.0);
}

double mkba_expost_loglik(const mkba_observation *o, double mu)
{
    if (isnan(mu))
        return -INFINITY;
    if (o->likelihood == MKBA_LIK_NORMAL) {
        /* Synthetic likelihood: the figure's own error plus the draw's
         * Monte Carlo noise at its own value (observed.h, var_share). */
        double sd = sqrt(o->se * o->se + mkba_expost_model_variance(o, mu));
        double z = (o->value - mu) / sd;
        return -0.5 * z * z - log(sd) - 0.91893853320467274178; /* log sqrt(2 pi) */
    }
    /* The count at the likelihood's households n_lik (observed.h). */
    double n = o->n_lik, k = o->value * n / 1000.0;
    if (o->likelihood == MKBA_LIK_POISSON) {
        double lambda = n * mu / 1000.0;
        if (lambda <= 0)
            return k == 0 ? 0.0 : -INFINITY;
        return k * log(lambda) - lambda - lgamma(k + 1);
    }
    double p = mu / 1000.0;
    if (p <= 0)
        return k == 0 ? 0.0 : -INFINITY;
    if (p >= 1)
        return k >= n ? 0.0 : -INFINITY;
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p)
           + (n - k) * log1p(-p);
}

int mkba_expost_flag(const mkba_observation *o, const double *stat, double conflict_level)
{
    if (!(stat[MKBA_PRED_TAIL] >= conflict_level))
        return MKBA_FLAG_CONFLICT;
    if (o->value < stat[MKBA_PRED_P05] || o->value > stat[MKBA_PRED_P95])
        return MKBA_FLAG_OUTSIDE_90;
    if (o->value < stat[MKBA_PRED_P25] || o->value > stat[MKBA_PRED_P75])
        return MKBA_FLAG_OUTSIDE_50;
    return MKBA_FLAG_INSIDE_50;
}
