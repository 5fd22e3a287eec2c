/* Tests of the output lock and of resuming interrupted runs, on the mkba
 * program as a user meets it (MKBA_BIN; every test is skipped when it is
 * unset): a second run aimed at the output of a running one is refused
 * and leaves the first's result intact; a run killed (SIGKILL, SIGTERM,
 * SIGINT) at random moments and resumed each time, on 1 and 2 threads,
 * writes a file whose every dataset and attribute (but those describing
 * the writing: created, threads, scenario_path) is identical to an
 * uninterrupted run's, compared both ways; a resume with other options
 * is refused, naming them. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <hdf5.h>
#include "support_run.h"

static char dir[] = "/tmp/mkba-test-resume-XXXXXX";
static char out[600], ref[600], other[600], err_path[600];

/* The run every test interrupts: a few seconds, points in parallel on 2
 * threads, one after the other on 1. */
#define SCENARIO "scenarios/default.cfg", "--draws", "60", "--households", "3000"

static void suffixed(char *buf, size_t size, const char *path, const char *suffix)
{
    snprintf(buf, size, "%s%s", path, suffix);
}

static int run(const char *output, const char *const *args)
{
    return support_finish(support_start(args, output, err_path), 0);
}

/* Starts `mkba ARGS -o out`, sends signo once its checkpoint `ckpt` has
 * `bytes` (some draws), and returns how it ended (as support_finish), its
 * messages in text. */
static int interrupt_after(const char *const *args, const char *ckpt, long bytes, int signo,
                           char *text, size_t size)
{
    pid_t pid = support_start(args, out, err_path);
    int how = support_interrupt_after(pid, ckpt, bytes, signo, 0, NULL, NULL);
    support_slurp(err_path, text, size);
    return how;
}

/* ---- comparing every dataset of two result files ---- */

typedef struct compare {
    hid_t other;
    size_t ndatasets;
    char differs[800];         /* the first difference, "" none */
} compare;

/* Whether dataset `name` has the same type, shape and bytes in both. */
static void compare_dataset(compare *c, hid_t a, const char *name)
{
    hid_t b = H5Dopen2(c->other, name, H5P_DEFAULT);
    if (b < 0) {
        snprintf(c->differs, sizeof c->differs, "%s is missing", name);
        return;
    }
    hid_t ta = H5Dget_type(a), tb = H5Dget_type(b);
    hid_t ma = H5Tget_native_type(ta, H5T_DIR_DEFAULT), mb = H5Tget_native_type(tb, H5T_DIR_DEFAULT);
    hid_t sa = H5Dget_space(a), sb = H5Dget_space(b);
    hssize_t na = H5Sget_simple_extent_npoints(sa), nb = H5Sget_simple_extent_npoints(sb);
    int ra = H5Sget_simple_extent_ndims(sa), rb = H5Sget_simple_extent_ndims(sb);
    hsize_t da[8] = { 0 }, db[8] = { 0 };
    H5Sget_simple_extent_dims(sa, da, NULL);
    H5Sget_simple_extent_dims(sb, db, NULL);
    size_t size = H5Tget_size(ma);
    if (H5Tequal(ma, mb) <= 0 || na != nb || ra != rb || memcmp(da, db, sizeof da) != 0) {
        snprintf(c->differs, sizeof c->differs, "%s has another type or shape", name);
    } else if (na > 0) {
        unsigned char *va = calloc((size_t)na, size), *vb = calloc((size_t)na, size);
        assert_non_null(va);
        assert_non_null(vb);
        if (H5Dread(a, ma, H5S_ALL, H5S_ALL, H5P_DEFAULT, va) < 0
            || H5Dread(b, mb, H5S_ALL, H5S_ALL, H5P_DEFAULT, vb) < 0)
            snprintf(c->differs, sizeof c->differs, "%s cannot be read", name);
        else if (memcmp(va, vb, (size_t)na * size) != 0)
            snprintf(c->differs, sizeof c->differs, "%s differs", name);
        free(va);
        free(vb);
    }
    c->ndatasets++;
    H5Sclose(sa);
    H5Sclose(sb);
    H5Tclose(ma);
    H5Tclose(mb);
    H5Tclose(ta);
    H5Tclose(tb);
    H5Dclose(b);
}

