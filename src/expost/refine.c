/* Sequential refinement when the importance weights collapse: sequential
 * Monte Carlo with adaptive likelihood tempering and resample-move
 * (Del Moral, Doucet & Jasra 2006; Chopin 2002; adaptive tempering as in
 * Jasra et al. 2011), run on the model through the study layer.
 *
 * State. A particle is (z, d): z the refined parameters R in normal
 * scores (theta_r = F_r^-1(Phi(z_r)), so their prior is N(0, I)), d a PSA
 * draw number that gives every other parameter (Dirichlet vectors,
 * correlated and arm-specific ones, expressions: they stay at their prior
 * draw) and the households' random numbers. The target is
 * N(z; 0, I) L(z, d)^phi with d uniform; at phi = 1 its z-marginal is the
 * posterior of R with the rest integrated over its prior.
 *
 * Start: the N ex-ante PSA draws, z from their own values, d their draw.
 * Stage: phi rises to the largest value (at most 1) at which the
 * incremental weights L^(phi' - phi) keep an effective sample size of
 * N/2 (bisection); the particles are resampled (systematic) and moved by
 * Metropolis-Hastings steps that alternate a Gaussian random walk on z
 * (per-coordinate scale from the particles, adapted to the acceptance
 * rate) with a fresh draw number d (an independence proposal from the
 * prior), each step evaluating all N proposals as one points design of
 * the study layer (in parallel, the same numbers for any thread count).
 * Every random choice comes from one generator seeded by the run's seed,
 * on the calling thread. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <omp.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "expost/expost_impl.h"
#include "core/alloc.h"
#include "study/study.h"

/* The prior CDF of a refinable distribution (the inverse of
 * mkba_dist_quantile). */
static double dist_cdf(const mkba_dist *d, double x)
{
    switch (d->kind) {
    case MKBA_DIST_NORMAL: return gsl_cdf_gaussian_P(x - d->a, d->b);
    case MKBA_DIST_LOGNORMAL: return x <= 0 ? 0.0 : gsl_cdf_lognormal_P(x, d->a, d->b);
    case MKBA_DIST_GAMMA: return x <= 0 ? 0.0 : gsl_cdf_gamma_P(x, d->a, d->b);
    case MKBA_DIST_BETA: return x <= 0 ? 0.0 : x >= 1 ? 1.0 : gsl_cdf_beta_P(x, d->a, d->b);
    case MKBA_DIST_UNIFORM: return fmin(fmax((x - d->a) / (d->b - d->a), 0.0), 1.0);
    case MKBA_DIST_TRIANGULAR: {
        double lo = d->a, mode = d->b, hi = d->c;
        if (x <= lo)
            return 0.0;
        if (x >= hi)
            return 1.0;
        if (x <= mode)
            return (x - lo) * (x - lo) / ((hi - lo) * (mode - lo));
        return 1.0 - (hi - x) * (hi - x) / ((hi - lo) * (hi - mode));
    }
    case MKBA_DIST_PERT: {
        double lo = d->a, mode = d->b, hi = d->c, w = hi - lo;
        double u = (x - lo) / w;
        return u <= 0 ? 0.0 : u >= 1 ? 1.0
               : gsl_cdf_beta_P(u, 1 + 4 * (mode - lo) / w, 1 + 4 * (hi - mode) / w);
    }
    default: return NAN;
    }
}

int mkba_expost_refinable(const mkba_model *m, size_t k)
{
    const mkba_param *p = mkba_params_get(m->params, k);
    int kind = (int)p->dist.kind, own = 0;
    for (size_t a = 0; a < m->narms; a++)
        own |= !mkba_params_overridden(m->params, k, a);
    return own && mkba_params_copula_path(m->params, k) == NULL
           && (kind == MKBA_DIST_NORMAL || kind == MKBA_DIST_LOGNORMAL
               || kind == MKBA_DIST_GAMMA || kind == MKBA_DIST_BETA
               || kind == MKBA_DIST_UNIFORM || kind == MKBA_DIST_TRIANGULAR
               || kind == MKBA_DIST_PERT);
}

/* The parameters of the comma-separated list names into r[*n]: each must
 * be refinable (mkba_expost_refinable) and named once. */
