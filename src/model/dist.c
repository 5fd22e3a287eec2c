/* Distributions of the parameter table: domain checks, means, modes and
 * quantile functions. Sampling goes through the quantile function (inverse
 * CDF) so that independent draws and Gaussian-copula draws share one path. */
#include <math.h>
#include <stdio.h>
#include <gsl/gsl_cdf.h>
#include "params.h"

const char *mkba_dist_name(mkba_dist_kind k)
{
    switch (k) {
    case MKBA_DIST_FIXED: return "fixed";
    case MKBA_DIST_NORMAL: return "normal";
    case MKBA_DIST_LOGNORMAL: return "lognormal";
    case MKBA_DIST_GAMMA: return "gamma";
    case MKBA_DIST_BETA: return "beta";
    case MKBA_DIST_UNIFORM: return "uniform";
    case MKBA_DIST_TRIANGULAR: return "triangular";
    case MKBA_DIST_PERT: return "pert";
    case MKBA_DIST_DIRICHLET: return "dirichlet";
    case MKBA_DIST_EXPR: return "expression";
    }
    return "unknown";
}

/* The scenario-file names of a, b and c for each kind, for messages. */
static int arg_names(mkba_dist_kind k, const char *names[3])
{
    names[0] = names[1] = names[2] = NULL;
    switch (k) {
    case MKBA_DIST_FIXED: names[0] = "value"; return 1;
    case MKBA_DIST_NORMAL: names[0] = "mean"; names[1] = "sd"; return 2;
    case MKBA_DIST_LOGNORMAL: names[0] = "meanlog"; names[1] = "sdlog"; return 2;
    case MKBA_DIST_GAMMA: names[0] = "shape"; names[1] = "scale"; return 2;
    case MKBA_DIST_BETA: names[0] = "alpha"; names[1] = "beta"; return 2;
    case MKBA_DIST_UNIFORM: names[0] = "min"; names[1] = "max"; return 2;
    case MKBA_DIST_TRIANGULAR:
    case MKBA_DIST_PERT:
        names[0] = "min"; names[1] = "mode"; names[2] = "max"; return 3;
    case MKBA_DIST_DIRICHLET:
    case MKBA_DIST_EXPR:
        return 0;
    }
    return -1;
}

int mkba_dist_check(const mkba_dist *d, const char *path, mkba_error *err)
{
    const char *names[3];
    const char *dn = mkba_dist_name(d->kind);
    int nargs = arg_names(d->kind, names);
    if (nargs < 0)
        return mkba_error_set(err, MKBA_EINVAL, "%s: unknown distribution kind %d",
                              path, (int)d->kind);
    const double v[3] = {d->a, d->b, d->c};
    for (int i = 0; i < nargs; i++)
        if (!isfinite(v[i]))
            return mkba_error_set(err, MKBA_EINVAL,
                                  "%s: %s distribution needs a finite %s (got %g)",
                                  path, dn, names[i], v[i]);
    switch (d->kind) {
    case MKBA_DIST_FIXED:
        return MKBA_OK;
    case MKBA_DIST_NORMAL:
    case MKBA_DIST_LOGNORMAL:
        if (!(d->b > 0))
            return mkba_error_set(err, MKBA_EINVAL, "%s: %s distribution needs %s > 0 (got %g)",
                                  path, dn, names[1], d->b);
        return MKBA_OK;
    case MKBA_DIST_GAMMA:
    case MKBA_DIST_BETA:
        for (int i = 0; i < 2; i++)
            if (!(v[i] > 0))
                return mkba_error_set(err, MKBA_EINVAL,
                                      "%s: %s distribution needs %s > 0 (got %g)",
                                      path, dn, names[i], v[i]);
        return MKBA_OK;
    case MKBA_DIST_UNIFORM:
        if (!(d->a < d->b))
            return mkba_error_set(err, MKBA_EINVAL,
                                  "%s: uniform distribution needs min < max (got min = %g, max = %g)",
                                  path, d->a, d->b);
        return MKBA_OK;
    case MKBA_DIST_TRIANGULAR:
    case MKBA_DIST_PERT:
        if (!(d->a <= d->b && d->b <= d->c && d->a < d->c))
            return mkba_error_set(err, MKBA_EINVAL,
                                  "%s: %s distribution needs min <= mode <= max and min < max "
                                  "(got min = %g, mode = %g, max = %g)",
                                  path, dn, d->a, d->b, d->c);
        return MKBA_OK;
    case MKBA_DIST_DIRICHLET:
        if (d->group_size < 2)
            return mkba_error_set(err, MKBA_EINVAL,
                                  "%s: dirichlet distribution needs at least 2 components (got %d)",
                                  path, d->group_size);
        if (d->alpha == NULL)
            return mkba_error_set(err, MKBA_EINVAL, "%s: dirichlet distribution has no alpha vector",
                                  path);
        for (int i = 0; i < d->group_size; i++)
            if (!(d->alpha[i] > 0) || !isfinite(d->alpha[i]))
                return mkba_error_set(err, MKBA_EINVAL,
                                      "%s: dirichlet distribution needs every alpha finite and > 0 "
                                      "(got %g for component %d)", path, d->alpha[i], i + 1);
        return MKBA_OK;
    case MKBA_DIST_EXPR:
        if (d->expr == NULL || d->expr[0] == '\0')
            return mkba_error_set(err, MKBA_EINVAL, "%s: an expression parameter needs expr text",
                                  path);
        return MKBA_OK;
    }
    return MKBA_OK;
}

