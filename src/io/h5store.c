/* Named arrays in a result file: how outputs derived from the stored draws
 * (the /analysis group) are added to a file and read back. Schema in
 * docs/output.md; this stays the only code besides h5write.c and h5read.c
 * that touches HDF5. */
#include <stdlib.h>
#include <string.h>
#include "core/strutil.h"
#include "core/alloc.h"
#include "results/schema.h"
#include "h5util.h"
#include "h5out.h"

struct mkba_h5_store {
    char *path;
    hid_t file;
    int writable;
    char money[160];           /* the file's money units, when writable */
    mkba_h5_quiet quiet;       /* HDF5's printer, off while the store is open */
};

/* Fills s->money from the file's root attributes currency and price_year
 * (every result file has them), for the schema's MKBA_UNITS_MONEY. */
static int read_money(mkba_h5_store *s, mkba_error *err)
{
    char *currency = NULL;
    int got = mkba_h5_attr_read_string(s->file, "currency", &currency);
    int year = 0, rc = MKBA_OK;
    if (got == MKBA_H5_NOMEM)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory opening %s", s->path);
    else if (got < 0 || mkba_h5_attr_read_int(s->file, "price_year", &year) < 0)
        rc = mkba_error_set(err, MKBA_EPARSE, "%s has no currency or price_year attribute",
                            s->path);
    else
        mkba_schema_money_units(s->money, sizeof s->money, currency, year);
    mkba_free(currency);
    return rc;
}

/* The file a store's messages name: the path, or for a store written to
 * the result file the user asked for. mkba adds to a result file while it
 * is still PATH.tmp (h5write.c, study/copy.c) and only the rename makes
 * it PATH, which is the name the user knows. */
static char *shown_name(const char *path, int writable)
{
    char *name = mkba_strdup(path);
    size_t n = name != NULL ? strlen(name) : 0;
    if (writable && n > 4 && strcmp(name + n - 4, ".tmp") == 0)
        name[n - 4] = '\0';
    return name;
}

mkba_h5_store *mkba_h5_store_open(const char *path, int writable, mkba_error *err)
{
    if (path == NULL) {
        mkba_error_set(err, MKBA_EINVAL, "mkba_h5_store_open: missing path");
        return NULL;
    }
    mkba_h5_store *s = mkba_calloc(1, sizeof *s);
    if (s == NULL || (s->path = shown_name(path, writable)) == NULL) {
        mkba_free(s);
        mkba_error_set(err, MKBA_ENOMEM, "out of memory opening %s", path);
        return NULL;
    }
    mkba_h5_quiet_begin(&s->quiet);
    s->writable = writable;
    s->file = H5Fopen(path, writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
    if (s->file < 0) {
        mkba_h5_error(err, MKBA_EIO, "cannot open %s", path);
        mkba_h5_quiet_end(&s->quiet);
        mkba_free(s->path);
        mkba_free(s);
        return NULL;
    }
    if (writable && read_money(s, err) != MKBA_OK) {
        s->writable = 0;
        mkba_h5_store_close(s, NULL);
        return NULL;
    }
    return s;
}

int mkba_h5_store_close(mkba_h5_store *s, mkba_error *err)
{
    if (s == NULL)
        return MKBA_OK;
    int rc = MKBA_OK;
    /* The /analysis, /design, /sa and /expost datasets get their dimension
     * scales once all exist (a scale such as /analysis/cashflow/year may be
     * written last). */
    if (s->writable && (mkba_h5_describe(s->file, "/analysis", s->money) < 0
                        || mkba_h5_describe(s->file, "/design", s->money) < 0
                        || mkba_h5_describe(s->file, "/sa", s->money) < 0
                        || mkba_h5_describe(s->file, "/expost", s->money) < 0))
        rc = mkba_h5_write_error(err, s->path, "cannot attach the dimension scales in %s",
                                 s->path);
    /* A read-only store has nothing to flush; a writable one reports
     * whether its additions reached the disk. */
    if (mkba_h5_close_file(s->file, !s->writable) < 0 && rc == MKBA_OK)
        rc = mkba_h5_write_error(err, s->path, "cannot finish writing %s", s->path);
    mkba_h5_quiet_end(&s->quiet);
    mkba_free(s->path);
    mkba_free(s);
    return rc;
}

int mkba_h5_store_has(mkba_h5_store *s, const char *name)
{
    return s != NULL && name != NULL && mkba_h5_exists(s->file, name);
}

int mkba_h5_store_group(mkba_h5_store *s, const char *name, const char *description,
                        mkba_error *err)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    hid_t g = -1;
    if (lcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) >= 0)
        g = H5Gcreate2(s->file, name, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    int ok = g >= 0 && (description == NULL
                        || mkba_h5_attr_string(g, "description", description) == 0);
    hid_t kept = mkba_h5_error_keep(!ok);
    if (g >= 0)
        H5Gclose(g);
    if (lcpl >= 0)
        H5Pclose(lcpl);
    mkba_h5_error_restore(kept);
    if (!ok)
        return mkba_h5_write_error(err, s->path, "cannot create group %s in %s", name, s->path);
    return MKBA_OK;
}

