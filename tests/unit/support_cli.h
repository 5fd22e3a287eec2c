/* Command-line cases for the error-path tests (tests/unit/test_errors_*.c):
 * the program run with some arguments in a test's folder, its exit status,
 * its words and the files it must not leave. */
#ifndef MKBA_TESTS_SUPPORT_CLI_H
#define MKBA_TESTS_SUPPORT_CLI_H

#include <stddef.h>

typedef struct support_cli_case {
    const char *env;      /* assignments before the program, or "" */
    const char *args;     /* after the program; DIR is the test's folder */
    const char *says;     /* a phrase of what it prints (stdout and stderr) */
    int code;             /* its exit status */
    const char *output;   /* a file that must not be left, or NULL */
} support_cli_case;

/* text with every "DIR" that does not end a longer upper-case name (such
 * as TMPDIR) replaced by folder dir. */
void support_cli_expand(const char *dir, const char *text, char *out, size_t size);

/* Runs each case of cases[0..n) (MKBA_BIN, from the top folder, stdin
 * from /dev/null) and fails the test unless it exits with its code, says
 * its phrase and leaves neither its output nor the output's temporary
 * file or lock. */
void support_cli_check(const char *dir, const support_cli_case *cases, size_t n);

#endif
