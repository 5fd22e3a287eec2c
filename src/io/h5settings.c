/* The settings and labels of the decision outputs in a result file: who
 * counts in which perspective, which payers are municipal, MKBA
 * categories, the willingness-to-pay grid, the primary effect, the
 * population for EVPI, optimism bias, deadweight and PM items. Schema in
 * docs/output.md.
 *
 * The file carries the derived perspective list (not only the scenario's
 * own perspectives), so the analyses read everything they need from the
 * file and never from the scenario. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mkba/mkba.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "h5util.h"
#include "h5out.h"
#include "model/model.h"

#define STR_(x) #x
#define STR(x) STR_(x)

const double mkba_default_wtp[MKBA_DEFAULT_NWTP] = {
    0.0, 10000.0, 20000.0, 30000.0, 50000.0, 80000.0, 100000.0
};

int mkba_h5_payer_municipal(const mkba_model *m, size_t p)
{
    if (m->payer_def != NULL)
        return m->payer_def[p].municipal != 0;
    /* Until a scenario says which payers are municipal, Dutch payer names
     * tell: "gemeente-wmo", "gemeente-jeugdwet", ... */
    return m->payer[p] != NULL && strncmp(m->payer[p], "gemeente", 8) == 0;
}

/* The payer gaining monetary effect e, or -1. Without payer_def the
 * scenario has not said who gains (a zeroed field would name payer 0). */
int mkba_h5_effect_payer(const mkba_model *m, size_t e)
{
    int p = m->effect[e].payer;
    if (m->payer_def == NULL || p < 0 || (size_t)p >= m->npayers)
        return -1;
    return p;
}

