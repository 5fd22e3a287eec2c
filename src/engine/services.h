/* Service pathways in the engine: households kept in memory and run in
 * lockstep, one cycle for all of them at a time, because team capacity
 * couples the households of a draw (docs/model.md, "Service pathways").
 *
 *   services.c   one household's cycle: problem transitions as modified by
 *                its care or waiting, discharge, help seeking and routing
 *   admission.c  the queues: deterministic admission up to capacity
 *   lockstep.c   the draw driver, the per-cycle tallies and their pricing
 *
 * Each cycle of an arm has a household phase that writes only the
 * household's own record and its thread's tallies (shared by the threads,
 * or run by one thread that has the whole arm), and a serial admission
 * phase that reads the records in household order. Admission therefore
 * depends on the set of requests only, and every number is the same for
 * any thread count. */
#ifndef MKBA_ENGINE_SERVICES_H
#define MKBA_ENGINE_SERVICES_H

#include <stdint.h>
#include "engine/engine.h"
#include "model/pathway.h"

enum { MKBA_SVC_NONE = 0, MKBA_SVC_WAITING, MKBA_SVC_CARE };

/* The service record of the households of one arm (structure of arrays). */
typedef struct mkba_svc_households {
    long n;
    size_t ndomains;
    uint8_t *x;                /* [n][D] state in each domain */
    uint16_t *tis;             /* [n][D] cycles in that state, capped */
    uint32_t *entry;           /* [n][D] worsening-table entry (services.c), kept
                                  up to date as states and buckets change */
    uint32_t *aging;           /* domains whose time in state still counts
                                  (tis below the state's cap) */
    uint32_t *problems;        /* domains whose state has severity > 0 */
    int8_t *out;               /* exit domain, or -1 while in the model */
    uint8_t *status;           /* MKBA_SVC_* */
    int8_t *team;              /* team waiting for or in care with, or -1 */
    uint8_t *joint;            /* under a joint plan (coordination applies) */
    uint8_t *prio;             /* severity level at the request */
    uint32_t *plan;            /* domains the request or care covers */
    uint8_t *claiming;         /* claims its entitlement since a team helped (take-up) */
    int8_t *resolved;          /* domain its own network solved (relapse), or -1 */
    uint8_t *resolved_to;      /* the state the network left that domain in */
    int16_t *arrived, *since;  /* cycle of the request; of admission */
    float *wait_factor;        /* exp(-wait_effect x years waited) */
} mkba_svc_households;

/* Allocates the records of n households with D domains (uninitialised;
 * mkba_svc_household_start sets them); returns 0 when out of memory, with
 * whatever was allocated still to free. Free with mkba_svc_households_free
 * (safe on a zeroed struct). */
int mkba_svc_households_alloc(mkba_svc_households *hh, long n, size_t D);
void mkba_svc_households_free(mkba_svc_households *hh);
/* The bytes mkba_svc_households_alloc takes per household (D domains). */
size_t mkba_svc_households_bytes(size_t D);

/* What one arm's pathway means in one draw: the values resolved. */
typedef struct mkba_svc_team_values {
    double places;             /* capacity at full efficiency, simulated households */
    int nimprove, nworsen;
    double improve_hr[8], worsen_hr[8]; /* by severity level (services.h) */
    uint32_t improve_domains, worsen_domains; /* domains with ratios of their own */
    uint8_t nimprove_domain[MKBA_MAX_DOMAINS], nworsen_domain[MKBA_MAX_DOMAINS];
    double improve_domain[MKBA_MAX_DOMAINS][8], worsen_domain[MKBA_MAX_DOMAINS][8];
    double episode_years;
    double continuity;         /* staff continuity x quality at the team's caseload */
    double fte, caseload, cost_per_fte, intake_cost, turnover, handover_cost;
} mkba_svc_team_values;

