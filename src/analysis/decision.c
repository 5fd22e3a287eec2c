/* All decision outputs of a result file from its stored draws: the glue
 * between the totals read from a file and the pure computations of
 * breakeven.c, payers.c, frontier.c and ceac.c. Definitions in
 * docs/decision.md (and, for the MKBA table, docs/summary.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "decision.h"
#include "core/alloc.h"
#include "ceac.h"
#include "frontier.h"
#include "payers.h"
#include "summary.h"

void mkba_decision_free(mkba_decision *d)
{
    if (d == NULL)
        return;
    double **dbl[] = { &d->wtp, &d->net_disc, &d->net_undisc, &d->cum_disc, &d->cum_undisc,
                       &d->breakeven_by_year, &d->breakeven, &d->payback, &d->npv, &d->roi,
                       &d->payer_table, &d->frontier, &d->nmb_mean, &d->ceac, &d->rank,
                       &d->evpi, &d->rank_npv, &d->evpi_npv, &d->mkba };
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++)
        mkba_free(*dbl[i]);
    mkba_free(d->frontier_status);
    mkba_free(d->frontier_prev);
    mkba_free(d->frontier_arm);
    mkba_free(d);
}

/* calloc of at least one element, so a zero-sized axis still allocates. */
static void *zalloc(size_t n, size_t size)
{
    return mkba_calloc(n > 0 ? n : 1, size);
}

mkba_decision *mkba_decision_new(size_t ndraws, size_t narms, size_t npayers,
                                 size_t nperspectives, size_t nyears, size_t nwtp,
                                 mkba_error *err)
{
    mkba_decision *d = mkba_calloc(1, sizeof *d);
    if (d == NULL)
        goto nomem;
    d->ndraws = ndraws;
    d->narms = narms;
    d->npayers = npayers;
    d->nperspectives = nperspectives;
    d->nyears = nyears;
    d->nwtp = nwtp;
    d->reference = 0;
    d->primary_effect = -1;
    size_t ka = nperspectives * narms, kay = ka * nyears, a = narms, w = nwtp;
    size_t rows = npayers + MKBA_PR_EXTRA;
    d->wtp = zalloc(w, sizeof *d->wtp);
    d->net_disc = zalloc(kay, sizeof (double));
    d->net_undisc = zalloc(kay, sizeof (double));
    d->cum_disc = zalloc(kay, sizeof (double));
    d->cum_undisc = zalloc(kay, sizeof (double));
    d->breakeven_by_year = zalloc(kay, sizeof (double));
    d->breakeven = zalloc(ka * MKBA_BE_N, sizeof (double));
    d->payback = zalloc(ka * MKBA_BE_N, sizeof (double));
    d->npv = zalloc(ka * MKBA_ST_N, sizeof (double));
    d->roi = zalloc(ka * MKBA_IR_N, sizeof (double));
    d->payer_table = zalloc(a * rows * MKBA_PT_N, sizeof (double));
    d->frontier_status = zalloc(a, sizeof (int));
    d->frontier_prev = zalloc(a, sizeof (int));
    d->frontier = zalloc(a * MKBA_FR_N, sizeof (double));
    d->nmb_mean = zalloc(w * a, sizeof (double));
    d->ceac = zalloc(w * a, sizeof (double));
    d->rank = zalloc(w * a * a, sizeof (double));
    d->frontier_arm = zalloc(w, sizeof (int));
    d->evpi = zalloc(w * MKBA_EV_N, sizeof (double));
    d->rank_npv = zalloc(a * a, sizeof (double));
    d->evpi_npv = zalloc(1, sizeof (double));
    d->mkba = zalloc(a * MKBA_ROW_N * MKBA_ST_N, sizeof (double));
    if (!d->wtp || !d->net_disc || !d->net_undisc || !d->cum_disc || !d->cum_undisc
        || !d->breakeven_by_year || !d->breakeven || !d->payback || !d->npv || !d->roi
        || !d->payer_table || !d->frontier_status || !d->frontier_prev || !d->frontier
        || !d->nmb_mean || !d->ceac || !d->rank || !d->frontier_arm || !d->evpi
        || !d->rank_npv || !d->evpi_npv || !d->mkba)
        goto nomem;
    return d;
nomem:
    mkba_decision_free(d);
    mkba_error_set(err, MKBA_ENOMEM, "decision outputs: out of memory");
    return NULL;
}

