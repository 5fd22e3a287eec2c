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
 * transfers. The transfer arrays hold the transfer parts: 7000 S + 500 q S
 * for the municipality, minus that for the household, 0 for the insurer.
 *
 * Against classic, the integrated arm's only real gain is the insurer's
 * saving G = 1200 (S(0.75) - S(0.6)) (discounted); the transfers it
 * changes net out. So the MKBA table (optimism bias 0.2, deadweight 0.1)
 * has no project costs, direct effects G, deadweight -0.1 G and balance
 * 0.9 G, about 567, with an infinite benefit-cost ratio; before transfers
 * were taken out it showed -507 and 0.88. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "model/scenario.h"
#include "engine/engine.h"
#include "io/h5out.h"
#include "analysis/decision.h"
#include "analysis/summary.h"

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
    if (mkba_scenario_load(NULL, "tests/data/transfer.cfg", &m, &err) != MKBA_OK)
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
    mkba_tally(m, l, c, v, NULL, r);

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

        /* Costs by category are gross: the transfers count once, as the
         * municipality's spending, so the categories sum to the payers'
         * total plus the transfers. */
        double cat_d = 0.0;
        for (size_t i = 0; i < T * r->ncategories; i++)
            cat_d += r->cost_category_disc[arm * T * r->ncategories + i];
        expect(cat_d, (1200.0 + 7000.0 + 500.0 * q[arm]) * sd, 1e-12, "categories", arm);

        /* Payer and recipient are equal and opposite in every cycle. */
        for (size_t k = 0; k < T; k++) {
            const double *ck = &r->cost_disc[(arm * T + k) * P];
            assert_true(ck[MUNICIPALITY] > 0.0);
            expect(ck[HOUSEHOLD], -ck[MUNICIPALITY], 1e-15, "cycle, household", arm);
        }

        /* The transfer parts: all of the municipality's and household's
         * costs, none of the insurer's, in every cycle and in total. */
        const double *tr = &r->transfer_total[arm * P], *tr_d = &r->transfer_total_disc[arm * P];
        expect(tr_d[MUNICIPALITY], (7000.0 + 500.0 * q[arm]) * sd, 1e-12, "transfer", arm);
        expect(tr_d[HOUSEHOLD], -(7000.0 + 500.0 * q[arm]) * sd, 1e-12, "transfer in", arm);
        expect(tr[MUNICIPALITY], (7000.0 + 500.0 * q[arm]) * s, 1e-12, "transfer undisc.", arm);
        expect(tr[HOUSEHOLD], -(7000.0 + 500.0 * q[arm]) * s, 1e-12, "transfer in undisc.",
               arm);
        assert_true(tr_d[INSURER] == 0.0 && tr[INSURER] == 0.0);
        for (size_t k = 0; k < T; k++) {
            size_t i = (arm * T + k) * P;
            for (size_t p = 0; p < P; p++) {
                expect(r->transfer[i + p], p == INSURER ? 0.0 : r->cost[i + p], 1e-15,
                       "cycle transfer", arm);
                expect(r->transfer_disc[i + p], p == INSURER ? 0.0 : r->cost_disc[i + p],
                       1e-15, "cycle transfer disc.", arm);
            }
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

/* Mean of row `row`, arm 1, of the MKBA table. */
static double table_row(const mkba_decision *d, int row)
{
    return d->mkba[((size_t)1 * MKBA_ROW_N + (size_t)row) * MKBA_ST_N + MKBA_ST_MEAN];
}

/* The cohort run of transfer.cfg through the result file to the summary
 * and the decision outputs, against the hand values of the header. */
static void test_transfers_left_out_of_benefit_cost(void **state)
{
    (void)state;
    mkba_error err = {0};
    mkba_model *m = NULL;
    if (mkba_scenario_load(NULL, "tests/data/transfer.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba_test_transfer_%ld.h5", (long)getpid());
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = path;
    o.force = 1;
    o.draws = 0;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 1;
    o.mode = MKBA_MODE_COHORT;
    if (mkba_run(&ctx, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_model_free(m);

    mkba_h5_totals *t = NULL;
    mkba_summary *s = NULL;
    mkba_decision *d = NULL;
    if (mkba_h5_read_totals(path, &t, &err) != MKBA_OK
        || (s = mkba_summary_alloc(t, &err)) == NULL
        || mkba_decision_load(path, t, &d, &err) != MKBA_OK)
        fail_msg("%s", err.message);

    /* The per-cycle datasets: in cycle 1 of classic every household is on
     * bijstand (7000) and a quarter find work (500 x 0.25), undiscounted;
     * the discounted cycles add up to the discounted total. */
    double tr[1 * 2 * T * 3], tr_d[1 * 2 * T * 3];
    const size_t dims[4] = { 1, 2, T, 3 };
    mkba_h5_store *st = mkba_h5_store_open(path, 0, &err);
    assert_non_null(st);
    assert_int_equal(mkba_h5_store_read_doubles(st, "/draws/transfer", 4, dims, tr, &err),
                     MKBA_OK);
    assert_int_equal(mkba_h5_store_read_doubles(st, "/draws/transfer_discounted", 4, dims, tr_d,
                                                &err), MKBA_OK);
    assert_int_equal(mkba_h5_store_close(st, &err), MKBA_OK);
    expect(tr[MUNICIPALITY], 7125.0, 1e-12, "cycle 1 transfer", 0);
    expect(tr[HOUSEHOLD], -7125.0, 1e-12, "cycle 1 transfer in", 0);
    for (size_t a = 0; a < 2; a++) {
        double sum = 0.0;
        for (size_t k = 0; k < T; k++)
            sum += tr_d[(a * T + k) * 3 + MUNICIPALITY];
        expect(sum, t->transfer_total_disc[a * 3 + MUNICIPALITY], 1e-12, "cycles sum", a);
    }
    remove(path);

    const double sd_c = trace_sum(0.75, 1), sd_i = trace_sum(0.6, 1);
    const double gain = 1200.0 * (sd_c - sd_i);
    const double muni = (7000.0 + 500.0 * 0.25) * sd_c - (7000.0 + 500.0 * 0.4) * sd_i;
    assert_true(fabs(gain - 630.0) < 1.0 && fabs(muni - 3581.0) < 1.0);  /* as printed */

    /* The transfers were written and read back. */
    assert_non_null(t->transfer_total_disc);
    assert_non_null(t->transfer_total);
    expect(t->transfer_total_disc[1 * 3 + MUNICIPALITY], (7000.0 + 500.0 * 0.4) * sd_i, 1e-12,
           "transfer read back", 1);
    expect(t->transfer_total_disc[0 * 3 + HOUSEHOLD], -(7000.0 + 500.0 * 0.25) * sd_c, 1e-12,
           "transfer read back", 0);

    /* The summary: the MKBA table's total benefits 0.9 G (after
     * deadweight), costs 0, an infinite ratio, NPV G. */
    expect(s->benefits[1].mean, 0.9 * gain, 1e-12, "summary benefits", 1);
    assert_true(s->costs[1].mean == 0.0);
    assert_true(isinf(s->bcr[1].mean) && s->bcr[1].mean > 0.0);
    expect(s->npv[1].mean, gain, 1e-12, "summary NPV", 1);

    /* The MKBA table: optimism bias on nothing, deadweight on G only. */
    assert_true(table_row(d, MKBA_ROW_PROJECT_COSTS) == 0.0);
    assert_true(table_row(d, MKBA_ROW_OPTIMISM) == 0.0);
    assert_true(table_row(d, MKBA_ROW_COSTS) == 0.0);
    expect(table_row(d, MKBA_ROW_DIRECT), gain, 1e-12, "direct effects", 1);
    expect(table_row(d, MKBA_ROW_DEADWEIGHT), -0.1 * gain, 1e-12, "deadweight", 1);
    expect(table_row(d, MKBA_ROW_BALANCE), 0.9 * gain, 1e-12, "balance", 1);
    assert_true(fabs(table_row(d, MKBA_ROW_BALANCE) - 567.0) < 0.5);
    assert_true(isinf(table_row(d, MKBA_ROW_BCR)) && table_row(d, MKBA_ROW_BCR) > 0.0);

    /* Perspectives keep transfers: society's NPV is G (they net out), the
     * municipality's and the household's include them. Perspectives:
     * society, municipality, then the payers in order. */
    size_t na = 2;
    double npv_society = d->npv[(0 * na + 1) * MKBA_ST_N + MKBA_ST_MEAN];
    double npv_muni = d->npv[(1 * na + 1) * MKBA_ST_N + MKBA_ST_MEAN];
    double npv_household = d->npv[((2 + HOUSEHOLD) * na + 1) * MKBA_ST_N + MKBA_ST_MEAN];
    expect(npv_society, gain, 1e-12, "society NPV", 1);
    expect(npv_muni, muni, 1e-12, "municipality NPV", 1);
    expect(npv_household, -muni, 1e-12, "household NPV", 1);

    /* Who pays, who gains keeps them too: the household loses what the
     * municipality saves, and society nets G. */
    size_t rows = 3 + MKBA_PR_EXTRA;
    const double *pt = d->payer_table + 1 * rows * MKBA_PT_N;
    expect(pt[MUNICIPALITY * MKBA_PT_N + MKBA_PT_NET], muni, 1e-12, "payer table, muni", 1);
    expect(pt[HOUSEHOLD * MKBA_PT_N + MKBA_PT_NET], -muni, 1e-12, "payer table, household", 1);
    expect(pt[(3 + MKBA_PR_SOCIETY) * MKBA_PT_N + MKBA_PT_NET], gain, 1e-12,
           "payer table, society", 1);

    mkba_decision_free(d);
    mkba_summary_free(s);
    mkba_h5_totals_free(t);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transfers_net_out),
        cmocka_unit_test(test_transfers_left_out_of_benefit_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
