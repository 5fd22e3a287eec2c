/* The one definition of the MKBA table's costs and benefits
 * (docs/decision.md). */
#include <math.h>
#include <string.h>
#include "mkba_rows.h"

static const char *const row_label[MKBA_ROW_N] = {
    [MKBA_ROW_DELIVERY_ARM] = "delivery costs of the arm (gross)",
    [MKBA_ROW_DELIVERY_REF] = "delivery costs of the reference (gross)",
    [MKBA_ROW_PROJECT_COSTS] = "project costs (arm - reference)",
#define LABEL_(id, name, label) [MKBA_ROW_OF_##id] = label,
    MKBA_PROJECT_CATEGORIES(LABEL_)
#undef LABEL_
    [MKBA_ROW_PROJECT_AFTER] = "project costs after the horizon",
    [MKBA_ROW_OPTIMISM] = "optimism bias",
    [MKBA_ROW_COSTS] = "total costs (project + optimism bias)",
    [MKBA_ROW_DIRECT] = "direct effects",
    [MKBA_ROW_INDIRECT] = "indirect effects",
    [MKBA_ROW_EXTERNAL] = "external effects",
    [MKBA_ROW_HEALTH] = "health (valued in money)",
    [MKBA_ROW_RESIDUAL] = "effects after the horizon",
    [MKBA_ROW_DEADWEIGHT] = "deadweight",
    [MKBA_ROW_BENEFITS] = "total benefits",
    [MKBA_ROW_BALANCE] = "MKBA balance (benefits - costs)",
    [MKBA_ROW_BCR] = "benefit-cost ratio",
};

/* What an arm spends to deliver itself, listed once (mkba_rows.h). */
static const char *const project_category[MKBA_NPROJECT] = {
#define NAME_(id, name, label) name,
    MKBA_PROJECT_CATEGORIES(NAME_)
#undef NAME_
};

const char *mkba_rows_label(int row)
{
    return row >= 0 && row < MKBA_ROW_N ? row_label[row] : "";
}

int mkba_rows_project_category(const char *name)
{
    for (int i = 0; name != NULL && i < MKBA_NPROJECT; i++)
        if (strcmp(name, project_category[i]) == 0)
            return 1 + i;
    return 0;
}

void mkba_rows_project_mask(const mkba_h5_totals *t, int *project)
{
    for (size_t c = 0; c < t->ncategories; c++)
        project[c] = mkba_rows_project_category(t->category[c]);
}

int mkba_rows_category_present(const mkba_h5_totals *t, int row)
{
    if (row < MKBA_ROW_OF_TEAM || row >= MKBA_ROW_OF_TEAM + MKBA_NPROJECT)
        return 1;
    for (size_t c = 0; c < t->ncategories; c++)
        if (mkba_rows_project_category(t->category[c]) == 1 + row - MKBA_ROW_OF_TEAM)
            return 1;
    return 0;
}

/* Discounted delivery costs of arm a in draw d, summed over the horizon:
 * by project category into by[MKBA_NPROJECT], their sum returned. */
static double project_cost(const mkba_h5_totals *t, const int *project, size_t d, size_t a,
                           double by[MKBA_NPROJECT])
{
    for (int j = 0; j < MKBA_NPROJECT; j++)
        by[j] = 0.0;
    if (t->cost_category_disc == NULL)
        return 0.0;
    size_t nc = t->ncategories;
    const double *v = t->cost_category_disc + (d * t->narms + a) * t->ncycles * nc;
    for (size_t k = 0; k < t->ncycles; k++)
        for (size_t c = 0; c < nc; c++)
            if (project[c] > 0 && project[c] <= MKBA_NPROJECT)
                by[project[c] - 1] += v[k * nc + c];
    double sum = 0.0;
    for (int j = 0; j < MKBA_NPROJECT; j++)
        sum += by[j];
    return sum;
}

/* Society's discounted real cost of arm a in draw d: the payers' costs
 * summed, in which every transfer cancels (its payer's cost, its
 * recipient's gain). */
