/* Reading the totals of an mkba result file back (schema: docs/output.md).
 * Every shape is checked against the labels, so a truncated or foreign file
 * gives a message instead of wrong numbers. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "results/schema.h"
#include "core/alloc.h"
#include "h5util.h"
#include "h5out.h"

const char *const mkba_h5_service_name[MKBA_H5_NSERVICE] = {
    [MKBA_H5_SVC_ARRIVALS] = "arrivals",
    [MKBA_H5_SVC_REACHED] = "reached",
    [MKBA_H5_SVC_SELF_RESOLVED] = "self_resolved",
    [MKBA_H5_SVC_IN_CARE] = "in_care",
    [MKBA_H5_SVC_QUEUE] = "queue",
    [MKBA_H5_SVC_MEAN_WAIT] = "mean_wait",
    [MKBA_H5_SVC_DETECTED] = "detected",
    [MKBA_H5_SVC_FTE_USED] = "fte_used",
    [MKBA_H5_SVC_WITHDRAWN] = "withdrawn",
};

void mkba_h5_totals_free(mkba_h5_totals *t)
{
    if (t == NULL)
        return;
    mkba_h5_strings_free(t->arm, t->narms);
    mkba_h5_strings_free(t->arm_calibrated_to, t->arm_calibrated_to ? t->narms : 0);
    mkba_free(t->blend_share);
    mkba_h5_strings_free(t->payer, t->npayers);
    mkba_h5_strings_free(t->effect, t->neffects);
    mkba_h5_strings_free(t->effect_unit, t->neffects);
    mkba_free(t->effect_monetary);
    mkba_free(t->currency);
    mkba_free(t->cost_total_disc);
    mkba_free(t->cost_total);
    mkba_free(t->effect_total_disc);
    mkba_free(t->effect_total);
    mkba_free(t->cost_disc);
    mkba_free(t->effect_disc);
    mkba_free(t->cost_undisc);
    mkba_free(t->effect_undisc);
    mkba_free(t->transfer_total_disc);
    mkba_free(t->transfer_total);
    mkba_free(t->scenario_name);
    mkba_free(t->mode);
    mkba_free(t->base_case);
    mkba_free(t->analysis_status);
    mkba_free(t->health_value_source);
    mkba_free(t->design);
    mkba_free(t->design_draw);
    mkba_free(t->fixed);
    mkba_free(t->effect_lower_is_better);
    mkba_free(t->effect_payer);
    mkba_free(t->effect_category);
    mkba_free(t->payer_municipal);
    mkba_free(t->payer_category);
    mkba_h5_strings_free(t->perspective, t->nperspectives);
    mkba_free(t->perspective_payers);
    mkba_free(t->wtp);
    mkba_h5_strings_free(t->pm_item, t->npm);
    mkba_h5_strings_free(t->category, t->ncategories);
    mkba_free(t->cost_category_disc);
    mkba_free(t->cost_category_undisc);
    mkba_h5_strings_free(t->domain, t->ndomains);
    mkba_free(t->escalations);
    mkba_free(t->batch_households);
    mkba_free(t->batch_cost_total_disc);
    mkba_free(t->batch_effect_total_disc);
    for (int i = 0; i < MKBA_H5_NSERVICE; i++)
        mkba_free(t->service[i]);
    mkba_h5_strings_free(t->team, t->nteams);
    mkba_free(t->arm_teams);
    mkba_free(t->team_fte);
    mkba_free(t->team_caseload);
    mkba_free(t->service_population);
    mkba_free(t->team_in_care);
    mkba_free(t->team_queue);
    mkba_free(t);
}

/* Reads /labels/NAME into names, checking it holds `expect` entries unless
 * expect is NULL (then *count receives the size). */
static int read_names(hid_t f, const char *path, const char *name, char ***names,
                      size_t *count, mkba_error *err)
{
    char full[64];
    snprintf(full, sizeof full, "/labels/%s", name);
    size_t n = 0;
    int r = mkba_h5_read_strings(f, full, names, &n);
    if (r == MKBA_H5_NOMEM)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory reading %s from %s", full, path);
    if (r < 0)
        return mkba_h5_error(err, MKBA_EPARSE, "%s: cannot read %s", path, full);
    *count = n;
    return MKBA_OK;
}

