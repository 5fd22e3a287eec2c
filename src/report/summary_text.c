/* The summary as text. Tables are long (one row per arm and quantity) so
 * they stay readable with any number of arms, payers and effects. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/strutil.h"
#include "analysis/mkba_rows.h"
#include "report.h"
#include "summary_text.h"

#define NUM_WIDTH 12

/* How a quantity's numbers are written. */
typedef enum value_kind { V_MONEY, V_EFFECT, V_RATIO } value_kind;

typedef struct table {
    FILE *f;
    int arm_width, label_width;
    int interval;             /* print the 2.5% and 97.5% columns */
} table;

static void put_number(FILE *f, double x, value_kind kind)
{
    if (isnan(x))
        fprintf(f, " %*s", NUM_WIDTH, "n/a");
    else if (isinf(x))
        fprintf(f, " %*s", NUM_WIDTH, x > 0 ? "inf" : "-inf");
    else if (kind == V_MONEY)
        /* Adding 0.0 turns a rounded -0 into 0. */
        fprintf(f, " %*.0f", NUM_WIDTH, round(x) + 0.0);
    else if (kind == V_RATIO)
        fprintf(f, " %*.2f", NUM_WIDTH, x);
    else
        fprintf(f, " %*.4f", NUM_WIDTH, x);
}

static void table_head(const table *t, const char *first)
{
    fputs("  ", t->f);
    mkba_text_pad(t->f, first, (size_t)t->arm_width, 0);
    fprintf(t->f, "  %-*s %*s", t->label_width, "", NUM_WIDTH, "mean");
    if (t->interval)
        fprintf(t->f, " %*s %*s", NUM_WIDTH, "2.5%", NUM_WIDTH, "97.5%");
    fputc('\n', t->f);
}

static void table_row(const table *t, const char *arm, const char *label,
                      const mkba_stat *s, value_kind kind)
{
    fputs("  ", t->f);
    mkba_text_pad(t->f, arm, (size_t)t->arm_width, 0);
    fputs("  ", t->f);
    mkba_text_pad(t->f, label, (size_t)t->label_width, 0);
    put_number(t->f, s->mean, kind);
    if (t->interval) {
        put_number(t->f, s->lo, kind);
        put_number(t->f, s->hi, kind);
    }
    fputc('\n', t->f);
}

static int max_int(int a, int b) { return a > b ? a : b; }

static const char *unit_of(const mkba_h5_totals *t, size_t e)
{
    return t->effect_unit && t->effect_unit[e] && t->effect_unit[e][0] ? t->effect_unit[e]
                                                                        : t->effect[e];
}

static void print_header(FILE *f, const mkba_summary_header *h, const mkba_h5_totals *t)
{
    if (h->scenario != NULL)
        fprintf(f, "Scenario        %s\n", h->scenario);
    fprintf(f, "Result file     %s\n", h->file ? h->file : "");
    if (t->design != NULL && strcmp(t->design, "points") == 0)
        fprintf(f, "Points          %zu points of a design (explicit values, /design), all on "
                "the random numbers of draw %s: intervals are over the points, not PSA\n",
                t->ndraws, t->design_draw != NULL ? t->design_draw : "?");
    else if (h->draws < 0 || (h->draws > 0 && t->ndraws != (size_t)h->draws))
        fprintf(f, "Draws           %zu stored%s%s\n", t->ndraws,
                h->draws > 0 ? " (part of a split run)" : "",
                t->ndraws >= 2 ? "; intervals are 2.5% and 97.5% percentiles" : "; no intervals");
    else if (h->draws > 0)
        fprintf(f, "Draws           %ld PSA draws; intervals are 2.5%% and 97.5%% percentiles\n",
                h->draws);
    else
        fprintf(f, "Draws           base case only (every parameter at its %s); no intervals\n",
                h->base_case && strcmp(h->base_case, "mode") == 0 ? "mode" : "mean");
    if (t->fixed != NULL)
        fprintf(f, "Fixed (--set)   %s\n", t->fixed);
    if (h->households > 0)
        fprintf(f, "Households      %ld per draw (%s)\n", h->households,
                h->mode ? h->mode : "microsimulation");
    else if (h->households == 0)
        fprintf(f, "Households      expected values (%s)\n", h->mode ? h->mode : "cohort");
    fprintf(f, "Horizon         %.4g years (%zu cycles of ", (double)t->ncycles * t->cycle_years,
            t->ncycles);
    if (t->cycle_years == 1.0)
        fprintf(f, "1 year)\n");
    else if (fabs(12.0 * t->cycle_years - 1.0) < 1e-9)
        fprintf(f, "1 month)\n");
    else
        fprintf(f, "%.4g years)\n", t->cycle_years);
    fprintf(f, "Discount rates  costs %.4g%%, effects %.4g%% per year\n",
            100.0 * t->rate_costs, 100.0 * t->rate_effects);
    fprintf(f, "Money           %s, price year %d\n", t->currency ? t->currency : "",
            t->price_year);
    fprintf(f, "Unit            per household of the starting cohort, present value at the start\n");
    fprintf(f, "Reference arm   %s\n", t->arm[t->reference]);
    for (size_t e = 0; e < t->neffects; e++) {
        fprintf(f, "%-16s%s: %s%s\n", e == 0 ? "Effects" : "", t->effect[e], unit_of(t, e),
                t->effect_monetary[e] ? " (monetary)" : "");
    }
}

