/* Referral substitution and relapse after self-reliance (issue 12).
 *
 * Fixture: tests/data/services_substitution.cfg: 1,000 households with one
 * lasting need at medium that nothing else moves, all asking at once, a
 * team of 600 places with two-year episodes, so who is in care in each
 * cycle follows by hand:
 *
 *   cycle            1    2    3    4    5    6
 *   in care before   0  600    0  400  200  400   (before the admission)
 *   admitted       600    0  400  200  400  200
 *
 * (cycle 3 discharges the first 600, who ask again in cycle 4; each cycle
 * after admits into the places left). Values of a draw are edited in place,
 * so every comparison runs on the same random numbers. */
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
#include "support.h"
#include "support_sim.h"

#define FIXTURE "tests/data/services_substitution.cfg"
#define N 1000.0

#define assert_near(a, b, tol) assert_near_at((a), (b), (tol), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
        _fail(file, line);
    }
}

/* The fixture's text with each from[i] replaced by to[i] in turn, in a
 * temporary file whose path goes to path[64]. */
static void write_variants(const char *const *from, const char *const *to, int n,
                           char path[64])
{
    char *text = support_read_file(FIXTURE);
    assert_non_null(text);
    for (int i = 0; i < n; i++) {
        char *at = strstr(text, from[i]);
        if (at == NULL)
            fail_msg("the fixture has no '%s'", from[i]);
        size_t len = strlen(text) + strlen(to[i]) + 1;
        char *out = malloc(len);
        assert_non_null(out);
        snprintf(out, len, "%.*s%s%s", (int)(at - text), text, to[i], at + strlen(from[i]));
        free(text);
        text = out;
    }
    snprintf(path, 64, "/tmp/mkba-subst-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(support_write_file(path, text), 0);
    free(text);
}

static void write_variant(const char *from, const char *to, char path[64])
{
    write_variants(&from, &to, 1, path);
}

static int same_doubles(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

static size_t occupancy_size(const mkba_draw_result *r)
{
    return r->narms * r->npoints * r->nstates_total;
}

/* ---------------------------------------------------------- substitution */

/* Only households in the team's care count: with share sigma and no team
 * time, the payer's cost falls by sigma x 1,000 a year x the households in
 * care before admission at each point, weighted as the cost rule weighs
 * them (half-cycle correction: 1/2 at points 0 and 6): 0/2 + 0 + 600 + 0 +
 * 400 + 200 + 400/2 = 1,400 of the arm's 6,000 household-years at medium,
 * per household 1,400 sigma; nobody moves differently. */
static void test_substitution_in_care_only(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, FIXTURE, (long)N);
    const mkba_substitute *sub = &s.m->services.pathway[1].substitute[0];
    set_value(&s, -1, sub->share, 0.0);
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    for (double sigma = 0.25; sigma <= 1.0; sigma += 0.75) {
        set_value(&s, -1, sub->share, sigma);
        mkba_draw_result *r = sim_run(&s, 2, NULL);
        size_t P = r->npayers;
        assert_near(r->cost_total[P] - base->cost_total[P], -1400.0 * sigma, 1e-9);
        assert_true(r->cost_total[0] == base->cost_total[0]); /* the classic arm */
        assert_true(same_doubles(r->occupancy, base->occupancy, occupancy_size(r)));
        /* The arm still pays for the 4,400 household-years out of care. */
        assert_true(r->cost_total[P] >= 4400.0 - 1e-9);
        mkba_draw_result_free(r);
    }
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* The help takes team places: at places p per household (share 1) cycle
 * 4's 400 in care leave 600 - 400 - 400 p for the queue, and cycle 5's 100
 * in care 600 - 100 - 100 p. With p = 0.25: in care after admission 600,
 * 600, 400, 500, 575 instead of 600, 600, 400, 600, 600. */
static void test_substitution_uses_capacity(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, FIXTURE, (long)N);
    const mkba_substitute *sub = &s.m->services.pathway[1].substitute[0];
    static const double without[5] = {600, 600, 400, 600, 600};
    static const double with[5] = {600, 600, 400, 500, 575};
    for (int pass = 0; pass < 2; pass++) {
        set_value(&s, -1, sub->places, pass ? 0.25 : 0.0);
        mkba_draw_result *r = sim_run(&s, 2, NULL);
        const size_t T = r->ncycles, team = 1;
        for (size_t k = 0; k < 5; k++)
            assert_near(r->svc_team_in_care[(1 * T + k) * r->nteams + team] * N,
                        pass ? with[k] : without[k], 1e-9);
        mkba_draw_result_free(r);
    }
    sim_close(&s);
}

/* The saving is priced as the cost rule charges: at its timing weights
 * and discounting, so in no cycle, under no timing, does it exceed the
 * charge. Horizon 2 with the half-cycle correction: cycle 2 charges 1/2 x
 * 1,000 households x 1,000 and saves 1/2 x 600 x 1,000, so the arm pays
 * 200 per household (a saving at full weight would make it -100). */
static void test_substitution_within_charge(void **state)
{
    (void)state;
    static const char *timings[4] = {
        "horizon = 2;", "horizon = 2; correction = \"none\"; occupancy = \"start\";",
        "horizon = 3; correction = \"trapezoid\"; discount_time = \"point\";",
        "horizon = 5; correction = \"none\"; occupancy = \"end\";"};
    for (int i = 0; i < 4; i++) {
        char path[64];
        write_variant("horizon = 6;", timings[i], path);
        sim s;
        sim_open(&s, path, (long)N);
        unlink(path);
        mkba_draw_result *r = sim_run(&s, 2, NULL);
        const size_t T = r->ncycles, P = r->npayers;
        for (size_t k = 0; k < T; k++) {
            if (!(r->cost[(T + k) * P] >= -1e-9 && r->cost_disc[(T + k) * P] >= -1e-9))
                fail_msg("timing '%s': cycle %zu costs %g (discounted %g)", timings[i], k + 1,
                         r->cost[(T + k) * P], r->cost_disc[(T + k) * P]);
        }
        if (i == 0)
            assert_near(r->cost[(T + 1) * P], 200.0, 1e-9);
        mkba_draw_result_free(r);
        sim_close(&s);
    }
}

/* A full team gives no help: at one place per household's help, cycle 2's
 * 600 in care fill the team's 600 places, so nothing is given and the
 * cycle costs what it costs without substitution; cycle 4's 400 in care
 * leave 200 places, so 200 of their help is given (the saving's point 4
 * weighs 1 in cycle 4 and nothing else does: 1,000 less). */
static void test_substitution_within_places(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, FIXTURE, (long)N);
    const mkba_substitute *sub = &s.m->services.pathway[1].substitute[0];
    set_value(&s, -1, sub->places, 1.0);
    set_value(&s, -1, sub->share, 0.0);
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    set_value(&s, -1, sub->share, 1.0);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    const size_t T = r->ncycles, P = r->npayers;
    assert_near(r->cost[(T + 1) * P], base->cost[(T + 1) * P], 1e-9);
    assert_near(r->cost[(T + 3) * P], base->cost[(T + 3) * P] - 200.0, 1e-9);
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* Targeting, record by record: of four households in care at medium,
 * only the one with the arm's own team and the domain in its plan counts;
 * one with the provider `desk`, one whose plan lacks the domain and one in
 * another state do not. */
static void test_substitution_targeted(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, FIXTURE, (long)N);
    mkba_svc_arm a;
    mkba_svc_arm_init(&a, s.m, s.t, s.values + s.np, 1, 5, 0, (long)N);
    a.sub_places[0] = 0.5;
    uint8_t x[4] = {2, 2, 2, 1}, status[4];
    int8_t team[4] = {1, 0, 1, 1};
    uint32_t plan[4] = {1u, 1u, 0u, 1u};
    memset(status, MKBA_SVC_CARE, sizeof status);
    mkba_svc_households hh = {.n = 4, .ndomains = 1, .x = x, .status = status, .team = team,
                              .plan = plan};
    mkba_svc_admitted out;
    memset(&out, 0, sizeof out);
    for (long h = 0; h < 4; h++)
        mkba_svc_substitution_add(&a, &hh, h, &out);
    assert_int_equal(out.sub_team[0][1], 1);
    assert_int_equal(out.sub_team[0][0], 0);
    assert_near(out.team_load[1], a.sub_share[0] * 0.5, 1e-15);
    assert_near(out.team_load[0], 0.0, 0.0);
    sim_close(&s);
}

