/* Monte Carlo standard errors of microsimulation means, by batch means.
 *
 * The engine splits each draw's households into fixed batches (by household
 * number, so independent of the thread count) and stores every batch's
 * per-household totals. Any mean the summary reports that is linear in
 * those totals (an arm's cost, an effect, an increment versus the
 * reference, the NPV) has batch values f_b with batch shares w_b = n_b / H;
 * its MCSE is sqrt(B / (B - 1) * sum_b w_b^2 (f_b - f)^2), f = sum_b w_b f_b.
 * Over PSA draws, the share of the variance of the draw means that is
 * household noise is mean_d(MCSE_d^2) / var_d(f_d); the rest is parameter
 * uncertainty. */
#ifndef MKBA_ANALYSIS_MCSE_H
#define MKBA_ANALYSIS_MCSE_H

#include <stddef.h>
#include "mkba/error.h"
#include "results/result.h"
#include "io/h5out.h"

/* mkba_mcse_batches, the estimator itself: results/result.h. */

/* Household noise share of the spread over draws: mean of mcse[d]^2 over
 * the variance (n - 1 denominator) of value[d], d < ndraws; NaN for fewer
 * than 2 draws, when the values are equal to rounding (variance below
 * (1e-12 max|value|)^2) or when any MCSE is NaN. May exceed 1 by chance
 * when parameters barely matter. */
double mkba_mcse_noise_share(const double *value, const double *mcse, size_t ndraws);

/* Root mean square of mcse[0..n): the typical MCSE of one draw's mean. */
double mkba_mcse_rms(const double *mcse, size_t n);

/* Fills r's mcse arrays from its batch arrays: the MCSE of each arm's
 * discounted total per payer and per effect. A record of the cohort trace
 * (no household noise) gets 0, one with fewer than 2 batches NaN. */
void mkba_mcse_record(mkba_draw_result *r, int cohort);

/* The Monte Carlo error of one mean the summary reports: the root mean
 * square over draws of each draw's MCSE, and (PSA) the household-noise
 * share of its variance over draws (NaN for one draw). */
typedef struct mkba_mc_error {
    double mcse, noise_share;
} mkba_mc_error;

/* Monte Carlo errors of the summary's main means (docs/summary.md): per arm
 * its discounted total cost, the increment over the reference and the NPV
 * for society versus the reference; per arm and effect the effect and its
 * increment. The reference arm's increments have MCSE 0. */
typedef struct mkba_mc_summary {
    size_t narms, neffects;
    mkba_mc_error *cost, *inc_cost, *npv;  /* [arm] */
    mkba_mc_error *effect, *inc_effect;    /* [arm][effect] */
} mkba_mc_summary;

/* Computes the Monte Carlo errors from t's batches. *out is NULL (and the
 * result MKBA_OK) when t has no batches (a file written before them, or
 * the cohort trace, whose means have no household noise). */
int mkba_mc_summary_alloc(const mkba_h5_totals *t, mkba_mc_summary **out, mkba_error *err);
void mkba_mc_summary_free(mkba_mc_summary *s);

#endif
