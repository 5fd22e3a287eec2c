/* The microsimulation kernel: households one at a time, all arms on the
 * same random numbers (common random numbers), tallied into counts.
 *
 * Household h of draw i reads the Philox stream (seed, i, h): the first
 * blocks give the initial states (one latent factor and one normal per
 * domain), then each cycle has its own blocks with one 32-bit word per
 * domain. Which thread runs a household never matters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "engine/engine.h"
#include "core/alloc.h"
#include "mkba/rng.h"
#include "core/philox.h"
#include "core/simd.h"

struct mkba_micro_work {
    /* A household's random words: init_blocks blocks for the initial
     * states, then [ncycles][blocks_per_cycle] blocks. */
    uint32_t *words;
    /* Changes of occupancy per (cell, arm, point, slot): a household that
     * stays put changes nothing, so only moves are tallied; occupancy is
     * their running sum over points. The cell is the household's group
     * cell (groups.c), chosen once per household. */
    int64_t *delta;
    /* The same for entrants, kept apart: only the budget view reads them. */
    int64_t *delta_new;
    size_t ndelta;             /* per cell */
    /* The chunk's entries per (cell, arm, cycle, state), the cells it
     * used, and the draw's tallies per cell: occupancy, entries and
     * households, for the groups of /draws/groups. */
    uint64_t *chunk_entries;
    size_t nentries;           /* per cell */
    uint32_t cells_used;
    int deferred;              /* mkba_micro_run leaves them to mkba_micro_flush */
    uint64_t *cell_occ, *cell_entries;
    double cell_households[MKBA_GROUP_CELLS];
    /* An open population: the draw's starting households and the
     * expected entrants per year (mkba_micro_work_set_entrants). */
    long households;
    double entrants_per_year;
};

void mkba_micro_work_set_entrants(mkba_micro_work *w, long households, double per_year)
{
    w->households = households;
    w->entrants_per_year = per_year;
}

mkba_micro_work *mkba_micro_work_alloc(const mkba_layout *l)
{
    mkba_micro_work *w = mkba_calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->words = mkba_calloc(((size_t)l->init_blocks + l->ncycles * (size_t)l->blocks_per_cycle) * 4 + 4,
                      sizeof *w->words);
    w->ndelta = l->narms * l->npoints * l->nslots;
    w->nentries = l->narms * l->ncycles * l->nstates_total;
    w->delta = mkba_calloc(MKBA_GROUP_CELLS * w->ndelta, sizeof *w->delta);
    w->delta_new = mkba_calloc(w->ndelta, sizeof *w->delta_new);
    w->chunk_entries = mkba_calloc(MKBA_GROUP_CELLS * w->nentries + 1, sizeof *w->chunk_entries);
    w->cell_occ = mkba_calloc(MKBA_GROUP_CELLS * w->ndelta, sizeof *w->cell_occ);
    w->cell_entries = mkba_calloc(MKBA_GROUP_CELLS * w->nentries + 1, sizeof *w->cell_entries);
    if (w->words == NULL || w->delta == NULL || w->delta_new == NULL || w->chunk_entries == NULL
        || w->cell_occ == NULL || w->cell_entries == NULL) {
        mkba_micro_work_free(w);
        return NULL;
    }
    return w;
}

void mkba_micro_work_free(mkba_micro_work *w)
{
    if (w == NULL)
        return;
    mkba_free(w->words);
    mkba_free(w->delta);
    mkba_free(w->delta_new);
    mkba_free(w->chunk_entries);
    mkba_free(w->cell_occ);
    mkba_free(w->cell_entries);
    mkba_free(w);
}

/* The state whose normal-scale interval [thr[s-1], thr[s]) holds z. */
static int state_of(const double *thr, int nstates, double z)
{
    int s = 0;
    while (s + 1 < nstates && z >= thr[s])
        s++;
    return s;
}

/* Initial states of one household for one arm's initial distribution.
 * A domain with a loading compares z = load * factor + unique * normal with
 * its thresholds, where factor and normal are the inverse normal of one
 * word each. z increases with both, also in floating point, so it lies
 * between the values at their brackets (mkba_layout.pinv_bracket); when
 * those give the same state, so does z. Otherwise (a threshold inside, for
 * a fraction of a percent of the words) z is computed exactly. */
