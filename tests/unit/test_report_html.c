/* Tests of `mkba report`: the HTML file is well-formed and self-contained
 * (tests/report/check_html.py), its answer table holds the numbers of the
 * HDF5 file, the language switch changes the words and not the numbers, a
 * bad output path leaves no file, and, where Debian's chromium is
 * installed, the page renders headless without console errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
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
static char *check(const char *html, int *charts)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "python3 tests/report/check_html.py '%s'", html);
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
    /* plane, acceptability, frontier, 2 per perspective, payers, ranking,
     * escalations: at least 7 whatever the number of perspectives. */
    assert_true(charts >= 7);
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

/* Headless Chromium renders the page (a screenshot is written) and logs no
 * console error; skipped without chromium. */
static void test_browser(void **state)
{
    (void)state;
    if (system("command -v chromium >/dev/null 2>&1") != 0) {
        fprintf(stderr, "test_browser: no chromium, skipped\n");
        return;
    }
    char out[300], png[300], log[300], profile[300], cmd[2000];
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
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s' '%s' '%s'", profile, png, log, out);
    assert_int_equal(system(cmd), 0);
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
        cmocka_unit_test(test_bad_output),
        cmocka_unit_test(test_sa_files),
        cmocka_unit_test(test_budget_table),
        cmocka_unit_test(test_browser),
    };
    return cmocka_run_group_tests(tests, make_result, remove_result);
}
