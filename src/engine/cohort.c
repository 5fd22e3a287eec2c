/* The cohort trace: expected occupancies without sampling households.
 *
 * Each domain's chain runs on expanded states (state, cycles in state up to
 * the cap), so time-in-state rules are exact. Without interactions or exit
 * states the domains evolve independently given their initial states, and
 * costs and effects are sums over domains, so one trace per domain from its
 * marginal prevalence is exact. Otherwise the trace runs over the joint
 * expanded state space: each domain moves given the joint state at the
 * start of the cycle, exactly as the microsimulation does, and the initial
 * joint distribution integrates the latent factor by Gauss-Hermite
 * quadrature. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include "engine/engine.h"
#include "core/alloc.h"

#define MAX_JOINT 65536
#define HERMITE_NODES 64
#define SQRT_2PI 2.50662827463100050242

/* Expanded states of one domain: state s with t cycles in it, t = 0..cap. */
typedef struct expanded {
    int n;                                   /* expanded states */
    int first[MKBA_MAX_STATES];              /* index of (s, 0) */
} expanded;

static void expand(const mkba_layout *l, int d, expanded *e)
{
    e->n = 0;
    for (int s = 0; s < l->nstates[d]; s++) {
        e->first[s] = e->n;
        e->n += l->dur[l->state_base[d] + s].cap + 1;
    }
}

static void split(const mkba_layout *l, int d, const expanded *e, int i, int *s, int *t)
{
    int k = l->nstates[d] - 1;
    while (e->first[k] > i)
        k--;
    *s = k;
    *t = i - e->first[k];
}

/* Moves of one domain from expanded state (s, t) in cycle k given the
 * interaction term z: targets (expanded index), probabilities, and whether
 * the state changed. Returns the number of moves (<= nstates). */
static int moves(const mkba_tables *t, size_t arm, int seg, int d, const expanded *e,
                 int s, int tt, double z, int *to, double *p, int *changed)
{
    const mkba_layout *l = t->l;
    int g = l->state_base[d] + s;
    const mkba_row *row = mkba_tables_row(t, arm, seg, g, l->dur[g].bucket_of[tt]);
    int n = 0;
    double pw = mkba_row_worsening(row, z), scale = row->pw > 0.0 ? pw / row->pw : 0.0;
    for (int i = 0; i < row->n; i++) {
        to[n] = e->first[row->to[i]];
        p[n] = (row->cum[i] - (i ? row->cum[i - 1] : 0.0)) * (i < row->nw ? scale : 1.0);
        changed[n++] = 1;
    }
    double stay = 1.0 - pw - row->po;
    if (stay > 0.0) {
        int cap = l->dur[g].cap;
        to[n] = e->first[s] + (tt < cap ? tt + 1 : cap);
        p[n] = stay;
        changed[n++] = 0;
    }
    return n;
}

static void add_occupancy(const mkba_layout *l, int d, const expanded *e, int i, double mass,
                          double *occ_j)
{
    int s, tt;
    split(l, d, e, i, &s, &tt);
    int g = l->state_base[d] + s;
    occ_j[l->slot_base[g] + l->dur[g].bucket_of[tt]] += mass;
}