void mkba_micro_initial_states(const mkba_model *m, const mkba_tables *t, size_t arm,
                               const uint32_t *words, uint8_t *x)
{
    const mkba_layout *l = t->l;
    const int shift = 32 - MKBA_PINV_BITS;
    const mkba_bracket f = l->pinv_bracket[words[0] >> shift];
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
            const double *thr = &t->init_thr[g0];
            const mkba_bracket p = l->pinv_bracket[words[1 + d] >> shift];
            double unique = t->unique[arm * m->ndomains + d];
            s = state_of(thr, dom->nstates, load * f.lo + unique * p.lo);
            if (s + 1 < dom->nstates && load * f.hi + unique * p.hi >= thr[s]) {
                if (isnan(factor))
                    factor = gsl_cdf_ugaussian_Pinv(mkba_rng_u01(words[0]));
                s = state_of(thr, dom->nstates,
                             load * factor + unique * gsl_cdf_ugaussian_Pinv(u));
            }
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

/* The domains of the household being simulated, with the lookups that
 * depend on their states kept up to date as they move. */
typedef struct household {
    int g[MKBA_MAX_DOMAINS];        /* state, on the all-states axis */
    int tis[MKBA_MAX_DOMAINS];      /* cycles in the state, capped */
    int cap[MKBA_MAX_DOMAINS];
    int row[MKBA_MAX_DOMAINS];      /* row offset within a block of rows */
    /* Indexed up to 2 * MKBA_MAX_DOMAINS: the spare slots absorb the padded
     * updates of mkba_layout.dep. */
    int tab[2 * MKBA_MAX_DOMAINS];  /* row offset within a worsening block */
    int combo[2 * MKBA_MAX_DOMAINS]; /* interaction-source combination */
    uint32_t entry[2 * MKBA_MAX_DOMAINS]; /* tab + combo */
    /* The stay threshold of entry in the current block, cached so the
     * common test reads one number (0, never a candidate, for domains that
     * compute their interaction). */
    uint64_t stay[2 * MKBA_MAX_DOMAINS];
    int slot[MKBA_MAX_DOMAINS];     /* count slot */
    uint8_t x[MKBA_MAX_DOMAINS];    /* state within the domain */
    const mkba_worsening *tabs;     /* worsening block of the current cycle */
    uint32_t untabled;              /* domains that compute their interaction */
    uint32_t aging;                 /* domains with tis < cap */
} household;

/* The domains d < D whose word w[d] is below their stay threshold: the
 * candidates to move. Words and thresholds are read up to D rounded up to
 * four (the cycle's block and the household's spare slots cover them) and
 * the bits past D dropped. */
static uint32_t below_portable(const uint32_t *w, const uint64_t *stay, int D)
{
    uint32_t m = 0;
    for (int d = 0; d < D; d++)
        m |= (uint32_t)(w[d] < stay[d]) << d;
    return m;
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define MKBA_BELOW_AVX2 1
/* The same, four domains per comparison. */
__attribute__((target("avx2"))) static uint32_t below_avx2(const uint32_t *w,
                                                          const uint64_t *stay, int D)
{
    uint32_t m = 0;
    for (int d = 0; d < D; d += 4) {
        __m256i wv = _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(w + d)));
        __m256i sv = _mm256_loadu_si256((const __m256i *)(stay + d));
        __m256i lt = _mm256_cmpgt_epi64(sv, wv); /* both below 2^33: signed is exact */
        m |= (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(lt)) << d;
    }
    return D < 32 ? m & ((1u << D) - 1u) : m;
}
#endif

static void refresh(household *hh, int d)
{
    hh->entry[d] = (uint32_t)(hh->tab[d] + hh->combo[d]);
    if (!(hh->untabled >> d & 1u))
        hh->stay[d] = hh->tabs[hh->entry[d]].stay;
}

