/* Printing the HTML report to PDF with headless Chromium (see pdf.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/alloc.h"
#include "pdf.h"
#include "spawn.h"

/* A PDF starts with %PDF- and has a page tree with at least one page
 * ("/Count N" in its page tree, N >= 1). */
static int looks_like_pdf(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    char head[5] = { 0 };
    int ok = fread(head, 1, 5, f) == 5 && memcmp(head, "%PDF-", 5) == 0, pages = 0;
    char buf[4096];
    size_t n, carry = 0;
    while (ok && !pages && (n = fread(buf + carry, 1, sizeof buf - 1 - carry, f)) > 0) {
        n += carry;
        buf[n] = '\0';
        for (char *at = buf; !pages && (at = memchr(at, '/', (size_t)(buf + n - at))) != NULL;
             at++)
            if (strncmp(at, "/Count ", 7) == 0 && atol(at + 7) >= 1)
                pages = 1;
        carry = n > 16 ? 16 : n;     /* "/Count N" split between reads */
        memmove(buf, buf + n - carry, carry);
    }
    fclose(f);
    return ok && pages;
}

/* "file://" and path with every byte outside RFC 3986's unreserved set
 * and '/' percent-encoded (a '#', '?' or '%' in $TMPDIR would otherwise
 * end the path), into url of size >= 8 + 3 * strlen(path). */
static void file_url(char *url, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    memcpy(url, "file://", 7);
    char *o = url + 7;
    for (const unsigned char *c = (const unsigned char *)path; *c != '\0'; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')
            || strchr("-._~/", *c) != NULL) {
            *o++ = (char)*c;
        } else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 15];
        }
    }
    *o = '\0';
}

int mkba_pdf_print(const char *html, const char *pdf, const char *scratch,
                   const volatile sig_atomic_t *stop, mkba_error *err)
{
    const char *browser = getenv("MKBA_CHROMIUM");
    if (browser == NULL || browser[0] == '\0')
        browser = MKBA_CHROMIUM_BIN;
    int bad = 0;
    mkba_spawn_limits lim = { stop, mkba_spawn_timeout("MKBA_CHROMIUM_TIMEOUT",
                                                       MKBA_CHROMIUM_TIMEOUT_S, &bad) };
    if (bad)
        return mkba_error_set(err, MKBA_EINVAL, "MKBA_CHROMIUM_TIMEOUT is '%s'; expected the "
                              "seconds Chromium may take to print, a positive number (default "
                              "%d)", getenv("MKBA_CHROMIUM_TIMEOUT"), MKBA_CHROMIUM_TIMEOUT_S);
    size_t n = strlen(scratch) + 3 * strlen(html) + strlen(pdf) + 64;
    char *profile = mkba_malloc(n), *out = mkba_malloc(n), *url = mkba_malloc(n);
    char *log = mkba_malloc(n);
    if (profile == NULL || out == NULL || url == NULL || log == NULL) {
        mkba_free(profile);
        mkba_free(out);
        mkba_free(url);
        mkba_free(log);
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    }
    snprintf(profile, n, "--user-data-dir=%s/chromium-profile", scratch);
    snprintf(out, n, "--print-to-pdf=%s", pdf);
    file_url(url, html);
    snprintf(log, n, "%s/chromium.log", scratch);
    const char *argv[] = { browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--disable-background-networking",
                           "--no-pdf-header-footer", "--disable-crash-reporter",
                           "--disable-breakpad", profile, out, url, NULL };
    int status = 0, rc = mkba_spawn_wait((char *const *)(void *)argv, log, scratch, &lim,
                                         &status);
    char msg[512];
    mkba_spawn_last_line(log, msg, sizeof msg);
    if (rc == MKBA_SPAWN_STOPPED)
        rc = mkba_error_set(err, MKBA_EINTERRUPTED, "interrupted while Chromium printed the "
                            "PDF");
    else if (rc == MKBA_SPAWN_TIMED_OUT)
        rc = mkba_error_set(err, MKBA_EIO, "%s did not print the PDF within %g s and was "
                            "stopped (%s); set MKBA_CHROMIUM_TIMEOUT to allow more seconds",
                            browser, lim.timeout, msg[0] ? msg : "no message");
    else if (rc == ENOMEM)     /* its environment, or the process itself */
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory starting %s to print the PDF",
                            browser);
    else if (rc != 0)
        rc = mkba_error_set(err, MKBA_EIO, "the PDF is printed by Chromium, and %s cannot be "
                            "run (%s): install the Debian package chromium "
                            "(scripts/install-deps.sh --peers does) or set MKBA_CHROMIUM",
                            browser, strerror(rc));
    else if (status != 0)
        rc = mkba_error_set(err, MKBA_EIO, "%s failed to print the PDF (exit status %d): %s",
                            browser, status, msg[0] ? msg : "no message");
    else if (!looks_like_pdf(pdf))
        rc = mkba_error_set(err, MKBA_EIO, "%s wrote no PDF with pages to %s: %s", browser,
                            pdf, msg[0] ? msg : "no message");
    mkba_free(profile);
    mkba_free(out);
    mkba_free(url);
    mkba_free(log);
    return rc;
}
