/* The teams' queues: who is admitted in a cycle.
 *
 * Runs on one thread between two household phases. New requests join their
 * team's queue in household order; a "fifo" team admits by arrival, a
 * "priority" team by severity level, then arrival, then household. Free
 * places are the team's capacity at this cycle's efficiency minus the
 * households in its care. The outcome depends on the requests alone, so it
 * is the same for any thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "engine/services.h"
#include "core/alloc.h"
#include "mkba/rng.h"
#include "core/philox.h"

/* An entry of a priority queue with its sort keys (qsort has no context
 * argument, so the keys travel with the entries). */
typedef struct keyed {
    int prio, arrived;
    int32_t h;
} keyed;

struct mkba_svc_queues {
    size_t nteams;
    int32_t *q[MKBA_MAX_TEAMS]; /* household indices, oldest first */
    long len[MKBA_MAX_TEAMS];
    keyed *keys;               /* room to sort the longest queue */
};

mkba_svc_queues *mkba_svc_queues_alloc(long households, size_t nteams)
{
    mkba_svc_queues *q = mkba_calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    size_t n = (size_t)(households > 0 ? households : 1);
    q->nteams = nteams;
    int ok = (q->keys = mkba_malloc(n * sizeof *q->keys)) != NULL;
    for (size_t i = 0; ok && i < nteams; i++)
        ok = (q->q[i] = mkba_malloc(n * sizeof *q->q[i])) != NULL;
    if (!ok) {
        mkba_svc_queues_free(q);
        return NULL;
    }
    return q;
}

size_t mkba_svc_queues_bytes_per_household(size_t nteams)
{
    const mkba_svc_queues *q = NULL;
    return sizeof *q->keys + nteams * sizeof *q->q[0];
}

void mkba_svc_queues_free(mkba_svc_queues *q)
{
    if (q == NULL)
        return;
    for (size_t i = 0; i < q->nteams; i++)
        mkba_free(q->q[i]);
    mkba_free(q->keys);
    mkba_free(q);
}

void mkba_svc_queues_clear(mkba_svc_queues *q)
{
    memset(q->len, 0, sizeof q->len);
}

long mkba_svc_places(const mkba_svc_arm *a, int team, int k)
{
    return mkba_svc_places_less(a, team, k, 0.0);
}

double mkba_svc_capacity(const mkba_svc_arm *a, int team, int k)
{
    double years = (k - 0.5) * a->m->timing.cycle_years;
    double eff = a->own_teams >> team & 1u
                     ? mkba_svc_maturity(a->efficiency_start, a->efficiency_years, years)
                           * mkba_svc_ramp(a, years)
                     : 1.0;
    return a->team[team].places * eff;
}

long mkba_svc_places_less(const mkba_svc_arm *a, int team, int k, double load)
{
    double c = mkba_svc_capacity(a, team, k);
    /* Help the team gives itself takes places before anyone is admitted. */
    if (load > 0.0)
        c = c > load ? c - load : 0.0;
    if (!(c < a->clients))
        return (long)a->clients;
    /* Capacity for a simulated cohort is rarely whole: the fraction is a
     * place with that probability, so a small cohort's capacity is right
     * on average. The word is keyed by (seed, draw, team, cycle), past
     * every household's index; products within 1e-9 of a whole number
     * count as whole. */
    double whole = floor(c + 1e-9 * (c + 1.0));
    double frac = c - whole;
    if (frac <= 0.0)
        return (long)whole;
    uint32_t w[4];
    mkba_philox_blocks(a->seed, a->draw, UINT32_MAX - (uint32_t)team, MKBA_STREAM_SERVICE,
                       (uint32_t)k, 1, w);
    return (long)whole + (mkba_rng_u01(w[0]) < frac);
}

static int by_priority(const void *pa, const void *pb)
{
    const keyed *a = pa, *b = pb;
    if (a->prio != b->prio)
        return a->prio > b->prio ? -1 : 1;
    if (a->arrived != b->arrived)
        return a->arrived < b->arrived ? -1 : 1;
    return (a->h > b->h) - (a->h < b->h);
}

