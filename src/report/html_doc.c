/* The writers the sections of the HTML report share (see html_doc.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "html_doc.h"
#include "html_text.h"

#define HTML_STRING(id, en, nl) { en, nl },
static const char *const strings[HS_N][2] = { MKBA_HTML_STRINGS(HTML_STRING) };
#undef HTML_STRING

const char *mkba_html_s(const mkba_html_doc *h, mkba_html_string id)
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

const char *mkba_html_fmt(char *buf, size_t size, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(buf, size, format, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= size)
        utf8_cut(buf);
    return buf;
}

void mkba_html_text(const mkba_html_doc *h, const char *s)
{
    mkba_xml_text(h->f, s);
}

/* An amount of money, rounded to whole units, with its currency sign. */
const char *mkba_html_money(const mkba_html_doc *h, char *buf, size_t size, double v)
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

const char *mkba_html_percent(const mkba_html_doc *h, char *buf, size_t size, double share)
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

const char *mkba_html_number(const mkba_html_doc *h, char *buf, size_t size, double v,
                             int decimals)
{
    mkba_format_number(buf, size, v, decimals, h->nl);
    return buf;
}

void mkba_html_heading(const mkba_html_doc *h, const char *id, const char *title)
{
    fprintf(h->f, "<section id=\"%s\">\n<h2>", id);
    mkba_html_text(h, title);
    fputs("</h2>\n", h->f);
}

void mkba_html_para(const mkba_html_doc *h, const char *cls, const char *s)
{
    fprintf(h->f, "<p class=\"%s\">", cls);
    mkba_html_text(h, s);
    fputs("</p>\n", h->f);
}

/* A table cell holding a number shown as `shown`, with the exact value in
 * data-value (for readers and the tests). */
void mkba_html_num_cell(const mkba_html_doc *h, double v, const char *shown)
{
    if (isfinite(v))
        fprintf(h->f, "<td class=\"n\" data-value=\"%.17g\">", v);
    else
        fputs("<td class=\"n\">", h->f);
    mkba_html_text(h, shown);
    fputs("</td>", h->f);
}

void mkba_html_h3(const mkba_html_doc *h, const char *title)
{
    fputs("<h3>", h->f);
    mkba_html_text(h, title);
    fputs("</h3>\n", h->f);
}

int mkba_html_chart(mkba_html_doc *h, size_t i)
{
    const mkba_chart *c = &h->plots.chart[i];
    if (c->heading[0] != '\0')
        mkba_html_h3(h, c->heading);
    if (mkba_plots_embed(h->f, &h->plots, i, h->err) != 0)
        return -1;
    h->plots.chart[i].placed = 1;
    return 0;
}

long mkba_html_charts(mkba_html_doc *h, const char *section)
{
    long n = 0;
    for (size_t i = 0; i < h->plots.n; i++) {
        if (strcmp(h->plots.chart[i].section, section) != 0)
            continue;
        if (mkba_html_chart(h, i) != 0)
            return -1;
        n++;
    }
    return n;
}
