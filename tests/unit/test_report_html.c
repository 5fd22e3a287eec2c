/* Tests of `mkba report`: the HTML file is well-formed and self-contained
 * (tests/report/check_html.py: every chart an embedded SVG image with alt
 * text), its answer table holds the numbers of the HDF5 file, the language
 * switch changes the words and not the numbers, a bad output path leaves
 * no file, every chart has labelled axes with units (the manifest of
 * tools/mkba_plots.py), a missing matplotlib or a failing chart script
 * gives a clear error and no file, and, where Debian's chromium is
 * installed, the page renders headless with every image loaded and no
 * console errors, and prints to a PDF with pages. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "io/h5out.h"
#include "support.h"

static char result_path[256];

static int make_result(void **state)
{
    (void)state;
    return support_run_small(result_path, sizeof result_path, "html", 4);
}

static int remove_result(void **state)
{
    (void)state;
    remove(result_path);
    return 0;
}

static void write_report(const char *out, const char *lang)
{
    mkba_html_options o = { out, lang };
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_report_html(NULL, result_path, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
}

static int have_python(void)
{
    return system("python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1") == 0;
}

/* The output of check_html.py for a report (it fails the test on a
 * malformed or not self-contained file): one line per data-value, and the
 * number of charts. Free it. */
static char *check_with(const char *html, const char *options, int *charts)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "python3 tests/report/check_html.py %s '%s'", options, html);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    assert_non_null(m);
    int c;
    while ((c = fgetc(p)) != EOF)
        fputc(c, m);
    fclose(m);
    if (pclose(p) != 0)
        fail_msg("check_html.py rejected %s", html);
    if (charts != NULL && sscanf(out, "charts\t-\t-\t%d", charts) != 1)
        fail_msg("no chart count from check_html.py");
    return out;
}

static char *check(const char *html, int *charts)
{
    return check_with(html, "", charts);
}

/* check() with every text of each chart ("text\tID\t-\tTEXT" lines). */
static char *check_texts(const char *html)
{
    return check_with(html, "--texts", NULL);
}

/* The data-value of cell (row, col) of table `id` in check()'s output;
 * NAN when absent. */
static double cell(const char *cells, const char *id, int row, int col)
{
    char key[200];
    snprintf(key, sizeof key, "\n%s\t%d\t%d\t", id, row, col);
    const char *at = strstr(cells, key);
    return at != NULL ? strtod(at + strlen(key), NULL) : NAN;
}

/* The answer table: row 1 the reference arm "usual", row 2 "integrated";
 * column 1 the society NPV, 3 P(best). */
static void test_numbers_equal_the_file(void **state)
{
    (void)state;
    if (!have_python()) {
        fprintf(stderr, "test_report_html: no python3, skipped\n");
        return;
    }
    char out[300];
    snprintf(out, sizeof out, "%s.en.html", result_path);
    write_report(out, "en");
    size_t n;
    double *npv = support_read_doubles(result_path, "/analysis/cashflow/npv", &n);
    double *rank = support_read_doubles(result_path, "/analysis/ranking/npv_rank", NULL);
    assert_non_null(npv);
    assert_non_null(rank);
    int charts = 0;
    char *cells = check(out, &charts);
    /* [K][A][mean, lo, hi], society first; the values written with 17 digits. */
    assert_true(cell(cells, "answer-table", 2, 1) == npv[(0 * 2 + 1) * 3]);
    assert_true(cell(cells, "answer-table", 2, 3) == rank[1 * 2 + 0]);
    assert_true(cell(cells, "answer-table", 1, 3) == rank[0 * 2 + 0]);
    /* plane, acceptability, frontier, one per perspective, payers, ranking,
     * services (escalations): at least 7 whatever the number of
     * perspectives, and these by name. */
    assert_true(charts >= 7);
    const char *ids[] = { "plane", "ceac", "frontier", "cashflow_society", "payers_integrated",
                          "ranking", "services" };
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char key[64];
        snprintf(key, sizeof key, "\nchart\t%s\t", ids[i]);
        if (strstr(cells, key) == NULL)
            fail_msg("no chart %s in the report", ids[i]);
    }
    /* The summary's npv table inside: the first row's NPV again. */
    assert_true(cell(cells, "table-npv", 1, 2) == npv[(0 * 2 + 1) * 3]);
    free(cells);

    char *html = support_read_file(out);
    assert_non_null(html);
    assert_non_null(strstr(html, "<html lang=\"en\">"));
    /* The answer names the arm with the higher mean NPV for society. */
    assert_non_null(strstr(html, npv[(0 * 2 + 1) * 3] > 0 ? "Choose integrated."
                                                           : "Keep usual"));
    free(html);
    free(npv);
    free(rank);
    remove(out);
}

