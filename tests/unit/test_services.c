/* Service pathways: each mechanism's direction and size, and the
 * guarantees of the lockstep engine.
 *
 * Fixtures: tests/data/services.cfg (classic providers versus a broad
 * team; three problem domains with second-line states and an exit) and
 * tests/data/services_queue.cfg (a closed queue: one lasting need, one
 * desk, nothing else moves). Values of a draw are edited in place to set a
 * mechanism, so every comparison runs on the same random numbers. */
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
#include "engine/services.h"
#include "core/simd.h"
#include "support_sim.h"

/* cmocka's assert_float_equal compares in float; these numbers need double. */
#define assert_near(a, b, tol) assert_near_at((a), (b), (tol), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
        _fail(file, line);
    }
}

#define SERVICES "tests/data/services.cfg"
#define QUEUE "tests/data/services_queue.cfg"

static double sum(const double *x, size_t n)
{
    double t = 0.0;
    for (size_t i = 0; i < n; i++)
        t += x[i];
    return t;
}

/* Writes the services fixture with each edits[2i] replaced by
 * edits[2i + 1] to a new temporary file and returns its path (static
 * storage). */
static const char *write_edits(const char *const *edits, size_t nedits)
{
    FILE *f = fopen(SERVICES, "rb");
    assert_non_null(f);
    static char text[20000], out[20000], path[64];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    for (size_t i = 0; i < nedits; i++) {
        char *at = strstr(text, edits[2 * i]);
        if (at == NULL)
            fail_msg("the fixture has no '%s'", edits[2 * i]);
        snprintf(out, sizeof out, "%.*s%s%s", (int)(at - text), text, edits[2 * i + 1],
                 at + strlen(edits[2 * i]));
        memcpy(text, out, strlen(out) + 1);
    }
    snprintf(path, sizeof path, "/tmp/mkba-services-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static const char *write_variant(const char *from, const char *to)
{
    const char *edits[2] = {from, to};
    return write_edits(edits, 1);
}

/* Takes every team's staff away, and the two mechanisms that act without
 * a team (self-reliance, escalation while waiting). */
static void no_services(sim *s)
{
    const mkba_services *sv = &s->m->services;
    for (size_t i = 0; i < sv->nteams; i++)
        set_value(s, -1, sv->team[i].fte, 0.0);
    for (size_t a = 0; a < s->m->narms; a++) {
        set_value(s, (int)a, sv->pathway[a].wait_escalation, 0.0);
        set_value(s, (int)a, sv->pathway[a].self_share, 0.0);
    }
}

/* ------------------------------------------------------------- guarantees */

/* With no capacity nobody is treated, and the households move exactly as
 * in the streaming kernel without services: the same words, bit for bit. */
static void test_zero_capacity_is_no_service(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 1500);
    no_services(&s);
    mkba_counts *c;
    mkba_draw_result *r = sim_run(&s, 2, &c);
    size_t AT = r->narms * r->ncycles;
    assert_true(sum(r->svc_arrivals, AT) > 0.1);
    assert_true(sum(r->svc_reached, AT) == 0.0);
    assert_true(sum(r->svc_in_care, AT) == 0.0);
    assert_true(sum(r->svc_fte_used, AT) == 0.0);

    mkba_counts *ref = mkba_counts_alloc(s.l);
    mkba_micro_work *mw = mkba_micro_work_alloc(s.l);
    mkba_micro_run(s.m, s.t, s.m->seed, 0, 0, 1500, mw, ref);
    size_t nocc = s.l->narms * s.l->npoints * s.l->nslots;
    size_t nent = s.l->narms * s.l->ncycles * s.l->nstates_total;
    assert_memory_equal(c->occ, ref->occ, nocc * sizeof *c->occ);
    assert_memory_equal(c->entries, ref->entries, nent * sizeof *c->entries);
    assert_true(sum(r->escalations, AT * r->ndomains) > 0.0);
    mkba_micro_work_free(mw);
    mkba_counts_free(ref);
    mkba_counts_free(c);
    mkba_draw_result_free(r);
    sim_close(&s);
}

/* Degree "none" routes the broad arm's households the classic way: with
 * the classic arm's mechanism values they fare exactly alike, and only the
 * arm's own costs differ (its team's staff, investment, running costs). */
static void test_degree_none_is_classic_except_costs(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 1500);
    mkba_services *sv = &s.m->services;
    mkba_pathway *p0 = &sv->pathway[0], *p1 = &sv->pathway[1];
    p1->degree = MKBA_DEGREE_NONE;
    const int f0[] = {p0->stigma, p0->outreach, p0->awareness_start, p0->awareness_years,
                      p0->detect, p0->wait_escalation, p0->wait_effect, p0->self_share,
                      p0->self_cap, p0->maturity_start, p0->maturity_years,
                      p0->efficiency_start, p0->friction, p0->friction_years};
    const int f1[] = {p1->stigma, p1->outreach, p1->awareness_start, p1->awareness_years,
                      p1->detect, p1->wait_escalation, p1->wait_effect, p1->self_share,
                      p1->self_cap, p1->maturity_start, p1->maturity_years,
                      p1->efficiency_start, p1->friction, p1->friction_years};
    for (size_t i = 0; i < sizeof f0 / sizeof f0[0]; i++)
        set_value(&s, 1, f1[i], s.values[f0[i]]);
    set_value(&s, 1, p1->duplicate_registration, 0.0);
    mkba_counts *c;
    mkba_draw_result *r = sim_run(&s, 2, &c);
    size_t per_arm = s.l->npoints * s.l->nslots, T = r->ncycles;
    assert_memory_equal(c->occ, c->occ + per_arm, per_arm * sizeof *c->occ);
    double *out0[] = {r->svc_arrivals, r->svc_reached, r->svc_queue, r->svc_in_care,
                      r->svc_detected};
    for (size_t i = 0; i < sizeof out0 / sizeof out0[0]; i++)
        assert_memory_equal(out0[i], out0[i] + T, T * sizeof(double));
    assert_true(sum(r->svc_reached, T) > 0.0);

    /* The extra cost, undiscounted, to gemeente-wmo: the wijkteam's staff
     * (25 FTE x 80000 x 8 years), its overheads (60000 + 30000 a year) and
     * the investment (400000), all for 10000 households. */
    double extra = r->cost_total[1 * r->npayers + 0] - r->cost_total[0];
    assert_near(extra, (25.0 * 80000 * 8 + 90000.0 * 8 + 400000.0) / 10000.0, 1e-9);
    for (size_t p = 1; p < r->npayers; p++)
        assert_near(r->cost_total[r->npayers + p], r->cost_total[p], 1e-9);
    mkba_counts_free(c);
    mkba_draw_result_free(r);
    sim_close(&s);
}

/* 2 threads run whole arms each (arms >= threads), 3 share each cycle's
 * households (arms < threads): both give the numbers of 1 thread. */
static void test_thread_count_invariant(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 1300);   /* not a multiple of the chunk */
    mkba_draw_result *r1 = sim_run(&s, 1, NULL);
    assert_true(s.m->narms == 2);
    for (int threads = 2; threads <= 3; threads++) {
        mkba_draw_result *r2 = sim_run(&s, threads, NULL);
        size_t AT = r1->narms * r1->ncycles;
        assert_memory_equal(r1->cost, r2->cost, AT * r1->npayers * sizeof(double));
        assert_memory_equal(r1->cost_disc, r2->cost_disc, AT * r1->npayers * sizeof(double));
        assert_memory_equal(r1->occupancy, r2->occupancy,
                            r1->narms * r1->npoints * r1->nstates_total * sizeof(double));
        assert_memory_equal(r1->cost_category, r2->cost_category,
                            AT * r1->ncategories * sizeof(double));
        double *a[] = {r1->svc_arrivals, r1->svc_reached, r1->svc_queue, r1->svc_fte_used,
                       r1->svc_detected, r1->svc_self_resolved};
        double *b[] = {r2->svc_arrivals, r2->svc_reached, r2->svc_queue, r2->svc_fte_used,
                       r2->svc_detected, r2->svc_self_resolved};
        for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
            assert_memory_equal(a[i], b[i], AT * sizeof(double));
        assert_true(sum(r1->svc_reached, AT) > 0.0);
        mkba_draw_result_free(r2);
    }
    mkba_draw_result_free(r1);
    sim_close(&s);
}

/* The generic Philox rounds (forced, as MKBA_NO_SIMD=1 does) give the
 * services engine the same results as the path the processor picks. */
static void test_generic_path_identical(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 700);
    mkba_simd_allow(1);
    mkba_draw_result *r1 = sim_run(&s, 1, NULL);
    mkba_simd_allow(0);
    mkba_draw_result *r2 = sim_run(&s, 1, NULL);
    mkba_simd_allow(1);
    size_t AT = r1->narms * r1->ncycles;
    assert_memory_equal(r1->cost, r2->cost, AT * r1->npayers * sizeof(double));
    assert_memory_equal(r1->occupancy, r2->occupancy,
                        r1->narms * r1->npoints * r1->nstates_total * sizeof(double));
    assert_memory_equal(r1->svc_reached, r2->svc_reached, AT * sizeof(double));
    assert_memory_equal(r1->svc_queue, r2->svc_queue, AT * sizeof(double));
    assert_true(sum(r1->svc_reached, AT) > 0.0);
    mkba_draw_result_free(r1);
    mkba_draw_result_free(r2);
    sim_close(&s);
}

/* ----------------------------------------------------------------- queues */

/* The closed queue settles; over whole episodes of the desk (6 cycles) the
 * mean queue equals the admission rate times the mean wait. The desk is
 * saturated: it always has its 600 households in care. */
static void test_little_law(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, QUEUE, 2000);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    const double N = 2000.0, dt = 1.0 / 12.0;
    double L = 0.0, lambda = 0.0, waited = 0.0;
    int from = 120, to = 360, n = to - from;   /* cycles 121..360: 40 episodes */
    for (int i = from; i < to; i++) {
        assert_near(r->svc_in_care[i] * N, 600.0, 1e-9);
        L += r->svc_queue[i] * N / n;
        lambda += r->svc_reached[i] * N / n;
        if (r->svc_reached[i] > 0.0)
            waited += r->svc_mean_wait[i] / dt * r->svc_reached[i] * N;
    }
    double W = waited / (lambda * n);
    assert_near(lambda, 100.0, 1e-9);   /* 600 places, 6 cycles each */
    assert_true(L > 300.0);
    assert_near(L / (lambda * W), 1.0, 0.03);
    mkba_draw_result_free(r);
    sim_close(&s);
}

/* Capacity follows the efficiency curve: while the desk is saturated, it
 * holds floor(600 m(t)) households, m at the middle of the cycle. */
static void test_maturity_curve(void **state)
{
    (void)state;
    assert_near(mkba_svc_maturity(0.5, 2.5, 0.0), 0.5, 1e-15);
    assert_near(mkba_svc_maturity(0.5, 2.5, 2.5), 0.5 + 0.5 * (1 - exp(-1.0)), 1e-15);
    assert_near(mkba_svc_maturity(0.2, 4.0, 10.0), 0.2 + 0.8 * (1 - exp(-2.5)), 1e-15);
    sim s;
    sim_open(&s, QUEUE, 2000);
    const mkba_pathway *p = &s.m->services.pathway[0];
    set_value(&s, 0, p->efficiency_start, 0.4);
    set_value(&s, 0, p->efficiency_years, 2.5);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    int saturated = 0;
    for (int k = 1; k <= (int)r->ncycles; k++) {
        double m = 0.4 + 0.6 * (1.0 - exp(-(k - 0.5) / 12.0 / 2.5));
        /* A fraction of a place is a place with that probability. */
        if (r->svc_queue[k - 1] > 0.0) {
            double held = r->svc_in_care[k - 1] * 2000.0;
            assert_true(held <= ceil(600.0 * m) + 1e-9);
            if (k >= 2 && (held == floor(600.0 * m) || held == ceil(600.0 * m)))
                saturated++;
        }
    }
    assert_true(saturated > 200);
    mkba_draw_result_free(r);
    sim_close(&s);
}