/* The plan, end to end: a second domain `other` the team treats, at none
 * for everyone until cycle 2 moves all to medium. The 600 the team
 * admitted in cycle 1 have `other` outside their plan, so an entry on it
 * saves nothing at point 2: cycle 2 charges 1,000 for each domain and
 * saves only the `need` entry's 600 (1,400 per household; 800 if the
 * unplanned domain counted). */
static void test_substitution_planned_only(void **state)
{
    (void)state;
    static const char *const from[4] = {
        "domains = (\n", "costs = ( {", "{ name = \"team\"; domains = [\"need\"];",
        "share = 1.0; places = 0.0; }"};
    static const char *const to[4] = {
        "domains = (\n  { name = \"other\"; states = [\"none\", \"light\", \"medium\"];\n"
        "    initial = { state = \"none\"; };\n"
        "    transitions = ( { from = \"none\"; probabilities = { light = 0.0; }; },\n"
        "      { from = \"none\"; cycles = [2, 2]; probabilities = { medium = 1.0; }; },\n"
        "      { from = \"light\"; probabilities = { none = 0.0; }; },\n"
        "      { from = \"medium\"; probabilities = { light = 0.0; }; } ); },\n",
        "costs = ( { domain = \"other\"; state = \"medium\"; payer = \"gemeente\"; "
        "per_year = 1000.0; category = \"first line\"; }, {",
        "{ name = \"team\"; domains = [\"need\", \"other\"];",
        "share = 1.0; places = 0.0; }, { domain = \"other\"; state = \"medium\"; "
        "payer = \"gemeente\"; share = 1.0; places = 0.0; }"};
    char path[64];
    write_variants(from, to, 4, path);
    sim s;
    sim_open(&s, path, (long)N);
    unlink(path);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    const size_t T = r->ncycles, P = r->npayers;
    assert_near(r->cost[(T + 1) * P], 1400.0, 1e-9);
    mkba_draw_result_free(r);
    sim_close(&s);
}

