/* Allocation failures: an allocator that fails the n-th allocation, for
 * n = 1, 2, ... until a call makes fewer than n, through scenario loading,
 * runs (households in parallel, whole points in parallel) with their
 * result file and decision outputs, and the summary. Every failure must
 * return MKBA_ENOMEM with a message about memory (not a damaged file or an
 * I/O error the user would look for elsewhere) and leave no result file (nor its
 * temporary); under AddressSanitizer (make check) nothing may leak. The
 * allocator tags its blocks, so memory freed through it that it did not
 * allocate (or freed twice) is caught too. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "mkba/sa.h"
#include "mkba/expost.h"
#include "support.h"
#include "support_scratch.h"

typedef struct failing {
    long calls, fail_at;       /* allocations so far; fail this one */
    long failed, foreign;      /* failures made; frees of blocks it did not make */
} failing;

/* Each block starts with a tag, so a free can tell the blocks it made. */
#define TAG 0x6d6b6261u
#define HEAD 16

static int fails(failing *f)
{
    if (++f->calls == f->fail_at) {
        f->failed++;
        return 1;
    }
    return 0;
}

static void *tagged(void *base)
{
    if (base == NULL)
        return NULL;
    *(unsigned *)base = TAG;
    return (char *)base + HEAD;
}

static void *f_malloc(void *user, size_t size)
{
    return fails(user) ? NULL : tagged(malloc(size + HEAD));
}

static void *f_calloc(void *user, size_t n, size_t size)
{
    if (fails(user) || (size != 0 && n > ((size_t)-1 - HEAD) / size))
        return NULL;
    return tagged(calloc(n * size + HEAD, 1));
}

/* The block of p, or NULL (counted) when p is not one of ours. */
static void *base_of(failing *f, void *p)
{
    char *b = (char *)p - HEAD;
    if (*(unsigned *)b != TAG) {
        f->foreign++;
        return NULL;
    }
    return b;
}

static void *f_realloc(void *user, void *p, size_t size)
{
    if (fails(user))
        return NULL;
    if (p == NULL)
        return tagged(malloc(size + HEAD));
    void *b = base_of(user, p);
    return b != NULL ? tagged(realloc(b, size + HEAD)) : NULL;
}

static void f_free(void *user, void *p)
{
    if (p == NULL)
        return;
    char *b = base_of(user, p);
    if (b != NULL) {
        *(unsigned *)b = 0;
        free(b);
    }
}

static void context(mkba_context *ctx, failing *f, long fail_at)
{
    mkba_context_init(ctx);
    f->calls = f->failed = f->foreign = 0;
    f->fail_at = fail_at;
    ctx->alloc = (mkba_allocator){ f_malloc, f_calloc, f_realloc, f_free, f };
    ctx->threads = 2;
}

/* A failure must close every HDF5 object it opened: one left open keeps
 * its file registered with HDF5, and the library's exit-time cleanup would
 * then close it after mkba's state is gone. */
static void no_hdf5_left_open(const char *what, long fail_at)
{
    ssize_t open = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE | H5F_OBJ_DATASET | H5F_OBJ_GROUP
                                                     | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR);
    if (open != 0)
        fail_msg("%s: allocation %ld failed and left %ld HDF5 objects open", what, fail_at,
                 (long)open);
}

/* Fails the test unless err is an out-of-memory error in words: code
 * MKBA_ENOMEM and "memory" in the message. */
static void out_of_memory(const char *what, long fail_at, const mkba_error *err)
{
    if (err->code != MKBA_ENOMEM || strstr(err->message, "memory") == NULL)
        fail_msg("%s: allocation %ld failed, yet the error is not an out-of-memory one: %s (%s)",
                 what, fail_at, mkba_status_name(err->code), err->message);
}

static const char *scenarios[] = { "tests/data/services.cfg", "tests/data/full.cfg",
                                    "tests/data/budget.cfg" };

