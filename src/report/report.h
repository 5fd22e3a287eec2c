/* A report as a list of tables, and its renderings as aligned text, CSV,
 * Markdown and JSON: `mkba summary --format` prints one content in four
 * forms. A table has named columns of one kind each (text, money, share,
 * ...); a cell is a number or, in any column, a string. */
#ifndef MKBA_REPORT_REPORT_H
#define MKBA_REPORT_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include "mkba/mkba.h"

typedef enum mkba_col_kind {
    MKBA_COL_TEXT = 0,
    MKBA_COL_MONEY,     /* whole units in text */
    MKBA_COL_EFFECT,    /* four decimals in text */
    MKBA_COL_RATIO,     /* two decimals in text */
    MKBA_COL_SHARE,     /* a share 0..1, printed as a percentage in text */
    MKBA_COL_YEAR,      /* one decimal in text */
    MKBA_COL_INT,
    MKBA_COL_CALENDAR   /* a calendar year: whole, never grouped (2027, not 2.027) */
} mkba_col_kind;

typedef struct mkba_rtable {
    char *id, *title;
    size_t ncols;
    char **col;
    mkba_col_kind *kind;
    size_t nrows, cap;
    double *num;               /* [row][col] */
    char **str;                /* [row][col], NULL: the number */
    mkba_col_kind *cell_kind;  /* [row][col]: how text and Markdown show the
                                  number; the column's kind unless set */
    size_t nnotes;
    char **note;
} mkba_rtable;

typedef struct mkba_report {
    size_t n, cap;
    mkba_rtable **table;
    int failed;                /* an allocation failed: the report is incomplete */
} mkba_report;

mkba_report *mkba_report_alloc(void);
void mkba_report_free(mkba_report *r);

/* Adds a table with ncols columns named col[] of kinds kind[]. Returns it,
 * or NULL (and sets r->failed) when out of memory. */
mkba_rtable *mkba_report_table(mkba_report *r, const char *id, const char *title,
                               size_t ncols, const char *const *col,
                               const mkba_col_kind *kind);

/* Adds a row (numbers NAN, no strings) and returns its index, or -1 when
 * out of memory (r->failed set). t may be NULL (then -1). */
long mkba_rtable_row(mkba_report *r, mkba_rtable *t);

/* Sets a cell; a negative row or NULL table is ignored. */
void mkba_rtable_num(mkba_rtable *t, long row, size_t col, double v);
/* Sets a number shown as `kind` in text and Markdown (e.g. a ratio in a
 * money column); CSV and JSON write numbers the same for every kind. */
void mkba_rtable_num_as(mkba_rtable *t, long row, size_t col, double v, mkba_col_kind kind);
void mkba_rtable_str(mkba_report *r, mkba_rtable *t, long row, size_t col, const char *s);

/* Appends a note (printf format) to t. */
void mkba_rtable_note(mkba_report *r, mkba_rtable *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Writes s padded with spaces to `width` columns (UTF-8 characters, not
 * bytes), left-aligned or, when `right`, right-aligned. */
void mkba_text_pad(FILE *f, const char *s, size_t width, int right);

/* Renderings. Text: a title line, aligned columns, notes indented.
 * CSV: per table a header line "table,COLUMNS" and lines "ID,VALUES",
 * tables separated by a blank line, no notes; numbers with up to 10
 * significant digits, NaN empty. Markdown: a heading and a pipe table per
 * table, notes as a paragraph. JSON: {"tables": [{"id", "title",
 * "columns", "rows", "notes"}]}; NaN as null, infinities as "inf" and
 * "-inf". Returns 0, or -1 when writing to f failed or (text, which
 * measures its columns in an array) memory ran out: see
 * mkba_report_render_failed. */
int mkba_report_text(FILE *f, const mkba_report *r);
int mkba_report_csv(FILE *f, const mkba_report *r);

/* How CSV is written: the field separator, the decimal mark and whether
 * the file starts with a UTF-8 byte order mark. Plain: ',' and '.', no
 * mark; nl: ';' and ',' and the mark (what Excel with Dutch settings needs
 * to read the file as UTF-8). */
typedef struct mkba_csv_style {
    char sep, decimal;
    int bom;
} mkba_csv_style;
extern const mkba_csv_style mkba_csv_plain, mkba_csv_nl;

/* The start of a CSV file or stream in `style` (the byte order mark). */
void mkba_csv_begin(FILE *f, const mkba_csv_style *style);

/* Writes s as a CSV field, quoted when it holds sep, a quote or a line
 * break: for numbers written by mkba_csv_number. */
void mkba_csv_field(FILE *f, const char *s, char sep);

/* Writes text s (a name, a label) as a CSV field, with an apostrophe put
 * before a first = + - @ tab or carriage return so that a spreadsheet does
 * not run it as a formula (OWASP's advice on CSV injection). */
void mkba_csv_text(FILE *f, const char *s, char sep);

/* mkba_report_csv in `style`. */
int mkba_report_csv_styled(FILE *f, const mkba_report *r, const mkba_csv_style *style);

/* One table as CSV: a header line of its columns and a line per row, with
 * its id as a first column "table" when with_id is set. */
void mkba_csv_table(FILE *f, const mkba_rtable *t, const mkba_csv_style *style, int with_id);

/* v as a CSV number in buf: `digits` significant digits, or when digits is
 * 0 the shortest text that reads back as exactly v; "" for NaN, "inf" and
 * "-inf"; the decimal mark of `style`. */
void mkba_csv_number(char *buf, size_t size, double v, const mkba_csv_style *style, int digits);

/* Keeps only the table with id `id`. Returns 0, or -1 (r unchanged) when
 * r has no such table. */
int mkba_report_keep(mkba_report *r, const char *id);
int mkba_report_markdown(FILE *f, const mkba_report *r);
int mkba_report_json(FILE *f, const mkba_report *r);

/* r in the format of `mkba summary --format` (text: the aligned tables). */
int mkba_report_render(FILE *f, const mkba_report *r, mkba_summary_format format);

/* What a rendering to f that returned -1 failed at: out of memory
 * (MKBA_ENOMEM, err set), or a write, which is left to the caller's
 * flush or commit, as a write error shows there with its cause
 * (MKBA_OK). */
int mkba_report_render_failed(FILE *f, mkba_error *err);

#endif
