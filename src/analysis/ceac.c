/* Acceptability curves, ranks and the value of perfect information from
 * per-draw values; see docs/decision.md for the definitions and sources
 * (Fenwick, Claxton and Sculpher 2001; Briggs, Claxton and Sculpher 2006). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ceac.h"
#include "core/alloc.h"

int mkba_nmb_fill(size_t n, const double *cost, const double *effect,
                  double lambda, double *nmb, mkba_error *err)
{
    if (cost == NULL || effect == NULL || nmb == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "net monetary benefit: NULL array given");
    if (!isfinite(lambda))
        return mkba_error_set(err, MKBA_EINVAL,
                              "net monetary benefit: willingness to pay %g is not finite",
                              lambda);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(cost[i]) || !isfinite(effect[i]))
            return mkba_error_set(err, MKBA_EINVAL,
                                  "net monetary benefit: cost (%g) or effect (%g) at index "
                                  "%zu is not finite", cost[i], effect[i], i);
        nmb[i] = lambda * effect[i] - cost[i];
    }
    return MKBA_OK;
}

/* Sorts the arm indices idx[0..n) by value v descending (insertion sort:
 * arms are few). */
static void sort_desc(const double *v, size_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t a = i, j = i;
        while (j > 0 && v[idx[j - 1]] < v[a]) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = a;
    }
}

int mkba_decision_at(size_t ndraws, size_t narms, const double *value,
                     double *mean, double *prob_best, double *rank,
                     mkba_decision_point *point, double *work_value,
                     size_t *work_index, mkba_error *err)
{
    if (value == NULL || mean == NULL || prob_best == NULL || point == NULL
        || work_value == NULL || work_index == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "decision: NULL array given");
    if (ndraws == 0 || narms == 0)
        return mkba_error_set(err, MKBA_EINVAL,
                              "decision: need at least one draw and one arm (got %zu, %zu)",
                              ndraws, narms);
    for (size_t i = 0; i < ndraws * narms; i++)
        if (!isfinite(value[i]))
            return mkba_error_set(err, MKBA_EINVAL,
                                  "decision: value of draw %zu, arm %zu is not finite (%g)",
                                  i / narms, i % narms, value[i]);

    /* The sums of the means and of the per-draw maxima run over the draws
     * in the same order, so when one arm is best in every draw the two are
     * the same sum and the EVPI is exactly 0. */
    double *sum = work_value, sum_max = 0.0, w = 1.0 / (double)ndraws;
    for (size_t a = 0; a < narms; a++) {
        sum[a] = 0.0;
        prob_best[a] = 0.0;
    }
    if (rank != NULL)
        memset(rank, 0, narms * narms * sizeof *rank);
    for (size_t d = 0; d < ndraws; d++) {
        const double *v = value + d * narms;
        size_t *idx = work_index;
        sort_desc(v, idx, narms);
        sum_max += v[idx[0]];
        for (size_t a = 0; a < narms; a++)
            sum[a] += v[a];
        /* Walk the groups of tied arms: a group over ranks r..r+k-1 shares
         * each of those ranks equally. */
        for (size_t r = 0; r < narms;) {
            size_t k = 1;
            while (r + k < narms && v[idx[r + k]] == v[idx[r]])
                k++;
            double share = w / (double)k;
            for (size_t g = r; g < r + k; g++) {
                if (r == 0)
                    prob_best[idx[g]] += share;
                if (rank != NULL)
                    for (size_t q = r; q < r + k; q++)
                        rank[idx[g] * narms + q] += share;
            }
            r += k;
        }
    }
    int best = 0;
    for (size_t a = 0; a < narms; a++) {
        mean[a] = sum[a] / (double)ndraws;
        if (mean[a] > mean[best])
            best = (int)a;
    }
    point->best_mean = best;
    point->best_prob = prob_best[best];
    point->evpi = sum_max / (double)ndraws - mean[best];
    return MKBA_OK;
}

void mkba_ceac_free(mkba_ceac *c)
{
    if (c == NULL)
        return;
    mkba_free(c->lambda);
    mkba_free(c->mean_nmb);
    mkba_free(c->prob_best);
    mkba_free(c->rank);
    mkba_free(c->frontier_arm);
    mkba_free(c->frontier_prob);
    mkba_free(c->evpi);
    mkba_free(c);
}

