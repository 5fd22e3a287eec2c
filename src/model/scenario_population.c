/* The population block of a scenario: what the budget view (docs/budget.md)
 * needs besides the model. The size of the target group (households, or
 * inhabitants times a prevalence), the households entering it each year and
 * their initial states, the calendar year of year 1, the price path from
 * the price year's prices to each year's, and where each payer sits in the
 * municipal budget (gemeentefonds or BUIG, an Iv3 taakveld). Without the
 * block the model has no budget view and runs as before. */
#include <math.h>
#include <string.h>
#include "core/alloc.h"
#include "core/strutil.h"
#include "scenario_impl.h"

/* The default price path: 2% a year, the ECB's medium-term inflation target
 * and about the CPB's long-run assumption for the price of government
 * consumption (docs/budget.md). A scenario gives its own path with
 * price_index (e.g. the CPB's lpo per year) or price_growth. */
#define DEFAULT_PRICE_GROWTH 0.02

/* The default wage path of the teams' staff: the scenario's own price path
 * and 1% a year of real wage growth, an assumption (range 0% to 2.5%; with
 * the default prices about 3% a year) (docs/budget.md). A scenario gives
 * its own with wage_index (e.g. the CPB's loonvoet sector overheid per
 * year) or wage_growth. */
#define DEFAULT_REAL_WAGE_GROWTH 0.01

/* Bounds that catch a slip of the pen before it becomes an inf or a
 * silent overflow (docs/budget.md): the Netherlands has about 8 million
 * households, a target group that renews itself ten times a year is no
 * longer a cohort, and a price level a hundred times the price year's is
 * beyond any horizon the model has. */
#define MAX_HOUSEHOLDS 1e8
#define MAX_INFLOW_PER_HOUSEHOLD 10.0
#define MAX_PRICE_LEVEL 100.0

/* The number of element e of an array, or a failure. */
static int element_number(mkba_loader *ld, const config_setting_t *e, const char *what,
                          double *out)
{
    if (!config_setting_is_number(e))
        return mkba_sc_fail(ld, e, NULL, "expected %s (a number)", what);
    *out = config_setting_type(e) == CONFIG_TYPE_FLOAT ? config_setting_get_float(e)
                                                       : (double)config_setting_get_int64(e);
    return 0;
}

/* households = N, or inhabitants = N with prevalence = share. */
static int read_size(mkba_loader *ld, const config_setting_t *g, mkba_population *p)
{
    double inhabitants = 0, prevalence = 0;
    int has_households = 0, has_inhabitants = 0, has_prevalence = 0, rc;
    if ((rc = mkba_sc_number(ld, g, "households", 0, &p->households, &has_households)) != 0
        || (rc = mkba_sc_number(ld, g, "inhabitants", 0, &inhabitants, &has_inhabitants)) != 0
        || (rc = mkba_sc_number(ld, g, "prevalence", 0, &prevalence, &has_prevalence)) != 0)
        return rc;
    if (has_households && has_inhabitants)
        return mkba_sc_fail(ld, config_setting_get_member(g, "inhabitants"), NULL,
                            "give households or inhabitants with a prevalence, not both");
    if (!has_households && !has_inhabitants)
        return mkba_sc_fail(ld, g, "households", "required setting is missing; expected the "
                            "households in the target group at the start, or inhabitants = N "
                            "with prevalence = the share of them in the target group");
    if (has_households) {
        if (has_prevalence)
            return mkba_sc_fail(ld, config_setting_get_member(g, "prevalence"), NULL,
                                "goes with inhabitants; households already counts the target "
                                "group");
        if (!(p->households >= 1 && p->households <= MAX_HOUSEHOLDS))
            return mkba_sc_fail(ld, config_setting_get_member(g, "households"), NULL,
                                "%g is out of range; expected the households in the target "
                                "group, 1 to %g", p->households, MAX_HOUSEHOLDS);
        return 0;
    }
    if (!(inhabitants >= 1 && inhabitants <= MAX_HOUSEHOLDS * 10))
        return mkba_sc_fail(ld, config_setting_get_member(g, "inhabitants"), NULL,
                            "%g is out of range; expected the municipality's inhabitants, 1 to "
                            "%g", inhabitants, MAX_HOUSEHOLDS * 10);
    if (!has_prevalence)
        return mkba_sc_fail(ld, g, "prevalence", "required with inhabitants; expected the "
                            "target group's households per inhabitant, a share in (0, 1]");
    if (!(prevalence > 0 && prevalence <= 1))
        return mkba_sc_fail(ld, config_setting_get_member(g, "prevalence"), NULL,
                            "%g is out of range; expected a share in (0, 1], e.g. 0.012 for "
                            "12 households per 1,000 inhabitants", prevalence);
    p->households = inhabitants * prevalence;
    if (!(p->households >= 1 && p->households <= MAX_HOUSEHOLDS))
        return mkba_sc_fail(ld, config_setting_get_member(g, "prevalence"), NULL,
                            "%g x %g inhabitants gives %g households; expected 1 to %g",
                            prevalence, inhabitants, p->households, MAX_HOUSEHOLDS);
    return 0;
}

