/* The error record: first error wins, so the innermost, most specific
 * message is the one a person sees. */
#include <stdarg.h>
#include <stdio.h>
#include "mkba/error.h"

mkba_status mkba_error_set(mkba_error *err, mkba_status code, const char *fmt, ...)
{
    if (err == NULL || err->code != MKBA_OK)
        return code;
    err->code = code;
    err->sys_errno = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

mkba_status mkba_error_set_sys(mkba_error *err, mkba_status code, int sys_errno,
                               const char *fmt, ...)
{
    if (err == NULL || err->code != MKBA_OK)
        return code;
    err->code = code;
    err->sys_errno = sys_errno;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

void mkba_error_clear(mkba_error *err)
{
    if (err == NULL)
        return;
    err->code = MKBA_OK;
    err->sys_errno = 0;
    err->message[0] = '\0';
}

const char *mkba_status_name(mkba_status code)
{
    switch (code) {
    case MKBA_OK: return "ok";
    case MKBA_EINVAL: return "invalid input";
    case MKBA_EPARSE: return "parse error";
    case MKBA_EIO: return "input/output error";
    case MKBA_ENOMEM: return "out of memory";
    case MKBA_EEXIST: return "output exists";
    case MKBA_ENUMERIC: return "numerical error";
    case MKBA_EINTERNAL: return "internal error";
    case MKBA_EINTERRUPTED: return "interrupted";
    }
    return "unknown error";
}
