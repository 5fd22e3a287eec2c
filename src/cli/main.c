/* The mkba program: parses the command line, runs the library and turns
 * its errors into messages and exit codes. This is the only place that
 * exits: 0 success, 1 an error from the library or the system, 2 a usage
 * error. */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#include <signal.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "progress.h"
#include "args.h"


const char mkba_cli_usage[] =
    "Usage:\n"
    "  mkba run SCENARIO.cfg [-o OUT.h5] [--draws N] [--households N] [--seed S]\n"
    "                        [--threads T] [--set NAME=VALUE]... [--cohort] [--force]\n"
    "                        [--resume] [--no-checkpoint] [--yes] [--quiet]\n"
    "  mkba sa METHOD SCENARIO.cfg [-o OUT.h5] [--factors LIST] [--outcome NAME] [options]\n"
    "  mkba sa sobol|morris --function ishigami|sobol-g|linear [-n N] [--format F]\n"
    "  mkba expost SCENARIO.cfg --observed DATA.csv [-o OUT.h5] [--from PSA.h5] [options]\n"
    "  mkba check SCENARIO.cfg\n"
    "  mkba summary OUT.h5 [--format text|csv|markdown|json|tidy|xlsx] [-o FILE]\n"
    "                      [--table ID] [--folder DIR] [--csv-locale nl]\n"
    "                      [--perspective NAME]\n"
    "  mkba report OUT.h5 [-o REPORT.html] [--lang nl|en]\n"
    "  mkba init [--template T] NAME.cfg     (mkba init --help lists the templates)\n"
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
    "  report    write a self-contained HTML report with charts of a result file\n"
    "  init      write a commented starting scenario that passes check\n"
    "  COMMAND --help prints a command's options with examples\n"
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
    "  --force             overwrite an existing result file (and discard the\n"
    "                      checkpoint of an interrupted run)\n"
    "  --resume            continue an interrupted run from its checkpoint\n"
    "                      (OUT.h5.ckpt): the same command with --resume computes\n"
    "                      only the missing draws and writes the same file as an\n"
    "                      uninterrupted run; a scenario, seed or option that\n"
    "                      differs is refused (docs/reliability.md)\n"
    "  --no-checkpoint     keep no checkpoint: saves its disk space (about the\n"
    "                      uncompressed /draws), but an interrupted run starts over\n"
    "  --yes               write a result file estimated above 2 GiB (otherwise\n"
    "                      refused before the run, with the estimate)\n"
    "  -q, --quiet         no progress bar, no summary, no messages besides errors\n"
    "\n";

/* Split from help_text: C compilers need only support strings of 4095. */
static const char help_text_more[] =
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
    "  --households, --seed, --threads, --set, --force, --resume, --no-checkpoint,\n"
    "                      --yes, --quiet as run\n"
    "  --format F          the printed tables: text, csv, markdown or json\n"
    "\n"
    "Options of summary:\n"
    "  --format F          text (default), csv, markdown or json: the same content;\n"
    "                      tidy: every draw's values in one long CSV; xlsx: a\n"
    "                      workbook (with -o FILE)\n"
    "  -o FILE, --folder DIR, --table ID, --csv-locale nl: mkba summary --help\n"
    "  --perspective NAME  cash flows and break-even of one perspective only\n"
    "                      (society, municipality, a payer or the scenario's own)\n"
    "\n"
    "Exit status: 0 success, 1 error in the scenario, the run or a file,\n"
    "2 wrong command line, 130/143 interrupted by SIGINT/SIGTERM (no file; the\n"
    "finished draws are kept for --resume).\n"
    "Documentation: README.md and docs/.\n";

/* `mkba COMMAND --help` for the commands parsed here (summary and report
 * print their own, src/cli/report_cmd.c): a usage line, the command's
 * "Options of" section of help_text (so each option is written once) and
 * examples. */
