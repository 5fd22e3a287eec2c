/* The report as PDF: the HTML page printed by headless Chromium, so the
 * PDF holds the same answer, charts and tables (docs/report.md, "PDF"). */
#ifndef MKBA_REPORT_PDF_H
#define MKBA_REPORT_PDF_H

#include <signal.h>
#include "mkba/error.h"

/* The browser: the environment variable MKBA_CHROMIUM, else chromium on
 * PATH (Debian's package chromium). */
#define MKBA_CHROMIUM_BIN "chromium"

/* The seconds Chromium may take to print before it is stopped, unless the
 * environment variable MKBA_CHROMIUM_TIMEOUT says otherwise (a headless
 * browser can stall on a locked profile or a page that never loads). */
#define MKBA_CHROMIUM_TIMEOUT_S 120

/* Prints HTML file `html` (an absolute path) to `pdf` on A4 with a fresh
 * browser profile in folder `scratch`, and checks that the result is a
 * PDF with at least one page. An error naming the package when Chromium
 * is missing, with its last message when it fails or runs out of time;
 * MKBA_EINTERRUPTED when *stop is raised (NULL: never). Chromium and the
 * processes it started are ended in both cases. */
int mkba_pdf_print(const char *html, const char *pdf, const char *scratch,
                   const volatile sig_atomic_t *stop, mkba_error *err);

#endif