/* entrants = { DOMAIN = [share of each state]; ... }: entrants' initial
 * states where they differ from the starting households'. */
static int read_entrants(mkba_loader *ld, const config_setting_t *g, mkba_population *p)
{
    const mkba_model *m = ld->m;
    int rc;
    if (g == NULL)
        return 0;
    if ((rc = mkba_sc_expect_group(ld, g, "a group { DOMAIN = [share of each state]; }")) != 0)
        return rc;
    size_t S = 0, base[MKBA_MAX_DOMAINS];
    const char *names[MKBA_MAX_DOMAINS];
    for (size_t d = 0; d < m->ndomains; d++) {
        base[d] = S;
        S += (size_t)m->domain[d].nstates;
        names[d] = m->domain[d].name;
    }
    if ((p->entrant_share = mkba_malloc(S * sizeof *p->entrant_share)) == NULL)
        return mkba_sc_nomem(ld);
    for (size_t i = 0; i < S; i++)
        p->entrant_share[i] = NAN;
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        int d;
        if ((rc = mkba_sc_lookup(ld, s, config_setting_name(s), names, m->ndomains, "domain",
                                 NULL, &d)) != 0)
            return rc;
        const mkba_domain *dom = &m->domain[d];
        if ((rc = mkba_sc_expect_list(ld, s, "an array with the share of each state")) != 0)
            return rc;
        if (config_setting_length(s) != dom->nstates)
            return mkba_sc_fail(ld, s, NULL, "has %d shares; domain '%s' has %d states: expected "
                                "one share per state, in the domain's order",
                                config_setting_length(s), dom->name, dom->nstates);
        double sum = 0;
        for (int j = 0; j < dom->nstates; j++) {
            const config_setting_t *e = config_setting_get_elem(s, (unsigned)j);
            double v = 0;
            if ((rc = element_number(ld, e, "a share", &v)) != 0)
                return rc;
            if (!(v >= 0 && v <= 1))
                return mkba_sc_fail(ld, e, NULL, "%g is out of range; expected a share in "
                                    "[0, 1]", v);
            if (v > 0 && dom->state[j].exit)
                return mkba_sc_fail(ld, e, NULL, "state '%s' is an exit state; a household "
                                    "cannot enter the target group having left it",
                                    dom->state[j].name);
            p->entrant_share[base[d] + (size_t)j] = v;
            sum += v;
        }
        if (fabs(sum - 1) > MKBA_SUM_TOL)
            return mkba_sc_fail(ld, s, NULL, "the shares sum to %.12g; expected 1", sum);
    }
    return 0;
}

/* price_index = [one factor per year] or price_growth = rate; the default
 * grows at DEFAULT_PRICE_GROWTH from the price year. */
/* One index path of the horizon (docs/budget.md): `NAME_index`, a level
 * per year relative to the price year, or `NAME_growth`, a yearly rate
 * (default: `growth` on top of the path `base`, or alone when base is
 * NULL), into *out. `level` names a level in messages. */
