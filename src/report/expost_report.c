/* The tables of an ex-post evaluation (/expost, docs/expost.md), read from
 * the file only: each observation against its ex-ante predictive
 * distribution, the calibration summary, the update (effective sample
 * size, conflict), the parameters the data narrowed, and the decision
 * outputs ex-ante and ex-post side by side. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mkba/expost.h"
#include "core/alloc.h"
#include "io/h5out.h"
#include "analysis/decision.h"
#include "report/report.h"
#include "report/expost_report.h"
#include "expost/expost_impl.h"

/* The parameters shown, most narrowed first; the file holds them all. */
#define MAX_PARAMETER_ROWS 20

static const char *const flag_text[] = { "inside 50%", "outside 50%", "outside 90%",
                                         "CONFLICT" };

typedef struct file {
    mkba_h5_store *st;
    mkba_h5_totals *t;
    mkba_error *err;
    int failed;
    char **obs, **metric, **param, **rows, **refined;
    size_t nobs, nparam, nrows, nrefined;
    double *data, *prior, *post, *cal, *update, *ps;
    int *flag, *pit, *year;
    double *npv[2], *be[2], *pay[2], *rank[2], *evpi[2];  /* [0] ex-ante, [1] ex-post */
    /* The refinement's repeats (/expost/refine/repeats, decorrelation:
     * [stage][walk]; NULL in files written before them) and its cap. */
    size_t nstages;
    int *repeats;
    double *decorrelation;
    long max_repeats;
} file;

/* Reads dataset name of shape dims (rank <= 3) as doubles or ints. */
static void *read(file *f, const char *name, int rank, size_t d0, size_t d1, size_t d2,
                  int ints)
{
    if (f->failed)
        return NULL;
    size_t dims[3] = { d0, d1, d2 }, n = d0 * (rank > 1 ? d1 : 1) * (rank > 2 ? d2 : 1);
    void *v = mkba_malloc((n + 1) * (ints ? sizeof(int) : sizeof(double)));
    int rc = v == NULL ? (int)mkba_error_set(f->err, MKBA_ENOMEM, "out of memory")
             : ints   ? mkba_h5_store_read_ints(f->st, name, rank, dims, v, f->err)
                      : mkba_h5_store_read_doubles(f->st, name, rank, dims, v, f->err);
    if (rc != MKBA_OK) {
        mkba_free(v);
        f->failed = 1;
        return NULL;
    }
    return v;
}

static char **strings(file *f, const char *name, size_t *n)
{
    char **v = NULL;
    if (!f->failed && mkba_h5_store_read_strings(f->st, name, &v, n, f->err) != MKBA_OK)
        f->failed = 1;
    return v;
}

static void file_free(file *f)
{
    mkba_h5_store_strings_free(f->obs, f->nobs);
    mkba_h5_store_strings_free(f->metric, f->nobs);
    mkba_h5_store_strings_free(f->param, f->nparam);
    mkba_h5_store_strings_free(f->rows, f->nrows);
    mkba_h5_store_strings_free(f->refined, f->nrefined);
    void *v[] = { f->data, f->prior, f->post, f->cal, f->update, f->ps, f->flag, f->pit, f->year,
                  f->repeats, f->decorrelation,
                  f->npv[0], f->npv[1], f->be[0], f->be[1], f->pay[0], f->pay[1],
                  f->rank[0], f->rank[1], f->evpi[0], f->evpi[1] };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        mkba_free(v[i]);
    mkba_h5_totals_free(f->t);
    mkba_h5_store_close(f->st, NULL);
}

/* The refinement's repeats per stage and walk, and its cap. Every mkba
 * that writes /expost/refine/repeats writes decorrelation and the
 * attributes max_repeats and repeat_rule with them (docs/output.md), so a
 * file with repeats but without either attribute, or with another rule,
 * is damaged: an error, not a guess at how its stages ended. */
