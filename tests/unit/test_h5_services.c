/* The result file's cost categories, escalations and service outputs
 * (issue 3): write draws whose every number encodes its position into a
 * file for a small model with and without services, read them back with
 * the plain HDF5 library and with mkba_h5_read_totals. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "core/strutil.h"
#include "io/h5out.h"
#include "support.h"

#define NDRAWS 2
#define NSVC 8

/* The service arrays of a result in the order of /draws/services below. */
static const char *const svc_name[NSVC] = {
    "arrivals", "reached", "self_resolved", "in_care", "queue", "mean_wait", "detected",
    "fte_used"
};

static double *svc_array(const mkba_draw_result *r, int i)
{
    double *const a[NSVC] = { r->svc_arrivals, r->svc_reached, r->svc_self_resolved,
                              r->svc_in_care, r->svc_queue, r->svc_mean_wait,
                              r->svc_detected, r->svc_fte_used };
    return a[i];
}

/* Every position of every dataset gets its own number: `ds` numbers the
 * array (0, 1: cost by category undiscounted and discounted, 2:
 * escalations, 10 + i: service array i). */
static double value(int ds, size_t d, size_t a, size_t t, size_t x)
{
    return 100000.0 * ds + 1000.0 * d + 100.0 * a + 10.0 * t + x + 0.375;
}

/* The mean wait is NaN where nobody was admitted: here cycle 2 of arm 0. */
static int no_admission(size_t a, size_t t)
{
    return a == 0 && t == 1;
}

static void fill_draw(mkba_draw_result *r, size_t d)
{
    size_t A = r->narms, T = r->ncycles, C = r->ncategories, N = r->ndomains;
    for (size_t a = 0; a < A; a++)
        for (size_t t = 0; t < T; t++) {
            for (size_t c = 0; c < C; c++) {
                r->cost_category[(a * T + t) * C + c] = value(0, d, a, t, c);
                r->cost_category_disc[(a * T + t) * C + c] = value(1, d, a, t, c);
            }
            for (size_t k = 0; k < N; k++)
                r->escalations[(a * T + t) * N + k] = value(2, d, a, t, k);
            for (int i = 0; r->services && i < NSVC; i++)
                svc_array(r, i)[a * T + t] = i == 5 && no_admission(a, t)
                                             ? NAN : value(10 + i, d, a, t, 0);
        }
}

/* The support model with three cost categories and, when `services` is
 * set, two teams and a classic and a broad (model A, full) pathway. The
 * team and population value indices point at existing parameters: the
 * file stores which parameter, not its meaning. */
static mkba_model *model_with(int services)
{
    mkba_model *m = support_model_small();
    assert_non_null(m);
    static const char *const cat[3] = { "other", "team", "first line" };
    m->category = calloc(3, sizeof *m->category);
    assert_non_null(m->category);
    for (size_t c = 0; c < 3; c++) {
        m->category[c] = mkba_strdup(cat[c]);
        assert_non_null(m->category[c]);
        m->ncategories = c + 1;
    }
    if (!services)
        return m;
    mkba_services *sv = &m->services;
    sv->enabled = 1;
    sv->population = SUPPORT_COST_EVICTION;
    const double w[MKBA_NDEGREES] = { 0.0, 0.25, 0.625, 1.0 };
    memcpy(sv->degree_weight, w, sizeof w);
    sv->team[0].name = mkba_strdup("wijkteam");
    sv->team[0].domains = 3u;
    sv->team[0].fte = SUPPORT_P_RECOVER;
    sv->team[1].name = mkba_strdup("schuldhulp");
    sv->team[1].domains = 1u;
    sv->team[1].fte = SUPPORT_COST_SEVERE;
    assert_non_null(sv->team[0].name);
    assert_non_null(sv->team[1].name);
    sv->nteams = 2;
    sv->pathway[0].rule = MKBA_ROUTE_CLASSIC;
    sv->pathway[0].degree = MKBA_DEGREE_NONE;
    sv->pathway[0].team = -1;
    sv->pathway[1].rule = MKBA_ROUTE_BROAD;
    sv->pathway[1].degree = MKBA_DEGREE_FULL;
    sv->pathway[1].team = 0;
    return m;
}

