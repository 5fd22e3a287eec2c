/* What a checkpoint must know about its run, and the output lock's edge
 * cases, tested through the study layer (fast, deterministic: a study is
 * stopped by its stop flag after a few points, as Ctrl-C would) and the
 * mkba program (MKBA_BIN; those tests are skipped when it is unset):
 * - a checkpoint of another build is refused, naming both builds;
 * - base-case values and PSA draws are different runs (sa believe
 *   --draws 0 against --draws 1);
 * - the scenario's text, which the checkpoint hashes, does not depend on
 *   how the scenario was named;
 * - a short checkpoint is refused unless empty;
 * - every sa method, --from included, and expost --from take the output
 *   lock first;
 * - a stale lock file of another user does not block a run. */
#define _DEFAULT_SOURCE   /* setgroups(2) */
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "support.h"
#include "support_run.h"
#include "study/study.h"
#include "study/checkpoint.h"

static const char *bin;
static char dir[] = "/tmp/mkba-test-keys-XXXXXX";
static char out[300], ckpt[320], lockpath[320], tmp[320], errpath[300], text[1 << 14];

/* ---- studies stopped after a few points ---- */

typedef struct stopper {
    volatile sig_atomic_t stop;
    size_t after;              /* raise the flag once this many points are stored */
} stopper;

static int count_point(void *user, size_t index, const mkba_draw_result *rec, mkba_error *err)
{
    (void)rec;
    (void)err;
    stopper *s = user;
    if (index + 1 >= s->after)
        s->stop = 1;
    return MKBA_OK;
}

/* Runs 8 points of model m (base-case values or PSA draws) into `out`,
 * stopped after `after` points (0: not stopped); returns the status, the
 * message in *err. */
static int no_checkpoint;
/* Set: without --force (an existing checkpoint is then refused or kept). */
static int no_force;

/* What the last study() reported of its checkpoint. */
static mkba_checkpoint_info last;

static int study(const mkba_model *m, int base_case, int resume, size_t after, mkba_error *err)
{
    mkba_error_clear(err);
    mkba_design *d = mkba_design_points(m, 8, base_case, 0, err);
    assert_non_null(d);
    stopper st = { 0, after };
    mkba_study_options o = {
        .output = out, .force = !no_force, .resume = resume, .households = 60, .seed = 11,
        .threads = 1, .mode = MKBA_ENGINE_MICRO, .store_draws = 1,
        .on_point = after > 0 ? count_point : NULL, .user = &st, .stop = &st.stop,
        .no_checkpoint = no_checkpoint, .checkpoint = &last,
    };
    int rc = mkba_study_run(m, d, &o, err);
    mkba_design_free(d);
    return rc;
}

/* FNV-1a as the checkpoint computes it (checkpoint.h), independently. */
static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* The header's layout (checkpoint.c): magic[8], format, build[32], the key
 * (11 words), the number of values, the checksum of all before it. */
#define HEADER_BUILD 16
#define HEADER_CHECKSUM (16 + 32 + 11 * 8 + 8)

/* A checkpoint written by another build: its build field replaced and the
 * header's checksum made right again, so only the build differs. */
