/* Sensitivity analysis of a scenario (docs/sensitivity.md): which
 * assumptions drive the answer, how far each may move before the ranking
 * flips, which are worth measuring, and under which conditions an arm pays
 * off. Every method evaluates points of parameter space with the study
 * layer, on common random numbers, and writes its results to the group
 * /sa/METHOD of a result file (docs/output.md). */
#ifndef MKBA_SA_H
#define MKBA_SA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "mkba/mkba.h"

/* The methods, listed once (name, what it does). */
#define MKBA_SA_METHODS(X)                                                              \
    X(TORNADO, "tornado", "one-way: each factor at its low and high value, others at base") \
    X(THRESHOLD, "threshold", "the value of one factor at which the decision flips")      \
    X(SWEEP, "sweep", "one- or two-way grid of factors (also horizon, discount_rate)")   \
    X(SOBOL, "sobol", "variance-based first-order and total indices (Saltelli/Jansen)")  \
    X(MORRIS, "morris", "elementary-effects screening: mu, mu*, sigma")                  \
    X(EVPPI, "evppi", "expected value of partial perfect information from PSA draws")    \
    X(PRIM, "prim", "conditions for success: boxes where an arm pays off (PRIM)")        \
    X(BELIEVE, "believe", "what must be believed: each arm's NPV by lever")

typedef enum mkba_sa_method {
#define MKBA_SA_ENUM_(id, name, what) MKBA_SA_##id,
    MKBA_SA_METHODS(MKBA_SA_ENUM_)
#undef MKBA_SA_ENUM_
    MKBA_SA_NMETHODS
} mkba_sa_method;

/* The method called `name`, or -1. */
int mkba_sa_method_find(const char *name);
const char *mkba_sa_method_name(mkba_sa_method m);
const char *mkba_sa_method_what(mkba_sa_method m);

/* An explicit range of a factor (--range NAME=LO:HI) or a grid of a sweep
 * (--grid NAME=LO:HI:N). */
typedef struct mkba_sa_range {
    const char *name;
    double lo, hi;
    long n;                   /* grid points (sweep); 0 for a range */
} mkba_sa_range;

typedef struct mkba_sa_options {
    mkba_sa_method method;
    const char *output;       /* result file (required) */
    int force;
    int resume;               /* as mkba_run_options: continue from OUTPUT.ckpt */
    int no_checkpoint;        /* as mkba_run_options: keep no OUTPUT.ckpt */
    mkba_checkpoint_info *checkpoint; /* not NULL: receives what the checkpoint gave and kept */
    int yes;                  /* write a result file estimated above 2 GiB */
    long households;          /* per point; < 0: the scenario's */
    long draws;               /* evppi, prim: PSA draws (< 0: the scenario's);
                                 believe: PSA draws averaged (<= 0: base case) */
    int seed_set;
    uint64_t seed;
    long draw;                /* the draw whose household random numbers every
                                 point uses (default 0) */
    /* Factors: comma-separated NAME, NAME@ARM or glob patterns (*, ?) over
     * parameter names; NULL: every uncertain parameter. */
    const char *factors;
    size_t nrange;
    const mkba_sa_range *range;
    double low, high;         /* tornado percentiles (default 0.05, 0.95) */
    const char *outcome;      /* default "npv:society" */
    const char *arm, *versus; /* threshold: the arms compared; prim: one arm */
    size_t ngrid;             /* sweep: 1 or 2 grids */
    const mkba_sa_range *grid;
    long n;                   /* sobol: base points N; morris: trajectories r
                                 (0: the defaults 512 and 20) */
    int second_order;         /* sobol */
    long bootstrap;           /* sobol, morris: bootstrap resamples (default 200) */
    int levels;               /* morris: grid levels p (default 4) */
    int radial;               /* morris: radial design */
    size_t ngroups;           /* evppi: groups "A+B+C" besides the single factors */
    const char *const *group;
    const char *from;         /* evppi, prim: the PSA result file of this scenario to
                                 analyse instead of running a PSA (NULL: run one) */
    size_t nset;              /* as mkba_run_options */
    const char *const *set_name;
    const double *set_value;
} mkba_sa_options;

void mkba_sa_options_init(mkba_sa_options *o);

/* Runs the sensitivity analysis o->method on m with ctx's allocator,
 * threads and progress, and writes o->output (atomically: a temporary file
 * renamed when complete). Returns MKBA_OK or an error with err filled in;
 * on error no output file is left behind. */
int mkba_sa_run(const mkba_context *ctx, const mkba_model *m, const mkba_sa_options *o,
                mkba_error *err);

/* Runs o->method (sobol or morris) on the built-in analytic function
 * `function` (ishigami, sobol-g, linear) with o's n (default 1024 base
 * points or 20 trajectories), seed, bootstrap, second_order, levels and
 * radial, and writes the estimates beside the closed-form indices to out,
 * so users can check the estimators. */
int mkba_sa_function(const mkba_context *ctx, const mkba_sa_options *o, const char *function,
                     mkba_summary_format format, FILE *out, mkba_error *err);

#endif
