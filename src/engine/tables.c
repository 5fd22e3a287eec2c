/* Resolving one PSA draw: from parameter values to the concrete transition
 * rows, interaction coefficients and initial distributions the kernels use.
 *
 * Rules are applied in file order and a later matching rule replaces an
 * earlier one, so a base row can be refined for an arm, a cycle window or a
 * time-in-state window. Rates convert as competing risks: with total rate R,
 * p_j = r_j / R * (1 - exp(-R dt)), which is p = 1 - exp(-r dt) for one
 * target. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "engine/engine.h"
#include "core/alloc.h"

/* Tolerance on a row's off-diagonal sum and on prevalences summing to one. */
#define ROW_TOL 1e-9
#define PREV_TOL 1e-6

void mkba_tables_free(mkba_tables *t)
{
    if (t == NULL)
        return;
    mkba_free(t->rows);
    mkba_free(t->pwtab);
    mkba_free(t->ztab);
    mkba_free(t->tab_off);
    mkba_free(t->entry);
    mkba_free(t->beta);
    mkba_free(t->init_thr);
    mkba_free(t->init_prev);
    mkba_free(t->loading);
    mkba_free(t->unique);
    mkba_free(t->severity);
    mkba_free(t->level);
    mkba_free(t);
}

mkba_tables *mkba_tables_alloc(const mkba_model *m, const mkba_layout *l)
{
    mkba_tables *t = mkba_calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->l = l;
    t->narms = m->narms;
    t->maxb = 1;
    for (size_t g = 0; g < l->nstates_total; g++)
        if (l->dur[g].nbuckets > t->maxb)
            t->maxb = l->dur[g].nbuckets;
    size_t nrows = m->narms * l->nsegs * l->nstates_total * (size_t)t->maxb;
    t->rows = mkba_calloc(nrows, sizeof *t->rows);
    t->beta = mkba_calloc(m->narms * (m->ninteract + 1), sizeof *t->beta);
    t->init_thr = mkba_calloc(m->narms * l->nstates_total, sizeof *t->init_thr);
    t->init_prev = mkba_calloc(m->narms * l->nstates_total, sizeof *t->init_prev);
    t->loading = mkba_calloc(m->narms * m->ndomains, sizeof *t->loading);
    t->unique = mkba_calloc(m->narms * m->ndomains, sizeof *t->unique);
    t->severity = mkba_calloc(l->nstates_total, sizeof *t->severity);
    t->level = mkba_calloc(l->nstates_total, sizeof *t->level);
    if (!t->rows || !t->beta || !t->init_thr || !t->init_prev || !t->loading || !t->unique ||
        !t->severity || !t->level) {
        mkba_tables_free(t);
        return NULL;
    }
    for (size_t d = 0; d < m->ndomains; d++)
        for (int s = 0; s < m->domain[d].nstates; s++) {
            double sev = m->domain[d].state[s].severity;
            t->severity[l->state_base[d] + s] = sev;
            t->level[l->state_base[d] + s] =
                !(sev > 1.0) ? 1 : sev >= 255.0 ? 255 : (uint8_t)ceil(sev - 1e-9);
        }

    /* Each row of a domain with a worsening table owns ncombo entries. */
    t->tab_off = mkba_calloc(l->nstates_total * (size_t)t->maxb, sizeof *t->tab_off);
    if (t->tab_off == NULL) {
        mkba_tables_free(t);
        return NULL;
    }
    for (size_t d = 0; d < m->ndomains; d++)
        for (int s = 0; s < m->domain[d].nstates; s++) {
            int g = l->state_base[d] + s;
            for (int b = 0; b < l->dur[g].nbuckets; b++) {
                t->tab_off[g * t->maxb + b] = (uint32_t)t->tab_block;
                t->tab_block += l->ncombo[d];
            }
        }
    t->pwtab = mkba_calloc(m->narms * l->nsegs * t->tab_block + 1, sizeof *t->pwtab);
    t->ztab = mkba_calloc(m->narms * t->tab_block + 1, sizeof *t->ztab);
    t->entry = mkba_calloc(l->nstates_total, sizeof *t->entry);
    if (t->pwtab == NULL || t->ztab == NULL || t->entry == NULL) {
        mkba_tables_free(t);
        return NULL;
    }
    for (size_t g = 0; g < l->nstates_total; g++) {
        t->entry[g].cap = l->dur[g].cap;
        t->entry[g].row = (int)g * t->maxb;  /* duration 0 is always bucket 0 */
        t->entry[g].tab = (int)t->tab_off[g * (size_t)t->maxb];
        t->entry[g].slot = l->slot_base[g];
    }
    return t;
}

