/* Tests of the text summary that opens with the answer: text tables line
 * up with multi-byte names, --brief is one screen, and the answer table's
 * numbers equal the file's decision outputs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "core/strutil.h"
#include "report/report.h"
#include "support.h"

static void test_utf8_width(void **state)
{
    (void)state;
    assert_int_equal(mkba_utf8_width("één-loket"), 9);
    assert_int_equal(mkba_utf8_width("classic"), 7);
    assert_int_equal(mkba_utf8_width(""), 0);
    assert_int_equal(mkba_utf8_width("€ 5"), 3);
}

/* Every line of an aligned table is as wide as its header, in characters. */
static void test_table_aligns_multibyte(void **state)
{
    (void)state;
    mkba_report *r = mkba_report_alloc();
    assert_non_null(r);
    const char *col[] = { "arm", "NPV" };
    const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_MONEY };
    mkba_rtable *t = mkba_report_table(r, "x", "title", 2, col, kind);
    const char *arms[] = { "één-loket", "classic", "wijkteam-ë" };
    for (int i = 0; i < 3; i++) {
        long row = mkba_rtable_row(r, t);
        mkba_rtable_str(r, t, row, 0, arms[i]);
        mkba_rtable_num(t, row, 1, 1000.0 * (i + 1));
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(mkba_report_text(f, r), 0);
    fclose(f);
    /* Lines: "", "title", header, 3 rows. */
    char *save = NULL, *line = strtok_r(buf, "\n", &save);
    assert_string_equal(line, "title");
    size_t width = 0, lines = 0;
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        if (width == 0)
            width = mkba_utf8_width(line);
        else
            assert_int_equal(mkba_utf8_width(line), width);
        lines++;
    }
    assert_int_equal(lines, 4);
    free(buf);
    mkba_report_free(r);
}

static char result_path[256];

static int make_result(void **state)
{
    (void)state;
    return support_run_small(result_path, sizeof result_path, "text", 4);
}

static int remove_result(void **state)
{
    (void)state;
    remove(result_path);
    return 0;
}

static char *summary(const mkba_summary_options *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_summary_export(NULL, result_path, o, f, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    fclose(f);
    return buf;
}

/* --brief: the answer and its table, within one 24-line screen; the full
 * summary starts with the same lines. */
static void test_brief_is_the_first_screen(void **state)
{
    (void)state;
    mkba_summary_options o;
    mkba_summary_options_init(&o);
    o.brief = 1;
    char *brief = summary(&o);
    o.brief = 0;
    char *full = summary(&o);
    size_t lines = 0;
    for (const char *p = brief; *p; p++)
        lines += *p == '\n';
    assert_true(lines >= 5 && lines <= 24);
    assert_true(strncmp(brief, "The answer: ", 12) == 0);
    assert_memory_equal(brief, full, strlen(brief));
    assert_true(strlen(full) > 2 * strlen(brief));
    free(brief);
    free(full);
}

/* The answer table (csv --table answer) against /analysis: the NPV is
 * society's mean, P(best) the rank-1 share, and the best arm has the
 * highest NPV. */
static void test_answer_table_numbers(void **state)
{
    (void)state;
    mkba_summary_options o;
    mkba_summary_options_init(&o);
    o.format = MKBA_SUMMARY_CSV;
    o.table = "answer";
    char *csv = summary(&o);
    double *npv = support_read_doubles(result_path, "/analysis/cashflow/npv", NULL);
    double *rank = support_read_doubles(result_path, "/analysis/ranking/npv_rank", NULL);
    assert_non_null(npv);
    assert_non_null(rank);
    assert_true(strncmp(csv, "arm,NPV society,2.5%,97.5%,P(best),P(NPV > 0),", 46) == 0);
    char arm[64];
    double v, lo, hi, pbest;
    const char *line = strchr(csv, '\n') + 1;
    /* usual: the reference, NPV 0 and no interval. */
    assert_int_equal(sscanf(line, "%63[^,],%lf,,,%lf", arm, &v, &pbest), 3);
    assert_string_equal(arm, "usual");
    assert_true(v == 0.0);
    assert_true(fabs(pbest - rank[0]) <= 1e-9);
    line = strchr(line, '\n') + 1;
    assert_int_equal(sscanf(line, "%63[^,],%lf,%lf,%lf,%lf", arm, &v, &lo, &hi, &pbest), 5);
    assert_string_equal(arm, "integrated");
    /* [K][A][mean, lo, hi], society first; 10 significant digits in CSV. */
    assert_true(fabs(v - npv[3]) <= 1e-9 * (1 + fabs(npv[3])));
    assert_true(fabs(lo - npv[4]) <= 1e-9 * (1 + fabs(npv[4])));
    assert_true(fabs(hi - npv[5]) <= 1e-9 * (1 + fabs(npv[5])));
    assert_true(fabs(pbest - rank[2]) <= 1e-9);
    o.format = MKBA_SUMMARY_TEXT;
    o.table = NULL;
    o.brief = 1;
    char *text = summary(&o);
    assert_non_null(strstr(text, npv[3] > 0 ? "The answer: choose integrated."
                                            : "The answer: keep usual"));
    free(text);
    free(csv);
    free(npv);
    free(rank);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_width),
        cmocka_unit_test(test_table_aligns_multibyte),
        cmocka_unit_test(test_brief_is_the_first_screen),
        cmocka_unit_test(test_answer_table_numbers),
    };
    return cmocka_run_group_tests(tests, make_result, remove_result);
}