/* The root attributes that describe the writing, not the results. */
static int describes_writing(const char *object, const char *attr)
{
    return strcmp(object, ".") == 0
           && (strcmp(attr, "created") == 0 || strcmp(attr, "threads") == 0
               || strcmp(attr, "scenario_path") == 0);
}

typedef struct attr_visit {
    compare *c;
    const char *object;
    hid_t other;               /* the same object in the other file */
} attr_visit;

/* Whether attribute `attr` has the same type, size and bytes on the
 * object of the other file. */
static herr_t compare_attr(hid_t obj, const char *attr, const H5A_info_t *info, void *user)
{
    (void)info;
    attr_visit *v = user;
    compare *c = v->c;
    if (c->differs[0] != '\0' || describes_writing(v->object, attr))
        return 0;
    if (H5Aexists(v->other, attr) <= 0) {
        snprintf(c->differs, sizeof c->differs, "attribute %s of %s is missing", attr,
                 v->object);
        return 0;
    }
    hid_t a = H5Aopen(obj, attr, H5P_DEFAULT), b = H5Aopen(v->other, attr, H5P_DEFAULT);
    hid_t ta = H5Aget_type(a), tb = H5Aget_type(b);
    hid_t sa = H5Aget_space(a), sb = H5Aget_space(b);
    size_t size = H5Tget_size(ta) * (size_t)H5Sget_simple_extent_npoints(sa);
    /* Object references (the dimension scales' DIMENSION_LIST and
     * REFERENCE_LIST) are addresses in their own file: not compared. */
    int refs = H5Tdetect_class(ta, H5T_REFERENCE) > 0 || H5Tget_class(ta) == H5T_VLEN;
    if (!refs && (H5Tequal(ta, tb) <= 0 || H5Sget_simple_extent_npoints(sa)
                                           != H5Sget_simple_extent_npoints(sb))) {
        snprintf(c->differs, sizeof c->differs, "attribute %s of %s has another type or "
                 "shape", attr, v->object);
    } else if (!refs && H5Tis_variable_str(ta) <= 0 && size > 0) {
        unsigned char *va = calloc(1, size), *vb = calloc(1, size);
        assert_non_null(va);
        assert_non_null(vb);
        if (H5Aread(a, ta, va) < 0 || H5Aread(b, tb, vb) < 0)
            snprintf(c->differs, sizeof c->differs, "attribute %s of %s cannot be read", attr,
                     v->object);
        else if (memcmp(va, vb, size) != 0)
            snprintf(c->differs, sizeof c->differs, "attribute %s of %s differs", attr,
                     v->object);
        free(va);
        free(vb);
    }
    H5Sclose(sa);
    H5Sclose(sb);
    H5Tclose(ta);
    H5Tclose(tb);
    H5Aclose(a);
    H5Aclose(b);
    return 0;
}

static herr_t visit(hid_t root, const char *name, const H5O_info_t *info, void *user)
{
    compare *c = user;
    if (c->differs[0] != '\0')
        return 0;
    if (H5Oexists_by_name(c->other, name, H5P_DEFAULT) <= 0) {
        snprintf(c->differs, sizeof c->differs, "%s is missing", name);
        return 0;
    }
    hid_t o = H5Oopen(root, name, H5P_DEFAULT), p = H5Oopen(c->other, name, H5P_DEFAULT);
    assert_true(o >= 0);
    assert_true(p >= 0);
    attr_visit av = { c, name, p };
    H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, compare_attr, &av);
    if (info->type == H5O_TYPE_DATASET && c->differs[0] == '\0')
        compare_dataset(c, o, name);
    H5Oclose(p);
    H5Oclose(o);
    return 0;
}

/* Compares every object of `a` (datasets, groups, their attributes but
 * those that describe the writing) with the one of that name in `b`;
 * returns the first difference or NULL, and the number of datasets
 * compared in *n. */
