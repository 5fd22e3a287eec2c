/* The model's counterpart of each observed metric (observed.h, the
 * `counterpart` column of MKBA_EXPOST_METRICS): the value of one
 * observation in one ex-ante draw, from the draw's stored results. Flows
 * (admissions, escalations, spending) sum the year's cycles; stocks
 * (waiting lists, occupancy) are read at the year's end. */
#include <math.h>
#include <string.h>
#include "expost/expost_impl.h"
#include "core/alloc.h"
#include "analysis/breakeven.h"
#include "analysis/budget.h"

/* The stored results one draw's values are read from. */
typedef struct source {
    const mkba_h5_totals *t;
    const double *occ;         /* [draw][arm][time][state], or NULL */
    size_t cpy, nstates;
    size_t state_offset[MKBA_MAX_DOMAINS];
    /* Read only when a figure needs them, else NULL: */
    const double *registered;  /* [draw][arm][cycle][domain] */
    const double *team_reached, *team_wait; /* [draw][arm][cycle][team] */
    const mkba_budget *budget; /* the budget view (budget figures) */
} source;

/* Sum over the cycles of year y of a [draw][arm][cycle][k] array. */
static double year_sum(const source *s, const double *v, size_t k, size_t nk, size_t d,
                       const mkba_observation *o)
{
    const mkba_h5_totals *t = s->t;
    double sum = 0.0;
    for (size_t c = ((size_t)o->year - 1) * s->cpy; c < (size_t)o->year * s->cpy; c++)
        sum += v[((d * t->narms + (size_t)o->arm) * t->ncycles + c) * nk + k];
    return sum;
}

/* Occupancy of states [lo, hi] of the domain at the end of year y. */
static double occupancy(const source *s, size_t d, const mkba_observation *o, int lo, int hi)
{
    const mkba_h5_totals *t = s->t;
    size_t j = (size_t)o->year * s->cpy, npoints = t->ncycles + 1;
    const double *row = s->occ + ((d * t->narms + (size_t)o->arm) * npoints + j) * s->nstates
                        + s->state_offset[o->domain];
    double sum = 0.0;
    for (int st = lo; st <= hi; st++)
        sum += row[st];
    return sum;
}

/* The model value of o in draw d, per household (counts) or in the
 * metric's unit. */
static double value(const source *s, const mkba_model *m, size_t d, const mkba_observation *o)
{
    const mkba_h5_totals *t = s->t;
    const double *const *sv = (const double *const *)t->service;
    size_t last = (size_t)o->year * s->cpy - 1;
    switch (o->metric) {
    case MKBA_METRIC_REACHED:
        return year_sum(s, sv[MKBA_H5_SVC_REACHED], 0, 1, d, o);
    case MKBA_METRIC_REGISTERED: {
        /* One definition: requests reaching an intake plus the problems
         * found there, of the domain or summed over the domains. */
        if (o->domain >= 0)
            return year_sum(s, s->registered, (size_t)o->domain, t->ndomains, d, o);
        double sum = 0.0;
        for (size_t dm = 0; dm < t->ndomains; dm++)
            sum += year_sum(s, s->registered, dm, t->ndomains, d, o);
        return sum;
    }
    case MKBA_METRIC_WAITING:
        if (o->team < 0)
            return sv[MKBA_H5_SVC_QUEUE][(d * t->narms + (size_t)o->arm) * t->ncycles + last];
        return t->team_queue[((d * t->narms + (size_t)o->arm) * t->ncycles + last) * t->nteams
                             + (size_t)o->team];
    case MKBA_METRIC_MEAN_WAIT: {
        double waited = 0.0, admitted = 0.0;
        for (size_t c = last + 1 - s->cpy; c <= last; c++) {
            size_t i = (d * t->narms + (size_t)o->arm) * t->ncycles + c;
            size_t it = i * t->nteams + (size_t)o->team;
            double r = o->team < 0 ? sv[MKBA_H5_SVC_REACHED][i] : s->team_reached[it];
            double w = o->team < 0 ? sv[MKBA_H5_SVC_MEAN_WAIT][i] : s->team_wait[it];
            if (r > 0 && !isnan(w)) {
                waited += r * w;
                admitted += r;
            }
        }
        return admitted > 0 ? waited / admitted : NAN;
    }
    case MKBA_METRIC_ESCALATIONS:
        return year_sum(s, t->escalations, (size_t)o->domain, t->ndomains, d, o);
    case MKBA_METRIC_IN_STATE:
        return occupancy(s, d, o, o->state_lo, o->state_hi);
    case MKBA_METRIC_WITH_PROBLEM:
        return occupancy(s, d, o, 1, m->domain[o->domain].nstates - 1);
    case MKBA_METRIC_SPENDING:
        return year_sum(s, t->cost_undisc, (size_t)o->payer, t->npayers, d, o);
    case MKBA_METRIC_BUDGET: {
        /* The budget view's allocation: the line's payers' nominal money. */
        const mkba_budget *b = s->budget;
        const double *money = b->money + (size_t)MKBA_BUDGET_NOMINAL * b->ndraws * b->narms
                                             * b->npayers * b->nyears;
        double sum = 0.0;
        for (size_t p = 0; p < b->npayers; p++)
            if (o->payers[p])
                sum += money[((d * b->narms + (size_t)o->arm) * b->npayers + p) * b->nyears
                             + (size_t)o->year - 1];
        return sum;
    }
    case MKBA_METRIC_N:
        break;
    }
    return NAN;
}