/* Youth help given by a team takes places at that team's caseload: in
 * the shipped library, where a triage sends every household with a youth
 * problem to one team (models B and utrecht: the youth-and-family team),
 * a youth entry's places are substitution_hours_youth x that team's
 * caseload / productive_hours_fte, in every arm and with its overrides. */
static void test_substitution_places_of_giving_team(void **state)
{
    (void)state;
    static const char *const files[2] = {"scenarios/pathways/all-models.cfg",
                                         "scenarios/pathways/utrecht-like.cfg"};
    int checked = 0;
    for (int f = 0; f < 2; f++) {
        sim s;
        sim_open(&s, files[f], 100);
        int hours = mkba_params_find(s.m->params, "substitution_hours_youth");
        int productive = mkba_params_find(s.m->params, "productive_hours_fte");
        assert_true(hours >= 0 && productive >= 0);
        for (size_t a = 0; a < s.m->narms; a++) {
            const mkba_pathway *p = &s.m->services.pathway[a];
            const double *v = s.values + a * s.np;
            for (int e = 0; e < p->nsubstitute; e++) {
                const mkba_substitute *sub = &p->substitute[e];
                if (strcmp(s.m->domain[sub->domain].name, "youth") != 0)
                    continue;
                for (int i = 0; i < p->ntriage; i++) {
                    if (p->triage_domain[i] != sub->domain || p->triage_min[i] > 1.0)
                        continue;
                    const mkba_team *tm = &s.m->services.team[p->triage_team[i]];
                    assert_near(v[sub->places], v[hours] * v[tm->caseload] / v[productive],
                                1e-9 * v[sub->places]);
                    checked++;
                }
            }
        }
        sim_close(&s);
    }
    assert_true(checked >= 2); /* model B's and utrecht's youth entries */
}

/* A team without capacity cares for nobody, so substitution changes
 * nothing at all: the same result as with share and places 0. */
