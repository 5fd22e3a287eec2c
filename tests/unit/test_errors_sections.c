/* Error paths of the scenario loader's later sections, which
 * test_errors_model.c does not reach: the population block (budget view),
 * referral substitution, start-up and mixed arms, the services settings a
 * rule does or does not take, the analysis section's residual value,
 * mark-up and health value, and a scenario that outgrows its size limit
 * only when an @include'd file is read. Each case is a one-line edit of a
 * fixture that loads (test_scenario.c, test_budget.c, test_substitution.c),
 * refused with the file, the line of the setting and the words a user
 * reads, and leaves no model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "support.h"
#include "support_errors.h"

#define FULL "tests/data/full.cfg"
#define SVC "tests/data/services.cfg"
#define BUD "tests/data/budget.cfg"
#define SUB "tests/data/services_substitution.cfg"
#define N(a) (sizeof (a) / sizeof (a)[0])

/* The population block of budget.cfg. */
#define HH "households = 1000;"
static const support_bad population[] = {
    { BUD, { HH, "households = 1000; inhabitants = 5000;" }, NULL,
      { "population.inhabitants", "give households or inhabitants with a prevalence, not both" } },
    { BUD, { HH, "" }, "population = {",
      { "population.households: required setting is missing",
        "or inhabitants = N with prevalence" } },
    { BUD, { HH, "households = 1000; prevalence = 0.1;" }, NULL,
      { "population.prevalence: goes with inhabitants" } },
    { BUD, { HH, "households = 0.5;" }, NULL,
      { "population.households: 0.5 is out of range",
        "expected the households in the target group, 1 to 1e+08" } },
    { BUD, { HH, "inhabitants = 0.5; prevalence = 0.1;" }, NULL,
      { "population.inhabitants: 0.5 is out of range",
        "expected the municipality's inhabitants, 1 to 1e+09" } },
    { BUD, { HH, "inhabitants = 5000;" }, "population = {",
      { "population.prevalence: required with inhabitants", "a share in (0, 1]" } },
    { BUD, { HH, "inhabitants = 5000; prevalence = 1.5;" }, NULL,
      { "population.prevalence: 1.5 is out of range", "0.012 for 12 households" } },
    { BUD, { HH, "inhabitants = 50; prevalence = 0.01;" }, NULL,
      { "population.prevalence: 0.01 x 50 inhabitants gives 0.5 households; expected 1 to "
        "1e+08" } },
    { BUD, { "inflow = 150;", "inflow = 10001;" }, NULL,
      { "population.inflow: 10001 is out of range",
        "expected the households entering the target group per year, 0 to 10000" } },
    { BUD, { "first_year = 2025;", "first_year = 1850;" }, NULL,
      { "population.first_year: 1850 is out of range", "1900 to 2200" } },
    { BUD, { "first_year = 2025;", "first_year = 2025; entrants = { life = (1.0, \"x\"); };" },
      NULL, { "population.entrants.life.[1]: expected a share (a number)" } },
    { BUD, { "first_year = 2025;", "first_year = 2025; entrants = { life = [1.0]; };" }, NULL,
      { "population.entrants.life: has 1 shares; domain 'life' has 2 states",
        "one share per state" } },
    { BUD, { "first_year = 2025;", "first_year = 2025; entrants = { life = [1.5, 0.0]; };" },
      NULL, { "population.entrants.life.[0]: 1.5 is out of range; expected a share in [0, 1]" } },
    { BUD, { "first_year = 2025;", "first_year = 2025; entrants = { life = [0.5, 0.0]; };" },
      NULL, { "population.entrants.life: the shares sum to 0.5; expected 1" } },
    { BUD, { "first_year = 2025;", "first_year = 2025; price_growth = 1.5;" }, NULL,
      { "population.price_growth: 1.5 is out of range; expected a yearly rate in (-1, 1)" } },
    { BUD, { "first_year = 2025;", "first_year = 2025; price_index = [1.0, 1.02];" }, NULL,
      { "population.price_index: has 2 years; the horizon has 6",
        "one price level per year of the horizon, from 2025" } },
    { BUD, { "first_year = 2025;",
             "first_year = 2025; price_index = [1.0, 1.0, 1.0, 1.0, 1.0, 200.0];" }, NULL,
      { "population.price_index.[5]: 200 is out of range",
        "expected a price level in (0, 100] relative to 2024" } },
    { BUD, { "taakveld = \"6.71 Maatwerkdienstverlening 18+\"; }",
             "taakveld = \"6.71 Maatwerkdienstverlening 18+\"; },\n"
             "  { payer = \"gemeente-wmo\"; fund = \"BUIG\"; }" },
      "{ payer = \"gemeente-wmo\"; fund = \"BUIG\"",
      { "budget_lines.[1].payer: payer 'gemeente-wmo' has a budget line already",
        "each payer once" } },
    { BUD, { "payer = \"zorgverzekeraar\"; per_year = 250.0;",
             "payer = \"zorgverzekeraar\"; per_year = 250.0; index = \"cpi\";" }, NULL,
      { "costs.[1].index: 'cpi' is not an index path", "expected \"price\" (the default) or "
        "\"wage\"" } },
};

