/* Elementary-effects screening (morris.h). */
#include <math.h>
#include <stdint.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "analysis/morris.h"
#include "core/alloc.h"
#include "mkba/rng.h"

/* Random streams of the design and of the bootstrap: purposes of their
 * own, apart from the project's MKBA_STREAM_* ones. */
#define MORRIS_STREAM_DESIGN 0x4d724473u
#define MORRIS_STREAM_BOOT 0x4d724274u

/* GSL's Sobol' sequence: 2^30 - 1 points after the origin, at most 40
 * dimensions (gsl_qrng_sobol->max_dimension since GSL 1.0). */
#define SOBOL_MAX_POINTS (((size_t)1 << 30) - 1)
#define SOBOL_MAX_DIM 40

void mkba_morris_design_free(mkba_morris_design *d)
{
    if (d == NULL)
        return;
    mkba_free(d->u);
    mkba_free(d->factor);
    mkba_free(d->from);
    mkba_free(d->to);
    mkba_free(d->delta);
    mkba_free(d);
}

/* An empty design of r groups of k + 1 points, or NULL with err set. */
static mkba_morris_design *design_new(size_t r, size_t k, mkba_error *err)
{
    if (r < 2 || k == 0) {
        mkba_error_set(err, MKBA_EINVAL,
                       "Morris design: %zu groups of %zu inputs; at least 2 groups (for "
                       "sigma) and 1 input are needed, 10 to 50 groups are usual", r, k);
        return NULL;
    }
    if (r > SIZE_MAX / sizeof(double) / (k + 1) / k) {
        mkba_error_set(err, MKBA_EINVAL,
                       "Morris design: %zu groups of %zu inputs are too many to address", r, k);
        return NULL;
    }
    mkba_morris_design *d = mkba_calloc(1, sizeof *d);
    if (d != NULL) {
        d->r = r;
        d->k = k;
        d->npoints = r * (k + 1);
        d->u = mkba_malloc(d->npoints * k * sizeof *d->u);
        d->factor = mkba_malloc(r * k * sizeof *d->factor);
        d->from = mkba_malloc(r * k * sizeof *d->from);
        d->to = mkba_malloc(r * k * sizeof *d->to);
        d->delta = mkba_malloc(r * k * sizeof *d->delta);
    }
    if (d == NULL || !d->u || !d->factor || !d->from || !d->to || !d->delta) {
        mkba_morris_design_free(d);
        mkba_error_set(err, MKBA_ENOMEM, "Morris design: out of memory for %zu points",
                       r * (k + 1));
        return NULL;
    }
    return d;
}

mkba_morris_design *mkba_morris_design_alloc(size_t r, size_t k, size_t p, uint64_t seed,
                                             mkba_error *err)
{
    if (p < 2 || p % 2 != 0) {
        mkba_error_set(err, MKBA_EINVAL,
                       "Morris design: %zu levels; the number of levels must be even and at "
                       "least 2 (4 is usual), so that every step spans half the grid", p);
        return NULL;
    }
    mkba_morris_design *d = design_new(r, k, err);
    if (d == NULL)
        return NULL;
    d->levels = p;
    size_t *level = mkba_malloc(k * sizeof *level);
    gsl_rng *rng = gsl_rng_alloc(mkba_rng_philox);
    if (level == NULL || rng == NULL) {
        mkba_free(level);
        gsl_rng_free(rng);
        mkba_morris_design_free(d);
        mkba_error_set(err, MKBA_ENOMEM, "Morris design: out of memory");
        return NULL;
    }
    mkba_rng_set_stream(rng, seed, 0, 0, MORRIS_STREAM_DESIGN);
    const size_t half = p / 2;
    for (size_t t = 0; t < r; t++) {
        /* A uniform start level and a jump of p/2 levels to its partner
         * is Morris's x* + D* construction: each input moves between
         * levels l and l + p/2, starting at either with probability 1/2. */
        double *row = d->u + t * (k + 1) * k;
        for (size_t i = 0; i < k; i++) {
            level[i] = gsl_rng_uniform_int(rng, p);
            row[i] = ((double)level[i] + 0.5) / (double)p;
        }
        size_t *order = d->factor + t * k;
        for (size_t s = 0; s < k; s++)
            order[s] = s;
        gsl_ran_shuffle(rng, order, k, sizeof *order);
        for (size_t s = 0; s < k; s++) {
            size_t i = order[s], st = t * k + s;
            double *next = row + (s + 1) * k;
            for (size_t c = 0; c < k; c++)
                next[c] = row[s * k + c];
            level[i] = level[i] < half ? level[i] + half : level[i] - half;
            next[i] = ((double)level[i] + 0.5) / (double)p;
            d->from[st] = t * (k + 1) + s;
            d->to[st] = t * (k + 1) + s + 1;
            d->delta[st] = next[i] - row[s * k + i];
        }
    }
    mkba_free(level);
    gsl_rng_free(rng);
    return d;
}

