/* The services section of a scenario: teams, and per arm the pathway its
 * households follow (docs/scenario.md, "Services"), plus the list of cost
 * categories that cost rules and services share. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/strutil.h"
#include "core/alloc.h"
#include "pathway.h"
#include "scenario_impl.h"

const char *const mkba_degree_names[MKBA_NDEGREES] = {"none", "limited", "partial", "full"};
const char *const mkba_queue_names[2] = {"fifo", "priority"};

/* The default weights of the degrees of integration: none does nothing,
 * full does all a mechanism can; the two between are evenly spaced. */
static const double default_degree_weight[MKBA_NDEGREES] = {0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0};

/* Registers a fixed default for an absent optional value, named after the
 * setting it stands for so messages and the result file can show it. */
static int default_value(mkba_loader *ld, const config_setting_t *g, const char *name,
                         double value, int *index)
{
    char path[MKBA_PATH_MAX], file[MKBA_PATH_MAX];
    mkba_sc_path(g, name, path, sizeof path);
    const char *f = mkba_sc_file(ld, g, file, sizeof file);
    mkba_dist d;
    memset(&d, 0, sizeof d);
    d.kind = MKBA_DIST_FIXED;
    d.a = value;
    int i = mkba_params_add(ld->m->params, path, &d, path, f,
                            (int)config_setting_source_line(g), "default", ld->err);
    if (i < 0)
        return ld->err->code != MKBA_OK ? ld->err->code : MKBA_EINVAL;
    mkba_params_mark_used(ld->m->params, i);
    *index = i;
    return 0;
}

static int in_bound(const mkba_bound *b, double x)
{
    return (b->lo_open ? x > b->lo : x >= b->lo) && x <= b->hi;
}

/* A value setting s with its range (see range_value). */
static int range_setting(mkba_loader *ld, const config_setting_t *s, double lo, double hi,
                         int lo_open, const char *expect, int *index)
{
    mkba_services *sv = &ld->m->services;
    int fixed = 1, rc;
    double value = 0.0;
    if ((rc = mkba_sc_value(ld, s, NULL, index, &fixed, &value)) != 0)
        return rc;
    mkba_bound b = {*index, lo, hi, lo_open, NULL, expect, 0};
    if (fixed && !in_bound(&b, value))
        return mkba_sc_fail(ld, s, NULL, "%g is out of range; expected %s", value, expect);
    char path[MKBA_PATH_MAX], file[MKBA_PATH_MAX], where[2 * MKBA_PATH_MAX + 16];
    mkba_sc_path(s, NULL, path, sizeof path);
    snprintf(where, sizeof where, "%s:%d: %s", mkba_sc_file(ld, s, file, sizeof file),
             (int)config_setting_source_line(s), path);
    mkba_bound *nb = mkba_realloc(sv->bound, (sv->nbounds + 1) * sizeof *nb);
    if (nb == NULL)
        return mkba_sc_nomem(ld);
    sv->bound = nb;
    if ((b.where = mkba_strdup(where)) == NULL)
        return mkba_sc_nomem(ld);
    sv->bound[sv->nbounds++] = b;
    return 0;
}

int mkba_sc_range_value(mkba_loader *ld, const config_setting_t *g, const char *name,
                       int required, double dflt, double lo, double hi, int lo_open,
                       const char *expect, int *index)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    if (s == NULL) {
        if (required)
            return mkba_sc_fail(ld, g, name, "required setting is missing; expected %s", expect);
        return default_value(ld, g, name, dflt, index);
    }
    return range_setting(ld, s, lo, hi, lo_open, expect, index);
}

/* A required value, or a list of up to 8 values by severity level. */
static int level_values(mkba_loader *ld, const config_setting_t *g, const char *name,
                        double lo, double hi, const char *expect, int *index, int *n)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    if (s == NULL || (!config_setting_is_list(s) && !config_setting_is_array(s))) {
        *n = 1;
        return mkba_sc_range_value(ld, g, name, 1, 0, lo, hi, 0, expect, index);
    }
    int rc = mkba_sc_expect_list(ld, s, "a value or a list of values by severity level");
    if (rc != 0)
        return rc;
    *n = config_setting_length(s);
    if (*n > 8)
        return mkba_sc_fail(ld, s, NULL, "%d values; expected at most 8 severity levels", *n);
    for (int i = 0; i < *n; i++)
        if ((rc = range_setting(ld, config_setting_get_elem(s, (unsigned)i), lo, hi, 0, expect,
                                &index[i])) != 0)
            return rc;
    return 0;
}

/* Optional group of domain = value (or list by severity level) pairs: a
 * hazard ratio per domain of the team's domains `treated`, into index[d][]
 * and n[d] for the domains named, with their bitmask in *mask. A ratio
 * for a domain the team does not treat would never act, so it is refused. */
static int domain_values(mkba_loader *ld, const config_setting_t *g, const char *name,
                         uint32_t treated, double lo, double hi, const char *expect,
                         uint32_t *mask, int (*index)[8], int *n)
{
    const mkba_model *m = ld->m;
    const config_setting_t *s = config_setting_get_member(g, name);
    *mask = 0;
    if (s == NULL)
        return 0;
    int rc = mkba_sc_expect_group(ld, s, "a group {DOMAIN = value or [values by severity "
                                  "level]; ...} of domain names");
    if (rc != 0)
        return rc;
    const char *names[MKBA_MAX_DOMAINS];
    for (size_t d = 0; d < m->ndomains; d++)
        names[d] = m->domain[d].name;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const char *domain = config_setting_name(e);
        int d;
        if ((rc = mkba_sc_lookup(ld, e, domain, names, m->ndomains, "domain", NULL, &d)) != 0)
            return rc;
        if (!(treated >> d & 1u)) {
            char list[512];
            size_t used = 0;
            list[0] = '\0';
            for (uint32_t c = treated; c != 0 && used < sizeof list; c &= c - 1)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                         used ? ", " : "", names[__builtin_ctz(c)]);
            return mkba_sc_fail(ld, e, NULL, "the team does not treat domain '%s', so its "
                                "ratio would never act; expected one of the team's domains: %s",
                                domain, list);
        }
        if ((rc = level_values(ld, s, domain, lo, hi, expect, index[d], &n[d])) != 0)
            return rc;
        *mask |= 1u << d;
    }
    return 0;
}

#define SHARE "a share from 0 to 1"
#define NONNEG "a number >= 0"
#define POSITIVE "a number > 0"