static void test_another_build_is_refused(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    mkba_error err;
    assert_int_equal(study(m, 0, 0, 3, &err), MKBA_EINTERRUPTED);
    assert_true(support_exists(ckpt));
    unsigned char h[HEADER_CHECKSUM + 8];
    FILE *f = fopen(ckpt, "r+b");
    assert_non_null(f);
    assert_int_equal(fread(h, 1, sizeof h, f), sizeof h);
    /* The header as written checks out with the independent hash. */
    uint64_t sum = fnv1a(h, HEADER_CHECKSUM), stored;
    memcpy(&stored, h + HEADER_CHECKSUM, 8);
    assert_true(sum == stored);
    char now[33];
    memcpy(now, h + HEADER_BUILD, 32);
    now[32] = '\0';
    assert_true(strncmp(now, MKBA_VERSION "+", strlen(MKBA_VERSION) + 1) == 0);
    memset(h + HEADER_BUILD, 0, 32);
    strcpy((char *)h + HEADER_BUILD, MKBA_VERSION "+0123456789abcdef");
    sum = fnv1a(h, HEADER_CHECKSUM);
    memcpy(h + HEADER_CHECKSUM, &sum, 8);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    assert_int_equal(fwrite(h, 1, sizeof h, f), sizeof h);
    assert_int_equal(fclose(f), 0);

    assert_int_equal(study(m, 0, 1, 0, &err), MKBA_EINVAL);
    support_assert_contains(err.message, "it belongs to another run");
    char expect[200];
    snprintf(expect, sizeof expect, "mkba build %s+0123456789abcdef made it, this is build %s",
             MKBA_VERSION, now);
    support_assert_contains(err.message, expect);
    assert_true(support_exists(ckpt));
    /* Starting over (--force without --resume) discards it. */
    assert_int_equal(study(m, 0, 0, 0, &err), MKBA_OK);
    assert_false(support_exists(ckpt));
    remove(out);
    mkba_model_free(m);
}

/* The same points with base-case values and with PSA draws are different
 * runs, though the design's size, draw and fixed values agree. */
static void test_base_case_is_in_the_key(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    mkba_error err;
    assert_int_equal(study(m, 1, 0, 3, &err), MKBA_EINTERRUPTED);
    support_assert_contains(err.message, "3 of 8 design points are kept in");
    /* The same, as numbers a caller reads without parsing the message. */
    assert_int_equal(last.kept, 3);
    assert_int_equal(last.total, 8);
    assert_string_equal(last.unit, "design points");
    assert_int_equal(last.resumed, 0);
    assert_false(last.unflushed);
    assert_int_equal(study(m, 0, 1, 0, &err), MKBA_EINVAL);
    assert_int_equal(last.kept, 0);
    support_assert_contains(err.message, "the free values were base-case values then, PSA draws now");
    /* The right resume continues. */
    assert_int_equal(study(m, 1, 1, 0, &err), MKBA_OK);
    assert_int_equal(last.resumed, 3);
    assert_int_equal(last.kept, 0);
    assert_false(support_exists(ckpt));
    remove(out);
    mkba_model_free(m);
}

/* A checkpoint cut inside its header is not overwritten by --resume; an
 * empty one (a kill between creating and writing it) is. */
