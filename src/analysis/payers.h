/* Who pays and who gains ("wrong pocket"): per arm against the reference,
 * each payer's investment, returns and net position over the PSA draws.
 * Definitions are in docs/decision.md.
 *
 * Pure functions on plain arrays: cost and gain levels [draw][arm][payer],
 * discounted totals (present values). A transfer (a benefit paid to
 * households, say) is a positive cost of the paying party and a negative
 * cost of the receiving one, so it cancels in society's net position. */
#ifndef MKBA_ANALYSIS_PAYERS_H
#define MKBA_ANALYSIS_PAYERS_H

#include <stddef.h>
#include "mkba/error.h"
#include "analysis/summary.h"

/* Whether a monetary effect gained by payer `payer` (-1: nobody in
 * particular) counts for the perspective whose payers are mask[0..np):
 * its payer is in the perspective, or it has none and the perspective
 * holds every payer (society). Non-monetary effects never count. */
int mkba_effect_counts(int monetary, int payer, const int *mask, size_t np);

/* One row of the table: a payer, a group of payers, or society. All means
 * are over draws. */
typedef struct mkba_payer_row {
    double investment;  /* mean of the cost increases (and money lost) */
    double returns;     /* mean of the cost decreases (and money gained) */
    mkba_stat net;      /* net position = returns - investment: mean and
                         * 2.5% and 97.5% percentiles (NAN with one draw) */
    double p_loss;      /* share of draws in which net < 0 */
} mkba_payer_row;

/* The inputs: cost[ndraws][narms][npayers] and optional monetary gains
 * gain[ndraws][narms][npayers] (NULL = none; e.g. income put in the
 * households' column), both as levels per arm. */
typedef struct mkba_payer_input {
    size_t ndraws, narms, npayers;
    int reference;
    const double *cost;
    const double *gain;
} mkba_payer_input;

/* The row of arm `arm` against the reference for the payers with
 * mask[p] != 0 (NULL = every payer, i.e. society). Per draw d and payer p,
 * with dc = cost[d][arm][p] - cost[d][ref][p] and dg the same for gains:
 *   investment_d = sum over p of max(0, dc) + max(0, -dg)
 *   returns_d    = sum over p of max(0, -dc) + max(0, dg)
 *   net_d        = returns_d - investment_d = sum over p of (dg - dc)
 * so a group's investment and returns are gross (transfers between its
 * members appear on both sides) while its net position is the sum of its
 * members'. work holds ndraws doubles twice (2 x ndraws).
 * Returns MKBA_OK, or MKBA_EINVAL for NULL pointers, zero draws or arms,
 * the reference or arm out of range, or a non-finite cost or gain. */
int mkba_payer_row_of(const mkba_payer_input *in, size_t arm, const int *mask,
                      double *work, mkba_payer_row *out, mkba_error *err);

typedef struct mkba_payer_table {
    size_t narms, npayers;
    int reference;
    /* [narms][npayers + 1]: one row per payer, then society (every payer).
     * Society's investment, returns and mean net equal the sums of the
     * payer rows' (up to rounding); its interval and p_loss come from the
     * per-draw sums. The
     * reference arm's rows are zero. */
    mkba_payer_row *row;
} mkba_payer_table;

/* The full table for every arm. Returns NULL with err set (the errors of
 * mkba_payer_row_of, MKBA_ENOMEM). */
mkba_payer_table *mkba_payer_table_alloc(const mkba_payer_input *in, mkba_error *err);

void mkba_payer_table_free(mkba_payer_table *t);

#endif
