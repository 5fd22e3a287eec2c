/* The HDF5 result file: write synthetic draws whose every number encodes its
 * position, read them back with the plain HDF5 library and with
 * mkba_h5_read_totals, and provoke the file-handling errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "io/h5out.h"
#include "report/run_facts.h"
#include "support.h"

#define NDRAWS 3

/* cmocka 1.1.5 has no assert_double_equal. */
#define assert_near(a, b, tol) assert_near_at((a), (b), (tol), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double tol, const char *file, int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%.17g != %.17g (tolerance %g)\n", a, b, tol);
        _fail(file, line);
    }
}

/* The synthetic value of dataset `ds` (0..9 in schema order) at draw d, arm
 * a, middle index t (cycle, time point, or 0) and last index x: every
 * position of every dataset gets a different number. */
static double value(int ds, size_t d, size_t a, size_t t, size_t x)
{
    return 100000.0 * ds + 1000.0 * d + 100.0 * a + 10.0 * t + x + 0.125;
}

static void fill_draw(mkba_draw_result *r, size_t d)
{
    size_t A = r->narms, T = r->ncycles, P = r->npayers, E = r->neffects;
    size_t S = r->nstates_total, N = r->nparams;
    for (size_t a = 0; a < A; a++) {
        for (size_t t = 0; t < T; t++) {
            for (size_t p = 0; p < P; p++) {
                r->cost[(a * T + t) * P + p] = value(0, d, a, t, p);
                r->cost_disc[(a * T + t) * P + p] = value(1, d, a, t, p);
            }
            for (size_t e = 0; e < E; e++) {
                r->effect[(a * T + t) * E + e] = value(2, d, a, t, e);
                r->effect_disc[(a * T + t) * E + e] = value(3, d, a, t, e);
            }
        }
        for (size_t j = 0; j <= T; j++)
            for (size_t s = 0; s < S; s++)
                r->occupancy[(a * (T + 1) + j) * S + s] = value(4, d, a, j, s);
        for (size_t p = 0; p < P; p++) {
            r->cost_total[a * P + p] = value(5, d, a, 0, p);
            r->cost_total_disc[a * P + p] = value(6, d, a, 0, p);
        }
        for (size_t e = 0; e < E; e++) {
            r->effect_total[a * E + e] = value(7, d, a, 0, e);
            r->effect_total_disc[a * E + e] = value(8, d, a, 0, e);
        }
        for (size_t i = 0; i < N; i++)
            r->params[a * N + i] = value(9, d, a, 0, i);
    }
}

static void temp_path(char *buf, size_t size, const char *tag)
{
    snprintf(buf, size, "/tmp/mkba_test_h5_%ld_%s.h5", (long)getpid(), tag);
    remove(buf);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int tmp_exists(const char *path)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    return exists(tmp);
}

static const mkba_run_meta meta = {
    .seed = 18446744073709551557ull, /* above 2^63: checks unsigned storage */
    .draws = NDRAWS, .households = 500, .threads = 2,
    .mode = "microsimulation", .base_case = "mean"
};

/* Writes NDRAWS synthetic draws to path (out of order, to check each lands
 * at its own index) and commits. */
static void write_file(const mkba_model *m, const char *path, int force)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_writer *w = mkba_h5_create(path, force, m, &meta, NDRAWS, &err);
    assert_non_null(w);
    assert_true(tmp_exists(path));
    mkba_draw_result *r = mkba_draw_result_alloc(m);
    assert_non_null(r);
    static const size_t order[NDRAWS] = { 2, 0, 1 };
    for (size_t i = 0; i < NDRAWS; i++) {
        fill_draw(r, order[i]);
        assert_int_equal(mkba_h5_write_draw(w, order[i], r, &err), MKBA_OK);
    }
    assert_int_equal(mkba_h5_set_draw_index(w, 1, 7, &err), MKBA_OK);
    mkba_draw_result_free(r);
    assert_int_equal(mkba_h5_close(w, 1, &err), MKBA_OK);
    assert_true(exists(path));
    assert_false(tmp_exists(path));
}

