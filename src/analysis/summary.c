/* The decision summary: statistics over the stored PSA draws of a result
 * file. Definitions (and why they are these) are in docs/summary.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "summary.h"
#include "core/alloc.h"
#include "mkba_rows.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double mkba_quantile_sorted(const double *x, size_t n, double p)
{
    if (n == 1 || p <= 0.0)
        return x[0];
    if (p >= 1.0)
        return x[n - 1];
    double h = (double)(n - 1) * p;
    size_t j = (size_t)floor(h);
    double f = h - (double)j;
    /* Returning x[j] for f == 0 or equal neighbours keeps an infinite
     * neighbour from turning the result into inf * 0 = NaN. */
    if (f == 0.0 || j + 1 >= n || x[j] == x[j + 1])
        return x[j];
    return x[j] + f * (x[j + 1] - x[j]);
}

mkba_stat mkba_stat_of(const double *x, size_t n, double *work)
{
    mkba_stat s = { 0.0, NAN, NAN };
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    s.mean = sum / (double)n;
    if (n < 2)
        return s;
    memcpy(work, x, n * sizeof *work);
    qsort(work, n, sizeof *work, cmp_double);
    s.lo = mkba_quantile_sorted(work, n, 0.025);
    s.hi = mkba_quantile_sorted(work, n, 0.975);
    return s;
}

void mkba_summary_free(mkba_summary *s)
{
    if (s == NULL)
        return;
    mkba_free(s->cost);
    mkba_free(s->cost_payer);
    mkba_free(s->effect);
    mkba_free(s->inc_cost);
    mkba_free(s->inc_cost_payer);
    mkba_free(s->inc_effect);
    mkba_free(s->npv);
    mkba_free(s->benefits);
    mkba_free(s->costs);
    mkba_free(s->balance);
    mkba_free(s->bcr);
    mkba_free(s->icer);
    mkba_free(s->cost_category);
    mkba_free(s->inc_cost_category);
    mkba_free(s->escalation);
    mkba_free(s->domain_escalates);
    mkba_free(s->inc_escalation);
    mkba_free(s->service);
    mkba_free(s->team);
    mkba_mc_summary_free(s->mc);
    mkba_free(s);
}

/* Scratch for one pass: per-draw values of the arm and of the reference. */
typedef struct summary_work {
    double *arm, *ref, *diff, *benefit, *cost, *sort;
} summary_work;

static void work_free(summary_work *w)
{
    mkba_free(w->arm);
    mkba_free(w->ref);
    mkba_free(w->diff);
    mkba_free(w->benefit);
    mkba_free(w->cost);
    mkba_free(w->sort);
}

static int work_alloc(summary_work *w, size_t n)
{
    w->arm = mkba_malloc(n * sizeof *w->arm);
    w->ref = mkba_malloc(n * sizeof *w->ref);
    w->diff = mkba_malloc(n * sizeof *w->diff);
    w->benefit = mkba_malloc(n * sizeof *w->benefit);
    w->cost = mkba_malloc(n * sizeof *w->cost);
    w->sort = mkba_malloc(n * sizeof *w->sort);
    return w->arm && w->ref && w->diff && w->benefit && w->cost && w->sort;
}

/* Discounted cost of arm a in draw d: payer p, or all payers when p < 0. */
static double cost_of(const mkba_h5_totals *t, size_t d, size_t a, long p)
{
    const double *row = t->cost_total_disc + (d * t->narms + a) * t->npayers;
    if (p >= 0)
        return row[p];
    double sum = 0.0;
    for (size_t q = 0; q < t->npayers; q++)
        sum += row[q];
    return sum;
}

static double effect_of(const mkba_h5_totals *t, size_t d, size_t a, size_t e)
{
    return t->effect_total_disc[(d * t->narms + a) * t->neffects + e];
}

/* Fills the arm's and the reference's per-draw values of one quantity, and
 * their paired differences, then sets the arm's level and increment. */
static void level_and_increment(summary_work *w, size_t n, mkba_stat *level,
                                mkba_stat *inc)
{
    for (size_t d = 0; d < n; d++)
        w->diff[d] = w->arm[d] - w->ref[d];
    *level = mkba_stat_of(w->arm, n, w->sort);
    *inc = mkba_stat_of(w->diff, n, w->sort);
}

/* Benefits, costs, NPV and benefit-cost ratio of arm a versus the
 * reference. Benefits and costs are the MKBA table's total benefits and
 * total costs (mkba_rows_compute, the one definition), so the summary and the
 * table give the same ratio and the same balance; the NPV is society's
 * over the horizon, before optimism bias, deadweight, health value and
 * residual value (the answer's). The ratio is one of means and has no
 * per-draw interval (NAN, as in the MKBA table): the percentiles of the
 * per-draw ratio would estimate something else, and are undefined in a
 * draw whose costs are not positive. */
