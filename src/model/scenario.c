/* Loading a scenario: read the libconfig file (with its @include files),
 * then the top-level settings, arms, payers and effects here, the
 * parameters in scenario_values.c and the rules in scenario_rules.c.
 * Everything is checked on the way in, so the engine can trust the model. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/strutil.h"
#include "core/alloc.h"
#include "scenario.h"
#include "scenario_impl.h"

/* Dutch MKBA guideline discount rate (Werkgroep discontovoet 2020): 2.25%
 * real, for costs and effects alike. */
#define DEFAULT_DISCOUNT 0.0225
#define MAX_HORIZON_YEARS 50.0

/* -------------------------------------------------------------------- text */

/* See scenario_impl.h. */
char *mkba_sc_read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = mkba_malloc(cap);
    int nomem = buf == NULL;
    while (buf != NULL) {
        /* One byte past the size limit is enough to refuse it. */
        size_t room = cap - len - 1, left = (size_t)MKBA_SCENARIO_MAX_BYTES + 1 - len;
        size_t want = room < left ? room : left;
        size_t got = fread(buf + len, 1, want, f);
        len += got;
        if (got < want || len > MKBA_SCENARIO_MAX_BYTES)
            break;
        char *bigger = mkba_realloc(buf, 2 * cap);
        if (bigger == NULL) {
            mkba_free(buf);
            buf = NULL;
            nomem = 1;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = buf != NULL && ferror(f);
    int why = errno;   /* the read's own reason: EISDIR for a folder */
    fclose(f);
    /* errno tells the caller why: an allocation failing must not leave
     * an earlier call's errno (ENOENT of a search) to be reported. */
    if (nomem) {
        errno = ENOMEM;
        return NULL;
    }
    if (failed) {
        mkba_free(buf);
        errno = why != 0 ? why : EIO;
        return NULL;
    }
    if (buf != NULL)
        buf[len] = '\0';
    return buf;
}

/* Appends each @include'd file's text to m->text, after a comment line
 * naming it as the scenario wrote it, so the stored text is everything the model was built from.
 * libconfig (1.5) lists the files it read in config_t.filenames, the main
 * file first, each @include by the name written in the scenario. */
static int append_includes(mkba_loader *ld, const config_t *cfg)
{
    for (unsigned i = 1; i < cfg->num_filenames; i++) {
        char full[MKBA_PATH_MAX];
        const char *name = cfg->filenames[i];
        if (strcmp(ld->dir, ".") == 0 || name[0] == '/')
            snprintf(full, sizeof full, "%s", name);
        else
            snprintf(full, sizeof full, "%s/%s", ld->dir, name);
        char *text = mkba_sc_read_text(full);
        if (text == NULL)
            return mkba_error_set(ld->err, errno == ENOMEM ? MKBA_ENOMEM : MKBA_EIO,
                                  "%s: cannot read it again to store its text: %s", full,
                                  strerror(errno));
        int rc = mkba_sc_check_wide_integers(ld, full, text);
        if (rc != 0) {
            mkba_free(text);
            return rc;
        }
        char head[2 * MKBA_PATH_MAX];
        /* The name as written, not the resolved path: the text must not
         * depend on how the scenario was named (scenarios/x.cfg,
         * ./scenarios/x.cfg, an absolute path), since a resumed run checks
         * it (study/checkpoint.h). */
        int nhead = snprintf(head, sizeof head, "\n# ---- mkba: text of @include \"%s\" "
                             "----\n", name);
        size_t old = strlen(ld->m->text), add = strlen(text);
        char *all = mkba_realloc(ld->m->text, old + (size_t)nhead + add + 1);
        if (all == NULL) {
            mkba_free(text);
            return mkba_sc_nomem(ld);
        }
        memcpy(all + old, head, (size_t)nhead);
        memcpy(all + old + (size_t)nhead, text, add + 1);
        ld->m->text = all;
        mkba_free(text);
    }
    return 0;
}

/* ------------------------------------------------------- top-level groups */

static int read_run(mkba_loader *ld, const config_setting_t *root)
{
    mkba_model *m = ld->m;
    const config_setting_t *g = config_setting_get_member(root, "run");
    long long seed = 1, draws = 100, households = 10000;
    int base = MKBA_BASE_MEAN, found;
    static const char *const bases[] = {"mean", "mode"};
    int rc = 0;
    if (g != NULL) {
        if ((rc = mkba_sc_expect_group(ld, g, "a group {seed = ...; draws = ...; ...}")) != 0
            || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_RUN)) != 0
            || (rc = mkba_sc_integer(ld, g, "seed", 0, &seed, NULL)) != 0
            || (rc = mkba_sc_integer(ld, g, "draws", 0, &draws, NULL)) != 0
            || (rc = mkba_sc_integer(ld, g, "households", 0, &households, &found)) != 0
            || (rc = mkba_sc_choice(ld, g, "base_case", bases, 2, &base, NULL)) != 0)
            return rc;
        if (seed < 0)
            return mkba_sc_fail(ld, config_setting_get_member(g, "seed"), NULL,
                                "%lld is negative; expected a seed from 0 to 2^63 - 1", seed);
        if (draws < 0)
            return mkba_sc_fail(ld, config_setting_get_member(g, "draws"), NULL,
                                "%lld is negative; expected a count >= 0 (0 = base case only)",
                                draws);
        if (households < 1)
            return mkba_sc_fail(ld, config_setting_get_member(g, "households"), NULL,
                                "%lld households; expected a count of at least 1", households);
    }
    m->seed = (uint64_t)seed;
    m->draws = (long)draws;
    m->households = (long)households;
    m->base_case = (mkba_base_case)base;
    return 0;
}