double mkba_interaction_term(const mkba_model *m, const mkba_tables *t, size_t arm,
                             int d, const double *sev)
{
    const mkba_layout *l = t->l;
    const double *beta = &t->beta[arm * m->ninteract];
    double z = 0.0;
    for (int i = l->inter_start[d]; i < l->inter_start[d + 1]; i++) {
        int ii = l->inter_order[i];
        z += beta[ii] * sev[m->interact[ii].from];
    }
    return z;
}

/* The smallest 32-bit word w with (w + 1/2) / 2^32 >= p (2^32 when none). */
static uint64_t stay_threshold(double p)
{
    double x = ceil(p * 4294967296.0 - 0.5);
    return x <= 0.0 ? 0 : x >= 4294967296.0 ? UINT64_C(4294967296) : (uint64_t)x;
}

/* Worsening probabilities of every row for every combination of its
 * domain's interaction sources' states. */
static void fill_worsening_tables(mkba_tables *t, const mkba_model *m, size_t arm)
{
    const mkba_layout *l = t->l;
    double sev[MKBA_MAX_DOMAINS] = {0};
    for (size_t d = 0; d < m->ndomains; d++) {
        if (l->ncombo[d] == 0)
            continue;
        for (size_t c = 0; c < l->ncombo[d]; c++) {
            for (int j = 0; j < l->nsrc[d]; j++) {
                int e = l->src[d][j];
                int x = (int)(c / (size_t)l->stride[d][j] % (size_t)l->nstates[e]);
                sev[e] = t->severity[l->state_base[e] + x];
            }
            double z = mkba_interaction_term(m, t, arm, (int)d, sev);
            for (int s = 0; s < l->nstates[d]; s++) {
                int g = l->state_base[d] + s;
                for (int b = 0; b < l->dur[g].nbuckets; b++)
                    t->ztab[arm * t->tab_block + t->tab_off[g * t->maxb + b] + c] = z;
            }
            for (size_t seg = 0; seg < l->nsegs; seg++) {
                mkba_worsening *block = (mkba_worsening *)mkba_tables_worsening(t, arm, (int)seg);
                for (int s = 0; s < l->nstates[d]; s++) {
                    int g = l->state_base[d] + s;
                    for (int b = 0; b < l->dur[g].nbuckets; b++) {
                        const mkba_row *row = mkba_tables_row(t, arm, (int)seg, g, b);
                        double pw = mkba_row_worsening(row, z);
                        mkba_worsening *entry = block + t->tab_off[g * t->maxb + b] + c;
                        entry->stay = stay_threshold(pw + row->po);
                        entry->pw = pw;
                        entry->scale = pw > 0.0 ? row->pw / pw : 0.0;
                    }
                }
            }
        }
    }
}

double mkba_row_worsening(const mkba_row *r, double z)
{
    if (z == 0.0 || r->pw <= 0.0)
        return r->pw;
    double pw = -expm1(exp(z) * r->log1m_pw);
    return pw > 1.0 - r->po ? 1.0 - r->po : pw;
}

typedef struct resolve_ctx {
    const mkba_model *m;
    const double *values;
    size_t nparams;
    long draw;
    mkba_error *err;
} resolve_ctx;

static double value_of(const resolve_ctx *c, size_t arm, int index)
{
    return c->values[arm * c->nparams + (size_t)index];
}

static int in_window(mkba_window w, int x)
{
    return x >= w.from && x <= w.to;
}

/* Hazard ratios on a row whose exits compete: the row's probabilities p_j
 * come from hazards r_j with p_j = r_j / R (1 - exp(-R)), R = sum r_j, so
 * r_j = p_j / P (-ln(1 - P)) with P = sum p_j. Each hazard is scaled by its
 * ratio and the row rebuilt the same way; with one exit this is
 * p' = 1 - (1 - p)^hr. A row that leaves for sure (P = 1) keeps P' = 1 and
 * shares the exits in proportion to ratio x p. */
