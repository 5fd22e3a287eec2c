/* The rule sections of a scenario: domains with their states, initial
 * distribution and transition rules; interactions; costs; effect values.
 * Each rule keeps its setting path, file and line so that problems found
 * later (a drawn probability above 1 during a run) can name it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/strutil.h"
#include "core/alloc.h"
#include "scenario_impl.h"

static const char *const trans_keys[] = {
    "probabilities", "rates", "relative_risks", "hazard_ratios"};

/* ------------------------------------------------------------------ helpers */

static void arm_names(const mkba_model *m, const char *names[MKBA_MAX_ARMS])
{
    for (size_t a = 0; a < m->narms; a++)
        names[a] = m->arm[a].name;
}

static void domain_names(const mkba_model *m, const char *names[MKBA_MAX_DOMAINS])
{
    for (size_t d = 0; d < m->ndomains; d++)
        names[d] = m->domain[d].name;
}

static void state_names(const mkba_domain *d, const char *names[MKBA_MAX_STATES])
{
    for (int s = 0; s < d->nstates; s++)
        names[s] = d->state[s].name;
}

static int lookup_state(mkba_loader *ld, const config_setting_t *g, const char *member,
                        int domain, int *index)
{
    const mkba_domain *d = &ld->m->domain[domain];
    const char *names[MKBA_MAX_STATES];
    char context[128];
    state_names(d, names);
    snprintf(context, sizeof context, " in domain '%s'", d->name);
    return mkba_sc_lookup_member(ld, g, member, names, (size_t)d->nstates, "state", context,
                                 index);
}

/* Records the rule's location: path, file and line (owned copies). */
static int locate_rule(mkba_loader *ld, const config_setting_t *g, char **path, char **file,
                       int *line)
{
    char p[MKBA_PATH_MAX], f[MKBA_PATH_MAX];
    mkba_sc_path(g, NULL, p, sizeof p);
    *path = mkba_strdup(p);
    *file = mkba_strdup(mkba_sc_file(ld, g, f, sizeof f));
    *line = (int)config_setting_source_line(g);
    return *path == NULL || *file == NULL ? mkba_sc_nomem(ld) : 0;
}

/* Makes room for one more element of a rule array; the new element is
 * zeroed so that mkba_model_free can free a half-filled one. */
static void *grow(void *array, size_t count, size_t size)
{
    char *a = mkba_realloc(array, (count + 1) * size);
    if (a != NULL)
        memset(a + count * size, 0, size);
    return a;
}

/* An optional `arms = [...]` member as a bitmask (MKBA_ALL_ARMS when absent
 * or when it lists every arm). */
static int arms_mask(mkba_loader *ld, const config_setting_t *group, uint32_t *mask)
{
    const config_setting_t *s = config_setting_get_member(group, "arms");
    *mask = MKBA_ALL_ARMS;
    if (s == NULL)
        return 0;
    int rc = mkba_sc_expect_list(ld, s, "an array of arm names, e.g. [\"integrated\"]");
    if (rc != 0)
        return rc;
    const char *names[MKBA_MAX_ARMS];
    arm_names(ld->m, names);
    uint32_t bits = 0;
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_get_string(e);
        int a;
        if (name == NULL)
            return mkba_sc_fail(ld, e, NULL, "expected an arm name in double quotes");
        if ((rc = mkba_sc_blend_named(ld, e, name, MKBA_BLEND_IN_RULE)) != 0
            || (rc = mkba_sc_lookup(ld, e, name, names, ld->m->narms, "arm", NULL, &a)) != 0)
            return rc;
        bits |= 1u << a;
    }
    uint32_t all = ld->m->narms == 32 ? MKBA_ALL_ARMS : (1u << ld->m->narms) - 1u;
    *mask = bits == all ? MKBA_ALL_ARMS : bits;
    return 0;
}

/* An optional window member [a, b]; absent gives {lo, MKBA_CYCLE_END}.
 * a must lie in lo..hi, b in a..hi or be MKBA_CYCLE_END (an open end). */