static int read_timing(mkba_loader *ld, const config_setting_t *root)
{
    static const char *const cycles[] = {"year", "month"};
    mkba_timing *t = &ld->m->timing;
    const config_setting_t *g = config_setting_get_member(root, "timing");
    if (g == NULL)
        return mkba_sc_fail(ld, root, "timing", "required setting is missing; expected "
                            "timing = {horizon = YEARS;}");
    int cycle = 0, occ = MKBA_OCC_BOTH, corr = MKBA_CORR_HALF_CYCLE, when = MKBA_DISC_POINT;
    int has_occ;
    double horizon;
    int rc;
    if ((rc = mkba_sc_expect_group(ld, g, "a group {cycle = ...; horizon = ...; ...}")) != 0
        || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_TIMING)) != 0
        || (rc = mkba_sc_choice(ld, g, "cycle", cycles, 2, &cycle, NULL)) != 0
        || (rc = mkba_sc_number(ld, g, "horizon", 1, &horizon, NULL)) != 0
        || (rc = mkba_sc_choice(ld, g, "occupancy", mkba_occupancy_names, 3, &occ, &has_occ)) != 0
        || (rc = mkba_sc_choice(ld, g, "correction", mkba_correction_names, 4, &corr, NULL)) != 0
        || (rc = mkba_sc_choice(ld, g, "discount_time", mkba_discount_time_names, 4, &when, NULL)) != 0)
        return rc;
    t->cycle_years = cycle == 0 ? 1.0 : 1.0 / 12.0;
    const config_setting_t *hs = config_setting_get_member(g, "horizon");
    if (!(horizon > 0 && horizon <= MAX_HORIZON_YEARS))
        return mkba_sc_fail(ld, hs, NULL, "%g years is out of range; expected more than 0 and "
                            "at most %g years", horizon, MAX_HORIZON_YEARS);
    double n = horizon / t->cycle_years, whole = round(n);
    if (fabs(n - whole) > 1e-9 * whole || whole < 1 || whole > MKBA_MAX_CYCLES)
        return mkba_sc_fail(ld, hs, NULL, "%g years is %g cycles of one %s; expected a whole "
                            "number of cycles (1 to %d)", horizon, n, cycles[cycle], MKBA_MAX_CYCLES);
    t->ncycles = (int)whole;
    if (has_occ && corr != MKBA_CORR_NONE && corr != MKBA_CORR_HALF_CYCLE)
        return mkba_sc_fail(ld, config_setting_get_member(g, "occupancy"), NULL,
                            "occupancy applies only with correction \"none\" or \"half-cycle\"; "
                            "expected no occupancy setting with correction \"%s\"",
                            mkba_correction_names[corr]);
    t->occupancy = (mkba_occupancy)occ;
    t->correction = (mkba_correction)corr;
    t->discount_time = (mkba_discount_time)when;
    return 0;
}

