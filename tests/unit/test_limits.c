/* The documented limits (docs/reliability.md, "Limits"): each refuses its
 * input at once, naming the file, line and setting or the estimate and how
 * to proceed, and leaves no file; just inside each limit the input still
 * works. The mkba program is run through MKBA_BIN for the checks a user
 * meets on the command line (skipped when it is unset). */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "core/expr.h"
#include "model/scenario_impl.h"
#include "study/study.h"
#include "core/alloc.h"
#include "expost/observed.h"

static char dir[] = "/tmp/mkba-test-limits-XXXXXX";
static char errtext[1 << 16];

/* A small self-contained scenario; PARAMS and COST are filled in. */
static const char scenario_head[] =
    "mkba_format = 1;\n"
    "name = \"limits\";\n"
    "price_year = 2024;\n"
    "run = { seed = 5; draws = 3; households = 100; };\n"
    "timing = { horizon = 3; };\n"
    "payers = [\"gemeente\"];\n"
    "arms = ( { name = \"classic\"; reference = true; } );\n";
static const char scenario_tail[] =
    "domains = (\n"
    "  { name = \"debt\"; states = [\"none\", \"severe\"];\n"
    "    initial = { state = \"none\"; };\n"
    "    transitions = ( { from = \"none\"; probabilities = { severe = 0.1; }; },\n"
    "                    { from = \"severe\"; probabilities = { none = 0.2; }; } );\n"
    "  }\n"
    ");\n"
    "costs = ( { domain = \"debt\"; state = \"severe\"; payer = \"gemeente\"; "
    "per_year = \"big\"; } );\n";

static void path_in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

/* Writes the scenario with parameter `big` defined by expression expr,
 * preceded by `extra` (more text in the parameters group, may be ""), and
 * `after` after the whole (e.g. an @include line). */
static void write_scenario(const char *path, const char *expr, const char *extra,
                           const char *after)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(scenario_head, f);
    fprintf(f, "parameters = {\n%s  big = { expr = \"%s\"; };\n};\n", extra, expr);
    fputs(scenario_tail, f);
    fputs(after, f);
    assert_int_equal(fclose(f), 0);
}

/* "1+1+...+1" of n terms (free it). */
static char *ones(size_t n)
{
    char *s = malloc(2 * n + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = '1';
        s[2 * i + 1] = '+';
    }
    s[2 * n - 1] = '\0';
    return s;
}

