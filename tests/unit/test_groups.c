/* "For whom" (issue 13, /draws/groups): the household groups against
 * invariants and a constructed answer.
 *
 * - Each partition of the households (severity class; number of problem
 *   domains) adds up, weighted by the groups' shares, to the draw's
 *   totals, in both engines.
 * - The groups are bit-identical for any thread count, in both engines
 *   (the services engine runs whole arms per thread or shares each
 *   cycle's households, depending on threads and arms).
 * - A constructed scenario in which only households that start heavy can
 *   gain shows the gain in the heavy group only, exactly 0 elsewhere.
 * - /analysis/groups/table adds up, share-weighted, to
 *   /analysis/cashflow/npv for every perspective and arm, and `mkba
 *   summary --table groups` lists every group of every arm; the printed
 *   table adds up too, over each partition with "no problem" (review
 *   aud13b L1).
 * - The paired columns (a group's NPV less the whole population's in the
 *   same draw: mean, P(> 0)) and the long table's per-draw lines match a
 *   recomputation from /draws/groups and /analysis/cashflow/npv_draws
 *   (review aud13b M3); a file with the table's older eight columns shows
 *   them too.
 * - On the shipped model A at the parameters' means (one base-case run),
 *   heavy households save relatively more than medium ones; over the
 *   PSA that holds in 60% of the draws only (docs/decision.md, "For
 *   whom"; docs/scenarios.md).
 * - With services, take-up benefits and substitution savings are booked
 *   to the group of the households they belong to (a constructed scenario
 *   where only one group can claim, and only one can be substituted), and
 *   the teams' costs allocated by use add up to their closed-form total
 *   and leave a group that never uses the teams out. */
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
#include <hdf5.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "engine/engine.h"
#include "io/h5out.h"
#include "support.h"
#include "support_sim.h"
#include "support_run.h"

/* Groups, in the order of mkba_result_groups. */
enum { NO_PROBLEM, LIGHT, MEDIUM, HEAVY, SINGLE, MULTIPLE, MULTI };

static int sanitized(void)
{
    return getenv("MKBA_SANITIZED") != NULL;
}

/* One draw of the scenario at `path` (the base case at the means when
 * draw < 0) on `threads` threads. */
