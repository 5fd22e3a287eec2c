/* Sobol' indices from a Saltelli design (sobol.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "analysis/sobol.h"
#include "core/alloc.h"
#include "mkba/rng.h"

/* GSL's Sobol' generator has 30-bit coordinates: 2^30 - 1 points follow
 * the origin before the sequence runs out. */
#define SOBOL_MAX_N (((size_t)1 << 30) - 1)

/* The largest dimension used, GSL's gsl_qrng_sobol->max_dimension (40
 * since GSL 1.0): it sizes the buffer of one point. */
#define SOBOL_MAX_DIM 40

/* The bootstrap's random stream: its own purpose, apart from the
 * project's MKBA_STREAM_* purposes, so a run's seed can be reused here. */
#define SOBOL_STREAM 0x536f626cu

/* Blocks of the design, in row order. */
enum { BLOCK_A = 0, BLOCK_B = 1, BLOCK_AB = 2 };

void mkba_sobol_design_free(mkba_sobol_design *d)
{
    if (d == NULL)
        return;
    mkba_free(d->u);
    mkba_free(d);
}

mkba_sobol_design *mkba_sobol_design_alloc(size_t n, size_t k, int second_order,
                                           mkba_error *err)
{
    const size_t kmax = (gsl_qrng_sobol->max_dimension < SOBOL_MAX_DIM
                         ? gsl_qrng_sobol->max_dimension : SOBOL_MAX_DIM) / 2;
    if (n < MKBA_SOBOL_MIN_N || n > SOBOL_MAX_N) {
        mkba_error_set(err, MKBA_EINVAL,
                       "Sobol' design: base sample size %zu must be between %d and %zu "
                       "(a power of 2 such as 1024 balances the sequence best)",
                       n, MKBA_SOBOL_MIN_N, SOBOL_MAX_N);
        return NULL;
    }
    if (k == 0 || k > kmax) {
        mkba_error_set(err, MKBA_EINVAL,
                       "Sobol' design: %zu inputs; the design needs a Sobol' sequence of "
                       "dimension 2k and GSL's goes up to %zu, so 1 to %zu inputs can vary "
                       "(fix the others at their base values)",
                       k, 2 * kmax, kmax);
        return NULL;
    }
    if (second_order && k < 2) {
        mkba_error_set(err, MKBA_EINVAL,
                       "Sobol' design: second-order indices need at least 2 inputs, not %zu", k);
        return NULL;
    }
    const size_t blocks = second_order ? 2 * k + 2 : k + 2;
    if (n > SIZE_MAX / sizeof(double) / blocks / k) {
        mkba_error_set(err, MKBA_EINVAL,
                       "Sobol' design: %zu x %zu points of %zu inputs are too many to address",
                       n, blocks, k);
        return NULL;
    }
    mkba_sobol_design *d = mkba_calloc(1, sizeof *d);
    if (d != NULL)
        d->u = mkba_malloc(n * blocks * k * sizeof *d->u);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    if (d == NULL || d->u == NULL || q == NULL) {
        gsl_qrng_free(q);
        mkba_sobol_design_free(d);
        mkba_error_set(err, MKBA_ENOMEM, "Sobol' design: out of memory for %zu points",
                       n * blocks);
        return NULL;
    }
    d->n = n;
    d->k = k;
    d->second_order = second_order != 0;
    d->npoints = n * blocks;
    double *a = d->u, *b = d->u + n * k;
    for (size_t j = 0; j < n; j++) {
        double v[SOBOL_MAX_DIM];
        gsl_qrng_get(q, v);
        for (size_t c = 0; c < k; c++) {
            a[j * k + c] = v[c];
            b[j * k + c] = v[k + c];
        }
    }
    gsl_qrng_free(q);
    for (size_t i = 0; i < k; i++) {
        double *ab = d->u + (BLOCK_AB + i) * n * k;
        double *ba = second_order ? d->u + (BLOCK_AB + k + i) * n * k : NULL;
        for (size_t j = 0; j < n; j++)
            for (size_t c = 0; c < k; c++) {
                ab[j * k + c] = c == i ? b[j * k + c] : a[j * k + c];
                if (ba != NULL)
                    ba[j * k + c] = c == i ? a[j * k + c] : b[j * k + c];
            }
    }
    return d;
}

