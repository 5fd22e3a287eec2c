/* The study layer: evaluates a design's points with the engine and stores
 * what comes out.
 *
 * For each point of its range the driver sets the fixed values, samples the
 * rest (mkba_params_sample), calls the engine (mkba_engine_draw), and hands
 * the record to the result writer in point order. When the file holds every
 * point of a PSA or base-case design it then runs the decision analyses on
 * the file (src/analysis/) and commits it under its final name. The split of
 * points into ranges lives here, so a process of a run across machines only
 * chooses its range.
 *
 * Parallelism: a point with many households runs its households in
 * parallel; when points are many and households per point few, the driver
 * runs several points at once, one engine per thread (not the cohort
 * trace, which is serial). Either way every number is identical for any
 * thread count. */
#ifndef MKBA_STUDY_STUDY_H
#define MKBA_STUDY_STUDY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "mkba/error.h"
#include "mkba/mkba.h"
#include "model/model.h"
#include "engine/engine.h"
#include "study/design.h"
#include "mkba/split.h"
#include "study/output_lock.h"

typedef struct mkba_study_options {
    const char *output;        /* result file; NULL: evaluate without storing */
    int force;                 /* overwrite an existing output (and discard a checkpoint) */
    /* Continue from the checkpoint OUTPUT.ckpt of an interrupted run of
     * the same study (study/checkpoint.h); without one, start afresh. */
    int resume;
    /* Receives what the checkpoint gave (points taken from it) and kept
     * (after a stop). NULL: none. */
    mkba_checkpoint_info *checkpoint;
    /* The caller holds the output's lock (mkba_study_lock_output) for
     * longer than the study, e.g. a sensitivity analysis for all its
     * evaluations: the study does not take it again. */
    int output_locked;
    /* Keep no checkpoint (mkba run --no-checkpoint): saves its disk space
     * and writes, but an interrupted study starts over. */
    int no_checkpoint;
    long households;           /* per point (microsimulation) */
    uint64_t seed;
    int threads;               /* >= 1 */
    mkba_engine_mode mode;
    size_t first, count;       /* points [first, first + count); count 0: all */
    int analyse;               /* run the decision analyses into /analysis */
    /* 0: the file holds no /draws rows (labels, settings and /design
     * only), for studies whose points are many and whose callers keep
     * what they need through on_point. 1 (mkba_run): every point's row. */
    int store_draws;
    /* 1: write the draws without deflate (a scratch file read back at
     * once: compressing and decompressing each row is serial work on the
     * calling thread); 0: deflated, as every file a user keeps. */
    int uncompressed;
    /* Called with every evaluated point's record, in point order, on the
     * calling thread (it may allocate); index is the point number. A
     * status other than MKBA_OK stops the study. NULL: none. */
    int (*on_point)(void *user, size_t index, const mkba_draw_result *rec, mkba_error *err);
    /* Called once every point is evaluated, with the temporary result file
     * (NULL when output is NULL), before the analyses and the commit:
     * a caller adds its own groups there, so they land atomically. */
    int (*on_finish)(void *user, const char *tmp_path, mkba_error *err);
    void *user;
    void (*progress)(void *user, double done, double total);
    void *progress_user;
    /* Raised: stop at the next safe point with MKBA_EINTERRUPTED, leaving
     * no file (mkba_context.stop). NULL: never. */
    const volatile sig_atomic_t *stop;
    /* Write a result file estimated above MKBA_STUDY_CONFIRM_BYTES (mkba
     * run --yes); 0: refuse it before the run. */
    int yes;
    /* The ranks of a run across processes (mkba_context.split): a study
     * with an output divides its points among them (study/split.h), and
     * on every rank but 0 it writes nothing and calls neither on_point nor
     * on_finish. NULL: one process. */
    mkba_split *split;
    /* Studies that rank 0's on_finish nests in this one, divided among
     * the ranks too: rank 0 runs them with mkba_study_lead on `followers`
     * (a child of split, mkba_split_child); the other ranks, between their
     * points and the end, run the same studies with the options `follow`
     * (mkba_study_follow). NULL: on_finish nests none, or runs them on
     * rank 0 alone. */
    mkba_split *followers;
    const struct mkba_study_options *follow;
} mkba_study_options;

