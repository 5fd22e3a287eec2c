/* The checkpoint file of a study (checkpoint.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mkba/mkba.h"
#include "study/checkpoint.h"
#include "study/design.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "core/syserr.h"
#include "results/schema.h"
#include "build_id.h"

#define CKPT_MAGIC "MKBACKPT"
#define CKPT_FORMAT 2

/* The header on disk: only 8-byte fields, so the layout has no padding. */
typedef struct ckpt_header {
    char magic[8];
    uint64_t format;
    char build[32];            /* MKBA_VERSION "+" MKBA_BUILD_ID (build_id.h) */
    mkba_checkpoint_key key;
    uint64_t nvalues;          /* doubles per record */
    uint64_t checksum;         /* of everything before it */
} ckpt_header;

/* One array of the draw record: where it is and how many values. */
typedef struct ckpt_field {
    long offset;
    size_t count;
} ckpt_field;

struct mkba_checkpoint {
    char *output;              /* the result file it belongs to */
    char *path;
    int fd;
    ckpt_field *field;         /* [nfield] */
    size_t nfield, nvalues;
    size_t record_size;        /* bytes: index, point key, values, checksum */
    size_t done;
    unsigned char *buf;        /* one record */
};

uint64_t mkba_checkpoint_hash(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

uint64_t mkba_checkpoint_hash_values(uint64_t h, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double x = isnan(v[i]) ? NAN : v[i];
        h = mkba_checkpoint_hash(h, &x, sizeof x);
    }
    return h;
}

/* Whether dataset sp is in the record, as the result writer chooses: every
 * one of the schema, the service outputs only with services. */
static int stored(const mkba_dataset_spec *sp, const mkba_model *m)
{
    return mkba_schema_in_record(sp, m->services.enabled, m->population.enabled);
}

double mkba_checkpoint_bytes(const mkba_model *m, size_t npoints)
{
    size_t axis[MKBA_NAXES];
    mkba_schema_axis_sizes(m, axis);
    double values = 3;         /* the index, point key and checksum words */
    for (size_t i = 0; i < mkba_schema_ndatasets; i++)
        if (stored(&mkba_schema_dataset[i], m))
            values += (double)mkba_schema_draw_count(&mkba_schema_dataset[i], axis);
    return (double)sizeof(ckpt_header) + (double)npoints * values * sizeof(uint64_t);
}

