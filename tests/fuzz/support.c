/* What the fuzz targets share: reporting a broken contract, a private
 * temporary folder, writing an input to a file, and the contract of
 * mkba_summary_write on a file. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "fuzz_target.h"

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: broken contract: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static char folder[64];
static const char *const *folder_files;

static void remove_folder(void)
{
    char path[128];
    for (size_t k = 0; folder_files[k] != NULL; k++) {
        snprintf(path, sizeof path, "%s/%s", folder, folder_files[k]);
        unlink(path);
    }
    rmdir(folder);
}

const char *fuzz_folder(const char *const *files)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, sizeof folder, "%s/mkba-fuzz-XXXXXX",
             tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
    if (mkdtemp(folder) == NULL) {
        perror("fuzz: cannot make a temporary folder");
        exit(2);
    }
    folder_files = files;
    atexit(remove_folder);
    return folder;
}

void fuzz_write_file(const char *path, const uint8_t *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

void fuzz_summary(const char *path, int format, const char *perspective)
{
    static FILE *devnull;
    if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL) {
        perror("/dev/null");
        exit(2);
    }
    mkba_error err;
    mkba_error_clear(&err);
    int rc = mkba_summary_write(NULL, path, (mkba_summary_format)(format & 3), perspective,
                                devnull, &err);
    if (getenv("MKBA_FUZZ_VERBOSE") != NULL)   /* for triage: what the reader said */
        fprintf(stderr, "summary: %s\n", rc == MKBA_OK ? "ok" : err.message);
    if (rc != MKBA_OK && ((int)err.code != rc || err.message[0] == '\0'))
        fuzz_fail("the summary failed (code %d) without a message", rc);
    /* A reader that returns must have closed every HDF5 object it opened. */
    ssize_t open = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (open != 0)
        fuzz_fail("%zd HDF5 objects left open after the summary (code %d: %s)", open, rc,
                  err.message);
}