/* Reads the double dataset `name` of the schema, whose shape must be its
 * axes' sizes in n (the draw axis: *ndraws), into a new array. *ndraws is
 * taken from the first dataset read (when 0) and checked against
 * afterwards. */
static int read_block(hid_t f, const char *path, const char *name, const size_t *n,
                      size_t *ndraws, double **out, mkba_error *err)
{
    *out = NULL;
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    if (ds < 0)
        return mkba_h5_error(err, MKBA_EPARSE,
                             "%s is not an mkba result file (missing %s)", path, name);
    int rc = MKBA_OK;
    const mkba_dataset_spec *spec = mkba_schema_find(name);
    mkba_axis ax[MKBA_SCHEMA_MAXRANK];
    int rank = spec != NULL ? mkba_schema_axes(spec->axes, ax) : -1;
    hid_t space = H5Dget_space(ds);
    hsize_t have[MKBA_SCHEMA_MAXRANK] = { 0 };
    int ok = rank > 0 && ax[0] == MKBA_AXIS_DRAW && space >= 0
             && H5Sget_simple_extent_ndims(space) == rank
             && H5Sget_simple_extent_dims(space, have, NULL) >= 0;
    for (int i = 1; ok && i < rank; i++)
        ok = ax[i] < MKBA_NAXES && have[i] == n[ax[i]];
    if (ok && *ndraws == 0)
        *ndraws = (size_t)have[0];
    ok = ok && have[0] == *ndraws && *ndraws > 0;
    if (!ok) {
        rc = mkba_error_set(err, MKBA_EPARSE,
                            "%s: %s does not have the shape its labels and other datasets give",
                            path, name);
        goto done;
    }
    size_t count = *ndraws * mkba_schema_draw_count(spec, n);
    *out = mkba_malloc((count > 0 ? count : 1) * sizeof **out);
    if (*out == NULL) {
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory reading %s from %s", name, path);
        goto done;
    }
    if (count > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) < 0) {
        rc = mkba_h5_error(err, MKBA_EIO, "%s: cannot read %s", path, name);
        mkba_free(*out);
        *out = NULL;
    }
done:
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(ds);
    return rc;
}

/* The axis sizes the labels read so far give (results/schema.h). */
static void shape_of(const mkba_h5_totals *t, size_t n[MKBA_NAXES])
{
    for (int a = 0; a < MKBA_NAXES; a++)
        n[a] = 0;
    n[MKBA_AXIS_ARM] = t->narms;
    n[MKBA_AXIS_CYCLE] = t->ncycles;
    n[MKBA_AXIS_PAYER] = t->npayers;
    n[MKBA_AXIS_EFFECT] = t->neffects;
    n[MKBA_AXIS_CATEGORY] = t->ncategories;
    n[MKBA_AXIS_DOMAIN] = t->ndomains;
    n[MKBA_AXIS_TEAM] = t->nteams;
    n[MKBA_AXIS_BATCH] = t->nbatches;
}

/* The error for root attribute `name` of path that could not be read:
 * out of memory when the read said so (nomem), else a damaged file. */
static int root_attr_error(mkba_error *err, int nomem, const char *path, const char *name)
{
    if (nomem)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory reading root attribute %s of %s",
                              name, path);
    return mkba_h5_error(err, MKBA_EPARSE, "%s: cannot read root attribute %s", path, name);
}

/* Rows of /labels/blend_shares summing to 1 within this (the loader's
 * tolerance for the shares, scenario_blend.c). */
#define BLEND_SUM_TOLERANCE 1e-9

/* Checks t->blend_share as h5write.c writes it: every entry in [0, 1]; a
 * simulated arm's row (1 on the diagonal) its unit row; a blended arm's
 * row 0 on itself and on every other blended arm, summing to 1 within
 * BLEND_SUM_TOLERANCE. A label without a blended row is dropped
 * (blend_share NULL), so nothing reports blended arms the file lacks. */
