/* `mkba sa METHOD SCENARIO.cfg [options]`: sensitivity analysis
 * (docs/sensitivity.md). Parses the options into mkba_sa_options, runs the
 * method and prints its tables from the written file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mkba/sa.h"
#include "progress.h"
#include "args.h"

typedef struct sa_args {
    mkba_sa_options o;
    const char *scenario, *function;
    const char *scenario_option;  /* the first option --function has no use for */
    long threads;
    int quiet;
    mkba_summary_format format;
    size_t nrange, ngrid, ngroups, nset;
    mkba_sa_range *range, *grid;
    char **set_name;
    const char **group;
    double *set_value;
} sa_args;

static void sa_args_free(sa_args *a)
{
    free(a->range);
    free(a->grid);
    free(a->group);
    for (size_t i = 0; i < a->nset; i++)
        free(a->set_name[i]);
    free(a->set_name);
    free(a->set_value);
}


/* NAME=LO:HI (a range) or NAME=LO:HI:N (a grid, want_n). */
static int parse_range(const char *opt, const char *s, int want_n, mkba_sa_range *r)
{
    const char *eq = strchr(s, '=');
    char lo[64], hi[64], n[32];
    int ok = eq != NULL && eq != s;
    const char *p = ok ? eq + 1 : s;
    const char *c1 = ok ? strchr(p, ':') : NULL, *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    ok = ok && c1 != NULL && (want_n ? c2 != NULL : c2 == NULL);
    ok = ok && (size_t)(c1 - p) < sizeof lo
         && strlen(c1 + 1) < sizeof hi && (c2 == NULL || strlen(c2 + 1) < sizeof n);
    if (ok) {
        memcpy(lo, p, (size_t)(c1 - p));
        lo[c1 - p] = '\0';
        size_t hl = c2 != NULL ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
        memcpy(hi, c1 + 1, hl);
        hi[hl] = '\0';
        if (c2 != NULL)
            strcpy(n, c2 + 1);
    }
    if (!ok) {
        fprintf(stderr, "mkba: %s expects NAME=LO:HI%s, got '%s'\n", opt,
                want_n ? ":N (e.g. caseload=10:30:5)" : " (e.g. detect_team=0.2:0.6)", s);
        return -1;
    }
    char *name = strndup(s, (size_t)(eq - s));
    if (name == NULL) {
        fprintf(stderr, "mkba: out of memory\n");
        return -1;
    }
    r->name = name;
    r->n = 0;
    if (mkba_cli_parse_double(opt, lo, &r->lo) < 0 || mkba_cli_parse_double(opt, hi, &r->hi) < 0
        || (want_n && mkba_cli_parse_long(opt, n, 2, &r->n) < 0))
        return -1;
    if (!(r->lo < r->hi)) {
        char given[512];
        snprintf(given, sizeof given, "%s %s", opt, s);
        mkba_cli_usage_error("%s: LO must be below HI", given);
        return -1;
    }
    return 0;
}



/* The options only some methods take, listed once with the methods that
 * do; every method also takes -o, --households, --seed, --threads, --set,
 * --force, --resume, --no-checkpoint, --quiet and --format. */
static const struct {
    const char *option, *methods;
} method_options[] = {
    { "--factors", "tornado threshold sobol morris evppi prim" },
    { "--range", "tornado threshold sobol morris" },
    { "--low", "tornado threshold" },
    { "--high", "tornado threshold" },
    { "--outcome", "tornado threshold sweep sobol morris evppi prim believe" },
    { "--arm", "threshold sobol morris prim believe" },
    { "--versus", "threshold" },
    { "--grid", "sweep" },
    { "-n", "sobol morris" },
    { "--second-order", "sobol" },
    { "--bootstrap", "sobol morris" },
    { "--levels", "morris" },
    { "--radial", "morris" },
    { "--group", "evppi" },
    { "--from", "evppi prim" },
    { "--function", "sobol morris" },
    { "--draws", "evppi prim believe" },
    { "--draw", "tornado threshold sweep sobol morris believe" },
};

/* Whether word is one of the blank-separated words of list. */
static int has_word(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

/* Refuses an option the method does not take (0: taken or common). */
static int refuse_option(const char *method, const char *arg, size_t len)
{
    for (size_t i = 0; i < sizeof method_options / sizeof method_options[0]; i++) {
        const char *opt = method_options[i].option;
        if (strlen(opt) == len && strncmp(opt, arg, len) == 0
            && !has_word(method_options[i].methods, method)) {
            fprintf(stderr, "mkba: %s is not an option of sa %s; it is one of sa %s\n", opt,
                    method, method_options[i].methods);
            return 1;
        }
    }
    return 0;
}

/* The options `--function` takes; every other one needs a scenario. */
static int function_option(const char *arg)
{
    static const char *const ok[] = { "--function", "-n", "--seed", "--bootstrap", "--levels",
                                      "--radial", "--second-order", "--format", "--quiet",
                                      "-q" };
    size_t len = strcspn(arg, "=");
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strlen(ok[i]) == len && strncmp(ok[i], arg, len) == 0)
            return 1;
    return 0;
}

