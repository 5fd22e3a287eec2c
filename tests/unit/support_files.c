/* Scratch files of the tests (support.h). */
#define _XOPEN_SOURCE 700   /* nftw */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "support.h"

int support_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    int failed = fputs(text, f) < 0;
    return fclose(f) != 0 || failed ? -1 : 0;
}

int support_write_variant(const char *src, const char *path, const char *from, const char *to)
{
    char *text = support_read_file(src);
    char *at = text != NULL ? strstr(text, from) : NULL;
    if (at == NULL) {
        free(text);
        return -1;
    }
    FILE *f = fopen(path, "wb");
    int failed = f == NULL
        || fprintf(f, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from)) < 0;
    failed |= f != NULL && fclose(f) != 0;
    free(text);
    return failed ? -1 : 0;
}

int support_temp_folder(char *dir)
{
    return mkdtemp(dir) != NULL ? 0 : -1;
}

/* Removes one entry of a folder walked depth first. */
static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (type == FTW_DP ? rmdir(path) : unlink(path)) != 0 ? -1 : 0;
}

/* The folder and everything in it, children first, without following a
 * symbolic link and without a shell (any path, whatever its length). */
int support_remove_temp_folder(const char *dir)
{
    return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}
