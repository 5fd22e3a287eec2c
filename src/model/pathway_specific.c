/* Model B, specific teams: triage criteria first (e.g. a household with
 * problems in several domains goes to the multi-problem team, any youth
 * problem to the youth-and-family team, each taking the whole household),
 * then the first of the pathway's teams that treats the presenting domain;
 * questions none of them treats go to their providers. The study [S1]
 * names model B's teams: "sociaal wijkteam, team jeugd en gezin,
 * meervoudige problematiek". */
#include "pathway.h"
#include "scenario_impl.h"

static const mkba_pathway_setting own[] = {{"triage", 0, NULL}};

/* A criterion's domain, or its number of domains (multi-problem): one of
 * the two, min_domains from 1 to the number of domains. */
static int read_what(mkba_loader *ld, const config_setting_t *c, mkba_pathway *p, int i)
{
    const mkba_model *m = ld->m;
    const config_setting_t *k = config_setting_get_member(c, "min_domains");
    p->triage_min_domains[i] = 0;
    if (k == NULL) {
        const char *names[MKBA_MAX_DOMAINS];
        for (size_t d = 0; d < m->ndomains; d++)
            names[d] = m->domain[d].name;
        return mkba_sc_lookup_member(ld, c, "domain", names, m->ndomains, "domain", NULL,
                                     &p->triage_domain[i]);
    }
    if (config_setting_get_member(c, "domain") != NULL)
        return mkba_sc_fail(ld, c, "min_domains", "a criterion takes either a domain or "
                            "min_domains (several domains at min_severity), not both");
    long long n = 0;
    int rc = mkba_sc_integer(ld, c, "min_domains", 1, &n, NULL);
    if (rc != 0)
        return rc;
    if (n < 1 || n > (long long)m->ndomains)
        return mkba_sc_fail(ld, k, NULL, "%lld is out of range; expected 1 to %zu (the number "
                            "of domains)", n, m->ndomains);
    p->triage_domain[i] = -1;
    p->triage_min_domains[i] = (int)n;
    return 0;
}

/* The criteria: ( { team; domain or min_domains; min_severity; }, ... ). */
static int read(mkba_loader *ld, const config_setting_t *g, mkba_pathway *p)
{
    const mkba_model *m = ld->m;
    const config_setting_t *list = config_setting_get_member(g, "triage");
    if (list == NULL)
        return 0;
    int rc = mkba_sc_expect_list(ld, list, "a list of criteria ( {team = ...; domain = ...; "
                                 "min_severity = ...;}, ... )");
    if (rc != 0)
        return rc;
    int n = config_setting_length(list);
    if (n > MKBA_MAX_TEAMS)
        return mkba_sc_fail(ld, list, NULL, "%d criteria; expected at most %d", n,
                            MKBA_MAX_TEAMS);
    for (int i = 0; i < n; i++) {
        const config_setting_t *c = config_setting_get_elem(list, (unsigned)i);
        const config_setting_t *team;
        if ((rc = mkba_sc_expect_group(ld, c, "a criterion {team = ...; domain = ...; "
                                       "min_severity = ...;}")) != 0
            || (rc = mkba_sc_check_keys(ld, c, MKBA_KEYS_TRIAGE)) != 0)
            return rc;
        if ((team = config_setting_get_member(c, "team")) == NULL)
            return mkba_sc_fail(ld, c, "team", "required setting is missing; expected one of "
                                "the pathway's teams");
        if ((rc = mkba_sc_team_index(ld, team, " in services.teams", &p->triage_team[i])) != 0
            || (rc = read_what(ld, c, p, i)) != 0
            || (rc = mkba_sc_number(ld, c, "min_severity", 1, &p->triage_min[i], NULL)) != 0)
            return rc;
        int listed = 0;
        for (int j = 0; j < p->nspecific; j++)
            listed |= p->specific[j] == p->triage_team[i];
        if (!listed)
            return mkba_sc_fail(ld, team, NULL, "team '%s' is not in the pathway's teams; "
                                "expected one of them",
                                m->services.team[p->triage_team[i]].name);
        if (p->triage_domain[i] >= 0
            && !mkba_pathway_treats(m->services.team, p->triage_team[i], p->triage_domain[i]))
            return mkba_sc_fail(ld, config_setting_get_member(c, "domain"), NULL,
                                "team '%s' does not treat domain '%s'; expected a domain of "
                                "the team", m->services.team[p->triage_team[i]].name,
                                m->domain[p->triage_domain[i]].name);
        if (!(p->triage_min[i] > 0.0))
            return mkba_sc_fail(ld, config_setting_get_member(c, "min_severity"), NULL,
                                "%g is out of range; expected a severity > 0 (a problem)",
                                p->triage_min[i]);
    }
    p->ntriage = n;
    return 0;
}

