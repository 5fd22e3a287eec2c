/* Penalised regression splines fitted by GCV (smooth.h).
 *
 * The fit works in the basis that makes X'X the identity: with X'X = L L',
 * the penalty becomes C = L^-1 S L^-T = U diag(ev) U', the coefficients
 * beta = L^-T U diag(1 / (1 + ev)) U' L^-1 X'y, and for S scaled by rho
 *   edf = sum_i 1 / (1 + rho ev_i),
 *   RSS = RSS_0 + sum_i (rho ev_i / (1 + rho ev_i))^2 z_i^2,  z = U' L^-1 X'y,
 * RSS_0 being the residual of the unpenalised fit. One eigendecomposition
 * per direction of the smoothing vector thus gives GCV along the whole ray
 * for O(k) per point. Several penalties: a coordinate search on the log
 * ratios lambda_j / lambda_1, a ray search at each. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_bspline.h>
#include <gsl/gsl_eigen.h>
#include "analysis/smooth.h"
#include "core/alloc.h"

#define ORDER 4          /* cubic B-splines */
#define ONE_D_NCOEF 18   /* 16 knots */
#define ADD_NCOEF 8      /* per parameter of the additive model, one dropped */
#define MAX_NCOEF 18

/* --- margins: one parameter's B-spline basis and its penalty --- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A cubic B-spline basis of ncoef functions on t in [0, 1]: knots at the
 * quantiles of t (as mgcv's "cr"), or evenly spaced when ties (a parameter
 * with few values) make quantiles coincide. Fills S[ncoef][ncoef] with the
 * integral of B_a''(t) B_b''(t) over [0, 1], exact by two-point Gauss-
 * Legendre per knot interval since the integrand is quadratic there.
 * sorted holds n doubles. Returns NULL when GSL is out of memory. */
static gsl_bspline_workspace *margin_alloc(const double *t, size_t n, size_t ncoef,
                                           double *sorted, double *S)
{
    const size_t nbreak = ncoef - ORDER + 2;
    gsl_bspline_workspace *w = gsl_bspline_alloc(ORDER, nbreak);
    if (w == NULL)
        return NULL;
    memcpy(sorted, t, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, cmp_double);
    double bp[MAX_NCOEF];
    int distinct = 1;
    for (size_t i = 0; i < nbreak; i++) {
        bp[i] = sorted[(size_t)((double)i * (double)(n - 1) / (double)(nbreak - 1) + 0.5)];
        distinct &= i == 0 || bp[i] > bp[i - 1];
    }
    if (distinct) {
        gsl_vector_view v = gsl_vector_view_array(bp, nbreak);
        gsl_bspline_knots(&v.vector, w);
    } else {
        gsl_bspline_knots_uniform(0.0, 1.0, w);
    }
    double db[MAX_NCOEF * 3];
    gsl_matrix_view dB = gsl_matrix_view_array(db, ncoef, 3);
    memset(S, 0, ncoef * ncoef * sizeof *S);
    for (size_t i = 0; i + 1 < nbreak; i++) {
        double a = gsl_bspline_breakpoint(i, w), b = gsl_bspline_breakpoint(i + 1, w);
        double h = b - a, mid = 0.5 * (a + b), off = h / (2.0 * sqrt(3.0));
        for (int q = -1; q <= 1; q += 2) {
            gsl_bspline_deriv_eval(mid + q * off, 2, &dB.matrix, w);
            for (size_t r = 0; r < ncoef; r++)
                for (size_t c = 0; c < ncoef; c++)
                    S[r * ncoef + c] += 0.5 * h * db[r * 3 + 2] * db[c * 3 + 2];
        }
    }
    return w;
}

/* --- the bases: one entry per kind of group, chosen by its size --- */

/* Builds s->X and s->S from t[p][n], the parameters rescaled to [0, 1]. */
typedef int (*build_fn)(mkba_smooth *s, const double *t, size_t p, double *sorted);

typedef struct basis_kind {
    size_t pmax;                  /* serves groups of up to pmax parameters */
    const char *method;
    size_t (*nbasis)(size_t p);
    size_t (*npen)(size_t p);
    build_fn build;
} basis_kind;

