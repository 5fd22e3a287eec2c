/* The long (tidy) CSV: every per-draw array of the result file that a
 * reader plots or tabulates, one value a line. Which arrays, and how their
 * axes map onto the columns, is the table `sources` below. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "analysis/budget.h"
#include "analysis/groups.h"
#include "core/alloc.h"
#include "tidy.h"

/* The axis after draw and arm of a source, and where its label goes. */
typedef enum tidy_axes {
    AX_PAYER,          /* [D][A][P]: payer column, year empty (a total) */
    AX_EFFECT,         /* [D][A][E]: measure:EFFECT, the effect's unit */
    AX_CYCLE_PAYER,    /* [D][A][T][P]: year = end of the cycle */
    AX_CYCLE_EFFECT,   /* [D][A][T][E] */
    AX_CYCLE_CATEGORY, /* [D][A][T][C]: measure:CATEGORY */
    AX_CYCLE_DOMAIN,   /* [D][A][T][domain]: measure:DOMAIN */
    AX_CYCLE           /* [D][A][T] */
} tidy_axes;

typedef enum tidy_unit { U_MONEY, U_EFFECT, U_HOUSEHOLDS, U_YEARS, U_FTE, U_PROBLEMS } tidy_unit;

typedef struct tidy_source {
    const char *measure;    /* the dataset's name under /draws */
    size_t field;           /* offsetof the array in mkba_h5_totals */
    tidy_axes axes;
    tidy_unit unit;
} tidy_source;

#define T(f) offsetof(mkba_h5_totals, f)
#define SVC(i) (offsetof(mkba_h5_totals, service) + (i) * sizeof (double *))
static const tidy_source sources[] = {
    { "cost_total_discounted", T(cost_total_disc), AX_PAYER, U_MONEY },
    { "cost_total", T(cost_total), AX_PAYER, U_MONEY },
    { "transfer_total_discounted", T(transfer_total_disc), AX_PAYER, U_MONEY },
    { "effect_total_discounted", T(effect_total_disc), AX_EFFECT, U_EFFECT },
    { "effect_total", T(effect_total), AX_EFFECT, U_EFFECT },
    { "cost_discounted", T(cost_disc), AX_CYCLE_PAYER, U_MONEY },
    { "cost", T(cost_undisc), AX_CYCLE_PAYER, U_MONEY },
    { "effect_discounted", T(effect_disc), AX_CYCLE_EFFECT, U_EFFECT },
    { "effect", T(effect_undisc), AX_CYCLE_EFFECT, U_EFFECT },
    { "cost_category_discounted", T(cost_category_disc), AX_CYCLE_CATEGORY, U_MONEY },
    { "escalations", T(escalations), AX_CYCLE_DOMAIN, U_HOUSEHOLDS },
    { "services/arrivals", SVC(MKBA_H5_SVC_ARRIVALS), AX_CYCLE, U_HOUSEHOLDS },
    { "services/reached", SVC(MKBA_H5_SVC_REACHED), AX_CYCLE, U_HOUSEHOLDS },
    { "services/self_resolved", SVC(MKBA_H5_SVC_SELF_RESOLVED), AX_CYCLE, U_HOUSEHOLDS },
    { "services/in_care", SVC(MKBA_H5_SVC_IN_CARE), AX_CYCLE, U_HOUSEHOLDS },
    { "services/queue", SVC(MKBA_H5_SVC_QUEUE), AX_CYCLE, U_HOUSEHOLDS },
    { "services/mean_wait", SVC(MKBA_H5_SVC_MEAN_WAIT), AX_CYCLE, U_YEARS },
    { "services/detected", SVC(MKBA_H5_SVC_DETECTED), AX_CYCLE, U_PROBLEMS },
    { "services/fte_used", SVC(MKBA_H5_SVC_FTE_USED), AX_CYCLE, U_FTE },
    { "services/withdrawn", SVC(MKBA_H5_SVC_WITHDRAWN), AX_CYCLE, U_HOUSEHOLDS },
};
#undef T
#undef SVC

/* The per-draw cash flows of /analysis/cashflow, [K][D][A][Y] or [K][D][A];
 * the payer column holds the perspective. */
typedef struct tidy_flow {
    const char *name;       /* under /analysis/cashflow */
    int yearly;             /* has the year axis */
    int integer;            /* int32 (break-even years) */
    tidy_unit unit;
} tidy_flow;

static const tidy_flow flows[] = {
    { "net_discounted", 1, 0, U_MONEY },
    { "cumulative_discounted", 1, 0, U_MONEY },
    { "net_undiscounted", 1, 0, U_MONEY },
    { "cumulative_undiscounted", 1, 0, U_MONEY },
    { "npv_draws", 0, 0, U_MONEY },
    { "breakeven_year", 0, 1, U_YEARS },
    { "payback_year", 0, 1, U_YEARS },
};

