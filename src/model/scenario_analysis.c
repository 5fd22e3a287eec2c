/* The analysis group of a scenario: the settings of the decision outputs
 * (perspectives besides society, the municipality and each payer; the
 * willingness-to-pay grid; the primary effect; the population for EVPI;
 * optimism bias, deadweight and PM items of the MKBA table). Every setting
 * has a default, so a scenario without the group gets a complete
 * mkba_analysis. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/strutil.h"
#include "core/alloc.h"
#include "scenario_impl.h"

/* Willingness to pay per unit of the primary effect, e.g. per QALY: 0 to
 * 100,000 in steps of 5,000 spans the values Dutch guidance discusses
 * (Zorginstituut Nederland 2015: 20,000 to 80,000 per QALY by burden of
 * disease). */
#define WTP_FROM 0.0
#define WTP_TO 100000.0
#define WTP_STEP 5000.0
/* A grid longer than this is almost surely a mistake in `step`. */
#define MAX_WTP 10001
#define MAX_POPULATION_YEARS 100

/* Names of the perspectives every run has, besides one per payer. */
static const char *const builtin_perspectives[] = {"society", "municipality"};

/* The grid from, from + step, ... up to `to` (inclusive within rounding). */
static int wtp_grid(mkba_loader *ld, mkba_analysis *a, const config_setting_t *s,
                    double from, double to, double step)
{
    double span = (to - from) / step;
    if (!(span < MAX_WTP))
        return mkba_sc_fail(ld, s, NULL, "%.0f values from %g to %g in steps of %g; expected "
                            "at most %d", floor(span) + 1, from, to, step, MAX_WTP);
    size_t n = (size_t)floor(span + 1e-9) + 1;
    if ((a->wtp = mkba_malloc(n * sizeof *a->wtp)) == NULL)
        return mkba_sc_nomem(ld);
    for (size_t i = 0; i < n; i++)
        a->wtp[i] = from + (double)i * step;
    a->nwtp = n;
    return 0;
}

/* wtp = [v0, v1, ...] (non-negative, increasing) or {from; to; step;}. */
static int read_wtp(mkba_loader *ld, mkba_analysis *a, const config_setting_t *s)
{
    int rc;
    if (s == NULL)
        return wtp_grid(ld, a, NULL, WTP_FROM, WTP_TO, WTP_STEP);
    if (config_setting_is_group(s)) {
        double from = WTP_FROM, to = WTP_TO, step = WTP_STEP;
        if ((rc = mkba_sc_check_keys(ld, s, MKBA_KEYS_WTP_RANGE)) != 0
            || (rc = mkba_sc_number(ld, s, "from", 0, &from, NULL)) != 0
            || (rc = mkba_sc_number(ld, s, "to", 0, &to, NULL)) != 0
            || (rc = mkba_sc_number(ld, s, "step", 0, &step, NULL)) != 0)
            return rc;
        if (!(from >= 0 && isfinite(from)))
            return mkba_sc_fail(ld, config_setting_get_member(s, "from"), NULL, "%g is out of "
                                "range; expected an amount >= 0", from);
        if (!(to >= from && isfinite(to)))
            return mkba_sc_fail(ld, config_setting_get_member(s, "to"), NULL, "%g is below "
                                "from = %g; expected to >= from", to, from);
        if (!(step > 0 && isfinite(step)))
            return mkba_sc_fail(ld, config_setting_get_member(s, "step"), NULL, "%g is out of "
                                "range; expected a step > 0", step);
        return wtp_grid(ld, a, s, from, to, step);
    }
    if ((rc = mkba_sc_expect_list(ld, s, "an array of amounts [0.0, 20000.0, ...] or a group "
                                  "{from = ...; to = ...; step = ...;}")) != 0)
        return rc;
    int n = config_setting_length(s);
    if ((a->wtp = mkba_malloc((size_t)n * sizeof *a->wtp)) == NULL)
        return mkba_sc_nomem(ld);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (!config_setting_is_number(e))
            return mkba_sc_fail(ld, e, NULL, "expected an amount (a number)");
        double v = config_setting_type(e) == CONFIG_TYPE_FLOAT
                       ? config_setting_get_float(e) : (double)config_setting_get_int64(e);
        if (!(v >= 0 && isfinite(v)))
            return mkba_sc_fail(ld, e, NULL, "%g is out of range; expected an amount >= 0", v);
        if (i > 0 && !(v > a->wtp[i - 1]))
            return mkba_sc_fail(ld, e, NULL, "%g follows %g; expected increasing amounts", v,
                                a->wtp[i - 1]);
        a->wtp[i] = v;
        a->nwtp = (size_t)i + 1;
    }
    return 0;
}

