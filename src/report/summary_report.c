/* The summary of a result file as report tables: what `mkba summary`
 * prints in every format. One builder for all formats, so csv, markdown
 * and json carry the same numbers the text shows. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "run_facts.h"
#include "answer.h"
#include "summary_report.h"
#include "analysis/budget.h"
#include "analysis/groups.h"
#include "core/alloc.h"

#define MAXCOLS 40

typedef struct builder {
    mkba_report *r;
    const mkba_h5_totals *t;
    const mkba_summary *s;
    const mkba_decision *d;
    const mkba_summary_report_options *o;
    const char *cur;
} builder;

/* A table from parallel name and kind lists. */
static mkba_rtable *table(builder *b, const char *id, const char *title, size_t n,
                          const char *const *col, const mkba_col_kind *kind)
{
    return mkba_report_table(b->r, id, title, n, col, kind);
}

/* With blended arms (/labels/blend_shares): that the parts' fixed and
 * one-off costs count at the share (docs/model.md, "Mixed arms"). */
static void blend_note(builder *b, mkba_rtable *tb)
{
    const mkba_h5_totals *t = b->t;
    if (t->blend_share == NULL)
        return;
    char names[512];
    size_t used = 0;
    names[0] = '\0';
    for (size_t a = 0; a < t->narms; a++)
        if (!(t->blend_share[a * t->narms + a] == 1.0) && used < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                     used > 0 ? ", " : "", t->arm[a]);
    mkba_rtable_note(b->r, tb, "Blended arms (%s): each draw the share-weighted sum of their "
                     "parts' results, so the parts' fixed and one-off costs (investment, "
                     "overheads, the teams' staff) count at the share;", names);
    mkba_rtable_note(b->r, tb, "a cost the mix pays once in full is understated by (1 - share) "
                     "of it: add it by hand (docs/model.md, \"Mixed arms\").");
}

static const char *ref_name(const builder *b)
{
    return b->t->arm[b->t->reference];
}

static int shown(const builder *b, size_t k)
{
    return b->o->perspective < 0 || (size_t)b->o->perspective == k;
}

/* A new row of tb that starts with the names of perspective k and arm a. */
static long pair_row(builder *b, mkba_rtable *tb, size_t k, size_t a)
{
    long row = mkba_rtable_row(b->r, tb);
    mkba_rtable_str(b->r, tb, row, 0, b->t->perspective[k]);
    mkba_rtable_str(b->r, tb, row, 1, b->t->arm[a]);
    return row;
}

static void stat_cells(mkba_rtable *t, long row, size_t col, const mkba_stat *s)
{
    mkba_rtable_num(t, row, col, s->mean);
    mkba_rtable_num(t, row, col + 1, s->lo);
    mkba_rtable_num(t, row, col + 2, s->hi);
}

static void run_table(builder *b)
{
    const mkba_h5_totals *t = b->t;
    static const char *const col[] = { "setting", "value" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT };
    mkba_rtable *tb = table(b, "run", "Run", 2, col, kind);
    char v[512];
    const char *primary = b->d->primary_effect >= 0 ? t->effect[b->d->primary_effect]
                                                    : "none (arms compared on money)";
#define ROW(name, ...)                                                        \
    do {                                                                      \
        long row_ = mkba_rtable_row(b->r, tb);                                \
        snprintf(v, sizeof v, __VA_ARGS__);                                   \
        mkba_rtable_str(b->r, tb, row_, 0, name);                             \
        mkba_rtable_str(b->r, tb, row_, 1, v);                                \
    } while (0)
    ROW("scenario", "%s", t->scenario_name ? t->scenario_name : "");
    ROW("result file", "%s", b->o->file ? b->o->file : "");
    ROW("draws", "%ld", t->draws);
    ROW("stored draws", "%zu", t->ndraws);
    ROW("households per draw", "%ld", t->households);
    ROW("mode", "%s", t->mode ? t->mode : "");
    ROW("base case", "%s", t->base_case ? t->base_case : "");
    ROW("design", "%s", t->design ? t->design : "psa");
    if (t->design_draw != NULL)
        ROW("design draw", "%s", t->design_draw);
    if (t->fixed != NULL)
        ROW("fixed (--set)", "%s", t->fixed);
    ROW("horizon years", "%.10g", (double)t->ncycles * t->cycle_years);
    ROW("cycle years", "%.10g", t->cycle_years);
    ROW("discount rate costs", "%.10g", t->rate_costs);
    ROW("discount rate effects", "%.10g", t->rate_effects);
    ROW("currency", "%s", t->currency ? t->currency : "");
    ROW("price year", "%d", t->price_year);
    ROW("unit", "per household of the starting cohort, present value at the start");
    ROW("reference arm", "%s", ref_name(b));
    ROW("primary effect", "%s", primary);
    ROW("primary effect: less is better", "%s", b->d->lower_is_better ? "yes" : "no");
    ROW("optimism bias", "%.10g", t->optimism_bias);
    ROW("deadweight", "%.10g", t->deadweight);
    ROW("population per year", "%.10g", t->population);
    ROW("population years", "%d", t->population_years);
    ROW("analysis", "%s", t->analysis_status ? t->analysis_status
                                             : "computed from the draws");
    if (b->o->file != NULL) {
        mkba_run_facts rf;
        if (mkba_run_facts_read(b->o->file, &rf) != MKBA_OK)
            b->r->failed = 1;
        if (rf.has_seed)
            ROW("seed", "%llu", (unsigned long long)rf.seed);
        else if (rf.seed_problem[0] != '\0')
            ROW("seed", "not shown (%s)", rf.seed_problem);
        if (rf.version[0] != '\0')
            ROW("mkba version", "%s", rf.version);
        if (rf.created[0] != '\0')
            ROW("created", "%s", rf.created);
    }
#undef ROW
}

