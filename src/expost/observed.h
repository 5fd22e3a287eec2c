/* Observed monitoring data and the metrics a municipality records.
 *
 * The metrics are listed once (MKBA_EXPOST_METRICS): each has a name used in
 * the CSV file, the unit of its `value`, the extra column it needs (a
 * domain, a domain state, a team or a payer), whether the model's services
 * must be on, its default likelihood, the Monte Carlo noise rule of its
 * likelihood when se is given, and its model counterpart (a function
 * in metric.c computing the model's value of one row in one draw) and its
 * observation rule (true count, or recorded through the arm's detection).
 * docs/expost.md lists every metric (tests/unit/test_expost_observed.c
 * checks it does). */
#ifndef MKBA_EXPOST_OBSERVED_H
#define MKBA_EXPOST_OBSERVED_H

#include <stddef.h>
#include <stdio.h>
#include "mkba/expost.h"
#include "model/model.h"

/* The column a metric needs besides year, arm and value. */
typedef enum mkba_expost_key {
    MKBA_KEY_NONE = 0,         /* domain, team and payer must be empty */
    MKBA_KEY_DOMAIN,           /* domain: a domain name */
    MKBA_KEY_DOMAIN_OPTIONAL,  /* domain: a domain name, or empty for all domains */
    MKBA_KEY_STATE,            /* domain: DOMAIN/STATE, or DOMAIN/STATE+ (that state
                                  and every later one) */
    MKBA_KEY_TEAM_OPTIONAL,    /* team: a team name, or empty for all teams */
    MKBA_KEY_PAYER,            /* payer: a payer name */
    MKBA_KEY_BUDGET_LINE       /* fund or taakveld, or both: a line of the scenario's
                                  budget view (population.budget_lines) */
} mkba_expost_key;

/* How an observed value arises from the model's value mu (per household,
 * or the metric's own unit), with n households and standard error se. */
typedef enum mkba_expost_likelihood {
    MKBA_LIK_POISSON = 0,      /* count k = value n / 1000 ~ Poisson(n mu) */
    MKBA_LIK_BINOMIAL,         /* count k = value n / 1000 ~ Binomial(n, mu) */
    MKBA_LIK_NORMAL            /* value ~ Normal(model value, se^2) */
} mkba_expost_likelihood;

/* The Monte Carlo noise a simulated draw's value carries, which the
 * likelihood adds to se^2 when a figure has a normal likelihood (metric.c,
 * docs/expost.md "The model's Monte Carlo noise"). */
typedef enum mkba_expost_noise {
    MKBA_NOISE_HOUSEHOLDS = 0, /* independent households: the Poisson (events) or
                                  binomial (occupancy) variance at H, exact at mu */
    MKBA_NOISE_QUEUE_WAIT,     /* the queue's random walk (Little's law), pooled */
    MKBA_NOISE_QUEUE_STOCK,    /* the same walk at the year's last cycle, pooled */
    MKBA_NOISE_BATCHES,        /* the engine's batch-means errors, pooled */
    MKBA_NOISE_NONE,           /* capped by the places: se alone */
    MKBA_NOISE_N
} mkba_expost_noise;

/* X(ID, name, unit, key, services, money, likelihood, noise, counterpart, rule):
 * money is 1 for a figure in money (it may be negative: transfers), whose
 * rows of one year and arm must not share a payer. */