static double society_cost(const mkba_h5_totals *t, size_t d, size_t a)
{
    const double *row = t->cost_total_disc + (d * t->narms + a) * t->npayers;
    double sum = 0.0;
    for (size_t p = 0; p < t->npayers; p++)
        sum += row[p];
    return sum;
}

/* Money per unit of effect e in the table: the stated value of the
 * health effect (its sign turned for an effect where less is better),
 * 1 for a monetary effect, 0 for any other. */
static double money_per_unit(const mkba_h5_totals *t, size_t e)
{
    if (t->effect_monetary[e])
        return 1.0;
    if ((int)e != t->health_effect || !(t->health_value > 0.0))
        return 0.0;
    int lower = t->effect_lower_is_better != NULL && t->effect_lower_is_better[e];
    return lower ? -t->health_value : t->health_value;
}

/* sum_{j=1..n} (1 + rate)^-j: a yearly amount continued n years, in
 * closed form so that no count read from a file sets a loop's length. */
static double annuity(double rate, int n)
{
    if (rate == 0.0)
        return (double)n;
    return (1.0 - pow(1.0 + rate, -(double)n)) / rate;
}

/* The residual value of arm a in draw d: the last full year of the horizon
 * (the last cycles covering a year, or the last cycle when cycles are
 * longer), per year, continued for t->residual_years years and discounted
 * further from the end of the horizon. Under the half-cycle correction the
 * last cycle counts its occupancy by 1/2 (or 3/2) while the services'
 * costs in it are whole, so the year is taken from the cycles before it,
 * moved one cycle later by discounting, and the first cycle (also
 * corrected) is left out when the horizon allows. Project costs go to
 * *project_after, by category to after[MKBA_NPROJECT], the provision
 * avoided and the monetary effects to *effects_after. */
static void residual(const mkba_h5_totals *t, const int *project, size_t d, size_t a,
                     double *project_after, double after[MKBA_NPROJECT],
                     double *effects_after)
{
    size_t T = t->ncycles, nc = t->ncategories, np = t->npayers, ne = t->neffects;
    size_t r = (size_t)t->reference, m = 1, skip = 0;
    if (t->cycle_years < 1.0)
        m = (size_t)floor(1.0 / t->cycle_years + 0.5);
    if (t->last_cycle_partial && T >= 2) {
        skip = 1;
        size_t whole = T >= 3 ? T - 2 : T - 1; /* cycles 2 .. T-1 */
        if (m > whole)
            m = whole;
    }
    if (m > T - skip)
        m = T - skip;
    double proj[MKBA_NPROJECT] = { 0.0 }, real = 0.0, money = 0.0;
    for (size_t k = T - skip - m; k < T - skip; k++) {
        const double *ca = t->cost_disc + ((d * t->narms + a) * T + k) * np;
        const double *cr = t->cost_disc + ((d * t->narms + r) * T + k) * np;
        for (size_t p = 0; p < np; p++)
            real += ca[p] - cr[p];
        const double *ea = t->effect_disc + ((d * t->narms + a) * T + k) * ne;
        const double *er = t->effect_disc + ((d * t->narms + r) * T + k) * ne;
        for (size_t e = 0; e < ne; e++)
            if (money_per_unit(t, e) != 0.0)
                money += money_per_unit(t, e) * (ea[e] - er[e]);
        if (t->cost_category_disc == NULL)
            continue;
        const double *ga = t->cost_category_disc + ((d * t->narms + a) * T + k) * nc;
        const double *gr = t->cost_category_disc + ((d * t->narms + r) * T + k) * nc;
        for (size_t c = 0; c < nc; c++)
            if (project[c] > 0 && project[c] <= MKBA_NPROJECT)
                proj[project[c] - 1] += ga[c] - gr[c];
    }
    double years = (double)m * t->cycle_years, shift = (double)skip * t->cycle_years;
    double cost_years = pow(1.0 + t->rate_costs, -shift)
                        * annuity(t->rate_costs, t->residual_years) / years;
    double effect_years = pow(1.0 + t->rate_effects, -shift)
                          * annuity(t->rate_effects, t->residual_years) / years;
    double sum = 0.0;
    for (int j = 0; j < MKBA_NPROJECT; j++) {
        after[j] = proj[j] * cost_years;
        sum += proj[j];
    }
    *project_after = sum * cost_years;
    *effects_after = (sum - real) * cost_years + money * effect_years;
}

