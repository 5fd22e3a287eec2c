/* A design: which points of parameter space a study evaluates.
 *
 * A point is a vector of parameter values per arm plus the household
 * random numbers it is simulated with. Three kinds cover every study:
 *   PSA        point i is PSA draw i: every parameter drawn from its
 *              distribution, households on the random numbers of draw i;
 *   base case  one point: every distribution at its mean (or mode);
 *   points     rows of explicit values for named parameters, every other
 *              parameter at one PSA draw or the base case, and households
 *              on the random numbers of one draw at every point (common
 *              random numbers, so differences between points are not
 *              Monte Carlo noise). One-way, sweep, Sobol and ex-post
 *              designs produce this kind.
 * Any design may fix parameters for all its points (mkba run --set).
 *
 * A value fixed by name alone acts as the scenario's own definition would:
 * it holds in every arm that does not override the parameter, and an arm
 * with an override keeps it. A value fixed for one arm holds in that arm,
 * override or not. A member of a correlation may be fixed; the other
 * members keep their own (correlated) draws. */
#ifndef MKBA_STUDY_DESIGN_H
#define MKBA_STUDY_DESIGN_H

#include <stddef.h>
#include <stdint.h>
#include "mkba/error.h"
#include "model/model.h"

typedef enum mkba_design_kind {
    MKBA_DESIGN_PSA = 0,
    MKBA_DESIGN_BASE_CASE,
    MKBA_DESIGN_POINTS
} mkba_design_kind;

/* Writes point i's values into row ([narms][nparams], pre-filled with the
 * design's fixed values) with mkba_design_row_set; a generated design calls
 * it instead of keeping every point's row, so its memory does not grow
 * with its points. Must be thread-safe: points run in parallel. */
typedef void (*mkba_design_row_fn)(void *user, size_t i, double *row);

typedef struct mkba_design {
    mkba_design_kind kind;
    size_t npoints;
    size_t narms, nparams;
    double *fixed;             /* [narms][nparams]: fixed at every point; NaN: free */
    /* Points designs: [npoints][narms][nparams] values of each point (NaN:
     * free, or the value in `fixed`); the free parameters take PSA draw
     * `draw` (base_case 0) or the base case (base_case 1); the households
     * of every point use the random numbers of draw `draw`. */
    double *point;
    int base_case;
    uint32_t draw;
    uint32_t *point_draw;      /* [npoints] own draw of each point, or NULL: `draw` */
    mkba_design_row_fn row_fn; /* generated points (point is NULL), or NULL */
    void *row_user;
} mkba_design;

/* A PSA design of `draws` draws (>= 1), a base-case design, and a points
 * design of `npoints` points (>= 1) with every value free. NULL with err
 * set when out of memory or a count is out of range. */
mkba_design *mkba_design_psa(const mkba_model *m, long draws, mkba_error *err);
mkba_design *mkba_design_base_case(const mkba_model *m, mkba_error *err);
mkba_design *mkba_design_points(const mkba_model *m, size_t npoints, int base_case,
                                uint32_t draw, mkba_error *err);
void mkba_design_free(mkba_design *d);

/* A points design whose rows fn computes on demand (see mkba_design_row_fn). */
mkba_design *mkba_design_generated(const mkba_model *m, size_t npoints, int base_case,
                                   uint32_t draw, mkba_design_row_fn fn, void *user,
                                   mkba_error *err);

/* Gives point i of a points design the random numbers (and, unless base
 * case, the free parameters) of PSA draw draw[i] instead of one common
 * draw; draw is copied. */
int mkba_design_set_draws(mkba_design *d, const uint32_t *draw, mkba_error *err);

/* Index of the parameter called `name` that a design may fix, or -1 with
 * err naming the closest known name (or why this one cannot be fixed: a
 * component of a Dirichlet vector moves with the others). `what` starts
 * the message, e.g. "--set". */
int mkba_design_param(const mkba_model *m, const char *what, const char *name,
                      mkba_error *err);

/* Fixes parameter `name` at `value` in every point: in arm `arm` (an arm
 * name), or with arm NULL in every arm that does not override it. An
 * unknown name or arm, a Dirichlet component, a non-finite value, a
 * parameter fixed twice or one every arm overrides is an error naming it. */
int mkba_design_fix(mkba_design *d, const mkba_model *m, const char *name, const char *arm,
                    double value, mkba_error *err);

/* mkba_design_fix of "NAME" (the scenario's definition) or "NAME@ARM"
 * (one arm), as --set gives them. */
int mkba_design_fix_spec(mkba_design *d, const mkba_model *m, const char *spec, double value,
                         mkba_error *err);

/* Sets parameter k (from mkba_design_param) at point i of a points design
 * to value: in arm `arm` (index), or with arm < 0 in every arm that does
 * not override it. Returns the number of arms set (0: every arm overrides
 * it; name an arm). */
size_t mkba_design_set_point(mkba_design *d, const mkba_model *m, size_t i, size_t k, int arm,
                             double value);

/* Sets row[arm][k] = value ([narms][nparams] of m) in arm `arm`, or with
 * arm < 0 in every arm that does not override k, as mkba_design_set_point
 * does for a stored row. Returns the number of arms set. */
size_t mkba_design_row_set(const mkba_model *m, double *row, size_t k, int arm, double value);

/* The values fixed at point i ([narms][nparams], NaN: free) into row. */
void mkba_design_row(const mkba_design *d, size_t i, double *row);

/* The draw whose random numbers point i uses, and whether its free
 * parameters take the base case. */
uint32_t mkba_design_draw(const mkba_design *d, size_t i);
int mkba_design_is_base_case(const mkba_design *d);

/* "psa", "base_case" or "points", as stored in the result file. */
const char *mkba_design_kind_name(mkba_design_kind k);

#endif
