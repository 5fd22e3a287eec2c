/* Properties of the shipped pathway library (every .cfg file of
 * scenarios/pathways) that the issue-12 review asked to hold by
 * construction, checked on the SHIPPED files (review issue12-final,
 * findings 1 and 7):
 *
 * - every team and provider has a caseload norm and slope, each a stored
 *   parameter with a source, so a higher caseload is never pure gain;
 * - in the library, a caseload above the norm lowers the team's effect:
 *   model A at caseload_team 45 (norm 30) ends with fewer QALYs and more
 *   cost with the slope than without it, on common random numbers (the
 *   same seed, places and staff; only quality differs);
 * - no arm saves money in year 1 against the classic route: in the base
 *   case, every arm's municipal and societal cost in cycle 1 is at least
 *   the classic reference's (start-up ramp, double running, one-off
 *   investments). A scenario whose reference is a team model already in
 *   place (current-model-b, budget-current-model-b) compares a switch
 *   between running teams, where a cheaper team can save at once; its
 *   year-1 figures are printed, not asserted (docs/scenarios.md).
 *
 * And the default eight-domain model (scenarios/default.cfg, bench.cfg)
 * counts paid work as the library does (review aud13a M1): its monetary
 * effects are wages (net, the household's), wage_taxes (rijk's) and
 * displacement, all indirect, at the gross wage without employer charges,
 * and its bijstand goes net to the household and the tax withheld to rijk. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "model/model.h"
#include "model/services.h"
#include "support.h"

#define LIBRARY "scenarios/pathways/*.cfg"
#define MODEL_A "scenarios/pathways/model-a.cfg"
#define MAKELPUNT "scenarios/pathways/makelpunt.cfg"

/* Under the sanitizers fewer households (the suite's convention). */
static long households(void)
{
    const char *san = getenv("MKBA_SANITIZED");
    return san != NULL && san[0] != '\0' && strcmp(san, "0") != 0 ? 1000 : 2000;
}

static mkba_model *load(const char *path)
{
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    return m;
}

/* The parameter behind a team setting is a stored one: named, with a
 * source (test_sources checks what the source says). */
static void assert_stored(const mkba_model *m, int index, const char *team, const char *what)
{
    if (index < 0)
        fail_msg("%s: team '%s' has no %s", m->path, team, what);
    const mkba_param *p = mkba_params_get(m->params, (size_t)index);
    if (p->name == NULL || strncmp(p->name, "caseload_", 9) != 0 || p->source == NULL
        || p->source[0] == '\0')
        fail_msg("%s: team '%s' takes its %s from '%s', not a stored caseload parameter "
                 "with a source", m->path, team, what, p->name ? p->name : "(unnamed)");
}

/* Calls check(m, counter) on every shipped pathway scenario, loaded, and
 * returns how many there are. */
