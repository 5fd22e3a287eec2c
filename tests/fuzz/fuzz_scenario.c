/* Fuzz target: the scenario loader (mkba_scenario_load), @include included.
 *
 * The input is one or more files separated by a line "@@@@": the first part
 * is the scenario, part k (k >= 1) is written beside it as "incK.cfg", so a
 * scenario can `@include "inc1.cfg"` and the fuzzer mutates the included
 * text too. A load must end in a model or in an error with a message; a
 * loaded model is also printed (`mkba check`) and warned about, to reach
 * what reads the model after loading. Anything else (a crash, a sanitizer
 * report, a leak, an empty message) is a bug in mkba. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mkba/mkba.h"
#include "fuzz_target.h"

#define MAX_PARTS 16
static const char separator[] = "\n@@@@\n";

static const char *folder;
static FILE *devnull;

static const char *const part_names[MAX_PARTS + 1] = {
    "main.cfg", "inc1.cfg", "inc2.cfg", "inc3.cfg", "inc4.cfg", "inc5.cfg", "inc6.cfg",
    "inc7.cfg", "inc8.cfg", "inc9.cfg", "inc10.cfg", "inc11.cfg", "inc12.cfg", "inc13.cfg",
    "inc14.cfg", "inc15.cfg", NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    folder = fuzz_folder(part_names);
    if ((devnull = fopen("/dev/null", "w")) == NULL) {
        perror("/dev/null");
        exit(2);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[96];
    size_t seplen = sizeof separator - 1;
    size_t at = 0;              /* where part k starts; > size: no such part */
    for (int k = 0; k < MAX_PARTS; k++) {
        snprintf(path, sizeof path, "%s/%s", folder, part_names[k]);
        if (at > size) {
            unlink(path);       /* no such part in this input: no stale file */
            continue;
        }
        size_t next = at;
        while (k < MAX_PARTS - 1 && next + seplen <= size
               && memcmp(data + next, separator, seplen) != 0)
            next++;
        if (k == MAX_PARTS - 1 || next + seplen > size)
            next = size;        /* the last part takes the rest */
        fuzz_write_file(path, data + at, next - at);
        at = next + seplen;
    }
    snprintf(path, sizeof path, "%s/main.cfg", folder);
    mkba_error err;
    mkba_error_clear(&err);
    mkba_model *m = NULL;
    int rc = mkba_scenario_load(NULL, path, &m, &err);
    if (rc == MKBA_OK) {
        if (m == NULL)
            fuzz_fail("the load succeeded without a model");
        mkba_model_print(m, devnull);
        mkba_model_warnings(m, devnull);
        mkba_model_free(m);
    } else {
        if (m != NULL)
            fuzz_fail("a failed load left a model");
        if ((int)err.code != rc || err.message[0] == '\0')
            fuzz_fail("a failed load left no message (code %d)", rc);
        /* Every loader error names the file it is about. */
        if (strstr(err.message, ".cfg") == NULL)
            fuzz_fail("an error that names no file: %s", err.message);
    }
    return 0;
}
