/* Sequential refinement when the importance weights collapse: sequential
 * Monte Carlo with adaptive likelihood tempering and resample-move
 * (Del Moral, Doucet & Jasra 2006; Chopin 2002; adaptive tempering as in
 * Jasra et al. 2011), run on the model through the study layer.
 *
 * State. A particle is (z, d): z the normal scores of every uncertain
 * parameter, so that their prior is N(0, I), and d a PSA draw number that
 * gives the households' random numbers (and the expressions' inputs that
 * are not in z). A univariate parameter (the scenario's definition, or an
 * arm's override) is theta = F^-1(Phi(z)). A Dirichlet vector is its
 * gamma representation: x_j = G_j^-1(Phi(z_j)) with G_j the Gamma(alpha_j,
 * 1) CDF, theta_j = x_j / sum x (the augmented target's theta-marginal is
 * the posterior of the vector; no Jacobian, as z keeps its N(0, I) prior).
 * A correlation (Gaussian copula with Cholesky factor L) is its
 * independent scores: x = L z, theta_i = F_i^-1(Phi(x_i)). The target is
 * N(z; 0, I) L(z, d)^phi with d uniform.
 *
 * Start: the N ex-ante PSA draws, z from their own values (a Dirichlet's
 * scale sum x, independent of its proportions, drawn fresh), d their draw.
 * Stage: phi rises to the largest value (at most 1) at which the
 * incremental weights L^(phi' - phi) keep an effective sample size of
 * N/2 (bisection); the particles are resampled (systematic) and moved by
 * Metropolis-Hastings steps of three kinds (move_kind): a Gaussian random
 * walk on the refined coordinates (the parameters the data speak about,
 * shaped by the particles' covariance, its factor adapted to its
 * acceptance), a random-scan Crank-Nicolson step on the other blocks
 * (other_proposal), and a fresh draw number d (an independence proposal
 * from the prior); after a stage's steps the walks repeat until the
 * refined coordinates have decorrelated from the resampling
 * (decorrelated: their accumulated squared jumps reach twice their
 * spread), the other walk taking turns while its informed scores have not
 * (with nothing refined, until those have), at most in->max_repeats
 * steps more (repeat_kind). Each step evaluates all N
 * proposals as one points design of the study layer (in parallel, the
 * same numbers for any thread count). Every random choice comes from one generator seeded by the
 * run's seed, on the calling thread. */
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

static double clamp_u(double u)
{
    return fmin(fmax(u, 1e-12), 1.0 - 1e-12);
}

static int univariate(mkba_dist_kind kind)
{
    return kind >= MKBA_DIST_NORMAL && kind <= MKBA_DIST_PERT;
}

/* Whether some simulated arm uses the scenario's own definition of
 * parameter k (a blended arm has no parameters: its parts' values act in
 * it, so it keeps nothing). */
static int own(const mkba_model *m, size_t k)
{
    for (size_t a = 0; a < mkba_model_simulated(m); a++)
        if (!mkba_params_overridden(m->params, k, a))
            return 1;
    return 0;
}