/* A triage team takes the whole household, so it must treat every domain
 * the pathway's teams treat, or a question would lose its team. */
static int check(mkba_loader *ld, const config_setting_t *g, const mkba_pathway *p)
{
    const mkba_model *m = ld->m;
    const mkba_team *teams = m->services.team;
    for (int i = 0; i < p->ntriage; i++) {
        uint32_t all = 0;
        for (int j = 0; j < p->nspecific; j++)
            all |= teams[p->specific[j]].domains;
        uint32_t missing = all & ~teams[p->triage_team[i]].domains;
        if (missing != 0)
            return mkba_sc_fail(ld, g, "triage", "team '%s' does not treat domain '%s' of the "
                                "pathway's teams; a triage team takes the whole household, so "
                                "it must treat every domain they treat",
                                teams[p->triage_team[i]].name,
                                m->domain[__builtin_ctz(missing)].name);
    }
    return 0;
}

/* Whether the household meets criterion i: its domain at min_severity, or
 * (multi-problem) at least min_domains domains at min_severity, as model D
 * judges; that criterion adds no domain to the plan, as model D's team.
 * As model D, a criterion applies only to a question its team treats: a
 * question of another domain (justice at the multi-problem team) goes on
 * to the specific teams and the providers, or it would be lost. */
static int meets(const mkba_pathway *p, int i, const mkba_route_request *q)
{
    if (p->triage_domain[i] >= 0)
        return q->sev[p->triage_domain[i]] >= p->triage_min[i];
    int n = 0;
    for (size_t d = 0; d < q->ndomains; d++)
        n += q->sev[d] >= p->triage_min[i];
    return n >= p->triage_min_domains[i];
}

static void route(const mkba_pathway *p, const mkba_team *teams, const mkba_route_request *q,
                  mkba_route *r)
{
    for (int i = 0; i < p->ntriage; i++)
        if (mkba_pathway_treats(teams, p->triage_team[i], q->pd) && meets(p, i, q)) {
            r->team = p->triage_team[i];
            if (p->triage_domain[i] >= 0)
                r->plan |= 1u << p->triage_domain[i];
            return;
        }
    for (int i = 0; i < p->nspecific; i++)
        if (mkba_pathway_treats(teams, p->specific[i], q->pd)) {
            r->team = p->specific[i];
            return;
        }
}

static void print(const mkba_model *m, FILE *f, const mkba_pathway *p)
{
    mkba_pathway_print_teams(m, f, p);
    for (int i = 0; i < p->ntriage; i++) {
        if (p->triage_domain[i] >= 0)
            fprintf(f, "      triage %d: %s at severity >= %g", i + 1,
                    m->domain[p->triage_domain[i]].name, p->triage_min[i]);
        else
            fprintf(f, "      triage %d: at least %d domains at severity >= %g", i + 1,
                    p->triage_min_domains[i], p->triage_min[i]);
        fprintf(f, " -> %s\n", m->services.team[p->triage_team[i]].name);
    }
    mkba_pathway_print_providers(m, f, p);
}

const mkba_pathway_rule mkba_pathway_specific = {
    .team = -1, .teams = 1, .providers = 0,
    .own = own, .nown = 1,
    .integrated = 1,
    .read = read, .check = check, .route = route, .print = print,
};