static int window(mkba_loader *ld, const config_setting_t *group, const char *name,
                  int lo, int hi, mkba_window *w)
{
    const config_setting_t *s = config_setting_get_member(group, name);
    w->from = lo;
    w->to = MKBA_CYCLE_END;
    if (s == NULL)
        return 0;
    const char *expected = lo == 1 ? "[first, last] cycle, 1-based and inclusive"
                                   : "[first, last] cycles already spent in the state, 0-based";
    if ((!config_setting_is_array(s) && !config_setting_is_list(s))
        || config_setting_length(s) != 2)
        return mkba_sc_fail(ld, s, NULL, "expected two whole numbers %s", expected);
    long long v[2];
    for (unsigned i = 0; i < 2; i++) {
        const config_setting_t *e = config_setting_get_elem(s, i);
        int type = config_setting_type(e);
        if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
            return mkba_sc_fail(ld, s, NULL, "expected two whole numbers %s", expected);
        v[i] = config_setting_get_int64(e);
    }
    if (v[0] < lo || v[0] > hi)
        return mkba_sc_fail(ld, s, NULL, "first value %lld is out of range; expected %d to %d",
                            v[0], lo, hi);
    if (v[1] < v[0])
        return mkba_sc_fail(ld, s, NULL, "the window [%lld, %lld] is empty; expected first "
                            "<= last", v[0], v[1]);
    if (v[1] > hi && v[1] != MKBA_CYCLE_END)
        return mkba_sc_fail(ld, s, NULL, "last value %lld is out of range; expected at most %d%s "
                            "or %d for an open end", v[1], hi,
                            lo == 1 ? " (the horizon in cycles)" : "", MKBA_CYCLE_END);
    w->from = (int)v[0];
    w->to = (int)v[1];
    return 0;
}

/* ------------------------------------------------------------------ domains */

/* libconfig setting names, so that a state can be a key of a
 * probabilities group: [A-Za-z][-A-Za-z0-9_]*. */
static int valid_state_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        return 0;
    for (; *s != '\0'; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')
              || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static int read_states(mkba_loader *ld, const config_setting_t *g, mkba_domain *d)
{
    const config_setting_t *list = config_setting_get_member(g, "states");
    if (list == NULL)
        return mkba_sc_fail(ld, g, "states", "required setting is missing; expected 2 to %d "
                            "state names", MKBA_MAX_STATES);
    int rc = mkba_sc_expect_list(ld, list, "a list of state names or {name = ...} groups");
    if (rc != 0)
        return rc;
    int n = config_setting_length(list);
    if (n < 2 || n > MKBA_MAX_STATES)
        return mkba_sc_fail(ld, list, NULL, "%d states; expected 2 to %d", n, MKBA_MAX_STATES);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(list, (unsigned)i);
        mkba_state *st = &d->state[i];
        const char *name = NULL;
        st->severity = i;
        if (config_setting_type(s) == CONFIG_TYPE_STRING) {
            name = config_setting_get_string(s);
        } else if (config_setting_is_group(s)) {
            int absorbing = 0, exit = 0, has_absorbing = 0;
            if ((rc = mkba_sc_check_keys(ld, s, MKBA_KEYS_STATE)) != 0
                || (rc = mkba_sc_string(ld, s, "name", 1, &name, NULL)) != 0
                || (rc = mkba_sc_number(ld, s, "severity", 0, &st->severity, NULL)) != 0
                || (rc = mkba_sc_bool(ld, s, "absorbing", &absorbing, &has_absorbing)) != 0
                || (rc = mkba_sc_bool(ld, s, "exit", &exit, NULL)) != 0
                || (rc = mkba_sc_bool(ld, s, "second_line", &st->second_line, NULL)) != 0)
                return rc;
            if (!(st->severity >= -1000.0 && st->severity <= 1000.0))
                return mkba_sc_fail(ld, config_setting_get_member(s, "severity"), NULL,
                                    "%g is out of range; expected a severity score from -1000 "
                                    "to 1000", st->severity);
            if (exit && has_absorbing && !absorbing)
                return mkba_sc_fail(ld, s, "absorbing", "an exit state is absorbing; expected "
                                    "absorbing = true or no absorbing setting");
            st->exit = exit;
            st->absorbing = absorbing || exit;
        } else {
            return mkba_sc_fail(ld, s, NULL, "expected a state name in double quotes or a group "
                                "{name = \"...\"; severity = ...;}");
        }
        if (!valid_state_name(name))
            return mkba_sc_fail(ld, s, NULL, "'%s' is not a valid state name; expected letters, "
                                "digits, _ and -, starting with a letter", name);
        for (int j = 0; j < i; j++)
            if (strcmp(d->state[j].name, name) == 0)
                return mkba_sc_fail(ld, s, NULL, "state '%s' is listed twice; expected unique "
                                    "state names", name);
        if ((st->name = mkba_strdup(name)) == NULL)
            return mkba_sc_nomem(ld);
        d->nstates = i + 1;
        char f[MKBA_PATH_MAX];
        if ((st->file = mkba_strdup(mkba_sc_file(ld, s, f, sizeof f))) == NULL)
            return mkba_sc_nomem(ld);
        st->line = (int)config_setting_source_line(s);
    }
    return 0;
}