static int record_where(mkba_loader *ld, const config_setting_t *g, char **path, char **file,
                        int *line)
{
    char p[MKBA_PATH_MAX], f[MKBA_PATH_MAX];
    mkba_sc_path(g, NULL, p, sizeof p);
    *line = (int)config_setting_source_line(g);
    if ((*path = mkba_strdup(p)) == NULL
        || (*file = mkba_strdup(mkba_sc_file(ld, g, f, sizeof f))) == NULL)
        return mkba_sc_nomem(ld);
    return 0;
}

/* A list of domain names as a bitmask. */
static int domain_mask(mkba_loader *ld, const config_setting_t *g, const char *member,
                       uint32_t *mask)
{
    const mkba_model *m = ld->m;
    const config_setting_t *list = config_setting_get_member(g, member);
    if (list == NULL)
        return mkba_sc_fail(ld, g, member, "required setting is missing; expected a list of "
                            "domain names");
    int rc = mkba_sc_expect_list(ld, list, "a list of domain names");
    if (rc != 0)
        return rc;
    const char *names[MKBA_MAX_DOMAINS];
    for (size_t d = 0; d < m->ndomains; d++)
        names[d] = m->domain[d].name;
    *mask = 0;
    for (int i = 0; i < config_setting_length(list); i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        const char *name = config_setting_get_string(e);
        int d;
        if (name == NULL)
            return mkba_sc_fail(ld, e, NULL, "expected a domain name in double quotes");
        if ((rc = mkba_sc_lookup(ld, e, name, names, m->ndomains, "domain", NULL, &d)) != 0)
            return rc;
        *mask |= 1u << d;
    }
    return 0;
}

/* Index of the cost category `name`, added when new. */
static int category_of(mkba_loader *ld, const char *name, int *index)
{
    mkba_model *m = ld->m;
    for (size_t i = 0; i < m->ncategories; i++)
        if (strcmp(m->category[i], name) == 0) {
            *index = (int)i;
            return 0;
        }
    char **c = mkba_realloc(m->category, (m->ncategories + 1) * sizeof *c);
    if (c == NULL)
        return mkba_sc_nomem(ld);
    m->category = c;
    if ((c[m->ncategories] = mkba_strdup(name)) == NULL)
        return mkba_sc_nomem(ld);
    *index = (int)m->ncategories++;
    return 0;
}

/* A team's payer: a name, or a group of payer names with shares summing
 * to 1 (a team funded from several budgets). */
static int team_payers(mkba_loader *ld, const config_setting_t *g, mkba_team *t)
{
    const mkba_model *m = ld->m;
    const config_setting_t *s = config_setting_get_member(g, "payer");
    if (s == NULL || !config_setting_is_group(s)) {
        t->npayers = 1;
        t->payer_share[0] = 1.0;
        int rc = mkba_sc_lookup_member(ld, g, "payer", (const char *const *)m->payer, m->npayers,
                                       "payer", NULL, &t->payer_of[0]);
        t->payer = t->payer_of[0];
        return rc;
    }
    int n = config_setting_length(s), rc;
    if (n < 1 || n > 8)
        return mkba_sc_fail(ld, s, NULL, "%d payers; expected 1 to 8 payer = share pairs", n);
    double total = 0.0;
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if ((rc = mkba_sc_lookup(ld, e, config_setting_name(e), (const char *const *)m->payer,
                                 m->npayers, "payer", NULL, &t->payer_of[i])) != 0)
            return rc;
        if (!config_setting_is_number(e))
            return mkba_sc_fail(ld, e, NULL, "expected the payer's share, a number in (0, 1]");
        double x = config_setting_get_float(e);
        if (config_setting_type(e) != CONFIG_TYPE_FLOAT)
            x = (double)config_setting_get_int64(e);
        if (!(x > 0.0 && x <= 1.0))
            return mkba_sc_fail(ld, e, NULL, "%g is out of range; expected a share in (0, 1]", x);
        t->payer_share[i] = x;
        total += x;
    }
    if (fabs(total - 1.0) > MKBA_SUM_TOL)
        return mkba_sc_fail(ld, s, NULL, "the shares sum to %.12g; expected 1", total);
    t->npayers = n;
    t->payer = t->payer_of[0];
    return 0;
}

/* Adds " (WHAT 'NAME')" to the places of bounds [first, nbounds), so a
 * drawn value out of range names its team, not only its index. */
static int name_bounds(mkba_loader *ld, size_t first, const char *what, const char *name)
{
    mkba_services *sv = &ld->m->services;
    for (size_t i = first; i < sv->nbounds; i++) {
        size_t n = strlen(sv->bound[i].where) + strlen(what) + strlen(name) + 8;
        char *w = mkba_malloc(n);
        if (w == NULL)
            return mkba_sc_nomem(ld);
        snprintf(w, n, "%s (%s '%s')", sv->bound[i].where, what, name);
        mkba_free(sv->bound[i].where);
        sv->bound[i].where = w;
    }
    return 0;
}

/* caseload_norm and caseload_slope come together; without them caseload
 * does not touch quality (and no parameter is added). */
static int read_caseload_norm(mkba_loader *ld, const config_setting_t *g, mkba_team *t)
{
    const config_setting_t *norm = config_setting_get_member(g, "caseload_norm");
    const config_setting_t *slope = config_setting_get_member(g, "caseload_slope");
    t->caseload_norm = t->caseload_slope = -1;
    if (norm == NULL && slope == NULL)
        return 0;
    if (norm == NULL || slope == NULL)
        return mkba_sc_fail(ld, g, norm == NULL ? "caseload_norm" : "caseload_slope",
                            "required setting is missing; caseload_norm and caseload_slope "
                            "come together (quality falls above the norm by the slope)");
    int rc = range_setting(ld, norm, 0, 1e9, 1, "households per FTE, a number > 0",
                           &t->caseload_norm);
    return rc != 0 ? rc
                   : range_setting(ld, slope, 0, 1e3, 0, "a number >= 0 (effect lost per unit "
                                   "of caseload above the norm, relative to it)",
                                   &t->caseload_slope);
}

