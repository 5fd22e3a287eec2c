/* "For whom" (issue 13, docs/decision.md): the MKBA per household group
 * (/draws/groups, results/result.h mkba_result_groups) against the
 * reference arm: each group's share of the households, its net present
 * value per household for each perspective and its increment in the
 * primary effect, over the draws. */
#ifndef MKBA_ANALYSIS_GROUPS_H
#define MKBA_ANALYSIS_GROUPS_H

#include <stddef.h>
#include "mkba/error.h"
#include "io/h5out.h"

/* The per-draw group arrays of a file. */
typedef struct mkba_groups {
    size_t ndraws, narms, npayers, neffects, ngroups;
    char **name;               /* [G] */
    double *share;             /* [D][G] */
    double *cost;              /* [D][G][A][P] discounted, per household of the group */
    double *teams;             /* [D][G][A][P] of cost, the costs allocated by use;
                                  NaN in a file written before them */
    int by_use;                /* 0: a file written before the booking per household
                                  (every service cost, take-up and substitution spread
                                  at the draw's average per household) */
    double *effect;            /* [D][G][A][E] */
} mkba_groups;

/* Reads the groups of the file open in st (its totals t). *out is NULL
 * (and MKBA_OK returned) for a file without them (written before them). */
int mkba_groups_read(mkba_h5_store *st, const mkba_h5_totals *t, mkba_groups **out,
                     mkba_error *err);
void mkba_groups_free(mkba_groups *g);

/* Columns of a row of mkba_groups_stats, in the order of their names
 * mkba_groups_statistic (/analysis/groups/statistics); columns added later
 * go at the end, so an older reader's indices keep their meaning. */
enum { MKBA_GS_SHARE = 0, MKBA_GS_NPV, MKBA_GS_NPV_LO, MKBA_GS_NPV_HI,
       MKBA_GS_EFFECT, MKBA_GS_EFFECT_LO, MKBA_GS_EFFECT_HI, MKBA_GS_BY_USE,
       MKBA_GS_VS_ALL, MKBA_GS_VS_ALL_LO, MKBA_GS_VS_ALL_HI, MKBA_GS_VS_ALL_P, MKBA_GS_N };
extern const char *const mkba_groups_statistic[MKBA_GS_N];

/* stats[K][A][G][MKBA_GS_N] for the perspectives of t: the group's mean
 * share of the households; the NPV per household of the group of arm a
 * against the reference (perspective k's payers and the monetary effects
 * that count for it, as /analysis/cashflow/npv), its mean weighted by the
 * group's share in each draw, so that Σ_g share_g x NPV_g over a partition
 * is the mean NPV of the whole population, and its 2.5% and 97.5%
 * percentiles over the draws in which the group has households; of the
 * NPV's mean, the part from the costs allocated to the group by use
 * (MKBA_GS_BY_USE, the reference's less the arm's); the same
 * for the increment of the primary effect (NaN when arms are compared on
 * money); paired with the whole population (MKBA_GS_VS_ALL..): the group's
 * NPV per household less the whole population's (mkba_groups_npv_all) in
 * the same draw: its mean, the NPV's mean less the population's mean over
 * the draws (so it reads off the table, and Σ_g share_g x it is 0 over a
 * partition, to rounding), its 2.5% and 97.5% percentiles and the share of
 * the draws with households in the group in which it is above 0 (the
 * group gains more than the average household). NaN for the
 * reference arm and for a group without households. work holds 3 x
 * ndraws doubles. */
/* Perspective k's NPV of arm a against the reference per household of
 * group gr in draw d (NaN for a group without households). */
double mkba_groups_npv(const mkba_groups *g, const mkba_h5_totals *t, size_t k, size_t d,
                       size_t a, size_t gr);

/* The same for the whole population: Σ share x NPV over the partition by
 * severity class (no problem, light, medium, heavy: the first four
 * groups), which is the draw's /analysis/cashflow/npv_draws to rounding;
 * NaN when the file's first groups are not that partition, and in cohort
 * mode (no shares). */
double mkba_groups_npv_all(const mkba_groups *g, const mkba_h5_totals *t, size_t k, size_t d,
                           size_t a);

void mkba_groups_stats(const mkba_groups *g, const mkba_h5_totals *t, double *stats,
                       double *work);

/* Writes /analysis/groups/table and its column names
 * /analysis/groups/statistics from the file's groups; nothing for a file
 * without them. */
int mkba_groups_store(mkba_h5_store *st, const mkba_h5_totals *t, mkba_error *err);

#endif
