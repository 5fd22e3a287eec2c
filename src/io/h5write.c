/* Writing an mkba result file. The schema is in docs/output.md.
 *
 * The file is built under PATH.tmp and renamed to PATH only when complete,
 * so a crashed or failed run never leaves a file that looks finished. Each
 * per-draw dataset is chunked one draw per chunk and written one draw at a
 * time through a hyperslab, so memory stays flat however many draws run. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "mkba/mkba.h"
#include "core/alloc.h"
#include "core/commit.h"
#include "core/strutil.h"
#include "results/schema.h"
#include "h5util.h"
#include "h5out.h"

/* The /draws datasets of the per-draw record, in schema order. */
enum {
#define MKBA_RECORD(field, name, axes, when, units, description) REC_##field,
#include "results/datasets.def"
    REC_COUNT
};

struct mkba_h5_writer {
    char *path, *tmp;
    int force;
    hid_t file;
    hid_t ds[REC_COUNT];       /* -1 for the service outputs of a model without */
    const mkba_dataset_spec *rec[REC_COUNT];
    hid_t draw_index;
    size_t nstored;
    size_t axis[MKBA_NAXES];   /* sizes from the model (draw: nstored) */
    int services;              /* the model has services: /draws/services exists */
    int population;            /* the model has a population block: /draws/budget exists */
    int uncompressed;          /* mkba_run_meta.uncompressed: no deflate */
    unsigned char *written;    /* [nstored]: draw stored yet */
    int finished;              /* mkba_h5_finish closed the file */
    char money_units[160];     /* "EUR at 2024 prices per starting household" */
};

/* Closes the file of w with its datasets, throwing away what is not
 * written yet when `discard` is set; returns mkba_h5_close_file's result. */
static int writer_close_file(mkba_h5_writer *w, int discard)
{
    int rc = w->file >= 0 ? mkba_h5_close_file(w->file, discard) : 0;
    for (int i = 0; i < REC_COUNT; i++)
        w->ds[i] = -1;
    w->draw_index = -1;
    w->file = -1;
    return rc;
}

/* Closes every HDF5 object of w (discarding unwritten data) and frees it;
 * the temporary file stays. */
static void writer_release(mkba_h5_writer *w)
{
    if (w == NULL)
        return;
    writer_close_file(w, 1);
    mkba_free(w->written);
    mkba_free(w->path);
    mkba_free(w->tmp);
    mkba_free(w);
}

/* Writes the root attributes (see docs/output.md). */
static int write_root_attributes(mkba_h5_writer *w, const mkba_model *m,
                                 const mkba_run_meta *meta, mkba_error *err)
{
    char created[32] = "";
    time_t now = time(NULL);
    struct tm utc;
    if (gmtime_r(&now, &utc) != NULL)
        strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &utc);
    char units_note[256];
    snprintf(units_note, sizeof units_note,
             "money and effects are per household of the starting cohort; "
             "money in %s at %d prices", m->currency ? m->currency : "", m->price_year);
    const mkba_timing *t = &m->timing;
    const char *reference = m->reference >= 0 && (size_t)m->reference < m->narms
                            ? m->arm[m->reference].name : "";
    hid_t f = w->file;

    struct { const char *name; const char *value; } str[] = {
        { "mkba_version", MKBA_VERSION },
        { "scenario_name", m->name },
        { "scenario_path", m->path },
        { "scenario_text", m->text },
        { "mode", meta->mode },
        { "base_case", meta->base_case },
        { "occupancy", mkba_occupancy_names[t->occupancy] },
        { "correction", mkba_correction_names[t->correction] },
        { "discount_time", mkba_discount_time_names[t->discount_time] },
        { "currency", m->currency },
        { "reference_arm", reference },
        { "created", created },
        { "units_note", units_note },
    };
    for (size_t i = 0; i < sizeof str / sizeof str[0]; i++)
        if (mkba_h5_attr_string(f, str[i].name, str[i].value) < 0)
            return mkba_h5_write_error(err, w->path, "cannot write attribute %s in %s",
                                 str[i].name, w->path);

    struct { const char *name; double value; } dbl[] = {
        { "cycle_years", t->cycle_years },
        { "horizon_years", t->ncycles * t->cycle_years },
        { "discount_rate_costs", t->rate_costs },
        { "discount_rate_effects", t->rate_effects },
    };
    for (size_t i = 0; i < sizeof dbl / sizeof dbl[0]; i++)
        if (mkba_h5_attr_double(f, dbl[i].name, dbl[i].value) < 0)
            return mkba_h5_write_error(err, w->path, "cannot write attribute %s in %s",
                                 dbl[i].name, w->path);

    if (mkba_h5_attr_uint64(f, "seed", meta->seed) < 0
        || mkba_h5_attr_int64(f, "draws", meta->draws) < 0
        || mkba_h5_attr_int64(f, "households", meta->households) < 0
        || mkba_h5_attr_int(f, "threads", meta->threads) < 0
        || mkba_h5_attr_int(f, "ncycles", t->ncycles) < 0
        || mkba_h5_attr_int(f, "price_year", m->price_year) < 0)
        return mkba_h5_write_error(err, w->path, "cannot write the run attributes in %s", w->path);
    return MKBA_OK;
}