static void society(const mkba_h5_totals *t, mkba_summary *s, size_t a, const int *project,
                    summary_work *w)
{
    size_t n = t->ndraws, r = (size_t)t->reference;
    for (size_t d = 0; d < n; d++) {
        double v[MKBA_ROW_N];
        mkba_rows_compute(t, project, d, a, v);
        double b = v[MKBA_ROW_BENEFITS], c = v[MKBA_ROW_COSTS], npv = 0.0;
        for (size_t p = 0; p < t->npayers; p++)
            npv -= cost_of(t, d, a, (long)p) - cost_of(t, d, r, (long)p);
        for (size_t e = 0; e < t->neffects; e++)
            if (t->effect_monetary[e])
                npv += effect_of(t, d, a, e) - effect_of(t, d, r, e);
        w->benefit[d] = b;
        w->cost[d] = c;
        w->diff[d] = npv;
    }
    s->benefits[a] = mkba_stat_of(w->benefit, n, w->sort);
    s->costs[a] = mkba_stat_of(w->cost, n, w->sort);
    s->npv[a] = mkba_stat_of(w->diff, n, w->sort);
    for (size_t d = 0; d < n; d++)
        w->diff[d] = w->benefit[d] - w->cost[d];
    s->balance[a] = mkba_stat_of(w->diff, n, w->sort);

    mkba_stat bcr = { mkba_rows_bcr(s->benefits[a].mean, s->costs[a].mean), NAN, NAN };
    s->bcr[a] = bcr;
}

/* ICERs per unit of improvement: for an effect where less is better the
 * improvement is reference minus arm, so "dominant" always means cheaper
 * and better. The cost is society's net incremental cost, the payers'
 * costs less the monetary effects (production), i.e. minus the NPV for
 * society: the cost of the frontier, NMB and CEAC (analysis/decision.c),
 * so one definition of costs and benefits holds everywhere. Monetary
 * effects have no ICER, so none is both in the cost and the effect. */
static void icers(const mkba_h5_totals *t, mkba_summary *s, size_t a)
{
    for (size_t e = 0; e < t->neffects; e++) {
        mkba_icer *ic = &s->icer[a * t->neffects + e];
        const mkba_stat *de = &s->inc_effect[a * t->neffects + e];
        int lower = t->effect_lower_is_better != NULL && t->effect_lower_is_better[e];
        double gain = lower ? -de->mean : de->mean;
        double dc = -s->npv[a].mean;
        ic->value = NAN;
        ic->kind = MKBA_ICER_NONE;
        ic->effect_ci_has_zero = 0;
        if ((int)a == t->reference || t->effect_monetary[e] || gain == 0.0)
            continue;
        ic->value = dc / gain;
        if (gain > 0.0 && dc <= 0.0)
            ic->kind = MKBA_ICER_DOMINANT;
        else if (gain < 0.0 && dc >= 0.0)
            ic->kind = MKBA_ICER_DOMINATED;
        else if (gain < 0.0)
            ic->kind = MKBA_ICER_SAVING;
        else
            ic->kind = MKBA_ICER_RATIO;
        ic->effect_ci_has_zero = t->ndraws >= 2 && de->lo <= 0.0 && de->hi >= 0.0;
    }
}

/* Discounted cost of category c over the horizon, arm a, draw d. */
static double category_of(const mkba_h5_totals *t, size_t d, size_t a, size_t c)
{
    const double *v = t->cost_category_disc + (d * t->narms + a) * t->ncycles * t->ncategories;
    double sum = 0.0;
    for (size_t k = 0; k < t->ncycles; k++)
        sum += v[k * t->ncategories + c];
    return sum;
}

static void categories(const mkba_h5_totals *t, mkba_summary *s, summary_work *w)
{
    size_t n = t->ndraws, nc = t->ncategories, r = (size_t)t->reference;
    for (size_t a = 0; a < t->narms; a++)
        for (size_t c = 0; c < nc; c++) {
            for (size_t d = 0; d < n; d++) {
                w->arm[d] = category_of(t, d, a, c);
                w->ref[d] = category_of(t, d, r, c);
            }
            level_and_increment(w, n, &s->cost_category[a * nc + c],
                                &s->inc_cost_category[a * nc + c]);
        }
}

