/* Reading values from the parsed file: error messages with file, line and
 * setting path; typed getters; value specs (number, parameter name,
 * expression or distribution group); the parameters, overrides and
 * correlations sections. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/expr.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "scenario_impl.h"

/* ---------------------------------------------------------------- messages */

static size_t path_rec(const config_setting_t *s, char *buf, size_t size)
{
    const config_setting_t *parent = config_setting_parent(s);
    if (parent == NULL)
        return 0;
    size_t used = path_rec(parent, buf, size);
    if (used >= size)
        return used;
    const char *sep = used > 0 ? "." : "";
    const char *name = config_setting_name(s);
    int n = name != NULL ? snprintf(buf + used, size - used, "%s%s", sep, name)
                         : snprintf(buf + used, size - used, "%s[%d]", sep,
                                    config_setting_index(s));
    return used + (n > 0 ? (size_t)n : 0);
}

void mkba_sc_path(const config_setting_t *s, const char *child, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t used = path_rec(s, buf, size);
    if (child != NULL && used < size)
        snprintf(buf + used, size - used, "%s%s", used > 0 ? "." : "", child);
}

const char *mkba_sc_file(mkba_loader *ld, const config_setting_t *s, char *buf, size_t size)
{
    const char *f = s != NULL ? config_setting_source_file(s) : NULL;
    if (f == NULL || strcmp(f, ld->path) == 0)
        return ld->path;
    /* libconfig records an @include'd file by the name written in the
     * @include line, which it resolved against the include folder. */
    if (strcmp(ld->dir, ".") == 0 || f[0] == '/')
        return f;
    snprintf(buf, size, "%s/%s", ld->dir, f);
    return buf;
}

/* "FILE:LINE: PATH" for setting s (and member `child`), into buf. */
/* "FILE:LINE: PATH": a file name and a setting path, each at most
 * MKBA_PATH_MAX, and the line number. */
#define MKBA_WHERE_MAX (2 * MKBA_PATH_MAX + 16)

static void locate(mkba_loader *ld, const config_setting_t *s, const char *child,
                   char *buf, size_t size)
{
    char file[MKBA_PATH_MAX], path[MKBA_PATH_MAX];
    const char *f = mkba_sc_file(ld, s, file, sizeof file);
    unsigned line = s != NULL ? config_setting_source_line(s) : 0;
    if (s != NULL)
        mkba_sc_path(s, child, path, sizeof path);
    else
        snprintf(path, sizeof path, "%s", child != NULL ? child : "");
    if (line > 0)
        snprintf(buf, size, "%s:%u: %s", f, line, path);
    else
        snprintf(buf, size, "%s: %s", f, path);
}

int mkba_sc_fail(mkba_loader *ld, const config_setting_t *s, const char *child,
                 const char *fmt, ...)
{
    char where[MKBA_WHERE_MAX], what[MKBA_ERROR_MAX];
    locate(ld, s, child, where, sizeof where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return mkba_error_set(ld->err, MKBA_EINVAL, "%s: %s", where, what);
}

int mkba_sc_nomem(mkba_loader *ld)
{
    return mkba_error_set(ld->err, MKBA_ENOMEM, "%s: out of memory while loading", ld->path);
}

static const char *type_name(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP: return "a group { ... }";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64: return "a whole number";
    case CONFIG_TYPE_FLOAT: return "a number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "true or false";
    case CONFIG_TYPE_ARRAY: return "an array [ ... ]";
    case CONFIG_TYPE_LIST: return "a list ( ... )";
    }
    return "nothing";
}

/* ----------------------------------------------------------------- getters */

/* The value of a numeric setting, whatever its numeric type. */
static double number_of(const config_setting_t *s)
{
    return config_setting_type(s) == CONFIG_TYPE_FLOAT ? config_setting_get_float(s)
                                                       : (double)config_setting_get_int64(s);
}

