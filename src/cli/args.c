/* Command-line parsing the commands share (args.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "args.h"
#include "progress.h"

mkba_split *mkba_cli_split;
mkba_error mkba_cli_rank_error;

int mkba_cli_usage_error(const char *fmt, const char *arg)
{
    /* Kept, as a library error is: under mpirun rank 0 says what was
     * wrong on another rank, not only that something was. */
    if (mkba_cli_rank_error.code == MKBA_OK)
        mkba_error_set(&mkba_cli_rank_error, MKBA_EINVAL, fmt, arg);
    fputs("mkba: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(mkba_cli_usage, stderr);
    fputs("Run 'mkba --help' for details.\n", stderr);
    return EXIT_USAGE;
}

int mkba_cli_library_error(const mkba_error *err)
{
    if (mkba_cli_rank_error.code == MKBA_OK)
        mkba_cli_rank_error = *err;
    fprintf(stderr, "mkba: %s\n", err->message[0] ? err->message : mkba_status_name(err->code));
    return EXIT_ERROR;
}

int mkba_cli_is_digit(char c) { return c >= '0' && c <= '9'; }

/* Parses a whole number >= min into *out. strtol alone accepts leading
 * blanks, signs and trailing junk; all of those are refused here. */
int mkba_cli_parse_long(const char *opt, const char *s, long min, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = mkba_cli_is_digit(s[0]) ? strtol(s, &end, 10) : -1;
    if (end == NULL || *end != '\0' || errno != 0 || v < min) {
        fprintf(stderr, "mkba: %s expects a whole number >= %ld, got '%s'\n", opt, min, s);
        return -1;
    }
    *out = v;
    return 0;
}

int mkba_cli_parse_seed(const char *s, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = mkba_cli_is_digit(s[0]) ? strtoull(s, &end, 10) : 0;
    if (end == NULL || *end != '\0' || errno != 0) {
        fprintf(stderr, "mkba: --seed expects a whole number from 0 to "
                        "18446744073709551615, got '%s'\n", s);
        return -1;
    }
    *out = v;
    return 0;
}

/* If argv[*i] is option `name` (as "--name VALUE" or "--name=VALUE"),
 * stores its value in *value, advances *i past it and returns 1; returns 0
 * when it is another option, -1 when the value is missing. */
int mkba_cli_option_value(int argc, char **argv, int *i, const char *name,
                        const char *alias, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (strcmp(a, name) != 0 && (alias == NULL || strcmp(a, alias) != 0))
        return 0;
    if (*i + 1 >= argc) {
        mkba_cli_usage_error("%s needs a value", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}

/* The shared run options, listed once. */
typedef enum run_kind { RUN_DRAWS = 0, RUN_HOUSEHOLDS, RUN_SEED, RUN_THREADS } run_kind;
static const struct {
    const char *name;
    run_kind kind;
} run_option[] = {
    { "--draws", RUN_DRAWS },
    { "--households", RUN_HOUSEHOLDS },
    { "--seed", RUN_SEED },
    { "--threads", RUN_THREADS },
};

static int run_value(const mkba_cli_run_options *r, run_kind kind, const char *v)
{
    unsigned long long seed = 0;
    switch (kind) {
    case RUN_DRAWS: return mkba_cli_parse_long("--draws", v, r->draws_min, r->draws);
    case RUN_HOUSEHOLDS: return mkba_cli_parse_long("--households", v, 1, r->households);
    case RUN_SEED:
        if (mkba_cli_parse_seed(v, &seed) < 0)
            return -1;
        *r->seed_set = 1;
        *r->seed = (uint64_t)seed;
        return 0;
    case RUN_THREADS: return mkba_cli_parse_threads(v, r->threads);
    }
    return -1;
}

int mkba_cli_run_option(int argc, char **argv, int *i, const mkba_cli_run_options *r)
{
    /* --seed fills both seed and seed_set: it is taken only with both. */
    const void *target[] = { r->draws, r->households,
                             r->seed_set != NULL ? (const void *)r->seed : NULL, r->threads };
    for (size_t t = 0; t < sizeof run_option / sizeof *run_option; t++) {
        const char *v = NULL;
        int k = target[run_option[t].kind] != NULL
                    ? mkba_cli_option_value(argc, argv, i, run_option[t].name, NULL, &v) : 0;
        if (k != 0)
            return k < 0 || run_value(r, run_option[t].kind, v) < 0 ? -1 : 1;
    }
    return 0;
}

/* A finite number and nothing else in s; underflow (1e-400) reads as 0 or a
 * tiny number, which is fine. */
static int finite_number(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    int overflow = errno == ERANGE && (v > 1.0 || v < -1.0);
    if (end == s || *end != '\0' || overflow || v != v || v - v != 0)
        return -1;
    *out = v;
    return 0;
}

int mkba_cli_parse_double(const char *opt, const char *s, double *out)
{
    if (finite_number(s, out) == 0)
        return 0;
    fprintf(stderr, "mkba: %s expects a finite number (a decimal point, not a comma), got "
                    "'%s'\n", opt, s);
    return -1;
}

int mkba_cli_parse_set(const char *s, char **names, double *values, size_t *n)
{
    const char *eq = strchr(s, '=');
    double v = 0;
    if (eq == NULL || eq == s || finite_number(eq + 1, &v) < 0) {
        fprintf(stderr, "mkba: --set expects NAME=VALUE or NAME@ARM=VALUE with a finite number "
                        "(a decimal point, not a comma), e.g. --set p_debt_relapse=0.2, got "
                        "'%s'\n", s);
        return -1;
    }
    char *name = strndup(s, (size_t)(eq - s));
    if (name == NULL) {
        fprintf(stderr, "mkba: out of memory\n");
        return -1;
    }
    names[*n] = name;
    values[(*n)++] = v;
    return 0;
}

int mkba_cli_parse_format(const char *v, mkba_summary_format *f)
{
    if (strcmp(v, "text") == 0) *f = MKBA_SUMMARY_TEXT;
    else if (strcmp(v, "csv") == 0) *f = MKBA_SUMMARY_CSV;
    else if (strcmp(v, "markdown") == 0 || strcmp(v, "md") == 0) *f = MKBA_SUMMARY_MARKDOWN;
    else if (strcmp(v, "json") == 0) *f = MKBA_SUMMARY_JSON;
    else {
        mkba_cli_usage_error("--format expects text, csv, markdown or json, got '%s'", v);
        return -1;
    }
    return 0;
}

char *mkba_cli_default_output(const char *scenario, const char *suffix)
{
    const char *base = strrchr(scenario, '/');
    base = base ? base + 1 : scenario;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".cfg") == 0)
        n -= 4;
    size_t size = strlen("results/") + n + strlen(suffix) + strlen(".h5") + 1;
    char *out = malloc(size);
    if (out != NULL)
        snprintf(out, size, "results/%.*s%s.h5", (int)n, base, suffix);
    else
        fprintf(stderr, "mkba: out of memory\n");
    return out;
}

