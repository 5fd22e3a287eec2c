/* System errors in words a person can act on: the result writer (io) and
 * the checkpoint (study) meet the same write errors and must tell them the
 * same way. */
#ifndef MKBA_CORE_SYSERR_H
#define MKBA_CORE_SYSERR_H

#include <stddef.h>

/* Writes into buf (size bytes) the cause of system error e in words, then
 * its system text: "the disk is full (No space left on device)". An errno
 * without words of its own is given by its system text alone. */
void mkba_syserr_describe(char *buf, size_t size, int e);

/* Whether e means the storage could not take the write (a full disk, a
 * quota, a file size limit, a device error): the data written before it
 * is sound, and the same run can go on once there is room. */
int mkba_syserr_is_storage(int e);

#endif