/* The /draws dataset `name` of the file at path, [draw][arm][n2][n3], into
 * a new array (mkba_free), or NULL with err set; `why` says which figures
 * need it when the file has none (written before it existed). */
static double *read_draws(const char *path, const mkba_h5_totals *t, const char *name,
                          size_t n2, size_t n3, const char *why, mkba_error *err)
{
    size_t dims[4] = { t->ndraws, t->narms, n2, n3 };
    size_t count = dims[0] * dims[1] * n2 * n3;
    double *v = mkba_malloc((count > 0 ? count : 1) * sizeof *v);
    if (v == NULL) {
        mkba_error_set(err, MKBA_ENOMEM, "out of memory for %s of %zu draws", name, t->ndraws);
        return NULL;
    }
    mkba_h5_store *st = mkba_h5_store_open(path, 0, err);
    int rc = st == NULL ? (int)(err != NULL ? err->code : MKBA_EIO)
             : !mkba_h5_store_has(st, name)
                 ? (int)mkba_error_set(err, MKBA_EINVAL, "%s has no %s, which %s need; run "
                                       "the PSA again with this version of mkba", path, name,
                                       why)
                 : mkba_h5_store_read_doubles(st, name, 4, dims, v, err);
    int rc2 = mkba_h5_store_close(st, NULL);
    if (rc == MKBA_OK && rc2 != MKBA_OK)
        rc = mkba_error_set(err, MKBA_EIO, "cannot read %s", path);
    if (rc != MKBA_OK) {
        mkba_free(v);
        return NULL;
    }
    return v;
}

/* The budget view of the file at path into *out, or an error when it has
 * none (a run without a population block) or puts a payer on another fund
 * or taakveld than the scenario m (the budget_lines edited after the PSA:
 * the output would name lines the stored view does not have). */
static int read_budget(const char *path, const mkba_h5_totals *t, const mkba_model *m,
                       mkba_budget **out, mkba_error *err)
{
    mkba_h5_store *st = mkba_h5_store_open(path, 0, err);
    if (st == NULL)
        return err != NULL ? err->code : MKBA_EIO;
    int rc = mkba_budget_read(st, t, out, err);
    if (rc == MKBA_OK && *out == NULL)
        rc = mkba_error_set(err, MKBA_EINVAL, "%s has no budget view (/draws/budget), which "
                            "budget figures need: run a scenario with a population block "
                            "(docs/budget.md)", path);
    for (size_t p = 0; rc == MKBA_OK && p < m->npayers && p < (*out)->npayers; p++) {
        const char *const kind[2] = { "fund", "taakveld" };
        const char *const file[2] = { (*out)->fund[p], (*out)->taakveld[p] };
        const char *const want[2] = { m->population.fund[p], m->population.taakveld[p] };
        for (int k = 0; rc == MKBA_OK && k < 2; k++)
            if (strcmp(file[k] != NULL ? file[k] : "", want[k] != NULL ? want[k] : "") != 0)
                rc = mkba_error_set(err, MKBA_EINVAL, "%s puts %s on the %s '%s', the "
                                    "scenario on '%s': run the PSA again with these "
                                    "budget_lines or restore them", path, m->payer[p],
                                    kind[k], file[k] != NULL ? file[k] : "",
                                    want[k] != NULL ? want[k] : "");
    }
    int rc2 = mkba_h5_store_close(st, NULL);
    if (rc == MKBA_OK && rc2 != MKBA_OK)
        rc = mkba_error_set(err, MKBA_EIO, "cannot read %s", path);
    if (rc != MKBA_OK) {
        mkba_budget_free(*out);
        *out = NULL;
    }
    return rc;
}

