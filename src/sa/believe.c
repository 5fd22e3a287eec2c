/* What must be believed: each arm's NPV against the reference taken apart
 * by its levers. A lever is a way the arm differs from the reference arm
 * in a number: a parameter the arm or the reference arm overrides, or a
 * pathway mechanism
 * (detection, stigma, self-reliance, maturity, overheads, ...) that reads
 * another parameter than the reference arm's pathway does. Switching a
 * lever off gives it the reference arm's value at the same point. Every
 * lever is switched off alone and all together, on common random numbers
 * (the base case on the households of --draw, or --draws M PSA draws each
 * on its own households), so
 *   NPV = sum of contributions + NPV with every lever off + interaction,
 * where a contribution is NPV minus NPV with that lever off. What is left
 * with every lever off is the arm's structure: its routing, teams and
 * staff, which are not numbers one can switch.
 *
 * A blended arm has no parameters of its own: in every point its record
 * is the share-weighted sum of its parts' records on common random
 * numbers, and a part's record depends on its own values only. So its
 * levers are its parts' levers matched by label, a lever off in every part
 * that has it, and every number of its decomposition is the share-weighted
 * sum of the parts' (the reference, as a part, has no levers and keeps its
 * value); no point is simulated for it (docs/sensitivity.md). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"
#include "results/result.h"
#include "model/services.h"
#include "model/pathway.h"

/* The pathway's value slots, listed once: name as in the scenario, where
 * the slot is, whether only rules with a quick scan read it, whether only
 * a pathway with take_up has it, and whether 0 switches the mechanism off
 * when the reference has none (a cost: shared ICT, informal care, the
 * take-up benefit, relapse, the share of bought help a team gives itself,
 * double running and secondment; the start-up ramp and lasting friction;
 * the integration group's costs and unpooled budgets' effects); the
 * coordination weight is off at the arm's degree weight instead. */