static int read_team(mkba_loader *ld, const config_setting_t *g, size_t i)
{
    mkba_model *m = ld->m;
    mkba_team *t = &m->services.team[i];
    const char *name = NULL, *category = "team";
    int queue = MKBA_QUEUE_FIFO, rc;
    if ((rc = mkba_sc_expect_group(ld, g, "a team {name = ...; domains = [...]; fte = ...; "
                                   "caseload = ...; ...}")) != 0
        || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_TEAM)) != 0
        || (rc = mkba_sc_string(ld, g, "name", 1, &name, NULL)) != 0)
        return rc;
    for (size_t j = 0; j < i; j++)
        if (strcmp(m->services.team[j].name, name) == 0)
            return mkba_sc_fail(ld, config_setting_get_member(g, "name"), NULL,
                                "team '%s' is defined twice; expected unique names", name);
    if ((t->name = mkba_strdup(name)) == NULL)
        return mkba_sc_nomem(ld);
    m->services.nteams = i + 1;
    if ((rc = record_where(ld, g, &t->path, &t->file, &t->line)) != 0
        || (rc = domain_mask(ld, g, "domains", &t->domains)) != 0
        || (rc = mkba_sc_choice(ld, g, "queue", mkba_queue_names, 2, &queue, NULL)) != 0
        || (rc = mkba_sc_string(ld, g, "category", 0, &category, NULL)) != 0
        || (rc = team_payers(ld, g, t)) != 0
        || (rc = category_of(ld, category, &t->category)) != 0)
        return rc;
    t->queue = (mkba_queue_rule)queue;
    size_t first_bound = m->services.nbounds;
    if ((rc = mkba_sc_range_value(ld, g, "fte", 1, 0, 0, 1e9, 0, "FTE >= 0", &t->fte)) != 0
        || (rc = mkba_sc_range_value(ld, g, "caseload", 1, 0, 0, 1e9, 1,
                                     "households per FTE, a number > 0", &t->caseload)) != 0
        || (rc = mkba_sc_range_value(ld, g, "cost_per_fte", 1, 0, 0, 1e9, 0, "a cost per FTE per "
                                     "year >= 0", &t->cost_per_fte)) != 0
        || (rc = mkba_sc_range_value(ld, g, "intake_cost", 0, 0, 0, 1e9, 0, NONNEG,
                                     &t->intake_cost)) != 0
        || (rc = level_values(ld, g, "improve_hr", 0, 1e3, "a hazard ratio >= 0",
                              t->improve_by_level, &t->nimprove)) != 0
        || (rc = level_values(ld, g, "worsen_hr", 0, 1e3, "a hazard ratio >= 0",
                              t->worsen_by_level, &t->nworsen)) != 0
        || (rc = domain_values(ld, g, "improve_hr_by_domain", t->domains, 0, 1e3,
                               "a hazard ratio >= 0",
                               &t->improve_domains, t->improve_by_domain,
                               t->nimprove_domain)) != 0
        || (rc = domain_values(ld, g, "worsen_hr_by_domain", t->domains, 0, 1e3,
                               "a hazard ratio >= 0",
                               &t->worsen_domains, t->worsen_by_domain, t->nworsen_domain)) != 0
        || (rc = mkba_sc_range_value(ld, g, "episode_years", 1, 1, 0, 1e3, 1, "years > 0",
                                     &t->episode_years)) != 0
        || (rc = mkba_sc_range_value(ld, g, "turnover", 0, 0, 0, 1, 0, SHARE " per year",
                                     &t->turnover)) != 0
        || (rc = mkba_sc_range_value(ld, g, "turnover_loss", 0, 0, 0, 1, 0, SHARE,
                                     &t->turnover_loss)) != 0
        || (rc = mkba_sc_range_value(ld, g, "handover_cost", 0, 0, 0, 1e9, 0, NONNEG,
                                     &t->handover_cost)) != 0)
        return rc;
    t->improve_hr = t->improve_by_level[0];
    t->worsen_hr = t->worsen_by_level[0];
    if ((rc = read_caseload_norm(ld, g, t)) != 0)
        return rc;
    return name_bounds(ld, first_bound, "team", t->name);
}

int mkba_sc_team_index(mkba_loader *ld, const config_setting_t *s, const char *context, int *t)
{
    const mkba_services *sv = &ld->m->services;
    const char *names[MKBA_MAX_TEAMS];
    for (size_t i = 0; i < sv->nteams; i++)
        names[i] = sv->team[i].name;
    const char *name = config_setting_get_string(s);
    if (name == NULL)
        return mkba_sc_fail(ld, s, NULL, "expected a team name in double quotes");
    return mkba_sc_lookup(ld, s, name, names, sv->nteams, "team", context, t);
}

/* A list of team names into out[], returning how many in *n. */
static int team_list(mkba_loader *ld, const config_setting_t *list, int *out, int *n)
{
    int rc = mkba_sc_expect_list(ld, list, "a list of team names");
    if (rc != 0)
        return rc;
    *n = config_setting_length(list);
    if (*n > MKBA_MAX_TEAMS)
        return mkba_sc_fail(ld, list, NULL, "%d teams; expected at most %d", *n, MKBA_MAX_TEAMS);
    for (int i = 0; i < *n; i++)
        if ((rc = mkba_sc_team_index(ld, config_setting_get_elem(list, (unsigned)i),
                                     " in services.teams", &out[i])) != 0)
            return rc;
    return 0;
}

/* The settings the rule of p takes: the shared ones as the rule says, its
 * own as it lists them; a setting another rule owns is refused. */
static int check_needs(mkba_loader *ld, const config_setting_t *g, const mkba_pathway *p)
{
    static const char *const shared[] = {"team", "teams", "providers"};
    const mkba_pathway_rule *rule = mkba_pathway_rule_of(p->rule);
    const int need[3] = {rule->team, rule->teams, rule->providers};
    const char *name = mkba_route_names[p->rule];
    for (int i = 0; i < 3; i++) {
        const config_setting_t *s = config_setting_get_member(g, shared[i]);
        /* Degree none routes households the classic way: it needs providers. */
        int none = i == 2 && p->degree == MKBA_DEGREE_NONE;
        if ((need[i] == 1 || none) && s == NULL)
            return mkba_sc_fail(ld, g, shared[i], "required setting is missing; rule '%s'%s "
                                "needs it", name, none ? " with degree none" : "");
        if (need[i] == -1 && s != NULL)
            return mkba_sc_fail(ld, s, NULL, "rule '%s' does not use this setting; remove it "
                                "or choose a rule that does", name);
    }
    for (int r = 0; r < MKBA_NROUTES; r++) {
        const mkba_pathway_rule *other = mkba_pathway_rule_of((mkba_route_rule)r);
        for (int i = 0; i < other->nown; i++) {
            const mkba_pathway_setting *o = &other->own[i];
            const config_setting_t *s = config_setting_get_member(g, o->name);
            if (other != rule && s != NULL)
                return mkba_sc_fail(ld, s, NULL, "rule '%s' does not use this setting; remove "
                                    "it or choose a rule that does", name);
            if (other == rule && o->required && s == NULL && o->missing != NULL)
                return mkba_sc_fail(ld, g, o->name, "required setting is missing; %s",
                                    o->missing);
            if (other == rule && o->required && s == NULL)
                return mkba_sc_fail(ld, g, o->name, "required setting is missing; rule '%s' "
                                    "needs it", name);
        }
    }
    return 0;
}

