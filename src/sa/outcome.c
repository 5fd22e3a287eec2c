/* Outcomes of one evaluated point (outcome.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sa/outcome.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "analysis/breakeven.h"
#include "analysis/payers.h"
#include "engine/engine.h"
#include "io/h5out.h"

/* The kinds of outcome, listed once: each expands to one outcome per
 * perspective, per payer, per effect, or a single one. */
typedef enum kind { NPV, BREAKEVEN, INC_COST, INC_EFFECT, ICER, COST, EFFECT } kind;

typedef struct outcome {
    kind kind;
    size_t index;              /* perspective, payer or effect */
    char *name;
    const char *unit;
} outcome;

struct mkba_sa_outcomes {
    const mkba_model *m;
    size_t narms, npayers, neffects, ncycles, cpy, nk;
    int reference, primary;
    size_t n;
    outcome *o;
    char **pname;              /* [nk] perspective names */
    int *pmask;                /* [nk][P] */
    int *emask;                /* [nk][E] monetary effects counting for k */
    char money[64];
    /* Work buffers for one record: the yearly gains, [A][Y]. */
    double *gain_disc, *gain_undisc;
    int *ymask;
};

void mkba_sa_outcomes_free(mkba_sa_outcomes *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; o->o != NULL && i < o->n; i++)
        mkba_free(o->o[i].name);
    mkba_free(o->o);
    for (size_t k = 0; o->pname != NULL && k < o->nk; k++)
        mkba_free(o->pname[k]);
    mkba_free(o->pname);
    mkba_free(o->pmask);
    mkba_free(o->emask);
    mkba_free(o->gain_disc);
    mkba_free(o->gain_undisc);
    mkba_free(o->ymask);
    mkba_free(o);
}

static int add(mkba_sa_outcomes *o, kind k, size_t index, const char *prefix, const char *name,
               const char *unit)
{
    size_t len = strlen(prefix) + (name != NULL ? strlen(name) : 0) + 1;
    char *s = mkba_malloc(len);
    if (s == NULL)
        return -1;
    snprintf(s, len, "%s%s", prefix, name != NULL ? name : "");
    o->o[o->n++] = (outcome){ k, index, s, unit };
    return 0;
}

mkba_sa_outcomes *mkba_sa_outcomes_alloc(const mkba_model *m, mkba_error *err)
{
    mkba_sa_outcomes *o = mkba_calloc(1, sizeof *o);
    if (o == NULL)
        goto nomem;
    o->m = m;
    o->narms = m->narms;
    o->npayers = m->npayers;
    o->neffects = m->neffects;
    o->ncycles = (size_t)m->timing.ncycles;
    o->reference = m->reference;
    o->primary = m->analysis.primary_effect;
    if (mkba_cycles_per_year(m->timing.cycle_years, &o->cpy, err) != MKBA_OK) {
        mkba_sa_outcomes_free(o);
        return NULL;
    }
    if (mkba_h5_perspectives_of(m, &o->pname, &o->pmask, &o->nk, err) != MKBA_OK) {
        mkba_sa_outcomes_free(o);
        return NULL;
    }
    snprintf(o->money, sizeof o->money, "%s (%d prices) per starting household",
             m->currency != NULL ? m->currency : "money", m->price_year);
    size_t na = o->narms, np = o->npayers, ne = o->neffects, nt = o->ncycles;
    size_t ny = mkba_years_of(nt, o->cpy);
    size_t max = 2 * o->nk + 3 + np + ne;
    o->o = mkba_calloc(max, sizeof *o->o);
    o->emask = mkba_calloc(o->nk * (ne + 1), sizeof *o->emask);
    o->gain_disc = mkba_malloc(na * ny * sizeof(double));
    o->gain_undisc = mkba_malloc(na * ny * sizeof(double));
    o->ymask = mkba_malloc((ne + 1) * sizeof *o->ymask);
    if (o->o == NULL || o->emask == NULL || o->gain_disc == NULL || o->gain_undisc == NULL
        || o->ymask == NULL)
        goto nomem;
    /* Monetary effects counting for each perspective, as the decision
     * outputs count them (analysis/decision.c). */
    for (size_t k = 0; k < o->nk; k++)
        for (size_t e = 0; e < ne; e++)
            o->emask[k * ne + e] = mkba_effect_counts(m->effect[e].monetary,
                                                      mkba_h5_effect_payer(m, e),
                                                      o->pmask + k * np, np);
    int bad = 0;
    for (size_t k = 0; k < o->nk; k++)
        bad |= add(o, NPV, k, "npv:", o->pname[k], o->money);
    for (size_t k = 0; k < o->nk; k++)
        bad |= add(o, BREAKEVEN, k, "breakeven:", o->pname[k], "year (1..horizon; inf: not "
                   "within the horizon)");
    bad |= add(o, INC_COST, 0, "incremental_cost", NULL, o->money);
    if (o->primary >= 0) {
        bad |= add(o, INC_EFFECT, 0, "incremental_effect", NULL,
                   m->effect[o->primary].unit != NULL ? m->effect[o->primary].unit : "");
        bad |= add(o, ICER, 0, "icer", NULL, "money per unit of the primary effect");
    }
    for (size_t p = 0; p < np; p++)
        bad |= add(o, COST, p, "cost:", m->payer[p], o->money);
    for (size_t e = 0; e < ne; e++)
        bad |= add(o, EFFECT, e, "effect:", m->effect[e].name,
                   m->effect[e].unit != NULL ? m->effect[e].unit : "");
    if (bad)
        goto nomem;
    return o;
nomem:
    mkba_sa_outcomes_free(o);
    mkba_error_set(err, MKBA_ENOMEM, "out of memory for the outcomes of a sensitivity analysis");
    return NULL;
}

