/* The table of pathway rules (src/model/pathway_rules.c): every rule is
 * complete, and the documentation describes the rules the table lists,
 * with the settings each rule's object says it takes. Run from the top
 * folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "model/pathway.h"

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Integrated rules route and only they do; every rule prints; names are
 * unique; a rule's own settings are named and owned by no other rule. */
static void test_rules_are_complete(void **state)
{
    (void)state;
    for (int r = 0; r < MKBA_NROUTES; r++) {
        const mkba_pathway_rule *rule = mkba_pathway_rule_of((mkba_route_rule)r);
        assert_non_null(rule);
        assert_non_null(rule->print);
        assert_int_equal(rule->integrated, rule->route != NULL);
        assert_true(rule->nown == 0 || rule->own != NULL);
        for (int q = 0; q < r; q++) {
            const mkba_pathway_rule *other = mkba_pathway_rule_of((mkba_route_rule)q);
            assert_string_not_equal(mkba_route_names[q], mkba_route_names[r]);
            for (int i = 0; i < rule->nown; i++)
                for (int j = 0; j < other->nown; j++)
                    assert_string_not_equal(rule->own[i].name, other->own[j].name);
        }
    }
}

/* What docs/scenario.md's table of route settings shows for a setting:
 * R needed, a middle dot allowed, an en dash refused. */
static const char *needs_mark(int need)
{
    return need == 1 ? "R" : need == 0 ? "\xc2\xb7" : "\xe2\x80\x93";
}

static int own_need(const mkba_pathway_rule *rule, const char *name)
{
    for (int i = 0; i < rule->nown; i++)
        if (strcmp(rule->own[i].name, name) == 0)
            return rule->own[i].required ? 1 : 0;
    return -1;
}

/* docs/model.md's routing table has a row for every rule, and
 * docs/scenario.md's table of route settings has the row the rule's object
 * implies, column by column. */
static void test_docs_describe_every_rule(void **state)
{
    (void)state;
    static const char *const columns[] = {"team", "teams", "triage", "providers",
                                          "refer_above", "multi_problem", "quick_scan",
                                          "home_visit_cost"};
    char *model = read_text("docs/model.md"), *scenario = read_text("docs/scenario.md");
    char header[512] = "| rule |";
    for (size_t c = 0; c < sizeof columns / sizeof *columns; c++)
        snprintf(header + strlen(header), sizeof header - strlen(header), " `%s` |", columns[c]);
    assert_non_null(strstr(scenario, header));
    for (int r = 0; r < MKBA_NROUTES; r++) {
        const mkba_pathway_rule *rule = mkba_pathway_rule_of((mkba_route_rule)r);
        char row[512];
        snprintf(row, sizeof row, "\n| `%s`", mkba_route_names[r]);
        if (strstr(model, row) == NULL)
            fail_msg("docs/model.md: no routing row for rule '%s'", mkba_route_names[r]);
        snprintf(row, sizeof row, "\n| %s |", mkba_route_names[r]);
        for (size_t c = 0; c < sizeof columns / sizeof *columns; c++) {
            int need = own_need(rule, columns[c]);
            if (c == 0 || c == 1 || c == 3)
                need = c == 0 ? rule->team : c == 1 ? rule->teams : rule->providers;
            snprintf(row + strlen(row), sizeof row - strlen(row), " %s |", needs_mark(need));
        }
        if (strstr(scenario, row) == NULL)
            fail_msg("docs/scenario.md: expected the row\n%s", row + 1);
    }
    free(model);
    free(scenario);
}

/* Model B's triage (issue 12 review mech12c, finding 1): a criterion sends
 * a question to its team only if that team treats the presenting domain,
 * as model D's rule does; a justice question of a multi-problem household,
 * or of a household with a youth problem, goes to the justice provider,
 * since none of the teams treats justice. Domains: 0 debt, 1 youth, 2
 * justice. Teams: 0 adults (debt), 1 youth and family (debt, youth), 2
 * multi-problem (debt, youth). */
static void test_triage_only_for_treated_questions(void **state)
{
    (void)state;
    mkba_team teams[3];
    memset(teams, 0, sizeof teams);
    teams[0].domains = 1u;
    teams[1].domains = 3u;
    teams[2].domains = 3u;
    mkba_pathway p;
    memset(&p, 0, sizeof p);
    p.rule = MKBA_ROUTE_SPECIFIC;
    p.nspecific = 3;
    p.specific[0] = 0, p.specific[1] = 1, p.specific[2] = 2;
    p.ntriage = 2;
    p.triage_team[0] = 2, p.triage_domain[0] = -1, p.triage_min_domains[0] = 2;
    p.triage_min[0] = 2.0;
    p.triage_team[1] = 1, p.triage_domain[1] = 1, p.triage_min[1] = 1.0;
    const mkba_pathway_rule *rule = mkba_pathway_rule_of(MKBA_ROUTE_SPECIFIC);
    static const struct {
        int pd;
        double sev[3];
        int team;
        uint32_t plan;
    } cases[] = {
        {2, {2, 2, 2}, -1, 1u << 2},     /* multi-problem, justice question: provider */
        {2, {0, 1, 1}, -1, 1u << 2},     /* youth problem, justice question: provider */
        {0, {2, 2, 0}, 2, 1u << 0},      /* multi-problem, debt question: its team */
        {0, {1, 1, 0}, 1, 1u << 0 | 1u << 1}, /* youth criterion adds youth */
        {0, {1, 0, 0}, 0, 1u << 0},      /* no criterion: first team treating debt */
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        mkba_route_request q = {.pd = cases[c].pd, .found = 0, .sev = cases[c].sev,
                                .ndomains = 3};
        mkba_route r = {.team = -1, .plan = 1u << cases[c].pd};
        rule->route(&p, teams, &q, &r);
        if (r.team != cases[c].team || r.plan != cases[c].plan)
            fail_msg("case %zu: team %d plan %#x; expected team %d plan %#x", c, r.team,
                     (unsigned)r.plan, cases[c].team, (unsigned)cases[c].plan);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_are_complete),
        cmocka_unit_test(test_docs_describe_every_rule),
        cmocka_unit_test(test_triage_only_for_treated_questions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
