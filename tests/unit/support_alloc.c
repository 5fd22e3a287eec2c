/* Allocation failures by call site (support_alloc.h). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <execinfo.h>
#include <cmocka.h>
#include <hdf5.h>
#include "support_alloc.h"

/* Callers that name a place: enough to tell apart the uses of one helper
 * (a string copy, a growing array) by the code that called it. */
#define DEPTH 7
#define MAX_PLACES 8192

typedef struct places {
    int recording;             /* 1: collect places; 0: fail `target` once */
    uint64_t seen[MAX_PLACES];
    size_t nseen;
    uint64_t target;
    int failed;
} places;

/* Where the operation returns to in run_op's caller: the callers above
 * it (which line of this file ran the operation) are not part of a place,
 * or a place near the operation's top would have one name when recorded
 * and another when its turn to fail came, and never fail. */
static void *op_return;

static uint64_t place_here(void)
{
    void *frames[DEPTH];
    int n = backtrace(frames, DEPTH);
    uint64_t key = 1469598103934665603u;
    for (int i = 0; i < n; i++) {
        key = (key ^ (uint64_t)(uintptr_t)frames[i]) * 1099511628211u;
        if (frames[i] == op_return)
            break;
    }
    return key;
}

/* Runs op from one call site, whose return address names its end. */
static __attribute__((noinline)) int run_op(const support_alloc_op *op,
                                            const mkba_context *ctx, mkba_error *err)
{
    op_return = __builtin_return_address(0);
    return op->run(ctx, op->arg, err);
}

static int seen_in(const uint64_t *keys, size_t n, uint64_t key)
{
    for (size_t i = 0; i < n; i++)
        if (keys[i] == key)
            return 1;
    return 0;
}


/* Whether output's folder holds a temporary of it: a name starting with
 * output's own and ".tmp" (OUT.tmp, mkstemp's OUT.tmp-XXXXXX) or
 * ".truth.h5" (expost --simulate's truth run); its path in buf. */
static int leftover(const char *output, char *buf, size_t size)
{
    char folder[600];
    snprintf(folder, sizeof folder, "%s", output);
    char *slash = strrchr(folder, '/');
    const char *base = slash != NULL ? output + (slash - folder) + 1 : output;
    if (slash != NULL)
        *slash = '\0';
    DIR *d = opendir(slash != NULL ? (folder[0] != '\0' ? folder : "/") : ".");
    if (d == NULL)
        return 0;
    size_t n = strlen(base);
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, base, n) == 0
            && (strncmp(e->d_name + n, ".tmp", 4) == 0
                || strncmp(e->d_name + n, ".truth.h5", 9) == 0)) {
            snprintf(buf, size, "%s/%s", slash != NULL ? folder : ".", e->d_name);
            found = 1;
        }
    closedir(d);
    return found;
}

/* Whether this allocation fails; records its place on the first pass. */
static int refuse(places *p)
{
    uint64_t key = place_here();
    if (p->recording) {
        if (seen_in(p->seen, p->nseen, key))
            return 0;
        if (p->nseen == MAX_PLACES)
            fail_msg("more than %d places allocate", MAX_PLACES);
        p->seen[p->nseen++] = key;
        return 0;
    }
    if (!p->failed && key == p->target) {
        p->failed = 1;
        return 1;
    }
    return 0;
}

static void *p_malloc(void *user, size_t size)
{
    return refuse(user) ? NULL : malloc(size);
}

static void *p_calloc(void *user, size_t n, size_t size)
{
    return refuse(user) ? NULL : calloc(n, size);
}

static void *p_realloc(void *user, void *ptr, size_t size)
{
    return refuse(user) ? NULL : realloc(ptr, size);
}

static void p_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

static int exists(const char *path)
{
    return path != NULL && access(path, F_OK) == 0;
}

