/* Engine internals shared by the microsimulation, the cohort trace and the
 * run driver.
 *
 * The engine never touches the parameter table while households run. Per
 * PSA draw it resolves the model into mkba_tables (concrete transition rows
 * per arm), simulates, and tallies occupancy counts into mkba_counts. Costs
 * and effects are linear in those counts, so they are priced afterwards
 * (tally.c): the hot loop only counts, and integer counts merge exactly in
 * any order, which makes results independent of the thread count. */
#ifndef MKBA_ENGINE_ENGINE_H
#define MKBA_ENGINE_ENGINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "mkba/error.h"
#include "model/model.h"
#include "results/result.h"

/* ---- layout: fixed for a model, shared read-only by all threads ---- */

/* Time in state is tracked per domain, capped at `cap` (the last breakpoint
 * any rule uses for that state); buckets are the intervals between the
 * breakpoints, so every rule either covers a bucket wholly or not at all. */
typedef struct mkba_dur_buckets {
    int cap;                   /* durations >= cap share the last bucket */
    int nbuckets;
    uint8_t bucket_of[MKBA_MAX_CYCLES + 1]; /* duration (0..cap) -> bucket */
    int lo[256], hi[256];      /* duration range of each bucket (hi may be MKBA_CYCLE_END) */
} mkba_dur_buckets;

#define MKBA_PINV_BITS 11
typedef struct mkba_bracket {
    double lo, hi;
} mkba_bracket;

typedef struct mkba_layout {
    size_t ndomains, narms, ncycles, npoints;
    size_t cycles_per_year;              /* for the year-to-date costs (core/cycles.h) */
    int nstates[MKBA_MAX_DOMAINS];
    int state_base[MKBA_MAX_DOMAINS];    /* offset of domain d's states in the
                                            all-states axis */
    size_t nstates_total;
    mkba_dur_buckets *dur;               /* [nstates_total] */
    int *slot_base;                      /* [nstates_total]: first count slot of a state */
    size_t nslots;                       /* count slots: states x duration buckets */
    int *seg_of_cycle;                   /* [ncycles + 1], cycle k -> segment */
    int *seg_start;                      /* [nsegs]: first cycle of each segment */
    size_t nsegs;
    /* Interactions grouped by target domain: inter[inter_start[d] ..
     * inter_start[d+1]) are the model interactions acting on domain d. */
    int *inter_order;                    /* [ninteract] model interaction indices */
    int inter_start[MKBA_MAX_DOMAINS + 1];
    /* Hot-loop lookups by (state g, time in state t), packed:
     * index tis_off[g] + t for t = 0..dur[g].cap. */
    int *tis_off;                        /* [nstates_total] */
    uint8_t *bucket_at;                  /* bucket of (g, t) */
    int *slot_at;                        /* count slot of (g, t) */
    /* Interaction sources of each target domain d: the distinct domains
     * src[d][0..nsrc[d]) its interactions read. Their states, mixed-radix
     * with strides stride[d][], index a table of worsening probabilities
     * precomputed per row (mkba_tables.pwtab), so the kernel needs no exp().
     * Domains with more than max_combo combinations compute it instead. */
    int nsrc[MKBA_MAX_DOMAINS];
    int src[MKBA_MAX_DOMAINS][MKBA_MAX_DOMAINS];
    int stride[MKBA_MAX_DOMAINS][MKBA_MAX_DOMAINS];
    size_t ncombo[MKBA_MAX_DOMAINS];     /* 0 when the domain computes instead */
    size_t max_combo;
    /* The inverse: domains whose combination domain e's state enters, with
     * its stride, so the kernel updates them only when e moves. Lists are
     * padded to maxdep entries with stride 0 aimed at distinct spare slots
     * (ndomains + i), so the update loop has a fixed trip count and the
     * padding forms no dependency chain. */
    int maxdep;
    int dep[MKBA_MAX_DOMAINS][MKBA_MAX_DOMAINS];
    int dep_stride[MKBA_MAX_DOMAINS][MKBA_MAX_DOMAINS];
    int has_exit;                        /* some state takes households out */
    int blocks_per_cycle;                /* Philox blocks of 4 words per cycle */
    int init_blocks;                     /* blocks for the initial states */
    /* Bounds of gsl_cdf_ugaussian_Pinv(mkba_rng_u01(w)) over the words w
     * whose top MKBA_PINV_BITS bits are b, in pinv_bracket[b], widened by a
     * relative 1e-9 against rounding. Initial states compare normals with
     * thresholds: when a whole bracket falls between two thresholds, the
     * state is known without computing the normal. */
    mkba_bracket *pinv_bracket;          /* [1 << MKBA_PINV_BITS] */
} mkba_layout;

