/* Tests of the answer and the output files on odd inputs: a scenario with
 * no municipal payer, a base case of one draw, arm names with slashes,
 * apostrophes, quotes and long UTF-8, outputs that would replace the input
 * or a pipe, and a failing write. Break-even and P(NPV > 0) are computed
 * here from the per-draw datasets, not copied from the summaries. The
 * scenarios come from `mkba init` (its template has municipal payers):
 * the template with its team given an odd name, and a variant without a
 * municipal payer. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "report/report.h"
#include "report/xlsx.h"
#include "support.h"

static char dir[256], top[256];

/* An arm name that is a path out of a folder, ends in an apostrophe and
 * holds a quote and more than 31 characters of UTF-8. */
#define ODD_ARM "team/../x \\\"één\\\" ëëëëëëëëëëëëëëëëëëëëëëëë'"
#define ODD_ARM_TEXT "team/../x \"één\" ëëëëëëëëëëëëëëëëëëëëëëëë'"

static const char *bin(void)
{
    return getenv("MKBA_BIN") != NULL ? getenv("MKBA_BIN") : "build/mkba";
}

static char *path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

/* Runs a shell command in dir; its exit status, its output in *out when
 * out is not NULL (free it). */
static int sh(char **out, const char *fmt, ...)
{
    char cmd[3200], body[2500], file[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    snprintf(file, sizeof file, "%s/out.txt", dir);
    snprintf(cmd, sizeof cmd, "cd '%s' && { %s ; } >'%s' 2>&1", dir, body, file);
    int st = system(cmd);
    if (out != NULL) {
        *out = support_read_file(file);
        assert_non_null(*out);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}


/* Copies file `from` to `to` with every `a` replaced by `b`. */
static int replace_into(const char *from, const char *to, const char *a, const char *b)
{
    char *text = support_read_file(from);
    FILE *f = text != NULL ? fopen(to, "w") : NULL;
    if (f == NULL) {
        free(text);
        return -1;
    }
    const char *p = text, *at;
    while ((at = strstr(p, a)) != NULL) {
        fwrite(p, 1, (size_t)(at - p), f);
        fputs(b, f);
        p = at + strlen(a);
    }
    fputs(p, f);
    free(text);
    return fclose(f) == 0 ? 0 : -1;
}

/* muni.cfg: the init template (payers gemeente-schuldhulp and
 * gemeente-participatiewet: municipal) with the team renamed to ODD_ARM.
 * en.cfg: the template with those payers renamed city-debt and
 * state-benefits (no municipal payer). Runs en (20 draws and the base case) and muni
 * (20 draws). */
static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/mkba-test-answer-%ld", (long)getpid());
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir '%s'", dir, dir);
    if (system(cmd) != 0)
        return -1;
    char *out = NULL;
    const char *b = bin();
    char abs[512], from[300], to[300];
    if (getcwd(top, sizeof top) == NULL)
        return -1;
    if (b[0] != '/') {
        snprintf(abs, sizeof abs, "%s/%s", top, b);
        setenv("MKBA_BIN", abs, 1);
    }
    int rc = sh(&out, "%s init muni0.cfg && sed -e 's/gemeente-schuldhulp/city-debt/g' "
                "-e 's/gemeente-participatiewet/state-benefits/g' -e 's/name = \"muni0\"/"
                "name = \"en\"/' muni0.cfg >en.cfg", bin());
    if (rc == 0)
        rc = replace_into(path_in(from, sizeof from, "muni0.cfg"),
                          path_in(to, sizeof to, "muni.cfg"), "\"schuldhulpteam\"",
                          "\"" ODD_ARM "\"");
    if (rc == 0) {
        free(out);
        rc = sh(&out, "%s run en.cfg --draws 20 --households 100 -q --force -o en.h5 && "
                "%s run en.cfg --draws 0 --households 100 -q --force -o base.h5 && "
                "%s run muni.cfg --draws 20 --households 100 -q --force -o muni.h5",
                bin(), bin(), bin());
    }
    if (rc != 0)
        fprintf(stderr, "setup failed:\n%s\n", out);
    free(out);
    return rc == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* No payer is municipal: no sentence or number about the municipality's
 * break-even, in the text or the HTML. */
static void test_no_municipal_payer(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(sh(&out, "%s summary en.h5 --brief", bin()), 0);
    assert_non_null(strstr(out, "no municipal payer"));
    assert_null(strstr(out, "for the municipality (discounted)"));
    assert_null(strstr(out, "pays back"));
    free(out);
    assert_int_equal(sh(NULL, "%s report en.h5 -o en.html --lang en", bin()), 0);
    char p[300];
    char *html = support_read_file(path_in(p, sizeof p, "en.html"));
    assert_non_null(html);
    assert_non_null(strstr(html, "no municipal payer"));
    assert_null(strstr(html, "For the municipality it"));
    assert_null(strstr(html, "perspective municipality"));
    free(html);
}

/* One draw: no probabilities or intervals claimed, anywhere. */
static void test_base_case(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(sh(&out, "%s summary base.h5 --brief", bin()), 0);
    assert_non_null(strstr(out, "base case only: no uncertainty analysis"));
    assert_null(strstr(out, "of the draws"));
    assert_null(strstr(out, "95%:"));
    free(out);
    assert_int_equal(sh(NULL, "%s report base.h5 -o base.html --lang en", bin()), 0);
    char p[300];
    char *html = support_read_file(path_in(p, sizeof p, "base.html"));
    assert_non_null(html);
    const char *answer = strstr(html, "<p class=\"answer\">");
    assert_non_null(answer);
    char para[4096];
    snprintf(para, sizeof para, "%.*s", (int)strcspn(answer, "\n"), answer);
    assert_non_null(strstr(para, "Base case only: no uncertainty analysis."));
    assert_null(strstr(para, "of the draws"));
    assert_null(strstr(para, "%"));
    assert_null(strstr(html, "n/a%"));
    /* No ranking probabilities from one draw: a note, no chart. */
    const char *ranking = strstr(html, "<section id=\"ranking\">");
    assert_non_null(ranking);
    const char *end = strstr(ranking, "</section>");
    const char *img = strstr(ranking, "<img");
    assert_true(img == NULL || img > end);
    assert_non_null(strstr(html, "<img"));   /* the charts that do apply are there */
    assert_non_null(strstr(ranking, "Base case only"));
    free(html);
}

/* The number in the line of `out` after `key`. */
static double number_after(const char *out, const char *key)
{
    const char *at = strstr(out, key);
    return at != NULL ? strtod(at + strlen(key), NULL) : NAN;
}

/* Break-even and P(NPV > 0) of the team computed here from
 * /analysis/cashflow/breakeven_year and npv_draws ([K][D][A]: society 0,
 * municipality 1; arm 1 the team): the same in the text, the CSV answer
 * table and the HTML, a whole year. */
static void test_breakeven_from_the_draws(void **state)
{
    (void)state;
    char p[300];
    size_t n;
    double *be = support_read_doubles(path_in(p, sizeof p, "muni.h5"),
                                      "/analysis/cashflow/breakeven_year", &n);
    double *npv = support_read_doubles(p, "/analysis/cashflow/npv_draws", NULL);
    assert_non_null(be);
    assert_non_null(npv);
    size_t D = 20, A = 2, K = n / (D * A);
    assert_int_equal(K * D * A, n);
    assert_true(K >= 2);
    /* The first year by which at least half of the draws have broken even. */
    double year = NAN, share = NAN;
    for (int y = 1; y <= 5 && isnan(year); y++) {
        size_t by = 0;
        for (size_t d = 0; d < D; d++) {
            double v = be[(1 * D + d) * A + 1];
            by += v >= 1 && v <= y;
        }
        if (2 * by >= D) {
            year = y;
            share = (double)by / (double)D;
        }
    }
    size_t positive = 0;
    for (size_t d = 0; d < D; d++)
        positive += npv[(0 * D + d) * A + 1] > 0;
    free(be);
    free(npv);

    char *out;
    assert_int_equal(sh(&out, "%s summary muni.h5 --brief", bin()), 0);
    if (isnan(year)) {
        assert_non_null(strstr(out, "not within the 5-year horizon"));
    } else {
        assert_true(number_after(out, "(discounted) in year ") == year);
        assert_true(fabs(number_after(out, ", when ") - 100 * share) < 0.051);
    }
    if (strstr(out, "NPV above 0 in ") != NULL)
        assert_true(fabs(number_after(out, "NPV above 0 in ") - 100.0 * (double)positive / 20)
                    < 0.051);
    free(out);

    assert_int_equal(sh(&out, "%s summary muni.h5 --format csv --table answer", bin()), 0);
    /* Header, the reference, the team: column 6 the break-even year. */
    char *line = strchr(strchr(out, '\n') + 1, '\n') + 1;
    char *col = line;
    if (line[0] == '"')           /* the odd name is quoted */
        col = strstr(line + 1, "\",");
    for (int c = 0; c < 6; c++)
        col = strchr(col + 1, ',');
    if (isnan(year))
        assert_true(col[1] == ',');
    else
        assert_true(strtod(col + 1, NULL) == year);
    free(out);

    /* The summary's break-even table: its last column, the same year. */
    assert_int_equal(sh(&out, "%s summary muni.h5 --format csv --table breakeven", bin()), 0);
    const char *row = strstr(out, "\nmunicipality,");
    assert_non_null(row);
    const char *eol = strchr(row + 1, '\n'), *last = eol - 1;
    while (*last != ',')
        last--;
    if (isnan(year))
        assert_true(last + 1 == eol);
    else
        assert_true(strtod(last + 1, NULL) == year);
    free(out);

    if (system("python3 -c 'import xml' >/dev/null 2>&1") != 0)
        return;
    assert_int_equal(sh(&out, "%s report muni.h5 -o muni.html --lang en && "
                        "python3 %s/tests/report/check_html.py muni.html | "
                        "grep -P '^answer-table\\t2\\t5\\t' || echo none", bin(),
                        top), 0);
    if (isnan(year))
        assert_non_null(strstr(out, "none"));
    else
        assert_true(number_after(out, "answer-table\t2\t5\t") == year);
    free(out);
}

/* Outputs that must not be replaced: the input (also through a link),
 * another result file, a pipe. The input stays as it was. */
static void test_refused_outputs(void **state)
{
    (void)state;
    char p[300];
    char *before = support_read_file(path_in(p, sizeof p, "en.h5"));
    assert_non_null(before);
    struct stat st0;
    assert_int_equal(stat(p, &st0), 0);
    char *out;
    const char *cases[] = {
        "%s report en.h5 -o en.h5",
        "%s summary en.h5 --format xlsx -o en.h5",
        "%s summary en.h5 --format csv -o en.h5",
        "ln -sf en.h5 link.html && %s report en.h5 -o link.html",
        "%s report en.h5 -o base.h5",
        "rm -f fifo && mkfifo fifo && %s report en.h5 -o fifo",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(sh(&out, cases[i], bin()), 1);
        assert_true(strstr(out, "refusing") != NULL || strstr(out, "not a regular") != NULL);
        free(out);
    }
    char *after = support_read_file(p);
    struct stat st1;
    assert_int_equal(stat(p, &st1), 0);
    assert_int_equal(st0.st_size, st1.st_size);
    assert_memory_equal(before, after, (size_t)st0.st_size);
    assert_int_equal(stat(path_in(p, sizeof p, "fifo"), &st1), 0);
    assert_true(S_ISFIFO(st1.st_mode));
    assert_int_equal(stat(path_in(p, sizeof p, "link.html"), &st1), 0);
    assert_true(st1.st_size == st0.st_size);
    free(before);
    free(after);
}

/* Counts the regular files under path (recursively). */
static size_t count_files(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            n += count_files(sub);
        else
            n++;
    }
    closedir(d);
    return n;
}

/* --folder with an arm named like a path: every file inside the folder,
 * one per table; a later file that cannot be written leaves none. */
static void test_folder_names_and_all_or_none(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(sh(&out, "mkdir -p f1/sub && %s summary muni.h5 --format csv "
                        "--folder f1/sub && %s summary muni.h5 --format csv | "
                        "grep -c '^$'", bin(), bin()), 0);
    size_t tables = (size_t)strtol(out, NULL, 10) + 1;
    free(out);
    char p[300];
    assert_true(tables > 5);
    assert_int_equal(count_files(path_in(p, sizeof p, "f1/sub")), tables);
    assert_int_equal(count_files(path_in(p, sizeof p, "f1")), tables);
    /* No file escaped into f1 or dir. */
    assert_int_not_equal(access(path_in(p, sizeof p, "x.csv"), F_OK), 0);
    /* A folder where the npv table's file goes: an error, and no csv file. */
    assert_int_equal(sh(&out, "mkdir -p f2/npv.csv && %s summary muni.h5 --format csv "
                        "--folder f2", bin()), 1);
    assert_non_null(strstr(out, "npv.csv"));
    free(out);
    assert_int_equal(count_files(path_in(p, sizeof p, "f2")), 0);
    /* A folder made by the call is removed again. */
    assert_int_equal(sh(NULL, "%s summary muni.h5 --format csv --folder /nonexistent-mkba/f3",
                        bin()), 1);
}

/* Sheet names from ids with long UTF-8 and a final apostrophe: valid
 * (Excel's 31 characters, not bytes; no apostrophe at either end), the
 * numbers in place. */
static void test_xlsx_odd_names(void **state)
{
    (void)state;
    if (system("python3 -c 'import zipfile' >/dev/null 2>&1") != 0)
        return;
    mkba_report *r = mkba_report_alloc();
    assert_non_null(r);
    const char *col[] = { "x" };
    const mkba_col_kind kind[] = { MKBA_COL_MONEY };
    const char *ids[] = { "tornado_" ODD_ARM_TEXT, "'sweep'", "ëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëë" };
    for (int i = 0; i < 3; i++) {
        mkba_rtable *t = mkba_report_table(r, ids[i], ids[i], 1, col, kind);
        mkba_rtable_num(t, mkba_rtable_row(r, t), 0, 10.0 * (i + 1));
    }
    char out[300], h5[300], cmd[1200], *text;
    path_in(out, sizeof out, "odd.xlsx");
    path_in(h5, sizeof h5, "muni.h5");
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_xlsx_write(out, "shown.xlsx", h5, r, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_report_free(r);
    snprintf(cmd, sizeof cmd, "python3 -c \"import zipfile,re,sys\n"
             "x=zipfile.ZipFile('%s').read('xl/workbook.xml').decode('utf-8')\n"
             "for n in re.findall(r'<sheet name=\\\"([^\\\"]*)\\\"', x):\n"
             "    n=n.replace('&apos;', chr(39)).replace('&quot;', chr(34))\n"
             "    assert len(n)<=31 and n[0]!=chr(39) and n[-1]!=chr(39), n\n"
             "    print(n)\"", out);
    if (sh(&text, "%s", cmd) != 0)
        fail_msg("%s", text);
    assert_non_null(strstr(text, "tornado_team_.._x"));
    assert_non_null(strstr(text, "_sweep_"));
    assert_non_null(strstr(text, "ëëëëëëëëëëëëëëëëëëëëëëëëëëëëëëë\n"));
    free(text);
}

/* Dutch CSV starts with a byte order mark; text that a spreadsheet would
 * run as a formula gets an apostrophe, numbers (-1250) stay numbers. */
static void test_csv_bom_and_formulas(void **state)
{
    (void)state;
    mkba_report *r = mkba_report_alloc();
    assert_non_null(r);
    const char *col[] = { "arm", "NPV" };
    const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_MONEY };
    mkba_rtable *t = mkba_report_table(r, "x", "x", 2, col, kind);
    const char *arms[] = { "=HYPERLINK(\"http://x\")", "-1+2", "@SUM(A1)", "één" };
    for (int i = 0; i < 4; i++) {
        long row = mkba_rtable_row(r, t);
        mkba_rtable_str(r, t, row, 0, arms[i]);
        mkba_rtable_num(t, row, 1, -1250.5 * (i + 1));
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    mkba_csv_begin(f, &mkba_csv_nl);
    mkba_csv_table(f, t, &mkba_csv_nl, 0);
    fclose(f);
    assert_memory_equal(buf, "\xEF\xBB\xBF" "arm;NPV\n", 11);
    assert_non_null(strstr(buf, "\n\"'=HYPERLINK(\"\"http://x\"\")\";-1250,5\n"));
    assert_non_null(strstr(buf, "\n'-1+2;-2501\n"));
    assert_non_null(strstr(buf, "\n'@SUM(A1);-3751,5\n"));
    assert_non_null(strstr(buf, "\néén;-5002\n"));
    free(buf);
    f = open_memstream(&buf, &len);
    mkba_csv_begin(f, &mkba_csv_plain);
    fclose(f);
    assert_int_equal(len, 0);
    free(buf);
    mkba_report_free(r);
    /* The long format in nl: the mark first, the header after it. */
    char *out;
    assert_int_equal(sh(&out, "%s summary en.h5 --format tidy --csv-locale nl | head -c 8",
                        bin()), 0);
    assert_memory_equal(out, "\xEF\xBB\xBF" "draw;", 8);
    free(out);
}

/* init: a name that would break the scenario is refused; with --force a
 * failed write (a file size limit) leaves the user's file as it was. */
static void test_init_safe(void **state)
{
    (void)state;
    char *out, p[300];
    assert_int_equal(sh(&out, "%s init 'a\"b.cfg'", bin()), 1);
    assert_non_null(strstr(out, "quote"));
    free(out);
    assert_int_not_equal(access(path_in(p, sizeof p, "a\"b.cfg"), F_OK), 0);
    assert_int_equal(sh(NULL, "printf 'mine\\n' >keep.cfg && (trap '' XFSZ; ulimit -f 1; "
                        "exec %s init --force keep.cfg)", bin()), 1);
    char *kept = support_read_file(path_in(p, sizeof p, "keep.cfg"));
    assert_non_null(kept);
    assert_string_equal(kept, "mine\n");
    free(kept);
    assert_int_equal(count_files(dir) > 0, 1);
    assert_int_equal(sh(&out, "ls | grep -c tmp- || true"), 0);
    assert_int_equal(strtol(out, NULL, 10), 0);
    free(out);
}

/* A sweep of 70 levels (more than the 64 the chart once held): its line
 * has a point per level (the markers of its series in the chart's SVG,
 * counted by check_html.py). */
static void test_sweep_many_levels(void **state)
{
    (void)state;
    assert_int_equal(sh(NULL, "%s sa sweep %s/tests/data/transfer.cfg --grid "
                        "q_work=0.1:0.4:70 --households 50 -q --force -o sw.h5 && "
                        "%s report sw.h5 -o sw.html --lang en", bin(), top, bin()), 0);
    char p[300], *out;
    assert_int_equal(sh(&out, "python3 %s/tests/report/check_html.py sw.html", top), 0);
    assert_non_null(strstr(out, "\nseries\tsweep\tdata-integrated\t70\n"));
    free(out);
    char *html;
    /* In Dutch the chart's heading is Dutch (the table titles are English). */
    assert_int_equal(sh(NULL, "%s report sw.h5 -o sw-nl.html --lang nl", bin()), 0);
    html = support_read_file(path_in(p, sizeof p, "sw-nl.html"));
    assert_non_null(html);
    assert_non_null(strstr(html, "<h3>De uitkomst over de waarden van de factoren</h3>"));
    free(html);
}

/* The report of the odd-named arm: the payer chart under a heading with
 * the name, the legend of every cash-flow chart naming the arm (a text of
 * its SVG, the name unescaped once), the tornado-like charts aside. */
static void test_headings_and_legends(void **state)
{
    (void)state;
    assert_int_equal(sh(NULL, "%s report muni.h5 -o odd.html --lang en", bin()), 0);
    char p[300];
    char *html = support_read_file(path_in(p, sizeof p, "odd.html"));
    assert_non_null(html);
    const char *escaped = "team/../x &quot;één&quot; ëëëëëëëëëëëëëëëëëëëëëëëë'";
    const char *payers = strstr(html, "<section id=\"payers\">");
    assert_non_null(payers);
    char heading[300];
    snprintf(heading, sizeof heading, "<h3>%s</h3>", escaped);
    assert_non_null(strstr(payers, heading));
    free(html);
    /* Every cash-flow chart's legend names the arm. */
    char *out;
    assert_int_equal(sh(&out, "python3 %s/tests/report/check_html.py --texts odd.html", top), 0);
    size_t legends = 0;
    for (const char *l = out; (l = strstr(l, "\nchart\tcashflow_")) != NULL; l++) {
        char id[200], want[600];
        snprintf(id, sizeof id, "%.*s", (int)strcspn(l + 7, "\t"), l + 7);
        snprintf(want, sizeof want, "\ntext\t%s\t-\t%s\n", id, ODD_ARM_TEXT);
        if (strstr(out, want) == NULL)
            fail_msg("chart %s has no legend naming the arm", id);
        legends++;
    }
    assert_true(legends >= 2);    /* society, the municipality, the payers */
    free(out);
}

/* Lesser things: a missing file gets a short message, options that do not
 * apply to a format are refused, English puts the minus before the euro,
 * the Dutch answer does not say "Kies nulalternatief (het
 * nulalternatief)". */
static void test_messages_and_words(void **state)
{
    (void)state;
    char *out, p[300];
    assert_int_equal(sh(&out, "%s report nope.h5", bin()), 1);
    assert_non_null(strstr(out, "nope.h5"));
    assert_null(strstr(out, "errno"));
    free(out);
    assert_int_equal(sh(&out, "%s summary en.h5 --format xlsx -o x.xlsx --csv-locale nl",
                        bin()), 1);
    assert_non_null(strstr(out, "--csv-locale"));
    free(out);
    assert_int_not_equal(access(path_in(p, sizeof p, "x.xlsx"), F_OK), 0);
    assert_int_equal(sh(&out, "%s summary en.h5 --format csv --brief", bin()), 1);
    assert_non_null(strstr(out, "--brief"));
    free(out);
    /* The team loses money for society in en.h5 (the reference is kept). */
    assert_int_equal(sh(NULL, "%s report en.h5 -o en-nl.html --lang nl && %s report en.h5 "
                        "-o en-en.html --lang en", bin(), bin()), 0);
    char *nl = support_read_file(path_in(p, sizeof p, "en-nl.html"));
    char *en = support_read_file(path_in(p, sizeof p, "en-en.html"));
    assert_non_null(nl);
    assert_non_null(en);
    assert_null(strstr(nl, "Kies nulalternatief (het nulalternatief)"));
    assert_non_null(strstr(nl, "Kies het nulalternatief"));
    assert_non_null(strstr(en, ">-€"));
    assert_null(strstr(en, "€-"));
    free(nl);
    free(en);
}

/* A part of a split run (2 of 4 draws): the HTML warns as the text
 * summary does, and claims no P(NPV > 0) (no "n/a%"). */
static void test_split_part_warning(void **state)
{
    (void)state;
    char h5[300], html[300];
    path_in(h5, sizeof h5, "part.h5");
    path_in(html, sizeof html, "part.html");
    mkba_model *m = support_model_small();
    assert_non_null(m);
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = h5;
    o.force = 1;
    o.draws = 4;
    o.first_draw = 0;
    o.ndraws_part = 2;
    o.households = 40;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 1;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_run(&ctx, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_model_free(m);
    mkba_html_options ho = { html, "en" };
    if (mkba_report_html(NULL, h5, &ho, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char *text = support_read_file(html);
    assert_non_null(text);
    assert_non_null(strstr(text, "This file holds 2 of the run's 4 draws (part of a split run)"));
    assert_null(strstr(text, "n/a%"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_municipal_payer),
        cmocka_unit_test(test_base_case),
        cmocka_unit_test(test_breakeven_from_the_draws),
        cmocka_unit_test(test_refused_outputs),
        cmocka_unit_test(test_folder_names_and_all_or_none),
        cmocka_unit_test(test_xlsx_odd_names),
        cmocka_unit_test(test_csv_bom_and_formulas),
        cmocka_unit_test(test_init_safe),
        cmocka_unit_test(test_sweep_many_levels),
        cmocka_unit_test(test_headings_and_legends),
        cmocka_unit_test(test_messages_and_words),
        cmocka_unit_test(test_split_part_warning),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
