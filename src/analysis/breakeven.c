/* Cash flows and break-even of arms against the reference. The definitions
 * (and why they are these) are in docs/decision.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "breakeven.h"
#include "core/alloc.h"
#include "analysis/summary.h"

/* A cumulative sum within this fraction of the gross flows that built it
 * counts as zero: constant flows that exactly repay an investment must
 * break even in the year they do, whatever the rounding of the sum. */
#define BREAKEVEN_RELTOL 1e-9

size_t mkba_years_of(size_t ncycles, size_t cpy)
{
    return (ncycles + cpy - 1) / cpy;
}

void mkba_years_sum(const double *x, size_t nouter, size_t ncycles,
                    size_t ninner, const int *mask, size_t cpy, double *out)
{
    size_t ny = mkba_years_of(ncycles, cpy);
    for (size_t o = 0; o < nouter; o++) {
        double *row = out + o * ny;
        for (size_t y = 0; y < ny; y++)
            row[y] = 0.0;
        for (size_t k = 0; k < ncycles; k++) {
            const double *v = x + (o * ncycles + k) * ninner;
            double sum = 0.0;
            for (size_t i = 0; i < ninner; i++)
                if (mask == NULL || mask[i])
                    sum += v[i];
            row[k / cpy] += sum;
        }
    }
}

void mkba_cashflow_free(mkba_cashflow *c)
{
    if (c == NULL)
        return;
    mkba_free(c->net_disc);
    mkba_free(c->net_undisc);
    mkba_free(c->cum_disc);
    mkba_free(c->cum_undisc);
    mkba_free(c->breakeven);
    mkba_free(c->payback);
    mkba_free(c->npv);
    mkba_free(c->investment);
    mkba_free(c->returns);
    mkba_free(c->roi);
    mkba_free(c);
}

/* Index of the first non-finite value of x[0..n), or n. */
static size_t first_nonfinite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return i;
    return n;
}

static int check_input(const mkba_cashflow_input *in, mkba_error *err)
{
    if (in == NULL || in->cost_disc == NULL || in->cost_undisc == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "cash flows: no input or no cost arrays given");
    if (in->ndraws == 0 || in->narms == 0 || in->ncycles == 0)
        return mkba_error_set(err, MKBA_EINVAL,
                              "cash flows: need at least one draw, arm and cycle "
                              "(got %zu draws, %zu arms, %zu cycles)",
                              in->ndraws, in->narms, in->ncycles);
    if (in->reference < 0 || (size_t)in->reference >= in->narms)
        return mkba_error_set(err, MKBA_EINVAL,
                              "cash flows: reference arm %d is out of range 0..%zu",
                              in->reference, in->narms - 1);
    if ((in->gain_disc == NULL) != (in->gain_undisc == NULL))
        return mkba_error_set(err, MKBA_EINVAL,
                              "cash flows: give monetary gains both discounted and "
                              "undiscounted, or neither");
    size_t cpy = 1; /* check_input has validated the cycle length */
    int rc = mkba_cycles_per_year(in->cycle_years, &cpy, err);
    if (rc != MKBA_OK)
        return rc;
    size_t ncost = in->ndraws * in->narms * in->ncycles * in->npayers;
    const double *costs[2] = { in->cost_disc, in->cost_undisc };
    for (int s = 0; s < 2; s++) {
        size_t i = first_nonfinite(costs[s], ncost);
        if (i < ncost) {
            size_t cell = i / in->npayers;
            return mkba_error_set(err, MKBA_EINVAL,
                                  "cash flows: %s cost of draw %zu, arm %zu, cycle %zu, "
                                  "payer %zu is not finite (%g)",
                                  s == 0 ? "discounted" : "undiscounted",
                                  cell / (in->narms * in->ncycles),
                                  cell / in->ncycles % in->narms, cell % in->ncycles + 1,
                                  i % in->npayers, costs[s][i]);
        }
    }
    if (in->gain_disc != NULL) {
        size_t ny = mkba_years_of(in->ncycles, cpy), ngain = in->ndraws * in->narms * ny;
        const double *gains[2] = { in->gain_disc, in->gain_undisc };
        for (int s = 0; s < 2; s++) {
            size_t i = first_nonfinite(gains[s], ngain);
            if (i < ngain)
                return mkba_error_set(err, MKBA_EINVAL,
                                      "cash flows: %s monetary gain of draw %zu, arm %zu, "
                                      "year %zu is not finite (%g)",
                                      s == 0 ? "discounted" : "undiscounted",
                                      i / (in->narms * ny), i / ny % in->narms, i % ny + 1,
                                      gains[s][i]);
        }
    }
    return MKBA_OK;
}

