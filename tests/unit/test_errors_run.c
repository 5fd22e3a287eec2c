/* Error paths of a run: options out of range, and values that only a draw
 * can show to be wrong (a rate, ratio, probability, prevalence, loading,
 * interaction or amount drawn or computed out of its range). Each run
 * must stop with its message, naming the draw, arm and setting, and leave
 * neither the result file nor its temporary file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "support_errors.h"

#define FULL "tests/data/full.cfg"
#define SVC "tests/data/services.cfg"
#define N(a) (sizeof (a) / sizeof (a)[0])

static char out[96], tmp[112];

static void no_files(const char *what)
{
    if (access(out, F_OK) == 0 || access(tmp, F_OK) == 0)
        fail_msg("%s left %s", what, access(out, F_OK) == 0 ? out : tmp);
}

/* Runs model m with the options set by the caller in o, expects code and
 * each phrase of says in the message. */
static void expect_run(const mkba_model *m, mkba_run_options *o, int code,
                       const char *const *says, size_t nsays, const char *what)
{
    o->output = out;
    o->force = 1;
    mkba_error err = {0};
    int rc = mkba_run(NULL, m, o, &err);
    if (rc != code)
        fail_msg("%s: code %d, expected %d: %s", what, rc, code, err.message);
    for (size_t i = 0; i < nsays; i++)
        if (strstr(err.message, says[i]) == NULL)
            fail_msg("%s: expected \"%s\" in: %s", what, says[i], err.message);
    no_files(what);
}

/* Sizes a run cannot take, refused before anything is simulated. */
static void test_options(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error loaded = {0};
    assert_int_equal(mkba_scenario_load(NULL, FULL, &m, &loaded), MKBA_OK);
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.draws = 100000001;
    expect_run(m, &o, MKBA_EINVAL,
               (const char *[]){ "draws must be between 0 and 100000000 (got 100000001)" }, 1,
               "draws");
    mkba_run_options_init(&o);
    o.draws = 3;
    o.first_draw = 1;
    o.ndraws_part = 3;
    expect_run(m, &o, MKBA_EINVAL,
               (const char *[]){ "draw range [1, 4) is outside the 3 draws" }, 1, "range");
    mkba_run_options_init(&o);
    o.households = 0;
    expect_run(m, &o, MKBA_EINVAL,
               (const char *[]){ "households must be between 1 and 2000000000 (got 0)" }, 1,
               "households");
    mkba_model_free(m);
}

/* An edit of a fixture that loads, since its values are expressions the
 * loader cannot judge, and a run that stops at the first draw; the
 * message must name FILE:LINE of the edit (unless `at` is "") and the
 * phrases. */
typedef struct run_case {
    support_bad edit;
    int code;
} run_case;

