/* The decision summary of a result file: per arm and versus the reference
 * arm, means and 95% intervals over the stored PSA draws of discounted
 * costs (total, per payer and per cost category), effects, net present
 * value, benefit-cost ratio and ICERs; per arm and period, the service
 * pathway outputs and the escalations to second-line care. Every
 * definition is in docs/summary.md.
 *
 * Pure functions of an mkba_h5_totals: no I/O, no printing (the program
 * prints with src/cli/summary_text.c). */
#ifndef MKBA_ANALYSIS_SUMMARY_H
#define MKBA_ANALYSIS_SUMMARY_H

#include <stddef.h>
#include "mkba/error.h"
#include "io/h5out.h"
#include "analysis/mcse.h"

/* A mean and a 95% interval (2.5% and 97.5% percentiles). With fewer than
 * two draws there is no interval: lo and hi are NAN. */
typedef struct mkba_stat {
    double mean, lo, hi;
} mkba_stat;

/* Where an ICER sits on the cost-effectiveness plane, read on the
 * effect's improvement (the increment, or minus it for an effect where
 * less is better). MKBA_ICER_NONE: the effect did not change on average
 * (no ratio). The value is net incremental cost / improvement in every kind;
 * for MKBA_ICER_SAVING it reads as money saved per unit of the effect
 * lost (both negative), not as a cost per unit gained. */
typedef enum mkba_icer_kind {
    MKBA_ICER_RATIO = 0,    /* costlier and better */
    MKBA_ICER_DOMINANT,     /* not costlier and better */
    MKBA_ICER_DOMINATED,    /* not cheaper and worse */
    MKBA_ICER_NONE,         /* mean effect difference is exactly zero */
    MKBA_ICER_SAVING        /* cheaper and worse (south-west quadrant) */
} mkba_icer_kind;

typedef struct mkba_icer {
    double value;           /* mean net incremental cost / mean improvement */
    mkba_icer_kind kind;
    int effect_ci_has_zero; /* the effect difference's interval contains 0 */
} mkba_icer;

/* The periods of the service statistics: the first year (the cycles that
 * start within it), the mature years (the later half of the horizon,
 * cycles floor(T/2) .. T-1, so with an odd number of cycles the middle
 * one counts as mature) and the whole horizon. */
typedef enum mkba_period {
    MKBA_PERIOD_FIRST_YEAR = 0,
    MKBA_PERIOD_MATURE,
    MKBA_PERIOD_OVERALL,
    MKBA_PERIOD_N
} mkba_period;

/* The per-team measures, means over draws of (defined in docs/summary.md):
 * FTE available (the team's fte parameter), FTE used (households in care
 * with the team scaled to the population, over its caseload), in care and
 * waiting per 1000 starting households (means over the period's cycles). */
typedef enum mkba_team_measure {
    MKBA_TEAM_FTE = 0,
    MKBA_TEAM_FTE_USED,
    MKBA_TEAM_IN_CARE,
    MKBA_TEAM_QUEUE,
    MKBA_TEAM_N
} mkba_team_measure;

