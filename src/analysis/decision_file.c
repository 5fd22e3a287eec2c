/* The decision outputs in a result file: group /analysis. The schema
 * (results/datasets.def) gives every dataset's type, axes, units and
 * meaning; one table here adds where each lives in mkba_decision and its
 * shape, and drives both writing and reading, so the two cannot disagree. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "mkba/mkba.h"
#include "core/alloc.h"
#include "results/schema.h"
#include "budget.h"
#include "groups.h"
#include "decision.h"
#include "frontier.h"

/* Axes of the /analysis datasets by size; AX_END ends a list. */
enum { AX_END, AX_K, AX_A, AX_Y, AX_W, AX_PROWS, AX_MROWS, AX_BE, AX_ST, AX_IR, AX_PT, AX_FR,
       AX_EV, AX_ONE, AX_COUNT };

/* A dataset of mkba_decision. Its type, axes, units and description are
 * the schema's (results/datasets.def, found by name); here is only what
 * the schema does not know: where it lives and how long its axes are. */
typedef struct spec {
    const char *name;
    size_t offset;             /* of the array pointer in mkba_decision */
    int axis[3];
} spec;

/* The value of /analysis's attribute `cost`: what C is in the frontier,
 * NMB, CEAC, ranks and EVPI. A file without it was written when C was the
 * payers' costs alone (production left out): its decision outputs are
 * computed again from its draws when read. */
#define COST_BASIS "net: the payers' costs less the monetary effects that count for society"

#define D(field) offsetof(mkba_decision, field)