/* Dutch words, the same numbers. */
static void test_dutch(void **state)
{
    (void)state;
    char en[300], nl[300];
    snprintf(en, sizeof en, "%s.en.html", result_path);
    snprintf(nl, sizeof nl, "%s.nl.html", result_path);
    write_report(en, "en");
    write_report(nl, "nl");
    char *e = support_read_file(en), *d = support_read_file(nl);
    assert_non_null(e);
    assert_non_null(d);
    assert_non_null(strstr(d, "<html lang=\"nl\">"));
    assert_non_null(strstr(d, "nulalternatief"));
    assert_non_null(strstr(d, "contante waarde"));
    assert_null(strstr(d, "Who pays and who gains"));
    /* The fixed perspectives in Dutch in the headings above the charts. */
    assert_non_null(strstr(d, "<h3>perspectief samenleving</h3>"));
    assert_null(strstr(d, "perspectief society"));
    assert_non_null(strstr(e, "<h3>perspective society</h3>"));
    /* Every data-value attribute equal, in order. */
    const char *p = e, *q = d;
    size_t values = 0;
    while ((p = strstr(p, "data-value=\"")) != NULL) {
        q = strstr(q, "data-value=\"");
        assert_non_null(q);
        p += 12;
        q += 12;
        size_t lp = strcspn(p, "\""), lq = strcspn(q, "\"");
        assert_int_equal(lp, lq);
        assert_memory_equal(p, q, lp);
        values++;
    }
    assert_null(strstr(q, "data-value=\""));
    assert_true(values > 20);
    free(e);
    free(d);
    remove(en);
    remove(nl);
}

/* An arm tuned to reproduce a number (tests/data/mkba.cfg, calibrated_to)
 * carries the banner in the page's language, with its own style rule. */
static void test_calibrated_banner(void **state)
{
    (void)state;
    const char *bin = getenv("MKBA_BIN") != NULL ? getenv("MKBA_BIN") : "build/mkba";
    char h5[300], html[300], cmd[1200];
    snprintf(h5, sizeof h5, "%s.cal.h5", result_path);
    snprintf(html, sizeof html, "%s.cal.html", result_path);
    snprintf(cmd, sizeof cmd, "%s run tests/data/mkba.cfg --draws 4 --households 60 --threads 1 "
             "-q --force -o '%s' && %s report '%s' --lang nl -o '%s' 2>/dev/null", bin, h5, bin,
             h5, html);
    assert_int_equal(system(cmd), 0);
    char *d = support_read_file(html);
    assert_non_null(d);
    assert_non_null(strstr(d, "<p class=\"calibrated\">Alternatief integrated is afgesteld om "
                              "a 40% yearly job-finding rate te reproduceren"));
    assert_null(strstr(d, "is tuned to reproduce"));
    assert_non_null(strstr(d, "p.calibrated{"));
    free(d);
    remove(h5);
    remove(html);
}

/* An output in a folder that does not exist: an error naming it, no file. */
static void test_bad_output(void **state)
{
    (void)state;
    mkba_html_options o = { "/nonexistent-mkba-folder/report.html", "en" };
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_report_html(NULL, result_path, &o, &err), MKBA_EIO);
    assert_non_null(strstr(err.message, "/nonexistent-mkba-folder/report.html"));
    mkba_error_clear(&err);
    mkba_html_options missing = { "/tmp/mkba-never.html", "en" };
    assert_int_not_equal(mkba_report_html(NULL, "/tmp/no-such-mkba-result.h5", &missing, &err),
                         MKBA_OK);
    assert_int_not_equal(access("/tmp/mkba-never.html", F_OK), 0);
}