static const struct {
    const char *name;
    size_t offset;
    int quick_scan, take_up, zero_off;
} slot[] = {
    { "stigma", offsetof(mkba_pathway, stigma), 0, 0, 0 },
    { "outreach", offsetof(mkba_pathway, outreach), 0, 0, 0 },
    { "awareness.start", offsetof(mkba_pathway, awareness_start), 0, 0, 0 },
    { "awareness.years", offsetof(mkba_pathway, awareness_years), 0, 0, 0 },
    { "detect", offsetof(mkba_pathway, detect), 0, 0, 0 },
    { "coordination", offsetof(mkba_pathway, coordination), 0, 0, 0 },
    { "wait_escalation", offsetof(mkba_pathway, wait_escalation), 0, 0, 0 },
    { "wait_effect", offsetof(mkba_pathway, wait_effect), 0, 0, 0 },
    { "self_reliance.share", offsetof(mkba_pathway, self_share), 0, 0, 0 },
    { "self_reliance.cap", offsetof(mkba_pathway, self_cap), 0, 0, 0 },
    { "maturity.start", offsetof(mkba_pathway, maturity_start), 0, 0, 0 },
    { "maturity.years", offsetof(mkba_pathway, maturity_years), 0, 0, 0 },
    { "maturity.efficiency_start", offsetof(mkba_pathway, efficiency_start), 0, 0, 0 },
    { "maturity.efficiency_years", offsetof(mkba_pathway, efficiency_years), 0, 0, 0 },
    { "maturity.friction", offsetof(mkba_pathway, friction), 0, 0, 0 },
    { "maturity.friction_years", offsetof(mkba_pathway, friction_years), 0, 0, 0 },
    { "overheads.investment", offsetof(mkba_pathway, investment), 0, 0, 0 },
    { "overheads.recurring", offsetof(mkba_pathway, recurring), 0, 0, 0 },
    { "overheads.co_location", offsetof(mkba_pathway, co_location), 0, 0, 0 },
    { "overheads.duplicate_registration", offsetof(mkba_pathway, duplicate_registration), 0, 0, 0 },
    { "overheads.ict_investment", offsetof(mkba_pathway, ict_investment), 0, 0, 1 },
    { "overheads.ict_running", offsetof(mkba_pathway, ict_running), 0, 0, 1 },
    { "self_reliance.informal_care", offsetof(mkba_pathway, informal_care), 0, 0, 1 },
    { "take_up.non_take_up", offsetof(mkba_pathway, take_up_non), 0, 1, 0 },
    { "take_up.team_claims", offsetof(mkba_pathway, take_up_claims), 0, 1, 0 },
    { "take_up.amount", offsetof(mkba_pathway, take_up_amount), 0, 1, 1 },
    { "maturity.ramp_years", offsetof(mkba_pathway, ramp_years), 0, 0, 1 },
    { "maturity.friction_lasting", offsetof(mkba_pathway, friction_lasting), 0, 0, 1 },
    { "overheads.double_running", offsetof(mkba_pathway, double_running), 0, 0, 1 },
    { "overheads.secondment", offsetof(mkba_pathway, secondment), 0, 0, 1 },
    { "home_visit_cost", offsetof(mkba_pathway, home_visit_cost), 0, 0, 0 },
    { "quick_scan.share", offsetof(mkba_pathway, quick_scan_share), 1, 0, 0 },
    { "quick_scan.cost", offsetof(mkba_pathway, quick_scan_cost), 1, 0, 0 },
    { "self_reliance.relapse", offsetof(mkba_pathway, relapse), 0, 0, 1 },
    { "integration.front_office_investment",
      offsetof(mkba_pathway, front_office_investment), 0, 0, 1 },
    { "integration.pooling_investment", offsetof(mkba_pathway, pooling_investment), 0, 0, 1 },
    { "integration.pooling_running", offsetof(mkba_pathway, pooling_running), 0, 0, 1 },
    { "integration.coordination_weight", offsetof(mkba_pathway, coordination_weight), 0, 0, 1 },
    { "integration.unpooled.shift", offsetof(mkba_pathway, unpooled_shift), 0, 0, 1 },
    { "integration.unpooled.second_line", offsetof(mkba_pathway, unpooled_second_line), 0, 0, 1 },
    { "substitution.[0].share", offsetof(mkba_pathway, substitute[0].share), 0, 0, 1 },
    { "substitution.[1].share", offsetof(mkba_pathway, substitute[1].share), 0, 0, 1 },
    { "substitution.[2].share", offsetof(mkba_pathway, substitute[2].share), 0, 0, 1 },
    { "substitution.[3].share", offsetof(mkba_pathway, substitute[3].share), 0, 0, 1 },
};
_Static_assert(MKBA_MAX_SUBSTITUTE == 4, "one slot per substitution entry");
enum { NSLOTS = sizeof slot / sizeof slot[0] };

/* Slot i's substitution entry, or -1 if it is not one. */
static int entry_of(size_t i)
{
    size_t first = offsetof(mkba_pathway, substitute);
    size_t size = sizeof ((mkba_pathway *)0)->substitute[0];
    if (slot[i].offset < first || slot[i].offset >= first + MKBA_MAX_SUBSTITUTE * size)
        return -1;
    return (int)((slot[i].offset - first) / size);
}

/* The value index of slot i in pathway p, or -1 where p has none. */
static int slot_of(const mkba_pathway *p, size_t i)
{
    if (slot[i].take_up && p->take_up_domain < 0)
        return -1;
    /* A substitution entry's value exists only for the pathway's entries. */
    if (entry_of(i) >= p->nsubstitute)
        return -1;
    return *(const int *)((const char *)p + slot[i].offset);
}

typedef struct lever {
    int arm, param;            /* the value switched: param in arm */
    int ref_param;             /* off: the reference arm's value of this; -1: `off` */
    double off;
    char label[256];
} lever;

enum { ON = -1, ALL_OFF = -2 };

typedef struct point_of {
    int draw;                  /* index into the draws evaluated */
    int arm;                   /* -1 for the point with every lever on */
    int lever;                 /* index into levers, or ALL_OFF, or ON */
} point_of;

/* A blended arm's lever: the levers lever[0..n) of its parts, weighed by
 * their parts' shares. */
typedef struct mixed {
    int arm;
    size_t n;
    int lever[MKBA_MAX_ARMS];
    double share[MKBA_MAX_ARMS];
    char label[512];
} mixed;

