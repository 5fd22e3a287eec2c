/* The mkba program: parses the command line, runs the library and turns
 * its errors into messages and exit codes. This is the only place that
 * exits: 0 success, 1 an error from the library or the system, 2 a usage
 * error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "progress.h"
#include "args.h"


const char mkba_cli_usage[] =
    "Usage:\n"
    "  mkba run SCENARIO.cfg [-o OUT.h5] [--draws N] [--households N] [--seed S]\n"
    "                        [--threads T] [--set NAME=VALUE]... [--cohort] [--force]\n"
    "                        [--quiet]\n"
    "  mkba sa METHOD SCENARIO.cfg [-o OUT.h5] [--factors LIST] [--outcome NAME] [options]\n"
    "  mkba sa sobol|morris --function ishigami|sobol-g|linear [-n N] [--format F]\n"
    "  mkba expost SCENARIO.cfg --observed DATA.csv [-o OUT.h5] [--from PSA.h5] [options]\n"
    "  mkba check SCENARIO.cfg\n"
    "  mkba summary OUT.h5 [--format text|csv|markdown|json] [--perspective NAME]\n"
    "  mkba --help | --version\n";

static const char help_text[] =
    "mkba: social cost-benefit analysis (MKBA) of integrated social services\n"
    "by Monte Carlo microsimulation of households.\n"
    "\n"
    "Commands:\n"
    "  run       simulate a scenario, write the result file, print the summary\n"
    "  sa        sensitivity analysis: tornado, threshold, sweep, sobol, morris,\n"
    "            evppi, prim (conditions for success), believe (NPV by lever);\n"
    "            docs/sensitivity.md\n"
    "  expost    ex-post evaluation: observed monitoring data against the ex-ante\n"
    "            predictive distribution, and the MKBA updated by them; docs/expost.md\n"
    "  check     validate a scenario and print its resolved parameters\n"
    "  summary   print the summary of an existing result file (reads the file only)\n"
    "\n"
    "Options of run:\n"
    "  -o, --output FILE   result file (default results/NAME.h5 for NAME.cfg)\n"
    "  --draws N           PSA draws (0 = base case only; default: the scenario's)\n"
    "  --households N      households per draw (default: the scenario's)\n"
    "  --seed S            random seed, 0 .. 2^64-1 (default: the scenario's)\n"
    "  --threads T         OpenMP threads (default: all cores); results do not\n"
    "                      depend on it\n"
    "  --set NAME=VALUE    fix parameter NAME at VALUE in every draw, as if the\n"
    "                      scenario said NAME = VALUE (arms that override NAME keep\n"
    "                      their override); NAME@ARM=VALUE fixes it in arm ARM.\n"
    "                      Other parameters keep their draws. Repeatable; `mkba\n"
    "                      check` lists the names\n"
    "  --cohort            expected-value cohort trace instead of microsimulation\n"
    "  --force             overwrite an existing result file\n"
    "  -q, --quiet         no progress bar, no summary, no messages besides errors\n"
    "\n"
    "Options of sa (docs/sensitivity.md lists which method takes which):\n"
    "  --factors LIST      NAME, NAME@ARM or patterns (detect_*), comma-separated;\n"
    "                      default every parameter with a distribution\n"
    "  --range NAME=LO:HI  explicit range of a factor (else its 5th-95th percentile)\n"
    "  --low P --high P    percentiles of the tornado (default 0.05 0.95)\n"
    "  --outcome NAME      npv:society (default), npv:municipality, npv:PAYER,\n"
    "                      breakeven:P, incremental_cost, incremental_effect, icer,\n"
    "                      cost:PAYER, effect:EFFECT\n"
    "  --arm A             one arm against the reference (sobol, morris, prim,\n"
    "                      believe; default every arm); threshold: --arm A --versus B\n"
    "  --grid NAME=LO:HI:N sweep grid (once or twice; also horizon, discount_rate)\n"
    "  -n N                sobol: base points (default 512); morris: trajectories (20)\n"
    "  --second-order      sobol: second-order indices; --bootstrap B resamples (200)\n"
    "  --levels P          morris: grid levels (even, default 4); --radial design\n"
    "  --function NAME     sobol, morris on ishigami, sobol-g or linear, beside the\n"
    "                      exact indices (no scenario)\n"
    "  --group A+B         evppi: also the EVPPI of this group (repeatable)\n"
    "  --from OUT.h5       evppi, prim: the PSA draws of a result file of this\n"
    "                      scenario, instead of running a PSA\n"
    "  --draws N           evppi, prim: PSA draws (prim at least 50, evppi 90);\n"
    "                      believe: average over N draws (default: the base case)\n"
    "  --draw D            the draw whose households every point uses (default 0)\n"
    "  --households, --seed, --threads, --set, --force, --quiet as run\n"
    "  --format F          the printed tables: text, csv, markdown or json\n"
    "\n"
    "Options of summary:\n"
    "  --format F          text (default), csv, markdown or json: the same content\n"
    "  --perspective NAME  cash flows and break-even of one perspective only\n"
    "                      (society, municipality, a payer or the scenario's own)\n"
    "\n"
    "Exit status: 0 success, 1 error in the scenario, the run or a file,\n"
    "2 wrong command line, 130/143 interrupted by SIGINT/SIGTERM (no file).\n"
    "Documentation: README.md and docs/.\n";

/* The options of mkba expost, printed after help_text (one string would
 * exceed what C99 compilers must support). */