static void read_repeats(file *f, const char *path)
{
    f->nstages = mkba_h5_store_length(f->st, "/expost/refine/phi");
    f->repeats = read(f, "/expost/refine/repeats", 2, f->nstages, MKBA_WALKS, 0, 1);
    f->decorrelation = read(f, "/expost/refine/decorrelation", 2, f->nstages, MKBA_WALKS, 0, 0);
    char *cap = NULL, *rule = NULL;
    if (!f->failed
        && (mkba_h5_store_read_attr(f->st, "/expost/refine", "max_repeats", &cap, f->err)
                != MKBA_OK
            || mkba_h5_store_read_attr(f->st, "/expost/refine", "repeat_rule", &rule, f->err)
                != MKBA_OK))
        f->failed = 1;
    char *end = NULL;
    f->max_repeats = cap != NULL ? strtol(cap, &end, 10) : -1;
    if (!f->failed && (cap == NULL || end == cap || *end != '\0' || f->max_repeats < 0)) {
        mkba_error_set(f->err, MKBA_EPARSE, "%s: /expost/refine has repeats but its attribute "
                       "max_repeats is %s%s%s (expected a whole number >= 0)", path,
                       cap != NULL ? "'" : "missing", cap != NULL ? cap : "",
                       cap != NULL ? "'" : "");
        f->failed = 1;
    }
    if (!f->failed && (rule == NULL || strcmp(rule, MKBA_EXPOST_REPEAT_RULE) != 0)) {
        mkba_error_set(f->err, MKBA_EPARSE, "%s: /expost/refine has repeats but its attribute "
                       "repeat_rule is %s%s%s (expected '%s', which mkba writes with them); "
                       "the file is damaged: run mkba expost again", path,
                       rule != NULL ? "'" : "missing", rule != NULL ? rule : "",
                       rule != NULL ? "'" : "", MKBA_EXPOST_REPEAT_RULE);
        f->failed = 1;
    }
    mkba_free(cap);
    mkba_free(rule);
}

static int load(file *f, const char *path)
{
    if (mkba_h5_read_totals(path, &f->t, f->err) != MKBA_OK)
        return f->err->code;
    if ((f->st = mkba_h5_store_open(path, 0, f->err)) == NULL)
        return f->err->code;
    if (!mkba_h5_store_has(f->st, "/expost"))
        return mkba_error_set(f->err, MKBA_EINVAL, "%s holds no ex-post evaluation (/expost); "
                              "write one with mkba expost", path);
    const mkba_h5_totals *t = f->t;
    size_t k = t->nperspectives, a = t->narms;
    f->obs = strings(f, "/expost/observation", &f->nobs);
    size_t nm = 0;
    f->metric = strings(f, "/expost/metric", &nm);
    f->param = strings(f, "/expost/parameter", &f->nparam);
    f->rows = strings(f, "/analysis/payers/rows", &f->nrows);
    if (mkba_h5_store_has(f->st, "/expost/refine/parameter"))
        f->refined = strings(f, "/expost/refine/parameter", &f->nrefined);
    size_t no = f->nobs;
    f->data = read(f, "/expost/data", 2, no, 3, 0, 0);
    f->prior = read(f, "/expost/prior_predictive", 2, no, MKBA_PRED_N, 0, 0);
    f->post = read(f, "/expost/posterior_predictive", 2, no, MKBA_PRED_N, 0, 0);
    f->flag = read(f, "/expost/flag", 1, no, 0, 0, 1);
    f->year = read(f, "/expost/year", 1, no, 0, 0, 1);
    f->pit = read(f, "/expost/pit", 1, MKBA_PIT_BINS, 0, 0, 1);
    f->cal = read(f, "/expost/calibration", 1, MKBA_CAL_N, 0, 0, 0);
    /* /expost/update grew (its statistics changed meaning with it): an
     * older file is refused with what to do, not read as this layout. */
    size_t nup = mkba_h5_store_length(f->st, "/expost/update");
    if (!f->failed && nup > 0 && nup != MKBA_UP_N) {
        mkba_error_set(f->err, MKBA_EPARSE, "%s was written by an older mkba (/expost/update "
                       "has %zu columns, expected %d); run mkba expost again", path, nup,
                       MKBA_UP_N);
        f->failed = 1;
    }
    f->update = read(f, "/expost/update", 1, MKBA_UP_N, 0, 0, 0);
    if (!f->failed && mkba_h5_store_has(f->st, "/expost/refine/repeats"))
        read_repeats(f, path);
    f->ps = read(f, "/expost/parameter_summary", 2, f->nparam, MKBA_PS_N, 0, 0);
    static const char *const group[2] = { "/analysis", "/expost/posterior" };
    static const char *const npv[2] = { "cashflow/npv", "npv" };
    static const char *const be[2] = { "cashflow/breakeven", "breakeven" };
    static const char *const pay[2] = { "payers/table", "payers" };
    static const char *const rank[2] = { "ranking/npv_rank", "npv_rank" };
    static const char *const evpi[2] = { "ranking/evpi_npv", "evpi_npv" };
    for (int i = 0; i < 2; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s/%s", group[i], npv[i]);
        f->npv[i] = read(f, name, 3, k, a, MKBA_ST_N, 0);
        snprintf(name, sizeof name, "%s/%s", group[i], be[i]);
        f->be[i] = read(f, name, 3, k, a, MKBA_BE_N, 0);
        snprintf(name, sizeof name, "%s/%s", group[i], pay[i]);
        f->pay[i] = read(f, name, 3, a, f->nrows, MKBA_PT_N, 0);
        snprintf(name, sizeof name, "%s/%s", group[i], rank[i]);
        f->rank[i] = read(f, name, 2, a, a, 0, 0);
        snprintf(name, sizeof name, "%s/%s", group[i], evpi[i]);
        f->evpi[i] = read(f, name, 1, 1, 0, 0, 0);
    }
    return f->failed ? f->err->code : MKBA_OK;
}

