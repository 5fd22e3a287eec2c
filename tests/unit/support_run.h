/* Running the mkba program (MKBA_BIN) from a test: start it, wait for it
 * with a deadline, interrupt it once a file it writes has grown, read what
 * it printed. Shared by the tests of the command line, interruption,
 * resumption and write errors. */
#ifndef MKBA_TESTS_SUPPORT_RUN_H
#define MKBA_TESTS_SUPPORT_RUN_H

#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* The program under test (MKBA_BIN); skips the test when it is unset. */
const char *support_bin(void);

/* Whether `path` exists. */
int support_exists(const char *path);

/* The start of file `path` (at most size - 1 bytes) as a string in buf;
 * "" when it cannot be read. */
void support_slurp(const char *path, char *buf, size_t size);

/* Fails the test unless `needle` occurs in `hay`, showing both. */
void support_assert_contains(const char *hay, const char *needle);

/* Removes the files `names` (n of them) of folder `dir`, then the folder:
 * 0, or -1 when the folder stays (a file a test left under another name). */
int support_remove_folder(const char *dir, const char *const *names, size_t n);

/* ---- what the machine may lack: these say why, then skip (or, for
 * have_*, let the caller leave the part out) ---- */

/* setpriv's prefix that runs a command as user and group 65534 (nobody). */
#define SUPPORT_NOBODY "setpriv --reuid=65534 --regid=65534 --clear-groups"

/* Skips the test, saying why, unless this process is root and user 65534
 * can run MKBA_BIN (`--version`, by the same path, from the current
 * folder: a checkout under a 0700 home is out of its reach) and read
 * `file` (may be NULL). */
void support_need_nobody(const char *file);

/* Skips the test, saying why, unless file `path` can be executed (not on
 * a file system mounted noexec, as /tmp may be). */
void support_need_exec(const char *path);

/* Whether /dev/full is the character device whose every write fails with
 * "No space left on device"; prints, when not, that `what` is left out.
 * (Without the device node, root's shell would create a plain file there
 * and the write would succeed.) */
int support_have_dev_full(const char *what);

/* Seconds on a monotonic clock; sleeping for s seconds. */
double support_now_s(void);
void support_sleep_s(double s);

/* Starts `MKBA_BIN ARGS...` (args NULL-terminated, then `-o output` unless
 * output is NULL), stderr into `errfile`, stdout to /dev/null, SIGINT and
 * SIGTERM at their default action as from a terminal (a test started in
 * the background inherits SIGINT ignored, which mkba rightly keeps). */
pid_t support_start(const char *const *args, const char *output, const char *errfile);

/* Waits for pid, at most `limit_s` seconds (0: no limit; past it the
 * process is killed and the test fails); returns the signal it died by,
 * or 1000 + its exit status. A pid that cannot be waited for (already
 * reaped) fails the test at once and is never signalled. */
int support_finish(pid_t pid, double limit_s);

/* As support_finish, with the resources of that one process (not of every
 * child so far, as getrusage(RUSAGE_CHILDREN) gives) in *use (may be
 * NULL), from wait4. Its ru_maxrss also counts the pages it shared with
 * the test at the fork (Linux keeps the high-water mark across exec), so
 * a bound on it must allow for the test's own RSS (RUSAGE_SELF). */
int support_finish_rusage(pid_t pid, double limit_s, struct rusage *use);

/* Waits until file `path` has at least `bytes` while pid runs (at most
 * 100 s, then the test fails): 0, or 1 when pid ended first, how in *how
 * (as support_finish gives it). */
int support_wait_for_size(pid_t pid, const char *path, long bytes, int *how);

/* Sends pid `signo` once `path` has `bytes` and returns how it ended (as
 * support_finish, at most `limit_s` seconds after the signal), the seconds
 * from the signal to the end in *stop_s (may be NULL). A process that
 * ended first is not signalled: *signalled (may be NULL) tells. */
int support_interrupt_after(pid_t pid, const char *path, long bytes, int signo,
                            double limit_s, double *stop_s, int *signalled);

/* How long a process took to stop after a signal: the wall seconds and
 * the CPU seconds (all its threads; -1 when /proc cannot tell), which a
 * loaded machine does not stretch as it does the wall time. */
typedef struct support_stop {
    int signalled;             /* 0: it ended before the signal */
    double wall_s, cpu_s;
} support_stop;

/* As support_interrupt_after, with both times in *stop. */
int support_interrupt_timed(pid_t pid, const char *path, long bytes, int signo,
                            double limit_s, support_stop *stop);

#endif
