/* Every number of the shipped scenarios carries where it comes from
 * (issue 12): a source, or "assumption" with a range, or, for a number
 * computed from others, "derived". The test loads every scenario under
 * scenarios/ and counts the numbers that break a rule; it fails above zero
 * and names each one with its file, line and setting.
 *
 * Rules, per stored parameter:
 *   - the source is given, and it is a reference [Sn] that docs/sources.md
 *     lists, an assumption, an expression's "derived: ...", or a
 *     convention of the model ("reference arm: ", "convention: ",
 *     "simulated demand: ", "in place: "; a setting's documented default
 *     reads "default"); every [Sn] it cites is listed;
 *   - an expression's source reads "derived: EXPRESSION", its own
 *     expression (then any further text), as the loader records one
 *     written inline; only an expression is derived, so a number whose
 *     source starts with "derived" is refused;
 *   - a number, fixed or drawn, whose source starts with "assumption" (any
 *     case) states a numeric range, "range A-B" or "range A to B";
 *   - a range marked "(95%)" (a Dirichlet's "(95% of each state's share")
 *     restates the distribution: it is the distribution's central 95% to
 *     2% of its width, so it cannot be left behind by a change;
 *   - any other range a number's source states holds the number's mean (a
 *     fixed number's value).
 * Each arm's overrides are checked by the same rules, with the source the
 * override states.
 *
 * A number written in a scenario that is no parameter (a triage threshold,
 * a payer's share, a run setting; and the degree weights, defaults in the
 * code when a scenario does not write them) is looked up in the table
 * "Where every number comes from" of docs/scenarios.md by its file, its
 * setting and its value (a row covers only the files and elements it
 * names); the table gives each its kind (definition, a listed source [Sn],
 * assumption with a range that holds the value) and reason, and a row that
 * matches nothing is stale. */
#include <fnmatch.h>
#include <glob.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "model/model.h"
#include "model/params.h"
#include "model/scenario_impl.h"
#include "support.h"

/* Whether text starts with expression e, spaces aside. */
static int starts_with_expression(const char *text, const char *e)
{
    for (;; text++, e++) {
        while (*e == ' ')
            e++;
        while (*text == ' ')
            text++;
        if (*e == '\0')
            return 1;
        if (*text != *e)
            return 0;
    }
}

/* A number of a stated range at c: digits, thousands commas and a point;
 * its length in *len (0 when there is none). */
static double range_number(const char *c, size_t *len)
{
    char digits[64];
    size_t n = 0, k = strspn(c, "0123456789.,");
    for (size_t i = 0; i < k && n + 1 < sizeof digits; i++)
        if (c[i] != ',')
            digits[n++] = c[i];
    digits[n] = '\0';
    *len = n > 0 ? k : 0;
    return n > 0 ? strtod(digits, NULL) : NAN;
}

/* Whether s states at least k + 1 numeric ranges, "range A-B" or "range A
 * to B", A and B numbers (digits, commas and points); range k (from 0) in
 * *lo and *hi, and where its text ends in *end (when end is not NULL). A
 * Dirichlet's source states one a component, in order. */
static int states_range_nth(const char *s, int k, double *lo, double *hi, const char **end)
{
    for (const char *r = strstr(s, "range "); r != NULL; r = strstr(r + 1, "range ")) {
        const char *c = r + 6;
        while (*c == '~' || *c == ' ' || strncmp(c, "about ", 6) == 0)
            c += *c == 'a' ? 6 : 1;
        size_t a, b;
        *lo = range_number(c, &a);
        if (a == 0)
            continue;
        c += a;
        if (*c == '-')
            c++;
        else if (strncmp(c, " to ", 4) == 0)
            c += 4;
        else
            continue;
        *hi = range_number(c, &b);
        if (b > 0 && c[0] != ',' && k-- == 0) {
            if (end != NULL)
                *end = c + b;
            return 1;
        }
    }
    return 0;
}

/* Whether s states a numeric range; the first in *lo and *hi. */
static int states_range(const char *s, double *lo, double *hi)
{
    return states_range_nth(s, 0, lo, hi, NULL);
}

/* ---- references: the [Sn] that docs/sources.md lists ---- */

#define SOURCES_DOC "docs/sources.md"
#define MAX_REFERENCE 200

/* Whether reference [Sn] is a row "| Sn | ..." of docs/sources.md (read
 * once). */
static int reference_known(long n)
{
    static unsigned char listed[MAX_REFERENCE];
    static int read;
    if (!read) {
        char *doc = support_read_file(SOURCES_DOC);
        if (doc == NULL)
            fail_msg(SOURCES_DOC ": cannot read");
        for (const char *l = doc; l != NULL; l = strchr(l, '\n'), l = l != NULL ? l + 1 : l) {
            char *end;
            long k;
            if (strncmp(l, "| S", 3) == 0 && (k = strtol(l + 3, &end, 10)) > 0
                && k < MAX_REFERENCE && strncmp(end, " |", 2) == 0)
                listed[k] = 1;
        }
        free(doc);
        read = 1;
    }
    return n > 0 && n < MAX_REFERENCE && listed[n];
}