/* Sum of a Dirichlet alpha vector. */
static double alpha_sum(const mkba_dist *d)
{
    double s = 0;
    for (int i = 0; i < d->group_size; i++)
        s += d->alpha[i];
    return s;
}

double mkba_dist_mean(const mkba_dist *d)
{
    switch (d->kind) {
    case MKBA_DIST_FIXED: return d->a;
    case MKBA_DIST_NORMAL: return d->a;
    case MKBA_DIST_LOGNORMAL: return exp(d->a + 0.5 * d->b * d->b);
    case MKBA_DIST_GAMMA: return d->a * d->b;
    case MKBA_DIST_BETA: return d->a / (d->a + d->b);
    case MKBA_DIST_UNIFORM: return 0.5 * (d->a + d->b);
    case MKBA_DIST_TRIANGULAR: return (d->a + d->b + d->c) / 3.0;
    case MKBA_DIST_PERT: return (d->a + 4.0 * d->b + d->c) / 6.0;
    case MKBA_DIST_DIRICHLET: return d->alpha[d->group_index] / alpha_sum(d);
    case MKBA_DIST_EXPR: return NAN;
    }
    return NAN;
}

/* NAN where the mode is not an interior point (beta or Dirichlet with an
 * alpha <= 1): a boundary value would be a misleading base case. */
double mkba_dist_mode(const mkba_dist *d)
{
    switch (d->kind) {
    case MKBA_DIST_FIXED: return d->a;
    case MKBA_DIST_NORMAL: return d->a;
    case MKBA_DIST_LOGNORMAL: return exp(d->a - d->b * d->b);
    case MKBA_DIST_GAMMA: return d->a >= 1 ? (d->a - 1) * d->b : 0.0;
    case MKBA_DIST_BETA:
        return d->a > 1 && d->b > 1 ? (d->a - 1) / (d->a + d->b - 2) : NAN;
    /* Every point is a mode; the midpoint is the symmetric choice. */
    case MKBA_DIST_UNIFORM: return 0.5 * (d->a + d->b);
    case MKBA_DIST_TRIANGULAR:
    case MKBA_DIST_PERT:
        return d->b;
    case MKBA_DIST_DIRICHLET:
        for (int i = 0; i < d->group_size; i++)
            if (!(d->alpha[i] > 1))
                return NAN;
        return (d->alpha[d->group_index] - 1) / (alpha_sum(d) - d->group_size);
    case MKBA_DIST_EXPR: return NAN;
    }
    return NAN;
}

/* GSL 2.7's beta and gamma quantiles return NaN for some arguments (its
 * Newton step fails, e.g. beta(12, 988) near the median). Where that
 * happens, invert the CDF by bisection, which always converges. */
static double invert_cdf(double (*cdf)(double, double, double), double a, double b,
                         double u, double lo, double hi)
{
    while (isfinite(hi) && cdf(hi, a, b) < u)
        hi *= 2.0;
    for (int i = 0; i < 200 && hi - lo > 1e-15 * (hi > 1.0 ? hi : 1.0); i++) {
        double mid = 0.5 * (lo + hi);
        if (cdf(mid, a, b) < u)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

static double beta_quantile(double u, double a, double b)
{
    double x = gsl_cdf_beta_Pinv(u, a, b);
    return isfinite(x) ? x : invert_cdf(gsl_cdf_beta_P, a, b, u, 0.0, 1.0);
}

static double gamma_quantile(double u, double shape, double scale)
{
    double x = gsl_cdf_gamma_Pinv(u, shape, scale);
    return isfinite(x) ? x : invert_cdf(gsl_cdf_gamma_P, shape, scale, u, 0.0, shape * scale + scale);
}

double mkba_dist_quantile(const mkba_dist *d, double u)
{
    switch (d->kind) {
    case MKBA_DIST_FIXED: return d->a;
    case MKBA_DIST_NORMAL: return d->a + gsl_cdf_gaussian_Pinv(u, d->b);
    case MKBA_DIST_LOGNORMAL: return gsl_cdf_lognormal_Pinv(u, d->a, d->b);
    case MKBA_DIST_GAMMA: return gamma_quantile(u, d->a, d->b);
    case MKBA_DIST_BETA: return beta_quantile(u, d->a, d->b);
    case MKBA_DIST_UNIFORM: return gsl_cdf_flat_Pinv(u, d->a, d->b);
    case MKBA_DIST_TRIANGULAR: {
        double lo = d->a, mode = d->b, hi = d->c, w = hi - lo;
        if (u * w <= mode - lo)
            return lo + sqrt(u * w * (mode - lo));
        return hi - sqrt((1 - u) * w * (hi - mode));
    }
    case MKBA_DIST_PERT: {
        double lo = d->a, mode = d->b, hi = d->c, w = hi - lo;
        double a1 = 1 + 4 * (mode - lo) / w, a2 = 1 + 4 * (hi - mode) / w;
        return lo + w * beta_quantile(u, a1, a2);
    }
    case MKBA_DIST_DIRICHLET:
    case MKBA_DIST_EXPR:
        return NAN;
    }
    return NAN;
}
