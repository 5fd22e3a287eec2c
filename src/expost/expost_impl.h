/* What the ex-post files share (src/expost/): the model's value of every
 * observation in every ex-ante draw (metric.c), the predictive
 * distribution and likelihood of an observation given those values
 * (predict.c), and the update by sampling importance resampling
 * (update.c). expost.c drives them and stores /expost. */
#ifndef MKBA_EXPOST_EXPOST_IMPL_H
#define MKBA_EXPOST_EXPOST_IMPL_H

#include <stddef.h>
#include "expost/observed.h"
#include "io/h5out.h"
#include "study/study.h"

/* The model's value of each observation in each draw, in the
 * observation's unit (per 1000 households for counts):
 * mu[observation][draw]; NaN when the draw has none (a mean wait in a
 * year without admissions). Reads what it needs from the result file at
 * path (its totals t, and /draws/occupancy for the occupancy metrics).
 * Returns NULL with err set. */
double *mkba_expost_model_values(const char *path, const mkba_h5_totals *t,
                                 const mkba_model *m, const mkba_observed *obs,
                                 mkba_error *err);

/* The year-to-date Monte Carlo errors the spending likelihood rests on. */
#define MKBA_EXPOST_NOISE_DATASET "/draws/mcse/cost_year_to_date"

/* Sets every observation's var_linear and var_share (observed.h) by its
 * metric's noise rule (MKBA_EXPOST_METRICS), for a figure with a normal
 * likelihood, times (1 + H/n), H the simulated households, n the figure's
 * (H/n left out without n): a count's Poisson or binomial variance at H,
 * exact at any mu; else kappa, a pooled share sum_d V_d / sum_d mu_d^2 of
 * the draws' Monte Carlo variances V_d in their squared model values
 * mu[observation][draw]. V_d: for spending the squared year-to-date error
 * of the payer's cost (MKBA_EXPOST_NOISE_DATASET at the year's last cycle;
 * a file without it is an error); for a mean wait or a waiting list the
 * queue's random walk. 0 for reached, for counts without se and in cohort
 * runs. */
int mkba_expost_model_noise(const char *path, const mkba_h5_totals *t, mkba_observed *obs,
                            const double *mu, mkba_error *err);

/* Refuses (naming --from file and the figure's line) a file without a
 * /draws dataset one of the figures needs: one written by an older mkba. */
int mkba_expost_check_datasets(const char *file, const mkba_observed *obs, mkba_error *err);

/* The updated parameters: every parameter with a distribution, as the
 * scenario defines it (in the first arm that does not override it) and
 * as each arm overriding it with a distribution. */
typedef struct mkba_expost_updated {
    size_t n;
    char **name;
    size_t *param, *arm;
} mkba_expost_updated;
int mkba_expost_updated_list(const mkba_model *m, mkba_expost_updated *u, mkba_error *err);
void mkba_expost_updated_free(mkba_expost_updated *u);

/* /draws/parameters of the result file at path, [draw][arm][param] of nd
 * draws (mkba_free), or NULL with err set. */
double *mkba_expost_read_parameters(const char *path, const mkba_model *m, size_t nd,
                                    mkba_error *err);

/* The statistics of one observation in a predictive distribution. */
enum {
    MKBA_PRED_MEAN = 0, MKBA_PRED_SD, MKBA_PRED_P05, MKBA_PRED_P25, MKBA_PRED_P50,
    MKBA_PRED_P75, MKBA_PRED_P95, MKBA_PRED_PERCENTILE, MKBA_PRED_Z, MKBA_PRED_TAIL,
    MKBA_PRED_N
};

/* Columns of /expost/update, /expost/calibration and
 * /expost/parameter_summary, and the bins of /expost/pit. */
enum { MKBA_UP_DRAWS = 0, MKBA_UP_ESS, MKBA_UP_ESS_THRESHOLD, MKBA_UP_LOG_ML,
       MKBA_UP_MAX_WEIGHT, MKBA_UP_CONFLICTS, MKBA_UP_ESS_LOW, MKBA_UP_REFINED,
       MKBA_UP_EVALUATIONS, MKBA_UP_FINAL_PHI, MKBA_UP_DISTINCT_DRAWS,
       MKBA_UP_FREE_COORDINATES, MKBA_UP_OTHER_SPREAD, MKBA_UP_N };