/* Scratch shared by the steps. */
typedef struct work {
    double *dbl;               /* 2 x D doubles */
    double *gain_disc, *gain_undisc; /* [D][A][Y] */
    double *value;             /* [D][A] */
    double *cost, *effect;     /* [D][A] */
    int *emask;                /* [E] */
    double *wv;                /* [A] */
    size_t *wi;                /* [A] */
    double *mean;              /* [2][A] */
    double *pcost, *pgain;     /* [D][A][P + 1] */
    int *pmask;                /* [P + 1] */
    int *project;              /* [C] 1: a project cost category */
} work;

static void work_free(work *w)
{
    mkba_free(w->dbl);
    mkba_free(w->gain_disc);
    mkba_free(w->gain_undisc);
    mkba_free(w->value);
    mkba_free(w->cost);
    mkba_free(w->effect);
    mkba_free(w->emask);
    mkba_free(w->wv);
    mkba_free(w->wi);
    mkba_free(w->mean);
    mkba_free(w->pcost);
    mkba_free(w->pgain);
    mkba_free(w->pmask);
    mkba_free(w->project);
}

/* Whether monetary effect e counts for perspective k: its payer is in the
 * perspective, or it has none and the perspective holds every payer. */
static int effect_counts(const mkba_h5_totals *t, size_t k, size_t e)
{
    return mkba_effect_counts(t->effect_monetary[e], t->effect_payer[e],
                              t->perspective_payers + k * t->npayers, t->npayers);
}

/* Mean over draws of x[d][a][y] into out[a][y]. */
static void mean_over_draws(const double *x, size_t nd, size_t na, size_t ny, double *out)
{
    for (size_t i = 0; i < na * ny; i++) {
        double s = 0.0;
        for (size_t d = 0; d < nd; d++)
            s += x[d * na * ny + i];
        out[i] = s / (double)nd;
    }
}

static void fill_nan(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = NAN;
}

/* Break-even statistics as a row of MKBA_BE_N values. */
static void be_row(const mkba_breakeven_stats *s, double *row)
{
    row[MKBA_BE_NEVER] = s->share_never;
    row[MKBA_BE_MEAN] = s->mean;
    row[MKBA_BE_MEDIAN] = s->median;
    row[MKBA_BE_P05] = s->p05;
    row[MKBA_BE_P95] = s->p95;
}

/* An investment smaller than this share of the gross flows (investment
 * plus returns) counts as none: a ratio to a few cents per household says
 * nothing, so the ROI is then +inf (nothing invested, something gained). */
#define ROI_MATERIAL 1e-3

static double ratio_of_means(double num, double den)
{
    if (den > 0.0)
        return num / den;
    if (den == 0.0 && num > 0.0)
        return INFINITY;
    return NAN;
}