static size_t tensor_margin(size_t p)
{
    return p == 1 ? ONE_D_NCOEF : p == 2 ? 6 : p == 3 ? 5 : 4;
}

static size_t tensor_nbasis(size_t p)
{
    size_t k = 1;
    for (size_t m = 0; m < p; m++)
        k *= tensor_margin(p);
    return k;
}

static size_t tensor_npen(size_t p)
{
    return p;
}

/* X[j] = the products of one function of each margin, margin p - 1
 * varying fastest; S_m = I x ... x S_margin x ... x I. */
static int tensor_build(mkba_smooth *s, const double *t, size_t p, double *sorted)
{
    const size_t n = s->n, k = s->k, km = tensor_margin(p);
    double *B = mkba_malloc(p * n * km * sizeof *B);
    if (B == NULL)
        return MKBA_ENOMEM;
    double Sm[MAX_NCOEF * MAX_NCOEF];
    int status = MKBA_OK;
    for (size_t m = 0; m < p && status == MKBA_OK; m++) {
        gsl_bspline_workspace *w = margin_alloc(t + m * n, n, km, sorted, Sm);
        if (w == NULL) {
            status = MKBA_ENOMEM;
            break;
        }
        for (size_t j = 0; j < n; j++) {
            gsl_vector_view v = gsl_vector_view_array(B + (m * n + j) * km, km);
            gsl_bspline_eval(t[m * n + j], &v.vector, w);
        }
        gsl_bspline_free(w);
        /* stride of margin m in the tensor index */
        size_t stride = 1;
        for (size_t q = m + 1; q < p; q++)
            stride *= km;
        double *Sp = s->S + m * k * k;
        for (size_t r = 0; r < k; r++)
            for (size_t c = 0; c < k; c++) {
                /* equal indices in every other margin */
                if (r - (r / stride % km) * stride != c - (c / stride % km) * stride)
                    continue;
                Sp[r * k + c] = Sm[(r / stride % km) * km + c / stride % km];
            }
    }
    for (size_t j = 0; status == MKBA_OK && j < n; j++)
        for (size_t c = 0; c < k; c++) {
            double v = 1.0;
            size_t rest = c;
            for (size_t m = p; m-- > 0;) {
                v *= B[(m * n + j) * km + rest % km];
                rest /= km;
            }
            s->X[j * k + c] = v;
        }
    mkba_free(B);
    return status;
}

static size_t additive_nbasis(size_t p)
{
    return 1 + p * (ADD_NCOEF - 1) + p * (p - 1) / 2;
}

static size_t additive_npen(size_t p)
{
    (void)p;
    return 1;
}

/* Columns: the intercept; per parameter its first ADD_NCOEF - 1 B-splines
 * centred over the draws (the dropped one and the centring remove the
 * constant each margin's functions share, which the intercept holds);
 * the products of the centred parameters, pair by pair. */
static int additive_build(mkba_smooth *s, const double *t, size_t p, double *sorted)
{
    const size_t n = s->n, k = s->k, km = ADD_NCOEF, kc = km - 1;
    double Sm[MAX_NCOEF * MAX_NCOEF], b[MAX_NCOEF], mean[MAX_NCOEF];
    double *tm = mkba_malloc(p * sizeof *tm);
    if (tm == NULL)
        return MKBA_ENOMEM;
    for (size_t j = 0; j < n; j++)
        s->X[j * k] = 1.0;
    for (size_t m = 0; m < p; m++) {
        gsl_bspline_workspace *w = margin_alloc(t + m * n, n, km, sorted, Sm);
        if (w == NULL) {
            mkba_free(tm);
            return MKBA_ENOMEM;
        }
        const size_t c0 = 1 + m * kc;
        gsl_vector_view v = gsl_vector_view_array(b, km);
        memset(mean, 0, sizeof mean);
        tm[m] = 0.0;
        for (size_t j = 0; j < n; j++) {
            gsl_bspline_eval(t[m * n + j], &v.vector, w);
            for (size_t a = 0; a < kc; a++) {
                s->X[j * k + c0 + a] = b[a];
                mean[a] += b[a] / (double)n;
            }
            tm[m] += t[m * n + j] / (double)n;
        }
        gsl_bspline_free(w);
        for (size_t j = 0; j < n; j++)
            for (size_t a = 0; a < kc; a++)
                s->X[j * k + c0 + a] -= mean[a];
        for (size_t r = 0; r < kc; r++)
            for (size_t c = 0; c < kc; c++)
                s->S[(c0 + r) * k + c0 + c] = Sm[r * km + c];
    }
    size_t c = 1 + p * kc;
    for (size_t a = 0; a < p; a++)
        for (size_t bb = a + 1; bb < p; bb++, c++)
            for (size_t j = 0; j < n; j++)
                s->X[j * k + c] = (t[a * n + j] - tm[a]) * (t[bb * n + j] - tm[bb]);
    mkba_free(tm);
    return MKBA_OK;
}