static void test_substitution_zero_capacity(void **state)
{
    (void)state;
    sim s;
    sim_open(&s, FIXTURE, (long)N);
    const mkba_substitute *sub = &s.m->services.pathway[1].substitute[0];
    set_value(&s, -1, s.m->services.team[1].fte, 0.0);
    set_value(&s, -1, sub->share, 0.0);
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    set_value(&s, -1, sub->share, 1.0);
    set_value(&s, -1, sub->places, 1.0);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    assert_true(same_doubles(r->cost_total, base->cost_total, r->narms * r->npayers));
    assert_true(same_doubles(r->cost, base->cost, r->narms * r->ncycles * r->npayers));
    assert_true(same_doubles(r->occupancy, base->occupancy, occupancy_size(r)));
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* The start-up ramp (issue 12: purchased-care savings wait for contracts
 * and staff). Over R = 2 years the team has r = 0.25, 0.75, then 1 of its
 * staff and contracts in place at the cycle middles 0.5, 1.5, 2.5, ...;
 * its places follow (150, 450, 600) and so does the help it gives instead
 * of buying. By hand: in care after admission 150, 450, 600, 600, 600,
 * 600 (the 150 of cycle 1 leave in cycle 3 and ask again in cycle 4, as
 * in the fixture's table); in care before admission 0, 150, 300, 300,
 * 300, 300, so the saving is 1,000 x r x those, each priced like the
 * bought help's rule (the last point weighs half under the half-cycle
 * correction): 0.75 x 150 + 3 x 300 + 300 / 2 = 1,162.5 per household
 * (1,200 if the ramp spared the saving). The staff
 * (600 FTE at 10 for 1,000 households) are paid in full from cycle 1: 6 a
 * year. Ramp 0 is the run without a ramp, bit for bit. */
static void test_substitution_ramp(void **state)
{
    (void)state;
    static const char *from = "team = { rule = \"broad\"; degree = \"full\";";
    static const double in_care[6] = {150, 450, 600, 600, 600, 600};
    char path[64];
    sim s;
    sim_open(&s, FIXTURE, (long)N);
    mkba_draw_result *base = sim_run(&s, 2, NULL);
    sim_close(&s);
    write_variant(from, "team = { rule = \"broad\"; degree = \"full\"; "
                  "maturity = { ramp_years = 0.0; };", path);
    sim_open(&s, path, (long)N);
    unlink(path);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    assert_true(same_doubles(r->cost, base->cost, r->narms * r->ncycles * r->npayers));
    assert_true(same_doubles(r->occupancy, base->occupancy, occupancy_size(r)));
    assert_true(same_doubles(r->svc_team_in_care, base->svc_team_in_care,
                             r->narms * r->ncycles * r->nteams));
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);

    write_variant(from, "team = { rule = \"broad\"; degree = \"full\"; "
                  "maturity = { ramp_years = 2.0; };", path);
    sim_open(&s, path, (long)N);
    unlink(path);
    const mkba_substitute *sub = &s.m->services.pathway[1].substitute[0];
    set_value(&s, -1, s.m->services.team[1].cost_per_fte, 10.0);
    set_value(&s, -1, sub->share, 0.0);
    base = sim_run(&s, 2, NULL);
    set_value(&s, -1, sub->share, 1.0);
    r = sim_run(&s, 2, NULL);
    const size_t P = r->npayers, T = r->ncycles, team = 1;
    for (size_t k = 0; k < T; k++)
        assert_near(r->svc_team_in_care[(1 * T + k) * r->nteams + team] * N, in_care[k], 1e-9);
    assert_near(base->cost_total[P], 6.0 * 1000.0 + 6.0 * 6.0, 1e-9);
    assert_near(r->cost_total[P] - base->cost_total[P], -1162.5, 1e-9);
    mkba_draw_result_free(r);
    mkba_draw_result_free(base);
    sim_close(&s);
}

/* Each bad setting is refused with its name in the message. */
static void expect_refused(const char *from, const char *to, const char *words)
{
    char path[64];
    write_variant(from, to, path);
    mkba_model *m = NULL;
    mkba_error err = {0};
    int rc = mkba_scenario_load(NULL, path, &m, &err);
    unlink(path);
    if (rc == MKBA_OK) {
        mkba_model_free(m);
        fail_msg("accepted: %s", to);
    }
    if (strstr(err.message, words) == NULL)
        fail_msg("message '%s' lacks '%s'", err.message, words);
}

static void test_substitution_bad_input(void **state)
{
    (void)state;
    const char *entry = "share = 1.0; places = 0.0;";
    expect_refused(entry, "share = 1.5; places = 0.0;", "substitution.[0].share");
    expect_refused(entry, "share = 1.0; places = -1.0;", "substitution.[0].places");
    expect_refused("state = \"medium\"; payer = \"gemeente\"; share",
                   "state = \"light\"; payer = \"gemeente\"; share",
                   "no cost rule of payer 'gemeente' charges state 'light'");
    expect_refused("domain = \"need\"; state = \"medium\"; payer = \"gemeente\"; share",
                   "domain = \"want\"; state = \"medium\"; payer = \"gemeente\"; share",
                   "substitution.[0].domain");
    expect_refused("classic = { rule = \"classic\"; providers = [\"desk\"]; };",
                   "classic = { rule = \"classic\"; providers = [\"desk\"]; substitution = ( "
                   "{ domain = \"need\"; state = \"medium\"; payer = \"gemeente\"; share = 1.0; "
                   "places = 0.0; } ); };",
                   "expected substitution only on an integrated pathway");
    expect_refused("rule = \"broad\"; degree = \"full\"; team = \"team\";",
                   "rule = \"makelpunt\"; degree = \"full\"; team = \"team\"; "
                   "quick_scan = { share = 0.1; cost = 0.0; };",
                   "a broker who commissions help");
    expect_refused(entry, "share = 1.0; places = 0.0; }, { domain = \"need\"; state = \"medium\"; "
                   "payer = \"gemeente\"; share = 0.5; places = 0.0;",
                   "expected each bought help once");
}

