/* A one-line progress bar redrawn in place with a carriage return. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include "progress.h"

#define BAR_WIDTH 30
#define REDRAW_SECONDS 0.1

/* The terminal's width in columns (80 when it cannot be asked). */
static int terminal_columns(FILE *out)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* "42s", "3m07s" or "2h05m": short enough to keep the line from wrapping. */
static void format_duration(double seconds, char *buf, size_t size)
{
    if (!isfinite(seconds) || seconds < 0.0) {
        snprintf(buf, size, "?");
        return;
    }
    long s = lround(seconds);
    if (s < 60)
        snprintf(buf, size, "%lds", s);
    else if (s < 3600)
        snprintf(buf, size, "%ldm%02lds", s / 60, s % 60);
    else
        snprintf(buf, size, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
}

/* "850", "12.3k" or "4.56M": rates span many orders of magnitude. */
static void format_rate(double rate, char *buf, size_t size)
{
    if (rate >= 1e6)
        snprintf(buf, size, "%.2fM", rate / 1e6);
    else if (rate >= 1e3)
        snprintf(buf, size, "%.1fk", rate / 1e3);
    else
        snprintf(buf, size, "%.0f", rate);
}

void mkba_cli_progress_start(mkba_cli_progress *p, FILE *out, int enabled)
{
    p->out = enabled && out != NULL && isatty(fileno(out)) ? out : NULL;
    p->start = now_seconds();
    p->last_draw = -1.0;
    p->drawn = 0;
    p->width = 0;
}

int mkba_cli_progress_line(char *buf, size_t size, int columns, double done, double total,
                           double elapsed)
{
    double frac = total > 0.0 ? done / total : 0.0;
    if (!(frac >= 0.0)) frac = 0.0;
    if (frac > 1.0) frac = 1.0;
    int complete = frac >= 1.0;
    double rate = elapsed > 0.0 ? done / elapsed : 0.0;
    double left = rate > 0.0 ? (total - done) / rate : NAN;

    char el[48], eta[48], rt[48], tail[200];
    format_rate(rate, rt, sizeof rt);
    format_duration(elapsed, el, sizeof el);
    format_duration(left, eta, sizeof eta);
    /* The line must fit the terminal: a wrapped line is not redrawn in
     * place. The last column stays free (some terminals wrap on writing
     * it). The bar shrinks first, then the words. */
    int cols = columns - 1;
    snprintf(tail, sizeof tail, " %s household-cycles/s  elapsed %s  left %s", rt, el,
             complete ? "0s" : eta);
    if (cols - 9 - (int)strlen(tail) < 10)
        snprintf(tail, sizeof tail, " %s/s  left %s", rt, complete ? "0s" : eta);
    int width = cols - 9 - (int)strlen(tail);   /* "100.0% [" and "]" */
    if (width > BAR_WIDTH)
        width = BAR_WIDTH;
    if (width < 0)
        width = 0;
    char bar[BAR_WIDTH + 1];
    int filled = (int)(frac * width);
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[width] = '\0';
    char line[512];
    snprintf(line, sizeof line, "%5.1f%% [%s]%s", 100.0 * frac, bar, tail);
    size_t len = strlen(line);
    if (cols >= 0 && len > (size_t)cols)
        len = (size_t)cols;
    if (size == 0)
        return 0;
    if (len >= size)
        len = size - 1;
    memcpy(buf, line, len);
    buf[len] = '\0';
    return (int)len;
}

void mkba_cli_progress_update(void *user, double done, double total)
{
    mkba_cli_progress *p = user;
    if (p == NULL || p->out == NULL || !(total > 0.0))
        return;
    double t = now_seconds();
    int complete = done >= total;
    if (!complete && p->last_draw >= 0.0 && t - p->last_draw < REDRAW_SECONDS)
        return;
    p->last_draw = t;
    char line[512];
    int len = mkba_cli_progress_line(line, sizeof line, terminal_columns(p->out), done, total,
                                     t - p->start);
    /* Spaces to the width of the previous line wipe its leftovers. */
    fprintf(p->out, "\r%s%*s", line, p->width > len ? p->width - len : 0, "");
    p->width = len;
    fflush(p->out);
    p->drawn = 1;
}

void mkba_cli_progress_finish(mkba_cli_progress *p)
{
    if (p->out != NULL && p->drawn) {
        fputc('\n', p->out);
        fflush(p->out);
    }
    p->drawn = 0;
}
