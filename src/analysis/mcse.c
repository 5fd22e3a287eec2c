/* Monte Carlo standard errors by batch means (mcse.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "analysis/mcse.h"
#include "core/alloc.h"

double mkba_mcse_noise_share(const double *value, const double *mcse, size_t ndraws)
{
    if (ndraws < 2)
        return NAN;
    double mean = 0.0, noise = 0.0;
    for (size_t d = 0; d < ndraws; d++) {
        mean += value[d];
        noise += mcse[d] * mcse[d];
    }
    mean /= (double)ndraws;
    double var = 0.0, scale = 0.0;
    for (size_t d = 0; d < ndraws; d++) {
        var += (value[d] - mean) * (value[d] - mean);
        scale = fmax(scale, fabs(value[d]));
    }
    var /= (double)(ndraws - 1);
    /* Equal values (a mean the draws do not move, e.g. the reference arm
     * of a points design on common random numbers) leave a variance of
     * rounding only: no share to report. */
    double floor = 1e-12 * scale;
    return var > floor * floor && isfinite(noise) ? noise / (double)ndraws / var : NAN;
}

double mkba_mcse_rms(const double *mcse, size_t n)
{
    if (n == 0)
        return NAN;
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += mcse[i] * mcse[i];
    return sqrt(s / (double)n);
}

/* The MCSE of entry i of a [batch][n] array, over the used batches. */
static double entry_mcse(const double *batch, const double *households, size_t nb, size_t n,
                         size_t i, double *f)
{
    for (size_t b = 0; b < nb; b++)
        f[b] = batch[b * n + i];
    return mkba_mcse_batches(f, households, nb);
}

void mkba_mcse_record(mkba_draw_result *r, int cohort)
{
    const size_t A = r->narms, P = r->npayers, E = r->neffects;
    size_t nb = 0;
    while (nb < r->nbatches && r->batch_households[nb] > 0.0)
        nb++;
    double f[MKBA_RESULT_BATCHES];
    for (size_t i = 0; i < A * P; i++)
        r->mcse_cost_total_disc[i] = cohort ? 0.0
            : entry_mcse(r->batch_cost_total_disc, r->batch_households, nb, A * P, i, f);
    for (size_t i = 0; i < A * E; i++)
        r->mcse_effect_total_disc[i] = cohort ? 0.0
            : entry_mcse(r->batch_effect_total_disc, r->batch_households, nb, A * E, i, f);
    /* The year-to-date costs' errors come from the engine, which alone
     * sees each batch's cycles; the cohort trace has none. */
    if (cohort)
        memset(r->mcse_cost_ytd, 0, A * r->ncycles * P * sizeof *r->mcse_cost_ytd);
}

void mkba_mc_summary_free(mkba_mc_summary *s)
{
    if (s == NULL)
        return;
    mkba_free(s->cost);
    mkba_free(s->inc_cost);
    mkba_free(s->npv);
    mkba_free(s->effect);
    mkba_free(s->inc_effect);
    mkba_free(s);
}

/* The quantities per arm, in this order, then 2 per effect. */
enum { Q_COST, Q_INC_COST, Q_NPV, Q_FIXED };

/* Batch b's value of every quantity of arm a in draw d into q[Q_FIXED + 2E]. */
static void batch_values(const mkba_h5_totals *t, size_t d, size_t b, size_t a, double *q)
{
    const size_t A = t->narms, P = t->npayers, E = t->neffects, B = t->nbatches;
    const size_t r = (size_t)t->reference;
    const double *c = t->batch_cost_total_disc + (d * B + b) * A * P;
    const double *e = t->batch_effect_total_disc + (d * B + b) * A * E;
    double ca = 0.0, cr = 0.0, money = 0.0;
    for (size_t p = 0; p < P; p++) {
        ca += c[a * P + p];
        cr += c[r * P + p];
    }
    for (size_t k = 0; k < E; k++) {
        q[Q_FIXED + 2 * k] = e[a * E + k];
        q[Q_FIXED + 2 * k + 1] = e[a * E + k] - e[r * E + k];
        if (t->effect_monetary[k])
            money += e[a * E + k] - e[r * E + k];
    }
    q[Q_COST] = ca;
    q[Q_INC_COST] = ca - cr;
    q[Q_NPV] = money - (ca - cr);
}

int mkba_mc_summary_alloc(const mkba_h5_totals *t, mkba_mc_summary **out, mkba_error *err)
{
    *out = NULL;
    if (t->nbatches == 0 || t->batch_households == NULL)
        return MKBA_OK;
    const size_t A = t->narms, E = t->neffects, B = t->nbatches, D = t->ndraws;
    const size_t nq = Q_FIXED + 2 * E;
    /* A cohort file's batches are all empty: no household noise. */
    int any = 0;
    for (size_t i = 0; i < D * B; i++)
        any |= t->batch_households[i] > 0.0;
    if (!any)
        return MKBA_OK;
    mkba_mc_summary *s = mkba_calloc(1, sizeof *s);
    double *f = mkba_malloc((B * nq + 1) * sizeof *f);
    double *fb = mkba_malloc((B + 1) * sizeof *fb);
    double *val = mkba_malloc((D * nq + 1) * sizeof *val);
    double *se = mkba_malloc((D * nq + 1) * sizeof *se);
    if (s != NULL) {
        s->narms = A;
        s->neffects = E;
        s->cost = mkba_calloc(A, sizeof *s->cost);
        s->inc_cost = mkba_calloc(A, sizeof *s->inc_cost);
        s->npv = mkba_calloc(A, sizeof *s->npv);
        s->effect = mkba_calloc(A * E + 1, sizeof *s->effect);
        s->inc_effect = mkba_calloc(A * E + 1, sizeof *s->inc_effect);
    }
    int ok = s && f && fb && val && se && s->cost && s->inc_cost && s->npv && s->effect
             && s->inc_effect;
    for (size_t a = 0; ok && a < A; a++) {
        /* val and se are [quantity][draw]: the draw's mean (the
         * households-weighted batch mean) and its MCSE. The used batches
         * are a prefix; the others have no households and NaN values. */
        for (size_t d = 0; d < D; d++) {
            const double *n = t->batch_households + d * B;
            size_t used = 0;
            double H = 0.0;
            while (used < B && n[used] > 0.0)
                H += n[used++];
            for (size_t b = 0; b < used; b++)
                batch_values(t, d, b, a, f + b * nq);
            for (size_t q = 0; q < nq; q++) {
                double m = 0.0;
                for (size_t b = 0; b < used; b++) {
                    fb[b] = f[b * nq + q];
                    m += n[b] / H * fb[b];
                }
                val[q * D + d] = m;
                se[q * D + d] = mkba_mcse_batches(fb, n, used);
            }
        }
        for (size_t q = 0; q < nq; q++) {
            mkba_mc_error r = { mkba_mcse_rms(se + q * D, D),
                                mkba_mcse_noise_share(val + q * D, se + q * D, D) };
            if (q == Q_COST)
                s->cost[a] = r;
            else if (q == Q_INC_COST)
                s->inc_cost[a] = r;
            else if (q == Q_NPV)
                s->npv[a] = r;
            else if ((q - Q_FIXED) % 2 == 0)
                s->effect[a * E + (q - Q_FIXED) / 2] = r;
            else
                s->inc_effect[a * E + (q - Q_FIXED) / 2] = r;
        }
    }
    mkba_free(f);
    mkba_free(fb);
    mkba_free(val);
    mkba_free(se);
    if (!ok) {
        mkba_mc_summary_free(s);
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the Monte Carlo errors");
    }
    *out = s;
    return MKBA_OK;
}
