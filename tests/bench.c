/* make bench: the engine benchmark on scenarios/bench.cfg (8 domains x 4
 * states, interactions, 2 arms, 10 yearly cycles). It times the scenario's
 * draws on 1 and on 2 threads without writing output, then one draw of 10^7
 * households to show memory stays flat, and ends with one summary line.
 * A second scenario with services (scenarios/pathways/all-models.cfg) is
 * timed the same way on the lockstep engine, without the 10^7 draw: that
 * engine keeps every household in memory. A household-cycle is one
 * household advanced one cycle in one arm. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
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

static int bench_streaming(const char *path, const mkba_model *m, long households)
{
    long draws = 4;
    int arms = (int)m->narms, cycles = m->timing.ncycles;
    double hc = (double)draws * (double)households * arms * cycles;
    timed_run(m, 1, 1, households / 10); /* warm up */
    double t1 = timed_run(m, 1, draws, households);
    double t2 = timed_run(m, 2, draws, households);
    double tbig = timed_run(m, 2, 1, 10000000L);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench: %s: %ld draws x %ld households x %d arms x %d cycles\n", path, draws,
           households, arms, cycles);
    printf("bench: 1 thread %.3f s (%.1f M household-cycles/s), 2 threads %.3f s\n", t1,
           hc / t1 / 1e6, t2);
    printf("bench: 10^7 households x 1 draw on 2 threads: %.2f s\n", tbig);
    printf("bench: hcycles_per_s_per_core=%.0f threads2_speedup=%.2f peak_rss_mb=%.0f\n",
           hc / t1, t1 / t2, ru.ru_maxrss / 1024.0);
    return 0;
}

static int bench_services(const char *path, const mkba_model *m, long households)
{
    long draws = 2;
    int arms = (int)m->narms, cycles = m->timing.ncycles;
    double hc = (double)draws * (double)households * arms * cycles;
    timed_run(m, 1, 1, households / 10);
    double t1 = timed_run(m, 1, draws, households);
    double t2 = timed_run(m, 2, draws, households);
    printf("bench-services: %s: %ld draws x %ld households x %d arms x %d cycles\n", path,
           draws, households, arms, cycles);
    printf("bench-services: hcycles_per_s_per_core=%.0f threads2_speedup=%.2f\n", hc / t1,
           t1 / t2);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    long households = 200000;
    if (getenv("MKBA_BENCH_HOUSEHOLDS"))
        households = atol(getenv("MKBA_BENCH_HOUSEHOLDS"));
    for (int i = 1; i < (argc > 1 ? argc : 2); i++) {
        const char *path = argc > 1 ? argv[i] : "scenarios/bench.cfg";
        mkba_model *m = NULL;
        mkba_error err = {0};
        if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK) {
            fprintf(stderr, "bench: %s\n", err.message);
            return 1;
        }
        if (m->services.enabled)
            bench_services(path, m, households / 2);
        else
            bench_streaming(path, m, households);
        mkba_model_free(m);
    }
    return 0;
}