static int read_initial(mkba_loader *ld, const config_setting_t *g, int di)
{
    mkba_domain *d = &ld->m->domain[di];
    const config_setting_t *init = config_setting_get_member(g, "initial");
    d->loading = MKBA_NO_VALUE;
    for (int s = 0; s < MKBA_MAX_STATES; s++)
        d->init_prev[s] = MKBA_NO_VALUE;
    if (init == NULL)
        return mkba_sc_fail(ld, g, "initial", "required setting is missing; expected "
                            "{prevalence = [...];} or {state = \"...\";}");
    int rc = mkba_sc_expect_group(ld, init, "{prevalence = [...];} or {state = \"...\";}");
    if (rc != 0 || (rc = mkba_sc_check_keys(ld, init, MKBA_KEYS_INITIAL)) != 0)
        return rc;
    const config_setting_t *prev = config_setting_get_member(init, "prevalence");
    const config_setting_t *state = config_setting_get_member(init, "state");
    const config_setting_t *loading = config_setting_get_member(init, "loading");
    if ((prev == NULL) == (state == NULL))
        return mkba_sc_fail(ld, init, NULL, "%s; expected exactly one of prevalence = [...] and "
                            "state = \"...\"", prev ? "both are given" : "neither is given");
    if (state != NULL) {
        if (loading != NULL)
            return mkba_sc_fail(ld, loading, NULL, "a loading needs prevalence; expected no "
                                "loading with state = \"...\"");
        d->init_kind = MKBA_INIT_STATE;
        return lookup_state(ld, init, "state", di, &d->init_state);
    }
    d->init_kind = MKBA_INIT_PREVALENCE;
    if ((rc = mkba_sc_expect_list(ld, prev, "one proportion per state")) != 0)
        return rc;
    if (config_setting_length(prev) != d->nstates)
        return mkba_sc_fail(ld, prev, NULL, "%d entries; expected %d, one per state",
                            config_setting_length(prev), d->nstates);
    double sum = 0;
    int all_fixed = 1;
    for (int s = 0; s < d->nstates; s++) {
        const config_setting_t *e = config_setting_get_elem(prev, (unsigned)s);
        int fixed;
        double v;
        if ((rc = mkba_sc_value(ld, e, NULL, &d->init_prev[s], &fixed, &v)) != 0)
            return rc;
        if (fixed && !(v >= 0 && v <= 1))
            return mkba_sc_fail(ld, e, NULL, "proportion %g is outside [0, 1]; expected a "
                                "proportion", v);
        if (fixed)
            sum += v;
        all_fixed &= fixed;
    }
    if (all_fixed ? (sum < 1 - MKBA_SUM_TOL || sum > 1 + MKBA_SUM_TOL) : sum > 1 + MKBA_SUM_TOL)
        return mkba_sc_fail(ld, prev, NULL, "the proportions sum to %.12g; expected %s1 "
                            "(tolerance %g)", sum, all_fixed ? "" : "at most ", MKBA_SUM_TOL);
    if (loading != NULL) {
        int fixed;
        double v;
        if ((rc = mkba_sc_value(ld, loading, NULL, &d->loading, &fixed, &v)) != 0)
            return rc;
        if (fixed && !(v >= 0 && v < 1))
            return mkba_sc_fail(ld, loading, NULL, "loading %g is outside [0, 1); expected a "
                                "number from 0 (independent) up to but excluding 1", v);
    }
    return 0;
}

