/* Fuzz target: `mkba summary` on a file of arbitrary bytes (damaged,
 * truncated or foreign HDF5 files). Most of what it finds is inside
 * libhdf5's own file parser (Debian's 1.10 has known crashes on damaged
 * files), which is not ours to fix, so `make fuzz` leaves it out; run it by
 * hand (`make fuzz FUZZ_TARGETS=h5bytes`) and triage as docs/reliability.md
 * ("Fuzzing") says. The structure-aware fuzz_summary.c finds mkba's own
 * bugs. Seed it with result files: build/fuzz-seeds/. */
#include <stdlib.h>
#include <stdio.h>
#include <hdf5.h>
#include "fuzz_target.h"

static char file_path[128];
static const char *const folder_files[] = {"result.h5", NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    snprintf(file_path, sizeof file_path, "%s/result.h5", fuzz_folder(folder_files));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write_file(file_path, data, size);
    fuzz_summary(file_path, 0, NULL);
    return 0;
}
