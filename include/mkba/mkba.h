/* mkba: social cost-benefit analysis (MKBA) of integrated social services by
 * Monte Carlo microsimulation. The public API: load a scenario, run it,
 * write results to HDF5. */
#ifndef MKBA_MKBA_H
#define MKBA_MKBA_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "mkba/context.h"
#include "mkba/error.h"
#include "mkba/rng.h"

#define MKBA_VERSION "0.1.0"

/* GSL's default error handler aborts the process. mkba checks every GSL
 * result itself, so a program using mkba must call
 * gsl_set_error_handler_off() once at the start of main, before any run. */

typedef struct mkba_model mkba_model;

/* Loads and checks the scenario at `path` (ctx: its allocator, NULL for
 * the defaults; the model keeps it for mkba_model_free). See
 * src/model/scenario.h for the full contract. */
int mkba_scenario_load(const mkba_context *ctx, const char *path, mkba_model **out,
                       mkba_error *err);
void mkba_model_free(mkba_model *m);
void mkba_model_print(const mkba_model *m, FILE *f);

/* Prints to f one line per thing in a loaded model that is allowed but
 * probably not meant, each starting "mkba: warning: FILE:LINE: ", and
 * returns how many (0 when m or f is NULL). A state that is certainly
 * absorbing (absorbing = true, or no transition rule from it gives a
 * non-zero probability or rate in any arm) but is not an exit state, and
 * that no cost or effect rule of its own names with an amount other than
 * a fixed 0: households there stay in the model and keep counting in the
 * per-household means. And, defined in the scenario's own file (not an
 * @include library), a parameter, team or payer that nothing uses. See
 * src/model/model_warnings.c and docs/scenario.md, "Warnings". */
int mkba_model_warnings(const mkba_model *m, FILE *f);

typedef enum mkba_mode { MKBA_MODE_MICRO = 0, MKBA_MODE_COHORT } mkba_mode;


/* What a run's checkpoint OUTPUT.ckpt gave and kept (docs/reliability.md),
 * filled in by mkba_run and mkba_sa_run when their options point to one:
 * a caller tells a resumable stop from the numbers, not from a message. */
typedef struct mkba_checkpoint_info {
    long resumed;      /* points (draws, design points) taken from it at the start */
    long kept;         /* after a stop (MKBA_EINTERRUPTED, or a write that failed
                          for want of room): the finished points it keeps for a
                          run with resume; 0: none */
    long total;        /* the points of the study that stopped */
    const char *unit;  /* "draws" or "design points" (static); NULL until kept */
    int unflushed;     /* kept (kept > 0) but its flush failed: its newest
                          points may not have reached the disk (a resume
                          checks each and continues from the last whole
                          one; the error's message says so) */
} mkba_checkpoint_info;

typedef struct mkba_run_options {
    const char *output;       /* HDF5 path; NULL = do not write */
    int force;                /* overwrite an existing output */
    long draws;               /* < 0: the scenario's run.draws; 0: the base case */
    long households;          /* < 0: the scenario's run.households */
    int seed_set;             /* use `seed` instead of the scenario's */
    uint64_t seed;
    mkba_mode mode;
    /* Run only draws [first_draw, first_draw + ndraws_part) of `draws`; for
     * splitting work across processes. ndraws_part <= 0: all draws. */
    long first_draw, ndraws_part;
    /* Fixed parameter values for the run (mkba run --set): set_name[i] is
     * NAME, which fixes the scenario's own definition of parameter NAME
     * (every arm that overrides it keeps its override, as if the scenario
     * file said NAME = value), or NAME@ARM, which fixes it in arm ARM.
     * Every other parameter keeps its own draws. An unknown name or arm is
     * an error naming the closest. */
    size_t nset;
    const char *const *set_name;
    const double *set_value;
    /* 1 (the default): when the file holds every draw, add the decision
     * outputs (break-even, who pays and who gains, frontier, CEAC, EVPI,
     * MKBA table) as the group /analysis before the file is committed. */
    int analyse;
    /* 1: continue from the checkpoint OUTPUT.ckpt that an interrupted run
     * of the same scenario and options left (docs/reliability.md), or
     * start afresh when there is none. 0: an existing checkpoint is
     * refused, or discarded with force. */
    int resume;
    /* When not NULL, receives what the checkpoint gave and kept. */
    mkba_checkpoint_info *checkpoint;
    /* 1: keep no checkpoint (saves its disk space; an interrupted run
     * starts over). Not with resume. */
    int no_checkpoint;
    /* Write a result file estimated above 2 GiB (mkba run --yes); 0 (the
     * default): refuse it before the run, giving the estimate. */
    int yes;
} mkba_run_options;

