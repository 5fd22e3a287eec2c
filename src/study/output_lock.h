/* The lock that gives one run at a time the right to write a result file.
 *
 * Two runs aimed at one output path would share its temporary file and
 * checkpoint (PATH.tmp, PATH.ckpt): the second's create truncates the
 * first's file. The lock is flock(2) on PATH.lock, taken before anything
 * is written. The kernel releases it when its holder dies, even by
 * SIGKILL, so a lock file left behind by a killed run is no obstacle: the
 * next run finds it unlocked and takes it. */
#ifndef MKBA_STUDY_OUTPUT_LOCK_H
#define MKBA_STUDY_OUTPUT_LOCK_H

#include "mkba/error.h"

typedef struct mkba_output_lock mkba_output_lock;

/* Takes the lock of result file `output` (creating OUTPUT.lock). When
 * another process (or another open of it in this one) holds it, fails with
 * MKBA_EEXIST and a message naming the output and the lock file; other
 * failures give MKBA_EIO or MKBA_ENOMEM. On success *out holds the lock. */
int mkba_output_lock_take(const char *output, mkba_output_lock **out, mkba_error *err);

/* Removes the lock file and releases the lock (safe on NULL). */
void mkba_output_lock_release(mkba_output_lock *lock);

#endif
