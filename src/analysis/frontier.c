/* The efficiency frontier: dominance then extended dominance, as in
 * Drummond et al. (Methods for the Economic Evaluation of Health Care
 * Programmes, 4th ed., 2015); see docs/decision.md. */
#include <math.h>
#include <stdlib.h>
#include "frontier.h"
#include "core/alloc.h"

void mkba_frontier_free(mkba_frontier *f)
{
    if (f == NULL)
        return;
    mkba_free(f->order);
    mkba_free(f->status);
    mkba_free(f->prev);
    mkba_free(f->icer);
    mkba_free(f->inc_cost_ref);
    mkba_free(f->inc_effect_ref);
    mkba_free(f->inc_cost_prev);
    mkba_free(f->inc_effect_prev);
    mkba_free(f);
}

/* Insertion sort of the arm indices by (cost up, effect down, index up):
 * arms are few, and a stable, explicit order makes ties reproducible. */
static void sort_arms(size_t n, const double *cost, const double *effect, size_t *order)
{
    for (size_t i = 0; i < n; i++) {
        size_t a = order[i] = i, j = i;
        while (j > 0) {
            size_t b = order[j - 1];
            int before = cost[a] < cost[b] || (cost[a] == cost[b] && effect[a] > effect[b]);
            if (!before)
                break;
            order[j] = b;
            j--;
        }
        order[j] = a;
    }
}

static double icer_between(const double *cost, const double *effect, size_t from, size_t to)
{
    return (cost[to] - cost[from]) / (effect[to] - effect[from]);
}

/* Marks extendedly dominated arms among the frontier candidates, kept in
 * cand[0..*m) in cost order; each removal can create a new violation
 * between the arms it separated, so the scan restarts until none is left.
 * After strict dominance the candidates' effects strictly increase, so
 * every ICER has a positive denominator. */
static void extended_dominance(const double *cost, const double *effect, size_t *cand,
                               size_t *m, mkba_frontier_status *status)
{
    int removed = 1;
    while (removed) {
        removed = 0;
        for (size_t i = 1; i + 1 < *m; i++) {
            double in = icer_between(cost, effect, cand[i - 1], cand[i]);
            double out = icer_between(cost, effect, cand[i], cand[i + 1]);
            if (in > out) {
                status[cand[i]] = MKBA_FRONTIER_EXT_DOMINATED;
                for (size_t j = i; j + 1 < *m; j++)
                    cand[j] = cand[j + 1];
                (*m)--;
                removed = 1;
                break;
            }
        }
    }
}

mkba_frontier *mkba_frontier_alloc(size_t narms, const double *cost,
                                   const double *effect, int reference,
                                   mkba_error *err)
{
    if (cost == NULL || effect == NULL || narms == 0) {
        mkba_error_set(err, MKBA_EINVAL, "frontier: need costs and effects of at least one arm");
        return NULL;
    }
    if (reference < 0 || (size_t)reference >= narms) {
        mkba_error_set(err, MKBA_EINVAL, "frontier: reference arm %d is out of range 0..%zu",
                       reference, narms - 1);
        return NULL;
    }
    for (size_t a = 0; a < narms; a++) {
        if (!isfinite(cost[a]) || !isfinite(effect[a])) {
            mkba_error_set(err, MKBA_EINVAL,
                           "frontier: arm %zu has a non-finite mean cost (%g) or effect (%g)",
                           a, cost[a], effect[a]);
            return NULL;
        }
    }
    mkba_frontier *f = mkba_calloc(1, sizeof *f);
    size_t *cand = mkba_malloc(narms * sizeof *cand);
    if (f == NULL || cand == NULL)
        goto nomem;
    f->narms = narms;
    f->reference = reference;
    f->order = mkba_malloc(narms * sizeof *f->order);
    f->status = mkba_malloc(narms * sizeof *f->status);
    f->prev = mkba_malloc(narms * sizeof *f->prev);
    f->icer = mkba_malloc(narms * sizeof *f->icer);
    f->inc_cost_ref = mkba_malloc(narms * sizeof *f->inc_cost_ref);
    f->inc_effect_ref = mkba_malloc(narms * sizeof *f->inc_effect_ref);
    f->inc_cost_prev = mkba_malloc(narms * sizeof *f->inc_cost_prev);
    f->inc_effect_prev = mkba_malloc(narms * sizeof *f->inc_effect_prev);
    if (!f->order || !f->status || !f->prev || !f->icer || !f->inc_cost_ref
        || !f->inc_effect_ref || !f->inc_cost_prev || !f->inc_effect_prev)
        goto nomem;

    sort_arms(narms, cost, effect, f->order);
    /* Dominance: in cost order, an arm is dominated unless it gives more
     * effect than every arm before it (which cost no more). */
    size_t m = 0;
    double best = -INFINITY;
    for (size_t i = 0; i < narms; i++) {
        size_t a = f->order[i];
        if (i > 0 && effect[a] <= best) {
            f->status[a] = MKBA_FRONTIER_DOMINATED;
            continue;
        }
        f->status[a] = MKBA_FRONTIER_ON;
        best = effect[a];
        cand[m++] = a;
    }
    extended_dominance(cost, effect, cand, &m, f->status);

    int last = -1;
    for (size_t i = 0; i < narms; i++) {
        size_t a = f->order[i];
        f->prev[a] = last;
        f->inc_cost_ref[a] = cost[a] - cost[reference];
        f->inc_effect_ref[a] = effect[a] - effect[reference];
        f->inc_cost_prev[a] = last < 0 ? NAN : cost[a] - cost[last];
        f->inc_effect_prev[a] = last < 0 ? NAN : effect[a] - effect[last];
        f->icer[a] = NAN;
        if (f->status[a] == MKBA_FRONTIER_ON) {
            if (last >= 0)
                f->icer[a] = f->inc_cost_prev[a] / f->inc_effect_prev[a];
            last = (int)a;
        }
    }
    mkba_free(cand);
    return f;

nomem:
    mkba_free(cand);
    mkba_frontier_free(f);
    mkba_error_set(err, MKBA_ENOMEM, "frontier: out of memory for %zu arms", narms);
    return NULL;
}
