/* Degrees of integration, front and back office, pooled and unpooled
 * budgets (issue 12; docs/model.md, "Degrees of integration").
 *
 * Fixture: tests/data/services_integration.cfg, a broad team at degree full
 * with an integration group whose costs are 0. Variants edit its text;
 * values of a draw are edited in place, so every comparison runs on the
 * same random numbers. Sizes are checked against an equivalent setting the
 * engine already had (the substitution share, the overheads), bit for bit,
 * and heavier help by what it must leave alone. */
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
/* The broad arm of FIXTURE as model B: one team behind a triage intake. */
#define SPECIFIC_TRIAGE                                                                    \
    "rule = \"specific\"; degree = \"full\"; teams = [\"wijkteam\"]; triage = ( { team = " \
    "\"wijkteam\"; domain = \"youth\"; min_severity = 1.0; } );"
#define HOUSEHOLDS 3000L
#define BROAD 1

/* The fixture's pathway at degree limited: no shared ICT (so no ICT
 * costs) and unpooled budgets (so no pooling costs, and their effects,
 * all 0 here). */
#define TO_LIMITED                                                                   \
    "degree = \"full\"", "degree = \"limited\"",                                     \
    "ict_investment = 0.0; ict_running = 0.0;", "",                                  \
    "pooling_investment = 0.0; pooling_running = 0.0;",                              \
    "unpooled = { shift = 0.0; second_line = 0.0; };"

#define LIMITED_ICT "ict_investment = 0.0; ict_running = 0.0;"
#define POOLING "pooling_investment = 0.0; pooling_running = 0.0;"
#define UNPOOLED(x) "unpooled = { " x " };"
#define ZERO_UNPOOLED "shift = 0.0; second_line = 0.0;"
/* The fixture's integration group, as written there. */
#define GROUP                                                                            \
    "integration = { front_office_investment = 0.0;\n"                                   \
    "                              pooling_investment = 0.0; pooling_running = 0.0; };"

/* The fixture with up to three edits, loaded and sampled (remove the file
 * with sim_done). */
typedef struct variant {
    sim s;
    char path[512];
} variant;

