/* The tables of a sensitivity-analysis file (/sa, docs/sensitivity.md),
 * read from the file only, so `mkba sa` and `mkba summary` print the
 * same. One builder per method, listed once at the end. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/sa_report.h"
#include "core/alloc.h"
#include "io/h5out.h"

typedef struct sa_file {
    const char *path;
    mkba_h5_store *st;
    char **arm, **factor, **outcome, **unit;
    size_t narms, nfactors, noutcomes, nunits;   /* nunits: checked to be noutcomes */
    int reference, outcome_index;
    char *method, *outcome_name, *arm_name, *versus_name;
} sa_file;

static void sa_file_free(sa_file *f)
{
    mkba_h5_store_strings_free(f->arm, f->narms);
    mkba_h5_store_strings_free(f->factor, f->nfactors);
    mkba_h5_store_strings_free(f->outcome, f->noutcomes);
    mkba_h5_store_strings_free(f->unit, f->nunits);
    mkba_free(f->method);
    mkba_free(f->outcome_name);
    mkba_free(f->arm_name);
    mkba_free(f->versus_name);
}

static int index_of(char **names, size_t n, const char *name)
{
    for (size_t i = 0; name != NULL && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

/* The code of an error already set in err, or out of memory with a
 * message when a plain allocation failed. */
static int failure(mkba_error *err)
{
    if (err != NULL && err->code != MKBA_OK)
        return err->code;
    return mkba_error_set(err, MKBA_ENOMEM, "out of memory reading the sensitivity analysis");
}

/* Reads `name` of the given shape into a new array, or NULL (err set). */
static double *read_doubles(sa_file *f, const char *name, int rank, const size_t *dims,
                            mkba_error *err)
{
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    double *v = mkba_malloc((n + 1) * sizeof *v);
    if (v == NULL) {
        mkba_error_set(err, MKBA_ENOMEM, "out of memory reading %s", name);
        return NULL;
    }
    if (mkba_h5_store_read_doubles(f->st, name, rank, dims, v, err) != MKBA_OK) {
        mkba_free(v);
        return NULL;
    }
    return v;
}

/* ---- tornado ---- */

typedef struct bar { size_t f; double swing; } bar;

static int by_swing(const void *a, const void *b)
{
    double x = ((const bar *)a)->swing, y = ((const bar *)b)->swing;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x < y) - (x > y);
}

static int tornado(sa_file *f, mkba_report *r, mkba_error *err)
{
    size_t nf = f->nfactors, na = f->narms, no = f->noutcomes, k = (size_t)f->outcome_index;
    size_t d3[3] = { nf, na, no }, d2[2] = { nf, 2 };
    double *low = read_doubles(f, "/sa/tornado/low", 3, d3, err);
    double *high = low ? read_doubles(f, "/sa/tornado/high", 3, d3, err) : NULL;
    double *mcse = high ? read_doubles(f, "/sa/tornado/swing_mcse", 3, d3, err) : NULL;
    double *range = mcse ? read_doubles(f, "/sa/factor_range", 2, d2, err) : NULL;
    bar *b = range ? mkba_malloc((nf + 1) * sizeof *b) : NULL;
    int rc = b != NULL ? MKBA_OK : failure(err);
    static const char *const col[] = { "factor", "low value", "high value", "at low",
                                       "at high", "swing", "MCSE of swing" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_EFFECT, MKBA_COL_EFFECT,
                                          MKBA_COL_MONEY, MKBA_COL_MONEY, MKBA_COL_MONEY,
                                          MKBA_COL_MONEY };
    for (size_t a = 0; rc == MKBA_OK && a < na; a++) {
        if ((int)a == f->reference)
            continue;
        char id[160], title[512];
        snprintf(id, sizeof id, "tornado_%s", f->arm[a]);
        snprintf(title, sizeof title, "Tornado: %s of %s against %s, each factor at its low "
                 "and high value, the others at base (%s)", f->outcome[k], f->arm[a],
                 f->arm[f->reference], f->unit[k]);
        mkba_rtable *t = mkba_report_table(r, id, title, 7, col, kind);
        for (size_t i = 0; i < nf; i++) {
            size_t c = (i * na + a) * no + k;
            b[i] = (bar){ i, fabs(high[c] - low[c]) };
        }
        qsort(b, nf, sizeof *b, by_swing);
        for (size_t j = 0; j < nf; j++) {
            size_t i = b[j].f, c = (i * na + a) * no + k;
            long row = mkba_rtable_row(r, t);
            mkba_rtable_str(r, t, row, 0, f->factor[i]);
            mkba_rtable_num(t, row, 1, range[2 * i]);
            mkba_rtable_num(t, row, 2, range[2 * i + 1]);
            mkba_rtable_num(t, row, 3, low[c]);
            mkba_rtable_num(t, row, 4, high[c]);
            mkba_rtable_num(t, row, 5, b[j].swing);
            mkba_rtable_num(t, row, 6, mcse[c]);
        }
        mkba_rtable_note(r, t, "Sorted by swing. Every point uses the households of one draw "
                         "(common random numbers); the MCSE (batch means) says how much of a "
                         "swing could be household noise: a swing below about 2 MCSE is not "
                         "distinguishable from none.");
    }
    mkba_free(low);
    mkba_free(high);
    mkba_free(mcse);
    mkba_free(range);
    mkba_free(b);
    return rc;
}

/* ---- threshold ---- */

static int threshold(sa_file *f, mkba_report *r, mkba_error *err)
{
    char *status = NULL;
    int rc = mkba_h5_store_read_attr(f->st, "/sa/threshold", "status", &status, err);
    size_t n = mkba_h5_store_length(f->st, "/sa/threshold/grid");
    size_t nr = mkba_h5_store_length(f->st, "/sa/threshold/root");
    double roots[64];
    size_t dr[1] = { nr };
    if (nr > 64)
        rc = mkba_error_set(err, MKBA_EPARSE, "%s: /sa/threshold/root has %zu values; a "
                            "threshold has at most 64 roots", f->path, nr);
    else if (nr > 0 && mkba_h5_store_read_doubles(f->st, "/sa/threshold/root", 1, dr, roots,
                                                  err) != MKBA_OK)
        rc = err != NULL ? err->code : MKBA_EPARSE;
    size_t d1[1] = { n };
    double *x = n > 0 ? read_doubles(f, "/sa/threshold/grid", 1, d1, err) : NULL;
    double *dv = x ? read_doubles(f, "/sa/threshold/difference", 1, d1, err) : NULL;
    double *mc = dv ? read_doubles(f, "/sa/threshold/difference_mcse", 1, d1, err) : NULL;
    if (mc == NULL || status == NULL || f->nfactors != 1)
        rc = err != NULL && err->code ? err->code
             : mkba_error_set(err, MKBA_EPARSE, "the /sa/threshold group is incomplete");
    if (rc == MKBA_OK) {
        char title[512];
        snprintf(title, sizeof title, "Threshold of %s: %s of %s minus %s (%s): %s",
                 f->factor[0], f->outcome[f->outcome_index], f->arm_name ? f->arm_name : "?",
                 f->versus_name ? f->versus_name : "?", f->unit[f->outcome_index], status);
        static const char *const col[] = { "value", "difference", "MCSE" };
        static const mkba_col_kind kind[] = { MKBA_COL_EFFECT, MKBA_COL_MONEY, MKBA_COL_MONEY };
        mkba_rtable *t = mkba_report_table(r, "threshold", title, 3, col, kind);
        for (size_t i = 0; i < n; i++) {
            long row = mkba_rtable_row(r, t);
            mkba_rtable_num(t, row, 0, x[i]);
            mkba_rtable_num(t, row, 1, dv[i]);
            mkba_rtable_num(t, row, 2, mc[i]);
        }
        for (size_t j = 0; j < nr; j++) {
            /* The root's Monte Carlo error: the difference's MCSE over the
             * local slope, from the evaluations nearest the root that are
             * at least 1% of the range away on either side. */
            double span = x[n - 1] - x[0], lo = NAN, hi = NAN, dlo = 0, dhi = 0, e = NAN;
            for (size_t i = 0; i < n; i++) {
                if (x[i] <= roots[j] - 0.01 * span && (isnan(lo) || x[i] > lo)) {
                    lo = x[i];
                    dlo = dv[i];
                    e = mc[i];
                }
                if (x[i] >= roots[j] + 0.01 * span && (isnan(hi) || x[i] < hi)) {
                    hi = x[i];
                    dhi = dv[i];
                }
            }
            double slope = !isnan(lo) && !isnan(hi) ? (dhi - dlo) / (hi - lo) : NAN;
            if (isfinite(e) && isfinite(slope) && slope != 0.0)
                mkba_rtable_note(r, t, "The decision flips at %s = %.6g (Monte Carlo error "
                                 "about %.2g: the difference's MCSE over its slope there).",
                                 f->factor[0], roots[j], e / fabs(slope));
            else
                mkba_rtable_note(r, t, "The decision flips at %s = %.6g.", f->factor[0],
                                 roots[j]);
        }
        if (nr == 0)
            mkba_rtable_note(r, t, "No flip in the range evaluated.");
    }
    mkba_free(status);
    mkba_free(x);
    mkba_free(dv);
    mkba_free(mc);
    return rc;
}

/* ---- sweep ---- */

static int sweep(sa_file *f, mkba_report *r, mkba_error *err)
{
    size_t n1 = mkba_h5_store_length(f->st, "/sa/sweep/grid_1"),
           n2 = mkba_h5_store_length(f->st, "/sa/sweep/grid_2");
    size_t na = f->narms, no = f->noutcomes, k = (size_t)f->outcome_index;
    size_t d1[1] = { n1 }, d2[1] = { n2 }, d4[4] = { n1, n2, na, no };
    double *g1 = n1 ? read_doubles(f, "/sa/sweep/grid_1", 1, d1, err) : NULL;
    double *g2 = g1 && n2 ? read_doubles(f, "/sa/sweep/grid_2", 1, d2, err) : NULL;
    double *y = g2 ? read_doubles(f, "/sa/sweep/outcomes", 4, d4, err) : NULL;
    int rc = y != NULL ? MKBA_OK
             : (err != NULL && err->code ? err->code
                : mkba_error_set(err, MKBA_EPARSE, "the /sa/sweep group is incomplete"));
    static const char *const col[] = { "first", "second", "arm", "value" };
    static const mkba_col_kind kind[] = { MKBA_COL_EFFECT, MKBA_COL_EFFECT, MKBA_COL_TEXT,
                                          MKBA_COL_MONEY };
    if (rc == MKBA_OK) {
        char title[512];
        snprintf(title, sizeof title, "Sweep of %s%s%s: %s (%s)", f->factor[0],
                 f->nfactors > 1 ? " and " : "", f->nfactors > 1 ? f->factor[1] : "",
                 f->outcome[k], f->unit[k]);
        mkba_rtable *t = mkba_report_table(r, "sweep", title, 4, col, kind);
        for (size_t i = 0; i < n1; i++)
            for (size_t j = 0; j < n2; j++)
                for (size_t a = 0; a < na; a++) {
                    if ((int)a == f->reference)
                        continue;
                    long row = mkba_rtable_row(r, t);
                    mkba_rtable_num(t, row, 0, g1[i]);
                    mkba_rtable_num(t, row, 1, g2[j]);
                    mkba_rtable_str(r, t, row, 2, f->arm[a]);
                    mkba_rtable_num(t, row, 3, y[((i * n2 + j) * na + a) * no + k]);
                }
    }
    mkba_free(g1);
    mkba_free(g2);
    mkba_free(y);
    return rc;
}

/* ---- prim ---- */

static int prim(sa_file *f, mkba_report *r, mkba_error *err)
{
    size_t na = f->narms, nf = f->nfactors, db[3] = { na, nf, 2 }, dp[2] = { na, nf },
           dc[2] = { na, 4 };
    double *box = read_doubles(f, "/sa/prim/box", 3, db, err);
    double *pv = box ? read_doubles(f, "/sa/prim/p_value", 2, dp, err) : NULL;
    double *ch = pv ? read_doubles(f, "/sa/prim/chosen", 2, dc, err) : NULL;
    int rc = ch != NULL ? MKBA_OK : failure(err);
    static const char *const col[] = { "factor", "at least", "at most", "quasi-p-value" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_EFFECT, MKBA_COL_EFFECT,
                                          MKBA_COL_EFFECT };
    for (size_t a = 0; rc == MKBA_OK && a < na; a++) {
        if ((int)a == f->reference || isnan(ch[a * 4 + 2]))
            continue;
        if (isnan(ch[a * 4])) {
            /* No box: the arm pays off in every draw or in none. */
            char id[160], title[512];
            snprintf(id, sizeof id, "prim_%s", f->arm[a]);
            snprintf(title, sizeof title, "Conditions for success: where %s has %s > 0 against "
                     "%s", f->arm[a], f->outcome[f->outcome_index], f->arm[f->reference]);
            mkba_rtable *t = mkba_report_table(r, id, title, 4, col, kind);
            mkba_rtable_note(r, t, "%s pays off in %.0f%% of the draws: there is nothing to "
                             "separate, so no box.", f->arm[a], 100.0 * ch[a * 4 + 2]);
            continue;
        }
        char id[160], title[512];
        snprintf(id, sizeof id, "prim_%s", f->arm[a]);
        snprintf(title, sizeof title, "Conditions for success: where %s has %s > 0 against %s",
                 f->arm[a], f->outcome[f->outcome_index], f->arm[f->reference]);
        mkba_rtable *t = mkba_report_table(r, id, title, 4, col, kind);
        size_t nrestricted = 0;
        for (size_t i = 0; i < nf; i++) {
            double lo = box[(a * nf + i) * 2], hi = box[(a * nf + i) * 2 + 1];
            if (isnan(lo) && isnan(hi))
                continue;
            nrestricted++;
            long row = mkba_rtable_row(r, t);
            mkba_rtable_str(r, t, row, 0, f->factor[i]);
            mkba_rtable_num(t, row, 1, lo);
            mkba_rtable_num(t, row, 2, hi);
            mkba_rtable_num(t, row, 3, pv[a * nf + i]);
        }
        mkba_rtable_note(r, t, "%s pays off in %.0f%% of the draws inside this box (density); "
                         "the box holds %.0f%% of all paying-off draws (coverage) and %.0f%% of "
                         "all draws (mass)%s.", f->arm[a], 100.0 * ch[a * 4 + 2],
                         100.0 * ch[a * 4 + 1], 100.0 * ch[a * 4 + 3],
                         nrestricted == 0 ? "; no restriction is significant, so no factor "
                         "range marks where it pays off" : "");
    }
    mkba_free(box);
    mkba_free(pv);
    mkba_free(ch);
    return rc;
}

/* ---- sobol ---- */

typedef struct ranked { size_t f; double key; } ranked;

static int by_key(const void *a, const void *b)
{
    double x = ((const ranked *)a)->key, y = ((const ranked *)b)->key;
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x < y) - (x > y);
}

