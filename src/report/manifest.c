/* The manifest of tools/mkba_plots.py: a JSON array of objects, one per
 * chart. Only the string members the report uses are kept; any other
 * member (the axes) is skipped whatever its value. A small reader of its
 * own, as mkba links no JSON library. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/alloc.h"
#include "manifest.h"

/* Nesting deeper than this is not a manifest. */
#define MAX_DEPTH 16

typedef struct reader {
    const char *s;
    size_t i, n;
    const char *path;
    mkba_error *err;
    int failed;
} reader;

static int fail(reader *r, const char *what)
{
    if (!r->failed)
        mkba_error_set(r->err, MKBA_EPARSE, "%s: not a chart manifest: %s at byte %zu", r->path,
                       what, r->i);
    r->failed = 1;
    return -1;
}

static int oom(reader *r)
{
    if (!r->failed)
        mkba_error_set(r->err, MKBA_ENOMEM, "out of memory reading %s", r->path);
    r->failed = 1;
    return -1;
}

static void ws(reader *r)
{
    while (r->i < r->n && strchr(" \t\r\n", r->s[r->i]) != NULL)
        r->i++;
}

static int expect(reader *r, char c)
{
    ws(r);
    if (r->i >= r->n || r->s[r->i] != c) {
        char what[32];
        snprintf(what, sizeof what, "expected '%c'", c);
        return fail(r, what);
    }
    r->i++;
    return 0;
}

static int hex4(reader *r, unsigned *v)
{
    *v = 0;
    for (int k = 0; k < 4; k++, r->i++) {
        char c = r->i < r->n ? r->s[r->i] : '\0';
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
        if (d == 16)
            return fail(r, "a bad \\u escape");
        *v = *v * 16 + d;
    }
    return 0;
}

