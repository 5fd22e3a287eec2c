/* Fuzz target: the result-file reader behind `mkba summary`
 * (mkba_summary_write: h5read.c, h5store.c, decision_file.c, sa_report.c,
 * summary_file.c), structure-aware.
 *
 * Byte-damaged HDF5 files mostly exercise libhdf5's own parser, whose known
 * crashes are not ours to fix (fuzz_h5bytes.c does that, for triage). This
 * target instead builds a valid HDF5 file from each input: it copies one of
 * the seed result files (written by `make` with the built mkba, see
 * MKBA_FUZZ_SEEDS below) and applies the operations the input spells out,
 * through the HDF5 API: delete a dataset or attribute, change a value to
 * NaN, infinity, a huge, negative or fractional number or a duplicate,
 * empty or long label, change a shape by one or a rank, change a type,
 * swap two datasets, put a group where a dataset was. The summary must
 * then succeed or fail with a message, without a crash, a sanitizer
 * report, a leak or an HDF5 object left open.
 *
 * Input: seed byte, format byte, perspective byte, then operations of
 * (kind byte, 16-bit object index, operands...); missing bytes read as 0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "mkba/mkba.h"
#include "fuzz_target.h"

/* ---- reading the input ---- */

typedef struct input {
    const uint8_t *p;
    size_t n;
} input;

static unsigned take_u8(input *in)
{
    if (in->n == 0)
        return 0;
    in->n--;
    return *in->p++;
}

static unsigned take_u16(input *in)
{
    unsigned hi = take_u8(in);
    return hi << 8 | take_u8(in);
}

/* ---- the seed files and their objects ---- */

/* One object an operation can aim at: a dataset (attr NULL) or an
 * attribute of the object at path. */
typedef struct entry {
    char *path;
    char *attr;
} entry;

typedef struct seed {
    uint8_t *bytes;
    size_t size;
    entry *e;
    size_t n;
} seed;

static const char *const seed_names[] = {
    "psa.h5", "base.h5", "cohort.h5", "services.h5", "sobol.h5", "tornado.h5"};
#define NSEEDS (sizeof seed_names / sizeof seed_names[0])
static seed seeds[NSEEDS];
static char file_path[128];
static const char *const folder_files[] = {"result.h5", NULL};

/* The harness's own allocations: running out is not a finding. */
static void *checked(void *p)
{
    if (p == NULL) {
        fputs("fuzz_summary: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

static char *copy_string(const char *s)
{
    return strcpy(checked(malloc(strlen(s) + 1)), s);
}

static void add_entry(seed *s, const char *path, const char *attr)
{
    s->e = checked(realloc(s->e, (s->n + 1) * sizeof *s->e));
    s->e[s->n].path = copy_string(path);
    s->e[s->n].attr = attr != NULL ? copy_string(attr) : NULL;
    s->n++;
}

static herr_t list_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    (void)info;
    seed *s = data;
    char path[512];
    ssize_t len = H5Iget_name(loc, path, sizeof path);
    if (len > 0 && (size_t)len < sizeof path)
        add_entry(s, path, name);
    return 0;
}

static herr_t list_object(hid_t root, const char *name, const H5O_info_t *info, void *data)
{
    seed *s = data;
    char path[512];
    snprintf(path, sizeof path, "/%s", strcmp(name, ".") == 0 ? "" : name);
    if (info->type == H5O_TYPE_DATASET)
        add_entry(s, path, NULL);
    hid_t obj = H5Oopen(root, name, H5P_DEFAULT);
    if (obj >= 0) {
        H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, NULL, list_attr, s);
        H5Oclose(obj);
    }
    return 0;
}

static void load_seed(seed *s, const char *folder, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (s->size = (size_t)ftell(f)) == 0
        || fseek(f, 0, SEEK_SET) != 0 || (s->bytes = malloc(s->size)) == NULL
        || fread(s->bytes, 1, s->size, f) != s->size) {
        fprintf(stderr, "fuzz_summary: cannot read seed %s (make it with `make "
                "%s/%s`, or set MKBA_FUZZ_SEEDS)\n", path, folder, name);
        exit(2);
    }
    fclose(f);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0 || H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_INC, list_object, s,
                              H5O_INFO_BASIC) < 0) {
        fprintf(stderr, "fuzz_summary: seed %s is not a readable HDF5 file\n", path);
        exit(2);
    }
    H5Fclose(file);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);   /* failed operations are expected */
    const char *dir = getenv("MKBA_FUZZ_SEEDS");
    if (dir == NULL)
        dir = "build/fuzz-seeds";
    for (size_t k = 0; k < NSEEDS; k++)
        load_seed(&seeds[k], dir, seed_names[k]);
    snprintf(file_path, sizeof file_path, "%s/result.h5", fuzz_folder(folder_files));
    return 0;
}

