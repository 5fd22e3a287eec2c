/* The schema table (src/results/datasets.def) against the docs and a
 * written file: docs/output.md documents exactly the table's datasets, and
 * a file written by the program holds exactly the table's datasets, each
 * with axes, units and description attributes and a dimension scale on
 * every axis that has one. The file test runs the program named by
 * MKBA_BIN (the Makefile sets it) and is skipped without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include "results/schema.h"
#include "io/h5util.h"

/* Every axis name a dataset uses is in the axis table or is one of the
 * coordinate-free axes, and every scale is itself a listed dataset. */
static void test_table_consistent(void **state)
{
    (void)state;
    static const char *const free_axes[] = { "statistic", "row", "rank", "one", "point", "bound",
                                             "level", "step", "walk" };
    for (size_t i = 0; i < mkba_schema_ndatasets; i++) {
        const mkba_dataset_spec *s = &mkba_schema_dataset[i];
        mkba_axis ax[MKBA_SCHEMA_MAXRANK];
        int rank = mkba_schema_axes(s->axes, ax);
        assert_true(rank >= 1);
        assert_ptr_equal(mkba_schema_find(s->path), s);
        if (s->field >= 0)
            assert_int_equal(ax[0], MKBA_AXIS_DRAW);
        const char *p = s->axes;
        for (int k = 0; k < rank; k++, p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
            if (ax[k] < MKBA_NAXES)
                continue;
            int known = 0;
            for (size_t j = 0; j < sizeof free_axes / sizeof free_axes[0]; j++)
                known |= strncmp(p, free_axes[j], strlen(free_axes[j])) == 0;
            if (!known)
                fail_msg("%s: unknown axis in \"%s\"", s->path, s->axes);
        }
    }
    for (int a = 0; a < MKBA_NAXES; a++)
        if (mkba_schema_find(mkba_schema_axis[a].scale) == NULL)
            fail_msg("axis %s: scale %s is not in the table", mkba_schema_axis[a].name,
                     mkba_schema_axis[a].scale);
}

/* docs/output.md names every dataset of the table in the first cell of a
 * table row, as its full path in backticks, and names no other. */
static void test_docs_match_table(void **state)
{
    (void)state;
    FILE *f = fopen("docs/output.md", "r");
    assert_non_null(f);
    unsigned char *seen = calloc(mkba_schema_ndatasets, 1);
    assert_non_null(seen);
    char line[4096];
    int unknown = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "| `/", 4) != 0)
            continue;
        char *end = strchr(line + 3, '`');
        assert_non_null(end);
        *end = '\0';
        const mkba_dataset_spec *s = mkba_schema_find(line + 3);
        if (s == NULL) {
            print_error("docs/output.md documents %s, which is not in the table\n", line + 3);
            unknown++;
        } else {
            seen[s - mkba_schema_dataset] = 1;
        }
    }
    fclose(f);
    int missing = 0;
    for (size_t i = 0; i < mkba_schema_ndatasets; i++)
        if (!seen[i]) {
            print_error("%s is not documented in docs/output.md\n",
                        mkba_schema_dataset[i].path);
            missing++;
        }
    free(seen);
    assert_int_equal(unknown, 0);
    assert_int_equal(missing, 0);
}

/* H5Ovisit callback: counts datasets the table does not list. */
static herr_t count_unlisted(hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
    (void)obj;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    char path[512];
    snprintf(path, sizeof path, "/%s", name);
    if (mkba_schema_find(path) == NULL) {
        print_error("the file holds %s, which is not in the table\n", path);
        ++*(int *)data;
    }
    return 0;
}

/* Checks dataset s of the open file f: attributes, and on each named axis
 * its scale (or, for a scale, that it is one). */
static void check_dataset(hid_t f, const mkba_dataset_spec *s)
{
    hid_t ds = H5Dopen2(f, s->path, H5P_DEFAULT);
    if (ds < 0)
        fail_msg("%s is missing", s->path);
    static const char *const attrs[] = { "axes", "units", "description" };
    for (size_t i = 0; i < 3; i++)
        if (H5Aexists(ds, attrs[i]) <= 0)
            fail_msg("%s has no %s attribute", s->path, attrs[i]);
    mkba_axis ax[MKBA_SCHEMA_MAXRANK];
    int rank = mkba_schema_axes(s->axes, ax);
    int is_analysis = s->when == MKBA_WHEN_ANALYSIS;
    for (int i = 0; i < rank; i++) {
        /* /analysis: the wtp axis has the grid as scale only when the
         * comparison is on an effect (docs/output.md). */
        if (ax[i] == MKBA_NAXES || (is_analysis && ax[i] == MKBA_AXIS_WTP))
            continue;
        const char *scale = mkba_schema_axis[ax[i]].scale;
        if (strcmp(scale, s->path) == 0) {
            if (H5DSis_scale(ds) <= 0)
                fail_msg("%s is not a dimension scale", s->path);
            continue;
        }
        hid_t sc = H5Dopen2(f, scale, H5P_DEFAULT);
        assert_true(sc >= 0);
        if (H5DSget_num_scales(ds, (unsigned)i) < 1 || H5DSis_attached(ds, sc, (unsigned)i) <= 0)
            fail_msg("%s: axis %d (%s) has no dimension scale %s", s->path, i,
                     mkba_schema_axis[ax[i]].name, scale);
        H5Dclose(sc);
    }
    H5Dclose(ds);
}

