/* The budget view of a result file (budget.h, docs/budget.md). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "analysis/budget.h"
#include "analysis/breakeven.h"
#include "analysis/summary.h"
#include "core/alloc.h"

static const char *const view_names[MKBA_BUDGET_NVIEWS] = {"nominal", "constant",
                                                          "discounted"};

const char *mkba_budget_view_name(mkba_budget_view v)
{
    return v >= 0 && v < MKBA_BUDGET_NVIEWS ? view_names[v] : "";
}

void mkba_budget_years(const double *cost, const double *wages, const double *cost_disc,
                       const double *households, size_t n, size_t T, size_t P, size_t cpy,
                       const double *price_index, const double *wage_index,
                       double population, double *money, double *hh)
{
    const size_t Y = mkba_years_of(T, cpy);
    double *nominal = money + MKBA_BUDGET_NOMINAL * n * P * Y;
    double *constant = money + MKBA_BUDGET_CONSTANT * n * P * Y;
    double *discounted = money + MKBA_BUDGET_DISCOUNTED * n * P * Y;
    for (size_t r = 0; r < n; r++) {
        for (size_t p = 0; p < P; p++)
            for (size_t y = 0; y < Y; y++) {
                double u = 0, d = 0, w = 0;
                for (size_t k = y * cpy; k < (y + 1) * cpy && k < T; k++) {
                    u += cost[(r * T + k) * P + p];
                    d += cost_disc[(r * T + k) * P + p];
                    w += wages != NULL ? wages[(r * T + k) * P + p] : 0.0;
                }
                size_t at = (r * P + p) * Y + y;
                constant[at] = population * u;
                nominal[at] = population * ((u - w) * price_index[y] + w * wage_index[y]);
                discounted[at] = population * d;
            }
        for (size_t y = 0; y < Y; y++)
            hh[r * Y + y] = population * households[r * (T + 1) + y * cpy];
    }
}

void mkba_budget_free(mkba_budget *b)
{
    if (b == NULL)
        return;
    mkba_free(b->calendar_year);
    mkba_free(b->price_index);
    mkba_free(b->wage_index);
    mkba_h5_store_strings_free(b->fund, b->fund != NULL ? b->npayers : 0);
    mkba_h5_store_strings_free(b->taakveld, b->taakveld != NULL ? b->npayers : 0);
    mkba_free(b->money);
    mkba_free(b->households);
    mkba_free(b);
}

/* A string label of P entries, or a parse error naming it. */
static int read_labels(mkba_h5_store *st, const char *name, size_t P, char ***out,
                       mkba_error *err)
{
    size_t n = 0;
    int rc = mkba_h5_store_read_strings(st, name, out, &n, err);
    if (rc == MKBA_OK && n != P) {
        mkba_h5_store_strings_free(*out, n);
        *out = NULL;
        rc = mkba_error_set(err, MKBA_EPARSE, "%s has %zu entries; expected one per payer (%zu)",
                            name, n, P);
    }
    return rc;
}