static const basis_kind kinds[] = {
    { 1, "penalised cubic regression spline (18 basis functions, GCV)",
      tensor_nbasis, tensor_npen, tensor_build },
    { 4, "tensor-product cubic regression spline, as mgcv te() (one penalty per parameter, GCV)",
      tensor_nbasis, tensor_npen, tensor_build },
    { (size_t)-1, "additive cubic regression splines plus pairwise linear interactions "
                  "(one penalty, GCV)",
      additive_nbasis, additive_npen, additive_build },
};

static const basis_kind *kind_of(size_t p)
{
    size_t i = 0;
    while (p > kinds[i].pmax)
        i++;
    return &kinds[i];
}

size_t mkba_smooth_nbasis(size_t p)
{
    return kind_of(p)->nbasis(p);
}

const char *mkba_smooth_method(size_t p)
{
    return kind_of(p)->method;
}

/* --- linear algebra --- */

/* In-place lower Cholesky factor of the k x k matrix A (lower triangle
 * read, upper set to 0). Returns 0, or -1 when A is not positive definite. */
static int cholesky(double *A, size_t k)
{
    for (size_t j = 0; j < k; j++) {
        double d = A[j * k + j];
        for (size_t q = 0; q < j; q++)
            d -= A[j * k + q] * A[j * k + q];
        if (!(d > 0.0))
            return -1;
        d = sqrt(d);
        A[j * k + j] = d;
        for (size_t i = j + 1; i < k; i++) {
            double v = A[i * k + j];
            for (size_t q = 0; q < j; q++)
                v -= A[i * k + q] * A[j * k + q];
            A[i * k + j] = v / d;
        }
        for (size_t i = 0; i < j; i++)
            A[i * k + j] = 0.0;
    }
    return 0;
}

static double frobenius(const double *A, size_t k)
{
    double s = 0.0;
    for (size_t i = 0; i < k * k; i++)
        s += A[i] * A[i];
    return sqrt(s);
}

void mkba_smooth_free(mkba_smooth *s)
{
    if (s == NULL)
        return;
    mkba_free(s->X);
    mkba_free(s->S);
    mkba_free(s->L);
    mkba_free(s->C);
    mkba_free(s->Ct);
    mkba_free(s->U);
    mkba_free(s->ev);
    mkba_free(s->z0);
    mkba_free(s->z);
    mkba_free(s->w);
    if (s->eig != NULL)
        gsl_eigen_symmv_free(s->eig);
    mkba_free(s);
}