static int read_transition(mkba_loader *ld, const config_setting_t *g, int di)
{
    mkba_model *m = ld->m;
    const mkba_domain *d = &m->domain[di];
    mkba_trans_rule *all = grow(m->trans, m->ntrans, sizeof *m->trans);
    if (all == NULL)
        return mkba_sc_nomem(ld);
    m->trans = all;
    mkba_trans_rule *r = &m->trans[m->ntrans++];
    r->domain = di;
    for (int s = 0; s < MKBA_MAX_STATES; s++)
        r->value[s] = MKBA_NO_VALUE;
    int rc = mkba_sc_expect_group(ld, g, "a transition rule {from = \"...\"; probabilities = "
                                  "{...};}");
    if (rc != 0 || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_TRANSITION)) != 0
        || (rc = locate_rule(ld, g, &r->path, &r->file, &r->line)) != 0
        || (rc = lookup_state(ld, g, "from", di, &r->from)) != 0)
        return rc;
    if (d->state[r->from].absorbing)
        return mkba_sc_fail(ld, config_setting_get_member(g, "from"), NULL,
                            "state '%s' is absorbing; expected no transition rule from it",
                            d->state[r->from].name);
    const config_setting_t *row = NULL;
    for (int k = 0; k < 4; k++) {
        const config_setting_t *s = config_setting_get_member(g, trans_keys[k]);
        if (s == NULL)
            continue;
        if (row != NULL)
            return mkba_sc_fail(ld, s, NULL, "'%s' and '%s' are both given; expected exactly "
                                "one of probabilities, rates, relative_risks and hazard_ratios",
                                trans_keys[r->kind], trans_keys[k]);
        row = s;
        r->kind = (mkba_trans_kind)k;
    }
    if (row == NULL)
        return mkba_sc_fail(ld, g, NULL, "no values; expected one of probabilities, rates, "
                            "relative_risks and hazard_ratios = {target_state = value;}");
    if ((rc = mkba_sc_expect_group(ld, row, "a group {target_state = value; ...}")) != 0)
        return rc;
    if (config_setting_length(row) == 0)
        return mkba_sc_fail(ld, row, NULL, "the group is empty; expected at least one "
                            "target_state = value");
    const char *names[MKBA_MAX_STATES];
    char context[128];
    state_names(d, names);
    snprintf(context, sizeof context, " in domain '%s'", d->name);
    double sum = 0;
    for (int i = 0; i < config_setting_length(row); i++) {
        const config_setting_t *e = config_setting_get_elem(row, (unsigned)i);
        int to, fixed;
        double v;
        if ((rc = mkba_sc_lookup(ld, e, config_setting_name(e), names, (size_t)d->nstates,
                                 "state", context, &to)) != 0)
            return rc;
        if (to == r->from)
            return mkba_sc_fail(ld, e, NULL, "the diagonal completes the row; expected only "
                                "transitions to other states");
        if ((rc = mkba_sc_value(ld, e, NULL, &r->value[to], &fixed, &v)) != 0)
            return rc;
        if (!fixed)
            continue;
        if (r->kind == MKBA_TRANS_PROB && !(v >= 0 && v <= 1))
            return mkba_sc_fail(ld, e, NULL, "probability %g is outside [0, 1]; expected a "
                                "probability per cycle", v);
        if (r->kind != MKBA_TRANS_PROB && !(v >= 0))
            return mkba_sc_fail(ld, e, NULL, "%s %g is negative; expected a number >= 0",
                                r->kind == MKBA_TRANS_RATE ? "rate" : "ratio", v);
        sum += v;
    }
    if (r->kind == MKBA_TRANS_PROB && sum > 1 + MKBA_SUM_TOL)
        return mkba_sc_fail(ld, row, NULL, "the probabilities of leaving '%s' sum to %.12g; "
                            "expected at most 1 (tolerance %g), the diagonal takes the rest",
                            d->state[r->from].name, sum, MKBA_SUM_TOL);
    if ((rc = arms_mask(ld, g, &r->arms)) != 0
        || (rc = window(ld, g, "cycles", 1, m->timing.ncycles, &r->cycles)) != 0
        || (rc = window(ld, g, "duration", 0, MKBA_CYCLE_END, &r->duration)) != 0)
        return rc;
    r->of_arm = m->reference;
    const config_setting_t *of = config_setting_get_member(g, "of");
    if (of != NULL) {
        if (r->kind != MKBA_TRANS_RR && r->kind != MKBA_TRANS_HR)
            return mkba_sc_fail(ld, of, NULL, "'of' names the arm a ratio applies to; expected "
                                "it only with relative_risks or hazard_ratios");
        const char *arms[MKBA_MAX_ARMS];
        arm_names(m, arms);
        const char *of_name = NULL;
        config_setting_lookup_string(g, "of", &of_name);
        if ((rc = mkba_sc_blend_named(ld, of, of_name, MKBA_BLEND_IN_RATIO)) != 0)
            return rc;
        if ((rc = mkba_sc_lookup_member(ld, g, "of", arms, m->narms, "arm", NULL,
                                        &r->of_arm)) != 0)
            return rc;
    }
    return 0;
}