/* The unit of observation i as the sentence gives it, into buf: spending
 * is in the price year's money, a budget figure in its own year's prices
 * (docs/expost.md, the metric table). */
static const char *unit_of(const file *f, size_t i, char *buf, size_t size)
{
    const char *m = f->metric[i];
    if (strcmp(m, "spending") == 0)
        snprintf(buf, size, "%s %d", f->t->currency, f->t->price_year);
    else if (strcmp(m, "budget") == 0)
        snprintf(buf, size, "%s in that year's prices", f->t->currency);
    else
        snprintf(buf, size, "%s", strcmp(m, "mean_wait") == 0 ? "years" : "per 1000");
    return buf;
}

static void confrontation(mkba_report *r, const file *f)
{
    static const char *const col[] = { "observation", "observed", "expected", "5%", "95%",
                                       "percentile", "z", "flag", "posterior" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_RATIO, MKBA_COL_RATIO,
                                          MKBA_COL_RATIO, MKBA_COL_RATIO, MKBA_COL_INT,
                                          MKBA_COL_RATIO, MKBA_COL_TEXT, MKBA_COL_RATIO };
    mkba_rtable *t = mkba_report_table(r, "expost_confrontation", "Observed against the "
                                       "ex-ante predictive distribution", 9, col, kind);
    for (size_t i = 0; i < f->nobs; i++) {
        const double *p = f->prior + i * MKBA_PRED_N;
        long row = mkba_rtable_row(r, t);
        mkba_rtable_str(r, t, row, 0, f->obs[i]);
        mkba_rtable_num(t, row, 1, f->data[3 * i]);
        mkba_rtable_num(t, row, 2, p[MKBA_PRED_MEAN]);
        mkba_rtable_num(t, row, 3, p[MKBA_PRED_P05]);
        mkba_rtable_num(t, row, 4, p[MKBA_PRED_P95]);
        mkba_rtable_num(t, row, 5, round(100 * p[MKBA_PRED_PERCENTILE]));
        mkba_rtable_num(t, row, 6, p[MKBA_PRED_Z]);
        mkba_rtable_str(r, t, row, 7, flag_text[f->flag[i] & 3]);
        mkba_rtable_num(t, row, 8, f->post[i * MKBA_PRED_N + MKBA_PRED_MEAN]);
    }
    for (size_t i = 0; i < f->nobs; i++) {
        const double *p = f->prior + i * MKBA_PRED_N;
        char unit[64];
        mkba_rtable_note(r, t, "%s: observed %.4g %s, expected %.4g (90%%: %.4g-%.4g), "
                         "percentile %.0f%s", f->obs[i], f->data[3 * i],
                         unit_of(f, i, unit, sizeof unit),
                         p[MKBA_PRED_MEAN], p[MKBA_PRED_P05], p[MKBA_PRED_P95],
                         100 * p[MKBA_PRED_PERCENTILE],
                         f->flag[i] == MKBA_FLAG_CONFLICT ? " - prior-data conflict" : "");
    }
    mkba_rtable_note(r, t, "expected: mean of the predictive distribution (parameter "
                     "uncertainty plus household noise at n); posterior: its mean after the "
                     "update");
}