/* Yearly net benefits of every draw and arm against the reference: the
 * perspective's cost levels summed into years (into net), minus the
 * reference's, sign flipped, plus the gain differences. */
static void net_flows(const mkba_cashflow_input *in, const double *cost,
                      const double *gain, size_t cpy, size_t ny, double *net)
{
    size_t na = in->narms, r = (size_t)in->reference;
    mkba_years_sum(cost, in->ndraws * na, in->ncycles, in->npayers, in->payer_mask,
                   cpy, net);
    for (size_t d = 0; d < in->ndraws; d++) {
        double *row = net + d * na * ny;
        /* Subtract the reference last so that its own row, needed by all
         * arms, is changed only after every other arm used it. */
        for (size_t pass = 0; pass < 2; pass++) {
            for (size_t a = 0; a < na; a++) {
                if ((pass == 0) == (a == r))
                    continue;
                for (size_t y = 0; y < ny; y++) {
                    double dn = row[r * ny + y] - row[a * ny + y];
                    if (gain != NULL)
                        dn += gain[(d * na + a) * ny + y] - gain[(d * na + r) * ny + y];
                    row[a * ny + y] = dn;
                }
            }
        }
    }
}

/* The first year (1-based) from which cum[] stays at or above zero through
 * the last year, or MKBA_BREAKEVEN_NEVER. gross[y] is the sum of |net|
 * through year y, the scale of the rounding in cum[y]. */
static int breakeven_year(const double *cum, const double *gross, size_t ny)
{
    size_t t = ny;
    while (t > 0 && cum[t - 1] >= -BREAKEVEN_RELTOL * gross[t - 1])
        t--;
    return t == ny ? MKBA_BREAKEVEN_NEVER : (int)t + 1;
}

/* Cumulates one draw-arm row and returns its break-even year. */
static int cumulate(const double *net, double *cum, double *gross, size_t ny)
{
    double c = 0.0, g = 0.0;
    for (size_t y = 0; y < ny; y++) {
        c += net[y];
        g += fabs(net[y]);
        cum[y] = c;
        gross[y] = g;
    }
    return breakeven_year(cum, gross, ny);
}