void mkba_sobol_indices_free(mkba_sobol_indices *s)
{
    if (s == NULL)
        return;
    mkba_free(s->s1);
    mkba_free(s->s1_lo);
    mkba_free(s->s1_hi);
    mkba_free(s->st);
    mkba_free(s->st_lo);
    mkba_free(s->st_hi);
    mkba_free(s->s2);
    mkba_free(s->s2_lo);
    mkba_free(s->s2_hi);
    mkba_free(s);
}

/* The mean and variance (denominator 2n) of the A and B rows of the
 * centred outputs yc, over base rows row[0..n) (row NULL: 0..n-1). */
static void moments_ab(const double *yc, size_t n, const size_t *row, double *mean,
                       double *var)
{
    double m = 0.0, ss = 0.0;
    for (size_t j = 0; j < n; j++) {
        size_t r = row ? row[j] : j;
        m += yc[BLOCK_A * n + r] + yc[BLOCK_B * n + r];
    }
    m /= (double)(2 * n);
    for (size_t j = 0; j < n; j++) {
        size_t r = row ? row[j] : j;
        double da = yc[BLOCK_A * n + r] - m, db = yc[BLOCK_B * n + r] - m;
        ss += da * da + db * db;
    }
    *mean = m;
    *var = ss / (double)(2 * n);
}

/* The indices of the centred outputs yc of a design of n base rows and k
 * inputs, over base rows row[0..n) (NULL: all, in order), given the
 * variance v of A and B. s2 ([k][k], upper triangle only) may be NULL. */
static void indices_of(const double *yc, size_t n, size_t k, const size_t *row, double v,
                       double *s1, double *st, double *s2)
{
    const double *ya = yc + BLOCK_A * n, *yb = yc + BLOCK_B * n;
    for (size_t i = 0; i < k; i++) {
        const double *yab = yc + (BLOCK_AB + i) * n;
        double first = 0.0, total = 0.0;
        for (size_t j = 0; j < n; j++) {
            size_t r = row ? row[j] : j;
            double dab = yab[r] - ya[r];
            first += yb[r] * dab;
            total += dab * dab;
        }
        s1[i] = first / (double)n / v;
        st[i] = total / (double)(2 * n) / v;
    }
    if (s2 == NULL)
        return;
    double ab = 0.0;
    for (size_t j = 0; j < n; j++) {
        size_t r = row ? row[j] : j;
        ab += ya[r] * yb[r];
    }
    for (size_t i = 0; i < k; i++) {
        const double *yba = yc + (BLOCK_AB + k + i) * n;
        for (size_t l = i + 1; l < k; l++) {
            const double *yab = yc + (BLOCK_AB + l) * n;
            double cross = 0.0;
            for (size_t j = 0; j < n; j++) {
                size_t r = row ? row[j] : j;
                cross += yba[r] * yab[r];
            }
            s2[i * k + l] = (cross - ab) / (double)n / v - s1[i] - s1[l];
        }
    }
}

/* The percentile interval at `level` of x[0..m), which it sorts. */
static void percentile(double *x, size_t m, double level, double *lo, double *hi)
{
    gsl_sort(x, 1, m);
    *lo = gsl_stats_quantile_from_sorted_data(x, 1, m, 0.5 * (1.0 - level));
    *hi = gsl_stats_quantile_from_sorted_data(x, 1, m, 0.5 * (1.0 + level));
}

static const char *block_name(size_t block, size_t k, char *buf, size_t size)
{
    if (block == BLOCK_A)
        return "A";
    if (block == BLOCK_B)
        return "B";
    if (block < BLOCK_AB + k)
        snprintf(buf, size, "AB_%zu", block - BLOCK_AB + 1);
    else
        snprintf(buf, size, "BA_%zu", block - BLOCK_AB - k + 1);
    return buf;
}