static const spec specs[] = {
    { "/analysis/ceac/wtp", D(wtp), { AX_W } },
    { "/analysis/cashflow/net_discounted_mean", D(net_disc), { AX_K, AX_A, AX_Y } },
    { "/analysis/cashflow/net_undiscounted_mean", D(net_undisc), { AX_K, AX_A, AX_Y } },
    { "/analysis/cashflow/cumulative_discounted_mean", D(cum_disc), { AX_K, AX_A, AX_Y } },
    { "/analysis/cashflow/cumulative_undiscounted_mean", D(cum_undisc), { AX_K, AX_A, AX_Y } },
    { "/analysis/cashflow/breakeven_by_year", D(breakeven_by_year), { AX_K, AX_A, AX_Y } },
    { "/analysis/cashflow/breakeven", D(breakeven), { AX_K, AX_A, AX_BE } },
    { "/analysis/cashflow/payback", D(payback), { AX_K, AX_A, AX_BE } },
    { "/analysis/cashflow/npv", D(npv), { AX_K, AX_A, AX_ST } },
    { "/analysis/cashflow/roi", D(roi), { AX_K, AX_A, AX_IR } },
    { "/analysis/payers/table", D(payer_table), { AX_A, AX_PROWS, AX_PT } },
    { "/analysis/frontier/status", D(frontier_status), { AX_A } },
    { "/analysis/frontier/previous", D(frontier_prev), { AX_A } },
    { "/analysis/frontier/values", D(frontier), { AX_A, AX_FR } },
    { "/analysis/ceac/nmb_mean", D(nmb_mean), { AX_W, AX_A } },
    { "/analysis/ceac/probability_best", D(ceac), { AX_W, AX_A } },
    { "/analysis/ceac/rank", D(rank), { AX_W, AX_A, AX_A } },
    { "/analysis/ceac/frontier_arm", D(frontier_arm), { AX_W } },
    { "/analysis/ceac/evpi", D(evpi), { AX_W, AX_EV } },
    { "/analysis/ranking/npv_rank", D(rank_npv), { AX_A, AX_A } },
    { "/analysis/ranking/evpi_npv", D(evpi_npv), { AX_ONE } },
    { "/analysis/mkba/table", D(mkba), { AX_A, AX_MROWS, AX_ST } },
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

/* The dimensions of dataset s for the sizes of d; returns its rank. */
static int spec_dims(const mkba_decision *d, const spec *s, size_t dims[3])
{
    size_t ax[AX_COUNT];
    axis_sizes(d, ax);
    int rank = 0;
    for (; rank < 3 && s->axis[rank] != AX_END; rank++)
        dims[rank] = ax[s->axis[rank]];
    return rank;
}

/* Whether the schema stores s as int32 (else float64). */
static int is_int(const spec *s)
{
    const mkba_dataset_spec *sp = mkba_schema_find(s->name);
    return sp != NULL && sp->dtype == MKBA_DTYPE_INT32;
}

static void *field(const mkba_decision *d, const spec *s)
{
    return *(void *const *)((const char *)d + s->offset);
}

/* What a flow callback needs: the open file and the run's sizes. */
typedef struct flow_sink {
    mkba_h5_store *store;
    size_t nk, nd, na, ny;
    int *years;                /* scratch [D][A] */
} flow_sink;

static int store_flows(void *user, size_t k, const mkba_cashflow *c, mkba_error *err)
{
    flow_sink *s = user;
    size_t dims[4] = { s->nk, s->nd, s->na, s->ny };
    static const char *const flows[] = {
        "/analysis/cashflow/net_discounted", "/analysis/cashflow/net_undiscounted",
        "/analysis/cashflow/cumulative_discounted", "/analysis/cashflow/cumulative_undiscounted",
    };
    const double *v[] = { c->net_disc, c->net_undisc, c->cum_disc, c->cum_undisc };
    int rc = MKBA_OK;
    for (size_t i = 0; i < sizeof flows / sizeof flows[0] && rc == MKBA_OK; i++)
        rc = mkba_h5_store_doubles_slab(s->store, flows[i], 4, dims, k, v[i], err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles_slab(s->store, "/analysis/cashflow/npv_draws", 3, dims, k,
                                        c->npv, err);
    const int *which[2] = { c->breakeven, c->payback };
    static const char *const names[2] = { "/analysis/cashflow/breakeven_year",
                                          "/analysis/cashflow/payback_year" };
    for (int j = 0; j < 2 && rc == MKBA_OK; j++) {
        for (size_t d = 0; d < s->nd; d++)
            for (size_t a = 0; a < s->na; a++)
                s->years[d * s->na + a] = (int)a == c->reference ? -1 : which[j][d * s->na + a];
        rc = mkba_h5_store_ints_slab(s->store, names[j], 3, dims, k, s->years, err);
    }
    return rc;
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
        mrows[i] = mkba_rows_label(i);
    for (size_t y = 0; y < d->nyears; y++)
        years[y] = (int)y + 1;
    size_t dy[1] = { d->nyears };
    int rc = mkba_h5_store_strings(st, "/analysis/payers/rows", rows, nr, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_strings(st, "/analysis/mkba/rows", mrows, MKBA_ROW_N, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_ints(st, "/analysis/cashflow/year", 1, dy, years, err);
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
    if (rc == MKBA_OK)
        rc = mkba_h5_store_attr(st, "/analysis", "cost", COST_BASIS, err);
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
    flow_sink sink = { st, t->nperspectives, t->ndraws, t->narms, 0,
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
        int rank = spec_dims(d, s, dims);
        if (is_int(s))
            rc = mkba_h5_store_ints(st, s->name, rank, dims, field(d, s), err);
        else
            rc = mkba_h5_store_doubles(st, s->name, rank, dims, field(d, s), err);
    }
    if (rc == MKBA_OK)
        rc = write_labels(st, t, d, err);
    if (rc == MKBA_OK)
        rc = mkba_budget_store(st, t, err);
    if (rc == MKBA_OK)
        rc = mkba_groups_store(st, t, err);
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

/* Whether the file's MKBA table has this program's rows, label for label
 * (the rows' number alone would not tell a table whose rows were
 * renamed, reordered or redefined, like the gross delivery costs and the
 * split by category of issue 13), into *current. Rows that cannot be read
 * are not current (the table is computed again from the draws), but out
 * of memory is an error, not a reason to take the other path. */
static int mkba_rows_current(mkba_h5_store *st, int *current, mkba_error *err)
{
    *current = 0;
    if (mkba_h5_store_length(st, "/analysis/mkba/rows") != MKBA_ROW_N)
        return MKBA_OK;
    char **rows = NULL;
    size_t n = 0;
    mkba_error why;
    mkba_error_clear(&why);
    int rc = mkba_h5_store_read_strings(st, "/analysis/mkba/rows", &rows, &n, &why);
    if (rc == MKBA_ENOMEM) {
        if (err != NULL)
            *err = why;
        return rc;
    }
    if (rc != MKBA_OK)
        return MKBA_OK;
    int same = n == MKBA_ROW_N;
    for (size_t i = 0; same && i < n; i++)
        same = rows[i] != NULL && strcmp(rows[i], mkba_rows_label((int)i)) == 0;
    mkba_h5_store_strings_free(rows, n);
    *current = same;
    return MKBA_OK;
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
    /* A file written before the MKBA table had its present rows (project
     * costs against effects, then the delivery costs and the project costs
     * by category, issue 13), or before C became the net cost (attribute
     * `cost`), is computed again from its draws, so every file shows the
     * one definition. */
    char *basis = NULL;
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_attr(st, "/analysis", "cost", &basis, err);
    int stale = basis == NULL || strcmp(basis, COST_BASIS) != 0, current = 0;
    mkba_free(basis);
    if (rc == MKBA_OK && !stale)
        rc = mkba_rows_current(st, &current, err);
    if (rc == MKBA_OK && (stale || !current)) {
        mkba_h5_store_close(st, NULL);
        mkba_decision_free(d);
        *out = mkba_decision_alloc(t, NULL, NULL, err);
        return *out != NULL ? MKBA_OK : (err ? err->code : MKBA_EINVAL);
    }
    for (size_t i = 0; i < sizeof specs / sizeof specs[0] && rc == MKBA_OK; i++) {
        const spec *s = &specs[i];
        size_t dims[3];
        int rank = spec_dims(d, s, dims);
        if (is_int(s))
            rc = mkba_h5_store_read_ints(st, s->name, rank, dims, field(d, s), err);
        else
            rc = mkba_h5_store_read_doubles(st, s->name, rank, dims, field(d, s), err);
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
