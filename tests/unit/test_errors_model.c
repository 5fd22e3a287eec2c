/* Error paths of the scenario loader: every message the loader gives for a
 * bad setting, provoked by a one-line edit of a fixture and checked for the
 * file, the line of the setting and the words a user reads. The fixtures
 * themselves load (test_scenario.c), so each refusal comes from its edit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "support_errors.h"

#define FULL "tests/data/full.cfg"
#define SVC "tests/data/services.cfg"
#define N(a) (sizeof (a) / sizeof (a)[0])

/* The top-level settings: run, timing, discount, payers, effects, arms. */
static const support_bad top[] = {
    { FULL, { "seed = 20261128;", "seed = -3;" }, NULL, { "seed: -3 is negative" } },
    { FULL, { "timing = {", "/* timing = {",
              "discount_time = \"point\";    # \"start\" | \"middle\" | \"end\" | \"point\"\n};",
              "*/" }, "", { "timing: required setting is missing", "horizon = YEARS" } },
    { FULL, { "horizon = 6;", "horizon = 0;" }, NULL, { "0 years is out of range" } },
    { FULL, { "costs = 0.0225;", "costs = 1.5;" }, NULL,
      { "discount.costs: 1.5 is out of range", "0.0225 for 2.25%" } },
    { FULL, { "( \"gemeente-wmo\",", "( 17, \"gemeente-wmo\"," }, NULL,
      { "expected a payer name in double quotes or a group" } },
    { FULL, { "( \"gemeente-wmo\",", "( \"gemeente-wmo\", \"gemeente-wmo\"," }, NULL,
      { "payer 'gemeente-wmo' is listed twice" } },
    { FULL, { "{ name = \"qaly\"; unit = \"QALY\"; },",
              "{ name = \"qaly\"; unit = \"QALY\"; }, { name = \"qaly\"; unit = \"QALY\"; }," },
      NULL, { "effect 'qaly' is defined twice" } },
    { FULL, { "{ name = \"classic\"; reference = true;",
              "{ name = \"integrated\"; },\n  { name = \"classic\"; reference = true;" },
      "{ name = \"integrated\"; label", { "arm 'integrated' is defined twice" } },
    { FULL, { "reference = true; label = \"Classic", "label = \"Classic" }, "arms = (",
      { "no arm has reference = true", "exactly one reference arm" } },
    { FULL, { "mkba_format = 1;", "mkba_format = 2;" }, NULL,
      { "format version 2 is not supported; expected mkba_format = 1" } },
    { FULL, { "price_year = 2024;", "price_year = 1800;" }, NULL,
      { "price_year: 1800 is out of range", "1900 to 2200" } },
    { FULL, { "domains = (", "/* domains = (", ");\n\ninteractions = (",
              "); */\n\ninteractions = (" }, "", { "domains: required setting is missing" } },
    { FULL, { "currency = \"EUR\";", "currency = 5;" }, NULL,
      { "currency: found a whole number; expected a string in double quotes" } },
    { FULL, { "municipal = false;", "municipal = 1;" }, NULL,
      { "found a whole number; expected true or false" } },
    { FULL, { "{ name = \"woningcorporatie\"; municipal = false; }",
              "{ municipal = false; }" }, NULL,
      { "name: required setting is missing" } },
    /* A payer's category picked nothing since the MKBA table: refused. */
    { FULL, { "{ name = \"woningcorporatie\"; municipal = false; }",
              "{ name = \"woningcorporatie\"; municipal = false; category = \"indirect\"; }" },
      NULL, { "category: a payer has no MKBA category any more", "direct effects" } },
    { FULL, { "effects = (", "/* effects = (", ");\n\narms = (", "); */\n\narms = (" },
      "primary_effect = \"qaly\";", { "unknown effect 'qaly'", "there are none" } },
};

