/* When values count within a cycle, and how they are discounted.
 *
 * Occupancy is known at the time points j = 0..T (j cycles from the start).
 * Cycle k (1..T) counts state values at the points and weights below; see
 * docs/model.md for the derivation. The half-cycle correction, and the
 * extra point of uncorrected "both", belong to the ends of the amount's own
 * cycle window [first, last], so an amount that applies in cycles 1-4
 * counts four cycles however the horizon runs. With Simpson's rule, each pair of cycles
 * is integrated by the parabola through its three points and split between
 * the two cycles by integrating that parabola over each half; an unpaired
 * last cycle uses the parabola through the last three points. */
#include <math.h>
#include "engine/engine.h"

static int term(int *pts, double *w, int n, int j, double weight)
{
    pts[n] = j;
    w[n] = weight;
    return n + 1;
}

int mkba_timing_terms(const mkba_timing *t, int k, int first, int last, int pts[3],
                      double w[3])
{
    const int T = t->ncycles;
    int n = 0;
    switch (t->correction) {
    case MKBA_CORR_NONE:
        if (t->occupancy == MKBA_OCC_START)
            return term(pts, w, n, k - 1, 1.0);
        if (t->occupancy == MKBA_OCC_BOTH && k == first)
            n = term(pts, w, n, k - 1, 1.0);
        return term(pts, w, n, k, 1.0);
    case MKBA_CORR_HALF_CYCLE:
        /* Every occupancy rule gives the same total over the window,
         * (1/2, 1, ..., 1, 1/2); the rule decides which cycle carries the
         * corrections. */
        if (t->occupancy == MKBA_OCC_START) {
            n = term(pts, w, n, k - 1, k == first ? 0.5 : 1.0);
            if (k == last)
                n = term(pts, w, n, k, 0.5);
            return n;
        }
        /* "end" and "both": the corrected first point joins the first cycle. */
        if (k == first)
            n = term(pts, w, n, k - 1, 0.5);
        return term(pts, w, n, k, k == last ? 0.5 : 1.0);
    case MKBA_CORR_TRAPEZOID:
        n = term(pts, w, n, k - 1, 0.5);
        return term(pts, w, n, k, 0.5);
    case MKBA_CORR_SIMPSON:
        if (T == 1) {
            n = term(pts, w, n, 0, 0.5);
            return term(pts, w, n, 1, 0.5);
        }
        if (k % 2 == 1 && k < T) {
            n = term(pts, w, n, k - 1, 5.0 / 12.0);
            n = term(pts, w, n, k, 8.0 / 12.0);
            return term(pts, w, n, k + 1, -1.0 / 12.0);
        }
        n = term(pts, w, n, k - 2, -1.0 / 12.0);
        n = term(pts, w, n, k - 1, 8.0 / 12.0);
        return term(pts, w, n, k, 5.0 / 12.0);
    }
    return 0;
}

double mkba_discount(double rate, double years)
{
    return years == 0.0 ? 1.0 : pow(1.0 + rate, -years);
}

double mkba_timing_event_years(const mkba_timing *t, int k)
{
    switch (t->discount_time) {
    case MKBA_DISC_START: return (k - 1) * t->cycle_years;
    case MKBA_DISC_END: return k * t->cycle_years;
    case MKBA_DISC_MIDDLE:
    case MKBA_DISC_POINT: break;
    }
    return (k - 0.5) * t->cycle_years;
}
