/* Blended arms (issue 12; docs/model.md, "Mixed arms"): an arm that mixes
 * route types by district or target group, e.g. model A in 60% of the
 * districts and model C in 40%, is not simulated; its results in each draw
 * are the share-weighted sum of the pure arms' results in that draw
 * (results/blend.c). Declared in the arms list, after the simulated arms:
 *     { name = "a-and-c"; blend = ( { arm = "model-a"; share = 0.6; },
 *                                   { arm = "model-c"; share = 0.4; } ); }
 */
#include <math.h>
#include <string.h>
#include "scenario_impl.h"
#include "core/alloc.h"
#include "core/strutil.h"
#include "params.h"
#include <stdio.h>

/* Shares must sum to 1 up to rounding in the file's decimals. */
#define BLEND_SUM_TOLERANCE 1e-9

int mkba_sc_blend_named(mkba_loader *ld, const config_setting_t *s, const char *name,
                        mkba_blend_use use)
{
    static const char *const advice[] = {
        [MKBA_BLEND_IN_RULE] = "a blend has no rules of its own, its parts' rules act in it: "
                               "name its parts in arms (a rule on every part acts on the "
                               "whole blend)",
        [MKBA_BLEND_IN_RATIO] = "a ratio applies to a simulated arm's probabilities, and a "
                                "blend has none: name one of its parts in of",
        [MKBA_BLEND_IN_ACCESS] = "classic access sends households to a simulated arm's "
                                 "classic route, and a blend has no route: name a simulated "
                                 "arm whose route is classic",
        [MKBA_BLEND_IN_PATHWAY] = "a blend has no pathway of its own, its parts' pathways "
                                  "act in it at their shares: remove this pathway",
    };
    const mkba_model *m = ld->m;
    for (size_t a = 0; name != NULL && a < m->narms; a++)
        if (m->arm[a].name != NULL && strcmp(m->arm[a].name, name) == 0)
            return 0;   /* a simulated arm; a blend of that name is refused as a duplicate */
    const config_setting_t *list = config_lookup(s->config, "arms");
    for (int i = 0; list != NULL && name != NULL && i < config_setting_length(list); i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        const char *other = NULL;
        if (config_setting_is_group(g) && config_setting_get_member(g, "blend") != NULL
            && config_setting_lookup_string(g, "name", &other) && strcmp(other, name) == 0)
            return mkba_sc_fail(ld, s, NULL, "'%s' is a blended arm, not simulated: %s "
                                "(docs/scenario.md, \"Blended arms\")", name, advice[use]);
    }
    return 0;
}

int mkba_sc_blend_count(mkba_loader *ld, const config_setting_t *list, int *nsimulated)
{
    const int n = config_setting_length(list);
    int first = n;
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        if (!config_setting_is_group(g))
            continue;
        const int blended = config_setting_get_member(g, "blend") != NULL;
        if (blended && config_setting_get_member(g, "reference") != NULL)
            return mkba_sc_fail(ld, g, "reference", "a blended arm cannot be the reference arm: "
                                "the reference is the status quo every arm is compared with "
                                "and is simulated (its households' starting states define the "
                                "groups of \"for whom\"); make a simulated arm the reference");
        if (blended && first == n)
            first = i;
        else if (!blended && first < n)
            return mkba_sc_fail(ld, g, NULL, "a simulated arm after the blended arm at index %d; "
                                "expected the blended arms at the end of arms, after the arms "
                                "they blend", first);
    }
    if (first == 0 && n > 0)
        return mkba_sc_fail(ld, config_setting_get_elem(list, 0), "blend", "every arm is "
                            "blended; expected simulated arms to blend, one of them the "
                            "reference");
    *nsimulated = first;
    return 0;
}

/* The simulated arm named by part p's `arm`, or a failure naming the
 * closest arm (and why a blended one cannot be a part). */