/* ---- one object's values, as doubles or strings ---- */

typedef enum kind { K_DOUBLE, K_FLOAT, K_INT32, K_INT64, K_UINT8, K_VSTR, K_FSTR, NKINDS } kind;

typedef struct values {
    int rank;
    hsize_t dims[4];
    size_t n;
    kind kind;
    size_t fixed_len;         /* K_FSTR */
    double *num;              /* numeric kinds */
    char **str;               /* string kinds */
} values;

static void values_free(values *v)
{
    if (v->str != NULL)
        for (size_t i = 0; i < v->n; i++)
            free(v->str[i]);
    free(v->str);
    free(v->num);
    memset(v, 0, sizeof *v);
}

static int is_string(kind k)
{
    return k == K_VSTR || k == K_FSTR;
}

static hid_t kind_type(kind k, size_t fixed_len)
{
    switch (k) {
    case K_DOUBLE: return H5Tcopy(H5T_NATIVE_DOUBLE);
    case K_FLOAT: return H5Tcopy(H5T_NATIVE_FLOAT);
    case K_INT32: return H5Tcopy(H5T_NATIVE_INT32);
    case K_INT64: return H5Tcopy(H5T_NATIVE_INT64);
    case K_UINT8: return H5Tcopy(H5T_NATIVE_UINT8);
    default: break;
    }
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, k == K_VSTR ? H5T_VARIABLE : fixed_len > 0 ? fixed_len : 1);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

/* The dataset or attribute an entry names, opened. */
typedef struct object {
    hid_t id;
    int is_attr;
} object;

static object object_open(hid_t file, const entry *e)
{
    object o = {-1, e->attr != NULL};
    o.id = o.is_attr ? H5Aopen_by_name(file, e->path, e->attr, H5P_DEFAULT, H5P_DEFAULT)
                     : H5Dopen2(file, e->path, H5P_DEFAULT);
    return o;
}

static void object_close(object o)
{
    if (o.id >= 0)
        o.is_attr ? H5Aclose(o.id) : H5Dclose(o.id);
}

static herr_t object_read(object o, hid_t mtype, void *buf)
{
    return o.is_attr ? H5Aread(o.id, mtype, buf) : H5Dread(o.id, mtype, H5S_ALL, H5S_ALL,
                                                           H5P_DEFAULT, buf);
}

static herr_t object_write(object o, hid_t mtype, const void *buf)
{
    return o.is_attr ? H5Awrite(o.id, mtype, buf) : H5Dwrite(o.id, mtype, H5S_ALL, H5S_ALL,
                                                             H5P_DEFAULT, buf);
}

/* Reads o's values; 0 on success, -1 for a type this target leaves alone
 * (references, compounds) or a read error. */
static int values_read(object o, values *v)
{
    memset(v, 0, sizeof *v);
    hid_t space = o.is_attr ? H5Aget_space(o.id) : H5Dget_space(o.id);
    hid_t type = o.is_attr ? H5Aget_type(o.id) : H5Dget_type(o.id);
    int rc = -1;
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    if (rank < 0 || rank > 4 || type < 0)
        goto done;
    v->rank = rank;
    H5Sget_simple_extent_dims(space, v->dims, NULL);
    v->n = 1;
    for (int i = 0; i < rank; i++)
        v->n *= (size_t)v->dims[i];
    H5T_class_t cls = H5Tget_class(type);
    size_t size = H5Tget_size(type);
    if (cls == H5T_FLOAT || cls == H5T_INTEGER) {
        v->kind = cls == H5T_FLOAT ? (size == 4 ? K_FLOAT : K_DOUBLE)
                  : size == 1 ? K_UINT8 : size == 8 ? K_INT64 : K_INT32;
        v->num = checked(calloc(v->n + 1, sizeof *v->num));
        if (object_read(o, H5T_NATIVE_DOUBLE, v->num) < 0)
            goto done;
    } else if (cls == H5T_STRING) {
        int variable = H5Tis_variable_str(type) > 0;
        v->kind = variable ? K_VSTR : K_FSTR;
        v->fixed_len = variable ? 0 : size;
        v->str = checked(calloc(v->n + 1, sizeof *v->str));
        if (variable) {
            char **raw = checked(calloc(v->n + 1, sizeof *raw));
            if (object_read(o, type, raw) < 0) {
                free(raw);
                goto done;
            }
            for (size_t i = 0; i < v->n; i++)
                v->str[i] = copy_string(raw[i] != NULL ? raw[i] : "");
            hid_t rspace = H5Screate_simple(1, (hsize_t[]){v->n > 0 ? v->n : 1}, NULL);
            H5Dvlen_reclaim(type, rspace, H5P_DEFAULT, raw);
            H5Sclose(rspace);
            free(raw);
        } else {
            char *raw = checked(calloc(v->n + 1, size));
            if (object_read(o, type, raw) < 0) {
                free(raw);
                goto done;
            }
            for (size_t i = 0; i < v->n; i++)
                v->str[i] = memcpy(checked(calloc(1, size + 1)), raw + i * size, size);
            free(raw);
        }
    } else
        goto done;
    rc = 0;
done:
    if (space >= 0)
        H5Sclose(space);
    if (type >= 0)
        H5Tclose(type);
    if (rc != 0)
        values_free(v);
    return rc;
}

