/* PRIM scenario discovery (analysis/prim.h), against answers computed
 * here independently of prim.c:
 * - a planted box (y = 1 exactly where x1 < 0.3 and x2 > 0.6, 5% of the
 *   labels flipped, two inert inputs): the final box's edges lie within
 *   0.05 of 0.3 and 0.6 and the inert inputs end unrestricted;
 * - every box's counts, coverage, density and mass by a direct count over
 *   the data, and every quasi-p-value by a binomial tail summed here with
 *   lgamma;
 * - the greedy rule: each step's density is the highest of all candidate
 *   peels of the step before, found by sorting the box's values (density
 *   need not rise along the trajectory, since the best peel may still
 *   lower it; mass must fall, by at least one draw per step);
 * - the F rule choosing the box, pasting, discrete inputs, the trivial
 *   cases, every error message, allocation failures and the speed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <gsl/gsl_rng.h>
#include "analysis/prim.h"
#include "core/alloc.h"

/* Uniform x[n][p] on [0, 1]; y = 1 inside x0 < 0.3 and x1 > 0.6, each
 * label flipped with probability noise. */
static void planted(size_t n, size_t p, double noise, unsigned long seed, double *x, double *y)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, seed);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < p; j++)
            x[i * p + j] = gsl_rng_uniform(g);
        int in = x[i * p] < 0.3 && x[i * p + 1] > 0.6;
        y[i] = (gsl_rng_uniform(g) < noise) ? !in : in;
    }
    gsl_rng_free(g);
}

static int inside(const double *xi, size_t p, const double *lo, const double *hi)
{
    for (size_t j = 0; j < p; j++)
        if (xi[j] < lo[j] || xi[j] > hi[j])
            return 0;
    return 1;
}

/* Draws and positives in [lo, hi], input `skip` ignored (skip = p: none). */
static void count_box(const double *x, const double *y, size_t n, size_t p, const double *lo,
                      const double *hi, size_t skip, size_t *t, size_t *h)
{
    *t = *h = 0;
    for (size_t i = 0; i < n; i++) {
        int in = 1;
        for (size_t j = 0; j < p && in; j++)
            if (j != skip && (x[i * p + j] < lo[j] || x[i * p + j] > hi[j]))
                in = 0;
        if (in) {
            (*t)++;
            *h += y[i] == 1.0;
        }
    }
}

/* P(X >= k), X ~ Binomial(m, d), summed term by term in logs. */
static double tail(size_t k, size_t m, double d)
{
    if (k == 0)
        return 1.0;
    if (d >= 1.0)
        return 1.0;
    double s = 0.0;
    for (size_t q = k; q <= m; q++)
        s += exp(lgamma((double)m + 1) - lgamma((double)q + 1) - lgamma((double)(m - q) + 1)
                 + (double)q * log(d) + (double)(m - q) * log1p(-d));
    return s;
}

static void assert_close(double got, double want, double rel, const char *what)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("%s: got %.17g, want %.17g", what, got, want);
}

/* b's statistics and p-values against a direct count over the data. */
static void check_box(const mkba_prim *r, const mkba_prim_box *b, const double *x,
                      const double *y)
{
    const size_t n = r->n, p = r->p;
    size_t t, h, tj, hj, npos = 0;
    for (size_t i = 0; i < n; i++)
        npos += y[i] == 1.0;
    assert_int_equal(r->npositive, npos);
    count_box(x, y, n, p, b->lo, b->hi, p, &t, &h);
    assert_int_equal(b->count, t);
    assert_int_equal(b->positives, h);
    assert_close(b->coverage, (double)h / (double)npos, 1e-15, "coverage");
    assert_close(b->density, (double)h / (double)t, 1e-15, "density");
    assert_close(b->mass, (double)t / (double)n, 1e-15, "mass");
    for (size_t j = 0; j < p; j++) {
        unsigned want = (b->lo[j] > r->xmin[j] ? MKBA_PRIM_LOWER : 0u)
                        | (b->hi[j] < r->xmax[j] ? MKBA_PRIM_UPPER : 0u);
        assert_int_equal(b->restricted[j], want);
        assert_true(b->lo[j] >= r->xmin[j] && b->hi[j] <= r->xmax[j]);
        if (!want) {
            assert_true(isnan(b->p_value[j]));
            continue;
        }
        count_box(x, y, n, p, b->lo, b->hi, j, &tj, &hj);
        assert_close(b->p_value[j], tail(h, t, (double)hj / (double)tj), 1e-8, "quasi-p-value");
    }
}

