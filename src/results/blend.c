/* Blended arms (issue 12; docs/model.md, "Mixed arms"): a blended arm's
 * results in a draw are made from its simulated parts' results in the same
 * draw, dataset by dataset, as the dataset's MKBA_BLEND rule in
 * results/datasets.def says. On common random numbers the share-weighted
 * sum is the expected result of a district split whose districts are
 * exchangeable and whose teams scale with their share of the households. */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "results/blend.h"
#include "results/schema.h"

typedef enum blend_rule { BLEND_LINEAR, BLEND_RATIO, BLEND_DERIVED, BLEND_NAN } blend_rule;

typedef struct blend_spec {
    blend_rule rule;
    long of;                   /* offset of the weight (RATIO) record */
} blend_spec;

#define MKBA_BLEND(field, rule, of)                                                \
    static const blend_spec spec_##field = {BLEND_##rule,                          \
                                            (long)offsetof(mkba_draw_result, of)};
#include "results/datasets.def"

/* Every record's rule, keyed by its field: a record without an MKBA_BLEND
 * line leaves spec_FIELD undefined and this table does not compile. */
static const struct {
    long field;
    const blend_spec *spec;
} specs[] = {
#define MKBA_RECORD(field, name, axes, when, units, description)                   \
    {(long)offsetof(mkba_draw_result, field), &spec_##field},
#include "results/datasets.def"
};

static const blend_spec *spec_of(long field)
{
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (specs[i].field == field)
            return specs[i].spec;
    return NULL;
}

static const double *array_at(const mkba_draw_result *r, long offset)
{
    return *(double *const *)(const void *)((const char *)r + offset);
}

/* Blend b's value at [i] of parts' slices x (part k's slice at
 * x + arm_k * stride). Parts with share 0 are left out, so a blend (1, 0)
 * is its first part bit for bit. */
static double linear(const mkba_blend *b, const double *x, size_t stride, size_t i)
{
    double v = 0.0;
    int any = 0;
    for (size_t k = 0; k < b->nparts; k++) {
        if (b->share[k] == 0.0)
            continue;
        const double t = b->share[k] * x[(size_t)b->arm[k] * stride + i];
        v = any ? v + t : t;
        any = 1;
    }
    return v;
}

/* A mean over events (a mean wait over the households admitted): the
 * parts' means weighted by share times events; NaN without events. */
static double ratio(const mkba_blend *b, const double *x, const double *w, size_t stride,
                    size_t i)
{
    double den = 0.0;
    for (size_t k = 0; k < b->nparts; k++)
        den += b->share[k] * w[(size_t)b->arm[k] * stride + i];
    if (!(den > 0.0))
        return NAN;
    double v = 0.0;
    int any = 0;
    for (size_t k = 0; k < b->nparts; k++) {
        const size_t at = (size_t)b->arm[k] * stride + i;
        const double weight = b->share[k] * w[at] / den;
        if (weight == 0.0)
            continue;
        v = any ? v + weight * x[at] : weight * x[at];
        any = 1;
    }
    return v;
}

void mkba_blend_record(const mkba_model *m, const mkba_draw_result *sim, mkba_draw_result *out)
{
    size_t n[MKBA_NAXES];
    mkba_draw_result_shape(out, n);
    const size_t A = out->narms, S = sim->narms;
    for (size_t d = 0; d < mkba_schema_ndatasets; d++) {
        const mkba_dataset_spec *s = &mkba_schema_dataset[d];
        if (!mkba_schema_in_record(s, out->services, out->population))
            continue;
        const double *x = array_at(sim, s->field);
        double *y = (double *)array_at(out, s->field);
        mkba_axis ax[MKBA_SCHEMA_MAXRANK];
        const int rank = mkba_schema_axes(s->axes, ax);
        int arm = -1;
        size_t outer = 1, inner = 1;
        for (int i = 1; i < rank; i++) {
            if (ax[i] == MKBA_AXIS_ARM)
                arm = i;
            else if (arm < 0)
                outer *= n[ax[i]];
            else
                inner *= n[ax[i]];
        }
        if (arm < 0) {
            memcpy(y, x, mkba_schema_draw_count(s, n) * sizeof *y);
            continue;
        }
        const blend_spec *spec = spec_of(s->field);
        const double *w = spec->rule == BLEND_RATIO ? array_at(sim, spec->of) : NULL;
        for (size_t o = 0; o < outer; o++) {
            const double *xo = x + o * S * inner;
            const double *wo = w != NULL ? w + o * S * inner : NULL;
            double *yo = y + o * A * inner;
            memcpy(yo, xo, S * inner * sizeof *yo);
            for (size_t j = 0; j < m->nblends; j++) {
                const mkba_blend *b = &m->blend[j];
                double *yb = yo + (S + j) * inner;
                for (size_t i = 0; i < inner; i++)
                    yb[i] = spec->rule == BLEND_LINEAR  ? linear(b, xo, inner, i)
                            : spec->rule == BLEND_RATIO ? ratio(b, xo, wo, inner, i)
                                                        : NAN;
            }
        }
    }
}
