/* mkba_file_copy (study/copy.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "study/copy.h"
#include "core/alloc.h"
#include "core/commit.h"
#include "core/syserr.h"

/* The error of a failed write of `to`, in words (core/syserr.h). */
static int write_error(const char *to, int e, mkba_error *err)
{
    char cause[512];
    mkba_syserr_describe(cause, sizeof cause, e);
    return mkba_error_set_sys(err, MKBA_EIO, e, "cannot write %s: %s", to, cause);
}

int mkba_file_copy(const char *from, const char *to, mkba_error *err)
{
    FILE *in = fopen(from, "rb");
    if (in == NULL)
        return mkba_error_set(err, MKBA_EIO, "cannot read %s: %s", from, strerror(errno));
    FILE *out = fopen(to, "wb");
    if (out == NULL) {
        int e = errno;
        fclose(in);
        return write_error(to, e, err);
    }
    char buf[1 << 16];
    size_t n;
    int rc = MKBA_OK;
    while (rc == MKBA_OK && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            rc = write_error(to, errno, err);
    if (rc == MKBA_OK && ferror(in))
        rc = mkba_error_set(err, MKBA_EIO, "cannot read %s", from);
    fclose(in);
    if (fclose(out) != 0 && rc == MKBA_OK)
        rc = write_error(to, errno, err);
    return rc;
}

int mkba_file_copy_and_add(const char *from, const char *output,
                           int (*add)(void *user, const char *tmp, mkba_error *err),
                           void *user, const volatile sig_atomic_t *stop, mkba_error *err)
{
    size_t len = strlen(output);
    char *tmp = mkba_malloc(len + 5);
    if (tmp == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    snprintf(tmp, len + 5, "%s.tmp", output);
    int rc = mkba_file_copy(from, tmp, err);
    if (rc == MKBA_OK)
        rc = add(user, tmp, err);
    if (rc == MKBA_OK && stop != NULL && *stop)
        rc = mkba_error_set(err, MKBA_EINTERRUPTED, "interrupted");
    if (rc == MKBA_OK)
        rc = mkba_commit_file(tmp, output, err);
    if (rc != MKBA_OK)
        remove(tmp);
    mkba_free(tmp);
    return rc;
}
