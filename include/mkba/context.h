/* The context of calls into mkba: how the library allocates memory, how
 * many threads a run uses, whom it tells about progress and, for a run
 * across processes, its split (mkba/split.h). A context is read-only to
 * the library, so several calls (and threads) may share one; each call
 * reports its errors in its own mkba_error. Pass NULL for the defaults. */
#ifndef MKBA_CONTEXT_H
#define MKBA_CONTEXT_H

#include <signal.h>
#include <stddef.h>
#include "mkba/split.h"

/* Every allocation of the library's own data goes through these (the
 * libraries mkba uses, HDF5, libconfig, GSL and libmatheval, allocate
 * their own). calloc and realloc behave as the C library's; free accepts
 * NULL. A test may make them fail to check that every path survives. */
typedef struct mkba_allocator {
    void *(*malloc)(void *user, size_t size);
    void *(*calloc)(void *user, size_t n, size_t size);
    void *(*realloc)(void *user, void *p, size_t size);
    void (*free)(void *user, void *p);
    void *user;
} mkba_allocator;

/* Progress callback: `done` of `total` household-cycles finished. Called
 * from the thread that started the run only. */
typedef void (*mkba_progress_fn)(void *user, double done, double total);

typedef struct mkba_context {
    mkba_allocator alloc;      /* the C library's malloc, calloc, realloc, free */
    int threads;               /* OpenMP threads of a run; <= 0: OpenMP's default */
    mkba_progress_fn progress; /* NULL: none */
    void *progress_user;
    /* Set *stop non-zero (a signal handler may) to ask a run to stop at
     * the next safe point: between points, household chunks and, in the
     * services engine, cycles. The run then returns MKBA_EINTERRUPTED and
     * leaves no result file. NULL: never. */
    const volatile sig_atomic_t *stop;
    /* The ranks of a run across processes (mkba_split_open): a study that
     * writes a file divides its points among them. NULL: one process. */
    mkba_split *split;
} mkba_context;

/* Sets the defaults: the C library's allocator, OpenMP's thread count, no
 * progress, no stop flag, one process. */
void mkba_context_init(mkba_context *ctx);

#endif