int mkba_expost_refinable(const mkba_model *m, size_t k)
{
    return own(m, k) && mkba_params_copula_path(m->params, k) == NULL
           && univariate(mkba_params_get(m->params, k)->dist.kind);
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
        if (!own(m, (size_t)k))
            return mkba_error_set(err, MKBA_EINVAL, "--refine-parameters: %s cannot be "
                                  "refined: every arm overrides it, so the scenario's own "
                                  "definition acts in no arm (a blended arm has no "
                                  "parameters); name a parameter that some arm keeps", name);
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

/* A block of the state: the coordinates [first, first + width) of z. */
typedef enum block_kind { BLOCK_UNIVARIATE = 0, BLOCK_DIRICHLET, BLOCK_COPULA } block_kind;

typedef struct block {
    block_kind kind;
    size_t k;                  /* the parameter; a Dirichlet's first component */
    int arm;                   /* univariate: -1 the scenario's definition, else
                                  the arm whose own override it is */
    const mkba_copula *cop;    /* BLOCK_COPULA */
    size_t first, width;
} block;

/* Free blocks. A block is free when no observed figure can depend on its
 * value, by the model's structure (free_blocks): every figure except
 * spending counts the households' paths, which only values read once per
 * draw steer (mkba_params_read_once: transitions, prevalences, teams...),
 * and a spending figure adds the cost rules booked to its payer; a value
 * that reaches neither, directly or through an expression of one that does
 * (mkba_params_inputs), is free: a utility, a cost of a payer no figure
 * observes, a parameter nothing reads. Its posterior is its prior, so every
 * refined proposal and FREE_SHARE of the other walk's redraw the free
 * blocks from the prior. This label is fixed before the first stage.
 *
 * The structure is conservative: many values read once per draw barely
 * touch the observed figures (a rare event, a setting of a team no figure
 * counts), and left to the other walk's steps they narrow with the
 * particles' genealogy. So a block that is not free is also "found free"
 * when its own one-block moves left the likelihood unchanged FREE_AFTER
 * times (within UNCHANGED relative: the study's sums differ in their last
 * bits from one point to another) and never changed it, and is redrawn
 * like the free ones. That label rests on the states probed: a block whose
 * effect binds only somewhere (a caseload) can be found free wrongly, and
 * a later probe that changes the likelihood takes the label back (a
 * quarter of the one-block moves go to any such block). (Probing every
 * block up front found more of these wrong labels, whose redraw at every
 * refined proposal dragged that walk: docs/expost.md.) Either way the
 * redraw is accepted by the likelihood ratio, an independence proposal
 * from the prior, so a wrong label costs efficiency, never validity.
 *
 * The other walk (other_proposal) moves the blocks that are not free. A
 * proposal does one of three things:
 * - (share FREE_SHARE, when some block is free or found free) it redraws
 *   all of those from the prior;
 * - (JOINT_SHARE of the rest) it moves every block not free nor found
 *   free at once, each by b = min(1, g b_j): b_j the block's own step, g a
 *   common factor adapted to these proposals' acceptance (towards
 *   OTHER_TARGET, gain JOINT_GAIN per proposal), so that the informed
 *   blocks outside the refined walk move at every such step;
 * - else it moves one block that is not free alone by its own
 *   Crank-Nicolson step b_j (OTHER_UNSURE of them the blocks not found
 *   free, in turn; the rest any), whose acceptance adapts b_j towards
 *   OTHER_TARGET (log b_j += OTHER_GAIN (alpha - OTHER_TARGET) after each
 *   of its proposals: a constant gain, not Robbins-Monro, so b_j is noisy,
 *   up to a factor e^0.75 per proposal; b_j at most 1: an exact draw from
 *   the prior).
 * Within a step the kernel is fixed (the found labels and steps change
 * only after its proposals are evaluated); across steps they depend on the
 * population, so this is adaptive SMC, with the usual O(1/N) bias. */
#define OTHER_TARGET 0.25
#define OTHER_GAIN 1.0
#define FREE_SHARE 0.25
#define JOINT_SHARE 0.5
#define JOINT_GAIN 0.05
#define STEP_FLOOR 1e-3
#define OTHER_UNSURE 0.75
#define FREE_AFTER 3
#define UNCHANGED 1e-9
#define DECORRELATED 2.0
enum { BLOCK_INFORMED = -1 };   /* probe[]: else the number of unchanged probes */

/* The random walks and the draw swap (the walks numbered as
 * /expost/refine/repeats has them). */
enum { MOVE_REFINED = MKBA_WALK_REFINED, MOVE_OTHER = MKBA_WALK_OTHER, MOVE_SWAP, MOVE_KINDS };

typedef struct smc {
    const mkba_expost_refine_input *in;
    size_t n, nz;              /* particles, coordinates */
    block *b;
    size_t nb;
    unsigned char *set;        /* [nz] MOVE_REFINED or MOVE_OTHER: which walk moves it */
    size_t count[2];           /* coordinates per walk */
    double *z, *ll;            /* [n][nz], [n] */
    uint32_t *d;               /* [n] */
    size_t *root, *root2;      /* [n] the ex-ante draw each particle descends from */
    double *z2, *ll2;          /* proposals */
    uint32_t *d2;
    double *x;                 /* [largest block] scratch */
    size_t *refined;           /* [count[MOVE_REFINED]] the refined walk's coordinates */
    double *chol;              /* [nr][nr] Cholesky factor of their particles' covariance */
    double *step;              /* [nb] the other walk's Crank-Nicolson step b per block */
    unsigned char *free;       /* [nb] no observed figure can depend on it (free_blocks) */
    int *probe;                /* [nb] of a block that is not free: BLOCK_INFORMED, or
                                  its one-block moves that left the likelihood as it was */
    size_t *others, *linked;   /* [nb] the other walk's blocks; those not free */
    size_t nothers, nlinked;
    size_t *unsure;            /* [nb] the linked blocks not found free (move) */
    size_t *pick;              /* [n] the block each proposal of the other walk moves
                                  (nb: the free redraw, nb + 1: the joint move) */
    double joint;              /* the joint move's common factor g */
    uint32_t next_draw;        /* the next fresh PSA draw number */
    size_t evaluations;
    double *jump[2];           /* [walk][n] the squared jump of each particle's scores
                                  that walk moves (tracked), accumulated since the
                                  stage's resampling */
} smc;

static void add_block(smc *s, block_kind kind, size_t k, int arm, const mkba_copula *cop,
                      size_t width)
{
    if (s->b != NULL)
        s->b[s->nb] = (block){ kind, k, arm, cop, s->nz, width };
    s->nb++;
    s->nz += width;
}

/* Lists the blocks of every uncertain parameter (s->b NULL: counts only). */
static void list_blocks(smc *s)
{
    const mkba_model *m = s->in->m;
    size_t np = mkba_params_count(m->params);
    s->nb = s->nz = 0;
    for (size_t k = 0; k < np; k++) {
        const mkba_param *p = mkba_params_get(m->params, k);
        if (p->dist.kind == MKBA_DIST_DIRICHLET && p->dist.group_index == 0 && own(m, k))
            add_block(s, BLOCK_DIRICHLET, k, -1, NULL, (size_t)p->dist.group_size);
        else if (mkba_expost_refinable(m, k))
            add_block(s, BLOCK_UNIVARIATE, k, -1, NULL, 1);
        for (size_t a = 0; a < mkba_model_simulated(m); a++)
            if (mkba_params_overridden(m->params, k, a) && univariate(p->arm_dist[a].kind))
                add_block(s, BLOCK_UNIVARIATE, k, (int)a, NULL, 1);
    }
    for (size_t c = 0; c < mkba_params_copula_count(m->params); c++) {
        const mkba_copula *cop = mkba_params_copula(m->params, c);
        add_block(s, BLOCK_COPULA, (size_t)cop->param[0], -1, cop, cop->n);
    }
}

static const mkba_dist *block_dist(const mkba_model *m, const block *b, size_t k)
{
    const mkba_param *p = mkba_params_get(m->params, k);
    return b->arm >= 0 ? &p->arm_dist[b->arm] : &p->dist;
}

/* The first arm whose value of parameter k is the block's: a simulated
 * one (a blended arm's row of the draws' values is NaN). */
static size_t block_arm(const mkba_model *m, const block *b, size_t k)
{
    if (b->arm >= 0)
        return (size_t)b->arm;
    size_t a = 0;
    while (a + 1 < mkba_model_simulated(m) && mkba_params_overridden(m->params, k, a))
        a++;
    return a;
}

/* The normal scores z[nz] of a PSA draw's values v[arm][param]; a
 * Dirichlet's scale comes from rng. */
static void scores(smc *s, const double *v, double *z, gsl_rng *rng)
{
    const mkba_model *m = s->in->m;
    size_t np = mkba_params_count(m->params);
    for (size_t i = 0; i < s->nb; i++) {
        const block *b = &s->b[i];
        double *zb = z + b->first;
        if (b->kind == BLOCK_UNIVARIATE) {
            double x = v[block_arm(m, b, b->k) * np + b->k];
            zb[0] = gsl_cdf_ugaussian_Pinv(clamp_u(dist_cdf(block_dist(m, b, b->k), x)));
        } else if (b->kind == BLOCK_DIRICHLET) {
            const double *alpha = mkba_params_get(m->params, b->k)->dist.alpha;
            double total = 0;
            for (size_t j = 0; j < b->width; j++)
                total += alpha[j];
            double scale = gsl_ran_gamma(rng, total, 1.0);
            const double *p = v + block_arm(m, b, b->k) * np + b->k;
            for (size_t j = 0; j < b->width; j++)
                zb[j] = gsl_cdf_ugaussian_Pinv(clamp_u(gsl_cdf_gamma_P(scale * p[j], alpha[j],
                                                                       1.0)));
        } else {
            /* x = L z: forward substitution. */
            const mkba_copula *c = b->cop;
            for (size_t r = 0; r < c->n; r++) {
                size_t k = (size_t)c->param[r];
                double x = v[block_arm(m, b, k) * np + k];
                double sum = gsl_cdf_ugaussian_Pinv(clamp_u(dist_cdf(block_dist(m, b, k), x)));
                for (size_t j = 0; j < r; j++)
                    sum -= c->chol[r * c->n + j] * zb[j];
                zb[r] = sum / c->chol[r * c->n + r];
            }
        }
    }
}

/* Sets parameter k (arm: -1 every arm using the definition) of point i
 * to v, the quantile of normal score zc: a quantile that failed (NaN,
 * infinite) is a bug, not "not set" (a NaN point would take draw d's value
 * and attach the likelihood to another state than z). */
static int set_value(smc *s, mkba_design *des, size_t i, size_t k, int arm, double v,
                     double zc, mkba_error *err)
{
    const mkba_model *m = s->in->m;
    if (!isfinite(v))
        return mkba_error_set(err, MKBA_EINTERNAL, "the refinement's value of %s at normal "
                              "score %g is %g: a quantile failed (a bug: please report it "
                              "with the scenario)", mkba_params_get(m->params, k)->name, zc, v);
    mkba_design_set_point(des, m, i, k, arm, v);
    return MKBA_OK;
}

/* Point i of des: the values of the normal scores z[nz]. */
static int set_values(smc *s, const double *z, mkba_design *des, size_t i, mkba_error *err)
{
    const mkba_model *m = s->in->m;
    int rc = MKBA_OK;
    for (size_t bi = 0; rc == MKBA_OK && bi < s->nb; bi++) {
        const block *b = &s->b[bi];
        const double *zb = z + b->first;
        if (b->kind == BLOCK_UNIVARIATE) {
            double v = mkba_dist_quantile(block_dist(m, b, b->k),
                                          clamp_u(gsl_cdf_ugaussian_P(zb[0])));
            rc = set_value(s, des, i, b->k, b->arm, v, zb[0], err);
        } else if (b->kind == BLOCK_DIRICHLET) {
            const double *alpha = mkba_params_get(m->params, b->k)->dist.alpha;
            double total = 0;
            for (size_t j = 0; j < b->width; j++)
                total += s->x[j] = gsl_cdf_gamma_Pinv(clamp_u(gsl_cdf_ugaussian_P(zb[j])),
                                                      alpha[j], 1.0);
            for (size_t j = 0; rc == MKBA_OK && j < b->width; j++)
                rc = set_value(s, des, i, b->k + j, -1, s->x[j] / total, zb[j], err);
        } else {
            const mkba_copula *c = b->cop;
            for (size_t r = 0; rc == MKBA_OK && r < c->n; r++) {
                double x = 0;
                for (size_t j = 0; j <= r; j++)
                    x += c->chol[r * c->n + j] * zb[j];
                size_t k = (size_t)c->param[r];
                double v = mkba_dist_quantile(block_dist(m, b, k),
                                              clamp_u(gsl_cdf_ugaussian_P(x)));
                rc = set_value(s, des, i, k, -1, v, x, err);
            }
        }
    }
    return rc;
}

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
        rc = set_values(s, z + i * s->nz, des, i, err);
    if (rc == MKBA_OK) {
        mkba_study_options so = in->study;
        so.output = in->scratch;
        so.force = 1;
        so.no_checkpoint = 1;  /* a scratch step: nothing to resume */
        /* Read back at once and removed: compressing each step's rows and
         * decompressing them again is serial work on this thread. */
        so.uncompressed = 1;
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

/* The coordinate of univariate parameter k's own definition, or nz. */
static size_t coordinate(const smc *s, size_t k)
{
    for (size_t i = 0; i < s->nb; i++)
        if (s->b[i].kind == BLOCK_UNIVARIATE && s->b[i].arm < 0 && s->b[i].k == k)
            return s->b[i].first;
    return s->nz;
}

/* Marks for the refined walk the (at most) max univariate parameters
 * whose normal scores correlate most with the log-likelihood over the
 * starting particles (|Pearson r|; ties: table order): the data speak
 * about those, and a random walk tuned to them mixes far better than one
 * over every coordinate. Their indices go to r[*nr]. */
static void screen(smc *s, long max, size_t *r, size_t *nr)
{
    size_t n = s->n, nf = 0;
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
    /* score[b]: the block's |r|, -1 when not a candidate or chosen. */
    double *score = s->x;
    for (size_t bi = 0; bi < s->nb; bi++) {
        const block *b = &s->b[bi];
        score[bi] = -1.0;
        if (b->kind != BLOCK_UNIVARIATE || b->arm >= 0)
            continue;
        double zm = 0, zv = 0, c = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(s->ll[i]))
                zm += s->z[i * s->nz + b->first] / (double)nf;
        for (size_t i = 0; i < n; i++)
            if (isfinite(s->ll[i])) {
                double dz = s->z[i * s->nz + b->first] - zm;
                zv += dz * dz;
                c += dz * (s->ll[i] - lm);
            }
        score[bi] = zv > 0 && lv > 0 ? fabs(c) / sqrt(zv * lv) : 0.0;
    }
    *nr = 0;
    for (long t = 0; t < max; t++) {
        size_t best = s->nb;
        for (size_t bi = 0; bi < s->nb; bi++)
            if (score[bi] >= 0 && (best == s->nb || score[bi] > score[best]))
                best = bi;
        if (best == s->nb)
            break;
        score[best] = -1.0;
        r[(*nr)++] = s->b[best].k;
    }
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
    mkba_free(s->b);
    mkba_free(s->set);
    mkba_free(s->z);
    mkba_free(s->ll);
    mkba_free(s->d);
    mkba_free(s->z2);
    mkba_free(s->ll2);
    mkba_free(s->d2);
    mkba_free(s->x);
    mkba_free(s->refined);
    mkba_free(s->chol);
    mkba_free(s->step);
    mkba_free(s->free);
    mkba_free(s->probe);
    mkba_free(s->unsure);
    mkba_free(s->others);
    mkba_free(s->linked);
    mkba_free(s->pick);
    mkba_free(s->root);
    mkba_free(s->root2);
    mkba_free(s->jump[MOVE_REFINED]);
    mkba_free(s->jump[MOVE_OTHER]);
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
        s->root2[i] = s->root[idx[i]];
        memcpy(s->z2 + i * s->nz, s->z + (size_t)idx[i] * s->nz, s->nz * sizeof *s->z);
        s->ll2[i] = s->ll[idx[i]];
        s->d2[i] = s->d[idx[i]];
    }
    memcpy(s->z, s->z2, s->n * s->nz * sizeof *s->z);
    memcpy(s->ll, s->ll2, s->n * sizeof *s->ll);
    memcpy(s->d, s->d2, s->n * sizeof *s->d);
    memcpy(s->root, s->root2, s->n * sizeof *s->root);
    return MKBA_OK;
}

