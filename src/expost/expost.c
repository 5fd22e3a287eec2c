/* mkba_expost_run: the ex-post evaluation of a scenario (docs/expost.md).
 *
 * The observed data are read and checked first. The ex-ante PSA is run
 * through the study layer (or copied from an existing result file, --from);
 * then, before the file is committed, every observation is confronted with
 * its predictive distribution, the draws are weighted by the likelihood of
 * all observations (sampling importance resampling), the decision outputs
 * are recomputed on the resampled draws with the same analysis code as the
 * ex-ante ones, and everything is stored in /expost. */
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include <gsl/gsl_rng.h>
#include "mkba/expost.h"
#include "expost/expost_impl.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "study/study.h"
#include "study/copy.h"
#include "study/split.h"
#include "analysis/decision.h"

void mkba_expost_options_init(mkba_expost_options *o)
{
    memset(o, 0, sizeof *o);
    o->draws = -1;
    o->households = -1;
    o->min_ess_share = 0.1;
    o->conflict_level = 0.01;
    o->refine = 1;
    o->moves = 8;
    o->max_stages = 30;
    o->max_refined = 10;
    o->max_repeats = -1;
}

typedef struct job {
    const mkba_model *m;
    const mkba_expost_options *o;
    mkba_observed *obs;
    uint64_t seed;             /* of the PSA (the refinement repeats its draws) */
    long households;           /* per draw */
    int threads;
    const volatile sig_atomic_t *stop;
    /* Under mpirun: the ranks the refinement's evaluations are divided
     * among (a child of the run's split), and the options the ranks but 0
     * follow them with; NULL in one process. */
    mkba_split *followers;
    mkba_study_options follow;
} job;


void mkba_expost_updated_free(mkba_expost_updated *u)
{
    for (size_t i = 0; i < u->n; i++)
        mkba_free(u->name[i]);
    mkba_free(u->name);
    mkba_free(u->param);
    mkba_free(u->arm);
}

static int uncertain(const mkba_dist *d)
{
    return (int)d->kind != -1 && d->kind != MKBA_DIST_FIXED && d->kind != MKBA_DIST_EXPR;
}

