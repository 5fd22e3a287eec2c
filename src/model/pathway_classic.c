/* The classic route: one provider per domain, one problem at a time. It has
 * no integrated team, no degree and no joint plan; the engine sends every
 * request to the provider of its presenting domain. */
#include "pathway.h"

const mkba_pathway_rule mkba_pathway_classic = {
    .team = -1, .teams = -1, .providers = 1,
    .print = mkba_pathway_print_route,
};
