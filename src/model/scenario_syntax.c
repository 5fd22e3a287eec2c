/* Explaining libconfig's parse errors. libconfig (1.5) reports an @include
 * it cannot open, a duplicate setting name and every syntax error with a
 * fixed text and a line number only. This file reads that line again and
 * says which file was looked for where, which setting is doubled, and, for
 * the two slips of people used to spreadsheets (a decimal comma, a formula
 * typed as a bare number), how to write the value instead. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scenario_impl.h"
#include "core/alloc.h"

#define GENERIC_EXPECTED "expected libconfig syntax: name = value; with { } groups, " \
                         "( ) lists and [ ] arrays"
#define MAX_DEPTH 64

/* ------------------------------------------------------------ line text */

/* A copy of line `line` (1-based) of text without its newline, with '#'
 * and '//' comments and the contents of "strings" kept (comments are cut
 * off), or NULL when the text is shorter or memory is out. */
static char *line_of(const char *text, int line)
{
    const char *p = text;
    for (int l = 1; l < line && p != NULL; l++)
        if ((p = strchr(p, '\n')) != NULL)
            p++;
    if (p == NULL || line < 1)
        return NULL;
    size_t n = strcspn(p, "\r\n");
    char *s = mkba_malloc(n + 1);
    if (s == NULL) {
        errno = ENOMEM;     /* told apart from a text that is shorter */
        return NULL;
    }
    memcpy(s, p, n);
    s[n] = '\0';
    int in_string = 0;
    for (char *q = s; *q != '\0'; q++) {
        if (in_string) {
            if (*q == '\\' && q[1] != '\0')
                q++;
            else if (*q == '"')
                in_string = 0;
        } else if (*q == '"') {
            in_string = 1;
        } else if (*q == '#' || (q[0] == '/' && q[1] == '/')) {
            *q = '\0';
            break;
        }
    }
    return s;
}

static int is_name_start(int c)
{
    return isalpha(c) || c == '*';
}

static int is_name_char(int c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '*';
}

/* ------------------------------------------------- walking the settings */

/* A setting name seen in a group: where it starts in the text, its length
 * and its line. */
typedef struct seen_name {
    const char *start;
    size_t len;
    int line;
} seen_name;

/* One open group, list or array while walking the text. */
typedef struct scope {
    char kind;                 /* 'r' root, '{' group, '(' list, '[' array */
    char path[MKBA_PATH_MAX];  /* its setting path, "" for the root */
    int index;                 /* element index in a list or array */
    int open_line;             /* where it was opened (0 for the root) */
    const char *name;          /* in a group: the setting being read */
    size_t name_len;
    seen_name *names;          /* in a group: the names set so far */
    size_t nnames, cap;
} scope;

/* What the walk looks for: the first setting name on line `line` that is
 * already set in its group (want == NULL), or named `want`. */
typedef struct walk_result {
    char path[MKBA_PATH_MAX];  /* the setting's path */
    int first_line;            /* where a doubled name was first set, or 0 */
    /* Without a match, for want == NULL: the paths of the names on `line`
     * in groups opened before it, which may have been set in another file
     * (the one that @include'd this one, or one included before), and how
     * many there are. */
    char others[MKBA_PATH_MAX];
    int nothers;
} walk_result;

/* The path of the setting `parent` is reading (a member or an element)
 * into buf; returns snprintf's count (a longer path is cut off). */
static int child_path(const scope *parent, char *buf, size_t size)
{
    const char *name = parent->name != NULL ? parent->name : "";
    if (parent->kind == '(' || parent->kind == '[')
        return snprintf(buf, size, "%s.[%d]", parent->path, parent->index);
    if (parent->kind == 'r')
        return snprintf(buf, size, "%.*s", (int)parent->name_len, name);
    return snprintf(buf, size, "%s.%.*s", parent->path, (int)parent->name_len, name);
}

/* Skips a comment or string starting at *pp, counting newlines; returns 1
 * when there was one. */