int mkba_smooth_alloc(const double *x, size_t n, size_t ldx, const size_t *cols, size_t p,
                      mkba_smooth **out, mkba_error *err)
{
    *out = NULL;
    const basis_kind *kind = kind_of(p);
    const size_t k = kind->nbasis(p), npen = kind->npen(p);
    mkba_smooth *s = mkba_calloc(1, sizeof *s);
    double *t = mkba_malloc(p * n * sizeof *t);
    double *sorted = mkba_malloc(n * sizeof *sorted);
    if (s != NULL) {
        s->n = n;
        s->k = k;
        s->npen = npen;
        s->method = kind->method;
        s->X = mkba_malloc(n * k * sizeof *s->X);
        s->S = mkba_calloc(npen * k * k, sizeof *s->S);
        s->L = mkba_malloc(k * k * sizeof *s->L);
        s->C = mkba_malloc(k * k * sizeof *s->C);
        s->Ct = mkba_malloc(npen * k * k * sizeof *s->Ct);
        s->U = mkba_malloc(k * k * sizeof *s->U);
        s->ev = mkba_malloc(k * sizeof *s->ev);
        s->z0 = mkba_malloc(k * sizeof *s->z0);
        s->z = mkba_malloc(k * sizeof *s->z);
        s->w = mkba_malloc(k * sizeof *s->w);
        s->eig = gsl_eigen_symmv_alloc(k);
    }
    int status = s && t && sorted && s->X && s->S && s->L && s->C && s->Ct && s->U && s->ev && s->z0
                 && s->z && s->w && s->eig ? MKBA_OK : MKBA_ENOMEM;
    /* Rescaled to [0, 1], so knots, penalties and interactions do not
     * depend on the parameters' units. */
    for (size_t m = 0; status == MKBA_OK && m < p; m++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t j = 0; j < n; j++) {
            lo = fmin(lo, x[j * ldx + cols[m]]);
            hi = fmax(hi, x[j * ldx + cols[m]]);
        }
        for (size_t j = 0; j < n; j++)
            t[m * n + j] = (x[j * ldx + cols[m]] - lo) / (hi - lo);
    }
    if (status == MKBA_OK)
        status = kind->build(s, t, p, sorted);
    if (status == MKBA_OK) {
        gsl_matrix_view L = gsl_matrix_view_array(s->L, k, k);
        /* X'X row by row, skipping the zeros of the B-splines' local
         * support (most of a row for one or two parameters). */
        memset(s->L, 0, k * k * sizeof *s->L);
        for (size_t j = 0; j < n; j++) {
            const double *row = s->X + j * k;
            for (size_t a = 0; a < k; a++) {
                if (row[a] == 0.0)
                    continue;
                double *acc = s->L + a * k, xa = row[a];
                for (size_t b = 0; b <= a; b++)
                    acc[b] += xa * row[b];
            }
        }
        double top = 0.0;
        for (size_t i = 0; i < k; i++) {
            for (size_t c = i + 1; c < k; c++)
                s->L[i * k + c] = s->L[c * k + i];
            top = fmax(top, s->L[i * k + i]);
        }
        /* Penalties on the scale of X'X, so a search that starts from
         * equal smoothing parameters starts from comparable smoothing. */
        double norm = frobenius(s->L, k);
        for (size_t j = 0; j < npen; j++) {
            double f = frobenius(s->S + j * k * k, k);
            for (size_t i = 0; f > 0.0 && i < k * k; i++)
                s->S[j * k * k + i] *= norm / f;
        }
        /* A ridge far below the data's scale keeps the factor defined when
         * a parameter takes few distinct values (a basis function without
         * data); it moves the fit by about 1e-9 relative. */
        for (size_t i = 0; i < k; i++)
            s->L[i * k + i] += 1e-9 * top;
        if (cholesky(s->L, k) != 0)
            status = mkba_error_set(err, MKBA_EINVAL,
                                    "EVPPI: the spline basis of the %zu parameter(s) is singular "
                                    "on these draws; check that the parameters vary", p);
        /* Each penalty in the basis where X'X = I: Ct_j = L^-1 S_j L^-T. */
        for (size_t j = 0; status == MKBA_OK && j < npen; j++) {
            memcpy(s->Ct + j * k * k, s->S + j * k * k, k * k * sizeof *s->Ct);
            gsl_matrix_view C = gsl_matrix_view_array(s->Ct + j * k * k, k, k);
            gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &L.matrix,
                           &C.matrix);
            gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, &L.matrix,
                           &C.matrix);
        }
    } else {
        mkba_error_set(err, status, "out of memory for the EVPPI regression basis (%zu draws x "
                       "%zu basis functions)", n, k);
    }
    mkba_free(t);
    mkba_free(sorted);
    if (status != MKBA_OK) {
        mkba_smooth_free(s);
        return status;
    }
    *out = s;
    return MKBA_OK;
}

/* --- GCV --- */

/* The eigendecomposition of sum_j exp(theta_j) Ct_j into s->ev, s->U and
 * z = U' z0. */
