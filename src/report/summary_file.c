/* mkba_summary_export: the summary of a result file in one of its formats,
 * read from the file only, so `mkba run` and `mkba summary` print the same. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "mkba/mkba.h"
#include "core/alloc.h"
#include "core/syserr.h"
#include "core/strutil.h"
#include "report/summary_report.h"
#include "report/summary_text.h"
#include "report/sa_report.h"
#include "report/expost_report.h"
#include "report/answer.h"
#include "report/outfile.h"
#include "report/tidy.h"
#include "report/xlsx.h"

/* The index of perspective `name` in t, or -1 with err listing the known
 * names and the closest one. */
static int find_perspective(const mkba_h5_totals *t, const char *name, mkba_error *err)
{
    size_t found = mkba_answer_perspective(t, name);
    if (found < t->nperspectives)
        return (int)found;
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

/* What a summary is built from: a run's totals, summary and decision
 * outputs (t NULL for a sensitivity-analysis file), and the tables. */
typedef struct loaded {
    mkba_h5_totals *t;
    mkba_summary *s;
    mkba_decision *d;
    mkba_answer *an;
    mkba_report *r;
} loaded;

static void loaded_free(loaded *l)
{
    mkba_report_free(l->r);
    mkba_answer_free(l->an);
    mkba_decision_free(l->d);
    mkba_summary_free(l->s);
    mkba_h5_totals_free(l->t);
}

/* Reads the file and builds its tables; `text` selects the text summary's
 * selection (summary_report.h). */
static int load(const char *path, const char *perspective, int text, loaded *l, mkba_error *err)
{
    memset(l, 0, sizeof *l);
    int sa = mkba_sa_report_is_sa(path, err);
    if (sa < 0)
        return err != NULL ? err->code : MKBA_ENOMEM;
    if ((l->r = mkba_report_alloc()) == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    if (sa)
        return mkba_sa_report_build(path, l->r, err);
    mkba_report_free(l->r);
    l->r = NULL;
    int rc = mkba_h5_read_totals(path, &l->t, err);
    if (rc == MKBA_OK && (l->s = mkba_summary_alloc(l->t, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK)
        rc = mkba_decision_load(path, l->t, &l->d, err);
    int k = -1;
    if (rc == MKBA_OK && perspective != NULL
        && (k = find_perspective(l->t, perspective, err)) < 0)
        rc = MKBA_EINVAL;
    if (rc == MKBA_OK && (l->an = mkba_answer_alloc(path, l->t, l->d, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK) {
        mkba_summary_report_options ro = { path, k, text, err };
        if ((l->r = mkba_summary_report(l->t, l->s, l->d, &ro)) != NULL)
            mkba_answer_table(l->r, l->t, l->an);
        if (l->r == NULL || l->r->failed)
            rc = err != NULL && err->code != MKBA_OK
                     ? err->code
                     : mkba_error_set(err, MKBA_ENOMEM, "out of memory building the summary "
                                      "of %s", path);
    }
    if (rc == MKBA_OK)   /* a file of mkba expost: its ex-post tables too */
        rc = mkba_expost_report_add(path, l->r, err);
    return rc;
}

/* Keeps table `id` of r, or an error listing the ids. */
static int keep_table(mkba_report *r, const char *id, mkba_error *err)
{
    if (mkba_report_keep(r, id) == 0)
        return MKBA_OK;
    char known[2048] = "";
    size_t used = 0;
    const char **ids = mkba_calloc(r->n + 1, sizeof *ids);
    for (size_t i = 0; i < r->n && used < sizeof known; i++) {
        int n = snprintf(known + used, sizeof known - used, "%s%s", i > 0 ? ", " : "",
                         r->table[i]->id);
        used += n > 0 ? (size_t)n : 0;
        if (ids != NULL)
            ids[i] = r->table[i]->id;
    }
    const char *near = ids != NULL ? mkba_closest_name(id, ids, r->n) : NULL;
    int rc = near != NULL
             ? mkba_error_set(err, MKBA_EINVAL, "no table '%s' in this file; its tables: %s "
                              "(did you mean '%s'?)", id, known, near)
             : mkba_error_set(err, MKBA_EINVAL, "no table '%s' in this file; its tables: %s",
                              id, known);
    mkba_free(ids);
    return rc;
}

/* The file name of table i in o->folder: its id made safe
 * (mkba_outfile_safe_name), with ~2, ~3, ... when two ids give the same. */
static char *folder_file(const mkba_report *r, size_t i, const char *folder, char **taken)
{
    char base[208], name[224];
    mkba_outfile_safe_name(base, sizeof base, r->table[i]->id);
    snprintf(name, sizeof name, "%s", base);
    for (int k = 2;; k++) {
        size_t j = 0;
        while (j < i && strcmp(taken[j], name) != 0)
            j++;
        if (j == i)
            break;
        snprintf(name, sizeof name, "%s~%d", base, k);
    }
    if ((taken[i] = mkba_strdup(name)) == NULL)
        return NULL;
    char *file = mkba_malloc(strlen(folder) + strlen(name) + 6);
    if (file != NULL)
        sprintf(file, "%s/%s.csv", folder, name);
    return file;
}

/* One file per table in o->folder, all or none: every file is written
 * under a temporary name first and renamed only when all are complete; a
 * failure removes what was written (and the folder when this call made
 * it). */
static int write_folder(const char *path, const mkba_report *r, const mkba_summary_options *o,
                        mkba_error *err)
{
    int created = 0;
    int rc = mkba_outfile_folder(o->folder, &created, err);
    if (rc != MKBA_OK)
        return rc;
    const mkba_csv_style *style = o->csv_nl ? &mkba_csv_nl : &mkba_csv_plain;
    size_t n = r->n, opened = 0, committed = 0;
    mkba_outfile *of = mkba_calloc(n + 1, sizeof *of);
    char **taken = mkba_calloc(n + 1, sizeof *taken), **final = mkba_calloc(n + 1, sizeof *final);
    if (of == NULL || taken == NULL || final == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    for (size_t i = 0; rc == MKBA_OK && i < n; i++) {
        if ((final[i] = folder_file(r, i, o->folder, taken)) == NULL) {
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
            break;
        }
        if ((rc = mkba_outfile_open(&of[i], final[i], path, 1, err)) != MKBA_OK)
            break;
        opened = i + 1;
        mkba_csv_begin(of[i].f, style);
        mkba_csv_table(of[i].f, r->table[i], style, 0);
        if (fflush(of[i].f) != 0 || ferror(of[i].f)) {
            int e = errno;
            char cause[512];
            mkba_syserr_describe(cause, sizeof cause, e);
            rc = mkba_error_set_sys(err, MKBA_EIO, e, "cannot write %s: %s", final[i], cause);
        }
    }
    while (rc == MKBA_OK && committed < n) {
        rc = mkba_outfile_commit(&of[committed], err);
        if (rc == MKBA_OK)
            committed++;
    }
    if (rc != MKBA_OK) {
        for (size_t i = 0; i < committed; i++)
            remove(final[i]);
        for (size_t i = committed; of != NULL && i < opened; i++)
            mkba_outfile_discard(&of[i]);
        if (created)
            rmdir(o->folder);
    }
    for (size_t i = 0; i < n; i++) {
        if (taken != NULL)
            mkba_free(taken[i]);
        if (final != NULL)
            mkba_free(final[i]);
    }
    mkba_free(taken);
    mkba_free(final);
    mkba_free(of);
    return rc;
}

/* The summary in o->format to f (xlsx: to the file tmp). */
static int emit(FILE *f, const char *tmp, const char *path, const loaded *l,
                const mkba_summary_options *o, mkba_error *err)
{
    const mkba_csv_style *style = o->csv_nl ? &mkba_csv_nl : &mkba_csv_plain;
    switch (o->format) {
    case MKBA_SUMMARY_TEXT:
        if (o->table == NULL && l->t != NULL) {
            /* The answer and its table first (one screen), then the detail. */
            const mkba_h5_totals *t = l->t;
            mkba_answer_print(f, t, l->d, l->an);
            mkba_report first = { 1, 1, l->r->table, 0 }, rest = { l->r->n - 1, l->r->n - 1,
                                                                  l->r->table + 1, 0 };
            if (mkba_report_text(f, &first) < 0)
                return mkba_report_render_failed(f, err);
            if (o->brief)
                break;
            fputc('\n', f);
            mkba_summary_header h = { path, t->scenario_name, t->draws, t->households, t->mode,
                                      t->base_case };
            mkba_summary_print(f, &h, t, l->s);
            if (mkba_report_text(f, &rest) < 0)
                return mkba_report_render_failed(f, err);
            break;
        }
        if (o->table == NULL)
            fprintf(f, "Sensitivity analysis: %s\n", path);
        if (mkba_report_text(f, l->r) < 0)
            return mkba_report_render_failed(f, err);
        break;
    case MKBA_SUMMARY_CSV:
        mkba_csv_begin(f, style);
        if (o->table != NULL)
            mkba_csv_table(f, l->r->table[0], style, 0);
        else
            mkba_report_csv_styled(f, l->r, style);
        break;
    case MKBA_SUMMARY_TIDY:
        return mkba_tidy_write(f, path, l->t, l->d->nyears, style, err);
    case MKBA_SUMMARY_XLSX:
        return mkba_xlsx_write(tmp, o->output, path, l->r, err);
    default:
        if (mkba_report_render(f, l->r, o->format) < 0)
            return mkba_report_render_failed(f, err);
        break;
    }
    return MKBA_OK;
}

static int check_options(const mkba_summary_options *o, mkba_error *err)
{
    if (o->format == MKBA_SUMMARY_XLSX && o->output == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "the xlsx format needs an output file "
                              "(-o FILE.xlsx)");
    if (o->folder != NULL && o->format != MKBA_SUMMARY_CSV)
        return mkba_error_set(err, MKBA_EINVAL, "a folder of files (--folder) holds csv "
                              "files: use it with --format csv");
    if (o->folder != NULL && o->output != NULL)
        return mkba_error_set(err, MKBA_EINVAL, "give either an output file or a folder, "
                              "not both");
    if (o->csv_nl && o->format != MKBA_SUMMARY_CSV && o->format != MKBA_SUMMARY_TIDY)
        return mkba_error_set(err, MKBA_EINVAL, "--csv-locale applies to --format csv and "
                              "tidy only (an xlsx workbook holds numbers, shown in any "
                              "locale)");
    if (o->brief && (o->format != MKBA_SUMMARY_TEXT || o->table != NULL))
        return mkba_error_set(err, MKBA_EINVAL, "--brief is the answer of the text summary: "
                              "use it without --format (or --format text) and without "
                              "--table");
    if (o->table != NULL && o->format == MKBA_SUMMARY_TIDY)
        return mkba_error_set(err, MKBA_EINVAL, "the long format is one table of per-draw "
                              "values; --table selects a table of the other formats");
    return MKBA_OK;
}

static int summary_export(const char *path, const mkba_summary_options *o, FILE *out,
                          mkba_error *err)
{
    int rc = check_options(o, err);
    if (rc != MKBA_OK)
        return rc;
    loaded l;
    rc = load(path, o->perspective, o->format == MKBA_SUMMARY_TEXT && o->table == NULL, &l,
              err);
    if (rc == MKBA_OK && o->format == MKBA_SUMMARY_TIDY && l.t == NULL)
        rc = mkba_error_set(err, MKBA_EINVAL, "%s holds a sensitivity analysis: the long "
                            "format is for the draws of a run; use --format csv", path);
    if (rc == MKBA_OK && o->table != NULL)
        rc = keep_table(l.r, o->table, err);
    if (rc == MKBA_OK && o->folder != NULL) {
        rc = write_folder(path, l.r, o, err);
    } else if (rc == MKBA_OK && o->output != NULL) {
        mkba_outfile of;
        rc = mkba_outfile_open(&of, o->output, path, o->format != MKBA_SUMMARY_XLSX, err);
        if (rc == MKBA_OK)
            rc = emit(of.f, of.tmp, path, &l, o, err);
        if (rc == MKBA_OK)
            rc = mkba_outfile_commit(&of, err);
        else
            mkba_outfile_discard(&of);
    } else if (rc == MKBA_OK) {
        rc = emit(out, NULL, path, &l, o, err);
        if (rc == MKBA_OK && (fflush(out) != 0 || ferror(out)))
            rc = mkba_error_set(err, MKBA_EIO, "cannot write the summary: %s", strerror(errno));
    }
    loaded_free(&l);
    return rc;
}

void mkba_summary_options_init(mkba_summary_options *o)
{
    memset(o, 0, sizeof *o);
    o->format = MKBA_SUMMARY_TEXT;
}

int mkba_summary_export(const mkba_context *ctx, const char *path,
                        const mkba_summary_options *o, FILE *out, mkba_error *err)
{
    mkba_alloc_scope scope = mkba_alloc_enter(mkba_context_allocator(ctx));
    int rc = summary_export(path, o, out, err);
    mkba_alloc_leave(scope);
    return rc;
}

int mkba_summary_write(const mkba_context *ctx, const char *path, mkba_summary_format format,
                       const char *perspective, FILE *out, mkba_error *err)
{
    mkba_summary_options o;
    mkba_summary_options_init(&o);
    o.format = format;
    o.perspective = perspective;
    return mkba_summary_export(ctx, path, &o, out, err);
}
