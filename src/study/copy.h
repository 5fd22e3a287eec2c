/* A byte copy of a result file, for commands that add a group to an
 * existing run without changing it (mkba sa --from, mkba expost --from):
 * they copy it to their temporary output and commit that. */
#ifndef MKBA_STUDY_COPY_H
#define MKBA_STUDY_COPY_H

#include "mkba/error.h"

/* Copies file `from` to `to` (created or truncated); MKBA_OK or MKBA_EIO
 * naming the file that could not be read or written. */
int mkba_file_copy(const char *from, const char *to, mkba_error *err);

#endif