/* The municipal budget per year (tests/data/transfer.cfg: one municipal
 * payer): each year's payer column and the municipality's equal
 * /analysis/cashflow/net_undiscounted_mean of their perspectives. */
static void test_budget_table(void **state)
{
    (void)state;
    if (!have_python())
        return;
    const char *bin = getenv("MKBA_BIN") != NULL ? getenv("MKBA_BIN") : "build/mkba";
    char h5[300], html[300], cmd[1200];
    snprintf(h5, sizeof h5, "%s.budget.h5", result_path);
    snprintf(html, sizeof html, "%s.budget.html", result_path);
    snprintf(cmd, sizeof cmd, "%s run tests/data/transfer.cfg --draws 3 --households 200 -q "
             "--force -o '%s' && %s report '%s' -o '%s' 2>/dev/null", bin, h5, bin, h5, html);
    assert_int_equal(system(cmd), 0);
    size_t n;
    /* [K][A][Y]: society, municipality, then the payers (the municipal one
     * first); 2 arms, 4 years. */
    double *net = support_read_doubles(h5, "/analysis/cashflow/net_undiscounted_mean", &n);
    assert_non_null(net);
    assert_int_equal(n % 8, 0);
    char *cells = check(html, NULL);
    for (size_t y = 0; y < 4; y++) {
        double payer = cell(cells, "budget-table", (int)y + 1, 1);
        double municipality = cell(cells, "budget-table", (int)y + 1, 2);
        assert_true(payer == net[(2 * 2 + 1) * 4 + y]);
        assert_true(municipality == net[(1 * 2 + 1) * 4 + y]);
        /* The only municipal payer is the whole municipality. */
        assert_true(fabs(payer - municipality) <= 1e-9 * (1 + fabs(municipality)));
    }
    free(cells);
    free(net);
    remove(h5);
    remove(html);
}

/* Headless Chromium renders the page (a screenshot is written), logs no
 * console error and loads every image: a copy of the page with a probe
 * script that counts the images loaded and broken is read back with
 * --dump-dom, and the count equals the charts check_html.py found;
 * skipped without chromium. */
static void test_browser(void **state)
{
    (void)state;
    if (system("command -v chromium >/dev/null 2>&1") != 0) {
        fprintf(stderr, "test_browser: no chromium, skipped\n");
        return;
    }
    char out[300], png[300], log[300], profile[300], cmd[4096];
    snprintf(out, sizeof out, "%s.html", result_path);
    snprintf(png, sizeof png, "%s.png", result_path);
    snprintf(log, sizeof log, "%s.log", result_path);
    snprintf(profile, sizeof profile, "%s.profile", result_path);
    write_report(out, NULL);
    snprintf(cmd, sizeof cmd,
             "timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run "
             "--disable-background-networking --user-data-dir='%s' --enable-logging=stderr "
             "--v=0 --window-size=1000,3000 --screenshot='%s' 'file://%s' >'%s' 2>&1",
             profile, png, out, log);
    int rc = system(cmd);
    char *text = support_read_file(log);
    assert_non_null(text);
    if (rc != 0)
        fail_msg("chromium failed:\n%s", text);
    assert_null(strstr(text, "CONSOLE"));
    assert_null(strstr(text, "Uncaught"));
    struct stat st;
    assert_int_equal(stat(png, &st), 0);
    assert_true(st.st_size > 20000);    /* a page with charts, not a blank one */
    free(text);
    int charts = 0;
    free(check(out, &charts));
    assert_true(charts >= 7);
    snprintf(cmd, sizeof cmd,
             "cp '%s' '%s.probe.html' && printf '%%s' \"<script>window.addEventListener('load',"
             "function(){var n=0,bad=0;for(var i of document.images){n++;"
             "if(!(i.complete&&i.naturalWidth>0))bad++;}"
             "document.body.setAttribute('data-images',n+' loaded, '+bad+' broken');});"
             "</script>\" >>'%s.probe.html' && timeout 120 chromium --headless --no-sandbox "
             "--disable-gpu --no-first-run --disable-background-networking --user-data-dir='%s' "
             "--virtual-time-budget=10000 --dump-dom 'file://%s.probe.html' 2>/dev/null "
             "| grep -o 'data-images=\"[^\"]*\"' >'%s'",
             out, out, out, profile, out, log);
    assert_int_equal(system(cmd), 0);
    text = support_read_file(log);
    assert_non_null(text);
    char want[64];
    snprintf(want, sizeof want, "data-images=\"%d loaded, 0 broken\"", charts);
    if (strstr(text, want) == NULL)
        fail_msg("not every image loaded: %s (expected %s)", text, want);
    free(text);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s' '%s' '%s' '%s.probe.html'", profile, png, log,
             out, out);
    assert_int_equal(system(cmd), 0);
}