static mkba_draw_result *one_draw(const mkba_model *m, long draw, long households, int threads)
{
    mkba_error err = {0};
    size_t np = mkba_params_count(m->params);
    double *values = calloc(m->narms * np + 1, sizeof *values);
    mkba_params_work *pw = mkba_params_work_alloc(m->params);
    assert_true(values != NULL && pw != NULL);
    assert_int_equal(mkba_params_sample(m->params, m->seed, draw < 0 ? 0 : (uint32_t)draw,
                                        draw < 0, MKBA_BASE_MEAN, values, pw, &err), MKBA_OK);
    mkba_engine *e = mkba_engine_alloc(m, MKBA_ENGINE_MICRO, households, threads, &err);
    if (e == NULL)
        fail_msg("%s", err.message);
    mkba_draw_result *r = mkba_draw_result_alloc(m);
    assert_non_null(r);
    if (mkba_engine_draw(e, values, m->seed, draw < 0 ? 0 : (uint32_t)draw, r, NULL, &err)
        != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_engine_free(e);
    mkba_params_work_free(pw);
    free(values);
    return r;
}

/* mkba_group_cell on constructed starting states, against the
 * definition (docs/decision.md, "For whom"): no problem when no domain's
 * severity is above 0; else 1 + 3 x class + count, class light (highest
 * severity <= 1), medium (<= 2), heavy (> 2), count single (1 problem
 * domain), multiple (2), multi-problem (3 or more, at any severity). Each
 * of five domains has states of severity 0, 0.5, 1, 1.0000001, 2, 3 and
 * 2 + 1e-10 (the services' level 2, mkba_tables.level: medium).
 * Then each cell is in exactly one group of each partition, the group
 * its class and its count name (mkba_group_has_cell). */
static void test_group_cell_by_definition(void **state)
{
    (void)state;
    static const double severity[] = { 0, 0.5, 1, 1.0000001, 2, 3, 2 + 1e-10 };
    static const uint8_t level[] = { 1, 1, 1, 2, 2, 3, 2 };
    enum { NS = 7, ND = 5 };
    double sev[NS * ND];
    uint8_t lev[NS * ND];
    mkba_layout l;
    memset(&l, 0, sizeof l);
    for (int d = 0; d < ND; d++) {
        l.state_base[d] = NS * d;
        memcpy(sev + NS * d, severity, sizeof severity);
        memcpy(lev + NS * d, level, sizeof level);
    }
    mkba_tables t;
    memset(&t, 0, sizeof t);
    t.l = &l;
    t.severity = sev;
    t.level = lev;
    static const struct { uint8_t x[ND]; int cell; } cases[] = {
        { { 0, 0, 0, 0, 0 }, 0 },
        { { 1, 0, 0, 0, 0 }, 1 },          /* 0.5: light, single */
        { { 0, 0, 2, 0, 0 }, 1 },          /* 1: still light */
        { { 0, 3, 0, 0, 0 }, 4 },          /* just above 1: medium */
        { { 0, 0, 0, 0, 4 }, 4 },          /* 2: medium */
        { { 5, 0, 0, 0, 0 }, 7 },          /* 3: heavy */
        { { 2, 1, 0, 0, 0 }, 2 },          /* light, multiple */
        { { 4, 2, 0, 0, 0 }, 5 },          /* medium, multiple */
        { { 5, 5, 0, 0, 0 }, 8 },          /* heavy, multiple */
        { { 1, 1, 1, 0, 0 }, 3 },          /* three light problems: multi-problem */
        { { 5, 1, 1, 0, 0 }, 9 },          /* heavy, multi-problem */
        { { 4, 4, 4, 4, 4 }, 6 },          /* five medium: medium, multi-problem */
        { { 6, 0, 0, 0, 0 }, 4 },          /* 2 + 1e-10: the services' medium */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int cell = mkba_group_cell(&t, ND, cases[i].x);
        if (cell != cases[i].cell)
            fail_msg("case %zu: cell %d, expected %d", i, cell, cases[i].cell);
    }
    for (int cell = 0; cell < MKBA_GROUP_CELLS; cell++) {
        int severity_groups = 0, count_groups = 0;
        for (int g = NO_PROBLEM; g <= HEAVY; g++)
            if (mkba_group_has_cell(g, cell)) {
                severity_groups++;
                assert_int_equal(g, cell == 0 ? NO_PROBLEM : LIGHT + (cell - 1) / 3);
            }
        for (int g = SINGLE; g <= MULTI; g++)
            if (mkba_group_has_cell(g, cell)) {
                count_groups++;
                assert_int_equal(g, SINGLE + (cell - 1) % 3);
            }
        assert_int_equal(severity_groups, 1);
        assert_int_equal(count_groups, cell == 0 ? 0 : 1);
        assert_int_equal(mkba_group_has_cell(NO_PROBLEM, cell), cell == 0);
    }
}

/* Σ_g share_g x x_g over the groups of one partition, for entry i of a
 * group's block of n values. */
static double partition_sum(const mkba_draw_result *r, const double *x, size_t n, size_t i,
                            const int *groups)
{
    double s = 0.0;
    for (int j = 0; j < 4; j++) {
        double share = r->group_households[groups[j]];
        if (share > 0.0)
            s += share * x[(size_t)groups[j] * n + i];
    }
    return s;
}

static void check_partitions_of(const mkba_model *m, long households)
{
    static const int severity[4] = {NO_PROBLEM, LIGHT, MEDIUM, HEAVY};
    static const int count[4] = {NO_PROBLEM, SINGLE, MULTIPLE, MULTI};
    for (long draw = 0; draw < 2; draw++) {
        mkba_draw_result *r = one_draw(m, draw, households, 2);
        const size_t AP = r->narms * r->npayers, AE = r->narms * r->neffects;
        for (int p = 0; p < 2; p++) {
            const int *g = p == 0 ? severity : count;
            double shares = 0.0;
            for (int j = 0; j < 4; j++)
                shares += r->group_households[g[j]];
            assert_float_equal(shares, 1.0, 1e-12);
            for (size_t i = 0; i < AP; i++) {
                double whole = r->cost_total_disc[i];
                double sum = partition_sum(r, r->group_cost_total_disc, AP, i, g);
                assert_float_equal(sum, whole, 1e-9 * (1.0 + fabs(whole)));
                /* The teams' costs allocated by use: the same total
                 * whichever partition. */
                double teams = partition_sum(r, r->group_team_cost_disc, AP, i, g);
                double other = partition_sum(r, r->group_team_cost_disc, AP, i,
                                             p == 0 ? count : severity);
                assert_float_equal(teams, other, 1e-9 * (1.0 + fabs(other)));
            }
            for (size_t i = 0; i < AE; i++) {
                double whole = r->effect_total_disc[i];
                double sum = partition_sum(r, r->group_effect_total_disc, AE, i, g);
                assert_float_equal(sum, whole, 1e-9 * (1.0 + fabs(whole)));
            }
        }
        /* The partitions hold the same households. */
        assert_float_equal(r->group_households[LIGHT] + r->group_households[MEDIUM]
                                + r->group_households[HEAVY],
                            r->group_households[SINGLE] + r->group_households[MULTIPLE]
                                + r->group_households[MULTI], 1e-12);
        mkba_draw_result_free(r);
    }
}

static void check_partitions(const char *path, long households)
{
    mkba_model *m = support_load(path);
    check_partitions_of(m, households);
    mkba_model_free(m);
}

static void test_partitions_add_up_streaming(void **state)
{
    (void)state;
    check_partitions("scenarios/default.cfg", 3000);
    check_partitions("tests/data/interact.cfg", 2000);
    check_partitions("tests/data/budget.cfg", 1500);   /* entrants */
}

static void test_partitions_add_up_services(void **state)
{
    (void)state;
    check_partitions("tests/data/services.cfg", 2000);
    check_partitions("scenarios/pathways/model-a.cfg", sanitized() ? 600 : 2000);
    /* Entrants (a population block) with services: the groups are the
     * starting households', priced from the closed run, and still add up
     * to its totals; the open run keeps no cells (review whom13 3, 6). */
    check_partitions("scenarios/pathways/budget-current-model-b.cfg", sanitized() ? 400 : 1500);
}

/* The group arrays of a draw on 1, 2 and 3 threads. */
static void check_threads(const char *path, long households)
{
    mkba_model *m = support_load(path);
    mkba_draw_result *r[3];
    for (int t = 0; t < 3; t++)
        r[t] = one_draw(m, 1, households, t + 1);
    const size_t G = r[0]->ngroups, AP = r[0]->narms * r[0]->npayers,
                 AE = r[0]->narms * r[0]->neffects;
    for (int t = 1; t < 3; t++) {
        assert_memory_equal(r[0]->group_households, r[t]->group_households,
                            G * sizeof(double));
        assert_memory_equal(r[0]->group_cost_total_disc, r[t]->group_cost_total_disc,
                            G * AP * sizeof(double));
        assert_memory_equal(r[0]->group_team_cost_disc, r[t]->group_team_cost_disc,
                            G * AP * sizeof(double));
        assert_memory_equal(r[0]->group_effect_total_disc, r[t]->group_effect_total_disc,
                            G * AE * sizeof(double));
    }
    for (int t = 0; t < 3; t++)
        mkba_draw_result_free(r[t]);
    mkba_model_free(m);
}

static void test_identical_for_any_thread_count(void **state)
{
    (void)state;
    check_threads("scenarios/default.cfg", 3000);
    /* Two arms: 2 threads run whole arms, 3 share each cycle. */
    check_threads("tests/data/services.cfg", 1500);
    check_threads("tests/data/services_queue.cfg", 1500);
    /* Take-up, substitution and the allocation by use (4 arms: whole arms
     * per thread on 2 threads, shared cycles on 3 too). */
    check_threads("scenarios/pathways/model-a.cfg", sanitized() ? 400 : 1200);
}

/* Two domains whose problems never start or worsen; only the top state
 * (severity 3) recovers, faster in the "help" arm, and only it costs.
 * Households that start without a heavy problem follow the same rows in
 * both arms, on the same random numbers: their costs are identical. */
static const char *heavy_only =
    "mkba_format = 1;\n"
    "name = \"heavy-only\";\n"
    "price_year = 2024;\n"
    "run = { seed = 5; draws = 0; households = 4000; };\n"
    "timing = { cycle = \"year\"; horizon = 5; };\n"
    "discount = { costs = 0.03; effects = 0.03; };\n"
    "payers = ( \"gemeente\" );\n"
    "effects = ( { name = \"qaly\"; unit = \"QALY\"; } );\n"
    "arms = ( { name = \"as-is\"; reference = true; },\n"
    "         { name = \"help\"; overrides = { p_up = 0.6; }; } );\n"
    "parameters = { p_up = 0.2; };\n"
    "domains = (\n"
    "  { name = \"debt\"; states = ( \"none\", \"light\", \"medium\", \"top\" );\n"
    "    initial = { prevalence = [0.4, 0.2, 0.25, 0.15]; loading = 0.5; };\n"
    "    transitions = ( { from = \"none\"; probabilities = { light = 0.0; }; },\n"
    "                    { from = \"light\"; probabilities = { none = 0.0; }; },\n"
    "                    { from = \"medium\"; probabilities = { light = 0.0; }; },\n"
    "                    { from = \"top\"; probabilities = { medium = \"p_up\"; }; } ); },\n"
    "  { name = \"housing\"; states = ( \"none\", \"light\", \"medium\", \"top\" );\n"
    "    initial = { prevalence = [0.5, 0.2, 0.2, 0.1]; loading = 0.5; };\n"
    "    transitions = ( { from = \"none\"; probabilities = { light = 0.0; }; },\n"
    "                    { from = \"light\"; probabilities = { none = 0.0; }; },\n"
    "                    { from = \"medium\"; probabilities = { light = 0.0; }; },\n"
    "                    { from = \"top\"; probabilities = { medium = \"p_up\"; }; } ); },\n"
    "  { name = \"health\"; states = ( \"none\", \"light\", \"medium\" );\n"
    "    initial = { prevalence = [0.5, 0.3, 0.2]; loading = 0.5; };\n"
    "    transitions = ( { from = \"none\"; probabilities = { light = 0.0; }; },\n"
    "                    { from = \"light\"; probabilities = { none = 0.0; }; },\n"
    "                    { from = \"medium\"; probabilities = { light = 0.0; }; } ); }\n"
    ");\n"
    "costs = (\n"
    "  { domain = \"debt\"; state = \"top\"; payer = \"gemeente\"; per_year = 5000.0; },\n"
    "  { domain = \"housing\"; state = \"top\"; payer = \"gemeente\"; per_year = 8000.0; }\n"
    ");\n"
    "effect_values = (\n"
    "  { effect = \"qaly\"; domain = \"debt\"; state = \"top\"; per_year = -0.1; }\n"
    ");\n";

/* The scenario text cfg, with edits applied in turn (pairs from, to; NULL
 * ends them; edits may be NULL), loaded through a file of its own. */
static mkba_model *load_text(const char *cfg, const char *const *edits)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba-groups-%d.cfg", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(cfg, f);
    fclose(f);
    for (int i = 0; edits != NULL && edits[i] != NULL; i += 2)
        assert_int_equal(support_write_variant(path, path, edits[i], edits[i + 1]), 0);
    mkba_model *m = support_load(path);
    remove(path);
    return m;
}

