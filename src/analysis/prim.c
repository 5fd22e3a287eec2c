/* PRIM scenario discovery (prim.h). */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "analysis/prim.h"
#include "core/alloc.h"

void mkba_prim_options_init(mkba_prim_options *o)
{
    o->alpha = 0.05;
    o->min_mass = 0.05;
    o->min_coverage = 0.5;
    o->min_density = 0.0;
    o->paste_alpha = 0.0;
    o->max_p = 0.05;
}

/* One input's value of one draw; a column sorted by (v, i) is the order
 * peeling and pasting walk. */
typedef struct entry {
    double v;
    size_t i;
} entry;

static int entry_cmp(const void *a, const void *b)
{
    const entry *u = a, *w = b;
    if (u->v != w->v)
        return u->v < w->v ? -1 : 1;
    return u->i < w->i ? -1 : u->i > w->i;
}

/* The scratch of one run. */
typedef struct prim_work {
    const double *x, *y;
    size_t n, p;
    entry *sorted;          /* [p][n] each column sorted, all draws */
    entry *live;            /* [p][n] the same, only the current box's draws */
    unsigned char *inside;  /* [n] 1 = in the current peeled box */
    /* [n] for a box: the number of inputs on which a draw lies outside
     * (capped at 2) and, when it is 1, that input. */
    unsigned char *nout;
    size_t *which;
    size_t *tj, *hj;        /* [p] draws and positives of the box without j */
} prim_work;

static void box_free(mkba_prim_box *b)
{
    mkba_free(b->lo);
    mkba_free(b->hi);
    mkba_free(b->restricted);
    mkba_free(b->p_value);
}

static int box_alloc(mkba_prim_box *b, size_t p)
{
    b->lo = mkba_malloc(p * sizeof *b->lo);
    b->hi = mkba_malloc(p * sizeof *b->hi);
    b->restricted = mkba_calloc(p, sizeof *b->restricted);
    b->p_value = mkba_malloc(p * sizeof *b->p_value);
    return b->lo && b->hi && b->restricted && b->p_value;
}

void mkba_prim_free(mkba_prim *r)
{
    if (r == NULL)
        return;
    mkba_free(r->xmin);
    mkba_free(r->xmax);
    mkba_free(r->lo);
    mkba_free(r->hi);
    mkba_free(r->restricted);
    mkba_free(r->coverage);
    mkba_free(r->density);
    mkba_free(r->mass);
    box_free(&r->chosen_box);
    box_free(&r->box);
    mkba_free(r);
}

static void work_free(prim_work *w)
{
    mkba_free(w->sorted);
    mkba_free(w->live);
    mkba_free(w->inside);
    mkba_free(w->nout);
    mkba_free(w->which);
    mkba_free(w->tj);
    mkba_free(w->hj);
}

static int check_options(const mkba_prim_options *o, mkba_error *err)
{
    if (!(o->alpha > 0.0 && o->alpha <= 0.5))
        return mkba_error_set(err, MKBA_EINVAL,
                              "PRIM peeling alpha = %g: it must lie in (0, 0.5], the share of "
                              "the box's draws one peel removes (0.05 is usual)", o->alpha);
    if (!(o->min_mass >= 0.0 && o->min_mass <= 1.0))
        return mkba_error_set(err, MKBA_EINVAL,
                              "PRIM min_mass = %g: it must lie in [0, 1], the smallest share "
                              "of the draws a box may hold (0.05 is usual)", o->min_mass);
    if (!(o->min_coverage >= 0.0 && o->min_coverage <= 1.0))
        return mkba_error_set(err, MKBA_EINVAL, "PRIM min_coverage = %g: it must lie in [0, 1]",
                              o->min_coverage);
    if (!(o->min_density >= 0.0 && o->min_density <= 1.0))
        return mkba_error_set(err, MKBA_EINVAL, "PRIM min_density = %g: it must lie in [0, 1] "
                              "(0 chooses the densest box instead)", o->min_density);
    if (!(o->paste_alpha >= 0.0 && o->paste_alpha <= 0.5))
        return mkba_error_set(err, MKBA_EINVAL, "PRIM paste_alpha = %g: it must lie in [0, 0.5] "
                              "(0 = no pasting)", o->paste_alpha);
    if (!(o->max_p > 0.0 && o->max_p <= 1.0))
        return mkba_error_set(err, MKBA_EINVAL, "PRIM max_p = %g: it must lie in (0, 1] "
                              "(1 keeps every restriction)", o->max_p);
    return MKBA_OK;
}

