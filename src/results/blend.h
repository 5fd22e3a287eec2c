/* Blended arms (docs/model.md, "Mixed arms"): the record of a model with
 * blended arms from the record of its simulated arms. */
#ifndef MKBA_RESULTS_BLEND_H
#define MKBA_RESULTS_BLEND_H

#include "results/result.h"

/* Fills `out`, a record of model m (all arms), from `sim`, the same draw's
 * record of m's simulated arms alone (the first mkba_model_simulated(m)):
 * the simulated arms' values are copied, and each blended arm's are made
 * from its parts as its dataset's MKBA_BLEND rule says (datasets.def).
 * Records without an arm axis are copied. Allocates nothing. */
void mkba_blend_record(const mkba_model *m, const mkba_draw_result *sim, mkba_draw_result *out);

#endif
