/* Inline SVG charts (see svg.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "svg.h"

/* Okabe & Ito (2008), "Color Universal Design", without the yellow, which
 * is too light on white. */
static const char *const palette[] = {
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999",
};

const char *mkba_svg_colour(size_t i)
{
    return palette[i % (sizeof palette / sizeof palette[0])];
}

void mkba_xml_text(FILE *f, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*p, f); break;
        }
    }
}

void mkba_format_number(char *buf, size_t size, double v, int decimals, int decimal_comma)
{
    if (isnan(v)) {
        snprintf(buf, size, "n/a");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, "%s", v > 0 ? "∞" : "-∞");
        return;
    }
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
    if (strtod(raw, NULL) == 0.0)
        v = 0.0;                               /* no "-0" */
    char *dot = strchr(raw, '.');
    size_t whole = dot != NULL ? (size_t)(dot - raw) : strlen(raw);
    size_t k = 0;
    if (v < 0 && k + 1 < size)
        buf[k++] = '-';
    for (size_t i = 0; i < whole && k + 2 < size; i++) {
        buf[k++] = raw[i];
        if ((whole - i - 1) % 3 == 0 && i + 1 < whole)
            buf[k++] = decimal_comma ? '.' : ',';
    }
    if (dot != NULL && k + 1 < size) {
        buf[k++] = decimal_comma ? ',' : '.';
        for (const char *p = dot + 1; *p && k + 1 < size; p++)
            buf[k++] = *p;
    }
    buf[k] = '\0';
}

static double px(const mkba_svg *s, double x)
{
    return s->left + (x - s->x0) / (s->x1 - s->x0) * (s->width - s->left - s->right);
}

static double py(const mkba_svg *s, double y)
{
    return s->height - s->bottom
           - (y - s->y0) / (s->y1 - s->y0) * (s->height - s->top - s->bottom);
}

void mkba_svg_begin(mkba_svg *s, FILE *f, double width, double height, const char *title,
                    int decimal_comma)
{
    memset(s, 0, sizeof *s);
    s->f = f;
    s->width = width;
    s->height = height;
    s->left = 78;
    s->right = 30;
    s->top = 34;
    s->bottom = 46;
    s->x0 = s->y0 = 0;
    s->x1 = s->y1 = 1;
    s->decimal_comma = decimal_comma;
    fputs("<figure class=\"chart\">", f);
    fprintf(f, "<svg class=\"chart\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
            "role=\"img\" aria-label=\"", width, height, width, height);
    mkba_xml_text(f, title);
    fputs("\"><title>", f);
    mkba_xml_text(f, title);
    fputs("</title>\n", f);
}

/* A tick step of 1, 2 or 5 times a power of ten giving about n ticks. */
static double tick_step(double range, int n)
{
    if (!(range > 0) || !isfinite(range))
        return 1.0;
    double raw = range / n, mag = pow(10.0, floor(log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1.0 : r < 3.5 ? 2.0 : r < 7.5 ? 5.0 : 10.0) * mag;
}

static void axis_range(double *lo, double *hi, int zero, size_t ncat)
{
    if (ncat > 0) {
        *lo = -0.5;
        *hi = (double)ncat - 0.5;
        return;
    }
    if (!isfinite(*lo) || !isfinite(*hi)) {
        *lo = 0.0;
        *hi = 1.0;
    }
    if (zero) {
        if (*lo > 0)
            *lo = 0;
        if (*hi < 0)
            *hi = 0;
    }
    if (*hi - *lo <= 1e-12 * (fabs(*hi) + fabs(*lo)) || *hi <= *lo) {
        double pad = fabs(*hi) > 0 ? 0.1 * fabs(*hi) : 1.0;
        *lo -= pad;
        *hi += pad;
    }
    double step = tick_step(*hi - *lo, 5);
    *lo = floor(*lo / step) * step;
    *hi = ceil(*hi / step) * step;
}

void mkba_svg_range(mkba_svg *s, double x0, double x1, double y0, double y1, int zero)
{
    s->x0 = x0;
    s->x1 = x1;
    s->y0 = y0;
    s->y1 = y1;
    axis_range(&s->x0, &s->x1, 0, s->nxcat);
    axis_range(&s->y0, &s->y1, zero, s->nycat);
}

/* Tick label: few decimals for a step below 1. */
static void tick_label(const mkba_svg *s, char *buf, size_t size, double v, double step)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    mkba_format_number(buf, size, v, dec, s->decimal_comma);
}

static void label(FILE *f, double x, double y, const char *anchor, const char *text,
                  const char *extra)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>", x, y, anchor, extra);
    mkba_xml_text(f, text);
    fputs("</text>\n", f);
}

