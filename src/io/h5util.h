/* Small HDF5 helpers shared by the result writer (h5write.c) and reader
 * (h5read.c): quiet error handling, strings and scalar attributes.
 * Internal to src/io. Functions returning int give 0 on success, -1 on an
 * HDF5 failure (a damaged file, a failed write) and MKBA_H5_NOMEM when an
 * allocation of their own failed; the caller turns -1 into an mkba_error
 * naming the object and file, with mkba_h5_error, and MKBA_H5_NOMEM into
 * MKBA_ENOMEM, so that a user short of memory is not told the file is
 * damaged. */
#ifndef MKBA_IO_H5UTIL_H
#define MKBA_IO_H5UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <hdf5.h>
#include "mkba/error.h"

/* The outcome of a helper whose own allocation failed (besides 0 and -1). */
#define MKBA_H5_NOMEM (-2)

/* Returns rc and sets *nomem when rc is MKBA_H5_NOMEM: a chain of reads
 * or writes (`if (mkba_h5_track(read(...), &nomem) < 0) failed = ...`)
 * can then tell at its end an allocation failure from a bad file. */
static inline int mkba_h5_track(int rc, int *nomem)
{
    if (rc == MKBA_H5_NOMEM)
        *nomem = 1;
    return rc;
}

/* HDF5's automatic error printer, saved while an mkba call runs with it
 * turned off (HDF5 failures become mkba_error messages instead of stack
 * dumps on stderr). */
typedef struct mkba_h5_quiet {
    H5E_auto2_t func;
    void *data;
} mkba_h5_quiet;

void mkba_h5_quiet_begin(mkba_h5_quiet *q);
void mkba_h5_quiet_end(const mkba_h5_quiet *q);

/* Like mkba_error_set, then appends ": " and the innermost message on
 * HDF5's error stack (when there is one) and clears that stack. */