/* The per-arm summary tables that the text summary prints itself. */
static void base_tables(builder *b)
{
    const mkba_h5_totals *t = b->t;
    const mkba_summary *s = b->s;
    size_t na = t->narms, np = t->npayers, ne = t->neffects;
    char item[512];
    {
        static const char *const col[] = { "arm", "payer", "mean", "2.5%", "97.5%" };
        static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_MONEY,
                                              MKBA_COL_MONEY, MKBA_COL_MONEY };
        mkba_rtable *tb = table(b, "costs", "Discounted costs per household", 5, col, kind);
        for (size_t a = 0; a < na; a++)
            for (size_t p = 0; p <= np; p++) {
                long row = mkba_rtable_row(b->r, tb);
                mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
                mkba_rtable_str(b->r, tb, row, 1, p == 0 ? "total" : t->payer[p - 1]);
                stat_cells(tb, row, 2, p == 0 ? &s->cost[a] : &s->cost_payer[a * np + p - 1]);
            }
    }
    {
        static const char *const col[] = { "arm", "effect", "unit", "mean", "2.5%", "97.5%" };
        static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_TEXT,
                                              MKBA_COL_EFFECT, MKBA_COL_EFFECT,
                                              MKBA_COL_EFFECT };
        mkba_rtable *tb = table(b, "effects", "Discounted effects per household", 6, col, kind);
        for (size_t a = 0; a < na; a++)
            for (size_t e = 0; e < ne; e++) {
                long row = mkba_rtable_row(b->r, tb);
                mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
                mkba_rtable_str(b->r, tb, row, 1, t->effect[e]);
                mkba_rtable_str(b->r, tb, row, 2, t->effect_unit[e]);
                stat_cells(tb, row, 3, &s->effect[a * ne + e]);
            }
    }
    {
        static const char *const col[] = { "arm", "item", "mean", "2.5%", "97.5%" };
        static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_EFFECT,
                                              MKBA_COL_EFFECT, MKBA_COL_EFFECT };
        char title[512];
        snprintf(title, sizeof title, "Versus the reference arm %s (arm minus reference in "
                 "each draw; money in %s per household)", ref_name(b), b->cur);
        mkba_rtable *tb = table(b, "increments", title, 5, col, kind);
        for (size_t a = 0; a < na; a++) {
            if ((int)a == t->reference)
                continue;
            for (size_t i = 0; i < 1 + np + ne + 5; i++) {
                const mkba_stat *st;
                if (i == 0) {
                    snprintf(item, sizeof item, "cost, total");
                    st = &s->inc_cost[a];
                } else if (i <= np) {
                    snprintf(item, sizeof item, "cost, %s", t->payer[i - 1]);
                    st = &s->inc_cost_payer[a * np + i - 1];
                } else if (i <= np + ne) {
                    snprintf(item, sizeof item, "effect, %s", t->effect[i - 1 - np]);
                    st = &s->inc_effect[a * ne + i - 1 - np];
                } else {
                    /* The same labels as the text summary and the MKBA table. */
                    const char *const last[5] = {
                        mkba_rows_label(MKBA_ROW_BENEFITS), mkba_rows_label(MKBA_ROW_COSTS),
                        mkba_rows_label(MKBA_ROW_BALANCE), mkba_rows_label(MKBA_ROW_BCR),
                        MKBA_NPV_LABEL };
                    const mkba_stat *const stat[5] = { &s->benefits[a], &s->costs[a],
                                                       &s->balance[a], &s->bcr[a], &s->npv[a] };
                    size_t j = i - 1 - np - ne;
                    snprintf(item, sizeof item, "%s", last[j]);
                    st = stat[j];
                }
                long row = mkba_rtable_row(b->r, tb);
                mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
                mkba_rtable_str(b->r, tb, row, 1, item);
                if (st == &s->bcr[a]) {
                    /* A ratio: the MKBA table's two decimals in every
                     * format that rounds, no interval (a ratio of means). */
                    for (size_t c = 0; c < 3; c++)
                        mkba_rtable_num_as(tb, row, 2 + c, c == 0 ? st->mean
                                           : c == 1 ? st->lo : st->hi, MKBA_COL_RATIO);
                    continue;
                }
                stat_cells(tb, row, 2, st);
            }
        }
        mkba_rtable_note(b->r, tb, "benefit-cost ratio: mean total benefits / mean total "
                         "costs, a ratio of means without an interval (n/a); the intervals "
                         "of the MKBA balance and its costs and benefits show the "
                         "uncertainty.");
    }
    {
        static const char *const col[] = { "arm", "effect", "ICER", "quadrant",
                                            "effect interval includes 0" };
        static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_MONEY,
                                              MKBA_COL_TEXT, MKBA_COL_TEXT };
        mkba_rtable *tb = table(b, "icers", "ICERs: mean incremental net cost / mean "
                                "improvement (reference minus arm for an effect where less is "
                                "better)", 5, col, kind);
        mkba_rtable_note(b->r, tb, "%s", MKBA_NET_COST_NOTE);
        static const char *const quadrant[] = {
            [MKBA_ICER_RATIO] = "ratio", [MKBA_ICER_DOMINANT] = "dominant",
            [MKBA_ICER_DOMINATED] = "dominated", [MKBA_ICER_NONE] = "no change",
            [MKBA_ICER_SAVING] = "saving per unit lost" };
        for (size_t a = 0; a < na; a++)
            for (size_t e = 0; e < ne; e++) {
                if ((int)a == t->reference || t->effect_monetary[e])
                    continue;
                const mkba_icer *ic = &s->icer[a * ne + e];
                long row = mkba_rtable_row(b->r, tb);
                mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
                mkba_rtable_str(b->r, tb, row, 1, t->effect[e]);
                mkba_rtable_num(tb, row, 2, ic->value);
                mkba_rtable_str(b->r, tb, row, 3, quadrant[ic->kind]);
                mkba_rtable_str(b->r, tb, row, 4, ic->effect_ci_has_zero ? "yes" : "no");
            }
    }
}

/* Costs by category per arm and against the reference. */
static void category_tables(builder *b)
{
    const mkba_h5_totals *t = b->t;
    const mkba_summary *s = b->s;
    size_t na = s->narms, nc = s->ncategories;
    if (nc == 0)
        return;
    static const char *const col[] = { "arm", "category", "mean", "2.5%", "97.5%" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_MONEY,
                                          MKBA_COL_MONEY, MKBA_COL_MONEY };
    char title[512];
    snprintf(title, sizeof title, "Costs by category (%s per household, discounted, summed "
             "over the horizon)", b->cur);
    mkba_rtable *tb = table(b, "cost_categories", title, 5, col, kind);
    for (size_t a = 0; a < na; a++)
        for (size_t c = 0; c < nc; c++) {
            long row = mkba_rtable_row(b->r, tb);
            mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
            mkba_rtable_str(b->r, tb, row, 1, t->category[c]);
            stat_cells(tb, row, 2, &s->cost_category[a * nc + c]);
        }
    mkba_rtable_note(b->r, tb, "Summed over payers, gross: a transfer (e.g. a benefit) counts "
                     "as its payer's spending,");
    mkba_rtable_note(b->r, tb, "its recipient's gain not subtracted, so with transfers the "
                     "categories add up to more than the total cost.");
    blend_note(b, tb);
    if (na < 2)
        return;
    snprintf(title, sizeof title, "Costs by category versus the reference arm %s (arm minus "
             "reference in each draw; %s per household, discounted)", ref_name(b), b->cur);
    tb = table(b, "cost_category_increments", title, 5, col, kind);
    for (size_t a = 0; a < na; a++) {
        if ((int)a == t->reference)
            continue;
        for (size_t c = 0; c < nc; c++) {
            long row = mkba_rtable_row(b->r, tb);
            mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
            mkba_rtable_str(b->r, tb, row, 1, t->category[c]);
            stat_cells(tb, row, 2, &s->inc_cost_category[a * nc + c]);
        }
    }
}

/* One row of the Monte Carlo error table. */
static void mc_row(builder *b, mkba_rtable *tb, size_t a, const char *what, double mean,
                   const mkba_mc_error *e, mkba_col_kind kind)
{
    long row = mkba_rtable_row(b->r, tb);
    mkba_rtable_str(b->r, tb, row, 0, b->t->arm[a]);
    mkba_rtable_str(b->r, tb, row, 1, what);
    mkba_rtable_num_as(tb, row, 2, mean, kind);
    mkba_rtable_num_as(tb, row, 3, e->mcse, kind);
    mkba_rtable_num(tb, row, 4, e->noise_share);
}

/* The Monte Carlo error of the microsimulation's main means: for a base
 * case their standard errors, for a PSA also how much of the spread over
 * draws is household noise rather than parameter uncertainty. */
static void mc_table(builder *b)
{
    const mkba_h5_totals *t = b->t;
    const mkba_summary *s = b->s;
    const mkba_mc_summary *mc = s->mc;
    if (mc == NULL)
        return;
    static const char *const col[] = { "arm", "mean of", "mean", "MCSE", "noise share" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_MONEY,
                                          MKBA_COL_MONEY, MKBA_COL_SHARE };
    char title[512], what[300];
    snprintf(title, sizeof title, "Monte Carlo error (%ld households per draw; %s per household, "
             "discounted)", t->households, b->cur);
    mkba_rtable *tb = table(b, "monte_carlo_error", title, 5, col, kind);
    const size_t E = s->neffects, r = (size_t)t->reference;
    for (size_t a = 0; a < s->narms; a++) {
        mc_row(b, tb, a, "total cost", s->cost[a].mean, &mc->cost[a], MKBA_COL_MONEY);
        if (a != r) {
            snprintf(what, sizeof what, "cost vs %s", ref_name(b));
            mc_row(b, tb, a, what, s->inc_cost[a].mean, &mc->inc_cost[a], MKBA_COL_MONEY);
            snprintf(what, sizeof what, "NPV (society) vs %s", ref_name(b));
            mc_row(b, tb, a, what, s->npv[a].mean, &mc->npv[a], MKBA_COL_MONEY);
        }
        for (size_t e = 0; e < E; e++) {
            mkba_col_kind k = t->effect_monetary[e] ? MKBA_COL_MONEY : MKBA_COL_EFFECT;
            mc_row(b, tb, a, t->effect[e], s->effect[a * E + e].mean, &mc->effect[a * E + e], k);
            if (a != r) {
                snprintf(what, sizeof what, "%s vs %s", t->effect[e], ref_name(b));
                mc_row(b, tb, a, what, s->inc_effect[a * E + e].mean,
                       &mc->inc_effect[a * E + e], k);
            }
        }
    }
    size_t used = t->nbatches;
    for (size_t d = 0; d < t->ndraws; d++) {
        size_t n = 0;
        while (n < t->nbatches && t->batch_households[d * t->nbatches + n] > 0.0)
            n++;
        used = n < used ? n : used;
    }
    if (s->ndraws < 2) {
        mkba_rtable_note(b->r, tb, "MCSE: the standard error of the mean from %zu fixed "
                         "household batches (docs/summary.md); mean +- 2 MCSE holds the value "
                         "of an unlimited population in about 95%% of runs.", used);
        mkba_rtable_note(b->r, tb, "Noise share needs PSA draws: n/a for a base case.");
    } else {
        mkba_rtable_note(b->r, tb, "MCSE: the typical standard error of one draw's mean (root "
                         "mean square over the %zu draws, each from %zu fixed household "
                         "batches); the PSA mean's own error is the standard deviation over "
                         "draws / sqrt(draws), which holds both.", s->ndraws, used);
        mkba_rtable_note(b->r, tb, "Noise share: the part of the variance over draws that is "
                         "household noise, the rest is parameter uncertainty. A share above "
                         "10%% asks for more households per draw.");
    }
}

