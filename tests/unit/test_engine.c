/* The engine against independent answers: the microsimulation mean against
 * the exact cohort trace, household conservation, common random numbers,
 * and drawn rows that break the rules. */
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
#include "core/simd.h"
#include "support_sim.h"

/* A draw (support_sim.h) with the microsimulation's and the cohort
 * trace's tallies of it. */
typedef struct engine_sim {
    sim base;
    mkba_counts *micro, *cohort;
} engine_sim;

static void engine_free(engine_sim *s)
{
    mkba_counts_free(s->micro);
    mkba_counts_free(s->cohort);
    sim_close(&s->base);
}

/* Loads `path`, resolves draw `draw` (base case when draw < 0), and fills
 * the micro tallies for `households` households and the cohort trace. */
static void engine_run(engine_sim *s, const char *path, long draw, long households)
{
    mkba_error err = {0};
    memset(s, 0, sizeof *s);
    sim *b = &s->base;
    sim_open_draw(b, path, households, draw);
    int rc = mkba_tables_resolve(b->t, b->m, b->values, draw, &err);
    if (rc != MKBA_OK)
        fail_msg("%s", err.message);
    s->micro = mkba_counts_alloc(b->l);
    s->cohort = mkba_counts_alloc(b->l);
    if (households > 0) {
        mkba_micro_work *w = mkba_micro_work_alloc(b->l);
        mkba_counts_zero(s->micro);
        mkba_micro_run(b->m, b->t, b->m->seed, 0, 0, (uint32_t)households, w, s->micro);
        mkba_counts_to_double(s->micro);
        mkba_micro_work_free(w);
    }
    rc = mkba_cohort_run(b->m, b->t, s->cohort, &err);
    if (rc != MKBA_OK)
        fail_msg("%s", err.message);
}

/* Every occupancy share and entry rate of the microsimulation lies within
 * 4 Monte Carlo standard errors of the joint cohort trace (three
 * interacting domains, correlated start, time-in-state rule, cycle window,
 * hazard ratios, an exit state). */
/* Largest deviation, in Monte Carlo standard errors, of the simulated
 * occupancy shares and entry rates from the cohort trace; *checked counts
 * the comparisons. Shares the trace puts at exactly 0 or 1 must match. */
static double worst_deviation(const engine_sim *s, long H, size_t *checked)
{
    size_t nocc = s->base.l->narms * s->base.l->npoints * s->base.l->nslots;
    size_t nent = s->base.l->narms * s->base.l->ncycles * s->base.l->nstates_total;
    double worst = 0.0;
    *checked = 0;
    for (size_t i = 0; i < nocc + nent; i++) {
        double p = i < nocc ? s->cohort->focc[i] : s->cohort->fentries[i - nocc];
        double n = i < nocc ? s->micro->focc[i] : s->micro->fentries[i - nocc];
        double phat = n / (double)H;
        if (p > 0.0 && p < 1.0) {
            double zs = fabs(phat - p) / sqrt(p * (1.0 - p) / (double)H);
            if (zs > worst)
                worst = zs;
            (*checked)++;
        } else {
            assert_true(fabs(phat - p) < 1e-12);
        }
    }
    return worst;
}

/* Every occupancy share and entry rate of the microsimulation lies within
 * 4 Monte Carlo standard errors of the joint cohort trace (three
 * interacting domains, correlated start, time-in-state rule, cycle window,
 * hazard ratios, an exit state). */
static void test_micro_mean_matches_cohort_trace(void **state)
{
    (void)state;
    const long H = 40000;
    engine_sim s;
    size_t checked;
    engine_run(&s, "tests/data/interact.cfg", -1, H);
    double worst = worst_deviation(&s, H, &checked);
    print_message("compared %zu shares; largest deviation %.2f standard errors\n", checked, worst);
    assert_true(checked > 100);
    assert_true(worst < 4.0);
    engine_free(&s);
}

/* Twelve independent domains with monthly cycles, a relative-risk rule in
 * a cycle and duration window: the per-domain cohort traces agree with
 * the microsimulation within 4 standard errors. */
static void test_twelve_domains_match_marginal_traces(void **state)
{
    (void)state;
    const long H = 20000;
    engine_sim s;
    size_t checked;
    engine_run(&s, "tests/data/many.cfg", -1, H);
    assert_int_equal(s.base.m->ndomains, 12);
    double worst = worst_deviation(&s, H, &checked);
    print_message("compared %zu shares; largest deviation %.2f standard errors\n", checked, worst);
    assert_true(checked > 500);
    assert_true(worst < 4.0);
    engine_free(&s);
}