/* Cash flows, break-even and ROI of perspective k. */
static int perspective(const mkba_h5_totals *t, mkba_decision *dc, size_t k, size_t cpy,
                       work *w, double *society_npv, mkba_decision_flow_fn flow,
                       void *user, mkba_error *err)
{
    size_t nd = t->ndraws, na = t->narms, ny = dc->nyears, ne = t->neffects;
    int any = 0;
    for (size_t e = 0; e < ne; e++)
        any |= w->emask[e] = effect_counts(t, k, e);
    if (any) {
        mkba_years_sum(t->effect_disc, nd * na, t->ncycles, ne, w->emask, cpy, w->gain_disc);
        mkba_years_sum(t->effect_undisc, nd * na, t->ncycles, ne, w->emask, cpy,
                       w->gain_undisc);
    }
    mkba_cashflow_input in = {
        .ndraws = nd, .narms = na, .ncycles = t->ncycles, .npayers = t->npayers,
        .reference = t->reference, .cycle_years = t->cycle_years,
        .cost_disc = t->cost_disc, .cost_undisc = t->cost_undisc,
        .payer_mask = t->perspective_payers + k * t->npayers,
        .gain_disc = any ? w->gain_disc : NULL, .gain_undisc = any ? w->gain_undisc : NULL,
    };
    mkba_cashflow *c = mkba_cashflow_alloc(&in, err);
    if (c == NULL)
        return err ? err->code : MKBA_EINVAL;
    size_t r = (size_t)t->reference, kay = k * na * ny, ka = k * na;
    mean_over_draws(c->net_disc, nd, na, ny, dc->net_disc + kay);
    mean_over_draws(c->net_undisc, nd, na, ny, dc->net_undisc + kay);
    mean_over_draws(c->cum_disc, nd, na, ny, dc->cum_disc + kay);
    mean_over_draws(c->cum_undisc, nd, na, ny, dc->cum_undisc + kay);
    int rc = MKBA_OK;
    for (size_t a = 0; a < na && rc == MKBA_OK; a++) {
        double *be = dc->breakeven + (ka + a) * MKBA_BE_N;
        double *pb = dc->payback + (ka + a) * MKBA_BE_N;
        double *by = dc->breakeven_by_year + kay + a * ny;
        double *npv = dc->npv + (ka + a) * MKBA_ST_N;
        double *roi = dc->roi + (ka + a) * MKBA_IR_N;
        if (a == r) {
            fill_nan(be, MKBA_BE_N);
            fill_nan(pb, MKBA_BE_N);
            fill_nan(by, ny);
            fill_nan(npv, MKBA_ST_N);
            fill_nan(roi, MKBA_IR_N);
            for (size_t y = 0; y < ny; y++) {
                dc->net_disc[kay + a * ny + y] = dc->net_undisc[kay + a * ny + y] = NAN;
                dc->cum_disc[kay + a * ny + y] = dc->cum_undisc[kay + a * ny + y] = NAN;
            }
            continue;
        }
        mkba_breakeven_stats s;
        rc = mkba_breakeven_stats_of(c->breakeven + a, nd, na, ny, w->dbl, by, &s, err);
        if (rc != MKBA_OK)
            break;
        be_row(&s, be);
        rc = mkba_breakeven_stats_of(c->payback + a, nd, na, ny, w->dbl, NULL, &s, err);
        if (rc != MKBA_OK)
            break;
        be_row(&s, pb);
        double inv = 0.0, ret = 0.0;
        for (size_t d = 0; d < nd; d++) {
            w->dbl[d] = c->npv[d * na + a];
            inv += c->investment[d * na + a];
            ret += c->returns[d * na + a];
        }
        mkba_stat st = mkba_stat_of(w->dbl, nd, w->dbl + nd);
        npv[MKBA_ST_MEAN] = st.mean;
        npv[MKBA_ST_LO] = st.lo;
        npv[MKBA_ST_HI] = st.hi;
        roi[MKBA_IR_INVESTMENT] = inv / (double)nd;
        roi[MKBA_IR_RETURNS] = ret / (double)nd;
        roi[MKBA_IR_ROI] = inv < ROI_MATERIAL * (inv + ret)
                               ? ratio_of_means(st.mean, 0.0)
                               : ratio_of_means(st.mean, inv / (double)nd);
    }
    if (rc == MKBA_OK && society_npv != NULL)
        memcpy(society_npv, c->npv, nd * na * sizeof *society_npv);
    if (rc == MKBA_OK && flow != NULL)
        rc = flow(user, k, c, err);
    mkba_cashflow_free(c);
    return rc;
}

