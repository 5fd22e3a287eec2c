/* `mkba report`: one self-contained HTML file (charts as embedded images,
 * inline style, no scripts, no links out) built from a result file only,
 * or that page printed to PDF. The charts are drawn first by
 * tools/mkba_plots.py (plots.h), so a missing package or a failed chart
 * leaves no output file. The sections are the table `sections` below, in
 * files by kind (html_doc.h); docs/report.md describes every chart. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/alloc.h"
#include "html_doc.h"
#include "outfile.h"
#include "pdf.h"
#include "sa_report.h"
#include "summary_report.h"

/* The sections, in order; `run`: only for the result file of a run
 * (needs totals and decision outputs). */
typedef struct section {
    int (*write)(mkba_html_doc *h);
    int run;
} section;

static const section sections[] = {
    { mkba_html_answer, 1 },
    { mkba_html_plane, 1 },
    { mkba_html_ceac, 1 },
    { mkba_html_cashflow, 1 },
    { mkba_html_payers, 1 },
    { mkba_html_budget, 1 },
    { mkba_html_groups, 1 },
    { mkba_html_ranking, 1 },
    { mkba_html_services, 1 },
    { mkba_html_sensitivity, 0 },
    { mkba_html_expost, 0 },
    { mkba_html_assumptions, 1 },
    { mkba_html_tables, 0 },
};

static const char style[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;color:#222;margin:0;background:#fff}"
    "main{max-width:1000px;margin:0 auto;padding:16px 24px}"
    "h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;border-bottom:2px solid #0072B2;"
    "padding-bottom:3px;margin-top:32px}h3{font-size:16px;margin:18px 0 6px}"
    "p.note{color:#555;font-size:13px;max-width:900px}"
    "p.warning{font-size:14px;background:#fff4e0;border-left:5px solid #E69F00;padding:6px 12px}"
    "p.calibrated{font-size:14px;background:#f3eef6;border-left:5px solid #CC79A7;"
    "padding:6px 12px}"
    "p.answer{font-size:17px;line-height:1.5;background:#eef5fb;padding:12px 16px;"
    "border-left:5px solid #0072B2}"
    "table{border-collapse:collapse;font-size:13px;margin:8px 0}"
    "th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "tr.best td{font-weight:bold}"
    "table.facts th{font-weight:normal;color:#555}"
    /* Charts are drawn 17 cm wide (A4 less margins): shown at that size,
     * their 9-point text is 9 points on paper. */
    "figure.chart{margin:6px 0;max-width:100%}"
    "figure.chart img{display:block;max-width:100%;height:auto}"
    "details{margin:6px 0}summary{cursor:pointer;font-size:14px}"
    "@media print{details{display:block}figure.chart{break-inside:avoid}}"
    "@page{size:A4;margin:15mm}";

/* The first chart of the manifest the report has not embedded
 * (h->plots.n: none). */
static size_t unplaced(const mkba_html_doc *h)
{
    size_t i = 0;
    while (i < h->plots.n && h->plots.chart[i].placed)
        i++;
    return i;
}

/* MKBA_EINTERRUPTED when the stop flag was raised (a signal that came
 * after the helpers ended), so no output is committed. */
static int not_stopped(const mkba_html_doc *h, mkba_error *err)
{
    if (h->stop == NULL || *h->stop == 0)
        return MKBA_OK;
    return mkba_error_set(err, MKBA_EINTERRUPTED, "interrupted while the report was written");
}

/* 0; -1 when a section failed (out of memory, unless it set an error);
 * -2 when every section was written and a chart found no place. */
static int write_doc(mkba_html_doc *h, const char *title)
{
    FILE *f = h->f;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\"/>\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
            "<title>", h->nl ? "nl" : "en");
    mkba_html_text(h, title);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>", style);
    mkba_html_text(h, title);
    fputs("</h1>\n", f);
    if (h->t != NULL) {
        char note[512];
        const mkba_h5_totals *t = h->t;
        mkba_html_para(h, "note", mkba_html_fmt(note, sizeof note, mkba_html_s(h, HS_UNIT_NOTE),
                                                h->money, t->price_year));
        /* The warnings of the text summary's header. */
        if (t->design != NULL && strcmp(t->design, "points") == 0)
            mkba_html_para(h, "warning", mkba_html_fmt(note, sizeof note,
                                                       mkba_html_s(h, HS_POINTS), t->ndraws,
                                                       t->design_draw != NULL ? t->design_draw
                                                                              : "?"));
        else if (t->draws > 0 && t->ndraws != (size_t)t->draws)
            mkba_html_para(h, "warning", mkba_html_fmt(note, sizeof note,
                                                       mkba_html_s(h, HS_SPLIT_PART),
                                                       t->ndraws, t->draws));
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof sections / sizeof sections[0]; i++)
        if (!sections[i].run || h->t != NULL)
            rc = sections[i].write(h);
    fputs("</main>\n</body>\n</html>\n", f);
    if (rc == 0 && unplaced(h) < h->plots.n)
        rc = -2;
    return rc;
}