/* The references [Sn] text cites: how many, or -1 when one of them is not
 * in docs/sources.md (its number then in *unknown). "[S1][S20]" cites two. */
static int cited_references(const char *text, long *unknown)
{
    int n = 0;
    for (const char *c = strstr(text, "[S"); c != NULL; c = strstr(c + 1, "[S")) {
        char *end;
        long k = strtol(c + 2, &end, 10);
        if (end == c + 2 || *end != ']')
            continue;
        if (!reference_known(k)) {
            *unknown = k;
            return -1;
        }
        n++;
    }
    return n;
}

/* The central 95% of distribution d, from its quantiles (a Dirichlet
 * component's from its beta marginal); 0, or -1 when d has none. */
static int central_95(const mkba_dist *d, double *lo, double *hi)
{
    mkba_dist m = *d;
    if (d->kind == MKBA_DIST_EXPR)
        return -1;
    if (d->kind == MKBA_DIST_DIRICHLET) {
        double sum = 0;
        for (int i = 0; i < d->group_size; i++)
            sum += d->alpha[i];
        m = (mkba_dist){ .kind = MKBA_DIST_BETA, .a = d->alpha[d->group_index],
                         .b = sum - d->alpha[d->group_index] };
    }
    *lo = mkba_dist_quantile(&m, 0.025);
    *hi = mkba_dist_quantile(&m, 0.975);
    return 0;
}

/* A stated central 95% may differ from the distribution's by this share of
 * its width: the sources print three significant figures. */
#define CENTRAL_TOLERANCE 0.02

/* The words that open a source with neither a reference nor an assumption:
 * the number is a convention of the model, not a fact about the world
 * ("default" alone is the loader's, for a setting left at its documented
 * default). */
static const char *const source_conventions[] = {
    "reference arm: ", "convention: ", "default", "simulated demand: ", "in place: ",
};

/* The rule parameter q breaks, or NULL (a message in a static buffer when
 * it quotes numbers). */
static const char *broken_rule(const mkba_param *q)
{
    static char why[256];
    const char *s = q->source;
    if (s == NULL || s[0] == '\0')
        return "no source";
    if (q->dist.kind == MKBA_DIST_EXPR
        && (strncmp(s, "derived: ", 9) != 0 || !starts_with_expression(s + 9, q->dist.expr)))
        return "an expression whose source is not \"derived: EXPRESSION\" with its expression";
    if (q->dist.kind != MKBA_DIST_EXPR && strncasecmp(s, "derived", 7) == 0)
        return "a number labelled derived; only an expression is derived";
    long unknown;
    int cites = cited_references(s, &unknown);
    if (cites < 0) {
        snprintf(why, sizeof why, "cites [S%ld], which " SOURCES_DOC " does not list", unknown);
        return why;
    }
    int convention = 0;
    for (size_t i = 0; i < sizeof source_conventions / sizeof source_conventions[0]; i++)
        convention |= strncmp(s, source_conventions[i], strlen(source_conventions[i])) == 0;
    if (q->dist.kind != MKBA_DIST_EXPR && strncasecmp(s, "assumption", 10) != 0 && cites == 0
        && !convention)
        return "a source that is no reference [Sn] of " SOURCES_DOC ", no \"assumption, range "
               "A-B\" and no convention (\"reference arm: \", \"convention: \", \"default\", "
               "\"simulated demand: \", \"in place: \")";
    double lo, hi, mean = mkba_dist_mean(&q->dist), qlo, qhi;
    const char *end;
    int k = q->dist.kind == MKBA_DIST_DIRICHLET ? q->dist.group_index : 0;
    if (strncasecmp(s, "assumption", 10) == 0 && !states_range_nth(s, k, &lo, &hi, NULL))
        return "an assumption without a numeric range (\"range A-B\"; a Dirichlet's one a "
               "component, in order)";
    if (q->dist.kind == MKBA_DIST_EXPR || !states_range_nth(s, k, &lo, &hi, &end))
        return NULL;
    /* A range marked "(95%)" restates the distribution: it must be the
     * distribution's central 95%, so a change of the distribution that
     * leaves the text behind shows. */
    if ((strncmp(end, " (95%", 5) == 0 || strstr(s, "(95% of each") != NULL)
        && central_95(&q->dist, &qlo, &qhi) == 0) {
        double tol = CENTRAL_TOLERANCE * (qhi - qlo);
        if (!(fabs(lo - qlo) <= tol && fabs(hi - qhi) <= tol)) {
            snprintf(why, sizeof why, "the stated central 95%%, %.3g-%.3g, is not the "
                     "distribution's, %.3g-%.3g: restate it", lo, hi, qlo, qhi);
            return why;
        }
        return NULL;
    }
    /* Any other range holds the number's mean (a fixed number's value). */
    if (!(lo <= mean * (1 + 1e-9) && mean <= hi * (1 + 1e-9)))
        return "a stated range (\"range A-B\") that does not hold the number's mean";
    return NULL;
}

