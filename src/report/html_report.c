/* `mkba report`: one self-contained HTML file (inline SVG charts, inline
 * style, no scripts, no links out) built from a result file only. The
 * sections are the table `sections` below; one whose data the file lacks
 * leaves a note. docs/report.md describes every chart. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mkba/mkba.h"
#include "analysis/decision.h"
#include "analysis/frontier.h"
#include "analysis/summary.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "io/h5out.h"
#include "answer.h"
#include "html_strings.h"
#include "outfile.h"
#include "report.h"
#include "run_facts.h"
#include "sa_report.h"
#include "summary_report.h"
#include "svg.h"

#define HTML_STRING(id, en, nl) { en, nl },
static const char *const strings[HS_N][2] = { MKBA_HTML_STRINGS(HTML_STRING) };
#undef HTML_STRING

/* Everything a section reads. */
typedef struct doc {
    FILE *f;
    int nl;                       /* Dutch words and number style */
    const char *path;
    mkba_h5_totals *t;            /* NULL for a sensitivity-analysis file */
    mkba_summary *s;
    mkba_decision *d;
    mkba_report *r;               /* the summary's tables */
    mkba_h5_store *st;
    double *cum;                  /* [K][D][A][Y] per-draw cumulative discounted net
                                     benefit, NULL when the file has none */
    mkba_answer *an;              /* the answer first */
    char money[32];               /* "EUR" or the currency */
} doc;

static const char *S(const doc *h, mkba_html_string id)
{
    return strings[id][h->nl];
}

/* Removes a UTF-8 character cut off at the end of s (after truncation). */
static void utf8_cut(char *s)
{
    size_t n = strlen(s), k = n;
    while (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
        k--;
    if (k > 0 && (unsigned char)s[k - 1] >= 0xC0) {
        unsigned char lead = (unsigned char)s[k - 1];
        size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (n - (k - 1) < len)
            s[k - 1] = '\0';
    }
}

/* printf into a small buffer (the sentences of the string table); a text
 * too long is cut between characters. */
static const char *fmt(char *buf, size_t size, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static const char *fmt(char *buf, size_t size, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(buf, size, format, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= size)
        utf8_cut(buf);
    return buf;
}

static void text(const doc *h, const char *s)
{
    mkba_xml_text(h->f, s);
}

/* An amount of money, rounded to whole units, with its currency sign. */
static const char *money(const doc *h, char *buf, size_t size, double v)
{
    char n[48];
    mkba_format_number(n, sizeof n, v, 0, h->nl);
    if (!isfinite(v)) {
        snprintf(buf, size, "%s", n);
        return buf;
    }
    int euro = strcmp(h->money, "EUR") == 0;
    if (!h->nl && n[0] == '-')     /* English puts the minus first: -€1,250 */
        snprintf(buf, size, "-%s%s%s", euro ? "€" : h->money, euro ? "" : " ", n + 1);
    else
        snprintf(buf, size, "%s%s%s", euro ? "€" : h->money, euro ? (h->nl ? " " : "") : " ", n);
    return buf;
}

static const char *percent(const doc *h, char *buf, size_t size, double share)
{
    char n[48];
    if (!isfinite(share)) {       /* not known: an empty cell, never "n/a%" */
        buf[0] = '\0';
        return buf;
    }
    /* Shares are counts over draws: snap 0.86499999... to 0.865 before
     * rounding, so equal counts print alike. */
    mkba_format_number(n, sizeof n, round(100.0 * share * 1e9) / 1e9, 0, h->nl);
    snprintf(buf, size, "%s%%", n);
    return buf;
}

static const char *number(const doc *h, char *buf, size_t size, double v, int decimals)
{
    mkba_format_number(buf, size, v, decimals, h->nl);
    return buf;
}

/* Years: whole when whole (10), else to the month (0,083). */
static const char *years(const doc *h, char *buf, size_t size, double v)
{
    return number(h, buf, size, v, v == floor(v) ? 0 : 3);
}

static void heading(const doc *h, const char *id, const char *title)
{
    fprintf(h->f, "<section id=\"%s\">\n<h2>", id);
    text(h, title);
    fputs("</h2>\n", h->f);
}

static void para(const doc *h, const char *cls, const char *s)
{
    fprintf(h->f, "<p class=\"%s\">", cls);
    text(h, s);
    fputs("</p>\n", h->f);
}

/* A table cell holding a number shown as `shown`, with the exact value in
 * data-value (for readers and the tests). */
static void num_cell(const doc *h, double v, const char *shown)
{
    if (isfinite(v))
        fprintf(h->f, "<td class=\"n\" data-value=\"%.17g\">", v);
    else
        fputs("<td class=\"n\">", h->f);
    text(h, shown);
    fputs("</td>", h->f);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Mean and 5% and 95% percentiles of n values at v[0], v[stride], ...
 * (NaN skipped). */
static void band_of(const double *v, size_t n, size_t stride, double *work, double *mean,
                    double *lo, double *hi)
{
    size_t m = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i * stride])) {
            work[m++] = v[i * stride];
            sum += v[i * stride];
        }
    if (m == 0) {
        *mean = *lo = *hi = NAN;
        return;
    }
    qsort(work, m, sizeof *work, by_value);
    *mean = sum / (double)m;
    *lo = mkba_quantile_sorted(work, m, 0.05);
    *hi = mkba_quantile_sorted(work, m, 0.95);
}

/* ---- the answer ---- */

/* The payers whose mean net position is above (sign > 0) or below zero,
 * joined by commas. */
static void payers_by_sign(const doc *h, size_t a, int sign, char *buf, size_t size)
{
    const mkba_h5_totals *t = h->t;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t p = 0; p < t->npayers; p++) {
        double net = mkba_answer_payer_net(t, h->d, a, p);
        if (mkba_answer_payer_sign(t, h->d, a, p) == sign) {
            char m[96];
            int n = snprintf(buf + used, size - used, "%s%s (%s)", used > 0 ? ", " : "",
                             t->payer[p], money(h, m, sizeof m, net));
            if (n < 0 || (size_t)n >= size - used) {
                buf[used] = '\0';   /* no payer cut in half */
                break;
            }
            used += (size_t)n;
        }
    }
    if (used == 0)
        snprintf(buf, size, "%s", S(h, HS_NOBODY));
}

static int section_answer(doc *h)
{
    const mkba_h5_totals *t = h->t;
    const mkba_answer *an = h->an;
    char b1[96], b2[96], b3[96], s1[512], s2[2048];
    size_t A = t->narms, best = an->best;
    const char *ref = t->arm[t->reference];
    heading(h, "answer", S(h, HS_ANSWER));
    for (size_t a = 0; a < A; a++)
        if (mkba_answer_calibration_banner(t, a, s2, sizeof s2))
            para(h, "calibrated", s2);
    fputs("<p class=\"answer\"><strong>", h->f);
    if (an->keep_reference) {
        if (strcmp(ref, "nulalternatief") == 0)   /* not "Kies nulalternatief (het ...)" */
            text(h, S(h, HS_KEEP_NULALTERNATIEF));
        else
            text(h, fmt(s1, sizeof s1, S(h, HS_KEEP), ref));
        fputs("</strong> ", h->f);
        best = an->alternative;
        if ((int)best != t->reference)
            text(h, fmt(s1, sizeof s1, S(h, HS_ALTERNATIVE), t->arm[best]));
        fputc(' ', h->f);
    } else {
        text(h, fmt(s1, sizeof s1, S(h, HS_CHOOSE), t->arm[best]));
        fputs("</strong> ", h->f);
    }
    if ((int)best != t->reference) {
        money(h, b1, sizeof b1, an->npv[best]);
        if (isfinite(an->npv_lo[best]))
            text(h, fmt(s2, sizeof s2, S(h, HS_NPV_SENTENCE), b1, ref,
                        money(h, b2, sizeof b2, an->npv_lo[best]),
                        money(h, b3, sizeof b3, an->npv_hi[best])));
        else
            text(h, fmt(s2, sizeof s2, S(h, HS_NPV_POINT_SENTENCE), b1, ref));
        fputc(' ', h->f);
        if (!an->uncertain)
            text(h, S(h, HS_BASE_CASE));
        else if (isfinite(an->p_positive[best]))
            text(h, fmt(s2, sizeof s2, S(h, HS_SURE_SENTENCE),
                        percent(h, b1, sizeof b1, an->p_best[best]),
                        percent(h, b2, sizeof b2, an->p_positive[best])));
        else
            text(h, fmt(s2, sizeof s2, S(h, HS_SURE_BEST_SENTENCE),
                        percent(h, b1, sizeof b1, an->p_best[best])));
        fputc(' ', h->f);
        char hz[32];
        number(h, hz, sizeof hz, an->horizon_years, 0);
        number(h, b1, sizeof b1, an->be_year[best], 0);
        if (!an->has_municipality)
            text(h, S(h, HS_NO_MUNICIPAL));
        else if (!an->uncertain && isfinite(an->be_year[best]))
            text(h, fmt(s2, sizeof s2, S(h, HS_BREAKEVEN_POINT), b1));
        else if (!an->uncertain)
            text(h, fmt(s2, sizeof s2, S(h, HS_NEVER_POINT), hz));
        else if (isfinite(an->be_year[best]))
            text(h, fmt(s2, sizeof s2, S(h, HS_BREAKEVEN_SENTENCE), b1,
                        percent(h, b2, sizeof b2, an->be_share[best]),
                        percent(h, b3, sizeof b3, an->be_never[best]), hz));
        else
            text(h, fmt(s2, sizeof s2, S(h, HS_NEVER_SENTENCE), hz,
                        percent(h, b2, sizeof b2, an->be_never[best])));
        char who[1536];
        payers_by_sign(h, best, 1, who, sizeof who);
        fputc(' ', h->f);
        text(h, fmt(s2, sizeof s2, S(h, HS_GAINS_SENTENCE), who));
        payers_by_sign(h, best, -1, who, sizeof who);
        fputc(' ', h->f);
        text(h, fmt(s2, sizeof s2, S(h, HS_PAYS_SENTENCE), who));
    }
    fputs("</p>\n<table class=\"answer\" id=\"answer-table\">\n<tr>", h->f);
    const mkba_html_string head[] = { HS_ARM, HS_NPV_SOCIETY, HS_INTERVAL, HS_P_BEST,
                                      HS_P_POSITIVE, HS_BE_MUNI, HS_BCR };
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) {
        fputs("<th>", h->f);
        text(h, S(h, head[i]));
        fputs("</th>", h->f);
    }
    fputs("</tr>\n", h->f);
    for (size_t a = 0; a < A; a++) {
        fprintf(h->f, "<tr%s><td>", a == an->best ? " class=\"best\"" : "");
        text(h, t->arm[a]);
        if ((int)a == t->reference) {
            if (strcmp(t->arm[a], S(h, HS_REFERENCE)) != 0) {
                fputs(" (", h->f);
                text(h, S(h, HS_REFERENCE));
                fputc(')', h->f);
            }
            fputs("</td>", h->f);
            /* Against itself: no NPV or break-even, only its rank. */
            fputs("<td class=\"n\"></td><td class=\"n\"></td>", h->f);
            num_cell(h, an->p_best[a], percent(h, b1, sizeof b1, an->p_best[a]));
            fputs("<td class=\"n\"></td><td class=\"n\"></td><td class=\"n\"></td></tr>\n",
                  h->f);
            continue;
        }
        fputs("</td>", h->f);
        num_cell(h, an->npv[a], money(h, b1, sizeof b1, an->npv[a]));
        fputs("<td class=\"n\">", h->f);
        if (isfinite(an->npv_lo[a])) {
            money(h, b2, sizeof b2, an->npv_lo[a]);
            money(h, b3, sizeof b3, an->npv_hi[a]);
            text(h, fmt(s1, sizeof s1, "%s – %s", b2, b3));
        }
        fputs("</td>", h->f);
        num_cell(h, an->p_best[a], percent(h, b1, sizeof b1, an->p_best[a]));
        num_cell(h, an->p_positive[a], percent(h, b1, sizeof b1, an->p_positive[a]));
        if (isfinite(an->be_year[a]))
            num_cell(h, an->be_year[a], number(h, b1, sizeof b1, an->be_year[a], 0));
        else
            num_cell(h, NAN, an->has_municipality ? S(h, HS_NEVER) : "");
        num_cell(h, h->s->bcr[a].mean, number(h, b1, sizeof b1, h->s->bcr[a].mean, 2));
        fputs("</tr>\n", h->f);
    }
    fputs("</table>\n</section>\n", h->f);
    return 0;
}

