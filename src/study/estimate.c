/* What a study will take, estimated from the schema and the model before
 * it runs, and the refusals that follow from it (docs/reliability.md,
 * "Limits"): a result file above MKBA_STUDY_CONFIRM_BYTES needs
 * confirmation, and a study that cannot fit in memory is refused rather
 * than ended by the kernel's OOM killer. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "study/study.h"
#include "study/checkpoint.h"
#include "results/schema.h"

/* Time per household, arm and cycle on one thread, measured on the shipped
 * scenarios (docs/reliability.md): only a rough guide, machines differ. */
#define SECONDS_STREAMING 1e-7
#define SECONDS_SERVICES 2.5e-7

/* The bytes of one stored row of /draws, as the writer lays it out. */
static double row_bytes(const mkba_model *m)
{
    size_t axis[MKBA_NAXES];
    mkba_schema_axis_sizes(m, axis);
    double bytes = 0;
    for (size_t i = 0; i < mkba_schema_ndatasets; i++) {
        const mkba_dataset_spec *sp = &mkba_schema_dataset[i];
        if (mkba_schema_in_record(sp, m->services.enabled, m->population.enabled))
            bytes += (double)mkba_schema_draw_count(sp, axis) * sizeof(double);
    }
    return bytes;
}

/* Cycles simulated for the entrants of an open population per draw of
 * `households` (0 for a closed one): each year's expected entrants run
 * from the point that starts their year to the horizon, as in the engine. */
static double entrant_cycles(const mkba_model *m, long households, double *entrants)
{
    const double per_year = mkba_population_entrants(m, households);
    double cycles = 0;
    *entrants = 0;
    for (int y = 1; per_year > 0; y++) {
        long k0 = lround(y / m->timing.cycle_years);
        if (k0 >= m->timing.ncycles)
            break;
        cycles += per_year * (double)(m->timing.ncycles - k0);
        *entrants += per_year;
    }
    return cycles;
}

void mkba_study_estimate_of(const mkba_model *m, size_t npoints, int nengines,
                            const mkba_study_options *o, mkba_study_estimate *e)
{
    const int micro = o->mode == MKBA_ENGINE_MICRO;
    const double T = m->timing.ncycles;
    const double households = micro ? (double)o->households : 0;
    const double stored = o->output != NULL && o->store_draws ? (double)npoints : 0;
    e->row_bytes = row_bytes(m);
    e->file_bytes = stored * e->row_bytes;
    e->checkpoint_bytes = o->output != NULL && !o->no_checkpoint
                          ? mkba_checkpoint_bytes(m, npoints) : 0;
    /* Engines running points side by side have one thread each (study.c). */
    const int engine_threads = nengines > 1 ? 1 : o->threads > 0 ? o->threads : 1;
    /* With services, a draw with entrants runs the closed cohort and then
     * the open population, whose records hold the entrants too
     * (docs/budget.md, "Entrants and the teams"). */
    double entrants = 0;
    const double cycles = micro ? entrant_cycles(m, o->households, &entrants) : 0;
    const int open_run = m->services.enabled && entrants > 0;
    e->open_entrants = open_run ? entrants : 0;
    e->engine_bytes = (households + (open_run ? households + entrants : 0)) * (double)nengines
                      * (double)mkba_engine_bytes_per_household(m, o->mode, engine_threads)
                      + (micro ? (double)nengines
                                     * mkba_engine_bytes_fixed(m, o->mode, o->households,
                                                               engine_threads)
                               : 0);
    /* The analyses read the stored rows back, all at once. */
    e->readback_bytes = o->analyse ? e->file_bytes : 0;
    /* Entrants are simulated households too, for fewer cycles. */
    const double simulated = households * (open_run ? 2 : 1) + cycles / T;
    e->seconds = (double)npoints * simulated * (double)mkba_model_simulated(m) * T
                 * (m->services.enabled ? SECONDS_SERVICES : SECONDS_STREAMING)
                 / (o->threads > 0 ? o->threads : 1);
}

