/* The answer first: which arm, how sure, when it breaks even for the
 * municipality, who gains and who pays, in one paragraph and a small
 * table (docs/report.md, "The answer"). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "html_doc.h"

/* The payers whose mean net position is above (sign > 0) or below zero,
 * joined by commas. */
static void payers_by_sign(const mkba_html_doc *h, size_t a, int sign, char *buf, size_t size)
{
    const mkba_h5_totals *t = h->t;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t p = 0; p < t->npayers; p++) {
        double net = mkba_answer_payer_net(t, h->d, a, p);
        if (mkba_answer_payer_sign(t, h->d, a, p) == sign) {
            char m[96];
            int n = snprintf(buf + used, size - used, "%s%s (%s)", used > 0 ? ", " : "",
                             t->payer[p], mkba_html_money(h, m, sizeof m, net));
            if (n < 0 || (size_t)n >= size - used) {
                buf[used] = '\0';   /* no payer cut in half */
                break;
            }
            used += (size_t)n;
        }
    }
    if (used == 0)
        snprintf(buf, size, "%s", mkba_html_s(h, HS_NOBODY));
}

int mkba_html_answer(mkba_html_doc *h)
{
    const mkba_h5_totals *t = h->t;
    const mkba_answer *an = h->an;
    char b1[96], b2[96], b3[96], s1[512], s2[2048];
    size_t A = t->narms, best = an->best;
    const char *ref = t->arm[t->reference];
    mkba_html_heading(h, "answer", mkba_html_s(h, HS_ANSWER));
    /* The banner of the text and CSV outputs (answer.c), in the page's
     * language. */
    char target[MKBA_QUOTE_SIZE];
    for (size_t a = 0; a < A; a++)
        if (mkba_answer_calibration_target(t, a, target) != NULL)
            mkba_html_para(h, "calibrated", mkba_html_fmt(s2, sizeof s2,
                                                          mkba_html_s(h, HS_CALIBRATED),
                                                          t->arm[a], target));
    for (size_t a = 0; t->blend_share != NULL && a < A; a++)
        if (!(t->blend_share[a * A + a] == 1.0))
            mkba_html_para(h, "blended", mkba_html_fmt(s2, sizeof s2, mkba_html_s(h, HS_BLENDED),
                                                       t->arm[a]));
    fputs("<p class=\"answer\"><strong>", h->f);
    if (an->keep_reference) {
        if (strcmp(ref, "nulalternatief") == 0)   /* not "Kies nulalternatief (het ...)" */
            mkba_html_text(h, mkba_html_s(h, HS_KEEP_NULALTERNATIEF));
        else
            mkba_html_text(h, mkba_html_fmt(s1, sizeof s1, mkba_html_s(h, HS_KEEP), ref));
        fputs("</strong> ", h->f);
        best = an->alternative;
        if ((int)best != t->reference)
            mkba_html_text(h, mkba_html_fmt(s1, sizeof s1, mkba_html_s(h, HS_ALTERNATIVE),
                                            t->arm[best]));
        fputc(' ', h->f);
    } else {
        mkba_html_text(h, mkba_html_fmt(s1, sizeof s1, mkba_html_s(h, HS_CHOOSE), t->arm[best]));
        fputs("</strong> ", h->f);
    }
    if ((int)best != t->reference) {
        mkba_html_money(h, b1, sizeof b1, an->npv[best]);
        if (isfinite(an->npv_lo[best]))
            mkba_html_text(h, mkba_html_fmt(s2, sizeof s2, mkba_html_s(h, HS_NPV_SENTENCE), b1, ref,
                                            mkba_html_money(h, b2, sizeof b2, an->npv_lo[best]),
                                            mkba_html_money(h, b3, sizeof b3, an->npv_hi[best])));
        else
            mkba_html_text(h, mkba_html_fmt(s2, sizeof s2,
                                            mkba_html_s(h, HS_NPV_POINT_SENTENCE), b1, ref));
        fputc(' ', h->f);
        if (!an->uncertain)
            mkba_html_text(h, mkba_html_s(h, HS_BASE_CASE));
        else if (isfinite(an->p_positive[best]))
            mkba_html_text(h, mkba_html_fmt(s2, sizeof s2, mkba_html_s(h, HS_SURE_SENTENCE),
                                            mkba_html_percent(h, b1, sizeof b1, an->p_best[best]),
                                            mkba_html_percent(h, b2, sizeof b2,
                                                              an->p_positive[best])));
        else
            mkba_html_text(h, mkba_html_fmt(s2, sizeof s2, mkba_html_s(h, HS_SURE_BEST_SENTENCE),
                                            mkba_html_percent(h, b1, sizeof b1, an->p_best[best])));
        fputc(' ', h->f);
        char hz[32];
        mkba_html_number(h, hz, sizeof hz, an->horizon_years, 0);
        mkba_html_number(h, b1, sizeof b1, an->be_year[best], 0);
        if (!an->has_municipality)
            mkba_html_text(h, mkba_html_s(h, HS_NO_MUNICIPAL));
        else if (!an->uncertain && isfinite(an->be_year[best]))
            mkba_html_text(h, mkba_html_fmt(s2, sizeof s2, mkba_html_s(h, HS_BREAKEVEN_POINT), b1));
        else if (!an->uncertain)
            mkba_html_text(h, mkba_html_fmt(s2, sizeof s2, mkba_html_s(h, HS_NEVER_POINT), hz));
        else if (isfinite(an->be_year[best]))
            mkba_html_text(h, mkba_html_fmt(s2, sizeof s2,
                                            mkba_html_s(h, HS_BREAKEVEN_SENTENCE), b1,
                                            mkba_html_percent(h, b2, sizeof b2, an->be_share[best]),
                                            mkba_html_percent(h, b3, sizeof b3,
                                                              an->be_never[best]), hz));
        else
            mkba_html_text(h, mkba_html_fmt(s2, sizeof s2, mkba_html_s(h, HS_NEVER_SENTENCE), hz,
                                            mkba_html_percent(h, b2, sizeof b2,
                                                              an->be_never[best])));
        char who[1536];
        payers_by_sign(h, best, 1, who, sizeof who);
        fputc(' ', h->f);
        mkba_html_text(h, mkba_html_fmt(s2, sizeof s2, mkba_html_s(h, HS_GAINS_SENTENCE), who));
        payers_by_sign(h, best, -1, who, sizeof who);
        fputc(' ', h->f);
        mkba_html_text(h, mkba_html_fmt(s2, sizeof s2, mkba_html_s(h, HS_PAYS_SENTENCE), who));
    }
    fputs("</p>\n<table class=\"answer\" id=\"answer-table\">\n<tr>", h->f);
    const mkba_html_string head[] = { HS_ARM, HS_NPV_SOCIETY, HS_INTERVAL, HS_P_BEST,
                                      HS_P_POSITIVE, HS_BE_MUNI, HS_BCR };
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) {
        fputs("<th>", h->f);
        mkba_html_text(h, mkba_html_s(h, head[i]));
        fputs("</th>", h->f);
    }
    fputs("</tr>\n", h->f);
    for (size_t a = 0; a < A; a++) {
        fprintf(h->f, "<tr%s><td>", a == an->best ? " class=\"best\"" : "");
        mkba_html_text(h, t->arm[a]);
        if ((int)a == t->reference) {
            if (strcmp(t->arm[a], mkba_html_s(h, HS_REFERENCE)) != 0) {
                fputs(" (", h->f);
                mkba_html_text(h, mkba_html_s(h, HS_REFERENCE));
                fputc(')', h->f);
            }
            fputs("</td>", h->f);
            /* Against itself: no NPV or break-even, only its rank. */
            fputs("<td class=\"n\"></td><td class=\"n\"></td>", h->f);
            mkba_html_num_cell(h, an->p_best[a],
                               mkba_html_percent(h, b1, sizeof b1, an->p_best[a]));
            fputs("<td class=\"n\"></td><td class=\"n\"></td><td class=\"n\"></td></tr>\n",
                  h->f);
            continue;
        }
        fputs("</td>", h->f);
        mkba_html_num_cell(h, an->npv[a], mkba_html_money(h, b1, sizeof b1, an->npv[a]));
        fputs("<td class=\"n\">", h->f);
        if (isfinite(an->npv_lo[a])) {
            mkba_html_money(h, b2, sizeof b2, an->npv_lo[a]);
            mkba_html_money(h, b3, sizeof b3, an->npv_hi[a]);
            mkba_html_text(h, mkba_html_fmt(s1, sizeof s1, "%s – %s", b2, b3));
        }
        fputs("</td>", h->f);
        mkba_html_num_cell(h, an->p_best[a], mkba_html_percent(h, b1, sizeof b1, an->p_best[a]));
        mkba_html_num_cell(h, an->p_positive[a],
                           mkba_html_percent(h, b1, sizeof b1, an->p_positive[a]));
        if (isfinite(an->be_year[a]))
            mkba_html_num_cell(h, an->be_year[a],
                               mkba_html_number(h, b1, sizeof b1, an->be_year[a], 0));
        else
            mkba_html_num_cell(h, NAN, an->has_municipality ? mkba_html_s(h, HS_NEVER) : "");
        mkba_html_num_cell(h, h->s->bcr[a].mean,
                           mkba_html_number(h, b1, sizeof b1, h->s->bcr[a].mean, 2));
        fputs("</tr>\n", h->f);
    }
    fputs("</table>\n</section>\n", h->f);
    return 0;
}

