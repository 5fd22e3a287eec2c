/* HDF5 helpers for the result file: error capture, closing, strings,
 * attributes. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "h5util.h"
#include "core/alloc.h"
#include "core/syserr.h"

void mkba_h5_quiet_begin(mkba_h5_quiet *q)
{
    q->func = NULL;
    q->data = NULL;
    H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void mkba_h5_quiet_end(const mkba_h5_quiet *q)
{
    H5Eset_auto2(H5E_DEFAULT, q->func, q->data);
}

/* Keeps the first (innermost, when walking upward) error description. */
static herr_t keep_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc != NULL)
        snprintf(data, 512, "%s", e->desc);
    return 0;
}

/* Keeps the errno of the first entry that carries one: HDF5's drivers
 * append ", errno = N, error message = '...'" to a failed system call. */
static herr_t keep_errno(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    int *found = data;
    const char *at = e->desc != NULL ? strstr(e->desc, "errno = ") : NULL;
    if (*found == 0 && at != NULL)
        *found = atoi(at + strlen("errno = "));
    return 0;
}

/* The system error behind the failure on HDF5's error stack, or 0. */
static int stack_errno(void)
{
    int e = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_errno, &e);
    return e > 0 ? e : 0;
}

mkba_status mkba_h5_error(mkba_error *err, mkba_status code, const char *fmt, ...)
{
    char what[MKBA_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);

    /* A system error is told in words; HDF5's own text of it holds buffer
     * addresses and times that mean nothing to a user. */
    char detail[512] = "";
    int e = stack_errno();
    if (e != 0)
        mkba_syserr_describe(detail, sizeof detail, e);
    else
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, detail);
    H5Eclear2(H5E_DEFAULT);
    if (e != 0)
        return mkba_error_set_sys(err, code, e, "%s: %s", what, detail);
    if (detail[0] != '\0')
        return mkba_error_set(err, code, "%s: %s", what, detail);
    return mkba_error_set(err, code, "%s", what);
}

mkba_status mkba_h5_write_error(mkba_error *err, const char *file, const char *fmt, ...)
{
    int e = stack_errno();
    if (e != 0) {
        char cause[512];
        mkba_syserr_describe(cause, sizeof cause, e);
        H5Eclear2(H5E_DEFAULT);
        return mkba_error_set_sys(err, MKBA_EIO, e, "cannot write %s: %s", file, cause);
    }
    char what[MKBA_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return mkba_h5_error(err, MKBA_EIO, "%s", what);
}

/* The sec2 driver's record of `file` (H5FDsec2.c: the public H5FD_t
 * first, the descriptor right after it), found from the descriptor's
 * address that H5Fget_vfd_handle gives; NULL when the file is open for
 * reading only or through another driver. */
static H5FD_t *sec2_record(hid_t file, int **fd)
{
    unsigned intent = 0;
    if (H5Fget_intent(file, &intent) < 0 || !(intent & H5F_ACC_RDWR))
        return NULL;
    hid_t fapl = H5Fget_access_plist(file);
    void *handle = NULL;
    int sec2 = fapl >= 0 && H5Pget_driver(fapl) == H5FD_SEC2
               && H5Fget_vfd_handle(file, fapl, &handle) >= 0 && handle != NULL;
    if (fapl >= 0)
        H5Pclose(fapl);
    if (!sec2)
        return NULL;
    H5FD_t *lf = (H5FD_t *)((char *)handle - sizeof(H5FD_t));
    if (lf->driver_id != H5FD_SEC2 || lf->cls == NULL || lf->cls->name == NULL
        || strcmp(lf->cls->name, "sec2") != 0)
        return NULL;
    *fd = handle;
    return lf;
}

/* Closes every object of `file` still open (datasets, groups, named types,
 * attributes), so that closing the file really closes it. Works in rounds
 * of a fixed size, so it needs no memory. */
static void close_objects(hid_t file)
{
    const unsigned types = H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR
                           | H5F_OBJ_LOCAL;
    hid_t id[64];
    ssize_t n;
    while ((n = H5Fget_obj_ids(file, types, sizeof id / sizeof id[0], id)) > 0) {
        int closed = 0;
        for (ssize_t i = 0; i < n; i++)
            closed += (H5Iget_type(id[i]) == H5I_ATTR ? H5Aclose(id[i]) : H5Oclose(id[i])) >= 0;
        if (closed == 0)
            return;
    }
}

/* An empty file that accepts any write and ftruncate and is gone once
 * closed: an unlinked POSIX shared memory object (memory, not the disk,
 * which may be the full one), else an unlinked temporary file. -1: none. */
static int scratch_file(void)
{
    static unsigned serial;
    char name[64];
    snprintf(name, sizeof name, "/mkba-close-%ld-%u", (long)getpid(), serial++);
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
        shm_unlink(name);
        return fd;
    }
    FILE *tmp = tmpfile();
    fd = tmp != NULL ? fcntl(fileno(tmp), F_DUPFD_CLOEXEC, 0) : -1;
    if (tmp != NULL)
        fclose(tmp);
    return fd;
}

