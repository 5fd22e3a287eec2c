/* Small string helpers shared by the loaders. */
#ifndef MKBA_CORE_STRUTIL_H
#define MKBA_CORE_STRUTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Optimal string alignment distance between a and b: the number of
 * insertions, deletions, substitutions and swaps of two neighbouring
 * characters (each character edited at most once), comparing characters
 * without case when fold_case is non-zero. (size_t)-1 when b is longer
 * than MKBA_NAME_DISTANCE_MAX characters (no name we suggest is). */
#define MKBA_NAME_DISTANCE_MAX 255
size_t mkba_name_distance(const char *a, const char *b, int fold_case);

/* The entry of names[0..n) (NULL entries skipped) closest to `name`, for a
 * "did you mean" suggestion, or NULL when none is within
 * max(2, strlen(name) / 3) edits ignoring case: a suggestion, not a guess.
 * Ranked by mkba_name_distance ignoring case (so a name that differs only in
 * case comes first), then with case, then by the closer length; on a full
 * tie the entry listed first wins. So `n_Ab` suggests `n_AB` before `n_Ax`,
 * and `nwe` suggests `new` (one swap). */
const char *mkba_closest_name(const char *name, const char *const *names, size_t n);

/* The same search one candidate at a time, with no list to build (and so
 * no allocation that could fail while an error is being explained):
 * mkba_closest_init, then mkba_closest_offer for each candidate (NULL is
 * skipped), in list order; the answer is c.best. */
typedef struct mkba_name_rank {
    size_t folded;  /* distance ignoring case: 0 for a case-insensitive match */
    size_t exact;   /* distance with case */
    size_t dlen;    /* |length difference| */
} mkba_name_rank;
typedef struct mkba_closest {
    const char *name, *best;
    size_t len, limit;
    mkba_name_rank rank;   /* best's; smaller is closer */
} mkba_closest;
void mkba_closest_init(mkba_closest *c, const char *name);
void mkba_closest_offer(mkba_closest *c, const char *candidate);

/* The number of characters of UTF-8 text s as a terminal shows them (one
 * column per code point: names like één-loket line up in text tables). */
size_t mkba_utf8_width(const char *s);

/* The bytes of the first `chars` code points of UTF-8 text s (all of s when
 * it has no more), so a cut there never splits a character. */
size_t mkba_utf8_prefix(const char *s, size_t chars);

/* Appends printf-style text to buf (size bytes, *used of them taken so
 * far, *used advanced); text past the end is cut, "..." marking the cut. */
void mkba_str_append(char *buf, size_t size, size_t *used, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void mkba_str_vappend(char *buf, size_t size, size_t *used, const char *fmt, va_list ap);

/* The folder of file path `path` ("." for a bare name, "/" for a file in
 * the root) into buf when it fits in size bytes; returns its length, as
 * snprintf does, so a result >= size means it did not fit. */
size_t mkba_path_folder_copy(const char *path, char *buf, size_t size);

/* The same in a new string; NULL when out of memory. */
char *mkba_path_folder(const char *path);

/* strdup that returns NULL for NULL. */
char *mkba_strdup(const char *s);

#endif