static int sobol(sa_file *f, mkba_report *r, mkba_error *err)
{
    size_t na = f->narms, nf = f->nfactors, d3[3] = { na, nf, 3 }, d1[1] = { na };
    double *s1 = read_doubles(f, "/sa/sobol/first_order", 3, d3, err);
    double *st = s1 ? read_doubles(f, "/sa/sobol/total_order", 3, d3, err) : NULL;
    double *var = st ? read_doubles(f, "/sa/sobol/variance", 1, d1, err) : NULL;
    ranked *rk = var ? mkba_malloc((nf + 1) * sizeof *rk) : NULL;
    char *n = NULL;
    int rc = rk == NULL ? failure(err)
                        : mkba_h5_store_read_attr(f->st, "/sa/sobol", "base_points", &n, err);
    static const char *const col[] = { "factor", "S1", "S1 low", "S1 high", "ST", "ST low",
                                       "ST high" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_RATIO, MKBA_COL_RATIO,
                                          MKBA_COL_RATIO, MKBA_COL_RATIO, MKBA_COL_RATIO,
                                          MKBA_COL_RATIO };
    for (size_t a = 0; rc == MKBA_OK && a < na; a++) {
        if ((int)a == f->reference || isnan(var[a]))
            continue;
        char id[160], title[512];
        snprintf(id, sizeof id, "sobol_%s", f->arm[a]);
        snprintf(title, sizeof title, "Sobol indices: share of the variance of %s of %s "
                 "against %s due to each factor (N = %s base points)",
                 f->outcome[f->outcome_index], f->arm[a], f->arm[f->reference], n ? n : "?");
        mkba_rtable *t = mkba_report_table(r, id, title, 7, col, kind);
        if (var[a] == 0.0) {
            mkba_rtable_note(r, t, "The factors do not move this outcome: no indices.");
            continue;
        }
        for (size_t i = 0; i < nf; i++)
            rk[i] = (ranked){ i, st[(a * nf + i) * 3] };
        qsort(rk, nf, sizeof *rk, by_key);
        for (size_t j = 0; j < nf; j++) {
            size_t i = rk[j].f;
            long row = mkba_rtable_row(r, t);
            mkba_rtable_str(r, t, row, 0, f->factor[i]);
            for (size_t c = 0; c < 3; c++) {
                mkba_rtable_num(t, row, 1 + c, s1[(a * nf + i) * 3 + c]);
                mkba_rtable_num(t, row, 4 + c, st[(a * nf + i) * 3 + c]);
            }
        }
        mkba_rtable_note(r, t, "Sorted by the total index ST (what the factor explains with "
                         "all its interactions); S1 is its effect alone. ST near 0: the "
                         "factor can be fixed. Intervals: bootstrap 95%%. Variance of the "
                         "outcome over the design: %.6g (%s squared).", var[a],
                         f->unit[f->outcome_index]);
    }
    mkba_free(s1);
    mkba_free(st);
    mkba_free(var);
    mkba_free(rk);
    mkba_free(n);
    return rc;
}