/* Points descriptor *fd at descriptor `target` (retrying the dup2 that a
 * signal or a racing open interrupts) and closes target. Returns whether
 * it did; -1 as target: it did not. */
static int redirect(int *fd, int target)
{
    if (target < 0)
        return 0;
    int rc;
    do
        rc = dup2(target, *fd);
    while (rc < 0 && (errno == EINTR || errno == EBUSY));
    close(target);
    return rc >= 0;
}

/* Makes the rest of `file`'s life harmless once it will not be kept. Its
 * descriptor is pointed at /dev/null, so that HDF5's writes still pending
 * succeed without touching the disk (whatever the disk, quota or file size
 * limit), and every object of it is closed and flushed. HDF5 truncates the
 * file when it closes it unless the end of what it has written and the end
 * of the space it allocated agree, and /dev/null (EINVAL) refuses the
 * truncate, as does any regular file asked to grow past a file size limit
 * (EFBIG): sec2's recorded end is where the writes to /dev/null left it,
 * past what reached the disk. A failed close leaves the file registered.
 * So the allocated end is moved one byte past both ends and that byte
 * written (to /dev/null): the two ends agree, and the close, which gives
 * back only the free space and reserved blocks that end exactly at the
 * allocated end (H5MF_close), finds none there, so it neither moves the
 * end nor truncates, under any limit, soft or hard. The descriptor is then
 * pointed at an empty scratch file for the close's last writes (a few
 * bytes of metadata); without one (no /dev/shm, no room for a temporary
 * file) the file itself, through a second descriptor, takes them. The
 * flush here also truncates, on /dev/null (EINVAL, ignored). The sec2
 * record is HDF5's since 1.8 and checked (driver id and name) before it
 * is used. */
static void abandon(hid_t file)
{
    int *fd = NULL;
    H5FD_t *lf = sec2_record(file, &fd);
    int closer = lf != NULL ? scratch_file() : -1;
    if (lf != NULL && closer < 0)
        closer = fcntl(*fd, F_DUPFD_CLOEXEC, 0);
    if (closer < 0 || !redirect(fd, open("/dev/null", O_RDWR | O_CLOEXEC))) {
        if (closer >= 0)
            close(closer);
        close_objects(file);
        return;
    }
    close_objects(file);
    H5Fflush(file, H5F_SCOPE_LOCAL);
    haddr_t eoa = H5FDget_eoa(lf, H5FD_MEM_DEFAULT);
    haddr_t eof = H5FDget_eof(lf, H5FD_MEM_DEFAULT);
    const unsigned char zero = 0;
    if (eoa != HADDR_UNDEF && eof != HADDR_UNDEF) {
        haddr_t end = (eoa > eof ? eoa : eof) + 1;
        if (H5FDset_eoa(lf, H5FD_MEM_DEFAULT, end) >= 0)
            H5FDwrite(lf, H5FD_MEM_DEFAULT, H5P_DEFAULT, end - 1, 1, &zero);
    }
    redirect(fd, closer);
}

