/* The result file's schema: every dataset and named axis, from the one
 * table in results/datasets.def. Neither engine nor io: the engine fills
 * the record it describes, src/io writes and reads it, the tests check the
 * docs against it. */
#ifndef MKBA_RESULTS_SCHEMA_H
#define MKBA_RESULTS_SCHEMA_H

#include <stddef.h>
#include "model/model.h"

/* Units text the writers replace by the file's money units
 * (mkba_schema_money_units). */
#define MKBA_UNITS_MONEY "CURRENCY at PRICE_YEAR prices per starting household"

/* The money units of a file, MKBA_UNITS_MONEY with its currency and price
 * year filled in, e.g. "EUR at 2024 prices per starting household", into
 * buf (size bytes, truncated to fit). A NULL currency counts as "". */
void mkba_schema_money_units(char *buf, size_t size, const char *currency, int price_year);

/* Most axes a dataset has (draw plus four). */
#define MKBA_SCHEMA_MAXRANK 5

typedef enum mkba_axis {
#define MKBA_AXIS(id, name, scale) MKBA_AXIS_##id,
#include "results/datasets.def"
    MKBA_NAXES               /* also: an axis without a scale (statistic, row, ...) */
} mkba_axis;

typedef enum mkba_dtype {
    MKBA_DTYPE_FLOAT64, MKBA_DTYPE_INT32, MKBA_DTYPE_INT64, MKBA_DTYPE_STRING
} mkba_dtype;

/* When a file holds the dataset. */
typedef enum mkba_when {
    MKBA_WHEN_ALWAYS,        /* every file */
    MKBA_WHEN_SERVICES,      /* files of scenarios with services */
    MKBA_WHEN_ANALYSIS,      /* files whose analysis_status is "written" */
    MKBA_WHEN_DESIGN,        /* files of studies that fixed values (/design) */
    MKBA_WHEN_SA,            /* files of mkba sa, in the method's group (/sa) */
    MKBA_WHEN_EXPOST,        /* files of mkba expost (/expost) */
    MKBA_WHEN_POPULATION,    /* files of scenarios with a population block */
    MKBA_WHEN_BLENDS         /* files of scenarios with blended arms */
} mkba_when;

typedef struct mkba_axis_spec {
    const char *name;        /* as in the axes attributes */
    const char *scale;       /* path of its dimension scale dataset, "" none */
} mkba_axis_spec;

typedef struct mkba_dataset_spec {
    const char *path;        /* absolute, e.g. "/draws/cost" */
    mkba_dtype dtype;
    const char *axes;        /* comma-separated axis names */
    mkba_when when;
    const char *units, *description;
    long field;              /* offset of the array in mkba_draw_result, -1: none */
} mkba_dataset_spec;

extern const mkba_axis_spec mkba_schema_axis[MKBA_NAXES];
extern const mkba_dataset_spec mkba_schema_dataset[];
extern const size_t mkba_schema_ndatasets;

/* Whether the record (and the file's /draws) of a model with services
 * (`services` != 0) and a population block (`population` != 0) holds
 * dataset s: a per-draw array whose `when` the model meets. */
int mkba_schema_in_record(const mkba_dataset_spec *s, int services, int population);

/* The dataset at `path`, or NULL when the schema has none. */
const mkba_dataset_spec *mkba_schema_find(const char *path);

/* The units of s as written: `money` for MKBA_UNITS_MONEY unless money is
 * NULL, else s->units. */
const char *mkba_schema_units(const mkba_dataset_spec *s, const char *money);

/* Splits `axes` into axis ids (MKBA_NAXES for a name without a scale).
 * Returns the rank, or -1 when there are more than MKBA_SCHEMA_MAXRANK. */
int mkba_schema_axes(const char *axes, mkba_axis out[MKBA_SCHEMA_MAXRANK]);

/* Sizes of the axes a model determines (arm, cycle, time, payer, effect,
 * state, parameter, category, domain, team, degree); 0 for the others. */
void mkba_schema_axis_sizes(const mkba_model *m, size_t n[MKBA_NAXES]);

/* Values of one draw of dataset s (the product of the sizes of its axes
 * after `draw`), or 0 when an axis has no size in n. */
size_t mkba_schema_draw_count(const mkba_dataset_spec *s, const size_t n[MKBA_NAXES]);

#endif
