/* The draw driver for scenarios with services: every household of a draw
 * in memory, all of them one cycle at a time (services.h).
 *
 * Arms are independent of each other (common random numbers make their
 * household streams the same, but capacity couples only the households of
 * one arm), so with at least as many arms as threads each thread runs
 * whole arms on its own copy of the household records: two
 * synchronisations per draw (the shared initial states, the arms) instead
 * of one per arm and cycle, which keeps
 * two threads from waiting on each other when another process holds a
 * core. With fewer arms than threads, arms run one after the other and,
 * per cycle, threads take fixed chunks of households. Either way each
 * thread tallies into its own integer counters, admission runs on one
 * thread per arm, and the cycle's service costs are priced from integer
 * counts in a fixed order, so results do not depend on the thread count. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include "engine/services.h"
#include "core/alloc.h"

#define CHUNK MKBA_SVC_CHUNK

struct mkba_svc_work {
    int nthreads;
    long households;
    /* Copies of the household records and queues: one per thread when
     * threads run whole arms (arms >= threads > 1), else one. */
    int nsets;
    mkba_svc_households hh[MKBA_MAX_ARMS];
    mkba_svc_queues *queues[MKBA_MAX_ARMS];
    /* Each set's arm as resolved for the draw, and one more for the shared
     * initial states: tens of kilobytes each (per-domain ratios of every
     * team), so made at setup, not on a thread's stack. */
    mkba_svc_arm *arm;
    mkba_svc_scratch **scratch; /* per thread */
    /* The draw's initial states [household][domain] when every arm has the
     * same initial distribution (mkba_tables.init_same): made once, not
     * once per arm. */
    uint8_t *x0;
    int x0_shared;             /* x0 holds this draw's states */
    const double *by_cycle;    /* this draw's amounts by cycle (mkba_svc_run) */
    /* The households in nbatches fixed batches (mkba_batches), cut
     * into chunks of at most CHUNK (engine.h). Tallies are kept per
     * thread and batch, so a batch can be priced on its own. */
    int nbatches;
    mkba_chunks chunks;
    int64_t **delta;           /* per thread: [batch][cell][arm][point][slot] */
    long (*counts)[MKBA_SVC_NCOUNTS]; /* per thread */
    uint64_t **entries;        /* per thread: [batch][cell][arm][cycle][state] */
    size_t ndelta, nentries;   /* per batch and cell */
    /* "For whom": each household's group cell (groups.c) by its starting
     * state in the reference arm, and the households of each cell. */
    uint8_t *cell;
    long cell_households[MKBA_GROUP_CELLS];
    int ncells;                /* MKBA_GROUP_CELLS; 1 in the open run, whose cells nothing reads */
    mkba_svc_tally tally;
    int first_line, programme; /* category indices */
    int investment;            /* category of the one-off costs of switching */
    int second_line;           /* category index, -1 when no rule has it */
    /* Cycles of this draw's arms finished, by any thread: the calling
     * thread reads it for the progress bar, so a bar moves within a draw
     * while the calling thread runs its own arms. Once per arm and cycle,
     * never per household. */
    atomic_long cycles_done;
    /* An open population (mkba_svc_run_open, on a work of its own): the
     * expected entrants per year, the years that start within the horizon
     * and the point each starts at (the streaming engine's, micro.c), and
     * this draw's entrants: year y's are records [year_first[y],
     * year_first[y + 1]) after the starting households' 0 .. households - 1.
     * Their tallies are kept apart, per thread. */
    int open;
    double entrants_per_year;
    int nyears;
    int year_point[MKBA_MAX_CYCLES];
    long year_first[MKBA_MAX_CYCLES + 1];
    int64_t **delta_new;       /* per thread: [arm][point][slot] */
    uint64_t **entries_new;    /* per thread: [arm][cycle][state] */
    /* The work whose service tally the budget view prices: this one, or
     * the open run's (mkba_svc_work_set_budget). */
    const mkba_svc_work *budget;
};

void mkba_svc_households_free(mkba_svc_households *hh)
{
    mkba_free(hh->x);
    mkba_free(hh->tis);
    mkba_free(hh->entry);
    mkba_free(hh->aging);
    mkba_free(hh->problems);
    mkba_free(hh->out);
    mkba_free(hh->status);
    mkba_free(hh->team);
    mkba_free(hh->joint);
    mkba_free(hh->prio);
    mkba_free(hh->plan);
    mkba_free(hh->claiming);
    mkba_free(hh->resolved);
    mkba_free(hh->resolved_to);
    mkba_free(hh->arrived);
    mkba_free(hh->since);
    mkba_free(hh->wait_factor);
}

int mkba_svc_households_alloc(mkba_svc_households *hh, long n, size_t D)
{
    size_t N = (size_t)n;
    hh->n = n;
    hh->ndomains = D;
    hh->x = mkba_malloc(N * D);
    hh->tis = mkba_malloc(N * D * sizeof *hh->tis);
    hh->entry = mkba_malloc(N * D * sizeof *hh->entry);
    hh->aging = mkba_malloc(N * sizeof *hh->aging);
    hh->problems = mkba_malloc(N * sizeof *hh->problems);
    hh->out = mkba_malloc(N);
    hh->status = mkba_malloc(N);
    hh->team = mkba_malloc(N);
    hh->joint = mkba_malloc(N);
    hh->prio = mkba_malloc(N);
    hh->plan = mkba_malloc(N * sizeof *hh->plan);
    hh->claiming = mkba_malloc(N * sizeof *hh->claiming);
    hh->resolved = mkba_malloc(N * sizeof *hh->resolved);
    hh->resolved_to = mkba_malloc(N * sizeof *hh->resolved_to);
    hh->arrived = mkba_malloc(N * sizeof *hh->arrived);
    hh->since = mkba_malloc(N * sizeof *hh->since);
    hh->wait_factor = mkba_malloc(N * sizeof *hh->wait_factor);
    return hh->x && hh->tis && hh->entry && hh->aging && hh->problems && hh->out && hh->status && hh->team && hh->joint
           && hh->prio && hh->plan && hh->claiming && hh->resolved && hh->resolved_to && hh->arrived && hh->since && hh->wait_factor;
}

size_t mkba_svc_households_bytes(size_t D)
{
    const mkba_svc_households *hh = NULL;
    return D * (sizeof *hh->x + sizeof *hh->tis + sizeof *hh->entry) + sizeof *hh->aging
           + sizeof *hh->problems + sizeof *hh->out + sizeof *hh->status
           + sizeof *hh->team + sizeof *hh->joint + sizeof *hh->prio + sizeof *hh->plan
           + sizeof *hh->claiming + sizeof *hh->resolved + sizeof *hh->resolved_to
           + sizeof *hh->arrived + sizeof *hh->since
           + sizeof *hh->wait_factor;
}