typedef struct mkba_svc_arm {
    const mkba_model *m;
    const mkba_tables *t;
    const mkba_pathway *p;
    size_t arm;
    uint64_t seed;
    uint32_t draw;
    double households;         /* simulated */
    double clients;            /* records in the model: households, and the
                                  entrants that joined by now in an open run */
    double population;
    const mkba_pathway_rule *rule; /* the pathway's routing rule */
    int classic;               /* households follow the classic route */
    int scan;                  /* every request gets a quick scan (rule, not classic) */
    int front_intake;          /* the rule's team charges intakes at the request */
    uint32_t servable;         /* domains some team of the arm treats */
    uint32_t untabled;         /* domains that compute their interaction (no table) */
    /* The stay test (services.c): the domains d < D whose word is below
     * the stay threshold of their cached entry; AVX2 or generic. */
    uint32_t (*below)(const uint32_t *words, const uint32_t *entry,
                      const mkba_worsening *tabs, int D);
    int ndep[MKBA_MAX_DOMAINS]; /* entries of layout.dep[d] before the padding */
    double seek[8];
    int nseek;
    double stigma, outreach, awareness_start, awareness_years, detect;
    int split_access;          /* households the team would not take have classic access */
    int mixed;                 /* a mixed arm: integrated route in integrated_share only */
    double integrated_share;
    double classic_stigma, classic_outreach, classic_awareness_start, classic_awareness_years;
    double classic_detect, classic_self_p;
    double coordination;       /* c x w(degree) */
    double wait_escalation, wait_effect, self_p, scan_share;
    double maturity_start, maturity_years, efficiency_start, efficiency_years;
    double friction, friction_years;
    uint32_t own_teams;        /* the arm's own (integrated) teams: they mature, give
                                  substitution, register twice without shared ICT */
    double quick_scan_cost, home_visit_cost, duplicate_registration;
    /* One-off costs of switching, booked as "investment" at the start:
     * the pathway's investment with the dismantling and the elements' set-up
     * (0 for an arm that does not switch model, docs/decision.md), and
     * shared ICT's; the yearly recurring, co_location and ict_running are
     * "programme". */
    double investment, recurring, co_location;
    double ict_investment, ict_running; /* shared ICT; 0 without it */
    double informal_care;      /* per problem solved by own strength; 0 without it */
    int take_up;               /* the pathway models take-up of entitlements */
    double take_up_non;        /* P(an entitled household does not claim by itself) */
    double take_up_claims;     /* P(a team gets such a household to claim), per admission */
    double take_up_amount;     /* per claiming household per year */
    /* Start-up and secondment (docs/model.md); 0 without them. */
    double ramp_years, friction_lasting;
    double double_running, double_running_years; /* 0 unless the arm switches model */
    double secondment;
    uint32_t own;              /* the teams the arm sets up (team, teams), at any degree */
    double relapse_p;          /* P(a self-solved problem comes back) per cycle; 0 without */
    /* Referral substitution (substitution.c): per entry of the pathway's
     * list, the share the team gives itself, the bought help's price per
     * year, and the team places a household at share 1 takes. */
    int nsubstitute;
    double sub_share[MKBA_MAX_SUBSTITUTE], sub_price[MKBA_MAX_SUBSTITUTE];
    double sub_places[MKBA_MAX_SUBSTITUTE];
    /* Unpooled budgets' heavier help (integration.c): the rise in the use
     * of the help bought for the own teams' households, 0 without; the
     * draw's values, to price it by the cost rules. */
    double heavier;
    const double *values;
    mkba_svc_team_values team[MKBA_MAX_TEAMS];
    /* Of the current cycle (mkba_svc_arm_cycle): */
    double seek_p[8];          /* P(asking for help) by severity level */
    double seek_p_classic[8];  /* the same with classic access (split_access) */
    double effect[MKBA_MAX_TEAMS]; /* effectiveness before the wait factor */
    double ramp;               /* the own teams' start-up ramp (mkba_svc_ramp) */
    double scan_p;             /* P(the quick scan finds own strength): scan_share
                                  as the ramp builds up from self_p */
    /* "For whom": the group cell (groups.c) of each of the first ncell
     * households (the starting cohort), and the strides of a cell in the
     * delta and entries arrays the household phase is given; households
     * past ncell (entrants of an open population) and every household when
     * cell is NULL (mkba_svc_arm_init) tally at the arrays' start. */
    const uint8_t *cell;
    long ncell;
    size_t cell_delta, cell_entries;
} mkba_svc_arm;

/* Per-thread, per-cycle integer tallies of the household phase. */
enum {
    MKBA_SVC_ARRIVALS = 0, MKBA_SVC_SELF, MKBA_SVC_DETECTED, MKBA_SVC_SCANS,
    MKBA_SVC_VISITS, MKBA_SVC_FRONT_INTAKES,
    /* Problems registered at intake in domain d: MKBA_SVC_REGISTERED + d. */
    MKBA_SVC_REGISTERED,
    MKBA_SVC_NCOUNTS = MKBA_SVC_REGISTERED + MKBA_MAX_DOMAINS
};