typedef struct tidy_out {
    FILE *f;
    const mkba_csv_style *style;
    const int *draw;        /* [D] PSA draw numbers */
    const mkba_h5_totals *t;
    char money[64];
    /* The file's budget view, or NULL: with one, every line has two more
     * columns, `fund` and `taakveld`, the payer's budget line on the
     * budget_* lines of a payer and empty elsewhere. */
    const mkba_budget *budget;
} tidy_out;

/* A number field, then the separator or the end of the line. */
static void field(const tidy_out *o, const char *s, int last)
{
    mkba_csv_field(o->f, s, o->style->sep);
    fputc(last ? '\n' : o->style->sep, o->f);
}

/* A text field (a name), neutralised against formulas. */
static void text_field(const tidy_out *o, const char *s, int last)
{
    mkba_csv_text(o->f, s, o->style->sep);
    fputc(last ? '\n' : o->style->sep, o->f);
}

static const char *unit_text(const tidy_out *o, tidy_unit u, size_t effect)
{
    static const char *const fixed[] = {
        [U_HOUSEHOLDS] = "per starting household", [U_YEARS] = "years",
        [U_FTE] = "FTE", [U_PROBLEMS] = "problems per starting household",
    };
    if (u == U_MONEY)
        return o->money;
    if (u == U_EFFECT) {
        const char *e = o->t->effect_unit != NULL ? o->t->effect_unit[effect] : NULL;
        return e != NULL && e[0] != '\0' ? e : o->t->effect[effect];
    }
    return fixed[u];
}

/* One line, always nine fields, so files of runs with and without a
 * budget view stack. year < 0: empty (a total over the horizon).
 * payer_index >= 0: the line is that payer's, and carries its budget line's
 * fund and taakveld when the file has a budget view (empty otherwise). */
static void line(const tidy_out *o, size_t d, size_t a, double year, const char *payer,
                 const char *measure, const char *item, double v, const char *unit,
                 int payer_index)
{
    char buf[64], m[512];
    snprintf(buf, sizeof buf, "%d", o->draw[d]);
    field(o, buf, 0);
    text_field(o, o->t->arm[a], 0);
    if (year < 0)
        buf[0] = '\0';
    else
        mkba_csv_number(buf, sizeof buf, year, o->style, 0);
    field(o, buf, 0);
    text_field(o, payer, 0);
    if (item != NULL) {
        snprintf(m, sizeof m, "%s:%s", measure, item);
        text_field(o, m, 0);
    } else {
        text_field(o, measure, 0);
    }
    mkba_csv_number(buf, sizeof buf, v, o->style, 0);
    field(o, buf, 0);
    text_field(o, unit, 0);
    int labelled = o->budget != NULL && payer_index >= 0;
    text_field(o, labelled ? o->budget->fund[payer_index] : "", 0);
    text_field(o, labelled ? o->budget->taakveld[payer_index] : "", 1);
}

static void write_source(const tidy_out *o, const tidy_source *s)
{
    const mkba_h5_totals *t = o->t;
    const double *v = *(double *const *)((const char *)t + s->field);
    if (v == NULL)
        return;
    size_t T = t->ncycles, n;
    switch (s->axes) {
    case AX_PAYER: case AX_CYCLE_PAYER: n = t->npayers; break;
    case AX_EFFECT: case AX_CYCLE_EFFECT: n = t->neffects; break;
    case AX_CYCLE_CATEGORY: n = t->ncategories; break;
    case AX_CYCLE_DOMAIN: n = t->ndomains; break;
    default: n = 1; break;
    }
    int per_cycle = s->axes != AX_PAYER && s->axes != AX_EFFECT;
    size_t nc = per_cycle ? T : 1;
    for (size_t d = 0; d < t->ndraws; d++)
        for (size_t a = 0; a < t->narms; a++)
            for (size_t c = 0; c < nc; c++)
                for (size_t i = 0; i < n; i++) {
                    double x = v[((d * t->narms + a) * nc + c) * n + i];
                    double year = per_cycle ? (double)(c + 1) * t->cycle_years : -1.0;
                    const char *payer = "", *item = NULL;
                    int payer_index = -1;
                    if (s->axes == AX_PAYER || s->axes == AX_CYCLE_PAYER)
                        payer = t->payer[payer_index = (int)i];
                    else if (s->axes == AX_EFFECT || s->axes == AX_CYCLE_EFFECT)
                        item = t->effect[i];
                    else if (s->axes == AX_CYCLE_CATEGORY)
                        item = t->category[i];
                    else if (s->axes == AX_CYCLE_DOMAIN)
                        item = t->domain[i];
                    line(o, d, a, year, payer, s->measure, item, x,
                         unit_text(o, s->unit, i), payer_index);
                }
}