/* Domains: states, initial states, transitions, interactions. */
static const support_bad domains[] = {
    { FULL, { "states = [\"none\", \"light\", \"severe\"];", "" }, "{ name = \"debt\";",
      { "states: required setting is missing", "2 to 8 state names" } },
    { FULL, { "[\"none\", \"light\", \"severe\"]", "[\"none\"]" }, NULL,
      { "1 states; expected 2 to 8" } },
    { FULL, { "[\"none\", \"light\", \"severe\"]",
              "[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\"]" }, NULL,
      { "9 states; expected 2 to 8" } },
    { FULL, { "absorbing = true; exit = true;", "absorbing = false; exit = true;" }, NULL,
      { "an exit state is absorbing" } },
    { FULL, { "[\"none\", \"light\", \"severe\"]", "(\"none\", \"light\", 3)" }, NULL,
      { "expected a state name in double quotes or a group" } },
    { FULL, { "[\"none\", \"light\", \"severe\"]", "[\"none\", \"light\", \"se vere\"]" },
      NULL, { "'se vere' is not a valid state name", "starting with a letter" } },
    { FULL, { "[\"none\", \"light\", \"severe\"]", "[\"none\", \"light\", \"none\"]" }, NULL,
      { "state 'none' is listed twice" } },
    { FULL, { "initial = { state = \"alive\"; };", "" }, "{ name = \"life\";",
      { "initial: required setting is missing" } },
    { FULL, { "initial = { state = \"alive\"; };", "initial = { };" }, NULL,
      { "neither is given; expected exactly one of prevalence" } },
    { FULL, { "initial = { state = \"alive\"; };",
              "initial = { state = \"alive\"; loading = 0.2; };" }, NULL,
      { "a loading needs prevalence" } },
    { FULL, { "prevalence = [0.85, 0.15]", "prevalence = [0.85, 0.1, 0.05]" }, NULL,
      { "3 entries; expected 2, one per state" } },
    { FULL, { "prevalence = [0.85, 0.15]", "prevalence = [1.15, -0.15]" }, NULL,
      { "proportion 1.15 is outside [0, 1]" } },
    { FULL, { "loading = 0.3; };", "loading = 1.0; };" }, NULL,
      { "loading 1 is outside [0, 1)" } },
    { FULL, { "probabilities = { well = 0.3; }; },",
              "probabilities = { well = 0.3; }; rates = { well = 0.1; }; }," }, NULL,
      { "'probabilities' and 'rates' are both given" } },
    { FULL, { "{ from = \"at_risk\"; probabilities = { housed = 0.4; evicted = 0.05; }; },",
              "{ from = \"at_risk\"; }," }, NULL,
      { "no values; expected one of probabilities, rates" } },
    { FULL, { "probabilities = { housed = 0.5; }", "probabilities = { }" }, NULL,
      { "the group is empty" } },
    { FULL, { "rates = { dead = 0.01; }", "rates = { dead = -0.01; }" }, NULL,
      { "rate -0.01 is negative" } },
    { FULL, { "probabilities = { housed = 0.4; evicted = 0.05; };",
              "probabilities = { housed = 0.4; evicted = 0.05; }; of = \"classic\";" }, NULL,
      { "'of' names the arm a ratio applies to" } },
    { FULL, { "{ name = \"mental\";", "{ name = \"debt\";" },
      "{ name = \"debt\";\n    states = ( {",
      { "domain 'debt' is defined twice" } },
    { FULL, { "to = \"mental\"; beta = \"beta_debt_mental\";",
              "to = \"debt\"; beta = \"beta_debt_mental\";" }, NULL,
      { "a domain cannot interact with itself" } },
    { FULL, { "to = \"housing\"; beta = 0.4;", "to = \"housing\";" }, NULL,
      { "beta: required setting is missing", "log hazard ratio" } },
};

/* Rule windows, costs and effect values. */
static const support_bad rules[] = {
    { FULL, { "per_year = 12000.0; arms = [\"classic\"];", "per_year = 12000.0; arms = [1];" },
      NULL, { "expected an arm name in double quotes" } },
    { FULL, { "cycles = [1, 2];", "cycles = [1];" }, NULL,
      { "expected two whole numbers [first, last] cycle" } },
    { FULL, { "cycles = [1, 2];", "cycles = [1.0, 2.0];" }, NULL,
      { "expected two whole numbers" } },
    { FULL, { "cycles = [1, 2];", "cycles = [0, 2];" }, NULL,
      { "first value 0 is out of range; expected 1 to 6" } },
    { FULL, { "cycles = [1, 2];", "cycles = [2, 1];" }, NULL,
      { "the window [2, 1] is empty" } },
    { FULL, { "{ domain = \"debt\"; state = \"severe\"; payer = \"huishouden\";",
              "{ state = \"severe\"; payer = \"huishouden\";" }, NULL,
      { "a state needs its domain" } },
    { FULL, { "payer = \"gemeente-wmo\"; once = 150.0;",
              "payer = \"gemeente-wmo\"; once = 150.0; per_year = 1.0;" }, NULL,
      { "both once and per_year are given" } },
    { FULL, { "payer = \"gemeente-wmo\"; once = 150.0;", "payer = \"gemeente-wmo\";" },
      "{ arms = [\"integrated\"]; payer = \"gemeente-wmo\";",
      { "no amount is given" } },
    { FULL, { "state = \"severe\"; payer = \"huishouden\";",
              "state = \"severe\"; enter = \"light\"; payer = \"huishouden\";" }, NULL,
      { "both state and enter are given" } },
    { FULL, { "state = \"severe\"; payer = \"huishouden\"; per_year = 800.0;",
              "state = \"severe\"; payer = \"huishouden\"; once = 800.0;" }, NULL,
      { "a cost in a state is paid per year" } },
    { FULL, { "payer = \"woningcorporatie\"; once = \"eviction_cost\";",
              "payer = \"woningcorporatie\"; per_year = \"eviction_cost\";" }, NULL,
      { "a cost on entering a state is paid once" } },
    { FULL, { "payer = \"huishouden\"; per_year = 800.0;", "payer = \"huishouden\";" },
      "state = \"severe\"; payer = \"huishouden\"; }",
      { "per_year: required setting is missing; expected an amount" } },
    { FULL, { "payer = \"gemeente-wmo\"; once = 150.0;",
              "payer = \"gemeente-wmo\"; once = 150.0; duration = [0, 0];" }, NULL,
      { "duration counts the cycles spent in a state" } },
    { FULL, { "{ effect = \"severe_years\"; domain = \"debt\"; state = \"severe\";",
              "{ effect = \"severe_years\"; domain = \"debt\";" }, NULL,
      { "domain and state go together" } },
    { FULL, { "{ effect = \"qaly\"; per_year = 0.85; }",
              "{ effect = \"qaly\"; per_year = 0.85; duration = [0, 1]; }" }, NULL,
      { "duration counts the cycles spent in a state" } },
    { FULL, { "payer = \"huishouden\"; per_year = 800.0;",
              "payer = \"huishouden\"; per_year = [800.0];" }, NULL,
      { "found an array [ ... ]; expected a number, a parameter name or expression" } },
    { FULL, { "per_year = \"prog_year\";", "per_year = \"zzqqxxkk\";" }, NULL,
      { "unknown parameter 'zzqqxxkk'; expected a name defined in the parameters section" } },
    { FULL, { "per_year = { dist = \"gamma\"; shape = 4.0; scale = 100.0; }",
              "per_year = { dist = \"dirichlet\"; alpha = [1.0, 2.0]; }" }, NULL,
      { "a Dirichlet distribution defines several parameters" } },
};

