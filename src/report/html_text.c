/* Escaping and number style of the HTML report (see html_text.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "html_text.h"

void mkba_xml_text(FILE *f, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*p, f); break;
        }
    }
}

void mkba_format_number(char *buf, size_t size, double v, int decimals, int decimal_comma)
{
    if (isnan(v)) {
        snprintf(buf, size, "n/a");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, "%s", v > 0 ? "∞" : "-∞");
        return;
    }
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
    if (strtod(raw, NULL) == 0.0)
        v = 0.0;                               /* no "-0" */
    char *dot = strchr(raw, '.');
    size_t whole = dot != NULL ? (size_t)(dot - raw) : strlen(raw);
    size_t k = 0;
    if (v < 0 && k + 1 < size)
        buf[k++] = '-';
    for (size_t i = 0; i < whole && k + 2 < size; i++) {
        buf[k++] = raw[i];
        if ((whole - i - 1) % 3 == 0 && i + 1 < whole)
            buf[k++] = decimal_comma ? '.' : ',';
    }
    if (dot != NULL && k + 1 < size) {
        buf[k++] = decimal_comma ? ',' : '.';
        for (const char *p = dot + 1; *p && k + 1 < size; p++)
            buf[k++] = *p;
    }
    buf[k] = '\0';
}
