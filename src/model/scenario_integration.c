/* Degrees of integration as the literature study [S1] (after KPMG 2013)
 * describes them, and what each costs (issue 12; docs/model.md, "Degrees
 * of integration"):
 *
 *   limited: information exchange, a shared location and overhead;
 *   partial: also shared staff, data, tools and planning;
 *   full:    also pooled staff, budgets, technology and case management.
 *
 * A pathway's `integration` group (required at every degree but none) ties three elements to the
 * degree: the front office (one shared counter and location), shared ICT
 * (the back office's integrated databases) and pooled budgets (the back
 * office's "ontschotting"); the coordination weight follows the degree as
 * before. The arm may set each itself. Each element that is on carries its
 * costs, each that is off refuses them; budgets that are not pooled carry
 * the study's consequences ("onnodig zware inzet van middelen", a weaker
 * joint working) as the `unpooled` parameters. An arm at degree limited
 * or partial must write the group (its unpooled consequences are not
 * optional), and so must one at degree full (its pooling and shared ICT
 * are costed choices); classic routes have none. */
#include <stddef.h>
#include <stdio.h>
#include "pathway.h"
#include "scenario_impl.h"

/* What each degree has by default, listed once. */
static const struct {
    int front_office, shared_ict, pooled_budgets;
} tied[MKBA_NDEGREES] = {
    [MKBA_DEGREE_NONE] = {0, 0, 0},
    [MKBA_DEGREE_LIMITED] = {1, 0, 0},  /* shared location, information exchange */
    [MKBA_DEGREE_PARTIAL] = {1, 1, 0},  /* + shared data and tools */
    [MKBA_DEGREE_FULL] = {1, 1, 1},     /* + pooled budgets */
};

enum { FRONT_OFFICE, POOLED };

/* The costs of the elements: required when the element is on, refused
 * when it is off. co_location lives in `overheads` (it predates the
 * group) and is read there. */
static const struct {
    const char *name;
    int in_overheads, element;
    size_t offset;             /* into mkba_pathway; unused in_overheads (read there) */
    const char *expect;
} costs[] = {
    {"co_location", 1, FRONT_OFFICE, 0, NULL},
    {"front_office_investment", 0, FRONT_OFFICE, offsetof(mkba_pathway, front_office_investment),
     "the one-off fit-out of the shared counter and location, a number >= 0 (write 0 if it "
     "costs nothing)"},
    {"pooling_investment", 0, POOLED, offsetof(mkba_pathway, pooling_investment),
     "the one-off cost of pooling the budgets (one budget, one contract and accounting "
     "system), a number >= 0"},
    {"pooling_running", 0, POOLED, offsetof(mkba_pathway, pooling_running),
     "the running cost per year of the pooled budget's administration, a number >= 0"},
};

static const char *const element_name[] = {
    [FRONT_OFFICE] = "front office (integration.front_office: one shared counter and "
                     "location)",
    [POOLED] = "pooled budgets (integration.pooled_budgets)",
};

static int *at(mkba_pathway *p, size_t offset)
{
    return (int *)((char *)p + offset);
}

