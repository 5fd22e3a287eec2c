/* One draw of the model: the engine's whole public face.
 *
 * mkba_engine_draw turns one vector of parameter values (per arm) into one
 * result record. It knows no file, no loop over draws and no analysis; the
 * study layer (src/study/) decides which values to evaluate and where the
 * records go. Behind it sit the three ways to simulate: the streaming
 * microsimulation (micro.c), the lockstep microsimulation of scenarios with
 * services (lockstep.c) and the expected-value cohort trace (cohort.c).
 *
 * In the streaming engine the households are split into fixed chunks that
 * threads take dynamically, each thread tallying into its own integer
 * counts. Because chunks are fixed, streams are keyed by household, and
 * integer sums do not depend on their order, every number is identical for
 * any thread count. */
#include <math.h>
#include <stdlib.h>
#include <omp.h>
#include "engine/engine.h"
#include "engine/services.h"

#define CHUNK 256

struct mkba_engine {
    const mkba_model *m;
    mkba_engine_mode mode;
    long households;
    int nthreads;
    mkba_layout *layout;
    mkba_tables *tables;
    mkba_counts *total;
    mkba_counts **thread_counts;   /* streaming engine */
    mkba_micro_work **thread_work;
    mkba_svc_work *svc;            /* scenarios with services */
    /* Batch means for the Monte Carlo standard error (streaming engine):
     * the households of a draw in nbatches fixed batches, each tallied on
     * its own into scratch; per batch its households and the per-household
     * discounted totals, [batch][arm][payer] and [batch][arm][effect]. */
    int nbatches;
    mkba_counts *batch;
    mkba_draw_result *scratch;
    mkba_engine_batches means;
};

void mkba_engine_free(mkba_engine *e)
{
    if (e == NULL)
        return;
    for (int i = 0; e->thread_counts && i < e->nthreads; i++)
        mkba_counts_free(e->thread_counts[i]);
    for (int i = 0; e->thread_work && i < e->nthreads; i++)
        mkba_micro_work_free(e->thread_work[i]);
    free(e->thread_counts);
    free(e->thread_work);
    mkba_svc_work_free(e->svc);
    mkba_counts_free(e->batch);
    mkba_draw_result_free(e->scratch);
    free(e->means.households);
    free(e->means.cost);
    free(e->means.effect);
    mkba_counts_free(e->total);
    mkba_tables_free(e->tables);
    mkba_layout_free(e->layout);
    free(e);
}

static int check_size(const mkba_model *m, mkba_engine_mode mode, long households,
                      mkba_error *err)
{
    if (mode == MKBA_ENGINE_COHORT) {
        if (m->services.enabled)
            return mkba_error_set(err, MKBA_EINVAL, "%s: the scenario has services, whose "
                                  "capacity couples households; they need the microsimulation, "
                                  "not the cohort trace", m->path != NULL ? m->path : m->name);
        return MKBA_OK;
    }
    if (households <= 0 || households > 2000000000L)
        return mkba_error_set(err, MKBA_EINVAL,
                              "households must be between 1 and 2000000000 (got %ld)", households);
    if (m->services.enabled && households > 20000000L)
        return mkba_error_set(err, MKBA_EINVAL, "households must be at most 20000000 with "
                              "services, which keep every household in memory (got %ld)",
                              households);
    return MKBA_OK;
}

/* Batches of at least MIN_BATCH households, at most MKBA_MCSE_BATCHES. */
#define MIN_BATCH 2

static int batches_alloc(mkba_engine *e)
{
    long b = e->households / MIN_BATCH;
    e->nbatches = b >= MKBA_MCSE_BATCHES ? MKBA_MCSE_BATCHES : b < 2 ? 0 : (int)b;
    mkba_engine_batches *mb = &e->means;
    mb->nbatches = (size_t)e->nbatches;
    mb->narms = e->m->narms;
    mb->npayers = e->m->npayers;
    mb->neffects = e->m->neffects;
    if (e->nbatches == 0)
        return MKBA_OK;
    size_t nb = mb->nbatches;
    e->batch = mkba_counts_alloc(e->layout);
    e->scratch = mkba_draw_result_alloc(e->m);
    mb->households = calloc(nb, sizeof *mb->households);
    mb->cost = calloc(nb * mb->narms * mb->npayers + 1, sizeof *mb->cost);
    mb->effect = calloc(nb * mb->narms * mb->neffects + 1, sizeof *mb->effect);
    return e->batch && e->scratch && mb->households && mb->cost && mb->effect ? MKBA_OK
                                                                            : MKBA_ENOMEM;
}