/* Who pays and who gains: payers, society at large, society, municipality. */
static int payer_table(const mkba_h5_totals *t, mkba_decision *dc, work *w, mkba_error *err)
{
    size_t nd = t->ndraws, na = t->narms, np = t->npayers, nq = np + 1, ne = t->neffects;
    size_t rows = np + MKBA_PR_EXTRA;
    for (size_t d = 0; d < nd; d++)
        for (size_t a = 0; a < na; a++) {
            double *pc = w->pcost + (d * na + a) * nq, *pg = w->pgain + (d * na + a) * nq;
            const double *tc = t->cost_total_disc + (d * na + a) * np;
            const double *te = t->effect_total_disc + (d * na + a) * ne;
            for (size_t p = 0; p < nq; p++) {
                pc[p] = p < np ? tc[p] : 0.0;
                pg[p] = 0.0;
            }
            for (size_t e = 0; e < ne; e++)
                if (t->effect_monetary[e])
                    pg[t->effect_payer[e] >= 0 ? (size_t)t->effect_payer[e] : np] += te[e];
        }
    mkba_payer_input in = { nd, na, nq, t->reference, w->pcost, w->pgain };
    mkba_payer_table *pt = mkba_payer_table_alloc(&in, err);
    if (pt == NULL)
        return err ? err->code : MKBA_EINVAL;
    for (size_t p = 0; p < nq; p++)
        w->pmask[p] = p < np && t->payer_municipal[p];
    int rc = MKBA_OK;
    for (size_t a = 0; a < na && rc == MKBA_OK; a++) {
        mkba_payer_row muni;
        rc = mkba_payer_row_of(&in, a, w->pmask, w->dbl, &muni, err);
        for (size_t i = 0; i < rows && rc == MKBA_OK; i++) {
            /* The library's rows are the nq columns, then society. */
            const mkba_payer_row *row = i < np + MKBA_PR_MUNICIPALITY
                                        ? &pt->row[a * (nq + 1) + i] : &muni;
            double *out = dc->payer_table + (a * rows + i) * MKBA_PT_N;
            out[MKBA_PT_INVESTMENT] = row->investment;
            out[MKBA_PT_RETURNS] = row->returns;
            out[MKBA_PT_NET] = row->net.mean;
            out[MKBA_PT_NET_LO] = row->net.lo;
            out[MKBA_PT_NET_HI] = row->net.hi;
            out[MKBA_PT_P_LOSS] = row->p_loss;
        }
    }
    mkba_payer_table_free(pt);
    return rc;
}

/* Society's discounted net cost [D][A] and the primary effect, oriented
 * so that more is better, into w->cost and w->effect. The net cost is the
 * cost C of every measure that sets money against the effect (NMB = wtp x
 * E - C, CEAC, ranks, EVPI, frontier and its ICERs): the payers' costs
 * less the monetary effects that count for society (perspective 0), such
 * as production, so that at wtp 0 the NMB of an arm less the reference's
 * is its NPV for society in every draw, the answer's (docs/decision.md,
 * "Net monetary benefit"). The primary effect is never monetary here
 * (mkba_decision_alloc compares on money alone otherwise), so no effect is
 * both in C and in E. emask is filled for society. */
static void cost_and_effect(const mkba_h5_totals *t, const mkba_decision *dc, work *w)
{
    size_t nd = t->ndraws, na = t->narms, np = t->npayers, ne = t->neffects;
    double sign = dc->lower_is_better ? -1.0 : 1.0;
    for (size_t e = 0; e < ne; e++)
        w->emask[e] = effect_counts(t, 0, e) && (int)e != dc->primary_effect;
    for (size_t i = 0; i < nd * na; i++) {
        double c = 0.0;
        for (size_t p = 0; p < np; p++)
            c += t->cost_total_disc[i * np + p];
        for (size_t e = 0; e < ne; e++)
            if (w->emask[e])
                c -= t->effect_total_disc[i * ne + e];
        w->cost[i] = c;
        w->effect[i] = dc->primary_effect >= 0
                       ? sign * t->effect_total_disc[i * ne + (size_t)dc->primary_effect] : 0.0;
    }
}

