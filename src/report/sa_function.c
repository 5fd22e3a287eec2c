/* mkba_sa_function: the Sobol and Morris estimators on the built-in
 * analytic functions (analysis/testfn.h), printed beside the closed-form
 * indices, so a user can check the estimators before trusting them on a
 * scenario (`mkba sa sobol --function ishigami -n 10000`). */
#include <stdio.h>
#include <stdlib.h>
#include "mkba/sa.h"
#include "core/alloc.h"
#include "analysis/sobol.h"
#include "analysis/morris.h"
#include "analysis/testfn.h"
#include "report/report.h"

static int sobol(const mkba_testfn *fn, const mkba_sa_options *o, size_t n, mkba_report *r,
                 mkba_error *err)
{
    mkba_sobol_design *d = mkba_sobol_design_alloc(n, fn->k, o->second_order, err);
    if (d == NULL)
        return err != NULL ? err->code : MKBA_EINVAL;
    double *y = mkba_malloc(d->npoints * sizeof *y), s1[64], st[64];
    mkba_sobol_indices *ix = NULL;
    int rc = y != NULL ? MKBA_OK : mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MKBA_OK && i < d->npoints; i++)
        y[i] = fn->eval(d->u + i * fn->k);
    if (rc == MKBA_OK)
        rc = mkba_sobol_estimate(d, y, (size_t)o->bootstrap, 0.95, o->seed, &ix, err);
    if (rc == MKBA_OK) {
        fn->indices(s1, st);
        static const char *const col[] = { "input", "S1", "S1 low", "S1 high", "S1 exact",
                                           "ST", "ST low", "ST high", "ST exact" };
        static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_EFFECT, MKBA_COL_EFFECT,
                                              MKBA_COL_EFFECT, MKBA_COL_EFFECT, MKBA_COL_EFFECT,
                                              MKBA_COL_EFFECT, MKBA_COL_EFFECT,
                                              MKBA_COL_EFFECT };
        char title[256];
        snprintf(title, sizeof title, "Sobol indices of %s (%s), N = %zu base points, %zu "
                 "evaluations, bootstrap 95%% intervals", fn->name, fn->description, n,
                 d->npoints);
        mkba_rtable *t = mkba_report_table(r, "sobol", title, 9, col, kind);
        for (size_t i = 0; i < fn->k; i++) {
            char name[32];
            snprintf(name, sizeof name, "x%zu", i + 1);
            long row = mkba_rtable_row(r, t);
            double v[8] = { ix->s1[i], ix->s1_lo[i], ix->s1_hi[i], s1[i],
                            ix->st[i], ix->st_lo[i], ix->st_hi[i], st[i] };
            mkba_rtable_str(r, t, row, 0, name);
            for (size_t c = 0; c < 8; c++)
                mkba_rtable_num(t, row, c + 1, v[c]);
        }
    }
    if (rc == MKBA_OK && ix->s2 != NULL) {
        static const char *const col2[] = { "input", "with", "S2" };
        static const mkba_col_kind kind2[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_EFFECT };
        mkba_rtable *t = mkba_report_table(r, "sobol_second_order", "Second-order indices "
                                           "(Saltelli 2002)", 3, col2, kind2);
        for (size_t i = 0; i < fn->k; i++)
            for (size_t j = i + 1; j < fn->k; j++) {
                char a[32], b[32];
                snprintf(a, sizeof a, "x%zu", i + 1);
                snprintf(b, sizeof b, "x%zu", j + 1);
                long row = mkba_rtable_row(r, t);
                mkba_rtable_str(r, t, row, 0, a);
                mkba_rtable_str(r, t, row, 1, b);
                mkba_rtable_num(t, row, 2, ix->s2[i * fn->k + j]);
            }
    }
    mkba_sobol_indices_free(ix);
    mkba_sobol_design_free(d);
    mkba_free(y);
    return rc;
}