static void test_gain_only_where_it_can(void **state)
{
    (void)state;
    mkba_model *m = load_text(heavy_only, NULL);
    mkba_draw_result *r = one_draw(m, -1, 4000, 2);
    const size_t P = r->npayers, AP = r->narms * P;
    /* Cost saved per household of each group: reference minus help. */
    double saved[MKBA_RESULT_GROUPS];
    for (size_t g = 0; g < MKBA_RESULT_GROUPS; g++) {
        assert_true(r->group_households[g] > 0.0);
        saved[g] = r->group_cost_total_disc[g * AP] - r->group_cost_total_disc[g * AP + P];
    }
    print_message("cost saved per household: no problem %g, light %g, medium %g, heavy %g, "
                  "single %g, multiple %g, multi-problem %g\n", saved[0], saved[1], saved[2],
                  saved[3], saved[4], saved[5], saved[6]);
    assert_true(saved[NO_PROBLEM] == 0.0);
    assert_true(saved[LIGHT] == 0.0);
    assert_true(saved[MEDIUM] == 0.0);
    assert_true(saved[HEAVY] > 1000.0);
    /* The heavy households are spread over the domain counts: each count
     * class gains in proportion to its heavy share, and together they are
     * the heavy group's gain. */
    double by_count = 0.0;
    for (int g = SINGLE; g <= MULTI; g++) {
        assert_true(saved[g] > 0.0);
        by_count += r->group_households[g] * saved[g];
    }
    assert_float_equal(by_count, r->group_households[HEAVY] * saved[HEAVY],
                        1e-9 * fabs(by_count));
    mkba_draw_result_free(r);
    mkba_model_free(m);
}

/* One problem domain whose states never change (so the arms differ only
 * in what the services book): none, light, medium (severity 2) and top
 * (severity 3), so a household's group is its starting state, "single"
 * for every household with a problem. Everyone with a problem asks at
 * once and the team has room for all. The team arm's take-up is for
 * households at top (severity >= 3: the heavy group only), paid by "uwv"
 * to "huishouden"; its substitution is of the help bought in medium (the
 * medium group only). Staff, recurring and investment are the teams'
 * costs, paid by "gemeente"; undiscounted, so their total per starting
 * household is (5 x (fte x cost_per_fte + recurring) + investment) /
 * population = (5 x (400 x 1000 + 20000) + 50000) / 2000 = 1075. */
static const char *booking =
    "mkba_format = 1;\n"
    "name = \"whom-booking\";\n"
    "price_year = 2024;\n"
    "run = { seed = 11; draws = 0; households = 2000; };\n"
    "timing = { cycle = \"year\"; horizon = 5; };\n"
    "discount = { costs = 0.0; effects = 0.0; };\n"
    "payers = ( \"gemeente\", \"uwv\", \"huishouden\" );\n"
    "effects = ( { name = \"need_years\"; unit = \"household-years in need\"; "
    "better = \"lower\"; } );\n"
    "arms = ( { name = \"classic\"; reference = true; }, { name = \"team\"; } );\n"
    "domains = (\n"
    "  { name = \"need\"; states = ( \"none\", \"light\", \"medium\", "
    "{ name = \"top\"; severity = 3.0; } );\n"
    "    initial = { prevalence = [0.3, 0.2, 0.3, 0.2]; loading = 0.0; };\n"
    "    transitions = ( { from = \"none\"; probabilities = { light = 0.0; }; },\n"
    "                    { from = \"light\"; probabilities = { none = 0.0; }; },\n"
    "                    { from = \"medium\"; probabilities = { light = 0.0; }; },\n"
    "                    { from = \"top\"; probabilities = { medium = 0.0; }; } ); }\n"
    ");\n"
    "costs = ( { domain = \"need\"; state = \"medium\"; payer = \"gemeente\"; "
    "per_year = 1000.0; category = \"first line\"; } );\n"
    "effect_values = ( { effect = \"need_years\"; domain = \"need\"; state = \"medium\"; "
    "per_year = 1.0; } );\n"
    "services = {\n"
    "  population = 2000.0;\n"
    "  seek_rate = [1000.0];\n"
    "  teams = (\n"
    "    { name = \"desk\"; domains = [\"need\"]; fte = 0.0; caseload = 1.0;\n"
    "      cost_per_fte = 0.0; intake_cost = 0.0; payer = \"gemeente\";\n"
    "      improve_hr = 1.0; worsen_hr = 1.0; episode_years = 2.0; },\n"
    "    { name = \"team\"; domains = [\"need\"]; fte = 400.0; caseload = 5.0;\n"
    "      cost_per_fte = 1000.0; intake_cost = 0.0; payer = \"gemeente\";\n"
    "      improve_hr = 1.0; worsen_hr = 1.0; episode_years = 2.0; }\n"
    "  );\n"
    "  pathways = {\n"
    "    classic = { rule = \"classic\"; providers = [\"desk\"]; };\n"
    "    team = { rule = \"broad\"; degree = \"full\"; team = \"team\"; "
    "providers = [\"desk\"]; payer = \"gemeente\";\n"
    "             overheads = { investment = 50000.0; recurring = 20000.0; co_location = 0.0; "
    "shared_ict = false; };\n"
    /* degree full's group, at no cost (docs/scenario.md, "Upgrading") */
    "             integration = { front_office_investment = 0.0; pooling_investment = 0.0; "
    "pooling_running = 0.0; };\n"
    "             substitution = ( { domain = \"need\"; state = \"medium\"; "
    "payer = \"gemeente\"; share = 1.0; places = 0.0; } );\n"
    "             take_up = { domain = \"need\"; min_severity = 3.0; non_take_up = 1.0; "
    "team_claims = 1.0; amount = 1200.0; payer = \"uwv\"; recipient = \"huishouden\"; }; "
    "};\n"
    "  };\n"
    "};\n";

enum { GEMEENTE, UWV, HUISHOUDEN, BOOKING_PAYERS };

/* The booking scenario's base case, one draw on `threads` threads. */
static mkba_draw_result *booking_draw(int threads)
{
    mkba_model *m = load_text(booking, NULL);
    assert_int_equal(m->npayers, BOOKING_PAYERS);
    mkba_draw_result *r = one_draw(m, -1, 2000, threads);
    mkba_model_free(m);
    return r;
}

/* Group g's own (not allocated) cost of payer p in arm a. */
static double own_cost(const mkba_draw_result *r, int g, size_t a, int p)
{
    const size_t at = ((size_t)g * r->narms + a) * r->npayers + (size_t)p;
    return r->group_cost_total_disc[at] - r->group_team_cost_disc[at];
}

/* Take-up is the heavy group's: only households at top are entitled. The
 * households' gain and the benefit payer's cost are 0 in every other
 * severity group (under the old flat spread every group had the
 * average), and the heavy group's share of them is the whole. */
static void test_take_up_in_its_group(void **state)
{
    (void)state;
    mkba_draw_result *r = booking_draw(2);
    const size_t TEAM = 1;
    for (int g = NO_PROBLEM; g <= HEAVY; g++) {
        assert_true(r->group_households[g] > 0.0);
        for (size_t a = 0; a < 2; a++) {
            double gain = own_cost(r, g, a, HUISHOUDEN), paid = own_cost(r, g, a, UWV);
            if (g == HEAVY && a == TEAM) {
                assert_true(gain < -1000.0);
                assert_float_equal(paid, -gain, 1e-9 * paid);
            } else {
                assert_true(gain == 0.0);
                assert_true(paid == 0.0);
            }
        }
    }
    const size_t at = TEAM * r->npayers + HUISHOUDEN;
    assert_float_equal(r->group_households[HEAVY] * own_cost(r, HEAVY, TEAM, HUISHOUDEN),
                       r->cost_total_disc[at], 1e-9 * fabs(r->cost_total_disc[at]));
    mkba_draw_result_free(r);
}

