/* The study driver (study.h): the loop over a design's points. */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <omp.h>
#include "study/study.h"
#include "study/checkpoint.h"
#include "study/output_lock.h"
#include "study/split.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "core/syserr.h"
#include "io/h5out.h"
#include "analysis/decision.h"
#include "analysis/mcse.h"

/* What one thread needs to evaluate points on its own. */
typedef struct point_work {
    mkba_engine *engine;
    mkba_params_work *pwork;
    double *values;            /* [arm][parameter] */
    double *fixed;             /* [parameter] */
} point_work;

typedef struct study {
    const mkba_model *m;
    const mkba_design *d;
    const mkba_study_options *o;
    size_t first, count;
    int nthreads;
    int point_parallel;        /* engines of one thread each, points in parallel */
    int nwork;
    point_work *work;
    size_t nslots;             /* records evaluated per block */
    mkba_draw_result **rec;
    int *rc;
    mkba_error *errs;
    mkba_split *split;         /* the ranks the points are divided among */
    const char *output;        /* o->output on the rank that writes it, else NULL */
    mkba_h5_writer *writer;
    mkba_output_lock *lock;    /* held while the output is written */
    mkba_checkpoint *ckpt;     /* the finished points, when there is an output */
    size_t done;               /* points taken from the checkpoint */
    double *row;               /* [arm][parameter]: a point's fixed values */
    double per_point, total_work;
} study;

