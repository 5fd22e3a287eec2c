/* Allocation failures by call site: for each operation (an ex-post
 * evaluation, its synthetic data and report, each sensitivity method, the
 * summary of each kind of file in each format) a first pass records every
 * distinct place that allocates, named by the return addresses of the
 * allocation's last few callers; then the operation runs once per sampled
 * place with the first allocation made there failing. Unlike
 * test_alloc_fail, which fails the n-th allocation for every n (or an even
 * spread of a long run's), this reaches out-of-memory branches of a long
 * run however late it allocates (the allocator and its checks are
 * support_alloc.c's, shared with test_alloc_report). Every failure must return MKBA_ENOMEM with
 * a message about memory (never, say, "cannot read /labels/arms", which
 * would send the user looking for a damaged file), leave no output file
 * (nor its temporary) and no HDF5 object open.
 *
 * The sample (CI time: failing every place of every operation took well
 * over 5 CPU minutes plain): a place already failed by an earlier operation
 * (the same callers, so the same branch) is not failed again, and of the
 * rest every step-th is failed, at most CAP_PLAIN per operation (CAP_SAN
 * under the sanitizers, MKBA_SANITIZED set); the offset turns with each
 * operation so that operations sharing places fail different ones.
 * MKBA_ALLOC_SITES_ALL=1 fails every place of every operation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include "mkba/mkba.h"
#include "mkba/sa.h"
#include "mkba/expost.h"
#include "support.h"
#include "support_alloc.h"
#include "support_expost.h"

#define CAP_PLAIN 40
#define CAP_SAN 10

/* Fails the sample of op's places (see the top), then runs it once more
 * to leave its file for the summaries that read it. */
static void every_place(const support_alloc_op *op)
{
    int all = getenv("MKBA_ALLOC_SITES_ALL") != NULL;
    if (all)
        support_alloc_forget();
    support_alloc_every_place(op, all ? 0 : getenv("MKBA_SANITIZED") != NULL ? CAP_SAN
                                                                           : CAP_PLAIN);
    support_alloc_run(op);
}

static support_expost fx;      /* the data, the PSA and the scenario */
static char post[300], out[300], csv[300];

static void expost_options(mkba_expost_options *o)
{
    support_expost_options(&fx, o, post);
    o->min_ess_share = 0.9;
    o->moves = 2;
    o->max_stages = 3;
    o->accept_partial = 1;
}

static int run_expost(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    (void)arg;
    mkba_expost_options o;
    expost_options(&o);
    return mkba_expost_run(ctx, fx.services, &o, err);
}

static int run_expost_from(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    (void)arg;
    mkba_expost_options o;
    expost_options(&o);
    o.from = fx.psa;
    o.draws = -1;
    o.households = -1;
    o.output = out;
    o.refine = 0;
    return mkba_expost_run(ctx, fx.services, &o, err);
}

static int run_simulate(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    (void)arg;
    mkba_expost_simulate_options o;
    mkba_expost_simulate_options_init(&o);
    o.template_csv = fx.data;
    o.output = csv;
    o.force = 1;
    o.households = 20;
    o.truth_draw = 1;
    return mkba_expost_simulate(ctx, fx.services, &o, err);
}

static int run_expost_report(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    int rc = mkba_expost_report_write(ctx, post, *(const mkba_summary_format *)arg, sink, err);
    fclose(sink);
    return rc;
}

/* A sensitivity method on the services scenario (arg: its options). */
static int run_sa(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    return mkba_sa_run(ctx, fx.services, arg, err);
}

static int run_function(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    int rc = mkba_sa_function(ctx, arg, "ishigami", MKBA_SUMMARY_JSON, sink, err);
    fclose(sink);
    return rc;
}

/* The summary of out (the file the operation before wrote) in a format. */
typedef struct summary_case {
    const char *file;
    mkba_summary_format format;
    const char *output;        /* xlsx: the workbook */
    const char *folder;        /* csv: one file per table */
} summary_case;

