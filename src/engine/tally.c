/* Pricing the tallies: costs by payer, effects and occupancy per cycle,
 * undiscounted and discounted, from one draw's counts and parameter values.
 *
 * State costs and effects are amounts per year; a cycle counts them at the
 * occupancy points and weights of mkba_timing_terms, times the cycle length,
 * priced at the rules that apply in that cycle. Entry costs are charged in
 * the cycle of the entry; one-off programme costs at the start of the first
 * cycle of their window, to the households still in the model. All results
 * are per household of the starting cohort. A cost rule with a transfer_to
 * payer books its amount as a cost to its payer and as a gain (a negative
 * cost) to the recipient. */
#include <math.h>
#include <string.h>
#include "engine/engine.h"

static int in_window(mkba_window w, int x) { return x >= w.from && x <= w.to; }

/* Households at point j in states g's buckets that lie in `dur`. */
static double in_state(const mkba_layout *l, const double *occ_j, int g, mkba_window dur)
{
    const mkba_dur_buckets *b = &l->dur[g];
    /* A window reaching the horizon is open: no time in state exceeds it. */
    int open = dur.to >= (int)l->ncycles;
    double n = 0.0;
    for (int i = 0; i < b->nbuckets; i++)
        if (b->lo[i] >= dur.from && (open || b->hi[i] <= dur.to))
            n += occ_j[l->slot_base[g] + i];
    return n;
}

/* Households still in the model at point j: all the counts are over
 * (`households`, with the entrants that joined by then in the budget view)
 * but those in exit states. */
static double alive(const mkba_model *m, const mkba_layout *l, const double *occ_j,
                    double households)
{
    double out = 0.0;
    for (size_t d = 0; d < m->ndomains; d++)
        for (int s = 0; s < m->domain[d].nstates; s++)
            if (m->domain[d].state[s].exit) {
                int g = l->state_base[d] + s;
                for (int i = 0; i < l->dur[g].nbuckets; i++)
                    out += occ_j[l->slot_base[g] + i];
            }
    return households - out;
}

/* Discount factors of one rate, computed once per tally: pow() per rule
 * and cycle was most of the pricing's time. */
typedef struct discounting {
    double cycle[MKBA_MAX_CYCLES + 1];  /* [k]: cycle k's events (k = 1..T) */
    double point[MKBA_MAX_CYCLES + 1];  /* [j]: time point j (j = 0..T) */
} discounting;

static void discounting_init(discounting *dk, const mkba_timing *t, double rate)
{
    for (int j = 0; j <= t->ncycles; j++) {
        dk->point[j] = mkba_discount(rate, j * t->cycle_years);
        dk->cycle[j] = j > 0 ? mkba_discount(rate, mkba_timing_event_years(t, j)) : 1.0;
    }
}

/* One set of counts as the pricing of one arm sees it: occupancy
 * [point][slot], entries [cycle][state], households still in the model
 * [point], and the households the counts are over. */
typedef struct count_view {
    const double *occ, *ent, *alive;
    double households;
} count_view;

typedef struct cycle_ctx {
    const mkba_model *m;
    const mkba_timing *t;      /* the scenario's, or the budget view's */
    const mkba_layout *l;
    const discounting *costs, *effects;
    int k;
    /* For an amount that varies by year (when some do): the timing with a
     * half-cycle correction priced as the per-cycle trapezoid, so that
     * each cycle's amount weighs the occupancy at both its ends and the
     * total is sum_k A_k (f_{k-1} + f_k) / 2 (docs/model.md, "Calendar
     * time"); the same weights over the window as half-cycle. */
    int varies;
    mkba_timing yearly;
} cycle_ctx;

/* Sets up cc's timing for amounts that vary by year (none when by_cycle
 * is NULL, the usual case). */
static void ctx_years(cycle_ctx *cc, const double *by_cycle)
{
    cc->varies = by_cycle != NULL;
    cc->yearly = *cc->t;
    if (cc->yearly.correction == MKBA_CORR_HALF_CYCLE)
        cc->yearly.correction = MKBA_CORR_TRAPEZOID;
}

/* For each of nb count sets: the sum over cycle k's occupancy terms, for
 * an amount that applies in the cycles of `window`, of weight x count x
 * discount per household, where the count is in state (d, s) within `dur`,
 * or alive when d < 0; undiscounted into u[b], discounted into dsc[b]. */