static const char help_expost[] =
    "Options of expost (docs/expost.md):\n"
    "  --observed DATA.csv the observed data (required): year,arm,metric,value,n,se,...\n"
    "  --from PSA.h5       the ex-ante PSA of this scenario (mkba run), instead of\n"
    "                      running one with --draws, --households, --seed\n"
    "  --min-ess S         flag a posterior on fewer than S x draws effective draws\n"
    "                      (default 0.1)\n"
    "  --conflict-level P  flag an observation whose two-sided predictive tail\n"
    "                      probability is below P as prior-data conflict (0.01)\n"
    "  --no-refine         keep the importance weights however few draws carry\n"
    "                      them (default: refine by sequential Monte Carlo)\n"
    "  --moves M           refinement: Metropolis-Hastings steps per stage (4)\n"
    "  --max-stages S      refinement: at most S tempering stages (30)\n"
    "  --refine-parameters LIST  refinement: the parameters to move (default:\n"
    "                      the 10 whose draws correlate most with the likelihood)\n"
    "  --simulate --set NAME=VALUE...  write synthetic data instead (-o DATA.csv):\n"
    "                      the base case with these true values, each row of the\n"
    "                      --observed template drawn through its observation model\n"
    "  --threads, --force, --quiet, --format as sa\n"
    "\n";

typedef struct run_args {
    const char *scenario;
    const char *output;
    long draws, households;
    int seed_set;
    unsigned long long seed;
    long threads;
    int cohort, force, quiet;
    size_t nset;              /* --set NAME=VALUE, in order */
    char **set_name;
    double *set_value;
} run_args;

static void run_args_free(run_args *r)
{
    for (size_t i = 0; i < r->nset; i++)
        free(r->set_name[i]);
    free(r->set_name);
    free(r->set_value);
}

/* Parses the arguments after `run`. Returns EXIT_OK or EXIT_USAGE (the
 * message already printed). */
static int parse_run_args(int argc, char **argv, run_args *r)
{
    memset(r, 0, sizeof *r);
    r->draws = -1;
    r->households = -1;
    r->set_name = calloc((size_t)argc + 1, sizeof *r->set_name);
    r->set_value = calloc((size_t)argc + 1, sizeof *r->set_value);
    if (r->set_name == NULL || r->set_value == NULL) {
        fprintf(stderr, "mkba: out of memory\n");
        return EXIT_ERROR;
    }
    int only_positional = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int k;
        if (only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
            if (r->scenario != NULL)
                return mkba_cli_usage_error("run takes one scenario file; unexpected '%s'", a);
            r->scenario = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--output", "-o", &v)) != 0) {
            if (k < 0)
                return EXIT_USAGE;
            if (v[0] == '\0')
                return mkba_cli_usage_error("%s needs a file name", "--output");
            r->output = v;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--draws", NULL, &v)) != 0) {
            if (k < 0 || mkba_cli_parse_long("--draws", v, 0, &r->draws) < 0)
                return EXIT_USAGE;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--households", NULL, &v)) != 0) {
            if (k < 0 || mkba_cli_parse_long("--households", v, 1, &r->households) < 0)
                return EXIT_USAGE;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--seed", NULL, &v)) != 0) {
            if (k < 0 || mkba_cli_parse_seed(v, &r->seed) < 0)
                return EXIT_USAGE;
            r->seed_set = 1;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--threads", NULL, &v)) != 0) {
            if (k < 0 || mkba_cli_parse_long("--threads", v, 1, &r->threads) < 0)
                return EXIT_USAGE;
            if (r->threads > 4096) {
                fprintf(stderr, "mkba: --threads expects at most 4096, got '%s'\n", v);
                return EXIT_USAGE;
            }
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--set", NULL, &v)) != 0) {
            if (k < 0 || mkba_cli_parse_set(v, r->set_name, r->set_value, &r->nset) < 0)
                return EXIT_USAGE;
        } else if (strcmp(a, "--cohort") == 0) {
            r->cohort = 1;
        } else if (strcmp(a, "--force") == 0) {
            r->force = 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            r->quiet = 1;
        } else {
            return mkba_cli_usage_error("unknown option '%s' for run", a);
        }
    }
    if (r->scenario == NULL)
        return mkba_cli_usage_error("%s", "run needs a scenario file");
    return EXIT_OK;
}


/* Prints the summary of result file `path` to stdout. */
static int print_summary(const char *path, mkba_summary_format format, const char *perspective)
{
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_summary_write(NULL, path, format, perspective, stdout, &err) != MKBA_OK)
        return mkba_cli_library_error(&err);
    return EXIT_OK;
}