/* The kind of move step `step` of `moves` makes: the refined walk on even
 * steps, the other walk on odd ones except the draw swap, which with 4 or
 * more moves comes at every eighth step and at the stage's last odd step
 * (of --moves 8: four, three and one; of 4: two, one and one); a walk
 * without coordinates gives its turn to the other. */
static int move_kind(const smc *s, long step, long moves)
{
    long last_odd = moves % 2 == 0 ? moves - 1 : moves - 2;
    int swap = moves >= 4 && (step % 8 == 7 || step == last_odd);
    int kind = step % 2 == 0 ? MOVE_REFINED : swap ? MOVE_SWAP : MOVE_OTHER;
    if (kind != MOVE_SWAP && s->count[kind] == 0)
        kind = 1 - kind;
    return kind;
}

/* The refined walk's proposal shape: the Cholesky factor of the
 * particles' covariance of its coordinates (Chopin 2002), so that it
 * follows the correlations of the posterior (detection against help
 * seeking); a factor that fails (a degenerate cloud) falls back to the
 * coordinates' spreads. */
static void proposal_shape(smc *s, const double *sd)
{
    size_t nr = s->count[MOVE_REFINED], n = s->n, nz = s->nz;
    double *l = s->chol;
    for (size_t a = 0; a < nr; a++)
        for (size_t b = 0; b <= a; b++) {
            size_t ca = s->refined[a], cb = s->refined[b];
            double ma = 0, mb = 0, c = 0;
            for (size_t i = 0; i < n; i++) {
                ma += s->z[i * nz + ca] / (double)n;
                mb += s->z[i * nz + cb] / (double)n;
            }
            for (size_t i = 0; i < n; i++)
                c += (s->z[i * nz + ca] - ma) * (s->z[i * nz + cb] - mb) / (double)n;
            l[a * nr + b] = c + (a == b ? 0.0025 : 0.0);   /* sd at least 0.05 */
        }
    for (size_t a = 0; a < nr; a++)
        for (size_t b = 0; b <= a; b++) {
            double v = l[a * nr + b];
            for (size_t k = 0; k < b; k++)
                v -= l[a * nr + k] * l[b * nr + k];
            if (a == b && !(v > 0)) {
                memset(l, 0, nr * nr * sizeof *l);
                for (size_t k = 0; k < nr; k++)
                    l[k * nr + k] = sd[s->refined[k]];
                return;
            }
            l[a * nr + b] = a == b ? sqrt(v) : v / l[b * nr + b];
        }
}

