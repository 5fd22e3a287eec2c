/* The answer a reader wants first, from a run's decision outputs: which arm
 * (the highest mean NPV for society against the reference, or the
 * reference itself), how sure, when it pays back for the municipality and
 * who gains or pays. The text summary and the HTML report print it. */
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
    /* Per arm (the reference's entries: NPV 0, the rest NAN): society's NPV
     * mean and 95% interval, P(rank 1 by NPV), P(NPV > 0) (NAN when the
     * file holds no per-draw NPV), the municipality's median break-even
     * year (NAN: not within the horizon in most draws) and its share of
     * draws not within the horizon. */
    double *npv, *npv_lo, *npv_hi, *p_best, *p_positive, *be_median, *be_never;
    double horizon_years;
} mkba_answer;

/* Computes the answer for the run whose totals t and decision outputs d
 * were read from `path` (the per-draw NPV from /analysis/cashflow). */
mkba_answer *mkba_answer_alloc(const char *path, const mkba_h5_totals *t,
                               const mkba_decision *d, mkba_error *err);
void mkba_answer_free(mkba_answer *a);

/* The mean net position of payer p under arm a (payer table), for "who
 * gains" (> 0.5) and "who pays" (< -0.5): whole units of money. */
double mkba_answer_payer_net(const mkba_h5_totals *t, const mkba_decision *d, size_t a,
                             size_t p);

/* Adds the table "answer" (per arm: society's NPV and interval, P(best),
 * P(NPV > 0), the municipality's break-even) to r as its first table. */
void mkba_answer_table(mkba_report *r, const mkba_h5_totals *t, const mkba_answer *an);

/* The answer in a few lines of text, for the top of the text summary. */
void mkba_answer_print(FILE *f, const mkba_h5_totals *t, const mkba_decision *d,
                       const mkba_answer *an);

#endif