mkba_cashflow *mkba_cashflow_alloc(const mkba_cashflow_input *in, mkba_error *err)
{
    if (check_input(in, err) != MKBA_OK)
        return NULL;
    size_t cpy = 1; /* check_input has validated the cycle length */
    mkba_cycles_per_year(in->cycle_years, &cpy, NULL);
    size_t nd = in->ndraws, na = in->narms, ny = mkba_years_of(in->ncycles, cpy);
    size_t nrow = nd * na, nflow = nrow * ny;
    mkba_cashflow *c = mkba_calloc(1, sizeof *c);
    double *gross = mkba_malloc(ny * sizeof *gross);
    if (c == NULL || gross == NULL)
        goto nomem;
    c->ndraws = nd;
    c->narms = na;
    c->nyears = ny;
    c->reference = in->reference;
    c->net_disc = mkba_malloc(nflow * sizeof *c->net_disc);
    c->net_undisc = mkba_malloc(nflow * sizeof *c->net_undisc);
    c->cum_disc = mkba_malloc(nflow * sizeof *c->cum_disc);
    c->cum_undisc = mkba_malloc(nflow * sizeof *c->cum_undisc);
    c->breakeven = mkba_malloc(nrow * sizeof *c->breakeven);
    c->payback = mkba_malloc(nrow * sizeof *c->payback);
    c->npv = mkba_malloc(nrow * sizeof *c->npv);
    c->investment = mkba_malloc(nrow * sizeof *c->investment);
    c->returns = mkba_malloc(nrow * sizeof *c->returns);
    c->roi = mkba_malloc(nrow * sizeof *c->roi);
    if (!c->net_disc || !c->net_undisc || !c->cum_disc || !c->cum_undisc || !c->breakeven
        || !c->payback || !c->npv || !c->investment || !c->returns || !c->roi)
        goto nomem;

    net_flows(in, in->cost_disc, in->gain_disc, cpy, ny, c->net_disc);
    net_flows(in, in->cost_undisc, in->gain_undisc, cpy, ny, c->net_undisc);
    for (size_t i = 0; i < nrow; i++) {
        const double *nd_row = c->net_disc + i * ny;
        c->breakeven[i] = cumulate(nd_row, c->cum_disc + i * ny, gross, ny);
        c->payback[i] = cumulate(c->net_undisc + i * ny, c->cum_undisc + i * ny, gross, ny);
        double inv = 0.0, ret = 0.0;
        for (size_t y = 0; y < ny; y++) {
            if (nd_row[y] < 0.0)
                inv -= nd_row[y];
            else
                ret += nd_row[y];
        }
        c->npv[i] = c->cum_disc[i * ny + ny - 1];
        c->investment[i] = inv;
        c->returns[i] = ret;
        if (inv > 0.0)
            c->roi[i] = (ret - inv) / inv;
        else
            c->roi[i] = ret > 0.0 ? INFINITY : NAN;
    }
    mkba_free(gross);
    return c;

nomem:
    mkba_free(gross);
    mkba_cashflow_free(c);
    mkba_error_set(err, MKBA_ENOMEM, "cash flows: out of memory for %zu draws x %zu arms "
                   "x %zu years", nd, na, ny);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int mkba_breakeven_stats_of(const int *year, size_t n, size_t stride,
                            size_t nyears, double *work, double *by_year,
                            mkba_breakeven_stats *out, mkba_error *err)
{
    if (year == NULL || work == NULL || out == NULL || n == 0 || stride == 0)
        return mkba_error_set(err, MKBA_EINVAL,
                              "break-even statistics: need years, scratch and output "
                              "for at least one draw (stride >= 1)");
    size_t never = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        int t = year[i * stride];
        if (t < 0 || (size_t)t > nyears)
            return mkba_error_set(err, MKBA_EINVAL,
                                  "break-even statistics: draw %zu has year %d, outside "
                                  "0..%zu (0 = not within the horizon)", i, t, nyears);
        if (t == MKBA_BREAKEVEN_NEVER) {
            never++;
            work[i] = INFINITY;
        } else {
            sum += (size_t)t;
            work[i] = (double)t;
        }
    }
    out->share_never = (double)never / (double)n;
    out->mean = never == n ? NAN : (double)sum / (double)(n - never);
    qsort(work, n, sizeof *work, cmp_double);
    out->median = mkba_quantile_sorted(work, n, 0.5);
    out->p05 = mkba_quantile_sorted(work, n, 0.05);
    out->p95 = mkba_quantile_sorted(work, n, 0.95);
    if (by_year != NULL) {
        /* work is sorted: count the draws at or below each year in one pass. */
        size_t i = 0;
        for (size_t t = 1; t <= nyears; t++) {
            while (i < n && work[i] <= (double)t)
                i++;
            by_year[t - 1] = (double)i / (double)n;
        }
    }
    return MKBA_OK;
}