static void sort_by_priority(const mkba_svc_households *hh, keyed *k, int32_t *queue, long n)
{
    for (long i = 0; i < n; i++)
        k[i] = (keyed){hh->prio[queue[i]], hh->arrived[queue[i]], queue[i]};
    qsort(k, (size_t)n, sizeof *k, by_priority);
    for (long i = 0; i < n; i++)
        queue[i] = k[i].h;
}

/* Households whose take-up words are made together. */
#define TAKE_UP_BATCH 256

/* Whether household h is entitled: its take-up domain at the pathway's
 * severity or above. */
static int entitled(const mkba_svc_arm *a, const mkba_svc_households *hh, long h)
{
    const mkba_pathway *p = a->p;
    int d = p->take_up_domain;
    const uint8_t *x = hh->x + (size_t)h * hh->ndomains;
    return a->t->severity[a->t->l->state_base[d] + x[d]] >= p->take_up_min;
}

/* Households list[0 .. n) may start claiming. Whether a household is a
 * non-claimer at all (probability non_take_up) is one word keyed by
 * (seed, draw, household) alone, so every admission sees the same answer
 * and a household that claims anyway is never counted as a new claim;
 * whether the team gets a non-claimer to claim (team_claims) is a word of
 * the admission's cycle k. Both are on the service stream at blocks no
 * cycle's own words reach, so the other mechanisms' words are untouched,
 * and made together: one word per household alone costs a whole pass of
 * Philox rounds. */
static void start_claims(const mkba_svc_arm *a, mkba_svc_households *hh, const uint32_t *list,
                         uint32_t n, int k, mkba_svc_admitted *out)
{
    uint32_t non[4 * TAKE_UP_BATCH], claims[4 * TAKE_UP_BATCH];
    mkba_philox_households(a->seed, a->draw, MKBA_STREAM_SERVICE, MKBA_SVC_TAKE_UP_BLOCK, 1, 0,
                           list, n, non);
    mkba_philox_households(a->seed, a->draw, MKBA_STREAM_SERVICE,
                           MKBA_SVC_TAKE_UP_BLOCK + (uint32_t)k, 1, 0, list, n, claims);
    for (uint32_t i = 0; i < n; i++)
        if (mkba_rng_u01(non[4 * i]) < a->take_up_non
            && mkba_rng_u01(claims[4 * i]) < a->take_up_claims) {
            hh->claiming[list[i]] = 1;
            out->new_claims++;
            out->claimants++;
            out->cell_claimants[mkba_svc_cell_of(a, (long)list[i])]++;
        }
}

/* Take-up after admission: a household admitted in cycle k to one of the
 * arm's own teams that treats the take-up domain, under a joint plan,
 * entitled and not yet claiming, may start claiming; then the claimants
 * are counted (a claim lasts while the household is entitled and in the
 * model). */
static void take_up(const mkba_svc_arm *a, mkba_svc_households *hh, int k,
                    mkba_svc_admitted *out)
{
    const mkba_services *sv = &a->m->services;
    const int d = a->p->take_up_domain;
    uint32_t teams = 0;
    for (size_t i = 0; i < sv->nteams; i++)
        teams |= (uint32_t)((a->own_teams >> i & 1u) && (sv->team[i].domains >> d & 1u)) << i;
    uint32_t list[TAKE_UP_BATCH], n = 0;
    for (long h = 0; h < hh->n; h++) {
        if (hh->out[h] >= 0 || !entitled(a, hh, h))
            continue;
        if (hh->claiming[h]) {
            out->claimants++;
            out->cell_claimants[mkba_svc_cell_of(a, h)]++;
        } else if (hh->status[h] == MKBA_SVC_CARE && hh->since[h] == k && hh->joint[h]
                   && (teams >> hh->team[h] & 1u)) {
            list[n++] = (uint32_t)h;
            if (n == TAKE_UP_BATCH) {
                start_claims(a, hh, list, n, k, out);
                n = 0;
            }
        }
    }
    if (n > 0)
        start_claims(a, hh, list, n, k, out);
}

