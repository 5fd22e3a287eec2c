/* Write errors as a user meets them: a full disk, a file size limit. The
 * faults are injected deterministically: a child runs the mkba program
 * (MKBA_BIN) under RLIMIT_FSIZE with SIGXFSZ ignored, so every write past
 * the limit fails with EFBIG, at limits spread over the whole file so that
 * each phase (creating the file, the draws, the analyses, the final flush)
 * meets it; and, where mounting is allowed, on a 64 KiB tmpfs (ENOSPC).
 * Each failure must exit 1 with "cannot write OUT: CAUSE" (or, when the
 * checkpoint's write failed first, "cannot write OUT (its checkpoint
 * OUT.ckpt): CAUSE"), print no HDF5 internals, not crash (also under ASan,
 * where MKBA_BIN is the sanitized build) and leave neither OUT nor
 * OUT.tmp. A checkpoint with finished draws is kept, the message saying
 * how to continue, and --resume then completes the run; one whose flush
 * fails too is kept all the same, the message saying so, and resumes
 * (test_checkpoint_lost_too, through the library). A hard limit is
 * also stepped through the whole growth of a run's, a tornado's and an
 * ex-post evaluation's file (test_hard_limit_steps), so that the file
 * meets it at every stage of its growth (HDF5's cache defers most writes
 * to the flush: docs/reliability.md). The summary's workbook and --folder
 * tables meet the limit too. After each failure the whole output folder is
 * listed for leftovers. And a folder, link or FIFO named OUT.tmp is the
 * user's: refused in words and left alone, also when it appears after the
 * stale temporary was removed. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "support.h"
#include "support_run.h"
#include <hdf5.h>
#include "io/h5out.h"
#include "io/h5util.h"
#include "mkba/mkba.h"
#include "support_scratch.h"

static const char *bin;
static char dir[] = "/tmp/mkba-test-write-XXXXXX";
static char out[256], tmp[256], ckpt[256], lock[256], errpath[256], errtext[1 << 16];

/* The small runs whose writes fail: a streaming PSA and a tornado. */
static const char *const run_args =
    "run scenarios/default.cfg --draws 20 --households 200 -q --force";
static const char *const sa_args =
    "sa tornado scenarios/default.cfg --households 100 "
    "--factors p_debt_onset,p_debt_worsen -q --force";

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Set: the child leaves SIGXFSZ at its default action, as a shell's
 * `ulimit -f` does, and mkba itself must turn the signal into EFBIG. */
static int xfsz_default;

/* Set: the limit is the hard one too, which nothing in the child can lift. */
static int hard_limit;

#define NO_LIMIT (-1L)

/* Runs `sh -c COMMAND` in a child whose files may not grow past `limit`
 * bytes (0 included; NO_LIMIT: none), its stderr into errtext through a
 * pipe (a file would meet the limit itself); returns its exit status, or
 * 128 + the signal. */
static int run_limited(const char *command, long limit)
{
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        if (dup2(fd[1], 2) < 0)
            _exit(124);
        if (limit != NO_LIMIT) {
            struct rlimit r;
            signal(SIGXFSZ, xfsz_default ? SIG_DFL : SIG_IGN);
            getrlimit(RLIMIT_FSIZE, &r);
            r.rlim_cur = (rlim_t)limit;
            if (hard_limit)
                r.rlim_max = (rlim_t)limit;
            if (setrlimit(RLIMIT_FSIZE, &r) != 0)
                _exit(125);
        }
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(126);
    }
    close(fd[1]);
    /* Read to the end (a child blocked on a full pipe never ends); what
     * does not fit is dropped. */
    size_t n = 0;
    char chunk[4096];
    ssize_t got;
    while ((got = read(fd[0], chunk, sizeof chunk)) > 0) {
        size_t room = sizeof errtext - 1 - n, take = (size_t)got < room ? (size_t)got : room;
        memcpy(errtext + n, chunk, take);
        n += take;
    }
    errtext[n] = '\0';
    close(fd[0]);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* `mkba ARGS -o OUT` under the limit, stderr into errtext. */
static int mkba_limited(const char *args, long limit)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' %s -o '%s' >/dev/null </dev/null", bin, args, out);
    return run_limited(cmd, limit);
}

static void assert_lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle) != NULL)
        fail_msg("did not expect \"%s\" in:\n%s", needle, hay);
}

/* The test's own files in its folder: the summary's input and output
 * folder, the full disk's stderr. */
static const char *const own_files[] = { "psa.h5", "fold", "stderr" };

/* The first entry of `folder` that a failed command left behind (NULL:
 * none), apart from the test's own files and, when `ckpt_ok`, the
 * checkpoint: the whole folder is listed, so that no scratch file
 * (OUT.tmp.refine.h5 and its own .tmp, .lock, .ckpt, a workbook's
 * temporary) escapes the check. */
static const char *leftover(const char *folder, int ckpt_ok)
{
    static char name[256];
    DIR *d = opendir(folder);
    assert_non_null(d);
    const char *left = NULL;
    struct dirent *e;
    while (left == NULL && (e = readdir(d)) != NULL) {
        int own = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0
                  || (ckpt_ok && strcmp(e->d_name, "out.h5.ckpt") == 0);
        for (size_t i = 0; i < sizeof own_files / sizeof own_files[0]; i++)
            own |= strcmp(e->d_name, own_files[i]) == 0;
        if (!own) {
            snprintf(name, sizeof name, "%s", e->d_name);
            left = name;
        }
    }
    closedir(d);
    return left;
}

/* The failure a user must see, and nothing left that looks like a result. */
static void assert_clean_failure(int status, const char *cause, long limit)
{
    if (status != 1)
        fail_msg("limit %ld: exit %d (expected 1):\n%s", limit, status, errtext);
    /* "cannot write OUT: CAUSE" in every phase: the user's file, not the
     * temporary one, and no object that merely happened to be written
     * when HDF5 met the full disk; or the checkpoint beside it, named. */
    char expected[1200];
    /* "(its checkpoint", not "checkpoint": a coverage build under the limit
     * also prints libgcov's failure to write .../checkpoint.gcda. */
    if (strstr(errtext, "(its checkpoint") != NULL)
        snprintf(expected, sizeof expected, "mkba: cannot write %s (its checkpoint %s.ckpt): %s",
                 out, out, cause);
    else
        snprintf(expected, sizeof expected, "mkba: cannot write %s: %s", out, cause);
    support_assert_contains(errtext, expected);
    assert_lacks(errtext, ".tmp");
    assert_lacks(errtext, "HDF5");
    assert_lacks(errtext, "#000");
    assert_lacks(errtext, "Sanitizer");
    assert_lacks(errtext, "runtime error");
    /* A checkpoint left behind holds finished draws and says so. */
    const char *left = leftover(dir, strstr(errtext, "then run the same command with --resume "
                                            "to continue") != NULL);
    if (left != NULL)
        fail_msg("limit %ld: left %s:\n%s", limit, left, errtext);
}