/* Writes /labels/cycle (1..T) and /labels/time (years at each time point
 * 0..T) and /labels/batch (0..MKBA_RESULT_BATCHES-1): the coordinates of
 * the numeric axes, so they have dimension scales like the named ones. Attributes come from the
 * schema (mkba_h5_describe). */
static int write_time_axes(mkba_h5_writer *w, hid_t g, const mkba_model *m, mkba_error *err)
{
    size_t T = w->axis[MKBA_AXIS_CYCLE];
    int *cycle = mkba_malloc((T + 1) * sizeof *cycle);
    double *time = mkba_malloc((T + 1) * sizeof *time);
    int rc = MKBA_OK;
    if (cycle == NULL || time == NULL) {
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing labels to %s", w->path);
    } else {
        for (size_t j = 0; j <= T; j++) {
            cycle[j] = (int)j + 1;
            time[j] = (double)j * m->timing.cycle_years;
        }
        size_t dc[1] = { T }, dt[1] = { T + 1 };
        if (mkba_h5_write_ints(g, "cycle", 1, dc, cycle, NULL, NULL, NULL) < 0)
            rc = mkba_h5_write_error(err, w->path, "cannot write /labels/cycle in %s", w->path);
        else if (mkba_h5_write_doubles(g, "time", 1, dt, time, NULL, NULL, NULL) < 0)
            rc = mkba_h5_write_error(err, w->path, "cannot write /labels/time in %s", w->path);
    }
    int batch[MKBA_RESULT_BATCHES];
    size_t db[1] = { MKBA_RESULT_BATCHES };
    for (int b = 0; b < MKBA_RESULT_BATCHES; b++)
        batch[b] = b;
    if (rc == MKBA_OK && mkba_h5_write_ints(g, "batch", 1, db, batch, NULL, NULL, NULL) < 0)
        rc = mkba_h5_write_error(err, w->path, "cannot write /labels/batch in %s", w->path);
    mkba_free(cycle);
    mkba_free(time);
    return rc;
}

/* Writes the strings arr[0..n) as /labels/name in group g. A function, not
 * a macro, so that gcov counts each report on a line of its own. */
static int put_labels(const mkba_h5_writer *w, hid_t g, const char *name,
                      const char *const *arr, size_t n, mkba_error *err)
{
    int put = mkba_h5_write_strings(g, name, arr, n);
    if (put == MKBA_H5_NOMEM)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory writing /labels/%s to %s", name,
                              w->path);
    if (put < 0)
        return mkba_h5_write_error(err, w->path, "cannot write /labels/%s in %s", name,
                                   w->path);
    return MKBA_OK;
}

