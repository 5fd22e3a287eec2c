/* Output files written under a temporary name (see outfile.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/alloc.h"
#include "core/strutil.h"
#include "outfile.h"

/* 1 when the regular file at path starts with the HDF5 signature. */
static int is_hdf5(const char *path)
{
    static const unsigned char sig[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };
    unsigned char head[8];
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    int same = fread(head, 1, sizeof head, f) == sizeof head && memcmp(head, sig, 8) == 0;
    fclose(f);
    return same;
}

int mkba_outfile_check(const char *path, const char *input, mkba_error *err)
{
    struct stat st, in;
    if (stat(path, &st) != 0)
        return MKBA_OK;           /* a new file */
    if (S_ISDIR(st.st_mode))
        return mkba_error_set(err, MKBA_EINVAL, "cannot write %s: it is a folder", path);
    if (!S_ISREG(st.st_mode))
        return mkba_error_set(err, MKBA_EINVAL, "cannot write %s: it is not a regular file "
                              "(a device or a pipe); name a file (summary without -o prints "
                              "to standard output)", path);
    if (input != NULL && stat(input, &in) == 0 && in.st_dev == st.st_dev
        && in.st_ino == st.st_ino)
        return mkba_error_set(err, MKBA_EINVAL, "refusing to write %s: it is the input file "
                              "%s; name another output file", path, input);
    if (is_hdf5(path))
        return mkba_error_set(err, MKBA_EINVAL, "refusing to write %s: it is an HDF5 file "
                              "(a result file?) that the output would replace; name another "
                              "output file", path);
    return MKBA_OK;
}

int mkba_outfile_open(mkba_outfile *o, const char *path, const char *input, int stream,
                      mkba_error *err)
{
    memset(o, 0, sizeof *o);
    int rc = mkba_outfile_check(path, input, err);
    if (rc != MKBA_OK)
        return rc;
    size_t n = strlen(path);
    o->path = mkba_strdup(path);
    o->tmp = mkba_malloc(n + sizeof ".tmp-XXXXXX");
    if (o->path == NULL || o->tmp == NULL) {
        mkba_outfile_discard(o);
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    }
    memcpy(o->tmp, path, n);
    memcpy(o->tmp + n, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        mkba_free(o->tmp);
        o->tmp = NULL;
        mkba_outfile_discard(o);
        return mkba_error_set(err, MKBA_EIO, "cannot write %s: %s", path, strerror(e));
    }
    /* mkstemp makes the file private; give it the mode a new file gets. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    if (!stream) {
        close(fd);
        return MKBA_OK;
    }
    if ((o->f = fdopen(fd, "w")) == NULL) {
        int e = errno;
        close(fd);
        mkba_outfile_discard(o);
        return mkba_error_set(err, MKBA_EIO, "cannot write %s: %s", path, strerror(e));
    }
    return MKBA_OK;
}

int mkba_outfile_commit(mkba_outfile *o, mkba_error *err)
{
    int failed = 0, e = 0;
    if (o->f != NULL) {
        failed = ferror(o->f) != 0;
        if (fclose(o->f) != 0 && !failed) {
            failed = 1;
            e = errno;
        }
        o->f = NULL;
    }
    if (!failed && rename(o->tmp, o->path) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        int rc = mkba_error_set(err, MKBA_EIO, "cannot write %s: %s", o->path,
                                e != 0 ? strerror(e) : "write error");
        mkba_outfile_discard(o);
        return rc;
    }
    mkba_free(o->tmp);
    o->tmp = NULL;
    mkba_outfile_discard(o);
    return MKBA_OK;
}

void mkba_outfile_discard(mkba_outfile *o)
{
    if (o->f != NULL)
        fclose(o->f);
    if (o->tmp != NULL)
        remove(o->tmp);
    mkba_free(o->tmp);
    mkba_free(o->path);
    memset(o, 0, sizeof *o);
}

int mkba_outfile_folder(const char *path, int *created, mkba_error *err)
{
    struct stat st;
    *created = 0;
    if (stat(path, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return mkba_error_set(err, MKBA_EINVAL, "cannot write into %s: it is a file, "
                                  "not a folder", path);
        return MKBA_OK;
    }
    if (mkdir(path, 0777) != 0)
        return mkba_error_set(err, MKBA_EIO, "cannot create the folder %s: %s", path,
                              strerror(errno));
    *created = 1;
    return MKBA_OK;
}

void mkba_outfile_safe_name(char *buf, size_t size, const char *id)
{
    size_t n = 0, limit = size - 1 < 200 ? size - 1 : 200;
    for (; id[n] != '\0' && n < limit; n++) {
        unsigned char c = (unsigned char)id[n];
        int ok = c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
                 || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || (c == '.' && n > 0);
        buf[n] = ok ? (char)c : '_';
    }
    /* Not inside a UTF-8 character: drop continuation bytes and their lead. */
    if (id[n] != '\0') {
        while (n > 0 && ((unsigned char)buf[n - 1] & 0xC0) == 0x80)
            n--;
        if (n > 0 && (unsigned char)buf[n - 1] >= 0xC0)
            n--;
    }
    if (n == 0)
        buf[n++] = '_';
    buf[n] = '\0';
}