static void calibration(mkba_report *r, const file *f)
{
    static const char *const col[] = { "percentile bin", "observations" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_INT };
    mkba_rtable *t = mkba_report_table(r, "expost_calibration", "Calibration: PIT histogram "
                                       "of the observations' ex-ante percentiles", 2, col,
                                       kind);
    for (int b = 0; b < MKBA_PIT_BINS; b++) {
        char bin[32];
        snprintf(bin, sizeof bin, "%d-%d", 10 * b, 10 * b + 10);
        long row = mkba_rtable_row(r, t);
        mkba_rtable_str(r, t, row, 0, bin);
        mkba_rtable_num(t, row, 1, f->pit[b]);
    }
    mkba_rtable_note(r, t, "inside the 50%% interval: %.0f%% of the observations (50%% "
                     "expected); inside the 90%%: %.0f%% (90%% expected); prior-data "
                     "conflicts: %.0f", 100 * f->cal[MKBA_CAL_INSIDE_50],
                     100 * f->cal[MKBA_CAL_INSIDE_90],
                     f->cal[MKBA_CAL_CONFLICTS]);
}

/* The stages at which the --max-repeats cap stopped walk w short of its
 * decorrelation target (the repeats used up, its share below 1), listed
 * as "stage 6: 0.94, ..." into buf (at most 6); returns how many, and in
 * *measured the stages where w had a share (a step among the moves and a
 * score to decorrelate). */
static size_t capped_stages(const file *f, int w, char *buf, size_t size, size_t *measured)
{
    size_t n = 0, used = 0;
    buf[0] = '\0';
    *measured = 0;
    for (size_t st = 0; st < f->nstages; st++) {
        const int *rep = f->repeats + st * MKBA_WALKS;
        double share = f->decorrelation[st * MKBA_WALKS + (size_t)w];
        *measured += !isnan(share);
        if (isnan(share) || share >= 1 || rep[0] + rep[1] < f->max_repeats)
            continue;
        if (n < 6 && used < size)
            used += (size_t)snprintf(buf + used, size - used, "%sstage %zu: %.2f",
                                     n > 0 ? ", " : "", st + 1, share);
        else if (n == 6 && used < size)
            used += (size_t)snprintf(buf + used, size - used, ", ...");
        n++;
    }
    return n;
}

/* Where the --max-repeats cap stopped the walk that holds the stages open
 * (refine.c: the refined walk, or the other walk when nothing was
 * refined), and how far the other walk got beside it. */
static void repeat_note(mkba_report *r, mkba_rtable *t, const file *f)
{
    static const char *const walk[MKBA_WALKS] = { "refined walk", "other walk" };
    if (f->repeats == NULL || f->nstages == 0)
        return;
    int h = MKBA_WALK_OTHER;
    for (size_t st = 0; st < f->nstages; st++)
        if (!isnan(f->decorrelation[st * MKBA_WALKS + MKBA_WALK_REFINED]))
            h = MKBA_WALK_REFINED;
    char cap[64], list[256];
    snprintf(cap, sizeof cap, "the cap of %ld decorrelation repeats a stage (--max-repeats)",
             f->max_repeats);
    size_t measured = 0, n = capped_stages(f, h, list, sizeof list, &measured);
    const char *why = h == MKBA_WALK_REFINED ? "which holds each stage open"
                                             : "which holds each stage open: nothing was "
                                               "refined";
    if (measured == 0)
        /* Every score it moves is free or redrawn from the prior: its
         * criterion holds at once (refine.c), there is no target to reach. */
        mkba_rtable_note(r, t, "the %s (%s) had no score to decorrelate at any stage",
                         walk[h], why);
    else if (n > 0 && f->max_repeats == 0)
        mkba_rtable_note(r, t, "with the decorrelation repeats off (--max-repeats 0) the "
                         "%s (%s) fell short of its decorrelation target at %zu of %zu "
                         "stages (%s of the target); its scores may stay close to their "
                         "ancestors there: raise --max-repeats", walk[h], why, n,
                         f->nstages, list);
    else if (n > 0)
        mkba_rtable_note(r, t, "%s stopped the %s (%s) short of its decorrelation target "
                         "at %zu of %zu stages (%s of the target); its scores may stay "
                         "close to their ancestors there: raise --max-repeats",
                         cap, walk[h], why, n, f->nstages, list);
    else if (measured == f->nstages)
        mkba_rtable_note(r, t, "the %s (%s) reached its decorrelation target at every "
                         "stage within %s", walk[h], why, cap);
    else
        mkba_rtable_note(r, t, "the %s (%s) reached its decorrelation target within %s at "
                         "each of the %zu of %zu stages where it had scores to "
                         "decorrelate", walk[h], why, cap, measured, f->nstages);
    if (h != MKBA_WALK_REFINED)
        return;
    /* The other walk moves beside the refined walk and stops with it. */
    double lo = INFINITY, hi = -INFINITY, last = NAN;
    for (size_t st = 0; st < f->nstages; st++) {
        double share = f->decorrelation[st * MKBA_WALKS + MKBA_WALK_OTHER];
        if (isnan(share))
            continue;
        lo = fmin(lo, share);
        hi = fmax(hi, share);
        last = share;
    }
    if (!isnan(last))
        mkba_rtable_note(r, t, "the other walk moves beside the refined walk but never holds "
                         "a stage open: it reached %.2f to %.2f of its decorrelation target "
                         "over the stages (%.2f at the last)", lo, hi, last);
}

