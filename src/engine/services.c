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
#include <string.h>
#include "engine/services.h"
#include "core/alloc.h"
#include "mkba/rng.h"
#include "core/philox.h"

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
    a->investment = values[p->investment];
    a->recurring = values[p->recurring];
    a->co_location = values[p->co_location];
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
        v->episode_years = values[tm->episode_years];
        v->turnover = values[tm->turnover];
        v->continuity = 1.0 - v->turnover * values[tm->turnover_loss];
        v->cost_per_fte = values[tm->cost_per_fte];
        v->intake_cost = values[tm->intake_cost];
        v->handover_cost = values[tm->handover_cost];
        if (p->teams_used >> i & 1u)
            a->servable |= tm->domains;
    }
    /* Start-up applies to the teams the arm sets up, not to the existing
     * providers its households may also use. */
    if (!a->classic) {
        if (p->team >= 0)
            a->maturing |= 1u << p->team;
        for (int i = 0; i < p->nspecific; i++)
            a->maturing |= 1u << p->specific[i];
    }
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
    double e = mkba_svc_maturity(a->maturity_start, a->maturity_years, years);
    if (years < a->friction_years)
        e *= 1.0 - a->friction;
    for (size_t i = 0; i < a->m->services.nteams; i++)
        a->effect[i] = (a->maturing >> i & 1u ? e : 1.0) * a->team[i].continuity;
}

/* The severity level of a score: ceil(s) for s > 0 (up to 255), 1 for
 * lower scores, which are no problem but may still be in a plan. */