static int check_data(const double *x, const double *y, size_t n, size_t p, size_t *npos,
                      mkba_error *err)
{
    if (x == NULL || y == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "PRIM: the inputs x or the outcome y is NULL");
    if (n == 0 || p == 0)
        return mkba_error_set(err, MKBA_EINVAL, "PRIM needs at least one draw and one input "
                              "(got %zu draws, %zu inputs)", n, p);
    if (n > UINT_MAX || p > SIZE_MAX / 2 / sizeof(entry) / n)
        return mkba_error_set(err, MKBA_EINVAL, "PRIM: %zu draws x %zu inputs is too many", n, p);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++)
            if (!isfinite(x[i * p + j]))
                return mkba_error_set(err, MKBA_EINVAL,
                                      "PRIM: input %zu of draw %zu is %g; every input must be "
                                      "finite (drop or impute the draw)", j, i, x[i * p + j]);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0.0 && y[i] != 1.0)
            return mkba_error_set(err, MKBA_EINVAL,
                                  "PRIM: the outcome of draw %zu is %g; it must be 0 or 1 "
                                  "(1 = the case of interest, e.g. the option pays off)", i, y[i]);
        k += y[i] == 1.0;
    }
    if (k == 0)
        return mkba_error_set(err, MKBA_EINVAL, "PRIM: no draw has outcome 1, so there is no "
                              "box to find (none of the %zu draws is a case of interest)", n);
    *npos = k;
    return MKBA_OK;
}

/* Fills w->nout and w->which for the box [lo, hi]. */
static void outside_count(prim_work *w, const double *lo, const double *hi)
{
    for (size_t i = 0; i < w->n; i++) {
        const double *xi = w->x + i * w->p;
        unsigned char c = 0;
        for (size_t j = 0; j < w->p && c < 2; j++)
            if (xi[j] < lo[j] || xi[j] > hi[j]) {
                c++;
                w->which[i] = j;
            }
        w->nout[i] = c;
    }
}

/* One-sided binomial test: P(X >= k) for X ~ Binomial(m, d). */
static double binomial_upper(size_t k, size_t m, double d)
{
    if (k == 0)
        return 1.0;
    return gsl_cdf_binomial_Q((unsigned)(k - 1), d, (unsigned)m);
}

/* Completes b from its bounds: the restricted sides, the counts and
 * shares, and each restricted input's quasi-p-value. */
static void box_evaluate(prim_work *w, const mkba_prim *r, mkba_prim_box *b)
{
    const size_t p = w->p;
    outside_count(w, b->lo, b->hi);
    memset(w->tj, 0, p * sizeof *w->tj);
    memset(w->hj, 0, p * sizeof *w->hj);
    size_t t = 0, h = 0;
    for (size_t i = 0; i < w->n; i++) {
        size_t pos = w->y[i] == 1.0;
        if (w->nout[i] == 0) {
            t++;
            h += pos;
        } else if (w->nout[i] == 1) {
            w->tj[w->which[i]]++;
            w->hj[w->which[i]] += pos;
        }
    }
    b->count = t;
    b->positives = h;
    b->coverage = (double)h / (double)r->npositive;
    b->density = t > 0 ? (double)h / (double)t : 0.0;
    b->mass = (double)t / (double)w->n;
    for (size_t j = 0; j < p; j++) {
        b->restricted[j] = (unsigned char)((b->lo[j] > r->xmin[j] ? MKBA_PRIM_LOWER : 0u)
                                           | (b->hi[j] < r->xmax[j] ? MKBA_PRIM_UPPER : 0u));
        b->p_value[j] = NAN;
        if (b->restricted[j])
            b->p_value[j] = binomial_upper(h, t, (double)(h + w->hj[j]) / (double)(t + w->tj[j]));
    }
}

/* A candidate change of the box: input j, side (0 lower, 1 upper), the
 * draws and positives it removes (peel) or adds (paste), the new bound. */
typedef struct move {
    size_t j, side, count, positives;
    double bound, density;
} move;

/* Better by the documented order: higher density, then fewer draws moved;
 * candidates come in (input, side) order, so the first stays on a tie. */
