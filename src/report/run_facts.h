/* Facts of a run kept as root attributes that the totals do not carry: the
 * seed, the mkba version and when the file was written. For the run table
 * of the summary (and the workbook's settings) and the report's
 * assumptions. */
#ifndef MKBA_REPORT_RUN_FACTS_H
#define MKBA_REPORT_RUN_FACTS_H

#include <stdint.h>
#include "mkba/error.h"

typedef struct mkba_run_facts {
    int has_seed;
    uint64_t seed;
    char version[64], created[64];   /* "" when absent */
    /* Why a seed attribute that is there is not shown (another tool wrote
     * a string, an array or a negative number); "" when it is shown or
     * absent. */
    char seed_problem[400];
} mkba_run_facts;

/* Reads what the file at path holds; what it lacks stays empty, and a seed
 * that is not a whole number >= 0 is left out with the reason in
 * seed_problem (the figures do not depend on it). Returns MKBA_OK, or an
 * error code when the file cannot be opened or a string attribute read
 * (out of memory): the caller reports its table as incomplete. */
int mkba_run_facts_read(const char *path, mkba_run_facts *f);

#endif