mkba_layout *mkba_layout_alloc(const mkba_model *m, mkba_error *err);

/* Sets the largest number of source-state combinations a domain's
 * worsening table may have (default 4096); beyond it the kernel computes
 * the interaction term per household. Call before mkba_tables_alloc. */
void mkba_layout_set_max_combo(mkba_layout *l, size_t max_combo);
void mkba_layout_free(mkba_layout *l);

/* ---- tables: one PSA draw, resolved ---- */

/* One transition row. Targets are listed worsening ones (higher severity)
 * first, whose joint probability interactions scale, then the others; cum[]
 * is cumulative over them with the base probabilities, padded with +inf,
 * and to[n] is the state itself, so one uniform picks a target without
 * branches (see micro.c). */
typedef struct mkba_row {
    double pw;                 /* P(worsening) before interaction */
    double log1m_pw;           /* log(1 - pw) */
    double po;                 /* P(other move) */
    double cum[MKBA_MAX_STATES];
    uint8_t to[MKBA_MAX_STATES];
    uint8_t nw, n;             /* worsening targets, all targets */
} mkba_row;

/* A row's probabilities for one combination of its interaction sources'
 * states. A household stays put when its 32-bit random word w satisfies
 * w >= stay: with u = (w + 1/2) / 2^32 that is exactly u >= pw' + po, since
 * stay = ceil((pw' + po) 2^32 - 1/2) and every step is exact in double. */
typedef struct mkba_worsening {
    uint64_t stay;
    double pw;                 /* worsening probability after interaction */
    double scale;              /* base pw / pw' (0 when pw' is 0) */
} mkba_worsening;

/* What a household needs on entering state g (time in state 0). */
typedef struct mkba_state_entry {
    int cap;                   /* time-in-state cap of g */
    int row;                   /* offset of (g, bucket 0) in a block of rows */
    int tab;                   /* offset of its worsening row in a table block */
    int slot;                  /* count slot of (g, bucket 0) */
} mkba_state_entry;

typedef struct mkba_tables {
    const mkba_layout *l;
    size_t narms;
    /* rows[((arm * nsegs + seg) * nstates_total + state) * maxb + bucket] */
    mkba_row *rows;
    int maxb;                            /* max buckets of any state */
    /* Worsening tables, one block per (arm, segment), laid out alike: the
     * row of (state g, bucket b) starts at entry tab_off[g * maxb + b] of a
     * block and has one entry per interaction-source combination. */
    mkba_worsening *pwtab;
    uint32_t *tab_off;
    mkba_state_entry *entry;             /* [nstates_total] */
    size_t tab_block;                    /* entries per block */
    /* ztab[arm * tab_block + entry]: the interaction term z of an entry's
     * combination (the same in every segment), for the services engine's
     * modified rows. */
    double *ztab;
    double *beta;                        /* [arm][ninteract] */
    /* Initial states: per arm and domain, normal-scale thresholds of the
     * cumulative prevalence and the latent-factor loading. */
    double *init_thr;                    /* [arm][nstates_total] */
    double *init_prev;                   /* [arm][nstates_total] */
    double *loading;                     /* [arm][ndomains] */
    double *unique;                      /* [arm][ndomains]: sqrt(1 - loading^2) */
    int init_same;                       /* initial distribution identical in all arms */
    double *severity;                    /* [nstates_total] */
    uint8_t *level;                      /* [nstates_total] severity level (the
                                            services' bands): ceil(severity) up
                                            to 255; 1 for scores up to 1, which
                                            are no problem but may be in a plan */
} mkba_tables;

mkba_tables *mkba_tables_alloc(const mkba_model *m, const mkba_layout *l);
void mkba_tables_free(mkba_tables *t);

/* Fills t from the parameter values of one draw (values[arm][param]).
 * Fails with MKBA_ENUMERIC when a drawn row is not a distribution, naming
 * the draw, arm, domain, state and rule. */
int mkba_tables_resolve(mkba_tables *t, const mkba_model *m, const double *values,
                        long draw, mkba_error *err);

static inline const mkba_row *mkba_tables_row(const mkba_tables *t, size_t arm,
                                              int seg, int state, int bucket)
{
    const mkba_layout *l = t->l;
    return &t->rows[((arm * l->nsegs + (size_t)seg) * l->nstates_total + (size_t)state)
                    * (size_t)t->maxb + (size_t)bucket];
}

/* The worsening-table block of (arm, segment); see mkba_tables.pwtab. */
static inline const mkba_worsening *mkba_tables_worsening(const mkba_tables *t, size_t arm,
                                                          int seg)
{
    return t->pwtab + (arm * t->l->nsegs + (size_t)seg) * t->tab_block;
}