static void test_short_checkpoint(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    mkba_error err;
    FILE *f = fopen(ckpt, "wb");
    assert_non_null(f);
    fputs("MKBA", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(study(m, 0, 1, 0, &err), MKBA_EINVAL);
    support_assert_contains(err.message, "it is not an mkba checkpoint (or is cut short inside its "
                                 "header)");
    struct stat st;
    assert_int_equal(stat(ckpt, &st), 0);
    assert_int_equal(st.st_size, 4);
    assert_int_equal(truncate(ckpt, 0), 0);
    assert_int_equal(study(m, 0, 1, 0, &err), MKBA_OK);
    assert_false(support_exists(ckpt));
    remove(out);
    mkba_model_free(m);
}

/* Without --resume or --force, a checkpoint holding finished points is
 * refused, but one holding none (its header alone: a run killed before its
 * first point) is replaced, as if absent: the same command once refused,
 * naming "0 finished draws". */
static void test_empty_checkpoint_is_replaced(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    mkba_error err;
    assert_int_equal(study(m, 0, 0, 5, &err), MKBA_EINTERRUPTED);
    no_force = 1;
    assert_int_equal(study(m, 0, 0, 0, &err), MKBA_EEXIST);
    support_assert_contains(err.message, "holds 5 finished");
    assert_int_equal(truncate(ckpt, HEADER_CHECKSUM + 8), 0);
    assert_int_equal(study(m, 0, 0, 0, &err), MKBA_OK);
    no_force = 0;
    assert_false(support_exists(ckpt));
    assert_true(support_exists(out));
    remove(out);
    mkba_model_free(m);
}

/* The size estimate's checkpoint (study/estimate.c) is the size of the
 * checkpoint written; --no-checkpoint writes none and estimates none. */
static void test_checkpoint_size_and_none(void **state)
{
    (void)state;
    mkba_model *m = support_model_small();
    assert_non_null(m);
    mkba_error err;
    assert_int_equal(study(m, 0, 0, 5, &err), MKBA_EINTERRUPTED);
    struct stat st;
    assert_int_equal(stat(ckpt, &st), 0);
    mkba_study_options o = { .output = out, .households = 60, .threads = 1,
                             .mode = MKBA_ENGINE_MICRO, .store_draws = 1 };
    mkba_study_estimate e;
    mkba_study_estimate_of(m, 5, 1, &o, &e);
    assert_true(e.checkpoint_bytes == (double)st.st_size);
    /* A record: the row of /draws plus three words. */
    mkba_study_estimate_of(m, 6, 1, &o, &e);
    assert_true(e.checkpoint_bytes - (double)st.st_size == e.row_bytes + 24);
    o.no_checkpoint = 1;
    mkba_study_estimate_of(m, 5, 1, &o, &e);
    assert_true(e.checkpoint_bytes == 0);
    remove(ckpt);

    no_checkpoint = 1;
    assert_int_equal(study(m, 0, 0, 5, &err), MKBA_EINTERRUPTED);
    assert_false(support_exists(ckpt));
    assert_false(support_exists(out));
    assert_int_equal(study(m, 0, 1, 0, &err), MKBA_EINVAL);
    support_assert_contains(err.message, "--no-checkpoint turns off");
    assert_int_equal(study(m, 0, 0, 0, &err), MKBA_OK);
    assert_false(support_exists(ckpt));
    no_checkpoint = 0;
    remove(out);
    mkba_model_free(m);
}

/* The scenario's text does not depend on how its path is written, so a
 * resume naming it another way is the same run. */
static void test_scenario_text_ignores_the_path(void **state)
{
    (void)state;
    char cwd[200], absolute[400];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(absolute, sizeof absolute, "%s/tests/data/include/main.cfg", cwd);
    const char *names[] = { "tests/data/include/main.cfg", "./tests/data/include/main.cfg",
                            "tests/../tests/data/include/main.cfg", absolute };
    char *first = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        mkba_model *m = NULL;
        mkba_error err;
        mkba_error_clear(&err);
        if (mkba_scenario_load(NULL, names[i], &m, &err) != MKBA_OK)
            fail_msg("%s: %s", names[i], err.message);
        const char *t = m->text;
        assert_non_null(strstr(t, "mkba: text of @include"));
        if (first == NULL)
            first = strdup(t);
        else if (strcmp(first, t) != 0)
            fail_msg("the text of %s differs from that of %s", names[i], names[0]);
        mkba_model_free(m);
    }
    free(first);
}

/* ---- the program ---- */

/* Runs `mkba ARGS` with stderr into text; returns the exit status. */
static int mkba(const char *args)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s 2>'%s' >/dev/null </dev/null", bin, args, errpath);
    int st = system(cmd);
    support_slurp(errpath, text, sizeof text);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* While another process holds OUT.lock, every sa method is refused before
 * it writes: --from (which copies into OUT.tmp) and sweep (whose grid is
 * evaluated before its file is written) too, leaving another run's
 * OUT.tmp alone; so is expost --from, which copies into OUT.tmp too. */