/* Every non-absorbing state needs a row that holds for every arm, cycle and
 * duration; other rules refine it. Without one the reference arm would have
 * no transitions from that state in some cycle. */
static int check_coverage(mkba_loader *ld, const config_setting_t *g, int di)
{
    const mkba_model *m = ld->m;
    const mkba_domain *d = &m->domain[di];
    for (int s = 0; s < d->nstates; s++) {
        if (d->state[s].absorbing)
            continue;
        int found = 0;
        for (size_t i = 0; i < m->ntrans && !found; i++) {
            const mkba_trans_rule *r = &m->trans[i];
            found = r->domain == di && r->from == s
                    && (r->kind == MKBA_TRANS_PROB || r->kind == MKBA_TRANS_RATE)
                    && r->arms == MKBA_ALL_ARMS && r->cycles.from == 1
                    && (r->cycles.to == MKBA_CYCLE_END || r->cycles.to >= m->timing.ncycles)
                    && r->duration.from == 0 && r->duration.to == MKBA_CYCLE_END;
        }
        if (!found)
            return mkba_sc_fail(ld, g, NULL, "state '%s' has no base transition rule; expected "
                                "a probabilities or rates rule from '%s' without arms, cycles "
                                "or duration (it may give 0 to stay put)", d->state[s].name,
                                d->state[s].name);
    }
    return 0;
}