/* Substitution is the medium group's: the team gives the help bought in
 * medium itself. The municipality's own cost (the cost rule, less the
 * saving) is the same in both arms in every other group (no state ever
 * changes) and lower in the team arm for medium households, by the cost
 * rule's 1000 a year for each household in the team's care at the start
 * of a cycle (substitution counts before admission): everyone asks and is
 * admitted in cycle 1, is in care at the start of cycle 2 (time point 2,
 * weight 1), leaves after the 2-year episode, asks again in cycle 3, is
 * admitted in cycle 4 and in care at the start of cycle 5 (point 5, weight
 * 1/2: the half-cycle correction at the window's end). Undiscounted:
 * 1000 x (1 + 1/2) = 1500 per medium household. Then with a start-up
 * ramp (which scales the saving, review whom13b 3) both partitions still
 * add up to the totals. */
static void test_substitution_in_its_group(void **state)
{
    (void)state;
    mkba_draw_result *r = booking_draw(2);
    for (int g = NO_PROBLEM; g <= HEAVY; g++) {
        double saved = own_cost(r, g, 0, GEMEENTE) - own_cost(r, g, 1, GEMEENTE);
        print_message("group %d: substitution saved %g per household\n", g, saved);
        if (g == MEDIUM)
            assert_float_equal(saved, 1500.0, 1e-9 * 1500.0);
        else
            assert_float_equal(saved, 0.0, 1e-9);
    }
    mkba_draw_result_free(r);
    static const char *const ramp[] = {
        "overheads = { investment", "maturity = { ramp_years = 4.0; }; overheads = { investment",
        NULL};
    mkba_model *m = load_text(booking, ramp);
    check_partitions_of(m, 2000);
    mkba_model_free(m);
}

/* Substitution of help whose price varies by year (1000 x year) is
 * priced cycle by cycle in the groups as in the totals (review of issue
 * 13's booking): both partitions add up to the totals, and the medium
 * group saves the help at each cycle's price. The help given at points 2
 * and 5 (test_substitution_in_its_group) counts half in each cycle the
 * point bounds, at that cycle's price (the per-cycle trapezoid,
 * lockstep.c): point 2 in cycles 2 and 3, 1000 x (2 + 3) / 2 = 2500;
 * point 5 in cycle 5 only (the horizon), 1000 x 5 / 2 = 2500; 5000 per
 * medium household in all. */
static void test_substitution_by_year_in_its_group(void **state)
{
    (void)state;
    static const char *const by_year[] = {
        "per_year = 1000.0; category", "per_year = \"1000.0 * year\"; category", NULL};
    mkba_model *m = load_text(booking, by_year);
    mkba_draw_result *r = one_draw(m, -1, 2000, 2);
    for (int g = NO_PROBLEM; g <= HEAVY; g++) {
        double saved = own_cost(r, g, 0, GEMEENTE) - own_cost(r, g, 1, GEMEENTE);
        print_message("group %d: substitution saved %g per household\n", g, saved);
        assert_float_equal(saved, g == MEDIUM ? 5000.0 : 0.0, 1e-9 * 5000.0);
    }
    mkba_draw_result_free(r);
    check_partitions_of(m, 2000);
    mkba_model_free(m);
}

/* The teams' costs allocated by use add up, share-weighted over either
 * partition, to their closed-form total, 1075 per starting household in
 * the team arm (0 in the classic one, whose desk has no staff); households
 * that start without a problem never ask, so never use the teams, and
 * get none of them. */
static void test_team_costs_by_use(void **state)
{
    (void)state;
    mkba_draw_result *r = booking_draw(2);
    static const int partition[2][4] = {{NO_PROBLEM, LIGHT, MEDIUM, HEAVY},
                                        {NO_PROBLEM, SINGLE, MULTIPLE, MULTI}};
    const size_t P = r->npayers;
    for (int p = 0; p < 2; p++)
        for (size_t a = 0; a < 2; a++) {
            double sum = partition_sum(r, r->group_team_cost_disc, r->narms * P, a * P + GEMEENTE,
                                       partition[p]);
            assert_float_equal(sum, a == 1 ? 1075.0 : 0.0, 1e-9 * 1075.0);
        }
    for (int g = 0; g < 4; g++)
        print_message("group %d: teams' costs %g, share %g\n", g,
                      r->group_team_cost_disc[((size_t)g * r->narms + 1) * P + GEMEENTE],
                      r->group_households[g]);
    assert_true(r->group_team_cost_disc[(NO_PROBLEM * r->narms + 1) * P + GEMEENTE] == 0.0);
    /* Every household with a problem is in care in the same cycles
     * (1, 2, 4, 5), so each such group carries the same per household:
     * 1075 over the households with a problem. */
    const double with_problem = 1.0 - r->group_households[NO_PROBLEM];
    for (int g = LIGHT; g <= HEAVY; g++)
        assert_float_equal(r->group_team_cost_disc[((size_t)g * r->narms + 1) * P + GEMEENTE],
                           1075.0 / with_problem, 1e-9 * 1075.0);
    mkba_draw_result_free(r);
}

/* Cycle by cycle (review whom13b 3): the booking scenario with the team's
 * staff, overheads and substitution removed and an intake cost of 1000,
 * an episode longer than the horizon (nobody leaves care) and households
 * without a problem getting a light one in cycle 2 (through a state
 * "pre" of severity 0, which they all reach in cycle 1). The households
 * that start with a problem (N1) are all admitted in cycle 1, the others
 * (N0) all in one later cycle j: cycle 1's intakes, 1000 x N1, go to the
 * N1 in care then, 1000 each; cycle j's, 1000 x N0, to the N0 + N1 in care
 * then, 1000 x N0 / (N0 + N1) = 1000 x share_none each. So a household
 * that starts with a problem carries 1000 x (1 + share_none), one without
 * 1000 x share_none. An allocation over the whole horizon, or one that
 * missed the households admitted in the cycle, gives other numbers. */
static void test_team_costs_cycle_by_cycle(void **state)
{
    (void)state;
    static const char *const later[] = {
        "states = ( \"none\", \"light\", \"medium\", ",
        "states = ( \"none\", { name = \"pre\"; severity = 0.0; }, "
        "{ name = \"light\"; severity = 1.0; }, { name = \"medium\"; severity = 2.0; }, ",
        "prevalence = [0.3, 0.2, 0.3, 0.2]", "prevalence = [0.3, 0.0, 0.2, 0.3, 0.2]",
        "{ from = \"none\"; probabilities = { light = 0.0; }; }",
        "{ from = \"none\"; probabilities = { pre = 1.0; }; },\n"
        "                    { from = \"pre\"; probabilities = { light = 1.0; }; }",
        "fte = 400.0; caseload = 5.0;\n      cost_per_fte = 1000.0; intake_cost = 0.0;",
        "fte = 400.0; caseload = 5.0;\n      cost_per_fte = 0.0; intake_cost = 1000.0;",
        "episode_years = 2.0; }\n  );", "episode_years = 50.0; }\n  );",
        "overheads = { investment = 50000.0; recurring = 20000.0; co_location = 0.0; "
        "shared_ict = false; };", "overheads = { co_location = 0.0; shared_ict = false; };",
        "substitution = ( { domain = \"need\"; state = \"medium\"; payer = \"gemeente\"; "
        "share = 1.0; places = 0.0; } );", "",
        NULL};
    mkba_model *m = load_text(booking, later);
    mkba_draw_result *r = one_draw(m, -1, 2000, 2);
    const size_t P = r->npayers, TEAM = 1;
    const double none = r->group_households[NO_PROBLEM];
    assert_true(none > 0.2 && none < 0.4);
    for (int g = NO_PROBLEM; g <= HEAVY; g++) {
        double x = r->group_team_cost_disc[((size_t)g * r->narms + TEAM) * P + GEMEENTE];
        print_message("group %d: teams' costs %g (share without a problem %g)\n", g, x, none);
    }
    for (int g = NO_PROBLEM; g <= HEAVY; g++) {
        double x = r->group_team_cost_disc[((size_t)g * r->narms + TEAM) * P + GEMEENTE];
        assert_float_equal(x, g == NO_PROBLEM ? 1000.0 * none : 1000.0 * (1.0 + none),
                           1e-9 * 1000.0);
    }
    mkba_draw_result_free(r);
    mkba_model_free(m);
}

