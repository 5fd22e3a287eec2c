/* The sensitivity section of the report of a `mkba sa` file: the charts
 * tools/mkba_plots.py draws from /sa (tornado, Sobol, Morris, what must be
 * believed, EVPPI, sweep, threshold), each with the note that says how to
 * read it; the numbers are in the tables (html_facts.c). */
#include <stdio.h>
#include <string.h>
#include "html_doc.h"

/* The note under the charts of a kind, by chart id prefix, listed once. */
static const struct {
    const char *prefix;
    mkba_html_string note;
} notes[] = {
    { "tornado_", HS_TORNADO_NOTE },
    { "sobol_", HS_SOBOL_NOTE },
};

int mkba_html_sensitivity(mkba_html_doc *h)
{
    mkba_html_heading(h, "sensitivity", mkba_html_s(h, HS_SENSITIVITY));
    size_t charts = 0;
    for (size_t i = 0; i < h->plots.n; i++) {
        const mkba_chart *c = &h->plots.chart[i];
        if (strcmp(c->section, "sensitivity") != 0)
            continue;
        if (mkba_html_chart(h, i) != 0)
            return -1;
        charts++;
        for (size_t k = 0; k < sizeof notes / sizeof notes[0]; k++)
            if (strncmp(c->id, notes[k].prefix, strlen(notes[k].prefix)) == 0)
                mkba_html_para(h, "note", mkba_html_s(h, notes[k].note));
    }
    if (charts == 0)              /* a run file; or PRIM: boxes, in the tables */
        mkba_html_para(h, "note", mkba_html_s(h, h->t == NULL ? HS_NO_SA_CHART : HS_NO_SA));
    fputs("</section>\n", h->f);
    return 0;
}