static int better(const move *a, const move *best, int have)
{
    if (!have)
        return 1;
    if (a->density != best->density)
        return a->density > best->density;
    return a->count < best->count;
}

/* The peel of side `side` of input j from the m draws in the box (the
 * column w->live + j n): the first k from that end and every draw tied
 * with the k-th. Returns 0 when it would empty the box. */
static int peel_of(const prim_work *w, size_t j, size_t side, size_t m, size_t k, move *mv)
{
    const entry *c = w->live + j * w->n;
    size_t r = k, h = 0;
    if (side == 0) {
        while (r < m && c[r].v == c[r - 1].v)
            r++;
        if (r == m)
            return 0;
        for (size_t q = 0; q < r; q++)
            h += w->y[c[q].i] == 1.0;
        mv->bound = c[r].v;
    } else {
        while (r < m && c[m - r - 1].v == c[m - r].v)
            r++;
        if (r == m)
            return 0;
        for (size_t q = m - r; q < m; q++)
            h += w->y[c[q].i] == 1.0;
        mv->bound = c[m - r - 1].v;
    }
    mv->j = j;
    mv->side = side;
    mv->count = r;
    mv->positives = h;
    return 1;
}

/* At least one draw, at least the share a of m. */
static size_t share_of(double a, size_t m)
{
    size_t k = (size_t)ceil(a * (double)m);
    return k < 1 ? 1 : k > m ? m : k;
}

/* The most steps peeling can take: every peel removes at least
 * share_of(alpha, m) draws, m - share_of(alpha, m) never falls as m grows,
 * so the smallest removals give the longest trajectory. */
static size_t max_steps(size_t n, double alpha, double min_mass)
{
    size_t s = 1, m = n;
    for (;;) {
        size_t k = share_of(alpha, m);
        if (k >= m || (double)(m - k) < min_mass * (double)n)
            return s;
        m -= k;
        s++;
    }
}

/* Appends the step whose bounds are already in row r->nsteps of r->lo
 * and r->hi: m draws inside, h of them positive. */
static void record_step(mkba_prim *r, size_t m, size_t h)
{
    const size_t p = r->p, s = r->nsteps;
    const double *lo = r->lo + s * p, *hi = r->hi + s * p;
    for (size_t j = 0; j < p; j++)
        r->restricted[s * p + j] = (unsigned char)((lo[j] > r->xmin[j] ? MKBA_PRIM_LOWER : 0u)
                                                   | (hi[j] < r->xmax[j] ? MKBA_PRIM_UPPER : 0u));
    r->coverage[s] = (double)h / (double)r->npositive;
    r->density[s] = (double)h / (double)m;
    r->mass[s] = (double)m / (double)r->n;
    r->nsteps = s + 1;
}

/* The peeling phase: fills r's trajectory from step 0, the whole data. */
static void peel(prim_work *w, mkba_prim *r, const mkba_prim_options *o, size_t cap)
{
    const size_t n = w->n, p = w->p;
    size_t m = n, h = r->npositive;
    memcpy(r->lo, r->xmin, p * sizeof *r->lo);
    memcpy(r->hi, r->xmax, p * sizeof *r->hi);
    record_step(r, m, h);
    while (h < m && r->nsteps < cap) {
        const size_t k = share_of(o->alpha, m);
        move best = {0}, mv;
        int have = 0;
        for (size_t j = 0; j < p; j++)
            for (size_t side = 0; side < 2; side++) {
                if (!peel_of(w, j, side, m, k, &mv))
                    continue;
                if ((double)(m - mv.count) < o->min_mass * (double)n)
                    continue;
                mv.density = (double)(h - mv.positives) / (double)(m - mv.count);
                if (better(&mv, &best, have)) {
                    best = mv;
                    have = 1;
                }
            }
        if (!have)
            break;
        const entry *c = w->live + best.j * n;
        size_t from = best.side == 0 ? 0 : m - best.count;
        for (size_t q = from; q < from + best.count; q++)
            w->inside[c[q].i] = 0;
        /* The new step starts as a copy of the last one. */
        double *lo = r->lo + (r->nsteps - 1) * p, *hi = r->hi + (r->nsteps - 1) * p;
        memcpy(lo + p, lo, p * sizeof *lo);
        memcpy(hi + p, hi, p * sizeof *hi);
        if (best.side == 0)
            lo[p + best.j] = best.bound;
        else
            hi[p + best.j] = best.bound;
        m -= best.count;
        h -= best.positives;
        for (size_t j = 0; j < p; j++) {
            entry *col = w->live + j * n;
            size_t kept = 0;
            for (size_t q = 0; q < m + best.count; q++)
                if (w->inside[col[q].i])
                    col[kept++] = col[q];
        }
        record_step(r, m, h);
    }
}