static int load(const char *path, mkba_error *err)
{
    mkba_model *m = NULL;
    mkba_error_clear(err);
    int rc = mkba_scenario_load(NULL, path, &m, err);
    mkba_model_free(m);
    return rc;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

/* The expression limit: the largest expression parses and adds up; one
 * term more, and 200,000 terms (which overflowed libmatheval's stack),
 * are refused with the limit; so is a chain of unary minus signs. */
static void test_expression_terms(void **state)
{
    (void)state;
    char why[256];
    char *at = ones(MKBA_EXPR_MAX_TERMS);
    mkba_expr *e = mkba_expr_alloc(at, why, sizeof why);
    if (e == NULL)
        fail_msg("%s", why);
    assert_true(mkba_expr_eval(e, NULL) == (double)MKBA_EXPR_MAX_TERMS);
    mkba_expr_free(e);
    free(at);

    static const size_t over[] = { MKBA_EXPR_MAX_TERMS + 1, 200000 };
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        char *text = ones(over[i]);
        assert_null(mkba_expr_alloc(text, why, sizeof why));
        assert_contains(why, "more than 1000 terms, the limit");
        free(text);
    }
    /* "- - - ... 1": each sign is a level of the tree. */
    size_t n = MKBA_EXPR_MAX_TERMS;
    char *minus = malloc(2 * n + 2);
    assert_non_null(minus);
    for (size_t i = 0; i < n; i++)
        memcpy(minus + 2 * i, "- ", 2);
    strcpy(minus + 2 * n, "1");
    assert_null(mkba_expr_alloc(minus, why, sizeof why));
    assert_contains(why, "more than 1000 terms");
    free(minus);

    /* Through the loader: file, line and setting, the quote cut short so
     * the reason stays in the message. */
    char path[300];
    path_in_dir(path, sizeof path, "expr.cfg");
    char *text = ones(200000);
    write_scenario(path, text, "", "");
    free(text);
    mkba_error err;
    assert_int_equal(load(path, &err), MKBA_EINVAL);
    char where[400];
    snprintf(where, sizeof where, "%s:9: parameters.big.expr: cannot parse expression "
             "\"1+1+1", path);
    assert_contains(err.message, where);
    assert_contains(err.message, "...\" (more than 1000 terms, the limit; split it into "
                    "parameters defined by shorter expressions)");
    text = ones(MKBA_EXPR_MAX_TERMS);
    write_scenario(path, text, "", "");
    free(text);
    if (load(path, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    remove(path);
}

/* Parses and evaluates one expression (arg) with the variable x = 1.5. */
static void *parse_and_eval(void *arg)
{
    char why[256];
    mkba_expr *e = mkba_expr_alloc(arg, why, sizeof why);
    if (e == NULL)
        return NULL;
    double x = 1.5;
    static double value;
    value = mkba_expr_eval(e, &x);
    mkba_expr_free(e);
    return &value;
}

/* The deepest expressions within the term limit (a chain of powers or of
 * sums of a variable, which libmatheval neither folds nor balances) parse
 * and evaluate on a thread with a 128 KiB stack, musl's default thread
 * stack and below OpenMP's; a crash would end the test program. Not under
 * AddressSanitizer, whose frames are larger. */
static void test_expression_small_stack(void **state)
{
    (void)state;
    if (getenv("MKBA_SANITIZED") != NULL)
        skip();
    static const char *const op[] = { "^", "+", "*" };
    const size_t n = MKBA_EXPR_MAX_TERMS;
    char *text = malloc(2 * n + 1);
    assert_non_null(text);
    for (size_t k = 0; k < sizeof op / sizeof op[0]; k++) {
        for (size_t i = 0; i < n; i++) {
            text[2 * i] = op[k][0];
            text[2 * i + 1] = 'x';
        }
        text[2 * n] = '\0';
        pthread_attr_t attr;
        assert_int_equal(pthread_attr_init(&attr), 0);
        assert_int_equal(pthread_attr_setstacksize(&attr, 128 * 1024), 0);
        pthread_t t;
        void *value = NULL;
        assert_int_equal(pthread_create(&t, &attr, parse_and_eval, text + 1), 0);
        assert_int_equal(pthread_join(t, &value), 0);
        pthread_attr_destroy(&attr);
        assert_non_null(value);
        /* x^x^...^x overflows to inf (either way of grouping); the sum and
         * the product have closed forms. */
        double v = *(double *)value;
        if (k == 0)
            assert_true(isinf(v));
        else if (k == 1)
            assert_true(v == 1.5 * (double)n);
        else
            assert_true(fabs(v / pow(1.5, (double)n) - 1) < 1e-12);
    }
    free(text);
}

/* The settings limit counts every '=' outside strings and comments, the
 * @include files' too: one setting over it is refused at its line, before
 * libconfig parses anything; at the limit the count passes. */
static void test_settings_count(void **state)
{
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "many.cfg");
    /* The valid scenario's own settings: every '=' and ':' (it has no
     * comments, and no strings holding either). */
    write_scenario(path, "1", "", "");
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int c, base = 0;
    while ((c = fgetc(f)) != EOF)
        base += c == '=' || c == ':';
    fclose(f);
    for (int extra = 0; extra <= 1; extra++) {
        /* Parameters of two settings each (one of three for an odd
         * count), and a comment and a string with '=' and ':' that do not
         * count, up to the limit (and one past it). */
        int need = MKBA_SCENARIO_MAX_SETTINGS + extra - base;
        assert_true(need > 3);
        size_t size = 64 * (size_t)need + 64;
        char *params = malloc(size), *p = params;
        assert_non_null(params);
        p += sprintf(p, "  # a = b : c\n  /* d = e */\n"
                     "  odd = { expr = \"1\"; unit = \"x = y: z\"; };\n");
        int left = need - 3;
        if (left % 2 != 0) {
            p += sprintf(p, "  odd2 = { expr = \"1\"; unit = \"u\"; };\n");
            left -= 3;
        }
        for (int i = 0; i < left / 2; i++)
            p += sprintf(p, "  s%d = { expr = \"1\"; };\n", i);
        write_scenario(path, "1", params, "");
        free(params);
        mkba_error err;
        int rc = load(path, &err);
        if (extra) {
            assert_int_equal(rc, MKBA_EINVAL);
            /* The line holding the 5,001st setting. */
            f = fopen(path, "r");
            assert_non_null(f);
            int line = 1, count = 0, in_comment = 0, in_string = 0, prev = 0;
            while ((c = fgetc(f)) != EOF && count <= MKBA_SCENARIO_MAX_SETTINGS) {
                if (in_comment == 1 && c == '\n')
                    in_comment = 0;
                else if (in_comment == 2 && prev == '*' && c == '/')
                    in_comment = 0;
                else if (!in_comment && c == '"')
                    in_string = !in_string;
                else if (!in_comment && !in_string && c == '#')
                    in_comment = 1;
                else if (!in_comment && !in_string && prev == '/' && c == '*')
                    in_comment = 2;
                else if (!in_comment && !in_string && (c == '=' || c == ':'))
                    count++;
                if (count <= MKBA_SCENARIO_MAX_SETTINGS && c == '\n')
                    line++;
                prev = c;
            }
            fclose(f);
            char where[400];
            snprintf(where, sizeof where, "%s:%d: the scenario with its @include files has "
                     "more than %d settings here, the limit", path, line,
                     MKBA_SCENARIO_MAX_SETTINGS);
            assert_contains(err.message, where);
        } else if (rc != MKBA_OK) {
            fail_msg("at the limit: %s", err.message);
        }
    }
    remove(path);
}

/* The size limit: a main file above it is refused by its size alone; an
 * @include file that takes the whole above it is named. */
static void test_scenario_bytes(void **state)
{
    (void)state;
    char path[300], inc[300];
    path_in_dir(path, sizeof path, "big.cfg");
    path_in_dir(inc, sizeof inc, "comments.cfg");
    FILE *f = fopen(inc, "w");
    assert_non_null(f);
    for (int i = 0; i < (MKBA_SCENARIO_MAX_BYTES / 64) + 1; i++)
        fprintf(f, "# %61s\n", "a line of comment, 64 bytes with its newline");
    assert_int_equal(fclose(f), 0);

    write_scenario(path, "1", "", "@include \"comments.cfg\"\n");
    mkba_error err;
    assert_int_equal(load(path, &err), MKBA_EINVAL);
    char expected[400];
    snprintf(expected, sizeof expected, "%s/comments.cfg: the scenario with its @include files "
             "has more than %d bytes (this file alone %d), the limit", dir,
             MKBA_SCENARIO_MAX_BYTES, 64 * (MKBA_SCENARIO_MAX_BYTES / 64 + 1));
    assert_contains(err.message, expected);

    /* The same text as the main file. */
    write_scenario(path, "1", "", "");
    f = fopen(path, "a");
    assert_non_null(f);
    for (int i = 0; i < (MKBA_SCENARIO_MAX_BYTES / 64) + 1; i++)
        fprintf(f, "# %61s\n", "a line of comment, 64 bytes with its newline");
    assert_int_equal(fclose(f), 0);
    assert_int_equal(load(path, &err), MKBA_EINVAL);
    snprintf(expected, sizeof expected, "%s: the scenario has ", path);
    assert_contains(err.message, expected);
    assert_contains(err.message, "bytes, more than 1048576, the limit");
    remove(path);
    remove(inc);
}

/* The observed data's limits (src/expost/observed.c): a line of 4,096
 * characters is read, one of 4,097 is refused, naming the line; and
 * 1,000,000 rows are the most a file holds: the 1,000,001st row is refused
 * as it is met. */
static void test_observed_limits(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_scenario_load(NULL, "scenarios/pathways/model-b.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    const char *head = "year,arm,metric,value,n\n", *row = "1,model_b,reached,3,100\n";
    size_t lh = strlen(head), lr = strlen(row);
    /* A comment line of `width` characters between the header and a row. */
    char *text = malloc(lh + 4097 + 1 + lr + 1);
    assert_non_null(text);
    for (size_t width = 4096; width <= 4097; width++) {
        memcpy(text, head, lh);
        text[lh] = '#';
        memset(text + lh + 1, 'x', width - 1);
        text[lh + width] = '\n';
        memcpy(text + lh + width + 1, row, lr + 1);
        mkba_observed *o = NULL;
        mkba_error_clear(&err);
        int rc = mkba_observed_parse(text, strlen(text), "obs.csv", m, &o, &err);
        if (width == 4096) {
            if (rc != MKBA_OK)
                fail_msg("a line of 4096 characters: %s", err.message);
            assert_int_equal(o->n, 1);
            assert_int_equal(o->obs[0].line, 3);
            mkba_observed_free(o);
        } else {
            assert_int_equal(rc, MKBA_EPARSE);
            assert_null(o);
            assert_string_equal(err.message,
                                "obs.csv:2: the line is longer than 4096 characters");
        }
    }
    free(text);

    /* 1,000,001 rows, the same figure in each: refused at the last row's
     * line (1,000,002) before any check of duplicates. */
    size_t rows = 1000001, n = lh + rows * lr;
    text = malloc(n + 1);
    assert_non_null(text);
    memcpy(text, head, lh);
    for (size_t i = 0; i < rows; i++)
        memcpy(text + lh + i * lr, row, lr);
    text[n] = '\0';
    mkba_observed *o = NULL;
    mkba_error_clear(&err);
    assert_int_equal(mkba_observed_parse(text, n, "obs.csv", m, &o, &err), MKBA_EPARSE);
    assert_null(o);
    assert_string_equal(err.message, "obs.csv:1000002: more than 1000000 rows");
    free(text);
    mkba_model_free(m);
}

/* A scenario or @include that is a pipe or a device (also behind a
 * symbolic link) has no size to check and may never end: refused by kind
 * before it is opened. A file read is kept to one byte past the limit. */
static void test_special_files(void **state)
{
    (void)state;
    mkba_error err;
    char fifo[300], path[300], link[300], expected[400];
    path_in_dir(fifo, sizeof fifo, "pipe.cfg");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* Opening the pipe would block: the load returns at once. */
    assert_int_equal(load(fifo, &err), MKBA_EINVAL);
    snprintf(expected, sizeof expected, "%s: the scenario is a pipe; expected a regular file",
             fifo);
    assert_contains(err.message, expected);
    assert_int_equal(load("/dev/zero", &err), MKBA_EINVAL);
    assert_contains(err.message, "/dev/zero: the scenario is a device; expected a regular file");

    path_in_dir(path, sizeof path, "main.cfg");
    path_in_dir(link, sizeof link, "zero.cfg");
    assert_int_equal(symlink("/dev/zero", link), 0);
    write_scenario(path, "1", "", "@include \"zero.cfg\"\n");
    assert_int_equal(load(path, &err), MKBA_EINVAL);
    snprintf(expected, sizeof expected, "%s: the @include file is a device; expected a "
             "regular file", link);
    assert_contains(err.message, expected);
    remove(link);
    write_scenario(path, "1", "", "@include \"pipe.cfg\"\n");
    assert_int_equal(load(path, &err), MKBA_EINVAL);
    assert_contains(err.message, "the @include file is a pipe");

    /* Two limits' worth of text: read to one byte past the limit. */
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 2 * (MKBA_SCENARIO_MAX_BYTES / 64); i++)
        fprintf(f, "# %61s\n", "a line of comment, 64 bytes with its newline");
    assert_int_equal(fclose(f), 0);
    char *text = mkba_sc_read_text(path);
    assert_non_null(text);
    assert_int_equal(strlen(text), MKBA_SCENARIO_MAX_BYTES + 1);
    mkba_free(text);
    remove(path);
    remove(fifo);
}

/* The size of a result file's rows: the estimate per draw is exactly the
 * /draws data a run writes (counted from the file, dataset by dataset). */
static herr_t add_draws(hid_t loc, const char *name, const H5O_info_t *info, void *data)
{
    if (info->type != H5O_TYPE_DATASET || strncmp(name, "draws/", 6) != 0
        || strcmp(name, "draws/draw_index") == 0)
        return 0;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0)
        return 0;
    hid_t sp = H5Dget_space(ds);
    *(double *)data += (double)H5Sget_simple_extent_npoints(sp) * 8;
    H5Sclose(sp);
    H5Dclose(ds);
    return 0;
}

