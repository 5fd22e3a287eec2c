/* The tables of a sensitivity-analysis result file (src/report/sa_report.c). */
#ifndef MKBA_REPORT_SA_REPORT_H
#define MKBA_REPORT_SA_REPORT_H

#include "mkba/error.h"
#include "report/report.h"

/* 1 when the file at path holds a sensitivity analysis (/sa), 0 when not
 * (or it is no result file: the caller's reader says why), -1 with err
 * set when out of memory. */
int mkba_sa_report_is_sa(const char *path, mkba_error *err);

/* Adds the tables of the file's /sa group to r. */
int mkba_sa_report_build(const char *path, mkba_report *r, mkba_error *err);

#endif