static int parse(int argc, char **argv, sa_args *a)
{
    size_t cap = (size_t)argc + 1;
    a->range = calloc(cap, sizeof *a->range);
    a->grid = calloc(cap, sizeof *a->grid);
    a->group = calloc(cap, sizeof *a->group);
    a->set_name = calloc(cap, sizeof *a->set_name);
    a->set_value = calloc(cap, sizeof *a->set_value);
    if (!a->range || !a->grid || !a->group || !a->set_name || !a->set_value) {
        fprintf(stderr, "mkba: out of memory\n");
        return EXIT_ERROR;
    }
    mkba_sa_options *o = &a->o;
    const mkba_cli_run_options run = { &o->draws, 0, &o->households, &o->seed_set, &o->seed,
                                       &a->threads };
    const char *method = mkba_sa_method_name(o->method);
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i], *v = NULL;
        int k;
        if (s[0] != '-') {
            if (a->scenario != NULL)
                return mkba_cli_usage_error("sa takes one scenario file; unexpected '%s'", s);
            a->scenario = s;
            continue;
        }
        if (refuse_option(method, s, strcspn(s, "=")))
            return EXIT_USAGE;
        if (a->scenario_option == NULL && !function_option(s))
            a->scenario_option = s;
#define OPT(name, alias) ((k = mkba_cli_option_value(argc, argv, &i, name, alias, &v)) != 0)
        if (OPT("--output", "-o")) { if (k < 0) return EXIT_USAGE; o->output = v; }
        else if (OPT("--factors", NULL)) { if (k < 0) return EXIT_USAGE; o->factors = v; }
        else if (OPT("--range", NULL)) {
            if (k < 0 || parse_range("--range", v, 0, &a->range[a->nrange++]) < 0)
                return EXIT_USAGE;
        } else if (OPT("--grid", NULL)) {
            if (k < 0 || parse_range("--grid", v, 1, &a->grid[a->ngrid++]) < 0)
                return EXIT_USAGE;
        } else if (OPT("--low", NULL)) {
            if (k < 0 || mkba_cli_parse_double("--low", v, &o->low) < 0) return EXIT_USAGE;
        } else if (OPT("--high", NULL)) {
            if (k < 0 || mkba_cli_parse_double("--high", v, &o->high) < 0) return EXIT_USAGE;
        } else if (OPT("--outcome", NULL)) { if (k < 0) return EXIT_USAGE; o->outcome = v; }
        else if (OPT("--arm", NULL)) { if (k < 0) return EXIT_USAGE; o->arm = v; }
        else if (OPT("--versus", NULL)) { if (k < 0) return EXIT_USAGE; o->versus = v; }
        else if (OPT("--group", NULL)) { if (k < 0) return EXIT_USAGE; a->group[a->ngroups++] = v; }
        else if (OPT("--function", NULL)) { if (k < 0) return EXIT_USAGE; a->function = v; }
        else if (OPT("--from", NULL)) { if (k < 0) return EXIT_USAGE; o->from = v; }
        else if (OPT("-n", NULL)) {
            if (k < 0 || mkba_cli_parse_long("-n", v, 1, &o->n) < 0) return EXIT_USAGE;
        } else if (OPT("--bootstrap", NULL)) {
            if (k < 0 || mkba_cli_parse_long("--bootstrap", v, 0, &o->bootstrap) < 0)
                return EXIT_USAGE;
            if (o->bootstrap > 100000)
                return mkba_cli_usage_error("--bootstrap expects a whole number from 0 to "
                                            "100000, got '%s'", v);
        } else if (OPT("--levels", NULL)) {
            long levels = 0;
            if (k < 0 || mkba_cli_parse_long("--levels", v, 2, &levels) < 0)
                return EXIT_USAGE;
            if (levels > 1000 || levels % 2 != 0)
                return mkba_cli_usage_error("--levels expects an even number from 2 to 1000, "
                                            "got '%s'", v);
            o->levels = (int)levels;
        } else if ((k = mkba_cli_run_option(argc, argv, &i, &run)) != 0) {
            if (k < 0) return EXIT_USAGE;
        } else if (OPT("--draw", NULL)) {
            if (k < 0 || mkba_cli_parse_long("--draw", v, 0, &o->draw) < 0) return EXIT_USAGE;
            /* Draw numbers are 32-bit (mkba_design_points). */
            if ((unsigned long)o->draw > UINT32_MAX)
                return mkba_cli_usage_error("--draw expects a draw number from 0 to "
                                            "4294967295, got '%s'", v);
        } else if (OPT("--set", NULL)) {
            if (k < 0 || mkba_cli_parse_set(v, a->set_name, a->set_value, &a->nset) < 0)
                return EXIT_USAGE;
        } else if (OPT("--format", NULL)) {
            if (k < 0) return EXIT_USAGE;
            if (mkba_cli_parse_format(v, &a->format) < 0)
                return EXIT_USAGE;
        }
