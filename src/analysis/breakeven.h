/* Cash flows, break-even year, payback period and return on investment of
 * each arm against the reference arm, for one perspective (a set of payers).
 * Definitions and references are in docs/decision.md.
 *
 * Pure functions on plain arrays: no I/O, no printing, no scenario. All
 * arrays are row-major in the order of their index comments; D = draws,
 * A = arms, T = cycles, P = payers, Y = years. */
#ifndef MKBA_ANALYSIS_BREAKEVEN_H
#define MKBA_ANALYSIS_BREAKEVEN_H

#include <stddef.h>
#include "mkba/error.h"
#include "core/cycles.h"   /* mkba_cycles_per_year */

/* The break-even year (and payback period) of a draw whose cumulative net
 * benefit is still negative at the end of the horizon. Years within the
 * horizon are 1..Y. */
#define MKBA_BREAKEVEN_NEVER 0

/* The number of years covered by ncycles cycles: ceil(ncycles / cpy). A
 * last, incomplete year counts as a year of its own. cpy >= 1. */
size_t mkba_years_of(size_t ncycles, size_t cpy);

/* Sums cycles into years: x is [nouter][ncycles][ninner], out is
 * [nouter][Y] with Y = mkba_years_of(ncycles, cpy), and
 *   out[o][y] = sum over cycles k of year y (k = y*cpy .. y*cpy + cpy - 1)
 *               of sum over inner i with mask[i] != 0 of x[o][k][i].
 * mask NULL means every inner column. Use it to turn per-cycle monetary
 * effects [D][A][T][E] into the yearly gains mkba_cashflow_alloc takes.
 * No checks: the caller passes consistent sizes and cpy >= 1. */
void mkba_years_sum(const double *x, size_t nouter, size_t ncycles,
                    size_t ninner, const int *mask, size_t cpy, double *out);

/* The inputs of a cash-flow analysis for one perspective. */
typedef struct mkba_cashflow_input {
    size_t ndraws, narms, ncycles, npayers;
    int reference;              /* the reference arm, 0 <= reference < narms */
    double cycle_years;         /* cycle length in years; 1/cycle_years whole */
    const double *cost_disc;    /* [D][A][T][P] discounted costs */
    const double *cost_undisc;  /* [D][A][T][P] undiscounted costs */
    const int *payer_mask;      /* [P] 1 = the payer is in the perspective;
                                 * NULL = every payer (society) */
    /* Optional monetary gains the perspective receives (e.g. household
     * income when the perspective includes households), as levels per arm:
     * [D][A][Y], discounted and not. Both NULL (no gains) or both set. */
    const double *gain_disc, *gain_undisc;
} mkba_cashflow_input;

/* Per draw and arm, the arm's yearly net benefit against the reference
 * for the perspective, n[y] = sum over its payers of (reference cost -
 * arm cost) + (arm gain - reference gain) in year y, and what follows
 * from it. The reference arm's flows are zero (break-even year 1, payback
 * 1, ROI NAN): callers leave it out. */
typedef struct mkba_cashflow {
    size_t ndraws, narms, nyears;
    int reference;
    double *net_disc, *net_undisc;  /* [D][A][Y] yearly net benefit */
    double *cum_disc, *cum_undisc;  /* [D][A][Y] cumulative through year y */
    /* [D][A] break-even year: the first year t (1..Y) from which the
     * cumulative discounted net benefit stays >= 0 through year Y, or
     * MKBA_BREAKEVEN_NEVER. payback: the same rule on the undiscounted
     * cumulative net benefit. */
    int *breakeven, *payback;
    /* [D][A] present values: npv = cum_disc at year Y; investment = sum of
     * the years' discounted net costs max(0, -n[y]); returns = sum of
     * max(0, n[y]); roi = (returns - investment) / investment = npv /
     * investment (+INFINITY when investment is 0 and returns > 0, NAN
     * when both are 0). */
    double *npv, *investment, *returns, *roi;
} mkba_cashflow;

/* Computes the cash flows of `in`. Returns NULL with err set: MKBA_EINVAL
 * for in == NULL, NULL cost arrays, zero draws, arms or cycles, a
 * reference out of range, a bad cycle length, gains given only half, or a
 * non-finite cost or gain (the message names draw, arm and cycle);
 * MKBA_ENOMEM. */
mkba_cashflow *mkba_cashflow_alloc(const mkba_cashflow_input *in, mkba_error *err);

void mkba_cashflow_free(mkba_cashflow *c);

/* The distribution over draws of a break-even year (or payback period). */
typedef struct mkba_breakeven_stats {
    double share_never;  /* share of draws not breaking even within Y years */
    double mean;         /* mean year among the draws that break even; NAN
                          * when none does */
    /* Type-7 quantiles over all draws, a draw that never breaks even
     * counting as +INFINITY (so a median of +INFINITY says that half of
     * the draws or more do not break even within the horizon). */
    double median, p05, p95;
} mkba_breakeven_stats;

/* Statistics of the break-even years year[0], year[stride], ...,
 * year[(n - 1) stride] (so one arm's column of mkba_cashflow.breakeven is
 * year = c->breakeven + a, stride = c->narms), each in 0..nyears with 0 =
 * MKBA_BREAKEVEN_NEVER. Fills *out and, when by_year is not NULL,
 * by_year[t - 1] = P(break-even year <= t) = share of draws with
 * 1 <= year <= t, for t = 1..nyears. work holds n doubles.
 * Returns MKBA_OK, or MKBA_EINVAL for NULL arrays, n == 0, stride == 0
 * or a year outside 0..nyears. */
int mkba_breakeven_stats_of(const int *year, size_t n, size_t stride,
                            size_t nyears, double *work, double *by_year,
                            mkba_breakeven_stats *out, mkba_error *err);

#endif