/* The name of period p, with its years: "first year", "mature, years
 * 5-8", "overall, years 1-8". Years are numbered from 1; a period that
 * starts or ends inside a year names that year. */
static void period_name(const builder *b, int p, char *buf, size_t size)
{
    const mkba_summary *s = b->s;
    double cy = b->t->cycle_years;
    double start = (double)s->period_first[p] * cy, end = start + s->period_years[p];
    long y0 = (long)floor(start + 1e-9) + 1, y1 = (long)ceil(end - 1e-9);
    if (y1 < y0)
        y1 = y0;
    static const char *const what[MKBA_PERIOD_N] = { "first year", "mature", "overall" };
    if (p == MKBA_PERIOD_FIRST_YEAR)
        snprintf(buf, size, "%s", what[p]);
    else if (y0 == y1)
        snprintf(buf, size, "%s, year %ld", what[p], y0);
    else
        snprintf(buf, size, "%s, years %ld-%ld", what[p], y0, y1);
}

static void service_table(builder *b)
{
    const mkba_h5_totals *t = b->t;
    const mkba_summary *s = b->s;
    if (!s->services)
        return;
    static const char *const measure[MKBA_H5_NSERVICE] = {
        [MKBA_H5_SVC_ARRIVALS] = "arrivals per 1000 households per year",
        [MKBA_H5_SVC_REACHED] = "reached per 1000 households per year",
        [MKBA_H5_SVC_SELF_RESOLVED] = "self-resolved per 1000 households per year",
        [MKBA_H5_SVC_IN_CARE] = "in care per 1000 households (mean)",
        [MKBA_H5_SVC_QUEUE] = "waiting per 1000 households (mean)",
        [MKBA_H5_SVC_MEAN_WAIT] = "mean wait in years (weighted by reached)",
        [MKBA_H5_SVC_DETECTED] = "problems detected per 1000 households per year",
        [MKBA_H5_SVC_FTE_USED] = "FTE used (mean, whole population)",
        [MKBA_H5_SVC_WITHDRAWN] = "withdrawn per 1000 households per year",
    };
    /* The flows in, then out of the queue, then the stocks and staff. */
    static const int order[MKBA_H5_NSERVICE] = {
        MKBA_H5_SVC_ARRIVALS, MKBA_H5_SVC_REACHED, MKBA_H5_SVC_SELF_RESOLVED,
        MKBA_H5_SVC_WITHDRAWN, MKBA_H5_SVC_IN_CARE, MKBA_H5_SVC_QUEUE,
        MKBA_H5_SVC_MEAN_WAIT, MKBA_H5_SVC_DETECTED, MKBA_H5_SVC_FTE_USED,
    };
    static const char *const col[] = { "arm", "measure", "period", "mean", "2.5%", "97.5%" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_TEXT,
                                          MKBA_COL_RATIO, MKBA_COL_RATIO, MKBA_COL_RATIO };
    mkba_rtable *tb = table(b, "services", "Services per arm (households of the starting "
                            "cohort; means over draws)", 6, col, kind);
    char name[128];
    for (size_t a = 0; a < s->narms; a++)
        for (int j = 0; j < MKBA_H5_NSERVICE; j++)
            for (int p = 0; p < MKBA_PERIOD_N; p++) {
                int i = order[j];
                const mkba_stat *st = &s->service[(a * MKBA_PERIOD_N + (size_t)p)
                                                  * MKBA_H5_NSERVICE + (size_t)i];
                long row = mkba_rtable_row(b->r, tb);
                mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
                mkba_rtable_str(b->r, tb, row, 1, measure[i]);
                period_name(b, p, name, sizeof name);
                mkba_rtable_str(b->r, tb, row, 2, name);
                if (i == MKBA_H5_SVC_MEAN_WAIT) {
                    /* Waits are short: more decimals than the counts. */
                    mkba_rtable_num_as(tb, row, 3, st->mean, MKBA_COL_EFFECT);
                    mkba_rtable_num_as(tb, row, 4, st->lo, MKBA_COL_EFFECT);
                    mkba_rtable_num_as(tb, row, 5, st->hi, MKBA_COL_EFFECT);
                } else {
                    stat_cells(tb, row, 3, st);
                }
            }
    mkba_rtable_note(b->r, tb, "First year: the cycles starting in year 1; mature: the later "
                     "half of the horizon (%zu of %zu cycles); overall: the whole horizon.",
                     s->period_cycles[MKBA_PERIOD_MATURE], s->ncycles);
    mkba_rtable_note(b->r, tb, "Per 1000 households of the starting cohort; FTE for the "
                     "scenario's whole population. The mean wait counts the draws with an "
                     "admission in the period (n/a: none).");
    mkba_rtable_note(b->r, tb, "Withdrawn: left a queue without admission (solved while "
                     "waiting, or gone).");
}

/* Per arm and team it runs: staff and households. The text shows the
 * mature years and the whole horizon; the other formats every period. */
static void team_table(builder *b)
{
    const mkba_h5_totals *t = b->t;
    const mkba_summary *s = b->s;
    size_t nt = s->nteams;
    if (nt == 0)
        return;
    static const char *const col[] = { "arm", "team", "period", "FTE available", "FTE used",
                                        "in care per 1000", "waiting per 1000" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_TEXT,
                                          MKBA_COL_RATIO, MKBA_COL_RATIO, MKBA_COL_RATIO,
                                          MKBA_COL_RATIO };
    mkba_rtable *tb = table(b, "teams", "Teams per arm (means over draws; FTE for the "
                            "scenario's whole population)", 7, col, kind);
    char name[128];
    int missing_caseload = 0;
    for (size_t a = 0; a < s->narms; a++)
        for (size_t k = 0; k < nt; k++)
            for (int p = 0; t->arm_teams[a * nt + k] && p < MKBA_PERIOD_N; p++) {
                if (b->o->text && p == MKBA_PERIOD_FIRST_YEAR)
                    continue;
                const double *v = s->team + ((a * MKBA_PERIOD_N + (size_t)p) * nt + k)
                                  * MKBA_TEAM_N;
                long row = mkba_rtable_row(b->r, tb);
                mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
                mkba_rtable_str(b->r, tb, row, 1, t->team[k]);
                period_name(b, p, name, sizeof name);
                mkba_rtable_str(b->r, tb, row, 2, name);
                for (int i = 0; i < MKBA_TEAM_N; i++)
                    mkba_rtable_num(tb, row, 3 + (size_t)i, v[i]);
                missing_caseload |= isnan(v[MKBA_TEAM_FTE_USED]);
            }
    mkba_rtable_note(b->r, tb, "FTE available: the team's fte setting; FTE used: households "
                     "in care with the team, scaled to the population, / its caseload.");
    mkba_rtable_note(b->r, tb, "In care and waiting: per 1000 households of the starting "
                     "cohort, mean over the period's cycles. Only the teams each arm runs.");
    if (missing_caseload)
        mkba_rtable_note(b->r, tb, "FTE used n/a: the file names no caseload for the team "
                         "(written before /labels/team_caseload_parameter).");
}