static int read_discount(mkba_loader *ld, const config_setting_t *root)
{
    mkba_timing *t = &ld->m->timing;
    const config_setting_t *g = config_setting_get_member(root, "discount");
    t->rate_costs = t->rate_effects = DEFAULT_DISCOUNT;
    if (g == NULL)
        return 0;
    int rc;
    if ((rc = mkba_sc_expect_group(ld, g, "a group {costs = RATE; effects = RATE;}")) != 0
        || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_DISCOUNT)) != 0
        || (rc = mkba_sc_number(ld, g, "costs", 0, &t->rate_costs, NULL)) != 0
        || (rc = mkba_sc_number(ld, g, "effects", 0, &t->rate_effects, NULL)) != 0)
        return rc;
    const char *names[2] = {"costs", "effects"};
    double rates[2] = {t->rate_costs, t->rate_effects};
    for (int i = 0; i < 2; i++)
        if (!(rates[i] >= 0 && rates[i] < 1))
            return mkba_sc_fail(ld, config_setting_get_member(g, names[i]), NULL,
                                "%g is out of range; expected an annual rate as a fraction in "
                                "[0, 1), e.g. 0.0225 for 2.25%%", rates[i]);
    return 0;
}

/* A payer is part of the municipality perspective by default when its name
 * says so: Dutch municipal budgets are named "gemeente-..." by convention. */
static int default_municipal(const char *name)
{
    return strncmp(name, "gemeente", 8) == 0;
}

/* One payer: a name, or a group {name; municipal;}. A payer's `category`
 * is refused: since the MKBA table (mkba_rows.c) a payer's cost changes are
 * project costs or direct effects by their cost category, whoever pays. */
static int read_payer(mkba_loader *ld, const config_setting_t *e, int i)
{
    mkba_model *m = ld->m;
    mkba_payer_def *p = &m->payer_def[i];
    const char *name = NULL;
    int municipal = 0, has_municipal = 0, rc;
    if (config_setting_is_group(e)) {
        const config_setting_t *category = config_setting_get_member(e, "category");
        if (category != NULL)
            return mkba_sc_fail(ld, category, NULL, "a payer has no MKBA category any more: "
                                "its cost changes are project costs (cost categories team, "
                                "programme, investment, overheads) or direct effects, "
                                "whoever pays (docs/decision.md, \"One definition of costs "
                                "and benefits\"); remove the setting (an effect keeps its "
                                "own category)");
        if ((rc = mkba_sc_check_keys(ld, e, MKBA_KEYS_PAYER)) != 0
            || (rc = mkba_sc_string(ld, e, "name", 1, &name, NULL)) != 0
            || (rc = mkba_sc_bool(ld, e, "municipal", &municipal, &has_municipal)) != 0)
            return rc;
    } else {
        name = config_setting_get_string(e);
    }
    const config_setting_t *where = config_setting_is_group(e)
                                        ? config_setting_get_member(e, "name") : e;
    if (name == NULL || name[0] == '\0')
        return mkba_sc_fail(ld, where, NULL, "expected a payer name in double quotes or a "
                            "group {name = \"...\"; municipal = ...;}");
    for (int j = 0; j < i; j++)
        if (strcmp(m->payer[j], name) == 0)
            return mkba_sc_fail(ld, where, NULL, "payer '%s' is listed twice; expected unique "
                                "names", name);
    p->municipal = has_municipal ? municipal : default_municipal(name);
    char file[MKBA_PATH_MAX];
    p->line = (int)config_setting_source_line(where);
    if ((m->payer[i] = mkba_strdup(name)) == NULL || (p->name = mkba_strdup(name)) == NULL
        || (p->file = mkba_strdup(mkba_sc_file(ld, where, file, sizeof file))) == NULL)
        return mkba_sc_nomem(ld);
    return 0;
}