void mkba_svc_work_free(mkba_svc_work *w)
{
    if (w == NULL)
        return;
    for (int i = 0; i < w->nsets; i++) {
        mkba_svc_households_free(&w->hh[i]);
        mkba_svc_queues_free(w->queues[i]);
    }
    for (int i = 0; w->scratch != NULL && i < w->nthreads; i++)
        mkba_svc_scratch_free(w->scratch[i]);
    mkba_free(w->scratch);
    mkba_free(w->arm);
    mkba_free(w->x0);
    for (int i = 0; w->delta != NULL && i < w->nthreads; i++)
        mkba_free(w->delta[i]);
    mkba_free(w->delta);
    for (int i = 0; w->entries != NULL && i < w->nthreads; i++)
        mkba_free(w->entries[i]);
    mkba_free(w->entries);
    mkba_free(w->cell);
    mkba_chunks_free(&w->chunks);
    mkba_free(w->counts);
    mkba_free(w->tally.cost);
    mkba_free(w->tally.category);
    mkba_free(w->tally.once);
    mkba_free(w->tally.transfer);
    mkba_free(w->tally.wages);
    mkba_free(w->tally.saved);
    mkba_free(w->tally.saved_category);
    mkba_free(w->tally.given);
    for (int i = 0; i < 9; i++)
        mkba_free(w->tally.out[i]);
    mkba_free(w->tally.team_in_care);
    mkba_free(w->tally.team_queue);
    for (int i = 0; w->delta_new != NULL && i < w->nthreads; i++)
        mkba_free(w->delta_new[i]);
    for (int i = 0; w->entries_new != NULL && i < w->nthreads; i++)
        mkba_free(w->entries_new[i]);
    mkba_free(w->delta_new);
    mkba_free(w->entries_new);
    mkba_free(w->tally.team_reached);
    mkba_free(w->tally.team_mean_wait);
    mkba_free(w->tally.registered);
    mkba_free(w->tally.cell_cost);
    mkba_free(w->tally.cell_saved);
    mkba_free(w->tally.cell_given);
    mkba_free(w->tally.cell_use);
    mkba_free(w->tally.team_cost);
    mkba_free(w);
}

static int category_index(const mkba_model *m, const char *name)
{
    for (size_t i = 0; i < m->ncategories; i++)
        if (strcmp(m->category[i], name) == 0)
            return (int)i;
    return -1;
}

/* The work for `households` starting households with room for `records`
 * household records (more with entrants). */
static mkba_svc_work *work_alloc(const mkba_model *m, const mkba_layout *l, long households,
                                 long records, int nthreads, int ncells)
{
    mkba_svc_work *w = mkba_calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->budget = w;
    w->nthreads = nthreads;
    w->households = households;
    w->nbatches = mkba_batches(households);
    w->ncells = ncells;
    w->ndelta = l->narms * l->npoints * l->nslots;
    w->nentries = l->narms * l->ncycles * l->nstates_total;
    const size_t nb = (size_t)w->nbatches, cells = nb * (size_t)ncells;
    w->first_line = category_index(m, "first line");
    w->programme = category_index(m, "programme");
    w->investment = category_index(m, "investment");
    w->second_line = category_index(m, "second line");
    w->nsets = mkba_svc_record_sets(m, nthreads);
    int ok = (w->scratch = mkba_calloc((size_t)nthreads, sizeof *w->scratch)) != NULL
             && (w->arm = mkba_calloc((size_t)w->nsets + 1, sizeof *w->arm)) != NULL;
    for (int i = 0; ok && i < w->nsets; i++)
        ok = mkba_svc_households_alloc(&w->hh[i], records, m->ndomains)
             && (w->queues[i] = mkba_svc_queues_alloc(records, m->services.nteams)) != NULL;
    for (int i = 0; ok && i < nthreads; i++)
        ok = (w->scratch[i] = mkba_svc_scratch_alloc(l)) != NULL;
    ok = ok && (w->x0 = mkba_malloc((size_t)households * m->ndomains)) != NULL
         && mkba_chunks_init(&w->chunks, households, CHUNK) == MKBA_OK
             && (w->delta = mkba_calloc((size_t)nthreads, sizeof *w->delta)) != NULL
             && (w->entries = mkba_calloc((size_t)nthreads, sizeof *w->entries)) != NULL
             && (w->counts = mkba_calloc((size_t)nthreads, sizeof *w->counts)) != NULL
             && (ncells == 1 || (w->cell = mkba_malloc((size_t)households)) != NULL);
    for (int i = 0; ok && i < nthreads; i++)
        ok = (w->delta[i] = mkba_calloc(cells * w->ndelta, sizeof **w->delta)) != NULL
             && (w->entries[i] = mkba_calloc(cells * w->nentries + 1, sizeof **w->entries))
                    != NULL;
    mkba_svc_tally *t = &w->tally;
    t->narms = m->narms;
    t->ncycles = l->ncycles;
    t->npayers = m->npayers;
    t->ncategories = m->ncategories;
    size_t AT = t->narms * t->ncycles;
    ok = ok && (t->cost = mkba_calloc(AT * t->npayers + 1, sizeof *t->cost)) != NULL
         && (t->category = mkba_calloc(AT * t->ncategories + 1, sizeof *t->category)) != NULL
         && (t->once = mkba_calloc(t->narms * t->npayers + 1, sizeof *t->once)) != NULL
         && (t->transfer = mkba_calloc(AT * t->npayers + 1, sizeof *t->transfer)) != NULL
         && (t->wages = mkba_calloc(AT * t->npayers + 1, sizeof *t->wages)) != NULL;
    t->npoints = l->npoints;
    ok = ok && (t->saved = mkba_calloc(t->narms * t->npoints * t->npayers + 1, sizeof *t->saved))
                   != NULL
         && (t->saved_category =
                 mkba_calloc(t->narms * t->npoints * t->ncategories + 1, sizeof *t->saved_category))
                != NULL
         && (t->given = mkba_calloc(t->narms * t->npoints * MKBA_MAX_SUBSTITUTE, sizeof *t->given))
                != NULL;
    for (int i = 0; ok && i < 9; i++)
        ok = (t->out[i] = mkba_calloc(AT + 1, sizeof *t->out[i])) != NULL;
    t->nteams = m->services.nteams;
    ok = ok && (t->team_in_care = mkba_calloc(AT * t->nteams + 1, sizeof *t->team_in_care)) != NULL
         && (t->team_queue = mkba_calloc(AT * t->nteams + 1, sizeof *t->team_queue)) != NULL
         && (t->team_reached = mkba_calloc(AT * t->nteams + 1, sizeof *t->team_reached)) != NULL
         && (t->team_mean_wait = mkba_calloc(AT * t->nteams + 1, sizeof *t->team_mean_wait))
                != NULL;
    t->ndomains = m->ndomains;
    ok = ok && (t->registered = mkba_calloc(AT * t->ndomains + 1, sizeof *t->registered)) != NULL;
    t->ncells = ncells > 1 ? (size_t)ncells : 0;
    ok = ok
         && (t->cell_cost = mkba_calloc(t->ncells * AT * t->npayers + 1, sizeof *t->cell_cost))
                != NULL
         && (t->cell_saved = mkba_calloc(t->ncells * t->narms * t->npoints * t->npayers + 1,
                                         sizeof *t->cell_saved)) != NULL
         && (t->cell_given = mkba_calloc(t->ncells * t->narms * t->npoints * MKBA_MAX_SUBSTITUTE
                                             + 1, sizeof *t->cell_given)) != NULL
         && (t->cell_use = mkba_calloc(t->ncells * AT * t->nteams + 1, sizeof *t->cell_use))
                != NULL
         && (t->team_cost = mkba_calloc((t->ncells > 0) * AT * t->nteams * t->npayers + 1,
                                        sizeof *t->team_cost)) != NULL;
    if (!ok || w->first_line < 0 || w->programme < 0) {
        mkba_svc_work_free(w);
        return NULL;
    }
    return w;
}

mkba_svc_work *mkba_svc_work_alloc(const mkba_model *m, const mkba_layout *l, long households,
                                   int nthreads)
{
    return work_alloc(m, l, households, households, nthreads, MKBA_GROUP_CELLS);
}

/* The years whose entrants join within the horizon: year y (1, 2, ...)
 * starts at point lround(y / cycle_years), as in micro.c. */
static int entrant_years(const mkba_model *m, int *point)
{
    int n = 0;
    for (int y = 1;; y++) {
        long k0 = lround(y / m->timing.cycle_years);
        if (k0 >= (long)m->timing.ncycles || n >= MKBA_MAX_CYCLES)
            return n;
        if (point != NULL)
            point[n] = (int)k0;
        n++;
    }
}

