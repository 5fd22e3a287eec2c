/* The progress bar of `mkba run`: drawn on stderr only when stderr is a
 * terminal and --quiet was not given, so logs and pipes stay clean. */
#ifndef MKBA_CLI_PROGRESS_H
#define MKBA_CLI_PROGRESS_H

#include <stddef.h>
#include <stdio.h>

typedef struct mkba_cli_progress {
    FILE *out;          /* NULL: disabled, every call is a no-op */
    double start;       /* monotonic seconds at mkba_cli_progress_start */
    double last_draw;   /* when the bar was last drawn */
    int drawn;          /* something is on the line: finish ends it */
    int width;          /* characters of the line drawn last */
} mkba_cli_progress;

/* Starts the clock; draws nothing yet. The bar is enabled only when
 * `enabled` is set and `out` is a terminal. */
void mkba_cli_progress_start(mkba_cli_progress *p, FILE *out, int enabled);

/* An mkba_progress_fn (user = the mkba_cli_progress): redraws the line with
 * percentage, bar, household-cycles per second, elapsed time and estimated
 * time left, at most about ten times a second (and always at 100%), never
 * wider than the terminal (the bar and the words shrink, then the bar and
 * the rate go: the time left stays longest). */
void mkba_cli_progress_update(void *user, double done, double total);

/* The line the bar draws for `done` of `total` household-cycles after
 * `elapsed` seconds on a terminal of `columns` columns, into buf (size
 * bytes): percentage, bar, rate, elapsed and time left, at most
 * columns - 1 characters. Returns its length. */
int mkba_cli_progress_line(char *buf, size_t size, int columns, double done, double total,
                           double elapsed);

/* Ends the line with a newline when a bar was drawn. */
void mkba_cli_progress_finish(mkba_cli_progress *p);

#endif