int mkba_expost_updated_list(const mkba_model *m, mkba_expost_updated *u, mkba_error *err)
{
    size_t np = mkba_params_count(m->params), cap = np * (m->narms + 1) + 1;
    u->name = mkba_calloc(cap, sizeof *u->name);
    u->param = mkba_calloc(cap, sizeof *u->param);
    u->arm = mkba_calloc(cap, sizeof *u->arm);
    if (u->name == NULL || u->param == NULL || u->arm == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    for (size_t k = 0; k < np; k++) {
        const mkba_param *p = mkba_params_get(m->params, k);
        /* The first simulated arm that keeps the definition (a blended
         * arm keeps nothing: its row of the draws' values is NaN). */
        size_t first = 0, ns = mkba_model_simulated(m);
        while (first < ns && mkba_params_overridden(m->params, k, first))
            first++;
        char buf[512];
        if (first < ns && uncertain(&p->dist)) {
            u->param[u->n] = k;
            u->arm[u->n] = first;
            if ((u->name[u->n++] = mkba_strdup(p->name)) == NULL)
                return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        }
        for (size_t a = 0; a < ns; a++)
            if (mkba_params_overridden(m->params, k, a) && uncertain(&p->arm_dist[a])) {
                snprintf(buf, sizeof buf, "%s@%s", p->name, m->arm[a].name);
                u->param[u->n] = k;
                u->arm[u->n] = a;
                if ((u->name[u->n++] = mkba_strdup(buf)) == NULL)
                    return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
            }
    }
    return MKBA_OK;
}

/* Reads /draws/parameters of the result file at path, [draw][arm][param]
 * (mkba_free), or NULL with err set. */
double *mkba_expost_read_parameters(const char *path, const mkba_model *m, size_t nd,
                                    mkba_error *err)
{
    size_t na = m->narms, np = mkba_params_count(m->params);
    double *par = mkba_malloc((nd * na * np > 0 ? nd * na * np : 1) * sizeof *par);
    if (par == NULL) {
        mkba_error_set(err, MKBA_ENOMEM, "out of memory for the parameters of %zu draws", nd);
        return NULL;
    }
    mkba_h5_store *st = mkba_h5_store_open(path, 0, err);
    size_t dims[3] = { nd, na, np };
    int rc = st != NULL ? mkba_h5_store_read_doubles(st, "/draws/parameters", 3, dims, par, err)
                        : (int)(err != NULL ? err->code : MKBA_EIO);
    int rc2 = mkba_h5_store_close(st, NULL);
    if (rc != MKBA_OK || rc2 != MKBA_OK) {
        if (rc == MKBA_OK)
            mkba_error_set(err, MKBA_EIO, "cannot read %s", path);
        mkba_free(par);
        return NULL;
    }
    return par;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The number of distinct values of x[0..n) (sorts x). */
static size_t distinct_values(double *x, size_t n)
{
    qsort(x, n, sizeof *x, by_double);
    size_t k = 0;
    for (size_t d = 0; d < n; d++)
        k += d == 0 || x[d] != x[d - 1];
    return k;
}

/* Prior (the PSA draws, equal weights) and posterior (draws post with
 * weights w, NULL: equal) of each updated parameter; the distinct values
 * are those of the posterior sample: the draws index[0..npost) of post
 * (NULL: every draw). */
static int parameter_summary(const mkba_model *m, const double *prior, size_t nd,
                             const double *post, const double *w, const long *index,
                             size_t npost, const mkba_expost_updated *u, double *out,
                             mkba_expost_pair *scratch, mkba_error *err)
{
    size_t na = m->narms, np = mkba_params_count(m->params), nx = nd > npost ? nd : npost;
    double *x = mkba_malloc((nx > 0 ? nx : 1) * sizeof *x);
    if (x == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the parameters");
    for (size_t i = 0; i < u->n; i++) {
        double *s = out + i * MKBA_PS_N, pm = 0.0, qm = 0.0, wsum = 0.0;
        for (size_t d = 0; d < nd; d++) {
            x[d] = prior[(d * na + u->arm[i]) * np + u->param[i]];
            pm += x[d] / (double)nd;
        }
        s[MKBA_PS_PRIOR_MEAN] = pm;
        s[MKBA_PS_PRIOR_P05] = mkba_expost_quantile(x, NULL, nd, 0.05, scratch);
        s[MKBA_PS_PRIOR_P95] = mkba_expost_quantile(x, NULL, nd, 0.95, scratch);
        for (size_t d = 0; d < npost; d++) {
            x[d] = post[(d * na + u->arm[i]) * np + u->param[i]];
            qm += (w != NULL ? w[d] : 1.0) * x[d];
            wsum += w != NULL ? w[d] : 1.0;
        }
        s[MKBA_PS_POST_MEAN] = qm / wsum;
        s[MKBA_PS_POST_P05] = mkba_expost_quantile(x, w, npost, 0.05, scratch);
        s[MKBA_PS_POST_P95] = mkba_expost_quantile(x, w, npost, 0.95, scratch);
        s[MKBA_PS_POST_P25] = mkba_expost_quantile(x, w, npost, 0.25, scratch);
        s[MKBA_PS_POST_P75] = mkba_expost_quantile(x, w, npost, 0.75, scratch);
        double prior_w = s[MKBA_PS_PRIOR_P95] - s[MKBA_PS_PRIOR_P05];
        s[MKBA_PS_NARROWING] = prior_w > 0
                                   ? 1.0 - (s[MKBA_PS_POST_P95] - s[MKBA_PS_POST_P05]) / prior_w
                                   : NAN;
        for (size_t d = 0; d < npost; d++)
            x[d] = post[((index != NULL ? (size_t)index[d] : d) * na + u->arm[i]) * np
                        + u->param[i]];
        s[MKBA_PS_DISTINCT] = (double)distinct_values(x, npost);
    }
    mkba_free(x);
    return MKBA_OK;
}

/* Everything /expost holds, computed before it is written. */
typedef struct expost {
    size_t nobs, nd;
    double *mu;                /* [obs][draw] model values */
    double *prior, *post;      /* [obs][MKBA_PRED_N] predictive statistics */
    int *flag;                 /* [obs] */
    double *data;              /* [obs][3] value, n, se */
    double *loglik;            /* [draw][obs] */
    double *lw, *w;            /* [draw] */
    int *index;                /* [draw] posterior sample */
    int pit[MKBA_PIT_BINS];
    double calibration[MKBA_CAL_N], update[MKBA_UP_N];
    mkba_expost_updated u;
    double *par;               /* [updated][MKBA_PS_N] */
    mkba_decision *decision;   /* on the posterior sample */
    mkba_expost_refine_result refine;  /* nstages 0: not run */
    int *particle_draw;        /* [draw] the refined particles' draw numbers */
    double *particle_par;      /* [draw][arm][param] the refined particles' values */
    double *npv_draws;         /* [perspective][draw][arm] NPV of the posterior sample */
    size_t nperspectives;
} expost;

/* The decision's flow callback: keeps each perspective's NPV per draw of
 * the posterior sample, for /expost/posterior/npv_draws. */
static int keep_npv(void *user, size_t k, const mkba_cashflow *c, mkba_error *err)
{
    expost *e = user;
    size_t n = c->ndraws * c->narms;
    if (k != e->nperspectives)   /* called for k = 0, 1, ... in order */
        return mkba_error_set(err, MKBA_EINVAL, "perspective %zu out of order", k);
    double *g = mkba_realloc(e->npv_draws, ((k + 1) * n > 0 ? (k + 1) * n : 1) * sizeof *g);
    if (g == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    e->npv_draws = g;
    memcpy(g + k * n, c->npv, n * sizeof *c->npv);
    e->nperspectives = k + 1;
    return MKBA_OK;
}

static void expost_free(expost *e)
{
    mkba_free(e->mu);
    mkba_free(e->prior);
    mkba_free(e->post);
    mkba_free(e->flag);
    mkba_free(e->data);
    mkba_free(e->loglik);
    mkba_free(e->lw);
    mkba_free(e->w);
    mkba_free(e->index);
    mkba_expost_updated_free(&e->u);
    mkba_free(e->par);
    mkba_decision_free(e->decision);
    mkba_expost_refine_result_free(&e->refine);
    mkba_free(e->particle_draw);
    mkba_free(e->particle_par);
    mkba_free(e->npv_draws);
}

/* The SIR sample: systematic resampling of e->w with the run's seed, into
 * index and e->index (the same sample whether or not a refinement follows). */
static int sir_resample(const job *j, expost *e, long *index, mkba_error *err)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the resampling's random "
                              "number generator");
    gsl_rng_set(rng, (unsigned long)(j->seed ^ 0x45585053ULL));
    mkba_expost_resample(e->w, e->nd, gsl_rng_uniform(rng), index);
    gsl_rng_free(rng);
    for (size_t d = 0; d < e->nd; d++)
        e->index[d] = (int)index[d];
    return MKBA_OK;
}

/* The posterior by sampling importance resampling: the PSA draws with
 * weights e->w, resampled into index for the decision outputs. */
static int posterior_sir(const job *j, const mkba_h5_totals *t, const double *prior_par,
                         expost *e, long *index, mkba_expost_pair *scratch, mkba_error *err)
{
    size_t nd = e->nd;
    for (size_t i = 0; i < e->nobs; i++)
        mkba_expost_predictive(&j->obs->obs[i], e->mu + i * nd, e->w, nd,
                               e->post + i * MKBA_PRED_N);
    int rc0 = sir_resample(j, e, index, err);
    if (rc0 != MKBA_OK)
        return rc0;
    size_t distinct = 0;
    for (size_t d = 0; d < nd; d++)
        distinct += d == 0 || index[d] != index[d - 1];   /* sorted by construction */
    e->update[MKBA_UP_DISTINCT_DRAWS] = (double)distinct;
    e->update[MKBA_UP_FINAL_PHI] = 1.0;   /* the weights are the full likelihood's */
    e->update[MKBA_UP_FREE_COORDINATES] = NAN;   /* the refinement's */
    e->update[MKBA_UP_OTHER_SPREAD] = NAN;
    int rc = parameter_summary(j->m, prior_par, nd, prior_par, e->w, index, nd, &e->u,
                               e->par, scratch, err);
    mkba_h5_totals *rt = rc == MKBA_OK ? mkba_expost_totals_resampled(t, index, err) : NULL;
    if (rc == MKBA_OK && rt == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK && (e->decision = mkba_decision_alloc(rt, keep_npv, e, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    mkba_expost_totals_free(rt);
    return rc;
}

/* The refinement's cap on the decorrelation repeats of a stage:
 * --max-repeats, or by default MKBA_EXPOST_REPEATS_PER_MOVE x --moves. */
static long repeat_cap(const mkba_expost_options *o)
{
    return o->max_repeats >= 0 ? o->max_repeats : MKBA_EXPOST_REPEATS_PER_MOVE * o->moves;
}

/* The posterior by the sequential refinement (refine.c), when the
 * importance weights rest on too few draws: its final particles, equally
 * weighted, evaluated into a scratch file beside the output. */
static int posterior_refined(const job *j, const char *path, const double *prior_par,
                             expost *e, mkba_expost_pair *scratch, mkba_error *err)
{
    size_t nd = e->nd, len = strlen(path);
    char *file = mkba_malloc(len + 12);
    if (file == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    snprintf(file, len + 12, "%s.refine.h5", path);
    mkba_expost_refine_input in = {
        .m = j->m, .obs = j->obs, .ndraws = nd, .params = prior_par, .loglik = e->lw,
        .study = { .households = j->households, .seed = j->seed, .threads = j->threads,
                   .mode = MKBA_ENGINE_MICRO, .stop = j->stop, .split = j->followers },
        .scratch = file, .moves = j->o->moves, .max_stages = j->o->max_stages,
        .max_refined = j->o->max_refined, .names = j->o->refine_parameters,
        .max_repeats = repeat_cap(j->o),
    };
    int rc = mkba_expost_refine(&in, &e->refine, err);
    mkba_h5_totals *t = NULL;
    double *mu = NULL, *par = NULL;
    if (rc == MKBA_OK)
        rc = mkba_h5_read_totals(file, &t, err);
    if (rc == MKBA_OK && (mu = mkba_expost_model_values(file, t, j->m, j->obs, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK && (par = mkba_expost_read_parameters(file, j->m, nd, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK && (e->particle_draw = mkba_malloc(nd * sizeof *e->particle_draw)) == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    if (rc == MKBA_OK) {
        for (size_t d = 0; d < nd; d++)
            e->particle_draw[d] = (int)e->refine.draw[d];
        for (size_t i = 0; i < e->nobs; i++)
            mkba_expost_predictive(&j->obs->obs[i], mu + i * nd, NULL, nd,
                                   e->post + i * MKBA_PRED_N);
        /* The SIR sample stays in /expost/posterior_draw for comparison. */
        long *index = mkba_malloc(nd * sizeof *index);
        rc = index != NULL ? sir_resample(j, e, index, err)
                           : (int)mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        mkba_free(index);
    }
    if (rc == MKBA_OK)
        rc = parameter_summary(j->m, prior_par, nd, par, NULL, NULL, nd, &e->u, e->par,
                               scratch, err);
    if (rc == MKBA_OK && (e->decision = mkba_decision_alloc(t, keep_npv, e, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    e->particle_par = par;     /* stored as /expost/refine/parameters */
    par = NULL;
    e->update[MKBA_UP_REFINED] = 1;
    e->update[MKBA_UP_EVALUATIONS] = (double)e->refine.evaluations;
    e->update[MKBA_UP_FINAL_PHI] = e->refine.final_phi;
    /* What the sample rests on: the ex-ante draws its particles descend
     * from (the moves' jitter makes every particle a distinct point, which
     * says nothing), the scores found free, and the spread of the other
     * scores outside the refined walk (a collapse narrows them). */
    e->update[MKBA_UP_DISTINCT_DRAWS] = (double)e->refine.kept;
    e->update[MKBA_UP_FREE_COORDINATES] = (double)e->refine.free_coordinates;
    e->update[MKBA_UP_OTHER_SPREAD] = e->refine.other_spread;
    mkba_free(mu);
    mkba_free(par);
    mkba_h5_totals_free(t);
    remove(file);
    mkba_free(file);
    return rc;
}

/* A draw without a model value for a figure (a mean wait of a team that
 * admitted nobody in the year) would get weight 0 for a reason of the
 * simulated households, not of the parameters: refused, with the count,
 * rather than silently. */
static int no_value_refused(const mkba_observed *obs, const double *mu, size_t nd,
                            mkba_error *err)
{
    for (size_t i = 0; i < obs->n; i++) {
        size_t missing = 0;
        for (size_t d = 0; d < nd; d++)
            missing += isnan(mu[i * nd + d]);
        if (missing > 0)
            return mkba_error_set(err, MKBA_EINVAL, "%s:%d: the model has no value for %s in "
                                  "%zu of the %zu draws (e.g. a team that admitted nobody in "
                                  "the year), which would get weight 0 for want of simulated "
                                  "households; run the PSA with more households, or remove "
                                  "the row", obs->file, obs->obs[i].line, obs->obs[i].label,
                                  missing, nd);
    }
    return MKBA_OK;
}

/* Confrontation, weights, posterior sample and its decision outputs. */
static int compute(const job *j, const char *path, const mkba_h5_totals *t, expost *e,
                   mkba_error *err)
{
    const mkba_observed *obs = j->obs;
    size_t no = obs->n, nd = t->ndraws;
    e->nobs = no;
    e->nd = nd;
    /* The count likelihood's synthetic noise (observed.h, n_lik). */
    double h = (double)t->households;
    for (size_t i = 0; i < no; i++) {
        mkba_observation *o = &obs->obs[i];
        o->n_lik = h > 0 && !isnan(o->n) ? o->n * h / (o->n + h) : o->n;
    }
    e->mu = mkba_expost_model_values(path, t, j->m, obs, err);
    if (e->mu == NULL)
        return err != NULL ? err->code : MKBA_ENOMEM;
    /* The normal likelihood's synthetic noise (observed.h, var_linear and
     * var_share). */
    if (mkba_expost_model_noise(path, t, j->obs, e->mu, err) != MKBA_OK)
        return err != NULL ? err->code : MKBA_EIO;
    if (no_value_refused(obs, e->mu, nd, err) != MKBA_OK)
        return err->code;
    e->prior = mkba_malloc(no * MKBA_PRED_N * sizeof *e->prior);
    e->post = mkba_malloc(no * MKBA_PRED_N * sizeof *e->post);
    e->flag = mkba_malloc(no * sizeof *e->flag);
    e->data = mkba_malloc(no * 3 * sizeof *e->data);
    e->loglik = mkba_malloc(nd * no * sizeof *e->loglik);
    e->lw = mkba_malloc(nd * sizeof *e->lw);
    e->w = mkba_malloc(nd * sizeof *e->w);
    e->index = mkba_malloc(nd * sizeof *e->index);
    long *index = mkba_malloc(nd * sizeof *index);
    mkba_expost_pair *scratch = mkba_malloc(nd * sizeof *scratch);
    int rc = e->prior && e->post && e->flag && e->data && e->loglik && e->lw && e->w
                     && e->index && index && scratch
                 ? mkba_expost_updated_list(j->m, &e->u, err)
                 : (int)mkba_error_set(err, MKBA_ENOMEM, "out of memory for %zu draws", nd);
    if (rc == MKBA_OK) {
        double conflicts = 0;
        for (size_t i = 0; i < no; i++) {
            const mkba_observation *o = &obs->obs[i];
            double *s = e->prior + i * MKBA_PRED_N;
            mkba_expost_predictive(o, e->mu + i * nd, NULL, nd, s);
            if (isnan(s[MKBA_PRED_PERCENTILE])) {
                /* Not reached: no_value_refused let only finite model values
                 * through. Kept as a guard, since a NaN percentile would make
                 * the bin index below undefined. */
                rc = mkba_error_set(err, MKBA_EINVAL, "%s:%d: the predictive distribution "
                                    "of %s is not finite although every draw has a model "
                                    "value (an internal error; please report it)",
                                    obs->file, o->line, o->label);
                break;
            }
            e->flag[i] = mkba_expost_flag(o, s, j->o->conflict_level);
            conflicts += e->flag[i] == MKBA_FLAG_CONFLICT;
            int bin = (int)floor(s[MKBA_PRED_PERCENTILE] * MKBA_PIT_BINS);
            e->pit[bin < 0 ? 0 : bin < MKBA_PIT_BINS ? bin : MKBA_PIT_BINS - 1]++;
            e->data[3 * i] = o->value;
            e->data[3 * i + 1] = o->n;
            e->data[3 * i + 2] = o->se;
        }
        e->update[MKBA_UP_CONFLICTS] = conflicts;
    }
    if (rc == MKBA_OK) {
        double conflicts = e->update[MKBA_UP_CONFLICTS], in50 = 0, in90 = 0;
        for (size_t i = 0; i < no; i++) {
            in50 += e->flag[i] == MKBA_FLAG_INSIDE_50;
            in90 += e->flag[i] <= MKBA_FLAG_OUTSIDE_50;
        }
        e->calibration[MKBA_CAL_INSIDE_50] = in50 / (double)no;
        e->calibration[MKBA_CAL_INSIDE_90] = in90 / (double)no;
        e->calibration[MKBA_CAL_CONFLICTS] = conflicts;
        for (size_t d = 0; d < nd; d++) {
            e->lw[d] = 0.0;
            for (size_t i = 0; i < no; i++) {
                double l = mkba_expost_loglik(&obs->obs[i], e->mu[i * nd + d]);
                e->loglik[d * no + i] = l;
                e->lw[d] += l;
            }
        }
        double log_ml;
        double ess = mkba_expost_weights(e->lw, nd, e->w, &log_ml);
        if (!(ess > 0))
            rc = mkba_error_set(err, MKBA_EINVAL, "%s: no ex-ante draw can produce the "
                                "observed data (every draw has likelihood 0): a prior-data "
                                "conflict too large to update; check the data and the "
                                "scenario", obs->file);
        double top = 0.0;
        for (size_t d = 0; d < nd; d++)
            top = fmax(top, e->w[d]);
        e->update[MKBA_UP_DRAWS] = (double)nd;
        e->update[MKBA_UP_ESS] = ess;
        e->update[MKBA_UP_ESS_THRESHOLD] = j->o->min_ess_share * (double)nd;
        e->update[MKBA_UP_LOG_ML] = log_ml;
        e->update[MKBA_UP_MAX_WEIGHT] = top;
        e->update[MKBA_UP_ESS_LOW] = ess < j->o->min_ess_share * (double)nd;
    }
    if (rc == MKBA_OK
        && (e->par = mkba_malloc((e->u.n > 0 ? e->u.n : 1) * MKBA_PS_N * sizeof *e->par)) == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    double *prior_par = rc == MKBA_OK ? mkba_expost_read_parameters(path, j->m, nd, err) : NULL;
    if (rc == MKBA_OK && prior_par == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    int refine = rc == MKBA_OK && j->o->refine && e->update[MKBA_UP_ESS_LOW] > 0;
    if (refine)
        rc = posterior_refined(j, path, prior_par, e, scratch, err);
    else if (rc == MKBA_OK)
        rc = posterior_sir(j, t, prior_par, e, index, scratch, err);
    mkba_free(prior_par);
    mkba_free(index);
    mkba_free(scratch);
    return rc;
}

static const char *const likelihood_name[] = { "poisson", "binomial", "normal" };

static int store(const job *j, const char *path, const expost *e, mkba_error *err)
{
    const mkba_observed *obs = j->obs;
    size_t no = e->nobs, nd = e->nd;
    const char **labels = mkba_malloc(no * sizeof *labels);
    const char **metric = mkba_malloc(no * sizeof *metric);
    const char **lik = mkba_malloc(no * sizeof *lik);
    int *line = mkba_malloc(no * sizeof *line), *year = mkba_malloc(no * sizeof *year);
    double *noise = mkba_malloc(no * sizeof *noise);
    mkba_h5_store *h = NULL;
    int rc = labels && metric && lik && line && year && noise
                 ? MKBA_OK : (int)mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MKBA_OK && i < no; i++) {
        /* The variance added, averaged over the file's draws. */
        double sum = 0.0;
        for (size_t d = 0; d < nd; d++)
            sum += mkba_expost_model_variance(&obs->obs[i], e->mu[i * nd + d]);
        noise[i] = nd > 0 ? sum / (double)nd : 0.0;
        labels[i] = obs->obs[i].label;
        metric[i] = mkba_expost_metrics[obs->obs[i].metric].name;
        lik[i] = likelihood_name[obs->obs[i].likelihood];
        line[i] = obs->obs[i].line;
        year[i] = obs->obs[i].year;
    }
    if (rc == MKBA_OK && (h = mkba_h5_store_open(path, 1, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_EIO;
    const mkba_decision *d = e->decision;
    size_t d_obs[1] = { no }, d_stat[2] = { no, MKBA_PRED_N }, d_data[2] = { no, 3 };
    size_t d_ll[2] = { nd, no }, d_draw[1] = { nd }, d_pit[1] = { MKBA_PIT_BINS };
    size_t d_cal[1] = { MKBA_CAL_N }, d_up[1] = { MKBA_UP_N }, d_par[2] = { e->u.n, MKBA_PS_N };
    size_t d_npv[3] = { d->nperspectives, d->narms, MKBA_ST_N };
    size_t d_be[3] = { d->nperspectives, d->narms, MKBA_BE_N };
    size_t d_pay[3] = { d->narms, d->npayers + MKBA_PR_EXTRA, MKBA_PT_N };
    size_t d_rank[2] = { d->narms, d->narms }, one[1] = { 1 };
    char level[64];
    snprintf(level, sizeof level, "%g", j->o->conflict_level);
#define STEP(call) if (rc == MKBA_OK) rc = (call)
    STEP(mkba_h5_store_group(h, "/expost", "ex-post evaluation: the observed data against "
                             "the ex-ante predictive distribution, and the update by sampling "
                             "importance resampling (Menzies et al. 2017)", err));
    STEP(mkba_h5_store_attr(h, "/expost", "observed_file", obs->file, err));
    STEP(mkba_h5_store_attr(h, "/expost", "method", e->refine.nstages > 0
                            ? "sampling importance resampling, refined by sequential Monte "
                              "Carlo (tempering, resample-move)"
                            : "sampling importance resampling", err));
    STEP(mkba_h5_store_attr(h, "/expost", "conflict_level", level, err));
    STEP(mkba_h5_store_strings(h, "/expost/observation", labels, no, err));
    STEP(mkba_h5_store_strings(h, "/expost/metric", metric, no, err));
    STEP(mkba_h5_store_strings(h, "/expost/likelihood", lik, no, err));
    STEP(mkba_h5_store_ints(h, "/expost/line", 1, d_obs, line, err));
    STEP(mkba_h5_store_ints(h, "/expost/year", 1, d_obs, year, err));
    STEP(mkba_h5_store_doubles(h, "/expost/data", 2, d_data, e->data, err));
    STEP(mkba_h5_store_doubles(h, "/expost/likelihood_noise", 1, d_obs, noise, err));
    STEP(mkba_h5_store_doubles(h, "/expost/prior_predictive", 2, d_stat, e->prior, err));
    STEP(mkba_h5_store_doubles(h, "/expost/posterior_predictive", 2, d_stat, e->post, err));
    STEP(mkba_h5_store_ints(h, "/expost/flag", 1, d_obs, e->flag, err));
    STEP(mkba_h5_store_doubles(h, "/expost/model_value", 2, (size_t[2]){ no, nd }, e->mu,
                               err));
    STEP(mkba_h5_store_doubles(h, "/expost/loglik", 2, d_ll, e->loglik, err));
    STEP(mkba_h5_store_ints(h, "/expost/pit", 1, d_pit, e->pit, err));
    STEP(mkba_h5_store_doubles(h, "/expost/calibration", 1, d_cal, e->calibration, err));
    STEP(mkba_h5_store_doubles(h, "/expost/weight", 1, d_draw, e->w, err));
    STEP(mkba_h5_store_ints(h, "/expost/posterior_draw", 1, d_draw, e->index, err));
    STEP(mkba_h5_store_doubles(h, "/expost/update", 1, d_up, e->update, err));
    STEP(mkba_h5_store_strings(h, "/expost/parameter", (const char *const *)e->u.name,
                               e->u.n, err));
    STEP(mkba_h5_store_doubles(h, "/expost/parameter_summary", 2, d_par, e->par, err));
    if (e->refine.nstages > 0) {
        size_t d_st[1] = { e->refine.nstages };
        STEP(mkba_h5_store_group(h, "/expost/refine", "sequential Monte Carlo with adaptive "
                                 "likelihood tempering and resample-move (Del Moral, Doucet & "
                                 "Jasra 2006)", err));
        STEP(mkba_h5_store_doubles(h, "/expost/refine/phi", 1, d_st, e->refine.phi, err));
        STEP(mkba_h5_store_doubles(h, "/expost/refine/ess", 1, d_st, e->refine.ess, err));
        STEP(mkba_h5_store_doubles(h, "/expost/refine/acceptance", 1, d_st,
                                   e->refine.acceptance, err));
        STEP(mkba_h5_store_doubles(h, "/expost/refine/other_acceptance", 1, d_st,
                                   e->refine.other_acceptance, err));
        STEP(mkba_h5_store_doubles(h, "/expost/refine/swap_acceptance", 1, d_st,
                                   e->refine.swap_acceptance, err));
        size_t d_walk[2] = { e->refine.nstages, MKBA_WALKS };
        STEP(mkba_h5_store_ints(h, "/expost/refine/repeats", 2, d_walk, e->refine.repeats,
                                err));
        STEP(mkba_h5_store_doubles(h, "/expost/refine/decorrelation", 2, d_walk,
                                   e->refine.decorrelation, err));
        /* The settings the stages ran under, so a reader can tell where
         * --max-repeats stopped a walk; repeat_rule: the refined walk's
         * criterion ends the repeats. Written with repeats and
         * decorrelation always (the summary refuses repeats without them). */
        char setting[3][32];
        snprintf(setting[0], sizeof setting[0], "%ld", j->o->moves);
        snprintf(setting[1], sizeof setting[1], "%ld", j->o->max_stages);
        snprintf(setting[2], sizeof setting[2], "%ld", repeat_cap(j->o));
        STEP(mkba_h5_store_attr(h, "/expost/refine", "moves", setting[0], err));
        STEP(mkba_h5_store_attr(h, "/expost/refine", "max_stages", setting[1], err));
        STEP(mkba_h5_store_attr(h, "/expost/refine", "max_repeats", setting[2], err));
        STEP(mkba_h5_store_attr(h, "/expost/refine", "repeat_rule", MKBA_EXPOST_REPEAT_RULE,
                                err));
        STEP(mkba_h5_store_ints(h, "/expost/refine/particle_draw", 1, d_draw, e->particle_draw,
                                err));
        size_t d_pp[3] = { nd, j->m->narms, mkba_params_count(j->m->params) };
        STEP(mkba_h5_store_doubles(h, "/expost/refine/parameters", 3, d_pp, e->particle_par,
                                   err));
        const char **moved = mkba_malloc((e->refine.nparameters + 1) * sizeof *moved);
        if (moved == NULL && rc == MKBA_OK)
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        for (size_t i = 0; moved != NULL && i < e->refine.nparameters; i++)
            moved[i] = mkba_params_get(j->m->params, e->refine.parameter[i])->name;
        STEP(mkba_h5_store_strings(h, "/expost/refine/parameter", moved,
                                   e->refine.nparameters, err));
        mkba_free((void *)moved);
        double *free_par = mkba_malloc((e->u.n + 1) * sizeof *free_par);
        if (free_par == NULL && rc == MKBA_OK)
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        for (size_t i = 0; free_par != NULL && i < e->u.n; i++)
            free_par[i] = e->refine.reach[e->u.param[i]] ? 0.0 : 1.0;
        size_t d_fr[1] = { e->u.n };
        STEP(mkba_h5_store_doubles(h, "/expost/refine/free", 1, d_fr, free_par, err));
        mkba_free(free_par);
    }
    STEP(mkba_h5_store_group(h, "/expost/posterior", e->refine.nstages > 0
                             ? "the decision outputs recomputed on the posterior sample: the "
                               "refinement's final particles (/expost/refine/parameters, "
                               "/expost/refine/particle_draw)"
                             : "the decision outputs recomputed on the posterior sample: the "
                               "resampled draws /expost/posterior_draw", err));
    size_t d_nd[3] = { e->nperspectives, nd, d->narms };
    STEP(mkba_h5_store_doubles(h, "/expost/posterior/npv_draws", 3, d_nd, e->npv_draws, err));
    STEP(mkba_h5_store_doubles(h, "/expost/posterior/npv", 3, d_npv, d->npv, err));
    STEP(mkba_h5_store_doubles(h, "/expost/posterior/breakeven", 3, d_be, d->breakeven, err));
    STEP(mkba_h5_store_doubles(h, "/expost/posterior/payers", 3, d_pay, d->payer_table, err));
    STEP(mkba_h5_store_doubles(h, "/expost/posterior/npv_rank", 2, d_rank, d->rank_npv, err));
    STEP(mkba_h5_store_doubles(h, "/expost/posterior/evpi_npv", 1, one, d->evpi_npv, err));
#undef STEP
    if (h != NULL) {
        int rc2 = mkba_h5_store_close(h, rc == MKBA_OK ? err : NULL);
        rc = rc != MKBA_OK ? rc : rc2;
    }
    mkba_free((void *)labels);
    mkba_free((void *)metric);
    mkba_free((void *)lik);
    mkba_free(line);
    mkba_free(year);
    mkba_free(noise);
    return rc;
}

/* The study's on_finish: the ex-post analysis of the temporary file. */
static int analyse(void *user, const char *tmp, mkba_error *err)
{
    const job *j = user;
    mkba_h5_totals *t = NULL;
    int rc = mkba_h5_read_totals(tmp, &t, err);
    if (rc == MKBA_OK && t->ndraws < 2)
        rc = mkba_error_set(err, MKBA_EINVAL, "the ex-post update needs PSA draws; the run "
                            "has %zu", t->ndraws);
    expost e;
    memset(&e, 0, sizeof e);
    if (rc == MKBA_OK)
        rc = compute(j, tmp, t, &e, err);
    if (rc == MKBA_OK && e.update[MKBA_UP_REFINED] > 0 && e.update[MKBA_UP_FINAL_PHI] < 1
        && !j->o->accept_partial)
        rc = mkba_error_set(err, MKBA_EINVAL, "the refinement stopped at temperature %.3g "
                            "(1 is the posterior) after --max-stages %ld stages: the sample "
                            "is tempered, not a posterior, and its intervals are too wide; "
                            "raise --max-stages, or pass --accept-partial to keep it labelled "
                            "as tempered", e.update[MKBA_UP_FINAL_PHI], j->o->max_stages);
    if (rc == MKBA_OK && !j->o->refine && e.update[MKBA_UP_ESS] < MKBA_EXPOST_MIN_ESS_UNREFINED
        && !j->o->accept_partial)
        rc = mkba_error_set(err, MKBA_EINVAL, "the importance weights rest on %.2f effective "
                            "draws of %.0f: with --no-refine the posterior is about one PSA "
                            "draw and its intervals say nothing; rerun without --no-refine "
                            "(the sequential refinement) or with more --draws, or pass "
                            "--accept-partial to keep it labelled as too few draws",
                            e.update[MKBA_UP_ESS], e.update[MKBA_UP_DRAWS]);
    if (rc == MKBA_OK)
        rc = store(j, tmp, &e, err);
    expost_free(&e);
    mkba_h5_totals_free(t);
    return rc;
}

/* --from: the file must be a whole PSA of this scenario. */
static int check_from(job *j, mkba_error *err)
{
    const char *file = j->o->from;
    mkba_h5_totals *t = NULL;
    int rc = mkba_h5_read_totals(file, &t, err);
    if (rc != MKBA_OK)
        return rc;
    const mkba_model *m = j->m;
    if (t->narms != m->narms)
        rc = mkba_error_set(err, MKBA_EINVAL, "--from %s: the file has %zu arms, the scenario "
                            "%zu; give the scenario that wrote the file", file, t->narms,
                            m->narms);
    for (size_t a = 0; rc == MKBA_OK && a < m->narms; a++)
        if (strcmp(t->arm[a], m->arm[a].name) != 0)
            rc = mkba_error_set(err, MKBA_EINVAL, "--from %s: arm %zu is '%s' in the file but "
                                "'%s' in the scenario; give the scenario that wrote the file",
                                file, a + 1, t->arm[a], m->arm[a].name);
    if (rc == MKBA_OK && (t->design == NULL || strcmp(t->design, "psa") != 0 || t->draws < 2
                          || (size_t)t->draws != t->ndraws))
        rc = mkba_error_set(err, MKBA_EINVAL, "--from %s: the file must hold every draw of a "
                            "PSA run (mkba run with draws >= 2)", file);
    if (rc == MKBA_OK && (t->analysis_status == NULL
                          || strcmp(t->analysis_status, "written") != 0))
        rc = mkba_error_set(err, MKBA_EINVAL, "--from %s: the file has no decision outputs "
                            "(/analysis)", file);
    if (rc == MKBA_OK && t->households <= 0)
        rc = mkba_error_set(err, MKBA_EINVAL, "--from %s: a cohort run has no households to "
                            "confront with data; give a microsimulation run", file);
    j->households = t->households;
    mkba_h5_store *st = rc == MKBA_OK ? mkba_h5_store_open(file, 0, err) : NULL;
    if (rc == MKBA_OK && st == NULL)
        rc = err != NULL ? err->code : MKBA_EIO;
    /* The root attribute seed (docs/output.md): the refinement repeats the
     * file's draws, so it needs their seed, one whole number >= 0. */
    int has_seed = 0;
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_attr_u64(st, "/", "seed", &j->seed, &has_seed, err);
    if (rc == MKBA_OK && !has_seed)
        rc = mkba_error_set(err, MKBA_EPARSE, "--from %s: the file has no root attribute seed; "
                            "give a PSA file written by mkba run", file);
    if (rc == MKBA_OK)
        rc = mkba_expost_check_datasets(file, j->obs, err);
    if (rc == MKBA_OK && mkba_h5_store_has(st, "/expost"))
        rc = mkba_error_set(err, MKBA_EINVAL, "--from %s: the file already holds an ex-post "
                            "evaluation; give the PSA file it was made from", file);
    mkba_h5_store_close(st, NULL);
    mkba_h5_totals_free(t);
    return rc;
}

/* The options of the refinement's evaluations (refine.c) on the ranks
 * but 0, which follow rank 0's: the same households, seed and engine. */
static void follow_options(job *j)
{
    j->follow = (mkba_study_options){
        .output = "(rank 0's refinement file)", .force = 1, .households = j->households,
        .seed = j->seed, .threads = j->threads, .mode = MKBA_ENGINE_MICRO,
        .store_draws = 1, .stop = j->stop, .split = j->followers,
    };
}

/* Rank 0, once its part of --from is over (rc): no nested study follows,
 * and every rank's outcome is agreed (the file is committed only on
 * MKBA_OK), on rank 0 with the message of the first rank that failed. */
static int lead_end(job *j, int rc, mkba_error *err)
{
    if (j->followers == NULL)
        return rc;
    int rc2 = mkba_study_lead_end(j->followers, err);
    return mkba_split_agree(j->followers, rc != MKBA_OK ? rc : rc2, err);
}

/* --from's addition to the copy on rank 0: the analysis, then the ranks
 * agree before mkba_file_copy_and_add commits. */
typedef struct from_add {
    job *j;
    int ended;                 /* lead_end done */
} from_add;

static int analyse_from(void *user, const char *tmp, mkba_error *err)
{
    from_add *f = user;
    f->ended = 1;
    return lead_end(f->j, analyse(f->j, tmp, err), err);
}

static int run_from(job *j, mkba_error *err)
{
    const mkba_expost_options *o = j->o;
    /* Rank 0 alone reads the file (under mpirun on several hosts it may be
     * on rank 0's only); the ranks agree on its check, and the others get
     * the households and seed they follow the refinement with. */
    const int lead = mkba_split_rank(j->followers) == 0;
    int rc = lead ? check_from(j, err) : MKBA_OK;
    rc = mkba_split_agree(j->followers, rc, err);
    uint64_t from[2] = { (uint64_t)j->households, j->seed };
    if (rc == MKBA_OK)
        rc = mkba_split_share(j->followers, from, sizeof from, err);
    if (rc != MKBA_OK)
        return rc;
    j->households = (long)from[0];
    j->seed = from[1];
    follow_options(j);
    if (!lead) {
        /* Rank 0 alone writes; the others evaluate their share of its
         * refinement's points, and agree on the outcome before it commits. */
        rc = mkba_study_follow(j->followers, j->m, &j->follow, err);
        return mkba_split_agree(j->followers, rc, err);
    }
    from_add f = { j, 0 };
    rc = mkba_file_copy_and_add(o->from, o->output, analyse_from, &f, j->stop, err);
    return f.ended ? rc : lead_end(j, rc, err);
}

static int run_psa(const mkba_context *ctx, const job *j, mkba_error *err)
{
    const mkba_model *m = j->m;
    const mkba_expost_options *o = j->o;
    mkba_design *d = mkba_design_psa(m, o->draws >= 0 ? o->draws : m->draws, err);
    if (d == NULL)
        return err != NULL ? err->code : MKBA_ENOMEM;
    mkba_study_options so = {
        .output = o->output,
        .force = o->force,
        .households = o->households >= 0 ? o->households : m->households,
        .seed = j->seed,
        .threads = ctx != NULL && ctx->threads > 0 ? ctx->threads : omp_get_max_threads(),
        .mode = MKBA_ENGINE_MICRO,
        .analyse = 1,
        .store_draws = 1,
        /* expost has no --resume: a checkpoint left by an interruption
         * would only make the same command refuse to start over. */
        .no_checkpoint = 1,
        .on_finish = analyse,
        .user = (void *)j,
        .progress = ctx != NULL ? ctx->progress : NULL,
        .progress_user = ctx != NULL ? ctx->progress_user : NULL,
        .stop = ctx != NULL ? ctx->stop : NULL,
        .split = ctx != NULL ? ctx->split : NULL,
        .followers = j->followers,
        .follow = &j->follow,
    };
    int rc = mkba_study_run(m, d, &so, err);
    mkba_design_free(d);
    return rc;
}

/* The options, checked before the ranks agree to start (the same on
 * every rank of one command). */
static int check_options(const mkba_model *m, const mkba_expost_options *o, mkba_error *err)
{
    if (o->observed == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "expost needs the observed data: --observed "
                              "DATA.csv");
    if (o->output == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "expost needs an output file (-o)");
    if (!(o->min_ess_share > 0 && o->min_ess_share <= 1))
        return mkba_error_set(err, MKBA_EINVAL, "--min-ess expects a share of the draws in "
                              "(0, 1], got %g", o->min_ess_share);
    if (o->moves < 1 || o->moves > 1000 || o->max_stages < 1 || o->max_stages > 1000
        || o->max_refined < 1 || o->max_refined > 1000)
        return mkba_error_set(err, MKBA_EINVAL, "--moves and --max-stages expect 1 to 1000 "
                              "(got %ld and %ld)", o->moves, o->max_stages);
    if (o->max_repeats != -1 && (o->max_repeats < 0 || o->max_repeats > MKBA_EXPOST_MAX_REPEATS))
        return mkba_error_set(err, MKBA_EINVAL, "--max-repeats expects 0 to %d decorrelation "
                              "repeats a stage (0: none; default 3 x --moves), got %ld",
                              MKBA_EXPOST_MAX_REPEATS, o->max_repeats);
    if (!(o->conflict_level > 0 && o->conflict_level < 0.5))
        return mkba_error_set(err, MKBA_EINVAL, "--conflict-level expects a probability in "
                              "(0, 0.5), got %g", o->conflict_level);
    if (o->from != NULL && (o->draws >= 0 || o->households >= 0 || o->seed_set))
        return mkba_error_set(err, MKBA_EINVAL, "expost: --%s has no meaning with --from, "
                              "whose file holds its own draws",
                              o->draws >= 0 ? "draws" : o->households >= 0 ? "households"
                                                                           : "seed");
    if (o->from != NULL && strcmp(o->from, o->output) == 0)
        return mkba_error_set(err, MKBA_EINVAL, "expost: -o names the --from file %s; write "
                              "the evaluation to another file", o->from);
    long draws = o->draws >= 0 ? o->draws : m->draws;
    if (o->from == NULL && (draws < 2 || draws > 100000000L))
        return mkba_error_set(err, MKBA_EINVAL, "expost needs PSA draws: --draws from 2 to "
                              "100000000 (got %ld)", draws);
    return MKBA_OK;
}

static int expost_run(const mkba_context *ctx, const mkba_model *m,
                      const mkba_expost_options *o, mkba_error *err)
{
    job j = { .m = m, .o = o, .seed = o->seed_set ? o->seed : m->seed,
              .households = o->households >= 0 ? o->households : m->households,
              .threads = ctx != NULL && ctx->threads > 0 ? ctx->threads : omp_get_max_threads(),
              .stop = ctx != NULL ? ctx->stop : NULL };
    mkba_split *split = ctx != NULL ? ctx->split : NULL;
    /* Rank 0 alone reads the data and writes the output. */
    const int lead = mkba_split_rank(split) == 0;
    int rc = check_options(m, o, err);
    if (rc == MKBA_OK && o->refine_parameters != NULL)
        rc = mkba_expost_refine_check(m, o->refine_parameters, err);
    if (rc == MKBA_OK && lead)
        rc = mkba_observed_read(o->observed, m, &j.obs, err);
    /* A run (run_psa) takes the output's lock in its study; a copy (--from)
     * writes OUT.h5.tmp itself, so it holds the same lock while it does. */
    mkba_output_lock *lock = NULL;
    if (rc == MKBA_OK && lead)
        rc = o->from != NULL ? mkba_study_lock_output(o->output, o->force, &lock, err)
                             : mkba_study_check_output(o->output, o->force, err);
    /* Under mpirun the refinement's evaluations are divided among the
     * ranks too, on a split of their own; the ranks first agree that each
     * set up, so one that failed (here or before, in the command line or
     * the scenario) stops them all. */
    rc = mkba_split_child(split, rc, &j.followers, err);
    if (rc == MKBA_OK && o->from != NULL) {
        rc = run_from(&j, err);
    } else if (rc == MKBA_OK) {
        follow_options(&j);
        rc = run_psa(ctx, &j, err);
    }
    mkba_split_child_free(j.followers);
    mkba_output_lock_release(lock);
    mkba_observed_free(j.obs);
    return rc;
}

int mkba_expost_run(const mkba_context *ctx, const mkba_model *m,
                    const mkba_expost_options *o, mkba_error *err)
{
    mkba_alloc_scope scope = mkba_alloc_enter(mkba_context_allocator(ctx));
    int rc = expost_run(ctx, m, o, err);
    mkba_alloc_leave(scope);
    return rc;
}