long mkba_svc_records(const mkba_model *m, long households)
{
    double x = mkba_population_entrants(m, households);
    if (!(x > 0))
        return households;
    return households + (long)entrant_years(m, NULL) * ((long)floor(x) + 1);
}

mkba_svc_work *mkba_svc_work_alloc_open(const mkba_model *m, const mkba_layout *l,
                                        long households, int nthreads)
{
    mkba_svc_work *w = work_alloc(m, l, households, mkba_svc_records(m, households), nthreads, 1);
    if (w == NULL)
        return NULL;
    w->open = 1;
    w->entrants_per_year = mkba_population_entrants(m, households);
    w->nyears = entrant_years(m, w->year_point);
    int ok = (w->delta_new = mkba_calloc((size_t)nthreads, sizeof *w->delta_new)) != NULL
             && (w->entries_new = mkba_calloc((size_t)nthreads, sizeof *w->entries_new)) != NULL;
    for (int i = 0; ok && i < nthreads; i++)
        ok = (w->delta_new[i] = mkba_calloc(w->ndelta, sizeof **w->delta_new)) != NULL
             && (w->entries_new[i] = mkba_calloc(l->narms * l->ncycles * l->nstates_total,
                                                 sizeof **w->entries_new)) != NULL;
    if (!ok) {
        mkba_svc_work_free(w);
        return NULL;
    }
    return w;
}

void mkba_svc_work_set_budget(mkba_svc_work *w, const mkba_svc_work *open)
{
    w->budget = open != NULL ? open : w;
}

int mkba_svc_record_sets(const mkba_model *m, int nthreads)
{
    return nthreads > 1 && m->narms >= (size_t)nthreads ? nthreads : 1;
}

size_t mkba_svc_bytes_per_household(const mkba_model *m, int nthreads)
{
    /* Per record set: the records and the queues; once: the initial
     * states all arms share (x0). */
    return (size_t)mkba_svc_record_sets(m, nthreads)
               * (mkba_svc_households_bytes(m->ndomains)
                  + mkba_svc_queues_bytes_per_household(m->services.nteams))
           + m->ndomains + 1;
}

/* Books amount (for all simulated households) to payer and category. */
static void book(mkba_svc_work *w, const mkba_svc_arm *a, int k, int payer, int category,
                 double amount)
{
    mkba_svc_tally *t = &w->tally;
    size_t row = a->arm * t->ncycles + (size_t)(k - 1);
    if (amount == 0.0 || payer < 0)
        return;
    t->cost[row * t->npayers + (size_t)payer] += amount / a->households;
    t->category[row * t->ncategories + (size_t)category] += amount / a->households;
}

/* Books a team's amount to its payers by their shares; it is wages (the
 * budget view's wage index) and, for "for whom", that team's own cost. */
static void book_team(mkba_svc_work *w, const mkba_svc_arm *a, int k, const mkba_team *tm,
                      double amount)
{
    mkba_svc_tally *t = &w->tally;
    size_t row = a->arm * t->ncycles + (size_t)(k - 1);
    size_t own = (row * t->nteams + (size_t)(tm - a->m->services.team)) * t->npayers;
    for (int i = 0; i < tm->npayers; i++) {
        book(w, a, k, tm->payer_of[i], tm->category, amount * tm->payer_share[i]);
        if (tm->payer_of[i] >= 0 && amount != 0.0) {
            t->wages[row * t->npayers + (size_t)tm->payer_of[i]] +=
                amount * tm->payer_share[i] / a->households;
            if (t->ncells > 0)
                t->team_cost[own + (size_t)tm->payer_of[i]] +=
                    amount * tm->payer_share[i] / a->households;
        }
    }
}

/* The benefits paid in a cycle to `claimants` households (take-up), for
 * the totals and a group cell alike. */
static double take_up_paid(const mkba_svc_arm *a, double claimants)
{
    return claimants * a->take_up_amount * a->m->timing.cycle_years;
}

/* The help per simulated household substitution entry e gives to
 * `substituted` households, for the totals and a group cell alike: during
 * the start-up ramp only the share of staff and contracts in place. */
static double substitution_given(const mkba_svc_arm *a, int e, double substituted)
{
    return a->sub_share[e] * a->ramp * substituted / a->households;
}

/* That help's saving per year at the cost rule's price. */
static double substitution_saving(const mkba_svc_arm *a, int e, double substituted)
{
    return a->sub_price[e] * substitution_given(a, e, substituted);
}

/* Benefits paid to households a team got to claim (take-up): a cost to
 * the payer and a gain to the recipient, booked as a transfer too, as a
 * cost rule's transfer_to is (tally.c), so society nets it out. */
static void book_take_up(mkba_svc_work *w, const mkba_svc_arm *a, int k, double amount)
{
    const mkba_pathway *p = a->p;
    mkba_svc_tally *t = &w->tally;
    size_t row = (a->arm * t->ncycles + (size_t)(k - 1)) * t->npayers;
    if (amount == 0.0)
        return;
    book(w, a, k, p->take_up_payer, p->take_up_category, amount);
    if (p->take_up_wage_indexed) {
        t->wages[row + (size_t)p->take_up_payer] += amount / a->households;
        t->wages[row + (size_t)p->take_up_recipient] -= amount / a->households;
    }
    t->cost[row + (size_t)p->take_up_recipient] -= amount / a->households;
    t->transfer[row + (size_t)p->take_up_payer] += amount / a->households;
    t->transfer[row + (size_t)p->take_up_recipient] -= amount / a->households;
}

/* "For whom": cycle k's take-up and substitution booked to the group
 * cells of the households they belong to, as book_take_up and
 * cycle_tally book them for all, and the cells' households in care. */
static void book_cells(mkba_svc_work *w, const mkba_svc_arm *a, int k,
                       const mkba_svc_admitted *ad)
{
    mkba_svc_tally *t = &w->tally;
    const mkba_pathway *p = a->p;
    const size_t P = t->npayers, T = t->nteams;
    for (size_t c = 0; c < t->ncells; c++) {
        const size_t row = (c * t->narms + a->arm) * t->ncycles + (size_t)(k - 1);
        for (size_t i = 0; i < T; i++)
            t->cell_use[row * T + i] += (double)ad->cell_in_care[i][c];
        if (a->take_up && ad->cell_claimants[c] > 0) {
            double x = take_up_paid(a, (double)ad->cell_claimants[c]) / a->households;
            if (p->take_up_payer >= 0)
                t->cell_cost[row * P + (size_t)p->take_up_payer] += x;
            t->cell_cost[row * P + (size_t)p->take_up_recipient] -= x;
        }
        const size_t at = (c * t->narms + a->arm) * t->npoints + (size_t)k;
        for (int e = 0; e < a->nsubstitute; e++) {
            const mkba_cost_rule *r = &a->m->cost[p->substitute[e].cost_rule];
            /* A price that varies by year is priced per cycle, as the
             * totals' given is (mkba_svc_group_price). */
            if (mkba_params_time_column(a->m->params, (size_t)r->amount) >= 0)
                t->cell_given[at * MKBA_MAX_SUBSTITUTE + (size_t)e] +=
                    substitution_given(a, e, ad->cell_substituted[e][c]);
            else if (r->payer >= 0)
                t->cell_saved[at * P + (size_t)r->payer] +=
                    substitution_saving(a, e, ad->cell_substituted[e][c]);
        }
    }
}

/* Start-up and secondment (docs/model.md): the old structure running on
 * beside the arm's own teams for the part of cycle k before
 * double_running_years, a cost of switching ("investment"), and the
 * seconded staff's extra work ("programme"), each a share of the own
 * teams' staff cost, to the teams' payers. */
