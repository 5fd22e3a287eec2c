/* EVPPI by nonparametric regression (evppi.h). */
#include <math.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>
#include "analysis/evppi.h"
#include "analysis/smooth.h"
#include "core/alloc.h"

#define SE_DRAWS 500

size_t mkba_evppi_min_draws(size_t p)
{
    size_t m = MKBA_EVPPI_DRAWS_PER_BASIS * mkba_smooth_nbasis(p);
    return m > MKBA_EVPPI_MIN_DRAWS ? m : MKBA_EVPPI_MIN_DRAWS;
}

/* mean_j max(0, g[.][j]) - max(0, mean_j g[.][j]) for g[m][n], the
 * increments of options 1..m over option 0. */
static double value_of(const double *g, size_t m, size_t n)
{
    double sum_max = 0.0, best_mean = 0.0;
    for (size_t j = 0; j < n; j++) {
        double v = 0.0;
        for (size_t i = 0; i < m; i++)
            v = fmax(v, g[i * n + j]);
        sum_max += v;
    }
    for (size_t i = 0; i < m; i++) {
        double s = 0.0;
        for (size_t j = 0; j < n; j++)
            s += g[i * n + j];
        best_mean = fmax(best_mean, s / (double)n);
    }
    return sum_max / (double)n - best_mean;
}

/* The regression estimate for columns cols[0..p) of x (ldx per row) and
 * the increments y[m][n]; edf[m] and, when rng is not NULL, the standard
 * error over nse posterior draws into *se. */
static int estimate(const double *y, size_t n, size_t m, const double *x, size_t ldx,
                    const size_t *cols, size_t p, gsl_rng *rng, size_t nse, double *est,
                    double *se, double *edf, mkba_error *err)
{
    mkba_smooth *s = NULL;
    int status = mkba_smooth_alloc(x, n, ldx, cols, p, &s, err);
    if (status != MKBA_OK)
        return status;
    const size_t k = s->k;
    double *fit = mkba_malloc(m * n * sizeof *fit);
    double *beta = mkba_malloc(m * k * sizeof *beta);
    double *post = rng != NULL ? mkba_malloc(m * k * k * sizeof *post) : NULL;
    double *b = rng != NULL ? mkba_malloc(k * sizeof *b) : NULL;
    double *xi = rng != NULL ? mkba_malloc(k * sizeof *xi) : NULL;
    if (fit == NULL || beta == NULL || (rng != NULL && (post == NULL || b == NULL || xi == NULL))) {
        status = mkba_error_set(err, MKBA_ENOMEM, "out of memory for the EVPPI regressions "
                                "(%zu draws, %zu options)", n, m + 1);
    } else {
        for (size_t i = 0; i < m; i++)
            edf[i] = mkba_smooth_fit(s, y + i * n, beta + i * k, fit + i * n,
                                     post != NULL ? post + i * k * k : NULL);
        *est = value_of(fit, m, n);
    }
    if (status == MKBA_OK && rng != NULL) {
        /* Each option's coefficients drawn from their own posterior, as
         * the regressions are fitted separately; fit is reused. */
        gsl_matrix_view X = gsl_matrix_view_array(s->X, n, k);
        gsl_vector_view bv = gsl_vector_view_array(b, k), xv = gsl_vector_view_array(xi, k);
        double sum = 0.0, sum2 = 0.0;
        for (size_t r = 0; r < nse; r++) {
            for (size_t i = 0; i < m; i++) {
                for (size_t c = 0; c < k; c++) {
                    xi[c] = gsl_ran_gaussian_ziggurat(rng, 1.0);
                    b[c] = beta[i * k + c];
                }
                gsl_matrix_view P = gsl_matrix_view_array(post + i * k * k, k, k);
                gsl_blas_dgemv(CblasNoTrans, 1.0, &P.matrix, &xv.vector, 1.0, &bv.vector);
                gsl_vector_view f = gsl_vector_view_array(fit + i * n, n);
                gsl_blas_dgemv(CblasNoTrans, 1.0, &X.matrix, &bv.vector, 0.0, &f.vector);
            }
            double v = value_of(fit, m, n);
            sum += v;
            sum2 += v * v;
        }
        double mean = sum / (double)nse;
        *se = sqrt(fmax(0.0, (sum2 - (double)nse * mean * mean) / (double)(nse - 1)));
    }
    mkba_free(fit);
    mkba_free(beta);
    mkba_free(post);
    mkba_free(b);
    mkba_free(xi);
    mkba_smooth_free(s);
    return status;
}

void mkba_evppi_result_free(mkba_evppi_result *r)
{
    if (r == NULL)
        return;
    mkba_free(r->edf);
    mkba_free(r);
}