static void test_load(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        long n = 1;
        for (;; n++) {
            failing f;
            mkba_context ctx;
            context(&ctx, &f, n);
            mkba_model *m = NULL;
            mkba_error err = {0};
            int rc = mkba_scenario_load(&ctx, scenarios[i], &m, &err);
            int done = f.failed == 0;
            if (done) {
                assert_int_equal(rc, MKBA_OK);
                mkba_model_free(m);
            }
            if (f.foreign != 0)
                fail_msg("%s: %ld frees of memory the allocator did not make", scenarios[i],
                         f.foreign);
            no_hdf5_left_open(scenarios[i], n);
            if (done)
                break;
            if (rc == MKBA_OK)
                fail_msg("%s: allocation %ld failed, yet the load succeeded", scenarios[i], n);
            assert_null(m);
            out_of_memory(scenarios[i], n, &err);
        }
        print_message("%s: load survives each of its %ld allocations failing\n", scenarios[i],
                      n - 1);
    }
}

/* Scenarios with a mistake: every allocation failing while the loader
 * explains it (reading the file again to quote the line of a syntax error;
 * the "did you mean" of a misspelt setting or parameter) is out of memory, not the
 * mistake told without its explanation; with none failing, the mistake in
 * full. */
static void test_load_faulty(void **state)
{
    (void)state;
    char syntax[64];
    snprintf(syntax, sizeof syntax, "/tmp/mkba-allocfail-%d.cfg", (int)getpid());
    FILE *f0 = fopen(syntax, "w");
    assert_non_null(f0);
    fputs("name = \"faulty\";\nrun = { seed = = 1; };\n", f0);
    assert_int_equal(fclose(f0), 0);
    const struct {
        const char *path;
        int code;
        const char *words;
    } faulty[] = {
        { syntax, MKBA_EPARSE, "syntax error" },
        { "tests/data/bad/unknown_setting.cfg", MKBA_EINVAL,
          "timing.discont_time: unknown setting; did you mean 'discount_time'?" },
        { "tests/data/bad/unknown_parameter.cfg", MKBA_EINVAL, "did you mean 'p_worse'?" },
    };
    for (size_t i = 0; i < sizeof faulty / sizeof faulty[0]; i++) {
        long n = 1;
        for (;; n++) {
            failing f;
            mkba_context ctx;
            context(&ctx, &f, n);
            mkba_model *m = NULL;
            mkba_error err = {0};
            int rc = mkba_scenario_load(&ctx, faulty[i].path, &m, &err);
            assert_null(m);
            if (f.foreign != 0)
                fail_msg("%s: %ld frees of memory the allocator did not make", faulty[i].path,
                         f.foreign);
            if (f.failed == 0) {
                if (rc != faulty[i].code || strstr(err.message, faulty[i].words) == NULL)
                    fail_msg("%s: %s (%s), expected %s with \"%s\"", faulty[i].path,
                             mkba_status_name(rc), err.message,
                             mkba_status_name(faulty[i].code), faulty[i].words);
                break;
            }
            out_of_memory(faulty[i].path, n, &err);
        }
        assert_true(n > 1);
        print_message("%s: explaining \"%s\" survives each of its %ld allocations failing\n",
                      faulty[i].path, faulty[i].words, n - 1);
    }
    remove(syntax);
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* The result file of the runs below, removed with its temporary and
 * checkpoint also when a test fails (remove_run_output). */
static char run_out[64];

static const char *run_output(void)
{
    snprintf(run_out, sizeof run_out, "/tmp/mkba-allocfail-%d.h5", (int)getpid());
    return run_out;
}

static int remove_run_output(void **state)
{
    (void)state;
    char path[96];
    const char *const suffixes[] = { "", ".tmp", ".ckpt" };
    for (size_t i = 0; run_out[0] != '\0' && i < 3; i++) {
        snprintf(path, sizeof path, "%s%s", run_out, suffixes[i]);
        remove(path);
    }
    return 0;
}

/* What a run with allocation fail_at failing (f) must leave: success when
 * nothing failed, else an error with a message and neither the output nor
 * its temporary; no memory freed that the allocator did not make. */
static void check_attempt(const char *what, const failing *f, int rc, const mkba_error *err,
                          long fail_at, const char *output, const char *tmp)
{
    if (f->foreign != 0)
        fail_msg("%s: %ld frees of memory the allocator did not make", what, f->foreign);
    no_hdf5_left_open(what, fail_at);
    if (f->failed == 0 && rc != MKBA_OK)
        fail_msg("%s: %s", what, err->message);
    if (f->failed != 0 && rc == MKBA_OK)
        fail_msg("%s: allocation %ld failed, yet the run succeeded", what, fail_at);
    if (f->failed != 0)
        out_of_memory(what, fail_at, err);
    if (f->failed != 0 && (exists(output) || exists(tmp)))
        fail_msg("%s: allocation %ld failed and left a file", what, fail_at);
}

/* The library's runs, each a call on m with its options o. */
typedef int (*runner)(const mkba_context *ctx, const mkba_model *m, const void *o,
                      mkba_error *err);

static int call_run(const mkba_context *ctx, const mkba_model *m, const void *o,
                    mkba_error *err)
{
    return mkba_run(ctx, m, o, err);
}

static int call_sa(const mkba_context *ctx, const mkba_model *m, const void *o,
                   mkba_error *err)
{
    return mkba_sa_run(ctx, m, o, err);
}

static int call_expost(const mkba_context *ctx, const mkba_model *m, const void *o,
                       mkba_error *err)
{
    return mkba_expost_run(ctx, m, o, err);
}

/* `run` into output with allocation fail_at failing (0: none); checks
 * what a failure leaves (check_attempt); returns how many allocations the
 * run made. */
static long attempt(const char *what, runner run, const mkba_model *m, const void *o,
                    const char *output, long fail_at)
{
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%s.tmp", output);
    failing f;
    mkba_context ctx;
    mkba_error err = {0};
    context(&ctx, &f, fail_at);
    remove(output);
    int rc = run(&ctx, m, o, &err);
    check_attempt(what, &f, rc, &err, fail_at, output, tmp);
    return f.calls;
}

/* o run on m with each of its allocations failing in turn, then once
 * whole, leaving the file; returns how many allocations it makes. */
static long run_survives(const char *what, const mkba_model *m, const mkba_run_options *o)
{
    long total = attempt(what, call_run, m, o, o->output, 0);
    for (long n = 1; n <= total; n++)
        attempt(what, call_run, m, o, o->output, n);
    attempt(what, call_run, m, o, o->output, 0);
    return total;
}

/* The summary of the file at path survives each of its allocations
 * failing in turn; returns how many it makes. */
static long summary_survives(const char *what, const char *path, mkba_summary_format format)
{
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    long n;
    for (n = 1;; n++) {
        failing f;
        mkba_context ctx;
        mkba_error err = {0};
        context(&ctx, &f, n);
        int rc = mkba_summary_write(&ctx, path, format, NULL, sink, &err);
        if (f.foreign != 0)
            fail_msg("%s summary: %ld foreign frees", what, f.foreign);
        no_hdf5_left_open(what, n);
        if (f.failed == 0) {
            assert_int_equal(rc, MKBA_OK);
            break;
        }
        if (rc == MKBA_OK)
            fail_msg("%s summary: allocation %ld failed yet it succeeded", what, n);
        out_of_memory(what, n, &err);
    }
    fclose(sink);
    return n - 1;
}

static void test_run_and_summary(void **state)
{
    (void)state;
    const char *out = run_output();
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        mkba_model *m = NULL;
        mkba_error err = {0};
        if (mkba_scenario_load(NULL, scenarios[i], &m, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        /* 3 draws on 2 threads run households in parallel; 5 run whole
         * draws in parallel (study.h). */
        static const long draws[] = { 3, 5 };
        for (size_t r = 0; r < 2; r++) {
            mkba_run_options o;
            mkba_run_options_init(&o);
            o.output = out;
            o.force = 1;
            o.draws = draws[r];
            o.households = 40;
            print_message("%s, %ld draws: run survives each of its %ld allocations failing\n",
                          scenarios[i], draws[r], run_survives(scenarios[i], m, &o));
        }
        print_message("%s: summary survives each of its %ld allocations failing\n",
                      scenarios[i], summary_survives(scenarios[i], out, MKBA_SUMMARY_JSON));
        mkba_model_free(m);
        remove_run_output(NULL);
    }
}

/* A scenario with a blended arm (tests/data/blend.cfg), run with
 * q_work@integrated fixed in one of its parts, so the check that the fix
 * leaves the part's start alone (mkba_model_blend_part_fix) allocates: each
 * allocation failing in turn is reported as out of memory, with no file. */
static void test_blend_run(void **state)
{
    (void)state;
    const char *out = run_output();
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/blend.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = out;
    o.force = 1;
    o.draws = 2;
    o.mode = MKBA_MODE_COHORT;
    const char *names[] = {"q_work@integrated"};
    const double values[] = {0.3};
    o.nset = 1;
    o.set_name = names;
    o.set_value = values;
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    long total = attempt("blend.cfg", call_run, m, &o, out, 0), part_check = 0;
    for (long n = 1; n <= total; n++) {
        failing f;
        mkba_context ctx;
        mkba_error e = {0};
        context(&ctx, &f, n);
        remove(out);
        int rc = mkba_run(&ctx, m, &o, &e);
        check_attempt("blend.cfg", &f, rc, &e, n, out, tmp);
        if (f.failed != 0 && (e.code != MKBA_ENOMEM || strstr(e.message, "memory") == NULL))
            fail_msg("blend.cfg: allocation %ld failed, reported as: %s", n, e.message);
        part_check += strstr(e.message, "checking the starting population of blend 'mix'") != NULL;
    }
    print_message("blend.cfg with q_work@integrated: each of %ld allocations failing is "
                  "out of memory (%ld in the part check)\n", total, part_check);
    assert_int_equal(part_check, 2); /* its mark and the expressions' walk */
    mkba_model_free(m);
    remove_run_output(NULL);
}

/* Sensitivity analyses: each method's run and the summary of its file
 * survive every allocation failing in turn. Under the sanitizers (make
 * check's second pass, MKBA_SANITIZED set), which are many times slower,
 * about 200 allocations spread evenly over each run fail instead, enough
 * to find a leak in any phase; the plain pass fails every one. */
static long sa_stride(long total)
{
    return getenv("MKBA_SANITIZED") != NULL && total > 200 ? total / 200 : 1;
}


/* As test_run_and_summary's services run, on a system where no scratch
 * file can be made (support_scratch.h): every injected failure must still
 * close the discarded file for good. Before, its descriptor stayed on
 * /dev/null, whose truncate the close asked for when it gave back HDF5's
 * reserved space, and allocation 806 left the file registered. */
static void test_run_without_scratch(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/services.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = run_output();
    o.force = 1;
    o.draws = 3;
    o.households = 40;
    support_no_scratch = 1;
    print_message("services run without a scratch file survives each of its %ld allocations "
                  "failing\n", run_survives("run without a scratch file", m, &o));
    mkba_model_free(m);
}

/* Scratch files back and no file left, also after a failure of
 * test_run_without_scratch. */
static int scratch_back(void **state)
{
    support_no_scratch = 0;
    return remove_run_output(state);
}


static void test_sa(void **state)
{
    (void)state;
    char out[64], psa[64];
    snprintf(out, sizeof out, "/tmp/mkba-allocfail-sa-%d.h5", (int)getpid());
    snprintf(psa, sizeof psa, "/tmp/mkba-allocfail-psa-%d.h5", (int)getpid());
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/services.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    /* The PSA file evppi and prim read (--from). */
    mkba_run_options ro;
    mkba_run_options_init(&ro);
    ro.output = psa;
    ro.force = 1;
    ro.draws = 90;
    ro.households = 20;
    if (mkba_run(NULL, m, &ro, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    static const support_sa_case cases[] = {
        { MKBA_SA_TORNADO, 0, 0 },
        { MKBA_SA_SOBOL, 8, 0 },
        { MKBA_SA_EVPPI, 0, 1 },
        { MKBA_SA_PRIM, 0, 1 },
        { MKBA_SA_BELIEVE, 0, 0 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        mkba_sa_options o;
        support_sa_options(&o, &cases[c], out, psa, 10, "p_debt_worse");
        const char *name = mkba_sa_method_name(cases[c].method);
        char what[64];
        snprintf(what, sizeof what, "sa %s", name);
        long total = attempt(what, call_sa, m, &o, out, 0), step = sa_stride(total);
        for (long n = 1; n <= total; n += step)
            attempt(what, call_sa, m, &o, out, n);
        attempt(what, call_sa, m, &o, out, 0);     /* leaves the file the summary reads */
        long n = summary_survives(what, out, MKBA_SUMMARY_JSON);
        print_message("sa %s survives %s of its %ld allocations failing, its summary each of "
                      "%ld\n", name, step == 1 ? "each" : "a spread", total, n);
    }
    mkba_model_free(m);
    remove(out);
    remove(psa);
}

/* Ex-post evaluation (mkba_expost_run): reading the data, the PSA, the
 * reweighting and a sequential refinement (one stage of eight moves), with
 * a spread of about 300 allocations failing in turn (each attempt runs
 * the whole evaluation), then the summary of its file with each failing. */
static void test_expost(void **state)
{
    (void)state;
    char out[64], data[64];
    snprintf(out, sizeof out, "/tmp/mkba-allocfail-expost-%d.h5", (int)getpid());
    snprintf(data, sizeof data, "/tmp/mkba-allocfail-expost-%d.csv", (int)getpid());
    FILE *d = fopen(data, "w");
    assert_non_null(d);
    fputs("year,arm,metric,value,n,domain\n1,broad,escalations,40,3000,youth\n"
          "2,broad,in_state,150,3000,debt/severe\n", d);
    assert_int_equal(fclose(d), 0);
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, "tests/data/services.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_expost_options o;
    mkba_expost_options_init(&o);
    o.observed = data;
    o.output = out;
    o.force = 1;
    o.draws = 8;
    o.households = 20;
    o.min_ess_share = 0.9;
    /* An ex-post run (PSA plus refinement) makes some 10,000 allocations and
     * takes about as long as 30 sa runs: a spread of 120 of them fail (40
     * under the sanitizers), each phase several times, so the suite stays
     * within CI's time. */
    long spread = getenv("MKBA_SANITIZED") != NULL ? 40 : 120;
    long total = attempt("expost", call_expost, m, &o, out, 0);
    long step = total > spread ? total / spread : 1;
    for (long n = 1; n <= total; n += step)
        attempt("expost", call_expost, m, &o, out, n);
    attempt("expost", call_expost, m, &o, out, 0);     /* leaves the file the summary reads */
    long n = summary_survives("expost", out, MKBA_SUMMARY_TEXT);
    print_message("expost survives a spread of its %ld allocations failing (every %ld), its "
                  "summary each of %ld\n", total, step, n);
    mkba_model_free(m);
    remove(out);
    remove(data);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_load_faulty),
        cmocka_unit_test_teardown(test_run_and_summary, remove_run_output),
        cmocka_unit_test_teardown(test_run_without_scratch, scratch_back),
        cmocka_unit_test_teardown(test_blend_run, remove_run_output),
        cmocka_unit_test(test_sa),
        cmocka_unit_test(test_expost),
    };
    /* MKBA_TEST_FILTER=test_blend_run runs one part (a glob over the names). */
    if (getenv("MKBA_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("MKBA_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