double *mkba_expost_model_values(const char *path, const mkba_h5_totals *t,
                                 const mkba_model *m, const mkba_observed *obs,
                                 mkba_error *err)
{
    source s = { t, NULL, 0, 0, { 0 }, NULL, NULL, NULL, NULL };
    if (mkba_cycles_per_year(t->cycle_years, &s.cpy, err) != MKBA_OK)
        return NULL;
    int need_occ = 0, need_svc = 0, need_registered = 0, need_team_wait = 0, need_budget = 0;
    for (size_t i = 0; i < obs->n; i++) {
        const mkba_observation *o = &obs->obs[i];
        mkba_expost_metric k = o->metric;
        need_occ |= k == MKBA_METRIC_IN_STATE || k == MKBA_METRIC_WITH_PROBLEM;
        need_svc |= mkba_expost_metrics[k].services;
        need_registered |= k == MKBA_METRIC_REGISTERED;
        need_team_wait |= k == MKBA_METRIC_MEAN_WAIT && o->team >= 0;
        need_budget |= k == MKBA_METRIC_BUDGET;
    }
    if (need_svc && (!t->services || t->team_queue == NULL)) {
        mkba_error_set(err, MKBA_EINVAL, "%s has no service outputs (/draws/services); the "
                       "observed metrics need them", path);
        return NULL;
    }
    for (size_t dm = 0; dm < m->ndomains; dm++) {
        s.state_offset[dm] = s.nstates;
        s.nstates += (size_t)m->domain[dm].nstates;
    }
    size_t nd = t->ndraws;
    double *occ = NULL, *registered = NULL, *team_reached = NULL, *team_wait = NULL;
    int failed = 0;
    if (need_occ)
        failed |= (s.occ = occ = read_draws(path, t, "/draws/occupancy", t->ncycles + 1,
                                            s.nstates, "in_state and with_problem figures",
                                            err)) == NULL;
    if (!failed && need_registered)
        failed |= (s.registered = registered =
                       read_draws(path, t, "/draws/services/registered", t->ncycles,
                                  t->ndomains, "registered_problems figures",
                                  err)) == NULL;
    if (!failed && need_team_wait)
        failed |= (s.team_reached = team_reached =
                       read_draws(path, t, "/draws/services/team_reached", t->ncycles,
                                  t->nteams, "mean_wait figures of a team", err)) == NULL
                  || (s.team_wait = team_wait =
                          read_draws(path, t, "/draws/services/team_mean_wait", t->ncycles,
                                     t->nteams, "mean_wait figures of a team", err)) == NULL;
    mkba_budget *budget = NULL;
    if (!failed && need_budget)
        failed |= read_budget(path, t, m, &budget, err) != MKBA_OK;
    s.budget = budget;
    double *mu = NULL;
    if (!failed && (mu = mkba_malloc((obs->n * nd > 0 ? obs->n * nd : 1) * sizeof *mu)) == NULL)
        mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    for (size_t i = 0; mu != NULL && i < obs->n; i++) {
        const mkba_observation *o = &obs->obs[i];
        double scale = mkba_expost_metrics[o->metric].likelihood == MKBA_LIK_NORMAL ? 1.0
                                                                                 : 1000.0;
        for (size_t d = 0; d < nd; d++)
            mu[i * nd + d] = scale * value(&s, m, d, o);
    }
    mkba_free(occ);
    mkba_free(registered);
    mkba_free(team_reached);
    mkba_free(team_wait);
    mkba_budget_free(budget);
    return mu;
}

/* The /draws datasets observation o needs besides the totals (up to 2,
 * NULL-terminated), and which figures those are; NULL when none. */
