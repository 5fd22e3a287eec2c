/* Printing the decision summary (src/analysis/summary.h) as aligned text
 * tables: what `mkba run` prints after a run and `mkba summary` prints for
 * an existing file. Both read the file back, so both print the same. */
#ifndef MKBA_REPORT_SUMMARY_TEXT_H
#define MKBA_REPORT_SUMMARY_TEXT_H

#include <stdio.h>
#include "analysis/summary.h"
#include "io/h5out.h"

/* Run facts for the header lines that the totals do not carry. */
typedef struct mkba_summary_header {
    const char *file;         /* the result file */
    const char *scenario;     /* scenario name; NULL: not printed */
    long draws;               /* PSA draws; 0 = base case only; < 0: unknown */
    long households;          /* per draw; 0 in cohort mode; < 0: unknown */
    const char *mode;         /* "microsimulation" | "cohort" */
    const char *base_case;    /* "none" | "mean" | "mode" */
} mkba_summary_header;

/* Prints the header lines, the per-arm tables and the comparisons with the
 * reference arm of s (computed from t) to f. */
void mkba_summary_print(FILE *f, const mkba_summary_header *h,
                        const mkba_h5_totals *t, const mkba_summary *s);

#endif