int mkba_study_check_output(const char *path, int force, mkba_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            size_t n = strlen(path);
            int slash = n > 0 && path[n - 1] == '/';
            return mkba_error_set(err, MKBA_EIO, "cannot write the result file %s: it is a "
                                  "folder; give a file name, e.g. -o %s%sout.h5", path, path,
                                  slash ? "" : "/");
        }
        if (!S_ISREG(st.st_mode))
            return mkba_error_set(err, MKBA_EIO, "cannot write the result file %s: it exists "
                                  "and is not a regular file (a device, pipe or socket)", path);
        if (!force)
            return mkba_error_set(err, MKBA_EEXIST, "%s already exists; use --force to "
                                  "overwrite it or -o to write elsewhere", path);
    }
    char *dir = mkba_path_folder(path);
    if (dir == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    int rc = MKBA_OK;
    if (stat(dir, &st) != 0)
        rc = mkba_error_set(err, MKBA_EIO, "cannot write the result file %s: folder %s does "
                            "not exist (%s)", path, dir, strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = mkba_error_set(err, MKBA_EIO, "cannot write the result file %s: %s is not a "
                            "folder", path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        rc = mkba_error_set(err, MKBA_EIO, "cannot write the result file %s: no permission to "
                            "create files in folder %s (%s)", path, dir, strerror(errno));
    mkba_free(dir);
    return rc;
}

/* PATH.tmp while the lock is held is a killed run's: no live run owns it.
 * mkba only ever makes it a regular file, so anything else there (a
 * folder, a link, a device) is the user's: refused, never removed
 * (remove() would delete an empty folder). */
static int remove_stale_tmp(const char *path, mkba_error *err)
{
    size_t len = strlen(path);
    char *tmp = mkba_malloc(len + 5);
    if (tmp == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    snprintf(tmp, len + 5, "%s.tmp", path);
    struct stat st;
    int rc = MKBA_OK;
    if (lstat(tmp, &st) == 0 && !S_ISREG(st.st_mode))
        rc = mkba_error_set(err, MKBA_EIO, "cannot write the result file %s: it is written "
                            "first as %s, which is a %s; mkba does not remove that: move it "
                            "away or choose another -o", path, tmp,
                            S_ISDIR(st.st_mode) ? "folder"
                            : S_ISLNK(st.st_mode) ? "symbolic link" : "special file");
    else
        unlink(tmp);           /* never a folder, whatever appears meanwhile */
    mkba_free(tmp);
    return rc;
}

int mkba_study_lock_output(const char *path, int force, mkba_output_lock **lock,
                           mkba_error *err)
{
    *lock = NULL;
    int rc = mkba_study_check_output(path, force, err);
    if (rc == MKBA_OK)
        rc = mkba_output_lock_take(path, lock, err);
    if (rc == MKBA_OK)
        rc = mkba_study_check_output(path, force, err);
    if (rc == MKBA_OK)
        rc = remove_stale_tmp(path, err);
    if (rc != MKBA_OK) {
        mkba_output_lock_release(*lock);
        *lock = NULL;
    }
    return rc;
}

static void study_free(study *s)
{
    for (int i = 0; s->work != NULL && i < s->nwork; i++) {
        mkba_engine_free(s->work[i].engine);
        mkba_params_work_free(s->work[i].pwork);
        mkba_free(s->work[i].values);
        mkba_free(s->work[i].fixed);
    }
    mkba_free(s->work);
    for (size_t i = 0; s->rec != NULL && i < s->nslots; i++)
        mkba_draw_result_free(s->rec[i]);
    mkba_free(s->rec);
    mkba_free(s->rc);
    mkba_free(s->errs);
    mkba_free(s->row);
}

/* Decides how s runs: whole points per thread or households in parallel;
 * returns the number of engines that takes. */
static int study_engines(study *s)
{
    const int cohort = s->o->mode == MKBA_ENGINE_COHORT;
    /* Few households per point and enough points: whole points per thread.
     * Not the cohort trace, which allocates its trace per draw: worker
     * threads allocate nothing (core/alloc.h). */
    s->point_parallel = !cohort && s->nthreads > 1 && s->count >= 2 * (size_t)s->nthreads
                        && s->o->households < MKBA_STUDY_POINT_PARALLEL_HOUSEHOLDS * s->nthreads;
    s->nwork = s->point_parallel ? s->nthreads : 1;
    return s->nwork;
}

static int study_init(study *s, mkba_error *err)
{
    const mkba_model *m = s->m;
    const size_t np = mkba_params_count(m->params);
    const int cohort = s->o->mode == MKBA_ENGINE_COHORT;
    study_engines(s);
    s->nslots = s->point_parallel ? 4 * (size_t)s->nthreads : 1;
    s->work = mkba_calloc((size_t)s->nwork, sizeof *s->work);
    s->rec = mkba_calloc(s->nslots, sizeof *s->rec);
    s->rc = mkba_calloc(s->nslots, sizeof *s->rc);
    s->errs = mkba_calloc(s->nslots, sizeof *s->errs);
    s->row = mkba_calloc(m->narms * np + 1, sizeof *s->row);
    if (s->work == NULL || s->rec == NULL || s->rc == NULL || s->errs == NULL || s->row == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory setting up the run");
    for (int i = 0; i < s->nwork; i++) {
        point_work *w = &s->work[i];
        w->engine = mkba_engine_alloc(m, s->o->mode, s->o->households,
                                      s->point_parallel ? 1 : s->nthreads, err);
        if (w->engine == NULL)
            return err != NULL ? err->code : MKBA_ENOMEM;
        w->pwork = mkba_params_work_alloc(m->params);
        w->values = mkba_calloc(m->narms * (np + 1), sizeof *w->values);
        w->fixed = mkba_calloc(m->narms * np + 1, sizeof *w->fixed);
        if (w->pwork == NULL || w->values == NULL || w->fixed == NULL)
            return mkba_error_set(err, MKBA_ENOMEM, "out of memory setting up the run");
        mkba_params_work_fix(w->pwork, w->fixed);
        mkba_engine_fix(w->engine, w->fixed);
    }
    for (size_t i = 0; i < s->nslots; i++)
        if ((s->rec[i] = mkba_draw_result_alloc(m)) == NULL)
            return mkba_error_set(err, MKBA_ENOMEM, "out of memory setting up the run");
    s->per_point = (double)mkba_model_simulated(m) * m->timing.ncycles
                   * (cohort ? 1.0 : (double)s->o->households);
    s->total_work = (double)s->count * s->per_point;
    return MKBA_OK;
}

/* Evaluates point `point` of the design into rec with work w. */
static int evaluate(const study *s, point_work *w, size_t point, mkba_draw_result *rec,
                    const mkba_engine_progress *progress, mkba_error *err)
{
    const mkba_design *d = s->d;
    uint32_t draw = mkba_design_draw(d, point);
    mkba_design_row(d, point, w->fixed);
    int rc = mkba_params_sample(s->m->params, s->o->seed, draw, mkba_design_is_base_case(d),
                                s->m->base_case, w->values, w->pwork, err);
    if (rc == MKBA_OK)
        rc = mkba_engine_draw(w->engine, w->values, s->o->seed, draw, rec, progress, err);
    if (rc == MKBA_OK)
        mkba_mcse_record(rec, s->o->mode == MKBA_ENGINE_COHORT);
    return rc;
}

/* The checkpoint's key of design point `point`: its draw and the values
 * the design fixes there (the design's options, as the points see them). */
static uint64_t point_key(void *user, size_t point)
{
    study *s = user;
    const mkba_design *d = s->d;
    uint32_t draw = mkba_design_draw(d, point);
    mkba_design_row(d, point, s->row);
    uint64_t h = mkba_checkpoint_hash(MKBA_CHECKPOINT_HASH_START, &draw, sizeof draw);
    return mkba_checkpoint_hash_values(h, s->row, d->narms * d->nparams);
}

/* Stores the record of stored index i (design point first + i); a newly
 * evaluated one (not read back from the checkpoint) goes to the
 * checkpoint too. */
static int store(study *s, size_t i, const mkba_draw_result *rec, int evaluated,
                 mkba_error *err)
{
    if (s->o->on_point != NULL) {
        int rc = s->o->on_point(s->o->user, s->first + i, rec, err);
        if (rc != MKBA_OK)
            return rc;
    }
    int rc = MKBA_OK;
    if (s->writer != NULL && s->o->store_draws) {
        rc = mkba_h5_write_draw(s->writer, i, rec, err);
        if (rc == MKBA_OK)
            rc = mkba_h5_set_draw_index(s->writer, i, (long)(s->first + i), err);
    }
    if (rc == MKBA_OK && evaluated && s->ckpt != NULL)
        rc = mkba_checkpoint_append(s->ckpt, point_key(s, s->first + i), rec, err);
    return rc;
}

static void report(const study *s, size_t done)
{
    if (s->o->progress != NULL)
        s->o->progress(s->o->progress_user, (double)done * s->per_point, s->total_work);
}

/* MKBA_EINTERRUPTED when the study was asked to stop. */
static int stopped(const study *s, mkba_error *err)
{
    if (s->o->stop == NULL || !*s->o->stop)
        return MKBA_OK;
    return mkba_error_set(err, MKBA_EINTERRUPTED, "interrupted");
}

/* Stores the points the checkpoint holds, as if just evaluated. */
static int replay(study *s, mkba_error *err)
{
    for (size_t i = 0; i < s->done; i++) {
        int rc = stopped(s, err);
        if (rc == MKBA_OK)
            rc = mkba_checkpoint_read(s->ckpt, i, s->rec[0], err);
        if (rc == MKBA_OK)
            rc = store(s, i, s->rec[0], 0, err);
        if (rc != MKBA_OK)
            return rc;
        report(s, i + 1);
    }
    return MKBA_OK;
}

/* Evaluates points [at, at + n) of the range into s->rec[0 .. n):
 * households in parallel, one point after the other, or whole points in
 * parallel, one engine per thread. The first failing point in point order
 * decides the error, so it too does not depend on the thread count. */
static int evaluate_block(void *user, size_t at, size_t n, mkba_error *err)
{
    study *s = user;
    int rc = stopped(s, err);
    if (rc != MKBA_OK || !s->point_parallel) {
        for (size_t j = 0; rc == MKBA_OK && j < n; j++) {
            /* Only the rank that writes shows progress. */
            mkba_engine_progress p = { s->split == NULL || s->output != NULL
                                       ? s->o->progress : NULL,
                                       s->o->progress_user, (double)(at + j) * s->per_point,
                                       s->total_work, s->o->stop };
            rc = j > 0 ? stopped(s, err) : MKBA_OK;
            if (rc == MKBA_OK)
                rc = evaluate(s, &s->work[0], s->first + at + j, s->rec[j], &p, err);
        }
        return rc;
    }
    const mkba_engine_progress quiet = { NULL, NULL, 0.0, 0.0, s->o->stop };
#pragma omp parallel for schedule(dynamic, 1) num_threads(s->nthreads)
    for (size_t j = 0; j < n; j++) {
        point_work *w = &s->work[omp_get_thread_num()];
        mkba_error_clear(&s->errs[j]);
        s->rc[j] = evaluate(s, w, s->first + at + j, s->rec[j], &quiet, &s->errs[j]);
    }
    for (size_t j = 0; j < n; j++)
        if (s->rc[j] != MKBA_OK) {
            if (err != NULL)
                *err = s->errs[j];
            return s->rc[j];
        }
    return MKBA_OK;
}

/* Stores s->rec[0 .. n) as points [at, at + n) of the range, in order. */
static int store_block(void *user, size_t at, size_t n, mkba_error *err)
{
    study *s = user;
    for (size_t j = 0; j < n; j++) {
        int rc = store(s, at + j, s->rec[j], 1, err);
        if (rc != MKBA_OK)
            return rc;
    }
    report(s, at + n);
    return MKBA_OK;
}

/* Makes room for chunk records per block (a chunk the ranks agreed on may
 * be larger than this rank's own). */
static int grow_slots(study *s, size_t chunk, mkba_error *err)
{
    if (chunk <= s->nslots)
        return MKBA_OK;
    mkba_draw_result **rec = mkba_realloc(s->rec, chunk * sizeof *rec);
    if (rec != NULL)
        s->rec = rec;
    int *rcs = mkba_realloc(s->rc, chunk * sizeof *rcs);
    if (rcs != NULL)
        s->rc = rcs;
    mkba_error *errs = mkba_realloc(s->errs, chunk * sizeof *errs);
    if (errs != NULL)
        s->errs = errs;
    if (rec == NULL || rcs == NULL || errs == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the %zu records per block "
                              "the ranks agreed on", chunk);
    for (; s->nslots < chunk; s->nslots++)
        if ((s->rec[s->nslots] = mkba_draw_result_alloc(s->m)) == NULL)
            return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the %zu records per "
                                  "block the ranks agreed on", chunk);
    return MKBA_OK;
}

/* Adds what the decision analyses need and what they are: /analysis for a
 * whole PSA or base-case run, else the reason why not. */
static int finish_file(const study *s, mkba_error *err)
{
    const char *path = mkba_h5_tmp_path(s->writer);
    const mkba_design *d = s->d;
    const int whole = s->first == 0 && s->count == d->npoints;
    char note[200];
    if (whole && d->kind != MKBA_DESIGN_POINTS && s->o->store_draws)
        return s->o->analyse ? mkba_decision_store(path, err) : MKBA_OK;
    if (!s->o->store_draws)
        snprintf(note, sizeof note, "skipped: this file keeps no draws, only what its study "
                 "derived from them");
    else if (!whole)
        snprintf(note, sizeof note, "skipped: this file holds draws %zu to %zu of %zu only; "
                 "the analyses need every draw", s->first, s->first + s->count - 1, d->npoints);
    else
        snprintf(note, sizeof note, "skipped: the points of a %s design are not PSA draws",
                 mkba_design_kind_name(d->kind));
    mkba_h5_store *st = mkba_h5_store_open(path, 1, err);
    int rc = st != NULL ? mkba_h5_store_attr(st, "/", "analysis_status", note, err)
                        : (int)(err ? err->code : MKBA_EIO);
    int rc2 = mkba_h5_store_close(st, rc == MKBA_OK ? err : NULL);
    return rc != MKBA_OK ? rc : rc2;
}

/* "NAME = VALUE" for every fixed value, "; "-separated, with "(in ARM,
 * ...)" after a value that holds in some arms only, into buf: the root
 * attribute `fixed`, which the summary shows. */
static void fixed_text(const study *s, char *buf, size_t size)
{
    const mkba_design *d = s->d;
    const size_t na = d->narms, np = d->nparams;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < np; k++)
        for (size_t a = 0; a < na; a++) {
            double v = d->fixed[a * np + k];
            int first = 1, everywhere = 1;
            for (size_t b = 0; b < na; b++) {
                double w = d->fixed[b * np + k];
                everywhere &= w == v;
                if (b < a && w == v)
                    first = 0;   /* listed with an earlier arm */
            }
            if (isnan(v) || !first)
                continue;
            /* The shortest form that reads back as v. */
            char num[32];
            snprintf(num, sizeof num, "%.15g", v);
            if (strtod(num, NULL) != v)
                snprintf(num, sizeof num, "%.17g", v);
            mkba_str_append(buf, size, &used, "%s%s = %s", used > 0 ? "; " : "",
                            mkba_params_get(s->m->params, k)->name, num);
            const char *sep = " (in ";
            for (size_t b = a; b < na && !everywhere; b++)
                if (d->fixed[b * np + k] == v) {
                    mkba_str_append(buf, size, &used, "%s%s", sep, s->m->arm[b].name);
                    sep = ", ";
                }
            if (!everywhere)
                mkba_str_append(buf, size, &used, ")");
        }
}

/* The root attributes `design` (and for a points design `design_draw`
 * and `design_base_case`, for --set runs `fixed`), and the values the
 * design fixed: /design/fixed [arm][parameter] when --set fixed any,
 * /design/point_values [draw][arm][parameter] for a points design. */
static int store_design(const study *s, mkba_error *err)
{
    const mkba_design *d = s->d;
    const size_t na = d->narms, np = d->nparams;
    int any_fixed = 0;
    for (size_t k = 0; k < na * np; k++)
        any_fixed |= !isnan(d->fixed[k]);
    mkba_h5_store *st = mkba_h5_store_open(mkba_h5_tmp_path(s->writer), 1, err);
    if (st == NULL)
        return err != NULL ? err->code : MKBA_EIO;
    int rc = mkba_h5_store_attr(st, "/", "design", mkba_design_kind_name(d->kind), err);
    char text[4096];
    if (rc == MKBA_OK && d->kind == MKBA_DESIGN_POINTS) {
        if (d->point_draw != NULL)
            snprintf(text, sizeof text, "per point (the study's own table)");
        else
            snprintf(text, sizeof text, "%u", (unsigned)d->draw);
        rc = mkba_h5_store_attr(st, "/", "design_draw", text, err);
        if (rc == MKBA_OK)
            rc = mkba_h5_store_attr(st, "/", "design_base_case", d->base_case ? "yes" : "no",
                                    err);
    }
    if (rc == MKBA_OK && any_fixed) {
        fixed_text(s, text, sizeof text);
        rc = mkba_h5_store_attr(st, "/", "fixed", text, err);
    }
    if (rc == MKBA_OK && (any_fixed || d->point != NULL))
        rc = mkba_h5_store_group(st, "/design", "the values a design fixed", err);
    if (rc == MKBA_OK && any_fixed) {
        size_t dims[2] = { na, np };
        rc = mkba_h5_store_doubles(st, "/design/fixed", 2, dims, d->fixed, err);
    }
    if (rc == MKBA_OK && d->point != NULL) {
        size_t dims[3] = { s->count, na, np };
        rc = mkba_h5_store_doubles(st, "/design/point_values", 3, dims,
                                   d->point + s->first * na * np, err);
    }
    int rc2 = mkba_h5_store_close(st, rc == MKBA_OK ? err : NULL);
    return rc != MKBA_OK ? rc : rc2;
}

/* What the points of a design are called in messages. */
static const char *point_unit(const mkba_design *d)
{
    return d->kind == MKBA_DESIGN_POINTS ? "design points" : "draws";
}

/* What makes the study's numbers: the checkpoint's key of its run. */
static mkba_checkpoint_key study_key(const study *s)
{
    const mkba_design *d = s->d;
    const mkba_study_options *o = s->o;
    return (mkba_checkpoint_key){
        .scenario = mkba_checkpoint_hash(MKBA_CHECKPOINT_HASH_START, s->m->text != NULL
                                         ? s->m->text : "", s->m->text != NULL
                                         ? strlen(s->m->text) : 0),
        .fixed = mkba_checkpoint_hash_values(MKBA_CHECKPOINT_HASH_START, d->fixed,
                                             d->narms * d->nparams),
        .seed = o->seed,
        .households = o->mode == MKBA_ENGINE_COHORT ? 0 : (uint64_t)o->households,
        .mode = (uint64_t)o->mode,
        .design = (uint64_t)d->kind,
        .npoints = d->npoints,
        .first = s->first,
        .count = s->count,
        .store_draws = (uint64_t)(o->store_draws != 0),
        .base_case = (uint64_t)(mkba_design_is_base_case(d) != 0),
    };
}

/* The hash the ranks of a split compare before they start: the study's
 * key, the size of a record and every point's key. */
static uint64_t split_key(study *s)
{
    mkba_checkpoint_key key = study_key(s);
    uint64_t h = mkba_checkpoint_hash(MKBA_CHECKPOINT_HASH_START, &key, sizeof key);
    uint64_t nvalues = mkba_draw_result_nvalues(s->rec[0]);
    h = mkba_checkpoint_hash(h, &nvalues, sizeof nvalues);
    for (size_t i = 0; i < s->count; i++) {
        uint64_t k = point_key(s, s->first + i);
        h = mkba_checkpoint_hash(h, &k, sizeof k);
    }
    return h;
}

/* Opens the output's checkpoint: continued with resume, else new. */
static int open_checkpoint(study *s, mkba_error *err)
{
    const mkba_design *d = s->d;
    const mkba_study_options *o = s->o;
    mkba_checkpoint_key key = study_key(s);
    int rc = mkba_checkpoint_open(o->output, s->m, &key, point_unit(d), o->resume, o->force,
                                  point_key, s, &s->ckpt, err);
    if (rc == MKBA_OK)
        s->done = mkba_checkpoint_done(s->ckpt);
    if (rc == MKBA_OK && o->checkpoint != NULL)
        o->checkpoint->resumed = (long)s->done;
    return rc;
}

/* Replaces err's message by itself followed by `; ` and the printf-style
 * text, keeping its code and system error. */
static void extend_error(mkba_error *err, const char *fmt, ...)
{
    if (err == NULL)
        return;
    char msg[MKBA_ERROR_MAX];
    size_t used = 0;
    mkba_str_append(msg, sizeof msg, &used, "%s; ", err->message);
    va_list ap;
    va_start(ap, fmt);
    mkba_str_vappend(msg, sizeof msg, &used, fmt, ap);
    va_end(ap);
    memcpy(err->message, msg, sizeof msg);
}

/* Closes the checkpoint. Kept, the error saying how to resume, when the
 * study was interrupted or a write failed for want of room (a full disk,
 * a quota, a size limit, a device error: the points already finished are
 * sound and the same command with --resume continues once there is
 * room), as long as it holds a finished point (its own or an earlier
 * run's): an empty one would only make the same command refuse to start
 * over. Removed when the study succeeded or failed otherwise. Kept also
 * when its flush (fdatasync) fails, reported unflushed: its newest
 * records may not have reached the disk, but a resume checks every
 * record and continues from the last whole one, and older records (an
 * earlier run's) are sound. */
static int close_checkpoint(study *s, int rc, mkba_error *err)
{
    if (s->ckpt == NULL)
        return rc;
    size_t done = mkba_checkpoint_done(s->ckpt);
    const int storage = rc == MKBA_EIO && err != NULL && mkba_syserr_is_storage(err->sys_errno)
                        && done > 0;
    const int interrupted = rc == MKBA_EINTERRUPTED && done > 0;
    if (!interrupted && !storage) {
        int rc2 = mkba_checkpoint_close(s->ckpt, rc != MKBA_OK && s->done > 0, NULL);
        s->ckpt = NULL;
        return rc != MKBA_OK ? rc : rc2;
    }
    char *path = mkba_strdup(mkba_checkpoint_path(s->ckpt));
    mkba_error flushed;
    mkba_error_clear(&flushed);
    int rc2 = mkba_checkpoint_close(s->ckpt, 1, &flushed);
    s->ckpt = NULL;
    mkba_checkpoint_info *info = s->o->checkpoint;
    if (info != NULL) {
        info->kept = (long)done;
        info->total = (long)s->count;
        info->unit = point_unit(s->d);
        info->unflushed = rc2 != MKBA_OK;
    }
    if (err != NULL && storage) {
        if (rc2 != MKBA_OK)
            extend_error(err, "the checkpoint could not be flushed either (%s); it is kept in "
                         "%s: make room, then run the same command with --resume to continue "
                         "from the %s that reached the disk (each is checked)", flushed.message,
                         path != NULL ? path : "the checkpoint", point_unit(s->d));
        else
            extend_error(err, "the %zu of %zu %s finished are kept in %s: make room (free "
                         "space, raise the quota or limit), then run the same command with "
                         "--resume to continue", done, s->count, point_unit(s->d),
                         path != NULL ? path : "the checkpoint");
    } else if (err != NULL) {
        /* Replaces the bare "interrupted" of the stop flag. */
        mkba_error_clear(err);
        if (rc2 != MKBA_OK)
            mkba_error_set(err, MKBA_EINTERRUPTED, "interrupted; the checkpoint could not be "
                           "flushed (%s); it is kept in %s: run the same command with --resume "
                           "to continue from the %s that reached the disk (each is checked)",
                           flushed.message, path != NULL ? path : "the checkpoint",
                           point_unit(s->d));
        else
            mkba_error_set(err, MKBA_EINTERRUPTED, "interrupted; %zu of %zu %s are kept in %s: "
                           "run the same command with --resume to continue", done, s->count,
                           point_unit(s->d), path != NULL ? path : "the checkpoint");
    }
    mkba_free(path);
    return rc;
}

int mkba_study_run(const mkba_model *m, const mkba_design *d, const mkba_study_options *o,
                   mkba_error *err)
{
    study s = { .m = m, .d = d, .o = o };
    s.first = o->first;
    s.count = o->count > 0 ? o->count : d->npoints - (o->first < d->npoints ? o->first : 0);
    if (o->first >= d->npoints || s.count > d->npoints - o->first)
        return mkba_error_set(err, MKBA_EINVAL, "point range [%zu, %zu) is outside the %zu "
                              "points of the design", o->first, o->first + o->count,
                              d->npoints);
    if (o->checkpoint != NULL)
        *o->checkpoint = (mkba_checkpoint_info){ 0 };
    if (o->resume && o->no_checkpoint)
        return mkba_error_set(err, MKBA_EINVAL, "--resume continues from the checkpoint, which "
                              "--no-checkpoint turns off; give one of them");
    s.nthreads = o->threads > 0 ? o->threads : 1;
    /* Only a study that writes a file is divided among the ranks; rank 0
     * alone touches the file, its lock and its checkpoint, and alone sees
     * the records (on_point, on_finish). Studies without a file (short
     * preliminary evaluations) run whole on every rank. */
    s.split = o->output != NULL && mkba_split_active(o->split) ? o->split : NULL;
    const int writes = s.split == NULL || mkba_split_rank(s.split) == 0;
    s.output = writes ? o->output : NULL;
    /* Before anything is written: a second run of this output stops here. */
    int rc = MKBA_OK;
    if (s.output != NULL && o->output_locked)
        rc = mkba_study_check_output(s.output, o->force, err);
    else if (s.output != NULL)
        rc = mkba_study_lock_output(s.output, o->force, &s.lock, err);
    if (rc == MKBA_OK)
        rc = mkba_study_check_estimate(m, s.count, study_engines(&s), o, err);
    if (rc == MKBA_OK)
        rc = study_init(&s, err);
    if (rc == MKBA_OK && s.output != NULL && !o->no_checkpoint)
        rc = open_checkpoint(&s, err);
    /* A signal during the setup creates no file. */
    if (rc == MKBA_OK)
        rc = stopped(&s, err);
    const int micro = o->mode == MKBA_ENGINE_MICRO;
    if (rc == MKBA_OK && s.output != NULL) {
        long draws = d->kind == MKBA_DESIGN_BASE_CASE ? 0 : (long)d->npoints;
        const char *base = !d->base_case ? "none"
                           : m->base_case == MKBA_BASE_MODE ? "mode" : "mean";
        mkba_run_meta meta = { o->seed, draws, micro ? o->households : 0, s.nthreads,
                               micro ? "microsimulation" : "cohort", base, o->uncompressed };
        s.writer = mkba_h5_create(s.output, o->force, m, &meta,
                                  o->store_draws ? s.count : 0, err);
        if (s.writer == NULL)
            rc = err != NULL ? err->code : MKBA_EIO;
    }
    size_t chunk = s.nslots;
    if (s.split != NULL) {
        /* Every rank set up, or every rank stops here with the first
         * failing rank's message on rank 0. */
        rc = mkba_split_start(s.split, rc, err, rc == MKBA_OK ? split_key(&s) : 0, &chunk,
                              &s.done);
        if (rc == MKBA_OK)
            rc = grow_slots(&s, chunk, err);
    }
    int points_rc = rc;
    if (rc == MKBA_OK && writes)
        rc = replay(&s, err);
    if (rc == MKBA_OK || (s.split != NULL && points_rc == MKBA_OK)) {
        /* A rank 0 whose replay failed still runs the split to stop the
         * others: with nothing left to do it tells them at once. */
        mkba_split_chunks c = { rc == MKBA_OK ? s.done : s.count, s.count, chunk,
                                evaluate_block, store_block, s.rec, &s };
        int rc2 = mkba_split_points(s.split, &c, err);
        if (rc == MKBA_OK)
            rc = rc2;
    }
    /* The other ranks follow the studies rank 0's on_finish nests. */
    const int nests = s.split != NULL && points_rc == MKBA_OK && o->followers != NULL;
    if (nests && !writes) {
        int rc2 = mkba_study_follow(o->followers, m, o->follow, err);
        if (rc == MKBA_OK)
            rc = rc2;
    }
    if (rc == MKBA_OK && writes && s.writer == NULL && o->on_finish != NULL)
        rc = o->on_finish(o->user, NULL, err);
    if (s.writer != NULL) {
        /* The analyses write into the temporary file before the rename, so
         * a file under the final name is always complete. */
        if (rc == MKBA_OK)
            rc = mkba_h5_finish(s.writer, err);
        if (rc == MKBA_OK)
            rc = store_design(&s, err);
        if (rc == MKBA_OK && o->on_finish != NULL)
            rc = o->on_finish(o->user, mkba_h5_tmp_path(s.writer), err);
        if (rc == MKBA_OK)
            rc = stopped(&s, err);
        if (rc == MKBA_OK)
            rc = finish_file(&s, err);
        /* A stop asked for during the analyses still wins: no commit. */
        if (rc == MKBA_OK)
            rc = stopped(&s, err);
        int rc2 = mkba_h5_close(s.writer, rc == MKBA_OK, err);
        if (rc == MKBA_OK)
            rc = rc2;
    }
    if (nests && writes) {
        int rc2 = mkba_study_lead_end(o->followers, err);
        if (rc == MKBA_OK)
            rc = rc2;
    }
    /* Every rank learns rank 0's outcome, the file's included. */
    if (s.split != NULL && points_rc == MKBA_OK)
        rc = mkba_split_end(s.split, rc, err);
    /* After the rename: a kill before this leaves a whole file and a
     * checkpoint, from which --resume --force rebuilds the same file. */
    rc = close_checkpoint(&s, rc, err);
    mkba_output_lock_release(s.lock);
    study_free(&s);
    return rc;
}
