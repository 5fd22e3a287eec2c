/* Root attributes of a result file for the run table (see run_facts.h). */
#include <stdio.h>
#include <string.h>
#include "core/alloc.h"
#include "io/h5out.h"
#include "run_facts.h"

/* An attribute that is absent leaves buf empty; one that cannot be read
 * (out of memory) is an error, so a table is never silently short. */
static int string_attr(mkba_h5_store *st, const char *name, char *buf, size_t size)
{
    char *v = NULL;
    int rc = mkba_h5_store_read_attr(st, "/", name, &v, NULL);
    if (rc == MKBA_OK && v != NULL)
        snprintf(buf, size, "%s", v);
    mkba_free(v);
    return rc;
}

int mkba_run_facts_read(const char *path, mkba_run_facts *f)
{
    memset(f, 0, sizeof *f);
    mkba_h5_store *st = mkba_h5_store_open(path, 0, NULL);
    if (st == NULL)
        return MKBA_EIO;
    mkba_error err;
    mkba_error_clear(&err);
    int rc = mkba_h5_store_read_attr_u64(st, "/", "seed", &f->seed, &f->has_seed, &err);
    if (rc == MKBA_EPARSE) {
        snprintf(f->seed_problem, sizeof f->seed_problem, "%.*s",
                 (int)sizeof f->seed_problem - 1, err.message);
        rc = MKBA_OK;
    }
    if (rc == MKBA_OK)
        rc = string_attr(st, "mkba_version", f->version, sizeof f->version);
    if (rc == MKBA_OK)
        rc = string_attr(st, "created", f->created, sizeof f->created);
    int rc2 = mkba_h5_store_close(st, NULL);
    return rc != MKBA_OK ? rc : rc2;
}