static const char *one_way_difference(const char *a, const char *b, size_t *n)
{
    static compare c;
    memset(&c, 0, sizeof c);
    hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT);
    c.other = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (fa < 0 || c.other < 0)
        snprintf(c.differs, sizeof c.differs, "cannot open %s", fa < 0 ? a : b);
    else
        H5Ovisit(fa, H5_INDEX_NAME, H5_ITER_NATIVE, visit, &c);
    if (fa >= 0)
        H5Fclose(fa);
    if (c.other >= 0)
        H5Fclose(c.other);
    *n = c.ndatasets;
    return c.differs[0] != '\0' ? c.differs : NULL;
}

/* Both ways: neither file has an object, dataset or attribute the other
 * lacks or holds otherwise. */
static const char *file_difference(const char *a, const char *b, size_t *n)
{
    size_t back = 0;
    const char *d = one_way_difference(a, b, n);
    return d != NULL ? d : one_way_difference(b, a, &back);
}

static void assert_same_file(const char *a, const char *b)
{
    size_t n = 0;
    const char *d = file_difference(a, b, &n);
    if (d != NULL)
        fail_msg("%s and %s: %s", a, b, d);
    /* /labels, /draws, /analysis or /sa: dozens of datasets, not a handful. */
    assert_true(n > 50);
}

/* The uninterrupted run every other is compared with, and its time. */
static double reference_seconds;

static void reference_run(void)
{
    if (reference_seconds > 0.0)
        return;
    const char *args[] = { "run", SCENARIO, "--threads", "2", "-q", "--force", NULL };
    double t0 = support_now_s();
    int how = run(ref, args);
    reference_seconds = support_now_s() - t0;
    if (how != 1000) {
        char text[4096];
        support_slurp(err_path, text, sizeof text);
        fail_msg("the reference run failed (%d): %s", how, text);
    }
}

/* The comparison can fail: another seed changes the draws. */
static void test_comparison_sees_a_difference(void **state)
{
    (void)state;
    support_bin();
    reference_run();
    const char *args[] = { "run", SCENARIO, "--seed", "7", "-q", "--force", NULL };
    assert_int_equal(run(other, args), 1000);
    size_t n = 0;
    const char *d = file_difference(ref, other, &n);
    assert_non_null(d);
    print_message("another seed: %s\n", d);
    remove(other);
}

/* Two runs to one output: the second, started while the first writes, is
 * refused in words and exits 1; the first completes and its file is the
 * same as the reference run's. The first is frozen (SIGSTOP) while it
 * holds the lock, so the second meets the lock however slowly it starts
 * (the sanitized program on a cold, loaded machine), and let go after. */
