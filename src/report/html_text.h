/* Text for the HTML report and the answer: escaping for HTML and numbers
 * in English or Dutch style. */
#ifndef MKBA_REPORT_HTML_TEXT_H
#define MKBA_REPORT_HTML_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* Writes text with &, <, > and " escaped (for HTML text and attributes). */
void mkba_xml_text(FILE *f, const char *text);

/* A number with thousands separators and `decimals` decimals, in the style
 * of `decimal_comma` (1.234,5) or not (1,234.5); "n/a" for NaN. */
void mkba_format_number(char *buf, size_t size, double v, int decimals, int decimal_comma);

#endif