static int skip_comment_or_string(const char **pp, int *line)
{
    const char *p = *pp;
    if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
        while (*p != '\0' && *p != '\n')
            p++;
    } else if (p[0] == '/' && p[1] == '*') {
        for (p += 2; *p != '\0' && !(p[0] == '*' && p[1] == '/'); p++)
            *line += *p == '\n';
        if (*p != '\0')
            p += 2;
    } else if (*p == '"') {
        for (p++; *p != '\0' && *p != '"'; p++) {
            if (*p == '\\' && p[1] != '\0')
                p++;
            *line += *p == '\n';
        }
        if (*p != '\0')
            p++;
    } else {
        return 0;
    }
    *pp = p;
    return 1;
}

/* Walks `text` (one file, parsed by libconfig up to `line`) as libconfig
 * does, keeping the path of each group, list and array, and stops at the
 * first setting name on `line` that matches (see walk_result). Returns 1
 * when found, 0 when not, -1 when out of memory. The walk is lenient: it
 * only has to be right up to the point where libconfig stopped. */
static int walk(const char *text, int line, const char *want, walk_result *out)
{
    scope *st = mkba_calloc(MAX_DEPTH, sizeof *st);
    if (st == NULL)
        return -1;
    int depth = 0, found = 0, l = 1;
    st[0].kind = 'r';
    const char *p = text;
    while (*p != '\0' && l <= line && found == 0) {
        scope *sc = &st[depth];
        if (skip_comment_or_string(&p, &l))
            continue;
        char c = *p;
        if (c == '\n') {
            l++;
            p++;
        } else if (c == '@' || isdigit((unsigned char)c) || c == '.'
                   || ((c == '-' || c == '+') && isdigit((unsigned char)p[1]))) {
            /* A directive or a number: neither is a setting name. */
            for (p++; is_name_char((unsigned char)*p) || *p == '.' || *p == '+'; p++)
                ;
        } else if (is_name_start((unsigned char)c)) {
            const char *start = p;
            while (is_name_char((unsigned char)*p))
                p++;
            size_t len = (size_t)(p - start);
            const char *q = p;
            while (*q == ' ' || *q == '\t')
                q++;
            if ((*q != '=' && *q != ':') || (sc->kind != '{' && sc->kind != 'r'))
                continue;
            sc->name = start;
            sc->name_len = len;
            int first = 0;
            for (size_t i = 0; i < sc->nnames && first == 0; i++)
                if (sc->names[i].len == len && memcmp(sc->names[i].start, start, len) == 0)
                    first = sc->names[i].line;
            if (l == line && (want != NULL ? strlen(want) == len && memcmp(want, start, len) == 0
                                           : first > 0)) {
                if (child_path(sc, out->path, sizeof out->path) < 0)
                    out->path[0] = '\0';
                out->first_line = first;
                found = 1;
                break;
            }
            if (sc->nnames == sc->cap) {
                size_t cap = sc->cap == 0 ? 16 : 2 * sc->cap;
                seen_name *more = mkba_realloc(sc->names, cap * sizeof *more);
                if (more == NULL) {
                    found = -1;
                    break;
                }
                sc->names = more;
                sc->cap = cap;
            }
            sc->names[sc->nnames++] = (seen_name){start, len, l};
            if (l == line && want == NULL && sc->open_line < line) {
                char path[MKBA_PATH_MAX];
                size_t used = strlen(out->others);
                if (child_path(sc, path, sizeof path) >= 0 && used < sizeof out->others
                    && snprintf(out->others + used, sizeof out->others - used, "%s%s",
                                out->nothers > 0 ? ", " : "", path) >= 0)
                    out->nothers++;
            }
        } else if (c == '{' || c == '(' || c == '[') {
            if (depth + 1 < MAX_DEPTH) {
                char path[MKBA_PATH_MAX];
                if (child_path(sc, path, sizeof path) < 0)
                    path[0] = '\0';
                scope *in = &st[depth + 1];
                memset(in, 0, sizeof *in);
                in->kind = c;
                in->open_line = l;
                memcpy(in->path, path, sizeof path);
                depth++;
            }
            p++;
        } else if (c == '}' || c == ')' || c == ']') {
            if (depth > 0) {
                mkba_free(st[depth].names);
                st[depth].names = NULL;
                depth--;
            }
            p++;
        } else {
            if (c == ',' && (sc->kind == '(' || sc->kind == '['))
                sc->index++;
            p++;
        }
    }
    for (int d = 0; d < MAX_DEPTH; d++)
        mkba_free(st[d].names);
    mkba_free(st);
    return found;
}

