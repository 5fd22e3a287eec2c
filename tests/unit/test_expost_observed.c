/* The observed-data CSV reader of mkba expost (src/expost/observed.c):
 * a good file read row by row, and every bad-input case of issue 11 an
 * error naming the file, line and column (and the closest name). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "expost/observed.h"

static const char *const scenario = "scenarios/pathways/model-b.cfg";

static int setup(void **state)
{
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_scenario_load(NULL, scenario, &m, &err) != MKBA_OK) {
        print_error("%s\n", err.message);
        return -1;
    }
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    mkba_model_free(*state);
    return 0;
}

static int parse(const mkba_model *m, const char *text, mkba_observed **o, mkba_error *err)
{
    mkba_error_clear(err);
    return mkba_observed_parse(text, strlen(text), "obs.csv", m, o, err);
}

static void test_good_file(void **state)
{
    const mkba_model *m = *state;
    const char *text =
        "# monitoring of Lutjebroek, 2025-2026\n"
        "year,arm,metric,value,n,se,domain,team,payer\n"
        "1,model_b,reached,61.5,12000,,,,\n"
        "2, model_b ,escalations,14.1,12000,,youth,,\r\n"
        "\n"
        "2,model_b,in_state,48,12000,,work_income/medium+,,\n"
        "2,model_b,waiting_list,3.2,12000,,,team-jeugd-gezin,\n"
        "1,classic,spending,812.5,,40.0,,,gemeente-jeugdwet\n"
        "1,model_b,mean_wait,0.12,,0.02,,,\n"
        "1,model_b,escalations,9.5,,1.5,debt,,\n";
    mkba_observed *o = NULL;
    mkba_error err;
    assert_int_equal(parse(m, text, &o, &err), MKBA_OK);
    assert_non_null(o);
    assert_int_equal(o->n, 7);
    assert_int_equal(o->obs[0].metric, MKBA_METRIC_REACHED);
    assert_int_equal(o->obs[0].likelihood, MKBA_LIK_POISSON);
    assert_true(fabs(o->obs[0].n - 12000) < 1e-9);
    assert_true(isnan(o->obs[0].se));
    assert_int_equal(o->obs[0].line, 3);
    assert_int_equal(o->obs[1].year, 2);
    assert_int_equal(o->obs[1].domain, 0);          /* youth is listed first */
    assert_string_equal(o->obs[1].label, "escalations youth, model_b, year 2");
    assert_int_equal(o->obs[2].state_lo, 2);        /* medium */
    assert_int_equal(o->obs[2].state_hi, 3);        /* and severe */
    assert_int_equal(o->obs[2].likelihood, MKBA_LIK_BINOMIAL);
    assert_true(o->obs[3].team >= 0);
    assert_int_equal(o->obs[4].payer, 1);           /* gemeente-jeugdwet */
    assert_int_equal(o->obs[4].likelihood, MKBA_LIK_NORMAL);
    /* A count with se: the normal likelihood replaces the Poisson. */
    assert_int_equal(o->obs[6].likelihood, MKBA_LIK_NORMAL);
    mkba_observed_free(o);
}

/* A bad file and the pieces its message must hold. */
typedef struct bad_case {
    const char *text;
    const char *want[3];
} bad_case;

