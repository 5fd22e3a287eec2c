/* Tests of the files people open: the long (tidy) CSV, one table per CSV
 * file, Dutch CSV and the xlsx workbook. Each file is read back and its
 * numbers compared with the datasets of the HDF5 file they came from (the
 * invariant: the same numbers, whatever the format). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "report/report.h"
#include "report/xlsx.h"
#include "support.h"

static char result_path[256];

/* A run of the small support model: 3 draws of 60 households, with
 * /analysis. */
static int make_result(void **state)
{
    (void)state;
    return support_run_small(result_path, sizeof result_path, "report", 3);
}

static int remove_result(void **state)
{
    (void)state;
    remove(result_path);
    return 0;
}

/* Writes the summary of the result file with options o to `file`. */
static void export(const mkba_summary_options *o)
{
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_summary_export(NULL, result_path, o, stdout, &err) != MKBA_OK)
        fail_msg("%s", err.message);
}

#define MAXF 16

/* Splits one CSV line (quotes as RFC 4180) at sep into fields (pointers
 * into buf); returns the count. */
static int split(const char *line, char sep, char fields[MAXF][256])
{
    int n = 0;
    size_t k = 0;
    int quoted = 0;
    for (const char *p = line;; p++) {
        if (quoted && *p == '"' && p[1] == '"') {
            fields[n][k++] = '"';
            p++;
        } else if (*p == '"') {
            quoted = !quoted;
        } else if ((*p == sep && !quoted) || *p == '\0' || (*p == '\n' && !quoted)) {
            fields[n][k] = '\0';
            n++;
            k = 0;
            if (*p != sep || n == MAXF)
                return n;
        } else if (k + 1 < 256) {
            fields[n][k++] = *p;
        }
    }
}

/* A number as a reader with decimal mark `dec` reads it. */
static double number(const char *s, char dec)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    char *c = strchr(buf, dec);
    if (c != NULL)
        *c = '.';
    if (buf[0] == '\0')
        return NAN;
    char *end;
    double v = strtod(buf, &end);
    if (*end != '\0')
        fail_msg("'%s' is not a number", s);
    return v;
}

/* The labels of the support model (support.h). */
static const char *const arms[] = { "usual", "integrated" };
static const char *const payers[] = { "municipality", "insurer", "housing" };

static int index_of(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    fail_msg("unknown label %s", name);
    return -1;
}

/* The text after the UTF-8 byte order mark that Dutch CSV (sep ';')
 * starts with, and plain CSV does not. */
static const char *after_bom(const char *text, char sep)
{
    int bom = strncmp(text, "\xEF\xBB\xBF", 3) == 0;
    assert_int_equal(bom, sep == ';');
    return bom ? text + 3 : text;
}

/* Checks every cost_total_discounted and cost_discounted line of a long
 * CSV against /draws; returns the number of lines checked. */
static size_t check_long(const char *text, char sep, char dec)
{
    size_t n1, n2;
    double *total = support_read_doubles(result_path, "/draws/cost_total_discounted", &n1);
    double *cyc = support_read_doubles(result_path, "/draws/cost_discounted", &n2);
    assert_non_null(total);
    assert_non_null(cyc);
    assert_int_equal(n1, 3 * 2 * 3);
    assert_int_equal(n2, 3 * 2 * 4 * 3);
    char f[MAXF][256];
    const char *line = after_bom(text, sep);
    /* Nine columns whether or not the file has a budget view (this one
     * has none: fund and taakveld stay empty), so long files stack. */
    assert_int_equal(split(line, sep, f), 9);
    const char *head[] = { "draw", "arm", "year", "payer", "measure", "value", "unit",
                           "fund", "taakveld" };
    for (int i = 0; i < 9; i++)
        assert_string_equal(f[i], head[i]);
    size_t checked = 0, seen_total = 0, seen_cycle = 0;
    while ((line = strchr(line, '\n')) != NULL && *++line != '\0') {
        assert_int_equal(split(line, sep, f), 9);
        assert_string_equal(f[7], "");
        assert_string_equal(f[8], "");
        int d = atoi(f[0]);
        if (strcmp(f[4], "cost_total_discounted") == 0) {
            int a = index_of(arms, 2, f[1]), p = index_of(payers, 3, f[3]);
            assert_string_equal(f[2], "");
            assert_string_equal(f[6], "EUR 2024");
            /* The shortest text that reads back: exactly the stored double. */
            assert_true(number(f[5], dec) == total[((size_t)d * 2 + (size_t)a) * 3 + (size_t)p]);
            seen_total++;
        } else if (strcmp(f[4], "cost_discounted") == 0) {
            int a = index_of(arms, 2, f[1]), p = index_of(payers, 3, f[3]);
            int year = (int)number(f[2], dec);
            assert_true(year >= 1 && year <= 4);
            double want = cyc[(((size_t)d * 2 + (size_t)a) * 4 + (size_t)(year - 1)) * 3
                              + (size_t)p];
            assert_true(number(f[5], dec) == want);
            seen_cycle++;
        }
        checked++;
    }
    assert_int_equal(seen_total, n1);
    assert_int_equal(seen_cycle, n2);
    free(total);
    free(cyc);
    return checked;
}

