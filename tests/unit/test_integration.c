/* Degrees of integration, front and back office, pooled and unpooled
 * budgets (issue 12; docs/model.md, "Degrees of integration").
 *
 * Fixture: tests/data/services_integration.cfg, a broad team at degree full
 * with an integration group whose costs are 0. Variants edit its text;
 * values of a draw are edited in place, so every comparison runs on the
 * same random numbers. Sizes are checked against an equivalent setting the
 * engine already had (the coordination, the substitution share, the
 * team's worsening ratio, the overheads), bit for bit. */
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
#include "mkba/mkba.h"
#include "engine/services.h"
#include "results/result.h"
#include "support.h"
#include "support_errors.h"
#include "support_sim.h"

#define FIXTURE "tests/data/services_integration.cfg"
#define HOUSEHOLDS 3000L
#define BROAD 1

/* The fixture's pathway at degree limited: no shared ICT (so no ICT
 * costs) and unpooled budgets (so no pooling costs, and their effects,
 * all 0 here). */
#define TO_LIMITED                                                                   \
    "degree = \"full\"", "degree = \"limited\"",                                     \
    "ict_investment = 0.0; ict_running = 0.0;", "",                                  \
    "pooling_investment = 0.0; pooling_running = 0.0;",                              \
    "unpooled = { plan_loss = 0.0; shift = 0.0; second_line = 0.0; };"

/* The fixture with up to three edits, loaded and sampled (remove the file
 * with sim_done). */
typedef struct variant {
    sim s;
    char path[512];
} variant;

static void variant_open(variant *v, const char *const *edit, int nedit)
{
    support_bad c = {.base = FIXTURE, .at = ""};
    for (int i = 0; i < 2 * nedit; i++)
        c.edit[i] = edit[i];
    support_bad_write(&c, v->path, sizeof v->path);
    sim_open(&v->s, v->path, HOUSEHOLDS);
}

static void variant_close(variant *v)
{
    sim_close(&v->s);
    unlink(v->path);
}

static const mkba_pathway *broad(const sim *s)
{
    return &s->m->services.pathway[BROAD];
}

/* Every outcome of the two draws is the same, bit for bit: costs,
 * effects, occupancy, escalations, categories and the services' counts
 * (not the parameter values, which differ by construction). */