/* ---- cost-effectiveness plane, acceptability, frontier ---- */

static const char *effect_unit(const mkba_h5_totals *t, size_t e)
{
    const char *u = t->effect_unit != NULL ? t->effect_unit[e] : NULL;
    return u != NULL && u[0] != '\0' ? u : t->effect[e];
}

static double society_cost(const mkba_h5_totals *t, size_t dr, size_t a)
{
    double c = 0;
    for (size_t p = 0; p < t->npayers; p++)
        c += t->cost_total_disc[(dr * t->narms + a) * t->npayers + p];
    return c;
}

static int section_plane(doc *h)
{
    const mkba_h5_totals *t = h->t;
    heading(h, "plane", S(h, HS_PLANE));
    if (t->primary_effect < 0) {
        para(h, "note", S(h, HS_MONEY_ONLY));
        fputs("</section>\n", h->f);
        return 0;
    }
    size_t e = (size_t)t->primary_effect, D = t->ndraws, A = t->narms, E = t->neffects;
    int ref = t->reference;
    double sign = t->effect_lower_is_better != NULL && t->effect_lower_is_better[e] ? -1 : 1;
    double *x = mkba_malloc((D * A + 1) * sizeof *x), *y = mkba_malloc((D * A + 1) * sizeof *y);
    if (x == NULL || y == NULL) {
        mkba_free(x);
        mkba_free(y);
        return -1;
    }
    double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    for (size_t a = 0; a < A; a++)
        for (size_t dr = 0; dr < D; dr++) {
            size_t i = a * D + dr;
            x[i] = sign * (t->effect_total_disc[(dr * A + a) * E + e]
                           - t->effect_total_disc[(dr * A + (size_t)ref) * E + e]);
            y[i] = society_cost(t, dr, a) - society_cost(t, dr, (size_t)ref);
            if ((int)a != ref) {
                x0 = fmin(x0, x[i]);
                x1 = fmax(x1, x[i]);
                y0 = fmin(y0, y[i]);
                y1 = fmax(y1, y[i]);
            }
        }
    char xl[256], yl[256], title[256];
    mkba_svg g;
    mkba_svg_begin(&g, h->f, 640, 400, S(h, HS_PLANE), h->nl);
    mkba_svg_range(&g, x0, x1, y0, y1, 1);
    mkba_svg_axes(&g, fmt(xl, sizeof xl, S(h, HS_IMPROVEMENT), t->effect[e], effect_unit(t, e)),
                  fmt(yl, sizeof yl, S(h, HS_EXTRA_COST), h->money));
    mkba_svg_hline(&g, 0);
    mkba_svg_vline(&g, 0);
    const char *names[64], *colours[64];
    size_t nl = 0;
    for (size_t a = 0; a < A; a++) {
        if ((int)a == ref)
            continue;
        const char *c = mkba_svg_colour(a);
        mkba_svg_points(&g, D, x + a * D, y + a * D, c, 2.5, 0.45);
        double mx = 0, my = 0;
        for (size_t dr = 0; dr < D; dr++) {
            mx += x[a * D + dr] / (double)D;
            my += y[a * D + dr] / (double)D;
        }
        mkba_svg_points(&g, 1, &mx, &my, c, 7, 1.0);
        if (nl < 64) {
            names[nl] = t->arm[a];
            colours[nl++] = c;
        }
    }
    mkba_svg_legend(&g, nl, names, colours);
    mkba_svg_end(&g);
    para(h, "note", fmt(title, sizeof title, S(h, HS_PLANE_NOTE), t->arm[ref]));
    mkba_free(x);
    mkba_free(y);
    fputs("</section>\n", h->f);
    return 0;
}

static int section_ceac(doc *h)
{
    const mkba_h5_totals *t = h->t;
    const mkba_decision *d = h->d;
    if (t->primary_effect < 0)
        return 0;                 /* the plane's note says why */
    size_t e = (size_t)t->primary_effect, W = d->nwtp, A = d->narms;
    heading(h, "ceac", S(h, HS_CEAC));
    if (W < 2) {
        para(h, "note", S(h, HS_NO_CEAC));
        fputs("</section>\n", h->f);
        return 0;
    }
    char xl[256];
    mkba_svg g;
    if (!h->an->uncertain) {      /* shares of one draw: no curve, the frontier stays */
        para(h, "note", S(h, HS_BASE_CASE));
        goto frontier;
    }
    double *y = mkba_malloc((W + 1) * sizeof *y);
    if (y == NULL)
        return -1;
    mkba_svg_begin(&g, h->f, 640, 360, S(h, HS_CEAC), h->nl);
    mkba_svg_range(&g, d->wtp[0], d->wtp[W - 1], 0, 1, 1);
    mkba_svg_axes(&g, fmt(xl, sizeof xl, S(h, HS_WTP), effect_unit(t, e), h->money),
                  S(h, HS_PROBABILITY));
    const char *names[64], *colours[64];
    for (size_t a = 0; a < A && a < 64; a++) {
        for (size_t w = 0; w < W; w++)
            y[w] = d->ceac[w * A + a];
        mkba_svg_line(&g, W, d->wtp, y, mkba_svg_colour(a), 2.5, 0);
        for (size_t w = 0; w < W; w++)
            if (d->frontier_arm[w] == (int)a)
                mkba_svg_points(&g, 1, &d->wtp[w], &y[w], mkba_svg_colour(a), 5, 1.0);
        names[a] = t->arm[a];
        colours[a] = mkba_svg_colour(a);
    }
    mkba_svg_legend(&g, A < 64 ? A : 64, names, colours);
    mkba_svg_end(&g);
    para(h, "note", S(h, HS_CEAC_NOTE));
    mkba_free(y);

frontier:
    /* The efficiency frontier on the means. */
    fputs("<h3>", h->f);
    text(h, S(h, HS_FRONTIER));
    fputs("</h3>\n", h->f);
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t a = 0; a < A; a++) {
        const double *v = &d->frontier[a * MKBA_FR_N];
        x0 = fmin(x0, v[MKBA_FR_EFFECT]);
        x1 = fmax(x1, v[MKBA_FR_EFFECT]);
        y0 = fmin(y0, v[MKBA_FR_COST]);
        y1 = fmax(y1, v[MKBA_FR_COST]);
    }
    char yl[256];
    mkba_svg_begin(&g, h->f, 640, 360, S(h, HS_FRONTIER), h->nl);
    mkba_svg_range(&g, x0 - 0.1 * (x1 - x0 + 1e-9), x1 + 0.1 * (x1 - x0 + 1e-9),
                   y0 - 0.1 * (y1 - y0 + 1), y1 + 0.1 * (y1 - y0 + 1), 0);
    mkba_svg_axes(&g, fmt(xl, sizeof xl, S(h, HS_MEAN_EFFECT), t->effect[e], effect_unit(t, e)),
                  fmt(yl, sizeof yl, S(h, HS_MEAN_COST), h->money));
    /* The frontier arms in order of cost: follow `previous` from the
     * costliest frontier arm. */
    double fx[64], fy[64];
    size_t nf = 0;
    int top = -1;
    for (size_t a = 0; a < A; a++)
        if (d->frontier_status[a] == MKBA_FRONTIER_ON
            && (top < 0 || d->frontier[a * MKBA_FR_N + MKBA_FR_COST]
                           > d->frontier[(size_t)top * MKBA_FR_N + MKBA_FR_COST]))
            top = (int)a;
    for (int a = top; a >= 0 && nf < 64; a = d->frontier_prev[a]) {
        fx[nf] = d->frontier[(size_t)a * MKBA_FR_N + MKBA_FR_EFFECT];
        fy[nf++] = d->frontier[(size_t)a * MKBA_FR_N + MKBA_FR_COST];
    }
    mkba_svg_line(&g, nf, fx, fy, "#555555", 1.5, 1);
    for (size_t a = 0; a < A; a++) {
        const double *v = &d->frontier[a * MKBA_FR_N];
        mkba_svg_points(&g, 1, &v[MKBA_FR_EFFECT], &v[MKBA_FR_COST], mkba_svg_colour(a), 6, 1);
        mkba_svg_text(&g, v[MKBA_FR_EFFECT], v[MKBA_FR_COST], 9, -6, "start", t->arm[a]);
    }
    mkba_svg_end(&g);
    para(h, "note", S(h, HS_FRONTIER_NOTE));
    fputs("</section>\n", h->f);
    return 0;
}