size_t mkba_sa_outcome_count(const mkba_sa_outcomes *o) { return o->n; }
const char *mkba_sa_outcome_name(const mkba_sa_outcomes *o, size_t i) { return o->o[i].name; }
const char *mkba_sa_outcome_unit(const mkba_sa_outcomes *o, size_t i) { return o->o[i].unit; }

int mkba_sa_outcome_linear(const mkba_sa_outcomes *o, size_t i)
{
    return o->o[i].kind != BREAKEVEN && o->o[i].kind != ICER;
}

int mkba_sa_outcome_find(const mkba_sa_outcomes *o, const char *what, const char *name,
                         mkba_error *err)
{
    const char *names[512];
    size_t n = o->n < 512 ? o->n : 512;
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->o[i].name, name) == 0)
            return (int)i;
    for (size_t i = 0; i < n; i++)
        names[i] = o->o[i].name;
    const char *near = mkba_closest_name(name, names, n);
    mkba_error_set(err, MKBA_EINVAL, "%s: no outcome '%s'%s%s%s; outcomes are npv:P and "
                   "breakeven:P for a perspective P (society, municipality, a payer), "
                   "incremental_cost, incremental_effect, icer, cost:PAYER and effect:EFFECT",
                   what, name, near != NULL ? " (did you mean '" : "", near != NULL ? near : "",
                   near != NULL ? "'?)" : "");
    return -1;
}

static double total(const double *x, size_t a, size_t nt, size_t n, size_t i)
{
    double s = 0.0;
    for (size_t k = 0; k < nt; k++)
        s += x[(a * nt + k) * n + i];
    return s;
}

/* The linear outcomes of one batch b from the batch totals. */
static void batch_values(const mkba_sa_outcomes *o, const mkba_draw_result *r, size_t b,
                         double *out)
{
    size_t na = o->narms, np = o->npayers, ne = o->neffects, ref = (size_t)o->reference;
    const double *c = r->batch_cost_total_disc + b * na * np;
    const double *e = r->batch_effect_total_disc + b * na * ne;
    for (size_t a = 0; a < na; a++)
        for (size_t i = 0; i < o->n; i++) {
            const outcome *q = &o->o[i];
            double v = NAN;
            if (q->kind == NPV) {
                v = 0.0;
                for (size_t p = 0; p < np; p++)
                    if (o->pmask[q->index * np + p])
                        v += c[ref * np + p] - c[a * np + p];
                for (size_t f = 0; f < ne; f++)
                    if (o->emask[q->index * ne + f])
                        v += e[a * ne + f] - e[ref * ne + f];
            } else if (q->kind == INC_COST) {
                v = 0.0;
                for (size_t p = 0; p < np; p++)
                    v += c[a * np + p] - c[ref * np + p];
            } else if (q->kind == INC_EFFECT) {
                v = e[a * ne + (size_t)o->primary] - e[ref * ne + (size_t)o->primary];
            } else if (q->kind == COST) {
                v = c[a * np + q->index];
            } else if (q->kind == EFFECT) {
                v = e[a * ne + q->index];
            }
            out[a * o->n + i] = v;
        }
}

