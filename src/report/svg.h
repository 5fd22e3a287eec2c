/* Charts as inline SVG, written by hand into the HTML report: axes with
 * ticks and labels, lines, bands, points, bars and a legend, in the
 * Okabe-Ito palette (readable with every common colour-vision deficiency).
 * Coordinates are data coordinates; the plot maps them to pixels. */
#ifndef MKBA_REPORT_SVG_H
#define MKBA_REPORT_SVG_H

#include <stddef.h>
#include <stdio.h>

typedef struct mkba_svg {
    FILE *f;
    double width, height;                 /* pixels */
    double left, right, top, bottom;      /* margins in pixels */
    double x0, x1, y0, y1;                /* data range shown */
    int decimal_comma;                    /* tick labels: 1,5 and 1.000 */
    /* Category axes: labels at x = i (0..n-1) or y = i; NULL: numeric. */
    const char *const *xcat;
    size_t nxcat;
    const char *const *ycat;
    size_t nycat;
    /* The legend (mkba_svg_legend), written by mkba_svg_end. */
    const char *const *legend_name, *const *legend_colour;
    size_t nlegend;
} mkba_svg;

/* The i-th colour of the palette (cycles after 8). */
const char *mkba_svg_colour(size_t i);

/* Starts a chart of width x height pixels with an accessible title (a
 * figure holding the svg and its legend). The ranges are set by
 * mkba_svg_range before drawing. */
void mkba_svg_begin(mkba_svg *s, FILE *f, double width, double height, const char *title,
                    int decimal_comma);

/* Sets the data range, widened to include 0 when `zero` is set and
 * rounded out to tick steps (a category axis keeps -0.5 .. n-0.5). */
void mkba_svg_range(mkba_svg *s, double x0, double x1, double y0, double y1, int zero);

/* Grid, ticks, tick labels and axis titles. */
void mkba_svg_axes(mkba_svg *s, const char *xlabel, const char *ylabel);

/* A horizontal or vertical reference line at y (or x) = v. */
void mkba_svg_hline(mkba_svg *s, double y);
void mkba_svg_vline(mkba_svg *s, double x);

/* A polyline through the finite points (a NaN breaks it). dash: 0 solid. */
void mkba_svg_line(mkba_svg *s, size_t n, const double *x, const double *y,
                   const char *colour, double width, int dash);

/* The band between lo and hi (a shaded polygon). */
void mkba_svg_band(mkba_svg *s, size_t n, const double *x, const double *lo, const double *hi,
                   const char *colour);

/* Points of radius r. */
void mkba_svg_points(mkba_svg *s, size_t n, const double *x, const double *y,
                     const char *colour, double r, double opacity);

/* The rectangle between (xa, ya) and (xb, yb), with a hover title. */
void mkba_svg_rect(mkba_svg *s, double xa, double ya, double xb, double yb, const char *colour,
                   const char *tip);

/* Text at a data point moved by (dx, dy) pixels; anchor "start", "middle"
 * or "end". */
void mkba_svg_text(mkba_svg *s, double x, double y, double dx, double dy, const char *anchor,
                   const char *text);

/* The legend of the chart: written by mkba_svg_end below the chart as
 * HTML that wraps onto as many lines as the names need (never clipped).
 * The arrays must live until mkba_svg_end. */
void mkba_svg_legend(mkba_svg *s, size_t n, const char *const *name, const char *const *colour);

void mkba_svg_end(mkba_svg *s);

/* Writes text with &, <, > and " escaped (for HTML and SVG). */
void mkba_xml_text(FILE *f, const char *text);

/* A number with thousands separators and `decimals` decimals, in the style
 * of `decimal_comma` (1.234,5) or not (1,234.5); "n/a" for NaN. */
void mkba_format_number(char *buf, size_t size, double v, int decimals, int decimal_comma);

#endif
