/* Cycles per year: one definition for the engine's year-to-date costs
 * and the analysis layer's years (break-even, budgets, ex-post figures). */
#ifndef MKBA_CORE_CYCLES_H
#define MKBA_CORE_CYCLES_H

#include <stddef.h>
#include "mkba/error.h"

/* Sets *cycles_per_year to 1 / cycle_years when that is a whole number
 * (cycles of a year, a month, a quarter, a week of 1/52 year ...).
 * Returns MKBA_OK, or MKBA_EINVAL (with a message) for a cycle length that
 * is not finite and positive or does not divide a year. */
int mkba_cycles_per_year(double cycle_years, size_t *cycles_per_year,
                         mkba_error *err);

#endif