/* Independent domains: one trace per domain. */
static int trace_marginal(const mkba_model *m, const mkba_tables *t, size_t arm, mkba_counts *c)
{
    const mkba_layout *l = t->l;
    const size_t T = l->ncycles, S = l->nstates_total;
    double *occ = c->focc + arm * l->npoints * l->nslots;
    double *ent = c->fentries + arm * T * S;
    for (size_t d = 0; d < m->ndomains; d++) {
        expanded e;
        expand(l, (int)d, &e);
        double *cur = mkba_calloc((size_t)e.n, sizeof *cur), *nxt = mkba_calloc((size_t)e.n, sizeof *nxt);
        if (cur == NULL || nxt == NULL) {
            mkba_free(cur);
            mkba_free(nxt);
            return MKBA_ENOMEM;
        }
        for (int s = 0; s < l->nstates[d]; s++)
            cur[e.first[s]] = t->init_prev[arm * S + (size_t)l->state_base[d] + (size_t)s];
        for (int i = 0; i < e.n; i++)
            if (cur[i] != 0.0)
                add_occupancy(l, (int)d, &e, i, cur[i], occ);
        for (size_t k = 1; k <= T; k++) {
            memset(nxt, 0, (size_t)e.n * sizeof *nxt);
            for (int i = 0; i < e.n; i++) {
                if (cur[i] == 0.0)
                    continue;
                int s, tt, to[MKBA_MAX_STATES], changed[MKBA_MAX_STATES];
                double p[MKBA_MAX_STATES];
                split(l, (int)d, &e, i, &s, &tt);
                int n = moves(t, arm, l->seg_of_cycle[k], (int)d, &e, s, tt, 0.0, to, p, changed);
                for (int j = 0; j < n; j++) {
                    nxt[to[j]] += cur[i] * p[j];
                    if (changed[j]) {
                        int s2, t2;
                        split(l, (int)d, &e, to[j], &s2, &t2);
                        ent[(k - 1) * S + (size_t)l->state_base[d] + (size_t)s2] += cur[i] * p[j];
                    }
                }
            }
            double *tmp = cur;
            cur = nxt;
            nxt = tmp;
            for (int i = 0; i < e.n; i++)
                if (cur[i] != 0.0)
                    add_occupancy(l, (int)d, &e, i, cur[i], occ + k * l->nslots);
        }
        mkba_free(cur);
        mkba_free(nxt);
    }
    return MKBA_OK;
}

/* ---- joint trace ---- */

typedef struct joint {
    const mkba_model *m;
    const mkba_tables *t;
    size_t arm;
    size_t D, n;
    expanded e[MKBA_MAX_DOMAINS];
    size_t stride[MKBA_MAX_DOMAINS];
} joint;

static void decode(const joint *J, size_t x, int *idx)
{
    for (size_t d = 0; d < J->D; d++)
        idx[d] = (int)(x / J->stride[d] % (size_t)J->e[d].n);
}

/* Lowest domain in an exit state, or -1. */
static int joint_exit(const joint *J, const int *idx)
{
    for (size_t d = 0; d < J->D; d++) {
        int s, tt;
        split(J->t->l, (int)d, &J->e[d], idx[d], &s, &tt);
        if (J->m->domain[d].state[s].exit)
            return (int)d;
    }
    return -1;
}

static void joint_occupancy(const joint *J, const int *idx, double mass, double *occ_j)
{
    int out = joint_exit(J, idx);
    if (out >= 0) {
        add_occupancy(J->t->l, out, &J->e[out], idx[out], mass, occ_j);
        return;
    }
    for (size_t d = 0; d < J->D; d++)
        add_occupancy(J->t->l, (int)d, &J->e[d], idx[d], mass, occ_j);
}

/* Scales the joint initial distribution so every domain's marginal equals
 * its prevalence exactly (iterative proportional fitting). Quadrature
 * leaves the marginals slightly off when a loading is near 1, where the
 * conditional probabilities are nearly steps in the factor. */
static void fit_marginals(const joint *J, double *mass)
{
    const mkba_layout *l = J->t->l;
    int idx[MKBA_MAX_DOMAINS];
    for (int iter = 0; iter < 100; iter++) {
        double worst = 0.0;
        for (size_t d = 0; d < J->D; d++) {
            const double *prev = &J->t->init_prev[J->arm * l->nstates_total + (size_t)l->state_base[d]];
            double have[MKBA_MAX_STATES] = {0}, scale[MKBA_MAX_STATES];
            for (size_t x = 0; x < J->n; x++) {
                decode(J, x, idx);
                int s, tt;
                split(l, (int)d, &J->e[d], idx[d], &s, &tt);
                have[s] += mass[x];
            }
            for (int s = 0; s < l->nstates[d]; s++) {
                scale[s] = have[s] > 0.0 ? prev[s] / have[s] : 0.0;
                if (have[s] > 0.0 && fabs(scale[s] - 1.0) > worst)
                    worst = fabs(scale[s] - 1.0);
            }
            for (size_t x = 0; x < J->n; x++) {
                decode(J, x, idx);
                int s, tt;
                split(l, (int)d, &J->e[d], idx[d], &s, &tt);
                mass[x] *= scale[s];
            }
        }
        if (worst < 1e-14)
            break;
    }
}