/* ----------------------------------------------------------------- access */

/* Everyone has one need and nobody is in care at the start, so the first
 * cycle's requests are binomial with p = 1 - exp(-2 (1 - stigma) a dt). */
static double first_requests(double stigma, double outreach)
{
    sim s;
    sim_open(&s, QUEUE, 2000);
    const mkba_pathway *p = &s.m->services.pathway[0];
    set_value(&s, 0, p->stigma, stigma);
    set_value(&s, 0, p->outreach, outreach);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    double n = r->svc_arrivals[0] * 2000.0, total = sum(r->svc_arrivals, r->ncycles);
    mkba_draw_result_free(r);
    sim_close(&s);
    return stigma >= 1.0 ? total : n;
}

static void expect_binomial(double k, double n, double p)
{
    double sd = sqrt(n * p * (1 - p));
    assert_true(fabs(k - n * p) < 4.0 * sd);
}

static void test_stigma_and_outreach(void **state)
{
    (void)state;
    double none = first_requests(0.0, 0.0), half = first_requests(0.5, 0.0);
    double with_outreach = first_requests(0.5, 1.0);
    assert_true(first_requests(1.0, 0.0) == 0.0);   /* every cycle */
    expect_binomial(none, 2000, -expm1(-2.0 / 12));
    expect_binomial(half, 2000, -expm1(-1.0 / 12));
    /* The same words: a higher probability asks for help in a superset. */
    assert_true(none > half);
    assert_true(with_outreach == none);   /* (1 - 0.5)(1 + 1) = 1 */
}

/* ---------------------------------------------------- routing and effects */

/* Every household of arm `arm` through its first cycle with a request
 * rate so high that everyone with a problem asks; hh receives the records
 * and counts the cycle's events. */
typedef struct first_cycle {
    mkba_svc_arm a;
    mkba_svc_households hh;
    long counts[MKBA_SVC_NCOUNTS];
    int64_t *delta;
    uint64_t *entries;
} first_cycle;

static void first_cycle_run(sim *s, size_t arm, first_cycle *fc)
{
    mkba_model *m = s->m;
    for (int i = 0; i < m->services.nseek; i++)
        set_value(s, (int)arm, m->services.seek_rate[i], 50.0);
    mkba_error err = {0};
    assert_int_equal(mkba_tables_resolve(s->t, m, s->values, 0, &err), MKBA_OK);
    memset(fc, 0, sizeof *fc);
    mkba_svc_arm_init(&fc->a, m, s->t, s->values + arm * s->np, arm, m->seed, 0, s->households);
    mkba_svc_arm_cycle(&fc->a, 1);
    const size_t D = m->ndomains;
    mkba_svc_households *hh = &fc->hh;
    assert_true(mkba_svc_households_alloc(hh, s->households, D));
    fc->delta = calloc(s->l->npoints * s->l->nslots, sizeof *fc->delta);
    fc->entries = calloc(s->l->ncycles * s->l->nstates_total, sizeof *fc->entries);
    mkba_svc_scratch *scratch = mkba_svc_scratch_alloc(s->l);
    assert_non_null(scratch);
    mkba_svc_scratch_clear(scratch);
    mkba_svc_initial_states(&fc->a, 0, s->households, scratch, hh->x);
    mkba_svc_households_start(&fc->a, hh, 0, s->households, hh->x, fc->delta);
    mkba_svc_households_cycle(&fc->a, hh, 0, s->households, 1, scratch, fc->delta, fc->entries,
                              fc->counts);
    mkba_svc_scratch_free(scratch);
}

static void first_cycle_free(first_cycle *fc)
{
    mkba_svc_households_free(&fc->hh);
    free(fc->delta);
    free(fc->entries);
}

/* Severities of household h's first three domains, and its question: the
 * most severe of them (lowest domain on ties). */
static int question(const sim *s, const first_cycle *fc, long h, double sev[3])
{
    int pd = -1;
    for (int d = 0; d < 3; d++) {
        sev[d] = s->t->severity[s->l->state_base[d]
                                + fc->hh.x[(size_t)h * s->m->ndomains + (size_t)d]];
        if (sev[d] > 0 && (pd < 0 || sev[d] > sev[pd]))
            pd = d;
    }
    return pd;
}

/* Model C: the front post keeps light questions and refers heavier ones
 * to the provider under its joint plan; every request is one front-post
 * intake. */
static void test_front_post_routing(void **state)
{
    (void)state;
    const char *path = write_variant("rule = \"broad\"; degree = \"full\";",
                                     "rule = \"front_post\"; degree = \"full\"; refer_above = 1.0;");
    sim s;
    sim_open(&s, path, 3000);
    unlink(path);
    first_cycle fc;
    set_value(&s, 1, s.m->services.pathway[1].self_share, 0.0);
    first_cycle_run(&s, 1, &fc);
    const mkba_pathway *p = &s.m->services.pathway[1];
    long kept = 0, referred = 0;
    for (long h = 0; h < s.households; h++) {
        if (fc.hh.status[h] != MKBA_SVC_WAITING)
            continue;
        double sev[3];
        int pd = question(&s, &fc, h, sev);
        assert_int_equal(fc.hh.joint[h], 1);
        if (sev[pd] <= 1.0) {
            assert_int_equal(fc.hh.team[h], p->team);
            kept++;
        } else {
            assert_int_equal(fc.hh.team[h], p->provider[pd]);
            assert_true(fc.hh.plan[h] >> pd & 1u);
            referred++;
        }
    }
    assert_true(kept > 100 && referred > 100);
    assert_int_equal(fc.counts[MKBA_SVC_FRONT_INTAKES], kept + referred);
    assert_int_equal(fc.counts[MKBA_SVC_ARRIVALS], kept + referred);
    first_cycle_free(&fc);
    sim_close(&s);
}

#define MAKELPUNT_FROM "rule = \"broad\"; degree = \"full\";"
#define MAKELPUNT_TO "rule = \"makelpunt\"; degree = \"full\"; quick_scan = { share = 0.35; " \
                     "cost = 100.0; }; home_visit_cost = 300.0;"

/* The makelpunt scans every request; a capped share goes to own strength;
 * one question goes to its provider, several (found at the scan) to the
 * broker with a home visit. */
static void test_makelpunt_routing(void **state)
{
    (void)state;
    const char *path = write_variant(MAKELPUNT_FROM, MAKELPUNT_TO);
    sim s;
    sim_open(&s, path, 3000);
    unlink(path);
    first_cycle fc;
    first_cycle_run(&s, 1, &fc);
    const mkba_pathway *p = &s.m->services.pathway[1];
    long broker = 0, single = 0;
    for (long h = 0; h < s.households; h++) {
        if (fc.hh.status[h] != MKBA_SVC_WAITING)
            continue;
        double sev[3];
        int pd = question(&s, &fc, h, sev);
        if (fc.hh.team[h] == p->team) {
            assert_true(__builtin_popcount(fc.hh.plan[h]) >= 2);
            assert_int_equal(fc.hh.joint[h], 1);
            broker++;
        } else {
            assert_int_equal(fc.hh.team[h], p->provider[pd]);
            assert_int_equal(fc.hh.plan[h], 1u << pd);
            single++;
        }
    }
    long arrivals = fc.counts[MKBA_SVC_ARRIVALS];
    assert_int_equal(fc.counts[MKBA_SVC_SCANS], arrivals);
    assert_int_equal(fc.counts[MKBA_SVC_VISITS], broker);
    assert_true(broker > 50 && single > 50);
    /* share 0.35, capped by self_reliance.cap = 0.2 */
    expect_binomial((double)fc.counts[MKBA_SVC_SELF], (double)arrivals, 0.2);
    assert_int_equal(arrivals, fc.counts[MKBA_SVC_SELF] + broker + single);
    first_cycle_free(&fc);
    sim_close(&s);
}

/* The quick scan's yield beyond the own network builds up with the
 * start-up ramp (review issue12-final, finding 7): with ramp_years 2 the
 * scan finds own strength with P = self_p + r (scan_share - self_p), r =
 * (k - 1/2) / 2, and from the ramp's end with scan_share; every request is
 * still scanned (and paid: the staff are paid in full during the ramp). */
static void test_makelpunt_scan_ramp(void **state)
{
    (void)state;
    const char *edits[] = {MAKELPUNT_FROM, MAKELPUNT_TO, "friction_years = 1.0; };",
                           "friction_years = 1.0; ramp_years = 2.0; };"};
    const char *path = write_edits(edits, 2);
    sim s;
    sim_open(&s, path, 3000);
    unlink(path);
    first_cycle fc;
    first_cycle_run(&s, 1, &fc);
    /* self_reliance.share 0.1; the scan's 0.35 capped at 0.2 */
    assert_near(fc.a.self_p, 0.1, 0.0);
    assert_near(fc.a.scan_share, 0.2, 0.0);
    assert_near(fc.a.scan_p, 0.1 + 0.25 * 0.1, 1e-15);
    long arrivals = fc.counts[MKBA_SVC_ARRIVALS];
    assert_true(arrivals > 1000);
    assert_int_equal(fc.counts[MKBA_SVC_SCANS], arrivals);
    expect_binomial((double)fc.counts[MKBA_SVC_SELF], (double)arrivals, 0.125);
    mkba_svc_arm_cycle(&fc.a, 2);
    assert_near(fc.a.scan_p, 0.1 + 0.75 * 0.1, 1e-15);
    mkba_svc_arm_cycle(&fc.a, 3);
    assert_true(fc.a.scan_p == fc.a.scan_share);
    first_cycle_free(&fc);
    sim_close(&s);
}

/* The quick scans cost exactly their price per request, in "first line",
 * to the pathway's payer: the same run with free scans differs by that. */
static void test_makelpunt_costs(void **state)
{
    (void)state;
    const char *path = write_variant(MAKELPUNT_FROM, MAKELPUNT_TO);
    sim s;
    sim_open(&s, path, 2000);
    unlink(path);
    const mkba_pathway *p = &s.m->services.pathway[1];
    set_value(&s, 1, p->home_visit_cost, 0.0);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    set_value(&s, 1, p->quick_scan_cost, 0.0);
    mkba_draw_result *free_scan = sim_run(&s, 2, NULL);
    size_t T = r->ncycles, P = r->npayers, C = r->ncategories;
    int first_line = -1;
    for (size_t c = 0; c < C; c++)
        if (strcmp(s.m->category[c], "first line") == 0)
            first_line = (int)c;
    assert_true(first_line >= 0);
    for (size_t k = 0; k < T; k++) {
        double scans = 100.0 * r->svc_arrivals[T + k];
        size_t row = T + k;
        assert_near(r->cost[row * P + (size_t)p->payer]
                           - free_scan->cost[row * P + (size_t)p->payer], scans, 1e-9);
        assert_near(r->cost_category[row * C + (size_t)first_line]
                           - free_scan->cost_category[row * C + (size_t)first_line], scans, 1e-9);
    }
    assert_true(r->svc_arrivals[T] > 0.0);
    mkba_draw_result_free(r);
    mkba_draw_result_free(free_scan);
    sim_close(&s);
}

/* One-stop shop: the counter takes the questions of its domains (debt and
 * mental health here) with what it finds of them; a youth question goes
 * the classic way. */
static void test_one_stop_routing(void **state)
{
    (void)state;
    const char *edits[] = {"name = \"wijkteam\"; domains = [\"debt\", \"mental\", \"youth\"];",
                           "name = \"wijkteam\"; domains = [\"debt\", \"mental\"];",
                           "rule = \"broad\"", "rule = \"one_stop\""};
    const char *path = write_edits(edits, 2);
    sim s;
    sim_open(&s, path, 3000);
    unlink(path);
    first_cycle fc;
    set_value(&s, 1, s.m->services.pathway[1].self_share, 0.0);
    first_cycle_run(&s, 1, &fc);
    const mkba_pathway *p = &s.m->services.pathway[1];
    long counter = 0, classic = 0;
    for (long h = 0; h < s.households; h++) {
        if (fc.hh.status[h] != MKBA_SVC_WAITING)
            continue;
        double sev[3];
        int pd = question(&s, &fc, h, sev);
        if (pd == 2) {
            assert_int_equal(fc.hh.team[h], p->provider[2]);
            assert_int_equal(fc.hh.plan[h], 1u << 2);
            classic++;
        } else {
            assert_int_equal(fc.hh.team[h], p->team);
            assert_int_equal(fc.hh.plan[h] & ~3u, 0u);
            counter++;
        }
    }
    assert_true(counter > 100 && classic > 30);
    first_cycle_free(&fc);
    sim_close(&s);
}