/* Preconditioned Crank-Nicolson on block bi of z: z' = sqrt(1 - b^2) z +
 * b xi. It keeps the N(0, I) prior (reversible with respect to it for a b
 * fixed during the step), so its acceptance is the likelihood ratio alone;
 * b = 1 is an exact draw from the prior. */
static void crank_nicolson(const smc *s, size_t bi, double b, double *z, gsl_rng *rng)
{
    const block *bl = &s->b[bi];
    for (size_t c = bl->first; c < bl->first + bl->width; c++)
        z[c] = sqrt(1.0 - b * b) * z[c] + b * gsl_ran_gaussian(rng, 1.0);
}

/* Whether block bi is redrawn from the prior: free, or found free. */
static int redrawn(const smc *s, size_t bi)
{
    return s->free[bi] || s->probe[bi] >= FREE_AFTER;
}

/* Redraws every free block of z from its prior. */
static void redraw_free(const smc *s, double *z, gsl_rng *rng)
{
    for (size_t o = 0; o < s->nothers; o++)
        if (redrawn(s, s->others[o]))
            crank_nicolson(s, s->others[o], 1.0, z, rng);
}

/* The other walk's proposal z (a particle's copy) of particle i, its
 * kind or block into s->pick[i]; unsure[nunsure]: the linked blocks not
 * found free, which the one-block moves take in turn from offset. */
static void other_proposal(smc *s, size_t nunsure, size_t offset, size_t i, double *z,
                           gsl_rng *rng)
{
    s->pick[i] = s->nb;
    if (nunsure < s->nothers && gsl_rng_uniform(rng) < FREE_SHARE) {
        redraw_free(s, z, rng);
        return;
    }
    if (s->nlinked == 0)
        return;
    if (nunsure > 0 && gsl_rng_uniform(rng) < JOINT_SHARE) {
        s->pick[i] = s->nb + 1;
        for (size_t u = 0; u < nunsure; u++)
            crank_nicolson(s, s->unsure[u], fmin(1.0, s->joint * s->step[s->unsure[u]]), z,
                           rng);
        return;
    }
    size_t bi = nunsure > 0 && gsl_rng_uniform(rng) < OTHER_UNSURE
                    ? s->unsure[(offset + i) % nunsure]
                    : s->linked[gsl_rng_uniform_int(rng, s->nlinked)];
    s->pick[i] = bi;
    crank_nicolson(s, bi, s->step[bi], z, rng);
}

