/* The split of a study's points across MPI ranks (split.h), and the same
 * loop for one process. Built with MPI when MKBA_HAVE_MPI is defined
 * (make MPI=1); otherwise every split is rank 0 of 1. */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "study/split.h"
#include "core/alloc.h"
#ifdef MKBA_HAVE_MPI
#include <mpi.h>
#endif

struct mkba_split {
    int rank, size;
    /* The ranks agreed how this run goes on: a study started, or an
     * agreement found an error; mkba_split_close has nothing to agree. */
    int settled;
#ifdef MKBA_HAVE_MPI
    MPI_Comm comm;             /* MPI_COMM_WORLD, or a child's own copy */
    MPI_Request ctrl;          /* a worker's receive of rank 0's verdict */
    int64_t verdict;
    int ctrl_posted, ctrl_sent;
#endif
};

int mkba_split_rank(const mkba_split *sp) { return sp != NULL ? sp->rank : 0; }
int mkba_split_size(const mkba_split *sp) { return sp != NULL ? sp->size : 1; }
int mkba_split_active(const mkba_split *sp) { return sp != NULL && sp->size > 1; }

/* The loop of one process: every chunk evaluated and stored in order. */
static int points_here(const mkba_split_chunks *c, mkba_error *err)
{
    for (size_t at = c->first; at < c->count; at += c->chunk) {
        size_t n = c->count - at < c->chunk ? c->count - at : c->chunk;
        int rc = c->evaluate(c->user, at, n, err);
        if (rc == MKBA_OK)
            rc = c->store(c->user, at, n, err);
        if (rc != MKBA_OK)
            return rc;
    }
    return MKBA_OK;
}

#ifndef MKBA_HAVE_MPI