typedef struct believe {
    size_t nlevers, ndraws, np, nmixed;
    lever *lv;
    mixed *mx;
    point_of *pt;
    double *vals;              /* [draw][arm][param] values with every lever on */
    const mkba_model *m;
} believe;

static void row(void *user, size_t i, double *r)
{
    const believe *b = user;
    const point_of *p = &b->pt[i];
    if (p->lever == ON)
        return;
    const double *v = b->vals + (size_t)p->draw * b->m->narms * b->np;
    size_t ref = (size_t)b->m->reference;
    for (size_t l = 0; l < b->nlevers; l++) {
        const lever *x = &b->lv[l];
        if (x->arm != p->arm || (p->lever != ALL_OFF && (size_t)p->lever != l))
            continue;
        r[(size_t)x->arm * b->np + (size_t)x->param] =
            x->ref_param < 0 ? x->off : v[ref * b->np + (size_t)x->ref_param];
    }
}

static int add_lever(believe *b, int arm, int param, int ref_param, double off,
                     const char *label, mkba_error *err)
{
    for (size_t l = 0; l < b->nlevers; l++)
        if (b->lv[l].arm == arm && b->lv[l].param == param)
            return MKBA_OK;    /* one value, one lever */
    lever *grown = mkba_realloc(b->lv, (b->nlevers + 1) * sizeof *grown);
    if (grown == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory listing levers");
    b->lv = grown;
    lever *x = &b->lv[b->nlevers++];
    x->arm = arm;
    x->param = param;
    x->ref_param = ref_param;
    x->off = off;
    snprintf(x->label, sizeof x->label, "%s", label);
    return MKBA_OK;
}

/* The pathway-mechanism levers of arm a (services only). */
static int find_slot_levers(believe *b, size_t a, char *label, size_t size, mkba_error *err)
{
    const mkba_model *m = b->m;
    size_t ref = (size_t)m->reference, np = b->np;
    const double *v = b->vals;
    int rc = MKBA_OK;
    const mkba_pathway *pa = &m->services.pathway[a], *pr = &m->services.pathway[ref];
    const mkba_pathway_rule *ra = mkba_pathway_rule_of(pa->rule);
    const mkba_pathway_rule *rr = mkba_pathway_rule_of(pr->rule);
    for (size_t i = 0; rc == MKBA_OK && i < NSLOTS; i++) {
        if (slot[i].quick_scan && (!ra->quick_scan || !rr->quick_scan))
            continue;          /* the reference has no scan: structure, not a number */
        if (slot[i].offset == offsetof(mkba_pathway, duplicate_registration) && pa->shared_ict)
            continue;          /* not charged with shared ICT */
        int ka = slot_of(pa, i), kr = slot_of(pr, i);
        if (ka < 0 || (kr < 0 && !slot[i].zero_off) || ka == kr)
            continue;
        /* A coordination weight the reference lacks is off at the arm's
         * degree weight (services.degree_weights), which it replaces. */
        double none = slot[i].offset == offsetof(mkba_pathway, coordination_weight)
                          ? m->services.degree_weight[pa->degree] : 0.0;
        double off = kr < 0 ? none : v[ref * np + (size_t)kr];
        if (v[a * np + (size_t)ka] == off)
            continue;
        /* Values written inline have their setting path as name: show
         * the value instead. A mechanism the reference lacks is off at 0. */
        char va[64], vr[64];
        const char *na = mkba_params_get(m->params, (size_t)ka)->name;
        const char *nr = kr < 0 ? "none" : mkba_params_get(m->params, (size_t)kr)->name;
        snprintf(va, sizeof va, "%.6g", v[a * np + (size_t)ka]);
        snprintf(vr, sizeof vr, "%.6g", off);
        /* Substitution saves the full bought price for the team's
         * lighter help: a belief of its own. */
        snprintf(label, size, "%s: %s (reference: %s)%s", slot[i].name,
                 strchr(na, '.') != NULL ? va : na, strchr(nr, '.') != NULL ? vr : nr,
                 entry_of(i) >= 0 ? "; full price saved for the team's lighter help, "
                                    "assumed as effective" : "");
        rc = add_lever(b, (int)a, ka, kr, none, label, err);
    }
    return rc;
}

/* The levers of arm a, from the values with every lever on (draw 0). */
static int find_levers(believe *b, size_t a, mkba_error *err)
{
    const mkba_model *m = b->m;
    size_t ref = (size_t)m->reference, np = b->np;
    const double *v = b->vals;
    char label[256];
    int rc = MKBA_OK;
    /* Pathway mechanisms first: when the arm overrides the parameter its
     * mechanism reads, switching it off means the reference pathway's
     * value, not the reference arm's value of that parameter. */
    if (m->services.enabled)
        rc = find_slot_levers(b, a, label, sizeof label, err);
    /* A reference that overrides a parameter (the current model as the
     * reference arm) differs from the arm there too: switching that lever
     * off gives the arm the reference's override. */
    for (size_t k = 0; rc == MKBA_OK && k < np; k++) {
        int own = mkba_params_overridden(m->params, k, a);
        if ((own || mkba_params_overridden(m->params, k, ref))
            && v[a * np + k] != v[ref * np + k]) {
            snprintf(label, sizeof label, "%s %s", own ? "override" : "reference's override",
                     mkba_params_get(m->params, k)->name);
            rc = add_lever(b, (int)a, (int)k, (int)k, 0.0, label, err);
        }
    }
    return rc;
}

enum { C_MEAN = 0, C_MCSE, C_N };
enum { N_ON = 0, N_ALL_OFF, N_INTERACTION, N_N };

/* Whether arm a is analysed: every arm but the reference, or --arm and,
 * for a blended --arm, its parts of share above 0 that it is made of. */
static int analysed(const mkba_sa *s, size_t a)
{
    const mkba_model *m = s->m;
    size_t S = mkba_model_simulated(m);
    if ((int)a == m->reference)
        return 0;
    if (s->arm < 0 || (int)a == s->arm)
        return 1;
    if (a >= S || (size_t)s->arm < S)
        return 0;
    const mkba_blend *bl = &m->blend[(size_t)s->arm - S];
    for (size_t i = 0; i < bl->nparts; i++)
        if (bl->arm[i] == (int)a && bl->share[i] > 0.0)
            return 1;
    return 0;
}

/* The levers of blended arm a from its parts' (found before), into b->mx,
 * which has room for every lever of every blend. */
static void find_mixed(believe *b, size_t a)
{
    const mkba_model *m = b->m;
    const mkba_blend *bl = &m->blend[a - mkba_model_simulated(m)];
    size_t first = b->nmixed;
    for (size_t i = 0; i < bl->nparts; i++) {
        if (bl->share[i] == 0.0 || bl->arm[i] == m->reference)
            continue;          /* weighs nothing; the reference has no levers */
        for (size_t l = 0; l < b->nlevers; l++) {
            if (b->lv[l].arm != bl->arm[i])
                continue;
            size_t x = first;
            while (x < b->nmixed && strcmp(b->mx[x].label, b->lv[l].label) != 0)
                x++;
            if (x == b->nmixed) {
                b->mx[x] = (mixed){ .arm = (int)a };
                snprintf(b->mx[x].label, sizeof b->mx[x].label, "%s", b->lv[l].label);
                b->nmixed++;
            }
            mixed *q = &b->mx[x];
            /* Labels are one per lever of an arm (a slot's name or
             * "override NAME"), so a lever has at most one term a part. */
            if (q->n < MKBA_MAX_ARMS) {
                q->lever[q->n] = (int)l;
                q->share[q->n++] = bl->share[i];
            }
        }
    }
    /* The label says which parts have the lever. */
    for (size_t x = first; x < b->nmixed; x++) {
        mixed *q = &b->mx[x];
        size_t len = strlen(q->label);
        for (size_t t = 0; t < q->n && len < sizeof q->label; t++) {
            snprintf(q->label + len, sizeof q->label - len, "%s%s", t == 0 ? " [in " : ", ",
                     m->arm[b->lv[q->lever[t]].arm].name);
            len = strlen(q->label);
        }
        if (len < sizeof q->label)
            snprintf(q->label + len, sizeof q->label - len, "]");
    }
}

/* The point of (draw j, arm a, lever l) with points laid out draw by draw;
 * for an arm without points of its own (the reference) the point with
 * every lever on. */
static size_t point_at(const believe *b, size_t per_draw, size_t j, int a, int l)
{
    for (size_t i = j * per_draw; i < (j + 1) * per_draw; i++)
        if (b->pt[i].arm == a && b->pt[i].lever == l)
            return i;
    return j * per_draw;
}

/* Blended arm a's row of npv and its levers' contributions, from its
 * parts' points: each the share-weighted sum of the parts'; the MCSE by
 * batch means of that sum, batch by batch on the common households. */
static void store_mixed(const mkba_sa *s, const believe *b, size_t a, size_t per_draw,
                        double *contrib, double *npv)
{
    const mkba_model *m = s->m;
    const mkba_blend *bl = &m->blend[a - mkba_model_simulated(m)];
    size_t k = (size_t)s->outcome, nb = s->nbatches_used, na = s->narms, no = s->nout;
    size_t stride = s->nbatches * na * no;
    double on = 0.0, off = 0.0, sum = 0.0;
    for (size_t j = 0; j < b->ndraws; j++) {
        on += mkba_sa_y(s, j * per_draw, a, k) / (double)b->ndraws;
        for (size_t i = 0; i < bl->nparts; i++)
            if (bl->share[i] > 0.0)
                off += bl->share[i]
                       * mkba_sa_y(s, point_at(b, per_draw, j, bl->arm[i], ALL_OFF),
                                   (size_t)bl->arm[i], k)
                       / (double)b->ndraws;
    }
    for (size_t x = 0; x < b->nmixed; x++) {
        const mixed *q = &b->mx[x];
        if (q->arm != (int)a)
            continue;
        double mean = 0.0, var = 0.0;
        for (size_t j = 0; j < b->ndraws; j++) {
            size_t pon = j * per_draw;
            double w[MKBA_RESULT_BATCHES] = { 0 };
            for (size_t t = 0; t < q->n; t++) {
                size_t l = (size_t)q->lever[t], pa = (size_t)b->lv[l].arm;
                size_t poff = point_at(b, per_draw, j, b->lv[l].arm, (int)l);
                mean += q->share[t] * (mkba_sa_y(s, pon, pa, k) - mkba_sa_y(s, poff, pa, k))
                        / (double)b->ndraws;
                for (size_t c = 0; c < nb; c++)
                    w[c] += q->share[t] * (s->batch[pon * stride + (c * na + pa) * no + k]
                                           - s->batch[poff * stride + (c * na + pa) * no + k]);
            }
            double e = mkba_mcse_batches(w, s->households + pon * s->nbatches, nb);
            var += e * e;
        }
        contrib[(b->nlevers + x) * C_N + C_MEAN] = mean;
        contrib[(b->nlevers + x) * C_N + C_MCSE] = sqrt(var) / (double)b->ndraws;
        sum += mean;
    }
    npv[a * N_N + N_ON] = on;
    npv[a * N_N + N_ALL_OFF] = off;
    npv[a * N_N + N_INTERACTION] = on - off - sum;
}

static int store(mkba_sa *s, const char *tmp, mkba_error *err)
{
    const believe *b = s->method;
    size_t na = s->narms, k = (size_t)s->outcome, nall = b->nlevers + b->nmixed;
    double *contrib = mkba_malloc((nall + 1) * C_N * sizeof *contrib);
    double *npv = mkba_malloc(na * N_N * sizeof *npv);
    int *arm = mkba_malloc((nall + 1) * sizeof *arm);
    const char **label = mkba_malloc((nall + 1) * sizeof *label);
    int rc = contrib && npv && arm && label ? MKBA_OK
             : mkba_error_set(err, MKBA_ENOMEM, "out of memory for the levers");
    for (size_t i = 0; rc == MKBA_OK && i < na * N_N; i++)
        npv[i] = NAN;
    /* Point of (draw j, arm a, lever l): points are laid out draw by draw. */
    size_t per_draw = s->npoints / b->ndraws;
    for (size_t a = 0; rc == MKBA_OK && a < na; a++) {
        size_t first = 0, nl = 0;
        int any = 0;
        for (size_t l = 0; l < b->nlevers; l++)
            if (b->lv[l].arm == (int)a) {
                if (!any)
                    first = l;
                any = 1;
                nl++;
            }
        int has_points = 0;
        for (size_t i = 0; i < per_draw; i++)
            has_points |= b->pt[i].arm == (int)a;
        if (!has_points)
            continue;
        double on = 0.0, off = 0.0, sum = 0.0;
        for (size_t j = 0; j < b->ndraws; j++)
            for (size_t i = 0; i < per_draw; i++) {
                const point_of *p = &b->pt[j * per_draw + i];
                double y = mkba_sa_y(s, j * per_draw + i, a, k) / (double)b->ndraws;
                if (p->lever == ON)
                    on += y;
                else if (p->arm == (int)a && p->lever == ALL_OFF)
                    off += y;
            }
        for (size_t l = first; l < first + nl; l++) {
            double mean = 0.0, var = 0.0;
            for (size_t j = 0; j < b->ndraws; j++) {
                size_t pon = j * per_draw, poff = pon;
                while (!(b->pt[poff].arm == (int)a && b->pt[poff].lever == (int)l))
                    poff++;
                mean += (mkba_sa_y(s, pon, a, k) - mkba_sa_y(s, poff, a, k)) / (double)b->ndraws;
                double e = mkba_sa_diff_mcse(s, poff, a, pon, a, k);
                var += e * e;
            }
            contrib[l * C_N + C_MEAN] = mean;
            contrib[l * C_N + C_MCSE] = sqrt(var) / (double)b->ndraws;
            sum += mean;
        }
        npv[a * N_N + N_ON] = on;
        npv[a * N_N + N_ALL_OFF] = off;
        npv[a * N_N + N_INTERACTION] = on - off - sum;
    }
    for (size_t a = mkba_model_simulated(s->m); rc == MKBA_OK && a < na; a++)
        if (analysed(s, a))
            store_mixed(s, b, a, per_draw, contrib, npv);
    for (size_t l = 0; rc == MKBA_OK && l < b->nlevers; l++) {
        arm[l] = b->lv[l].arm;
        label[l] = b->lv[l].label;
    }
    for (size_t x = 0; rc == MKBA_OK && x < b->nmixed; x++) {
        arm[b->nlevers + x] = b->mx[x].arm;
        label[b->nlevers + x] = b->mx[x].label;
    }
    mkba_h5_store *h = rc == MKBA_OK ? mkba_h5_store_open(tmp, 1, err) : NULL;
    if (rc == MKBA_OK && h == NULL)
        rc = err != NULL ? err->code : MKBA_EIO;
    if (rc == MKBA_OK)
        rc = mkba_sa_store_common(s, h, NULL, err);
    size_t dl[2] = { nall, C_N }, da[2] = { na, N_N }, d1[1] = { nall };
    char text[32];
    snprintf(text, sizeof text, "%zu", b->ndraws);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_group(h, "/sa/believe", "what must be believed: NPV by lever", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_attr(h, "/sa/believe", "draws",
                                s->o->draws > 0 ? text : "base case", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_strings(h, "/sa/believe/lever", label, nall, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_ints(h, "/sa/believe/lever_arm", 1, d1, arm, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(h, "/sa/believe/contribution", 2, dl, contrib, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(h, "/sa/believe/arm_npv", 2, da, npv, err);
    if (h != NULL) {
        int rc2 = mkba_h5_store_close(h, rc == MKBA_OK ? err : NULL);
        rc = rc != MKBA_OK ? rc : rc2;
    }
    mkba_free(contrib);
    mkba_free(npv);
    mkba_free(arm);
    mkba_free((void *)label);
    return rc;
}

int mkba_sa_believe(mkba_sa *s, mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    const mkba_model *m = s->m;
    int rc = mkba_sa_need_outcome(s, 0, "believe splits the outcome into contributions", err);
    if (rc != MKBA_OK)
        return rc;
    if (o->draws > 0 && o->draw != 0)
        return mkba_error_set(err, MKBA_EINVAL, "believe: --draw has no meaning with --draws "
                              "%ld, whose points use draws 0 to %ld, each on its own households",
                              o->draws, o->draws - 1);
    if (o->draws > 10000)
        return mkba_error_set(err, MKBA_EINVAL, "believe: --draws must be 0 (the base case) "
                              "to 10000 (got %ld)", o->draws);
    believe b = { .m = m, .np = mkba_params_count(m->params) };
    b.ndraws = o->draws > 0 ? (size_t)o->draws : 1;
    int base_case = o->draws <= 0;
    size_t na = m->narms;
    mkba_design *d = mkba_sa_design_fix(s, mkba_design_generated(m, 1, base_case,
                                                                (uint32_t)o->draw, row, &b,
                                                                err), err);
    if (d == NULL)
        return err != NULL ? err->code : MKBA_ENOMEM;
    /* The values with every lever on, per draw, with --set applied. */
    b.vals = mkba_malloc(b.ndraws * na * b.np * sizeof *b.vals);
    mkba_params_work *w = mkba_params_work_alloc(m->params);
    rc = b.vals != NULL && w != NULL ? MKBA_OK
         : mkba_error_set(err, MKBA_ENOMEM, "out of memory for the levers");
    if (rc == MKBA_OK)
        mkba_params_work_fix(w, d->fixed);
    for (size_t j = 0; rc == MKBA_OK && j < b.ndraws; j++)
        rc = mkba_params_sample(m->params, s->so.seed,
                                base_case ? (uint32_t)o->draw : (uint32_t)j, base_case,
                                m->base_case, b.vals + j * na * b.np, w, err);
    mkba_params_work_free(w);
    size_t S = mkba_model_simulated(m);
    for (size_t a = 0; rc == MKBA_OK && a < S; a++)
        if (analysed(s, a))
            rc = find_levers(&b, a, err);
    /* Points per draw: every lever on, then per analysed simulated arm
     * each lever off and all off; a blend has none of its own. */
    size_t per_draw = 1;
    for (size_t a = 0; a < S; a++)
        if (analysed(s, a))
            per_draw++;
    per_draw += b.nlevers;
    size_t npoints = per_draw * b.ndraws;
    b.pt = rc == MKBA_OK ? mkba_malloc(npoints * sizeof *b.pt) : NULL;
    uint32_t *draws = rc == MKBA_OK ? mkba_malloc(npoints * sizeof *draws) : NULL;
    /* A blend's levers are its parts' levers: at most all of them. */
    b.mx = rc == MKBA_OK ? mkba_malloc((m->nblends * b.nlevers + 1) * sizeof *b.mx) : NULL;
    if (rc == MKBA_OK && (b.pt == NULL || draws == NULL || b.mx == NULL))
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory for the levers");
    for (size_t a = S; rc == MKBA_OK && a < na; a++)
        if (analysed(s, a))
            find_mixed(&b, a);
    for (size_t j = 0; rc == MKBA_OK && j < b.ndraws; j++) {
        size_t i = j * per_draw;
        b.pt[i++] = (point_of){ (int)j, ON, ON };
        for (size_t a = 0; a < S; a++) {
            if (!analysed(s, a))
                continue;
            for (size_t l = 0; l < b.nlevers; l++)
                if (b.lv[l].arm == (int)a)
                    b.pt[i++] = (point_of){ (int)j, (int)a, (int)l };
            b.pt[i++] = (point_of){ (int)j, (int)a, ALL_OFF };
        }
        for (size_t q = j * per_draw; q < i; q++)
            draws[q] = base_case ? (uint32_t)o->draw : (uint32_t)j;
    }
    mkba_design_free(d);
    d = NULL;
    if (rc == MKBA_OK
        && (d = mkba_sa_design_fix(s, mkba_design_generated(m, npoints, base_case,
                                                            (uint32_t)o->draw, row, &b, err),
                                   err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK)
        rc = mkba_design_set_draws(d, draws, err);
    if (rc == MKBA_OK) {
        s->keep_batches = 1;
        s->method = &b;
        rc = mkba_sa_evaluate(s, d, o->output, npoints <= 4096, store, err);
        s->method = NULL;
    }
    mkba_design_free(d);
    mkba_free(draws);
    mkba_free(b.pt);
    mkba_free(b.lv);
    mkba_free(b.mx);
    mkba_free(b.vals);
    return rc;
}
