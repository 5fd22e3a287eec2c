/* The ex-post fixture of the error and allocation tests: a private folder
 * holding two rows of observed data for tests/data/services.cfg and a PSA
 * file of that scenario, with the scenario loaded. */
#ifndef MKBA_TESTS_SUPPORT_EXPOST_H
#define MKBA_TESTS_SUPPORT_EXPOST_H

#include "mkba/mkba.h"
#include "mkba/expost.h"

typedef struct support_expost {
    char dir[64];              /* the folder (mkdtemp) */
    char data[300];            /* dir/observed.csv */
    char psa[300];             /* dir/psa.h5: a PSA of `draws` draws of 20 households */
    mkba_model *services;
} support_expost;

/* Makes the folder /tmp/mkba-TAG-XXXXXX, the data and the PSA: 0, or -1
 * with the error printed. */
int support_expost_open(support_expost *f, const char *tag, long draws);

/* dir/name in buf (300 bytes); returns buf. */
char *support_expost_path(const support_expost *f, char *buf, const char *name);

/* The options of an evaluation of the data into `output` with a PSA run
 * of its own (8 draws of 20 households), --force. */
void support_expost_options(const support_expost *f, mkba_expost_options *o,
                            const char *output);

/* Frees the model, removes the data, the PSA and the files `names` (n) of
 * the folder, then the folder: 0, or -1 when it stays. */
int support_expost_close(support_expost *f, const char *const *names, size_t n);

#endif
