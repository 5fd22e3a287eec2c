/* Cycles per year (cycles.h). */
#include <math.h>
#include "core/cycles.h"

int mkba_cycles_per_year(double cycle_years, size_t *cycles_per_year,
                         mkba_error *err)
{
    if (cycles_per_year == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "cycles per year: no output given");
    if (!isfinite(cycle_years) || cycle_years <= 0.0 || cycle_years > 1.0)
        return mkba_error_set(err, MKBA_EINVAL,
                              "cycle length %g years: must be in (0, 1] to group cycles "
                              "into years", cycle_years);
    double c = 1.0 / cycle_years, k = floor(c + 0.5);
    if (fabs(c - k) > 1e-9 * c)
        return mkba_error_set(err, MKBA_EINVAL,
                              "cycle length %g years does not divide a year into whole "
                              "cycles (1/%g = %.10g)", cycle_years, cycle_years, c);
    *cycles_per_year = (size_t)k;
    return MKBA_OK;
}