/* Reads a scalar string attribute with the plain library. */
static char *attr_string(hid_t obj, const char *name)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    assert_int_equal(H5Tget_class(t), H5T_STRING);
    assert_false(H5Tis_variable_str(t));
    assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
    size_t n = H5Tget_size(t);
    char *s = calloc(n + 1, 1);
    assert_non_null(s);
    assert_true(H5Aread(a, t, s) >= 0);
    H5Tclose(t);
    H5Aclose(a);
    return s;
}

static void assert_attr_string(hid_t obj, const char *name, const char *want)
{
    char *s = attr_string(obj, name);
    assert_string_equal(s, want);
    free(s);
}

static double attr_double(hid_t obj, const char *name)
{
    double v = 0;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_DOUBLE, &v) >= 0);
    H5Aclose(a);
    return v;
}

/* Checks /labels/NAME holds exactly want[0..n). */
static void assert_labels(hid_t f, const char *name, const char *const *want, size_t n)
{
    char path[64];
    snprintf(path, sizeof path, "/labels/%s", name);
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    assert_true(ds >= 0);
    hid_t t = H5Dget_type(ds), space = H5Dget_space(ds);
    hsize_t dims[1];
    assert_int_equal(H5Sget_simple_extent_ndims(space), 1);
    H5Sget_simple_extent_dims(space, dims, NULL);
    assert_int_equal(dims[0], n);
    size_t width = H5Tget_size(t);
    char *buf = calloc(n * width + 1, 1);
    assert_non_null(buf);
    assert_true(H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    for (size_t i = 0; i < n; i++) {
        char one[256] = "";
        memcpy(one, buf + i * width, width < 255 ? width : 255);
        assert_string_equal(one, want[i]);
    }
    free(buf);
    H5Sclose(space);
    H5Tclose(t);
    H5Dclose(ds);
}

/* Opens /draws/NAME, checks its shape and axes attribute, and reads it. */
static double *read_dataset(hid_t f, const char *name, int rank, const hsize_t *want,
                            const char *axes)
{
    char path[64];
    snprintf(path, sizeof path, "/draws/%s", name);
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    assert_true(ds >= 0);
    hid_t space = H5Dget_space(ds);
    hsize_t dims[4];
    assert_int_equal(H5Sget_simple_extent_ndims(space), rank);
    H5Sget_simple_extent_dims(space, dims, NULL);
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        assert_int_equal(dims[i], want[i]);
        n *= dims[i];
    }
    assert_attr_string(ds, "axes", axes);
    char *units = attr_string(ds, "units");
    assert_true(strlen(units) > 0);
    free(units);
    double *v = malloc(n * sizeof *v);
    assert_non_null(v);
    assert_true(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Sclose(space);
    H5Dclose(ds);
    return v;
}

/* Checks a [D][A][M][X] dataset (M = 1 for totals) element by element. */
static void assert_block(const double *v, int ds, size_t A, size_t M, size_t X, int has_middle)
{
    for (size_t d = 0; d < NDRAWS; d++)
        for (size_t a = 0; a < A; a++)
            for (size_t t = 0; t < M; t++)
                for (size_t x = 0; x < X; x++)
                    assert_near(v[((d * A + a) * M + t) * X + x],
                                        value(ds, d, a, has_middle ? t : 0, x), 0.0);
}

static void test_roundtrip_plain_hdf5(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    char path[256];
    temp_path(path, sizeof path, "plain");
    write_file(m, path, 0);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);

    uint64_t seed = 0;
    hid_t a = H5Aopen(f, "seed", H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, H5T_NATIVE_UINT64, &seed) >= 0);
    H5Aclose(a);
    assert_true(seed == meta.seed);
    long draws = 0;
    a = H5Aopen(f, "draws", H5P_DEFAULT);
    assert_true(H5Aread(a, H5T_NATIVE_LONG, &draws) >= 0);
    H5Aclose(a);
    assert_int_equal(draws, NDRAWS);
    assert_near(attr_double(f, "discount_rate_costs"), 0.03, 0.0);
    assert_near(attr_double(f, "discount_rate_effects"), 0.015, 0.0);
    assert_near(attr_double(f, "horizon_years"), 4.0, 0.0);
    assert_near(attr_double(f, "ncycles"), 4.0, 0.0);
    assert_near(attr_double(f, "price_year"), 2024.0, 0.0);
    assert_attr_string(f, "currency", "EUR");
    assert_attr_string(f, "scenario_text", m->text);
    assert_attr_string(f, "scenario_name", "support-small");
    assert_attr_string(f, "mkba_version", MKBA_VERSION);
    assert_attr_string(f, "mode", "microsimulation");
    assert_attr_string(f, "base_case", "mean");
    assert_attr_string(f, "occupancy", "start");
    assert_attr_string(f, "correction", "none");
    assert_attr_string(f, "discount_time", "start");
    assert_attr_string(f, "reference_arm", "usual");
    char *note = attr_string(f, "units_note");
    assert_non_null(strstr(note, "money in EUR at 2024 prices"));
    free(note);
    char *created = attr_string(f, "created");
    assert_int_equal(strlen(created), 20); /* 2026-01-31T12:00:00Z */
    assert_int_equal(created[10], 'T');
    assert_int_equal(created[19], 'Z');
    free(created);

    static const char *const arms[] = { "usual", "integrated" };
    static const char *const payers[] = { "municipality", "insurer", "housing" };
    static const char *const effects[] = { "qaly", "income" };
    static const char *const units[] = { "QALY", "EUR" };
    static const char *const domains[] = { "debt", "housing" };
    static const char *const states[] = { "debt/none", "debt/light", "debt/severe",
                                          "housing/stable", "housing/unstable",
                                          "housing/evicted" };
    static const char *const params[] = { "p_worse", "p_recover", "cost_severe",
                                          "cost_programme", "cost_eviction", "u_alive",
                                          "income_none" };
    static const char *const sources[] = { "assumption", "assumption", "test fixture",
                                           "test fixture", "", "assumption", "" };
    assert_labels(f, "arms", arms, 2);
    assert_labels(f, "payers", payers, 3);
    assert_labels(f, "effects", effects, 2);
    assert_labels(f, "effect_units", units, 2);
    assert_labels(f, "domains", domains, 2);
    assert_labels(f, "states", states, 6);
    assert_labels(f, "parameters", params, SUPPORT_NPARAMS);
    assert_labels(f, "parameter_sources", sources, SUPPORT_NPARAMS);
    int monetary[2] = { -1, -1 };
    hid_t ds = H5Dopen2(f, "/labels/effect_monetary", H5P_DEFAULT);
    assert_true(H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, monetary) >= 0);
    H5Dclose(ds);
    assert_int_equal(monetary[0], 0);
    assert_int_equal(monetary[1], 1);

    const hsize_t cost[4] = { NDRAWS, 2, 4, 3 }, effect[4] = { NDRAWS, 2, 4, 2 };
    const hsize_t occ[4] = { NDRAWS, 2, 5, 6 }, ctot[3] = { NDRAWS, 2, 3 };
    const hsize_t etot[3] = { NDRAWS, 2, 2 }, par[3] = { NDRAWS, 2, SUPPORT_NPARAMS };
    struct { const char *name; int rank; const hsize_t *dims; const char *axes;
             size_t M, X; } check[] = {
        { "cost", 4, cost, "draw,arm,cycle,payer", 4, 3 },
        { "cost_discounted", 4, cost, "draw,arm,cycle,payer", 4, 3 },
        { "effect", 4, effect, "draw,arm,cycle,effect", 4, 2 },
        { "effect_discounted", 4, effect, "draw,arm,cycle,effect", 4, 2 },
        { "occupancy", 4, occ, "draw,arm,time,state", 5, 6 },
        { "cost_total", 3, ctot, "draw,arm,payer", 1, 3 },
        { "cost_total_discounted", 3, ctot, "draw,arm,payer", 1, 3 },
        { "effect_total", 3, etot, "draw,arm,effect", 1, 2 },
        { "effect_total_discounted", 3, etot, "draw,arm,effect", 1, 2 },
        { "parameters", 3, par, "draw,arm,parameter", 1, SUPPORT_NPARAMS },
    };
    for (int i = 0; i < 10; i++) {
        double *v = read_dataset(f, check[i].name, check[i].rank, check[i].dims, check[i].axes);
        assert_block(v, i, 2, check[i].M, check[i].X, check[i].rank == 4);
        free(v);
    }
    /* Spot checks written out by hand: draw 2, arm 1, cycle 3 (index 2),
     * payer 1 of cost; draw 0, arm 0, time 4, state 5 of occupancy. */
    double *v = read_dataset(f, "cost", 4, cost, "draw,arm,cycle,payer");
    assert_near(v[((2 * 2 + 1) * 4 + 2) * 3 + 1], 2121.125, 0.0);
    free(v);
    v = read_dataset(f, "occupancy", 4, occ, "draw,arm,time,state");
    assert_near(v[(0 * 5 + 4) * 6 + 5], 400045.125, 0.0);
    free(v);

    long long index[NDRAWS] = { -1, -1, -1 };
    ds = H5Dopen2(f, "/draws/draw_index", H5P_DEFAULT);
    assert_true(H5Dread(ds, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, index) >= 0);
    H5Dclose(ds);
    assert_int_equal(index[0], 0);
    assert_int_equal(index[1], 7);
    assert_int_equal(index[2], 2);

    H5Fclose(f);
    remove(path);
    mkba_model_free(m);
}

