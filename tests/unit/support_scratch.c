/* shm_open and tmpfile that fail on request (support_scratch.h). Defined
 * in the test program, they come before the C library's for the library
 * under test too; the real ones are found behind them with RTLD_NEXT. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include "support_scratch.h"

int support_no_scratch;

int shm_open(const char *name, int flags, mode_t mode)
{
    if (support_no_scratch) {
        errno = ENOENT;
        return -1;
    }
    int (*real)(const char *, int, mode_t);
    *(void **)&real = dlsym(RTLD_NEXT, "shm_open"); /* POSIX's way to a function */
    if (real == NULL) {
        errno = ENOSYS;
        return -1;
    }
    return real(name, flags, mode);
}

FILE *tmpfile(void)
{
    if (support_no_scratch) {
        errno = ENOSPC;
        return NULL;
    }
    FILE *(*real)(void);
    *(void **)&real = dlsym(RTLD_NEXT, "tmpfile");
    if (real == NULL) {
        errno = ENOSYS;
        return NULL;
    }
    return real();
}
