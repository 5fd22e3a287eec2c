/* The summary as a workbook (see xlsx.h). Cells hold numbers, so a
 * spreadsheet in any locale shows them with its own decimal mark. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include "core/alloc.h"
#include "core/syserr.h"
#include "io/h5out.h"
#include "xlsx.h"

/* The number format of each column kind (Excel codes, locale-independent). */
static const char *const number_format[] = {
    [MKBA_COL_TEXT] = "General", [MKBA_COL_MONEY] = "#,##0", [MKBA_COL_EFFECT] = "0.0000",
    [MKBA_COL_RATIO] = "0.00", [MKBA_COL_SHARE] = "0.0%", [MKBA_COL_YEAR] = "0.0",
    [MKBA_COL_INT] = "0", [MKBA_COL_CALENDAR] = "0",
};
#define NKINDS (sizeof number_format / sizeof number_format[0])

#define MAX_WIDTH 60.0

typedef struct book {
    lxw_workbook *wb;
    lxw_format *head, *kind[NKINDS];
} book;

/* A sheet name of at most `chars` UTF-8 characters: none of []:*?/\,
 * no apostrophe first or last (Excel's rules). buf holds 4 * 31 + 1. */
static void sheet_name(char *buf, const char *id, size_t chars)
{
    size_t n = 0, count = 0;
    for (const char *p = id; *p != '\0' && count < chars; count++) {
        size_t len = 1;
        while ((p[len] & 0xC0) == 0x80 && len < 4)
            len++;
        memcpy(buf + n, p, len);
        if (len == 1 && strchr("[]:*?/\\", *p) != NULL)
            buf[n] = '_';
        n += len;
        p += len;
    }
    buf[n] = '\0';
    if (n > 0 && buf[0] == '\'')
        buf[0] = '_';
    if (n > 0 && buf[n - 1] == '\'')
        buf[n - 1] = '_';
    if (n == 0)
        snprintf(buf, 2, "_");
}

static double text_width(const char *s)
{
    double w = 2.0 + (double)strlen(s);
    return w > MAX_WIDTH ? MAX_WIDTH : w;
}

#define SHEET_BYTES (4 * 31 + 1)

/* A new sheet named after id, made unique with ~2, ~3, ... when two ids
 * agree in their first 31 characters (e.g. tornado_ and a long arm name). */
static lxw_worksheet *add_sheet(book *b, const char *id, lxw_error *e)
{
    char name[SHEET_BYTES + 16], base[SHEET_BYTES];   /* room for "~" and any int */
    sheet_name(name, id, 31);
    *e = LXW_ERROR_SHEETNAME_ALREADY_USED;
    for (int k = 2; k < 1000; k++) {
        if (workbook_get_worksheet_by_name(b->wb, name) == NULL) {
            /* The name is valid by construction; ask all the same, for the
             * reason when it is not. */
            if ((*e = workbook_validate_sheet_name(b->wb, name)) != LXW_NO_ERROR)
                return NULL;
            lxw_worksheet *ws = workbook_add_worksheet(b->wb, name);
            *e = ws != NULL ? LXW_NO_ERROR : LXW_ERROR_MEMORY_MALLOC_FAILED;
            return ws;
        }
        sheet_name(base, id, (size_t)(31 - (k < 10 ? 2 : k < 100 ? 3 : 4)));
        snprintf(name, sizeof name, "%s~%d", base, k);
    }
    return NULL;
}

/* The first error of a sequence of libxlsxwriter calls. */
#define KEEP(e, call) do { lxw_error e_ = (call); if ((e) == LXW_NO_ERROR) (e) = e_; } while (0)

