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

/* The target of row r for uniform u when worsening has probability pw
 * (scale = r->pw / pw): u is mapped onto the base cumulative scale, and the
 * target index is the number of cumulative bounds at or below it. */
static inline uint8_t target(const mkba_row *r, int ntargets, double u, double pw, double scale)
{
    double v = u < pw ? u * scale : u - pw + r->pw;
    int j = 0;
    for (int i = 0; i < ntargets; i++)
        j += v >= r->cum[i];
    return r->to[j];
}

/* One domain of the household being simulated, with the lookups that
 * depend on its state kept up to date as it moves. */
typedef struct dom_state {
    int g;          /* state, on the all-states axis */
    int tis;        /* cycles in the state, capped */
    int cap;
    int row;        /* row offset within a (arm, segment) block of rows */
    int slot;       /* count slot */
    int combo;      /* index into the worsening table of its rows */
    uint8_t x;      /* state within the domain */
} dom_state;

static void enter(const mkba_layout *l, int maxb, dom_state *s, int d, int x)
{
    s->x = (uint8_t)x;
    s->g = l->state_base[d] + x;
    s->tis = 0;
    s->cap = l->dur[s->g].cap;
    s->row = s->g * maxb + l->bucket_at[l->tis_off[s->g]];
    s->slot = l->slot_at[l->tis_off[s->g]];
}

static void simulate(const mkba_model *m, const mkba_tables *t, size_t arm,
                     const uint8_t *x0, const uint32_t *words, mkba_counts *c)
{
    const mkba_layout *l = t->l;
    const int D = (int)m->ndomains, maxb = t->maxb;
    const size_t T = l->ncycles, nslots = l->nslots;
    const int bpc4 = l->blocks_per_cycle * 4;
    const double *pwtab = t->pwtab;
    uint64_t *occ = &c->occ[arm * l->npoints * nslots];
    uint64_t *entries = &c->entries[arm * T * l->nstates_total];
    dom_state s[MKBA_MAX_DOMAINS];
    uint8_t nx[MKBA_MAX_DOMAINS];
    double sev[MKBA_MAX_DOMAINS];

    for (int d = 0; d < D; d++) {
        enter(l, maxb, &s[d], d, x0[d]);
        s[d].combo = 0;
    }
    for (int e = 0; e < D; e++)
        for (int i = 0; i < l->ndep[e]; i++)
            s[l->dep[e][i]].combo += s[e].x * l->dep_stride[e][i];
    int out = l->has_exit ? exit_domain(m, x0) : -1;
    if (out >= 0)
        occ[s[out].slot]++;
    else
        for (int d = 0; d < D; d++)
            occ[s[d].slot]++;

    for (size_t k = 1; k <= T; k++) {
        uint64_t *occ_k = occ + k * nslots;
        if (out >= 0) {
            occ_k[s[out].slot]++;
            continue;
        }
        const mkba_row *rows = mkba_tables_row(t, arm, l->seg_of_cycle[k], 0, 0);
        const uint32_t *u32 = words + (k - 1) * (size_t)bpc4;
        int moved = 0;
        for (int d = 0; d < D; d++) {
            const mkba_row *row = rows + s[d].row;
            double pw, scale;
            if (l->ncombo[d]) {
                pw = pwtab[2 * (row->tab + (uint32_t)s[d].combo)];
                scale = pwtab[2 * (row->tab + (uint32_t)s[d].combo) + 1];
            } else {
                for (int e = 0; e < D; e++)
                    sev[e] = t->severity[s[e].g];
                pw = mkba_row_worsening(row, mkba_interaction_term(m, t, arm, d, sev));
                scale = pw > 0.0 ? row->pw / pw : 0.0;
            }
            nx[d] = target(row, l->nstates[d] - 1, mkba_rng_u01(u32[d]), pw, scale);
            moved |= nx[d] != s[d].x;
        }
        if (moved && l->has_exit) {
            /* A household that leaves in this cycle takes no other step. */
            for (int d = 0; d < D && out < 0; d++)
                if (nx[d] != s[d].x && m->domain[d].state[nx[d]].exit)
                    out = d;
            if (out >= 0) {
                enter(l, maxb, &s[out], out, nx[out]);
                entries[(k - 1) * l->nstates_total + (size_t)s[out].g]++;
                occ_k[s[out].slot]++;
                continue;
            }
        }
        for (int d = 0; d < D; d++) {
            dom_state *sd = &s[d];
            if (nx[d] != sd->x) {
                for (int i = 0; i < l->ndep[d]; i++)
                    s[l->dep[d][i]].combo += (nx[d] - sd->x) * l->dep_stride[d][i];
                enter(l, maxb, sd, d, nx[d]);
                entries[(k - 1) * l->nstates_total + (size_t)sd->g]++;
            } else if (sd->tis < sd->cap) {
                int i = l->tis_off[sd->g] + ++sd->tis;
                sd->row = sd->g * maxb + l->bucket_at[i];
                sd->slot = l->slot_at[i];
            }
            occ_k[sd->slot]++;
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