/* Referral substitution (services_substitution.cfg). */
#define SUB_COST "per_year = 1000.0; category = \"first line\"; }"
#define SUB_ENTRY "substitution = ( { domain = \"need\"; state = \"medium\";"
static const support_bad substitution[] = {
    { SUB, { SUB_COST, SUB_COST ",\n          { domain = \"need\"; state = \"medium\"; "
             "payer = \"gemeente\"; per_year = 10.0; }" }, SUB_ENTRY,
      { "substitution.[0]: two cost rules of payer 'gemeente' charge state 'medium' of "
        "domain 'need' (costs.[0] and costs.[1])", "expected exactly one" } },
    { SUB, { SUB_ENTRY, "substitution = ( { domain = \"need\"; state = \"light\";" }, NULL,
      { "no cost rule of payer 'gemeente' charges state 'light' of domain 'need' in arm "
        "'team'", "expected the state cost rule that buys the help" } },
    { SUB, { SUB_COST, "per_year = 1000.0; category = \"first line\"; cycles = [2, 6]; }" },
      SUB_ENTRY, { "cost rule costs.[0] is a transfer or has a cycle or duration window",
                   "expected help bought in every cycle" } },
    { SUB, { "classic = { rule = \"classic\"; providers = [\"desk\"]; };",
             "classic = { rule = \"classic\"; providers = [\"desk\"]; " SUB_ENTRY
             " payer = \"gemeente\"; share = 1.0; places = 0.0; } ); };" }, NULL,
      { "services.pathways.classic.substitution: the classic route (rule 'classic') has no "
        "team of its own", "expected substitution only on an integrated pathway" } },
    { SUB, { "rule = \"broad\"; degree = \"full\";",
             "rule = \"makelpunt\"; degree = \"full\"; quick_scan = { share = 0.1; "
             "cost = 1.0; };" }, SUB_ENTRY,
      { "substitution: rule 'makelpunt' has a single worker",
        "expected substitution only on a pathway whose teams give help" } },
    { SUB, { "costs = ( {", "costs = ( { domain = \"other\"; state = \"yes\"; payer = "
             "\"gemeente\"; per_year = 10.0; }, {", "domains = (",
             "domains = ( { name = \"other\"; states = [\"no\", \"yes\"]; "
             "initial = { state = \"yes\"; }; transitions = ( { from = \"no\"; "
             "probabilities = { yes = 0.0; }; }, { from = \"yes\"; "
             "probabilities = { no = 0.0; }; } ); },",
             SUB_ENTRY,
             "substitution = ( { domain = \"other\"; state = \"yes\";" },
      "substitution = ( { domain = \"other\"",
      { "substitution.[0].domain: no team of the arm's own treats domain 'other'",
        "expected a domain of the pathway's team(s)" } },
    { SUB, { SUB_ENTRY, "substitution = ( 0, 0, 0, 0, { domain = \"need\"; state = \"medium\";" },
      NULL, { "substitution: 5 entries; expected at most 4" } },
    { SUB, { SUB_ENTRY, "substitution = ( { domain = \"need\"; state = \"medium\"; "
             "payer = \"gemeente\"; share = 0.5; places = 0.0; },\n"
             "             { domain = \"need\"; state = \"medium\";" },
      "             { domain = \"need\"; state = \"medium\";",
      { "substitution.[1]: the same help as entry 1 (cost rule costs.[0]); expected each "
        "bought help once" } },
};

