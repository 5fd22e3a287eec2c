/* The per-draw result record: one array per /draws dataset of the schema,
 * sized from the model. */
#include <stdlib.h>
#include <string.h>
#include "results/result.h"
#include "core/alloc.h"
#include "results/schema.h"

/* calloc that never returns NULL for an empty array, so a NULL pointer
 * always means an allocation failure and callers may index [0..n). */
static double *zeros(size_t n)
{
    return mkba_calloc(n > 0 ? n : 1, sizeof(double));
}

const char *const mkba_result_groups[MKBA_RESULT_GROUPS] = {
    "no problem", "light", "medium", "heavy", "single", "multiple", "multi-problem"
};

static double **slot(mkba_draw_result *r, const mkba_dataset_spec *s)
{
    return (double **)(void *)((char *)r + s->field);
}

void mkba_draw_result_shape(const mkba_draw_result *r, size_t *n)
{
    for (int a = 0; a < MKBA_NAXES; a++)
        n[a] = 0;
    n[MKBA_AXIS_ARM] = r->narms;
    n[MKBA_AXIS_CYCLE] = r->ncycles;
    n[MKBA_AXIS_TIME] = r->npoints;
    n[MKBA_AXIS_PAYER] = r->npayers;
    n[MKBA_AXIS_EFFECT] = r->neffects;
    n[MKBA_AXIS_STATE] = r->nstates_total;
    n[MKBA_AXIS_PARAMETER] = r->nparams;
    n[MKBA_AXIS_CATEGORY] = r->ncategories;
    n[MKBA_AXIS_DOMAIN] = r->ndomains;
    n[MKBA_AXIS_TEAM] = r->nteams;
    n[MKBA_AXIS_BATCH] = r->nbatches;
    n[MKBA_AXIS_HOUSEHOLD_GROUP] = r->ngroups;
}

mkba_draw_result *mkba_draw_result_alloc(const mkba_model *m)
{
    if (m == NULL)
        return NULL;
    mkba_draw_result *r = mkba_calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    size_t n[MKBA_NAXES];
    mkba_schema_axis_sizes(m, n);
    r->narms = n[MKBA_AXIS_ARM];
    r->ncycles = n[MKBA_AXIS_CYCLE];
    r->npoints = n[MKBA_AXIS_TIME];
    r->npayers = n[MKBA_AXIS_PAYER];
    r->neffects = n[MKBA_AXIS_EFFECT];
    r->nstates_total = n[MKBA_AXIS_STATE];
    r->nparams = n[MKBA_AXIS_PARAMETER];
    r->ncategories = n[MKBA_AXIS_CATEGORY];
    r->ndomains = n[MKBA_AXIS_DOMAIN];
    r->nteams = n[MKBA_AXIS_TEAM];
    r->nbatches = n[MKBA_AXIS_BATCH];
    r->ngroups = n[MKBA_AXIS_HOUSEHOLD_GROUP];
    r->services = m->services.enabled;
    r->population = m->population.enabled;
    for (size_t i = 0; i < mkba_schema_ndatasets; i++) {
        const mkba_dataset_spec *s = &mkba_schema_dataset[i];
        if (!mkba_schema_in_record(s, r->services, r->population))
            continue;
        if ((*slot(r, s) = zeros(mkba_schema_draw_count(s, n))) == NULL) {
            mkba_draw_result_free(r);
            return NULL;
        }
    }
    return r;
}

void mkba_draw_result_free(mkba_draw_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < mkba_schema_ndatasets; i++)
        if (mkba_schema_dataset[i].field >= 0)
            mkba_free(*slot(r, &mkba_schema_dataset[i]));
    mkba_free(r);
}

/* Calls fn(array, count, user) for every array of r in schema order. */
static void each_array(const mkba_draw_result *r,
                       void (*fn)(double *v, size_t count, void *user), void *user)
{
    size_t n[MKBA_NAXES];
    mkba_draw_result_shape(r, n);
    for (size_t i = 0; i < mkba_schema_ndatasets; i++) {
        const mkba_dataset_spec *s = &mkba_schema_dataset[i];
        if (!mkba_schema_in_record(s, r->services, r->population))
            continue;
        fn(*slot((mkba_draw_result *)r, s), mkba_schema_draw_count(s, n), user);
    }
}

static void count_values(double *v, size_t count, void *user)
{
    (void)v;
    *(size_t *)user += count;
}

size_t mkba_draw_result_nvalues(const mkba_draw_result *r)
{
    size_t n = 0;
    each_array(r, count_values, &n);
    return n;
}

static void copy_out(double *v, size_t count, void *user)
{
    double **to = user;
    if (count > 0)
        memcpy(*to, v, count * sizeof *v);
    *to += count;
}

static void copy_in(double *v, size_t count, void *user)
{
    const double **from = user;
    if (count > 0)
        memcpy(v, *from, count * sizeof *v);
    *from += count;
}

void mkba_draw_result_pack(const mkba_draw_result *r, double *out)
{
    each_array(r, copy_out, &out);
}

void mkba_draw_result_unpack(mkba_draw_result *r, const double *in)
{
    each_array(r, copy_in, &in);
}
