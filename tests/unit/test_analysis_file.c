/* The decision outputs in a result file (/analysis) against hand
 * computations: a synthetic file written with the writer from draws with
 * known constant cash flows, read back with the plain HDF5 library and
 * with mkba_decision_load; plus the run's close step (partial runs, an
 * analysis that fails). */
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
#include "analysis/decision.h"
#include "analysis/frontier.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "io/h5out.h"
#include "results/schema.h"
#include "support.h"

#define NDRAWS 4
#define NCYC 4
#define V (1.0 / 1.03)      /* cost discount factor per year, start-of-cycle */
#define W (1.0 / 1.015)     /* effect discount factor */

/* Per-draw QALY gain of the arm per year: the arm is better in two draws
 * and worse in two, so the CEAC is not trivial at a high wtp. */
static const double dq[NDRAWS] = { 0.1, -0.05, 0.02, -0.2 };

static void assert_close_at(double got, double want, double tol, const char *file, int line)
{
    if (!(fabs(got - want) <= tol * (1.0 + fabs(want)))) {
        print_error("got %.17g, want %.17g\n", got, want);
        _fail(file, line);
    }
}
#define assert_close(g, w) assert_close_at((g), (w), 1e-12, __FILE__, __LINE__)

static double vpow(double v, size_t k)
{
    double x = 1.0;
    for (size_t i = 0; i < k; i++)
        x *= v;
    return x;
}

/* The support model with the decision settings filled in by hand:
 * municipality is municipal, income (monetary, gained by nobody in
 * particular) counts as an indirect effect, one scenario perspective
 * "gemeente+zorg" of municipality and insurer, optimism bias 0.2,
 * deadweight 0.1, two PM items. Freed with free_model. */
static mkba_model *make_model(void)
{
    mkba_model *m = support_model_small();
    assert_non_null(m);
    m->payer_def = calloc(m->npayers, sizeof *m->payer_def);
    assert_non_null(m->payer_def);
    for (size_t p = 0; p < m->npayers; p++)
        m->payer_def[p].name = m->payer[p];
    m->payer_def[0].municipal = 1;
    m->effect[0].payer = -1;
    m->effect[1].payer = -1;
    m->effect[1].category = MKBA_CAT_INDIRECT;
    /* One cost category, "programme": the insurer's year-1 cost of the arm
     * is its project cost (fill_draw). */
    assert_int_equal(m->ncategories, 0);
    m->category = mkba_malloc(sizeof *m->category);
    assert_non_null(m->category);
    m->category[0] = mkba_strdup("programme");
    m->ncategories = 1;
    mkba_analysis *an = &m->analysis;
    an->nperspectives = 1;
    an->perspective = calloc(1, sizeof *an->perspective);
    assert_non_null(an->perspective);
    an->perspective[0].name = "gemeente+zorg";
    an->perspective[0].npayers = 2;
    static int payers[2] = { 0, 1 };
    an->perspective[0].payer = payers;
    static double wtp[3] = { 0.0, 20000.0, 100000.0 };
    an->nwtp = 3;
    an->wtp = wtp;
    an->primary_effect = 0;
    an->population = 1000.0;
    an->population_years = 3;
    an->optimism_bias = 0.2;
    an->deadweight = 0.1;
    static char *pm[2] = { "fewer school drop-outs", "safer streets" };
    an->npm = 2;
    an->pm_item = pm;
    return m;
}

static void free_model(mkba_model *m)
{
    free(m->payer_def);
    m->payer_def = NULL;
    free(m->analysis.perspective);
    memset(&m->analysis, 0, sizeof m->analysis);
    mkba_model_free(m);
}

/* Draw d: the reference ("usual") costs the municipality 1000 a year; the
 * arm ("integrated") costs it 700 a year and the insurer 900 in year 1.
 * QALYs: 1.0 a year in the reference, 1.0 + dq[d] in the arm. Income:
 * 50 a year in the arm only. Housing costs 10 a year in both. The
 * insurer's 900 is the arm's "programme" category: its project cost. */
