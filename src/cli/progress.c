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

/* The terminal's width in columns (80 when it cannot be asked or does not
 * say). */
static int terminal_columns(FILE *out)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
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

    char el[48], eta[48], rt[48];
    format_rate(rate, rt, sizeof rt);
    format_duration(elapsed, el, sizeof el);
    format_duration(left, eta, sizeof eta);
    if (complete)
        snprintf(eta, sizeof eta, "0s");
    /* The line must fit the terminal: a wrapped line is not redrawn in
     * place. The last column stays free (some terminals wrap on writing
     * it). The first layout that fits is drawn: the bar shrinks, then the
     * words, then the bar goes, then the rate; the time left stays. */
    static const struct {
        int min_bar;          /* narrowest bar; < 0: no bar */
        int words;            /* 2: rate, elapsed and left; 1: rate and left; 0: left */
    } layouts[] = { { 10, 2 }, { 5, 1 }, { -1, 1 }, { -1, 0 } };
    size_t nlayouts = sizeof layouts / sizeof layouts[0];
    int cols = columns - 1;
    char line[512];
    for (size_t k = 0; k < nlayouts; k++) {
        char tail[200];
        if (layouts[k].words == 2)
            snprintf(tail, sizeof tail, " %s household-cycles/s  elapsed %s  left %s", rt, el,
                     eta);
        else if (layouts[k].words == 1)
            snprintf(tail, sizeof tail, " %s/s  left %s", rt, eta);
        else
            snprintf(tail, sizeof tail, " left %s", eta);
        if (layouts[k].min_bar < 0) {
            snprintf(line, sizeof line, "%.1f%%%s", 100.0 * frac, tail);
            if ((int)strlen(line) <= cols)
                break;
            continue;   /* the last one tried is cut at the width */
        }
        int width = cols - 9 - (int)strlen(tail);   /* "100.0% [" and "]" */
        if (width < layouts[k].min_bar)
            continue;
        if (width > BAR_WIDTH)
            width = BAR_WIDTH;
        char bar[BAR_WIDTH + 1];
        int filled = (int)(frac * width);
        for (int i = 0; i < width; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[width] = '\0';
        snprintf(line, sizeof line, "%5.1f%% [%s]%s", 100.0 * frac, bar, tail);
        break;
    }
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
    int columns = terminal_columns(p->out);
    int len = mkba_cli_progress_line(line, sizeof line, columns, done, total, t - p->start);
    /* Spaces to the width of the previous line wipe its leftovers, but no
     * further than the line may reach: after the terminal has shrunk, the
     * old width would wrap. */
    int wipe = p->width < columns - 1 ? p->width : columns - 1;
    fprintf(p->out, "\r%s%*s", line, wipe > len ? wipe - len : 0, "");
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