typedef struct mkba_summary {
    size_t ndraws, narms, npayers, neffects;
    int reference;
    /* Per arm, discounted: total cost over all payers [arm], cost per payer
     * [arm][payer], effects [arm][effect]. */
    mkba_stat *cost, *cost_payer, *effect;
    /* Per arm versus the reference, from paired per-draw differences (the
     * reference arm's rows are exactly zero): incremental cost [arm],
     * per payer [arm][payer], incremental effects [arm][effect]. */
    mkba_stat *inc_cost, *inc_cost_payer, *inc_effect;
    /* [arm]: net present value for society over the simulated horizon
     * (the answer's and the ranking's: payers' costs and monetary effects,
     * without optimism bias, deadweight, health value or residual value);
     * benefits and costs are the MKBA table's total benefits and total
     * costs (analysis/mkba_rows.h: effects against project costs), balance
     * their difference (the MKBA table's balance) and bcr the ratio of
     * their means, with no interval (lo and hi NAN, as in the MKBA
     * table). balance equals npv when those four settings are 0. */
    mkba_stat *npv, *benefits, *costs, *balance, *bcr;
    /* [arm][effect]: for non-monetary effects only (monetary ones are in
     * the NPV); entries of monetary effects and of the reference arm have
     * kind MKBA_ICER_NONE and value NAN. The cost is the net incremental
     * cost for society, -npv: the payers' costs less the monetary effects
     * (production), as in the frontier, NMB and CEAC. */
    mkba_icer *icer;

    /* Costs by category (/labels/cost_categories), discounted and summed
     * over the horizon: per arm [arm][category], and arm minus reference
     * from paired per-draw differences. NULL with ncategories 0 when the
     * totals carry no categories. */
    size_t ncategories;
    mkba_stat *cost_category, *inc_cost_category;

    /* The periods of the service and escalation statistics: cycles
     * [period_first[i], period_first[i] + period_cycles[i]) of the
     * horizon, period_years[i] years long. */
    size_t ncycles;
    size_t period_first[MKBA_PERIOD_N], period_cycles[MKBA_PERIOD_N];
    double period_years[MKBA_PERIOD_N];
    /* Entries into second-line states per 1000 starting households per
     * year, [arm][period][domain]; domain_escalates[domain] is 1 when the
     * domain has an entry anywhere in the file (any draw, arm, cycle).
     * NULL with ndomains 0 when the totals carry no escalations. */
    size_t ndomains;
    mkba_stat *escalation;
    int *domain_escalates;
    /* The same rates, arm minus reference in each draw (paired: with
     * common random numbers most of the noise cancels), [arm][period]
     * [domain]; the reference arm's entries are exactly zero. */
    mkba_stat *inc_escalation;
    /* 1 when the totals carry /draws/services; then service holds
     * [arm][period][MKBA_H5_NSERVICE] statistics, one per service array
     * (h5out.h), defined in docs/summary.md: arrivals, reached,
     * self-resolved and detected per 1000 starting households per year;
     * in care and queue as the mean per 1000 starting households; mean
     * wait in years, weighted by the households reached (over the draws
     * with an admission in the period; NaN when none has one); FTE used,
     * the mean over the period's cycles; withdrawn per 1000 starting
     * households per year (all NaN for a file without withdrawals).
     * Otherwise NULL. */
    int services;
    mkba_stat *service;
    /* Per team, when the totals carry the per-team arrays: [arm][period]
     * [team][MKBA_TEAM_N] means over draws; entries of teams the arm does
     * not run (mkba_h5_totals.arm_teams) are NaN. FTE used is NaN without
     * the team's caseload in the file, FTE available without its fte.
     * Otherwise NULL with nteams 0. */
    size_t nteams;
    double *team;
    /* Monte Carlo errors of the microsimulation's means (analysis/mcse.h);
     * NULL for a file without household batches and for the cohort trace. */
    mkba_mc_summary *mc;
} mkba_summary;

/* The type-7 (R's default) p-quantile of the n >= 1 sorted values x:
 * h = (n - 1) p, x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]).
 * p is clamped to [0, 1]. Infinite values are allowed. */
double mkba_quantile_sorted(const double *x, size_t n, double p);

/* Mean and 95% interval of x[0..n) (n >= 1), using `work` (n doubles) as
 * scratch; x is left unchanged. */
mkba_stat mkba_stat_of(const double *x, size_t n, double *work);

/* Computes the summary of t. Returns NULL with err set (MKBA_EINVAL for a
 * totals record without draws or arms or with a bad reference index,
 * MKBA_ENOMEM). */
mkba_summary *mkba_summary_alloc(const mkba_h5_totals *t, mkba_error *err);

void mkba_summary_free(mkba_summary *s);

#endif