/* The note of a section about differences between arms when there is
 * one arm; closes the section. */
static int one_arm_note(doc *h)
{
    para(h, "note", S(h, HS_ONE_ARM));
    fputs("</section>\n", h->f);
    return 0;
}

/* ---- cash flows and break-even per perspective ---- */

static void cashflow_chart(doc *h, size_t k, double *work, double *mean, double *lo, double *hi)
{
    const mkba_h5_totals *t = h->t;
    const mkba_decision *d = h->d;
    size_t A = t->narms, Y = d->nyears, D = t->ndraws;
    double years[256];
    size_t ny = Y < 256 ? Y : 256;
    for (size_t y = 0; y < ny; y++)
        years[y] = (double)(y + 1);
    double y0 = 0, y1 = 0;
    for (size_t a = 0; a < A; a++) {
        if ((int)a == t->reference)
            continue;
        for (size_t y = 0; y < ny; y++) {
            size_t at = a * ny + y;
            if (h->cum != NULL)
                band_of(&h->cum[((k * D) * A + a) * Y + y], D, A * Y, work, &mean[at], &lo[at],
                        &hi[at]);
            else
                mean[at] = lo[at] = hi[at] = d->cum_disc[(k * A + a) * Y + y];
            y0 = fmin(y0, lo[at]);
            y1 = fmax(y1, hi[at]);
        }
    }
    char title[256], yl[128];
    fmt(title, sizeof title, S(h, HS_PERSPECTIVE), t->perspective[k]);
    mkba_svg g;
    mkba_svg_begin(&g, h->f, 470, 300, title, h->nl);
    mkba_svg_range(&g, 0.5, (double)ny + 0.5, y0, y1, 1);
    g.x0 = 0.5;                   /* whole years, not rounded out to ticks */
    g.x1 = (double)ny + 0.5;
    mkba_svg_axes(&g, S(h, HS_YEAR), fmt(yl, sizeof yl, S(h, HS_CUMULATIVE), h->money));
    mkba_svg_hline(&g, 0);
    const char *names[64], *colours[64];
    size_t nl = 0;
    for (size_t a = 0; a < A; a++) {
        if ((int)a == t->reference)
            continue;
        const char *c = mkba_svg_colour(a);
        if (h->cum != NULL)
            mkba_svg_band(&g, ny, years, lo + a * ny, hi + a * ny, c);
        mkba_svg_line(&g, ny, years, mean + a * ny, c, 2.5, 0);
        if (nl < 64) {
            names[nl] = t->arm[a];
            colours[nl++] = c;
        }
    }
    mkba_svg_legend(&g, nl, names, colours);
    mkba_svg_end(&g);

    /* P(broken even by year t), bars per arm side by side. */
    static const char *const yearlabels[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9",
                                              "10", "11", "12", "13", "14", "15", "16", "17",
                                              "18", "19", "20", "21", "22", "23", "24", "25",
                                              "26", "27", "28", "29", "30" };
    mkba_svg_begin(&g, h->f, 470, 300, title, h->nl);
    if (ny <= 30) {
        g.xcat = yearlabels;
        g.nxcat = ny;
    }
    mkba_svg_range(&g, 0.5, (double)ny + 0.5, 0, 1, 1);
    if (ny > 30) {                /* too many years for a label each */
        g.x0 = 0.5;
        g.x1 = (double)ny + 0.5;
    }
    mkba_svg_axes(&g, S(h, HS_YEAR), S(h, HS_BROKEN_EVEN));
    size_t na = A > 1 ? A - 1 : 1, j = 0;
    double off = g.nxcat > 0 ? 1.0 : 0.0;   /* category i sits at x = i */
    for (size_t a = 0; a < A; a++) {
        if ((int)a == t->reference)
            continue;
        for (size_t y = 0; y < ny; y++) {
            double p = d->breakeven_by_year[(k * A + a) * Y + y], w = 0.8 / (double)na;
            double xa = (double)(y + 1) - off - 0.4 + w * (double)j;
            char tip[128], pc[96];
            snprintf(tip, sizeof tip, "%s, %s %zu: %s", t->arm[a], S(h, HS_YEAR), y + 1,
                     percent(h, pc, sizeof pc, p));
            mkba_svg_rect(&g, xa, 0, xa + w, p, mkba_svg_colour(a), tip);
        }
        j++;
    }
    mkba_svg_end(&g);
}

static int section_cashflow(doc *h)
{
    const mkba_h5_totals *t = h->t;
    size_t A = t->narms, Y = h->d->nyears, D = t->ndraws;
    heading(h, "cashflow", S(h, HS_CASHFLOW));
    if (A < 2 || Y == 0)
        return one_arm_note(h);
    char note[512];
    para(h, "note", fmt(note, sizeof note, S(h, HS_CASHFLOW_NOTE), t->arm[t->reference]));
    if (h->cum == NULL)
        para(h, "note", S(h, HS_NO_BAND));
    double *work = mkba_malloc((D + 1) * sizeof *work);
    double *mean = mkba_malloc((A * Y + 1) * sizeof *mean);
    double *lo = mkba_malloc((A * Y + 1) * sizeof *lo), *hi = mkba_malloc((A * Y + 1) * sizeof *hi);
    int rc = work && mean && lo && hi ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < t->nperspectives; k++) {
        if (k == h->an->municipality && !h->an->has_municipality)
            continue;             /* an empty sum: no municipal payer */
        fputs("<h3>", h->f);
        text(h, fmt(note, sizeof note, S(h, HS_PERSPECTIVE), t->perspective[k]));
        fputs("</h3>\n<div class=\"pair\">\n", h->f);
        cashflow_chart(h, k, work, mean, lo, hi);
        fputs("</div>\n", h->f);
    }
    mkba_free(work);
    mkba_free(mean);
    mkba_free(lo);
    mkba_free(hi);
    fputs("</section>\n", h->f);
    return rc;
}

/* ---- who pays and who gains ---- */