/* Resolves arm `arm`'s pathway from the draw's values (values[param]). */
void mkba_svc_arm_init(mkba_svc_arm *a, const mkba_model *m, const mkba_tables *t,
                       const double *values, size_t arm, uint64_t seed, uint32_t draw,
                       long households);

/* Sets the cycle-dependent values of a for cycle k: help seeking with
 * awareness, and each team's effectiveness with maturity and friction. */
void mkba_svc_arm_cycle(mkba_svc_arm *a, int k);

/* The start-up ramp of a's own teams at `years` since the start: the
 * share of their staff and contracts in place, years / ramp_years, 1 after
 * the ramp and without one. It scales their effect, their places and the
 * help they give instead of buying it (substitution); their staff are paid
 * in full from the start (docs/model.md, "Start-up and secondment"). */
double mkba_svc_ramp(const mkba_svc_arm *a, double years);

/* Maturity of effectiveness (from `start`) at `years` since the start:
 * start + (1 - start)(1 - exp(-years / tau)). */
double mkba_svc_maturity(double start, double tau, double years);


/* Households per pass of the household phase: their random words of a
 * cycle are made together (mkba_philox_households). */
#define MKBA_SVC_CHUNK 256

/* A cycle's service-stream blocks with D domains: words 0 and 1 (asking,
 * self-reliance), then one word per domain (detection). */
#define MKBA_SVC_SERVICE_BLOCKS_OF(D) ((2 + (D) + 3) / 4)
#define MKBA_SVC_SERVICE_BLOCKS MKBA_SVC_SERVICE_BLOCKS_OF(MKBA_MAX_DOMAINS)

/* A memoised modified row (services.c): the exact bits of its inputs and
 * the probabilities they give. */
typedef struct mkba_svc_memo {
    const mkba_row *row;
    uint64_t z, worsen, improve;
    double pw, po;
} mkba_svc_memo;
#define MKBA_SVC_MEMO 512

/* One thread's working memory for the household phase. */
typedef struct mkba_svc_scratch {
    uint32_t *words;           /* [MKBA_SVC_CHUNK][blocks_per_cycle * 4] */
    uint32_t service[MKBA_SVC_CHUNK * 4]; /* first service-stream block of each */
    /* Requests that go on to detection: household, place in the chunk,
     * question, and the rest of their service-stream blocks. */
    uint32_t detect_h[MKBA_SVC_CHUNK];
    uint16_t detect_i[MKBA_SVC_CHUNK];
    int8_t detect_pd[MKBA_SVC_CHUNK];
    uint8_t detect_classic[MKBA_SVC_CHUNK]; /* takes the classic route */
    uint32_t *detect_words;    /* [MKBA_SVC_CHUNK][(service blocks - 1) * 4] */
    mkba_svc_memo memo[MKBA_SVC_MEMO];
    /* Relapse words of the chunk's households whose network solved a
     * problem (made together; services.c). */
    uint32_t relapse_h[MKBA_SVC_CHUNK];
    uint32_t relapse_words[MKBA_SVC_CHUNK * 4];
    uint32_t relapse_word[MKBA_SVC_CHUNK];
} mkba_svc_scratch;

mkba_svc_scratch *mkba_svc_scratch_alloc(const mkba_layout *l);
/* The bytes mkba_svc_scratch_alloc(l) asks for (the memory estimate). */
size_t mkba_svc_scratch_bytes(const mkba_layout *l);
void mkba_svc_scratch_free(mkba_svc_scratch *s);
/* Forgets the memoised rows: call whenever the tables change (each draw). */
void mkba_svc_scratch_clear(mkba_svc_scratch *s);

/* Cycle k of households h0 .. h1 - 1 that are still in the model:
 * transitions (occupancy changes into delta [point][slot], entries into
 * entries[cycle][state]), then discharge, help seeking and routing.
 * counts[MKBA_SVC_NCOUNTS] receive the cycle's events. */
/* Households h0 .. h1 - 1's initial states in the arm (from the first
 * words of their streams) into x[h][D]. */
void mkba_svc_initial_states(const mkba_svc_arm *a, long h0, long h1, mkba_svc_scratch *s,
                             uint8_t *x);

/* The same for entrant records h0 .. h1 - 1 of an open run
 * (mkba_micro_entrant_states: population.entrants' shares). */
void mkba_svc_entrant_states(const mkba_svc_arm *a, long h0, long h1, mkba_svc_scratch *s,
                             uint8_t *x);