static void test_second_run_is_refused(void **state)
{
    (void)state;
    support_bin();
    reference_run();
    char lock[620], tmp[620], first_err[620], text[4096];
    suffixed(lock, sizeof lock, out, ".lock");
    suffixed(tmp, sizeof tmp, out, ".tmp");
    suffixed(first_err, sizeof first_err, out, ".stderr");
    const char *args[] = { "run", SCENARIO, "--threads", "2", "-q", "--force", NULL };
    pid_t first = -1;
    int held = 0, how = 0;
    for (int attempt = 0; attempt < 5 && !held; attempt++) {
        /* A run creates OUT.h5.tmp after taking the lock and renames it
         * before letting go: while the frozen run's tmp exists, it holds
         * the lock. No earlier tmp may stand in for it. */
        remove(out);
        remove(tmp);
        first = support_start(args, out, first_err);
        int status = 0;
        if (support_wait_for_size(first, tmp, 0, &how) == 0) {
            assert_int_equal(kill(first, SIGSTOP), 0);
            assert_int_equal(waitpid(first, &status, WUNTRACED), first);
            if (WIFSTOPPED(status) && support_exists(tmp)) {
                held = 1;
                break;
            }
            if (WIFSTOPPED(status)) {
                kill(first, SIGCONT);
                how = support_finish(first, 0);
            } else {
                how = WIFSIGNALED(status) ? WTERMSIG(status) : 1000 + WEXITSTATUS(status);
            }
        }
        /* It finished before it was frozen: a miss, but it must have
         * succeeded. */
        if (how != 1000) {
            support_slurp(first_err, text, sizeof text);
            fail_msg("the first run failed (%d): %s", how, text);
        }
        print_message("attempt %d: the first run ended before it was stopped; again\n",
                      attempt);
    }
    if (!held)
        fail_msg("the first run was never stopped while it held the lock (5 attempts)");
    /* The second is waited for with a deadline, and the first let go
     * before anything can fail: a lock that waited instead of refusing
     * must fail the test, not leave two runs hanging on each other. */
    pid_t p2 = support_start(args, out, err_path);
    int second = -1, status = 0;
    for (double end = support_now_s() + 120.0; second < 0 && support_now_s() < end;) {
        if (waitpid(p2, &status, WNOHANG) == p2)
            second = WIFSIGNALED(status) ? WTERMSIG(status) : 1000 + WEXITSTATUS(status);
        else
            support_sleep_s(0.01);
    }
    if (second < 0) {
        kill(p2, SIGKILL);
        waitpid(p2, &status, 0);
    }
    int resumed = kill(first, SIGCONT);
    how = support_finish(first, 120.0);
    assert_int_equal(resumed, 0);
    if (second < 0)
        fail_msg("the second run did not end within 120 s of meeting the frozen first run's "
                 "lock: does the lock wait rather than refuse?");
    support_slurp(err_path, text, sizeof text);
    if (how != 1000) {
        char first_text[4096];
        support_slurp(first_err, first_text, sizeof first_text);
        fail_msg("the first run failed (%d): %s", how, first_text);
    }
    if (second != 1001)
        fail_msg("the second run ended with %d, expected exit status 1: %s", second, text);
    support_assert_contains(text, "another mkba run is writing");
    support_assert_contains(text, "wait for it to finish or choose another -o");
    assert_same_file(ref, out);
    /* The lock is gone with its holder; a run now goes ahead. */
    assert_false(support_exists(lock));
    remove(out);
    remove(first_err);
}

/* Kills a run at random moments and resumes it each time, alternating 1
 * and 2 threads (draws one after the other, and in parallel), then lets
 * it complete; the result is the reference, dataset by dataset. The first
 * kill waits for some draws in the checkpoint; the others come at random
 * moments of the first 90% of a run (before the lock, while reading back,
 * while simulating, while analysing). SIGKILL mostly, one SIGTERM and one SIGINT: those die by
 * the signal too, keep the checkpoint and say how to resume. A signal in
 * the program's first milliseconds (exec, the sanitizers' start, the
 * command line) comes before its handler and kills it silently, as it
 * should: so before those two the killed runs' lock and temporary file
 * are removed; the run must say it was interrupted when it held the lock
 * (its handler was in place) or said anything at all, and how to resume
 * when it held the lock (it had seen the checkpoint). Then a last run is
 * killed with draws in its checkpoint and resumed to the end, which must
 * say that it resumed: the random runs need not. */