/* What the other walk's proposal of particle i, with log acceptance
 * log_alpha, tells: the joint move's factor, or about its one block
 * whether its move changed the likelihood (found free, or informed), and
 * its step's adaptation. */
static void other_learn(smc *s, size_t i, double log_alpha)
{
    size_t bi = s->pick[i];
    double a = log_alpha >= 0 ? 1.0 : exp(log_alpha);
    if (bi == s->nb + 1)
        s->joint = fmin(1.0, fmax(STEP_FLOOR, s->joint * exp(JOINT_GAIN * (a - OTHER_TARGET))));
    if (bi >= s->nb)
        return;
    if (isfinite(s->ll2[i]) && fabs(s->ll2[i] - s->ll[i]) <= UNCHANGED * fabs(s->ll[i])) {
        if (s->probe[bi] != BLOCK_INFORMED && s->probe[bi] < FREE_AFTER)
            s->probe[bi]++;
    } else {
        s->probe[bi] = BLOCK_INFORMED;
    }
    s->step[bi] = fmin(1.0, fmax(STEP_FLOOR, s->step[bi] * exp(OTHER_GAIN * (a - OTHER_TARGET))));
}

/* Whether walk `walk` moves block bi by its own steps, so that the
 * block's decorrelation is that walk's: the refined coordinates for the
 * refined walk; for the other walk its informed blocks, those some figure
 * can depend on and not redrawn from the prior (the collapse check's,
 * sample_basis). */
static int tracked(const smc *s, int walk, size_t bi)
{
    if (s->set[s->b[bi].first] != walk)
        return 0;
    return walk == MOVE_REFINED || (!s->free[bi] && !redrawn(s, bi));
}

/* The squared distance between two states z and z2 over the scores that
 * walk `walk` tracks. */
static double walk_jump(const smc *s, int walk, const double *z, const double *z2)
{
    double sum = 0;
    for (size_t bi = 0; bi < s->nb; bi++) {
        const block *bl = &s->b[bi];
        if (!tracked(s, walk, bi))
            continue;
        for (size_t c = bl->first; c < bl->first + bl->width; c++)
            sum += (z2[c] - z[c]) * (z2[c] - z[c]);
    }
    return sum;
}

/* Of the scores walk `walk` tracks: how many (*tracked_scores), their
 * variance over the particles now, summed over those scores (*var_out),
 * and the particles' mean squared jump in them accumulated since the
 * stage's resampling (*jump_out). */
static void spread_and_jump(const smc *s, int walk, size_t *tracked_scores, double *var_out,
                            double *jump_out)
{
    size_t n = s->n, nz = s->nz;
    double var = 0, jump = 0;
    *tracked_scores = 0;
    for (size_t bi = 0; bi < s->nb; bi++) {
        const block *bl = &s->b[bi];
        if (!tracked(s, walk, bi))
            continue;
        *tracked_scores += bl->width;
        for (size_t c = bl->first; c < bl->first + bl->width; c++) {
            double mean = 0;
            for (size_t i = 0; i < n; i++)
                mean += s->z[i * nz + c] / (double)n;
            for (size_t i = 0; i < n; i++)
                var += (s->z[i * nz + c] - mean) * (s->z[i * nz + c] - mean) / (double)n;
        }
    }
    for (size_t i = 0; i < n; i++)
        jump += s->jump[walk][i] / (double)n;
    *var_out = var;
    *jump_out = jump;
}

/* Whether the particles have decorrelated from the stage's resampling in
 * the scores walk `walk` tracks: their squared jump accumulated since
 * then, averaged over the particles, reaches DECORRELATED times their
 * variance over the particles now, summed over those scores (two
 * independent draws from the same spread lie 2 var apart in mean square:
 * a ratio of 2 or more means the particles' moves since the resampling
 * are as large as the spread itself; Fearnhead & Taylor 2013 measure the
 * kernel by this expected squared jumping distance). No such score:
 * decorrelated. */
static int decorrelated(const smc *s, int walk)
{
    size_t tracked_scores;
    double var, jump;
    spread_and_jump(s, walk, &tracked_scores, &var, &jump);
    /* Copies that have not moved (no jump) are not decorrelated, even
     * when they are all alike (no spread). */
    return tracked_scores == 0 || (jump > 0 && jump >= DECORRELATED * var);
}

/* How far walk `walk` has decorrelated (decorrelated): the particles'
 * mean squared jump as a share of DECORRELATED x their variance (1 or
 * more: decorrelated; a walk that moved particles all alike counts 1);
 * NaN when the walk has no step among the stage's moves (ran) or no score
 * to decorrelate. For /expost/refine/decorrelation. */
static double decorrelation_share(const smc *s, int walk, long ran)
{
    size_t tracked_scores;
    double var, jump;
    spread_and_jump(s, walk, &tracked_scores, &var, &jump);
    if (ran == 0 || tracked_scores == 0)
        return NAN;
    return var > 0 ? jump / (DECORRELATED * var) : jump > 0 ? 1.0 : 0.0;
}

/* The walk that holds a stage open for its repeats: the refined walk when
 * it had a step among the stage's --moves (ran), else the other walk. */
static int holder(const long *ran)
{
    return ran[MOVE_REFINED] > 0 ? MOVE_REFINED : MOVE_OTHER;
}

/* The walk the stage's next decorrelation repeat runs, or MOVE_SWAP when
 * the stage is over. A walk needs a repeat when it had a step among the
 * stage's --moves (ran[walk]) and its scores have not decorrelated. The
 * holding walk (holder) decides: once its scores have decorrelated the
 * stage ends, whatever the other walk's; while they have not, the other
 * walk takes every second repeat if it needs one too (extra: the repeats
 * run so far). So the other walk moves beside the refined walk but never
 * holds the stage open: its informed scores are many (about 150 on the
 * shipped example), its step gains a few percent of its target at the
 * later stages, and it would run the cap at every one of them
 * (docs/expost.md, "Where the cap binds"). With nothing refined its own
 * criterion holds the stage, as before. */
static int repeat_kind(const smc *s, const long *ran, long extra)
{
    int need[2];
    for (int walk = MOVE_REFINED; walk <= MOVE_OTHER; walk++)
        need[walk] = ran[walk] > 0 && !decorrelated(s, walk);
    int h = holder(ran);
    if (!need[h])
        return MOVE_SWAP;
    return need[1 - h] && extra % 2 == 1 ? 1 - h : h;
}