/* Parameters, expressions, distributions and correlations. */
static const support_bad params[] = {
    { FULL, { "loading = 0.5;", "load-ing = 0.5;" }, NULL,
      { "'load-ing' cannot be used in expressions" } },
    { FULL, { "loading = 0.5;", "exp = 0.5; loading = 0.5;" }, NULL,
      { "'exp' is a built-in function or constant of expressions" } },
    { FULL, { "loading = 0.5;", "loading = [0.5];" }, NULL,
      { "found an array [ ... ]; expected a number, an expression in double quotes, or a "
        "group" } },
    { FULL, { "{ value = 0.3; source = \"assumption\"; }",
              "{ value = 0.3; expr = \"loading\"; source = \"assumption\"; }" }, NULL,
      { "'value' and 'expr' are both given" } },
    { FULL, { "{ value = 0.3; source = \"assumption\"; }", "{ source = \"assumption\"; }" },
      NULL, { "no value; expected a group with dist" } },
    { FULL, { "\"p_debt_worse / 2 + n_shift\"", "\"p_debt_wors / 2 + n_shift\"" }, NULL,
      { "unknown parameter 'p_debt_wors' in expression", "did you mean 'p_debt_worse'?" } },
    { FULL, { "\"p_debt_worse / 2 + n_shift\"", "\"zzqqxxkk / 2 + n_shift\"" }, NULL,
      { "unknown parameter 'zzqqxxkk' in expression", "defined in the parameters section" } },
    /* The expression scanner's words (src/core/expr.c). */
    { FULL, { "\"p_debt_worse / 2 + n_shift\"", "\"(p_debt_worse / 2 + n_shift\"" }, NULL,
      { "expected ')'" } },
    { FULL, { "\"p_debt_worse / 2 + n_shift\"", "\"exp p_debt_worse\"" }, NULL,
      { "a function needs its argument in parentheses" } },
    { FULL, { "\"p_debt_worse / 2 + n_shift\"", "\"foo(p_debt_worse)\"" }, NULL,
      { "unknown function" } },
    { FULL, { "\"p_debt_worse / 2 + n_shift\"", "\"p_debt_worse / * 2\"" }, NULL,
      { "expected a number, a name or '('" } },
    { FULL, { "\"p_debt_worse / 2 + n_shift\"", "\"p_debt_worse / 2x\"" }, NULL,
      { "malformed number" } },
    { FULL, { "{ dist = \"dirichlet\"; alpha = [80.0, 15.0, 5.0]; }",
              "{ dist = \"dirichlet\"; }" }, NULL,
      { "alpha: required setting is missing", "at least 2 positive numbers" } },
    { FULL, { "alpha = [80.0, 15.0, 5.0];", "alpha = [80.0];" }, NULL,
      { "1 component; expected at least 2" } },
    { FULL, { "alpha = [80.0, 15.0, 5.0];", "alpha = (80.0, \"x\", 5.0);" }, NULL,
      { "found a string; expected a positive number" } },
    { FULL, { "alpha = [80.0, 15.0, 5.0];", "alpha = [80.0, -15.0, 5.0];" }, NULL,
      { "alpha must be > 0 (got -15)" } },
    { FULL, { "correlations = (", "correlations = ( { matrix = [1.0]; }," }, NULL,
      { "parameters: required setting is missing" } },
    { FULL, { "correlations = (", "correlations = ( { parameters = [\"u_severe\"]; }," },
      NULL, { "matrix: required setting is missing" } },
    { FULL, { "correlations = (",
              "correlations = ( { parameters = [\"u_severe\"]; matrix = [1.0]; }," }, NULL,
      { "1 parameter; expected at least 2" } },
    { FULL, { "correlations = (",
              "correlations = ( { parameters = [\"u_severe\", \"prog_year\"]; "
              "matrix = [1.0]; }," }, NULL, { "1 numbers; expected 4 (2 x 2, row by row)" } },
    { FULL, { "correlations = (",
              "correlations = ( { parameters = (\"u_severe\", 3); "
              "matrix = [1.0, 0.0, 0.0, 1.0]; }," }, NULL,
      { "found a whole number; expected a parameter name in double quotes" } },
    { FULL, { "correlations = (",
              "correlations = ( { parameters = [\"u_sever\", \"prog_year\"]; "
              "matrix = [1.0, 0.0, 0.0, 1.0]; }," }, NULL,
      { "unknown parameter 'u_sever'; did you mean 'u_severe'?" } },
    { FULL, { "correlations = (",
              "correlations = ( { parameters = [\"zzqqxxkk\", \"prog_year\"]; "
              "matrix = [1.0, 0.0, 0.0, 1.0]; }," }, NULL,
      { "unknown parameter 'zzqqxxkk'; expected a name defined in the parameters section" } },
    { FULL, { "correlations = (",
              "correlations = ( { parameters = [\"loading\", \"prog_year\"]; "
              "matrix = [1.0, 0.0, 0.0, 1.0]; }," }, NULL,
      { "'loading' is a fixed number; expected a parameter drawn from a distribution" } },
    { FULL, { "correlations = (",
              "correlations = ( { parameters = [\"p_mental_worse\", \"prog_year\"]; "
              "matrix = [1.0, 0.0, 0.0, 1.0]; }," }, NULL,
      { "'p_mental_worse' is an expression; expected a parameter drawn" } },
    { FULL, { "correlations = (",
              "correlations = ( { parameters = [\"u_severe\", \"prog_year\"]; "
              "matrix = (1.0, \"x\", 0.0, 1.0); }," }, NULL,
      { "found a string; expected a number" } },
};

