/* PRIM scenario discovery: the box of input ranges in which an outcome
 * (a 0/1 per draw, e.g. "the option pays off") is concentrated, found by
 * the patient rule induction method of Friedman & Fisher (1999) with the
 * quasi-p-values of Bryant & Lempert (2010). Method, definitions and how
 * to read the result are in docs/sensitivity/prim.md.
 *
 * A pure function on plain arrays: x is [n][p] row-major (draw, input),
 * y is [n] with values 0 or 1. No I/O, no randomness.
 *
 * A box is a closed interval [lo[j], hi[j]] per input j; a draw is inside
 * when every input lies in its interval. A side that is not restricted
 * has the data's own minimum (lo) or maximum (hi) as its bound, and its
 * bit in `restricted` is clear. With N1 = the number of draws with y = 1:
 *   coverage = (y = 1 draws inside) / N1,
 *   density  = (y = 1 draws inside) / (draws inside),
 *   mass     = (draws inside) / n. */
#ifndef MKBA_ANALYSIS_PRIM_H
#define MKBA_ANALYSIS_PRIM_H

#include <stddef.h>
#include "mkba/error.h"

/* Bits of a box's restricted[j]: which sides of input j the box restricts. */
#define MKBA_PRIM_LOWER 1u  /* lo[j] > the data's minimum of input j */
#define MKBA_PRIM_UPPER 2u  /* hi[j] < the data's maximum of input j */

typedef struct mkba_prim_options {
    /* Peeling: each step removes at least the share alpha of the current
     * box's draws from one side of one input (0 < alpha <= 0.5), and
     * peeling stops when no peel leaves a mass of at least min_mass
     * (0 <= min_mass <= 1). */
    double alpha, min_mass;
    /* The box chosen on the peeling trajectory: of the steps with coverage
     * >= min_coverage and density >= min_density (both in [0, 1]), the one
     * with the highest F = 2 coverage density / (coverage + density), the
     * harmonic mean of the two (the F1 score, density being the precision
     * and coverage the recall of "inside the box" as a prediction of
     * y = 1); the earlier step on a tie. */
    double min_coverage, min_density;
    /* Pasting of the chosen box (Friedman & Fisher's second phase): 0 =
     * none, else each paste adds at least this share of the box's draws
     * (0 < paste_alpha <= 0.5), while the density rises. */
    double paste_alpha;
    /* Restrictions whose quasi-p-value exceeds max_p are dropped from the
     * final box, the least significant first (0 < max_p <= 1; 1 keeps
     * every restriction). */
    double max_p;
} mkba_prim_options;

/* The defaults: alpha 0.05, min_mass 0.05, min_coverage 0.5,
 * min_density 0, paste_alpha 0 (no pasting), max_p 0.05. */
void mkba_prim_options_init(mkba_prim_options *o);

/* One box with its statistics; arrays are [p]. */
typedef struct mkba_prim_box {
    double *lo, *hi;
    unsigned char *restricted;  /* MKBA_PRIM_LOWER | MKBA_PRIM_UPPER bits */
    /* Quasi-p-value of each restricted input: the one-sided binomial
     * probability P(X >= positives), X ~ Binomial(count, d_j), where d_j is
     * the density of the box with input j's restriction (both sides)
     * removed. NaN where the input is not restricted. Small values say the
     * restriction raises the density by more than chance would. */
    double *p_value;
    size_t count, positives;    /* draws inside, y = 1 draws inside */
    double coverage, density, mass;
} mkba_prim_box;

typedef struct mkba_prim {
    size_t n, p, npositive;     /* draws, inputs, draws with y = 1 */
    double *xmin, *xmax;        /* [p] the data's range of each input */
    /* The peeling trajectory; step 0 is the whole data (unrestricted). */
    size_t nsteps;
    double *lo, *hi;            /* [nsteps][p] */
    unsigned char *restricted;  /* [nsteps][p] MKBA_PRIM_LOWER | _UPPER */
    double *coverage, *density, *mass;  /* [nsteps] */
    size_t chosen;              /* the step chosen by the options' rule */
    mkba_prim_box chosen_box;   /* trajectory box `chosen`, with p-values */
    /* The answer: chosen_box pasted (when asked) and without the
     * restrictions that are not significant (p_value > max_p), so inputs
     * that do not matter are unrestricted. */
    mkba_prim_box box;
} mkba_prim;

/* Runs PRIM on x[n][p] and y[n] with options o (NULL: the defaults) and
 * sets *out to the result, to free with mkba_prim_free.
 *
 * Peeling is greedy and deterministic: of the 2p candidate peels (the
 * lowest or highest ceil(alpha m) draws of the m in the box on one input,
 * extended to every draw tied with the last one removed) it takes the one
 * leaving the highest density, ties going to the peel that removes fewer
 * draws, then to the lower input, then to the lower side. A peel that
 * would remove every draw (one value left on that input) is not a
 * candidate. Peeling stops when no candidate keeps mass >= min_mass, or
 * when the density is 1. When every draw has y = 1 the trajectory is the
 * single unrestricted box.
 *
 * Cost: O(p n log n) to sort each column once, then O(p m) per step for a
 * box of m draws; the steps' m fall geometrically (by the share alpha),
 * so peeling is O(p n / alpha) in all. The p-values of a box cost
 * O(n p), pasting O(n p) per paste.
 *
 * On error *out is NULL and the result is MKBA_EINVAL for NULL arrays,
 * n == 0, p == 0, more than UINT_MAX draws, an option out of range, a
 * non-finite x (the message names draw and input, counted from 0), a y
 * other than 0 or 1, no y = 1 at all, or min_density that no box on the
 * trajectory reaches (the message gives the highest density);
 * MKBA_ENOMEM with nothing allocated. */
int mkba_prim_alloc(const double *x, const double *y, size_t n, size_t p,
                    const mkba_prim_options *o, mkba_prim **out, mkba_error *err);

void mkba_prim_free(mkba_prim *r);

#endif