/* Non-zero when name can be used in expressions: [A-Za-z_][A-Za-z0-9_]*. */
static int is_identifier(const char *name)
{
    if (name == NULL || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return 0;
    for (const char *c = name + 1; *c != '\0'; c++)
        if (!(isalnum((unsigned char)*c) || *c == '_'))
            return 0;
    return 1;
}

/* The member `name` of group, or NULL; a missing required member fails. */
static const config_setting_t *member(mkba_loader *ld, const config_setting_t *group,
                                      const char *name, int required, const char *expected,
                                      int *found, int *rc)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    if (found != NULL)
        *found = s != NULL;
    *rc = 0;
    if (s == NULL && required)
        *rc = mkba_sc_fail(ld, group, name, "required setting is missing; expected %s",
                           expected);
    return s;
}

int mkba_sc_string(mkba_loader *ld, const config_setting_t *group, const char *name,
                   int required, const char **out, int *found)
{
    int rc;
    const config_setting_t *s = member(ld, group, name, required, "a string in double quotes",
                                       found, &rc);
    if (s == NULL)
        return rc;
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return mkba_sc_fail(ld, s, NULL, "found %s; expected a string in double quotes",
                            type_name(s));
    *out = config_setting_get_string(s);
    return 0;
}

int mkba_sc_number(mkba_loader *ld, const config_setting_t *group, const char *name,
                   int required, double *out, int *found)
{
    int rc;
    const config_setting_t *s = member(ld, group, name, required, "a number", found, &rc);
    if (s == NULL)
        return rc;
    if (!config_setting_is_number(s))
        return mkba_sc_fail(ld, s, NULL, "found %s; expected a number", type_name(s));
    *out = number_of(s);
    return 0;
}

int mkba_sc_integer(mkba_loader *ld, const config_setting_t *group, const char *name,
                    int required, long long *out, int *found)
{
    int rc;
    const config_setting_t *s = member(ld, group, name, required, "a whole number", found, &rc);
    if (s == NULL)
        return rc;
    if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
        return mkba_sc_fail(ld, s, NULL, "found %s; expected a whole number (no decimal point)",
                            type_name(s));
    *out = config_setting_get_int64(s);
    return 0;
}

int mkba_sc_bool(mkba_loader *ld, const config_setting_t *group, const char *name,
                 int *out, int *found)
{
    int rc;
    const config_setting_t *s = member(ld, group, name, 0, "true or false", found, &rc);
    if (s == NULL)
        return rc;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return mkba_sc_fail(ld, s, NULL, "found %s; expected true or false", type_name(s));
    *out = config_setting_get_bool(s);
    return 0;
}

/* "a, b, c" of names[0..n) into buf. */
static void join(const char *const *names, size_t n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
        used += w > 0 ? (size_t)w : 0;
    }
}

int mkba_sc_lookup(mkba_loader *ld, const config_setting_t *s, const char *name,
                   const char *const *names, size_t n, const char *what,
                   const char *context, int *index)
{
    if (context == NULL)
        context = "";
    for (size_t i = 0; i < n; i++)
        if (names[i] != NULL && strcmp(names[i], name) == 0) {
            *index = (int)i;
            return 0;
        }
    if (n == 0)
        return mkba_sc_fail(ld, s, NULL, "unknown %s '%s'%s; expected one defined in the "
                            "scenario, but there are none", what, name, context);
    const char *close = mkba_closest_name(name, names, n);
    if (close != NULL)
        return mkba_sc_fail(ld, s, NULL, "unknown %s '%s'%s; did you mean '%s'?", what, name,
                            context, close);
    char list[1024];
    join(names, n, list, sizeof list);
    return mkba_sc_fail(ld, s, NULL, "unknown %s '%s'%s; expected one of: %s", what, name,
                        context, list);
}