/* Appends code point u as UTF-8 to out (room for 4 bytes). */
static size_t utf8(char *out, unsigned u)
{
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | (u >> 6));
        out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | (u >> 12));
        out[1] = (char)(0x80 | ((u >> 6) & 0x3F));
        out[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (u >> 18));
    out[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((u >> 6) & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/* A string; its text in *out (NULL: skipped). The text is never longer
 * than its JSON form, so one allocation of that size holds it. */
static int string(reader *r, char **out)
{
    if (expect(r, '"') < 0)
        return -1;
    size_t start = r->i;
    while (r->i < r->n && r->s[r->i] != '"')
        r->i += r->s[r->i] == '\\' ? 2 : 1;
    if (r->i >= r->n)
        return fail(r, "an unterminated string");
    size_t end = r->i++;
    if (out == NULL)
        return 0;
    char *t = mkba_malloc(end - start + 1);
    if (t == NULL)
        return oom(r);
    size_t k = 0;
    for (size_t j = start; j < end; j++) {
        char c = r->s[j];
        if (c != '\\') {
            t[k++] = c;
            continue;
        }
        c = r->s[++j];
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t", *at = strchr(from, c);
        if (c != 'u' && (c == '\0' || at == NULL)) {
            mkba_free(t);
            return fail(r, "a bad escape");
        }
        if (c != 'u') {
            t[k++] = to[at - from];
            continue;
        }
        size_t save = r->i;
        r->i = j + 1;
        unsigned u, lo = 0;
        int bad = hex4(r, &u);
        /* A high surrogate needs a low one after it; a lone low one, or
         * U+0000 (which would cut the text short), is no character here. */
        if (!bad && u >= 0xD800 && u < 0xDC00) {
            if (r->i + 1 < end && r->s[r->i] == '\\' && r->s[r->i + 1] == 'u') {
                r->i += 2;
                bad = hex4(r, &lo);
            }
            if (!bad && (lo < 0xDC00 || lo > 0xDFFF))
                bad = fail(r, "a \\u escape of a high surrogate without its low one");
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
        } else if (!bad && ((u >= 0xDC00 && u <= 0xDFFF) || u == 0)) {
            bad = fail(r, "a \\u escape of a lone low surrogate or of U+0000");
        }
        j = r->i - 1;
        r->i = save;
        if (bad) {
            mkba_free(t);
            return -1;
        }
        k += utf8(t + k, u);
    }
    t[k] = '\0';
    *out = t;
    return 0;
}

/* Skips any value: a string, number, literal, array or object. */
static int skip(reader *r, int depth)
{
    ws(r);
    if (depth > MAX_DEPTH)
        return fail(r, "nesting too deep");
    if (r->i >= r->n)
        return fail(r, "a missing value");
    char c = r->s[r->i];
    if (c == '"')
        return string(r, NULL);
    if (c == '[' || c == '{') {
        char close = c == '[' ? ']' : '}';
        r->i++;
        ws(r);
        if (r->i < r->n && r->s[r->i] == close) {
            r->i++;
            return 0;
        }
        for (;;) {
            if (c == '{' && (string(r, NULL) < 0 || expect(r, ':') < 0))
                return -1;
            if (skip(r, depth + 1) < 0)
                return -1;
            ws(r);
            if (r->i < r->n && r->s[r->i] == ',') {
                r->i++;
                continue;
            }
            return expect(r, close);
        }
    }
    static const char *const literal[] = { "true", "false", "null" };
    for (size_t k = 0; k < 3; k++) {
        size_t len = strlen(literal[k]);
        if (r->n - r->i >= len && memcmp(r->s + r->i, literal[k], len) == 0
            && (r->i + len == r->n || strchr(" \t\r\n,]}", r->s[r->i + len]) != NULL)) {
            r->i += len;
            return 0;
        }
    }
    size_t start = r->i;
    while (r->i < r->n && strchr("+-.0123456789eE", r->s[r->i]) != NULL)
        r->i++;
    return r->i > start ? 0 : fail(r, "an unexpected character");
}

/* The members of mkba_chart read from the manifest, listed once. */
static const struct {
    const char *name;
    size_t offset;
    int required;
} members[] = {
    { "id", offsetof(mkba_chart, id), 1 },
    { "file", offsetof(mkba_chart, file), 1 },
    { "section", offsetof(mkba_chart, section), 1 },
    { "heading", offsetof(mkba_chart, heading), 0 },
    { "title", offsetof(mkba_chart, title), 0 },
    { "alt", offsetof(mkba_chart, alt), 0 },
};
#define NMEMBERS (sizeof members / sizeof members[0])

static char **member(mkba_chart *c, size_t m)
{
    return (char **)(void *)((char *)c + members[m].offset);
}

static int chart(reader *r, mkba_chart *c)
{
    if (expect(r, '{') < 0)
        return -1;
    ws(r);
    if (r->i < r->n && r->s[r->i] == '}')
        r->i++;
    else
        for (;;) {
            char *key = NULL;
            if (string(r, &key) < 0 || expect(r, ':') < 0) {
                mkba_free(key);
                return -1;
            }
            size_t m = 0;
            while (m < NMEMBERS && strcmp(members[m].name, key) != 0)
                m++;
            mkba_free(key);
            ws(r);
            int rc = m < NMEMBERS && *member(c, m) == NULL && r->i < r->n && r->s[r->i] == '"'
                     ? string(r, member(c, m)) : skip(r, 1);
            if (rc < 0)
                return -1;
            ws(r);
            if (r->i < r->n && r->s[r->i] == ',') {
                r->i++;
                continue;
            }
            if (expect(r, '}') < 0)
                return -1;
            break;
        }
    for (size_t m = 0; m < NMEMBERS; m++) {
        if (*member(c, m) != NULL)
            continue;
        if (members[m].required) {
            char what[64];
            snprintf(what, sizeof what, "a chart without \"%s\"", members[m].name);
            return fail(r, what);
        }
        if ((*member(c, m) = mkba_malloc(1)) == NULL)
            return oom(r);
        (*member(c, m))[0] = '\0';
    }
    /* The image must be a file inside the folder. */
    if (c->file[0] == '\0' || c->file[0] == '.' || strchr(c->file, '/') != NULL)
        return fail(r, "an image name that is not a plain file name");
    return 0;
}

void mkba_manifest_free(mkba_chart *c, size_t n)
{
    for (size_t i = 0; c != NULL && i < n; i++)
        for (size_t m = 0; m < NMEMBERS; m++)
            mkba_free(*member(&c[i], m));
    mkba_free(c);
}

int mkba_manifest_parse(const char *text, size_t n, const char *path, mkba_chart **charts,
                        size_t *count, mkba_error *err)
{
    reader r = { text, 0, n, path, err, 0 };
    size_t cap = 0, k = 0;
    mkba_chart *c = NULL;
    *charts = NULL;
    *count = 0;
    if (expect(&r, '[') < 0)
        return MKBA_EPARSE;
    ws(&r);
    int done = r.i < r.n && r.s[r.i] == ']';
    if (done)
        r.i++;
    while (!done && !r.failed) {
        if (k == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            mkba_chart *grown = mkba_realloc(c, ncap * sizeof *grown);
            if (grown == NULL) {
                mkba_manifest_free(c, k);
                return mkba_error_set(err, MKBA_ENOMEM, "out of memory reading %s", path);
            }
            c = grown;
            cap = ncap;
        }
        memset(&c[k], 0, sizeof c[k]);
        k++;
        if (chart(&r, &c[k - 1]) < 0)
            break;
        ws(&r);
        if (r.i < r.n && r.s[r.i] == ',')
            r.i++;
        else if (expect(&r, ']') == 0)
            done = 1;
    }
    ws(&r);
    if (!r.failed && r.i != r.n)
        fail(&r, "text after the list");
    if (r.failed) {
        mkba_manifest_free(c, k);
        return err != NULL && err->code != MKBA_OK ? err->code : MKBA_EPARSE;
    }
    *charts = c;
    *count = k;
    return MKBA_OK;
}