static void test_long_format(void **state)
{
    (void)state;
    char out[300], out_nl[300];
    snprintf(out, sizeof out, "%s.long.csv", result_path);
    snprintf(out_nl, sizeof out_nl, "%s.long-nl.csv", result_path);
    mkba_summary_options o;
    mkba_summary_options_init(&o);
    o.format = MKBA_SUMMARY_TIDY;
    o.output = out;
    export(&o);
    o.output = out_nl;
    o.csv_nl = 1;
    export(&o);
    char *plain = support_read_file(out), *nl = support_read_file(out_nl);
    assert_non_null(plain);
    assert_non_null(nl);
    size_t lines = check_long(plain, ',', '.');
    /* Dutch: the same lines, read with ';' and a decimal comma. */
    assert_int_equal(check_long(nl, ';', ','), lines);
    assert_null(strstr(nl, ";0."));   /* no decimal point in the Dutch file */

    /* The cumulative discounted net benefit of the last year is the NPV
     * of /analysis/cashflow/npv_draws, per perspective and draw. */
    size_t nk;
    double *npv = support_read_doubles(result_path, "/analysis/cashflow/npv_draws", &nk);
    assert_non_null(npv);
    char f[MAXF][256];
    size_t found = 0;
    for (const char *line = plain; (line = strchr(line, '\n')) != NULL && *++line != '\0';) {
        split(line, ',', f);
        if (strcmp(f[4], "npv_draws") != 0)
            continue;
        assert_string_equal(f[1], "integrated");
        found++;
    }
    /* K perspectives x 3 draws, the reference arm left out. */
    assert_int_equal(found, nk / 2);
    free(npv);
    free(plain);
    free(nl);
    remove(out);
    remove(out_nl);
}

/* One table, and a folder of tables: the npv table equals
 * /analysis/cashflow/npv to the 10 significant digits CSV tables carry. */
static void check_npv_table(const char *text, char sep, char dec)
{
    size_t n;
    double *npv = support_read_doubles(result_path, "/analysis/cashflow/npv", &n);
    assert_non_null(npv);
    char f[MAXF][256];
    text = after_bom(text, sep);
    assert_int_equal(split(text, sep, f), 8);
    assert_string_equal(f[0], "perspective");
    assert_string_equal(f[2], "NPV");
    size_t row = 0;
    for (const char *line = text; (line = strchr(line, '\n')) != NULL && *++line != '\0'; row++) {
        assert_int_equal(split(line, sep, f), 8);
        assert_string_equal(f[1], "integrated");
        /* [K][A][mean, lo, hi]: row k is perspective k's arm 1. */
        for (int s = 0; s < 3; s++) {
            double want = npv[(row * 2 + 1) * 3 + (size_t)s];
            double got = number(f[2 + s], dec);
            if (fabs(got - want) > 1e-9 * (1.0 + fabs(want)))
                fail_msg("npv row %zu column %d: %.17g, want %.17g", row, s, got, want);
        }
    }
    assert_int_equal(row, n / 6);
    free(npv);
}

static void test_one_table_and_folder(void **state)
{
    (void)state;
    char out[300], dir[300], file[600];
    snprintf(out, sizeof out, "%s.npv.csv", result_path);
    snprintf(dir, sizeof dir, "%s.tables", result_path);
    mkba_summary_options o;
    mkba_summary_options_init(&o);
    o.format = MKBA_SUMMARY_CSV;
    o.table = "npv";
    o.output = out;
    o.csv_nl = 1;
    export(&o);
    char *one = support_read_file(out);
    assert_non_null(one);
    check_npv_table(one, ';', ',');

    mkba_summary_options_init(&o);
    o.format = MKBA_SUMMARY_CSV;
    o.folder = dir;
    export(&o);
    snprintf(file, sizeof file, "%s/npv.csv", dir);
    char *in_folder = support_read_file(file);
    assert_non_null(in_folder);
    check_npv_table(in_folder, ',', '.');
    /* Every table of the one-file CSV (a header line "table,...") has its
     * file, and there is nothing else. */
    o.folder = NULL;
    o.output = out;
    export(&o);
    char *all = support_read_file(out);
    assert_non_null(all);
    size_t tables = 0;
    for (const char *p = all; p != NULL; p = strstr(p + 1, "\ntable,"))
        tables++;
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    size_t files = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        assert_non_null(strstr(e->d_name, ".csv"));
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        remove(file);
        files++;
    }
    closedir(dp);
    assert_int_equal(files, tables);
    assert_true(tables >= 10);
    assert_int_equal(rmdir(dir), 0);    /* nothing else was written there */
    free(one);
    free(in_folder);
    free(all);
    remove(out);
}