static lxw_error write_table(book *b, const mkba_rtable *t)
{
    lxw_error e;
    lxw_worksheet *ws = add_sheet(b, t->id, &e);
    if (ws == NULL)
        return e;
    for (size_t c = 0; c < t->ncols; c++) {
        double w = text_width(t->col[c]);
        if (t->kind[c] != MKBA_COL_TEXT && w < 12.0)
            w = 12.0;
        KEEP(e, worksheet_write_string(ws, 0, (lxw_col_t)c, t->col[c], b->head));
        for (size_t row = 0; row < t->nrows; row++) {
            const char *s = t->str[row * t->ncols + c];
            double v = t->num[row * t->ncols + c];
            lxw_row_t at = (lxw_row_t)(row + 1);
            if (s != NULL || t->kind[c] == MKBA_COL_TEXT) {
                s = s != NULL ? s : "";
                if (text_width(s) > w)
                    w = text_width(s);
                if (s[0] != '\0')
                    KEEP(e, worksheet_write_string(ws, at, (lxw_col_t)c, s, NULL));
            } else if (isinf(v)) {
                KEEP(e, worksheet_write_string(ws, at, (lxw_col_t)c, v > 0 ? "inf" : "-inf",
                                               NULL));
            } else if (!isnan(v)) {
                KEEP(e, worksheet_write_number(ws, at, (lxw_col_t)c, v + 0.0,
                                               b->kind[t->cell_kind[row * t->ncols + c]]));
            }
        }
        KEEP(e, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL));
    }
    worksheet_freeze_panes(ws, 1, 0);
    return e;
}

/* The notes of every table, one a row. */
static lxw_error write_notes(book *b, const mkba_report *r)
{
    lxw_error e;
    lxw_worksheet *ws = add_sheet(b, "notes", &e);
    if (ws == NULL)
        return e;
    KEEP(e, worksheet_write_string(ws, 0, 0, "table", b->head));
    KEEP(e, worksheet_write_string(ws, 0, 1, "note", b->head));
    lxw_row_t row = 1;
    for (size_t i = 0; i < r->n; i++)
        for (size_t n = 0; n < r->table[i]->nnotes; n++, row++) {
            KEEP(e, worksheet_write_string(ws, row, 0, r->table[i]->id, NULL));
            KEEP(e, worksheet_write_string(ws, row, 1, r->table[i]->note[n], NULL));
        }
    KEEP(e, worksheet_set_column(ws, 0, 0, 26, NULL));
    KEEP(e, worksheet_set_column(ws, 1, 1, 120, NULL));
    worksheet_freeze_panes(ws, 1, 0);
    return e;
}

/* Every parameter and its literature source (/labels/parameter_sources). */
static int write_sources(book *b, const char *shown, const char *path, mkba_error *err)
{
    mkba_h5_store *st = mkba_h5_store_open(path, 0, err);
    if (st == NULL)
        return err != NULL ? err->code : MKBA_EIO;
    char **name = NULL, **source = NULL;
    size_t n = 0, ns = 0;
    int rc = MKBA_OK;
    if (mkba_h5_store_has(st, "/labels/parameter_sources")) {
        rc = mkba_h5_store_read_strings(st, "/labels/parameters", &name, &n, err);
        if (rc == MKBA_OK)
            rc = mkba_h5_store_read_strings(st, "/labels/parameter_sources", &source, &ns, err);
        if (rc == MKBA_OK && ns != n)
            rc = mkba_error_set(err, MKBA_EPARSE, "%s: /labels/parameter_sources has %zu "
                                "entries for %zu parameters", path, ns, n);
    }
    lxw_error e = LXW_NO_ERROR;
    lxw_worksheet *ws = rc == MKBA_OK && n > 0 ? add_sheet(b, "sources", &e) : NULL;
    const char *failed_at = NULL;    /* the parameter whose row could not be written */
    if (ws != NULL) {
        KEEP(e, worksheet_write_string(ws, 0, 0, "parameter", b->head));
        KEEP(e, worksheet_write_string(ws, 0, 1, "source", b->head));
        for (size_t i = 0; i < n; i++) {
            KEEP(e, worksheet_write_string(ws, (lxw_row_t)(i + 1), 0, name[i], NULL));
            if (source[i][0] != '\0')
                KEEP(e, worksheet_write_string(ws, (lxw_row_t)(i + 1), 1, source[i], NULL));
            if (e != LXW_NO_ERROR && failed_at == NULL)
                failed_at = name[i];
        }
        KEEP(e, worksheet_set_column(ws, 0, 0, 40, NULL));
        KEEP(e, worksheet_set_column(ws, 1, 1, 100, NULL));
        worksheet_freeze_panes(ws, 1, 0);
    }
    if (rc == MKBA_OK && e != LXW_NO_ERROR)
        rc = mkba_error_set(err, MKBA_EIO, "cannot write the sources sheet of %s: %s%s%s%s",
                            shown, lxw_strerror(e), failed_at != NULL ? " (the row of " : "",
                            failed_at != NULL ? failed_at : "", failed_at != NULL ? ")" : "");
    mkba_h5_store_strings_free(name, n);
    mkba_h5_store_strings_free(source, ns);
    int rc2 = mkba_h5_store_close(st, err);
    return rc != MKBA_OK ? rc : rc2;
}

