/* Committing a finished file: the rename from its temporary name is the
 * only moment a result appears under its final name, and it must not
 * appear before its data are on the disk. */
#ifndef MKBA_CORE_COMMIT_H
#define MKBA_CORE_COMMIT_H

#include "mkba/error.h"

/* Flushes file tmp to the disk (fsync), renames it to path and flushes
 * path's folder, so that after a power loss path is either the whole new
 * file or what it was before. On a failure tmp is left where it is and
 * err says which step failed, in words (core/syserr.h). */
int mkba_commit_file(const char *tmp, const char *path, mkba_error *err);

#endif
