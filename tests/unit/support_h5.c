/* Reading whole datasets of result files in tests, and copies to damage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "support.h"

/* The tests run the library as the program does (src/cli/main.c): HDF5's
 * exit-time cleanup off. The program keeps it off as a safeguard: a file
 * HDF5 failed to let go would make the cleanup crash at exit after a
 * correct error message. No such path is known: test_alloc_fail asserts
 * after every injected failure that no HDF5 object is left open. */
__attribute__((constructor)) static void support_hdf5_as_the_program(void)
{
    H5dont_atexit();
}

double *support_read_doubles(const char *path, const char *name, size_t *count)
{
    double *buf = NULL;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = f >= 0 ? H5Dopen2(f, name, H5P_DEFAULT) : -1;
    hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (n >= 0 && (buf = malloc((size_t)n * sizeof *buf + 1)) != NULL
        && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        free(buf);
        buf = NULL;
    }
    if (count != NULL)
        *count = buf != NULL ? (size_t)n : 0;
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    if (f >= 0)
        H5Fclose(f);
    return buf;
}

int support_replace_doubles(hid_t file, const char *path, hsize_t n)
{
    hsize_t dims[1] = { n };
    if (H5Ldelete(file, path, H5P_DEFAULT) < 0)
        return -1;
    hid_t sp = H5Screate_simple(1, dims, NULL);
    hid_t d = sp >= 0 ? H5Dcreate2(file, path, H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT,
                                   H5P_DEFAULT, H5P_DEFAULT) : -1;
    if (d >= 0)
        H5Dclose(d);
    if (sp >= 0)
        H5Sclose(sp);
    return d >= 0 ? 0 : -1;
}

hid_t support_damaged_copy(const char *good, const char *bad)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", good, bad);
    if (system(cmd) != 0)
        return -1;
    return H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
}

herr_t support_count_filters(hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
    support_filters *c = data;
    if (info->type != H5O_TYPE_DATASET || strncmp(name, "draws/", 6) != 0
        || strcmp(name, "draws/draw_index") == 0)
        return 0;
    hid_t ds = H5Dopen2(obj, name, H5P_DEFAULT);
    hid_t dcpl = ds >= 0 ? H5Dget_create_plist(ds) : -1;
    if (dcpl < 0) {
        if (ds >= 0)
            H5Dclose(ds);
        return -1;
    }
    int n = H5Pget_nfilters(dcpl);
    c->datasets++;
    c->filtered += n > 0;
    for (int i = 0; i < n; i++) {
        unsigned int flags = 0, cd[8];
        size_t ncd = 8;
        c->deflated += H5Pget_filter2(dcpl, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL)
                       == H5Z_FILTER_DEFLATE;
    }
    H5Pclose(dcpl);
    H5Dclose(ds);
    return 0;
}