void mkba_svg_axes(mkba_svg *s, const char *xlabel, const char *ylabel)
{
    FILE *f = s->f;
    char buf[64];
    double xl = s->left, xr = s->width - s->right, yt = s->top, yb = s->height - s->bottom;
    fputs("<g class=\"axes\">\n", f);
    if (s->nxcat > 0) {
        for (size_t i = 0; i < s->nxcat; i++)
            label(f, px(s, (double)i), yb + 16, "middle", s->xcat[i], "");
    } else {
        double step = tick_step(s->x1 - s->x0, 6);
        for (double v = ceil(s->x0 / step - 1e-9) * step; v <= s->x1 + 1e-9 * step; v += step) {
            fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                    px(s, v), yt, px(s, v), yb);
            tick_label(s, buf, sizeof buf, v, step);
            label(f, px(s, v), yb + 16, "middle", buf, "");
        }
    }
    if (s->nycat > 0) {
        for (size_t i = 0; i < s->nycat; i++)
            label(f, xl - 6, py(s, (double)i) + 4, "end", s->ycat[i], "");
    } else {
        double step = tick_step(s->y1 - s->y0, 5);
        for (double v = ceil(s->y0 / step - 1e-9) * step; v <= s->y1 + 1e-9 * step; v += step) {
            fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                    xl, py(s, v), xr, py(s, v));
            tick_label(s, buf, sizeof buf, v, step);
            label(f, xl - 6, py(s, v) + 4, "end", buf, "");
        }
    }
    fprintf(f, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
            xl, yt, xr - xl, yb - yt);
    if (xlabel != NULL)
        label(f, (xl + xr) / 2, s->height - 8, "middle", xlabel, " class=\"title\"");
    if (ylabel != NULL) {
        char rot[96];
        snprintf(rot, sizeof rot, " class=\"title\" transform=\"rotate(-90 14 %.1f)\"",
                 (yt + yb) / 2);
        label(f, 14, (yt + yb) / 2, "middle", ylabel, rot);
    }
    fputs("</g>\n", f);
}

void mkba_svg_hline(mkba_svg *s, double y)
{
    if (y >= s->y0 && y <= s->y1)
        fprintf(s->f, "<line class=\"ref\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                s->left, py(s, y), s->width - s->right, py(s, y));
}

void mkba_svg_vline(mkba_svg *s, double x)
{
    if (x >= s->x0 && x <= s->x1)
        fprintf(s->f, "<line class=\"ref\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                px(s, x), s->top, px(s, x), s->height - s->bottom);
}

void mkba_svg_line(mkba_svg *s, size_t n, const double *x, const double *y,
                   const char *colour, double width, int dash)
{
    int open = 0;
    for (size_t i = 0; i <= n; i++) {
        int ok = i < n && isfinite(x[i]) && isfinite(y[i]);
        if (ok && !open) {
            fprintf(s->f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s "
                    "points=\"", colour, width, dash ? " stroke-dasharray=\"6 4\"" : "");
            open = 1;
        }
        if (ok)
            fprintf(s->f, "%.1f,%.1f ", px(s, x[i]), py(s, y[i]));
        if (!ok && open) {
            fputs("\"/>\n", s->f);
            open = 0;
        }
    }
}

void mkba_svg_band(mkba_svg *s, size_t n, const double *x, const double *lo, const double *hi,
                   const char *colour)
{
    fprintf(s->f, "<polygon fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\" points=\"", colour);
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(hi[i]))
            fprintf(s->f, "%.1f,%.1f ", px(s, x[i]), py(s, hi[i]));
    for (size_t i = n; i-- > 0;)
        if (isfinite(x[i]) && isfinite(lo[i]))
            fprintf(s->f, "%.1f,%.1f ", px(s, x[i]), py(s, lo[i]));
    fputs("\"/>\n", s->f);
}

void mkba_svg_points(mkba_svg *s, size_t n, const double *x, const double *y,
                     const char *colour, double r, double opacity)
{
    fprintf(s->f, "<g fill=\"%s\" fill-opacity=\"%.2f\">", colour, opacity);
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            fprintf(s->f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"/>", px(s, x[i]),
                    py(s, y[i]), r);
    fputs("</g>\n", s->f);
}

void mkba_svg_rect(mkba_svg *s, double xa, double ya, double xb, double yb, const char *colour,
                   const char *tip)
{
    if (!isfinite(xa) || !isfinite(xb) || !isfinite(ya) || !isfinite(yb))
        return;
    double a = px(s, xa), b = px(s, xb), c = py(s, ya), d = py(s, yb);
    fprintf(s->f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
            fmin(a, b), fmin(c, d), fabs(b - a), fabs(d - c), colour);
    if (tip != NULL) {
        fputs("<title>", s->f);
        mkba_xml_text(s->f, tip);
        fputs("</title>", s->f);
    }
    fputs("</rect>\n", s->f);
}

void mkba_svg_text(mkba_svg *s, double x, double y, double dx, double dy, const char *anchor,
                   const char *text)
{
    label(s->f, px(s, x) + dx, py(s, y) + dy, anchor, text, " class=\"note\"");
}

void mkba_svg_legend(mkba_svg *s, size_t n, const char *const *name, const char *const *colour)
{
    s->legend_name = name;
    s->legend_colour = colour;
    s->nlegend = n;
}

void mkba_svg_end(mkba_svg *s)
{
    fputs("</svg>\n", s->f);
    if (s->nlegend > 0) {
        fprintf(s->f, "<div class=\"legend\" style=\"max-width:%.0fpx\">", s->width);
        for (size_t i = 0; i < s->nlegend; i++) {
            fprintf(s->f, "<span class=\"item\"><span class=\"key\" style=\"background:%s\">"
                    "</span>", s->legend_colour[i]);
            mkba_xml_text(s->f, s->legend_name[i]);
            fputs("</span>", s->f);
        }
        fputs("</div>", s->f);
    }
    fputs("</figure>\n", s->f);
}