/* Converts v to kind k in place (numbers to "%.17g" text, text to strtod). */
static void values_convert(values *v, kind k, size_t fixed_len)
{
    if (is_string(k) && v->num != NULL) {
        v->str = checked(calloc(v->n + 1, sizeof *v->str));
        for (size_t i = 0; i < v->n; i++) {
            char text[32];
            snprintf(text, sizeof text, "%.17g", v->num[i]);
            v->str[i] = copy_string(text);
        }
        free(v->num);
        v->num = NULL;
    } else if (!is_string(k) && v->str != NULL) {
        v->num = checked(calloc(v->n + 1, sizeof *v->num));
        for (size_t i = 0; i < v->n; i++)
            v->num[i] = v->str[i] != NULL ? strtod(v->str[i], NULL) : 0;
        for (size_t i = 0; i < v->n; i++)
            free(v->str[i]);
        free(v->str);
        v->str = NULL;
    }
    v->kind = k;
    v->fixed_len = fixed_len;
}

/* Writes v into o, whose shape and type class it has. */
static void values_write(object o, const values *v)
{
    if (v->num != NULL) {
        object_write(o, H5T_NATIVE_DOUBLE, v->num);
        return;
    }
    if (v->str == NULL)
        return;
    hid_t type = o.is_attr ? H5Aget_type(o.id) : H5Dget_type(o.id);
    if (type < 0)
        return;
    if (H5Tis_variable_str(type) > 0)
        object_write(o, type, v->str);
    else {
        size_t size = H5Tget_size(type);
        char *raw = checked(calloc(v->n + 1, size));
        for (size_t i = 0; i < v->n; i++)
            strncpy(raw + i * size, v->str[i] != NULL ? v->str[i] : "", size);
        object_write(o, type, raw);
        free(raw);
    }
    H5Tclose(type);
}

/* Deletes what e names and creates it anew with v's shape, kind and values.
 * Attributes the old dataset carried are lost, as in a foreign writer's
 * file. */
