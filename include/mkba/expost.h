/* Ex-post evaluation (docs/expost.md): confront what a municipality
 * observed with the ex-ante predictive distribution of a scenario, update
 * the PSA draws by the likelihood of the data (sampling importance
 * resampling), recompute the decision outputs on the posterior draws, and
 * flag prior-data conflict. Results go to the group /expost of a result
 * file that also holds the ex-ante PSA (docs/output.md). */
#ifndef MKBA_EXPOST_H
#define MKBA_EXPOST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "mkba/mkba.h"

/* Observed monitoring data, read from a CSV file (src/expost/observed.h
 * holds the rows). */
typedef struct mkba_observed mkba_observed;

/* Reads the observed-data CSV text[0..len) (docs/expost.md, "Data
 * format") against scenario m; file_name names it in messages. A pure
 * function of the buffer: no file access. Returns MKBA_OK with *out set
 * (free with mkba_observed_free), or MKBA_EPARSE / MKBA_EINVAL with err
 * naming the file, line and column and what was expected (then *out is
 * NULL), or MKBA_ENOMEM. */
int mkba_observed_parse(const char *text, size_t len, const char *file_name,
                        const mkba_model *m, mkba_observed **out, mkba_error *err);

/* mkba_observed_parse of the file at path. */
int mkba_observed_read(const char *path, const mkba_model *m, mkba_observed **out,
                       mkba_error *err);

void mkba_observed_free(mkba_observed *o);

/* The largest mkba_expost_options.max_repeats (--max-repeats). */
#define MKBA_EXPOST_MAX_REPEATS 10000

typedef struct mkba_expost_options {
    const char *observed;      /* the observed-data CSV file (required) */
    const char *output;        /* result file (required) */
    int force;
    /* The ex-ante PSA: an existing result file of this scenario (mkba
     * run), copied into the output; NULL: run one with draws, households
     * and seed (each < 0 / unset: the scenario's). */
    const char *from;
    long draws, households;
    int seed_set;
    uint64_t seed;
    /* Effective sample size below min_ess_share x draws: the posterior
     * rests on too few draws and is flagged (default 0.1). */
    double min_ess_share;
    /* An observation whose two-sided prior predictive tail probability is
     * below conflict_level is a prior-data conflict (default 0.01). */
    double conflict_level;
    /* With the effective sample size below its threshold, refine by
     * sequential Monte Carlo (docs/expost.md): 1 (default) or 0; `moves`
     * Metropolis-Hastings steps per stage (default 8), at most max_stages
     * stages (default 30), moving every uncertain parameter, with a random
     * walk tuned to the parameters of the comma-separated list
     * refine_parameters or, when NULL, the max_refined (default 10) whose
     * draws correlate most with the likelihood. After a stage's moves the
     * walks repeat until the refined walk's scores have decorrelated from
     * the resampling (with nothing refined, the other walk's), at most
     * max_repeats steps of the two walks together a stage (0 to
     * MKBA_EXPOST_MAX_REPEATS; 0: no repeats; -1, the default: 3 x moves;
     * the refined walk gets about half while the other walk is short). */
    int refine;
    long moves, max_stages, max_refined, max_repeats;
    const char *refine_parameters;
    /* A refinement that stops below temperature 1 (max_stages reached)
     * leaves a tempered sample, not a posterior, and without refinement an
     * effective sample size below 2 leaves about one draw: each an error
     * unless accept_partial is 1 (then the file and report label it so). */
    int accept_partial;
} mkba_expost_options;

void mkba_expost_options_init(mkba_expost_options *o);

/* Runs the ex-post evaluation of m with ctx's allocator, threads and
 * progress, and writes o->output atomically (a temporary file renamed
 * when complete). The observed data are read and checked before any model
 * run; on any error no output file is left behind. */
int mkba_expost_run(const mkba_context *ctx, const mkba_model *m,
                    const mkba_expost_options *o, mkba_error *err);

/* Synthetic observed data (docs/expost.md, "Synthetic data"): the model
 * itself run at known "true" parameter values, its figures drawn through
 * each row's observation model. */
typedef struct mkba_expost_simulate_options {
    /* The rows to fill: an observed-data CSV whose values are ignored
     * (its year, arm, metric, n, se and key columns are kept). */
    const char *template_csv;
    const char *output;        /* the CSV written (atomically) */
    int force;
    long households;           /* of the truth run (< 0: the scenario's) */
    int seed_set;
    uint64_t seed;             /* household noise of the truth run and the draws of
                                  the observed figures */
    /* The true values, as mkba run --set: NAME or NAME@ARM; every other
     * parameter at the base case, or with truth_draw >= 0 at PSA draw
     * truth_draw of the seed (true values drawn from the prior, for a
     * coverage check; the CSV's comment lines then list every uncertain
     * parameter's true value as "# true NAME=VALUE"). */
    long truth_draw;           /* < 0 (default): the base case */
    size_t nset;
    const char *const *set_name;
    const double *set_value;
} mkba_expost_simulate_options;

void mkba_expost_simulate_options_init(mkba_expost_simulate_options *o);

/* Runs the base case of m with the true values (the study layer), takes
 * each template row's model value and draws its observed figure: a count
 * from Poisson(n mu / 1000) or Binomial(n, mu / 1000), a figure with se
 * from Normal(mu, se^2); writes them as a CSV mkba expost reads, with the
 * true values in its comment lines. No file is left on error. */
int mkba_expost_simulate(const mkba_context *ctx, const mkba_model *m,
                         const mkba_expost_simulate_options *o, mkba_error *err);

/* Prints the /expost tables of the result file at path (confrontation,
 * calibration, update, parameters, decisions side by side) to out in
 * `format`. MKBA_EINVAL when the file holds no /expost. */
int mkba_expost_report_write(const mkba_context *ctx, const char *path,
                             mkba_summary_format format, FILE *out, mkba_error *err);

#endif
