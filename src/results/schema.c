/* The schema tables, expanded from results/datasets.def. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "results/schema.h"
#include "results/result.h"

const mkba_axis_spec mkba_schema_axis[MKBA_NAXES] = {
#define MKBA_AXIS(id, name, scale) [MKBA_AXIS_##id] = { name, scale },
#include "results/datasets.def"
};

const mkba_dataset_spec mkba_schema_dataset[] = {
#define MKBA_RECORD(field, name, axes, when, units, description)                    \
    { "/draws/" name, MKBA_DTYPE_FLOAT64, axes, MKBA_WHEN_##when, units, description, \
      (long)offsetof(mkba_draw_result, field) },
#define MKBA_DATASET(group, name, dtype, axes, when, units, description)            \
    { group "/" name, MKBA_DTYPE_##dtype, axes, MKBA_WHEN_##when, units, description, -1 },
#include "results/datasets.def"
};

const size_t mkba_schema_ndatasets = sizeof mkba_schema_dataset / sizeof mkba_schema_dataset[0];

const mkba_dataset_spec *mkba_schema_find(const char *path)
{
    for (size_t i = 0; path != NULL && i < mkba_schema_ndatasets; i++)
        if (strcmp(mkba_schema_dataset[i].path, path) == 0)
            return &mkba_schema_dataset[i];
    return NULL;
}

int mkba_schema_in_record(const mkba_dataset_spec *s, int services, int population)
{
    return s->field >= 0 && (services || s->when != MKBA_WHEN_SERVICES)
           && (population || s->when != MKBA_WHEN_POPULATION);
}

const char *mkba_schema_units(const mkba_dataset_spec *s, const char *money)
{
    return money != NULL && strcmp(s->units, MKBA_UNITS_MONEY) == 0 ? money : s->units;
}

void mkba_schema_money_units(char *buf, size_t size, const char *currency, int price_year)
{
    snprintf(buf, size, "%s at %d prices per starting household",
             currency != NULL ? currency : "", price_year);
}

int mkba_schema_axes(const char *axes, mkba_axis out[MKBA_SCHEMA_MAXRANK])
{
    int rank = 0;
    for (const char *p = axes; p != NULL && *p != '\0'; rank++) {
        size_t len = strcspn(p, ",");
        if (rank == MKBA_SCHEMA_MAXRANK)
            return -1;
        out[rank] = MKBA_NAXES;
        for (int a = 0; a < MKBA_NAXES; a++)
            if (strlen(mkba_schema_axis[a].name) == len
                && strncmp(mkba_schema_axis[a].name, p, len) == 0)
                out[rank] = (mkba_axis)a;
        p += len;
        if (*p == ',')
            p++;
    }
    return rank;
}

void mkba_schema_axis_sizes(const mkba_model *m, size_t n[MKBA_NAXES])
{
    for (int a = 0; a < MKBA_NAXES; a++)
        n[a] = 0;
    n[MKBA_AXIS_ARM] = m->narms;
    n[MKBA_AXIS_CYCLE] = (size_t)(m->timing.ncycles > 0 ? m->timing.ncycles : 0);
    n[MKBA_AXIS_TIME] = n[MKBA_AXIS_CYCLE] + 1;
    n[MKBA_AXIS_PAYER] = m->npayers;
    n[MKBA_AXIS_EFFECT] = m->neffects;
    for (size_t d = 0; d < m->ndomains; d++)
        n[MKBA_AXIS_STATE] += (size_t)m->domain[d].nstates;
    n[MKBA_AXIS_PARAMETER] = m->params != NULL ? mkba_params_count(m->params) : 0;
    n[MKBA_AXIS_CATEGORY] = m->ncategories;
    n[MKBA_AXIS_DOMAIN] = m->ndomains;
    n[MKBA_AXIS_TEAM] = m->services.enabled ? m->services.nteams : 0;
    n[MKBA_AXIS_DEGREE] = m->services.enabled ? MKBA_NDEGREES : 0;
    n[MKBA_AXIS_BATCH] = MKBA_RESULT_BATCHES;
    n[MKBA_AXIS_HOUSEHOLD_GROUP] = MKBA_RESULT_GROUPS;
}

size_t mkba_schema_draw_count(const mkba_dataset_spec *s, const size_t n[MKBA_NAXES])
{
    mkba_axis ax[MKBA_SCHEMA_MAXRANK];
    int rank = mkba_schema_axes(s->axes, ax);
    size_t count = 1;
    for (int i = 0; i < rank; i++)
        if (ax[i] != MKBA_AXIS_DRAW)
            count *= ax[i] < MKBA_NAXES ? n[ax[i]] : 0;
    return rank < 0 ? 0 : count;
}