static int read_payers(mkba_loader *ld, const config_setting_t *root)
{
    mkba_model *m = ld->m;
    const config_setting_t *list = config_setting_get_member(root, "payers");
    if (list == NULL)
        return 0;
    int rc = mkba_sc_expect_list(ld, list, "a list of payer names or {name = ...;} groups");
    if (rc != 0)
        return rc;
    int n = config_setting_length(list);
    if ((m->payer = mkba_calloc((size_t)n, sizeof *m->payer)) == NULL
        || (m->payer_def = mkba_calloc((size_t)n, sizeof *m->payer_def)) == NULL)
        return mkba_sc_nomem(ld);
    for (int i = 0; i < n; i++) {
        /* Counted before its names are copied, so that mkba_model_free
         * frees them whatever fails next. */
        m->npayers = (size_t)i + 1;
        if ((rc = read_payer(ld, config_setting_get_elem(list, (unsigned)i), i)) != 0)
            return rc;
    }
    return 0;
}

static int read_effects(mkba_loader *ld, const config_setting_t *root)
{
    static const char *const directions[] = {"higher", "lower"};
    mkba_model *m = ld->m;
    const config_setting_t *list = config_setting_get_member(root, "effects");
    if (list == NULL)
        return 0;
    int rc = mkba_sc_expect_list(ld, list, "a list of {name = ...; unit = ...;} groups");
    if (rc != 0)
        return rc;
    int n = config_setting_length(list);
    if ((m->effect = mkba_calloc((size_t)n, sizeof *m->effect)) == NULL)
        return mkba_sc_nomem(ld);
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        mkba_effect_def *e = &m->effect[i];
        const char *name = NULL, *unit = NULL;
        int category = MKBA_CAT_DIRECT;
        e->payer = -1;
        if ((rc = mkba_sc_expect_group(ld, g, "a group {name = ...; unit = ...;}")) != 0
            || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_EFFECT)) != 0
            || (rc = mkba_sc_string(ld, g, "name", 1, &name, NULL)) != 0
            || (rc = mkba_sc_string(ld, g, "unit", 1, &unit, NULL)) != 0
            || (rc = mkba_sc_bool(ld, g, "monetary", &e->monetary, NULL)) != 0
            || (rc = mkba_sc_choice(ld, g, "better", directions, 2, &e->lower_is_better,
                                    NULL)) != 0
            || (rc = mkba_sc_choice(ld, g, "category", mkba_sc_category_names,
                                    MKBA_NCATEGORIES, &category, NULL)) != 0)
            return rc;
        e->category = (mkba_effect_category)category;
        for (int j = 0; j < i; j++)
            if (strcmp(m->effect[j].name, name) == 0)
                return mkba_sc_fail(ld, config_setting_get_member(g, "name"), NULL,
                                    "effect '%s' is defined twice; expected unique names", name);
        m->neffects = (size_t)i + 1;
        if ((e->name = mkba_strdup(name)) == NULL || (e->unit = mkba_strdup(unit)) == NULL)
            return mkba_sc_nomem(ld);
        if (e->monetary && e->lower_is_better)
            return mkba_sc_fail(ld, config_setting_get_member(g, "better"), NULL,
                                "a monetary effect is money gained, so more is better; expected "
                                "no better = \"lower\" here (enter a loss as negative amounts, "
                                "or as a cost of the payer who bears it)");
        const config_setting_t *payer = config_setting_get_member(g, "payer");
        if (payer != NULL && !e->monetary)
            return mkba_sc_fail(ld, payer, NULL, "only a monetary effect has a payer who gains "
                                "it; expected monetary = true, or no payer");
        if (payer != NULL
            && (rc = mkba_sc_lookup_member(ld, g, "payer", (const char *const *)m->payer,
                                           m->npayers, "payer", NULL, &e->payer)) != 0)
            return rc;
    }
    return 0;
}