/* The worsening probability after interaction: pw' = 1 - (1 - pw)^exp(z),
 * capped at 1 - po so the row stays a distribution. */
double mkba_row_worsening(const mkba_row *r, double z);

/* The interaction term z of domain d given the severity of every domain's
 * current state (sev[e]), summed in a fixed order. */
double mkba_interaction_term(const mkba_model *m, const mkba_tables *t, size_t arm,
                             int d, const double *sev);

/* ---- counts: what a simulation tallies ---- */

typedef struct mkba_counts {
    size_t narms, npoints, nslots, nstates_total;
    double households;         /* households the counts are over (1 in cohort mode) */
    uint64_t *occ;             /* [arm][point][slot] */
    uint64_t *entries;         /* [arm][cycle 1..T at k-1][state] */
    double *focc, *fentries;   /* same, as doubles (cohort mode fills these directly) */
    /* An open population (population.inflow): the entrants' own tallies,
     * shaped as occ and entries. Only the budget view reads them, so the
     * MKBA view stays the starting cohort whatever the inflow. */
    uint64_t *occ_new, *entries_new;
    /* occ + occ_new and entries + entries_new as doubles: the whole open
     * population, filled by mkba_counts_to_double when there are entrants. */
    double *focc_open, *fentries_open;
    /* [point]: entrants that joined by time point j, in every arm alike;
     * not in `households`, the starting ones. */
    double *joined;
} mkba_counts;

/* Whether c holds entrants (then the budget view reads the _open arrays). */
int mkba_counts_open(const mkba_counts *c);

mkba_counts *mkba_counts_alloc(const mkba_layout *l);
void mkba_counts_free(mkba_counts *c);
void mkba_counts_zero(mkba_counts *c);
void mkba_counts_add(mkba_counts *into, const mkba_counts *from);
/* Copies the integer tallies to the double arrays. */
void mkba_counts_to_double(mkba_counts *c);

/* ---- microsimulation ---- */

typedef struct mkba_micro_work mkba_micro_work;
mkba_micro_work *mkba_micro_work_alloc(const mkba_layout *l);
void mkba_micro_work_free(mkba_micro_work *w);

/* An open population (population.inflow): `per_year` entrants are
 * expected at the start of each year after the first for a draw of
 * `households` starting households. Year y simulates E_y = floor(per_year)
 * or one more, the latter with probability frac(per_year), from the stream
 * (seed, draw, y, MKBA_STREAM_ENTRANT_COUNT): E[E_y] = per_year exactly.
 * Entrant i of a year goes with starting household floor(i * households /
 * E_y), so it falls in that household's chunk and batch. per_year 0 (the
 * default): a closed cohort. */
void mkba_micro_work_set_entrants(mkba_micro_work *w, long households, double per_year);

/* Entrants in year y of a draw: floor(x) or one more with probability
 * frac(x), from the stream (seed, draw, y, MKBA_STREAM_ENTRANT_COUNT), so
 * that their expected number is x exactly; the same in every engine and
 * for every thread count. */
long long mkba_entrants_in_year(uint64_t seed, uint32_t draw, uint32_t y, double x);

/* Entrants' initial states x[domain] in `arm` from the first init_blocks
 * blocks of their stream: the arm's starting distribution, then the
 * scenario's own shares (population.entrants) for the domains that have
 * them, each from its domain's word. */
void mkba_micro_entrant_states(const mkba_model *m, const mkba_tables *t, size_t arm,
                               const uint32_t *words, uint8_t *x);

/* Simulates households [h0, h1) of draw `draw` in every arm, and the
 * entrants that go with them (into c's _new tallies), and adds their
 * tallies to c (the starting households' at the next mkba_micro_flush
 * when the work is deferred); each household also counts in the work's
 * cell of its starting state (mkba_micro_cell_add). Uses only its arguments: one call per thread at a time per
 * work and counts. */
void mkba_micro_run(const mkba_model *m, const mkba_tables *t, uint64_t seed,
                    uint32_t draw, uint32_t h0, uint32_t h1,
                    mkba_micro_work *w, mkba_counts *c);

/* Makes mkba_micro_run leave the starting households' occupancy and
 * entries in w until mkba_micro_flush adds them to the counts given (all
 * runs since the last flush must have been given the same counts): the
 * running sums over time points are then made once per flush, not once
 * per call. */
void mkba_micro_work_defer(mkba_micro_work *w);
void mkba_micro_flush(const mkba_layout *l, mkba_micro_work *w, mkba_counts *c);