/* The cash flows of /analysis/cashflow, when the file holds them. */
static int write_flows(const tidy_out *o, mkba_h5_store *st, size_t nyears, mkba_error *err)
{
    const mkba_h5_totals *t = o->t;
    size_t K = t->nperspectives, D = t->ndraws, A = t->narms, Y = nyears;
    double *v = mkba_malloc((K * D * A * (Y > 0 ? Y : 1) + 1) * sizeof *v);
    int *iv = mkba_malloc((K * D * A + 1) * sizeof *iv);
    int rc = v != NULL && iv != NULL ? MKBA_OK
                                     : mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    char name[128];
    for (size_t i = 0; rc == MKBA_OK && i < sizeof flows / sizeof flows[0]; i++) {
        const tidy_flow *fl = &flows[i];
        size_t dims[4] = { K, D, A, Y };
        snprintf(name, sizeof name, "/analysis/cashflow/%s", fl->name);
        if (fl->integer)
            rc = mkba_h5_store_read_ints(st, name, 3, dims, iv, err);
        else
            rc = mkba_h5_store_read_doubles(st, name, fl->yearly ? 4 : 3, dims, v, err);
        size_t ny = fl->yearly ? Y : 1;
        for (size_t k = 0; rc == MKBA_OK && k < K; k++)
            for (size_t d = 0; d < D; d++)
                for (size_t a = 0; a < A; a++) {
                    if ((int)a == t->reference)
                        continue;     /* against itself: nothing to read */
                    for (size_t y = 0; y < ny; y++) {
                        size_t at = ((k * D + d) * A + a) * ny + y;
                        double x = fl->integer ? (double)iv[at] : v[at];
                        line(o, d, a, fl->yearly ? (double)(y + 1) : -1.0, t->perspective[k],
                             fl->name, NULL, x, unit_text(o, fl->unit, 0), -1);
                    }
                }
    }
    mkba_free(v);
    mkba_free(iv);
    return rc;
}

/* The budget view (docs/budget.md), when the file has one: per draw, arm,
 * year of the horizon (as the cash flows) and payer, measure budget_VIEW in
 * the currency for the whole population, and budget_households; the unit
 * names the calendar year. */
static void write_budget(const tidy_out *o)
{
    const mkba_budget *b = o->budget;
    if (b == NULL)
        return;
    const size_t D = b->ndraws, A = b->narms, P = b->npayers, Y = b->nyears;
    const char *cur = o->t->currency ? o->t->currency : "";
    char measure[64], unit[128];
    for (int v = 0; v <= MKBA_BUDGET_NVIEWS; v++) {
        int money = v < MKBA_BUDGET_NVIEWS;
        snprintf(measure, sizeof measure, "budget_%s",
                 money ? mkba_budget_view_name(v) : "households");
        for (size_t d = 0; d < D; d++)
            for (size_t a = 0; a < A; a++)
                for (size_t y = 0; y < Y; y++) {
                    int cy = b->calendar_year[y];
                    if (!money)
                        snprintf(unit, sizeof unit, "households at the start of %d", cy);
                    else if (v == MKBA_BUDGET_NOMINAL)
                        snprintf(unit, sizeof unit, "%s of %d, whole population", cur, cy);
                    else
                        snprintf(unit, sizeof unit, "%s %d, whole population, in %d", cur,
                                 o->t->price_year, cy);
                    for (size_t p = 0; p < (money ? P : 1); p++)
                        line(o, d, a, (double)(y + 1), money ? o->t->payer[p] : "", measure,
                             NULL, money ? b->money[(((size_t)v * D + d) * A + a) * P * Y
                                                    + p * Y + y]
                                         : b->households[(d * A + a) * Y + y], unit,
                             money ? (int)p : -1);
                }
    }
}

/* For whom (/draws/groups), when the file has them: per draw, arm and
 * household group, measure group_households:GROUP (a share, the same in
 * every arm), group_cost_total_discounted:GROUP per payer, of which
 * group_team_cost_total_discounted:GROUP the costs allocated by use,
 * and group_effect_total_discounted:GROUP:EFFECT, per household of the group;
 * then per perspective (the payer column, as npv_draws) and arm against the
 * reference, group_npv_draws:GROUP, the NPV per household of the group, and
 * group_npv_minus_population_draws:GROUP, that less the whole population's
 * in the same draw (analysis/groups.h). */