static int section_payers(doc *h)
{
    const mkba_h5_totals *t = h->t;
    const mkba_decision *d = h->d;
    size_t A = t->narms, P = t->npayers, rows = P + MKBA_PR_EXTRA;
    heading(h, "payers", S(h, HS_PAYERS));
    if (A < 2)
        return one_arm_note(h);
    char note[512], xl[128];
    para(h, "note", fmt(note, sizeof note, S(h, HS_PAYERS_NOTE), t->arm[t->reference]));
    /* Rows shown: the payers, then society and the municipality. */
    const char *label[256];
    size_t row_of[256], n = 0;
    for (size_t p = 0; p < P && n < 254; p++) {
        label[n] = t->payer[p];
        row_of[n++] = p;
    }
    label[n] = S(h, HS_SOCIETY);
    row_of[n++] = P + MKBA_PR_SOCIETY;
    if (h->an->has_municipality) {
        label[n] = S(h, HS_MUNICIPALITY);
        row_of[n++] = P + MKBA_PR_MUNICIPALITY;
    }
    for (size_t a = 0; a < A; a++) {
        if ((int)a == t->reference)
            continue;
        double x0 = 0, x1 = 0;
        for (size_t i = 0; i < n; i++) {
            const double *v = &d->payer_table[(a * rows + row_of[i]) * MKBA_PT_N];
            x0 = fmin(x0, fmin(-v[MKBA_PT_INVESTMENT], v[MKBA_PT_NET_LO]));
            x1 = fmax(x1, fmax(v[MKBA_PT_RETURNS], v[MKBA_PT_NET_HI]));
        }
        /* Top to bottom in table order: category i at y = n - 1 - i. */
        const char *ycat[256];
        for (size_t i = 0; i < n; i++)
            ycat[n - 1 - i] = label[i];
        fputs("<h3>", h->f);      /* which arm the chart is of */
        text(h, t->arm[a]);
        fputs("</h3>\n", h->f);
        mkba_svg g;
        mkba_svg_begin(&g, h->f, 760, 90 + 26.0 * (double)n, t->arm[a], h->nl);
        g.left = 190;
        g.ycat = ycat;
        g.nycat = n;
        mkba_svg_range(&g, x0, x1, 0, 1, 0);
        mkba_svg_axes(&g, fmt(xl, sizeof xl, S(h, HS_MONEY_AXIS), h->money), NULL);
        mkba_svg_vline(&g, 0);
        for (size_t i = 0; i < n; i++) {
            const double *v = &d->payer_table[(a * rows + row_of[i]) * MKBA_PT_N];
            double y = (double)(n - 1 - i);
            char tip[1024], m1[96], m2[96], m3[96];
            snprintf(tip, sizeof tip, "%s: %s %s, %s %s, %s %s", label[i], S(h, HS_INVESTMENT),
                     money(h, m1, sizeof m1, v[MKBA_PT_INVESTMENT]), S(h, HS_RETURNS),
                     money(h, m2, sizeof m2, v[MKBA_PT_RETURNS]), S(h, HS_NET),
                     money(h, m3, sizeof m3, v[MKBA_PT_NET]));
            mkba_svg_rect(&g, -v[MKBA_PT_INVESTMENT], y - 0.3, 0, y + 0.3, mkba_svg_colour(5),
                          tip);
            mkba_svg_rect(&g, 0, y - 0.3, v[MKBA_PT_RETURNS], y + 0.3, mkba_svg_colour(4), tip);
            double lx[2] = { v[MKBA_PT_NET_LO], v[MKBA_PT_NET_HI] }, ly[2] = { y, y };
            mkba_svg_line(&g, 2, lx, ly, "#000000", 1.5, 0);
            mkba_svg_points(&g, 1, &v[MKBA_PT_NET], &y, "#000000", 4, 1);
        }
        const char *names[3] = { S(h, HS_INVESTMENT), S(h, HS_RETURNS), S(h, HS_NET) };
        const char *colours[3] = { mkba_svg_colour(5), mkba_svg_colour(4), "#000000" };
        mkba_svg_legend(&g, 3, names, colours);
        mkba_svg_end(&g);
    }
    fputs("</section>\n", h->f);
    return 0;
}

/* ---- the municipal budget per year ---- */

static int section_budget(doc *h)
{
    const mkba_h5_totals *t = h->t;
    const mkba_decision *d = h->d;
    size_t A = t->narms, Y = d->nyears, a = h->an->alternative;
    if (A < 2 || Y == 0 || (int)a == t->reference)
        return 0;                 /* the cash-flow section says why */
    /* The municipal payers' own perspectives (one per payer). */
    size_t kp[64], np = 0;
    for (size_t p = 0; t->payer_municipal != NULL && p < t->npayers && np < 64; p++) {
        size_t k = mkba_answer_perspective(t, t->payer[p]);
        if (t->payer_municipal[p] && k < t->nperspectives)
            kp[np++] = k;
    }
    heading(h, "budget", S(h, HS_BUDGET));
    if (np == 0 || !h->an->has_municipality) {
        para(h, "note", S(h, HS_NO_MUNICIPAL));
        fputs("</section>\n", h->f);
        return 0;
    }
    char note[1024], yl[128], b1[96];
    para(h, "note", fmt(note, sizeof note, S(h, HS_BUDGET_NOTE), t->arm[a], t->arm[t->reference],
                        t->price_year));
    double years[256], total[256], y0 = 0, y1 = 0;
    size_t ny = Y < 256 ? Y : 256;
    for (size_t y = 0; y < ny; y++) {
        double up = 0, down = 0;
        for (size_t i = 0; i < np; i++) {
            double v = d->net_undisc[(kp[i] * A + a) * Y + y];
            up += v > 0 ? v : 0;
            down += v < 0 ? v : 0;
        }
        years[y] = (double)(y + 1);
        total[y] = d->net_undisc[(h->an->municipality * A + a) * Y + y];
        y0 = fmin(y0, fmin(down, total[y]));
        y1 = fmax(y1, fmax(up, total[y]));
    }
    mkba_svg g;
    mkba_svg_begin(&g, h->f, 760, 380, S(h, HS_BUDGET), h->nl);
    mkba_svg_range(&g, 0.5, (double)ny + 0.5, y0, y1, 1);
    g.x0 = 0.5;
    g.x1 = (double)ny + 0.5;
    mkba_svg_axes(&g, S(h, HS_YEAR), fmt(yl, sizeof yl, S(h, HS_NET_YEAR), h->money));
    const char *names[64], *colours[64];
    for (size_t y = 0; y < ny; y++) {
        double up = 0, down = 0;
        for (size_t i = 0; i < np; i++) {
            double v = d->net_undisc[(kp[i] * A + a) * Y + y], *base = v >= 0 ? &up : &down;
            char tip[256];
            snprintf(tip, sizeof tip, "%s, %s %zu: %s", t->perspective[kp[i]], S(h, HS_YEAR),
                     y + 1, money(h, b1, sizeof b1, v));
            mkba_svg_rect(&g, years[y] - 0.35, *base, years[y] + 0.35, *base + v,
                          mkba_svg_colour(i + 1), tip);
            *base += v;
        }
    }
    mkba_svg_hline(&g, 0);
    mkba_svg_line(&g, ny, years, total, "#000000", 2, 0);
    mkba_svg_points(&g, ny, years, total, "#000000", 3, 1);
    for (size_t i = 0; i < np; i++) {
        names[i] = t->perspective[kp[i]];
        colours[i] = mkba_svg_colour(i + 1);
    }
    mkba_svg_legend(&g, np, names, colours);
    mkba_svg_end(&g);
    /* The numbers of the chart. */
    fputs("<table class=\"data\" id=\"budget-table\">\n<tr><th>", h->f);
    text(h, S(h, HS_YEAR));
    fputs("</th>", h->f);
    for (size_t i = 0; i <= np; i++) {
        fputs("<th>", h->f);
        text(h, i < np ? t->perspective[kp[i]] : S(h, HS_MUNICIPALITY));
        fputs("</th>", h->f);
    }
    fputs("</tr>\n", h->f);
    for (size_t y = 0; y < ny; y++) {
        fprintf(h->f, "<tr><td>%zu</td>", y + 1);
        for (size_t i = 0; i <= np; i++) {
            double v = i < np ? d->net_undisc[(kp[i] * A + a) * Y + y] : total[y];
            num_cell(h, v, money(h, b1, sizeof b1, v));
        }
        fputs("</tr>\n", h->f);
    }
    fputs("</table>\n</section>\n", h->f);
    return 0;
}

/* ---- ranking ---- */

static int section_ranking(doc *h)
{
    const mkba_h5_totals *t = h->t;
    const mkba_decision *d = h->d;
    size_t A = t->narms;
    heading(h, "ranking", S(h, HS_RANKING));
    if (A < 2)
        return one_arm_note(h);
    if (A > 60 || !h->an->uncertain) {
        para(h, "note", S(h, A > 60 ? HS_MANY_ARMS : HS_BASE_CASE));
        fputs("</section>\n", h->f);
        return 0;
    }
    const char *ycat[64], *names[64], *colours[64];
    char rank_names[64][32];
    for (size_t a = 0; a < A; a++)
        ycat[A - 1 - a] = t->arm[a];
    mkba_svg g;
    mkba_svg_begin(&g, h->f, 760, 100 + 30.0 * (double)A, S(h, HS_RANKING), h->nl);
    g.left = 190;
    g.ycat = ycat;
    g.nycat = A;
    mkba_svg_range(&g, 0, 1, 0, 1, 0);
    mkba_svg_axes(&g, S(h, HS_SHARE_DRAWS), NULL);
    for (size_t a = 0; a < A; a++) {
        double x = 0, y = (double)(A - 1 - a);
        for (size_t r = 0; r < A; r++) {
            double p = d->rank_npv[a * A + r];
            char tip[160], pc[96];
            snprintf(tip, sizeof tip, "%s: %s %s", t->arm[a],
                     fmt(rank_names[r], sizeof rank_names[r], S(h, HS_RANK), r + 1),
                     percent(h, pc, sizeof pc, p));
            mkba_svg_rect(&g, x, y - 0.35, x + p, y + 0.35, mkba_svg_colour(r), tip);
            x += p;
        }
    }
    for (size_t r = 0; r < A; r++) {
        names[r] = fmt(rank_names[r], sizeof rank_names[r], S(h, HS_RANK), r + 1);
        colours[r] = mkba_svg_colour(r);
    }
    mkba_svg_legend(&g, A, names, colours);
    mkba_svg_end(&g);
    para(h, "note", S(h, HS_RANKING_NOTE));
    fputs("</section>\n", h->f);
    return 0;
}

/* ---- services over time ---- */

typedef struct service_chart {
    mkba_html_string title;
    int service;              /* index into t->service; -1: escalations summed */
} service_chart;