/* The harmonic mean of coverage and density (0 when both are 0). */
static double f_score(double coverage, double density)
{
    return coverage + density > 0.0 ? 2.0 * coverage * density / (coverage + density) : 0.0;
}

/* The step the options choose (see mkba_prim_options). Highest density
 * alone would chase noise: past the edges of the real box, peels that
 * happen to remove a few y = 0 draws still raise the density a little
 * while coverage falls; F stops near the edges. */
static int choose(const mkba_prim *r, const mkba_prim_options *o, size_t *chosen,
                  mkba_error *err)
{
    int have = 0;
    size_t c = 0;
    double best = 0.0, top = 0.0;
    for (size_t s = 0; s < r->nsteps; s++) {
        double cov = r->coverage[s], den = r->density[s];
        if (cov < o->min_coverage)
            continue;
        top = fmax(top, den);
        if (den < o->min_density)
            continue;
        double f = f_score(cov, den);
        if (!have || f > best) {
            c = s;
            best = f;
            have = 1;
        }
    }
    if (!have)
        return mkba_error_set(err, MKBA_EINVAL,
                              "PRIM: no box on the peeling trajectory has density >= %g with "
                              "coverage >= %g (the highest density there is %g); lower "
                              "min_density or min_coverage", o->min_density, o->min_coverage, top);
    *chosen = c;
    return MKBA_OK;
}

/* The paste of side `side` of restricted input j onto box b of m draws:
 * the nearest ceil(paste_alpha m) draws beyond the bound that are outside
 * on input j only, and every such draw tied with the last. w->nout and
 * w->which are those of b. Returns 0 when there is none. */
static int paste_of(const prim_work *w, const mkba_prim_box *b, size_t j, size_t side, size_t k,
                    move *mv)
{
    const entry *c = w->sorted + j * w->n;
    const size_t n = w->n;
    size_t got = 0, h = 0;
    double last = 0.0;
    /* Walk outward from the bound: down from below lo, up from above hi. */
    for (size_t q = 0; q < n; q++) {
        const entry *e = side == 0 ? &c[n - 1 - q] : &c[q];
        if (side == 0 ? e->v >= b->lo[j] : e->v <= b->hi[j])
            continue;
        if (w->nout[e->i] != 1 || w->which[e->i] != j)
            continue;
        if (got >= k && e->v != last)
            break;
        got++;
        h += w->y[e->i] == 1.0;
        last = e->v;
    }
    if (got == 0)
        return 0;
    mv->j = j;
    mv->side = side;
    mv->count = got;
    mv->positives = h;
    mv->bound = last;
    return 1;
}

/* Pasting: widens b one side at a time while that raises its density. */
static void paste(prim_work *w, const mkba_prim *r, mkba_prim_box *b, double paste_alpha)
{
    for (;;) {
        box_evaluate(w, r, b);
        const size_t k = share_of(paste_alpha, b->count);
        move best = {0}, mv;
        int have = 0;
        for (size_t j = 0; j < w->p; j++)
            for (size_t side = 0; side < 2; side++) {
                if (!(b->restricted[j] & (side == 0 ? MKBA_PRIM_LOWER : MKBA_PRIM_UPPER)))
                    continue;
                if (!paste_of(w, b, j, side, k, &mv))
                    continue;
                mv.density = (double)(b->positives + mv.positives)
                             / (double)(b->count + mv.count);
                if (better(&mv, &best, have)) {
                    best = mv;
                    have = 1;
                }
            }
        if (!have || !(best.density > b->density))
            return;
        if (best.side == 0)
            b->lo[best.j] = best.bound;
        else
            b->hi[best.j] = best.bound;
    }
}

/* Drops the least significant restriction of b while its p-value exceeds
 * max_p, re-testing the rest after each drop. */
