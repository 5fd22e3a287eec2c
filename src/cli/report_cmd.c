/* `mkba summary` and `mkba report`: what a result file says, as tables
 * (text, CSV, a folder of CSV files, the long format, Markdown, JSON, a
 * workbook) or as a self-contained HTML report with charts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mkba/mkba.h"
#include "args.h"

/* The formats of `mkba summary --format`, listed once. */
static const struct {
    const char *name;
    mkba_summary_format format;
} formats[] = {
    { "text", MKBA_SUMMARY_TEXT }, { "csv", MKBA_SUMMARY_CSV },
    { "markdown", MKBA_SUMMARY_MARKDOWN }, { "md", MKBA_SUMMARY_MARKDOWN },
    { "json", MKBA_SUMMARY_JSON }, { "tidy", MKBA_SUMMARY_TIDY },
    { "long", MKBA_SUMMARY_TIDY }, { "xlsx", MKBA_SUMMARY_XLSX },
};

static const char summary_help[] =
    "Usage: mkba summary OUT.h5 [--format F] [-o FILE | --folder DIR] [--table ID]\n"
    "                    [--csv-locale nl|en] [--perspective NAME] [--brief]\n"
    "\n"
    "Prints the summary of a result file (it reads the file only): the answer\n"
    "first, then the detail.\n"
    "\n"
    "  --format F          text (default), csv, markdown, json: the same tables;\n"
    "                      tidy (or long): one CSV line per value of every draw,\n"
    "                      columns draw,arm,year,payer,measure,value,unit;\n"
    "                      xlsx: a workbook, one sheet per table (needs -o)\n"
    "  -o, --output FILE   write FILE (replaced only when complete) instead of\n"
    "                      printing; never the input, another HDF5 file, a\n"
    "                      device or a pipe\n"
    "  --folder DIR        csv: one file DIR/ID.csv per table (DIR is created;\n"
    "                      ID made a safe file name; all files or none)\n"
    "  --table ID          only the table ID (csv: without the table column);\n"
    "                      a wrong ID lists the tables\n"
    "  --csv-locale nl     csv and tidy with ';' between fields, a decimal comma\n"
    "                      and a UTF-8 byte order mark, as Excel with Dutch\n"
    "                      settings reads them (en, the default: ',' and '.')\n"
    "  --perspective NAME  cash flows and break-even of one perspective only\n"
    "                      (society, municipality, a payer or the scenario's own)\n"
    "  --brief             text: the answer only (which arm, how sure, when it\n"
    "                      breaks even, who gains and who pays), one screen\n"
    "\n"
    "Examples:\n"
    "  mkba summary results/default.h5 --brief\n"
    "  mkba summary results/default.h5\n"
    "  mkba summary results/default.h5 --format xlsx -o default.xlsx\n"
    "  mkba summary results/default.h5 --format csv --folder default-csv\n"
    "  mkba summary results/default.h5 --format csv --table npv --csv-locale nl\n"
    "  mkba summary results/default.h5 --format tidy -o default-long.csv\n"
    "Reading the files in Python and R: docs/reading.md.\n"
    "Exit status: 0 success, 1 an unreadable file or a write error, 2 a wrong\n"
    "command line.\n";

static int parse_summary_format(const char *v, mkba_summary_format *f)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(v, formats[i].name) == 0) {
            *f = formats[i].format;
            return 0;
        }
    mkba_cli_usage_error("--format expects text, csv, markdown, json, tidy or xlsx, got '%s'",
                         v);
    return -1;
}

/* Option `name` (or alias) with a non-empty value in *dest: 1 when it
 * matched, 0 for another option, -1 with the usage printed. */
static int name_option(int argc, char **argv, int *i, const char *name, const char *alias,
                       const char **dest)
{
    const char *v = NULL;
    int k = mkba_cli_option_value(argc, argv, i, name, alias, &v);
    if (k <= 0)
        return k;
    if (v[0] == '\0') {
        mkba_cli_usage_error("%s needs a name", name);
        return -1;
    }
    *dest = v;
    return 1;
}

