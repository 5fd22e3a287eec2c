/* The chart sections of a run's report: the cost-effectiveness plane,
 * acceptability and frontier, cash flows per perspective, who pays and who
 * gains, the municipal budget (with its table), for whom (a table), the
 * ranking, services over
 * time and ex ante versus realised. The charts come from
 * tools/mkba_plots.py (plots.h); each section here says what its chart
 * shows, or why the file has none (docs/report.md, "Sections"). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "html_doc.h"
#include "analysis/groups.h"
#include "core/alloc.h"

/* Closes a section after its charts; -1 when a chart failed. */
static int close_section(mkba_html_doc *h, long charts)
{
    fputs("</section>\n", h->f);
    return charts < 0 ? -1 : 0;
}

/* A section that is only a note. */
static int note_only(mkba_html_doc *h, mkba_html_string note)
{
    mkba_html_para(h, "note", mkba_html_s(h, note));
    return close_section(h, 0);
}

int mkba_html_plane(mkba_html_doc *h)
{
    const mkba_h5_totals *t = h->t;
    mkba_html_heading(h, "plane", mkba_html_s(h, HS_PLANE));
    if (t->primary_effect < 0)
        return note_only(h, HS_MONEY_ONLY);
    long n = mkba_html_charts(h, "plane");
    char note[512];
    mkba_html_para(h, "note", mkba_html_fmt(note, sizeof note, mkba_html_s(h, HS_PLANE_NOTE),
                                            t->arm[t->reference]));
    return close_section(h, n);
}

int mkba_html_ceac(mkba_html_doc *h)
{
    if (h->t->primary_effect < 0)
        return 0;                 /* the plane's note says why */
    mkba_html_heading(h, "ceac", mkba_html_s(h, HS_CEAC));
    if (h->d->nwtp < 2)
        return note_only(h, HS_NO_CEAC);
    long n = 0;
    if (!h->an->uncertain) {      /* shares of one draw: no curve, the frontier stays */
        mkba_html_para(h, "note", mkba_html_s(h, HS_BASE_CASE));
    } else {
        n = mkba_html_charts(h, "ceac");
        mkba_html_para(h, "note", mkba_html_s(h, HS_CEAC_NOTE));
    }
    mkba_html_h3(h, mkba_html_s(h, HS_FRONTIER));
    long m = n < 0 ? -1 : mkba_html_charts(h, "frontier");
    mkba_html_para(h, "note", mkba_html_s(h, HS_FRONTIER_NOTE));
    return close_section(h, m);
}

int mkba_html_cashflow(mkba_html_doc *h)
{
    const mkba_h5_totals *t = h->t;
    mkba_html_heading(h, "cashflow", mkba_html_s(h, HS_CASHFLOW));
    if (t->narms < 2 || h->d->nyears == 0)
        return note_only(h, HS_ONE_ARM);
    char note[512];
    mkba_html_para(h, "note", mkba_html_fmt(note, sizeof note, mkba_html_s(h, HS_CASHFLOW_NOTE),
                                            t->arm[t->reference]));
    if (!mkba_h5_store_has(h->st, "/analysis/cashflow/cumulative_discounted"))
        mkba_html_para(h, "note", mkba_html_s(h, HS_NO_BAND));
    else if (t->ndraws < 2)
        mkba_html_para(h, "note", mkba_html_s(h, HS_ONE_DRAW_BAND));
    return close_section(h, mkba_html_charts(h, "cashflow"));
}

int mkba_html_payers(mkba_html_doc *h)
{
    const mkba_h5_totals *t = h->t;
    mkba_html_heading(h, "payers", mkba_html_s(h, HS_PAYERS));
    if (t->narms < 2)
        return note_only(h, HS_ONE_ARM);
    char note[512];
    mkba_html_para(h, "note", mkba_html_fmt(note, sizeof note, mkba_html_s(h, HS_PAYERS_NOTE),
                                            t->arm[t->reference]));
    return close_section(h, mkba_html_charts(h, "payers"));
}

/* The municipal payers' own perspectives (one per payer) in kp[], at most
 * max; returns how many. */
