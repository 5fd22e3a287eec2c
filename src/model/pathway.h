/* Routing rules of the service pathways as strategy objects
 * (docs/model.md, "Service pathways" and "How to add a pathway rule").
 *
 * Each rule is one file, src/model/pathway_NAME.c, that defines a const
 * mkba_pathway_rule `mkba_pathway_NAME`: which settings it takes, how it
 * reads and checks them when the scenario loads, where it sends a request
 * and how `mkba check` shows it. MKBA_PATHWAY_RULES (services.h) lists the
 * rules once; the loader, the printer and the engine call through
 * mkba_pathway_rule_of instead of switching on the rule.
 *
 * A rule's drawn values are checked per draw through the ranges its `read`
 * registers (mkba_sc_range_value), like every other value of a pathway. */
#ifndef MKBA_MODEL_PATHWAY_H
#define MKBA_MODEL_PATHWAY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "model.h"

struct mkba_loader;
struct config_setting_t;

/* A pathway setting that only some rules use. A rule lists the ones it
 * takes; every rule that does not list a setting refuses it. */
typedef struct mkba_pathway_setting {
    const char *name;
    int required;
    const char *missing;       /* the message when required and absent; NULL: the usual one */
} mkba_pathway_setting;

/* One request, as routing sees it. */
typedef struct mkba_route_request {
    int pd;                    /* presenting domain */
    uint32_t found;            /* other problems found at intake */
    const double *sev;         /* severity of each domain's current state */
    size_t ndomains;
} mkba_route_request;

/* What a rule decides for one request. The engine fills in the defaults
 * (no team, plan {pd}, no events) before it asks the rule. */
typedef struct mkba_route {
    int team;                  /* takes the household under a joint plan, or -1:
                                * the provider of pd takes it alone */
    uint32_t plan;             /* the request's domains (the team keeps those of
                                * plan | found it treats) */
    int front_intake;          /* the request cost the rule's team an intake */
    int home_visit;            /* the rule's team visits the household */
} mkba_route;

typedef struct mkba_pathway_rule {
    /* The settings all rules share: needed (1), allowed (0), refused (-1).
     * Degree none needs `providers` whatever the rule says. */
    signed char team, teams, providers;
    const mkba_pathway_setting *own;   /* the rule's own settings */
    int nown;
    int integrated;            /* has a degree of integration and joint plans (not classic) */
    int own_costs;             /* costs of its own (quick scans, home visits): needs a payer */
    int quick_scan;            /* every request is scanned first (own strength at scan share) */
    int intake_at_request;     /* its team charges the intake at the request, not at admission */
    int single_worker;         /* its team is one worker from one home organisation: one
                                  duplicate registration per client, not one per plan domain */
    int single_counter;        /* every request enters at its one team: the route is a
                                  front office, which the arm cannot go without */
    /* Reads the rule's own settings from pathway group g (after team,
     * teams and providers); NULL when it has none. Returns 0 or the
     * loader's error code. */
    int (*read)(struct mkba_loader *ld, const struct config_setting_t *g, mkba_pathway *p);
    /* Checks that every request has a route, once the pathway is read, at
     * degrees other than none; NULL when nothing can be missing. */
    int (*check)(struct mkba_loader *ld, const struct config_setting_t *g, const mkba_pathway *p);
    /* Routes request q of an integrated arm (degree not none) into r;
     * NULL for a rule that is not integrated. Must not keep state: it runs
     * on many threads at once. */
    void (*route)(const mkba_pathway *p, const mkba_team *teams, const mkba_route_request *q,
                  mkba_route *r);
    /* Whether the rule's team would take a household whose domains have
     * severities sev[0 .. ndomains), whatever it asks; NULL when every
     * household may reach the team. A rule with it may give the others
     * the access of another arm's route (classic_access). */
    int (*team_takes)(const mkba_pathway *p, const double *sev, size_t ndomains);
    /* Prints the rule's teams, providers and own settings for `mkba check`. */
    void (*print)(const mkba_model *m, FILE *f, const mkba_pathway *p);
} mkba_pathway_rule;

#define MKBA_PATHWAY_DECLARE_(id, name) extern const mkba_pathway_rule mkba_pathway_##name;
MKBA_PATHWAY_RULES(MKBA_PATHWAY_DECLARE_)
#undef MKBA_PATHWAY_DECLARE_

/* The rule object of `rule` (pathway_rules.c). */
const mkba_pathway_rule *mkba_pathway_rule_of(mkba_route_rule rule);

/* ---- helpers the rules share (pathway_rules.c) ---- */

/* Whether team `team` treats domain d. */
static inline int mkba_pathway_treats(const mkba_team *teams, int team, int d)
{
    return teams[team].domains >> d & 1u;
}

/* Route of models A and one-stop: the rule's team takes the household when
 * it treats the presenting domain. */
void mkba_pathway_route_team(const mkba_pathway *p, const mkba_team *teams,
                             const mkba_route_request *q, mkba_route *r);

/* Check of rules that send some households to the providers: every domain
 * of the rule's team needs a provider other than the team; `who` names
 * those households in the message. */
int mkba_pathway_check_providers(struct mkba_loader *ld, const struct config_setting_t *g,
                                 const mkba_pathway *p, const char *who);

/* The route lines of `mkba check`: the team and teams lines, the providers
 * line. mkba_pathway_print_route prints both, for rules with nothing else. */
void mkba_pathway_print_teams(const mkba_model *m, FILE *f, const mkba_pathway *p);
void mkba_pathway_print_providers(const mkba_model *m, FILE *f, const mkba_pathway *p);
void mkba_pathway_print_route(const mkba_model *m, FILE *f, const mkba_pathway *p);

/* "name = value" of the listed value indices, separated by ", "; and one
 * value's text (model_print.c). */
void mkba_print_values(const mkba_model *m, FILE *f, const char *const *names,
                       const int *index, int n);
void mkba_print_value_text(const mkba_model *m, int index, char *buf, size_t size);

#endif