/* Splits the horizon into the periods of mkba_period. The first year is
 * the cycles starting before year 1 (at least one cycle); the tolerance
 * keeps twelve monthly cycles of 1/12 year from counting a thirteenth. */
static void periods(const mkba_h5_totals *t, mkba_summary *s)
{
    size_t T = t->ncycles, first = 1;
    if (t->cycle_years > 0.0)
        while (first < T && (double)first * t->cycle_years < 1.0 - 1e-9)
            first++;
    if (first > T)
        first = T;
    s->ncycles = T;
    s->period_first[MKBA_PERIOD_FIRST_YEAR] = 0;
    s->period_cycles[MKBA_PERIOD_FIRST_YEAR] = first;
    s->period_first[MKBA_PERIOD_MATURE] = T / 2;
    s->period_cycles[MKBA_PERIOD_MATURE] = T - T / 2;
    s->period_first[MKBA_PERIOD_OVERALL] = 0;
    s->period_cycles[MKBA_PERIOD_OVERALL] = T;
    for (int i = 0; i < MKBA_PERIOD_N; i++)
        s->period_years[i] = (double)s->period_cycles[i] * t->cycle_years;
}

/* Mean and interval of the values of x[0..n) that are not NaN; all NaN
 * when every value is. `keep` and `work` are n doubles of scratch. */
static mkba_stat stat_of_defined(const double *x, size_t n, double *keep, double *work)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            keep[m++] = x[i];
    if (m == 0)
        return (mkba_stat){ NAN, NAN, NAN };
    return mkba_stat_of(keep, m, work);
}

/* Entries into domain k's second-line states per 1000 starting
 * households per year, draw d, arm a, period p. */
static double escalation_rate(const mkba_h5_totals *t, const mkba_summary *s, size_t d,
                              size_t a, int p, size_t k)
{
    size_t nd = t->ndomains;
    const double *v = t->escalations + (d * t->narms + a) * t->ncycles * nd;
    double sum = 0.0;
    for (size_t c = s->period_first[p]; c < s->period_first[p] + s->period_cycles[p]; c++)
        sum += v[c * nd + k];
    return 1000.0 * sum / s->period_years[p];
}

/* Escalation rates per arm and period, and arm minus reference. */
static void escalations(const mkba_h5_totals *t, mkba_summary *s, summary_work *w)
{
    size_t n = t->ndraws, na = t->narms, T = t->ncycles, nd = t->ndomains;
    size_t r = (size_t)t->reference;
    for (size_t i = 0; i < n * na * T * nd; i++)
        if (t->escalations[i] != 0.0)
            s->domain_escalates[i % nd] = 1;
    for (size_t a = 0; a < na; a++)
        for (int p = 0; p < MKBA_PERIOD_N; p++)
            for (size_t k = 0; k < nd; k++) {
                for (size_t d = 0; d < n; d++) {
                    w->arm[d] = escalation_rate(t, s, d, a, p, k);
                    w->ref[d] = escalation_rate(t, s, d, r, p, k);
                }
                size_t i = (a * MKBA_PERIOD_N + (size_t)p) * nd + k;
                level_and_increment(w, n, &s->escalation[i], &s->inc_escalation[i]);
            }
}

/* The value of service array i in draw d, arm a, over the cycles of
 * period p (definitions in summary.h and docs/summary.md). */
static double service_value(const mkba_h5_totals *t, const mkba_summary *s, int i,
                            size_t d, size_t a, int p)
{
    size_t T = t->ncycles, c0 = s->period_first[p], nc = s->period_cycles[p];
    const double *v = t->service[i] + (d * t->narms + a) * T;
    double sum = 0.0, weight = 0.0;
    switch (i) {
    case MKBA_H5_SVC_MEAN_WAIT: {
        /* Each cycle's mean wait counts by the households it admitted;
         * a cycle without admissions has a NaN wait and no weight. */
        const double *reached = t->service[MKBA_H5_SVC_REACHED] + (d * t->narms + a) * T;
        for (size_t c = c0; c < c0 + nc; c++)
            if (reached[c] > 0.0 && !isnan(v[c])) {
                sum += v[c] * reached[c];
                weight += reached[c];
            }
        return weight > 0.0 ? sum / weight : NAN;
    }
    case MKBA_H5_SVC_IN_CARE:
    case MKBA_H5_SVC_QUEUE:
    case MKBA_H5_SVC_FTE_USED:
        for (size_t c = c0; c < c0 + nc; c++)
            sum += v[c];
        return (i == MKBA_H5_SVC_FTE_USED ? 1.0 : 1000.0) * sum / (double)nc;
    default:
        for (size_t c = c0; c < c0 + nc; c++)
            sum += v[c];
        return 1000.0 * sum / s->period_years[p];
    }
}