/* The size of the whole file of `mkba ARGS`, which must succeed unlimited. */
static long unlimited_size(const char *args)
{
    if (mkba_limited(args, NO_LIMIT) != 0)
        fail_msg("unlimited run failed:\n%s", errtext);
    long size = file_size(out);
    assert_true(size > 4096);
    remove(out);
    return size;
}

/* Limits spread over (0, size): the first at 1 KiB, inside the root
 * attributes. */
static void sweep(const char *args, int nlimits)
{
    long size = unlimited_size(args);
    for (int i = 0; i < nlimits; i++) {
        long limit = 1024 + (long)((double)(size - 1024) * i / nlimits);
        assert_clean_failure(mkba_limited(args, limit),
                             "the file is too large (for the file system or the "
                             "process's file size limit) (File too large)", limit);
    }
    /* With room to spare the same command succeeds again (--force
     * discards a checkpoint left by the last failure). */
    assert_int_equal(mkba_limited(args, 4 * size), 0);
    assert_true(support_exists(out));
    assert_false(support_exists(tmp));
    assert_false(support_exists(ckpt));
    remove(out);
}

/* A write that fails for want of room keeps the finished draws: the limit
 * lets the checkpoint take some draws before the result file or the
 * checkpoint meets it; the same command with --resume and room completes
 * the run, taking the kept draws from the checkpoint. */
static void test_full_disk_keeps_the_checkpoint(void **state)
{
    (void)state;
    support_bin();
    long size = unlimited_size(run_args);
    assert_clean_failure(mkba_limited(run_args, size * 2 / 3),
                         "the file is too large (for the file system or the process's file "
                         "size limit) (File too large)", size * 2 / 3);
    assert_true(support_exists(ckpt));
    char args[512];
    snprintf(args, sizeof args, "%s --resume", run_args);
    /* Without -q the run reports what it took from the checkpoint. */
    char *quiet = strstr(args, " -q");
    memmove(quiet, quiet + 3, strlen(quiet + 3) + 1);
    if (mkba_limited(args, NO_LIMIT) != 0)
        fail_msg("resume failed:\n%s", errtext);
    support_assert_contains(errtext, "mkba: resumed: ");
    assert_true(support_exists(out));
    assert_false(support_exists(ckpt));
    assert_false(support_exists(tmp));
    remove(out);
}

static void test_run_file_size_limit(void **state)
{
    (void)state;
    support_bin();
    sweep(run_args, getenv("MKBA_SANITIZED") != NULL ? 6 : 12);
}

/* `ulimit -f` as a user sets it: SIGXFSZ at its default action once
 * killed mkba silently (exit 153) and left OUT.tmp, OUT.lock, OUT.ckpt. */
static void test_size_limit_signal(void **state)
{
    (void)state;
    support_bin();
    long size = unlimited_size(run_args);
    xfsz_default = 1;
    int status = mkba_limited(run_args, size / 3);
    xfsz_default = 0;
    remove(ckpt);
    assert_clean_failure(status, "the file is too large (for the file system or the process's "
                         "file size limit) (File too large)", size / 3);
}

/* The small commands whose file a hard limit is stepped through: a PSA,
 * a tornado and an ex-post evaluation with its refinement (which adds
 * /expost through the store), with the step in KiB after the first 8 KiB
 * (stepped by 1 KiB: the superblock, the root attributes, the labels). */
static const struct stepped {
    const char *args;
    long step_kib;
} stepped[] = {
    { "run scenarios/default.cfg --draws 2 --households 50 -q --force", 8 },
    { "sa tornado scenarios/default.cfg --households 50 --factors p_debt_onset,p_debt_worsen "
      "-q --force", 32 },
    { "expost scenarios/pathways/model-b.cfg --observed "
      "scenarios/pathways/observed/model-b-synthetic.csv --draws 8 --households 50 --moves 1 "
      "--max-stages 2 --accept-partial -q --force", 64 },
};

/* Under the sanitizers one step in SAN_SHARE is taken, the offset turning
 * with each command, besides the first and the last. */
#define SAN_SHARE 4

/* A hard file size limit (soft and hard alike: nothing in mkba can lift
 * it), SIGXFSZ ignored, stepped from 0 through the whole size of each
 * stepped command's file: every step must end in a clean failure naming
 * the file and the cause (assert_clean_failure: exit 1, no OUT, OUT.tmp or
 * OUT.lock, no HDF5 text, no sanitizer report; a checkpoint only with
 * finished draws, said so), and the command must succeed with room. */
static void test_hard_limit_steps(void **state)
{
    (void)state;
    support_bin();
    int san = getenv("MKBA_SANITIZED") != NULL, total = 0;
    hard_limit = 1;
    for (size_t c = 0; c < sizeof stepped / sizeof stepped[0]; c++) {
        long size = unlimited_size(stepped[c].args), limit = 0;
        int runs = 0;
        for (int i = 0; limit < size; i++) {
            long next = limit + (limit < 8192 ? 1024 : stepped[c].step_kib * 1024);
            /* The first step (limit 0: H5Fcreate itself fails) and the
             * last always, the rest sampled. */
            if (!san || i == 0 || next >= size || (size_t)i % SAN_SHARE == c % SAN_SHARE) {
                assert_clean_failure(mkba_limited(stepped[c].args, limit),
                                     "the file is too large (for the file system or the "
                                     "process's file size limit) (File too large)", limit);
                remove(ckpt);
                runs++;
            }
            limit = next;
        }
        assert_int_equal(mkba_limited(stepped[c].args, 2 * size), 0);
        assert_true(support_exists(out));
        assert_false(support_exists(tmp) || support_exists(ckpt) || support_exists(lock));
        remove(out);
        print_message("%s: %d hard limits from 0 to %ld bytes failed cleanly\n",
                      stepped[c].args, runs, size);
        total += runs;
    }
    hard_limit = 0;
    print_message("%d limited runs in all\n", total);
}

/* OUT.tmp is where a result is written before the rename; a leftover
 * regular file there is a killed run's and is replaced, but mkba never
 * makes anything else there: a folder (empty or not), a symbolic link or
 * a FIFO is the user's, refused in words and left as it was, by run, sa
 * and expost. */
