/* Runs a helper program of the report (python3 with the chart script,
 * chromium for the PDF) and waits for it. */
#ifndef MKBA_REPORT_SPAWN_H
#define MKBA_REPORT_SPAWN_H

#include <signal.h>
#include <stddef.h>

/* How long a helper may run, and when to stop it early. */
typedef struct mkba_spawn_limits {
    const volatile sig_atomic_t *stop;   /* stop it once *stop != 0 (NULL: never) */
    double timeout;                      /* seconds; <= 0: no limit */
} mkba_spawn_limits;

/* mkba_spawn_wait's results besides 0 and errno values (which are > 0). */
enum { MKBA_SPAWN_STOPPED = -1, MKBA_SPAWN_TIMED_OUT = -2 };

/* Runs argv[0] (looked up on PATH unless it holds a '/') with argv in a
 * process group of its own, its standard input and output /dev/null and
 * its messages to the file `log`, with the default signal dispositions
 * and no signal blocked, and TMPDIR set to `tmpdir` unless that is NULL
 * (so its scratch files go where they are removed); waits for it. Returns
 * 0 with its exit status in *status (128 + the signal when a signal ended
 * it), an errno value when it could not be started, or MKBA_SPAWN_STOPPED
 * / MKBA_SPAWN_TIMED_OUT when lim's stop flag was raised or its time ran
 * out: the whole group was then ended (SIGTERM, two seconds later
 * SIGKILL). A group the helper leaves behind is ended too. */
int mkba_spawn_wait(char *const argv[], const char *log, const char *tmpdir,
                    const mkba_spawn_limits *lim, int *status);

/* The seconds in environment variable `variable` (a positive number), or
 * `otherwise` when it is not set; *bad 1 when it is set to anything else. */
double mkba_spawn_timeout(const char *variable, double otherwise, int *bad);

/* The last non-empty line of file `log` in buf ("" when there is none). */
void mkba_spawn_last_line(const char *log, char *buf, size_t size);

/* Removes folder dir with everything in it (a helper's scratch folder). */
void mkba_spawn_remove_tree(const char *dir);

#endif