static int named(const mkba_model *m, const char *names, size_t *r, size_t *n,
                 mkba_error *err)
{
    *n = 0;
    for (const char *p = names; *p != '\0';) {
        size_t len = strcspn(p, ",");
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len < 255 ? len : 255), p);
        int k = mkba_design_param(m, "--refine-parameters", name, err);
        if (k < 0)
            return err != NULL ? err->code : MKBA_EINVAL;
        if (!mkba_expost_refinable(m, (size_t)k))
            return mkba_error_set(err, MKBA_EINVAL, "--refine-parameters: %s cannot be "
                                  "refined: it needs a univariate distribution of its own "
                                  "(normal, lognormal, gamma, beta, uniform, triangular, PERT) "
                                  "outside any correlation", name);
        for (size_t i = 0; i < *n; i++)
            if (r[i] == (size_t)k)
                return mkba_error_set(err, MKBA_EINVAL, "--refine-parameters names %s twice",
                                      name);
        r[(*n)++] = (size_t)k;
        p += len;
        if (*p == ',')
            p++;
    }
    return *n > 0 ? MKBA_OK : mkba_error_set(err, MKBA_EINVAL, "--refine-parameters: an "
                                             "empty list");
}

int mkba_expost_refine_check(const mkba_model *m, const char *names, mkba_error *err)
{
    size_t np = mkba_params_count(m->params), n = 0;
    size_t *r = mkba_malloc((np > 0 ? np : 1) * sizeof *r);
    if (r == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    int rc = named(m, names, r, &n, err);
    mkba_free(r);
    return rc;
}

static double clamp_u(double u)
{
    return fmin(fmax(u, 1e-12), 1.0 - 1e-12);
}

typedef struct smc {
    const mkba_expost_refine_input *in;
    size_t n, nr;              /* particles, refined parameters */
    size_t *r;                 /* [nr] parameter indices */
    double *z, *ll;            /* [n][nr], [n] */
    uint32_t *d;               /* [n] */
    double *z2, *ll2;          /* proposals */
    uint32_t *d2;
    uint32_t next_draw;        /* the next fresh PSA draw number */
    size_t evaluations;
} smc;

/* Evaluates the points (z[i], d[i]) into the result file in->scratch and
 * their log-likelihoods ll[i]. */
static int evaluate(smc *s, const double *z, const uint32_t *d, double *ll, mkba_error *err)
{
    const mkba_expost_refine_input *in = s->in;
    const mkba_model *m = in->m;
    mkba_design *des = mkba_design_points(m, s->n, 0, 0, err);
    int rc = des != NULL ? mkba_design_set_draws(des, d, err)
                         : (int)(err != NULL ? err->code : MKBA_ENOMEM);
    for (size_t i = 0; rc == MKBA_OK && i < s->n; i++)
        for (size_t j = 0; j < s->nr; j++) {
            const mkba_param *p = mkba_params_get(m->params, s->r[j]);
            double v = mkba_dist_quantile(&p->dist, clamp_u(gsl_cdf_ugaussian_P(z[i * s->nr + j])));
            mkba_design_set_point(des, m, i, s->r[j], -1, v);
        }
    if (rc == MKBA_OK) {
        mkba_study_options so = in->study;
        so.output = in->scratch;
        so.force = 1;
        so.analyse = 0;
        so.store_draws = 1;
        so.on_point = NULL;
        so.on_finish = NULL;
        so.progress = NULL;
        /* Under mpirun the other ranks evaluate their share (study.h). */
        rc = mkba_study_lead(m, des, &so, err);
    }
    mkba_design_free(des);
    mkba_h5_totals *t = NULL;
    if (rc == MKBA_OK)
        rc = mkba_h5_read_totals(in->scratch, &t, err);
    double *mu = NULL;
    if (rc == MKBA_OK && (mu = mkba_expost_model_values(in->scratch, t, m, in->obs, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    for (size_t i = 0; rc == MKBA_OK && i < s->n; i++) {
        ll[i] = 0.0;
        for (size_t o = 0; o < in->obs->n; o++)
            ll[i] += mkba_expost_loglik(&in->obs->obs[o], mu[o * s->n + i]);
    }
    mkba_free(mu);
    mkba_h5_totals_free(t);
    s->evaluations += s->n;
    return rc;
}

/* Keeps in s->r the (at most) max refinable parameters whose normal
 * scores correlate most with the log-likelihood over the starting
 * particles (|Pearson r|; ties: table order): the data speak about those,
 * and a random walk mixes far better in a few dimensions than in all. The
 * others stay at each particle's draw. z is compacted to match. Returns
 * MKBA_ENOMEM or MKBA_OK. */
static int screen(smc *s, long max)
{
    size_t n = s->n, nr = s->nr, keep = (size_t)max < nr ? (size_t)max : nr, nf = 0;
    double *score = mkba_malloc((nr + 1) * sizeof *score);
    double *z = mkba_malloc((n * keep + 1) * sizeof *z);
    if (score == NULL || z == NULL) {
        mkba_free(score);
        mkba_free(z);
        return MKBA_ENOMEM;
    }
    double lm = 0, lv = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(s->ll[i])) {
            lm += s->ll[i];
            nf++;
        }
    lm = nf > 0 ? lm / (double)nf : 0.0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(s->ll[i]))
            lv += (s->ll[i] - lm) * (s->ll[i] - lm);
    for (size_t j = 0; j < nr; j++) {
        double zm = 0, zv = 0, c = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(s->ll[i]))
                zm += s->z[i * nr + j] / (double)nf;
        for (size_t i = 0; i < n; i++)
            if (isfinite(s->ll[i])) {
                double dz = s->z[i * nr + j] - zm;
                zv += dz * dz;
                c += dz * (s->ll[i] - lm);
            }
        score[j] = zv > 0 && lv > 0 ? fabs(c) / sqrt(zv * lv) : 0.0;
    }
    /* Mark the best `keep` (a score below 0 means chosen). */
    for (size_t t = 0; t < keep; t++) {
        size_t best = nr;
        for (size_t j = 0; j < nr; j++)
            if (score[j] >= 0 && (best == nr || score[j] > score[best]))
                best = j;
        score[best] = -1.0;
    }
    size_t w = 0;
    for (size_t j = 0; j < nr; j++)
        if (score[j] < 0) {
            s->r[w] = s->r[j];
            for (size_t i = 0; i < n; i++)
                z[i * keep + w] = s->z[i * nr + j];
            w++;
        }
    memcpy(s->z, z, n * keep * sizeof *z);
    s->nr = keep;
    mkba_free(score);
    mkba_free(z);
    return MKBA_OK;
}

/* ESS of the incremental weights exp(delta ll). */
static double incremental_ess(const double *ll, size_t n, double delta, double *w)
{
    double top = -INFINITY, sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++)
        top = fmax(top, delta * ll[i]);
    if (!isfinite(top))
        return 0.0;
    for (size_t i = 0; i < n; i++) {
        w[i] = isfinite(ll[i]) ? exp(delta * ll[i] - top) : 0.0;
        sum += w[i];
        sum2 += w[i] * w[i];
    }
    return sum * sum / sum2;
}

