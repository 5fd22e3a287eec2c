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

/* Whether `path` may be written (replaced when complete): an error naming
 * it when it exists and is a folder, not a regular file (a device, a pipe:
 * never renamed over), the file `input` itself (same device and inode,
 * also through a link) or an HDF5 file (a result that a report must not
 * replace). input may be NULL. */
int mkba_outfile_check(const char *path, const char *input, mkba_error *err);

/* Creates the temporary file for `path`, open for writing in o->f unless
 * `stream` is 0 (then only created, for a library that writes the file by
 * name), after mkba_outfile_check(path, input). A folder that does not
 * exist is an error naming it. */
int mkba_outfile_open(mkba_outfile *o, const char *path, const char *input, int stream,
                      mkba_error *err);

/* Closes the stream and renames the temporary file to the final name;
 * on failure removes it. */
int mkba_outfile_commit(mkba_outfile *o, mkba_error *err);

/* Closes and removes the temporary file (safe after a failed open and
 * after commit). */
void mkba_outfile_discard(mkba_outfile *o);

/* Creates folder `path` when it does not exist (*created 1); an error
 * when it cannot or when the path is a file. */
int mkba_outfile_folder(const char *path, int *created, mkba_error *err);

/* A file name for `id` (a table id that may hold arm names): bytes other
 * than letters, digits, - _ . and UTF-8 become _, no leading dot, at most
 * 200 bytes (cut between characters), never empty; size >= 2. */
void mkba_outfile_safe_name(char *buf, size_t size, const char *id);

#endif
