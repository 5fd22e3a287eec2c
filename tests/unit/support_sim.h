/* One draw of a scenario, with its values open to edits: shared by the
 * tests of the engines (test_engine, test_calibration) and of the service
 * pathways (test_services, test_substitution), which edit a draw's values
 * in place so that every comparison runs on the same random numbers. */
#ifndef MKBA_TESTS_SUPPORT_SIM_H
#define MKBA_TESTS_SUPPORT_SIM_H

#include "mkba/mkba.h"
#include "engine/services.h"

typedef struct sim {
    mkba_model *m;
    mkba_layout *l;
    mkba_tables *t;
    mkba_params_work *pw;
    double *values;
    size_t np;
    long households;
} sim;

/* The scenario at `path`, loaded (a cmocka failure with the loader's
 * message when it cannot be). Free with mkba_model_free. */
mkba_model *support_load(const char *path);

/* Loads `path` and samples draw 0 at the scenario's base case (cmocka
 * assertions on failure). */
void sim_open(sim *s, const char *path, long households);
/* The same at draw `draw`, or at the base case at the parameters' means
 * when draw < 0. */
void sim_open_draw(sim *s, const char *path, long households, long draw);
void sim_close(sim *s);
/* Sets value `index` in arm `arm` (all arms when arm < 0). */
void set_value(sim *s, int arm, int index, double v);
/* Runs the draw with services on `threads` threads into a priced result
 * (free it), and its counts into *counts unless counts is NULL. */
mkba_draw_result *sim_run(sim *s, int threads, mkba_counts **counts);

#endif