void mkba_rows_compute(const mkba_h5_totals *t, const int *project, size_t d, size_t a,
                    double v[MKBA_ROW_N])
{
    size_t r = (size_t)t->reference, ne = t->neffects;
    for (int i = 0; i < MKBA_ROW_N; i++)
        v[i] = 0.0;
    double by_a[MKBA_NPROJECT], by_r[MKBA_NPROJECT], after[MKBA_NPROJECT] = { 0.0 };
    v[MKBA_ROW_DELIVERY_ARM] = project_cost(t, project, d, a, by_a);
    v[MKBA_ROW_DELIVERY_REF] = project_cost(t, project, d, r, by_r);
    double project_change = v[MKBA_ROW_DELIVERY_ARM] - v[MKBA_ROW_DELIVERY_REF];
    double real_change = society_cost(t, d, a) - society_cost(t, d, r);
    v[MKBA_ROW_PROJECT_COSTS] = project_change;
    for (int j = 0; j < MKBA_NPROJECT; j++)
        v[MKBA_ROW_OF_TEAM + j] = by_a[j] - by_r[j];
    /* Every real cost that is not the project's own is provision: its
     * fall is the avoided provision, a direct effect. */
    v[MKBA_ROW_DIRECT] = project_change - real_change;
    const double *ea = t->effect_total_disc + (d * t->narms + a) * ne;
    const double *er = t->effect_total_disc + (d * t->narms + r) * ne;
    /* A record built by hand without categories counts every monetary
     * effect as direct. */
    for (size_t e = 0; e < ne; e++)
        if (t->effect_monetary[e])
            v[MKBA_ROW_DIRECT + (t->effect_category ? t->effect_category[e] : 0)]
                += ea[e] - er[e];
    double gross = v[MKBA_ROW_DIRECT] + v[MKBA_ROW_INDIRECT] + v[MKBA_ROW_EXTERNAL];
    /* Only with a stated value, so the totals without one stay bit for bit. */
    if (t->health_effect >= 0 && (size_t)t->health_effect < ne && t->health_value > 0.0) {
        size_t h = (size_t)t->health_effect;
        v[MKBA_ROW_HEALTH] = money_per_unit(t, h) * (ea[h] - er[h]);
        gross += v[MKBA_ROW_HEALTH];
    }
    /* Without a residual value nothing is added, so the totals are those
     * of the horizon bit for bit. */
    if (t->residual_years > 0 && t->ncycles > 0 && t->cost_disc != NULL
        && t->effect_disc != NULL) {
        residual(t, project, d, a, &v[MKBA_ROW_PROJECT_AFTER], after, &v[MKBA_ROW_RESIDUAL]);
        project_change += v[MKBA_ROW_PROJECT_AFTER];
        gross += v[MKBA_ROW_RESIDUAL];
    }
    /* Optimism bias raises what the new spending costs (the guidance's
     * correction of the project's cost estimate): each project category's
     * increase, with its continuation after the horizon; a category the
     * arm cuts gets no uplift on its saving, so an arm that saves staff
     * but invests still carries the uplift on the investment. */
    double increase = 0.0;
    for (int j = 0; j < MKBA_NPROJECT; j++)
        increase += fmax(v[MKBA_ROW_OF_TEAM + j] + after[j], 0.0);
    v[MKBA_ROW_OPTIMISM] = t->optimism_bias * increase;
    v[MKBA_ROW_COSTS] = project_change + v[MKBA_ROW_OPTIMISM];
    v[MKBA_ROW_DEADWEIGHT] = -t->deadweight * gross;
    v[MKBA_ROW_BENEFITS] = gross + v[MKBA_ROW_DEADWEIGHT];
    v[MKBA_ROW_BALANCE] = v[MKBA_ROW_BENEFITS] - v[MKBA_ROW_COSTS];
}

double mkba_rows_bcr(double b, double c)
{
    if (c > 0.0)
        return b / c;
    if (c == 0.0 && b > 0.0)
        return INFINITY;
    return NAN;
}