/* Admission: a "priority" team admits by severity level (however many
 * help-seeking bands), then by request cycle, then household; "fifo" by
 * request cycle, then household. */
static void test_admission_order(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, QUEUE, 1000);   /* 600 places per 2000: 300 here */
    mkba_model *m = s.m;
    mkba_svc_arm a;
    mkba_svc_arm_init(&a, m, s.t, s.values, 0, m->seed, 0, s.households);
    mkba_svc_arm_cycle(&a, 3);
    const size_t N = 1000;
    mkba_svc_households hh = {0};
    assert_true(mkba_svc_households_alloc(&hh, 1000, 1));
    memset(hh.claiming, 0, N * sizeof *hh.claiming);
    memset(hh.joint, 0, N * sizeof *hh.joint);
    for (int discipline = 0; discipline < 2; discipline++) {
        m->services.team[0].queue = discipline ? MKBA_QUEUE_PRIORITY : MKBA_QUEUE_FIFO;
        mkba_svc_queues *q = mkba_svc_queues_alloc(1000, 1);
        /* Cycle 2: the even households ask, nobody is admitted (no staff
         * yet); cycle 3: the odd ones ask too, with severities 1 to 7. */
        for (size_t h = 0; h < N; h++) {
            hh.status[h] = h % 2 == 0 ? MKBA_SVC_WAITING : MKBA_SVC_NONE;
            hh.team[h] = 0;
            hh.prio[h] = (uint8_t)(1 + (h * 7919) % 7);
            hh.arrived[h] = 2;
        }
        double places = a.team[0].places;
        a.team[0].places = 0.0;
        mkba_svc_admitted ad;
        mkba_svc_admit(&a, &hh, q, 2, &ad);
        assert_int_equal(ad.reached, 0);
        assert_int_equal(ad.waiting, 500);
        a.team[0].places = places;
        for (size_t h = 1; h < N; h += 2) {
            hh.status[h] = MKBA_SVC_WAITING;
            hh.arrived[h] = 3;
        }
        mkba_svc_admit(&a, &hh, q, 3, &ad);
        assert_int_equal(ad.reached, 300);
        for (size_t h = 0; h < N; h++) {
            int in = hh.status[h] == MKBA_SVC_CARE;
            int expect;
            if (discipline == 0) {
                expect = h % 2 == 0 && h < 600;   /* the first 300 even ones */
            } else {
                /* Priority 7 and 6 households number 2 x 1000/7 ~ 286: all
                 * in; of priority 5 the earliest requests, then the lowest
                 * household index. */
                long better = 0, p5_before = 0;
                for (size_t j = 0; j < N; j++) {
                    better += hh.prio[j] > 5;
                    if (hh.prio[j] == 5 && (hh.arrived[j] < hh.arrived[h]
                                            || (hh.arrived[j] == hh.arrived[h] && j < h)))
                        p5_before++;
                }
                expect = hh.prio[h] > 5 || (hh.prio[h] == 5 && better + p5_before < 300);
            }
            if (in != expect)
                fail_msg("discipline %d, household %zu (priority %d, cycle %d): admitted %d",
                         discipline, h, hh.prio[h], hh.arrived[h], in);
        }
        mkba_svc_queues_free(q);
    }
    mkba_svc_households_free(&hh);
    sim_close(&s);
}

/* Model D: with the broad team as multi-problem team for households with
 * at least 2 domains at severity >= 1, every request the team takes has
 * them, and every other goes to the classic provider of its question. */
static void test_multi_problem_routing(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 3000);
    mkba_model *m = s.m;
    mkba_pathway *p = &m->services.pathway[1];
    p->rule = MKBA_ROUTE_MULTI_PROBLEM;
    p->min_domains = 2;
    p->min_severity = 1.0;
    set_value(&s, 1, p->self_share, 0.0);
    first_cycle fc;
    first_cycle_run(&s, 1, &fc);
    const size_t D = m->ndomains;
    int to_team = 0, to_provider = 0;
    for (long h = 0; h < s.households; h++) {
        if (fc.hh.status[h] != MKBA_SVC_WAITING)
            continue;
        int n = 0, pd = -1;
        double sev[MKBA_MAX_DOMAINS];
        for (size_t d = 0; d < D; d++) {
            sev[d] = s.t->severity[s.l->state_base[d] + fc.hh.x[(size_t)h * D + d]];
            n += sev[d] >= 1.0;
            if ((fc.a.servable >> d & 1u) && sev[d] > 0 && (pd < 0 || sev[d] > sev[pd]))
                pd = (int)d;
        }
        assert_true(pd >= 0 && (fc.hh.plan[h] >> pd & 1u));
        if (fc.hh.team[h] == p->team) {
            assert_true(n >= 2);
            assert_int_equal(fc.hh.joint[h], 1);
            to_team++;
        } else {
            assert_true(n < 2);
            assert_int_equal(fc.hh.team[h], p->provider[pd]);
            assert_int_equal(fc.hh.plan[h], 1u << pd);
            assert_int_equal(fc.hh.joint[h], 0);
            to_provider++;
        }
    }
    assert_true(to_team > 100 && to_provider > 100);
    first_cycle_free(&fc);
    sim_close(&s);
}

/* Model B with a triage criterion: any youth problem sends the household
 * to the youth team if it asks about youth; a question the youth team
 * does not treat goes, as model D's rule, to the specific team treating it
 * (a debt question of a household with a youth problem to the debt
 * service, which the youth team would drop: review mech12c finding 1),
 * and a question no specific team treats to its provider. */
static void test_specific_triage(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 3000);
    mkba_model *m = s.m;
    mkba_pathway *p = &m->services.pathway[1];
    int debt_service = 0, youth_team = 2;
    p->rule = MKBA_ROUTE_SPECIFIC;
    p->team = -1;
    p->nspecific = 2;
    p->specific[0] = debt_service;
    p->specific[1] = youth_team;
    p->own_teams = 1u << debt_service | 1u << youth_team;
    p->ntriage = 1;
    p->triage_team[0] = youth_team;
    p->triage_domain[0] = 2;   /* youth */
    p->triage_min[0] = 1.0;
    p->teams_used = 1u << debt_service | 1u << youth_team | 1u << 1;
    set_value(&s, 1, p->self_share, 0.0);
    first_cycle fc;
    first_cycle_run(&s, 1, &fc);
    int seen[4] = {0};
    for (long h = 0; h < s.households; h++) {
        if (fc.hh.status[h] != MKBA_SVC_WAITING)
            continue;
        double sev[3];
        int pd = question(&s, &fc, h, sev);
        if (pd == 2) {
            assert_int_equal(fc.hh.team[h], youth_team);
            assert_true(fc.hh.plan[h] >> 2 & 1u);
            seen[0]++;
        } else if (pd == 0) {
            assert_int_equal(fc.hh.team[h], debt_service);
            assert_true(fc.hh.plan[h] & 1u);
            seen[1]++;
            seen[3] += sev[2] >= 1.0;
        } else {
            assert_int_equal(pd, 1);
            assert_int_equal(fc.hh.team[h], p->provider[1]);
            seen[2]++;
        }
    }
    assert_true(seen[0] > 50 && seen[1] > 50 && seen[2] > 50 && seen[3] > 20);
    first_cycle_free(&fc);
    sim_close(&s);
}

/* Mean severity over domains 0..2 of arm `arm` at the last point. */
static double final_severity(const sim *s, const mkba_draw_result *r, size_t arm)
{
    double x = 0.0;
    for (size_t d = 0; d < 3; d++)
        for (int st = 0; st < s->m->domain[d].nstates; st++) {
            size_t g = (size_t)s->l->state_base[d] + (size_t)st;
            x += s->t->severity[g]
                 * r->occupancy[(arm * r->npoints + r->ncycles) * r->nstates_total + g];
        }
    return x;
}

static void test_mechanism_directions(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 3000);
    const mkba_services *sv = &s.m->services;
    const mkba_pathway *p = &sv->pathway[1];
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    size_t T = base->ncycles;

    /* Self-reliance is capped: share 0.6, cap 0.25 resolves a quarter. */
    set_value(&s, 1, p->self_share, 0.6);
    set_value(&s, 1, p->self_cap, 0.25);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    expect_binomial(r->svc_self_resolved[T] * 3000, r->svc_arrivals[T] * 3000, 0.25);
    mkba_draw_result_free(r);
    set_value(&s, 1, p->self_share, 0.0);

    /* Detection: none finds nothing; certain detection finds more than
     * the fixture's 0.6. */
    set_value(&s, 1, p->detect, 0.0);
    r = sim_run(&s, 2, NULL);
    assert_true(sum(r->svc_detected + T, T) == 0.0);
    mkba_draw_result_free(r);
    set_value(&s, 1, p->detect, 1.0);
    r = sim_run(&s, 2, NULL);
    assert_true(r->svc_detected[T] > base->svc_detected[T]);
    mkba_draw_result_free(r);
    set_value(&s, 1, p->detect, 0.6);

    /* Care that works leaves less severity than care that does nothing. */
    for (size_t i = 0; i < sv->nteams; i++) {
        set_value(&s, -1, sv->team[i].improve_by_level[0], 1.0);
        set_value(&s, -1, sv->team[i].worsen_by_level[0], 1.0);
    }
    set_value(&s, 1, p->coordination, 0.0);
    mkba_draw_result *idle = sim_run(&s, 2, NULL);
    for (size_t i = 0; i < sv->nteams; i++)
        set_value(&s, -1, sv->team[i].improve_by_level[0], 3.0);
    r = sim_run(&s, 2, NULL);
    assert_true(final_severity(&s, r, 1) < final_severity(&s, idle, 1) - 0.02);
    mkba_draw_result_free(r);
    /* A joint plan damps escalation between domains. */
    set_value(&s, 1, p->coordination, 1.0);
    for (size_t i = 0; i < sv->nteams; i++)
        set_value(&s, -1, sv->team[i].improve_by_level[0], 1.0);
    r = sim_run(&s, 2, NULL);
    assert_true(final_severity(&s, r, 1) < final_severity(&s, idle, 1));
    mkba_draw_result_free(r);
    mkba_draw_result_free(idle);

    /* Waiting raises escalation: with no staff, everyone who asks waits. */
    for (size_t i = 0; i < sv->nteams; i++)
        set_value(&s, -1, sv->team[i].fte, 0.0);
    set_value(&s, -1, p->wait_escalation, 0.0);
    mkba_draw_result *calm = sim_run(&s, 2, NULL);
    set_value(&s, 1, p->wait_escalation, 1.5);
    r = sim_run(&s, 2, NULL);
    size_t ND = T * r->ndomains;
    assert_true(sum(r->escalations + ND, ND) > 1.1 * sum(calm->escalations + ND, ND));
    assert_memory_equal(r->escalations, calm->escalations, ND * sizeof(double)); /* arm 0 */
    mkba_draw_result_free(r);
    mkba_draw_result_free(calm);
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* Households are conserved through the queues: each cycle the waiting list
 * grows by the routed requests (those not resolved by own strength) and
 * shrinks by the admitted and the withdrawn; the teams' counts add up to
 * the totals, and no team holds more than its capacity. */
