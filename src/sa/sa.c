/* mkba_sa_run: sets up what every method shares and runs one (sa_impl.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <omp.h>
#include "mkba/sa.h"
#include "sa/sa_impl.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "analysis/mcse.h"
#include "model/params.h"
#include "study/split.h"

static const struct {
    const char *name, *what;
} method[] = {
#define MKBA_SA_ROW_(id, nm, wh) [MKBA_SA_##id] = { nm, wh },
    MKBA_SA_METHODS(MKBA_SA_ROW_)
#undef MKBA_SA_ROW_
};

static int (*const method_run[])(mkba_sa *, mkba_error *) = {
    [MKBA_SA_TORNADO] = mkba_sa_tornado,
    [MKBA_SA_THRESHOLD] = mkba_sa_threshold,
    [MKBA_SA_SWEEP] = mkba_sa_sweep,
    [MKBA_SA_SOBOL] = mkba_sa_sobol,
    [MKBA_SA_MORRIS] = mkba_sa_morris,
    [MKBA_SA_EVPPI] = mkba_sa_evppi,
    [MKBA_SA_PRIM] = mkba_sa_prim,
    [MKBA_SA_BELIEVE] = mkba_sa_believe,
};

int mkba_sa_method_find(const char *name)
{
    for (int i = 0; i < MKBA_SA_NMETHODS; i++)
        if (strcmp(method[i].name, name) == 0)
            return i;
    return -1;
}

const char *mkba_sa_method_name(mkba_sa_method m) { return method[m].name; }
const char *mkba_sa_method_what(mkba_sa_method m) { return method[m].what; }

void mkba_sa_options_init(mkba_sa_options *o)
{
    memset(o, 0, sizeof *o);
    o->households = -1;
    o->draws = -1;
    o->low = 0.05;
    o->high = 0.95;
    o->bootstrap = 200;
    o->levels = 4;
}

/* ---- evaluating points ---- */

void mkba_sa_factor_values(const mkba_sa *s, const double *params, double *x)
{
    size_t np = mkba_params_count(s->m->params);
    for (size_t f = 0; f < s->fs->n; f++) {
        const mkba_sa_factor *q = &s->fs->f[f];
        size_t a = q->arm >= 0 ? (size_t)q->arm : 0;
        /* The definition's value: the first simulated arm that does not
         * override it (a blended arm's row is NaN). */
        while (q->arm < 0 && a + 1 < mkba_model_simulated(s->m)
               && mkba_params_overridden(s->m->params, (size_t)q->param, a))
            a++;
        x[f] = params[a * np + (size_t)q->param];
    }
}

static int collect(void *user, size_t i, const mkba_draw_result *rec, mkba_error *err)
{
    mkba_sa *s = user;
    double *b = NULL, *h = NULL;
    if (s->keep_batches) {
        b = s->batch + i * s->nbatches * s->narms * s->nout;
        h = s->households + i * s->nbatches;
        for (size_t j = 0; j < s->nbatches * s->narms * s->nout; j++)
            b[j] = NAN;
        for (size_t j = 0; j < s->nbatches; j++)
            h[j] = 0.0;
    }
    if (s->x != NULL)
        mkba_sa_factor_values(s, rec->params, s->x + i * s->fs->n);
    s->nbatches_used = rec->nbatches;
    return mkba_sa_outcomes_eval(s->out, rec, s->y + i * s->narms * s->nout, b, h, err);
}

static int call_finish(void *user, const char *tmp, mkba_error *err)
{
    mkba_sa *s = user;
    return s->finish != NULL ? s->finish(s, tmp, err) : MKBA_OK;
}