static int read_costs(mkba_loader *ld, const config_setting_t *ig, const config_setting_t *ov,
                      mkba_pathway *p)
{
    const int on[] = {[FRONT_OFFICE] = p->front_office, [POOLED] = p->pooled_budgets};
    const char *degree = mkba_degree_names[p->degree];
    for (size_t i = 0; i < sizeof costs / sizeof costs[0]; i++) {
        const config_setting_t *g = costs[i].in_overheads ? ov : ig;
        const config_setting_t *s = g != NULL ? config_setting_get_member(g, costs[i].name)
                                              : NULL;
        int e = costs[i].element;
        if (!on[e] && s != NULL)
            return mkba_sc_fail(ld, s, NULL, "the arm has no %s at degree %s, so it has no "
                                "such cost; remove this setting or turn the element on",
                                element_name[e], degree);
        char path[64];
        snprintf(path, sizeof path, "overheads.%s", costs[i].name);
        if (on[e] && s == NULL && g == NULL) /* no overheads group: name its path */
            return mkba_sc_fail(ld, config_setting_parent(ig), path,
                                "required setting is missing; with %s at degree %s, a costed "
                                "choice, expected its cost per year (0 is a statement too)",
                                element_name[e], degree);
        if (on[e] && s == NULL)
            return mkba_sc_fail(ld, g, costs[i].name,
                                "required setting is missing; with %s at degree %s, a "
                                "costed choice, expected its cost%s",
                                element_name[e], degree,
                                costs[i].in_overheads ? " overheads.co_location per year "
                                                        "(0 is a statement too)" : "");
        if (on[e] && !costs[i].in_overheads) {
            int rc = mkba_sc_range_value(ld, g, costs[i].name, 1, 0, 0, 1e15, 0,
                                         costs[i].expect, at(p, costs[i].offset));
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

/* integration.unpooled: what budgets that are not pooled do. shift acts
 * on the pathway's substitution list: required with one, refused without
 * (it could never act). */
static int read_unpooled(mkba_loader *ld, const config_setting_t *ig, int substitutes,
                         mkba_pathway *p)
{
    const config_setting_t *u = config_setting_get_member(ig, "unpooled");
    if (p->pooled_budgets) {
        if (u != NULL)
            return mkba_sc_fail(ld, u, NULL, "the arm pools its budgets (degree %s or "
                                "integration.pooled_budgets), so nothing is unpooled; remove "
                                "this group", mkba_degree_names[p->degree]);
        return 0;
    }
    if (u == NULL)
        return mkba_sc_fail(ld, ig, "unpooled", "required setting is missing; at degree %s "
                            "the budgets are not pooled, which the study says costs (heavier "
                            "help): expected unpooled = {%s second_line = ...; } (0 is a "
                            "statement too)",
                            mkba_degree_names[p->degree], substitutes ? " shift = ...;" : "");
    int rc = mkba_sc_expect_group(ld, u, "a group {shift = ...; second_line = ...;}");
    if (rc == 0)
        rc = mkba_sc_check_keys(ld, u, MKBA_KEYS_UNPOOLED);
    const config_setting_t *sh = rc == 0 ? config_setting_get_member(u, "shift") : NULL;
    if (sh != NULL && !substitutes)
        return mkba_sc_fail(ld, sh, NULL, "shift can never act: the pathway has no "
                            "substitution list, so its teams give no help they could buy "
                            "instead; remove shift (or give the pathway a substitution list)");
    if (rc == 0 && substitutes)
        rc = mkba_sc_range_value(ld, u, "shift", 1, 0, 0, 1, 0,
                                 "the share of the help the teams would give themselves "
                                 "(substitution) that they buy instead without pooled "
                                 "budgets, 0 to 1", &p->unpooled_shift);
    if (rc == 0)
        rc = mkba_sc_range_value(ld, u, "second_line", 1, 0, 0, 1e3, 0,
                                 "the rise of the use of the first- and second-line help "
                                 "bought for the own teams' households without pooled "
                                 "budgets (heavier help at unchanged need), a number >= 0",
                                 &p->unpooled_second_line);
    return rc;
}

/* At degree full without the group the arm would keep the pooled staff,
 * budgets and technology the degree means and shed what they cost (the
 * front office, pooling and shared ICT). Refuse it in one message that
 * names every setting still missing, so one edit makes the arm load
 * (docs/scenario.md, "Upgrading: degree full needs its integration
 * group"). */
static int missing_full(mkba_loader *ld, const config_setting_t *g, const config_setting_t *ov,
                        int ict_set, const mkba_pathway *p)
{
    char list[640];
    size_t used = (size_t)snprintf(list, sizeof list, "integration = { "
                                   "front_office_investment = ...; pooling_investment = ...; "
                                   "pooling_running = ...; }");
    const int no_ict = ict_set && !p->shared_ict;
    if (ov == NULL || config_setting_get_member(ov, "co_location") == NULL)
        used += (size_t)snprintf(list + used, sizeof list - used, "; overheads.co_location");
    if (!no_ict && (ov == NULL || config_setting_get_member(ov, "ict_investment") == NULL
                    || config_setting_get_member(ov, "ict_running") == NULL))
        used += (size_t)snprintf(list + used, sizeof list - used,
                                 "; overheads.ict_investment and overheads.ict_running (or "
                                 "overheads.shared_ict = false)");
    if (config_setting_get_member(g, "payer") == NULL)
        snprintf(list + used, sizeof list - used, "; payer (who bears these costs)");
    return mkba_sc_fail(ld, g, "integration", "required setting is missing; rule '%s' at "
                        "degree full pools staff, budgets and technology, each a costed "
                        "choice; still missing: %s (0 is a statement too; docs/scenario.md, "
                        "\"Upgrading: degree full needs its integration group\")",
                        mkba_route_names[p->rule], list);
}

/* Without the group an arm would shed what its degree ties to it. At a
 * degree that does not pool budgets (limited, partial) that includes the
 * unpooled budgets' heavier help, a consequence the study names, not only
 * a cost the arm states: model B without the group came out EUR 3,414 per
 * household better (review issue12-s7, finding 2). Refuse it, naming what
 * to add; at degree full, missing_full. */
static int missing_group(mkba_loader *ld, const config_setting_t *g, const config_setting_t *ov,
                         int ict_set, int substitutes, const mkba_pathway *p)
{
    if (!mkba_pathway_rule_of(p->rule)->integrated || p->degree == MKBA_DEGREE_NONE)
        return 0;
    if (tied[p->degree].pooled_budgets)
        return missing_full(ld, g, ov, ict_set, p);
    return mkba_sc_fail(ld, g, "integration", "required setting is missing; rule '%s' at "
                        "degree %s does not pool its budgets, which the study says costs "
                        "(heavier help), and has a front office%s by default: expected "
                        "integration = { front_office_investment = ...; unpooled = {%s "
                        "second_line = ...; }; } (0 is a statement too; docs/model.md, "
                        "\"Degrees of integration\")", mkba_route_names[p->rule],
                        mkba_degree_names[p->degree],
                        tied[p->degree].shared_ict ? " and shared ICT" : "",
                        substitutes ? " shift = ...;" : "");
}

int mkba_sc_integration(mkba_loader *ld, const config_setting_t *g, const config_setting_t *ov,
                        int ict_set, mkba_pathway *p)
{
    p->integration = p->front_office = p->pooled_budgets = 0;
    p->coordination_weight = p->front_office_investment = -1;
    p->pooling_investment = p->pooling_running = -1;
    p->unpooled_shift = p->unpooled_second_line = -1;
    const config_setting_t *ig = config_setting_get_member(g, "integration");
    if (ig == NULL)
        return missing_group(ld, g, ov, ict_set,
                             config_setting_get_member(g, "substitution") != NULL, p);
    int rc = mkba_sc_expect_group(ld, ig, "a group {front_office = ...; pooled_budgets = "
                                  "...; ...}");
    if (rc != 0 || (rc = mkba_sc_check_keys(ld, ig, MKBA_KEYS_INTEGRATION)) != 0)
        return rc;
    if (!mkba_pathway_rule_of(p->rule)->integrated || p->degree == MKBA_DEGREE_NONE)
        return mkba_sc_fail(ld, ig, NULL, "the classic route (rule '%s'%s) integrates "
                            "nothing; remove this group or give a degree of integration",
                            mkba_route_names[p->rule],
                            mkba_pathway_rule_of(p->rule)->integrated ? ", degree none" : "");
    p->integration = 1;
    p->front_office = tied[p->degree].front_office;
    p->pooled_budgets = tied[p->degree].pooled_budgets;
    if (!ict_set)
        p->shared_ict = tied[p->degree].shared_ict;
    if ((rc = mkba_sc_bool(ld, ig, "front_office", &p->front_office, NULL)) != 0
        || (rc = mkba_sc_bool(ld, ig, "pooled_budgets", &p->pooled_budgets, NULL)) != 0)
        return rc;
    /* A route whose every request enters at its one team is a shared
     * counter: without the front office it would keep its access and only
     * shed the counter's costs. */
    if (!p->front_office && mkba_pathway_rule_of(p->rule)->single_counter)
        return mkba_sc_fail(ld, config_setting_get_member(ig, "front_office"), NULL,
                            "rule '%s' routes every request through its one team, a shared "
                            "counter, so it has a front office by construction; remove "
                            "front_office = false (or choose a route of teams side by side, "
                            "'specific' or 'multi_problem')", mkba_route_names[p->rule]);
    /* A triage intake (model B) is one counter too: every request passes
     * it before any team sees it, so going without the front office would
     * again only shed its costs (review issue12-final, finding 4). */
    if (!p->front_office && p->ntriage > 0)
        return mkba_sc_fail(ld, config_setting_get_member(ig, "front_office"), NULL,
                            "rule '%s' with triage sends every request through one intake "
                            "that applies the %d triage criteria, a shared counter, so it has "
                            "a front office by construction; remove front_office = false (or "
                            "remove the triage: teams side by side, each reached at its own "
                            "counter)", mkba_route_names[p->rule], p->ntriage);
    if (config_setting_get_member(ig, "coordination_weight") != NULL
        && (rc = mkba_sc_range_value(ld, ig, "coordination_weight", 1, 0, 0, 1, 0,
                                     "the weight of the joint plan's coordination at this "
                                     "arm's integration, 0 to 1 (default: "
                                     "services.degree_weights of its degree)",
                                     &p->coordination_weight)) != 0)
        return rc;
    if ((rc = read_costs(ld, ig, ov, p)) != 0)
        return rc;
    return read_unpooled(ld, ig, config_setting_get_member(g, "substitution") != NULL, p);
}