static void test_queue_conservation(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 2000);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    const double N = 2000.0;
    const size_t T = r->ncycles, NT = r->nteams;
    const mkba_services *sv = &s.m->services;
    for (size_t arm = 0; arm < r->narms; arm++) {
        mkba_svc_arm a;
        mkba_svc_arm_init(&a, s.m, s.t, s.values + arm * s.np, arm, s.m->seed, 0, 2000);
        double before = 0.0;
        for (size_t k = 0; k < T; k++) {
            size_t i = arm * T + k;
            double routed = (r->svc_arrivals[i] - r->svc_self_resolved[i]) * N;
            double q = r->svc_queue[i] * N;
            assert_near(q, before + routed - r->svc_reached[i] * N - r->svc_withdrawn[i] * N,
                        1e-6);
            before = q;
            double in_care = 0.0, waiting = 0.0;
            for (size_t j = 0; j < NT; j++) {
                double held = r->svc_team_in_care[i * NT + j] * N;
                in_care += held;
                waiting += r->svc_team_queue[i * NT + j] * N;
                assert_true(held <= (double)mkba_svc_places(&a, (int)j, (int)k + 1) + 1e-9
                            || !(sv->pathway[arm].teams_used >> j & 1u));
                if (!(sv->pathway[arm].teams_used >> j & 1u))
                    assert_true(held == 0.0);
            }
            assert_near(in_care, r->svc_in_care[i] * N, 1e-6);
            assert_near(waiting, q, 1e-6);
        }
        assert_true(sum(r->svc_withdrawn + arm * T, T) > 0.0);
    }
    mkba_draw_result_free(r);
    sim_close(&s);
}

/* Each cost of a pathway against its formula: the run with the cost
 * minus the run without (common random numbers: nothing else changes). */
static void test_service_costs(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 1500);
    const mkba_services *sv = &s.m->services;
    const mkba_pathway *p = &sv->pathway[1];
    const int wijkteam = 3;
    const double pop = 10000.0;
    const int wmo = 0;
    /* co-location: per year for the population */
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    size_t T = base->ncycles, P = base->npayers;
    set_value(&s, 1, p->co_location, 50000.0);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    for (size_t k = 0; k < T; k++)
        assert_near(r->cost[(T + k) * P + wmo] - base->cost[(T + k) * P + wmo],
                    (50000.0 - 30000.0) / pop, 1e-9);
    mkba_draw_result_free(r);
    set_value(&s, 1, p->co_location, 30000.0);
    /* handover: turnover x in care with the team x cost, per year */
    set_value(&s, 1, sv->team[wijkteam].handover_cost, 1000.0);
    r = sim_run(&s, 2, NULL);
    size_t NT = r->nteams;
    for (size_t k = 0; k < T; k++) {
        double held = r->svc_team_in_care[(T + k) * NT + wijkteam];
        assert_near(r->cost[(T + k) * P + wmo] - base->cost[(T + k) * P + wmo],
                    0.15 * held * (1000.0 - 250.0), 1e-9);
    }
    assert_true(sum(r->svc_team_in_care + T * NT, T * NT) > 0.0);
    mkba_draw_result_free(r);
    set_value(&s, 1, sv->team[wijkteam].handover_cost, 250.0);
    /* investment: once, at time 0, undiscounted */
    set_value(&s, 1, p->investment, 900000.0);
    r = sim_run(&s, 2, NULL);
    assert_near(r->cost_disc[T * P + wmo] - base->cost_disc[T * P + wmo],
                (900000.0 - 400000.0) / pop, 1e-9);
    assert_near(r->cost_total_disc[P + wmo] - base->cost_total_disc[P + wmo],
                (900000.0 - 400000.0) / pop, 1e-9);
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* Opens the services fixture with edits (see write_edits). */
static void sim_open_edited(sim *s, const char *const *edits, size_t nedits, long households)
{
    const char *path = write_edits(edits, nedits);
    sim_open(s, path, households);
    unlink(path);
}

/* Total undiscounted cost of arm `arm` over its payers (society). */
static double arm_total(const mkba_draw_result *r, size_t arm)
{
    return sum(r->cost_total + arm * r->npayers, r->npayers);
}

/* Runs s again: arm `arm`'s total cost must equal base's, bit for bit. */
static void expect_same_arm_cost(sim *s, size_t arm, const mkba_draw_result *base)
{
    mkba_draw_result *r = sim_run(s, 2, NULL);
    assert_true(arm_total(r, arm) == arm_total(base, arm));
    mkba_draw_result_free(r);
}

/* Double registration (issue 12, the study's chapter on ICT): without
 * shared ICT each member of an integrated team keeps the client in the
 * team's system and their home organisation's, one per domain of the
 * joint plan; the classic route, one organisation per question, has none;
 * shared ICT removes it at its own investment and running cost. */
