/* mkba_run, the public entry point for a run: its options become a design
 * (PSA draws or the base case, with any fixed values) and study options. */
#include <string.h>
#include <omp.h>
#include "mkba/mkba.h"
#include "core/alloc.h"
#include "study/study.h"

void mkba_run_options_init(mkba_run_options *o)
{
    memset(o, 0, sizeof *o);
    o->draws = -1;
    o->households = -1;
    o->mode = MKBA_MODE_MICRO;
    o->analyse = 1;
}

static int run(const mkba_context *ctx, const mkba_model *m, const mkba_run_options *o,
               mkba_error *err);

int mkba_run(const mkba_context *ctx, const mkba_model *m, const mkba_run_options *o,
             mkba_error *err)
{
    mkba_alloc_scope scope = mkba_alloc_enter(mkba_context_allocator(ctx));
    int rc = run(ctx, m, o, err);
    mkba_alloc_leave(scope);
    return rc;
}

static int run(const mkba_context *ctx, const mkba_model *m, const mkba_run_options *o,
               mkba_error *err)
{
    long draws = o->draws >= 0 ? o->draws : m->draws;
    long households = o->households >= 0 ? o->households : m->households;
    if (draws < 0 || draws > 100000000L)
        return mkba_error_set(err, MKBA_EINVAL, "draws must be between 0 and 100000000 (got %ld)",
                              draws);
    long npoints = draws == 0 ? 1 : draws;
    long first = o->ndraws_part > 0 ? o->first_draw : 0;
    long count = o->ndraws_part > 0 ? o->ndraws_part : npoints;
    if (first < 0 || count > npoints || first > npoints - count)
        return mkba_error_set(err, MKBA_EINVAL, "draw range [%ld, %ld) is outside the %ld draws",
                              first, first + count, npoints);

    mkba_design *d = draws == 0 ? mkba_design_base_case(m, err) : mkba_design_psa(m, draws, err);
    if (d == NULL)
        return err != NULL ? err->code : MKBA_ENOMEM;
    int rc = MKBA_OK;
    for (size_t i = 0; rc == MKBA_OK && i < o->nset; i++)
        rc = mkba_design_fix_spec(d, m, o->set_name[i], o->set_value[i], err);
    mkba_study_options so = {
        .output = o->output,
        .force = o->force,
        .households = households,
        .seed = o->seed_set ? o->seed : m->seed,
        .threads = ctx != NULL && ctx->threads > 0 ? ctx->threads : omp_get_max_threads(),
        .mode = o->mode == MKBA_MODE_COHORT ? MKBA_ENGINE_COHORT : MKBA_ENGINE_MICRO,
        .first = (size_t)first,
        .count = (size_t)count,
        .analyse = o->analyse,
        .store_draws = 1,
        .progress = ctx != NULL ? ctx->progress : NULL,
        .progress_user = ctx != NULL ? ctx->progress_user : NULL,
        .stop = ctx != NULL ? ctx->stop : NULL,
        .split = ctx != NULL ? ctx->split : NULL,
        .resume = o->resume,
        .no_checkpoint = o->no_checkpoint,
        .yes = o->yes,
    };
    so.checkpoint = o->checkpoint;
    if (rc == MKBA_OK)
        rc = mkba_study_run(m, d, &so, err);
    mkba_design_free(d);
    return rc;
}