#undef OPT
        else if (strcmp(s, "--second-order") == 0) o->second_order = 1;
        else if (strcmp(s, "--radial") == 0) o->radial = 1;
        else if (strcmp(s, "--force") == 0) o->force = 1;
        else if (strcmp(s, "--resume") == 0) o->resume = 1;
        else if (strcmp(s, "--no-checkpoint") == 0) o->no_checkpoint = 1;
        else if (strcmp(s, "--yes") == 0) o->yes = 1;
        else if (strcmp(s, "--quiet") == 0 || strcmp(s, "-q") == 0) a->quiet = 1;
        else
            return mkba_cli_usage_error("unknown option '%s' for sa", s);
    }
    o->range = a->range;
    o->nrange = a->nrange;
    o->grid = a->grid;
    o->ngrid = a->ngrid;
    o->group = a->group;
    o->ngroups = a->ngroups;
    o->set_name = (const char *const *)a->set_name;
    o->set_value = a->set_value;
    o->nset = a->nset;
    return EXIT_OK;
}


static int run(sa_args *a)
{
    mkba_error err;
    mkba_error_clear(&err);
    const char *method = mkba_sa_method_name(a->o.method);
    if (a->function != NULL) {
        if (a->scenario != NULL)
            return mkba_cli_usage_error("--function replaces the scenario; unexpected '%s'",
                                        a->scenario);
        if (a->scenario_option != NULL)
            return mkba_cli_usage_error("%s has no meaning with --function (an analytic "
                                        "function, no scenario, no file)", a->scenario_option);
        if (!a->o.seed_set)
            a->o.seed = 1;
        if (mkba_sa_function(NULL, &a->o, a->function, a->format, stdout, &err) != MKBA_OK)
            return mkba_cli_library_error(&err);
        return EXIT_OK;
    }
    if (a->scenario == NULL)
        return mkba_cli_usage_error("sa %s needs a scenario file", method);
    mkba_model *m = NULL;
    int rc = EXIT_OK;
    mkba_cli_catch_signals();
    if (mkba_scenario_load(NULL, a->scenario, &m, &err) != MKBA_OK)
        return mkba_cli_library_error(&err);
    if (mkba_cli_stop != 0) {
        mkba_model_free(m);
        return mkba_cli_stopped_loading();
    }
    char *output = NULL, suffix[64];
    snprintf(suffix, sizeof suffix, "-sa-%s", method);
    if (mkba_cli_output(&a->o.output, a->scenario, suffix, &output) < 0) {
        mkba_model_free(m);
        return EXIT_ERROR;
    }
    mkba_cli_progress bar;
    mkba_context ctx;
    mkba_cli_run_begin(&ctx, &bar, a->threads, a->quiet);
    mkba_checkpoint_info ckpt = { 0 };
    a->o.checkpoint = &ckpt;
    int lrc = mkba_sa_run(&ctx, m, &a->o, &err);
    mkba_cli_run_end(&bar);
    mkba_model_free(m);
    if (lrc != MKBA_OK) {
        rc = mkba_cli_run_error(&err, &ckpt, a->o.output);
    } else if (!a->quiet) {
        if (ckpt.resumed > 0)
            fprintf(stderr, "mkba: resumed: %ld design points came from the checkpoint "
                    "%s.ckpt\n", ckpt.resumed, a->o.output);
        fprintf(stderr, "mkba: wrote %s\n", a->o.output);
        if (mkba_summary_write(NULL, a->o.output, a->format, NULL, stdout, &err) != MKBA_OK)
            rc = mkba_cli_library_error(&err);
    }
    free(output);
    return rc;
}

/* "tornado, threshold, ..." from the method table. */
static void method_list(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < MKBA_SA_NMETHODS && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "",
                                 mkba_sa_method_name((mkba_sa_method)i));
}

int mkba_cli_sa(int argc, char **argv)
{
    char methods[256];
    method_list(methods, sizeof methods);
    if (argc < 1)
        return mkba_cli_usage_error("sa needs a method: %s", methods);
    int method = mkba_sa_method_find(argv[0]);
    if (method < 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "unknown sensitivity method '%s'; known: %s", argv[0], methods);
        return mkba_cli_usage_error("%s", msg);
    }
    sa_args a;
    memset(&a, 0, sizeof a);
    mkba_sa_options_init(&a.o);
    a.o.method = (mkba_sa_method)method;
    int rc = parse(argc - 1, argv + 1, &a);
    if (rc == EXIT_OK)
        rc = run(&a);
    for (size_t i = 0; i < a.nrange; i++)
        free((char *)a.range[i].name);
    for (size_t i = 0; i < a.ngrid; i++)
        free((char *)a.grid[i].name);
    sa_args_free(&a);
    return rc;
}
