/* The ex-post tables of a result file (src/report/expost_report.c), for
 * `mkba summary` of a file `mkba expost` wrote. */
#ifndef MKBA_REPORT_EXPOST_REPORT_H
#define MKBA_REPORT_EXPOST_REPORT_H

#include "mkba/error.h"
#include "report/report.h"

/* Adds the tables of the file's /expost group to r (confrontation,
 * calibration, update, parameters, decisions and payers ex-ante and
 * ex-post); nothing when the file holds none. */
int mkba_expost_report_add(const char *path, mkba_report *r, mkba_error *err);

#endif
