/* Report tables and their four renderings (see report.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/strutil.h"
#include "core/alloc.h"
#include "report.h"

mkba_report *mkba_report_alloc(void)
{
    return mkba_calloc(1, sizeof (mkba_report));
}

static void table_free(mkba_rtable *t)
{
    if (t == NULL)
        return;
    mkba_free(t->id);
    mkba_free(t->title);
    for (size_t c = 0; c < t->ncols; c++)
        mkba_free(t->col[c]);
    mkba_free(t->col);
    mkba_free(t->kind);
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        mkba_free(t->str[i]);
    mkba_free(t->str);
    mkba_free(t->num);
    mkba_free(t->cell_kind);
    for (size_t i = 0; i < t->nnotes; i++)
        mkba_free(t->note[i]);
    mkba_free(t->note);
    mkba_free(t);
}

void mkba_report_free(mkba_report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++)
        table_free(r->table[i]);
    mkba_free(r->table);
    mkba_free(r);
}

mkba_rtable *mkba_report_table(mkba_report *r, const char *id, const char *title,
                               size_t ncols, const char *const *col,
                               const mkba_col_kind *kind)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        mkba_rtable **tt = mkba_realloc(r->table, cap * sizeof *tt);
        if (tt == NULL) {
            r->failed = 1;
            return NULL;
        }
        r->table = tt;
        r->cap = cap;
    }
    mkba_rtable *t = mkba_calloc(1, sizeof *t);
    int ok = t != NULL;
    if (ok) {
        t->id = mkba_strdup(id);
        t->title = mkba_strdup(title);
        t->col = mkba_calloc(ncols, sizeof *t->col);
        t->kind = mkba_calloc(ncols, sizeof *t->kind);
        ok = t->id && t->title && t->col && t->kind;
    }
    for (size_t c = 0; ok && c < ncols; c++) {
        t->col[c] = mkba_strdup(col[c]);
        t->kind[c] = kind[c];
        t->ncols = c + 1;
        ok = t->col[c] != NULL;
    }
    if (!ok) {
        table_free(t);
        r->failed = 1;
        return NULL;
    }
    r->table[r->n++] = t;
    return t;
}

long mkba_rtable_row(mkba_report *r, mkba_rtable *t)
{
    if (t == NULL)
        return -1;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        double *num = mkba_realloc(t->num, cap * t->ncols * sizeof *num);
        if (num != NULL)
            t->num = num;
        char **str = num != NULL ? mkba_realloc(t->str, cap * t->ncols * sizeof *str) : NULL;
        if (str != NULL)
            t->str = str;
        mkba_col_kind *ck = str != NULL
                            ? mkba_realloc(t->cell_kind, cap * t->ncols * sizeof *ck) : NULL;
        if (ck == NULL) {
            r->failed = 1;
            return -1;
        }
        t->cell_kind = ck;
        t->cap = cap;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        t->num[t->nrows * t->ncols + c] = NAN;
        t->str[t->nrows * t->ncols + c] = NULL;
        t->cell_kind[t->nrows * t->ncols + c] = t->kind[c];
    }
    return (long)t->nrows++;
}

void mkba_rtable_num(mkba_rtable *t, long row, size_t col, double v)
{
    if (t != NULL && row >= 0 && col < t->ncols)
        t->num[(size_t)row * t->ncols + col] = v;
}

void mkba_rtable_num_as(mkba_rtable *t, long row, size_t col, double v, mkba_col_kind kind)
{
    if (t != NULL && row >= 0 && col < t->ncols) {
        t->num[(size_t)row * t->ncols + col] = v;
        t->cell_kind[(size_t)row * t->ncols + col] = kind;
    }
}

void mkba_rtable_str(mkba_report *r, mkba_rtable *t, long row, size_t col, const char *s)
{
    if (t == NULL || row < 0 || col >= t->ncols)
        return;
    char **cell = &t->str[(size_t)row * t->ncols + col];
    mkba_free(*cell);
    *cell = mkba_strdup(s != NULL ? s : "");
    if (*cell == NULL)
        r->failed = 1;
}

void mkba_rtable_note(mkba_report *r, mkba_rtable *t, const char *fmt, ...)
{
    if (t == NULL)
        return;
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **nn = mkba_realloc(t->note, (t->nnotes + 1) * sizeof *nn);
    char *s = mkba_strdup(buf);
    if (nn != NULL)
        t->note = nn;
    if (nn == NULL || s == NULL) {
        mkba_free(s);
        r->failed = 1;
        return;
    }
    t->note[t->nnotes++] = s;
}

/* The text of a numeric cell as the text rendering shows it. */
static void text_number(char *buf, size_t size, double v, mkba_col_kind kind)
{
    if (isnan(v))
        snprintf(buf, size, "n/a");
    else if (isinf(v))
        snprintf(buf, size, "%s", v > 0 ? "inf" : "-inf");
    else if (kind == MKBA_COL_MONEY || kind == MKBA_COL_INT || kind == MKBA_COL_CALENDAR)
        snprintf(buf, size, "%.0f", round(v) + 0.0);   /* + 0.0 turns -0 into 0 */
    else if (kind == MKBA_COL_SHARE)
        snprintf(buf, size, "%.1f%%", 100.0 * v + 0.0);
    else if (kind == MKBA_COL_RATIO)
        snprintf(buf, size, "%.2f", v + 0.0);
    else if (kind == MKBA_COL_YEAR)
        snprintf(buf, size, "%.1f", v + 0.0);
    else
        snprintf(buf, size, "%.4f", v + 0.0);
}

