/* The progress bar of the mkba program (src/cli/progress.c): its line fits
 * the terminal from 15 to 200 columns and says the time left (and the rate
 * from 28 columns); the program draws it within the draws of a services
 * scenario on a terminal (a pseudo-terminal here), keeps within a terminal
 * that shrinks, and draws nothing when stderr is not a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/progress.h"
#include "support.h"
#include "support_run.h"

static const int widths[] = {15, 25, 40, 80, 200};
/* The folder of the program's output and captured stderr. */
static char dir[] = "/tmp/mkba_progress_XXXXXX";

static int make_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    const char *names[] = {"bar.h5", "stderr"};
    return support_remove_folder(dir, names, sizeof names / sizeof *names);
}

/* Every line fits in columns - 1 whatever the numbers: none, half, all,
 * a rate in the millions and a time left of years. */
static void test_line_fits(void **state)
{
    (void)state;
    const double cases[][3] = {
        /* done, total, elapsed seconds */
        {0.0, 1e6, 0.0},      {0.0, 1e6, 3.0},         {5e5, 1e6, 12.5},
        {1e6, 1e6, 187.0},    {3.7e9, 4e12, 2.0},      {1.0, 1e12, 36000.0},
        {2.5e8, 2.5e8, 1e-3}, {7.0, 3.0, 1.0},
    };
    for (size_t w = 0; w < sizeof widths / sizeof *widths; w++)
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
            char line[512];
            int n = mkba_cli_progress_line(line, sizeof line, widths[w], cases[i][0],
                                           cases[i][1], cases[i][2]);
            assert_int_equal((size_t)n, strlen(line));
            if (n > widths[w] - 1)
                fail_msg("%d columns, case %zu: %d characters: '%s'", widths[w], i, n, line);
            assert_non_null(strstr(line, "left "));
            if (widths[w] >= 28)
                assert_non_null(strstr(line, "/s"));
        }
}

/* The numbers: a quarter done in 10 s is 2.5 per second with 30 s left,
 * the bar a quarter full; 80 and 200 columns have room for the words,
 * 40 keeps rate and time left, 25 drops the bar and 15 the rate too. */
static void test_line_numbers(void **state)
{
    (void)state;
    static const struct { int columns; const char *line; } narrow[] = {
        { 25, "25.0% 2.5k/s  left 30s" },
        { 15, "25.0% left 30s" },
    };
    for (size_t i = 0; i < sizeof narrow / sizeof *narrow; i++) {
        char line[512];
        mkba_cli_progress_line(line, sizeof line, narrow[i].columns, 25000.0, 100000.0, 10.0);
        assert_string_equal(line, narrow[i].line);
    }
    for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
        if (widths[w] < 40)
            continue;
        char line[512];
        mkba_cli_progress_line(line, sizeof line, widths[w], 25000.0, 100000.0, 10.0);
        assert_true(strncmp(line, " 25.0% [", 8) == 0);
        assert_non_null(strstr(line, "2.5k"));
        assert_non_null(strstr(line, "left 30s"));
        const char *open = strchr(line, '['), *close = strchr(line, ']');
        assert_non_null(open);
        assert_non_null(close);
        int width = (int)(close - open - 1), filled = 0;
        for (const char *c = open + 1; c < close; c++)
            filled += *c == '#';
        assert_true(width >= 10);
        assert_int_equal(filled, (int)(0.25 * width));
        if (widths[w] >= 80) {
            assert_non_null(strstr(line, "household-cycles/s  elapsed 10s"));
        }
    }
    char line[512];
    mkba_cli_progress_line(line, sizeof line, 200, 1e6, 1e6, 187.0);
    if (strncmp(line, "100.0% [##############################]", 38) != 0)
        fail_msg("'%s'", line);
    assert_non_null(strstr(line, "elapsed 3m07s  left 0s"));
    /* A tiny buffer gets the start of the line, terminated. */
    char small[8];
    assert_int_equal(mkba_cli_progress_line(small, sizeof small, 80, 1.0, 2.0, 1.0), 7);
    assert_string_equal(small, " 50.0% ");
}

/* Appends the n bytes at chunk to the text of *len bytes (capacity *cap). */
static void append(char **text, size_t *len, size_t *cap, const char *chunk, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = 2 * (*len + n + 1);
        *text = realloc(*text, *cap);
        assert_non_null(*text);
    }
    memcpy(*text + *len, chunk, n);
    *len += n;
    (*text)[*len] = '\0';
}

/* Stops run pid, takes in what it wrote to the terminal before it stopped
 * (appended to *text), narrows the terminal to `columns` and lets the run
 * go on. A run that had ended is reaped instead: *reaped, its status in
 * *status. */
static void shrink_stopped(pid_t pid, int master, int columns, char **text, size_t *len,
                           size_t *cap, int *status, int *reaped)
{
    assert_int_equal(kill(pid, SIGSTOP), 0);
    assert_int_equal(waitpid(pid, status, WUNTRACED), pid);
    if (!WIFSTOPPED(*status)) {
        *reaped = 1;
        return;
    }
    char chunk[4096];
    struct pollfd p = {.fd = master, .events = POLLIN};
    ssize_t n;
    while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)
           && (n = read(master, chunk, sizeof chunk)) > 0)
        append(text, len, cap, chunk, (size_t)n);
    struct winsize narrow = {.ws_row = 24, .ws_col = (unsigned short)columns};
    assert_int_equal(ioctl(master, TIOCSWINSZ, &narrow), 0);
    assert_int_equal(kill(pid, SIGCONT), 0);
}