/* The number in file `path` (a cgroup's memory limit), or 0 when it is
 * missing, "max" (none) or unreadable. */
static double read_limit(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    unsigned long long v = 0;
    int ok = fscanf(f, "%llu", &v) == 1;
    fclose(f);
    return ok ? (double)v : 0;
}

/* The process's cgroup for `controller` ("" for the unified hierarchy,
 * cgroup v2; "memory" for v1) from proc_cgroup (/proc/self/cgroup, lines
 * "ID:CONTROLLERS:PATH") into path; 0 when it is not listed. */
static int own_cgroup(const char *proc_cgroup, const char *controller, char *path, size_t size)
{
    FILE *f = fopen(proc_cgroup, "r");
    if (f == NULL)
        return 0;
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof line, f) != NULL) {
        char *c = strchr(line, ':');
        char *p = c != NULL ? strchr(c + 1, ':') : NULL;
        if (p == NULL)
            continue;
        *p = '\0';
        p[strcspn(p + 1, "\n") + 1] = '\0';
        found = controller[0] == '\0' ? c[1] == '\0' : strcmp(c + 1, controller) == 0;
        if (found)
            snprintf(path, size, "%s", p + 1);
    }
    fclose(f);
    return found;
}

double mkba_study_cgroup_memory_limit(const char *root, const char *proc_cgroup)
{
    /* Each hierarchy's limit file, at the root of the hierarchy as a
     * container sees it and in the process's own cgroup. */
    static const struct { const char *controller, *dir, *file; } kinds[] = {
        { "", "", "memory.max" },                         /* cgroup v2 */
        { "memory", "/memory", "memory.limit_in_bytes" }, /* cgroup v1 */
    };
    double limit = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char own[2048] = "", path[4096];
        own_cgroup(proc_cgroup, kinds[k].controller, own, sizeof own);
        for (int nested = 0; nested <= (own[0] != '\0' && strcmp(own, "/") != 0); nested++) {
            snprintf(path, sizeof path, "%s%s%s/%s", root, kinds[k].dir, nested ? own : "",
                     kinds[k].file);
            double v = read_limit(path);
            if (v > 0 && (limit == 0 || v < limit))
                limit = v;
        }
    }
    return limit;
}

/* The memory the process may use: the physical memory, or less under a
 * memory limit of its cgroup (v2 memory.max, v1 memory.limit_in_bytes)
 * or a limit on its address space or data. */
static double memory_available(const char **what)
{
    double bytes = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    *what = "the physical memory";
    double cgroup = mkba_study_cgroup_memory_limit("/sys/fs/cgroup", "/proc/self/cgroup");
    if (cgroup > 0 && cgroup < bytes) {
        bytes = cgroup;
        *what = "the memory limit of the process's cgroup";
    }
    static const struct { int resource; const char *what; } limits[] = {
        { RLIMIT_AS, "the process's address-space limit (ulimit -v)" },
        { RLIMIT_DATA, "the process's data limit (ulimit -d)" },
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        struct rlimit r;
        if (getrlimit(limits[i].resource, &r) == 0 && r.rlim_cur != RLIM_INFINITY
            && (double)r.rlim_cur < bytes) {
            bytes = (double)r.rlim_cur;
            *what = limits[i].what;
        }
    }
    return bytes;
}

/* bytes as "1.5 GiB", "320.0 KiB", ... */
static const char *size_text(double bytes, char *buf, size_t size)
{
    static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB" };
    int u = 0;
    while (bytes >= 1024 && u < 5) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", bytes, unit[u]);
    return buf;
}

/* seconds as "40 s", "12 min", "5.2 h", "3.1 days". */
static const char *time_text(double s, char *buf, size_t size)
{
    if (s < 120)
        snprintf(buf, size, "%.0f s", s);
    else if (s < 7200)
        snprintf(buf, size, "%.0f min", s / 60);
    else if (s < 172800)
        snprintf(buf, size, "%.1f h", s / 3600);
    else
        snprintf(buf, size, "%.1f days", s / 86400);
    return buf;
}

