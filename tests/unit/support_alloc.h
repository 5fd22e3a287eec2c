/* Allocation failures by call site, for tests that fail each place of an
 * operation that allocates (test_alloc_sites, test_alloc_report): a first
 * pass records every distinct place, named by the return addresses of the
 * allocation's last few callers; then the operation runs once per chosen place with the
 * first allocation made there failing. Every failure must return
 * MKBA_ENOMEM with a message about memory, leave no output (nor its
 * temporary) and no HDF5 object open. */
#ifndef MKBA_TESTS_SUPPORT_ALLOC_H
#define MKBA_TESTS_SUPPORT_ALLOC_H

#include <stddef.h>
#include "mkba/mkba.h"

/* One operation under test: runs it with ctx, returns its status. */
typedef struct support_alloc_op {
    const char *what;
    int (*run)(const mkba_context *ctx, const void *arg, mkba_error *err);
    const void *arg;
    const char *output;        /* the file or folder it makes (NULL: none);
                                  removed before each run */
} support_alloc_op;

/* Call once before the first operation: loads the unwinder, so that its
 * own allocations are not taken for the operation's. */
void support_alloc_init(void);

/* Runs op once (it must succeed) and marks every place it allocates as
 * covered elsewhere: support_alloc_every_place fails none of them. */
void support_alloc_skip(const support_alloc_op *op);

/* Runs op once, under the allocator that fails nothing, with one thread
 * as every run here; it must succeed. Its output stays, for an operation
 * that reads it next. */
void support_alloc_run(const support_alloc_op *op);

/* Forgets the places marked or failed before: the next
 * support_alloc_every_place may fail any of its places. */
void support_alloc_forget(void);

/* Records the places of op and fails those not marked or failed before:
 * every step-th of them, at most `cap` (all of them when `cap` is 0),
 * the offset turning with each operation. Every place failed must be
 * reached when its turn comes. Returns the number of places failed. */
size_t support_alloc_every_place(const support_alloc_op *op, size_t cap);

#endif