static int read_arms(mkba_loader *ld, const config_setting_t *list)
{
    mkba_model *m = ld->m;
    int rc = mkba_sc_expect_list(ld, list, "a list of arms ( {name = ...; reference = true;}, "
                                 "... )");
    if (rc != 0)
        return rc;
    int n = config_setting_length(list);
    if (n > MKBA_MAX_ARMS)
        return mkba_sc_fail(ld, list, NULL, "%d arms; expected at most %d", n, MKBA_MAX_ARMS);
    /* Blended arms are added last (mkba_sc_blends): rules, parameters and
     * pathways know only the simulated ones. */
    if ((rc = mkba_sc_blend_count(ld, list, &n)) != 0)
        return rc;
    m->reference = -1;
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        mkba_arm *a = &m->arm[i];
        const char *name = NULL, *label = NULL, *target = NULL;
        if ((rc = mkba_sc_expect_group(ld, g, "a group {name = ...; ...}")) != 0
            || (rc = mkba_sc_mix_routes(ld, g)) != 0
            || (rc = mkba_sc_check_keys(ld, g, MKBA_KEYS_ARM)) != 0
            || (rc = mkba_sc_string(ld, g, "name", 1, &name, NULL)) != 0
            || (rc = mkba_sc_string(ld, g, "label", 0, &label, NULL)) != 0
            || (rc = mkba_sc_string(ld, g, "calibrated_to", 0, &target, NULL)) != 0
            || (rc = mkba_sc_bool(ld, g, "reference", &a->is_reference, NULL)) != 0)
            return rc;
        /* The banner quotes the target: an empty one would say nothing. */
        if (target != NULL && target[0] == '\0')
            return mkba_sc_fail(ld, config_setting_get_member(g, "calibrated_to"), NULL,
                                "empty; expected the figure the arm's overrides were tuned to "
                                "reproduce, e.g. \"-10%% adult municipal cost (Utrecht)\"");
        if (target != NULL && mkba_utf8_width(target) > MKBA_CALIBRATED_TO_MAX)
            return mkba_sc_fail(ld, config_setting_get_member(g, "calibrated_to"), NULL,
                                "%zu characters; expected at most %d: the figure the arm's "
                                "overrides were tuned to reproduce and its source, e.g. \"-10%% "
                                "adult municipal cost (Utrecht) [S1]\" (the banner quotes it "
                                "twice; put caveats in a comment)", mkba_utf8_width(target),
                                MKBA_CALIBRATED_TO_MAX);
        for (int j = 0; j < i; j++)
            if (strcmp(m->arm[j].name, name) == 0)
                return mkba_sc_fail(ld, config_setting_get_member(g, "name"), NULL,
                                    "arm '%s' is defined twice; expected unique names", name);
        m->narms = (size_t)i + 1;
        if ((a->name = mkba_strdup(name)) == NULL
            || (label != NULL && (a->label = mkba_strdup(label)) == NULL)
            || (target != NULL && (a->calibrated_to = mkba_strdup(target)) == NULL))
            return mkba_sc_nomem(ld);
        if (a->is_reference) {
            if (m->reference >= 0)
                return mkba_sc_fail(ld, config_setting_get_member(g, "reference"), NULL,
                                    "arms '%s' and '%s' both have reference = true; expected "
                                    "exactly one reference arm", m->arm[m->reference].name, name);
            m->reference = i;
        }
    }
    if (m->reference < 0)
        return mkba_sc_fail(ld, list, NULL, "no arm has reference = true; expected exactly one "
                            "reference arm (the nulalternatief)");
    return 0;
}