/* The trajectory: step 0 is the whole data; each step's numbers match a
 * direct count; mass falls by at least one draw per step and the last
 * step keeps min_mass; bounds only tighten. */
static void check_trajectory(const mkba_prim *r, const double *x, const double *y,
                             double min_mass)
{
    const size_t n = r->n, p = r->p;
    assert_true(r->nsteps >= 1);
    for (size_t j = 0; j < p; j++) {
        assert_true(r->lo[j] == r->xmin[j] && r->hi[j] == r->xmax[j]);
        assert_int_equal(r->restricted[j], 0);
        double mn = INFINITY, mx = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            mn = fmin(mn, x[i * p + j]);
            mx = fmax(mx, x[i * p + j]);
        }
        assert_true(r->xmin[j] == mn && r->xmax[j] == mx);
    }
    size_t prev = n + 1;
    for (size_t s = 0; s < r->nsteps; s++) {
        const double *lo = r->lo + s * p, *hi = r->hi + s * p;
        size_t t, h;
        count_box(x, y, n, p, lo, hi, p, &t, &h);
        assert_true(t < prev);
        assert_true((double)t >= min_mass * (double)n);
        assert_close(r->mass[s], (double)t / (double)n, 1e-15, "step mass");
        assert_close(r->density[s], (double)h / (double)t, 1e-15, "step density");
        assert_close(r->coverage[s], (double)h / (double)r->npositive, 1e-15, "step coverage");
        for (size_t j = 0; j < p; j++) {
            unsigned want = (lo[j] > r->xmin[j] ? MKBA_PRIM_LOWER : 0u)
                            | (hi[j] < r->xmax[j] ? MKBA_PRIM_UPPER : 0u);
            assert_int_equal(r->restricted[s * p + j], want);
            if (s > 0)
                assert_true(lo[j] >= lo[j - p] && hi[j] <= hi[j - p]);
        }
        prev = t;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, w = *(const double *)b;
    return (u > w) - (u < w);
}

/* The best density any candidate peel of step s reaches, by sorting the
 * box's values of each input and removing ceil(alpha m) (at least 1) plus
 * the ties from each end; -1 when no peel keeps min_mass. */
static double best_peel(const mkba_prim *r, size_t s, const double *x, const double *y,
                        double alpha, double min_mass)
{
    const size_t n = r->n, p = r->p;
    const double *lo = r->lo + s * p, *hi = r->hi + s * p;
    double *v = malloc(n * sizeof *v), best = -1.0;
    double *blo = malloc(p * sizeof *blo), *bhi = malloc(p * sizeof *bhi);
    assert_non_null(v);
    for (size_t j = 0; j < p; j++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (inside(x + i * p, p, lo, hi))
                v[m++] = x[i * p + j];
        qsort(v, m, sizeof *v, cmp_double);
        size_t k = (size_t)ceil(alpha * (double)m);
        k = k < 1 ? 1 : k;
        for (int side = 0; side < 2; side++) {
            memcpy(blo, lo, p * sizeof *blo);
            memcpy(bhi, hi, p * sizeof *bhi);
            /* The k-th value from that end and every value tied with it
             * go; the box keeps what lies strictly beyond. */
            double cut = side == 0 ? v[k - 1] : v[m - k];
            size_t keep = 0;
            for (size_t q = 0; q < m; q++)
                keep += side == 0 ? v[q] > cut : v[q] < cut;
            if (keep == 0 || (double)keep < min_mass * (double)n)
                continue;
            if (side == 0)
                blo[j] = nextafter(cut, INFINITY);
            else
                bhi[j] = nextafter(cut, -INFINITY);
            size_t t, h;
            count_box(x, y, n, p, blo, bhi, p, &t, &h);
            assert_int_equal(t, keep);
            best = fmax(best, (double)h / (double)t);
        }
    }
    free(v);
    free(blo);
    free(bhi);
    return best;
}