static int run_summary(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    const summary_case *c = arg;
    mkba_summary_options o;
    mkba_summary_options_init(&o);
    o.format = c->format;
    o.output = c->output;
    o.folder = c->folder;
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    int rc = mkba_summary_export(ctx, c->file, &o, sink, err);
    fclose(sink);
    return rc;
}

/* Each format's summary of file; the long (tidy) format only of a file
 * with draws; markdown and json, which share all but their writers'
 * places with csv, only of the PSA (every_format). */
static void summaries(const char *what, const char *file, int has_draws, int every_format)
{
    static const mkba_summary_format formats[] = { MKBA_SUMMARY_TEXT, MKBA_SUMMARY_CSV,
                                                   MKBA_SUMMARY_MARKDOWN, MKBA_SUMMARY_JSON,
                                                   MKBA_SUMMARY_TIDY };
    static const char *const names[] = { "text", "csv", "markdown", "json", "tidy" };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if ((formats[i] == MKBA_SUMMARY_TIDY && !has_draws)
            || ((formats[i] == MKBA_SUMMARY_MARKDOWN || formats[i] == MKBA_SUMMARY_JSON)
                && !every_format))
            continue;
        char label[128];
        snprintf(label, sizeof label, "summary of %s, %s", what, names[i]);
        summary_case c = { file, formats[i], NULL, NULL };
        every_place(&(support_alloc_op){ label, run_summary, &c, NULL });
    }
    char book[300], label[128];
    snprintf(label, sizeof label, "summary of %s, xlsx", what);
    summary_case x = { file, MKBA_SUMMARY_XLSX, support_expost_path(&fx, book, "book.xlsx"),
                       NULL };
    every_place(&(support_alloc_op){ label, run_summary, &x, x.output });
    remove(book);
}

static void test_expost(void **state)
{
    (void)state;
    every_place(&(support_alloc_op){ "expost", run_expost, NULL, post });
    every_place(&(support_alloc_op){ "expost --from", run_expost_from, NULL, out });
    every_place(&(support_alloc_op){ "expost --simulate", run_simulate, NULL, csv });
    static const mkba_summary_format formats[] = { MKBA_SUMMARY_TEXT, MKBA_SUMMARY_CSV,
                                                   MKBA_SUMMARY_JSON };
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        every_place(&(support_alloc_op){ "expost report", run_expost_report, &formats[i], NULL });
    summaries("expost", post, 1, 0);
}

/* tests/data/budget.cfg with a distribution of p_leave of the second
 * arm's own (so the update has a per-arm parameter), its PSA and budget
 * and spending figures: the budget view's readers, the Monte Carlo errors
 * of the spending and the per-arm parameter's list. */
static mkba_model *budget_model;
static char budget_psa[300], budget_data[300];

static int run_budget_from(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    (void)arg;
    mkba_expost_options o;
    expost_options(&o);
    o.observed = budget_data;
    o.from = budget_psa;
    o.draws = -1;
    o.households = -1;
    o.output = out;
    o.refine = 0;
    return mkba_expost_run(ctx, budget_model, &o, err);
}

static int run_budget_simulate(const mkba_context *ctx, const void *arg, mkba_error *err)
{
    (void)arg;
    mkba_expost_simulate_options o;
    mkba_expost_simulate_options_init(&o);
    o.template_csv = budget_data;
    o.output = csv;
    o.force = 1;
    o.households = 40;
    o.truth_draw = 1;
    return mkba_expost_simulate(ctx, budget_model, &o, err);
}

