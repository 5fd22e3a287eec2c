/* Small result files for the report tests, reading files whole, and
 * running the mkba program from a test (support_run.h). */
#define _DEFAULT_SOURCE   /* wait4(2), a BSD call glibc hides under plain POSIX */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "support.h"
#include "support_run.h"

char *support_model_text(const mkba_model *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    mkba_model_print(m, f);
    assert_int_equal(fclose(f), 0);
    assert_non_null(buf);
    return buf;
}

void support_run_options(mkba_run_options *o, const char *output, long draws,
                         long households)
{
    mkba_run_options_init(o);
    o->output = output;
    o->force = 1;
    o->draws = draws;
    if (households > 0)
        o->households = households;
}

void support_base_case_options(mkba_run_options *o, const char *output, long households,
                               uint64_t seed)
{
    support_run_options(o, output, 0, households);
    o->households = households;   /* 0 as well, which support_run_options leaves out */
    o->seed_set = 1;
    o->seed = seed;
}

int support_run_small(char *path, size_t size, const char *tag, long draws)
{
    snprintf(path, size, "/tmp/mkba-test-%s-%ld.h5", tag, (long)getpid());
    mkba_model *m = support_model_small();
    if (m == NULL)
        return -1;
    mkba_run_options o;
    support_run_options(&o, path, draws, 60);
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 1;
    mkba_error err;
    mkba_error_clear(&err);
    int rc = mkba_run(&ctx, m, &o, &err);
    mkba_model_free(m);
    if (rc != MKBA_OK)
        fprintf(stderr, "support_run_small: %s\n", err.message);
    return rc == MKBA_OK ? 0 : -1;
}

char *support_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *s = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0
        && (s = malloc((size_t)n + 1)) != NULL) {
        if (fread(s, 1, (size_t)n, f) != (size_t)n) {
            free(s);
            s = NULL;
        } else {
            s[n] = '\0';
        }
    }
    fclose(f);
    return s;
}

/* ---- the program under test (support_run.h) ---- */

const char *support_bin(void)
{
    const char *bin = getenv("MKBA_BIN");
    if (bin == NULL || bin[0] == '\0')
        skip();
    return bin;
}

void support_need_nobody(const char *file)
{
    const char *bin = support_bin();
    char cmd[1200];
    if (getuid() != 0) {
        print_message("skipped: running mkba as user 65534 needs root\n");
        skip();
    }
    if (system(SUPPORT_NOBODY " true 2>/dev/null") != 0) {
        print_message("skipped: setpriv cannot run a command as user 65534 here\n");
        skip();
    }
    snprintf(cmd, sizeof cmd, SUPPORT_NOBODY " '%s' --version >/dev/null 2>&1", bin);
    if (system(cmd) != 0) {
        print_message("skipped: user 65534 cannot run %s from this folder (is a folder on the "
                      "way closed to other users?)\n", bin);
        skip();
    }
    snprintf(cmd, sizeof cmd, SUPPORT_NOBODY " test -r '%s'", file != NULL ? file : ".");
    if (system(cmd) != 0) {
        print_message("skipped: user 65534 cannot read %s\n", file != NULL ? file : ".");
        skip();
    }
}

void support_need_exec(const char *path)
{
    if (access(path, X_OK) != 0) {
        print_message("skipped: %s cannot be executed (%s); is its file system mounted "
                      "noexec?\n", path, strerror(errno));
        skip();
    }
}

int support_have_dev_full(const char *what)
{
    struct stat st;
    if (stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode))
        return 1;
    print_message("left out %s: /dev/full is not the full device here\n", what);
    return 0;
}

int support_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int support_remove_folder(const char *dir, const char *const *names, size_t n)
{
    char path[1024];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    return rmdir(dir) == 0 ? 0 : -1;
}

void support_slurp(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

void support_assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

pid_t support_start(const char *const *args, const char *output, const char *errfile)
{
    const char *bin = support_bin();
    char *argv[40];
    int n = 0;
    argv[n++] = (char *)bin;
    for (int i = 0; args[i] != NULL && n < 36; i++)
        argv[n++] = (char *)args[i];
    if (output != NULL) {
        argv[n++] = "-o";
        argv[n++] = (char *)output;
    }
    argv[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (freopen(errfile, "w", stderr) == NULL || freopen("/dev/null", "w", stdout) == NULL)
            _exit(126);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        execv(bin, argv);
        _exit(127);
    }
    return pid;
}

double support_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void support_sleep_s(double s)
{
    struct timespec t = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&t, NULL);
}

