/* Scratch files of the tests (support.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int support_remove_temp_folder(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}