static int read_path(mkba_loader *ld, const config_setting_t *g, const mkba_population *p,
                     const char *name, const char *level, double growth, const double *base,
                     double **out)
{
    const mkba_model *m = ld->m;
    char index_key[32], growth_key[32];
    snprintf(index_key, sizeof index_key, "%s_index", name);
    snprintf(growth_key, sizeof growth_key, "%s_growth", name);
    const config_setting_t *path = config_setting_get_member(g, index_key);
    int has_growth = 0, rc;
    if ((rc = mkba_sc_number(ld, g, growth_key, 0, &growth, &has_growth)) != 0)
        return rc;
    if (has_growth && path != NULL)
        return mkba_sc_fail(ld, config_setting_get_member(g, growth_key), NULL,
                            "give %s or %s, not both", index_key, growth_key);
    if ((*out = mkba_malloc(p->nyears * sizeof **out)) == NULL)
        return mkba_sc_nomem(ld);
    double *x = *out;
    if (path == NULL) {
        if (!(growth > -1 && growth < 1))
            return mkba_sc_fail(ld, config_setting_get_member(g, growth_key), NULL,
                                "%g is out of range; expected a yearly rate in (-1, 1), e.g. "
                                "0.02 for 2%% a year", growth);
        for (size_t y = 0; y < p->nyears; y++)
            x[y] = (has_growth || base == NULL ? 1.0 : base[y])
                   * pow(1 + growth, (double)(p->first_year + (int)y - m->price_year));
        return 0;
    }
    char expect[160];
    snprintf(expect, sizeof expect, "an array with the %s of each year relative to the price "
             "year, [1.02, 1.045, ...]", level);
    if ((rc = mkba_sc_expect_list(ld, path, expect)) != 0)
        return rc;
    if ((size_t)config_setting_length(path) < p->nyears)
        return mkba_sc_fail(ld, path, NULL, "has %d years; the horizon has %zu: expected one "
                            "%s per year of the horizon, from %d",
                            config_setting_length(path), p->nyears, level, p->first_year);
    for (size_t y = 0; y < p->nyears; y++) {
        const config_setting_t *e = config_setting_get_elem(path, (unsigned)y);
        if ((rc = element_number(ld, e, level, &x[y])) != 0)
            return rc;
        if (!(x[y] > 0 && x[y] <= MAX_PRICE_LEVEL))
            return mkba_sc_fail(ld, e, NULL, "%g is out of range; expected a %s in (0, %g] "
                                "relative to %d (1 = the price year's)", x[y], level,
                                MAX_PRICE_LEVEL, m->price_year);
    }
    return 0;
}

/* The price path (cost rules, the pathways' overheads) and the wage path
 * (the teams' staff, intake and hand-over costs). */
static int read_prices(mkba_loader *ld, const config_setting_t *g, mkba_population *p)
{
    int rc = read_path(ld, g, p, "price", "price level", DEFAULT_PRICE_GROWTH, NULL,
                       &p->price_index);
    return rc != 0 ? rc
                   : read_path(ld, g, p, "wage", "wage level", DEFAULT_REAL_WAGE_GROWTH,
                               p->price_index, &p->wage_index);
}

/* Refuses a label with control characters: it heads a row of every table. */
static int one_line(mkba_loader *ld, const config_setting_t *g, const char *name,
                    const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++)
        if (*c < 0x20 || *c == 0x7f)
            return mkba_sc_fail(ld, config_setting_get_member(g, name), NULL, "has control "
                                "character 0x%02x; expected a one-line label", *c);
    return 0;
}