int mkba_sa_outcomes_eval(mkba_sa_outcomes *o, const mkba_draw_result *r, double *out,
                          double *batch, double *households, mkba_error *err)
{
    const mkba_model *m = o->m;
    size_t na = o->narms, np = o->npayers, ne = o->neffects, nt = o->ncycles;
    size_t ref = (size_t)o->reference;
    for (size_t k = 0; k < o->nk; k++) {
        int any = 0;
        for (size_t e = 0; e < ne; e++)
            any |= o->ymask[e] = o->emask[k * ne + e];
        if (any) {
            mkba_years_sum(r->effect_disc, na, nt, ne, o->ymask, o->cpy, o->gain_disc);
            mkba_years_sum(r->effect, na, nt, ne, o->ymask, o->cpy, o->gain_undisc);
        }
        mkba_cashflow_input in = {
            .ndraws = 1, .narms = na, .ncycles = nt, .npayers = np, .reference = o->reference,
            .cycle_years = m->timing.cycle_years, .cost_disc = r->cost_disc,
            .cost_undisc = r->cost, .payer_mask = o->pmask + k * np,
            .gain_disc = any ? o->gain_disc : NULL, .gain_undisc = any ? o->gain_undisc : NULL,
        };
        mkba_cashflow *c = mkba_cashflow_alloc(&in, err);
        if (c == NULL)
            return err != NULL ? err->code : MKBA_EINVAL;
        for (size_t i = 0; i < o->n; i++) {
            const outcome *q = &o->o[i];
            if (q->index != k || (q->kind != NPV && q->kind != BREAKEVEN))
                continue;
            for (size_t a = 0; a < na; a++) {
                double v = q->kind == NPV ? c->npv[a]
                           : c->breakeven[a] == MKBA_BREAKEVEN_NEVER ? INFINITY
                           : (double)c->breakeven[a];
                out[a * o->n + i] = a == ref ? (q->kind == NPV ? 0.0 : NAN) : v;
            }
        }
        mkba_cashflow_free(c);
    }
    for (size_t a = 0; a < na; a++) {
        double ic = 0.0, ie = NAN, money = 0.0;
        for (size_t p = 0; p < np; p++)
            ic += total(r->cost_disc, a, nt, np, p) - total(r->cost_disc, ref, nt, np, p);
        /* The ICER's cost is society's net cost, as in the decision
         * outputs: less the monetary effects counting for society
         * (perspective 0), the primary effect itself excepted. */
        for (size_t e = 0; e < ne; e++)
            if (o->emask[e] && (int)e != o->primary)
                money += total(r->effect_disc, a, nt, ne, e)
                         - total(r->effect_disc, ref, nt, ne, e);
        if (o->primary >= 0)
            ie = total(r->effect_disc, a, nt, ne, (size_t)o->primary)
                 - total(r->effect_disc, ref, nt, ne, (size_t)o->primary);
        for (size_t i = 0; i < o->n; i++) {
            const outcome *q = &o->o[i];
            double *v = &out[a * o->n + i];
            switch (q->kind) {
            case NPV: case BREAKEVEN: break;
            case INC_COST: *v = ic; break;
            case INC_EFFECT: *v = ie; break;
            case ICER: *v = a == ref || ie == 0.0 ? NAN : (ic - money) / ie; break;
            case COST: *v = total(r->cost_disc, a, nt, np, q->index); break;
            case EFFECT: *v = total(r->effect_disc, a, nt, ne, q->index); break;
            }
        }
    }
    if (batch != NULL)
        for (size_t b = 0; b < r->nbatches; b++) {
            households[b] = r->batch_households[b];
            batch_values(o, r, b, batch + b * na * o->n);
        }
    return MKBA_OK;
}
