/* `mkba expost SCENARIO.cfg --observed DATA.csv [-o OUT.h5] [options]`: the
 * ex-post evaluation (docs/expost.md). Parses the options into
 * mkba_expost_options, runs it and prints its tables from the written file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mkba/expost.h"
#include "progress.h"
#include "args.h"

typedef struct expost_args {
    mkba_expost_options o;
    const char *scenario;
    long threads;
    int quiet;
    mkba_summary_format format;
    int simulate;             /* --simulate: write synthetic data instead */
    long truth_draw;          /* --truth-draw D (--simulate): the truth from the prior */
    size_t nset;              /* --set NAME=VALUE: the true values */
    char **set_name;
    double *set_value;
} expost_args;

static int parse(int argc, char **argv, expost_args *a)
{
    mkba_expost_options *o = &a->o;
    const mkba_cli_run_options run = { &o->draws, 2, &o->households, &o->seed_set, &o->seed,
                                       &a->threads };
    a->set_name = calloc((size_t)argc + 1, sizeof *a->set_name);
    a->set_value = calloc((size_t)argc + 1, sizeof *a->set_value);
    if (a->set_name == NULL || a->set_value == NULL) {
        fprintf(stderr, "mkba: out of memory\n");
        return EXIT_ERROR;
    }
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i], *v = NULL;
        int k;
        if (s[0] != '-') {
            if (a->scenario != NULL)
                return mkba_cli_usage_error("expost takes one scenario file; unexpected '%s'",
                                            s);
            a->scenario = s;
            continue;
        }
#define OPT(name, alias) ((k = mkba_cli_option_value(argc, argv, &i, name, alias, &v)) != 0)
        if (OPT("--output", "-o")) { if (k < 0) return EXIT_USAGE; o->output = v; }
        else if (OPT("--observed", NULL)) { if (k < 0) return EXIT_USAGE; o->observed = v; }
        else if (OPT("--from", NULL)) { if (k < 0) return EXIT_USAGE; o->from = v; }
        else if ((k = mkba_cli_run_option(argc, argv, &i, &run)) != 0) {
            if (k < 0) return EXIT_USAGE;
        } else if (OPT("--min-ess", NULL)) {
            if (k < 0 || mkba_cli_parse_double("--min-ess", v, &o->min_ess_share) < 0)
                return EXIT_USAGE;
        } else if (OPT("--conflict-level", NULL)) {
            if (k < 0 || mkba_cli_parse_double("--conflict-level", v, &o->conflict_level) < 0)
                return EXIT_USAGE;
        } else if (OPT("--moves", NULL)) {
            if (k < 0 || mkba_cli_parse_long("--moves", v, 1, &o->moves) < 0) return EXIT_USAGE;
        } else if (OPT("--max-stages", NULL)) {
            if (k < 0 || mkba_cli_parse_long("--max-stages", v, 1, &o->max_stages) < 0)
                return EXIT_USAGE;
        } else if (OPT("--max-repeats", NULL)) {
            if (k < 0 || mkba_cli_parse_long("--max-repeats", v, 0, &o->max_repeats) < 0)
                return EXIT_USAGE;
            if (o->max_repeats > MKBA_EXPOST_MAX_REPEATS) {
                /* One line, as mkba_cli_parse_long's: the value, not the usage. */
                fprintf(stderr, "mkba: --max-repeats expects 0 to %d decorrelation repeats a "
                        "stage, got '%s'\n", MKBA_EXPOST_MAX_REPEATS, v);
                return EXIT_USAGE;
            }
        } else if (OPT("--truth-draw", NULL)) {
            if (k < 0 || mkba_cli_parse_long("--truth-draw", v, 0, &a->truth_draw) < 0)
                return EXIT_USAGE;
            /* Draw numbers are 32-bit (mkba_design_points). */
            if ((unsigned long)a->truth_draw > UINT32_MAX)
                return mkba_cli_usage_error("--truth-draw expects a draw number from 0 to "
                                            "4294967295, got '%s'", v);
        } else if (OPT("--refine-parameters", NULL)) {
            if (k < 0) return EXIT_USAGE;
            o->refine_parameters = v;
        } else if (OPT("--set", NULL)) {
            if (k < 0 || mkba_cli_parse_set(v, a->set_name, a->set_value, &a->nset) < 0)
                return EXIT_USAGE;
        } else if (OPT("--format", NULL)) {
            if (k < 0 || mkba_cli_parse_format(v, &a->format) < 0)
                return EXIT_USAGE;
        }