static void escalation_table(builder *b)
{
    const mkba_h5_totals *t = b->t;
    const mkba_summary *s = b->s;
    size_t nd = s->ndomains, shown_domains = 0;
    if (nd == 0)
        return;
    static const char *const col[] = { "arm", "domain", "period", "mean", "2.5%", "97.5%" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_TEXT,
                                          MKBA_COL_RATIO, MKBA_COL_RATIO, MKBA_COL_RATIO };
    mkba_rtable *tb = table(b, "escalations", "Escalations to second-line care per 1000 "
                            "households per year (entries into second-line states)", 6, col,
                            kind);
    char name[128];
    for (size_t k = 0; k < nd; k++)
        shown_domains += s->domain_escalates[k] != 0;
    for (size_t a = 0; a < s->narms; a++)
        for (size_t k = 0; k < nd; k++)
            for (int p = 0; s->domain_escalates[k] && p < MKBA_PERIOD_N; p++) {
                long row = mkba_rtable_row(b->r, tb);
                mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
                mkba_rtable_str(b->r, tb, row, 1, t->domain[k]);
                period_name(b, p, name, sizeof name);
                mkba_rtable_str(b->r, tb, row, 2, name);
                stat_cells(tb, row, 3, &s->escalation[(a * MKBA_PERIOD_N + (size_t)p) * nd + k]);
            }
    if (shown_domains == 0)
        mkba_rtable_note(b->r, tb, "No escalations in any domain, draw, arm or cycle.");
    else if (shown_domains < nd)
        mkba_rtable_note(b->r, tb, "Only the domains with an escalation somewhere in the file "
                         "(%zu of %zu).", shown_domains, nd);
    if (s->narms < 2 || shown_domains == 0)
        return;
    char title[512];
    snprintf(title, sizeof title, "Escalations versus the reference arm %s (arm minus "
             "reference in each draw; per 1000 households per year)", ref_name(b));
    tb = table(b, "escalation_increments", title, 6, col, kind);
    for (size_t a = 0; a < s->narms; a++)
        for (size_t k = 0; (int)a != t->reference && k < nd; k++)
            for (int p = 0; s->domain_escalates[k] && p < MKBA_PERIOD_N; p++) {
                long row = mkba_rtable_row(b->r, tb);
                mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
                mkba_rtable_str(b->r, tb, row, 1, t->domain[k]);
                period_name(b, p, name, sizeof name);
                mkba_rtable_str(b->r, tb, row, 2, name);
                stat_cells(tb, row, 3,
                           &s->inc_escalation[(a * MKBA_PERIOD_N + (size_t)p) * nd + k]);
            }
    mkba_rtable_note(b->r, tb, "Paired per draw: the arms share their random numbers, so the "
                     "interval is that of the difference, not of the levels' spread.");
}

/* A break-even year cell: in text, +inf reads as "beyond". */
static void year_cell(builder *b, mkba_rtable *tb, long row, size_t col, double v)
{
    if (b->o->text && isinf(v) && v > 0)
        mkba_rtable_str(b->r, tb, row, col, "beyond");
    else
        mkba_rtable_num(tb, row, col, v);
}

static void cashflow_tables(builder *b)
{
    const mkba_decision *d = b->d;
    size_t na = d->narms, ny = d->nyears, nk = d->nperspectives;
    int r = d->reference;
    char title[512];
    {
        static const char *const col[] = { "perspective", "arm", "NPV", "2.5%", "97.5%",
                                            "net-cost years", "net-gain years",
                                            "NPV / net-cost years" };
        static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_MONEY,
                                              MKBA_COL_MONEY, MKBA_COL_MONEY, MKBA_COL_MONEY,
                                              MKBA_COL_MONEY, MKBA_COL_RATIO };
        snprintf(title, sizeof title, "Net present value per perspective against %s "
                 "(%s per household, discounted)", ref_name(b), b->cur);
        mkba_rtable *tb = table(b, "npv", title, 8, col, kind);
        for (size_t k = 0; k < nk; k++)
            for (size_t a = 0; shown(b, k) && a < na; a++) {
                if ((int)a == r)
                    continue;
                const double *npv = d->npv + (k * na + a) * MKBA_ST_N;
                const double *roi = d->roi + (k * na + a) * MKBA_IR_N;
                long row = pair_row(b, tb, k, a);
                for (int i = 0; i < 3; i++)
                    mkba_rtable_num(tb, row, 2 + (size_t)i, npv[i]);
                for (int i = 0; i < 3; i++)
                    mkba_rtable_num(tb, row, 5 + (size_t)i, roi[i]);
            }
        /* Not "investment" nor "ROI": the one investment is the MKBA table's
         * project costs and the one ratio its benefit-cost ratio. */
        mkba_rtable_note(b->r, tb, "net-cost years and net-gain years: present values of the "
                         "years with a net cost and with a net gain (means); the last column "
                         "is mean NPV / net-cost years, a measure of timing, not the "
                         "benefit-cost ratio.");
    }
    {
        static const char *const col[] = { "perspective", "arm", "median", "mean", "5%", "95%",
                                            "not within horizon", "payback median",
                                            "break-even year (answer)" };
        static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_YEAR,
                                              MKBA_COL_YEAR, MKBA_COL_YEAR, MKBA_COL_YEAR,
                                              MKBA_COL_SHARE, MKBA_COL_YEAR, MKBA_COL_INT };
        snprintf(title, sizeof title, "Break-even year (first year from which the cumulative "
                 "discounted net benefit stays >= 0; horizon %zu years)", ny);
        mkba_rtable *tb = table(b, "breakeven", title, 9, col, kind);
        for (size_t k = 0; k < nk; k++)
            for (size_t a = 0; shown(b, k) && a < na; a++) {
                if ((int)a == r)
                    continue;
                const double *be = d->breakeven + (k * na + a) * MKBA_BE_N;
                const double *pb = d->payback + (k * na + a) * MKBA_BE_N;
                long row = pair_row(b, tb, k, a);
                year_cell(b, tb, row, 2, be[MKBA_BE_MEDIAN]);
                year_cell(b, tb, row, 3, be[MKBA_BE_MEAN]);
                year_cell(b, tb, row, 4, be[MKBA_BE_P05]);
                year_cell(b, tb, row, 5, be[MKBA_BE_P95]);
                mkba_rtable_num(tb, row, 6, be[MKBA_BE_NEVER]);
                year_cell(b, tb, row, 7, pb[MKBA_BE_MEDIAN]);
                double year, share;
                mkba_answer_breakeven_year(d, k, a, &year, &share);
                mkba_rtable_num(tb, row, 8, year);
            }
        mkba_rtable_note(b->r, tb, "Quantiles count a draw that never breaks even as beyond "
                         "the horizon; the mean is over the draws that do. Payback: the same "
                         "rule undiscounted. Break-even year (answer): the first year by "
                         "which at least half of the draws have broken even, the number the "
                         "answer gives (a whole year; empty when fewer than half do).");
    }
    if (b->o->text && b->o->perspective < 0) {
        /* A few points of the curve P(break-even by year t). */
        static const size_t want[] = { 1, 2, 3, 5, 10, 15, 20, 30, 40, 50 };
        const char *col[MAXCOLS];
        mkba_col_kind kind[MAXCOLS];
        char names[MAXCOLS][32];
        size_t year[MAXCOLS], nc = 2;
        col[0] = "perspective";
        col[1] = "arm";
        kind[0] = kind[1] = MKBA_COL_TEXT;
        for (size_t i = 0; i < sizeof want / sizeof want[0] + 1 && nc < MAXCOLS; i++) {
            size_t y = i < sizeof want / sizeof want[0] ? want[i] : ny;
            if (y > ny || (nc > 2 && year[nc - 1] >= y))
                continue;
            snprintf(names[nc], sizeof names[nc], "year %zu", y);
            col[nc] = names[nc];
            kind[nc] = MKBA_COL_SHARE;
            year[nc++] = y;
        }
        mkba_rtable *tb = table(b, "breakeven_by_year",
                                "Probability of having broken even by year t", nc, col, kind);
        for (size_t k = 0; k < nk; k++)
            for (size_t a = 0; a < na; a++) {
                if ((int)a == r)
                    continue;
                long row = pair_row(b, tb, k, a);
                for (size_t c = 2; c < nc; c++)
                    mkba_rtable_num(tb, row, c, d->breakeven_by_year[(k * na + a) * ny
                                                                     + year[c] - 1]);
            }
        mkba_rtable_note(b->r, tb, "Use --perspective NAME for the yearly cash flows of one "
                         "perspective.");
        return;
    }
    static const char *const col[] = { "perspective", "arm", "year", "net discounted",
                                        "cumulative discounted", "net undiscounted",
                                        "cumulative undiscounted", "P(break-even by year)" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_INT,
                                          MKBA_COL_MONEY, MKBA_COL_MONEY, MKBA_COL_MONEY,
                                          MKBA_COL_MONEY, MKBA_COL_SHARE };
    snprintf(title, sizeof title, "Yearly cash flows against %s (means over draws, %s per "
             "household)", ref_name(b), b->cur);
    mkba_rtable *tb = table(b, "cashflow", title, 8, col, kind);
    for (size_t k = 0; k < nk; k++)
        for (size_t a = 0; shown(b, k) && a < na; a++) {
            if ((int)a == r)
                continue;
            for (size_t y = 0; y < ny; y++) {
                size_t i = (k * na + a) * ny + y;
                long row = pair_row(b, tb, k, a);
                mkba_rtable_num(tb, row, 2, (double)(y + 1));
                mkba_rtable_num(tb, row, 3, d->net_disc[i]);
                mkba_rtable_num(tb, row, 4, d->cum_disc[i]);
                mkba_rtable_num(tb, row, 5, d->net_undisc[i]);
                mkba_rtable_num(tb, row, 6, d->cum_undisc[i]);
                mkba_rtable_num(tb, row, 7, d->breakeven_by_year[i]);
            }
        }
}