/* Writes /labels: the names along every axis of the /draws datasets. */
static int write_labels(mkba_h5_writer *w, const mkba_model *m, mkba_error *err)
{
    size_t nstates = w->axis[MKBA_AXIS_STATE], npar = w->axis[MKBA_AXIS_PARAMETER];
    size_t nmax = m->narms;
    if (m->npayers > nmax) nmax = m->npayers;
    if (m->neffects > nmax) nmax = m->neffects;
    if (m->ndomains > nmax) nmax = m->ndomains;
    if (nstates > nmax) nmax = nstates;
    if (npar > nmax) nmax = npar;
    if (m->ncategories > nmax) nmax = m->ncategories;

    int rc = MKBA_OK;
    const char **s = mkba_calloc(nmax > 0 ? nmax : 1, sizeof *s);
    const char **s2 = mkba_calloc(nmax > 0 ? nmax : 1, sizeof *s2);
    char **owned = mkba_calloc(nstates > 0 ? nstates : 1, sizeof *owned);
    int *mon = mkba_calloc(m->neffects > 0 ? m->neffects : 1, sizeof *mon);
    hid_t g = H5Gcreate2(w->file, "labels", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (s == NULL || s2 == NULL || owned == NULL || mon == NULL) {
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing labels to %s", w->path);
        goto done;
    }
    if (g < 0) {
        rc = mkba_h5_write_error(err, w->path, "cannot create group /labels in %s", w->path);
        goto done;
    }

    for (size_t i = 0; i < m->narms; i++)
        s[i] = m->arm[i].name;
    if ((rc = put_labels(w, g, "arms", s, m->narms, err)) != MKBA_OK)
        goto done;
    for (size_t i = 0; i < m->narms; i++)
        s[i] = m->arm[i].calibrated_to != NULL ? m->arm[i].calibrated_to : "";
    if ((rc = put_labels(w, g, "arm_calibrated_to", s, m->narms, err)) != MKBA_OK)
        goto done;
    /* /labels/blend_shares: row a is arm a's weight on each arm (a
     * simulated arm weighs itself 1, a blended arm its parts at their
     * shares), so a reader knows the blended arms and can give them their
     * parts' staff at the shares (their parameters are NaN). Written with
     * blended arms only. */
    if (m->nblends > 0) {
        const size_t na = m->narms, S = mkba_model_simulated(m);
        double *share = mkba_calloc(na * na + 1, sizeof *share);
        size_t dat[2] = {na, na};
        for (size_t a = 0; share != NULL && a < S; a++)
            share[a * na + a] = 1.0;
        for (size_t j = 0; share != NULL && j < m->nblends; j++)
            for (size_t k = 0; k < m->blend[j].nparts; k++)
                share[(S + j) * na + (size_t)m->blend[j].arm[k]] = m->blend[j].share[k];
        const int put = share == NULL ? -1
                            : mkba_h5_write_doubles(g, "blend_shares", 2, dat, share, "arm,arm",
                                                    "1", "row arm's share of each arm: 1 on "
                                                    "the diagonal for a simulated arm, a "
                                                    "blended arm's parts at their shares "
                                                    "(docs/model.md, \"Mixed arms\")");
        const int nomem = share == NULL;
        mkba_free(share);
        if (put < 0) {
            rc = nomem ? mkba_error_set(err, MKBA_ENOMEM, "out of memory writing "
                                                "/labels/blend_shares to %s", w->path)
                       : mkba_h5_write_error(err, w->path, "cannot write "
                                             "/labels/blend_shares in %s", w->path);
            goto done;
        }
    }
    if ((rc = put_labels(w, g, "payers", (const char *const *)m->payer, m->npayers, err))
        != MKBA_OK)
        goto done;
    for (size_t i = 0; i < m->neffects; i++) {
        s[i] = m->effect[i].name;
        s2[i] = m->effect[i].unit;
        mon[i] = m->effect[i].monetary != 0;
    }
    if ((rc = put_labels(w, g, "effects", s, m->neffects, err)) != MKBA_OK)
        goto done;
    if ((rc = put_labels(w, g, "effect_units", s2, m->neffects, err)) != MKBA_OK)
        goto done;
    for (size_t i = 0; i < m->ndomains; i++)
        s[i] = m->domain[i].name;
    if ((rc = put_labels(w, g, "domains", s, m->ndomains, err)) != MKBA_OK)
        goto done;
    size_t k = 0;
    for (size_t d = 0; d < m->ndomains; d++)
        for (int j = 0; j < m->domain[d].nstates; j++, k++) {
            const char *dn = m->domain[d].name, *sn = m->domain[d].state[j].name;
            size_t len = strlen(dn) + strlen(sn) + 2;
            owned[k] = mkba_malloc(len);
            if (owned[k] == NULL) {
                rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing labels to %s",
                                    w->path);
                goto done;
            }
            snprintf(owned[k], len, "%s/%s", dn, sn);
        }
    if ((rc = put_labels(w, g, "states", (const char *const *)owned, nstates, err)) != MKBA_OK)
        goto done;
    for (size_t i = 0; i < npar; i++) {
        const mkba_param *p = mkba_params_get(m->params, i);
        s[i] = p->name;
        s2[i] = p->source;
    }
    if ((rc = put_labels(w, g, "parameters", s, npar, err)) != MKBA_OK)
        goto done;
    if ((rc = put_labels(w, g, "parameter_sources", s2, npar, err)) != MKBA_OK)
        goto done;
    if ((rc = put_labels(w, g, "cost_categories", (const char *const *)m->category,
                         m->category != NULL ? m->ncategories : 0, err)) != MKBA_OK)
        goto done;
    if ((rc = put_labels(w, g, "household_groups", mkba_result_groups, MKBA_RESULT_GROUPS,
                         err)) != MKBA_OK)
        goto done;

    /* Through the helper, which checks the dataset's close: HDF5 writes
     * the data there. */
    size_t ne[1] = { m->neffects };
    if (mkba_h5_write_ints(g, "effect_monetary", 1, ne, mon, NULL, NULL, NULL) < 0)
        rc = mkba_h5_write_error(err, w->path, "cannot write /labels/effect_monetary in %s",
                                 w->path);
    if (rc == MKBA_OK)
        rc = write_time_axes(w, g, m, err);
done:
    if (g >= 0)
        H5Gclose(g);
    if (owned != NULL)
        for (size_t i = 0; i < nstates; i++)
            mkba_free(owned[i]);
    mkba_free(owned);
    mkba_free(mon);
    mkba_free(s2);
    mkba_free((void *)s);
    return rc;
}


/* The name of value index v of m (a parameter), or "" when there is none. */
static const char *value_name(const mkba_model *m, int v)
{
    if (v < 0 || (size_t)v >= mkba_params_count(m->params))
        return "";
    const mkba_param *p = mkba_params_get(m->params, (size_t)v);
    return p != NULL && p->name != NULL ? p->name : "";
}

/* Entry i of a name table of n entries, or "" outside it. */
static const char *name_at(const char *const *names, int n, int i)
{
    return i >= 0 && i < n && names[i] != NULL ? names[i] : "";
}

/* Writes the /labels entries of the service pathways: the teams and what
 * each arm's pathway is, enough to read /draws/services without the
 * scenario (docs/output.md). */