static int part_arm(mkba_loader *ld, const config_setting_t *list, const config_setting_t *p,
                    const char *self, int *arm)
{
    const mkba_model *m = ld->m;
    const char *name = NULL;
    int rc = mkba_sc_string(ld, p, "arm", 1, &name, NULL);
    if (rc != 0)
        return rc;
    if (strcmp(name, self) == 0)
        return mkba_sc_fail(ld, p, "arm", "blend '%s' names itself; expected a simulated arm",
                            name);
    for (int i = (int)mkba_model_simulated(m); i < config_setting_length(list); i++) {
        const char *other = NULL;
        config_setting_lookup_string(config_setting_get_elem(list, (unsigned)i), "name", &other);
        if (other != NULL && strcmp(other, name) == 0)
            return mkba_sc_fail(ld, p, "arm", "'%s' is a blended arm; a blend weighs simulated "
                                "arms only (write the shares of its parts instead)", name);
    }
    const char *names[MKBA_MAX_ARMS];
    for (size_t a = 0; a < mkba_model_simulated(m); a++)
        names[a] = m->arm[a].name;
    return mkba_sc_lookup(ld, p, name, names, mkba_model_simulated(m), "arm", NULL, arm);
}

/* Whether two definitions of one parameter are alike. */
static int same_dist(const mkba_dist *x, const mkba_dist *y)
{
    if (x->kind != y->kind || !(x->a == y->a) || !(x->b == y->b) || !(x->c == y->c)
        || x->group_size != y->group_size || x->group_index != y->group_index
        || (x->expr == NULL) != (y->expr == NULL)
        || (x->expr != NULL && strcmp(x->expr, y->expr) != 0))
        return 0;
    for (int i = 0; x->alpha != NULL && y->alpha != NULL && i < x->group_size; i++)
        if (!(x->alpha[i] == y->alpha[i]))
            return 0;
    return 1;
}

/* Parameter x as arm a defines it: 0 the scenario's, else its override. */
static const mkba_dist *view(const mkba_model *m, size_t x, int a)
{
    const mkba_param *q = mkba_params_get(m->params, x);
    return mkba_params_overridden(m->params, x, (size_t)a) ? &q->arm_dist[a] : NULL;
}

/* Whether a definition has one value in every arm that gives it alike: a
 * number, or an expression (whose inputs parts_alike compares too). A
 * distribution is not: each arm draws its override on a stream of its own
 * (params.c, ARM_PURPOSE), so two parts with the same beta(2, 2) start
 * from different values in every draw. */
static int same_in_every_arm(const mkba_dist *d)
{
    return d == NULL || d->kind == MKBA_DIST_FIXED || d->kind == MKBA_DIST_EXPR;
}

/* Where x reaches the starting population: the first starting setting
 * that reads x in the view of part `first`, else of another part of b with
 * a share; described into buf, with *self when that setting is x itself
 * and *reader the part whose view reads it (mark: scratch of one byte per
 * parameter). */
static int start_setting(const mkba_model *m, const mkba_blend *b, size_t first, size_t x,
                         unsigned char *mark, char *buf, size_t size, int *self, size_t *reader)
{
    const size_t np = mkba_params_count(m->params);
    for (size_t j = 0; j <= b->nparts; j++) {
        const size_t part = j == 0 ? first : j - 1;
        if (j > 0 && (part == first || !(b->share[part] > 0.0)))
            continue;
        size_t d;
        int st, v;
        for (size_t i = 0; (v = mkba_model_start_setting(m, i, &d, &st)) >= 0; i++) {
            memset(mark, 0, np);
            mark[v] = 1;
            if (mkba_params_inputs_arm(m->params, (size_t)b->arm[part], mark) != MKBA_OK)
                return MKBA_ENOMEM;
            if (!mark[x])
                continue;
            const mkba_domain *dom = &m->domain[d];
            const char *pname = mkba_params_get(m->params, (size_t)v)->name;
            if (st < dom->nstates)
                snprintf(buf, size, "the starting share of state '%s' of domain '%s' (%s)",
                         dom->state[st].name, dom->name, pname);
            else
                snprintf(buf, size, "initial.loading of domain '%s' (%s)", dom->name, pname);
            *self = (size_t)v == x;
            *reader = part;
            return MKBA_OK;
        }
    }
    snprintf(buf, size, "the starting population");
    *self = 0;
    *reader = first;
    return MKBA_OK;
}