static void book_own_overheads(mkba_svc_work *w, const mkba_svc_arm *a, int k, double dt,
                               double share)
{
    const mkba_services *sv = &a->m->services;
    double overlap = a->double_running_years - (k - 1) * dt;
    overlap = overlap < 0.0 ? 0.0 : overlap > dt ? dt : overlap;
    for (uint32_t c = a->own; c != 0; c &= c - 1) {
        const mkba_team *tm = &sv->team[__builtin_ctz(c)];
        const mkba_svc_team_values *v = &a->team[__builtin_ctz(c)];
        for (int i = 0; i < tm->npayers; i++) {
            double staff = v->fte * v->cost_per_fte * share * tm->payer_share[i];
            book(w, a, k, tm->payer_of[i], w->investment, staff * a->double_running * overlap);
            book(w, a, k, tm->payer_of[i], w->programme, staff * a->secondment * dt);
        }
    }
}

/* Unpooled budgets' heavier help in cycle k: every per-year cost rule in
 * category "first line" or "second line" (the help bought) of a domain's
 * state is used 1 + heavier times for the own teams' households in care
 * with that domain in their plan, booked to the rule's payer and category
 * as the rule is; the households' states are untouched
 * (docs/model.md, "Degrees of integration"). */
static void book_heavier(mkba_svc_work *w, const mkba_svc_arm *a, int k, double dt,
                         const mkba_svc_admitted *ad)
{
    const mkba_model *m = a->m;
    mkba_svc_tally *t = &w->tally;
    const size_t row = (a->arm * t->ncycles + (size_t)(k - 1)) * t->npayers;
    for (size_t i = 0; i < m->ncosts; i++) {
        const mkba_cost_rule *r = &m->cost[i];
        if (r->kind != MKBA_COST_STATE || r->transfer_to >= 0
            || (r->category_index != w->first_line && r->category_index != w->second_line)
            || !(r->arms >> a->arm & 1u) || k < r->cycles.from || k > r->cycles.to)
            continue;
        long n = ad->heavier[r->domain][r->state];
        if (n == 0)
            continue;
        double x = a->heavier * mkba_amount_in(m, a->values, w->by_cycle, a->arm, r->amount, k)
                   * dt * (double)n;
        book(w, a, k, r->payer, r->category_index, x);
        if (r->wage_indexed && r->payer >= 0)
            t->wages[row + (size_t)r->payer] += x / a->households;
    }
}

/* The cycle's service costs and outputs from its counts. */
static void cycle_tally(mkba_svc_work *w, const mkba_svc_arm *a, int k, const long *counts,
                        const mkba_svc_admitted *ad)
{
    const mkba_model *m = a->m;
    const mkba_services *sv = &m->services;
    const mkba_pathway *p = a->p;
    const double dt = m->timing.cycle_years, N = a->households;
    /* Amounts given for the whole population, per simulated household. */
    const double share = N / a->population;
    double fte_used = 0.0;
    for (size_t i = 0; i < sv->nteams; i++) {
        const mkba_team *tm = &sv->team[i];
        const mkba_svc_team_values *v = &a->team[i];
        if (!(p->teams_used >> i & 1u))
            continue;
        book_team(w, a, k, tm, v->fte * v->cost_per_fte * dt * share);
        /* The front post's intake happened when the household asked. */
        int front = a->front_intake && (int)i == p->team;
        if (!front)
            book_team(w, a, k, tm, v->intake_cost * (double)ad->team_admitted[i]);
        book_team(w, a, k, tm, v->turnover * dt * (double)ad->team_in_care[i] * v->handover_cost);
        fte_used += (double)ad->team_in_care[i] / v->caseload / share;
    }
    if (a->front_intake) {
        const mkba_team *fp = &sv->team[p->team];
        book_team(w, a, k, fp, a->team[p->team].intake_cost * (double)counts[MKBA_SVC_FRONT_INTAKES]);
    }
    if (p->informal_care >= 0)
        book(w, a, k, p->informal_payer, p->informal_category,
             a->informal_care * (double)counts[MKBA_SVC_SELF]);
    book(w, a, k, p->payer, w->first_line,
         a->quick_scan_cost * (double)counts[MKBA_SVC_SCANS]
             + a->home_visit_cost * (double)counts[MKBA_SVC_VISITS]);
    book(w, a, k, p->payer, w->programme,
         a->duplicate_registration * (double)ad->duplicate_registrations
             + (a->recurring + a->co_location + a->ict_running) * dt * share);
    if (a->double_running != 0.0 || a->secondment != 0.0)
        book_own_overheads(w, a, k, dt, share);
    if (a->heavier != 0.0)
        book_heavier(w, a, k, dt, ad);
    double investment = a->investment + a->ict_investment;
    if (k == 1 && p->payer >= 0 && investment != 0.0) {
        mkba_svc_tally *t = &w->tally;
        t->once[a->arm * t->npayers + (size_t)p->payer] += investment / a->population;
        t->category[(a->arm * t->ncycles) * t->ncategories + (size_t)w->investment] +=
            investment / a->population;
    }
    if (a->take_up)
        book_take_up(w, a, k, take_up_paid(a, (double)ad->claimants));
    book_cells(w, a, k, ad);
    /* Help the team gave itself is help not bought: a saving per year at
     * point k to the payer of the cost rule that buys it, in that rule's
     * category, priced as the rule is (mkba_svc_price); during the
     * start-up ramp only the share of staff and contracts in place. */
    for (int e = 0; e < a->nsubstitute; e++) {
        const mkba_cost_rule *c = &m->cost[p->substitute[e].cost_rule];
        mkba_svc_tally *t = &w->tally;
        size_t at = a->arm * t->npoints + (size_t)k;
        if (mkba_params_time_column(m->params, (size_t)c->amount) >= 0) {
            t->given[at * MKBA_MAX_SUBSTITUTE + (size_t)e] +=
                substitution_given(a, e, ad->substituted[e]);
            continue;
        }
        double x = substitution_saving(a, e, ad->substituted[e]);
        if (c->payer >= 0)
            t->saved[at * t->npayers + (size_t)c->payer] += x;
        if ((size_t)c->category_index < t->ncategories)
            t->saved_category[at * t->ncategories + (size_t)c->category_index] += x;
    }
    size_t i = a->arm * w->tally.ncycles + (size_t)(k - 1);
    double **out = w->tally.out;
    out[0][i] = (double)counts[MKBA_SVC_ARRIVALS] / N;
    out[1][i] = (double)ad->reached / N;
    out[2][i] = (double)counts[MKBA_SVC_SELF] / N;
    out[3][i] = (double)ad->in_care / N;
    out[4][i] = (double)ad->waiting / N;
    out[5][i] = ad->reached > 0 ? (double)ad->wait_cycles * dt / (double)ad->reached : NAN;
    out[6][i] = (double)counts[MKBA_SVC_DETECTED] / N;
    out[7][i] = fte_used;
    out[8][i] = (double)ad->withdrawn / N;
    for (size_t j = 0; j < sv->nteams; j++) {
        w->tally.team_in_care[i * sv->nteams + j] = (double)ad->team_in_care[j] / N;
        w->tally.team_queue[i * sv->nteams + j] = (double)ad->team_waiting[j] / N;
        w->tally.team_reached[i * sv->nteams + j] = (double)ad->team_admitted[j] / N;
        w->tally.team_mean_wait[i * sv->nteams + j] =
            ad->team_admitted[j] > 0
                ? (double)ad->team_wait_cycles[j] * dt / (double)ad->team_admitted[j] : NAN;
    }
    for (size_t d = 0; d < m->ndomains; d++)
        w->tally.registered[i * m->ndomains + d] =
            (double)counts[MKBA_SVC_REGISTERED + d] / N;
}

/* Counts a finished cycle of an arm and, on thread 0 (the thread that
 * called mkba_svc_run, as OpenMP numbers it), tells p: household-cycles
 * of every arm done so far. */
