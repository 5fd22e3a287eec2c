/* Reads the chart manifest that tools/mkba_plots.py writes (plots.h). */
#ifndef MKBA_REPORT_MANIFEST_H
#define MKBA_REPORT_MANIFEST_H

#include <stddef.h>
#include "mkba/error.h"
#include "plots.h"

/* Parses the n bytes of text (the manifest read from `path`, named in
 * errors) into a new array *charts of *count charts: every chart has an
 * id, a file (a plain name: no folder, not starting with a dot) and a
 * section; heading, title and alt are "" when absent. */
int mkba_manifest_parse(const char *text, size_t n, const char *path, mkba_chart **charts,
                        size_t *count, mkba_error *err);

void mkba_manifest_free(mkba_chart *c, size_t n);

#endif
