/* The parameter table: every number of a scenario that may vary.
 *
 * Each scenario number (a transition entry, a cost, a prevalence, ...) is an
 * index into this table. A parameter is fixed, drawn from a distribution, or
 * derived from others by an expression. Arms may override parameters. For a
 * PSA draw the table produces one value vector per arm; the engine reads only
 * those vectors, never the table, so one draw is a pure function of
 * (scenario, seed, draw index). */
#ifndef MKBA_MODEL_PARAMS_H
#define MKBA_MODEL_PARAMS_H

#include <stddef.h>
#include <stdint.h>
#include "mkba/error.h"

typedef enum mkba_dist_kind {
    MKBA_DIST_FIXED = 0,
    MKBA_DIST_NORMAL,     /* mean, sd */
    MKBA_DIST_LOGNORMAL,  /* meanlog (mu), sdlog (sigma) */
    MKBA_DIST_GAMMA,      /* shape, scale */
    MKBA_DIST_BETA,       /* alpha, beta */
    MKBA_DIST_UNIFORM,    /* min, max */
    MKBA_DIST_TRIANGULAR, /* min, mode, max */
    MKBA_DIST_PERT,       /* min, mode, max (lambda 4) */
    MKBA_DIST_DIRICHLET,  /* alpha[k]; one component per parameter */
    MKBA_DIST_EXPR        /* derived: expression over other parameters */
} mkba_dist_kind;

/* One distribution (or a fixed value, or an expression). */
typedef struct mkba_dist {
    mkba_dist_kind kind;
    double a, b, c;     /* parameters as listed above; fixed: a = value */
    char *expr;         /* MKBA_DIST_EXPR: expression text (owned) */
    /* MKBA_DIST_DIRICHLET: the vector is shared by `group_size` consecutive
     * parameters; component `group_index` of alpha[] belongs to this one. */
    double *alpha;      /* owned by the first component only */
    int group_size, group_index;
} mkba_dist;

typedef struct mkba_param {
    char *name;         /* identifier usable in expressions */
    char *path;         /* setting path where it was defined, for messages */
    char *file;         /* file of the definition */
    int line;           /* line of the definition */
    char *source;       /* literature source or "assumption" (may be NULL) */
    char *unit;         /* may be NULL */
    mkba_dist dist;     /* reference (all arms) definition */
    mkba_dist *arm_dist;/* [narms]: override per arm or kind == -1 (none) */
} mkba_param;

/* Gaussian copula over a set of distribution-valued parameters. */
typedef struct mkba_copula {
    size_t n;
    int *param;         /* parameter indices */
    double *corr;       /* n x n correlation matrix, row-major */
    double *chol;       /* its Cholesky factor (lower), filled at finalize */
    char *path;
} mkba_copula;

typedef enum mkba_base_case { MKBA_BASE_MEAN = 0, MKBA_BASE_MODE } mkba_base_case;

typedef struct mkba_params mkba_params; /* opaque; see params.c */

mkba_params *mkba_params_alloc(size_t narms);
void mkba_params_free(mkba_params *p);

/* Adds a parameter and returns its index (>= 0), or -1 with err set (for a
 * duplicate name, a name reserved by the expression syntax such as "pi" or
 * "exp", or distribution parameters outside their domain). A name that is
 * an identifier ([A-Za-z_][A-Za-z0-9_]*) can be used in expressions; other
 * names (setting paths of inline values) are stored but cannot. `def` is
 * copied; strings are duplicated. Messages start with "FILE:LINE: PATH: "
 * (or "PATH: " when file is NULL). */
int mkba_params_add(mkba_params *p, const char *name, const mkba_dist *def,
                    const char *path, const char *file, int line,
                    const char *source, mkba_error *err);

/* Sets arm `arm`'s override of parameter `index`. */
int mkba_params_override(mkba_params *p, int index, size_t arm,
                         const mkba_dist *def, const char *path,
                         const char *file, int line, mkba_error *err);

/* Adds a Dirichlet vector as `k` parameters named NAME_1 .. NAME_k; returns
 * the index of the first, or -1. */
int mkba_params_add_dirichlet(mkba_params *p, const char *name,
                              const double *alpha, int k, const char *path,
                              const char *file, int line, const char *source,
                              mkba_error *err);