#undef OPT
        else if (strcmp(s, "--force") == 0) o->force = 1;
        else if (strcmp(s, "--simulate") == 0) a->simulate = 1;
        else if (strcmp(s, "--no-refine") == 0) o->refine = 0;
        else if (strcmp(s, "--accept-partial") == 0) o->accept_partial = 1;
        else if (strcmp(s, "--quiet") == 0 || strcmp(s, "-q") == 0) a->quiet = 1;
        else
            return mkba_cli_usage_error("unknown option '%s' for expost", s);
    }
    if (a->scenario == NULL)
        return mkba_cli_usage_error("expost needs a scenario file%s", "");
    if (o->observed == NULL)
        return mkba_cli_usage_error("expost needs the observed data: --observed DATA.csv%s",
                                    "");
    if (a->simulate && o->output == NULL)
        return mkba_cli_usage_error("expost --simulate needs the CSV to write: -o DATA.csv%s",
                                    "");
    if (a->simulate && (o->from != NULL || o->draws >= 0))
        return mkba_cli_usage_error("%s has no meaning with --simulate (one run at the true "
                                    "values)", o->from != NULL ? "--from" : "--draws");
    if (!a->simulate && a->truth_draw >= 0)
        return mkba_cli_usage_error("--truth-draw belongs to --simulate (the true values of "
                                    "synthetic data)%s", "");
    if (!a->simulate && a->nset > 0)
        return mkba_cli_usage_error("--set gives the true values of --simulate; the update "
                                    "runs the PSA as the scenario defines it%s", "");
    return EXIT_OK;
}

/* --simulate: the synthetic data set of the true values. */
static int simulate(expost_args *a, const mkba_model *m, mkba_context *ctx)
{
    mkba_expost_simulate_options so;
    mkba_expost_simulate_options_init(&so);
    so.template_csv = a->o.observed;
    so.output = a->o.output;
    so.force = a->o.force;
    so.households = a->o.households;
    so.seed_set = a->o.seed_set;
    so.seed = a->o.seed;
    so.truth_draw = a->truth_draw;
    so.nset = a->nset;
    so.set_name = (const char *const *)a->set_name;
    so.set_value = a->set_value;
    mkba_error err;
    mkba_error_clear(&err);
    int lrc = mkba_expost_simulate(ctx, m, &so, &err);
    mkba_cli_release_signals();
    if (lrc != MKBA_OK)
        return mkba_cli_run_error(&err, NULL, NULL);
    if (!a->quiet)
        fprintf(stderr, "mkba: wrote %s\n", so.output);
    return EXIT_OK;
}

static int run(expost_args *a)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    mkba_cli_catch_signals();
    if (mkba_scenario_load(NULL, a->scenario, &m, &err) != MKBA_OK)
        return mkba_cli_library_error(&err);
    if (mkba_cli_stop != 0) {
        mkba_model_free(m);
        return mkba_cli_stopped_loading();
    }
    if (a->simulate && mkba_split_size(mkba_cli_split) > 1) {
        mkba_model_free(m);
        return mkba_cli_usage_error("expost --simulate runs one base case in one process; "
                                    "run it without mpirun%s", "");
    }
    if (a->simulate) {
        mkba_context ctx;
        mkba_context_init(&ctx);
        ctx.threads = (int)a->threads;
        ctx.stop = &mkba_cli_stop;
        int rc = simulate(a, m, &ctx);
        mkba_model_free(m);
        return rc;
    }
    char *output = NULL;
    if (mkba_cli_output(&a->o.output, a->scenario, "-expost", &output) < 0) {
        mkba_model_free(m);
        return EXIT_ERROR;
    }
    mkba_cli_progress bar;
    mkba_context ctx;
    mkba_cli_run_begin(&ctx, &bar, a->threads, a->quiet);
    int lrc = mkba_expost_run(&ctx, m, &a->o, &err);
    mkba_cli_run_end(&bar);
    mkba_model_free(m);
    int rc = EXIT_OK;
    if (lrc != MKBA_OK) {
        rc = mkba_cli_run_error(&err, NULL, NULL);
    } else if (!a->quiet) {
        fprintf(stderr, "mkba: wrote %s\n", a->o.output);
        if (mkba_expost_report_write(NULL, a->o.output, a->format, stdout, &err) != MKBA_OK)
            rc = mkba_cli_library_error(&err);
    }
    free(output);
    return rc;
}

int mkba_cli_expost(int argc, char **argv)
{
    expost_args a;
    memset(&a, 0, sizeof a);
    a.truth_draw = -1;
    mkba_expost_options_init(&a.o);
    int rc = parse(argc, argv, &a);
    if (rc == EXIT_OK)
        rc = run(&a);
    for (size_t i = 0; i < a.nset; i++)
        free(a.set_name[i]);
    free(a.set_name);
    free(a.set_value);
    return rc;
}