/* Start-up, secondment and mixed arms on services.cfg's broad arm. */
#define MATURITY "friction = 0.1; friction_years = 1.0; };"
#define OVERHEADS "shared_ict = false; duplicate_registration = 40.0; };"
#define CLASSIC "detect = 0.1; wait_escalation = 0.2; wait_effect = 0.3; };"
#define BROAD "rule = \"broad\"; degree = \"full\";"
/* The fixture's zero-cost integration group, which degree none refuses. */
#define FULL_GROUP "integration = { front_office_investment = 0.0; pooling_investment = 0.0; " \
                   "pooling_running = 0.0; };"
static const support_bad startup[] = {
    { SVC, { OVERHEADS, "shared_ict = false; duplicate_registration = 40.0; "
             "double_running = 0.1; };" }, "overheads = {",
      { "overheads.double_running_years: required setting is missing",
        "double running needs both its share (double_running) and its period" } },
    { SVC, { CLASSIC, "detect = 0.1; wait_escalation = 0.2; wait_effect = 0.3;\n"
             "maturity = { ramp_years = 1.0; }; };" }, "maturity = { ramp",
      { "classic.maturity.ramp_years", "the classic route sets up no team of its own" } },
    { SVC, { BROAD, "rule = \"broad\"; degree = \"none\";", MATURITY,
             "friction = 0.1; friction_years = 1.0; ramp_years = 1.0; };", FULL_GROUP, "" },
      "maturity = {",
      { "maturity.ramp_years", "degree none routes every household to the providers" } },
    { SVC, { MATURITY, "friction_lasting = 0.5; };" }, "maturity = {",
      { "maturity.friction_lasting", "lasting friction is a share of `friction`, which is "
        "missing" } },
    { SVC, { CLASSIC, "detect = 0.1; wait_escalation = 0.2; wait_effect = 0.3;\n"
             "integrated_share = 0.5; };" }, "integrated_share",
      { "classic.integrated_share", "the classic route (rule 'classic') has no integrated "
        "route to mix" } },
    { SVC, { BROAD, BROAD " integrated_share = 0.5;" }, "broad = {",
      { "broad.classic_access: required setting is missing",
        "a mixed arm (integrated_share) needs the arm" } },
    { SVC, { BROAD, BROAD " integrated_share = 0.5; classic_access = \"classic\";",
             "\"youth-team\"];\n              detect = 0.6;",
             "\"wijkteam\"];\n              detect = 0.6;" }, "broad = {",
      { "broad.providers: domain 'youth' of team 'wijkteam' has no provider of its own",
        "every domain of its teams needs one" } },
    { SVC, { BROAD, "rule = \"makelpunt\"; degree = \"full\"; quick_scan = { share = 0.1; "
             "cost = 1.0; };", "\"basic-ggz\", \"youth-team\"];\n              detect = 0.6;",
             "\"basic-ggz\"];\n              detect = 0.6;" }, "broad = {",
      { "broad.providers: domain 'youth' of team 'wijkteam' has no provider",
        "rule 'makelpunt' sends single questions to the providers" } },
};

