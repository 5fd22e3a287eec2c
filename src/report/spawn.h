/* Runs a helper program of the report (python3 with the chart script,
 * chromium for the PDF) and waits for it. */
#ifndef MKBA_REPORT_SPAWN_H
#define MKBA_REPORT_SPAWN_H

#include <stddef.h>

/* Runs argv[0] (looked up on PATH unless it holds a '/') with argv, its
 * standard output to /dev/null and its messages to the file `log`, with
 * the default signal dispositions and no signal blocked, and TMPDIR set to
 * `tmpdir` unless that is NULL (so its scratch files go where they are
 * removed); waits for it. Returns 0 with its exit status in *status (128 +
 * the signal when a signal ended it), or an errno value when it could not
 * be started. */
int mkba_spawn_wait(char *const argv[], const char *log, const char *tmpdir, int *status);

/* The last non-empty line of file `log` in buf ("" when there is none). */
void mkba_spawn_last_line(const char *log, char *buf, size_t size);

/* Removes folder dir with everything in it (a helper's scratch folder). */
void mkba_spawn_remove_tree(const char *dir);

#endif