static void apply_hazard_ratios(int n, int s, const double *base, const double *ratio,
                                double *p)
{
    double P = 0.0, scaled = 0.0;
    for (int j = 0; j < n; j++)
        if (j != s) {
            P += base[j];
            scaled += ratio[j] * base[j];
        }
    for (int j = 0; j < n; j++)
        p[j] = 0.0;
    if (P <= 0.0 || scaled <= 0.0)
        return;
    /* Total hazard after scaling: R' = (scaled / P) R. */
    double leave = P >= 1.0 ? 1.0 : -expm1(scaled / P * log1p(-P));
    for (int j = 0; j < n; j++)
        if (j != s)
            p[j] = ratio[j] * base[j] / scaled * leave;
}

/* Off-diagonal probabilities p[] of domain d, state s, for arm `arm` in
 * cycle k after `dur` cycles in s. */
static int row_probs(const resolve_ctx *c, size_t arm, int k, int dur, int d, int s,
                     double *p, int depth, const mkba_trans_rule **last)
{
    const mkba_model *m = c->m;
    const mkba_domain *dom = &m->domain[d];
    int found = 0;
    if (depth > (int)m->narms) {
        /* Name a ratio rule of this arm: it is part of the loop. */
        char at[640] = "";
        for (size_t i = 0; i < m->ntrans && at[0] == '\0'; i++) {
            const mkba_trans_rule *r = &m->trans[i];
            if (r->domain == d && r->from == s && (r->arms >> arm & 1u) && r->file != NULL
                && (r->kind == MKBA_TRANS_RR || r->kind == MKBA_TRANS_HR))
                snprintf(at, sizeof at, "%s:%d: %s: ", r->file, r->line, r->path);
        }
        return mkba_error_set(c->err, MKBA_EINVAL,
                              "%sdomain '%s', state '%s': relative-risk or hazard-ratio rules "
                              "refer to each other's arms in a loop; expected 'of' to name an "
                              "arm whose rule does not lead back here",
                              at, dom->name, dom->state[s].name);
    }
    for (int j = 0; j < dom->nstates; j++)
        p[j] = 0.0;
    for (size_t i = 0; i < m->ntrans; i++) {
        const mkba_trans_rule *r = &m->trans[i];
        if (r->domain != d || r->from != s || !(r->arms >> arm & 1u) ||
            !in_window(r->cycles, k) || !in_window(r->duration, dur))
            continue;
        found = 1;
        *last = r;
        if (r->kind == MKBA_TRANS_PROB) {
            for (int j = 0; j < dom->nstates; j++)
                p[j] = (j != s && r->value[j] != MKBA_NO_VALUE) ? value_of(c, arm, r->value[j]) : 0.0;
        } else if (r->kind == MKBA_TRANS_RATE) {
            double total = 0.0;
            for (int j = 0; j < dom->nstates; j++) {
                p[j] = (j != s && r->value[j] != MKBA_NO_VALUE) ? value_of(c, arm, r->value[j]) : 0.0;
                if (!(p[j] >= 0.0) || !isfinite(p[j]))
                    return mkba_error_set(c->err, MKBA_ENUMERIC,
                                          "draw %ld, arm '%s': %s: rate to '%s' is %g; rates "
                                          "must be finite and >= 0 (%s:%d)",
                                          c->draw, m->arm[arm].name, r->path, dom->state[j].name,
                                          p[j], r->file, r->line);
                total += p[j];
            }
            double leave = -expm1(-total * m->timing.cycle_years);
            for (int j = 0; j < dom->nstates; j++)
                p[j] = total > 0.0 ? p[j] / total * leave : 0.0;
        } else {
            double base[MKBA_MAX_STATES];
            const mkba_trans_rule *of_rule = NULL;
            int rc = row_probs(c, (size_t)r->of_arm, k, dur, d, s, base, depth + 1, &of_rule);
            if (rc != MKBA_OK)
                return rc;
            double ratio[MKBA_MAX_STATES];
            for (int j = 0; j < dom->nstates; j++) {
                ratio[j] = 1.0;
                if (j == s || r->value[j] == MKBA_NO_VALUE)
                    continue;
                ratio[j] = value_of(c, arm, r->value[j]);
                if (!(ratio[j] >= 0.0) || !isfinite(ratio[j]))
                    return mkba_error_set(c->err, MKBA_ENUMERIC,
                                          "draw %ld, arm '%s': %s: ratio for '%s' is %g; "
                                          "ratios must be finite and >= 0 (%s:%d)",
                                          c->draw, m->arm[arm].name, r->path, dom->state[j].name,
                                          ratio[j], r->file, r->line);
            }
            if (r->kind == MKBA_TRANS_RR) {
                for (int j = 0; j < dom->nstates; j++)
                    p[j] = j == s ? 0.0 : ratio[j] * base[j];
            } else {
                apply_hazard_ratios(dom->nstates, s, base, ratio, p);
            }
        }
    }
    if (!found)
        return mkba_error_set(c->err, MKBA_EINVAL,
                              "domain '%s': no transition rule covers state '%s' for arm '%s' "
                              "in cycle %d after %d cycles in the state",
                              dom->name, dom->state[s].name, m->arm[arm].name, k, dur);
    return MKBA_OK;
}

