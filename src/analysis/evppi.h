/* Expected value of partial perfect information (EVPPI) of a group of
 * parameters, by nonparametric regression on the stored PSA draws (Strong,
 * Oakley and Brennan 2014, Med Decis Making 34:311-326). Method, formulas,
 * guarantees and how to read the results: docs/sensitivity/evppi.md.
 *
 * For net benefits nb[j][i] of options i = 0..d-1 in draws j = 0..n-1, each
 * option's incremental net benefit against option 0 is regressed on the
 * group's parameters, giving ghat_i(x_j) (ghat_0 = 0), and
 *   EVPPI = (1/n) sum_j max_i ghat_i(x_j) - max_i (1/n) sum_j ghat_i(x_j),
 *   EVPI  = (1/n) sum_j max_i nb[j][i]   - max_i (1/n) sum_j nb[j][i].
 * The regression (analysis/smooth.h) is, by the group's size p:
 *   p = 1     a penalised cubic regression spline (as mgcv s(x, bs = "cr"));
 *   p = 2..4  a tensor-product spline (as mgcv te()), one smoothing
 *             parameter per parameter;
 *   p > 4     an additive model of per-parameter splines plus the pairwise
 *             products of the parameters. It misses interactions that are
 *             not close to linear x linear; Strong et al. recommend
 *             Gaussian-process regression for such groups.
 * Smoothing parameters are chosen by GCV.
 *
 * Pure function on plain arrays: no I/O, no printing. */
#ifndef MKBA_ANALYSIS_EVPPI_H
#define MKBA_ANALYSIS_EVPPI_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "mkba/error.h"

/* The fewest draws an EVPPI is computed from, whatever the group. */
#define MKBA_EVPPI_MIN_DRAWS 50

/* Draws needed per basis function of the regression. */
#define MKBA_EVPPI_DRAWS_PER_BASIS 5

/* The fewest draws for a group of p >= 1 varying parameters:
 * max(MKBA_EVPPI_MIN_DRAWS, MKBA_EVPPI_DRAWS_PER_BASIS x basis functions),
 * e.g. 90 for 1 parameter, 180 for 2, 625 for 3, 1280 for 4, 290 for 6. */
size_t mkba_evppi_min_draws(size_t p);

typedef struct mkba_evppi_options {
    /* The generator of the standard error's posterior draws; NULL: no
     * standard error (se = NAN). The caller owns and seeds it. */
    gsl_rng *rng;
    size_t se_draws;    /* posterior draws for the standard error; 0: 500 */
    /* A lower bound for this group: the EVPPI of a subgroup on the same
     * sample, so that adding a parameter never lowers a group's EVPPI;
     * 0: none. */
    double floor;
} mkba_evppi_options;

typedef struct mkba_evppi_result {
    double evppi;       /* per draw, in nb's units, within [0, evpi] */
    double evpi;        /* of the same sample */
    double estimate;    /* the regression's estimate before the bounds */
    /* Standard error of the estimate from the regressions' uncertainty:
     * the sd of the EVPPI over draws of the coefficients from their
     * posterior (Strong et al. 2014, as voi and SAVI). It does not include
     * the sampling error of the PSA draws themselves. NAN when not asked. */
    double se;
    int clamped;        /* 1: the estimate exceeded the EVPI, lowered to it */
    /* 1: raised to a lower bound: the largest single-parameter EVPPI of the
     * group's members (computed for groups of 2 or more) or opts->floor. */
    int raised;
    const char *method; /* static description of the regression */
    size_t nparams;     /* the group's parameters that vary over the draws */
    size_t nbasis;      /* basis functions of each regression */
    size_t nfits;       /* d - 1 regressions, one per option but option 0 */
    double *edf;        /* [nfits] effective degrees of freedom of each */
} mkba_evppi_result;

/* The EVPPI of the group of p parameters whose values in the n draws are
 * x[n][p] (row-major), for the net benefits nb[n][d] of d options in the
 * same draws. A parameter constant over the draws is left out of the
 * regression (a group of constants has EVPPI 0). opts may be NULL.
 *
 * Returns MKBA_OK with *out set (free it with mkba_evppi_result_free), or
 * NULL in *out and: MKBA_EINVAL for NULL arrays, d < 2, p == 0, a
 * non-finite value (the message names the draw and the option or
 * parameter) or fewer draws than mkba_evppi_min_draws (the message names
 * the minimum); MKBA_ENOMEM. */
int mkba_evppi_alloc(const double *nb, size_t n, size_t d, const double *x, size_t p,
                     const mkba_evppi_options *opts, mkba_evppi_result **out, mkba_error *err);

void mkba_evppi_result_free(mkba_evppi_result *r);

#endif