static void test_tmp_not_a_file(void **state)
{
    (void)state;
    support_bin();
    static const char *const commands[] = {
        "run scenarios/default.cfg --draws 2 --households 50 -q",
        "sa tornado scenarios/default.cfg --households 50 --factors p_debt_onset -q",
        "expost scenarios/pathways/model-b.cfg --observed "
        "scenarios/pathways/observed/model-b-synthetic.csv --draws 8 --households 50 "
        "--no-refine -q",
    };
    static const struct { const char *what; const char *kind; } things[] = {
        { "empty folder", "folder" }, { "folder", "folder" }, { "link", "symbolic link" },
        { "FIFO", "special file" },
    };
    char inside[300], expected[1024];
    snprintf(inside, sizeof inside, "%s/keep", tmp);
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        for (size_t t = 0; t < sizeof things / sizeof things[0]; t++) {
            if (t < 2)
                assert_int_equal(mkdir(tmp, 0755), 0);
            if (t == 1)
                assert_int_equal(support_write_file(inside, "the user's\n"), 0);
            if (t == 2)
                assert_int_equal(symlink(dir, tmp), 0);
            if (t == 3)
                assert_int_equal(mkfifo(tmp, 0600), 0);
            int status = mkba_limited(commands[c], NO_LIMIT);
            if (status != 1)
                fail_msg("%s, OUT.tmp a %s: exit %d (expected 1):\n%s", commands[c],
                         things[t].what, status, errtext);
            snprintf(expected, sizeof expected, "mkba: cannot write the result file %s: it is "
                     "written first as %s, which is a %s; mkba does not remove that: move it "
                     "away or choose another -o", out, tmp, things[t].kind);
            support_assert_contains(errtext, expected);
            assert_false(support_exists(out) || support_exists(lock));
            struct stat st;
            assert_int_equal(lstat(tmp, &st), 0);
            assert_true(t == 3 ? S_ISFIFO(st.st_mode) : t == 2 ? S_ISLNK(st.st_mode)
                        : S_ISDIR(st.st_mode));
            if (t == 1)
                assert_true(support_exists(inside));
            remove(inside);
            remove(tmp);
        }
    /* A regular file there is a killed run's leftover: replaced. */
    assert_int_equal(support_write_file(tmp, "left by a killed run\n"), 0);
    assert_int_equal(mkba_limited(commands[0], NO_LIMIT), 0);
    assert_true(support_exists(out));
    assert_false(support_exists(tmp));
    remove(out);
}

/* What a failed test of the two above may leave, so the next starts clean. */
static int remove_outputs(void **state)
{
    (void)state;
    char inside[300];
    snprintf(inside, sizeof inside, "%s/keep", tmp);
    remove(inside);
    remove(tmp);
    remove(out);
    remove(ckpt);
    remove(lock);
    static const char *const made[] = { "target", "psa.h5", "book.xlsx" };
    char path[300];
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, made[i]);
        remove(path);
    }
    snprintf(path, sizeof path, "%s/fold", dir);
    support_remove_temp_folder(path);
    /* test_label_closes' file. */
    snprintf(path, sizeof path, "%s/labels.h5", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/labels.h5.tmp", dir);
    remove(path);
    hard_limit = 0;
    return 0;
}

/* The summary's files meet a file size limit as the result files do: the
 * workbook, which libxlsxwriter writes whole at its close into a temporary
 * file, and the tables of --folder. Each failure names the file and the
 * cause, shows none of libxlsxwriter's own [ERROR] lines or zip codes, and
 * leaves nothing behind; with room both succeed. */
static void test_summary_file_size_limit(void **state)
{
    (void)state;
    support_bin();
    char psa[300], book[300], fold[300], cmd[2048], expected[1024];
    snprintf(psa, sizeof psa, "%s/psa.h5", dir);
    snprintf(book, sizeof book, "%s/book.xlsx", dir);
    snprintf(fold, sizeof fold, "%s/fold", dir);
    snprintf(cmd, sizeof cmd, "'%s' run scenarios/default.cfg --draws 4 --households 50 -q "
             "--force -o '%s' >/dev/null </dev/null", bin, psa);
    if (run_limited(cmd, NO_LIMIT) != 0)
        fail_msg("the summary's input failed:\n%s", errtext);
    assert_int_equal(mkdir(fold, 0755), 0);
    static const char *const cause = "the file is too large (for the file system or the "
                                     "process's file size limit) (File too large)";
    const long limits[] = { 0, 4000 };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        snprintf(cmd, sizeof cmd, "'%s' summary '%s' --format xlsx -o '%s' >/dev/null "
                 "</dev/null", bin, psa, book);
        int status = run_limited(cmd, limits[i]);
        if (status != 1)
            fail_msg("workbook, limit %ld: exit %d (expected 1):\n%s", limits[i], status,
                     errtext);
        snprintf(expected, sizeof expected, "mkba: cannot write the workbook %s: %s", book,
                 cause);
        support_assert_contains(errtext, expected);
        assert_lacks(errtext, "[ERROR]");
        assert_lacks(errtext, "ZIP");
        assert_lacks(errtext, ".tmp");
        const char *left = leftover(dir, 0);
        if (left != NULL)
            fail_msg("workbook, limit %ld: left %s:\n%s", limits[i], left, errtext);

        snprintf(cmd, sizeof cmd, "'%s' summary '%s' --format csv --folder '%s' >/dev/null "
                 "</dev/null", bin, psa, fold);
        status = run_limited(cmd, limits[i]);
        if (status != 1)
            fail_msg("--folder, limit %ld: exit %d (expected 1):\n%s", limits[i], status,
                     errtext);
        snprintf(expected, sizeof expected, "mkba: cannot write %s/", fold);
        support_assert_contains(errtext, expected);
        support_assert_contains(errtext, cause);
        assert_lacks(errtext, ".tmp");
        if ((left = leftover(fold, 0)) != NULL)
            fail_msg("--folder, limit %ld: left %s:\n%s", limits[i], left, errtext);
    }
    snprintf(cmd, sizeof cmd, "'%s' summary '%s' --format xlsx -o '%s' >/dev/null </dev/null",
             bin, psa, book);
    assert_int_equal(run_limited(cmd, 1L << 24), 0);
    assert_true(support_exists(book));
    snprintf(cmd, sizeof cmd, "'%s' summary '%s' --format csv --folder '%s' >/dev/null "
             "</dev/null", bin, psa, fold);
    assert_int_equal(run_limited(cmd, 1L << 24), 0);
    snprintf(expected, sizeof expected, "%s/answer.csv", fold);
    assert_true(support_exists(expected));
    remove(book);
    remove(psa);
    assert_int_equal(support_remove_temp_folder(fold), 0);
}

/* A link placed at OUT.tmp after the stale temporary was removed (the
 * output lock is advisory) is refused, not followed: its target, a file of
 * the user's, keeps its contents. */