#define MKBA_EXPOST_METRICS(X)                                                              \
    X(REACHED, "reached", "per 1000 households per year", MKBA_KEY_NONE, 1, 0,             \
      MKBA_LIK_POISSON, MKBA_NOISE_NONE, "/draws/services/reached summed over the year's cycles",          \
      "true count: every admission to a team or provider is registered")                   \
    X(REGISTERED, "registered_problems", "per 1000 households per year",                  \
      MKBA_KEY_DOMAIN_OPTIONAL, 1, 0, MKBA_LIK_POISSON, MKBA_NOISE_HOUSEHOLDS,               \
      "/draws/services/registered summed over the year's cycles, of the domain or over "  \
      "every domain",                                                                       \
      "recorded: the question asked plus the problems found at intake through the arm's "  \
      "detection; rises when detection rises even when true problems fall")               \
    X(WAITING, "waiting_list", "per 1000 households at the end of the year",               \
      MKBA_KEY_TEAM_OPTIONAL, 1, 0, MKBA_LIK_POISSON, MKBA_NOISE_QUEUE_STOCK,              \
      "/draws/services/queue (or team_queue for a team) in the year's last cycle",        \
      "true count: the team's own waiting list")                                           \
    X(MEAN_WAIT, "mean_wait", "years", MKBA_KEY_TEAM_OPTIONAL, 1, 0, MKBA_LIK_NORMAL,      \
      MKBA_NOISE_QUEUE_WAIT,                                                                \
      "/draws/services/mean_wait (or team_mean_wait for a team) averaged over the year's " \
      "cycles, weighted by admissions (reached, or team_reached)",                         \
      "true: the registered waiting time of the households admitted in the year")         \
    X(ESCALATIONS, "escalations", "per 1000 households per year", MKBA_KEY_DOMAIN, 0, 0,   \
      MKBA_LIK_POISSON, MKBA_NOISE_HOUSEHOLDS, "/draws/escalations of the domain summed over the year's cycles",  \
      "true count: every entry into second-line care (youth placement, eviction, debt "    \
      "restructuring, specialist mental-health care, detention) is registered by its "     \
      "provider, whatever the team detects")                                              \
    X(IN_STATE, "in_state", "per 1000 households at the end of the year", MKBA_KEY_STATE,  \
      0, 0, MKBA_LIK_BINOMIAL, MKBA_NOISE_HOUSEHOLDS, "/draws/occupancy of the state(s) at the year's end",       \
      "true count from a register (e.g. households on bijstand: work_income/medium+)")    \
    X(WITH_PROBLEM, "with_problem", "per 1000 households at the end of the year",          \
      MKBA_KEY_DOMAIN, 0, 0, MKBA_LIK_BINOMIAL, MKBA_NOISE_HOUSEHOLDS,                     \
      "/draws/occupancy of every state of the domain but the first, at the year's end",    \
      "true: households with a problem in the domain, from a survey or panel, not from "   \
      "the teams' registration")                                                           \
    X(SPENDING, "spending", "money per household per year", MKBA_KEY_PAYER, 0, 1,          \
      MKBA_LIK_NORMAL, MKBA_NOISE_BATCHES, "/draws/cost of the payer, undiscounted, summed over the year's "  \
      "cycles", "true: the payer's budget account (Wmo, Jeugdwet, Participatiewet, "      \
      "schuldhulp) divided by the households it covers")                                   \
    X(BUDGET, "budget", "money per calendar year for the whole target group, in that "    \
      "year's prices", MKBA_KEY_BUDGET_LINE, 0, 1, MKBA_LIK_NORMAL, MKBA_NOISE_BATCHES,     \
      "the budget view's nominal money (/draws/budget/cost x population at the year's "    \
      "price and wage levels) summed over the payers the scenario's budget_lines put on "  \
      "the fund, the taakveld, or both",                                                   \
      "true: the fund's or taakveld's realised spending in the annual accounts "          \
      "(jaarrekening), the target group's part")

typedef enum mkba_expost_metric {
#define MKBA_EXPOST_ENUM_(id, name, unit, key, svc, money, lik, noise, counterpart, rule) \
    MKBA_METRIC_##id,
    MKBA_EXPOST_METRICS(MKBA_EXPOST_ENUM_)
#undef MKBA_EXPOST_ENUM_
    MKBA_METRIC_N
} mkba_expost_metric;

typedef struct mkba_expost_metric_def {
    const char *name, *unit;
    mkba_expost_key key;
    int services;
    int money;
    mkba_expost_likelihood likelihood;
    mkba_expost_noise noise;
    const char *counterpart, *rule;
} mkba_expost_metric_def;

