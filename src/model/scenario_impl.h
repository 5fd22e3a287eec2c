/* Internals of the scenario loader, shared by its files:
 *   scenario.c        reading the file, top-level settings, arms, payers, effects
 *   scenario_analysis.c  the analysis group: perspectives, willingness to pay,
 *                     population, optimism bias, deadweight, PM items
 *   scenario_keys.c   the table of known settings and the unknown-setting check
 *   scenario_values.c error messages, typed getters, value specs, distributions,
 *                     the parameters, overrides and correlations sections
 *   scenario_rules.c  domains, transitions, interactions, costs, effect values
 *   scenario_syntax.c libconfig's parse errors explained from the file's text
 *   scenario_services.c  teams, pathways and their mechanisms
 *   scenario_population.c  the budget view's population block
 *   pathway_*.c       each routing rule's own settings (pathway.h)
 * Nothing here is part of the public API. */
#ifndef MKBA_MODEL_SCENARIO_IMPL_H
#define MKBA_MODEL_SCENARIO_IMPL_H

#include <libconfig.h>
#include <stdint.h>
#include "mkba/error.h"
#include "model.h"

#define MKBA_PATH_MAX 512

/* Tolerance for "proportions sum to 1" and "row sums to at most 1". */
#define MKBA_SUM_TOL 1e-9

/* Everything one load needs; lives on mkba_scenario_load's stack. */
typedef struct mkba_loader {
    const char *path;          /* the scenario file as given */
    char *dir;                 /* its folder: libconfig's include dir */
    mkba_model *m;
    mkba_error *err;
} mkba_loader;

/* --- scenario.c --- */

/* The file at path, NUL-terminated, or NULL with errno set: all of it,
 * or MKBA_SCENARIO_MAX_BYTES + 1 bytes of a larger one (enough to refuse
 * it; mkba_sc_check_limits does). */
char *mkba_sc_read_text(const char *path);

/* --- scenario_limits.c --- */

/* The most bytes and settings a scenario may have, its @include files
 * counted (docs/reliability.md, "Limits"): libconfig parses in time
 * quadratic in the settings. The shipped scenarios have about 110 KB and
 * 1,500 lines. */
#define MKBA_SCENARIO_MAX_BYTES (1 << 20)
#define MKBA_SCENARIO_MAX_SETTINGS 5000

/* When p starts a comment (#, // or / * ... * /) or a string of libconfig
 * text, returns the position of its last character (the one before the
 * newline that ends a line comment), adding the newlines inside it to
 * *line; at an unterminated one, the position of the closing NUL. Returns
 * NULL when p starts neither. */
const char *mkba_sc_skip_text(const char *p, int *line);

/* Refuses (MKBA_EINVAL) a scenario file larger than
 * MKBA_SCENARIO_MAX_BYTES, by its size alone, before it is read. */
int mkba_sc_check_file_size(mkba_loader *ld);

/* Refuses (MKBA_EINVAL, naming the file, and the line for the settings) a
 * scenario whose text (the main file's) and @include files, nested ones
 * too, have more than MKBA_SCENARIO_MAX_BYTES bytes or
 * MKBA_SCENARIO_MAX_SETTINGS settings, before libconfig parses them. */
int mkba_sc_check_limits(mkba_loader *ld, const char *text);

/* --- scenario_syntax.c --- */

/* Records the error of a failed config_read_file as "FILE:LINE: ..." with
 * what libconfig does not say: for an @include that cannot be opened, the
 * name, the path tried and the system's reason; for a duplicate setting,
 * its path and the line where it was first set; for a syntax error in a
 * value, a hint for a decimal comma or an unquoted formula or name.
 * Returns the error code (MKBA_EPARSE, or MKBA_EIO for files). */
int mkba_sc_parse_error(mkba_loader *ld, const config_t *cfg);

/* Refuses (MKBA_EINVAL, "FILE:LINE: ...") a whole-number literal in text,
 * the contents of `file`, that libconfig would wrap to 32 bits: one
 * without the L suffix beyond the 32-bit range (scenario_integers.c). */
