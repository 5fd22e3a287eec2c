/* Runs tools/mkba_plots.py and embeds its images (see plots.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/alloc.h"
#include "html_text.h"
#include "manifest.h"
#include "plots.h"
#include "spawn.h"

/* The script's exit status when python3 cannot import matplotlib, h5py or
 * numpy (tools/mkba_plots.py). */
#define PLOTS_MISSING_MODULE 3

static const char install_hint[] =
    "install the Debian packages python3-matplotlib python3-h5py python3-numpy "
    "(scripts/install-deps.sh does)";

static const char *setting(const char *name, const char *otherwise)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : otherwise;
}

/* dir/name in a new string. */
static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = mkba_malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* No chart or manifest is near this size: a larger file is a script gone
 * wrong, not something to hold in memory. */
#define MAX_FILE_BYTES ((size_t)64 << 20)

/* The whole file at path in a new buffer (*n bytes, NUL-terminated), or
 * NULL with errno set (EFBIG: more than MAX_FILE_BYTES). */
static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            size_t ncap = cap ? 2 * cap : 65536;
            char *grown = mkba_realloc(buf, ncap);
            if (grown == NULL) {
                mkba_free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = grown;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
        if (len > MAX_FILE_BYTES) {
            mkba_free(buf);
            fclose(f);
            errno = EFBIG;
            return NULL;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        mkba_free(buf);
        errno = EIO;
        return NULL;
    }
    buf[len] = '\0';
    *n = len;
    return buf;
}

/* Runs python script RESULT DIR --lang L [...] with its messages in
 * DIR/stderr.txt: mkba_spawn_wait's result. */
static int run_script(const char *python, const char *script, const mkba_plots_request *q,
                      const char *dir, const char *log, const mkba_spawn_limits *lim,
                      int *status)
{
    char budget[32], municipality[32];
    snprintf(budget, sizeof budget, "%ld", q->budget_arm);
    snprintf(municipality, sizeof municipality, "%ld", q->municipality);
    const char *argv[12];
    int k = 0;
    argv[k++] = python;
    argv[k++] = script;
    argv[k++] = q->result;
    argv[k++] = dir;
    argv[k++] = "--lang";
    argv[k++] = q->nl ? "nl" : "en";
    if (q->budget_arm >= 0) {
        argv[k++] = "--budget-arm";
        argv[k++] = budget;
    }
    if (q->municipality >= 0) {
        argv[k++] = "--municipality";
        argv[k++] = municipality;
    }
    argv[k] = NULL;
    return mkba_spawn_wait((char *const *)(void *)argv, log, dir, lim, status);
}

void mkba_plots_free(mkba_plots *p)
{
    if (p->dir != NULL)
        mkba_spawn_remove_tree(p->dir);
    mkba_free(p->dir);
    mkba_manifest_free(p->chart, p->n);
    memset(p, 0, sizeof *p);
}

static int failed(mkba_plots *p, int code)
{
    mkba_plots_free(p);
    return code;
}

