/* Arithmetic expressions over named variables ("p_a / 2 + shift").
 *
 * A thin wrapper over libmatheval that adds what the library lacks: a syntax
 * check with a reason a person can act on, before libmatheval sees the text
 * (its parser leaks memory and echoes unknown characters to stdout on bad
 * input), and a lock around parsing (its parser keeps global state).
 *
 * Syntax: numbers (2, 0.5, 1e-3), names [A-Za-z_][A-Za-z0-9_]*, + - * / ^
 * (^ is left-associative, as in libmatheval), unary minus, parentheses, the
 * functions of libmatheval (exp log sqrt abs erf step sin ...) and its
 * constants (e pi ln2 ...). */
#ifndef MKBA_CORE_EXPR_H
#define MKBA_CORE_EXPR_H

#include <stddef.h>

typedef struct mkba_expr mkba_expr;

/* The most terms an expression may have: each number, name, constant,
 * function name, parenthesised group and unary minus sign counts one
 * (`exp(x)` is 3, `-(a+b)` is 4) (docs/reliability.md, "Limits").
 * libmatheval parses, simplifies and evaluates recursively, about 50 bytes
 * of stack per term of a chain such as x^x^...^x: on a 128 KiB thread
 * stack (musl's default) a chain of 2,578 terms crashed, 2,558 did not
 * (256 KiB: 5,312 and 5,292). The limit keeps a 2.5-fold margin there. */
#define MKBA_EXPR_MAX_TERMS 1000

/* The reason mkba_expr_alloc gives when an allocation failed: the caller
 * reports MKBA_ENOMEM then, not a faulty expression. */
#define MKBA_EXPR_NOMEM "out of memory"

/* Parses `text`. On failure returns NULL and writes a short reason into
 * why[0..whylen) ("unexpected end of expression", MKBA_EXPR_NOMEM); why
 * may be NULL. Safe to call from several threads at once. */
mkba_expr *mkba_expr_alloc(const char *text, char *why, size_t whylen);

void mkba_expr_free(mkba_expr *e);

/* The variables the expression uses, each once, in a fixed order. */
size_t mkba_expr_nvars(const mkba_expr *e);
const char *mkba_expr_var(const mkba_expr *e, size_t i);

/* The value with variable i equal to values[i] (order of mkba_expr_var).
 * Evaluation writes into the object: two threads must not evaluate the same
 * object at once, but distinct objects are independent. */
double mkba_expr_eval(mkba_expr *e, const double *values);

/* Non-zero when `name` is a function or constant of the expression syntax
 * (such a name cannot be used as a variable). */
int mkba_expr_reserved(const char *name);

#endif
