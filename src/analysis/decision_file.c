/* The decision outputs in a result file: group /analysis. One table of
 * datasets (name, shape, units, meaning) drives both writing and reading,
 * so the two cannot disagree; docs/output.md lists the same datasets. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mkba/mkba.h"
#include "core/alloc.h"
#include "decision.h"
#include "frontier.h"

/* Axes of the /analysis datasets. */
enum { AX_K, AX_A, AX_Y, AX_W, AX_PROWS, AX_MROWS, AX_BE, AX_ST, AX_IR, AX_PT, AX_FR,
       AX_EV, AX_ONE, AX_COUNT };

typedef enum unit { U_MONEY, U_SHARE, U_YEAR, U_MIXED, U_INDEX, U_WTP } unit;

typedef struct spec {
    const char *name;
    int is_int;
    int rank;
    int axis[3];
    size_t offset;             /* of the array pointer in mkba_decision */
    const char *axes;
    unit units;
    const char *description;
} spec;

#define D(field) offsetof(mkba_decision, field)

static const spec specs[] = {
    { "/analysis/ceac/wtp", 0, 1, { AX_W }, D(wtp), "wtp", U_WTP,
      "willingness to pay per unit of the primary effect; one entry 0 when arms are "
      "compared on money alone" },
    { "/analysis/cashflow/net_discounted_mean", 0, 3, { AX_K, AX_A, AX_Y }, D(net_disc),
      "perspective,arm,year", U_MONEY, "mean over draws of the yearly net benefit against "
      "the reference, discounted; NaN for the reference arm" },
    { "/analysis/cashflow/net_undiscounted_mean", 0, 3, { AX_K, AX_A, AX_Y }, D(net_undisc),
      "perspective,arm,year", U_MONEY, "the same, undiscounted" },
    { "/analysis/cashflow/cumulative_discounted_mean", 0, 3, { AX_K, AX_A, AX_Y },
      D(cum_disc), "perspective,arm,year", U_MONEY,
      "mean over draws of the cumulative discounted net benefit through each year" },
    { "/analysis/cashflow/cumulative_undiscounted_mean", 0, 3, { AX_K, AX_A, AX_Y },
      D(cum_undisc), "perspective,arm,year", U_MONEY, "the same, undiscounted" },
    { "/analysis/cashflow/breakeven_by_year", 0, 3, { AX_K, AX_A, AX_Y },
      D(breakeven_by_year), "perspective,arm,year", U_SHARE,
      "share of draws whose break-even year is at most year t (t = index + 1)" },
    { "/analysis/cashflow/breakeven", 0, 3, { AX_K, AX_A, AX_BE }, D(breakeven),
      "perspective,arm,statistic", U_YEAR,
      "break-even year: share of draws not within the horizon (a share), mean among "
      "the draws that break even, median, 5% and 95% (a draw that never breaks even "
      "counts as +inf)" },
    { "/analysis/cashflow/payback", 0, 3, { AX_K, AX_A, AX_BE }, D(payback),
      "perspective,arm,statistic", U_YEAR,
      "payback period (undiscounted break-even), statistics as for breakeven" },
    { "/analysis/cashflow/npv", 0, 3, { AX_K, AX_A, AX_ST }, D(npv),
      "perspective,arm,statistic", U_MONEY,
      "net present value for the perspective: mean, 2.5% and 97.5% percentiles" },
    { "/analysis/cashflow/roi", 0, 3, { AX_K, AX_A, AX_IR }, D(roi),
      "perspective,arm,statistic", U_MIXED,
      "mean investment and mean returns (money, present values of the years with a net "
      "cost and with a net gain) and ROI = mean NPV / mean investment (a ratio)" },
    { "/analysis/payers/table", 0, 3, { AX_A, AX_PROWS, AX_PT }, D(payer_table),
      "arm,row,statistic", U_MIXED,
      "who pays and who gains (rows: /analysis/payers/rows): mean investment, mean "
      "returns, net position mean, 2.5% and 97.5% (money) and the probability of a net "
      "loss (a share)" },
    { "/analysis/frontier/status", 1, 1, { AX_A }, D(frontier_status), "arm", U_INDEX,
      "0 on the efficiency frontier, 1 dominated, 2 extendedly dominated, -1 not "
      "computed (money-only comparison)" },
    { "/analysis/frontier/previous", 1, 1, { AX_A }, D(frontier_prev), "arm", U_INDEX,
      "the next cheaper frontier arm (index into /labels/arms), -1 none" },
    { "/analysis/frontier/values", 0, 2, { AX_A, AX_FR }, D(frontier), "arm,statistic",
      U_MIXED,
      "mean cost (society, money), mean effect, ICER against the previous frontier arm "
      "(money per unit), incremental cost and effect against the reference and against "
      "the previous frontier arm; effects oriented so that more is better (minus the "
      "effect when less is better)" },
    { "/analysis/ceac/nmb_mean", 0, 2, { AX_W, AX_A }, D(nmb_mean), "wtp,arm", U_MONEY,
      "mean net monetary benefit wtp x effect - cost (society's cost)" },
    { "/analysis/ceac/probability_best", 0, 2, { AX_W, AX_A }, D(ceac), "wtp,arm", U_SHARE,
      "cost-effectiveness acceptability curve: share of draws in which the arm has the "
      "highest NMB (ties shared); sums to 1 over arms" },
    { "/analysis/ceac/rank", 0, 3, { AX_W, AX_A, AX_A }, D(rank), "wtp,arm,rank", U_SHARE,
      "share of draws in which the arm has rank r + 1 by NMB (rank 1 = highest)" },
    { "/analysis/ceac/frontier_arm", 1, 1, { AX_W }, D(frontier_arm), "wtp", U_INDEX,
      "acceptability frontier: the arm with the highest mean NMB" },
    { "/analysis/ceac/evpi", 0, 2, { AX_W, AX_EV }, D(evpi), "wtp,statistic", U_MIXED,
      "probability that the frontier arm is best (a share), EVPI per household and EVPI "
      "for the population (money; NaN without a population)" },
    { "/analysis/ranking/npv_rank", 0, 2, { AX_A, AX_A }, D(rank_npv), "arm,rank", U_SHARE,
      "share of draws in which the arm has rank r + 1 by society's NPV against the "
      "reference (rank 1 = highest)" },
    { "/analysis/ranking/evpi_npv", 0, 1, { AX_ONE }, D(evpi_npv), "one", U_MONEY,
      "EVPI per household of the choice by society's NPV" },
    { "/analysis/mkba/table", 0, 3, { AX_A, AX_MROWS, AX_ST }, D(mkba), "arm,row,statistic",
      U_MIXED,
      "MKBA table against the reference (rows: /analysis/mkba/rows): mean, 2.5% and "
      "97.5% of present values (money); the benefit-cost ratio row has a mean only" },
};

