/* Error messages of src/analysis, src/engine and src/study that the other
 * error-path tests left unprovoked (docs/reliability.md, "Error paths and
 * coverage"): argument checks of the analyses through their API, engine
 * refusals that only a scenario of a certain shape reaches, and output
 * files a run cannot take. Each case asserts the error code and the
 * message's words; a scenario's message must name its file, line and
 * setting. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "analysis/breakeven.h"
#include "analysis/ceac.h"
#include "support_errors.h"

#define N(a) (sizeof (a) / sizeof (a)[0])

static char out[96];

/* ------------------------------------------------------- analysis API */

/* One call of an analysis with an argument its checks refuse. */
typedef struct api_case {
    const char *what;
    int (*call)(mkba_error *err);
    int code;
    const char *says;
} api_case;

/* Cash flows of one draw, two arms, two yearly cycles and one payer whose
 * discounted monetary gain of arm 1 in year 2 is not finite. */
static int gain_not_finite(mkba_error *err)
{
    const double cost[4] = { 1, 1, 2, 2 };
    const double gain[4] = { 0, 0, 0, INFINITY }, plain[4] = { 0 };
    mkba_cashflow_input in = { .ndraws = 1, .narms = 2, .ncycles = 2, .npayers = 1,
                               .reference = 0, .cycle_years = 1.0, .cost_disc = cost,
                               .cost_undisc = cost, .gain_disc = gain, .gain_undisc = plain };
    mkba_cashflow *c = mkba_cashflow_alloc(&in, err);
    mkba_cashflow_free(c);
    return c == NULL ? err->code : MKBA_OK;
}

/* A population EVPI whose second year has a negative population. */
static int population_negative(mkba_error *err)
{
    const double population[3] = { 100, -5, 100 };
    double evpi = 0.0;
    return mkba_evpi_population(2.0, population, 3, 0.03, &evpi, err);
}

static const api_case api_cases[] = {
    { "gain", gain_not_finite, MKBA_EINVAL,
      "cash flows: discounted monetary gain of draw 0, arm 1, year 2 is not finite (inf)" },
    { "population", population_negative, MKBA_EINVAL,
      "population EVPI: population of year 2 (-5) must be finite and >= 0" },
};

static void test_api(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(api_cases); i++) {
        mkba_error err = {0};
        int rc = api_cases[i].call(&err);
        if (rc != api_cases[i].code || strstr(err.message, api_cases[i].says) == NULL)
            fail_msg("%s: code %d (expected %d), expected \"%s\" in: %s", api_cases[i].what, rc,
                     api_cases[i].code, api_cases[i].says, err.message);
    }
}

/* ------------------------------------------------------- engine refusals */

/* An edit of a fixture that loads but that the engine refuses when it
 * runs, in `mode`: the message must name FILE:LINE of `at` (NULL: the
 * first edit; "": the file alone, first) and its phrases. */
typedef struct run_case {
    support_bad edit;
    mkba_mode mode;
    int code;
} run_case;

static const run_case run_cases[] = {
    /* An amount out of range in the first year, where each draw checks
     * its amounts, and one that grows out of range in the third. */
    { { "tests/data/budget.cfg", { "per_year = 1000.0;", "per_year = \"1e30 * year\";" },
        NULL, { ": costs.[0]: draw 0, arm 'classic': the amount is 1e+30; expected a finite "
                "amount within +-1e+15 per household" } }, MKBA_MODE_MICRO, MKBA_ENUMERIC },
    { { "tests/data/budget.cfg", { "per_year = 1000.0;", "per_year = \"1e14 * 10 ^ (year - 1)\";" },
        NULL, { ": costs.[0].per_year: draw 0, arm 'classic', cycle 3: parameter ",
                " is 1e+16; expected a finite amount within +-1e+15 per household" } },
      MKBA_MODE_MICRO, MKBA_ENUMERIC },
    /* Two interacting domains whose states a cost rule splits at 300
     * cycles in the state: 302 x 303 joint states, more than the trace
     * holds. */
    { { "tests/data/loading.cfg",
        { "timing = { horizon = 2; };", "timing = { cycle = \"month\"; horizon = 50; };",
          "costs = ( {", "costs = ( { domain = \"a\"; state = \"no\"; payer = \"p\"; per_year = "
          "1.0; duration = [300, 1000000]; },\n  { domain = \"b\"; state = \"no\"; payer = "
          "\"p\"; per_year = 1.0; duration = [300, 1000000]; },\n  {" }, "",
        { "cohort mode: the joint state space of this scenario has more than 65536 states",
          "use microsimulation (the default) for this scenario" } },
      MKBA_MODE_COHORT, MKBA_EINVAL },
};

/* Loads case c, runs it and checks its refusal. */
static void expect_refused(const run_case *c, size_t i)
{
    {
        char path[256], what[64];
        int line = support_bad_write(&c->edit, path, sizeof path);
        snprintf(what, sizeof what, "run case %zu", i);
        mkba_model *m = NULL;
        mkba_error err = {0};
        int rc = mkba_scenario_load(NULL, path, &m, &err);
        if (rc != MKBA_OK) {
            remove(path);
            fail_msg("%s: %s", what, err.message);
        }
        mkba_run_options o;
        mkba_run_options_init(&o);
        o.draws = 2;
        o.households = 20;
        o.mode = c->mode;
        o.output = out;
        o.force = 1;
        o.no_checkpoint = 1;
        rc = mkba_run(NULL, m, &o, &err);
        mkba_model_free(m);
        remove(path);
        if (rc != c->code)
            fail_msg("%s: code %d, expected %d: %s", what, rc, c->code, err.message);
        support_bad_check(&c->edit, what, err.message, path, line);
        /* A refusal of the whole scenario names its file. */
        if (line == 0 && strncmp(err.message, path, strlen(path)) != 0)
            fail_msg("%s: expected the scenario %s first in: %s", what, path, err.message);
        if (access(out, F_OK) == 0)
            fail_msg("%s left %s", what, out);
    }
}

static void test_engine_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(run_cases); i++)
        expect_refused(&run_cases[i], i);
}

/* A state whose cost rules end after 1, 2, ... 260 months in it: 262
 * intervals of time in the state, more than the engine's byte holds. */
static void test_duration_windows(void **state)
{
    (void)state;
    enum { RULES = 260 };
    static char rules[RULES * 110 + 64];
    size_t used = (size_t)snprintf(rules, sizeof rules, "costs = ( ");
    for (int k = 1; k <= RULES; k++)
        used += (size_t)snprintf(rules + used, sizeof rules - used,
                                 "{ domain = \"a\"; state = \"no\"; payer = \"p\"; "
                                 "per_year = 1.0; duration = [%d, %d]; },\n", k, k);
    run_case c = { { "tests/data/loading.cfg",
                     { "timing = { horizon = 2; };",
                       "timing = { cycle = \"month\"; horizon = 50; };",
                       "costs = ( ", rules }, "",
                     { ": domain 'a', state 'no': the duration windows of its transition, "
                       "cost and effect rules split the time in the state into 262 intervals; "
                       "at most 255 are supported" } },
                   MKBA_MODE_MICRO, MKBA_EINVAL };
    expect_refused(&c, 0);
}

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    snprintf(out, sizeof out, "/tmp/mkba-errors-msg-b-%d.h5", (int)getpid());
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_engine_refusals),
        cmocka_unit_test(test_duration_windows),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