static int frontier(const mkba_h5_totals *t, mkba_decision *dc, work *w, mkba_error *err)
{
    size_t nd = t->ndraws, na = t->narms;
    for (size_t a = 0; a < na; a++) {
        dc->frontier_status[a] = MKBA_FRONTIER_NONE;
        dc->frontier_prev[a] = -1;
        fill_nan(dc->frontier + a * MKBA_FR_N, MKBA_FR_N);
    }
    if (dc->primary_effect < 0)
        return MKBA_OK;
    double *mc = w->mean, *me = w->mean + na;
    for (size_t a = 0; a < na; a++) {
        double sc = 0.0, se = 0.0;
        for (size_t d = 0; d < nd; d++) {
            sc += w->cost[d * na + a];
            se += w->effect[d * na + a];
        }
        mc[a] = sc / (double)nd;
        me[a] = se / (double)nd;
    }
    mkba_frontier *f = mkba_frontier_alloc(na, mc, me, t->reference, err);
    if (f == NULL)
        return err ? err->code : MKBA_EINVAL;
    for (size_t a = 0; a < na; a++) {
        double *row = dc->frontier + a * MKBA_FR_N;
        dc->frontier_status[a] = (int)f->status[a];
        dc->frontier_prev[a] = f->prev[a];
        row[MKBA_FR_COST] = mc[a];
        row[MKBA_FR_EFFECT] = me[a];
        row[MKBA_FR_ICER] = f->icer[a];
        row[MKBA_FR_INC_COST_REF] = f->inc_cost_ref[a];
        row[MKBA_FR_INC_EFFECT_REF] = f->inc_effect_ref[a];
        row[MKBA_FR_INC_COST_PREV] = f->inc_cost_prev[a];
        row[MKBA_FR_INC_EFFECT_PREV] = f->inc_effect_prev[a];
    }
    mkba_frontier_free(f);
    return MKBA_OK;
}

static int acceptability(const mkba_h5_totals *t, mkba_decision *dc, work *w,
                         const double *society_npv, mkba_error *err)
{
    size_t nd = t->ndraws, na = t->narms, nw = dc->nwtp;
    const double *cost = w->cost, *effect = w->effect;
    if (dc->primary_effect < 0) {
        /* Money only: the value of an arm is its NPV, i.e. NMB with cost
         * = -NPV and no effect. */
        for (size_t i = 0; i < nd * na; i++) {
            w->value[i] = -society_npv[i];
            w->effect[i] = 0.0;
        }
        cost = w->value;
    }
    mkba_ceac *c = mkba_ceac_alloc(nd, na, cost, effect, dc->wtp, nw, err);
    if (c == NULL)
        return err ? err->code : MKBA_EINVAL;
    memcpy(dc->nmb_mean, c->mean_nmb, nw * na * sizeof (double));
    memcpy(dc->ceac, c->prob_best, nw * na * sizeof (double));
    memcpy(dc->rank, c->rank, nw * na * na * sizeof (double));
    int rc = MKBA_OK;
    double *pop = mkba_malloc((t->population_years > 0 ? (size_t)t->population_years : 1)
                         * sizeof *pop);
    if (pop == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "decision outputs: out of memory");
    for (int y = 0; pop != NULL && y < t->population_years; y++)
        pop[y] = t->population;
    for (size_t i = 0; i < nw && rc == MKBA_OK; i++) {
        double *ev = dc->evpi + i * MKBA_EV_N;
        dc->frontier_arm[i] = c->frontier_arm[i];
        ev[MKBA_EV_FRONTIER_PROB] = c->frontier_prob[i];
        ev[MKBA_EV_PERSON] = c->evpi[i];
        ev[MKBA_EV_POPULATION] = NAN;
        if (t->population > 0.0 && t->population_years > 0)
            rc = mkba_evpi_population(c->evpi[i], pop, (size_t)t->population_years,
                                      t->rate_costs, &ev[MKBA_EV_POPULATION], err);
    }
    mkba_free(pop);
    mkba_ceac_free(c);
    if (rc != MKBA_OK)
        return rc;

    /* Ranks on society's NPV (the reference's NPV is 0 in every draw). */
    mkba_decision_point pt;
    rc = mkba_decision_at(nd, na, society_npv, w->mean, w->mean + na, dc->rank_npv, &pt,
                          w->wv, w->wi, err);
    dc->evpi_npv[0] = rc == MKBA_OK ? pt.evpi : NAN;
    return rc;
}