static void test_duplicate_registration(void **state)
{
    (void)state;
    const char *classic[] = {"classic = { rule = \"classic\";",
                             "classic = { rule = \"classic\"; payer = \"gemeente-wmo\"; "
                             "overheads = { duplicate_registration = 40.0; };"};
    sim s;
    sim_open(&s, SERVICES, 2000);
    const mkba_pathway *p = &s.m->services.pathway[1];
    set_value(&s, 1, p->duplicate_registration, 0.0);
    set_value(&s, 1, p->detect, 0.0);
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    size_t T = base->ncycles, P = base->npayers;
    /* Detection off: the plan is the question alone, one registration
     * more per admission to the team (all of the arm's admissions). */
    set_value(&s, 1, p->duplicate_registration, 40.0);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    double reached = sum(base->svc_reached + T, T) * 2000.0;
    assert_true(reached > 100.0);
    assert_near(r->cost_total[P] - base->cost_total[P], 40.0 * reached / 2000.0, 1e-9);
    assert_near(arm_total(r, 0), arm_total(base, 0), 0.0);
    mkba_draw_result_free(r);
    /* Every problem found: plans of several domains, more registrations. */
    set_value(&s, 1, p->detect, 1.0);
    set_value(&s, 1, p->duplicate_registration, 0.0);
    mkba_draw_result *found0 = sim_run(&s, 2, NULL);
    set_value(&s, 1, p->duplicate_registration, 40.0);
    r = sim_run(&s, 2, NULL);
    double n = (r->cost_total[P] - found0->cost_total[P]) * 2000.0 / 40.0;
    double admitted = sum(found0->svc_reached + T, T) * 2000.0;
    assert_near(n, round(n), 1e-6);
    assert_true(n > admitted && n <= 3.0 * admitted);
    mkba_draw_result_free(r);
    mkba_draw_result_free(found0);
    mkba_draw_result_free(base);
    sim_close(&s);

    /* The makelpunt's broker is one worker from one organisation: one
     * registration per client, although every client of the broker has
     * several questions; so at most one per admission, whatever is found. */
    const char *broker[] = {"rule = \"broad\";",
                            "rule = \"makelpunt\"; quick_scan = { share = 0.1; cost = 20.0; };"};
    sim_open_edited(&s, broker, 1, 2000);
    p = &s.m->services.pathway[1];
    set_value(&s, 1, p->detect, 1.0);
    set_value(&s, 1, p->duplicate_registration, 0.0);
    found0 = sim_run(&s, 2, NULL);
    set_value(&s, 1, p->duplicate_registration, 40.0);
    r = sim_run(&s, 2, NULL);
    n = (r->cost_total[P] - found0->cost_total[P]) * 2000.0 / 40.0;
    admitted = sum(found0->svc_reached + T, T) * 2000.0;
    assert_near(n, round(n), 1e-6);
    assert_true(n > 10.0 && n <= admitted);
    mkba_draw_result_free(r);
    mkba_draw_result_free(found0);
    sim_close(&s);

    /* The classic route: nothing, whatever the price. */
    sim_open_edited(&s, classic, 1, 2000);
    base = sim_run(&s, 2, NULL);
    set_value(&s, 0, s.m->services.pathway[0].duplicate_registration, 0.0);
    expect_same_arm_cost(&s, 0, base);
    mkba_draw_result_free(base);
    sim_close(&s);

    /* Shared ICT: no registrations, its investment (time 0) and running
     * cost instead, all to the pathway's payer (gemeente-wmo). */
    const char *ict[] = {"shared_ict = false; duplicate_registration = 40.0;",
                         "shared_ict = true; duplicate_registration = 40.0;\n"
                         "ict_investment = 50000.0; ict_running = 10000.0;"};
    sim_open(&s, SERVICES, 2000);
    set_value(&s, 1, s.m->services.pathway[1].duplicate_registration, 0.0);
    base = sim_run(&s, 2, NULL);
    sim_close(&s);
    sim_open_edited(&s, ict, 1, 2000);
    r = sim_run(&s, 2, NULL);
    assert_near(r->cost_total[P] - base->cost_total[P], (50000.0 + 10000.0 * 8) / 10000.0,
                1e-9);
    /* The first cycle's running cost at its middle (the default event time). */
    assert_near(r->cost_disc[T * P] - base->cost_disc[T * P],
                (50000.0 + 10000.0 * pow(1.0225, -0.5)) / 10000.0, 1e-9);
    mkba_draw_result_free(r);
    set_value(&s, 1, s.m->services.pathway[1].ict_investment, 0.0);
    set_value(&s, 1, s.m->services.pathway[1].ict_running, 0.0);
    expect_same_arm_cost(&s, 1, base);
    sim_close(&s);

    /* Shared ICT in the reference arm: in place today, so its investment
     * was paid before the horizon, like the other investment; only its
     * running cost is charged. */
    mkba_draw_result_free(base);
    const char *ref_ict[] = {"name = \"classic\"; reference = true;", "name = \"classic\";",
                             "name = \"broad\";", "name = \"broad\"; reference = true;",
                             "shared_ict = false; duplicate_registration = 40.0;",
                             "shared_ict = true; duplicate_registration = 40.0;\n"
                             "ict_investment = 50000.0; ict_running = 10000.0;"};
    sim_open_edited(&s, ref_ict, 2, 2000);
    set_value(&s, 1, s.m->services.pathway[1].duplicate_registration, 0.0);
    base = sim_run(&s, 2, NULL);
    sim_close(&s);
    sim_open_edited(&s, ref_ict, 3, 2000);
    r = sim_run(&s, 2, NULL);
    assert_near(r->cost_total[P] - base->cost_total[P], 10000.0 * 8 / 10000.0, 1e-9);
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* Take-up of entitlements (Rotterdam: "verruiming van inkomsten door
 * gebruik van inkomensvoorzieningen"): the team gets entitled households
 * to claim. A cost to the municipality, the same gain to the household, a
 * transfer that nets out for society, and no household moves otherwise. */
static void test_take_up(void **state)
{
    (void)state;
    const char *edits[] = {
        "\"zorgverzekeraar\" );", "\"zorgverzekeraar\", \"huishouden\" );",
        "shared_ict = false; duplicate_registration = 40.0; };",
        "shared_ict = false; duplicate_registration = 40.0; };\n"
        "take_up = { domain = \"debt\"; min_severity = 1.0; non_take_up = 1.0; team_claims = 1.0;"
        " amount = 1200.0; payer = \"gemeente-wmo\"; recipient = \"huishouden\"; };"};
    sim s;
    sim_open_edited(&s, edits, 2, 2000);
    const mkba_pathway *p = &s.m->services.pathway[1];
    const size_t wmo = 0, hh = 3;
    set_value(&s, -1, p->take_up_amount, 0.0);
    mkba_counts *c0, *c1;
    mkba_draw_result *base = sim_run(&s, 2, &c0);
    set_value(&s, -1, p->take_up_amount, 1200.0);
    mkba_draw_result *r = sim_run(&s, 2, &c1);
    size_t P = r->npayers;
    assert_int_equal(P, 4);
    /* Nobody moves differently: the claim is money, not a faster exit. */
    size_t nocc = s.l->narms * s.l->npoints * s.l->nslots;
    assert_memory_equal(c0->occ, c1->occ, nocc * sizeof *c0->occ);
    double paid = r->cost_total[P + wmo] - base->cost_total[P + wmo];
    assert_true(paid > 1.0);
    assert_near(r->cost_total[P + hh] - base->cost_total[P + hh], -paid, 1e-9);
    assert_near(arm_total(r, 1), arm_total(base, 1), 1e-9);
    assert_near(r->transfer_total[P + wmo], paid, 1e-9);
    assert_near(r->transfer_total[P + hh], -paid, 1e-9);
    /* The classic route has no team to raise take-up. */
    for (size_t q = 0; q < P; q++)
        assert_true(r->cost_total[q] == base->cost_total[q]);
    /* Claims are whole households for whole cycles: paid x N / 1200 is a
     * whole number of household-years. */
    double years = paid * 2000.0 / 1200.0;
    assert_near(years, round(years), 1e-6);
    /* Whether a household is a non-claimer is decided once: with
     * team_claims = 1 the households that claim at non_take_up = x are
     * those of its run at 1 whose own word is below x, so the claimant-years
     * are x times those at 1, within the sampling error of that subset
     * (each household claims at most the horizon's 8 years, so the
     * variance is at most x (1 - x) x 8 x years). Drawn again at each
     * admission, a household's later admissions would count claims it
     * already makes, and the share would exceed x. */
    double last = years;
    for (double x = 0.5; x > 0.2; x -= 0.25) {
        set_value(&s, -1, p->take_up_non, x);
        mkba_draw_result *part = sim_run(&s, 2, NULL);
        double y = (part->cost_total[P + wmo] - base->cost_total[P + wmo]) * 2000.0 / 1200.0;
        double se = sqrt(x * (1.0 - x) * 8.0 * years);
        assert_true(fabs(y - x * years) < 3.0 * se);
        assert_true(y <= last); /* the same words: a subset */
        last = y;
        mkba_draw_result_free(part);
    }
    mkba_counts_free(c0);
    mkba_counts_free(c1);
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* Occupancy of arm `arm`'s states of domain d, every point, from draw
 * result r. */
static void domain_occupancy(const sim *s, const mkba_draw_result *r, size_t arm, int d,
                             double *out)
{
    const mkba_layout *l = s->l;
    size_t S = l->nstates_total, n = 0;
    for (size_t j = 0; j < l->npoints; j++)
        for (int g = 0; g < l->nstates[d]; g++)
            out[n++] = r->occupancy[(arm * l->npoints + j) * S + (size_t)(l->state_base[d] + g)];
}

/* Team effects per domain (Finland, Norway: "de klanten vinden niet
 * sneller een baan"): a team whose ratios for a domain are 1 leaves that
 * domain's course as without care, bit for bit, while it still helps in
 * its other domains. */
static void test_domain_hazard_ratio(void **state)
{
    (void)state;
    const char *path = write_variant("improve_hr = \"improve\"; worsen_hr = 0.7;",
                                     "improve_hr = \"improve\"; worsen_hr = 0.7;\n"
                                     "improve_hr_by_domain = { debt = 1.0; };\n"
                                     "worsen_hr_by_domain = { debt = 1.0; };");
    sim s;
    sim_open(&s, path, 1500);
    unlink(path);
    const mkba_pathway *p = &s.m->services.pathway[1];
    /* Coordination, self-reliance and waiting also move debt: off. */
    set_value(&s, 1, p->coordination, 0.0);
    set_value(&s, 1, p->self_share, 0.0);
    set_value(&s, 1, p->wait_escalation, 0.0);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    mkba_counts *ref = mkba_counts_alloc(s.l);
    mkba_micro_work *mw = mkba_micro_work_alloc(s.l);
    mkba_micro_run(s.m, s.t, s.m->seed, 0, 0, 1500, mw, ref);
    mkba_counts_to_double(ref);
    mkba_draw_result *none = mkba_draw_result_alloc(s.m);
    mkba_tally(s.m, s.l, ref, s.values, NULL, none);
    size_t n = s.l->npoints * 4;
    double *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b);
    domain_occupancy(&s, r, 1, 0, a);
    domain_occupancy(&s, none, 1, 0, b);
    assert_memory_equal(a, b, n * sizeof *a);
    /* Mental health, still under the team's ratios, does change. */
    domain_occupancy(&s, r, 1, 1, a);
    domain_occupancy(&s, none, 1, 1, b);
    assert_true(memcmp(a, b, s.l->npoints * 3 * sizeof *a) != 0);
    assert_true(sum(r->svc_reached + r->ncycles, r->ncycles) > 0.0);
    mkba_draw_result_free(r);
    sim_close(&s);
    /* The team's own ratio for debt does change debt's course. */
    sim_open(&s, SERVICES, 1500);
    p = &s.m->services.pathway[1];
    set_value(&s, 1, p->coordination, 0.0);
    set_value(&s, 1, p->self_share, 0.0);
    set_value(&s, 1, p->wait_escalation, 0.0);
    r = sim_run(&s, 2, NULL);
    domain_occupancy(&s, r, 1, 0, a);
    domain_occupancy(&s, none, 1, 0, b);
    assert_true(memcmp(a, b, n * sizeof *a) != 0);
    free(a);
    free(b);
    mkba_draw_result_free(r);
    mkba_draw_result_free(none);
    mkba_micro_work_free(mw);
    mkba_counts_free(ref);
    sim_close(&s);
}

/* Caseload and quality: above the norm the team's effectiveness is divided
 * by 1 + slope x (caseload / norm - 1); at or below it nothing changes, bit
 * for bit; above it the same capacity helps less. */
static void test_caseload_quality(void **state)
{
    (void)state;
    const char *edit[] = {"turnover = 0.15; turnover_loss = 0.3;",
                          "turnover = 0.15; turnover_loss = 0.3; caseload_norm = 30.0; "
                          "caseload_slope = 1.0;"};
    sim s;
    sim_open_edited(&s, edit, 1, 1500);
    const mkba_team *wt = &s.m->services.team[3];
    mkba_svc_arm at_norm, over;
    mkba_svc_arm_init(&at_norm, s.m, s.t, s.values + s.np, 1, s.m->seed, 0, s.households);
    mkba_draw_result *r0 = sim_run(&s, 2, NULL);
    set_value(&s, 1, wt->caseload_norm, 60.0);          /* below the norm: no change */
    mkba_draw_result *below = sim_run(&s, 2, NULL);
    set_value(&s, 1, wt->caseload_norm, 15.0);          /* twice the norm: half */
    mkba_svc_arm_init(&over, s.m, s.t, s.values + s.np, 1, s.m->seed, 0, s.households);
    mkba_draw_result *r1 = sim_run(&s, 2, NULL);
    assert_near(over.team[3].continuity / at_norm.team[3].continuity, 0.5, 1e-15);
    assert_true(over.team[3].places == at_norm.team[3].places);
    size_t nocc = r0->narms * r0->npoints * r0->nstates_total;
    assert_memory_equal(r0->occupancy, below->occupancy, nocc * sizeof(double));
    /* Severity-years of the broad arm: more with the weaker team. */
    double sev[2] = {0.0, 0.0};
    const mkba_draw_result *rr[2] = {r0, r1};
    for (int i = 0; i < 2; i++)
        for (size_t j = 0; j < s.l->npoints; j++)
            for (size_t g = 0; g < s.l->nstates_total; g++)
                sev[i] += rr[i]->occupancy[(s.l->npoints + j) * s.l->nstates_total + g]
                          * s.t->severity[g];
    assert_true(sev[1] > sev[0]);
    mkba_draw_result_free(r0);
    mkba_draw_result_free(below);
    mkba_draw_result_free(r1);
    sim_close(&s);
}

/* Eigen kracht is not free: each problem solved by own strength or
 * network costs its informal care, borne by the household, and nothing
 * else changes. */
static void test_informal_care(void **state)
{
    (void)state;
    const char *edits[] = {
        "\"zorgverzekeraar\" );", "\"zorgverzekeraar\", \"huishouden\" );",
        "self_reliance = { share = 0.1; cap = 0.2; };",
        "self_reliance = { share = 0.1; cap = 0.2; informal_care = 350.0; payer = \"huishouden\"; };"};
    sim s;
    sim_open_edited(&s, edits, 2, 2000);
    const mkba_pathway *p = &s.m->services.pathway[1];
    set_value(&s, 1, p->informal_care, 0.0);
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    set_value(&s, 1, p->informal_care, 350.0);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    size_t P = r->npayers, T = r->ncycles, hh = 3;
    double solved = sum(r->svc_self_resolved + T, T);
    assert_true(solved > 0.0);
    assert_near(r->cost_total[P + hh] - base->cost_total[P + hh], 350.0 * solved, 1e-9);
    for (size_t q = 0; q < hh; q++)
        assert_true(r->cost_total[P + q] == base->cost_total[P + q]);
    assert_memory_equal(r->occupancy, base->occupancy,
                        r->narms * r->npoints * r->nstates_total * sizeof(double));
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* Access belongs to the route (issue 12): in model D the households the
 * team would not take keep the classic route's stigma, outreach and
 * awareness, and its detection at intake. With a team that takes the
 * households with two severe problems, cycle 1's arrivals (the same households in
 * the same states, the same words) lie strictly between those of the arm
 * with the team's access for every household and those of the arm with
 * classic access for every household. */
static void open_model_d(sim *s, int split)
{
    const char *edits[] = {
        "rule = \"broad\"; degree = \"full\";",
        split ? "rule = \"multi_problem\"; degree = \"full\"; classic_access = \"classic\";\n"
                "multi_problem = { min_domains = 2; min_severity = 2.0; };"
              : "rule = \"multi_problem\"; degree = \"full\";\n"
                "multi_problem = { min_domains = 2; min_severity = 2.0; };"};
    sim_open_edited(s, edits, 1, 2000);
    assert_int_equal(s->m->services.pathway[1].classic_access, split ? 0 : -1);
}

/* Gives arm `to`'s pathway the access (and, with `detect`, the
 * detection) of arm `from`'s, in every arm's values (an arm reads another
 * route's access from its own values). */
static void copy_access(sim *s, int from, int to, int detect)
{
    const mkba_pathway *f = &s->m->services.pathway[from], *t = &s->m->services.pathway[to];
    const double *v = s->values + (size_t)from * s->np;
    double stigma = v[f->stigma], outreach = v[f->outreach], start = v[f->awareness_start];
    double years = v[f->awareness_years], found = v[f->detect];
    set_value(s, -1, t->stigma, stigma);
    set_value(s, -1, t->outreach, outreach);
    set_value(s, -1, t->awareness_start, start);
    set_value(s, -1, t->awareness_years, years);
    if (detect)
        set_value(s, -1, t->detect, found);
}

static void test_classic_access(void **state)
{
    (void)state;
    double first[3];            /* cycle 1 arrivals: team access, split, classic access */
    for (int v = 0; v < 3; v++) {
        sim s;
        open_model_d(&s, v == 1);
        if (v == 2)
            copy_access(&s, 0, 1, 1);
        mkba_draw_result *r = sim_run(&s, 2, NULL);
        size_t T = r->ncycles;
        if (v == 1) {
            double taken = 0.0;  /* the team takes some, the providers others */
            for (size_t k = 0; k < T; k++)
                taken += r->svc_team_in_care[(T + k) * r->nteams + 3];
            assert_true(taken > 0.0);
        }
        first[v] = r->svc_arrivals[T];
        mkba_draw_result_free(r);
        sim_close(&s);
    }
    /* (In cycle 1 the team's awareness lag outweighs its lower stigma.) */
    assert_true((first[0] - first[1]) * (first[1] - first[2]) > 0.0);

    /* Detection belongs to the route too: with the classic route's access
     * made the team's, the arrivals are the same, and the households the
     * team would not take are found to have fewer other problems. */
    double detected[2];
    for (int v = 0; v < 2; v++) {
        sim s;
        open_model_d(&s, v == 1);
        copy_access(&s, 1, 0, 0);
        mkba_draw_result *r = sim_run(&s, 2, NULL);
        size_t T = r->ncycles;
        first[v] = r->svc_arrivals[T];
        detected[v] = r->svc_detected[T];
        mkba_draw_result_free(r);
        sim_close(&s);
    }
    assert_true(first[0] == first[1]);
    assert_true(detected[1] < detected[0]);
}

/* Model C: the front post's intake is charged per request, and its own
 * admissions charge no second intake. */
static void test_front_post_intake_cost(void **state)
{
    (void)state;
    const char *path = write_variant("rule = \"broad\"; degree = \"full\";",
                                     "rule = \"front_post\"; degree = \"full\"; refer_above = 1.0;");
    sim s;
    sim_open(&s, path, 2000);
    unlink(path);
    const mkba_team *fp = &s.m->services.team[3];
    set_value(&s, 1, s.m->services.pathway[1].self_share, 0.0);
    set_value(&s, 1, fp->intake_cost, 0.0);
    mkba_draw_result *free_intake = sim_run(&s, 2, NULL);
    set_value(&s, 1, fp->intake_cost, 500.0);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    size_t T = r->ncycles, P = r->npayers;
    for (size_t k = 0; k < T; k++)
        assert_near(r->cost[(T + k) * P + 0] - free_intake->cost[(T + k) * P + 0],
                    500.0 * r->svc_arrivals[T + k], 1e-9);
    mkba_draw_result_free(r);
    mkba_draw_result_free(free_intake);
    sim_close(&s);
}

/* The makelpunt's home visits cost their price per household sent to the
 * broker: in the first cycle, the visits the household-level harness
 * counts on the same random numbers. */
static void test_home_visit_cost(void **state)
{
    (void)state;
    const char *path = write_variant(MAKELPUNT_FROM, MAKELPUNT_TO);
    sim s;
    sim_open(&s, path, 2000);
    unlink(path);
    const mkba_pathway *p = &s.m->services.pathway[1];
    first_cycle fc;
    first_cycle_run(&s, 1, &fc);   /* also sets the seek rates the runs use */
    long visits = fc.counts[MKBA_SVC_VISITS];
    first_cycle_free(&fc);
    assert_true(visits > 50);
    set_value(&s, 1, p->home_visit_cost, 0.0);
    mkba_draw_result *free_visit = sim_run(&s, 2, NULL);
    set_value(&s, 1, p->home_visit_cost, 300.0);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    size_t T = r->ncycles, P = r->npayers;
    assert_near(r->cost[T * P + (size_t)p->payer] - free_visit->cost[T * P + (size_t)p->payer],
                300.0 * (double)visits / 2000.0, 1e-9);
    mkba_draw_result_free(r);
    mkba_draw_result_free(free_visit);
    sim_close(&s);
}

/* Directions of the mechanisms that act through effectiveness and access,
 * each against the same run without it (common random numbers). */
static void test_effectiveness_directions(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 3000);
    const mkba_services *sv = &s.m->services;
    const mkba_pathway *p = &sv->pathway[1];
    const mkba_team *tm = &sv->team[3];
    /* A plain broad arm: full effect from the start, no waiting penalty. */
    const int plain[][2] = {{p->maturity_start, 1}, {p->friction, 0}, {p->wait_effect, 0}};
    for (size_t i = 0; i < 3; i++)
        set_value(&s, 1, plain[i][0], plain[i][1]);
    set_value(&s, 1, tm->turnover, 0.0);
    set_value(&s, 1, p->awareness_start, 1.0);
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    double sev0 = final_severity(&s, base, 1);
    size_t T = base->ncycles;

    /* Start-up: effectiveness from 0.1, and friction, each leave more severity. */
    set_value(&s, 1, p->maturity_start, 0.1);
    set_value(&s, 1, p->maturity_years, 5.0);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    assert_true(final_severity(&s, r, 1) > sev0 + 0.005);
    mkba_draw_result_free(r);
    set_value(&s, 1, p->maturity_start, 1.0);
    set_value(&s, 1, p->friction, 0.9);
    set_value(&s, 1, p->friction_years, 4.0);
    r = sim_run(&s, 2, NULL);
    assert_true(final_severity(&s, r, 1) > sev0 + 0.005);
    mkba_draw_result_free(r);
    set_value(&s, 1, p->friction, 0.0);

    /* Staff turnover lowers continuity; waiting weakens the episode. */
    set_value(&s, 1, tm->turnover, 1.0);
    set_value(&s, 1, tm->turnover_loss, 0.8);
    r = sim_run(&s, 2, NULL);
    assert_true(final_severity(&s, r, 1) > sev0 + 0.005);
    mkba_draw_result_free(r);
    set_value(&s, 1, tm->turnover, 0.0);
    set_value(&s, 1, p->wait_effect, 3.0);
    r = sim_run(&s, 2, NULL);
    assert_true(final_severity(&s, r, 1) > sev0);
    mkba_draw_result_free(r);
    set_value(&s, 1, p->wait_effect, 0.0);

    /* Awareness: a team little known at the start is asked less in
     * cycle 1, a superset on the same words. */
    set_value(&s, 1, p->awareness_start, 0.2);
    r = sim_run(&s, 2, NULL);
    assert_true(r->svc_arrivals[T] < base->svc_arrivals[T]);
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* Category costs add up to the payers' costs (no transfers here), and the
 * team's staff cost is booked whether or not it treats anyone. */
static void test_costs_add_up(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 1000);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    size_t AT = r->narms * r->ncycles;
    assert_near(sum(r->cost_category, AT * r->ncategories), sum(r->cost, AT * r->npayers),
                       1e-6);
    assert_near(sum(r->cost_category_disc, AT * r->ncategories),
                       sum(r->cost_disc, AT * r->npayers), 1e-6);
    mkba_draw_result_free(r);
    sim_close(&s);
}

/* -------------------------------------------------------------- bad input */

/* Loads the services fixture with `from` replaced by `to`, expecting a
 * failure whose message holds every further string. */
static void expect_variant_fails(const char *from, const char *to, ...)
{
    const char *path = write_variant(from, to);
    mkba_model *m = NULL;
    mkba_error err = {0};
    int rc = mkba_scenario_load(NULL, path, &m, &err);
    unlink(path);
    assert_int_equal(rc, MKBA_EINVAL);
    assert_null(m);
    va_list ap;
    va_start(ap, to);
    for (const char *s = va_arg(ap, const char *); s != NULL; s = va_arg(ap, const char *)) {
        if (strstr(err.message, s) == NULL)
            fail_msg("message '%s' lacks '%s'", err.message, s);
    }
    va_end(ap);
}

static void test_bad_input(void **state)
{
    (void)state;
    expect_variant_fails("rule = \"broad\"", "rule = \"braod\"",
                         "services.pathways.broad.rule", "braod", NULL);
    expect_variant_fails("team = \"wijkteam\"", "team = \"wijkteem\"",
                         "services.pathways.broad.team", "wijkteem", "wijkteam", NULL);
    expect_variant_fails("fte = 25.0; caseload = 30.0;", "fte = 25.0; caseload = 0.0;",
                         "services.teams.[3].caseload", "> 0", NULL);
    expect_variant_fails("caseload = 30.0;", "caseload = -2;", "caseload", "> 0", NULL);
    expect_variant_fails("degree = \"full\"", "degree = \"total\"",
                         "services.pathways.broad.degree", "total", NULL);
    expect_variant_fails("rule = \"broad\"", "rule = \"makelpunt\"",
                         "services.pathways.broad.quick_scan", "quick scan", NULL);
    expect_variant_fails("rule = \"broad\";", "rule = \"makelpunt\"; quick_scan = { cost = 100.0; };",
                         "services.pathways.broad.quick_scan.share", "required setting is missing",
                         NULL);
    expect_variant_fails("degree = \"full\"; ", "", "services.pathways.broad.degree",
                         "none, limited, partial or full", NULL);
    expect_variant_fails("providers = [\"debt-service\", \"basic-ggz\", \"youth-team\"];\n"
                         "                detect", "providers = [\"debt-service\"]; teams = "
                         "[\"wijkteam\"];\n                detect",
                         "services.pathways.classic.teams", "does not use", NULL);
    expect_variant_fails("stigma = 0.1;", "stigma = 1.5;", "stigma", "0 to 1", NULL);
    expect_variant_fails("classic = { rule", "klassiek = { rule", "klassiek", NULL);
    expect_variant_fails("seek_rate = [0.3, 0.6, 1.0];", "", "services.seek_rate", NULL);
    expect_variant_fails("rule = \"broad\"; degree = \"full\";",
                         "rule = \"front_post\"; degree = \"full\"; refer_above = 1e999;",
                         "refer_above", "finite", NULL);
    expect_variant_fails("rule = \"broad\"; degree = \"full\";",
                         "rule = \"multi_problem\"; degree = \"full\"; "
                         "multi_problem = { min_domains = 2; min_severity = 0.0; };",
                         "min_severity", "> 0", NULL);
    {
        /* Model D sends the other households to the providers: a domain of
         * its team without one is an error. */
        const char *edits[] = {"rule = \"broad\"; degree = \"full\";",
                               "rule = \"multi_problem\"; degree = \"full\"; "
                               "multi_problem = { min_domains = 2; min_severity = 2.0; };",
                               "providers = [\"debt-service\", \"basic-ggz\", \"youth-team\"];\n"
                               "              detect = 0.6;",
                               "providers = [\"debt-service\", \"basic-ggz\"];\n"
                               "              detect = 0.6;"};
        const char *path = write_edits(edits, 2);
        mkba_model *m = NULL;
        mkba_error err = {0};
        assert_int_equal(mkba_scenario_load(NULL, path, &m, &err), MKBA_EINVAL);
        unlink(path);
        assert_non_null(strstr(err.message, "services.pathways.broad.providers"));
        assert_non_null(strstr(err.message, "domain 'youth' of team 'wijkteam' has no provider"));
    }
    expect_variant_fails("{ name = \"restructuring\"; severity = 3.0;",
                         "{ name = \"restructuring\"; severity = 1e999;",
                         "domains.[0].states.[3].severity", "out of range", NULL);
    expect_variant_fails("payer = \"gemeente-wmo\";\n      improve_hr",
                         "payer = { gemeente-wmo = 0.5; gemeente-wmoo = 0.5; };\n      improve_hr",
                         "gemeente-wmoo", NULL);
    expect_variant_fails("wait_escalation = 0.2; wait_effect = 0.3;\n              outreach",
                         "wait_escalation = 0.2; wait_effect = 0.3; home_visit_cost = 5.0;\n"
                         "              outreach", "home_visit_cost", "does not use", NULL);
}

/* A listed provider runs, and is paid, even when earlier providers take
 * all its domains. */
static void test_shadowed_provider_is_paid(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 1000);
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    sim_close(&s);
    const char *path = write_variant("classic = { rule = \"classic\"; providers = [\"debt-service\", "
                                     "\"basic-ggz\", \"youth-team\"];",
                                     "classic = { rule = \"classic\"; providers = [\"debt-service\", "
                                     "\"basic-ggz\", \"youth-team\", \"wijkteam\"];");
    sim_open(&s, path, 1000);
    unlink(path);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    /* 25 FTE x 80000 a year x 8 years for 10000 households, to gemeente-wmo */
    assert_near(r->cost_total[0] - base->cost_total[0], 25 * 80000.0 * 8 / 10000, 1e-9);
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* A drawn caseload that comes out at or below 0 stops the run, naming the
 * setting, draw and arm, and leaves no result file. */
static void test_drawn_caseload(void **state)
{
    (void)state;
    const char *path = write_variant("fte = 25.0; caseload = 30.0;",
                                     "fte = 25.0; caseload = { dist = \"normal\"; mean = 1.0; "
                                     "sd = 2.0; };");
    mkba_model *m = NULL;
    mkba_error err = {0};
    assert_int_equal(mkba_scenario_load(NULL, path, &m, &err), MKBA_OK);
    unlink(path);
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.households = 300;
    o.draws = 20;
    /* The pid keeps two runs of this binary at once from sharing the
     * output's lock. */
    char out[64], tmp[72], lock[72];
    snprintf(out, sizeof out, "/tmp/mkba-caseload-test-%ld.h5", (long)getpid());
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    snprintf(lock, sizeof lock, "%s.lock", out);
    o.output = out;
    o.force = 1;
    unlink(out);
    assert_int_equal(mkba_run(NULL, m, &o, &err), MKBA_ENUMERIC);
    assert_non_null(strstr(err.message, "services.teams.[3].caseload (team 'wijkteam')"));
    assert_non_null(strstr(err.message, "households per FTE, a number > 0"));
    /* Neither the result nor its temporary file or lock is left in /tmp. */
    assert_int_equal(access(out, F_OK), -1);
    assert_int_equal(access(tmp, F_OK), -1);
    assert_int_equal(access(lock, F_OK), -1);
    mkba_model_free(m);
}

/* A team funded from two budgets books its costs by the shares: what one
 * payer no longer pays the other does, and the other arm is untouched. */
static void test_payer_shares(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, SERVICES, 1000);
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    sim_close(&s);
    const char *path = write_variant("queue = \"priority\"; cost_per_fte = 80000.0; intake_cost = "
                                     "150.0; payer = \"gemeente-wmo\";",
                                     "queue = \"priority\"; cost_per_fte = 80000.0; intake_cost = "
                                     "150.0; payer = { gemeente-wmo = 0.7; gemeente-jeugdwet = 0.3; };");
    sim_open(&s, path, 1000);
    unlink(path);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    size_t P = r->npayers;
    for (size_t p = 0; p < P; p++)
        assert_near(r->cost_total[p], base->cost_total[p], 1e-9);
    double wmo = r->cost_total[P + 0] - base->cost_total[P + 0];
    double jeugd = r->cost_total[P + 1] - base->cost_total[P + 1];
    assert_near(wmo + jeugd, 0.0, 1e-6 * fabs(base->cost_total[P]));
    /* At least 30% of the staff: 25 FTE x 80000 x 8 years / 10000 households. */
    assert_true(jeugd >= 0.3 * 25 * 80000.0 * 8 / 10000 - 1e-9);
    assert_near(r->cost_total[P + 2], base->cost_total[P + 2], 1e-9);
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);
    expect_variant_fails("payer = \"gemeente-wmo\";\n      improve_hr = \"improve\"; worsen_hr = 0.7;",
                         "payer = { gemeente-wmo = 0.6; gemeente-jeugdwet = 0.3; };\n      "
                         "improve_hr = \"improve\"; worsen_hr = 0.7;",
                         "services.teams.[3].payer", "sum to 0.9", NULL);
}