static void payer_table(builder *b)
{
    const mkba_h5_totals *t = b->t;
    const mkba_decision *d = b->d;
    size_t np = d->npayers, nr = np + MKBA_PR_EXTRA;
    static const char *const col[] = { "arm", "who", "pays", "gains", "net", "2.5%",
                                        "97.5%", "P(net loss)" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_MONEY,
                                          MKBA_COL_MONEY, MKBA_COL_MONEY, MKBA_COL_MONEY,
                                          MKBA_COL_MONEY, MKBA_COL_SHARE };
    char title[512];
    snprintf(title, sizeof title, "Who pays, who gains against %s (present values, %s per "
             "household)", ref_name(b), b->cur);
    mkba_rtable *tb = table(b, "payers", title, 8, col, kind);
    static const char *const extra[MKBA_PR_EXTRA] = { "society at large", "society",
                                                      "municipality" };
    for (size_t a = 0; a < d->narms; a++) {
        if ((int)a == d->reference)
            continue;
        for (size_t i = 0; i < nr; i++) {
            const double *v = d->payer_table + (a * nr + i) * MKBA_PT_N;
            /* Text leaves out an empty row of effects nobody gains in particular. */
            if (b->o->text && i == np + MKBA_PR_AT_LARGE && v[MKBA_PT_INVESTMENT] == 0.0
                && v[MKBA_PT_RETURNS] == 0.0)
                continue;
            long row = mkba_rtable_row(b->r, tb);
            mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
            mkba_rtable_str(b->r, tb, row, 1, i < np ? t->payer[i] : extra[i - np]);
            for (size_t c = 0; c < MKBA_PT_N; c++)
                mkba_rtable_num(tb, row, 2 + c, v[c]);
        }
    }
    mkba_rtable_note(b->r, tb, "pays and gains: a payer's net cost and net gain over the "
                     "horizon (means), not the project costs; net = gains - pays per draw; "
                     "the payer rows and "
                     "society at large add up to society; municipality is the subtotal of "
                     "the municipal payers.");
    mkba_rtable_note(b->r, tb, "A transfer (e.g. a benefit paid to households) is paid by the "
                     "payer and gained by the receiver: it nets out for society.");
}

static void frontier_table(builder *b)
{
    const mkba_h5_totals *t = b->t;
    const mkba_decision *d = b->d;
    if (d->primary_effect < 0)
        return;
    const char *en = t->effect[d->primary_effect];
    char ecol[256], title[512];
    snprintf(ecol, sizeof ecol, "%s%s", d->lower_is_better ? "-" : "", en);
    const char *col[] = { "arm", "mean net cost", ecol, "status", "ICER", "against",
                          "cost vs reference", "effect vs reference" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_MONEY, MKBA_COL_EFFECT,
                                          MKBA_COL_TEXT, MKBA_COL_MONEY, MKBA_COL_TEXT,
                                          MKBA_COL_MONEY, MKBA_COL_EFFECT };
    snprintf(title, sizeof title, "Efficiency frontier on %s (society's mean discounted net "
             "costs)", en);
    mkba_rtable *tb = table(b, "frontier", title, 8, col, kind);
    mkba_rtable_note(b->r, tb, "%s", MKBA_NET_COST_NOTE);
    static const char *const status[] = { "frontier", "dominated", "extendedly dominated" };
    for (size_t a = 0; a < d->narms; a++) {
        const double *v = d->frontier + a * MKBA_FR_N;
        int st = d->frontier_status[a], prev = d->frontier_prev[a];
        long row = mkba_rtable_row(b->r, tb);
        mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
        mkba_rtable_num(tb, row, 1, v[MKBA_FR_COST]);
        mkba_rtable_num(tb, row, 2, v[MKBA_FR_EFFECT]);
        mkba_rtable_str(b->r, tb, row, 3, st >= 0 ? status[st] : "");
        mkba_rtable_num(tb, row, 4, v[MKBA_FR_ICER]);
        mkba_rtable_str(b->r, tb, row, 5, prev >= 0 ? t->arm[prev] : "");
        mkba_rtable_num(tb, row, 6, v[MKBA_FR_INC_COST_REF]);
        mkba_rtable_num(tb, row, 7, v[MKBA_FR_INC_EFFECT_REF]);
    }
    mkba_rtable_note(b->r, tb, "ICER: %s per unit of %s%s against the next cheaper frontier arm "
                     "(\"against\").", b->cur, en,
                     d->lower_is_better ? " avoided" : "");
    if (d->lower_is_better)
        mkba_rtable_note(b->r, tb, "Less %s is better: the effect column is minus %s, so "
                         "\"dominated\" means costlier and worse.", en, en);
}

/* The wtp indices the text shows: all when few, else five spread out. */
static size_t wtp_pick(const builder *b, size_t *idx)
{
    size_t nw = b->d->nwtp;
    if (!b->o->text || nw <= 5) {
        for (size_t i = 0; i < nw; i++)
            idx[i] = i;
        return nw;
    }
    size_t n = 0, cand[5] = { 0, nw / 4, nw / 2, 3 * nw / 4, nw - 1 };
    for (size_t i = 0; i < 5; i++)
        if (n == 0 || cand[i] != idx[n - 1])
            idx[n++] = cand[i];
    return n;
}