static int how_it_ended(int status)
{
    return WIFSIGNALED(status) ? WTERMSIG(status) : 1000 + WEXITSTATUS(status);
}

/* Whether child pid has ended (1, reaped, its status in *status) or still
 * runs (0). A pid that is no child of ours to wait for (ECHILD: already
 * reaped, or never ours) fails the test at once: polling it again would
 * only wait out the deadline, and the number may by then be another
 * process's, which the caller must not signal. */
static int ended_now(pid_t pid, int *status, struct rusage *use)
{
    for (;;) {
        pid_t w = wait4(pid, status, WNOHANG, use);
        if (w == pid)
            return 1;
        if (w == 0)
            return 0;
        if (errno != EINTR)
            fail_msg("waiting for process %ld: %s (was it already reaped?)", (long)pid,
                     strerror(errno));
    }
}

int support_finish(pid_t pid, double limit_s)
{
    return support_finish_rusage(pid, limit_s, NULL);
}

int support_finish_rusage(pid_t pid, double limit_s, struct rusage *use)
{
    int status = 0;
    if (limit_s <= 0) {
        assert_int_equal(wait4(pid, &status, 0, use), pid);
        return how_it_ended(status);
    }
    for (double end = support_now_s() + limit_s; support_now_s() < end;) {
        if (ended_now(pid, &status, use))
            return how_it_ended(status);
        support_sleep_s(0.01);
    }
    /* Still our unreaped child (ended_now saw it running), so the number
     * cannot have been given to another process. */
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    fail_msg("the run did not end within %.0f s", limit_s);
    return -1;
}

int support_wait_for_size(pid_t pid, const char *path, long bytes, int *how)
{
    struct stat st;
    for (int i = 0; i < 20000; i++) {
        if (stat(path, &st) == 0 && st.st_size >= bytes)
            return 0;
        int status = 0;
        if (ended_now(pid, &status, NULL)) {
            *how = how_it_ended(status);
            return 1;
        }
        support_sleep_s(0.005);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    fail_msg("%s did not reach %ld bytes within 100 s", path, bytes);
    return 1;
}

/* The CPU seconds process pid has used so far, from /proc/PID/stat
 * (utime and stime, fields 14 and 15, after the name in parentheses);
 * -1 when it cannot be read. */
static double cpu_so_far(pid_t pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    support_slurp(path, text, sizeof text);
    const char *p = strrchr(text, ')');
    unsigned long utime = 0, stime = 0;
    if (p == NULL || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                            &utime, &stime) != 2)
        return -1.0;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static double children_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
           + 1e-6 * (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

int support_interrupt_timed(pid_t pid, const char *path, long bytes, int signo,
                            double limit_s, support_stop *stop)
{
    int how = 0, ended = support_wait_for_size(pid, path, bytes, &how);
    *stop = (support_stop){ !ended, 0.0, 0.0 };
    if (ended)
        return how;
    /* Its whole CPU time shows in RUSAGE_CHILDREN once it is reaped. */
    double children0 = children_cpu_s(), cpu0 = cpu_so_far(pid), t0 = support_now_s();
    assert_int_equal(kill(pid, signo), 0);
    how = support_finish(pid, limit_s);
    stop->wall_s = support_now_s() - t0;
    stop->cpu_s = cpu0 >= 0 ? children_cpu_s() - children0 - cpu0 : -1.0;
    return how;
}

int support_interrupt_after(pid_t pid, const char *path, long bytes, int signo,
                            double limit_s, double *stop_s, int *signalled)
{
    support_stop stop;
    int how = support_interrupt_timed(pid, path, bytes, signo, limit_s, &stop);
    if (signalled != NULL)
        *signalled = stop.signalled;
    if (stop_s != NULL)
        *stop_s = stop.wall_s;
    return how;
}

/* ---- sensitivity-method cases of the allocation-failure tests ---- */

void support_sa_options(mkba_sa_options *o, const support_sa_case *c, const char *output,
                        const char *psa, long bootstrap, const char *factors)
{
    mkba_sa_options_init(o);
    o->method = c->method;
    o->output = output;
    o->force = 1;
    o->n = c->n;
    o->bootstrap = bootstrap;
    o->from = c->from ? psa : NULL;
    o->households = c->from ? -1 : 20;
    o->factors = c->method == MKBA_SA_BELIEVE ? NULL : factors;
}