/* The settings of a pathway's rule and the services block. */
static const support_bad services[] = {
    { SVC, { BROAD, "rule = \"broad\";" }, "broad = {",
      { "broad.degree: required setting is missing",
        "rule 'broad' needs the degree of integration: none, limited, partial or full" } },
    { SVC, { "seek_rate = [0.3, 0.6, 1.0];", "" }, "services = {",
      { "services.seek_rate: required setting is missing",
        "help-seeking rates per year by highest severity" } },
    { SVC, { "payer = \"gemeente-wmo\"; category = \"first line\";",
             "payer = { gemeente-wmo = 0.5; zorgverzekeraar = 0.4; }; category = \"first "
             "line\";" }, NULL,
      { "teams.[0].payer: the shares sum to 0.9; expected 1" } },
    { SVC, { CLASSIC, "detect = 0.1; wait_escalation = 0.2; wait_effect = 0.3; "
             "team = \"wijkteam\"; };" }, NULL,
      { "classic.team: rule 'classic' does not use this setting" } },
    { SVC, { CLASSIC, "detect = 0.1; wait_escalation = 0.2; wait_effect = 0.3; "
             "refer_above = 1.0; };" }, NULL,
      { "classic.refer_above: rule 'classic' does not use this setting" } },
    { SVC, { BROAD, "rule = \"makelpunt\"; degree = \"full\";" }, "broad = {",
      { "broad.quick_scan: required setting is missing; a makelpunt needs its quick scan" } },
    { SVC, { BROAD, "rule = \"front_post\"; degree = \"full\";" }, "broad = {",
      { "broad.refer_above: required setting is missing; rule 'front_post' needs it" } },
    { SVC, { BROAD, "rule = \"front_post\"; degree = \"full\"; refer_above = 1e400;" }, NULL,
      { "broad.refer_above: expected a finite severity score" } },
    { SVC, { BROAD, "rule = \"multi_problem\"; degree = \"full\"; multi_problem = { "
             "min_domains = 2; min_severity = 0.0; };" }, NULL,
      { "multi_problem.min_severity: 0 is out of range",
        "expected a severity > 0 (a problem), at most 1000" } },
    { SVC, { "self_reliance = { share = 0.1; cap = 0.2; };",
             "self_reliance = { share = 0.0; cap = 0.2; relapse = 0.5; };" }, NULL,
      { "self_reliance.relapse: relapse can never act",
        "self_reliance.share is 0 and rule 'broad' has no quick scan" } },
    { SVC, { "population = 10000.0;", "population = 10000.0; dismantling = 1000.0;" }, NULL,
      { "services.dismantling: the reference arm 'classic' runs the classic route",
        "make the reference the integrated model in place today" } },
};

/* The remaining top-level settings of full.cfg. */
static const support_bad top[] = {
    { FULL, { "arms = (", "/* arms = (", "    };\n  }\n);", "    };\n  }\n); */" }, "",
      { "arms: required setting is missing; expected a list of arms with one reference = "
        "true" } },
    { FULL, { "label = \"Broad integrated wijkteam\";",
              "label = \"Broad integrated wijkteam\"; calibrated_to = \"\";" }, NULL,
      { "arms.[1].calibrated_to: empty; expected the figure the arm's overrides were tuned "
        "to reproduce" } },
    { FULL, { "states = [\"none\", \"light\", \"severe\"];",
              "states = (\"none\", \"light\", { name = \"severe\"; severity = 5000.0; });" },
      NULL, { "severity: 5000 is out of range; expected a severity score from -1000 to "
              "1000" } },
    { FULL, { "deadweight = 0.1;", "deadweight = 0.1; residual_years = -1;" }, NULL,
      { "analysis.residual_years: -1 is out of range; expected 0 (no residual value) to" } },
    { FULL, { "optimism_bias = 0.2;", "optimism_bias = 20.0;" }, NULL,
      { "analysis.optimism_bias: 20 looks like a percentage",
        "write 0.2 for +20% on the extra costs" } },
    { FULL, { "deadweight = 0.1;", "deadweight = 0.1; health_value = { effect = \"qaly\"; "
              "value = -5.0; source = \"x\"; };" }, NULL,
      { "health_value.value: -5 is out of range; expected money per unit of 'qaly'" } },
    { FULL, { "deadweight = 0.1;", "deadweight = 0.1; health_value = { effect = \"qaly\"; "
              "value = 50000.0; source = \"\"; };" }, NULL,
      { "health_value.source: empty; expected where the value per unit comes from" } },
};

