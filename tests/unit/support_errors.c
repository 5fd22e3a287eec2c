/* Bad-input cases made by editing a fixture (support_errors.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "support_errors.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot read fixture %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* text with its only `find` replaced by `replace` (text is freed). */
static char *edit(char *text, const char *find, const char *replace, const char *base)
{
    char *at = strstr(text, find);
    if (at == NULL || strstr(at + 1, find) != NULL)
        fail_msg("%s: \"%s\" occurs %s", base, find, at == NULL ? "nowhere" : "twice");
    size_t head = (size_t)(at - text), nf = strlen(find), nr = strlen(replace);
    char *out = malloc(strlen(text) - nf + nr + 1);
    assert_non_null(out);
    memcpy(out, text, head);
    memcpy(out + head, replace, nr);
    strcpy(out + head + nr, at + nf);
    free(text);
    return out;
}

char *support_edited(const char *path, const char *find, const char *replace)
{
    return edit(slurp(path), find, replace, path);
}

static int line_of(const char *text, const char *needle, const char *base)
{
    const char *at = strstr(text, needle);
    if (at == NULL)
        fail_msg("%s: the edited text has no \"%s\"", base, needle);
    int line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

int support_bad_write(const support_bad *c, char *path, size_t size)
{
    char *text = slurp(c->base);
    for (int i = 0; i < 6 && c->edit[i] != NULL; i += 2)
        text = edit(text, c->edit[i], c->edit[i + 1], c->base);
    int line = 0;
    if (c->at == NULL)
        line = line_of(text, c->edit[1], c->base);
    else if (c->at[0] != '\0')
        line = line_of(text, c->at, c->base);
    /* Beside the fixture, so its @include lines still find their files. */
    const char *slash = strrchr(c->base, '/');
    int dir = slash != NULL ? (int)(slash - c->base) : 1;
    snprintf(path, size, "%.*s/mkba-errors-%d-XXXXXX", dir, slash != NULL ? c->base : ".",
             (int)getpid());
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(text);
    return line;
}

void support_bad_check(const support_bad *c, const char *what, const char *message,
                       const char *path, int line)
{
    if (line > 0) {
        char where[600];
        snprintf(where, sizeof where, "%s:%d: ", path, line);
        if (strstr(message, where) == NULL)
            fail_msg("%s: expected \"%s\" in: %s", what, where, message);
    }
    for (int i = 0; i < 3 && c->says[i] != NULL; i++)
        if (strstr(message, c->says[i]) == NULL)
            fail_msg("%s: expected \"%s\" in: %s", what, c->says[i], message);
}

void support_bad_loads(const support_bad *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const support_bad *c = &cases[i];
        char path[256], what[64];
        int line = support_bad_write(c, path, sizeof path);
        snprintf(what, sizeof what, "case %zu (%s)", i, c->says[0]);
        mkba_error err = {0};
        mkba_model *m = NULL;
        int rc = mkba_scenario_load(NULL, path, &m, &err);
        remove(path);   /* before any check can end the test */
        if (rc == MKBA_OK)
            fail_msg("%s: loaded without error", what);
        assert_null(m);
        assert_int_equal(rc, err.code);
        support_bad_check(c, what, err.message, path, line);
    }
}

int support_bad_run(const support_bad *c, mkba_run_options *o, char *path, size_t size,
                    int *line, mkba_error *err)
{
    *line = support_bad_write(c, path, size);
    mkba_model *m = NULL;
    int rc = mkba_scenario_load(NULL, path, &m, err);
    if (rc != MKBA_OK) {
        remove(path);
        fail_msg("%s: %s", path, err->message);
    }
    rc = mkba_run(NULL, m, o, err);
    remove(path);
    mkba_model_free(m);
    return rc;
}

void support_expect_error(int rc, int code, const mkba_error *err, const char *phrase)
{
    if (rc != code || strstr(err->message, phrase) == NULL)
        fail_msg("code %d (expected %d), expected \"%s\" in: %s", rc, code, phrase,
                 err->message);
}
