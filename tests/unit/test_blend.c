/* Blended arms (issue 12; docs/model.md, "Mixed arms"): an arm that is the
 * share-weighted sum of simulated arms in every draw.
 *
 * Independent answers: tests/data/blend.cfg has a closed-form cohort trace
 * (test_transfer.c): every household starts on bijstand and finds work with
 * probability q a year (0.25 classic, 0.4 integrated), so with b = 1 - q
 * and S(q) = sum_{k=1..4} (b / 1.03)^(k-1) the discounted costs are
 * 7000 S + 500 q S (municipality), 1200 S (insurer) and minus the first
 * (household); the blend "mix" (0.6 classic, 0.4 integrated) costs 0.6 of
 * the one plus 0.4 of the other. On the services scenario
 * scenarios/pathways/mix-a-c.cfg: a blend (1, 0) is its first part bit for
 * bit, a 0.6/0.4 blend is 0.6 A + 0.4 C of the file's own arms, the blend
 * leaves the simulated arms bit for bit as they are without it, and the
 * file is the same for 1 and 2 threads. Bad blends are refused at their
 * file and line. */
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
#include "model/scenario.h"
#include "model/params.h"
#include "results/result.h"
#include "results/schema.h"
#include "io/h5out.h"
#include "io/h5util.h"
#include "sa/factor.h"
#include "mkba/sa.h"
#include "expost/expost_impl.h"
#include "analysis/evppi.h"
#include <hdf5.h>
#include <hdf5_hl.h>
#include "support.h"
#include "support_errors.h"

#define MIX "scenarios/pathways/mix-a-c.cfg"
#define FIXTURE "tests/data/blend.cfg"
/* The blended arm of MIX, as written there (removed for the run without). */
#define MIX_BLEND                                                                  \
    ",\n  { name = \"a-and-c\";\n"                                                 \
    "    label = \"model A in 60% of the districts, model C in 40% (blended)\";\n" \
    "    blend = ( { arm = \"model_a\"; share = 0.6; },\n"                         \
    "              { arm = \"model_c\"; share = 0.4; } ); }\n"
enum { CLASSIC = 0, MODEL_A = 1, MODEL_C = 2, BLEND = 3, NARMS = 4 };

/* Runs scenario `cfg` (`draws` draws of `households`, `threads` threads,
 * the cohort trace when cohort) into `out`. */
static void run(const char *cfg, const char *out, long draws, long households, int threads,
                int cohort)
{
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, cfg, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_run_options o;
    support_run_options(&o, out, draws, households);
    o.draws = draws;
    if (cohort)
        o.mode = MKBA_MODE_COHORT;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = threads;
    int rc = mkba_run(&ctx, m, &o, &err);
    mkba_model_free(m);
    if (rc != MKBA_OK)
        fail_msg("%s", err.message);
}

/* MIX with edits (find, replace pairs, NULL-ended) into a temporary file
 * beside it, whose name goes to path. */
static void mix_variant(char *path, size_t size, const char *find1, const char *repl1,
                        const char *find2, const char *repl2)
{
    support_bad c = {MIX, {find1, repl1, find2, repl2}, "", {NULL}};
    support_bad_write(&c, path, size);
}

static double *read_all(const char *path, const char *name, size_t *n)
{
    double *v = support_read_doubles(path, name, n);
    if (v == NULL)
        fail_msg("cannot read %s from %s", name, path);
    return v;
}

/* A record dataset's values per draw (`total`) split around its arm axis:
 * outer (the batches or household groups before it, else 1) and inner
 * (the axes after it); 0 when it has no arm axis. */
static int arm_split(const mkba_dataset_spec *s, size_t total, size_t narms, size_t *outer,
                     size_t *inner)
{
    mkba_axis ax[MKBA_SCHEMA_MAXRANK];
    int rank = mkba_schema_axes(s->axes, ax), pos = -1;
    for (int i = 0; i < rank; i++)
        if (ax[i] == MKBA_AXIS_ARM)
            pos = i;
    if (pos < 0)
        return 0;
    *outer = pos == 1 ? 1
             : ax[1] == MKBA_AXIS_BATCH ? MKBA_RESULT_BATCHES
                                        : MKBA_RESULT_GROUPS;
    *inner = total / (*outer * narms);
    return 1;
}