static void enter(const mkba_tables *t, household *hh, int d, int x)
{
    int g = t->l->state_base[d] + x;
    const mkba_state_entry *e = &t->entry[g];
    hh->x[d] = (uint8_t)x;
    hh->g[d] = g;
    hh->tis[d] = 0;
    hh->cap[d] = e->cap;
    hh->aging = (hh->aging & ~(1u << d)) | (uint32_t)(e->cap > 0) << d;
    hh->row[d] = e->row;
    hh->tab[d] = e->tab;
    hh->slot[d] = e->slot;
    refresh(hh, d);
}

/* One more cycle in the same state; returns the count slot it leaves when
 * that crosses into the next time-in-state bucket, else -1. */
static int advance(const mkba_tables *t, household *hh, int d)
{
    const mkba_layout *l = t->l;
    int g = hh->g[d], i = l->tis_off[g] + ++hh->tis[d], old = hh->slot[d];
    if (hh->tis[d] == hh->cap[d])
        hh->aging &= ~(1u << d);
    hh->row[d] = g * t->maxb + l->bucket_at[i];
    hh->tab[d] = (int)t->tab_off[hh->row[d]];
    hh->slot[d] = l->slot_at[i];
    refresh(hh, d);
    return hh->slot[d] != old ? old : -1;
}

/* Sets up the household in states x0 for the worsening block tabs. */
static void start(const mkba_tables *t, household *hh, const mkba_worsening *tabs,
                  const uint8_t *x0)
{
    const mkba_layout *l = t->l;
    const int D = (int)l->ndomains;
    hh->tabs = tabs;
    hh->untabled = 0;
    hh->aging = 0;
    for (int d = 0; d < D; d++) {
        hh->untabled |= (uint32_t)(l->ncombo[d] == 0) << d;
        hh->combo[d] = 0;
        hh->stay[d] = 0;
    }
    /* The spare slots: their stride is 0, so they only need valid offsets.
     * Thresholds up to D rounded up to four are read (below_avx2). */
    for (int d = D; d < D + l->maxdep; d++)
        hh->tab[d] = hh->combo[d] = 0;
    for (int d = D; d < ((D + 3) & ~3); d++)
        hh->stay[d] = 0;
    for (int d = 0; d < D; d++)
        enter(t, hh, d, x0[d]);
    for (int d = 0; d < D; d++) {
        int combo = 0;
        for (int j = 0; j < l->nsrc[d]; j++)
            combo += hh->x[l->src[d][j]] * l->stride[d][j];
        hh->combo[d] = combo;
        refresh(hh, d);
    }
}

/* Simulates one household in one arm from time point k0 (0, or an
 * entrant's entry), adding its occupancy changes to delta ([point][slot])
 * and its entries to entries ([cycle][state]).
 *
 * Most domains stay put in most cycles. A cycle therefore first marks the
 * candidates to move with one integer comparison per domain and no branch
 * (domains that compute their interaction are always candidates); only the
 * candidates draw a target. Moves are applied after every domain has
 * drawn, because each domain's row depends on the others' states at the
 * start of the cycle. */