static const char *const *needed(const mkba_observation *o, const char **why)
{
    static const char *const occupancy[] = { "/draws/occupancy", NULL };
    static const char *const registered[] = { "/draws/services/registered", NULL };
    static const char *const team_wait[] = { "/draws/services/team_reached",
                                             "/draws/services/team_mean_wait", NULL };
    static const char *const team_reached[] = { "/draws/services/team_reached", NULL };
    static const char *const noise[] = { MKBA_EXPOST_NOISE_DATASET, NULL };
    static const char *const budget[] = { "/draws/budget/cost", MKBA_EXPOST_NOISE_DATASET,
                                          NULL };
    switch (o->metric) {
    case MKBA_METRIC_IN_STATE:
    case MKBA_METRIC_WITH_PROBLEM:
        *why = "in_state and with_problem figures";
        return occupancy;
    case MKBA_METRIC_REGISTERED:
        *why = "registered_problems figures";
        return registered;
    case MKBA_METRIC_MEAN_WAIT:
        *why = "mean_wait figures of a team";
        return o->team >= 0 ? team_wait : NULL;
    case MKBA_METRIC_WAITING:
        *why = "waiting_list figures of a team given with se (their queue's noise)";
        return o->team >= 0 && o->likelihood == MKBA_LIK_NORMAL ? team_reached : NULL;
    case MKBA_METRIC_SPENDING:
        *why = "spending figures (their likelihood adds the model's Monte Carlo noise)";
        return o->likelihood == MKBA_LIK_NORMAL ? noise : NULL;
    case MKBA_METRIC_BUDGET:
        *why = "budget figures (the budget view, and the model's Monte Carlo noise)";
        return budget;
    default:
        return NULL;
    }
}

int mkba_expost_check_datasets(const char *file, const mkba_observed *obs, mkba_error *err)
{
    mkba_h5_store *st = mkba_h5_store_open(file, 0, err);
    if (st == NULL)
        return err != NULL ? err->code : MKBA_EIO;
    int rc = MKBA_OK;
    for (size_t i = 0; rc == MKBA_OK && i < obs->n; i++) {
        const mkba_observation *o = &obs->obs[i];
        const char *why = NULL;
        const char *const *name = needed(o, &why);
        for (; rc == MKBA_OK && name != NULL && *name != NULL; name++)
            if (!mkba_h5_store_has(st, *name))
                rc = mkba_error_set(err, MKBA_EINVAL, "--from %s has no %s, which %s need "
                                    "(%s:%d, %s); run the PSA again with this version of mkba",
                                    file, *name, why, obs->file, o->line, o->label);
    }
    mkba_h5_store_close(st, NULL);
    return rc;
}

/* kappa of observation o: the draws' squared year-to-date Monte Carlo
 * errors of the cost of the payers o reads at the year's last cycle
 * (mcse, [draw][arm][cycle][payer]) as a share of their squared spending
 * (undiscounted, per household, summed over the year's cycles), pooled:
 * sum MCSE_d^2 / sum mu_d^2 over the draws with both (docs/expost.md,
 * "The likelihood of a spending figure"); 0 when none. A budget line of
 * several payers takes the sum of their errors as the error of their sum,
 * its upper bound (Cauchy-Schwarz: their batch means are correlated, and
 * the file keeps no batch values per payer and cycle to say how much). */
static double noise_share(const mkba_h5_totals *t, size_t cpy, const double *mcse,
                          const mkba_observation *o)
{
    size_t first = ((size_t)o->year - 1) * cpy, last = (size_t)o->year * cpy - 1;
    double var = 0.0, square = 0.0;
    for (size_t d = 0; d < t->ndraws; d++) {
        size_t row = (d * t->narms + (size_t)o->arm) * t->ncycles;
        double e = 0.0, mu = 0.0;
        for (size_t p = 0; p < t->npayers; p++) {
            if (!mkba_observation_reads_payer(o, p))
                continue;
            e += mcse[(row + last) * t->npayers + p];
            for (size_t c = first; c <= last; c++)
                mu += t->cost_undisc[(row + c) * t->npayers + p];
        }
        if (isfinite(e) && isfinite(mu)) {
            var += e * e;
            square += mu * mu;
        }
    }
    return square > 0 ? var / square : 0.0;
}

