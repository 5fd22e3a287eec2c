/* shm_open and tmpfile that fail on request (support_scratch.h). Defined
 * in the test program, they come before the C library's for the library
 * under test too; the real ones are found behind them with RTLD_NEXT. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "support_scratch.h"

int support_no_scratch;

/* The C library's `name`. Without it (a -static build, where RTLD_NEXT
 * finds nothing) every call would fail and every test would exercise only
 * abandon's fallback without saying so: stop instead. */
static void *real_function(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (f == NULL) {
        fprintf(stderr, "support_scratch: the C library's %s is not found (%s); a static "
                "test build cannot interpose it\n", name, dlerror());
        abort();
    }
    return f;
}

int shm_open(const char *name, int flags, mode_t mode)
{
    if (support_no_scratch) {
        errno = ENOENT;
        return -1;
    }
    int (*real)(const char *, int, mode_t);
    *(void **)&real = real_function("shm_open"); /* POSIX's way to a function */
    return real(name, flags, mode);
}

FILE *tmpfile(void)
{
    if (support_no_scratch) {
        errno = ENOSPC;
        return NULL;
    }
    FILE *(*real)(void);
    *(void **)&real = real_function("tmpfile");
    return real();
}