int mkba_sc_lookup_member(mkba_loader *ld, const config_setting_t *g, const char *member,
                          const char *const *names, size_t n, const char *what,
                          const char *context, int *index)
{
    const char *value = NULL;
    int rc = mkba_sc_string(ld, g, member, 1, &value, NULL);
    if (rc != 0)
        return rc;
    return mkba_sc_lookup(ld, config_setting_get_member(g, member), value, names, n, what,
                          context, index);
}

int mkba_sc_lookup_effect(mkba_loader *ld, const config_setting_t *g, const char *member,
                          int *index)
{
    const mkba_model *m = ld->m;
    const char **names = mkba_malloc((m->neffects + 1) * sizeof *names);
    if (names == NULL)
        return mkba_sc_nomem(ld);
    for (size_t i = 0; i < m->neffects; i++)
        names[i] = m->effect[i].name;
    int rc = mkba_sc_lookup_member(ld, g, member, names, m->neffects, "effect", NULL, index);
    mkba_free(names);
    return rc;
}

int mkba_sc_choice(mkba_loader *ld, const config_setting_t *group, const char *name,
                   const char *const *choices, size_t n, int *out, int *found)
{
    const char *value = NULL;
    int rc = mkba_sc_string(ld, group, name, 0, &value, found);
    if (rc != 0 || value == NULL)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (strcmp(value, choices[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    char list[512];
    join(choices, n, list, sizeof list);
    return mkba_sc_fail(ld, config_setting_get_member(group, name), NULL,
                        "'%s' is not a valid choice; expected one of: %s", value, list);
}

int mkba_sc_expect_group(mkba_loader *ld, const config_setting_t *s, const char *what)
{
    if (config_setting_is_group(s))
        return 0;
    return mkba_sc_fail(ld, s, NULL, "found %s; expected %s", type_name(s), what);
}

int mkba_sc_expect_list(mkba_loader *ld, const config_setting_t *s, const char *what)
{
    if (!config_setting_is_list(s) && !config_setting_is_array(s))
        return mkba_sc_fail(ld, s, NULL, "found %s; expected %s", type_name(s), what);
    if (config_setting_length(s) == 0)
        return mkba_sc_fail(ld, s, NULL, "the list is empty; expected %s", what);
    return 0;
}

/* ------------------------------------------------------------- expressions */

/* The most characters of an expression a message quotes, so that the
 * reason after it is not cut off. */
#define EXPR_SHOWN 200

/* Fails unless the expression `text` (the value of setting s) parses and
 * every variable it uses is a known parameter. */
static int check_expr(mkba_loader *ld, const config_setting_t *s, const char *text)
{
    char why[256];
    mkba_expr *e = mkba_expr_alloc(text, why, sizeof why);
    if (e == NULL && strcmp(why, MKBA_EXPR_NOMEM) == 0)
        return mkba_sc_nomem(ld);
    if (e == NULL)
        return mkba_sc_fail(ld, s, NULL,
                            "cannot parse expression \"%.*s%s\" (%s); expected an expression "
                            "such as \"p_a * 1.2\" of numbers, parameter names, + - * / ^, "
                            "parentheses and functions such as exp(...)", EXPR_SHOWN, text,
                            strlen(text) > EXPR_SHOWN ? "..." : "", why);
    int rc = 0;
    for (size_t i = 0; i < mkba_expr_nvars(e) && rc == 0; i++) {
        const char *v = mkba_expr_var(e, i);
        if (mkba_params_find(ld->m->params, v) >= 0 || mkba_params_is_time_variable(v))
            continue;
        const char *close = mkba_params_closest(ld->m->params, v);
        if (close != NULL)
            rc = mkba_sc_fail(ld, s, NULL,
                              "unknown parameter '%s' in expression \"%s\"; did you mean '%s'?",
                              v, text, close);
        else
            rc = mkba_sc_fail(ld, s, NULL,
                              "unknown parameter '%s' in expression \"%s\"; expected a name "
                              "defined in the parameters section", v, text);
    }
    mkba_expr_free(e);
    return rc;
}

/* ----------------------------------------------------------- distributions */

/* A distribution group {dist = ...}, {value = ...} or {expr = ...} into d.
 * Dirichlet groups are only read (kind set, nothing else) when allow_dirichlet
 * is set; the caller reads their alpha vector. The expression's variables
 * are not checked here (parameters may refer to ones defined later). */
static int read_dist_group(mkba_loader *ld, const config_setting_t *g, int allow_dirichlet,
                           mkba_dist *d, const char **source, const char **unit)
{
    memset(d, 0, sizeof *d);
    *source = *unit = NULL;
    const char *which[3] = {"dist", "value", "expr"};
    int present = -1, rc;
    for (int i = 0; i < 3; i++) {
        const config_setting_t *s = config_setting_get_member(g, which[i]);
        if (s == NULL)
            continue;
        if (present >= 0)
            return mkba_sc_fail(ld, s, NULL, "'%s' and '%s' are both given; expected only one "
                                "of dist, value and expr", which[present], which[i]);
        present = i;
    }
    if (present < 0 && (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_PARAM)) != 0)
        return rc;
    if (present < 0)
        return mkba_sc_fail(ld, g, NULL, "no value; expected a group with dist = \"...\", "
                            "value = NUMBER or expr = \"...\"");
    if (present == 1) {
        if ((rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_VALUE)) != 0
            || (rc = mkba_sc_number(ld, g, "value", 1, &d->a, NULL)) != 0)
            return rc;
        d->kind = MKBA_DIST_FIXED;
    } else if (present == 2) {
        const char *text = NULL;
        if ((rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_EXPR)) != 0
            || (rc = mkba_sc_string(ld, g, "expr", 1, &text, NULL)) != 0)
            return rc;
        d->kind = MKBA_DIST_EXPR;
        d->expr = (char *)text; /* borrowed: mkba_params_add copies it */
    } else {
        const char *name = NULL;
        if ((rc = mkba_sc_string(ld, g, "dist", 1, &name, NULL)) != 0)
            return rc;
        int kind = -1;
        for (int k = MKBA_DIST_NORMAL; k <= MKBA_DIST_DIRICHLET; k++)
            if (strcmp(name, mkba_sc_dist_names[k]) == 0)
                kind = k;
        if (kind < 0) {
            const char *close = mkba_closest_name(name, mkba_sc_dist_names + 1, 8);
            char list[256];
            join(mkba_sc_dist_names + 1, 8, list, sizeof list);
            return mkba_sc_fail(ld, config_setting_get_member(g, "dist"), NULL,
                                "unknown distribution '%s'%s%s%s; expected one of: %s", name,
                                close ? " (did you mean '" : "", close ? close : "",
                                close ? "'?)" : "", list);
        }
        d->kind = (mkba_dist_kind)kind;
        if ((rc = mkba_sc_check_dist_keys(ld, g, d->kind)) != 0)
            return rc;
        if (d->kind == MKBA_DIST_DIRICHLET) {
            if (!allow_dirichlet)
                return mkba_sc_fail(ld, g, NULL, "a Dirichlet distribution defines several "
                                    "parameters; expected it in the parameters section, with "
                                    "its components (NAME_1, NAME_2, ...) used here");
        } else {
            const char *const *keys = mkba_sc_dist_keys(d->kind);
            double *slot[3] = {&d->a, &d->b, &d->c};
            for (int i = 0; keys[i] != NULL; i++)
                if ((rc = mkba_sc_number(ld, g, keys[i], 1, slot[i], NULL)) != 0)
                    return rc;
            char where[MKBA_WHERE_MAX];
            locate(ld, g, NULL, where, sizeof where);
            if (mkba_dist_check(d, where, ld->err) != 0)
                return MKBA_EINVAL;
        }
    }
    if ((rc = mkba_sc_string(ld, g, "source", 0, source, NULL)) != 0)
        return rc;
    return mkba_sc_string(ld, g, "unit", 0, unit, NULL);
}