/* Each team by its own use, to its own payer (review whom13b 2): two
 * domains whose states never change, each with its own provider in the
 * classic pathway: "debt" (money problems, light; paid by "schuld") and
 * "mpg" (care problems, severity 3; paid by "zorg"), with different staff
 * and so a different cost per place. Households with a money problem only
 * are the light group and use the debt team only, so they carry none of
 * the zorg's mpg costs and the heavy group (everyone with a care problem)
 * carries all of them: share_heavy x its zorg cost = 5 years x 10 FTE x
 * 1000 / 2000 households = 25 per household. The light and heavy groups
 * together carry the schuld's 5 x 4 x 1000 / 2000 = 10. */
static const char *two_teams =
    "mkba_format = 1;\n"
    "name = \"whom-two-teams\";\n"
    "price_year = 2024;\n"
    "run = { seed = 7; draws = 0; households = 2000; };\n"
    "timing = { cycle = \"year\"; horizon = 5; };\n"
    "discount = { costs = 0.0; effects = 0.0; };\n"
    "payers = ( \"schuld\", \"zorg\" );\n"
    "effects = ( { name = \"qaly\"; unit = \"QALY\"; } );\n"
    "arms = ( { name = \"classic\"; reference = true; }, { name = \"again\"; } );\n"
    "domains = (\n"
    "  { name = \"money\"; states = ( \"none\", \"light\" );\n"
    "    initial = { prevalence = [0.6, 0.4]; loading = 0.0; };\n"
    "    transitions = ( { from = \"none\"; probabilities = { light = 0.0; }; },\n"
    "                    { from = \"light\"; probabilities = { none = 0.0; }; } ); },\n"
    "  { name = \"care\"; states = ( \"none\", { name = \"top\"; severity = 3.0; } );\n"
    "    initial = { prevalence = [0.7, 0.3]; loading = 0.0; };\n"
    "    transitions = ( { from = \"none\"; probabilities = { top = 0.0; }; },\n"
    "                    { from = \"top\"; probabilities = { none = 0.0; }; } ); }\n"
    ");\n"
    "services = {\n"
    "  population = 2000.0;\n"
    "  seek_rate = [1000.0, 1000.0];\n"
    "  teams = (\n"
    "    { name = \"debt\"; domains = [\"money\"]; fte = 4.0; caseload = 500.0;\n"
    "      cost_per_fte = 1000.0; intake_cost = 0.0; payer = \"schuld\";\n"
    "      improve_hr = 1.0; worsen_hr = 1.0; episode_years = 2.0; },\n"
    "    { name = \"mpg\"; domains = [\"care\"]; fte = 10.0; caseload = 100.0;\n"
    "      cost_per_fte = 1000.0; intake_cost = 0.0; payer = \"zorg\";\n"
    "      improve_hr = 1.0; worsen_hr = 1.0; episode_years = 2.0; }\n"
    "  );\n"
    "  pathways = {\n"
    "    classic = { rule = \"classic\"; providers = [\"debt\", \"mpg\"]; };\n"
    "    again = { rule = \"classic\"; providers = [\"debt\", \"mpg\"]; };\n"
    "  };\n"
    "};\n";

static void test_each_team_by_its_own_use(void **state)
{
    (void)state;
    mkba_model *m = load_text(two_teams, NULL);
    mkba_draw_result *r = one_draw(m, -1, 2000, 2);
    enum { SCHULD, ZORG };
    const size_t P = r->npayers;
    for (size_t a = 0; a < r->narms; a++) {
        const double *light = r->group_team_cost_disc + ((size_t)LIGHT * r->narms + a) * P;
        const double *heavy = r->group_team_cost_disc + ((size_t)HEAVY * r->narms + a) * P;
        const double *none = r->group_team_cost_disc + ((size_t)NO_PROBLEM * r->narms + a) * P;
        const double sl = r->group_households[LIGHT], sh = r->group_households[HEAVY];
        print_message("arm %zu: light schuld %g zorg %g, heavy schuld %g zorg %g\n", a,
                      light[SCHULD], light[ZORG], heavy[SCHULD], heavy[ZORG]);
        assert_true(sl > 0.0 && sh > 0.0);
        assert_true(light[SCHULD] > 0.0);
        assert_true(light[ZORG] == 0.0);
        assert_true(none[SCHULD] == 0.0 && none[ZORG] == 0.0);
        assert_float_equal(sh * heavy[ZORG], 25.0, 1e-9 * 25.0);
        assert_float_equal(sl * light[SCHULD] + sh * heavy[SCHULD], 10.0, 1e-9 * 10.0);
    }
    mkba_draw_result_free(r);
    mkba_model_free(m);
}

/* The group shares of one draw of scenario text `cfg` with the edits
 * applied in turn (pairs from, to; NULL ends them), `households`
 * households. */
static void shares_of(const char *cfg, const char *const *edits, long households, double *share)
{
    mkba_model *m = load_text(cfg, edits);
    mkba_draw_result *r = one_draw(m, -1, households, 2);
    memcpy(share, r->group_households, MKBA_RESULT_GROUPS * sizeof *share);
    mkba_draw_result_free(r);
    mkba_model_free(m);
}

/* The groups come from the reference arm's starting states, also when the
 * arms start differently and the reference is not the first arm (review
 * whom13 6). Run A: the second arm is the reference and starts otherwise
 * than the first (`mixed`); run B: every arm starts as A's second, which
 * is the reference (`same`); run C: every arm starts as A's first (`base`).
 * A's shares are B's exactly (the same households' streams and the
 * reference's distribution), and not C's. */
static void check_reference_states(const char *cfg, const char *const *base,
                                   const char *const *mixed, const char *const *same,
                                   long households)
{
    double a[MKBA_RESULT_GROUPS], b[MKBA_RESULT_GROUPS], c[MKBA_RESULT_GROUPS];
    shares_of(cfg, mixed, households, a);
    shares_of(cfg, same, households, b);
    shares_of(cfg, base, households, c);
    print_message("heavy share: reference second %g, all as the second %g, all as the first %g\n",
                  a[HEAVY], b[HEAVY], c[HEAVY]);
    assert_memory_equal(a, b, sizeof a);
    assert_true(a[HEAVY] != c[HEAVY]);
}

#define STREAM_PARAMS "parameters = { p_up = 0.2; };", \
    "parameters = { p_up = 0.2; p_none = 0.4; p_top = 0.15; };", \
    "prevalence = [0.4, 0.2, 0.25, 0.15];", "prevalence = (\"p_none\", 0.2, 0.25, \"p_top\");"
#define SERVICES_PARAMS "domains = (", "parameters = { p_none = 0.3; p_top = 0.2; };\ndomains = (", \
    "prevalence = [0.3, 0.2, 0.3, 0.2];", "prevalence = (\"p_none\", 0.2, 0.3, \"p_top\");"