static void temp_path(char *buf, size_t size, const char *tag)
{
    snprintf(buf, size, "/tmp/mkba_test_h5_services_%ld_%s.h5", (long)getpid(), tag);
    remove(buf);
}

static const mkba_run_meta meta = {
    .seed = 7, .draws = NDRAWS, .households = 100, .threads = 1,
    .mode = "microsimulation", .base_case = "mean"
};

/* Writes NDRAWS draws in reverse order and commits, as described by
 * run (deflated or not). */
static void write_file_as(const mkba_model *m, const char *path, const mkba_run_meta *run)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_writer *w = mkba_h5_create(path, 1, m, run, NDRAWS, &err);
    assert_non_null(w);
    mkba_draw_result *r = mkba_draw_result_alloc(m);
    assert_non_null(r);
    for (size_t i = NDRAWS; i-- > 0;) {
        fill_draw(r, i);
        assert_int_equal(mkba_h5_write_draw(w, i, r, &err), MKBA_OK);
    }
    mkba_draw_result_free(r);
    assert_int_equal(mkba_h5_close(w, 1, &err), MKBA_OK);
}

static void write_file(const mkba_model *m, const char *path)
{
    write_file_as(m, path, &meta);
}

static char *attr_string(hid_t obj, const char *name)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    size_t n = H5Tget_size(t);
    char *s = calloc(n + 1, 1);
    assert_non_null(s);
    assert_true(H5Aread(a, t, s) >= 0);
    H5Tclose(t);
    H5Aclose(a);
    return s;
}

static void assert_attr(hid_t obj, const char *name, const char *want)
{
    char *s = attr_string(obj, name);
    if (strcmp(s, want) != 0)
        print_error("attribute %s: \"%s\" != \"%s\"\n", name, s, want);
    assert_string_equal(s, want);
    free(s);
}

/* Reads dataset `name` of f, checking its shape is dims[0..rank), as
 * doubles (a new array). */
static double *read_doubles(hid_t f, const char *name, int rank, const hsize_t *dims)
{
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(ds >= 0);
    hid_t space = H5Dget_space(ds);
    assert_int_equal(H5Sget_simple_extent_ndims(space), rank);
    hsize_t have[4];
    H5Sget_simple_extent_dims(space, have, NULL);
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        assert_int_equal(have[i], dims[i]);
        n *= dims[i];
    }
    double *v = malloc((n > 0 ? n : 1) * sizeof *v);
    assert_non_null(v);
    assert_true(n == 0 || H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Sclose(space);
    H5Dclose(ds);
    return v;
}

/* Checks /labels/NAME holds exactly want[0..n) (fixed-length strings). */
static void assert_labels(hid_t f, const char *name, const char *const *want, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "/labels/%s", name);
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    assert_true(ds >= 0);
    hid_t t = H5Dget_type(ds), space = H5Dget_space(ds);
    assert_int_equal(H5Sget_simple_extent_npoints(space), (hssize_t)n);
    size_t width = H5Tget_size(t);
    char *buf = calloc(n > 0 ? n : 1, width);
    assert_non_null(buf);
    assert_true(n == 0 || H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    for (size_t i = 0; i < n; i++) {
        char got[256] = "";
        memcpy(got, buf + i * width, width < sizeof got - 1 ? width : sizeof got - 1);
        assert_string_equal(got, want[i]);
    }
    free(buf);
    H5Sclose(space);
    H5Tclose(t);
    H5Dclose(ds);
}

/* The cost by category and the escalations: shapes, every value, units. */
static void check_categories_and_escalations(hid_t f, const mkba_model *m)
{
    size_t A = m->narms, T = (size_t)m->timing.ncycles, C = m->ncategories, N = m->ndomains;
    static const char *const name[3] = { "/draws/cost_category",
                                         "/draws/cost_category_discounted",
                                         "/draws/escalations" };
    for (int k = 0; k < 3; k++) {
        size_t X = k < 2 ? C : N;
        hsize_t dims[4] = { NDRAWS, A, T, X };
        double *v = read_doubles(f, name[k], 4, dims);
        for (size_t d = 0; d < NDRAWS; d++)
            for (size_t a = 0; a < A; a++)
                for (size_t t = 0; t < T; t++)
                    for (size_t x = 0; x < X; x++)
                        assert_true(v[((d * A + a) * T + t) * X + x] == value(k, d, a, t, x));
        free(v);
        hid_t ds = H5Dopen2(f, name[k], H5P_DEFAULT);
        assert_attr(ds, "axes", k < 2 ? "draw,arm,cycle,category" : "draw,arm,cycle,domain");
        assert_attr(ds, "units", k < 2 ? "EUR at 2024 prices per starting household"
                                       : "1 (entries per starting household)");
        char *desc = attr_string(ds, "description");
        assert_true(strlen(desc) > 20);
        free(desc);
        H5Dclose(ds);
    }
    static const char *const cat[3] = { "other", "team", "first line" };
    assert_labels(f, "cost_categories", cat, 3);
}