int mkba_split_open(int *argc, char ***argv, mkba_split **out, mkba_error *err)
{
    (void)argc;
    (void)argv;
    *out = mkba_calloc(1, sizeof **out);
    if (*out == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    (*out)->size = 1;
    return MKBA_OK;
}

int mkba_split_close(mkba_split *sp, int rc, mkba_error *err)
{
    (void)err;
    mkba_free(sp);
    return rc;
}

int mkba_split_start(mkba_split *sp, int rc, mkba_error *err, uint64_t key, size_t *chunk,
                     size_t *done)
{
    (void)sp;
    (void)err;
    (void)key;
    (void)chunk;
    (void)done;
    return rc;
}

int mkba_split_points(mkba_split *sp, const mkba_split_chunks *c, mkba_error *err)
{
    (void)sp;
    return points_here(c, err);
}

int mkba_split_end(mkba_split *sp, int rc, mkba_error *err)
{
    (void)sp;
    (void)err;
    return rc;
}

int mkba_split_agree(mkba_split *sp, int rc, mkba_error *err)
{
    (void)sp;
    (void)err;
    return rc;
}

int mkba_split_child(mkba_split *sp, int rc, mkba_split **out, mkba_error *err)
{
    (void)sp;
    (void)err;
    *out = NULL;
    return rc;
}

void mkba_split_child_free(mkba_split *child)
{
    mkba_free(child);
}

int mkba_split_all(mkba_split *sp, int *ok, mkba_error *err)
{
    (void)sp;
    (void)ok;
    (void)err;
    return MKBA_OK;
}

int mkba_split_share(mkba_split *sp, void *buf, size_t bytes, mkba_error *err)
{
    (void)sp;
    (void)buf;
    (void)bytes;
    (void)err;
    return MKBA_OK;
}

#else

enum { TAG_DATA = 17, TAG_CTRL, TAG_TEXT };
/* The header of a data message: a status code, or END after a rank's
 * last message of a study; then n records or an error text. */
#define MSG_END INT64_C(-1)
#define HEADER (2 * sizeof(int64_t))

/* Waits for r without spinning a core: Open MPI's blocking calls poll,
 * and on a machine with as many ranks as cores a waiting rank would take
 * the core another rank computes on. A fraction of a millisecond per
 * chunk is the price. */
static void wait_gently(MPI_Request *r, MPI_Status *st)
{
    const struct timespec pause = { 0, 200000 };
    for (;;) {
        int done = 0;
        MPI_Test(r, &done, st);
        if (done)
            return;
        nanosleep(&pause, NULL);
    }
}

int mkba_split_open(int *argc, char ***argv, mkba_split **out, mkba_error *err)
{
    int provided = 0;
    /* Only the main thread calls MPI; OpenMP threads compute. */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return mkba_error_set(err, MKBA_EIO, "cannot start MPI");
    mkba_split *sp = mkba_calloc(1, sizeof *sp);
    if (sp == NULL) {
        MPI_Finalize();
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &sp->rank);
    sp->comm = MPI_COMM_WORLD;
    MPI_Comm_size(MPI_COMM_WORLD, &sp->size);
    /* An error is a status and a message on every rank, never an abort. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    *out = sp;
    return MKBA_OK;
}

int mkba_split_close(mkba_split *sp, int rc, mkba_error *err)
{
    if (sp == NULL)
        return rc;
    if (sp->size > 1 && !sp->settled) {
        int agreed = mkba_split_agree(sp, rc, err);
        if (rc == MKBA_OK)
            rc = agreed;
    }
    MPI_Finalize();
    mkba_free(sp);
    return rc;
}

int mkba_split_start(mkba_split *sp, int rc, mkba_error *err, uint64_t key, size_t *chunk,
                     size_t *done)
{
    if (!mkba_split_active(sp))
        return rc;
    sp->settled = 1;
    sp->ctrl_posted = sp->ctrl_sent = 0;
    uint64_t mine[4] = { (uint64_t)rc, key, (uint64_t)*chunk, (uint64_t)*done };
    uint64_t *all = sp->rank == 0 ? mkba_malloc(4 * (size_t)sp->size * sizeof *all) : NULL;
    /* verdict: the failing rank's code, the failing rank (or the first
     * disagreeing one), the chunk, rank 0's finished points. */
    int64_t verdict[4] = { MKBA_ENOMEM, 0, 1, 0 };
    MPI_Gather(mine, 4, MPI_UINT64_T, all, 4, MPI_UINT64_T, 0, sp->comm);
    if (sp->rank == 0 && all != NULL) {
        verdict[0] = MKBA_OK;
        verdict[1] = -1;
        verdict[3] = (int64_t)all[3];
        for (int r = 0; r < sp->size; r++) {
            const uint64_t *a = all + 4 * r;
            if (verdict[0] == MKBA_OK && a[0] != MKBA_OK) {
                verdict[0] = (int64_t)a[0];
                verdict[1] = r;
            }
            if ((int64_t)a[2] > verdict[2])
                verdict[2] = (int64_t)a[2];
        }
        for (int r = 1; verdict[0] == MKBA_OK && r < sp->size; r++)
            if (all[4 * r + 1] != all[1]) {
                verdict[0] = MKBA_EINVAL;
                verdict[1] = -2 - r;
            }
    }
    mkba_free(all);
    MPI_Bcast(verdict, 4, MPI_INT64_T, 0, sp->comm);
    *chunk = (size_t)verdict[2];
    *done = (size_t)verdict[3];
    int code = (int)verdict[0];
    int failed = (int)verdict[1];
    if (code == MKBA_OK)
        return MKBA_OK;
    if (failed > 0 && sp->rank == failed) {
        const char *text = err != NULL ? err->message : "";
        MPI_Send(text, (int)strlen(text) + 1, MPI_CHAR, 0, TAG_TEXT, sp->comm);
    } else if (failed > 0 && sp->rank == 0) {
        char text[MKBA_ERROR_MAX];
        MPI_Recv(text, sizeof text, MPI_CHAR, failed, TAG_TEXT, sp->comm,
                 MPI_STATUS_IGNORE);
        text[sizeof text - 1] = '\0';
        if (err != NULL)
            mkba_error_clear(err);
        mkba_error_set(err, (mkba_status)code, "rank %d of %d: %s", failed, sp->size,
                       text[0] ? text : mkba_status_name((mkba_status)code));
    } else if (failed <= -2 && sp->rank == 0) {
        mkba_error_set(err, MKBA_EINVAL, "rank %d of %d does not run the same study as rank 0: "
                       "another scenario text (or @include file), seed, number of draws or "
                       "points, households, --set value or design; every rank must run the "
                       "same command on the same scenario", -2 - failed, sp->size);
    }
    if (sp->rank != failed)
        mkba_error_set(err, (mkba_status)code, "stopped: %s", failed == 0 || failed <= -2
                       ? "rank 0 reported the error" : "another rank reported the error");
    return code;
}

/* The size of a data message of up to `chunk` records of `nvalues`. */
static size_t message_size(size_t chunk, size_t nvalues)
{
    size_t data = HEADER + chunk * nvalues * sizeof(double);
    return data > HEADER + MKBA_ERROR_MAX ? data : HEADER + MKBA_ERROR_MAX;
}

/* Rank 0: receives worker w's next message into buf; returns its code
 * (MSG_END after its last), with the records unpacked into rec or the
 * error in err. */
static int64_t receive(const mkba_split *sp, int w, unsigned char *buf, size_t size,
                       const mkba_split_chunks *c, size_t nvalues, mkba_error *err)
{
    MPI_Request r;
    MPI_Status st;
    MPI_Irecv(buf, (int)size, MPI_BYTE, w, TAG_DATA, sp->comm, &r);
    wait_gently(&r, &st);
    int64_t code, n;
    memcpy(&code, buf, sizeof code);
    memcpy(&n, buf + sizeof code, sizeof n);
    if (code == MKBA_OK) {
        for (int64_t j = 0; j < n; j++) {
            const unsigned char *from = buf + HEADER + (size_t)j * nvalues * sizeof(double);
            /* Aligned copy: the buffer holds doubles after a 16-byte header. */
            mkba_draw_result_unpack(c->rec[j], (const double *)(const void *)from);
        }
    } else if (code != MSG_END) {
        buf[size - 1] = '\0';
        mkba_error_set(err, (mkba_status)code, "rank %d: %s", w, (const char *)buf + HEADER);
    }
    return code;
}

/* Rank 0's part: every chunk in order, its own evaluated, the others'
 * received; then each worker's END. */
static int points_rank0(mkba_split *sp, const mkba_split_chunks *c, size_t nvalues,
                        mkba_error *err)
{
    size_t size = message_size(c->chunk, nvalues);
    unsigned char *buf = mkba_malloc(size);
    int *ended = mkba_calloc((size_t)sp->size, sizeof *ended);
    int rc = buf != NULL && ended != NULL ? MKBA_OK
             : mkba_error_set(err, MKBA_ENOMEM, "out of memory for the records of other ranks");
    size_t k = 0;
    for (size_t at = c->first; rc == MKBA_OK && at < c->count; at += c->chunk, k++) {
        size_t n = c->count - at < c->chunk ? c->count - at : c->chunk;
        int owner = (int)(k % (size_t)sp->size);
        if (owner == 0) {
            rc = c->evaluate(c->user, at, n, err);
        } else {
            int64_t code = receive(sp, owner, buf, size, c, nvalues, err);
            if (code == MSG_END) {
                ended[owner] = 1;
                rc = mkba_error_set(err, MKBA_EINTERNAL, "rank %d stopped early", owner);
            } else {
                rc = (int)code;
            }
        }
        if (rc == MKBA_OK)
            rc = c->store(c->user, at, n, err);
    }
    if (rc != MKBA_OK) {
        /* Stop every rank now; they each end with END. */
        int64_t verdict = rc;
        for (int w = 1; w < sp->size; w++)
            MPI_Send(&verdict, 1, MPI_INT64_T, w, TAG_CTRL, sp->comm);
        sp->ctrl_sent = 1;
    }
    mkba_error ignored;
    for (int w = 1; buf != NULL && ended != NULL && w < sp->size; w++)
        while (!ended[w])
            ended[w] = receive(sp, w, buf, size, c, nvalues, &ignored) == MSG_END;
    mkba_free(buf);
    mkba_free(ended);
    return rc;
}

/* A worker's part: its chunks, each sent to rank 0 (or its error, which
 * ends its part), until rank 0 says stop; then END. */
static int points_worker(mkba_split *sp, const mkba_split_chunks *c, size_t nvalues,
                         mkba_error *err)
{
    MPI_Irecv(&sp->verdict, 1, MPI_INT64_T, 0, TAG_CTRL, sp->comm, &sp->ctrl);
    sp->ctrl_posted = 1;
    size_t size = message_size(c->chunk, nvalues);
    unsigned char *buf = mkba_malloc(size);
    int rc = buf != NULL ? MKBA_OK
             : mkba_error_set(err, MKBA_ENOMEM, "out of memory for the records to send");
    const size_t step = c->chunk * (size_t)sp->size;
    for (size_t at = c->first + c->chunk * (size_t)sp->rank; buf != NULL && at < c->count;
         at += step) {
        int stop = 0;
        MPI_Test(&sp->ctrl, &stop, MPI_STATUS_IGNORE);
        if (stop)
            break;
        size_t n = c->count - at < c->chunk ? c->count - at : c->chunk;
        rc = c->evaluate(c->user, at, n, err);
        int64_t code = rc, count = (int64_t)n;
        size_t bytes = HEADER;
        if (rc == MKBA_OK) {
            for (size_t j = 0; j < n; j++)
                mkba_draw_result_pack(c->rec[j], (double *)(void *)(buf + HEADER
                                      + j * nvalues * sizeof(double)));
            bytes += n * nvalues * sizeof(double);
        } else {
            size_t len = err != NULL ? strlen(err->message) : 0;
            if (len > MKBA_ERROR_MAX - 1)
                len = MKBA_ERROR_MAX - 1;
            if (len > 0)
                memcpy(buf + HEADER, err->message, len);
            buf[HEADER + len] = '\0';
            bytes += len + 1;
        }
        memcpy(buf, &code, sizeof code);
        memcpy(buf + sizeof code, &count, sizeof count);
        MPI_Request r;
        MPI_Isend(buf, (int)bytes, MPI_BYTE, 0, TAG_DATA, sp->comm, &r);
        wait_gently(&r, MPI_STATUS_IGNORE);
        if (rc != MKBA_OK)
            break;
    }
    int64_t end[2] = { MSG_END, 0 };
    MPI_Send(end, (int)sizeof end, MPI_BYTE, 0, TAG_DATA, sp->comm);
    mkba_free(buf);
    return rc;
}

int mkba_split_points(mkba_split *sp, const mkba_split_chunks *c, mkba_error *err)
{
    if (!mkba_split_active(sp))
        return points_here(c, err);
    size_t nvalues = mkba_draw_result_nvalues(c->rec[0]);
    return sp->rank == 0 ? points_rank0(sp, c, nvalues, err)
                         : points_worker(sp, c, nvalues, err);
}

int mkba_split_end(mkba_split *sp, int rc, mkba_error *err)
{
    if (!mkba_split_active(sp))
        return rc;
    if (sp->rank == 0) {
        int64_t verdict = rc;
        for (int w = 1; !sp->ctrl_sent && w < sp->size; w++)
            MPI_Send(&verdict, 1, MPI_INT64_T, w, TAG_CTRL, sp->comm);
        sp->ctrl_sent = 1;
        return rc;
    }
    if (!sp->ctrl_posted)
        MPI_Irecv(&sp->verdict, 1, MPI_INT64_T, 0, TAG_CTRL, sp->comm, &sp->ctrl);
    sp->ctrl_posted = 0;
    /* A request already completed by MPI_Test is MPI_REQUEST_NULL: the
     * wait returns at once. */
    wait_gently(&sp->ctrl, MPI_STATUS_IGNORE);
    int verdict = (int)sp->verdict;
    if (verdict == MKBA_OK || rc != MKBA_OK)
        return verdict != MKBA_OK ? verdict : rc;
    return mkba_error_set(err, (mkba_status)verdict, "stopped: rank 0 reported the error");
}

int mkba_split_agree(mkba_split *sp, int rc, mkba_error *err)
{
    if (!mkba_split_active(sp))
        return rc;
    /* The Gather of a study's start, which a rank that failed before it
     * joins from mkba_split_close: whichever of the two the others are
     * in, the collectives match. An agreement that every rank is well
     * settles nothing: a study's start or the close agrees next. */
    const int settled = sp->settled;
    size_t chunk = 1, done = 0;
    int agreed = mkba_split_start(sp, rc, err, 0, &chunk, &done);
    if (agreed == MKBA_OK)
        sp->settled = settled;
    return agreed;
}

int mkba_split_child(mkba_split *sp, int rc, mkba_split **out, mkba_error *err)
{
    *out = NULL;
    if (!mkba_split_active(sp))
        return rc;
    mkba_split *child = rc == MKBA_OK ? mkba_calloc(1, sizeof *child) : NULL;
    if (rc == MKBA_OK && child == NULL)
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    /* Every rank set up (and has its struct) before any duplicates the
     * communicator, or one that failed would leave the others waiting in
     * MPI_Comm_dup. */
    rc = mkba_split_agree(sp, rc, err);
    if (rc == MKBA_OK && MPI_Comm_dup(sp->comm, &child->comm) != MPI_SUCCESS)
        rc = mkba_error_set(err, MKBA_EIO, "cannot set up the nested studies across the "
                            "ranks: MPI_Comm_dup failed");
    if (rc != MKBA_OK) {
        mkba_free(child);
        return rc;
    }
    child->rank = sp->rank;
    child->size = sp->size;
    *out = child;
    return MKBA_OK;
}

void mkba_split_child_free(mkba_split *child)
{
    if (child == NULL)
        return;
    MPI_Comm_free(&child->comm);
    mkba_free(child);
}

int mkba_split_all(mkba_split *sp, int *ok, mkba_error *err)
{
    if (!mkba_split_active(sp))
        return MKBA_OK;
    int mine = *ok != 0;
    if (MPI_Allreduce(&mine, ok, 1, MPI_INT, MPI_MIN, sp->comm) != MPI_SUCCESS)
        return mkba_error_set(err, MKBA_EIO, "the ranks cannot agree (MPI_Allreduce failed)");
    return MKBA_OK;
}

int mkba_split_share(mkba_split *sp, void *buf, size_t bytes, mkba_error *err)
{
    if (!mkba_split_active(sp))
        return MKBA_OK;
    const size_t piece = (size_t)1 << 30;
    for (size_t at = 0; at < bytes; at += piece) {
        size_t n = bytes - at < piece ? bytes - at : piece;
        /* Non-blocking and waited for gently: the other ranks wait here
         * while rank 0 works between nested studies, and must not spin. */
        MPI_Request r;
        if (MPI_Ibcast((unsigned char *)buf + at, (int)n, MPI_BYTE, 0, sp->comm, &r)
            != MPI_SUCCESS)
            return mkba_error_set(err, MKBA_EIO, "cannot send %zu bytes from rank 0 to the "
                                  "other ranks (MPI_Ibcast failed)", bytes);
        wait_gently(&r, MPI_STATUS_IGNORE);
    }
    return MKBA_OK;
}

#endif
