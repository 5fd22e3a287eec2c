/* System errors in words (syserr.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/syserr.h"

/* What a person should know about the system errors a write can meet;
 * `storage`: the device could not take the data (syserr.h). */
static const struct {
    int code;
    int storage;
    const char *cause;
} write_causes[] = {
    { ENOSPC, 1, "the disk is full" },
#ifdef EDQUOT
    { EDQUOT, 1, "the disk quota is used up" },
#endif
    { EFBIG, 1, "the file is too large (for the file system or the process's file size limit)" },
    { EROFS, 0, "the file system is read-only" },
    { EIO, 1, "the device reported an input/output error" },
};

#define NCAUSES (sizeof write_causes / sizeof write_causes[0])

void mkba_syserr_describe(char *buf, size_t size, int e)
{
    for (size_t i = 0; i < NCAUSES; i++)
        if (write_causes[i].code == e) {
            snprintf(buf, size, "%s (%s)", write_causes[i].cause, strerror(e));
            return;
        }
    snprintf(buf, size, "%s", strerror(e));
}

int mkba_syserr_is_storage(int e)
{
    for (size_t i = 0; i < NCAUSES; i++)
        if (write_causes[i].code == e)
            return write_causes[i].storage;
    return 0;
}