static void test_tmp_link_placed_late(void **state)
{
    (void)state;
    char target[300], text[64];
    snprintf(target, sizeof target, "%s/target", dir);
    assert_int_equal(support_write_file(target, "the user's\n"), 0);
    assert_int_equal(symlink(target, tmp), 0);
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_scenario_load(NULL, "scenarios/default.cfg", &m, &err), MKBA_OK);
    mkba_run_meta meta = { 1, 2, 50, 1, "microsimulation", "none", 0 };
    mkba_h5_writer *w = mkba_h5_create(out, 1, m, &meta, 2, &err);
    mkba_model_free(m);
    assert_null(w);
    char expected[1024];
    snprintf(expected, sizeof expected, "cannot write the result file %s: %s appeared while the "
             "run started", out, tmp);
    support_assert_contains(err.message, expected);
    support_slurp(target, text, sizeof text);
    assert_string_equal(text, "the user's\n");
    struct stat st;
    assert_int_equal(lstat(tmp, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_false(support_exists(out));
    remove(tmp);
    remove(target);
}

static void test_sa_file_size_limit(void **state)
{
    (void)state;
    support_bin();
    sweep(sa_args, getenv("MKBA_SANITIZED") != NULL ? 3 : 6);
}

/* A real full disk: a 64 KiB tmpfs in a private mount namespace (as root,
 * or as a user where user namespaces are allowed); skipped where mounting
 * is refused. */
static void test_disk_full(void **state)
{
    (void)state;
    support_bin();
    char mnt[300], cmd[3072];
    /* Without user namespaces unshare itself fails (exit 1), which the
     * program's own exit 1 below would be taken for. */
    if (system("unshare -rm true 2>/dev/null") != 0) {
        print_message("skipped: unshare -rm is refused here (no user or mount namespaces)\n");
        skip();
    }
    snprintf(mnt, sizeof mnt, "%s/tiny", dir);
    assert_int_equal(mkdir(mnt, 0700), 0);
    static const char *const cases[] = { run_args, sa_args };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char sout[400];
        snprintf(sout, sizeof sout, "%s/out.h5", mnt);
        snprintf(cmd, sizeof cmd,
                 "unshare -rm sh -c \"mount -t tmpfs -o size=64k none '%s' || exit 77; "
                 "'%s' %s -o '%s' 2>'%s' >/dev/null </dev/null; st=\\$?; "
                 "ls -A '%s' >>'%s'; exit \\$st\" 2>/dev/null",
                 mnt, bin, cases[c], sout, errpath, mnt, errpath);
        remove(errpath);   /* no earlier run's words may stand in for this one's */
        int status = run_limited(cmd, NO_LIMIT);
        support_slurp(errpath, errtext, sizeof errtext);
        if (status == 77 || (status != 1 && errtext[0] == '\0')) {
            rmdir(mnt);
            print_message("skipped: cannot mount a tmpfs here (exit %d)\n", status);
            skip();
        }
        if (status != 1)
            fail_msg("exit %d (expected 1):\n%s", status, errtext);
        /* Whichever file meets the full disk first, the message names the
         * output the user asked for and the cause. */
        char result[512], checkpoint[1024];
        snprintf(result, sizeof result,
                 "mkba: cannot write %s: the disk is full (No space left on device)", sout);
        snprintf(checkpoint, sizeof checkpoint, "mkba: cannot write %s (its checkpoint "
                 "%s.ckpt): the disk is full (No space left on device)", sout, sout);
        if (strstr(errtext, result) == NULL && strstr(errtext, checkpoint) == NULL)
            fail_msg("expected \"%s\" or \"%s\" in:\n%s", result, checkpoint, errtext);
        assert_lacks(errtext, "HDF5");
        assert_lacks(errtext, "Sanitizer");
        /* ls -A of the tmpfs after the run is appended: it must be empty. */
        assert_lacks(errtext, "out.h5\n");
        assert_lacks(errtext, "out.h5.tmp");
        /* A checkpoint is left only with finished draws, and said so. */
        if (strstr(errtext, "out.h5.ckpt\n") != NULL)
            support_assert_contains(errtext, "then run the same command with --resume to continue");
    }
    rmdir(mnt);
}

/* Writes a 1.6 MB dataset into `path` under a file size limit of `limit`
 * bytes and closes the file with mkba_h5_close_file(discard). Returns 0
 * when the close reported what it should (failure unless discarding or
 * the file fits) and left no file open in HDF5, 1 when a file stayed
 * open, 2 when the close's result was wrong. Runs in a child: the limit
 * is the process's, soft and hard alike, so nothing can lift it. */
static int close_under_limit(const char *path, long limit, int discard)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0)
        return 3;
    struct rlimit r = { (rlim_t)limit, (rlim_t)limit };
    if (setrlimit(RLIMIT_FSIZE, &r) != 0)
        return 3;
    hsize_t n = 200000;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t ds = H5Dcreate2(f, "/draws", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT);
    double *v = calloc(n, sizeof *v);
    int written = ds >= 0 && v != NULL
                  && H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0;
    free(v);
    H5Sclose(space);
    /* A group left open too: the close must close it. */
    H5Gcreate2(f, "/labels", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int closed = mkba_h5_close_file(f, discard) == 0;
    if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE) != 0)
        return 1;
    return closed == (discard || written) ? 0 : 2;
}

/* A file whose flush fails must still close for good: HDF5 1.10 keeps a
 * file whose close failed registered and crashes at exit closing it again
 * (this program does not turn HDF5's exit-time cleanup off, so that crash
 * would show as a signal here). Limits from inside the superblock to past
 * the whole file, kept or discarded. */
static void test_failed_close_closes(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/direct.h5", dir);
    const long limits[] = { 1000, 2048, 50000, 100000, 1000000, 1601000, 1700000 };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        for (int discard = 0; discard <= 1; discard++) {
            pid_t pid = fork();
            assert_true(pid >= 0);
            if (pid == 0) {
                signal(SIGXFSZ, SIG_IGN);
                _exit(close_under_limit(path, limits[i], discard));
            }
            int st = 0;
            assert_int_equal(waitpid(pid, &st, 0), pid);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                fail_msg("limit %ld, discard %d: %s %d (1: a file stayed open, 2: wrong "
                         "result, 3: setup failed)",
                         limits[i], discard, WIFEXITED(st) ? "exit" : "signal",
                         WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        }
    remove(path);
}

/* A library user's run under a file size limit, soft (as batch schedulers
 * and `ulimit -S -f` set it) or hard (nothing can lift it), with and
 * without a scratch file: the failed run must say the file is too large
 * and leave no file open in HDF5, whose exit-time cleanup (on here, as in
 * any host program) crashed closing it again. The close once extended the
 * file past the limit: HDF5 gave back its reserved space at the close and
 * truncated to the new end, beyond what reached the disk. */
static int run_under_limit(const char *path, long limit, int hard)
{
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_scenario_load(NULL, "scenarios/default.cfg", &m, &err) != MKBA_OK)
        return 3;
    struct rlimit r;
    getrlimit(RLIMIT_FSIZE, &r);
    r.rlim_cur = (rlim_t)limit;
    if (hard)
        r.rlim_max = (rlim_t)limit;
    if (setrlimit(RLIMIT_FSIZE, &r) != 0)
        return 3;
    mkba_run_options o;
    support_run_options(&o, path, 200, 0);
    o.no_checkpoint = 1;
    int rc = mkba_run(NULL, m, &o, &err);
    mkba_model_free(m);
    if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE) != 0)
        return 1;
    if (rc == MKBA_OK)
        return 2;
    return strstr(err.message, "the file is too large") != NULL ? 0 : 4;
}

