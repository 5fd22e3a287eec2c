/* Service pathways: the teams a scenario defines and, per arm, the route
 * households take to them (docs/model.md, "Service pathways").
 *
 * Every number is a value index into the parameter table, so it can be a
 * distribution and can differ by arm; the few structural settings (rule,
 * degree, which teams, thresholds of model D and C) are fixed. */
#ifndef MKBA_MODEL_SERVICES_H
#define MKBA_MODEL_SERVICES_H

#include <stdint.h>

#define MKBA_MAX_TEAMS 16
#define MKBA_MAX_DOMAINS 32
#define MKBA_MAX_ARMS 32

/* The routing rules, listed once: each is a strategy object in its own file,
 * src/model/pathway_NAME.c, defining `mkba_pathway_NAME` (model/pathway.h).
 * The list gives the rule's enum value, its name in scenarios and its
 * object; the order is the order of `mkba_route_names` in result files. */
#define MKBA_PATHWAY_RULES(X)                                                                 \
    X(CLASSIC, classic)             /* one provider per domain, one problem at a time */     \
    X(BROAD, broad)                 /* model A: one team, one plan for all domains */        \
    X(SPECIFIC, specific)           /* model B: triage into one of several teams */          \
    X(FRONT_POST, front_post)       /* model C: generalist front post, domain teams behind */ \
    X(MULTI_PROBLEM, multi_problem) /* model D: multi-problem households only */             \
    X(MAKELPUNT, makelpunt)         /* sociaal makelpunt: quick scan, own strength first */  \
    X(ONE_STOP, one_stop)           /* one counter for the domains it lists */

#define MKBA_ROUTE_ENUM_(id, name) MKBA_ROUTE_##id,
typedef enum mkba_route_rule { MKBA_PATHWAY_RULES(MKBA_ROUTE_ENUM_) MKBA_NROUTES } mkba_route_rule;
#undef MKBA_ROUTE_ENUM_

typedef enum mkba_degree {
    MKBA_DEGREE_NONE = 0, MKBA_DEGREE_LIMITED, MKBA_DEGREE_PARTIAL, MKBA_DEGREE_FULL,
    MKBA_NDEGREES
} mkba_degree;

typedef enum mkba_queue_rule { MKBA_QUEUE_FIFO = 0, MKBA_QUEUE_PRIORITY } mkba_queue_rule;

extern const char *const mkba_route_names[MKBA_NROUTES];
extern const char *const mkba_degree_names[MKBA_NDEGREES];
extern const char *const mkba_queue_names[2];

/* A team (or provider) with staff and a caseload norm. */
typedef struct mkba_team {
    char *name;
    uint32_t domains;          /* bitmask of the domains it treats */
    mkba_queue_rule queue;
    int payer, category;       /* who pays its costs (the first when shared); category */
    int npayers;               /* payers sharing its costs, 1 to 8 */
    int payer_of[8];
    double payer_share[8];     /* shares summing to 1 */
    /* value indices */
    int fte;                   /* staff, full-time equivalents, for `population` */
    int caseload;              /* households in care per FTE at a time (> 0) */
    int cost_per_fte;          /* per FTE per year */
    int intake_cost;           /* per admission */
    int improve_hr;            /* hazard ratio on improving moves in care (>= 0) */
    int worsen_hr;             /* hazard ratio on worsening moves in care (>= 0) */
    /* The same by severity level of the domain's state: element i for
     * level i + 1 (the last for all above); [0] is improve_hr / worsen_hr.
     * One element when the scenario gives a single value. */
    int nimprove, nworsen;
    int improve_by_level[8], worsen_by_level[8];
    /* Hazard ratios for single domains (improve_hr_by_domain,
     * worsen_hr_by_domain), a value or a list by severity level as above:
     * in the domains of the masks they replace the team's ratios. */
    uint32_t improve_domains, worsen_domains;
    int nimprove_domain[MKBA_MAX_DOMAINS], nworsen_domain[MKBA_MAX_DOMAINS];
    int improve_by_domain[MKBA_MAX_DOMAINS][8], worsen_by_domain[MKBA_MAX_DOMAINS][8];
    int episode_years;         /* longest episode of care (> 0) */
    int turnover;              /* staff turnover per year, share */
    int turnover_loss;         /* effectiveness lost per unit of turnover */
    int handover_cost;         /* per household in care handed over */
    /* Caseload and quality: above caseload_norm households per FTE the
     * effectiveness is divided by 1 + caseload_slope x (caseload / norm
     * - 1); -1 without a norm. */
    int caseload_norm, caseload_slope;
    char *path, *file;
    int line;
} mkba_team;

