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
#include <string.h>
#include <omp.h>
#include "engine/engine.h"
#include "core/alloc.h"
#include "engine/services.h"
#include "results/blend.h"

#define CHUNK 256

struct mkba_engine {
    const mkba_model *m;
    /* A model with blended arms: the engine runs `view`, the model of its
     * simulated arms alone, into sim_out, and mkba_blend_record fills the
     * caller's record of `blended` from it (NULL, NULL without blends). */
    const mkba_model *blended;
    mkba_model view;
    mkba_draw_result *sim_out;
    mkba_engine_mode mode;
    long households;
    int nthreads;
    mkba_layout *layout;
    mkba_tables *tables;
    mkba_counts *total;
    mkba_svc_work *svc;            /* scenarios with services */
    /* Services with entrants: the open population's run, whose counts
     * and service costs only the budget view reads (docs/budget.md). */
    mkba_svc_work *svc_open;
    mkba_counts *open;
    /* Batch means for the Monte Carlo standard error: the households of a
     * draw in nbatches fixed batches, each priced on its own from its
     * counts (batch[b]) by mkba_tally_batches; scratch takes the service
     * costs, which every batch shares. */
    int nbatches;
    mkba_counts *batch[MKBA_RESULT_BATCHES];
    double *alive_work;            /* [batch or group][point] */
    double *batch_ytd;             /* [batch][arm][cycle][payer]: year-to-date costs */
    /* "For whom": the draw's counts of each household group
     * (mkba_result_groups), priced like batches (groups.c). */
    mkba_counts *group[MKBA_RESULT_GROUPS];
    mkba_draw_result *scratch;
    /* The streaming engine: the batches' chunks, and per thread and batch
     * integer counts ([thread * nbatches + batch]), zeroed when a thread
     * first takes a chunk of the batch in a draw (used[] holds that draw's
     * serial number), so a draw touches only what it uses. */
    mkba_chunks chunks;
    mkba_counts **thread_counts;
    mkba_counts **work_counts;     /* [thread]: the counts a thread adds to */
    unsigned *used;
    unsigned serial;
    mkba_micro_work **thread_work;
    /* Parameters that vary by year (docs/model.md, "Calendar time"): their
     * value in every cycle of the draw, evaluated before the households
     * run, with the engine's own evaluators; NULL when none varies. */
    mkba_params_work *time_work;
    double *year;                  /* [cycle]: the year each cycle starts in */
    double *by_cycle;              /* [arm][column][cycle] */
};

void mkba_engine_free(mkba_engine *e)
{
    if (e == NULL)
        return;
    for (int i = 0; e->thread_counts && i < e->nthreads * e->nbatches; i++)
        mkba_counts_free(e->thread_counts[i]);
    for (int i = 0; e->work_counts && i < e->nthreads; i++)
        mkba_counts_free(e->work_counts[i]);
    mkba_free(e->work_counts);
    mkba_free(e->used);
    mkba_chunks_free(&e->chunks);
    for (int i = 0; e->thread_work && i < e->nthreads; i++)
        mkba_micro_work_free(e->thread_work[i]);
    mkba_free(e->thread_counts);
    mkba_free(e->thread_work);
    mkba_params_work_free(e->time_work);
    mkba_free(e->year);
    mkba_free(e->by_cycle);
    mkba_svc_work_free(e->svc);
    mkba_svc_work_free(e->svc_open);
    mkba_counts_free(e->open);
    for (int b = 0; b < MKBA_RESULT_BATCHES; b++)
        mkba_counts_free(e->batch[b]);
    for (int g = 0; g < MKBA_RESULT_GROUPS; g++)
        mkba_counts_free(e->group[g]);
    mkba_free(e->alive_work);
    mkba_free(e->batch_ytd);
    mkba_draw_result_free(e->scratch);
    mkba_draw_result_free(e->sim_out);
    mkba_counts_free(e->total);
    mkba_tables_free(e->tables);
    mkba_layout_free(e->layout);
    mkba_free(e);
}