int mkba_sc_check_wide_integers(mkba_loader *ld, const char *file, const char *text);

/* --- scenario_keys.c --- */

/* The groups whose settings are checked against a table of known names. */
typedef enum mkba_keyset {
    MKBA_KEYS_ROOT = 0, MKBA_KEYS_RUN, MKBA_KEYS_TIMING, MKBA_KEYS_DISCOUNT,
    MKBA_KEYS_EFFECT, MKBA_KEYS_ARM, MKBA_KEYS_CORRELATION, MKBA_KEYS_DOMAIN,
    MKBA_KEYS_STATE, MKBA_KEYS_INITIAL, MKBA_KEYS_TRANSITION,
    MKBA_KEYS_INTERACTION, MKBA_KEYS_COST, MKBA_KEYS_EFFECT_VALUE,
    MKBA_KEYS_VALUE, MKBA_KEYS_EXPR, MKBA_KEYS_PARAM,
    MKBA_KEYS_PAYER, MKBA_KEYS_ANALYSIS, MKBA_KEYS_PERSPECTIVE, MKBA_KEYS_WTP_RANGE,
    MKBA_KEYS_SERVICES, MKBA_KEYS_DEGREE_WEIGHTS, MKBA_KEYS_TEAM, MKBA_KEYS_PATHWAY,
    MKBA_KEYS_AWARENESS, MKBA_KEYS_SELF_RELIANCE, MKBA_KEYS_MATURITY, MKBA_KEYS_OVERHEADS,
    MKBA_KEYS_QUICK_SCAN, MKBA_KEYS_MULTI_PROBLEM, MKBA_KEYS_TRIAGE, MKBA_KEYS_HEALTH_VALUE,
    MKBA_KEYS_POPULATION, MKBA_KEYS_BUDGET_LINE, MKBA_KEYS_TAKE_UP,
    MKBA_KEYS_SUBSTITUTE, MKBA_KEYS_INTEGRATION, MKBA_KEYS_UNPOOLED,
    MKBA_KEYS_COUNT
} mkba_keyset;

/* Fails on the first member of `group` that is not in `set`, naming the
 * closest known setting, or listing them all when none is close. */
int mkba_sc_check_keys(mkba_loader *ld, const config_setting_t *group, mkba_keyset set);

/* Same for a distribution group: the known names are dist, source, unit and
 * the parameters of distribution `kind`. */
int mkba_sc_check_dist_keys(mkba_loader *ld, const config_setting_t *group, mkba_dist_kind kind);

/* The setting names of distribution `kind`'s parameters (NULL-terminated;
 * kind from MKBA_DIST_NORMAL to MKBA_DIST_DIRICHLET),
 * and the distribution names the format accepts, in mkba_dist_kind order
 * (index 0, "fixed", is not a valid `dist` value). */
const char *const *mkba_sc_dist_keys(mkba_dist_kind kind);
extern const char *const mkba_sc_dist_names[];

/* The MKBA table rows in mkba_effect_category order: "direct", "indirect",
 * "external" (MKBA_NCATEGORIES names). */
#define MKBA_NCATEGORIES 3
extern const char *const mkba_sc_category_names[MKBA_NCATEGORIES];

/* --- scenario_values.c --- */

/* The setting's path, e.g. "domains.[0].transitions.[1].probabilities.none";
 * `child`, when not NULL, is appended (for a missing member). */
void mkba_sc_path(const config_setting_t *s, const char *child, char *buf, size_t size);

/* The file a setting came from, resolved against the include folder, and
 * its line (0 when unknown). Returns a pointer into `buf` or ld->path. */
const char *mkba_sc_file(mkba_loader *ld, const config_setting_t *s, char *buf, size_t size);