static void test_read_totals(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    char path[256];
    temp_path(path, sizeof path, "totals");
    write_file(m, path, 0);

    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_totals *t = NULL;
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    assert_non_null(t);
    assert_int_equal(t->ndraws, NDRAWS);
    assert_int_equal(t->narms, 2);
    assert_int_equal(t->npayers, 3);
    assert_int_equal(t->neffects, 2);
    assert_int_equal(t->ncycles, 4);
    assert_string_equal(t->arm[1], "integrated");
    assert_string_equal(t->payer[2], "housing");
    assert_string_equal(t->effect[1], "income");
    assert_string_equal(t->effect_unit[0], "QALY");
    assert_int_equal(t->effect_monetary[0], 0);
    assert_int_equal(t->effect_monetary[1], 1);
    assert_int_equal(t->reference, 0);
    assert_near(t->cycle_years, 1.0, 0.0);
    assert_string_equal(t->currency, "EUR");
    assert_int_equal(t->price_year, 2024);
    assert_near(t->rate_costs, 0.03, 0.0);
    assert_near(t->rate_effects, 0.015, 0.0);
    assert_block(t->cost_undisc, 0, 2, 4, 3, 1);
    assert_block(t->cost_disc, 1, 2, 4, 3, 1);
    assert_block(t->effect_undisc, 2, 2, 4, 2, 1);
    assert_block(t->effect_disc, 3, 2, 4, 2, 1);
    assert_block(t->cost_total, 5, 2, 1, 3, 0);
    assert_block(t->cost_total_disc, 6, 2, 1, 3, 0);
    assert_block(t->effect_total, 7, 2, 1, 2, 0);
    assert_block(t->effect_total_disc, 8, 2, 1, 2, 0);
    mkba_h5_totals_free(t);
    mkba_h5_totals_free(NULL);
    remove(path);
    mkba_model_free(m);
}