/* Reads every section in dependency order: arms before the parameter table
 * (which is sized by them), parameters before the rules that use them. */
static int read_scenario(mkba_loader *ld, const config_setting_t *root)
{
    mkba_model *m = ld->m;
    long long format = 0, price_year = 0;
    const char *name = NULL, *description = NULL, *currency = "EUR";
    int rc;
    if ((rc = mkba_sc_check_keys(ld, root, MKBA_KEYS_ROOT)) != 0
        || (rc = mkba_sc_integer(ld, root, "mkba_format", 1, &format, NULL)) != 0)
        return rc;
    if (format != 1)
        return mkba_sc_fail(ld, config_setting_get_member(root, "mkba_format"), NULL,
                            "format version %lld is not supported; expected mkba_format = 1",
                            format);
    if ((rc = mkba_sc_string(ld, root, "name", 1, &name, NULL)) != 0
        || (rc = mkba_sc_string(ld, root, "description", 0, &description, NULL)) != 0
        || (rc = mkba_sc_string(ld, root, "currency", 0, &currency, NULL)) != 0
        || (rc = mkba_sc_integer(ld, root, "price_year", 1, &price_year, NULL)) != 0)
        return rc;
    if (price_year < 1900 || price_year > 2200)
        return mkba_sc_fail(ld, config_setting_get_member(root, "price_year"), NULL,
                            "%lld is out of range; expected the year of the price level, "
                            "1900 to 2200", price_year);
    m->price_year = (int)price_year;
    if ((m->name = mkba_strdup(name)) == NULL
        || (description != NULL && (m->description = mkba_strdup(description)) == NULL)
        || (m->currency = mkba_strdup(currency)) == NULL)
        return mkba_sc_nomem(ld);

    const config_setting_t *arms = config_setting_get_member(root, "arms");
    const config_setting_t *domains = config_setting_get_member(root, "domains");
    if (arms == NULL)
        return mkba_sc_fail(ld, root, "arms", "required setting is missing; expected a list of "
                            "arms with one reference = true");
    if (domains == NULL)
        return mkba_sc_fail(ld, root, "domains", "required setting is missing; expected a list "
                            "of life domains");
    if ((rc = read_run(ld, root)) != 0 || (rc = read_timing(ld, root)) != 0
        || (rc = read_discount(ld, root)) != 0 || (rc = read_payers(ld, root)) != 0
        || (rc = read_effects(ld, root)) != 0 || (rc = read_arms(ld, arms)) != 0
        || (rc = mkba_sc_analysis(ld, config_setting_get_member(root, "analysis"))) != 0)
        return rc;

    if ((m->params = mkba_params_alloc(m->narms)) == NULL)
        return mkba_sc_nomem(ld);
    for (size_t a = 0; a < m->narms; a++)
        if (mkba_params_set_arm_name(m->params, a, m->arm[a].name) != MKBA_OK)
            return mkba_sc_nomem(ld);
    const config_setting_t *s;
    if ((s = config_setting_get_member(root, "parameters")) != NULL
        && (rc = mkba_sc_parameters(ld, s)) != 0)
        return rc;
    if ((rc = mkba_sc_overrides(ld, arms)) != 0)
        return rc;
    if ((s = config_setting_get_member(root, "correlations")) != NULL
        && (rc = mkba_sc_correlations(ld, s)) != 0)
        return rc;
    if ((rc = mkba_sc_domains(ld, domains)) != 0)
        return rc;
    if ((s = config_setting_get_member(root, "interactions")) != NULL
        && (rc = mkba_sc_interactions(ld, s)) != 0)
        return rc;
    if ((s = config_setting_get_member(root, "costs")) != NULL
        && (rc = mkba_sc_costs(ld, s)) != 0)
        return rc;
    if ((s = config_setting_get_member(root, "effect_values")) != NULL
        && (rc = mkba_sc_effect_values(ld, s)) != 0)
        return rc;
    if ((rc = mkba_sc_services(ld, config_setting_get_member(root, "services"))) != 0
        || (rc = mkba_sc_categories(ld)) != 0
        || (rc = mkba_sc_population(ld, config_setting_get_member(root, "population"))) != 0)
        return rc;
    if (mkba_params_finalize(m->params, ld->err) != 0)
        return ld->err->code != MKBA_OK ? ld->err->code : MKBA_EINVAL;
    return mkba_sc_blends(ld, arms, (int)m->narms);
}