static int check_blend_shares(mkba_h5_totals *t, const char *path, mkba_error *err)
{
    const size_t na = t->narms;
    const double *w = t->blend_share;
    size_t blended = 0;
    for (size_t a = 0; a < na; a++) {
        double sum = 0.0;
        for (size_t b = 0; b < na; b++) {
            const double x = w[a * na + b];
            if (!(x >= 0.0 && x <= 1.0))
                return mkba_error_set(err, MKBA_EPARSE, "%s: /labels/blend_shares[%zu][%zu] "
                                      "(arm '%s', part '%s') is %g; expected a share from 0 to "
                                      "1", path, a, b, t->arm[a], t->arm[b], x);
            sum += x;
        }
        const int simulated = w[a * na + a] == 1.0;
        blended += !simulated;
        if (simulated ? sum != 1.0 : w[a * na + a] != 0.0)
            return mkba_error_set(err, MKBA_EPARSE, "%s: /labels/blend_shares row %zu (arm "
                                  "'%s') has %g on its own arm and sums to %.12g; expected a "
                                  "simulated arm's unit row (1 on its own arm, 0 elsewhere) or "
                                  "a blended arm's shares (0 on its own arm)", path, a,
                                  t->arm[a], w[a * na + a], sum);
        if (!simulated && !(fabs(sum - 1.0) <= BLEND_SUM_TOLERANCE))
            return mkba_error_set(err, MKBA_EPARSE, "%s: /labels/blend_shares row %zu (blended "
                                  "arm '%s') sums to %.12g; expected its parts' shares to sum "
                                  "to 1 (within %g)", path, a, t->arm[a], sum,
                                  BLEND_SUM_TOLERANCE);
    }
    for (size_t a = 0; a < na; a++)
        for (size_t b = 0; w[a * na + a] != 1.0 && b < na; b++)
            if (b != a && w[a * na + b] != 0.0 && w[b * na + b] != 1.0)
                return mkba_error_set(err, MKBA_EPARSE, "%s: /labels/blend_shares row %zu "
                                      "(blended arm '%s') weighs blended arm '%s'; expected "
                                      "simulated arms only as parts", path, a, t->arm[a],
                                      t->arm[b]);
    if (blended == 0) {
        mkba_free(t->blend_share);
        t->blend_share = NULL;
    }
    return MKBA_OK;
}