static void smc_free(smc *s)
{
    mkba_free(s->r);
    mkba_free(s->z);
    mkba_free(s->ll);
    mkba_free(s->d);
    mkba_free(s->z2);
    mkba_free(s->ll2);
    mkba_free(s->d2);
}

/* Resamples the particles by weights w (systematic, one uniform). */
static int resample(smc *s, const double *w, double u, long *idx)
{
    double sum = 0;
    for (size_t i = 0; i < s->n; i++)
        sum += w[i];
    double *wn = mkba_malloc(s->n * sizeof *wn);
    if (wn == NULL)
        return MKBA_ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        wn[i] = w[i] / sum;
    mkba_expost_resample(wn, s->n, u, idx);
    mkba_free(wn);
    for (size_t i = 0; i < s->n; i++) {
        memcpy(s->z2 + i * s->nr, s->z + (size_t)idx[i] * s->nr, s->nr * sizeof *s->z);
        s->ll2[i] = s->ll[idx[i]];
        s->d2[i] = s->d[idx[i]];
    }
    memcpy(s->z, s->z2, s->n * s->nr * sizeof *s->z);
    memcpy(s->ll, s->ll2, s->n * sizeof *s->ll);
    memcpy(s->d, s->d2, s->n * sizeof *s->d);
    return MKBA_OK;
}

