/* What one PSA draw produces: one double array per /draws dataset of the
 * schema (results/datasets.def: the field, its axes and its meaning),
 * row-major over the dataset's axes after `draw`. Per arm and cycle:
 * costs by payer and category, effects, transfers, escalations and, with
 * services, the service outputs; per arm and time point: state occupancy;
 * per arm: totals and the parameter values used. All money and effects
 * are per household that started in the cohort (divide by nothing else),
 * in the scenario's currency and price year. Cycle k (1..T) is stored at
 * index k-1, time point j (0..T) at index j. */
#ifndef MKBA_RESULTS_RESULT_H
#define MKBA_RESULTS_RESULT_H

#include <stddef.h>
#include "model/model.h"

/* Fixed household batches per draw, for Monte Carlo standard errors by
 * batch means (/draws/batches, docs/output.md). */
#define MKBA_RESULT_BATCHES 20

/* The Monte Carlo standard error of the weighted mean of batch values
 * f[0..nb) with batch households n[0..nb): sqrt(B / (B - 1) sum_b w_b^2
 * (f_b - f)^2), w_b = n_b / H, f = sum_b w_b f_b (analysis/mcse.h); NaN
 * when nb < 2 or no households. */
double mkba_mcse_batches(const double *f, const double *n, size_t nb);

/* "For whom" (issue 13, docs/decision.md): the household groups of
 * /draws/groups, by the household's starting state in the reference arm:
 * no problem, then its severity class (light, medium, heavy) and, as a
 * second partition of the same households, its number of problem domains
 * (single, multiple, multi-problem). Names in mkba_result_groups. */
#define MKBA_RESULT_GROUPS 7
extern const char *const mkba_result_groups[MKBA_RESULT_GROUPS];

typedef struct mkba_draw_result {
    /* The axis sizes; npoints = ncycles + 1, nstates_total = the states of
     * all domains end to end, nteams = 0 without services. */
    size_t narms, ncycles, npoints;
    size_t npayers, neffects, nstates_total, nparams;
    size_t ncategories, ndomains, nteams, nbatches, ngroups;
    /* 1 when the scenario has services: only then are the arrays of
     * /draws/services allocated (else NULL). */
    int services;
    /* 1 when the scenario has a population block: only then are the
     * arrays of /draws/budget allocated (else NULL). */
    int population;
#define MKBA_RECORD(field, name, axes, when, units, description) double *field;
#include "results/datasets.def"
} mkba_draw_result;

/* Allocates a zeroed result sized for `m`. Returns NULL when out of
 * memory, having freed whatever it had allocated. */
mkba_draw_result *mkba_draw_result_alloc(const mkba_model *m);
void mkba_draw_result_free(mkba_draw_result *r);

/* The sizes of r's axes, indexed by mkba_axis (results/schema.h); 0 for
 * axes a draw does not have. */
void mkba_draw_result_shape(const mkba_draw_result *r, size_t *n);

/* The record as one flat array of doubles, every array of the schema that
 * r holds in schema order: its length, and copies out of and into r (a
 * record of the same model). The form in which a record travels between
 * processes and into the checkpoint. */
size_t mkba_draw_result_nvalues(const mkba_draw_result *r);
void mkba_draw_result_pack(const mkba_draw_result *r, double *out);
void mkba_draw_result_unpack(mkba_draw_result *r, const double *in);

#endif