/* Initial joint distribution: product of per-domain probabilities given the
 * latent factor, integrated over the factor, then fitted to the marginals. */
static int joint_initial(const joint *J, double *mass)
{
    const mkba_layout *l = J->t->l;
    const size_t S = l->nstates_total;
    gsl_integration_fixed_workspace *w =
        gsl_integration_fixed_alloc(gsl_integration_fixed_hermite, HERMITE_NODES, 0.0, 0.5, 0.0, 0.0);
    if (w == NULL)
        return MKBA_ENOMEM;
    const double *node = gsl_integration_fixed_nodes(w), *weight = gsl_integration_fixed_weights(w);
    double pd[MKBA_MAX_DOMAINS][MKBA_MAX_STATES];
    int idx[MKBA_MAX_DOMAINS];
    memset(mass, 0, J->n * sizeof *mass);
    for (size_t q = 0; q < HERMITE_NODES; q++) {
        double f = node[q], wq = weight[q] / SQRT_2PI;
        for (size_t d = 0; d < J->D; d++) {
            const double *prev = &J->t->init_prev[J->arm * S + (size_t)l->state_base[d]];
            const double *thr = &J->t->init_thr[J->arm * S + (size_t)l->state_base[d]];
            double load = J->t->loading[J->arm * J->D + d], sd = sqrt(1.0 - load * load);
            double below = 0.0;
            for (int s = 0; s < l->nstates[d]; s++) {
                if (load == 0.0 || J->m->domain[d].init_kind == MKBA_INIT_STATE) {
                    pd[d][s] = prev[s];
                    continue;
                }
                double upto = s + 1 < l->nstates[d] ? gsl_cdf_ugaussian_P((thr[s] - load * f) / sd) : 1.0;
                pd[d][s] = upto - below;
                below = upto;
            }
        }
        for (size_t x = 0; x < J->n; x++) {
            decode(J, x, idx);
            double p = wq;
            for (size_t d = 0; d < J->D && p != 0.0; d++) {
                int s, tt;
                split(l, (int)d, &J->e[d], idx[d], &s, &tt);
                p = tt == 0 ? p * pd[d][s] : 0.0;
            }
            mass[x] += p;
        }
    }
    gsl_integration_fixed_free(w);
    fit_marginals(J, mass);
    return MKBA_OK;
}

typedef struct step {
    int n[MKBA_MAX_DOMAINS];
    int to[MKBA_MAX_DOMAINS][MKBA_MAX_STATES];
    double p[MKBA_MAX_DOMAINS][MKBA_MAX_STATES];
    int changed[MKBA_MAX_DOMAINS][MKBA_MAX_STATES];
} step;

/* Spreads `mass` of joint state idx over every combination of domain moves. */
static void spread(const joint *J, const step *st, const int *idx, size_t d, int *pick,
                   double mass, double *nxt, double *ent_k)
{
    const mkba_layout *l = J->t->l;
    if (d < J->D) {
        for (int j = 0; j < st->n[d]; j++) {
            pick[d] = j;
            spread(J, st, idx, d + 1, pick, mass * st->p[d][j], nxt, ent_k);
        }
        return;
    }
    if (mass == 0.0)
        return;
    int out = -1;
    for (size_t e = 0; e < J->D && out < 0; e++) {
        if (!st->changed[e][pick[e]])
            continue;
        int s, tt;
        split(l, (int)e, &J->e[e], st->to[e][pick[e]], &s, &tt);
        if (J->m->domain[e].state[s].exit)
            out = (int)e;
    }
    size_t y = 0;
    for (size_t e = 0; e < J->D; e++) {
        int target = out < 0 || (int)e == out ? st->to[e][pick[e]] : idx[e];
        y += (size_t)target * J->stride[e];
        if ((out < 0 || (int)e == out) && st->changed[e][pick[e]]) {
            int s, tt;
            split(l, (int)e, &J->e[e], target, &s, &tt);
            ent_k[l->state_base[e] + s] += mass;
        }
    }
    nxt[y] += mass;
}

