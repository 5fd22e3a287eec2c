/* The microsimulation kernel: households one at a time, all arms on the
 * same random numbers (common random numbers), tallied into counts.
 *
 * Household h of draw i reads the Philox stream (seed, i, h): the first
 * blocks give the initial states (one latent factor and one normal per
 * domain), then each cycle has its own blocks with one 32-bit word per
 * domain. Which thread runs a household never matters. */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include "engine/engine.h"
#include "mkba/rng.h"

struct mkba_micro_work {
    uint32_t *words;          /* [ncycles][blocks_per_cycle * 4] */
    uint32_t init[4 * ((MKBA_MAX_DOMAINS + 4) / 4)];
};

mkba_micro_work *mkba_micro_work_alloc(const mkba_layout *l)
{
    mkba_micro_work *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->words = calloc(l->ncycles * (size_t)l->blocks_per_cycle * 4 + 4, sizeof *w->words);
    if (w->words == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

void mkba_micro_work_free(mkba_micro_work *w)
{
    if (w == NULL)
        return;
    free(w->words);
    free(w);
}

/* Initial states of one household for one arm's initial distribution. */
static void initial_states(const mkba_model *m, const mkba_tables *t, size_t arm,
                           const uint32_t *words, uint8_t *x)
{
    const mkba_layout *l = t->l;
    double factor = NAN;
    for (size_t d = 0; d < m->ndomains; d++) {
        const mkba_domain *dom = &m->domain[d];
        if (dom->init_kind == MKBA_INIT_STATE) {
            x[d] = (uint8_t)dom->init_state;
            continue;
        }
        size_t g0 = arm * l->nstates_total + (size_t)l->state_base[d];
        double load = t->loading[arm * m->ndomains + d];
        double u = mkba_rng_u01(words[1 + d]);
        int s = 0;
        if (load == 0.0) {
            const double *prev = &t->init_prev[g0];
            double cum = prev[0];
            while (s + 1 < dom->nstates && u >= cum)
                cum += prev[++s];
        } else {
            if (isnan(factor))
                factor = gsl_cdf_ugaussian_Pinv(mkba_rng_u01(words[0]));
            double z = load * factor + sqrt(1.0 - load * load) * gsl_cdf_ugaussian_Pinv(u);
            const double *thr = &t->init_thr[g0];
            while (s + 1 < dom->nstates && z >= thr[s])
                s++;
        }
        x[d] = (uint8_t)s;
    }
}

/* Lowest domain whose state is an exit state, or -1. */
static int exit_domain(const mkba_model *m, const uint8_t *x)
{
    for (size_t d = 0; d < m->ndomains; d++)
        if (m->domain[d].state[x[d]].exit)
            return (int)d;
    return -1;
}

static inline int pick(const double *cum, int n, double v)
{
    int j = 0;
    while (j + 1 < n && v >= cum[j])
        j++;
    return j;
}

static void simulate(const mkba_model *m, const mkba_tables *t, size_t arm,
                     const uint8_t *x0, const uint32_t *words, mkba_counts *c)
{
    const mkba_layout *l = t->l;
    const size_t D = m->ndomains, T = l->ncycles, nslots = l->nslots;
    const int bpc4 = l->blocks_per_cycle * 4;
    const double *beta = &t->beta[arm * m->ninteract];
    uint64_t *occ = &c->occ[arm * l->npoints * nslots];
    uint64_t *entries = &c->entries[arm * T * l->nstates_total];
    uint8_t x[MKBA_MAX_DOMAINS], nx[MKBA_MAX_DOMAINS];
    uint8_t tis[MKBA_MAX_DOMAINS];
    double sev[MKBA_MAX_DOMAINS];
    int g[MKBA_MAX_DOMAINS];

    for (size_t d = 0; d < D; d++) {
        x[d] = x0[d];
        tis[d] = 0;
        g[d] = l->state_base[d] + x[d];
    }
    int out = l->has_exit ? exit_domain(m, x) : -1;
    int out_slot = out >= 0 ? l->slot_base[g[out]] : -1;
    if (out >= 0)
        occ[out_slot]++;
    else
        for (size_t d = 0; d < D; d++)
            occ[l->slot_base[g[d]]]++;

    for (size_t k = 1; k <= T; k++) {
        uint64_t *occ_k = occ + k * nslots;
        if (out >= 0) {
            occ_k[out_slot]++;
            continue;
        }
        const int seg = l->seg_of_cycle[k];
        const uint32_t *u32 = words + (k - 1) * (size_t)bpc4;
        for (size_t d = 0; d < D; d++)
            sev[d] = t->severity[g[d]];
        int moved = 0;
        for (size_t d = 0; d < D; d++) {
            const mkba_row *row = mkba_tables_row(t, arm, seg, g[d],
                                                  l->dur[g[d]].bucket_of[tis[d]]);
            nx[d] = x[d];
            if (row->pw + row->po <= 0.0)
                continue;
            double z = 0.0;
            for (int i = l->inter_start[d]; i < l->inter_start[d + 1]; i++) {
                int ii = l->inter_order[i];
                z += beta[ii] * sev[m->interact[ii].from];
            }
            double pw = mkba_row_worsening(row, z);
            double u = mkba_rng_u01(u32[d]);
            if (u < pw) {
                nx[d] = row->wto[pick(row->wcum, row->nw, u / pw * row->pw)];
                moved = 1;
            } else if (u - pw < row->po) {
                nx[d] = row->oto[pick(row->ocum, row->no, u - pw)];
                moved = 1;
            }
        }
        if (moved && l->has_exit) {
            /* A household that leaves in this cycle takes no other step. */
            for (size_t d = 0; d < D; d++)
                if (nx[d] != x[d] && m->domain[d].state[nx[d]].exit) {
                    out = (int)d;
                    break;
                }
            if (out >= 0) {
                g[out] = l->state_base[out] + nx[out];
                entries[(k - 1) * l->nstates_total + (size_t)g[out]]++;
                out_slot = l->slot_base[g[out]];
                occ_k[out_slot]++;
                continue;
            }
        }
        for (size_t d = 0; d < D; d++) {
            if (nx[d] != x[d]) {
                x[d] = nx[d];
                g[d] = l->state_base[d] + x[d];
                tis[d] = 0;
                entries[(k - 1) * l->nstates_total + (size_t)g[d]]++;
            } else if (tis[d] < l->dur[g[d]].cap) {
                tis[d]++;
            }
            occ_k[l->slot_base[g[d]] + l->dur[g[d]].bucket_of[tis[d]]]++;
        }
    }
}

void mkba_micro_run(const mkba_model *m, const mkba_tables *t, uint64_t seed,
                    uint32_t draw, uint32_t h0, uint32_t h1,
                    mkba_micro_work *w, mkba_counts *c)
{
    const mkba_layout *l = t->l;
    const uint32_t nblocks = (uint32_t)(l->ncycles * (size_t)l->blocks_per_cycle);
    uint8_t x0[MKBA_MAX_DOMAINS];
    for (uint32_t h = h0; h < h1; h++) {
        for (int b = 0; b < l->init_blocks; b++)
            mkba_rng_block(seed, draw, h, MKBA_STREAM_HOUSEHOLD, (uint32_t)b, &w->init[4 * b]);
        for (uint32_t b = 0; b < nblocks; b++)
            mkba_rng_block(seed, draw, h, MKBA_STREAM_HOUSEHOLD,
                           (uint32_t)l->init_blocks + b, &w->words[4 * b]);
        for (size_t arm = 0; arm < m->narms; arm++) {
            if (arm == 0 || !t->init_same)
                initial_states(m, t, arm, w->init, x0);
            simulate(m, t, arm, x0, w->words, c);
        }
    }
    c->households += (double)(h1 - h0);
}