/* Which arrays of the record are stored (stored()), where and how long. */
static int layout(mkba_checkpoint *c, const mkba_model *m, mkba_error *err)
{
    size_t axis[MKBA_NAXES];
    mkba_schema_axis_sizes(m, axis);
    c->field = mkba_malloc(mkba_schema_ndatasets * sizeof *c->field);
    if (c->field == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for a checkpoint");
    for (size_t i = 0; i < mkba_schema_ndatasets; i++) {
        const mkba_dataset_spec *sp = &mkba_schema_dataset[i];
        if (!stored(sp, m))
            continue;
        size_t n = mkba_schema_draw_count(sp, axis);
        c->field[c->nfield++] = (ckpt_field){ sp->field, n };
        c->nvalues += n;
    }
    c->record_size = (3 + c->nvalues) * sizeof(uint64_t);
    return MKBA_OK;
}

/* Writes n bytes at `at`; returns 0 or the errno of the failure (EIO for
 * a write that took nothing, which leaves errno as it was). */
static int write_all(int fd, const void *p, size_t n, off_t at)
{
    const char *b = p;
    while (n > 0) {
        ssize_t k = pwrite(fd, b, n, at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return errno;
        if (k == 0)
            return EIO;
        b += k;
        n -= (size_t)k;
        at += k;
    }
    return 0;
}

/* Reads n bytes at `at` into p; *got says how many it got (fewer only at
 * the end of the file). Returns 0 or the errno of a failed read, which
 * must not pass for the end: what follows may be valid records. */
static int read_all(int fd, void *p, size_t n, off_t at, size_t *got)
{
    char *b = p;
    *got = 0;
    while (*got < n) {
        ssize_t k = pread(fd, b + *got, n - *got, at + (off_t)*got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return errno;
        if (k == 0)
            break;
        *got += (size_t)k;
    }
    return 0;
}

/* The error of a failed write of c's file: the result file the user asked
 * for, the checkpoint in brackets, the cause in words (core/syserr.h). */
static int write_error(const mkba_checkpoint *c, int e, mkba_error *err)
{
    char cause[512];
    mkba_syserr_describe(cause, sizeof cause, e);
    return mkba_error_set_sys(err, MKBA_EIO, e, "cannot write %s (its checkpoint %s): %s",
                              c->output, c->path, cause);
}

static int read_error(const mkba_checkpoint *c, int e, mkba_error *err)
{
    return mkba_error_set_sys(err, MKBA_EIO, e, "cannot read the checkpoint %s of %s: %s",
                              c->path, c->output, strerror(e));
}

static void header_of(ckpt_header *h, const mkba_checkpoint_key *key, size_t nvalues)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, CKPT_MAGIC, sizeof h->magic);
    h->format = CKPT_FORMAT;
    snprintf(h->build, sizeof h->build, "%s+%s", MKBA_VERSION, MKBA_BUILD_ID);
    h->key = *key;
    h->nvalues = nvalues;
    h->checksum = mkba_checkpoint_hash(MKBA_CHECKPOINT_HASH_START, h,
                                       offsetof(ckpt_header, checksum));
}

/* Appends "; " (after the first) and a printf-style item to buf. */
static void add(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    if (*used > 0)
        mkba_str_append(buf, size, used, "; ");
    va_list ap;
    va_start(ap, fmt);
    mkba_str_vappend(buf, size, used, fmt, ap);
    va_end(ap);
}

static const char *mode_name(uint64_t mode)
{
    return mode == 0 ? "microsimulation" : mode == 1 ? "cohort (--cohort)" : "unknown";
}

static const char *design_name(uint64_t kind)
{
    return kind <= MKBA_DESIGN_POINTS ? mkba_design_kind_name((mkba_design_kind)kind) : "unknown";
}

/* Every difference between the checkpoint's header `was` and `now`, into
 * buf ("" when none). */
static void differences(const ckpt_header *was, const ckpt_header *now, const char *unit,
                        char *buf, size_t size)
{
    const mkba_checkpoint_key *a = &was->key, *b = &now->key;
    size_t used = 0;
    buf[0] = '\0';
    if (strncmp(was->build, now->build, sizeof was->build) != 0)
        add(buf, size, &used, "mkba build %.32s made it, this is build %.32s (a checkpoint is "
            "continued only by the program that made it: a rebuilt engine may draw "
            "differently)", was->build, now->build);
    if (a->scenario != b->scenario)
        add(buf, size, &used, "the scenario (its text, @include files included) changed");
    if (a->fixed != b->fixed)
        add(buf, size, &used, "the fixed values (--set) differ");
    if (a->seed != b->seed)
        add(buf, size, &used, "seed %" PRIu64 " then, %" PRIu64 " now (--seed)", a->seed,
            b->seed);
    if (a->households != b->households && a->mode == b->mode)
        add(buf, size, &used, "%" PRIu64 " households then, %" PRIu64 " now (--households)",
            a->households, b->households);
    if (a->mode != b->mode)
        add(buf, size, &used, "mode %s then, %s now", mode_name(a->mode), mode_name(b->mode));
    if (a->design != b->design)
        add(buf, size, &used, "design %s then, %s now", design_name(a->design),
            design_name(b->design));
    if (a->npoints != b->npoints)
        add(buf, size, &used, "%" PRIu64 " %s then, %" PRIu64 " now%s", a->npoints, unit,
            b->npoints, strcmp(unit, "draws") == 0 ? " (--draws)" : "");
    if ((a->first != b->first || a->count != b->count) && a->npoints == b->npoints)
        add(buf, size, &used, "%s %" PRIu64 " to %" PRIu64 " then, %" PRIu64 " to %" PRIu64
            " now", unit, a->first, a->first + a->count, b->first, b->first + b->count);
    if (a->base_case != b->base_case)
        add(buf, size, &used, "the free values were %s then, %s now", a->base_case
            ? "base-case values" : "PSA draws", b->base_case ? "base-case values"
            : "PSA draws");
    if (a->store_draws != b->store_draws)
        add(buf, size, &used, "the file kept %s then, %s now", a->store_draws ? "every draw"
            : "no draws", b->store_draws ? "every draw" : "no draws");
    if (was->nvalues != now->nvalues && a->scenario == b->scenario)
        add(buf, size, &used, "a record of %" PRIu64 " values then, %" PRIu64 " now",
            was->nvalues, now->nvalues);
}

/* Puts a record's fields into buf: index, point key, values, checksum. */
static int pack(mkba_checkpoint *c, uint64_t index, uint64_t point_key,
                const mkba_draw_result *rec, mkba_error *err)
{
    unsigned char *p = c->buf;
    memcpy(p, &index, 8);
    memcpy(p + 8, &point_key, 8);
    p += 16;
    for (size_t f = 0; f < c->nfield; f++) {
        const double *v = *(double *const *)(const void *)((const char *)rec + c->field[f].offset);
        size_t bytes = c->field[f].count * sizeof(double);
        if (bytes > 0 && v == NULL)
            return mkba_error_set(err, MKBA_EINTERNAL, "%s: point %" PRIu64 " has an array "
                                  "missing from its record", c->path, index);
        if (bytes > 0)
            memcpy(p, v, bytes);
        p += bytes;
    }
    uint64_t sum = mkba_checkpoint_hash(MKBA_CHECKPOINT_HASH_START, c->buf, c->record_size - 8);
    memcpy(p, &sum, 8);
    return MKBA_OK;
}

/* Whether buf holds a whole record (its checksum matches) for point index. */
static int record_valid(const mkba_checkpoint *c, uint64_t index)
{
    uint64_t i, sum;
    memcpy(&i, c->buf, 8);
    memcpy(&sum, c->buf + c->record_size - 8, 8);
    return i == index
           && sum == mkba_checkpoint_hash(MKBA_CHECKPOINT_HASH_START, c->buf, c->record_size - 8);
}

static void checkpoint_free(mkba_checkpoint *c)
{
    if (c == NULL)
        return;
    if (c->fd >= 0)
        close(c->fd);
    mkba_free(c->buf);
    mkba_free(c->field);
    mkba_free(c->path);
    mkba_free(c->output);
    mkba_free(c);
}

/* Checks the header of an existing checkpoint against `now` and counts its
 * complete records, checking each one's point key. */
static int continue_existing(mkba_checkpoint *c, const ckpt_header *now, const char *unit,
                             mkba_checkpoint_point_fn point_key, void *user, mkba_error *err)
{
    ckpt_header was;
    size_t got;
    int e = read_all(c->fd, &was, sizeof was, 0, &got);
    if (e != 0)
        return read_error(c, e, err);
    if (got == 0) {
        /* Killed between creating it and writing its header: nothing was
         * finished. */
        e = write_all(c->fd, now, sizeof *now, 0);
        return e != 0 ? write_error(c, e, err) : MKBA_OK;
    }
    if (got < sizeof was || memcmp(was.magic, CKPT_MAGIC, sizeof was.magic) != 0)
        return mkba_error_set(err, MKBA_EINVAL, "cannot resume from %s: it is not an mkba "
                              "checkpoint (or is cut short inside its header); remove it, or use --force without --resume to "
                              "start over", c->path);
    if (was.format != CKPT_FORMAT
        || was.checksum != mkba_checkpoint_hash(MKBA_CHECKPOINT_HASH_START, &was,
                                                offsetof(ckpt_header, checksum)))
        return mkba_error_set(err, MKBA_EINVAL, "cannot resume from %s: its header is damaged "
                              "or of another checkpoint format; use --force without --resume "
                              "to start over", c->path);
    char diff[1200];
    differences(&was, now, unit, diff, sizeof diff);
    if (diff[0] != '\0')
        return mkba_error_set(err, MKBA_EINVAL, "cannot resume from %s: it belongs to another "
                              "run: %s. Repeat the interrupted command exactly, or use --force "
                              "without --resume to start over", c->path, diff);
    const mkba_checkpoint_key *k = &now->key;
    while (c->done < k->count) {
        off_t at = (off_t)sizeof was + (off_t)(c->done * c->record_size);
        if ((e = read_all(c->fd, c->buf, c->record_size, at, &got)) != 0)
            return read_error(c, e, err);
        if (got < c->record_size || !record_valid(c, c->done))
            break;   /* the end, or a record torn by a kill: from here on again */
        uint64_t key;
        memcpy(&key, c->buf + 8, 8);
        size_t point = (size_t)k->first + c->done;
        if (key != point_key(user, point))
            return mkba_error_set(err, MKBA_EINVAL, "cannot resume from %s: point %zu of the "
                                  "design differs from the checkpoint's (what it fixes, or the "
                                  "draw it uses: --factors, --range, -n, --draw or the method); "
                                  "repeat the interrupted command exactly, or use --force "
                                  "without --resume to start over", c->path, point);
        c->done++;
    }
    if (ftruncate(c->fd, (off_t)sizeof was + (off_t)(c->done * c->record_size)) != 0)
        return write_error(c, errno, err);
    return MKBA_OK;
}

/* The whole records after the header of the checkpoint open as fd. */
static size_t held_points(int fd, size_t header, size_t record_size)
{
    struct stat st;
    return fstat(fd, &st) == 0 && (size_t)st.st_size > header
           ? ((size_t)st.st_size - header) / record_size : 0;
}

int mkba_checkpoint_open(const char *output, const mkba_model *m, const mkba_checkpoint_key *key,
                         const char *unit, int resume, int force,
                         mkba_checkpoint_point_fn point_key, void *user,
                         mkba_checkpoint **out, mkba_error *err)
{
    *out = NULL;
    mkba_checkpoint *c = mkba_calloc(1, sizeof *c);
    if (c == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory for the checkpoint of %s", output);
    c->fd = -1;
    size_t n = strlen(output) + sizeof ".ckpt";
    int rc = layout(c, m, err);
    if (rc == MKBA_OK && ((c->path = mkba_malloc(n)) == NULL
                          || (c->output = mkba_strdup(output)) == NULL
                          || (c->buf = mkba_malloc(c->record_size)) == NULL))
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory for the checkpoint of %s", output);
    if (rc != MKBA_OK) {
        checkpoint_free(c);
        return rc;
    }
    snprintf(c->path, n, "%s.ckpt", output);
    ckpt_header now;
    header_of(&now, key, c->nvalues);

    c->fd = open(c->path, O_RDWR | O_CLOEXEC);
    /* Without --resume, one holding no finished point (a run killed before
     * its first) counts as absent: discarding it loses nothing, and the
     * output lock, held here, means no live run owns it. */
    if (c->fd >= 0 && !resume && !force && held_points(c->fd, sizeof now, c->record_size) == 0)
        force = 1;
    if (c->fd >= 0 && !resume && force) {
        close(c->fd);
        c->fd = -1;
        /* Refused by permission: typically another user's checkpoint in a
         * shared sticky folder such as /tmp, which only its owner may clear. */
        if (unlink(c->path) != 0) {
            int e = errno;
            rc = mkba_error_set(err, MKBA_EIO, "cannot remove the old checkpoint %s: %s%s",
                                c->path, strerror(e), e == EPERM || e == EACCES
                                ? "; it belongs to another user or lies in a folder you may "
                                  "not change: ask its owner to remove it, or choose another -o"
                                : "");
        }
    } else if (c->fd >= 0 && !resume) {
        rc = mkba_error_set(err, MKBA_EEXIST, "%s holds %zu finished %s of an interrupted run; "
                            "add --resume to continue it, or --force to start over and "
                            "discard it", c->path,
                            held_points(c->fd, sizeof now, c->record_size), unit);
    } else if (c->fd >= 0) {
        rc = continue_existing(c, &now, unit, point_key, user, err);
    } else if (errno != ENOENT) {
        rc = mkba_error_set(err, MKBA_EIO, "cannot open the checkpoint %s: %s", c->path,
                            strerror(errno));
    }
    if (rc == MKBA_OK && c->fd < 0) {
        c->fd = open(c->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        int e = c->fd < 0 ? errno : write_all(c->fd, &now, sizeof now, 0);
        if (e != 0) {
            rc = write_error(c, e, err);
            if (c->fd >= 0)
                unlink(c->path);
        }
    }
    if (rc != MKBA_OK) {
        checkpoint_free(c);
        return rc;
    }
    *out = c;
    return MKBA_OK;
}

size_t mkba_checkpoint_done(const mkba_checkpoint *c) { return c->done; }

const char *mkba_checkpoint_path(const mkba_checkpoint *c) { return c->path; }

int mkba_checkpoint_read(mkba_checkpoint *c, size_t i, mkba_draw_result *rec, mkba_error *err)
{
    off_t at = (off_t)sizeof(ckpt_header) + (off_t)(i * c->record_size);
    size_t got = 0;
    int e = i < c->done ? read_all(c->fd, c->buf, c->record_size, at, &got) : 0;
    if (e != 0)
        return read_error(c, e, err);
    if (i >= c->done || got < c->record_size || !record_valid(c, i))
        return mkba_error_set(err, MKBA_EIO, "cannot read point %zu back from %s: it changed "
                              "during the run", i, c->path);
    const unsigned char *p = c->buf + 16;
    for (size_t f = 0; f < c->nfield; f++) {
        double *v = *(double **)(void *)((char *)rec + c->field[f].offset);
        size_t bytes = c->field[f].count * sizeof(double);
        if (bytes > 0 && v == NULL)
            return mkba_error_set(err, MKBA_EINTERNAL, "%s: a record array is missing", c->path);
        if (bytes > 0)
            memcpy(v, p, bytes);
        p += bytes;
    }
    return MKBA_OK;
}

int mkba_checkpoint_append(mkba_checkpoint *c, uint64_t point_key,
                           const mkba_draw_result *rec, mkba_error *err)
{
    int rc = pack(c, c->done, point_key, rec, err);
    if (rc != MKBA_OK)
        return rc;
    off_t at = (off_t)sizeof(ckpt_header) + (off_t)(c->done * c->record_size);
    int e = write_all(c->fd, c->buf, c->record_size, at);
    if (e != 0)
        return write_error(c, e, err);
    c->done++;
    return MKBA_OK;
}

int mkba_checkpoint_close(mkba_checkpoint *c, int keep, mkba_error *err)
{
    if (c == NULL)
        return MKBA_OK;
    int rc = MKBA_OK;
    if (keep && fdatasync(c->fd) != 0)
        rc = write_error(c, errno, err);
    if (!keep)
        unlink(c->path);
    checkpoint_free(c);
    return rc;
}