/* budget_lines = ( { payer = "..."; fund = "..."; taakveld = "..."; }, ... ) */
static int read_budget_lines(mkba_loader *ld, const config_setting_t *list,
                             mkba_population *p)
{
    const mkba_model *m = ld->m;
    int rc;
    if ((p->fund = mkba_calloc(m->npayers, sizeof *p->fund)) == NULL
        || (p->taakveld = mkba_calloc(m->npayers, sizeof *p->taakveld)) == NULL)
        return mkba_sc_nomem(ld);
    if (list != NULL
        && (rc = mkba_sc_expect_list(ld, list, "a list of groups ( { payer = \"...\"; fund = "
                                     "\"gemeentefonds\"; taakveld = \"6.71 Wmo\"; }, ... )"))
               != 0)
        return rc;
    for (int i = 0; list != NULL && i < config_setting_length(list); i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        const char *fund = "", *taakveld = "";
        int payer;
        if ((rc = mkba_sc_expect_group(ld, g, "a group { payer = ...; fund = ...; taakveld = "
                                       "...; }")) != 0
            || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_BUDGET_LINE)) != 0
            || (rc = mkba_sc_lookup_member(ld, g, "payer", (const char *const *)m->payer,
                                           m->npayers, "payer", NULL, &payer)) != 0
            || (rc = mkba_sc_string(ld, g, "fund", 0, &fund, NULL)) != 0
            || (rc = mkba_sc_string(ld, g, "taakveld", 0, &taakveld, NULL)) != 0
            || (rc = one_line(ld, g, "fund", fund)) != 0
            || (rc = one_line(ld, g, "taakveld", taakveld)) != 0)
            return rc;
        if (p->fund[payer] != NULL)
            return mkba_sc_fail(ld, config_setting_get_member(g, "payer"), NULL, "payer '%s' "
                                "has a budget line already; expected each payer once",
                                m->payer[payer]);
        if ((p->fund[payer] = mkba_strdup(fund)) == NULL
            || (p->taakveld[payer] = mkba_strdup(taakveld)) == NULL)
            return mkba_sc_nomem(ld);
    }
    for (size_t i = 0; i < m->npayers; i++)
        if ((p->fund[i] == NULL && (p->fund[i] = mkba_strdup("")) == NULL)
            || (p->taakveld[i] == NULL && (p->taakveld[i] = mkba_strdup("")) == NULL))
            return mkba_sc_nomem(ld);
    return 0;
}

int mkba_sc_budget_index(mkba_loader *ld, const config_setting_t *g, int *wage_indexed)
{
    const char *index = "price";
    int rc = mkba_sc_string(ld, g, "index", 0, &index, NULL);
    if (rc != 0)
        return rc;
    *wage_indexed = strcmp(index, "wage") == 0;
    if (!*wage_indexed && strcmp(index, "price") != 0)
        return mkba_sc_fail(ld, config_setting_get_member(g, "index"), NULL, "'%s' is not an "
                            "index path; expected \"price\" (the default) or \"wage\" (amounts "
                            "that follow wages, such as benefits tied to the minimum wage)",
                            index);
    return 0;
}

int mkba_sc_population(mkba_loader *ld, const config_setting_t *section)
{
    mkba_model *m = ld->m;
    mkba_population *p = &m->population;
    long long first_year = m->price_year;
    int rc;
    if (section == NULL)
        return 0;
    if ((rc = mkba_sc_expect_group(ld, section, "a group population = { households = ...; "
                                   "... }")) != 0
        || (rc = mkba_sc_check_keys(ld, section, MKBA_KEYS_POPULATION)) != 0
        || (rc = read_size(ld, section, p)) != 0
        || (rc = mkba_sc_number(ld, section, "inflow", 0, &p->inflow, NULL)) != 0
        || (rc = mkba_sc_integer(ld, section, "first_year", 0, &first_year, NULL)) != 0)
        return rc;
    const config_setting_t *inflow = config_setting_get_member(section, "inflow");
    if (!(p->inflow >= 0 && p->inflow <= MAX_INFLOW_PER_HOUSEHOLD * p->households))
        return mkba_sc_fail(ld, inflow, NULL, "%g is out of range; expected the households "
                            "entering the target group per year, 0 to %g (%g x the %g "
                            "households)", p->inflow, MAX_INFLOW_PER_HOUSEHOLD * p->households,
                            MAX_INFLOW_PER_HOUSEHOLD, p->households);
    /* Entrants are simulated households; the cohort trace (--cohort,
     * known at run time), which has none, cites this line. */
    p->inflow_line = inflow != NULL ? config_setting_source_line(inflow) : 0;
    if (first_year < 1900 || first_year > 2200)
        return mkba_sc_fail(ld, config_setting_get_member(section, "first_year"), NULL,
                            "%lld is out of range; expected the calendar year of year 1 of "
                            "the horizon, 1900 to 2200", first_year);
    p->first_year = (int)first_year;
    p->nyears = (size_t)ceil(m->timing.ncycles * m->timing.cycle_years - 1e-9);
    if ((rc = read_entrants(ld, config_setting_get_member(section, "entrants"), p)) != 0
        || (rc = read_prices(ld, section, p)) != 0
        || (rc = read_budget_lines(ld, config_setting_get_member(section, "budget_lines"), p))
               != 0)
        return rc;
    p->enabled = 1;
    return 0;
}