/* Each step after the first is the best peel of the one before; peeling
 * ended because no peel was left or the density reached 1. */
static void check_greedy(const mkba_prim *r, const double *x, const double *y, double alpha,
                         double min_mass)
{
    for (size_t s = 0; s + 1 < r->nsteps; s++)
        assert_close(r->density[s + 1], best_peel(r, s, x, y, alpha, min_mass), 1e-14,
                     "density of the best peel");
    size_t last = r->nsteps - 1;
    if (r->density[last] < 1.0)
        assert_true(best_peel(r, last, x, y, alpha, min_mass) < 0.0);
}

/* The chosen step has the highest harmonic mean of coverage and density
 * among the admissible steps (the earliest on a tie). */
static void check_choice(const mkba_prim *r, double min_coverage, double min_density)
{
    size_t c = r->nsteps;
    double best = -1.0;
    for (size_t s = 0; s < r->nsteps; s++) {
        double cv = r->coverage[s], d = r->density[s];
        if (cv < min_coverage || d < min_density)
            continue;
        double f = 2.0 * cv * d / (cv + d);
        if (f > best) {
            best = f;
            c = s;
        }
    }
    assert_int_equal(r->chosen, c);
    const mkba_prim_box *b = &r->chosen_box;
    for (size_t j = 0; j < r->p; j++) {
        assert_true(b->lo[j] == r->lo[c * r->p + j]);
        assert_true(b->hi[j] == r->hi[c * r->p + j]);
    }
}