/* --pdf: the same report printed by headless Chromium, a file that starts
 * with %PDF and whose page tree counts at least two pages (the report is
 * longer than one A4 page); a PDF output in a folder that does not exist
 * leaves nothing. Skipped without chromium. */
static void test_pdf(void **state)
{
    (void)state;
    if (system("command -v chromium >/dev/null 2>&1") != 0) {
        fprintf(stderr, "test_pdf: no chromium, skipped\n");
        return;
    }
    const char *bin = getenv("MKBA_BIN") != NULL ? getenv("MKBA_BIN") : "build/mkba";
    char pdf[300], cmd[2000];
    snprintf(pdf, sizeof pdf, "%s.pdf", result_path);
    /* A scratch folder whose name a URL would cut at '#' or '?'. */
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.t #1%%?", result_path);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && TMPDIR='%s' timeout 300 %s report '%s' --pdf "
             "-o '%s' --lang en 2>/dev/null && rmdir '%s'", tmp, tmp, bin, result_path, pdf, tmp);
    assert_int_equal(system(cmd), 0);
    char *text = support_read_file(pdf);
    assert_non_null(text);
    assert_memory_equal(text, "%PDF-", 5);
    struct stat st;
    assert_int_equal(stat(pdf, &st), 0);
    long pages = 0;
    for (const char *at = text; at < text + st.st_size - 8; at++)
        if (memcmp(at, "/Count ", 7) == 0 && strtol(at + 7, NULL, 10) > pages)
            pages = strtol(at + 7, NULL, 10);
    assert_true(pages >= 2);
    free(text);
    remove(pdf);
    snprintf(cmd, sizeof cmd, "timeout 300 %s report '%s' --format pdf -o "
             "/nonexistent-mkba/r.pdf 2>/dev/null", bin, result_path);
    assert_int_equal(WEXITSTATUS(system(cmd)), 1);
    assert_int_not_equal(access("/nonexistent-mkba/r.pdf", F_OK), 0);
}

/* The report's output of a run of `mkba report` with the environment
 * `env`: the exit status, the messages in *msg (free it), and whether the
 * output file exists. */
