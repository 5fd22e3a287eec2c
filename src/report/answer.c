/* The answer first (see answer.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "core/alloc.h"
#include "core/strutil.h"
#include "answer.h"
#include "html_text.h"

size_t mkba_answer_perspective(const mkba_h5_totals *t, const char *name)
{
    for (size_t k = 0; k < t->nperspectives; k++)
        if (strcmp(t->perspective[k], name) == 0)
            return k;
    return t->nperspectives;
}

/* 1 when the file has a municipality perspective with a payer in it. */
static int has_municipal_payer(const mkba_h5_totals *t, size_t k)
{
    if (k >= t->nperspectives || t->payer_municipal == NULL)
        return 0;
    for (size_t p = 0; p < t->npayers; p++)
        if (t->payer_municipal[p])
            return 1;
    return 0;
}

void mkba_answer_free(mkba_answer *a)
{
    if (a == NULL)
        return;
    mkba_free(a->npv);
    mkba_free(a);
}

double mkba_answer_payer_net(const mkba_h5_totals *t, const mkba_decision *d, size_t a,
                             size_t p)
{
    size_t rows = t->npayers + MKBA_PR_EXTRA;
    return d->payer_table[(a * rows + p) * MKBA_PT_N + MKBA_PT_NET];
}

int mkba_answer_payer_sign(const mkba_h5_totals *t, const mkba_decision *d, size_t a,
                           size_t p)
{
    double net = mkba_answer_payer_net(t, d, a, p);
    return net > 0.5 ? 1 : net < -0.5 ? -1 : 0;
}

void mkba_answer_breakeven_year(const mkba_decision *d, size_t k, size_t a, double *year,
                                double *share)
{
    size_t A = d->narms, Y = d->nyears;
    *year = *share = NAN;
    for (size_t y = 0; y < Y; y++) {
        double p = d->breakeven_by_year[(k * A + a) * Y + y];
        if (p >= 0.5) {
            *year = (double)(y + 1);
            *share = p;
            return;
        }
    }
}

/* P(NPV > 0) for society per arm from /analysis/cashflow/npv_draws; NAN
 * when the file has none (a part of a split run) or one draw. */
static int positive_shares(const char *path, const mkba_h5_totals *t, mkba_answer *an,
                           mkba_error *err)
{
    size_t K = t->nperspectives, D = t->ndraws, A = t->narms;
    for (size_t a = 0; a < A; a++)
        an->p_positive[a] = NAN;
    mkba_h5_store *st = mkba_h5_store_open(path, 0, err);
    if (st == NULL)
        return err != NULL ? err->code : MKBA_EIO;
    int rc = MKBA_OK;
    if (an->uncertain && mkba_h5_store_has(st, "/analysis/cashflow/npv_draws")) {
        size_t dims[3] = { K, D, A };
        double *v = mkba_malloc((K * D * A + 1) * sizeof *v);
        if (v == NULL)
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        else
            rc = mkba_h5_store_read_doubles(st, "/analysis/cashflow/npv_draws", 3, dims, v, err);
        for (size_t a = 0; rc == MKBA_OK && a < A; a++) {
            if ((int)a == t->reference)
                continue;
            size_t n = 0;
            for (size_t dr = 0; dr < D; dr++)
                n += v[(an->society * D + dr) * A + a] > 0;
            an->p_positive[a] = (double)n / (double)D;
        }
        mkba_free(v);
    }
    int rc2 = mkba_h5_store_close(st, err);
    return rc != MKBA_OK ? rc : rc2;
}

mkba_answer *mkba_answer_alloc(const char *path, const mkba_h5_totals *t,
                               const mkba_decision *d, mkba_error *err)
{
    size_t A = t->narms;
    mkba_answer *an = mkba_calloc(1, sizeof *an);
    double *block = mkba_malloc((8 * A + 1) * sizeof *block);
    if (an == NULL || block == NULL) {
        mkba_free(an);
        mkba_free(block);
        mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        return NULL;
    }
    an->npv = block;
    an->npv_lo = block + A;
    an->npv_hi = block + 2 * A;
    an->p_best = block + 3 * A;
    an->p_positive = block + 4 * A;
    an->be_year = block + 5 * A;
    an->be_share = block + 6 * A;
    an->be_never = block + 7 * A;
    an->society = mkba_answer_perspective(t, "society");
    if (an->society == t->nperspectives)
        an->society = 0;
    an->municipality = mkba_answer_perspective(t, "municipality");
    an->has_municipality = has_municipal_payer(t, an->municipality);
    an->uncertain = t->ndraws >= 2;
    an->horizon_years = (double)t->ncycles * t->cycle_years;
    an->best = (size_t)t->reference;
    for (size_t a = 0; a < A; a++) {
        const double *npv = &d->npv[(an->society * A + a) * MKBA_ST_N];
        int ref = (int)a == t->reference;
        an->npv[a] = ref ? 0.0 : npv[MKBA_ST_MEAN];
        an->npv_lo[a] = ref || !an->uncertain ? NAN : npv[MKBA_ST_LO];
        an->npv_hi[a] = ref || !an->uncertain ? NAN : npv[MKBA_ST_HI];
        an->p_best[a] = an->uncertain ? d->rank_npv[a * A] : NAN;
        an->be_year[a] = an->be_share[a] = an->be_never[a] = NAN;
        if (!ref && an->has_municipality) {
            mkba_answer_breakeven_year(d, an->municipality, a, &an->be_year[a],
                                       &an->be_share[a]);
            an->be_never[a] = d->breakeven[(an->municipality * A + a) * MKBA_BE_N
                                           + MKBA_BE_NEVER];
        }
        if (an->npv[a] > an->npv[an->best])
            an->best = a;
    }
    an->keep_reference = (int)an->best == t->reference;
    an->alternative = an->best;
    for (size_t a = 0; an->keep_reference && a < A; a++)
        if ((int)a != t->reference && ((int)an->alternative == t->reference
                                       || an->npv[a] > an->npv[an->alternative]))
            an->alternative = a;
    if (positive_shares(path, t, an, err) != MKBA_OK) {
        mkba_answer_free(an);
        return NULL;
    }
    return an;
}