/* Households h0 .. h1 - 1 in initial states x0[h][D] (which may be hh->x)
 * with empty service records; their occupancy at point 0 into delta[slot]. */
void mkba_svc_households_start(const mkba_svc_arm *a, mkba_svc_households *hh, long h0, long h1,
                               const uint8_t *x0, int64_t *delta);

void mkba_svc_households_cycle(const mkba_svc_arm *a, mkba_svc_households *hh, long h0, long h1,
                               int k, mkba_svc_scratch *s, int64_t *delta, uint64_t *entries,
                               long *counts);

/* ---- admission.c ---- */

typedef struct mkba_svc_queues mkba_svc_queues;
mkba_svc_queues *mkba_svc_queues_alloc(long households, size_t nteams);
void mkba_svc_queues_free(mkba_svc_queues *q);
/* The bytes the queues hold per household (for the memory estimate). */
size_t mkba_svc_queues_bytes_per_household(size_t nteams);
void mkba_svc_queues_clear(mkba_svc_queues *q);

/* What the admission phase of one cycle did. */
typedef struct mkba_svc_admitted {
    long reached, waiting, in_care;
    long withdrawn;            /* left a queue unadmitted since the last admission */
    long wait_cycles;          /* summed over the admitted */
    long duplicate_registrations; /* registrations at team members' home organisations */
    long new_claims;           /* households a team got to claim (take-up) */
    long claimants;            /* entitled households claiming thanks to a team, after admission */
    long team_admitted[MKBA_MAX_TEAMS], team_in_care[MKBA_MAX_TEAMS];
    long team_waiting[MKBA_MAX_TEAMS];
    /* Referral substitution: households in care in each entry's state
     * before admission, per own team; the households whose help the teams
     * gave (within their free places); the places that help takes. */
    long sub_team[MKBA_MAX_SUBSTITUTE][MKBA_MAX_TEAMS];
    double substituted[MKBA_MAX_SUBSTITUTE];
    double team_load[MKBA_MAX_TEAMS];
    long team_wait_cycles[MKBA_MAX_TEAMS]; /* summed over each team's admitted */
    /* "For whom" (groups.c), by the households' group cells (all in cell 0
     * when the arm has none): the claimants, the households in the teams'
     * care after admission, and the substitution counts above per cell. */
    long cell_claimants[MKBA_GROUP_CELLS], cell_in_care[MKBA_MAX_TEAMS][MKBA_GROUP_CELLS];
    long cell_sub_team[MKBA_MAX_SUBSTITUTE][MKBA_MAX_TEAMS][MKBA_GROUP_CELLS];
    double cell_substituted[MKBA_MAX_SUBSTITUTE][MKBA_GROUP_CELLS];
    /* Unpooled budgets' heavier help: the own teams' households in care
     * after admission (as team_in_care), by domain of their plan and that
     * domain's state. */
    long heavier[MKBA_MAX_DOMAINS][MKBA_MAX_STATES];
} mkba_svc_admitted;

/* Household h's group cell in arm a: 0 past the starting cohort and
 * without cells (mkba_svc_arm.cell). */
static inline int mkba_svc_cell_of(const mkba_svc_arm *a, long h)
{
    return a->cell != NULL && h < a->ncell ? a->cell[h] : 0;
}

/* Appends cycle k's requests to the teams' queues in household order and
 * admits up to each team's free places at the cycle's efficiency. */
void mkba_svc_admit(const mkba_svc_arm *a, mkba_svc_households *hh, mkba_svc_queues *q, int k,
                    mkba_svc_admitted *out);

/* The service-stream block of cycle k's take-up word is this plus k, and
 * of the household's non-take-up word this itself: far past the blocks of
 * every cycle's own words (MKBA_SVC_SERVICE_BLOCKS per cycle). */
#define MKBA_SVC_TAKE_UP_BLOCK 0x80000000u
/* The service-stream block of cycle k's relapse word is this plus k:
 * past every cycle's own words and below the take-up blocks. */
#define MKBA_SVC_RELAPSE_BLOCK 0x40000000u

/* Capacity of team `team` in cycle k (simulated households in care). */
long mkba_svc_places(const mkba_svc_arm *a, int team, int k);
/* The same less `load` places taken by help the team gives itself
 * (referral substitution); load 0 gives mkba_svc_places exactly. */
long mkba_svc_places_less(const mkba_svc_arm *a, int team, int k, double load);
/* Team `team`'s places in cycle k before the fractional place is drawn. */
double mkba_svc_capacity(const mkba_svc_arm *a, int team, int k);