static int check_size(const mkba_model *m, mkba_engine_mode mode, long households,
                      mkba_error *err)
{
    /* Entrants are simulated households: the cohort trace has none
     * (docs/budget.md). */
    const char *where = m->path != NULL ? m->path : m->name;
    if (m->population.enabled && m->population.inflow > 0 && mode == MKBA_ENGINE_COHORT)
        return mkba_error_set(err, MKBA_EINVAL, "%s:%d: population.inflow = %g: entrants need "
                              "a microsimulation; the cohort trace (--cohort) has "
                              "none; run without --cohort, or set inflow = 0 for a closed "
                              "cohort", where, m->population.inflow_line, m->population.inflow);
    double entrants = mkba_population_entrants(m, households);
    if (mode != MKBA_ENGINE_COHORT && !(entrants <= 2e9))
        return mkba_error_set(err, MKBA_EINVAL, "%s:%d: population.inflow = %g gives %.4g "
                              "entrants a year for %ld simulated households; expected at most "
                              "2e9 (fewer --households)", where, m->population.inflow_line,
                              m->population.inflow, entrants, households);
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
    /* With services, entrants are records too. */
    const long records = m->services.enabled ? mkba_svc_records(m, households) : households;
    if (m->services.enabled && records > MKBA_ENGINE_MAX_SERVICE_HOUSEHOLDS) {
        /* The households come from run.households or --households; the
         * services, which make them all stay in memory, are named where
         * the scenario has them (a model built without a file has no
         * line). */
        const mkba_services *sv = &m->services;
        const int located = sv->file != NULL && sv->line > 0;
        char line[24] = "";
        if (located)
            snprintf(line, sizeof line, ":%d", sv->line);
        return mkba_error_set(err, MKBA_EINVAL, "%s%s: services: %ld households per draw%s; "
                              "expected at most "
                              "%ld with services, which keep every household in memory (about "
                              "%.1f GiB at the limit); lower the households per draw "
                              "(run.households in the scenario, or --households)",
                              located ? sv->file : m->path != NULL ? m->path : m->name, line,
                              records, records > households ? " (entrants included)" : "",
                              MKBA_ENGINE_MAX_SERVICE_HOUSEHOLDS,
                              (double)MKBA_ENGINE_MAX_SERVICE_HOUSEHOLDS
                                  * (double)mkba_engine_bytes_per_household(m, mode, 1)
                                  / 1073741824.0);
    }
    return MKBA_OK;
}

size_t mkba_engine_bytes_per_household(const mkba_model *m, mkba_engine_mode mode, int nthreads)
{
    if (mode == MKBA_ENGINE_COHORT || !m->services.enabled)
        return 0;
    return mkba_svc_bytes_per_household(m, nthreads);
}

