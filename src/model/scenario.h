/* Loading a scenario file (libconfig) into a validated model. */
#ifndef MKBA_MODEL_SCENARIO_H
#define MKBA_MODEL_SCENARIO_H

#include <stdio.h>
#include "mkba/error.h"
#include "model.h"

/* Reads, parses and validates the scenario at `path` (with any @include
 * files, resolved relative to the scenario's folder). On success *out owns
 * a finalized model (parameter table finalized too). On failure returns a
 * code, *out is NULL, and err says what is wrong: libconfig's message with
 * file and line for syntax errors, completed from the file's text (the
 * @include that cannot be opened and where it was looked for, the path of
 * a duplicate setting, a hint for a decimal comma or an unquoted formula);
 * for every other problem the setting's
 * path (e.g. domains.[2].transitions.[0].probabilities.severe), its file and
 * line, what was expected, and for unknown names the closest known one. */
int mkba_scenario_load(const mkba_context *ctx, const char *path, mkba_model **out,
                       mkba_error *err);

/* Prints the resolved scenario for `mkba check`: structure, timing and
 * discounting with their defaults filled in, and every parameter with its
 * distribution, mean and source. */
void mkba_model_print(const mkba_model *m, FILE *f);

/* Prints one line per warning about the loaded model to f and returns how
 * many; the contract is in include/mkba/mkba.h. */
int mkba_model_warnings(const mkba_model *m, FILE *f);

#endif
