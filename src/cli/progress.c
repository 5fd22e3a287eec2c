/* A one-line progress bar redrawn in place with a carriage return. */
#include <math.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include "progress.h"

#define BAR_WIDTH 30
#define REDRAW_SECONDS 0.1

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

    double frac = done / total;
    if (frac < 0.0) frac = 0.0;
    if (frac > 1.0) frac = 1.0;
    double elapsed = t - p->start;
    double rate = elapsed > 0.0 ? done / elapsed : 0.0;
    double left = rate > 0.0 ? (total - done) / rate : NAN;

    char bar[BAR_WIDTH + 1];
    int filled = (int)(frac * BAR_WIDTH);
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    char el[48], eta[48], rt[48];
    format_rate(rate, rt, sizeof rt);
    format_duration(elapsed, el, sizeof el);
    format_duration(left, eta, sizeof eta);
    /* The trailing spaces wipe leftovers of a longer previous line. */
    fprintf(p->out, "\r%5.1f%% [%s] %s household-cycles/s  elapsed %s  left %s   ",
            100.0 * frac, bar, rt, el, complete ? "0s" : eta);
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
