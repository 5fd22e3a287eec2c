/* What every fuzz target in tests/fuzz/ defines, and the helpers they
 * share (support.c). The same target object links with libFuzzer
 * (`make fuzz`, clang) or with replay.c (`make check`, any compiler), which
 * runs it over saved inputs. */
#ifndef MKBA_FUZZ_TARGET_H
#define MKBA_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

/* Called once before any input: set up what every input shares. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
/* Runs one input; returns 0. A bug aborts (fuzz_fail) or trips a sanitizer. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints "fuzz: broken contract: MESSAGE" and aborts, which libFuzzer
 * reports as a crash and keeps the input. */
void fuzz_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;

/* Makes a private temporary folder (under $TMPDIR or /tmp) for the inputs
 * and returns its path; `files` (NULL-terminated, static) are the names the
 * target writes there, removed with the folder at exit. Exits on failure. */
const char *fuzz_folder(const char *const *files);

/* Writes data[0, n) to path; exits when it cannot (the harness's fault). */
void fuzz_write_file(const char *path, const uint8_t *data, size_t n);

/* Runs mkba_summary_write on path in format (0..3, as mkba_summary_format)
 * for perspective (NULL: all) to /dev/null and checks its contract: an
 * error has a message, and no HDF5 object is left open. */
void fuzz_summary(const char *path, int format, const char *perspective);

#endif
