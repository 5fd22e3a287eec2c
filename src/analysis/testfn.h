/* Analytic test functions of global sensitivity analysis: functions of
 * u in (0,1)^k whose Sobol indices are known in closed form, to check the
 * estimators (sobol.h, morris.h) and the `mkba sa` command end to end.
 *
 *   ishigami  k = 3: y = sin x1 + 7 sin^2 x2 + 0.1 x3^4 sin x1, with
 *             x_i = -pi + 2 pi u_i (Ishigami & Homma 1990).
 *   sobol-g   k = 8: y = prod_i (|4 u_i - 2| + a_i) / (1 + a_i), with
 *             a = {0, 1, 4.5, 9, 99, 99, 99, 99} (Saltelli & Sobol 1995).
 *   linear    k = 5: y = sum_i c_i u_i, c = {1, -2, 3, 0.5, 0}: additive,
 *             so S1 = ST = c_i^2 / sum c^2, every Morris elementary
 *             effect of factor i is c_i exactly, and factor 5 is inert.
 *
 * The closed forms are in docs/sensitivity/sobol-morris.md. */
#ifndef MKBA_ANALYSIS_TESTFN_H
#define MKBA_ANALYSIS_TESTFN_H

#include <stddef.h>
#include "mkba/error.h"

typedef struct mkba_testfn {
    const char *name;
    const char *description;
    size_t k;                                /* number of inputs */
    /* y at u[0..k), each u_i in (0, 1). Pure and thread-safe. */
    double (*eval)(const double *u);
    /* The exact first-order and total indices into s1[0..k), st[0..k). */
    void (*indices)(double *s1, double *st);
} mkba_testfn;

/* The function called name, or NULL when there is none. */
const mkba_testfn *mkba_testfn_find(const char *name);

/* The same, but an unknown name sets err (MKBA_EINVAL) with a message
 * that lists the known names. */
const mkba_testfn *mkba_testfn_lookup(const char *name, mkba_error *err);

/* The table of all test functions; *count gets its length. */
const mkba_testfn *mkba_testfn_list(size_t *count);

#endif