static void occupancy_values(const cycle_ctx *c, mkba_window window, int d, int s,
                             mkba_window dur, int amount, const discounting *dk,
                             const count_view *cv, size_t nb, double *u, double *dsc)
{
    const mkba_timing *t =
        c->varies && mkba_params_time_column(c->m->params, (size_t)amount) >= 0 ? &c->yearly
                                                                                 : c->t;
    double cycle_df = dk->cycle[c->k];
    int first = window.from > 1 ? window.from : 1;
    int last = window.to < t->ncycles ? window.to : t->ncycles;
    int pts[3];
    double w[3];
    int nterms = mkba_timing_terms(t, c->k, first, last, pts, w);
    for (size_t b = 0; b < nb; b++)
        u[b] = dsc[b] = 0.0;
    for (int i = 0; i < nterms; i++) {
        double df = t->discount_time == MKBA_DISC_POINT ? dk->point[pts[i]] : cycle_df;
        for (size_t b = 0; b < nb; b++) {
            const double *occ_j = cv[b].occ + (size_t)pts[i] * c->l->nslots;
            double n = d < 0 ? cv[b].alive[pts[i]]
                             : in_state(c->l, occ_j, c->l->state_base[d] + s, dur);
            double v = w[i] * n * t->cycle_years / cv[b].households;
            u[b] += v;
            dsc[b] += v * df;
        }
    }
}

/* A cost rule's value per household in cycle k for nb count sets, as
 * occupancy_values; 0 when the rule books nothing in cycle k. */
static int cost_values(const cycle_ctx *c, const mkba_cost_rule *rule, const count_view *cv,
                       size_t nb, double *u, double *dsc)
{
    const mkba_layout *l = c->l;
    const mkba_window all = {0, MKBA_CYCLE_END};
    const int k = c->k;
    switch (rule->kind) {
    case MKBA_COST_STATE:
        occupancy_values(c, rule->cycles, rule->domain, rule->state, rule->duration,
                         rule->amount, c->costs, cv, nb, u, dsc);
        return 1;
    case MKBA_COST_PROGRAMME_YEAR:
        occupancy_values(c, rule->cycles, -1, 0, all, rule->amount, c->costs, cv, nb, u, dsc);
        return 1;
    case MKBA_COST_ENTRY:
        for (size_t b = 0; b < nb; b++) {
            u[b] = cv[b].ent[(size_t)(k - 1) * l->nstates_total
                             + (size_t)(l->state_base[rule->domain] + rule->state)]
                   / cv[b].households;
            dsc[b] = u[b] * c->costs->cycle[k];
        }
        return 1;
    case MKBA_COST_PROGRAMME_ONCE:
        if (k != (rule->cycles.from > 1 ? rule->cycles.from : 1))
            return 0;
        for (size_t b = 0; b < nb; b++) {
            u[b] = cv[b].alive[k - 1] / cv[b].households;
            dsc[b] = u[b] * c->costs->point[k - 1];
        }
        return 1;
    }
    return 0;
}

/* Books cost rule `rule` of `arm` in cycle cc->k at `amount` into the
 * payers' undiscounted and discounted costs of the cycle: its payer pays,
 * and the recipient of a transfer (a benefit paid to a household) gains
 * the same, so it nets out for society. Returns 0 when the rule books
 * nothing in the cycle, else 1 with its value per household in *u, *dsc. */
static int book_cost(const cycle_ctx *cc, const mkba_cost_rule *rule, const count_view *cv,
                     size_t arm, double amount, double *cost, double *cost_d, double *u,
                     double *dsc)
{
    if (!(rule->arms >> arm & 1u) || !in_window(rule->cycles, cc->k)
        || !cost_values(cc, rule, cv, 1, u, dsc))
        return 0;
    cost[rule->payer] += amount * *u;
    cost_d[rule->payer] += amount * *dsc;
    if (rule->transfer_to >= 0) {
        cost[rule->transfer_to] -= amount * *u;
        cost_d[rule->transfer_to] -= amount * *dsc;
    }
    return 1;
}

/* The view of arm `arm` of counts c, with alive[] (npoints) filled: the
 * starting cohort, or with `open` the entrants too (the budget view). */
