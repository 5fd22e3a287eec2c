/* Studies nested in a study's on_finish, divided among the ranks of a run
 * across processes (study.h: followers). Rank 0 alone knows what a nested
 * study evaluates (it decides from the outer study's file, e.g. the
 * ex-post refinement's next particles); it sends the design to the other
 * ranks, which follow with the same study on their share of its points. */
#include <string.h>
#include "study/study.h"
#include "study/split.h"
#include "core/alloc.h"

/* What precedes each nested study: 1, its points, arms, parameters,
 * base_case, draw and whether the points have draws of their own; 0 first
 * ends the following. */
enum { H_KIND = 0, H_POINTS, H_ARMS, H_PARAMS, H_BASE, H_DRAW, H_OWN_DRAWS, H_N };

/* Every rank agrees that each has its design (collective), then rank 0's
 * values are copied into the others'. */
static int share_design(mkba_split *sp, mkba_design *d, int have, mkba_error *err)
{
    int all = have;
    int rc = mkba_split_all(sp, &all, err);
    /* A rank without its design has its own message; rank 0 says which
     * study stopped (the rank's own error reaches nobody else). */
    if (rc == MKBA_OK && !all && have)
        rc = mkba_error_set(err, MKBA_EINVAL, "another rank could not set up the design of a "
                            "nested study (out of memory, or another scenario)");
    else if (rc == MKBA_OK && !all)
        rc = err != NULL && err->code != MKBA_OK ? err->code : MKBA_ENOMEM;
    size_t cells = d != NULL ? d->narms * d->nparams : 0;
    if (rc == MKBA_OK)
        rc = mkba_split_share(sp, d->fixed, cells * sizeof *d->fixed, err);
    if (rc == MKBA_OK)
        rc = mkba_split_share(sp, d->point, d->npoints * cells * sizeof *d->point, err);
    if (rc == MKBA_OK && d->point_draw != NULL)
        rc = mkba_split_share(sp, d->point_draw, d->npoints * sizeof *d->point_draw, err);
    return rc;
}

int mkba_study_lead(const mkba_model *m, const mkba_design *d, const mkba_study_options *o,
                    mkba_error *err)
{
    mkba_split *sp = o->split;
    if (!mkba_split_active(sp) || o->output == NULL || mkba_split_rank(sp) != 0)
        return mkba_study_run(m, d, o, err);
    if (d->kind != MKBA_DESIGN_POINTS || d->point == NULL) {
        /* Only stored points travel; others run here, the ranks waiting. */
        mkba_study_options here = *o;
        here.split = NULL;
        return mkba_study_run(m, d, &here, err);
    }
    uint64_t h[H_N] = { 1, d->npoints, d->narms, d->nparams, (uint64_t)d->base_case, d->draw,
                        d->point_draw != NULL };
    int rc = mkba_split_share(sp, h, sizeof h, err);
    /* The design is rank 0's to read only; the share only sends from it. */
    if (rc == MKBA_OK)
        rc = share_design(sp, (mkba_design *)d, 1, err);
    if (rc == MKBA_OK)
        rc = mkba_study_run(m, d, o, err);
    return rc;
}

int mkba_study_lead_end(mkba_split *sp, mkba_error *err)
{
    uint64_t h[H_N] = { 0 };
    return mkba_split_share(sp, h, sizeof h, err);
}

int mkba_study_follow(mkba_split *sp, const mkba_model *m, const mkba_study_options *o,
                      mkba_error *err)
{
    int first = MKBA_OK;
    mkba_error mine;
    mkba_error_clear(&mine);
    for (;;) {
        uint64_t h[H_N];
        int rc = mkba_split_share(sp, h, sizeof h, err);
        if (rc != MKBA_OK || h[H_KIND] == 0)
            return rc != MKBA_OK ? rc : first;
        mkba_design *d = NULL;
        if (h[H_ARMS] != m->narms || h[H_PARAMS] != mkba_params_count(m->params))
            mkba_error_set(&mine, MKBA_EINVAL, "a nested study's design has %llu arms and "
                           "%llu parameters, this rank's scenario %zu and %zu; every rank "
                           "must run the same scenario", (unsigned long long)h[H_ARMS],
                           (unsigned long long)h[H_PARAMS], m->narms,
                           mkba_params_count(m->params));
        else
            d = mkba_design_points(m, h[H_POINTS], (int)h[H_BASE], (uint32_t)h[H_DRAW], &mine);
        if (d != NULL && h[H_OWN_DRAWS] && d->point_draw == NULL
            && (d->point_draw = mkba_calloc(d->npoints, sizeof *d->point_draw)) == NULL) {
            mkba_design_free(d);
            d = NULL;
        }
        rc = share_design(sp, d, d != NULL, &mine);
        if (rc == MKBA_OK)
            rc = mkba_study_run(m, d, o, &mine);
        mkba_design_free(d);
        /* Rank 0 reports a nested study's error; this rank keeps following
         * until rank 0 ends, and returns its first error. */
        if (rc != MKBA_OK && first == MKBA_OK) {
            first = rc;
            if (err != NULL)
                *err = mine;
        }
        mkba_error_clear(&mine);
    }
}
