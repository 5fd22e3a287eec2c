/* The run driver: PSA draws in order, households of a draw in parallel.
 *
 * For each draw the parameter values and resolved tables are computed on
 * the calling thread; the households are then split into fixed chunks that
 * threads take dynamically, each thread tallying into its own counts. The
 * integer tallies are merged and priced once per draw. Because chunks are
 * fixed, streams are keyed by household, and integer sums do not depend on
 * their order, every number is identical for any thread count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "mkba/mkba.h"
#include "engine/engine.h"
#include "engine/services.h"
#include "io/h5out.h"

#define CHUNK 256

void mkba_run_options_init(mkba_run_options *o)
{
    memset(o, 0, sizeof *o);
    o->draws = -1;
    o->households = -1;
    o->mode = MKBA_MODE_MICRO;
}

typedef struct run_state {
    mkba_layout *layout;
    mkba_tables *tables;
    mkba_params_work *pwork;
    double *values;
    mkba_counts *total;
    mkba_counts **thread_counts;
    mkba_micro_work **thread_work;
    mkba_svc_work *svc;        /* scenarios with services */
    int nthreads;
    mkba_draw_result *result;
    mkba_h5_writer *writer;
} run_state;

static void run_state_free(run_state *s)
{
    mkba_layout_free(s->layout);
    mkba_tables_free(s->tables);
    mkba_params_work_free(s->pwork);
    free(s->values);
    mkba_counts_free(s->total);
    for (int i = 0; s->thread_counts && i < s->nthreads; i++)
        mkba_counts_free(s->thread_counts[i]);
    for (int i = 0; s->thread_work && i < s->nthreads; i++)
        mkba_micro_work_free(s->thread_work[i]);
    free(s->thread_counts);
    free(s->thread_work);
    mkba_svc_work_free(s->svc);
    mkba_draw_result_free(s->result);
}

static int run_state_init(run_state *s, const mkba_model *m, int micro, long households,
                          mkba_error *err)
{
    s->layout = mkba_layout_alloc(m, err);
    if (s->layout == NULL)
        return err ? err->code : MKBA_ENOMEM;
    s->tables = mkba_tables_alloc(m, s->layout);
    s->pwork = mkba_params_work_alloc(m->params);
    s->values = calloc(m->narms * (mkba_params_count(m->params) + 1), sizeof *s->values);
    s->total = mkba_counts_alloc(s->layout);
    s->result = mkba_draw_result_alloc(m);
    if (!s->tables || !s->pwork || !s->values || !s->total || !s->result)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory setting up the run");
    if (!micro)
        return MKBA_OK;
    if (m->services.enabled) {
        s->svc = mkba_svc_work_alloc(m, s->layout, households, s->nthreads);
        if (s->svc == NULL)
            return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the service records of "
                                  "%ld households (about %.0f MB)", households,
                                  (double)households * (29.0 + 3.0 * (double)m->ndomains
                                                        + 4.0 * (double)m->services.nteams) / 1e6);
        return MKBA_OK;
    }
    s->thread_counts = calloc((size_t)s->nthreads, sizeof *s->thread_counts);
    s->thread_work = calloc((size_t)s->nthreads, sizeof *s->thread_work);
    if (!s->thread_counts || !s->thread_work)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory setting up the run");
    for (int i = 0; i < s->nthreads; i++) {
        s->thread_counts[i] = mkba_counts_alloc(s->layout);
        s->thread_work[i] = mkba_micro_work_alloc(s->layout);
        if (!s->thread_counts[i] || !s->thread_work[i])
            return mkba_error_set(err, MKBA_ENOMEM, "out of memory for thread %d's tallies", i);
    }
    return MKBA_OK;
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

/* Simulates every household of one draw into s->total. */
static void simulate_draw(run_state *s, const mkba_model *m, uint64_t seed, uint32_t draw,
                          long households, const mkba_run_options *o, double done_before,
                          double total_work)
{
    const long nchunks = (households + CHUNK - 1) / CHUNK;
    const double per_household = (double)m->narms * (double)m->timing.ncycles;
    long next_report = 0;
    mkba_counts_zero(s->total);
#pragma omp parallel num_threads(s->nthreads)
    {
        int tid = omp_get_thread_num();
        mkba_counts *c = s->thread_counts[tid];
        mkba_counts_zero(c);
#pragma omp for schedule(dynamic, 1)
        for (long i = 0; i < nchunks; i++) {
            long h1 = (i + 1) * CHUNK < households ? (i + 1) * CHUNK : households;
            mkba_micro_run(m, s->tables, seed, draw, (uint32_t)(i * CHUNK), (uint32_t)h1,
                           s->thread_work[tid], c);
            if (tid == 0 && o->progress && i >= next_report) {
                next_report = i + 16;
                o->progress(o->progress_user, done_before + (double)h1 * per_household, total_work);
            }
        }
    }
    for (int i = 0; i < s->nthreads; i++)
        mkba_counts_add(s->total, s->thread_counts[i]);
    mkba_counts_to_double(s->total);
}