static count_view view_of(const mkba_model *m, const mkba_layout *l, const mkba_counts *c,
                          size_t arm, int open, double *alive_at)
{
    open = open && mkba_counts_open(c);
    count_view v = { (open ? c->focc_open : c->focc) + arm * l->npoints * l->nslots,
                     (open ? c->fentries_open : c->fentries)
                         + arm * l->ncycles * l->nstates_total,
                     alive_at, c->households };
    for (size_t j = 0; j < l->npoints; j++)
        alive_at[j] = alive(m, l, v.occ + j * l->nslots,
                            open ? c->households + c->joined[j] : c->households);
    return v;
}

void mkba_tally(const mkba_model *m, const mkba_layout *l, const mkba_counts *c,
                const double *values, const double *by_cycle, mkba_draw_result *r)
{
    const mkba_timing *t = &m->timing;
    const size_t T = l->ncycles, np = mkba_params_count(m->params);
    const size_t P = m->npayers, E = m->neffects, S = l->nstates_total, C = r->ncategories;
    const mkba_window all = {0, MKBA_CYCLE_END};
    double H = c->households;

    memset(r->cost, 0, r->narms * T * P * sizeof *r->cost);
    memset(r->cost_disc, 0, r->narms * T * P * sizeof *r->cost_disc);
    memset(r->effect, 0, r->narms * T * E * sizeof *r->effect);
    memset(r->effect_disc, 0, r->narms * T * E * sizeof *r->effect_disc);
    memset(r->cost_total, 0, r->narms * P * sizeof *r->cost_total);
    memset(r->cost_total_disc, 0, r->narms * P * sizeof *r->cost_total_disc);
    memset(r->effect_total, 0, r->narms * E * sizeof *r->effect_total);
    memset(r->effect_total_disc, 0, r->narms * E * sizeof *r->effect_total_disc);
    memset(r->transfer, 0, r->narms * T * P * sizeof *r->transfer);
    memset(r->transfer_disc, 0, r->narms * T * P * sizeof *r->transfer_disc);
    memset(r->transfer_total, 0, r->narms * P * sizeof *r->transfer_total);
    memset(r->transfer_total_disc, 0, r->narms * P * sizeof *r->transfer_total_disc);
    memset(r->cost_category, 0, r->narms * T * C * sizeof *r->cost_category);
    memset(r->cost_category_disc, 0, r->narms * T * C * sizeof *r->cost_category_disc);
    memset(r->escalations, 0, r->narms * T * m->ndomains * sizeof *r->escalations);

    discounting dc, de;
    discounting_init(&dc, t, t->rate_costs);
    discounting_init(&de, t, t->rate_effects);
    cycle_ctx cc = {.m = m, .t = t, .l = l, .costs = &dc, .effects = &de};
    ctx_years(&cc, by_cycle);
    double alive_at[MKBA_MAX_CYCLES + 1];
    for (size_t arm = 0; arm < m->narms; arm++) {
        const double *v = values + arm * np;
        const count_view cv = view_of(m, l, c, arm, 0, alive_at);
        const double *occ = cv.occ, *ent = cv.ent;
        for (int k = 1; k <= (int)T; k++) {
            cc.k = k;
            double *cost = &r->cost[(arm * T + (size_t)k - 1) * P];
            double *cost_d = &r->cost_disc[(arm * T + (size_t)k - 1) * P];
            double *eff = &r->effect[(arm * T + (size_t)k - 1) * E];
            double *eff_d = &r->effect_disc[(arm * T + (size_t)k - 1) * E];
            double *tr = &r->transfer[(arm * T + (size_t)k - 1) * P];
            double *tr_d = &r->transfer_disc[(arm * T + (size_t)k - 1) * P];
            double *cat = &r->cost_category[(arm * T + (size_t)k - 1) * C];
            double *cat_d = &r->cost_category_disc[(arm * T + (size_t)k - 1) * C];
            for (size_t d = 0; d < m->ndomains; d++)
                for (int s = 0; s < m->domain[d].nstates; s++)
                    if (m->domain[d].state[s].second_line)
                        r->escalations[(arm * T + (size_t)k - 1) * m->ndomains + d] +=
                            ent[(size_t)(k - 1) * S + (size_t)(l->state_base[d] + s)] / H;
            for (size_t i = 0; i < m->ncosts; i++) {
                const mkba_cost_rule *rule = &m->cost[i];
                double amount = mkba_amount_in(m, v, by_cycle, arm, rule->amount, k), u, dsc;
                if (!book_cost(&cc, rule, &cv, arm, amount, cost, cost_d, &u, &dsc))
                    continue;
                if ((size_t)rule->category_index < C) {
                    cat[rule->category_index] += amount * u;
                    cat_d[rule->category_index] += amount * dsc;
                }
                /* Both sides of a transfer are also booked as transfers,
                 * so the benefit-cost analyses can take them out of each
                 * payer's cost. */
                if (rule->transfer_to >= 0) {
                    tr[rule->payer] += amount * u;
                    tr_d[rule->payer] += amount * dsc;
                    tr[rule->transfer_to] -= amount * u;
                    tr_d[rule->transfer_to] -= amount * dsc;
                }
            }
            for (size_t i = 0; i < m->neffect_rules; i++) {
                const mkba_effect_rule *rule = &m->effect_rule[i];
                if (!(rule->arms >> arm & 1u) || !in_window(rule->cycles, k))
                    continue;
                double u, dsc;
                occupancy_values(&cc, rule->cycles, rule->domain, rule->state,
                                 rule->duration, rule->amount, &de, &cv, 1, &u, &dsc);
                double amount = mkba_amount_in(m, v, by_cycle, arm, rule->amount, k);
                eff[rule->effect] += amount * u;
                eff_d[rule->effect] += amount * dsc;
            }
            for (size_t p = 0; p < P; p++) {
                r->cost_total[arm * P + p] += cost[p];
                r->cost_total_disc[arm * P + p] += cost_d[p];
                r->transfer_total[arm * P + p] += tr[p];
                r->transfer_total_disc[arm * P + p] += tr_d[p];
            }
            for (size_t e = 0; e < E; e++) {
                r->effect_total[arm * E + e] += eff[e];
                r->effect_total_disc[arm * E + e] += eff_d[e];
            }
        }
        for (size_t j = 0; j < l->npoints; j++)
            for (size_t g = 0; g < S; g++)
                r->occupancy[(arm * l->npoints + j) * S + g] =
                    in_state(l, occ + j * l->nslots, (int)g, all) / H;
        memcpy(&r->params[arm * np], v, np * sizeof *v);
    }
}