/* Records "FILE:LINE: PATH[.child]: message" and returns MKBA_EINVAL. */
int mkba_sc_fail(mkba_loader *ld, const config_setting_t *s, const char *child,
                 const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
int mkba_sc_nomem(mkba_loader *ld);

/* Typed member getters. With required == 0 an absent member leaves *out
 * untouched and returns 0 (check `found` to know). A member of the wrong
 * type is an error. */
int mkba_sc_string(mkba_loader *ld, const config_setting_t *group, const char *name,
                   int required, const char **out, int *found);
int mkba_sc_number(mkba_loader *ld, const config_setting_t *group, const char *name,
                   int required, double *out, int *found);
int mkba_sc_integer(mkba_loader *ld, const config_setting_t *group, const char *name,
                    int required, long long *out, int *found);
int mkba_sc_bool(mkba_loader *ld, const config_setting_t *group, const char *name,
                 int *out, int *found);
/* A string member that must be one of choices[0..n): *out is its index. */
int mkba_sc_choice(mkba_loader *ld, const config_setting_t *group, const char *name,
                   const char *const *choices, size_t n, int *out, int *found);
/* Fails unless s is a group (what: how to describe the expected thing). */
int mkba_sc_expect_group(mkba_loader *ld, const config_setting_t *s, const char *what);
/* Fails unless s is a list or an array of 1.. elements. */
int mkba_sc_expect_list(mkba_loader *ld, const config_setting_t *s, const char *what);
/* Index of `name` in names[0..n), or a failure naming the closest. `what`
 * says which kind of name it is ("domain", "state"); `context` (may be
 * NULL) follows the name in the message (" in domain 'debt'"). */
int mkba_sc_lookup(mkba_loader *ld, const config_setting_t *s, const char *name,
                   const char *const *names, size_t n, const char *what,
                   const char *context, int *index);

/* A value spec: number, string (parameter name or expression) or group
 * {dist|value|expr}. Registers it (or reuses the named parameter) and sets
 * *index. *fixed is set to 1 and *value to the number when the value is a
 * fixed number (a literal, {value = ...}, or the name of a fixed parameter
 * without arm overrides), else *fixed = 0. `source` (may be NULL) is
 * recorded on a newly registered parameter. */
int mkba_sc_value(mkba_loader *ld, const config_setting_t *s, const char *source,
                  int *index, int *fixed, double *value);

/* mkba_sc_value for the amount of a cost or effect rule, priced per cycle:
 * the one setting whose parameter may vary by year (params.h). */
int mkba_sc_amount(mkba_loader *ld, const config_setting_t *s, const char *source,
                   int *index, int *fixed, double *value);

/* The parameters section, the arms' overrides and the correlations. */
int mkba_sc_parameters(mkba_loader *ld, const config_setting_t *section);
int mkba_sc_overrides(mkba_loader *ld, const config_setting_t *arms);
int mkba_sc_correlations(mkba_loader *ld, const config_setting_t *section);


/* A required name member looked up among names[0..n) (see mkba_sc_lookup). */
int mkba_sc_lookup_member(mkba_loader *ld, const config_setting_t *g, const char *member,
                          const char *const *names, size_t n, const char *what,
                          const char *context, int *index);

/* A required member naming one of the model's effects, looked up as
 * mkba_sc_lookup_member does. */
int mkba_sc_lookup_effect(mkba_loader *ld, const config_setting_t *g, const char *member,
                          int *index);

/* --- scenario_analysis.c --- */

/* The analysis group (section may be NULL: every default). Needs the
 * timing, payers and effects. */
int mkba_sc_analysis(mkba_loader *ld, const config_setting_t *section);

/* --- scenario_population.c --- */

/* The population block of the budget view (section may be NULL: no
 * budget view). Needs the timing, payers and domains. */
int mkba_sc_population(mkba_loader *ld, const config_setting_t *section);
/* The optional member `index` of g: "price" (the default) or "wage", the
 * budget view's index path for the amount (docs/budget.md). */
int mkba_sc_budget_index(mkba_loader *ld, const config_setting_t *g, int *wage_indexed);

/* --- scenario_rules.c --- */

int mkba_sc_domains(mkba_loader *ld, const config_setting_t *section);
int mkba_sc_interactions(mkba_loader *ld, const config_setting_t *section);
int mkba_sc_costs(mkba_loader *ld, const config_setting_t *section);
int mkba_sc_effect_values(mkba_loader *ld, const config_setting_t *section);

/* --- scenario_services.c --- */

/* The services group (section may be NULL: no services). Needs the
 * domains, payers and arms. */
int mkba_sc_services(mkba_loader *ld, const config_setting_t *section);
/* A value member `name` of g with its range [lo, hi] ((lo, hi] when
 * lo_open). Absent: an error when required, else the fixed default dflt.
 * A fixed value out of range fails now; every value is also checked per
 * draw (mkba_services_check). The index goes to *index. */
int mkba_sc_range_value(mkba_loader *ld, const config_setting_t *g, const char *name,
                        int required, double dflt, double lo, double hi, int lo_open,
                        const char *expect, int *index);
/* --- scenario_startup.c --- */
/* The optional start-up and secondment settings of pathway p from its
 * maturity (mat) and overheads (ov) groups, either may be NULL. */
int mkba_sc_startup(mkba_loader *ld, const config_setting_t *mat, const config_setting_t *ov,
                    mkba_pathway *p);
/* --- scenario_integration.c --- */
/* Pathway p's optional integration group (g is the pathway, ov its
 * overheads or NULL): the elements of integration its degree implies
 * unless it sets them, and their costs; ict_set says whether
 * overheads.shared_ict was given (else the degree decides). Before the
 * shared ICT's costs are read. */
int mkba_sc_integration(mkba_loader *ld, const config_setting_t *g, const config_setting_t *ov,
                        int ict_set, mkba_pathway *p);
/* --- scenario_blend.c --- */
/* The number of simulated arms in the arms list: those before the first
 * blended arm (a group with `blend`). Fails when a simulated arm follows
 * a blended one or a blended arm says reference. */
int mkba_sc_blend_count(mkba_loader *ld, const config_setting_t *list, int *nsimulated);
/* Appends the blended arms of the list (from nsimulated on) to the model,
 * after every other section, checking each blend's parts and shares. */
int mkba_sc_blends(mkba_loader *ld, const config_setting_t *list, int nsimulated);
/* A setting that names a blended arm: */
typedef enum mkba_blend_use {
    MKBA_BLEND_IN_RULE, MKBA_BLEND_IN_RATIO, MKBA_BLEND_IN_ACCESS, MKBA_BLEND_IN_PATHWAY
} mkba_blend_use;
/* Fails at s with advice for `use` when `name` is a blended arm of the
 * scenario and no simulated arm (rules and pathways are read before the
 * blends, which refuse a duplicate name); else 0. */
int mkba_sc_blend_named(mkba_loader *ld, const config_setting_t *s, const char *name,
                        mkba_blend_use use);
/* --- scenario_mix.c --- */
/* Pathway p's optional integrated_share (a mixed arm), after its route
 * settings and before classic_access. */
int mkba_sc_mix(mkba_loader *ld, const config_setting_t *g, mkba_pathway *p);
/* Refuses a list of routes in arm or pathway group g (several integrated
 * route types in one arm, which the engine does not run), with what is
 * supported instead; before g's keys are checked. */
int mkba_sc_mix_routes(mkba_loader *ld, const config_setting_t *g);
/* The index of the team named by string setting s; context ends the
 * message of an unknown name. */
int mkba_sc_team_index(mkba_loader *ld, const config_setting_t *s, const char *context, int *t);
/* --- scenario_substitution.c --- */

/* A pathway's `substitution` list (absent: none), after its teams and the
 * cost rules are read. */
int mkba_sc_substitution(mkba_loader *ld, const config_setting_t *g, size_t arm);

/* The cost categories of the cost rules and services (after both). */
int mkba_sc_categories(mkba_loader *ld);

#endif