static void test_killed_runs_resume_to_the_same_file(void **state)
{
    (void)state;
    support_bin();
    reference_run();
    char ckpt[620], tmp[620], lock[620], text[4096];
    suffixed(ckpt, sizeof ckpt, out, ".ckpt");
    suffixed(tmp, sizeof tmp, out, ".tmp");
    suffixed(lock, sizeof lock, out, ".lock");
    remove(out);
    remove(ckpt);
    unsigned seed = (unsigned)time(NULL);
    print_message("kill moments from seed %u; the uninterrupted run took %.2f s\n", seed,
                  reference_seconds);
    srand(seed);
    static const int signals[] = { SIGKILL, SIGTERM, SIGKILL, SIGINT, SIGKILL, SIGKILL };
    const int nsignals = (int)(sizeof signals / sizeof signals[0]);
    int resumed = 0, killed = 0, how = 0, heard = 0;
    for (int attempt = 0; killed <= nsignals; attempt++) {
        if (attempt == 40)
            fail_msg("only %d of %d runs could be killed before they completed", killed,
                     nsignals);
        const char *threads = attempt % 2 == 0 ? "1" : "2";
        const char *args[] = { "run", SCENARIO, "--threads", threads, "--resume", "--force",
                               NULL };
        int words = killed < nsignals && signals[killed] != SIGKILL;
        if (words) {
            remove(lock);
            remove(tmp);
        }
        int held = 0;   /* the run held the lock when signalled */
        pid_t pid = support_start(args, out, err_path);
        if (killed == nsignals) {
            how = support_finish(pid, 0);
        } else if (killed > 0 || !support_wait_for_size(pid, ckpt, 100000, &how)) {
            if (killed > 0)
                support_sleep_s(0.9 * reference_seconds * (double)rand() / RAND_MAX);
            held = support_exists(lock);
            kill(pid, signals[killed]);
            how = support_finish(pid, 0);
        }
        support_slurp(err_path, text, sizeof text);
        if (strstr(text, "mkba: resumed: ") != NULL)
            resumed++;
        if (killed == nsignals && how == 1000)
            break;
        if (how == 1000)
            continue;   /* it completed before its signal: the next starts over */
        if (killed == nsignals || how != signals[killed])
            fail_msg("run %d ended with %d: %s", attempt, how, text);
        killed++;
        assert_false(support_exists(tmp) && how != SIGKILL);
        if (how != SIGKILL && support_exists(ckpt) && (held || text[0] != '\0')) {
            support_assert_contains(text, "interrupted by SIG");
            heard++;
        }
        if (how != SIGKILL && support_exists(ckpt) && held)
            support_assert_contains(text, "run the same command with --resume to continue");
    }
    print_message("%d runs killed, %d resumed from a checkpoint, %d of the 2 SIGTERM/SIGINT "
                  "runs' words checked (a signal before the handler has none)\n", killed,
                  resumed, heard);
    assert_same_file(ref, out);
    assert_false(support_exists(ckpt));
    assert_false(support_exists(tmp));
    /* The random kills need not leave a resume that reads points back (a
     * run killed just after its last draw's checkpoint was removed, then
     * kills before the next run's first draw: none of them says
     * "resumed"). So one for certain: killed with draws in the checkpoint,
     * then run to the end, it must say so and give the same file. */
    remove(out);
    const char *args[] = { "run", SCENARIO, "--threads", "2", "--resume", "--force", NULL };
    pid_t pid = support_start(args, out, err_path);
    if (support_wait_for_size(pid, ckpt, 100000, &how) != 0)
        fail_msg("the run ended (%d) before its checkpoint held three draws", how);
    kill(pid, SIGKILL);
    assert_int_equal(support_finish(pid, 0), SIGKILL);
    assert_int_equal(support_finish(support_start(args, out, err_path), 0), 1000);
    support_slurp(err_path, text, sizeof text);
    support_assert_contains(text, "mkba: resumed: ");
    assert_same_file(ref, out);
    assert_false(support_exists(ckpt));
    remove(out);
}

/* An interrupted run keeps its checkpoint; running again without --resume
 * is refused naming --resume and --force; a resume with other options is
 * refused naming each difference, and leaves the checkpoint. Then the
 * last record is torn, as a kill during its write or a power loss would
 * leave it, with garbage after it: the right command drops that record
 * only, and completes to the reference. */
