/* The one-stop shop: one counter for the domains it lists. It routes as
 * model A does, but the domains the counter does not list need providers. */
#include "pathway.h"

const mkba_pathway_rule mkba_pathway_one_stop = {
    .team = 1, .teams = -1, .providers = 1,
    .integrated = 1, .single_counter = 1,
    .route = mkba_pathway_route_team,
    .print = mkba_pathway_print_route,
};
