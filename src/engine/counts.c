/* Tallies of a simulation: households per (arm, time point, state and
 * time-in-state bucket) and state entries per (arm, cycle, state). */
#include <stdlib.h>
#include <string.h>
#include "engine/engine.h"
#include "core/alloc.h"

void mkba_counts_free(mkba_counts *c)
{
    if (c == NULL)
        return;
    mkba_free(c->occ);
    mkba_free(c->entries);
    mkba_free(c->focc);
    mkba_free(c->fentries);
    mkba_free(c->occ_new);
    mkba_free(c->entries_new);
    mkba_free(c->focc_open);
    mkba_free(c->fentries_open);
    mkba_free(c->joined);
    mkba_free(c);
}

mkba_counts *mkba_counts_alloc(const mkba_layout *l)
{
    mkba_counts *c = mkba_calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->narms = l->narms;
    c->npoints = l->npoints;
    c->nslots = l->nslots;
    c->nstates_total = l->nstates_total;
    size_t nocc = c->narms * c->npoints * c->nslots;
    size_t nent = c->narms * (c->npoints - 1) * c->nstates_total;
    c->occ = mkba_calloc(nocc, sizeof *c->occ);
    c->entries = mkba_calloc(nent, sizeof *c->entries);
    c->focc = mkba_calloc(nocc, sizeof *c->focc);
    c->fentries = mkba_calloc(nent, sizeof *c->fentries);
    c->occ_new = mkba_calloc(nocc, sizeof *c->occ_new);
    c->entries_new = mkba_calloc(nent, sizeof *c->entries_new);
    c->focc_open = mkba_calloc(nocc, sizeof *c->focc_open);
    c->fentries_open = mkba_calloc(nent, sizeof *c->fentries_open);
    c->joined = mkba_calloc(c->npoints, sizeof *c->joined);
    if (!c->occ || !c->entries || !c->focc || !c->fentries || !c->occ_new || !c->entries_new
        || !c->focc_open || !c->fentries_open || !c->joined) {
        mkba_counts_free(c);
        return NULL;
    }
    return c;
}

static size_t n_occ(const mkba_counts *c) { return c->narms * c->npoints * c->nslots; }
static size_t n_ent(const mkba_counts *c) { return c->narms * (c->npoints - 1) * c->nstates_total; }

int mkba_counts_open(const mkba_counts *c)
{
    return c->joined[c->npoints - 1] > 0.0;
}

void mkba_counts_zero(mkba_counts *c)
{
    memset(c->occ, 0, n_occ(c) * sizeof *c->occ);
    memset(c->entries, 0, n_ent(c) * sizeof *c->entries);
    memset(c->focc, 0, n_occ(c) * sizeof *c->focc);
    memset(c->fentries, 0, n_ent(c) * sizeof *c->fentries);
    if (mkba_counts_open(c)) {
        memset(c->occ_new, 0, n_occ(c) * sizeof *c->occ_new);
        memset(c->entries_new, 0, n_ent(c) * sizeof *c->entries_new);
    }
    memset(c->joined, 0, c->npoints * sizeof *c->joined);
    c->households = 0.0;
}

void mkba_counts_add(mkba_counts *into, const mkba_counts *from)
{
    for (size_t i = 0, n = n_occ(into); i < n; i++)
        into->occ[i] += from->occ[i];
    for (size_t i = 0, n = n_ent(into); i < n; i++)
        into->entries[i] += from->entries[i];
    if (mkba_counts_open(from)) {
        for (size_t i = 0, n = n_occ(into); i < n; i++)
            into->occ_new[i] += from->occ_new[i];
        for (size_t i = 0, n = n_ent(into); i < n; i++)
            into->entries_new[i] += from->entries_new[i];
    }
    /* Whole numbers below 2^53: the sums are exact in any order. */
    for (size_t j = 0; j < into->npoints; j++)
        into->joined[j] += from->joined[j];
    into->households += from->households;
}

void mkba_counts_to_double(mkba_counts *c)
{
    for (size_t i = 0, n = n_occ(c); i < n; i++)
        c->focc[i] = (double)c->occ[i];
    for (size_t i = 0, n = n_ent(c); i < n; i++)
        c->fentries[i] = (double)c->entries[i];
    if (!mkba_counts_open(c))
        return;
    for (size_t i = 0, n = n_occ(c); i < n; i++)
        c->focc_open[i] = (double)(c->occ[i] + c->occ_new[i]);
    for (size_t i = 0, n = n_ent(c); i < n; i++)
        c->fentries_open[i] = (double)(c->entries[i] + c->entries_new[i]);
}
