/* The outcomes a sensitivity analysis reads from one evaluated point: per
 * arm, against the reference arm, in the definitions of the decision
 * outputs (docs/decision.md), so a tornado bar and the summary's NPV mean
 * the same thing.
 *
 *   npv:P            net present value for perspective P (society,
 *                    municipality, each payer, the scenario's own)
 *   breakeven:P      break-even year for P (1..Y; +inf: not within Y)
 *   incremental_cost discounted society cost minus the reference's
 *   incremental_effect  discounted primary effect minus the reference's
 *   icer             incremental_cost / incremental_effect against the
 *                    reference (not the frontier ICER of the decision
 *                    outputs)
 *   cost:PAYER       the arm's own discounted cost of the payer
 *   effect:EFFECT    the arm's own discounted effect
 *
 * Everything is per starting household, in the scenario's currency and
 * price year, over the model's horizon and at its discount rates (a sweep
 * over them runs a model with its timing changed, src/sa/sweep.c). */
#ifndef MKBA_SA_OUTCOME_H
#define MKBA_SA_OUTCOME_H

#include <stddef.h>
#include "mkba/error.h"
#include "model/model.h"
#include "results/result.h"

typedef struct mkba_sa_outcomes mkba_sa_outcomes;

mkba_sa_outcomes *mkba_sa_outcomes_alloc(const mkba_model *m, mkba_error *err);
void mkba_sa_outcomes_free(mkba_sa_outcomes *o);

/* Number of outcomes and their names and units. */
size_t mkba_sa_outcome_count(const mkba_sa_outcomes *o);
const char *mkba_sa_outcome_name(const mkba_sa_outcomes *o, size_t i);
const char *mkba_sa_outcome_unit(const mkba_sa_outcomes *o, size_t i);

/* 1 when the outcome is a mean over households linear in the totals, so
 * it has a Monte Carlo standard error by batch means (not break-even
 * years or ICERs). */
int mkba_sa_outcome_linear(const mkba_sa_outcomes *o, size_t i);

/* Index of outcome `name`, or -1 with err naming the closest and listing
 * the kinds. `what` starts the message ("--outcome"). */
int mkba_sa_outcome_find(const mkba_sa_outcomes *o, const char *what, const char *name,
                         mkba_error *err);

/* Evaluates every outcome of record r (of the model o was made for) into
 * out[arm][outcome]. The reference arm's incremental outcomes are 0 and
 * its break-even and ICER NaN. batch (may be NULL) receives the batch
 * values of the linear outcomes, [batch][arm][outcome] (NaN for the
 * others), and households[batch] the batch sizes; nbatches is
 * r->nbatches. Not thread-safe (work buffers). */
int mkba_sa_outcomes_eval(mkba_sa_outcomes *o, const mkba_draw_result *r, double *out,
                          double *batch, double *households, mkba_error *err);

#endif