/* The text of a cell: its string, "" for an empty text cell, or its number
 * in buf as text_number shows it. */
static const char *cell_text(const mkba_rtable *t, size_t row, size_t col, char *buf,
                             size_t size)
{
    const char *s = t->str[row * t->ncols + col];
    if (s != NULL)
        return s;
    if (t->kind[col] == MKBA_COL_TEXT)
        return "";
    text_number(buf, size, t->num[row * t->ncols + col], t->cell_kind[row * t->ncols + col]);
    return buf;
}

void mkba_text_pad(FILE *f, const char *s, size_t width, int right)
{
    size_t n = mkba_utf8_width(s);
    if (right)
        for (size_t i = n; i < width; i++)
            fputc(' ', f);
    fputs(s, f);
    if (!right)
        for (size_t i = n; i < width; i++)
            fputc(' ', f);
}

int mkba_report_text(FILE *f, const mkba_report *r)
{
    char buf[64];
    for (size_t i = 0; i < r->n; i++) {
        const mkba_rtable *t = r->table[i];
        size_t *w = mkba_calloc(t->ncols > 0 ? t->ncols : 1, sizeof *w);
        if (w == NULL)
            return -1;
        for (size_t c = 0; c < t->ncols; c++) {
            w[c] = mkba_utf8_width(t->col[c]);
            for (size_t row = 0; row < t->nrows; row++) {
                size_t n = mkba_utf8_width(cell_text(t, row, c, buf, sizeof buf));
                if (n > w[c])
                    w[c] = n;
            }
        }
        fprintf(f, "\n%s\n", t->title);
        for (int line = -1; line < (int)t->nrows; line++) {
            fputs(" ", f);
            for (size_t c = 0; c < t->ncols; c++) {
                const char *s = line < 0 ? t->col[c] : cell_text(t, (size_t)line, c, buf,
                                                                 sizeof buf);
                fputc(' ', f);
                mkba_text_pad(f, s, w[c], t->kind[c] != MKBA_COL_TEXT);
            }
            fputc('\n', f);
        }
        for (size_t n = 0; n < t->nnotes; n++)
            fprintf(f, "  %s\n", t->note[n]);
        mkba_free(w);
    }
    return ferror(f) ? -1 : 0;
}

