/* Fuzz target: the ex-post observed-data reader (mkba_observed_parse).
 *
 * The input is the text of an observed-data CSV file, read against the
 * shipped scenario scenarios/pathways/model-b.cfg (loaded once: its arms,
 * domains, teams and payers are what the columns are checked against). A
 * parse must end in a set of figures that the reader's own rules allow, or
 * in an error with a message naming the file; anything else (a crash, a
 * sanitizer report, a leak, an empty message) is a bug in mkba. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mkba/mkba.h"
#include "mkba/expost.h"
#include "expost/observed.h"
#include "fuzz_target.h"

static const char scenario[] = "scenarios/pathways/model-b.cfg";
static const char file_name[] = "observed.csv";
static mkba_model *model;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_scenario_load(NULL, scenario, &model, &err) != MKBA_OK) {
        fprintf(stderr, "fuzz_observed: cannot load %s (run from the top folder): %s\n",
                scenario, err.message);
        exit(2);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mkba_error err;
    mkba_error_clear(&err);
    mkba_observed *obs = NULL;
    int rc = mkba_observed_parse((const char *)data, size, file_name, model, &obs, &err);
    if (rc == MKBA_OK) {
        if (obs == NULL)
            fuzz_fail("a parse succeeded without figures");
        for (size_t i = 0; i < obs->n; i++) {
            const mkba_observation *o = &obs->obs[i];
            if (o->year < 1 || !isfinite(o->value)
                || (o->value < 0 && o->metric != MKBA_METRIC_SPENDING))
                fuzz_fail("line %d: a figure the reader should have refused "
                          "(year %d, value %g)", o->line, o->year, o->value);
            if ((int)o->metric < 0 || o->metric >= MKBA_METRIC_N || o->label == NULL)
                fuzz_fail("line %d: no metric or label", o->line);
            if (!(o->se > 0) && !isnan(o->se))
                fuzz_fail("line %d: se %g accepted", o->line, o->se);
        }
        mkba_observed_free(obs);
    } else {
        if (obs != NULL)
            fuzz_fail("a failed parse left figures");
        if ((int)err.code != rc || err.message[0] == '\0')
            fuzz_fail("a failed parse left no message (code %d)", rc);
        if (rc != MKBA_ENOMEM && strstr(err.message, file_name) == NULL)
            fuzz_fail("an error that names no file: %s", err.message);
    }
    return 0;
}