static const service_chart service_charts[] = {
    { HS_SVC_REACHED, MKBA_H5_SVC_REACHED },
    { HS_SVC_QUEUE, MKBA_H5_SVC_QUEUE },
    { HS_SVC_WAIT, MKBA_H5_SVC_MEAN_WAIT },
    { HS_SVC_FTE, MKBA_H5_SVC_FTE_USED },
    { HS_SVC_ESCALATIONS, -1 },
};

static int section_services(doc *h)
{
    const mkba_h5_totals *t = h->t;
    size_t A = t->narms, T = t->ncycles, D = t->ndraws;
    heading(h, "services", S(h, HS_SERVICES));
    double *v = mkba_malloc((D * A * T + 1) * sizeof *v), *work = mkba_malloc((D + 1) * sizeof *work);
    double *mean = mkba_malloc((T + 1) * sizeof *mean), *lo = mkba_malloc((T + 1) * sizeof *lo);
    double *hi = mkba_malloc((T + 1) * sizeof *hi), *x = mkba_malloc((T + 1) * sizeof *x);
    int rc = v && work && mean && lo && hi && x ? 0 : -1;
    if (rc == 0 && !t->services)
        para(h, "note", S(h, HS_NO_SERVICES));
    else if (rc == 0)
        para(h, "note", S(h, HS_SERVICES_NOTE));
    for (size_t c = 0; c < T && x != NULL; c++)
        x[c] = (double)(c + 1) * t->cycle_years;
    fputs("<div class=\"pair\">\n", h->f);
    for (size_t i = 0; rc == 0 && i < sizeof service_charts / sizeof service_charts[0]; i++) {
        const service_chart *sc = &service_charts[i];
        if (sc->service >= 0 && (!t->services || t->service[sc->service] == NULL))
            continue;
        if (sc->service < 0 && (t->escalations == NULL || t->ndomains == 0))
            continue;
        for (size_t j = 0; j < D * A * T; j++) {
            if (sc->service >= 0) {
                v[j] = t->service[sc->service][j];
                continue;
            }
            v[j] = 0;
            for (size_t m = 0; m < t->ndomains; m++)
                v[j] += t->escalations[j * t->ndomains + m];
        }
        double y0 = 0, y1 = 0;
        for (size_t j = 0; j < D * A * T; j++)
            if (isfinite(v[j]))
                y1 = fmax(y1, v[j]);
        mkba_svg g;
        mkba_svg_begin(&g, h->f, 470, 300, S(h, sc->title), h->nl);
        mkba_svg_range(&g, 0, (double)T * t->cycle_years, y0, y1, 1);
        g.x0 = 0;
        g.x1 = (double)T * t->cycle_years;
        mkba_svg_axes(&g, S(h, HS_YEAR), S(h, sc->title));
        const char *names[64], *colours[64];
        size_t nl = 0;
        for (size_t a = 0; a < A; a++) {
            for (size_t c = 0; c < T; c++)
                band_of(&v[a * T + c], D, A * T, work, &mean[c], &lo[c], &hi[c]);
            mkba_svg_band(&g, T, x, lo, hi, mkba_svg_colour(a));
            mkba_svg_line(&g, T, x, mean, mkba_svg_colour(a), 2.5, 0);
            if (nl < 64) {
                names[nl] = t->arm[a];
                colours[nl++] = mkba_svg_colour(a);
            }
        }
        mkba_svg_legend(&g, nl, names, colours);
        mkba_svg_end(&g);
    }
    fputs("</div>\n</section>\n", h->f);
    mkba_free(v);
    mkba_free(work);
    mkba_free(mean);
    mkba_free(lo);
    mkba_free(hi);
    mkba_free(x);
    return rc;
}

/* ---- sensitivity: charts of the /sa tables ---- */

/* The table of r whose id starts with prefix, from index *i on. */
static const mkba_rtable *next_table(const mkba_report *r, const char *prefix, size_t *i)
{
    for (; *i < r->n; (*i)++)
        if (strncmp(r->table[*i]->id, prefix, strlen(prefix)) == 0)
            return r->table[(*i)++];
    return NULL;
}

/* Bars of at most this many factors (the largest, as the tables sort). */
#define MAX_BARS 40

/* The heading of the chart of /sa table tb: in English the table's title;
 * in Dutch a Dutch name for its kind (by id prefix) and the arm, as the
 * table titles themselves are English. */
static const char *chart_title(const doc *h, const mkba_rtable *tb, char *buf, size_t size)
{
    static const struct {
        const char *prefix;
        mkba_html_string name;
    } kinds[] = {
        { "tornado_", HS_SA_TORNADO }, { "sobol_", HS_SA_SOBOL }, { "morris_", HS_SA_MORRIS },
        { "believe_", HS_SA_BELIEVE }, { "evppi", HS_SA_EVPPI }, { "sweep", HS_SA_SWEEP },
        { "threshold", HS_SA_THRESHOLD },
    };
    if (!h->nl)
        return tb->title;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].prefix);
        if (strncmp(tb->id, kinds[i].prefix, n) == 0) {
            const char *arm = kinds[i].prefix[n - 1] == '_' ? tb->id + n : "";
            return fmt(buf, size, "%s%s%s", S(h, kinds[i].name), arm[0] ? ": " : "", arm);
        }
    }
    return tb->title;
}

/* The heading and the start of a chart of one bar row per table row, top
 * to bottom, labelled with the first column (n of them). */
static void bar_chart_begin(doc *h, mkba_svg *g, const mkba_rtable *tb, const char **ycat,
                            size_t n, double row_height)
{
    size_t longest = 0;
    for (size_t i = 0; i < n; i++) {
        ycat[n - 1 - i] = tb->str[i * tb->ncols] != NULL ? tb->str[i * tb->ncols] : "";
        if (mkba_utf8_width(ycat[n - 1 - i]) > longest)
            longest = mkba_utf8_width(ycat[n - 1 - i]);
    }
    char title[512];
    chart_title(h, tb, title, sizeof title);
    fputs("<h3>", h->f);
    text(h, title);
    fputs("</h3>\n", h->f);
    /* Room for the labels (about 6.5 pixels a character), within reason. */
    double left = 16 + 6.5 * (double)longest;
    mkba_svg_begin(g, h->f, 900, 90 + row_height * (double)n, title, h->nl);
    g->left = left < 120 ? 120 : left > 420 ? 420 : left;
    g->ycat = ycat;
    g->nycat = n;
}

static size_t find_name(char **names, size_t n, const char *name)
{
    for (size_t i = 0; name != NULL && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return n;
}

/* The outcome with every factor at base, /sa/tornado/base [arm][outcome],
 * for the arm of table tornado_ARM and the analysis's outcome (NAN when
 * the file does not say), and the outcome's name and unit in label. */
static double tornado_base(doc *h, const mkba_rtable *tb, char *label, size_t size)
{
    char **arm = NULL, **outcome = NULL, **unit = NULL, *name = NULL;
    size_t na = 0, no = 0, nu = 0;
    double base = NAN;
    snprintf(label, size, "%s", S(h, HS_OUTCOME));
    if (mkba_h5_store_read_strings(h->st, "/labels/arms", &arm, &na, NULL) == MKBA_OK
        && mkba_h5_store_read_strings(h->st, "/sa/outcome", &outcome, &no, NULL) == MKBA_OK
        && mkba_h5_store_read_attr(h->st, "/sa", "outcome", &name, NULL) == MKBA_OK) {
        size_t a = find_name(arm, na, tb->id + strlen("tornado_"));
        size_t k = find_name(outcome, no, name);
        size_t dims[2] = { na, no };
        double *v = mkba_malloc((na * no + 1) * sizeof *v);
        if (a < na && k < no && v != NULL
            && mkba_h5_store_read_doubles(h->st, "/sa/tornado/base", 2, dims, v, NULL) == MKBA_OK)
            base = v[a * no + k];
        mkba_free(v);
        if (k < no && mkba_h5_store_read_strings(h->st, "/sa/outcome_units", &unit, &nu, NULL)
                      == MKBA_OK && k < nu)
            snprintf(label, size, "%s (%s)", outcome[k], unit[k]);
        else if (k < no)
            snprintf(label, size, "%s", outcome[k]);
    }
    mkba_free(name);
    mkba_h5_store_strings_free(arm, na);
    mkba_h5_store_strings_free(outcome, no);
    mkba_h5_store_strings_free(unit, nu);
    return base;
}

/* Tornado: columns factor, low value, high value, at low, at high, ...;
 * bars from the base outcome to the outcome at each end. */
static void tornado_chart(doc *h, const mkba_rtable *tb)
{
    size_t n = tb->nrows < MAX_BARS ? tb->nrows : MAX_BARS;
    const char *ycat[MAX_BARS];
    double x0 = INFINITY, x1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        x0 = fmin(x0, fmin(tb->num[i * tb->ncols + 3], tb->num[i * tb->ncols + 4]));
        x1 = fmax(x1, fmax(tb->num[i * tb->ncols + 3], tb->num[i * tb->ncols + 4]));
    }
    mkba_svg g;
    char axis[256];
    bar_chart_begin(h, &g, tb, ycat, n, 24.0);
    double base = tornado_base(h, tb, axis, sizeof axis);
    /* 0 is where an NPV changes sign: always on the axis. */
    mkba_svg_range(&g, fmin(x0, 0), fmax(x1, 0), 0, 1, 1);
    mkba_svg_axes(&g, axis, NULL);
    mkba_svg_vline(&g, 0);
    for (size_t i = 0; i < n; i++) {
        double y = (double)(n - 1 - i), lo = tb->num[i * tb->ncols + 3];
        double hi = tb->num[i * tb->ncols + 4], mid = isfinite(base) ? base : 0.5 * (lo + hi);
        char tip[256], b1[96], b2[96];
        snprintf(tip, sizeof tip, "%s: %s %s, %s %s", ycat[n - 1 - i], S(h, HS_AT_LOW),
                 number(h, b1, sizeof b1, lo, 0), S(h, HS_AT_HIGH), number(h, b2, sizeof b2, hi, 0));
        mkba_svg_rect(&g, lo, y - 0.32, mid, y + 0.32, mkba_svg_colour(4), tip);
        mkba_svg_rect(&g, mid, y - 0.32, hi, y + 0.32, mkba_svg_colour(0), tip);
    }
    if (isfinite(base))
        mkba_svg_vline(&g, base);
    const char *names[2] = { S(h, HS_AT_LOW), S(h, HS_AT_HIGH) };
    const char *colours[2] = { mkba_svg_colour(4), mkba_svg_colour(0) };
    mkba_svg_legend(&g, 2, names, colours);
    mkba_svg_end(&g);
    para(h, "note", S(h, HS_TORNADO_NOTE));
}