static void ray_eigen(mkba_smooth *s, const double *theta)
{
    const size_t k = s->k;
    memset(s->C, 0, k * k * sizeof *s->C);
    for (size_t j = 0; j < s->npen; j++) {
        double f = exp(theta[j]);
        for (size_t i = 0; i < k * k; i++)
            s->C[i] += f * s->Ct[j * k * k + i];
    }
    gsl_matrix_view C = gsl_matrix_view_array(s->C, k, k);
    gsl_matrix_view U = gsl_matrix_view_array(s->U, k, k);
    gsl_vector_view ev = gsl_vector_view_array(s->ev, k);
    for (size_t i = 0; i < k; i++)
        for (size_t c = i + 1; c < k; c++)
            s->C[i * k + c] = s->C[c * k + i] = 0.5 * (s->C[i * k + c] + s->C[c * k + i]);
    gsl_eigen_symmv(&C.matrix, &ev.vector, &U.matrix, s->eig);
    for (size_t i = 0; i < k; i++) {
        s->ev[i] = fmax(s->ev[i], 0.0);
        double v = 0.0;
        for (size_t r = 0; r < k; r++)
            v += s->U[r * k + i] * s->z0[r];
        s->z[i] = v;
    }
}

/* GCV at rho = exp(r) along the current ray; *edf when not NULL. */
static double gcv(const mkba_smooth *s, double rss0, double r, double *edf)
{
    double rho = exp(r), rss = rss0, tr = 0.0;
    for (size_t i = 0; i < s->k; i++) {
        double a = 1.0 / (1.0 + rho * s->ev[i]), q = rho * s->ev[i] * a * s->z[i];
        tr += a;
        rss += q * q;
    }
    if (edf != NULL)
        *edf = tr;
    double dof = (double)s->n - tr;
    return (double)s->n * rss / (dof * dof);
}

/* The minimum of GCV along the current ray: a grid of step 1/4 in log rho
 * from no smoothing (rho ev < 1e-3 everywhere) to full smoothing (rho ev >
 * 1e3 in every penalised direction), then golden section around the best
 * point. Ties go to the smoother fit. Sets *r_best, returns the score. */
static double ray_search(const mkba_smooth *s, double rss0, double *r_best)
{
    double top = 0.0, low = INFINITY;
    for (size_t i = 0; i < s->k; i++)
        top = fmax(top, s->ev[i]);
    for (size_t i = 0; i < s->k; i++)
        if (s->ev[i] > 1e-9 * top)
            low = fmin(low, s->ev[i]);
    if (!(top > 0.0)) {
        *r_best = 0.0;
        return gcv(s, rss0, 0.0, NULL);
    }
    const double lo = log(1e-3 / top), hi = log(1e3 / low), step = 0.25;
    double best = INFINITY, rb = lo;
    for (double r = lo; r <= hi + 1e-12; r += step) {
        double g = gcv(s, rss0, r, NULL);
        if (g <= best) {
            best = g;
            rb = r;
        }
    }
    const double phi = 0.5 * (sqrt(5.0) - 1.0);
    double a = rb - step, b = rb + step;
    double c = b - phi * (b - a), d = a + phi * (b - a);
    double gc = gcv(s, rss0, c, NULL), gd = gcv(s, rss0, d, NULL);
    for (int it = 0; it < 30; it++) {
        if (gc < gd) {
            b = d;
            d = c;
            gd = gc;
            c = b - phi * (b - a);
            gc = gcv(s, rss0, c, NULL);
        } else {
            a = c;
            c = d;
            gc = gd;
            d = a + phi * (b - a);
            gd = gcv(s, rss0, d, NULL);
        }
    }
    double r = 0.5 * (a + b), g = gcv(s, rss0, r, NULL);
    if (g < best) {
        best = g;
        rb = r;
    }
    *r_best = rb;
    return best;
}