mkba_morris_design *mkba_morris_radial_alloc(size_t r, size_t k, mkba_error *err)
{
    const size_t kmax = gsl_qrng_sobol->max_dimension < SOBOL_MAX_DIM
                        ? gsl_qrng_sobol->max_dimension : SOBOL_MAX_DIM;
    if (k > kmax) {
        mkba_error_set(err, MKBA_EINVAL,
                       "Morris radial design: %zu inputs; GSL's Sobol' sequence has at most "
                       "%zu dimensions (use the trajectory design for more inputs)", k, kmax);
        return NULL;
    }
    if (r > SOBOL_MAX_POINTS / 2) {
        mkba_error_set(err, MKBA_EINVAL,
                       "Morris radial design: %zu groups need %zu points of the Sobol' "
                       "sequence, which has %zu", r, 2 * r, SOBOL_MAX_POINTS);
        return NULL;
    }
    mkba_morris_design *d = design_new(r, k, err);
    if (d == NULL)
        return NULL;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)k);
    if (q == NULL) {
        mkba_morris_design_free(d);
        mkba_error_set(err, MKBA_ENOMEM, "Morris radial design: out of memory");
        return NULL;
    }
    /* The base points fill every group's first row, then the auxiliary
     * points (the next r of the sequence) each group's rows 1..k. */
    for (size_t t = 0; t < r; t++)
        gsl_qrng_get(q, d->u + t * (k + 1) * k);
    for (size_t t = 0; t < r; t++) {
        double b[SOBOL_MAX_DIM];
        gsl_qrng_get(q, b);
        const double *a = d->u + t * (k + 1) * k;
        for (size_t s = 0; s < k; s++) {
            double *row = d->u + (t * (k + 1) + s + 1) * k;
            size_t st = t * k + s;
            for (size_t c = 0; c < k; c++)
                row[c] = c == s ? b[c] : a[c];
            d->factor[st] = s;
            d->from[st] = t * (k + 1);
            d->to[st] = t * (k + 1) + s + 1;
            d->delta[st] = b[s] - a[s];
        }
    }
    gsl_qrng_free(q);
    return d;
}

void mkba_morris_indices_free(mkba_morris_indices *m)
{
    if (m == NULL)
        return;
    mkba_free(m->ee);
    mkba_free(m->mu);
    mkba_free(m->mu_star);
    mkba_free(m->sigma);
    mkba_free(m->mu_star_lo);
    mkba_free(m->mu_star_hi);
    mkba_free(m);
}

/* Percentile intervals of mu_star from nboot resamples of the r groups. */
static int bootstrap(mkba_morris_indices *m, size_t nboot, double level, uint64_t seed,
                     mkba_error *err)
{
    const size_t r = m->r, k = m->k;
    double *rep = mkba_malloc(k * nboot * sizeof *rep);
    gsl_rng *rng = gsl_rng_alloc(mkba_rng_philox);
    if (rep == NULL || rng == NULL) {
        mkba_free(rep);
        gsl_rng_free(rng);
        return mkba_error_set(err, MKBA_ENOMEM,
                              "Morris indices: out of memory for %zu bootstrap resamples", nboot);
    }
    mkba_rng_set_stream(rng, seed, 0, 0, MORRIS_STREAM_BOOT);
    for (size_t b = 0; b < nboot; b++) {
        for (size_t i = 0; i < k; i++)
            rep[i * nboot + b] = 0.0;
        for (size_t j = 0; j < r; j++) {
            const double *ee = m->ee + gsl_rng_uniform_int(rng, r) * k;
            for (size_t i = 0; i < k; i++)
                rep[i * nboot + b] += fabs(ee[i]);
        }
        for (size_t i = 0; i < k; i++)
            rep[i * nboot + b] /= (double)r;
    }
    for (size_t i = 0; i < k; i++) {
        double *x = rep + i * nboot;
        gsl_sort(x, 1, nboot);
        m->mu_star_lo[i] = gsl_stats_quantile_from_sorted_data(x, 1, nboot, 0.5 * (1.0 - level));
        m->mu_star_hi[i] = gsl_stats_quantile_from_sorted_data(x, 1, nboot, 0.5 * (1.0 + level));
    }
    mkba_free(rep);
    gsl_rng_free(rng);
    return MKBA_OK;
}

