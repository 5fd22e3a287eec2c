/* Command-line parsing the commands share (args.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"

int mkba_cli_usage_error(const char *fmt, const char *arg)
{
    fputs("mkba: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    fputs(mkba_cli_usage, stderr);
    fputs("Run 'mkba --help' for details.\n", stderr);
    return EXIT_USAGE;
}

int mkba_cli_library_error(const mkba_error *err)
{
    fprintf(stderr, "mkba: %s\n", err->message[0] ? err->message : mkba_status_name(err->code));
    return EXIT_ERROR;
}

int mkba_cli_is_digit(char c) { return c >= '0' && c <= '9'; }

/* Parses a whole number >= min into *out. strtol alone accepts leading
 * blanks, signs and trailing junk; all of those are refused here. */
int mkba_cli_parse_long(const char *opt, const char *s, long min, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = mkba_cli_is_digit(s[0]) ? strtol(s, &end, 10) : -1;
    if (end == NULL || *end != '\0' || errno != 0 || v < min) {
        fprintf(stderr, "mkba: %s expects a whole number >= %ld, got '%s'\n", opt, min, s);
        return -1;
    }
    *out = v;
    return 0;
}

int mkba_cli_parse_seed(const char *s, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = mkba_cli_is_digit(s[0]) ? strtoull(s, &end, 10) : 0;
    if (end == NULL || *end != '\0' || errno != 0) {
        fprintf(stderr, "mkba: --seed expects a whole number from 0 to "
                        "18446744073709551615, got '%s'\n", s);
        return -1;
    }
    *out = v;
    return 0;
}

/* If argv[*i] is option `name` (as "--name VALUE" or "--name=VALUE"),
 * stores its value in *value, advances *i past it and returns 1; returns 0
 * when it is another option, -1 when the value is missing. */
int mkba_cli_option_value(int argc, char **argv, int *i, const char *name,
                        const char *alias, const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) == 0 && a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (strcmp(a, name) != 0 && (alias == NULL || strcmp(a, alias) != 0))
        return 0;
    if (*i + 1 >= argc) {
        mkba_cli_usage_error("%s needs a value", name);
        return -1;
    }
    *value = argv[++*i];
    return 1;
}