static int report_with(const char *env, const char *out, char **msg)
{
    const char *bin = getenv("MKBA_BIN") != NULL ? getenv("MKBA_BIN") : "build/mkba";
    char cmd[4096], log[300];
    snprintf(log, sizeof log, "%s.msg", result_path);
    snprintf(cmd, sizeof cmd, "%s %s report '%s' -o '%s' >'%s' 2>&1", env, bin, result_path,
             out, log);
    int rc = system(cmd);
    *msg = support_read_file(log);
    remove(log);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Without matplotlib (a module of that name that fails to import, first
 * on PYTHONPATH), without python3 (MKBA_PYTHON naming none), with a chart
 * script that fails and with scripts whose manifest is bad (MKBA_PLOTS):
 * exit 1, a message naming the packages to install, the script's own
 * message or what is wrong with the manifest, and no output file, also
 * none left under a temporary name. */
static void test_missing_packages(void **state)
{
    (void)state;
    char dir[300], out[400], cmd[2400], env[1200], *msg;
    snprintf(dir, sizeof dir, "%s.nompl", result_path);
    snprintf(out, sizeof out, "%s/report.html", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/matplotlib' && printf 'raise ImportError(\"no "
             "matplotlib here\", name=\"matplotlib\")\\n' >'%s/matplotlib/__init__.py' && "
             "printf 'import sys\\nsys.stderr.write(\"boom: the chart failed\\\\n\")\\n"
             "sys.exit(1)\\n' >'%s/fails.py'", dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "mkdir '%s/tmp' && printf 'import time\\ntime.sleep(60)\\n' "
             ">'%s/slow.py' && printf 'import sys\\nf = open(sys.argv[2] + \"/manifest.json\", "
             "\"w\")\\nf.write(\"[\" + \" \" * (65 << 20) + \"]\")\\n' >'%s/huge.py' && "
             "printf 'import os, sys\\nfds = [f for f in os.listdir(\"/proc/self/fd\") if "
             "int(f) > 2]\\nsys.stderr.write(\"descriptors beyond 2: %%%%d\\\\n\" %%%% "
             "(len(fds) - 1))\\nsys.exit(1)\\n' >'%s/fds.py'", dir, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    /* Scripts that succeed with a manifest naming a file outside the
     * folder, a malformed one, and one with a chart no section shows. */
    const char *scripts[][2] = {
        { "outside.py", "[{\"id\": \"x\", \"file\": \"../x.svg\", \"section\": \"plane\"}]" },
        { "malformed.py", "[{\"id\": \"x\", \"file\": " },
        { "nowhere.py", "[{\"id\": \"lost\", \"file\": \"a.svg\", \"section\": \"nowhere\"}]" },
        { "surrogate.py", "[{\"id\": \"\\uD800\\u0041\", \"file\": \"a.svg\", "
                          "\"section\": \"plane\"}]" },
        { "nul.py", "[{\"id\": \"x\", \"file\": \"a\\u0000.svg\", \"section\": \"plane\"}]" },
        { "literal.py", "[{\"id\": \"x\", \"file\": \"a.svg\", \"section\": \"plane\", "
                        "\"z\": truefalse}]" },
    };
    for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
        char path[400];
        snprintf(path, sizeof path, "%s/%s", dir, scripts[i][0]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "import sys\nopen(sys.argv[2] + '/a.svg', 'w').write('<svg "
                "xmlns=\"http://www.w3.org/2000/svg\"><text>a</text></svg>')\n"
                "open(sys.argv[2] + '/manifest.json', 'w').write(r'''%s''')\n", scripts[i][1]);
        assert_int_equal(fclose(f), 0);
    }
    /* The environment (%s: the folder) and two things the message says. */
    const struct {
        const char *env, *says, *also;
    } cases[] = {
        { "PYTHONPATH='%s'", "cannot import matplotlib", "python3-matplotlib python3-h5py" },
        { "MKBA_PYTHON=/nonexistent-mkba/python3 X='%s'", "/nonexistent-mkba/python3",
          "python3-matplotlib python3-h5py" },
        { "MKBA_PLOTS='%s/fails.py'", "fails.py", "boom: the chart failed" },
        { "MKBA_PLOTS='%s/outside.py'", "not a chart manifest", "not a plain file name" },
        { "MKBA_PLOTS='%s/malformed.py'", "not a chart manifest", "manifest.json" },
        { "MKBA_PLOTS='%s/nowhere.py'", "chart lost", "no place in the report" },
        { "MKBA_PLOTS='%s/surrogate.py'", "not a chart manifest", "high surrogate" },
        { "MKBA_PLOTS='%s/nul.py'", "not a chart manifest", "U+0000" },
        { "MKBA_PLOTS='%s/literal.py'", "not a chart manifest", "unexpected character" },
        { "MKBA_PLOTS='%s/huge.py'", "a manifest of more than 64 MB", "huge.py" },
        { "MKBA_PLOTS='%s/fds.py'", "fds.py", "descriptors beyond 2: 0" },
        { "MKBA_PLOTS='%s/slow.py' MKBA_PLOTS_TIMEOUT=1", "did not finish within 1 s",
          "MKBA_PLOTS_TIMEOUT" },
        { "MKBA_PLOTS_TIMEOUT=soon X='%s'", "MKBA_PLOTS_TIMEOUT is 'soon'", "positive number" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char own[600];
        snprintf(own, sizeof own, cases[i].env, dir);
        snprintf(env, sizeof env, "TMPDIR='%s/tmp' %s", dir, own);
        assert_int_equal(report_with(env, out, &msg), 1);
        assert_non_null(msg);
        if (strstr(msg, cases[i].says) == NULL || strstr(msg, cases[i].also) == NULL)
            fail_msg("case %zu: the message does not say '%s' and '%s': %s", i, cases[i].says,
                     cases[i].also, msg);
        assert_int_not_equal(access(out, F_OK), 0);
        free(msg);
    }

    /* Nothing left in the folder but the fake module and the scripts, and
     * no scratch folder in $TMPDIR. */
    snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s' | tr '\\n' ' ')\" = 'fails.py fds.py huge.py literal.py "
             "malformed.py matplotlib nowhere.py nul.py outside.py slow.py surrogate.py tmp ' "
             "&& test -z \"$(ls -A '%s/tmp')\"", dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* SIGTERM while the chart script runs (a script that writes its process
 * id and sleeps): mkba dies by the signal (143 to the shell), the script
 * no longer runs, $TMPDIR holds no scratch folder and the output folder
 * no file, also none under a temporary name. */
static void test_interrupted(void **state)
{
    (void)state;
    const char *bin = getenv("MKBA_BIN") != NULL ? getenv("MKBA_BIN") : "build/mkba";
    char dir[300], cmd[3000];
    snprintf(dir, sizeof dir, "%s.term", result_path);
    snprintf(cmd, sizeof cmd,
             "d='%s'; rm -rf \"$d\" && mkdir -p \"$d/tmp\" \"$d/out\" && "
             "printf 'import os, sys, time\\nopen(sys.argv[2] + \"/../../pid.tmp\", \"w\")"
             ".write(str(os.getpid()))\\nos.rename(sys.argv[2] + \"/../../pid.tmp\", "
             "sys.argv[2] + \"/../../pid\")\\ntime.sleep(60)\\n' >\"$d/sleeps.py\" && "
             "(TMPDIR=\"$d/tmp\" MKBA_PLOTS=\"$d/sleeps.py\" %s report '%s' -o \"$d/out/r.html\" "
             "2>\"$d/msg\" & p=$!; i=0; while [ ! -f \"$d/pid\" ] && [ $i -lt 600 ]; do "
             "sleep 0.1; i=$((i+1)); done; kill -TERM $p; wait $p; echo $? >\"$d/rc\") 2>/dev/null && "
             "test \"$(cat \"$d/rc\")\" = 143 && grep -q 'interrupted by SIGTERM' \"$d/msg\" && "
             "! kill -0 \"$(cat \"$d/pid\")\" 2>/dev/null && test -z \"$(ls -A \"$d/tmp\")\" && "
             "test -z \"$(ls -A \"$d/out\")\" && rm -rf \"$d\"", dir, bin, result_path);
    if (system(cmd) != 0)
        fail_msg("SIGTERM did not end the report cleanly (see %s)", dir);
}

/* Runs tools/mkba_plots.py on the result with `args` into a new folder
 * and then the Python `program` on its manifest (sys.argv[1]); returns
 * what the program printed (free it), the folder removed again. */
static char *manifest_lines(const char *tag, const char *args, const char *program)
{
    const char *python = getenv("MKBA_PYTHON") != NULL ? getenv("MKBA_PYTHON")
                                                        : "/usr/bin/python3";
    char dir[300], cmd[4096], lines[300];
    snprintf(dir, sizeof dir, "%s.%s", result_path, tag);
    snprintf(lines, sizeof lines, "%s.%s.txt", result_path, tag);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir '%s' && %s tools/mkba_plots.py '%s' '%s' "
             "%s && %s -c '%s' '%s/manifest.json' >'%s'", dir, dir, python, result_path, dir,
             args, python, program, dir, lines);
    assert_int_equal(system(cmd), 0);
    char *text = support_read_file(lines);
    assert_non_null(text);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, lines);
    assert_int_equal(system(cmd), 0);
    return text;
}

/* Every chart has labelled axes: the manifest of tools/mkba_plots.py
 * lists each axis as a label and a unit (none for an axis of categories);
 * every chart has an axis with a unit, every label is non-empty, and a
 * unit is non-empty and written in its label as "(unit)". The money axes
 * name the currency and the price year of the file (read here by the
 * library, not by the script). */
static void test_axes_labelled(void **state)
{
    (void)state;
    if (!have_python())
        return;
    char *text = manifest_lines("axes", "--lang en --budget-arm 1",
                                "import json, sys\n"
                                "for c in json.load(open(sys.argv[1])):\n"
                                "    print(\"chart\\t%s\\t%d\" % (c[\"id\"], len(c[\"axes\"])))\n"
                                "    for a in c[\"axes\"]:\n"
                                "        print(\"axis\\t%s\\t%s\\t%s\" % (c[\"id\"], a[\"label\"], "
                                "\"-\" if a[\"unit\"] is None else a[\"unit\"]))");
    mkba_h5_totals *t = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_h5_read_totals(result_path, &t, &err), MKBA_OK);
    char money[96];
    snprintf(money, sizeof money, "%s per starting household, prices of %d", t->currency,
             t->price_year);
    mkba_h5_totals_free(t);
    size_t charts = 0, axes = 0, money_axes = 0;
    char chart[200] = "", with_unit[200] = "";
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char *f[4] = { line, NULL, NULL, NULL };
        for (int k = 1; k < 4 && f[k - 1] != NULL; k++)
            if ((f[k] = strchr(f[k - 1], '\t')) != NULL)
                *f[k]++ = '\0';
        if (strcmp(f[0], "chart") == 0) {
            assert_non_null(f[2]);
            if (chart[0] != '\0' && strcmp(with_unit, chart) != 0)
                fail_msg("chart %s has no axis with a unit", chart);
            snprintf(chart, sizeof chart, "%s", f[1]);
            assert_true(atoi(f[2]) >= 1);
            charts++;
            continue;
        }
        assert_string_equal(f[0], "axis");
        assert_non_null(f[3]);
        assert_true(strlen(f[2]) > 0);
        axes++;
        if (strcmp(f[3], "-") == 0)
            continue;             /* categories: payers, arms, factors */
        char unit[300];
        snprintf(unit, sizeof unit, "(%s)", f[3]);
        if (strstr(f[2], unit) == NULL)
            fail_msg("chart %s: axis '%s' does not give its unit %s", f[1], f[2], unit);
        snprintf(with_unit, sizeof with_unit, "%s", f[1]);
        money_axes += strstr(f[3], money) != NULL;
    }
    if (chart[0] != '\0' && strcmp(with_unit, chart) != 0)
        fail_msg("chart %s has no axis with a unit", chart);
    assert_true(charts >= 7);
    assert_true(axes >= 2 * charts - 2);
    /* plane (cost), frontier (cost), cash flows (per perspective), payers */
    assert_true(money_axes >= 4);
    free(text);
}

