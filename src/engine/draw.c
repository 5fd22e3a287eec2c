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

/* Simulates every household of one draw into e->total (streaming engine). */
static void simulate_households(mkba_engine *e, uint64_t seed, uint32_t draw,
                                const mkba_engine_progress *p)
{
    const long households = e->households;
    const long nchunks = (households + CHUNK - 1) / CHUNK;
    const double per_household = (double)e->m->narms * (double)e->m->timing.ncycles;
    long next_report = 0;
    mkba_counts_zero(e->total);
#pragma omp parallel num_threads(e->nthreads)
    {
        int tid = omp_get_thread_num();
        mkba_counts *c = e->thread_counts[tid];
        mkba_counts_zero(c);
#pragma omp for schedule(dynamic, 1)
        for (long i = 0; i < nchunks; i++) {
            long h1 = (i + 1) * CHUNK < households ? (i + 1) * CHUNK : households;
            mkba_micro_run(e->m, e->tables, seed, draw, (uint32_t)(i * CHUNK), (uint32_t)h1,
                           e->thread_work[tid], c);
            if (tid == 0 && p != NULL && p->fn != NULL && i >= next_report) {
                next_report = i + 16;
                p->fn(p->user, p->done_before + (double)h1 * per_household, p->total);
            }
        }
    }
    for (int i = 0; i < e->nthreads; i++)
        mkba_counts_add(e->total, e->thread_counts[i]);
    mkba_counts_to_double(e->total);
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
        simulate_households(e, seed, draw, progress);
    else if ((rc = mkba_cohort_run(m, e->tables, e->total, err)) != MKBA_OK)
        return rc;
    mkba_tally(m, e->layout, e->total, values, out);
    if (e->svc != NULL)
        mkba_svc_price(m, e->svc, out);
    return MKBA_OK;
}