static void acceptability_tables(builder *b, size_t *idx)
{
    const mkba_h5_totals *t = b->t;
    const mkba_decision *d = b->d;
    size_t na = d->narms, n = wtp_pick(b, idx);
    int money = d->primary_effect < 0;
    char title[512], wcol[64];
    snprintf(wcol, sizeof wcol, "wtp (%s per unit)", b->cur);
    {
        const char *col[] = { wcol, "arm", money ? "mean NPV" : "mean NMB", "P(best)" };
        static const mkba_col_kind kind[] = { MKBA_COL_MONEY, MKBA_COL_TEXT, MKBA_COL_MONEY,
                                              MKBA_COL_SHARE };
        if (money)
            snprintf(title, sizeof title, "Acceptability on society's NPV (no non-monetary "
                     "primary effect)");
        else
            snprintf(title, sizeof title, "Cost-effectiveness acceptability (NMB = wtp x %s%s "
                     "- net cost)", d->lower_is_better ? "-" : "", t->effect[d->primary_effect]);
        mkba_rtable *tb = table(b, "ceac", title, 4, col, kind);
        if (!money)
            mkba_rtable_note(b->r, tb, "%s At wtp 0 the NMB against the reference is the "
                             "NPV for society, so P(best) there is the answer's.",
                             MKBA_NET_COST_NOTE);
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < na; a++) {
                size_t w = idx[i];
                long row = mkba_rtable_row(b->r, tb);
                mkba_rtable_num(tb, row, 0, d->wtp[w]);
                mkba_rtable_str(b->r, tb, row, 1, t->arm[a]);
                mkba_rtable_num(tb, row, 2, d->nmb_mean[w * na + a]);
                mkba_rtable_num(tb, row, 3, d->ceac[w * na + a]);
            }
        mkba_rtable_note(b->r, tb, "P(best): share of draws in which the arm has the highest "
                         "value; sums to 100%% over arms at each wtp.");
    }
    {
        const char *col[] = { wcol, "best arm (mean)", "P(best)", "EVPI per household",
                              "EVPI population" };
        static const mkba_col_kind kind[] = { MKBA_COL_MONEY, MKBA_COL_TEXT, MKBA_COL_SHARE,
                                              MKBA_COL_MONEY, MKBA_COL_MONEY };
        mkba_rtable *tb = table(b, "evpi", "Acceptability frontier and expected value of "
                                "perfect information", 5, col, kind);
        for (size_t i = 0; i < n; i++) {
            size_t w = idx[i];
            const double *ev = d->evpi + w * MKBA_EV_N;
            long row = mkba_rtable_row(b->r, tb);
            mkba_rtable_num(tb, row, 0, d->wtp[w]);
            mkba_rtable_str(b->r, tb, row, 1, t->arm[d->frontier_arm[w]]);
            mkba_rtable_num(tb, row, 2, ev[MKBA_EV_FRONTIER_PROB]);
            mkba_rtable_num(tb, row, 3, ev[MKBA_EV_PERSON]);
            mkba_rtable_num(tb, row, 4, ev[MKBA_EV_POPULATION]);
        }
        if (t->population > 0.0 && t->population_years > 0)
            mkba_rtable_note(b->r, tb, "Population: %.10g households a year for %d years, "
                             "discounted at %.4g%%.", t->population, t->population_years,
                             100.0 * t->rate_costs);
        else
            mkba_rtable_note(b->r, tb, "No population given in the scenario: no population "
                             "EVPI.");
    }
}

static void rank_table(builder *b, size_t *idx)
{
    const mkba_h5_totals *t = b->t;
    const mkba_decision *d = b->d;
    size_t na = d->narms;
    const char *col[MAXCOLS];
    mkba_col_kind kind[MAXCOLS];
    char names[MAXCOLS][32];
    size_t nc = 3;
    col[0] = "basis";
    col[1] = "wtp";
    col[2] = "arm";
    kind[0] = kind[2] = MKBA_COL_TEXT;
    kind[1] = MKBA_COL_MONEY;
    for (size_t k = 0; k < na && nc < MAXCOLS; k++, nc++) {
        snprintf(names[nc], sizeof names[nc], "rank %zu", k + 1);
        col[nc] = names[nc];
        kind[nc] = MKBA_COL_SHARE;
    }
    mkba_rtable *tb = table(b, "ranks", "Rank distribution (share of draws; rank 1 = best)", nc,
                            col, kind);
    size_t n = d->primary_effect >= 0 ? wtp_pick(b, idx) : 0;
    for (size_t i = 0; i <= n; i++) {
        const double *rk = i == 0 ? d->rank_npv : d->rank + idx[i - 1] * na * na;
        for (size_t a = 0; a < na; a++) {
            long row = mkba_rtable_row(b->r, tb);
            mkba_rtable_str(b->r, tb, row, 0, i == 0 ? "NPV (society)" : "NMB");
            if (i > 0)
                mkba_rtable_num(tb, row, 1, d->wtp[idx[i - 1]]);
            mkba_rtable_str(b->r, tb, row, 2, t->arm[a]);
            for (size_t k = 0; k < na && 3 + k < nc; k++)
                mkba_rtable_num(tb, row, 3 + k, rk[a * na + k]);
        }
    }
    size_t best = 0;
    for (size_t a = 1; a < na; a++)
        if (d->rank_npv[a * na] > d->rank_npv[best * na])
            best = a;
    mkba_rtable_note(b->r, tb, "By society's NPV, %s ranks first in %.0f%% of draws; EVPI of "
                     "that choice %.0f %s per household.", t->arm[best],
                     100.0 * d->rank_npv[best * na], d->evpi_npv[0] + 0.0, b->cur);
}

/* Whether the MKBA table values a health effect in money. */
static int health_valued(const mkba_h5_totals *t)
{
    return t->health_effect >= 0 && (size_t)t->health_effect < t->neffects
           && t->health_value > 0.0 && t->health_value_source != NULL;
}

