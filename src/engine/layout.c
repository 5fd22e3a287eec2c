/* The engine's fixed layout of a model: state offsets, time-in-state
 * buckets, cycle segments with constant transition rules, and the order of
 * interactions. Computed once per run; read-only while threads run. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "engine/engine.h"
#include "core/cycles.h"
#include "core/alloc.h"
#include "mkba/rng.h"

static void add_break(int *brk, int *n, int v)
{
    for (int i = 0; i < *n; i++)
        if (brk[i] == v)
            return;
    brk[(*n)++] = v;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Time in state never exceeds the horizon T, so a window edge beyond it
 * changes nothing and is left out. */
static void add_window(int *brk, int *n, mkba_window w, int T)
{
    if (w.from <= T)
        add_break(brk, n, w.from);
    if (w.to != MKBA_CYCLE_END && w.to + 1 <= T)
        add_break(brk, n, w.to + 1);
}

/* The rule whose duration window first took a state past 255 intervals,
 * for the message: its file, line and setting. */
typedef struct window_rule {
    const char *file, *path;
    int line;
} window_rule;

static void note_excess(window_rule *first, int n, const char *file, int line, const char *path)
{
    if (n > 255 && first->path == NULL)
        *first = (window_rule){ file, path, line };
}

/* Breakpoints of time in state for domain d, state s, from every rule that
 * restricts duration there. */
static int duration_buckets(const mkba_model *m, int d, int s, mkba_dur_buckets *b,
                            mkba_error *err)
{
    const int T = m->timing.ncycles;
    int brk[MKBA_MAX_CYCLES + 2], n = 0;
    window_rule first = {0};
    add_break(brk, &n, 0);
    for (size_t i = 0; i < m->ntrans; i++)
        if (m->trans[i].domain == d && m->trans[i].from == s) {
            add_window(brk, &n, m->trans[i].duration, T);
            note_excess(&first, n, m->trans[i].file, m->trans[i].line, m->trans[i].path);
        }
    for (size_t i = 0; i < m->ncosts; i++)
        if (m->cost[i].kind == MKBA_COST_STATE && m->cost[i].domain == d && m->cost[i].state == s) {
            add_window(brk, &n, m->cost[i].duration, T);
            note_excess(&first, n, m->cost[i].file, m->cost[i].line, m->cost[i].path);
        }
    for (size_t i = 0; i < m->neffect_rules; i++)
        if (m->effect_rule[i].domain == d && m->effect_rule[i].state == s) {
            add_window(brk, &n, m->effect_rule[i].duration, T);
            note_excess(&first, n, m->effect_rule[i].file, m->effect_rule[i].line,
                        m->effect_rule[i].path);
        }
    qsort(brk, (size_t)n, sizeof brk[0], cmp_int);
    b->cap = brk[n - 1];
    if (n > 255)
        return mkba_error_set(err, MKBA_EINVAL,
                              "%s:%d: %s.duration: domain '%s', state '%s': this window makes "
                              "the duration windows of its transition, cost and effect rules "
                              "split the time in the state into more than 255 intervals (%d "
                              "in all); at most 255 are supported (use fewer distinct "
                              "windows)", first.file != NULL ? first.file : m->path,
                              first.line, first.path, m->domain[d].name,
                              m->domain[d].state[s].name, n);
    b->nbuckets = n;
    for (int i = 0; i < n; i++) {
        b->lo[i] = brk[i];
        b->hi[i] = i + 1 < n ? brk[i + 1] - 1 : MKBA_CYCLE_END;
        int top = i + 1 < n ? brk[i + 1] - 1 : b->cap;
        for (int t = brk[i]; t <= top; t++)
            b->bucket_of[t] = (uint8_t)i;
    }
    return MKBA_OK;
}

void mkba_layout_free(mkba_layout *l)
{
    if (l == NULL)
        return;
    mkba_free(l->dur);
    mkba_free(l->slot_base);
    mkba_free(l->seg_of_cycle);
    mkba_free(l->seg_start);
    mkba_free(l->inter_order);
    mkba_free(l->tis_off);
    mkba_free(l->bucket_at);
    mkba_free(l->slot_at);
    mkba_free(l->pinv_bracket);
    mkba_free(l);
}

void mkba_layout_set_max_combo(mkba_layout *l, size_t max_combo)
{
    l->max_combo = max_combo;
    for (size_t d = 0; d < l->ndomains; d++) {
        size_t n = 1;
        for (int j = l->nsrc[d] - 1; j >= 0; j--) {
            l->stride[d][j] = n > max_combo ? 0 : (int)n;
            n *= (size_t)l->nstates[l->src[d][j]];
            if (n > max_combo)
                n = max_combo + 1;
        }
        l->ncombo[d] = n <= max_combo ? n : 0;
    }
    int ndep[MKBA_MAX_DOMAINS] = {0};
    for (size_t d = 0; d < l->ndomains; d++)
        for (int j = 0; l->ncombo[d] && j < l->nsrc[d]; j++) {
            int e = l->src[d][j];
            l->dep[e][ndep[e]] = (int)d;
            l->dep_stride[e][ndep[e]++] = l->stride[d][j];
        }
    l->maxdep = 0;
    for (size_t e = 0; e < l->ndomains; e++)
        if (ndep[e] > l->maxdep)
            l->maxdep = ndep[e];
    for (size_t e = 0; e < l->ndomains; e++)
        for (int i = ndep[e]; i < l->maxdep; i++) {
            l->dep[e][i] = (int)l->ndomains + i;
            l->dep_stride[e][i] = 0;
        }
}