void mkba_tally_batches(const mkba_model *m, const mkba_layout *l,
                        const mkba_counts *const *c, size_t nb, const double *values,
                        const double *by_cycle, double *alive_work, double *cost,
                        double *effect, double *ytd)
{
    const mkba_timing *t = &m->timing;
    const size_t T = l->ncycles, np = mkba_params_count(m->params);
    const size_t A = m->narms, P = m->npayers, E = m->neffects;
    memset(cost, 0, nb * A * P * sizeof *cost);
    memset(effect, 0, nb * A * E * sizeof *effect);
    if (ytd != NULL)
        memset(ytd, 0, nb * A * T * P * sizeof *ytd);
    const size_t cpy = l->cycles_per_year;
    discounting dc, de;
    discounting_init(&dc, t, t->rate_costs);
    discounting_init(&de, t, t->rate_effects);
    cycle_ctx cc = {.m = m, .t = t, .l = l, .costs = &dc, .effects = &de};
    ctx_years(&cc, by_cycle);
    count_view cv[MKBA_RESULT_BATCHES];
    double u[MKBA_RESULT_BATCHES], dsc[MKBA_RESULT_BATCHES];
    for (size_t arm = 0; arm < A; arm++) {
        const double *v = values + arm * np;
        for (size_t b = 0; b < nb; b++)
            cv[b] = view_of(m, l, c[b], arm, 0, alive_work + b * l->npoints);
        for (int k = 1; k <= (int)T; k++) {
            cc.k = k;
            for (size_t i = 0; i < m->ncosts; i++) {
                const mkba_cost_rule *rule = &m->cost[i];
                double amount = mkba_amount_in(m, v, by_cycle, arm, rule->amount, k);
                if (!(rule->arms >> arm & 1u) || !in_window(rule->cycles, k)
                    || !cost_values(&cc, rule, cv, nb, u, dsc))
                    continue;
                for (size_t b = 0; b < nb; b++) {
                    double *cb = cost + (b * A + arm) * P;
                    cb[rule->payer] += amount * dsc[b];
                    if (rule->transfer_to >= 0)
                        cb[rule->transfer_to] -= amount * dsc[b];
                    if (ytd == NULL)
                        continue;
                    double *yb = ytd + ((b * A + arm) * T + (size_t)k - 1) * P;
                    yb[rule->payer] += amount * u[b];
                    if (rule->transfer_to >= 0)
                        yb[rule->transfer_to] -= amount * u[b];
                }
            }
            for (size_t i = 0; i < m->neffect_rules; i++) {
                const mkba_effect_rule *rule = &m->effect_rule[i];
                if (!(rule->arms >> arm & 1u) || !in_window(rule->cycles, k))
                    continue;
                occupancy_values(&cc, rule->cycles, rule->domain, rule->state, rule->duration,
                                 rule->amount, &de, cv, nb, u, dsc);
                double amount = mkba_amount_in(m, v, by_cycle, arm, rule->amount, k);
                for (size_t b = 0; b < nb; b++)
                    effect[(b * A + arm) * E + rule->effect] += amount * dsc[b];
            }
            /* The year to date: this cycle's cost plus the previous
             * cycle's year to date when both are in one year. */
            if (ytd != NULL && (size_t)(k - 1) % cpy != 0)
                for (size_t b = 0; b < nb; b++) {
                    double *yb = ytd + ((b * A + arm) * T + (size_t)k - 1) * P;
                    for (size_t p = 0; p < P; p++)
                        yb[p] += yb[p - P];
                }
        }
    }
}