static void attempt(const support_alloc_op *op, places *p, mkba_error *err)
{
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.alloc = (mkba_allocator){ p_malloc, p_calloc, p_realloc, p_free, p };
    ctx.threads = 1;           /* places are recorded without a lock */
    if (op->output != NULL)
        remove(op->output);    /* what a failure leaves is then its own */
    mkba_error_clear(err);
    int rc = run_op(op, &ctx, err);
    ssize_t open = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE | H5F_OBJ_DATASET | H5F_OBJ_GROUP
                                                     | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR);
    if (open != 0)
        fail_msg("%s: left %ld HDF5 objects open (%s)", op->what, (long)open, err->message);
    if (p->recording || !p->failed) {
        if (rc != MKBA_OK)
            fail_msg("%s: %s", op->what, err->message);
        return;
    }
    if (rc == MKBA_OK)
        fail_msg("%s: an allocation failed, yet it succeeded", op->what);
    if (err->code != MKBA_ENOMEM || strstr(err->message, "memory") == NULL)
        fail_msg("%s: an allocation failed, yet the error is not an out-of-memory one: "
                 "%s (%s)", op->what, mkba_status_name(err->code), err->message);
    if (op->output != NULL) {
        char left[1024];
        if (exists(op->output) || leftover(op->output, left, sizeof left))
            fail_msg("%s: an allocation failed and left %s (%s)", op->what,
                     exists(op->output) ? op->output : left, err->message);
    }
}

/* Places marked by support_alloc_skip or failed by an operation before. */
static uint64_t done[MAX_PLACES * 4];
static size_t ndone, operations;
static places p;

void support_alloc_init(void)
{
    void *warm[1];
    backtrace(warm, 1);
}

void support_alloc_skip(const support_alloc_op *op)
{
    mkba_error err = {0};
    memset(&p, 0, sizeof p);
    p.recording = 1;
    attempt(op, &p, &err);
    for (size_t i = 0; i < p.nseen && ndone < sizeof done / sizeof done[0]; i++)
        if (!seen_in(done, ndone, p.seen[i]))
            done[ndone++] = p.seen[i];
}

void support_alloc_forget(void)
{
    ndone = 0;
}

void support_alloc_run(const support_alloc_op *op)
{
    mkba_error err = {0};
    memset(&p, 0, sizeof p);
    p.recording = 1;
    attempt(op, &p, &err);
}

size_t support_alloc_every_place(const support_alloc_op *op, size_t cap)
{
    static uint64_t fresh[MAX_PLACES];
    mkba_error err = {0};
    memset(&p, 0, sizeof p);
    p.recording = 1;
    attempt(op, &p, &err);
    size_t n = p.nseen, m = 0;
    for (size_t i = 0; i < n; i++)
        if (!seen_in(done, ndone, p.seen[i]))
            fresh[m++] = p.seen[i];
    size_t step = cap != 0 && m > cap ? (m + cap - 1) / cap : 1;
    size_t tried = 0, reached = 0, first_missed = 0;
    for (size_t i = operations++ % step; i < m; i += step) {
        p.recording = 0;
        p.failed = 0;
        p.target = fresh[i];
        attempt(op, &p, &err);
        tried++;
        if (!p.failed && reached == tried - 1)
            first_missed = tried;
        reached += (size_t)p.failed;
        if (ndone < sizeof done / sizeof done[0])
            done[ndone++] = fresh[i];
    }
    print_message("%s: %zu places allocate, %zu not failed or skipped before; %zu tried "
                  "(every %zu), %zu failed\n", op->what, n, m, tried, step, reached);
    /* Every place failed must be reached at its turn: one the operation
     * passes only on its first run in a process, or only by chance, would
     * leave its out-of-memory branch untried while counting as tried. */
    if (reached < tried)
        fail_msg("%s: %zu of %zu places tried were not reached when failed (the first: "
                 "place %zu of those tried)", op->what, tried - reached, tried,
                 first_missed);
    return reached;
}