int mkba_h5_close_file(hid_t file, int discard)
{
    int ok = discard || H5Fflush(file, H5F_SCOPE_LOCAL) >= 0;
    hid_t kept = mkba_h5_error_keep(!ok);
    /* HDF5 before 1.14.1 frees a file's state when its close fails but
     * keeps the file registered, and crashes at exit closing it again
     * (H5F__close_cb from H5_term_library). A file that cannot be written
     * is removed anyway, so it is abandoned (what is left to write goes
     * to /dev/null) and the close succeeds. */
    if (discard || !ok)
        abandon(file);
    else
        close_objects(file);
    if (H5Fclose(file) < 0 && ok) {
        ok = 0;
        kept = mkba_h5_error_keep(1);
    }
    mkba_h5_error_restore(kept);
    return ok ? 0 : -1;
}

hid_t mkba_h5_error_keep(int failed)
{
    return failed ? H5Eget_current_stack() : -1;
}

void mkba_h5_error_restore(hid_t kept)
{
    if (kept >= 0)
        H5Eset_current_stack(kept);
}

hid_t mkba_h5_string_type(size_t len)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, len + 1) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0
        || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Writes a scalar attribute of file type `ftype` from `value` in memory
 * type `mtype`. */
static int attr_scalar(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                       const void *value)
{
    hid_t space = H5Screate(H5S_SCALAR);
    if (space < 0)
        return -1;
    hid_t a = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    int rc = (a >= 0 && H5Awrite(a, mtype, value) >= 0) ? 0 : -1;
    hid_t kept = mkba_h5_error_keep(rc < 0);
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    mkba_h5_error_restore(kept);
    return rc;
}

int mkba_h5_attr_string(hid_t obj, const char *name, const char *value)
{
    if (value == NULL)
        value = "";
    hid_t t = mkba_h5_string_type(strlen(value));
    if (t < 0)
        return -1;
    int rc = attr_scalar(obj, name, t, t, value);
    hid_t kept = mkba_h5_error_keep(rc < 0);
    H5Tclose(t);
    mkba_h5_error_restore(kept);
    return rc;
}