static const bad_case bad[] = {
    { "year,arm,value\n1,model_b,3\n", { "obs.csv:1:", "no column 'metric'" } },
    { "year,arm,metric,value,nn\n", { "obs.csv:1:", "column 5", "did you mean 'n'" } },
    { "year,arm,metric,value,n\n1,model_b,escalation,3,100\n",
      { "obs.csv:2: column 3 (metric)", "'escalation'", "did you mean 'escalations'" } },
    { "year,arm,metric,value,n\n11,model_b,reached,3,100\n",
      { "obs.csv:2: column 1 (year)", "outside the horizon", "1 to 10" } },
    { "year,arm,metric,value,n\n0,model_b,reached,3,100\n", { "obs.csv:2: column 1 (year)" } },
    { "year,arm,metric,value,n\n1.5,model_b,reached,3,100\n",
      { "column 1 (year)", "not a whole year" } },
    { "year,arm,metric,value,n\n1,model_c,reached,3,100\n",
      { "obs.csv:2: column 2 (arm)", "'model_c' is not an arm", "did you mean 'model_b'" } },
    { "n,value,metric,arm,year\n100,abc,reached,model_b,1\n",
      { "obs.csv:2: column 2 (value)", "'abc' is not a decimal number" } },
    { "year,arm,metric,value,n\n1,model_b,reached,-3,100\n",
      { "column 4 (value)", "negative" } },
    { "year,arm,metric,value,n\n1,model_b,reached,3,-100\n",
      { "column 5 (n)", "not a number of households" } },
    { "year,arm,metric,value,n\n1,model_b,reached,3,12.5\n", { "column 5 (n)" } },
    { "year,arm,metric,value,n,se\n1,model_b,reached,3,100,0\n",
      { "obs.csv:2: column 6 (se)", "must be > 0" } },
    { "year,arm,metric,value,n,se\n1,model_b,reached,3,100,-1\n", { "column 6 (se)" } },
    { "year,arm,metric,value,n,se\n1,model_b,reached,3,100,1e-200\n",
      { "obs.csv:2: column 6 (se)", "'1e-200' is too small to compute with" } },
    { "year,arm,metric,value,n\n1,model_b,reached,3,100\n# ok\n1,model_b,reached,4,100\n",
      { "obs.csv:4:", "duplicate", "line 2" } },
    { "year,arm,metric,value,n,domain\n1,model_b,registered_problems,400,12000,\n"
      "1,model_b,registered_problems,100,12000,youth\n",
      { "obs.csv:3:", "of one domain overlaps the total of line 2" } },
    { "year,arm,metric,value,se,team\n1,model_b,mean_wait,0.2,0.02,team-jeugd-gezin\n"
      "1,model_b,mean_wait,0.2,0.02,\n",
      { "obs.csv:2:", "of one team overlaps the total of line 3" } },
    { "year,arm,metric,value\n1,model_b,reached,3\n", { "obs.csv:2:", "needs n" } },
    { "year,arm,metric,value,n\n1,model_b,mean_wait,0.1,100\n", { "needs a standard error" } },
    { "year,arm,metric,value,n\n1,model_b,escalations,3,100\n", { "needs a domain column" } },
    { "year,arm,metric,value,n,domain\n1,model_b,escalations,3,100,work_income\n",
      { "column 6 (domain)", "no second-line state" } },
    { "year,arm,metric,value,n,domain\n1,model_b,escalations,3,100,yuth\n",
      { "column 6 (domain)", "did you mean 'youth'" } },
    { "year,arm,metric,value,n,domain\n1,model_b,in_state,3,100,work_income\n",
      { "column 6 (domain)", "DOMAIN/STATE" } },
    { "year,arm,metric,value,n,domain\n1,model_b,in_state,3,100,work_income/sever+\n",
      { "column 6 (domain)", "did you mean 'severe'" } },
    { "year,arm,metric,value,n,team\n1,classic,waiting_list,3,100,wijkteam\n",
      { "column 6 (team)", "does not run the team" } },
    { "year,arm,metric,value,n,payer\n1,model_b,reached,3,100,gemeente-wmo\n",
      { "column 6 (payer)", "has no payer" } },
    { "year,arm,metric,value,se,payer\n1,model_b,spending,3,10,gemeente-wm\n",
      { "column 6 (payer)", "did you mean 'gemeente-wmo'" } },
    { "year,arm,metric,value,n\n1,model_b,reached,3\n", { "obs.csv:2:", "4 fields" } },
    { "year,arm,metric,value,n\n1,model_b,in_state,1200,100\n", { "more than 1000" } },
    { "", { "obs.csv", "empty" } },
    { "year,arm,metric,value,n\n", { "no rows" } },
    { "year,arm,metric,value,year\n", { "obs.csv:1:", "named twice" } },
    /* Excel with Dutch settings: ';' between fields, decimal commas. */
    { "year;arm;metric;value;n\n1;model_b;reached;3,5;100\n",
      { "obs.csv:1:", "separated by ';'", "decimal points" } },
    { "year,arm,metric,value,n\n1,model_b,reached,3,5,100\n",
      { "obs.csv:2:", "6 fields", "decimal commas" } },
    /* Budget figures need the scenario's budget view (model-b has none). */
    { "year,arm,metric,value,se,fund\n1,model_b,budget,3e6,1e5,gemeentefonds\n",
      { "obs.csv:2: column 3 (metric)", "needs a scenario with a budget view", "spending" } },
    { "year,arm,metric,value,se,payer,fund\n1,model_b,spending,3,1,gemeente-wmo,gemeentefonds\n",
      { "obs.csv:2: column 7 (fund)", "the metric spending has no fund" } },
    /* Decimal notation only (strtod reads 0x10 as 16). */
    { "year,arm,metric,value,n\n1,model_b,reached,0x10,100\n",
      { "column 4 (value)", "'0x10' is not a decimal number" } },
    /* A key column the metric has none of, or leaves empty where it needs
     * one (each checked against the whole message). */
    { "year,arm,metric,value,n,domain\n1,model_b,reached,3,100,youth\n",
      { "obs.csv:2: column 6 (domain): the metric reached has no domain; leave it empty "
        "(got 'youth')" } },
    { "year,arm,metric,value,n,team\n1,model_b,reached,3,100,wijkteam\n",
      { "obs.csv:2: column 6 (team): the metric reached has no team; leave it empty "
        "(got 'wijkteam')" } },
    { "year,arm,metric,value,n,domain\n1,model_b,escalations,3,100,\n",
      { "obs.csv:2: column 6 (domain): the metric escalations needs a domain (a domain name)" } },
    { "year,arm,metric,value,se\n1,model_b,spending,3,10\n",
      { "obs.csv:2: the metric spending needs a payer column" } },
    { "year,arm,metric,value,se,payer\n1,model_b,spending,3,10,\n",
      { "obs.csv:2: column 6 (payer): the metric spending needs a payer" } },
    { "year,arm,metric,value,n,se\n1,model_b,mean_wait,0.1,100,\n",
      { "obs.csv:2: column 6 (se): the metric mean_wait needs a standard error (> 0)" } },
    /* Thirteen columns: split() stops at twelve fields. */
    { "year,arm,metric,value,n,se,domain,team,payer,fund,taakveld,a,b\n1\n",
      { "obs.csv:1: the header has more than 11 columns; the columns are year,arm,metric,"
        "value,n,se,domain,team,payer,fund,taakveld" } },
    /* A count beyond 1e9 (here 1e300 per 1000 of 3000 households). */
    { "year,arm,metric,value,n,domain\n1,model_b,escalations,1e300,3000,youth\n",
      { "column 4 (value)", "more than 1e9" } },
};

