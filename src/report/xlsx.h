/* The summary as a workbook (libxlsxwriter): one sheet per table, numbers
 * as numbers with number formats, the header row frozen, and the sources
 * of the parameters. */
#ifndef MKBA_REPORT_XLSX_H
#define MKBA_REPORT_XLSX_H

#include "mkba/error.h"
#include "report/report.h"

/* Writes the tables of r, and the parameters and sources of result file
 * `path`, to the workbook file `file` (a temporary name); errors name
 * `shown`, the file the user asked for. Sheet names: the table ids cut to
 * 31 characters (not bytes), with []:*?/\ and a leading or trailing
 * apostrophe replaced by _, made unique with ~2, ~3, ... */
int mkba_xlsx_write(const char *file, const char *shown, const char *path,
                    const mkba_report *r, mkba_error *err);

#endif
