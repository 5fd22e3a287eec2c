/* Model D, the multi-problem team: only households with problems in at
 * least min_domains domains at severity min_severity or more go to the
 * team; the others go to the providers. */
#include "pathway.h"
#include "scenario_impl.h"

static const mkba_pathway_setting own[] = {{"multi_problem", 1, NULL}};

static int read(mkba_loader *ld, const config_setting_t *g, mkba_pathway *p)
{
    const config_setting_t *s = config_setting_get_member(g, "multi_problem");
    long long k = 0;
    int rc;
    if ((rc = mkba_sc_expect_group(ld, s, "a group {min_domains = ...; min_severity = "
                                   "...;}")) != 0
        || (rc = mkba_sc_check_keys(ld, s, MKBA_KEYS_MULTI_PROBLEM)) != 0
        || (rc = mkba_sc_integer(ld, s, "min_domains", 1, &k, NULL)) != 0
        || (rc = mkba_sc_number(ld, s, "min_severity", 1, &p->min_severity, NULL)) != 0)
        return rc;
    if (!(p->min_severity > 0.0 && p->min_severity <= 1000.0))
        return mkba_sc_fail(ld, config_setting_get_member(s, "min_severity"), NULL,
                            "%g is out of range; expected a severity > 0 (a problem), at "
                            "most 1000", p->min_severity);
    if (k < 1 || k > (long long)ld->m->ndomains)
        return mkba_sc_fail(ld, config_setting_get_member(s, "min_domains"), NULL,
                            "%lld is out of range; expected 1 to %zu (the number of "
                            "domains)", k, ld->m->ndomains);
    p->min_domains = (int)k;
    return 0;
}

static int check(mkba_loader *ld, const config_setting_t *g, const mkba_pathway *p)
{
    return mkba_pathway_check_providers(ld, g, p, "the other households");
}

static int team_takes(const mkba_pathway *p, const double *sev, size_t ndomains)
{
    int n = 0;
    for (size_t d = 0; d < ndomains; d++)
        n += sev[d] >= p->min_severity;
    return n >= p->min_domains;
}

static void route(const mkba_pathway *p, const mkba_team *teams, const mkba_route_request *q,
                  mkba_route *r)
{
    if (team_takes(p, q->sev, q->ndomains) && mkba_pathway_treats(teams, p->team, q->pd))
        r->team = p->team;
}

static void print(const mkba_model *m, FILE *f, const mkba_pathway *p)
{
    mkba_pathway_print_route(m, f, p);
    fprintf(f, "      multi-problem: at least %d domains at severity >= %g\n", p->min_domains,
            p->min_severity);
}

const mkba_pathway_rule mkba_pathway_multi_problem = {
    .team = 1, .teams = -1, .providers = 1,
    .own = own, .nown = 1,
    .integrated = 1,
    .read = read, .check = check, .route = route, .team_takes = team_takes, .print = print,
};
