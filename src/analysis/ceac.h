/* Choosing between arms under uncertainty: net monetary benefit, the
 * cost-effectiveness acceptability curve (CEAC) and frontier, the
 * probability that each arm is best, rank distributions, and the expected
 * value of perfect information (EVPI). Definitions and references are in
 * docs/decision.md.
 *
 * Pure functions on plain arrays [draw][arm], row-major. "Value" is
 * anything where more is better: a net monetary benefit at one
 * willingness to pay, or, for a money-only comparison, each arm's net
 * benefit (NPV) against the reference. */
#ifndef MKBA_ANALYSIS_CEAC_H
#define MKBA_ANALYSIS_CEAC_H

#include <stddef.h>
#include "mkba/error.h"

/* nmb[i] = lambda * effect[i] - cost[i] for i < n (n = draws x arms).
 * Returns MKBA_OK, or MKBA_EINVAL for NULL arrays or a non-finite lambda,
 * cost or effect (the message names the index). */
int mkba_nmb_fill(size_t n, const double *cost, const double *effect,
                  double lambda, double *nmb, mkba_error *err);

/* The decision at one willingness to pay, from value[ndraws][narms]. */
typedef struct mkba_decision_point {
    int best_mean;      /* arm with the highest mean value (lowest index on a
                         * tie): the acceptability frontier's arm */
    double best_prob;   /* that arm's probability of being best */
    double evpi;        /* mean over draws of the best value - the best mean
                         * value, >= 0, per person in value units */
} mkba_decision_point;

/* Fills, for value[ndraws][narms]:
 * - mean[narms]: mean value of each arm;
 * - prob_best[narms]: the share of draws in which the arm has the highest
 *   value, a draw where k arms tie for the highest giving each 1/k, so the
 *   shares sum to 1;
 * - rank[narms][narms] (may be NULL): rank[a][k] is the share of draws in
 *   which arm a has rank k + 1 (rank 1 = highest value); k arms tied over
 *   ranks r..r+k-1 each take 1/k of each of those ranks, so every row and
 *   every column sums to 1 and rank[a][0] == prob_best[a];
 * - *point: the acceptability frontier and the EVPI.
 * work holds narms doubles and narms size_t (passed as two arrays).
 * Returns MKBA_OK, or MKBA_EINVAL for NULL arrays, zero draws or arms, or
 * a non-finite value (the message names draw and arm). */
int mkba_decision_at(size_t ndraws, size_t narms, const double *value,
                     double *mean, double *prob_best, double *rank,
                     mkba_decision_point *point, double *work_value,
                     size_t *work_index, mkba_error *err);

/* CEAC, acceptability frontier, ranks and EVPI over a grid of
 * willingness-to-pay values lambda[nlambda] (L), for NMB = lambda x effect -
 * cost with cost and effect [ndraws][narms]. */
typedef struct mkba_ceac {
    size_t ndraws, narms, nlambda;
    double *lambda;       /* [L] a copy of the grid */
    double *mean_nmb;     /* [L][A] */
    double *prob_best;    /* [L][A] the CEAC of every arm; sums to 1 over arms */
    double *rank;         /* [L][A][A] rank distribution, as in mkba_decision_at */
    int *frontier_arm;    /* [L] the acceptability frontier: best mean NMB */
    double *frontier_prob;/* [L] its probability of being best */
    double *evpi;         /* [L] EVPI per person, in money */
} mkba_ceac;

/* Computes the CEAC and the rest at every lambda. Returns NULL with err set:
 * MKBA_EINVAL for NULL arrays, zero draws, arms or lambdas, or a
 * non-finite lambda, cost or effect; MKBA_ENOMEM. */
mkba_ceac *mkba_ceac_alloc(size_t ndraws, size_t narms, const double *cost,
                           const double *effect, const double *lambda,
                           size_t nlambda, mkba_error *err);

void mkba_ceac_free(mkba_ceac *c);

/* Population EVPI: evpi_person x sum over years t = 1..nyears of
 * population[t - 1] / (1 + rate)^t, the convention of Briggs, Claxton and
 * Sculpher (2006, ch. 6): each year's decisions discounted to the start
 * from the end of their year. Sets *out and returns MKBA_OK, or
 * MKBA_EINVAL for NULL pointers, nyears == 0, rate <= -1, a non-finite
 * input or a negative population or EVPI. */
int mkba_evpi_population(double evpi_person, const double *population,
                         size_t nyears, double rate, double *out, mkba_error *err);

#endif