int mkba_sc_domains(mkba_loader *ld, const config_setting_t *section)
{
    mkba_model *m = ld->m;
    int rc = mkba_sc_expect_list(ld, section, "a list of domains ( {name = ...; states = "
                                 "[...]; ...}, ... )");
    if (rc != 0)
        return rc;
    int n = config_setting_length(section);
    if (n > MKBA_MAX_DOMAINS)
        return mkba_sc_fail(ld, section, NULL, "%d domains; expected at most %d", n,
                            MKBA_MAX_DOMAINS);
    for (int di = 0; di < n; di++) {
        const config_setting_t *g = config_setting_get_elem(section, (unsigned)di);
        mkba_domain *d = &m->domain[di];
        const char *name = NULL;
        if ((rc = mkba_sc_expect_group(ld, g, "a domain {name = ...; states = [...]; ...}")) != 0
            || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_DOMAIN)) != 0
            || (rc = mkba_sc_string(ld, g, "name", 1, &name, NULL)) != 0)
            return rc;
        for (int j = 0; j < di; j++)
            if (strcmp(m->domain[j].name, name) == 0)
                return mkba_sc_fail(ld, config_setting_get_member(g, "name"), NULL,
                                    "domain '%s' is defined twice; expected unique names", name);
        m->ndomains = (size_t)di + 1;
        if ((d->name = mkba_strdup(name)) == NULL)
            return mkba_sc_nomem(ld);
        if ((rc = read_states(ld, g, d)) != 0 || (rc = read_initial(ld, g, di)) != 0)
            return rc;
        const config_setting_t *rules = config_setting_get_member(g, "transitions");
        if (rules != NULL) {
            if ((rc = mkba_sc_expect_list(ld, rules, "a list of transition rules")) != 0)
                return rc;
            for (int i = 0; i < config_setting_length(rules); i++)
                if ((rc = read_transition(ld, config_setting_get_elem(rules, (unsigned)i), di))
                    != 0)
                    return rc;
        }
        if ((rc = check_coverage(ld, g, di)) != 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------- interactions */

int mkba_sc_interactions(mkba_loader *ld, const config_setting_t *section)
{
    mkba_model *m = ld->m;
    int rc = mkba_sc_expect_list(ld, section, "a list of {from = \"...\"; to = \"...\"; beta = "
                                 "...;} groups");
    if (rc != 0)
        return rc;
    const char *names[MKBA_MAX_DOMAINS];
    domain_names(m, names);
    for (int i = 0; i < config_setting_length(section); i++) {
        const config_setting_t *g = config_setting_get_elem(section, (unsigned)i);
        mkba_interaction *all = grow(m->interact, m->ninteract, sizeof *m->interact);
        if (all == NULL)
            return mkba_sc_nomem(ld);
        m->interact = all;
        mkba_interaction *r = &m->interact[m->ninteract++];
        char path[MKBA_PATH_MAX];
        int fixed;
        double v;
        if ((rc = mkba_sc_expect_group(ld, g, "{from = \"...\"; to = \"...\"; beta = ...;}")) != 0
            || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_INTERACTION)) != 0
            || (rc = mkba_sc_lookup_member(ld, g, "from", names, m->ndomains, "domain", NULL,
                                           &r->from)) != 0
            || (rc = mkba_sc_lookup_member(ld, g, "to", names, m->ndomains, "domain", NULL,
                                           &r->to)) != 0)
            return rc;
        if (r->from == r->to)
            return mkba_sc_fail(ld, config_setting_get_member(g, "to"), NULL,
                                "a domain cannot interact with itself; expected two different "
                                "domains");
        const char *source = NULL;
        if ((rc = mkba_sc_string(ld, g, "source", 0, &source, NULL)) != 0)
            return rc;
        const config_setting_t *beta = config_setting_get_member(g, "beta");
        if (beta == NULL)
            return mkba_sc_fail(ld, g, "beta", "required setting is missing; expected the "
                                "log hazard ratio per severity point");
        if ((rc = mkba_sc_value(ld, beta, source, &r->beta, &fixed, &v)) != 0)
            return rc;
        mkba_sc_path(g, NULL, path, sizeof path);
        if ((r->path = mkba_strdup(path)) == NULL)
            return mkba_sc_nomem(ld);
    }
    return 0;
}

/* -------------------------------------------------------------------- costs */

/* Reads the amount member (`once` or `per_year`), which must be present. */
static int read_amount(mkba_loader *ld, const config_setting_t *g, const char *member,
                       const char *source, int *index)
{
    const config_setting_t *s = config_setting_get_member(g, member);
    int fixed;
    double v;
    if (s == NULL)
        return mkba_sc_fail(ld, g, member, "required setting is missing; expected an amount");
    return mkba_sc_amount(ld, s, source, index, &fixed, &v);
}


/* Time does not run in an exit state (the household has left), so a
 * duration window there would never end; a one-off amount on leaving
 * belongs on entry (enter = "..."). */
static int no_duration_in_exit(mkba_loader *ld, const config_setting_t *duration, int domain,
                               int state)
{
    if (duration == NULL || domain < 0 || !ld->m->domain[domain].state[state].exit)
        return 0;
    return mkba_sc_fail(ld, duration, NULL, "state '%s' is an exit state, where time does not "
                        "run; expected no duration here (for a one-off amount on leaving, use "
                        "enter = \"%s\")", ld->m->domain[domain].state[state].name,
                        ld->m->domain[domain].state[state].name);
}

