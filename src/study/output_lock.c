/* The output lock (output_lock.h). */
#define _DEFAULT_SOURCE   /* flock(2), a BSD call glibc hides under plain POSIX */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "study/output_lock.h"
#include "core/alloc.h"

struct mkba_output_lock {
    char *path;
    int fd;
};

int mkba_output_lock_take(const char *output, mkba_output_lock **out, mkba_error *err)
{
    *out = NULL;
    mkba_output_lock *lock = mkba_calloc(1, sizeof *lock);
    size_t n = strlen(output) + sizeof ".lock";
    if (lock == NULL || (lock->path = mkba_malloc(n)) == NULL) {
        mkba_free(lock);
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory locking %s", output);
    }
    snprintf(lock->path, n, "%s.lock", output);
    /* A holder removes the file before it lets go, so the file we locked
     * may no longer be the one at the path: then lock the new one. */
    for (;;) {
        lock->fd = open(lock->path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        /* A lock file left by another user (in a shared folder such as
         * /tmp) cannot be opened for writing, but flock needs no more
         * than reading. */
        if (lock->fd < 0 && errno == EACCES)
            lock->fd = open(lock->path, O_RDONLY | O_CLOEXEC);
        if (lock->fd < 0) {
            int e = errno;
            mkba_free(lock->path);
            mkba_free(lock);
            return mkba_error_set(err, MKBA_EIO, "cannot create the lock file %s.lock: %s%s",
                                  output, strerror(e), e == EACCES
                                  ? "; if no mkba run is writing it, remove the lock file" : "");
        }
        if (flock(lock->fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(lock->fd);
            mkba_free(lock->path);
            mkba_free(lock);
            if (e == EWOULDBLOCK)
                return mkba_error_set(err, MKBA_EEXIST, "another mkba run is writing %s (%s.lock "
                                      "is locked); wait for it to finish or choose another -o",
                                      output, output);
            return mkba_error_set(err, MKBA_EIO, "cannot lock %s.lock: %s", output,
                                  strerror(e));
        }
        struct stat held, named;
        if (fstat(lock->fd, &held) == 0 && stat(lock->path, &named) == 0
            && held.st_dev == named.st_dev && held.st_ino == named.st_ino)
            break;
        close(lock->fd);
    }
    *out = lock;
    return MKBA_OK;
}

void mkba_output_lock_release(mkba_output_lock *lock)
{
    if (lock == NULL)
        return;
    /* Removed while still held, so nobody locks a file about to vanish
     * without noticing (see the loop above). */
    unlink(lock->path);
    close(lock->fd);
    mkba_free(lock->path);
    mkba_free(lock);
}