/* At most MKBA_CALIBRATED_TO_MAX characters of s into buf (at least
 * MKBA_QUOTE_SIZE bytes), "..." marking a cut, never inside a character. */
static const char *quoted(char *buf, const char *s)
{
    size_t n = mkba_utf8_prefix(s, MKBA_CALIBRATED_TO_MAX);
    snprintf(buf, MKBA_QUOTE_SIZE, "%.*s%s", (int)n, s, s[n] != '\0' ? "..." : "");
    return buf;
}

const char *mkba_answer_calibration_target(const mkba_h5_totals *t, size_t a, char *buf)
{
    buf[0] = '\0';
    if (t->arm_calibrated_to == NULL || a >= t->narms || t->arm_calibrated_to[a][0] == '\0')
        return NULL;
    return quoted(buf, t->arm_calibrated_to[a]);
}

int mkba_answer_calibration_banner(const mkba_h5_totals *t, size_t a, char *buf, size_t size)
{
    if (size > 0)
        buf[0] = '\0';
    /* A scenario's target has at most MKBA_CALIBRATED_TO_MAX characters; a
     * file may hold a longer one (written by hand or an older version), so
     * the quotes are cut and the warning always ends the banner in the
     * callers' buffers of MKBA_BANNER_SIZE. */
    char target[MKBA_QUOTE_SIZE], name[MKBA_QUOTE_SIZE];
    if (mkba_answer_calibration_target(t, a, target) == NULL)
        return 0;
    snprintf(buf, size, "arm %s is tuned to reproduce %s; agreement with %s is not evidence",
             quoted(name, t->arm[a]), target, target);
    return 1;
}

void mkba_answer_table(mkba_report *r, const mkba_h5_totals *t, const mkba_answer *an)
{
    static const char *const col[] = { "arm", "NPV society", "2.5%", "97.5%", "P(best)",
                                       "P(NPV > 0)", "break-even year municipality",
                                       "broken even by then", "not within horizon",
                                       "calibrated to" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_MONEY, MKBA_COL_MONEY,
                                          MKBA_COL_MONEY, MKBA_COL_SHARE, MKBA_COL_SHARE,
                                          MKBA_COL_INT, MKBA_COL_SHARE, MKBA_COL_SHARE,
                                          MKBA_COL_TEXT };
    mkba_rtable *tb = mkba_report_table(r, "answer", "Per arm against the reference "
                                        "(money per household, present values)",
                                        10, col, kind);
    for (size_t a = 0; tb != NULL && a < t->narms; a++) {
        long row = mkba_rtable_row(r, tb);
        mkba_rtable_str(r, tb, row, 0, t->arm[a]);
        double v[] = { an->npv[a], an->npv_lo[a], an->npv_hi[a], an->p_best[a],
                       an->p_positive[a], an->be_year[a], an->be_share[a], an->be_never[a] };
        for (size_t c = 0; c < 8; c++)
            mkba_rtable_num(tb, row, c + 1, v[c]);
        /* The banner's target as a column too: CSV keeps no notes. */
        mkba_rtable_str(r, tb, row, 9, t->arm_calibrated_to != NULL
                                       ? t->arm_calibrated_to[a] : "");
    }
    mkba_rtable_note(r, tb, "Best: the highest mean NPV for society (%s, the reference, counts "
                     "as 0).", t->arm[t->reference]);
    if (!an->uncertain)
        mkba_rtable_note(r, tb, "Base case only: no uncertainty analysis (no intervals or "
                         "probabilities).");
    if (an->has_municipality)
        mkba_rtable_note(r, tb, "Break-even year (discounted): the first year in which at "
                         "least half of the draws have broken even, i.e. the municipality's "
                         "cumulative discounted net benefit is >= 0 from that year on; empty "
                         "when fewer than half have within the horizon.");
    else
        mkba_rtable_note(r, tb, "No municipal payer in this scenario: no break-even for the "
                         "municipality.");
    char banner[MKBA_BANNER_SIZE];
    for (size_t a = 0; a < t->narms; a++)
        if (mkba_answer_calibration_banner(t, a, banner, sizeof banner))
            mkba_rtable_note(r, tb, "Calibrated: %s.", banner);
    /* First, so a workbook opens on it. */
    if (tb != NULL) {
        memmove(r->table + 1, r->table, (r->n - 1) * sizeof *r->table);
        r->table[0] = tb;
    }
}