/* The MKBA table of arm a against the reference: per draw, the rows of
 * mkba_rows_compute (the one definition the summary shares); the BCR is the
 * ratio of the mean total benefits to the mean total costs, without an
 * interval (as in the summary). */
static void mkba_table(const mkba_h5_totals *t, mkba_decision *dc, size_t a, work *w)
{
    size_t nd = t->ndraws;
    double *out = dc->mkba + a * MKBA_ROW_N * MKBA_ST_N;
    if (a == (size_t)t->reference) {
        fill_nan(out, MKBA_ROW_N * MKBA_ST_N);
        return;
    }
    double *row = w->gain_disc;  /* [MKBA_ROW_N][D]: gain_disc holds that many */
    for (size_t d = 0; d < nd; d++) {
        double v[MKBA_ROW_N];
        mkba_rows_compute(t, w->project, d, a, v);
        for (int i = 0; i < MKBA_ROW_BCR; i++)
            row[(size_t)i * nd + d] = v[i];
    }
    for (int i = 0; i < MKBA_ROW_BCR; i++) {
        mkba_stat s = mkba_stat_of(row + (size_t)i * nd, nd, w->dbl);
        out[i * MKBA_ST_N + MKBA_ST_MEAN] = s.mean;
        out[i * MKBA_ST_N + MKBA_ST_LO] = s.lo;
        out[i * MKBA_ST_N + MKBA_ST_HI] = s.hi;
    }
    double *bcr = out + MKBA_ROW_BCR * MKBA_ST_N;
    bcr[MKBA_ST_MEAN] = mkba_rows_bcr(out[MKBA_ROW_BENEFITS * MKBA_ST_N + MKBA_ST_MEAN],
                                      out[MKBA_ROW_COSTS * MKBA_ST_N + MKBA_ST_MEAN]);
    bcr[MKBA_ST_LO] = bcr[MKBA_ST_HI] = NAN;
}

static int check_totals(const mkba_h5_totals *t, mkba_error *err)
{
    if (t == NULL || t->ndraws == 0 || t->narms == 0 || t->ncycles == 0 || t->reference < 0
        || (size_t)t->reference >= t->narms)
        return mkba_error_set(err, MKBA_EINVAL,
                              "decision outputs: the result holds no draws, arms or cycles, or "
                              "its reference arm is out of range");
    if (t->perspective_payers == NULL || t->effect_payer == NULL || t->payer_municipal == NULL
        || t->cost_disc == NULL || t->effect_disc == NULL || t->nperspectives == 0)
        return mkba_error_set(err, MKBA_EINVAL,
                              "decision outputs: the result lacks its perspectives or "
                              "per-cycle arrays");
    return MKBA_OK;
}