static void update(mkba_report *r, const file *f)
{
    static const char *const col[] = { "statistic", "value" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_RATIO };
    mkba_rtable *t = mkba_report_table(r, "expost_update", "Update by sampling importance "
                                       "resampling", 2, col, kind);
    static const char *const name[MKBA_UP_N] = { "ex-ante draws", "effective sample size",
                                            "threshold", "log marginal likelihood",
                                            "largest weight", "prior-data conflicts",
                                            "below threshold", "refined",
                                            "model evaluations", "temperature reached",
                                            "distinct points (refined: ex-ante ancestors)",
                                            "scores found free (redrawn from the prior)",
                                            "mean sd of the other unrefined scores "
                                            "(prior: 1)" };
    for (int i = 0; i < MKBA_UP_N; i++) {
        long row = mkba_rtable_row(r, t);
        mkba_rtable_str(r, t, row, 0, name[i]);
        mkba_rtable_num(t, row, 1, f->update[i]);
    }
    if (f->update[MKBA_UP_ESS_LOW] > 0 && f->update[MKBA_UP_REFINED] > 0) {
        char moved[512] = "";
        size_t used = 0;
        for (size_t i = 0; i < f->nrefined && used < sizeof moved; i++)
            used += (size_t)snprintf(moved + used, sizeof moved - used, "%s%s",
                                     i > 0 ? ", " : "", f->refined[i]);
        mkba_rtable_note(r, t, "the importance weights rested on %.1f effective draws of %.0f "
                         "(below %.0f), so the posterior is the sequential Monte Carlo "
                         "refinement's: %.0f model evaluations, temperature %.2f reached, "
                         "moving every uncertain parameter, with a tuned random walk on %s",
                         f->update[MKBA_UP_ESS], f->update[MKBA_UP_DRAWS],
                         f->update[MKBA_UP_ESS_THRESHOLD], f->update[MKBA_UP_EVALUATIONS],
                         f->update[MKBA_UP_FINAL_PHI], moved);
        repeat_note(r, t, f);
    } else if (f->update[MKBA_UP_ESS_LOW] > 0) {
        mkba_rtable_note(r, t, "the posterior rests on %.1f effective draws of %.0f (below "
                         "%.0f): the data are much more precise than the prior, or conflict "
                         "with it; rerun with more --draws or without --no-refine",
                         f->update[MKBA_UP_ESS], f->update[MKBA_UP_DRAWS],
                         f->update[MKBA_UP_ESS_THRESHOLD]);
    }
    if (f->update[MKBA_UP_CONFLICTS] > 0)
        mkba_rtable_note(r, t, "prior-data conflict: %.0f observation(s) lie in the far tail "
                         "of the ex-ante predictive distribution; the update absorbs them "
                         "only as far as the prior allows - check the data and the "
                         "scenario's assumptions", f->update[MKBA_UP_CONFLICTS]);
}

/* Whether parameter `name` is one of the refinement's tuned walk. */
static int refined(const file *f, const char *name)
{
    for (size_t i = 0; i < f->nrefined; i++)
        if (strcmp(f->refined[i], name) == 0)
            return 1;
    return 0;
}

