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

/* Households still in the model at point j: all but those in exit states. */
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

typedef struct cycle_ctx {
    const mkba_model *m;
    const mkba_layout *l;
    const double *occ;         /* this arm's [point][slot] */
    const double *alive;       /* this arm's [point]: households still in the model */
    double households;
    int k;
} cycle_ctx;

/* Sum over cycle k's occupancy terms, for an amount that applies in the
 * cycles of `window`, of weight x count x discount, where the count is in
 * state (d, s) within `dur`, or alive when d < 0. */
static void occupancy_value(const cycle_ctx *c, mkba_window window, int d, int s,
                            mkba_window dur, const discounting *dk, double *undisc,
                            double *disc)
{
    const mkba_timing *t = &c->m->timing;
    double cycle_df = dk->cycle[c->k];
    int first = window.from > 1 ? window.from : 1;
    int last = window.to < t->ncycles ? window.to : t->ncycles;
    int pts[3];
    double w[3];
    int nterms = mkba_timing_terms(t, c->k, first, last, pts, w);
    *undisc = *disc = 0.0;
    for (int i = 0; i < nterms; i++) {
        const double *occ_j = c->occ + (size_t)pts[i] * c->l->nslots;
        double n = d < 0 ? c->alive[pts[i]]
                         : in_state(c->l, occ_j, c->l->state_base[d] + s, dur);
        double v = w[i] * n * t->cycle_years / c->households;
        double df = t->discount_time == MKBA_DISC_POINT ? dk->point[pts[i]] : cycle_df;
        *undisc += v;
        *disc += v * df;
    }
}

/* Prices the counts into r; without `full` only the costs, effects and
 * their totals (no escalations, occupancy or parameters). */
static void tally(const mkba_model *m, const mkba_layout *l, const mkba_counts *c,
                  const double *values, mkba_draw_result *r, int full)
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
    double alive_at[MKBA_MAX_CYCLES + 1];
    for (size_t arm = 0; arm < m->narms; arm++) {
        const double *v = values + arm * np;
        const double *occ = c->focc + arm * l->npoints * l->nslots;
        const double *ent = c->fentries + arm * T * S;
        for (size_t j = 0; j < l->npoints; j++)
            alive_at[j] = alive(m, l, occ + j * l->nslots, H);
        cycle_ctx cc = {m, l, occ, alive_at, H, 0};
        for (int k = 1; k <= (int)T; k++) {
            cc.k = k;
            double *cost = &r->cost[(arm * T + (size_t)k - 1) * P];
            double *cost_d = &r->cost_disc[(arm * T + (size_t)k - 1) * P];
            double *eff = &r->effect[(arm * T + (size_t)k - 1) * E];
            double *eff_d = &r->effect_disc[(arm * T + (size_t)k - 1) * E];
            double *tr = &r->transfer[(arm * T + (size_t)k - 1) * P];
            double *tr_d = &r->transfer_disc[(arm * T + (size_t)k - 1) * P];
            double event_df = dc.cycle[k];
            double *cat = &r->cost_category[(arm * T + (size_t)k - 1) * C];
            double *cat_d = &r->cost_category_disc[(arm * T + (size_t)k - 1) * C];
            for (size_t d = 0; full && d < m->ndomains; d++)
                for (int s = 0; s < m->domain[d].nstates; s++)
                    if (m->domain[d].state[s].second_line)
                        r->escalations[(arm * T + (size_t)k - 1) * m->ndomains + d] +=
                            ent[(size_t)(k - 1) * S + (size_t)(l->state_base[d] + s)] / H;
            for (size_t i = 0; i < m->ncosts; i++) {
                const mkba_cost_rule *rule = &m->cost[i];
                if (!(rule->arms >> arm & 1u) || !in_window(rule->cycles, k))
                    continue;
                double amount = v[rule->amount], u = 0.0, dsc = 0.0;
                switch (rule->kind) {
                case MKBA_COST_STATE:
                    occupancy_value(&cc, rule->cycles, rule->domain, rule->state,
                                    rule->duration, &dc, &u, &dsc);
                    break;
                case MKBA_COST_PROGRAMME_YEAR:
                    occupancy_value(&cc, rule->cycles, -1, 0, all, &dc, &u, &dsc);
                    break;
                case MKBA_COST_ENTRY:
                    u = ent[(size_t)(k - 1) * S + (size_t)(l->state_base[rule->domain] + rule->state)] / H;
                    dsc = u * event_df;
                    break;
                case MKBA_COST_PROGRAMME_ONCE:
                    if (k != (rule->cycles.from > 1 ? rule->cycles.from : 1))
                        continue;
                    u = alive_at[k - 1] / H;
                    dsc = u * dc.point[k - 1];
                    break;
                }
                cost[rule->payer] += amount * u;
                cost_d[rule->payer] += amount * dsc;
                if ((size_t)rule->category_index < C) {
                    cat[rule->category_index] += amount * u;
                    cat_d[rule->category_index] += amount * dsc;
                }
                /* A transfer (a benefit paid to a household) is the same
                 * amount gained by its recipient: it nets out for society.
                 * Both sides are also booked as transfers, so the
                 * benefit-cost analyses can take them out of each payer's
                 * cost. */
                if (rule->transfer_to >= 0) {
                    cost[rule->transfer_to] -= amount * u;
                    cost_d[rule->transfer_to] -= amount * dsc;
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
                occupancy_value(&cc, rule->cycles, rule->domain, rule->state,
                                rule->duration, &de, &u, &dsc);
                eff[rule->effect] += v[rule->amount] * u;
                eff_d[rule->effect] += v[rule->amount] * dsc;
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
        if (!full)
            continue;
        for (size_t j = 0; j < l->npoints; j++)
            for (size_t g = 0; g < S; g++)
                r->occupancy[(arm * l->npoints + j) * S + g] =
                    in_state(l, occ + j * l->nslots, (int)g, all) / H;
        memcpy(&r->params[arm * np], v, np * sizeof *v);
    }
}

void mkba_tally(const mkba_model *m, const mkba_layout *l, const mkba_counts *c,
                const double *values, mkba_draw_result *r)
{
    tally(m, l, c, values, r, 1);
}

void mkba_tally_totals(const mkba_model *m, const mkba_layout *l, const mkba_counts *c,
                       const double *values, mkba_draw_result *r)
{
    tally(m, l, c, values, r, 0);
}
