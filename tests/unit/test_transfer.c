/* Transfers (cost rules with transfer_to) against hand computation.
 *
 * tests/data/transfer.cfg has a closed-form cohort trace: a household is on
 * bijstand at the start of cycle k with probability b^(k-1), b = 1 - q, and
 * finds work in cycle k with probability b^(k-1) q. With occupancy and
 * discounting at the cycle start (rate 3%), every total is a multiple of
 * S = sum_{k=1..4} (b / 1.03)^(k-1):
 *   gemeente-participatiewet  7000 S + 500 q S   (benefit and work premium)
 *   huishouden               -(7000 S + 500 q S) (receives both)
 *   zorgverzekeraar           1200 S             (not a transfer)
 * so society, the sum over payers, is 1200 S: the scenario without the
 * transfers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "model/scenario.h"
#include "engine/engine.h"

#define T 4
enum { MUNICIPALITY = 0, INSURER = 1, HOUSEHOLD = 2 };

/* Relative comparison; `what` names the quantity in the failure. */
static void expect(double got, double want, double rel, const char *what, size_t arm)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("arm %zu, %s: got %.12f, want %.12f", arm, what, got, want);
}

/* Sum over k = 1..T of (b / 1.03)^(k-1), or of b^(k-1) when disc == 0. */
static double trace_sum(double b, int disc)
{
    double s = 0.0;
    for (int k = 1; k <= T; k++)
        s += pow(b, k - 1) * (disc ? pow(1.03, -(k - 1)) : 1.0);
    return s;
}

static void test_transfers_net_out(void **state)
{
    (void)state;
    mkba_error err = {0};
    mkba_model *m = NULL;
    if (mkba_scenario_load("tests/data/transfer.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(m->npayers, 3);
    assert_int_equal(m->cost[0].transfer_to, HOUSEHOLD);
    assert_int_equal(m->cost[1].transfer_to, -1);
    assert_int_equal(m->cost[2].transfer_to, HOUSEHOLD);

    mkba_layout *l = mkba_layout_alloc(m, &err);
    assert_non_null(l);
    mkba_tables *t = mkba_tables_alloc(m, l);
    mkba_params_work *w = mkba_params_work_alloc(m->params);
    size_t np = mkba_params_count(m->params);
    double *v = calloc(m->narms * np + 1, sizeof *v);
    mkba_counts *c = mkba_counts_alloc(l);
    mkba_draw_result *r = mkba_draw_result_alloc(m);
    assert_non_null(t);
    assert_non_null(w);
    assert_non_null(v);
    assert_non_null(c);
    assert_non_null(r);
    assert_int_equal(mkba_params_sample(m->params, m->seed, 0, 1, MKBA_BASE_MEAN, v, w, &err),
                     MKBA_OK);
    assert_int_equal(mkba_tables_resolve(t, m, v, -1, &err), MKBA_OK);
    assert_int_equal(mkba_cohort_run(m, t, c, &err), MKBA_OK);
    mkba_tally(m, l, c, v, r);

    const size_t P = m->npayers;
    const double q[2] = {0.25, 0.4};
    for (size_t arm = 0; arm < 2; arm++) {
        const double *tot = &r->cost_total[arm * P], *tot_d = &r->cost_total_disc[arm * P];
        double s = trace_sum(1.0 - q[arm], 0), sd = trace_sum(1.0 - q[arm], 1);

        /* Each payer against the hand values, discounted and not. */
        expect(tot_d[MUNICIPALITY], (7000.0 + 500.0 * q[arm]) * sd, 1e-12, "municipality", arm);
        expect(tot_d[HOUSEHOLD], -(7000.0 + 500.0 * q[arm]) * sd, 1e-12, "household", arm);
        expect(tot_d[INSURER], 1200.0 * sd, 1e-12, "insurer", arm);
        expect(tot[MUNICIPALITY], (7000.0 + 500.0 * q[arm]) * s, 1e-12, "municipality undisc.",
               arm);
        expect(tot[HOUSEHOLD], -(7000.0 + 500.0 * q[arm]) * s, 1e-12, "household undisc.", arm);

        /* Society, the sum over payers, is the scenario without transfers. */
        double society = 0.0, society_d = 0.0;
        for (size_t p = 0; p < P; p++) {
            society += tot[p];
            society_d += tot_d[p];
        }
        expect(society_d, 1200.0 * sd, 1e-12, "society", arm);
        expect(society, 1200.0 * s, 1e-12, "society undisc.", arm);

        /* Payer and recipient are equal and opposite in every cycle. */
        for (size_t k = 0; k < T; k++) {
            const double *ck = &r->cost_disc[(arm * T + k) * P];
            assert_true(ck[MUNICIPALITY] > 0.0);
            expect(ck[HOUSEHOLD], -ck[MUNICIPALITY], 1e-15, "cycle, household", arm);
        }
    }

    mkba_draw_result_free(r);
    mkba_counts_free(c);
    free(v);
    mkba_params_work_free(w);
    mkba_tables_free(t);
    mkba_layout_free(l);
    mkba_model_free(m);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfers_net_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