static void test_output_estimate(void **state)
{
    (void)state;
    static const char *const files[] = { "tests/data/huge_amount.cfg", "tests/data/services.cfg" };
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        mkba_model *m = NULL;
        mkba_error err;
        mkba_error_clear(&err);
        if (mkba_scenario_load(NULL, files[k], &m, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        char out[300];
        path_in_dir(out, sizeof out, "est.h5");
        mkba_run_options o;
        mkba_run_options_init(&o);
        o.output = out;
        o.force = 1;
        o.draws = 3;
        o.households = 50;
        o.analyse = 0;
        if (k == 0) {
            /* Amounts within range: "1e300 * scale" is refused at run time. */
            mkba_model_free(m);
            m = NULL;
            char path[300];
            path_in_dir(path, sizeof path, "plain.cfg");
            write_scenario(path, "100 * scale", "  scale = { dist = \"uniform\"; min = 1.0; "
                           "max = 2.0; };\n", "");
            if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK)
                fail_msg("%s", err.message);
            remove(path);
        }
        if (mkba_run(NULL, m, &o, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        double bytes = 0;
        hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
        assert_true(f >= 0);
        H5Ovisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, add_draws, &bytes);
        H5Fclose(f);
        remove(out);
        mkba_study_options so = { .output = out, .households = 50, .threads = 1,
                                  .mode = MKBA_ENGINE_MICRO, .store_draws = 1 };
        mkba_study_estimate e;
        mkba_study_estimate_of(m, 3, 1, &so, &e);
        assert_true(bytes > 0);
        assert_true(e.file_bytes == bytes);
        /* The services keep their households: more of them, more memory. */
        if (k == 1) {
            mkba_study_estimate e2;
            so.households = 5000;
            mkba_study_estimate_of(m, 3, 1, &so, &e2);
            assert_true(e.engine_bytes > 0);
            /* Less the tallies, which do not grow with the households. */
            assert_true(e2.engine_bytes - mkba_engine_bytes_fixed(m, so.mode, 5000, 1)
                        == 100 * (e.engine_bytes - mkba_engine_bytes_fixed(m, so.mode, 50, 1)));
        }
        mkba_model_free(m);
    }
}

/* An allocator that counts the bytes asked for (frees are not subtracted:
 * the engine frees nothing while it is set up). */
static void *count_malloc(void *user, size_t size)
{
    *(double *)user += (double)size;
    return malloc(size);
}

static void *count_calloc(void *user, size_t n, size_t size)
{
    *(double *)user += (double)n * (double)size;
    return calloc(n, size);
}

static void *count_realloc(void *user, void *p, size_t size)
{
    *(double *)user += (double)size;
    return realloc(p, size);
}

static void count_free(void *user, void *p)
{
    (void)user;
    free(p);
}

/* The bytes mkba_engine_alloc asks for, for `households` on nthreads. */
static double engine_bytes(const mkba_model *m, long households, int nthreads)
{
    double bytes = 0;
    const mkba_allocator counting = { count_malloc, count_calloc, count_realloc, count_free,
                                      &bytes };
    mkba_error err;
    mkba_error_clear(&err);
    mkba_alloc_scope scope = mkba_alloc_enter(&counting);
    mkba_engine *e = mkba_engine_alloc(m, MKBA_ENGINE_MICRO, households, nthreads, &err);
    mkba_alloc_leave(scope);
    if (e == NULL)
        fail_msg("%s", err.message);
    mkba_engine_free(e);
    return bytes;
}

/* The memory estimate per household is what the services engine really
 * allocates per household: the slope of its allocations between two
 * household counts (both with the most batches, so the batch tables do
 * not change), on one thread (one record set) and on as many threads as
 * arms (a record set per thread). Only the chunk table (a few bytes per
 * 256 households) is not counted: within 1%. */
static void test_engine_bytes_per_household(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_scenario_load(NULL, "tests/data/services.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_true(m->narms >= 2);
    const int threads[] = { 1, (int)m->narms };
    const long h1 = 20000, h2 = 120000;
    for (size_t i = 0; i < 2; i++) {
        double slope = (engine_bytes(m, h2, threads[i]) - engine_bytes(m, h1, threads[i]))
                       / (double)(h2 - h1);
        double estimate = (double)mkba_engine_bytes_per_household(m, MKBA_ENGINE_MICRO,
                                                                  threads[i]);
        if (!(slope >= estimate && slope <= 1.01 * estimate))
            fail_msg("%d threads: %.2f bytes allocated per household, %.0f estimated",
                     threads[i], slope, estimate);
    }
    /* A record set per thread: more than one thread's estimate. */
    assert_true(mkba_engine_bytes_per_household(m, MKBA_ENGINE_MICRO, threads[1])
                > mkba_engine_bytes_per_household(m, MKBA_ENGINE_MICRO, 1));
    assert_int_equal(mkba_engine_bytes_per_household(m, MKBA_ENGINE_COHORT, 1), 0);
    mkba_model_free(m);
}

/* The file at path into a new string, "year" cycles made monthly, written
 * to dir/name. */
static void monthly_copy(const char *path, const char *name, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *c = strstr(text, "cycle = \"year\"");
    assert_non_null(c);
    path_in_dir(out, size, name);
    FILE *g = fopen(out, "w");
    assert_non_null(g);
    fprintf(g, "%.*scycle = \"month\"%s", (int)(c - text), text, c + strlen("cycle = \"year\""));
    fclose(g);
}

/* The estimate before a run holds what each thread of the engine
 * allocates whatever its households: the tallies per batch and group
 * cell, several MB per thread with monthly cycles (review whom13 2). What a
 * second thread adds to the estimate is what it adds to the allocations
 * (within 5%: small per-thread buffers are not counted), with services
 * and in the streaming microsimulation, with entrants in both (budget.cfg
 * streams; the shipped budget scenario, yearly, has services); the tables
 * and layout each engine has once are not counted, so with few households
 * the estimate is at least a third of all that mkba_engine_alloc asks
 * for. */
static void test_estimate_holds_the_tallies(void **state)
{
    (void)state;
    static const char *const scenarios[] = { "tests/data/services.cfg", "tests/data/budget.cfg",
                                             "scenarios/pathways/budget-current-model-b.cfg" };
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        if (i < 2)
            monthly_copy(scenarios[i], "monthly.cfg", path, sizeof path);
        else
            snprintf(path, sizeof path, "%s", scenarios[i]);
        mkba_model *m = NULL;
        mkba_error err;
        mkba_error_clear(&err);
        if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        if (i < 2)
            remove(path);
        for (int streaming = 0; streaming < 2; streaming++) {
            if (streaming)
                m->services.enabled = 0;
            const long households = 400;
            double estimate[3], allocated[3];
            for (int threads = 1; threads <= 2; threads++) {
                mkba_study_options so = { .households = households, .threads = threads,
                                          .mode = MKBA_ENGINE_MICRO };
                mkba_study_estimate e;
                mkba_study_estimate_of(m, 1, 1, &so, &e);
                estimate[threads] = e.engine_bytes;
                allocated[threads] = engine_bytes(m, households, threads);
                if (!(estimate[threads] >= allocated[threads] / 3))
                    fail_msg("%s, %s, %d threads: %.0f bytes allocated, %.0f estimated",
                             scenarios[i], streaming ? "streaming" : "services", threads,
                             allocated[threads], estimate[threads]);
            }
            const double thread_estimate = estimate[2] - estimate[1];
            const double thread_allocated = allocated[2] - allocated[1];
            if (!(fabs(thread_estimate - thread_allocated) <= 0.05 * thread_allocated))
                fail_msg("%s, %s: a thread allocates %.0f bytes, estimated %.0f", scenarios[i],
                         streaming ? "streaming" : "services", thread_allocated,
                         thread_estimate);
        }
        mkba_model_free(m);
    }
}

/* Writes text into the file dir/name. */
static void put(const char *name, const char *text)
{
    char path[512];
    path_in_dir(path, sizeof path, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The cgroup memory limit: the smallest of v2's memory.max and v1's
 * memory.limit_in_bytes, at the hierarchy's root and in the process's own
 * cgroup; "max" and v1's huge "unlimited" number are no limit below the
 * physical memory. A fake /sys/fs/cgroup and /proc/self/cgroup. */
static void test_cgroup_memory_limit(void **state)
{
    (void)state;
    static const char *const dirs[] = { "cg", "cg/a", "cg/a/b", "cg/memory", "cg/memory/x" };
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char path[512];
        path_in_dir(path, sizeof path, dirs[i]);
        assert_int_equal(mkdir(path, 0700), 0);
    }
    char root[512], proc[512];
    path_in_dir(root, sizeof root, "cg");
    path_in_dir(proc, sizeof proc, "cgroup");
    put("cgroup", "4:memory:/x\n1:cpu:/\n0::/a/b\n");
    /* None set anywhere (files missing). */
    assert_true(mkba_study_cgroup_memory_limit(root, proc) == 0);
    put("cg/memory.max", "max\n");
    put("cg/memory/memory.limit_in_bytes", "9223372036854771712\n");
    assert_true(mkba_study_cgroup_memory_limit(root, proc) == 9223372036854771712.0);
    /* v1's own cgroup is lower. */
    put("cg/memory/x/memory.limit_in_bytes", "209715200\n");
    assert_true(mkba_study_cgroup_memory_limit(root, proc) == 209715200.0);
    /* v2's own cgroup lower still. */
    put("cg/a/b/memory.max", "104857600\n");
    assert_true(mkba_study_cgroup_memory_limit(root, proc) == 104857600.0);
    /* The process in the root cgroups: only the roots count. */
    put("cgroup", "4:memory:/\n0::/\n");
    assert_true(mkba_study_cgroup_memory_limit(root, proc) == 9223372036854771712.0);
    static const char *const files[] = { "cg/memory.max", "cg/memory/memory.limit_in_bytes",
                                         "cg/memory/x/memory.limit_in_bytes",
                                         "cg/a/b/memory.max", "cgroup" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        path_in_dir(path, sizeof path, files[i]);
        remove(path);
    }
    for (size_t i = sizeof dirs / sizeof dirs[0]; i-- > 0;) {
        char path[512];
        path_in_dir(path, sizeof path, dirs[i]);
        rmdir(path);
    }
}

/* Runs `sh -c COMMAND`, stderr into errtext; returns the exit status. */
static int shell(const char *command)
{
    char err[300], cmd[4096];
    path_in_dir(err, sizeof err, "stderr");
    snprintf(cmd, sizeof cmd, "%s 2>'%s' >/dev/null </dev/null", command, err);
    int st = system(cmd);
    errtext[0] = '\0';
    FILE *f = fopen(err, "r");
    if (f != NULL) {
        size_t n = fread(errtext, 1, sizeof errtext - 1, f);
        errtext[n] = '\0';
        fclose(f);
    }
    remove(err);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* `sh -c COMMAND` must exit 1 with `expected` in its error output. */
static void assert_refused(const char *command, const char *expected)
{
    assert_int_equal(shell(command), 1);
    assert_contains(errtext, expected);
}

static const char *need_bin(void)
{
    const char *bin = getenv("MKBA_BIN");
    if (bin == NULL || bin[0] == '\0')
        skip();
    return bin;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* --draws far beyond a sensible file: refused before anything is written,
 * with the estimate and how to proceed; the memory the analyses would need
 * to read the draws back is refused even with --yes. */
static void test_output_needs_confirmation(void **state)
{
    (void)state;
    const char *bin = need_bin();
    char out[300], tmp[320], cmd[1024];
    path_in_dir(out, sizeof out, "huge.h5");
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    /* About 24 KiB a draw: 2.4 GB at 100,000 draws (the size itself is
     * checked against a written file in test_output_estimate). */
    snprintf(cmd, sizeof cmd, "'%s' run scenarios/default.cfg --draws 100000 -o '%s'", bin,
             out);
    assert_int_equal(shell(cmd), 1);
    assert_contains(errtext, "huge.h5 would be about ");
    assert_contains(errtext, " GiB (100000 draws of ");
    assert_contains(errtext, " KiB each, before compression) and the simulation alone would "
                    "take roughly ");
    assert_contains(errtext, "(writing and analysing the draws come on top); while it runs, "
                    "its checkpoint ");
    assert_contains(errtext, "a result file above 2.0 GiB needs confirmation: add --yes to "
                    "write it, or use fewer draws");
    assert_false(exists(out));
    assert_false(exists(tmp));
    /* A Sobol' design stores no draws, but its checkpoint grows by a
     * record per point: 200,000 x (2 factors + 2) = 800,000 points of
     * about 24 KiB. */
    snprintf(cmd, sizeof cmd, "'%s' sa sobol scenarios/default.cfg --factors "
             "p_debt_onset,p_debt_worsen -n 200000 -o '%s'", bin, out);
    assert_refused(cmd, "huge.h5.ckpt of this run would be about ");
    assert_contains(errtext, " GiB (800000 points of ");
    assert_contains(errtext, "or use fewer points");
    assert_false(exists(out));
    assert_false(exists(tmp));
    snprintf(tmp, sizeof tmp, "%s.ckpt", out);
    assert_false(exists(tmp));
    /* 100,000,000 draws: terabytes to read back, whatever the confirmation. */
    snprintf(cmd, sizeof cmd, "'%s' run scenarios/default.cfg --draws 100000000 --yes -o '%s'",
             bin, out);
    assert_int_equal(shell(cmd), 1);
    assert_contains(errtext, "the run would need about ");
    assert_contains(errtext, " TiB to read the 100000000 stored draws back for the analyses), "
                    "more than ");
    assert_false(exists(out));
    assert_false(exists(tmp));
}

/* With services every household is kept: beyond the cap, or beyond the
 * memory the process may use, the run is refused before it starts, naming
 * the services group's file and line or the memory needed. */
static void test_service_households(void **state)
{
    (void)state;
    const char *bin = need_bin();
    char out[300], cmd[2048];
    path_in_dir(out, sizeof out, "svc.h5");
    /* The services group's line, found in the file itself. */
    FILE *f = fopen("tests/data/services.cfg", "r");
    assert_non_null(f);
    char line[512];
    int n = 0, at = 0;
    while (at == 0 && fgets(line, sizeof line, f) != NULL)
        if (++n, strncmp(line, "services = {", 12) == 0)
            at = n;
    fclose(f);
    assert_true(at > 0);
    snprintf(cmd, sizeof cmd, "'%s' run tests/data/services.cfg --households 20000001 "
             "--draws 1 -o '%s'", bin, out);
    char expected[256];
    snprintf(expected, sizeof expected, "mkba: tests/data/services.cfg:%d: services: 20000001 "
             "households per draw; expected at most 20000000 with services", at);
    assert_refused(cmd, expected);
    /* What to lower is the households, not the services. */
    assert_contains(errtext, "(about 1.7 GiB at the limit); lower the households per draw "
                    "(run.households in the scenario, or --households)");
    assert_false(exists(out));

    /* The address space limited to 256 MiB: 10,000,000 households (89
     * bytes each here) do not fit (ASan reserves terabytes of address
     * space: not under it). */
    if (getenv("MKBA_SANITIZED") != NULL)
        return;
    snprintf(cmd, sizeof cmd, "ulimit -v 262144; '%s' run tests/data/services.cfg "
             "--households 10000000 --draws 1 -o '%s'", bin, out);
    assert_int_equal(shell(cmd), 1);
    assert_contains(errtext, "mkba: the run would need about ");
    assert_contains(errtext, "for 10000000 households kept with services by 1 engine");
    assert_contains(errtext, "more than the process's address-space limit (ulimit -v) allows "
                    "(256.0 MiB, of which a fifth is kept free)");
    assert_false(exists(out));

    /* With inflow the open run keeps the households a second time and
     * the entrants: 2,000,000 simulated households for 5000 with 500
     * entering a year are 200,000 entrants a year, 1,400,000 in the seven
     * years after the first; the message counts them. */
    char cfg[300];
    path_in_dir(cfg, sizeof cfg, "svc-open.cfg");
    snprintf(cmd, sizeof cmd, "(cat tests/data/services.cfg; echo 'population = { households "
             "= 5000; inflow = 500; };') > '%s' && ulimit -v 262144 && '%s' run '%s' "
             "--households 2000000 --draws 1 -o '%s'", cfg, bin, cfg, out);
    assert_int_equal(shell(cmd), 1);
    assert_contains(errtext, "for 2000000 households twice (closed and open run) and about "
                    "1400000 entrants (open run) kept with services by 1 engine");
    assert_false(exists(out));
    remove(cfg);
}

/* A population so small that the services' costs per household overflow:
 * stopped at the first draw, naming the population setting. */
static void test_tiny_population(void **state)
{
    (void)state;
    const char *bin = need_bin();
    char out[300], cmd[2048];
    path_in_dir(out, sizeof out, "pop.h5");
    snprintf(cmd, sizeof cmd, "'%s' run tests/data/services.cfg --households 100 --draws 1 "
             "--set services.population=1e-300 -o '%s'", bin, out);
    assert_int_equal(shell(cmd), 1);
    assert_contains(errtext, "mkba: tests/data/services.cfg:77: services.population: draw 0, "
                    "arm 'classic': a population of 1e-300 households makes the services cost ");
    assert_contains(errtext, "expected a population that keeps it finite and within +-1e+15 "
                    "per household");
    assert_false(exists(out));
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = { "expr.cfg", "many.cfg", "big.cfg", "comments.cfg",
                                         "plain.cfg", "est.h5", "huge.h5", "huge.h5.tmp",
                                         "svc.h5", "pop.h5", "stderr" };
    char path[300];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        path_in_dir(path, sizeof path, names[i]);
        remove(path);
    }
    return rmdir(dir) == 0 ? 0 : -1;
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expression_terms),
        cmocka_unit_test(test_expression_small_stack),
        cmocka_unit_test(test_settings_count),
        cmocka_unit_test(test_scenario_bytes),
        cmocka_unit_test(test_special_files),
        cmocka_unit_test(test_observed_limits),
        cmocka_unit_test(test_output_estimate),
        cmocka_unit_test(test_engine_bytes_per_household),
        cmocka_unit_test(test_estimate_holds_the_tallies),
        cmocka_unit_test(test_cgroup_memory_limit),
        cmocka_unit_test(test_output_needs_confirmation),
        cmocka_unit_test(test_service_households),
        cmocka_unit_test(test_tiny_population),
    };
    /* MKBA_TEST_FILTER=test_observed_limits runs one part (a glob over the names). */
    if (getenv("MKBA_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("MKBA_TEST_FILTER"));
    return cmocka_run_group_tests_name("limits", tests, setup, teardown);
}