/* The variance of sum_{j = lo}^{hi} q_j for a queue q (per household,
 * [cycle] rows of stride `stride`, admissions r likewise) modelled as a
 * driftless random walk while it stays positive: the step of cycle m has
 * the variance of a Poisson count of the cycle's net arrivals (arrivals
 * less withdrawals), a_m / H with a_m = r_m + q_m - q_{m-1} (q_{-1} = 0),
 * and a cycle whose queue is empty forgets every earlier step. So the
 * variance is sum_m (a_m / H) c_m^2, c_m the j in [lo, hi] whose q_j still
 * carries step m: j >= m and before the first empty cycle after m. The
 * walk has no restoring drift and leaves out the noise of departures from
 * care (the free places); docs/expost.md says where it errs and by how
 * much. */
static double walk_variance(const double *q, const double *r, size_t stride, size_t lo,
                            size_t hi, double h)
{
    double var = 0.0;
    size_t empty = hi + 1;    /* the first cycle after m with an empty queue, or hi + 1 */
    for (size_t m = hi + 1; m-- > 0;) {
        if (!(q[m * stride] > 0)) {
            empty = m;
            continue;
        }
        size_t from = lo > m ? lo : m, to = empty - 1;
        if (to < from)
            continue;
        double before = m > 0 ? q[(m - 1) * stride] : 0.0;
        double arrived = fmax(r[m * stride] + q[m * stride] - before, 0.0);
        double c = (double)(to - from + 1);
        var += arrived / h * c * c;
    }
    return var;
}

/* What a queue figure's per-draw variance reads: the queue and admissions
 * of one draw, arm and team (or all teams) from cycle 0, with their row
 * stride. */
typedef struct queue_rows {
    const double *q, *r;
    size_t stride;
} queue_rows;

static queue_rows queue_of(const mkba_h5_totals *t, const double *team_reached,
                           const mkba_observation *o, size_t d)
{
    size_t row = (d * t->narms + (size_t)o->arm) * t->ncycles;
    const double *const *sv = (const double *const *)t->service;
    if (o->team < 0)
        return (queue_rows){ sv[MKBA_H5_SVC_QUEUE] + row, sv[MKBA_H5_SVC_REACHED] + row, 1 };
    size_t at = row * t->nteams + (size_t)o->team;
    return (queue_rows){ t->team_queue + at, team_reached + at, t->nteams };
}

/* A mean wait of year y in draw d (docs/expost.md, "The model's Monte
 * Carlo noise"): by Little's law the wait cycles of the year's admissions
 * are S = sum over the year's cycles k of q_{k-1}, and the mean wait
 * dt S / R (R the year's admissions) has variance dt^2 var S / R^2. NaN
 * when the year admitted nobody. */
static double wait_variance(const mkba_h5_totals *t, size_t cpy, const double *team_reached,
                            const mkba_observation *o, size_t d)
{
    queue_rows x = queue_of(t, team_reached, o, d);
    size_t end = (size_t)o->year * cpy, first = end - cpy;
    double admitted = 0.0, h = (double)t->households;
    for (size_t k = first; k < end; k++)
        admitted += x.r[k * x.stride];
    if (!(admitted > 0) || !(h > 0))
        return NAN;
    if (end < 2)
        return 0.0; /* only q_{-1} = 0 */
    double var = walk_variance(x.q, x.r, x.stride, first > 0 ? first - 1 : 0, end - 2, h);
    return t->cycle_years * t->cycle_years * var / (admitted * admitted);
}

/* A waiting list at the end of year y in draw d, per 1000 households:
 * 10^6 times the walk's variance of the last cycle's queue. */
static double stock_variance(const mkba_h5_totals *t, size_t cpy, const double *team_reached,
                             const mkba_observation *o, size_t d)
{
    queue_rows x = queue_of(t, team_reached, o, d);
    size_t last = (size_t)o->year * cpy - 1;
    double h = (double)t->households;
    return h > 0 ? 1e6 * walk_variance(x.q, x.r, x.stride, last, last, h) : NAN;
}

/* The per-draw variance of the pooled queue rules, by MKBA_NOISE_* (NULL:
 * the rule is not pooled from per-draw variances). */
typedef double (*draw_variance_fn)(const mkba_h5_totals *t, size_t cpy,
                                   const double *team_reached, const mkba_observation *o,
                                   size_t d);
static const draw_variance_fn draw_variance[MKBA_NOISE_N] = {
    [MKBA_NOISE_QUEUE_WAIT] = wait_variance,
    [MKBA_NOISE_QUEUE_STOCK] = stock_variance,
};