static void cycle_done(mkba_svc_work *w, const mkba_engine_progress *p, int tid)
{
    long done = atomic_fetch_add_explicit(&w->cycles_done, 1, memory_order_relaxed) + 1;
    if (tid == 0 && p != NULL && p->fn != NULL)
        p->fn(p->user, p->done_before + (double)done * (double)w->households, p->total);
}

/* Starts the entrants that join at point j (an open run): their initial
 * states, their occupancy at j into the thread's entrant tallies; they
 * are clients from the cycle that follows on. */
static void start_entrants(mkba_svc_work *w, mkba_svc_arm *a, mkba_svc_households *hh,
                           size_t arm, int j, int parallel, int tid)
{
    const mkba_layout *l = a->t->l;
    const size_t at = arm * l->npoints * l->nslots + (size_t)j * l->nslots;
    for (int y = 0; y < w->nyears; y++) {
        if (w->year_point[y] != j)
            continue;
        const long h0 = w->year_first[y], h1 = w->year_first[y + 1];
        const long n = (h1 - h0 + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(static) num_threads(w->nthreads) if (parallel)
        for (long i = 0; i < n; i++) {
            int me = parallel ? omp_get_thread_num() : tid;
            long c0 = h0 + i * CHUNK, c1 = c0 + CHUNK < h1 ? c0 + CHUNK : h1;
            mkba_svc_entrant_states(a, c0, c1, w->scratch[me], hh->x);
            mkba_svc_households_start(a, hh, c0, c1, hh->x, w->delta_new[me] + at);
        }
        hh->n = h1;
        a->clients = (double)h1;
    }
}

/* Cycle k of the entrants that joined by now (an open run), counted as
 * run_arm counts the starting households', tallied apart. */
static void entrants_cycle(mkba_svc_work *w, const mkba_svc_arm *a, mkba_svc_households *hh,
                           size_t arm, int k, int parallel, int tid)
{
    const mkba_layout *l = a->t->l;
    const long h0 = w->households, n = (hh->n - h0 + CHUNK - 1) / CHUNK;
#pragma omp parallel for schedule(dynamic, 1) num_threads(w->nthreads) if (parallel)
    for (long i = 0; i < n; i++) {
        int me = parallel ? omp_get_thread_num() : tid;
        long c0 = h0 + i * CHUNK, c1 = c0 + CHUNK < hh->n ? c0 + CHUNK : hh->n;
        long local[MKBA_SVC_NCOUNTS] = {0};
        mkba_svc_households_cycle(a, hh, c0, c1, k, w->scratch[me],
                                  w->delta_new[me] + arm * l->npoints * l->nslots,
                                  w->entries_new[me] + arm * l->ncycles * l->nstates_total,
                                  local);
        for (int j = 0; j < MKBA_SVC_NCOUNTS; j++)
            w->counts[me][j] += local[j];
    }
}

/* Runs arm `arm` of the draw on household records `set`. With `parallel`,
 * each cycle's household phase is shared by the work's threads; else the
 * calling thread, number tid, does all of it. */
static void run_arm(const mkba_model *m, const mkba_tables *t, const double *values,
                    uint64_t seed, uint32_t draw, size_t arm,
                    const mkba_engine_progress *p, mkba_svc_work *w, int set, int parallel,
                    int tid)
{
    const volatile sig_atomic_t *stop = p != NULL ? p->stop : NULL;
    const mkba_layout *l = t->l;
    const long nchunks = w->chunks.n;
    const size_t per_arm = l->npoints * l->nslots;
    const int ncounts = MKBA_SVC_REGISTERED + (int)m->ndomains;
    /* The rows of counters this arm's household phase uses. */
    const int row0 = parallel ? 0 : tid, nrows = parallel ? w->nthreads : 1;
    mkba_svc_households *hh = &w->hh[set];
    mkba_svc_arm *a = &w->arm[set];
    mkba_svc_arm_init(a, m, t, values + arm * mkba_params_count(m->params), arm, seed, draw,
                      w->households);
    a->cell = w->ncells > 1 ? w->cell : NULL;
    a->ncell = w->households;
    a->cell_delta = w->ndelta;
    a->cell_entries = w->nentries;
    mkba_svc_queues_clear(w->queues[set]);
    hh->n = w->households;     /* an open run's entrants join later */
    for (int i = row0; i < row0 + nrows; i++)
        mkba_svc_scratch_clear(w->scratch[i]);
#pragma omp parallel for schedule(static) num_threads(w->nthreads) if (parallel)
    for (long i = 0; i < nchunks; i++) {
        int me = parallel ? omp_get_thread_num() : tid;
        int64_t *delta = w->delta[me] + (size_t)w->chunks.batch[i] * (size_t)w->ncells * w->ndelta
                         + arm * per_arm;
        if (!w->x0_shared)
            mkba_svc_initial_states(a, w->chunks.h0[i], w->chunks.h0[i + 1], w->scratch[me],
                                    hh->x);
        mkba_svc_households_start(a, hh, w->chunks.h0[i], w->chunks.h0[i + 1],
                                  w->x0_shared ? w->x0 : hh->x, delta);
    }
    for (int k = 1; k <= (int)l->ncycles && !(stop != NULL && *stop); k++) {
        mkba_svc_arm_cycle(a, k);
        if (w->open)
            start_entrants(w, a, hh, arm, k - 1, parallel, tid);
        memset(w->counts + row0, 0, (size_t)nrows * sizeof *w->counts);
#pragma omp parallel for schedule(dynamic, 1) num_threads(w->nthreads) if (parallel)
        for (long i = 0; i < nchunks; i++) {
            int me = parallel ? omp_get_thread_num() : tid, b = w->chunks.batch[i];
            int64_t *delta = w->delta[me] + (size_t)b * (size_t)w->ncells * w->ndelta
                             + arm * per_arm;
            uint64_t *entries = w->entries[me] + (size_t)b * (size_t)w->ncells * w->nentries
                                + arm * l->ncycles * l->nstates_total;
            /* Counted locally: the threads' counters share cache lines.
             * Only the model's domains' registrations are in use. */
            long local[MKBA_SVC_NCOUNTS];
            memset(local, 0, (size_t)ncounts * sizeof *local);
            mkba_svc_households_cycle(a, hh, w->chunks.h0[i], w->chunks.h0[i + 1], k,
                                      w->scratch[me], delta, entries, local);
            for (int j = 0; j < ncounts; j++)
                w->counts[me][j] += local[j];
        }
        if (w->open)
            entrants_cycle(w, a, hh, arm, k, parallel, tid);
        long counts[MKBA_SVC_NCOUNTS] = {0};
        for (int r = row0; r < row0 + nrows; r++)
            for (int j = 0; j < MKBA_SVC_NCOUNTS; j++)
                counts[j] += w->counts[r][j];
        mkba_svc_admitted ad;
        mkba_svc_admit(a, hh, w->queues[set], k, &ad);
        cycle_tally(w, a, k, counts, &ad);
        cycle_done(w, p, tid);
    }
}

/* Adds the integer tallies of batch b and cell `cell` of every thread to
 * c: occupancy is the running sum of the changes; changes and entries add
 * up in integers, so any split of the households gives the same totals. */
static void add_cell(const mkba_svc_work *w, const mkba_layout *l, int b, int cell,
                     mkba_counts *c)
{
    const size_t at_cell = (size_t)b * (size_t)w->ncells + (size_t)cell;
    for (int i = 0; i < w->nthreads; i++) {
        const uint64_t *te = w->entries[i] + at_cell * w->nentries;
        for (size_t j = 0; j < w->nentries; j++)
            c->entries[j] += te[j];
        const int64_t *dl = w->delta[i] + at_cell * w->ndelta;
        for (size_t arm = 0; arm < l->narms; arm++)
            for (size_t s = 0; s < l->nslots; s++) {
                int64_t run = 0;
                for (size_t j = 0; j < l->npoints; j++) {
                    size_t at = (arm * l->npoints + j) * l->nslots + s;
                    run += dl[at];
                    c->occ[at] += (uint64_t)run;
                }
            }
    }
}

/* Batch b's tallies, all cells. */
static void add_batch(const mkba_svc_work *w, const mkba_layout *l, int b, mkba_counts *c)
{
    for (int cell = 0; cell < w->ncells; cell++)
        add_cell(w, l, b, cell, c);
}

void mkba_svc_cell_add(const mkba_svc_work *w, const mkba_layout *l, int cell, mkba_counts *c)
{
    for (int b = 0; b < w->nbatches; b++)
        add_cell(w, l, b, cell, c);
    c->households += (double)w->cell_households[cell];
}

/* Each household's group cell from its starting state in the reference
 * arm (into w->x0 when the arms do not share it), and the cells'
 * households. */
static void find_cells(const mkba_model *m, const mkba_tables *t, const double *values,
                       uint64_t seed, uint32_t draw, mkba_svc_work *w)
{
    if (!w->x0_shared) {
        const size_t ref = (size_t)m->reference;
        mkba_svc_arm *a0 = &w->arm[w->nsets];
        mkba_svc_arm_init(a0, m, t, values + ref * mkba_params_count(m->params), ref, seed,
                          draw, w->households);
#pragma omp parallel for schedule(dynamic, 1) num_threads(w->nthreads)
        for (long i = 0; i < w->chunks.n; i++)
            mkba_svc_initial_states(a0, w->chunks.h0[i], w->chunks.h0[i + 1],
                                    w->scratch[omp_get_thread_num()], w->x0);
    }
    memset(w->cell_households, 0, sizeof w->cell_households);
    for (long h = 0; h < w->households; h++) {
        w->cell[h] = (uint8_t)mkba_group_cell(t, m->ndomains, w->x0 + (size_t)h * m->ndomains);
        w->cell_households[w->cell[h]]++;
    }
}

void mkba_svc_run(const mkba_model *m, const mkba_tables *t, const double *values,
                  const double *by_cycle, uint64_t seed, uint32_t draw,
                  const mkba_engine_progress *progress, mkba_svc_work *w, mkba_counts *c)
{
    const mkba_layout *l = t->l;
    mkba_svc_tally *st = &w->tally;
    w->by_cycle = by_cycle;
    size_t AT = st->narms * st->ncycles;
    memset(st->cost, 0, AT * st->npayers * sizeof *st->cost);
    memset(st->category, 0, AT * st->ncategories * sizeof *st->category);
    memset(st->once, 0, st->narms * st->npayers * sizeof *st->once);
    memset(st->transfer, 0, AT * st->npayers * sizeof *st->transfer);
    memset(st->wages, 0, AT * st->npayers * sizeof *st->wages);
    memset(st->saved, 0, st->narms * st->npoints * st->npayers * sizeof *st->saved);
    memset(st->saved_category, 0,
           st->narms * st->npoints * st->ncategories * sizeof *st->saved_category);
    memset(st->given, 0, st->narms * st->npoints * MKBA_MAX_SUBSTITUTE * sizeof *st->given);
    for (int i = 0; i < 9; i++)
        memset(st->out[i], 0, AT * sizeof *st->out[i]);
    memset(st->cell_cost, 0, st->ncells * AT * st->npayers * sizeof *st->cell_cost);
    memset(st->cell_saved, 0,
           st->ncells * st->narms * st->npoints * st->npayers * sizeof *st->cell_saved);
    memset(st->cell_given, 0,
           st->ncells * st->narms * st->npoints * MKBA_MAX_SUBSTITUTE * sizeof *st->cell_given);
    memset(st->cell_use, 0, st->ncells * AT * st->nteams * sizeof *st->cell_use);
    memset(st->team_cost, 0, (st->ncells > 0) * AT * st->nteams * st->npayers
                             * sizeof *st->team_cost);
    const size_t nb = (size_t)w->nbatches;
    for (int i = 0; i < w->nthreads; i++) {
        memset(w->delta[i], 0, nb * (size_t)w->ncells * w->ndelta * sizeof *w->delta[i]);
        memset(w->entries[i], 0, nb * (size_t)w->ncells * w->nentries * sizeof *w->entries[i]);
    }
    atomic_store_explicit(&w->cycles_done, 0, memory_order_relaxed);
    w->x0_shared = t->init_same && m->narms > 1;
    if (w->x0_shared) {
        mkba_svc_arm *a0 = &w->arm[w->nsets];
        mkba_svc_arm_init(a0, m, t, values, 0, seed, draw, w->households);
#pragma omp parallel for schedule(dynamic, 1) num_threads(w->nthreads)
        for (long i = 0; i < w->chunks.n; i++)
            mkba_svc_initial_states(a0, w->chunks.h0[i], w->chunks.h0[i + 1],
                                    w->scratch[omp_get_thread_num()], w->x0);
    }
    if (w->ncells > 1)
        find_cells(m, t, values, seed, draw, w);
    if (w->nsets > 1) {
        /* Whole arms per thread; cycle_tally writes only its arm's rows. */
#pragma omp parallel for schedule(dynamic, 1) num_threads(w->nthreads)
        for (size_t arm = 0; arm < m->narms; arm++) {
            int tid = omp_get_thread_num();
            run_arm(m, t, values, seed, draw, arm, progress, w, tid, 0, tid);
        }
    } else {
        for (size_t arm = 0; arm < m->narms; arm++)
            run_arm(m, t, values, seed, draw, arm, progress, w, 0, 1, 0);
    }
    mkba_counts_zero(c);
    for (int b = 0; b < w->nbatches; b++)
        add_batch(w, l, b, c);
    c->households = (double)w->households;
    mkba_counts_to_double(c);
}

double mkba_svc_open_share(const mkba_model *m, const mkba_svc_work *open)
{
    const double T = m->timing.ncycles, closed = (double)open->households * T;
    double work = closed;
    for (int y = 0; y < open->nyears; y++)
        work += open->entrants_per_year * (T - open->year_point[y]);
    return work / (closed + work);
}

void mkba_svc_run_open(const mkba_model *m, const mkba_tables *t, const double *values,
                       const double *by_cycle, uint64_t seed, uint32_t draw,
                       const mkba_engine_progress *progress, mkba_svc_work *w, mkba_counts *c)
{
    const mkba_layout *l = t->l;
    const size_t nent = l->narms * l->ncycles * l->nstates_total;
    w->year_first[0] = w->households;
    for (int y = 0; y < w->nyears; y++)
        w->year_first[y + 1] = w->year_first[y]
                               + mkba_entrants_in_year(seed, draw, (uint32_t)y + 1,
                                                       w->entrants_per_year);
    for (int i = 0; i < w->nthreads; i++) {
        memset(w->delta_new[i], 0, w->ndelta * sizeof *w->delta_new[i]);
        memset(w->entries_new[i], 0, nent * sizeof *w->entries_new[i]);
    }
    mkba_svc_run(m, t, values, by_cycle, seed, draw, progress, w, c);
    memset(c->occ_new, 0, l->narms * l->npoints * l->nslots * sizeof *c->occ_new);
    memset(c->entries_new, 0, nent * sizeof *c->entries_new);
    for (int i = 0; i < w->nthreads; i++) {
        for (size_t j = 0; j < nent; j++)
            c->entries_new[j] += w->entries_new[i][j];
        for (size_t arm = 0; arm < l->narms; arm++)
            for (size_t s = 0; s < l->nslots; s++) {
                int64_t run = 0;
                for (size_t j = 0; j < l->npoints; j++) {
                    size_t at = (arm * l->npoints + j) * l->nslots + s;
                    run += w->delta_new[i][at];
                    c->occ_new[at] += (uint64_t)run;
                }
            }
    }
    for (int y = 0; y < w->nyears; y++)
        for (size_t j = (size_t)w->year_point[y]; j < l->npoints; j++)
            c->joined[j] += (double)(w->year_first[y + 1] - w->year_first[y]);
    mkba_counts_to_double(c);
}

void mkba_svc_batch_counts(const mkba_svc_work *w, const mkba_layout *l, int b, mkba_counts *c)
{
    const long H = w->households;
    mkba_counts_zero(c);
    add_batch(w, l, b, c);
    c->households = (double)(H * (b + 1) / w->nbatches - H * b / w->nbatches);
    mkba_counts_to_double(c);
}

/* Takes cycle k's part of a saving per year known at the time points
 * (at_point[point][n]) off u and dsc ([n], undiscounted and discounted),
 * and off the totals u_all and dsc_all when given: at the weights and
 * discounting a state cost rule has in cycle k under timing tm (tally.c,
 * occupancy_values), so the saving never exceeds what the rule charges
 * for the same households. */
static void take_saving(const mkba_timing *tm, int k, const double *at_point, size_t n,
                        double *u, double *dsc, double *u_all, double *dsc_all)
{
    int pts[3];
    double wt[3];
    int nterms = mkba_timing_terms(tm, k, 1, tm->ncycles, pts, wt);
    double cycle_df = mkba_discount(tm->rate_costs, mkba_timing_event_years(tm, k));
    for (int i = 0; i < nterms; i++) {
        double df = tm->discount_time == MKBA_DISC_POINT
                        ? mkba_discount(tm->rate_costs, pts[i] * tm->cycle_years) : cycle_df;
        for (size_t c = 0; c < n; c++) {
            double v = wt[i] * tm->cycle_years * at_point[(size_t)pts[i] * n + c];
            if (u != NULL)
                u[c] -= v;
            dsc[c] -= v * df;
            if (u_all != NULL) {
                u_all[c] -= v;
                dsc_all[c] -= v * df;
            }
        }
    }
}

/* Cycle k's saving of entry e whose price varies by year: the help given
 * at cycle k's points (given[point][entry]) at that cycle's amount, with
 * the weights the tally gives such an amount (a half-cycle correction as
 * the per-cycle trapezoid, tally.c), undiscounted into *u and discounted
 * into *dsc. */
static void given_saving(const mkba_timing *tm, int k, const double *given, int e,
                         double amount, double *u, double *dsc)
{
    mkba_timing t = *tm;
    if (t.correction == MKBA_CORR_HALF_CYCLE)
        t.correction = MKBA_CORR_TRAPEZOID;
    int pts[3];
    double wt[3];
    int nterms = mkba_timing_terms(&t, k, 1, t.ncycles, pts, wt);
    double cycle_df = mkba_discount(t.rate_costs, mkba_timing_event_years(&t, k));
    *u = *dsc = 0.0;
    for (int i = 0; i < nterms; i++) {
        double df = t.discount_time == MKBA_DISC_POINT
                        ? mkba_discount(t.rate_costs, pts[i] * t.cycle_years) : cycle_df;
        double v = wt[i] * t.cycle_years * given[(size_t)pts[i] * MKBA_MAX_SUBSTITUTE + (size_t)e]
                   * amount;
        *u += v;
        *dsc += v * df;
    }
}

/* The cost rule of arm's substitution entry e when its bought-help price
 * varies by year, with that price in cycle k (by_cycle, as
 * mkba_svc_price takes it) in *amount; NULL for a constant price. */
static const mkba_cost_rule *given_rule(const mkba_model *m, const double *by_cycle,
                                        size_t arm, int e, int k, double *amount)
{
    const mkba_cost_rule *c = &m->cost[m->services.pathway[arm].substitute[e].cost_rule];
    if (by_cycle == NULL || mkba_params_time_column(m->params, (size_t)c->amount) < 0)
        return NULL;
    *amount = mkba_amount_in(m, NULL, by_cycle, arm, c->amount, k);
    return c;
}

/* The saving of the arm's entries whose bought-help price varies by year,
 * in cycle k, each at its cost rule's amount in that cycle (issue 12). */
static void price_given(const mkba_model *m, const mkba_svc_work *w, const double *by_cycle,
                        size_t arm, int k, mkba_draw_result *r)
{
    const mkba_pathway *p = &m->services.pathway[arm];
    const mkba_svc_tally *st = &w->tally;
    const size_t T = st->ncycles, P = st->npayers, C = st->ncategories;
    const size_t row = arm * T + (size_t)k - 1, at = arm * st->npoints * MKBA_MAX_SUBSTITUTE;
    for (int e = 0; e < p->nsubstitute; e++) {
        double amount, u, dsc;
        const mkba_cost_rule *c = given_rule(m, by_cycle, arm, e, k, &amount);
        if (c == NULL)
            continue;
        given_saving(&m->timing, k, st->given + at, e, amount, &u, &dsc);
        if (c->payer >= 0) {
            size_t i = row * P + (size_t)c->payer;
            r->cost[i] -= u;
            r->cost_disc[i] -= dsc;
            r->cost_total[arm * P + (size_t)c->payer] -= u;
            r->cost_total_disc[arm * P + (size_t)c->payer] -= dsc;
        }
        if ((size_t)c->category_index < C) {
            r->cost_category[row * C + (size_t)c->category_index] -= u;
            r->cost_category_disc[row * C + (size_t)c->category_index] -= dsc;
        }
        if (r->budget_cost == NULL || c->payer < 0)
            continue;
        /* The budget view prices rules at the start of each cycle,
         * uncorrected (mkba_tally_budget). */
        mkba_timing bt = m->timing;
        bt.occupancy = MKBA_OCC_START;
        bt.correction = MKBA_CORR_NONE;
        given_saving(&bt, k, w->budget->tally.given + at, e, amount, &u, &dsc);
        r->budget_cost[row * P + (size_t)c->payer] -= u;
        r->budget_cost_disc[row * P + (size_t)c->payer] -= dsc;
    }
}

/* Referral substitution's saving in cycle k of arm `arm`, priced into r. */
static void price_saving(const mkba_model *m, const mkba_svc_work *w, size_t arm, int k,
                         mkba_draw_result *r)
{
    const mkba_svc_tally *st = &w->tally;
    const size_t T = st->ncycles, P = st->npayers, C = st->ncategories;
    const size_t row = arm * T + (size_t)k - 1, at = arm * st->npoints;
    take_saving(&m->timing, k, st->saved + at * P, P, r->cost + row * P,
                r->cost_disc + row * P, r->cost_total + arm * P, r->cost_total_disc + arm * P);
    if (C > 0)
        take_saving(&m->timing, k, st->saved_category + at * C, C, r->cost_category + row * C,
                    r->cost_category_disc + row * C, NULL, NULL);
    if (r->budget_cost == NULL)
        return;
    /* The budget view prices rules at the start of each cycle, uncorrected
     * (mkba_tally_budget). */
    mkba_timing bt = m->timing;
    bt.occupancy = MKBA_OCC_START;
    bt.correction = MKBA_CORR_NONE;
    take_saving(&bt, k, w->budget->tally.saved + at * P, P, r->budget_cost + row * P,
                r->budget_cost_disc + row * P, NULL, NULL);
}

void mkba_svc_price(const mkba_model *m, const mkba_svc_work *w, const double *by_cycle,
                    mkba_draw_result *r)
{
    const mkba_svc_tally *st = &w->tally;
    const mkba_timing *tm = &m->timing;
    const size_t T = st->ncycles, P = st->npayers, C = st->ncategories;
    double *svc[9] = {r->svc_arrivals, r->svc_reached, r->svc_self_resolved, r->svc_in_care,
                      r->svc_queue, r->svc_mean_wait, r->svc_detected, r->svc_fte_used,
                      r->svc_withdrawn};
    for (size_t arm = 0; arm < st->narms; arm++) {
        for (size_t p = 0; p < P; p++) {
            /* The investment is spent at the start: time 0, undiscounted. */
            double once = st->once[arm * P + p];
            r->cost[(arm * T) * P + p] += once;
            r->cost_disc[(arm * T) * P + p] += once;
            r->cost_total[arm * P + p] += once;
            r->cost_total_disc[arm * P + p] += once;
        }
        if (C > 0) {
            double once = 0.0;
            for (size_t p = 0; p < P; p++)
                once += st->once[arm * P + p];
            r->cost_category_disc[(arm * T) * C + (size_t)w->investment] += once;
        }
        for (size_t k = 1; k <= T; k++) {
            double df = mkba_discount(tm->rate_costs, mkba_timing_event_years(tm, (int)k));
            size_t row = arm * T + k - 1;
            for (size_t p = 0; p < P; p++) {
                double x = st->cost[row * P + p], tr = st->transfer[row * P + p];
                r->cost[row * P + p] += x;
                r->cost_disc[row * P + p] += x * df;
                r->cost_total[arm * P + p] += x;
                r->cost_total_disc[arm * P + p] += x * df;
                r->transfer[row * P + p] += tr;
                r->transfer_disc[row * P + p] += tr * df;
                r->transfer_total[arm * P + p] += tr;
                r->transfer_total_disc[arm * P + p] += tr * df;
            }
            /* The budget view (a population block): the teams' costs of
             * each cycle as they are, the investment in the first. */
            const mkba_svc_tally *bt = &w->budget->tally;
            for (size_t p = 0; r->budget_cost != NULL && p < P; p++) {
                double x = bt->cost[row * P + p], once = k == 1 ? bt->once[arm * P + p] : 0.0;
                r->budget_cost[row * P + p] += x + once;
                r->budget_cost_disc[row * P + p] += x * df + once;
                r->budget_wages[row * P + p] += bt->wages[row * P + p];
            }
            for (size_t c = 0; c < C; c++) {
                double x = st->category[row * C + c];
                r->cost_category[row * C + c] += x;
                /* The one-off investment (in cycle 1's category row) is
                 * not discounted; it was added above. */
                double once = 0.0;
                if (k == 1 && c == (size_t)w->investment)
                    for (size_t p = 0; p < P; p++)
                        once += st->once[arm * P + p];
                r->cost_category_disc[row * C + c] += (x - once) * df;
            }
            price_saving(m, w, arm, (int)k, r);
            price_given(m, w, by_cycle, arm, (int)k, r);
            for (int i = 0; i < 9; i++)
                svc[i][row] = st->out[i][row];
            for (size_t j = 0; j < st->nteams; j++) {
                r->svc_team_in_care[row * st->nteams + j] = st->team_in_care[row * st->nteams + j];
                r->svc_team_queue[row * st->nteams + j] = st->team_queue[row * st->nteams + j];
                r->svc_team_reached[row * st->nteams + j] = st->team_reached[row * st->nteams + j];
                r->svc_team_mean_wait[row * st->nteams + j] =
                    st->team_mean_wait[row * st->nteams + j];
            }
            for (size_t d = 0; d < st->ndomains; d++)
                r->svc_registered[row * st->ndomains + d] = st->registered[row * st->ndomains + d];
        }
    }
}

/* The share of cycle k's (k >= 1; 0: the whole horizon) household-cycles
 * in the care of arm's team `team` (all teams when < 0) that group
 * `group`'s cells had, or `fallback` when nobody was in that care. */
static double group_use(const mkba_svc_work *w, int group, size_t arm, size_t k, int team,
                        double fallback)
{
    const mkba_svc_tally *t = &w->tally;
    const size_t T = t->nteams;
    const size_t first = team < 0 ? 0 : (size_t)team, last = team < 0 ? T : first + 1;
    double mine = 0.0, all = 0.0;
    for (size_t c = 0; c < t->ncells; c++) {
        const double *use = t->cell_use + (c * t->narms + arm) * t->ncycles * T;
        double u = 0.0;
        for (size_t j = k == 0 ? 0 : k - 1; j < (k == 0 ? t->ncycles : k); j++)
            for (size_t i = first; i < last; i++)
                u += use[j * T + i];
        all += u;
        if (mkba_group_has_cell(group, (int)c))
            mine += u;
    }
    return all > 0.0 ? mine / all : fallback;
}

void mkba_svc_group_price(const mkba_model *m, const mkba_svc_work *w, const double *by_cycle,
                          int group, double *cost, double *teams)
{
    const mkba_svc_tally *t = &w->tally;
    const mkba_timing *tm = &m->timing;
    const size_t A = t->narms, T = t->ncycles, P = t->npayers, C = t->ncells, NT = t->nteams;
    long households = 0;
    for (size_t c = 0; c < C; c++)
        if (mkba_group_has_cell(group, (int)c))
            households += w->cell_households[c];
    const double share = (double)households / (double)w->households;
    memset(cost, 0, A * P * sizeof *cost);
    memset(teams, 0, A * P * sizeof *teams);
    for (size_t arm = 0; arm < A; arm++) {
        double *own = cost + arm * P, *alloc = teams + arm * P;
        /* A cycle with nobody in a team's care falls back on the horizon's
         * use of that team, then of all teams, then on the households. */
        const double horizon = group_use(w, group, arm, 0, -1, share);
        double team_horizon[MKBA_MAX_TEAMS];
        for (size_t i = 0; i < NT; i++)
            team_horizon[i] = group_use(w, group, arm, 0, (int)i, horizon);
        for (size_t p = 0; p < P; p++)
            alloc[p] += t->once[arm * P + p] * horizon;
        for (size_t k = 1; k <= T; k++) {
            const double df = mkba_discount(tm->rate_costs, mkba_timing_event_years(tm, (int)k));
            const double use = group_use(w, group, arm, k, -1, horizon);
            const size_t row = arm * T + k - 1;
            double team_use[MKBA_MAX_TEAMS];
            for (size_t i = 0; i < NT; i++)
                team_use[i] = group_use(w, group, arm, k, (int)i, team_horizon[i]);
            for (size_t p = 0; p < P; p++) {
                double traced_all = 0.0, traced = 0.0;
                for (size_t c = 0; c < C; c++) {
                    double x = t->cell_cost[((c * A + arm) * T + k - 1) * P + p];
                    traced_all += x;
                    if (mkba_group_has_cell(group, (int)c))
                        traced += x;
                }
                /* Each team's own costs by the use of that team; the
                 * pathway's overheads and the rest by the use of all. */
                double rest = t->cost[row * P + p] - traced_all, by_team = 0.0;
                for (size_t i = 0; i < NT; i++) {
                    const double x = t->team_cost[(row * NT + i) * P + p];
                    rest -= x;
                    by_team += x * team_use[i];
                }
                own[p] += traced * df;
                alloc[p] += (by_team + rest * use) * df;
            }
            for (size_t c = 0; c < C; c++) {
                if (!mkba_group_has_cell(group, (int)c))
                    continue;
                const size_t at = (c * A + arm) * t->npoints;
                take_saving(tm, (int)k, t->cell_saved + at * P, P, NULL, own, NULL, NULL);
                for (int e = 0; e < m->services.pathway[arm].nsubstitute; e++) {
                    double amount, u, dsc;
                    const mkba_cost_rule *r = given_rule(m, by_cycle, arm, e, (int)k, &amount);
                    if (r == NULL || r->payer < 0)
                        continue;
                    given_saving(tm, (int)k, t->cell_given + at * MKBA_MAX_SUBSTITUTE, e, amount,
                                 &u, &dsc);
                    own[r->payer] -= dsc;
                }
            }
        }
    }
    for (size_t i = 0; i < A * P; i++) {
        teams[i] /= share;
        cost[i] = cost[i] / share + teams[i];
    }
}