/* Optional group member: NULL when absent, an error when not a group. */
static int subgroup(mkba_loader *ld, const config_setting_t *g, const char *name,
                    mkba_keyset keys, const char *what, const config_setting_t **out)
{
    *out = config_setting_get_member(g, name);
    if (*out == NULL)
        return 0;
    int rc = mkba_sc_expect_group(ld, *out, what);
    return rc != 0 ? rc : mkba_sc_check_keys(ld, *out, keys);
}

/* Shared ICT is a costed choice: with it the arm states its investment and
 * running cost (0 is a statement too); without it neither is taken.
 * ict_set: the arm wrote shared_ict (else its integration degree chose). */
static int read_ict(mkba_loader *ld, const config_setting_t *ov, int ict_set, mkba_pathway *p)
{
    static const char *const names[] = {"ict_investment", "ict_running"};
    p->ict_investment = p->ict_running = -1;
    for (int i = 0; i < 2; i++) {
        const config_setting_t *s = ov ? config_setting_get_member(ov, names[i]) : NULL;
        if (!p->shared_ict && s != NULL)
            return mkba_sc_fail(ld, s, NULL, "the arm has no shared ICT (shared_ict = false%s), "
                                "so it has no ICT costs; remove this setting or set "
                                "shared_ict = true", p->integration ? ", or not set at a degree "
                                "that shares no data" : "");
    }
    if (!p->shared_ict)
        return 0;
    char expect[320];
    snprintf(expect, sizeof expect, "the investment in shared ICT, a number >= 0 (shared ICT is "
             "a costed choice; write 0 if it costs nothing)%s",
             p->integration && !ict_set ? " (shared ICT is on by default at this degree with "
                                          "the integration group; write overheads.shared_ict = "
                                          "false to go without it)" : "");
    int rc = mkba_sc_range_value(ld, ov, "ict_investment", 1, 0, 0, 1e15, 0, expect,
                                 &p->ict_investment);
    return rc != 0 ? rc
                   : mkba_sc_range_value(ld, ov, "ict_running", 1, 0, 0, 1e15, 0,
                                         "the running cost of shared ICT per year, a number "
                                         ">= 0", &p->ict_running);
}

/* self_reliance.informal_care (per problem solved by own strength or
 * network: the time of the household's helpers at a shadow price) needs
 * the payer who bears it. */
/* A setting written as the number 0 (not a parameter that may be 0). */
static int literal_zero(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: return config_setting_get_int(s) == 0;
    case CONFIG_TYPE_INT64: return config_setting_get_int64(s) == 0;
    case CONFIG_TYPE_FLOAT: return config_setting_get_float(s) == 0.0;
    default: return 0;
    }
}

static int read_informal_care(mkba_loader *ld, const config_setting_t *sr, mkba_pathway *p)
{
    mkba_model *m = ld->m;
    const config_setting_t *cost = sr ? config_setting_get_member(sr, "informal_care") : NULL;
    const config_setting_t *payer = sr ? config_setting_get_member(sr, "payer") : NULL;
    p->informal_care = p->informal_payer = -1;
    if (cost == NULL && payer == NULL)
        return 0;
    if (cost == NULL)
        return mkba_sc_fail(ld, payer, NULL, "a payer without self_reliance.informal_care; "
                            "remove it or give the informal-care cost per problem solved");
    int rc;
    if (payer == NULL)
        return mkba_sc_fail(ld, sr, "payer", "required setting is missing; informal care "
                            "needs the payer who bears it (the household: its helpers' time)");
    if ((rc = mkba_sc_lookup_member(ld, sr, "payer", (const char *const *)m->payer, m->npayers,
                                    "payer", NULL, &p->informal_payer)) != 0
        || (rc = range_setting(ld, cost, 0, 1e9, 0, "the informal-care cost per problem solved "
                               "by own strength or network, a number >= 0",
                               &p->informal_care)) != 0)
        return rc;
    return category_of(ld, "informal care", &p->informal_category);
}

/* take_up = { domain; min_severity; non_take_up; team_claims; amount;
 * payer; recipient; }: see services.h and docs/model.md, "Take-up". */
static int read_take_up(mkba_loader *ld, const config_setting_t *g, mkba_pathway *p)
{
    mkba_model *m = ld->m;
    const config_setting_t *s = config_setting_get_member(g, "take_up");
    p->take_up_domain = -1;
    if (s == NULL)
        return 0;
    const char *names[MKBA_MAX_DOMAINS];
    for (size_t d = 0; d < m->ndomains; d++)
        names[d] = m->domain[d].name;
    int rc;
    if ((rc = mkba_sc_expect_group(ld, s, "a group {domain = ...; min_severity = ...; "
                                   "non_take_up = ...; team_claims = ...; amount = ...; "
                                   "payer = ...; recipient = ...;}")) != 0
        || (rc = mkba_sc_check_keys(ld, s, MKBA_KEYS_TAKE_UP)) != 0
        || (rc = mkba_sc_lookup_member(ld, s, "domain", names, m->ndomains, "domain", NULL,
                                       &p->take_up_domain)) != 0
        || (rc = mkba_sc_number(ld, s, "min_severity", 1, &p->take_up_min, NULL)) != 0
        || (rc = mkba_sc_lookup_member(ld, s, "payer", (const char *const *)m->payer,
                                       m->npayers, "payer", NULL, &p->take_up_payer)) != 0
        || (rc = mkba_sc_lookup_member(ld, s, "recipient", (const char *const *)m->payer,
                                       m->npayers, "payer", NULL, &p->take_up_recipient)) != 0)
        return rc;
    if (!(p->take_up_min > 0.0 && p->take_up_min <= 1000.0))
        return mkba_sc_fail(ld, config_setting_get_member(s, "min_severity"), NULL,
                            "%g is out of range; expected a severity > 0 (a problem), at most "
                            "1000", p->take_up_min);
    if (p->take_up_payer == p->take_up_recipient)
        return mkba_sc_fail(ld, config_setting_get_member(s, "recipient"), NULL,
                            "'%s' is also the payer; expected the payer receiving the "
                            "benefit (the household)", m->payer[p->take_up_recipient]);
    if ((rc = mkba_sc_range_value(ld, s, "non_take_up", 1, 0, 0, 1, 0,
                                  "the share of entitled households not claiming, 0 to 1",
                                  &p->take_up_non)) != 0
        || (rc = mkba_sc_range_value(ld, s, "team_claims", 1, 0, 0, 1, 0,
                                     "the share of non-claimers a team gets to claim, 0 to 1",
                                     &p->take_up_claims)) != 0
        || (rc = mkba_sc_range_value(ld, s, "amount", 1, 0, 0, 1e9, 0,
                                     "the benefit per claiming household per year, >= 0",
                                     &p->take_up_amount)) != 0
        || (rc = mkba_sc_budget_index(ld, s, &p->take_up_wage_indexed)) != 0)
        return rc;
    return category_of(ld, "entitlements", &p->take_up_category);
}