static void services(const mkba_h5_totals *t, mkba_summary *s, summary_work *w)
{
    size_t n = t->ndraws;
    for (size_t a = 0; a < t->narms; a++)
        for (int p = 0; p < MKBA_PERIOD_N; p++)
            for (int i = 0; i < MKBA_H5_NSERVICE; i++) {
                /* An array the file lacks (withdrawn, in older files)
                 * leaves NaN statistics. */
                for (size_t d = 0; d < n; d++)
                    w->arm[d] = t->service[i] != NULL ? service_value(t, s, i, d, a, p) : NAN;
                s->service[(a * MKBA_PERIOD_N + (size_t)p) * MKBA_H5_NSERVICE + (size_t)i]
                    = stat_of_defined(w->arm, n, w->ref, w->sort);
            }
}

/* The per-team means over draws (summary.h). FTE used in a cycle is the
 * team's households in care per starting household times the population
 * the teams serve, over the caseload: the staff those households take,
 * as the engine counts fte_used (summed over the arm's teams). */
static void teams(const mkba_h5_totals *t, mkba_summary *s)
{
    size_t n = t->ndraws, na = t->narms, T = t->ncycles, nt = t->nteams;
    for (size_t a = 0; a < na; a++)
        for (int p = 0; p < MKBA_PERIOD_N; p++)
            for (size_t k = 0; k < nt; k++) {
                double *out = s->team + ((a * MKBA_PERIOD_N + (size_t)p) * nt + k) * MKBA_TEAM_N;
                if (!t->arm_teams[a * nt + k]) {
                    for (int i = 0; i < MKBA_TEAM_N; i++)
                        out[i] = NAN;
                    continue;
                }
                size_t c0 = s->period_first[p], nc = s->period_cycles[p];
                double sum[MKBA_TEAM_N] = { 0 };
                for (size_t d = 0; d < n; d++) {
                    size_t da = d * na + a;
                    double care = 0.0, queue = 0.0;
                    for (size_t c = c0; c < c0 + nc; c++) {
                        care += t->team_in_care[(da * T + c) * nt + k];
                        queue += t->team_queue[(da * T + c) * nt + k];
                    }
                    care /= (double)nc;
                    queue /= (double)nc;
                    sum[MKBA_TEAM_FTE] += t->team_fte[da * nt + k];
                    sum[MKBA_TEAM_FTE_USED] += care * t->service_population[da]
                                               / t->team_caseload[da * nt + k];
                    sum[MKBA_TEAM_IN_CARE] += 1000.0 * care;
                    sum[MKBA_TEAM_QUEUE] += 1000.0 * queue;
                }
                for (int i = 0; i < MKBA_TEAM_N; i++)
                    out[i] = sum[i] / (double)n;
            }
}