/* What the payers chart draws is the file: the values the script handed
 * to matplotlib (its manifest's "values") equal /analysis/payers/table
 * read by the library, row for row, and the payer bars with "society at
 * large" add up to the society bar (an invariant of the table). */
static void test_plotted_values(void **state)
{
    (void)state;
    if (!have_python())
        return;
    char *text = manifest_lines("values", "--lang nl",
                                "import json, sys\n"
                                "for c in json.load(open(sys.argv[1])):\n"
                                "    v = c.get(\"values\")\n"
                                "    if c[\"id\"] == \"payers_integrated\":\n"
                                "        for i, r in enumerate(v[\"row\"]):\n"
                                "            print(\"%d %.17g %.17g %.17g\" % (r, v[\"pays\"][i], "
                                "v[\"gains\"][i], v[\"net\"][i]))");
    size_t n = 0;
    double *table = support_read_doubles(result_path, "/analysis/payers/table", &n);
    assert_non_null(table);
    size_t rows = n / 2 / 6;                  /* [A = 2][rows][6] */
    size_t P = rows - 3;                      /* payers, society at large, society, municipality */
    size_t drawn = 0, at_large = 0;
    double payers_net = 0, society_net = NAN;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        int r;
        double inv, ret, net;
        assert_int_equal(sscanf(line, "%d %lf %lf %lf", &r, &inv, &ret, &net), 4);
        assert_true(r >= 0 && (size_t)r < rows);
        const double *row = table + (rows + (size_t)r) * 6;    /* arm 1, integrated */
        assert_true(inv == row[0]);
        assert_true(ret == row[1]);
        assert_true(net == row[2]);
        at_large += (size_t)r == P;
        if ((size_t)r <= P)
            payers_net += net;
        else if ((size_t)r == P + 1)
            society_net = net;
        drawn++;
    }
    assert_true(drawn >= P + 2);              /* every payer, society at large, society */
    assert_int_equal(at_large, 1);
    assert_true(isfinite(society_net));
    assert_true(fabs(payers_net - society_net) <= 1e-9 * fabs(society_net) + 1e-9);
    free(text);
    free(table);
}