/* Sobol: columns factor, S1, S1 low, S1 high, ST, ST low, ST high. */
static void sobol_chart(doc *h, const mkba_rtable *tb)
{
    size_t n = tb->nrows < MAX_BARS ? tb->nrows : MAX_BARS;
    if (n == 0 || tb->ncols < 7)
        return;
    const char *ycat[MAX_BARS];
    mkba_svg g;
    bar_chart_begin(h, &g, tb, ycat, n, 30.0);
    mkba_svg_range(&g, 0, 1, 0, 1, 1);
    mkba_svg_axes(&g, S(h, HS_INDEX), NULL);
    for (size_t i = 0; i < n; i++) {
        double y = (double)(n - 1 - i);
        const double *v = &tb->num[i * tb->ncols];
        for (int k = 0; k < 2; k++) {
            double ya = y + (k == 0 ? 0.02 : -0.34), yb = ya + 0.32;
            mkba_svg_rect(&g, 0, ya, fmax(0, v[1 + 3 * k]), yb, mkba_svg_colour(k == 0 ? 4 : 0),
                          k == 0 ? "S1" : "ST");
            double lx[2] = { v[2 + 3 * k], v[3 + 3 * k] }, ly[2] = { ya + 0.16, ya + 0.16 };
            mkba_svg_line(&g, 2, lx, ly, "#000000", 1.2, 0);
        }
    }
    const char *names[2] = { "S1", "ST" };
    const char *colours[2] = { mkba_svg_colour(4), mkba_svg_colour(0) };
    mkba_svg_legend(&g, 2, names, colours);
    mkba_svg_end(&g);
    para(h, "note", S(h, HS_SOBOL_NOTE));
}

/* Bars of column `col` per row with whiskers: columns lo and hi, or, with
 * lo < 0, col -+ k x column hi (an MCSE or standard error). The rows as
 * the table sorts them. */
static void whisker_bars(doc *h, const mkba_rtable *tb, size_t col, int lo, size_t hi, double k)
{
    size_t n = tb->nrows < MAX_BARS ? tb->nrows : MAX_BARS;
    if (n == 0)
        return;
    const char *ycat[MAX_BARS];
    double x0 = 0, x1 = 0, a[MAX_BARS], b[MAX_BARS];
    for (size_t i = 0; i < n; i++) {
        const double *v = &tb->num[i * tb->ncols];
        a[i] = lo >= 0 ? v[lo] : v[col] - k * v[hi];
        b[i] = lo >= 0 ? v[hi] : v[col] + k * v[hi];
        x0 = fmin(x0, fmin(v[col], isfinite(a[i]) ? a[i] : v[col]));
        x1 = fmax(x1, fmax(v[col], isfinite(b[i]) ? b[i] : v[col]));
    }
    mkba_svg g;
    bar_chart_begin(h, &g, tb, ycat, n, 26.0);
    mkba_svg_range(&g, x0, x1, 0, 1, 1);
    mkba_svg_axes(&g, tb->col[col], NULL);
    mkba_svg_vline(&g, 0);
    for (size_t i = 0; i < n; i++) {
        double y = (double)(n - 1 - i), v = tb->num[i * tb->ncols + col];
        char tip[256], b1[96];
        snprintf(tip, sizeof tip, "%s: %s", ycat[n - 1 - i], number(h, b1, sizeof b1, v, 2));
        mkba_svg_rect(&g, 0, y - 0.3, v, y + 0.3, mkba_svg_colour(v < 0 ? 5 : 0), tip);
        double lx[2] = { a[i], b[i] }, ly[2] = { y, y };
        mkba_svg_line(&g, 2, lx, ly, "#000000", 1.2, 0);
    }
    mkba_svg_end(&g);
}

/* morris_ARM: mu* with its bootstrap interval. */
static void morris_chart(doc *h, const mkba_rtable *tb)
{
    whisker_bars(h, tb, 1, 2, 3, 0);
}

/* believe_ARM: each lever's contribution, +- 2 MCSE. */
static void believe_chart(doc *h, const mkba_rtable *tb)
{
    whisker_bars(h, tb, 1, -1, 3, 2.0);
}

/* evppi: the EVPPI of each parameter group, +- 2 SE. */
static void evppi_chart(doc *h, const mkba_rtable *tb)
{
    whisker_bars(h, tb, 1, -1, 2, 2.0);
}

/* The name of swept factor i (/sa/factor), or `otherwise`, in buf. */
static const char *factor_name(doc *h, size_t i, const char *otherwise, char *buf,
                               size_t size)
{
    char **f = NULL;
    size_t n = 0;
    snprintf(buf, size, "%s", otherwise);
    if (mkba_h5_store_read_strings(h->st, "/sa/factor", &f, &n, NULL) == MKBA_OK && i < n)
        snprintf(buf, size, "%s", f[i]);
    mkba_h5_store_strings_free(f, n);
    return buf;
}

/* The position of v among the *n distinct values in vals (added when
 * new; vals has room for every value); *n grows. */
static size_t level_of(double *vals, size_t *n, double v)
{
    for (size_t i = 0; i < *n; i++)
        if (vals[i] == v || (isnan(vals[i]) && isnan(v)))
            return i;
    vals[(*n)++] = v;
    return *n - 1;
}

/* A fill between white and colour c (a share t of the way). */
static void blend(char *buf, size_t size, const char *c, double t)
{
    unsigned r, g, b;
    if (sscanf(c, "#%02x%02x%02x", &r, &g, &b) != 3)
        r = g = b = 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    snprintf(buf, size, "#%02x%02x%02x", (unsigned)lround(255 - t * (255.0 - r)),
             (unsigned)lround(255 - t * (255.0 - g)), (unsigned)lround(255 - t * (255.0 - b)));
}

/* sweep: columns first, second, arm, value. One factor: a line per arm;
 * two: a heat map per arm, blue above 0 and orange below. Any number of
 * levels and arms (at most one of each per row). */