static int check_row(const resolve_ctx *c, size_t arm, int k, int dur, int d, int s, double *p,
                     const mkba_trans_rule *r)
{
    const mkba_domain *dom = &c->m->domain[d];
    double sum = 0.0;
    for (int j = 0; j < dom->nstates; j++) {
        if (!(p[j] >= 0.0 && p[j] <= 1.0))
            return mkba_error_set(c->err, MKBA_ENUMERIC,
                                  "draw %ld, arm '%s': domain '%s', from '%s' to '%s' in cycle %d "
                                  "(after %d cycles in the state): probability %g is outside [0, 1] "
                                  "(rule %s at %s:%d)",
                                  c->draw, c->m->arm[arm].name, dom->name, dom->state[s].name,
                                  dom->state[j].name, k, dur, p[j], r->path, r->file, r->line);
        sum += p[j];
    }
    if (sum > 1.0 + ROW_TOL)
        return mkba_error_set(c->err, MKBA_ENUMERIC,
                              "draw %ld, arm '%s': domain '%s', row of '%s' in cycle %d (after %d "
                              "cycles in the state): probabilities of leaving sum to %.12g, more "
                              "than 1 (tolerance %g); the diagonal completes the row (rule %s at "
                              "%s:%d)",
                              c->draw, c->m->arm[arm].name, dom->name, dom->state[s].name, k, dur,
                              sum, ROW_TOL, r->path, r->file, r->line);
    if (sum > 1.0)
        for (int j = 0; j < dom->nstates; j++)
            p[j] /= sum;
    return MKBA_OK;
}

static void fill_row(mkba_row *row, const mkba_domain *dom, int s, const double *p)
{
    memset(row, 0, sizeof *row);
    for (int worse = 1; worse >= 0; worse--)
        for (int j = 0; j < dom->nstates; j++) {
            if (j == s || p[j] <= 0.0 || (dom->state[j].severity > dom->state[s].severity) != worse)
                continue;
            if (worse)
                row->pw += p[j];
            else
                row->po += p[j];
            row->to[row->n] = (uint8_t)j;
            row->cum[row->n] = row->pw + row->po;
            row->n++;
            row->nw += (uint8_t)worse;
        }
    for (int i = row->n; i < MKBA_MAX_STATES; i++)
        row->cum[i] = INFINITY;
    row->to[row->n] = (uint8_t)s; /* n <= nstates - 1 < MKBA_MAX_STATES */
    row->log1m_pw = log1p(-row->pw);
}

/* "FILE:LINE: PATH: " of the setting behind value index v, for messages;
 * empty for a model built in memory. */
static const char *setting_of(const mkba_model *m, int v, char *buf, size_t size)
{
    const mkba_param *p = mkba_params_get(m->params, (size_t)v);
    buf[0] = '\0';
    if (p != NULL && p->file != NULL)
        snprintf(buf, size, "%s:%d: %s: ", p->file, p->line, p->path != NULL ? p->path : p->name);
    return buf;
}

