/* The schema (results/datasets.def) applied to a file: the attributes of
 * every dataset it lists, and HDF5 dimension scales (H5DS, hdf5_hl) on
 * every named axis, so xarray/h5netcdf, h5py and R's hdf5r see labelled
 * arrays without a hand-made mapping. */
#include <string.h>
#include <hdf5_hl.h>
#include "results/schema.h"
#include "h5util.h"

int mkba_h5_exists(hid_t loc, const char *path)
{
    /* H5Lexists fails on a path whose parent is missing: test each prefix. */
    char buf[512];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return 0;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char c = buf[i];
        buf[i] = '\0';
        htri_t e = H5Lexists(loc, buf, H5P_DEFAULT);
        buf[i] = c;
        if (e <= 0) {
            H5Eclear2(H5E_DEFAULT);
            return 0;
        }
    }
    return 1;
}

int mkba_h5_describe_dataset(hid_t ds, const mkba_dataset_spec *s, const char *money)
{
    const char *attr[3][2] = { { "axes", s->axes }, { "units", mkba_schema_units(s, money) },
                               { "description", s->description } };
    for (int i = 0; i < 3; i++) {
        htri_t has = H5Aexists(ds, attr[i][0]);
        if (has < 0 || (has == 0 && mkba_h5_attr_string(ds, attr[i][0], attr[i][1]) < 0))
            return -1;
    }
    return 0;
}

/* Attaches to dimension `dim` of ds (of length len) the scale of axis a,
 * when the file has it with that length; the scale dataset becomes one
 * on first use. */
static int attach(hid_t file, hid_t ds, unsigned dim, hsize_t len, mkba_axis a)
{
    const mkba_axis_spec *ax = &mkba_schema_axis[a];
    if (!mkba_h5_exists(file, ax->scale))
        return 0;
    hid_t sc = H5Dopen2(file, ax->scale, H5P_DEFAULT);
    if (sc < 0)
        return -1;
    hid_t space = H5Dget_space(sc);
    hsize_t n = 0;
    int ok = space >= 0 && H5Sget_simple_extent_ndims(space) == 1
             && H5Sget_simple_extent_dims(space, &n, NULL) == 1;
    int rc = 0;
    if (ok && n == len) {
        htri_t is = H5DSis_scale(sc);
        rc = is < 0 || (is == 0 && H5DSset_scale(sc, ax->name) < 0) ? -1 : 0;
        /* Each dimension gets only this one scale, so one already there is
         * it. (H5DSis_attached would dereference every attachment of the
         * scale: quadratic in the datasets, most of a small run's time.) */
        int on = rc == 0 ? H5DSget_num_scales(ds, dim) : -1;
        if (on < 0 || (on == 0 && H5DSattach_scale(ds, sc, dim) < 0))
            rc = -1;
    }
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(sc);
    return rc;
}

/* Describes dataset s of the file and gives its named axes their scales
 * and labels. A dataset that is itself its axis' scale is made one. */
static int apply(hid_t file, const mkba_dataset_spec *s, const char *money)
{
    hid_t ds = H5Dopen2(file, s->path, H5P_DEFAULT);
    if (ds < 0)
        return -1;
    mkba_axis ax[MKBA_SCHEMA_MAXRANK];
    hsize_t dims[MKBA_SCHEMA_MAXRANK];
    int rank = mkba_schema_axes(s->axes, ax);
    hid_t space = H5Dget_space(ds);
    int rc = space >= 0 && mkba_h5_describe_dataset(ds, s, money) == 0 ? 0 : -1;
    /* A file shaped unlike its schema (foreign or damaged) keeps its
     * attributes but gets no scales. */
    if (rc == 0 && (rank < 1 || H5Sget_simple_extent_ndims(space) != rank
                    || H5Sget_simple_extent_dims(space, dims, NULL) != rank))
        rank = 0;
    for (int i = 0; i < rank && rc == 0; i++) {
        if (ax[i] == MKBA_NAXES || mkba_schema_axis[ax[i]].scale[0] == '\0')
            continue;
        if (strcmp(mkba_schema_axis[ax[i]].scale, s->path) == 0) {
            htri_t is = H5DSis_scale(ds);
            rc = is < 0 || (is == 0 && H5DSset_scale(ds, mkba_schema_axis[ax[i]].name) < 0)
                 ? -1 : 0;
            continue;
        }
        rc = attach(file, ds, (unsigned)i, dims[i], ax[i]);
        if (rc == 0 && H5DSset_label(ds, (unsigned)i, mkba_schema_axis[ax[i]].name) < 0)
            rc = -1;
    }
    hid_t kept = mkba_h5_error_keep(rc < 0);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(ds);
    mkba_h5_error_restore(kept);
    return rc;
}

int mkba_h5_describe(hid_t file, const char *prefix, const char *money)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < mkba_schema_ndatasets; i++) {
        const mkba_dataset_spec *s = &mkba_schema_dataset[i];
        if (strncmp(s->path, prefix, n) == 0 && mkba_h5_exists(file, s->path)
            && apply(file, s, money) < 0)
            return -1;
    }
    return 0;
}
