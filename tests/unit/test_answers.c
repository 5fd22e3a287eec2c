/* Regression against committed answers: tests/data/full.cfg (every rule
 * kind, 20 PSA draws of 2000 households) must reproduce the discounted
 * totals in tests/data/answers/full.txt to 1e-9 relative. The engine is
 * deterministic, so any change here is a change in the numbers: if it is
 * intended, regenerate the file with MKBA_WRITE_ANSWERS=1 and say why in
 * the commit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "io/h5out.h"

#define ANSWERS "tests/data/answers/full.txt"

/* Mean over draws of a [draw][arm][n] array, for arm a and column i. */
static double mean_of(const double *x, const mkba_h5_totals *t, size_t n, size_t a, size_t i)
{
    double s = 0.0;
    for (size_t d = 0; d < t->ndraws; d++)
        s += x[(d * t->narms + a) * n + i];
    return s / (double)t->ndraws;
}

static void test_full_scenario_answers(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/full.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char path[96];
    snprintf(path, sizeof path, "/tmp/mkba-answers-%d.h5", (int)getpid());
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = path;
    o.force = 1;
    if (mkba_run(NULL, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_h5_totals *t = NULL;
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);

    char lines[64][128];
    size_t n = 0;
    for (size_t a = 0; a < t->narms; a++) {
        for (size_t p = 0; p < t->npayers; p++)
            snprintf(lines[n++], sizeof lines[0], "cost %s %s %.17g", t->arm[a], t->payer[p],
                     mean_of(t->cost_total_disc, t, t->npayers, a, p));
        for (size_t e = 0; e < t->neffects; e++)
            snprintf(lines[n++], sizeof lines[0], "effect %s %s %.17g", t->arm[a], t->effect[e],
                     mean_of(t->effect_total_disc, t, t->neffects, a, e));
    }
    if (getenv("MKBA_WRITE_ANSWERS") != NULL) {
        FILE *f = fopen(ANSWERS, "w");
        assert_non_null(f);
        fprintf(f, "# Discounted totals per household, means over the 20 PSA draws of\n"
                   "# tests/data/full.cfg; written by test_answers with MKBA_WRITE_ANSWERS=1.\n");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s\n", lines[i]);
        fclose(f);
    }
    FILE *f = fopen(ANSWERS, "r");
    assert_non_null(f);
    char buf[256];
    size_t i = 0;
    while (fgets(buf, sizeof buf, f) != NULL) {
        if (buf[0] == '#')
            continue;
        char kind[16], arm[64], name[64], kind2[16], arm2[64], name2[64];
        double want, got;
        assert_true(i < n);
        assert_int_equal(sscanf(buf, "%15s %63s %63s %lf", kind, arm, name, &want), 4);
        assert_int_equal(sscanf(lines[i], "%15s %63s %63s %lf", kind2, arm2, name2, &got), 4);
        assert_string_equal(kind, kind2);
        assert_string_equal(arm, arm2);
        assert_string_equal(name, name2);
        if (fabs(got - want) > 1e-9 * fmax(1.0, fabs(want)))
            fail_msg("%s %s %s: got %.17g, answer file says %.17g", kind, arm, name, got, want);
        i++;
    }
    fclose(f);
    assert_int_equal(i, n);
    mkba_h5_totals_free(t);
    remove(path);
    mkba_model_free(m);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_scenario_answers),
    };
    return cmocka_run_group_tests_name("answers", tests, NULL, NULL);
}