static int read_cost(mkba_loader *ld, const config_setting_t *g, mkba_cost_rule *r)
{
    mkba_model *m = ld->m;
    const char *source = NULL, *category = NULL;
    r->transfer_to = -1;
    int rc = mkba_sc_expect_group(ld, g, "a cost rule {payer = \"...\"; per_year = ...;}");
    if (rc != 0 || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_COST)) != 0
        || (rc = locate_rule(ld, g, &r->path, &r->file, &r->line)) != 0
        || (rc = mkba_sc_lookup_member(ld, g, "payer", (const char *const *)m->payer,
                                       m->npayers, "payer", NULL, &r->payer)) != 0
        || (rc = mkba_sc_string(ld, g, "source", 0, &source, NULL)) != 0
        || (rc = mkba_sc_string(ld, g, "category", 0, &category, NULL)) != 0
        || (rc = mkba_sc_budget_index(ld, g, &r->wage_indexed)) != 0)
        return rc;
    if (category != NULL && (r->category = mkba_strdup(category)) == NULL)
        return mkba_sc_nomem(ld);
    const config_setting_t *transfer = config_setting_get_member(g, "transfer_to");
    if (transfer != NULL) {
        if ((rc = mkba_sc_lookup_member(ld, g, "transfer_to", (const char *const *)m->payer,
                                        m->npayers, "payer", NULL, &r->transfer_to)) != 0)
            return rc;
        if (r->transfer_to == r->payer)
            return mkba_sc_fail(ld, transfer, NULL, "'%s' is the payer itself; expected the "
                                "payer who receives the amount, a different one",
                                m->payer[r->payer]);
    }
    const config_setting_t *domain = config_setting_get_member(g, "domain");
    const config_setting_t *state = config_setting_get_member(g, "state");
    const config_setting_t *enter = config_setting_get_member(g, "enter");
    const config_setting_t *once = config_setting_get_member(g, "once");
    const config_setting_t *per_year = config_setting_get_member(g, "per_year");
    const config_setting_t *duration = config_setting_get_member(g, "duration");
    r->domain = r->state = -1;
    if (domain == NULL) {
        if (state != NULL || enter != NULL)
            return mkba_sc_fail(ld, state != NULL ? state : enter, NULL, "a state needs its "
                                "domain; expected domain = \"...\" as well");
        if ((once == NULL) == (per_year == NULL))
            return mkba_sc_fail(ld, g, NULL, "%s; expected exactly one of once (per household at "
                                "the start) and per_year (per household per year)",
                                once ? "both once and per_year are given"
                                     : "no amount is given");
        r->kind = once != NULL ? MKBA_COST_PROGRAMME_ONCE : MKBA_COST_PROGRAMME_YEAR;
    } else {
        const char *names[MKBA_MAX_DOMAINS];
        domain_names(m, names);
        if ((rc = mkba_sc_lookup_member(ld, g, "domain", names, m->ndomains, "domain", NULL,
                                        &r->domain)) != 0)
            return rc;
        if ((state == NULL) == (enter == NULL))
            return mkba_sc_fail(ld, g, NULL, "%s; expected state = \"...\" (a cost per year in "
                                "the state) or enter = \"...\" (a one-off cost on entering it)",
                                state ? "both state and enter are given"
                                      : "neither state nor enter is given");
        r->kind = state != NULL ? MKBA_COST_STATE : MKBA_COST_ENTRY;
        if ((rc = lookup_state(ld, g, state != NULL ? "state" : "enter", r->domain, &r->state))
            != 0)
            return rc;
        if (r->kind == MKBA_COST_STATE && once != NULL)
            return mkba_sc_fail(ld, once, NULL, "a cost in a state is paid per year; expected "
                                "per_year, or enter = \"...\" for a one-off cost on entry");
        if (r->kind == MKBA_COST_ENTRY && per_year != NULL)
            return mkba_sc_fail(ld, per_year, NULL, "a cost on entering a state is paid once; "
                                "expected once, or state = \"...\" for a cost per year");
    }
    if (duration != NULL && r->kind != MKBA_COST_STATE)
        return mkba_sc_fail(ld, duration, NULL, "duration counts the cycles spent in a state; "
                            "expected it only with domain and state");
    if ((rc = no_duration_in_exit(ld, duration, r->domain, r->state)) != 0)
        return rc;
    int kind_once = r->kind == MKBA_COST_ENTRY || r->kind == MKBA_COST_PROGRAMME_ONCE;
    if ((rc = read_amount(ld, g, kind_once ? "once" : "per_year", source, &r->amount)) != 0
        || (rc = arms_mask(ld, g, &r->arms)) != 0
        || (rc = window(ld, g, "cycles", 1, m->timing.ncycles, &r->cycles)) != 0
        || (rc = window(ld, g, "duration", 0, MKBA_CYCLE_END, &r->duration)) != 0)
        return rc;
    return 0;
}

