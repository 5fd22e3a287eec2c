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

int mkba_outfile_open(mkba_outfile *o, const char *path, int stream, mkba_error *err)
{
    memset(o, 0, sizeof *o);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return mkba_error_set(err, MKBA_EINVAL, "cannot write %s: it is a folder", path);
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

int mkba_outfile_folder(const char *path, mkba_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return mkba_error_set(err, MKBA_EINVAL, "cannot write into %s: it is a file, "
                                  "not a folder", path);
        return MKBA_OK;
    }
    if (mkdir(path, 0777) != 0)
        return mkba_error_set(err, MKBA_EIO, "cannot create the folder %s: %s", path,
                              strerror(errno));
    return MKBA_OK;
}