/* A wrong table id is an error naming the closest id, and leaves no file. */
static void test_unknown_table(void **state)
{
    (void)state;
    char out[300];
    snprintf(out, sizeof out, "%s.bad.csv", result_path);
    mkba_summary_options o;
    mkba_summary_options_init(&o);
    o.format = MKBA_SUMMARY_CSV;
    o.table = "nvp";
    o.output = out;
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_summary_export(NULL, result_path, &o, stdout, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "did you mean 'npv'"));
    assert_int_not_equal(access(out, F_OK), 0);

    mkba_error_clear(&err);
    o.table = NULL;
    o.format = MKBA_SUMMARY_XLSX;
    o.output = NULL;
    assert_int_equal(mkba_summary_export(NULL, result_path, &o, stdout, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "-o FILE.xlsx"));
}

/* The workbook: the npv sheet holds number cells equal to the file's
 * values (read with tests/report/xlsx_cells.py, standard Python only). */
static void test_xlsx(void **state)
{
    (void)state;
    if (system("python3 -c 'import zipfile' >/dev/null 2>&1") != 0) {
        fprintf(stderr, "test_xlsx: no python3, skipped\n");
        return;
    }
    char out[300], cmd[700];
    snprintf(out, sizeof out, "%s.xlsx", result_path);
    mkba_summary_options o;
    mkba_summary_options_init(&o);
    o.format = MKBA_SUMMARY_XLSX;
    o.output = out;
    export(&o);
    size_t n;
    double *npv = support_read_doubles(result_path, "/analysis/cashflow/npv", &n);
    assert_non_null(npv);
    snprintf(cmd, sizeof cmd, "python3 tests/report/xlsx_cells.py '%s' npv", out);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char ref[32], kind[8], value[512];
    size_t numbers = 0;
    while (fscanf(p, "%31s\t%7s\t%511[^\n]", ref, kind, value) == 3) {
        int row = atoi(ref + 1);
        char col = ref[0];
        if (row == 1) {
            assert_string_equal(kind, "s");   /* the header */
            continue;
        }
        if (col >= 'C' && col <= 'E') {
            /* NPV mean, 2.5%, 97.5%: numbers, not text. */
            assert_string_equal(kind, "n");
            double want = npv[((size_t)(row - 2) * 2 + 1) * 3 + (size_t)(col - 'C')];
            double got = strtod(value, NULL);
            if (fabs(got - want) > 1e-14 * (1.0 + fabs(want)))
                fail_msg("%s: %.17g, want %.17g", ref, got, want);
            numbers++;
        }
    }
    assert_int_equal(pclose(p), 0);
    assert_int_equal(numbers, n / 2);  /* K rows x 3 columns */
    /* The sources sheet lists every parameter. */
    snprintf(cmd, sizeof cmd, "python3 tests/report/xlsx_cells.py '%s' sources | grep -c '^A'",
             out);
    p = popen(cmd, "r");
    int rows = 0;
    assert_int_equal(fscanf(p, "%d", &rows), 1);
    pclose(p);
    assert_int_equal(rows, 1 + SUPPORT_NPARAMS);
    /* The run settings sheet names the seed of the support model. */
    snprintf(cmd, sizeof cmd, "python3 tests/report/xlsx_cells.py '%s' run | "
             "grep -A1 -P '\\tseed$' | grep -c -P '\\t20240611$'", out);
    p = popen(cmd, "r");
    rows = 0;
    assert_int_equal(fscanf(p, "%d", &rows), 1);
    pclose(p);
    assert_int_equal(rows, 1);
    free(npv);
    remove(out);
}

/* Two table ids alike in their first 31 characters (Excel's limit for a
 * sheet name) get two sheets, the second named ~2. */
static void test_xlsx_sheet_names_unique(void **state)
{
    (void)state;
    if (system("python3 -c 'import zipfile' >/dev/null 2>&1") != 0)
        return;
    mkba_report *r = mkba_report_alloc();
    assert_non_null(r);
    const char *col[] = { "x" };
    const mkba_col_kind kind[] = { MKBA_COL_MONEY };
    const char *ids[] = { "tornado_a_very_long_arm_name_number_1",
                          "tornado_a_very_long_arm_name_number_2" };
    for (int i = 0; i < 2; i++) {
        mkba_rtable *t = mkba_report_table(r, ids[i], ids[i], 1, col, kind);
        mkba_rtable_num(t, mkba_rtable_row(r, t), 0, 10.0 * (i + 1));
    }
    char out[300], cmd[700];
    snprintf(out, sizeof out, "%s.names.xlsx", result_path);
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_xlsx_write(out, out, result_path, r, &err), MKBA_OK);
    const char *sheets[] = { "tornado_a_very_long_arm_name_nu", "tornado_a_very_long_arm_name_~2" };
    for (int i = 0; i < 2; i++) {
        snprintf(cmd, sizeof cmd, "python3 tests/report/xlsx_cells.py '%s' '%s' | "
                 "grep -q -P '^A2\\tn\\t%d$'", out, sheets[i], 10 * (i + 1));
        if (system(cmd) != 0)
            fail_msg("sheet %s lacks its number", sheets[i]);
    }
    mkba_report_free(r);
    remove(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_format),
        cmocka_unit_test(test_one_table_and_folder),
        cmocka_unit_test(test_unknown_table),
        cmocka_unit_test(test_xlsx),
        cmocka_unit_test(test_xlsx_sheet_names_unique),
    };
    return cmocka_run_group_tests(tests, make_result, remove_result);
}
