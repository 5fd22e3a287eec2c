/* The checkpoint of a study: the records of the points it has finished, so
 * an interrupted run can continue (mkba run --resume) instead of starting
 * over.
 *
 * Beside result file PATH the study keeps PATH.ckpt: a header saying which
 * run it belongs to (the build of mkba that made it, MKBA_BUILD_ID, which
 * changes with every change of the sources or compiler flags; a hash of
 * the scenario text with its @include files; the fixed values, seed,
 * households, mode, design, point range and whether the free values are
 * base-case values), then one fixed-size record per finished point, in point
 * order: the point's number, a key of what the design fixed at it (its
 * draw and values), every value of its draw record (results/datasets.def)
 * and a checksum. Each record is written with one write(2) as soon as its
 * point is stored, so it is in the kernel when the process is killed at any
 * later instant; a record torn by a kill or power loss fails its checksum
 * and is dropped with everything after it. Points are stored in order, so
 * the finished points are always the first ones: a resumed study reads
 * them back and evaluates the rest. Draws have their own counter-based
 * random streams, so the file it writes is the same, dataset by dataset,
 * as an uninterrupted run's. */
#ifndef MKBA_STUDY_CHECKPOINT_H
#define MKBA_STUDY_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include "mkba/error.h"
#include "model/model.h"
#include "results/result.h"

/* What makes a study's points what they are. Two studies with equal keys
 * compute the same record at every point with the same design key. */
typedef struct mkba_checkpoint_key {
    uint64_t scenario;         /* mkba_checkpoint_hash of the model's text */
    uint64_t fixed;            /* hash of the design's fixed values (--set) */
    uint64_t seed;
    uint64_t households;
    uint64_t mode;             /* mkba_engine_mode */
    uint64_t design;           /* mkba_design_kind */
    uint64_t npoints, first, count;
    uint64_t store_draws;
    uint64_t base_case;        /* the free values take base-case values, not draws */
} mkba_checkpoint_key;

typedef struct mkba_checkpoint mkba_checkpoint;

/* Returns the key of a design's point: what varies per point. */
typedef uint64_t (*mkba_checkpoint_point_fn)(void *user, size_t point);

/* Opens the checkpoint of result file `output` for a study of model m
 * with key *key; `unit` names its points in messages ("draws", "design
 * points"). Without resume, an existing checkpoint is discarded with
 * force, else refused (MKBA_EEXIST, naming --resume and --force). With
 * resume, an existing one must have the same key (else MKBA_EINVAL
 * listing every difference) and its complete records the same point keys
 * (point_key of each); it is then continued. Otherwise a new one is
 * created. A refused checkpoint is left as it was. */
int mkba_checkpoint_open(const char *output, const mkba_model *m, const mkba_checkpoint_key *key,
                         const char *unit, int resume, int force,
                         mkba_checkpoint_point_fn point_key, void *user,
                         mkba_checkpoint **out, mkba_error *err);

/* The number of finished points it holds: points first .. first + done - 1. */
size_t mkba_checkpoint_done(const mkba_checkpoint *c);

/* Its path (PATH.ckpt). */
const char *mkba_checkpoint_path(const mkba_checkpoint *c);

/* Reads finished point i (0-based from the first point) into rec. */
int mkba_checkpoint_read(mkba_checkpoint *c, size_t i, mkba_draw_result *rec, mkba_error *err);

/* Appends the record of the next point, whose design key is point_key. */
int mkba_checkpoint_append(mkba_checkpoint *c, uint64_t point_key,
                           const mkba_draw_result *rec, mkba_error *err);

/* Closes c (safe on NULL). keep: the file stays, flushed to disk, for a
 * later --resume; otherwise it is removed. */
int mkba_checkpoint_close(mkba_checkpoint *c, int keep, mkba_error *err);

/* The bytes of the checkpoint of npoints points of model m, once all are
 * finished (the size estimate, study/estimate.c). */
double mkba_checkpoint_bytes(const mkba_model *m, size_t npoints);

/* FNV-1a, 64 bits, of n bytes continuing from hash h (start with
 * MKBA_CHECKPOINT_HASH_START). */
#define MKBA_CHECKPOINT_HASH_START UINT64_C(14695981039346656037)
uint64_t mkba_checkpoint_hash(uint64_t h, const void *p, size_t n);

/* The hash of n doubles, every NaN alike (a NaN means "free"). */
uint64_t mkba_checkpoint_hash_values(uint64_t h, const double *v, size_t n);

#endif