static void test_failed_run_closes(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/lib.h5", dir);
    const long limits[] = { 2048, 16384, 65536, 204800, 819200 };
    int failed = 0;
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        for (int k = 0; k < 4; k++) {
            int scratch = k & 1, hard = k >> 1;
            pid_t pid = fork();
            assert_true(pid >= 0);
            if (pid == 0) {
                support_no_scratch = !scratch;
                signal(SIGXFSZ, SIG_IGN);
                /* exit, not _exit: HDF5's exit-time cleanup runs. */
                exit(run_under_limit(path, limits[i], hard));
            }
            int st = 0;
            assert_int_equal(waitpid(pid, &st, 0), pid);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                print_message("%s limit %ld, %s scratch file: %s %d (1: a file stayed "
                              "open, 2: the run succeeded, 3: setup failed, 4: another "
                              "message)\n", hard ? "hard" : "soft", limits[i],
                              scratch ? "a" : "no", WIFEXITED(st) ? "exit" : "signal",
                              WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
                failed++;
            }
        }
    remove(path);
    assert_int_equal(failed, 0);
}

/* The draws' file just before its writer closes it: the run has stored
 * every draw, and the close flushes HDF5's cache and extends the file by
 * about 4 KiB. A limit inside that window fails the close itself
 * (h5write.c, finish), which the hard limit's steps of 8 KiB and more
 * missed. The window is measured here, not written in: the progress
 * callback runs after the last draw is stored and before the close, and
 * the temporary's size at that moment is where the window starts; the
 * first allocation of the library's own while no HDF5 file is open after
 * that (the store that adds the design's attributes, before it reopens
 * the file) sees the closed file, whose size is where the window ends.
 * Every later write (the design, the analyses: about 84 KB) lies past it,
 * so a limit inside the window can only fail the close. */
static const char *const close_args =
    "run scenarios/default.cfg --draws 2 --households 200 --threads 1 -q --force";
static char close_tmp[300];
static long close_size, close_reached, close_end = -1;

/* The temporary's size at the first allocation after the last draw while
 * HDF5 has no file open: the draws' writer has closed it. */
static void note_closed(void)
{
    if (close_reached && close_end < 0 && H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE) == 0)
        close_end = file_size(close_tmp);
}

static void *closing_malloc(void *user, size_t size)
{
    (void)user;
    note_closed();
    return malloc(size);
}

static void *closing_calloc(void *user, size_t n, size_t size)
{
    (void)user;
    note_closed();
    return calloc(n, size);
}

static void *closing_realloc(void *user, void *p, size_t size)
{
    (void)user;
    note_closed();
    return realloc(p, size);
}

static void closing_free(void *user, void *p)
{
    (void)user;
    free(p);
}

static void at_progress(void *user, double done, double total)
{
    (void)user;
    if (done >= total) {
        close_size = file_size(close_tmp);
        close_reached = 1;
    }
}

/* In a child: the library's run of close_args into `path` under a hard
 * limit (NO_LIMIT: none). Writes to fd the size of path's temporary when
 * the last draw was stored (-1: never), whether the run succeeded, the
 * size when the draws' writer had closed it (-1: never seen) and its
 * message. */
static void close_run(const char *path, long limit, int fd)
{
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    long report[3] = { -1, -1, -1 };
    if (mkba_scenario_load(NULL, "scenarios/default.cfg", &m, &err) == MKBA_OK) {
        if (limit != NO_LIMIT) {
            struct rlimit r = { (rlim_t)limit, (rlim_t)limit };
            if (setrlimit(RLIMIT_FSIZE, &r) != 0)
                _exit(3);
        }
        snprintf(close_tmp, sizeof close_tmp, "%s.tmp", path);
        mkba_context ctx;
        mkba_context_init(&ctx);
        ctx.threads = 1;
        ctx.progress = at_progress;
        ctx.alloc = (mkba_allocator){ closing_malloc, closing_calloc, closing_realloc,
                                      closing_free, NULL };
        mkba_run_options o;
        support_run_options(&o, path, 2, 200);
        o.no_checkpoint = 1;
        int rc = mkba_run(&ctx, m, &o, &err);
        mkba_model_free(m);
        report[0] = close_reached ? close_size : -1;
        report[1] = rc;
        if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE) != 0)
            report[1] = -2;
        report[2] = close_end;
    }
    if (write(fd, report, sizeof report) != (ssize_t)sizeof report
        || write(fd, err.message, strlen(err.message) + 1) < 0)
        _exit(4);
    close(fd);
    /* exit, not _exit: HDF5's exit-time cleanup runs. */
    exit(0);
}

/* Forks with a pipe from the child to the test: the child (0 returned)
 * ignores SIGXFSZ (a size limit is then EFBIG, reported in words) and
 * writes fd[1]; the parent reads fd[0]. Each closes the other's end. */
static pid_t fork_piped(int fd[2])
{
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        signal(SIGXFSZ, SIG_IGN);
    } else {
        close(fd[1]);
    }
    return pid;
}

/* What a forked child wrote on pipe fd0: `nreport` longs into report,
 * then a message into msg (of `room` bytes); closes fd0, waits for the
 * child and returns its exit status, or 128 + the signal it died by. */