static void values_create(hid_t file, const entry *e, const values *v)
{
    hsize_t dims[4];
    for (int i = 0; i < v->rank; i++)
        dims[i] = v->dims[i];
    hid_t space = v->rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(v->rank, dims, NULL);
    hid_t type = kind_type(v->kind, v->fixed_len);
    object o = {-1, e->attr != NULL};
    if (o.is_attr) {
        H5Adelete_by_name(file, e->path, e->attr, H5P_DEFAULT);
        o.id = H5Acreate_by_name(file, e->path, e->attr, type, space, H5P_DEFAULT, H5P_DEFAULT,
                                 H5P_DEFAULT);
    } else {
        H5Ldelete(file, e->path, H5P_DEFAULT);
        o.id = H5Dcreate2(file, e->path, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    }
    if (o.id >= 0)
        values_write(o, v);
    object_close(o);
    H5Tclose(type);
    H5Sclose(space);
}

/* ---- what the operations put in ---- */

static const double special_numbers[] = {
    NAN, INFINITY, -INFINITY, 0.0, -0.0, -1.0, 1.0, 2.0, 0.5, 1e308, -1e308, 1e-310,
    4294967296.0, -2147483649.0, 9007199254740993.0, 20.0, 1e9, 3.0, 100.0, -7.25};
#define NSPECIAL (sizeof special_numbers / sizeof special_numbers[0])

static double take_number(input *in)
{
    unsigned k = take_u8(in);
    if (k < NSPECIAL)
        return special_numbers[k];
    return (double)(int)(k - 128) * 0.75;
}

/* A string for element i of v: empty, a perspective or arm name, a
 * neighbour's value (a duplicate label), a long one, or bytes of the
 * input. */
static char *take_string(input *in, const values *v, size_t i)
{
    static const char *const names[] = {"", "society", "municipality", "usual", "new",
                                        "gemeente", "QALY", "EUR", "direct effects"};
    unsigned k = take_u8(in) % 12;
    if (k < sizeof names / sizeof names[0])
        return copy_string(names[k]);
    if (k == 9 && v->str != NULL && v->n > 1)
        return copy_string(v->str[(i + 1) % v->n] != NULL ? v->str[(i + 1) % v->n] : "");
    if (k == 10) {
        char *s = checked(malloc(301));
        memset(s, 'x', 300);
        s[300] = '\0';
        return s;
    }
    char s[17];
    size_t len = take_u8(in) % 16, j;
    for (j = 0; j < len && in->n > 0; j++)
        s[j] = (char)(take_u8(in) | 1);      /* no NUL inside */
    s[j] = '\0';
    return copy_string(s);
}

static void set_element(input *in, values *v, size_t i)
{
    if (v->n == 0)
        return;
    i %= v->n;
    if (v->num != NULL)
        v->num[i] = take_number(in);
    else if (v->str != NULL) {
        char *s = take_string(in, v, i);
        free(v->str[i]);
        v->str[i] = s;
    }
}

/* Fresh values: a shape and a kind from the input, elements from it. */
static void take_values(input *in, values *v)
{
    memset(v, 0, sizeof *v);
    v->rank = (int)(take_u8(in) % 4);
    v->n = 1;
    for (int i = 0; i < v->rank; i++) {
        v->dims[i] = take_u8(in) % 7;
        v->n *= (size_t)v->dims[i];
    }
    v->kind = (kind)(take_u8(in) % NKINDS);
    v->fixed_len = 1 + take_u8(in) % 24;
    if (is_string(v->kind))
        v->str = checked(calloc(v->n + 1, sizeof *v->str));
    else
        v->num = checked(calloc(v->n + 1, sizeof *v->num));
    for (size_t i = 0; i < v->n; i++)
        set_element(in, v, i);
}

/* ---- the operations ---- */

typedef void operation(hid_t file, const seed *s, const entry *e, input *in);

static void op_delete(hid_t file, const seed *s, const entry *e, input *in)
{
    (void)s;
    (void)in;
    if (e->attr != NULL)
        H5Adelete_by_name(file, e->path, e->attr, H5P_DEFAULT);
    else
        H5Ldelete(file, e->path, H5P_DEFAULT);
}

/* One element, or every element, set to a number or string from the
 * input, in place. */
static void poke(hid_t file, const entry *e, input *in, int every)
{
    object o = object_open(file, e);
    values v;
    if (o.id >= 0 && values_read(o, &v) == 0) {
        size_t at = take_u16(in);
        input value = *in;
        for (size_t i = every ? 0 : at; i < (every ? v.n : at + 1); i++) {
            *in = value;              /* every element gets the same value */
            set_element(in, &v, i);
        }
        values_write(o, &v);
        values_free(&v);
    }
    object_close(o);
}

static void op_poke(hid_t file, const seed *s, const entry *e, input *in)
{
    (void)s;
    poke(file, e, in, 0);
}

static void op_fill(hid_t file, const seed *s, const entry *e, input *in)
{
    (void)s;
    poke(file, e, in, 1);
}

/* Reads the values of what e names; 0 on success. */
static int read_entry(hid_t file, const entry *e, values *v)
{
    object o = object_open(file, e);
    int rc = o.id >= 0 ? values_read(o, v) : -1;
    object_close(o);
    return rc;
}

/* The same values in another shape: one axis one longer or shorter (or
 * empty), or the rank changed; elements kept in storage order, new ones
 * from the input. */
static void op_reshape(hid_t file, const seed *s, const entry *e, input *in)
{
    (void)s;
    values v;
    if (read_entry(file, e, &v) != 0)
        return;
    unsigned how = take_u8(in);
    int axis = v.rank > 0 ? (int)(how >> 2) % v.rank : 0;
    switch (how & 3) {
    case 0: if (v.rank > 0) v.dims[axis]++; break;
    case 1: if (v.rank > 0 && v.dims[axis] > 0) v.dims[axis]--; break;
    case 2: if (v.rank > 0) v.dims[axis] = 0; break;
    default:
        if (v.rank < 4)
            v.dims[v.rank++] = 1 + how % 3;
        break;
    }
    size_t n = 1;
    for (int i = 0; i < v.rank; i++)
        n *= (size_t)v.dims[i];
    if (n > v.n) {
        if (v.num != NULL)
            v.num = checked(realloc(v.num, (n + 1) * sizeof *v.num));
        else if (v.str != NULL)
            v.str = checked(realloc(v.str, (n + 1) * sizeof *v.str));
        size_t old = v.n;
        v.n = n;
        for (size_t i = old; i < n; i++) {
            if (v.num != NULL)
                v.num[i] = 0;
            else
                v.str[i] = NULL;   /* all, before a new one may copy its neighbour */
        }
        for (size_t i = old; i < n; i++)
            set_element(in, &v, i);
    } else {
        for (size_t i = n; v.str != NULL && i < v.n; i++) {
            free(v.str[i]);
            v.str[i] = NULL;
        }
        v.n = n;
    }
    values_create(file, e, &v);
    values_free(&v);
}

/* The same shape and values in another type: numbers as text, text as
 * numbers, doubles as integers or bytes. */
static void op_retype(hid_t file, const seed *s, const entry *e, input *in)
{
    (void)s;
    values v;
    if (read_entry(file, e, &v) != 0)
        return;
    kind k = (kind)(take_u8(in) % NKINDS);
    values_convert(&v, k, 1 + take_u8(in) % 24);
    values_create(file, e, &v);
    values_free(&v);
}

static void op_replace(hid_t file, const seed *s, const entry *e, input *in)
{
    (void)s;
    values v;
    take_values(in, &v);
    values_create(file, e, &v);
    values_free(&v);
}

/* Two datasets trade places: right names, wrong shapes and contents. */
static void op_swap(hid_t file, const seed *s, const entry *e, input *in)
{
    const entry *other = &s->e[take_u16(in) % s->n];
    if (e->attr != NULL || other->attr != NULL || strcmp(e->path, other->path) == 0)
        return;
    if (H5Lmove(file, e->path, file, "/mkba-fuzz-swap", H5P_DEFAULT, H5P_DEFAULT) < 0)
        return;
    H5Lmove(file, other->path, file, e->path, H5P_DEFAULT, H5P_DEFAULT);
    H5Lmove(file, "/mkba-fuzz-swap", file, other->path, H5P_DEFAULT, H5P_DEFAULT);
}

/* A group where a dataset was (or a dataset where an attribute was). */
static void op_group(hid_t file, const seed *s, const entry *e, input *in)
{
    (void)s;
    (void)in;
    if (e->attr != NULL)
        return;
    H5Ldelete(file, e->path, H5P_DEFAULT);
    hid_t g = H5Gcreate2(file, e->path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g >= 0)
        H5Gclose(g);
}

static operation *const operations[] = {
    op_delete, op_poke, op_fill, op_reshape, op_retype, op_replace, op_swap, op_group};
#define NOPERATIONS (sizeof operations / sizeof operations[0])
#define MAX_OPERATIONS 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    const seed *s = &seeds[take_u8(&in) % NSEEDS];
    int format = (int)take_u8(&in);
    unsigned pick = take_u8(&in);
    fuzz_write_file(file_path, s->bytes, s->size);
    hid_t file = H5Fopen(file_path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (file < 0)
        fuzz_fail("cannot open the copy of a seed");
    for (int k = 0; k < MAX_OPERATIONS && in.n > 0; k++) {
        unsigned op = take_u8(&in) % NOPERATIONS;
        const entry *e = &s->e[take_u16(&in) % s->n];
        operations[op](file, s, e, &in);
    }
    if (H5Fclose(file) < 0 || H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) != 0)
        fuzz_fail("the harness left an HDF5 object open");
    /* A perspective: all, the two built in, or a name from the input. */
    char name[17] = "";
    const char *perspective = pick % 4 == 0 ? NULL : pick % 4 == 1 ? "society"
                              : pick % 4 == 2 ? "municipality" : name;
    for (size_t j = 0; j < sizeof name - 1 && j < in.n && data[size - 1 - j] != 0; j++)
        name[j] = (char)data[size - 1 - j];
    fuzz_summary(file_path, format, perspective);
    return 0;
}