int mkba_plots_draw(mkba_plots *p, const mkba_plots_request *q, mkba_error *err)
{
    memset(p, 0, sizeof *p);
    const char *python = setting("MKBA_PYTHON", MKBA_PYTHON_BIN);
    const char *script = setting("MKBA_PLOTS", MKBA_PLOTS_SCRIPT);
    int bad = 0;
    mkba_spawn_limits lim = { q->stop, mkba_spawn_timeout("MKBA_PLOTS_TIMEOUT",
                                                          MKBA_PLOTS_TIMEOUT_S, &bad) };
    if (bad)
        return mkba_error_set(err, MKBA_EINVAL, "MKBA_PLOTS_TIMEOUT is '%s'; expected the "
                              "seconds the chart script may take, a positive number (default "
                              "%d)", getenv("MKBA_PLOTS_TIMEOUT"), MKBA_PLOTS_TIMEOUT_S);
    if (access(script, R_OK) != 0)
        return mkba_error_set_sys(err, MKBA_EIO, errno, "the chart script %s cannot be read "
                                  "(%s); set MKBA_PLOTS to tools/mkba_plots.py of the mkba "
                                  "sources", script, strerror(errno));
    /* An absolute folder: the PDF printer opens the page as a file:// URL. */
    const char *tmp = setting("TMPDIR", "/tmp");
    char *dir = join(tmp[0] == '/' ? tmp : "/tmp", "mkba-plots-XXXXXX");
    if (dir == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    if (mkdtemp(dir) == NULL) {
        int e = errno;
        int rc = mkba_error_set_sys(err, MKBA_EIO, e, "cannot make a folder for the charts "
                                    "(%s): %s", dir, strerror(e));
        mkba_free(dir);
        return rc;
    }
    p->dir = dir;
    char *log = join(dir, "stderr.txt");
    if (log == NULL)
        return failed(p, mkba_error_set(err, MKBA_ENOMEM, "out of memory"));
    int status = 0, rc = run_script(python, script, q, dir, log, &lim, &status);
    char msg[512];
    mkba_spawn_last_line(log, msg, sizeof msg);
    mkba_free(log);
    if (rc == MKBA_SPAWN_STOPPED)
        return failed(p, mkba_error_set(err, MKBA_EINTERRUPTED, "interrupted while the charts "
                                        "were drawn"));
    if (rc == MKBA_SPAWN_TIMED_OUT)
        return failed(p, mkba_error_set(err, MKBA_EIO, "the chart script %s did not finish "
                                        "within %g s and was stopped (%s); set "
                                        "MKBA_PLOTS_TIMEOUT to allow more seconds", script,
                                        lim.timeout, msg[0] ? msg : "no message"));
    if (rc == ENOMEM)          /* its environment, or the process itself */
        return failed(p, mkba_error_set(err, MKBA_ENOMEM, "out of memory starting the chart "
                                        "script %s", script));
    if (rc != 0)
        return failed(p, mkba_error_set(err, MKBA_EIO, "the charts need python3 with "
                                        "matplotlib and h5py; %s cannot be run (%s): %s, or "
                                        "set MKBA_PYTHON to such a python3", python,
                                        strerror(rc), install_hint));
    if (status == PLOTS_MISSING_MODULE)   /* the script's message names the packages */
        return failed(p, mkba_error_set(err, MKBA_EIO, "the charts need python3 with "
                                        "matplotlib and h5py (%s): %s", python,
                                        msg[0] ? msg : install_hint));
    if (status != 0)
        return failed(p, mkba_error_set(err, MKBA_EIO, "the chart script %s failed (exit "
                                        "status %d): %s", script, status,
                                        msg[0] ? msg : "no message"));
    char *path = join(dir, "manifest.json");
    size_t n = 0;
    char *text = path != NULL ? slurp(path, &n) : NULL;
    if (path == NULL || (text == NULL && errno == ENOMEM))
        rc = mkba_error_set(err, MKBA_ENOMEM, "out of memory");
    else if (text == NULL && errno == EFBIG)
        rc = mkba_error_set(err, MKBA_EIO, "the chart script %s wrote a manifest of more than "
                            "%zu MB (%s): not a chart manifest", script, MAX_FILE_BYTES >> 20,
                            path);
    else if (text == NULL)
        rc = mkba_error_set(err, MKBA_EIO, "the chart script %s wrote no manifest (%s: %s)",
                            script, path, strerror(errno));
    else
        rc = mkba_manifest_parse(text, n, path, &p->chart, &p->n, err);
    mkba_free(text);
    mkba_free(path);
    return rc == MKBA_OK ? MKBA_OK : failed(p, rc);
}

static void base64(FILE *f, const unsigned char *s, size_t n)
{
    static const char digit[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        char out[4] = { digit[v >> 18], digit[(v >> 12) & 63],
                        i + 1 < n ? digit[(v >> 6) & 63] : '=', i + 2 < n ? digit[v & 63] : '=' };
        fwrite(out, 1, 4, f);
    }
}

int mkba_plots_embed(FILE *f, const mkba_plots *p, size_t i, mkba_error *err)
{
    const mkba_chart *c = &p->chart[i];
    char *path = join(p->dir, c->file);
    size_t n = 0;
    char *svg = path != NULL ? slurp(path, &n) : NULL;
    if (svg == NULL) {
        if (path == NULL || errno == ENOMEM)
            mkba_error_set(err, MKBA_ENOMEM, "out of memory");
        else
            mkba_error_set(err, MKBA_EIO, "chart %s: cannot read %s: %s", c->id, path,
                           strerror(errno));
        mkba_free(path);
        return -1;
    }
    mkba_free(path);
    fputs("<figure class=\"chart\" data-chart=\"", f);
    mkba_xml_text(f, c->id);
    fputs("\"><img src=\"data:image/svg+xml;base64,", f);
    base64(f, (const unsigned char *)svg, n);
    fputs("\" alt=\"", f);
    mkba_xml_text(f, c->alt);
    fputs("\" title=\"", f);
    mkba_xml_text(f, c->title);
    fputs("\"/></figure>\n", f);
    mkba_free(svg);
    return 0;
}