static void test_services_written(void **state)
{
    (void)state;
    mkba_model *m = model_with(1);
    char path[256];
    temp_path(path, sizeof path, "with");
    write_file(m, path);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    check_categories_and_escalations(f, m);

    size_t A = m->narms, T = (size_t)m->timing.ncycles;
    hsize_t dims[3] = { NDRAWS, A, T };
    for (int i = 0; i < NSVC; i++) {
        char name[64];
        snprintf(name, sizeof name, "/draws/services/%s", svc_name[i]);
        double *v = read_doubles(f, name, 3, dims);
        for (size_t d = 0; d < NDRAWS; d++)
            for (size_t a = 0; a < A; a++)
                for (size_t t = 0; t < T; t++) {
                    double got = v[(d * A + a) * T + t];
                    if (i == 5 && no_admission(a, t))
                        assert_true(isnan(got));
                    else
                        assert_true(got == value(10 + i, d, a, t, 0));
                }
        free(v);
        hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
        assert_attr(ds, "axes", "draw,arm,cycle");
        const char *units = i == 5 ? "years"
                            : i == 7 ? "FTE (full-time equivalents) for services.population"
                            : i == 6 ? "1 (problems per starting household)"
                            : "1 (households per starting household)";
        assert_attr(ds, "units", units);
        H5Dclose(ds);
    }

    hid_t g = H5Gopen2(f, "/draws/services", H5P_DEFAULT);
    assert_true(g >= 0);
    assert_attr(g, "population_parameter", "cost_eviction");
    int pop = -2;
    hid_t at = H5Aopen(g, "population_parameter_index", H5P_DEFAULT);
    assert_true(at >= 0 && H5Aread(at, H5T_NATIVE_INT, &pop) >= 0);
    H5Aclose(at);
    assert_int_equal(pop, SUPPORT_COST_EVICTION);
    H5Gclose(g);

    static const char *const teams[2] = { "wijkteam", "schuldhulp" };
    static const char *const rule[2] = { "classic", "broad" };
    static const char *const degree[2] = { "none", "full" };
    static const char *const team[2] = { "", "wijkteam" };
    static const char *const degrees[4] = { "none", "limited", "partial", "full" };
    assert_labels(f, "teams", teams, 2);
    assert_labels(f, "pathway_rule", rule, 2);
    assert_labels(f, "pathway_degree", degree, 2);
    assert_labels(f, "pathway_team", team, 2);
    assert_labels(f, "degrees", degrees, 4);
    hsize_t d4[1] = { MKBA_NDEGREES };
    double *w = read_doubles(f, "/labels/degree_weights", 1, d4);
    assert_true(w[0] == 0.0 && w[1] == 0.25 && w[2] == 0.625 && w[3] == 1.0);
    free(w);
    hsize_t dtd[2] = { 2, 2 };
    double *td = read_doubles(f, "/labels/team_domains", 2, dtd);
    assert_true(td[0] == 1 && td[1] == 1 && td[2] == 1 && td[3] == 0);
    free(td);
    hsize_t dt[1] = { 2 };
    double *fte = read_doubles(f, "/labels/team_fte_parameter", 1, dt);
    assert_true(fte[0] == SUPPORT_P_RECOVER && fte[1] == SUPPORT_COST_SEVERE);
    free(fte);
    H5Fclose(f);

    /* The reader used by `mkba summary` takes the categories along. */
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_totals *t = NULL;
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    assert_int_equal(t->services, 1);
    assert_int_equal(t->ncategories, 3);
    assert_string_equal(t->category[2], "first line");
    size_t C = 3;
    assert_true(t->cost_category_disc[((1 * A + 1) * T + 3) * C + 2] == value(1, 1, 1, 3, 2));
    assert_true(t->cost_category_undisc[((0 * A + 1) * T + 2) * C + 0] == value(0, 0, 1, 2, 0));
    mkba_h5_totals_free(t);

    remove(path);
    mkba_model_free(m);
}

