/* Model C, the front post: a generalist team takes every request (and
 * charges its intake then), keeps the light questions it treats and refers
 * the others to the domain's provider under its joint plan. */
#include <math.h>
#include "pathway.h"
#include "scenario_impl.h"

static const mkba_pathway_setting own[] = {{"refer_above", 1, NULL}};

static int read(mkba_loader *ld, const config_setting_t *g, mkba_pathway *p)
{
    int rc = mkba_sc_number(ld, g, "refer_above", 1, &p->refer_above, NULL);
    if (rc != 0)
        return rc;
    if (!isfinite(p->refer_above))
        return mkba_sc_fail(ld, config_setting_get_member(g, "refer_above"), NULL,
                            "expected a finite severity score");
    return 0;
}

static void route(const mkba_pathway *p, const mkba_team *teams, const mkba_route_request *q,
                  mkba_route *r)
{
    int pd = q->pd;
    r->front_intake = 1;
    if ((q->sev[pd] <= p->refer_above || p->provider[pd] < 0)
        && mkba_pathway_treats(teams, p->team, pd))
        r->team = p->team;
    else
        r->team = p->provider[pd];
}

static void print(const mkba_model *m, FILE *f, const mkba_pathway *p)
{
    mkba_pathway_print_route(m, f, p);
    fprintf(f, "      refer to the provider above presenting severity %g\n", p->refer_above);
}

const mkba_pathway_rule mkba_pathway_front_post = {
    .team = 1, .teams = -1, .providers = 1,
    .own = own, .nown = 1,
    .integrated = 1, .intake_at_request = 1, .single_counter = 1,
    .read = read, .route = route, .print = print,
};