/* Dutch unless the scenario's payers are not Dutch: any payer named
 * gemeente... makes it a Dutch scenario. The payers of a run file are in
 * its totals; a sensitivity file holds the scenario's /labels/payers too
 * (a file without them is taken as English). */
static int dutch_scenario(const mkba_html_doc *h)
{
    char **payer = NULL;
    size_t n = 0;
    int owned = 0;
    if (h->t != NULL) {
        payer = h->t->payer;
        n = h->t->npayers;
    } else if (mkba_h5_store_has(h->st, "/labels/payers")
               && mkba_h5_store_read_strings(h->st, "/labels/payers", &payer, &n, NULL)
                  == MKBA_OK) {
        owned = 1;
    }
    int dutch = 0;
    for (size_t p = 0; p < n && !dutch; p++)
        dutch = strncmp(payer[p], "gemeente", 8) == 0;
    if (owned)
        mkba_h5_store_strings_free(payer, n);
    return dutch;
}

static int load(mkba_html_doc *h, const char *path, mkba_error *err)
{
    int sa = mkba_sa_report_is_sa(path, err);
    if (sa < 0)
        return err != NULL ? err->code : MKBA_ENOMEM;
    if (sa) {
        if ((h->st = mkba_h5_store_open(path, 0, err)) == NULL)
            return err != NULL ? err->code : MKBA_EIO;
        if ((h->r = mkba_report_alloc()) == NULL)
            return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        return mkba_sa_report_build(path, h->r, err);
    }
    /* The totals first: their reader says plainly what is wrong with a
     * file that is missing or not a result file. */
    int rc = mkba_h5_read_totals(path, &h->t, err);
    if (rc == MKBA_OK && (h->st = mkba_h5_store_open(path, 0, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_EIO;
    if (rc == MKBA_OK && (h->s = mkba_summary_alloc(h->t, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK)
        rc = mkba_decision_load(path, h->t, &h->d, err);
    if (rc == MKBA_OK) {
        mkba_summary_report_options ro = { path, -1, 0, err };
        if ((h->r = mkba_summary_report(h->t, h->s, h->d, &ro)) == NULL)
            rc = err != NULL && err->code != MKBA_OK ? err->code
                                                     : mkba_error_set(err, MKBA_ENOMEM,
                                                                      "out of memory");
    }
    if (rc == MKBA_OK && (h->an = mkba_answer_alloc(path, h->t, h->d, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK)
        snprintf(h->money, sizeof h->money, "%s", h->t->currency ? h->t->currency : "");
    return rc;
}

/* The charts, drawn with what the answer decided: the budget chart's arm
 * and whether the municipality has a payer. */
static int draw_charts(mkba_html_doc *h, mkba_error *err)
{
    mkba_plots_request q = { h->path, h->nl, -1, -1, h->stop };
    if (h->an != NULL) {
        if ((int)h->an->alternative != h->t->reference)
            q.budget_arm = (long)h->an->alternative;
        if (h->an->has_municipality)
            q.municipality = (long)h->an->municipality;
    }
    return mkba_plots_draw(&h->plots, &q, err);
}

static void doc_free(mkba_html_doc *h)
{
    mkba_plots_free(&h->plots);
    mkba_answer_free(h->an);
    mkba_report_free(h->r);
    mkba_decision_free(h->d);
    mkba_summary_free(h->s);
    mkba_h5_totals_free(h->t);
    mkba_h5_store_close(h->st, NULL);
}

/* Writes the page to stream f; an error when a section fails. */
static int write_page(mkba_html_doc *h, FILE *f, const char *title, mkba_error *err)
{
    h->f = f;
    int rc = write_doc(h, title);
    if (rc == 0)
        return MKBA_OK;
    if (err != NULL && err->code != MKBA_OK)
        return err->code;
    size_t lost = unplaced(h);
    if (rc == -2)
        return mkba_error_set(err, MKBA_EINTERNAL, "chart %s of tools/mkba_plots.py has no "
                              "place in the report (section %s): the script and "
                              "src/report/html_*.c disagree", h->plots.chart[lost].id,
                              h->plots.chart[lost].section);
    return mkba_error_set(err, MKBA_ENOMEM, "out of memory writing the report");
}

/* The page as PDF: written into the charts' scratch folder, printed to
 * the output's temporary name, renamed when Chromium has written it. */
static int write_pdf(mkba_html_doc *h, const char *output, const char *title, mkba_error *err)
{
    size_t n = strlen(h->plots.dir) + sizeof "/report.html";
    char *page = mkba_malloc(n);
    if (page == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    snprintf(page, n, "%s/report.html", h->plots.dir);
    FILE *f = fopen(page, "w");
    int rc = f == NULL ? (int)mkba_error_set(err, MKBA_EIO, "cannot write %s: %s", page,
                                             strerror(errno))
                       : write_page(h, f, title, err);
    if (f != NULL) {
        int failed = ferror(f) != 0, closed = fclose(f);
        if ((failed || closed != 0) && rc == MKBA_OK)
            rc = mkba_error_set(err, MKBA_EIO, "cannot write %s: %s", page,
                                closed != 0 ? strerror(errno) : "write error");
    }
    mkba_outfile of;
    if (rc == MKBA_OK && (rc = mkba_outfile_open(&of, output, h->path, 0, err)) == MKBA_OK) {
        rc = mkba_pdf_print(page, of.tmp, h->plots.dir, h->stop, err);
        if (rc == MKBA_OK)
            rc = not_stopped(h, err);
        if (rc == MKBA_OK)
            rc = mkba_outfile_commit(&of, err);
        else
            mkba_outfile_discard(&of);
    }
    mkba_free(page);
    return rc;
}

static int html_report(const mkba_context *ctx, const char *path, const mkba_html_options *o,
                       int pdf, mkba_error *err)
{
    if (o->output == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "the report needs an output file");
    mkba_html_doc h;
    memset(&h, 0, sizeof h);
    h.path = path;
    h.err = err;
    h.stop = ctx != NULL ? ctx->stop : NULL;
    int rc = load(&h, path, err);
    if (rc == MKBA_OK) {
        h.nl = o->lang != NULL ? strcmp(o->lang, "nl") == 0 : dutch_scenario(&h);
        /* Checked before the charts are drawn, which takes a while. */
        rc = mkba_outfile_check(o->output, path, err);
    }
    if (rc == MKBA_OK)
        rc = not_stopped(&h, err);
    if (rc == MKBA_OK)
        rc = draw_charts(&h, err);
    if (rc == MKBA_OK) {
        char title[512];
        /* The scenario's name, or for a sensitivity file its file name
         * without the folders. */
        const char *slash = strrchr(path, '/');
        const char *name = h.t != NULL && h.t->scenario_name ? h.t->scenario_name
                           : slash != NULL ? slash + 1 : path;
        snprintf(title, sizeof title, "%s: %s",
                 mkba_html_s(&h, h.t != NULL ? HS_TITLE : HS_SA_FILE), name);
        mkba_outfile of;
        if (pdf)
            rc = write_pdf(&h, o->output, title, err);
        else if ((rc = mkba_outfile_open(&of, o->output, path, 1, err)) == MKBA_OK) {
            rc = write_page(&h, of.f, title, err);
            if (rc == MKBA_OK)
                rc = not_stopped(&h, err);
            if (rc == MKBA_OK)
                rc = mkba_outfile_commit(&of, err);
            else
                mkba_outfile_discard(&of);
        }
    }
    doc_free(&h);
    return rc;
}

int mkba_report_html(const mkba_context *ctx, const char *path, const mkba_html_options *o,
                     mkba_error *err)
{
    mkba_alloc_scope scope = mkba_alloc_enter(mkba_context_allocator(ctx));
    int rc = html_report(ctx, path, o, 0, err);
    mkba_alloc_leave(scope);
    return rc;
}

int mkba_report_pdf(const mkba_context *ctx, const char *path, const mkba_html_options *o,
                    mkba_error *err)
{
    mkba_alloc_scope scope = mkba_alloc_enter(mkba_context_allocator(ctx));
    int rc = html_report(ctx, path, o, 1, err);
    mkba_alloc_leave(scope);
    return rc;
}