/* Declares a Gaussian copula between parameters `index[0..n)` with the
 * n x n correlation matrix `corr` (row-major, copied). `path` says where
 * the correlation is ("FILE:LINE: correlations.[0]" from the loader);
 * messages about the matrix append ".matrix". The matrix is checked by
 * finalize. */
int mkba_params_add_copula(mkba_params *p, const int *index, size_t n,
                           const double *corr, const char *path,
                           mkba_error *err);

/* Names arm `arm` in messages ("draw 17, arm integrated: ..."); without a
 * name the arm's number is used. The name is copied. */
int mkba_params_set_arm_name(mkba_params *p, size_t arm, const char *name);

/* Sets (copies) the unit of parameter `index`; unit may be NULL. */
int mkba_params_set_unit(mkba_params *p, int index, const char *unit);

/* Index of a parameter by name, or -1. */
int mkba_params_find(const mkba_params *p, const char *name);

/* Name of the known parameter closest to `name` (for "did you mean"), or
 * NULL when none is close. */
const char *mkba_params_closest(const mkba_params *p, const char *name);

/* Checks and prepares the table: parses expressions, checks every variable
 * they use exists, orders derived parameters so each follows its inputs,
 * rejects reference cycles, and checks copula matrices are symmetric,
 * unit-diagonal and positive definite. Must be called once before sampling. */
int mkba_params_finalize(mkba_params *p, mkba_error *err);

size_t mkba_params_count(const mkba_params *p);

/* The random stream of parameter `index` (after finalize): a hash of its
 * name, so a parameter's draws do not depend on where it stands in the
 * file. Draw d of a parameter uses stream (seed, d, this, MKBA_STREAM_PARAMS),
 * or MKBA_STREAM_PARAMS + 256 (arm + 1) for an arm's override. */
uint32_t mkba_params_stream(const mkba_params *p, size_t index);
const mkba_param *mkba_params_get(const mkba_params *p, size_t index);

/* Fills values[arm * count + i] for every arm and parameter for PSA draw
 * `draw` of stream `seed`. With base_case set, every distribution takes its
 * mean (or mode) instead of a random value. Thread-safe: uses only its
 * arguments and `work` (from mkba_params_work_alloc). Returns MKBA_OK, or
 * MKBA_ENUMERIC when an expression evaluates to a non-finite number (err
 * names the parameter, arm and draw). */
typedef struct mkba_params_work mkba_params_work;
mkba_params_work *mkba_params_work_alloc(const mkba_params *p);
void mkba_params_work_free(mkba_params_work *w);

/* Fixes parameters for the samples taken with w until called again:
 * fixed[arm * mkba_params_count + i] (borrowed) is the value of parameter i
 * in that arm, or NaN for a parameter sampled as usual; NULL fixes none. A
 * fixed parameter acts as one defined as that fixed value in that arm:
 * derived parameters that use it are computed from it, and every other
 * parameter keeps its own random stream, so its draws do not change. */
void mkba_params_work_fix(mkba_params_work *w, const double *fixed);

/* The setting path of the correlation parameter `index` is a member of
 * (after finalize), or NULL when it is drawn independently. */
const char *mkba_params_copula_path(const mkba_params *p, size_t index);

/* Records that a setting of the scenario (a rule, team or pathway value)
 * uses parameter `index`: names it, or is its inline value. Before
 * finalize. */
void mkba_params_mark_used(mkba_params *p, int index);

/* After finalize: whether parameter `index` is used by a setting, directly
 * or through the expression (in any arm) of a parameter that is. A
 * correlation or an arm override alone is no use. */
int mkba_params_used(const mkba_params *p, size_t index);

/* After finalize: whether a setting reads parameter `index` once per draw
 * (mkba_params_mark_once: a transition, a prevalence, a team's value...),
 * as opposed to only as the amount of cost or effect rules. */
int mkba_params_read_once(const mkba_params *p, size_t index);

/* After finalize: extends mark[] (one byte per parameter, 1 = marked) to
 * every parameter whose value the marked ones' expressions (in any arm)
 * use, directly or through others: all a marked value depends on.
 * MKBA_OK or MKBA_ENOMEM. */
int mkba_params_inputs(const mkba_params *p, unsigned char *mark);
/* The same in arm `arm`'s own view only: each parameter's expression as
 * that arm defines it (its override, else the scenario's). */
