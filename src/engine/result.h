/* What one PSA draw produces: per arm and cycle, costs by payer, effects and
 * state occupancy; per arm, discounted and undiscounted totals; the
 * parameter values used. All money and effects are per household that
 * started in the cohort (divide by nothing else), in the scenario's
 * currency and price year. */
#ifndef MKBA_ENGINE_RESULT_H
#define MKBA_ENGINE_RESULT_H

#include <stddef.h>
#include "model/model.h"

typedef struct mkba_draw_result {
    size_t narms, ncycles, npoints; /* npoints = ncycles + 1 (times 0..T) */
    size_t npayers, neffects, nstates_total, nparams;
    /* [arm][cycle][payer]: cycle k (1..T) stored at index k-1 */
    double *cost, *cost_disc;
    /* [arm][cycle][effect] */
    double *effect, *effect_disc;
    /* [arm][point][state]: share of starting households in each domain state
     * at time j (j = 0..T); states of all domains laid end to end in model
     * order; households that left via another domain's exit state are in
     * none of that domain's states. */
    double *occupancy;
    /* [arm][payer], [arm][effect]: sums over cycles */
    double *cost_total, *cost_total_disc;
    double *effect_total, *effect_total_disc;
    /* [arm][cycle][payer] and [arm][payer]: the part of cost (cost_disc,
     * cost_total, cost_total_disc) that is transfers (cost rules with
     * transfer_to): positive for the paying payer, negative for the
     * recipient, so it sums to zero over payers. cost minus transfer is
     * what a payer's resources change by, which the benefit-cost analyses
     * need (docs/summary.md). */
    double *transfer, *transfer_disc;
    double *transfer_total, *transfer_total_disc;
    /* [arm][cycle][category]: costs by cost category (mkba_model.category),
     * summed over payers; a transfer counts once, as its payer's spending
     * (the recipient's gain is not subtracted) */
    size_t ncategories;
    double *cost_category, *cost_category_disc;
    /* [arm][cycle][domain]: entries into second-line states per household */
    size_t ndomains;
    double *escalations;
    /* Service outputs, when the scenario has services (else NULL), per arm
     * and cycle ([arm][cycle]), per household of the starting cohort except
     * where a unit is given: */
    int services;
    double *svc_arrivals;      /* households asking for help */
    double *svc_reached;       /* households admitted to care */
    double *svc_self_resolved; /* resolved by own strength or network */
    double *svc_in_care;       /* in care at the end of the cycle */
    double *svc_queue;         /* waiting at the end of the cycle */
    double *svc_mean_wait;     /* years waited by those admitted (NaN: none) */
    double *svc_detected;      /* problems found at intake besides the question */
    double *svc_fte_used;      /* FTE, for the scenario's population */
    double *svc_withdrawn;     /* left a queue without admission (solved, or gone) */
    /* [arm][cycle][team]: in care with, and waiting for, each team at the
     * end of the cycle (0 for teams the arm does not run) */
    size_t nteams;
    double *svc_team_in_care, *svc_team_queue;
    /* [arm][param]: parameter values of this draw */
    double *params;
} mkba_draw_result;

mkba_draw_result *mkba_draw_result_alloc(const mkba_model *m);
void mkba_draw_result_free(mkba_draw_result *r);

#endif
