/* Writing and reading mkba result files (HDF5). The schema is documented in
 * docs/output.md; this module is its only writer and reader. */
#ifndef MKBA_IO_H5OUT_H
#define MKBA_IO_H5OUT_H

#include <stddef.h>
#include <stdint.h>
#include "mkba/error.h"
#include "model/model.h"
#include "results/result.h"

/* Facts about a run stored as root attributes besides the model's own. */
typedef struct mkba_run_meta {
    uint64_t seed;
    long draws;             /* PSA draws; 0 = one base-case draw stored */
    long households;        /* per draw; 0 in cohort mode */
    int threads;
    const char *mode;       /* "microsimulation" | "cohort" */
    const char *base_case;  /* "none" | "mean" | "mode" */
    /* 1: the per-draw datasets without deflate, for a scratch file read
     * back at once (the refinement's steps); 0: deflated when the library
     * has the filter. */
    int uncompressed;
} mkba_run_meta;

typedef struct mkba_h5_writer mkba_h5_writer;

/* Creates `path`.tmp (fails with MKBA_EEXIST when `path` exists and force is
 * 0), writes root attributes and the fixed label datasets, and creates the
 * per-draw datasets sized for `nstored` draws (0: empty, for a study that
 * keeps only what it derives from its points, such as mkba sa sobol). */
mkba_h5_writer *mkba_h5_create(const char *path, int force, const mkba_model *m,
                               const mkba_run_meta *meta, size_t nstored,
                               mkba_error *err);

/* Writes draw `index` (0-based) of every per-draw dataset. */
int mkba_h5_write_draw(mkba_h5_writer *w, size_t index,
                       const mkba_draw_result *r, mkba_error *err);

/* Records that stored draw `index` is PSA draw number `draw` in
 * /draws/draw_index. Without this call stored draw i is labelled draw i,
 * right when one process stores every draw; a process that runs draws
 * [first, first + n) calls it with draw = first + index. */
int mkba_h5_set_draw_index(mkba_h5_writer *w, size_t index, long draw,
                           mkba_error *err);

/* Finishes the draws: checks that every stored draw was written (else
 * MKBA_EINTERNAL) and closes the HDF5 file, flushing it, but keeps
 * `path`.tmp and w. Afterwards mkba_h5_tmp_path names a complete file that
 * other functions (mkba_h5_read_totals, mkba_h5_store_open) may open and
 * extend, e.g. with the /analysis group, before mkba_h5_close commits it.
 * No more draws can be written. Calling it twice is harmless. */
int mkba_h5_finish(mkba_h5_writer *w, mkba_error *err);

/* The temporary file's name (`path`.tmp), or NULL for w == NULL. */
const char *mkba_h5_tmp_path(const mkba_h5_writer *w);

/* Closes the file (finishing it first unless mkba_h5_finish was called).
 * With commit set, renames `path`.tmp to `path` (so a complete file appears
 * atomically); otherwise removes the temporary file. Committing fails
 * (MKBA_EINTERNAL, temporary file removed) when a stored draw was never
 * written. Frees w in both cases. */
int mkba_h5_close(mkba_h5_writer *w, int commit, mkba_error *err);

/* The arrays of /draws/services (docs/output.md), as indices into
 * mkba_h5_totals.service and mkba_h5_service_name. */
enum {
    MKBA_H5_SVC_ARRIVALS = 0,
    MKBA_H5_SVC_REACHED,
    MKBA_H5_SVC_SELF_RESOLVED,
    MKBA_H5_SVC_IN_CARE,
    MKBA_H5_SVC_QUEUE,
    MKBA_H5_SVC_MEAN_WAIT,
    MKBA_H5_SVC_DETECTED,
    MKBA_H5_SVC_FTE_USED,
    MKBA_H5_SVC_WITHDRAWN,
    MKBA_H5_NSERVICE
};

/* The dataset names under /draws/services, in the order of the enum above. */
extern const char *const mkba_h5_service_name[MKBA_H5_NSERVICE];

/* Results read back from a file: the labels and the totals, enough for the
 * summary and the decision analyses without touching per-cycle data. */