/* Fails when `name` is taken by a built-in perspective, a payer or one of
 * the first `before` perspectives. */
static int check_perspective_name(mkba_loader *ld, const config_setting_t *s, const char *name,
                                  size_t before)
{
    const mkba_model *m = ld->m;
    for (size_t i = 0; i < 2; i++)
        if (strcmp(name, builtin_perspectives[i]) == 0)
            return mkba_sc_fail(ld, s, NULL, "'%s' is a built-in perspective; expected another "
                                "name (society, municipality and each payer exist already)",
                                name);
    for (size_t i = 0; i < m->npayers; i++)
        if (strcmp(name, m->payer[i]) == 0)
            return mkba_sc_fail(ld, s, NULL, "'%s' is a payer, which is a perspective of its "
                                "own; expected another name", name);
    for (size_t i = 0; i < before; i++)
        if (strcmp(name, m->analysis.perspective[i].name) == 0)
            return mkba_sc_fail(ld, s, NULL, "perspective '%s' is defined twice; expected "
                                "unique names", name);
    return 0;
}

static int read_perspective(mkba_loader *ld, const config_setting_t *g, size_t i)
{
    mkba_model *m = ld->m;
    mkba_perspective *p = &m->analysis.perspective[i];
    const char *name = NULL;
    int rc;
    if ((rc = mkba_sc_expect_group(ld, g, "a group {name = \"...\"; payers = [...];}")) != 0
        || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_PERSPECTIVE)) != 0
        || (rc = mkba_sc_string(ld, g, "name", 1, &name, NULL)) != 0
        || (rc = check_perspective_name(ld, config_setting_get_member(g, "name"), name, i)) != 0)
        return rc;
    if ((p->name = mkba_strdup(name)) == NULL)
        return mkba_sc_nomem(ld);
    const config_setting_t *list = config_setting_get_member(g, "payers");
    if (list == NULL)
        return mkba_sc_fail(ld, g, "payers", "required setting is missing; expected an array "
                            "of payer names");
    if ((rc = mkba_sc_expect_list(ld, list, "an array of payer names")) != 0)
        return rc;
    int n = config_setting_length(list);
    if ((p->payer = mkba_calloc((size_t)n, sizeof *p->payer)) == NULL)
        return mkba_sc_nomem(ld);
    for (int k = 0; k < n; k++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)k);
        const char *payer = config_setting_get_string(e);
        int index;
        if (payer == NULL)
            return mkba_sc_fail(ld, e, NULL, "expected a payer name in double quotes");
        if ((rc = mkba_sc_lookup(ld, e, payer, (const char *const *)m->payer, m->npayers,
                                 "payer", NULL, &index)) != 0)
            return rc;
        for (size_t j = 0; j < p->npayers; j++)
            if (p->payer[j] == index)
                return mkba_sc_fail(ld, e, NULL, "payer '%s' is listed twice; expected each "
                                    "payer once", payer);
        p->payer[p->npayers++] = index;
    }
    return 0;
}

static int read_perspectives(mkba_loader *ld, const config_setting_t *list)
{
    mkba_analysis *a = &ld->m->analysis;
    int rc = mkba_sc_expect_list(ld, list, "a list of {name = \"...\"; payers = [...];} groups");
    if (rc != 0)
        return rc;
    size_t n = (size_t)config_setting_length(list);
    if ((a->perspective = mkba_calloc(n, sizeof *a->perspective)) == NULL)
        return mkba_sc_nomem(ld);
    for (size_t i = 0; i < n; i++) {
        a->nperspectives = i + 1;
        if ((rc = read_perspective(ld, config_setting_get_elem(list, (unsigned)i), i)) != 0)
            return rc;
    }
    return 0;
}