static void assert_same_record(const mkba_draw_result *a, const mkba_draw_result *b)
{
    assert_int_equal(a->narms, b->narms);
    assert_int_equal(a->ncycles, b->ncycles);
    assert_int_equal(a->ncategories, b->ncategories);
    const size_t A = a->narms, C = a->ncycles;
    const struct {
        const double *x, *y;
        size_t n;
    } same[] = {
        {a->cost_total, b->cost_total, A * a->npayers},
        {a->cost_total_disc, b->cost_total_disc, A * a->npayers},
        {a->cost, b->cost, A * C * a->npayers},
        {a->effect_total, b->effect_total, A * a->neffects},
        {a->effect_total_disc, b->effect_total_disc, A * a->neffects},
        {a->occupancy, b->occupancy, A * a->npoints * a->nstates_total},
        {a->escalations, b->escalations, A * C * a->ndomains},
        {a->cost_category, b->cost_category, A * C * a->ncategories},
        {a->svc_reached, b->svc_reached, A * C},
        {a->svc_in_care, b->svc_in_care, A * C},
        {a->svc_queue, b->svc_queue, A * C},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        assert_memory_equal(same[i].x, same[i].y, same[i].n * sizeof(double));
}

static double arm_cost(const mkba_draw_result *r, size_t arm)
{
    double sum = 0.0;
    for (size_t p = 0; p < r->npayers; p++)
        sum += r->cost_total[arm * r->npayers + p];
    return sum;
}

static double arm_escalations(const mkba_draw_result *r, size_t arm)
{
    size_t n = r->ncycles * r->ndomains;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += r->escalations[arm * n + i];
    return sum;
}

/* ------------------------------------------------------------ defaults */

/* The study's degrees [S1]: limited shares a location (front office),
 * partial also data (shared ICT), full also budgets. */
static void test_degree_defaults(void **state)
{
    (void)state;
    static const struct {
        const char *degree;
        int front_office, shared_ict, pooled;
    } want[] = {{"limited", 1, 0, 0}, {"partial", 1, 1, 0}, {"full", 1, 1, 1}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char to[64];
        snprintf(to, sizeof to, "degree = \"%s\"", want[i].degree);
        const char *edit[6] = {"degree = \"full\"", to, "", "", "", ""};
        int n = 1;
        if (!want[i].shared_ict) {
            edit[2] = "ict_investment = 0.0; ict_running = 0.0;";
            n = 2;
        }
        if (!want[i].pooled) {
            edit[2 * n] = "pooling_investment = 0.0; pooling_running = 0.0;";
            edit[2 * n + 1] = "unpooled = { plan_loss = 0.0; shift = 0.0; second_line = 0.0; };";
            n++;
        }
        variant v;
        variant_open(&v, edit, n);
        const mkba_pathway *p = broad(&v.s);
        assert_int_equal(p->integration, 1);
        assert_int_equal(p->front_office, want[i].front_office);
        assert_int_equal(p->shared_ict, want[i].shared_ict);
        assert_int_equal(p->pooled_budgets, want[i].pooled);
        assert_int_equal(p->coordination_weight, -1);
        variant_close(&v);
    }
}

/* An arm that overrides a default is the arm with that setting explicit:
 * partial with pooled budgets and full's coordination weight is degree
 * full; full with shared ICT written out is full. Bit for bit. */
static void test_override_equals_explicit(void **state)
{
    (void)state;
    sim full;
    sim_open(&full, FIXTURE, HOUSEHOLDS);
    mkba_draw_result *want = sim_run(&full, 2, NULL);
    static const char *const partial_pooled[] = {
        "degree = \"full\"", "degree = \"partial\"",
        "integration = {", "integration = { pooled_budgets = true; coordination_weight = 1.0;"};
    static const char *const ict_written[] = {
        "duplicate_registration = 40.0;", "duplicate_registration = 40.0; shared_ict = true;"};
    const char *const *edits[] = {partial_pooled, ict_written};
    const int nedits[] = {2, 1};
    for (int i = 0; i < 2; i++) {
        variant v;
        variant_open(&v, edits[i], nedits[i]);
        mkba_draw_result *got = sim_run(&v.s, 2, NULL);
        assert_same_record(want, got);
        mkba_draw_result_free(got);
        variant_close(&v);
    }
    mkba_draw_result_free(want);
    sim_close(&full);
}

/* The group at no cost, with full's own settings, is the pathway without
 * the group (which has no shared ICT unless it says so): nothing else
 * moves. */
static void test_group_alone_changes_nothing(void **state)
{
    (void)state;
    static const char *const without[] = {
        "integration = { front_office_investment = 0.0;\n"
        "                              pooling_investment = 0.0; pooling_running = 0.0; };",
        "", "ict_investment = 0.0; ict_running = 0.0;", ""};
    static const char *const no_ict[] = {
        "ict_investment = 0.0; ict_running = 0.0;", "shared_ict = false;"};
    variant a, b;
    variant_open(&a, without, 2);
    variant_open(&b, no_ict, 1);
    assert_int_equal(broad(&a.s)->integration, 0);
    mkba_draw_result *ra = sim_run(&a.s, 2, NULL), *rb = sim_run(&b.s, 2, NULL);
    assert_same_record(ra, rb);
    mkba_draw_result_free(ra);
    mkba_draw_result_free(rb);
    variant_close(&a);
    variant_close(&b);
}

/* -------------------------------------------------- shared ICT by degree */

/* Limited integration shares no data: each admission registers the client
 * again, so the arm's cost is linear in the registration's price with a
 * positive slope; at partial (shared ICT) the price changes nothing. */
static void test_shared_ict_follows_degree(void **state)
{
    (void)state;
    static const char *const limited[] = {TO_LIMITED};
    static const char *const partial[] = {"degree = \"full\"", "degree = \"partial\"",
        "pooling_investment = 0.0; pooling_running = 0.0;",
        "unpooled = { plan_loss = 0.0; shift = 0.0; second_line = 0.0; };"};
    variant v;
    variant_open(&v, limited, 3);
    int dr = broad(&v.s)->duplicate_registration;
    double cost[3];
    for (int i = 0; i < 3; i++) {
        set_value(&v.s, -1, dr, 40.0 * i);
        mkba_draw_result *r = sim_run(&v.s, 2, NULL);
        cost[i] = arm_cost(r, BROAD);
        mkba_draw_result_free(r);
    }
    assert_true(cost[1] > cost[0] + 1.0);
    assert_true(fabs((cost[2] - cost[0]) - 2.0 * (cost[1] - cost[0])) <= 1e-9 * fabs(cost[2]));
    variant_close(&v);
    variant_open(&v, partial, 2);
    dr = broad(&v.s)->duplicate_registration;
    set_value(&v.s, -1, dr, 0.0);
    mkba_draw_result *r0 = sim_run(&v.s, 2, NULL);
    set_value(&v.s, -1, dr, 80.0);
    mkba_draw_result *r1 = sim_run(&v.s, 2, NULL);
    assert_same_record(r0, r1);
    mkba_draw_result_free(r0);
    mkba_draw_result_free(r1);
    variant_close(&v);
}

/* ------------------------------------------------------ unpooled budgets */

/* The unpooled setting at `unpooled` = x has the effect of the engine's
 * existing setting `same` at y (unpooled at 0): the same outcomes, bit for
 * bit. Leaves `unpooled` at 0 and `same` at `restore`. */
static void assert_unpooled_is(sim *s, int unpooled, double x, int same, double y,
                               double restore)
{
    set_value(s, -1, unpooled, x);
    mkba_draw_result *a = sim_run(s, 2, NULL);
    set_value(s, -1, unpooled, 0.0);
    set_value(s, -1, same, y);
    mkba_draw_result *b = sim_run(s, 2, NULL);
    set_value(s, -1, same, restore);
    assert_same_record(a, b);
    mkba_draw_result_free(a);
    mkba_draw_result_free(b);
}

/* The joint plan loses plan_loss of its coordination: loss 1/2 at
 * coordination 0.5 is coordination 0.25 with pooled-equivalent loss 0; loss
 * 1 is no coordination, which lets debt drive mental health unchecked:
 * more escalations. */
static void test_unpooled_plan_loss(void **state)
{
    (void)state;
    static const char *const limited[] = {TO_LIMITED};
    variant v;
    variant_open(&v, limited, 3);
    const mkba_pathway *p = broad(&v.s);
    assert_unpooled_is(&v.s, p->unpooled_plan_loss, 0.5, p->coordination, 0.25, 0.5);
    assert_unpooled_is(&v.s, p->unpooled_plan_loss, 1.0, p->coordination, 0.0, 0.5);
    mkba_draw_result *kept = sim_run(&v.s, 2, NULL);
    set_value(&v.s, -1, p->unpooled_plan_loss, 1.0);
    mkba_draw_result *lost = sim_run(&v.s, 2, NULL);
    assert_true(arm_escalations(lost, BROAD) > arm_escalations(kept, BROAD));
    /* The classic arm is untouched. */
    assert_true(arm_escalations(lost, 0) == arm_escalations(kept, 0));
    mkba_draw_result_free(kept);
    mkba_draw_result_free(lost);
    variant_close(&v);
}

/* The teams buy shift of the help they would give themselves: shift 1/2 at
 * share 0.4 is share 0.2; shift 1 is no substitution, so the Wmo pays
 * more, and households move exactly as before. */
static void test_unpooled_shift(void **state)
{
    (void)state;
    static const char *const limited[] = {TO_LIMITED};
    variant v;
    variant_open(&v, limited, 3);
    const mkba_pathway *p = broad(&v.s);
    int share = p->substitute[0].share;
    assert_unpooled_is(&v.s, p->unpooled_shift, 0.5, share, 0.2, 0.4);
    assert_unpooled_is(&v.s, p->unpooled_shift, 1.0, share, 0.0, 0.4);
    mkba_draw_result *given = sim_run(&v.s, 2, NULL);
    set_value(&v.s, -1, p->unpooled_shift, 1.0);
    mkba_draw_result *bought = sim_run(&v.s, 2, NULL);
    size_t P = bought->npayers;
    assert_true(bought->cost_total[BROAD * P] > given->cost_total[BROAD * P] + 1.0);
    assert_memory_equal(bought->occupancy, given->occupancy,
                        bought->narms * bought->npoints * bought->nstates_total * sizeof(double));
    mkba_draw_result_free(given);
    mkba_draw_result_free(bought);
    variant_close(&v);
}

/* Heavier help: the own team's worsening ratio times 1 + second_line, so
 * second_line 1 at worsen_hr 0.7 is worsen_hr 1.4; at the library's upper
 * end, 0.2, more escalations to second-line states than at 0. The providers keep
 * their ratios (the classic arm is untouched). */
static void test_unpooled_second_line(void **state)
{
    (void)state;
    static const char *const limited[] = {TO_LIMITED};
    variant v;
    variant_open(&v, limited, 3);
    const mkba_pathway *p = broad(&v.s);
    int worsen = v.s.m->services.team[p->team].worsen_hr;
    assert_unpooled_is(&v.s, p->unpooled_second_line, 1.0, worsen, 1.4, 0.7);
    mkba_draw_result *base = sim_run(&v.s, 2, NULL);
    set_value(&v.s, -1, p->unpooled_second_line, 0.2);
    mkba_draw_result *heavy = sim_run(&v.s, 2, NULL);
    assert_true(arm_escalations(heavy, BROAD) > arm_escalations(base, BROAD));
    assert_true(arm_escalations(heavy, 0) == arm_escalations(base, 0));
    mkba_draw_result_free(base);
    mkba_draw_result_free(heavy);
    variant_close(&v);
}

/* Pooled budgets carry none of it: the unpooled parameters do not exist,
 * and the fixture at full equals limited with every unpooled effect at 0
 * but for the degree's weight and the shared ICT (checked above). */
static void test_pooled_has_no_unpooled(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, FIXTURE, HOUSEHOLDS);
    const mkba_pathway *p = broad(&s);
    assert_int_equal(p->unpooled_plan_loss, -1);
    assert_int_equal(p->unpooled_shift, -1);
    assert_int_equal(p->unpooled_second_line, -1);
    sim_close(&s);
}