/* The schema's entry for dataset `name`, which it must list with `rank`
 * axes and type `dtype`; NULL (MKBA_EINTERNAL) when it does not. */
static const mkba_dataset_spec *listed(const mkba_h5_store *s, const char *name, int rank,
                                       mkba_dtype dtype, mkba_error *err)
{
    const mkba_dataset_spec *sp = mkba_schema_find(name);
    mkba_axis ax[MKBA_SCHEMA_MAXRANK];
    if (sp == NULL || sp->dtype != dtype || mkba_schema_axes(sp->axes, ax) != rank) {
        mkba_error_set(err, MKBA_EINTERNAL, "%s: %s is not in the schema with rank %d and "
                       "this type", s->path, name, rank);
        return NULL;
    }
    return sp;
}

int mkba_h5_store_doubles(mkba_h5_store *s, const char *name, int rank,
                          const size_t *dims, const double *v, mkba_error *err)
{
    const mkba_dataset_spec *sp = listed(s, name, rank, MKBA_DTYPE_FLOAT64, err);
    if (sp == NULL)
        return MKBA_EINTERNAL;
    if (mkba_h5_write_doubles(s->file, name, rank, dims, v, sp->axes,
                              mkba_schema_units(sp, s->money), sp->description) < 0)
        return mkba_h5_write_error(err, s->path, "cannot write %s in %s", name, s->path);
    return MKBA_OK;
}

int mkba_h5_store_ints(mkba_h5_store *s, const char *name, int rank,
                       const size_t *dims, const int *v, mkba_error *err)
{
    const mkba_dataset_spec *sp = listed(s, name, rank, MKBA_DTYPE_INT32, err);
    if (sp == NULL)
        return MKBA_EINTERNAL;
    if (mkba_h5_write_ints(s->file, name, rank, dims, v, sp->axes,
                           mkba_schema_units(sp, s->money), sp->description) < 0)
        return mkba_h5_write_error(err, s->path, "cannot write %s in %s", name, s->path);
    return MKBA_OK;
}

/* Opens dataset sp, creating it (shape dims, file type ftype, with its
 * attributes) when it does not exist yet. */
static hid_t open_or_create(mkba_h5_store *s, const mkba_dataset_spec *sp, int rank,
                            const size_t *dims, hid_t ftype)
{
    if (mkba_h5_store_has(s, sp->path))
        return H5Dopen2(s->file, sp->path, H5P_DEFAULT);
    hsize_t d[4];
    for (int i = 0; i < rank; i++)
        d[i] = dims[i];
    hid_t space = H5Screate_simple(rank, d, NULL);
    hid_t ds = space >= 0 ? H5Dcreate2(s->file, sp->path, ftype, space, H5P_DEFAULT,
                                       H5P_DEFAULT, H5P_DEFAULT) : -1;
    int ok = ds >= 0 && mkba_h5_describe_dataset(ds, sp, s->money) == 0;
    hid_t kept = mkba_h5_error_keep(!ok);
    if (space >= 0)
        H5Sclose(space);
    if (!ok && ds >= 0) {
        H5Dclose(ds);
        ds = -1;
    }
    mkba_h5_error_restore(kept);
    return ds;
}

