/* The library's allocation functions: every object mkba allocates itself
 * goes through the allocator of the context of the public call that is
 * running on this thread (mkba_alloc_enter), else the C library's. Memory
 * must be freed with mkba_free under the same allocator; objects that
 * outlive a call (a model) keep their allocator and enter it to free. */
#ifndef MKBA_CORE_ALLOC_H
#define MKBA_CORE_ALLOC_H

#include <stddef.h>
#include "mkba/context.h"

void *mkba_malloc(size_t size);
void *mkba_calloc(size_t n, size_t size);
void *mkba_realloc(void *p, size_t size);
void mkba_free(void *p);

/* The allocator before mkba_alloc_enter, to restore with mkba_alloc_leave. */
typedef struct mkba_alloc_scope {
    const mkba_allocator *previous;
} mkba_alloc_scope;

/* Makes `a` (NULL: the C library's) this thread's allocator until
 * mkba_alloc_leave; scopes nest. Public entry points call it with their
 * context's allocator. OpenMP worker threads keep the C library's: the
 * library allocates nothing inside parallel regions. */
mkba_alloc_scope mkba_alloc_enter(const mkba_allocator *a);
void mkba_alloc_leave(mkba_alloc_scope s);

/* This thread's allocator (never NULL), to keep in an object that
 * outlives the call. */
const mkba_allocator *mkba_alloc_current(void);

/* The context's settings, or the defaults for ctx == NULL. */
const mkba_allocator *mkba_context_allocator(const mkba_context *ctx);

#endif