static int read_mechanisms(mkba_loader *ld, const config_setting_t *g, mkba_pathway *p)
{
    const config_setting_t *aw, *sr, *mat, *ov;
    int rc;
    if ((rc = subgroup(ld, g, "awareness", MKBA_KEYS_AWARENESS,
                       "a group {start = ...; years = ...;}", &aw)) != 0
        || (rc = subgroup(ld, g, "self_reliance", MKBA_KEYS_SELF_RELIANCE,
                          "a group {share = ...; cap = ...;}", &sr)) != 0
        || (rc = subgroup(ld, g, "maturity", MKBA_KEYS_MATURITY,
                          "a group {start = ...; years = ...; ...}", &mat)) != 0
        || (rc = subgroup(ld, g, "overheads", MKBA_KEYS_OVERHEADS,
                          "a group {investment = ...; recurring = ...; ...}", &ov)) != 0)
        return rc;
    /* Absent groups take their defaults from the pathway itself. */
    const config_setting_t *a = aw ? aw : g, *s = sr ? sr : g, *mt = mat ? mat : g;
    const config_setting_t *o = ov ? ov : g;
    if ((rc = mkba_sc_range_value(ld, g, "stigma", 0, 0, 0, 1, 0, SHARE, &p->stigma)) != 0
        || (rc = mkba_sc_range_value(ld, g, "outreach", 0, 0, 0, 1e3, 0, NONNEG, &p->outreach)) != 0
        || (rc = mkba_sc_range_value(ld, g, "detect", 0, 0, 0, 1, 0, "a probability from 0 to 1",
                                     &p->detect)) != 0
        || (rc = mkba_sc_range_value(ld, g, "coordination", 0, 0, 0, 1, 0, SHARE,
                                     &p->coordination)) != 0
        || (rc = mkba_sc_range_value(ld, g, "wait_escalation", 0, 0, 0, 1e3, 0, NONNEG,
                                     &p->wait_escalation)) != 0
        || (rc = mkba_sc_range_value(ld, g, "wait_effect", 0, 0, 0, 1e3, 0, "a rate per year >= 0",
                                     &p->wait_effect)) != 0
        || (rc = mkba_sc_range_value(ld, a, aw ? "start" : "awareness.start", 0, 1, 0, 1, 0, SHARE,
                                     &p->awareness_start)) != 0
        || (rc = mkba_sc_range_value(ld, a, aw ? "years" : "awareness.years", 0, 1, 0, 1e3, 1,
                                     "years > 0", &p->awareness_years)) != 0
        || (rc = mkba_sc_range_value(ld, s, sr ? "share" : "self_reliance.share", 0, 0, 0, 1, 0,
                                     SHARE, &p->self_share)) != 0
        || (rc = mkba_sc_range_value(ld, s, sr ? "cap" : "self_reliance.cap", 0, 1, 0, 1, 0, SHARE,
                                     &p->self_cap)) != 0
        || (rc = mkba_sc_range_value(ld, mt, mat ? "start" : "maturity.start", 0, 1, 0, 1, 0, SHARE,
                                     &p->maturity_start)) != 0
        || (rc = mkba_sc_range_value(ld, mt, mat ? "years" : "maturity.years", 0, 1, 0, 1e3, 1,
                                     "years > 0", &p->maturity_years)) != 0
        || (rc = mkba_sc_range_value(ld, mt, mat ? "efficiency_start" : "maturity.efficiency_start",
                                     0, 1, 0, 1, 0, SHARE, &p->efficiency_start)) != 0
        || (rc = mkba_sc_range_value(ld, mt, mat ? "efficiency_years" : "maturity.efficiency_years",
                                     0, 1, 0, 1e3, 1, "years > 0", &p->efficiency_years)) != 0
        || (rc = mkba_sc_range_value(ld, mt, mat ? "friction" : "maturity.friction", 0, 0, 0, 1, 0,
                                     SHARE, &p->friction)) != 0
        || (rc = mkba_sc_range_value(ld, mt, mat ? "friction_years" : "maturity.friction_years",
                                     0, 0, 0, 1e3, 0, "years >= 0", &p->friction_years)) != 0
        || (rc = mkba_sc_range_value(ld, o, ov ? "investment" : "overheads.investment", 0, 0, 0,
                                     1e15, 0, NONNEG, &p->investment)) != 0
        || (rc = mkba_sc_range_value(ld, o, ov ? "recurring" : "overheads.recurring", 0, 0, 0, 1e15,
                                     0, NONNEG, &p->recurring)) != 0
        || (rc = mkba_sc_range_value(ld, o, ov ? "co_location" : "overheads.co_location", 0, 0, 0,
                                     1e15, 0, NONNEG, &p->co_location)) != 0
        || (rc = mkba_sc_range_value(ld, o, ov ? "duplicate_registration"
                                               : "overheads.duplicate_registration",
                                     0, 0, 0, 1e9, 0, NONNEG, &p->duplicate_registration)) != 0)
        return rc;
    p->shared_ict = 0;
    int ict_set = 0;
    if (ov != NULL && (rc = mkba_sc_bool(ld, ov, "shared_ict", &p->shared_ict, &ict_set)) != 0)
        return rc;
    if ((rc = mkba_sc_integration(ld, g, ov, ict_set, p)) != 0
        || (rc = read_ict(ld, ov, ict_set, p)) != 0 || (rc = mkba_sc_startup(ld, mat, ov, p)) != 0)
        return rc;
    /* self_reliance.relapse: optional, and no default parameter without it,
     * so a scenario without relapse keeps its parameter list. */
    const config_setting_t *rl = sr ? config_setting_get_member(sr, "relapse") : NULL;
    p->relapse = -1;
    if (rl != NULL && (rc = range_setting(ld, rl, 0, 1e3, 0, "a rate per year >= 0 at which "
                                          "problems solved by own strength come back",
                                          &p->relapse)) != 0)
        return rc;
    /* Relapse needs problems solved by own strength: a share, or the
     * makelpunt's quick scan. */
    const config_setting_t *sh = sr ? config_setting_get_member(sr, "share") : NULL;
    if (rl != NULL && !mkba_pathway_rule_of(p->rule)->quick_scan
        && (sh == NULL || literal_zero(sh)))
        return mkba_sc_fail(ld, rl, NULL, "relapse can never act: no problem is solved by own "
                            "strength on this route (self_reliance.share is %s and rule '%s' has "
                            "no quick scan); expected a self_reliance.share with relapse",
                            sh == NULL ? "absent" : "0", mkba_route_names[p->rule]);
    return read_informal_care(ld, sr, p);
}