static int trace_joint(const mkba_model *m, const mkba_tables *t, size_t arm, mkba_counts *c,
                       mkba_error *err)
{
    const mkba_layout *l = t->l;
    const size_t T = l->ncycles, S = l->nstates_total;
    joint J = {m, t, arm, m->ndomains, 1, {{0, {0}}}, {0}};
    for (size_t d = 0; d < J.D; d++) {
        expand(l, (int)d, &J.e[d]);
        J.stride[d] = J.n;
        if (J.n > MAX_JOINT / (size_t)J.e[d].n)
            return mkba_error_set(err, MKBA_EINVAL,
                                  "%s: cohort mode: the joint state space of this scenario has "
                                  "more than %d states (domains x states x time-in-state); "
                                  "interactions and exit states need the joint space: use "
                                  "microsimulation (the default) for this scenario",
                                  m->path != NULL ? m->path : m->name, MAX_JOINT);
        J.n *= (size_t)J.e[d].n;
    }
    double *cur = mkba_malloc(J.n * sizeof *cur), *nxt = mkba_malloc(J.n * sizeof *nxt);
    if (cur == NULL || nxt == NULL || joint_initial(&J, cur) != MKBA_OK) {
        mkba_free(cur);
        mkba_free(nxt);
        return mkba_error_set(err, MKBA_ENOMEM, "cohort mode: out of memory for %zu joint states", J.n);
    }
    double *occ = c->focc + arm * l->npoints * l->nslots;
    double *ent = c->fentries + arm * T * S;
    int idx[MKBA_MAX_DOMAINS], pick[MKBA_MAX_DOMAINS];
    for (size_t x = 0; x < J.n; x++)
        if (cur[x] != 0.0) {
            decode(&J, x, idx);
            joint_occupancy(&J, idx, cur[x], occ);
        }
    step st;
    for (size_t k = 1; k <= T; k++) {
        int seg = l->seg_of_cycle[k];
        memset(nxt, 0, J.n * sizeof *nxt);
        for (size_t x = 0; x < J.n; x++) {
            if (cur[x] == 0.0)
                continue;
            decode(&J, x, idx);
            if (joint_exit(&J, idx) >= 0) {
                nxt[x] += cur[x];
                continue;
            }
            int s[MKBA_MAX_DOMAINS], tt[MKBA_MAX_DOMAINS];
            for (size_t d = 0; d < J.D; d++)
                split(l, (int)d, &J.e[d], idx[d], &s[d], &tt[d]);
            double sev[MKBA_MAX_DOMAINS];
            for (size_t d = 0; d < J.D; d++)
                sev[d] = t->severity[l->state_base[d] + s[d]];
            for (size_t d = 0; d < J.D; d++) {
                double z = mkba_interaction_term(m, t, arm, (int)d, sev);
                st.n[d] = moves(t, arm, seg, (int)d, &J.e[d], s[d], tt[d], z, st.to[d], st.p[d],
                                st.changed[d]);
            }
            spread(&J, &st, idx, 0, pick, cur[x], nxt, ent + (k - 1) * S);
        }
        double *tmp = cur;
        cur = nxt;
        nxt = tmp;
        for (size_t x = 0; x < J.n; x++)
            if (cur[x] != 0.0) {
                decode(&J, x, idx);
                joint_occupancy(&J, idx, cur[x], occ + k * l->nslots);
            }
    }
    mkba_free(cur);
    mkba_free(nxt);
    return MKBA_OK;
}

int mkba_cohort_run(const mkba_model *m, const mkba_tables *t, mkba_counts *c, mkba_error *err)
{
    mkba_counts_zero(c);
    c->households = 1.0;
    int independent = m->ninteract == 0 && !t->l->has_exit;
    for (size_t arm = 0; arm < m->narms; arm++) {
        int rc = independent ? trace_marginal(m, t, arm, c) : trace_joint(m, t, arm, c, err);
        /* trace_joint says what it could not hold; trace_marginal does not. */
        if (rc == MKBA_ENOMEM && independent)
            return mkba_error_set(err, rc, "cohort mode: out of memory");
        if (rc != MKBA_OK)
            return rc;
    }
    return MKBA_OK;
}