/* Whether a count prints what it counts: test_rules_bite counts numbers
 * it means to be counted, and keeps quiet. */
static int counts_quiet;

/* Prints one counted number, unless counts_quiet. */
static void counted(const char *fmt, ...) CMOCKA_PRINTF_ATTRIBUTE(1, 2);
static void counted(const char *fmt, ...)
{
    if (counts_quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprint_message(fmt, ap);
    va_end(ap);
}

/* The stored parameters of model m that break a rule, each printed. */
static int count_unsourced_params(const mkba_model *m)
{
    int bad = 0;
    for (size_t i = 0; i < mkba_params_count(m->params); i++) {
        const mkba_param *q = mkba_params_get(m->params, i);
        const char *rule = broken_rule(q);
        if (rule != NULL) {
            counted("%s:%d: %s: %s\n", q->file, q->line, q->name, rule);
            bad++;
        }
        for (size_t a = 0; a < m->narms; a++) {
            if (!mkba_params_overridden(m->params, i, a))
                continue;
            mkba_param o = *q;
            const char *file;
            int line;
            o.dist = q->arm_dist[a];
            o.source = (char *)mkba_params_override_source_of(m->params, i, a, &line, &file);
            if ((rule = broken_rule(&o)) != NULL) {
                counted("%s:%d: %s (arm %s): %s\n", file, line, q->name, m->arm[a].name,
                              rule);
                bad++;
            }
        }
    }
    return bad;
}

/* ---- numbers written in a scenario that are no parameter ---- */

#define NUMBERS_DOC "docs/scenarios.md"
#define NUMBERS_HEADING "\n## Where every number comes from\n"

/* One row of the table: the files it documents (a glob from the top
 * folder), a setting as number_setting() writes it, its value, its line in
 * the document and whether a shipped scenario has it. */
typedef struct number_row {
    char file[MKBA_PATH_MAX];
    char setting[MKBA_PATH_MAX];
    double value;
    int line, used;
} number_row;

typedef struct number_table {
    number_row *row;
    size_t n;
} number_table;

/* Cell k (from 0) of the table row starting at `line`, trimmed of spaces
 * and backticks, into buf; 0, or -1 when the row has no such cell. */
static int table_cell(const char *line, int k, char *buf, size_t size)
{
    const char *c = line;
    for (int i = 0; i <= k; i++) {
        if ((c = strchr(c, '|')) == NULL || c[1] == '\n' || c[1] == '\0')
            return -1;
        c++;
    }
    const char *e = c + strcspn(c, "|\n");
    if (*e != '|')
        return -1;
    while (c < e && (*c == ' ' || *c == '`'))
        c++;
    while (e > c && (e[-1] == ' ' || e[-1] == '`'))
        e--;
    snprintf(buf, size, "%.*s", (int)(e - c), c);
    return 0;
}

/* The number in `text`: a decimal, or a fraction "A/B" (1/3 is the
 * double nearest a third, as the code writes it); NAN when it is neither. */
static double row_value(const char *text)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text)
        return NAN;
    if (*end == '/') {
        const char *d = end + 1;
        double w = strtod(d, &end);
        if (end == d || w == 0)
            return NAN;
        v /= w;
    }
    return *end == '\0' ? v : NAN;
}

/* Why a row (setting, value, kind, reason) is no good, or NULL: the value
 * is one number; the kind "definition", "source [Sn]" (a reference docs/
 * sources.md lists) or "assumption, range A-B" with A <= value <= B; a
 * reason is given, and any reference it cites is listed too. */
static const char *bad_row(const char *value, const char *kind, const char *reason)
{
    double v = row_value(value);
    if (isnan(v))
        return "the value is not one number (a decimal or a fraction A/B)";
    if (strcmp(kind, "definition") != 0 && strncmp(kind, "source [S", 9) != 0
        && strncmp(kind, "assumption", 10) != 0)
        return "the kind is not \"definition\", \"source [Sn]\" or \"assumption, range A-B\"";
    long unknown;
    if (cited_references(kind, &unknown) < 0 || cited_references(reason, &unknown) < 0)
        return "a reference [Sn] that " SOURCES_DOC " does not list";
    double lo, hi;
    if (strncmp(kind, "assumption", 10) == 0 && !states_range(kind, &lo, &hi))
        return "an assumption without a numeric range (\"range A-B\")";
    if (strncmp(kind, "assumption", 10) == 0 && !(lo <= v && v <= hi))
        return "an assumption whose range does not hold its value";
    if (reason[0] == '\0')
        return "no reason";
    return NULL;
}