/* The rule's teams and providers, its own settings (the rule reads them),
 * and the home visit cost, which every pathway has (0 unless the rule
 * takes it) so that its parameters are the same for every rule. */
static int read_route_settings(mkba_loader *ld, const config_setting_t *g, mkba_pathway *p)
{
    const mkba_services *sv = &ld->m->services;
    const mkba_pathway_rule *rule = mkba_pathway_rule_of(p->rule);
    const config_setting_t *s;
    int rc;
    if ((s = config_setting_get_member(g, "team")) != NULL
        && (rc = mkba_sc_team_index(ld, s, " in services.teams", &p->team)) != 0)
        return rc;
    if ((s = config_setting_get_member(g, "teams")) != NULL
        && (rc = team_list(ld, s, p->specific, &p->nspecific)) != 0)
        return rc;
    if ((s = config_setting_get_member(g, "providers")) != NULL) {
        int list[MKBA_MAX_TEAMS], n;
        if ((rc = team_list(ld, s, list, &n)) != 0)
            return rc;
        for (int i = n - 1; i >= 0; i--) {
            /* A listed provider runs (and is paid) even where an earlier
             * one takes all its domains. */
            p->teams_used |= 1u << list[i];
            for (size_t d = 0; d < ld->m->ndomains; d++)
                if (sv->team[list[i]].domains >> d & 1u)
                    p->provider[d] = list[i];
        }
    }
    if (rule->read != NULL && (rc = rule->read(ld, g, p)) != 0)
        return rc;
    return mkba_sc_range_value(ld, g, "home_visit_cost", 0, 0, 0, 1e9, 0, NONNEG,
                                       &p->home_visit_cost);
}

/* The teams the arm runs, which its costs and capacity cover. */
static uint32_t teams_used(const mkba_model *m, const mkba_pathway *p)
{
    uint32_t used = 0;
    if (p->team >= 0)
        used |= 1u << p->team;
    for (int i = 0; i < p->nspecific; i++)
        used |= 1u << p->specific[i];
    for (size_t d = 0; d < m->ndomains; d++)
        if (p->provider[d] >= 0)
            used |= 1u << p->provider[d];
    return used;
}

/* Every question must have a route: the rule checks what it needs. Degree
 * none routes the classic way, where the providers are already required. */
static int check_routes(mkba_loader *ld, const config_setting_t *g, const mkba_pathway *p)
{
    const mkba_pathway_rule *rule = mkba_pathway_rule_of(p->rule);
    if (p->degree == MKBA_DEGREE_NONE || rule->check == NULL)
        return 0;
    return rule->check(ld, g, p);
}

/* classic_access = "ARM": the households the rule's team would not take
 * ask for help as ARM's route lets them (its stigma, outreach and
 * awareness): access belongs to the route, not to the arm. */
static int read_classic_access(mkba_loader *ld, const config_setting_t *g, mkba_pathway *p)
{
    const mkba_model *m = ld->m;
    const config_setting_t *s = config_setting_get_member(g, "classic_access");
    p->classic_access = -1;
    if (s == NULL)
        return 0;
    if ((mkba_pathway_rule_of(p->rule)->team_takes == NULL && p->integrated_share < 0)
        || p->degree == MKBA_DEGREE_NONE)
        return mkba_sc_fail(ld, s, NULL, "rule '%s'%s sends no household past its team by "
                            "criteria; classic_access is for rules whose team takes some "
                            "households only (multi_problem) and mixed arms "
                            "(integrated_share)", mkba_route_names[p->rule],
                            p->degree == MKBA_DEGREE_NONE ? " with degree none" : "");
    const char *names[MKBA_MAX_ARMS], *name = NULL;
    for (size_t a = 0; a < m->narms; a++)
        names[a] = m->arm[a].name;
    config_setting_lookup_string(g, "classic_access", &name);
    int rc = mkba_sc_blend_named(ld, s, name, MKBA_BLEND_IN_ACCESS);
    return rc != 0 ? rc
                   : mkba_sc_lookup_member(ld, g, "classic_access", names, m->narms, "arm",
                                           NULL, &p->classic_access);
}

/* Whether arm p's households follow the classic route. */
static int classic_route(const mkba_pathway *p)
{
    return !mkba_pathway_rule_of(p->rule)->integrated || p->degree == MKBA_DEGREE_NONE;
}

/* Take-up is raised by the arm's own teams: refused where no such team
 * treats its domain, or where nobody can be entitled. */
static int check_take_up(mkba_loader *ld, const config_setting_t *g, const mkba_pathway *p)
{
    const mkba_model *m = ld->m;
    const config_setting_t *s = config_setting_get_member(g, "take_up");
    int d = p->take_up_domain;
    if (d < 0)
        return 0;
    if (classic_route(p))
        return mkba_sc_fail(ld, s, NULL, "the classic route (rule '%s'%s) has no team of its "
                            "own to raise take-up; expected take_up only on an integrated "
                            "pathway", mkba_route_names[p->rule],
                            mkba_pathway_rule_of(p->rule)->integrated ? ", degree none" : "");
    uint32_t own = p->team >= 0 ? 1u << p->team : 0u;
    for (int i = 0; i < p->nspecific; i++)
        own |= 1u << p->specific[i];
    int treated = 0;
    for (uint32_t c = own; c != 0; c &= c - 1)
        treated |= mkba_pathway_treats(m->services.team, __builtin_ctz(c), d);
    if (!treated)
        return mkba_sc_fail(ld, config_setting_get_member(s, "domain"), NULL,
                            "no team of the arm's own treats domain '%s', so no team can "
                            "raise its take-up; expected a domain of the pathway's team(s)",
                            m->domain[d].name);
    double top = 0.0;
    for (int j = 0; j < m->domain[d].nstates; j++)
        if (m->domain[d].state[j].severity > top)
            top = m->domain[d].state[j].severity;
    if (p->take_up_min > top)
        return mkba_sc_fail(ld, config_setting_get_member(s, "min_severity"), NULL,
                            "%g is above every state of domain '%s' (at most %g), so nobody "
                            "would be entitled; expected a severity from 0 to %g",
                            p->take_up_min, m->domain[d].name, top, top);
    return 0;
}

/* classic_access names another arm whose route is classic: naming itself
 * changes nothing, and another integrated arm's access is not classic. */
