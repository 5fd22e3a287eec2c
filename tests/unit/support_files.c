/* Scratch files of the tests (support.h). */
#include <dirent.h>
#include <stdio.h>
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

int support_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    return rmdir(dir);
}