/* The table of section "Where every number comes from" of `text` (rows
 * "| `file` | `setting` | value | kind | reason |"); a cmocka failure names
 * a malformed row by its line in `doc`. */
static number_table read_number_table(const char *doc, const char *text)
{
    number_table t = {0};
    const char *sec = strstr(text, NUMBERS_HEADING);
    if (sec == NULL)
        fail_msg("%s: no section \"%s\"", doc, NUMBERS_HEADING + 4);
    int line = 2;
    for (const char *c = text; c < sec; c++)
        line += *c == '\n';
    for (const char *l = sec + 1; *l != '\0'; line++) {
        if (strncmp(l, "## ", 3) == 0 && l != sec + 1)
            break;
        if (strncmp(l, "| `", 3) == 0) {
            char file[MKBA_PATH_MAX], setting[MKBA_PATH_MAX], value[64], kind[256],
                reason[1024];
            const char *why = "fewer than five cells";
            if (table_cell(l, 0, file, sizeof file) == 0
                && table_cell(l, 1, setting, sizeof setting) == 0
                && table_cell(l, 2, value, sizeof value) == 0
                && table_cell(l, 3, kind, sizeof kind) == 0
                && table_cell(l, 4, reason, sizeof reason) == 0)
                why = bad_row(value, kind, reason);
            if (why != NULL)
                fail_msg("%s:%d: %s", doc, line, why);
            number_row *nr = realloc(t.row, (t.n + 1) * sizeof *nr);
            assert_non_null(nr);
            t.row = nr;
            snprintf(nr[t.n].file, sizeof nr[t.n].file, "%s", file);
            snprintf(nr[t.n].setting, sizeof nr[t.n].setting, "%s", setting);
            nr[t.n].value = row_value(value);
            nr[t.n].line = line;
            nr[t.n].used = 0;
            t.n++;
        }
        const char *next = strchr(l, '\n');
        if (next == NULL)
            break;
        l = next + 1;
    }
    return t;
}

/* Whether the list element label at `setting` ("[wijkteam]") is one of
 * the labels of `pattern` ("[wijkteam/loket]"; "[*]" is any); both are
 * advanced past their brackets. */
static int label_matches(const char **pattern, const char **setting)
{
    size_t pn = strcspn(*pattern, "]"), sn = strcspn(*setting, "]");
    const char *label = *setting + 1;
    size_t ln = sn - 1;
    int match = 0;
    for (const char *p = *pattern + 1; p <= *pattern + pn; p += strcspn(p, "/]") + 1) {
        size_t an = strcspn(p, "/]");
        match |= (an == 1 && *p == '*') || (an == ln && strncmp(p, label, ln) == 0);
    }
    *pattern += pn + ((*pattern)[pn] == ']');
    *setting += sn + ((*setting)[sn] == ']');
    return match;
}

/* Whether `setting` matches the table's `pattern`: the same parts between
 * dots, where a part "*" matches any part, and a list element's label in
 * brackets matches "[*]" or one of the labels "[a/b]" ("teams[wijkteam/
 * loket].payer" matches "teams[wijkteam].payer"). */
static int setting_matches(const char *pattern, const char *setting)
{
    while (*pattern != '\0' && *setting != '\0') {
        if (pattern[0] == '*' && (pattern[1] == '.' || pattern[1] == '\0')) {
            pattern++;
            setting += strcspn(setting, ".");
        } else if (*pattern == '[' && *setting == '[') {
            if (!label_matches(&pattern, &setting))
                return 0;
        } else if (*pattern++ != *setting++)
            return 0;
    }
    return *pattern == '\0' && *setting == '\0';
}

/* Whether `file`, a path from the top folder, matches one of the globs of
 * a row's file cell, separated by commas ("`scenarios/STAR.cfg`, ...", STAR
 * a "*"; a "*" does not cross a "/"). */
static int file_matches(const char *cell, const char *file)
{
    for (const char *c = cell; *c != '\0'; c += *c != '\0') {
        size_t n = strcspn(c, ",");
        char glob_one[MKBA_PATH_MAX];
        snprintf(glob_one, sizeof glob_one, "%.*s", (int)n, c);
        char *g = glob_one + strspn(glob_one, " `");
        g[strcspn(g, "`")] = '\0';
        if (fnmatch(g, file, FNM_PATHNAME) == 0)
            return 1;
        c += n;
    }
    return 0;
}

/* Whether table t has (file, setting, value), file a path from the top
 * folder; the row is then marked used. */
static int number_documented(number_table *t, const char *file, const char *setting,
                             double value)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->row[i].value == value && file_matches(t->row[i].file, file)
            && setting_matches(t->row[i].setting, setting)) {
            t->row[i].used = 1;
            return 1;
        }
    return 0;
}

/* Setting s as the table writes it: members by name, an element of a
 * list by its `name` (else `team`, else its `parameters` joined by commas,
 * as a correlation's) in brackets, or else its position from 0; an element
 * of an array by the array itself. */