/* A parameter's definition at setting s into d: a number, an expression in
 * double quotes (not checked here), or a group read by read_dist_group. */
static int read_dist(mkba_loader *ld, const config_setting_t *s, int allow_dirichlet,
                     mkba_dist *d, const char **source, const char **unit)
{
    memset(d, 0, sizeof *d);
    *source = *unit = NULL;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
    case CONFIG_TYPE_FLOAT:
        d->kind = MKBA_DIST_FIXED;
        d->a = number_of(s);
        return 0;
    case CONFIG_TYPE_STRING:
        d->kind = MKBA_DIST_EXPR;
        d->expr = (char *)config_setting_get_string(s);
        return 0;
    case CONFIG_TYPE_GROUP:
        return read_dist_group(ld, s, allow_dirichlet, d, source, unit);
    default:
        return mkba_sc_fail(ld, s, NULL, "found %s; expected a number, an expression in "
                            "double quotes, or a group {dist = ...}", type_name(s));
    }
}

/* The index of the parameter `name`, given at setting s, into *index; an
 * unknown name fails with the closest known one, if any. */
static int find_param(mkba_loader *ld, const config_setting_t *s, const char *name,
                      int *index)
{
    const mkba_params *p = ld->m->params;
    *index = mkba_params_find(p, name);
    if (*index >= 0)
        return 0;
    const char *close = mkba_params_closest(p, name);
    if (close != NULL)
        return mkba_sc_fail(ld, s, NULL, "unknown parameter '%s'; did you mean '%s'?", name,
                            close);
    return mkba_sc_fail(ld, s, NULL, "unknown parameter '%s'; expected a name defined in the "
                        "parameters section", name);
}