static void test_groups_from_the_reference_arm(void **state)
{
    (void)state;
    /* Streaming engine (heavy_only: arms "as-is" and "help"). */
    static const char *const stream_base[] = {STREAM_PARAMS, NULL};
    static const char *const stream_mixed[] = {
        STREAM_PARAMS, "{ name = \"as-is\"; reference = true; }", "{ name = \"as-is\"; }",
        "overrides = { p_up = 0.6; }",
        "reference = true; overrides = { p_up = 0.6; p_none = 0.5; p_top = 0.05; }", NULL};
    static const char *const stream_same[] = {
        STREAM_PARAMS, "{ name = \"as-is\"; reference = true; }", "{ name = \"as-is\"; }",
        "overrides = { p_up = 0.6; }", "reference = true; overrides = { p_up = 0.6; }",
        "p_none = 0.4; p_top = 0.15;", "p_none = 0.5; p_top = 0.05;", NULL};
    check_reference_states(heavy_only, stream_base, stream_mixed, stream_same, 3000);
    /* Services engine (booking: arms "classic" and "team"). */
    static const char *const svc_base[] = {SERVICES_PARAMS, NULL};
    static const char *const svc_mixed[] = {
        SERVICES_PARAMS, "{ name = \"classic\"; reference = true; }", "{ name = \"classic\"; }",
        "{ name = \"team\"; }",
        "{ name = \"team\"; reference = true; overrides = { p_none = 0.45; p_top = 0.05; }; }",
        NULL};
    static const char *const svc_same[] = {
        SERVICES_PARAMS, "{ name = \"classic\"; reference = true; }", "{ name = \"classic\"; }",
        "{ name = \"team\"; }", "{ name = \"team\"; reference = true; }",
        "p_none = 0.3; p_top = 0.2;", "p_none = 0.45; p_top = 0.05;", NULL};
    check_reference_states(booking, svc_base, svc_mixed, svc_same, 2000);
}

/* Rotterdam [S1][S30]: the social teams gained most in light and heavy
 * cases, less in medium ones. Read from the group table of the shipped
 * model A at the parameters' means, on its own population and staff:
 * society's discounted cost saved per household of the group, relative to
 * the group's cost in the reference arm. Heavy households gain more than
 * medium ones in this one run (over model A's PSA in 60% of the draws,
 * docs/decision.md "For whom"). Light ones lose: their share of the teams'
 * costs by use outweighs what light problems cost (docs/scenarios.md, "The
 * Rotterdam finding"). */
static void test_rotterdam_from_groups(void **state)
{
    (void)state;
    mkba_model *m = support_load("scenarios/pathways/model-a.cfg");
    mkba_draw_result *r = one_draw(m, -1, sanitized() ? 3000 : 12000, 2);
    const size_t P = r->npayers, AP = r->narms * P;
    const size_t ref = (size_t)m->reference, arm = 1 - ref;
    double rel[MKBA_RESULT_GROUPS];
    for (size_t g = 0; g < MKBA_RESULT_GROUPS; g++) {
        double base = 0.0, with = 0.0;
        for (size_t p = 0; p < P; p++) {
            base += r->group_cost_total_disc[g * AP + ref * P + p];
            with += r->group_cost_total_disc[g * AP + arm * P + p];
        }
        rel[g] = 1.0 - with / base;
    }
    print_message("model A vs classic, society's cost saved (relative): light %.2f%%, medium "
                  "%.2f%%, heavy %.2f%%; single %.2f%%, multiple %.2f%%, multi-problem %.2f%%\n",
                  100 * rel[LIGHT], 100 * rel[MEDIUM], 100 * rel[HEAVY], 100 * rel[SINGLE],
                  100 * rel[MULTIPLE], 100 * rel[MULTI]);
    assert_true(rel[HEAVY] > rel[MEDIUM]);
    mkba_draw_result_free(r);
    mkba_model_free(m);
}

/* The column of /analysis/groups/table named `name` by
 * /analysis/groups/statistics, whose length is *n (review whom13b 6). */