int mkba_sa_evaluate(mkba_sa *s, const mkba_design *d, const char *output, int store_draws,
                     int (*fn)(mkba_sa *s, const char *tmp, mkba_error *err), mkba_error *err)
{
    size_t n = d->npoints, row = s->narms * s->nout;
    mkba_free(s->y);
    mkba_free(s->batch);
    mkba_free(s->households);
    s->batch = s->households = NULL;
    s->npoints = n;
    s->nbatches = MKBA_RESULT_BATCHES;
    s->y = mkba_malloc(n * row * sizeof *s->y);
    if (s->keep_batches) {
        s->batch = mkba_malloc(n * s->nbatches * row * sizeof *s->batch);
        s->households = mkba_malloc(n * s->nbatches * sizeof *s->households);
    }
    if (s->y == NULL || (s->keep_batches && (s->batch == NULL || s->households == NULL)))
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the outcomes of %zu points",
                              n);
    s->finish = fn;
    mkba_study_options so = s->so;
    so.output = output;
    so.force = s->o->force;
    so.resume = s->o->resume;
    so.no_checkpoint = s->o->no_checkpoint;
    so.yes = s->o->yes;
    so.store_draws = store_draws;
    so.on_point = collect;
    so.on_finish = call_finish;
    so.user = s;
    /* A method may run several studies: the points resumed add up, what
     * is kept is the stopped one's. */
    mkba_checkpoint_info info = { 0 };
    so.checkpoint = &info;
    int rc = mkba_study_run(s->m, d, &so, err);
    if (s->o->checkpoint != NULL) {
        long resumed = s->o->checkpoint->resumed + info.resumed;
        *s->o->checkpoint = info;
        s->o->checkpoint->resumed = resumed;
    }
    return rc;
}

mkba_design *mkba_sa_design_fix(const mkba_sa *s, mkba_design *d, mkba_error *err)
{
    for (size_t i = 0; d != NULL && i < s->o->nset; i++) {
        if (mkba_design_fix_spec(d, s->m, s->o->set_name[i], s->o->set_value[i], err) != MKBA_OK) {
            mkba_design_free(d);
            return NULL;
        }
    }
    return d;
}

mkba_design *mkba_sa_design(const mkba_sa *s, size_t npoints, mkba_design_row_fn fn,
                            void *user, mkba_error *err)
{
    mkba_design *d = mkba_design_generated(s->m, npoints, 1, (uint32_t)s->o->draw, fn, user,
                                           err);
    return mkba_sa_design_fix(s, d, err);
}