enum { MKBA_CAL_INSIDE_50 = 0, MKBA_CAL_INSIDE_90, MKBA_CAL_CONFLICTS, MKBA_CAL_N };
enum { MKBA_PS_PRIOR_MEAN = 0, MKBA_PS_PRIOR_P05, MKBA_PS_PRIOR_P95, MKBA_PS_POST_MEAN,
       MKBA_PS_POST_P05, MKBA_PS_POST_P95, MKBA_PS_NARROWING, MKBA_PS_DISTINCT,
       MKBA_PS_POST_P25, MKBA_PS_POST_P75, MKBA_PS_N };
#define MKBA_PIT_BINS 10
/* Fewer distinct points than this in the posterior sample: its intervals
 * are too narrow; a parameter with fewer distinct values than this is
 * "not updated" rather than narrowed (docs/expost.md, "How to read"). */
#define MKBA_EXPOST_MIN_DISTINCT 20
/* A refined sample whose normal scores outside the refined walk that are
 * not redrawn from the prior (informed or unsure) kept a mean sd below
 * this (the prior's: 1) collapsed onto its few ancestors or is narrowed by
 * the data; the report warns that its intervals may be too narrow. */
#define MKBA_EXPOST_MIN_OTHER_SPREAD 0.8
/* With --no-refine, an effective sample size below this (about one draw)
 * fails the run unless --accept-partial is given. */
#define MKBA_EXPOST_MIN_ESS_UNREFINED 2.0

/* Where an observation falls: inside the 50% interval, outside it but
 * inside the 90%, outside the 90%, or a prior-data conflict (two-sided
 * tail probability below the conflict level). */
enum { MKBA_FLAG_INSIDE_50 = 0, MKBA_FLAG_OUTSIDE_50, MKBA_FLAG_OUTSIDE_90,
       MKBA_FLAG_CONFLICT };

/* The predictive distribution of observation o: the mixture over draws d
 * with weights w[d] (NULL: equal) of its observation model at the model
 * value mu[d] (Poisson or binomial counts at o->n households, or normal
 * with o->se): parameter uncertainty plus household noise. Fills
 * stat[MKBA_PRED_N] (percentile: the mid-p predictive CDF at the observed
 * value, 0..1; tail: twice the smaller tail). */
void mkba_expost_predictive(const mkba_observation *o, const double *mu, const double *w,
                            size_t ndraws, double *stat);

/* The Monte Carlo variance a draw with value mu adds to a normal figure's
 * se^2: o->var_linear mu + o->var_share mu^2, never below 0. */
double mkba_expost_model_variance(const mkba_observation *o, double mu);

/* log p(o->value | mu) under o's likelihood (-inf when impossible, also
 * for mu NaN): counts at o->n_lik households, a normal figure with
 * variance se^2 + mkba_expost_model_variance(o, mu). */
double mkba_expost_loglik(const mkba_observation *o, double mu);

/* The flag of a predictive statistic block (MKBA_FLAG_*). */
int mkba_expost_flag(const mkba_observation *o, const double *stat, double conflict_level);

/* Normalised importance weights w[d] from log-weights lw[d]; returns the
 * effective sample size (sum w)^2 / sum w^2 and *log_ml the log of the
 * mean likelihood (the marginal likelihood's estimate); 0 when every
 * log-weight is -inf (then w is all 0). */
double mkba_expost_weights(const double *lw, size_t n, double *w, double *log_ml);

/* Systematic resampling: n indices into the draws, draw d taken about
 * n w[d] times, with the one uniform u in [0, 1). */
void mkba_expost_resample(const double *w, size_t n, double u, long *index);

/* The weighted p-quantile of x[0..n) with weights w (NULL: equal): the
 * smallest value whose cumulative weight reaches p; scratch holds n
 * pairs. NaN values and zero weights are skipped. */
typedef struct mkba_expost_pair {
    double value, weight;
} mkba_expost_pair;
double mkba_expost_quantile(const double *x, const double *w, size_t n, double p,
                            mkba_expost_pair *scratch);

/* Totals whose per-draw arrays the decision analyses read are rows of t
 * taken in the order index[0..t->ndraws): the posterior sample. Shares
 * the labels and settings of t; free with mkba_expost_totals_free. */
