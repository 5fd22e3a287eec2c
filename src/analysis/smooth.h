/* Penalised regression splines with smoothing parameters chosen by
 * generalised cross-validation (GCV): the regression of the EVPPI
 * (evppi.h, docs/sensitivity/evppi.md).
 *
 * The basis depends on the number p of parameters (columns):
 *   p = 1      a cubic B-spline of 18 functions, 16 knots at quantiles, and
 *              the penalty integral f''(t)^2 dt (as mgcv's s(x, bs = "cr"));
 *   p = 2..4   the tensor product of such margins with 6, 5 and 4 functions
 *              each, one penalty per margin (as mgcv's te());
 *   p > 4      an additive model: per parameter a centred spline of 8
 *              functions less one, plus every pairwise product of the
 *              centred parameters (unpenalised), one shared penalty.
 * Each parameter is rescaled to [0, 1] first; it must not be constant.
 *
 * For one smoothing vector lambda the fit is beta = (X'X + S)^-1 X'y with
 * S = sum_j lambda_j S_j; GCV(lambda) = n RSS / (n - edf)^2, edf = the
 * trace of the hat matrix. */
#ifndef MKBA_ANALYSIS_SMOOTH_H
#define MKBA_ANALYSIS_SMOOTH_H

#include <stddef.h>
#include <gsl/gsl_eigen.h>
#include "mkba/error.h"

#define MKBA_SMOOTH_MAX_PENALTIES 4

/* A basis evaluated at the draws, with its penalties and scratch for fits;
 * several responses can be fitted on one. */
typedef struct mkba_smooth {
    size_t n, k, npen;          /* draws, basis functions, penalties */
    const char *method;         /* a static description of the basis */
    double *X;                  /* [n][k] the basis at each draw */
    double *S;                  /* [npen][k][k] penalties, scaled alike */
    double *L;                  /* [k][k] lower Cholesky factor of X'X */
    double *Ct;                 /* [npen][k][k] L^-1 S_j L^-T */
    double *C, *U, *ev, *z0, *z, *w;  /* scratch of the GCV search */
    gsl_eigen_symmv_workspace *eig;
} mkba_smooth;

/* The number of basis functions for p parameters (p >= 1). */
size_t mkba_smooth_nbasis(size_t p);

/* The description of the basis for p parameters (p >= 1). */
const char *mkba_smooth_method(size_t p);

/* Builds the basis of the p columns cols[0..p) of x, a row-major array of
 * n rows with ldx values each. Each used column must take at least two
 * distinct finite values, and n must exceed mkba_smooth_nbasis(p).
 * Returns MKBA_OK, MKBA_ENOMEM, or MKBA_EINVAL when the basis is
 * numerically singular (the message says which group). */
int mkba_smooth_alloc(const double *x, size_t n, size_t ldx, const size_t *cols, size_t p,
                      mkba_smooth **out, mkba_error *err);

void mkba_smooth_free(mkba_smooth *s);

/* Fits y[0..n) by GCV: writes the coefficients beta[0..k), the fitted
 * values fitted[0..n) and, when post is not NULL, a [k][k] matrix such
 * that beta + post xi with xi ~ N(0, I) is a draw from the Bayesian
 * posterior of the coefficients, N(beta, sigma^2 (X'X + S)^-1) with
 * sigma^2 = RSS / (n - edf) (Wood 2017, section 6.10). Returns the
 * effective degrees of freedom. */
double mkba_smooth_fit(mkba_smooth *s, const double *y, double *beta, double *fitted,
                       double *post);

#endif