extern const mkba_expost_metric_def mkba_expost_metrics[MKBA_METRIC_N];

/* One observed figure. */
/* The largest count (value n / 1000) a count figure may have: far above
 * any municipality's, and exact in double. */
#define MKBA_EXPOST_MAX_COUNT 1e9

typedef struct mkba_observation {
    int year;                  /* 1 = the first year of the horizon */
    int arm;
    mkba_expost_metric metric;
    double value;
    double n;                  /* households the figure covers (<= 1e9); NaN: not given */
    double se;                 /* its standard error; NaN: not given */
    /* The households of the count likelihood (not of the predictive): n,
     * or with H simulated households per draw n H / (n + H), a synthetic
     * likelihood that treats the draw's value as an estimate with the
     * model's household noise (docs/expost.md; expost.c sets it, the
     * reader sets n). */
    double n_lik;
    /* The same for a normal figure: the model's Monte Carlo variance of a
     * draw's value mu, var_linear mu + var_share mu^2 (never below 0), which
     * a draw (or a refinement particle) adds to se^2 in the likelihood
     * only (mkba_expost_model_variance). The metric's noise rule
     * (MKBA_EXPOST_METRICS) sets them, times (1 + H/n): H the simulated
     * households per draw, H/n the observed population's own household
     * noise when n is given. A count given with se: its Poisson
     * (var_linear 1000/H) or binomial (also var_share -1/H) variance at
     * H, exact at every mu; a mean wait, a waiting list and spending:
     * var_share kappa, kappa the pooled share sum_d V_d / sum_d mu_d^2
     * of the draws' variances V_d (the queue's random walk, or the
     * batch-means errors); reached, counts without se and cohort runs: 0
     * (expost.c sets them, the reader sets 0). */
    double var_linear, var_share;
    int domain;                /* KEY_DOMAIN, KEY_STATE, KEY_DOMAIN_OPTIONAL; else -1 */
    int state_lo, state_hi;    /* KEY_STATE: states [lo, hi] of the domain */
    int team;                  /* KEY_TEAM_OPTIONAL: a team, or -1 for all */
    int payer;                 /* KEY_PAYER; else -1 */
    /* KEY_BUDGET_LINE: a payer whose fund (taakveld) label is the row's
     * fund (taakveld), or -1 when the row names none; payers[p] is 1 for
     * every payer on the row's budget line (the fund's and the taakveld's,
     * both when both are named), NULL for other metrics. */
    int fund, taakveld;
    unsigned char *payers;
    mkba_expost_likelihood likelihood; /* the metric's, or NORMAL when se is given */
    char *label;               /* "escalations youth, arm, year 2" */
    int line;                  /* in the file */
} mkba_observation;

struct mkba_observed {
    char *file;
    size_t n;
    mkba_observation *obs;
};

/* The text of o's key columns as the reader accepts them (empty when the
 * metric has none): the model's own strings, never cut short. */
typedef struct mkba_observation_text {
    const char *domain, *team, *payer, *fund, *taakveld;
    char *state;               /* owned: "DOMAIN/STATE" or "DOMAIN/STATE+" of an
                                  in_state figure (domain points to it), else NULL */
} mkba_observation_text;
/* Fills text for o; MKBA_ENOMEM (text holds nothing to free) when the
 * state text cannot be allocated. */
int mkba_observation_columns(const mkba_model *m, const mkba_observation *o,
                             mkba_observation_text *text);
void mkba_observation_text_free(mkba_observation_text *text);

/* Writes s as one field of the observed-data CSV, in double quotes (a
 * quote doubled) when the reader would otherwise split or trim it: a
 * comma, a quote, blanks at either end, or a leading '#'. */
void mkba_observed_write_field(FILE *f, const char *s);

/* Whether the value of metric k may be negative: the table's money column
 * (transfers). */
int mkba_expost_metric_signed(mkba_expost_metric k);

/* Whether observation o reads payer p's cost (spending of p, or a budget
 * line p is on). */
int mkba_observation_reads_payer(const mkba_observation *o, size_t p);

#endif