/* kappa of a queue figure: sum_d V_d / sum_d mu_d^2 over the draws with
 * both, as noise_share pools the spending errors. */
static double draw_share(const mkba_h5_totals *t, size_t cpy, const double *team_reached,
                         const mkba_observation *o, const double *mu)
{
    draw_variance_fn f = draw_variance[mkba_expost_metrics[o->metric].noise];
    double var = 0.0, square = 0.0;
    for (size_t d = 0; d < t->ndraws; d++) {
        double v = f(t, cpy, team_reached, o, d);
        if (isfinite(v) && isfinite(mu[d])) {
            var += v;
            square += mu[d] * mu[d];
        }
    }
    return square > 0 ? var / square : 0.0;
}

/* n of each budget figure against the households the budget view holds
 * at the start of its year (population x /draws/budget/households, mean
 * over the draws): a figure covers the whole target group, so an empty n
 * takes that number and a given one more than 10% away from it is
 * refused (docs/expost.md, "Budget figures"). */
static int budget_households(mkba_h5_store *st, const mkba_h5_totals *t, size_t cpy,
                             double population, mkba_observed *obs, mkba_error *err)
{
    int any = 0;
    for (size_t i = 0; i < obs->n; i++)
        any |= obs->obs[i].metric == MKBA_METRIC_BUDGET;
    if (!any)
        return MKBA_OK;
    size_t dims[3] = { t->ndraws, t->narms, t->ncycles + 1 };
    double *hh = mkba_malloc((dims[0] * dims[1] * dims[2] + 1) * sizeof *hh);
    int rc = hh != NULL ? mkba_h5_store_read_doubles(st, "/draws/budget/households", 3, dims,
                                                     hh, err)
                        : (int)mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MKBA_OK && i < obs->n; i++) {
        mkba_observation *o = &obs->obs[i];
        if (o->metric != MKBA_METRIC_BUDGET || t->ndraws == 0)
            continue;
        double mean = 0.0;
        for (size_t d = 0; d < t->ndraws; d++)
            mean += hh[(d * t->narms + (size_t)o->arm) * dims[2]
                       + ((size_t)o->year - 1) * cpy] / (double)t->ndraws;
        double want = population * mean;
        if (isnan(o->n))
            o->n = o->n_lik = floor(want + 0.5);
        else if (fabs(o->n - want) > 0.1 * want)
            rc = mkba_error_set(err, MKBA_EINVAL, "%s:%d: n = %.0f households for %s, but the "
                                "scenario's budget view has %.0f at the start of that year "
                                "(the population block's households and entrants, mean over "
                                "the draws): a budget figure covers the whole target group; "
                                "leave n empty or correct the population block", obs->file,
                                o->line, o->n, o->label, want);
    }
    mkba_free(hh);
    return rc;
}

/* The spending figures' kappa from the batch errors (noise_share); other
 * observations untouched. */