static int write_service_labels(mkba_h5_writer *w, const mkba_model *m, mkba_error *err)
{
    const mkba_services *sv = &m->services;
    size_t nt = sv->nteams, na = m->narms, nd = m->ndomains;
    size_t nmax = nt > na ? nt : na;
    const char **s = mkba_calloc(nmax > 0 ? nmax : 1, sizeof *s);
    const char **s2 = mkba_calloc(nmax > 0 ? nmax : 1, sizeof *s2);
    int *dom = mkba_calloc(nt * nd > 0 ? nt * nd : 1, sizeof *dom);
    int *fte = mkba_calloc(nt > 0 ? nt : 1, sizeof *fte);
    int *caseload = mkba_calloc(nt > 0 ? nt : 1, sizeof *caseload);
    hid_t g = H5Gopen2(w->file, "labels", H5P_DEFAULT);
    const char *failed = NULL;
    int rc = MKBA_OK, nomem = 0;
    if (s == NULL || s2 == NULL || dom == NULL || fte == NULL || caseload == NULL) {
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing labels to %s", w->path);
        goto done;
    }
    if (g < 0) {
        rc = mkba_h5_write_error(err, w->path, "cannot open group /labels in %s", w->path);
        goto done;
    }
    for (size_t t = 0; t < nt; t++) {
        s[t] = sv->team[t].name;
        for (size_t d = 0; d < nd; d++)
            dom[t * nd + d] = (sv->team[t].domains >> d) & 1u;
        fte[t] = sv->team[t].fte;
        caseload[t] = sv->team[t].caseload;
    }
    size_t dtd[2] = { nt, nd }, dt[1] = { nt }, dg[1] = { MKBA_NDEGREES };
    if (mkba_h5_track(mkba_h5_write_strings(g, "teams", s, nt), &nomem) < 0)
        failed = "teams";
    else if (mkba_h5_write_ints(g, "team_domains", 2, dtd, dom, "team,domain", "1",
                                "1 when the team treats the domain (/labels/domains)") < 0)
        failed = "team_domains";
    else if (mkba_h5_write_ints(g, "team_fte_parameter", 1, dt, fte, "team", "1",
                                "the team's staff (FTE for services.population): index into "
                                "/labels/parameters, its value per draw in /draws/parameters; "
                                "-1 none") < 0)
        failed = "team_fte_parameter";
    else if (mkba_h5_write_ints(g, "team_caseload_parameter", 1, dt, caseload, "team", "1",
                                "the team's caseload (households in care per FTE): index into "
                                "/labels/parameters, its value per draw in /draws/parameters; "
                                "-1 none") < 0)
        failed = "team_caseload_parameter";
    else if (mkba_h5_track(mkba_h5_write_strings(g, "degrees",
                                                 (const char *const *)mkba_degree_names,
                                                 MKBA_NDEGREES), &nomem) < 0)
        failed = "degrees";
    else if (mkba_h5_write_doubles(g, "degree_weights", 1, dg, sv->degree_weight, "degree", "1",
                                   "weight w(degree) of each degree of integration "
                                   "(/labels/degrees) in the pathway mechanisms") < 0)
        failed = "degree_weights";
    if (failed == NULL) {
        for (size_t a = 0; a < na; a++) {
            /* A blended arm has no pathway of its own (docs/model.md). */
            const int blend = a >= mkba_model_simulated(m);
            s[a] = blend ? "blend" : name_at(mkba_route_names, MKBA_NROUTES, (int)sv->pathway[a].rule);
            s2[a] = blend ? "blend" : name_at(mkba_degree_names, MKBA_NDEGREES, (int)sv->pathway[a].degree);
        }
        if (mkba_h5_track(mkba_h5_write_strings(g, "pathway_rule", s, na), &nomem) < 0)
            failed = "pathway_rule";
        else if (mkba_h5_track(mkba_h5_write_strings(g, "pathway_degree", s2, na), &nomem) < 0)
            failed = "pathway_degree";
    }
    if (failed == NULL) {
        for (size_t a = 0; a < na; a++) {
            int t = a < mkba_model_simulated(m) ? sv->pathway[a].team : -1;
            s[a] = t >= 0 && (size_t)t < nt && sv->team[t].name != NULL ? sv->team[t].name : "";
        }
        if (mkba_h5_track(mkba_h5_write_strings(g, "pathway_team", s, na), &nomem) < 0)
            failed = "pathway_team";
    }
    if (failed == NULL) {
        int *used = mkba_malloc((na * nt + 1) * sizeof *used);
        nomem = used == NULL;
        size_t dat[2] = {na, nt};
        for (size_t a = 0; used != NULL && a < na; a++)
            for (size_t t = 0; t < nt; t++)
                used[a * nt + t] = (int)(sv->pathway[a].teams_used >> t & 1u);
        if (used == NULL || mkba_h5_write_ints(g, "arm_teams", 2, dat, used, "arm,team", "1",
                                               "1 when the arm runs (and pays) the team "
                                               "(/labels/teams)") < 0)
            failed = "arm_teams";
        mkba_free(used);
    }
    if (failed != NULL && nomem)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory writing /labels/%s to %s", failed,
                            w->path);
    else if (failed != NULL)
        rc = mkba_h5_write_error(err, w->path, "cannot write /labels/%s in %s", failed, w->path);