static void test_population(void **state)
{
    (void)state;
    support_bad_loads(population, N(population));
}

static void test_substitution(void **state)
{
    (void)state;
    support_bad_loads(substitution, N(substitution));
}

static void test_startup(void **state)
{
    (void)state;
    support_bad_loads(startup, N(startup));
}

static void test_services(void **state)
{
    (void)state;
    support_bad_loads(services, N(services));
}

static void test_top(void **state)
{
    (void)state;
    support_bad_loads(top, N(top));
}

/* A scenario folder of its own: the main scenario `main_text` and one
 * more entry `name`, a file with `text` or, when `target` is given, a
 * symbolic link to it. Loads it and expects the load refused with each
 * phrase of says; removes the folder. */
static void load_folder(const char *main_text, const char *name, const char *text,
                        const char *target, const char *const *says, size_t nsays)
{
    char dir[64], main_path[96], other[128];
    snprintf(dir, sizeof dir, "/tmp/mkba-errors-sections-%d-XXXXXX", (int)getpid());
    assert_non_null(mkdtemp(dir));
    snprintf(main_path, sizeof main_path, "%s/main.cfg", dir);
    snprintf(other, sizeof other, "%s/%s", dir, name);
    assert_int_equal(support_write_file(main_path, main_text), 0);
    if (target != NULL)
        assert_int_equal(symlink(target, other), 0);
    else
        assert_int_equal(support_write_file(other, text), 0);
    mkba_error err = {0};
    mkba_model *m = NULL;
    int rc = mkba_scenario_load(NULL, main_path, &m, &err);
    remove(other);
    remove(main_path);
    rmdir(dir);
    assert_int_not_equal(rc, MKBA_OK);
    assert_null(m);
    for (size_t i = 0; i < nsays; i++)
        if (strstr(err.message, says[i]) == NULL)
            fail_msg("expected \"%s\" in: %s", says[i], err.message);
}

/* Settings doubled across files, two on one line of the included file:
 * the message lists both, since libconfig does not say which. */
static void test_duplicate_names(void **state)
{
    (void)state;
    char *text = support_edited(FULL, "currency = \"EUR\";",
                                "currency = \"EUR\";\n@include \"twice.cfg\"");
    load_folder(text, "twice.cfg", "name = \"again\"; currency = \"USD\";\n", NULL,
                (const char *[]){ "/twice.cfg:1: duplicate setting name, one of name, currency, "
                                  "already set in another file" }, 1);
    free(text);
}

/* An @include'd file that stat gives no size (a file of /proc, here
 * behind a link) is measured as it is read: a scenario that then passes
 * the size limit is refused, naming the file. */
static void test_size_limit_on_reading(void **state)
{
    (void)state;
    if (access("/proc/self/status", R_OK) != 0)
        skip();     /* a system without /proc */
    char *base = support_edited(FULL, "currency = \"EUR\";",
                                "currency = \"EUR\";\n@include \"status.cfg\"");
    size_t n = strlen(base), size = (1u << 20) - 64;
    assert_true(n < size);
    char *text = malloc(size + 1);
    assert_non_null(text);
    memcpy(text, base, n);
    /* A comment pads the main file to 64 bytes below the limit. */
    memset(text + n, ' ', size - n);
    text[n] = '#';
    text[size - 1] = '\n';
    text[size] = '\0';
    load_folder(text, "status.cfg", NULL, "/proc/self/status",
                (const char *[]){ "/status.cfg: the scenario with its @include files has more "
                                  "than 1048576 bytes, the limit" }, 1);
    free(text);
    free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_population),
        cmocka_unit_test(test_substitution),
        cmocka_unit_test(test_startup),
        cmocka_unit_test(test_services),
        cmocka_unit_test(test_top),
        cmocka_unit_test(test_duplicate_names),
        cmocka_unit_test(test_size_limit_on_reading),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