static int severity_level(double s)
{
    if (!(s > 1.0))
        return 1;
    return s >= 255.0 ? 255 : (int)ceil(s - 1e-9);
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
    for (size_t d = 0; d < D; d++)
        entry[d] = l->ncombo[d] > 0
                       ? entry_of(a->t, x, (int)d, l->state_base[d] + x[d], 0) : 0;
    hh->out[h] = -1;
    hh->status[h] = MKBA_SVC_NONE;
    hh->team[h] = -1;
    hh->joint[h] = 0;
    hh->plan[h] = 0;
    hh->registered[h] = 0;
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

void mkba_svc_initial_states(const mkba_svc_arm *a, long h0, long h1, mkba_svc_scratch *s,
                             uint8_t *x)
{
    const size_t D = a->m->ndomains;
    const uint32_t nb = (uint32_t)a->t->l->init_blocks;
    for (long c0 = h0; c0 < h1; c0 += MKBA_SVC_CHUNK) {
        uint32_t n = (uint32_t)(h1 - c0 < MKBA_SVC_CHUNK ? h1 - c0 : MKBA_SVC_CHUNK);
        mkba_philox_households(a->seed, a->draw, MKBA_STREAM_HOUSEHOLD, 0, nb, (uint32_t)c0, NULL,
                               n, s->words);
        for (uint32_t i = 0; i < n; i++)
            mkba_micro_initial_states(a->m, a->t, a->arm, s->words + (size_t)i * nb * 4,
                                      x + (size_t)(c0 + i) * D);
    }
}

void mkba_svc_households_start(const mkba_svc_arm *a, mkba_svc_households *hh, long h0, long h1,
                               const uint8_t *x0, int64_t *delta)
{
    for (long h = h0; h < h1; h++)
        household_start(a, hh, h, x0 + (size_t)h * a->m->ndomains, delta);
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
 * order of events, which this follows. sev[] receives the severities of
 * the household's states after them; the return value marks the domains
 * with a problem (severity > 0). */
static uint32_t transitions(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int k,
                            const uint32_t *words, mkba_svc_memo *memo, int64_t *delta,
                            uint64_t *entries, double *sev)
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

    int g[MKBA_MAX_DOMAINS], to[MKBA_MAX_DOMAINS];
    uint32_t problems = 0;
    for (int d = 0; d < D; d++) {
        g[d] = l->state_base[d] + x[d];
        sev[d] = t->severity[g[d]];
        problems |= (uint32_t)(sev[d] > 0.0) << d;
    }
    /* Care changes the rows of the domains in the plan; waiting raises
     * worsening in the domains waited for. `modified` marks the domains
     * whose rows change. */
    modifier care[MKBA_MAX_DOMAINS], waiting = {0, 1.0, 1.0, 1.0}, none = {0, 1.0, 1.0, 1.0};
    uint32_t care_plan = 0, modified = 0;
    if (hh->status[h] == MKBA_SVC_CARE) {
        const mkba_svc_team_values *tv = &a->team[hh->team[h]];
        double e = a->effect[hh->team[h]] * hh->wait_factor[h];
        care_plan = hh->plan[h];
        for (uint32_t p = care_plan; p != 0; p &= p - 1) {
            int d = __builtin_ctz(p);
            /* The hazard ratios of the level of the domain's state. */
            int level = severity_level(sev[d]);
            int li = (level > tv->nimprove ? tv->nimprove : level) - 1;
            int wi = (level > tv->nworsen ? tv->nworsen : level) - 1;
            modifier *c = &care[d];
            c->worsen = 1.0 + (tv->worsen_hr[wi] - 1.0) * e;
            c->improve = 1.0 + (tv->improve_hr[li] - 1.0) * e;
            c->damp = hh->joint[h] ? 1.0 - a->coordination : 1.0;
            c->on = c->worsen != 1.0 || c->improve != 1.0 || c->damp != 1.0;
            modified |= (uint32_t)c->on << d;
        }
    } else if (hh->status[h] == MKBA_SVC_WAITING && a->wait_escalation > 0.0) {
        modified = hh->plan[h];
        waiting.on = 1;
        waiting.worsen = 1.0 + a->wait_escalation;
    }
    int seg = l->seg_of_cycle[k];
    const mkba_worsening *tabs = mkba_tables_worsening(t, a->arm, seg);
    const mkba_row *rows = mkba_tables_row(t, a->arm, seg, 0, 0);
    /* micro.c's table of the row after interaction: most domains stay,
     * which the cached entry tells from one comparison, without a branch
     * (an untabled domain's entry is 0, a valid one). The others are
     * candidates to move. */
    const uint32_t computed = a->untabled | modified;
    uint32_t cand = computed;
    for (int d = 0; d < D; d++)
        cand |= (uint32_t)(words[d] < tabs[entry[d]].stay) << d;
    uint32_t moving = 0;
    for (; cand != 0; cand &= cand - 1) {
        const int d = __builtin_ctz(cand), tabled = !(computed >> d & 1u);
        const mkba_row *r = rows + row_of(t, g[d], tis[d]);
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
            double z = l->inter_start[d + 1] > l->inter_start[d]
                           ? mkba_interaction_term(m, t, a->arm, d, sev) : 0.0;
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
                delta_k[slot_of(l, g[e], tis[e])]--;
            x[d] = (uint8_t)to[d];
            tis[d] = 0;
            delta_k[slot_of(l, l->state_base[d] + to[d], 0)]++;
            entries_k[l->state_base[d] + to[d]]++;
            hh->out[h] = (int8_t)d;
            return 0;
        }
    for (int d = 0; d < D; d++) {
        if (!(moving >> d & 1u)) {
            if (tis[d] < t->entry[g[d]].cap) {
                int i = l->tis_off[g[d]] + tis[d], old = l->slot_at[i];
                tis[d]++;
                int now = l->slot_at[i + 1];
                if (now != old) {
                    delta_k[old]--;
                    delta_k[now]++;
                }
                /* A new duration bucket is a new row. */
                if (!(a->untabled >> d & 1u) && l->bucket_at[i + 1] != l->bucket_at[i])
                    entry[d] += t->tab_off[g[d] * t->maxb + l->bucket_at[i + 1]]
                                - t->tab_off[g[d] * t->maxb + l->bucket_at[i]];
            }
            continue;
        }
        int ng = l->state_base[d] + to[d], i = l->tis_off[g[d]] + tis[d];
        delta_k[l->slot_at[i]]--;
        move_entries(a, entry, d, g[d], i, to[d] - x[d]);
        x[d] = (uint8_t)to[d];
        tis[d] = 0;
        sev[d] = t->severity[ng];
        problems = (problems & ~(1u << d)) | (uint32_t)(sev[d] > 0.0) << d;
        delta_k[slot_of(l, ng, 0)]++;
        entries_k[ng]++;
    }
    return problems;
}

/* Household h resolves its problem in domain d by one state, through its
 * own strength or network: the state below, unless that is an exit. */
static int self_resolve(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int d, int k,
                        int64_t *delta, uint64_t *entries)
{
    const mkba_model *m = a->m;
    const mkba_layout *l = a->t->l;
    uint8_t *x = hh->x + (size_t)h * m->ndomains;
    uint16_t *tis = hh->tis + (size_t)h * m->ndomains;
    int s = x[d];
    if (s == 0 || m->domain[d].state[s - 1].exit)
        return 0;
    int g = l->state_base[d] + s;
    move_entries(a, hh->entry + (size_t)h * m->ndomains, d, g, l->tis_off[g] + tis[d], -1);
    delta[(size_t)k * l->nslots + (size_t)slot_of(l, g, tis[d])]--;
    delta[(size_t)k * l->nslots + (size_t)slot_of(l, g - 1, 0)]++;
    entries[(size_t)(k - 1) * l->nstates_total + (size_t)(g - 1)]++;
    x[d] = (uint8_t)(s - 1);
    tis[d] = 0;
    return 1;
}

/* Routes a request presenting domain pd with other problems `found`
 * (detected at the question): the arm's rule may give it to an integrated
 * team (or, model C, to a provider) under a joint plan; otherwise it goes
 * to the provider of pd alone. Sets team, plan and joint plan. */
static void route(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int pd,
                  uint32_t found, const double *sev, long *counts)
{
    const mkba_pathway *p = a->p;
    const mkba_team *teams = a->m->services.team;
    mkba_route r = {-1, 1u << pd, 0, 0};
    if (!a->classic) {
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
 * finishes it), else -1. */
static int household_cycle(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int k,
                           const uint32_t *words, const uint32_t *service, mkba_svc_memo *memo,
                           int64_t *delta, uint64_t *entries, long *counts)
{
    const mkba_model *m = a->m;
    const int D = (int)m->ndomains;
    double sev[MKBA_MAX_DOMAINS];
    uint32_t problems = transitions(a, hh, h, k, words, memo, delta, entries, sev);
    if (hh->out[h] >= 0) {
        hh->status[h] = MKBA_SVC_NONE;
        return -1;
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
    int pd = -1;
    for (int d = 0; d < D; d++)
        if ((ask >> d & 1u) && (pd < 0 || sev[d] > sev[pd]))
            pd = d;
    int level = severity_level(sev[pd]);
    int band = level > a->nseek ? a->nseek : level;
    if (mkba_rng_u01(service[0]) >= a->seek_p[band - 1])
        return -1;
    counts[MKBA_SVC_ARRIVALS]++;
    if (a->scan)
        counts[MKBA_SVC_SCANS]++;
    double self_p = a->scan ? a->scan_share : a->self_p;
    if (mkba_rng_u01(service[1]) < self_p) {
        counts[MKBA_SVC_SELF] += self_resolve(a, hh, h, pd, k, delta, entries);
        return -1;
    }
    return pd;
}

/* Household h's request in cycle k with question pd, from detection on:
 * sw[] holds its service-stream words of the cycle. */
static void request(const mkba_svc_arm *a, mkba_svc_households *hh, long h, int k, int pd,
                    const uint32_t *sw, long *counts)
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
    int level = severity_level(sev[pd]);
    uint32_t found = 0;
    for (int d = 0; d < D; d++)
        if (d != pd && (problems >> d & 1u) && mkba_rng_u01(sw[2 + d]) < a->detect)
            found |= 1u << d;
    counts[MKBA_SVC_DETECTED] += __builtin_popcount(found);
    route(a, hh, h, pd, found, sev, counts);
    if (hh->team[h] < 0)
        return;
    hh->status[h] = MKBA_SVC_WAITING;
    hh->arrived[h] = (int16_t)k;
    hh->prio[h] = (uint8_t)level;
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
        uint32_t ndetect = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (hh->out[c0 + i] >= 0)
                continue;
            int pd = household_cycle(a, hh, c0 + i, k, s->words + (size_t)i * bpc * 4,
                                     s->service + 4 * i, s->memo, delta, entries, counts);
            if (pd >= 0) {
                s->detect_h[ndetect] = (uint32_t)(c0 + i);
                s->detect_i[ndetect] = (uint16_t)i;
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
            request(a, hh, s->detect_h[j], k, s->detect_pd[j], sw, counts);
        }
    }
}
