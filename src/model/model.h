/* The loaded scenario: structure (domains, states, arms, payers, effects) and
 * rules whose numbers are indices into the parameter table (params.h).
 *
 * A model is built once by the scenario loader and is read-only afterwards.
 * Per PSA draw, resolve.c turns it plus one value vector per arm into the
 * concrete tables the engine runs on. */
#ifndef MKBA_MODEL_MODEL_H
#define MKBA_MODEL_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "mkba/error.h"
#include "mkba/context.h"
#include "params.h"
#include "services.h"

/* The longest residual value a scenario or a result file may state. */
#define MKBA_MAX_RESIDUAL_YEARS 100

#define MKBA_MAX_STATES 8
#define MKBA_MAX_CYCLES 600     /* 50 years of monthly cycles */
#define MKBA_NO_VALUE (-1)     /* an absent value index */
#define MKBA_CYCLE_END 1000000 /* open upper end of a window */

typedef struct mkba_window {
    int from, to;              /* inclusive; to == MKBA_CYCLE_END when open */
} mkba_window;

typedef struct mkba_state {
    char *name;
    double severity;           /* score used by interactions (fixed number) */
    int absorbing;             /* no way out: its row is the identity */
    int exit;                  /* entering it takes the household out */
    int second_line;           /* entering it is an escalation to second-line care */
    char *file; int line;      /* where it is listed (file NULL in a model built
                                  in memory) */
} mkba_state;

typedef enum mkba_init_kind {
    MKBA_INIT_PREVALENCE = 0,  /* init_prev[] per state, latent-factor correlation */
    MKBA_INIT_STATE            /* everyone starts in init_state */
} mkba_init_kind;

typedef struct mkba_domain {
    char *name;
    int nstates;
    mkba_state state[MKBA_MAX_STATES];
    mkba_init_kind init_kind;
    int init_state;
    int init_prev[MKBA_MAX_STATES]; /* value indices; proportions summing to 1 */
    int loading;               /* value index of the latent-factor loading in
                                  [0, 1), or MKBA_NO_VALUE for 0 */
} mkba_domain;

/* How a transition rule gives its off-diagonal entries. */
typedef enum mkba_trans_kind {
    MKBA_TRANS_PROB = 0,       /* probabilities per cycle */
    MKBA_TRANS_RATE,           /* rates per year: p = 1 - exp(-r dt) */
    MKBA_TRANS_RR,             /* relative risk on another arm's p: p' = rr p */
    MKBA_TRANS_HR              /* hazard ratio: p' = 1 - (1 - p)^hr */
} mkba_trans_kind;

/* One transition rule: the row of `from` in domain `domain`, for the arms in
 * `arms` (bitmask; all arms when all bits set), cycles in `cycles` and time
 * in state in `duration` (cycles already spent in `from`, 0 on entry). Later
 * rules replace earlier ones where both match. The diagonal is never given:
 * it completes the row. For RR/HR, `of_arm` names the arm whose row the
 * ratios apply to (same cycle and duration); value[to] is the ratio (an
 * absent entry keeps the other arm's value). */
typedef struct mkba_trans_rule {
    int domain, from;
    uint32_t arms;
    mkba_window cycles, duration;
    mkba_trans_kind kind;
    int of_arm;
    int value[MKBA_MAX_STATES]; /* per target state; MKBA_NO_VALUE = 0 / absent */
    char *path; char *file; int line;
} mkba_trans_rule;

/* Cross-domain interaction: the worsening hazard of domain `to` is
 * multiplied by exp(beta * severity(state of domain `from`)). */
typedef struct mkba_interaction {
    int from, to;
    int beta;                  /* value index */
    char *path;
} mkba_interaction;

typedef enum mkba_cost_kind {
    MKBA_COST_STATE = 0,       /* per year spent in a state */
    MKBA_COST_ENTRY,           /* one-off when a state is entered */
    MKBA_COST_PROGRAMME_ONCE,  /* one-off per household at the start (arm) */
    MKBA_COST_PROGRAMME_YEAR   /* recurring per household per year (arm) */
} mkba_cost_kind;

/* A cost rule. Costs from all matching rules add up. Amounts are in the
 * scenario's currency and price year, per household. */
typedef struct mkba_cost_rule {
    mkba_cost_kind kind;
    int domain, state;         /* STATE and ENTRY kinds; else -1 */
    int payer;
    uint32_t arms;
    mkba_window cycles, duration; /* duration: STATE kind only */
    int amount;                /* value index */
    int transfer_to;           /* payer receiving the amount (a transfer that
                                  nets out for society), or -1 */
    char *category;            /* e.g. "first line" (owned, may be NULL) */
    int category_index;        /* into mkba_model.category ("other" when NULL) */
    int wage_indexed;          /* budget view: priced at the wage index (index =
                                  "wage"), else at the price index */
    char *path; char *file; int line;
} mkba_cost_rule;

/* An effect rule: value per year of `effect` in a state (or per alive
 * household when domain == -1). Values from all matching rules add up. */