static int spending_noise(const char *path, const mkba_h5_totals *t, size_t cpy,
                          mkba_observed *obs, mkba_error *err)
{
    static const char *const name = MKBA_EXPOST_NOISE_DATASET;
    mkba_h5_store *st = mkba_h5_store_open(path, 0, err);
    if (st == NULL)
        return err != NULL ? err->code : MKBA_EIO;
    /* Never se alone silently: an older file is refused (check_datasets
     * names the user's --from file first). */
    if (!mkba_h5_store_has(st, name)) {
        mkba_h5_store_close(st, NULL);
        return mkba_error_set(err, MKBA_EINVAL, "%s has no %s, which spending figures need; "
                              "run the PSA again with this version of mkba", path, name);
    }
    size_t dims[4] = { t->ndraws, t->narms, t->ncycles, t->npayers };
    size_t count = dims[0] * dims[1] * dims[2] * dims[3];
    double *mcse = mkba_malloc((count > 0 ? count : 1) * sizeof *mcse);
    int rc = mcse != NULL ? mkba_h5_store_read_doubles(st, name, 4, dims, mcse, err)
                          : (int)mkba_error_set(err, MKBA_ENOMEM, "out of memory for the "
                                                "Monte Carlo errors of %zu draws", t->ndraws);
    /* The budget view's households and entrants a year (a file without a
     * budget view has no budget figures: model_values refused them). */
    double population[2] = { 1.0, 0.0 };
    size_t two = 2;
    if (rc == MKBA_OK && mkba_h5_store_has(st, "/labels/budget_population"))
        rc = mkba_h5_store_read_doubles(st, "/labels/budget_population", 1, &two, population,
                                        err);
    if (rc == MKBA_OK)
        rc = budget_households(st, t, cpy, population[0], obs, err);
    int rc2 = mkba_h5_store_close(st, rc == MKBA_OK ? err : NULL);
    for (size_t i = 0; rc == MKBA_OK && rc2 == MKBA_OK && i < obs->n; i++) {
        mkba_observation *o = &obs->obs[i];
        if (mkba_expost_metrics[o->metric].noise != MKBA_NOISE_BATCHES
            || o->likelihood != MKBA_LIK_NORMAL)
            continue;
        o->var_share = noise_share(t, cpy, mcse, o);
        /* The errors are the closed cohort's, of its H simulated households;
         * a budget figure of year y also holds the entrants of the y - 1
         * years before, H inflow / households each (docs/budget.md), whose
         * own noise is independent: the relative variance shrinks with the
         * households ever simulated, H over H (1 + (y - 1) inflow /
         * households). Counting those who left too keeps it on the wide
         * side. */
        if (o->metric == MKBA_METRIC_BUDGET && population[0] > 0)
            o->var_share /= 1.0 + (double)(o->year - 1) * population[1] / population[0];
    }
    mkba_free(mcse);
    return rc != MKBA_OK ? rc : rc2;
}

int mkba_expost_model_noise(const char *path, const mkba_h5_totals *t, mkba_observed *obs,
                            const double *mu, mkba_error *err)
{
    int need_spending = 0, need_team = 0, need = 0;
    for (size_t i = 0; i < obs->n; i++) {
        mkba_observation *o = &obs->obs[i];
        mkba_expost_noise rule = mkba_expost_metrics[o->metric].noise;
        int normal = o->likelihood == MKBA_LIK_NORMAL;
        o->var_linear = o->var_share = 0.0;
        need |= normal;
        need_spending |= normal && rule == MKBA_NOISE_BATCHES;
        need_team |= normal && draw_variance[rule] != NULL && o->team >= 0;
    }
    size_t cpy = 0;
    if (!need || t->households <= 0)
        return MKBA_OK; /* no normal figure, or a cohort run: no household noise */
    if (mkba_cycles_per_year(t->cycle_years, &cpy, err) != MKBA_OK)
        return err != NULL ? err->code : MKBA_EINVAL;
    if (need_spending && spending_noise(path, t, cpy, obs, err) != MKBA_OK)
        return err != NULL ? err->code : MKBA_EIO;
    double *team_reached = NULL;
    if (need_team
        && (team_reached = read_draws(path, t, "/draws/services/team_reached", t->ncycles,
                                      t->nteams, "mean_wait and waiting_list figures of a team",
                                      err)) == NULL)
        return err != NULL ? err->code : MKBA_EIO;
    double h = (double)t->households;
    for (size_t i = 0; i < obs->n; i++) {
        mkba_observation *o = &obs->obs[i];
        mkba_expost_noise rule = mkba_expost_metrics[o->metric].noise;
        if (o->likelihood != MKBA_LIK_NORMAL)
            continue;
        if (rule == MKBA_NOISE_HOUSEHOLDS) {
            /* Var(1000 X / H): X ~ Poisson(H mu / 1000) gives 1000 mu / H,
             * X ~ Binomial(H, mu / 1000) gives mu (1000 - mu) / H. */
            o->var_linear = 1000.0 / h;
            if (mkba_expost_metrics[o->metric].likelihood == MKBA_LIK_BINOMIAL)
                o->var_share = -1.0 / h;
        } else if (draw_variance[rule] != NULL) {
            o->var_share = draw_share(t, cpy, team_reached, o, mu + i * t->ndraws);
        }
        /* The draw's noise at H households, plus the observed population's
         * own household variation at n when the row gives n: s^2 / n with
         * s^2 the noise at H times H. */
        double own = 1.0 + (!isnan(o->n) ? h / o->n : 0.0);
        o->var_linear *= own;
        o->var_share *= own;
    }
    mkba_free(team_reached);
    return MKBA_OK;
}
