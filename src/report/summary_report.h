/* The summary of a result file as report tables (report.h): the run facts,
 * the per-arm summary (analysis/summary.h) and the decision outputs
 * (analysis/decision.h). Definitions: docs/summary.md, docs/decision.md. */
#ifndef MKBA_REPORT_SUMMARY_REPORT_H
#define MKBA_REPORT_SUMMARY_REPORT_H

#include "analysis/decision.h"
#include "analysis/summary.h"
#include "io/h5out.h"
#include "report.h"

typedef struct mkba_summary_report_options {
    const char *file;          /* the result file, for the run table */
    int perspective;           /* show cash flows of this perspective only; -1: all */
    /* 1: the text selection: decision tables only (the text summary prints
     * the rest itself), CEAC at a few wtp values, the yearly cash flows
     * only for a chosen perspective. 0: everything, for csv, markdown and
     * json. */
    int text;
    /* Where a failure other than memory is told (a damaged budget view);
     * may be NULL. */
    mkba_error *err;
} mkba_summary_report_options;

/* Builds the report. Returns NULL when out of memory. */
mkba_report *mkba_summary_report(const mkba_h5_totals *t, const mkba_summary *s,
                                 const mkba_decision *d,
                                 const mkba_summary_report_options *o);

#endif
