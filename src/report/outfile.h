/* An output file written under a temporary name beside it and renamed when
 * complete, so an error never leaves a file that looks finished. */
#ifndef MKBA_REPORT_OUTFILE_H
#define MKBA_REPORT_OUTFILE_H

#include <stdio.h>
#include "mkba/error.h"

typedef struct mkba_outfile {
    char *path, *tmp;   /* the final name and the temporary one */
    FILE *f;            /* open on tmp (NULL for callers that write tmp themselves) */
} mkba_outfile;

/* Creates the temporary file for `path`, open for writing in o->f unless
 * `stream` is 0 (then only created, for a library that writes the file by
 * name). A path that is a folder, or a folder that does not exist, is an
 * error naming it. */
int mkba_outfile_open(mkba_outfile *o, const char *path, int stream, mkba_error *err);

/* Closes the stream and renames the temporary file to the final name;
 * on failure removes it. */
int mkba_outfile_commit(mkba_outfile *o, mkba_error *err);

/* Closes and removes the temporary file (safe after a failed open and
 * after commit). */
void mkba_outfile_discard(mkba_outfile *o);

/* Creates folder `path` when it does not exist; an error when it cannot
 * or when the path is a file. */
int mkba_outfile_folder(const char *path, mkba_error *err);

#endif
