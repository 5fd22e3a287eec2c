/* One household's cycle under a service pathway: its problem transitions as
 * care and waiting modify them, then discharge, help seeking and routing
 * (docs/model.md, "Service pathways", for the equations).
 *
 * A household's transitions read the same words of its own stream as the
 * streaming kernel (micro.c), and a domain that care, waiting and joint
 * planning leave alone moves exactly as it would there: a scenario whose
 * services reach nobody reproduces the run without services. Help seeking,
 * detection and self-reliance read the separate MKBA_STREAM_SERVICE
 * stream. */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "engine/services.h"
#include "core/alloc.h"
#include "mkba/rng.h"
#include "core/philox.h"
#include "core/simd.h"

mkba_svc_scratch *mkba_svc_scratch_alloc(const mkba_layout *l)
{
    mkba_svc_scratch *s = mkba_calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    size_t blocks = (size_t)(l->init_blocks > l->blocks_per_cycle ? l->init_blocks
                                                                   : l->blocks_per_cycle);
    s->words = mkba_malloc((size_t)MKBA_SVC_CHUNK * blocks * 4 * sizeof *s->words);
    size_t rest = (size_t)MKBA_SVC_SERVICE_BLOCKS_OF((int)l->ndomains) - 1;
    s->detect_words = mkba_malloc((size_t)MKBA_SVC_CHUNK * (rest > 0 ? rest : 1) * 4
                                  * sizeof *s->detect_words);
    if (s->words == NULL || s->detect_words == NULL) {
        mkba_svc_scratch_free(s);
        return NULL;
    }
    return s;
}

size_t mkba_svc_scratch_bytes(const mkba_layout *l)
{
    size_t blocks = (size_t)(l->init_blocks > l->blocks_per_cycle ? l->init_blocks
                                                                   : l->blocks_per_cycle);
    size_t rest = (size_t)MKBA_SVC_SERVICE_BLOCKS_OF((int)l->ndomains) - 1;
    return sizeof(mkba_svc_scratch)
           + (size_t)MKBA_SVC_CHUNK * (blocks + (rest > 0 ? rest : 1)) * 4 * sizeof(uint32_t);
}

void mkba_svc_scratch_free(mkba_svc_scratch *s)
{
    if (s == NULL)
        return;
    mkba_free(s->words);
    mkba_free(s->detect_words);
    mkba_free(s);
}

void mkba_svc_scratch_clear(mkba_svc_scratch *s)
{
    for (int i = 0; i < MKBA_SVC_MEMO; i++)
        s->memo[i].row = NULL;
}

double mkba_svc_maturity(double start, double tau, double years)
{
    return start + (1.0 - start) * (1.0 - exp(-years / tau));
}

/* The domains d < D whose word is below the stay threshold of their
 * cached entry: the candidates to move (micro.c's stay test). */