static void sweep_chart(doc *h, const mkba_rtable *tb)
{
    size_t R = tb->nrows, n1 = 0, n2 = 0, na = 0;
    double *v1 = mkba_malloc((2 * R + 1) * sizeof *v1), *v2 = v1 + R, *y = NULL;
    const char **arm = mkba_malloc((R + 1) * sizeof *arm);
    const char **colours = mkba_malloc((R + 1) * sizeof *colours);
    char *labels = NULL, fx[128], fy[128];
    double lo = 0, hi = 0;
    if (v1 == NULL || arm == NULL || colours == NULL)
        goto done;
    for (size_t r = 0; r < R; r++) {
        const double *v = &tb->num[r * tb->ncols];
        level_of(v1, &n1, v[0]);
        level_of(v2, &n2, v[1]);
        const char *a = tb->str[r * tb->ncols + 2] != NULL ? tb->str[r * tb->ncols + 2] : "";
        size_t k = 0;
        while (k < na && strcmp(arm[k], a) != 0)
            k++;
        if (k == na)
            arm[na++] = a;
        lo = fmin(lo, v[3]);
        hi = fmax(hi, v[3]);
    }
    if (n1 == 0 || na == 0)
        goto done;
    char title[512];
    chart_title(h, tb, title, sizeof title);
    fputs("<h3>", h->f);
    text(h, title);
    fputs("</h3>\n", h->f);
    if ((y = mkba_malloc((n1 * n2 * na + 1) * sizeof *y)) == NULL)
        goto done;
    for (size_t i = 0; i < n1 * n2 * na; i++)
        y[i] = NAN;
    for (size_t r = 0; r < R; r++) {
        const double *v = &tb->num[r * tb->ncols];
        size_t i = level_of(v1, &n1, v[0]), j = level_of(v2, &n2, v[1]);
        const char *a = tb->str[r * tb->ncols + 2] != NULL ? tb->str[r * tb->ncols + 2] : "";
        size_t k = 0;
        while (k < na && strcmp(arm[k], a) != 0)
            k++;
        y[(k * n1 + i) * n2 + j] = v[3];
    }
    mkba_svg g;
    if (n2 == 1) {
        mkba_svg_begin(&g, h->f, 640, 360, title, h->nl);
        mkba_svg_range(&g, v1[0], v1[n1 - 1], lo, hi, 1);
        mkba_svg_axes(&g, factor_name(h, 0, tb->col[0], fx, sizeof fx), tb->col[3]);
        mkba_svg_hline(&g, 0);
        for (size_t k = 0; k < na; k++) {
            colours[k] = mkba_svg_colour(k + 1);
            mkba_svg_line(&g, n1, v1, y + k * n1, colours[k], 2.5, 0);
        }
        mkba_svg_legend(&g, na, arm, colours);
        mkba_svg_end(&g);
        goto done;
    }
    /* Heat maps: the first factor across, the second up; on a long axis
     * every step-th level labelled (about 12 across, 40 up). */
    const char **xc = mkba_malloc((n1 + n2 + 1) * sizeof *xc), **yc = xc + n1;
    labels = mkba_malloc((n1 + n2 + 1) * 32);
    if (xc == NULL || labels == NULL) {
        mkba_free(xc);
        goto done;
    }
    for (size_t i = 0; i < n1; i++)
        xc[i] = number(h, labels + 32 * i, 32, v1[i], 3);
    for (size_t j = 0; j < n2; j++)
        yc[j] = number(h, labels + 32 * (n1 + j), 32, v2[j], 3);
    const char **shown = mkba_malloc((n1 + n2 + 1) * sizeof *shown);
    if (shown == NULL) {
        mkba_free(xc);
        goto done;
    }
    size_t sx = (n1 + 11) / 12, sy = (n2 + 39) / 40;
    for (size_t i = 0; i < n1; i++)
        shown[i] = i % sx == 0 ? xc[i] : "";
    for (size_t j = 0; j < n2; j++)
        shown[n1 + j] = j % sy == 0 ? yc[j] : "";
    double span = fmax(fabs(lo), fabs(hi));
    factor_name(h, 0, tb->col[0], fx, sizeof fx);
    factor_name(h, 1, tb->col[1], fy, sizeof fy);
    for (size_t k = 0; k < na; k++) {
        fputs("<h4>", h->f);      /* which arm: the heading of its map */
        text(h, arm[k]);
        fputs("</h4>\n", h->f);
        double rows = n2 <= 40 ? 28.0 * (double)n2 : 1120.0;
        mkba_svg_begin(&g, h->f, 640, 120 + rows, arm[k], h->nl);
        g.xcat = shown;
        g.nxcat = n1;
        g.ycat = shown + n1;
        g.nycat = n2;
        mkba_svg_range(&g, 0, 1, 0, 1, 0);
        mkba_svg_axes(&g, fx, fy);
        for (size_t i = 0; i < n1; i++)
            for (size_t j = 0; j < n2; j++) {
                double v = y[(k * n1 + i) * n2 + j];
                char fill[16], tip[160], b1[96];
                blend(fill, sizeof fill, mkba_svg_colour(v < 0 ? 1 : 0),
                      span > 0 && isfinite(v) ? fabs(v) / span : 0);
                snprintf(tip, sizeof tip, "%s, %s: %s", xc[i], yc[j],
                         number(h, b1, sizeof b1, v, 0));
                mkba_svg_rect(&g, (double)i - 0.5, (double)j - 0.5, (double)i + 0.5,
                              (double)j + 0.5, fill, tip);
                if (n1 <= 10 && n2 <= 12)
                    mkba_svg_text(&g, (double)i, (double)j, 0, 4, "middle", b1);
            }
        const char *names[2] = { "< 0", "> 0" };
        const char *key[2] = { mkba_svg_colour(1), mkba_svg_colour(0) };
        mkba_svg_legend(&g, 2, names, key);
        mkba_svg_end(&g);
    }
    mkba_free(shown);
    mkba_free(xc);
done:
    mkba_free(labels);
    mkba_free(y);
    mkba_free(colours);
    mkba_free(arm);
    mkba_free(v1);
}

/* threshold: the difference between the two arms over the factor's values;
 * where it crosses 0 the decision flips. */
static void threshold_chart(doc *h, const mkba_rtable *tb)
{
    size_t n = tb->nrows;
    if (n < 2)
        return;
    double *x = mkba_malloc(2 * n * sizeof *x);
    if (x == NULL)
        return;
    double *y = x + n, lo = 0, hi = 0;
    for (size_t i = 0; i < n; i++) {
        x[i] = tb->num[i * tb->ncols];
        y[i] = tb->num[i * tb->ncols + 1];
        lo = fmin(lo, y[i]);
        hi = fmax(hi, y[i]);
    }
    char title[512];
    chart_title(h, tb, title, sizeof title);
    fputs("<h3>", h->f);
    text(h, title);
    fputs("</h3>\n", h->f);
    mkba_svg g;
    mkba_svg_begin(&g, h->f, 640, 360, title, h->nl);
    mkba_svg_range(&g, x[0], x[n - 1], lo, hi, 1);
    mkba_svg_axes(&g, tb->col[0], tb->col[1]);
    mkba_svg_hline(&g, 0);
    mkba_svg_line(&g, n, x, y, mkba_svg_colour(0), 2.5, 0);
    mkba_svg_points(&g, n, x, y, mkba_svg_colour(0), 3, 1);
    mkba_svg_end(&g);
    mkba_free(x);
}

/* The charts of the /sa tables, by table id prefix, listed once. */
static const struct {
    const char *prefix;
    void (*chart)(doc *h, const mkba_rtable *tb);
} sa_charts[] = {
    { "tornado_", tornado_chart }, { "sobol_", sobol_chart }, { "morris_", morris_chart },
    { "believe_", believe_chart }, { "evppi", evppi_chart }, { "sweep", sweep_chart },
    { "threshold", threshold_chart },
};

static int section_sensitivity(doc *h)
{
    heading(h, "sensitivity", S(h, HS_SENSITIVITY));
    size_t charts = 0;
    for (size_t c = 0; c < sizeof sa_charts / sizeof sa_charts[0]; c++) {
        size_t i = 0;
        const mkba_rtable *tb;
        while ((tb = next_table(h->r, sa_charts[c].prefix, &i)) != NULL) {
            sa_charts[c].chart(h, tb);
            charts++;
        }
    }
    if (charts == 0)
        para(h, "note", S(h, HS_NO_SA));
    fputs("</section>\n", h->f);
    return 0;
}

/* Ex ante versus realised: the ex-post layer's section goes here when the
 * file holds /expost. */
static int section_expost(doc *h)
{
    heading(h, "expost", S(h, HS_EXPOST));
    para(h, "note", S(h, mkba_h5_store_has(h->st, "/expost") ? HS_EXPOST_PRESENT : HS_NO_EXPOST));
    fputs("</section>\n", h->f);
    return 0;
}

/* ---- key assumptions ---- */

static void fact(doc *h, mkba_html_string name, const char *value)
{
    fputs("<tr><th>", h->f);
    text(h, S(h, name));
    fputs("</th><td>", h->f);
    text(h, value);
    fputs("</td></tr>\n", h->f);
}