static size_t number_setting(const config_setting_t *s, char *buf, size_t size)
{
    const config_setting_t *parent = config_setting_parent(s);
    if (parent == NULL) {
        buf[0] = '\0';
        return 0;
    }
    if (config_setting_is_array(parent))
        return number_setting(parent, buf, size);
    size_t used = number_setting(parent, buf, size);
    if (used >= size)
        return used;
    const char *name = config_setting_name(s), *label = NULL;
    int n;
    if (name != NULL)
        n = snprintf(buf + used, size - used, "%s%s", used > 0 ? "." : "", name);
    else if (config_setting_lookup_string(s, "name", &label) == CONFIG_TRUE
             || config_setting_lookup_string(s, "team", &label) == CONFIG_TRUE)
        n = snprintf(buf + used, size - used, "[%s]", label);
    else if (config_setting_get_member(s, "parameters") != NULL) {
        const config_setting_t *names = config_setting_get_member(s, "parameters");
        char joined[MKBA_PATH_MAX] = "";
        for (int i = 0; i < config_setting_length(names); i++) {
            const char *p = config_setting_get_string_elem(names, i);
            size_t k = strlen(joined);
            snprintf(joined + k, sizeof joined - k, "%s%s", i > 0 ? "," : "", p ? p : "?");
        }
        n = snprintf(buf + used, size - used, "[%s]", joined);
    } else
        n = snprintf(buf + used, size - used, "[%d]", config_setting_index(s));
    return used + (n > 0 ? (size_t)n : 0);
}

/* Whether the setting at loader path `path` defines a stored parameter,
 * lies inside one (a distribution group) or is an arm's override: those
 * broken_rule checks. */
static int number_stored(const mkba_model *m, const char *path)
{
    if (strncmp(path, "parameters.", 11) == 0
        || (strncmp(path, "arms.[", 6) == 0 && strstr(path, "].overrides.") != NULL))
        return 1;
    for (size_t i = 0; i < mkba_params_count(m->params); i++) {
        const char *p = mkba_params_get(m->params, i)->path;
        size_t n = p != NULL ? strlen(p) : 0;
        if (n > 0 && strncmp(path, p, n) == 0 && (path[n] == '\0' || path[n] == '.'))
            return 1;
    }
    return 0;
}

/* One scenario being walked: its model, its file, its folder (libconfig
 * resolves every @include against it) and the table. */
typedef struct number_walk {
    const mkba_model *m;
    const char *path;
    char dir[MKBA_PATH_MAX];
    number_table *t;
} number_walk;

/* Path p with its "." and "NAME/.." parts taken out, in place:
 * "scenarios/pathways/../../params/x.cfg" becomes "params/x.cfg". */
static void normalize_path(char *p)
{
    char *part[64];
    size_t n = 0;
    for (char *c = strtok(p, "/"); c != NULL && n < 64; c = strtok(NULL, "/")) {
        if (strcmp(c, ".") == 0)
            continue;
        if (strcmp(c, "..") == 0 && n > 0 && strcmp(part[n - 1], "..") != 0)
            n--;
        else
            part[n++] = c;
    }
    char out[MKBA_PATH_MAX] = "";
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(out);
        snprintf(out + k, sizeof out - k, "%s%s", i > 0 ? "/" : "", part[i]);
    }
    strcpy(p, out);
}

/* The file of setting s as a path from the top folder, into buf (libconfig
 * names an included file from the scenario's folder). */
static void setting_file(const number_walk *w, const config_setting_t *s, char *buf,
                         size_t size)
{
    const char *file = config_setting_source_file(s);
    int included = file != NULL && strcmp(file, w->path) != 0 && file[0] != '/';
    int n = snprintf(buf, size, "%s%s%s", included ? w->dir : "", included ? "/" : "",
                     file != NULL ? file : w->path);
    if (n < 0 || (size_t)n >= size)
        fail_msg("%s: a path too long", file);
    normalize_path(buf);
}

/* The numbers under setting s that are neither stored parameters nor rows
 * of the table, each printed with its file, line and setting. */
static int count_undocumented(const number_walk *w, const config_setting_t *s)
{
    int type = config_setting_type(s), bad = 0;
    if (type == CONFIG_TYPE_GROUP || type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY) {
        for (int i = 0; i < config_setting_length(s); i++)
            bad += count_undocumented(w, config_setting_get_elem(s, (unsigned)i));
        return bad;
    }
    if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64 && type != CONFIG_TYPE_FLOAT)
        return 0;
    char path[MKBA_PATH_MAX], setting[MKBA_PATH_MAX];
    mkba_sc_path(s, NULL, path, sizeof path);
    if (number_stored(w->m, path))
        return 0;
    double value = type == CONFIG_TYPE_FLOAT ? config_setting_get_float(s)
                                             : (double)config_setting_get_int64(s);
    char file[MKBA_PATH_MAX];
    number_setting(s, setting, sizeof setting);
    setting_file(w, s, file, sizeof file);
    if (number_documented(w->t, file, setting, value))
        return 0;
    counted("%s:%u: %s = %.17g: a number that is no parameter with a source and not in "
            "the table of " NUMBERS_DOC ", \"Where every number comes from\", for this "
            "file\n", file, config_setting_source_line(s), setting, value);
    return 1;
}