typedef struct mkba_h5_totals {
    size_t ndraws, narms, npayers, neffects, ncycles;
    char **arm, **payer, **effect, **effect_unit;  /* names */
    /* [A] the target each arm was tuned to reproduce, "" when it was not;
     * NULL for a file written before /labels/arm_calibrated_to existed. */
    char **arm_calibrated_to;
    /* /labels/blend_shares, [arm][arm]: row a is arm a's share of each arm
     * (1 on the diagonal of a simulated arm); NULL without blended arms. */
    double *blend_share;
    int *effect_monetary;
    int reference;
    double cycle_years;
    char *currency; int price_year;
    double rate_costs, rate_effects;
    /* [draw][arm][payer] and [draw][arm][effect], discounted and not */
    double *cost_total_disc, *cost_total, *effect_total_disc, *effect_total;
    /* [draw][arm][cycle][payer] and [draw][arm][cycle][effect], discounted
     * and not (named *_undisc: `effect` already names the effects) */
    double *cost_disc, *effect_disc, *cost_undisc, *effect_undisc;
    /* [draw][arm][payer]: the part of cost_total(_disc) that is transfers
     * (+ for the payer, - for the recipient). NULL in a record built by
     * hand means no transfers. */
    double *transfer_total_disc, *transfer_total;

    /* Run facts (root attributes). draws: PSA draws of the run, 0 = base
     * case; households: per draw, 0 in cohort mode. */
    char *scenario_name, *mode, *base_case;
    long draws, households;
    /* "written" when /analysis is in the file, else why it is not. */
    char *analysis_status;
    /* The study (root attributes; NULL when absent): design "psa",
     * "base_case" or "points"; for a points design the draw whose random
     * numbers every point used; the values fixed by --set, as text. */
    char *design, *design_draw, *fixed;

    /* Settings and labels of the decision outputs (docs/output.md). */
    int *effect_lower_is_better;  /* [E] 1: less of the effect is better */
    int *effect_payer;            /* [E] payer gaining a monetary effect, -1: nobody
                                     in particular (counts for society only) */
    int *effect_category;         /* [E] MKBA category (mkba_effect_category) */
    int *payer_municipal;         /* [P] 1: part of the municipality */
    int *payer_category;          /* [P] MKBA category of the payer's savings */
    size_t nperspectives;         /* K: society, municipality, each payer, the
                                     scenario's own */
    char **perspective;           /* [K] names */
    int *perspective_payers;      /* [K][P] 1 when the payer counts */
    size_t nwtp;
    double *wtp;                  /* [W] willingness to pay per unit of the
                                     primary effect */
    int primary_effect;           /* effect index, or -1: compare money only */
    double population;            /* households per year (population EVPI) */
    int population_years;
    double optimism_bias, deadweight;
    int residual_years;           /* years the last year continues in the MKBA
                                     table (0: none, and in older files) */
    int last_cycle_partial;       /* 1: the timing's half-cycle correction
                                     weighs the last cycle's occupancy by
                                     1/2 (or 3/2), so it is not a full cycle */
    int health_effect;            /* effect valued in money in the MKBA table
                                     (analysis.health_value), -1 none */
    double health_value;          /* money per unit of it */
    char *health_value_source;    /* its source; NULL in older files */
    size_t npm;
    char **pm_item;               /* [npm] non-monetised effects (PM items) */

    /* Cost categories (/labels/cost_categories) and the costs by category,
     * [draw][arm][cycle][category], discounted and not; summed over payers,
     * transfers included. NULL with ncategories 0 in a record built by hand. */
    size_t ncategories;
    char **category;
    double *cost_category_disc, *cost_category_undisc;
    /* 1 when the file has service outputs (/draws/services). */
    int services;

    /* Domains (/labels/domains) and /draws/escalations, entries into
     * second-line states per starting household, [draw][arm][cycle][domain].
     * NULL with ndomains 0 in a record built by hand. */
    size_t ndomains;
    char **domain;
    double *escalations;
    /* When services is 1, /draws/services/NAME for each NAME of
     * mkba_h5_service_name, [draw][arm][cycle] each; otherwise NULL.
     * withdrawn is NULL also in a file written before it existed. */
    double *service[MKBA_H5_NSERVICE];

    /* The teams of the service pathways (/labels/teams), when services is
     * 1; otherwise nteams 0 and every pointer below NULL. arm_teams
     * [arm][team]: 1 when the arm runs the team. From /draws/parameters:
     * the team's fte and caseload parameters, [draw][arm][team], and the
     * population the teams serve (services.population), [draw][arm]; NaN
     * where the file names no parameter (a file without
     * /labels/team_caseload_parameter has no caseloads).
     * /draws/services/team_in_care and team_queue, per starting household,
     * [draw][arm][cycle][team]; both NULL in a file without them. */
    /* Household batches for Monte Carlo standard errors (/draws/batches):
     * [draw][batch] households and [draw][batch][arm][payer] /
     * [draw][batch][arm][effect] discounted totals per batch. nbatches 0
     * and NULL in a file without them or a record built by hand. */
    size_t nbatches;
    double *batch_households, *batch_cost_total_disc, *batch_effect_total_disc;

    size_t nteams;
    char **team;
    int *arm_teams;
    double *team_fte, *team_caseload, *service_population;
    double *team_in_care, *team_queue;
} mkba_h5_totals;

/* The default willingness-to-pay grid written when a scenario gives none
 * (money per unit of the primary effect). */
#define MKBA_DEFAULT_NWTP 7
extern const double mkba_default_wtp[MKBA_DEFAULT_NWTP];

/* The perspectives a result file holds, derived from the model: "society"
 * (every payer), "municipality" (the municipal payers: payer_def[p].municipal,
 * or, without payer_def, payers whose name starts with "gemeente"), one per
 * payer, then the scenario's own (analysis.perspective). A name already
 * taken gets a prefix ("payer:NAME", "perspective:NAME"). On success
 * *names gets K strings (free with mkba_h5_strings_free) and *mask K x P
 * ints (free). Returns MKBA_OK or MKBA_ENOMEM. */