static void simulate(const mkba_model *m, const mkba_tables *t, size_t arm,
                     const uint8_t *x0, const uint32_t *words, int64_t *delta,
                     uint64_t *entries, size_t k0)
{
    const mkba_layout *l = t->l;
    const int D = (int)m->ndomains;
    const size_t T = l->ncycles, nslots = l->nslots;
    const int bpc4 = l->blocks_per_cycle * 4, maxdep = l->maxdep;
    household hh;
    int mover[MKBA_MAX_DOMAINS];
    uint8_t to[MKBA_MAX_DOMAINS];
    double sev[MKBA_MAX_DOMAINS];
    uint32_t (*below)(const uint32_t *, const uint64_t *, int) = below_portable;
#ifdef MKBA_BELOW_AVX2
    if (mkba_simd_avx2())
        below = below_avx2;
#endif

    int seg = l->seg_of_cycle[k0 + 1];
    int64_t *delta_0 = delta + k0 * nslots;
    start(t, &hh, mkba_tables_worsening(t, arm, seg), x0);
    int out = l->has_exit ? exit_domain(m, x0) : -1;
    if (out >= 0) {
        delta_0[hh.slot[out]]++;
        return;
    }
    for (int d = 0; d < D; d++)
        delta_0[hh.slot[d]]++;

    for (size_t k = k0 + 1; k <= T; k++) {
        int64_t *delta_k = delta + k * nslots;
        if (l->seg_of_cycle[k] != seg) {
            seg = l->seg_of_cycle[k];
            hh.tabs = mkba_tables_worsening(t, arm, seg);
            for (int d = 0; d < D; d++)
                refresh(&hh, d);
        }
        const mkba_row *rows = mkba_tables_row(t, arm, seg, 0, 0);
        const mkba_worsening *tabs = hh.tabs;
        const uint32_t *u32 = words + (k - 1) * (size_t)bpc4;
        uint32_t cand = hh.untabled | below(u32, hh.stay, D);
        uint32_t stays = ~cand;
        int nmoves = 0;
        for (uint32_t c = cand; c != 0; c &= c - 1) {
            int d = __builtin_ctz(c);
            double pw, scale;
            if (!(hh.untabled >> d & 1u)) {
                const mkba_worsening *e = tabs + hh.entry[d];
                pw = e->pw;
                scale = e->scale;
            } else {
                const mkba_row *row = rows + hh.row[d];
                for (int j = 0; j < D; j++)
                    sev[j] = t->severity[hh.g[j]];
                pw = mkba_row_worsening(row, mkba_interaction_term(m, t, arm, d, sev));
                scale = pw > 0.0 ? row->pw / pw : 0.0;
                if (mkba_rng_u01(u32[d]) >= pw + row->po) {
                    stays |= 1u << d;
                    continue;
                }
            }
            uint8_t x = target(rows + hh.row[d], l->nstates[d] - 1, mkba_rng_u01(u32[d]), pw, scale);
            if (x != hh.x[d]) {
                mover[nmoves] = d;
                to[nmoves++] = x;
            } else {
                stays |= 1u << d;
            }
        }
        for (uint32_t a = stays & hh.aging; a != 0; a &= a - 1) {
            int d = __builtin_ctz(a);
            int left = advance(t, &hh, d);
            if (left >= 0) {
                delta_k[left]--;
                delta_k[hh.slot[d]]++;
            }
        }
        if (l->has_exit) {
            for (int i = 0; i < nmoves && out < 0; i++)
                if (m->domain[mover[i]].state[to[i]].exit) {
                    out = mover[i];
                    /* The household leaves: it takes no other step and from
                     * now on counts only in its exit state. */
                    for (int d = 0; d < D; d++)
                        delta_k[hh.slot[d]]--;
                    enter(t, &hh, out, to[i]);
                    delta_k[hh.slot[out]]++;
                    entries[(k - 1) * l->nstates_total + (size_t)hh.g[out]]++;
                }
            if (out >= 0)
                return;
        }
        for (int i = 0; i < nmoves; i++) {
            int d = mover[i], step = to[i] - hh.x[d];
            const int *dep = l->dep[d], *stride = l->dep_stride[d];
            for (int j = 0; j < maxdep; j++) {
                int dd = dep[j];
                hh.combo[dd] += step * stride[j];
                hh.entry[dd] = (uint32_t)(hh.tab[dd] + hh.combo[dd]);
                hh.stay[dd] = tabs[hh.entry[dd]].stay;
            }
            delta_k[hh.slot[d]]--;
            enter(t, &hh, d, to[i]);
            delta_k[hh.slot[d]]++;
            entries[(k - 1) * l->nstates_total + (size_t)hh.g[d]]++;
        }
    }
}

void mkba_micro_entrant_states(const mkba_model *m, const mkba_tables *t, size_t arm,
                               const uint32_t *words, uint8_t *x)
{
    const double *share = m->population.entrant_share;
    mkba_micro_initial_states(m, t, arm, words, x);
    if (share == NULL)
        return;
    for (size_t d = 0; d < m->ndomains; d++) {
        const double *p = share + t->l->state_base[d];
        if (isnan(p[0]))
            continue;
        double u = mkba_rng_u01(words[1 + d]), cum = p[0];
        int s = 0;
        while (s + 1 < m->domain[d].nstates && u >= cum)
            cum += p[++s];
        x[d] = (uint8_t)s;
    }
}

