/* Model A, the broad wijkteam: one team for every domain it lists, with one
 * plan for all the household's problems it treats; questions it does not
 * treat go to their providers. */
#include "pathway.h"

const mkba_pathway_rule mkba_pathway_broad = {
    .team = 1, .teams = -1, .providers = 0,
    .integrated = 1, .single_counter = 1,
    .route = mkba_pathway_route_team,
    .print = mkba_pathway_print_route,
};
