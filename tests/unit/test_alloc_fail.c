/* Allocation failures: an allocator that fails every allocation from the
 * n-th on, for n = 1, 2, ... through scenario loading, a run with its
 * result file and decision outputs, and the summary. Every failure must
 * return an error with a message, leave no result file (nor its
 * temporary) and, under AddressSanitizer (make check), leak nothing. */
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
#include "mkba/mkba.h"

typedef struct failing {
    long calls, fail_from;     /* allocations so far; fail from this one on */
    long failed;
} failing;

static int fails(failing *f)
{
    if (++f->calls >= f->fail_from && f->fail_from > 0) {
        f->failed++;
        return 1;
    }
    return 0;
}

static void *f_malloc(void *user, size_t size)
{
    return fails(user) ? NULL : malloc(size);
}

static void *f_calloc(void *user, size_t n, size_t size)
{
    return fails(user) ? NULL : calloc(n, size);
}

static void *f_realloc(void *user, void *p, size_t size)
{
    return fails(user) ? NULL : realloc(p, size);
}

static void f_free(void *user, void *p)
{
    (void)user;
    free(p);
}

static void context(mkba_context *ctx, failing *f, long fail_from)
{
    mkba_context_init(ctx);
    f->calls = f->failed = 0;
    f->fail_from = fail_from;
    ctx->alloc = (mkba_allocator){ f_malloc, f_calloc, f_realloc, f_free, f };
    ctx->threads = 2;
}

static const char *scenarios[] = { "tests/data/services.cfg", "tests/data/full.cfg" };

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
            if (f.failed == 0) {
                assert_int_equal(rc, MKBA_OK);
                mkba_model_free(m);
                break;
            }
            if (rc == MKBA_OK)
                fail_msg("%s: allocation %ld failed, yet the load succeeded", scenarios[i], n);
            assert_null(m);
            if (err.message[0] == '\0')
                fail_msg("%s: allocation %ld failed without a message", scenarios[i], n);
        }
        print_message("%s: load survives each of its %ld allocations failing\n", scenarios[i],
                      n - 1);
    }
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static void test_run_and_summary(void **state)
{
    (void)state;
    char out[64], tmp[80];
    snprintf(out, sizeof out, "/tmp/mkba-allocfail-%d.h5", (int)getpid());
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        mkba_model *m = NULL;
        mkba_error err = {0};
        if (mkba_scenario_load(NULL, scenarios[i], &m, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        mkba_run_options o;
        mkba_run_options_init(&o);
        o.output = out;
        o.force = 1;
        o.draws = 3;
        o.households = 40;
        long n = 1;
        for (;; n++) {
            failing f;
            mkba_context ctx;
            context(&ctx, &f, n);
            remove(out);
            mkba_error_clear(&err);
            int rc = mkba_run(&ctx, m, &o, &err);
            if (f.failed == 0) {
                assert_int_equal(rc, MKBA_OK);
                break;
            }
            if (rc == MKBA_OK)
                fail_msg("%s: allocation %ld failed, yet the run succeeded", scenarios[i], n);
            if (err.message[0] == '\0')
                fail_msg("%s: allocation %ld failed without a message", scenarios[i], n);
            if (exists(out) || exists(tmp))
                fail_msg("%s: allocation %ld failed and left %s", scenarios[i], n,
                         exists(out) ? out : tmp);
        }
        print_message("%s: run survives each of its %ld allocations failing\n", scenarios[i],
                      n - 1);
        FILE *sink = fopen("/dev/null", "w");
        assert_non_null(sink);
        for (n = 1;; n++) {
            failing f;
            mkba_context ctx;
            context(&ctx, &f, n);
            mkba_error_clear(&err);
            int rc = mkba_summary_write(&ctx, out, MKBA_SUMMARY_JSON, NULL, sink, &err);
            if (f.failed == 0) {
                assert_int_equal(rc, MKBA_OK);
                break;
            }
            if (rc == MKBA_OK)
                fail_msg("%s: allocation %ld failed, yet the summary succeeded", scenarios[i], n);
            if (err.message[0] == '\0')
                fail_msg("%s: summary allocation %ld failed without a message", scenarios[i], n);
        }
        fclose(sink);
        print_message("%s: summary survives each of its %ld allocations failing\n",
                      scenarios[i], n - 1);
        mkba_model_free(m);
        remove(out);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_run_and_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
