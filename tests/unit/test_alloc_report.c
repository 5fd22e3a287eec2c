/* Allocation failures in what `mkba report` and `mkba summary --folder`
 * do beyond the summary itself, and in the PSA of a sensitivity method run
 * without --from: the HTML report of a run file and of an sa file, its PDF,
 * the chart manifest reader and the charts' embedding, the folder of CSV
 * tables, sa prim's own PSA, and an ex-post evaluation's reading of
 * observed data over 64 KiB and its --refine-parameters. Each operation runs under the allocator
 * of support_alloc.h, which fails one place at a time; the places the
 * same file's summary (test_alloc_sites) shares with it are skipped first,
 * so what is failed is the report's own code. Every failure must give an
 * out-of-memory error and leave no report, no folder, no temporary and no
 * chart folder.
 *
 * The charts: the chart script runs once, as tools/mkba_plots.py (python3
 * with matplotlib); later runs copy its folder (MKBA_PLOTS names a shell
 * script that does), so a run costs milliseconds, not a python start. The
 * PDF: MKBA_CHROMIUM names a shell script writing a one-page PDF, so
 * Chromium is not needed (test_report_html prints real ones). Skipped
 * without python3 and matplotlib.
 *
 * The sample: at most CAP places per operation (CAP_SAN under the
 * sanitizers, MKBA_SANITIZED set), so the test runs in well under a
 * minute; MKBA_ALLOC_REPORT_ALL=1 fails every place. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "mkba/sa.h"
#include "mkba/expost.h"
#include "support.h"
#include "support_alloc.h"
#include "support_expost.h"
#include "support_run.h"

#define CAP 60
#define CAP_SAN 12

static support_expost fx;
static char sa_file[300], html[300], pdf[300], folder[300], prim_out[300];
static char plots[300], browser[300], cache[300], padded[300];
static int skipped;

static size_t cap(void)
{
    if (getenv("MKBA_ALLOC_REPORT_ALL") != NULL)
        return 0;
    return getenv("MKBA_SANITIZED") != NULL ? CAP_SAN : CAP;
}

/* No chart folder (mkba-plots-*, in TMPDIR = the fixture's folder) may
 * outlive the call. */
static void no_chart_folder(const char *what)
{
    DIR *d = opendir(fx.dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "mkba-plots-", 11) == 0) {
            closedir(d);
            fail_msg("%s left the chart folder %s/%s", what, fx.dir, e->d_name);
        }
    closedir(d);
}

typedef struct report_case {
    const char *file;
    int as_pdf;
} report_case;

static int run_report(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    const report_case *c = arg;
    mkba_html_options o = { c->as_pdf ? pdf : html, "en" };
    int rc = c->as_pdf ? mkba_report_pdf(ctx, c->file, &o, err)
                       : mkba_report_html(ctx, c->file, &o, err);
    no_chart_folder(c->as_pdf ? "report --pdf" : "report");
    if (rc == MKBA_OK)
        remove(o.output);
    return rc;
}

/* The CSV summary of file to /dev/null, or into the folder `dir`. */
static int summary_csv(const mkba_context *ctx, const char *file, const char *dir,
                       mkba_error *err)
{
    mkba_summary_options o;
    mkba_summary_options_init(&o);
    o.format = MKBA_SUMMARY_CSV;
    o.folder = dir;
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    int rc = mkba_summary_export(ctx, file, &o, sink, err);
    fclose(sink);
    return rc;
}

/* What a report shares with the summary. */
static int run_summary(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    return summary_csv(ctx, arg, NULL, err);
}

static int run_folder(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    int rc = summary_csv(ctx, arg, folder, err);
    if (rc == MKBA_OK && support_remove_temp_folder(folder) != 0)
        fail_msg("cannot remove %s", folder);
    return rc;
}