static size_t municipal_perspectives(const mkba_h5_totals *t, size_t *kp, size_t max)
{
    size_t np = 0;
    for (size_t p = 0; t->payer_municipal != NULL && p < t->npayers && np < max; p++) {
        size_t k = mkba_answer_perspective(t, t->payer[p]);
        if (t->payer_municipal[p] && k < t->nperspectives)
            kp[np++] = k;
    }
    return np;
}

int mkba_html_budget(mkba_html_doc *h)
{
    const mkba_h5_totals *t = h->t;
    const mkba_decision *d = h->d;
    size_t A = t->narms, Y = d->nyears, a = h->an->alternative;
    if (A < 2 || Y == 0 || (int)a == t->reference)
        return 0;                 /* the cash-flow section says why */
    size_t kp[64];
    size_t np = municipal_perspectives(t, kp, 64);
    mkba_html_heading(h, "budget", mkba_html_s(h, HS_BUDGET));
    if (np == 0 || !h->an->has_municipality)
        return note_only(h, HS_NO_MUNICIPAL);
    char note[1024], b1[96];
    mkba_html_para(h, "note", mkba_html_fmt(note, sizeof note, mkba_html_s(h, HS_BUDGET_NOTE),
                                            t->arm[a], t->arm[t->reference], t->price_year));
    long n = mkba_html_charts(h, "budget");
    /* The numbers of the chart. */
    fputs("<table class=\"data\" id=\"budget-table\">\n<tr><th>", h->f);
    mkba_html_text(h, mkba_html_s(h, HS_YEAR));
    fputs("</th>", h->f);
    for (size_t i = 0; i <= np; i++) {
        fputs("<th>", h->f);
        mkba_html_text(h, i < np ? t->perspective[kp[i]] : mkba_html_s(h, HS_MUNICIPALITY));
        fputs("</th>", h->f);
    }
    fputs("</tr>\n", h->f);
    for (size_t y = 0; y < Y; y++) {
        fprintf(h->f, "<tr><td>%zu</td>", y + 1);
        for (size_t i = 0; i <= np; i++) {
            size_t k = i < np ? kp[i] : h->an->municipality;
            double v = d->net_undisc[(k * A + a) * Y + y];
            mkba_html_num_cell(h, v, mkba_html_money(h, b1, sizeof b1, v));
        }
        fputs("</tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
    return close_section(h, n);
}

/* For whom: society's NPV per household of each household group, the
 * answer's alternative against the reference (docs/decision.md). */
int mkba_html_groups(mkba_html_doc *h)
{
    const mkba_h5_totals *t = h->t;
    size_t a = h->an->alternative;
    if (t->narms < 2 || (int)a == t->reference)
        return 0;                 /* the answer says there is nothing to compare */
    mkba_html_heading(h, "groups", mkba_html_s(h, HS_GROUPS));
    mkba_groups *g = NULL;
    mkba_error why = {0};
    /* A file without groups gets a note; one whose groups cannot be read
     * (corrupt, mis-shaped) fails, as the text summary does. */
    if (mkba_groups_read(h->st, t, &g, &why) != MKBA_OK) {
        mkba_error_set(h->err, why.code != MKBA_OK ? why.code : MKBA_EIO,
                       "the household groups cannot be read: %s", why.message);
        return -1;
    }
    if (g == NULL)
        return note_only(h, HS_NO_GROUPS);
    const size_t A = g->narms, G = g->ngroups;
    double *stats = mkba_malloc((t->nperspectives * A * G * MKBA_GS_N + 1) * sizeof *stats);
    double *work = mkba_malloc((3 * g->ndraws + 1) * sizeof *work);
    if (stats == NULL || work == NULL) {
        mkba_free(stats);
        mkba_free(work);
        mkba_groups_free(g);
        return -1;
    }
    mkba_groups_stats(g, t, stats, work);
    char note[2048], b1[96];
    /* A file written before the booking per household: no part by use. */
    mkba_html_para(h, "note", mkba_html_fmt(note, sizeof note,
                                            mkba_html_s(h, g->by_use ? HS_GROUPS_NOTE
                                                                     : HS_GROUPS_NOTE_FLAT),
                                            t->arm[a], t->arm[t->reference],
                                            t->arm[t->reference]));
    fputs("<table class=\"data\" id=\"groups-table\">\n<tr>", h->f);
    /* A file written before the booking per household has no part by use. */
    const mkba_html_string head[] = { HS_GROUP, HS_SHARE, HS_NPV_SOCIETY, HS_INTERVAL,
                                      HS_GROUPS_TEAMS, HS_GROUPS_VS_ALL, HS_INTERVAL,
                                      HS_GROUPS_P_ABOVE };
    for (size_t c = 0; c < sizeof head / sizeof head[0]; c++) {
        if (head[c] == HS_GROUPS_TEAMS && !g->by_use)
            continue;
        fprintf(h->f, head[c] == HS_INTERVAL ? "<th colspan=\"2\">" : "<th>");
        mkba_html_text(h, mkba_html_s(h, head[c]));
        fputs("</th>", h->f);
    }
    fputs("</tr>\n", h->f);
    /* Perspective 0 is society. */
    for (size_t gr = 0; gr < G; gr++) {
        const double *o = stats + (a * G + gr) * MKBA_GS_N;
        fputs("<tr><td>", h->f);
        mkba_html_text(h, g->name[gr]);
        fputs("</td>", h->f);
        mkba_html_num_cell(h, o[MKBA_GS_SHARE],
                           mkba_html_percent(h, b1, sizeof b1, o[MKBA_GS_SHARE]));
        for (int c = MKBA_GS_NPV; c <= MKBA_GS_NPV_HI; c++)
            mkba_html_num_cell(h, o[c], mkba_html_money(h, b1, sizeof b1, o[c]));
        if (g->by_use)
            mkba_html_num_cell(h, o[MKBA_GS_BY_USE],
                               mkba_html_money(h, b1, sizeof b1, o[MKBA_GS_BY_USE]));
        for (int c = MKBA_GS_VS_ALL; c <= MKBA_GS_VS_ALL_HI; c++)
            mkba_html_num_cell(h, o[c], mkba_html_money(h, b1, sizeof b1, o[c]));
        mkba_html_num_cell(h, o[MKBA_GS_VS_ALL_P],
                           mkba_html_percent(h, b1, sizeof b1, o[MKBA_GS_VS_ALL_P]));
        fputs("</tr>\n", h->f);
    }
    fputs("</table>\n", h->f);
    mkba_free(stats);
    mkba_free(work);
    mkba_groups_free(g);
    return close_section(h, 0);
}

int mkba_html_ranking(mkba_html_doc *h)
{
    size_t A = h->t->narms;
    mkba_html_heading(h, "ranking", mkba_html_s(h, HS_RANKING));
    if (A < 2)
        return note_only(h, HS_ONE_ARM);
    if (A > 60 || !h->an->uncertain)
        return note_only(h, A > 60 ? HS_MANY_ARMS : HS_BASE_CASE);
    long n = mkba_html_charts(h, "ranking");
    mkba_html_para(h, "note", mkba_html_s(h, HS_RANKING_NOTE));
    return close_section(h, n);
}

int mkba_html_services(mkba_html_doc *h)
{
    mkba_html_heading(h, "services", mkba_html_s(h, HS_SERVICES));
    mkba_html_para(h, "note", mkba_html_s(h, h->t->services ? HS_SERVICES_NOTE : HS_NO_SERVICES));
    return close_section(h, mkba_html_charts(h, "services"));
}

/* Ex ante versus realised, when the file holds /expost (docs/expost.md). */
int mkba_html_expost(mkba_html_doc *h)
{
    mkba_html_heading(h, "expost", mkba_html_s(h, HS_EXPOST));
    if (!mkba_h5_store_has(h->st, "/expost"))
        return note_only(h, HS_NO_EXPOST);
    mkba_html_para(h, "note", mkba_html_s(h, HS_EXPOST_PRESENT));
    return close_section(h, mkba_html_charts(h, "expost"));
}
