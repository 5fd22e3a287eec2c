/* Small result files for the report tests, and reading files whole. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "mkba/mkba.h"
#include "support.h"

int support_run_small(char *path, size_t size, const char *tag, long draws)
{
    snprintf(path, size, "/tmp/mkba-test-%s-%ld.h5", tag, (long)getpid());
    mkba_model *m = support_model_small();
    if (m == NULL)
        return -1;
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = path;
    o.force = 1;
    o.draws = draws;
    o.households = 60;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 1;
    mkba_error err;
    mkba_error_clear(&err);
    int rc = mkba_run(&ctx, m, &o, &err);
    mkba_model_free(m);
    if (rc != MKBA_OK)
        fprintf(stderr, "support_run_small: %s\n", err.message);
    return rc == MKBA_OK ? 0 : -1;
}

char *support_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *s = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0
        && (s = malloc((size_t)n + 1)) != NULL) {
        if (fread(s, 1, (size_t)n, f) != (size_t)n) {
            free(s);
            s = NULL;
        } else {
            s[n] = '\0';
        }
    }
    fclose(f);
    return s;
}