static int check_outputs(const mkba_sobol_design *d, const double *y, mkba_error *err)
{
    for (size_t p = 0; p < d->npoints; p++)
        if (!isfinite(y[p])) {
            char buf[32];
            return mkba_error_set(err, MKBA_EINVAL,
                                  "Sobol' indices: y[%zu] (block %s, base row %zu) is %g; "
                                  "every point of the design needs a finite output",
                                  p, block_name(p / d->n, d->k, buf, sizeof buf), p % d->n,
                                  y[p]);
        }
    return MKBA_OK;
}

/* Fills s's intervals from nboot resamples of the base rows of the
 * centred outputs yc; a variance of A and B at most vmin counts as 0. */
static int bootstrap(const mkba_sobol_design *d, const double *yc, double vmin, size_t nboot,
                     double level, uint64_t seed, mkba_sobol_indices *s, mkba_error *err)
{
    const size_t n = d->n, k = d->k, k2 = d->second_order ? k * k : 0;
    size_t *row = mkba_malloc(n * sizeof *row);
    double *rs1 = mkba_malloc(k * nboot * sizeof *rs1);
    double *rst = mkba_malloc(k * nboot * sizeof *rst);
    double *rs2 = k2 ? mkba_malloc(k2 * nboot * sizeof *rs2) : NULL;
    double *tmp = mkba_malloc((2 * k + k2) * sizeof *tmp);
    gsl_rng *rng = gsl_rng_alloc(mkba_rng_philox);
    int status = MKBA_OK;
    if (row == NULL || rs1 == NULL || rst == NULL || (k2 && rs2 == NULL) || tmp == NULL
        || rng == NULL) {
        status = mkba_error_set(err, MKBA_ENOMEM,
                                "Sobol' indices: out of memory for %zu bootstrap resamples",
                                nboot);
        goto done;
    }
    mkba_rng_set_stream(rng, seed, 0, 0, SOBOL_STREAM);
    double *ts1 = tmp, *tst = tmp + k, *ts2 = k2 ? tmp + 2 * k : NULL;
    for (size_t b = 0; b < nboot; b++) {
        double mean, v;
        /* A resample that drew only rows of one output value has no
         * variance to apportion: draw it again (the full sample has some,
         * so this ends). */
        do {
            for (size_t j = 0; j < n; j++)
                row[j] = gsl_rng_uniform_int(rng, n);
            moments_ab(yc, n, row, &mean, &v);
        } while (!(v > vmin));
        indices_of(yc, n, k, row, v, ts1, tst, ts2);
        for (size_t i = 0; i < k; i++) {
            rs1[i * nboot + b] = ts1[i];
            rst[i * nboot + b] = tst[i];
            for (size_t l = i + 1; k2 && l < k; l++)
                rs2[(i * k + l) * nboot + b] = ts2[i * k + l];
        }
    }
    for (size_t i = 0; i < k; i++) {
        percentile(rs1 + i * nboot, nboot, level, &s->s1_lo[i], &s->s1_hi[i]);
        percentile(rst + i * nboot, nboot, level, &s->st_lo[i], &s->st_hi[i]);
        for (size_t l = i + 1; k2 && l < k; l++) {
            percentile(rs2 + (i * k + l) * nboot, nboot, level, &s->s2_lo[i * k + l],
                       &s->s2_hi[i * k + l]);
            s->s2_lo[l * k + i] = s->s2_lo[i * k + l];
            s->s2_hi[l * k + i] = s->s2_hi[i * k + l];
        }
    }
done:
    gsl_rng_free(rng);
    mkba_free(row);
    mkba_free(rs1);
    mkba_free(rst);
    mkba_free(rs2);
    mkba_free(tmp);
    return status;
}

