/* Writing and reading mkba result files (HDF5). The schema is documented in
 * docs/output.md; this module is its only writer and reader. */
#ifndef MKBA_IO_H5OUT_H
#define MKBA_IO_H5OUT_H

#include <stddef.h>
#include <stdint.h>
#include "mkba/error.h"
#include "model/model.h"
#include "engine/result.h"

/* Facts about a run stored as root attributes besides the model's own. */
typedef struct mkba_run_meta {
    uint64_t seed;
    long draws;             /* PSA draws; 0 = one base-case draw stored */
    long households;        /* per draw; 0 in cohort mode */
    int threads;
    const char *mode;       /* "microsimulation" | "cohort" */
    const char *base_case;  /* "none" | "mean" | "mode" */
} mkba_run_meta;

typedef struct mkba_h5_writer mkba_h5_writer;

/* Creates `path`.tmp (fails with MKBA_EEXIST when `path` exists and force is
 * 0), writes root attributes and the fixed label datasets, and creates the
 * per-draw datasets sized for `nstored` draws. */
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

/* Closes the file. With commit set, renames `path`.tmp to `path` (so a
 * complete file appears atomically); otherwise removes the temporary file.
 * Committing fails (MKBA_EINTERNAL, temporary file removed) when a stored
 * draw was never written. Frees w in both cases. */
int mkba_h5_close(mkba_h5_writer *w, int commit, mkba_error *err);

/* Results read back from a file: the labels and the totals, enough for the
 * summary and the decision analyses without touching per-cycle data. */
typedef struct mkba_h5_totals {
    size_t ndraws, narms, npayers, neffects, ncycles;
    char **arm, **payer, **effect, **effect_unit;  /* names */
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
} mkba_h5_totals;

int mkba_h5_read_totals(const char *path, mkba_h5_totals **out, mkba_error *err);
void mkba_h5_totals_free(mkba_h5_totals *t);

#endif