/* Sets every option to its default (scenario values, all draws, no output,
 * analyses on). */
void mkba_run_options_init(mkba_run_options *o);

/* Runs the model with ctx's allocator, threads and progress callback (NULL:
 * the defaults) and, when o->output is set, writes the result file (to a
 * temporary name, renamed when complete). The output path is checked before
 * any work (its folder exists and is writable; it is not a folder; an
 * existing file needs force), and locked: a second run of the same output
 * is refused while one runs. Finished draws are checkpointed in
 * OUTPUT.ckpt; an interrupted run (MKBA_EINTERRUPTED) keeps it for a run
 * with o->resume. Returns MKBA_OK or an error code with err filled in; on
 * error no output file is left behind. */
int mkba_run(const mkba_context *ctx, const mkba_model *m, const mkba_run_options *o,
             mkba_error *err);

/* ---- reading a result file ---- */

typedef enum mkba_summary_format {
    MKBA_SUMMARY_TEXT = 0,    /* aligned text for a terminal */
    MKBA_SUMMARY_CSV,
    MKBA_SUMMARY_MARKDOWN,
    MKBA_SUMMARY_JSON,
    MKBA_SUMMARY_TIDY,        /* one long CSV of the per-draw values (docs/reading.md) */
    MKBA_SUMMARY_XLSX         /* a workbook, one sheet per table; needs a file */
} mkba_summary_format;

/* Reads result file `path` and writes its summary to out: in text the
 * per-arm summary and the decision tables, in the other formats the same
 * content as tables. perspective: show the cash flows and break-even of
 * this perspective only (society, municipality, a payer or the scenario's
 * own); NULL: all. An unknown perspective is an error listing the known
 * ones and the closest. */
int mkba_summary_write(const mkba_context *ctx, const char *path, mkba_summary_format format,
                       const char *perspective, FILE *out, mkba_error *err);

/* What mkba_summary_export writes. */
typedef struct mkba_summary_options {
    mkba_summary_format format;
    const char *perspective;  /* as mkba_summary_write; NULL: all */
    const char *table;        /* only the table with this id; NULL: all */
    int csv_nl;               /* csv and tidy: ';' separator, decimal comma */
    const char *output;       /* write this file (replaced only when complete);
                                 NULL: the stream out. xlsx needs one */
    const char *folder;       /* csv: one file ID.csv per table in this folder
                                 (created when missing) instead of one file */
    int brief;                /* text: the answer only (one screen) */
} mkba_summary_options;

/* Text format, everything, plain CSV, to the stream. */
void mkba_summary_options_init(mkba_summary_options *o);

/* mkba_summary_write with the options of `o`: one table, a folder of CSV
 * files, the long (tidy) format, Dutch CSV, a workbook. An unknown table
 * id is an error listing the ids. No output file is left behind on error. */
int mkba_summary_export(const mkba_context *ctx, const char *path,
                        const mkba_summary_options *o, FILE *out, mkba_error *err);

/* ---- the HTML report ---- */

typedef struct mkba_html_options {
    const char *output;       /* the HTML file (replaced only when complete) */
    const char *lang;         /* "nl" or "en"; NULL: Dutch for a scenario with
                                 payers named gemeente..., else English */
} mkba_html_options;

/* Writes one self-contained HTML file (charts as embedded SVG images, no
 * scripts, no links out) from result file `path` only: the answer first,
 * then the charts and every table of the summary (docs/report.md). The
 * charts are drawn by tools/mkba_plots.py with python3, matplotlib and
 * h5py; without them it fails with a message naming the packages and
 * writes no file. */
int mkba_report_html(const mkba_context *ctx, const char *path, const mkba_html_options *o,
                     mkba_error *err);

/* The same report printed to PDF (A4) by headless Chromium; o->output is
 * the PDF file. Needs chromium besides what mkba_report_html needs. */
int mkba_report_pdf(const mkba_context *ctx, const char *path, const mkba_html_options *o,
                    mkba_error *err);

#endif