/* The draw's tallies per group cell (groups.c) of the households a work
 * ran: zeroed by mkba_micro_cells_zero (before a draw), cell `cell`'s
 * occupancy, entries and households added to c by mkba_micro_cell_add. */
void mkba_micro_cells_zero(mkba_micro_work *w);
void mkba_micro_cell_add(const mkba_micro_work *w, int cell, mkba_counts *c);

/* Initial states x[domain] of one household in `arm` from the first
 * init_blocks blocks of its stream. */
void mkba_micro_initial_states(const mkba_model *m, const mkba_tables *t, size_t arm,
                               const uint32_t *words, uint8_t *x);

/* ---- cohort trace ---- */

/* Expected occupancies as a Markov trace (no sampling) into c->focc and
 * c->fentries with households = 1. Domains are traced one by one when they
 * cannot affect each other (no interactions, no exit states); otherwise over
 * the joint state space, which must have at most `max_joint` states. */
int mkba_cohort_run(const mkba_model *m, const mkba_tables *t, mkba_counts *c,
                    mkba_error *err);

/* ---- timing and discounting ---- */

/* The occupancy points (times j = 0..T) and weights by which cycle k counts
 * an amount that applies in cycles first..last (1 <= first <= k <= last <=
 * T), for the timing settings; returns the number of terms (<= 3). */
int mkba_timing_terms(const mkba_timing *t, int k, int first, int last, int pts[3],
                      double w[3]);

/* Discount factor for a value at time `years` at annual rate `rate`. */
double mkba_discount(double rate, double years);

/* Years from the start at which cycle k's values are discounted (for
 * MKBA_DISC_POINT, the time used for one-off events within cycle k). */
double mkba_timing_event_years(const mkba_timing *t, int k);

/* Prices the counts into r: costs per payer, effects, occupancy, totals.
 * by_cycle holds the values in each cycle of the parameters that vary by
 * year (mkba_params_by_cycle), which rule amounts then take in place of
 * values; NULL when none does. */
void mkba_tally(const mkba_model *m, const mkba_layout *l, const mkba_counts *c,
                const double *values, const double *by_cycle, mkba_draw_result *r);

/* The budget view of the counts (scenarios with a population block): each
 * payer's cost per cycle priced at the occupancy at the cycle's start
 * without correction, undiscounted and discounted, and the households in
 * the model at each time point, per starting household, into r's budget
 * arrays. The services' costs are added by mkba_svc_price. */
void mkba_tally_budget(const mkba_model *m, const mkba_layout *l, const mkba_counts *c,
                       const double *values, const double *by_cycle, mkba_draw_result *r);

/* The discounted totals of nb <= MKBA_RESULT_BATCHES sets of counts (the
 * batches of a draw) at once, per household of each set: cost[b][arm][payer]
 * (transfers netted as in mkba_tally) and effect[b][arm][effect], with the
 * rule and cycle bookkeeping done once for all sets; and each payer's
 * undiscounted cost of the year to date, ytd[b][arm][cycle][payer] (see
 * mkba_tally_year_to_date_mcse; ytd may be NULL). alive_work holds nb x
 * npoints doubles. */
void mkba_tally_batches(const mkba_model *m, const mkba_layout *l,
                        const mkba_counts *const *c, size_t nb, const double *values,
                        const double *by_cycle, double *alive_work, double *cost,
                        double *effect, double *ytd);

/* The Monte Carlo standard error of each [arm][cycle][payer] entry of the
 * batches' year-to-date costs ytd[b][...] (mkba_tally_batches), with batch
 * households[b], into mcse: the error of the cost summed over the cycles
 * of cycle k's year up to k. A cycle of more than a year, or one that
 * does not divide a year, is its own year. */
void mkba_tally_year_to_date_mcse(const mkba_model *m, size_t nb, const double *households,
                                  const double *ytd, double *mcse);

/* ---- batches.c: household batches and the chunks threads take ---- */

/* A draw's H households form mkba_batches(H) fixed batches of at least
 * MKBA_MIN_BATCH households (batch b: [b*H/B, (b+1)*H/B)), at most
 * MKBA_RESULT_BATCHES; each batch is cut into chunks of at most `chunk`
 * households: chunk i is households [h0[i], h0[i + 1]) of batch batch[i]. */
#define MKBA_MIN_BATCH 2
int mkba_batches(long households);

typedef struct mkba_chunks {
    long n;                    /* chunks */
    long *h0;                  /* [n + 1] */
    int *batch;                /* [n] */
    int nbatches;
} mkba_chunks;

/* Fills c for `households`; MKBA_ENOMEM when out of memory (free c with
 * mkba_chunks_free in any case). */