/* The analysis section. */
static const support_bad analysis[] = {
    { FULL, { "step = 20000.0; }", "step = 0.001; }" }, NULL,
      { "values from 0 to 80000 in steps of 0.001; expected at most" } },
    { FULL, { "from = 0.0; to = 80000.0;", "from = -1.0; to = 80000.0;" }, NULL,
      { "from: -1 is out of range; expected an amount >= 0" } },
    { FULL, { "from = 0.0; to = 80000.0;", "from = 100.0; to = 50.0;" }, NULL,
      { "to: 50 is below from = 100" } },
    { FULL, { "step = 20000.0; }", "step = 0.0; }" }, NULL,
      { "step: 0 is out of range; expected a step > 0" } },
    { FULL, { "wtp = { from = 0.0; to = 80000.0; step = 20000.0; };", "wtp = (0.0, \"x\");" },
      NULL, { "expected an amount (a number)" } },
    { FULL, { "wtp = { from = 0.0; to = 80000.0; step = 20000.0; };", "wtp = [0.0, -5.0];" },
      NULL, { "-5 is out of range; expected an amount >= 0" } },
    { FULL, { "{ name = \"zorg-en-veiligheid\"; payers = [\"zorgverzekeraar\", \"justitie\"]; }",
              "{ name = \"zorg-en-veiligheid\"; }" }, NULL,
      { "payers: required setting is missing" } },
    { FULL, { "payers = [\"zorgverzekeraar\", \"justitie\"]",
              "payers = (\"zorgverzekeraar\", 3)" }, NULL,
      { "expected a payer name in double quotes" } },
    { FULL, { "payers = [\"zorgverzekeraar\", \"justitie\"]",
              "payers = [\"zorgverzekeraar\", \"zorgverzekeraar\"]" }, NULL,
      { "payer 'zorgverzekeraar' is listed twice" } },
    { FULL, { "payers = [\"zorgverzekeraar\", \"justitie\"]", "payers = \"zorgverzekeraar\"" },
      NULL, { "found a string; expected" } },
    { FULL, { "payers = [\"zorgverzekeraar\", \"justitie\"]", "payers = []" }, NULL,
      { "the list is empty; expected" } },
    { FULL, { "{ name = \"zorg-en-veiligheid\"; payers = [\"zorgverzekeraar\", \"justitie\"]; }",
              "\"zorg-only\"" }, "  );\n  wtp", /* libconfig dates a list element by the
                                                   token after it */
      { "found a string; expected a group {name" } },
    { FULL, { "pm_items = [\"fewer school drop-outs\", \"safer neighbourhood\"];",
              "pm_items = (\"fewer school drop-outs\", 3);" }, NULL,
      { "expected a description of a non-monetised effect in double quotes" } },
    { FULL, { "population = 1500.0;", "population = -1.0;" }, NULL,
      { "population: -1 is out of range; expected households per year >= 0" } },
    { FULL, { "population = 1500.0;", "population = \"many\";" }, NULL,
      { "found a string; expected a number" } },
    { FULL, { "population_years = 5;", "population_years = 0;" }, NULL,
      { "population_years: 0 is out of range" } },
    { FULL, { "population_years = 5;", "population_years = 5.0;" }, NULL,
      { "found a number; expected a whole number (no decimal point)" } },
    { FULL, { "optimism_bias = 0.2;", "optimism_bias = -0.5;" }, NULL,
      { "optimism_bias: -0.5 is out of range" } },
};