done:
    if (g >= 0)
        H5Gclose(g);
    mkba_free(caseload);
    mkba_free(fte);
    mkba_free(dom);
    mkba_free((void *)s2);
    mkba_free((void *)s);
    return rc;
}

/* The budget view's labels (scenarios with a population block): each
 * payer's fund and taakveld, the price path, the calendar years and the
 * population, in /labels (docs/output.md): the starting households and the
 * inflow, which the simulation keeps in expectation (entrants are rounded
 * up or down at random each year). */
static int write_budget_labels(mkba_h5_writer *w, const mkba_model *m, mkba_error *err)
{
    const mkba_population *p = &m->population;
    size_t ny = p->nyears;
    int *year = mkba_malloc((ny > 0 ? ny : 1) * sizeof *year);
    if (year == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory writing labels to %s", w->path);
    for (size_t y = 0; y < ny; y++)
        year[y] = p->first_year + (int)y;
    double pop[2] = {p->households, p->inflow};
    size_t two = 2;
    hid_t g = H5Gopen2(w->file, "labels", H5P_DEFAULT);
    int nomem = 0;
    int ok = g >= 0
             && mkba_h5_track(mkba_h5_write_strings(g, "budget_fund", (const char *const *)p->fund,
                                                    m->npayers), &nomem) >= 0
             && mkba_h5_track(mkba_h5_write_strings(g, "budget_taakveld",
                                                    (const char *const *)p->taakveld,
                                                    m->npayers), &nomem) >= 0
             && mkba_h5_write_doubles(g, "price_index", 1, &ny, p->price_index, NULL, NULL,
                                      NULL) >= 0
             && mkba_h5_write_doubles(g, "wage_index", 1, &ny, p->wage_index, NULL, NULL,
                                      NULL) >= 0
             && mkba_h5_write_ints(g, "calendar_year", 1, &ny, year, NULL, NULL, NULL) >= 0
             && mkba_h5_write_doubles(g, "budget_population", 1, &two, pop, NULL, NULL, NULL) >= 0;
    hid_t kept = mkba_h5_error_keep(!ok);
    if (g >= 0)
        H5Gclose(g);
    mkba_h5_error_restore(kept);
    mkba_free(year);
    if (nomem)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory writing the budget labels to %s",
                              w->path);
    if (!ok)
        return mkba_h5_write_error(err, w->path, "cannot write the budget labels in %s",
                                   w->path);
    return MKBA_OK;
}

/* Creates /draws/services (inside the /draws group g) with the settings
 * its numbers depend on as attributes. */
static int create_services_group(mkba_h5_writer *w, hid_t g, const mkba_model *m,
                                 mkba_error *err)
{
    hid_t sg = H5Gcreate2(g, "services", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (sg < 0)
        return mkba_h5_write_error(err, w->path, "cannot create group /draws/services in %s",
                                   w->path);
    int pop = m->services.population;
    int ok = mkba_h5_attr_string(sg, "description",
                                 "service pathway outputs per arm and cycle (docs/output.md); "
                                 "teams and pathways in /labels") >= 0
             && mkba_h5_attr_string(sg, "population_parameter", value_name(m, pop)) >= 0
             && mkba_h5_attr_int(sg, "population_parameter_index",
                                 pop >= 0 && (size_t)pop < mkba_params_count(m->params)
                                 ? pop : -1) >= 0;
    hid_t kept = mkba_h5_error_keep(!ok);
    H5Gclose(sg);
    mkba_h5_error_restore(kept);
    if (!ok)
        return mkba_h5_write_error(err, w->path,
                                   "cannot write the attributes of /draws/services in %s",
                                   w->path);
    return MKBA_OK;
}

/* Creates the per-draw dataset rec[which] of nstored draws: one chunk per
 * draw, light deflate when the library has it, NaN where no draw was
 * written (so a gap cannot pass for a zero). */
static int create_dataset(mkba_h5_writer *w, int which, int deflate, mkba_error *err)
{
    const mkba_dataset_spec *sp = w->rec[which];
    mkba_axis ax[MKBA_SCHEMA_MAXRANK];
    int rank = mkba_schema_axes(sp->axes, ax);
    hsize_t dims[MKBA_SCHEMA_MAXRANK], chunk[MKBA_SCHEMA_MAXRANK];
    int empty = 0;
    for (int i = 0; i < rank; i++) {
        dims[i] = chunk[i] = ax[i] < MKBA_NAXES ? w->axis[ax[i]] : 0;
        empty |= dims[i] == 0;
    }
    chunk[0] = 1;
    double fill = NAN;
    int ok = 0;
    hid_t space = rank > 0 ? H5Screate_simple(rank, dims, NULL) : -1;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (space >= 0 && dcpl >= 0
        && H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &fill) >= 0
        /* A chunk cannot have a zero extent; an empty dataset stays contiguous. */
        && (empty || (H5Pset_chunk(dcpl, rank, chunk) >= 0
                      && (!deflate || H5Pset_deflate(dcpl, 1) >= 0)))) {
        /* Subgroups of /draws (batches, mcse) are created on the way. */
        hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
        /* No chunk cache: a row is written whole, one chunk, so it is
         * compressed and written at once instead of kept (up to 1 MiB per
         * dataset) for the close, which made an interrupted run spend
         * seconds compressing rows of a file about to be removed. */
        hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
        if (lcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) >= 0 && dapl >= 0
            && H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0,
                                  H5D_CHUNK_CACHE_W0_DEFAULT) >= 0)
            w->ds[which] = H5Dcreate2(w->file, sp->path, H5T_IEEE_F64LE, space, lcpl,
                                      dcpl, dapl);
        if (dapl >= 0)
            H5Pclose(dapl);
        if (lcpl >= 0)
            H5Pclose(lcpl);
        ok = w->ds[which] >= 0;
    }
    hid_t kept = mkba_h5_error_keep(!ok);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    mkba_h5_error_restore(kept);
    if (!ok)
        return mkba_h5_write_error(err, w->path, "cannot create dataset %s in %s", sp->path,
                                   w->path);
    if (mkba_h5_attr_string(w->ds[which], "units", mkba_schema_units(sp, w->money_units)) < 0
        || mkba_h5_attr_string(w->ds[which], "axes", sp->axes) < 0
        || mkba_h5_attr_string(w->ds[which], "description", sp->description) < 0)
        return mkba_h5_write_error(err, w->path, "cannot write attributes of %s in %s",
                             sp->path, w->path);
    return MKBA_OK;
}