static int store_slab(mkba_h5_store *s, const char *name, int rank, const size_t *dims,
                      size_t index, mkba_dtype dtype, hid_t ftype, hid_t mtype,
                      const void *v, mkba_error *err)
{
    if (rank < 1 || rank > 4 || index >= dims[0])
        return mkba_error_set(err, MKBA_EINTERNAL, "%s: slab %zu of %s is out of range",
                              s->path, index, name);
    const mkba_dataset_spec *sp = listed(s, name, rank, dtype, err);
    if (sp == NULL)
        return MKBA_EINTERNAL;
    hid_t ds = open_or_create(s, sp, rank, dims, ftype);
    if (ds < 0)
        return mkba_h5_write_error(err, s->path, "cannot create %s in %s", name, s->path);
    hsize_t start[4] = { index }, count[4] = { 1 }, n = 1;
    for (int i = 1; i < rank; i++) {
        count[i] = dims[i];
        n *= dims[i];
    }
    int ok = 1;
    if (n > 0) {
        hid_t fspace = H5Dget_space(ds);
        hid_t mspace = H5Screate_simple(1, &n, NULL);
        ok = fspace >= 0 && mspace >= 0
             && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0
             && H5Dwrite(ds, mtype, mspace, fspace, H5P_DEFAULT, v) >= 0;
        hid_t kept = mkba_h5_error_keep(!ok);
        if (mspace >= 0)
            H5Sclose(mspace);
        if (fspace >= 0)
            H5Sclose(fspace);
        mkba_h5_error_restore(kept);
    }
    hid_t kept = mkba_h5_error_keep(!ok);
    /* HDF5 may write a small slab's data only at the close (its sieve
     * buffer), so the close is where a full disk shows. */
    if (H5Dclose(ds) < 0 && ok) {
        ok = 0;
        kept = mkba_h5_error_keep(1);
    }
    mkba_h5_error_restore(kept);
    if (!ok)
        return mkba_h5_write_error(err, s->path, "cannot write part %zu of %s in %s", index, name,
                             s->path);
    return MKBA_OK;
}

int mkba_h5_store_doubles_slab(mkba_h5_store *s, const char *name, int rank,
                               const size_t *dims, size_t i, const double *v,
                               mkba_error *err)
{
    return store_slab(s, name, rank, dims, i, MKBA_DTYPE_FLOAT64, H5T_IEEE_F64LE,
                      H5T_NATIVE_DOUBLE, v, err);
}

int mkba_h5_store_ints_slab(mkba_h5_store *s, const char *name, int rank,
                            const size_t *dims, size_t i, const int *v, mkba_error *err)
{
    return store_slab(s, name, rank, dims, i, MKBA_DTYPE_INT32, H5T_STD_I32LE, H5T_NATIVE_INT,
                      v, err);
}

int mkba_h5_store_strings(mkba_h5_store *s, const char *name, const char *const *v,
                          size_t n, mkba_error *err)
{
    const mkba_dataset_spec *sp = listed(s, name, 1, MKBA_DTYPE_STRING, err);
    if (sp == NULL)
        return MKBA_EINTERNAL;
    int put = mkba_h5_write_strings(s->file, name, v, n);
    if (put == MKBA_H5_NOMEM)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory writing %s to %s", name, s->path);
    int ok = put == 0;
    if (ok) {
        hid_t ds = H5Dopen2(s->file, name, H5P_DEFAULT);
        ok = ds >= 0 && mkba_h5_describe_dataset(ds, sp, s->money) == 0;
        hid_t kept = mkba_h5_error_keep(!ok);
        if (ds >= 0)
            H5Dclose(ds);
        mkba_h5_error_restore(kept);
    }
    if (!ok)
        return mkba_h5_write_error(err, s->path, "cannot write %s in %s", name, s->path);
    return MKBA_OK;
}

int mkba_h5_store_attr(mkba_h5_store *s, const char *object, const char *name,
                       const char *value, mkba_error *err)
{
    hid_t obj = H5Oopen(s->file, object, H5P_DEFAULT);
    int ok = obj >= 0;
    if (ok && H5Aexists(obj, name) > 0)
        ok = H5Adelete(obj, name) >= 0;
    ok = ok && mkba_h5_attr_string(obj, name, value) == 0;
    hid_t kept = mkba_h5_error_keep(!ok);
    if (obj >= 0)
        H5Oclose(obj);
    mkba_h5_error_restore(kept);
    if (!ok)
        return mkba_h5_write_error(err, s->path, "cannot write attribute %s of %s in %s", name,
                             object, s->path);
    return MKBA_OK;
}

int mkba_h5_store_read_doubles(mkba_h5_store *s, const char *name, int rank,
                               const size_t *dims, double *v, mkba_error *err)
{
    if (!mkba_h5_store_has(s, name)
        || mkba_h5_read_exact(s->file, name, rank, dims, H5T_NATIVE_DOUBLE, v) < 0)
        return mkba_h5_error(err, MKBA_EPARSE, "%s: %s is missing or has the wrong shape",
                             s->path, name);
    return MKBA_OK;
}

int mkba_h5_store_read_ints(mkba_h5_store *s, const char *name, int rank,
                            const size_t *dims, int *v, mkba_error *err)
{
    if (!mkba_h5_store_has(s, name)
        || mkba_h5_read_exact(s->file, name, rank, dims, H5T_NATIVE_INT, v) < 0)
        return mkba_h5_error(err, MKBA_EPARSE, "%s: %s is missing or has the wrong shape",
                             s->path, name);
    return MKBA_OK;
}