/* Whole money with thousands separators: 15,729. */
static void money(char *buf, size_t size, double v)
{
    mkba_format_number(buf, size, v, 0, 0);
}

/* The payers whose mean net position has `sign`, with their amounts. */
static void payers(FILE *f, const mkba_h5_totals *t, const mkba_decision *d, size_t a, int sign)
{
    int any = 0;
    char m[64];
    for (size_t p = 0; p < t->npayers; p++) {
        if (mkba_answer_payer_sign(t, d, a, p) == sign) {
            money(m, sizeof m, mkba_answer_payer_net(t, d, a, p));
            fprintf(f, "%s%s %s", any ? ", " : "", t->payer[p], m);
            any = 1;
        }
    }
    fputs(any ? "\n" : "nobody\n", f);
}

/* The banners of the calibrated arms, one line each. */
static void banners(FILE *f, const mkba_h5_totals *t)
{
    char banner[MKBA_BANNER_SIZE];
    for (size_t a = 0; a < t->narms; a++)
        if (mkba_answer_calibration_banner(t, a, banner, sizeof banner))
            fprintf(f, "  Calibrated       %s.\n", banner);
}

static void answer_lines(FILE *f, const mkba_h5_totals *t, const mkba_decision *d,
                         const mkba_answer *an)
{
    const char *cur = t->currency ? t->currency : "", *ref = t->arm[t->reference];
    size_t b = an->best;
    char m1[64], m2[64], m3[64];
    if (an->keep_reference) {
        fprintf(f, "The answer: keep %s (the reference): no arm has a higher mean net present "
                "value for society.\n", ref);
        if ((int)an->alternative == t->reference)
            return;
        b = an->alternative;
        fprintf(f, "  Best alternative %s\n", t->arm[b]);
    } else {
        fprintf(f, "The answer: choose %s.\n", t->arm[b]);
    }
    money(m1, sizeof m1, an->npv[b]);
    fprintf(f, "  NPV for society  %s %s per household against %s", cur, m1, ref);
    if (isfinite(an->npv_lo[b])) {
        money(m2, sizeof m2, an->npv_lo[b]);
        money(m3, sizeof m3, an->npv_hi[b]);
        fprintf(f, " (95%%: %s to %s)", m2, m3);
    }
    if (an->uncertain) {
        fprintf(f, "\n  How sure         best arm in %.1f%% of the draws", 100.0 * an->p_best[b]);
        if (isfinite(an->p_positive[b]))
            fprintf(f, "; NPV above 0 in %.1f%%", 100.0 * an->p_positive[b]);
    } else {
        fputs("\n  How sure         base case only: no uncertainty analysis", f);
    }
    fputs("\n  Breaks even      ", f);
    if (!an->has_municipality)
        fputs("no municipal payer: no break-even for the municipality\n", f);
    else if (!an->uncertain && isfinite(an->be_year[b]))
        fprintf(f, "for the municipality (discounted) in year %.0f\n", an->be_year[b]);
    else if (!an->uncertain)
        fprintf(f, "for the municipality (discounted): not within the %.4g-year horizon\n",
                an->horizon_years);
    else if (isfinite(an->be_year[b]))
        fprintf(f, "for the municipality (discounted) in year %.0f, when %.1f%% of the draws "
                "have; not within %.4g years in %.1f%%\n", an->be_year[b],
                100.0 * an->be_share[b], an->horizon_years, 100.0 * an->be_never[b]);
    else
        fprintf(f, "for the municipality (discounted): not within the %.4g-year horizon in "
                "%.1f%% of the draws\n", an->horizon_years, 100.0 * an->be_never[b]);
    fprintf(f, "  Who gains        ");
    payers(f, t, d, b, 1);
    fprintf(f, "  Who pays         ");
    payers(f, t, d, b, -1);
}

void mkba_answer_print(FILE *f, const mkba_h5_totals *t, const mkba_decision *d,
                       const mkba_answer *an)
{
    answer_lines(f, t, d, an);
    banners(f, t);
}