int mkba_sa_psa(mkba_sa *s, const char *what, long min_draws,
                int (*check)(mkba_sa *s, long draws, mkba_error *err),
                int (*finish)(mkba_sa *s, const char *tmp, mkba_error *err), mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    long draws = o->draws >= 0 ? o->draws : s->m->draws;
    if (o->from == NULL && draws < min_draws)
        return mkba_error_set(err, MKBA_EINVAL, "%s: needs at least %ld PSA draws (got %ld); "
                              "give --draws N", what, min_draws, draws);
    int rc = mkba_sa_factors_alloc(s->m, "--factors", o->factors, o->range, o->nrange, o->low,
                                   o->high, 0, 0, o->set_name, o->nset, &s->fs, err);
    if (rc != MKBA_OK)
        return rc;
    for (size_t f = 0; f < s->fs->n; f++)
        if (s->fs->f[f].explicit_range)
            return mkba_error_set(err, MKBA_EINVAL, "%s: --range has no meaning on PSA draws "
                                  "(%s); the draws span each factor's distribution", what,
                                  s->fs->f[f].label);
    if (o->from != NULL)
        return mkba_sa_psa_from(s, what, min_draws, check, finish, err);
    if (check != NULL && (rc = check(s, draws, err)) != MKBA_OK)
        return rc;
    mkba_design *d = mkba_sa_design_fix(s, mkba_design_psa(s->m, draws, err), err);
    if (d == NULL)
        return err != NULL ? err->code : MKBA_ENOMEM;
    s->x = mkba_malloc((size_t)draws * s->fs->n * sizeof *s->x);
    if (s->x == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory for the PSA draws");
    if (rc == MKBA_OK)
        rc = mkba_sa_evaluate(s, d, o->output, 1, finish, err);
    mkba_design_free(d);
    mkba_free(s->x);
    s->x = NULL;
    return rc;
}

typedef struct unit_design {
    const mkba_sa *s;
    const double *u;
} unit_design;

static void unit_row(void *user, size_t i, double *r)
{
    const unit_design *ud = user;
    const mkba_sa *s = ud->s;
    size_t k = s->fs->n;
    for (size_t f = 0; f < k; f++)
        mkba_sa_factor_set(&s->fs->f[f], s->m, r,
                           mkba_sa_factor_at(&s->fs->f[f], ud->u[i * k + f]));
}

int mkba_sa_unit_design(mkba_sa *s, const double *u, size_t npoints,
                        int (*finish)(mkba_sa *s, const char *tmp, mkba_error *err),
                        mkba_error *err)
{
    unit_design ud = { s, u };
    mkba_design *d = mkba_sa_design(s, npoints, unit_row, &ud, err);
    if (d == NULL)
        return err != NULL ? err->code : MKBA_ENOMEM;
    int rc = mkba_sa_evaluate(s, d, s->o->output, 0, finish, err);
    mkba_design_free(d);
    return rc;
}

void mkba_sa_column(const mkba_sa *s, size_t a, double *out)
{
    for (size_t i = 0; i < s->npoints; i++)
        out[i] = mkba_sa_y(s, i, a, (size_t)s->outcome);
}

/* The factor values of unit points u, [npoints][factor]; NULL when out of
 * memory. */
double *mkba_sa_unit_values(const mkba_sa *s, const double *u, size_t npoints)
{
    size_t k = s->fs->n;
    double *v = mkba_malloc((npoints * k + 1) * sizeof *v);
    for (size_t i = 0; v != NULL && i < npoints; i++)
        for (size_t f = 0; f < k; f++)
            v[i * k + f] = mkba_sa_factor_at(&s->fs->f[f], u[i * k + f]);
    return v;
}

double mkba_sa_diff_mcse(const mkba_sa *s, size_t p, size_t ap, size_t q, size_t aq, size_t k)
{
    size_t stride = s->nbatches * s->narms * s->nout, na = s->narms, no = s->nout;
    const double *bp = s->batch + p * stride, *bq = s->batch + q * stride;
    double w[MKBA_RESULT_BATCHES];
    if (!mkba_sa_outcome_linear(s->out, k))
        return NAN;
    for (size_t b = 0; b < s->nbatches_used; b++)
        w[b] = bq[(b * na + aq) * no + k] - bp[(b * na + ap) * no + k];
    return mkba_mcse_batches(w, s->households + p * s->nbatches, s->nbatches_used);
}

int mkba_sa_design_size(const char *option, size_t n, size_t per, mkba_error *err)
{
    if (n > MKBA_SA_MAX_DESIGN_POINTS / per)
        return mkba_error_set(err, MKBA_EINVAL, "%s %zu: the design would have more than the "
                              "%d points an analysis evaluates", option, n,
                              MKBA_SA_MAX_DESIGN_POINTS);
    return MKBA_OK;
}

int mkba_sa_prefix_error(mkba_error *err, const char *prefix)
{
    if (err == NULL)
        return MKBA_EINVAL;
    char msg[MKBA_ERROR_MAX];
    mkba_status code = err->code;
    snprintf(msg, sizeof msg, "%s", err->message);
    mkba_error_clear(err);
    return mkba_error_set(err, code, "%s: %s", prefix, msg);
}

int mkba_sa_need_outcome(const mkba_sa *s, int npv_only, const char *why, mkba_error *err)
{
    const char *name = mkba_sa_outcome_name(s->out, (size_t)s->outcome);
    if (npv_only ? strncmp(name, "npv:", 4) != 0 : !mkba_sa_outcome_linear(s->out, (size_t)s->outcome))
        return mkba_error_set(err, MKBA_EINVAL, "--outcome %s: %s; choose %s", name, why,
                              npv_only ? "npv:PERSPECTIVE (society, municipality, a payer)"
                                       : "an npv, cost or effect outcome, not a break-even "
                                         "year or ratio, which can be infinite or undefined");
    return MKBA_OK;
}

/* ---- the common part of the file ---- */

int mkba_sa_store_common(const mkba_sa *s, mkba_h5_store *st, const double *values,
                         mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    char text[64];
    int rc = mkba_h5_store_group(st, "/sa", "sensitivity analysis (docs/sensitivity.md)", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_attr(st, "/", "sa_method", mkba_sa_method_name(o->method), err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_attr(st, "/sa", "method", mkba_sa_method_name(o->method), err);
    if (rc == MKBA_OK && s->outcome >= 0)
        rc = mkba_h5_store_attr(st, "/sa", "outcome",
                                mkba_sa_outcome_name(s->out, (size_t)s->outcome), err);
    if (rc == MKBA_OK && s->arm >= 0)
        rc = mkba_h5_store_attr(st, "/sa", "arm", s->m->arm[s->arm].name, err);
    if (rc == MKBA_OK && s->versus >= 0)
        rc = mkba_h5_store_attr(st, "/sa", "versus", s->m->arm[s->versus].name, err);
    snprintf(text, sizeof text, "%ld", o->draw);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_attr(st, "/sa", "draw", text, err);
    const char **names = mkba_malloc((s->nout + (s->fs != NULL ? s->fs->n : 0) + 1)
                                     * sizeof *names);
    if (names == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory writing /sa");
    for (size_t i = 0; i < s->nout; i++)
        names[i] = mkba_sa_outcome_name(s->out, i);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_strings(st, "/sa/outcome", names, s->nout, err);
    for (size_t i = 0; i < s->nout; i++)
        names[i] = mkba_sa_outcome_unit(s->out, i);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_strings(st, "/sa/outcome_units", names, s->nout, err);
    if (rc == MKBA_OK && s->fs != NULL) {
        size_t nf = s->fs->n;
        double *rb = mkba_malloc(3 * nf * sizeof *rb);
        if (rb == NULL)
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing /sa");
        for (size_t i = 0; rc == MKBA_OK && i < nf; i++) {
            names[i] = s->fs->f[i].label;
            rb[2 * i] = s->fs->f[i].lo;
            rb[2 * i + 1] = s->fs->f[i].hi;
            rb[2 * nf + i] = s->fs->f[i].base;
        }
        size_t d2[2] = { nf, 2 };
        if (rc == MKBA_OK)
            rc = mkba_h5_store_strings(st, "/sa/factor", names, nf, err);
        if (rc == MKBA_OK)
            rc = mkba_h5_store_doubles(st, "/sa/factor_range", 2, d2, rb, err);
        if (rc == MKBA_OK)
            rc = mkba_h5_store_doubles(st, "/sa/factor_base", 1, d2, rb + 2 * nf, err);
        size_t dv[2] = { s->npoints, nf };
        if (rc == MKBA_OK && values != NULL)
            rc = mkba_h5_store_doubles(st, "/sa/point_factor_values", 2, dv, values, err);
        mkba_free(rb);
    }
    mkba_free(names);
    size_t dy[3] = { s->npoints, s->narms, s->nout };
    if (rc == MKBA_OK && s->y != NULL && s->npoints > 0)
        rc = mkba_h5_store_doubles(st, "/sa/point_outcomes", 3, dy, s->y, err);
    return rc;
}

/* ---- the run ---- */

static int find_arm(const mkba_model *m, const char *what, const char *name, int *out,
                    mkba_error *err)
{
    *out = name != NULL ? mkba_model_arm(m, what, name, err) : -1;
    return name != NULL && *out < 0 ? MKBA_EINVAL : MKBA_OK;
}

static int sa_run(const mkba_context *ctx, const mkba_model *m, const mkba_sa_options *o,
                  mkba_error *err)
{
    if ((int)o->method < 0 || o->method >= MKBA_SA_NMETHODS)
        return mkba_error_set(err, MKBA_EINVAL, "unknown sensitivity method");
    if (o->output == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "mkba sa needs a result file (-o)");
    if (o->draw < 0 || o->draw > 0xffffffffL)
        return mkba_error_set(err, MKBA_EINVAL, "--draw must be between 0 and 4294967295 "
                              "(got %ld)", o->draw);
    /* Held from before anything is written to the end: every method's
     * evaluations (also the preliminary ones of sweep and threshold, which
     * write nothing) and a --from copy belong to this run's output. */
    mkba_output_lock *lock = NULL;
    /* In a run across processes only rank 0 writes, so only it locks. */
    mkba_split *split = ctx != NULL ? ctx->split : NULL;
    int rc = MKBA_OK;
    if (!mkba_split_active(split) || mkba_split_rank(split) == 0)
        rc = mkba_study_lock_output(o->output, o->force, &lock, err);
    if (rc != MKBA_OK)
        return rc;
    mkba_sa s = { .m = m, .o = o, .narms = m->narms, .outcome = -1 };
    long households = o->households >= 0 ? o->households : m->households;
    s.so = (mkba_study_options){
        .households = households,
        .seed = o->seed_set ? o->seed : m->seed,
        .threads = ctx != NULL && ctx->threads > 0 ? ctx->threads : omp_get_max_threads(),
        .mode = MKBA_ENGINE_MICRO,
        .analyse = 1,
        .progress = ctx != NULL ? ctx->progress : NULL,
        .progress_user = ctx != NULL ? ctx->progress_user : NULL,
        .stop = ctx != NULL ? ctx->stop : NULL,
        .split = split,
        .output_locked = 1,
    };
    if ((s.out = mkba_sa_outcomes_alloc(m, err)) == NULL) {
        mkba_output_lock_release(lock);
        return err != NULL ? err->code : MKBA_ENOMEM;
    }
    s.nout = mkba_sa_outcome_count(s.out);
    const char *outcome = o->outcome != NULL ? o->outcome : "npv:society";
    if ((s.outcome = mkba_sa_outcome_find(s.out, "--outcome", outcome, err)) < 0)
        rc = err != NULL ? err->code : MKBA_EINVAL;
    if (rc == MKBA_OK && (o->bootstrap < 0 || o->bootstrap > 100000))
        rc = mkba_error_set(err, MKBA_EINVAL, "--bootstrap must be 0 to 100000 (got %ld)",
                            o->bootstrap);
    if (rc == MKBA_OK)
        rc = find_arm(m, "--arm", o->arm, &s.arm, err);
    if (rc == MKBA_OK)
        rc = find_arm(m, "--versus", o->versus, &s.versus, err);
    /* Every method compares arms with the reference; a threshold may
     * compare any two. */
    if (rc == MKBA_OK && m->narms < 2)
        rc = mkba_error_set(err, MKBA_EINVAL, "%s has one arm; a sensitivity analysis compares "
                            "arms against the reference arm", m->path ? m->path : "the scenario");
    if (rc == MKBA_OK && s.arm == m->reference && o->method != MKBA_SA_THRESHOLD)
        rc = mkba_error_set(err, MKBA_EINVAL, "--arm %s is the reference arm, which the others "
                            "are compared with; name another arm", m->arm[s.arm].name);
    if (rc == MKBA_OK)
        rc = method_run[o->method](&s, err);
    mkba_free(s.y);
    mkba_free(s.batch);
    mkba_free(s.households);
    mkba_sa_factors_free(s.fs);
    mkba_sa_outcomes_free(s.out);
    mkba_output_lock_release(lock);
    return rc;
}

int mkba_sa_run(const mkba_context *ctx, const mkba_model *m, const mkba_sa_options *o,
                mkba_error *err)
{
    if (o != NULL && o->checkpoint != NULL)
        *o->checkpoint = (mkba_checkpoint_info){ 0 };
    mkba_alloc_scope scope = mkba_alloc_enter(mkba_context_allocator(ctx));
    int rc = sa_run(ctx, m, o, err);
    mkba_alloc_leave(scope);
    return rc;
}