/* mkba_study_run of a study nested in another's on_finish (follow.c): on
 * rank 0 of o->split (a study's followers) it first sends d to the other
 * ranks, which run it in mkba_study_follow; elsewhere the study alone.
 * d must be a points design with stored points to be divided; another
 * runs on rank 0 alone. */
int mkba_study_lead(const mkba_model *m, const mkba_design *d, const mkba_study_options *o,
                    mkba_error *err);

/* Rank 0: no nested study follows; the other ranks' mkba_study_follow
 * returns. */
int mkba_study_lead_end(mkba_split *sp, mkba_error *err);

/* The ranks but 0: runs every study rank 0 leads on sp, with the options
 * o (which must make the same numbers as rank 0's: households, seed,
 * store_draws, mode; output non-NULL, never written here), until rank 0
 * ends. Returns this rank's first error (rank 0 reports it). */
int mkba_study_follow(mkba_split *sp, const mkba_model *m, const mkba_study_options *o,
                      mkba_error *err);

/* The estimated size of the result file and its checkpoint together above
 * which a study needs `yes`. */
#define MKBA_STUDY_CONFIRM_BYTES 2147483648.0

/* What a study will take (estimate.c), from the schema and the model. */
typedef struct mkba_study_estimate {
    double row_bytes;          /* one stored row of /draws, before compression */
    double file_bytes;         /* all stored rows, before compression */
    double checkpoint_bytes;   /* the checkpoint OUTPUT.ckpt at the end of the run */
    double engine_bytes;       /* the engines' tallies and kept households (services) */
    double open_entrants;      /* entrants the open run keeps per engine (services
                                  with inflow; 0 otherwise), expected */
    double readback_bytes;     /* the stored rows the analyses read back */
    double seconds;            /* of simulation on o->threads threads, roughly */
} mkba_study_estimate;

/* Fills e for npoints points of model m under options o, run by nengines
 * engines at once. */
void mkba_study_estimate_of(const mkba_model *m, size_t npoints, int nengines,
                            const mkba_study_options *o, mkba_study_estimate *e);

/* The smallest memory limit of the process's cgroups, in bytes, or 0 when
 * none is set: cgroup v2's memory.max and v1's memory.limit_in_bytes, at
 * the hierarchy's root under `root` (/sys/fs/cgroup) and in the process's
 * own cgroup as proc_cgroup (/proc/self/cgroup) names it. */
double mkba_study_cgroup_memory_limit(const char *root, const char *proc_cgroup);

/* Refuses, before any work, a study whose estimated memory exceeds four
 * fifths of the memory available to the process (MKBA_ENOMEM), or whose
 * result file and checkpoint together would exceed
 * MKBA_STUDY_CONFIRM_BYTES without o->yes (MKBA_EINVAL); the message gives
 * the estimate and how to proceed. */
int mkba_study_check_estimate(const mkba_model *m, size_t npoints, int nengines,
                              const mkba_study_options *o, mkba_error *err);

/* Below this many households per point and thread, a design with enough
 * points runs whole points in parallel rather than households. */
#define MKBA_STUDY_POINT_PARALLEL_HOUSEHOLDS 4096

/* Runs the study. Returns MKBA_OK or an error code with err filled in; on
 * error no output file is left behind. With an output, the study holds
 * the output's lock (study/output_lock.h) while it runs, so a second
 * study of the same output is refused, and keeps a checkpoint of its
 * finished points (study/checkpoint.h): kept when the study is
 * interrupted (MKBA_EINTERRUPTED, the message saying how many points it
 * holds and how to resume), removed when it succeeds or fails otherwise. */
int mkba_study_run(const mkba_model *m, const mkba_design *d, const mkba_study_options *o,
                   mkba_error *err);

/* Checks before any work that `path` can become the result file: its
 * folder exists and is writable, and the path is not a folder or other
 * non-regular file; an existing file needs force. */
int mkba_study_check_output(const char *path, int force, mkba_error *err);

/* Checks the output (mkba_study_check_output), takes its lock
 * (study/output_lock.h) and checks it again, since a run holding the lock
 * until then may just have written it. *lock receives the lock. */
int mkba_study_lock_output(const char *path, int force, mkba_output_lock **lock,
                           mkba_error *err);

#endif