void mkba_csv_field(FILE *f, const char *s, char sep)
{
    char special[] = { sep, '"', '\n', '\r', '\0' };
    if (strpbrk(s, special) == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void mkba_csv_text(FILE *f, const char *s, char sep)
{
    if (s[0] == '\0' || strchr("=+-@\t\r", s[0]) == NULL) {
        mkba_csv_field(f, s, sep);
        return;
    }
    size_t n = strlen(s);
    char *safe = mkba_malloc(n + 2);
    if (safe == NULL) {           /* no memory: still never the formula */
        fputc('\'', f);
        mkba_csv_field(f, s, sep);
        return;
    }
    safe[0] = '\'';
    memcpy(safe + 1, s, n + 1);
    mkba_csv_field(f, safe, sep);
    mkba_free(safe);
}

const mkba_csv_style mkba_csv_plain = { ',', '.', 0 };
const mkba_csv_style mkba_csv_nl = { ';', ',', 1 };

void mkba_csv_begin(FILE *f, const mkba_csv_style *style)
{
    if (style->bom)
        fputs("\xEF\xBB\xBF", f);
}

void mkba_csv_number(char *buf, size_t size, double v, const mkba_csv_style *style, int digits)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, "%s", v > 0 ? "inf" : "-inf");
        return;
    }
    if (digits > 0) {
        snprintf(buf, size, "%.*g", digits, v + 0.0);
    } else {
        /* The shortest of 15, 16 or 17 digits that reads back as v. */
        for (int d = 15; d <= 17; d++) {
            snprintf(buf, size, "%.*g", d, v + 0.0);
            if (strtod(buf, NULL) == v)
                break;
        }
    }
    char *dot = strchr(buf, '.');
    if (dot != NULL)
        *dot = style->decimal;
}

void mkba_csv_table(FILE *f, const mkba_rtable *t, const mkba_csv_style *style, int with_id)
{
    char buf[64];
    if (with_id)
        fprintf(f, "table%c", style->sep);
    for (size_t c = 0; c < t->ncols; c++) {
        if (c > 0)
            fputc(style->sep, f);
        mkba_csv_text(f, t->col[c], style->sep);
    }
    fputc('\n', f);
    for (size_t row = 0; row < t->nrows; row++) {
        if (with_id) {
            mkba_csv_text(f, t->id, style->sep);
            fputc(style->sep, f);
        }
        for (size_t c = 0; c < t->ncols; c++) {
            if (c > 0)
                fputc(style->sep, f);
            const char *s = t->str[row * t->ncols + c];
            if (s == NULL && t->kind[c] != MKBA_COL_TEXT) {
                mkba_csv_number(buf, sizeof buf, t->num[row * t->ncols + c], style, 10);
                mkba_csv_field(f, buf, style->sep);
            } else {
                mkba_csv_text(f, s != NULL ? s : "", style->sep);
            }
        }
        fputc('\n', f);
    }
}

int mkba_report_csv_styled(FILE *f, const mkba_report *r, const mkba_csv_style *style)
{
    for (size_t i = 0; i < r->n; i++) {
        if (i > 0)
            fputc('\n', f);
        mkba_csv_table(f, r->table[i], style, 1);
    }
    return ferror(f) ? -1 : 0;
}

int mkba_report_csv(FILE *f, const mkba_report *r)
{
    return mkba_report_csv_styled(f, r, &mkba_csv_plain);
}

int mkba_report_keep(mkba_report *r, const char *id)
{
    size_t found = r->n;
    for (size_t i = 0; i < r->n && found == r->n; i++)
        if (strcmp(r->table[i]->id, id) == 0)
            found = i;
    if (found == r->n)
        return -1;
    for (size_t i = 0; i < r->n; i++)
        if (i != found)
            table_free(r->table[i]);
    r->table[0] = r->table[found];
    r->n = 1;
    return 0;
}

/* Markdown cell text: a pipe would end the cell, and < or & would start
 * inline HTML or an entity in a name from the scenario. */
static void md_field(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else {
            if (*s == '|')
                fputc('\\', f);
            fputc(*s == '\n' ? ' ' : *s, f);
        }
    }
}