/* Registers d as a new parameter defined at setting s, named `name` or,
 * for a value given inline in a rule, by its setting path. */
static int add_param(mkba_loader *ld, const config_setting_t *s, const char *name,
                     const mkba_dist *d, const char *source, const char *unit, int *index)
{
    char path[MKBA_PATH_MAX], file[MKBA_PATH_MAX];
    mkba_sc_path(s, NULL, path, sizeof path);
    const char *f = mkba_sc_file(ld, s, file, sizeof file);
    int i = mkba_params_add(ld->m->params, name != NULL ? name : path, d, path, f,
                            (int)config_setting_source_line(s), source, ld->err);
    if (i < 0)
        return ld->err->code != MKBA_OK ? ld->err->code : MKBA_EINVAL;
    if (unit != NULL && mkba_params_set_unit(ld->m->params, i, unit) != MKBA_OK)
        return mkba_sc_nomem(ld);
    *index = i;
    return 0;
}

/* Non-zero when the parameter's reference value is a fixed number that no
 * arm overrides. */
static int fixed_param(const mkba_params *p, int index, size_t narms, double *value)
{
    const mkba_param *q = mkba_params_get(p, (size_t)index);
    if (q == NULL || q->dist.kind != MKBA_DIST_FIXED)
        return 0;
    for (size_t a = 0; q->arm_dist != NULL && a < narms; a++)
        if ((int)q->arm_dist[a].kind != -1)
            return 0;
    *value = q->dist.a;
    return 1;
}