/* Without services: categories and escalations still written, no service
 * group or service labels, and the reader accepts the file. */
static void test_without_services(void **state)
{
    (void)state;
    mkba_model *m = model_with(0);
    char path[256];
    temp_path(path, sizeof path, "without");
    write_file(m, path);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    check_categories_and_escalations(f, m);
    assert_true(H5Lexists(f, "/draws/services", H5P_DEFAULT) == 0);
    assert_true(H5Lexists(f, "/labels/teams", H5P_DEFAULT) == 0);
    assert_true(H5Lexists(f, "/labels/pathway_rule", H5P_DEFAULT) == 0);
    H5Fclose(f);

    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_totals *t = NULL;
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    assert_int_equal(t->services, 0);
    assert_int_equal(t->ncategories, 3);
    mkba_h5_totals_free(t);
    remove(path);
    mkba_model_free(m);
}

static support_filters file_filters(const char *path)
{
    support_filters c = { 0, 0, 0 };
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_true(H5Ovisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, support_count_filters, &c) >= 0);
    H5Fclose(f);
    return c;
}

/* Every file a user keeps has its per-draw datasets deflated (when the
 * library has the filter); a file written uncompressed (the refinement's
 * scratch file, mkba_run_meta.uncompressed) has no filter on any, and
 * the same values. */
static void test_uncompressed(void **state)
{
    (void)state;
    mkba_model *m = model_with(1);
    char plain[256], raw[256];
    temp_path(plain, sizeof plain, "deflated");
    temp_path(raw, sizeof raw, "uncompressed");
    mkba_run_meta as_raw = meta;
    as_raw.uncompressed = 1;
    write_file(m, plain);
    write_file_as(m, raw, &as_raw);
    support_filters a = file_filters(plain), b = file_filters(raw);
    print_message("deflated file: %d of %d per-draw datasets deflated; uncompressed file: %d "
                  "of %d filtered\n", a.deflated, a.datasets, b.filtered, b.datasets);
    assert_true(a.datasets >= 3 + NSVC);
    assert_int_equal(b.datasets, a.datasets);
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0)
        assert_int_equal(a.deflated, a.datasets);
    assert_int_equal(b.filtered, 0);
    /* The same values: each file's every number encodes its position. */
    hid_t f = H5Fopen(raw, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    check_categories_and_escalations(f, m);
    H5Fclose(f);
    remove(plain);
    remove(raw);
    mkba_model_free(m);
}

/* A result without service arrays cannot be stored in a file that has
 * them, nor one with another number of categories. */
static void test_shape_mismatch(void **state)
{
    (void)state;
    mkba_model *with = model_with(1), *without = model_with(0);
    char path[256];
    temp_path(path, sizeof path, "mismatch");
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_writer *w = mkba_h5_create(path, 1, with, &meta, 1, &err);
    assert_non_null(w);
    mkba_draw_result *r = mkba_draw_result_alloc(without);
    assert_non_null(r);
    assert_int_equal(mkba_h5_write_draw(w, 0, r, &err), MKBA_EINTERNAL);
    assert_non_null(strstr(err.message, "shape"));
    mkba_draw_result_free(r);
    free(without->category[2]);
    without->ncategories = 2;
    without->services.enabled = 1;
    r = mkba_draw_result_alloc(without);
    assert_non_null(r);
    assert_int_equal(mkba_h5_write_draw(w, 0, r, &err), MKBA_EINTERNAL);
    mkba_draw_result_free(r);
    assert_int_equal(mkba_h5_close(w, 0, &err), MKBA_OK);
    mkba_model_free(with);
    mkba_model_free(without);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_services_written),
        cmocka_unit_test(test_without_services),
        cmocka_unit_test(test_shape_mismatch),
        cmocka_unit_test(test_uncompressed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