mkba_h5_totals *mkba_expost_totals_resampled(const mkba_h5_totals *t, const long *index,
                                             mkba_error *err);
void mkba_expost_totals_free(mkba_h5_totals *r);

/* The sequential refinement (refine.c): tempered SMC with resample-move
 * over every uncertain parameter (a tuned random walk on the refined
 * ones), started from the PSA draws. */
typedef struct mkba_expost_refine_input {
    const mkba_model *m;
    const mkba_observed *obs;
    size_t ndraws;             /* particles: the PSA draws */
    const double *params;      /* [draw][arm][param] of the PSA */
    const double *loglik;      /* [draw] log-likelihood of all observations */
    mkba_study_options study;  /* households, seed, threads, stop */
    const char *scratch;       /* result file each evaluation writes; the
                                  final particles' at the end */
    long moves;                /* Metropolis-Hastings steps per stage */
    long max_stages;
    long max_repeats;          /* decorrelation repeats per stage, both walks
                                  together (0: none) */
    const char *names;         /* the refined parameters, comma-separated, or NULL:
                                  the max_refined most informative */
    long max_refined;
} mkba_expost_refine_input;

typedef struct mkba_expost_refine_result {
    size_t nstages;
    /* Per stage: temperature reached, ESS of its incremental weights, and
     * the acceptance rates of the random walk on the refined parameters,
     * of the one on every other uncertain parameter, and of the draw swap. */
    double *phi, *ess, *acceptance, *other_acceptance, *swap_acceptance;
    double final_phi;          /* 1 unless max_stages stopped it */
    /* Per stage and walk (MKBA_WALK_REFINED, MKBA_WALK_OTHER): the
     * decorrelation repeats the walk ran after the stage's moves, and how
     * far its scores had decorrelated at the stage's end, as a share of
     * the target (1: reached; NaN: the walk had no step among the moves or
     * no score to decorrelate). [stage][walk]. */
    int *repeats;
    double *decorrelation;
    uint32_t *draw;            /* [ndraws] the final particles' draw numbers */
    size_t nparameters;
    size_t *parameter;         /* the refined parameters (indices into the table) */
    unsigned char *reach;      /* [parameter of the table] 1 when some observed figure
                                  can depend on it, by the model's structure; 0: free */
    size_t coordinates;        /* normal scores moved: every uncertain parameter */
    size_t evaluations;        /* model evaluations (points) */
    size_t kept;               /* distinct ex-ante draws the final particles descend
                                  from, through every stage's resampling */
    size_t free_coordinates;   /* normal scores labelled free: by the model's
                                  structure no observed figure can depend on them
                                  (redrawn from the prior) */
    double other_spread;       /* the mean sd over the final particles of the other
                                  scores outside the refined walk (the
                                  prior's: 1; low: collapsed or informed; NaN when
                                  none) */
} mkba_expost_refine_result;

/* The walks of /expost/refine/repeats and decorrelation. */
enum { MKBA_WALK_REFINED = 0, MKBA_WALK_OTHER, MKBA_WALKS };

/* The default --max-repeats: this many times --moves. */
#define MKBA_EXPOST_REPEATS_PER_MOVE 3
/* /expost/refine's attribute repeat_rule: the walk whose criterion ends a
 * stage's repeats. Written with /expost/refine/repeats and decorrelation
 * since they exist; a file with repeats and without it is damaged. */
#define MKBA_EXPOST_REPEAT_RULE "refined walk"

/* Whether parameter k can be refined: a univariate distribution of its
 * own (normal, lognormal, gamma, beta, uniform, triangular, PERT) outside
 * any correlation, defined for at least one arm. */
int mkba_expost_refinable(const mkba_model *m, size_t k);

/* Checks the --refine-parameters list names (each a refinable parameter
 * of m, named once) before anything runs. */
int mkba_expost_refine_check(const mkba_model *m, const char *names, mkba_error *err);

/* Runs the refinement; on success the scratch file holds the final
 * particles (the posterior sample) as a points study's draws. */
int mkba_expost_refine(const mkba_expost_refine_input *in, mkba_expost_refine_result *out,
                       mkba_error *err);
void mkba_expost_refine_result_free(mkba_expost_refine_result *r);

#endif