/* The services section, its teams and pathways. */
static const support_bad services[] = {
    { SVC, { "seek_rate = [0.3, 0.6, 1.0];",
             "seek_rate = [0.3, 0.6, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];" }, NULL,
      { "seek_rate: 9 rates; expected at most 8" } },
    { SVC, { "seek_rate = [0.3, 0.6, 1.0];", "seek_rate = [0.3, -0.6, 1.0];" }, NULL,
      { "-0.6 is out of range; expected a rate per year from 0 to 1000" } },
    { SVC, { "population = 10000.0;",
             "population = 10000.0; degree_weights = { full = 1.5; };" }, NULL,
      { "full: 1.5 is out of range; expected a weight from 0 to 1" } },
    { SVC, { "teams = (", "/* teams = (", "handover_cost = 250.0; }\n  );",
             "handover_cost = 250.0; }\n  ); */" }, "services = {",
      { "teams: required setting is missing" } },
    { SVC, { "teams = (", "teams = ( 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0," }, NULL,
      { "20 teams; expected at most 16" } },
    { SVC, { "duplicate_registration = 40.0; }; };\n  };",
             "duplicate_registration = 40.0; }; };\n  }; */", "pathways = {",
             "/* pathways = {" }, "services = {", { "pathways: required setting is missing" } },
    { SVC, { "{ name = \"broad\"; label = \"Model A: broad integrated team\"; }",
             "{ name = \"broad\"; label = \"Model A\"; }, { name = \"third\"; }" }, "pathways = {",
      { "pathways.third: required setting is missing; every arm needs a pathway" } },
    { SVC, { "classic = { rule = \"classic\"; providers", "classic = { providers" }, NULL,
      { "rule: required setting is missing; expected one of" } },
    { SVC, { "classic = { rule = \"classic\";",
             "classic = { rule = \"classic\"; degree = \"full\";" }, NULL,
      { "the classic route has no joint plan" } },
    { SVC, { "              payer = \"gemeente-wmo\";\n              overheads",
             "              overheads" }, "broad = { rule",
      { "payer: required setting is missing; the pathway has costs of its own" } },
    { SVC, { "{ name = \"basic-ggz\";", "{ name = \"debt-service\";" },
      "{ name = \"debt-service\"; domains = [\"mental\"]",
      { "team 'debt-service' is defined twice" } },
    { SVC, { "{ name = \"debt-service\"; domains = [\"debt\"];", "{ name = \"debt-service\";" },
      NULL, { "domains: required setting is missing; expected a list of domain names" } },
    { SVC, { "{ name = \"debt-service\"; domains = [\"debt\"];",
             "{ name = \"debt-service\"; domains = [1];" }, NULL,
      { "expected a domain name in double quotes" } },
    { SVC, { "payer = \"gemeente-wmo\"; category = \"first line\";",
             "payer = { }; category = \"first line\";" }, NULL,
      { "0 payers; expected 1 to 8 payer = share pairs" } },
    { SVC, { "payer = \"gemeente-wmo\"; category = \"first line\";",
             "payer = { zorgverzekeraar = \"half\"; }; category = \"first line\";" }, NULL,
      { "expected the payer's share, a number in (0, 1]" } },
    { SVC, { "payer = \"gemeente-wmo\"; category = \"first line\";",
             "payer = { zorgverzekeraar = 1.5; }; category = \"first line\";" }, NULL,
      { "1.5 is out of range; expected a share in (0, 1]" } },
    { SVC, { "team = \"wijkteam\";", "team = 5;" }, NULL,
      { "expected a team name in double quotes" } },
    { SVC, { "providers = [\"debt-service\", \"basic-ggz\", \"youth-team\"];\n"
             "                detect",
             "providers = [\"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", "
             "\"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\"];\n                detect" }, NULL,
      { "17 teams; expected at most 16" } },
    { SVC, { "worsen_hr = 0.7;", "worsen_hr = [0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7];" },
      NULL, { "9 values; expected at most 8 severity levels" } },
};

/* The mechanisms of issue 12: hazard ratios per domain, shared ICT as a
 * costed choice, take-up of entitlements. */
#define BROAD_OVERHEADS "shared_ict = false; duplicate_registration = 40.0;"
#define TAKE_UP(x) "duplicate_registration = 40.0; };\n take_up = { " x " };"
#define TAKE_UP_OK "domain = \"debt\"; min_severity = 1.0; non_take_up = 0.5; " \
    "team_claims = 0.5; amount = 1000.0; payer = \"gemeente-wmo\"; recipient = " \
    "\"zorgverzekeraar\";"