static void fill_draw(mkba_draw_result *r, size_t d)
{
    size_t A = r->narms, T = r->ncycles, P = r->npayers, E = r->neffects;
    memset(r->occupancy, 0, A * (T + 1) * r->nstates_total * sizeof *r->occupancy);
    memset(r->params, 0, A * r->nparams * sizeof *r->params);
    for (size_t a = 0; a < A; a++) {
        for (size_t p = 0; p < P; p++)
            r->cost_total[a * P + p] = r->cost_total_disc[a * P + p] = 0.0;
        for (size_t e = 0; e < E; e++)
            r->effect_total[a * E + e] = r->effect_total_disc[a * E + e] = 0.0;
        for (size_t k = 0; k < T; k++) {
            double c[3] = { a == 0 ? 1000.0 : 700.0, a == 1 && k == 0 ? 900.0 : 0.0, 10.0 };
            double e[2] = { a == 0 ? 1.0 : 1.0 + dq[d], a == 1 ? 50.0 : 0.0 };
            r->cost_category[a * T + k] = c[1];
            r->cost_category_disc[a * T + k] = c[1] * vpow(V, k);
            for (size_t p = 0; p < P; p++) {
                r->cost[(a * T + k) * P + p] = c[p];
                r->cost_disc[(a * T + k) * P + p] = c[p] * vpow(V, k);
                r->cost_total[a * P + p] += c[p];
                r->cost_total_disc[a * P + p] += c[p] * vpow(V, k);
            }
            for (size_t i = 0; i < E; i++) {
                r->effect[(a * T + k) * E + i] = e[i];
                r->effect_disc[(a * T + k) * E + i] = e[i] * vpow(W, k);
                r->effect_total[a * E + i] += e[i];
                r->effect_total_disc[a * E + i] += e[i] * vpow(W, k);
            }
        }
    }
}

static const mkba_run_meta meta = {
    .seed = 7, .draws = NDRAWS, .households = 100, .threads = 1,
    .mode = "microsimulation", .base_case = "none"
};

static void temp_path(char *buf, size_t size, const char *tag)
{
    snprintf(buf, size, "/tmp/mkba_test_analysis_%ld_%s.h5", (long)getpid(), tag);
    remove(buf);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Writes the synthetic file and its /analysis the way mkba_run does. */
static void write_file(mkba_model *m, const char *path)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_writer *w = mkba_h5_create(path, 1, m, &meta, NDRAWS, &err);
    assert_non_null(w);
    mkba_draw_result *r = mkba_draw_result_alloc(m);
    assert_non_null(r);
    for (size_t d = 0; d < NDRAWS; d++) {
        fill_draw(r, d);
        assert_int_equal(mkba_h5_write_draw(w, d, r, &err), MKBA_OK);
    }
    mkba_draw_result_free(r);
    assert_int_equal(mkba_h5_finish(w, &err), MKBA_OK);
    if (mkba_decision_store(mkba_h5_tmp_path(w), &err) != MKBA_OK)
        fail_msg("%s", err.message);
    assert_int_equal(mkba_h5_close(w, 1, &err), MKBA_OK);
}

