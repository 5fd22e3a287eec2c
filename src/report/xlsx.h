/* The summary as a workbook (libxlsxwriter): one sheet per table, numbers
 * as numbers with number formats, the header row frozen, and the sources
 * of the parameters. */
#ifndef MKBA_REPORT_XLSX_H
#define MKBA_REPORT_XLSX_H

#include "mkba/error.h"
#include "report/report.h"

/* Writes the tables of r, and the parameters and sources of result file
 * `path`, to the workbook file `file`. */
int mkba_xlsx_write(const char *file, const char *path, const mkba_report *r,
                    mkba_error *err);

#endif