static int check_classic_access(mkba_loader *ld, const config_setting_t *g, size_t arm)
{
    const mkba_model *m = ld->m;
    int c = m->services.pathway[arm].classic_access;
    if (c < 0)
        return 0;
    const config_setting_t *s = config_setting_get_member(g, "classic_access");
    if ((size_t)c == arm || !classic_route(&m->services.pathway[c]))
        return mkba_sc_fail(ld, s, NULL, "arm '%s' %s; expected another arm whose route is "
                            "classic (rule classic or degree none)", m->arm[c].name,
                            (size_t)c == arm ? "is this arm itself"
                                             : "has an integrated route, not classic access");
    return 0;
}

static int read_pathway(mkba_loader *ld, const config_setting_t *g, size_t arm)
{
    mkba_model *m = ld->m;
    mkba_pathway *p = &m->services.pathway[arm];
    int rule = 0, degree = MKBA_DEGREE_NONE, has_degree = 0, rc;
    p->team = -1;
    p->payer = -1;
    for (int d = 0; d < MKBA_MAX_DOMAINS; d++)
        p->provider[d] = -1;
    if ((rc = mkba_sc_expect_group(ld, g, "a pathway {rule = ...; ...}")) != 0
        || (rc = mkba_sc_mix_routes(ld, g)) != 0
        || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_PATHWAY)) != 0
        || (rc = record_where(ld, g, &p->path, &p->file, &p->line)) != 0)
        return rc;
    if (config_setting_get_member(g, "rule") == NULL) {
        char names[256];
        size_t used = 0;
        for (int r = 0; r < MKBA_NROUTES && used < sizeof names; r++)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", r ? ", " : "",
                                     mkba_route_names[r]);
        return mkba_sc_fail(ld, g, "rule", "required setting is missing; expected one of %s",
                            names);
    }
    if ((rc = mkba_sc_choice(ld, g, "rule", mkba_route_names, MKBA_NROUTES, &rule, NULL)) != 0
        || (rc = mkba_sc_choice(ld, g, "degree", mkba_degree_names, MKBA_NDEGREES, &degree,
                                &has_degree)) != 0)
        return rc;
    p->rule = (mkba_route_rule)rule;
    const mkba_pathway_rule *r = mkba_pathway_rule_of(p->rule);
    if (r->integrated && !has_degree)
        return mkba_sc_fail(ld, g, "degree", "required setting is missing; rule '%s' needs "
                            "the degree of integration: none, limited, partial or full",
                            mkba_route_names[rule]);
    if (!r->integrated && has_degree && degree != MKBA_DEGREE_NONE)
        return mkba_sc_fail(ld, config_setting_get_member(g, "degree"), NULL,
                            "the %s route has no joint plan; expected degree \"none\" or "
                            "no degree", mkba_route_names[rule]);
    p->degree = (mkba_degree)degree;
    if ((rc = check_needs(ld, g, p)) != 0 || (rc = read_route_settings(ld, g, p)) != 0
        || (rc = read_mechanisms(ld, g, p)) != 0 || (rc = read_take_up(ld, g, p)) != 0)
        return rc;
    if (config_setting_get_member(g, "payer") != NULL
        && (rc = mkba_sc_lookup_member(ld, g, "payer", (const char *const *)m->payer,
                                       m->npayers, "payer", NULL, &p->payer)) != 0)
        return rc;
    if (p->payer < 0 && (r->own_costs || config_setting_get_member(g, "overheads")))
        return mkba_sc_fail(ld, g, "payer", "required setting is missing; the pathway has "
                            "costs of its own (quick scan, home visits or overheads) and needs "
                            "the payer who bears them");
    p->teams_used |= teams_used(m, p);
    p->own_teams = p->team >= 0 ? 1u << p->team : 0u;
    for (int i = 0; i < p->nspecific; i++)
        p->own_teams |= 1u << p->specific[i];
    if ((rc = mkba_sc_mix(ld, g, p)) != 0 || (rc = read_classic_access(ld, g, p)) != 0
        || (rc = check_take_up(ld, g, p)) != 0 || (rc = mkba_sc_substitution(ld, g, arm)) != 0)
        return rc;
    return check_routes(ld, g, p);
}

static int read_seek_rates(mkba_loader *ld, const config_setting_t *g)
{
    mkba_services *sv = &ld->m->services;
    const config_setting_t *list = config_setting_get_member(g, "seek_rate");
    if (list == NULL)
        return mkba_sc_fail(ld, g, "seek_rate", "required setting is missing; expected help-"
                            "seeking rates per year by highest severity, e.g. [0.3, 0.6, 1.2]");
    int rc = mkba_sc_expect_list(ld, list, "a list of help-seeking rates per year, one per "
                                 "severity level");
    if (rc != 0)
        return rc;
    int n = config_setting_length(list);
    if (n > 8)
        return mkba_sc_fail(ld, list, NULL, "%d rates; expected at most 8", n);
    sv->nseek = n;
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        int fixed;
        double v;
        if ((rc = mkba_sc_value(ld, e, NULL, &sv->seek_rate[i], &fixed, &v)) != 0)
            return rc;
        if (fixed && !(v >= 0 && v <= 1e3))
            return mkba_sc_fail(ld, e, NULL, "%g is out of range; expected a rate per year "
                                "from 0 to 1000", v);
    }
    return 0;
}

/* services.dismantling: when the reference is the model in place today,
 * the one-off cost of dismantling its teams (redundancy, transfer and
 * retraining of staff, ending contracts), for the whole population like
 * the overheads; every arm that switches pays it in its first year. A
 * reference on the classic route has no integrated teams to dismantle
 * (its providers stay in every arm), so the setting is refused there. */
static int read_dismantling(mkba_loader *ld, const config_setting_t *g)
{
    mkba_model *m = ld->m;
    const config_setting_t *s = config_setting_get_member(g, "dismantling");
    m->services.dismantling = -1;
    if (s == NULL)
        return 0;
    const mkba_pathway *ref = &m->services.pathway[m->reference];
    if (!mkba_pathway_rule_of(ref->rule)->integrated || ref->degree == MKBA_DEGREE_NONE)
        return mkba_sc_fail(ld, s, NULL, "the reference arm '%s' runs the classic route, with "
                            "no integrated team to dismantle (its providers stay in every "
                            "arm); remove the setting, or make the reference the integrated "
                            "model in place today", m->arm[m->reference].name);
    int rc = mkba_sc_range_value(ld, g, "dismantling", 1, 0, 0, 1e15, 0,
                                 "the one-off cost of dismantling the reference's teams, a "
                                 "number >= 0", &m->services.dismantling);
    /* Checked per draw only for the arms that pay it (mkba_services_check). */
    if (rc == 0)
        m->services.bound[m->services.nbounds - 1].switching = 1;
    return rc;
}