double mkba_engine_bytes_fixed(const mkba_model *m, mkba_engine_mode mode, long households,
                               int nthreads)
{
    if (mode == MKBA_ENGINE_COHORT)
        return 0;
    mkba_error err = {0};
    mkba_layout *l = mkba_layout_alloc(m, &err);
    /* Out of memory already: the run cannot start. A layout the model
     * cannot have (too many duration windows) is the engine's to report,
     * with its reason, not an estimate's to make infinite. */
    if (l == NULL)
        return err.code == MKBA_ENOMEM ? HUGE_VAL : 0;
    const double tallies = (double)(l->narms * l->npoints * l->nslots
                                    + l->narms * l->ncycles * l->nstates_total) * 8.0;
    const double scratch = m->services.enabled ? (double)mkba_svc_scratch_bytes(l) : 0;
    /* The closed work's per-cell take-up, substitution (priced and, at a
     * price varying by year, unpriced) and use per team,
     * and the teams' own costs (lockstep.c). */
    const double nt = (double)m->services.nteams;
    const double cells = ((double)(MKBA_GROUP_CELLS * l->narms
                                   * (l->ncycles * m->npayers
                                      + l->npoints * (m->npayers + MKBA_MAX_SUBSTITUTE)))
                          + (double)(l->narms * l->ncycles)
                                * (MKBA_GROUP_CELLS + (double)m->npayers) * nt)
                         * 8.0;
    mkba_layout_free(l);
    /* A count (counts.c) holds four such tallies; the engine has one per
     * batch and per result group. */
    const double count = 4.0 * tallies, nb = (double)mkba_batches(households);
    const double engine = (nb + MKBA_RESULT_GROUPS) * count;
    if (!m->services.enabled)
        /* Per thread the micro work (delta, entries and the cells' copies
         * of both), a count per batch and one more. */
        return engine + (double)nthreads * (2.0 * MKBA_GROUP_CELLS * tallies + (nb + 1) * count);
    /* Per thread, per batch and cell in the closed work, and a scratch;
     * the open work (entrants) keeps one cell per batch, the entrants' own
     * tallies and a scratch, and the engine a count for it. */
    const int open = mkba_population_entrants(m, households) > 0;
    return engine + cells + (open ? count : 0)
           + (double)nthreads * (tallies * (nb * MKBA_GROUP_CELLS + (open ? nb + 1 : 0))
                                 + (open ? 2 : 1) * scratch);
}

static int batches_alloc(mkba_engine *e)
{
    e->nbatches = mkba_batches(e->households);
    for (int b = 0; b < e->nbatches; b++)
        if ((e->batch[b] = mkba_counts_alloc(e->layout)) == NULL)
            return MKBA_ENOMEM;
    for (int g = 0; g < MKBA_RESULT_GROUPS; g++)
        if ((e->group[g] = mkba_counts_alloc(e->layout)) == NULL)
            return MKBA_ENOMEM;
    size_t rows = e->nbatches > MKBA_RESULT_GROUPS ? (size_t)e->nbatches : MKBA_RESULT_GROUPS;
    e->alive_work = mkba_malloc(rows * e->layout->npoints * sizeof *e->alive_work);
    size_t nytd = (size_t)e->nbatches * e->m->narms * e->layout->ncycles * e->m->npayers;
    e->batch_ytd = mkba_malloc((nytd > 0 ? nytd : 1) * sizeof *e->batch_ytd);
    if (e->batch_ytd == NULL)
        return MKBA_ENOMEM;
    /* Only services have costs that every batch shares. */
    if (e->m->services.enabled && (e->scratch = mkba_draw_result_alloc(e->m)) == NULL)
        return MKBA_ENOMEM;
    return e->alive_work != NULL ? MKBA_OK : MKBA_ENOMEM;
}

/* The by-cycle table of the parameters that vary by year, when some do. */
void mkba_engine_fix(mkba_engine *e, const double *fixed)
{
    if (e->time_work != NULL)
        mkba_params_work_fix(e->time_work, fixed);
}

static int time_alloc(mkba_engine *e)
{
    const mkba_model *m = e->m;
    const size_t ntime = mkba_params_time_count(m->params), T = (size_t)m->timing.ncycles;
    if (ntime == 0)
        return MKBA_OK;
    e->time_work = mkba_params_work_alloc(m->params);
    e->year = mkba_malloc(T * sizeof *e->year);
    e->by_cycle = mkba_malloc(m->narms * ntime * T * sizeof *e->by_cycle);
    if (e->time_work == NULL || e->year == NULL || e->by_cycle == NULL)
        return MKBA_ENOMEM;
    for (size_t k = 0; k < T; k++)
        e->year[k] = 1.0 + (double)k * m->timing.cycle_years;
    return MKBA_OK;
}