/* Loads the scenario, runs it, writes the file and prints the summary. */
static int run_scenario(const run_args *r)
{
    int rc;

    char *output = r->output ? NULL : mkba_cli_default_output(r->scenario, "");
    const char *out = r->output ? r->output : output;
    if (out == NULL) {
        fprintf(stderr, "mkba: out of memory\n");
        return EXIT_ERROR;
    }
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    if (mkba_scenario_load(NULL, r->scenario, &m, &err) != MKBA_OK) {
        free(output);
        return mkba_cli_library_error(&err);
    }
    if (!r->quiet)
        mkba_model_warnings(m, stderr);
    if (r->output == NULL && mkba_cli_results_folder() < 0) {
        mkba_model_free(m);
        free(output);
        return EXIT_ERROR;
    }

    mkba_cli_progress bar;
    mkba_cli_progress_start(&bar, stderr, !r->quiet);
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = out;
    o.force = r->force;
    o.draws = r->draws;
    o.households = r->households;
    o.seed_set = r->seed_set;
    o.seed = (uint64_t)r->seed;
    o.mode = r->cohort ? MKBA_MODE_COHORT : MKBA_MODE_MICRO;
    o.nset = r->nset;
    o.set_name = (const char *const *)r->set_name;
    o.set_value = r->set_value;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = (int)r->threads;
    ctx.progress = mkba_cli_progress_update;
    ctx.progress_user = &bar;
    ctx.stop = &mkba_cli_stop;
    mkba_cli_catch_signals();
    rc = mkba_run(&ctx, m, &o, &err);
    mkba_cli_release_signals();
    mkba_cli_progress_finish(&bar);
    mkba_model_free(m);
    if (rc != MKBA_OK) {
        free(output);
        return mkba_cli_run_error(&err);
    }
    rc = EXIT_OK;
    if (!r->quiet) {
        fprintf(stderr, "mkba: wrote %s\n", out);
        rc = print_summary(out, MKBA_SUMMARY_TEXT, NULL);
    }
    free(output);
    return rc;
}

static int cmd_run(int argc, char **argv)
{
    run_args r;
    int rc = parse_run_args(argc, argv, &r);
    if (rc == EXIT_OK)
        rc = run_scenario(&r);
    run_args_free(&r);
    return rc;
}

/* The single argument of `check` and `summary`. */
static int one_file(int argc, char **argv, const char *cmd, const char *what,
                    const char **file)
{
    *file = NULL;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "mkba: unknown option '%s' for %s\n", argv[i], cmd);
            fputs(mkba_cli_usage, stderr);
            return EXIT_USAGE;
        }
        if (*file != NULL)
            return mkba_cli_usage_error("one file only; unexpected '%s'", argv[i]);
        *file = argv[i];
    }
    if (*file == NULL) {
        fprintf(stderr, "mkba: %s needs %s\n", cmd, what);
        fputs(mkba_cli_usage, stderr);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int cmd_check(int argc, char **argv)
{
    const char *path;
    int rc = one_file(argc, argv, "check", "a scenario file", &path);
    if (rc != EXIT_OK)
        return rc;
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK)
        return mkba_cli_library_error(&err);
    mkba_model_print(m, stdout);
    mkba_model_warnings(m, stderr);
    mkba_model_free(m);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "mkba: cannot write the output: %s\n", strerror(errno));
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

static int cmd_summary(int argc, char **argv)
{
    const char *path = NULL, *perspective = NULL;
    mkba_summary_format format = MKBA_SUMMARY_TEXT;
    int only_positional = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int k;
        if (only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
            if (path != NULL)
                return mkba_cli_usage_error("summary takes one result file; unexpected '%s'", a);
            path = a;
        } else if (strcmp(a, "--") == 0) {
            only_positional = 1;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--format", NULL, &v)) != 0) {
            if (k < 0)
                return EXIT_USAGE;
            if (mkba_cli_parse_format(v, &format) < 0)
                return EXIT_USAGE;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--perspective", NULL, &v)) != 0) {
            if (k < 0)
                return EXIT_USAGE;
            perspective = v;
        } else {
            return mkba_cli_usage_error("unknown option '%s' for summary", a);
        }
    }
    if (path == NULL)
        return mkba_cli_usage_error("%s", "summary needs a result file");
    return print_summary(path, format, perspective);
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts the process; with it off, GSL functions
     * return error codes that the library turns into messages. Set once,
     * before any thread starts. */
    gsl_set_error_handler_off();

    if (argc < 2)
        return mkba_cli_usage_error("%s", "no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(help_text, stdout);
        fputs(help_expost, stdout);
        fputs("\n", stdout);
        fputs(mkba_cli_usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("mkba %s\n", MKBA_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "sa") == 0)
        return mkba_cli_sa(argc - 2, argv + 2);
    if (strcmp(cmd, "expost") == 0)
        return mkba_cli_expost(argc - 2, argv + 2);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "summary") == 0)
        return cmd_summary(argc - 2, argv + 2);
    if (cmd[0] == '-')
        return mkba_cli_usage_error("unknown option '%s'", cmd);
    return mkba_cli_usage_error("unknown command '%s'", cmd);
}