long long mkba_entrants_in_year(uint64_t seed, uint32_t draw, uint32_t y, double x)
{
    double whole = floor(x);
    uint32_t word[4];
    mkba_rng_block(seed, draw, y, MKBA_STREAM_ENTRANT_COUNT, 0, word);
    return (long long)whole + (mkba_rng_u01(word[0]) < x - whole);
}

/* The entrants that go with starting households [h0, h1): in each year y
 * after the first, numbers [ceil(h0 E / H), ceil(h1 E / H)) of its E,
 * joining at the time point that starts year y, tallied apart (delta_new,
 * entries_new). */
static void run_entrants(const mkba_model *m, const mkba_tables *t, uint64_t seed,
                         uint32_t draw, uint32_t h0, uint32_t h1, mkba_micro_work *w,
                         mkba_counts *c)
{
    const mkba_layout *l = t->l;
    const uint32_t nblocks = (uint32_t)l->init_blocks +
                             (uint32_t)(l->ncycles * (size_t)l->blocks_per_cycle);
    const uint32_t *cycle_words = w->words + 4 * l->init_blocks;
    const size_t per_arm = l->npoints * l->nslots;
    const long long H = w->households;
    uint8_t x0[MKBA_MAX_DOMAINS];
    for (uint32_t y = 1;; y++) {
        size_t k0 = (size_t)lround(y / m->timing.cycle_years);
        if (k0 >= l->ncycles)
            break;
        const long long E = mkba_entrants_in_year(seed, draw, y, w->entrants_per_year);
        uint32_t i0 = (uint32_t)(((long long)h0 * E + H - 1) / H);
        uint32_t i1 = (uint32_t)(((long long)h1 * E + H - 1) / H);
        for (uint32_t i = i0; i < i1; i++) {
            mkba_philox_blocks(seed, draw, i, MKBA_STREAM_ENTRANT, y * nblocks, nblocks,
                               w->words);
            for (size_t arm = 0; arm < m->narms; arm++) {
                if (arm == 0 || !t->init_same)
                    mkba_micro_entrant_states(m, t, arm, w->words, x0);
                simulate(m, t, arm, x0, cycle_words, w->delta_new + arm * per_arm,
                         c->entries_new + arm * l->ncycles * l->nstates_total, k0);
            }
        }
        for (size_t j = k0; j < l->npoints; j++)
            c->joined[j] += (double)(i1 - i0);
    }
}

/* Occupancy at point j is the running sum of the changes up to j. */
static void accumulate(const mkba_layout *l, size_t narms, const int64_t *delta, uint64_t *occ)
{
    const size_t per_arm = l->npoints * l->nslots;
    for (size_t arm = 0; arm < narms; arm++) {
        const int64_t *dl = delta + arm * per_arm;
        uint64_t *o = occ + arm * per_arm;
        for (size_t i = 0; i < l->nslots; i++) {
            int64_t run = 0;
            for (size_t j = 0; j < l->npoints; j++) {
                run += dl[j * l->nslots + i];
                o[j * l->nslots + i] += (uint64_t)run;
            }
        }
    }
}

void mkba_micro_cells_zero(mkba_micro_work *w)
{
    memset(w->cell_occ, 0, MKBA_GROUP_CELLS * w->ndelta * sizeof *w->cell_occ);
    memset(w->cell_entries, 0, MKBA_GROUP_CELLS * w->nentries * sizeof *w->cell_entries);
    memset(w->cell_households, 0, sizeof w->cell_households);
}

void mkba_micro_cell_add(const mkba_micro_work *w, int cell, mkba_counts *c)
{
    const uint64_t *occ = w->cell_occ + (size_t)cell * w->ndelta;
    const uint64_t *entries = w->cell_entries + (size_t)cell * w->nentries;
    for (size_t i = 0; i < w->ndelta; i++)
        c->occ[i] += occ[i];
    for (size_t i = 0; i < w->nentries; i++)
        c->entries[i] += entries[i];
    c->households += w->cell_households[cell];
}