/* ------------------------------------------------------------------ costs */

/* The front office's fit-out and the pooling's investment are one-off
 * costs of the switch, booked as overheads.investment is, and the pooling's
 * running cost as overheads.recurring: the same records bit for bit; X
 * adds X / population to the arm's undiscounted cost (spent at time 0). */
static void test_integration_costs(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, FIXTURE, HOUSEHOLDS);
    const mkba_pathway *p = broad(&s);
    const double X = 250000.0, R = 40000.0;
    double population = s.values[s.m->services.population];
    mkba_draw_result *zero = sim_run(&s, 2, NULL);
    const int once[] = {p->front_office_investment, p->pooling_investment};
    for (int i = 0; i < 2; i++) {
        set_value(&s, -1, once[i], X);
        mkba_draw_result *a = sim_run(&s, 2, NULL);
        set_value(&s, -1, once[i], 0.0);
        set_value(&s, -1, p->investment, X);
        mkba_draw_result *b = sim_run(&s, 2, NULL);
        set_value(&s, -1, p->investment, 0.0);
        assert_same_record(a, b);
        double added = arm_cost(a, BROAD) - arm_cost(zero, BROAD);
        assert_true(fabs(added - X / population) <= 1e-9 * X);
        assert_true(arm_cost(a, 0) == arm_cost(zero, 0)); /* the reference pays none */
        mkba_draw_result_free(a);
        mkba_draw_result_free(b);
    }
    set_value(&s, -1, p->pooling_running, R);
    mkba_draw_result *a = sim_run(&s, 2, NULL);
    set_value(&s, -1, p->pooling_running, 0.0);
    set_value(&s, -1, p->recurring, R);
    mkba_draw_result *b = sim_run(&s, 2, NULL);
    assert_same_record(a, b);
    assert_true(arm_cost(a, BROAD) > arm_cost(zero, BROAD));
    mkba_draw_result_free(a);
    mkba_draw_result_free(b);
    mkba_draw_result_free(zero);
    sim_close(&s);
}