static void parameters(mkba_report *r, const file *f)
{
    static const char *const col[] = { "parameter", "prior mean", "prior 5%", "prior 95%",
                                       "posterior mean", "posterior 5%", "posterior 95%",
                                       "narrowed", "distinct values" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_EFFECT, MKBA_COL_EFFECT,
                                          MKBA_COL_EFFECT, MKBA_COL_EFFECT, MKBA_COL_EFFECT,
                                          MKBA_COL_EFFECT, MKBA_COL_SHARE, MKBA_COL_INT };
    mkba_rtable *t = mkba_report_table(r, "expost_parameters", "Parameters: prior and "
                                       "posterior (refined first, then most narrowed)",
                                       2 + MKBA_PS_DISTINCT, col, kind);
    size_t n = f->nparam, *order = mkba_malloc((n + 1) * sizeof *order);
    if (order == NULL) {
        r->failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    /* Insertion sort: refined parameters first, then by narrowing, largest
     * first (NaN last). */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            double a = f->ps[order[j - 1] * MKBA_PS_N + MKBA_PS_NARROWING];
            double b = f->ps[order[j] * MKBA_PS_N + MKBA_PS_NARROWING];
            int ra = refined(f, f->param[order[j - 1]]), rb = refined(f, f->param[order[j]]);
            if (!(rb > ra || (rb == ra && (isnan(a) ? !isnan(b) : b > a))))
                break;
            size_t s = order[j];
            order[j] = order[j - 1];
            order[j - 1] = s;
        }
    for (size_t i = 0; i < n && i < MAX_PARAMETER_ROWS; i++) {
        const double *s = f->ps + order[i] * MKBA_PS_N;
        long row = mkba_rtable_row(r, t);
        char name[300];
        snprintf(name, sizeof name, "%s%s", f->param[order[i]],
                 refined(f, f->param[order[i]]) ? " *" : "");
        mkba_rtable_str(r, t, row, 0, name);
        for (int c = 0; c <= MKBA_PS_DISTINCT; c++)
            mkba_rtable_num(t, row, (size_t)c + 1, s[c]);
        double distinct = s[MKBA_PS_DISTINCT];
        /* Without refinement a value is a draw's own, so few values is few
         * draws; a refined sample's jitter makes every value distinct, and
         * its collapse is judged in sample_note instead. */
        if (f->update[MKBA_UP_REFINED] == 0 && distinct < MKBA_EXPOST_MIN_DISTINCT) {
            char why[64];
            snprintf(why, sizeof why, "not updated: rests on %.0f value%s", distinct,
                     distinct == 1 ? "" : "s");
            mkba_rtable_str(r, t, row, 1 + MKBA_PS_NARROWING, why);
        }
    }
    if (n > MAX_PARAMETER_ROWS)
        mkba_rtable_note(r, t, "%zu more parameters in /expost/parameter_summary",
                         n - MAX_PARAMETER_ROWS);
    mkba_rtable_note(r, t, "narrowed: 1 - posterior 90%% width / prior 90%% width");
    if (f->nrefined > 0)
        mkba_rtable_note(r, t, "the refinement moved every uncertain parameter, the ones "
                         "marked * with a random walk tuned to them");
    else
        mkba_rtable_note(r, t, "with fewer than %d distinct values a narrowing is "
                         "resampling rather than evidence", MKBA_EXPOST_MIN_DISTINCT);
    mkba_free(order);
}

/* Why the ex-post intervals are too narrow, into why[len] ("" when they
 * are not known to be): a resampled sample resting on too few draws, or a
 * refined one whose normal scores moved only by the other walk's small
 * steps (outside the refined walk, not found free) lost their prior
 * spread: collapsed onto its few ancestors, or narrowed by the data. */
static const char *too_narrow(const file *f, char *why, size_t len)
{
    const double *u = f->update;
    double distinct = u[MKBA_UP_DISTINCT_DRAWS];
    why[0] = '\0';
    if (u[MKBA_UP_REFINED] > 0 && u[MKBA_UP_OTHER_SPREAD] < MKBA_EXPOST_MIN_OTHER_SPREAD)
        snprintf(why, len, ": the unrefined scores not found free kept a mean sd of %.2f "
                 "(prior: 1): collapsed onto its ancestors or narrowed by the data; the "
                 "intervals may be too narrow", u[MKBA_UP_OTHER_SPREAD]);
    else if (u[MKBA_UP_REFINED] == 0 && distinct < MKBA_EXPOST_MIN_DISTINCT)
        snprintf(why, len, ": too few, the intervals are too narrow");
    return why;
}

/* What the ex-post sample rests on, for the decision and payer notes. */
static void sample_note(mkba_report *r, mkba_rtable *t, const file *f)
{
    double distinct = f->update[MKBA_UP_DISTINCT_DRAWS], phi = f->update[MKBA_UP_FINAL_PHI];
    char why[192];
    char basis[192] = "";
    int warned = *too_narrow(f, why, sizeof why) != '\0';   /* it gives the spread */
    if (!warned && f->update[MKBA_UP_REFINED] > 0 && isnan(f->update[MKBA_UP_OTHER_SPREAD]))
        snprintf(basis, sizeof basis, "; collapse not checked: every unrefined score was "
                 "found free (redrawn from the prior)");
    else if (!warned && f->update[MKBA_UP_REFINED] > 0)
        snprintf(basis, sizeof basis, "; the unrefined scores not found free kept a mean sd "
                 "of %.2f (prior: 1)", f->update[MKBA_UP_OTHER_SPREAD]);
    mkba_rtable_note(r, t, "ex-post sample: %s, effective sample size %.1f of %.0f draws, "
                     "resting on %.0f %s%s%s, temperature reached %.2f%s",
                     phi < 1 ? "tempered, not a posterior" : "the posterior",
                     f->update[MKBA_UP_ESS], f->update[MKBA_UP_DRAWS], distinct,
                     f->update[MKBA_UP_REFINED] > 0
                         ? "ex-ante draws its particles descend from through every stage"
                     : distinct == 1 ? "distinct point" : "distinct points", basis, why,
                     phi, phi < 1 ? " (accepted with --accept-partial)" : "");
}