static size_t group_column(const char *path, const char *name, size_t *n)
{
    mkba_error err = {0};
    mkba_h5_store *st = mkba_h5_store_open(path, 0, &err);
    if (st == NULL)
        fail_msg("%s", err.message);
    char **col = NULL;
    if (mkba_h5_store_read_strings(st, "/analysis/groups/statistics", &col, n, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    size_t at = *n;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(col[i], name) == 0)
            at = i;
    mkba_h5_store_strings_free(col, *n);
    mkba_h5_store_close(st, NULL);
    if (at == *n)
        fail_msg("no column %s in /analysis/groups/statistics", name);
    return at;
}

/* The paired columns of /analysis/groups/table (the group's NPV less the
 * whole population's in the same draw, M3 of review aud13b) against a
 * computation of their own: society's NPV per household of each group from
 * /draws/groups (costs saved by every payer plus every monetary effect
 * gained), less the population's from /analysis/cashflow/npv_draws (the
 * population's totals, not the groups): the mean, the group's NPV weighted
 * by its share in each draw less the population's mean over the draws;
 * the share of the draws above 0; and the same per draw in the long
 * table's group_npv_minus_population_draws. */
static void check_paired(const char *bin, const char *path, const mkba_model *m)
{
    const size_t A = m->narms, P = m->npayers, E = m->neffects, G = MKBA_RESULT_GROUPS;
    const size_t ref = (size_t)m->reference;
    size_t ns = 0, nc = 0, ne = 0, nn = 0, nt = 0, GS_N = 0;
    double *share = support_read_doubles(path, "/draws/groups/households", &ns);
    double *cost = support_read_doubles(path, "/draws/groups/cost_total_discounted", &nc);
    double *effect = E > 0 ? support_read_doubles(path, "/draws/groups/effect_total_discounted",
                                                  &ne) : NULL;
    double *pop = support_read_doubles(path, "/analysis/cashflow/npv_draws", &nn);
    double *table = support_read_doubles(path, "/analysis/groups/table", &nt);
    assert_true(share != NULL && cost != NULL && pop != NULL && table != NULL);
    const size_t D = ns / G, K = nn / (D * A);
    assert_int_equal(nc, D * G * A * P);
    assert_int_equal(nn, K * D * A);
    const size_t GS_SHARE = group_column(path, "share", &GS_N),
                 GS_MEAN = group_column(path, "npv_minus_population_mean", &GS_N),
                 GS_LO = group_column(path, "npv_minus_population_2.5%", &GS_N),
                 GS_HI = group_column(path, "npv_minus_population_97.5%", &GS_N),
                 GS_P = group_column(path, "npv_minus_population_p_above_0", &GS_N);
    /* Added after the part by use, so the first eight keep their places. */
    assert_int_equal(GS_MEAN, 8);
    assert_int_equal(GS_P, GS_N - 1);
    mkba_error err = {0};
    mkba_h5_store *st = mkba_h5_store_open(path, 0, &err);
    assert_non_null(st);
    int monetary[16] = {0};
    assert_true(E <= 16);
    size_t de[1] = {E};
    if (E > 0 && mkba_h5_store_read_ints(st, "/labels/effect_monetary", 1, de, monetary, &err)
                 != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_h5_store_close(st, NULL);
    /* The long table's lines, society's, in the order written (draw, arm,
     * group): the file's draws are 0..D-1. */
    double *tidy = malloc(D * A * G * sizeof *tidy);
    assert_non_null(tidy);
    for (size_t i = 0; i < D * A * G; i++)
        tidy[i] = NAN;
    char cmd[1600], line[4096];
    snprintf(cmd, sizeof cmd, "%s summary %s --format tidy", bin, path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t lines = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char arm[64], group[64];
        int draw = -1;
        double v = 0.0;
        if (sscanf(line, "%d,%63[^,],,society,group_npv_minus_population_draws:%63[^,],%lf",
                   &draw, arm, group, &v) != 4)
            continue;
        size_t a = 0, gr = 0;
        while (a < A && strcmp(m->arm[a].name, arm) != 0)
            a++;
        while (gr < G && strcmp(mkba_result_groups[gr], group) != 0)
            gr++;
        assert_true(draw >= 0 && (size_t)draw < D && a < A && gr < G);
        tidy[((size_t)draw * A + a) * G + gr] = v;
        lines++;
    }
    assert_int_equal(pclose(f), 0);
    assert_int_equal(lines, D * (A - 1) * G);
    size_t checked = 0;
    for (size_t a = 0; a < A; a++) {
        if (a == ref)
            continue;
        double pop_mean = 0.0;
        for (size_t d = 0; d < D; d++)
            pop_mean += pop[d * A + a] / (double)D;
        for (size_t gr = 0; gr < G; gr++) {
            double sw = 0.0, swx = 0.0, lo = INFINITY, hi = -INFINITY;
            size_t n = 0, above = 0, close = 0;
            for (size_t d = 0; d < D; d++) {
                const double w = share[d * G + gr];
                if (!(w > 0.0))
                    continue;
                const double *c = cost + (d * G + gr) * A * P;
                double x = 0.0;
                for (size_t p = 0; p < P; p++)
                    x += c[ref * P + p] - c[a * P + p];
                for (size_t e = 0; e < E; e++)
                    if (monetary[e]) {
                        const double *ef = effect + (d * G + gr) * A * E;
                        x += ef[a * E + e] - ef[ref * E + e];
                    }
                sw += w;
                swx += w * x;
                x -= pop[d * A + a];          /* perspective 0, society */
                const double tol = 1e-6 * (1.0 + fabs(pop[d * A + a]));
                assert_float_equal(tidy[(d * A + a) * G + gr], x, tol);
                n++;
                above += x > 0.0;
                close += fabs(x) < tol;       /* its sign is rounding's */
                lo = x < lo ? x : lo;
                hi = x > hi ? x : hi;
            }
            const double *row = table + (a * G + gr) * GS_N;
            if (n == 0) {
                assert_true(isnan(row[GS_MEAN]) && isnan(row[GS_P]));
                continue;
            }
            const double mean = swx / sw - pop_mean;
            assert_float_equal(row[GS_MEAN], mean, 1e-6 * (1.0 + fabs(swx / sw)));
            assert_true(fabs(row[GS_P] - (double)above / (double)n)
                        <= ((double)close + 0.5) / (double)n);
            assert_true(row[GS_LO] >= lo - 1e-6 && row[GS_HI] <= hi + 1e-6);
            assert_true(row[GS_LO] <= row[GS_HI]);
            assert_true(row[GS_SHARE] > 0.0);
            checked++;
        }
    }
    assert_true(checked >= (A - 1) * 4);
    free(tidy);
    free(share);
    free(cost);
    free(effect);
    free(pop);
    free(table);
}

/* The printed table's own claims (review aud13b L1), on the CSV `mkba
 * summary --table groups` prints: share x NPV summed over either
 * partition, "no problem" included, is the whole population's NPV
 * (/analysis/cashflow/npv's mean), and share x NPV minus average sums to 0;
 * the domain rows alone (single, multiple, multi-problem) do not. */
static void check_printed_partitions(const char *bin, const char *path, const mkba_model *m)
{
    size_t nn = 0;
    double *npv = support_read_doubles(path, "/analysis/cashflow/npv", &nn);
    assert_non_null(npv);
    const size_t A = m->narms, K = nn / (A * 3);
    /* [K][A] sums over the two partitions: share x NPV, share x NPV minus
     * average, share; then the share of "no problem". */
    double *sum = calloc(K * A * 7, sizeof *sum);
    assert_non_null(sum);
    char cmd[1600], line[4096];
    snprintf(cmd, sizeof cmd, "%s summary %s --table groups --format csv", bin, path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "share,NPV,2.5%,97.5%,of which allocated by use,NPV minus "
                                 "average,2.5%,97.5%,P(above average)"));
    size_t rows = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        char persp[64], arm[64], group[64];
        double share = 0, npv_g = 0, lo = 0, hi = 0, by_use = 0, vs = 0;
        assert_int_equal(sscanf(line, "%63[^,],%63[^,],%63[^,],%lf,%lf,%lf,%lf,%lf,%lf", persp,
                                arm, group, &share, &npv_g, &lo, &hi, &by_use, &vs), 9);
        /* Rows come perspective by perspective, society first. */
        const size_t k = rows / ((A - 1) * MKBA_RESULT_GROUPS);
        size_t a = 0;
        while (a < A && strcmp(m->arm[a].name, arm) != 0)
            a++;
        assert_true(k < K && a < A);
        if (k == 0)
            assert_string_equal(persp, "society");
        double *s = sum + (k * A + a) * 7;
        const int nothing = strcmp(group, "no problem") == 0;
        const int severity = nothing || strcmp(group, "light") == 0
                             || strcmp(group, "medium") == 0 || strcmp(group, "heavy") == 0;
        for (int part = 0; part < 2; part++)
            if (nothing || (part == 0) == severity) {
                s[part * 3] += share * npv_g;
                s[part * 3 + 1] += share * vs;
                s[part * 3 + 2] += share;
            }
        if (nothing)
            s[6] = share;
        rows++;
    }
    assert_int_equal(pclose(f), 0);
    assert_int_equal(rows, K * (A - 1) * MKBA_RESULT_GROUPS);
    for (size_t k = 0; k < K; k++)
        for (size_t a = 0; a < A; a++) {
            if ((int)a == m->reference)
                continue;
            const double whole = npv[(k * A + a) * 3], *s = sum + (k * A + a) * 7;
            const double tol = 1e-6 * (1.0 + fabs(whole));
            for (int part = 0; part < 2; part++) {
                assert_float_equal(s[part * 3], whole, tol);
                assert_float_equal(s[part * 3 + 1], 0.0, tol);
                assert_float_equal(s[part * 3 + 2], 1.0, 1e-4);
            }
            /* The domain rows alone miss the households without a problem. */
            assert_true(s[6] > 0.0);
        }
    free(sum);
    free(npv);
    /* The note says which rows make up each partition; every format has
     * the paired columns. */
    static const char *const format[] = { "text", "markdown", "json" };
    for (size_t i = 0; i < sizeof format / sizeof format[0]; i++) {
        snprintf(cmd, sizeof cmd, "%s summary %s --table groups --format %s", bin, path,
                 format[i]);
        f = popen(cmd, "r");
        assert_non_null(f);
        int told = 0, paired = 0;
        while (fgets(line, sizeof line, f) != NULL) {
            told |= strstr(line, "summed over either partition, no problem included, is the "
                                 "whole population's NPV") != NULL;
            paired |= strstr(line, "NPV minus average") != NULL
                      && strstr(line, "P(above average)") != NULL;
        }
        assert_int_equal(pclose(f), 0);
        assert_true(told && paired);
    }
}

/* A file written before the paired columns: /analysis/groups/table with
 * its first eight columns and /analysis/groups/statistics naming them. The
 * readers (summary, report, tidy) compute the groups' statistics from
 * /draws/groups, so they show the paired columns for it too, the same
 * numbers. The file at path is left so. */