static int value_spec(mkba_loader *ld, const config_setting_t *s, const char *source,
                      int *index, int *fixed, double *value)
{
    mkba_params *p = ld->m->params;
    mkba_dist d;
    memset(&d, 0, sizeof d);
    *fixed = 0;
    *value = 0;
    int rc;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
    case CONFIG_TYPE_FLOAT:
        d.kind = MKBA_DIST_FIXED;
        d.a = number_of(s);
        *fixed = 1;
        *value = d.a;
        return add_param(ld, s, NULL, &d, source, NULL, index);
    case CONFIG_TYPE_STRING: {
        const char *text = config_setting_get_string(s);
        /* A bare name is the parameter itself: no copy is registered, so
         * arm overrides of that parameter apply here too. */
        if (is_identifier(text) && !mkba_expr_reserved(text)) {
            if ((rc = find_param(ld, s, text, index)) != 0)
                return rc;
            *fixed = fixed_param(p, *index, ld->m->narms, value);
            return 0;
        }
        if ((rc = check_expr(ld, s, text)) != 0)
            return rc;
        d.kind = MKBA_DIST_EXPR;
        d.expr = (char *)text;
        /* An expression written inline says where it comes from itself,
         * before what its setting's source adds. */
        size_t n = strlen(text) + sizeof "derived: " + (source ? strlen(source) + 2 : 0);
        char *derived = mkba_malloc(n);
        if (derived == NULL)
            return mkba_sc_nomem(ld);
        snprintf(derived, n, "derived: %s%s%s", text, source ? "; " : "", source ? source : "");
        rc = add_param(ld, s, NULL, &d, derived, NULL, index);
        mkba_free(derived);
        return rc;
    }
    case CONFIG_TYPE_GROUP: {
        const char *own_source = NULL, *unit = NULL;
        if ((rc = read_dist_group(ld, s, 0, &d, &own_source, &unit)) != 0)
            return rc;
        if (d.kind == MKBA_DIST_EXPR && (rc = check_expr(ld, s, d.expr)) != 0)
            return rc;
        if (d.kind == MKBA_DIST_FIXED) {
            *fixed = 1;
            *value = d.a;
        }
        return add_param(ld, s, NULL, &d, own_source != NULL ? own_source : source, unit,
                         index);
    }
    default:
        return mkba_sc_fail(ld, s, NULL, "found %s; expected a number, a parameter name or "
                            "expression in double quotes, or a group {dist = ...}",
                            type_name(s));
    }
}

int mkba_sc_amount(mkba_loader *ld, const config_setting_t *s, const char *source,
                   int *index, int *fixed, double *value)
{
    int rc = value_spec(ld, s, source, index, fixed, value);
    /* What a setting names or gives inline is in use (model_warnings.c). */
    if (rc == 0)
        mkba_params_mark_used(ld->m->params, *index);
    return rc;
}

int mkba_sc_value(mkba_loader *ld, const config_setting_t *s, const char *source,
                  int *index, int *fixed, double *value)
{
    int rc = mkba_sc_amount(ld, s, source, index, fixed, value);
    if (rc == 0) {
        /* Read once per draw: it may not vary by year (params.h). */
        char path[MKBA_PATH_MAX], file[MKBA_PATH_MAX];
        mkba_sc_path(s, NULL, path, sizeof path);
        if (mkba_params_mark_once(ld->m->params, *index, path,
                                  mkba_sc_file(ld, s, file, sizeof file),
                                  (int)config_setting_source_line(s)) != MKBA_OK)
            return mkba_sc_nomem(ld);
    }
    return rc;
}

/* -------------------------------------------------------------- parameters */

static int dirichlet(mkba_loader *ld, const config_setting_t *g, const char *name,
                     const char *source)
{
    const config_setting_t *a = config_setting_get_member(g, "alpha");
    if (a == NULL)
        return mkba_sc_fail(ld, g, "alpha", "required setting is missing; expected an array "
                            "of at least 2 positive numbers");
    int rc = mkba_sc_expect_list(ld, a, "an array of at least 2 positive numbers");
    if (rc != 0)
        return rc;
    int k = config_setting_length(a);
    if (k < 2)
        return mkba_sc_fail(ld, a, NULL, "%d component; expected at least 2", k);
    double *alpha = mkba_malloc((size_t)k * sizeof *alpha);
    if (alpha == NULL)
        return mkba_sc_nomem(ld);
    for (int i = 0; i < k && rc == 0; i++) {
        const config_setting_t *e = config_setting_get_elem(a, (unsigned)i);
        if (!config_setting_is_number(e))
            rc = mkba_sc_fail(ld, e, NULL, "found %s; expected a positive number", type_name(e));
        else if (!((alpha[i] = number_of(e)) > 0))
            rc = mkba_sc_fail(ld, e, NULL, "alpha must be > 0 (got %g); expected a positive "
                              "number", alpha[i]);
    }
    if (rc == 0) {
        char path[MKBA_PATH_MAX], file[MKBA_PATH_MAX];
        mkba_sc_path(g, NULL, path, sizeof path);
        const char *f = mkba_sc_file(ld, g, file, sizeof file);
        if (mkba_params_add_dirichlet(ld->m->params, name, alpha, k, path, f,
                                      (int)config_setting_source_line(g), source, ld->err) < 0)
            rc = MKBA_EINVAL;
    }
    mkba_free(alpha);
    return rc;
}