/* In every arm, cycle and domain the households add up: those in the
 * domain's states plus those gone through another domain's exit state
 * equal the cohort. The cohort trace conserves mass the same way. */
static void test_households_conserved(void **state)
{
    (void)state;
    const long H = 5000;
    engine_sim s;
    engine_run(&s, "tests/data/interact.cfg", -1, H);
    const mkba_layout *l = s.base.l;
    for (size_t arm = 0; arm < l->narms; arm++)
        for (size_t j = 0; j < l->npoints; j++) {
            const uint64_t *occ = s.micro->occ + (arm * l->npoints + j) * l->nslots;
            const double *focc = s.cohort->focc + (arm * l->npoints + j) * l->nslots;
            for (size_t d = 0; d < s.base.m->ndomains; d++) {
                uint64_t n = 0;
                double f = 0.0;
                for (size_t e = 0; e < s.base.m->ndomains; e++)
                    for (int st = 0; st < l->nstates[e]; st++) {
                        int g = l->state_base[e] + st;
                        if (e != d && !s.base.m->domain[e].state[st].exit)
                            continue;
                        for (int b = 0; b < l->dur[g].nbuckets; b++) {
                            n += occ[l->slot_base[g] + b];
                            f += focc[l->slot_base[g] + b];
                        }
                    }
                assert_int_equal(n, (uint64_t)H);
                assert_true(fabs(f - 1.0) < 1e-12);
            }
        }
    engine_free(&s);
}

/* Two arms with identical definitions draw the same random numbers, so
 * their tallies, and every increment, are exactly zero in every PSA draw. */
static void test_common_random_numbers(void **state)
{
    (void)state;
    for (long draw = 0; draw < 3; draw++) {
        engine_sim s;
        engine_run(&s, "tests/data/twins.cfg", draw, 3000);
        size_t half = s.base.l->npoints * s.base.l->nslots;
        assert_memory_equal(s.micro->occ, s.micro->occ + half, half * sizeof *s.micro->occ);
        size_t ehalf = s.base.l->ncycles * s.base.l->nstates_total;
        assert_memory_equal(s.micro->entries, s.micro->entries + ehalf, ehalf * sizeof *s.micro->entries);
        mkba_draw_result *r = mkba_draw_result_alloc(s.base.m);
        mkba_tally(s.base.m, s.base.l, s.micro, s.base.values, NULL, r);
        for (size_t p = 0; p < r->npayers; p++)
            assert_true(r->cost_total_disc[p] - r->cost_total_disc[r->npayers + p] == 0.0);
        assert_true(r->cost_total_disc[0] > 0.0);
        mkba_draw_result_free(r);
        engine_free(&s);
    }
}

/* Households do not depend on one another or on chunking: simulating
 * [0, n) at once equals simulating [0, k) and [k, n) separately. */
static void test_household_streams_split_freely(void **state)
{
    (void)state;
    engine_sim s;
    engine_run(&s, "tests/data/interact.cfg", -1, 1000);
    mkba_counts *parts = mkba_counts_alloc(s.base.l);
    mkba_micro_work *w = mkba_micro_work_alloc(s.base.l);
    mkba_counts_zero(parts);
    mkba_micro_run(s.base.m, s.base.t, s.base.m->seed, 0, 600, 1000, w, parts);
    mkba_micro_run(s.base.m, s.base.t, s.base.m->seed, 0, 0, 600, w, parts);
    size_t nocc = s.base.l->narms * s.base.l->npoints * s.base.l->nslots;
    assert_memory_equal(parts->occ, s.micro->occ, nocc * sizeof *parts->occ);
    mkba_micro_work_free(w);
    mkba_counts_free(parts);
    engine_free(&s);
}

/* Domains whose interaction sources have too many state combinations to
 * tabulate compute the interaction per household instead; both ways give
 * bit-identical tallies. */
