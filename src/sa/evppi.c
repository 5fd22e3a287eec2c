/* EVPPI on a scenario: a PSA run (as mkba run writes it) whose draws give,
 * per draw, each arm's outcome against the reference (the net benefit of
 * choosing it; the reference's is 0) and the factors' drawn values; the
 * EVPPI of each factor and of each --group follows by regression
 * (analysis/evppi.h), with no model runs beyond the PSA. Groups are read
 * and their draw counts checked before the PSA runs. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "analysis/evppi.h"

/* The groups: every factor alone, then each --group. */
typedef struct groups {
    size_t n, nf;
    const char **label;        /* [n] */
    size_t *size;              /* [n] members */
    unsigned char *member;     /* [n][nf] */
} groups;

static void groups_free(groups *g)
{
    mkba_free((void *)g->label);
    mkba_free(g->size);
    mkba_free(g->member);
}

/* Reads group spec "A+B+C" into row g; MKBA_OK or an error naming it. */
static int read_group(const mkba_sa *s, groups *gs, size_t g, const char *spec,
                      mkba_error *err)
{
    size_t nf = s->fs->n;
    const char *p = spec;
    for (;;) {
        size_t len = strcspn(p, "+"), f = 0;
        while (f < nf && (strlen(s->fs->f[f].label) != len
                          || strncmp(s->fs->f[f].label, p, len) != 0))
            f++;
        char item[256];
        snprintf(item, sizeof item, "%.*s", (int)(len < 255 ? len : 255), p);
        if (len == 0)
            return mkba_error_set(err, MKBA_EINVAL, "--group '%s': an empty member; a group "
                                  "is factors joined by +, e.g. --group detect_team+stigma_team",
                                  spec);
        if (f == nf) {
            const char *names[256];
            size_t m = nf < 256 ? nf : 256;
            for (size_t i = 0; i < m; i++)
                names[i] = s->fs->f[i].label;
            const char *near = mkba_closest_name(item, names, m);
            return mkba_error_set(err, MKBA_EINVAL, "--group %s: '%s' is not one of the "
                                  "factors%s%s%s (each member is in --factors or, by default, "
                                  "a parameter with a distribution)", spec, item,
                                  near ? " (did you mean '" : "", near ? near : "",
                                  near ? "'?)" : "");
        }
        if (gs->member[g * nf + f])
            return mkba_error_set(err, MKBA_EINVAL, "--group %s names %s twice", spec, item);
        gs->member[g * nf + f] = 1;
        gs->size[g]++;
        p += len;
        if (*p == '\0')
            return MKBA_OK;
        p++;                   /* the '+' */
    }
}