mkba_engine *mkba_engine_alloc(const mkba_model *m, mkba_engine_mode mode, long households,
                               int nthreads, mkba_error *err)
{
    if (check_size(m, mode, households, err) != MKBA_OK)
        return NULL;
    mkba_engine *e = calloc(1, sizeof *e);
    if (e == NULL) {
        mkba_error_set(err, MKBA_ENOMEM, "out of memory setting up the run");
        return NULL;
    }
    e->m = m;
    e->mode = mode;
    e->households = mode == MKBA_ENGINE_COHORT ? 0 : households;
    e->nthreads = nthreads > 0 ? nthreads : 1;
    e->layout = mkba_layout_alloc(m, err);
    if (e->layout == NULL) {
        mkba_engine_free(e);
        return NULL;
    }
    e->tables = mkba_tables_alloc(m, e->layout);
    e->total = mkba_counts_alloc(e->layout);
    if (e->tables == NULL || e->total == NULL)
        goto nomem;
    if (mode == MKBA_ENGINE_COHORT)
        return e;
    if (m->services.enabled) {
        e->svc = mkba_svc_work_alloc(m, e->layout, households, e->nthreads);
        if (e->svc == NULL) {
            mkba_error_set(err, MKBA_ENOMEM, "out of memory for the service records of "
                           "%ld households (about %.0f MB)", households,
                           (double)households * (29.0 + 3.0 * (double)m->ndomains
                                                 + 4.0 * (double)m->services.nteams) / 1e6);
            mkba_engine_free(e);
            return NULL;
        }
        return e;
    }
    if (batches_alloc(e) != MKBA_OK)
        goto nomem;
    e->thread_counts = calloc((size_t)e->nthreads, sizeof *e->thread_counts);
    e->thread_work = calloc((size_t)e->nthreads, sizeof *e->thread_work);
    if (e->thread_counts == NULL || e->thread_work == NULL)
        goto nomem;
    for (int i = 0; i < e->nthreads; i++) {
        e->thread_counts[i] = mkba_counts_alloc(e->layout);
        e->thread_work[i] = mkba_micro_work_alloc(e->layout);
        if (e->thread_counts[i] == NULL || e->thread_work[i] == NULL)
            goto nomem;
    }
    return e;
nomem:
    mkba_error_set(err, MKBA_ENOMEM, "out of memory setting up the run");
    mkba_engine_free(e);
    return NULL;
}

long mkba_engine_households(const mkba_engine *e)
{
    return e->households;
}

/* Largest amount a cost or effect rule may take, per household: far above
 * any real amount, and small enough that no sum over rules, cycles and
 * draws can overflow. */
#define AMOUNT_MAX 1e15

/* Checks every cost and effect amount of a draw, naming the rule. */
static int check_amounts(const mkba_model *m, const double *values, long draw, mkba_error *err)
{
    const size_t np = mkba_params_count(m->params);
    for (size_t a = 0; a < m->narms; a++) {
        const double *v = values + a * np;
        for (size_t i = 0; i < m->ncosts; i++) {
            const mkba_cost_rule *r = &m->cost[i];
            double x = v[r->amount];
            if ((r->arms >> a & 1u) && !(fabs(x) <= AMOUNT_MAX))
                return mkba_error_set(err, MKBA_ENUMERIC,
                                      "%s:%d: %s: draw %ld, arm '%s': the amount is %g; expected "
                                      "a finite amount within +-%g per household",
                                      r->file, r->line, r->path, draw, m->arm[a].name, x,
                                      AMOUNT_MAX);
        }
        for (size_t i = 0; i < m->neffect_rules; i++) {
            const mkba_effect_rule *r = &m->effect_rule[i];
            double x = v[r->amount];
            if ((r->arms >> a & 1u) && !(fabs(x) <= AMOUNT_MAX))
                return mkba_error_set(err, MKBA_ENUMERIC,
                                      "%s:%d: %s: draw %ld, arm '%s': the value is %g; expected "
                                      "a finite value within +-%g per household",
                                      r->file, r->line, r->path, draw, m->arm[a].name, x,
                                      AMOUNT_MAX);
        }
    }
    return MKBA_OK;
}