void mkba_svc_admit(const mkba_svc_arm *a, mkba_svc_households *hh, mkba_svc_queues *q, int k,
                    mkba_svc_admitted *out)
{
    const mkba_services *sv = &a->m->services;
    const int T = (int)sv->nteams;
    memset(out, 0, sizeof *out);
    /* Households that left a queue (solved while waiting, or gone) drop
     * out of it here; new requests join in household order. */
    for (int tm = 0; tm < T; tm++) {
        long n = 0;
        for (long i = 0; i < q->len[tm]; i++) {
            int32_t h = q->q[tm][i];
            if (hh->status[h] == MKBA_SVC_WAITING && hh->team[h] == tm)
                q->q[tm][n++] = h;
        }
        out->withdrawn += q->len[tm] - n;
        q->len[tm] = n;
    }
    for (long h = 0; h < hh->n; h++) {
        if (hh->status[h] == MKBA_SVC_CARE) {
            out->team_in_care[hh->team[h]]++;
            out->cell_in_care[hh->team[h]][mkba_svc_cell_of(a, h)]++;
            if (a->nsubstitute > 0)
                mkba_svc_substitution_add(a, hh, h, out);
            if (a->heavier != 0.0)
                mkba_svc_heavier_add(a, hh, h, out);
        } else if (hh->status[h] == MKBA_SVC_WAITING && hh->arrived[h] == k)
            q->q[hh->team[h]][q->len[hh->team[h]]++] = (int32_t)h;
    }
    if (a->nsubstitute > 0)
        mkba_svc_substitution_give(a, k, out);
    for (int tm = 0; tm < T; tm++) {
        int32_t *queue = q->q[tm];
        long n = q->len[tm];
        if (n == 0)
            continue;
        if (sv->team[tm].queue == MKBA_QUEUE_PRIORITY)
            sort_by_priority(hh, q->keys, queue, n);
        long free_places = mkba_svc_places_less(a, tm, k, out->team_load[tm])
                           - out->team_in_care[tm];
        long admit = free_places < 0 ? 0 : free_places < n ? free_places : n;
        for (long i = 0; i < admit; i++) {
            int32_t h = queue[i];
            int wait = k - hh->arrived[h];
            hh->status[h] = MKBA_SVC_CARE;
            hh->since[h] = (int16_t)k;
            hh->wait_factor[h] =
                (float)exp(-a->wait_effect * wait * a->m->timing.cycle_years);
            out->wait_cycles += wait;
            out->team_wait_cycles[tm] += wait;
            out->cell_in_care[tm][mkba_svc_cell_of(a, h)]++;
            if (a->heavier != 0.0)
                mkba_svc_heavier_add(a, hh, h, out);
            /* Without shared ICT each member of the arm's own team keeps
             * the client in the team's system and in that of their home
             * organisation: one member, so one more registration, per
             * domain of the joint plan; a single worker (the makelpunt's
             * broker) has one home organisation, so one registration. */
            if (hh->joint[h] && (a->own_teams >> tm & 1u))
                out->duplicate_registrations +=
                    a->rule->single_worker ? 1 : __builtin_popcount(hh->plan[h]);
        }
        memmove(queue, queue + admit, (size_t)(n - admit) * sizeof *queue);
        q->len[tm] = n - admit;
        out->team_admitted[tm] = admit;
        out->team_in_care[tm] += admit;
        out->reached += admit;
        out->waiting += n - admit;
        out->team_waiting[tm] = n - admit;
    }
    for (int tm = 0; tm < T; tm++)
        out->in_care += out->team_in_care[tm];
    if (a->take_up)
        take_up(a, hh, k, out);
}