int mkba_run(const mkba_model *m, const mkba_run_options *o, mkba_error *err)
{
    long draws = o->draws >= 0 ? o->draws : m->draws;
    long households = o->households >= 0 ? o->households : m->households;
    uint64_t seed = o->seed_set ? o->seed : m->seed;
    int micro = o->mode == MKBA_MODE_MICRO;
    int base_case = draws == 0;
    long nall = base_case ? 1 : draws;
    long first = o->ndraws_part > 0 ? o->first_draw : 0;
    long count = o->ndraws_part > 0 ? o->ndraws_part : nall;

    if (micro && (households <= 0 || households > 2000000000L))
        return mkba_error_set(err, MKBA_EINVAL, "households must be between 1 and 2000000000 (got %ld)",
                              households);
    if (draws < 0 || draws > 100000000L)
        return mkba_error_set(err, MKBA_EINVAL, "draws must be between 0 and 100000000 (got %ld)", draws);
    if (first < 0 || first + count > nall)
        return mkba_error_set(err, MKBA_EINVAL, "draw range [%ld, %ld) is outside the %ld draws",
                              first, first + count, nall);

    if (!micro && m->services.enabled)
        return mkba_error_set(err, MKBA_EINVAL, "%s: the scenario has services, whose capacity "
                              "couples households; they need the microsimulation, not the "
                              "cohort trace", m->path != NULL ? m->path : m->name);
    if (m->services.enabled && households > 20000000L)
        return mkba_error_set(err, MKBA_EINVAL, "households must be at most 20000000 with "
                              "services, which keep every household in memory (got %ld)",
                              households);

    run_state s = {0};
    s.nthreads = o->threads > 0 ? o->threads : omp_get_max_threads();
    int rc = run_state_init(&s, m, micro, households, err);
    if (rc == MKBA_OK && o->output) {
        mkba_run_meta meta = {seed, draws, micro ? households : 0, s.nthreads,
                              micro ? "microsimulation" : "cohort",
                              !base_case ? "none" : m->base_case == MKBA_BASE_MODE ? "mode" : "mean"};
        s.writer = mkba_h5_create(o->output, o->force, m, &meta, (size_t)count, err);
        if (s.writer == NULL)
            rc = err ? err->code : MKBA_EIO;
    }
    const double per_draw = micro ? (double)households * (double)m->narms * m->timing.ncycles
                                  : (double)m->narms * m->timing.ncycles;
    for (long i = 0; rc == MKBA_OK && i < count; i++) {
        long draw = first + i;
        rc = mkba_params_sample(m->params, seed, (uint32_t)draw, base_case, m->base_case,
                                s.values, s.pwork, err);
        if (rc == MKBA_OK)
            rc = check_amounts(m, s.values, draw, err);
        if (rc == MKBA_OK && m->services.enabled)
            rc = mkba_services_check(m, s.values, draw, err);
        if (rc == MKBA_OK)
            rc = mkba_tables_resolve(s.tables, m, s.values, draw, err);
        if (rc != MKBA_OK)
            break;
        if (s.svc != NULL)
            mkba_svc_run(m, s.tables, s.values, seed, (uint32_t)draw, s.svc, s.total);
        else if (micro)
            simulate_draw(&s, m, seed, (uint32_t)draw, households, o, (double)i * per_draw,
                          (double)count * per_draw);
        else
            rc = mkba_cohort_run(m, s.tables, s.total, err);
        if (rc != MKBA_OK)
            break;
        mkba_tally(m, s.layout, s.total, s.values, s.result);
        if (s.svc != NULL)
            mkba_svc_price(m, s.svc, s.result);
        if (s.writer) {
            rc = mkba_h5_write_draw(s.writer, (size_t)i, s.result, err);
            if (rc == MKBA_OK)
                rc = mkba_h5_set_draw_index(s.writer, (size_t)i, draw, err);
        }
        if (o->progress)
            o->progress(o->progress_user, (double)(i + 1) * per_draw, (double)count * per_draw);
    }
    if (s.writer) {
        /* The finishing step (the program's decision outputs) writes into
         * the temporary file before the rename, so a file under the final
         * name is always complete; a part of a split run cannot run it (it
         * needs every draw) and says so instead. */
        if (rc == MKBA_OK)
            rc = mkba_h5_finish(s.writer, err);
        if (rc == MKBA_OK && o->ndraws_part <= 0) {
            if (o->finish)
                rc = o->finish(o->finish_user, mkba_h5_tmp_path(s.writer), err);
        } else if (rc == MKBA_OK) {
            char note[160];
            snprintf(note, sizeof note, "skipped: this file holds draws %ld to %ld of %ld only; "
                     "the analyses need every draw", first, first + count - 1, nall);
            mkba_h5_store *st = mkba_h5_store_open(mkba_h5_tmp_path(s.writer), 1, err);
            rc = st != NULL ? mkba_h5_store_attr(st, "/", "analysis_status", note, err)
                            : (int)(err ? err->code : MKBA_EIO);
            int rc3 = mkba_h5_store_close(st, rc == MKBA_OK ? err : NULL);
            if (rc == MKBA_OK)
                rc = rc3;
        }
        int rc2 = mkba_h5_close(s.writer, rc == MKBA_OK, err);
        if (rc == MKBA_OK)
            rc = rc2;
    }
    run_state_free(&s);
    return rc;
}