/* Option `name` with the value nl or en: *nl 1 for nl. Returns as
 * name_option. */
static int nl_option(int argc, char **argv, int *i, const char *name, int *nl)
{
    const char *v = NULL;
    int k = mkba_cli_option_value(argc, argv, i, name, NULL, &v);
    if (k <= 0)
        return k;
    if (strcmp(v, "nl") != 0 && strcmp(v, "en") != 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s expects nl or en, got '%%s'", name);
        mkba_cli_usage_error(msg, v);
        return -1;
    }
    *nl = strcmp(v, "nl") == 0;
    return 1;
}

static int is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int mkba_cli_summary(int argc, char **argv)
{
    const char *path = NULL;
    mkba_summary_options o;
    mkba_summary_options_init(&o);
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
        } else if (is_help(a)) {
            fputs(summary_help, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--brief") == 0) {
            o.brief = 1;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--format", NULL, &v)) != 0) {
            if (k < 0 || parse_summary_format(v, &o.format) < 0)
                return EXIT_USAGE;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--perspective", NULL, &v)) != 0) {
            if (k < 0)
                return EXIT_USAGE;
            o.perspective = v;
        } else if ((k = name_option(argc, argv, &i, "--table", NULL, &o.table)) != 0
                   || (k = name_option(argc, argv, &i, "--output", "-o", &o.output)) != 0
                   || (k = name_option(argc, argv, &i, "--folder", NULL, &o.folder)) != 0
                   || (k = nl_option(argc, argv, &i, "--csv-locale", &o.csv_nl)) != 0) {
            if (k < 0)
                return EXIT_USAGE;
        } else {
            return mkba_cli_usage_error("unknown option '%s' for summary (mkba summary --help "
                                        "lists them)", a);
        }
    }
    if (path == NULL)
        return mkba_cli_usage_error("%s", "summary needs a result file");
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_summary_export(NULL, path, &o, stdout, &err) != MKBA_OK)
        return mkba_cli_library_error(&err);
    return EXIT_OK;
}

static const char report_help[] =
    "Usage: mkba report OUT.h5 [-o REPORT.html] [--lang nl|en] [--format html|pdf]\n"
    "\n"
    "Writes one self-contained HTML file (charts embedded, no network) from the\n"
    "result file only: the answer first (which arm, how sure, when it breaks\n"
    "even, for whom), the cost-effectiveness plane, acceptability curve and\n"
    "frontier, cumulative net benefit and break-even per perspective, who pays\n"
    "and who gains, the ranking, services over time, sensitivity charts for a\n"
    "file of `mkba sa`, ex ante versus realised for a file of `mkba expost`,\n"
    "the key assumptions and every table of `mkba summary`. The charts are\n"
    "drawn with matplotlib (tools/mkba_plots.py): it needs python3 with the\n"
    "Debian packages python3-matplotlib and python3-h5py.\n"
    "\n"
    "  -o, --output FILE   the report (default: OUT.html or OUT.pdf beside\n"
    "                      OUT.h5); replaced only when complete; never the\n"
    "                      input, another HDF5 file, a device or a pipe\n"
    "  --lang nl|en        Dutch (MKBA terms) or English; default Dutch for a\n"
    "                      scenario with payers named gemeente..., else English\n"
    "  --format html|pdf   html (default), or the same page printed to PDF on\n"
    "                      A4 by headless Chromium (Debian's chromium)\n"
    "  --pdf               the same as --format pdf\n"
    "\n"
    "Environment: MKBA_PLOTS the chart script (default: tools/mkba_plots.py of\n"
    "the source tree mkba was built from), MKBA_PYTHON the python3 that runs it\n"
    "(default /usr/bin/python3), MKBA_CHROMIUM the browser for --pdf (default\n"
    "chromium on PATH).\n"
    "\n"
    "Examples:\n"
    "  mkba report results/default.h5\n"
    "  mkba report results/default.h5 -o default-en.html --lang en\n"
    "  mkba report results/default.h5 --pdf -o default.pdf\n"
    "Exit status: 0 success, 1 an unreadable file, a missing package (the\n"
    "message names it) or a write error, 2 a wrong command line.\n";