static const run_case drawn[] = {
    /* "0 * n_shift" makes a value an expression of a drawn parameter, so
     * the loader leaves it to the run, and keeps it exact. */
    { { FULL, { "rates = { dead = 0.01; }", "rates = { dead = \"0 * n_shift - 1\"; }" }, NULL,
        { "draw 0, arm 'classic'", "rate to 'dead' is -1;", "rates must be finite and >= 0" } },
      MKBA_ENUMERIC },
    { { FULL, { "relative_risks = { well = 1.2; }",
                "relative_risks = { well = \"0 * n_shift - 1\"; }" }, NULL,
        { "draw 0, arm 'integrated'", "ratio for 'well' is -1;",
          "ratios must be finite and >= 0" } }, MKBA_ENUMERIC },
    { { FULL, { "probabilities = { well = 0.3; }",
                "probabilities = { well = \"0 * n_shift + 1.5\"; }" }, NULL,
        { "draw 0, arm 'classic': domain 'mental', from 'ill' to 'well'",
          "probability 1.5 is outside [0, 1] (rule" } }, MKBA_ENUMERIC },
    { { FULL, { "prevalence = [0.85, 0.15]",
                "prevalence = [\"0 * n_shift + 1.5\", \"0 * n_shift - 0.5\"]" }, NULL,
        { "initial.prevalence.[0]: draw 0, arm 'classic': domain 'mental'",
          "initial prevalence of 'well' is 1.5, outside [0, 1]" } }, MKBA_ENUMERIC },
    { { FULL, { "prevalence = [0.85, 0.15]", "prevalence = [\"0 * n_shift + 0.95\", \"0.15\"]" },
        NULL, { "initial.prevalence.[0]: draw 0, arm 'classic'",
                "domain 'mental': initial prevalences sum to 1.1, not 1" } }, MKBA_ENUMERIC },
    { { FULL, { "loading = 0.3; };", "loading = \"0 * n_shift + 1.5\"; };" }, NULL,
        { "initial.loading: draw 0, arm 'classic'",
          "domain 'mental': latent-factor loading 1.5 is outside [0, 1)" } }, MKBA_ENUMERIC },
    { { FULL, { "to = \"housing\"; beta = 0.4;",
                "to = \"housing\"; beta = \"1 / (n_shift - n_shift)\";" }, NULL,
        { "draw 0, arm classic: parameter interactions.[1].beta = inf (defined at" } },
      MKBA_ENUMERIC },
    { { FULL, { "{ effect = \"qaly\"; per_year = 0.85; }",
                "{ effect = \"qaly\"; per_year = \"exp(100)\"; }" }, NULL,
        { "effect_values.[0]: draw 0, arm 'classic': the value is 2.68812e+43; expected a "
          "finite value within" } },
      MKBA_ENUMERIC },
    { { FULL, { "relative_risks = { well = 1.2; }; }",
                "relative_risks = { well = 1.2; }; },\n"
                "      { from = \"ill\"; arms = [\"classic\"]; "
                "relative_risks = { well = 1.1; }; of = \"integrated\"; }" },
        "arms = [\"integrated\"]; relative_risks = { well = 1.2; }",
        { "domain 'mental', state 'ill': relative-risk or hazard-ratio rules refer to each "
          "other's arms in a loop" } }, MKBA_EINVAL },
    { { SVC, { "seek_rate = [0.3, 0.6, 1.0];", "seek_rate = (0.3, 0.6, \"improve - 10\");" },
        NULL, { "services.seek_rate.[2]: draw 0, arm 'classic': the rate is",
                "expected a rate per year from 0 to 1000" } }, MKBA_ENUMERIC },
    { { SVC, { "detect = 0.6;", "detect = \"0 * improve + 1.5\";" }, NULL,
        { "services.pathways.broad.detect: draw 0, arm 'classic': the value is 1.5; "
          "expected a probability from 0 to 1" } },
      MKBA_ENUMERIC },
};

static void test_drawn_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(drawn); i++) {
        const run_case *c = &drawn[i];
        char path[256], what[64];
        snprintf(what, sizeof what, "case %zu (%s)", i, c->edit.says[0]);
        mkba_run_options o;
        mkba_run_options_init(&o);
        o.draws = 2;
        o.households = 50;
        o.output = out;
        o.force = 1;
        mkba_error err = {0};
        int line;
        int rc = support_bad_run(&c->edit, &o, path, sizeof path, &line, &err);
        if (rc != c->code)
            fail_msg("%s: code %d, expected %d: %s", what, rc, c->code, err.message);
        /* These messages name the rule's file and line in parentheses or
         * in front, not always as "FILE:LINE: ". */
        char where[300];
        snprintf(where, sizeof where, "%s:%d", path, line);
        if (line > 0 && strstr(err.message, where) == NULL)
            fail_msg("%s: expected \"%s\" in: %s", what, where, err.message);
        support_bad_check(&c->edit, what, err.message, path, 0);
        no_files(what);
    }
}

static int setup(void **state)
{
    (void)state;
    gsl_set_error_handler_off();
    snprintf(out, sizeof out, "/tmp/mkba-errors-run-%d.h5", (int)getpid());
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_drawn_values),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
