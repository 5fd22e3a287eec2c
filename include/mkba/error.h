/* Error codes and the error record every fallible mkba function fills in.
 *
 * Library code never exits or aborts: it returns a status and leaves a
 * message a person can act on (file, line and setting where known). */
#ifndef MKBA_ERROR_H
#define MKBA_ERROR_H

#include <stddef.h>

typedef enum mkba_status {
    MKBA_OK = 0,
    MKBA_EINVAL,    /* bad scenario or argument value */
    MKBA_EPARSE,    /* malformed file or expression */
    MKBA_EIO,       /* file could not be read or written */
    MKBA_ENOMEM,    /* allocation failed */
    MKBA_EEXIST,    /* output exists and --force was not given */
    MKBA_ENUMERIC,  /* a drawn value broke a constraint during a run */
    MKBA_EINTERNAL, /* a bug: please report it */
    MKBA_EINTERRUPTED /* the context's stop flag was raised (Ctrl-C) */
} mkba_status;

#define MKBA_ERROR_MAX 2048

typedef struct mkba_error {
    mkba_status code;
    /* The system error (errno) behind a failed write, when there was one
     * (mkba_error_set_sys), else 0: lets a caller tell a full disk from
     * other failures without reading the message. */
    int sys_errno;
    char message[MKBA_ERROR_MAX];
} mkba_error;

/* Records code and a printf-style message in err (err may be NULL) and
 * returns code, so callers can write `return mkba_error_set(err, ...)`.
 * The first error wins: a later call does not overwrite a recorded one. */
mkba_status mkba_error_set(mkba_error *err, mkba_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* mkba_error_set that also records the system error behind it. */
mkba_status mkba_error_set_sys(mkba_error *err, mkba_status code, int sys_errno,
                               const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Clears err to MKBA_OK with an empty message. */
void mkba_error_clear(mkba_error *err);

/* A short English name for a status code ("invalid input", ...). */
const char *mkba_status_name(mkba_status code);

#endif