/* Reads a double dataset of n values with the plain library. */
static void read_doubles(hid_t f, const char *name, double *v, size_t n)
{
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    if (ds < 0)
        fail_msg("no dataset %s", name);
    hid_t space = H5Dget_space(ds);
    assert_int_equal((size_t)H5Sget_simple_extent_npoints(space), n);
    assert_true(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Sclose(space);
    H5Dclose(ds);
}

static void read_ints(hid_t f, const char *name, int *v, size_t n)
{
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    if (ds < 0)
        fail_msg("no dataset %s", name);
    hid_t space = H5Dget_space(ds);
    assert_int_equal((size_t)H5Sget_simple_extent_npoints(space), n);
    assert_true(H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Sclose(space);
    H5Dclose(ds);
}

enum { K_SOCIETY, K_MUNI, K_P_MUNI, K_INSURER, K_HOUSING, K_OWN, NK };

/* Break-even, payback and NPV per perspective, straight from the file. */
static void test_cashflows_in_file(void **state)
{
    (void)state;
    mkba_model *m = make_model();
    char path[256];
    temp_path(path, sizeof path, "cash");
    write_file(m, path);

    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_totals *t = NULL;
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    assert_string_equal(t->analysis_status, "written");
    assert_int_equal(t->nperspectives, NK);
    static const char *const names[NK] = { "society", "municipality", "payer:municipality",
                                           "insurer", "housing", "gemeente+zorg" };
    for (size_t k = 0; k < NK; k++)
        assert_string_equal(t->perspective[k], names[k]);
    assert_int_equal(t->perspective_payers[K_MUNI * 3 + 0], 1);
    assert_int_equal(t->perspective_payers[K_MUNI * 3 + 1], 0);
    assert_int_equal(t->perspective_payers[K_OWN * 3 + 1], 1);
    assert_int_equal(t->perspective_payers[K_OWN * 3 + 2], 0);
    assert_int_equal(t->primary_effect, 0);
    assert_int_equal(t->npm, 2);
    assert_string_equal(t->pm_item[1], "safer streets");
    assert_close(t->optimism_bias, 0.2);
    assert_string_equal(t->scenario_name, "support-small");
    assert_int_equal(t->draws, NDRAWS);
    assert_int_equal(t->households, 100);
    assert_string_equal(t->mode, "microsimulation");
    mkba_h5_totals_free(t);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    int be[NK * NDRAWS * 2], pb[NK * NDRAWS * 2];
    read_ints(f, "/analysis/cashflow/breakeven_year", be, NK * NDRAWS * 2);
    read_ints(f, "/analysis/cashflow/payback_year", pb, NK * NDRAWS * 2);
    double npv[NK * NDRAWS * 2], cum[NK * NDRAWS * 2 * NCYC], stats[NK * 2 * MKBA_BE_N];
    double by_year[NK * 2 * NCYC];
    read_doubles(f, "/analysis/cashflow/npv_draws", npv, NK * NDRAWS * 2);
    read_doubles(f, "/analysis/cashflow/cumulative_undiscounted", cum, NK * NDRAWS * 2 * NCYC);
    read_doubles(f, "/analysis/cashflow/breakeven", stats, NK * 2 * MKBA_BE_N);
    read_doubles(f, "/analysis/cashflow/breakeven_by_year", by_year, NK * 2 * NCYC);
    H5Fclose(f);

    /* gemeente+zorg: flows -900 + 300, then +300 a year: undiscounted
     * -600, -300, 0, 300 (payback year 3, exactly zero counts); discounted
     * -600, -308.7, -26.0, 248.5 (break-even year 4). */
    double npv_own = -600.0 + 300.0 * (V + V * V + V * V * V);
    /* municipality: +300 every year: break-even year 1. insurer: -900,
     * never. society: also income 50 a year (discounted at W) and equal
     * housing costs. */
    double npv_muni = 300.0 * (1.0 + V + V * V + V * V * V);
    double npv_society = npv_own + 50.0 * (1.0 + W + W * W + W * W * W);
    for (size_t d = 0; d < NDRAWS; d++) {
        size_t i = d * 2 + 1;
        assert_int_equal(be[K_OWN * NDRAWS * 2 + i], 4);
        assert_int_equal(pb[K_OWN * NDRAWS * 2 + i], 3);
        assert_int_equal(be[K_MUNI * NDRAWS * 2 + i], 1);
        assert_int_equal(be[K_INSURER * NDRAWS * 2 + i], MKBA_BREAKEVEN_NEVER);
        assert_int_equal(be[K_HOUSING * NDRAWS * 2 + i], 1);
        assert_int_equal(be[K_OWN * NDRAWS * 2 + d * 2], -1);   /* the reference */
        assert_close(npv[K_OWN * NDRAWS * 2 + i], npv_own);
        assert_close(npv[K_MUNI * NDRAWS * 2 + i], npv_muni);
        assert_close(npv[K_P_MUNI * NDRAWS * 2 + i], npv_muni);
        assert_close(npv[K_INSURER * NDRAWS * 2 + i], -900.0);
        assert_close(npv[K_SOCIETY * NDRAWS * 2 + i], npv_society);
        assert_close(cum[(K_OWN * NDRAWS * 2 + i) * NCYC + 0], -600.0);
        assert_close(cum[(K_OWN * NDRAWS * 2 + i) * NCYC + 3], 300.0);
    }
    const double *own = stats + (K_OWN * 2 + 1) * MKBA_BE_N;
    assert_close(own[MKBA_BE_NEVER], 0.0);
    assert_close(own[MKBA_BE_MEDIAN], 4.0);
    assert_close(stats[(K_INSURER * 2 + 1) * MKBA_BE_N + MKBA_BE_NEVER], 1.0);
    assert_true(isinf(stats[(K_INSURER * 2 + 1) * MKBA_BE_N + MKBA_BE_MEDIAN]));
    assert_true(isnan(stats[(K_OWN * 2 + 0) * MKBA_BE_N + MKBA_BE_MEDIAN]));
    assert_close(by_year[(K_OWN * 2 + 1) * NCYC + 2], 0.0);
    assert_close(by_year[(K_OWN * 2 + 1) * NCYC + 3], 1.0);
    remove(path);
    free_model(m);
}

/* Who pays, frontier, CEAC, EVPI and the MKBA table, through
 * mkba_decision_load (which reads /analysis), against hand computations. */
static void test_decisions_in_file(void **state)
{
    (void)state;
    mkba_model *m = make_model();
    char path[256];
    temp_path(path, sizeof path, "dec");
    write_file(m, path);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_totals *t = NULL;
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    mkba_decision *d = NULL;
    assert_int_equal(mkba_decision_load(path, t, &d, &err), MKBA_OK);
    assert_int_equal(d->nwtp, 3);
    assert_int_equal(d->nyears, NCYC);
    size_t np = 3, nr = np + MKBA_PR_EXTRA;

    /* Payers plus society at large add up to society. */
    const double *pt = d->payer_table + 1 * nr * MKBA_PT_N;
    for (int c = MKBA_PT_INVESTMENT; c <= MKBA_PT_NET; c++) {
        double sum = 0.0;
        for (size_t i = 0; i <= np + MKBA_PR_AT_LARGE; i++)
            sum += pt[i * MKBA_PT_N + (size_t)c];
        assert_close_at(sum, pt[(np + MKBA_PR_SOCIETY) * MKBA_PT_N + (size_t)c], 1e-12,
                        __FILE__, __LINE__);
    }
    double s3 = 1.0 + V + V * V + V * V * V, inc = 50.0 * (1.0 + W + W * W + W * W * W);
    assert_close(pt[0 * MKBA_PT_N + MKBA_PT_NET], 300.0 * s3);           /* municipality */
    assert_close(pt[1 * MKBA_PT_N + MKBA_PT_INVESTMENT], 900.0);         /* insurer */
    assert_close(pt[1 * MKBA_PT_N + MKBA_PT_P_LOSS], 1.0);
    assert_close(pt[(np + MKBA_PR_AT_LARGE) * MKBA_PT_N + MKBA_PT_RETURNS], inc);
    assert_close(pt[(np + MKBA_PR_MUNICIPALITY) * MKBA_PT_N + MKBA_PT_NET], 300.0 * s3);

    /* Frontier on mean net cost and QALYs: the net cost is the payers'
     * costs less the income (a monetary effect of society at large), so
     * the arm is cheaper by 300 s3 + inc - 900 (its NPV for society) and,
     * on average, worse: both arms are on the frontier. */
    double dcost = 900.0 - 300.0 * s3 - inc, dq_mean = 0.0;
    for (size_t k = 0; k < NDRAWS; k++)
        dq_mean += dq[k] / NDRAWS;
    double deff = dq_mean * (1.0 + W + W * W + W * W * W);
    assert_int_equal(d->frontier_status[0], MKBA_FRONTIER_ON);
    assert_int_equal(d->frontier_status[1], MKBA_FRONTIER_ON);
    assert_close_at(d->frontier[1 * MKBA_FR_N + MKBA_FR_INC_COST_REF], dcost, 1e-9, __FILE__,
                    __LINE__);
    assert_close_at(d->frontier[1 * MKBA_FR_N + MKBA_FR_INC_EFFECT_REF], deff, 1e-9, __FILE__,
                    __LINE__);
    /* The cheaper arm (integrated) comes first; usual's ICER is against it. */
    assert_close_at(d->frontier[0 * MKBA_FR_N + MKBA_FR_ICER], -dcost / -deff, 1e-9, __FILE__,
                    __LINE__);

    /* CEAC: sums to 1; at wtp 0 the cheaper arm always wins (EVPI 0). */
    for (size_t w = 0; w < 3; w++)
        assert_close(d->ceac[w * 2] + d->ceac[w * 2 + 1], 1.0);
    assert_close(d->ceac[1], 1.0);
    assert_true(d->evpi[0 * MKBA_EV_N + MKBA_EV_PERSON] == 0.0);
    /* At 100000 per QALY: per-draw NMB gain of the arm is
     * 100000 dq[d] S_W - dcost; EVPI = mean(max(0, g)) - max(0, mean g). */
    double gsum = 0.0, gpos = 0.0, wins = 0.0;
    for (size_t k = 0; k < NDRAWS; k++) {
        double g = 100000.0 * dq[k] * (1.0 + W + W * W + W * W * W) - dcost;
        gsum += g / NDRAWS;
        gpos += (g > 0 ? g : 0.0) / NDRAWS;
        wins += g > 0 ? 1.0 / NDRAWS : 0.0;
    }
    double evpi = gpos - (gsum > 0 ? gsum : 0.0);
    assert_close_at(d->evpi[2 * MKBA_EV_N + MKBA_EV_PERSON], evpi, 1e-9, __FILE__, __LINE__);
    assert_close(d->ceac[2 * 2 + 1], wins);
    assert_close_at(d->evpi[2 * MKBA_EV_N + MKBA_EV_POPULATION],
                    evpi * 1000.0 * (V + V * V + V * V * V), 1e-9, __FILE__, __LINE__);
    /* Ranking on society's NPV: the arm always has the higher NPV. */
    assert_close(d->rank_npv[1 * 2 + 0], 1.0);
    assert_true(d->evpi_npv[0] == 0.0);

    /* MKBA table: project costs 900 (the insurer's programme), the
     * provision avoided (the municipality's savings) direct, income
     * indirect, optimism bias and deadweight applied in the open. */
    const double *mk = d->mkba + 1 * MKBA_ROW_N * MKBA_ST_N;
#define ROW(i) mk[(i) * MKBA_ST_N + MKBA_ST_MEAN]
    assert_close(ROW(MKBA_ROW_PROJECT_COSTS), 900.0);
    assert_close(ROW(MKBA_ROW_OPTIMISM), 180.0);
    assert_close(ROW(MKBA_ROW_COSTS), 1080.0);
    assert_close(ROW(MKBA_ROW_DIRECT), 300.0 * s3);
    assert_close(ROW(MKBA_ROW_INDIRECT), inc);
    assert_close(ROW(MKBA_ROW_EXTERNAL), 0.0);
    assert_close(ROW(MKBA_ROW_DEADWEIGHT), -0.1 * (300.0 * s3 + inc));
    assert_close(ROW(MKBA_ROW_BALANCE), 0.9 * (300.0 * s3 + inc) - 1080.0);
    assert_close(ROW(MKBA_ROW_BCR), 0.9 * (300.0 * s3 + inc) / 1080.0);
#undef ROW

    /* What the file holds equals what the draws give. */
    mkba_decision *c = mkba_decision_alloc(t, NULL, NULL, &err);
    assert_non_null(c);
    for (size_t i = 0; i < NK * 2 * NCYC; i++)
        if (!(isnan(c->cum_disc[i]) && isnan(d->cum_disc[i])))
            assert_close(d->cum_disc[i], c->cum_disc[i]);
    for (size_t i = 0; i < 2 * MKBA_ROW_N * MKBA_ST_N; i++)
        if (!(isnan(c->mkba[i]) && isnan(d->mkba[i])))
            assert_close(d->mkba[i], c->mkba[i]);
    mkba_decision_free(c);
    mkba_decision_free(d);
    mkba_h5_totals_free(t);
    remove(path);
    free_model(m);
}

/* Overwrites double dataset `name` of n values with `value` everywhere. */
static void overwrite_doubles(hid_t f, const char *name, double value, size_t n)
{
    double v[64];
    assert_true(n <= 64);
    for (size_t i = 0; i < n; i++)
        v[i] = value;
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(ds >= 0);
    assert_true(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Dclose(ds);
}

/* A file written before the decision outputs' cost became the net cost
 * (aud13a H1) has no attribute cost on /analysis: its stored frontier,
 * NMB, CEAC and EVPI used the payers' costs alone, so mkba_decision_load
 * computes them again from the draws; a current file is read as stored.
 * The stored values are overwritten here (0.25 everywhere) so that which
 * of the two happened shows. */
static void test_old_file_computed_again(void **state)
{
    (void)state;
    mkba_model *m = make_model();
    char path[256];
    temp_path(path, sizeof path, "old");
    write_file(m, path);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_totals *t = NULL;
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    mkba_decision *fresh = NULL, *stored = NULL, *old = NULL;
    assert_int_equal(mkba_decision_load(path, t, &fresh, &err), MKBA_OK);
    size_t na = fresh->narms, nw = fresh->nwtp;

    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    overwrite_doubles(f, "/analysis/ceac/probability_best", 0.25, nw * na);
    overwrite_doubles(f, "/analysis/ceac/nmb_mean", 0.25, nw * na);
    overwrite_doubles(f, "/analysis/frontier/values", 0.25, na * MKBA_FR_N);
    H5Fclose(f);
    assert_int_equal(mkba_decision_load(path, t, &stored, &err), MKBA_OK);
    assert_true(stored->ceac[1] == 0.25 && stored->nmb_mean[1] == 0.25);

    f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t g = H5Gopen2(f, "/analysis", H5P_DEFAULT);
    assert_true(g >= 0 && H5Aexists(g, "cost") > 0);
    assert_true(H5Adelete(g, "cost") >= 0);
    H5Gclose(g);
    H5Fclose(f);
    assert_int_equal(mkba_decision_load(path, t, &old, &err), MKBA_OK);
    for (size_t i = 0; i < nw * na; i++) {
        assert_true(old->ceac[i] == fresh->ceac[i]);
        assert_true(old->nmb_mean[i] == fresh->nmb_mean[i]);
    }
    for (size_t i = 0; i < na * MKBA_FR_N; i++)
        assert_true(old->frontier[i] == fresh->frontier[i]
                    || (isnan(old->frontier[i]) && isnan(fresh->frontier[i])));
    mkba_decision_free(fresh);
    mkba_decision_free(stored);
    mkba_decision_free(old);
    mkba_h5_totals_free(t);
    remove(path);
    free_model(m);
}

/* Less is better: the frontier reads minus the effect. */
static void test_lower_is_better(void **state)
{
    (void)state;
    mkba_model *m = make_model();
    m->effect[0].lower_is_better = 1;
    char path[256];
    temp_path(path, sizeof path, "lower");
    write_file(m, path);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_totals *t = NULL;
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    mkba_decision *d = NULL;
    assert_int_equal(mkba_decision_load(path, t, &d, &err), MKBA_OK);
    assert_int_equal(d->lower_is_better, 1);
    double dq_mean = 0.0;
    for (size_t k = 0; k < NDRAWS; k++)
        dq_mean += dq[k] / NDRAWS;
    /* The arm adds on average less of a bad thing and is cheaper: it
     * dominates the reference. */
    assert_close_at(d->frontier[1 * MKBA_FR_N + MKBA_FR_INC_EFFECT_REF],
                    -dq_mean * (1.0 + W + W * W + W * W * W), 1e-9, __FILE__, __LINE__);
    assert_int_equal(d->frontier_status[0], MKBA_FRONTIER_DOMINATED);
    assert_int_equal(d->frontier_status[1], MKBA_FRONTIER_ON);
    mkba_decision_free(d);
    mkba_h5_totals_free(t);
    remove(path);
    free_model(m);
}

/* mkba_run: a full run writes /analysis, a part of a split run says why it
 * has none, and an analysis that fails leaves no file. */
static void test_run_close_step(void **state)
{
    (void)state;
    mkba_model *m = make_model();
    char path[256];
    temp_path(path, sizeof path, "run");
    mkba_error err;
    mkba_error_clear(&err);
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = path;
    o.draws = 2;
    o.households = 50;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 1;
    assert_int_equal(mkba_run(&ctx, m, &o, &err), MKBA_OK);
    mkba_h5_totals *t = NULL;
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    assert_string_equal(t->analysis_status, "written");
    mkba_h5_totals_free(t);
    remove(path);

    o.first_draw = 1;
    o.ndraws_part = 1;
    assert_int_equal(mkba_run(&ctx, m, &o, &err), MKBA_OK);
    assert_int_equal(mkba_h5_read_totals(path, &t, &err), MKBA_OK);
    assert_non_null(strstr(t->analysis_status, "skipped"));
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    assert_true(H5Lexists(f, "/analysis", H5P_DEFAULT) == 0);
    H5Fclose(f);
    mkba_h5_totals_free(t);
    remove(path);

    /* 0.3-year cycles cannot be grouped into years: the run fails (the
     * engine's layout refuses them, core/cycles.h), and neither the file
     * nor its temporary remains. */
    o.first_draw = 0;
    o.ndraws_part = 0;
    m->timing.cycle_years = 0.3;
    mkba_error_clear(&err);
    assert_int_not_equal(mkba_run(&ctx, m, &o, &err), MKBA_OK);
    assert_true(strlen(err.message) > 0);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_false(exists(path));
    assert_false(exists(tmp));
    free_model(m);
}

/* Reads string attribute `name` of dataset `path` of f into buf. */
static void read_attr(hid_t f, const char *path, const char *name, char *buf, size_t size)
{
    hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
    assert_true(ds >= 0);
    hid_t a = H5Aopen(ds, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    assert_true(H5Tget_size(t) < size);
    memset(buf, 0, size);
    assert_true(H5Aread(a, t, buf) >= 0);
    H5Tclose(t);
    H5Aclose(a);
    H5Dclose(ds);
}

/* The store writes the schema's attributes (money in the file's currency
 * and price year) and refuses datasets the schema does not list as given,
 * and files without money units. */
static void test_store_follows_schema(void **state)
{
    (void)state;
    mkba_model *m = make_model();
    char path[256];
    temp_path(path, sizeof path, "schema");
    write_file(m, path);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    char buf[512];
    read_attr(f, "/analysis/cashflow/npv", "units", buf, sizeof buf);
    assert_string_equal(buf, "EUR at 2024 prices per starting household");
    read_attr(f, "/analysis/cashflow/npv", "axes", buf, sizeof buf);
    assert_string_equal(buf, mkba_schema_find("/analysis/cashflow/npv")->axes);
    read_attr(f, "/analysis/cashflow/breakeven_year", "description", buf, sizeof buf);
    assert_string_equal(buf, mkba_schema_find("/analysis/cashflow/breakeven_year")->description);
    H5Fclose(f);

    mkba_error err;
    mkba_error_clear(&err);
    mkba_h5_store *st = mkba_h5_store_open(path, 1, &err);
    assert_non_null(st);
    size_t dims[2] = { 2, 1 };
    double v[2] = { 2.385, -1.25 };
    int iv[2] = { 3, 5 };
    assert_int_equal(mkba_h5_store_doubles(st, "/analysis/unlisted", 1, dims, v, &err),
                     MKBA_EINTERNAL);
    assert_non_null(strstr(err.message, "/analysis/unlisted"));
    assert_int_equal(mkba_h5_store_ints(st, "/analysis/ceac/wtp", 1, dims, iv, &err),
                     MKBA_EINTERNAL);
    assert_int_equal(mkba_h5_store_doubles(st, "/analysis/ceac/wtp", 2, dims, v, &err),
                     MKBA_EINTERNAL);
    assert_int_equal(mkba_h5_store_doubles_slab(st, "/analysis/unlisted", 2, dims, 0, v, &err),
                     MKBA_EINTERNAL);
    const char *rows[1] = { "row" };
    assert_int_equal(mkba_h5_store_strings(st, "/analysis/unlisted", rows, 1, &err),
                     MKBA_EINTERNAL);
    assert_int_equal(mkba_h5_store_close(st, &err), MKBA_OK);
    remove(path);

    f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(f >= 0);
    H5Fclose(f);
    mkba_error_clear(&err);
    assert_null(mkba_h5_store_open(path, 1, &err));
    assert_int_equal(err.code, MKBA_EPARSE);
    assert_non_null(strstr(err.message, "currency"));
    remove(path);
    free_model(m);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cashflows_in_file),
        cmocka_unit_test(test_decisions_in_file),
        cmocka_unit_test(test_lower_is_better),
        cmocka_unit_test(test_old_file_computed_again),
        cmocka_unit_test(test_run_close_step),
        cmocka_unit_test(test_store_follows_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
