/* Variance-based (Sobol') sensitivity indices from a Saltelli design.
 *
 * Pure functions on plain arrays: the design is a set of points in the
 * unit cube (0,1)^k; the caller maps each coordinate through its
 * parameter's quantile function, evaluates the model at every point and
 * passes the outputs back in the same row order. Formulas, references and
 * how to read the results are in docs/sensitivity/sobol-morris.md. */
#ifndef MKBA_ANALYSIS_SOBOL_H
#define MKBA_ANALYSIS_SOBOL_H

#include <stddef.h>
#include <stdint.h>
#include "mkba/error.h"

/* The smallest base sample size accepted. */
#define MKBA_SOBOL_MIN_N 8

/* The design: n base rows A and B taken from GSL's Sobol' sequence of
 * dimension 2k (A the first k coordinates of each point, B the last k),
 * then the mixed matrices. u is [npoints][k], row-major, in row order
 *   A (n rows), B (n rows), AB_1 .. AB_k (n rows each: A with column i
 *   taken from B), and with second order BA_1 .. BA_k (B with column i
 *   taken from A),
 * so npoints = n (k + 2), or n (2k + 2) with second order. Row j of every
 * block belongs to base row j. GSL's sequence never returns its first
 * point, the origin, so the design uses points 1..n of the sequence;
 * every coordinate is then a multiple of 2^-30 strictly inside (0, 1),
 * and any quantile function gives a finite value. n a power of 2 keeps
 * the sequence's balance best. */
typedef struct mkba_sobol_design {
    size_t n, k;
    int second_order;
    size_t npoints;
    double *u;
} mkba_sobol_design;

/* Makes the design. Returns NULL with err set: MKBA_EINVAL for n below
 * MKBA_SOBOL_MIN_N or above 2^30 - 1 (the length of GSL's sequence), k of
 * 0 or above half GSL's largest Sobol' dimension (20 with GSL's 40),
 * second order with k < 2, or a design too large to address; MKBA_ENOMEM. */
mkba_sobol_design *mkba_sobol_design_alloc(size_t n, size_t k, int second_order,
                                           mkba_error *err);
void mkba_sobol_design_free(mkba_sobol_design *d);

/* Estimated indices, each with a bootstrap percentile interval at
 * confidence `level` over `nboot` resamples of the n base rows (the
 * interval arrays hold NaN when nboot is 0). */
typedef struct mkba_sobol_indices {
    size_t k, n;
    double mean, variance;      /* of y over the rows of A and B (2n values,
                                 * variance with denominator 2n) */
    double *s1, *s1_lo, *s1_hi; /* [k] first order */
    double *st, *st_lo, *st_hi; /* [k] total order */
    /* [k][k] closed second order S_ij (i != j, symmetric, NaN on the
     * diagonal); NULL without second order. */
    double *s2, *s2_lo, *s2_hi;
    size_t nboot;
    double level;
} mkba_sobol_indices;

/* Estimates the indices from y[0..d->npoints), the outputs at d's points
 * in row order. y is first centred on its mean over all points (the
 * indices are then unchanged by adding a constant to y); with
 * yA, yB, yAB_i, yBA_i the centred outputs of one base row, V the variance
 * of A and B together and means over the n base rows,
 *   S1_i = mean(yB (yAB_i - yA)) / V                  Saltelli et al. 2010
 *   ST_i = mean((yA - yAB_i)^2) / (2 V)               Jansen 1999
 *   S2_ij = mean(yBA_i yAB_j - yA yB) / V - S1_i - S1_j, i < j,
 *                                                     Saltelli 2002.
 * The bootstrap draws base rows with replacement (the same rows in every
 * block) from a stream named by seed, so the intervals are reproducible;
 * a resample whose A and B are constant is drawn again. Returns MKBA_OK
 * and *out (free with mkba_sobol_indices_free), or leaves *out NULL and
 * sets err: MKBA_EINVAL for NULL arguments, a non-finite y (the message
 * names the row and its block), a constant y (variance of A and B below
 * (1e-12 max |y|)^2: indices undefined), nboot > 0 with level outside
 * (0, 1), or more resamples than memory can address; MKBA_ENOMEM. */
int mkba_sobol_estimate(const mkba_sobol_design *d, const double *y, size_t nboot,
                        double level, uint64_t seed, mkba_sobol_indices **out,
                        mkba_error *err);
void mkba_sobol_indices_free(mkba_sobol_indices *s);

#endif