static int child_said(int fd0, pid_t pid, long *report, size_t nreport, char *msg,
                      size_t room)
{
    if (nreport > 0)
        assert_int_equal(read(fd0, report, nreport * sizeof *report),
                         (ssize_t)(nreport * sizeof *report));
    size_t n = 0;
    ssize_t got;
    while (n + 1 < room && (got = read(fd0, msg + n, room - 1 - n)) > 0)
        n += (size_t)got;
    msg[n] = '\0';
    close(fd0);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* close_run in a child; *size, *rc, *end and msg (of `room` bytes) as it
 * wrote. */
static void close_child(const char *path, long limit, long *size, long *rc, long *end,
                        char *msg, size_t room)
{
    int fd[2];
    pid_t pid = fork_piped(fd);
    if (pid == 0)
        close_run(path, limit, fd[1]);
    long report[3];
    int st = child_said(fd[0], pid, report, 3, msg, room);
    if (st != 0)
        fail_msg("limit %ld: the child ended with status %d (128 + N: signal N)", limit, st);
    *size = report[0];
    *rc = report[1];
    *end = report[2];
}

static void test_limit_at_the_close(void **state)
{
    (void)state;
    support_bin();
    char path[300], msg[2048], expected[600];
    snprintf(path, sizeof path, "%s/close.h5", dir);
    long before = 0, rc = 0, size = 0, end = -1, seen = -1;
    close_child(path, NO_LIMIT, &before, &rc, &end, msg, sizeof msg);
    if (rc != MKBA_OK || before <= 0)
        fail_msg("the unlimited run: status %ld, size %ld before the close: %s", rc, before,
                 msg);
    long whole = file_size(path);
    remove(path);
    /* The window: from the size when the last draw was stored to the size
     * when the writer had closed the file. Under 1 KiB (an HDF5 that
     * flushes less at the close) it is too narrow to place limits in. */
    if (end < before + 1024 || end > whole)
        fail_msg("the close's window: %ld to %ld bytes (the whole file %ld): not 1 KiB or "
                 "more", before, end, whole);
    const long window = end - before;
    /* The library's run: limits at the window's start, a quarter and three
     * quarters into it, each short of `end`, so the close's own writes
     * cross them. */
    snprintf(expected, sizeof expected, "cannot write %s: the file is too large (for the file "
             "system or the process's file size limit) (File too large)", path);
    const long into[] = { 0, window / 4, window * 3 / 4 };
    for (size_t i = 0; i < sizeof into / sizeof into[0]; i++) {
        close_child(path, before + into[i], &size, &rc, &seen, msg, sizeof msg);
        if (size != before)
            fail_msg("limit %ld: the run stopped before its last draw was stored (%ld): %s",
                     before + into[i], size, msg);
        if (rc == -2)
            fail_msg("limit %ld: a file stayed open in HDF5", before + into[i]);
        if (rc != MKBA_EIO || strcmp(msg, expected) != 0)
            fail_msg("limit %ld: status %ld, \"%s\" (expected \"%s\")", before + into[i], rc,
                     msg, expected);
        assert_false(support_exists(path));
        char t[320];
        snprintf(t, sizeof t, "%s.tmp", path);
        assert_false(support_exists(t));
    }
    /* The program's run of the same draws: its root attributes make its
     * file a few bytes longer (15 on 2026-12-06), so its window is shifted
     * by as much; the middle of the library's is inside both. The user
     * reads "cannot write OUT: CAUSE" and the checkpoint keeps both draws. */
    hard_limit = 1;
    assert_clean_failure(mkba_limited(close_args, before + window / 2),
                         "the file is too large (for the file system or the process's file "
                         "size limit) (File too large)", before + window / 2);
    support_assert_contains(errtext, "the 2 of 2 draws finished are kept in");
    hard_limit = 0;
    remove(ckpt);
    print_message("the draws' file held %ld bytes before its close, %ld after it (%ld in "
                  "the end); limits at +0, +%ld and +%ld fail the close\n", before, end,
                  whole, window / 4, window * 3 / 4);
}

/* The checkpoint's own flush failing after a run that keeps it
 * (src/study/study.c, close_checkpoint): after a storage error, the draws'
 * file meeting a size limit at its close as in test_limit_at_the_close
 * (the limit is set to the temporary's size once the last draw is
 * stored, the window's start); or after an interruption, the stop flag
 * raised half way through the run. Either way the checkpoint's descriptor
 * is /dev/full by then, whose fdatasync fails (EINVAL: a device without a
 * flush). No file system fills up between a checkpoint's last write and
 * its flush on demand, so the faults are put in place at that moment by
 * the progress callback, in a child (the limit is the process's). */
static char lost_ckpt[300];
static int lost_swapped, lost_interrupt;
static volatile sig_atomic_t lost_stop;

/* Puts /dev/full under the descriptor the process holds on lost_ckpt;
 * 1 when one was found and replaced. */
static int swap_checkpoint_fd(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return 0;
    int swapped = 0, full = open("/dev/full", O_WRONLY);
    struct dirent *e;
    char link[300], target[512];
    while (full >= 0 && (e = readdir(d)) != NULL) {
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n <= 0)
            continue;
        target[n] = '\0';
        if (strcmp(target, lost_ckpt) == 0 && dup2(full, atoi(e->d_name)) >= 0)
            swapped = 1;
    }
    closedir(d);
    if (full >= 0)
        close(full);
    return swapped;
}

static void lose_checkpoint(void *user, double done, double total)
{
    (void)user;
    if (lost_swapped)
        return;
    if (lost_interrupt && done >= total / 2) {
        /* Two of the four draws are finished and checkpointed; the run
         * stops at its next safe point, inside the third. */
        lost_stop = 1;
        lost_swapped = swap_checkpoint_fd() ? 1 : -1;
    } else if (!lost_interrupt && done >= total) {
        /* The soft limit only, lifted again before the child exits, so
         * that a coverage build's counts are written. */
        struct rlimit r;
        getrlimit(RLIMIT_FSIZE, &r);
        r.rlim_cur = (rlim_t)file_size(close_tmp);
        lost_swapped = setrlimit(RLIMIT_FSIZE, &r) == 0 && swap_checkpoint_fd() ? 1 : -1;
    }
}

/* In a child: a run into path with its checkpoint (2 draws, or 4 when
 * interrupted, of 200 households), the faults placed by lose_checkpoint.
 * Writes to fd the status, whether the faults were placed (1) and the
 * checkpoint's kept and unflushed, then the message. close_tmp and lost_ckpt
 * are path's temporary and checkpoint. */
static void lost_run(const char *path, int fd)
{
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    long report[4] = { -1, 0, -1, -1 };
    if (mkba_scenario_load(NULL, "scenarios/default.cfg", &m, &err) == MKBA_OK) {
        mkba_context ctx;
        mkba_context_init(&ctx);
        ctx.threads = 1;
        ctx.progress = lose_checkpoint;
        ctx.stop = &lost_stop;
        mkba_run_options o;
        support_run_options(&o, path, lost_interrupt ? 4 : 2, 200);
        mkba_checkpoint_info info = { 0 };
        o.checkpoint = &info;
        report[0] = mkba_run(&ctx, m, &o, &err);
        mkba_model_free(m);
        report[1] = lost_swapped;
        report[2] = info.kept;
        report[3] = info.unflushed;
    }
    struct rlimit r;
    getrlimit(RLIMIT_FSIZE, &r);
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_FSIZE, &r);
    if (write(fd, report, sizeof report) != (ssize_t)sizeof report
        || write(fd, err.message, strlen(err.message) + 1) < 0)
        _exit(4);
    close(fd);
    exit(0);
}

/* lost_run (interrupted or not) in a child; fails the test unless it
 * ends with `code` and exactly the message `expected`, the checkpoint
 * reported unflushed, nothing left but the checkpoint, and a resume from
 * that checkpoint completes to the file of an uninterrupted run. */
