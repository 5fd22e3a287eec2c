/* The report as PDF: the HTML page printed by headless Chromium, so the
 * PDF holds the same answer, charts and tables (docs/report.md, "PDF"). */
#ifndef MKBA_REPORT_PDF_H
#define MKBA_REPORT_PDF_H

#include "mkba/error.h"

/* The browser: the environment variable MKBA_CHROMIUM, else chromium on
 * PATH (Debian's package chromium). */
#define MKBA_CHROMIUM_BIN "chromium"

/* Prints HTML file `html` (an absolute path) to `pdf` on A4 with a fresh
 * browser profile in folder `scratch`, and checks that the result is a
 * PDF with at least one page. An error naming the package when Chromium
 * is missing, with its last message when it fails. */
int mkba_pdf_print(const char *html, const char *pdf, const char *scratch, mkba_error *err);

#endif
