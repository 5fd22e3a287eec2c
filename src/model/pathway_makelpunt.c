/* The sociaal makelpunt: every request gets a quick scan first, which sends
 * a share to own strength, network or volunteers; one question goes to its
 * provider, several questions to the broker (the rule's team) with a home
 * visit. */
#include "pathway.h"
#include "scenario_impl.h"

static const mkba_pathway_setting own[] = {
    {"quick_scan", 1, "a makelpunt needs its quick scan: quick_scan = { share = ...; cost = "
                      "...; } (share sent to own strength, network or volunteers)"},
    /* Read with the pathway's other costs: every pathway has the value, 0
     * where the rule refuses it. */
    {"home_visit_cost", 0, NULL}};

static int read(mkba_loader *ld, const config_setting_t *g, mkba_pathway *p)
{
    const config_setting_t *s = config_setting_get_member(g, "quick_scan");
    int rc;
    if ((rc = mkba_sc_expect_group(ld, s, "a group {share = ...; cost = ...;}")) != 0
        || (rc = mkba_sc_check_keys(ld, s, MKBA_KEYS_QUICK_SCAN)) != 0
        || (rc = mkba_sc_range_value(ld, s, "share", 1, 0, 0, 1, 0, "a share from 0 to 1",
                                     &p->quick_scan_share)) != 0)
        return rc;
    return mkba_sc_range_value(ld, s, "cost", 1, 0, 0, 1e9, 0, "a number >= 0",
                               &p->quick_scan_cost);
}

static int check(mkba_loader *ld, const config_setting_t *g, const mkba_pathway *p)
{
    return mkba_pathway_check_providers(ld, g, p, "single questions");
}

/* "Several questions" are the questions the scan found, not all problems. */
static void route(const mkba_pathway *p, const mkba_team *teams, const mkba_route_request *q,
                  mkba_route *r)
{
    if (q->found != 0 && mkba_pathway_treats(teams, p->team, q->pd)) {
        r->team = p->team;
        r->home_visit = 1;
    }
}

static void print(const mkba_model *m, FILE *f, const mkba_pathway *p)
{
    static const char *const scan[] = {"quick scan share", "cost"};
    char v[256];
    mkba_pathway_print_route(m, f, p);
    fprintf(f, "      ");
    mkba_print_values(m, f, scan, (const int[]){p->quick_scan_share, p->quick_scan_cost}, 2);
    mkba_print_value_text(m, p->home_visit_cost, v, sizeof v);
    fprintf(f, "; home visit cost %s\n", v);
}

const mkba_pathway_rule mkba_pathway_makelpunt = {
    .team = 1, .teams = -1, .providers = 1,
    .own = own, .nown = 2,
    .integrated = 1, .single_counter = 1, .own_costs = 1, .quick_scan = 1, .single_worker = 1,
    .read = read, .check = check, .route = route, .print = print,
};