int mkba_chunks_init(mkba_chunks *c, long households, long chunk);
void mkba_chunks_free(mkba_chunks *c);

/* ---- groups.c: "for whom", the households by their starting state ---- */

/* Cells of starting states: 0 no problem, then 1 + 3 x severity class
 * (light, medium, heavy) + domain count class (1, 2, 3 or more). */
#define MKBA_GROUP_CELLS 10

/* The cell of a household in starting states x[ndomains] (severities of t). */
int mkba_group_cell(const mkba_tables *t, size_t ndomains, const uint8_t *x);

/* Whether group g (mkba_result_groups) holds cell c. */
int mkba_group_has_cell(int group, int cell);

/* Prices each group's counts on its own into out's group arrays, per
 * household of the group, and its share of the draw's `households`;
 * NaN for an empty group. by_cycle as in mkba_tally; alive_work holds
 * MKBA_RESULT_GROUPS x npoints doubles. The services' costs are the
 * caller's to add. */
void mkba_group_price(const mkba_model *m, const mkba_layout *l, mkba_counts *const *groups,
                      double households, const double *values, const double *by_cycle,
                      double *alive_work, mkba_draw_result *out);

/* NaN in every group array of out (the cohort trace has no households). */
void mkba_group_clear(mkba_draw_result *out);

/* ---- draw.c: one draw of the model, the engine's face to the study layer ---- */

typedef enum mkba_engine_mode {
    MKBA_ENGINE_MICRO = 0,     /* microsimulation (lockstep when the model has services) */
    MKBA_ENGINE_COHORT         /* expected-value cohort trace */
} mkba_engine_mode;

/* Progress of household-cycles within a draw, reported from the calling
 * thread: fn(user, done_before + done in this draw, total). */
typedef struct mkba_engine_progress {
    void (*fn)(void *user, double done, double total);
    void *user;
    double done_before, total;
    const volatile sig_atomic_t *stop;   /* raised: stop at the next chunk or cycle */
} mkba_engine_progress;

/* The work of one engine: layout, tables, counts and per-thread records for
 * `households` households (ignored by the cohort trace) on `nthreads`
 * threads. One engine evaluates one draw at a time; several engines may run
 * on different threads. Returns NULL with err set when the size is out of
 * range or memory runs out. */
typedef struct mkba_engine mkba_engine;

/* The most households a draw of a scenario with services may have: they
 * are all kept in memory at once (docs/reliability.md, "Limits"). */
#define MKBA_ENGINE_MAX_SERVICE_HOUSEHOLDS 20000000L

/* The memory an engine of model m in `mode` on nthreads threads takes per
 * household: the household records, queues and initial states a scenario
 * with services keeps (several record sets when threads run whole arms);
 * 0 for the streaming microsimulation and the cohort trace, whose memory
 * does not grow with the households. The one count of it, used by the
 * estimate before a run and the messages. */
size_t mkba_engine_bytes_per_household(const mkba_model *m, mkba_engine_mode mode, int nthreads);

/* The memory an engine of model m for `households` on nthreads threads
 * takes whatever its households: each thread's tallies of occupancy
 * changes and entries per batch and group cell (services; a second work
 * with entrants) or per group cell (the streaming microsimulation's work).
 * With monthly cycles they are tens of MB per thread. HUGE_VAL when the
 * model's layout cannot be set up for want of memory, 0 when the model
 * cannot have one (mkba_engine_alloc then says why). */
double mkba_engine_bytes_fixed(const mkba_model *m, mkba_engine_mode mode, long households,
                               int nthreads);

mkba_engine *mkba_engine_alloc(const mkba_model *m, mkba_engine_mode mode, long households,
                               int nthreads, mkba_error *err);
void mkba_engine_free(mkba_engine *e);

/* The values a design fixes ([arm][parameter], NaN where free; the row
 * mkba_params_work_fix gives mkba_params_sample), so that a fixed parameter
 * that varies by year keeps its fixed value in every cycle. Borrowed; NULL
 * for none. */
void mkba_engine_fix(mkba_engine *e, const double *fixed);

/* Evaluates the model at `values` ([arm][parameter], from
 * mkba_params_sample) with the household random numbers of (seed, draw),
 * into out. Checks the draw's amounts and service values first (errors name
 * the rule, the draw and the arm). The result is a pure function of the
 * model, values, seed and draw: identical for any thread count. progress
 * may be NULL. */
int mkba_engine_draw(mkba_engine *e, const double *values, uint64_t seed, uint32_t draw,
                     mkba_draw_result *out, const mkba_engine_progress *progress,
                     mkba_error *err);

#endif