/* --------------------------------------------------------------- relapse */

/* A fixture for relapse: the need starts light, every asker solves it
 * with its own network (share = cap = 1), the team has no staff, and
 * nothing else moves but none -> light at probability `moved` a cycle. */
static void open_relapse(sim *s, double seek, const char *relapse, double moved)
{
    char seek_text[64], sr[160], move[96];
    snprintf(seek_text, sizeof seek_text, "seek_rate = [%.17g];", seek);
    snprintf(sr, sizeof sr, "providers = [\"desk\"]; self_reliance = { share = 1.0; cap = 1.0;%s };"
             "\n             substitution", relapse);
    snprintf(move, sizeof move, "{ from = \"none\"; probabilities = { light = %.17g; }; }", moved);
    const char *const from[4] = {"initial = { state = \"medium\"; };", "seek_rate = [1000.0];",
                                 "providers = [\"desk\"];\n             substitution",
                                 "{ from = \"none\"; probabilities = { light = 0.0; }; }"};
    const char *const to[4] = {"initial = { state = \"light\"; };", seek_text, sr, move};
    char path[64];
    write_variants(from, to, 4, path);
    sim_open(s, path, 20000);
    unlink(path);
    set_value(s, -1, s->m->services.team[1].fte, 0.0);
}

/* Share of arm 1's households in the light state at point j. */
static double light_share(const mkba_draw_result *r, size_t j)
{
    return r->occupancy[(1 * r->npoints + j) * r->nstates_total + 1];
}

/* With ask probability s and relapse probability q per cycle, a household
 * is a two-state chain: light -> none with s, none (solved) -> light with
 * q (1 - s) (it relapses, then may ask and solve it again in the same
 * cycle). From all light, the light share at point k is
 * pi + (1 - pi) (1 - s - q (1 - s))^k, pi = q (1 - s) / (s + q (1 - s)),
 * checked within 4 binomial standard errors at every point. */
static void test_relapse_closed_form(void **state)
{
    (void)state;
    const double lambda = 0.7, rho = 0.4;
    sim s;
    open_relapse(&s, lambda, " relapse = 0.4;", 0.0);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    double sk = -expm1(-lambda), q = -expm1(-rho);
    double pi = q * (1.0 - sk) / (sk + q * (1.0 - sk)), rate = 1.0 - sk - q * (1.0 - sk);
    for (size_t j = 0; j < r->npoints; j++) {
        double expect = pi + (1.0 - pi) * pow(rate, (double)j);
        double se = sqrt(expect * (1.0 - expect) / 20000.0);
        assert_near(light_share(r, j), expect, 4.0 * se + 1e-12);
    }
    /* Without relapse the solved stay solved: (1 - s)^k remain light. */
    set_value(&s, -1, s.m->services.pathway[1].relapse, 0.0);
    mkba_draw_result *r0 = sim_run(&s, 2, NULL);
    for (size_t j = 0; j < r0->npoints; j++) {
        double expect = pow(1.0 - sk, (double)j);
        double se = sqrt(expect * (1.0 - expect) / 20000.0);
        assert_near(light_share(r0, j), expect, 4.0 * se + 1e-12);
    }
    mkba_draw_result_free(r0);
    mkba_draw_result_free(r);
    sim_close(&s);
}

/* A relapse rate of 0 is the run without relapse, bit for bit. */
static void test_relapse_zero_is_none(void **state)
{
    (void)state;
    sim a, b;
    open_relapse(&a, 0.7, "", 0.0);
    open_relapse(&b, 0.7, " relapse = 0.0;", 0.0);
    mkba_draw_result *ra = sim_run(&a, 2, NULL), *rb = sim_run(&b, 2, NULL);
    assert_true(same_doubles(ra->occupancy, rb->occupancy, occupancy_size(ra)));
    assert_true(same_doubles(ra->cost_total, rb->cost_total, ra->narms * ra->npayers));
    mkba_draw_result_free(ra);
    mkba_draw_result_free(rb);
    sim_close(&a);
    sim_close(&b);
}

