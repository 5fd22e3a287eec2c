/* Shared test support: small models built in memory, without the scenario
 * loader, so tests of the engine, output and analyses do not depend on it. */
#ifndef MKBA_TESTS_SUPPORT_H
#define MKBA_TESTS_SUPPORT_H

#include <stdint.h>
#include <hdf5.h>
#include "model/model.h"
#include "mkba/mkba.h"
#include "mkba/sa.h"

/* Names of the fixed parameters of support_model_small, in table order. */
enum {
    SUPPORT_P_WORSE = 0,   /* 0.1: none->light, light->severe, stable->unstable, unstable->evicted */
    SUPPORT_P_RECOVER,     /* 0.3: light->none, severe->light, unstable->stable */
    SUPPORT_COST_SEVERE,   /* 1200 EUR/year in debt/severe, payer "municipality" */
    SUPPORT_COST_PROGRAMME,/* 250 EUR/year, arm "integrated", payer "insurer" */
    SUPPORT_COST_EVICTION, /* 5000 EUR once on entering housing/evicted, payer "housing" */
    SUPPORT_U_ALIVE,       /* 0.85 QALY/year per household in the model */
    SUPPORT_INCOME,        /* 400 EUR/year "income" (monetary effect) in debt/none */
    SUPPORT_NPARAMS
};

/* A finalized model with 2 domains x 3 states ("debt": none/light/severe,
 * "housing": stable/unstable/evicted, evicted absorbing and an exit), 2
 * arms ("usual" the reference, "integrated"), 3 payers ("municipality",
 * "insurer", "housing"), 2 effects ("qaly" in QALY, "income" in EUR and
 * monetary), 4 yearly cycles, discount rates 0.03 (costs) and 0.015
 * (effects), every household starting in the first state of each domain,
 * and the SUPPORT_NPARAMS fixed parameters above with a few rules using
 * them. Name "support-small", currency EUR, price year 2024, seed 20240611.
 * Returns NULL when out of memory or when the parameter table rejects a
 * definition. Free with mkba_model_free. */
mkba_model *support_model_small(void);

/* The whole float64 dataset `name` of result file `path` (free it), its
 * number of values in *count (may be NULL); NULL when it cannot be read. */
double *support_read_doubles(const char *path, const char *name, size_t *count);

/* Replaces float64 dataset `path` of open file `file` by one of n unwritten
 * values (a wrong shape, or none): 0, or -1. */
int support_replace_doubles(hid_t file, const char *path, hsize_t n);

/* Copies result file `good` to `bad` and opens the copy for writing, to
 * damage it: its id, or -1 when either step fails. */
hid_t support_damaged_copy(const char *good, const char *bad);

/* `mkba check`'s printout of m (mkba_model_print) as a string (free it);
 * a cmocka failure when it cannot be made. */
char *support_model_text(const mkba_model *m);

/* Run options (mkba_run_options_init) writing `output`, replacing it, with
 * `draws` PSA draws of `households` households (0: the scenario's). */
void support_run_options(mkba_run_options *o, const char *output, long draws,
                         long households);

/* As support_run_options, for the base case alone (no PSA draws) of
 * `households` households (any number, 0 too) with seed `seed`: one run of
 * a study over seeds. */
void support_base_case_options(mkba_run_options *o, const char *output, long households,
                               uint64_t seed);

/* Runs support_model_small with `draws` PSA draws of 60 households, one
 * thread, into /tmp/mkba-test-TAG-PID.h5 (its name in path); 0, or -1
 * with the error printed. */
int support_run_small(char *path, size_t size, const char *tag, long draws);

/* Makes the folder of mkdtemp template `dir` (ending in XXXXXX, which it
 * fills in): 0, or -1. */
int support_temp_folder(char *dir);

/* Removes folder `dir` with everything in it (children first, no shell,
 * symbolic links removed, not followed): 0, or -1. */
int support_remove_temp_folder(const char *dir);

/* The whole file as a string (free it); NULL when it cannot be read. */
char *support_read_file(const char *path);

/* Writes text to path, replacing it; 0, or -1. */
int support_write_file(const char *path, const char *text);

/* Writes file src with its first `from` replaced by `to` into path; 0, or
 * -1 when src cannot be read, lacks `from` or path cannot be written. */
int support_write_variant(const char *src, const char *path, const char *from, const char *to);

/* ---- sensitivity-method cases of the allocation-failure tests
 * (test_alloc_fail, test_alloc_sites) ---- */

/* One sa method's case, on tests/data/services.cfg. */
typedef struct support_sa_case {
    mkba_sa_method method;
    long n;                    /* points or trajectories (0: the method's default) */
    int from;                  /* reads the PSA file (evppi, prim) instead of running one */
} support_sa_case;

/* Options (mkba_sa_options_init) of case c writing `output`, replacing it,
 * with `bootstrap` resamples: from the PSA file `psa` (its households)
 * when c->from, else 20 households a point; factors `factors`, except
 * believe, which takes none. */
void support_sa_options(mkba_sa_options *o, const support_sa_case *c, const char *output,
                        const char *psa, long bootstrap, const char *factors);

/* The per-draw datasets of a result file (/draws/..., not draw_index): how
 * many there are, how many carry any filter and how many deflate. An
 * H5Ovisit callback (data: a zeroed support_filters); -1 when a dataset
 * cannot be opened. */
typedef struct support_filters {
    int datasets, deflated, filtered;
} support_filters;
herr_t support_count_filters(hid_t obj, const char *name, const H5O_info_t *info, void *data);

#endif