static const struct {
    const char *cmd, *usage, *section, *examples;
} command_help[] = {
    { "run", "Usage: mkba run SCENARIO.cfg [options]\n\n"
      "Simulates the scenario, writes the result file (replaced only when\n"
      "complete) and prints the summary, the answer first.\n\n",
      "Options of run:",
      "\nExamples:\n"
      "  mkba run scenarios/default.cfg\n"
      "  mkba run scenarios/default.cfg --draws 200 --households 2000 -o big.h5\n"
      "  mkba run scenarios/default.cfg --set cost_ggz_medium=2500 --draws 0\n"
      "Then: mkba report results/default.h5 (docs/cli.md, docs/report.md).\n" },
    { "sa", "Usage: mkba sa METHOD SCENARIO.cfg [-o OUT.h5] [options]\n"
      "       mkba sa sobol|morris --function ishigami|sobol-g|linear [-n N]\n\n"
      "METHOD: tornado, threshold, sweep, sobol, morris, evppi, prim, believe.\n\n",
      "Options of sa",
      "\nExamples:\n"
      "  mkba sa tornado scenarios/pathways/all-models.cfg --factors 'caseload_*'\n"
      "  mkba sa believe scenarios/pathways/all-models.cfg --arm makelpunt\n"
      "  mkba report results/all-models-sa-tornado.h5   (the tornado chart)\n" },
    { "check", "Usage: mkba check SCENARIO.cfg\n\n"
      "Validates the scenario without running it and prints the resolved model:\n"
      "structure, timing and discounting with defaults filled in, every parameter\n"
      "with its distribution, mean and source; warnings on standard error.\n",
      NULL,
      "\nExample:\n"
      "  mkba check scenarios/default.cfg\n" },
};

/* Prints the help of `cmd` when argv holds -h or --help before a `--`;
 * returns 1 then, else 0. */
static int command_help_asked(const char *cmd, int argc, char **argv)
{
    for (size_t c = 0; c < sizeof command_help / sizeof command_help[0]; c++) {
        if (strcmp(command_help[c].cmd, cmd) != 0)
            continue;
        for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
            if (strcmp(argv[i], "--help") != 0 && strcmp(argv[i], "-h") != 0)
                continue;
            fputs(command_help[c].usage, stdout);
            /* The section may be in either part of the help. */
            const char *section = command_help[c].section, *from = NULL;
            if (section != NULL && (from = strstr(help_text, section)) == NULL)
                from = strstr(help_text_more, section);
            if (from != NULL) {
                const char *end = strstr(from, "\n\n");
                fwrite(from, 1, end != NULL ? (size_t)(end - from) + 1 : strlen(from), stdout);
            }
            fputs(command_help[c].examples, stdout);
            return 1;
        }
    }
    return 0;
}
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
    "  --no-refine         keep the importance weights (default: refine by\n"
    "                      sequential Monte Carlo); below 2 effective draws an error\n"
    "  --moves M           refinement: Metropolis-Hastings steps per stage (8)\n"
    "  --max-stages S      refinement: at most S tempering stages (30)\n"
    "  --max-repeats R     refinement: at most R decorrelation repeats a stage after\n"
    "                      its moves, of the two walks together (the refined walk\n"
    "                      gets about half while the other walk is short), until the\n"
    "                      refined walk's scores have decorrelated (0 to 10000;\n"
    "                      0: none; default 3 x --moves)\n"
    "  --accept-partial    keep a refinement stopped below temperature 1 (a\n"
    "                      tempered sample) or unrefined weights on about one\n"
    "                      draw, labelled so (default: an error)\n"
    "  --refine-parameters LIST  refinement: the parameters of the tuned random walk\n"
    "                      (default: the 10 whose draws correlate most with the\n"
    "                      likelihood); every uncertain parameter moves\n"
    "  --simulate --set NAME=VALUE...  write synthetic data instead (-o DATA.csv):\n"
    "                      the base case with these true values, each row of the\n"
    "                      --observed template drawn through its observation model\n"
    "  --truth-draw D      with --simulate: PSA draw D instead of the base case\n"
    "                      (true values from the prior, listed in the CSV)\n"
    "  --threads, --force, --quiet, --format as sa\n"
    "\n";