int mkba_sobol_estimate(const mkba_sobol_design *d, const double *y, size_t nboot,
                        double level, uint64_t seed, mkba_sobol_indices **out,
                        mkba_error *err)
{
    if (out == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "Sobol' indices: no output given");
    *out = NULL;
    if (d == NULL || y == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "Sobol' indices: no design or no outputs");
    if (nboot > 0 && !(level > 0.0 && level < 1.0))
        return mkba_error_set(err, MKBA_EINVAL,
                              "Sobol' indices: confidence level %g must be strictly between "
                              "0 and 1 (e.g. 0.95)", level);
    if (nboot > SIZE_MAX / sizeof(double) / (d->k * d->k + d->k))
        return mkba_error_set(err, MKBA_EINVAL,
                              "Sobol' indices: %zu bootstrap resamples are too many to store "
                              "(1000 is usual)", nboot);
    int status = check_outputs(d, y, err);
    if (status != MKBA_OK)
        return status;
    const size_t n = d->n, k = d->k, np = d->npoints;
    double centre = 0.0, scale = 0.0;
    for (size_t p = 0; p < np; p++) {
        centre += y[p];
        scale = fmax(scale, fabs(y[p]));
    }
    centre /= (double)np;

    mkba_sobol_indices *s = mkba_calloc(1, sizeof *s);
    double *yc = mkba_malloc(np * sizeof *yc);
    if (s != NULL) {
        s->s1 = mkba_malloc(k * sizeof *s->s1);
        s->s1_lo = mkba_malloc(k * sizeof *s->s1_lo);
        s->s1_hi = mkba_malloc(k * sizeof *s->s1_hi);
        s->st = mkba_malloc(k * sizeof *s->st);
        s->st_lo = mkba_malloc(k * sizeof *s->st_lo);
        s->st_hi = mkba_malloc(k * sizeof *s->st_hi);
        if (d->second_order) {
            s->s2 = mkba_malloc(k * k * sizeof *s->s2);
            s->s2_lo = mkba_malloc(k * k * sizeof *s->s2_lo);
            s->s2_hi = mkba_malloc(k * k * sizeof *s->s2_hi);
        }
    }
    if (s == NULL || yc == NULL || !s->s1 || !s->s1_lo || !s->s1_hi || !s->st || !s->st_lo
        || !s->st_hi || (d->second_order && (!s->s2 || !s->s2_lo || !s->s2_hi))) {
        mkba_free(yc);
        mkba_sobol_indices_free(s);
        return mkba_error_set(err, MKBA_ENOMEM, "Sobol' indices: out of memory");
    }
    s->k = k;
    s->n = n;
    s->nboot = nboot;
    s->level = level;
    for (size_t p = 0; p < np; p++)
        yc[p] = y[p] - centre;
    double mean, v;
    moments_ab(yc, n, NULL, &mean, &v);
    s->mean = mean + centre;
    s->variance = v;
    const double vmin = 1e-24 * scale * scale;
    if (!(v > vmin)) {
        mkba_free(yc);
        mkba_sobol_indices_free(s);
        return mkba_error_set(err, MKBA_EINVAL,
                              "Sobol' indices: the output is constant over the %zu rows of A "
                              "and B (value %g, variance %g), so there is no variance to "
                              "apportion; check that the varied parameters reach this output",
                              2 * n, y[0], v);
    }
    for (size_t i = 0; i < k * k && d->second_order; i++)
        s->s2[i] = s->s2_lo[i] = s->s2_hi[i] = NAN;
    indices_of(yc, n, k, NULL, v, s->s1, s->st, s->s2);
    for (size_t i = 0; i < k; i++) {
        s->s1_lo[i] = s->s1_hi[i] = s->st_lo[i] = s->st_hi[i] = NAN;
        for (size_t l = i + 1; d->second_order && l < k; l++)
            s->s2[l * k + i] = s->s2[i * k + l];
    }
    if (nboot > 0)
        status = bootstrap(d, yc, vmin, nboot, level, seed, s, err);
    mkba_free(yc);
    if (status != MKBA_OK) {
        mkba_sobol_indices_free(s);
        return status;
    }
    *out = s;
    return MKBA_OK;
}