static void test_resume_checks_the_run(void **state)
{
    (void)state;
    support_bin();
    reference_run();
    char ckpt[620], text[4096];
    suffixed(ckpt, sizeof ckpt, out, ".ckpt");
    remove(out);
    remove(ckpt);
    const char *args[] = { "run", SCENARIO, "--threads", "2", "--force", NULL };
    /* Once some draws are in the checkpoint (one is about 25 kB). */
    int how = interrupt_after(args, ckpt, 100000, SIGTERM, text, sizeof text);
    if (how != SIGTERM)
        fail_msg("expected death by SIGTERM, got %d: %s", how, text);
    assert_true(support_exists(ckpt));
    const char *kept = strstr(text, "removed); ");
    long nkept = 0;
    assert_non_null(kept);
    assert_int_equal(sscanf(kept, "removed); %ld of 60 draws are kept in", &nkept), 1);
    assert_true(nkept >= 2);
    support_assert_contains(text, "draws are kept in");
    support_assert_contains(text, "--resume");

    const char *again[] = { "run", SCENARIO, "-q", NULL };
    assert_int_equal(run(out, again), 1001);
    support_slurp(err_path, text, sizeof text);
    support_assert_contains(text, "finished draws of an interrupted run; add --resume to continue it, "
                          "or --force to start over");

    const char *changed[] = { "run", "scenarios/default.cfg", "--draws", "61", "--households",
                              "2999", "--seed", "3", "--set", "u_debt_severe=0.05", "--resume",
                              "-q", NULL };
    assert_int_equal(run(out, changed), 1001);
    support_slurp(err_path, text, sizeof text);
    support_assert_contains(text, "it belongs to another run");
    support_assert_contains(text, "(--seed)");
    support_assert_contains(text, "3000 households then, 2999 now (--households)");
    support_assert_contains(text, "60 draws then, 61 now (--draws)");
    support_assert_contains(text, "the fixed values (--set) differ");
    const char *cohort[] = { "run", SCENARIO, "--cohort", "--resume", "-q", NULL };
    assert_int_equal(run(out, cohort), 1001);
    support_slurp(err_path, text, sizeof text);
    support_assert_contains(text, "mode microsimulation then, cohort (--cohort) now");
    assert_true(support_exists(ckpt));

    struct stat st;
    assert_int_equal(stat(ckpt, &st), 0);
    assert_int_equal(truncate(ckpt, st.st_size - 1000), 0);
    FILE *f = fopen(ckpt, "ab");
    assert_non_null(f);
    for (int i = 0; i < 3000; i++)
        fputc(0xa5, f);
    assert_int_equal(fclose(f), 0);
    const char *right[] = { "run", SCENARIO, "--threads", "1", "--resume", NULL };
    assert_int_equal(run(out, right), 1000);
    support_slurp(err_path, text, sizeof text);
    char expect[80];
    snprintf(expect, sizeof expect, "mkba: resumed: %ld draws came from the checkpoint",
             nkept - 1);
    support_assert_contains(text, expect);
    assert_same_file(ref, out);
    assert_false(support_exists(ckpt));
    remove(out);
}

/* Copies file `from` to `to`, appending `tail`. */
static void copy_file(const char *from, const char *to, const char *tail)
{
    FILE *in = fopen(from, "rb"), *o = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(o);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, o), n);
    fputs(tail, o);
    fclose(in);
    assert_int_equal(fclose(o), 0);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* A scenario that differs only in an @include'd file is another run: a
 * copy of default.cfg (its includes reached through links) that includes
 * one more file, changed after the interruption by a comment only. */
static void test_resume_sees_included_files(void **state)
{
    (void)state;
    support_bin();
    char sc[620], cfg[640], extra[640], params[620], shared[640], ckpt[620], text[4096];
    char cwd[512], target[600];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(sc, sizeof sc, "%s/sc", dir);
    snprintf(cfg, sizeof cfg, "%s/main.cfg", sc);
    snprintf(extra, sizeof extra, "%s/extra.cfg", sc);
    snprintf(params, sizeof params, "%s/params", dir);
    snprintf(shared, sizeof shared, "%s/shared", sc);
    suffixed(ckpt, sizeof ckpt, out, ".ckpt");
    remove(out);
    remove(ckpt);
    assert_int_equal(mkdir(sc, 0777), 0);
    snprintf(target, sizeof target, "%s/params", cwd);
    assert_int_equal(symlink(target, params), 0);
    snprintf(target, sizeof target, "%s/scenarios/shared", cwd);
    assert_int_equal(symlink(target, shared), 0);
    copy_file("scenarios/default.cfg", cfg, "\n@include \"extra.cfg\"\n");
    write_text(extra, "# nothing yet\n");

    const char *args[] = { "run", cfg, "--draws", "60", "--households", "3000", "--threads",
                           "2", "--force", NULL };
    int how = interrupt_after(args, ckpt, 100000, SIGINT, text, sizeof text);
    if (how != SIGINT)
        fail_msg("expected death by SIGINT, got %d: %s", how, text);
    assert_true(support_exists(ckpt));
    write_text(extra, "# changed\n");
    const char *resume[] = { "run", cfg, "--draws", "60", "--households", "3000", "--resume",
                             "-q", NULL };
    assert_int_equal(run(out, resume), 1001);
    support_slurp(err_path, text, sizeof text);
    support_assert_contains(text, "the scenario (its text, @include files included) changed");
    assert_true(support_exists(ckpt));
    remove(ckpt);
    remove(cfg);
    remove(extra);
    remove(shared);
    remove(params);
    rmdir(sc);
}