/* One Metropolis-Hastings step of kind `kind` for every particle;
 * returns the number accepted in *accepted. */
static int move(smc *s, int kind, double scale, double phi, gsl_rng *rng, double *accepted,
                mkba_error *err)
{
    size_t n = s->n, nz = s->nz, nr = s->count[MOVE_REFINED], nunsure = 0;
    for (size_t o = 0; kind == MOVE_OTHER && o < s->nlinked; o++)
        if (s->probe[s->linked[o]] < FREE_AFTER)
            s->unsure[nunsure++] = s->linked[o];
    size_t offset = nunsure > 0 ? gsl_rng_uniform_int(rng, nunsure) : 0;
    for (size_t i = 0; i < n; i++) {
        s->d2[i] = kind == MOVE_SWAP ? s->next_draw++ : s->d[i];
        double *z2 = s->z2 + i * nz;
        memcpy(z2, s->z + i * nz, nz * sizeof *z2);
        if (kind == MOVE_OTHER)
            other_proposal(s, nunsure, offset, i, z2, rng);
        if (kind == MOVE_REFINED) {
            /* The free blocks' redraw is an independence proposal from
             * their prior: it adds no term to the ratio below. */
            redraw_free(s, z2, rng);
            for (size_t a = 0; a < nr; a++)
                s->x[a] = gsl_ran_gaussian(rng, 1.0);
            for (size_t a = 0; a < nr; a++) {
                double jump = 0;
                for (size_t b = 0; b <= a; b++)
                    jump += s->chol[a * nr + b] * s->x[b];
                z2[s->refined[a]] += scale * jump;
            }
        }
    }
    int rc = evaluate(s, s->z2, s->d2, s->ll2, err);
    *accepted = 0;
    for (size_t i = 0; rc == MKBA_OK && i < n; i++) {
        /* The prior ratio of the refined walk's coordinates (the
         * Crank-Nicolson step is reversible with respect to the prior: none). */
        double prior = 0.0;
        for (size_t r = 0; kind == MOVE_REFINED && r < nr; r++) {
            size_t c = s->refined[r];
            double a = s->z[i * nz + c], b = s->z2[i * nz + c];
            prior += 0.5 * (a * a - b * b);
        }
        double log_alpha = isfinite(s->ll2[i]) ? phi * (s->ll2[i] - s->ll[i]) + prior
                                              : -INFINITY;
        if (kind == MOVE_OTHER)
            other_learn(s, i, log_alpha);
        if (log(gsl_rng_uniform_pos(rng)) < log_alpha) {
            for (int walk = MOVE_REFINED; walk <= MOVE_OTHER; walk++)
                s->jump[walk][i] += walk_jump(s, walk, s->z + i * nz, s->z2 + i * nz);
            memcpy(s->z + i * nz, s->z2 + i * nz, nz * sizeof *s->z);
            s->ll[i] = s->ll2[i];
            s->d[i] = s->d2[i];
            (*accepted)++;
        }
    }
    return rc;
}

/* The particles' sd of each coordinate into sd[nz] (at least 0.05). */
static void spreads(const smc *s, double *sd)
{
    size_t n = s->n;
    for (size_t c = 0; c < s->nz; c++) {
        double mean = 0, var = 0;
        for (size_t i = 0; i < n; i++)
            mean += s->z[i * s->nz + c] / (double)n;
        for (size_t i = 0; i < n; i++)
            var += (s->z[i * s->nz + c] - mean) * (s->z[i * s->nz + c] - mean) / (double)n;
        sd[c] = fmax(sqrt(var), 0.05);
    }
}

/* What the final sample rests on (out->kept, free_coordinates,
 * other_spread): the distinct ex-ante draws the particles descend from
 * through every stage's resampling, the scores labelled free, and the mean
 * sd of the other scores outside the refined walk (those some observed
 * figure can depend on). Those are the ones a collapse shows in: the free
 * ones are redrawn from the prior at every refined step and the refined
 * ones by the tuned walk, but these move only by the other walk's steps,
 * so after few ancestors they stay near their ancestors' values. Their
 * prior sd is 1; the data may narrow them too, so a low value says
 * "collapsed or informed", which the report states. NaN when there are
 * none. sd is scratch of nz; seen of n. */
static void sample_basis(const smc *s, double *sd, unsigned char *seen,
                         mkba_expost_refine_result *out)
{
    memset(seen, 0, s->n);
    out->kept = 0;
    for (size_t i = 0; i < s->n; i++) {
        out->kept += !seen[s->root[i]];
        seen[s->root[i]] = 1;
    }
    spreads(s, sd);
    size_t nf = 0, nc = 0;
    double sum = 0;
    for (size_t o = 0; o < s->nothers; o++) {
        const block *bl = &s->b[s->others[o]];
        int is_free = redrawn(s, s->others[o]);
        for (size_t c = bl->first; c < bl->first + bl->width; c++) {
            nf += is_free;
            nc += !is_free;
            sum += is_free ? 0.0 : sd[c];
        }
    }
    out->free_coordinates = nf;
    out->other_spread = nc > 0 ? sum / (double)nc : NAN;
}

/* Whether a parameter of block b is marked in reach[]. */
static int block_reaches(const block *b, const unsigned char *reach)
{
    if (b->kind == BLOCK_COPULA) {
        for (size_t r = 0; r < b->cop->n; r++)
            if (reach[b->cop->param[r]])
                return 1;
        return 0;
    }
    for (size_t j = 0; j < b->width; j++)
        if (reach[b->k + j])
            return 1;
    return 0;
}

/* Labels free the other walk's blocks that no observed figure can depend
 * on, by the model's structure (see "Free blocks" above), and lists the
 * rest in s->linked; reach[np] (zeroed): 1 for the parameters some
 * observed figure can depend on. */
