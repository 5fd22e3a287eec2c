/* Reproducibility: the same seed gives bit-identical HDF5 datasets for 1, 2
 * and 8 threads, and a run split into draw ranges stores the same numbers
 * as one run over all draws. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "support.h"

static const char *datasets[] = {
    "/draws/cost", "/draws/cost_discounted", "/draws/effect", "/draws/effect_discounted",
    "/draws/occupancy", "/draws/cost_total", "/draws/cost_total_discounted",
    "/draws/effect_total", "/draws/effect_total_discounted", "/draws/parameters",
    "/draws/mcse/cost_year_to_date",
};
#define NDATASETS (sizeof datasets / sizeof datasets[0])

/* Reads a whole double dataset; *count receives the number of doubles. */
static double *read_all(const char *path, const char *name, size_t *count)
{
    double *v = support_read_doubles(path, name, count);
    if (v == NULL)
        fail_msg("cannot read %s from %s", name, path);
    return v;
}

static void run_to(const mkba_model *m, const char *path, int threads, long first, long n)
{
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = path;
    o.force = 1;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = threads;
    o.draws = 4;
    o.households = 1500;
    o.first_draw = first;
    o.ndraws_part = n;
    mkba_error err = {0};
    if (mkba_run(&ctx, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
}

static void test_identical_for_any_thread_count(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/interact.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char p1[64], p2[64], p8[64];
    snprintf(p1, sizeof p1, "/tmp/mkba-repro-%d-1.h5", (int)getpid());
    snprintf(p2, sizeof p2, "/tmp/mkba-repro-%d-2.h5", (int)getpid());
    snprintf(p8, sizeof p8, "/tmp/mkba-repro-%d-8.h5", (int)getpid());
    run_to(m, p1, 1, 0, 0);
    run_to(m, p2, 2, 0, 0);
    run_to(m, p8, 8, 0, 0);
    for (size_t i = 0; i < NDATASETS; i++) {
        size_t n1, n2, n8;
        double *a = read_all(p1, datasets[i], &n1);
        double *b = read_all(p2, datasets[i], &n2);
        double *c = read_all(p8, datasets[i], &n8);
        assert_int_equal(n1, n2);
        assert_int_equal(n1, n8);
        assert_memory_equal(a, b, n1 * sizeof *a);
        assert_memory_equal(a, c, n1 * sizeof *a);
        free(a);
        free(b);
        free(c);
    }
    /* Draws 2..3 run on their own store the same numbers as draws 2..3 of
     * the full run: a draw is a pure function of (scenario, seed, draw). */
    char pp[64];
    snprintf(pp, sizeof pp, "/tmp/mkba-repro-%d-part.h5", (int)getpid());
    run_to(m, pp, 2, 2, 2);
    for (size_t i = 0; i < NDATASETS; i++) {
        size_t nf, np;
        double *full = read_all(p1, datasets[i], &nf);
        double *part = read_all(pp, datasets[i], &np);
        assert_int_equal(np * 2, nf);
        assert_memory_equal(part, full + np, np * sizeof *part);
        free(full);
        free(part);
    }
    remove(p1);
    remove(p2);
    remove(p8);
    remove(pp);
    mkba_model_free(m);
}

/* With services (capacity couples households, priority queues, every
 * rule of the shipped library in one run) too: every dataset of the
 * result, service outputs included, is the same for 1, 2 and 3 threads,
 * and a part of the draws equals those draws of the whole. */
static const char *svc_datasets[] = {
    "/draws/cost", "/draws/cost_discounted", "/draws/effect", "/draws/occupancy",
    "/draws/cost_category", "/draws/cost_category_discounted", "/draws/escalations",
    "/draws/services/arrivals", "/draws/services/reached", "/draws/services/self_resolved",
    "/draws/services/in_care", "/draws/services/queue", "/draws/services/mean_wait",
    "/draws/services/detected", "/draws/services/fte_used", "/draws/parameters",
    "/draws/services/registered", "/draws/services/team_reached",
    "/draws/services/team_mean_wait", "/draws/mcse/cost_year_to_date",
};
#define NSVC (sizeof svc_datasets / sizeof svc_datasets[0])

static void test_services_identical_for_any_thread_count(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "scenarios/pathways/all-models.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char p[4][64];
    int threads[3] = {1, 2, 3};
    for (int i = 0; i < 3; i++) {
        snprintf(p[i], sizeof p[i], "/tmp/mkba-repro-svc-%d-%d.h5", (int)getpid(), threads[i]);
        run_to(m, p[i], threads[i], 0, 0);
    }
    snprintf(p[3], sizeof p[3], "/tmp/mkba-repro-svc-%d-part.h5", (int)getpid());
    run_to(m, p[3], 2, 1, 2);
    for (size_t i = 0; i < NSVC; i++) {
        size_t n[4];
        double *a[4];
        for (int j = 0; j < 4; j++)
            a[j] = read_all(p[j], svc_datasets[i], &n[j]);
        assert_int_equal(n[0], n[1]);
        assert_int_equal(n[0], n[2]);
        /* NaN (a cycle without admissions) compares bitwise too. */
        assert_memory_equal(a[0], a[1], n[0] * sizeof *a[0]);
        assert_memory_equal(a[0], a[2], n[0] * sizeof *a[0]);
        assert_int_equal(n[3] * 2, n[0]);
        assert_memory_equal(a[3], a[0] + n[3] / 2, n[3] * sizeof *a[3]);
        for (int j = 0; j < 4; j++)
            free(a[j]);
    }
    for (int j = 0; j < 4; j++)
        remove(p[j]);
    mkba_model_free(m);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_for_any_thread_count),
        cmocka_unit_test(test_services_identical_for_any_thread_count),
    };
    return cmocka_run_group_tests_name("reproducible", tests, NULL, NULL);
}
