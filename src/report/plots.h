/* The charts of the report: drawn by tools/mkba_plots.py (matplotlib, h5py)
 * from the result file into a temporary folder, listed in its manifest,
 * and embedded into the HTML page as images (docs/report.md). */
#ifndef MKBA_REPORT_PLOTS_H
#define MKBA_REPORT_PLOTS_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include "mkba/error.h"

/* The script and the interpreter: the environment variables MKBA_PLOTS
 * and MKBA_PYTHON, else the paths compiled in (the Makefile points
 * MKBA_PLOTS_SCRIPT at tools/ of the source tree; MKBA_PYTHON_BIN is
 * Debian's /usr/bin/python3, where python3-matplotlib installs). */
#ifndef MKBA_PLOTS_SCRIPT
#define MKBA_PLOTS_SCRIPT "tools/mkba_plots.py"
#endif
#ifndef MKBA_PYTHON_BIN
#define MKBA_PYTHON_BIN "/usr/bin/python3"
#endif

/* The seconds the script may take before it is stopped, unless the
 * environment variable MKBA_PLOTS_TIMEOUT says otherwise (a first
 * matplotlib run builds its font cache, which takes a while). */
#define MKBA_PLOTS_TIMEOUT_S 300

/* One chart of the manifest. */
typedef struct mkba_chart {
    char *id;        /* e.g. plane, cashflow_society, tornado_ARM */
    char *file;      /* the image, a name inside the folder */
    char *section;   /* the report section that shows it */
    char *heading;   /* a heading above it ("" for none) */
    char *title;     /* what it shows, in a few words */
    char *alt;       /* its text alternative */
    int placed;      /* 1 once the report has embedded it */
} mkba_chart;

typedef struct mkba_plots {
    char *dir;       /* the temporary folder, removed by mkba_plots_free */
    size_t n;
    mkba_chart *chart;
} mkba_plots;

/* What the script is told beside the file: the language, the arm of the
 * municipal budget chart and the municipality's perspective (-1: none),
 * both from the answer, so the charts and the text agree; and the flag
 * that stops it (the context's, NULL: none). */
typedef struct mkba_plots_request {
    const char *result;
    int nl;
    long budget_arm;
    long municipality;
    const volatile sig_atomic_t *stop;
} mkba_plots_request;

/* Runs the script on q->result into a new temporary folder and reads its
 * manifest into p. An error when python3, matplotlib or h5py is missing
 * (naming the Debian packages to install), the script fails (with its
 * last message), takes longer than its time limit or the manifest is
 * malformed, and MKBA_EINTERRUPTED when *q->stop was raised (the script
 * is then ended); p is then empty and its folder removed. */
int mkba_plots_draw(mkba_plots *p, const mkba_plots_request *q, mkba_error *err);

/* Removes the folder and its files and frees p (safe on an empty p). */
void mkba_plots_free(mkba_plots *p);

/* Writes chart i as an HTML figure: an <img> with its SVG file as a base64
 * data URI (no network, no scripts) and its alt text. Returns 0, or -1
 * when the image cannot be read (err set). */
int mkba_plots_embed(FILE *f, const mkba_plots *p, size_t i, mkba_error *err);

#endif