static int free_blocks(smc *s, unsigned char *reach)
{
    const mkba_model *m = s->in->m;
    const mkba_observed *obs = s->in->obs;
    size_t np = mkba_params_count(m->params);
    unsigned char *spent = mkba_calloc(m->npayers + 1, 1);
    int rc = spent != NULL ? MKBA_OK : MKBA_ENOMEM;
    for (size_t o = 0; rc == MKBA_OK && o < obs->n; o++)
        for (size_t p = 0; p < m->npayers; p++)
            spent[p] |= (unsigned char)mkba_observation_reads_payer(&obs->obs[o], p);
    for (size_t k = 0; rc == MKBA_OK && k < np; k++)
        reach[k] = (unsigned char)mkba_params_read_once(m->params, k);
    for (size_t i = 0; rc == MKBA_OK && i < m->ncosts; i++) {
        const mkba_cost_rule *r = &m->cost[i];
        if (r->amount >= 0 && (spent[r->payer] || (r->transfer_to >= 0 && spent[r->transfer_to])))
            reach[r->amount] = 1;
    }
    if (rc == MKBA_OK)
        rc = mkba_params_inputs(m->params, reach);
    s->nlinked = 0;
    for (size_t o = 0; rc == MKBA_OK && o < s->nothers; o++) {
        size_t bi = s->others[o];
        s->free[bi] = !block_reaches(&s->b[bi], reach);
        if (!s->free[bi])
            s->linked[s->nlinked++] = bi;
    }
    mkba_free(spent);
    return rc;
}

/* Allocates the state of n particles over the blocks of every uncertain
 * parameter. */
static int smc_alloc(smc *s, const mkba_expost_refine_input *in)
{
    memset(s, 0, sizeof *s);
    s->in = in;
    s->n = in->ndraws;
    list_blocks(s);
    size_t nb = s->nb, widest = nb;
    s->b = mkba_malloc((nb + 1) * sizeof *s->b);
    if (s->b == NULL)
        return MKBA_ENOMEM;
    list_blocks(s);
    for (size_t i = 0; i < nb; i++)
        widest = s->b[i].width > widest ? s->b[i].width : widest;
    size_t nz = s->n * (s->nz + 1);
    s->set = mkba_calloc(s->nz + 1, 1);
    s->z = mkba_malloc(nz * sizeof *s->z);
    s->z2 = mkba_malloc(nz * sizeof *s->z2);
    s->ll = mkba_malloc(s->n * sizeof *s->ll);
    s->ll2 = mkba_malloc(s->n * sizeof *s->ll2);
    s->d = mkba_malloc(s->n * sizeof *s->d);
    s->d2 = mkba_malloc(s->n * sizeof *s->d2);
    s->x = mkba_malloc((widest + 1) * sizeof *s->x);
    s->step = mkba_malloc((nb + 1) * sizeof *s->step);
    s->free = mkba_calloc(nb + 1, 1);
    s->probe = mkba_calloc(nb + 1, sizeof *s->probe);
    s->unsure = mkba_malloc((nb + 1) * sizeof *s->unsure);
    s->others = mkba_malloc((nb + 1) * sizeof *s->others);
    s->linked = mkba_malloc((nb + 1) * sizeof *s->linked);
    s->pick = mkba_malloc((s->n + 1) * sizeof *s->pick);
    s->root = mkba_malloc((s->n + 1) * sizeof *s->root);
    s->root2 = mkba_malloc((s->n + 1) * sizeof *s->root2);
    s->jump[MOVE_REFINED] = mkba_calloc(s->n + 1, sizeof *s->jump[MOVE_REFINED]);
    s->jump[MOVE_OTHER] = mkba_calloc(s->n + 1, sizeof *s->jump[MOVE_OTHER]);
    for (size_t i = 0; s->step != NULL && i < nb; i++)
        s->step[i] = 1.0;   /* the prior: a free block stays there */
    s->joint = 1.0;
    return s->set && s->z && s->z2 && s->ll && s->ll2 && s->d && s->d2 && s->x && s->step
                   && s->free && s->probe && s->unsure && s->others && s->linked && s->pick && s->root && s->root2
                   && s->jump[MOVE_REFINED] && s->jump[MOVE_OTHER]
               ? MKBA_OK : MKBA_ENOMEM;
}