typedef struct mkba_effect_rule {
    int effect;
    int domain, state;
    uint32_t arms;
    mkba_window cycles, duration;
    int amount;                /* value index */
    char *path; char *file; int line;
} mkba_effect_rule;

typedef enum mkba_effect_category {
    MKBA_CAT_DIRECT = 0,       /* effects for the target group and providers */
    MKBA_CAT_INDIRECT,         /* effects passed on through markets */
    MKBA_CAT_EXTERNAL          /* effects on third parties outside markets */
} mkba_effect_category;

typedef struct mkba_effect_def {
    char *name;
    char *unit;                /* "QALY", "life years", "EUR", ... */
    int monetary;              /* counts as money in NPV when set */
    int lower_is_better;       /* e.g. years with a severe problem */
    int payer;                 /* monetary effects: the payer who gains, or -1
                                  for society at large */
    mkba_effect_category category; /* row of the MKBA table (monetary effects) */
} mkba_effect_def;

typedef struct mkba_payer_def {
    char *name;
    int municipal;             /* part of the municipality perspective */
    char *file; int line;      /* where it is listed (file NULL in a model built
                                  in memory) */
} mkba_payer_def;

/* A perspective: a named set of payers whose costs and gains count. */
typedef struct mkba_perspective {
    char *name;
    size_t npayers;
    int *payer;
} mkba_perspective;

/* Settings of the decision outputs (issue 4); docs/scenario.md. */
typedef struct mkba_analysis {
    size_t nperspectives;      /* besides "society", "municipality" and each payer */
    mkba_perspective *perspective;
    size_t nwtp;               /* willingness-to-pay grid for the primary effect */
    double *wtp;
    int primary_effect;        /* effect for ICER, CEAC and EVPI */
    double population;         /* households per year for population EVPI */
    int population_years;      /* years over which EVPI accrues */
    double optimism_bias;      /* uplift on the extra costs of an arm (share) */
    double deadweight;         /* share of benefits that would have happened anyway */
    int residual_years;        /* years the last year of the horizon continues
                                  in the MKBA table (residual value), 0 ..
                                  MKBA_MAX_RESIDUAL_YEARS */
    size_t npm;                /* non-monetised effects listed as PM items */
    char **pm_item;
    int health_effect;         /* effect valued in money in the MKBA table, or -1 */
    double health_value;       /* money per unit of it (e.g. EUR per QALY) */
    char *health_source;       /* where that value comes from (owned) */
} mkba_analysis;

/* The budget view (docs/budget.md): the target group's size, the
 * households entering it each year, the price path and each payer's place
 * in the municipal budget. enabled = 0 (no population block): none of it. */
typedef struct mkba_population {
    int enabled;
    double households;         /* in the target group at the start */
    double inflow;             /* households entering per year */
    int inflow_line;           /* its line in the scenario, 0 if unknown */
    /* Entrants' initial states: shares per state on the all-states axis
     * (domains in order), NAN for a domain whose entrants take the
     * starting distribution; NULL when every domain does. */
    double *entrant_share;
    int first_year;            /* calendar year of year 1 of the horizon */
    size_t nyears;             /* years of the horizon */
    double *price_index;       /* [nyears]: price level of each year / price_year's */
    double *wage_index;        /* [nyears]: wage level likewise, for the teams' costs */
    char **fund;               /* [npayers]: "gemeentefonds", "BUIG", ...; "" unmapped */
    char **taakveld;           /* [npayers]: Iv3 task field, e.g. "6.71 Wmo"; "" none */
} mkba_population;

/* The longest calibration target a scenario may give: a figure and its
 * source ("-32% youth and family municipal cost (Utrecht) [S1]"), which
 * the banner quotes twice, not the caveats, which belong in comments. */
#define MKBA_CALIBRATED_TO_MAX 160

typedef struct mkba_arm {
    char *name;
    char *label;               /* one-line description, may be NULL */
    int is_reference;          /* exactly one arm is the reference */
    char *calibrated_to;       /* the target its overrides were tuned to
                                  reproduce (scenario `calibrated_to`), or NULL */
} mkba_arm;

/* A blended arm (docs/model.md, "Mixed arms"): not simulated; each draw
 * its results are the share-weighted sum of the simulated arms arm[0..nparts)
 * in that draw (common random numbers), shares summing to 1. */
typedef struct mkba_blend {
    size_t nparts;
    int arm[MKBA_MAX_ARMS];
    double share[MKBA_MAX_ARMS];
} mkba_blend;

typedef enum mkba_occupancy { MKBA_OCC_START = 0, MKBA_OCC_END, MKBA_OCC_BOTH } mkba_occupancy;
typedef enum mkba_correction {
    MKBA_CORR_NONE = 0, MKBA_CORR_HALF_CYCLE, MKBA_CORR_TRAPEZOID, MKBA_CORR_SIMPSON
} mkba_correction;
typedef enum mkba_discount_time {
    MKBA_DISC_START = 0,       /* exponent (k-1) dt for cycle k */
    MKBA_DISC_MIDDLE,          /* (k-1/2) dt */
    MKBA_DISC_END,             /* k dt */
    MKBA_DISC_POINT            /* each occupancy at its own time j dt */
} mkba_discount_time;