/* The libxlsxwriter errors that mean a system call on the file failed:
 * errno then holds the cause a person can act on. */
static const lxw_error file_errors[] = {
    LXW_ERROR_CREATING_XLSX_FILE, LXW_ERROR_CREATING_TMPFILE, LXW_ERROR_ZIP_FILE_OPERATION,
    LXW_ERROR_ZIP_FILE_ADD, LXW_ERROR_ZIP_CLOSE,
};

static int is_file_error(lxw_error e)
{
    for (size_t i = 0; i < sizeof file_errors / sizeof file_errors[0]; i++)
        if (file_errors[i] == e)
            return 1;
    return 0;
}

/* Closes (writes) the workbook with standard error pointed at /dev/null:
 * on a write fault libxlsxwriter prints [ERROR] lines of its own, naming
 * its temporary file and zip internals, and mkba reports the fault itself.
 * *sys_errno: errno right after the close. */
static lxw_error close_quietly(lxw_workbook *wb, int *sys_errno)
{
    fflush(stderr);
    int kept = dup(STDERR_FILENO);
    int null = kept >= 0 ? open("/dev/null", O_WRONLY) : -1;
    int hidden = null >= 0 && dup2(null, STDERR_FILENO) >= 0;
    if (null >= 0)
        close(null);
    errno = 0;
    lxw_error e = workbook_close(wb);
    *sys_errno = errno;
    fflush(stderr);
    if (hidden)
        dup2(kept, STDERR_FILENO);
    if (kept >= 0)
        close(kept);
    return e;
}

int mkba_xlsx_write(const char *file, const char *shown, const char *path,
                    const mkba_report *r, mkba_error *err)
{
    book b;
    memset(&b, 0, sizeof b);
    if ((b.wb = workbook_new(file)) == NULL)
        return mkba_error_set(err, MKBA_EIO, "cannot create the workbook %s", shown);
    b.head = workbook_add_format(b.wb);
    format_set_bold(b.head);
    format_set_bottom(b.head, LXW_BORDER_THIN);
    for (size_t k = 0; k < NKINDS; k++) {
        b.kind[k] = workbook_add_format(b.wb);
        format_set_num_format(b.kind[k], number_format[k]);
    }
    /* libxlsxwriter's fields are not const; it only reads them. */
    lxw_doc_properties props = { .title = (char *)"mkba summary", .comments = (char *)path };
    workbook_set_properties(b.wb, &props);
    int rc = MKBA_OK;
    lxw_error e = LXW_NO_ERROR;
    for (size_t i = 0; rc == MKBA_OK && i < r->n; i++)
        if ((e = write_table(&b, r->table[i])) != LXW_NO_ERROR)
            rc = mkba_error_set(err, MKBA_EIO, "cannot write the sheet of table %s to %s: %s",
                                r->table[i]->id, shown, lxw_strerror(e));
    if (rc == MKBA_OK && (e = write_notes(&b, r)) != LXW_NO_ERROR)
        rc = mkba_error_set(err, MKBA_EIO, "cannot write the notes sheet of %s: %s", shown,
                            lxw_strerror(e));
    if (rc == MKBA_OK)
        rc = write_sources(&b, shown, path, err);
    int sys = 0;
    e = close_quietly(b.wb, &sys);
    if (rc == MKBA_OK && e != LXW_NO_ERROR) {
        /* A failed system call on the file: errno is the cause a person can
         * act on (a full disk, a size limit); else libxlsxwriter's words. */
        char cause[512];
        if (sys != 0 && is_file_error(e))
            mkba_syserr_describe(cause, sizeof cause, sys);
        else {
            snprintf(cause, sizeof cause, "%s", lxw_strerror(e));
            sys = 0;
        }
        rc = mkba_error_set_sys(err, MKBA_EIO, sys, "cannot write the workbook %s: %s", shown,
                                cause);
    }
    return rc;
}