int mkba_expost_refine(const mkba_expost_refine_input *in, mkba_expost_refine_result *out,
                       mkba_error *err)
{
    memset(out, 0, sizeof *out);
    const mkba_model *m = in->m;
    smc s;
    size_t np = mkba_params_count(m->params), na = m->narms, n = in->ndraws;
    int rc = smc_alloc(&s, in);
    double *w = mkba_malloc(n * sizeof *w), *sd = mkba_malloc((s.nz + 1) * sizeof *sd);
    long *idx = mkba_malloc(n * sizeof *idx);
    size_t cap = (size_t)in->max_stages;
    out->phi = mkba_calloc(cap, sizeof *out->phi);
    out->ess = mkba_calloc(cap, sizeof *out->ess);
    out->acceptance = mkba_calloc(cap, sizeof *out->acceptance);
    out->other_acceptance = mkba_calloc(cap, sizeof *out->other_acceptance);
    out->swap_acceptance = mkba_calloc(cap, sizeof *out->swap_acceptance);
    out->repeats = mkba_calloc(cap * MKBA_WALKS, sizeof *out->repeats);
    out->decorrelation = mkba_calloc(cap * MKBA_WALKS, sizeof *out->decorrelation);
    out->parameter = mkba_calloc(np + 1, sizeof *out->parameter);
    out->reach = mkba_calloc(np + 1, 1);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rc != MKBA_OK || !w || !sd || !idx || !out->phi || !out->ess || !out->acceptance
        || !out->other_acceptance || !out->swap_acceptance || !out->repeats
        || !out->decorrelation || !out->parameter || !out->reach || !rng)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory for the refinement of %zu "
                            "particles", n);
    if (rc == MKBA_OK && in->names != NULL)
        rc = named(m, in->names, out->parameter, &out->nparameters, err);
    if (rc == MKBA_OK && s.nz == 0)
        rc = mkba_error_set(err, MKBA_EINVAL, "the refinement has no parameter to move: no "
                            "parameter of the scenario has a distribution");
    if (rc == MKBA_OK) {
        gsl_rng_set(rng, (unsigned long)(in->study.seed ^ 0x534d4321ULL));
        s.next_draw = (uint32_t)n;
        /* The particles start as the PSA draws. */
        for (size_t i = 0; i < n; i++) {
            s.d[i] = (uint32_t)i;
            s.root[i] = i;
            s.ll[i] = in->loglik[i];
            scores(&s, in->params + i * na * np, s.z + i * s.nz, rng);
        }
        if (in->names == NULL)
            screen(&s, in->max_refined, out->parameter, &out->nparameters);
        for (size_t c = 0; c < s.nz; c++)
            s.set[c] = MOVE_OTHER;
        for (size_t j = 0; j < out->nparameters; j++) {
            size_t c = coordinate(&s, out->parameter[j]);
            if (c < s.nz)
                s.set[c] = MOVE_REFINED;
        }
        for (size_t c = 0; c < s.nz; c++)
            s.count[s.set[c]]++;
        s.refined = mkba_malloc((s.count[MOVE_REFINED] + 1) * sizeof *s.refined);
        s.chol = mkba_malloc((s.count[MOVE_REFINED] * s.count[MOVE_REFINED] + 1)
                             * sizeof *s.chol);
        if (s.refined == NULL || s.chol == NULL)
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        for (size_t c = 0, r = 0; rc == MKBA_OK && c < s.nz; c++)
            if (s.set[c] == MOVE_REFINED)
                s.refined[r++] = c;
        for (size_t bi = 0; rc == MKBA_OK && bi < s.nb; bi++)
            if (s.set[s.b[bi].first] == MOVE_OTHER)
                s.others[s.nothers++] = bi;
        if (rc == MKBA_OK && free_blocks(&s, out->reach) != MKBA_OK)
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    }
    double phi = 0.0;
    double scale = 2.38 / sqrt((double)(s.count[MOVE_REFINED] > 0 ? s.count[MOVE_REFINED]
                                                                    : 1));
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
        /* An invariant, not a state of the data (docs/reliability.md,
         * "Error paths and coverage"): the refinement starts with some
         * finite log-likelihood (expost.c refuses an ESS of 0 first), hi
         * is positive, resampling keeps a copy of the largest weight, and
         * a move is accepted only with a finite log-likelihood; so ess is
         * at least 1. Kept as a guard: resampling weights summing to 0
         * would give NaN. */
        if (!(ess > 0)) {
            rc = mkba_error_set(err, MKBA_EINVAL, "the refinement found no particle "
                                "compatible with the data");
            break;
        }
        phi = fmin(1.0, phi + hi);
        if (1.0 - phi < 1e-9)
            phi = 1.0;
        rc = resample(&s, w, gsl_rng_uniform(rng), idx);
        memset(s.jump[MOVE_REFINED], 0, n * sizeof *s.jump[MOVE_REFINED]);
        memset(s.jump[MOVE_OTHER], 0, n * sizeof *s.jump[MOVE_OTHER]);
        if (rc != MKBA_OK) {
            mkba_error_set(err, MKBA_ENOMEM, "out of memory");
            break;
        }
        /* The refined walk's fallback scale per coordinate: the particles'
         * spread. */
        spreads(&s, sd);
        proposal_shape(&s, sd);
        double accepted[MOVE_KINDS] = { 0, 0, 0 }, proposed[MOVE_KINDS] = { 0, 0, 0 };
        long ran[MOVE_KINDS] = { 0, 0, 0 };
        long repeats[2] = { 0, 0 };
        for (long step = 0; rc == MKBA_OK; step++) {
            /* The stage's --moves steps, then the decorrelation repeats:
             * the resampling copied some particles many times, so the
             * walks repeat until the holding walk's scores have
             * decorrelated (repeat_kind), at most --max-repeats steps
             * more. A walk --moves gave no step does not repeat (--moves
             * 1: the refined walk alone, test_collapse_check). */
            long extra = step - in->moves;
            int kind = extra < 0 ? move_kind(&s, step, in->moves)
                       : extra < in->max_repeats ? repeat_kind(&s, ran, extra)
                       : MOVE_SWAP;
            if (extra >= 0 && kind == MOVE_SWAP)
                break;
            if (extra < 0) {
                ran[kind]++;
            } else {
                repeats[kind]++;
            }
            double step_acc = 0;
            rc = move(&s, kind, scale, phi, rng, &step_acc, err);
            accepted[kind] += step_acc;
            proposed[kind] += (double)n;
            /* Keep the refined walk's acceptance in a useful range (the
             * other walk adapts each block's step itself). */
            if (kind == MOVE_REFINED && step_acc < 0.15 * (double)n)
                scale *= 0.5;
            else if (kind == MOVE_REFINED && step_acc > 0.5 * (double)n)
                scale *= 2.0;
        }
        double *rate[MOVE_KINDS] = { out->acceptance, out->other_acceptance,
                                     out->swap_acceptance };
        for (int k = 0; k < MOVE_KINDS; k++)
            rate[k][out->nstages] = proposed[k] > 0 ? accepted[k] / proposed[k] : NAN;
        for (int walk = MOVE_REFINED; walk <= MOVE_OTHER; walk++) {
            size_t at = out->nstages * MKBA_WALKS + (size_t)walk;
            out->repeats[at] = (int)repeats[walk];
            out->decorrelation[at] = decorrelation_share(&s, walk, ran[walk]);
        }
        out->phi[out->nstages] = phi;
        out->ess[out->nstages] = ess;
        out->nstages++;
    }
    out->final_phi = phi;
    /* The final particles, evaluated once more into the scratch file, are
     * the posterior sample (equal weights). */
    if (rc == MKBA_OK)
        rc = evaluate(&s, s.z, s.d, s.ll2, err);
    out->evaluations = s.evaluations;
    out->coordinates = s.nz;
    unsigned char *seen = rc == MKBA_OK ? mkba_malloc(n + 1) : NULL;
    if (rc == MKBA_OK && seen == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    if (rc == MKBA_OK)
        sample_basis(&s, sd, seen, out);
    mkba_free(seen);
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
    mkba_free(r->other_acceptance);
    mkba_free(r->swap_acceptance);
    mkba_free(r->repeats);
    mkba_free(r->decorrelation);
    mkba_free(r->draw);
    mkba_free(r->parameter);
    mkba_free(r->reach);
    memset(r, 0, sizeof *r);
}
