#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strutil.h"
#include "core/alloc.h"

static int same_char(char x, char y, int fold_case)
{
    return fold_case ? tolower((unsigned char)x) == tolower((unsigned char)y) : x == y;
}

size_t mkba_name_distance(const char *a, const char *b, int fold_case)
{
    size_t la = strlen(a), lb = strlen(b);
    if (lb > MKBA_NAME_DISTANCE_MAX)
        return (size_t)-1;
    /* Three rows of the (la + 1) x (lb + 1) table: i - 2, i - 1 and i, on
     * the stack: a suggestion for an error message must not fail for want
     * of memory (the error would then lose its hint). */
    size_t mem[3 * (MKBA_NAME_DISTANCE_MAX + 1)];
    size_t *two = mem, *one = mem + lb + 1, *cur = mem + 2 * (lb + 1);
    for (size_t j = 0; j <= lb; j++)
        one[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t best = one[j - 1] + !same_char(a[i - 1], b[j - 1], fold_case);
            if (one[j] + 1 < best) best = one[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && same_char(a[i - 1], b[j - 2], fold_case)
                && same_char(a[i - 2], b[j - 1], fold_case) && two[j - 2] + 1 < best)
                best = two[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = two;
        two = one;
        one = cur;
        cur = t;
    }
    return one[lb];
}

static int rank_less(const mkba_name_rank *x, const mkba_name_rank *y)
{
    if (x->folded != y->folded)
        return x->folded < y->folded;
    if (x->exact != y->exact)
        return x->exact < y->exact;
    return x->dlen < y->dlen;
}

void mkba_closest_init(mkba_closest *c, const char *name)
{
    c->name = name;
    c->len = strlen(name);
    c->limit = c->len / 3 < 2 ? 2 : c->len / 3;
    c->best = NULL;
    c->rank = (mkba_name_rank){0, 0, 0};
}

void mkba_closest_offer(mkba_closest *c, const char *candidate)
{
    if (candidate == NULL)
        return;
    size_t other = strlen(candidate);
    mkba_name_rank r = {mkba_name_distance(c->name, candidate, 1),
                        mkba_name_distance(c->name, candidate, 0),
                        c->len > other ? c->len - other : other - c->len};
    if (r.folded > c->limit || r.exact == (size_t)-1)
        return;
    if (c->best == NULL || rank_less(&r, &c->rank)) {
        c->best = candidate;
        c->rank = r;
    }
}

const char *mkba_closest_name(const char *name, const char *const *names, size_t n)
{
    mkba_closest c;
    mkba_closest_init(&c, name);
    for (size_t i = 0; i < n; i++)
        mkba_closest_offer(&c, names[i]);
    return c.best;
}

char *mkba_strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *t = mkba_malloc(n);
    if (t != NULL)
        memcpy(t, s, n);
    return t;
}

size_t mkba_utf8_width(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;     /* continuation bytes add no column */
    return n;
}

size_t mkba_utf8_prefix(const char *s, size_t chars)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    for (; *p; p++)
        if ((*p & 0xC0) != 0x80 && n++ == chars)    /* the start of one past the last */
            break;
    return (size_t)(p - (const unsigned char *)s);
}

void mkba_str_vappend(char *buf, size_t size, size_t *used, const char *fmt, va_list ap)
{
    if (*used >= size)
        return;
    int n = vsnprintf(buf + *used, size - *used, fmt, ap);
    *used += n > 0 ? (size_t)n : 0;
    if (*used >= size && size > 4)
        memcpy(buf + size - 4, "...", 4);
}

void mkba_str_append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mkba_str_vappend(buf, size, used, fmt, ap);
    va_end(ap);
}

size_t mkba_path_folder_copy(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
    if (n < size) {
        memcpy(buf, slash == NULL ? "." : path, n);
        buf[n] = '\0';
    }
    return n;
}

char *mkba_path_folder(const char *path)
{
    size_t size = mkba_path_folder_copy(path, NULL, 0) + 1;
    char *dir = mkba_malloc(size);
    if (dir != NULL)
        mkba_path_folder_copy(path, dir, size);
    return dir;
}
