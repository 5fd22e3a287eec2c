/* The long (tidy) CSV of a result file: one line per value with the columns
 * draw, arm, year, payer, measure, value, unit (docs/reading.md). */
#ifndef MKBA_REPORT_TIDY_H
#define MKBA_REPORT_TIDY_H

#include <stdio.h>
#include "io/h5out.h"
#include "report/report.h"

/* Writes the per-draw values of t (read from `path`) and, when the file
 * holds /analysis, the per-draw cash flows of every perspective (nyears
 * years). */
int mkba_tidy_write(FILE *f, const char *path, const mkba_h5_totals *t, size_t nyears,
                    const mkba_csv_style *style, mkba_error *err);

#endif