static int write_groups(const tidy_out *o, mkba_h5_store *st, mkba_error *err)
{
    mkba_groups *g = NULL;
    int rc = mkba_groups_read(st, o->t, &g, err);
    if (rc != MKBA_OK || g == NULL)
        return rc;
    const size_t D = g->ndraws, A = g->narms, P = g->npayers, E = g->neffects, G = g->ngroups;
    char item[256], unit[256];
    for (size_t d = 0; d < D; d++)
        for (size_t a = 0; a < A; a++)
            for (size_t gr = 0; gr < G; gr++) {
                const size_t at = (d * G + gr) * A + a;
                line(o, d, a, -1.0, "", "group_households", g->name[gr],
                     g->share[d * G + gr], "1 (share of starting households)", -1);
                snprintf(unit, sizeof unit, "%s per household of the group", o->money);
                for (size_t p = 0; p < P; p++) {
                    line(o, d, a, -1.0, o->t->payer[p], "group_cost_total_discounted",
                         g->name[gr], g->cost[at * P + p], unit, (int)p);
                    line(o, d, a, -1.0, o->t->payer[p], "group_team_cost_total_discounted",
                         g->name[gr], g->teams[at * P + p], unit, (int)p);
                }
                for (size_t e = 0; e < E; e++) {
                    snprintf(item, sizeof item, "%s:%s", g->name[gr], o->t->effect[e]);
                    snprintf(unit, sizeof unit, "%s per household of the group",
                             o->t->effect_unit[e]);
                    line(o, d, a, -1.0, "", "group_effect_total_discounted", item,
                         g->effect[at * E + e], unit, -1);
                }
            }
    snprintf(unit, sizeof unit, "%s per household of the group", o->money);
    for (size_t k = 0; k < o->t->nperspectives; k++)
        for (size_t d = 0; d < D; d++)
            for (size_t a = 0; a < A; a++) {
                if ((int)a == o->t->reference)
                    continue;
                const double all = mkba_groups_npv_all(g, o->t, k, d, a);
                for (size_t gr = 0; gr < G; gr++) {
                    const double x = mkba_groups_npv(g, o->t, k, d, a, gr);
                    line(o, d, a, -1.0, o->t->perspective[k], "group_npv_draws", g->name[gr],
                         x, unit, -1);
                    line(o, d, a, -1.0, o->t->perspective[k], "group_npv_minus_population_draws",
                         g->name[gr], x - all, unit, -1);
                }
            }
    mkba_groups_free(g);
    return MKBA_OK;
}

int mkba_tidy_write(FILE *f, const char *path, const mkba_h5_totals *t, size_t nyears,
                    const mkba_csv_style *style, mkba_error *err)
{
    mkba_h5_store *st = mkba_h5_store_open(path, 0, err);
    if (st == NULL)
        return err != NULL ? err->code : MKBA_EIO;
    int *draw = mkba_malloc((t->ndraws + 1) * sizeof *draw);
    int rc = draw != NULL ? MKBA_OK : mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    size_t dims[1] = { t->ndraws };
    mkba_budget *budget = NULL;
    if (rc == MKBA_OK)
        rc = mkba_h5_store_read_ints(st, "/draws/draw_index", 1, dims, draw, err);
    if (rc == MKBA_OK)
        rc = mkba_budget_read(st, t, &budget, err);
    if (rc == MKBA_OK) {
        tidy_out o = { f, style, draw, t, "", budget };
        snprintf(o.money, sizeof o.money, "%s %d", t->currency ? t->currency : "",
                 t->price_year);
        const char *head[] = { "draw", "arm", "year", "payer", "measure", "value", "unit",
                               "fund", "taakveld" };
        const size_t ncols = sizeof head / sizeof head[0];
        mkba_csv_begin(f, style);
        for (size_t i = 0; i < ncols; i++)
            field(&o, head[i], i == ncols - 1);
        for (size_t i = 0; i < sizeof sources / sizeof sources[0]; i++)
            write_source(&o, &sources[i]);
        if (nyears > 0 && mkba_h5_store_has(st, "/analysis/cashflow/cumulative_discounted"))
            rc = write_flows(&o, st, nyears, err);
        if (rc == MKBA_OK)
            write_budget(&o);
        if (rc == MKBA_OK)
            rc = write_groups(&o, st, err);
    }
    mkba_budget_free(budget);
    mkba_free(draw);
    int rc2 = mkba_h5_store_close(st, err);
    if (rc == MKBA_OK)
        rc = rc2;
    if (rc == MKBA_OK && ferror(f))
        rc = mkba_error_set(err, MKBA_EIO, "cannot write the long table");
    return rc;
}