static void test_bad_input(void **state)
{
    const mkba_model *m = *state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mkba_observed *o = (mkba_observed *)&o;
        mkba_error err;
        int rc = parse(m, bad[i].text, &o, &err);
        if (rc == MKBA_OK || o != NULL)
            fail_msg("case %zu was accepted: %s", i, bad[i].text);
        for (int k = 0; k < 3 && bad[i].want[k] != NULL; k++)
            if (strstr(err.message, bad[i].want[k]) == NULL)
                fail_msg("case %zu: '%s' lacks '%s'", i, err.message, bad[i].want[k]);
    }
}

/* A UTF-8 byte order mark and lone-CR line ends (old Mac Excel) read as
 * the same rows as the plain file, with the same line numbers. */
static void test_bom_and_cr(void **state)
{
    const mkba_model *m = *state;
    const char *texts[] = { "year,arm,metric,value,n\n1,model_b,reached,3.5,100\n"
                            "2,model_b,reached,4,100\n",
                            "\xEF\xBB\xBFyear,arm,metric,value,n\r1,model_b,reached,3.5,100\r"
                            "2,model_b,reached,4,100\r",
                            "\xEF\xBB\xBFyear,arm,metric,value,n\r\n1,model_b,reached,3.5,100\r\n"
                            "2,model_b,reached,4,100" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        mkba_observed *o = NULL;
        mkba_error err;
        if (parse(m, texts[i], &o, &err) != MKBA_OK)
            fail_msg("text %zu: %s", i, err.message);
        assert_int_equal(o->n, 2);
        assert_true(o->obs[0].value == 3.5 && o->obs[1].value == 4);
        assert_int_equal(o->obs[1].line, 3);
        assert_int_equal(o->obs[1].year, 2);
        mkba_observed_free(o);
    }
}

/* Binary junk and a line without an end are errors or rows, never a crash. */
static void test_junk(void **state)
{
    const mkba_model *m = *state;
    const char junk[] = "year,arm,metric,value,n\n1,model_b,reached,3,100\n\0\1\2";
    mkba_observed *o = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_not_equal(mkba_observed_parse(junk, sizeof junk - 1, "obs.csv", m, &o, &err),
                         MKBA_OK);
    assert_null(o);
    assert_non_null(strstr(err.message, "obs.csv:3:"));
    const char *tail = "year,arm,metric,value,n\n1,model_b,reached,3,100";
    assert_int_equal(parse(m, tail, &o, &err), MKBA_OK);
    assert_int_equal(o->n, 1);
    mkba_observed_free(o);
}

/* A service metric on a scenario without services (default.cfg): refused
 * at its metric, whatever the arm. */
static void test_service_metric_without_services(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_scenario_load(NULL, "scenarios/default.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    const char *metric[] = { "reached", "waiting_list" };
    for (size_t i = 0; i < 2; i++) {
        char text[200], want[200];
        snprintf(text, sizeof text, "year,arm,metric,value,n\n1,%s,%s,3,100\n",
                 m->arm[0].name, metric[i]);
        snprintf(want, sizeof want, "obs.csv:2: column 3 (metric): the metric %s needs a "
                 "scenario with services; this one has none", metric[i]);
        mkba_observed *o = (mkba_observed *)&o;
        assert_int_equal(parse(m, text, &o, &err), MKBA_EPARSE);
        assert_null(o);
        assert_string_equal(err.message, want);
    }
    mkba_model_free(m);
}

/* docs/expost.md lists every metric of the table in its metric table. */
static void test_docs_list_metrics(void **state)
{
    (void)state;
    FILE *f = fopen("docs/expost.md", "r");
    assert_non_null(f);
    static char text[1 << 17];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    for (int k = 0; k < MKBA_METRIC_N; k++) {
        char cell[128];
        snprintf(cell, sizeof cell, "| `%s` | %s |", mkba_expost_metrics[k].name,
                 mkba_expost_metrics[k].unit);
        if (strstr(text, cell) == NULL)
            fail_msg("docs/expost.md has no row starting %s", cell);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_bom_and_cr),
        cmocka_unit_test(test_junk),
        cmocka_unit_test(test_service_metric_without_services),
        cmocka_unit_test(test_docs_list_metrics),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