/* A solution the household's course moved is no longer the network's: with
 * none -> light at 0.3, a household that falls back to light by that
 * transition does not also relapse (one state up, to medium). Nothing else
 * reaches medium, so medium stays empty at every point; it would fill if
 * relapse acted after the move. */
static void test_relapse_forgets_moved(void **state)
{
    (void)state;
    sim s;
    open_relapse(&s, 0.7, " relapse = 3.0;", 0.3);
    mkba_draw_result *r = sim_run(&s, 2, NULL);
    for (size_t j = 0; j < r->npoints; j++)
        assert_true(r->occupancy[(1 * r->npoints + j) * r->nstates_total + 2] == 0.0);
    /* and relapse did act: fewer at none than without it */
    set_value(&s, -1, s.m->services.pathway[1].relapse, 0.0);
    mkba_draw_result *r0 = sim_run(&s, 2, NULL);
    size_t last = (1 * r->npoints + r->npoints - 1) * r->nstates_total;
    assert_true(r->occupancy[last] < r0->occupancy[last] - 0.05);
    mkba_draw_result_free(r0);
    mkba_draw_result_free(r);
    sim_close(&s);
}

/* Relapse and substitution give the same result on 1, 2 and 3 threads. */
static void test_mechanisms_thread_identical(void **state)
{
    (void)state;
    static const char *const from[3] = {"share = 1.0; places = 0.0;",
                                        "providers = [\"desk\"];\n             substitution",
                                        "{ from = \"medium\"; probabilities = { light = 0.0; }; }"};
    static const char *const to[3] = {
        "share = 0.5; places = 0.3;",
        "providers = [\"desk\"]; self_reliance = { share = 0.3; relapse = 0.4; };\n"
        "             substitution",
        "{ from = \"medium\"; probabilities = { light = 0.1; }; }"};
    char path[64];
    write_variants(from, to, 3, path);
    sim s;
    sim_open(&s, path, 7001);
    unlink(path);
    mkba_draw_result *r1 = sim_run(&s, 1, NULL);
    for (int threads = 2; threads <= 3; threads++) {
        mkba_draw_result *r = sim_run(&s, threads, NULL);
        assert_true(same_doubles(r->cost, r1->cost, r->narms * r->ncycles * r->npayers));
        assert_true(same_doubles(r->cost_disc, r1->cost_disc, r->narms * r->ncycles * r->npayers));
        assert_true(same_doubles(r->occupancy, r1->occupancy, occupancy_size(r)));
        mkba_draw_result_free(r);
    }
    mkba_draw_result_free(r1);
    sim_close(&s);
}

static void expect_refused_words(const char *from, const char *to, const char *w1,
                                 const char *w2)
{
    expect_refused(from, to, w1);
    expect_refused(from, to, w2);
}

static void test_relapse_bad_input(void **state)
{
    (void)state;
    expect_refused("providers = [\"desk\"];\n             substitution",
                   "providers = [\"desk\"]; self_reliance = { share = 0.5; relapse = -0.1; };\n"
                   "             substitution", "self_reliance.relapse");
    /* Relapse with nothing solved by own strength can never act. */
    expect_refused_words("providers = [\"desk\"];\n             substitution",
                         "providers = [\"desk\"]; self_reliance = { relapse = 0.5; };\n"
                         "             substitution", "self_reliance.relapse",
                         "self_reliance.share is absent");
    expect_refused_words("providers = [\"desk\"];\n             substitution",
                         "providers = [\"desk\"]; self_reliance = { share = 0.0; relapse = 0.5; };\n"
                         "             substitution", "self_reliance.relapse",
                         "self_reliance.share is 0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_substitution_in_care_only),
        cmocka_unit_test(test_substitution_uses_capacity),
        cmocka_unit_test(test_substitution_within_charge),
        cmocka_unit_test(test_substitution_within_places),
        cmocka_unit_test(test_substitution_targeted),
        cmocka_unit_test(test_substitution_planned_only),
        cmocka_unit_test(test_substitution_places_of_giving_team),
        cmocka_unit_test(test_substitution_zero_capacity),
        cmocka_unit_test(test_substitution_ramp),
        cmocka_unit_test(test_substitution_bad_input),
        cmocka_unit_test(test_relapse_closed_form),
        cmocka_unit_test(test_relapse_zero_is_none),
        cmocka_unit_test(test_relapse_forgets_moved),
        cmocka_unit_test(test_mechanisms_thread_identical),
        cmocka_unit_test(test_relapse_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