/* Runs `mkba run` of the services fixture for one draw of `households`
 * with stderr on a pseudo-terminal of `columns` columns, or on a file when
 * columns is 0, narrowing the terminal to `shrink` columns once the bar
 * shows when shrink > 0; returns what stderr received (free it).
 *
 * The run is stopped (SIGSTOP) while the terminal shrinks, so that however
 * late this process sees the first bar line, the run draws its final line
 * afterwards; *late (may be NULL) is set when it had already drawn it (the
 * first chunk, or what it wrote before it stopped, shows 100.0%, or it had
 * ended), and the caller tries again. */
static char *run_bar(int columns, int shrink, const char *households, int *late)
{
    const char *bin = getenv("MKBA_BIN");
    char out[512], err[512];
    snprintf(out, sizeof out, "%s/bar.h5", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    int master = -1;
    struct winsize ws = {.ws_row = 24, .ws_col = (unsigned short)columns};
    pid_t pid = columns > 0 ? forkpty(&master, NULL, NULL, &ws) : fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The summary goes to stdout: away, so stderr holds only the bar. */
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        if (columns == 0) {
            int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            dup2(fd, STDERR_FILENO);
        }
        execl(bin, bin, "run", "tests/data/services.cfg", "--draws", "1", "--households",
              households, "-o", out, "--force", (char *)NULL);
        _exit(127);
    }
    char *text = NULL;
    int st, reaped = 0;
    if (late != NULL)
        *late = 0;
    if (columns > 0) {
        size_t len = 0, cap = 0;
        char chunk[4096];
        ssize_t n;
        /* Linux answers EIO once the child has closed the terminal. */
        while ((n = read(master, chunk, sizeof chunk)) > 0) {
            append(&text, &len, &cap, chunk, (size_t)n);
            if (shrink > 0 && memchr(chunk, '%', (size_t)n) != NULL) {
                shrink_stopped(pid, master, shrink, &text, &len, &cap, &st, &reaped);
                if (late != NULL)
                    *late = reaped || strstr(text, "100.0%") != NULL;
                shrink = 0;
            }
        }
        close(master);
        if (text == NULL)
            text = calloc(1, 1);
    }
    if (!reaped)
        assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    if (columns == 0)
        text = support_read_file(err);
    assert_non_null(text);
    return text;
}

/* On a terminal the bar is redrawn in place, each line within the width,
 * and it moves within the one draw: a percentage strictly between 0 and
 * 100 appears (before, a services draw showed only its end). */
static void test_bar_on_terminal(void **state)
{
    (void)state;
    if (getenv("MKBA_BIN") == NULL)
        skip();
    for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
        char *text = run_bar(widths[w], 0, "60000", NULL);
        int within = 0, lines = 0;
        for (char *line = strtok(text, "\r\n"); line != NULL; line = strtok(NULL, "\r\n")) {
            if (strchr(line, '%') == NULL)
                continue;
            lines++;
            if ((int)strlen(line) > widths[w] - 1)
                fail_msg("%d columns: a line of %zu: '%s'", widths[w], strlen(line), line);
            double pct = atof(line);
            within |= pct > 0.0 && pct < 100.0;
            assert_non_null(strstr(line, "left "));
        }
        if (lines < 2 || !within)
            fail_msg("%d columns: %d bar lines, none within the draw", widths[w], lines);
        free(text);
    }
}

/* A terminal narrowed from 80 to 30 columns during the draw: a line drawn
 * for the new width (its text within 29 characters) is no wider with the
 * spaces that wipe the previous line (before, they reached to the old
 * width and wrapped). */
static void test_bar_after_shrink(void **state)
{
    (void)state;
    if (getenv("MKBA_BIN") == NULL)
        skip();
    /* Long enough that the bar is redrawn after the shrink also on a fast,
     * idle machine; a run that this process saw too late to shrink before
     * its final line is run again. */
    int narrow = 0;
    for (int attempt = 0; attempt < 5 && narrow < 1; attempt++) {
        int late = 0;
        char *text = run_bar(80, 30, "240000", &late);
        for (char *line = strtok(text, "\r\n"); line != NULL; line = strtok(NULL, "\r\n")) {
            size_t n = strlen(line), visible = n;
            while (visible > 0 && line[visible - 1] == ' ')
                visible--;
            if (strchr(line, '%') == NULL || visible > 29)
                continue;
            narrow++;
            if (n > 29)
                fail_msg("after the shrink to 30 columns, a line of %zu: '%s'", n, line);
        }
        free(text);
        if (narrow < 1)
            print_message("attempt %d: no bar line after the shrink (%s); again\n", attempt,
                          late ? "the run had drawn 100% before it" : "stopped mid-draw");
    }
    /* The first redraw after the shrink is the one the old width's padding
     * would make wrap; how many follow depends on the machine's speed. */
    if (narrow < 1)
        fail_msg("no bar line after the shrink in 5 runs; the test needs one");
}

/* Not a terminal: no bar on stderr, only the closing message. */
static void test_no_bar_off_terminal(void **state)
{
    (void)state;
    if (getenv("MKBA_BIN") == NULL)
        skip();
    char *text = run_bar(0, 0, "60000", NULL);
    assert_null(strchr(text, '\r'));
    assert_null(strchr(text, '%'));
    assert_non_null(strstr(text, "mkba: wrote "));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_fits),
        cmocka_unit_test(test_line_numbers),
        cmocka_unit_test(test_bar_on_terminal),
        cmocka_unit_test(test_bar_after_shrink),
        cmocka_unit_test(test_no_bar_off_terminal),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