/* Parses the file with libconfig and reads it; the model in ld->m is
 * filled as far as it got. */
static int load(mkba_loader *ld, config_t *cfg)
{
    mkba_model *m = ld->m;
    if ((m->path = mkba_strdup(ld->path)) == NULL)
        return mkba_sc_nomem(ld);
    int rc = mkba_sc_check_file_size(ld);
    if (rc != 0)
        return rc;
    /* The text is read first, so that a missing file is reported with the
     * system's reason rather than libconfig's generic "file I/O error". */
    if ((m->text = mkba_sc_read_text(ld->path)) == NULL)
        return mkba_error_set(ld->err, errno == ENOMEM ? MKBA_ENOMEM : MKBA_EIO,
                              "%s: cannot read the scenario: %s", ld->path, strerror(errno));
    const char *slash = strrchr(ld->path, '/');
    size_t dirlen = slash == NULL ? 0 : slash == ld->path ? 1 : (size_t)(slash - ld->path);
    if ((ld->dir = mkba_malloc(dirlen + 2)) == NULL)
        return mkba_sc_nomem(ld);
    if (dirlen == 0)
        strcpy(ld->dir, ".");
    else {
        memcpy(ld->dir, ld->path, dirlen);
        ld->dir[dirlen] = '\0';
    }
    /* libconfig resolves every @include (nested ones too) against this
     * folder, not against the including file's folder. */
    config_set_include_dir(cfg, ld->dir);
    if ((rc = mkba_sc_check_limits(ld, m->text)) != 0)
        return rc;
    if (config_read_file(cfg, ld->path) != CONFIG_TRUE)
        return mkba_sc_parse_error(ld, cfg);
    rc = mkba_sc_check_wide_integers(ld, ld->path, ld->m->text);
    if (rc == 0)
        rc = append_includes(ld, cfg);
    if (rc != 0)
        return rc;
    return read_scenario(ld, config_root_setting(cfg));
}

static int scenario_load(const char *path, mkba_model **out, mkba_error *err);

int mkba_scenario_load(const mkba_context *ctx, const char *path, mkba_model **out,
                       mkba_error *err)
{
    if (out == NULL || path == NULL)
        return mkba_error_set(err, MKBA_EINVAL, "mkba_scenario_load: path and out are required");
    *out = NULL;
    mkba_alloc_scope scope = mkba_alloc_enter(mkba_context_allocator(ctx));
    int rc = scenario_load(path, out, err);
    if (rc == MKBA_OK)
        (*out)->alloc = *mkba_context_allocator(ctx);
    mkba_alloc_leave(scope);
    return rc;
}

static int scenario_load(const char *path, mkba_model **out, mkba_error *err)
{
    mkba_error local;
    mkba_error_clear(&local);
    mkba_loader ld = {.path = path, .err = &local};
    if ((ld.m = mkba_calloc(1, sizeof *ld.m)) == NULL)
        return mkba_error_set(err, MKBA_ENOMEM, "%s: out of memory while loading", path);
    config_t cfg;
    config_init(&cfg);
    int rc = load(&ld, &cfg);
    config_destroy(&cfg);
    mkba_free(ld.dir);
    if (rc != 0) {
        mkba_model_free(ld.m);
        if (local.code == MKBA_OK)
            mkba_error_set(&local, MKBA_EINTERNAL, "%s: loading failed without a message", path);
        return mkba_error_set(err, local.code, "%s", local.message);
    }
    *out = ld.m;
    return MKBA_OK;
}