static const support_bad mechanisms[] = {
    { SVC, { "improve_hr = \"improve\"; worsen_hr = 0.7;",
             "improve_hr = \"improve\"; worsen_hr = 0.7; improve_hr_by_domain = { work = 1.0; };" },
      NULL, { "unknown domain 'work'" } },
    { SVC, { "improve_hr = \"improve\"; worsen_hr = 0.7;",
             "improve_hr = \"improve\"; worsen_hr = 0.7; worsen_hr_by_domain = { debt = -1.0; };" },
      NULL, { "worsen_hr_by_domain.debt: -1 is out of range; expected a hazard ratio >= 0" } },
    { SVC, { "improve_hr = \"improve\"; worsen_hr = 0.7;",
             "improve_hr = \"improve\"; worsen_hr = 0.7; improve_hr_by_domain = 1.0;" },
      NULL, { "improve_hr_by_domain", "expected a group {DOMAIN = value or [values by severity level]; ...}" } },
    { SVC, { BROAD_OVERHEADS, "shared_ict = true; duplicate_registration = 40.0;" },
      "overheads = {", { "ict_investment: required setting is missing",
                         "shared ICT is a costed choice" } },
    { SVC, { BROAD_OVERHEADS, "shared_ict = true; duplicate_registration = 40.0;\n"
             "ict_investment = 1.0; ict_running = -5.0;" }, "ict_running",
      { "ict_running: -5 is out of range", "running cost of shared ICT" } },
    { SVC, { BROAD_OVERHEADS, BROAD_OVERHEADS "\nict_running = 5.0;" }, "ict_running",
      { "ict_running", "the arm has no shared ICT" } },
    { SVC, { "duplicate_registration = 40.0; };", TAKE_UP("domain = \"debts\";") }, "take_up = {",
      { "take_up.domain", "unknown domain 'debts'" } },
    { SVC, { "duplicate_registration = 40.0; };",
             TAKE_UP("domain = \"debt\"; min_severity = 1.0; payer = \"gemeente\";") }, "take_up = {",
      { "take_up.payer", "unknown payer 'gemeente'" } },
    { SVC, { "duplicate_registration = 40.0; };",
             TAKE_UP("domain = \"debt\"; min_severity = 1.0; payer = \"gemeente-wmo\"; "
                     "recipient = \"gemeente-wmo\";") }, "take_up = {",
      { "take_up.recipient", "is also the payer" } },
    { SVC, { "duplicate_registration = 40.0; };",
             TAKE_UP("domain = \"debt\"; min_severity = 0.0; payer = \"gemeente-wmo\"; "
                     "recipient = \"zorgverzekeraar\";") }, "take_up = {",
      { "take_up.min_severity: 0 is out of range" } },
    { SVC, { "duplicate_registration = 40.0; };",
             TAKE_UP("domain = \"debt\"; min_severity = 1.0; payer = \"gemeente-wmo\"; "
                     "recipient = \"zorgverzekeraar\"; non_take_up = 1.5; team_claims = 0.5; "
                     "amount = 1.0;") }, "take_up = {",
      { "take_up.non_take_up: 1.5 is out of range", "share of entitled households" } },
    { SVC, { "duplicate_registration = 40.0; };",
             TAKE_UP("domain = \"debt\"; min_severity = 1.0; payer = \"gemeente-wmo\"; "
                     "recipient = \"zorgverzekeraar\"; non_take_up = 0.5; "
                     "amount = 1.0;") }, "take_up = {",
      { "take_up.team_claims: required setting is missing" } },
    { SVC, { "turnover = 0.15;", "turnover = 0.15; caseload_norm = 20.0;" },
      "{ name = \"wijkteam\";",
      { "caseload_slope: required setting is missing", "come together" } },
    { SVC, { "turnover = 0.15;", "turnover = 0.15; caseload_norm = 0.0; caseload_slope = 1.0;" },
      NULL, { "caseload_norm: 0 is out of range; expected households per FTE, a number > 0" } },
    { SVC, { "turnover = 0.15;", "turnover = 0.15; caseload_norm = 20.0; caseload_slope = -1.0;" },
      NULL, { "caseload_slope: -1 is out of range" } },
    { SVC, { "cap = 0.2; };", "cap = 0.2; informal_care = 300.0; };" }, NULL,
      { "self_reliance.payer: required setting is missing", "informal care needs the payer" } },
    { SVC, { "cap = 0.2; };", "cap = 0.2; informal_care = 300.0; payer = \"buren\"; };" }, NULL,
      { "self_reliance.payer", "unknown payer 'buren'" } },
    { SVC, { "cap = 0.2; };", "cap = 0.2; informal_care = -3.0; payer = \"zorgverzekeraar\"; };" },
      NULL, { "self_reliance.informal_care: -3 is out of range", "informal-care cost" } },
    { SVC, { "cap = 0.2; };", "cap = 0.2; payer = \"zorgverzekeraar\"; };" }, NULL,
      { "self_reliance.payer", "a payer without self_reliance.informal_care" } },
    { SVC, { "rule = \"broad\"; degree = \"full\";",
             "rule = \"broad\"; degree = \"full\"; classic_access = \"classic\";" }, NULL,
      { "classic_access", "rule 'broad' sends no household past its team" } },
    { SVC, { "rule = \"broad\"; degree = \"full\";",
             "rule = \"multi_problem\"; degree = \"full\"; classic_access = \"klassiek\"; "
             "multi_problem = { min_domains = 2; min_severity = 1.0; };" }, NULL,
      { "classic_access", "unknown arm 'klassiek'" } },
    { SVC, { "duplicate_registration = 40.0; };",
             TAKE_UP(TAKE_UP_OK " amount_per_year = 3.0;") }, "take_up = {",
      { "amount_per_year" } },
    /* Settings that would never act are refused, not ignored. */
    { SVC, { "{ name = \"debt-service\"; domains = [\"debt\"];",
             "{ name = \"debt-service\"; domains = [\"debt\"];\n"
             "improve_hr_by_domain = { mental = 5.0; };" }, "mental = 5.0",
      { "improve_hr_by_domain.mental", "does not treat domain 'mental'",
        "expected one of the team's domains: debt" } },
    { SVC, { "improve_hr = \"improve\"; worsen_hr = 0.7;",
             "improve_hr = \"improve\"; worsen_hr = 0.7; worsen_hr_by_domain = { life = 1.0; };" },
      NULL, { "worsen_hr_by_domain.life", "does not treat domain 'life'" } },
    { SVC, { "detect = 0.1; wait_escalation",
             "take_up = { " TAKE_UP_OK " };\n detect = 0.1; wait_escalation" }, "take_up = {",
      { "take_up", "the classic route (rule 'classic') has no team of its own" } },
    { SVC, { "duplicate_registration = 40.0; };",
             TAKE_UP("domain = \"life\"; min_severity = 1.0; non_take_up = 0.5; "
                     "team_claims = 0.5; amount = 1000.0; payer = \"gemeente-wmo\"; "
                     "recipient = \"zorgverzekeraar\";") }, "take_up = {",
      { "take_up.domain", "no team of the arm's own treats domain 'life'" } },
    { SVC, { "duplicate_registration = 40.0; };",
             TAKE_UP("domain = \"debt\"; min_severity = 50.0; non_take_up = 0.5; "
                     "team_claims = 0.5; amount = 1000.0; payer = \"gemeente-wmo\"; "
                     "recipient = \"zorgverzekeraar\";") }, "take_up = {",
      { "take_up.min_severity", "50 is above every state of domain 'debt' (at most 3)" } },
    { SVC, { "rule = \"broad\"; degree = \"full\";",
             "rule = \"multi_problem\"; degree = \"full\"; classic_access = \"broad\"; "
             "multi_problem = { min_domains = 2; min_severity = 1.0; };" }, NULL,
      { "classic_access", "arm 'broad' is this arm itself", "another arm whose route is "
        "classic" } },
};