/* sa prim, with a PSA of its own (arg NULL) or of file arg. */
static int run_prim(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    mkba_sa_options o;
    mkba_sa_options_init(&o);
    o.method = MKBA_SA_PRIM;
    o.output = prim_out;
    o.force = 1;
    o.from = arg;
    o.draws = arg != NULL ? -1 : 50;
    o.households = arg != NULL ? -1 : 20;
    o.factors = "p_debt_worse,improve";
    int rc = mkba_sa_run(ctx, fx.services, &o, err);
    if (rc == MKBA_OK)
        remove(prim_out);
    return rc;
}

/* The report of file, in HTML and PDF, after skipping its summary. */
static void reports(const char *what, const char *file)
{
    char label[96];
    snprintf(label, sizeof label, "summary of %s", what);
    support_alloc_skip(&(support_alloc_op){ label, run_summary, file, NULL });
    const report_case page = { file, 0 }, print = { file, 1 };
    snprintf(label, sizeof label, "report of %s", what);
    size_t failed = support_alloc_every_place(&(support_alloc_op){ label, run_report, &page,
                                                                   html }, cap());
    snprintf(label, sizeof label, "report --pdf of %s", what);
    failed += support_alloc_every_place(&(support_alloc_op){ label, run_report, &print, pdf },
                                        cap());
    assert_true(failed > 0);
}

static void test_report_run(void **state)
{
    (void)state;
    if (skipped)
        skip();
    support_need_exec(browser);   /* the PDF's stand-in Chromium, run directly */
    reports("a services PSA", fx.psa);
}

static void test_report_sa(void **state)
{
    (void)state;
    if (skipped)
        skip();
    support_need_exec(browser);
    reports("an sa tornado", sa_file);
}

static void test_folder(void **state)
{
    (void)state;
    support_alloc_skip(&(support_alloc_op){ "summary of a services PSA", run_summary, fx.psa,
                                            NULL });
    assert_true(support_alloc_every_place(&(support_alloc_op){ "summary --folder", run_folder,
                                                               fx.psa, folder }, cap()) > 0);
}

/* The PSA run of the same size (test_alloc_fail fails its every
 * allocation). */
static int run_psa(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    (void)arg;
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = prim_out;
    o.force = 1;
    o.draws = 50;
    o.households = 20;
    int rc = mkba_run(ctx, fx.services, &o, err);
    remove(prim_out);
    return rc;
}

/* What sa prim does beyond a PSA run and beyond prim on a PSA file
 * (test_alloc_sites): its own draws and their factor values. */
static void test_prim_psa(void **state)
{
    (void)state;
    support_alloc_skip(&(support_alloc_op){ "run", run_psa, NULL, NULL });
    support_alloc_skip(&(support_alloc_op){ "sa prim --from", run_prim, fx.psa, NULL });
    assert_true(support_alloc_every_place(&(support_alloc_op){ "sa prim", run_prim, NULL,
                                                               prim_out }, cap()) > 0);
}

/* An ex-post evaluation (arg: its observed data) with its refinement,
 * which names the parameter to refine (padded: the data padded past the
 * reader's first 64 KiB) or leaves the choice to the sampler. */
static int run_expost(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    mkba_expost_options o;
    support_expost_options(&fx, &o, prim_out);
    o.observed = arg;
    o.min_ess_share = 0.9;
    o.moves = 2;
    o.max_stages = 3;
    o.accept_partial = 1;
    if (arg == padded)
        o.refine_parameters = "p_debt_worse";
    int rc = mkba_expost_run(ctx, fx.services, &o, err);
    if (rc == MKBA_OK)
        remove(prim_out);
    return rc;
}

/* What an evaluation does beyond test_alloc_sites' (its places skipped
 * first): reading observed data longer than the reader's first buffer
 * (comment lines pad it past 64 KiB) and checking --refine-parameters. */