/* ---- morris ---- */

static int morris(sa_file *f, mkba_report *r, mkba_error *err)
{
    size_t na = f->narms, nf = f->nfactors, d2[2] = { na, nf };
    static const char *const name[] = { "/sa/morris/mu", "/sa/morris/mu_star",
                                        "/sa/morris/sigma", "/sa/morris/mu_star_low",
                                        "/sa/morris/mu_star_high" };
    double *v[5] = { NULL };
    int rc = MKBA_OK;
    for (int i = 0; i < 5 && rc == MKBA_OK; i++)
        if ((v[i] = read_doubles(f, name[i], 2, d2, err)) == NULL)
            rc = failure(err);
    ranked *rk = rc == MKBA_OK ? mkba_malloc((nf + 1) * sizeof *rk) : NULL;
    if (rc == MKBA_OK && rk == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    static const char *const col[] = { "factor", "mu*", "mu* low", "mu* high", "mu", "sigma" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_MONEY, MKBA_COL_MONEY,
                                          MKBA_COL_MONEY, MKBA_COL_MONEY, MKBA_COL_MONEY };
    for (size_t a = 0; rc == MKBA_OK && a < na; a++) {
        if ((int)a == f->reference || isnan(v[1][a * nf]))
            continue;
        char id[160], title[512];
        snprintf(id, sizeof id, "morris_%s", f->arm[a]);
        snprintf(title, sizeof title, "Morris screening: elementary effects on %s of %s "
                 "against %s, per unit of each factor's probability scale",
                 f->outcome[f->outcome_index], f->arm[a], f->arm[f->reference]);
        mkba_rtable *t = mkba_report_table(r, id, title, 6, col, kind);
        for (size_t i = 0; i < nf; i++)
            rk[i] = (ranked){ i, v[1][a * nf + i] };
        qsort(rk, nf, sizeof *rk, by_key);
        for (size_t j = 0; j < nf; j++) {
            size_t i = rk[j].f;
            long row = mkba_rtable_row(r, t);
            mkba_rtable_str(r, t, row, 0, f->factor[i]);
            mkba_rtable_num(t, row, 1, v[1][a * nf + i]);
            mkba_rtable_num(t, row, 2, v[3][a * nf + i]);
            mkba_rtable_num(t, row, 3, v[4][a * nf + i]);
            mkba_rtable_num(t, row, 4, v[0][a * nf + i]);
            mkba_rtable_num(t, row, 5, v[2][a * nf + i]);
        }
        mkba_rtable_note(r, t, "Sorted by mu* (%s): a factor with small mu* can be fixed; "
                         "sigma large against mu* marks interactions or curvature. A step of "
                         "1/2 moves a factor across half of its distribution.",
                         f->unit[f->outcome_index]);
    }
    for (int i = 0; i < 5; i++)
        mkba_free(v[i]);
    mkba_free(rk);
    return rc;
}

/* ---- evppi ---- */

static int evppi(sa_file *f, mkba_report *r, mkba_error *err)
{
    char **group = NULL, **method = NULL;
    size_t ng = 0, nm = 0;
    int rc = mkba_h5_store_read_strings(f->st, "/sa/evppi/group", &group, &ng, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_strings(f->st, "/sa/evppi/method", &method, &nm, err);
    size_t d1[1] = { ng }, one[1] = { 1 };
    double *ev = rc == MKBA_OK ? read_doubles(f, "/sa/evppi/evppi", 1, d1, err) : NULL;
    double *se = ev ? read_doubles(f, "/sa/evppi/se", 1, d1, err) : NULL;
    double *evpi = se ? read_doubles(f, "/sa/evppi/evpi", 1, one, err) : NULL;
    ranked *rk = evpi ? mkba_malloc((ng + 1) * sizeof *rk) : NULL;
    if (rc == MKBA_OK && rk == NULL)
        rc = failure(err);
    else if (rc == MKBA_OK && nm != ng)
        rc = mkba_error_set(err, MKBA_EPARSE, "the /sa/evppi group is incomplete");
    if (rc == MKBA_OK) {
        static const char *const col[] = { "parameters", "EVPPI", "SE", "share of EVPI",
                                           "regression" };
        static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_MONEY, MKBA_COL_MONEY,
                                              MKBA_COL_SHARE, MKBA_COL_TEXT };
        char title[512];
        snprintf(title, sizeof title, "Value of information: EVPPI of choosing the arm on %s, "
                 "per starting household (%s)", f->outcome[f->outcome_index],
                 f->unit[f->outcome_index]);
        mkba_rtable *t = mkba_report_table(r, "evppi", title, 5, col, kind);
        for (size_t g = 0; g < ng; g++)
            rk[g] = (ranked){ g, ev[g] };
        qsort(rk, ng, sizeof *rk, by_key);
        for (size_t j = 0; j < ng; j++) {
            size_t g = rk[j].f;
            long row = mkba_rtable_row(r, t);
            mkba_rtable_str(r, t, row, 0, group[g]);
            mkba_rtable_num(t, row, 1, ev[g]);
            mkba_rtable_num(t, row, 2, se[g]);
            mkba_rtable_num(t, row, 3, evpi[0] > 0.0 ? ev[g] / evpi[0] : NAN);
            mkba_rtable_str(r, t, row, 4, method[g]);
        }
        mkba_rtable_note(r, t, "EVPI (perfect information on everything): %.6g per "
                         "household. EVPPI: what learning these parameters before choosing "
                         "would be worth (Strong, Oakley & Brennan 2014); multiply by the "
                         "households affected for a budget for research.", evpi[0]);
    }
    mkba_h5_store_strings_free(group, ng);
    mkba_h5_store_strings_free(method, nm);
    mkba_free(ev);
    mkba_free(se);
    mkba_free(evpi);
    mkba_free(rk);
    return rc;
}

/* ---- believe ---- */

/* A blended arm has no levers of its own: say what its rows are made of,
 * from its row of /labels/blend_shares. */
static void blend_note(mkba_report *r, mkba_rtable *t, const sa_file *f, const double *share)
{
    char parts[512];
    size_t used = 0;
    parts[0] = '\0';
    for (size_t p = 0; p < f->narms && used < sizeof parts; p++)
        if (share[p] > 0.0)
            used += (size_t)snprintf(parts + used, sizeof parts - used, "%s%.4g%% %s",
                                     used > 0 ? ", " : "", 100.0 * share[p], f->arm[p]);
    mkba_rtable_note(r, t, "A blend (%s) has no levers of its own: each row is its parts' "
                     "row weighed by these shares (a lever marked [in PART] is that part's), "
                     "and a reference arm among the parts keeps its value "
                     "(docs/sensitivity.md, \"What must be believed\").", parts);
}

static int believe(sa_file *f, mkba_report *r, mkba_error *err)
{
    char **lever = NULL;
    size_t nl = 0, na = f->narms, k = (size_t)f->outcome_index;
    int rc = mkba_h5_store_read_strings(f->st, "/sa/believe/lever", &lever, &nl, err);
    size_t dl[2] = { nl, 2 }, da[2] = { na, 3 }, d1[1] = { nl };
    int *arm = rc == MKBA_OK ? mkba_malloc((nl + 1) * sizeof *arm) : NULL;
    if (rc == MKBA_OK && (arm == NULL
                          || mkba_h5_store_read_ints(f->st, "/sa/believe/lever_arm", 1, d1, arm,
                                                     err) != MKBA_OK))
        rc = failure(err);
    double *c = rc == MKBA_OK ? read_doubles(f, "/sa/believe/contribution", 2, dl, err) : NULL;
    double *npv = c ? read_doubles(f, "/sa/believe/arm_npv", 2, da, err) : NULL;
    ranked *rk = npv ? mkba_malloc((nl + 1) * sizeof *rk) : NULL;
    char *draws = NULL;
    if (rc == MKBA_OK && rk == NULL)
        rc = failure(err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_attr(f->st, "/sa/believe", "draws", &draws, err);
    /* A blended arm's row: its weight on each arm (docs/model.md). */
    double *blend = NULL;
    if (rc == MKBA_OK && mkba_h5_store_has(f->st, "/labels/blend_shares")) {
        size_t db[2] = { na, na };
        if ((blend = read_doubles(f, "/labels/blend_shares", 2, db, err)) == NULL)
            rc = failure(err);
    }
    static const char *const col[] = { "lever", "contribution", "share of the outcome",
                                       "MCSE" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_MONEY, MKBA_COL_SHARE,
                                          MKBA_COL_MONEY };
    for (size_t a = 0; rc == MKBA_OK && a < na; a++) {
        double on = npv[a * 3], off = npv[a * 3 + 1], inter = npv[a * 3 + 2];
        if ((int)a == f->reference || isnan(on))
            continue;
        char id[160], title[512];
        snprintf(id, sizeof id, "believe_%s", f->arm[a]);
        char basis[64];
        if (draws != NULL && strcmp(draws, "base case") != 0)
            snprintf(basis, sizeof basis, "mean over %s PSA draws", draws);
        else
            snprintf(basis, sizeof basis, "base case");
        snprintf(title, sizeof title, "What must be believed: %s of %s against %s (%s) by "
                 "lever, each switched to the reference arm's value (%s)", f->outcome[k],
                 f->arm[a], f->arm[f->reference], f->unit[k], basis);
        mkba_rtable *t = mkba_report_table(r, id, title, 4, col, kind);
        size_t n = 0;
        for (size_t l = 0; l < nl; l++)
            if (arm[l] == (int)a)
                rk[n++] = (ranked){ l, fabs(c[l * 2]) };
        qsort(rk, n, sizeof *rk, by_key);
        for (size_t j = 0; j < n; j++) {
            size_t l = rk[j].f;
            long row = mkba_rtable_row(r, t);
            mkba_rtable_str(r, t, row, 0, lever[l]);
            mkba_rtable_num(t, row, 1, c[l * 2]);
            mkba_rtable_num(t, row, 2, on != 0.0 ? c[l * 2] / on : NAN);
            mkba_rtable_num(t, row, 3, c[l * 2 + 1]);
        }
        long row = mkba_rtable_row(r, t);
        mkba_rtable_str(r, t, row, 0, "every lever off (the arm's structure)");
        mkba_rtable_num(t, row, 1, off);
        mkba_rtable_num(t, row, 2, on != 0.0 ? off / on : NAN);
        row = mkba_rtable_row(r, t);
        mkba_rtable_str(r, t, row, 0, "interaction of the levers");
        mkba_rtable_num(t, row, 1, inter);
        mkba_rtable_num(t, row, 2, on != 0.0 ? inter / on : NAN);
        row = mkba_rtable_row(r, t);
        mkba_rtable_str(r, t, row, 0, "total: the arm as specified");
        mkba_rtable_num(t, row, 1, on);
        mkba_rtable_num(t, row, 2, on != 0.0 ? 1.0 : NAN);
        /* The headline only where a share reads as one: the lever and the
         * total on the same side of zero, and no more than the total. */
        double share = n > 0 && on != 0.0 ? c[rk[0].f * 2] / on : NAN;
        if (share > 0.0 && share <= 1.0)
            mkba_rtable_note(r, t, "%.0f%% of %s's %s comes from %s.", 100.0 * share, f->arm[a],
                             f->outcome[k], lever[rk[0].f]);
        mkba_rtable_note(r, t, "A contribution is the outcome minus the outcome with that "
                         "lever off; contributions, structure and interaction add up to the "
                         "total. A contribution within about 2 MCSE of 0 is not "
                         "distinguishable from none.");
        if (blend != NULL && !(blend[a * na + a] == 1.0))
            blend_note(r, t, f, blend + a * na);
    }
    mkba_h5_store_strings_free(lever, nl);
    mkba_free(arm);
    mkba_free(c);
    mkba_free(npv);
    mkba_free(rk);
    mkba_free(draws);
    mkba_free(blend);
    return rc;
}

/* ---- the methods, listed once ---- */

static const struct {
    const char *method;
    int (*build)(sa_file *f, mkba_report *r, mkba_error *err);
} builders[] = {
    { "tornado", tornado },
    { "threshold", threshold },
    { "sweep", sweep },
    { "sobol", sobol },
    { "morris", morris },
    { "evppi", evppi },
    { "prim", prim },
    { "believe", believe },
};

int mkba_sa_report_is_sa(const char *path, mkba_error *err)
{
    mkba_error e;
    mkba_error_clear(&e);
    mkba_h5_store *st = mkba_h5_store_open(path, 0, &e);
    if (st == NULL && e.code == MKBA_ENOMEM) {
        if (err != NULL)
            *err = e;
        return -1;
    }
    if (st == NULL)
        return 0;              /* not a result file: the summary says why */
    int is = mkba_h5_store_has(st, "/sa");
    mkba_h5_store_close(st, NULL);
    return is;
}

int mkba_sa_report_build(const char *path, mkba_report *r, mkba_error *err)
{
    sa_file f = { .path = path, .reference = -1, .outcome_index = -1 };
    f.st = mkba_h5_store_open(path, 0, err);
    if (f.st == NULL)
        return err != NULL ? err->code : MKBA_EIO;
    int rc = mkba_h5_store_read_strings(f.st, "/labels/arms", &f.arm, &f.narms, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_strings(f.st, "/sa/outcome", &f.outcome, &f.noutcomes, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_strings(f.st, "/sa/outcome_units", &f.unit, &f.nunits, err);
    if (rc == MKBA_OK && mkba_h5_store_has(f.st, "/sa/factor"))
        rc = mkba_h5_store_read_strings(f.st, "/sa/factor", &f.factor, &f.nfactors, err);
    char *ref = NULL;
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_attr(f.st, "/sa", "method", &f.method, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_attr(f.st, "/sa", "outcome", &f.outcome_name, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_attr(f.st, "/sa", "arm", &f.arm_name, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_attr(f.st, "/sa", "versus", &f.versus_name, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_attr(f.st, "/", "reference_arm", &ref, err);
    f.reference = index_of(f.arm, f.narms, ref);
    mkba_free(ref);
    f.outcome_index = index_of(f.outcome, f.noutcomes, f.outcome_name);
    if (rc == MKBA_OK && (f.method == NULL || f.reference < 0 || f.nunits != f.noutcomes))
        rc = mkba_error_set(err, MKBA_EPARSE, "%s: the /sa group is incomplete (no method, "
                            "reference arm or outcome units)", path);
    size_t i = 0;
    while (rc == MKBA_OK && i < sizeof builders / sizeof builders[0]
           && strcmp(builders[i].method, f.method) != 0)
        i++;
    if (rc == MKBA_OK && i == sizeof builders / sizeof builders[0])
        rc = mkba_error_set(err, MKBA_EPARSE, "%s: unknown sensitivity method '%s' in /sa",
                            path, f.method);
    if (rc == MKBA_OK && f.outcome_index < 0)
        rc = mkba_error_set(err, MKBA_EPARSE, "%s: /sa names outcome '%s', which /sa/outcome "
                            "does not list", path, f.outcome_name);
    if (rc == MKBA_OK)
        rc = builders[i].build(&f, r, err);
    if (rc == MKBA_OK && r->failed)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory building the tables of %s", path);
    mkba_h5_store_close(f.st, NULL);
    sa_file_free(&f);
    return rc;
}
