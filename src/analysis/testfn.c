/* Analytic test functions of sensitivity analysis (testfn.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_math.h>
#include "analysis/testfn.h"

/* Ishigami: a = 7, b = 0.1. (M_PI comes from gsl_math.h: strict C11 has none.) */
#define ISHI_A 7.0
#define ISHI_B 0.1

static double ishigami_eval(const double *u)
{
    double x1 = -M_PI + 2.0 * M_PI * u[0], x2 = -M_PI + 2.0 * M_PI * u[1];
    double x3 = -M_PI + 2.0 * M_PI * u[2], s2 = sin(x2);
    return sin(x1) + ISHI_A * s2 * s2 + ISHI_B * pow(x3, 4) * sin(x1);
}

/* Partial variances of x_i uniform on (-pi, pi): V1 = (1 + b pi^4 / 5)^2 / 2,
 * V2 = a^2 / 8, V13 = b^2 pi^8 (1/18 - 1/50), the other terms 0. */
static void ishigami_indices(double *s1, double *st)
{
    double p4 = pow(M_PI, 4), p8 = p4 * p4;
    double v1 = 0.5 * pow(1.0 + ISHI_B * p4 / 5.0, 2);
    double v2 = ISHI_A * ISHI_A / 8.0;
    double v13 = ISHI_B * ISHI_B * p8 * (1.0 / 18.0 - 1.0 / 50.0);
    double v = v1 + v2 + v13;
    s1[0] = v1 / v;
    s1[1] = v2 / v;
    s1[2] = 0.0;
    st[0] = (v1 + v13) / v;
    st[1] = v2 / v;
    st[2] = v13 / v;
}

static const double G_A[8] = { 0, 1, 4.5, 9, 99, 99, 99, 99 };

static double sobol_g_eval(const double *u)
{
    double y = 1.0;
    for (size_t i = 0; i < 8; i++)
        y *= (fabs(4.0 * u[i] - 2.0) + G_A[i]) / (1.0 + G_A[i]);
    return y;
}

/* Each factor has mean 1 and variance V_i = 1 / (3 (1 + a_i)^2); the
 * product's variance is prod (1 + V_i) - 1, and the variance of all terms
 * holding factor i is V_i prod_{j != i} (1 + V_j). */
static void sobol_g_indices(double *s1, double *st)
{
    double vi[8], prod = 1.0;
    for (size_t i = 0; i < 8; i++) {
        vi[i] = 1.0 / (3.0 * (1.0 + G_A[i]) * (1.0 + G_A[i]));
        prod *= 1.0 + vi[i];
    }
    double v = prod - 1.0;
    for (size_t i = 0; i < 8; i++) {
        s1[i] = vi[i] / v;
        st[i] = vi[i] * prod / (1.0 + vi[i]) / v;
    }
}

static const double LIN_C[5] = { 1, -2, 3, 0.5, 0 };

static double linear_eval(const double *u)
{
    double y = 0.0;
    for (size_t i = 0; i < 5; i++)
        y += LIN_C[i] * u[i];
    return y;
}

static void linear_indices(double *s1, double *st)
{
    double sum = 0.0;
    for (size_t i = 0; i < 5; i++)
        sum += LIN_C[i] * LIN_C[i];
    for (size_t i = 0; i < 5; i++)
        s1[i] = st[i] = LIN_C[i] * LIN_C[i] / sum;
}

static const mkba_testfn TESTFNS[] = {
    { "ishigami", "Ishigami-Homma, a = 7, b = 0.1, x_i = -pi + 2 pi u_i", 3,
      ishigami_eval, ishigami_indices },
    { "sobol-g", "Sobol' G function, a = {0, 1, 4.5, 9, 99, 99, 99, 99}", 8,
      sobol_g_eval, sobol_g_indices },
    { "linear", "y = u1 - 2 u2 + 3 u3 + 0.5 u4 + 0 u5", 5, linear_eval, linear_indices },
};

#define NTESTFNS (sizeof TESTFNS / sizeof TESTFNS[0])

const mkba_testfn *mkba_testfn_find(const char *name)
{
    for (size_t i = 0; name != NULL && i < NTESTFNS; i++)
        if (strcmp(TESTFNS[i].name, name) == 0)
            return &TESTFNS[i];
    return NULL;
}

const mkba_testfn *mkba_testfn_lookup(const char *name, mkba_error *err)
{
    const mkba_testfn *f = mkba_testfn_find(name);
    if (f != NULL)
        return f;
    char known[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < NTESTFNS && used < sizeof known; i++) {
        int n = snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                         TESTFNS[i].name);
        used += n > 0 ? (size_t)n : 0;
    }
    mkba_error_set(err, MKBA_EINVAL, "unknown test function \"%s\": known are %s",
                   name ? name : "(none)", known);
    return NULL;
}

const mkba_testfn *mkba_testfn_list(size_t *count)
{
    *count = NTESTFNS;
    return TESTFNS;
}
