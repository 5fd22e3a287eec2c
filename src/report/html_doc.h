/* The HTML report as it is written: what every section reads (the doc),
 * the small writers they share (words, numbers, headings, notes, cells,
 * charts) and the sections themselves, one file per group:
 * html_answer.c (the answer), html_run.c (the charts of a run),
 * html_sensitivity.c (the charts of `mkba sa`), html_facts.c (the key
 * assumptions and every table); html_report.c lists them in order. */
#ifndef MKBA_REPORT_HTML_DOC_H
#define MKBA_REPORT_HTML_DOC_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include "mkba/mkba.h"
#include "analysis/decision.h"
#include "analysis/summary.h"
#include "io/h5out.h"
#include "answer.h"
#include "html_strings.h"
#include "plots.h"
#include "report.h"

typedef struct mkba_html_doc {
    FILE *f;
    int nl;                       /* Dutch words and number style */
    const char *path;
    mkba_h5_totals *t;            /* NULL for a sensitivity-analysis file */
    mkba_summary *s;
    mkba_decision *d;
    mkba_report *r;               /* the summary's tables */
    mkba_h5_store *st;
    mkba_answer *an;              /* the answer first */
    mkba_plots plots;             /* the charts drawn by tools/mkba_plots.py */
    const volatile sig_atomic_t *stop;   /* the context's stop flag (NULL: none) */
    mkba_error *err;              /* where a section's failure is told */
    char money[32];               /* "EUR" or the currency */
} mkba_html_doc;

/* A word or sentence of the string table in the doc's language. */
const char *mkba_html_s(const mkba_html_doc *h, mkba_html_string id);

/* printf into a small buffer (the sentences of the string table); a text
 * too long is cut between characters. */
const char *mkba_html_fmt(char *buf, size_t size, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Escaped text. */
void mkba_html_text(const mkba_html_doc *h, const char *s);

/* An amount of money rounded to whole units with its currency sign, a
 * share as a percentage ("" when not known), a number with `decimals`
 * decimals, in the doc's number style. */
const char *mkba_html_money(const mkba_html_doc *h, char *buf, size_t size, double v);
const char *mkba_html_percent(const mkba_html_doc *h, char *buf, size_t size, double share);
const char *mkba_html_number(const mkba_html_doc *h, char *buf, size_t size, double v,
                             int decimals);

/* Opens section `id` with its heading; a paragraph of class cls; a
 * third-level heading. */
void mkba_html_heading(const mkba_html_doc *h, const char *id, const char *title);
void mkba_html_para(const mkba_html_doc *h, const char *cls, const char *s);
void mkba_html_h3(const mkba_html_doc *h, const char *title);

/* A table cell holding a number shown as `shown`, with the exact value in
 * data-value (for readers and the tests). */
void mkba_html_num_cell(const mkba_html_doc *h, double v, const char *shown);

/* Writes chart i of the manifest under its heading, when it has one.
 * Returns 0, or -1 when its image cannot be read (h->err set). */
int mkba_html_chart(mkba_html_doc *h, size_t i);

/* Writes every chart of the manifest that belongs to `section`, in order,
 * each under its heading when it has one. Returns how many, or -1 when
 * an image cannot be read (h->err set). */
long mkba_html_charts(mkba_html_doc *h, const char *section);

/* The sections. Each writes itself whole (a note where its data are
 * missing) and returns 0, or -1 when out of memory or a chart cannot be
 * embedded. */
int mkba_html_answer(mkba_html_doc *h);
int mkba_html_plane(mkba_html_doc *h);
int mkba_html_ceac(mkba_html_doc *h);
int mkba_html_cashflow(mkba_html_doc *h);
int mkba_html_payers(mkba_html_doc *h);
int mkba_html_budget(mkba_html_doc *h);
int mkba_html_groups(mkba_html_doc *h);
int mkba_html_ranking(mkba_html_doc *h);
int mkba_html_services(mkba_html_doc *h);
int mkba_html_expost(mkba_html_doc *h);
int mkba_html_sensitivity(mkba_html_doc *h);
int mkba_html_assumptions(mkba_html_doc *h);
int mkba_html_tables(mkba_html_doc *h);

#endif
