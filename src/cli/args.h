/* Command-line parsing the mkba commands share (src/cli/args.c). Every
 * function prints its own message on stderr. */
#ifndef MKBA_CLI_ARGS_H
#define MKBA_CLI_ARGS_H

#include <signal.h>
#include <stddef.h>
#include "mkba/mkba.h"
#include "progress.h"

enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2 };

/* The usage lines of every command (main.c). */
extern const char mkba_cli_usage[];

/* Prints "mkba: " fmt (with arg) and the usage (and keeps the first
 * message in mkba_cli_rank_error); returns EXIT_USAGE. */
int mkba_cli_usage_error(const char *fmt, const char *arg);

/* Prints the library's message (and keeps the first in
 * mkba_cli_rank_error); returns EXIT_ERROR. */
int mkba_cli_library_error(const mkba_error *err);

/* The ranks of a run under mpirun (main.c; rank 0 of 1 otherwise) and the
 * first error this rank printed, which a rank other than 0 (whose output
 * goes nowhere) passes to rank 0 when the split closes. */
extern mkba_split *mkba_cli_split;
extern mkba_error mkba_cli_rank_error;

int mkba_cli_is_digit(char c);

/* Parses a whole number >= min into *out; -1 (message printed) when s is
 * not one. */
int mkba_cli_parse_long(const char *opt, const char *s, long min, long *out);

/* Parses --threads: a whole number from 1 to 4096 into *out; -1 (message
 * printed) otherwise. */
int mkba_cli_parse_threads(const char *s, long *out);

/* Parses a seed 0 .. 2^64-1; -1 (message printed) when s is not one. */
int mkba_cli_parse_seed(const char *s, unsigned long long *out);

/* If argv[*i] is option `name` (or alias), as "--name VALUE" or
 * "--name=VALUE", stores its value, advances *i past it and returns 1;
 * 0 for another option; -1 (message printed) when the value is missing. */
int mkba_cli_option_value(int argc, char **argv, int *i, const char *name,
                          const char *alias, const char **value);

/* Where the run options the commands share (--draws, --households,
 * --seed, --threads) put their values; a NULL target: the command does
 * not take that option (--seed: seed_set and seed, one target, taken only
 * when both are given). */
typedef struct mkba_cli_run_options {
    long *draws;
    long draws_min;           /* the fewest --draws the command accepts */
    long *households;
    int *seed_set;            /* set to 1 by --seed, with *seed */
    uint64_t *seed;
    long *threads;
} mkba_cli_run_options;

/* If argv[*i] is one of the run options r takes, parses its value into r,
 * advances *i past it and returns 1; 0 for another option; -1 (message
 * printed) for a missing or bad value. */
int mkba_cli_run_option(int argc, char **argv, int *i, const mkba_cli_run_options *r);

/* Parses a finite number into *out; -1 (message naming opt) otherwise. */
int mkba_cli_parse_double(const char *opt, const char *s, double *out);

/* Parses "NAME=VALUE" or "NAME@ARM=VALUE" of --set into names[*n] (a
 * strdup'd NAME) and values[*n], and increments *n; -1 (message printed)
 * on a malformed item. */
int mkba_cli_parse_set(const char *s, char **names, double *values, size_t *n);

/* text, csv, markdown (md) or json; -1 with the usage printed otherwise. */
int mkba_cli_parse_format(const char *v, mkba_summary_format *f);

/* results/NAMESUFFIX.h5 for a scenario .../NAME.cfg (suffix "" for a run,
 * "-sa-METHOD" for a sensitivity analysis, "-expost"); NULL (message
 * printed) when out of memory. */
char *mkba_cli_default_output(const char *scenario, const char *suffix);

/* Creates the folder `results` unless it exists; -1 with a message. */
int mkba_cli_results_folder(void);

/* *output when set; else mkba_cli_default_output(scenario, suffix) in the
 * folder `results` (created), stored in *output and *owned (free it).
 * -1 (message printed) when that fails. */
int mkba_cli_output(const char **output, const char *scenario, const char *suffix,
                    char **owned);

/* Before a library run: the progress bar (none when quiet), ctx with
 * threads (0: all), the bar and the stop flag (the command caught the
 * signals before it read the scenario); mkba_cli_run_end ends the bar and
 * releases the signals. */
void mkba_cli_run_begin(mkba_context *ctx, mkba_cli_progress *bar, long threads, int quiet);
void mkba_cli_run_end(mkba_cli_progress *bar);

/* Raised to the signal's number by SIGINT or SIGTERM once
 * mkba_cli_catch_signals has run; the runs' contexts point at it. */
extern volatile sig_atomic_t mkba_cli_stop;

/* Makes the first SIGINT or SIGTERM raise mkba_cli_stop instead of ending
 * the program, so a run stops at a safe point and removes its temporary
 * file (a second one ends it; an inherited "ignore" is kept), until
 * mkba_cli_release_signals restores what was there before. */
void mkba_cli_catch_signals(void);
void mkba_cli_release_signals(void);

/* The library's error as a message and exit status. An interrupted run
 * says so, and what its checkpoint (ckpt, of output; NULL: none) keeps to
 * resume from, and then dies by the signal (the shell sees 130 for SIGINT,
 * 143 for SIGTERM, and a script stops); otherwise as
 * mkba_cli_library_error. */
int mkba_cli_run_error(const mkba_error *err, const mkba_checkpoint_info *ckpt,
                       const char *output);

/* -1 when no signal came while the scenario was read (the commands catch
 * signals before they read it); otherwise says the run was interrupted and
 * dies by the signal, before any file is touched. */
int mkba_cli_stopped_loading(void);

/* The sensitivity-analysis command, `mkba sa` (sa_cmd.c). */
int mkba_cli_sa(int argc, char **argv);

/* `mkba summary` and `mkba report` (report_cmd.c). */
int mkba_cli_summary(int argc, char **argv);
int mkba_cli_report(int argc, char **argv);

/* `mkba init` (init_cmd.c). */
int mkba_cli_init(int argc, char **argv);
/* The ex-post evaluation command, `mkba expost` (expost_cmd.c). */
int mkba_cli_expost(int argc, char **argv);

#endif