static void test_computed_interactions_equal_tabulated(void **state)
{
    (void)state;
    const uint32_t H = 3000;
    engine_sim s;
    engine_run(&s, "tests/data/interact.cfg", -1, H);
    mkba_error err = {0};
    mkba_layout *l = mkba_layout_alloc(s.base.m, &err);
    assert_non_null(l);
    mkba_layout_set_max_combo(l, 1);
    size_t computed = 0;
    for (size_t d = 0; d < s.base.m->ndomains; d++)
        computed += l->ncombo[d] == 0;
    assert_true(computed > 0);
    mkba_tables *t = mkba_tables_alloc(s.base.m, l);
    assert_int_equal(mkba_tables_resolve(t, s.base.m, s.base.values, -1, &err), MKBA_OK);
    mkba_counts *c = mkba_counts_alloc(l);
    mkba_micro_work *w = mkba_micro_work_alloc(l);
    mkba_counts_zero(c);
    mkba_micro_run(s.base.m, t, s.base.m->seed, 0, 0, H, w, c);
    size_t nocc = l->narms * l->npoints * l->nslots;
    size_t nent = l->narms * l->ncycles * l->nstates_total;
    assert_memory_equal(c->occ, s.micro->occ, nocc * sizeof *c->occ);
    assert_memory_equal(c->entries, s.micro->entries, nent * sizeof *c->entries);
    mkba_micro_work_free(w);
    mkba_counts_free(c);
    mkba_tables_free(t);
    mkba_layout_free(l);
    engine_free(&s);
}

/* Hazard ratios act on hazards, not on each exit's probability: doubling
 * the hazard to "b" of a row with rates (1, 1) gives the row of rates
 * (2, 1), p_b = 2/3 (1 - e^-3), p_c = 1/3 (1 - e^-3). */
static void test_hazard_ratios_on_competing_exits(void **state)
{
    (void)state;
    engine_sim s;
    engine_run(&s, "tests/data/hazard.cfg", -1, 0);
    const mkba_row *hr = mkba_tables_row(s.base.t, 1, 0, 0, 0);
    const mkba_row *rates = mkba_tables_row(s.base.t, 2, 0, 0, 0);
    double leave = -expm1(-3.0);
    /* Targets in order b, c (both worse than a): cumulative 2/3 and 1 of leave. */
    assert_int_equal(hr->n, 2);
    assert_int_equal(hr->to[0], 1);
    assert_true(fabs(hr->cum[0] - 2.0 / 3.0 * leave) < 1e-15);
    assert_true(fabs(hr->cum[1] - leave) < 1e-15);
    for (int i = 0; i < hr->n; i++)
        assert_true(fabs(hr->cum[i] - rates->cum[i]) < 1e-15);
    engine_free(&s);
}

/* The joint cohort trace starts at each domain's prevalence exactly, even
 * with loadings of 0.999, where quadrature over the latent factor alone is
 * off by a few percent of a rare state's share. */
static void test_joint_start_keeps_prevalence(void **state)
{
    (void)state;
    engine_sim s;
    engine_run(&s, "tests/data/loading.cfg", -1, 0);
    const double want[] = {0.97, 0.03, 0.9, 0.08, 0.02};
    for (size_t g = 0; g < s.base.l->nstates_total; g++) {
        double have = s.cohort->focc[s.base.l->slot_base[g]];
        if (fabs(have - want[g]) > 1e-12)
            fail_msg("state %zu starts at %.15g, want %g", g, have, want[g]);
    }
    engine_free(&s);
}

/* The generic Philox rounds and stay test (forced, as MKBA_NO_SIMD=1 does)
 * give the same tallies as the path the processor picks, bit for bit: on
 * 12 domains (three groups of four in the AVX2 stay test) and on computed
 * interactions, where every domain is a candidate. */
static void test_generic_path_identical(void **state)
{
    (void)state;
    const char *paths[] = {"tests/data/many.cfg", "tests/data/interact.cfg"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        engine_sim fast, generic;
        mkba_simd_allow(1);
        engine_run(&fast, paths[i], 1, 3000);
        mkba_simd_allow(0);
        engine_run(&generic, paths[i], 1, 3000);
        mkba_simd_allow(1);
        size_t nocc = fast.base.l->narms * fast.base.l->npoints * fast.base.l->nslots;
        size_t nent = fast.base.l->narms * fast.base.l->ncycles * fast.base.l->nstates_total;
        assert_memory_equal(fast.micro->occ, generic.micro->occ, nocc * sizeof *fast.micro->occ);
        assert_memory_equal(fast.micro->entries, generic.micro->entries,
                            nent * sizeof *fast.micro->entries);
        engine_free(&fast);
        engine_free(&generic);
    }
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_micro_mean_matches_cohort_trace),
        cmocka_unit_test(test_twelve_domains_match_marginal_traces),
        cmocka_unit_test(test_households_conserved),
        cmocka_unit_test(test_common_random_numbers),
        cmocka_unit_test(test_household_streams_split_freely),
        cmocka_unit_test(test_computed_interactions_equal_tabulated),
        cmocka_unit_test(test_hazard_ratios_on_competing_exits),
        cmocka_unit_test(test_joint_start_keeps_prevalence),
        cmocka_unit_test(test_generic_path_identical),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
