/* "For whom": the MKBA per household group (groups.h, docs/decision.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "groups.h"
#include "core/alloc.h"
#include "payers.h"
#include "results/result.h"
#include "summary.h"

const char *const mkba_groups_statistic[MKBA_GS_N] = {
    "share", "npv_mean", "npv_2.5%", "npv_97.5%", "effect_gained_mean", "effect_gained_2.5%",
    "effect_gained_97.5%", "npv_mean_of_which_allocated_by_use", "npv_minus_population_mean",
    "npv_minus_population_2.5%", "npv_minus_population_97.5%",
    "npv_minus_population_p_above_0"};

void mkba_groups_free(mkba_groups *g)
{
    if (g == NULL)
        return;
    mkba_h5_store_strings_free(g->name, g->ngroups);
    mkba_free(g->share);
    mkba_free(g->cost);
    mkba_free(g->teams);
    mkba_free(g->effect);
    mkba_free(g);
}

int mkba_groups_read(mkba_h5_store *st, const mkba_h5_totals *t, mkba_groups **out,
                     mkba_error *err)
{
    *out = NULL;
    if (!mkba_h5_store_has(st, "/draws/groups/households"))
        return MKBA_OK;
    const size_t D = t->ndraws, A = t->narms, P = t->npayers, E = t->neffects;
    char **name = NULL;
    size_t G = 0;
    int rc = mkba_h5_store_read_strings(st, "/labels/household_groups", &name, &G, err);
    if (rc != MKBA_OK)
        return rc;
    mkba_groups *g = mkba_calloc(1, sizeof *g);
    if (g == NULL)
        mkba_h5_store_strings_free(name, G);
    if (g != NULL) {
        *g = (mkba_groups){D, A, P, E, G, name, NULL, NULL, NULL, 0, NULL};
        g->share = mkba_malloc((D * G + 1) * sizeof *g->share);
        g->cost = mkba_malloc((D * G * A * P + 1) * sizeof *g->cost);
        g->teams = mkba_malloc((D * G * A * P + 1) * sizeof *g->teams);
        g->effect = mkba_malloc((D * G * A * E + 1) * sizeof *g->effect);
    }
    if (g == NULL || g->share == NULL || g->cost == NULL || g->teams == NULL
        || g->effect == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory reading the household groups");
    size_t ds[2] = {D, G}, dc[4] = {D, G, A, P}, de[4] = {D, G, A, E};
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_doubles(st, "/draws/groups/households", 2, ds, g->share, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_doubles(st, "/draws/groups/cost_total_discounted", 4, dc,
                                        g->cost, err);
    /* A file written before the booking per household has no part
     * allocated by use. */
    if (g != NULL)
        g->by_use = mkba_h5_store_has(st, "/draws/groups/team_cost_total_discounted");
    if (rc == MKBA_OK && g->by_use)
        rc = mkba_h5_store_read_doubles(st, "/draws/groups/team_cost_total_discounted", 4, dc,
                                        g->teams, err);
    else
        for (size_t i = 0; rc == MKBA_OK && i < D * G * A * P; i++)
            g->teams[i] = NAN;
    if (rc == MKBA_OK && E > 0)
        rc = mkba_h5_store_read_doubles(st, "/draws/groups/effect_total_discounted", 4, de,
                                        g->effect, err);
    if (rc != MKBA_OK) {
        mkba_groups_free(g);
        return rc;
    }
    *out = g;
    return MKBA_OK;
}

/* Perspective k's NPV of arm a against the reference, per household of
 * group gr in draw d: costs saved by its payers (of `cost`: all of them,
 * or the teams' part) plus, when `effects`, the monetary effects that
 * count for it gained. */
static double npv(const mkba_groups *g, const double *cost, int effects,
                  const mkba_h5_totals *t, const int *mask, size_t d, size_t a, size_t gr)
{
    const size_t A = g->narms, P = g->npayers, E = effects ? g->neffects : 0;
    const size_t r = (size_t)t->reference;
    const double *c = cost + (d * g->ngroups + gr) * A * P;
    const double *e = g->effect + (d * g->ngroups + gr) * A * E;
    double x = 0.0;
    for (size_t p = 0; p < P; p++)
        if (mask[p])
            x += c[r * P + p] - c[a * P + p];
    for (size_t j = 0; j < E; j++)
        if (mkba_effect_counts(t->effect_monetary[j], t->effect_payer[j], mask, P))
            x += e[a * E + j] - e[r * E + j];
    return x;
}

double mkba_groups_npv(const mkba_groups *g, const mkba_h5_totals *t, size_t k, size_t d,
                       size_t a, size_t gr)
{
    return npv(g, g->cost, 1, t, t->perspective_payers + k * g->npayers, d, a, gr);
}

double mkba_groups_npv_all(const mkba_groups *g, const mkba_h5_totals *t, size_t k, size_t d,
                           size_t a)
{
    /* The severity partition: the first four groups, checked by name. */
    enum { SEVERITY = 4 };
    if (g->ngroups < SEVERITY)
        return NAN;
    double x = 0.0;
    for (size_t gr = 0; gr < SEVERITY; gr++) {
        if (strcmp(g->name[gr], mkba_result_groups[gr]) != 0)
            return NAN;
        const double w = g->share[d * g->ngroups + gr];
        if (isnan(w))              /* cohort mode: no groups */
            return NAN;
        if (w > 0.0)               /* an empty group's NPV is NaN */
            x += w * mkba_groups_npv(g, t, k, d, a, gr);
    }
    return x;
}

