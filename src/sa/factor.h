/* Factors of a sensitivity analysis: the uncertain numbers it moves.
 *
 * A factor is a parameter's scenario definition (NAME: every arm without
 * an override of it) or one arm's override (NAME@ARM), with the range it
 * moves over: percentiles of its distribution, or an explicit range
 * (--range NAME=LO:HI), which also lets fixed parameters move. Two pseudo
 * factors, `horizon` (years) and `discount_rate`, change how a point's
 * flows are counted rather than the simulation; only sweeps take them. */
#ifndef MKBA_SA_FACTOR_H
#define MKBA_SA_FACTOR_H

#include <stddef.h>
#include "mkba/sa.h"
#include "model/model.h"

enum { MKBA_SA_PSEUDO_NONE = 0, MKBA_SA_HORIZON, MKBA_SA_DISCOUNT_RATE };

typedef struct mkba_sa_factor {
    char *label;               /* "NAME" or "NAME@ARM" */
    int param;                 /* parameter index; -1 for a pseudo factor */
    int arm;                   /* -1: the definition */
    int pseudo;
    const mkba_dist *dist;     /* its distribution; NULL when it has none */
    double lo, hi, base;       /* range and base-case value */
    int explicit_range;
} mkba_sa_factor;

typedef struct mkba_sa_factors {
    size_t n;
    mkba_sa_factor *f;
} mkba_sa_factors;

/* The factors of spec (see mkba_sa_options.factors; NULL: every
 * parameter with a distribution, definitions and overrides) with ranges
 * from `range` or the percentiles plo and phi. allow_pseudo admits
 * horizon and discount_rate. Values the --set items set_name[0..nset)
 * fix are left out of patterns and the default list, and refused when
 * named. Errors start with `what` and name the item: an unknown name
 * (with the closest), a pattern matching nothing, a Dirichlet component,
 * a parameter without a distribution and no explicit range, a range
 * outside the parameter's domain, a member of a correlation when
 * independent factors are needed (independent set). */
int mkba_sa_factors_alloc(const mkba_model *m, const char *what, const char *spec,
                          const mkba_sa_range *range, size_t nrange, double plo, double phi,
                          int allow_pseudo, int independent, const char *const *set_name,
                          size_t nset, mkba_sa_factors **out, mkba_error *err);
void mkba_sa_factors_free(mkba_sa_factors *f);

/* The value of factor f at unit coordinate u in (0, 1): its quantile, or
 * lo + u (hi - lo) for an explicit range. */
double mkba_sa_factor_at(const mkba_sa_factor *f, double u);

/* Sets factor f to value in a design row ([narms][nparams]): in its arm,
 * or in every arm without an override of it. */
void mkba_sa_factor_set(const mkba_sa_factor *f, const mkba_model *m, double *row,
                        double value);

#endif