void mkba_summary_print(FILE *f, const mkba_summary_header *h,
                        const mkba_h5_totals *t, const mkba_summary *s)
{
    const char *cur = t->currency ? t->currency : "";
    size_t np = s->npayers, ne = s->neffects;
    char label[512];

    table tb = { f, (int)strlen("arm"), 0, s->ndraws >= 2 };
    for (size_t a = 0; a < s->narms; a++)
        tb.arm_width = max_int(tb.arm_width, (int)mkba_utf8_width(t->arm[a]));
    tb.label_width = (int)strlen("benefit-cost ratio");
    /* The increments' last rows carry the MKBA table's labels: wide
     * enough for them, so their numbers stay in their columns. */
    if (s->narms >= 2) {
        static const int last[] = { MKBA_ROW_BENEFITS, MKBA_ROW_COSTS, MKBA_ROW_BALANCE };
        for (size_t i = 0; i < sizeof last / sizeof *last; i++)
            tb.label_width = max_int(tb.label_width,
                                     (int)mkba_utf8_width(mkba_rows_label(last[i])));
        tb.label_width = max_int(tb.label_width, (int)mkba_utf8_width(MKBA_NPV_LABEL));
    }
    for (size_t p = 0; p < np; p++)
        tb.label_width = max_int(tb.label_width, (int)mkba_utf8_width(t->payer[p]) + 2);
    for (size_t e = 0; e < ne; e++)
        tb.label_width = max_int(tb.label_width, (int)mkba_utf8_width(t->effect[e]));

    print_header(f, h, t);

    fprintf(f, "\nDiscounted costs (%s per household)\n", cur);
    table_head(&tb, "arm");
    for (size_t a = 0; a < s->narms; a++) {
        table_row(&tb, t->arm[a], "total", &s->cost[a], V_MONEY);
        for (size_t p = 0; p < np; p++) {
            snprintf(label, sizeof label, "  %s", t->payer[p]);
            table_row(&tb, "", label, &s->cost_payer[a * np + p], V_MONEY);
        }
    }

    if (ne > 0) {
        fprintf(f, "\nDiscounted effects (per household; monetary ones in %s)\n", cur);
        table_head(&tb, "arm");
        for (size_t a = 0; a < s->narms; a++)
            for (size_t e = 0; e < ne; e++)
                table_row(&tb, e == 0 ? t->arm[a] : "", t->effect[e], &s->effect[a * ne + e],
                          t->effect_monetary[e] ? V_MONEY : V_EFFECT);
    }

    if (s->narms < 2)
        return;
    const char *ref = t->arm[s->reference];
    fprintf(f, "\nVersus the reference arm %s (arm minus %s in each draw; money in %s per household)\n",
            ref, ref, cur);
    table_head(&tb, "arm");
    int differ = 0;
    for (size_t a = 0; a < s->narms; a++) {
        if ((int)a == s->reference)
            continue;
        table_row(&tb, t->arm[a], "cost, total", &s->inc_cost[a], V_MONEY);
        for (size_t p = 0; p < np; p++) {
            snprintf(label, sizeof label, "  %s", t->payer[p]);
            table_row(&tb, "", label, &s->inc_cost_payer[a * np + p], V_MONEY);
        }
        for (size_t e = 0; e < ne; e++)
            table_row(&tb, "", t->effect[e], &s->inc_effect[a * ne + e],
                      t->effect_monetary[e] ? V_MONEY : V_EFFECT);
        table_row(&tb, "", mkba_rows_label(MKBA_ROW_BENEFITS), &s->benefits[a], V_MONEY);
        table_row(&tb, "", mkba_rows_label(MKBA_ROW_COSTS), &s->costs[a], V_MONEY);
        table_row(&tb, "", mkba_rows_label(MKBA_ROW_BALANCE), &s->balance[a], V_MONEY);
        table_row(&tb, "", mkba_rows_label(MKBA_ROW_BCR), &s->bcr[a], V_RATIO);
        table_row(&tb, "", MKBA_NPV_LABEL, &s->npv[a], V_MONEY);
        differ |= fabs(s->balance[a].mean - s->npv[a].mean)
                  > 1e-9 * (fabs(s->npv[a].mean) + 1.0);
    }
    fprintf(f, "  total costs = project costs + optimism bias, where project costs = the arm's\n"
               "  delivery costs (team, programme, investment, overheads) - the reference's;\n"
               "  total benefits = provision no longer needed + monetary effects (+ health\n"
               "  valued in money + effects after the horizon) - deadweight, without transfers\n"
               "  (they net out for society): the MKBA table's totals and balance;\n"
               "  benefit-cost ratio = mean total benefits / mean total costs, a ratio of\n"
               "  means without an interval (n/a) (docs/decision.md).\n"
               "  %s = monetary effects gained - extra costs of all payers over the\n"
               "  simulated horizon: the NPV of the answer, the ranking and P(NPV > 0).\n",
            MKBA_NPV_LABEL);
    if (differ)
        fprintf(f, "  The MKBA balance differs from the answer's NPV: optimism bias, deadweight,\n"
                   "  a health value or a residual value is set (analysis group); the answer\n"
                   "  and ranking use the NPV without them.\n");

    int any_icer = 0;
    for (size_t e = 0; e < ne; e++)
        any_icer |= !t->effect_monetary[e];
    if (!any_icer)
        return;
    fprintf(f, "\nICERs (mean incremental net cost / mean improvement in the effect)\n");
    for (size_t a = 0; a < s->narms; a++) {
        if ((int)a == s->reference)
            continue;
        for (size_t e = 0; e < ne; e++) {
            if (t->effect_monetary[e])
                continue;
            const mkba_icer *ic = &s->icer[a * ne + e];
            const char *unit = unit_of(t, e);
            fputs("  ", f);
            mkba_text_pad(f, t->arm[a], (size_t)tb.arm_width, 0);
            fputs("  ", f);
            mkba_text_pad(f, t->effect[e], (size_t)tb.label_width, 0);
            fputc(' ', f);
            if (ic->kind == MKBA_ICER_NONE) {
                fprintf(f, "%*s  no change in %s\n", NUM_WIDTH, "n/a", t->effect[e]);
                continue;
            }
            int lower = t->effect_lower_is_better != NULL && t->effect_lower_is_better[e];
            /* Cheaper and worse: the ratio is a saving per unit lost (or,
             * for a bad effect, per unit added), not a cost per unit gained. */
            if (ic->kind == MKBA_ICER_SAVING)
                fprintf(f, "%*.0f  %s saved per %s %s; cheaper, %s %s", NUM_WIDTH,
                        ic->value + 0.0, cur, unit, lower ? "added" : "lost",
                        lower ? "more" : "less", t->effect[e]);
            else
                fprintf(f, "%*.0f  %s per %s %s", NUM_WIDTH, ic->value + 0.0, cur, unit,
                        lower ? "avoided" : "gained");
            if (ic->kind == MKBA_ICER_DOMINANT)
                fprintf(f, "; dominant: not costlier, %s %s", lower ? "less" : "more",
                        t->effect[e]);
            else if (ic->kind == MKBA_ICER_DOMINATED)
                fprintf(f, "; dominated: not cheaper, %s %s", lower ? "more" : "less",
                        t->effect[e]);
            if (ic->effect_ci_has_zero)
                fprintf(f, "; the effect's interval includes 0");
            fputc('\n', f);
        }
    }
    fprintf(f, "  For an effect where less is better the improvement is reference minus arm,\n"
               "  so \"dominant\" always means cheaper and better. Net cost: society's\n"
               "  discounted cost less the monetary effects that count for society\n"
               "  (production, e.g. wages, wage taxes and displacement, if any), i.e. minus\n"
               "  the NPV for society; the frontier, NMB, CEAC and EVPI use the same cost.\n");
}