/* Member `key` of g naming an effect that is not monetary (a monetary one
 * already counts as money). */
static int nonmonetary_effect(mkba_loader *ld, const config_setting_t *g, const char *key,
                              int *index)
{
    const mkba_model *m = ld->m;
    int rc = mkba_sc_lookup_effect(ld, g, key, index);
    if (rc != 0)
        return rc;
    if (m->effect[*index].monetary)
        return mkba_sc_fail(ld, config_setting_get_member(g, key), NULL,
                            "effect '%s' is monetary and already counts as money; expected a "
                            "non-monetary effect such as QALYs", m->effect[*index].name);
    return 0;
}

/* The named effect, which must not be monetary (it is valued at the
 * willingness to pay; a monetary effect already counts as money); by
 * default the first non-monetary effect, or -1 when there is none. */
static int read_primary_effect(mkba_loader *ld, const config_setting_t *g)
{
    mkba_model *m = ld->m;
    mkba_analysis *a = &m->analysis;
    a->primary_effect = -1;
    if (g == NULL || config_setting_get_member(g, "primary_effect") == NULL) {
        for (size_t i = 0; i < m->neffects && a->primary_effect < 0; i++)
            if (!m->effect[i].monetary)
                a->primary_effect = (int)i;
        return 0;
    }
    return nonmonetary_effect(ld, g, "primary_effect", &a->primary_effect);
}

static int read_pm_items(mkba_loader *ld, const config_setting_t *list)
{
    mkba_analysis *a = &ld->m->analysis;
    int rc = mkba_sc_expect_list(ld, list, "an array of descriptions in double quotes");
    if (rc != 0)
        return rc;
    size_t n = (size_t)config_setting_length(list);
    if ((a->pm_item = mkba_calloc(n, sizeof *a->pm_item)) == NULL)
        return mkba_sc_nomem(ld);
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        const char *text = config_setting_get_string(e);
        if (text == NULL || text[0] == '\0')
            return mkba_sc_fail(ld, e, NULL, "expected a description of a non-monetised effect "
                                "in double quotes");
        a->npm = i + 1;
        if ((a->pm_item[i] = mkba_strdup(text)) == NULL)
            return mkba_sc_nomem(ld);
    }
    return 0;
}

/* The number settings: population, population_years, optimism_bias,
 * deadweight and residual_years, with their ranges. */
static int read_numbers(mkba_loader *ld, const config_setting_t *g)
{
    mkba_model *m = ld->m;
    mkba_analysis *a = &m->analysis;
    double years = floor(m->timing.ncycles * m->timing.cycle_years + 1e-9);
    long long pop_years = years < 1 ? 1 : (long long)years, residual = 0;
    a->population = a->optimism_bias = a->deadweight = 0.0;
    int rc;
    if (g != NULL
        && ((rc = mkba_sc_number(ld, g, "population", 0, &a->population, NULL)) != 0
            || (rc = mkba_sc_integer(ld, g, "population_years", 0, &pop_years, NULL)) != 0
            || (rc = mkba_sc_number(ld, g, "optimism_bias", 0, &a->optimism_bias, NULL)) != 0
            || (rc = mkba_sc_number(ld, g, "deadweight", 0, &a->deadweight, NULL)) != 0
            || (rc = mkba_sc_integer(ld, g, "residual_years", 0, &residual, NULL)) != 0))
        return rc;
    if (residual < 0 || residual > MKBA_MAX_RESIDUAL_YEARS)
        return mkba_sc_fail(ld, config_setting_get_member(g, "residual_years"), NULL,
                            "%lld is out of range; expected 0 (no residual value) to %d years "
                            "of the last year's costs and effects continued beyond the horizon",
                            residual, MKBA_MAX_RESIDUAL_YEARS);
    a->residual_years = (int)residual;
    if (!(a->population >= 0 && isfinite(a->population)))
        return mkba_sc_fail(ld, config_setting_get_member(g, "population"), NULL,
                            "%g is out of range; expected households per year >= 0 (0: results "
                            "per household only)", a->population);
    if (pop_years < 1 || pop_years > MAX_POPULATION_YEARS)
        return mkba_sc_fail(ld, config_setting_get_member(g, "population_years"), NULL,
                            "%lld is out of range; expected 1 to %d years", pop_years,
                            MAX_POPULATION_YEARS);
    a->population_years = (int)pop_years;
    if (!(a->optimism_bias >= 0 && isfinite(a->optimism_bias)))
        return mkba_sc_fail(ld, config_setting_get_member(g, "optimism_bias"), NULL,
                            "%g is out of range; expected a share >= 0, e.g. 0.2 for +20%% on "
                            "the extra costs", a->optimism_bias);
    /* A mark-up above 100% is a percentage written where a share belongs. */
    if (a->optimism_bias > 1)
        return mkba_sc_fail(ld, config_setting_get_member(g, "optimism_bias"), NULL,
                            "%g looks like a percentage; expected a share from 0 to 1: write "
                            "%g for +%g%% on the extra costs", a->optimism_bias,
                            a->optimism_bias / 100, a->optimism_bias);
    if (!(a->deadweight >= 0 && a->deadweight < 1))
        return mkba_sc_fail(ld, config_setting_get_member(g, "deadweight"), NULL,
                            "%g is out of range; expected a share in [0, 1), e.g. 0.1 when 10%% "
                            "of the benefits would have happened anyway", a->deadweight);
    return 0;
}

