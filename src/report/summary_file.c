/* mkba_summary_write: the summary of a result file in one of four formats,
 * read from the file only, so `mkba run` and `mkba summary` print the same. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "mkba/mkba.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "report/summary_report.h"
#include "report/summary_text.h"
#include "report/sa_report.h"

/* The index of perspective `name` in t, or -1 with err listing the known
 * names and the closest one. */
static int find_perspective(const mkba_h5_totals *t, const char *name, mkba_error *err)
{
    for (size_t k = 0; k < t->nperspectives; k++)
        if (strcmp(t->perspective[k], name) == 0)
            return (int)k;
    char known[1024] = "";
    size_t used = 0;
    for (size_t k = 0; k < t->nperspectives && used < sizeof known; k++) {
        int n = snprintf(known + used, sizeof known - used, "%s%s", k > 0 ? ", " : "",
                         t->perspective[k]);
        used += n > 0 ? (size_t)n : 0;
    }
    const char *near = mkba_closest_name(name, (const char *const *)t->perspective,
                                         t->nperspectives);
    if (near != NULL)
        mkba_error_set(err, MKBA_EINVAL, "unknown perspective '%s'; known: %s (did you mean "
                       "'%s'?)", name, known, near);
    else
        mkba_error_set(err, MKBA_EINVAL, "unknown perspective '%s'; known: %s", name, known);
    return -1;
}

static void render(FILE *out, mkba_summary_format format, const char *path,
                   const mkba_h5_totals *t, const mkba_summary *s, const mkba_report *r)
{
    switch (format) {
    case MKBA_SUMMARY_TEXT: {
        mkba_summary_header h = { path, t->scenario_name, t->draws, t->households, t->mode,
                                  t->base_case };
        mkba_summary_print(out, &h, t, s);
        mkba_report_text(out, r);
        break;
    }
    default: mkba_report_render(out, r, format); break;
    }
}

static int summary_write(const char *path, mkba_summary_format format, const char *perspective,
                         FILE *out, mkba_error *err);

int mkba_summary_write(const mkba_context *ctx, const char *path, mkba_summary_format format,
                       const char *perspective, FILE *out, mkba_error *err)
{
    mkba_alloc_scope scope = mkba_alloc_enter(mkba_context_allocator(ctx));
    int rc = summary_write(path, format, perspective, out, err);
    mkba_alloc_leave(scope);
    return rc;
}

/* A sensitivity-analysis file: its method's tables, in any format. */
static int sa_write(const char *path, mkba_summary_format format, FILE *out, mkba_error *err)
{
    mkba_report *r = mkba_report_alloc();
    if (r == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    int rc = mkba_sa_report_build(path, r, err);
    if (rc == MKBA_OK) {
        if (format == MKBA_SUMMARY_TEXT)
            fprintf(out, "Sensitivity analysis: %s\n", path);
        mkba_report_render(out, r, format);
        if (fflush(out) != 0 || ferror(out))
            rc = mkba_error_set(err, MKBA_EIO, "cannot write the summary: %s", strerror(errno));
    }
    mkba_report_free(r);
    return rc;
}

static int summary_write(const char *path, mkba_summary_format format, const char *perspective,
                         FILE *out, mkba_error *err)
{
    int sa = mkba_sa_report_is_sa(path, err);
    if (sa < 0)
        return err != NULL ? err->code : MKBA_ENOMEM;
    if (sa)
        return sa_write(path, format, out, err);
    mkba_h5_totals *t = NULL;
    mkba_summary *s = NULL;
    mkba_decision *d = NULL;
    mkba_report *r = NULL;
    int rc = mkba_h5_read_totals(path, &t, err);
    if (rc == MKBA_OK && (s = mkba_summary_alloc(t, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK)
        rc = mkba_decision_load(path, t, &d, err);
    int k = -1;
    if (rc == MKBA_OK && perspective != NULL && (k = find_perspective(t, perspective, err)) < 0)
        rc = MKBA_EINVAL;
    if (rc == MKBA_OK) {
        mkba_summary_report_options ro = { path, k, format == MKBA_SUMMARY_TEXT };
        if ((r = mkba_summary_report(t, s, d, &ro)) == NULL)
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory building the summary of %s",
                                path);
    }
    if (rc == MKBA_OK) {
        render(out, format, path, t, s, r);
        if (fflush(out) != 0 || ferror(out))
            rc = mkba_error_set(err, MKBA_EIO, "cannot write the summary: %s", strerror(errno));
    }
    mkba_report_free(r);
    mkba_decision_free(d);
    mkba_summary_free(s);
    mkba_h5_totals_free(t);
    return rc;
}