static void check_old_columns(const char *bin, const char *path, size_t narms)
{
    enum { OLD = 8 };
    size_t nt = 0, GS_N = 0;
    double *table = support_read_doubles(path, "/analysis/groups/table", &nt);
    assert_non_null(table);
    const size_t GS_MEAN = group_column(path, "npv_minus_population_mean", &GS_N);
    const size_t rows = nt / GS_N;
    double *old = malloc(rows * OLD * sizeof *old);
    assert_non_null(old);
    for (size_t r = 0; r < rows; r++)
        memcpy(old + r * OLD, table + r * GS_N, OLD * sizeof *old);
    hid_t h5 = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(h5 >= 0);
    assert_true(H5Ldelete(h5, "/analysis/groups/table", H5P_DEFAULT) >= 0);
    assert_true(H5Ldelete(h5, "/analysis/groups/statistics", H5P_DEFAULT) >= 0);
    H5Fclose(h5);
    mkba_error err = {0};
    mkba_h5_store *st = mkba_h5_store_open(path, 1, &err);
    assert_non_null(st);
    const size_t G = MKBA_RESULT_GROUPS;
    size_t dims[4] = {rows / (narms * G), narms, G, OLD};
    static const char *const names[OLD] = {
        "share", "npv_mean", "npv_2.5%", "npv_97.5%", "effect_gained_mean",
        "effect_gained_2.5%", "effect_gained_97.5%", "npv_mean_of_which_allocated_by_use"};
    if (mkba_h5_store_doubles(st, "/analysis/groups/table", 4, dims, old, &err) != MKBA_OK
        || mkba_h5_store_strings(st, "/analysis/groups/statistics", names, OLD, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(mkba_h5_store_close(st, &err), MKBA_OK);
    char cmd[1600], line[4096];
    snprintf(cmd, sizeof cmd, "%s summary %s --table groups --format csv", bin, path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(strstr(line, "NPV minus average"));
    /* Society's first arm against the reference: the table's first rows
     * after the reference's (NaN) ones, in the same order. */
    size_t shown = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (shown == MKBA_RESULT_GROUPS)
            continue;                 /* read to the end, so the writer is not cut off */
        double v[9];
        assert_int_equal(sscanf(line, "%*[^,],%*[^,],%*[^,],%lf,%lf,%lf,%lf,%lf,%lf", &v[0],
                                &v[1], &v[2], &v[3], &v[4], &v[5]), 6);
        size_t r = 0;                 /* the first row with this share and NPV */
        while (r < rows && !(fabs(table[r * GS_N + 1] - v[1]) <= 1e-6 * (1 + fabs(v[1]))))
            r++;
        assert_true(r < rows);
        assert_float_equal(v[5], table[r * GS_N + GS_MEAN], 1e-6 * (1 + fabs(v[5])));
        shown++;
    }
    assert_int_equal(pclose(f), 0);
    assert_int_equal(shown, MKBA_RESULT_GROUPS);
    snprintf(cmd, sizeof cmd, "%s report %s -o %s.old8.html >/dev/null 2>&1", bin, path, path);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s.old8.html", path);
    remove(cmd);
    free(old);
    free(table);
}

/* A file written before the booking per household (no
 * /draws/groups/team_cost_total_discounted, review whom13b 1): the summary
 * and the HTML report say every service cost is at the draw's average
 * and show no part by use. The file at path is left without it. */
static void check_before_booking(const char *bin, const char *path)
{
    hid_t h5 = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(h5 >= 0);
    assert_true(H5Ldelete(h5, "/draws/groups/team_cost_total_discounted", H5P_DEFAULT) >= 0);
    H5Fclose(h5);
    char cmd[1600], line[4096];
    snprintf(cmd, sizeof cmd, "%s summary %s --table groups 2>&1", bin, path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    int flat = 0, by_use = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        flat |= strstr(line, "written before the booking per household") != NULL;
        by_use |= strstr(line, "by use") != NULL || strstr(line, "belong to") != NULL;
    }
    assert_int_equal(pclose(f), 0);
    assert_true(flat);
    assert_false(by_use);
    char html[512];
    snprintf(html, sizeof html, "%s.old.html", path);
    for (int lang = 0; lang < 2; lang++) {
        snprintf(cmd, sizeof cmd, "%s report %s --lang %s -o %s >/dev/null 2>&1", bin, path,
                 lang ? "en" : "nl", html);
        assert_int_equal(system(cmd), 0);
        char *text = support_read_file(html);
        assert_non_null(text);
        const char *groups = strstr(text, "id=\"groups-table\"");
        assert_non_null(groups);
        assert_non_null(strstr(text, lang ? "written before the booking per household"
                                          : "geschreven voor de boeking per huishouden"));
        assert_null(strstr(text, lang ? "allocated by use" : "verdeeld naar gebruik"));
        /* The paired columns, recomputed from the draws. */
        assert_non_null(strstr(groups, lang ? "P(above average)" : "kans boven gemiddelde"));
        free(text);
        remove(html);
    }
}

static void test_analysis_adds_up(void **state)
{
    (void)state;
    mkba_model *m = support_load("tests/data/services.cfg");
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba-groups-%d.h5", (int)getpid());
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = path;
    o.force = 1;
    o.draws = 8;
    o.households = 1200;
    mkba_error err = {0};
    if (mkba_run(NULL, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    size_t nt = 0, nn = 0;
    double *table = support_read_doubles(path, "/analysis/groups/table", &nt);
    double *npv = support_read_doubles(path, "/analysis/cashflow/npv", &nn);
    assert_true(table != NULL && npv != NULL);
    size_t GS_N = 0;
    const size_t GS_SHARE = group_column(path, "share", &GS_N),
                 GS_NPV = group_column(path, "npv_mean", &GS_N);
    /* Columns added later go at the end (the part by use after the
     * effect's interval, the paired columns after it), so older readers
     * keep their indices. */
    assert_int_equal(group_column(path, "npv_mean_of_which_allocated_by_use", &GS_N), 7);
    assert_int_equal(group_column(path, "effect_gained_97.5%", &GS_N), 6);
    const size_t A = m->narms, G = MKBA_RESULT_GROUPS, K = nn / (A * 3);
    assert_int_equal(nt, K * A * G * GS_N);
    static const int partition[2][4] = {{NO_PROBLEM, LIGHT, MEDIUM, HEAVY},
                                        {NO_PROBLEM, SINGLE, MULTIPLE, MULTI}};
    for (size_t k = 0; k < K; k++)
        for (size_t a = 0; a < A; a++) {
            if ((int)a == m->reference)
                continue;
            double whole = npv[(k * A + a) * 3];
            for (int p = 0; p < 2; p++) {
                double sum = 0.0;
                for (int j = 0; j < 4; j++) {
                    const double *row = table + ((k * A + a) * G + (size_t)partition[p][j]) * GS_N;
                    if (row[GS_SHARE] > 0.0)
                        sum += row[GS_SHARE] * row[GS_NPV];
                }
                assert_float_equal(sum, whole, 1e-9 * (1.0 + fabs(whole)));
            }
        }
    free(table);
    free(npv);
    const char *bin = support_bin();
    char cmd[1600], line[4096];
    snprintf(cmd, sizeof cmd, "%s summary %s --table groups --format csv", bin, path);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t rows = 0, heavy = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        rows++;
        heavy += strstr(line, ",heavy,") != NULL;
    }
    assert_int_equal(pclose(f), 0);
    assert_int_equal(rows, 1 + K * (A - 1) * G);
    assert_int_equal(heavy, K * (A - 1));
    check_paired(bin, path, m);
    check_printed_partitions(bin, path, m);
    check_old_columns(bin, path, m->narms);
    check_before_booking(bin, path);
    /* Groups that cannot be read fail the report, with the reason, and
     * leave no report (review whom13 7: the answer's summary fails first
     * today; the groups section fails too rather than say "no groups"). */
    hid_t h5 = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(h5 >= 0);
    assert_int_equal(support_replace_doubles(h5, "/draws/groups/cost_total_discounted", 1), 0);
    H5Fclose(h5);
    char html[512];
    snprintf(html, sizeof html, "%s.html", path);
    snprintf(cmd, sizeof cmd, "%s report %s -o %s 2>&1", bin, path, html);
    f = popen(cmd, "r");
    assert_non_null(f);
    int told = 0;
    while (fgets(line, sizeof line, f) != NULL)
        told |= strstr(line, "the household groups cannot be read") != NULL;
    assert_int_not_equal(pclose(f), 0);
    assert_true(told);
    assert_false(support_exists(html));
    remove(path);
    mkba_model_free(m);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_cell_by_definition),
        cmocka_unit_test(test_partitions_add_up_streaming),
        cmocka_unit_test(test_partitions_add_up_services),
        cmocka_unit_test(test_identical_for_any_thread_count),
        cmocka_unit_test(test_gain_only_where_it_can),
        cmocka_unit_test(test_analysis_adds_up),
        cmocka_unit_test(test_rotterdam_from_groups),
        cmocka_unit_test(test_take_up_in_its_group),
        cmocka_unit_test(test_substitution_in_its_group),
        cmocka_unit_test(test_substitution_by_year_in_its_group),
        cmocka_unit_test(test_team_costs_by_use),
        cmocka_unit_test(test_team_costs_cycle_by_cycle),
        cmocka_unit_test(test_each_team_by_its_own_use),
        cmocka_unit_test(test_groups_from_the_reference_arm),
    };
    return cmocka_run_group_tests_name("groups", tests, NULL, NULL);
}