static int morris(const mkba_testfn *fn, const mkba_sa_options *o, size_t r_traj,
                  mkba_report *r, mkba_error *err)
{
    mkba_morris_design *d = o->radial ? mkba_morris_radial_alloc(r_traj, fn->k, err)
                                      : mkba_morris_design_alloc(r_traj, fn->k,
                                                                 (size_t)o->levels, o->seed, err);
    if (d == NULL)
        return err != NULL ? err->code : MKBA_EINVAL;
    double *y = mkba_malloc(d->npoints * sizeof *y), s1[64], st[64];
    mkba_morris_indices *ix = NULL;
    int rc = y != NULL ? MKBA_OK : mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MKBA_OK && i < d->npoints; i++)
        y[i] = fn->eval(d->u + i * fn->k);
    if (rc == MKBA_OK)
        rc = mkba_morris_estimate(d, y, (size_t)o->bootstrap, 0.95, o->seed, &ix, err);
    if (rc == MKBA_OK) {
        fn->indices(s1, st);
        static const char *const col[] = { "input", "mu", "mu*", "mu* low", "mu* high",
                                           "sigma", "ST exact" };
        static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_EFFECT, MKBA_COL_EFFECT,
                                              MKBA_COL_EFFECT, MKBA_COL_EFFECT, MKBA_COL_EFFECT,
                                              MKBA_COL_EFFECT };
        char title[256];
        snprintf(title, sizeof title, "Morris screening of %s (%s), %zu %s, %zu evaluations; "
                 "compare the order of mu* with the exact total index", fn->name,
                 fn->description, r_traj, o->radial ? "radial groups" : "trajectories",
                 d->npoints);
        mkba_rtable *t = mkba_report_table(r, "morris", title, 7, col, kind);
        for (size_t i = 0; i < fn->k; i++) {
            char name[32];
            snprintf(name, sizeof name, "x%zu", i + 1);
            long row = mkba_rtable_row(r, t);
            double v[6] = { ix->mu[i], ix->mu_star[i], ix->mu_star_lo[i], ix->mu_star_hi[i],
                            ix->sigma[i], st[i] };
            mkba_rtable_str(r, t, row, 0, name);
            for (size_t c = 0; c < 6; c++)
                mkba_rtable_num(t, row, c + 1, v[c]);
        }
    }
    mkba_morris_indices_free(ix);
    mkba_morris_design_free(d);
    mkba_free(y);
    return rc;
}

static int run(const mkba_sa_options *o, const char *function, mkba_summary_format format,
               FILE *out, mkba_error *err)
{
    mkba_sa_method method = o->method;
    long n = o->n > 0 ? o->n : method == MKBA_SA_MORRIS ? 20 : 1024;
    const mkba_testfn *fn = mkba_testfn_lookup(function, err);
    if (fn == NULL)
        return err != NULL ? err->code : MKBA_EINVAL;
    if (fn->k > 64)
        return mkba_error_set(err, MKBA_EINTERNAL, "test function %s has too many inputs",
                              fn->name);
    if (method != MKBA_SA_SOBOL && method != MKBA_SA_MORRIS)
        return mkba_error_set(err, MKBA_EINVAL, "--function works with sobol and morris, not "
                              "%s", mkba_sa_method_name(method));
    if (o->bootstrap < 0 || o->bootstrap > 100000)
        return mkba_error_set(err, MKBA_EINVAL, "--bootstrap must be 0 to 100000 (got %ld)",
                              o->bootstrap);
    mkba_report *r = mkba_report_alloc();
    if (r == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    int rc = method == MKBA_SA_SOBOL ? sobol(fn, o, (size_t)n, r, err)
                                     : morris(fn, o, (size_t)n, r, err);
    if (rc == MKBA_OK && r->failed)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    /* Out of memory while rendering is said as such, not as a write error. */
    if (rc == MKBA_OK && mkba_report_render(out, r, format) < 0)
        rc = mkba_report_render_failed(out, err);
    if (rc == MKBA_OK && fflush(out) != 0)
        rc = mkba_error_set(err, MKBA_EIO, "cannot write the tables");
    mkba_report_free(r);
    return rc;
}

int mkba_sa_function(const mkba_context *ctx, const mkba_sa_options *o, const char *function,
                     mkba_summary_format format, FILE *out, mkba_error *err)
{
    mkba_alloc_scope scope = mkba_alloc_enter(mkba_context_allocator(ctx));
    int rc = run(o, function, format, out, err);
    mkba_alloc_leave(scope);
    return rc;
}
