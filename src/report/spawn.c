/* Running the report's helper programs (see spawn.h). */
#define _XOPEN_SOURCE 700     /* nftw */
#define _GNU_SOURCE           /* posix_spawn_file_actions_addclosefrom_np */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "core/alloc.h"
#include "spawn.h"

extern char **environ;

/* environ with TMPDIR set to tmpdir (NULL: environ itself); free the
 * result with mkba_free when it is not environ. */
static char **environment(const char *tmpdir)
{
    if (tmpdir == NULL)
        return environ;
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    size_t len = strlen("TMPDIR=") + strlen(tmpdir) + 1;
    char **env = mkba_malloc((n + 2) * sizeof *env + len);
    if (env == NULL)
        return NULL;
    char *var = (char *)(env + n + 2);
    snprintf(var, len, "TMPDIR=%s", tmpdir);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "TMPDIR=", 7) != 0)
            env[k++] = environ[i];
    env[k++] = var;
    env[k] = NULL;
    return env;
}

/* The seconds between two looks at the child, the stop flag and the
 * clock, and the grace a stopped child gets before SIGKILL. */
#define POLL_NS (50 * 1000 * 1000L)
#define GRACE_POLLS 40

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

/* 1 when child pid has ended, without reaping it: while it is a zombie
 * its number cannot name another process group, so its group can still
 * be signalled safely. */
static int has_ended(pid_t pid)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

/* Ends the child's process group (it and whatever it started: Chromium's
 * zygote and renderers): SIGTERM, a grace of two seconds, then SIGKILL;
 * reaps the child. */
static void end_group(pid_t pid)
{
    kill(-pid, SIGTERM);
    struct timespec pause = { 0, POLL_NS };
    for (int i = 0; i < GRACE_POLLS; i++) {
        if (has_ended(pid))
            break;
        nanosleep(&pause, NULL);
    }
    kill(-pid, SIGKILL);     /* it, or a helper it left behind */
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

/* Waits for child pid until it ends (0, its wait status in *ws), *stop is
 * raised (MKBA_SPAWN_STOPPED) or `timeout` seconds pass
 * (MKBA_SPAWN_TIMED_OUT); in the last two cases its group is ended. */
static int wait_child(pid_t pid, const mkba_spawn_limits *lim, int *ws)
{
    struct timespec t0, pause = { 0, POLL_NS };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (has_ended(pid)) {
            /* The group outlives its leader when the helper left a
             * process behind (a crashed browser's renderer): end it, so
             * nothing writes into the scratch folder any more. */
            kill(-pid, SIGKILL);
            while (waitpid(pid, ws, 0) < 0)
                if (errno != EINTR)
                    return errno;
            return 0;
        }
        if (lim != NULL && lim->stop != NULL && *lim->stop != 0) {
            end_group(pid);
            return MKBA_SPAWN_STOPPED;
        }
        if (lim != NULL && lim->timeout > 0 && seconds_since(&t0) > lim->timeout) {
            end_group(pid);
            return MKBA_SPAWN_TIMED_OUT;
        }
        nanosleep(&pause, NULL);
    }
}

int mkba_spawn_wait(char *const argv[], const char *log, const char *tmpdir,
                    const mkba_spawn_limits *lim, int *status)
{
    char **env = environment(tmpdir);
    if (env == NULL)
        return ENOMEM;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0) {
        if (env != environ)
            mkba_free(env);
        return rc;
    }
    /* Nothing to read (a terminal or a caller's pipe is not the helper's),
     * output to /dev/null, messages to the log. */
    rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    /* Nothing else mkba holds open (the result file) passes to the helper. */
    if (rc == 0)
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
    if (rc == 0)
        rc = posix_spawnattr_init(&attr);
    if (rc == 0) {
        /* The helper gets what a terminal gives, not what a caller (a
         * test, a shell in the background) left ignored or blocked. */
        sigset_t none, dflt;
        sigemptyset(&none);
        sigemptyset(&dflt);
        sigaddset(&dflt, SIGINT);
        sigaddset(&dflt, SIGTERM);
        sigaddset(&dflt, SIGPIPE);
        rc = posix_spawnattr_setsigmask(&attr, &none);
        if (rc == 0)
            rc = posix_spawnattr_setsigdefault(&attr, &dflt);
        /* Its own process group, so that stopping it reaches whatever it
         * started, and a terminal's Ctrl-C reaches mkba, which ends it. */
        if (rc == 0)
            rc = posix_spawnattr_setpgroup(&attr, 0);
        if (rc == 0)
            rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
                                                 | POSIX_SPAWN_SETPGROUP);
        pid_t pid;
        if (rc == 0)
            rc = (strchr(argv[0], '/') != NULL ? posix_spawn : posix_spawnp)(&pid, argv[0], &fa,
                                                                             &attr, argv, env);
        posix_spawnattr_destroy(&attr);
        int ws = 0;
        if (rc == 0)
            rc = wait_child(pid, lim, &ws);
        if (rc == 0)
            *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    }
    posix_spawn_file_actions_destroy(&fa);
    if (env != environ)
        mkba_free(env);
    return rc;
}

double mkba_spawn_timeout(const char *variable, double otherwise, int *bad)
{
    const char *v = getenv(variable);
    *bad = 0;
    if (v == NULL || v[0] == '\0')
        return otherwise;
    char *end;
    errno = 0;
    double t = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !(t > 0) || t > 1e7) {
        *bad = 1;
        return otherwise;
    }
    return t;
}

void mkba_spawn_last_line(const char *log, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(log, "r");
    if (f == NULL)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != '\0')
            snprintf(buf, size, "%s", line);
    }
    fclose(f);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void mkba_spawn_remove_tree(const char *dir)
{
    /* A browser that failed may leave a helper process behind that still
     * writes into its profile for a moment: try again a few times. */
    struct stat st;
    for (int tries = 0; tries < 5; tries++) {
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        if (stat(dir, &st) != 0)
            return;
        struct timespec pause = { 0, 200 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
}