/* ------------------------------------------------------------ the cases */

/* "@include "NAME"" on the line: where libconfig looked and why it failed. */
static int explain_include(mkba_loader *ld, const char *where, const char *text)
{
    const char *at = strstr(text, "@include");
    const char *q1 = at != NULL ? strchr(at, '"') : NULL;
    const char *q2 = q1 != NULL ? strchr(q1 + 1, '"') : NULL;
    if (q2 == NULL)
        return mkba_error_set(ld->err, MKBA_EIO, "%s: cannot open an @include file; expected "
                              "a path relative to the folder of the main scenario, %s",
                              where, ld->dir);
    int n = (int)(q2 - q1 - 1);
    const char *name = q1 + 1;
    /* libconfig 1.5 joins the include folder and the name, dropping a
     * leading '/' of the name (scanctx_push_include). */
    char full[MKBA_PATH_MAX];
    int skip = name[0] == '/';
    snprintf(full, sizeof full, "%s/%.*s", ld->dir, n - skip, name + skip);
    FILE *f = fopen(full, "r");
    const char *reason = f == NULL ? strerror(errno) : "cannot open it";
    if (f != NULL)
        fclose(f);
    return mkba_error_set(ld->err, MKBA_EIO, "%s: @include \"%.*s\": cannot open it in folder "
                          "%s (as %s): %s; expected a path relative to the folder of the main "
                          "scenario (libconfig resolves every @include there, also in included "
                          "files)", where, n, name, ld->dir, full, reason);
}

static int explain_duplicate(mkba_loader *ld, const char *where, const char *text, int line)
{
    walk_result r = {.first_line = 0, .nothers = 0};
    int found = walk(text, line, NULL, &r);
    if (found < 0)
        return mkba_sc_nomem(ld);
    if (found)
        return mkba_error_set(ld->err, MKBA_EPARSE, "%s: %s: duplicate setting, already set at "
                              "line %d; expected each setting once in its group",
                              where, r.path, r.first_line);
    if (r.nothers == 1)
        return mkba_error_set(ld->err, MKBA_EPARSE, "%s: %s: duplicate setting, already set in "
                              "another file (one @include'd before, or the one including "
                              "this); expected each setting once in its group", where, r.others);
    return mkba_error_set(ld->err, MKBA_EPARSE, "%s: duplicate setting name%s%s, already set "
                          "in another file (one @include'd before, or the one including this); "
                          "expected each setting once in its group", where,
                          r.nothers > 0 ? ", one of " : "", r.others);
}

/* The value after `name =` on a line, up to ';', a closing bracket that
 * was not opened in it, or the end: its start and length, trimmed. */
static size_t value_span(const char *v, const char **start)
{
    v += strspn(v, " \t");
    int open = 0;
    size_t n = 0;
    for (; v[n] != '\0' && v[n] != ';' && v[n] != '}' && v[n] != ']'; n++) {
        if (v[n] == '(')
            open++;
        else if (v[n] == ')' && open-- == 0)
            break;
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == ','))
        n--;
    *start = v;
    return n;
}

