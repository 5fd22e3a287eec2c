/* Every number of the shipped service-pathway library carries where it
 * comes from (issue 12): a source, or "assumption" with a range, or, for a
 * number computed from others, "derived". The test loads every scenario of
 * scenarios/pathways/ and counts the parameters that break a rule; it fails
 * above zero and names each one with its file and line.
 *
 * Rules, per stored parameter:
 *   - the source is given and not empty (a setting's documented default
 *     reads "default");
 *   - an expression's source reads "derived: EXPRESSION", its own
 *     expression (then any further text), as the loader records one
 *     written inline; only an expression is derived, so a number whose
 *     source starts with "derived" is refused;
 *   - a fixed number whose source starts with "assumption" (any case)
 *     states a numeric range, "range A-B" or "range A to B" (a drawn one
 *     has its distribution as its range).
 * Each arm's overrides are checked by the same rules, with the source the
 * override states. */
#include <glob.h>
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

/* Whether s states a numeric range: "range A-B" or "range A to B", A and
 * B numbers (digits, commas and points). */
static int states_range(const char *s)
{
    for (const char *r = strstr(s, "range "); r != NULL; r = strstr(r + 1, "range ")) {
        const char *c = r + 6;
        while (*c == '~' || *c == ' ' || strncmp(c, "about ", 6) == 0)
            c += *c == 'a' ? 6 : 1;
        size_t a = strspn(c, "0123456789.,");
        if (a == 0)
            continue;
        c += a;
        if (*c == '-')
            c++;
        else if (strncmp(c, " to ", 4) == 0)
            c += 4;
        else
            continue;
        if (strspn(c, "0123456789.") > 0)
            return 1;
    }
    return 0;
}

/* The rule parameter q breaks, or NULL. */
static const char *broken_rule(const mkba_param *q)
{
    const char *s = q->source;
    if (s == NULL || s[0] == '\0')
        return "no source";
    if (q->dist.kind == MKBA_DIST_EXPR
        && (strncmp(s, "derived: ", 9) != 0 || !starts_with_expression(s + 9, q->dist.expr)))
        return "an expression whose source is not \"derived: EXPRESSION\" with its expression";
    if (q->dist.kind != MKBA_DIST_EXPR && strncasecmp(s, "derived", 7) == 0)
        return "a number labelled derived; only an expression is derived";
    if (q->dist.kind == MKBA_DIST_FIXED && strncasecmp(s, "assumption", 10) == 0
        && !states_range(s))
        return "a fixed assumption without a numeric range (\"range A-B\")";
    return NULL;
}

/* Parameters of scenario `path` that break a rule, each printed. */
static int count_unsourced(const char *path)
{
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    int bad = 0;
    for (size_t i = 0; i < mkba_params_count(m->params); i++) {
        const mkba_param *q = mkba_params_get(m->params, i);
        const char *rule = broken_rule(q);
        if (rule != NULL) {
            print_message("%s:%d: %s: %s\n", q->file, q->line, q->name, rule);
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
                print_message("%s:%d: %s (arm %s): %s\n", file, line, q->name, m->arm[a].name,
                              rule);
                bad++;
            }
        }
    }
    mkba_model_free(m);
    return bad;
}

static void test_library_numbers_have_sources(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("scenarios/pathways/*.cfg", 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 9);
    int bad = 0;
    for (size_t i = 0; i < g.gl_pathc; i++)
        bad += count_unsourced(g.gl_pathv[i]);
    globfree(&g);
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
        int broken;
    } cases[] = {
        { MKBA_DIST_FIXED, NULL, NULL, 1 },
        { MKBA_DIST_FIXED, NULL, "assumption, mean 3", 1 },
        { MKBA_DIST_FIXED, NULL, "assumption, range 2-4", 0 },
        { MKBA_DIST_FIXED, NULL, "Assumption, mean 3", 1 },
        { MKBA_DIST_FIXED, NULL, "assumption; no range known", 1 },
        { MKBA_DIST_FIXED, NULL, "assumption, range 1,840 to 2,300", 0 },
        { MKBA_DIST_FIXED, NULL, "derived from simulated demand", 1 },
        { MKBA_DIST_EXPR, "a * b", NULL, 1 },
        { MKBA_DIST_EXPR, "a * b", "derived", 1 },
        { MKBA_DIST_EXPR, "a * b", "derived: hours x hourly cost", 1 },
        { MKBA_DIST_EXPR, "a * b", "derived: a*b; the product", 0 },
        { MKBA_DIST_GAMMA, NULL, "assumption, mean 3", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mkba_param q;
        memset(&q, 0, sizeof q);
        q.dist.kind = cases[i].kind;
        q.dist.expr = (char *)cases[i].expr;
        q.source = (char *)cases[i].source;
        if ((broken_rule(&q) != NULL) != cases[i].broken)
            fail_msg("case %zu ('%s'): expected %s", i, cases[i].source ? cases[i].source : "",
                     cases[i].broken ? "a broken rule" : "none");
    }
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