int mkba_h5_attr_double(hid_t obj, const char *name, double value)
{
    return attr_scalar(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

int mkba_h5_attr_int(hid_t obj, const char *name, int value)
{
    return attr_scalar(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT, &value);
}

int mkba_h5_attr_int64(hid_t obj, const char *name, int64_t value)
{
    return attr_scalar(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

int mkba_h5_attr_uint64(hid_t obj, const char *name, uint64_t value)
{
    return attr_scalar(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

/* Opens attribute `name` of obj and checks it holds one element. */
static hid_t open_scalar_attr(hid_t obj, const char *name)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return -1;
    hid_t space = H5Aget_space(a);
    hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    if (space >= 0)
        H5Sclose(space);
    if (n != 1) {
        H5Aclose(a);
        return -1;
    }
    return a;
}

/* The size in bytes of the file holding `obj`; no bound (the largest
 * size) if HDF5 cannot tell. An attribute's value is stored whole in its
 * object's header, so a string attribute declared longer than the file is
 * damage, not a reason to try to allocate that much. */
static hsize_t file_size(hid_t obj)
{
    hsize_t size = 0;
    hid_t f = H5Iget_file_id(obj);
    if (f < 0 || H5Fget_filesize(f, &size) < 0)
        size = (hsize_t)-1;
    if (f >= 0)
        H5Fclose(f);
    return size;
}

int mkba_h5_attr_read_string(hid_t obj, const char *name, char **out)
{
    *out = NULL;
    hid_t a = open_scalar_attr(obj, name);
    if (a < 0)
        return -1;
    int rc = -1;
    hid_t ft = H5Aget_type(a);
    if (ft >= 0 && H5Tget_class(ft) == H5T_STRING && !H5Tis_variable_str(ft)
        && H5Tget_size(ft) <= file_size(obj)) {
        size_t size = H5Tget_size(ft);
        hid_t mt = mkba_h5_string_type(size);
        char *s = mkba_calloc(size + 1, 1);
        if (s == NULL)
            rc = MKBA_H5_NOMEM;
        else if (mt >= 0 && H5Aread(a, mt, s) >= 0)
            rc = 0;
        if (rc == 0)
            *out = s;
        else
            mkba_free(s);
        if (mt >= 0)
            H5Tclose(mt);
    }
    if (ft >= 0)
        H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

/* Reads scalar attribute `name` of obj into value, as memory type mtype. */
static int read_scalar(hid_t obj, const char *name, hid_t mtype, void *value)
{
    hid_t a = open_scalar_attr(obj, name);
    if (a < 0)
        return -1;
    int rc = H5Aread(a, mtype, value) >= 0 ? 0 : -1;
    H5Aclose(a);
    return rc;
}

int mkba_h5_attr_read_double(hid_t obj, const char *name, double *value)
{
    return read_scalar(obj, name, H5T_NATIVE_DOUBLE, value);
}

int mkba_h5_attr_read_int(hid_t obj, const char *name, int *value)
{
    return read_scalar(obj, name, H5T_NATIVE_INT, value);
}

int mkba_h5_attr_read_int64(hid_t obj, const char *name, int64_t *value)
{
    return read_scalar(obj, name, H5T_NATIVE_INT64, value);
}

int mkba_h5_write_strings(hid_t loc, const char *name, const char *const *s,
                          size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != NULL && strlen(s[i]) > len)
            len = strlen(s[i]);
    /* One contiguous block of n fixed-width, zero-padded records. */
    char *buf = mkba_calloc(n > 0 ? n : 1, len + 1);
    if (buf == NULL)
        return MKBA_H5_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (s[i] != NULL)
            memcpy(buf + i * (len + 1), s[i], strlen(s[i]));

    int rc = -1;
    hsize_t dims[1] = { n };
    hid_t t = mkba_h5_string_type(len);
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t ds = -1;
    if (t >= 0 && space >= 0)
        ds = H5Dcreate2(loc, name, t, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds >= 0 && (n == 0 || H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0))
        rc = 0;
    hid_t kept = mkba_h5_error_keep(rc < 0);
    if (ds >= 0 && H5Dclose(ds) < 0 && rc == 0) {
        rc = -1; /* the data itself: see write_array */
        kept = mkba_h5_error_keep(1);
    }
    if (space >= 0)
        H5Sclose(space);
    if (t >= 0)
        H5Tclose(t);
    mkba_h5_error_restore(kept);
    mkba_free(buf);
    return rc;
}

void mkba_h5_strings_free(char **s, size_t n)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        mkba_free(s[i]);
    mkba_free(s);
}

/* Deflate, the only compression HDF5 has built in, shrinks data at most
 * 1032-fold. */
#define DEFLATE_MAX_RATIO 1032

/* Whether a dataset holding `count` strings of `width` bytes could have come
 * from its stored bytes. The count and width are read from the file, so a
 * damaged or foreign file can declare 2^44 labels in a few bytes; refusing it
 * here reports the file as damaged instead of running out of memory on it.
 * mkba writes labels contiguous and unfiltered, where the stored size is
 * exact; a filtered copy (h5repack) may be smaller by deflate's ratio. */
static int declared_size_fits(hid_t ds, size_t count, size_t width)
{
    if (width == 0 || count > SIZE_MAX / (width + 1))
        return 0;
    hsize_t need = (hsize_t)count * width;
    hsize_t stored = H5Dget_storage_size(ds);
    hid_t dcpl = H5Dget_create_plist(ds);
    int filtered = dcpl >= 0 && H5Pget_nfilters(dcpl) > 0;
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (need == 0)
        return 1;
    return filtered ? need / DEFLATE_MAX_RATIO <= stored : need <= stored;
}

int mkba_h5_read_strings(hid_t loc, const char *name, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0)
        return -1;
    int rc = -1;
    char *buf = NULL;
    char **s = NULL;
    hsize_t dims[1] = { 0 };
    size_t count = 0;
    hid_t ft = H5Dget_type(ds);
    hid_t space = H5Dget_space(ds);
    hid_t mt = -1;
    if (ft < 0 || space < 0 || H5Tget_class(ft) != H5T_STRING
        || H5Tis_variable_str(ft) || H5Sget_simple_extent_ndims(space) != 1)
        goto done;
    H5Sget_simple_extent_dims(space, dims, NULL);
    count = (size_t)dims[0];
    size_t width = H5Tget_size(ft);
    if (!declared_size_fits(ds, count, width))
        goto done;
    /* Reading into records one byte wider guarantees a terminator even if
     * a writer filled a record completely. */
    mt = mkba_h5_string_type(width);
    buf = mkba_calloc(count > 0 ? count : 1, width + 1);
    s = mkba_calloc(count > 0 ? count : 1, sizeof *s);
    if (buf == NULL || s == NULL) {
        rc = MKBA_H5_NOMEM;
        goto done;
    }
    if (mt < 0 || (count > 0 && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0))
        goto done;
    for (size_t i = 0; i < count; i++) {
        const char *src = buf + i * (width + 1);
        size_t len = strnlen(src, width);
        s[i] = mkba_malloc(len + 1);
        if (s[i] == NULL) {
            rc = MKBA_H5_NOMEM;
            goto done;
        }
        memcpy(s[i], src, len);
        s[i][len] = '\0';
    }
    *out = s;
    *n = count;
    s = NULL;
    rc = 0;
done:
    mkba_h5_strings_free(s, count);
    mkba_free(buf);
    if (mt >= 0)
        H5Tclose(mt);
    if (space >= 0)
        H5Sclose(space);
    if (ft >= 0)
        H5Tclose(ft);
    H5Dclose(ds);
    return rc;
}

/* Writes the three describing attributes of a dataset (NULL: skipped). */
static int describe(hid_t ds, const char *axes, const char *units, const char *description)
{
    if (axes != NULL && mkba_h5_attr_string(ds, "axes", axes) < 0)
        return -1;
    if (units != NULL && mkba_h5_attr_string(ds, "units", units) < 0)
        return -1;
    if (description != NULL && mkba_h5_attr_string(ds, "description", description) < 0)
        return -1;
    return 0;
}

static int write_array(hid_t loc, const char *name, int rank, const size_t *dims,
                       hid_t ftype, hid_t mtype, const void *v, const char *axes,
                       const char *units, const char *description)
{
    if (rank < 1 || rank > 4)
        return -1;
    hsize_t d[4];
    size_t n = 1;
    for (int i = 0; i < rank; i++) {
        d[i] = dims[i];
        n *= dims[i];
    }
    hid_t space = H5Screate_simple(rank, d, NULL);
    hid_t ds = space >= 0 ? H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT,
                                       H5P_DEFAULT) : -1;
    int rc = (ds >= 0 && (n == 0 || H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0)
              && describe(ds, axes, units, description) == 0) ? 0 : -1;
    hid_t kept = mkba_h5_error_keep(rc < 0);
    /* HDF5 keeps a small dataset's data (under its 64 KiB sieve buffer) at
     * H5Dwrite and writes it to the file when the dataset is closed, so a
     * full disk or a size limit meets the close: unchecked, the data was
     * lost without a word until a later write failed. */
    if (ds >= 0 && H5Dclose(ds) < 0 && rc == 0) {
        rc = -1;
        kept = mkba_h5_error_keep(1);
    }
    if (space >= 0)
        H5Sclose(space);
    mkba_h5_error_restore(kept);
    return rc;
}

int mkba_h5_write_ints(hid_t loc, const char *name, int rank, const size_t *dims,
                       const int *v, const char *axes, const char *units,
                       const char *description)
{
    return write_array(loc, name, rank, dims, H5T_STD_I32LE, H5T_NATIVE_INT, v, axes,
                       units, description);
}

int mkba_h5_write_doubles(hid_t loc, const char *name, int rank, const size_t *dims,
                          const double *v, const char *axes, const char *units,
                          const char *description)
{
    return write_array(loc, name, rank, dims, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v, axes,
                       units, description);
}

int mkba_h5_read_exact(hid_t loc, const char *name, int rank, const size_t *dims,
                       hid_t mtype, void *v)
{
    if (rank < 1 || rank > 4 || H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0)
        return -1;
    hid_t space = H5Dget_space(ds);
    hsize_t have[4] = { 0 };
    int ok = space >= 0 && H5Sget_simple_extent_ndims(space) == rank
             && H5Sget_simple_extent_dims(space, have, NULL) >= 0;
    size_t n = 1;
    for (int i = 0; ok && i < rank; i++) {
        ok = have[i] == dims[i];
        n *= dims[i];
    }
    ok = ok && (n == 0 || H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(ds);
    return ok ? 0 : -1;
}