void mkba_micro_work_defer(mkba_micro_work *w)
{
    w->deferred = 1;
}

/* The tallies of the cells used since the last flush into c (occupancy as
 * the running sum of the changes, entries) and into the draw's cell
 * tallies. The cells' sums are c's tallies as one array of changes would
 * give them, in integers, so in any order; and the running sum is linear,
 * so the changes of several chunks may be summed first. */
void mkba_micro_flush(const mkba_layout *l, mkba_micro_work *w, mkba_counts *c)
{
    const size_t S = l->nslots, J = l->npoints;
    for (uint32_t u = w->cells_used; u != 0; u &= u - 1) {
        size_t cell = (size_t)__builtin_ctz(u);
        for (size_t arm = 0; arm < l->narms; arm++) {
            size_t at = cell * w->ndelta + arm * J * S;
            const int64_t *dl = w->delta + at;
            uint64_t *co = w->cell_occ + at, *o = c->occ + arm * J * S;
            for (size_t i = 0; i < S; i++) {
                int64_t run = 0;
                for (size_t j = 0; j < J; j++) {
                    run += dl[j * S + i];
                    o[j * S + i] += (uint64_t)run;
                    co[j * S + i] += (uint64_t)run;
                }
            }
        }
        const uint64_t *ce = w->chunk_entries + cell * w->nentries;
        uint64_t *we = w->cell_entries + cell * w->nentries;
        for (size_t i = 0; i < w->nentries; i++) {
            c->entries[i] += ce[i];
            we[i] += ce[i];
        }
        memset(w->delta + cell * w->ndelta, 0, w->ndelta * sizeof *w->delta);
        memset(w->chunk_entries + cell * w->nentries, 0,
               w->nentries * sizeof *w->chunk_entries);
    }
    w->cells_used = 0;
}

void mkba_micro_run(const mkba_model *m, const mkba_tables *t, uint64_t seed,
                    uint32_t draw, uint32_t h0, uint32_t h1,
                    mkba_micro_work *w, mkba_counts *c)
{
    const mkba_layout *l = t->l;
    const uint32_t nblocks = (uint32_t)l->init_blocks +
                             (uint32_t)(l->ncycles * (size_t)l->blocks_per_cycle);
    const uint32_t *cycle_words = w->words + 4 * l->init_blocks;
    const size_t per_arm = l->npoints * l->nslots;
    const size_t ref = (size_t)m->reference;
    uint8_t x0[MKBA_MAX_DOMAINS];
    for (uint32_t h = h0; h < h1; h++) {
        mkba_philox_blocks(seed, draw, h, MKBA_STREAM_HOUSEHOLD, 0, nblocks, w->words);
        /* The household's group is its starting state in the reference
         * arm, the same in every arm. */
        mkba_micro_initial_states(m, t, t->init_same ? 0 : ref, w->words, x0);
        int cell = mkba_group_cell(t, m->ndomains, x0);
        w->cells_used |= 1u << cell;
        w->cell_households[cell] += 1.0;
        for (size_t arm = 0; arm < m->narms; arm++) {
            if (!t->init_same)
                mkba_micro_initial_states(m, t, arm, w->words, x0);
            simulate(m, t, arm, x0, cycle_words,
                     w->delta + (size_t)cell * w->ndelta + arm * per_arm,
                     w->chunk_entries + (size_t)cell * w->nentries
                         + arm * l->ncycles * l->nstates_total, 0);
        }
    }
    if (!w->deferred)
        mkba_micro_flush(l, w, c);
    if (w->entrants_per_year > 0) {
        memset(w->delta_new, 0, w->ndelta * sizeof *w->delta_new);
        run_entrants(m, t, seed, draw, h0, h1, w, c);
        accumulate(l, m->narms, w->delta_new, c->occ_new);
    }
    c->households += (double)(h1 - h0);
}