/* The cohort trace cannot represent capacity and says so. */
static void test_cohort_refused(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    assert_int_equal(mkba_scenario_load(NULL, SERVICES, &m, &err), MKBA_OK);
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.mode = MKBA_MODE_COHORT;
    assert_int_equal(mkba_run(NULL, m, &o, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "microsimulation"));
    mkba_model_free(m);
}

/* Model B's third team (the study [S1]: "sociaal wijkteam, team jeugd en
 * gezin, meervoudige problematiek"): a multi-problem criterion first sends
 * every household with at least two domains at severity >= 1 to the broad
 * team; single-problem questions go to the first specific team treating
 * them (debt help, basic GGZ, the broad team for youth). The criterion is
 * read from a scenario and checked. */
static void test_specific_triage_multi_problem(void **state)
{
    (void)state;
    const char *from = "rule = \"broad\"; degree = \"full\"; team = \"wijkteam\";";
    const char *to = "rule = \"specific\"; degree = \"full\"; "
                     "teams = [\"debt-service\", \"basic-ggz\", \"wijkteam\"];\n"
                     "triage = ( { team = \"wijkteam\"; min_domains = 2; min_severity = 1.0; } );";
    const char *edits[2] = {from, to};
    sim s;
    sim_open_edited(&s, edits, 1, 3000);
    mkba_model *m = s.m;
    const mkba_pathway *p = &m->services.pathway[1];
    const int debt_service = 0, basic_ggz = 1, wijkteam = 3;
    assert_int_equal(p->ntriage, 1);
    assert_int_equal(p->triage_domain[0], -1);
    assert_int_equal(p->triage_min_domains[0], 2);
    set_value(&s, 1, p->self_share, 0.0);
    first_cycle fc;
    first_cycle_run(&s, 1, &fc);
    const size_t D = m->ndomains;
    int seen[4] = {0};
    for (long h = 0; h < s.households; h++) {
        if (fc.hh.status[h] != MKBA_SVC_WAITING)
            continue;
        double sev3[3];
        int pd = question(&s, &fc, h, sev3), n = 0;
        for (size_t d = 0; d < D; d++)
            n += s.t->severity[s.l->state_base[d] + fc.hh.x[(size_t)h * D + d]] >= 1.0;
        assert_true(fc.hh.plan[h] >> pd & 1u);
        int want = n >= 2 ? wijkteam : pd == 0 ? debt_service : pd == 1 ? basic_ggz : wijkteam;
        assert_int_equal(fc.hh.team[h], want);
        seen[n >= 2 ? 0 : pd + 1]++;
    }
    assert_true(seen[0] > 50 && seen[1] > 50 && seen[2] > 50 && seen[3] > 50);
    first_cycle_free(&fc);
    sim_close(&s);

    char bad[600];
    snprintf(bad, sizeof bad, "%s", to);
    memcpy(strstr(bad, "min_domains = 2;"), "min_domains = 9;", 16);
    expect_variant_fails(from, bad, "triage.[0].min_domains", "expected 1 to", NULL);
    const char *both = "rule = \"specific\"; degree = \"full\"; "
                       "teams = [\"debt-service\", \"basic-ggz\", \"wijkteam\"];\n"
                       "triage = ( { team = \"wijkteam\"; domain = \"debt\"; min_domains = 2; "
                       "min_severity = 1.0; } );";
    expect_variant_fails(from, both, "min_domains", "not both", NULL);
}