/* One entry of a pathway's `substitution` list: in state `state` of
 * `domain` a household in the care of one of the arm's own teams, with the
 * domain in its plan, has the share `share` of the help cost rule
 * `cost_rule` buys given by the team instead, which takes `places` team
 * places per household at share 1 (so share x places in all). */
typedef struct mkba_substitute {
    int domain, state, cost_rule;
    int share, places;         /* value indices */
} mkba_substitute;
#define MKBA_MAX_SUBSTITUTE 4

/* One arm's route. */
typedef struct mkba_pathway {
    mkba_route_rule rule;
    mkba_degree degree;
    int team;                  /* A, C (front post), D, makelpunt (broker), one-stop; -1 */
    int nspecific, specific[MKBA_MAX_TEAMS]; /* model B teams, in triage order */
    /* Model B triage criteria, tried in order before the presenting
     * domain: a household with domain triage_domain at severity >=
     * triage_min goes to triage_team. */
    int ntriage;
    int triage_team[MKBA_MAX_TEAMS], triage_domain[MKBA_MAX_TEAMS];
    double triage_min[MKBA_MAX_TEAMS];
    /* A multi-problem criterion (triage_domain -1): at least this many
     * domains at severity >= triage_min; 0 for a domain criterion. */
    int triage_min_domains[MKBA_MAX_TEAMS];
    int provider[MKBA_MAX_DOMAINS];         /* classic provider of each domain, or -1 */
    uint32_t teams_used;       /* every team the arm runs (bitmask) */
    uint32_t own_teams;        /* the teams it sets up itself: team and teams */
    int payer;                 /* payer of the pathway's own costs, or -1 */
    int min_domains;           /* model D: domains at or above min_severity */
    double min_severity;
    double refer_above;        /* model C: severity above which the front post refers */
    int shared_ict;
    /* classic_access: the arm whose route's access (stigma, outreach,
     * awareness) the households the rule's team would not take keep; -1:
     * everyone has this pathway's access. */
    int classic_access;
    /* A mixed arm: the share of the households on the integrated route
     * (value index; -1: all of them); the others take the classic route
     * with classic_access's access. */
    int integrated_share;
    /* value indices */
    int stigma, outreach, awareness_start, awareness_years;
    int detect, coordination, wait_escalation, wait_effect;
    int self_share, self_cap;
    /* Informal care a problem solved by own strength or network costs
     * (self_reliance.informal_care, per resolution) and who bears it;
     * -1 without it. */
    int informal_care, informal_payer, informal_category;
    int maturity_start, maturity_years, efficiency_start, efficiency_years;
    int friction, friction_years;
    /* Start-up and secondment (scenario_startup.c), value indices, -1
     * without them: the own teams' effect builds up linearly over
     * ramp_years; friction_lasting of the friction stays after
     * friction_years; the old structure costs double_running of the own
     * teams' staff cost on top for double_running_years; seconded staff
     * cost secondment of it for ever. */
    int ramp_years, friction_lasting, double_running, double_running_years, secondment;
    int investment, recurring, co_location, duplicate_registration;
    int ict_investment, ict_running; /* shared ICT's costs; -1 without shared ICT */
    /* Elements of integration (integration group, scenario_integration.c):
     * with the group (integration = 1) the front office (a shared counter
     * and location), shared ICT and pooled budgets follow the degree unless
     * the arm sets them; value indices are -1 where they do not apply. */
    int integration, front_office, pooled_budgets;
    int coordination_weight;          /* -1: services.degree_weights */
    int front_office_investment;      /* the counter's fit-out, once */
    int pooling_investment, pooling_running; /* pooled budgets' costs */
    /* Unpooled budgets: the own teams give shift less of the help they
     * would buy (-1 without a substitution list), and the help bought for
     * their households is used 1 + second_line times. The weaker joint
     * plan is the degree's weight (docs/model.md). */
    int unpooled_shift, unpooled_second_line;
    /* Take-up of entitlements (take_up): a household entitled while
     * domain take_up_domain is at severity >= take_up_min; the arm's own
     * teams that treat the domain get a share of the non-claimers to
     * claim; the amount per year is a transfer from take_up_payer to
     * take_up_recipient. take_up_domain is -1 without it. */
    int take_up_domain, take_up_payer, take_up_recipient, take_up_category;
    int take_up_wage_indexed; /* budget view: at the wage index (index = "wage") */
    double take_up_min;
    int take_up_non, take_up_claims, take_up_amount; /* value indices */
    int quick_scan_share, quick_scan_cost, home_visit_cost;
    /* Relapse after self-reliance (self_reliance.relapse): rate per year at
     * which a problem the household's own network solved comes back;
     * value index, -1 without it. */
    int relapse;
    /* Referral substitution (substitution, scenario_substitution.c): the
     * arm's own teams give part of the help bought in a state themselves,
     * for the households in their care with that domain in their plan. */
    int nsubstitute;
    mkba_substitute substitute[MKBA_MAX_SUBSTITUTE];
    char *path, *file;
    int line;
} mkba_pathway;