int mkba_cli_results_folder(void)
{
    if (mkdir("results", 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mkba: cannot create folder results: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

volatile sig_atomic_t mkba_cli_stop = 0;

static struct sigaction previous[2];
static const int caught[2] = { SIGINT, SIGTERM };

static void on_signal(int signo)
{
    mkba_cli_stop = signo;
}

void mkba_cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    /* A second signal takes the default action: Ctrl-C twice always quits. */
    sa.sa_flags = SA_RESETHAND | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 2; i++) {
        sigaction(caught[i], NULL, &previous[i]);
        /* A job started in the background inherits "ignore": keep it. */
        if (previous[i].sa_handler != SIG_IGN)
            sigaction(caught[i], &sa, NULL);
    }
}

void mkba_cli_release_signals(void)
{
    for (int i = 0; i < 2; i++)
        sigaction(caught[i], &previous[i], NULL);
}

int mkba_cli_run_error(const mkba_error *err, const mkba_checkpoint_info *ckpt,
                       const char *output)
{
    if (err->code != MKBA_EINTERRUPTED || mkba_cli_stop == 0)
        return mkba_cli_library_error(err);
    int signo = (int)mkba_cli_stop;
    fprintf(stderr, "mkba: interrupted by %s: the run stopped and wrote no result file (its "
                    "temporary file is removed); ",
            signo == SIGINT ? "SIGINT (Ctrl-C)" : "SIGTERM");
    if (ckpt != NULL && ckpt->unflushed)   /* the library's words say how to go on */
        fprintf(stderr, "%s\n", strncmp(err->message, "interrupted; ", 13) == 0
                                    ? err->message + 13 : err->message);
    else if (ckpt != NULL && ckpt->kept > 0)
        fprintf(stderr, "%ld of %ld %s are kept in %s.ckpt: run the same command with "
                        "--resume to continue\n", ckpt->kept, ckpt->total, ckpt->unit, output);
    else
        fputs("run the same command again to start over\n", stderr);
    if (mkba_cli_rank_error.code == MKBA_OK)
        mkba_cli_rank_error = *err;
    /* Under mpirun the ranks end MPI first and mpirun gives the status. */
    if (mkba_split_size(mkba_cli_split) > 1)
        return 128 + signo;
    /* Die by the signal, so a shell loop or script stops as well. */
    fflush(stdout);
    fflush(stderr);
    signal(signo, SIG_DFL);
    raise(signo);
    return 128 + signo;
}

int mkba_cli_stopped_loading(void)
{
    if (mkba_cli_stop == 0)
        return -1;
    mkba_error err;
    mkba_error_clear(&err);
    mkba_error_set(&err, MKBA_EINTERRUPTED, "interrupted while reading the scenario");
    return mkba_cli_run_error(&err, NULL, NULL);
}

int mkba_cli_output(const char **output, const char *scenario, const char *suffix,
                    char **owned)
{
    *owned = NULL;
    if (*output != NULL)
        return 0;
    *owned = mkba_cli_default_output(scenario, suffix);
    if (*owned == NULL || mkba_cli_results_folder() < 0) {
        free(*owned);
        *owned = NULL;
        return -1;
    }
    *output = *owned;
    return 0;
}

void mkba_cli_run_begin(mkba_context *ctx, mkba_cli_progress *bar, long threads, int quiet)
{
    mkba_cli_progress_start(bar, stderr, !quiet);
    mkba_context_init(ctx);
    ctx->threads = (int)threads;
    ctx->progress = mkba_cli_progress_update;
    ctx->progress_user = bar;
    ctx->stop = &mkba_cli_stop;
    ctx->split = mkba_cli_split;
}

void mkba_cli_run_end(mkba_cli_progress *bar)
{
    mkba_cli_release_signals();
    mkba_cli_progress_finish(bar);
}

int mkba_cli_parse_threads(const char *s, long *out)
{
    if (mkba_cli_parse_long("--threads", s, 1, out) < 0)
        return -1;
    if (*out > 4096) {
        fprintf(stderr, "mkba: --threads expects at most 4096, got '%s'\n", s);
        return -1;
    }
    return 0;
}