int mkba_h5_store_read_strings(mkba_h5_store *s, const char *name, char ***out, size_t *n,
                               mkba_error *err)
{
    *out = NULL;
    *n = 0;
    int got = mkba_h5_store_has(s, name) ? mkba_h5_read_strings(s->file, name, out, n) : -1;
    if (got == MKBA_H5_NOMEM)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory reading %s from %s", name,
                              s->path);
    if (got < 0)
        return mkba_h5_error(err, MKBA_EPARSE, "%s: %s is missing or not a list of strings",
                             s->path, name);
    return MKBA_OK;
}

int mkba_h5_store_read_attr(mkba_h5_store *s, const char *object, const char *name,
                            char **out, mkba_error *err)
{
    *out = NULL;
    if (!mkba_h5_store_has(s, object) && strcmp(object, "/") != 0)
        return MKBA_OK;
    hid_t o = H5Oopen(s->file, object, H5P_DEFAULT);
    if (o < 0)
        return mkba_h5_error(err, MKBA_EPARSE, "%s: cannot open %s", s->path, object);
    int got = H5Aexists(o, name) > 0 ? mkba_h5_attr_read_string(o, name, out) : 0;
    H5Oclose(o);
    if (got == MKBA_H5_NOMEM)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory reading attribute %s of %s from "
                              "%s", name, object, s->path);
    if (got < 0)
        return mkba_error_set(err, MKBA_EPARSE, "%s: cannot read attribute %s of %s (not a "
                              "string)", s->path, name, object);
    return MKBA_OK;
}

/* Why attribute a cannot be read as a whole number >= 0 into *out, or NULL
 * when it was read: one value of an integer type, and not negative. */
static const char *read_whole_number(hid_t a, uint64_t *out)
{
    hid_t space = H5Aget_space(a), type = H5Aget_type(a);
    hssize_t points = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    int is_signed = type >= 0 && H5Tget_sign(type) == H5T_SGN_2;
    const char *why = NULL;
    int64_t v = 0;
    if (cls != H5T_INTEGER)
        why = cls == H5T_STRING ? "it is a string" : "it is not an integer";
    else if (points != 1)
        why = "it holds no value or more than one";
    else if (is_signed && (H5Aread(a, H5T_NATIVE_INT64, &v) < 0 || v < 0))
        why = "it is negative";
    else if (is_signed)
        *out = (uint64_t)v;
    else if (H5Aread(a, H5T_NATIVE_UINT64, out) < 0)
        why = "HDF5 cannot read it";
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    return why;
}

int mkba_h5_store_read_attr_u64(mkba_h5_store *s, const char *object, const char *name,
                                uint64_t *out, int *found, mkba_error *err)
{
    *found = 0;
    if (!mkba_h5_store_has(s, object) && strcmp(object, "/") != 0)
        return MKBA_OK;
    hid_t o = H5Oopen(s->file, object, H5P_DEFAULT);
    if (o < 0)
        return mkba_h5_error(err, MKBA_EPARSE, "%s: cannot open %s", s->path, object);
    int exists = H5Aexists(o, name) > 0;
    hid_t a = exists ? H5Aopen(o, name, H5P_DEFAULT) : H5I_INVALID_HID;
    /* Checked before reading: HDF5 writes every element of an array into
     * the one number *out has room for. */
    uint64_t v = 0;
    const char *why = !exists ? NULL : a < 0 ? "HDF5 cannot open it" : read_whole_number(a, &v);
    if (a >= 0)
        H5Aclose(a);
    H5Oclose(o);
    if (why != NULL)
        return mkba_h5_error(err, MKBA_EPARSE, "%s: cannot read attribute %s of %s as one "
                             "whole number >= 0: %s", s->path, name, object, why);
    if (exists)
        *out = v;
    *found = exists;
    return MKBA_OK;
}

void mkba_h5_store_strings_free(char **v, size_t n)
{
    mkba_h5_strings_free(v, n);
}

size_t mkba_h5_store_length(mkba_h5_store *s, const char *name)
{
    if (!mkba_h5_store_has(s, name))
        return 0;
    hid_t ds = H5Dopen2(s->file, name, H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t d[4] = { 0 };
    int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (rank >= 1 && rank <= 4)
        H5Sget_simple_extent_dims(sp, d, NULL);
    if (sp >= 0)
        H5Sclose(sp);
    if (ds >= 0)
        H5Dclose(ds);
    return rank >= 1 && rank <= 4 ? (size_t)d[0] : 0;
}