static void test_sa_takes_the_lock_first(void **state)
{
    (void)state;
    support_bin();
    char psa[400], args[1200];
    snprintf(psa, sizeof psa, "%s/psa.h5", dir);
    snprintf(args, sizeof args, "run scenarios/default.cfg --draws 60 --households 100 -q "
             "--force -o '%s'", psa);
    if (mkba(args) != 0)
        fail_msg("the PSA run failed: %s", text);
    int fd = open(lockpath, O_RDWR | O_CREAT, 0666);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs("another run's temporary file", f);
    assert_int_equal(fclose(f), 0);
    const char *const methods[] = {
        "prim scenarios/default.cfg --from '%s' --factors 'u_*'",
        "sweep scenarios/default.cfg --grid u_debt_severe=0.01:0.2:3 --households 100%.0s",
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        char method[600];
        snprintf(method, sizeof method, methods[i], psa);
        snprintf(args, sizeof args, "sa %s -q --force -o '%s'", method, out);
        int status = mkba(args);
        if (status != 1)
            fail_msg("%s: exit %d, expected 1: %s", method, status, text);
        support_assert_contains(text, "another mkba run is writing");
        support_slurp(tmp, text, sizeof text);
        assert_string_equal(text, "another run's temporary file");
        assert_false(support_exists(out));
    }
    char psa_b[400];
    snprintf(psa_b, sizeof psa_b, "%s/psa-b.h5", dir);
    snprintf(args, sizeof args, "run scenarios/pathways/model-b.cfg --draws 20 --households 100 "
             "-q --force -o '%s'", psa_b);
    if (mkba(args) != 0)
        fail_msg("the model-b PSA run failed: %s", text);
    snprintf(args, sizeof args, "expost scenarios/pathways/model-b.cfg --observed "
             "scenarios/pathways/observed/model-b-synthetic.csv --from '%s' -q --force -o '%s'",
             psa_b, out);
    int status = mkba(args);
    if (status != 1)
        fail_msg("expost --from: exit %d, expected 1: %s", status, text);
    support_assert_contains(text, "another mkba run is writing");
    support_slurp(tmp, text, sizeof text);
    assert_string_equal(text, "another run's temporary file");
    assert_false(support_exists(out));
    close(fd);
    remove(lockpath);
    remove(tmp);
    remove(psa);
    remove(psa_b);
}

/* A lock file left by another user (root's, mode 0644, in a shared folder
 * with the sticky bit, as in /tmp) cannot be opened for writing; a run of
 * an ordinary user must go ahead all the same. Needs root to make the
 * files of two users; skipped otherwise. */
static void test_stale_lock_of_another_user(void **state)
{
    (void)state;
    support_bin();
    if (geteuid() != 0) {
        print_message("skipped: needs root to create another user's lock file\n");
        skip();
    }
    char shared[] = "/tmp/mkba-test-keys-shared-XXXXXX", o[200], lock[220];
    assert_non_null(mkdtemp(shared));
    assert_int_equal(chmod(shared, 01777), 0);
    snprintf(o, sizeof o, "%s/out.h5", shared);
    snprintf(lock, sizeof lock, "%s.lock", o);
    int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    close(fd);
    char cwd[200], scenario[300];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(scenario, sizeof scenario, "%s/scenarios/default.cfg", cwd);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
            _exit(125);
        execl(bin, bin, "run", scenario, "--draws", "2", "--households", "50", "-q", "-o", o,
              (char *)NULL);
        _exit(126);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
    if (status == 125 || status == 126) {
        remove(lock);
        rmdir(shared);
        print_message("skipped: cannot run mkba as user 65534 here (exit %d)\n", status);
        skip();
    }
    assert_int_equal(status, 0);
    assert_true(support_exists(o));
    remove(o);
    remove(lock);
    assert_int_equal(rmdir(shared), 0);
}

static int setup(void **state)
{
    (void)state;
    bin = getenv("MKBA_BIN");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(out, sizeof out, "%s/out.h5", dir);
    snprintf(ckpt, sizeof ckpt, "%s.ckpt", out);
    snprintf(lockpath, sizeof lockpath, "%s.lock", out);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    snprintf(errpath, sizeof errpath, "%s/stderr", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    static const char *const names[] = { "out.h5", "out.h5.ckpt", "out.h5.lock", "out.h5.tmp",
                                          "psa.h5", "stderr" };
    return support_remove_folder(dir, names, sizeof names / sizeof names[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_another_build_is_refused),
        cmocka_unit_test(test_base_case_is_in_the_key),
        cmocka_unit_test(test_short_checkpoint),
        cmocka_unit_test(test_empty_checkpoint_is_replaced),
        cmocka_unit_test(test_checkpoint_size_and_none),
        cmocka_unit_test(test_scenario_text_ignores_the_path),
        cmocka_unit_test(test_sa_takes_the_lock_first),
        cmocka_unit_test(test_stale_lock_of_another_user),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