/* ------------------------------------------------------------- start-up */

/* Start-up and secondment (issue 12; the study [S1]: years to mature, the
 * old structure running on, seconded staff's extra work): a ramp of 0
 * changes nothing, bit for bit; the effect of the own teams is the
 * closed-form ramp times the rest; double running and secondment cost
 * exactly their share of the own team's staff cost, the reference arm pays
 * no double running, and the classic arm nothing. */
static void same_doubles(const double *a, const double *b, size_t n)
{
    assert_true(memcmp(a, b, n * sizeof *a) == 0);
}

static void test_startup(void **state)
{
    (void)state;
    const char *mat = "friction = 0.1; friction_years = 1.0;";
    sim s;
    sim_open(&s, SERVICES, 1500);
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    sim_close(&s);
    size_t T = base->ncycles, P = base->npayers, C = base->ncategories;
    /* ramp 0 and friction_lasting 0: the run without them, bit for bit */
    const char *zero[] = {mat, "friction = 0.1; friction_years = 1.0; ramp_years = 0.0; "
                               "friction_lasting = 0.0;"};
    sim_open_edited(&s, zero, 1, 1500);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    same_doubles(r->cost, base->cost, base->narms * T * P);
    same_doubles(r->occupancy, base->occupancy, base->narms * base->npoints * base->nstates_total);
    same_doubles(r->svc_in_care, base->svc_in_care, base->narms * T);
    mkba_draw_result_free(r);

    /* The own team's effectiveness per cycle: maturity x friction x ramp
     * x continuity, ramp = min(1, t / 3) at the cycle middle t = k - 1/2,
     * and half of the friction lasting after its year. Providers keep
     * their continuity alone. */
    const mkba_pathway *p = &s.m->services.pathway[1];
    set_value(&s, 1, p->ramp_years, 3.0);
    set_value(&s, 1, p->friction_lasting, 0.5);
    mkba_svc_arm *a = malloc(sizeof *a);
    assert_non_null(a);
    mkba_error err = {0};
    assert_int_equal(mkba_tables_resolve(s.t, s.m, s.values, 0, &err), MKBA_OK);
    mkba_svc_arm_init(a, s.m, s.t, s.values + s.np, 1, s.m->seed, 0, 1500);
    const int wijkteam = 3, debt_service = 0;
    for (int k = 1; k <= (int)T; k++) {
        mkba_svc_arm_cycle(a, k);
        double t = k - 0.5;
        double e = 0.6 + 0.4 * (1.0 - exp(-t / 2.5));
        e *= t < 1.0 ? 0.9 : 0.95;
        e *= t < 3.0 ? t / 3.0 : 1.0;
        assert_near(a->effect[wijkteam], e * (1.0 - 0.15 * 0.3), 1e-14);
        assert_near(a->effect[debt_service], a->team[debt_service].continuity, 0.0);
    }
    free(a);
    /* A ramp over the whole horizon weakens care: households end worse. */
    set_value(&s, 1, p->friction_lasting, 0.0);
    set_value(&s, 1, p->ramp_years, 8.0);
    r = sim_run(&s, 2, NULL);
    assert_true(final_severity(&s, r, 1) > final_severity(&s, base, 1));
    same_doubles(r->occupancy, base->occupancy, base->npoints * base->nstates_total);
    mkba_draw_result_free(r);
    sim_close(&s);

    /* Double running for 1.5 years at 25% and secondment at 5% of the
     * wijkteam's staff cost (25 FTE x 80,000 for 10,000 households: 200 a
     * year per household): 0.25 x 200 x (1, 0.5, 0, ...) + 0.05 x 200, to
     * its payer (gemeente-wmo), the double running a cost of switching
     * ("investment"), the secondment a yearly one ("programme"); nothing
     * else changes. */
    const char *ov[] = {"shared_ict = false; duplicate_registration = 40.0;",
                        "shared_ict = false; duplicate_registration = 40.0;\n"
                        "double_running = 0.25; double_running_years = 1.5; secondment = 0.05;"};
    sim_open_edited(&s, ov, 1, 1500);
    r = sim_run(&s, 2, NULL);
    int programme = -1, investment = -1;
    for (size_t c = 0; c < s.m->ncategories; c++) {
        if (strcmp(s.m->category[c], "programme") == 0)
            programme = (int)c;
        if (strcmp(s.m->category[c], "investment") == 0)
            investment = (int)c;
    }
    assert_true(programme >= 0 && investment >= 0);
    for (size_t k = 0; k < T; k++) {
        double running = 0.25 * 200.0 * (k == 0 ? 1.0 : k == 1 ? 0.5 : 0.0);
        assert_near(r->cost[(T + k) * P] - base->cost[(T + k) * P], running + 0.05 * 200.0, 1e-9);
        assert_near(r->cost_category[(T + k) * C + (size_t)programme]
                        - base->cost_category[(T + k) * C + (size_t)programme], 0.05 * 200.0,
                    1e-9);
        assert_near(r->cost_category[(T + k) * C + (size_t)investment]
                        - base->cost_category[(T + k) * C + (size_t)investment], running, 1e-9);
    }
    same_doubles(r->cost, base->cost, T * P);
    same_doubles(r->occupancy, base->occupancy, base->narms * base->npoints * base->nstates_total);
    mkba_draw_result_free(r);
    sim_close(&s);

    /* The broad arm as the reference: in place today, its transition is
     * over; it pays the secondment alone. */
    const char *ref[] = {"name = \"classic\"; reference = true;", "name = \"classic\";",
                         "name = \"broad\";", "name = \"broad\"; reference = true;",
                         ov[0], ov[1]};
    sim_open_edited(&s, ref, 2, 1500);
    mkba_draw_result *refbase = sim_run(&s, 2, NULL);
    sim_close(&s);
    sim_open_edited(&s, ref, 3, 1500);
    r = sim_run(&s, 2, NULL);
    for (size_t k = 0; k < T; k++)
        assert_near(r->cost[(T + k) * P] - refbase->cost[(T + k) * P], 0.05 * 200.0, 1e-9);
    mkba_draw_result_free(r);
    mkba_draw_result_free(refbase);
    sim_close(&s);
    mkba_draw_result_free(base);

    /* Bad input names the setting. */
    expect_variant_fails(ov[0], "shared_ict = false; double_running = 0.25;",
                         "double_running_years", "period", NULL);
    expect_variant_fails(mat, "friction = 0.1; friction_years = 1.0; ramp_years = -1.0;",
                         "maturity.ramp_years", "years >= 0", NULL);
    expect_variant_fails(mat, "friction = 0.1; friction_years = 1.0; friction_lasting = 1.5;",
                         "friction_lasting", "0 to 1", NULL);
    expect_variant_fails(mat, "friction_years = 1.0; friction_lasting = 0.5;",
                         "maturity.friction_lasting", "friction", "missing", NULL);
    static const char *none_from = "degree = \"full\"; team = \"wijkteam\";\n"
                                   "              providers";
    const char *none_ramp[] = {none_from, "degree = \"none\"; team = \"wijkteam\";\n"
                                          "              providers",
                               mat, "friction = 0.1; friction_years = 1.0; ramp_years = 1.0;",
                               "integration = { front_office_investment = 0.0; "
                               "pooling_investment = 0.0; pooling_running = 0.0; };", ""};
    const char *path = write_edits(none_ramp, 3);
    mkba_model *bad = NULL;
    mkba_error none_err = {0};
    assert_int_equal(mkba_scenario_load(NULL, path, &bad, &none_err), MKBA_EINVAL);
    unlink(path);
    assert_null(bad);
    assert_non_null(strstr(none_err.message, "maturity.ramp_years"));
    assert_non_null(strstr(none_err.message, "degree none"));
    assert_non_null(strstr(none_err.message, path)); /* FILE:LINE */
    expect_variant_fails("classic = { rule = \"classic\";",
                         "classic = { rule = \"classic\"; payer = \"gemeente-wmo\"; "
                         "overheads = { secondment = 0.05; };",
                         "overheads.secondment", "classic route", NULL);
}