/* Before the PSA: every group read, and the draws enough for the largest. */
static int check(mkba_sa *s, long draws, mkba_error *err)
{
    groups *gs = s->method;
    const mkba_sa_options *o = s->o;
    size_t nf = s->fs->n;
    gs->nf = nf;
    gs->n = nf + o->ngroups;
    gs->label = mkba_calloc(gs->n, sizeof *gs->label);
    gs->size = mkba_calloc(gs->n, sizeof *gs->size);
    gs->member = mkba_calloc(gs->n * nf, 1);
    if (gs->label == NULL || gs->size == NULL || gs->member == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the EVPPI groups");
    int rc = MKBA_OK;
    for (size_t g = 0; rc == MKBA_OK && g < gs->n; g++) {
        if (g < nf) {
            gs->label[g] = s->fs->f[g].label;
            gs->member[g * nf + g] = 1;
            gs->size[g] = 1;
        } else {
            gs->label[g] = o->group[g - nf];
            rc = read_group(s, gs, g, gs->label[g], err);
        }
        if (rc == MKBA_OK && (size_t)draws < mkba_evppi_min_draws(gs->size[g]))
            rc = mkba_error_set(err, MKBA_EINVAL, "--draws %ld: the EVPPI of %s (%zu "
                                "parameters) needs at least %zu PSA draws", draws,
                                gs->label[g], gs->size[g], mkba_evppi_min_draws(gs->size[g]));
    }
    return rc;
}

static int store(mkba_sa *s, const char *tmp, mkba_error *err)
{
    const groups *gs = s->method;
    size_t nd = s->npoints, nf = gs->nf, na = s->narms, ng = gs->n;
    double *nb = mkba_malloc(nd * na * sizeof *nb);
    double *x = mkba_malloc(nd * nf * sizeof *x);
    double *ev = mkba_malloc(2 * ng * sizeof *ev);
    const char **method = mkba_calloc(ng, sizeof *method);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = nb && x && ev && method && rng ? MKBA_OK
             : mkba_error_set(err, MKBA_ENOMEM, "out of memory for the EVPPI");
    double evpi = NAN, *se = ev != NULL ? ev + ng : NULL;
    if (rc == MKBA_OK) {
        gsl_rng_set(rng, (unsigned long)(s->so.seed ^ 0x45565050ULL));
        for (size_t j = 0; j < nd; j++)
            for (size_t a = 0; a < na; a++)
                nb[j * na + a] = mkba_sa_y(s, j, a, (size_t)s->outcome);
    }
    for (size_t g = 0; rc == MKBA_OK && g < ng; g++) {
        size_t p = 0;
        for (size_t f = 0; f < nf; f++)
            if (gs->member[g * nf + f]) {
                for (size_t j = 0; j < nd; j++)
                    x[j * gs->size[g] + p] = s->x[j * nf + f];
                p++;
            }
        /* A group is worth at least every earlier group it contains. */
        double floor = 0.0;
        for (size_t h = 0; h < g; h++) {
            int subset = 1;
            for (size_t f = 0; f < nf && subset; f++)
                subset = !gs->member[h * nf + f] || gs->member[g * nf + f];
            if (subset && ev[h] > floor)
                floor = ev[h];
        }
        mkba_evppi_options eo = { rng, 0, floor };
        mkba_evppi_result *r = NULL;
        rc = mkba_evppi_alloc(nb, nd, na, x, p, &eo, &r, err);
        if (rc != MKBA_OK)
            break;
        ev[g] = r->evppi;
        se[g] = r->se;
        method[g] = r->method;
        evpi = r->evpi;
        mkba_evppi_result_free(r);
    }
    mkba_h5_store *h = rc == MKBA_OK ? mkba_h5_store_open(tmp, 1, err) : NULL;
    if (rc == MKBA_OK && h == NULL)
        rc = err != NULL ? err->code : MKBA_EIO;
    if (rc == MKBA_OK)
        rc = mkba_sa_store_common(s, h, s->x, err);
    size_t d1[1] = { ng }, one[1] = { 1 };
    if (rc == MKBA_OK)
        rc = mkba_h5_store_group(h, "/sa/evppi", "expected value of partial perfect "
                                 "information (Strong, Oakley & Brennan 2014)", err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_strings(h, "/sa/evppi/group", gs->label, ng, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(h, "/sa/evppi/evppi", 1, d1, ev, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(h, "/sa/evppi/se", 1, d1, se, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_doubles(h, "/sa/evppi/evpi", 1, one, &evpi, err);
    if (rc == MKBA_OK)
        rc = mkba_h5_store_strings(h, "/sa/evppi/method", method, ng, err);
    if (h != NULL) {
        int rc2 = mkba_h5_store_close(h, rc == MKBA_OK ? err : NULL);
        rc = rc != MKBA_OK ? rc : rc2;
    }
    if (rng != NULL)
        gsl_rng_free(rng);
    mkba_free(nb);
    mkba_free(x);
    mkba_free(ev);
    mkba_free((void *)method);
    return rc;
}

int mkba_sa_evppi(mkba_sa *s, mkba_error *err)
{
    int rc = mkba_sa_need_outcome(s, 1, "EVPPI needs the net benefit of choosing an arm",
                                  err);
    if (rc != MKBA_OK)
        return rc;
    groups gs = { 0 };
    s->method = &gs;
    rc = mkba_sa_psa(s, "evppi", (long)mkba_evppi_min_draws(1), check, store, err);
    s->method = NULL;
    groups_free(&gs);
    return rc;
}
