/* A byte copy of a result file, for commands that add a group to an
 * existing run without changing it (mkba sa --from, mkba expost --from):
 * they copy it to their temporary output and commit that. */
#ifndef MKBA_STUDY_COPY_H
#define MKBA_STUDY_COPY_H

#include <signal.h>
#include "mkba/error.h"

/* Copies file `from` to `to` (created or truncated); MKBA_OK or MKBA_EIO
 * naming the file that could not be read or written. */
int mkba_file_copy(const char *from, const char *to, mkba_error *err);

/* Writes `output` as a copy of `from` plus what add() writes into it:
 * copies from to OUTPUT.tmp, calls add(user, tmp, err), and renames the
 * copy to output when add succeeded and *stop (NULL: never) was not
 * raised (else MKBA_EINTERRUPTED); on any error the copy is removed. */
int mkba_file_copy_and_add(const char *from, const char *output,
                           int (*add)(void *user, const char *tmp, mkba_error *err),
                           void *user, const volatile sig_atomic_t *stop, mkba_error *err);

#endif