int mkba_report_markdown(FILE *f, const mkba_report *r)
{
    char buf[64];
    for (size_t i = 0; i < r->n; i++) {
        const mkba_rtable *t = r->table[i];
        fprintf(f, "%s## ", i > 0 ? "\n" : "");
        md_field(f, t->title);
        fputs("\n\n|", f);
        for (size_t c = 0; c < t->ncols; c++) {
            fputc(' ', f);
            md_field(f, t->col[c]);
            fputs(" |", f);
        }
        fputs("\n|", f);
        for (size_t c = 0; c < t->ncols; c++)
            fputs(t->kind[c] == MKBA_COL_TEXT ? "---|" : "---:|", f);
        fputc('\n', f);
        for (size_t row = 0; row < t->nrows; row++) {
            fputc('|', f);
            for (size_t c = 0; c < t->ncols; c++) {
                fputc(' ', f);
                md_field(f, cell_text(t, row, c, buf, sizeof buf));
                fputs(" |", f);
            }
            fputc('\n', f);
        }
        if (t->nnotes > 0)
            fputc('\n', f);
        for (size_t n = 0; n < t->nnotes; n++) {
            md_field(f, t->note[n]);
            fputs(n + 1 < t->nnotes ? "  \n" : "\n", f);
        }
    }
    return ferror(f) ? -1 : 0;
}

/* A JSON string literal. */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void json_cell(FILE *f, const mkba_rtable *t, size_t row, size_t col)
{
    const char *s = t->str[row * t->ncols + col];
    double v = t->num[row * t->ncols + col];
    if (s != NULL)
        json_string(f, s);
    else if (t->kind[col] == MKBA_COL_TEXT)
        json_string(f, "");
    else if (isnan(v))
        fputs("null", f);
    else if (isinf(v))
        json_string(f, v > 0 ? "inf" : "-inf");
    else
        fprintf(f, "%.17g", v + 0.0);
}

int mkba_report_json(FILE *f, const mkba_report *r)
{
    fputs("{\n  \"tables\": [", f);
    for (size_t i = 0; i < r->n; i++) {
        const mkba_rtable *t = r->table[i];
        fputs(i > 0 ? ",\n    {\n      \"id\": " : "\n    {\n      \"id\": ", f);
        json_string(f, t->id);
        fputs(",\n      \"title\": ", f);
        json_string(f, t->title);
        fputs(",\n      \"columns\": [", f);
        for (size_t c = 0; c < t->ncols; c++) {
            if (c > 0)
                fputs(", ", f);
            json_string(f, t->col[c]);
        }
        fputs("],\n      \"rows\": [", f);
        for (size_t row = 0; row < t->nrows; row++) {
            fputs(row > 0 ? ",\n        [" : "\n        [", f);
            for (size_t c = 0; c < t->ncols; c++) {
                if (c > 0)
                    fputs(", ", f);
                json_cell(f, t, row, c);
            }
            fputc(']', f);
        }
        fputs(t->nrows > 0 ? "\n      ],\n      \"notes\": [" : "],\n      \"notes\": [", f);
        for (size_t n = 0; n < t->nnotes; n++) {
            if (n > 0)
                fputs(", ", f);
            json_string(f, t->note[n]);
        }
        fputs("]\n    }", f);
    }
    fputs(r->n > 0 ? "\n  ]\n}\n" : "]\n}\n", f);
    return ferror(f) ? -1 : 0;
}

int mkba_report_render_failed(FILE *f, mkba_error *err)
{
    if (ferror(f))
        return MKBA_OK;
    return mkba_error_set(err, MKBA_ENOMEM, "out of memory writing the tables");
}

int mkba_report_render(FILE *f, const mkba_report *r, mkba_summary_format format)
{
    switch (format) {
    case MKBA_SUMMARY_TEXT: return mkba_report_text(f, r);
    case MKBA_SUMMARY_CSV: return mkba_report_csv(f, r);
    case MKBA_SUMMARY_MARKDOWN: return mkba_report_markdown(f, r);
    case MKBA_SUMMARY_JSON: return mkba_report_json(f, r);
    /* Not renderings of the tables: summary_file.c writes them. */
    case MKBA_SUMMARY_TIDY: case MKBA_SUMMARY_XLSX: return -1;
    }
    return -1;
}
