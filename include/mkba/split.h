/* Runs across processes and hosts (MPI): the same numbers as one process.
 *
 * A program started by `mpirun -np P` opens the split once and puts it in
 * every call's context (mkba_context.split). A study that writes a result
 * file then divides its points among the P ranks; rank 0 alone touches
 * the output (its lock, checkpoint and temporary file) and writes every
 * point in point order, so the file is the single process's, dataset by
 * dataset (docs/architecture.md, "Runs across processes"). Without MPI
 * (the default build) a split is one process, rank 0 of 1. */
#ifndef MKBA_SPLIT_H
#define MKBA_SPLIT_H

#include "mkba/error.h"

typedef struct mkba_split mkba_split;

/* Starts MPI (in a build with MPI) and returns this process's split in
 * *out. Call once, first thing in main. */
int mkba_split_open(int *argc, char ***argv, mkba_split **out, mkba_error *err);

/* This process's rank and the number of ranks: 0 and 1 for NULL and in a
 * build without MPI. */
int mkba_split_rank(const mkba_split *sp);
int mkba_split_size(const mkba_split *sp);

/* Ends the split: a rank that took part in no study of the split (its
 * command failed before, on this rank only perhaps, or runs no study)
 * joins the agreement the other ranks' study holds, so they learn of its
 * error and no rank waits for ever. rc and err are this rank's outcome.
 * Returns the outcome of the whole run: on rank 0 the error of the lowest
 * failing rank (in err, naming the rank) when this rank had none. Then
 * ends MPI and frees sp (safe on NULL). */
int mkba_split_close(mkba_split *sp, int rc, mkba_error *err);

#endif