typedef struct run_args {
    const char *scenario;
    const char *output;
    long draws, households;
    int seed_set;
    uint64_t seed;
    long threads;
    int cohort, force, quiet, resume, no_checkpoint, yes;
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
    const mkba_cli_run_options run = { &r->draws, 0, &r->households, &r->seed_set, &r->seed,
                                       &r->threads };
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
        } else if ((k = mkba_cli_run_option(argc, argv, &i, &run)) != 0) {
            if (k < 0)
                return EXIT_USAGE;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--set", NULL, &v)) != 0) {
            if (k < 0 || mkba_cli_parse_set(v, r->set_name, r->set_value, &r->nset) < 0)
                return EXIT_USAGE;
        } else if (strcmp(a, "--cohort") == 0) {
            r->cohort = 1;
        } else if (strcmp(a, "--force") == 0) {
            r->force = 1;
        } else if (strcmp(a, "--resume") == 0) {
            r->resume = 1;
        } else if (strcmp(a, "--no-checkpoint") == 0) {
            r->no_checkpoint = 1;
        } else if (strcmp(a, "--yes") == 0) {
            r->yes = 1;
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
    /* From here a signal stops the run in words, reading included. */
    mkba_cli_catch_signals();
    if (mkba_scenario_load(NULL, r->scenario, &m, &err) != MKBA_OK) {
        free(output);
        return mkba_cli_library_error(&err);
    }
    if (mkba_cli_stop != 0) {
        mkba_model_free(m);
        free(output);
        return mkba_cli_stopped_loading();
    }
    if (!r->quiet)
        mkba_model_warnings(m, stderr);
    if (r->output == NULL && mkba_cli_results_folder() < 0) {
        mkba_model_free(m);
        free(output);
        return EXIT_ERROR;
    }

    mkba_cli_progress bar;
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = out;
    o.force = r->force;
    o.yes = r->yes;
    o.draws = r->draws;
    o.households = r->households;
    o.seed_set = r->seed_set;
    o.seed = r->seed;
    o.mode = r->cohort ? MKBA_MODE_COHORT : MKBA_MODE_MICRO;
    o.nset = r->nset;
    o.set_name = (const char *const *)r->set_name;
    o.set_value = r->set_value;
    o.resume = r->resume;
    o.no_checkpoint = r->no_checkpoint;
    mkba_checkpoint_info ckpt = { 0 };
    o.checkpoint = &ckpt;
    mkba_context ctx;
    mkba_cli_run_begin(&ctx, &bar, r->threads, r->quiet);
    rc = mkba_run(&ctx, m, &o, &err);
    mkba_cli_run_end(&bar);
    mkba_model_free(m);
    if (rc != MKBA_OK) {
        free(output);
        return mkba_cli_run_error(&err, &ckpt, out);
    }
    rc = EXIT_OK;
    if (!r->quiet) {
        if (ckpt.resumed > 0)
            fprintf(stderr, "mkba: resumed: %ld draws came from the checkpoint %s.ckpt\n",
                    ckpt.resumed, out);
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

/* The single argument of `check`. */
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

/* Runs the command of argv. */
static int command(int argc, char **argv)
{
    if (argc < 2)
        return mkba_cli_usage_error("%s", "no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(help_text, stdout);
        fputs(help_text_more, stdout);
        fputs(help_expost, stdout);
        fputs("\n", stdout);
        fputs(mkba_cli_usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("mkba %s\n", MKBA_VERSION);
        return EXIT_OK;
    }
    if (command_help_asked(cmd, argc, argv))
        return EXIT_OK;
    /* Every rank would write the same files: only run, sa and expost
     * divide their work among mpirun's ranks (and leave the writing to
     * rank 0). */
    if (mkba_split_size(mkba_cli_split) > 1 && strcmp(cmd, "run") != 0
        && strcmp(cmd, "sa") != 0 && strcmp(cmd, "expost") != 0) {
        fprintf(stderr, "mkba: %s runs in one process; under mpirun only run, sa and expost "
                "divide their work among the ranks\n", cmd);
        return EXIT_USAGE;
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
        return mkba_cli_summary(argc - 2, argv + 2);
    if (strcmp(cmd, "report") == 0)
        return mkba_cli_report(argc - 2, argv + 2);
    if (strcmp(cmd, "init") == 0)
        return mkba_cli_init(argc - 2, argv + 2);
    if (cmd[0] == '-')
        return mkba_cli_usage_error("unknown option '%s'", cmd);
    return mkba_cli_usage_error("unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts the process; with it off, GSL functions
     * return error codes that the library turns into messages. Set once,
     * before any thread starts. */
    gsl_set_error_handler_off();
#ifdef __GLIBC__
    /* HDF5 compresses each chunk it writes with zlib's compress2, whose
     * ~300 KiB of state is allocated and freed per call: glibc then gives
     * the top of the heap back to the kernel (brk) and takes it again for
     * the next chunk, zero-filled page by page. With many small draws that
     * was nearly 100 brk calls a draw and 7-10x the wall time (system
     * time: docs/scaling.md, "Many small draws"). A fixed trim threshold
     * keeps up to 64 MiB of freed heap for reuse (and turns off glibc's
     * dynamic threshold, which the zlib pattern defeats). */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
    /* mkba closes every HDF5 file it opens, also after a failed write
     * (mkba_h5_close_file), so HDF5's exit-time cleanup has nothing to do;
     * off, it cannot turn a file HDF5 failed to let go into a crash at
     * exit. Only possible before HDF5 starts, and only the program's to
     * decide (a library must not change it for its host). */
    if (H5dont_atexit() < 0)
        fputs("mkba: warning: HDF5 started before mkba could turn off its exit-time "
              "cleanup\n", stderr);
    /* Past a file size limit (ulimit -f) the kernel kills the writer by
     * SIGXFSZ, silently, leaving its files; ignored, the write fails with
     * EFBIG and the run says "the file size limit is reached" and cleans up. */
    signal(SIGXFSZ, SIG_IGN);

    /* Under mpirun (a build with MPI) every rank runs the same command;
     * only rank 0 speaks, and the others' errors reach it through the
     * split (mkba/split.h). Without MPI this is rank 0 of 1. */
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_split_open(&argc, &argv, &mkba_cli_split, &err) != MKBA_OK)
        return mkba_cli_library_error(&err);
    const int rank = mkba_split_rank(mkba_cli_split);
    const int ranks = mkba_split_size(mkba_cli_split);
    if (rank != 0 && (freopen("/dev/null", "w", stdout) == NULL
                      || freopen("/dev/null", "w", stderr) == NULL))
        return EXIT_ERROR;
    int rc = command(argc, argv);
    const mkba_error *mine = &mkba_cli_rank_error;
    int status = rc == EXIT_OK ? MKBA_OK : mine->code != MKBA_OK ? (int)mine->code : MKBA_EINVAL;
    mkba_error_clear(&err);
    if (rank != 0)
        err = *mine;
    int all = mkba_split_close(mkba_cli_split, status, &err);
    if (rank == 0 && rc == EXIT_OK && all != MKBA_OK)
        rc = mkba_cli_library_error(&err);
    /* mpirun passes on the status of whichever rank it sees end first: one
     * status for every failure, a usage error on one rank included, so the
     * run's status does not depend on that race. An interrupted run ends
     * every rank with the signal's status (docs/reliability.md); a rank
     * stopped by another's signal did not see which, and says SIGTERM's. */
    if (ranks > 1 && all == MKBA_EINTERRUPTED)
        return 128 + (mkba_cli_stop != 0 ? (int)mkba_cli_stop : SIGTERM);
    if (ranks > 1 && (rc != EXIT_OK || all != MKBA_OK))
        return EXIT_ERROR;
    return rc;
}
