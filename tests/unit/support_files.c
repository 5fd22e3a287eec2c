/* Scratch files of the tests (support.h). */
#include <stdio.h>
#include "support.h"

int support_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    int failed = fputs(text, f) < 0;
    return fclose(f) != 0 || failed ? -1 : 0;
}
