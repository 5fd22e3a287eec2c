/* make bench: the engine benchmark on scenarios/bench.cfg (8 domains x 4
 * states, interactions, 2 arms, 10 yearly cycles). It times the scenario's
 * draws on 1 and on 2 threads without writing output, then one draw of 10^7
 * households to show memory stays flat, and ends with one summary line.
 * A second scenario with services (scenarios/pathways/all-models.cfg) is
 * timed the same way on the lockstep engine, without the 10^7 draw: that
 * engine keeps every household in memory. Last, both scenarios again on 1
 * and 2 threads while a busy child process holds a core, as another job on
 * a shared machine would: the speed of 2 threads over that of 1 should
 * not fall below 1 (each pair is printed, then the best of three). Each
 * engine's benchmark runs in a child process whose peak resident memory
 * is its line's peak_rss_mb. A household-cycle is one household advanced
 * one cycle in one arm. */
/* wait4: the rusage of one child, not of all children waited for. */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <omp.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "model/model.h"

static double timed_run(const mkba_model *m, int threads, long draws, long households)
{
    mkba_run_options o;
    mkba_run_options_init(&o);
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = threads;
    o.draws = draws;
    o.households = households;
    mkba_error err = {0};
    double t0 = omp_get_wtime();
    if (mkba_run(&ctx, m, &o, &err) != MKBA_OK) {
        fprintf(stderr, "bench: %s\n", err.message);
        exit(1);
    }
    return omp_get_wtime() - t0;
}

/* What one benchmark measures, sent from its child process. */
typedef struct figures {
    double hcycles_per_s, threads2_speedup;
} figures;

static figures bench_streaming(const char *path, const mkba_model *m, long households)
{
    long draws = 4;
    int arms = (int)m->narms, cycles = m->timing.ncycles;
    double hc = (double)draws * (double)households * arms * cycles;
    timed_run(m, 1, 1, households / 10); /* warm up */
    double t1 = timed_run(m, 1, draws, households);
    double t2 = timed_run(m, 2, draws, households);
    double tbig = timed_run(m, 2, 1, 10000000L);
    printf("bench: %s: %ld draws x %ld households x %d arms x %d cycles\n", path, draws,
           households, arms, cycles);
    printf("bench: 1 thread %.3f s (%.1f M household-cycles/s), 2 threads %.3f s\n", t1,
           hc / t1 / 1e6, t2);
    printf("bench: 10^7 households x 1 draw on 2 threads: %.2f s\n", tbig);
    return (figures){ hc / t1, t1 / t2 };
}

static figures bench_services(const char *path, const mkba_model *m, long households)
{
    long draws = 2;
    int arms = (int)m->narms, cycles = m->timing.ncycles;
    double hc = (double)draws * (double)households * arms * cycles;
    timed_run(m, 1, 1, households / 10);
    double t1 = timed_run(m, 1, draws, households);
    double t2 = timed_run(m, 2, draws, households);
    printf("bench-services: %s: %ld draws x %ld households x %d arms x %d cycles\n", path,
           draws, households, arms, cycles);
    return (figures){ hc / t1, t1 / t2 };
}

/* Runs fn in a child process, so that its peak resident memory (the
 * kernel's ru_maxrss of that child, in MiB) is the benchmark's own and not
 * the largest of all before it; prints the summary line `name: ...`. */
static void measured(const char *name, figures (*fn)(const char *, const mkba_model *, long),
                     const char *path, const mkba_model *m, long households)
{
    int fd[2];
    if (pipe(fd) != 0) {
        perror("bench: pipe");
        exit(1);
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench: fork");
        exit(1);
    }
    if (pid == 0) {
        close(fd[0]);
        figures f = fn(path, m, households);
        fflush(stdout);
        _exit(write(fd[1], &f, sizeof f) == (ssize_t)sizeof f ? 0 : 1);
    }
    close(fd[1]);
    figures f;
    ssize_t got = read(fd[0], &f, sizeof f);
    close(fd[0]);
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0
        || got != (ssize_t)sizeof f) {
        fprintf(stderr, "bench: the %s benchmark failed\n", name);
        exit(1);
    }
    printf("%s: hcycles_per_s_per_core=%.0f threads2_speedup=%.2f peak_rss_mb=%.0f\n", name,
           f.hcycles_per_s, f.threads2_speedup, ru.ru_maxrss / 1024.0);
}

/* A child process that keeps one core busy until stopped. */
static pid_t start_hog(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        volatile unsigned long spin = 0;
        for (;;)
            spin++;
    }
    return pid;
}

static void stop_hog(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

/* Speed on 2 threads over speed on 1 with a core taken, best of three
 * interleaved pairs (the machine's other load only ever slows a run). */
static double busy_ratio(const char *engine, const mkba_model *m, long draws, long households)
{
    pid_t hog = start_hog();
    if (hog < 0) {
        perror("bench: fork");
        exit(1);
    }
    double t1 = 1e300, t2 = 1e300;
    for (int rep = 0; rep < 3; rep++) {
        double a = timed_run(m, 1, draws, households), b = timed_run(m, 2, draws, households);
        printf("bench-busy: %s pair %d: 1 thread %.3f s, 2 threads %.3f s, ratio %.2f\n",
               engine, rep + 1, a, b, a / b);
        t1 = a < t1 ? a : t1;
        t2 = b < t2 ? b : t2;
    }
    stop_hog(hog);
    return t1 / t2;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    long households = 200000;
    if (getenv("MKBA_BENCH_HOUSEHOLDS"))
        households = atol(getenv("MKBA_BENCH_HOUSEHOLDS"));
    const int n = argc > 1 ? argc - 1 : 1;
    mkba_model *models[8] = {NULL};
    if (n > 8) {
        fprintf(stderr, "bench: at most 8 scenarios\n");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        const char *path = argc > 1 ? argv[i + 1] : "scenarios/bench.cfg";
        mkba_error err = {0};
        if (mkba_scenario_load(NULL, path, &models[i], &err) != MKBA_OK) {
            fprintf(stderr, "bench: %s\n", err.message);
            return 1;
        }
        if (models[i]->services.enabled)
            measured("bench-services", bench_services, path, models[i], households / 2);
        else
            measured("bench", bench_streaming, path, models[i], households);
    }
    double ratio[8];
    for (int i = 0; i < n; i++) {
        int svc = models[i]->services.enabled;
        ratio[i] = busy_ratio(svc ? "services" : "streaming", models[i], 2,
                              svc ? households / 4 : households / 2);
    }
    printf("bench-busy:");
    for (int i = 0; i < n; i++)
        printf(" %s_threads2_over_threads1=%.2f",
               models[i]->services.enabled ? "services" : "streaming", ratio[i]);
    printf("\n");
    for (int i = 0; i < n; i++)
        mkba_model_free(models[i]);
    return 0;
}
