/* The budget view (docs/budget.md): each payer's cost per calendar year for
 * the whole target group, entrants included, undiscounted in the prices of
 * each year (nominal) and in the price year's (constant), and discounted,
 * from the per-draw arrays of /draws/budget. */
#ifndef MKBA_ANALYSIS_BUDGET_H
#define MKBA_ANALYSIS_BUDGET_H

#include <stddef.h>
#include "mkba/error.h"
#include "io/h5out.h"

/* The views, in the order of their datasets in /analysis/budget. */
typedef enum mkba_budget_view {
    MKBA_BUDGET_NOMINAL = 0,   /* undiscounted, prices of each year */
    MKBA_BUDGET_CONSTANT,      /* undiscounted, the price year's prices */
    MKBA_BUDGET_DISCOUNTED,    /* constant prices, discounted to time 0 */
    MKBA_BUDGET_NVIEWS
} mkba_budget_view;

/* The name of a view: "nominal", "constant", "discounted". */
const char *mkba_budget_view_name(mkba_budget_view v);

/* A file's budget view per draw. */
typedef struct mkba_budget {
    size_t ndraws, narms, npayers, nyears;
    double population;         /* households in the target group at the start */
    double inflow;             /* households entering per year, as simulated */
    int *calendar_year;        /* [Y] */
    double *price_index;       /* [Y] */
    char **fund, **taakveld;   /* [P] */
    /* [view][D][A][P][Y]: money for the whole population. */
    double *money;
    double *households;        /* [D][A][Y]: in the model at the start of year y */
    double *wage_index;        /* [Y]: the teams' wages and index = "wage" rules
                                  (the price index in files written before it) */
    int wage_priced;           /* some cost is at the wage index (else the wage
                                  index prices nothing and is not reported) */
} mkba_budget;

/* The yearly views of one set of per-draw arrays, a pure function:
 * cost, wages (the part of cost that is the teams' wages; NULL: none) and
 * cost_disc are [n][T][P] per starting household (n = draws x arms),
 * households [n][T+1] likewise; cycles group into years of cpy cycles (a
 * last incomplete year counts). For each of the n rows, payer p and year y
 * (Y = ceil(T / cpy)), with W the year's wages and C its cost, summed over
 * its cycles:
 *   constant   = population x C
 *   nominal    = population x ((C - W) x price_index[y] + W x wage_index[y])
 *   discounted = population x sum over the year's cycles of cost_disc
 * into money[view][n][P][Y], and households in the model at the start of
 * year y, population x households[(y cpy)], into hh[n][Y]. */
void mkba_budget_years(const double *cost, const double *wages, const double *cost_disc,
                       const double *households, size_t n, size_t T, size_t P, size_t cpy,
                       const double *price_index, const double *wage_index,
                       double population, double *money, double *hh);

/* Reads the budget view of the result file open in st, whose totals are t
 * (draws, arms, payers, cycles). *out is NULL (and MKBA_OK returned) when
 * the file has none (a scenario without a population block). */
int mkba_budget_read(mkba_h5_store *st, const mkba_h5_totals *t, mkba_budget **out,
                     mkba_error *err);
void mkba_budget_free(mkba_budget *b);

/* Mean, 2.5% and 97.5% over the draws of view v, into st[A][P][Y][3];
 * of the households when v is MKBA_BUDGET_NVIEWS, into st[A][Y][3].
 * work holds 2 x ndraws doubles. */
void mkba_budget_stats(const mkba_budget *b, int v, double *st, double *work);

/* Writes /analysis/budget into the writable file st when the file has a
 * budget view (else nothing). */
int mkba_budget_store(mkba_h5_store *st, const mkba_h5_totals *t, mkba_error *err);

#endif