int mkba_sc_costs(mkba_loader *ld, const config_setting_t *section)
{
    mkba_model *m = ld->m;
    int rc = mkba_sc_expect_list(ld, section, "a list of cost rules");
    if (rc != 0)
        return rc;
    for (int i = 0; i < config_setting_length(section); i++) {
        mkba_cost_rule *all = grow(m->cost, m->ncosts, sizeof *m->cost);
        if (all == NULL)
            return mkba_sc_nomem(ld);
        m->cost = all;
        if ((rc = read_cost(ld, config_setting_get_elem(section, (unsigned)i),
                            &m->cost[m->ncosts++])) != 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------ effect values */

static int read_effect_value(mkba_loader *ld, const config_setting_t *g, mkba_effect_rule *r)
{
    mkba_model *m = ld->m;
    const char *source = NULL;
    int rc = mkba_sc_expect_group(ld, g, "{effect = \"...\"; per_year = ...;}");
    if (rc != 0 || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_EFFECT_VALUE)) != 0
        || (rc = locate_rule(ld, g, &r->path, &r->file, &r->line)) != 0)
        return rc;
    rc = mkba_sc_lookup_effect(ld, g, "effect", &r->effect);
    if (rc != 0)
        return rc;
    const config_setting_t *domain = config_setting_get_member(g, "domain");
    const config_setting_t *state = config_setting_get_member(g, "state");
    const config_setting_t *duration = config_setting_get_member(g, "duration");
    r->domain = r->state = -1;
    if ((domain == NULL) != (state == NULL))
        return mkba_sc_fail(ld, domain != NULL ? domain : state, NULL, "domain and state go "
                            "together; expected both (a value per year in that state) or "
                            "neither (a value per household still in the model)");
    if (domain != NULL) {
        const char *dnames[MKBA_MAX_DOMAINS];
        domain_names(m, dnames);
        if ((rc = mkba_sc_lookup_member(ld, g, "domain", dnames, m->ndomains, "domain", NULL,
                                        &r->domain)) != 0
            || (rc = lookup_state(ld, g, "state", r->domain, &r->state)) != 0)
            return rc;
    } else if (duration != NULL) {
        return mkba_sc_fail(ld, duration, NULL, "duration counts the cycles spent in a state; "
                            "expected it only with domain and state");
    }
    if ((rc = no_duration_in_exit(ld, duration, r->domain, r->state)) != 0)
        return rc;
    if ((rc = mkba_sc_string(ld, g, "source", 0, &source, NULL)) != 0
        || (rc = read_amount(ld, g, "per_year", source, &r->amount)) != 0
        || (rc = arms_mask(ld, g, &r->arms)) != 0
        || (rc = window(ld, g, "cycles", 1, m->timing.ncycles, &r->cycles)) != 0
        || (rc = window(ld, g, "duration", 0, MKBA_CYCLE_END, &r->duration)) != 0)
        return rc;
    return 0;
}

int mkba_sc_effect_values(mkba_loader *ld, const config_setting_t *section)
{
    mkba_model *m = ld->m;
    int rc = mkba_sc_expect_list(ld, section, "a list of effect value rules");
    if (rc != 0)
        return rc;
    for (int i = 0; i < config_setting_length(section); i++) {
        mkba_effect_rule *all = grow(m->effect_rule, m->neffect_rules, sizeof *m->effect_rule);
        if (all == NULL)
            return mkba_sc_nomem(ld);
        m->effect_rule = all;
        if ((rc = read_effect_value(ld, config_setting_get_elem(section, (unsigned)i),
                                    &m->effect_rule[m->neffect_rules++])) != 0)
            return rc;
    }
    return 0;
}
