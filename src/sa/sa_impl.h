/* What the sensitivity methods share (src/sa/): the run's settings, the
 * factors and outcomes, and the evaluation of a design's points into an
 * outcome table. Each method is one file, listed once in sa.c. */
#ifndef MKBA_SA_SA_IMPL_H
#define MKBA_SA_SA_IMPL_H

#include <stddef.h>
#include "mkba/sa.h"
#include "model/model.h"
#include "study/study.h"
#include "io/h5out.h"
#include "sa/factor.h"
#include "sa/outcome.h"

typedef struct mkba_sa {
    const mkba_model *m;
    const mkba_sa_options *o;
    mkba_study_options so;     /* households, seed, threads, progress */
    mkba_sa_outcomes *out;
    size_t nout, narms;
    mkba_sa_factors *fs;       /* NULL for methods without factors */
    int outcome;               /* the outcome a method reports */
    int arm, versus;           /* arms named by --arm and --versus, or -1 */
    /* Filled by mkba_sa_evaluate: outcomes per point, [point][arm][outcome],
     * and with batches the linear outcomes per batch,
     * [point][batch][arm][outcome], and the batch sizes [point][batch]. */
    size_t npoints, nbatches;  /* nbatches: the stride (MKBA_RESULT_BATCHES) */
    size_t nbatches_used;      /* batches a point's households fill (docs/output.md) */
    int keep_batches;
    double *y, *batch, *households;
    /* With x set, mkba_sa_evaluate also keeps each point's factor values
     * as drawn, x[point][factor] (PSA designs: the factors' draws). */
    double *x;
    int (*finish)(struct mkba_sa *s, const char *tmp, mkba_error *err);
    void *method;              /* the running method's own state */
} mkba_sa;

/* The most grid points a sweep evaluates, and points any design has. */
#define MKBA_SA_MAX_SWEEP_POINTS 100000
#define MKBA_SA_MAX_DESIGN_POINTS 10000000

/* MKBA_OK when a design of n units of `per` points each stays within
 * MKBA_SA_MAX_DESIGN_POINTS; else an error naming option and n. */
int mkba_sa_design_size(const char *option, size_t n, size_t per, mkba_error *err);

/* Puts "prefix: " before err's message (keeping its code); returns it. */
int mkba_sa_prefix_error(mkba_error *err, const char *prefix);

/* Evaluates every point of d into s->y (and batches when s->keep_batches).
 * With output set, the study writes the result file (draws only when
 * store_draws) and calls finish(s, tmp_path, err) before committing it. */
int mkba_sa_evaluate(mkba_sa *s, const mkba_design *d, const char *output, int store_draws,
                     int (*finish)(mkba_sa *s, const char *tmp, mkba_error *err),
                     mkba_error *err);

/* Runs a PSA of --draws draws (at least min_draws) into o->output, after
 * check (may be NULL) has looked at the factors and the draw count,
 * keeping each draw's outcomes in s->y and its factor values in s->x (the
 * factors of --factors, default every parameter with a distribution), and
 * calls finish before the commit. The file holds the PSA's /draws and
 * /analysis as mkba run writes them. */
int mkba_sa_psa(mkba_sa *s, const char *what, long min_draws,
                int (*check)(mkba_sa *s, long draws, mkba_error *err),
                int (*finish)(mkba_sa *s, const char *tmp, mkba_error *err), mkba_error *err);

/* Evaluates the points u[npoints][factor] of the unit cube, each factor
 * at mkba_sa_factor_at(u), the other parameters at base, all on the
 * households of --draw; the file keeps no draws. For sobol and morris. */
int mkba_sa_unit_design(mkba_sa *s, const double *u, size_t npoints,
                        int (*finish)(mkba_sa *s, const char *tmp, mkba_error *err),
                        mkba_error *err);

/* The factor values of unit points u, [npoints][factor] (mkba_free);
 * NULL when out of memory. */
double *mkba_sa_unit_values(const mkba_sa *s, const double *u, size_t npoints);

/* The outcome column y[point] of arm a (the chosen outcome) into out. */
void mkba_sa_column(const mkba_sa *s, size_t a, double *out);

/* The same on the PSA draws of the result file o->from, which the
 * scenario must have written (its parameters and arms): no model runs;
 * the output is a copy of that file with /sa added. */
int mkba_sa_psa_from(mkba_sa *s, const char *what, long min_draws,
                     int (*check)(mkba_sa *s, long draws, mkba_error *err),
                     int (*finish)(mkba_sa *s, const char *tmp, mkba_error *err),
                     mkba_error *err);

/* The factors' values x[factor] in a draw's parameters [arm][param]: an
 * override's in its arm, a definition's in the first arm using it. */
void mkba_sa_factor_values(const mkba_sa *s, const double *params, double *x);

/* Writes the groups every sa file has: /sa with its attributes (method,
 * outcome, arms), /sa/factor, /sa/factor_range, /sa/factor_base and
 * /sa/outcome, /sa/outcome_units; `values` [npoints][nfactors] (NULL:
 * none) and the outcome table of the evaluated points. */
int mkba_sa_store_common(const mkba_sa *s, mkba_h5_store *st, const double *values,
                         mkba_error *err);

/* A design with every point at the base case on the household random
 * numbers of draw o->draw, rows set by the method through fn. */
mkba_design *mkba_sa_design(const mkba_sa *s, size_t npoints, mkba_design_row_fn fn,
                            void *user, mkba_error *err);

/* Fixes the --set values of s->o in d; frees d and returns NULL (err set)
 * when one is refused. Returns d (NULL for NULL). */
mkba_design *mkba_sa_design_fix(const mkba_sa *s, mkba_design *d, mkba_error *err);

/* The Monte Carlo standard error, by batch means on common households, of
 * outcome k of arm aq at point q minus that of arm ap at point p; NaN for
 * an outcome that is not a household mean. Needs keep_batches. */
double mkba_sa_diff_mcse(const mkba_sa *s, size_t p, size_t ap, size_t q, size_t aq, size_t k);

/* MKBA_OK when the chosen outcome suits the method: a mean over households
 * (linear in the batch totals), or with npv_only an NPV; else an error
 * naming --outcome, `why` the method needs it. */
int mkba_sa_need_outcome(const mkba_sa *s, int npv_only, const char *why, mkba_error *err);

/* The outcome of arm a at point i (against the reference). */
static inline double mkba_sa_y(const mkba_sa *s, size_t i, size_t a, size_t k)
{
    return s->y[(i * s->narms + a) * s->nout + k];
}

/* Each method: runs and stores its results (src/sa/METHOD.c). */
int mkba_sa_tornado(mkba_sa *s, mkba_error *err);
int mkba_sa_threshold(mkba_sa *s, mkba_error *err);
int mkba_sa_sweep(mkba_sa *s, mkba_error *err);
int mkba_sa_sobol(mkba_sa *s, mkba_error *err);
int mkba_sa_morris(mkba_sa *s, mkba_error *err);
int mkba_sa_evppi(mkba_sa *s, mkba_error *err);
int mkba_sa_prim(mkba_sa *s, mkba_error *err);
int mkba_sa_believe(mkba_sa *s, mkba_error *err);

#endif
