/* The answer a reader wants first, from a run's decision outputs: which arm
 * (the highest mean NPV for society against the reference, or the
 * reference itself), how sure, when it breaks even for the municipality and
 * who gains or pays. The text summary and the HTML report print it.
 *
 * Break-even, in every output of the answer: the first year t in which at
 * least half of the draws have broken even (their cumulative discounted
 * net benefit for the municipality is >= 0 from t on), a whole year; NAN
 * when fewer than half have by the end of the horizon. Without a municipal
 * payer there is no municipal break-even; with fewer than 2 draws (a base
 * case) there are no probabilities. */
#ifndef MKBA_REPORT_ANSWER_H
#define MKBA_REPORT_ANSWER_H

#include <stdio.h>
#include "analysis/decision.h"
#include "io/h5out.h"
#include "report/report.h"

typedef struct mkba_answer {
    size_t best;                 /* arm index; the reference when no arm beats it */
    int keep_reference;          /* 1: no arm has a higher mean NPV */
    size_t alternative;          /* the non-reference arm with the highest mean NPV
                                    (best itself unless keep_reference); the
                                    reference when it is the only arm */
    size_t society, municipality;/* perspective indices */
    int has_municipality;        /* 1: some payer is municipal (else the
                                    municipality's entries are NAN) */
    int uncertain;               /* 1: at least 2 draws (else a base case: no
                                    probabilities) */
    /* Per arm (the reference's entries: NPV 0, the rest NAN): society's NPV
     * mean and 95% interval, P(rank 1 by NPV), P(NPV > 0) (NAN when the
     * file holds no per-draw NPV or has one draw), the municipality's
     * break-even year as defined above, the share of draws broken even by
     * then, and the share not within the horizon. */
    double *npv, *npv_lo, *npv_hi, *p_best, *p_positive, *be_year, *be_share, *be_never;
    double horizon_years;
} mkba_answer;

/* Computes the answer for the run whose totals t and decision outputs d
 * were read from `path` (the per-draw NPV from /analysis/cashflow). */
mkba_answer *mkba_answer_alloc(const char *path, const mkba_h5_totals *t,
                               const mkba_decision *d, mkba_error *err);
void mkba_answer_free(mkba_answer *a);

/* The mean net position of payer p under arm a (payer table). */
double mkba_answer_payer_net(const mkba_h5_totals *t, const mkba_decision *d, size_t a,
                             size_t p);

/* 1 when payer p gains under arm a (net > 0.5), -1 when it pays (net <
 * -0.5), 0 otherwise: whole units of money, the rule of "who gains" and
 * "who pays" in every output. */
int mkba_answer_payer_sign(const mkba_h5_totals *t, const mkba_decision *d, size_t a,
                           size_t p);

/* The break-even year of arm a for perspective k as defined above: the
 * first year in which P(broken even by then) >= 1/2 (NAN when none), and
 * that share. */
void mkba_answer_breakeven_year(const mkba_decision *d, size_t k, size_t a, double *year,
                                double *share);

/* The index of perspective `name` in t, or t->nperspectives. */
size_t mkba_answer_perspective(const mkba_h5_totals *t, const char *name);

/* Adds the table "answer" (per arm: society's NPV and interval, P(best),
 * P(NPV > 0), the municipality's break-even year and the share not within
 * the horizon) to r as its first table. */
void mkba_answer_table(mkba_report *r, const mkba_h5_totals *t, const mkba_answer *an);

/* The banner of a calibrated arm (scenario `calibrated_to`): "arm X is
 * tuned to reproduce Y; agreement with Y is not evidence" into buf, for
 * the text summary, every summary format (a note of the answer table) and
 * the report. Returns 1 when arm a of t is calibrated, else 0 with buf
 * empty. */
int mkba_answer_calibration_banner(const mkba_h5_totals *t, size_t a, char *buf, size_t size);
/* Room for a quote of at most MKBA_CALIBRATED_TO_MAX characters (4 bytes
 * each in UTF-8) and "...", and for any banner: the arm's name and the
 * target twice, so quoted, and the words around them. */
#define MKBA_QUOTE_SIZE (4 * MKBA_CALIBRATED_TO_MAX + 4)
#define MKBA_BANNER_SIZE (3 * MKBA_QUOTE_SIZE + 128)

/* Arm a's calibration target as the banners quote it (cut as above) into
 * buf of MKBA_QUOTE_SIZE bytes, or NULL (buf empty) when a is not
 * calibrated: for the report's banner in its own language. */
const char *mkba_answer_calibration_target(const mkba_h5_totals *t, size_t a, char *buf);

/* The answer in a few lines of text, for the top of the text summary. */
void mkba_answer_print(FILE *f, const mkba_h5_totals *t, const mkba_decision *d,
                       const mkba_answer *an);

#endif