/* Reads the labels and the root attributes the analyses need. */
static int read_labels_and_attributes(hid_t f, const char *path, mkba_h5_totals *t,
                                      mkba_error *err)
{
    size_t nunits = 0;
    int rc = read_names(f, path, "arms", &t->arm, &t->narms, err);
    /* Optional: files written before calibrated arms were marked lack it. */
    if (rc == MKBA_OK && H5Lexists(f, "/labels/arm_calibrated_to", H5P_DEFAULT) > 0) {
        size_t n = 0;
        rc = read_names(f, path, "arm_calibrated_to", &t->arm_calibrated_to, &n, err);
        if (rc == MKBA_OK && n != t->narms) {
            mkba_h5_strings_free(t->arm_calibrated_to, n);
            t->arm_calibrated_to = NULL;
            rc = mkba_error_set(err, MKBA_EPARSE, "%s: /labels/arm_calibrated_to and "
                                "/labels/arms differ in length", path);
        }
    }
    /* Optional: written with blended arms only. */
    if (rc == MKBA_OK && H5Lexists(f, "/labels/blend_shares", H5P_DEFAULT) > 0) {
        size_t dsh[2] = { t->narms, t->narms };
        t->blend_share = mkba_malloc((t->narms * t->narms + 1) * sizeof *t->blend_share);
        if (t->blend_share == NULL)
            rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory reading /labels/blend_shares "
                                "from %s", path);
        else if (mkba_h5_read_exact(f, "/labels/blend_shares", 2, dsh, H5T_NATIVE_DOUBLE,
                                    t->blend_share) < 0)
            rc = mkba_h5_error(err, MKBA_EPARSE, "%s: cannot read /labels/blend_shares (or it "
                               "is not arms x arms)", path);
        else
            rc = check_blend_shares(t, path, err);
    }
    if (rc == MKBA_OK)
        rc = read_names(f, path, "payers", &t->payer, &t->npayers, err);
    if (rc == MKBA_OK)
        rc = read_names(f, path, "effects", &t->effect, &t->neffects, err);
    if (rc == MKBA_OK) {
        char **units = NULL;
        rc = read_names(f, path, "effect_units", &units, &nunits, err);
        t->effect_unit = units;
        if (rc == MKBA_OK && nunits != t->neffects) {
            /* Keep the count mkba_free() needs, then report. */
            mkba_h5_strings_free(t->effect_unit, nunits);
            t->effect_unit = NULL;
            rc = mkba_error_set(err, MKBA_EPARSE,
                                "%s: /labels/effect_units and /labels/effects differ in length", path);
        }
    }
    if (rc != MKBA_OK)
        return rc;

    t->effect_monetary = mkba_calloc(t->neffects > 0 ? t->neffects : 1, sizeof *t->effect_monetary);
    if (t->effect_monetary == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory reading %s", path);
    hid_t ds = H5Dopen2(f, "/labels/effect_monetary", H5P_DEFAULT);
    hid_t space = ds >= 0 ? H5Dget_space(ds) : -1;
    int ok = space >= 0
             && H5Sget_simple_extent_npoints(space) == (hssize_t)t->neffects
             && (t->neffects == 0
                 || H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                            t->effect_monetary) >= 0);
    if (space >= 0)
        H5Sclose(space);
    if (ds >= 0)
        H5Dclose(ds);
    if (!ok)
        return mkba_h5_error(err, MKBA_EPARSE, "%s: cannot read /labels/effect_monetary", path);

    int ncycles = 0, nomem = 0;
    char *reference = NULL;
    const char *missing = NULL;
    if (mkba_h5_track(mkba_h5_attr_read_string(f, "reference_arm", &reference), &nomem) < 0)
        missing = "reference_arm";
    else if (mkba_h5_track(mkba_h5_attr_read_string(f, "currency", &t->currency), &nomem) < 0)
        missing = "currency";
    else if (mkba_h5_attr_read_double(f, "cycle_years", &t->cycle_years) < 0) missing = "cycle_years";
    else if (mkba_h5_attr_read_int(f, "ncycles", &ncycles) < 0) missing = "ncycles";
    else if (mkba_h5_attr_read_int(f, "price_year", &t->price_year) < 0) missing = "price_year";
    else if (mkba_h5_attr_read_double(f, "discount_rate_costs", &t->rate_costs) < 0)
        missing = "discount_rate_costs";
    else if (mkba_h5_attr_read_double(f, "discount_rate_effects", &t->rate_effects) < 0)
        missing = "discount_rate_effects";
    if (missing != NULL) {
        mkba_free(reference);
        return root_attr_error(err, nomem, path, missing);
    }
    t->ncycles = (size_t)(ncycles > 0 ? ncycles : 0);
    int64_t draws = -1, households = -1;
    struct { const char *name; char **out; } text[] = {
        { "scenario_name", &t->scenario_name }, { "mode", &t->mode },
        { "base_case", &t->base_case },
    };
    for (size_t i = 0; missing == NULL && i < sizeof text / sizeof text[0]; i++)
        if (mkba_h5_track(mkba_h5_attr_read_string(f, text[i].name, text[i].out), &nomem) < 0)
            missing = text[i].name;
    if (missing == NULL && mkba_h5_attr_read_int64(f, "draws", &draws) < 0)
        missing = "draws";
    else if (missing == NULL && mkba_h5_attr_read_int64(f, "households", &households) < 0)
        missing = "households";
    if (missing != NULL) {
        mkba_free(reference);
        return root_attr_error(err, nomem, path, missing);
    }
    t->draws = (long)draws;
    t->households = (long)households;
    /* Optional: analysis_status is absent in a file committed without
     * analyses (e.g. by tests), the study's attributes in files written
     * before the study layer and in studies that did not set them. */
    struct { const char *name; char **out; } optional[] = {
        { "analysis_status", &t->analysis_status }, { "design", &t->design },
        { "design_draw", &t->design_draw }, { "fixed", &t->fixed },
    };
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++) {
        htri_t has = H5Aexists(f, optional[i].name);
        if (has < 0 || (has > 0 && mkba_h5_track(mkba_h5_attr_read_string(f, optional[i].name,
                                                                          optional[i].out),
                                                 &nomem) < 0)) {
            mkba_free(reference);
            return root_attr_error(err, nomem, path, optional[i].name);
        }
    }
    t->reference = -1;
    for (size_t a = 0; a < t->narms; a++)
        if (strcmp(t->arm[a], reference) == 0)
            t->reference = (int)a;
    if (t->reference < 0)
        rc = mkba_error_set(err, MKBA_EPARSE,
                            "%s: reference_arm \"%s\" is not in /labels/arms", path, reference);
    mkba_free(reference);
    if (rc == MKBA_OK)
        rc = mkba_h5_read_settings(f, path, t, err);
    if (rc == MKBA_OK)
        rc = read_names(f, path, "cost_categories", &t->category, &t->ncategories, err);
    if (rc == MKBA_OK)
        rc = read_names(f, path, "domains", &t->domain, &t->ndomains, err);
    if (rc == MKBA_OK)
        t->services = H5Lexists(f, "/draws/services", H5P_DEFAULT) > 0;
    return rc;
}