int mkba_study_check_estimate(const mkba_model *m, size_t npoints, int nengines,
                              const mkba_study_options *o, mkba_error *err)
{
    mkba_study_estimate e;
    mkba_study_estimate_of(m, npoints, nengines, o, &e);
    char a[32], b[32], c[32], d[32];
    const char *what;
    double available = memory_available(&what);
    double memory = e.engine_bytes + e.readback_bytes;
    if (memory > 0.8 * available) {
        char parts[384] = "", *p = parts;
        char open[96] = "";
        if (e.open_entrants > 0)
            snprintf(open, sizeof open, " twice (closed and open run) and about %.0f entrants "
                     "(open run)", e.open_entrants);
        if (e.engine_bytes > 0)
            p += snprintf(p, sizeof parts, "%s for %ld households%s%s by %d "
                          "engine%s, with the engines' tallies per thread",
                          size_text(e.engine_bytes, b, sizeof b), o->households, open,
                          m->services.enabled ? " kept with services" : "", nengines,
                          nengines == 1 ? "" : "s");
        if (e.readback_bytes > 0)
            snprintf(p, sizeof parts - (size_t)(p - parts), "%s%s to read the %zu stored "
                     "draw%s back for the analyses", p > parts ? ", " : "",
                     size_text(e.readback_bytes, c, sizeof c), npoints, npoints == 1 ? "" : "s");
        /* A fifth is left for everything else: the program, HDF5's caches,
         * the analyses' own tables. */
        return mkba_error_set(err, MKBA_ENOMEM, "the run would need about %s of memory (%s), "
                              "more than %s allows (%s, of which a fifth is kept free); use "
                              "fewer households or draws", size_text(memory, a, sizeof a),
                              parts, what, size_text(available, d, sizeof d));
    }
    if (e.file_bytes + e.checkpoint_bytes <= MKBA_STUDY_CONFIRM_BYTES || o->yes)
        return MKBA_OK;
    char f[32], threads[48];
    size_text(e.checkpoint_bytes, f, sizeof f);
    snprintf(threads, sizeof threads, "%d thread%s", o->threads, o->threads == 1 ? "" : "s");
    if (e.file_bytes > 0)
        return mkba_error_set(err, MKBA_EINVAL, "%s would be about %s (%zu draws of %s each, "
                              "before compression) and the simulation alone would take roughly "
                              "%s on %s (writing and analysing the draws come on top); "
                              "while it runs, its checkpoint %s.ckpt takes about %s more "
                              "(--no-checkpoint: none); a result file above %s needs "
                              "confirmation: add --yes to write it, or use fewer draws",
                              o->output, size_text(e.file_bytes, a, sizeof a), npoints,
                              size_text(e.row_bytes, b, sizeof b),
                              time_text(e.seconds, c, sizeof c), threads, o->output, f,
                              size_text(MKBA_STUDY_CONFIRM_BYTES, d, sizeof d));
    /* The file keeps no draws (a sensitivity design): the checkpoint is
     * what grows. */
    return mkba_error_set(err, MKBA_EINVAL, "the checkpoint %s.ckpt of this run would be about "
                          "%s (%zu points of %s each) and the simulation alone would take "
                          "roughly %s on %s (writing and analysing come on top); "
                          "above %s this needs confirmation: add --yes to go ahead, "
                          "--no-checkpoint to keep no checkpoint (an interruption then costs "
                          "the whole run), or use fewer points", o->output, f, npoints,
                          size_text(e.row_bytes, b, sizeof b), time_text(e.seconds, c, sizeof c),
                          threads, size_text(MKBA_STUDY_CONFIRM_BYTES, d, sizeof d));
    return MKBA_OK;
}
