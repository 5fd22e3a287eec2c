/* Committing a finished file (commit.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "core/commit.h"
#include "core/strutil.h"
#include "core/syserr.h"

/* fsync of the file or folder at path: 0 or its errno. */
static int sync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int e = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return e;
}

int mkba_commit_file(const char *tmp, const char *path, mkba_error *err)
{
    char cause[512];
    int e = sync_path(tmp, O_RDONLY);
    if (e != 0) {
        mkba_syserr_describe(cause, sizeof cause, e);
        return mkba_error_set_sys(err, MKBA_EIO, e, "cannot write %s: %s (flushing %s to the "
                                  "disk)", path, cause, tmp);
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        return mkba_error_set_sys(err, MKBA_EIO, e, "cannot rename %s to %s: %s", tmp, path,
                                  strerror(e));
    }
    /* The rename itself is made durable by flushing the folder; where a
     * file system cannot, the file is whole all the same. No allocation
     * here: the commit has happened and must not fail now. A folder name
     * longer than any the system accepts cannot have been opened. */
    char dir[4096];
    if (mkba_path_folder_copy(path, dir, sizeof dir) < sizeof dir)
        sync_path(dir, O_RDONLY | O_DIRECTORY);
    return MKBA_OK;
}