static uint32_t below_portable(const uint32_t *words, const uint32_t *entry,
                               const mkba_worsening *tabs, int D)
{
    uint32_t cand = 0;
    for (int d = 0; d < D; d++)
        cand |= (uint32_t)(words[d] < tabs[entry[d]].stay) << d;
    return cand;
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define MKBA_SVC_BELOW_AVX2 1
_Static_assert(sizeof(mkba_worsening) == 24 && offsetof(mkba_worsening, stay) == 0,
               "below_avx2 gathers stay as every third 8-byte word");
/* The same, four domains per gather and comparison. Words are read up to D
 * rounded up to four (a cycle's blocks cover them); entries past D are
 * masked to 0 (a valid entry) and their bits dropped. */
__attribute__((target("avx2"))) static uint32_t below_avx2(const uint32_t *words,
                                                          const uint32_t *entry,
                                                          const mkba_worsening *tabs, int D)
{
    const __m128i lane = _mm_setr_epi32(0, 1, 2, 3);
    uint32_t cand = 0;
    for (int d = 0; d < D; d += 4) {
        __m128i in = _mm_cmpgt_epi32(_mm_set1_epi32(D - d), lane);
        __m256i e = _mm256_cvtepu32_epi64(_mm_maskload_epi32((const int *)(entry + d), in));
        __m256i at = _mm256_add_epi64(e, _mm256_slli_epi64(e, 1));
        __m256i stay = _mm256_i64gather_epi64((const long long *)tabs, at, 8);
        __m256i w = _mm256_cvtepu32_epi64(_mm_loadu_si128((const __m128i *)(words + d)));
        __m256i lt = _mm256_cmpgt_epi64(stay, w); /* both below 2^33: signed is exact */
        cand |= (uint32_t)_mm256_movemask_pd(_mm256_castsi256_pd(lt)) << d;
    }
    return D < 32 ? cand & ((1u << D) - 1u) : cand;
}
#endif

static void startup_init(mkba_svc_arm *a, const double *values, int switches);

void mkba_svc_arm_init(mkba_svc_arm *a, const mkba_model *m, const mkba_tables *t,
                       const double *values, size_t arm, uint64_t seed, uint32_t draw,
                       long households)
{
    const mkba_services *sv = &m->services;
    const mkba_pathway *p = &sv->pathway[arm];
    memset(a, 0, sizeof *a);
    a->m = m;
    a->t = t;
    a->p = p;
    a->arm = arm;
    a->seed = seed;
    a->draw = draw;
    a->households = (double)households;
    a->clients = (double)households;
    a->below = below_portable;
#ifdef MKBA_SVC_BELOW_AVX2
    if (mkba_simd_avx2())
        a->below = below_avx2;
#endif
    a->population = values[sv->population];
    a->rule = mkba_pathway_rule_of(p->rule);
    a->classic = !a->rule->integrated || p->degree == MKBA_DEGREE_NONE;
    a->scan = !a->classic && a->rule->quick_scan;
    a->front_intake = !a->classic && a->rule->intake_at_request;
    a->nseek = sv->nseek;
    for (int i = 0; i < sv->nseek; i++)
        a->seek[i] = values[sv->seek_rate[i]];
    a->stigma = values[p->stigma];
    a->outreach = values[p->outreach];
    a->awareness_start = values[p->awareness_start];
    a->awareness_years = values[p->awareness_years];
    a->detect = values[p->detect];
    if (p->classic_access >= 0 && !a->classic) {
        const mkba_pathway *c = &sv->pathway[p->classic_access];
        a->split_access = 1;
        a->classic_stigma = values[c->stigma];
        a->classic_outreach = values[c->outreach];
        a->classic_awareness_start = values[c->awareness_start];
        a->classic_awareness_years = values[c->awareness_years];
        a->classic_detect = values[c->detect];
        /* Self-reliance is promoted by the team (issue 12): households on
         * the classic route keep the classic route's share. */
        double classic_share = values[c->self_share], classic_cap = values[c->self_cap];
        a->classic_self_p = classic_share < classic_cap ? classic_share : classic_cap;
        if (p->integrated_share >= 0) {
            a->mixed = 1;
            a->integrated_share = values[p->integrated_share];
        }
    }
    a->coordination = a->classic ? 0.0 : values[p->coordination] * sv->degree_weight[p->degree];
    a->wait_escalation = values[p->wait_escalation];
    a->wait_effect = values[p->wait_effect];
    double cap = values[p->self_cap];
    double share = values[p->self_share];
    a->self_p = share < cap ? share : cap;
    if (a->rule->quick_scan) {
        double scan = values[p->quick_scan_share];
        a->scan_share = scan < cap ? scan : cap;
        a->quick_scan_cost = values[p->quick_scan_cost];
    }
    a->maturity_start = values[p->maturity_start];
    a->maturity_years = values[p->maturity_years];
    a->efficiency_start = values[p->efficiency_start];
    a->efficiency_years = values[p->efficiency_years];
    a->friction = values[p->friction];
    a->friction_years = values[p->friction_years];
    a->home_visit_cost = values[p->home_visit_cost];
    a->duplicate_registration = p->shared_ict ? 0.0 : values[p->duplicate_registration];
    /* The reference is what is in place today (the nulalternatief): its
     * set-up was paid before the horizon. The one-off investment is a cost
     * of setting up another model, paid only by the arms that do (another
     * rule, teams or degree); the dismantling of the reference's teams
     * (services.dismantling), the double running and the set-ups of
     * elements the reference has only by those that switch (other teams
     * or another rule): an upgrade keeps the teams and what is in place
     * (docs/decision.md, "The reference arm"). The shared ICT's set-up is
     * paid by the arms that switch, and by one keeping the model that adds
     * shared ICT the reference lacks; its running cost stays. */
    const int switches = mkba_services_switches(sv, m->reference, arm);
    const mkba_pathway *ref = &sv->pathway[m->reference];
    a->investment = (mkba_services_changes_model(sv, m->reference, arm) ? values[p->investment]
                                                                       : 0.0)
                    + (sv->dismantling >= 0 && switches ? values[sv->dismantling] : 0.0);
    a->recurring = values[p->recurring];
    a->co_location = values[p->co_location];
    if (p->informal_care >= 0)
        a->informal_care = values[p->informal_care];
    if (p->shared_ict) {
        a->ict_investment = mkba_services_sets_up(switches, ref->shared_ict)
                                ? values[p->ict_investment] : 0.0;
        a->ict_running = values[p->ict_running];
    }
    if (p->relapse >= 0)
        a->relapse_p = -expm1(-values[p->relapse] * m->timing.cycle_years);
    mkba_svc_substitution_init(a, values);
    if (p->take_up_domain >= 0) {
        a->take_up = 1;
        a->take_up_non = values[p->take_up_non];
        a->take_up_claims = values[p->take_up_claims];
        a->take_up_amount = values[p->take_up_amount];
    }
    for (size_t i = 0; i < sv->nteams; i++) {
        const mkba_team *tm = &sv->team[i];
        mkba_svc_team_values *v = &a->team[i];
        v->fte = values[tm->fte];
        v->caseload = values[tm->caseload];
        v->places = v->fte * v->caseload * a->households / a->population;
        v->nimprove = tm->nimprove;
        v->nworsen = tm->nworsen;
        for (int j = 0; j < tm->nimprove; j++)
            v->improve_hr[j] = values[tm->improve_by_level[j]];
        for (int j = 0; j < tm->nworsen; j++)
            v->worsen_hr[j] = values[tm->worsen_by_level[j]];
        v->improve_domains = tm->improve_domains;
        v->worsen_domains = tm->worsen_domains;
        for (uint32_t c = tm->improve_domains; c != 0; c &= c - 1) {
            int d = __builtin_ctz(c);
            v->nimprove_domain[d] = (uint8_t)tm->nimprove_domain[d];
            for (int j = 0; j < tm->nimprove_domain[d]; j++)
                v->improve_domain[d][j] = values[tm->improve_by_domain[d][j]];
        }
        for (uint32_t c = tm->worsen_domains; c != 0; c &= c - 1) {
            int d = __builtin_ctz(c);
            v->nworsen_domain[d] = (uint8_t)tm->nworsen_domain[d];
            for (int j = 0; j < tm->nworsen_domain[d]; j++)
                v->worsen_domain[d][j] = values[tm->worsen_by_domain[d][j]];
        }
        v->episode_years = values[tm->episode_years];
        v->turnover = values[tm->turnover];
        v->continuity = 1.0 - v->turnover * values[tm->turnover_loss];
        if (tm->caseload_norm >= 0) {
            double over = v->caseload / values[tm->caseload_norm] - 1.0;
            if (over > 0.0)
                v->continuity /= 1.0 + values[tm->caseload_slope] * over;
        }
        v->cost_per_fte = values[tm->cost_per_fte];
        v->intake_cost = values[tm->intake_cost];
        v->handover_cost = values[tm->handover_cost];
        if (p->teams_used >> i & 1u)
            a->servable |= tm->domains;
    }
    startup_init(a, values, switches);
    /* Start-up applies to the teams the arm sets up, not to the existing
     * providers its households may also use. */
    if (!a->classic)
        a->own_teams = p->own_teams;
    mkba_svc_integration_init(a, values, switches, ref);
    const mkba_layout *l = t->l;
    for (size_t d = 0; d < m->ndomains; d++) {
        a->untabled |= (uint32_t)(l->ncombo[d] == 0) << d;
        /* The padding of dep has stride 0 and comes last. */
        while (a->ndep[d] < l->maxdep && l->dep_stride[d][a->ndep[d]] != 0)
            a->ndep[d]++;
    }
    if (a->classic) {
        a->servable = 0;
        for (size_t d = 0; d < m->ndomains; d++)
            if (p->provider[d] >= 0)
                a->servable |= 1u << d;
    }
}

/* Start-up and secondment (scenario_startup.c): the values of the
 * settings the pathway has; the old structure's double running is a cost
 * of switching model, so the reference arm and an arm that keeps its
 * model have none. */
static void startup_init(mkba_svc_arm *a, const double *values, int switches)
{
    const mkba_pathway *p = a->p;
    a->ramp = 1.0;
    if (p->ramp_years >= 0)
        a->ramp_years = values[p->ramp_years];
    if (p->friction_lasting >= 0)
        a->friction_lasting = values[p->friction_lasting];
    if (p->double_running >= 0 && switches) {
        a->double_running = values[p->double_running];
        a->double_running_years = values[p->double_running_years];
    }
    if (p->secondment >= 0)
        a->secondment = values[p->secondment];
    a->own = p->own_teams;
}

double mkba_svc_ramp(const mkba_svc_arm *a, double years)
{
    return years < a->ramp_years ? years / a->ramp_years : 1.0;
}

/* Years since the start at the middle of cycle k: the time at which a
 * cycle's maturity, awareness and friction are taken. */
static double mid_years(const mkba_model *m, int k)
{
    return (k - 0.5) * m->timing.cycle_years;
}

void mkba_svc_arm_cycle(mkba_svc_arm *a, int k)
{
    double years = mid_years(a->m, k), dt = a->m->timing.cycle_years;
    double aware = mkba_svc_maturity(a->awareness_start, a->awareness_years, years);
    for (int i = 0; i < a->nseek; i++)
        a->seek_p[i] = -expm1(-a->seek[i] * (1.0 - a->stigma) * (1.0 + a->outreach) * aware * dt);
    if (a->split_access) {
        double ca = mkba_svc_maturity(a->classic_awareness_start, a->classic_awareness_years,
                                      years);
        for (int i = 0; i < a->nseek; i++)
            a->seek_p_classic[i] = -expm1(-a->seek[i] * (1.0 - a->classic_stigma)
                                          * (1.0 + a->classic_outreach) * ca * dt);
    }
    double e = mkba_svc_maturity(a->maturity_start, a->maturity_years, years);
    if (years < a->friction_years)
        e *= 1.0 - a->friction;
    else if (a->friction_lasting > 0.0)
        e *= 1.0 - a->friction * a->friction_lasting;
    a->ramp = mkba_svc_ramp(a, years);
    e *= a->ramp;
    /* The quick scan's yield beyond the household's own network comes from
     * the broker's staff and their contracts with volunteers: it builds up
     * with them (review issue12-final, finding 7). */
    a->scan_p = a->ramp >= 1.0 ? a->scan_share
                               : a->self_p + a->ramp * (a->scan_share - a->self_p);
    for (size_t i = 0; i < a->m->services.nteams; i++)
        a->effect[i] = (a->own_teams >> i & 1u ? e : 1.0) * a->team[i].continuity;
}

static int slot_of(const mkba_layout *l, int g, int tis)
{
    return l->slot_at[l->tis_off[g] + tis];
}

/* Offset of the (state g, time in state tis) row within a block of rows. */
static int row_of(const mkba_tables *t, int g, int tis)
{
    const mkba_layout *l = t->l;
    return g * t->maxb + l->bucket_at[l->tis_off[g] + tis];
}

/* Domain d's worsening-table entry (micro.c's household.entry): its row's
 * offset in a table block plus its interaction sources' combination. */
static uint32_t entry_of(const mkba_tables *t, const uint8_t *x, int d, int g, int tis)
{
    const mkba_layout *l = t->l;
    int combo = 0;
    for (int j = 0; j < l->nsrc[d]; j++)
        combo += x[l->src[d][j]] * l->stride[d][j];
    return t->tab_off[row_of(t, g, tis)] + (uint32_t)combo;
}

/* Keeps the cached entries right when domain d moves by `step` states from
 * state g (time in state at index i = tis_off[g] + tis) to g + step, time
 * in state 0: its own row changes, and so does the combination of every
 * domain it is a source of. */
static inline void move_entries(const mkba_svc_arm *a, uint32_t *entry, int d, int g, int i,
                                int step)
{
    const mkba_tables *t = a->t;
    const mkba_layout *l = t->l;
    if (!(a->untabled >> d & 1u))
        entry[d] += (uint32_t)t->entry[g + step].tab
                    - t->tab_off[g * t->maxb + l->bucket_at[i]];
    for (int j = 0; j < a->ndep[d]; j++)
        entry[l->dep[d][j]] += (uint32_t)(step * l->dep_stride[d][j]);
}

/* Domain d enters state g with time in state 0: its bits in a household's
 * aging and problem masks. */
static inline void enter_masks(const mkba_tables *t, uint32_t *aging, uint32_t *problems, int d,
                               int g)
{
    const uint32_t bit = 1u << d;
    *aging = (*aging & ~bit) | (uint32_t)(t->entry[g].cap > 0) << d;
    *problems = (*problems & ~bit) | (uint32_t)(t->severity[g] > 0.0) << d;
}

/* Household h in initial states x0[D], with an empty service record. */
static void household_start(const mkba_svc_arm *a, mkba_svc_households *hh, long h,
                            const uint8_t *x0, int64_t *delta)
{
    const mkba_model *m = a->m;
    const mkba_layout *l = a->t->l;
    const size_t D = m->ndomains;
    uint8_t *x = hh->x + (size_t)h * D;
    if (x != x0)
        memcpy(x, x0, D);
    memset(hh->tis + (size_t)h * D, 0, D * sizeof *hh->tis);
    uint32_t *entry = hh->entry + (size_t)h * D;
    hh->aging[h] = hh->problems[h] = 0;
    for (size_t d = 0; d < D; d++) {
        entry[d] = l->ncombo[d] > 0
                       ? entry_of(a->t, x, (int)d, l->state_base[d] + x[d], 0) : 0;
        enter_masks(a->t, &hh->aging[h], &hh->problems[h], (int)d, l->state_base[d] + x[d]);
    }
    hh->out[h] = -1;
    hh->status[h] = MKBA_SVC_NONE;
    hh->team[h] = -1;
    hh->joint[h] = 0;
    hh->plan[h] = 0;
    hh->claiming[h] = 0;
    hh->resolved[h] = -1;
    hh->arrived[h] = hh->since[h] = 0;
    hh->wait_factor[h] = 1.0f;
    for (size_t d = 0; d < D && hh->out[h] < 0; d++)
        if (m->domain[d].state[x[d]].exit)
            hh->out[h] = (int8_t)d;
    if (hh->out[h] >= 0) {
        int d = hh->out[h];
        delta[slot_of(l, l->state_base[d] + x[d], 0)]++;
        return;
    }
    for (size_t d = 0; d < D; d++)
        delta[slot_of(l, l->state_base[d] + x[d], 0)]++;
}

/* Records h0 .. h1 - 1's states into x[h][D] by `of` from the first words
 * of their household streams. */
static void states_of(const mkba_svc_arm *a, long h0, long h1, mkba_svc_scratch *s, uint8_t *x,
                      void (*of)(const mkba_model *, const mkba_tables *, size_t,
                                 const uint32_t *, uint8_t *))
{
    const size_t D = a->m->ndomains;
    const uint32_t nb = (uint32_t)a->t->l->init_blocks;
    for (long c0 = h0; c0 < h1; c0 += MKBA_SVC_CHUNK) {
        uint32_t n = (uint32_t)(h1 - c0 < MKBA_SVC_CHUNK ? h1 - c0 : MKBA_SVC_CHUNK);
        mkba_philox_households(a->seed, a->draw, MKBA_STREAM_HOUSEHOLD, 0, nb, (uint32_t)c0, NULL,
                               n, s->words);
        for (uint32_t i = 0; i < n; i++)
            of(a->m, a->t, a->arm, s->words + (size_t)i * nb * 4, x + (size_t)(c0 + i) * D);
    }
}

void mkba_svc_initial_states(const mkba_svc_arm *a, long h0, long h1, mkba_svc_scratch *s,
                             uint8_t *x)
{
    states_of(a, h0, h1, s, x, mkba_micro_initial_states);
}

/* An entrant record's stream is the household stream of its record index,
 * which no starting household of the draw uses (they are 0 .. H - 1). */
void mkba_svc_entrant_states(const mkba_svc_arm *a, long h0, long h1, mkba_svc_scratch *s,
                             uint8_t *x)
{
    states_of(a, h0, h1, s, x, mkba_micro_entrant_states);
}

/* Household h's group cell, 0 when it has none (mkba_svc_arm.cell). */
static size_t cell_of(const mkba_svc_arm *a, long h)
{
    return a->cell != NULL && h < a->ncell ? a->cell[h] : 0;
}

void mkba_svc_households_start(const mkba_svc_arm *a, mkba_svc_households *hh, long h0, long h1,
                               const uint8_t *x0, int64_t *delta)
{
    for (long h = h0; h < h1; h++)
        household_start(a, hh, h, x0 + (size_t)h * a->m->ndomains,
                        delta + cell_of(a, h) * a->cell_delta);
}

/* How care, waiting and a joint plan change one domain's row this cycle. */
typedef struct modifier {
    int on;                    /* anything to change */
    double damp;               /* multiplies the interaction term */
    double worsen, improve;    /* hazard ratios on worsening and other moves */
} modifier;

/* Row r's worsening and other-move probabilities under modifier md with
 * interaction term z. The inputs come from a small set (rows, severity
 * levels, the cycle's effectiveness), so the results are memoised by
 * their exact inputs: the same numbers as computing them, far cheaper. */
static void modified_row(const mkba_row *r, double z, const modifier *md, mkba_svc_memo *memo,
                         double *pw_out, double *po_out)
{
    const double zd = z * md->damp;
    uint64_t bz, bw, bi;
    memcpy(&bz, &zd, sizeof bz);
    memcpy(&bw, &md->worsen, sizeof bw);
    memcpy(&bi, &md->improve, sizeof bi);
    uint64_t key = ((uint64_t)(uintptr_t)r >> 3) ^ bz * 0x9E3779B97F4A7C15u
                   ^ bw * 0xC2B2AE3D27D4EB4Fu ^ bi * 0x165667B19E3779F9u;
    mkba_svc_memo *e = &memo[(key ^ key >> 29) % MKBA_SVC_MEMO];
    if (e->row == r && e->z == bz && e->worsen == bw && e->improve == bi) {
        *pw_out = e->pw;
        *po_out = e->po;
        return;
    }
    double pw = mkba_row_worsening(r, zd), po = r->po;
    pw = 1.0 - pow(1.0 - pw, md->worsen);
    if (md->improve != 1.0)
        po = po < 1.0 ? 1.0 - pow(1.0 - po, md->improve) : 1.0;
    if (pw + po > 1.0)
        po = 1.0 - pw;
    *e = (mkba_svc_memo){r, bz, bw, bi, pw, po};
    *pw_out = pw;
    *po_out = po;
}

/* The target of row r for uniform u under modifier md (micro.c's rule when
 * md is off, which keeps unmodified domains bit-identical to it). */
static int move_target(const mkba_row *r, int ntargets, double z, double u, const modifier *md,
                       mkba_svc_memo *memo)
{
    double pw, po = r->po, v;
    if (!md->on) {
        pw = mkba_row_worsening(r, z);
        if (u >= pw + po)
            return -1;
        double scale = pw > 0.0 ? r->pw / pw : 0.0;
        v = u < pw ? u * scale : u - pw + r->pw;
    } else {
        modified_row(r, z, md, memo, &pw, &po);
        if (u >= pw + po)
            return -1;
        v = u < pw ? u / pw * r->pw : r->pw + (u - pw) / po * r->po;
    }
    int j = 0;
    for (int i = 0; i < ntargets; i++)
        j += v >= r->cum[i];
    return r->to[j];
}

/* Transitions of household h in cycle k; see micro.c's simulate for the
 * order of events, which this follows. Returns the domains with a problem
 * (severity > 0) after them. Only the domains that may move, age or whose
 * rows change are visited (the household's masks). */
static uint32_t transitions(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int k,
                            const uint32_t *words, mkba_svc_memo *memo, int64_t *delta,
                            uint64_t *entries)
{
    const mkba_model *m = a->m;
    const mkba_tables *t = a->t;
    const mkba_layout *l = t->l;
    const int D = (int)m->ndomains;
    uint8_t *x = hh->x + (size_t)h * (size_t)D;
    uint16_t *tis = hh->tis + (size_t)h * (size_t)D;
    uint32_t *entry = hh->entry + (size_t)h * (size_t)D;
    int64_t *delta_k = delta + (size_t)k * l->nslots;
    uint64_t *entries_k = entries + (size_t)(k - 1) * l->nstates_total;

    int to[MKBA_MAX_DOMAINS];
    /* Severities at the start of the cycle, filled at the first
     * interaction term computed here (it reads its sources'). */
    double sev[MKBA_MAX_DOMAINS];
    int have_sev = 0;
    /* Care changes the rows of the domains in the plan; waiting raises
     * worsening in the domains waited for. `modified` marks the domains
     * whose rows change. */
    static const modifier none = {0, 1.0, 1.0, 1.0};
    modifier care[MKBA_MAX_DOMAINS], waiting;
    uint32_t care_plan = 0, modified = 0;
    if (hh->status[h] == MKBA_SVC_CARE) {
        const mkba_svc_team_values *tv = &a->team[hh->team[h]];
        double e = a->effect[hh->team[h]] * hh->wait_factor[h];
        care_plan = hh->plan[h];
        for (uint32_t p = care_plan; p != 0; p &= p - 1) {
            int d = __builtin_ctz(p);
            /* The hazard ratios of the level of the domain's state: the
             * domain's own when the team gives them, else the team's. */
            int level = t->level[l->state_base[d] + x[d]];
            const double *iv = tv->improve_hr, *wv = tv->worsen_hr;
            int ni = tv->nimprove, nw = tv->nworsen;
            if (tv->improve_domains >> d & 1u) {
                iv = tv->improve_domain[d];
                ni = tv->nimprove_domain[d];
            }
            if (tv->worsen_domains >> d & 1u) {
                wv = tv->worsen_domain[d];
                nw = tv->nworsen_domain[d];
            }
            double hi = iv[(level > ni ? ni : level) - 1], hw = wv[(level > nw ? nw : level) - 1];
            modifier *c = &care[d];
            c->worsen = 1.0 + (hw - 1.0) * e;
            c->improve = 1.0 + (hi - 1.0) * e;
            c->damp = hh->joint[h] ? 1.0 - a->coordination : 1.0;
            c->on = c->worsen != 1.0 || c->improve != 1.0 || c->damp != 1.0;
            modified |= (uint32_t)c->on << d;
        }
    } else if (hh->status[h] == MKBA_SVC_WAITING && a->wait_escalation > 0.0) {
        modified = hh->plan[h];
        waiting = (modifier){1, 1.0, 1.0 + a->wait_escalation, 1.0};
    }
    int seg = l->seg_of_cycle[k];
    const mkba_worsening *tabs = mkba_tables_worsening(t, a->arm, seg);
    const mkba_row *rows = mkba_tables_row(t, a->arm, seg, 0, 0);
    const double *ztab = t->ztab + a->arm * t->tab_block;
    /* micro.c's table of the row after interaction: most domains stay,
     * which the cached entry tells from one comparison, without a branch
     * (an untabled domain's entry is 0, a valid one). The others are
     * candidates to move. */
    const uint32_t computed = a->untabled | modified;
    uint32_t cand = computed | a->below(words, entry, tabs, D);
    uint32_t moving = 0;
    for (; cand != 0; cand &= cand - 1) {
        const int d = __builtin_ctz(cand), tabled = !(computed >> d & 1u);
        const mkba_row *r = rows + row_of(t, l->state_base[d] + x[d], tis[d]);
        if (r->n == 0)
            continue;
        if (tabled) {
            const mkba_worsening *e = tabs + entry[d];
            double u = mkba_rng_u01(words[d]);
            double v = u < e->pw ? u * e->scale : u - e->pw + r->pw;
            int j = 0;
            for (int i = 0; i < l->nstates[d] - 1; i++)
                j += v >= r->cum[i];
            to[d] = r->to[j];
        } else {
            const modifier *md = !(modified >> d & 1u) ? &none
                                 : care_plan >> d & 1u ? &care[d] : &waiting;
            double z = 0.0;
            if (!(a->untabled >> d & 1u)) {
                z = ztab[entry[d]]; /* its combination's, as the table computed it */
            } else if (l->inter_start[d + 1] > l->inter_start[d]) {
                if (!have_sev) {
                    for (int e = 0; e < D; e++)
                        sev[e] = t->severity[l->state_base[e] + x[e]];
                    have_sev = 1;
                }
                z = mkba_interaction_term(m, t, a->arm, d, sev);
            }
            to[d] = move_target(r, l->nstates[d] - 1, z, mkba_rng_u01(words[d]), md, memo);
        }
        moving |= (uint32_t)(to[d] >= 0 && to[d] != x[d]) << d;
    }
    if (l->has_exit)
        for (uint32_t mv = moving; mv != 0; mv &= mv - 1) {
            int d = __builtin_ctz(mv);
            if (!m->domain[d].state[to[d]].exit)
                continue;
            /* The household leaves and counts only in its exit state. */
            for (int e = 0; e < D; e++)
                delta_k[slot_of(l, l->state_base[e] + x[e], tis[e])]--;
            x[d] = (uint8_t)to[d];
            tis[d] = 0;
            delta_k[slot_of(l, l->state_base[d] + to[d], 0)]++;
            entries_k[l->state_base[d] + to[d]]++;
            hh->out[h] = (int8_t)d;
            return 0;
        }
    /* Domains that stay one more cycle in their state, while that counts. */
    uint32_t aging = hh->aging[h];
    for (uint32_t c = aging & ~moving; c != 0; c &= c - 1) {
        const int d = __builtin_ctz(c), g = l->state_base[d] + x[d];
        int i = l->tis_off[g] + tis[d], old = l->slot_at[i];
        if (++tis[d] == t->entry[g].cap)
            aging &= ~(1u << d);
        int now = l->slot_at[i + 1];
        if (now != old) {
            delta_k[old]--;
            delta_k[now]++;
        }
        /* A new duration bucket is a new row. */
        if (!(a->untabled >> d & 1u) && l->bucket_at[i + 1] != l->bucket_at[i])
            entry[d] += t->tab_off[g * t->maxb + l->bucket_at[i + 1]]
                        - t->tab_off[g * t->maxb + l->bucket_at[i]];
    }
    uint32_t problems = hh->problems[h];
    for (uint32_t c = moving; c != 0; c &= c - 1) {
        const int d = __builtin_ctz(c), g = l->state_base[d] + x[d];
        int ng = l->state_base[d] + to[d], i = l->tis_off[g] + tis[d];
        delta_k[l->slot_at[i]]--;
        move_entries(a, entry, d, g, i, to[d] - x[d]);
        x[d] = (uint8_t)to[d];
        tis[d] = 0;
        enter_masks(t, &aging, &problems, d, ng);
        delta_k[slot_of(l, ng, 0)]++;
        entries_k[ng]++;
    }
    hh->aging[h] = aging;
    hh->problems[h] = problems;
    return problems;
}

/* Household h's domain d moves `step` states (-1 or +1) in cycle k, time
 * in state 0, counted as an entry. */
static void step_state(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int d, int step,
                       int k, int64_t *delta, uint64_t *entries)
{
    const mkba_model *m = a->m;
    const mkba_layout *l = a->t->l;
    uint8_t *x = hh->x + (size_t)h * m->ndomains;
    uint16_t *tis = hh->tis + (size_t)h * m->ndomains;
    int g = l->state_base[d] + x[d];
    move_entries(a, hh->entry + (size_t)h * m->ndomains, d, g, l->tis_off[g] + tis[d], step);
    delta[(size_t)k * l->nslots + (size_t)slot_of(l, g, tis[d])]--;
    delta[(size_t)k * l->nslots + (size_t)slot_of(l, g + step, 0)]++;
    entries[(size_t)(k - 1) * l->nstates_total + (size_t)(g + step)]++;
    x[d] = (uint8_t)(x[d] + step);
    tis[d] = 0;
    enter_masks(a->t, &hh->aging[h], &hh->problems[h], d, g + step);
}

/* Household h resolves its problem in domain d by one state, through its
 * own strength or network: the state below, unless that is an exit. The
 * domain is remembered, so the problem can come back (relapse). */
static int self_resolve(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int d, int k,
                        int64_t *delta, uint64_t *entries)
{
    const mkba_model *m = a->m;
    int s = hh->x[(size_t)h * m->ndomains + (size_t)d];
    if (s == 0 || m->domain[d].state[s - 1].exit)
        return 0;
    step_state(a, hh, h, d, -1, k, delta, entries);
    hh->resolved[h] = (int8_t)d;
    hh->resolved_to[h] = (uint8_t)(s - 1);
    return 1;
}

/* Whether household h takes the classic route in an arm with split
 * access: outside a mixed arm's integrated share (word 1 of its service
 * stream's take-up block, keyed by the household alone, so the same all
 * horizon; word 0 is the take-up's), or not taken by the rule's team. */
static int on_classic_route(const mkba_svc_arm *a, long h, const double *sev)
{
    /* Split access without a mix is a rule with team_takes (the loader's
     * rule for classic_access). */
    if (!a->mixed)
        return !a->rule->team_takes(a->p, sev, a->m->ndomains);
    uint32_t w[4];
    mkba_philox_blocks(a->seed, a->draw, (uint32_t)h, MKBA_STREAM_SERVICE,
                       MKBA_SVC_TAKE_UP_BLOCK, 1, w);
    if (mkba_rng_u01(w[1]) >= a->integrated_share)
        return 1;
    return a->rule->team_takes != NULL && !a->rule->team_takes(a->p, sev, a->m->ndomains);
}

/* Relapse after self-reliance: while the domain the household's network
 * solved is still in the state the network left it in, the problem comes
 * back (one state up, where it was) with probability relapse_p per cycle,
 * from word w; once the domain has moved otherwise it is no longer the
 * network's solution. */
static void relapse(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int k, uint32_t w,
                    int64_t *delta, uint64_t *entries)
{
    int d = hh->resolved[h];
    if (hh->x[(size_t)h * a->m->ndomains + (size_t)d] != hh->resolved_to[h]) {
        hh->resolved[h] = -1;
        return;
    }
    if (mkba_rng_u01(w) < a->relapse_p) {
        step_state(a, hh, h, d, +1, k, delta, entries);
        hh->resolved[h] = -1;
    }
}

/* Routes a request presenting domain pd with other problems `found`
 * (detected at the question): the arm's rule may give it to an integrated
 * team (or, model C, to a provider) under a joint plan; otherwise it goes
 * to the provider of pd alone. Sets team, plan and joint plan. */
static void route(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int pd,
                  uint32_t found, const double *sev, int on_classic, long *counts)
{
    const mkba_pathway *p = a->p;
    const mkba_team *teams = a->m->services.team;
    mkba_route r = {-1, 1u << pd, 0, 0};
    if (!a->classic && !on_classic) {
        const mkba_route_request q = {pd, found, sev, a->m->ndomains};
        a->rule->route(p, teams, &q, &r);
        counts[MKBA_SVC_FRONT_INTAKES] += r.front_intake;
        counts[MKBA_SVC_VISITS] += r.home_visit;
    }
    int tm = r.team, joint = 0;
    uint32_t plan = r.plan;
    if (tm >= 0) {
        /* The team's plan: what it treats of the question and the finds. */
        plan = (plan | found) & teams[tm].domains;
        joint = 1;
    } else {
        tm = p->provider[pd];
    }
    hh->team[h] = (int8_t)tm;
    hh->plan[h] = plan;
    hh->joint[h] = (uint8_t)joint;
}

/* Household h's cycle k with its household stream's words of the cycle
 * and the first block of its service stream's (service[4]). Returns the
 * question's domain when the request goes on to detection (request()
 * finishes it), else -1; *classic: the request takes the classic route
 * (decided once here, for request() too). */
static int household_cycle(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int k,
                           const uint32_t *words, const uint32_t *service,
                           uint32_t relapse_word, mkba_svc_memo *memo, int64_t *delta,
                           uint64_t *entries, long *counts, int *classic)
{
    const mkba_model *m = a->m;
    const mkba_layout *l = a->t->l;
    uint32_t problems = transitions(a, hh, h, k, words, memo, delta, entries);
    if (hh->out[h] >= 0) {
        hh->status[h] = MKBA_SVC_NONE;
        return -1;
    }
    if (a->relapse_p > 0.0 && hh->resolved[h] >= 0) {
        relapse(a, hh, h, k, relapse_word, delta, entries);
        problems = hh->problems[h];
    }
    if (hh->status[h] == MKBA_SVC_CARE) {
        double years = (k - hh->since[h]) * m->timing.cycle_years;
        if ((hh->plan[h] & problems) == 0
            || years >= a->team[hh->team[h]].episode_years - 1e-9)
            hh->status[h] = MKBA_SVC_NONE;
        return -1; /* a household discharged now asks again next cycle at the earliest */
    }
    if (hh->status[h] == MKBA_SVC_WAITING) {
        if ((hh->plan[h] & problems) == 0)
            hh->status[h] = MKBA_SVC_NONE;     /* withdrawn: solved while waiting */
        return -1;
    }
    uint32_t ask = problems & a->servable;
    if (ask == 0)
        return -1;
    /* The question is the most severe problem a team of the arm treats. */
    const uint8_t *x = hh->x + (size_t)h * m->ndomains;
    int pd = -1;
    double spd = 0.0;
    for (uint32_t c = ask; c != 0; c &= c - 1) {
        int d = __builtin_ctz(c);
        double s = a->t->severity[l->state_base[d] + x[d]];
        if (pd < 0 || s > spd) {
            pd = d;
            spd = s;
        }
    }
    int level = a->t->level[l->state_base[pd] + x[pd]];
    int band = level > a->nseek ? a->nseek : level;
    const double *seek_p = a->seek_p;
    int scan = a->scan;
    double self_p = a->self_p;
    *classic = 0;
    if (a->split_access) {
        double sev[MKBA_MAX_DOMAINS];
        for (size_t d = 0; d < m->ndomains; d++)
            sev[d] = a->t->severity[l->state_base[d] + x[d]];
        if ((*classic = on_classic_route(a, h, sev))) {
            seek_p = a->seek_p_classic;
            scan = 0;
            self_p = a->classic_self_p;
        }
    }
    if (mkba_rng_u01(service[0]) >= seek_p[band - 1])
        return -1;
    counts[MKBA_SVC_ARRIVALS]++;
    if (scan) {
        counts[MKBA_SVC_SCANS]++;
        self_p = a->scan_p;
    }
    if (mkba_rng_u01(service[1]) < self_p) {
        counts[MKBA_SVC_SELF] += self_resolve(a, hh, h, pd, k, delta, entries);
        return -1;
    }
    return pd;
}

/* Household h's request in cycle k with question pd, from detection on:
 * sw[] holds its service-stream words of the cycle; on_classic: it takes
 * the classic route (household_cycle's decision). */
static void request(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int k, int pd,
                    const uint32_t *sw, int on_classic, long *counts)
{
    const mkba_layout *l = a->t->l;
    const int D = (int)a->m->ndomains;
    const uint8_t *x = hh->x + (size_t)h * (size_t)D;
    double sev[MKBA_MAX_DOMAINS];
    uint32_t problems = 0;
    for (int d = 0; d < D; d++) {
        sev[d] = a->t->severity[l->state_base[d] + x[d]];
        problems |= (uint32_t)(sev[d] > 0.0) << d;
    }
    int level = a->t->level[l->state_base[pd] + x[pd]];
    /* A household the team would not take asks at a classic provider's
     * intake, which finds other problems as the classic route does. */
    double detect = on_classic ? a->classic_detect : a->detect;
    uint32_t found = 0;
    for (int d = 0; d < D; d++)
        if (d != pd && (problems >> d & 1u) && mkba_rng_u01(sw[2 + d]) < detect)
            found |= 1u << d;
    counts[MKBA_SVC_DETECTED] += __builtin_popcount(found);
    /* Registered at intake: the question, and what detection found. */
    counts[MKBA_SVC_REGISTERED + pd]++;
    for (uint32_t c = found; c != 0; c &= c - 1)
        counts[MKBA_SVC_REGISTERED + __builtin_ctz(c)]++;
    route(a, hh, h, pd, found, sev, on_classic, counts);
    if (hh->team[h] < 0)
        return;
    hh->status[h] = MKBA_SVC_WAITING;
    hh->arrived[h] = (int16_t)k;
    hh->prio[h] = (uint8_t)level;
}

/* The relapse words of cycle k for the chunk's households c0 .. c0 + n - 1
 * whose network solved a problem, into s->relapse_word[i]: one word per
 * household on the service stream at block MKBA_SVC_RELAPSE_BLOCK + k,
 * made together. Other households' entries are left as they are (unread). */
static void relapse_words(const mkba_svc_arm *a, const mkba_svc_households *hh, long c0,
                          uint32_t n, int k, mkba_svc_scratch *s)
{
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (hh->resolved[c0 + i] >= 0 && hh->out[c0 + i] < 0)
            s->relapse_h[m++] = (uint32_t)(c0 + i);
    if (m == 0)
        return;
    mkba_philox_households(a->seed, a->draw, MKBA_STREAM_SERVICE,
                           MKBA_SVC_RELAPSE_BLOCK + (uint32_t)k, 1, 0, s->relapse_h, m,
                           s->relapse_words);
    for (uint32_t j = 0; j < m; j++)
        s->relapse_word[s->relapse_h[j] - (uint32_t)c0] = s->relapse_words[4 * j];
}

void mkba_svc_households_cycle(const mkba_svc_arm *a, mkba_svc_households *hh, long h0, long h1,
                               int k, mkba_svc_scratch *s, int64_t *delta, uint64_t *entries,
                               long *counts)
{
    const mkba_layout *l = a->t->l;
    const int D = (int)a->m->ndomains;
    const uint32_t bpc = (uint32_t)l->blocks_per_cycle;
    const uint32_t nservice = (uint32_t)MKBA_SVC_SERVICE_BLOCKS_OF(D);
    for (long c0 = h0; c0 < h1; c0 += MKBA_SVC_CHUNK) {
        uint32_t n = (uint32_t)(h1 - c0 < MKBA_SVC_CHUNK ? h1 - c0 : MKBA_SVC_CHUNK);
        mkba_philox_households(a->seed, a->draw, MKBA_STREAM_HOUSEHOLD,
                               (uint32_t)l->init_blocks + (uint32_t)(k - 1) * bpc, bpc,
                               (uint32_t)c0, NULL, n, s->words);
        mkba_philox_households(a->seed, a->draw, MKBA_STREAM_SERVICE,
                               (uint32_t)(k - 1) * nservice, 1, (uint32_t)c0, NULL, n,
                               s->service);
        if (a->relapse_p > 0.0)
            relapse_words(a, hh, c0, n, k, s);
        uint32_t ndetect = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (hh->out[c0 + i] >= 0)
                continue;
            size_t cell = cell_of(a, c0 + i);
            int classic;
            int pd = household_cycle(a, hh, c0 + i, k, s->words + (size_t)i * bpc * 4,
                                     s->service + 4 * i, s->relapse_word[i], s->memo,
                                     delta + cell * a->cell_delta,
                                     entries + cell * a->cell_entries, counts, &classic);
            if (pd >= 0) {
                s->detect_h[ndetect] = (uint32_t)(c0 + i);
                s->detect_i[ndetect] = (uint16_t)i;
                s->detect_classic[ndetect] = (uint8_t)classic;
                s->detect_pd[ndetect++] = (int8_t)pd;
            }
        }
        /* Detection reads words 2 .. D + 1: the rest of the cycle's
         * blocks, made together for the requests that get this far. */
        if (ndetect > 0 && nservice > 1)
            mkba_philox_households(a->seed, a->draw, MKBA_STREAM_SERVICE,
                                   (uint32_t)(k - 1) * nservice + 1, nservice - 1, 0,
                                   s->detect_h, ndetect, s->detect_words);
        for (uint32_t j = 0; j < ndetect; j++) {
            uint32_t sw[4 * MKBA_SVC_SERVICE_BLOCKS];
            memcpy(sw, s->service + 4 * s->detect_i[j], 4 * sizeof *sw);
            memcpy(sw + 4, s->detect_words + (size_t)j * (nservice - 1) * 4,
                   (nservice - 1) * 4 * sizeof *sw);
            request(a, hh, s->detect_h[j], k, s->detect_pd[j], sw, s->detect_classic[j],
                    counts);
        }
    }
}
