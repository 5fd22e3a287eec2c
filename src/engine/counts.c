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
    c->joined = mkba_calloc(c->npoints, sizeof *c->joined);
    if (!c->occ || !c->entries || !c->focc || !c->fentries || !c->joined) {
        mkba_counts_free(c);
        return NULL;
    }
    return c;
}

static size_t n_occ(const mkba_counts *c) { return c->narms * c->npoints * c->nslots; }
static size_t n_ent(const mkba_counts *c) { return c->narms * (c->npoints - 1) * c->nstates_total; }

void mkba_counts_zero(mkba_counts *c)
{
    memset(c->occ, 0, n_occ(c) * sizeof *c->occ);
    memset(c->entries, 0, n_ent(c) * sizeof *c->entries);
    memset(c->focc, 0, n_occ(c) * sizeof *c->focc);
    memset(c->fentries, 0, n_ent(c) * sizeof *c->fentries);
    memset(c->joined, 0, c->npoints * sizeof *c->joined);
    c->households = 0.0;
}

void mkba_counts_add(mkba_counts *into, const mkba_counts *from)
{
    for (size_t i = 0, n = n_occ(into); i < n; i++)
        into->occ[i] += from->occ[i];
    for (size_t i = 0, n = n_ent(into); i < n; i++)
        into->entries[i] += from->entries[i];
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
}
