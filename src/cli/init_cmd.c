/* `mkba init [--template NAME] FILE.cfg`: writes a commented starting
 * scenario that passes `mkba check`, for a new user to edit. The templates
 * are the files of src/cli/templates/ (tests/unit/test_report_cli.c checks
 * that each passes check and run without warnings). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "args.h"

#define DEFAULT_TEMPLATE "minimal"

/* The templates, one file each in src/cli/templates/ (scripts/templates-h.sh
 * makes them strings): every NAME in them is replaced by the scenario's
 * name; their "#:" lines are their help. */
#include "templates.h"

#define TEMPLATE_ENTRY_(name, lines, help) { name, lines, help },
static const struct {
    const char *name;
    const char *const *lines;
    const char *help;
} templates[] = { MKBA_TEMPLATES(TEMPLATE_ENTRY_) };
#undef TEMPLATE_ENTRY_
static const size_t ntemplates = sizeof templates / sizeof templates[0];

/* `mkba init --help`, its list of templates made from the table. */
static void print_help(FILE *f)
{
    fputs("Usage: mkba init [--template ", f);
    for (size_t t = 0; t < ntemplates; t++)
        fprintf(f, "%s%s", t > 0 ? "|" : "", templates[t].name);
    fputs("] [--force] NAME.cfg\n"
          "\n"
          "Writes a commented starting scenario NAME.cfg that passes mkba check; every\n"
          "number in it is a placeholder with a source to replace:\n", f);
    for (size_t t = 0; t < ntemplates; t++) {
        /* The name, then the help's lines under each other. */
        int indent = fprintf(f, "  %-9s ", templates[t].name);
        for (const char *p = templates[t].help; *p;) {
            size_t n = strcspn(p, "\n");
            fprintf(f, "%*s%.*s\n", p == templates[t].help ? 0 : indent, "", (int)n, p);
            p += n + (p[n] == '\n');
        }
    }
    fprintf(f, "\n"
            "  --template NAME     the template (default %s)\n"
            "  --force             replace an existing file\n"
            "\n"
            "Examples (docs/tutorial.md):\n"
            "  mkba init schuldhulp.cfg && mkba check schuldhulp.cfg &&\n"
            "    mkba run schuldhulp.cfg\n"
            "  mkba init --template pathways wijkteam.cfg\n", DEFAULT_TEMPLATE);
}

/* The scenario name for FILE: its base name without .cfg. */
static void scenario_name(const char *file, char *buf, size_t size)
{
    const char *base = strrchr(file, '/');
    base = base != NULL ? base + 1 : file;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".cfg") == 0)
        n -= 4;
    snprintf(buf, size, "%.*s", (int)n, base);
}

/* Writes the lines to f with every NAME replaced by name. */
static void fill_template(FILE *f, const char *const *lines, const char *name)
{
    for (; *lines != NULL; lines++)
        for (const char *p = *lines; *p;) {
            const char *at = strstr(p, "NAME");
            size_t n = at != NULL ? (size_t)(at - p) : strlen(p);
            fwrite(p, 1, n, f);
            p += n;
            if (at != NULL) {
                fputs(name, f);
                p += 4;
            }
        }
}

/* Writes the template to a temporary file beside `file` and puts it in
 * place only when complete: with force by rename (replacing a regular
 * file only), without by link (which fails when the file exists). 0, or -1
 * with the message printed and the user's file untouched. */
static int write_template(const char *file, const char *const *lines, const char *name,
                          int force)
{
    struct stat st;
    if (stat(file, &st) == 0 && (!force || !S_ISREG(st.st_mode))) {
        fprintf(stderr, "mkba: cannot write %s: %s\n", file,
                !S_ISREG(st.st_mode) ? "it is not a regular file"
                                     : "it exists (--force replaces it)");
        return -1;
    }
    size_t n = strlen(file);
    char *tmp = malloc(n + sizeof ".tmp-XXXXXX");
    if (tmp == NULL) {
        fprintf(stderr, "mkba: out of memory\n");
        return -1;
    }
    memcpy(tmp, file, n);
    memcpy(tmp + n, ".tmp-XXXXXX", sizeof ".tmp-XXXXXX");
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        fprintf(stderr, "mkba: cannot write %s: %s\n", file, strerror(errno));
        if (fd >= 0) {
            close(fd);
            remove(tmp);
        }
        free(tmp);
        return -1;
    }
    /* mkstemp makes the file private; give it the mode a new file gets. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    fill_template(f, lines, name);
    int failed = ferror(f) != 0, e = errno;
    if (fclose(f) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    if (!failed && (force ? rename(tmp, file) : link(tmp, file)) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed)
        fprintf(stderr, "mkba: cannot write %s: %s%s\n", file, strerror(e),
                e == EEXIST ? " (--force replaces it)" : "");
    remove(tmp);              /* after link, or after a failure; gone after rename */
    free(tmp);
    return failed ? -1 : 0;
}

/* 0 when name can stand in a libconfig string and a file name as it is;
 * else -1 with a message (the name comes from the file's name). */
static int check_name(const char *file, const char *name)
{
    for (const char *p = name; *p; p++)
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) {
            fprintf(stderr, "mkba: cannot use %s: the scenario's name comes from the file "
                    "name ('%s') and may not hold a quote, a backslash or a control "
                    "character; name the file with letters, digits, - and _\n", file, name);
            return -1;
        }
    if (name[0] == '\0') {
        fprintf(stderr, "mkba: cannot use %s: it gives the scenario no name\n", file);
        return -1;
    }
    return 0;
}

int mkba_cli_init(int argc, char **argv)
{
    const char *file = NULL, *tpl = DEFAULT_TEMPLATE;
    int force = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        int k;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--force") == 0) {
            force = 1;
        } else if ((k = mkba_cli_option_value(argc, argv, &i, "--template", NULL, &v)) != 0) {
            if (k < 0)
                return EXIT_USAGE;
            tpl = v;
        } else if (a[0] == '-' && a[1] != '\0') {
            return mkba_cli_usage_error("unknown option '%s' for init", a);
        } else if (file != NULL) {
            return mkba_cli_usage_error("init writes one file; unexpected '%s'", a);
        } else {
            file = a;
        }
    }
    if (file == NULL)
        return mkba_cli_usage_error("%s", "init needs the name of the scenario file to write");
    const char *const *lines = NULL;
    for (size_t t = 0; t < ntemplates; t++)
        if (strcmp(templates[t].name, tpl) == 0)
            lines = templates[t].lines;
    if (lines == NULL) {
        char why[512] = "--template expects one of";
        for (size_t t = 0; t < ntemplates; t++)
            snprintf(why + strlen(why), sizeof why - strlen(why), "%s %s", t > 0 ? "," : "",
                     templates[t].name);
        snprintf(why + strlen(why), sizeof why - strlen(why), "; got '%s'", tpl);
        return mkba_cli_usage_error("%s", why);
    }
    char name[256];
    scenario_name(file, name, sizeof name);
    if (check_name(file, name) < 0 || write_template(file, lines, name, force) < 0)
        return EXIT_ERROR;
    fprintf(stderr, "mkba: wrote %s; next: mkba check %s\n", file, file);
    return EXIT_OK;
}