/* Simulates households [h0, h1) into e->total and, when e->batch is set,
 * also into e->batch. Chunks are fixed by household number, so the integer
 * counts do not depend on the threads. */
static void simulate_range(mkba_engine *e, uint64_t seed, uint32_t draw, long h0, long h1,
                           const mkba_engine_progress *p)
{
    const long nchunks = (h1 - h0 + CHUNK - 1) / CHUNK;
    const double per_household = (double)e->m->narms * (double)e->m->timing.ncycles;
    long next_report = 0;
#pragma omp parallel num_threads(e->nthreads)
    {
        int tid = omp_get_thread_num();
        mkba_counts *c = e->thread_counts[tid];
        mkba_counts_zero(c);
#pragma omp for schedule(dynamic, 1)
        for (long i = 0; i < nchunks; i++) {
            long a = h0 + i * CHUNK, b = a + CHUNK < h1 ? a + CHUNK : h1;
            mkba_micro_run(e->m, e->tables, seed, draw, (uint32_t)a, (uint32_t)b,
                           e->thread_work[tid], c);
            if (tid == 0 && p != NULL && p->fn != NULL && i >= next_report) {
                next_report = i + 16;
                p->fn(p->user, p->done_before + (double)b * per_household, p->total);
            }
        }
    }
    if (e->batch != NULL)
        mkba_counts_zero(e->batch);
    for (int i = 0; i < e->nthreads; i++) {
        mkba_counts_add(e->total, e->thread_counts[i]);
        if (e->batch != NULL)
            mkba_counts_add(e->batch, e->thread_counts[i]);
    }
}

/* Prices batch b's counts on their own: its per-household totals. */
static void price_batch(mkba_engine *e, size_t b, const double *values)
{
    mkba_engine_batches *mb = &e->means;
    mkba_counts_to_double(e->batch);
    mkba_tally(e->m, e->layout, e->batch, values, e->scratch);
    size_t nc = mb->narms * mb->npayers, ne = mb->narms * mb->neffects;
    mb->households[b] = e->batch->households;
    for (size_t i = 0; i < nc; i++)
        mb->cost[b * nc + i] = e->scratch->cost_total_disc[i];
    for (size_t i = 0; i < ne; i++)
        mb->effect[b * ne + i] = e->scratch->effect_total_disc[i];
}

/* Simulates every household of one draw into e->total (streaming engine),
 * batch by batch when the engine keeps batch means. */
static void simulate_households(mkba_engine *e, uint64_t seed, uint32_t draw,
                                const double *values, const mkba_engine_progress *p)
{
    const long H = e->households;
    mkba_counts_zero(e->total);
    if (e->nbatches == 0) {
        simulate_range(e, seed, draw, 0, H, p);
    } else {
        for (int b = 0; b < e->nbatches; b++) {
            long h0 = H * b / e->nbatches, h1 = H * (b + 1) / e->nbatches;
            simulate_range(e, seed, draw, h0, h1, p);
            price_batch(e, (size_t)b, values);
        }
    }
    mkba_counts_to_double(e->total);
}

const mkba_engine_batches *mkba_engine_last_batches(const mkba_engine *e)
{
    return e->nbatches > 0 ? &e->means : NULL;
}

int mkba_engine_draw(mkba_engine *e, const double *values, uint64_t seed, uint32_t draw,
                     mkba_draw_result *out, const mkba_engine_progress *progress,
                     mkba_error *err)
{
    const mkba_model *m = e->m;
    int rc = check_amounts(m, values, (long)draw, err);
    if (rc == MKBA_OK && m->services.enabled)
        rc = mkba_services_check(m, values, (long)draw, err);
    if (rc == MKBA_OK)
        rc = mkba_tables_resolve(e->tables, m, values, (long)draw, err);
    if (rc != MKBA_OK)
        return rc;
    if (e->svc != NULL)
        mkba_svc_run(m, e->tables, values, seed, draw, e->svc, e->total);
    else if (e->mode == MKBA_ENGINE_MICRO)
        simulate_households(e, seed, draw, values, progress);
    else if ((rc = mkba_cohort_run(m, e->tables, e->total, err)) != MKBA_OK)
        return rc;
    mkba_tally(m, e->layout, e->total, values, out);
    if (e->svc != NULL)
        mkba_svc_price(m, e->svc, out);
    return MKBA_OK;
}