static void test_planted_box(void **state)
{
    (void)state;
    const size_t n = 4000, p = 4;
    double *x = malloc(n * p * sizeof *x), *y = malloc(n * sizeof *y);
    planted(n, p, 0.05, 20240611, x, y);
    mkba_prim_options o;
    mkba_prim_options_init(&o);
    mkba_prim *r = NULL;
    mkba_error err = {0};
    if (mkba_prim_alloc(x, y, n, p, &o, &r, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    check_trajectory(r, x, y, o.min_mass);
    check_greedy(r, x, y, o.alpha, o.min_mass);
    check_choice(r, o.min_coverage, o.min_density);
    check_box(r, &r->chosen_box, x, y);
    check_box(r, &r->box, x, y);
    const mkba_prim_box *b = &r->box;
    /* x0 < 0.3 and x1 > 0.6, one side each; x2 and x3 free. */
    assert_int_equal(b->restricted[0], MKBA_PRIM_UPPER);
    assert_int_equal(b->restricted[1], MKBA_PRIM_LOWER);
    assert_int_equal(b->restricted[2], 0);
    assert_int_equal(b->restricted[3], 0);
    assert_true(fabs(b->hi[0] - 0.3) <= 0.05);
    assert_true(fabs(b->lo[1] - 0.6) <= 0.05);
    assert_true(b->p_value[0] < 1e-6 && b->p_value[1] < 1e-6);
    /* The true box holds 12% of the draws, 95% of them positive, and 72%
     * of all positives (0.114 / (0.114 + 0.05 x 0.88)). */
    assert_true(b->density >= 0.85);
    assert_true(b->coverage >= 0.6);
    mkba_prim_free(r);
    free(x);
    free(y);
}

/* Noisier labels (20%) and more inert inputs. The true box then holds
 * only 35% of the positives, below min_coverage 0.5, so the chosen box is
 * larger and (for this seed) restricts an inert input too: with max_p 1
 * it is kept, with 0.05 it is dropped. Here the density also falls at
 * some steps: the best peel can still lower it. */
static void test_pvalues_and_pruning(void **state)
{
    (void)state;
    const size_t n = 2000, p = 6;
    double *x = malloc(n * p * sizeof *x), *y = malloc(n * sizeof *y);
    planted(n, p, 0.2, 7, x, y);
    mkba_prim_options o;
    mkba_prim_options_init(&o);
    o.max_p = 1.0;
    mkba_prim *all = NULL, *pruned = NULL;
    mkba_error err = {0};
    if (mkba_prim_alloc(x, y, n, p, &o, &all, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    check_greedy(all, x, y, o.alpha, o.min_mass);
    check_box(all, &all->box, x, y);
    int falls = 0, inert = 0;
    for (size_t s = 0; s + 1 < all->nsteps; s++)
        falls |= all->density[s + 1] < all->density[s];
    assert_true(falls);
    for (size_t j = 2; j < p; j++)
        inert += all->box.restricted[j] != 0;
    assert_true(inert > 0);
    /* max_p = 1 drops nothing: the answer is the chosen box. */
    for (size_t j = 0; j < p; j++)
        assert_true(all->box.lo[j] == all->chosen_box.lo[j]
                    && all->box.hi[j] == all->chosen_box.hi[j]);
    o.max_p = 0.05;
    if (mkba_prim_alloc(x, y, n, p, &o, &pruned, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    check_box(pruned, &pruned->box, x, y);
    /* Every kept restriction is significant, and the kept ones are the
     * chosen box's own bounds; the dropped ones span the data. */
    for (size_t j = 0; j < p; j++) {
        const mkba_prim_box *b = &pruned->box;
        if (b->restricted[j]) {
            assert_true(b->p_value[j] <= 0.05);
            assert_true(b->lo[j] == all->box.lo[j] && b->hi[j] == all->box.hi[j]);
        } else {
            assert_true(b->lo[j] == pruned->xmin[j] && b->hi[j] == pruned->xmax[j]);
        }
    }
    assert_int_equal(pruned->box.restricted[0], MKBA_PRIM_UPPER);
    assert_int_equal(pruned->box.restricted[1], MKBA_PRIM_LOWER);
    for (size_t j = 2; j < p; j++)
        assert_int_equal(pruned->box.restricted[j], 0);
    mkba_prim_free(all);
    mkba_prim_free(pruned);
    free(x);
    free(y);
}

/* The whole run on a data set small enough to follow by hand. */
static void test_pvalue_by_hand(void **state)
{
    (void)state;
    /* x = 0..9, y = 1 at 6, 7, 8 and 2. Peeling by 0.3 then by ties:
     * whatever the box, its p-value is P(X >= h) for X ~ Bin(t, 4/10),
     * the density without the only restriction being the whole data's. */
    const double x[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    const double y[] = { 0, 0, 1, 0, 0, 0, 1, 1, 1, 0 };
    mkba_prim_options o;
    mkba_prim_options_init(&o);
    o.alpha = 0.3;
    o.min_mass = 0.3;
    o.max_p = 1.0;
    mkba_prim *r = NULL;
    mkba_error err = {0};
    if (mkba_prim_alloc(x, y, 10, 1, &o, &r, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    /* Steps: all (4/10); peel 3 low (0, 1, 2) -> 3..9, 3/7, or 3 high
     * (7, 8, 9) -> 0..6, 2/7: low. Then of 7, ceil(2.1) = 3: low (3, 4, 5)
     * -> 6..9, 3/4 or high -> 3..6, 1/4: low. Then 4 draws, 2 would leave
     * 2 < 3 = min_mass n: stop. */
    assert_int_equal(r->nsteps, 3);
    assert_true(r->lo[1] == 3 && r->hi[1] == 9 && r->lo[2] == 6 && r->hi[2] == 9);
    assert_close(r->density[2], 0.75, 1e-15, "density");
    /* F: all 2*1*0.4/1.4 = 0.571; 3..9 2*.75*(3/7)/(.75+3/7) = 0.545;
     * 6..9: 0.75. */
    assert_int_equal(r->chosen, 2);
    /* P(X >= 3), X ~ Bin(4, 0.4) = 4 (0.4^3)(0.6) + 0.4^4 = 0.1792. */
    assert_close(r->box.p_value[0], 0.1792, 1e-12, "hand p-value");
    assert_int_equal(r->box.restricted[0], MKBA_PRIM_LOWER);
    mkba_prim_free(r);
    /* At max_p 0.05 that restriction is dropped: the whole data. */
    o.max_p = 0.05;
    if (mkba_prim_alloc(x, y, 10, 1, &o, &r, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(r->box.restricted[0], 0);
    assert_int_equal(r->box.count, 10);
    assert_true(isnan(r->box.p_value[0]));
    mkba_prim_free(r);
}

/* Coarse peels (alpha 0.3) can cut past an edge; pasting moves it back
 * out, raising coverage and density, and the answer contains the chosen
 * box. Pasting cannot undo a cut that stopped short of an edge (x0 here
 * ends at 0.345 against the true 0.3). */
static void test_pasting(void **state)
{
    (void)state;
    const size_t n = 3000, p = 3;
    double *x = malloc(n * p * sizeof *x), *y = malloc(n * sizeof *y);
    planted(n, p, 0.0, 99, x, y);
    mkba_prim_options o;
    mkba_prim_options_init(&o);
    o.alpha = 0.3;
    o.paste_alpha = 0.01;
    mkba_prim *r = NULL;
    mkba_error err = {0};
    if (mkba_prim_alloc(x, y, n, p, &o, &r, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    check_box(r, &r->box, x, y);
    check_box(r, &r->chosen_box, x, y);
    for (size_t j = 0; j < p; j++)
        assert_true(r->box.lo[j] <= r->chosen_box.lo[j] && r->box.hi[j] >= r->chosen_box.hi[j]);
    assert_true(r->box.density >= r->chosen_box.density);
    assert_true(r->box.coverage > r->chosen_box.coverage);
    /* Here peeling cut x1 at 0.655, inside the true edge 0.6; pasting
     * moves it back out but, without label noise, not past 0.6 by more
     * than the data's spacing, where it would add only y = 0 draws. */
    assert_true(r->box.lo[1] < r->chosen_box.lo[1] && r->box.lo[1] >= 0.59);
    assert_true(r->box.hi[0] == r->chosen_box.hi[0]);
    assert_int_equal(r->box.restricted[2], 0);
    mkba_prim_free(r);
    free(x);
    free(y);
}

/* Inputs with values in {0, 1, 2}: a peel takes whole tied blocks, so
 * it can remove a third of the box at once; bounds stay data values;
 * peeling ends. y = 1 where d0 = 2 and x1 < 0.5, noisy. */
static void test_discrete(void **state)
{
    (void)state;
    const size_t n = 1500, p = 3;
    double *x = malloc(n * p * sizeof *x), *y = malloc(n * sizeof *y);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 31337);
    for (size_t i = 0; i < n; i++) {
        x[i * p] = (double)gsl_rng_uniform_int(g, 3);
        x[i * p + 1] = gsl_rng_uniform(g);
        x[i * p + 2] = (double)gsl_rng_uniform_int(g, 3);
        int in = x[i * p] == 2 && x[i * p + 1] < 0.5;
        y[i] = gsl_rng_uniform(g) < 0.1 ? !in : in;
    }
    gsl_rng_free(g);
    mkba_prim_options o;
    mkba_prim_options_init(&o);
    mkba_prim *r = NULL;
    mkba_error err = {0};
    if (mkba_prim_alloc(x, y, n, p, &o, &r, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    check_trajectory(r, x, y, o.min_mass);
    check_greedy(r, x, y, o.alpha, o.min_mass);
    check_choice(r, o.min_coverage, o.min_density);
    check_box(r, &r->box, x, y);
    for (size_t s = 0; s < r->nsteps; s++)
        for (size_t j = 0; j < p; j += 2)
            assert_true(r->lo[s * p + j] == floor(r->lo[s * p + j])
                        && r->hi[s * p + j] == floor(r->hi[s * p + j]));
    assert_true(r->box.lo[0] == 2.0 && r->box.restricted[0] == MKBA_PRIM_LOWER);
    assert_true(fabs(r->box.hi[1] - 0.5) <= 0.05);
    assert_int_equal(r->box.restricted[2], 0);
    mkba_prim_free(r);

    /* One input with one value: no peel can remove anything and keep a
     * draw, so the trajectory is the whole data. */
    const double c[] = { 1.5, 1.5, 1.5, 1.5 }, yc[] = { 1, 0, 1, 0 };
    if (mkba_prim_alloc(c, yc, 4, 1, NULL, &r, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(r->nsteps, 1);
    assert_int_equal(r->box.count, 4);
    assert_int_equal(r->box.restricted[0], 0);
    mkba_prim_free(r);
    free(x);
    free(y);
}

/* Every draw positive: nothing to peel; the answer is the whole data. */
static void test_all_positive(void **state)
{
    (void)state;
    const double x[] = { 0.3, 2.1, 1.7, 0.9, 4.4, 3.2 }, y[] = { 1, 1, 1 };
    mkba_prim *r = NULL;
    mkba_error err = {0};
    if (mkba_prim_alloc(x, y, 3, 2, NULL, &r, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(r->nsteps, 1);
    assert_int_equal(r->chosen, 0);
    assert_int_equal(r->box.restricted[0] | r->box.restricted[1], 0);
    assert_true(r->box.coverage == 1.0 && r->box.density == 1.0 && r->box.mass == 1.0);
    assert_true(r->xmin[0] == 0.3 && r->xmax[0] == 4.4 && r->xmin[1] == 0.9 && r->xmax[1] == 3.2);
    mkba_prim_free(r);
}

/* Runs with o and expects MKBA_EINVAL, no result and `text` in the
 * message. */
static void expect_einval(const double *x, const double *y, size_t n, size_t p,
                          const mkba_prim_options *o, const char *text)
{
    static mkba_prim dummy;
    mkba_prim *r = &dummy;  /* not NULL: the call must clear it */
    mkba_error err = {0};
    assert_int_equal(mkba_prim_alloc(x, y, n, p, o, &r, &err), MKBA_EINVAL);
    assert_null(r);
    assert_int_equal(err.code, MKBA_EINVAL);
    if (strstr(err.message, text) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.message, text);
}

static void test_errors(void **state)
{
    (void)state;
    double x[] = { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 }, y[] = { 0, 1, 0 };
    mkba_prim_options o;
    mkba_prim_options_init(&o);
    expect_einval(x, y, 0, 2, NULL, "at least one draw");
    expect_einval(x, y, 3, 0, NULL, "at least one draw and one input");
    expect_einval(NULL, y, 3, 2, NULL, "NULL");
    expect_einval(x, NULL, 3, 2, NULL, "NULL");
    x[3] = NAN;
    expect_einval(x, y, 3, 2, NULL, "input 1 of draw 1 is nan");
    x[3] = INFINITY;
    expect_einval(x, y, 3, 2, NULL, "input 1 of draw 1 is inf");
    x[3] = 0.4;
    y[2] = 0.5;
    expect_einval(x, y, 3, 2, NULL, "outcome of draw 2 is 0.5; it must be 0 or 1");
    y[2] = NAN;
    expect_einval(x, y, 3, 2, NULL, "outcome of draw 2 is nan");
    y[1] = y[2] = 0;
    expect_einval(x, y, 3, 2, NULL, "no draw has outcome 1");
    y[1] = 1;
    const double bad_alpha[] = { 0.0, -0.1, 0.51, NAN };
    for (size_t k = 0; k < 4; k++) {
        o.alpha = bad_alpha[k];
        expect_einval(x, y, 3, 2, &o, "alpha");
    }
    mkba_prim_options_init(&o);
    o.min_mass = 1.5;
    expect_einval(x, y, 3, 2, &o, "min_mass = 1.5");
    mkba_prim_options_init(&o);
    o.min_coverage = -0.2;
    expect_einval(x, y, 3, 2, &o, "min_coverage = -0.2");
    mkba_prim_options_init(&o);
    o.min_density = 1.1;
    expect_einval(x, y, 3, 2, &o, "min_density = 1.1");
    mkba_prim_options_init(&o);
    o.paste_alpha = 0.7;
    expect_einval(x, y, 3, 2, &o, "paste_alpha = 0.7");
    mkba_prim_options_init(&o);
    o.max_p = 0.0;
    expect_einval(x, y, 3, 2, &o, "max_p = 0");
    mkba_error err = {0};
    assert_int_equal(mkba_prim_alloc(x, y, 3, 2, NULL, NULL, &err), MKBA_EINVAL);

    /* A density no box reaches: the message gives the highest one. */
    const double xs[] = { 0, 1, 2, 3, 4, 5, 6, 7 }, ys[] = { 1, 0, 1, 0, 1, 0, 1, 0 };
    mkba_prim_options_init(&o);
    o.min_mass = 0.5;
    o.min_density = 0.9;
    expect_einval(xs, ys, 8, 1, &o, "no box on the peeling trajectory has density >= 0.9");
}

/* An allocator that fails its fail_at-th allocation. */
typedef struct failing {
    long calls, fail_at;
} failing;

static void *f_malloc(void *u, size_t s)
{
    failing *f = u;
    return ++f->calls == f->fail_at ? NULL : malloc(s);
}

static void *f_calloc(void *u, size_t n, size_t s)
{
    failing *f = u;
    return ++f->calls == f->fail_at ? NULL : calloc(n, s);
}

static void *f_realloc(void *u, void *p, size_t s)
{
    failing *f = u;
    return ++f->calls == f->fail_at ? NULL : realloc(p, s);
}

static void f_free(void *u, void *p)
{
    (void)u;
    free(p);
}

/* Failing each allocation in turn gives MKBA_ENOMEM and no result (and,
 * under AddressSanitizer, no leak), until the run needs fewer. */
static void test_alloc_fail(void **state)
{
    (void)state;
    const size_t n = 200, p = 3;
    double x[600], y[200];
    planted(n, p, 0.05, 5, x, y);
    mkba_prim_options o;
    mkba_prim_options_init(&o);
    o.paste_alpha = 0.05;
    failing f = {0};
    mkba_allocator a = { f_malloc, f_calloc, f_realloc, f_free, &f };
    for (long k = 1;; k++) {
        f.calls = 0;
        f.fail_at = k;
        mkba_prim *r = NULL;
        mkba_error err = {0};
        mkba_alloc_scope sc = mkba_alloc_enter(&a);
        int rc = mkba_prim_alloc(x, y, n, p, &o, &r, &err);
        if (rc == MKBA_OK)
            mkba_prim_free(r);
        mkba_alloc_leave(sc);
        if (f.calls < k) {
            assert_int_equal(rc, MKBA_OK);
            assert_true(k > 10);
            break;
        }
        assert_int_equal(rc, MKBA_ENOMEM);
        assert_null(r);
        assert_non_null(strstr(err.message, "out of memory"));
    }
}

static double seconds_between(const struct timespec *t0, const struct timespec *t1)
{
    return (double)(t1->tv_sec - t0->tv_sec) + 1e-9 * (double)(t1->tv_nsec - t0->tv_nsec);
}

/* n = 10,000 draws of p = 20 inputs in well under a second of CPU time.
 * mkba_prim_alloc is serial and this process runs nothing else meanwhile,
 * so the process's CPU time is the call's own: a machine too loaded to
 * give it the CPU stretches the wall time (printed), not this. */
static void test_speed(void **state)
{
    (void)state;
    const size_t n = 10000, p = 20;
    double *x = malloc(n * p * sizeof *x), *y = malloc(n * sizeof *y);
    planted(n, p, 0.05, 4242, x, y);
    struct timespec c0, c1, w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    assert_int_equal(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0), 0);
    mkba_prim *r = NULL;
    mkba_error err = {0};
    if (mkba_prim_alloc(x, y, n, p, NULL, &r, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1), 0);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    double cpu = seconds_between(&c0, &c1), wall = seconds_between(&w0, &w1);
    print_message("PRIM n = %zu, p = %zu: %zu steps in %.3f s of CPU (%.3f s wall)\n", n, p,
                  r->nsteps, cpu, wall);
    /* Generous for sanitizer builds (0.14 s measured; plain 0.05-0.08 s). */
    assert_true(cpu < 2.0);
    assert_int_equal(r->box.restricted[0], MKBA_PRIM_UPPER);
    assert_int_equal(r->box.restricted[1], MKBA_PRIM_LOWER);
    for (size_t j = 2; j < p; j++)
        assert_int_equal(r->box.restricted[j], 0);
    mkba_prim_free(r);
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planted_box),
        cmocka_unit_test(test_pvalues_and_pruning),
        cmocka_unit_test(test_pvalue_by_hand),
        cmocka_unit_test(test_pasting),
        cmocka_unit_test(test_discrete),
        cmocka_unit_test(test_all_positive),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_alloc_fail),
        cmocka_unit_test(test_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