/* A sensitivity-analysis file (mkba sa tornado, then sweep, on
 * tests/data/transfer.cfg): one chart each, well-formed, and the tornado
 * table's outcomes equal /sa/tornado/low and high. */
static void test_sa_files(void **state)
{
    (void)state;
    if (!have_python()) {
        fprintf(stderr, "test_sa_files: no python3, skipped\n");
        return;
    }
    const char *bin = getenv("MKBA_BIN") != NULL ? getenv("MKBA_BIN") : "build/mkba";
    const char *runs[] = { "tornado tests/data/transfer.cfg --factors q_work "
                           "--range q_work=0.2:0.3",
                           "sweep tests/data/transfer.cfg --grid q_work=0.1:0.4:4" };
    for (size_t r = 0; r < 2; r++) {
        char h5[300], html[300], cmd[1200];
        snprintf(h5, sizeof h5, "%s.sa%zu.h5", result_path, r);
        snprintf(html, sizeof html, "%s.sa%zu.html", result_path, r);
        snprintf(cmd, sizeof cmd, "%s sa %s --households 200 -q --force -o '%s' && "
                 "%s report '%s' -o '%s' 2>/dev/null", bin, runs[r], h5, bin, h5, html);
        assert_int_equal(system(cmd), 0);
        int charts = 0;
        char *cells = check(html, &charts);
        double low = cell(cells, "table-tornado_integrated", 1, 3);
        assert_int_equal(charts, 1);
        /* transfer.cfg pays from gemeente-participatiewet: a Dutch report by
         * default, as for its run file; the tornado's whiskers in the legend. */
        char *page = support_read_file(html);
        assert_non_null(page);
        assert_non_null(strstr(page, "<html lang=\"nl\""));
        free(page);
        if (r == 0) {
            char *texts = check_texts(html);
            assert_non_null(strstr(texts, "± 2 MCSE"));
            assert_non_null(strstr(texts, "saldo samenleving"));
            assert_non_null(strstr(texts, "EUR per starthuishouden, prijspeil"));
            free(texts);
        }
        if (r == 0) {
            /* [factor][arm][outcome]: 1 factor, 2 arms; npv:society first. */
            size_t n;
            double *lo = support_read_doubles(h5, "/sa/tornado/low", &n);
            double *hi = support_read_doubles(h5, "/sa/tornado/high", NULL);
            assert_non_null(lo);
            assert_non_null(hi);
            size_t outcomes = n / 2;
            assert_true(low == lo[outcomes]);
            assert_true(cell(cells, "table-tornado_integrated", 1, 4) == hi[outcomes]);
            free(lo);
            free(hi);
        }
        free(cells);
        remove(h5);
        remove(html);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_equal_the_file),
        cmocka_unit_test(test_dutch),
        cmocka_unit_test(test_calibrated_banner),
        cmocka_unit_test(test_bad_output),
        cmocka_unit_test(test_sa_files),
        cmocka_unit_test(test_budget_table),
        cmocka_unit_test(test_browser),
        cmocka_unit_test(test_pdf),
        cmocka_unit_test(test_missing_packages),
        cmocka_unit_test(test_interrupted),
        cmocka_unit_test(test_axes_labelled),
        cmocka_unit_test(test_plotted_values),
    };
    return cmocka_run_group_tests(tests, make_result, remove_result);
}
