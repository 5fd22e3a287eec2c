/* "For whom" (issue 13, docs/decision.md): which household group a
 * household belongs to, from its starting state.
 *
 * The engines count each household once, into the cell of its starting
 * state (no problem, or severity class x number of problem domains), and
 * the groups of /draws/groups are unions of cells: the severity classes
 * (no problem, light, medium, heavy) and the domain counts (no problem,
 * single, multiple, multi-problem) each partition the households. Counts
 * of a cell are counts like any other, so a group is priced as a batch is
 * (mkba_tally_batches) and the groups of a partition add up to the draw. */
#include <math.h>
#include <string.h>
#include "engine/engine.h"

int mkba_group_cell(const mkba_tables *t, size_t ndomains, const uint8_t *x)
{
    const mkba_layout *l = t->l;
    int problems = 0, top = 0;
    for (size_t d = 0; d < ndomains; d++) {
        const size_t i = (size_t)l->state_base[d] + x[d];
        if (!(t->severity[i] > 0.0))
            continue;
        problems++;
        top = t->level[i] > top ? t->level[i] : top;
    }
    if (problems == 0)
        return 0;
    /* The severity classes are the services' bands, their one definition
     * (mkba_tables.level): light level 1, medium 2, heavy above. */
    int severity = top <= 1 ? 0 : top == 2 ? 1 : 2;
    int count = problems < 3 ? problems - 1 : 2;
    return 1 + severity * 3 + count;
}

int mkba_group_has_cell(int group, int cell)
{
    if (cell == 0)
        return group == 0;
    if (group == 0)
        return 0;
    if (group <= 3)                 /* light, medium, heavy */
        return (cell - 1) / 3 == group - 1;
    return (cell - 1) % 3 == group - 4; /* single, multiple, multi-problem */
}

void mkba_group_price(const mkba_model *m, const mkba_layout *l, mkba_counts *const *groups,
                      double households, const double *values, const double *by_cycle,
                      double *alive_work, mkba_draw_result *out)
{
    const size_t A = out->narms, P = out->npayers, E = out->neffects;
    mkba_counts *priced[MKBA_RESULT_GROUPS];
    size_t n = 0;
    int index[MKBA_RESULT_GROUPS];
    /* An empty group has no per-household value: NaN, and it is left out
     * of the pricing (which divides by its households). */
    for (int g = 0; g < MKBA_RESULT_GROUPS; g++) {
        out->group_households[g] = groups[g]->households / households;
        index[g] = groups[g]->households > 0.0 ? (int)n : -1;
        if (index[g] >= 0)
            priced[n++] = groups[g];
    }
    double *cost = out->group_cost_total_disc, *effect = out->group_effect_total_disc;
    mkba_tally_batches(m, l, (const mkba_counts *const *)priced, n, values, by_cycle, alive_work,
                       cost, effect, NULL);
    /* Spread the priced groups to their places, from the last down, so
     * nothing is overwritten before it is moved. */
    for (int g = MKBA_RESULT_GROUPS - 1; g >= 0; g--) {
        double *cg = cost + (size_t)g * A * P, *eg = effect + (size_t)g * A * E;
        if (index[g] < 0) {
            for (size_t i = 0; i < A * P; i++)
                cg[i] = NAN;
            for (size_t i = 0; i < A * E; i++)
                eg[i] = NAN;
        } else if (index[g] != g) {
            memmove(cg, cost + (size_t)index[g] * A * P, A * P * sizeof *cg);
            memmove(eg, effect + (size_t)index[g] * A * E, A * E * sizeof *eg);
        }
    }
}

void mkba_group_clear(mkba_draw_result *out)
{
    const size_t A = out->narms, P = out->npayers, E = out->neffects;
    for (size_t g = 0; g < out->ngroups; g++) {
        out->group_households[g] = NAN;
        for (size_t i = 0; i < A * P; i++)
            out->group_cost_total_disc[g * A * P + i] = out->group_team_cost_disc[g * A * P + i] =
                NAN;
        for (size_t i = 0; i < A * E; i++)
            out->group_effect_total_disc[g * A * E + i] = NAN;
    }
}