static void test_exists_needs_force(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    char path[256];
    temp_path(path, sizeof path, "exists");
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("old results\n", fp);
    fclose(fp);

    mkba_error err;
    mkba_error_clear(&err);
    assert_null(mkba_h5_create(path, 0, m, &meta, NDRAWS, &err));
    assert_int_equal(err.code, MKBA_EEXIST);
    char want[600];
    snprintf(want, sizeof want, "%s exists; use --force to overwrite", path);
    assert_string_equal(err.message, want);
    assert_false(tmp_exists(path));
    char line[64] = "";
    fp = fopen(path, "r");
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof line, fp));
    fclose(fp);
    assert_string_equal(line, "old results\n");

    /* With force the old file is replaced by a readable result file. */
    write_file(m, path, 1);
    mkba_h5_totals *t = NULL;
    mkba_error_clear(&err);
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    assert_int_equal(t->ndraws, NDRAWS);
    mkba_h5_totals_free(t);
    remove(path);
    mkba_model_free(m);
}

static void test_abort_leaves_nothing(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    char path[256];
    temp_path(path, sizeof path, "abort");
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_writer *w = mkba_h5_create(path, 0, m, &meta, NDRAWS, &err);
    assert_non_null(w);
    mkba_draw_result *r = mkba_draw_result_alloc(m);
    fill_draw(r, 0);
    assert_int_equal(mkba_h5_write_draw(w, 0, r, &err), MKBA_OK);
    /* Out of range and misshapen draws are refused. */
    assert_int_equal(mkba_h5_write_draw(w, NDRAWS, r, &err), MKBA_EINTERNAL);
    mkba_error_clear(&err);
    r->npayers = 2;
    assert_int_equal(mkba_h5_write_draw(w, 1, r, &err), MKBA_EINTERNAL);
    r->npayers = 3;
    mkba_error_clear(&err);
    assert_int_equal(mkba_h5_close(w, 0, &err), MKBA_OK);
    assert_false(exists(path));
    assert_false(tmp_exists(path));

    /* Committing with a draw never written is a bug in the caller: refused,
     * and nothing is left behind. */
    w = mkba_h5_create(path, 0, m, &meta, NDRAWS, &err);
    assert_non_null(w);
    assert_int_equal(mkba_h5_write_draw(w, 0, r, &err), MKBA_OK);
    assert_int_equal(mkba_h5_write_draw(w, 2, r, &err), MKBA_OK);
    assert_int_equal(mkba_h5_close(w, 1, &err), MKBA_EINTERNAL);
    assert_non_null(strstr(err.message, "draw 1 of 3"));
    assert_false(exists(path));
    assert_false(tmp_exists(path));
    assert_int_equal(mkba_h5_close(NULL, 1, &err), MKBA_OK);
    mkba_draw_result_free(r);
    mkba_model_free(m);
}

