/* Whole numbers libconfig would wrap. libconfig (1.5) reads a whole number
 * without the L suffix as 32 bits and silently wraps one that does not
 * fit: `seed = 4294967297;` is read as 1, `households = 4294967496;` as
 * 200. Before any setting is read, every file of the scenario is scanned
 * for such literals (outside comments and strings), and one is refused
 * with its file and line and how to write it. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "scenario_impl.h"

/* The setting a literal at `at` on its line belongs to: the last
 * "name =" or "name:" before it on the line, into name ("" when none). */
static void setting_before(const char *text, const char *at, char *name, size_t size)
{
    const char *bol = at;
    while (bol > text && bol[-1] != '\n')
        bol--;
    name[0] = '\0';
    for (const char *p = bol; p < at; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_')
            || (p > bol && (isalnum((unsigned char)p[-1]) || p[-1] == '_')))
            continue;
        const char *e = p;
        while (e < at && (isalnum((unsigned char)*e) || *e == '_' || *e == '-'))
            e++;
        const char *q = e;
        while (q < at && (*q == ' ' || *q == '\t'))
            q++;
        if (q < at && (*q == '=' || *q == ':'))
            snprintf(name, size, "%.*s: ", (int)(e - p), p);
    }
}

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || c == '_' || c == '.';
}

int mkba_sc_check_wide_integers(mkba_loader *ld, const char *file, const char *text)
{
    int line = 1;
    for (const char *p = text; *p != '\0'; p++) {
        const char *end;
        if (*p == '\n') {
            line++;
        } else if ((end = mkba_sc_skip_text(p, &line)) != NULL) {
            if (*end == '\0')
                return 0;      /* libconfig has refused the open comment or string */
            p = end;
        } else if (*p >= '0' && *p <= '9' && (p == text || !ident_char(p[-1]))) {
            const char *start = p;
            int hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
            const char *q = p + (hex ? 2 : 0);
            while ((*q >= '0' && *q <= '9')
                   || (hex && ((*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F'))))
                q++;
            int floating = !hex && (*q == '.' || *q == 'e' || *q == 'E');
            int wide = *q == 'L';
            if (!floating && (wide || !ident_char(*q))) {
                /* libconfig reads decimals in base 10 whatever their leading
                 * zeros, and hex into a signed 32-bit (0xFFFFFFFF is -1). */
                errno = 0;
                unsigned long long v = strtoull(hex ? start + 2 : start, NULL, hex ? 16 : 10);
                int negative = start > text && start[-1] == '-';
                unsigned long long max = wide ? (negative ? (unsigned long long)INT64_MAX + 1
                                                          : INT64_MAX)
                                         : negative && !hex ? (unsigned long long)INT32_MAX + 1
                                                            : INT32_MAX;
                if (errno == ERANGE || v > max) {
                    char name[128];
                    setting_before(text, start, name, sizeof name);
                    const char *sign = negative ? "-" : "";
                    int len = (int)(q - start);
                    if (wide)
                        return mkba_error_set(ld->err, MKBA_EINVAL, "%s:%d: %s%s%.*sL is out of "
                                              "the 64-bit range of whole numbers; write it as "
                                              "an amount (%s%.*s.0)", file, line, name, sign,
                                              len, start, sign, len, start);
                    return mkba_error_set(ld->err, MKBA_EINVAL, "%s:%d: %s%s%.*s is out of the "
                                          "32-bit range libconfig reads a whole number in, and "
                                          "would be wrapped to another number; write %s%.*sL "
                                          "for a 64-bit whole number%s%s%.*s%s (in an array, "
                                          "every element alike)", file, line, name, sign, len,
                                          start, sign, len, start,
                                          hex ? "" : " (or ", hex ? "" : sign, hex ? 0 : len,
                                          start, hex ? "" : ".0 for an amount)");
                }
            }
            p = q - 1;
            while (ident_char(p[1]) || p[1] == 'L')
                p++;           /* the rest of a float or suffix */
        }
    }
    return 0;
}