/* A range a drawn value must lie in, checked per draw and arm (fixed
 * values are also checked when loading). */
typedef struct mkba_bound {
    int value;                 /* value index */
    double lo, hi;
    int lo_open;               /* lo itself is out of range */
    char *where;               /* "FILE:LINE: PATH" */
    const char *expect;        /* what the range means, for the message */
    int switching;             /* checked only for the arms that switch model, the
                                  ones that pay it (services.dismantling) */
} mkba_bound;

typedef struct mkba_services {
    int enabled;
    int population;            /* value index: households the teams serve */
    int dismantling;           /* value index: the one-off cost of dismantling
                                  the reference's teams, which every arm that
                                  switches model (mkba_services_switches) pays
                                  at the start; -1 without */
    double degree_weight[MKBA_NDEGREES];
    int nseek;                 /* seek_rate[i]: severity level i + 1 and above */
    int seek_rate[8];          /* value indices, help-seeking rate per year */
    size_t nteams;
    mkba_team team[MKBA_MAX_TEAMS];
    mkba_pathway pathway[MKBA_MAX_ARMS];  /* per arm */
    size_t nbounds;
    mkba_bound *bound;
    char *file;                /* where the services group is, for messages */
    int line;
} mkba_services;

/* Whether arm `arm` switches model against the reference: it is not the
 * reference and runs another pathway rule or other teams, or leaves or
 * takes the classic route (degree none: the same rule and teams without
 * integration are another model, review final11 M1), so it dismantles the
 * reference's teams (services.dismantling). */
static inline int mkba_services_switches(const mkba_services *sv, int reference, size_t arm)
{
    const mkba_pathway *a = &sv->pathway[arm], *r = &sv->pathway[reference];
    return (int)arm != reference
           && (a->rule != r->rule || a->teams_used != r->teams_used
               || (a->degree == MKBA_DEGREE_NONE) != (r->degree == MKBA_DEGREE_NONE));
}

/* Whether arm `arm` sets up another model than the reference's: it
 * switches model, or keeps the rule and teams at another degree of
 * integration (an upgrade from partial to full, say): it pays its
 * pathway's one-off investment (docs/decision.md, "The reference arm").
 * The other one-off costs follow mkba_services_switches: the old
 * structure's double running, the dismantling, and the set-up of shared
 * ICT, a front office and pooled budgets the reference has (one it lacks
 * is set up by any arm that adds it, mkba_services_sets_up). An arm that
 * keeps the reference's model whole (e.g. model B with more staff) pays
 * none of them: its teams are the reference's, in place; it pays what its
 * overrides change (the staff). */
static inline int mkba_services_changes_model(const mkba_services *sv, int reference,
                                              size_t arm)
{
    const mkba_pathway *a = &sv->pathway[arm], *r = &sv->pathway[reference];
    return mkba_services_switches(sv, reference, arm)
           || ((int)arm != reference && a->degree != r->degree);
}

/* Whether an arm that has an element (shared ICT, a front office, pooled
 * budgets) pays its one-off set-up: when it switches model, or when the
 * reference does not have the element (the arm adds it to the model it
 * keeps). */
static inline int mkba_services_sets_up(int switches, int reference_has)
{
    return switches || !reference_has;
}

#endif