static size_t each_library_scenario(void (*check)(const mkba_model *m, size_t *counter),
                                    size_t *counter)
{
    glob_t g;
    assert_int_equal(glob(LIBRARY, 0, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        mkba_model *m = load(g.gl_pathv[i]);
        check(m, counter);
        mkba_model_free(m);
    }
    size_t n = g.gl_pathc;
    globfree(&g);
    return n;
}

/* A norm the curve can act against: not the team's own drawn caseload
 * (then caseload / norm is 1 in every draw), and fixed, the same in every
 * draw and arm, so it cannot move with the caseload either (review
 * issue12-s7, finding 4). */
static void assert_norm_can_bite(const mkba_model *m, const mkba_team *t)
{
    if (t->caseload_norm == t->caseload)
        fail_msg("%s: team '%s' takes its caseload_norm from its own caseload, so the "
                 "curve never acts", m->path, t->name);
    const mkba_param *p = mkba_params_get(m->params, (size_t)t->caseload_norm);
    int fixed = p->dist.kind == MKBA_DIST_FIXED;
    /* Parameters know only the simulated arms (a blended arm has none). */
    for (size_t a = 0; fixed && p->arm_dist != NULL && a < mkba_model_simulated(m); a++)
        fixed = (int)p->arm_dist[a].kind == -1;
    if (!fixed)
        fail_msg("%s: team '%s': caseload norm '%s' is not a fixed value, so it can move "
                 "with the caseload", m->path, t->name, p->name);
}

static void check_norms(const mkba_model *m, size_t *teams)
{
    const mkba_services *sv = &m->services;
    for (size_t j = 0; j < sv->nteams; j++) {
        assert_stored(m, sv->team[j].caseload_norm, sv->team[j].name, "caseload_norm");
        assert_stored(m, sv->team[j].caseload_slope, sv->team[j].name, "caseload_slope");
        assert_norm_can_bite(m, &sv->team[j]);
        (*teams)++;
    }
}

static void test_every_team_has_a_norm(void **state)
{
    (void)state;
    size_t teams = 0, files = each_library_scenario(check_norms, &teams);
    assert_true(files >= 9);
    assert_true(teams >= 13 * files);   /* six providers, seven integrated teams */
}

/* Runs `path` in the base case with the named values fixed into the
 * result file `out` (remove it when read). */
static void run_file(const char *path, size_t nset, const char *const *set_name,
                     const double *set_value, char *out, size_t size)
{
    mkba_model *m = load(path);
    snprintf(out, size, "/tmp/mkba-library-%d.h5", (int)getpid());
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 2;
    mkba_run_options o;
    support_run_options(&o, out, 0, households());
    o.nset = nset;
    o.set_name = set_name;
    o.set_value = set_value;
    mkba_error err = {0};
    if (mkba_run(&ctx, m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_model_free(m);
}

static double *read_result(const char *out, const char *name, size_t *count)
{
    double *x = support_read_doubles(out, name, count);
    assert_non_null(x);
    return x;
}

/* Runs `path` in the base case with the named values fixed; returns the
 * dataset `name` (free it). */
static double *run_base(const char *path, size_t nset, const char *const *set_name,
                        const double *set_value, const char *name, size_t *count)
{
    char out[64];
    run_file(path, nset, set_name, set_value, out, sizeof out);
    double *x = read_result(out, name, count);
    remove(out);
    return x;
}

static size_t index_of(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    fail_msg("'%s' not found", name);
    return 0;
}

static void test_caseload_above_norm_lowers_effect(void **state)
{
    (void)state;
    mkba_model *m = load(MODEL_A);
    const size_t A = m->narms, P = m->npayers, E = m->neffects;
    const char *effects[8];
    assert_true(E <= 8);
    for (size_t e = 0; e < E; e++)
        effects[e] = m->effect[e].name;
    const size_t qaly = index_of(effects, E, "qaly");
    const size_t arm = index_of((const char *const[]){m->arm[0].name, m->arm[1].name}, 2,
                                "model_a");
    assert_int_equal(A, 2);
    /* the team is staffed at its norm: 30 households per FTE */
    const mkba_team *wt = NULL;
    for (size_t j = 0; j < m->services.nteams; j++)
        if (strcmp(m->services.team[j].name, "wijkteam") == 0)
            wt = &m->services.team[j];
    assert_non_null(wt);
    const mkba_param *norm = mkba_params_get(m->params, (size_t)wt->caseload_norm);
    assert_string_equal(norm->name, "caseload_norm_team");
    mkba_model_free(m);

    const char *names[] = {"caseload_team", "caseload_quality_slope"};
    /* [0] without the slope, [1] with slope 1; both datasets of one run */
    double *eff[2], *cst[2];
    for (int i = 0; i < 2; i++) {
        size_t n;
        char out[64];
        run_file(MODEL_A, 2, names, (const double[]){45.0, (double)i}, out, sizeof out);
        eff[i] = read_result(out, "/draws/effect_total_discounted", &n);
        assert_int_equal(n, A * E);
        cst[i] = read_result(out, "/draws/cost_total_discounted", &n);
        assert_int_equal(n, A * P);
        remove(out);
    }
    double *flat_e = eff[0], *steep_e = eff[1], *flat_c = cst[0], *steep_c = cst[1];
    /* The classic arm's providers run at their own caseloads, at their
     * norms: nothing changes for it. */
    const size_t ref = 1 - arm;
    assert_true(flat_e[ref * E + qaly] == steep_e[ref * E + qaly]);
    /* Model A's team at 1.5 times its norm with slope 1: its effect is
     * divided by 1.5, so households end with fewer QALYs and cost more. */
    double cost_flat = 0.0, cost_steep = 0.0;
    for (size_t p = 0; p < P; p++) {
        cost_flat += flat_c[arm * P + p];
        cost_steep += steep_c[arm * P + p];
    }
    print_message("model_a at caseload 45: QALY %.5f without the slope, %.5f with; "
                  "cost %.1f and %.1f per household\n", flat_e[arm * E + qaly],
                  steep_e[arm * E + qaly], cost_flat, cost_steep);
    assert_true(steep_e[arm * E + qaly] < flat_e[arm * E + qaly]);
    assert_true(cost_steep > cost_flat);
    free(flat_e);
    free(steep_e);
    free(flat_c);
    free(steep_c);
}

/* Year 1 of m's base case: the arms' municipal and societal costs against
 * the reference's (printed); asserted where the reference is the classic
 * route, counting the arms checked. */
static void check_year_one(const mkba_model *m, size_t *checked)
{
    const size_t A = m->narms, P = m->npayers, T = (size_t)m->timing.ncycles;
    const size_t ref = (size_t)m->reference;
    const int classic_reference = m->services.pathway[ref].rule == MKBA_ROUTE_CLASSIC;
    size_t n;
    double *cost = run_base(m->path, 0, NULL, NULL, "/draws/cost", &n);
    assert_int_equal(n, A * T * P);
    /* cycle 1 of arm a, payer p: cost[(a * T + 0) * P + p] */
    double mun[MKBA_MAX_ARMS] = {0}, soc[MKBA_MAX_ARMS] = {0};
    for (size_t a = 0; a < A; a++)
        for (size_t p = 0; p < P; p++) {
            double c = cost[a * T * P + p];
            soc[a] += c;
            if (strncmp(m->payer[p], "gemeente-", 9) == 0)
                mun[a] += c;
        }
    free(cost);
    for (size_t a = 0; a < A; a++) {
        if (a == ref)
            continue;
        print_message("%s %s: year 1 municipality %+.2f%%, society %+.2f%%\n", m->path,
                      m->arm[a].name, 100.0 * (mun[a] / mun[ref] - 1.0),
                      100.0 * (soc[a] / soc[ref] - 1.0));
        if (!classic_reference)
            continue;
        if (mun[a] < mun[ref] || soc[a] < soc[ref])
            fail_msg("%s: arm '%s' saves in year 1 (municipality %.1f against %.1f, "
                     "society %.1f against %.1f per household)", m->path, m->arm[a].name,
                     mun[a], mun[ref], soc[a], soc[ref]);
        (*checked)++;
    }
}

static void test_no_arm_saves_in_year_one(void **state)
{
    (void)state;
    size_t checked = 0;
    each_library_scenario(check_year_one, &checked);
    assert_true(checked >= 12);
}

/* The makelpunt's quick scan in year 1 follows the start-up ramp (docs
 * model.md, "Start-up and secondment"; review issue12-s7, finding 5): the
 * youth budget's year-1 saving that the scan's extra share buys (its
 * share against the own network's, on common random numbers) is, at the
 * base ramp of 1.25 years, r = 0.4 of what it is with a ramp done within
 * cycle 1. A scan at full strength from the start gives a ratio near 1. */
static double scan_saving_year_one(double ramp_years)
{
    mkba_model *m = load(MAKELPUNT);
    const size_t P = m->npayers, T = (size_t)m->timing.ncycles;
    size_t youth = P, arm = m->narms;
    for (size_t p = 0; p < P; p++)
        if (strcmp(m->payer[p], "gemeente-jeugdwet") == 0)
            youth = p;
    for (size_t a = 0; a < m->narms; a++)
        if (strcmp(m->arm[a].name, "makelpunt") == 0)
            arm = a;
    assert_true(youth < P && arm < m->narms);
    mkba_model_free(m);
    const char *names[] = {"startup_ramp_years", "self_share_makelpunt"};
    size_t n;
    double *scan = run_base(MAKELPUNT, 2, names, (const double[]){ramp_years, 0.15},
                            "/draws/cost", &n);
    double *own = run_base(MAKELPUNT, 2, names, (const double[]){ramp_years, 0.10},
                           "/draws/cost", &n);
    double saving = own[arm * T * P + youth] - scan[arm * T * P + youth];
    free(scan);
    free(own);
    return saving;
}

static void test_makelpunt_youth_year_one(void **state)
{
    (void)state;
    double ramped = scan_saving_year_one(1.25), at_once = scan_saving_year_one(0.5);
    print_message("makelpunt youth, year 1, saving of the scan: %.2f at ramp 1.25 years, "
                  "%.2f at 0.5 (ratio %.2f, the ramp gives 0.4)\n", ramped, at_once,
                  ramped / at_once);
    assert_true(at_once > 0.0);
    assert_true(ramped > 0.0);
    assert_true(ramped / at_once < 0.6);
}

/* The index of effect `name` in m, or -1. */
static int effect_index(const mkba_model *m, const char *name)
{
    for (size_t e = 0; e < m->neffects; e++)
        if (strcmp(m->effect[e].name, name) == 0)
            return (int)e;
    return -1;
}

static void assert_near(const char *path, const char *what, double got, double want)
{
    if (!(fabs(got - want) <= 1e-9 * fabs(want) + 1e-9))
        fail_msg("%s: %s is %.10g at the base case, expected %.10g", path, what, got, want);
}

/* The default scenario's monetary effects are the library's three, with
 * their payers and category, and its rule amounts at the base case (every
 * parameter at its mean) are the ones computed here by hand from the
 * distributions in params/production.cfg and params/costs-2024.cfg:
 *   gross wage W = 13.27 EUR/h x 1536 h (uniform 1200-1872) = 20382.72,
 *   tax wedge t = 3 / (3 + 97), displacement d = 3 / (3 + 7), part-time
 *   share s = 10 / (10 + 10); in work (work_income none) wages W (1 - t),
 *   wage_taxes W t, displacement -d W; light work s times those;
 *   bijstand C = 25 x 720, gross-up g = (1 + 1.15) / 2, light share
 *   b = 5 / (5 + 15): the household receives C / g, rijk C (1 - 1 / g);
 *   in light work the same split of the top-up max(C b, C - g s W (1 - t)),
 *   the net wage counting against the net norm. The old default (one effect production = full-time
 *   minimum wage x employer_cost_factor, direct, all to huishouden) fails
 *   at the first check. */
static void test_default_counts_wages_as_the_library(void **state)
{
    (void)state;
    static const char *const files[] = { "scenarios/default.cfg", "scenarios/bench.cfg" };
    const double W = 13.27 * (1200.0 + 1872.0) / 2.0, t = 0.03, d = 0.3, s = 0.5;
    const double C = 25.0 * 720.0, g = (1.0 + 1.15) / 2.0, b = 0.25;
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        mkba_model *m = load(files[f]);
        int wages = effect_index(m, "wages"), taxes = effect_index(m, "wage_taxes");
        int displaced = effect_index(m, "displacement");
        if (wages < 0 || taxes < 0 || displaced < 0)
            fail_msg("%s: effects wages, wage_taxes and displacement expected", files[f]);
        for (size_t e = 0; e < m->neffects; e++) {
            if (!m->effect[e].monetary)
                continue;
            if ((int)e != wages && (int)e != taxes && (int)e != displaced)
                fail_msg("%s: monetary effect '%s' besides wages, wage_taxes and displacement",
                         files[f], m->effect[e].name);
            assert_int_equal(m->effect[e].category, MKBA_CAT_INDIRECT);
        }
        assert_string_equal(m->payer[m->effect[wages].payer], "huishouden");
        assert_string_equal(m->payer[m->effect[taxes].payer], "rijk");
        assert_int_equal(m->effect[displaced].payer, -1);
        assert_int_equal(mkba_params_find(m->params, "employer_cost_factor"), -1);

        size_t n = mkba_params_count(m->params);
        double *v = calloc(n * m->narms + 1, sizeof *v);
        mkba_params_work *w = mkba_params_work_alloc(m->params);
        assert_non_null(v);
        assert_non_null(w);
        mkba_error err = {0};
        if (mkba_params_sample(m->params, m->seed, 0, 1, MKBA_BASE_MEAN, v, w, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        const double *ref = v + (size_t)m->reference * n;

        /* Effect rules on work_income: [state none, light][wages, taxes, displacement]. */
        double got[2][3] = {{0}}, want[2][3];
        size_t nrules = 0;
        for (size_t i = 0; i < m->neffect_rules; i++) {
            const mkba_effect_rule *r = &m->effect_rule[i];
            if (r->effect != wages && r->effect != taxes && r->effect != displaced)
                continue;
            assert_string_equal(m->domain[r->domain].name, "work_income");
            const char *st = m->domain[r->domain].state[r->state].name;
            int light = strcmp(st, "light") == 0;
            if (!light && strcmp(st, "none") != 0)
                fail_msg("%s: a wage rule in work_income.%s", files[f], st);
            got[light][r->effect == wages ? 0 : r->effect == taxes ? 1 : 2] += ref[r->amount];
            nrules++;
        }
        assert_int_equal(nrules, 6);
        for (int light = 0; light < 2; light++) {
            double k = light ? s : 1.0;
            want[light][0] = k * W * (1.0 - t);
            want[light][1] = k * W * t;
            want[light][2] = -k * d * W;
            assert_near(files[f], light ? "wages, light" : "wages, in work", got[light][0],
                        want[light][0]);
            assert_near(files[f], light ? "wage_taxes, light" : "wage_taxes, in work",
                        got[light][1], want[light][1]);
            assert_near(files[f], light ? "displacement, light" : "displacement, in work",
                        got[light][2], want[light][2]);
            /* Society's production: the gross wage less displacement. */
            assert_near(files[f], "production for society", got[light][0] + got[light][1]
                        + got[light][2], k * W * (1.0 - d));
        }

        /* Bijstand transfers of gemeente-participatiewet, by receiver and state. */
        double net[4] = {0}, tax[4] = {0};
        for (size_t i = 0; i < m->ncosts; i++) {
            const mkba_cost_rule *r = &m->cost[i];
            if (r->transfer_to < 0)
                continue;
            assert_string_equal(m->payer[r->payer], "gemeente-participatiewet");
            assert_string_equal(m->domain[r->domain].name, "work_income");
            const char *to = m->payer[r->transfer_to];
            if (strcmp(to, "huishouden") == 0)
                net[r->state] += ref[r->amount];
            else if (strcmp(to, "rijk") == 0)
                tax[r->state] += ref[r->amount];
            else
                fail_msg("%s: a transfer to '%s'", files[f], to);
        }
        /* Light work: the top-up T = max(C b, C - g x the net wage in light
         * work), the library's (review rev11c M1): here the norm binds. */
        const double top_up = fmax(C * b, C - g * s * W * (1.0 - t));
        assert_true(top_up > C * b);
        for (int st = 1; st <= 3; st++) {
            double paid = st == 1 ? top_up : C;
            assert_near(files[f], "bijstand to the household", net[st], paid / g);
            assert_near(files[f], "bijstand's tax to rijk", tax[st], paid * (1.0 - 1.0 / g));
        }
        print_message("%s: in work wages %.2f, wage_taxes %.2f, displacement %.2f; "
                      "bijstand %.2f to the household, %.2f to rijk\n", files[f], got[0][0],
                      got[0][1], got[0][2], net[3], tax[3]);
        mkba_params_work_free(w);
        free(v);
        mkba_model_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_team_has_a_norm),
        cmocka_unit_test(test_caseload_above_norm_lowers_effect),
        cmocka_unit_test(test_no_arm_saves_in_year_one),
        cmocka_unit_test(test_makelpunt_youth_year_one),
        cmocka_unit_test(test_default_counts_wages_as_the_library),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