/* Copies the value of parameter `index` in each draw and arm from
 * /draws/parameters (values, [draw][arm][npar]) to out[(d A + a) stride],
 * or NaN when index names no parameter (-1: the file has none). */
static void parameter_column(const mkba_h5_totals *t, const double *values, size_t npar,
                             int index, double *out, size_t stride)
{
    for (size_t i = 0; i < t->ndraws * t->narms; i++)
        out[i * stride] = index >= 0 && (size_t)index < npar ? values[i * npar + (size_t)index]
                                                             : NAN;
}

/* Reads an int label of nt entries when the file has it, else fills -1. */
static int read_team_index(hid_t f, const char *name, size_t nt, int *v)
{
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0) {
        for (size_t i = 0; i < nt; i++)
            v[i] = -1;
        return 0;
    }
    size_t dims[1] = { nt };
    return mkba_h5_read_exact(f, name, 1, dims, H5T_NATIVE_INT, v);
}

/* A blended arm (row a of /labels/blend_shares, not the unit row of a
 * simulated arm) has NaN parameters: its teams' staff and the population
 * they serve are its parts' at their shares, each part counted for the
 * teams it runs; its caseload is the parts' when they agree, else NaN
 * (docs/model.md, "Mixed arms"). */
static void blend_teams(mkba_h5_totals *t, const double *share)
{
    const size_t na = t->narms, nt = t->nteams;
    for (size_t a = 0; a < na; a++) {
        int simulated = 1;
        for (size_t b = 0; b < na; b++)
            simulated &= share[a * na + b] == (a == b ? 1.0 : 0.0);
        if (simulated)
            continue;
        for (size_t d = 0; d < t->ndraws; d++) {
            const size_t da = d * na + a;
            double pop = 0.0;
            for (size_t b = 0; b < na; b++)
                if (share[a * na + b] != 0.0)
                    pop += share[a * na + b] * t->service_population[d * na + b];
            t->service_population[da] = pop;
            for (size_t k = 0; k < nt; k++) {
                double fte = 0.0, caseload = NAN;
                int first = 1;
                for (size_t b = 0; b < na; b++) {
                    const double w = share[a * na + b];
                    if (w == 0.0 || !t->arm_teams[b * nt + k])
                        continue;
                    const size_t db = (d * na + b) * nt + k;
                    fte += w * t->team_fte[db];
                    if (first)
                        caseload = t->team_caseload[db];
                    else if (!(caseload == t->team_caseload[db]))
                        caseload = NAN;
                    first = 0;
                }
                t->team_fte[da * nt + k] = fte;
                t->team_caseload[da * nt + k] = caseload;
            }
        }
    }
}

/* The teams of a file with service pathways: names, which arm runs which,
 * their staff, caseload and population per draw and arm, and the
 * households in care with and waiting for each (h5out.h). A file written
 * before the per-team arrays or the caseload label existed still reads,
 * without them. */