static void decision(mkba_report *r, const file *f, int years)
{
    const mkba_h5_totals *t = f->t;
    static const char *const col[] = { "perspective", "arm", "NPV ex-ante", "NPV ex-post",
                                       "break-even ex-ante", "break-even ex-post",
                                       "never ex-ante", "never ex-post", "P(best) ex-ante",
                                       "P(best) ex-post" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_MONEY,
                                          MKBA_COL_MONEY, MKBA_COL_YEAR, MKBA_COL_YEAR,
                                          MKBA_COL_SHARE, MKBA_COL_SHARE, MKBA_COL_SHARE,
                                          MKBA_COL_SHARE };
    mkba_rtable *tb = mkba_report_table(r, "expost_decision", "Decision ex-ante and ex-post "
                                        "(per household, against the reference)", 10, col,
                                        kind);
    size_t na = t->narms;
    for (size_t k = 0; k < t->nperspectives && k < 2; k++)
        for (size_t a = 0; a < na; a++) {
            if ((int)a == t->reference)
                continue;
            long row = mkba_rtable_row(r, tb);
            mkba_rtable_str(r, tb, row, 0, t->perspective[k]);
            mkba_rtable_str(r, tb, row, 1, t->arm[a]);
            for (int i = 0; i < 2; i++) {
                const double *be = f->be[i] + (k * na + a) * MKBA_BE_N;
                mkba_rtable_num(tb, row, 2 + (size_t)i, f->npv[i][(k * na + a) * MKBA_ST_N]);
                mkba_rtable_num(tb, row, 4 + (size_t)i, be[MKBA_BE_MEDIAN]);
                mkba_rtable_num(tb, row, 6 + (size_t)i, be[MKBA_BE_NEVER]);
                mkba_rtable_num(tb, row, 8 + (size_t)i, f->rank[i][a * na]);
            }
            const double *b0 = f->be[0] + (k * na + a) * MKBA_BE_N;
            const double *b1 = f->be[1] + (k * na + a) * MKBA_BE_N;
            const double *n0 = f->npv[0] + (k * na + a) * MKBA_ST_N;
            const double *n1 = f->npv[1] + (k * na + a) * MKBA_ST_N;
            double distinct = f->update[MKBA_UP_DISTINCT_DRAWS];
            char rests[320] = "", why[192];
            if (*too_narrow(f, why, sizeof why) != '\0')
                snprintf(rests, sizeof rests, ", resting on %.0f %s%s", distinct,
                         f->update[MKBA_UP_REFINED] > 0 ? "ex-ante ancestors"
                         : distinct == 1 ? "distinct draw" : "distinct draws", why);
            mkba_rtable_note(r, tb, "%s, %s: ex-ante we expected break-even in year %.0f "
                             "(%.0f-%.0f); with %d year%s of data, %s year %.0f (%.0f-%.0f); "
                             "NPV %.0f (2.5%%-97.5%%: %.0f to %.0f) ex-ante, %.0f (%.0f to "
                             "%.0f) %s%s",
                             t->perspective[k], t->arm[a], b0[MKBA_BE_MEDIAN], b0[MKBA_BE_P05],
                             b0[MKBA_BE_P95], years, years == 1 ? "" : "s",
                             f->update[MKBA_UP_FINAL_PHI] < 1 ? "tempered (not a posterior)"
                                                              : "ex-post",
                             b1[MKBA_BE_MEDIAN], b1[MKBA_BE_P05], b1[MKBA_BE_P95],
                             n0[MKBA_ST_MEAN], n0[MKBA_ST_LO], n0[MKBA_ST_HI], n1[MKBA_ST_MEAN],
                             n1[MKBA_ST_LO], n1[MKBA_ST_HI],
                             f->update[MKBA_UP_FINAL_PHI] < 1 ? "tempered" : "ex-post", rests);
        }
    mkba_rtable_note(r, tb, "break-even: median year (5%%-95%%; inf: not within the horizon); "
                     "P(best): share of draws in which the arm has the highest society NPV; "
                     "EVPI of that choice %.0f ex-ante, %.0f ex-post (%s per household)",
                     f->evpi[0][0], f->evpi[1][0], t->currency);
    sample_note(r, tb, f);
}