/* Double running with monthly cycles and two own teams on different
 * payers (review mech12c finding 9): model B's teams youth-team
 * (jeugdwet, 15 FTE x 85,000: 127.5 a year per household) and wijkteam
 * (wmo, 25 x 80,000: 200), double running 0.25 for Y = 0.125 years and
 * secondment 0.05: cycle k costs each payer 0.25 x S x min(1/12, max(0,
 * Y - (k - 1)/12)) + 0.05 x S / 12, so 1/12, 1/24 and then nothing of the
 * double running. */
static void test_double_running_months(void **state)
{
    (void)state;
    const char *base_edits[] = {
        "cycle = \"year\";", "cycle = \"month\";",
        "rule = \"broad\"; degree = \"full\"; team = \"wijkteam\";",
        "rule = \"specific\"; degree = \"full\"; teams = [\"youth-team\", \"wijkteam\"];",
        "shared_ict = false; duplicate_registration = 40.0;",
        "shared_ict = false; duplicate_registration = 40.0;"};
    const char *dr_edits[] = {
        base_edits[0], base_edits[1], base_edits[2], base_edits[3], base_edits[4],
        "shared_ict = false; duplicate_registration = 40.0;\n"
        "double_running = 0.25; double_running_years = 0.125; secondment = 0.05;"};
    sim s;
    sim_open_edited(&s, base_edits, 3, 600);
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    sim_close(&s);
    sim_open_edited(&s, dr_edits, 3, 600);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    const size_t T = r->ncycles, P = r->npayers, wmo = 0, jeugd = 1;
    assert_int_equal(T, 96);
    const double dt = 1.0 / 12.0, Y = 0.125, S[2] = {200.0, 127.5};
    for (size_t k = 0; k < T; k++) {
        double part = fmin(dt, fmax(0.0, Y - (double)k * dt));
        for (int j = 0; j < 2; j++) {
            size_t q = j ? jeugd : wmo;
            double want = 0.25 * S[j] * part + 0.05 * S[j] * dt;
            assert_near(r->cost[(T + k) * P + q] - base->cost[(T + k) * P + q], want, 1e-9);
        }
        assert_true(r->cost[(T + k) * P + 2] == base->cost[(T + k) * P + 2]);
    }
    same_doubles(r->cost, base->cost, T * P);
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* ------------------------------------------------------------ mixed arms */

/* A mixed arm (issue 12: municipalities run several models at once): the
 * broad team in a share of the households (districts), the classic route
 * with classic access elsewhere. Share 1 is the pure broad arm and share 0
 * the classic arm's households, bit for bit; at 0.5 the team gets half of
 * the first cycle's requests (binomial); bad settings are named, and a
 * list of several route types is refused. */
static void test_mixed_arm(void **state)
{
    (void)state;
    const char *from = "rule = \"broad\"; degree = \"full\"; team = \"wijkteam\";";
    char to[200];
    const char *edits[2] = {from, to};
    sim s;
    sim_open(&s, SERVICES, 1500);
    mkba_draw_result *pure = sim_run(&s, 2, NULL);
    sim_close(&s);
    size_t T = pure->ncycles, P = pure->npayers, O = pure->npoints * pure->nstates_total;
    snprintf(to, sizeof to, "%s integrated_share = 1.0; classic_access = \"classic\";", from);
    sim_open_edited(&s, edits, 1, 1500);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    same_doubles(r->cost, pure->cost, 2 * T * P);
    same_doubles(r->occupancy, pure->occupancy, 2 * O);
    same_doubles(r->svc_in_care, pure->svc_in_care, 2 * T);
    mkba_draw_result_free(r);
    /* Share 0: everyone on the classic route, with the classic arm's
     * access and self-reliance (none; the broad arm's own share 0.1 stays
     * unused), so the same course as the classic arm's households; the
     * broad team's staff is still paid, and the arm's own overheads, and
     * nothing else (review issue12-final, 10: a cost wrongly charged to
     * the classic-route households, e.g. double registration or the team's
     * handovers, would show): per household of the population of 10,000,
     * the wijkteam's 25 FTE at 80,000, recurring 60,000 and co-location
     * 30,000 in each of the 8 years, and the investment of 400,000 once. */
    const mkba_pathway *p = &s.m->services.pathway[1];
    set_value(&s, 1, p->integrated_share, 0.0);
    r = sim_run(&s, 2, NULL);
    same_doubles(r->occupancy + O, r->occupancy, O);
    same_doubles(r->svc_in_care + T, r->svc_in_care, T);
    assert_true(sum(r->svc_team_in_care + T * r->nteams, T * r->nteams)
                == sum(r->svc_team_in_care, T * r->nteams));
    const double own = ((25.0 * 80000.0 + 60000.0 + 30000.0) * 8.0 + 400000.0) / 10000.0;
    assert_near(arm_total(r, 1) - arm_total(r, 0), own, 1e-9 * own);
    mkba_draw_result_free(r);
    sim_close(&s);
    mkba_draw_result_free(pure);

    /* Half the households: requests reach the team with probability 1/2. */
    snprintf(to, sizeof to, "%s integrated_share = 0.5; classic_access = \"classic\";", from);
    sim_open_edited(&s, edits, 1, 3000);
    set_value(&s, 1, s.m->services.pathway[1].self_share, 0.0);
    first_cycle fc;
    first_cycle_run(&s, 1, &fc);
    int to_team = 0, n = 0;
    for (long h = 0; h < s.households; h++)
        if (fc.hh.status[h] == MKBA_SVC_WAITING) {
            n++;
            to_team += fc.hh.team[h] == 3;
            if (fc.hh.team[h] != 3)
                assert_int_equal(fc.hh.joint[h], 0);
        }
    assert_true(n > 500);
    expect_binomial(to_team, n, 0.5);
    first_cycle_free(&fc);
    sim_close(&s);

    /* The mix is drawn independently of take-up (both from the same block,
     * words 1 and 0). With take-up raised by the team only (team_claims 1),
     * the claimant-years at non_take_up 1/2 are half those at 1, within
     * the sampling error as in test_take_up; were the mix drawn from
     * take-up's word, the households on the integrated route would be
     * exactly the non-claimers at 1/2 and the two would be equal. */
    snprintf(to, sizeof to, "%s integrated_share = 0.5; classic_access = \"classic\";", from);
    const char *take_up[] = {
        from, to, "\"zorgverzekeraar\" );", "\"zorgverzekeraar\", \"huishouden\" );",
        "shared_ict = false; duplicate_registration = 40.0; };",
        "shared_ict = false; duplicate_registration = 40.0; };\n"
        "take_up = { domain = \"debt\"; min_severity = 1.0; non_take_up = 1.0; team_claims = 1.0;"
        " amount = 1200.0; payer = \"gemeente-wmo\"; recipient = \"huishouden\"; };"};
    sim_open_edited(&s, take_up, 3, 2000);
    const mkba_pathway *tp = &s.m->services.pathway[1];
    const size_t wmo = 0;
    P = s.m->npayers;
    set_value(&s, -1, tp->take_up_amount, 0.0);
    mkba_draw_result *none = sim_run(&s, 2, NULL);
    set_value(&s, -1, tp->take_up_amount, 1200.0);
    double years[2];
    for (int i = 0; i < 2; i++) {
        set_value(&s, -1, tp->take_up_non, i ? 0.5 : 1.0);
        r = sim_run(&s, 2, NULL);
        years[i] = (r->cost_total[P + wmo] - none->cost_total[P + wmo]) * 2000.0 / 1200.0;
        mkba_draw_result_free(r);
    }
    assert_true(years[0] > 100.0);
    assert_true(fabs(years[1] - 0.5 * years[0]) < 3.0 * sqrt(0.25 * 8.0 * years[0]));
    mkba_draw_result_free(none);
    sim_close(&s);

    snprintf(to, sizeof to, "%s integrated_share = 0.5;", from);
    expect_variant_fails(from, to, "classic_access", "mixed arm", NULL);
    snprintf(to, sizeof to, "%s integrated_share = 1.5; classic_access = \"classic\";", from);
    expect_variant_fails(from, to, "integrated_share", "0 to 1", NULL);
    expect_variant_fails("classic = { rule = \"classic\";",
                         "classic = { rule = \"classic\"; integrated_share = 0.5;",
                         "integrated_share", "no integrated route", NULL);
    /* Several integrated route types in one arm (review issue12-final, 6)
     * are not run: a list of routes, in the pathway or the arm, is refused
     * at its file and line, saying what is supported instead. */
    snprintf(to, sizeof to, "%s routes = ( { pathway = \"broad\"; share = 0.6; } );", from);
    expect_variant_fails(from, to, ":97: services.pathways.broad.routes",
                         "one pathway per arm", "integrated_share", "Mixed arms", NULL);
    expect_variant_fails("{ name = \"broad\";",
                         "{ name = \"broad\"; routes = ( { pathway = \"broad\"; share = 1.0; } );",
                         ":18: arms.[1].routes", "one pathway per arm", NULL);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zero_capacity_is_no_service),
        cmocka_unit_test(test_degree_none_is_classic_except_costs),
        cmocka_unit_test(test_thread_count_invariant),
        cmocka_unit_test(test_generic_path_identical),
        cmocka_unit_test(test_little_law),
        cmocka_unit_test(test_maturity_curve),
        cmocka_unit_test(test_stigma_and_outreach),
        cmocka_unit_test(test_multi_problem_routing),
        cmocka_unit_test(test_specific_triage),
        cmocka_unit_test(test_specific_triage_multi_problem),
        cmocka_unit_test(test_front_post_routing),
        cmocka_unit_test(test_makelpunt_routing),
        cmocka_unit_test(test_makelpunt_scan_ramp),
        cmocka_unit_test(test_makelpunt_costs),
        cmocka_unit_test(test_one_stop_routing),
        cmocka_unit_test(test_admission_order),
        cmocka_unit_test(test_mechanism_directions),
        cmocka_unit_test(test_costs_add_up),
        cmocka_unit_test(test_queue_conservation),
        cmocka_unit_test(test_service_costs),
        cmocka_unit_test(test_duplicate_registration),
        cmocka_unit_test(test_take_up),
        cmocka_unit_test(test_domain_hazard_ratio),
        cmocka_unit_test(test_caseload_quality),
        cmocka_unit_test(test_informal_care),
        cmocka_unit_test(test_classic_access),
        cmocka_unit_test(test_front_post_intake_cost),
        cmocka_unit_test(test_home_visit_cost),
        cmocka_unit_test(test_effectiveness_directions),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_shadowed_provider_is_paid),
        cmocka_unit_test(test_drawn_caseload),
        cmocka_unit_test(test_payer_shares),
        cmocka_unit_test(test_cohort_refused),
        cmocka_unit_test(test_startup),
        cmocka_unit_test(test_double_running_months),
        cmocka_unit_test(test_mixed_arm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