static int read_teams(hid_t f, const char *path, mkba_h5_totals *t, mkba_error *err)
{
    if (H5Lexists(f, "/labels/teams", H5P_DEFAULT) <= 0)
        return MKBA_OK;
    int rc = read_names(f, path, "teams", &t->team, &t->nteams, err);
    if (rc != MKBA_OK)
        return rc;
    size_t nt = t->nteams, na = t->narms, nda = t->ndraws * t->narms, npar = 0;
    char **names = NULL;
    int r = mkba_h5_read_strings(f, "/labels/parameters", &names, &npar);
    if (r == MKBA_H5_NOMEM)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory reading /labels/parameters from "
                              "%s", path);
    if (r < 0)
        return mkba_h5_error(err, MKBA_EPARSE, "%s: cannot read /labels/parameters", path);
    mkba_h5_strings_free(names, npar);
    int *fte = mkba_malloc((nt + 1) * sizeof *fte), *caseload = mkba_malloc((nt + 1) * sizeof *caseload);
    double *values = NULL;
    t->arm_teams = mkba_calloc(na * nt + 1, sizeof *t->arm_teams);
    t->team_fte = mkba_malloc((nda * nt + 1) * sizeof *t->team_fte);
    t->team_caseload = mkba_malloc((nda * nt + 1) * sizeof *t->team_caseload);
    t->service_population = mkba_malloc((nda + 1) * sizeof *t->service_population);
    if (fte == NULL || caseload == NULL || t->arm_teams == NULL || t->team_fte == NULL
        || t->team_caseload == NULL || t->service_population == NULL) {
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory reading the teams of %s", path);
        goto done;
    }
    size_t dat[2] = { na, nt };
    const char *failed = NULL;
    if (nt > 0 && mkba_h5_read_exact(f, "/labels/arm_teams", 2, dat, H5T_NATIVE_INT,
                                     t->arm_teams) < 0)
        failed = "/labels/arm_teams";
    else if (nt > 0 && read_team_index(f, "/labels/team_fte_parameter", nt, fte) < 0)
        failed = "/labels/team_fte_parameter";
    else if (nt > 0 && read_team_index(f, "/labels/team_caseload_parameter", nt, caseload) < 0)
        failed = "/labels/team_caseload_parameter";
    if (failed != NULL) {
        rc = mkba_h5_error(err, MKBA_EPARSE, "%s: cannot read %s (or it does not have one "
                           "entry per team of /labels/teams)", path, failed);
        goto done;
    }
    int population = -1;
    hid_t g = H5Gopen2(f, "/draws/services", H5P_DEFAULT);
    if (g < 0 || mkba_h5_attr_read_int(g, "population_parameter_index", &population) < 0)
        population = -1;
    if (g >= 0)
        H5Gclose(g);
    H5Eclear2(H5E_DEFAULT);
    size_t n[MKBA_NAXES];
    shape_of(t, n);
    n[MKBA_AXIS_PARAMETER] = npar;
    rc = read_block(f, path, "/draws/parameters", n, &t->ndraws, &values, err);
    if (rc != MKBA_OK)
        goto done;
    parameter_column(t, values, npar, population, t->service_population, 1);
    for (size_t k = 0; k < nt; k++) {
        parameter_column(t, values, npar, fte[k], t->team_fte + k, nt);
        parameter_column(t, values, npar, caseload[k], t->team_caseload + k, nt);
    }
    if (t->blend_share != NULL)
        blend_teams(t, t->blend_share);
    if (H5Lexists(f, "/draws/services/team_in_care", H5P_DEFAULT) > 0
        && H5Lexists(f, "/draws/services/team_queue", H5P_DEFAULT) > 0) {
        rc = read_block(f, path, "/draws/services/team_in_care", n, &t->ndraws,
                        &t->team_in_care, err);
        if (rc == MKBA_OK)
            rc = read_block(f, path, "/draws/services/team_queue", n, &t->ndraws,
                            &t->team_queue, err);
    }
done:
    mkba_free(values);
    mkba_free(caseload);
    mkba_free(fte);
    return rc;
}

/* The household batches (/draws/batches), when the file has them: files
 * written before them read with nbatches 0 and NULL arrays. */
static int read_batches(hid_t f, const char *path, mkba_h5_totals *t, mkba_error *err)
{
    if (H5Lexists(f, "/draws/batches", H5P_DEFAULT) <= 0)
        return MKBA_OK;
    t->nbatches = MKBA_RESULT_BATCHES;
    size_t n[MKBA_NAXES];
    shape_of(t, n);
    int rc = read_block(f, path, "/draws/batches/households", n, &t->ndraws,
                        &t->batch_households, err);
    if (rc == MKBA_OK)
        rc = read_block(f, path, "/draws/batches/cost_total_discounted", n, &t->ndraws,
                        &t->batch_cost_total_disc, err);
    if (rc == MKBA_OK)
        rc = read_block(f, path, "/draws/batches/effect_total_discounted", n, &t->ndraws,
                        &t->batch_effect_total_disc, err);
    return rc;
}