static void payers(mkba_report *r, const file *f)
{
    const mkba_h5_totals *t = f->t;
    static const char *const col[] = { "arm", "payer", "net ex-ante", "net ex-post",
                                       "P(loss) ex-ante", "P(loss) ex-post" };
    static const mkba_col_kind kind[] = { MKBA_COL_TEXT, MKBA_COL_TEXT, MKBA_COL_MONEY,
                                          MKBA_COL_MONEY, MKBA_COL_SHARE, MKBA_COL_SHARE };
    mkba_rtable *tb = mkba_report_table(r, "expost_payers", "Who pays and who gains, ex-ante "
                                        "and ex-post", 6, col, kind);
    for (size_t a = 0; a < t->narms; a++) {
        if ((int)a == t->reference)
            continue;
        for (size_t p = 0; p < f->nrows; p++) {
            long row = mkba_rtable_row(r, tb);
            mkba_rtable_str(r, tb, row, 0, t->arm[a]);
            mkba_rtable_str(r, tb, row, 1, f->rows[p]);
            for (int i = 0; i < 2; i++) {
                const double *v = f->pay[i] + (a * f->nrows + p) * MKBA_PT_N;
                mkba_rtable_num(tb, row, 2 + (size_t)i, v[MKBA_PT_NET]);
                mkba_rtable_num(tb, row, 4 + (size_t)i, v[MKBA_PT_P_LOSS]);
            }
        }
    }
    sample_note(r, tb, f);
}

/* The tables of the loaded file f into r. */
static int build(file *f, mkba_report *r, mkba_error *err)
{
    /* The number of distinct years with data, not the last one. */
    int years = 0;
    for (size_t i = 0; i < f->nobs; i++) {
        size_t k = 0;
        while (k < i && f->year[k] != f->year[i])
            k++;
        years += k == i;
    }
    confrontation(r, f);
    calibration(r, f);
    update(r, f);
    parameters(r, f);
    decision(r, f, years);
    payers(r, f);
    return r->failed ? mkba_error_set(err, MKBA_ENOMEM, "out of memory building the tables")
                     : MKBA_OK;
}

int mkba_expost_report_add(const char *path, mkba_report *r, mkba_error *err)
{
    mkba_h5_store *st = mkba_h5_store_open(path, 0, err);
    if (st == NULL)
        return err != NULL ? err->code : MKBA_EIO;
    int has = mkba_h5_store_has(st, "/expost");
    mkba_h5_store_close(st, NULL);
    if (!has)
        return MKBA_OK;
    file f;
    memset(&f, 0, sizeof f);
    f.err = err;
    int rc = load(&f, path);
    if (rc == MKBA_OK)
        rc = build(&f, r, err);
    file_free(&f);
    return rc;
}

static int report_write(const char *path, mkba_summary_format format, FILE *out,
                        mkba_error *err)
{
    file f;
    memset(&f, 0, sizeof f);
    f.err = err;
    int rc = load(&f, path);
    mkba_report *r = rc == MKBA_OK ? mkba_report_alloc() : NULL;
    if (rc == MKBA_OK && r == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    if (rc == MKBA_OK)
        rc = build(&f, r, err);
    if (rc == MKBA_OK) {
        if (format == MKBA_SUMMARY_TEXT)
            fprintf(out, "Ex-post evaluation: %s\n", path);
        if (mkba_report_render(out, r, format) < 0)
            rc = mkba_report_render_failed(out, err);
        if (rc == MKBA_OK && (fflush(out) != 0 || ferror(out)))
            rc = mkba_error_set(err, MKBA_EIO, "cannot write the report: %s", strerror(errno));
    }
    mkba_report_free(r);
    file_free(&f);
    return rc;
}

int mkba_expost_report_write(const mkba_context *ctx, const char *path,
                             mkba_summary_format format, FILE *out, mkba_error *err)
{
    mkba_alloc_scope scope = mkba_alloc_enter(mkba_context_allocator(ctx));
    int rc = report_write(path, format, out, err);
    mkba_alloc_leave(scope);
    return rc;
}