int mkba_expost_refine(const mkba_expost_refine_input *in, mkba_expost_refine_result *out,
                       mkba_error *err)
{
    memset(out, 0, sizeof *out);
    const mkba_model *m = in->m;
    smc s;
    memset(&s, 0, sizeof s);
    s.in = in;
    s.n = in->ndraws;
    size_t np = mkba_params_count(m->params), na = m->narms, n = s.n;
    s.r = mkba_malloc((np + 1) * sizeof *s.r);
    int rc0 = s.r != NULL ? MKBA_OK : (int)mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    if (rc0 == MKBA_OK && in->names != NULL)
        rc0 = named(m, in->names, s.r, &s.nr, err);
    for (size_t k = 0; rc0 == MKBA_OK && in->names == NULL && k < np; k++)
        if (mkba_expost_refinable(m, k))
            s.r[s.nr++] = k;
    if (rc0 != MKBA_OK) {
        mkba_free(s.r);
        return rc0;
    }
    size_t nz = n * (s.nr + 1);
    s.z = mkba_malloc(nz * sizeof *s.z);
    s.z2 = mkba_malloc(nz * sizeof *s.z2);
    s.ll = mkba_malloc(n * sizeof *s.ll);
    s.ll2 = mkba_malloc(n * sizeof *s.ll2);
    s.d = mkba_malloc(n * sizeof *s.d);
    s.d2 = mkba_malloc(n * sizeof *s.d2);
    double *w = mkba_malloc(n * sizeof *w), *sd = mkba_malloc((s.nr + 1) * sizeof *sd);
    long *idx = mkba_malloc(n * sizeof *idx);
    size_t cap = (size_t)in->max_stages;
    out->phi = mkba_calloc(cap, sizeof *out->phi);
    out->ess = mkba_calloc(cap, sizeof *out->ess);
    out->acceptance = mkba_calloc(cap, sizeof *out->acceptance);
    out->swap_acceptance = mkba_calloc(cap, sizeof *out->swap_acceptance);
    out->parameter = mkba_calloc(np + 1, sizeof *out->parameter);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = s.r && s.z && s.z2 && s.ll && s.ll2 && s.d && s.d2 && w && sd && idx && out->phi
                     && out->ess && out->acceptance && out->swap_acceptance && out->parameter && rng
                 ? MKBA_OK : (int)mkba_error_set(err, MKBA_ENOMEM, "out of memory for the "
                                                 "refinement of %zu particles", n);
    if (rc == MKBA_OK && s.nr == 0)
        rc = mkba_error_set(err, MKBA_EINVAL, "the refinement has no parameter to move: no "
                            "parameter of the scenario has a univariate distribution of its "
                            "own (outside correlations)");
    if (rc == MKBA_OK) {
        gsl_rng_set(rng, (unsigned long)(in->study.seed ^ 0x534d4321ULL));
        s.next_draw = (uint32_t)n;
        /* The particles start as the PSA draws. */
        for (size_t i = 0; i < n; i++) {
            s.d[i] = (uint32_t)i;
            s.ll[i] = in->loglik[i];
            for (size_t j = 0; j < s.nr; j++) {
                size_t k = s.r[j], a = 0;
                while (mkba_params_overridden(m->params, k, a))
                    a++;
                double v = in->params[(i * na + a) * np + k];
                double u = clamp_u(dist_cdf(&mkba_params_get(m->params, k)->dist, v));
                s.z[i * s.nr + j] = gsl_cdf_ugaussian_Pinv(u);
            }
        }
    }
    if (rc == MKBA_OK && in->names == NULL && screen(&s, in->max_refined) != MKBA_OK)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    for (size_t j = 0; rc == MKBA_OK && j < s.nr; j++)
        out->parameter[out->nparameters++] = s.r[j];
    double phi = 0.0, scale = 2.38 / sqrt((double)(s.nr > 0 ? s.nr : 1));
    while (rc == MKBA_OK && phi < 1.0 && out->nstages < cap) {
        /* The next temperature: ESS of the incremental weights = half the
         * particles with a finite likelihood (any step drops the others;
         * aiming at n / 2 when half or more are impossible would bisect
         * down to a step of nothing and waste the stage). */
        double finite = 0;
        for (size_t i = 0; i < n; i++)
            finite += isfinite(s.ll[i]);
        double target = 0.5 * finite, lo = 0.0, hi = 1.0 - phi;
        if (incremental_ess(s.ll, n, hi, w) < target) {
            for (int it = 0; it < 60; it++) {
                double mid = 0.5 * (lo + hi);
                if (incremental_ess(s.ll, n, mid, w) >= target)
                    lo = mid;
                else
                    hi = mid;
            }
            hi = lo > 0 ? lo : hi;
        }
        double ess = incremental_ess(s.ll, n, hi, w);
        if (!(ess > 0)) {
            rc = mkba_error_set(err, MKBA_EINVAL, "the refinement found no particle "
                                "compatible with the data");
            break;
        }
        phi = fmin(1.0, phi + hi);
        if (1.0 - phi < 1e-9)
            phi = 1.0;
        rc = resample(&s, w, gsl_rng_uniform(rng), idx);
        if (rc != MKBA_OK) {
            mkba_error_set(err, MKBA_ENOMEM, "out of memory");
            break;
        }
        /* The random-walk scale per coordinate: the particles' spread. */
        for (size_t j = 0; j < s.nr; j++) {
            double mean = 0, var = 0;
            for (size_t i = 0; i < n; i++)
                mean += s.z[i * s.nr + j] / (double)n;
            for (size_t i = 0; i < n; i++)
                var += (s.z[i * s.nr + j] - mean) * (s.z[i * s.nr + j] - mean) / (double)n;
            sd[j] = fmax(sqrt(var), 0.05);
        }
        double accepted[2] = { 0, 0 }, proposed[2] = { 0, 0 };  /* random walk, swap */
        for (long step = 0; rc == MKBA_OK && step < in->moves; step++) {
            int move_d = step % 2 == 1;
            for (size_t i = 0; i < n; i++) {
                s.d2[i] = move_d ? s.next_draw++ : s.d[i];
                for (size_t j = 0; j < s.nr; j++) {
                    double jump = move_d ? 0.0 : scale * sd[j] * gsl_ran_gaussian(rng, 1.0);
                    s.z2[i * s.nr + j] = s.z[i * s.nr + j] + jump;
                }
            }
            rc = evaluate(&s, s.z2, s.d2, s.ll2, err);
            double step_acc = 0;
            for (size_t i = 0; rc == MKBA_OK && i < n; i++) {
                double prior = 0.0;
                for (size_t j = 0; j < s.nr; j++) {
                    double a = s.z[i * s.nr + j], b = s.z2[i * s.nr + j];
                    prior += 0.5 * (a * a - b * b);
                }
                double log_alpha = isfinite(s.ll2[i]) ? phi * (s.ll2[i] - s.ll[i]) + prior
                                                      : -INFINITY;
                if (log(gsl_rng_uniform_pos(rng)) < log_alpha) {
                    memcpy(s.z + i * s.nr, s.z2 + i * s.nr, s.nr * sizeof *s.z);
                    s.ll[i] = s.ll2[i];
                    s.d[i] = s.d2[i];
                    step_acc++;
                }
            }
            accepted[move_d] += step_acc;
            proposed[move_d] += (double)n;
            /* Keep the random walk's acceptance in a useful range. */
            if (!move_d && step_acc < 0.15 * (double)n)
                scale *= 0.5;
            else if (!move_d && step_acc > 0.5 * (double)n)
                scale *= 2.0;
        }
        out->phi[out->nstages] = phi;
        out->ess[out->nstages] = ess;
        out->acceptance[out->nstages] = proposed[0] > 0 ? accepted[0] / proposed[0] : NAN;
        out->swap_acceptance[out->nstages] = proposed[1] > 0 ? accepted[1] / proposed[1] : NAN;
        out->nstages++;
    }
    out->final_phi = phi;
    /* The final particles, evaluated once more into the scratch file, are
     * the posterior sample (equal weights). */
    if (rc == MKBA_OK)
        rc = evaluate(&s, s.z, s.d, s.ll2, err);
    out->evaluations = s.evaluations;
    if (rc == MKBA_OK) {
        out->draw = s.d;
        s.d = NULL;
    }
    if (rng != NULL)
        gsl_rng_free(rng);
    mkba_free(w);
    mkba_free(sd);
    mkba_free(idx);
    smc_free(&s);
    if (rc != MKBA_OK)
        mkba_expost_refine_result_free(out);
    return rc;
}

void mkba_expost_refine_result_free(mkba_expost_refine_result *r)
{
    mkba_free(r->phi);
    mkba_free(r->ess);
    mkba_free(r->acceptance);
    mkba_free(r->swap_acceptance);
    mkba_free(r->draw);
    mkba_free(r->parameter);
    memset(r, 0, sizeof *r);
}