static int read_all(hid_t f, const char *path, mkba_h5_totals *t, mkba_error *err)
{
    int rc = read_labels_and_attributes(f, path, t, err);
    size_t n[MKBA_NAXES];
    shape_of(t, n);
    /* The totals' fields for the /draws datasets they hold; shapes come
     * from the schema. */
    struct { const char *name; double **out; } block[] = {
        { "/draws/cost_total", &t->cost_total },
        { "/draws/cost_total_discounted", &t->cost_total_disc },
        { "/draws/effect_total", &t->effect_total },
        { "/draws/effect_total_discounted", &t->effect_total_disc },
        { "/draws/cost", &t->cost_undisc },
        { "/draws/cost_discounted", &t->cost_disc },
        { "/draws/effect", &t->effect_undisc },
        { "/draws/effect_discounted", &t->effect_disc },
        { "/draws/transfer_total", &t->transfer_total },
        { "/draws/transfer_total_discounted", &t->transfer_total_disc },
        { "/draws/cost_category", &t->cost_category_undisc },
        { "/draws/cost_category_discounted", &t->cost_category_disc },
        { "/draws/escalations", &t->escalations },
    };
    for (size_t i = 0; i < sizeof block / sizeof block[0] && rc == MKBA_OK; i++)
        rc = read_block(f, path, block[i].name, n, &t->ndraws, block[i].out, err);
    for (int i = 0; t->services && i < MKBA_H5_NSERVICE && rc == MKBA_OK; i++) {
        char name[64];
        snprintf(name, sizeof name, "/draws/services/%s", mkba_h5_service_name[i]);
        /* withdrawn came after the others: a file without it still reads. */
        if (i == MKBA_H5_SVC_WITHDRAWN && H5Lexists(f, name, H5P_DEFAULT) <= 0)
            continue;
        rc = read_block(f, path, name, n, &t->ndraws, &t->service[i], err);
    }
    if (rc == MKBA_OK && t->services)
        rc = read_teams(f, path, t, err);
    if (rc == MKBA_OK)
        rc = read_batches(f, path, t, err);
    return rc;
}

int mkba_h5_read_totals(const char *path, mkba_h5_totals **out, mkba_error *err)
{
    if (out == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "mkba_h5_read_totals: missing output");
    *out = NULL;
    if (path == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "mkba_h5_read_totals: missing path");
    struct stat st;
    if (stat(path, &st) != 0)
        return mkba_error_set(err, MKBA_EIO, "cannot open %s: %s", path, strerror(errno));

    mkba_h5_quiet q;
    mkba_h5_quiet_begin(&q);
    int rc = MKBA_OK;
    hid_t f = -1;
    mkba_h5_totals *t = NULL;
    htri_t is_h5 = H5Fis_hdf5(path);
    if (is_h5 == 0) {
        rc = mkba_error_set(err, MKBA_EPARSE, "%s is not an mkba result file (not HDF5)", path);
        goto done;
    }
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        rc = mkba_h5_error(err, MKBA_EIO, "cannot open %s", path);
        goto done;
    }
    /* Checked first so a foreign HDF5 file gets the plain message. */
    if (H5Lexists(f, "/draws", H5P_DEFAULT) <= 0
        || H5Lexists(f, "/draws/cost_total", H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        rc = mkba_error_set(err, MKBA_EPARSE,
                            "%s is not an mkba result file (missing /draws/cost_total)", path);
        goto done;
    }
    t = mkba_calloc(1, sizeof *t);
    if (t == NULL) {
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory reading %s", path);
        goto done;
    }
    rc = read_all(f, path, t, err);
done:
    if (f >= 0)
        H5Fclose(f);
    mkba_h5_quiet_end(&q);
    if (rc != MKBA_OK)
        mkba_h5_totals_free(t);
    else
        *out = t;
    return rc;
}