int mkba_budget_read(mkba_h5_store *st, const mkba_h5_totals *t, mkba_budget **out,
                     mkba_error *err)
{
    *out = NULL;
    if (!mkba_h5_store_has(st, "/draws/budget/cost"))
        return MKBA_OK;
    size_t cpy = 0;
    int rc = mkba_cycles_per_year(t->cycle_years, &cpy, err);
    if (rc != MKBA_OK)
        return rc;
    const size_t D = t->ndraws, A = t->narms, P = t->npayers, T = t->ncycles;
    const size_t Y = mkba_years_of(T, cpy), n = D * A;
    mkba_budget *b = mkba_calloc(1, sizeof *b);
    double *cost = mkba_malloc((n * T * P + 1) * sizeof *cost);
    double *cost_disc = mkba_malloc((n * T * P + 1) * sizeof *cost_disc);
    double *hh = mkba_malloc((n * (T + 1) + 1) * sizeof *hh);
    /* Files written before the wage index have neither. */
    const int has_wages = mkba_h5_store_has(st, "/draws/budget/cost_wages");
    double *wages = has_wages ? mkba_malloc((n * T * P + 1) * sizeof *wages) : NULL;
    if (b != NULL) {
        *b = (mkba_budget){D, A, P, Y, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0};
        b->calendar_year = mkba_malloc((Y + 1) * sizeof *b->calendar_year);
        b->price_index = mkba_malloc((Y + 1) * sizeof *b->price_index);
        b->wage_index = mkba_malloc((Y + 1) * sizeof *b->wage_index);
        b->money = mkba_malloc((MKBA_BUDGET_NVIEWS * n * P * Y + 1) * sizeof *b->money);
        b->households = mkba_malloc((n * Y + 1) * sizeof *b->households);
    }
    if (b == NULL || cost == NULL || cost_disc == NULL || hh == NULL
        || b->calendar_year == NULL || b->price_index == NULL || b->money == NULL
        || b->households == NULL || b->wage_index == NULL || (has_wages && wages == NULL))
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory reading the budget view");
    size_t dc[3] = {D, A, T + 1}, dcost[4] = {D, A, T, P}, dy[1] = {Y}, d2[1] = {2};
    double pop[2];
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_doubles(st, "/draws/budget/cost", 4, dcost, cost, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_doubles(st, "/draws/budget/cost_discounted", 4, dcost, cost_disc,
                                        err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_doubles(st, "/draws/budget/households", 3, dc, hh, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_doubles(st, "/labels/price_index", 1, dy, b->price_index, err);
    if (rc == MKBA_OK && has_wages)
        rc = mkba_h5_store_read_doubles(st, "/draws/budget/cost_wages", 4, dcost, wages, err);
    if (rc == MKBA_OK && has_wages)
        rc = mkba_h5_store_read_doubles(st, "/labels/wage_index", 1, dy, b->wage_index, err);
    else if (rc == MKBA_OK)
        memcpy(b->wage_index, b->price_index, Y * sizeof *b->wage_index);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_ints(st, "/labels/calendar_year", 1, dy, b->calendar_year, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_doubles(st, "/labels/budget_population", 1, d2, pop, err);
    if (rc == MKBA_OK)
        rc = read_labels(st, "/labels/budget_fund", P, &b->fund, err);
    if (rc == MKBA_OK)
        rc = read_labels(st, "/labels/budget_taakveld", P, &b->taakveld, err);
    if (rc == MKBA_OK) {
        b->population = pop[0];
        b->inflow = pop[1];
        for (size_t i = 0; has_wages && i < n * T * P && !b->wage_priced; i++)
            b->wage_priced = wages[i] != 0.0;
        mkba_budget_years(cost, wages, cost_disc, hh, n, T, P, cpy, b->price_index,
                          b->wage_index, b->population, b->money, b->households);
        *out = b;
    } else {
        mkba_budget_free(b);
    }
    mkba_free(cost);
    mkba_free(cost_disc);
    mkba_free(wages);
    mkba_free(hh);
    return rc;
}

void mkba_budget_stats(const mkba_budget *b, int v, double *st, double *work)
{
    const size_t D = b->ndraws, A = b->narms, P = b->npayers, Y = b->nyears;
    const int money = v >= 0 && v < MKBA_BUDGET_NVIEWS;
    const size_t inner = money ? P * Y : Y;
    const double *x = money ? b->money + (size_t)v * D * A * P * Y : b->households;
    for (size_t a = 0; a < A; a++)
        for (size_t i = 0; i < inner; i++) {
            /* One value per draw, gathered from the draw-major array. */
            for (size_t d = 0; d < D; d++)
                work[d] = x[(d * A + a) * inner + i];
            double *sorted = work + D;
            mkba_stat s = mkba_stat_of(work, D, sorted);
            double *o = st + (a * inner + i) * 3;
            o[0] = s.mean;
            o[1] = s.lo;
            o[2] = s.hi;
        }
}

int mkba_budget_store(mkba_h5_store *st, const mkba_h5_totals *t, mkba_error *err)
{
    mkba_budget *b = NULL;
    int rc = mkba_budget_read(st, t, &b, err);
    if (rc != MKBA_OK || b == NULL)
        return rc;
    const size_t A = b->narms, P = b->npayers, Y = b->nyears;
    double *stats = mkba_malloc((A * P * Y * 3 + 1) * sizeof *stats);
    double *work = mkba_malloc((2 * b->ndraws + 1) * sizeof *work);
    if (stats == NULL || work == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing the budget view");
    if (rc == MKBA_OK)
        rc = mkba_h5_store_group(st, "/analysis/budget", "the budget view for the whole "
                                 "population per payer and calendar year (docs/budget.md)", err);
    char name[64];
    for (int v = 0; rc == MKBA_OK && v <= MKBA_BUDGET_NVIEWS; v++) {
        int money = v < MKBA_BUDGET_NVIEWS;
        size_t dm[4] = {A, P, Y, 3}, dh[3] = {A, Y, 3};
        snprintf(name, sizeof name, "/analysis/budget/%s",
                 money ? view_names[v] : "households");
        mkba_budget_stats(b, v, stats, work);
        rc = mkba_h5_store_doubles(st, name, money ? 4 : 3, money ? dm : dh, stats, err);
    }
    mkba_free(stats);
    mkba_free(work);
    mkba_budget_free(b);
    return rc;
}