int mkba_params_inputs_arm(const mkba_params *p, size_t arm, unsigned char *mark);

/* ---- Calendar time (docs/model.md, "Calendar time") ----
 * An expression may use the variable `year`: the time at which a cycle
 * starts, in years, 1 at the start (1 + (k - 1) x cycle length in years for
 * cycle k), and `whole_year`: the number of the year that time lies in (1
 * for the twelve months of the first year, 2 for the next twelve: a step
 * each January, which libmatheval's expressions cannot write, having no
 * floor). A parameter whose expression uses either, directly or through
 * another parameter, varies by year. mkba_params_sample gives such a
 * parameter its value in year 1; mkba_params_by_cycle its value in every
 * cycle. Only the amounts of cost and effect rules, which are priced per
 * cycle, may vary; finalize refuses one that a setting reads once per draw
 * (mkba_params_mark_once), naming that setting. */
#define MKBA_PARAMS_YEAR "year"
#define MKBA_PARAMS_WHOLE_YEAR "whole_year"

/* Whether name is one of the calendar-time variables above. */
int mkba_params_is_time_variable(const char *name);

/* Records that the setting at FILE:LINE PATH reads parameter `index` once
 * per draw (a transition, a prevalence, a team's value...), so it may not
 * vary by year. Keeps the first such setting (copied). Before finalize.
 * Returns MKBA_OK, or MKBA_ENOMEM (nothing recorded). */
int mkba_params_mark_once(mkba_params *p, int index, const char *path, const char *file,
                          int line);

/* After finalize: the parameters that vary by year (0 for a table whose
 * expressions do not use the year), the column of parameter `index` in a
 * by-cycle table (-1 when it does not vary), and the parameter of column c. */
size_t mkba_params_time_count(const mkba_params *p);
int mkba_params_time_column(const mkba_params *p, size_t index);
size_t mkba_params_time_param(const mkba_params *p, size_t column);

/* Fills out[(arm * time_count + column) * ncycles + k] with the value in
 * cycle k (0-based) of every parameter that varies by year, with `year` =
 * year[k] (and `whole_year` its whole part), from one draw's values (values[arm][param], mkba_params_sample);
 * the parameters that do not vary keep their values there. A value fixed in
 * w (mkba_params_work_fix: --set, a design's point) keeps that value in
 * every cycle, and the parameters derived from it read it. MKBA_ENUMERIC
 * when an expression is not finite, naming the parameter, arm and draw.
 * Uses only its arguments and w. */
int mkba_params_by_cycle(const mkba_params *p, const double *values, const double *year,
                         size_t ncycles, uint32_t draw, double *out, mkba_params_work *w,
                         mkba_error *err);

/* The correlations of the table (after finalize: with their Cholesky
 * factors): count, and correlation c < count. */
size_t mkba_params_copula_count(const mkba_params *p);
const mkba_copula *mkba_params_copula(const mkba_params *p, size_t c);

/* Keeps the source an arm's override of parameter `index` states (copied;
 * NULL for none), and gives it back with the override's file and line. */
int mkba_params_override_source(mkba_params *p, int index, size_t arm, const char *source,
                                mkba_error *err);
const char *mkba_params_override_source_of(const mkba_params *p, size_t index, size_t arm,
                                           int *line, const char **file);

/* Whether arm `arm` overrides parameter `index` (the arm's overrides). */
/* (0 for an arm past the table's arms: a blended arm has no parameters.) */
int mkba_params_overridden(const mkba_params *p, size_t index, size_t arm);

int mkba_params_sample(const mkba_params *p, uint64_t seed, uint32_t draw,
                       int base_case, mkba_base_case which, double *values,
                       mkba_params_work *work, mkba_error *err);

/* Mean and mode of a distribution (fixed: its value). For the base case. */
double mkba_dist_mean(const mkba_dist *d);
double mkba_dist_mode(const mkba_dist *d);

/* Quantile function of a (non-Dirichlet, non-expression) distribution. */
double mkba_dist_quantile(const mkba_dist *d, double u);

/* Checks distribution parameters are inside their domain; on failure sets
 * err naming `path` and returns non-zero. */
int mkba_dist_check(const mkba_dist *d, const char *path, mkba_error *err);

const char *mkba_dist_name(mkba_dist_kind k);

#endif