static void test_missing_directory(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    char path[256];
    snprintf(path, sizeof path, "/tmp/mkba_test_h5_%ld_nodir/sub/out.h5", (long)getpid());
    mkba_error err;
    mkba_error_clear(&err);
    assert_null(mkba_h5_create(path, 0, m, &meta, NDRAWS, &err));
    assert_int_equal(err.code, MKBA_EIO);
    assert_non_null(strstr(err.message, path));
    mkba_model_free(m);
}

static void test_scenario_text_over_64k(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    size_t n = 150000;
    char *text = malloc(n + 1);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        text[i] = (i % 61 == 60) ? '\n' : (char)('a' + i % 26);
    text[n] = '\0';
    free(m->text);
    m->text = text;
    char path[256];
    temp_path(path, sizeof path, "bigtext");
    write_file(m, path, 0);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_attr_string(f, "scenario_text", text);
    H5Fclose(f);
    remove(path);
    mkba_model_free(m);
}

/* The decision settings: derived perspectives (the "gemeente" rule without
 * payer_def, a colliding payer name prefixed), the default wtp grid, and
 * the run facts read back into the totals. mkba_h5_finish ends the draws. */
/* Root attributes as another tool may write a seed
 * (test_settings_and_finish). */
static void write_odd_seeds(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    static uint64_t many[4096];
    hsize_t n = sizeof many / sizeof many[0];
    hid_t space = H5Screate_simple(1, &n, NULL), scalar = H5Screate(H5S_SCALAR);
    int64_t negative = -5, positive = 7;
    double real = 3.0;
    hid_t a = H5Acreate2(f, "seed_array", H5T_STD_U64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0 && H5Awrite(a, H5T_NATIVE_UINT64, many) >= 0);
    H5Aclose(a);
    a = H5Acreate2(f, "seed_negative", H5T_STD_I64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0 && H5Awrite(a, H5T_NATIVE_INT64, &negative) >= 0);
    H5Aclose(a);
    a = H5Acreate2(f, "seed_signed", H5T_STD_I64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0 && H5Awrite(a, H5T_NATIVE_INT64, &positive) >= 0);
    H5Aclose(a);
    a = H5Acreate2(f, "seed_double", H5T_IEEE_F64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0 && H5Awrite(a, H5T_NATIVE_DOUBLE, &real) >= 0);
    H5Aclose(a);
    H5Sclose(space);
    H5Sclose(scalar);
    assert_true(H5Fclose(f) >= 0);
}