/* A hint for the value v[0..n) of a setting, or 0 when it looks fine. */
static int value_hint(const char *v, size_t n, char *hint, size_t size)
{
    size_t i = (v[0] == '-' || v[0] == '+') ? 1 : 0, d1 = 0, d2 = 0;
    while (i + d1 < n && isdigit((unsigned char)v[i + d1]))
        d1++;
    if (d1 > 0 && i + d1 < n && v[i + d1] == ',') {
        while (i + d1 + 1 + d2 < n && isdigit((unsigned char)v[i + d1 + 1 + d2]))
            d2++;
        if (d2 > 0) {
            snprintf(hint, size, "write a decimal point: %.*s.%.*s", (int)(i + d1), v,
                     (int)d2, v + i + d1 + 1);
            return 1;
        }
    }
    if (n == 0 || v[0] == '"' || v[0] == '{' || v[0] == '[')
        return 0;
    char copy[256], *end; /* a longer value is cut off in the hint */
    snprintf(copy, sizeof copy, "%.*s", (int)n, v);
    strtod(copy, &end);
    if (end != copy && *end == '\0')
        return 0; /* a number: the error is elsewhere on the line */
    /* A list "( ... )" has commas or strings; a parenthesised formula has
     * neither. */
    if (strpbrk(copy + 1, "+-*/^") != NULL && strchr(copy, '"') == NULL
        && (copy[0] != '(' || strchr(copy, ',') == NULL)) {
        snprintf(hint, size, "quote an expression: \"%s\" (a formula is a string, see "
                 "Expressions in docs/scenario.md)", copy);
        return 1;
    }
    size_t len = strspn(copy, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789_");
    if (len == n && !isdigit((unsigned char)copy[0]) && strcmp(copy, "true") != 0
        && strcmp(copy, "false") != 0) {
        snprintf(hint, size, "quote a parameter name: \"%s\"", copy);
        return 1;
    }
    return 0;
}

static int explain_syntax(mkba_loader *ld, const char *where, const char *text, int line,
                          const char *what)
{
    errno = 0;
    char *s = line_of(text, line);
    if (s == NULL && errno == ENOMEM)
        return mkba_sc_nomem(ld);
    if (s != NULL) {
        /* Each "name = value" on the line, left to right. */
        for (char *p = s; *p != '\0'; p++) {
            if (*p == '"') {
                char *e = strchr(p + 1, '"');
                if (e == NULL)
                    break;
                p = e;
                continue;
            }
            if (!is_name_start((unsigned char)*p) || (p > s && is_name_char((unsigned char)p[-1])))
                continue;
            char *start = p;
            while (is_name_char((unsigned char)*p))
                p++;
            char *q = p + strspn(p, " \t");
            if (*q != '=' && *q != ':') {
                p--;
                continue;
            }
            const char *v;
            size_t n = value_span(q + 1, &v);
            char hint[MKBA_PATH_MAX];
            if (!value_hint(v, n, hint, sizeof hint)) {
                p--;
                continue;
            }
            char name[MKBA_PATH_MAX];
            snprintf(name, sizeof name, "%.*s", (int)(p - start), start);
            walk_result r = {.first_line = 0, .nothers = 0};
            if (walk(text, line, name, &r) != 1)
                snprintf(r.path, sizeof r.path, "%s", name);
            int rc = mkba_error_set(ld->err, MKBA_EPARSE, "%s: %s: %s at %.*s; %s", where,
                                    r.path, what, (int)n, v, hint);
            mkba_free(s);
            return rc;
        }
        mkba_free(s);
    }
    return mkba_error_set(ld->err, MKBA_EPARSE, "%s: %s; " GENERIC_EXPECTED, where, what);
}

int mkba_sc_parse_error(mkba_loader *ld, const config_t *cfg)
{
    const char *f = config_error_file(cfg);
    const char *what = config_error_text(cfg);
    int line = config_error_line(cfg);
    char full[MKBA_PATH_MAX], where[MKBA_PATH_MAX + 16];
    /* An included file is named as written in the @include, relative to
     * the include folder. */
    if (f == NULL || strcmp(f, ld->path) == 0 || strcmp(ld->dir, ".") == 0)
        snprintf(full, sizeof full, "%s", f != NULL ? f : ld->path);
    else
        snprintf(full, sizeof full, "%s/%s", ld->dir, f);
    if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
        return mkba_error_set(ld->err, MKBA_EIO, "%s: %s", full, what);
    snprintf(where, sizeof where, "%s:%d", full, line);
    errno = 0;
    char *text = mkba_sc_read_text(full);
    /* Out of memory while reading it again to explain the error is told
     * as such, not as the syntax error without its explanation. */
    if (text == NULL && errno == ENOMEM)
        return mkba_sc_nomem(ld);
    if (text == NULL)
        return mkba_error_set(ld->err, MKBA_EPARSE, "%s: %s; " GENERIC_EXPECTED, where, what);
    int rc;
    if (strcmp(what, "cannot open include file") == 0) {
        errno = 0;
        char *s = line_of(text, line);
        if (s == NULL && errno == ENOMEM) {
            mkba_free(text);
            return mkba_sc_nomem(ld);
        }
        rc = explain_include(ld, where, s != NULL ? s : "");
        mkba_free(s);
    } else if (strcmp(what, "duplicate setting name") == 0) {
        rc = explain_duplicate(ld, where, text, line);
    } else {
        rc = explain_syntax(ld, where, text, line, what);
    }
    mkba_free(text);
    return rc;
}