mkba_ceac *mkba_ceac_alloc(size_t ndraws, size_t narms, const double *cost,
                           const double *effect, const double *lambda,
                           size_t nlambda, mkba_error *err)
{
    if (cost == NULL || effect == NULL || lambda == NULL || ndraws == 0 || narms == 0
        || nlambda == 0) {
        mkba_error_set(err, MKBA_EINVAL,
                       "acceptability curve: need costs, effects and willingness-to-pay "
                       "values, with at least one draw, arm and value (got %zu, %zu, %zu)",
                       ndraws, narms, nlambda);
        return NULL;
    }
    size_t n = ndraws * narms, na = narms;
    mkba_ceac *c = mkba_calloc(1, sizeof *c);
    double *nmb = mkba_malloc(n * sizeof *nmb), *wv = mkba_malloc(na * sizeof *wv);
    size_t *wi = mkba_malloc(na * sizeof *wi);
    if (c == NULL || nmb == NULL || wv == NULL || wi == NULL)
        goto nomem;
    c->ndraws = ndraws;
    c->narms = na;
    c->nlambda = nlambda;
    c->lambda = mkba_malloc(nlambda * sizeof *c->lambda);
    c->mean_nmb = mkba_malloc(nlambda * na * sizeof *c->mean_nmb);
    c->prob_best = mkba_malloc(nlambda * na * sizeof *c->prob_best);
    c->rank = mkba_malloc(nlambda * na * na * sizeof *c->rank);
    c->frontier_arm = mkba_malloc(nlambda * sizeof *c->frontier_arm);
    c->frontier_prob = mkba_malloc(nlambda * sizeof *c->frontier_prob);
    c->evpi = mkba_malloc(nlambda * sizeof *c->evpi);
    if (!c->lambda || !c->mean_nmb || !c->prob_best || !c->rank || !c->frontier_arm
        || !c->frontier_prob || !c->evpi)
        goto nomem;
    memcpy(c->lambda, lambda, nlambda * sizeof *c->lambda);
    for (size_t l = 0; l < nlambda; l++) {
        mkba_decision_point pt;
        if (mkba_nmb_fill(n, cost, effect, lambda[l], nmb, err) != MKBA_OK
            || mkba_decision_at(ndraws, na, nmb, c->mean_nmb + l * na, c->prob_best + l * na,
                                c->rank + l * na * na, &pt, wv, wi, err) != MKBA_OK)
            goto fail;
        c->frontier_arm[l] = pt.best_mean;
        c->frontier_prob[l] = pt.best_prob;
        c->evpi[l] = pt.evpi;
    }
    mkba_free(nmb);
    mkba_free(wv);
    mkba_free(wi);
    return c;

nomem:
    mkba_error_set(err, MKBA_ENOMEM,
                   "acceptability curve: out of memory for %zu draws x %zu arms x %zu "
                   "willingness-to-pay values", ndraws, narms, nlambda);
fail:
    mkba_free(nmb);
    mkba_free(wv);
    mkba_free(wi);
    mkba_ceac_free(c);
    return NULL;
}

int mkba_evpi_population(double evpi_person, const double *population,
                         size_t nyears, double rate, double *out, mkba_error *err)
{
    if (population == NULL || out == NULL || nyears == 0)
        return mkba_error_set(err, MKBA_EINVAL,
                              "population EVPI: need a population for at least one year");
    if (!isfinite(evpi_person) || evpi_person < 0.0)
        return mkba_error_set(err, MKBA_EINVAL,
                              "population EVPI: per-person EVPI %g must be finite and >= 0",
                              evpi_person);
    if (!isfinite(rate) || rate <= -1.0)
        return mkba_error_set(err, MKBA_EINVAL,
                              "population EVPI: discount rate %g must be finite and > -1",
                              rate);
    double sum = 0.0, factor = 1.0;
    for (size_t t = 0; t < nyears; t++) {
        if (!isfinite(population[t]) || population[t] < 0.0)
            return mkba_error_set(err, MKBA_EINVAL,
                                  "population EVPI: population of year %zu (%g) must be "
                                  "finite and >= 0", t + 1, population[t]);
        factor /= 1.0 + rate;
        sum += population[t] * factor;
    }
    *out = evpi_person * sum;
    return MKBA_OK;
}