static int name_taken(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/* Appends `name` (or prefix + name when taken) to names[*n]. */
static int add_name(char **names, size_t *n, const char *prefix, const char *name)
{
    const char *base = name != NULL ? name : "";
    char *s;
    if (!name_taken(names, *n, base)) {
        s = mkba_strdup(base);
    } else {
        size_t len = strlen(prefix) + strlen(base) + 1;
        s = mkba_malloc(len);
        if (s != NULL)
            snprintf(s, len, "%s%s", prefix, base);
    }
    if (s == NULL)
        return -1;
    names[(*n)++] = s;
    return 0;
}

int mkba_h5_perspectives_of(const mkba_model *m, char ***names, int **mask,
                            size_t *count, mkba_error *err)
{
    size_t np = m->npayers, ns = m->analysis.nperspectives;
    size_t k = 2 + np + ns, n = 0;
    char **nm = mkba_calloc(k, sizeof *nm);
    int *mk = mkba_calloc(k * np > 0 ? k * np : 1, sizeof *mk);
    int ok = nm != NULL && mk != NULL;
    ok = ok && add_name(nm, &n, "", "society") == 0;
    ok = ok && add_name(nm, &n, "", "municipality") == 0;
    for (size_t p = 0; ok && p < np; p++) {
        mk[p] = 1;
        mk[np + p] = mkba_h5_payer_municipal(m, p);
    }
    for (size_t p = 0; ok && p < np; p++) {
        mk[n * np + p] = 1;
        ok = add_name(nm, &n, "payer:", m->payer[p]) == 0;
    }
    for (size_t i = 0; ok && i < ns; i++) {
        const mkba_perspective *ps = &m->analysis.perspective[i];
        for (size_t j = 0; j < ps->npayers; j++)
            if (ps->payer[j] >= 0 && (size_t)ps->payer[j] < np)
                mk[n * np + (size_t)ps->payer[j]] = 1;
        ok = add_name(nm, &n, "perspective:", ps->name) == 0;
    }
    if (!ok) {
        mkba_h5_strings_free(nm, n);
        mkba_free(mk);
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory listing perspectives");
    }
    *names = nm;
    *mask = mk;
    *count = n;
    return MKBA_OK;
}

int mkba_h5_write_settings(hid_t file, const char *path, const mkba_model *m,
                           mkba_error *err)
{
    const mkba_analysis *an = &m->analysis;
    size_t np = m->npayers, ne = m->neffects, nk = 0;
    char **pname = NULL;
    int *pmask = NULL;
    int rc = mkba_h5_perspectives_of(m, &pname, &pmask, &nk, err);
    if (rc != MKBA_OK)
        return rc;
    size_t nint = np > ne ? np : ne;
    int *v = mkba_calloc(nint > 0 ? 3 * nint : 1, sizeof *v);
    hid_t g = H5Gopen2(file, "labels", H5P_DEFAULT);
    /* Set before the goto below, which jumps to where they are read;
     * nomem: a write failed for want of memory, not in HDF5. */
    const char *failed = NULL;
    int nomem = 0;
    if (v == NULL) {
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing %s", path);
        goto done;
    }
    if (g < 0) {
        failed = "/labels";
        goto done;
    }
    int *a = v, *b = v + nint, *c = v + 2 * nint;
    for (size_t p = 0; p < np; p++) {
        a[p] = mkba_h5_payer_municipal(m, p);
        b[p] = (int)MKBA_CAT_DIRECT; /* every payer's savings: docs/decision.md */
    }
    size_t dp[1] = { np }, de[1] = { ne }, dkp[2] = { nk, np };
    if (mkba_h5_write_ints(g, "payer_municipal", 1, dp, a, "payer", "1",
                           "1 when the payer belongs to the municipality perspective") < 0)
        failed = "/labels/payer_municipal";
    else if (mkba_h5_write_ints(g, "payer_category", 1, dp, b, "payer", "1",
                                "MKBA category of the payer's savings: index into "
                                "/labels/categories; always direct (a payer has "
                                "no category of its own)") < 0)
        failed = "/labels/payer_category";
    if (failed == NULL) {
        for (size_t e = 0; e < ne; e++) {
            a[e] = m->effect[e].lower_is_better != 0;
            b[e] = mkba_h5_effect_payer(m, e);
            c[e] = (int)m->effect[e].category;
        }
        if (mkba_h5_write_ints(g, "effect_lower_is_better", 1, de, a, "effect", "1",
                               "1 when less of the effect is better") < 0)
            failed = "/labels/effect_lower_is_better";
        else if (mkba_h5_write_ints(g, "effect_payer", 1, de, b, "effect", "1",
                                    "payer (index into /labels/payers) gaining a monetary "
                                    "effect; -1: society at large") < 0)
            failed = "/labels/effect_payer";
        else if (mkba_h5_write_ints(g, "effect_category", 1, de, c, "effect", "1",
                                    "MKBA category of the effect: index into "
                                    "/labels/categories") < 0)
            failed = "/labels/effect_category";
    }
    static const char *const categories[3] = { "direct effects", "indirect effects",
                                                "external effects" };
    if (failed == NULL
        && mkba_h5_track(mkba_h5_write_strings(g, "categories", categories, 3), &nomem) < 0)
        failed = "/labels/categories";
    if (failed == NULL
        && mkba_h5_track(mkba_h5_write_strings(g, "perspectives", (const char *const *)pname,
                                               nk), &nomem) < 0)
        failed = "/labels/perspectives";
    if (failed == NULL && mkba_h5_write_ints(g, "perspective_payers", 2, dkp, pmask,
                                             "perspective,payer", "1",
                                             "1 when the payer's costs and gains count in "
                                             "the perspective") < 0)
        failed = "/labels/perspective_payers";
    const double *wtp = an->nwtp > 0 ? an->wtp : mkba_default_wtp;
    size_t dw[1] = { an->nwtp > 0 ? an->nwtp : MKBA_DEFAULT_NWTP };
    if (failed == NULL && mkba_h5_write_doubles(g, "wtp", 1, dw, wtp, "wtp",
                                                "money per unit of the primary effect",
                                                "willingness-to-pay grid of the CEAC and "
                                                "EVPI") < 0)
        failed = "/labels/wtp";
    if (failed == NULL
        && mkba_h5_track(mkba_h5_write_strings(g, "pm_items", (const char *const *)an->pm_item,
                                               an->pm_item != NULL ? an->npm : 0), &nomem) < 0)
        failed = "/labels/pm_items";
    if (failed != NULL)
        goto done;

    const char *primary = "";
    if (an->primary_effect >= 0 && (size_t)an->primary_effect < ne)
        primary = m->effect[an->primary_effect].name;
    if (mkba_h5_attr_string(file, "primary_effect", primary) < 0)
        failed = "primary_effect";
    else if (mkba_h5_attr_double(file, "population", an->population) < 0)
        failed = "population";
    else if (mkba_h5_attr_int(file, "population_years", an->population_years) < 0)
        failed = "population_years";
    else if (mkba_h5_attr_double(file, "optimism_bias", an->optimism_bias) < 0)
        failed = "optimism_bias";
    else if (mkba_h5_attr_double(file, "deadweight", an->deadweight) < 0)
        failed = "deadweight";
    else if (mkba_h5_attr_int(file, "residual_years", an->residual_years) < 0)
        failed = "residual_years";
    /* A health value is set only with its source (the loader requires it). */
    int health = an->health_source != NULL && an->health_effect >= 0
                 && (size_t)an->health_effect < ne;
    if (failed == NULL
        && (mkba_h5_attr_string(file, "health_effect",
                                health ? m->effect[an->health_effect].name : "") < 0
            || mkba_h5_attr_double(file, "health_value", health ? an->health_value : 0.0) < 0
            || mkba_h5_attr_string(file, "health_value_source",
                                   health ? an->health_source : "") < 0))
        failed = "health_effect, health_value or health_value_source";
done:
    if (failed != NULL && nomem)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing %s to %s", failed, path);
    else if (failed != NULL)
        rc = mkba_h5_write_error(err, path, "cannot write %s in %s", failed, path);
    if (g >= 0)
        H5Gclose(g);
    mkba_free(v);
    mkba_free(pmask);
    mkba_h5_strings_free(pname, nk);
    return rc;
}

/* Reads /labels/NAME of n ints into a new array: 0, -1 or MKBA_H5_NOMEM. */
static int read_ints(hid_t f, const char *name, size_t n, int **out)
{
    char full[64];
    snprintf(full, sizeof full, "/labels/%s", name);
    *out = mkba_calloc(n > 0 ? n : 1, sizeof **out);
    size_t dims[1] = { n };
    if (*out == NULL)
        return MKBA_H5_NOMEM;
    return mkba_h5_read_exact(f, full, 1, dims, H5T_NATIVE_INT, *out) < 0 ? -1 : 0;
}

int mkba_h5_read_settings(hid_t f, const char *path, mkba_h5_totals *t, mkba_error *err)
{
    const char *missing = NULL;
    size_t np = t->npayers, ne = t->neffects, n = 0;
    /* Set when a read failed for want of memory, not for a bad file. */
    int nomem = 0;
    if (mkba_h5_track(read_ints(f, "payer_municipal", np, &t->payer_municipal), &nomem) < 0)
        missing = "/labels/payer_municipal";
    else if (mkba_h5_track(read_ints(f, "payer_category", np, &t->payer_category), &nomem) < 0)
        missing = "/labels/payer_category";
    else if (mkba_h5_track(read_ints(f, "effect_lower_is_better", ne,
                                     &t->effect_lower_is_better), &nomem) < 0)
        missing = "/labels/effect_lower_is_better";
    else if (mkba_h5_track(read_ints(f, "effect_payer", ne, &t->effect_payer), &nomem) < 0)
        missing = "/labels/effect_payer";
    else if (mkba_h5_track(read_ints(f, "effect_category", ne, &t->effect_category),
                           &nomem) < 0)
        missing = "/labels/effect_category";
    else if (mkba_h5_track(mkba_h5_read_strings(f, "/labels/perspectives", &t->perspective,
                                                &n), &nomem) < 0)
        missing = "/labels/perspectives";
    if (missing == NULL) {
        t->nperspectives = n;
        t->perspective_payers = mkba_calloc(n * np > 0 ? n * np : 1, sizeof *t->perspective_payers);
        nomem = t->perspective_payers == NULL;
        size_t dims[2] = { n, np };
        if (nomem
            || mkba_h5_read_exact(f, "/labels/perspective_payers", 2, dims, H5T_NATIVE_INT,
                                  t->perspective_payers) < 0)
            missing = "/labels/perspective_payers";
    }
    if (missing == NULL) {
        hid_t ds = H5Dopen2(f, "/labels/wtp", H5P_DEFAULT);
        hid_t space = ds >= 0 ? H5Dget_space(ds) : -1;
        hssize_t nw = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
        if (space >= 0)
            H5Sclose(space);
        if (ds >= 0)
            H5Dclose(ds);
        t->nwtp = nw > 0 ? (size_t)nw : 0;
        t->wtp = mkba_calloc(t->nwtp > 0 ? t->nwtp : 1, sizeof *t->wtp);
        nomem = t->wtp == NULL;
        size_t dims[1] = { t->nwtp };
        if (nw < 0 || nomem
            || mkba_h5_read_exact(f, "/labels/wtp", 1, dims, H5T_NATIVE_DOUBLE, t->wtp) < 0)
            missing = "/labels/wtp";
    }
    if (missing == NULL && mkba_h5_track(mkba_h5_read_strings(f, "/labels/pm_items",
                                                               &t->pm_item, &t->npm),
                                         &nomem) < 0)
        missing = "/labels/pm_items";
    char *primary = NULL;
    if (missing == NULL
        && mkba_h5_track(mkba_h5_attr_read_string(f, "primary_effect", &primary), &nomem) < 0)
        missing = "primary_effect";
    else if (missing == NULL && mkba_h5_attr_read_double(f, "population", &t->population) < 0)
        missing = "population";
    else if (missing == NULL
             && mkba_h5_attr_read_int(f, "population_years", &t->population_years) < 0)
        missing = "population_years";
    else if (missing == NULL
             && mkba_h5_attr_read_double(f, "optimism_bias", &t->optimism_bias) < 0)
        missing = "optimism_bias";
    else if (missing == NULL && mkba_h5_attr_read_double(f, "deadweight", &t->deadweight) < 0)
        missing = "deadweight";
    /* Optional: files written before the health value have none. */
    t->health_effect = -1;
    t->health_value = 0.0;
    char *health = NULL;
    if (missing == NULL && H5Aexists(f, "health_effect") > 0
        && (mkba_h5_track(mkba_h5_attr_read_string(f, "health_effect", &health), &nomem) < 0
            || mkba_h5_attr_read_double(f, "health_value", &t->health_value) < 0
            || mkba_h5_track(mkba_h5_attr_read_string(f, "health_value_source",
                                                      &t->health_value_source), &nomem) < 0))
        missing = "health_effect, health_value and health_value_source";
    for (size_t e = 0; health != NULL && e < ne; e++)
        if (strcmp(t->effect[e], health) == 0)
            t->health_effect = (int)e;
    if (missing == NULL && health != NULL && health[0] != '\0' && t->health_effect < 0)
        missing = "a health_effect naming an effect";
    mkba_free(health);
    /* Optional: files written before the residual value have none. */
    t->residual_years = 0;
    if (missing == NULL && H5Aexists(f, "residual_years") > 0
        && (mkba_h5_attr_read_int(f, "residual_years", &t->residual_years) < 0
            || t->residual_years < 0 || t->residual_years > MKBA_MAX_RESIDUAL_YEARS))
        missing = "a residual_years of 0 to " STR(MKBA_MAX_RESIDUAL_YEARS) " years";
    /* The half-cycle correction counts the last cycle as half a cycle (or
     * one and a half): the residual value continues the cycles before it. */
    t->last_cycle_partial = 0;
    char *correction = NULL;
    if (missing == NULL && H5Aexists(f, "correction") > 0) {
        if (mkba_h5_track(mkba_h5_attr_read_string(f, "correction", &correction), &nomem) < 0)
            missing = "correction";
        else
            t->last_cycle_partial = strcmp(correction, "half-cycle") == 0;
        mkba_free(correction);
    }
    t->primary_effect = -1;
    for (size_t e = 0; primary != NULL && e < ne; e++)
        if (strcmp(t->effect[e], primary) == 0)
            t->primary_effect = (int)e;
    mkba_free(primary);
    for (size_t e = 0; missing == NULL && e < ne; e++)
        if (t->effect_payer[e] >= (int)np || t->effect_category[e] < 0
            || t->effect_category[e] > MKBA_CAT_EXTERNAL)
            missing = "a valid /labels/effect_payer or /labels/effect_category";
    for (size_t p = 0; missing == NULL && p < np; p++)
        if (t->payer_category[p] < 0 || t->payer_category[p] > MKBA_CAT_EXTERNAL)
            missing = "a valid /labels/payer_category";
    if (missing != NULL && nomem)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory reading %s from %s", missing,
                              path);
    if (missing != NULL)
        return mkba_h5_error(err, MKBA_EPARSE,
                             "%s: cannot read %s; is it a result file of this mkba version "
                             "(%s)?", path, missing, MKBA_VERSION);
    return MKBA_OK;
}