#undef D

static void axis_sizes(const mkba_decision *d, size_t *ax)
{
    ax[AX_K] = d->nperspectives;
    ax[AX_A] = d->narms;
    ax[AX_Y] = d->nyears;
    ax[AX_W] = d->nwtp;
    ax[AX_PROWS] = d->npayers + MKBA_PR_EXTRA;
    ax[AX_MROWS] = MKBA_ROW_N;
    ax[AX_BE] = MKBA_BE_N;
    ax[AX_ST] = MKBA_ST_N;
    ax[AX_IR] = MKBA_IR_N;
    ax[AX_PT] = MKBA_PT_N;
    ax[AX_FR] = MKBA_FR_N;
    ax[AX_EV] = MKBA_EV_N;
    ax[AX_ONE] = 1;
}

/* The dimensions of dataset s for the sizes of d. */
static void spec_dims(const mkba_decision *d, const spec *s, size_t dims[3])
{
    size_t ax[AX_COUNT];
    axis_sizes(d, ax);
    for (int j = 0; j < s->rank; j++)
        dims[j] = ax[s->axis[j]];
}

static void *field(const mkba_decision *d, const spec *s)
{
    return *(void *const *)((const char *)d + s->offset);
}

/* What a flow callback needs: the open file and the run's sizes. */
typedef struct flow_sink {
    mkba_h5_store *store;
    size_t nk, nd, na, ny;
    const char *money;
    int *years;                /* scratch [D][A] */
} flow_sink;