static void test_top(void **state)
{
    (void)state;
    support_bad_loads(top, N(top));
}

static void test_domains(void **state)
{
    (void)state;
    support_bad_loads(domains, N(domains));
}

static void test_rules(void **state)
{
    (void)state;
    support_bad_loads(rules, N(rules));
}

static void test_params(void **state)
{
    (void)state;
    support_bad_loads(params, N(params));
}

static void test_analysis(void **state)
{
    (void)state;
    support_bad_loads(analysis, N(analysis));
}

static void test_services(void **state)
{
    (void)state;
    support_bad_loads(services, N(services));
}

static void test_mechanisms(void **state)
{
    (void)state;
    support_bad_loads(mechanisms, N(mechanisms));
}

/* More arms or domains than the model holds: the list is refused as a
 * whole, before its entries are read. */
static void test_too_many(void **state)
{
    (void)state;
    char arms[2048] = "arms = (", doms[2048] = "domains = (";
    for (int i = 0; i < 32; i++) {
        char one[48];
        snprintf(one, sizeof one, " { name = \"extra%d\"; },", i);
        strcat(arms, one);
        strcat(doms, " 0,");
    }
    const support_bad cases[] = {
        { FULL, { "arms = (", arms }, NULL, { "34 arms; expected at most 32" } },
        { FULL, { "domains = (", doms }, NULL, { "36 domains; expected at most 32" } },
    };
    support_bad_loads(cases, N(cases));
}

/* A call without a path is refused in words, not by a crash. */
static void test_no_path(void **state)
{
    (void)state;
    mkba_error err = {0};
    mkba_model *m = NULL;
    assert_int_equal(mkba_scenario_load(NULL, NULL, &m, &err), MKBA_EINVAL);
    assert_non_null(strstr(err.message, "path and out are required"));
    assert_null(m);
}

/* A folder given as the scenario is named as one, not as an I/O error. */
static void test_folder_as_scenario(void **state)
{
    (void)state;
    mkba_error err = {0};
    mkba_model *m = NULL;
    assert_int_equal(mkba_scenario_load(NULL, "tests/data", &m, &err), MKBA_EIO);
    assert_non_null(strstr(err.message, "tests/data: cannot read the scenario: Is a directory"));
    assert_null(m);
}