void mkba_tally_year_to_date_mcse(const mkba_model *m, size_t nb, const double *households,
                                  const double *ytd, double *mcse)
{
    const size_t n = m->narms * (size_t)m->timing.ncycles * m->npayers;
    double f[MKBA_RESULT_BATCHES];
    for (size_t i = 0; i < n; i++) {
        for (size_t b = 0; b < nb; b++)
            f[b] = ytd[b * n + i];
        mcse[i] = mkba_mcse_batches(f, households, nb);
    }
}

/* The budget view prices each cycle at the occupancy at its start, with no
 * correction: a household pays for a cycle the state it is in during it
 * (the microsimulation moves households at the cycle's end), and every
 * year counts whole, so a constant population costs the same every year
 * (docs/budget.md). Discounting is the scenario's. */
void mkba_tally_budget(const mkba_model *m, const mkba_layout *l, const mkba_counts *c,
                       const double *values, const double *by_cycle, mkba_draw_result *r)
{
    mkba_timing t = m->timing;
    t.occupancy = MKBA_OCC_START;
    t.correction = MKBA_CORR_NONE;
    const size_t T = l->ncycles, np = mkba_params_count(m->params), P = m->npayers;
    memset(r->budget_cost, 0, r->narms * T * P * sizeof *r->budget_cost);
    memset(r->budget_cost_disc, 0, r->narms * T * P * sizeof *r->budget_cost_disc);
    /* Cost rules are at the price index unless index = "wage" (their part
     * of the cost goes to budget_wages); the teams' wages come from
     * mkba_svc_price. */
    memset(r->budget_wages, 0, r->narms * T * P * sizeof *r->budget_wages);
    discounting dc;
    discounting_init(&dc, &t, t.rate_costs);
    cycle_ctx cc = {.m = m, .t = &t, .l = l, .costs = &dc, .effects = &dc};
    ctx_years(&cc, by_cycle);
    double alive_at[MKBA_MAX_CYCLES + 1];
    for (size_t arm = 0; arm < m->narms; arm++) {
        const double *v = values + arm * np;
        const count_view cv = view_of(m, l, c, arm, 1, alive_at);
        for (size_t j = 0; j < l->npoints; j++)
            r->budget_households[arm * l->npoints + j] = alive_at[j] / c->households;
        for (int k = 1; k <= (int)T; k++) {
            cc.k = k;
            double *cost = &r->budget_cost[(arm * T + (size_t)k - 1) * P];
            double *cost_d = &r->budget_cost_disc[(arm * T + (size_t)k - 1) * P];
            double *wages = &r->budget_wages[(arm * T + (size_t)k - 1) * P];
            for (size_t i = 0; i < m->ncosts; i++) {
                const mkba_cost_rule *rule = &m->cost[i];
                double u, dsc, amount = mkba_amount_in(m, v, by_cycle, arm, rule->amount, k);
                if (!book_cost(&cc, rule, &cv, arm, amount, cost, cost_d, &u, &dsc)
                    || !rule->wage_indexed)
                    continue;
                wages[rule->payer] += amount * u;
                if (rule->transfer_to >= 0)
                    wages[rule->transfer_to] -= amount * u;
            }
        }
    }
}