/* A result file written by `mkba ARGS -o FILE` in a fresh folder: the
 * schema's datasets that `wanted` selects must be there (must_exist) or
 * may be, each checked; the file lists no other. Returns how many. */
static int check_written(const char *args, int (*wanted)(const mkba_dataset_spec *),
                         int must_exist)
{
    const char *bin = getenv("MKBA_BIN");
    if (bin == NULL)
        skip();
    char dir[] = "/tmp/mkba-schema-XXXXXX", out[64], cmd[512];
    assert_non_null(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/s.h5", dir);
    snprintf(cmd, sizeof cmd, "%s %s -o %s -q > /dev/null 2>&1", bin, args, out);
    assert_int_equal(system(cmd), 0);
    hid_t f = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    int checked = 0;
    for (size_t i = 0; i < mkba_schema_ndatasets; i++)
        if (wanted(&mkba_schema_dataset[i])
            && (must_exist || mkba_h5_exists(f, mkba_schema_dataset[i].path))) {
            check_dataset(f, &mkba_schema_dataset[i]);
            checked++;
        }
    int unlisted = 0;
    assert_true(H5Ovisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, count_unlisted, &unlisted) >= 0);
    assert_int_equal(unlisted, 0);
    H5Fclose(f);
    remove(out);
    rmdir(dir);
    return checked;
}

/* A run with --set has /design/fixed; only points designs have
 * /design/point_values (tests/unit/test_study.c), only sa files /sa. */
static int in_run_file(const mkba_dataset_spec *s)
{
    return strcmp(s->path, "/design/point_values") != 0 && s->when != MKBA_WHEN_SA
           && s->when != MKBA_WHEN_EXPOST && s->when != MKBA_WHEN_POPULATION
           && s->when != MKBA_WHEN_BLENDS;
}

static int in_blend_file(const mkba_dataset_spec *s)
{
    return s->when == MKBA_WHEN_BLENDS;
}

static int in_population_file(const mkba_dataset_spec *s)
{
    return s->when == MKBA_WHEN_POPULATION;
}

static int in_sa_group(const mkba_dataset_spec *s)
{
    return s->when == MKBA_WHEN_SA;
}

static int in_expost_group(const mkba_dataset_spec *s)
{
    return s->when == MKBA_WHEN_EXPOST;
}

static void test_written_file(void **state)
{
    (void)state;
    check_written("run tests/data/services.cfg --draws 3 --households 400 "
                  "--set p_debt_worse=0.1", in_run_file, 1);
}

/* A scenario with a population block: the budget view's datasets. */
static void test_written_population_file(void **state)
{
    (void)state;
    check_written("run tests/data/budget.cfg", in_population_file, 1);
}

/* A scenario with blended arms: /labels/blend_shares. */
static void test_written_blend_file(void **state)
{
    (void)state;
    check_written("run scenarios/pathways/mix-a-c.cfg --draws 2 --households 200 --threads 1",
                  in_blend_file, 1);
}

/* A sensitivity-analysis file: every /sa dataset it holds has its
 * attributes and, on named axes, its dimension scales. */
static void test_written_sa_file(void **state)
{
    (void)state;
    int checked = check_written("sa tornado tests/data/services.cfg --households 300 "
                                "--factors p_debt_worse", in_sa_group, 0);
    assert_true(checked >= 12);    /* the common group and the tornado's */
}

/* An ex-post file: every /expost dataset it holds (the refinement's too,
 * which --min-ess 1 forces) has its attributes and dimension scales. */
static void test_written_expost_file(void **state)
{
    (void)state;
    int checked = check_written("expost scenarios/pathways/model-b.cfg --observed "
                                "scenarios/pathways/observed/model-b-synthetic.csv --draws 4 "
                                "--households 100 --min-ess 1 --max-stages 1 --moves 1 "
                                "--accept-partial",
                                in_expost_group, 0);
    assert_true(checked >= 27);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_consistent),
        cmocka_unit_test(test_docs_match_table),
        cmocka_unit_test(test_written_file),
        cmocka_unit_test(test_written_population_file),
        cmocka_unit_test(test_written_blend_file),
        cmocka_unit_test(test_written_sa_file),
        cmocka_unit_test(test_written_expost_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
