/* Expressions: our own syntax check in front of libmatheval.
 *
 * Only text that passes the check reaches evaluator_create, so its error
 * paths (which leak and print) are not taken for ordinary mistakes. The
 * check accepts a subset of what libmatheval accepts. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <matheval.h>
#include "expr.h"
#include "core/alloc.h"
#include "strutil.h"

struct mkba_expr {
    void *ev;          /* libmatheval evaluator */
    size_t nvars;
    char **vars;       /* our copies of the variable names */
};

/* libmatheval parses with a bison/flex parser whose state is global. */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const functions[] = {
    "exp", "log", "sqrt", "sin", "cos", "tan", "cot", "sec", "csc", "asin",
    "acos", "atan", "acot", "asec", "acsc", "sinh", "cosh", "tanh", "coth",
    "sech", "csch", "asinh", "acosh", "atanh", "acoth", "asech", "acsch",
    "abs", "step", "delta", "nandelta", "erf"
};

static const char *const constants[] = {
    "e", "log2e", "log10e", "ln2", "ln10", "pi", "pi_2", "pi_4", "1_pi",
    "2_pi", "2_sqrtpi", "sqrt2", "sqrt1_2"
};

#define COUNT(a) (sizeof (a) / sizeof (a)[0])
#define MAX_DEPTH 200

static int in_list(const char *s, size_t len, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && strncmp(list[i], s, len) == 0)
            return 1;
    return 0;
}

int mkba_expr_reserved(const char *name)
{
    size_t len = strlen(name);
    return in_list(name, len, functions, COUNT(functions))
        || in_list(name, len, constants, COUNT(constants));
}

typedef struct scanner {
    const char *s;
    size_t pos;
    int depth;
    size_t terms;      /* operands and unary minus signs so far */
    char *why;
    size_t whylen;
} scanner;

static int is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static int fail(scanner *sc, const char *what)
{
    if (sc->why != NULL && sc->whylen > 0) {
        char c = sc->s[sc->pos];
        if (c == '\0')
            snprintf(sc->why, sc->whylen, "%s at the end", what);
        else
            snprintf(sc->why, sc->whylen, "%s at position %zu ('%c')", what,
                     sc->pos + 1, c);
    }
    return -1;
}

static void skip_space(scanner *sc)
{
    while (isspace((unsigned char)sc->s[sc->pos]))
        sc->pos++;
}

/* Length of a number at s (digits, optional fraction, optional exponent),
 * or 0 when s does not start one. */
static size_t number_length(const char *s)
{
    size_t i = 0, digits = 0;
    while (isdigit((unsigned char)s[i])) { i++; digits++; }
    if (s[i] == '.') {
        i++;
        while (isdigit((unsigned char)s[i])) { i++; digits++; }
    }
    if (digits == 0)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1;
        if (s[j] == '+' || s[j] == '-')
            j++;
        if (isdigit((unsigned char)s[j])) {
            while (isdigit((unsigned char)s[j]))
                j++;
            i = j;
        }
    }
    return i;
}

static int parse_sum(scanner *sc);

/* operand: number | constant | name | function '(' sum ')' | '(' sum ')',
 * preceded by any number of unary minus signs. */
static int parse_operand(scanner *sc)
{
    skip_space(sc);
    while (sc->s[sc->pos] == '-') {
        sc->pos++;
        sc->terms++;
        skip_space(sc);
    }
    /* libmatheval parses, simplifies and evaluates the tree recursively,
     * one stack frame per level: the limit keeps it within a small thread
     * stack (expr.h). */
    if (++sc->terms > MKBA_EXPR_MAX_TERMS) {
        if (sc->why != NULL && sc->whylen > 0)
            snprintf(sc->why, sc->whylen, "more than %d terms, the limit; split it into "
                     "parameters defined by shorter expressions", MKBA_EXPR_MAX_TERMS);
        return -1;
    }
    const char *t = sc->s + sc->pos;
    if (*t == '(') {
        if (++sc->depth > MAX_DEPTH)
            return fail(sc, "parentheses nested too deeply");
        sc->pos++;
        if (parse_sum(sc) != 0)
            return -1;
        skip_space(sc);
        if (sc->s[sc->pos] != ')')
            return fail(sc, "expected ')'");
        sc->pos++;
        sc->depth--;
        return 0;
    }
    size_t len = 0;
    while (is_ident_char(t[len]))
        len++;
    if (len > 0 && in_list(t, len, constants, COUNT(constants))) {
        sc->pos += len;
        return 0;
    }
    if (isalpha((unsigned char)*t) || *t == '_') {
        int function = in_list(t, len, functions, COUNT(functions));
        sc->pos += len;
        skip_space(sc);
        int paren = sc->s[sc->pos] == '(';
        if (function && !paren)
            return fail(sc, "a function needs its argument in parentheses");
        if (!function && paren) {
            sc->pos -= len;
            return fail(sc, "unknown function");
        }
        return function ? parse_operand(sc) : 0;
    }
    size_t n = number_length(t);
    if (n == 0)
        return fail(sc, "expected a number, a name or '('");
    sc->pos += n;
    if (is_ident_char(sc->s[sc->pos]) || sc->s[sc->pos] == '.')
        return fail(sc, "malformed number");
    return 0;
}

