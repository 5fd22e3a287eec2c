/* The split of a study's points across the ranks of a run (mkba/split.h),
 * as the study driver uses it.
 *
 * Points are cut into chunks of equal size, dealt round-robin: chunk k
 * goes to rank k mod P (static, not work-stealing: every point of a
 * design costs about the same, and rank 0 must write them in point order,
 * which it then receives in that order with one chunk of buffer). Each
 * rank evaluates its chunks with its own OpenMP threads; the others send
 * theirs to rank 0 as flat records (mkba_draw_result_pack), which stores
 * every chunk in order. One process (rank 0 of 1, or no MPI) runs the
 * same loop with every chunk its own. */
#ifndef MKBA_STUDY_SPLIT_H
#define MKBA_STUDY_SPLIT_H

#include <stddef.h>
#include <stdint.h>
#include "mkba/split.h"
#include "results/result.h"

/* The points [first, count) of a study still to evaluate, in chunks. */
typedef struct mkba_split_chunks {
    size_t first, count, chunk;
    /* Evaluates points [at, at + n) into rec[0 .. n), n <= chunk; the
     * first failing point in point order decides the error. */
    int (*evaluate)(void *user, size_t at, size_t n, mkba_error *err);
    /* Stores rec[0 .. n) as points [at, at + n) (rank 0 only). */
    int (*store)(void *user, size_t at, size_t n, mkba_error *err);
    mkba_draw_result **rec;    /* [chunk] */
    void *user;
} mkba_split_chunks;

/* 1 when sp divides points among more than one rank. */
int mkba_split_active(const mkba_split *sp);

/* The ranks agree to start a study (collective; every rank calls it once
 * per study that writes a file). rc: this rank's outcome of setting up;
 * key: a hash of what makes the study's numbers (scenario text, options,
 * design), which must be the same on every rank; *chunk: in, this rank's
 * wish, out, the largest; *done: out, the points rank 0 took from its
 * checkpoint. Returns MKBA_OK on every rank, or the same error on every
 * rank: on rank 0 with the failing rank's message. */
int mkba_split_start(mkba_split *sp, int rc, mkba_error *err, uint64_t key, size_t *chunk,
                     size_t *done);

/* Evaluates this rank's chunks of c; on rank 0 receives the others' and
 * stores every chunk in point order. On error rank 0 tells every rank to
 * stop; the error ends the study on every rank through mkba_split_end. */
int mkba_split_points(mkba_split *sp, const mkba_split_chunks *c, mkba_error *err);

/* Ends a study (collective): rank 0 tells every rank its outcome rc (an
 * error of writing the file counts too); the others return it. */
int mkba_split_end(mkba_split *sp, int rc, mkba_error *err);

/* Every rank's outcome rc made one (collective, the Gather of
 * mkba_split_start, which mkba_split_close joins on a rank that failed
 * before): MKBA_OK on every rank, or the same error on every rank, on
 * rank 0 with the first failing rank's message. */
int mkba_split_agree(mkba_split *sp, int rc, mkba_error *err);

/* A child of sp for studies nested in another (collective): the same
 * ranks on a communicator of their own, so the nested studies' messages
 * never meet the outer study's. rc is this rank's outcome of setting up,
 * agreed first (mkba_split_agree), so that a rank that failed, here or
 * before it came here, stops every rank. *out is NULL when sp divides
 * nothing or on error. Free with mkba_split_child_free (collective too). */
int mkba_split_child(mkba_split *sp, int rc, mkba_split **out, mkba_error *err);
void mkba_split_child_free(mkba_split *child);

/* *ok becomes 1 on every rank when it is non-zero on every rank, else 0
 * (collective). */
int mkba_split_all(mkba_split *sp, int *ok, mkba_error *err);

/* Rank 0's buf[0 .. bytes) copied into every rank's buf (collective). */
int mkba_split_share(mkba_split *sp, void *buf, size_t bytes, mkba_error *err);

#endif