static int store_flows(void *user, size_t k, const mkba_cashflow *c, mkba_error *err)
{
    flow_sink *s = user;
    size_t dims[4] = { s->nk, s->nd, s->na, s->ny };
    struct { const char *name; const double *v; const char *what; } flows[] = {
        { "/analysis/cashflow/net_discounted", c->net_disc,
          "yearly net benefit against the reference per draw, discounted" },
        { "/analysis/cashflow/net_undiscounted", c->net_undisc,
          "yearly net benefit against the reference per draw, undiscounted" },
        { "/analysis/cashflow/cumulative_discounted", c->cum_disc,
          "cumulative discounted net benefit through each year, per draw" },
        { "/analysis/cashflow/cumulative_undiscounted", c->cum_undisc,
          "cumulative undiscounted net benefit through each year, per draw" },
    };
    int rc = MKBA_OK;
    for (size_t i = 0; i < sizeof flows / sizeof flows[0] && rc == MKBA_OK; i++)
        rc = mkba_h5_store_doubles_slab(s->store, flows[i].name, 4, dims, k, flows[i].v,
                                        "perspective,draw,arm,year", s->money, flows[i].what,
                                        err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles_slab(s->store, "/analysis/cashflow/npv_draws", 3, dims, k,
                                        c->npv, "perspective,draw,arm", s->money,
                                        "net present value for the perspective per draw", err);
    const int *which[2] = { c->breakeven, c->payback };
    static const char *const names[2] = { "/analysis/cashflow/breakeven_year",
                                          "/analysis/cashflow/payback_year" };
    static const char *const what[2] = {
        "break-even year per draw: first year from which the cumulative discounted net "
        "benefit stays >= 0; 0 = not within the horizon; -1 for the reference arm",
        "payback year per draw: the same rule undiscounted; 0 = not within the horizon; "
        "-1 for the reference arm" };
    for (int j = 0; j < 2 && rc == MKBA_OK; j++) {
        for (size_t d = 0; d < s->nd; d++)
            for (size_t a = 0; a < s->na; a++)
                s->years[d * s->na + a] = (int)a == c->reference ? -1 : which[j][d * s->na + a];
        rc = mkba_h5_store_ints_slab(s->store, names[j], 3, dims, k, s->years,
                                     "perspective,draw,arm", "year", what[j], err);
    }
    return rc;
}

static const char *unit_text(unit u, const char *money)
{
    switch (u) {
    case U_MONEY: return money;
    case U_SHARE: return "1 (share of draws)";
    case U_YEAR: return "year (1 = the first year of the horizon); the first column is a share";
    case U_MIXED: return money;
    case U_INDEX: return "1";
    case U_WTP: return "money per unit of the primary effect";
    }
    return "";
}

static int write_labels(mkba_h5_store *st, const mkba_h5_totals *t, const mkba_decision *d,
                        mkba_error *err)
{
    size_t np = t->npayers, nr = np + MKBA_PR_EXTRA;
    const char **rows = mkba_calloc(nr, sizeof *rows);
    const char *mrows[MKBA_ROW_N];
    int *years = mkba_malloc((d->nyears > 0 ? d->nyears : 1) * sizeof *years);
    if (rows == NULL || years == NULL) {
        mkba_free((void *)rows);
        mkba_free(years);
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory writing the analysis");
    }
    for (size_t p = 0; p < np; p++)
        rows[p] = t->payer[p];
    rows[np + MKBA_PR_AT_LARGE] = "society at large";
    rows[np + MKBA_PR_SOCIETY] = "society";
    rows[np + MKBA_PR_MUNICIPALITY] = "municipality";
    for (int i = 0; i < MKBA_ROW_N; i++)
        mrows[i] = mkba_decision_mkba_row(i);
    for (size_t y = 0; y < d->nyears; y++)
        years[y] = (int)y + 1;
    size_t dy[1] = { d->nyears };
    int rc = mkba_h5_store_strings(st, "/analysis/payers/rows", rows, nr,
                                   "rows of /analysis/payers/table: each payer, monetary "
                                   "effects gained by nobody in particular, society, the "
                                   "municipality", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_strings(st, "/analysis/mkba/rows", mrows, MKBA_ROW_N,
                                   "rows of /analysis/mkba/table", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_ints(st, "/analysis/cashflow/year", 1, dy, years, "year", "year",
                                "year number t of the year axis (cycles grouped by year)", err);
    mkba_free((void *)rows);
    mkba_free(years);
    if (rc != MKBA_OK)
        return rc;
    const char *primary = d->primary_effect >= 0 ? t->effect[d->primary_effect] : "";
    rc = mkba_h5_store_attr(st, "/analysis", "primary_effect", primary, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_attr(st, "/analysis", "comparison",
                                d->primary_effect < 0 ? "money: arms valued by society's NPV"
                                : d->lower_is_better ? "effect, less is better: effects "
                                                       "stored as minus the effect"
                                : "effect, more is better", err);
    return rc;
}

int mkba_decision_store(const char *path, mkba_error *err)
{
    mkba_h5_totals *t = NULL;
    int rc = mkba_h5_read_totals(path, &t, err);
    if (rc != MKBA_OK)
        return rc;
    mkba_h5_store *st = mkba_h5_store_open(path, 1, err);
    if (st == NULL) {
        mkba_h5_totals_free(t);
        return err ? err->code : MKBA_EIO;
    }
    char money[160];
    snprintf(money, sizeof money, "%s at %d prices per starting household",
             t->currency ? t->currency : "", t->price_year);
    static const char *const groups[][2] = {
        { "/analysis", "decision outputs computed from /draws (docs/decision.md)" },
        { "/analysis/cashflow", "cash flows, break-even, payback, NPV and ROI per perspective "
                                "(/labels/perspectives) and arm against the reference" },
        { "/analysis/payers", "who pays and who gains" },
        { "/analysis/frontier", "efficiency frontier on mean costs and the primary effect" },
        { "/analysis/ceac", "NMB, CEAC, acceptability frontier, ranks and EVPI per wtp" },
        { "/analysis/ranking", "ranks on society's NPV" },
        { "/analysis/mkba", "the MKBA table" },
    };
    for (size_t i = 0; i < sizeof groups / sizeof groups[0] && rc == MKBA_OK; i++)
        rc = mkba_h5_store_group(st, groups[i][0], groups[i][1], err);
    flow_sink sink = { st, t->nperspectives, t->ndraws, t->narms, 0, money,
                       mkba_malloc(t->ndraws * (t->narms > 0 ? t->narms : 1) * sizeof (int)) };
    size_t cpy = 0;
    if (rc == MKBA_OK && sink.years == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing the analysis");
    if (rc == MKBA_OK)
        rc = mkba_cycles_per_year(t->cycle_years, &cpy, err);
    mkba_decision *d = NULL;
    if (rc == MKBA_OK) {
        sink.ny = mkba_years_of(t->ncycles, cpy);
        d = mkba_decision_alloc(t, store_flows, &sink, err);
        if (d == NULL)
            rc = err ? err->code : MKBA_EINVAL;
    }
    for (size_t i = 0; i < sizeof specs / sizeof specs[0] && rc == MKBA_OK; i++) {
        const spec *s = &specs[i];
        size_t dims[3];
        spec_dims(d, s, dims);
        const char *u = unit_text(s->units, money);
        if (s->is_int)
            rc = mkba_h5_store_ints(st, s->name, s->rank, dims, field(d, s), s->axes, u,
                                    s->description, err);
        else
            rc = mkba_h5_store_doubles(st, s->name, s->rank, dims, field(d, s), s->axes, u,
                                       s->description, err);
    }
    if (rc == MKBA_OK)
        rc = write_labels(st, t, d, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_attr(st, "/", "analysis_status", "written", err);
    int rc2 = mkba_h5_store_close(st, rc == MKBA_OK ? err : NULL);
    if (rc == MKBA_OK)
        rc = rc2;
    mkba_free(sink.years);
    mkba_decision_free(d);
    mkba_h5_totals_free(t);
    return rc;
}

int mkba_decision_load(const char *path, const mkba_h5_totals *t, mkba_decision **out,
                       mkba_error *err)
{
    *out = NULL;
    if (t == NULL || t->analysis_status == NULL || strcmp(t->analysis_status, "written") != 0) {
        *out = mkba_decision_alloc(t, NULL, NULL, err);
        return *out != NULL ? MKBA_OK : (err ? err->code : MKBA_EINVAL);
    }
    size_t cpy = 0;
    int rc = mkba_cycles_per_year(t->cycle_years, &cpy, err);
    if (rc != MKBA_OK)
        return rc;
    int money = t->primary_effect < 0 || (size_t)t->primary_effect >= t->neffects
                || t->effect_monetary[t->primary_effect];
    size_t nw = money || t->nwtp == 0 ? 1 : t->nwtp;
    mkba_decision *d = mkba_decision_new(t->ndraws, t->narms, t->npayers, t->nperspectives,
                                         mkba_years_of(t->ncycles, cpy), nw, err);
    if (d == NULL)
        return err ? err->code : MKBA_ENOMEM;
    d->reference = t->reference;
    d->primary_effect = money ? -1 : t->primary_effect;
    d->lower_is_better = !money && t->effect_lower_is_better[t->primary_effect];
    mkba_h5_store *st = mkba_h5_store_open(path, 0, err);
    rc = st != NULL ? (int)MKBA_OK : (int)(err ? err->code : MKBA_EIO);
    for (size_t i = 0; i < sizeof specs / sizeof specs[0] && rc == MKBA_OK; i++) {
        const spec *s = &specs[i];
        size_t dims[3];
        spec_dims(d, s, dims);
        if (s->is_int)
            rc = mkba_h5_store_read_ints(st, s->name, s->rank, dims, field(d, s), err);
        else
            rc = mkba_h5_store_read_doubles(st, s->name, s->rank, dims, field(d, s), err);
    }
    mkba_h5_store_close(st, NULL);
    /* Indices index arrays when printed: a damaged file must not reach that. */
    for (size_t a = 0; a < d->narms && rc == MKBA_OK; a++)
        if (d->frontier_status[a] < MKBA_FRONTIER_NONE
            || d->frontier_status[a] > MKBA_FRONTIER_EXT_DOMINATED
            || d->frontier_prev[a] < -1 || d->frontier_prev[a] >= (int)d->narms)
            rc = mkba_error_set(err, MKBA_EPARSE, "%s: /analysis/frontier holds an invalid "
                                "status or arm index", path);
    for (size_t w = 0; w < d->nwtp && rc == MKBA_OK; w++)
        if (d->frontier_arm[w] < 0 || d->frontier_arm[w] >= (int)d->narms)
            rc = mkba_error_set(err, MKBA_EPARSE, "%s: /analysis/ceac/frontier_arm holds an "
                                "invalid arm index", path);
    if (rc != MKBA_OK) {
        mkba_decision_free(d);
        return rc;
    }
    *out = d;
    return MKBA_OK;
}
