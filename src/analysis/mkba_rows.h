/* The MKBA table's rows for one draw and arm against the reference: the
 * one definition of costs and benefits that the MKBA table, the summary's
 * benefits, costs and benefit-cost ratio, the JSON and the report share
 * (docs/decision.md, "One definition of costs and benefits").
 *
 * Delivery costs are what an arm spends to deliver itself: the cost
 * categories of MKBA_PROJECT_CATEGORIES (team staff, intakes and handovers;
 * programme overheads; one-off investment; overheads), gross, for the arm
 * and for the reference. Project costs are their difference, arm minus
 * reference, split by category: in the classic reference the providers'
 * staff are delivery costs too, so an integrated team that replaces them
 * costs the difference. Effects are everything else: the provision avoided
 * (every other real cost, every payer, without transfers), the monetary
 * effects by their MKBA category and, with a stated value per unit, the
 * health effect (QALYs) valued in money. With residual_years N > 0 the last
 * year of the horizon, costs and effects, continues for N more years (the
 * residual value). */
#ifndef MKBA_ANALYSIS_MKBA_ROWS_H
#define MKBA_ANALYSIS_MKBA_ROWS_H

#include <stddef.h>
#include "io/h5out.h"

/* The project cost categories, in the table's order, listed once:
 * X(ROW suffix, category name, label of its share of the project costs).
 * The services engine books staff, intakes and handovers as "team",
 * overheads as "programme"; a cost rule may name any of them. */
#define MKBA_PROJECT_CATEGORIES(X) \
    X(TEAM, "team", "project costs, of which team") \
    X(PROGRAMME, "programme", "project costs, of which programme") \
    X(INVESTMENT, "investment", "project costs, of which investment (switching: one-off and double running)") \
    X(OVERHEADS, "overheads", "project costs, of which overheads")

/* Rows of the MKBA table, in order (labels: mkba_rows_label). */
enum {
    MKBA_ROW_DELIVERY_ARM = 0, /* the arm's delivery costs, gross (the project
                                  categories, over the horizon) */
    MKBA_ROW_DELIVERY_REF,     /* the reference's delivery costs, gross */
    MKBA_ROW_PROJECT_COSTS,    /* the two rows above: arm - reference */
#define MKBA_ROW_OF_(id, name, label) MKBA_ROW_OF_##id,
    MKBA_PROJECT_CATEGORIES(MKBA_ROW_OF_) /* project costs of one category */
#undef MKBA_ROW_OF_
    MKBA_ROW_PROJECT_AFTER,    /* the last year's project costs continued for
                                  residual_years beyond the horizon */
    MKBA_ROW_OPTIMISM,         /* optimism bias x the increase of each project
                                  category (horizon and after), a fall none */
    MKBA_ROW_COSTS,            /* project costs (horizon and after) + optimism bias */
    MKBA_ROW_DIRECT,           /* avoided provision + direct monetary effects */
    MKBA_ROW_INDIRECT,         /* indirect monetary effects (production) */
    MKBA_ROW_EXTERNAL,         /* external monetary effects */
    MKBA_ROW_HEALTH,           /* the health effect x its value per unit
                                  (analysis.health_value), else 0 and a PM row */
    MKBA_ROW_RESIDUAL,         /* the last year's effects continued for
                                  residual_years beyond the horizon */
    MKBA_ROW_DEADWEIGHT,       /* - deadweight x (direct ... residual) */
    MKBA_ROW_BENEFITS,         /* the four effect rows + deadweight row */
    MKBA_ROW_BALANCE,          /* benefits - costs */
    MKBA_ROW_BCR,              /* mean benefits / mean costs */
    MKBA_ROW_N
};

/* The number of project cost categories (rows MKBA_ROW_OF_TEAM ...). */
#define MKBA_NPROJECT (MKBA_ROW_PROJECT_AFTER - MKBA_ROW_OF_TEAM)

/* The label of the NPV the answer, the ranking and P(NPV > 0) use, beside
 * the MKBA balance in every output: society's over the simulated horizon,
 * without optimism bias, deadweight, health value or residual value. */
#define MKBA_NPV_LABEL "NPV for society (horizon, the answer's)"

/* The note on the cost C of the ICERs, frontier, NMB, CEAC and EVPI: net
 * of the monetary effects, so the incremental net cost is minus the NPV
 * above (docs/decision.md, "Net monetary benefit"). */
#define MKBA_NET_COST_NOTE "Net cost: society's discounted cost less the monetary effects " \
    "that count for society (production, e.g. wages, wage taxes and displacement; none when " \
    "the scenario has no monetary effect), so an arm's net " \
    "cost less the reference's is minus its NPV for society; the ICERs, frontier, NMB, CEAC " \
    "and EVPI all use it."

/* The label of MKBA table row `row` ("project costs (arm - reference)",
 * ...); "" for a row out of range. */
const char *mkba_rows_label(int row);

/* Whether cost category `name` is a project cost: 1 + its index in
 * MKBA_PROJECT_CATEGORIES ("team" 1, "programme" 2, "investment" 3,
 * "overheads" 4), 0 for any other category. The services engine books
 * staff, intakes and handovers as "team", the yearly overheads as
 * "programme" and the one-off costs of switching model as "investment". */
int mkba_rows_project_category(const char *name);

/* Fills project[c] (t->ncategories ints) with mkba_rows_project_category
 * of t's category c. */
void mkba_rows_project_mask(const mkba_h5_totals *t, int *project);

/* Whether the table shows row `row` for the categories of t: a row of one
 * project category only when t has that category. */
int mkba_rows_category_present(const mkba_h5_totals *t, int row);

/* Rows 0 .. MKBA_ROW_BCR - 1 of arm a against t->reference in draw d,
 * into v (the BCR is a ratio of means: mkba_rows_bcr). With optimism bias
 * and deadweight 0 the balance is the society NPV of docs/summary.md. */
void mkba_rows_compute(const mkba_h5_totals *t, const int *project, size_t d, size_t a,
                    double v[MKBA_ROW_N]);

/* The benefit-cost ratio of total benefits b over total costs c: b / c for
 * c > 0, +inf for c == 0 and b > 0, NAN otherwise (no cost, or a project
 * that costs less to deliver than the reference: read the balance). */
double mkba_rows_bcr(double b, double c);

#endif