/* The root attribute seed replaced by the string "42". */
static void replace_seed_with_string(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0 && H5Adelete(f, "seed") >= 0);
    hid_t type = H5Tcopy(H5T_C_S1), scalar = H5Screate(H5S_SCALAR);
    assert_true(H5Tset_size(type, 3) >= 0);
    hid_t a = H5Acreate2(f, "seed", type, scalar, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0 && H5Awrite(a, type, "42") >= 0);
    H5Aclose(a);
    H5Tclose(type);
    H5Sclose(scalar);
    assert_true(H5Fclose(f) >= 0);
}

static void test_settings_and_finish(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    free(m->payer[1]);
    m->payer[1] = strdup("gemeente-wmo");
    assert_non_null(m->payer[1]);
    char path[256];
    temp_path(path, sizeof path, "settings");
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_writer *w = mkba_h5_create(path, 0, m, &meta, NDRAWS, &err);
    assert_non_null(w);
    mkba_draw_result *r = mkba_draw_result_alloc(m);
    assert_non_null(r);
    for (size_t d = 0; d < NDRAWS; d++) {
        fill_draw(r, d);
        assert_int_equal(mkba_h5_write_draw(w, d, r, &err), MKBA_OK);
    }
    assert_int_equal(mkba_h5_finish(w, &err), MKBA_OK);
    assert_int_equal(mkba_h5_finish(w, &err), MKBA_OK);
    assert_int_equal(mkba_h5_write_draw(w, 0, r, &err), MKBA_EINTERNAL);
    mkba_error_clear(&err);
    assert_int_equal(mkba_h5_set_draw_index(w, 0, 3, &err), MKBA_EINTERNAL);
    mkba_error_clear(&err);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_string_equal(mkba_h5_tmp_path(w), tmp);
    assert_int_equal(mkba_h5_close(w, 1, &err), MKBA_OK);
    mkba_draw_result_free(r);

    mkba_h5_totals *t = NULL;
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    static const char *const want[] = { "society", "municipality", "payer:municipality",
                                        "gemeente-wmo", "housing" };
    assert_int_equal(t->nperspectives, 5);
    for (size_t k = 0; k < 5; k++)
        assert_string_equal(t->perspective[k], want[k]);
    /* municipality = the payers named gemeente*: payer 1 only. */
    static const int mask[5][3] = { { 1, 1, 1 }, { 0, 1, 0 }, { 1, 0, 0 }, { 0, 1, 0 },
                                    { 0, 0, 1 } };
    for (size_t k = 0; k < 5; k++)
        for (size_t p = 0; p < 3; p++)
            assert_int_equal(t->perspective_payers[k * 3 + p], mask[k][p]);
    assert_int_equal(t->payer_municipal[0], 0);
    assert_int_equal(t->payer_municipal[1], 1);
    assert_int_equal(t->effect_payer[1], -1);
    assert_int_equal(t->effect_lower_is_better[0], 0);
    assert_int_equal(t->nwtp, MKBA_DEFAULT_NWTP);
    assert_near(t->wtp[2], mkba_default_wtp[2], 0.0);
    assert_int_equal(t->primary_effect, 0);
    assert_int_equal(t->npm, 0);
    assert_string_equal(t->scenario_name, "support-small");
    assert_string_equal(t->base_case, "mean");
    assert_int_equal(t->draws, NDRAWS);
    assert_null(t->analysis_status);      /* committed without analyses */
    mkba_h5_totals_free(t);

    /* The seed, above 2^63, reads back whole; an absent attribute is not
     * found; a string attribute is no number. */
    mkba_h5_store *st = mkba_h5_store_open(path, 0, &err);
    assert_non_null(st);
    uint64_t seed = 0;
    int found = -1;
    assert_int_equal(mkba_h5_store_read_attr_u64(st, "/", "seed", &seed, &found, &err), MKBA_OK);
    assert_int_equal(found, 1);
    assert_true(seed == meta.seed);
    assert_int_equal(mkba_h5_store_read_attr_u64(st, "/", "no_such", &seed, &found, &err),
                     MKBA_OK);
    assert_int_equal(found, 0);
    assert_int_equal(mkba_h5_store_read_attr_u64(st, "/nowhere", "seed", &seed, &found, &err),
                     MKBA_OK);
    assert_int_equal(found, 0);
    assert_int_equal(mkba_h5_store_read_attr_u64(st, "/", "mode", &seed, &found, &err),
                     MKBA_EPARSE);
    assert_non_null(strstr(err.message, "cannot read attribute mode of / as one whole number "
                                        ">= 0: it is a string"));
    mkba_error_clear(&err);
    assert_int_equal(mkba_h5_store_close(st, &err), MKBA_OK);

    /* Seeds another tool may write: an array (read as one number, HDF5
     * would write all of it into *out), a negative signed number (read as
     * unsigned it became 0), a real, and a non-negative signed one (read
     * whole). */
    write_odd_seeds(path);
    st = mkba_h5_store_open(path, 0, &err);
    assert_non_null(st);
    static const struct { const char *name, *why; } bad[] = {
        { "seed_array", "it holds no value or more than one" },
        { "seed_negative", "it is negative" },
        { "seed_double", "it is not an integer" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t guard[2] = { 11, 12 };
        found = -1;
        assert_int_equal(mkba_h5_store_read_attr_u64(st, "/", bad[i].name, &guard[0], &found,
                                                     &err), MKBA_EPARSE);
        assert_int_equal(found, 0);
        assert_true(guard[0] == 11 && guard[1] == 12);
        assert_non_null(strstr(err.message, bad[i].why));
        assert_non_null(strstr(err.message, bad[i].name));
        mkba_error_clear(&err);
    }
    assert_int_equal(mkba_h5_store_read_attr_u64(st, "/", "seed_signed", &seed, &found, &err),
                     MKBA_OK);
    assert_int_equal(found, 1);
    assert_true(seed == 7);
    assert_int_equal(mkba_h5_store_close(st, &err), MKBA_OK);

    /* The report's run facts leave out a seed written as a string, saying
     * why, instead of failing the whole report. */
    replace_seed_with_string(path);
    mkba_run_facts rf;
    assert_int_equal(mkba_run_facts_read(path, &rf), MKBA_OK);
    assert_int_equal(rf.has_seed, 0);
    assert_non_null(strstr(rf.seed_problem, "attribute seed of / as one whole number >= 0: "
                                            "it is a string"));
    assert_string_not_equal(rf.version, "");
    remove(path);
    mkba_model_free(m);
}

static void test_read_errors(void **state)
{
    (void)state;
    char path[256];
    mkba_error err;
    mkba_h5_totals *t = NULL;

    temp_path(path, sizeof path, "missing");
    mkba_error_clear(&err);
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_EIO);
    assert_null(t);
    assert_non_null(strstr(err.message, path));

    temp_path(path, sizeof path, "text");
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("not hdf5 at all\n", fp);
    fclose(fp);
    mkba_error_clear(&err);
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_EPARSE);
    assert_null(t);
    assert_non_null(strstr(err.message, "is not an mkba result file"));
    remove(path);

    /* An HDF5 file of some other program. */
    temp_path(path, sizeof path, "foreign");
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t g = H5Gcreate2(f, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(g);
    H5Fclose(f);
    mkba_error_clear(&err);
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_EPARSE);
    char want[600];
    snprintf(want, sizeof want, "%s is not an mkba result file (missing /draws/cost_total)", path);
    assert_string_equal(err.message, want);
    remove(path);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as mkba.h asks of every program */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_plain_hdf5),
        cmocka_unit_test(test_read_totals),
        cmocka_unit_test(test_exists_needs_force),
        cmocka_unit_test(test_abort_leaves_nothing),
        cmocka_unit_test(test_missing_directory),
        cmocka_unit_test(test_scenario_text_over_64k),
        cmocka_unit_test(test_settings_and_finish),
        cmocka_unit_test(test_read_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
