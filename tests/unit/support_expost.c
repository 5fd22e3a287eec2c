/* The ex-post fixture of the tests (support_expost.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "support.h"
#include "support_expost.h"
#include "support_run.h"

char *support_expost_path(const support_expost *f, char *buf, const char *name)
{
    snprintf(buf, 300, "%s/%s", f->dir, name);
    return buf;
}

int support_expost_open(support_expost *f, const char *tag, long draws)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mkba-%s-XXXXXX", tag);
    if (mkdtemp(f->dir) == NULL)
        return -1;
    support_expost_path(f, f->data, "observed.csv");
    support_expost_path(f, f->psa, "psa.h5");
    if (support_write_file(f->data, "year,arm,metric,value,n,domain\n"
                                    "1,broad,escalations,40,3000,youth\n"
                                    "2,broad,in_state,150,3000,debt/severe\n") != 0)
        return -1;
    mkba_error err = {0};
    mkba_run_options ro;
    mkba_run_options_init(&ro);
    ro.output = f->psa;
    ro.force = 1;
    ro.draws = draws;
    ro.households = 20;
    if (mkba_scenario_load(NULL, "tests/data/services.cfg", &f->services, &err) != MKBA_OK
        || mkba_run(NULL, f->services, &ro, &err) != MKBA_OK) {
        fprintf(stderr, "%s\n", err.message);
        return -1;
    }
    return 0;
}

void support_expost_options(const support_expost *f, mkba_expost_options *o,
                            const char *output)
{
    mkba_expost_options_init(o);
    o->observed = f->data;
    o->output = output;
    o->force = 1;
    o->draws = 8;
    o->households = 20;
}

int support_expost_close(support_expost *f, const char *const *names, size_t n)
{
    mkba_model_free(f->services);
    f->services = NULL;
    remove(f->data);
    remove(f->psa);
    return support_remove_folder(f->dir, names, n);
}