/* Creates /draws/draw_index holding 0 .. nstored-1, the PSA draw numbers
 * when one process stores every draw; mkba_h5_set_draw_index changes an
 * entry when a process stores only part of the draws. */
static int create_draw_index(mkba_h5_writer *w, hid_t g, mkba_error *err)
{
    int64_t *v = mkba_malloc((w->nstored + 1) * sizeof *v);
    if (v == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory writing %s", w->path);
    for (size_t i = 0; i < w->nstored; i++)
        v[i] = (int64_t)i;
    hsize_t dims[1] = { w->nstored };
    hid_t space = H5Screate_simple(1, dims, NULL);
    if (space >= 0)
        w->draw_index = H5Dcreate2(g, "draw_index", H5T_STD_I64LE, space,
                                   H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int ok = w->draw_index >= 0
             && H5Dwrite(w->draw_index, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL,
                         H5P_DEFAULT, v) >= 0
             && mkba_h5_attr_string(w->draw_index, "units", "1") >= 0
             && mkba_h5_attr_string(w->draw_index, "axes", "draw") >= 0
             && mkba_h5_attr_string(w->draw_index, "description",
                                    "PSA draw number (0-based) of each stored draw") >= 0;
    hid_t kept = mkba_h5_error_keep(!ok);
    if (space >= 0)
        H5Sclose(space);
    mkba_h5_error_restore(kept);
    mkba_free(v);
    if (!ok)
        return mkba_h5_write_error(err, w->path, "cannot write /draws/draw_index in %s", w->path);
    return MKBA_OK;
}

/* Whether the deflate filter can both encode and decode here. */
static int deflate_available(void)
{
    unsigned int info = 0;
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0
        || H5Zget_filter_info(H5Z_FILTER_DEFLATE, &info) < 0)
        return 0;
    return (info & H5Z_FILTER_CONFIG_ENCODE_ENABLED)
           && (info & H5Z_FILTER_CONFIG_DECODE_ENABLED);
}

/* Everything of mkba_h5_create after the file is open. */
static int create_contents(mkba_h5_writer *w, const mkba_model *m,
                           const mkba_run_meta *meta, mkba_error *err)
{
    int rc = write_root_attributes(w, m, meta, err);
    if (rc == MKBA_OK)
        rc = write_labels(w, m, err);
    if (rc == MKBA_OK && w->services)
        rc = write_service_labels(w, m, err);
    if (rc == MKBA_OK && w->population)
        rc = write_budget_labels(w, m, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_write_settings(w->file, w->path, m, err);
    if (rc != MKBA_OK)
        return rc;
    hid_t g = H5Gcreate2(w->file, "draws", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0)
        return mkba_h5_write_error(err, w->path, "cannot create group /draws in %s", w->path);
    if (w->services)
        rc = create_services_group(w, g, m, err);
    int deflate = !w->uncompressed && deflate_available();
    for (int i = 0; i < REC_COUNT && rc == MKBA_OK; i++)
        if (mkba_schema_in_record(w->rec[i], w->services, w->population))
            rc = create_dataset(w, i, deflate, err);
    if (rc == MKBA_OK)
        rc = create_draw_index(w, g, err);
    H5Gclose(g);
    if (rc == MKBA_OK && mkba_h5_describe(w->file, "/", w->money_units) < 0)
        rc = mkba_h5_write_error(err, w->path, "cannot attach the dimension scales in %s", w->path);
    return rc;
}

static int path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

mkba_h5_writer *mkba_h5_create(const char *path, int force, const mkba_model *m,
                               const mkba_run_meta *meta, size_t nstored,
                               mkba_error *err)
{
    if (path == NULL || m == NULL || meta == NULL || m->params == NULL) {
        mkba_error_set(err, MKBA_EINVAL, "mkba_h5_create: missing path, model or run facts");
        return NULL;
    }
    if (!force && path_exists(path)) {
        mkba_error_set(err, MKBA_EEXIST, "%s exists; use --force to overwrite", path);
        return NULL;
    }

    mkba_h5_writer *w = mkba_calloc(1, sizeof *w);
    if (w == NULL) {
        mkba_error_set(err, MKBA_ENOMEM, "out of memory creating %s", path);
        return NULL;
    }
    w->file = w->draw_index = -1;
    for (int i = 0; i < REC_COUNT; i++)
        w->ds[i] = -1;
    w->force = force;
    w->nstored = nstored;
    mkba_schema_axis_sizes(m, w->axis);
    w->axis[MKBA_AXIS_DRAW] = nstored;
    for (size_t i = 0, k = 0; i < mkba_schema_ndatasets; i++)
        if (mkba_schema_dataset[i].field >= 0)
            w->rec[k++] = &mkba_schema_dataset[i];
    w->services = m->services.enabled != 0;
    w->population = m->population.enabled != 0;
    w->uncompressed = meta->uncompressed;
    mkba_schema_money_units(w->money_units, sizeof w->money_units, m->currency, m->price_year);
    w->path = mkba_strdup(path);
    w->tmp = mkba_malloc(strlen(path) + 5);
    w->written = mkba_calloc(nstored + 1, 1);
    if (w->path == NULL || w->tmp == NULL || w->written == NULL) {
        writer_release(w);
        mkba_error_set(err, MKBA_ENOMEM, "out of memory creating %s", path);
        return NULL;
    }
    sprintf(w->tmp, "%s.tmp", path);

    mkba_h5_quiet q;
    mkba_h5_quiet_begin(&q);
    /* The caller holds the output's lock and has removed a stale
     * temporary, so nothing is there: it is created exclusively, so that
     * a link placed there meanwhile (the lock is advisory) is refused, not
     * followed and its target truncated. H5Fcreate can fail after it made
     * the file (its first write past a file size limit of 0): what it made
     * is removed below, what was there before is not. */
    struct stat before;
    int existed = lstat(w->tmp, &before) == 0;
    /* The 1.8 file format keeps attributes larger than 64 KiB (a long
     * scenario_text) in dense storage; the 1.6 default would refuse them. */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110) >= 0)
        w->file = H5Fcreate(w->tmp, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
    hid_t kept = mkba_h5_error_keep(w->file < 0);
    if (fapl >= 0)
        H5Pclose(fapl);
    mkba_h5_error_restore(kept);
    int rc;
    if (w->file >= 0)
        rc = create_contents(w, m, meta, err);
    else if (existed)
        rc = mkba_error_set(err, MKBA_EIO, "cannot write the result file %s: %s appeared while "
                            "the run started (another program writes there?); move it away or "
                            "choose another -o", w->path, w->tmp);
    else
        rc = mkba_h5_write_error(err, w->path, "cannot create %s", w->path);
    if (rc != MKBA_OK) {
        int created = w->file >= 0 || (!existed && lstat(w->tmp, &before) == 0
                                       && S_ISREG(before.st_mode));
        char *tmp = w->tmp;
        w->tmp = NULL;
        writer_release(w);
        if (created)
            unlink(tmp);
        mkba_free(tmp);
        w = NULL;
    }
    mkba_h5_quiet_end(&q);
    return w;
}

/* Writes one row (one draw) of dataset ds from buf of n values. */
static int write_row(hid_t ds, size_t index, size_t n, hid_t mtype, const void *buf)
{
    if (n == 0)
        return 0;
    hid_t fspace = H5Dget_space(ds);
    if (fspace < 0)
        return -1;
    int rank = H5Sget_simple_extent_ndims(fspace);
    hsize_t start[4] = { index }, count[4] = { 1 };
    hsize_t dims[4];
    H5Sget_simple_extent_dims(fspace, dims, NULL);
    for (int i = 1; i < rank; i++)
        count[i] = dims[i];
    hsize_t mdims[1] = { n };
    hid_t mspace = H5Screate_simple(1, mdims, NULL);
    int rc = (mspace >= 0
              && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0
              && H5Dwrite(ds, mtype, mspace, fspace, H5P_DEFAULT, buf) >= 0) ? 0 : -1;
    hid_t kept = mkba_h5_error_keep(rc < 0);
    if (mspace >= 0)
        H5Sclose(mspace);
    H5Sclose(fspace);
    mkba_h5_error_restore(kept);
    return rc;
}

int mkba_h5_write_draw(mkba_h5_writer *w, size_t index,
                       const mkba_draw_result *r, mkba_error *err)
{
    if (w == NULL || r == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "mkba_h5_write_draw: missing writer or result");
    if (w->finished)
        return mkba_error_set(err, MKBA_EINTERNAL, "%s: draw %zu written after the draws "
                              "were finished", w->path, index);
    if (index >= w->nstored)
        return mkba_error_set(err, MKBA_EINTERNAL, "%s: draw %zu is outside the %zu stored draws",
                              w->path, index, w->nstored);
    size_t shape[MKBA_NAXES];
    mkba_draw_result_shape(r, shape);
    int differs = (r->services != 0) != w->services
                  || (r->population != 0) != w->population;
    for (int i = 0; i < REC_COUNT; i++) {
        mkba_axis ax[MKBA_SCHEMA_MAXRANK];
        int rank = mkba_schema_axes(w->rec[i]->axes, ax);
        for (int k = 1; k < rank; k++)
            differs |= ax[k] < MKBA_NAXES && shape[ax[k]] != w->axis[ax[k]];
    }
    if (differs)
        return mkba_error_set(err, MKBA_EINTERNAL,
                              "%s: draw %zu has a result shape that differs from the file's",
                              w->path, index);
    mkba_h5_quiet q;
    mkba_h5_quiet_begin(&q);
    int rc = MKBA_OK;
    for (int i = 0; i < REC_COUNT && rc == MKBA_OK; i++) {
        const mkba_dataset_spec *sp = w->rec[i];
        if (w->ds[i] < 0)
            continue;
        size_t n = mkba_schema_draw_count(sp, w->axis);
        const double *v = *(double *const *)(const void *)((const char *)r + sp->field);
        if (n > 0 && v == NULL)
            rc = mkba_error_set(err, MKBA_EINTERNAL, "%s: draw %zu has no data for %s",
                                w->path, index, sp->path);
        else if (write_row(w->ds[i], index, n, H5T_NATIVE_DOUBLE, v) < 0)
            rc = mkba_h5_write_error(err, w->path, "cannot write draw %zu of %s in %s",
                                     index, sp->path, w->path);
    }
    mkba_h5_quiet_end(&q);
    if (rc == MKBA_OK)
        w->written[index] = 1;
    return rc;
}

int mkba_h5_set_draw_index(mkba_h5_writer *w, size_t index, long draw,
                           mkba_error *err)
{
    if (w == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "mkba_h5_set_draw_index: missing writer");
    if (index >= w->nstored || draw < 0 || w->finished)
        return mkba_error_set(err, MKBA_EINTERNAL,
                              "%s: cannot label stored draw %zu (of %zu) as draw %ld",
                              w->path, index, w->nstored, draw);
    int64_t v = draw;
    mkba_h5_quiet q;
    mkba_h5_quiet_begin(&q);
    int rc = MKBA_OK;
    if (write_row(w->draw_index, index, 1, H5T_NATIVE_INT64, &v) < 0)
        rc = mkba_h5_write_error(err, w->path, "cannot write /draws/draw_index in %s", w->path);
    mkba_h5_quiet_end(&q);
    return rc;
}

/* Fails on the first stored draw that was never written. */
static int check_written(const mkba_h5_writer *w, mkba_error *err)
{
    size_t missing = 0;
    while (missing < w->nstored && w->written[missing])
        missing++;
    if (missing < w->nstored)
        return mkba_error_set(err, MKBA_EINTERNAL,
                              "%s: draw %zu of %zu was never written; file not kept",
                              w->path, missing, w->nstored);
    return MKBA_OK;
}

/* Checks every stored draw was written and closes the file; a file that
 * will not be kept (`discard`, or a draw missing) is not flushed. */
static int finish(mkba_h5_writer *w, int discard, mkba_error *err)
{
    if (w->finished)
        return MKBA_OK;
    w->finished = 1;
    int rc = check_written(w, err);
    mkba_h5_quiet q;
    mkba_h5_quiet_begin(&q);
    /* Closing flushes the data: only its success means the file is whole. */
    if (writer_close_file(w, discard || rc != MKBA_OK) < 0 && rc == MKBA_OK)
        rc = mkba_h5_write_error(err, w->path, "cannot finish writing %s", w->path);
    mkba_h5_quiet_end(&q);
    return rc;
}

int mkba_h5_finish(mkba_h5_writer *w, mkba_error *err)
{
    if (w == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "mkba_h5_finish: missing writer");
    return finish(w, 0, err);
}

const char *mkba_h5_tmp_path(const mkba_h5_writer *w)
{
    return w != NULL ? w->tmp : NULL;
}

int mkba_h5_close(mkba_h5_writer *w, int commit, mkba_error *err)
{
    if (w == NULL)
        return MKBA_OK;
    int rc = commit ? check_written(w, err) : MKBA_OK;
    int rc2 = finish(w, !commit || rc != MKBA_OK, commit && rc == MKBA_OK ? err : NULL);
    if (commit && rc == MKBA_OK)
        rc = rc2;

    if (commit && rc == MKBA_OK && !w->force && path_exists(w->path))
        rc = mkba_error_set(err, MKBA_EEXIST, "%s exists; use --force to overwrite", w->path);
    if (commit && rc == MKBA_OK)
        rc = mkba_commit_file(w->tmp, w->path, err);
    if (!commit || rc != MKBA_OK)
        remove(w->tmp);
    writer_release(w);
    return rc;
}