/* mkba sa resumes the same way: a Sobol design killed after some of its
 * points refuses a resume with another --range (the points differ though
 * their number does not), and resumed on the other thread count gives the
 * indices, the points' outcomes and every other dataset of an
 * uninterrupted analysis (its file keeps no /draws rows: the checkpoint
 * is what survives). */
static void test_sa_design_resumes(void **state)
{
    (void)state;
    support_bin();
    char ckpt[620], text[4096];
    suffixed(ckpt, sizeof ckpt, out, ".ckpt");
    remove(out);
    remove(ckpt);
#define SOBOL_LOUD "sa", "sobol", "scenarios/default.cfg", "-n", "16", "--factors", "u_*", \
                   "--households", "1000", "--force"
#define SOBOL SOBOL_LOUD, "-q"
    const char *whole[] = { SOBOL, "--threads", "2", NULL };
    assert_int_equal(run(other, whole), 1000);
    const char *args[] = { SOBOL, "--threads", "2", NULL };
    assert_int_equal(interrupt_after(args, ckpt, 200000, SIGKILL, text, sizeof text), SIGKILL);
    assert_true(support_exists(ckpt));
    /* Another range: as many points, other values at each. */
    const char *ranged[] = { SOBOL, "--range", "u_debt_severe=0.01:0.2", "--resume", NULL };
    assert_int_equal(run(out, ranged), 1001);
    support_slurp(err_path, text, sizeof text);
    support_assert_contains(text, "point 0 of the design differs from the checkpoint's");
    assert_true(support_exists(ckpt));
    /* Not quiet: it says how many points it took from the checkpoint. */
    const char *resume[] = { SOBOL_LOUD, "--threads", "1", "--resume", NULL };
#undef SOBOL
#undef SOBOL_LOUD
    int how = run(out, resume);
    support_slurp(err_path, text, sizeof text);
    if (how != 1000)
        fail_msg("the resumed analysis ended with %d: %s", how, text);
    support_assert_contains(text, "design points came from the checkpoint");
    assert_same_file(other, out);
    assert_false(support_exists(ckpt));
    remove(out);
    remove(other);
}

static int setup(void **state)
{
    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(out, sizeof out, "%s/run.h5", dir);
    snprintf(ref, sizeof ref, "%s/reference.h5", dir);
    snprintf(other, sizeof other, "%s/other.h5", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    /* Failed tests may leave their files; remove every name a test uses. */
    static const char *const names[] = {
        "stderr", "run.h5", "run.h5.tmp", "run.h5.ckpt", "run.h5.lock", "run.h5.stderr",
        "reference.h5", "other.h5", "sc/main.cfg", "sc/extra.cfg", "sc/shared", "params",
        "sc"
    };
    return support_remove_folder(dir, names, sizeof names / sizeof names[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comparison_sees_a_difference),
        cmocka_unit_test(test_second_run_is_refused),
        cmocka_unit_test(test_killed_runs_resume_to_the_same_file),
        cmocka_unit_test(test_resume_checks_the_run),
        cmocka_unit_test(test_resume_sees_included_files),
        cmocka_unit_test(test_sa_design_resumes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