/* -------------------------------------------------------------- bad input */

#define LIMITED_ICT "ict_investment = 0.0; ict_running = 0.0;"
#define POOLING "pooling_investment = 0.0; pooling_running = 0.0;"
#define UNPOOLED(x) "unpooled = { " x " };"
#define ZERO_UNPOOLED "plan_loss = 0.0; shift = 0.0; second_line = 0.0;"

static void test_bad_integration(void **state)
{
    (void)state;
    static const support_bad cases[] = {
        /* An unknown element. */
        {FIXTURE, {"integration = {", "integration = { pooled_budget = true;"},
         "pooled_budget", {"pooled_budget"}},
        /* Not a boolean. */
        {FIXTURE, {"integration = {", "integration = { front_office = \"yes\";"},
         "front_office = \"yes\"", {"front_office", "true or false"}},
        {FIXTURE, {"integration = {", "integration = { coordination_weight = 1.5;"},
         "coordination_weight", {"coordination_weight", "out of range", "0 to 1"}},
        {FIXTURE, {"front_office_investment = 0.0;", "front_office_investment = -1.0;"},
         "front_office_investment = -1.0", {"front_office_investment", "out of range"}},
        {FIXTURE, {"pooling_running = 0.0;", ""}, "integration = {",
         {"pooling_running", "required setting is missing", "pooled budgets"}},
        {FIXTURE, {"front_office_investment = 0.0;", "front_office = false;"},
         "co_location", {"co_location", "no front office"}},
        {FIXTURE, {"co_location = 0.0;", ""}, "overheads = {",
         {"co_location", "required setting is missing"}},
        /* Unpooled budgets: required at limited and partial, refused at full. */
        {FIXTURE, {"degree = \"full\"", "degree = \"limited\"", LIMITED_ICT, "", POOLING, ""},
         "integration = {", {"unpooled", "required setting is missing", "degree limited"}},
        {FIXTURE, {POOLING, UNPOOLED(ZERO_UNPOOLED) " " POOLING}, "unpooled = {",
         {"unpooled", "nothing is unpooled"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED("plan_loss = 1.2; shift = 0.0; second_line = 0.0;")},
         "plan_loss", {"plan_loss", "out of range"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED("plan_loss = 0.0; shift = -0.1; second_line = 0.0;")},
         "shift = -0.1", {"shift", "out of range"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED("plan_loss = 0.0; shift = 0.0; second_line = -1.0;")},
         "second_line = -1.0", {"second_line", "out of range"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED("plan_loss = 0.0; shift = 0.0; second_lines = 0.0;")},
         "second_lines", {"second_lines"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED("plan_loss = 0.0; shift = 0.0;")},
         "unpooled = {", {"second_line", "required setting is missing"}},
        /* Pooling costs where nothing is pooled; ICT costs where the
         * degree shares no data. */
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"",
                   "integration = {", "integration = { " UNPOOLED(ZERO_UNPOOLED)},
         "pooling_investment", {"pooling_investment", "no pooled budgets"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"limited\"", POOLING,
                   UNPOOLED(ZERO_UNPOOLED)},
         "ict_investment", {"ict_investment", "no shared ICT"}},
        /* The classic route integrates nothing. */
        {FIXTURE, {"degree = \"full\"", "degree = \"none\""}, "integration = {",
         {"integration", "integrates nothing", "degree none"}},
    };
    support_bad_loads(cases, sizeof cases / sizeof cases[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_degree_defaults),
        cmocka_unit_test(test_override_equals_explicit),
        cmocka_unit_test(test_group_alone_changes_nothing),
        cmocka_unit_test(test_shared_ict_follows_degree),
        cmocka_unit_test(test_unpooled_plan_loss),
        cmocka_unit_test(test_unpooled_shift),
        cmocka_unit_test(test_unpooled_second_line),
        cmocka_unit_test(test_pooled_has_no_unpooled),
        cmocka_unit_test(test_integration_costs),
        cmocka_unit_test(test_bad_integration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
