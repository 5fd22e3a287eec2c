/* The cost-effectiveness efficiency frontier of any number of arms for one
 * effect: dominance, extended dominance, ICERs along the frontier, and
 * increments against the reference and the next cheaper frontier arm.
 * Definitions and references are in docs/decision.md.
 *
 * Pure functions on plain arrays; the effect is read as "more is better"
 * (pass minus the effect for one where less is better). */
#ifndef MKBA_ANALYSIS_FRONTIER_H
#define MKBA_ANALYSIS_FRONTIER_H

#include <stddef.h>
#include "mkba/error.h"

typedef enum mkba_frontier_status {
    MKBA_FRONTIER_ON = 0,        /* on the efficiency frontier */
    MKBA_FRONTIER_DOMINATED,     /* another arm costs no more and gives at
                                  * least as much effect (strict or weak
                                  * dominance, or a duplicate of an earlier arm) */
    MKBA_FRONTIER_EXT_DOMINATED  /* a mix of two other arms does better:
                                  * its ICER exceeds the next arm's */
} mkba_frontier_status;

typedef struct mkba_frontier {
    size_t narms;
    int reference;
    /* [narms] arm indices by cost ascending, then effect descending, then
     * index ascending: the order in which arms are compared. */
    size_t *order;
    mkba_frontier_status *status;   /* [narms] */
    /* [narms] the frontier arm last before the arm in `order` (the next
     * cheaper frontier arm), or -1 when there is none. */
    int *prev;
    /* [narms] for frontier arms with prev >= 0: (cost - cost[prev]) /
     * (effect - effect[prev]) > 0 denominators; NAN otherwise. Increasing
     * along the frontier. */
    double *icer;
    /* [narms] against the reference arm, and against prev (NAN when prev
     * is -1). */
    double *inc_cost_ref, *inc_effect_ref, *inc_cost_prev, *inc_effect_prev;
} mkba_frontier;

/* Computes the frontier of narms arms with mean costs cost[narms] and mean
 * effects effect[narms]: sorts by cost, marks dominated arms (an arm is
 * dominated when some arm before it in `order` has an effect >= its own),
 * then repeatedly marks the first remaining arm whose ICER against the
 * previous remaining arm exceeds the ICER of the next remaining arm against
 * it as extendedly dominated, until the ICERs increase. Equal ICERs keep
 * both arms on the frontier.
 * Returns NULL with err set: MKBA_EINVAL for NULL arrays, narms == 0, a
 * reference out of range or a non-finite cost or effect; MKBA_ENOMEM. */
mkba_frontier *mkba_frontier_alloc(size_t narms, const double *cost,
                                   const double *effect, int reference,
                                   mkba_error *err);

void mkba_frontier_free(mkba_frontier *f);

#endif