int mkba_morris_estimate(const mkba_morris_design *d, const double *y, size_t nboot,
                         double level, uint64_t seed, mkba_morris_indices **out,
                         mkba_error *err)
{
    if (out == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "Morris indices: no output given");
    *out = NULL;
    if (d == NULL || y == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "Morris indices: no design or no outputs");
    if (nboot > 0 && !(level > 0.0 && level < 1.0))
        return mkba_error_set(err, MKBA_EINVAL,
                              "Morris indices: confidence level %g must be strictly between "
                              "0 and 1 (e.g. 0.95)", level);
    const size_t r = d->r, k = d->k;
    if (nboot > SIZE_MAX / sizeof(double) / k)
        return mkba_error_set(err, MKBA_EINVAL,
                              "Morris indices: %zu bootstrap resamples are too many to store "
                              "(1000 is usual)", nboot);
    for (size_t p = 0; p < d->npoints; p++)
        if (!isfinite(y[p]))
            return mkba_error_set(err, MKBA_EINVAL,
                                  "Morris indices: y[%zu] (group %zu, point %zu) is %g; every "
                                  "point of the design needs a finite output",
                                  p, p / (k + 1), p % (k + 1), y[p]);
    mkba_morris_indices *m = mkba_calloc(1, sizeof *m);
    if (m != NULL) {
        m->ee = mkba_malloc(r * k * sizeof *m->ee);
        m->mu = mkba_malloc(k * sizeof *m->mu);
        m->mu_star = mkba_malloc(k * sizeof *m->mu_star);
        m->sigma = mkba_malloc(k * sizeof *m->sigma);
        m->mu_star_lo = mkba_malloc(k * sizeof *m->mu_star_lo);
        m->mu_star_hi = mkba_malloc(k * sizeof *m->mu_star_hi);
    }
    if (m == NULL || !m->ee || !m->mu || !m->mu_star || !m->sigma || !m->mu_star_lo
        || !m->mu_star_hi) {
        mkba_morris_indices_free(m);
        return mkba_error_set(err, MKBA_ENOMEM, "Morris indices: out of memory");
    }
    m->r = r;
    m->k = k;
    m->nboot = nboot;
    m->level = level;
    for (size_t st = 0; st < r * k; st++) {
        size_t t = st / k;
        m->ee[t * k + d->factor[st]] = (y[d->to[st]] - y[d->from[st]]) / d->delta[st];
    }
    for (size_t i = 0; i < k; i++) {
        double mu = 0.0, sum_abs = 0.0, ss = 0.0;
        for (size_t t = 0; t < r; t++) {
            mu += m->ee[t * k + i];
            sum_abs += fabs(m->ee[t * k + i]);
        }
        mu /= (double)r;
        for (size_t t = 0; t < r; t++)
            ss += (m->ee[t * k + i] - mu) * (m->ee[t * k + i] - mu);
        m->mu[i] = mu;
        m->mu_star[i] = sum_abs / (double)r;
        m->sigma[i] = sqrt(ss / (double)(r - 1));
        m->mu_star_lo[i] = m->mu_star_hi[i] = NAN;
    }
    if (nboot > 0) {
        int status = bootstrap(m, nboot, level, seed, err);
        if (status != MKBA_OK) {
            mkba_morris_indices_free(m);
            return status;
        }
    }
    *out = m;
    return MKBA_OK;
}