static int section_assumptions(doc *h)
{
    const mkba_h5_totals *t = h->t;
    char b1[96], b2[96], v[1024];
    heading(h, "assumptions", S(h, HS_ASSUMPTIONS));
    fputs("<table class=\"facts\">\n", h->f);
    fact(h, HS_SCENARIO, t->scenario_name != NULL ? t->scenario_name : "");
    fact(h, HS_REFERENCE, t->arm[t->reference]);
    fact(h, HS_DISCOUNT, fmt(v, sizeof v, "%s%% / %s%%",
                             number(h, b1, sizeof b1, 100 * t->rate_costs, 2),
                             number(h, b2, sizeof b2, 100 * t->rate_effects, 2)));
    fact(h, HS_PRICE_YEAR, fmt(v, sizeof v, "%d (%s)", t->price_year, h->money));
    fact(h, HS_HORIZON, fmt(v, sizeof v, S(h, HS_YEARS_CYCLES),
                            years(h, b1, sizeof b1, (double)t->ncycles * t->cycle_years),
                            years(h, b2, sizeof b2, t->cycle_years)));
    if (t->households > 0)
        fact(h, HS_HOUSEHOLDS, fmt(v, sizeof v, "%ld", t->households));
    else
        fact(h, HS_HOUSEHOLDS, S(h, HS_COHORT_MODE));
    fact(h, HS_DRAWS, fmt(v, sizeof v, "%zu", t->ndraws));
    mkba_run_facts rf;
    if (mkba_run_facts_read(h->path, &rf) != MKBA_OK)
        return -1;
    if (rf.has_seed)
        fact(h, HS_SEED, fmt(v, sizeof v, "%llu", (unsigned long long)rf.seed));
    if (rf.version[0] != '\0')
        fact(h, HS_VERSION, rf.version);
    fact(h, HS_OPTIMISM, fmt(v, sizeof v, "%s%% / %s%%",
                             number(h, b1, sizeof b1, 100 * t->optimism_bias, 1),
                             number(h, b2, sizeof b2, 100 * t->deadweight, 1)));
    size_t used = 0;
    v[0] = '\0';
    for (size_t i = 0; i < t->npm && used < sizeof v; i++) {
        int n = snprintf(v + used, sizeof v - used, "%s%s", i > 0 ? "; " : "", t->pm_item[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    fact(h, HS_PM_ITEMS, t->npm > 0 ? v : S(h, HS_NONE));
    fputs("</table>\n</section>\n", h->f);
    return 0;
}

/* ---- every table of the summary ---- */

static int section_tables(doc *h)
{
    heading(h, "tables", S(h, HS_TABLES));
    para(h, "note", S(h, HS_TABLES_NOTE));
    char buf[64];
    for (size_t i = 0; i < h->r->n; i++) {
        const mkba_rtable *tb = h->r->table[i];
        fprintf(h->f, "<details><summary>");
        text(h, tb->title);
        fputs("</summary>\n<table class=\"data\" id=\"table-", h->f);
        text(h, tb->id);
        fputs("\">\n<tr>", h->f);
        for (size_t c = 0; c < tb->ncols; c++) {
            fputs("<th>", h->f);
            text(h, tb->col[c]);
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
                    text(h, s != NULL ? s : "");
                    fputs("</td>", h->f);
                    continue;
                }
                mkba_col_kind k = tb->cell_kind[row * tb->ncols + c];
                if (k == MKBA_COL_SHARE)
                    num_cell(h, v, percent(h, buf, sizeof buf, v));
                else
                    num_cell(h, v, number(h, buf, sizeof buf, v,
                                          k == MKBA_COL_MONEY || k == MKBA_COL_INT ? 0
                                          : k == MKBA_COL_EFFECT ? 4
                                          : k == MKBA_COL_YEAR ? 1 : 2));
            }
            fputs("</tr>\n", h->f);
        }
        fputs("</table>\n", h->f);
        for (size_t n = 0; n < tb->nnotes; n++)
            para(h, "note", tb->note[n]);
        fputs("</details>\n", h->f);
    }
    fputs("</section>\n", h->f);
    return 0;
}

/* The sections, in order; `run`: only for the result file of a run
 * (needs totals and decision outputs). */
typedef struct section {
    int (*write)(doc *h);
    int run;
} section;

static const section sections[] = {
    { section_answer, 1 },
    { section_plane, 1 },
    { section_ceac, 1 },
    { section_cashflow, 1 },
    { section_payers, 1 },
    { section_budget, 1 },
    { section_ranking, 1 },
    { section_services, 1 },
    { section_sensitivity, 0 },
    { section_expost, 0 },
    { section_assumptions, 1 },
    { section_tables, 0 },
};

static const char style[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;color:#222;margin:0;background:#fff}"
    "main{max-width:1000px;margin:0 auto;padding:16px 24px}"
    "h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;border-bottom:2px solid #0072B2;"
    "padding-bottom:3px;margin-top:32px}h3{font-size:16px;margin:18px 0 6px}"
    "p.note{color:#555;font-size:13px;max-width:900px}"
    "p.warning{font-size:14px;background:#fff4e0;border-left:5px solid #E69F00;padding:6px 12px}"
    "p.answer{font-size:17px;line-height:1.5;background:#eef5fb;padding:12px 16px;"
    "border-left:5px solid #0072B2}"
    "table{border-collapse:collapse;font-size:13px;margin:8px 0}"
    "th,td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "tr.best td{font-weight:bold}"
    "table.facts th{font-weight:normal;color:#555}"
    "figure.chart{margin:6px 0;max-width:100%}"
    "svg.chart{display:block;font-size:12px;max-width:100%;height:auto}"
    "div.legend{display:flex;flex-wrap:wrap;gap:2px 14px;font-size:12px;margin:2px 0 0;"
    "padding-left:8px;box-sizing:border-box}"
    "span.key{display:inline-block;width:12px;height:12px;margin-right:5px;"
    "vertical-align:-1px}"
    "svg .grid{stroke:#e3e3e3}svg .frame{fill:none;stroke:#999}"
    "svg .ref{stroke:#333;stroke-width:1}svg text{fill:#222}"
    "svg text.title{font-size:13px}svg text.note{font-size:11px}"
    "div.pair{display:flex;flex-wrap:wrap;gap:8px}"
    "div.pair>figure.chart{flex:1 1 430px;min-width:0;max-width:470px}"
    "details{margin:6px 0}summary{cursor:pointer;font-size:14px}"
    "@media print{details{display:block}section{break-inside:avoid-page}}";

static int write_doc(doc *h, const char *title)
{
    FILE *f = h->f;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\"/>\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
            "<title>", h->nl ? "nl" : "en");
    text(h, title);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>", style);
    text(h, title);
    fputs("</h1>\n", f);
    if (h->t != NULL) {
        char note[512];
        const mkba_h5_totals *t = h->t;
        para(h, "note", fmt(note, sizeof note, S(h, HS_UNIT_NOTE), h->money, t->price_year));
        /* The warnings of the text summary's header. */
        if (t->design != NULL && strcmp(t->design, "points") == 0)
            para(h, "warning", fmt(note, sizeof note, S(h, HS_POINTS), t->ndraws,
                                   t->design_draw != NULL ? t->design_draw : "?"));
        else if (t->draws > 0 && t->ndraws != (size_t)t->draws)
            para(h, "warning", fmt(note, sizeof note, S(h, HS_SPLIT_PART), t->ndraws, t->draws));
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof sections / sizeof sections[0]; i++)
        if (!sections[i].run || h->t != NULL)
            rc = sections[i].write(h);
    fputs("</main>\n</body>\n</html>\n", f);
    return rc;
}

/* Dutch unless the scenario's payers are not Dutch: any payer named
 * gemeente... makes it a Dutch scenario. */
static int dutch_scenario(const mkba_h5_totals *t)
{
    for (size_t p = 0; t != NULL && p < t->npayers; p++)
        if (strncmp(t->payer[p], "gemeente", 8) == 0)
            return 1;
    return 0;
}

/* Reads the per-draw cumulative flows of /analysis/cashflow when the file
 * has them. */
static int read_flows(doc *h, mkba_error *err)
{
    const mkba_h5_totals *t = h->t;
    size_t K = t->nperspectives, D = t->ndraws, A = t->narms, Y = h->d->nyears;
    if (!mkba_h5_store_has(h->st, "/analysis/cashflow/cumulative_discounted") || Y == 0)
        return MKBA_OK;
    size_t d4[4] = { K, D, A, Y };
    if ((h->cum = mkba_malloc(K * D * A * Y * sizeof *h->cum)) == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    return mkba_h5_store_read_doubles(h->st, "/analysis/cashflow/cumulative_discounted", 4, d4,
                                      h->cum, err);
}

static int load(doc *h, const char *path, mkba_error *err)
{
    int sa = mkba_sa_report_is_sa(path, err);
    if (sa < 0)
        return err != NULL ? err->code : MKBA_ENOMEM;
    if (sa) {
        if ((h->st = mkba_h5_store_open(path, 0, err)) == NULL)
            return err != NULL ? err->code : MKBA_EIO;
        if ((h->r = mkba_report_alloc()) == NULL)
            return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        return mkba_sa_report_build(path, h->r, err);
    }
    /* The totals first: their reader says plainly what is wrong with a
     * file that is missing or not a result file. */
    int rc = mkba_h5_read_totals(path, &h->t, err);
    if (rc == MKBA_OK && (h->st = mkba_h5_store_open(path, 0, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_EIO;
    if (rc == MKBA_OK && (h->s = mkba_summary_alloc(h->t, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK)
        rc = mkba_decision_load(path, h->t, &h->d, err);
    if (rc == MKBA_OK) {
        mkba_summary_report_options ro = { path, -1, 0 };
        if ((h->r = mkba_summary_report(h->t, h->s, h->d, &ro)) == NULL)
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    }
    if (rc == MKBA_OK && (h->an = mkba_answer_alloc(path, h->t, h->d, err)) == NULL)
        rc = err != NULL ? err->code : MKBA_ENOMEM;
    if (rc == MKBA_OK) {
        snprintf(h->money, sizeof h->money, "%s", h->t->currency ? h->t->currency : "");
        rc = read_flows(h, err);
    }
    return rc;
}

static void doc_free(doc *h)
{
    mkba_free(h->cum);
    mkba_answer_free(h->an);
    mkba_report_free(h->r);
    mkba_decision_free(h->d);
    mkba_summary_free(h->s);
    mkba_h5_totals_free(h->t);
    mkba_h5_store_close(h->st, NULL);
}

static int html_report(const char *path, const mkba_html_options *o, mkba_error *err)
{
    if (o->output == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "the report needs an output file");
    doc h;
    memset(&h, 0, sizeof h);
    h.path = path;
    int rc = load(&h, path, err);
    if (rc == MKBA_OK) {
        h.nl = o->lang != NULL ? strcmp(o->lang, "nl") == 0 : dutch_scenario(h.t);
        char title[512];
        /* The scenario's name, or for a sensitivity file its file name
         * without the folders. */
        const char *slash = strrchr(path, '/');
        const char *name = h.t != NULL && h.t->scenario_name ? h.t->scenario_name
                           : slash != NULL ? slash + 1 : path;
        snprintf(title, sizeof title, "%s: %s", S(&h, h.t != NULL ? HS_TITLE : HS_SA_FILE),
                 name);
        mkba_outfile of;
        rc = mkba_outfile_open(&of, o->output, path, 1, err);
        if (rc == MKBA_OK) {
            h.f = of.f;
            if (write_doc(&h, title) != 0) {
                mkba_outfile_discard(&of);
                rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing the report");
            } else {
                rc = mkba_outfile_commit(&of, err);
            }
        }
    }
    doc_free(&h);
    return rc;
}

int mkba_report_html(const mkba_context *ctx, const char *path, const mkba_html_options *o,
                     mkba_error *err)
{
    mkba_alloc_scope scope = mkba_alloc_enter(mkba_context_allocator(ctx));
    int rc = html_report(path, o, err);
    mkba_alloc_leave(scope);
    return rc;
}
