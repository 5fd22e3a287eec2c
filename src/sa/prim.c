/* Conditions for success: on PSA draws, the box of factor ranges in which
 * an arm pays off (outcome > 0, default npv:society against the
 * reference), by PRIM (analysis/prim.h). Draws come from a PSA run of the
 * scenario, written to the same file (its /draws and /analysis are the
 * usual PSA outputs). */
#include <math.h>
#include <string.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"
#include "analysis/prim.h"

enum { CH_STEP = 0, CH_COVERAGE, CH_DENSITY, CH_MASS, CH_N };

static int store(mkba_sa *s, const char *tmp, mkba_error *err)
{
    size_t nd = s->npoints, nf = s->fs->n, na = s->narms, k = (size_t)s->outcome;
    double *y = mkba_malloc(nd * sizeof *y);
    double *box = mkba_malloc(na * nf * 2 * sizeof *box);
    double *pv = mkba_malloc(na * nf * sizeof *pv);
    double *chosen = mkba_malloc(na * CH_N * sizeof *chosen);
    mkba_prim **res = mkba_calloc(na, sizeof *res);
    int rc = y && box && pv && chosen && res ? MKBA_OK
             : mkba_error_set(err, MKBA_ENOMEM, "out of memory for PRIM");
    size_t maxsteps = 1;
    for (size_t i = 0; rc == MKBA_OK && i < na * nf * 2; i++)
        box[i] = NAN;
    for (size_t i = 0; rc == MKBA_OK && i < na * nf; i++)
        pv[i] = NAN;
    for (size_t i = 0; rc == MKBA_OK && i < na * CH_N; i++)
        chosen[i] = NAN;
    for (size_t a = 0; rc == MKBA_OK && a < na; a++) {
        if ((int)a == s->m->reference || (s->arm >= 0 && (int)a != s->arm))
            continue;
        size_t pos = 0;
        for (size_t d = 0; d < nd; d++)
            pos += (y[d] = mkba_sa_y(s, d, a, k) > 0.0);
        if (pos == 0 || pos == nd) {
            /* Nothing to separate: the share that pays off, no box. */
            chosen[a * CH_N + CH_DENSITY] = (double)pos / (double)nd;
            chosen[a * CH_N + CH_MASS] = 1.0;
            continue;
        }
        mkba_prim_options po;
        mkba_prim_options_init(&po);
        rc = mkba_prim_alloc(s->x, y, nd, nf, &po, &res[a], err);
        if (rc != MKBA_OK)
            break;
        const mkba_prim *r = res[a];
        maxsteps = r->nsteps > maxsteps ? r->nsteps : maxsteps;
        for (size_t f = 0; f < nf; f++) {
            if (r->box.restricted[f] & MKBA_PRIM_LOWER)
                box[(a * nf + f) * 2] = r->box.lo[f];
            if (r->box.restricted[f] & MKBA_PRIM_UPPER)
                box[(a * nf + f) * 2 + 1] = r->box.hi[f];
            pv[a * nf + f] = r->box.p_value[f];
        }
        chosen[a * CH_N + CH_STEP] = (double)r->chosen;
        chosen[a * CH_N + CH_COVERAGE] = r->box.coverage;
        chosen[a * CH_N + CH_DENSITY] = r->box.density;
        chosen[a * CH_N + CH_MASS] = r->box.mass;
    }
    double *traj = rc == MKBA_OK ? mkba_malloc(3 * na * maxsteps * sizeof *traj) : NULL;
    if (rc == MKBA_OK && traj == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory for PRIM");
    for (size_t a = 0; rc == MKBA_OK && a < na; a++)
        for (size_t j = 0; j < maxsteps; j++) {
            const mkba_prim *r = res[a];
            int in = r != NULL && j < r->nsteps;
            traj[a * maxsteps + j] = in ? r->coverage[j] : NAN;
            traj[(na + a) * maxsteps + j] = in ? r->density[j] : NAN;
            traj[(2 * na + a) * maxsteps + j] = in ? r->mass[j] : NAN;
        }
    mkba_h5_store *st = rc == MKBA_OK ? mkba_h5_store_open(tmp, 1, err) : NULL;
    if (rc == MKBA_OK && st == NULL)
        rc = err != NULL ? err->code : MKBA_EIO;
    if (rc == MKBA_OK)
        rc = mkba_sa_store_common(s, st, s->x, err);
    size_t dt[2] = { na, maxsteps }, db[3] = { na, nf, 2 }, dp[2] = { na, nf },
           dc[2] = { na, CH_N };
    if (rc == MKBA_OK)
        rc = mkba_h5_store_group(st, "/sa/prim", "conditions for success (PRIM)", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/prim/coverage", 2, dt, traj, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/prim/density", 2, dt, traj + na * maxsteps, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/prim/mass", 2, dt, traj + 2 * na * maxsteps, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/prim/box", 3, db, box, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/prim/p_value", 2, dp, pv, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(st, "/sa/prim/chosen", 2, dc, chosen, err);
    if (st != NULL) {
        int rc2 = mkba_h5_store_close(st, rc == MKBA_OK ? err : NULL);
        rc = rc != MKBA_OK ? rc : rc2;
    }
    for (size_t a = 0; res != NULL && a < na; a++)
        mkba_prim_free(res[a]);
    mkba_free(res);
    mkba_free(y);
    mkba_free(box);
    mkba_free(pv);
    mkba_free(chosen);
    mkba_free(traj);
    return rc;
}

int mkba_sa_prim(mkba_sa *s, mkba_error *err)
{
    int rc = mkba_sa_need_outcome(s, 1, "prim looks for the draws where an arm pays off, "
                                  "NPV > 0", err);
    if (rc != MKBA_OK)
        return rc;
    return mkba_sa_psa(s, "prim", 50, NULL, store, err);
}