/* The degree weights of a scenario with services, written or the code's
 * defaults, that table t lacks for the scenario's file, each printed. */
static int count_undocumented_weights(const mkba_model *m, const char *path, number_table *t)
{
    int bad = 0;
    for (int d = 1; m->services.nteams > 0 && d < MKBA_NDEGREES; d++) {
        char setting[64];
        snprintf(setting, sizeof setting, "services.degree_weights.%s", mkba_degree_names[d]);
        if (!number_documented(t, path, setting, m->services.degree_weight[d])) {
            counted("%s: %s = %.17g (written or the default): not in the table of "
                          NUMBERS_DOC "\n", path, setting, m->services.degree_weight[d]);
            bad++;
        }
    }
    return bad;
}

/* The numbers of scenario `path` that break a rule or that table t lacks,
 * each printed. */
static int count_unsourced(const char *path, number_table *t)
{
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    int bad = count_unsourced_params(m) + count_undocumented_weights(m, path, t);
    number_walk w = {.m = m, .path = path, .t = t};
    snprintf(w.dir, sizeof w.dir, "%s", path);
    char *slash = strrchr(w.dir, '/');
    if (slash != NULL)
        *slash = '\0';
    else
        strcpy(w.dir, ".");
    config_t cfg;
    config_init(&cfg);
    config_set_include_dir(&cfg, w.dir);
    if (config_read_file(&cfg, path) != CONFIG_TRUE)
        fail_msg("%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
    bad += count_undocumented(&w, config_root_setting(&cfg));
    config_destroy(&cfg);
    mkba_model_free(m);
    return bad;
}

/* The rows of table t that match no setting, each printed. */
static int count_stale_rows(const number_table *t)
{
    int bad = 0;
    for (size_t i = 0; i < t->n; i++)
        if (!t->row[i].used) {
            counted(NUMBERS_DOC ":%d: %s = %.17g: a row that matches no setting of a "
                          "shipped scenario\n", t->row[i].line, t->row[i].setting,
                          t->row[i].value);
            bad++;
        }
    return bad;
}

static void test_library_numbers_have_sources(void **state)
{
    (void)state;
    counts_quiet = 0;   /* also after a test_rules_bite that failed quiet */
    glob_t g;
    assert_int_equal(glob("scenarios/*.cfg", 0, NULL, &g), 0);
    assert_int_equal(glob("scenarios/pathways/*.cfg", GLOB_APPEND, NULL, &g), 0);
    assert_true(g.gl_pathc >= 11);
    char *doc = support_read_file(NUMBERS_DOC);
    if (doc == NULL)
        fail_msg(NUMBERS_DOC ": cannot read");
    number_table t = read_number_table(NUMBERS_DOC, doc);
    free(doc);
    int bad = 0;
    for (size_t i = 0; i < g.gl_pathc; i++)
        bad += count_unsourced(g.gl_pathv[i], &t);
    globfree(&g);
    bad += count_stale_rows(&t);
    free(t.row);
    assert_int_equal(bad, 0);
}

/* The rules catch what they say, case by case: kind, expression, source,
 * whether it breaks a rule. */
static void test_rules_bite(void **state)
{
    (void)state;
    static const struct {
        mkba_dist_kind kind;
        const char *expr, *source;
        double a, b;   /* a fixed number's value; a gamma's shape and scale */
        int broken;
    } cases[] = {
        { MKBA_DIST_FIXED, NULL, NULL, 3, 0, 1 },
        { MKBA_DIST_FIXED, NULL, "assumption, mean 3", 3, 0, 1 },
        { MKBA_DIST_FIXED, NULL, "assumption, range 2-4", 3, 0, 0 },
        { MKBA_DIST_FIXED, NULL, "Assumption, mean 3", 3, 0, 1 },
        { MKBA_DIST_FIXED, NULL, "assumption; no range known", 3, 0, 1 },
        { MKBA_DIST_FIXED, NULL, "assumption, range 1,840 to 2,300", 2000, 0, 0 },
        { MKBA_DIST_FIXED, NULL, "assumption, range 1,840 to 2,300", 3, 0, 1 },
        { MKBA_DIST_FIXED, NULL, "derived from simulated demand", 3, 0, 1 },
        { MKBA_DIST_EXPR, "a * b", NULL, 0, 0, 1 },
        { MKBA_DIST_EXPR, "a * b", "derived", 0, 0, 1 },
        { MKBA_DIST_EXPR, "a * b", "derived: hours x hourly cost", 0, 0, 1 },
        { MKBA_DIST_EXPR, "a * b", "derived: a*b; the product", 0, 0, 0 },
        { MKBA_DIST_GAMMA, NULL, "assumption, mean 3", 4, 0.75, 1 },
        { MKBA_DIST_GAMMA, NULL, "assumption, range 1-5, mean 3", 4, 0.75, 0 },
        { MKBA_DIST_GAMMA, NULL, "assumption, range 4-5, mean 3", 4, 0.75, 1 },
        { MKBA_DIST_FIXED, NULL, "a report [S5], range 0.5-2", 1, 0, 0 },
        { MKBA_DIST_FIXED, NULL, "a report [S5], range 5-8", 1, 0, 1 },
        /* A source is a listed reference, an assumption or a convention. */
        { MKBA_DIST_FIXED, NULL, "guess", 1, 0, 1 },
        { MKBA_DIST_FIXED, NULL, "a report [S99]", 1, 0, 1 },
        { MKBA_DIST_FIXED, NULL, "assumption, range 0.5-2 [S99]", 1, 0, 1 },
        { MKBA_DIST_FIXED, NULL, "a report [S2][S5]", 1, 0, 0 },
        { MKBA_DIST_FIXED, NULL, "convention: counts one", 1, 0, 0 },
        /* "(95%)" is the distribution's central 95%, gamma(9, 0.5)'s
         * 2.06-7.88 (to 2% of its width), so a change of spread shows. */
        { MKBA_DIST_GAMMA, NULL, "assumption, range 2.05-7.89 (95%)", 9, 0.5, 0 },
        { MKBA_DIST_GAMMA, NULL, "assumption, range 2.05-7.89 (95%)", 1, 4.5, 1 },
        { MKBA_DIST_GAMMA, NULL, "assumption, range 2.05-7.6 (95%)", 9, 0.5, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mkba_param q;
        memset(&q, 0, sizeof q);
        q.dist.kind = cases[i].kind;
        q.dist.expr = (char *)cases[i].expr;
        q.dist.a = cases[i].a;
        q.dist.b = cases[i].b;
        q.source = (char *)cases[i].source;
        if ((broken_rule(&q) != NULL) != cases[i].broken)
            fail_msg("case %zu ('%s'): expected %s", i, cases[i].source ? cases[i].source : "",
                     cases[i].broken ? "a broken rule" : "none");
    }
    /* A Dirichlet states one central 95% a component, in state order:
     * pw_prev_debt's, each component checked against its beta marginal,
     * and caught when two are swapped. */
    static double alpha[] = { 80, 50, 50, 20 };
    static const char *const dirichlet[] = {
        "assumption, range 0.333-0.469, range 0.192-0.313, range 0.192-0.313, range "
        "0.0624-0.146 (95% of each state's share, in state order)",
        "assumption, range 0.0624-0.146, range 0.192-0.313, range 0.192-0.313, range "
        "0.333-0.469 (95% of each state's share, in state order)",
    };
    for (int k = 0; k < 4; k++) {
        mkba_param q;
        memset(&q, 0, sizeof q);
        q.dist = (mkba_dist){ .kind = MKBA_DIST_DIRICHLET, .alpha = alpha, .group_size = 4,
                              .group_index = k };
        q.source = (char *)dirichlet[0];
        if (broken_rule(&q) != NULL)
            fail_msg("Dirichlet component %d: %s", k, broken_rule(&q));
        q.source = (char *)dirichlet[1];
        assert_true((broken_rule(&q) != NULL) == (k == 0 || k == 3));
    }
    /* The table's rows: value, kind, reason. */
    assert_null(bad_row("2.0", "definition", "why"));
    assert_null(bad_row("1/3", "assumption, range 0.2-0.5", "why"));
    assert_null(bad_row("0.36", "source [S2]", "why"));
    assert_null(bad_row("4", "assumption, range 3-5", "why"));
    assert_non_null(bad_row("4", "assumption, range 7-9", "why"));
    assert_non_null(bad_row("0.36", "source [S99]", "why"));
    assert_non_null(bad_row("0.36", "definition", "as [S99] says"));
    assert_non_null(bad_row("0.36 or 0.4", "definition", "why"));
    assert_non_null(bad_row("1/0", "definition", "why"));
    assert_non_null(bad_row("4", "assumption", "why"));
    assert_non_null(bad_row("4", "guess", "why"));
    assert_non_null(bad_row("4", "source", "why"));
    assert_non_null(bad_row("4", "definition", ""));
    assert_true(row_value("1/3") == 1.0 / 3.0);
    assert_true(setting_matches("services.teams[*].payer.wmo", "services.teams[loket].payer.wmo"));
    assert_true(setting_matches("services.pathways.*.take_up.min_severity",
                                "services.pathways.model_a.take_up.min_severity"));
    assert_false(setting_matches("services.pathways.*.min_severity",
                                 "services.pathways.model_a.take_up.min_severity"));
    assert_false(setting_matches("run.seed", "run.seeds"));
    /* A row names the elements it was written for, and its files. */
    assert_true(setting_matches("teams[wijkteam/loket].payer", "teams[loket].payer"));
    assert_false(setting_matches("teams[wijkteam/loket].payer", "teams[team-jeugd-gezin].payer"));
    assert_false(setting_matches("teams[wijkteam/loket].payer", "teams[wijk].payer"));
    assert_true(file_matches("`scenarios/*.cfg`, `scenarios/pathways/shared/common.cfg`",
                             "scenarios/pathways/shared/common.cfg"));
    assert_true(file_matches("`scenarios/*.cfg`", "scenarios/bench.cfg"));
    assert_false(file_matches("`scenarios/*.cfg`", "scenarios/pathways/model-a.cfg"));
    char up[] = "scenarios/pathways/../../params/./costs.cfg";
    normalize_path(up);
    assert_string_equal(up, "params/costs.cfg");
    /* tests/data/timing.cfg writes eight numbers that are no parameter
     * (format, price year, seed, draws, households, horizon, two rates)
     * and four inline values without a source (a probability, two costs,
     * an effect): twelve without a table, four with those eight rows, each
     * row then used. */
    static const char *const rows[][2] = {
        { "mkba_format", "1" }, { "price_year", "2024" }, { "run.seed", "1" },
        { "run.draws", "0" }, { "run.households", "1000" }, { "timing.horizon", "4" },
        { "discount.costs", "0.03" }, { "discount.effects", "0.015" },
    };
    number_row table[8];
    number_table t = { table, 0 };
    counts_quiet = 1;
    assert_int_equal(count_unsourced("tests/data/timing.cfg", &t), 12);
    for (size_t i = 0; i < 8; i++)
        table[t.n++] = (number_row){ .value = row_value(rows[i][1]) };
    for (size_t i = 0; i < 8; i++) {
        snprintf(table[i].file, sizeof table[i].file, "tests/data/timing.cfg");
        snprintf(table[i].setting, sizeof table[i].setting, "%s", rows[i][0]);
    }
    assert_int_equal(count_unsourced("tests/data/timing.cfg", &t), 4);
    assert_int_equal(count_stale_rows(&t), 0);
    counts_quiet = 0;
}

/* Whether team t's ratios in domain d are exactly those of the team
 * that treats d alone (the classic provider): the same values, at every
 * severity level, improving and worsening. */
static int ratios_of_provider(const mkba_team *t, const mkba_team *provider, int d)
{
    if (!(t->improve_domains >> d & 1u) || !(t->worsen_domains >> d & 1u))
        return 0;
    for (int j = 0; j < t->nimprove_domain[d]; j++)
        for (int i = 0; i < provider->nimprove; i++)
            if (t->improve_by_domain[d][j] != provider->improve_by_level[i])
                return 0;
    for (int j = 0; j < t->nworsen_domain[d]; j++)
        for (int i = 0; i < provider->nworsen; i++)
            if (t->worsen_by_domain[d][j] != provider->worsen_by_level[i])
                return 0;
    return 1;
}

/* "De klanten vinden niet sneller een baan" (Finland, Norway) and in
 * Enschede health did not improve [S1]: in every shipped scenario each
 * team that treats work_income or mental_health among other domains moves
 * households there at the classic provider's rates, with no team gain. */
static void test_library_no_team_gain(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("scenarios/pathways/*.cfg", 0, NULL, &g), 0);
    int checked = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        mkba_model *m = NULL;
        mkba_error err = {0};
        if (mkba_scenario_load(NULL, g.gl_pathv[i], &m, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        const mkba_services *sv = &m->services;
        for (size_t d = 0; d < m->ndomains; d++) {
            const char *name = m->domain[d].name;
            if (strcmp(name, "work_income") != 0 && strcmp(name, "mental_health") != 0)
                continue;
            const mkba_team *provider = NULL;
            for (size_t j = 0; j < sv->nteams; j++)
                if (sv->team[j].domains == 1u << d)
                    provider = &sv->team[j];
            assert_non_null(provider);
            for (size_t j = 0; j < sv->nteams; j++) {
                const mkba_team *t = &sv->team[j];
                if (t == provider || !(t->domains >> d & 1u))
                    continue;
                if (!ratios_of_provider(t, provider, (int)d))
                    fail_msg("%s: team '%s' has ratios of its own in %s", g.gl_pathv[i],
                             t->name, name);
                checked++;
            }
        }
        mkba_model_free(m);
    }
    globfree(&g);
    assert_true(checked >= 14);   /* seven integrated teams, two domains */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_bite),
        cmocka_unit_test(test_library_numbers_have_sources),
        cmocka_unit_test(test_library_no_team_gain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