double mkba_smooth_fit(mkba_smooth *s, const double *y, double *beta, double *fitted,
                       double *post)
{
    const size_t n = s->n, k = s->k;
    gsl_matrix_view X = gsl_matrix_view_array(s->X, n, k);
    gsl_matrix_view L = gsl_matrix_view_array(s->L, k, k);
    gsl_vector_const_view yv = gsl_vector_const_view_array(y, n);
    gsl_vector_view z0 = gsl_vector_view_array(s->z0, k);
    gsl_vector_view bv = gsl_vector_view_array(beta, k);
    gsl_vector_view fv = gsl_vector_view_array(fitted, n);

    /* z0 = L^-1 X'y; the unpenalised fit beta = L^-T z0 and its RSS. */
    gsl_blas_dgemv(CblasTrans, 1.0, &X.matrix, &yv.vector, 0.0, &z0.vector);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &L.matrix, &z0.vector);
    memcpy(beta, s->z0, k * sizeof *beta);
    gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &L.matrix, &bv.vector);
    gsl_blas_dgemv(CblasNoTrans, 1.0, &X.matrix, &bv.vector, 0.0, &fv.vector);
    double rss0 = 0.0;
    for (size_t j = 0; j < n; j++)
        rss0 += (y[j] - fitted[j]) * (y[j] - fitted[j]);

    double theta[MKBA_SMOOTH_MAX_PENALTIES] = { 0 }, r, yy = 0.0, ym = 0.0;
    for (size_t j = 0; j < n; j++)
        ym += y[j] / (double)n;
    for (size_t j = 0; j < n; j++)
        yy += (y[j] - ym) * (y[j] - ym);
    ray_eigen(s, theta);
    double best = ray_search(s, rss0, &r);
    /* A response the basis reproduces (to rounding or the ridge) leaves
     * GCV nothing to choose from: the search is skipped. */
    int exact = rss0 <= 1e-12 * yy;
    /* Ratios of the smoothing parameters, one at a time: steps of e^3 then
     * e (factors of 20 and 2.7) in the direction that lowers GCV, as long
     * as it does, within e^+-15; GCV is flat at finer scales. */
    for (double step = 3.0; !exact && s->npen > 1 && step >= 1.0; step /= 3.0)
        for (size_t j = 1; j < s->npen; j++)
            for (int sg = -1, moved = 0; sg <= 1 && !moved; sg += 2)
                while (fabs(theta[j] + sg * step) <= 15.0) {
                    double rt;
                    theta[j] += sg * step;
                    ray_eigen(s, theta);
                    double g = ray_search(s, rss0, &rt);
                    if (!(g < best * (1.0 - 1e-9))) {
                        theta[j] -= sg * step;
                        break;
                    }
                    best = g;
                    r = rt;
                    moved = 1;
                }
    ray_eigen(s, theta);
    double edf;
    gcv(s, rss0, r, &edf);

    /* beta = L^-T U diag(a) z with a_i = 1 / (1 + rho ev_i). */
    const double rho = exp(r);
    for (size_t i = 0; i < k; i++)
        s->w[i] = s->z[i] / (1.0 + rho * s->ev[i]);
    gsl_matrix_view U = gsl_matrix_view_array(s->U, k, k);
    gsl_vector_view wv = gsl_vector_view_array(s->w, k);
    gsl_blas_dgemv(CblasNoTrans, 1.0, &U.matrix, &wv.vector, 0.0, &bv.vector);
    gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &L.matrix, &bv.vector);
    gsl_blas_dgemv(CblasNoTrans, 1.0, &X.matrix, &bv.vector, 0.0, &fv.vector);
    if (post != NULL) {
        /* (X'X + S)^-1 = L^-T U diag(a) U' L^-1: post = L^-T U diag(sigma sqrt(a)). */
        double rss = 0.0;
        for (size_t j = 0; j < n; j++)
            rss += (y[j] - fitted[j]) * (y[j] - fitted[j]);
        double sigma2 = rss / ((double)n - edf);
        for (size_t c = 0; c < k; c++) {
            double f = sqrt(sigma2 / (1.0 + rho * s->ev[c]));
            for (size_t i = 0; i < k; i++)
                post[i * k + c] = s->U[i * k + c] * f;
        }
        gsl_matrix_view P = gsl_matrix_view_array(post, k, k);
        gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, &L.matrix, &P.matrix);
    }
    return edf;
}
