/* EVPPI and PRIM on the PSA draws of an existing result file (--from): the
 * draws' NPVs come from its decision outputs (/analysis/cashflow/npv_draws)
 * and the factors' values from /draws/parameters, so no model runs again.
 * The result is a copy of that file with /sa added, written under a
 * temporary name and renamed when complete. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"
#include "model/params.h"
#include "study/copy.h"

/* Checks that the strings of dataset `name` equal names[0..n). */
static int same_names(mkba_h5_store *st, const char *file, const char *name,
                      const char *what, const char *const *names, size_t n, mkba_error *err)
{
    char **v = NULL;
    size_t m = 0;
    int rc = mkba_h5_store_read_strings(st, name, &v, &m, err);
    for (size_t i = 0; rc == MKBA_OK && i < (m < n ? m : n); i++)
        if (strcmp(v[i], names[i]) != 0)
            rc = mkba_error_set(err, MKBA_EINVAL, "--from %s: %s %zu is '%s' in the file but "
                                "'%s' in the scenario; give the scenario that wrote the file",
                                file, what, i + 1, v[i], names[i]);
    if (rc == MKBA_OK && m != n)
        rc = mkba_error_set(err, MKBA_EINVAL, "--from %s: the file has %zu %ss, the scenario "
                            "%zu; give the scenario that wrote the file", file, m, what, n);
    mkba_h5_store_strings_free(v, m);
    return rc;
}

/* Reads the draws of o->from into s->y (the chosen NPV outcome) and s->x. */
static int read_draws(mkba_sa *s, const char *what, long min_draws,
                      int (*check)(mkba_sa *s, long draws, mkba_error *err), mkba_error *err)
{
    const mkba_model *m = s->m;
    const char *file = s->o->from;
    size_t na = m->narms, np = mkba_params_count(m->params), nf = s->fs->n;
    mkba_h5_store *st = mkba_h5_store_open(file, 0, err);
    if (st == NULL)
        return err != NULL ? err->code : MKBA_EIO;
    const char **names = mkba_malloc((np + na + 1) * sizeof *names);
    char **persp = NULL;
    size_t nk = 0;
    double *npv = NULL, *params = NULL;
    int rc = names != NULL ? MKBA_OK : mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MKBA_OK && i < np; i++)
        names[i] = mkba_params_get(m->params, i)->name;
    if (rc == MKBA_OK)
        rc = same_names(st, file, "/labels/parameters", "parameter", names, np, err);
    for (size_t a = 0; rc == MKBA_OK && a < na; a++)
        names[a] = m->arm[a].name;
    if (rc == MKBA_OK)
        rc = same_names(st, file, "/labels/arms", "arm", names, na, err);
    char *status = NULL;
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_attr(st, "/", "analysis_status", &status, err);
    if (rc == MKBA_OK && (status == NULL || strcmp(status, "written") != 0))
        rc = mkba_error_set(err, MKBA_EINVAL, "--from %s: the file has no decision outputs "
                            "(%s); it must hold every draw of a PSA run", file,
                            status != NULL ? status : "no analysis_status");
    mkba_free(status);
    size_t nd = rc == MKBA_OK ? mkba_h5_store_length(st, "/draws/draw_index") : 0;
    if (rc == MKBA_OK && (long)nd < min_draws)
        rc = mkba_error_set(err, MKBA_EINVAL, "--from %s: %s needs at least %ld PSA draws; the "
                            "file has %zu", file, what, min_draws, nd);
    if (rc == MKBA_OK && check != NULL)
        rc = check(s, (long)nd, err);
    /* The perspective of the chosen outcome, npv:NAME. */
    const char *outcome = mkba_sa_outcome_name(s->out, (size_t)s->outcome);
    size_t k = 0;
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_strings(st, "/labels/perspectives", &persp, &nk, err);
    while (rc == MKBA_OK && k < nk && strcmp(persp[k], outcome + 4) != 0)
        k++;
    if (rc == MKBA_OK && k == nk)
        rc = mkba_error_set(err, MKBA_EINVAL, "--from %s: the file has no perspective '%s'",
                            file, outcome + 4);
    if (rc == MKBA_OK) {
        npv = mkba_malloc(nk * nd * na * sizeof *npv);
        params = mkba_malloc(nd * na * np * sizeof *params);
        s->y = mkba_malloc(nd * na * s->nout * sizeof *s->y);
        s->x = mkba_malloc(nd * nf * sizeof *s->x);
        if (npv == NULL || params == NULL || s->y == NULL || s->x == NULL)
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory for %zu draws", nd);
    }
    size_t dn[3] = { nk, nd, na }, dp[3] = { nd, na, np };
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_doubles(st, "/analysis/cashflow/npv_draws", 3, dn, npv, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_doubles(st, "/draws/parameters", 3, dp, params, err);
    if (rc == MKBA_OK) {
        s->npoints = nd;
        for (size_t i = 0; i < nd * na * s->nout; i++)
            s->y[i] = NAN;
        for (size_t d = 0; d < nd; d++) {
            for (size_t a = 0; a < na; a++) {
                double v = (int)a == m->reference ? 0.0 : npv[(k * nd + d) * na + a];
                s->y[(d * na + a) * s->nout + (size_t)s->outcome] = v;
            }
            mkba_sa_factor_values(s, params + d * na * np, s->x + d * nf);
        }
    }
    mkba_h5_store_strings_free(persp, nk);
    mkba_free(names);
    mkba_free(npv);
    mkba_free(params);
    int rc2 = mkba_h5_store_close(st, NULL);
    return rc != MKBA_OK ? rc : rc2;
}

/* The method's finish on the copied file (mkba_file_copy_and_add). */
static int add_sa(void *user, const char *tmp, mkba_error *err)
{
    mkba_sa *s = user;
    return s->finish(s, tmp, err);
}

int mkba_sa_psa_from(mkba_sa *s, const char *what, long min_draws,
                     int (*check)(mkba_sa *s, long draws, mkba_error *err),
                     int (*finish)(mkba_sa *s, const char *tmp, mkba_error *err),
                     mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    if (o->draws >= 0 || o->households >= 0 || o->seed_set)
        return mkba_error_set(err, MKBA_EINVAL, "%s: --%s has no meaning with --from, whose "
                              "file holds its own draws", what,
                              o->draws >= 0 ? "draws" : o->households >= 0 ? "households"
                                                                           : "seed");
    if (o->nset > 0)
        return mkba_error_set(err, MKBA_EINVAL, "%s: --set has no meaning with --from; the "
                              "draws are stored as they were run", what);
    if (strcmp(o->from, o->output) == 0)
        return mkba_error_set(err, MKBA_EINVAL, "%s: -o names the --from file %s; write the "
                              "analysis to another file", what, o->from);
    int rc = read_draws(s, what, min_draws, check, err);
    if (rc == MKBA_OK) {
        s->finish = finish;
        rc = mkba_file_copy_and_add(o->from, o->output, add_sa, s, s->so.stop, err);
    }
    mkba_free(s->x);
    s->x = NULL;
    return rc;
}