/* ---- substitution.c ---- */

/* Resolves the arm's referral substitution from the draw's values. */
void mkba_svc_substitution_init(mkba_svc_arm *a, const double *values);
/* The arm's integration group (integration.c): its coordination weight,
 * its elements' costs and what unpooled budgets do, once per arm and
 * draw; nothing without the group. switches: the arm switches model
 * (mkba_services_switches); with ref, the reference's pathway, it decides
 * which elements' set-up the arm pays (mkba_services_sets_up). */
void mkba_svc_integration_init(mkba_svc_arm *a, const double *values, int switches,
                               const mkba_pathway *ref);
/* Counts household h (in care) into out->heavier if an arm's own team has
 * it: once per domain of its plan, at that domain's state. */
void mkba_svc_heavier_add(const mkba_svc_arm *a, const mkba_svc_households *hh, long h,
                          mkba_svc_admitted *out);
/* Counts household h (in care) into out if an arm's own team has it and
 * an entry's domain is in its plan and in the entry's state: per entry and
 * team, and the places its help would take (before admission). */
void mkba_svc_substitution_add(const mkba_svc_arm *a, const mkba_svc_households *hh, long h,
                               mkba_svc_admitted *out);
/* Gives each own team's help within its free places in cycle k (places
 * less the households in care): out's substituted and team_load. */
void mkba_svc_substitution_give(const mkba_svc_arm *a, int k, mkba_svc_admitted *out);

/* ---- lockstep.c ---- */

/* Service tallies of a draw, per household of the starting cohort. */
typedef struct mkba_svc_tally {
    size_t narms, ncycles, npayers, ncategories;
    double *cost;              /* [arm][cycle][payer], undiscounted */
    double *category;          /* [arm][cycle][category] */
    double *once;              /* [arm][payer]: one-off at time 0 (in cost of cycle 1) */
    double *transfer;          /* [arm][cycle][payer]: transfers within cost (take-up) */
    double *wages;             /* [arm][cycle][payer]: the teams' part of cost (staff,
                                  intakes, hand-overs), at the budget's wage index */
    /* Referral substitution's saving per year at each time point, priced
     * by mkba_svc_price with the cost rule's own weights and discounting. */
    size_t npoints;
    double *saved;             /* [arm][point][payer] */
    double *saved_category;    /* [arm][point][category] */
    /* The same for an entry whose bought-help price varies by year, not
     * yet priced (help given per household and year, share and ramp
     * applied): mkba_svc_price prices each cycle at that cycle's price. */
    double *given;             /* [arm][point][MKBA_MAX_SUBSTITUTE] */
    double *out[9];            /* [arm][cycle]: the result's svc_* arrays in order */
    size_t nteams;
    double *team_in_care, *team_queue; /* [arm][cycle][team] */
    double *team_reached, *team_mean_wait; /* [arm][cycle][team] */
    size_t ndomains;
    double *registered;        /* [arm][cycle][domain] */
    /* "For whom", per group cell (the closed run only; 0 cells in the open
     * run): take-up booked to the cell's households ([cell][arm][cycle]
     * [payer], as cost), substitution saved for them ([cell][arm][point]
     * [payer], as saved), and household-cycles in each team's care
     * ([cell][arm][cycle][team]); each team's own costs ([arm][cycle]
     * [team][payer], part of cost) are allocated by the use of that team,
     * the rest by the use of all (mkba_svc_group_price). */
    size_t ncells;
    double *cell_cost, *cell_saved, *cell_use, *team_cost;
    double *cell_given;        /* [cell][arm][point][MKBA_MAX_SUBSTITUTE], as given */
} mkba_svc_tally;

typedef struct mkba_svc_work mkba_svc_work;

/* Copies of the household records the work keeps on nthreads threads:
 * one per thread when threads run whole arms (arms >= threads > 1),
 * else one. */
int mkba_svc_record_sets(const mkba_model *m, int nthreads);

/* Bytes per household of the work on nthreads threads: records and queues
 * per copy (mkba_svc_households_bytes, mkba_svc_queues_bytes_per_household),
 * and the initial states all arms share (D bytes). */
size_t mkba_svc_bytes_per_household(const mkba_model *m, int nthreads);

mkba_svc_work *mkba_svc_work_alloc(const mkba_model *m, const mkba_layout *l, long households,
                                   int nthreads);
void mkba_svc_work_free(mkba_svc_work *w);

