/* Every decision output of a result file (issue 4), computed from its
 * stored draws: cash flows and break-even per perspective, who pays and
 * who gains, the efficiency frontier, CEAC, ranks and EVPI, and the MKBA
 * table. Definitions are in docs/decision.md; the datasets that hold them
 * in the file (group /analysis) in docs/output.md.
 *
 * mkba_decision_alloc computes from an mkba_h5_totals (no file access);
 * decision_file.c writes the result into a file and reads it back. */
#ifndef MKBA_ANALYSIS_DECISION_H
#define MKBA_ANALYSIS_DECISION_H

#include <stddef.h>
#include "mkba/error.h"
#include "io/h5out.h"
#include "analysis/breakeven.h"
#include "analysis/mkba_rows.h"

/* Columns of the small per-row statistic blocks. */
enum { MKBA_BE_NEVER = 0, MKBA_BE_MEAN, MKBA_BE_MEDIAN, MKBA_BE_P05, MKBA_BE_P95, MKBA_BE_N };
enum { MKBA_ST_MEAN = 0, MKBA_ST_LO, MKBA_ST_HI, MKBA_ST_N };
enum { MKBA_IR_INVESTMENT = 0, MKBA_IR_RETURNS, MKBA_IR_ROI, MKBA_IR_N };
enum { MKBA_PT_INVESTMENT = 0, MKBA_PT_RETURNS, MKBA_PT_NET, MKBA_PT_NET_LO, MKBA_PT_NET_HI,
       MKBA_PT_P_LOSS, MKBA_PT_N };
enum { MKBA_FR_COST = 0, MKBA_FR_EFFECT, MKBA_FR_ICER, MKBA_FR_INC_COST_REF,
       MKBA_FR_INC_EFFECT_REF, MKBA_FR_INC_COST_PREV, MKBA_FR_INC_EFFECT_PREV, MKBA_FR_N };
enum { MKBA_EV_FRONTIER_PROB = 0, MKBA_EV_PERSON, MKBA_EV_POPULATION, MKBA_EV_N };


/* Payer table rows after the P payers: effects gained by nobody in
 * particular, society (all), the municipality (its payers). */
enum { MKBA_PR_AT_LARGE = 0, MKBA_PR_SOCIETY, MKBA_PR_MUNICIPALITY, MKBA_PR_EXTRA };

/* Frontier status when no frontier was computed (money-only comparison). */
#define MKBA_FRONTIER_NONE (-1)

typedef struct mkba_decision {
    size_t ndraws, narms, npayers, nperspectives, nyears, nwtp;
    int reference;
    /* The effect compared (index into the file's effects), or -1 when
     * arms are compared on money alone: then there is one "wtp" (0) and
     * the value of an arm is its society NPV against the reference. */
    int primary_effect;
    int lower_is_better;        /* effects below are oriented "more is better" */
    double *wtp;                /* [W] */

    /* Per perspective k and arm a (the reference arm's entries are NAN). */
    double *net_disc, *net_undisc;   /* [K][A][Y] mean yearly net benefit */
    double *cum_disc, *cum_undisc;   /* [K][A][Y] mean cumulative */
    double *breakeven_by_year;       /* [K][A][Y] P(break-even year <= t) */
    double *breakeven, *payback;     /* [K][A][MKBA_BE_N] */
    double *npv;                     /* [K][A][MKBA_ST_N] */
    double *roi;                     /* [K][A][MKBA_IR_N] means; ROI = mean NPV /
                                        mean investment */
    /* [A][P + MKBA_PR_EXTRA][MKBA_PT_N] who pays and who gains */
    double *payer_table;
    /* The cost C of the frontier, NMB, CEAC, ranks and EVPI is society's
     * net cost: the payers' discounted costs less the discounted monetary
     * effects that count for society (production: wages, wage taxes,
     * displacement), so at wtp 0 an arm's NMB less the reference's is its
     * NPV for society, the answer's, in every draw.
     * Frontier on mean net costs and the primary effect. */
    int *frontier_status;            /* [A] mkba_frontier_status or MKBA_FRONTIER_NONE */
    int *frontier_prev;              /* [A] next cheaper frontier arm or -1 */
    double *frontier;                /* [A][MKBA_FR_N] */
    /* Acceptability at each wtp. */
    double *nmb_mean, *ceac;         /* [W][A] */
    double *rank;                    /* [W][A][A] share of draws arm a has rank r+1 */
    int *frontier_arm;               /* [W] acceptability frontier */
    double *evpi;                    /* [W][MKBA_EV_N] */
    /* Ranking on society's NPV against the reference (money only). */
    double *rank_npv;                /* [A][A] */
    double *evpi_npv;                /* [1] EVPI of the NPV choice, per household */
    /* [A][MKBA_ROW_N][MKBA_ST_N] the MKBA table against the reference. */
    double *mkba;
} mkba_decision;

/* Called once per perspective k with its per-draw cash flows (so a caller
 * can store them without keeping all perspectives in memory). Returns an
 * mkba_status; anything but MKBA_OK stops the computation. */
typedef int (*mkba_decision_flow_fn)(void *user, size_t k, const mkba_cashflow *c,
                                     mkba_error *err);

/* Allocates a decision record of the given sizes, every array zeroed
 * (for readers). Returns NULL with err set on MKBA_ENOMEM. */
mkba_decision *mkba_decision_new(size_t ndraws, size_t narms, size_t npayers,
                                 size_t nperspectives, size_t nyears, size_t nwtp,
                                 mkba_error *err);

/* Computes every decision output of t (which needs labels, settings and
 * the per-cycle and total arrays of mkba_h5_read_totals). flow may be NULL.
 * Returns NULL with err set: MKBA_EINVAL for a totals record without draws
 * or arms, a bad reference, a cycle length that does not divide a year or
 * non-finite results in the file; MKBA_ENOMEM; or flow's error. */
mkba_decision *mkba_decision_alloc(const mkba_h5_totals *t, mkba_decision_flow_fn flow,
                                   void *user, mkba_error *err);

void mkba_decision_free(mkba_decision *d);

/* Writes the decision outputs of the result file `path` (its draws read
 * back) into its group /analysis and sets the root attribute
 * analysis_status to "written". On error the file may hold part of
 * /analysis: callers discard it (mkba_run removes the temporary file). */
int mkba_decision_store(const char *path, mkba_error *err);

/* Reads the decision outputs of the file whose totals t were read from
 * `path`: from /analysis when t->analysis_status is "written", else
 * computed from the draws. Returns MKBA_OK with *out set, or an error
 * (MKBA_EPARSE for a malformed /analysis). */
int mkba_decision_load(const char *path, const mkba_h5_totals *t, mkba_decision **out,
                       mkba_error *err);

#endif