/* Pathway rules with settings of their own, in the shipped scenarios: the
 * pathway's included file, edited, takes the place of its @include. */
static void test_pathways(void **state)
{
    (void)state;
    static const char *const b_file = "scenarios/pathways/shared/pathways/model-b.cfg";
    static const char *const triage =
        "triage = ( { team = \"mpg-team\"; min_domains = 4; min_severity = 2.0; },\n"
        "                 { team = \"team-jeugd-gezin\"; domain = \"youth\"; min_severity = 1.0; } );";
    static const char *const b_bad[][2] = {
        { "triage = ( { team = \"mpg-team\"; min_domains = 7; min_severity = 2.0; } );",
          "triage.[0].min_domains: 7 is out of range; expected 1 to 6" },
        { "triage = ( { team = \"mpg-team\"; domain = \"debt\"; min_domains = 4; min_severity = 2.0; } );",
          "triage.[0].min_domains: a criterion takes either a domain or min_domains" },
        { "triage = ( 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 );",
          "17 criteria; expected at most 16" },
        { "triage = ( { domain = \"youth\"; min_severity = 1.0; } );",
          "triage.[0].team: required setting is missing; expected one of the pathway's teams" },
        { "triage = ( { team = \"reclassering\"; domain = \"youth\"; min_severity = 1.0; } );",
          "team 'reclassering' is not in the pathway's teams" },
        { "triage = ( { team = \"team-volwassenen\"; domain = \"youth\"; min_severity = 1.0; } );",
          "team 'team-volwassenen' does not treat domain 'youth'; expected a domain of the team" },
        { "triage = ( { team = \"team-jeugd-gezin\"; domain = \"youth\"; min_severity = 0.0; } );",
          "0 is out of range; expected a severity > 0" },
        { "triage = ( { team = \"team-volwassenen\"; domain = \"debt\"; min_severity = 1.0; } );",
          "team 'team-volwassenen' does not treat domain 'youth' of the pathway's teams" },
    };
    for (size_t i = 0; i < N(b_bad); i++) {
        char *text = support_edited(b_file, triage, b_bad[i][0]);
        const support_bad c = { "scenarios/pathways/model-b.cfg",
                                { "@include \"shared/pathways/model-b.cfg\"", text },
                                i + 1 < N(b_bad) ? "triage = (" : "model_b = {",
                                { b_bad[i][1] } };
        support_bad_loads(&c, 1);
        free(text);
    }
    char *d = support_edited("scenarios/pathways/shared/pathways/model-d.cfg", "min_domains = 4;",
                             "min_domains = 99;");
    const support_bad dc = { "scenarios/pathways/model-d.cfg",
                             { "@include \"shared/pathways/model-d.cfg\"", d }, "min_domains = 99",
                             { "min_domains: 99 is out of range; expected 1 to 6 (the number of "
                               "domains)" } };
    support_bad_loads(&dc, 1);
    free(d);
    d = support_edited("scenarios/pathways/shared/pathways/model-d.cfg",
                       "providers = [\"jeugdhulp\",", "providers = [\"mpg-team\",");
    const support_bad own = { "scenarios/pathways/model-d.cfg",
                              { "@include \"shared/pathways/model-d.cfg\"", d }, "model_d = {",
                              { "team 'mpg-team' is both the rule's team and the provider of "
                                "'youth'; expected a separate provider" } };
    support_bad_loads(&own, 1);
    free(d);
    const support_bad svc[] = {
        { SVC, { "degree = \"full\"; team = \"wijkteam\";\n              providers = "
                 "[\"debt-service\", \"basic-ggz\", \"youth-team\"];",
                 "degree = \"none\"; team = \"wijkteam\";" }, "broad = { rule",
          { "providers: required setting is missing; rule 'broad' with degree none needs it" } },
    };
    support_bad_loads(svc, N(svc));
}

/* Whole numbers beyond 64 bits and expressions nested beyond the parser's
 * depth are refused where they stand. */
static void test_limits(void **state)
{
    (void)state;
    char deep[1024] = "p_mental_worse = { expr = \"";
    for (int i = 0; i < 201; i++)
        strcat(deep, "(");
    strcat(deep, "1");
    for (int i = 0; i < 201; i++)
        strcat(deep, ")");
    strcat(deep, "\"; };");
    const support_bad cases[] = {
        { FULL, { "seed = 20261128;", "seed = 99999999999999999999L;" }, NULL,
          { "99999999999999999999L is out of the 64-bit range of whole numbers" } },
        { FULL, { "p_mental_worse = { expr = \"p_debt_worse / 2 + n_shift\"; };", deep }, NULL,
          { "parentheses nested too deeply" } },
    };
    support_bad_loads(cases, N(cases));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_analysis),
        cmocka_unit_test(test_services),
        cmocka_unit_test(test_mechanisms),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_pathways),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_no_path),
        cmocka_unit_test(test_folder_as_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
