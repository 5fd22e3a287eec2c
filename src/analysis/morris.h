/* Elementary-effects screening (Morris 1991, with mu* of Campolongo et al.
 * 2007): which inputs can be fixed at their base values, at a cost of
 * r (k + 1) model runs.
 *
 * Pure functions on plain arrays, as sobol.h: the design is a set of
 * points in the unit cube, the caller maps each coordinate through its
 * parameter's quantile function, runs the model at every point and passes
 * the outputs back in row order. Elementary effects are per unit of u, the
 * parameter's probability scale. Formulas and how to read the results are
 * in docs/sensitivity/sobol-morris.md. */
#ifndef MKBA_ANALYSIS_MORRIS_H
#define MKBA_ANALYSIS_MORRIS_H

#include <stddef.h>
#include <stdint.h>
#include "mkba/error.h"

/* The default number of grid levels of a trajectory design. */
#define MKBA_MORRIS_LEVELS 4

/* r groups ("trajectories") of k + 1 points; u is [npoints][k] row-major,
 * npoints = r (k + 1), group t in rows t (k + 1) .. t (k + 1) + k. Step s
 * (0 <= s < k) of group t, at index t k + s of the step arrays, changes
 * input factor[t k + s] by delta[t k + s] (signed, in u) from row
 * from[t k + s] to row to[t k + s]; each group changes every input once. */
typedef struct mkba_morris_design {
    size_t r, k, npoints;
    size_t levels;          /* p of a trajectory design; 0 for a radial one */
    double *u;
    size_t *factor, *from, *to;
    double *delta;
} mkba_morris_design;

/* Morris's trajectory design: each group starts at a random point of the
 * grid of p levels per input and moves one input at a time, in random
 * order, by p/2 levels, up from the lower half of the grid and down from
 * the upper half. The levels are the centres (i + 0.5) / p, i = 0..p-1,
 * of p equal slices of (0, 1) (as JRC's SimLab: quantiles 12.5%, 37.5%,
 * 62.5%, 87.5% for p = 4), not Morris's {0, 1/(p-1), .., 1}, so that
 * every point maps to a finite value of an unbounded distribution; the
 * step is then |delta| = 1/2 (Morris's p / (2 (p - 1)) on his grid). A
 * step of exactly half the probability range cannot see a function with
 * that period (Ishigami's sin^2 x2 on (-pi, pi)): the radial design can.
 * Reproducible from seed. Returns NULL with err set: MKBA_EINVAL for
 * r < 2, k == 0, p odd or below 2, or a design too large to address;
 * MKBA_ENOMEM. */
mkba_morris_design *mkba_morris_design_alloc(size_t r, size_t k, size_t p, uint64_t seed,
                                             mkba_error *err);

/* The radial design (Campolongo, Saltelli & Cariboni 2011): group t has a
 * base point a = point t + 1 and an auxiliary point b = point r + t + 1 of
 * GSL's k-dimensional Sobol' sequence; its row s + 1 is a with input s
 * taken from b, so every step starts from the base row and delta = b_s -
 * a_s. Distinct points of the sequence differ in every coordinate, so no
 * delta is 0; coordinates are strictly inside (0, 1). Deterministic.
 * Returns NULL with err set: MKBA_EINVAL for r < 2, k == 0 or k above
 * GSL's largest Sobol' dimension (40), 2r beyond the sequence's 2^30 - 1
 * points; MKBA_ENOMEM. */
mkba_morris_design *mkba_morris_radial_alloc(size_t r, size_t k, mkba_error *err);

void mkba_morris_design_free(mkba_morris_design *d);

/* Per input, statistics of its r elementary effects
 * EE = (y[to] - y[from]) / delta:
 *   mu       their mean,
 *   mu_star  the mean of their absolute values (Campolongo et al. 2007),
 *   sigma    their standard deviation (denominator r - 1),
 * and a bootstrap percentile interval of mu_star over resamples of the r
 * groups (NaN when nboot is 0). */
typedef struct mkba_morris_indices {
    size_t r, k;
    double *ee;                                /* [r][k] by input, not by step */
    double *mu, *mu_star, *sigma;              /* [k] */
    double *mu_star_lo, *mu_star_hi;           /* [k] */
    size_t nboot;
    double level;
} mkba_morris_indices;

/* Computes the statistics from y[0..d->npoints), the outputs at d's points
 * in row order; the bootstrap is reproducible from seed. Returns MKBA_OK
 * and *out (free with mkba_morris_indices_free), or leaves *out NULL and
 * sets err: MKBA_EINVAL for NULL arguments, a non-finite y (the message
 * names the row and its group), nboot > 0 with level outside (0, 1), or
 * more resamples than memory can address; MKBA_ENOMEM. */
int mkba_morris_estimate(const mkba_morris_design *d, const double *y, size_t nboot,
                         double level, uint64_t seed, mkba_morris_indices **out,
                         mkba_error *err);
void mkba_morris_indices_free(mkba_morris_indices *m);

#endif
