/* EVPPI on a scenario: a PSA run (as mkba run writes it) whose draws give,
 * per draw, each arm's outcome against the reference (the net benefit of
 * choosing it; the reference's is 0) and the factors' drawn values; the
 * EVPPI of each factor and of each --group follows by regression
 * (analysis/evppi.h), with no model runs beyond the PSA. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "sa/sa_impl.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "analysis/evppi.h"

/* The factor indices of group spec "A+B+C" into idx (at most nf); returns
 * the count, or 0 with err naming an unknown member. */
static size_t group_members(const mkba_sa *s, const char *spec, size_t *idx, mkba_error *err)
{
    size_t n = 0, nf = s->fs->n;
    const char *p = spec;
    while (*p != '\0') {
        size_t len = strcspn(p, "+");
        size_t f = 0;
        while (f < nf && (strlen(s->fs->f[f].label) != len
                          || strncmp(s->fs->f[f].label, p, len) != 0))
            f++;
        if (f == nf || len == 0 || n == nf) {
            const char *names[256];
            size_t m = nf < 256 ? nf : 256;
            for (size_t i = 0; i < m; i++)
                names[i] = s->fs->f[i].label;
            char item[256];
            snprintf(item, sizeof item, "%.*s", (int)(len < 255 ? len : 255), p);
            const char *near = mkba_closest_name(item, names, m);
            mkba_error_set(err, MKBA_EINVAL, "evppi: --group %s: '%s' is not one of the "
                           "factors%s%s%s (a group is factors joined by +, each in --factors "
                           "or, by default, a parameter with a distribution)", spec, item,
                           near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
            return 0;
        }
        for (size_t i = 0; i < n; i++)
            if (idx[i] == f) {
                mkba_error_set(err, MKBA_EINVAL, "evppi: --group %s names %s twice", spec,
                               s->fs->f[f].label);
                return 0;
            }
        idx[n++] = f;
        p += len;
        if (*p == '+')
            p++;
    }
    return n;
}

static int store(mkba_sa *s, const char *tmp, mkba_error *err)
{
    const mkba_sa_options *o = s->o;
    size_t nd = s->npoints, nf = s->fs->n, na = s->narms, ng = nf + o->ngroups;
    double *nb = mkba_malloc(nd * na * sizeof *nb);
    double *x = mkba_malloc(nd * nf * sizeof *x);
    double *ev = mkba_malloc(2 * ng * sizeof *ev);
    size_t *idx = mkba_malloc((nf + 1) * sizeof *idx);
    unsigned char *member = mkba_calloc(ng * nf, 1);    /* [group][factor] */
    const char **label = mkba_calloc(ng, sizeof *label), **method = mkba_calloc(ng, sizeof *method);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int rc = nb && x && ev && idx && member && label && method && rng ? MKBA_OK
             : mkba_error_set(err, MKBA_ENOMEM, "out of memory for the EVPPI");
    double evpi = NAN;
    if (rc == MKBA_OK) {
        gsl_rng_set(rng, (unsigned long)(s->so.seed ^ 0x45565050ULL));
        for (size_t j = 0; j < nd; j++)
            for (size_t a = 0; a < na; a++)
                nb[j * na + a] = mkba_sa_y(s, j, a, (size_t)s->outcome);
    }
    double *se = ev != NULL ? ev + ng : NULL;
    for (size_t g = 0; rc == MKBA_OK && g < ng; g++) {
        size_t p = 1;
        if (g < nf) {
            idx[0] = g;
            label[g] = s->fs->f[g].label;
        } else {
            label[g] = o->group[g - nf];
            if ((p = group_members(s, label[g], idx, err)) == 0)
                rc = err != NULL ? err->code : MKBA_EINVAL;
        }
        for (size_t j = 0; rc == MKBA_OK && j < nd; j++)
            for (size_t i = 0; i < p; i++)
                x[j * p + i] = s->x[j * nf + idx[i]];
        /* A group is worth at least every earlier group it contains. */
        double floor = 0.0;
        for (size_t i = 0; rc == MKBA_OK && i < p; i++)
            member[g * nf + idx[i]] = 1;
        for (size_t h = 0; rc == MKBA_OK && h < g; h++) {
            int subset = 1;
            for (size_t f = 0; f < nf && subset; f++)
                subset = !member[h * nf + f] || member[g * nf + f];
            if (subset && ev[h] > floor)
                floor = ev[h];
        }
        mkba_evppi_options eo = { rng, 0, floor };
        mkba_evppi_result *r = NULL;
        if (rc == MKBA_OK)
            rc = mkba_evppi_alloc(nb, nd, na, x, p, &eo, &r, err);
        if (rc != MKBA_OK) {
            if (err != NULL) {
                char msg[MKBA_ERROR_MAX];
                mkba_status code = err->code;
                snprintf(msg, sizeof msg, "%s", err->message);
                mkba_error_clear(err);
                mkba_error_set(err, code, "evppi of %s: %s", label[g], msg);
            }
            break;
        }
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
        rc = mkba_h5_store_strings(h, "/sa/evppi/group", label, ng, err);
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
    mkba_free(idx);
    mkba_free(member);
    mkba_free((void *)label);
    mkba_free((void *)method);
    return rc;
}

int mkba_sa_evppi(mkba_sa *s, mkba_error *err)
{
    int rc = mkba_sa_need_outcome(s, 1, "EVPPI needs the net benefit of choosing an arm",
                                  err);
    if (rc != MKBA_OK)
        return rc;
    return mkba_sa_psa(s, "evppi", (long)mkba_evppi_min_draws(1), store, err);
}