mkba_status mkba_h5_error(mkba_error *err, mkba_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* For a failed write to `file` (the name the user gave): when the system
 * refused the write (disk full, quota, file size limit: an errno on HDF5's
 * stack), the message is "cannot write FILE: CAUSE (SYSTEM TEXT)", as which
 * dataset was being written does not matter then; otherwise it is
 * mkba_h5_error(err, MKBA_EIO, fmt, ...). Returns MKBA_EIO. */
mkba_status mkba_h5_write_error(mkba_error *err, const char *file, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Closes `file` and every object of it still open. Unless `discard`, it
 * first flushes everything to the file and returns 0 when that succeeded,
 * or -1 with the reason on HDF5's error stack (for mkba_h5_error). When the
 * flush fails or `discard` is set (the file will be removed), the writes
 * still pending go to /dev/null and HDF5 is kept from truncating the file
 * at its close, so the close itself succeeds and the file is no longer
 * registered in HDF5 (HDF5 1.10 crashes at exit closing a file whose close
 * failed); no exit-time setting of HDF5 is needed for that. It relies on
 * the sec2 driver (HDF5's default, which mkba uses); a file open through
 * another driver is closed as it is. */
int mkba_h5_close_file(hid_t file, int discard);

/* HDF5 clears its error stack at the start of every call, so the cleanup
 * after a failure (closing dataspaces, ...) would erase the reason for it.
 * mkba_h5_error_keep(failed) takes the stack aside when `failed` is set
 * (returns -1 otherwise); mkba_h5_error_restore puts it back after the
 * cleanup, for mkba_h5_error to read. */
hid_t mkba_h5_error_keep(int failed);
void mkba_h5_error_restore(hid_t kept);

/* A fixed-length, null-terminated UTF-8 string type holding `len`
 * characters (len + 1 bytes), or a negative id on failure. */
hid_t mkba_h5_string_type(size_t len);

/* Scalar attributes on `obj`. A NULL string is written as "". */
int mkba_h5_attr_string(hid_t obj, const char *name, const char *value);
int mkba_h5_attr_double(hid_t obj, const char *name, double value);
int mkba_h5_attr_int(hid_t obj, const char *name, int value);
int mkba_h5_attr_int64(hid_t obj, const char *name, int64_t value);
int mkba_h5_attr_uint64(hid_t obj, const char *name, uint64_t value);

/* Reads scalar attributes (with type conversion). The string is returned
 * in *out newly allocated (NULL on failure, which is -1 or MKBA_H5_NOMEM). */
int mkba_h5_attr_read_string(hid_t obj, const char *name, char **out);
int mkba_h5_attr_read_double(hid_t obj, const char *name, double *value);
int mkba_h5_attr_read_int(hid_t obj, const char *name, int *value);
int mkba_h5_attr_read_int64(hid_t obj, const char *name, int64_t *value);

/* Writes a one-dimensional dataset of n strings (NULL entries as ""), as
 * fixed-length strings sized to the longest. MKBA_H5_NOMEM: no buffer. */
int mkba_h5_write_strings(hid_t loc, const char *name, const char *const *s,
                          size_t n);

/* Writes a dataset of shape dims[0..rank) (rank 1..4; entries may be 0)
 * from v, as int32 or float64, with attributes axes, units and
 * description unless they are NULL. */
int mkba_h5_write_ints(hid_t loc, const char *name, int rank, const size_t *dims,
                       const int *v, const char *axes, const char *units,
                       const char *description);
int mkba_h5_write_doubles(hid_t loc, const char *name, int rank, const size_t *dims,
                          const double *v, const char *axes, const char *units,
                          const char *description);

/* Reads a dataset that must have exactly shape dims[0..rank) into v
 * (converted to the memory type mtype). Returns 0, or -1 when it is
 * missing, shaped otherwise or unreadable. */
int mkba_h5_read_exact(hid_t loc, const char *name, int rank, const size_t *dims,
                       hid_t mtype, void *v);

/* Reads a one-dimensional string dataset written by mkba_h5_write_strings:
 * *out gets n newly allocated strings (free with mkba_h5_strings_free).
 * Returns 0, -1 when it is missing or not such a dataset, or MKBA_H5_NOMEM. */
int mkba_h5_read_strings(hid_t loc, const char *name, char ***out, size_t *n);
void mkba_h5_strings_free(char **s, size_t n);

/* Whether object `path` (absolute) exists; 0 also when a parent is
 * missing. */
int mkba_h5_exists(hid_t loc, const char *path);

/* Writes the axes, units and description attributes of schema dataset s
 * (units MKBA_UNITS_MONEY as `money` unless it is NULL) that ds lacks;
 * attributes a writer gave already stay. Returns 0, or -1 on an HDF5
 * failure. */
struct mkba_dataset_spec;
int mkba_h5_describe_dataset(hid_t ds, const struct mkba_dataset_spec *s, const char *money);

/* Applies the schema (results/datasets.def, h5schema.c) to every dataset
 * it lists whose path starts with `prefix` and that the file holds:
 * writes the axes, units and description attributes a dataset lacks
 * (units MKBA_UNITS_MONEY as `money` unless it is NULL), makes the scale
 * dataset of each named axis an HDF5 dimension scale and attaches it,
 * labelled with the axis name, wherever its length fits. Returns 0, or -1
 * on an HDF5 failure (the error stack says why). */
int mkba_h5_describe(hid_t file, const char *prefix, const char *money);

/* The decision-output settings and labels (h5settings.c): written by the
 * writer into an open file (root attributes and /labels entries), read
 * back into the totals. Both return an mkba_status naming `path`. */
struct mkba_model;
struct mkba_h5_totals;
int mkba_h5_write_settings(hid_t file, const char *path, const struct mkba_model *m,
                           mkba_error *err);
int mkba_h5_read_settings(hid_t file, const char *path, struct mkba_h5_totals *t,
                          mkba_error *err);

#endif