/* health_value = { effect; value; source; }: a non-monetary effect valued
 * in money in the MKBA table, with the source of its value. */
static int read_health_value(mkba_loader *ld, const config_setting_t *g)
{
    mkba_model *m = ld->m;
    mkba_analysis *a = &m->analysis;
    const char *source = NULL;
    int rc;
    if ((rc = mkba_sc_expect_group(ld, g, "a group {effect = \"qaly\"; value = 50000.0; "
                                   "source = \"...\";}")) != 0
        || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_HEALTH_VALUE)) != 0)
        return rc;
    if ((rc = nonmonetary_effect(ld, g, "effect", &a->health_effect)) != 0
        || (rc = mkba_sc_number(ld, g, "value", 1, &a->health_value, NULL)) != 0
        || (rc = mkba_sc_string(ld, g, "source", 1, &source, NULL)) != 0)
        return rc;
    if (!(a->health_value >= 0 && a->health_value <= 1e15))
        return mkba_sc_fail(ld, config_setting_get_member(g, "value"), NULL,
                            "%g is out of range; expected money per unit of '%s' from 0 to "
                            "1e15, e.g. 50000 per QALY", a->health_value,
                            m->effect[a->health_effect].name);
    if (source[0] == '\0')
        return mkba_sc_fail(ld, config_setting_get_member(g, "source"), NULL,
                            "empty; expected where the value per unit comes from, e.g. "
                            "\"Zorginstituut reference values\"");
    if ((a->health_source = mkba_strdup(source)) == NULL)
        return mkba_sc_nomem(ld);
    return 0;
}

int mkba_sc_analysis(mkba_loader *ld, const config_setting_t *section)
{
    const config_setting_t *s;
    int rc;
    if (section != NULL
        && ((rc = mkba_sc_expect_group(ld, section, "a group {perspectives = (...); wtp = "
                                       "[...]; ...}")) != 0
            || (rc = mkba_sc_check_keys(ld, section, MKBA_KEYS_ANALYSIS)) != 0))
        return rc;
    if (section != NULL && (s = config_setting_get_member(section, "perspectives")) != NULL
        && (rc = read_perspectives(ld, s)) != 0)
        return rc;
    s = section != NULL ? config_setting_get_member(section, "wtp") : NULL;
    if ((rc = read_wtp(ld, &ld->m->analysis, s)) != 0
        || (rc = read_primary_effect(ld, section)) != 0
        || (rc = read_numbers(ld, section)) != 0)
        return rc;
    if (section != NULL && (s = config_setting_get_member(section, "pm_items")) != NULL
        && (rc = read_pm_items(ld, s)) != 0)
        return rc;
    ld->m->analysis.health_effect = -1;
    if (section != NULL && (s = config_setting_get_member(section, "health_value")) != NULL
        && (rc = read_health_value(ld, s)) != 0)
        return rc;
    return 0;
}
