/* Running the report's helper programs (see spawn.h). */
#define _XOPEN_SOURCE 700     /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
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

int mkba_spawn_wait(char *const argv[], const char *log, const char *tmpdir, int *status)
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
    rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
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
        if (rc == 0)
            rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        pid_t pid;
        if (rc == 0)
            rc = (strchr(argv[0], '/') != NULL ? posix_spawn : posix_spawnp)(&pid, argv[0], &fa,
                                                                             &attr, argv, env);
        posix_spawnattr_destroy(&attr);
        int ws = 0;
        while (rc == 0 && waitpid(pid, &ws, 0) < 0)
            if (errno != EINTR)
                rc = errno;
        if (rc == 0)
            *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    }
    posix_spawn_file_actions_destroy(&fa);
    if (env != environ)
        mkba_free(env);
    return rc;
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