int mkba_sc_services(mkba_loader *ld, const config_setting_t *g)
{
    mkba_model *m = ld->m;
    mkba_services *sv = &m->services;
    memcpy(sv->degree_weight, default_degree_weight, sizeof sv->degree_weight);
    if (g == NULL)
        return 0;
    int rc;
    if ((rc = mkba_sc_expect_group(ld, g, "a group {population = ...; teams = (...); "
                                   "pathways = {...};}")) != 0
        || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_SERVICES)) != 0
        || (rc = mkba_sc_range_value(ld, g, "population", 1, 0, 0, 1e9, 1,
                                     "the number of households the teams serve, > 0",
                                     &sv->population)) != 0
        || (rc = read_seek_rates(ld, g)) != 0)
        return rc;
    char f[MKBA_PATH_MAX];
    if ((sv->file = mkba_strdup(mkba_sc_file(ld, g, f, sizeof f))) == NULL)
        return mkba_sc_nomem(ld);
    sv->line = (int)config_setting_source_line(g);
    const config_setting_t *w = config_setting_get_member(g, "degree_weights");
    if (w != NULL) {
        if ((rc = mkba_sc_expect_group(ld, w, "a group {limited = ...; partial = ...; full = "
                                       "...;}")) != 0
            || (rc = mkba_sc_check_keys(ld, w, MKBA_KEYS_DEGREE_WEIGHTS)) != 0)
            return rc;
        for (int d = MKBA_DEGREE_LIMITED; d < MKBA_NDEGREES; d++) {
            if ((rc = mkba_sc_number(ld, w, mkba_degree_names[d], 0, &sv->degree_weight[d],
                                     NULL)) != 0)
                return rc;
            if (!(sv->degree_weight[d] >= 0 && sv->degree_weight[d] <= 1))
                return mkba_sc_fail(ld, config_setting_get_member(w, mkba_degree_names[d]),
                                    NULL, "%g is out of range; expected a weight from 0 to 1",
                                    sv->degree_weight[d]);
        }
    }
    const config_setting_t *teams = config_setting_get_member(g, "teams");
    if (teams == NULL)
        return mkba_sc_fail(ld, g, "teams", "required setting is missing; expected a list of "
                            "teams ( {name = ...; domains = [...]; fte = ...; ...} )");
    if ((rc = mkba_sc_expect_list(ld, teams, "a list of teams")) != 0)
        return rc;
    if (config_setting_length(teams) > MKBA_MAX_TEAMS)
        return mkba_sc_fail(ld, teams, NULL, "%d teams; expected at most %d",
                            config_setting_length(teams), MKBA_MAX_TEAMS);
    for (int i = 0; i < config_setting_length(teams); i++)
        if ((rc = read_team(ld, config_setting_get_elem(teams, (unsigned)i), (size_t)i)) != 0)
            return rc;
    const config_setting_t *pw = config_setting_get_member(g, "pathways");
    if (pw == NULL)
        return mkba_sc_fail(ld, g, "pathways", "required setting is missing; expected a group "
                            "with a pathway for each arm");
    if ((rc = mkba_sc_expect_group(ld, pw, "a group {ARM = {rule = ...;}; ...}")) != 0)
        return rc;
    const char *arm_names[MKBA_MAX_ARMS];
    for (size_t a = 0; a < m->narms; a++)
        arm_names[a] = m->arm[a].name;
    for (int i = 0; i < config_setting_length(pw); i++) {
        const config_setting_t *e = config_setting_get_elem(pw, (unsigned)i);
        int a;
        if ((rc = mkba_sc_blend_named(ld, e, config_setting_name(e), MKBA_BLEND_IN_PATHWAY)) != 0
            || (rc = mkba_sc_lookup(ld, e, config_setting_name(e), arm_names, m->narms, "arm",
                                    NULL, &a)) != 0)
            return rc;
    }
    for (size_t a = 0; a < m->narms; a++) {
        const config_setting_t *e = config_setting_get_member(pw, m->arm[a].name);
        if (e == NULL)
            return mkba_sc_fail(ld, pw, m->arm[a].name, "required setting is missing; every "
                                "arm needs a pathway when the scenario has services");
        if ((rc = read_pathway(ld, e, a)) != 0)
            return rc;
    }
    for (size_t a = 0; a < m->narms; a++)
        if ((rc = check_classic_access(ld, config_setting_get_member(pw, m->arm[a].name), a))
            != 0)
            return rc;
    if ((rc = read_dismantling(ld, g)) != 0)
        return rc;
    sv->enabled = 1;
    return 0;
}

int mkba_sc_categories(mkba_loader *ld)
{
    mkba_model *m = ld->m;
    int rc;
    if (m->services.enabled) {
        int i;
        /* "programme": the pathways' yearly overheads; "investment": the
         * one-off costs of switching model (docs/decision.md). */
        if ((rc = category_of(ld, "first line", &i)) != 0
            || (rc = category_of(ld, "programme", &i)) != 0
            || (rc = category_of(ld, "investment", &i)) != 0)
            return rc;
    }
    for (size_t i = 0; i < m->ncosts; i++) {
        mkba_cost_rule *r = &m->cost[i];
        if ((rc = category_of(ld, r->category != NULL ? r->category : "other",
                              &r->category_index)) != 0)
            return rc;
    }
    return 0;
}

int mkba_services_check(const mkba_model *m, const double *values, long draw, mkba_error *err)
{
    const mkba_services *sv = &m->services;
    const size_t np = mkba_params_count(m->params);
    for (size_t a = 0; a < m->narms; a++)
        for (size_t i = 0; i < sv->nbounds; i++) {
            const mkba_bound *b = &sv->bound[i];
            if (b->switching && !mkba_services_switches(sv, m->reference, a))
                continue;
            double x = values[a * np + (size_t)b->value];
            if (!in_bound(b, x))
                return mkba_error_set(err, MKBA_ENUMERIC, "%s: draw %ld, arm '%s'%s: the value "
                                      "is %g; expected %s", b->where, draw, m->arm[a].name,
                                      b->switching ? " (it switches model, so it pays this)"
                                                   : "", x, b->expect);
        }
    for (size_t a = 0; a < m->narms; a++)
        for (int i = 0; i < sv->nseek; i++) {
            double x = values[a * np + (size_t)sv->seek_rate[i]];
            if (!(x >= 0 && x <= 1e3)) {
                const mkba_param *p = mkba_params_get(m->params, (size_t)sv->seek_rate[i]);
                return mkba_error_set(err, MKBA_ENUMERIC, "%s:%d: services.seek_rate.[%d]: draw "
                                      "%ld, arm '%s': the rate is %g; expected a rate per year "
                                      "from 0 to 1000", p->file != NULL ? p->file : m->path,
                                      p->line, i, draw, m->arm[a].name, x);
            }
        }
    return MKBA_OK;
}