static void variant_open(variant *v, const char *const *edit, int nedit)
{
    assert_true(nedit <= 3);
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
            edit[2 * n + 1] = "unpooled = { shift = 0.0; second_line = 0.0; };";
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

/* Variants a and b give the same records; closes both. */
static void assert_runs_same(variant *a, variant *b)
{
    mkba_draw_result *ra = sim_run(&a->s, 2, NULL), *rb = sim_run(&b->s, 2, NULL);
    assert_same_record(ra, rb);
    mkba_draw_result_free(ra);
    mkba_draw_result_free(rb);
    variant_close(a);
    variant_close(b);
}

/* The engine's integration switched off on a loaded arm: what a pathway
 * at degree full without the group was before it was refused (nothing of
 * the group applies). */
static void integration_off(sim *s)
{
    s->m->services.pathway[BROAD].integration = 0;
}

/* The group at no cost with shared_ict = false (what the upgraded test
 * fixtures write) is the previous behaviour, the arm with the engine's
 * integration switched off: the same records bit for bit. */
static void test_zero_group_changes_nothing(void **state)
{
    (void)state;
    static const char *const no_ict[] = {
        "ict_investment = 0.0; ict_running = 0.0;", "shared_ict = false;"};
    variant a, b;
    variant_open(&a, no_ict, 1);
    variant_open(&b, no_ict, 1);
    assert_int_equal(broad(&a.s)->integration, 1);
    assert_int_equal(broad(&a.s)->pooled_budgets, 1);
    assert_int_equal(broad(&a.s)->shared_ict, 0);
    integration_off(&b.s);
    assert_runs_same(&a, &b);
}

/* Every test fixture at degree full carries its group at no cost and
 * without shared ICT, so its results are the ones it had before the group
 * was required: each integration cost is a parameter of value 0 in every
 * arm, and a draw is the draw with the engine's integration switched off,
 * bit for bit. */
static void test_fixture_groups_cost_nothing(void **state)
{
    (void)state;
    static const char *const fixtures[] = {
        "tests/data/services.cfg", "tests/data/services_queue.cfg",
        "tests/data/services_queue_open.cfg", "tests/data/services_substitution.cfg",
        "tests/data/unused.cfg"};
    for (size_t f = 0; f < sizeof fixtures / sizeof fixtures[0]; f++) {
        sim a, b;
        sim_open(&a, fixtures[f], 400);
        sim_open(&b, fixtures[f], 400);
        int fulls = 0;
        for (size_t arm = 0; arm < a.m->narms; arm++) {
            mkba_pathway *p = &a.m->services.pathway[arm];
            if (p->degree != MKBA_DEGREE_FULL)
                continue;
            fulls++;
            assert_int_equal(p->integration, 1);
            assert_int_equal(p->shared_ict, 0);
            /* (co_location predates the group: services.cfg pays one) */
            const int cost[] = {p->front_office_investment, p->pooling_investment,
                                p->pooling_running};
            for (size_t i = 0; i < sizeof cost / sizeof cost[0]; i++) {
                assert_true(cost[i] >= 0);
                for (size_t x = 0; x < a.m->narms; x++)
                    assert_true(a.values[x * a.np + (size_t)cost[i]] == 0.0);
            }
            b.m->services.pathway[arm].integration = 0;
        }
        print_message("%s: %d arm(s) at degree full\n", fixtures[f], fulls);
        assert_true(fulls >= 1);
        mkba_draw_result *ra = sim_run(&a, 1, NULL), *rb = sim_run(&b, 1, NULL);
        assert_same_record(ra, rb);
        mkba_draw_result_free(ra);
        mkba_draw_result_free(rb);
        sim_close(&a);
        sim_close(&b);
    }
}

/* Degree full without the group is refused in one message listing every
 * setting still missing, with the file and line (docs/scenario.md,
 * "Upgrading: degree full needs its integration group"). */
static void test_full_needs_group(void **state)
{
    (void)state;
    static const support_bad cases[] = {
        /* Only the group missing: the others are there. */
        {FIXTURE, {GROUP, ""}, "broad = {",
         {"broad.integration: required setting is missing; rule 'broad' at degree full",
          "still missing: integration = { front_office_investment = ...; pooling_investment = "
          "...; pooling_running = ...; } (0 is a statement too",
          "Upgrading: degree full needs its integration group"}},
        /* Everything missing, in one message. */
        {"tests/data/services_queue.cfg",
         {"payer = \"gemeente\";\n             overheads = { co_location = 0.0; shared_ict = "
          "false; };\n             integration = { front_office_investment = 0.0; "
          "pooling_investment = 0.0; pooling_running = 0.0; };", ""},
         "desk = {",
         {"desk.integration: required setting is missing",
          "still missing: integration = { front_office_investment = ...; pooling_investment = "
          "...; pooling_running = ...; }; overheads.co_location; overheads.ict_investment and "
          "overheads.ict_running (or overheads.shared_ict = false); payer (who bears these "
          "costs) (0 is a statement too"}},
        /* shared_ict = false stands for the ICT costs. */
        {"tests/data/services_queue.cfg",
         {"overheads = { co_location = 0.0; shared_ict = false; };\n             integration = "
          "{ front_office_investment = 0.0; pooling_investment = 0.0; pooling_running = 0.0; "
          "};", "overheads = { shared_ict = false; };"},
         "desk = {",
         {"desk.integration: required setting is missing",
          "pooling_running = ...; }; overheads.co_location (0 is a statement too"}},
    };
    support_bad_loads(cases, sizeof cases / sizeof cases[0]);
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
        "unpooled = { shift = 0.0; second_line = 0.0; };"};
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

/* The weaker joint plan of unpooled budgets is the degree's weight, not
 * counted twice (review integ12, 3): a partial arm with unpooled budgets
 * at no unpooled effect is the partial arm with its budgets pooled at no
 * cost, bit for bit. (It was compared with the partial arm without the
 * group, which is now refused: review issue12-s7, finding 2.) */
static void test_group_at_partial_changes_nothing(void **state)
{
    (void)state;
    static const char *const unpooled[] = {
        "degree = \"full\"", "degree = \"partial\"", "pooling_investment = 0.0; pooling_running = 0.0;",
        "unpooled = { shift = 0.0; second_line = 0.0; };"};
    static const char *const pooled[] = {
        "degree = \"full\"", "degree = \"partial\"",
        "integration = {", "integration = { pooled_budgets = true;"};
    variant a, b;
    variant_open(&a, unpooled, 2);
    variant_open(&b, pooled, 2);
    assert_int_equal(broad(&a.s)->pooled_budgets, 0);
    assert_int_equal(broad(&b.s)->pooled_budgets, 1);
    assert_true(broad(&a.s)->coordination_weight == broad(&b.s)->coordination_weight);
    assert_runs_same(&a, &b);
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

/* The arm's cost in category `name` summed over cycles (undiscounted). */
static double arm_category(const sim *s, const mkba_draw_result *r, size_t arm,
                           const char *name)
{
    size_t c = 0;
    while (c < s->m->ncategories && strcmp(s->m->category[c], name) != 0)
        c++;
    assert_true(c < r->ncategories);
    double sum = 0.0;
    for (size_t k = 0; k < r->ncycles; k++)
        sum += r->cost_category[(arm * r->ncycles + k) * r->ncategories + c];
    return sum;
}

/* The households' states, effects and the services' counts of the two
 * draws are the same, bit for bit (costs may differ). */
static void assert_same_states(const mkba_draw_result *a, const mkba_draw_result *b)
{
    const size_t A = a->narms, C = a->ncycles;
    assert_memory_equal(a->occupancy, b->occupancy,
                        A * a->npoints * a->nstates_total * sizeof(double));
    assert_memory_equal(a->escalations, b->escalations, A * C * a->ndomains * sizeof(double));
    assert_memory_equal(a->effect_total, b->effect_total, A * a->neffects * sizeof(double));
    assert_memory_equal(a->svc_in_care, b->svc_in_care, A * C * sizeof(double));
    assert_memory_equal(a->svc_queue, b->svc_queue, A * C * sizeof(double));
}

/* Heavier help ("onnodig zware inzet van middelen" [S1]) is a cost at
 * unchanged need (review integ12, 1): second_line leaves every state,
 * effect and count as it was, so an unpooled team never does worse for
 * its households than with pooled budgets (and shift 1 neither); it
 * raises the arm's cost in the help categories only ("first line",
 * "second line", not the team's or the programme's), in proportion to
 * second_line; the classic arm pays nothing more. */
static void test_unpooled_second_line(void **state)
{
    (void)state;
    static const char *const limited[] = {TO_LIMITED};
    variant v;
    variant_open(&v, limited, 3);
    const mkba_pathway *p = broad(&v.s);
    mkba_draw_result *r[3];
    const double heavier[3] = {0.0, 0.5, 1.0};
    for (int i = 0; i < 3; i++) {
        set_value(&v.s, -1, p->unpooled_second_line, heavier[i]);
        set_value(&v.s, -1, p->unpooled_shift, heavier[i]);
        r[i] = sim_run(&v.s, 2, NULL);
        set_value(&v.s, -1, p->unpooled_shift, 0.0);
    }
    /* shift alone, to take its part out of the costs below */
    set_value(&v.s, -1, p->unpooled_second_line, 0.0);
    double shifted[3];
    for (int i = 0; i < 3; i++) {
        set_value(&v.s, -1, p->unpooled_shift, heavier[i]);
        mkba_draw_result *x = sim_run(&v.s, 2, NULL);
        shifted[i] = arm_cost(x, BROAD);
        assert_same_states(r[i], x);
        mkba_draw_result_free(x);
    }
    assert_same_states(r[0], r[2]);
    double extra[3];
    for (int i = 0; i < 3; i++)
        extra[i] = arm_cost(r[i], BROAD) - shifted[i];
    assert_true(extra[0] == 0.0);
    assert_true(extra[1] > 1.0);
    assert_true(fabs(extra[2] - 2.0 * extra[1]) <= 1e-9 * extra[2]);
    static const char *const untouched[] = {"team", "programme"};
    for (size_t c = 0; c < 2; c++)
        assert_true(arm_category(&v.s, r[2], BROAD, untouched[c])
                    == arm_category(&v.s, r[0], BROAD, untouched[c]));
    assert_true(arm_category(&v.s, r[2], BROAD, "second line")
                > arm_category(&v.s, r[0], BROAD, "second line"));
    assert_true(arm_cost(r[2], 0) == arm_cost(r[0], 0));
    for (int i = 0; i < 3; i++)
        mkba_draw_result_free(r[i]);
    variant_close(&v);
}

/* In the same arm, the households on the providers' route keep their
 * help (review integ12, 6): a mixed arm at integrated_share 0 sends every
 * household to the providers, and second_line then costs nothing; at 1/2
 * it costs, less than in the whole arm, and the states stay the same. */
static void test_heavier_own_teams_only(void **state)
{
    (void)state;
    static const char *const mixed[] = {
        "degree = \"full\"",
        "degree = \"limited\"; integrated_share = 0.5; classic_access = \"classic\"",
        "ict_investment = 0.0; ict_running = 0.0;", "",
        "pooling_investment = 0.0; pooling_running = 0.0;",
        "unpooled = { shift = 0.0; second_line = 0.0; };"};
    variant v;
    variant_open(&v, mixed, 3);
    const mkba_pathway *p = broad(&v.s);
    assert_true(p->integrated_share >= 0);
    double extra[2];
    const double share[2] = {0.0, 0.5};
    for (int i = 0; i < 2; i++) {
        set_value(&v.s, -1, p->integrated_share, share[i]);
        set_value(&v.s, -1, p->unpooled_second_line, 0.0);
        mkba_draw_result *a = sim_run(&v.s, 2, NULL);
        set_value(&v.s, -1, p->unpooled_second_line, 1.0);
        mkba_draw_result *b = sim_run(&v.s, 2, NULL);
        assert_same_states(a, b);
        /* the providers have households in care in the arm */
        double in_care = 0.0;
        for (size_t k = 0; k < a->ncycles; k++)
            in_care += a->svc_in_care[BROAD * a->ncycles + k];
        assert_true(in_care > 0.0);
        extra[i] = arm_cost(b, BROAD) - arm_cost(a, BROAD);
        mkba_draw_result_free(a);
        mkba_draw_result_free(b);
    }
    assert_true(extra[0] == 0.0);
    assert_true(extra[1] > 1.0);
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

/* A reference arm with the group (review integ12, 6): what is in place
 * today was set up before the horizon, so its one-off costs are 0 whatever
 * they are, while its pooled budget's running cost is paid. */
static void test_reference_pays_no_one_offs(void **state)
{
    (void)state;
    static const char *const ref_broad[] = {
        "{ name = \"classic\"; reference = true;", "{ name = \"classic\";",
        "{ name = \"broad\";", "{ name = \"broad\"; reference = true;"};
    variant v;
    variant_open(&v, ref_broad, 2);
    assert_int_equal(v.s.m->reference, BROAD);
    const mkba_pathway *p = broad(&v.s);
    mkba_draw_result *zero = sim_run(&v.s, 2, NULL);
    set_value(&v.s, -1, p->front_office_investment, 250000.0);
    set_value(&v.s, -1, p->pooling_investment, 250000.0);
    mkba_draw_result *once = sim_run(&v.s, 2, NULL);
    assert_same_record(zero, once);
    set_value(&v.s, -1, p->pooling_running, 40000.0);
    mkba_draw_result *running = sim_run(&v.s, 2, NULL);
    assert_true(arm_cost(running, BROAD) > arm_cost(zero, BROAD) + 1.0);
    assert_true(arm_cost(running, 0) == arm_cost(zero, 0));
    mkba_draw_result_free(zero);
    mkba_draw_result_free(once);
    mkba_draw_result_free(running);
    variant_close(&v);
}

/* -------------------------------------------------------------- bad input */


/* Teams side by side without triage are each reached at their own
 * counter, so front_office = false stays allowed there: only a triage
 * intake and the single-counter routes refuse it. */
static void test_specific_without_triage_may_drop_front_office(void **state)
{
    (void)state;
    const char *const edit[] = {
        "rule = \"broad\"; degree = \"full\"; team = \"wijkteam\";",
        "rule = \"specific\"; degree = \"full\"; teams = [\"wijkteam\"];",
        "co_location = 0.0;", "", "front_office_investment = 0.0;", "front_office = false;"};
    variant v;
    variant_open(&v, edit, 3);
    assert_int_equal(broad(&v.s)->rule, MKBA_ROUTE_SPECIFIC);
    assert_int_equal(broad(&v.s)->ntriage, 0);
    assert_false(broad(&v.s)->front_office);
    variant_close(&v);
}

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
        /* A route that is one counter cannot go without its front office
         * (review integ12, 2). */
        {FIXTURE, {"front_office_investment = 0.0;", "front_office = false;"},
         "front_office = false", {"front_office", "rule 'broad'", "shared counter"}},
        {FIXTURE, {"co_location = 0.0;", ""}, "overheads = {",
         {"co_location", "required setting is missing"}},
        /* Model B's triage intake is one counter too (review issue12-final,
         * finding 4). */
        {FIXTURE, {"rule = \"broad\"; degree = \"full\"; team = \"wijkteam\";", SPECIFIC_TRIAGE,
                   "co_location = 0.0;", "", "front_office_investment = 0.0;",
                   "front_office = false;"},
         "front_office = false", {"front_office", "rule 'specific' with triage", "shared counter"}},
        /* Without an overheads group the missing cost is named where it
         * belongs (review integ12, 9). */
        {FIXTURE, {"overheads = { investment = 0.0; recurring = 0.0; co_location = 0.0;\n"
                   "                            duplicate_registration = 40.0;\n"
                   "                            ict_investment = 0.0; ict_running = 0.0; };", ""},
         "broad = {", {"broad.overheads.co_location", "required setting is missing",
                       "front office"}},
        /* Shared ICT the degree switched on says so (review integ12, 8). */
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", LIMITED_ICT, "", POOLING,
                   UNPOOLED(ZERO_UNPOOLED)},
         "overheads = {", {"ict_investment", "on by default at this degree",
                           "shared_ict = false"}},
        /* Unpooled budgets: required at limited and partial, refused at full. */
        {FIXTURE, {"degree = \"full\"", "degree = \"limited\"", LIMITED_ICT, "", POOLING, ""},
         "integration = {", {"unpooled", "required setting is missing", "degree limited"}},
        {FIXTURE, {POOLING, UNPOOLED(ZERO_UNPOOLED) " " POOLING}, "unpooled = {",
         {"unpooled", "nothing is unpooled"}},
        /* The weaker joint plan is the degree's weight (review integ12, 3). */
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED("plan_loss = 0.2; shift = 0.0; second_line = 0.0;")},
         "plan_loss", {"plan_loss"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED("shift = -0.1; second_line = 0.0;")},
         "shift = -0.1", {"shift", "out of range"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED("shift = 0.0; second_line = -1.0;")},
         "second_line = -1.0", {"second_line", "out of range"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED("shift = 0.0; second_lines = 0.0;")},
         "second_lines", {"second_lines"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED("shift = 0.0;")},
         "unpooled = {", {"second_line", "required setting is missing"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED("second_line = 0.0;")},
         "unpooled = {", {"shift", "required setting is missing"}},
        /* shift without a substitution list could never act (review
         * integ12, 4). */
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", POOLING,
                   UNPOOLED(ZERO_UNPOOLED),
                   "substitution = ( { domain = \"mental\"; state = \"ill\"; payer = "
                   "\"gemeente-wmo\"; share = 0.4; places = 0.0; } );", ""},
         "shift = 0.0", {"shift", "can never act", "no substitution list"}},
        /* Pooling costs where nothing is pooled; ICT costs where the
         * degree shares no data. */
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"",
                   "integration = {", "integration = { " UNPOOLED(ZERO_UNPOOLED)},
         "pooling_investment", {"pooling_investment", "no pooled budgets"}},
        {FIXTURE, {"degree = \"full\"", "degree = \"limited\"", POOLING,
                   UNPOOLED(ZERO_UNPOOLED)},
         "ict_investment", {"ict_investment", "no shared ICT"}},
        /* An arm at limited or partial without the group would shed the
         * unpooled budgets' heavier help and its front office (review
         * issue12-s7, finding 2: model B without it came out EUR 3,414
         * per household better); at full it pools and may go without. */
        {FIXTURE, {"degree = \"full\"", "degree = \"partial\"", GROUP, ""}, "broad = {",
         {"broad.integration: required setting is missing", "degree partial does not pool",
          "front_office_investment = ...; unpooled = { shift = ...; second_line"}},
        {FIXTURE, {"rule = \"broad\"; degree = \"full\"; team = \"wijkteam\";", SPECIFIC_TRIAGE,
                   "degree = \"full\"", "degree = \"limited\"", GROUP, ""}, "broad = {",
         {"broad.integration", "rule 'specific' at degree limited", "does not pool"}},
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
        cmocka_unit_test(test_zero_group_changes_nothing),
        cmocka_unit_test(test_fixture_groups_cost_nothing),
        cmocka_unit_test(test_full_needs_group),
        cmocka_unit_test(test_shared_ict_follows_degree),
        cmocka_unit_test(test_group_at_partial_changes_nothing),
        cmocka_unit_test(test_unpooled_shift),
        cmocka_unit_test(test_unpooled_second_line),
        cmocka_unit_test(test_heavier_own_teams_only),
        cmocka_unit_test(test_reference_pays_no_one_offs),
        cmocka_unit_test(test_pooled_has_no_unpooled),
        cmocka_unit_test(test_integration_costs),
        cmocka_unit_test(test_bad_integration),
        cmocka_unit_test(test_specific_without_triage_may_drop_front_office),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