mkba_summary *mkba_summary_alloc(const mkba_h5_totals *t, mkba_error *err)
{
    if (t == NULL || t->ndraws == 0 || t->narms == 0 || t->reference < 0
        || (size_t)t->reference >= t->narms) {
        mkba_error_set(err, MKBA_EINVAL,
                       "summary: the result holds no draws or arms, or its reference arm "
                       "index is out of range; is the file complete?");
        return NULL;
    }
    size_t n = t->ndraws, na = t->narms, np = t->npayers, ne = t->neffects;
    size_t r = (size_t)t->reference;
    mkba_summary *s = mkba_calloc(1, sizeof *s);
    summary_work w = { 0 };
    int *project = NULL;
    if (s == NULL)
        goto nomem;
    s->ndraws = n;
    s->narms = na;
    s->npayers = np;
    s->neffects = ne;
    s->reference = t->reference;
    /* mkba_calloc(0, ...) may return NULL; ask for at least one element. */
    size_t nap = na * np > 0 ? na * np : 1, nae = na * ne > 0 ? na * ne : 1;
    s->cost = mkba_calloc(na, sizeof *s->cost);
    s->inc_cost = mkba_calloc(na, sizeof *s->inc_cost);
    s->cost_payer = mkba_calloc(nap, sizeof *s->cost_payer);
    s->inc_cost_payer = mkba_calloc(nap, sizeof *s->inc_cost_payer);
    s->effect = mkba_calloc(nae, sizeof *s->effect);
    s->inc_effect = mkba_calloc(nae, sizeof *s->inc_effect);
    s->npv = mkba_calloc(na, sizeof *s->npv);
    s->benefits = mkba_calloc(na, sizeof *s->benefits);
    s->costs = mkba_calloc(na, sizeof *s->costs);
    s->balance = mkba_calloc(na, sizeof *s->balance);
    s->bcr = mkba_calloc(na, sizeof *s->bcr);
    s->icer = mkba_calloc(nae, sizeof *s->icer);
    if (!s->cost || !s->inc_cost || !s->cost_payer || !s->inc_cost_payer || !s->effect
        || !s->inc_effect || !s->npv || !s->benefits || !s->costs || !s->balance || !s->bcr
        || !s->icer
        || !work_alloc(&w, n))
        goto nomem;
    project = mkba_calloc(t->ncategories > 0 ? t->ncategories : 1, sizeof *project);
    if (project == NULL)
        goto nomem;
    mkba_rows_project_mask(t, project);

    for (size_t a = 0; a < na; a++) {
        for (size_t d = 0; d < n; d++) {
            w.arm[d] = cost_of(t, d, a, -1);
            w.ref[d] = cost_of(t, d, r, -1);
        }
        level_and_increment(&w, n, &s->cost[a], &s->inc_cost[a]);
        for (size_t p = 0; p < np; p++) {
            for (size_t d = 0; d < n; d++) {
                w.arm[d] = cost_of(t, d, a, (long)p);
                w.ref[d] = cost_of(t, d, r, (long)p);
            }
            level_and_increment(&w, n, &s->cost_payer[a * np + p],
                                &s->inc_cost_payer[a * np + p]);
        }
        for (size_t e = 0; e < ne; e++) {
            for (size_t d = 0; d < n; d++) {
                w.arm[d] = effect_of(t, d, a, e);
                w.ref[d] = effect_of(t, d, r, e);
            }
            level_and_increment(&w, n, &s->effect[a * ne + e], &s->inc_effect[a * ne + e]);
        }
        society(t, s, a, project, &w);
        icers(t, s, a);
    }

    mkba_free(project);
    project = NULL;
    if (mkba_mc_summary_alloc(t, &s->mc, err) != MKBA_OK) {
        work_free(&w);
        mkba_summary_free(s);
        return NULL;
    }
    periods(t, s);
    if (t->cost_category_disc != NULL && t->ncategories > 0) {
        size_t nc = t->ncategories;
        s->ncategories = nc;
        s->cost_category = mkba_calloc(na * nc, sizeof *s->cost_category);
        s->inc_cost_category = mkba_calloc(na * nc, sizeof *s->inc_cost_category);
        if (!s->cost_category || !s->inc_cost_category)
            goto nomem;
        categories(t, s, &w);
    }
    /* The rates need a period of positive length. */
    int timed = t->ncycles > 0 && t->cycle_years > 0.0;
    if (timed && t->escalations != NULL && t->ndomains > 0) {
        size_t nd = t->ndomains;
        s->ndomains = nd;
        s->escalation = mkba_calloc(na * MKBA_PERIOD_N * nd, sizeof *s->escalation);
        s->domain_escalates = mkba_calloc(nd, sizeof *s->domain_escalates);
        s->inc_escalation = mkba_calloc(na * MKBA_PERIOD_N * nd, sizeof *s->inc_escalation);
        if (!s->escalation || !s->domain_escalates || !s->inc_escalation)
            goto nomem;
        escalations(t, s, &w);
    }
    int have_services = timed && t->services;
    for (int i = 0; have_services && i < MKBA_H5_NSERVICE; i++)
        have_services = t->service[i] != NULL || i == MKBA_H5_SVC_WITHDRAWN;
    if (have_services) {
        s->services = 1;
        s->service = mkba_calloc(na * MKBA_PERIOD_N * MKBA_H5_NSERVICE, sizeof *s->service);
        if (s->service == NULL)
            goto nomem;
        services(t, s, &w);
    }
    if (have_services && t->nteams > 0 && t->team_in_care != NULL && t->team_queue != NULL
        && t->arm_teams != NULL && t->team_fte != NULL && t->team_caseload != NULL
        && t->service_population != NULL) {
        size_t nt = t->nteams;
        s->nteams = nt;
        s->team = mkba_calloc(na * MKBA_PERIOD_N * nt * MKBA_TEAM_N, sizeof *s->team);
        if (s->team == NULL)
            goto nomem;
        teams(t, s);
    }
    work_free(&w);
    return s;

nomem:
    work_free(&w);
    mkba_free(project);
    mkba_summary_free(s);
    mkba_error_set(err, MKBA_ENOMEM, "summary: out of memory for %zu draws", n);
    return NULL;
}