mkba_layout *mkba_layout_alloc(const mkba_model *m, mkba_error *err)
{
    mkba_layout *l = mkba_calloc(1, sizeof *l);
    if (l == NULL)
        goto nomem;
    l->ndomains = m->ndomains;
    l->narms = m->narms;
    l->ncycles = (size_t)m->timing.ncycles;
    l->npoints = l->ncycles + 1;
    if (mkba_cycles_per_year(m->timing.cycle_years, &l->cycles_per_year, err) != MKBA_OK)
        goto fail;
    for (size_t d = 0; d < m->ndomains; d++) {
        l->nstates[d] = m->domain[d].nstates;
        l->state_base[d] = (int)l->nstates_total;
        l->nstates_total += (size_t)m->domain[d].nstates;
        for (int s = 0; s < m->domain[d].nstates; s++)
            if (m->domain[d].state[s].exit)
                l->has_exit = 1;
    }
    l->dur = mkba_calloc(l->nstates_total, sizeof *l->dur);
    l->slot_base = mkba_calloc(l->nstates_total, sizeof *l->slot_base);
    if (l->dur == NULL || l->slot_base == NULL)
        goto nomem;
    for (size_t d = 0; d < m->ndomains; d++)
        for (int s = 0; s < m->domain[d].nstates; s++) {
            size_t g = (size_t)l->state_base[d] + (size_t)s;
            if (duration_buckets(m, (int)d, s, &l->dur[g], err) != MKBA_OK)
                goto fail;
            l->slot_base[g] = (int)l->nslots;
            l->nslots += (size_t)l->dur[g].nbuckets;
        }

    /* Segments: maximal runs of cycles over which no transition rule starts
     * or stops applying. */
    int *brk = mkba_malloc((2 * m->ntrans + 1) * sizeof *brk);
    if (brk == NULL)
        goto nomem;
    int n = 0;
    add_break(brk, &n, 1);
    for (size_t i = 0; i < m->ntrans; i++) {
        mkba_window w = m->trans[i].cycles;
        if (w.from >= 1 && w.from <= (int)l->ncycles)
            add_break(brk, &n, w.from);
        if (w.to != MKBA_CYCLE_END && w.to + 1 <= (int)l->ncycles)
            add_break(brk, &n, w.to + 1);
    }
    qsort(brk, (size_t)n, sizeof brk[0], cmp_int);
    l->nsegs = (size_t)n;
    l->seg_start = brk;
    l->seg_of_cycle = mkba_calloc(l->npoints + 1, sizeof *l->seg_of_cycle);
    if (l->seg_of_cycle == NULL)
        goto nomem;
    for (int k = 1, g = 0; k <= (int)l->ncycles; k++) {
        while (g + 1 < n && brk[g + 1] <= k)
            g++;
        l->seg_of_cycle[k] = g;
    }

    l->inter_order = mkba_malloc((m->ninteract + 1) * sizeof *l->inter_order);
    if (l->inter_order == NULL)
        goto nomem;
    int k = 0;
    for (size_t d = 0; d < m->ndomains; d++) {
        l->inter_start[d] = k;
        for (size_t i = 0; i < m->ninteract; i++)
            if (m->interact[i].to == (int)d)
                l->inter_order[k++] = (int)i;
    }
    l->inter_start[m->ndomains] = k;
    for (size_t d = 0; d < m->ndomains; d++)
        for (int i = l->inter_start[d]; i < l->inter_start[d + 1]; i++) {
            int from = m->interact[l->inter_order[i]].from, known = 0;
            for (int j = 0; j < l->nsrc[d]; j++)
                known |= l->src[d][j] == from;
            if (!known)
                l->src[d][l->nsrc[d]++] = from;
        }
    mkba_layout_set_max_combo(l, 4096);

    size_t npacked = 0;
    for (size_t g = 0; g < l->nstates_total; g++)
        npacked += (size_t)l->dur[g].cap + 1;
    l->tis_off = mkba_malloc(l->nstates_total * sizeof *l->tis_off);
    l->bucket_at = mkba_malloc(npacked * sizeof *l->bucket_at);
    l->slot_at = mkba_malloc(npacked * sizeof *l->slot_at);
    if (!l->tis_off || !l->bucket_at || !l->slot_at)
        goto nomem;
    for (size_t g = 0, i = 0; g < l->nstates_total; g++) {
        l->tis_off[g] = (int)i;
        for (int tt = 0; tt <= l->dur[g].cap; tt++, i++) {
            l->bucket_at[i] = l->dur[g].bucket_of[tt];
            l->slot_at[i] = l->slot_base[g] + l->dur[g].bucket_of[tt];
        }
    }
    l->pinv_bracket = mkba_malloc(((size_t)1 << MKBA_PINV_BITS) * sizeof *l->pinv_bracket);
    if (l->pinv_bracket == NULL)
        goto nomem;
    for (uint32_t b = 0; b < (uint32_t)1 << MKBA_PINV_BITS; b++) {
        /* Pinv is increasing; GSL's evaluation of it deviates from that by
         * rounding only, far below the margin. */
        uint32_t first = b << (32 - MKBA_PINV_BITS), last = first | (UINT32_MAX >> MKBA_PINV_BITS);
        double lo = gsl_cdf_ugaussian_Pinv(mkba_rng_u01(first));
        double hi = gsl_cdf_ugaussian_Pinv(mkba_rng_u01(last));
        l->pinv_bracket[b].lo = lo - 1e-9 * fabs(lo);
        l->pinv_bracket[b].hi = hi + 1e-9 * fabs(hi);
    }
    l->blocks_per_cycle = (int)((m->ndomains + 3) / 4);
    l->init_blocks = (int)((m->ndomains + 1 + 3) / 4);
    return l;
nomem:
    mkba_error_set(err, MKBA_ENOMEM, "out of memory while laying out the model");
fail:
    mkba_layout_free(l);
    return NULL;
}