/* The work of an open run (mkba_svc_run_open): records for the starting
 * households and every entrant a draw may have (mkba_svc_records). */
mkba_svc_work *mkba_svc_work_alloc_open(const mkba_model *m, const mkba_layout *l,
                                        long households, int nthreads);

/* Makes mkba_svc_price give the budget view the service costs of `open`'s
 * last run instead of w's own (NULL: w's own, the default). */
void mkba_svc_work_set_budget(mkba_svc_work *w, const mkba_svc_work *open);

/* Simulates one draw of the work's households with services into counts c
 * (as mkba_micro_run would) and the work's service tally; by_cycle as
 * mkba_tally takes it (NULL when no parameter varies by year) prices the
 * costs the tally books per cycle (heavier help). progress (may be
 * NULL) hears of every finished cycle of every arm, on the calling thread
 * (engine.h); when *progress->stop is raised it stops at the next cycle,
 * leaving counts the caller discards. */
void mkba_svc_run(const mkba_model *m, const mkba_tables *t, const double *values,
                  const double *by_cycle, uint64_t seed, uint32_t draw,
                  const mkba_engine_progress *progress, mkba_svc_work *w, mkba_counts *c);

/* The records a draw of `households` starting households may need: those
 * and, with population.inflow, at most floor(x) + 1 entrants in each year
 * that starts within the horizon (x = mkba_population_entrants). */
long mkba_svc_records(const mkba_model *m, long households);

/* The open population of the draw mkba_svc_run just ran closed (a
 * population block with inflow): the same households, and the year's
 * entrants (mkba_entrants_in_year) joining at the start of every year after
 * the first, as clients of the same teams, so they take places and wait in
 * the same queues. Counts into c: the starting households' occupancy and
 * entries in occ and entries, the entrants' in occ_new and entries_new,
 * joined; the service costs into a tally of their own, which
 * mkba_svc_price gives the budget view. The closed run stays the MKBA
 * view (docs/budget.md, "Entrants and the teams"). */
/* The open run's share of a draw's work, closed and open run together, in
 * household-cycles: H x T for the closed run, H x T and the entrants'
 * expected cycles for the open one (the progress bar's weights). */
double mkba_svc_open_share(const mkba_model *m, const mkba_svc_work *open);

void mkba_svc_run_open(const mkba_model *m, const mkba_tables *t, const double *values,
                       const double *by_cycle, uint64_t seed, uint32_t draw,
                       const mkba_engine_progress *progress, mkba_svc_work *w, mkba_counts *c);

/* Batch b's integer tallies of the last mkba_svc_run as counts
 * (households, occupancy, entries), for pricing one batch of households
 * (mkba_batches) on its own. */
void mkba_svc_batch_counts(const mkba_svc_work *w, const mkba_layout *l, int b, mkba_counts *c);

/* Adds cell `cell`'s integer tallies of the last mkba_svc_run (households,
 * occupancy, entries; every batch) to c, for pricing a household group. */
void mkba_svc_cell_add(const mkba_svc_work *w, const mkba_layout *l, int cell, mkba_counts *c);

/* Household group `group`'s (mkba_result_groups) service costs of the last
 * mkba_svc_run, discounted, per household of the group: into cost[arm]
 * [payer] all of them, into teams[arm][payer] the part allocated by use.
 * Take-up and substitution are the group's own (booked per cell at
 * admission); each team's staff, intakes and hand-overs (to that team's
 * payers) are allocated by the group's share of the household-cycles in
 * that team's care in each cycle; every other service cost (programme,
 * investment, scans, visits, informal care) by its share of those in all
 * the arm's teams' care. A cycle with nobody in a team's care falls back
 * on the horizon's use (also for the investment), then on all teams',
 * then on the group's share of the households. by_cycle: as
 * mkba_svc_price takes it, which prices substitution at a price varying by
 * year cycle by cycle, and so does this. The groups weighted by their
 * shares add up to mkba_svc_price's totals. */
void mkba_svc_group_price(const mkba_model *m, const mkba_svc_work *w, const double *by_cycle,
                          int group, double *cost, double *teams);

/* Adds the service costs and outputs of the last mkba_svc_run to r (after
 * mkba_tally). by_cycle: the values of the parameters that vary by year in
 * each cycle (mkba_params_by_cycle), as mkba_tally takes them; NULL when
 * none varies. */
void mkba_svc_price(const mkba_model *m, const mkba_svc_work *w, const double *by_cycle,
                    mkba_draw_result *r);

#endif
