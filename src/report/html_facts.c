/* The reference sections of the report: the key assumptions of the run
 * and every table of `mkba summary`, folded, with the same numbers. */
#include <math.h>
#include <stdio.h>
#include "html_doc.h"
#include "run_facts.h"

/* Years: whole when whole (10), else to the month (0,083). */
static const char *years(const mkba_html_doc *h, char *buf, size_t size, double v)
{
    return mkba_html_number(h, buf, size, v, v == floor(v) ? 0 : 3);
}

static void fact(mkba_html_doc *h, mkba_html_string name, const char *value)
{
    fputs("<tr><th>", h->f);
    mkba_html_text(h, mkba_html_s(h, name));
    fputs("</th><td>", h->f);
    mkba_html_text(h, value);
    fputs("</td></tr>\n", h->f);
}

int mkba_html_assumptions(mkba_html_doc *h)
{
    const mkba_h5_totals *t = h->t;
    char b1[96], b2[96], v[1024];
    mkba_html_heading(h, "assumptions", mkba_html_s(h, HS_ASSUMPTIONS));
    fputs("<table class=\"facts\">\n", h->f);
    fact(h, HS_SCENARIO, t->scenario_name != NULL ? t->scenario_name : "");
    fact(h, HS_REFERENCE, t->arm[t->reference]);
    fact(h, HS_DISCOUNT, mkba_html_fmt(v, sizeof v, "%s%% / %s%%",
                             mkba_html_number(h, b1, sizeof b1, 100 * t->rate_costs, 2),
                             mkba_html_number(h, b2, sizeof b2, 100 * t->rate_effects, 2)));
    fact(h, HS_PRICE_YEAR, mkba_html_fmt(v, sizeof v, "%d (%s)", t->price_year, h->money));
    fact(h, HS_HORIZON, mkba_html_fmt(v, sizeof v, mkba_html_s(h, HS_YEARS_CYCLES),
                            years(h, b1, sizeof b1, (double)t->ncycles * t->cycle_years),
                            years(h, b2, sizeof b2, t->cycle_years)));
    if (t->households > 0)
        fact(h, HS_HOUSEHOLDS, mkba_html_fmt(v, sizeof v, "%ld", t->households));
    else
        fact(h, HS_HOUSEHOLDS, mkba_html_s(h, HS_COHORT_MODE));
    fact(h, HS_DRAWS, mkba_html_fmt(v, sizeof v, "%zu", t->ndraws));
    mkba_run_facts rf;
    if (mkba_run_facts_read(h->path, &rf) != MKBA_OK)
        return -1;
    if (rf.has_seed)
        fact(h, HS_SEED, mkba_html_fmt(v, sizeof v, "%llu", (unsigned long long)rf.seed));
    if (rf.version[0] != '\0')
        fact(h, HS_VERSION, rf.version);
    fact(h, HS_OPTIMISM, mkba_html_fmt(v, sizeof v, "%s%% / %s%%",
                             mkba_html_number(h, b1, sizeof b1, 100 * t->optimism_bias, 1),
                             mkba_html_number(h, b2, sizeof b2, 100 * t->deadweight, 1)));
    size_t used = 0;
    v[0] = '\0';
    for (size_t i = 0; i < t->npm && used < sizeof v; i++) {
        int n = snprintf(v + used, sizeof v - used, "%s%s", i > 0 ? "; " : "", t->pm_item[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    fact(h, HS_PM_ITEMS, t->npm > 0 ? v : mkba_html_s(h, HS_NONE));
    fputs("</table>\n</section>\n", h->f);
    return 0;
}



int mkba_html_tables(mkba_html_doc *h)
{
    mkba_html_heading(h, "tables", mkba_html_s(h, HS_TABLES));
    mkba_html_para(h, "note", mkba_html_s(h, HS_TABLES_NOTE));
    char buf[64];
    for (size_t i = 0; i < h->r->n; i++) {
        const mkba_rtable *tb = h->r->table[i];
        fprintf(h->f, "<details><summary>");
        mkba_html_text(h, tb->title);
        fputs("</summary>\n<table class=\"data\" id=\"table-", h->f);
        mkba_html_text(h, tb->id);
        fputs("\">\n<tr>", h->f);
        for (size_t c = 0; c < tb->ncols; c++) {
            fputs("<th>", h->f);
            mkba_html_text(h, tb->col[c]);
            fputs("</th>", h->f);
        }
        fputs("</tr>\n", h->f);
        for (size_t row = 0; row < tb->nrows; row++) {
            fputs("<tr>", h->f);
            for (size_t c = 0; c < tb->ncols; c++) {
                const char *s = tb->str[row * tb->ncols + c];
                double v = tb->num[row * tb->ncols + c];
                if (s != NULL || tb->kind[c] == MKBA_COL_TEXT) {
                    fputs("<td>", h->f);
                    mkba_html_text(h, s != NULL ? s : "");
                    fputs("</td>", h->f);
                    continue;
                }
                mkba_col_kind k = tb->cell_kind[row * tb->ncols + c];
                if (k == MKBA_COL_SHARE)
                    mkba_html_num_cell(h, v, mkba_html_percent(h, buf, sizeof buf, v));
                else if (k == MKBA_COL_CALENDAR && isfinite(v)) {
                    snprintf(buf, sizeof buf, "%.0f", v);
                    mkba_html_num_cell(h, v, buf);
                }
                else
                    mkba_html_num_cell(h, v, mkba_html_number(h, buf, sizeof buf, v,
                                          k == MKBA_COL_MONEY || k == MKBA_COL_INT ? 0
                                          : k == MKBA_COL_EFFECT ? 4
                                          : k == MKBA_COL_YEAR ? 1 : 2));
            }
            fputs("</tr>\n", h->f);
        }
        fputs("</table>\n", h->f);
        for (size_t n = 0; n < tb->nnotes; n++)
            mkba_html_para(h, "note", tb->note[n]);
        fputs("</details>\n", h->f);
    }
    fputs("</section>\n", h->f);
    return 0;
}