/* Checks the arguments; the message names what to fix. */
static int check(const double *nb, size_t n, size_t d, const double *x, size_t p,
                 mkba_evppi_result **out, mkba_error *err)
{
    if (nb == NULL || x == NULL || out == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "EVPPI: the net benefits, the parameter "
                              "values and the result must not be NULL");
    if (d < 2)
        return mkba_error_set(err, MKBA_EINVAL, "EVPPI needs at least 2 decision options; "
                              "the net benefits have %zu", d);
    if (p == 0)
        return mkba_error_set(err, MKBA_EINVAL, "EVPPI needs at least 1 parameter in the group");
    for (size_t j = 0; j < n; j++) {
        for (size_t i = 0; i < d; i++)
            if (!isfinite(nb[j * d + i]))
                return mkba_error_set(err, MKBA_EINVAL, "EVPPI: the net benefit of option %zu "
                                      "in draw %zu is %g; every value must be finite", i, j,
                                      nb[j * d + i]);
        for (size_t q = 0; q < p; q++)
            if (!isfinite(x[j * p + q]))
                return mkba_error_set(err, MKBA_EINVAL, "EVPPI: parameter %zu of the group in "
                                      "draw %zu is %g; every value must be finite", q, j,
                                      x[j * p + q]);
    }
    return MKBA_OK;
}

int mkba_evppi_alloc(const double *nb, size_t n, size_t d, const double *x, size_t p,
                     const mkba_evppi_options *opts, mkba_evppi_result **out, mkba_error *err)
{
    int status = check(nb, n, d, x, p, out, err);
    if (status != MKBA_OK) {
        if (out != NULL)
            *out = NULL;
        return status;
    }
    *out = NULL;
    /* Constant parameters carry no information and would make the basis
     * singular: left out. */
    size_t *cols = mkba_malloc(p * sizeof *cols), used = 0;
    if (cols == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the EVPPI");
    for (size_t q = 0; q < p; q++) {
        int varies = 0;
        for (size_t j = 1; j < n && !varies; j++)
            varies = x[j * p + q] != x[q];
        if (varies)
            cols[used++] = q;
    }
    size_t need = mkba_evppi_min_draws(used > 0 ? used : 1);
    if (n < need) {
        mkba_free(cols);
        return mkba_error_set(err, MKBA_EINVAL, "EVPPI of a group of %zu varying parameter(s) "
                              "needs at least %zu PSA draws (%d per basis function of its "
                              "regression, and at least %d); the sample has %zu", used, need,
                              MKBA_EVPPI_DRAWS_PER_BASIS, MKBA_EVPPI_MIN_DRAWS, n);
    }
    const size_t m = d - 1;
    mkba_evppi_result *r = mkba_calloc(1, sizeof *r);
    double *y = mkba_malloc(m * n * sizeof *y);
    if (r != NULL)
        r->edf = mkba_calloc(m, sizeof *r->edf);
    if (r == NULL || y == NULL || r->edf == NULL) {
        mkba_free(cols);
        mkba_free(y);
        mkba_evppi_result_free(r);
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the EVPPI");
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            y[i * n + j] = nb[j * d + i + 1] - nb[j * d];
    r->nfits = m;
    r->nparams = used;
    r->evpi = value_of(y, m, n);
    r->se = NAN;
    if (used == 0) {
        r->method = "none: every parameter of the group is constant over the draws";
    } else {
        r->method = mkba_smooth_method(used);
        r->nbasis = mkba_smooth_nbasis(used);
        gsl_rng *rng = opts != NULL ? opts->rng : NULL;
        size_t nse = opts != NULL && opts->se_draws > 1 ? opts->se_draws : SE_DRAWS;
        status = estimate(y, n, m, x, p, cols, used, rng, nse, &r->estimate, &r->se, r->edf,
                          err);
    }
    /* The EVPPI of a group is at least that of each member alone; the
     * regressions of a larger group need not find it (a coarser margin,
     * another smoothing parameter), so it is enforced. */
    double lower = opts != NULL && opts->floor > 0.0 ? opts->floor : 0.0;
    for (size_t q = 0; status == MKBA_OK && used > 1 && q < used; q++) {
        double one = 0.0, unused_se, *edf1 = mkba_malloc(m * sizeof *edf1);
        if (edf1 == NULL) {
            status = mkba_error_set(err, MKBA_ENOMEM, "out of memory for the EVPPI");
            break;
        }
        status = estimate(y, n, m, x, p, cols + q, 1, NULL, 0, &one, &unused_se, edf1, err);
        mkba_free(edf1);
        lower = fmax(lower, fmin(one, r->evpi));
    }
    mkba_free(cols);
    mkba_free(y);
    if (status != MKBA_OK) {
        mkba_evppi_result_free(r);
        return status;
    }
    r->evppi = r->estimate;
    if (r->evppi < lower) {
        r->evppi = lower;
        r->raised = 1;
    }
    /* The estimate is >= 0 by construction (the mean of a maximum is at
     * least the maximum of the means); overfitting can lift it above the
     * EVPI, which bounds every EVPPI. */
    if (r->evppi > r->evpi) {
        r->evppi = r->evpi;
        r->clamped = 1;
    }
    *out = r;
    return MKBA_OK;
}
