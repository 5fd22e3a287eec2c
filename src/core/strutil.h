/* Small string helpers shared by the loaders. */
#ifndef MKBA_CORE_STRUTIL_H
#define MKBA_CORE_STRUTIL_H

#include <stddef.h>

/* Levenshtein distance between a and b (case-sensitive). */
size_t mkba_edit_distance(const char *a, const char *b);

/* The entry of names[0..n) closest to `name`, or NULL when even the closest
 * needs more than max(2, strlen(name) / 3) edits: a suggestion, not a guess. */
const char *mkba_closest_name(const char *name, const char *const *names, size_t n);

/* strdup that returns NULL for NULL. */
char *mkba_strdup(const char *s);

#endif