static void mkba_table(builder *b)
{
    const mkba_h5_totals *t = b->t;
    const mkba_decision *d = b->d;
    static const char *const col[] = { "arm", "item", "mean", "2.5%", "97.5%" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_MONEY,
                                          MKBA_COL_MONEY, MKBA_COL_MONEY };
    char title[512];
    snprintf(title, sizeof title, "MKBA table against %s: present values in %s at %d prices "
             "per household, discounted at %.4g%% (costs) and %.4g%% (effects)", ref_name(b),
             b->cur, t->price_year, 100.0 * t->rate_costs, 100.0 * t->rate_effects);
    mkba_rtable *tb = table(b, "mkba", title, 5, col, kind);
    for (size_t a = 0; a < d->narms; a++) {
        if ((int)a == d->reference)
            continue;
        for (int i = 0; i < MKBA_ROW_N; i++) {
            /* Without a residual value its two rows are zero, without a
             * value per unit of health the health row, without a project
             * cost category in the file its share: not shown. */
            if ((t->residual_years == 0
                 && (i == MKBA_ROW_PROJECT_AFTER || i == MKBA_ROW_RESIDUAL))
                || (i == MKBA_ROW_HEALTH && !health_valued(t))
                || !mkba_rows_category_present(t, i))
                continue;
            const double *v = d->mkba + ((size_t)a * MKBA_ROW_N + (size_t)i) * MKBA_ST_N;
            long row = mkba_rtable_row(b->r, tb);
            mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
            mkba_rtable_str(b->r, tb, row, 1, mkba_rows_label(i));
            if (i == MKBA_ROW_BCR) {
                /* A ratio in a money column: two decimals, "n/a" for NaN. */
                mkba_rtable_num_as(tb, row, 2, v[MKBA_ST_MEAN], MKBA_COL_RATIO);
                continue;
            }
            for (int c = 0; c < MKBA_ST_N; c++)
                mkba_rtable_num(tb, row, 2 + (size_t)c, v[c]);
        }
        /* The primary effect not valued in money (none is, or another
         * effect is) is a PM item with its change. */
        int e = t->primary_effect;
        if ((!health_valued(t) || e != t->health_effect) && e >= 0 && (size_t)e < t->neffects && !t->effect_monetary[e]) {
            long row = mkba_rtable_row(b->r, tb);
            char item[512];
            snprintf(item, sizeof item, "PM: %s %+.4g %s per household, not valued in money",
                     t->effect[e], b->s->inc_effect[a * t->neffects + (size_t)e].mean,
                     t->effect_unit[e]);
            mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
            mkba_rtable_str(b->r, tb, row, 1, item);
            mkba_rtable_str(b->r, tb, row, 2, "PM");
            mkba_rtable_str(b->r, tb, row, 3, "");
            mkba_rtable_str(b->r, tb, row, 4, "");
        }
        for (size_t p = 0; p < t->npm; p++) {
            long row = mkba_rtable_row(b->r, tb);
            mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
            char item[512];
            snprintf(item, sizeof item, "PM: %s", t->pm_item[p]);
            mkba_rtable_str(b->r, tb, row, 1, item);
            mkba_rtable_str(b->r, tb, row, 2, "PM");
            mkba_rtable_str(b->r, tb, row, 3, "");
            mkba_rtable_str(b->r, tb, row, 4, "");
        }
    }
    mkba_rtable_note(b->r, tb, "Optimism bias %.4g%% of each project cost category's "
                     "increase, draw by draw (the new spending; a category the arm cuts gets "
                     "no uplift on its saving, so the mean row can exceed that share of the "
                     "mean project costs); deadweight %.4g%% of the benefits (shown as their "
                     "own rows).", 100.0 * t->optimism_bias, 100.0 * t->deadweight);
    blend_note(b, tb);
    if (health_valued(t))
        mkba_rtable_note(b->r, tb, "Health: %s valued at %.10g %s per %s (%s).",
                         t->effect[t->health_effect], t->health_value, b->cur,
                         t->effect_unit[t->health_effect], t->health_value_source);
    if (t->residual_years > 0)
        mkba_rtable_note(b->r, tb, "Residual value: the last year of the horizon, project costs "
                         "and effects, continued %d years beyond it and discounted.",
                         t->residual_years);
    else
        mkba_rtable_note(b->r, tb, "No residual value: costs and effects end with the %g-year "
                         "horizon (analysis.residual_years).",
                         (double)t->ncycles * t->cycle_years);
    mkba_rtable_note(b->r, tb, "Delivery costs: what an arm spends to deliver itself, gross "
                     "(cost categories team, programme, investment, overheads, which hold "
                     "any providers' staff). Project costs: the arm's delivery costs minus "
                     "%s's, split by category, so staff the arm no longer needs count "
                     "against its own. Direct effects: the provision no longer needed "
                     "(every other cost, all payers, without transfers, which net out for "
                     "society) and direct monetary effects; indirect and external: monetary "
                     "effects by category. The summary's total benefits, total costs, MKBA "
                     "balance and benefit-cost ratio are these rows; the ratio is mean total "
                     "benefits / mean total costs, a ratio of means without an interval "
                     "(n/a). The answer's NPV for society leaves out optimism bias, "
                     "deadweight, health value and residual value. PM: not valued in money.",
                     ref_name(b));
}

/* The budget view (docs/budget.md), when the file has one: per arm, payer
 * and calendar year, the whole population's cost undiscounted in the
 * year's prices and in constant prices, and discounted; then the
 * households in the model at the start of each year. */
static void budget_tables(builder *b)
{
    const mkba_h5_totals *t = b->t;
    if (b->o->file == NULL)
        return;
    mkba_error why = { 0 };
    mkba_h5_store *st = mkba_h5_store_open(b->o->file, 0, &why);
    mkba_budget *bu = NULL;
    if (st == NULL || mkba_budget_read(st, t, &bu, &why) != MKBA_OK) {
        b->r->failed = 1;
        mkba_error_set(b->o->err, why.code != MKBA_OK ? why.code : MKBA_EIO,
                       "the budget view cannot be read: %s", why.message);
        mkba_h5_store_close(st, NULL);
        return;
    }
    mkba_h5_store_close(st, NULL);
    if (bu == NULL)
        return;
    const size_t A = bu->narms, P = bu->npayers, Y = bu->nyears, D = bu->ndraws;
    double *stats = mkba_malloc((MKBA_BUDGET_NVIEWS * A * P * Y * 3 + A * Y * 3 + 1)
                                * sizeof *stats);
    double *work = mkba_malloc((2 * D + 1) * sizeof *work);
    if (stats == NULL || work == NULL) {
        b->r->failed = 1;
        goto done;
    }
    for (int v = 0; v <= MKBA_BUDGET_NVIEWS; v++)
        mkba_budget_stats(bu, v, stats + (size_t)v * A * P * Y * 3, work);
    static const char *const col[] = { "arm", "payer", "fund", "taakveld", "year",
                                       "nominal", "2.5%", "97.5%", "constant", "2.5%", "97.5%",
                                       "discounted", "2.5%", "97.5%" };
    mkba_col_kind kind[14] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_TEXT,
                               MKBA_COL_CALENDAR };
    for (size_t c = 5; c < 14; c++)
        kind[c] = MKBA_COL_MONEY;
    char title[256];
    snprintf(title, sizeof title, "Budget per payer and calendar year (%s, whole population "
             "of %.0f households%s; nominal and constant undiscounted)", b->cur,
             bu->population, bu->inflow > 0 ? " plus entrants" : "");
    mkba_rtable *tb = table(b, "budget", title, 14, col, kind);
    for (size_t a = 0; tb != NULL && a < A; a++)
        for (size_t p = 0; p < P; p++)
            for (size_t y = 0; y < Y; y++) {
                long row = mkba_rtable_row(b->r, tb);
                mkba_rtable_str(b->r, tb, row, 0, t->arm[a]);
                mkba_rtable_str(b->r, tb, row, 1, t->payer[p]);
                mkba_rtable_str(b->r, tb, row, 2, bu->fund[p]);
                mkba_rtable_str(b->r, tb, row, 3, bu->taakveld[p]);
                mkba_rtable_num(tb, row, 4, bu->calendar_year[y]);
                for (int v = 0; v < MKBA_BUDGET_NVIEWS; v++) {
                    const double *x = stats + (((size_t)v * A + a) * P * Y + p * Y + y) * 3;
                    for (size_t c = 0; c < 3; c++)
                        mkba_rtable_num(tb, row, 5 + (size_t)v * 3 + c, x[c]);
                }
            }
    if (tb != NULL) {
        char wage[200] = "";
        if (bu->wage_priced)
            snprintf(wage, sizeof wage, ", the teams' staff, intake and hand-over costs and "
                     "cost rules with index = \"wage\" x the wage index (%g to %g)",
                     bu->wage_index[0], bu->wage_index[Y - 1]);
        mkba_rtable_note(b->r, tb, "Each year counts the households in the state they are in "
                         "at its start (no half-cycle correction); nominal = constant x the "
                         "year's price index (%g in %d to %g in %d)%s; discounted at the "
                         "MKBA's rate to the start of the horizon.", bu->price_index[0],
                         bu->calendar_year[0], bu->price_index[Y - 1], bu->calendar_year[Y - 1],
                         wage);
        if (bu->inflow > 0 && t->households > 0)
            mkba_rtable_note(b->r, tb, "Open population: %.4g households enter at the start "
                             "of every year after the first (simulated: %.4g entrants a year "
                             "for %ld households, rounded up or down at random each year, so "
                             "the expectation is the inflow).", bu->inflow,
                             (double)t->households * bu->inflow / bu->population,
                             t->households);
    }
    static const char *const hcol[] = { "arm", "year", "households", "2.5%", "97.5%" };
    static const mkba_col_kind hkind[] = { MKBA_COL_TEXT, MKBA_COL_CALENDAR, MKBA_COL_INT,
                                           MKBA_COL_INT, MKBA_COL_INT };
    mkba_rtable *th = table(b, "budget_households", "Households in the target group at the "
                            "start of each year (the budget's population)", 5, hcol, hkind);
    const double *h = stats + (size_t)MKBA_BUDGET_NVIEWS * A * P * Y * 3;
    for (size_t a = 0; th != NULL && a < A; a++)
        for (size_t y = 0; y < Y; y++) {
            long row = mkba_rtable_row(b->r, th);
            mkba_rtable_str(b->r, th, row, 0, t->arm[a]);
            mkba_rtable_num(th, row, 1, bu->calendar_year[y]);
            for (size_t c = 0; c < 3; c++)
                mkba_rtable_num(th, row, 2 + c, h[(a * Y + y) * 3 + c]);
        }