static int bits_equal(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void test_closed_form(void **state)
{
    (void)state;
    char out[64];
    snprintf(out, sizeof out, "/tmp/mkba-blend-cf-%d.h5", (int)getpid());
    run(FIXTURE, out, 0, 0, 1, 1);
    size_t n;
    double *c = read_all(out, "/draws/cost_total_discounted", &n);
    assert_int_equal(n, 3 * 3);
    const double q[2] = {0.25, 0.4}, w[2] = {0.6, 0.4};
    double want[3] = {0, 0, 0};
    for (int k = 0; k < 2; k++) {
        double b = 1.0 - q[k], s = 0.0;
        for (int j = 1; j <= 4; j++)
            s += pow(b / 1.03, j - 1);
        want[0] += w[k] * (7000.0 * s + 500.0 * q[k] * s);
        want[1] += w[k] * 1200.0 * s;
        want[2] -= w[k] * (7000.0 * s + 500.0 * q[k] * s);
    }
    for (int p = 0; p < 3; p++)
        if (!(fabs(c[2 * 3 + p] - want[p]) <= 1e-10 * fabs(want[p])))
            fail_msg("payer %d: blend %.12f, closed form %.12f", p, c[2 * 3 + p], want[p]);
    free(c);
    unlink(out);
}

/* With shares (1, 0) every blended dataset of the blend is model A's bit
 * for bit; those the blend does not define (NAN rule) are NaN. */
static void test_one_zero_is_first_part(void **state)
{
    (void)state;
    char cfg[512], out[64];
    mix_variant(cfg, sizeof cfg, "share = 0.6;", "share = 1.0;", "share = 0.4;", "share = 0.0;");
    snprintf(out, sizeof out, "/tmp/mkba-blend-10-%d.h5", (int)getpid());
    run(cfg, out, 2, 300, 1, 0);
    unlink(cfg);
    int checked = 0;
    for (size_t d = 0; d < mkba_schema_ndatasets; d++) {
        const mkba_dataset_spec *s = &mkba_schema_dataset[d];
        if (!mkba_schema_in_record(s, 1, 0))
            continue;
        size_t n, outer, inner;
        double *v = read_all(out, s->path, &n);
        if (!arm_split(s, n / 2, NARMS, &outer, &inner)) {
            free(v);
            continue;
        }
        const int undefined = strcmp(s->path, "/draws/parameters") == 0;
        for (size_t dr = 0; dr < 2; dr++)
            for (size_t o = 0; o < outer; o++)
                for (size_t i = 0; i < inner; i++) {
                    const double *row = v + ((dr * outer + o) * NARMS) * inner;
                    double a = row[MODEL_A * inner + i], b = row[BLEND * inner + i];
                    if (undefined ? !isnan(b) : !bits_equal(a, b))
                        fail_msg("%s [%zu,%zu,%zu]: model A %.17g, blend (1, 0) %.17g", s->path,
                                 dr, o, i, a, b);
                }
        checked++;
        free(v);
    }
    assert_true(checked > 30);
    unlink(out);
}

/* A 0.6/0.4 blend is 0.6 A + 0.4 C of the file's own arms: costs per
 * payer, effects, the NPV per draw, and the mean wait weighted by those
 * admitted. */
static void test_shares_weigh_the_arms(void **state)
{
    (void)state;
    char out[64];
    snprintf(out, sizeof out, "/tmp/mkba-blend-64-%d.h5", (int)getpid());
    run(MIX, out, 3, 300, 2, 0);
    /* The year-to-date errors too: their weighted sum bounds the blend's
     * error from above (mkba expost's spending noise must not vanish). */
    const char *linear[] = {"/draws/cost_total_discounted", "/draws/effect_total_discounted",
                            "/draws/cost_discounted", "/draws/services/reached",
                            "/draws/mcse/cost_year_to_date"};
    for (size_t k = 0; k < sizeof linear / sizeof linear[0]; k++) {
        size_t n;
        double *v = read_all(out, linear[k], &n);
        const size_t inner = n / (3 * NARMS);
        for (size_t i = 0; i < 3 * inner; i++) {
            const double *row = v + (i / inner) * NARMS * inner;
            const size_t j = i % inner;
            double want = 0.6 * row[MODEL_A * inner + j] + 0.4 * row[MODEL_C * inner + j];
            if (!(fabs(row[BLEND * inner + j] - want) <= 1e-12 * fmax(1.0, fabs(want))))
                fail_msg("%s [%zu]: blend %.15g, 0.6 A + 0.4 C %.15g", linear[k], i,
                         row[BLEND * inner + j], want);
        }
        free(v);
    }
    /* NPV for society per draw, perspective 0 (society): linear in the arm. */
    size_t n;
    double *npv = read_all(out, "/analysis/cashflow/npv_draws", &n);
    for (size_t dr = 0; dr < 3; dr++) {
        const double *row = npv + dr * NARMS;
        double want = 0.6 * row[MODEL_A] + 0.4 * row[MODEL_C];
        if (!(fabs(row[BLEND] - want) <= 1e-12 * fmax(1.0, fabs(want))))
            fail_msg("NPV draw %zu: blend %.15g, 0.6 A + 0.4 C %.15g", dr, row[BLEND], want);
    }
    free(npv);
    /* The mean wait is a mean over those admitted, not a share-weighted
     * mean of means. */
    double *w = read_all(out, "/draws/services/mean_wait", &n);
    double *r = read_all(out, "/draws/services/reached", &n);
    const size_t T = n / (3 * NARMS);
    for (size_t i = 0; i < 3 * T; i++) {
        const size_t at = (i / T) * NARMS * T, k = i % T;
        const double ra = 0.6 * r[at + MODEL_A * T + k], rc = 0.4 * r[at + MODEL_C * T + k];
        const double wa = ra > 0 ? w[at + MODEL_A * T + k] : 0, wc = rc > 0 ? w[at + MODEL_C * T + k] : 0;
        const double got = w[at + BLEND * T + k];
        if (ra + rc > 0 ? !(fabs(got - (ra * wa + rc * wc) / (ra + rc)) <= 1e-12 * fmax(1.0, got))
                        : !isnan(got))
            fail_msg("mean wait [%zu]: blend %.15g", i, got);
    }
    free(w);
    free(r);
    unlink(out);
}

/* The blend changes nothing of the simulated arms (the h5diff of a run
 * with and without it, but for the added arm); and 1 and 2 threads give
 * the same file. */
static void test_others_unchanged_and_threads(void **state)
{
    (void)state;
    char without_cfg[512], with1[64], with2[64], without[64];
    mix_variant(without_cfg, sizeof without_cfg, MIX_BLEND, "\n", NULL, NULL);
    snprintf(with1, sizeof with1, "/tmp/mkba-blend-t1-%d.h5", (int)getpid());
    snprintf(with2, sizeof with2, "/tmp/mkba-blend-t2-%d.h5", (int)getpid());
    snprintf(without, sizeof without, "/tmp/mkba-blend-no-%d.h5", (int)getpid());
    run(MIX, with1, 2, 600, 1, 0);
    run(MIX, with2, 2, 600, 2, 0);
    run(without_cfg, without, 2, 600, 1, 0);
    unlink(without_cfg);
    for (size_t d = 0; d < mkba_schema_ndatasets; d++) {
        const mkba_dataset_spec *s = &mkba_schema_dataset[d];
        if (!mkba_schema_in_record(s, 1, 0))
            continue;
        size_t n1, n2, n0, outer, inner;
        double *a = read_all(with1, s->path, &n1), *b = read_all(with2, s->path, &n2),
               *c = read_all(without, s->path, &n0);
        assert_int_equal(n1, n2);
        for (size_t i = 0; i < n1; i++)
            if (!bits_equal(a[i], b[i]))
                fail_msg("%s [%zu]: 1 thread %.17g, 2 threads %.17g", s->path, i, a[i], b[i]);
        if (arm_split(s, n1 / 2, NARMS, &outer, &inner)) {
            assert_int_equal(n0 / 3, n1 / 4);
            for (size_t r = 0; r < 2 * outer; r++)
                for (size_t i = 0; i < 3 * inner; i++)
                    if (!bits_equal(a[r * NARMS * inner + i], c[r * 3 * inner + i]))
                        fail_msg("%s [%zu,%zu]: with the blend %.17g, without %.17g", s->path,
                                 r, i, a[r * NARMS * inner + i], c[r * 3 * inner + i]);
        } else {
            assert_int_equal(n0, n1);
            for (size_t i = 0; i < n1; i++)
                if (!bits_equal(a[i], c[i]))
                    fail_msg("%s [%zu]: with the blend %.17g, without %.17g", s->path, i, a[i],
                             c[i]);
        }
        free(a);
        free(b);
        free(c);
    }
    unlink(with1);
    unlink(with2);
    unlink(without);
}

#define MIXLINE "{ name = \"mix\"; label = \"classic in 60% of the districts\";"
static const support_bad bad[] = {
    {FIXTURE, {"share = 0.4;", "share = 0.3;"}, "blend = (",
     {"blend: the shares sum to 0.9", "expected 1"}},
    {FIXTURE, {"share = 0.6;", "share = 1.2;", "share = 0.4;", "share = -0.2;"}, NULL,
     {"share: 1.2", "0 to 1"}},
    {FIXTURE, {"share = 0.4;", "share = -0.4;"}, NULL, {"share: -0.4", "0 to 1"}},
    {FIXTURE, {"arm = \"integrated\"", "arm = \"integratd\""}, NULL,
     {"unknown arm 'integratd'", "did you mean 'integrated'"}},
    {FIXTURE, {"arm = \"integrated\"", "arm = \"mix\""}, NULL, {"blend 'mix' names itself"}},
    {FIXTURE, {"classic in 60% of the districts\";", "x\"; blend = ( { arm = \"mix2\"; share = 1.0; } ); },\n"
               "         { name = \"mix2\"; label = \"y\";"}, NULL,
     {"'mix2' is a blended arm", "simulated arms only"}},
    {FIXTURE, {"{ name = \"classic\"; reference = true; }", "{ name = \"classic\"; }",
               MIXLINE, "{ name = \"mix\"; reference = true;"}, "", {"cannot be the reference arm"}},
    {FIXTURE, {"blend = ( { arm = \"classic\"; share = 0.6; },\n"
               "                     { arm = \"integrated\"; share = 0.4; } );", "blend = ( );"},
     NULL, {"blend", "a list of parts"}},
    {FIXTURE, {MIXLINE, "{ name = \"mix\"; overrides = { q_work = 0.3; };"}, NULL,
     {"overrides: not a setting of a blended arm", "name, label and blend only"}},
    {FIXTURE, {"{ name = \"integrated\"; overrides = { q_work = 0.4; }; },",
               "{ name = \"mix0\"; blend = ( { arm = \"classic\"; share = 1.0; } ); },\n"
               "         { name = \"integrated\"; overrides = { q_work = 0.4; }; },"},
     "{ name = \"integrated\";", {"a simulated arm after the blended arm", "at the end of arms"}},
    {FIXTURE, {"{ arm = \"integrated\"; share = 0.4; }", "{ arm = \"classic\"; share = 0.4; }"},
     NULL, {"'classic' is named twice in the blend"}},
    {FIXTURE, {"parameters = { q_work = 0.25; };",
               "parameters = { q_work = 0.25; p_aid = 0.9; p_job = 0.1; };",
               "initial = { state = \"bijstand\"; };",
               "initial = { prevalence = [\"p_aid\", \"p_job\"]; };",
               "overrides = { q_work = 0.4; };", "overrides = { q_work = 0.4; p_aid = 0.8; p_job = 0.2; };"},
     "{ arm = \"integrated\"; share = 0.4; }",
     {"arm 'integrated' overrides the starting share of state 'bijstand'", "one population"}},
    /* A rule naming a blend gets advice for its kind of setting. */
    {FIXTURE, {"payer = \"zorgverzekeraar\"; per_year = 1200.0; }",
               "payer = \"zorgverzekeraar\"; per_year = 1200.0; arms = [\"mix\"]; }"},
     "arms = [\"mix\"]", {"'mix' is a blended arm, not simulated",
                            "a blend has no rules of its own", "name its parts in arms"}},
    /* Every arm blended. */
    {FIXTURE, {"arms = ( { name = \"classic\"; reference = true; },\n"
               "         { name = \"integrated\"; overrides = { q_work = 0.4; }; },\n         ",
               "arms = ( "}, "{ name = \"mix\";",
     {"every arm is blended", "expected simulated arms to blend"}},
    /* A part with a setting of its own. */
    {FIXTURE, {"{ arm = \"integrated\"; share = 0.4; }",
               "{ arm = \"integrated\"; share = 0.4; weight = 2.0; }"}, NULL,
     {"weight: unknown setting; a part of a blend has arm and share"}},
    /* A blended arm named like a simulated one. */
    {FIXTURE, {MIXLINE, "{ name = \"integrated\"; label = \"x\";"}, NULL,
     {"arm 'integrated' is defined twice", "expected unique names"}},
    /* ... which a rule names: the duplicate is the error, not the rule. */
    {FIXTURE, {MIXLINE, "{ name = \"integrated\"; label = \"x\";",
               "payer = \"zorgverzekeraar\"; per_year = 1200.0; }",
               "payer = \"zorgverzekeraar\"; per_year = 1200.0; arms = [\"integrated\"]; }"},
     "{ name = \"integrated\"; label", {"arm 'integrated' is defined twice"}},
    /* The start moved through an expression the part reads in its own view. */
    {FIXTURE, {"parameters = { q_work = 0.25; };",
               "parameters = { q_work = 0.25; base = 0.9; p_aid = \"base\"; p_job = \"1 - base\"; };",
               "initial = { state = \"bijstand\"; };",
               "initial = { prevalence = [\"p_aid\", \"p_job\"]; };",
               "overrides = { q_work = 0.4; };", "overrides = { q_work = 0.4; base = 0.8; };"},
     "{ arm = \"integrated\"; share = 0.4; }",
     {"arm 'integrated' overrides 'base', which the starting share of state 'bijstand' of "
      "domain 'income' (p_aid) reads in its view", "one population"}},
    /* initial.loading. */
    {FIXTURE, {"parameters = { q_work = 0.25; };",
               "parameters = { q_work = 0.25; rho = 0.3; };",
               "initial = { state = \"bijstand\"; };",
               "initial = { prevalence = [0.9, 0.1]; loading = \"rho\"; };",
               "overrides = { q_work = 0.4; };", "overrides = { q_work = 0.4; rho = 0.5; };"},
     "{ arm = \"integrated\"; share = 0.4; }",
     {"arm 'integrated' overrides initial.loading of domain 'income' (rho)", "one population"}},
};

static void test_bad_blends(void **state)
{
    (void)state;
    support_bad_loads(bad, sizeof bad / sizeof bad[0]);
}

/* A blended arm has no parameters: --set NAME@BLEND is refused and
 * writes no file, rather than being ignored. */
static void test_set_on_blend_refused(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, FIXTURE, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char out[64];
    snprintf(out, sizeof out, "/tmp/mkba-blend-set-%d.h5", (int)getpid());
    mkba_run_options o;
    support_run_options(&o, out, 0, 0);
    o.mode = MKBA_MODE_COHORT;
    const char *names[] = {"q_work@mix"};
    const double values[] = {0.3};
    o.nset = 1;
    o.set_name = names;
    o.set_value = values;
    int rc = mkba_run(NULL, m, &o, &err);
    mkba_model_free(m);
    support_expect_error(rc, MKBA_EINVAL, &err, "arm 'mix' is blended, not simulated");
    assert_int_equal(access(out, F_OK), -1);
}

/* Parts that override a starting share alike start from one population:
 * the blend loads. */
static void test_alike_overrides_load(void **state)
{
    (void)state;
    support_bad c = {FIXTURE, {"parameters = { q_work = 0.25; };",
                               "parameters = { q_work = 0.25; base = 0.9; p_aid = \"base\"; "
                               "p_job = \"1 - base\"; };",
                               "initial = { state = \"bijstand\"; };",
                               "initial = { prevalence = [\"p_aid\", \"p_job\"]; };",
                               "{ name = \"classic\"; reference = true; }",
                               "{ name = \"classic\"; reference = true; overrides = { base = 0.8; }; }"},
                     "", {NULL}};
    char path[512];
    support_bad_write(&c, path, sizeof path);
    mkba_model *m = NULL;
    mkba_error err = {0};
    int rc = mkba_scenario_load(NULL, path, &m, &err);
    /* integrated keeps the scenario's base, classic overrides it: refused */
    support_expect_error(rc, MKBA_EINVAL, &err, "arm 'classic' overrides 'base'");
    unlink(path);
    c.edit[5] = "{ name = \"classic\"; reference = true; overrides = { base = 0.8; }; },\n"
                "         { name = \"integrated\"; overrides = { q_work = 0.4; base = 0.8; }; }";
    c.edit[4] = "{ name = \"classic\"; reference = true; },\n"
                "         { name = \"integrated\"; overrides = { q_work = 0.4; }; }";
    support_bad_write(&c, path, sizeof path);
    mkba_error ok = {0};
    if (mkba_scenario_load(NULL, path, &m, &ok) != MKBA_OK)
        fail_msg("%s", ok.message);
    mkba_model_free(m);
    unlink(path);
}

/* --set NAME@PART that sets a part's start is refused and writes no
 * file; one that does not (q_work) runs. */
static void test_set_on_part_start_refused(void **state)
{
    (void)state;
    support_bad c = {FIXTURE, {"parameters = { q_work = 0.25; };",
                               "parameters = { q_work = 0.25; base = 0.9; p_aid = \"base\"; "
                               "p_job = \"1 - base\"; };",
                               "initial = { state = \"bijstand\"; };",
                               "initial = { prevalence = [\"p_aid\", \"p_job\"]; };"},
                     "", {NULL}};
    char path[512], out[64];
    support_bad_write(&c, path, sizeof path);
    snprintf(out, sizeof out, "/tmp/mkba-blend-part-%d.h5", (int)getpid());
    static const char *const names[][1] = {{"base@integrated"}, {"q_work@integrated"}};
    for (int i = 0; i < 2; i++) {
        mkba_model *m = NULL;
        mkba_error err = {0};
        if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        mkba_run_options o;
        support_run_options(&o, out, 0, 0);
        o.mode = MKBA_MODE_COHORT;
        const double values[] = {0.5};
        o.nset = 1;
        o.set_name = names[i];
        o.set_value = values;
        int rc = mkba_run(NULL, m, &o, &err);
        mkba_model_free(m);
        if (i == 0) {
            support_expect_error(rc, MKBA_EINVAL, &err,
                                 "--set base@integrated: arm 'integrated' is a part of blend "
                                 "'mix', and 'base' sets its starting population");
            assert_int_equal(access(out, F_OK), -1);
        } else {
            if (rc != MKBA_OK)
                fail_msg("%s", err.message);
            unlink(out);
        }
    }
    unlink(path);
}

/* FIXTURE with `params` added to its parameters, the starting shares
 * p_aid and p_job, and `classic` and `integrated` added to those arms'
 * overrides (classic's overrides group only when not ""), into path. */
static void start_variant(char *path, size_t size, const char *params, const char *classic,
                          const char *integrated)
{
    char par[512], arms[1024];
    snprintf(par, sizeof par, "parameters = { q_work = 0.25; %s };", params);
    snprintf(arms, sizeof arms, "arms = ( { name = \"classic\"; reference = true; %s%s%s },\n"
             "         { name = \"integrated\"; overrides = { q_work = 0.4; %s }; },",
             *classic != '\0' ? "overrides = { " : "", classic, *classic != '\0' ? " };" : "",
             integrated);
    support_bad c = {FIXTURE, {"parameters = { q_work = 0.25; };", par,
                               "initial = { state = \"bijstand\"; };",
                               "initial = { prevalence = [\"p_aid\", \"p_job\"]; };",
                               "arms = ( { name = \"classic\"; reference = true; },\n"
                               "         { name = \"integrated\"; overrides = { q_work = 0.4; }; },",
                               arms},
                     "", {NULL}};
    support_bad_write(&c, path, size);
}

/* Loads cfg and runs its cohort trace for `draws` draws into out with
 * --set `set` = value (none when set is NULL); the run's code, its message
 * in err, and parameter `param`'s column in *col. */
static int run_set(const char *cfg, const char *out, long draws, const char *set, double value,
                   const char *param, int *col, mkba_error *err)
{
    mkba_model *m = NULL;
    if (mkba_scenario_load(NULL, cfg, &m, err) != MKBA_OK)
        fail_msg("%s", err->message);
    *col = mkba_params_find(m->params, param);
    assert_true(*col >= 0);
    mkba_run_options o;
    support_run_options(&o, out, draws, 0);
    o.draws = draws;
    o.mode = MKBA_MODE_COHORT;
    const char *names[] = {set};
    const double values[] = {value};
    o.nset = set != NULL ? 1 : 0;
    o.set_name = names;
    o.set_value = values;
    int rc = mkba_run(NULL, m, &o, err);
    mkba_model_free(m);
    return rc;
}

/* Parts that override a start input with the same distribution would draw
 * it on their own streams (two beta(2, 2) overrides gave p_aid 0.652 and
 * 0.134 in one draw): refused at load. An override the arms share a value
 * of, here an expression of a scenario parameter with a distribution, is
 * alike: every part starts from the same draw, and that draw moves. */
static void test_random_overrides(void **state)
{
    (void)state;
    static const char beta[] = "{ dist = \"beta\"; alpha = 2.0; beta = 2.0; }";
    char path[512], params[256], over[256], out[64];
    snprintf(params, sizeof params, "base = 0.9; p_aid = \"base\"; p_job = \"1 - base\";");
    snprintf(over, sizeof over, "base = %s;", beta);
    start_variant(path, sizeof path, params, over, over);
    mkba_model *m = NULL;
    mkba_error err = {0};
    int rc = mkba_scenario_load(NULL, path, &m, &err);
    unlink(path);
    support_expect_error(rc, MKBA_EINVAL, &err, "arm 'classic' overrides 'base', which the "
                         "starting share of state 'bijstand' of domain 'income' (p_aid) reads "
                         "in its view, with a distribution: each arm draws its overrides on a "
                         "stream of its own");
    assert_null(m);
    /* The starting share itself, in one part only with a distribution. */
    snprintf(over, sizeof over, "p_aid = %s;", beta);
    start_variant(path, sizeof path, params, over, over);
    mkba_error err2 = {0};
    rc = mkba_scenario_load(NULL, path, &m, &err2);
    unlink(path);
    support_expect_error(rc, MKBA_EINVAL, &err2, "arm 'classic' overrides the starting share "
                         "of state 'bijstand' of domain 'income' (p_aid), with a distribution");
    /* Alike expressions of a shared draw: identical starts, draw by draw. */
    snprintf(params, sizeof params, "base = 0.9; k = %s; p_aid = \"base\"; "
             "p_job = \"1 - base\";", beta);
    start_variant(path, sizeof path, params, "base = \"k\";", "base = \"k\";");
    snprintf(out, sizeof out, "/tmp/mkba-blend-rnd-%d.h5", (int)getpid());
    int col;
    mkba_error ok = {0};
    if (run_set(path, out, 3, NULL, 0.0, "p_aid", &col, &ok) != MKBA_OK)
        fail_msg("%s", ok.message);
    unlink(path);
    size_t n;
    double *v = read_all(out, "/draws/parameters", &n);
    const size_t np = n / (3 * 3);   /* draws x (classic, integrated, mix) */
    for (size_t d = 0; d < 3; d++) {
        const double c = v[(d * 3 + 0) * np + (size_t)col], i = v[(d * 3 + 1) * np + (size_t)col];
        if (!bits_equal(c, i))
            fail_msg("draw %zu: p_aid %.17g in classic, %.17g in integrated", d, c, i);
    }
    assert_false(bits_equal(v[0 * np + (size_t)col], v[3 * np + (size_t)col]));
    free(v);
    unlink(out);
}

/* Which difference the message names, and in whose view; a part of
 * share 0 is not compared (as --set NAME@PART and sa do not hold it). */
static void test_parts_messages(void **state)
{
    (void)state;
    static const struct {
        const char *params, *classic, *integrated, *says;
    } c[] = {
        /* classic's p_aid = "k" is the difference, not integrated's k. */
        {"k = 0.5; base = 0.9; p_aid = \"base\"; p_job = \"1 - base\";", "p_aid = \"k\";",
         "k = 0.9;", "arm 'classic' overrides the starting share of state 'bijstand' of domain "
         "'income' (p_aid), unlike the other parts"},
        /* j reaches the start only through classic's base = "j". */
        {"j = 0.3; base = 0.9; p_aid = \"base\"; p_job = \"1 - base\";", "base = \"j\";",
         "j = 0.4;", "arm 'integrated' overrides 'j', which the starting share of state "
         "'bijstand' of domain 'income' (p_aid) reads in the view of arm 'classic', unlike the "
         "other parts"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char path[512];
        start_variant(path, sizeof path, c[i].params, c[i].classic, c[i].integrated);
        mkba_model *m = NULL;
        mkba_error err = {0};
        int rc = mkba_scenario_load(NULL, path, &m, &err);
        unlink(path);
        support_expect_error(rc, MKBA_EINVAL, &err, c[i].says);
        assert_null(m);
    }
    /* integrated at share 0 overrides base: it weighs nothing, loads, and
     * --set base@integrated is allowed for it. */
    const support_bad z = {FIXTURE, {"parameters = { q_work = 0.25; };",
                                     "parameters = { q_work = 0.25; base = 0.9; p_aid = \"base\"; "
                                     "p_job = \"1 - base\"; };",
                                     "initial = { state = \"bijstand\"; };",
                                     "initial = { prevalence = [\"p_aid\", \"p_job\"]; };",
                                     "share = 0.6; },\n                     { arm = \"integrated\"; "
                                     "share = 0.4; }",
                                     "share = 1.0; },\n                     { arm = \"integrated\"; "
                                     "share = 0.0; }"},
                           "", {NULL}};
    char path[512], out[64];
    support_bad_write(&z, path, sizeof path);
    snprintf(out, sizeof out, "/tmp/mkba-blend-z-%d.h5", (int)getpid());
    int col;
    mkba_error ok = {0};
    if (run_set(path, out, 0, "base@integrated", 0.5, "base", &col, &ok) != MKBA_OK)
        fail_msg("%s", ok.message);
    unlink(path);
    unlink(out);
}

/* --set NAME=VALUE on a parameter every part overrides alike (base = 0.8
 * in both) used to "fix" it in the blended arm alone and change nothing:
 * it is refused with what to do, as is --set NAME@PART; when the parts
 * keep the scenario's base, --set base=0.5 moves every part (and p_aid =
 * base with it), as the advice for --set base@PART says. */
static void test_set_every_part(void **state)
{
    (void)state;
    char path[512], out[64];
    const char *params = "base = 0.9; p_aid = \"base\"; p_job = \"1 - base\";";
    snprintf(out, sizeof out, "/tmp/mkba-blend-setall-%d.h5", (int)getpid());
    start_variant(path, sizeof path, params, "base = 0.8;", "base = 0.8;");
    int col;
    mkba_error e1 = {0}, e2 = {0}, e3 = {0};
    int rc = run_set(path, out, 0, "base", 0.5, "base", &col, &e1);
    support_expect_error(rc, MKBA_EINVAL, &e1, "--set base: every arm overrides this "
                         "parameter");
    support_expect_error(rc, MKBA_EINVAL, &e1, "change the overrides in the scenario");
    assert_int_equal(access(out, F_OK), -1);
    rc = run_set(path, out, 0, "base@classic", 0.5, "base", &col, &e2);
    support_expect_error(rc, MKBA_EINVAL, &e2, "every part overrides 'base' alike, so change "
                         "that override in the scenario");
    assert_int_equal(access(out, F_OK), -1);
    unlink(path);
    /* The parts keep the scenario's base: the advice works. */
    start_variant(path, sizeof path, params, "", "");
    rc = run_set(path, out, 0, "base@integrated", 0.5, "base", &col, &e3);
    support_expect_error(rc, MKBA_EINVAL, &e3, "fix it in every arm that keeps the scenario's "
                         "definition (--set base=VALUE)");
    mkba_error ok = {0};
    int aid;
    if (run_set(path, out, 0, "base", 0.5, "p_aid", &aid, &ok) != MKBA_OK)
        fail_msg("%s", ok.message);
    unlink(path);
    size_t n;
    double *v = read_all(out, "/draws/parameters", &n);
    const size_t np = n / 3;
    for (size_t a = 0; a < 2; a++)
        if (!(v[a * np + (size_t)aid] == 0.5))
            fail_msg("arm %zu: p_aid %.17g after --set base=0.5", a, v[a * np + (size_t)aid]);
    free(v);
    /* The blend is fixed nowhere: it has no parameters. */
    double *fx = read_all(out, "/design/fixed", &n);
    assert_int_equal(n, 3 * np);
    assert_true(fx[0 * np + (size_t)col] == 0.5 && fx[1 * np + (size_t)col] == 0.5);
    assert_true(isnan(fx[2 * np + (size_t)col]));
    free(fx);
    unlink(out);
}

/* mkba sa refuses a factor that moves one part's start: NAME@PART, and a
 * pattern that reaches a part's override through --range; a part's other
 * parameters may vary. */
static void test_sa_part_factors(void **state)
{
    (void)state;
    char path[512];
    const char *params = "base = 0.9; p_aid = \"base\"; p_job = \"1 - base\";";
    start_variant(path, sizeof path, params, "base = 0.8;", "base = 0.8;");
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    unlink(path);
    mkba_sa_factors *fs = NULL;
    mkba_error e1 = {0}, e2 = {0}, e3 = {0};
    int rc = mkba_sa_factors_alloc(m, "--factors", "base@integrated", NULL, 0, 0.1, 0.9, 0, 0,
                                   NULL, 0, &fs, &e1);
    support_expect_error(rc, MKBA_EINVAL, &e1, "--factors: base@integrated: arm 'integrated' "
                         "is a part of blend 'mix', and 'base' sets its starting population");
    assert_null(fs);
    const mkba_sa_range r = {"base@classic", 0.5, 0.9, 0};
    rc = mkba_sa_factors_alloc(m, "--factors", "ba*", &r, 1, 0.1, 0.9, 0, 0, NULL, 0, &fs, &e2);
    support_expect_error(rc, MKBA_EINVAL, &e2, "--factors: base@classic (from the pattern "
                         "'ba*'): arm 'classic' is a part of blend 'mix'");
    assert_null(fs);
    const mkba_sa_range q = {"q_work@integrated", 0.3, 0.5, 0};
    rc = mkba_sa_factors_alloc(m, "--factors", "q_work@integrated", &q, 1, 0.1, 0.9, 0, 0,
                               NULL, 0, &fs, &e3);
    if (rc != MKBA_OK)
        fail_msg("%s", e3.message);
    assert_int_equal(fs->n, 1);
    mkba_sa_factors_free(fs);
    mkba_model_free(m);
}

/* FIXTURE with q_work beta(2, 2) in the scenario and an override with a
 * distribution in both parts, beta(1, 3) in classic and beta(4, 6) in
 * integrated (q_work sets no starting population, so random overrides of
 * the parts are allowed), loaded; *k is q_work's index. */
static mkba_model *every_part_random(int *k)
{
    char path[512];
    const support_bad c = {FIXTURE, {"parameters = { q_work = 0.25; };",
                                     "parameters = { q_work = { dist = \"beta\"; alpha = 2.0; "
                                     "beta = 2.0; }; };",
                                     "arms = ( { name = \"classic\"; reference = true; },\n"
                                     "         { name = \"integrated\"; overrides = { q_work = "
                                     "0.4; }; },",
                                     "arms = ( { name = \"classic\"; reference = true; overrides "
                                     "= { q_work = { dist = \"beta\"; alpha = 1.0; beta = 3.0; "
                                     "}; }; },\n         { name = \"integrated\"; overrides = { "
                                     "q_work = { dist = \"beta\"; alpha = 4.0; beta = 6.0; }; }; "
                                     "},"},
                           "", {NULL}};
    support_bad_write(&c, path, sizeof path);
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    unlink(path);
    *k = mkba_params_find(m->params, "q_work");
    assert_true(*k >= 0);
    return m;
}

/* Every simulated arm overrides q_work with a distribution, so the
 * scenario's own q_work acts in no arm; the blend, which has no parameters
 * (its row of the draws' values is NaN), used to count as the arm that
 * keeps it. The sa factor q_work then took its base from the blend's row
 * of the base case (never written: 4.5e257 in one run) and an EVPPI its
 * draws' values from the blend's NaN row (refused: "parameter 0 of the
 * group in draw 0 is nan"). Now the base is the last simulated arm's
 * (integrated's beta(4, 6) mean 0.4, as without a blend) and the EVPPI
 * runs. */
static void test_sa_keeps_no_definition(void **state)
{
    (void)state;
    int k = -1;
    mkba_model *m = every_part_random(&k);
    assert_int_equal(mkba_model_simulated(m), 2);
    /* sa: the factor's base. */
    mkba_sa_factors *fs = NULL;
    mkba_error e1 = {0};
    if (mkba_sa_factors_alloc(m, "--factors", "q_work", NULL, 0, 0.1, 0.9, 0, 0, NULL, 0, &fs,
                              &e1) != MKBA_OK)
        fail_msg("%s", e1.message);
    assert_int_equal(fs->n, 1);
    if (!(fabs(fs->f[0].base - 0.4) < 1e-12))
        fail_msg("the base of factor q_work is %.17g, not integrated's 0.4", fs->f[0].base);
    mkba_sa_factors_free(fs);
    /* sa: the values of the PSA draws an EVPPI reads (its fewest draws). */
    char out[64];
    snprintf(out, sizeof out, "/tmp/mkba-blend-nodef-%d.h5", (int)getpid());
    mkba_sa_options so;
    mkba_sa_options_init(&so);
    so.method = MKBA_SA_EVPPI;
    so.output = out;
    so.force = 1;
    so.no_checkpoint = 1;
    so.households = 200;
    so.draws = (long)mkba_evppi_min_draws(1);
    so.factors = "q_work";
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 1;
    mkba_error e2 = {0};
    if (mkba_sa_run(&ctx, m, &so, &e2) != MKBA_OK)
        fail_msg("%s", e2.message);
    size_t n = 0;
    double *x = read_all(out, "/sa/evppi/evppi", &n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            fail_msg("EVPPI %zu of q_work is %g", i, x[i]);
    free(x);
    double *b = read_all(out, "/sa/factor_base", &n);
    assert_int_equal(n, 1);
    assert_true(fabs(b[0] - 0.4) < 1e-12);
    free(b);
    unlink(out);
    mkba_model_free(m);
}

/* As test_sa_keeps_no_definition for ex-post: the updated parameters are
 * the two overrides only (q_work was listed, read from the blend's NaN
 * row), and q_work, which acts in no arm, cannot be refined. */
static void test_expost_keeps_no_definition(void **state)
{
    (void)state;
    int k = -1;
    mkba_model *m = every_part_random(&k);
    mkba_expost_updated u = {0};
    mkba_error e3 = {0};
    if (mkba_expost_updated_list(m, &u, &e3) != MKBA_OK)
        fail_msg("%s", e3.message);
    size_t found = 0;
    for (size_t i = 0; i < u.n; i++) {
        if (u.arm[i] >= mkba_model_simulated(m))
            fail_msg("%s is updated from arm %zu, the blend", u.name[i], u.arm[i]);
        if (u.param[i] == (size_t)k)
            found |= strcmp(u.name[i], "q_work@classic") == 0 ? 1u
                     : strcmp(u.name[i], "q_work@integrated") == 0 ? 2u : 4u;
    }
    assert_int_equal(found, 3);
    mkba_expost_updated_free(&u);
    assert_false(mkba_expost_refinable(m, (size_t)k));
    mkba_error e4 = {0};
    int rc = mkba_expost_refine_check(m, "q_work", &e4);
    support_expect_error(rc, MKBA_EINVAL, &e4, "--refine-parameters: q_work cannot be refined: "
                         "every arm overrides it, so the scenario's own definition acts in no "
                         "arm");
    mkba_model_free(m);
}

/* A ratio's of, classic_access and a pathway naming a blend: each refused
 * at its line with advice for its kind of setting. */
static void test_blend_named_advice(void **state)
{
    (void)state;
    const support_bad of = {FIXTURE, {"probabilities = { work = \"q_work\"; }; }",
                                      "probabilities = { work = \"q_work\"; }; }, { from = "
                                      "\"bijstand\"; arms = [\"integrated\"]; relative_risks = "
                                      "{ work = 1.1; }; of = \"mix\"; }"},
                            "of = \"mix\"", {"'mix' is a blended arm, not simulated",
                                             "a ratio applies to a simulated arm's "
                                             "probabilities", "name one of its parts in of"}};
    support_bad_loads(&of, 1);
#define MODEL_D "scenarios/pathways/model-d.cfg"
#define CD_ARM "@include \"shared/arms/model-d.cfg\"\n,\n  { name = \"cd\"; blend = ( { arm = " \
               "\"classic\"; share = 0.5; }, { arm = \"model_d\"; share = 0.5; } ); }\n"
    char *d = support_edited("scenarios/pathways/shared/pathways/model-d.cfg",
                             "classic_access = \"classic\";", "classic_access = \"cd\";");
    const support_bad access = {MODEL_D, {"@include \"shared/arms/model-d.cfg\"\n", CD_ARM,
                                          "@include \"shared/pathways/model-d.cfg\"", d},
                                "classic_access = \"cd\"",
                                {"'cd' is a blended arm, not simulated", "classic access sends "
                                 "households to a simulated arm's classic route",
                                 "name a simulated arm whose route is classic"}};
    support_bad_loads(&access, 1);
    free(d);
    const support_bad pathway = {MODEL_D, {"@include \"shared/arms/model-d.cfg\"\n", CD_ARM,
                                           "@include \"shared/pathways/model-d.cfg\"",
                                           "@include \"shared/pathways/model-d.cfg\"\n"
                                           "    cd = { rule = \"classic\"; };"},
                                 "cd = { rule", {"'cd' is a blended arm, not simulated",
                                                 "a blend has no pathway of its own",
                                                 "remove this pathway"}};
    support_bad_loads(&pathway, 1);
}

/* The teams table's blended FTE is the parts' FTE at their shares, read
 * from /draws/parameters independently; a damaged /labels/blend_shares
 * (1-D, or the wrong size) is refused with its name. */
static void test_blend_fte_and_damaged_shares(void **state)
{
    (void)state;
    char good[64], damaged[64];
    snprintf(good, sizeof good, "/tmp/mkba-blend-fte-%d.h5", (int)getpid());
    snprintf(damaged, sizeof damaged, "/tmp/mkba-blend-fte-bad-%d.h5", (int)getpid());
    run(MIX, good, 2, 300, 1, 0);
    size_t np = 0, nt = 0, npar = 0, nta = 0;
    double *par = read_all(good, "/draws/parameters", &np);
    double *fte_index = read_all(good, "/labels/team_fte_parameter", &nt);
    double *arm_teams = read_all(good, "/labels/arm_teams", &nta);
    npar = np / (2 * NARMS);
    assert_int_equal(nta, NARMS * nt);
    mkba_h5_totals *t = NULL;
    mkba_error err = {0};
    if (mkba_h5_read_totals(good, &t, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(t->nteams, nt);
    int checked = 0;
    for (size_t d = 0; d < 2; d++)
        for (size_t k = 0; k < nt; k++) {
            const size_t col = (size_t)fte_index[k];
            double want = 0.0;
            if (arm_teams[MODEL_A * nt + k] != 0.0)
                want += 0.6 * par[(d * NARMS + MODEL_A) * npar + col];
            if (arm_teams[MODEL_C * nt + k] != 0.0)
                want += 0.4 * par[(d * NARMS + MODEL_C) * npar + col];
            const double got = t->team_fte[(d * NARMS + BLEND) * nt + k];
            if (arm_teams[BLEND * nt + k] == 0.0)
                continue;
            if (!(fabs(got - want) <= 1e-12 * fabs(want)))
                fail_msg("draw %zu team %zu: blended FTE %.17g, 0.6 A + 0.4 C %.17g", d, k,
                         got, want);
            checked++;
        }
    assert_true(checked >= 2);
    /* The population served: the parts' at their shares; the caseload of
     * a team: its parts' where they agree (every team of MIX that both
     * parts run has one caseload parameter), checked again below where
     * they differ. */
    size_t ncl = 0;
    double *cl_index = read_all(good, "/labels/team_caseload_parameter", &ncl);
    assert_int_equal(ncl, nt);
    hid_t hf = H5Fopen(good, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t g = H5Gopen2(hf, "/draws/services", H5P_DEFAULT);
    hid_t at = H5Aopen(g, "population_parameter_index", H5P_DEFAULT);
    int pop_col = -1;
    assert_true(at >= 0 && H5Aread(at, H5T_NATIVE_INT, &pop_col) >= 0);
    H5Aclose(at);
    H5Gclose(g);
    H5Fclose(hf);
    assert_true(pop_col >= 0 && (size_t)pop_col < npar);
    int shared = -1, caseloads = 0;
    for (size_t d = 0; d < 2; d++) {
        const double *pa = par + (d * NARMS + MODEL_A) * npar, *pc = par + (d * NARMS + MODEL_C) * npar;
        const double want = 0.6 * pa[pop_col] + 0.4 * pc[pop_col];
        const double got = t->service_population[d * NARMS + BLEND];
        if (!(fabs(got - want) <= 1e-12 * fabs(want)))
            fail_msg("draw %zu: blended population %.17g, 0.6 A + 0.4 C %.17g", d, got, want);
        for (size_t k = 0; k < nt; k++) {
            const int ra = arm_teams[MODEL_A * nt + k] != 0.0, rc = arm_teams[MODEL_C * nt + k] != 0.0;
            if (!(ra || rc) || cl_index[k] < 0)
                continue;
            const size_t col = (size_t)cl_index[k];
            const double want_cl = ra && rc ? (pa[col] == pc[col] ? pa[col] : NAN)
                                   : ra ? pa[col] : pc[col];
            const double got_cl = t->team_caseload[(d * NARMS + BLEND) * nt + k];
            if (!(isnan(want_cl) ? isnan(got_cl) : got_cl == want_cl))
                fail_msg("draw %zu team %zu: blended caseload %.17g, expected %.17g", d, k,
                         got_cl, want_cl);
            if (ra && rc && !isnan(want_cl))
                shared = (int)k;
            caseloads++;
        }
    }
    assert_true(caseloads >= 4);
    assert_true(shared >= 0 && fte_index[shared] >= 0);
    mkba_h5_totals_free(t);
    /* model C's caseload of the shared team moved: the parts disagree and
     * the blend's caseload is NaN (its FTE used is n/a), FTE unchanged. */
    {
        hid_t fc = support_damaged_copy(good, damaged);
        assert_true(fc >= 0);
        const size_t col = (size_t)cl_index[shared];
        for (size_t d = 0; d < 2; d++)
            par[(d * NARMS + MODEL_C) * npar + col] += 1.0;
        hid_t ds = H5Dopen2(fc, "/draws/parameters", H5P_DEFAULT);
        assert_true(ds >= 0);
        assert_true(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, par) >= 0);
        H5Dclose(ds);
        H5Fclose(fc);
        mkba_h5_totals *u = NULL;
        mkba_error e = {0};
        if (mkba_h5_read_totals(damaged, &u, &e) != MKBA_OK)
            fail_msg("%s", e.message);
        for (size_t d = 0; d < 2; d++) {
            const size_t i = (d * NARMS + BLEND) * nt + (size_t)shared;
            assert_true(isnan(u->team_caseload[i]));
            const double want = 0.6 * par[(d * NARMS + MODEL_A) * npar + (size_t)fte_index[shared]]
                                + 0.4 * par[(d * NARMS + MODEL_C) * npar + (size_t)fte_index[shared]];
            assert_true(fabs(u->team_fte[i] - want) <= 1e-12 * fabs(want));
        }
        mkba_h5_totals_free(u);
        unlink(damaged);
    }
    free(cl_index);
    free(par);
    free(fte_index);
    free(arm_teams);
    /* 1-D, then arms x (arms + 1). */
    for (int shape = 0; shape < 2; shape++) {
        hid_t f = support_damaged_copy(good, damaged);
        assert_true(f >= 0);
        if (shape == 0)
            assert_int_equal(support_replace_doubles(f, "/labels/blend_shares", NARMS), 0);
        else {
            hsize_t dims[2] = {NARMS, NARMS + 1};
            assert_true(H5Ldelete(f, "/labels/blend_shares", H5P_DEFAULT) >= 0);
            hid_t sp = H5Screate_simple(2, dims, NULL);
            hid_t ds = H5Dcreate2(f, "/labels/blend_shares", H5T_NATIVE_DOUBLE, sp,
                                  H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            assert_true(ds >= 0);
            H5Dclose(ds);
            H5Sclose(sp);
        }
        H5Fclose(f);
        mkba_h5_totals *b = NULL;
        mkba_error e = {0};
        int rc = mkba_h5_read_totals(damaged, &b, &e);
        support_expect_error(rc, MKBA_EPARSE, &e, "cannot read /labels/blend_shares (or it "
                                                  "is not arms x arms)");
        assert_null(b);
        unlink(damaged);
    }
    /* The right shape, the wrong values: each refused with its row; and a
     * label without a blended row reads as none (no "Blended arms ():"). */
    static const struct {
        double w[NARMS * NARMS];
        const char *says;
    } bad_rows[] = {
        {{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, NAN, 0, 0.4},
         "/labels/blend_shares[3][1] (arm 'a-and-c', part 'model_a') is nan; expected a share "
         "from 0 to 1"},
        {{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0.6, -0.1, 0},
         "/labels/blend_shares[3][2] (arm 'a-and-c', part 'model_c') is -0.1"},
        {{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0.6, 0.3, 0},
         "row 3 (blended arm 'a-and-c') sums to 0.9; expected its parts' shares to sum to 1"},
        {{1, 0, 0, 0, 0.2, 1, 0, 0, 0, 0, 1, 0, 0, 0.6, 0.4, 0},
         "row 1 (arm 'model_a') has 1 on its own arm and sums to 1.2; expected a simulated "
         "arm's unit row"},
        {{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0.6, 0, 0.4},
         "row 3 (arm 'a-and-c') has 0.4 on its own arm"},
        {{1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0.6, 0.4, 0},
         "row 3 (blended arm 'a-and-c') weighs blended arm 'model_c'; expected simulated arms "
         "only"},
        {{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, NULL},
    };
    for (size_t i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
        hid_t f = support_damaged_copy(good, damaged);
        assert_true(f >= 0);
        hid_t ds = H5Dopen2(f, "/labels/blend_shares", H5P_DEFAULT);
        assert_true(ds >= 0);
        assert_true(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                             bad_rows[i].w) >= 0);
        H5Dclose(ds);
        H5Fclose(f);
        mkba_h5_totals *b = NULL;
        mkba_error e = {0};
        int rc = mkba_h5_read_totals(damaged, &b, &e);
        if (bad_rows[i].says == NULL) {
            if (rc != MKBA_OK)
                fail_msg("%s", e.message);
            assert_null(b->blend_share);
            mkba_h5_totals_free(b);
        } else {
            support_expect_error(rc, MKBA_EPARSE, &e, bad_rows[i].says);
            assert_null(b);
        }
        unlink(damaged);
    }
    unlink(good);
}

/* mkba sa believe of `cfg` (base case, `households`, --arm `arm` or every
 * arm) into out. */
static void believe(const char *cfg, const char *out, const char *arm, long households)
{
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, cfg, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_sa_options so;
    mkba_sa_options_init(&so);
    so.method = MKBA_SA_BELIEVE;
    so.output = out;
    so.force = 1;
    so.no_checkpoint = 1;
    so.households = households;
    so.draws = 0;
    so.arm = arm;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 1;
    int rc = mkba_sa_run(&ctx, m, &so, &err);
    mkba_model_free(m);
    if (rc != MKBA_OK)
        fail_msg("%s", err.message);
}

typedef struct levers {
    size_t n;
    char **label;
    int *arm;
    double *c, *npv;           /* [lever][mean, mcse], [arm][on, off, interaction] */
} levers;

static levers read_levers(const char *out)
{
    levers v = {0};
    hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_int_equal(mkba_h5_read_strings(f, "/sa/believe/lever", &v.label, &v.n), 0);
    v.arm = calloc(v.n + 1, sizeof *v.arm);
    assert_non_null(v.arm);
    assert_true(H5LTread_dataset_int(f, "/sa/believe/lever_arm", v.arm) >= 0);
    H5Fclose(f);
    size_t n;
    v.c = read_all(out, "/sa/believe/contribution", &n);
    assert_int_equal(n, 2 * v.n);
    v.npv = read_all(out, "/sa/believe/arm_npv", &n);
    return v;
}

static void free_levers(levers *v)
{
    mkba_h5_strings_free(v->label, v->n);
    free(v->arm);
    free(v->c);
    free(v->npv);
}

/* Arm a's lever labelled `label`, or -1. */
static int lever_of(const levers *v, int a, const char *label, size_t len)
{
    for (size_t l = 0; l < v->n; l++)
        if (v->arm[l] == a && strlen(v->label[l]) == len && strncmp(v->label[l], label, len) == 0)
            return (int)l;
    return -1;
}

static int near(double got, double want, double tol)
{
    return fabs(got - want) <= tol * fmax(1.0, fabs(want));
}

/* sa believe of a blended arm: its levers are its parts' matched by label
 * (the label ends "[in PART, ...]"), each contribution and MCSE-free
 * number the share-weighted sum of the parts' rows in the same file; a
 * lever of one part alone has that part's MCSE times its share, one of
 * both parts no more than the weighted sum of theirs. It used to compare
 * the blend's unwritten parameter row with the reference's (a phantom
 * lever, contribution 0, and the whole NPV as "every lever off"). --arm
 * BLEND analyses its parts too, with the same numbers. On FIXTURE the
 * reference is a part (0.6 classic): the blend is 0.4 of integrated. */
static void test_believe_blend(void **state)
{
    (void)state;
    char out[64], one[64];
    snprintf(out, sizeof out, "/tmp/mkba-blend-bel-%d.h5", (int)getpid());
    snprintf(one, sizeof one, "/tmp/mkba-blend-bel1-%d.h5", (int)getpid());
    believe(MIX, out, NULL, 300);
    believe(MIX, one, "a-and-c", 300);
    const double share[NARMS] = {0.0, 0.6, 0.4, 0.0};
    for (int pass = 0; pass < 2; pass++) {
        levers v = read_levers(pass == 0 ? out : one);
        size_t nblend = 0, nparts = 0;
        for (size_t l = 0; l < v.n; l++) {
            if (v.arm[l] == MODEL_A || v.arm[l] == MODEL_C) {
                int found = 0;
                size_t len = strlen(v.label[l]);
                for (size_t x = 0; x < v.n; x++)
                    found |= v.arm[x] == BLEND && strncmp(v.label[x], v.label[l], len) == 0
                             && strncmp(v.label[x] + len, " [in ", 5) == 0;
                nparts += !found;
            }
            if (v.arm[l] != BLEND)
                continue;
            nblend++;
            const char *in = strstr(v.label[l], " [in ");
            if (in == NULL)
                fail_msg("blend lever '%s' names no part", v.label[l]);
            size_t len = (size_t)(in - v.label[l]);
            double want = 0.0, mcse = 0.0;
            int parts = 0;
            for (int a = MODEL_A; a <= MODEL_C; a++) {
                int p = lever_of(&v, a, v.label[l], len);
                if (p < 0)
                    continue;
                if (strstr(in, a == MODEL_A ? "model_a" : "model_c") == NULL)
                    fail_msg("blend lever '%s' does not name %d", v.label[l], a);
                want += share[a] * v.c[2 * p];
                mcse += share[a] * v.c[2 * p + 1];
                parts++;
            }
            if (parts == 0)
                fail_msg("blend lever '%s' is no part's lever", v.label[l]);
            if (!near(v.c[2 * l], want, 1e-9))
                fail_msg("'%s': blend %.15g, 0.6 A + 0.4 C %.15g", v.label[l], v.c[2 * l], want);
            if (parts == 1 ? !near(v.c[2 * l + 1], mcse, 1e-9)
                           : !(v.c[2 * l + 1] <= mcse * (1 + 1e-9) + 1e-9))
                fail_msg("'%s': MCSE %.15g against the parts' %.15g", v.label[l],
                         v.c[2 * l + 1], mcse);
        }
        /* Every part's lever is the blend's; the blend has levers. */
        assert_true(nblend > 10);
        assert_int_equal(nparts, 0);
        for (int i = 0; i < 3; i++) {
            double want = 0.6 * v.npv[3 * MODEL_A + i] + 0.4 * v.npv[3 * MODEL_C + i];
            if (!near(v.npv[3 * BLEND + i], want, 1e-9))
                fail_msg("arm_npv [%d]: blend %.15g, 0.6 A + 0.4 C %.15g", i,
                         v.npv[3 * BLEND + i], want);
        }
        if (pass == 1) {
            /* --arm a-and-c: the same numbers as the run of every arm. */
            levers w = read_levers(out);
            assert_int_equal(w.n, v.n);
            for (size_t l = 0; l < v.n; l++) {
                assert_string_equal(w.label[l], v.label[l]);
                assert_true(near(v.c[2 * l], w.c[2 * l], 1e-12));
            }
            free_levers(&w);
        }
        free_levers(&v);
    }
    /* The report says what the blend's table is made of, with its shares;
     * the parts' tables do not. */
    char *text = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&text, &size);
    assert_non_null(mem);
    mkba_error err = {0};
    int rc = mkba_summary_write(NULL, out, MKBA_SUMMARY_TEXT, NULL, mem, &err);
    assert_int_equal(fclose(mem), 0);
    if (rc != MKBA_OK)
        fail_msg("%s", err.message);
    const char *note = "A blend (60% model_a, 40% model_c) has no levers of its own: each row "
                       "is its parts' row weighed by these shares";
    const char *at = strstr(text, note), *blend_table = strstr(text, "believed: npv:society of "
                                                              "a-and-c");
    if (at == NULL || blend_table == NULL || at < blend_table || strstr(at + 1, note) != NULL)
        fail_msg("expected one note \"%s\" in a-and-c's table:\n%s", note, text);
    free(text);
    unlink(out);
    unlink(one);
    /* The reference as a part: mix = 0.6 classic + 0.4 integrated. */
    believe(FIXTURE, out, NULL, 400);
    levers v = read_levers(out);
    const char *q = "override q_work";
    int li = lever_of(&v, 1, q, strlen(q)), lb = -1;
    assert_true(li >= 0);
    for (size_t l = 0; l < v.n; l++)
        if (v.arm[l] == 2) {
            assert_int_equal(lb, -1);
            lb = (int)l;
        }
    assert_true(lb >= 0);
    assert_string_equal(v.label[lb], "override q_work [in integrated]");
    assert_true(near(v.c[2 * lb], 0.4 * v.c[2 * li], 1e-12));
    assert_true(near(v.c[2 * lb + 1], 0.4 * v.c[2 * li + 1], 1e-12));
    for (int i = 0; i < 3; i++)
        assert_true(near(v.npv[3 * 2 + i], 0.4 * v.npv[3 * 1 + i], 1e-9));
    free_levers(&v);
    unlink(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_form),
        cmocka_unit_test(test_one_zero_is_first_part),
        cmocka_unit_test(test_shares_weigh_the_arms),
        cmocka_unit_test(test_others_unchanged_and_threads),
        cmocka_unit_test(test_bad_blends),
        cmocka_unit_test(test_set_on_blend_refused),
        cmocka_unit_test(test_alike_overrides_load),
        cmocka_unit_test(test_set_on_part_start_refused),
        cmocka_unit_test(test_blend_fte_and_damaged_shares),
        cmocka_unit_test(test_random_overrides),
        cmocka_unit_test(test_set_every_part),
        cmocka_unit_test(test_parts_messages),
        cmocka_unit_test(test_sa_part_factors),
        cmocka_unit_test(test_blend_named_advice),
        cmocka_unit_test(test_sa_keeps_no_definition),
        cmocka_unit_test(test_expost_keeps_no_definition),
        cmocka_unit_test(test_believe_blend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
