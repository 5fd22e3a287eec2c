/* Support for the error-path tests (tests/unit/test_errors_*.c): scenarios
 * made by editing a fixture, and the checks every message must pass. */
#ifndef MKBA_TESTS_SUPPORT_ERRORS_H
#define MKBA_TESTS_SUPPORT_ERRORS_H

#include <stddef.h>
#include "mkba/mkba.h"

/* A bad-input case: fixture `base` (a path) with up to three edits, each
 * `find` (which must occur exactly once in the text so far) replaced by
 * `replace`. The message must contain each phrase of `says` (up to three,
 * NULL-terminated early) and, unless `at` is "", "PATH:LINE: " where LINE
 * is the line holding `at` in the edited text (NULL: the first line of the
 * first replacement). */
typedef struct support_bad {
    const char *base;
    const char *edit[6];
    const char *at;
    const char *says[3];
} support_bad;

/* Writes the edited text of case c to a new temporary file beside the
 * fixture (named in path, to remove) and returns the line to expect (0 when
 * `at` is ""). Fails the test when an edit does not apply. */
int support_bad_write(const support_bad *c, char *path, size_t size);

/* Fails the test unless `message` contains "PATH:LINE: " (line > 0) and
 * every phrase of c->says; `what` names the case in the failure. */
void support_bad_check(const support_bad *c, const char *what, const char *message,
                       const char *path, int line);

/* The text of file `path` with its only `find` replaced by `replace`
 * (free it): an included file's text, edited, to put in place of its
 * @include line. */
char *support_edited(const char *path, const char *find, const char *replace);

/* Loads each case of cases[0..n) and checks that it is refused with its
 * message and leaves no model. */
void support_bad_loads(const support_bad *cases, size_t n);

/* Loads case c (which must load; the test fails otherwise) and runs it
 * with options o: the run's code, its message in err, the line to expect
 * in *line (as support_bad_write) and the edited file's name in path
 * (already removed). */
int support_bad_run(const support_bad *c, mkba_run_options *o, char *path, size_t size,
                    int *line, mkba_error *err);

/* Fails the test unless a call returned `code` (rc) and its message in err
 * contains `phrase`. */
void support_expect_error(int rc, int code, const mkba_error *err, const char *phrase);

#endif
