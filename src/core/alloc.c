/* Allocation through the current context's allocator (alloc.h). */
#include <stdlib.h>
#include "core/alloc.h"

static void *c_malloc(void *user, size_t size)
{
    (void)user;
    return malloc(size);
}

static void *c_calloc(void *user, size_t n, size_t size)
{
    (void)user;
    return calloc(n, size);
}

static void *c_realloc(void *user, void *p, size_t size)
{
    (void)user;
    return realloc(p, size);
}

static void c_free(void *user, void *p)
{
    (void)user;
    free(p);
}

static const mkba_allocator c_library = { c_malloc, c_calloc, c_realloc, c_free, NULL };

/* Per thread, so concurrent calls with different contexts do not meet. */
static _Thread_local const mkba_allocator *current;

void mkba_context_init(mkba_context *ctx)
{
    ctx->alloc = c_library;
    ctx->threads = 0;
    ctx->progress = NULL;
    ctx->progress_user = NULL;
    ctx->stop = NULL;
    ctx->split = NULL;
}

const mkba_allocator *mkba_context_allocator(const mkba_context *ctx)
{
    return ctx != NULL ? &ctx->alloc : &c_library;
}

const mkba_allocator *mkba_alloc_current(void)
{
    return current != NULL ? current : &c_library;
}

mkba_alloc_scope mkba_alloc_enter(const mkba_allocator *a)
{
    mkba_alloc_scope s = { current };
    current = a;
    return s;
}

void mkba_alloc_leave(mkba_alloc_scope s)
{
    current = s.previous;
}

void *mkba_malloc(size_t size)
{
    const mkba_allocator *a = mkba_alloc_current();
    return a->malloc(a->user, size);
}

void *mkba_calloc(size_t n, size_t size)
{
    const mkba_allocator *a = mkba_alloc_current();
    return a->calloc(a->user, n, size);
}

void *mkba_realloc(void *p, size_t size)
{
    const mkba_allocator *a = mkba_alloc_current();
    return a->realloc(a->user, p, size);
}

void mkba_free(void *p)
{
    const mkba_allocator *a = mkba_alloc_current();
    a->free(a->user, p);
}