static void lost_case(int interrupt, int code, const char *expected)
{
    char path[256], msg[2048], t[300];
    snprintf(path, sizeof path, "%s/lost.h5", dir);
    snprintf(close_tmp, sizeof close_tmp, "%s.tmp", path);
    snprintf(lost_ckpt, sizeof lost_ckpt, "%s.ckpt", path);
    lost_interrupt = interrupt;
    int fd[2];
    pid_t pid = fork_piped(fd);
    if (pid == 0)
        lost_run(path, fd[1]);
    long report[4];
    assert_int_equal(child_said(fd[0], pid, report, 4, msg, sizeof msg), 0);
    if (report[1] != 1)
        fail_msg("the faults were not placed (%ld): %s", report[1], msg);
    if (report[0] != code || strcmp(msg, expected) != 0)
        fail_msg("status %ld (expected %d)\ngot      \"%s\"\nexpected \"%s\"", report[0], code,
                 msg, expected);
    /* What the message says is so: the checkpoint kept (its records are
     * checked when resumed), nothing that looks like a result. */
    assert_true(report[2] > 0);   /* kept, counted: a caller reads the numbers */
    assert_int_equal(report[3], 1);
    assert_false(support_exists(path));
    snprintf(t, sizeof t, "%s.tmp", path);
    assert_false(support_exists(t));
    snprintf(t, sizeof t, "%s.lock", path);
    assert_false(support_exists(t));
    snprintf(t, sizeof t, "%s.ckpt", path);
    if (!support_exists(t))
        fail_msg("%s is gone although the message says it is kept", t);
    /* --resume continues from it to the uninterrupted run's numbers. */
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    assert_int_equal(mkba_scenario_load(NULL, "scenarios/default.cfg", &m, &err), MKBA_OK);
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 1;
    char ref[300];
    snprintf(ref, sizeof ref, "%s/lost-ref.h5", dir);
    mkba_run_options o;
    support_run_options(&o, ref, interrupt ? 4 : 2, 200);
    o.no_checkpoint = 1;
    if (mkba_run(&ctx, m, &o, &err) != MKBA_OK)
        fail_msg("the reference run: %s", err.message);
    mkba_checkpoint_info info = { 0 };
    support_run_options(&o, path, interrupt ? 4 : 2, 200);
    o.resume = 1;
    o.checkpoint = &info;
    if (mkba_run(&ctx, m, &o, &err) != MKBA_OK)
        fail_msg("--resume from the unflushed checkpoint: %s", err.message);
    mkba_model_free(m);
    assert_false(support_exists(t));
    assert_true(info.resumed > 0);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, ". scripts/h5-differing.sh && d=$(differing '%s' '%s') && "
             "test -z \"$d\" || { echo \"$d\" >&2; exit 1; }", ref, path);
    if (system(cmd) != 0)
        fail_msg("the resumed file differs from an uninterrupted run's (above)");
    remove(ref);
    remove(path);
}

static void test_checkpoint_lost_too(void **state)
{
    (void)state;
    if (!support_have_dev_full("test_checkpoint_lost_too"))
        skip();
    char path[256], expected[2000];
    snprintf(path, sizeof path, "%s/lost.h5", dir);
    /* The storage error's message, which the program prints after "mkba: ",
     * exiting 1 (mkba_cli_library_error, src/cli/args.c). */
    snprintf(expected, sizeof expected, "cannot write %s: the file is too large (for the file "
             "system or the process's file size limit) (File too large); the checkpoint "
             "could not be flushed either (cannot write %s (its checkpoint %s.ckpt): Invalid "
             "argument); it is kept in %s.ckpt: make room, then run the same command with "
             "--resume to continue from the draws that reached the disk (each is checked)",
             path, path, path, path);
    lost_case(0, MKBA_EIO, expected);
    /* The interruption's, which the program prints after "mkba: interrupted
     * by SIGINT (Ctrl-C): ...; " without its first word, then dies by the
     * signal (mkba_cli_run_error). */
    snprintf(expected, sizeof expected, "interrupted; the checkpoint could not be flushed "
             "(cannot write %s (its checkpoint %s.ckpt): Invalid argument); it is kept in "
             "%s.ckpt: run the same command with --resume to continue from the draws that "
             "reached the disk (each is checked)", path, path, path);
    lost_case(1, MKBA_EINTERRUPTED, expected);
}

/* A label's data reaches the file when its dataset is closed: HDF5 keeps
 * a small dataset's data in its sieve buffer (64 KiB) at H5Dwrite. The
 * writers once left that close unchecked, so a full disk or a size limit
 * there went unreported until a later write failed, and a passing fault
 * lost the label without a word. Here every dataset of /labels of four
 * scenarios (blended arms, services, budget, effects: every writer of
 * /labels) is met in turn: the file is created (mkba_h5_create, which writes the
 * labels) under a file size limit at that dataset's offset in the file,
 * measured from an unlimited create (a dataset without data, such as the
 * effects' labels of a scenario without effects, has none and is skipped;
 * tests/data/mkba.cfg has effects). Labels are written one after another
 * into space taken in that order, so the dataset's own close is the first
 * write past the limit (its metadata waits in HDF5's cache for the
 * flush). The create must fail with the cause and leave no temporary. */
static const char *const label_scenarios[] = { "tests/data/blend.cfg",
                                               "tests/data/services.cfg",
                                               "tests/data/budget.cfg",
                                               "tests/data/mkba.cfg" };

typedef struct label_offset {
    char name[64];
    haddr_t offset;
} label_offset;

typedef struct label_offsets {
    label_offset at[128];
    size_t n;
} label_offsets;

static herr_t note_label(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    label_offsets *l = data;
    hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
    if (ds < 0)
        return 0; /* a group */
    haddr_t at = H5Dget_offset(ds);
    H5Dclose(ds);
    if (at != HADDR_UNDEF && l->n < sizeof l->at / sizeof l->at[0]) {
        snprintf(l->at[l->n].name, sizeof l->at[l->n].name, "%s", name);
        l->at[l->n++].offset = at;
    }
    return 0;
}

/* mkba_h5_create of scenario's model into path under a soft file size
 * limit (NO_LIMIT: none), in a child; 0 when it succeeded, 1 when it failed
 * with "cannot write PATH: the file is too large ...", 2 otherwise (the
 * message into msg). */