int mkba_sc_parameters(mkba_loader *ld, const config_setting_t *section)
{
    int rc = mkba_sc_expect_group(ld, section, "a group { name = value; ... }");
    if (rc != 0)
        return rc;
    int n = config_setting_length(section);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(section, (unsigned)i);
        const char *name = config_setting_name(s);
        if (!is_identifier(name))
            return mkba_sc_fail(ld, s, NULL, "'%s' cannot be used in expressions; expected a "
                                "name of letters, digits and _ that starts with a letter", name);
        if (mkba_expr_reserved(name))
            return mkba_sc_fail(ld, s, NULL, "'%s' is a built-in function or constant of "
                                "expressions; expected another name", name);
        mkba_dist d;
        const char *source, *unit;
        int index;
        if ((rc = read_dist(ld, s, 1, &d, &source, &unit)) != 0)
            return rc;
        if (d.kind == MKBA_DIST_DIRICHLET)
            rc = dirichlet(ld, s, name, source);
        else
            rc = add_param(ld, s, name, &d, source, unit, &index);
        if (rc != 0)
            return rc;
    }
    /* Expressions may use parameters defined after them: check their
     * names once all are known. */
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(section, (unsigned)i);
        const config_setting_t *e = s;
        if (config_setting_is_group(s))
            e = config_setting_get_member(s, "expr");
        if (e != NULL && config_setting_type(e) == CONFIG_TYPE_STRING
            && (rc = check_expr(ld, e, config_setting_get_string(e))) != 0)
            return rc;
    }
    return 0;
}

int mkba_sc_overrides(mkba_loader *ld, const config_setting_t *arms)
{
    mkba_params *p = ld->m->params;
    for (size_t a = 0; a < ld->m->narms; a++) {
        const config_setting_t *g =
            config_setting_get_member(config_setting_get_elem(arms, (unsigned)a), "overrides");
        if (g == NULL)
            continue;
        int rc = mkba_sc_expect_group(ld, g, "a group { parameter = value; ... }");
        if (rc != 0)
            return rc;
        for (int i = 0; i < config_setting_length(g); i++) {
            const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
            int index;
            mkba_dist d;
            const char *source, *unit;
            if ((rc = find_param(ld, s, config_setting_name(s), &index)) != 0
                || (rc = read_dist(ld, s, 0, &d, &source, &unit)) != 0)
                return rc;
            if (d.kind == MKBA_DIST_EXPR && (rc = check_expr(ld, s, d.expr)) != 0)
                return rc;
            char path[MKBA_PATH_MAX], file[MKBA_PATH_MAX];
            mkba_sc_path(s, NULL, path, sizeof path);
            const char *f = mkba_sc_file(ld, s, file, sizeof file);
            if (mkba_params_override(p, index, a, &d, path, f, (int)config_setting_source_line(s),
                                     ld->err) != 0)
                return MKBA_EINVAL;
            if (mkba_params_override_source(p, index, a, source, ld->err) != 0)
                return MKBA_ENOMEM;
        }
    }
    return 0;
}