int mkba_h5_perspectives_of(const mkba_model *m, char ***names, int **mask,
                            size_t *count, mkba_error *err);

/* The payer gaining monetary effect e of m, or -1: society at large. */
int mkba_h5_effect_payer(const mkba_model *m, size_t e);

/* Whether payer p of m is municipal (see mkba_h5_perspectives_of). */
int mkba_h5_payer_municipal(const mkba_model *m, size_t p);

/* Named arrays in a result file, for outputs derived from the draws (the
 * /analysis and /design groups): created, extended and read by path. Every
 * array written must be listed in the schema (results/datasets.def) with
 * that rank and type, and gets the schema's axes, units and description
 * attributes; money units name the file's currency and price year. Writing
 * a dataset the schema does not list fails with MKBA_EINTERNAL. */
typedef struct mkba_h5_store mkba_h5_store;

/* Opens an existing result file, for writing when `writable` is set (the
 * file must then have the root attributes currency and price_year). */
mkba_h5_store *mkba_h5_store_open(const char *path, int writable, mkba_error *err);

/* Closes and frees s (safe on NULL); MKBA_EIO when flushing fails. */
int mkba_h5_store_close(mkba_h5_store *s, mkba_error *err);

/* Creates group `name` (an absolute path; missing parents are created)
 * with a description attribute. */
int mkba_h5_store_group(mkba_h5_store *s, const char *name, const char *description,
                        mkba_error *err);

/* Writes dataset `name` of shape dims[0..rank) (rank 1..4) from v
 * (row-major), float64 or int32. A dims entry may be 0. */
int mkba_h5_store_doubles(mkba_h5_store *s, const char *name, int rank,
                          const size_t *dims, const double *v, mkba_error *err);
int mkba_h5_store_ints(mkba_h5_store *s, const char *name, int rank,
                       const size_t *dims, const int *v, mkba_error *err);

/* Writes one slab, index i of the first axis, of dataset `name` of shape
 * dims[0..rank): v holds dims[1] x ... values. The dataset is created on
 * the first call for it (any i), so callers can fill big arrays piece by
 * piece. */
int mkba_h5_store_doubles_slab(mkba_h5_store *s, const char *name, int rank,
                               const size_t *dims, size_t i, const double *v,
                               mkba_error *err);
int mkba_h5_store_ints_slab(mkba_h5_store *s, const char *name, int rank,
                            const size_t *dims, size_t i, const int *v, mkba_error *err);

/* Writes a string dataset of n entries. */
int mkba_h5_store_strings(mkba_h5_store *s, const char *name, const char *const *v,
                          size_t n, mkba_error *err);

/* Sets (or replaces) string attribute `name` of object `object` ("/" for
 * the root). */
int mkba_h5_store_attr(mkba_h5_store *s, const char *object, const char *name,
                       const char *value, mkba_error *err);

/* Whether object `name` exists. */
int mkba_h5_store_has(mkba_h5_store *s, const char *name);

/* Reads dataset `name`, which must have exactly shape dims[0..rank), into
 * v. MKBA_EPARSE (naming the file and dataset) when it is missing or
 * differently shaped. */
int mkba_h5_store_read_doubles(mkba_h5_store *s, const char *name, int rank,
                               const size_t *dims, double *v, mkba_error *err);
int mkba_h5_store_read_ints(mkba_h5_store *s, const char *name, int rank,
                            const size_t *dims, int *v, mkba_error *err);

/* Reads string dataset `name` into *out (free with mkba_h5_strings_free
 * of io/h5util.h, or mkba_h5_store_strings_free) and its length *n. */
int mkba_h5_store_read_strings(mkba_h5_store *s, const char *name, char ***out, size_t *n,
                               mkba_error *err);
void mkba_h5_store_strings_free(char **v, size_t n);

/* Length of the first axis of dataset `name`; 0 when absent. */
size_t mkba_h5_store_length(mkba_h5_store *s, const char *name);

/* String attribute `name` of `object` into *out (the caller frees it with
 * mkba_free); *out NULL when the object or attribute is absent. An error
 * when it exists but cannot be read. */
int mkba_h5_store_read_attr(mkba_h5_store *s, const char *object, const char *name,
                            char **out, mkba_error *err);

/* Whole-number attribute `name` of `object` into *out with *found = 1;
 * *found = 0 and *out untouched when the object or attribute is absent.
 * MKBA_EPARSE, saying why, when it exists but is not one integer >= 0
 * (a string, an array, a negative number); *out is then untouched. */
int mkba_h5_store_read_attr_u64(mkba_h5_store *s, const char *object, const char *name,
                                uint64_t *out, int *found, mkba_error *err);

int mkba_h5_read_totals(const char *path, mkba_h5_totals **out, mkba_error *err);
void mkba_h5_totals_free(mkba_h5_totals *t);

#endif