/* OUT.html for OUT.h5 (or OUT.ANY.html; .pdf for a PDF): the result
 * file's name with its extension replaced. */
static char *default_report(const char *path, const char *extension)
{
    size_t n = strlen(path), e = strlen(extension) + 1;
    const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
    if (dot != NULL && (slash == NULL || dot > slash) && dot != path)
        n = (size_t)(dot - path);
    char *out = malloc(n + e);
    if (out != NULL) {
        memcpy(out, path, n);
        memcpy(out + n, extension, e);
    }
    return out;
}

/* --format html or pdf: *pdf 1 for pdf. Returns as name_option. */
static int report_format(int argc, char **argv, int *i, int *pdf)
{
    const char *v = NULL;
    if (strcmp(argv[*i], "--pdf") == 0) {
        *pdf = 1;
        return 1;
    }
    int k = mkba_cli_option_value(argc, argv, i, "--format", NULL, &v);
    if (k <= 0)
        return k;
    if (strcmp(v, "html") != 0 && strcmp(v, "pdf") != 0) {
        mkba_cli_usage_error("--format expects html or pdf, got '%s'", v);
        return -1;
    }
    *pdf = strcmp(v, "pdf") == 0;
    return 1;
}

int mkba_cli_report(int argc, char **argv)
{
    const char *path = NULL;
    mkba_html_options o = { NULL, NULL };
    int only_positional = 0, nl = -1, pdf = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int k;
        if (only_positional || a[0] != '-' || strcmp(a, "-") == 0) {
            if (path != NULL)
                return mkba_cli_usage_error("report takes one result file; unexpected '%s'", a);
            path = a;
        } else if (strcmp(a, "--") == 0) {
            only_positional = 1;
        } else if (is_help(a)) {
            fputs(report_help, stdout);
            return EXIT_OK;
        } else if ((k = name_option(argc, argv, &i, "--output", "-o", &o.output)) != 0
                   || (k = nl_option(argc, argv, &i, "--lang", &nl)) != 0
                   || (k = report_format(argc, argv, &i, &pdf)) != 0) {
            if (k < 0)
                return EXIT_USAGE;
        } else {
            return mkba_cli_usage_error("unknown option '%s' for report (mkba report --help "
                                        "lists them)", a);
        }
    }
    if (path == NULL)
        return mkba_cli_usage_error("%s", "report needs a result file");
    if (nl >= 0)
        o.lang = nl ? "nl" : "en";
    char *output = o.output == NULL ? default_report(path, pdf ? ".pdf" : ".html") : NULL;
    if (o.output == NULL && output == NULL) {
        fprintf(stderr, "mkba: out of memory\n");
        return EXIT_ERROR;
    }
    if (o.output == NULL)
        o.output = output;
    mkba_error err;
    mkba_error_clear(&err);
    /* Ctrl-C or SIGTERM ends the chart script or Chromium and removes the
     * scratch folder and the temporary output, as a run does. */
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.stop = &mkba_cli_stop;
    mkba_cli_catch_signals();
    int lib = (pdf ? mkba_report_pdf : mkba_report_html)(&ctx, path, &o, &err);
    mkba_cli_release_signals();
    int rc = lib == MKBA_OK ? EXIT_OK : mkba_cli_run_error(&err, NULL, o.output);
    if (rc == EXIT_OK)
        fprintf(stderr, "mkba: wrote %s\n", o.output);
    free(output);
    return rc;
}