static void test_budget(void **state)
{
    (void)state;
    char cfg[300];
    support_expost_path(&fx, cfg, "budget-arm.cfg");
    support_expost_path(&fx, budget_psa, "budget-psa.h5");
    support_expost_path(&fx, budget_data, "budget.csv");
    assert_int_equal(support_write_variant("tests/data/budget.cfg", cfg,
                                           "overrides = { p_leave = 0.3; }",
                                           "overrides = { p_leave = { dist = \"beta\"; "
                                           "alpha = 30.0; beta = 70.0; }; }"), 0);
    assert_int_equal(support_write_file(budget_data,
                                        "year,arm,metric,value,se,payer,fund\n"
                                        "1,classic,budget,900000,100000,,gemeentefonds\n"
                                        "2,integrated,budget,700000,100000,,gemeentefonds\n"
                                        "1,integrated,spending,900,50,zorgverzekeraar,\n"), 0);
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, cfg, &budget_model, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_run_options ro;
    mkba_run_options_init(&ro);
    ro.output = budget_psa;
    ro.force = 1;
    ro.draws = 8;
    ro.households = 40;
    if (mkba_run(NULL, budget_model, &ro, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    every_place(&(support_alloc_op){ "expost --from (budget)", run_budget_from, NULL, out });
    every_place(&(support_alloc_op){ "expost --simulate (budget)", run_budget_simulate, NULL,
                                     csv });
    mkba_model_free(budget_model);
    budget_model = NULL;
    remove(cfg);
    remove(budget_psa);
    remove(budget_data);
    remove(out);
    remove(csv);
}

static void test_sa(void **state)
{
    (void)state;
    static const mkba_sa_range grid = { "p_debt_worse", 0.05, 0.2, 2 };
    static const char *const group[] = { "p_debt_worse+improve" };
    static const support_sa_case cases[] = {
        { MKBA_SA_TORNADO, 0, 0 },  { MKBA_SA_THRESHOLD, 0, 0 }, { MKBA_SA_SWEEP, 0, 0 },
        { MKBA_SA_SOBOL, 8, 0 },    { MKBA_SA_MORRIS, 4, 0 },    { MKBA_SA_EVPPI, 0, 1 },
        { MKBA_SA_PRIM, 0, 1 },     { MKBA_SA_BELIEVE, 0, 0 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        mkba_sa_options o;
        support_sa_options(&o, &cases[c], out, fx.psa, 5,
                           cases[c].method == MKBA_SA_THRESHOLD ? "p_debt_worse"
                           : "p_debt_worse,improve");
        o.second_order = cases[c].method == MKBA_SA_SOBOL;
        if (cases[c].method == MKBA_SA_SWEEP) {
            o.factors = NULL;
            o.ngrid = 1;
            o.grid = &grid;
        }
        if (cases[c].method == MKBA_SA_EVPPI) {
            o.ngroups = 1;
            o.group = group;
        }
        const char *name = mkba_sa_method_name(cases[c].method);
        char label[64];
        snprintf(label, sizeof label, "sa %s", name);
        every_place(&(support_alloc_op){ label, run_sa, &o, out });
        summaries(label, out, 0, 0);
    }
    mkba_sa_options f;
    mkba_sa_options_init(&f);
    f.method = MKBA_SA_SOBOL;
    f.n = 16;
    f.bootstrap = 5;
    every_place(&(support_alloc_op){ "sa sobol --function", run_function, &f, NULL });
    f.method = MKBA_SA_MORRIS;
    f.n = 4;
    every_place(&(support_alloc_op){ "sa morris --function", run_function, &f, NULL });
}

static void test_run_summaries(void **state)
{
    (void)state;
    summaries("a services PSA", fx.psa, 1, 1);
}

static int setup(void **state)
{
    (void)state;
    if (support_expost_open(&fx, "alloc-sites", 180) != 0)   /* evppi of two needs 180 */
        return -1;
    support_expost_path(&fx, post, "expost.h5");
    support_expost_path(&fx, out, "out.h5");
    support_expost_path(&fx, csv, "synthetic.csv");
    support_alloc_init();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = { "expost.h5", "out.h5", "synthetic.csv" };
    return support_expost_close(&fx, names, sizeof names / sizeof names[0]);
}

int main(void)
{
    gsl_set_error_handler_off();
    /* MKBA_TEST_FILTER=test_sa runs one part (a glob over the names). */
    if (getenv("MKBA_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("MKBA_TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_summaries),
        cmocka_unit_test(test_expost),
        cmocka_unit_test(test_sa),
        cmocka_unit_test(test_budget),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
