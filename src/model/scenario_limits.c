/* The size limits of a scenario, checked on its text before libconfig
 * parses it. libconfig (1.5) checks each new setting against every earlier
 * one of its group, so parsing takes time quadratic in the settings: 10,000
 * settings in one group took 8 s, 20,000 in our loader a minute; a 50 MiB
 * scenario, many minutes. The main file and every file it @includes
 * (nested too) are measured together, each with stat before it is read.
 * The limits are in docs/reliability.md, "Limits". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "core/alloc.h"
#include "scenario_impl.h"

/* libconfig's own limit on nested @include files. */
#define MAX_INCLUDE_DEPTH 10

typedef struct tally {
    mkba_loader *ld;
    long long bytes;           /* of the files measured so far */
    long settings;             /* assignments ('=' or ':') so far */
} tally;

static int measure_file(tally *t, const char *path, const char *text, int depth);

const char *mkba_sc_skip_text(const char *p, int *line)
{
    if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
        while (p[1] != '\0' && p[1] != '\n')
            p++;
        return p;
    }
    if (p[0] == '/' && p[1] == '*') {
        for (p += 2; *p != '\0' && !(p[0] == '*' && p[1] == '/'); p++)
            *line += *p == '\n';
        return *p == '\0' ? p : p + 1;
    }
    if (*p == '"') {
        for (p++; *p != '\0' && *p != '"'; p++) {
            if (*p == '\\' && p[1] != '\0')
                p++;
            *line += *p == '\n';
        }
        return p;
    }
    return NULL;
}

/* Where libconfig 1.5 opens @include "NAME": in the main scenario's folder,
 * a leading '/' of NAME dropped (scanctx_push_include). */
static void include_path(const mkba_loader *ld, const char *name, size_t n, char *full,
                         size_t size)
{
    int skip = n > 0 && name[0] == '/';
    snprintf(full, size, "%s/%.*s", ld->dir, (int)(n - (size_t)skip), name + skip);
}

/* What a file that is not a regular one is, in words. */
static const char *file_kind(mode_t mode)
{
    return S_ISDIR(mode) ? "a folder" : S_ISFIFO(mode) ? "a pipe" : S_ISSOCK(mode) ? "a socket"
           : S_ISCHR(mode) || S_ISBLK(mode) ? "a device" : "not a regular file";
}

/* A pipe or a device (/dev/stdin, /dev/zero, also behind a symbolic link)
 * has no size to check before it is read and may never end; libconfig
 * would read it once more anyway. */
static int refuse_special(mkba_loader *ld, const char *path, const char *what, mode_t mode)
{
    return mkba_error_set(ld->err, MKBA_EINVAL, "%s: %s is %s; expected a regular file "
                          "(a pipe or device has no size to check and is read twice)", path,
                          what, file_kind(mode));
}

/* Measures the file @included at `path`; a file that cannot be opened or
 * read is left to libconfig, which reports it in its own words. */
static int measure_include(tally *t, const char *path, int depth)
{
    if (depth > MAX_INCLUDE_DEPTH)
        return 0;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return 0;
    if (!S_ISREG(sb.st_mode))
        return refuse_special(t->ld, path, "the @include file", sb.st_mode);
    if ((long long)sb.st_size + t->bytes > MKBA_SCENARIO_MAX_BYTES)
        return mkba_error_set(t->ld->err, MKBA_EINVAL, "%s: the scenario with its @include "
                              "files has more than %d bytes (this file alone %lld), the limit; "
                              "expected a smaller scenario (docs/reliability.md, Limits)",
                              path, MKBA_SCENARIO_MAX_BYTES, (long long)sb.st_size);
    char *text = mkba_sc_read_text(path);
    if (text == NULL)
        return errno == ENOMEM ? mkba_sc_nomem(t->ld) : 0;
    int rc = measure_file(t, path, text, depth);
    mkba_free(text);
    return rc;
}

/* Counts the settings of `text` (the contents of `path`) outside strings
 * and comments, and measures the files it @includes. */
static int measure_file(tally *t, const char *path, const char *text, int depth)
{
    /* A file that grew after stat, or one stat gives no size (/proc): its
     * text was read to at most one byte past the limit. */
    t->bytes += (long long)strlen(text);
    if (t->bytes > MKBA_SCENARIO_MAX_BYTES)
        return mkba_error_set(t->ld->err, MKBA_EINVAL, "%s: the scenario with its @include "
                              "files has more than %d bytes, the limit; expected a smaller "
                              "scenario (docs/reliability.md, Limits)", path,
                              MKBA_SCENARIO_MAX_BYTES);
    int line = 1, at_line_start = 1;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '\n') {
            line++;
            at_line_start = 1;
            continue;
        }
        const char *end = mkba_sc_skip_text(p, &line);
        if (end != NULL) {
            if (*end == '\0')
                break;
            p = end;
        } else if (at_line_start && strncmp(p, "@include", 8) == 0) {
            const char *q1 = strchr(p, '"'), *nl = strchr(p, '\n');
            const char *q2 = q1 != NULL ? strchr(q1 + 1, '"') : NULL;
            if (q2 != NULL && (nl == NULL || q2 < nl)) {
                char full[MKBA_PATH_MAX];
                include_path(t->ld, q1 + 1, (size_t)(q2 - q1 - 1), full, sizeof full);
                int rc = measure_include(t, full, depth + 1);
                if (rc != 0)
                    return rc;
                p = q2;
            }
        } else if ((*p == '=' || *p == ':') && ++t->settings > MKBA_SCENARIO_MAX_SETTINGS) {
            return mkba_error_set(t->ld->err, MKBA_EINVAL, "%s:%d: the scenario with its "
                                  "@include files has more than %d settings here, the limit; "
                                  "expected a smaller scenario (docs/reliability.md, Limits)",
                                  path, line, MKBA_SCENARIO_MAX_SETTINGS);
        }
        if (*p != ' ' && *p != '\t')
            at_line_start = 0;
    }
    return 0;
}

int mkba_sc_check_limits(mkba_loader *ld, const char *text)
{
    tally t = {ld, 0, 0};
    return measure_file(&t, ld->path, text, 0);
}

int mkba_sc_check_file_size(mkba_loader *ld)
{
    struct stat sb;
    if (stat(ld->path, &sb) != 0)
        return 0;   /* reported when it is read, with the system's reason */
    /* A folder is reported when it is read ("Is a directory"). */
    if (!S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
        return refuse_special(ld, ld->path, "the scenario", sb.st_mode);
    if (sb.st_size > MKBA_SCENARIO_MAX_BYTES)
        return mkba_error_set(ld->err, MKBA_EINVAL, "%s: the scenario has %lld bytes, more "
                              "than %d, the limit; expected a smaller scenario "
                              "(docs/reliability.md, Limits)", ld->path,
                              (long long)sb.st_size, MKBA_SCENARIO_MAX_BYTES);
    return 0;
}