int mkba_sc_correlations(mkba_loader *ld, const config_setting_t *section)
{
    int rc = mkba_sc_expect_list(ld, section, "a list ( {parameters = [...]; matrix = [...];}, "
                                 "... )");
    if (rc != 0)
        return rc;
    for (int c = 0; c < config_setting_length(section); c++) {
        const config_setting_t *g = config_setting_get_elem(section, (unsigned)c);
        if ((rc = mkba_sc_expect_group(ld, g, "a group {parameters = [...]; matrix = [...];}"))
                != 0
            || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_CORRELATION)) != 0)
            return rc;
        const config_setting_t *names = config_setting_get_member(g, "parameters");
        const config_setting_t *matrix = config_setting_get_member(g, "matrix");
        if (names == NULL)
            return mkba_sc_fail(ld, g, "parameters", "required setting is missing; expected an "
                                "array of parameter names");
        if (matrix == NULL)
            return mkba_sc_fail(ld, g, "matrix", "required setting is missing; expected the "
                                "correlation matrix, row by row");
        if ((rc = mkba_sc_expect_list(ld, names, "an array of parameter names")) != 0
            || (rc = mkba_sc_expect_list(ld, matrix, "an array of numbers")) != 0)
            return rc;
        int n = config_setting_length(names);
        if (n < 2)
            return mkba_sc_fail(ld, names, NULL, "1 parameter; expected at least 2");
        if (config_setting_length(matrix) != n * n)
            return mkba_sc_fail(ld, matrix, NULL, "%d numbers; expected %d (%d x %d, row by row)",
                                config_setting_length(matrix), n * n, n, n);
        int *index = mkba_malloc((size_t)n * sizeof *index);
        double *corr = mkba_malloc((size_t)n * (size_t)n * sizeof *corr);
        if (index == NULL || corr == NULL) {
            mkba_free(index);
            mkba_free(corr);
            return mkba_sc_nomem(ld);
        }
        for (int i = 0; i < n && rc == 0; i++) {
            const config_setting_t *e = config_setting_get_elem(names, (unsigned)i);
            const char *name = config_setting_get_string(e);
            if (name == NULL) {
                rc = mkba_sc_fail(ld, e, NULL, "found %s; expected a parameter name in double "
                                  "quotes", type_name(e));
                break;
            }
            index[i] = mkba_params_find(ld->m->params, name);
            if (index[i] < 0) {
                const char *close = mkba_params_closest(ld->m->params, name);
                rc = close != NULL
                         ? mkba_sc_fail(ld, e, NULL, "unknown parameter '%s'; did you mean "
                                        "'%s'?", name, close)
                         : mkba_sc_fail(ld, e, NULL, "unknown parameter '%s'; expected a name "
                                        "defined in the parameters section", name);
                break;
            }
            mkba_dist_kind k = mkba_params_get(ld->m->params, (size_t)index[i])->dist.kind;
            if (k == MKBA_DIST_FIXED || k == MKBA_DIST_EXPR)
                rc = mkba_sc_fail(ld, e, NULL, "'%s' is %s; expected a parameter drawn from a "
                                  "distribution", name,
                                  k == MKBA_DIST_FIXED ? "a fixed number" : "an expression");
        }
        for (int i = 0; i < n * n && rc == 0; i++) {
            const config_setting_t *e = config_setting_get_elem(matrix, (unsigned)i);
            if (!config_setting_is_number(e))
                rc = mkba_sc_fail(ld, e, NULL, "found %s; expected a number", type_name(e));
            else
                corr[i] = number_of(e);
        }
        if (rc == 0) {
            /* "FILE:LINE: correlations.[i]", so the matrix checks of
             * finalize name the file and line too. */
            char where[MKBA_WHERE_MAX];
            locate(ld, g, NULL, where, sizeof where);
            if (mkba_params_add_copula(ld->m->params, index, (size_t)n, corr, where, ld->err) != 0)
                rc = MKBA_EINVAL;
        }
        mkba_free(index);
        mkba_free(corr);
        if (rc != 0)
            return rc;
    }
    return 0;
}