static void prune(prim_work *w, const mkba_prim *r, mkba_prim_box *b, double max_p)
{
    for (;;) {
        box_evaluate(w, r, b);
        size_t worst = w->p;
        for (size_t j = 0; j < w->p; j++)
            if (b->restricted[j] && b->p_value[j] > max_p
                && (worst == w->p || b->p_value[j] > b->p_value[worst]))
                worst = j;
        if (worst == w->p)
            return;
        b->lo[worst] = r->xmin[worst];
        b->hi[worst] = r->xmax[worst];
    }
}

int mkba_prim_alloc(const double *x, const double *y, size_t n, size_t p,
                    const mkba_prim_options *o, mkba_prim **out, mkba_error *err)
{
    mkba_prim_options def;
    if (out == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "PRIM: the result pointer is NULL");
    *out = NULL;
    if (o == NULL) {
        mkba_prim_options_init(&def);
        o = &def;
    }
    size_t npos = 0;
    int rc = check_options(o, err);
    if (rc == MKBA_OK)
        rc = check_data(x, y, n, p, &npos, err);
    if (rc != MKBA_OK)
        return rc;

    const size_t cap = max_steps(n, o->alpha, o->min_mass);
    prim_work w = { .x = x, .y = y, .n = n, .p = p };
    w.sorted = mkba_malloc(n * p * sizeof *w.sorted);
    w.live = mkba_malloc(n * p * sizeof *w.live);
    w.inside = mkba_malloc(n * sizeof *w.inside);
    w.nout = mkba_malloc(n * sizeof *w.nout);
    w.which = mkba_malloc(n * sizeof *w.which);
    w.tj = mkba_malloc(p * sizeof *w.tj);
    w.hj = mkba_malloc(p * sizeof *w.hj);
    mkba_prim *r = mkba_calloc(1, sizeof *r);
    int ok = w.sorted && w.live && w.inside && w.nout && w.which && w.tj && w.hj && r;
    if (ok) {
        r->xmin = mkba_malloc(p * sizeof *r->xmin);
        r->xmax = mkba_malloc(p * sizeof *r->xmax);
        r->lo = mkba_malloc(cap * p * sizeof *r->lo);
        r->hi = mkba_malloc(cap * p * sizeof *r->hi);
        r->restricted = mkba_malloc(cap * p * sizeof *r->restricted);
        r->coverage = mkba_malloc(cap * sizeof *r->coverage);
        r->density = mkba_malloc(cap * sizeof *r->density);
        r->mass = mkba_malloc(cap * sizeof *r->mass);
        ok = r->xmin && r->xmax && r->lo && r->hi && r->restricted && r->coverage
             && r->density && r->mass;
        ok = ok && box_alloc(&r->chosen_box, p);
        ok = ok && box_alloc(&r->box, p);
    }
    if (!ok) {
        work_free(&w);
        mkba_prim_free(r);
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for PRIM on %zu draws x %zu "
                              "inputs", n, p);
    }
    r->n = n;
    r->p = p;
    r->npositive = npos;
    for (size_t j = 0; j < p; j++) {
        entry *col = w.sorted + j * n;
        for (size_t i = 0; i < n; i++)
            col[i] = (entry){ x[i * p + j], i };
        qsort(col, n, sizeof *col, entry_cmp);
        r->xmin[j] = col[0].v;
        r->xmax[j] = col[n - 1].v;
    }
    memcpy(w.live, w.sorted, n * p * sizeof *w.live);
    memset(w.inside, 1, n * sizeof *w.inside);

    peel(&w, r, o, cap);
    rc = choose(r, o, &r->chosen, err);
    if (rc != MKBA_OK) {
        work_free(&w);
        mkba_prim_free(r);
        return rc;
    }
    mkba_prim_box *c = &r->chosen_box, *b = &r->box;
    memcpy(c->lo, r->lo + r->chosen * p, p * sizeof *c->lo);
    memcpy(c->hi, r->hi + r->chosen * p, p * sizeof *c->hi);
    box_evaluate(&w, r, c);
    memcpy(b->lo, c->lo, p * sizeof *b->lo);
    memcpy(b->hi, c->hi, p * sizeof *b->hi);
    if (o->paste_alpha > 0.0)
        paste(&w, r, b, o->paste_alpha);
    prune(&w, r, b, o->max_p);
    work_free(&w);
    *out = r;
    return MKBA_OK;
}