/* The share-weighted mean and the 95% interval over the draws with
 * households of values x[d] (n of them gathered into work), and when p is
 * not NULL the share of those draws in which x[d] > 0. */
static void weighted(const double *share, size_t stride, const double *x, size_t D,
                     double *work, double *out, double *p)
{
    double sw = 0.0, swx = 0.0;
    size_t n = 0, above = 0;
    for (size_t d = 0; d < D; d++) {
        double w = share[d * stride];
        if (!(w > 0.0) || isnan(x[d]))  /* empty, or no value (no population to compare) */
            continue;
        sw += w;
        swx += w * x[d];
        above += x[d] > 0.0;
        work[n++] = x[d];
    }
    if (p != NULL)
        *p = n > 0 ? (double)above / (double)n : NAN;
    if (n == 0) {
        out[0] = out[1] = out[2] = NAN;
        return;
    }
    mkba_stat s = mkba_stat_of(work, n, work + D);
    out[0] = swx / sw;
    out[1] = s.lo;
    out[2] = s.hi;
}

void mkba_groups_stats(const mkba_groups *g, const mkba_h5_totals *t, double *stats,
                       double *work)
{
    const size_t D = g->ndraws, A = g->narms, G = g->ngroups, E = g->neffects;
    const size_t r = (size_t)t->reference;
    const int pe = t->primary_effect;
    double *x = work + 2 * D;
    for (size_t k = 0; k < t->nperspectives; k++) {
        const int *mask = t->perspective_payers + k * g->npayers;
        for (size_t a = 0; a < A; a++)
            for (size_t gr = 0; gr < G; gr++) {
                double *o = stats + ((k * A + a) * G + gr) * MKBA_GS_N;
                double share = 0.0;
                for (size_t d = 0; d < D; d++)
                    share += g->share[d * G + gr];
                o[MKBA_GS_SHARE] = share / (double)D;
                for (int c = MKBA_GS_NPV; c < MKBA_GS_N; c++)
                    o[c] = NAN;
                if (a == r)
                    continue;
                for (size_t d = 0; d < D; d++)
                    x[d] = npv(g, g->cost, 1, t, mask, d, a, gr);
                weighted(g->share + gr, G, x, D, work, o + MKBA_GS_NPV, NULL);
                /* Paired: less the whole population's in the same draw;
                 * the mean is the NPV's less the population's mean. */
                double all = 0.0, vs[3];
                for (size_t d = 0; d < D; d++) {
                    const double y = mkba_groups_npv_all(g, t, k, d, a);
                    all += y;
                    x[d] -= y;
                }
                weighted(g->share + gr, G, x, D, work, vs, o + MKBA_GS_VS_ALL_P);
                o[MKBA_GS_VS_ALL] = o[MKBA_GS_NPV] - all / (double)D;
                o[MKBA_GS_VS_ALL_LO] = vs[1];
                o[MKBA_GS_VS_ALL_HI] = vs[2];
                double teams[3];
                for (size_t d = 0; d < D; d++)
                    x[d] = npv(g, g->teams, 0, t, mask, d, a, gr);
                weighted(g->share + gr, G, x, D, work, teams, NULL);
                o[MKBA_GS_BY_USE] = teams[0];
                if (pe < 0)
                    continue;
                for (size_t d = 0; d < D; d++) {
                    const double *e = g->effect + (d * G + gr) * A * E;
                    x[d] = e[a * E + (size_t)pe] - e[r * E + (size_t)pe];
                }
                weighted(g->share + gr, G, x, D, work, o + MKBA_GS_EFFECT, NULL);
            }
    }
}

int mkba_groups_store(mkba_h5_store *st, const mkba_h5_totals *t, mkba_error *err)
{
    mkba_groups *g = NULL;
    int rc = mkba_groups_read(st, t, &g, err);
    if (rc != MKBA_OK || g == NULL)
        return rc;
    const size_t K = t->nperspectives, A = g->narms, G = g->ngroups;
    double *stats = mkba_malloc((K * A * G * MKBA_GS_N + 1) * sizeof *stats);
    double *work = mkba_malloc((3 * g->ndraws + 1) * sizeof *work);
    if (stats == NULL || work == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing the household groups");
    if (rc == MKBA_OK) {
        mkba_groups_stats(g, t, stats, work);
        rc = mkba_h5_store_group(st, "/analysis/groups", "the MKBA per household group "
                                 "against the reference (docs/decision.md, For whom)", err);
    }
    size_t dims[4] = {K, A, G, MKBA_GS_N};
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/analysis/groups/table", 4, dims, stats, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_strings(st, "/analysis/groups/statistics", mkba_groups_statistic,
                                   MKBA_GS_N, err);
    mkba_free(stats);
    mkba_free(work);
    mkba_groups_free(g);
    return rc;
}