done:
    mkba_free(stats);
    mkba_free(work);
    mkba_budget_free(bu);
}

/* For whom (docs/decision.md): the NPV per household of each household
 * group against the reference, and the increment of the primary effect,
 * per perspective shown; read from the file's /draws/groups (none in a
 * file written before them). Not in the text summary's selection: `mkba
 * summary --table groups` prints it. */
static void group_table(builder *b)
{
    const mkba_h5_totals *t = b->t;
    if (b->o->file == NULL)
        return;
    mkba_error why = {0};
    mkba_h5_store *st = mkba_h5_store_open(b->o->file, 0, &why);
    mkba_groups *g = NULL;
    if (st == NULL || mkba_groups_read(st, t, &g, &why) != MKBA_OK) {
        b->r->failed = 1;
        mkba_error_set(b->o->err, why.code != MKBA_OK ? why.code : MKBA_EIO,
                       "the household groups cannot be read: %s", why.message);
        mkba_h5_store_close(st, NULL);
        return;
    }
    mkba_h5_store_close(st, NULL);
    if (g == NULL)
        return;
    const size_t K = t->nperspectives, A = g->narms, G = g->ngroups;
    double *stats = mkba_malloc((K * A * G * MKBA_GS_N + 1) * sizeof *stats);
    double *work = mkba_malloc((3 * g->ndraws + 1) * sizeof *work);
    if (stats == NULL || work == NULL) {
        b->r->failed = 1;
        goto done;
    }
    mkba_groups_stats(g, t, stats, work);
    const int pe = t->primary_effect;
    char effect[160];
    snprintf(effect, sizeof effect, "%s gained", pe >= 0 ? t->effect[pe] : "effect");
    /* The statistics shown after perspective, arm and group; a file
     * written before the booking per household has no part by use, one
     * compared on money no effect. */
    static const struct {
        int stat;
        const char *name;         /* NULL: the effect's name */
        mkba_col_kind kind;
    } all[] = {
        { MKBA_GS_SHARE, "share", MKBA_COL_SHARE },
        { MKBA_GS_NPV, "NPV", MKBA_COL_MONEY },
        { MKBA_GS_NPV_LO, "2.5%", MKBA_COL_MONEY },
        { MKBA_GS_NPV_HI, "97.5%", MKBA_COL_MONEY },
        { MKBA_GS_BY_USE, "of which allocated by use", MKBA_COL_MONEY },
        { MKBA_GS_VS_ALL, "NPV minus average", MKBA_COL_MONEY },
        { MKBA_GS_VS_ALL_LO, "2.5%", MKBA_COL_MONEY },
        { MKBA_GS_VS_ALL_HI, "97.5%", MKBA_COL_MONEY },
        { MKBA_GS_VS_ALL_P, "P(above average)", MKBA_COL_SHARE },
        { MKBA_GS_EFFECT, NULL, MKBA_COL_EFFECT },
        { MKBA_GS_EFFECT_LO, "2.5%", MKBA_COL_EFFECT },
        { MKBA_GS_EFFECT_HI, "97.5%", MKBA_COL_EFFECT },
    };
    enum { NALL = sizeof all / sizeof all[0], NKEY = 3 };
    int stat[NALL];
    const char *col[NKEY + NALL] = { "perspective", "arm", "group" };
    mkba_col_kind kind[NKEY + NALL] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_TEXT };
    size_t ncol = NKEY;
    for (size_t i = 0; i < NALL; i++) {
        if ((all[i].stat == MKBA_GS_BY_USE && !g->by_use)
            || (all[i].stat >= MKBA_GS_EFFECT && all[i].stat <= MKBA_GS_EFFECT_HI && pe < 0))
            continue;
        stat[ncol - NKEY] = all[i].stat;
        col[ncol] = all[i].name != NULL ? all[i].name : effect;
        kind[ncol++] = all[i].kind;
    }
    char title[256];
    snprintf(title, sizeof title, "For whom: NPV per household of each group against %s "
             "(%s per household of the group, discounted)", ref_name(b), b->cur);
    mkba_rtable *tb = table(b, "groups", title, ncol, col, kind);
    for (size_t k = 0; tb != NULL && k < K; k++)
        for (size_t a = 0; shown(b, k) && a < A; a++) {
            if ((int)a == t->reference)
                continue;
            for (size_t gr = 0; gr < G; gr++) {
                const double *o = stats + ((k * A + a) * G + gr) * MKBA_GS_N;
                long row = pair_row(b, tb, k, a);
                mkba_rtable_str(b->r, tb, row, 2, g->name[gr]);
                for (size_t c = NKEY; c < ncol; c++)
                    mkba_rtable_num(tb, row, c, o[stat[c - NKEY]]);
            }
        }
    if (tb != NULL)
        mkba_rtable_note(b->r, tb, "Groups by the household's starting state in %s: no "
                         "problem, or the highest severity of its problems (light <= 1, "
                         "medium <= 2, heavy > 2) and, a second partition of the same "
                         "households, its number of problem domains (single 1, multiple 2, "
                         "multi-problem 3 or more); no problem belongs to both, so the "
                         "domain rows alone leave it out. share x NPV summed over either "
                         "partition, no problem included, is the whole population's NPV. "
                         "NPV minus average: the group's NPV per household less the whole "
                         "population's in the same draw (paired): its mean is the NPV less "
                         "the whole population's mean NPV, its 95%% interval that of the "
                         "draws' differences (so it subtracts as printed, and with few "
                         "draws, or shares that move with the NPV, can lie outside that "
                         "interval); P(above average): the share of the draws in which the "
                         "group gains more than the average household (share x NPV minus "
                         "average sums to 0 over either partition). Two groups' own "
                         "intervals do not tell in how many draws one gains more than the "
                         "other; these columns compare each with the same draw's average. "
                         "%s",
                         ref_name(b),
                         g->by_use
                             ? "With services, the take-up benefits and the savings of care "
                               "the teams substitute are the group's own (booked to the "
                               "households they belong to); each team's staff, intake and "
                               "hand-over costs (to that team's payers) are allocated by the "
                               "group's share of the household-cycles in that team's care in "
                               "each cycle; the programme, investment, scans, visits and the "
                               "households' informal care, which the engine counts per arm, "
                               "by its share of the household-cycles in all the teams' care "
                               "(over the horizon for the investment and in a cycle with "
                               "nobody in care; by its share of the households when nobody "
                               "is ever in care). 'of which allocated by use' is their part of "
                               "the NPV (saved against the reference; negative: more spent)."
                             : "This file was written before the booking per household: "
                               "every service cost, take-up benefit and substitution saving "
                               "is at the draw's average per household.");
done:
    mkba_free(stats);
    mkba_free(work);
    mkba_groups_free(g);
}

mkba_report *mkba_summary_report(const mkba_h5_totals *t, const mkba_summary *s,
                                 const mkba_decision *d,
                                 const mkba_summary_report_options *o)
{
    mkba_report *r = mkba_report_alloc();
    if (r == NULL)
        return NULL;
    builder b = { r, t, s, d, o, t->currency ? t->currency : "" };
    size_t *idx = mkba_calloc(d->nwtp > 0 ? d->nwtp : 1, sizeof *idx);
    if (idx == NULL) {
        mkba_report_free(r);
        return NULL;
    }
    if (!o->text) {
        run_table(&b);
        base_tables(&b);
    }
    category_tables(&b);
    mc_table(&b);
    service_table(&b);
    team_table(&b);
    escalation_table(&b);
    if (d->narms >= 2) {
        cashflow_tables(&b);
        payer_table(&b);
        frontier_table(&b);
        acceptability_tables(&b, idx);
        rank_table(&b, idx);
        mkba_table(&b);
    }
    budget_tables(&b);
    if (d->narms >= 2 && !o->text)
        group_table(&b);
    mkba_free(idx);
    if (r->failed) {
        mkba_report_free(r);
        return NULL;
    }
    return r;
}