/* Fails unless the parts of blend b (list s) with a share above 0 start
 * from one population: every parameter that sets a part's starting
 * population (the starting shares and initial.loading, and whatever their
 * expressions read in that part's own view) is, in every such part, the
 * scenario's, or overridden alike with a value every arm shares (a number
 * or an expression, not a distribution: same_in_every_arm). A weighted sum
 * of two starting populations is no district split of one; a part of
 * share 0 weighs nothing. The starting settings themselves are compared
 * first, so the message names the difference nearest to the start. */
static int parts_alike(mkba_loader *ld, const config_setting_t *s, const mkba_blend *b)
{
    const mkba_model *m = ld->m;
    const size_t np = mkba_params_count(m->params);
    unsigned char *all = mkba_calloc(np + 1, 1), *one = mkba_malloc(np + 1);
    int rc = all == NULL || one == NULL ? MKBA_ENOMEM : MKBA_OK;
    size_t first = b->nparts;
    for (size_t i = 0; rc == MKBA_OK && i < b->nparts; i++) {
        if (!(b->share[i] > 0.0))
            continue;
        if (first == b->nparts)
            first = i;
        rc = mkba_model_start_inputs(m, (size_t)b->arm[i], one);
        for (size_t x = 0; rc == MKBA_OK && x < np; x++)
            all[x] |= one[x];
    }
    for (size_t i = 0, v; rc == MKBA_OK
                          && (v = (size_t)mkba_model_start_setting(m, i, NULL, NULL)) != (size_t)-1;
         i++)
        all[v] = 2;
    size_t bad = np, at = 0;
    int random = 0;
    for (unsigned char pass = 2; pass >= 1 && bad == np; pass--)
        for (size_t x = 0; rc == MKBA_OK && bad == np && x < np; x++)
            for (size_t i = first + 1; all[x] == pass && bad == np && i < b->nparts; i++) {
                if (!(b->share[i] > 0.0))
                    continue;
                const mkba_dist *d0 = view(m, x, b->arm[first]), *di = view(m, x, b->arm[i]);
                if (!same_in_every_arm(d0) || !same_in_every_arm(di)) {
                    bad = x;
                    at = same_in_every_arm(d0) ? i : first;
                    random = 1;
                } else if ((d0 == NULL) != (di == NULL) || (d0 != NULL && !same_dist(d0, di))) {
                    bad = x;
                    at = di != NULL ? i : first;  /* a part that overrides x */
                }
            }
    char where[256];
    int self = 0;
    size_t reader = at;
    if (rc == MKBA_OK && bad < np)
        rc = start_setting(m, b, at, bad, one, where, sizeof where, &self, &reader);
    mkba_free(all);
    mkba_free(one);
    if (rc != MKBA_OK)
        return mkba_sc_nomem(ld);
    if (bad == np)
        return 0;
    const char *part = m->arm[b->arm[at]].name, *name = mkba_params_get(m->params, bad)->name;
    const config_setting_t *p = config_setting_get_elem(s, (unsigned)at);
    char what[800], in_view[200];
    if (reader == at)
        snprintf(in_view, sizeof in_view, "its view");
    else
        snprintf(in_view, sizeof in_view, "the view of arm '%s'", m->arm[b->arm[reader]].name);
    if (self)
        snprintf(what, sizeof what, "%s,", where);
    else
        snprintf(what, sizeof what, "'%s', which %s reads in %s,", name, where, in_view);
    if (random)
        return mkba_sc_fail(ld, p, "arm", "arm '%s' overrides %s with a distribution: each arm "
                            "draws its overrides on a stream of its own, so even a part that "
                            "overrides it alike would start from another value in every draw, "
                            "and a blend weighs parts of one population (the same households, "
                            "horizon and starting states); give the distribution in the "
                            "scenario's parameters, which every part shares, or override '%s' "
                            "with a number or an expression alike in every part", part, what,
                            name);
    return mkba_sc_fail(ld, p, "arm", "arm '%s' overrides %s unlike the other parts: its "
                        "households start elsewhere than theirs, and a blend weighs parts of "
                        "one population (the same households, horizon and starting states); "
                        "blend arms that keep the starting states, or override '%s' alike in "
                        "every part", part, what, name);
}