static int create_limited(const char *scenario, const char *path, long limit, char *msg,
                          size_t room)
{
    int fd[2];
    pid_t pid = fork_piped(fd);
    if (pid == 0) {
        mkba_model *m = NULL;
        mkba_error err;
        mkba_error_clear(&err);
        int status = 3;
        if (mkba_scenario_load(NULL, scenario, &m, &err) == MKBA_OK) {
            struct rlimit r;
            getrlimit(RLIMIT_FSIZE, &r);
            rlim_t was = r.rlim_cur;
            r.rlim_cur = limit == NO_LIMIT ? was : (rlim_t)limit;
            setrlimit(RLIMIT_FSIZE, &r);
            mkba_run_meta meta = { 1, 2, 50, 1, "microsimulation", "none", 0 };
            mkba_h5_writer *w = mkba_h5_create(path, 1, m, &meta, 0, &err);
            r.rlim_cur = was;
            setrlimit(RLIMIT_FSIZE, &r);
            char expected[600];
            snprintf(expected, sizeof expected, "cannot write %s: the file is too large (for "
                     "the file system or the process's file size limit) (File too large)",
                     path);
            status = w != NULL ? 0 : strcmp(err.message, expected) == 0 ? 1 : 2;
            if (w != NULL && mkba_h5_close(w, 1, &err) != MKBA_OK)
                status = 2;
            mkba_model_free(m);
        }
        if (write(fd[1], err.message, strlen(err.message) + 1) < 0)
            _exit(4);
        close(fd[1]);
        exit(status);
    }
    return child_said(fd[0], pid, NULL, 0, msg, room);
}

static void test_label_closes(void **state)
{
    (void)state;
    char path[256], t[300], msg[1024];
    snprintf(path, sizeof path, "%s/labels.h5", dir);
    snprintf(t, sizeof t, "%s.tmp", path);
    size_t total = 0;
    for (size_t c = 0; c < sizeof label_scenarios / sizeof label_scenarios[0]; c++) {
        const char *sc = label_scenarios[c];
        if (create_limited(sc, path, NO_LIMIT, msg, sizeof msg) != 0)
            fail_msg("%s: the unlimited create failed: %s", sc, msg);
        label_offsets l = { .n = 0 };
        hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        assert_true(f >= 0);
        hid_t g = H5Gopen2(f, "/labels", H5P_DEFAULT);
        assert_true(g >= 0);
        assert_true(H5Literate(g, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, note_label, &l) >= 0);
        H5Gclose(g);
        H5Fclose(f);
        remove(path);
        assert_true(l.n >= 10);
        for (size_t i = 0; i < l.n; i++) {
            int status = create_limited(sc, path, (long)l.at[i].offset, msg, sizeof msg);
            if (status != 1)
                fail_msg("%s, limit %lu at /labels/%s: status %d (1: the cause), \"%s\"", sc,
                         (unsigned long)l.at[i].offset, l.at[i].name, status, msg);
            if (support_exists(path) || support_exists(t))
                fail_msg("%s, limit at /labels/%s: a file is left", sc, l.at[i].name);
        }
        total += l.n;
    }
    print_message("%zu labels met a limit at their own close\n", total);
}

/* The store's whole arrays (mkba_h5_store_strings, _ints, _doubles; only
 * an ex-post evaluation writes the first two, into /expost) meet a limit
 * at their close as the labels do, and so do its slabs (store_slab): the
 * evaluation's file under a limit at the data's offset of
 * /expost/observation (strings), /expost/line (ints), /expost/loglik
 * (doubles) and /analysis/cashflow/npv_draws (a slab per perspective),
 * measured from an unlimited run, must fail cleanly. The user's message
 * is the same whichever write met the limit, and the limit stays for the
 * rest of the run, so this provokes the store's messages but cannot tell
 * which write met it: test_label_closes is what fails when the whole-array
 * helpers stop checking the close, and nothing does for store_slab's (gdb
 * showed its close failing first). */
static const char *const store_args =
    "expost scenarios/pathways/model-b.cfg --observed "
    "scenarios/pathways/observed/model-b-synthetic.csv --draws 8 --households 50 "
    "--no-refine --accept-partial -q --force --threads 1";

static long dataset_offset(const char *path, const char *name)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(ds >= 0);
    haddr_t at = H5Dget_offset(ds);
    H5Dclose(ds);
    H5Fclose(f);
    assert_true(at != HADDR_UNDEF);
    return (long)at;
}

static void test_store_closes(void **state)
{
    (void)state;
    support_bin();
    if (mkba_limited(store_args, NO_LIMIT) != 0)
        fail_msg("the unlimited evaluation failed:\n%s", errtext);
    static const char *const names[] = { "/expost/observation", "/expost/line",
                                         "/expost/loglik", "/analysis/cashflow/npv_draws" };
    const size_t n = sizeof names / sizeof names[0];
    long at[sizeof names / sizeof names[0]];
    for (size_t i = 0; i < n; i++)
        at[i] = dataset_offset(out, names[i]);
    remove(out);
    for (size_t i = 0; i < n; i++)
        assert_clean_failure(mkba_limited(store_args, at[i]),
                             "the file is too large (for the file system or the process's "
                             "file size limit) (File too large)", at[i]);
}

static int setup(void **state)
{
    (void)state;
    bin = getenv("MKBA_BIN");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(out, sizeof out, "%s/out.h5", dir);
    snprintf(tmp, sizeof tmp, "%s/out.h5.tmp", dir);
    snprintf(ckpt, sizeof ckpt, "%s/out.h5.ckpt", dir);
    snprintf(lock, sizeof lock, "%s/out.h5.lock", dir);
    snprintf(errpath, sizeof errpath, "%s/stderr", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char path[300];
    remove(out);
    remove(tmp);
    remove(ckpt);
    remove(errpath);
    snprintf(path, sizeof path, "%s/tiny", dir);
    rmdir(path);
    return rmdir(dir) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_close_closes),
        cmocka_unit_test(test_failed_run_closes),
        cmocka_unit_test(test_run_file_size_limit),
        cmocka_unit_test(test_size_limit_signal),
        cmocka_unit_test(test_sa_file_size_limit),
        cmocka_unit_test_teardown(test_hard_limit_steps, remove_outputs),
        cmocka_unit_test_teardown(test_limit_at_the_close, remove_outputs),
        cmocka_unit_test(test_checkpoint_lost_too),
        cmocka_unit_test_teardown(test_label_closes, remove_outputs),
        cmocka_unit_test_teardown(test_store_closes, remove_outputs),
        cmocka_unit_test_teardown(test_tmp_not_a_file, remove_outputs),
        cmocka_unit_test_teardown(test_tmp_link_placed_late, remove_outputs),
        cmocka_unit_test_teardown(test_summary_file_size_limit, remove_outputs),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_full_disk_keeps_the_checkpoint),
    };
    /* MKBA_TEST_FILTER=test_disk_full runs one part (a glob over the names). */
    if (getenv("MKBA_TEST_FILTER") != NULL)
        cmocka_set_test_filter(getenv("MKBA_TEST_FILTER"));
    return cmocka_run_group_tests_name("write errors", tests, setup, teardown);
}