static void test_expost_own(void **state)
{
    (void)state;
    char *text = support_read_file(fx.data);
    assert_non_null(text);
    size_t len = strlen(text), size = len + 70 * 1024, n = len;
    char *more = realloc(text, size);
    assert_non_null(more);
    for (; n + 64 < size; n += 64) {
        more[n] = '#';
        memset(more + n + 1, '.', 62);
        more[n + 63] = '\n';
    }
    more[n] = '\0';
    assert_int_equal(support_write_file(padded, more), 0);
    assert_true(strlen(more) > 65536);
    free(more);
    support_alloc_skip(&(support_alloc_op){ "expost", run_expost, fx.data, NULL });
    assert_true(support_alloc_every_place(&(support_alloc_op){ "expost of padded data, "
                                                               "--refine-parameters",
                                                               run_expost, padded, prim_out },
                                          cap()) > 0);
    remove(padded);
}

/* The stand-ins for the chart script (its first run the real one, whose
 * folder later runs copy) and for Chromium. */
static int stand_ins(void)
{
    char *top = getcwd(NULL, 0);
    if (top == NULL)
        return -1;
    char text[2048];
    snprintf(text, sizeof text,
             "# $1 the result file, $2 the chart folder, then the options.\n"
             "c=\"%s/$(basename \"$1\")-$(echo \"$@\" | cut -d' ' -f3- | tr -c 'a-z0-9' _)\"\n"
             "if [ ! -f \"$c/manifest.json\" ]; then\n"
             "  /usr/bin/python3 %s/tools/mkba_plots.py \"$@\" || exit $?\n"
             "  mkdir -p \"$c\" && cp \"$2\"/*.svg \"$2\"/manifest.json \"$c\"/\n"
             "else\n"
             "  cp \"$c\"/* \"$2\"/\n"
             "fi\n", cache, top);
    free(top);
    if (support_write_file(plots, text) != 0)
        return -1;
    return support_write_file(browser,
                              "#!/bin/sh\n"
                              "for a; do case $a in --print-to-pdf=*) out=${a#*=};; esac; done\n"
                              "printf '%%PDF-1.4\\n<< /Type /Pages /Count 1 >>\\n' >\"$out\"\n");
}

static int setup(void **state)
{
    (void)state;
    if (support_expost_open(&fx, "alloc-report", 60) != 0)
        return -1;
    support_expost_path(&fx, sa_file, "tornado.h5");
    support_expost_path(&fx, html, "report.html");
    support_expost_path(&fx, pdf, "report.pdf");
    support_expost_path(&fx, folder, "tables");
    support_expost_path(&fx, prim_out, "prim.h5");
    support_expost_path(&fx, plots, "plots.sh");
    support_expost_path(&fx, browser, "chromium.sh");
    support_expost_path(&fx, cache, "charts");
    support_expost_path(&fx, padded, "padded.csv");
    if (stand_ins() != 0 || chmod(browser, 0755) != 0)
        return -1;
    skipped = system("/usr/bin/python3 -c 'import matplotlib, h5py' 2>/dev/null") != 0;
    if (skipped)
        fprintf(stderr, "test_alloc_report: no python3 with matplotlib and h5py, the reports "
                        "skipped\n");
    setenv("TMPDIR", fx.dir, 1);
    setenv("MKBA_PYTHON", "/bin/sh", 1);
    setenv("MKBA_PLOTS", plots, 1);
    setenv("MKBA_CHROMIUM", browser, 1);
    mkba_sa_options o;
    mkba_sa_options_init(&o);
    o.method = MKBA_SA_TORNADO;
    o.output = sa_file;
    o.force = 1;
    o.households = 20;
    o.factors = "p_debt_worse,improve";
    mkba_error err = {0};
    if (mkba_sa_run(NULL, fx.services, &o, &err) != MKBA_OK) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    support_alloc_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = { "tornado.h5", "plots.sh", "chromium.sh" };
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
    if (system(cmd) != 0)
        return -1;
    return support_expost_close(&fx, names, sizeof names / sizeof names[0]);
}

int main(void)
{
    gsl_set_error_handler_off();
    /* MKBA_TEST_FILTER=test_folder runs one part (a glob over the names). */
    if (getenv("MKBA_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("MKBA_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_run),
        cmocka_unit_test(test_report_sa),
        cmocka_unit_test(test_folder),
        cmocka_unit_test(test_prim_psa),
        cmocka_unit_test(test_expost_own),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