/* sum: operand (op operand)*; precedence is libmatheval's business, the
 * check only needs the alternation of operands and operators. */
static int parse_sum(scanner *sc)
{
    for (;;) {
        if (parse_operand(sc) != 0)
            return -1;
        skip_space(sc);
        char c = sc->s[sc->pos];
        if (c != '+' && c != '-' && c != '*' && c != '/' && c != '^')
            return 0;
        sc->pos++;
    }
}

static int check_syntax(const char *text, char *why, size_t whylen)
{
    scanner sc = {text, 0, 0, 0, why, whylen};
    if (parse_sum(&sc) != 0)
        return -1;
    skip_space(&sc);
    if (text[sc.pos] != '\0')
        return fail(&sc, "unexpected character");
    return 0;
}

static void set_why(char *why, size_t whylen, const char *msg)
{
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "%s", msg);
}

mkba_expr *mkba_expr_alloc(const char *text, char *why, size_t whylen)
{
    if (text == NULL) {
        set_why(why, whylen, "no expression");
        return NULL;
    }
    if (check_syntax(text, why, whylen) != 0)
        return NULL;
    mkba_expr *e = mkba_calloc(1, sizeof *e);
    /* libmatheval reads a newline as the end of input: make all blanks
     * spaces so an expression may span lines of the scenario file. */
    char *copy = mkba_strdup(text);
    if (e == NULL || copy == NULL) {
        mkba_free(e);
        mkba_free(copy);
        set_why(why, whylen, MKBA_EXPR_NOMEM);
        return NULL;
    }
    for (char *c = copy; *c != '\0'; c++)
        if (isspace((unsigned char)*c))
            *c = ' ';

    pthread_mutex_lock(&parse_lock);
    e->ev = evaluator_create(copy);
    char **names = NULL;
    int count = 0;
    if (e->ev != NULL)
        evaluator_get_variables(e->ev, &names, &count);
    pthread_mutex_unlock(&parse_lock);
    mkba_free(copy);
    if (e->ev == NULL) {
        /* Everything else libmatheval's grammar refuses is caught by the
         * check above; what is left is its parser's own depth limit, met
         * by long runs of unary minus signs or powers. */
        set_why(why, whylen, "rejected by libmatheval's parser: it nests too deeply (too many "
                "unary minus signs or powers in a row); split it into parameters defined by "
                "shorter expressions");
        mkba_free(e);
        return NULL;
    }
    e->vars = mkba_calloc(count > 0 ? (size_t)count : 1, sizeof *e->vars);
    if (e->vars == NULL) {
        mkba_expr_free(e);
        set_why(why, whylen, MKBA_EXPR_NOMEM);
        return NULL;
    }
    for (int i = 0; i < count; i++) {
        e->vars[i] = mkba_strdup(names[i]);
        if (e->vars[i] == NULL) {
            mkba_expr_free(e);
            set_why(why, whylen, MKBA_EXPR_NOMEM);
            return NULL;
        }
        e->nvars++;
    }
    return e;
}

void mkba_expr_free(mkba_expr *e)
{
    if (e == NULL)
        return;
    if (e->ev != NULL) {
        pthread_mutex_lock(&parse_lock);
        evaluator_destroy(e->ev);
        pthread_mutex_unlock(&parse_lock);
    }
    for (size_t i = 0; i < e->nvars; i++)
        mkba_free(e->vars[i]);
    mkba_free(e->vars);
    mkba_free(e);
}

size_t mkba_expr_nvars(const mkba_expr *e)
{
    return e->nvars;
}

const char *mkba_expr_var(const mkba_expr *e, size_t i)
{
    return i < e->nvars ? e->vars[i] : NULL;
}

double mkba_expr_eval(mkba_expr *e, const double *values)
{
    /* libmatheval takes non-const arrays but only reads them. */
    return evaluator_evaluate(e->ev, (int)e->nvars, e->vars, (double *)values);
}