mkba_engine *mkba_engine_alloc(const mkba_model *m, mkba_engine_mode mode, long households,
                               int nthreads, mkba_error *err)
{
    if (check_size(m, mode, households, err) != MKBA_OK)
        return NULL;
    mkba_engine *e = mkba_calloc(1, sizeof *e);
    if (e == NULL) {
        mkba_error_set(err, MKBA_ENOMEM, "out of memory setting up the run");
        return NULL;
    }
    if (m->nblends > 0) {
        e->blended = m;
        e->view = *m;
        e->view.narms -= m->nblends;
        e->view.nblends = 0;
        m = &e->view;
        if ((e->sim_out = mkba_draw_result_alloc(m)) == NULL) {
            mkba_engine_free(e);
            mkba_error_set(err, MKBA_ENOMEM, "out of memory setting up the run");
            return NULL;
        }
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
    if (e->tables == NULL || e->total == NULL || time_alloc(e) != MKBA_OK)
        goto nomem;
    if (mode == MKBA_ENGINE_COHORT)
        return e;
    if (batches_alloc(e) != MKBA_OK)
        goto nomem;
    if (m->services.enabled) {
        e->svc = mkba_svc_work_alloc(m, e->layout, households, e->nthreads);
        if (e->svc == NULL) {
            mkba_error_set(err, MKBA_ENOMEM, "out of memory for the service records of "
                           "%ld households (about %.0f MB)", households,
                           (double)households
                               * (double)mkba_engine_bytes_per_household(m, mode, e->nthreads)
                               / 1e6);
            mkba_engine_free(e);
            return NULL;
        }
        if (mkba_population_entrants(m, households) > 0) {
            e->svc_open = mkba_svc_work_alloc_open(m, e->layout, households, e->nthreads);
            e->open = mkba_counts_alloc(e->layout);
            if (e->svc_open == NULL || e->open == NULL)
                goto nomem;
            mkba_svc_work_set_budget(e->svc, e->svc_open);
        }
        return e;
    }
    const size_t ntb = (size_t)e->nthreads * (size_t)e->nbatches;
    e->thread_counts = mkba_calloc(ntb, sizeof *e->thread_counts);
    e->used = mkba_calloc(ntb, sizeof *e->used);
    e->thread_work = mkba_calloc((size_t)e->nthreads, sizeof *e->thread_work);
    e->work_counts = mkba_calloc((size_t)e->nthreads, sizeof *e->work_counts);
    if (e->thread_counts == NULL || e->used == NULL || e->thread_work == NULL
        || e->work_counts == NULL
        || mkba_chunks_init(&e->chunks, households, CHUNK) != MKBA_OK)
        goto nomem;
    for (size_t i = 0; i < ntb; i++)
        if ((e->thread_counts[i] = mkba_counts_alloc(e->layout)) == NULL)
            goto nomem;
    for (int i = 0; i < e->nthreads; i++) {
        if ((e->thread_work[i] = mkba_micro_work_alloc(e->layout)) == NULL
            || (e->work_counts[i] = mkba_counts_alloc(e->layout)) == NULL)
            goto nomem;
        mkba_micro_work_set_entrants(e->thread_work[i], households,
                                     mkba_population_entrants(m, households));
        mkba_micro_work_defer(e->thread_work[i]);
    }
    return e;
nomem:
    mkba_error_set(err, MKBA_ENOMEM, "out of memory setting up the run");
    mkba_engine_free(e);
    return NULL;
}

/* Largest amount a cost or effect rule may take, per household: far above
 * any real amount, and small enough that no sum over rules, cycles and
 * draws can overflow. */
#define AMOUNT_MAX 1e15

/* Checks that arm a's services cost a finite amount per household: the
 * teams' staff and the pathway's overheads are given for the whole
 * population and divided by it, so a tiny drawn population (1e-300) would
 * make them infinite. Names the population setting. */
static int check_service_amounts(const mkba_model *m, const double *v, size_t a, long draw,
                                 mkba_error *err)
{
    const mkba_services *sv = &m->services;
    const mkba_pathway *p = &sv->pathway[a];
    const double population = v[sv->population];
    double whole = v[p->investment] + v[p->recurring] + v[p->co_location];
    const int integration_costs[] = {p->front_office_investment, p->pooling_investment,
                                     p->pooling_running};
    for (size_t i = 0; i < sizeof integration_costs / sizeof integration_costs[0]; i++)
        if (integration_costs[i] >= 0)
            whole += v[integration_costs[i]];
    if (sv->dismantling >= 0 && mkba_services_switches(sv, m->reference, a))
        whole += v[sv->dismantling];
    for (size_t i = 0; i < sv->nteams; i++)
        if (p->teams_used >> i & 1u)
            whole += v[sv->team[i].fte] * v[sv->team[i].cost_per_fte];
    const double per_household = whole / population;
    if (population > 0 && fabs(per_household) <= AMOUNT_MAX)
        return MKBA_OK;
    const mkba_param *q = mkba_params_get(m->params, (size_t)sv->population);
    return mkba_error_set(err, MKBA_ENUMERIC, "%s:%d: %s: draw %ld, arm '%s': a population of "
                          "%g households makes the services cost %g per household (staff and "
                          "overheads %g a year for the whole population); expected a "
                          "population that keeps it finite and within +-%g per household",
                          q->file != NULL ? q->file : m->name, q->line, q->path, draw,
                          m->arm[a].name, population,
                          per_household, whole, AMOUNT_MAX);
}

/* Checks every cost and effect amount of a draw, naming the rule. */
static int check_amounts(const mkba_model *m, const double *values, long draw, mkba_error *err)
{
    const size_t np = mkba_params_count(m->params);
    for (size_t a = 0; a < m->narms; a++) {
        const double *v = values + a * np;
        if (m->services.enabled && check_service_amounts(m, v, a, draw, err) != MKBA_OK)
            return MKBA_ENUMERIC;
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

/* Evaluates the parameters that vary by year in every cycle of the draw
 * (when some do) and checks each cycle's amount as check_amounts does. */
static int resolve_years(mkba_engine *e, const double *values, uint32_t draw, mkba_error *err)
{
    const mkba_model *m = e->m;
    if (e->by_cycle == NULL)
        return MKBA_OK;
    const size_t T = (size_t)m->timing.ncycles, ntime = mkba_params_time_count(m->params);
    int rc = mkba_params_by_cycle(m->params, values, e->year, T, draw, e->by_cycle,
                                  e->time_work, err);
    for (size_t i = 0; rc == MKBA_OK && i < m->narms * ntime * T; i++)
        if (!(fabs(e->by_cycle[i]) <= AMOUNT_MAX)) {
            size_t arm = i / (ntime * T), col = i / T % ntime;
            const mkba_param *q =
                mkba_params_get(m->params, mkba_params_time_param(m->params, col));
            rc = mkba_error_set(err, MKBA_ENUMERIC, "%s:%d: %s: draw %u, arm '%s', cycle %zu: "
                                "parameter %s is %g; expected a finite amount within +-%g per "
                                "household", q->file != NULL ? q->file : m->name, q->line,
                                q->path, (unsigned)draw, m->arm[arm].name, i % T + 1, q->name,
                                e->by_cycle[i], AMOUNT_MAX);
        }
    return rc;
}

/* Simulates every household of the draw: threads take the chunks
 * dynamically and count into their own counts of the chunk's batch. Chunks
 * are fixed by household number, so the integer counts do not depend on
 * the threads. */
/* Adds thread tid's working counts (its work's deferred tallies first) to
 * its counts of batch b, zeroing those first when this draw had not used
 * them yet. */
static void keep_batch(mkba_engine *e, int tid, int b, unsigned serial)
{
    size_t tb = (size_t)tid * (size_t)e->nbatches + (size_t)b;
    mkba_micro_flush(e->layout, e->thread_work[tid], e->work_counts[tid]);
    if (e->used[tb] != serial) {
        mkba_counts_zero(e->thread_counts[tb]);
        e->used[tb] = serial;
    }
    mkba_counts_add(e->thread_counts[tb], e->work_counts[tid]);
}

static void simulate_chunks(mkba_engine *e, uint64_t seed, uint32_t draw,
                            const mkba_engine_progress *p)
{
    const long nchunks = e->chunks.n;
    const double per_household = (double)e->m->narms * (double)e->m->timing.ncycles;
    /* 0 marks counts never used (calloc): skip it when the serial wraps. */
    if (++e->serial == 0)
        e->serial = 1;
    const unsigned serial = e->serial;
    for (int t = 0; t < e->nthreads; t++)
        mkba_micro_cells_zero(e->thread_work[t]);
    long next_report = 0;
#pragma omp parallel num_threads(e->nthreads)
    {
        /* Each thread counts into its one working record (hot in its cache,
         * as when there were no batches) and moves it to the batch's counts
         * when its chunks move on to another batch. */
        int tid = omp_get_thread_num(), current = -1;
        mkba_counts *work = e->work_counts[tid];
#pragma omp for schedule(dynamic, 1)
        for (long i = 0; i < nchunks; i++) {
            if (p != NULL && p->stop != NULL && *p->stop)
                continue;      /* asked to stop: the draw is discarded */
            if (e->chunks.batch[i] != current) {
                if (current >= 0)
                    keep_batch(e, tid, current, serial);
                current = e->chunks.batch[i];
                mkba_counts_zero(work);
            }
            long a = e->chunks.h0[i], b = e->chunks.h0[i + 1];
            mkba_micro_run(e->m, e->tables, seed, draw, (uint32_t)a, (uint32_t)b,
                           e->thread_work[tid], work);
            if (tid == 0 && p != NULL && p->fn != NULL && i >= next_report) {
                next_report = i + 16;
                p->fn(p->user, p->done_before + (double)b * per_household, p->total);
            }
        }
        if (current >= 0)
            keep_batch(e, tid, current, serial);
    }
}

/* Batch b's counts from every thread that counted some of it. */
static void gather_batch(mkba_engine *e, int b)
{
    mkba_counts_zero(e->batch[b]);
    for (int t = 0; t < e->nthreads; t++) {
        size_t tb = (size_t)t * (size_t)e->nbatches + (size_t)b;
        if (e->used[tb] == e->serial)
            mkba_counts_add(e->batch[b], e->thread_counts[tb]);
    }
    mkba_counts_to_double(e->batch[b]);
}

/* The services' costs of the last mkba_svc_run per household, in
 * e->scratch->cost_total_disc: what every batch and group shares. */
static const double *service_costs(mkba_engine *e)
{
    mkba_draw_result *sc = e->scratch;
    /* mkba_svc_price adds into the record: only cost_total_disc is read,
     * so only it is cleared. */
    memset(sc->cost_total_disc, 0, sc->narms * sc->npayers * sizeof *sc->cost_total_disc);
    mkba_svc_price(e->m, e->svc, e->by_cycle, sc);
    return sc->cost_total_disc;
}

/* Prices the batches' counts, each on its own, into out's batch arrays;
 * with services the teams' costs enter every batch at the draw's value per
 * household (they are the teams', not a batch's). */
static void price_batches(mkba_engine *e, const double *values, mkba_draw_result *out)
{
    const size_t A = out->narms, P = out->npayers, nb = (size_t)e->nbatches;
    mkba_tally_batches(e->m, e->layout, (const mkba_counts *const *)e->batch, nb, values,
                       e->by_cycle, e->alive_work, out->batch_cost_total_disc,
                       out->batch_effect_total_disc, e->batch_ytd);
    for (size_t b = 0; b < nb; b++)
        out->batch_households[b] = e->batch[b]->households;
    mkba_tally_year_to_date_mcse(e->m, nb, out->batch_households, e->batch_ytd,
                                 out->mcse_cost_ytd);
    if (e->svc == NULL)
        return;
    const double *svc = service_costs(e);
    for (size_t b = 0; b < nb; b++)
        for (size_t i = 0; i < A * P; i++)
            out->batch_cost_total_disc[b * A * P + i] += svc[i];
}

/* Each household group's counts from its cells (of every thread in the
 * streaming engine), priced on its own into out's group arrays; with
 * services its own take-up and substitution and its share by use of the
 * teams' costs (mkba_svc_group_price; docs/decision.md, "For whom"). */
static void price_groups(mkba_engine *e, const double *values, mkba_draw_result *out)
{
    for (int g = 0; g < MKBA_RESULT_GROUPS; g++) {
        mkba_counts_zero(e->group[g]);
        for (int c = 0; c < MKBA_GROUP_CELLS; c++) {
            if (!mkba_group_has_cell(g, c))
                continue;
            if (e->svc != NULL)
                mkba_svc_cell_add(e->svc, e->layout, c, e->group[g]);
            for (int t = 0; e->svc == NULL && t < e->nthreads; t++)
                mkba_micro_cell_add(e->thread_work[t], c, e->group[g]);
        }
        mkba_counts_to_double(e->group[g]);
    }
    mkba_group_price(e->m, e->layout, e->group, (double)e->households, values, e->by_cycle,
                     e->alive_work, out);
    const size_t AP = out->narms * out->npayers;
    double *svc = e->svc != NULL ? e->scratch->cost_total_disc : NULL;
    for (size_t g = 0; g < out->ngroups; g++) {
        double *teams = out->group_team_cost_disc + g * AP;
        if (!(e->group[g]->households > 0.0)) {
            for (size_t i = 0; i < AP; i++)
                teams[i] = NAN;
            continue;
        }
        if (e->svc == NULL) {
            memset(teams, 0, AP * sizeof *teams);
            continue;
        }
        mkba_svc_group_price(e->m, e->svc, e->by_cycle, (int)g, svc, teams);
        for (size_t i = 0; i < AP; i++)
            out->group_cost_total_disc[g * AP + i] += svc[i];
    }
}

/* Simulates every household of one draw into e->total (streaming engine)
 * and prices each batch on its own into out. */
static void simulate_households(mkba_engine *e, uint64_t seed, uint32_t draw,
                                const double *values, mkba_draw_result *out,
                                const mkba_engine_progress *p)
{
    simulate_chunks(e, seed, draw, p);
    mkba_counts_zero(e->total);
    for (int b = 0; b < e->nbatches; b++) {
        gather_batch(e, b);
        mkba_counts_add(e->total, e->batch[b]);
    }
    mkba_counts_to_double(e->total);
    if (e->nbatches > 1)
        price_batches(e, values, out);
}

/* Marks the batches of out a draw does not use: none when the engine
 * priced nbatches >= 2 of them. */
static void clear_batches(const mkba_engine *e, mkba_draw_result *out)
{
    const size_t A = out->narms, P = out->npayers, E = out->neffects;
    size_t used = e->nbatches > 1 ? (size_t)e->nbatches : 0;
    for (size_t b = used; b < out->nbatches; b++) {
        out->batch_households[b] = 0.0;
        for (size_t i = 0; i < A * P; i++)
            out->batch_cost_total_disc[b * A * P + i] = NAN;
        for (size_t i = 0; i < A * E; i++)
            out->batch_effect_total_disc[b * A * E + i] = NAN;
    }
    if (used == 0)
        for (size_t i = 0; i < A * out->ncycles * out->npayers; i++)
            out->mcse_cost_ytd[i] = NAN;
}

/* One of a draw's two services runs (closed, open) tells the draw's
 * progress: its own household-cycles, 0 to arms x cycles x households,
 * scaled into its share of the draw after `offset`. */
typedef struct run_progress {
    const mkba_engine_progress *draw;
    double offset, scale;
} run_progress;

static void run_progress_fn(void *user, double done, double total)
{
    const run_progress *r = user;
    (void)total;
    r->draw->fn(r->draw->user, r->draw->done_before + r->offset + r->scale * done,
                r->draw->total);
}

static mkba_engine_progress run_progress_of(run_progress *r)
{
    const mkba_engine_progress *p = r->draw;
    return (mkba_engine_progress){p != NULL && p->fn != NULL ? run_progress_fn : NULL, r, 0.0,
                                  p != NULL ? p->total : 0.0, p != NULL ? p->stop : NULL};
}

/* One draw of the simulated arms into out (a record of e->m). */
static int draw_simulated(mkba_engine *e, const double *values, uint64_t seed, uint32_t draw,
                          mkba_draw_result *out, const mkba_engine_progress *progress,
                          mkba_error *err)
{
    const mkba_model *m = e->m;
    int rc = check_amounts(m, values, (long)draw, err);
    if (rc == MKBA_OK)
        rc = resolve_years(e, values, draw, err);
    if (rc == MKBA_OK && m->services.enabled)
        rc = mkba_services_check(m, values, (long)draw, err);
    if (rc == MKBA_OK)
        rc = mkba_tables_resolve(e->tables, m, values, (long)draw, err);
    if (rc != MKBA_OK)
        return rc;
    if (e->svc != NULL) {
        /* With an open run the bar moves through the closed run's share
         * of the draw, then the open run's. */
        const double open_share = e->svc_open != NULL ? mkba_svc_open_share(m, e->svc_open) : 0;
        const double per_draw = (double)m->narms * m->timing.ncycles * (double)e->households;
        run_progress closed = {progress, 0.0, 1.0 - open_share},
                     open = {progress, (1.0 - open_share) * per_draw, open_share};
        const mkba_engine_progress closed_p = run_progress_of(&closed),
                                   open_p = run_progress_of(&open);
        mkba_svc_run(m, e->tables, values, e->by_cycle, seed, draw,
                     e->svc_open != NULL ? &closed_p : progress, e->svc, e->total);
        for (int b = 0; e->nbatches > 1 && b < e->nbatches; b++)
            mkba_svc_batch_counts(e->svc, e->layout, b, e->batch[b]);
        if (e->nbatches > 1)
            price_batches(e, values, out);
        if (e->svc_open != NULL)
            mkba_svc_run_open(m, e->tables, values, e->by_cycle, seed, draw, &open_p, e->svc_open,
                              e->open);
    } else if (e->mode == MKBA_ENGINE_MICRO) {
        simulate_households(e, seed, draw, values, out, progress);
    } else if ((rc = mkba_cohort_run(m, e->tables, e->total, err)) != MKBA_OK) {
        return rc;
    }
    if (progress != NULL && progress->stop != NULL && *progress->stop)
        return mkba_error_set(err, MKBA_EINTERRUPTED, "interrupted during draw %u",
                              (unsigned)draw);
    clear_batches(e, out);
    if (e->mode == MKBA_ENGINE_MICRO)
        price_groups(e, values, out);
    else
        mkba_group_clear(out);
    mkba_tally(m, e->layout, e->total, values, e->by_cycle, out);
    if (m->population.enabled)
        mkba_tally_budget(m, e->layout, e->open != NULL ? e->open : e->total, values,
                          e->by_cycle, out);
    if (e->svc != NULL)
        mkba_svc_price(m, e->svc, e->by_cycle, out);
    return MKBA_OK;
}

int mkba_engine_draw(mkba_engine *e, const double *values, uint64_t seed, uint32_t draw,
                     mkba_draw_result *out, const mkba_engine_progress *progress,
                     mkba_error *err)
{
    if (e->blended == NULL)
        return draw_simulated(e, values, seed, draw, out, progress, err);
    int rc = draw_simulated(e, values, seed, draw, e->sim_out, progress, err);
    if (rc == MKBA_OK)
        mkba_blend_record(e->blended, e->sim_out, out);
    return rc;
}