static int resolve_initial(mkba_tables *t, const resolve_ctx *c, size_t arm)
{
    char at[640];   /* a file name and a setting path */
    const mkba_model *m = c->m;
    const mkba_layout *l = t->l;
    for (size_t d = 0; d < m->ndomains; d++) {
        const mkba_domain *dom = &m->domain[d];
        double *prev = &t->init_prev[arm * l->nstates_total + (size_t)l->state_base[d]];
        double *thr = &t->init_thr[arm * l->nstates_total + (size_t)l->state_base[d]];
        double sum = 0.0;
        for (int s = 0; s < dom->nstates; s++) {
            if (dom->init_kind == MKBA_INIT_STATE)
                prev[s] = s == dom->init_state;
            else
                prev[s] = value_of(c, arm, dom->init_prev[s]);
            if (!(prev[s] >= 0.0 && prev[s] <= 1.0))
                return mkba_error_set(c->err, MKBA_ENUMERIC,
                                      "%sdraw %ld, arm '%s': domain '%s': initial prevalence of "
                                      "'%s' is %g, outside [0, 1]",
                                      setting_of(m, dom->init_prev[s], at, sizeof at), c->draw,
                                      m->arm[arm].name, dom->name, dom->state[s].name, prev[s]);
            sum += prev[s];
        }
        if (fabs(sum - 1.0) > PREV_TOL)
            return mkba_error_set(c->err, MKBA_ENUMERIC,
                                  "%sdraw %ld, arm '%s': domain '%s': initial prevalences sum to "
                                  "%.9g, not 1 (tolerance %g)",
                                  setting_of(m, dom->init_prev[0], at, sizeof at), c->draw,
                                  m->arm[arm].name, dom->name, sum, PREV_TOL);
        double cum = 0.0;
        for (int s = 0; s < dom->nstates; s++) {
            prev[s] /= sum;
            cum += prev[s];
            thr[s] = s + 1 < dom->nstates ? gsl_cdf_ugaussian_Pinv(cum) : INFINITY;
            if (cum >= 1.0)
                thr[s] = INFINITY;
        }
        double load = dom->loading == MKBA_NO_VALUE ? 0.0 : value_of(c, arm, dom->loading);
        if (!(load >= 0.0 && load < 1.0))
            return mkba_error_set(c->err, MKBA_ENUMERIC,
                                  "%sdraw %ld, arm '%s': domain '%s': latent-factor loading %g is "
                                  "outside [0, 1)", setting_of(m, dom->loading, at, sizeof at),
                                  c->draw, m->arm[arm].name, dom->name, load);
        t->loading[arm * m->ndomains + d] = load;
        t->unique[arm * m->ndomains + d] = sqrt(1.0 - load * load);
    }
    return MKBA_OK;
}

int mkba_tables_resolve(mkba_tables *t, const mkba_model *m, const double *values,
                        long draw, mkba_error *err)
{
    const mkba_layout *l = t->l;
    resolve_ctx c = {m, values, mkba_params_count(m->params), draw, err};
    double p[MKBA_MAX_STATES];
    for (size_t arm = 0; arm < m->narms; arm++) {
        for (size_t seg = 0; seg < l->nsegs; seg++) {
            int k = l->seg_start[seg];
            for (size_t d = 0; d < m->ndomains; d++) {
                const mkba_domain *dom = &m->domain[d];
                for (int s = 0; s < dom->nstates; s++) {
                    size_t g = (size_t)l->state_base[d] + (size_t)s;
                    for (int b = 0; b < l->dur[g].nbuckets; b++) {
                        mkba_row *row = (mkba_row *)mkba_tables_row(t, arm, (int)seg, (int)g, b);
                        if (dom->state[s].absorbing) {
                            memset(p, 0, sizeof p);
                            fill_row(row, dom, s, p);
                            continue;
                        }
                        int dur = l->dur[g].lo[b];
                        const mkba_trans_rule *rule = NULL;
                        int rc = row_probs(&c, arm, k, dur, (int)d, s, p, 0, &rule);
                        if (rc == MKBA_OK)
                            rc = check_row(&c, arm, k, dur, (int)d, s, p, rule);
                        if (rc != MKBA_OK)
                            return rc;
                        fill_row(row, dom, s, p);
                    }
                }
            }
        }
        for (size_t i = 0; i < m->ninteract; i++) {
            double beta = value_of(&c, arm, m->interact[i].beta);
            if (!isfinite(beta))
                return mkba_error_set(err, MKBA_ENUMERIC, "draw %ld, arm '%s': %s: beta is %g",
                                      draw, m->arm[arm].name, m->interact[i].path, beta);
            t->beta[arm * m->ninteract + i] = beta;
        }
        int rc = resolve_initial(t, &c, arm);
        if (rc != MKBA_OK)
            return rc;
        fill_worsening_tables(t, m, arm);
    }
    t->init_same = 1;
    for (size_t arm = 1; arm < m->narms; arm++) {
        if (memcmp(t->init_prev, t->init_prev + arm * l->nstates_total,
                   l->nstates_total * sizeof *t->init_prev) != 0 ||
            memcmp(t->loading, t->loading + arm * m->ndomains, m->ndomains * sizeof *t->loading) != 0)
            t->init_same = 0;
    }
    return MKBA_OK;
}