mkba_decision *mkba_decision_alloc(const mkba_h5_totals *t, mkba_decision_flow_fn flow,
                                   void *user, mkba_error *err)
{
    if (check_totals(t, err) != MKBA_OK)
        return NULL;
    size_t cpy = 0;
    if (mkba_cycles_per_year(t->cycle_years, &cpy, err) != MKBA_OK)
        return NULL;
    size_t nd = t->ndraws, na = t->narms, np = t->npayers, ny = mkba_years_of(t->ncycles, cpy);
    int money = t->primary_effect < 0 || (size_t)t->primary_effect >= t->neffects
                || t->effect_monetary[t->primary_effect];
    size_t nw = money || t->nwtp == 0 ? 1 : t->nwtp;
    mkba_decision *dc = mkba_decision_new(nd, na, np, t->nperspectives, ny, nw, err);
    if (dc == NULL)
        return NULL;
    dc->reference = t->reference;
    dc->primary_effect = money ? -1 : t->primary_effect;
    dc->lower_is_better = !money && t->effect_lower_is_better != NULL
                          && t->effect_lower_is_better[t->primary_effect];
    if (money || t->nwtp == 0)
        dc->wtp[0] = 0.0;
    else
        memcpy(dc->wtp, t->wtp, nw * sizeof *dc->wtp);

    work w = { 0 };
    size_t day = nd * na * ny, rows = nd * MKBA_ROW_N;
    w.dbl = mkba_malloc(2 * nd * sizeof *w.dbl);
    w.gain_disc = mkba_malloc((day > rows ? day : rows) * sizeof *w.gain_disc);
    w.gain_undisc = mkba_malloc(day * sizeof *w.gain_undisc);
    w.value = mkba_malloc(nd * na * sizeof *w.value);
    w.cost = mkba_malloc(nd * na * sizeof *w.cost);
    w.effect = mkba_malloc(nd * na * sizeof *w.effect);
    w.emask = zalloc(t->neffects, sizeof *w.emask);
    w.wv = mkba_malloc((na > nd ? na : nd) * sizeof *w.wv);
    w.wi = mkba_malloc(na * sizeof *w.wi);
    w.mean = mkba_malloc(2 * na * sizeof *w.mean);
    w.pcost = mkba_malloc(nd * na * (np + 1) * sizeof *w.pcost);
    w.pgain = mkba_malloc(nd * na * (np + 1) * sizeof *w.pgain);
    w.pmask = mkba_malloc((np + 1) * sizeof *w.pmask);
    w.project = zalloc(t->ncategories, sizeof *w.project);
    double *society_npv = mkba_malloc(nd * na * sizeof *society_npv);
    int rc = MKBA_OK;
    if (!w.dbl || !w.gain_disc || !w.gain_undisc || !w.value || !w.cost || !w.effect
        || !w.emask || !w.wv || !w.wi || !w.mean || !w.pcost || !w.pgain || !w.pmask
        || !w.project || !society_npv)
        rc = mkba_error_set(err, MKBA_ENOMEM, "decision outputs: out of memory for %zu draws",
                            nd);
    /* Perspective 0 is society (every payer): its NPV ranks the arms. */
    for (size_t k = 0; k < t->nperspectives && rc == MKBA_OK; k++)
        rc = perspective(t, dc, k, cpy, &w, k == 0 ? society_npv : NULL, flow, user, err);
    if (rc == MKBA_OK)
        rc = payer_table(t, dc, &w, err);
    if (rc == MKBA_OK) {
        cost_and_effect(t, dc, &w);
        rc = frontier(t, dc, &w, err);
    }
    if (rc == MKBA_OK)
        rc = acceptability(t, dc, &w, society_npv, err);
    if (rc == MKBA_OK)
        mkba_rows_project_mask(t, w.project);
    for (size_t a = 0; a < na && rc == MKBA_OK; a++)
        mkba_table(t, dc, a, &w);
    work_free(&w);
    mkba_free(society_npv);
    if (rc != MKBA_OK) {
        mkba_decision_free(dc);
        return NULL;
    }
    return dc;
}