/* The scenario-file names of the three choices above, in enum order; the
 * loader, `mkba check` and the result file all use these. */
extern const char *const mkba_occupancy_names[3];
extern const char *const mkba_correction_names[4];
extern const char *const mkba_discount_time_names[4];

typedef struct mkba_timing {
    double cycle_years;        /* 1 (year) or 1/12 (month) */
    int ncycles;               /* horizon in cycles */
    double rate_costs, rate_effects; /* annual discount rates */
    mkba_occupancy occupancy;
    mkba_correction correction;
    mkba_discount_time discount_time;
} mkba_timing;

typedef struct mkba_model {
    /* The allocator of the context the model was loaded with, which
     * mkba_model_free uses; all zero (a model built in memory): the
     * current one. */
    mkba_allocator alloc;
    char *name, *description;
    char *path;                /* scenario file */
    char *text;                /* scenario file text, verbatim */
    char *currency;            /* "EUR" */
    int price_year;

    mkba_timing timing;

    size_t ndomains;
    mkba_domain domain[MKBA_MAX_DOMAINS];
    size_t narms;
    mkba_arm arm[MKBA_MAX_ARMS];
    int reference;             /* index of the reference arm */
    /* The last nblends arms are blended (blend[j] is arm narms - nblends
     * + j); the others are simulated. Rules, parameters and pathways
     * know only the simulated arms. */
    size_t nblends;
    mkba_blend blend[MKBA_MAX_ARMS];
    size_t npayers;
    char **payer;              /* names; payer_def[i].name == payer[i] */
    mkba_payer_def *payer_def;
    size_t neffects;
    mkba_effect_def *effect;

    size_t ntrans; mkba_trans_rule *trans;
    size_t ninteract; mkba_interaction *interact;
    size_t ncosts; mkba_cost_rule *cost;
    size_t neffect_rules; mkba_effect_rule *effect_rule;

    mkba_services services;    /* service pathways (services.enabled) */
    /* Cost categories: those of the cost rules and the service costs, in
     * order of first use; "other" for rules without one. */
    size_t ncategories;
    char **category;

    mkba_params *params;       /* owned */
    mkba_analysis analysis;
    mkba_population population;

    /* Run defaults from the scenario (command-line options override). */
    uint64_t seed;
    long draws;                /* 0: base case only */
    long households;
    mkba_base_case base_case;
} mkba_model;

/* Entrants expected per year for a draw of `households` starting
 * households: households x inflow / population.households (each stands for
 * as many households as a starting one; the engine rounds it up or down at
 * random each year, keeping the expectation); 0 without inflow. */
double mkba_population_entrants(const mkba_model *m, long households);

#define MKBA_ALL_ARMS 0xffffffffu

/* The arms the engine simulates: all but the blended ones at the end. */
static inline size_t mkba_model_simulated(const mkba_model *m)
{
    return m->narms - m->nblends;
}

void mkba_model_free(mkba_model *m);

/* The index of the arm called `name`, or -1 with err naming the closest
 * arm; `what` starts the message (e.g. "--set NAME@ARM"). */
int mkba_model_arm(const mkba_model *m, const char *what, const char *name, mkba_error *err);
/* As mkba_model_arm for an arm that must have parameters: a blended arm
 * is refused, with what to do instead. */
int mkba_model_simulated_arm(const mkba_model *m, const char *what, const char *name,
                             mkba_error *err);
/* --- blend.c: the starting population of a blend's parts --- */
/* The i-th (from 0) parameter that sets the starting population: every
 * PREVALENCE domain's starting shares, then its initial.loading, in domain
 * order. Its index, with its domain and state (nstates for the loading)
 * when not NULL; -1 past the last. The one list of what sets the start. */
int mkba_model_start_setting(const mkba_model *m, size_t i, size_t *domain, int *state);
/* Marks in mark[] (one byte per parameter) the parameters that set the
 * starting population (mkba_model_start_setting) and all they read in arm
 * `arm`'s own view. MKBA_OK or MKBA_ENOMEM. */
int mkba_model_start_inputs(const mkba_model *m, size_t arm, unsigned char *mark);
/* The blend that simulated arm `arm` is a part of with a share above 0
 * (a part of share 0 weighs nothing and is not held to the others' start),
 * or -1. */
int mkba_model_blend_of_part(const mkba_model *m, int arm);
/* Refuses fixing parameter k in arm `arm` alone (`what`: "--set NAME@ARM",
 * an sa factor) when the arm is a part of a blend and k sets its starting
 * population: the parts would no longer be one population. MKBA_OK,
 * MKBA_EINVAL or MKBA_ENOMEM, with the message in err. */
int mkba_model_blend_part_fix(const mkba_model *m, const char *what, int k, int arm,
                              mkba_error *err);

/* Checks one draw's service values (values[arm][param]) against their
 * ranges, naming the setting, draw and arm of the first one outside. */
int mkba_services_check(const mkba_model *m, const double *values, long draw,
                        mkba_error *err);

#endif