/* Blend b of arm `self` from its list s. */
static int read_parts(mkba_loader *ld, const config_setting_t *list, const config_setting_t *s,
                      const char *self, mkba_blend *b)
{
    int rc = mkba_sc_expect_list(ld, s, "a list of parts ( { arm = \"model-a\"; share = 0.6; "
                                 "}, ... ) whose shares sum to 1");
    if (rc != 0)
        return rc;
    const int n = config_setting_length(s);
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        const config_setting_t *p = config_setting_get_elem(s, (unsigned)i);
        static const char *const keys[] = {"arm", "share"};
        if ((rc = mkba_sc_expect_group(ld, p, "a group { arm = ...; share = ...; }")) != 0)
            return rc;
        for (int k = 0; k < config_setting_length(p); k++) {
            const char *key = config_setting_name(config_setting_get_elem(p, (unsigned)k));
            if (strcmp(key, keys[0]) != 0 && strcmp(key, keys[1]) != 0)
                return mkba_sc_fail(ld, p, key, "unknown setting; a part of a blend has arm "
                                    "and share");
        }
        double share;
        if ((rc = part_arm(ld, list, p, self, &b->arm[i])) != 0
            || (rc = mkba_sc_number(ld, p, "share", 1, &share, NULL)) != 0)
            return rc;
        if (!(share >= 0.0 && share <= 1.0))
            return mkba_sc_fail(ld, p, "share", "%g; expected the arm's share of the "
                                "households (districts), 0 to 1", share);
        for (int j = 0; j < i; j++)
            if (b->arm[j] == b->arm[i])
                return mkba_sc_fail(ld, p, "arm", "'%s' is named twice in the blend; expected "
                                    "each arm once with its whole share",
                                    ld->m->arm[b->arm[i]].name);
        b->share[i] = share;
        sum += share;
        b->nparts = (size_t)i + 1;
    }
    if (!(fabs(sum - 1.0) <= BLEND_SUM_TOLERANCE))
        return mkba_sc_fail(ld, s, NULL, "the shares sum to %.12g; expected 1 (within %g): "
                            "the blend's parts together are all the households", sum,
                            BLEND_SUM_TOLERANCE);
    return parts_alike(ld, s, b);
}

int mkba_sc_blends(mkba_loader *ld, const config_setting_t *list, int nsimulated)
{
    mkba_model *m = ld->m;
    const int n = config_setting_length(list);
    for (int i = nsimulated; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        const char *name = NULL, *label = NULL;
        int rc;
        for (int k = 0; k < config_setting_length(g); k++) {
            const char *key = config_setting_name(config_setting_get_elem(g, (unsigned)k));
            if (strcmp(key, "name") != 0 && strcmp(key, "label") != 0
                && strcmp(key, "blend") != 0)
                return mkba_sc_fail(ld, g, key, "not a setting of a blended arm, which has "
                                    "name, label and blend only: it is not simulated, so "
                                    "its parts' settings decide (docs/scenario.md, \"Blended "
                                    "arms\")");
        }
        if ((rc = mkba_sc_string(ld, g, "name", 1, &name, NULL)) != 0
            || (rc = mkba_sc_string(ld, g, "label", 0, &label, NULL)) != 0)
            return rc;
        for (size_t a = 0; a < m->narms; a++)
            if (strcmp(m->arm[a].name, name) == 0)
                return mkba_sc_fail(ld, config_setting_get_member(g, "name"), NULL,
                                    "arm '%s' is defined twice; expected unique names", name);
        mkba_arm *arm = &m->arm[m->narms];
        m->narms++;
        m->nblends++;
        if ((arm->name = mkba_strdup(name)) == NULL
            || (label != NULL && (arm->label = mkba_strdup(label)) == NULL))
            return mkba_sc_nomem(ld);
        mkba_blend *b = &m->blend[m->nblends - 1];
        if ((rc = read_parts(ld, list, config_setting_get_member(g, "blend"), name, b)) != 0)
            return rc;
        /* /labels/arm_teams: a blend runs (a share of) its parts' teams. */
        for (size_t k = 0; k < b->nparts; k++)
            m->services.pathway[m->narms - 1].teams_used |=
                m->services.pathway[b->arm[k]].teams_used;
    }
    return 0;
}
