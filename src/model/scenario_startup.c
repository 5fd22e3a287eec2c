/* Start-up and secondment settings of a pathway (issue 12; docs/model.md,
 * "Start-up and secondment"). The literature study [S1] gives about 2.5
 * years for the cooperation to take shape and up to 10 to be fully
 * efficient; during the change the old structure runs on beside the new
 * (an assumption: the study has no passage on it); seconded staff keep one foot in their home organisation ("extra werk,
 * planning en overleg"); and friction between staff can outlast the
 * start-up. Each setting is optional: absent, its index is -1 and the
 * engine does nothing for it. */
#include "pathway.h"
#include "scenario_impl.h"

/* Optional value `name` of group g (NULL: absent) in [0, hi]. */
static int optional(mkba_loader *ld, const config_setting_t *g, const char *name, double hi,
                    const char *expect, int *index)
{
    *index = -1;
    if (g == NULL || config_setting_get_member(g, name) == NULL)
        return 0;
    return mkba_sc_range_value(ld, g, name, 1, 0, 0, hi, 0, expect, index);
}

int mkba_sc_startup(mkba_loader *ld, const config_setting_t *mat, const config_setting_t *ov,
                    mkba_pathway *p)
{
    int rc;
    if ((rc = optional(ld, mat, "ramp_years", 1e3,
                       "years >= 0 over which the own teams' effect builds up from 0 (0: "
                       "none)", &p->ramp_years)) != 0
        || (rc = optional(ld, mat, "friction_lasting", 1,
                          "the share of the friction that stays after friction_years, 0 to 1 "
                          "(1 in a draw where the implementation fails)",
                          &p->friction_lasting)) != 0
        || (rc = optional(ld, ov, "double_running", 1e3,
                          "the old structure's cost during the transition as a share of the "
                          "own teams' staff cost, >= 0", &p->double_running)) != 0
        || (rc = optional(ld, ov, "double_running_years", 1e3,
                          "the years the old structure runs on beside the new, >= 0",
                          &p->double_running_years)) != 0
        || (rc = optional(ld, ov, "secondment", 1e3,
                          "the seconded staff's extra work for their home organisation as a "
                          "share of the own teams' staff cost, >= 0", &p->secondment)) != 0)
        return rc;
    if ((p->double_running >= 0) != (p->double_running_years >= 0))
        return mkba_sc_fail(ld, ov, p->double_running >= 0 ? "double_running_years"
                                                           : "double_running",
                            "required setting is missing; double running needs both its share "
                            "(double_running) and its period (double_running_years)");
    int any_own = p->ramp_years >= 0 || p->friction_lasting >= 0 || p->double_running >= 0
                  || p->secondment >= 0;
    if (any_own && !mkba_pathway_rule_of(p->rule)->integrated) {
        const config_setting_t *g = p->ramp_years >= 0 || p->friction_lasting >= 0 ? mat : ov;
        const char *name = p->ramp_years >= 0         ? "ramp_years"
                           : p->friction_lasting >= 0 ? "friction_lasting"
                           : p->double_running >= 0   ? "double_running"
                                                      : "secondment";
        return mkba_sc_fail(ld, g, name, "the classic route sets up no team of its own, so it "
                            "has no start-up or secondment; remove this setting");
    }
    /* At degree none the own teams take nobody: a ramp or lasting friction
     * would do nothing. */
    if ((p->ramp_years >= 0 || p->friction_lasting >= 0) && p->degree == MKBA_DEGREE_NONE)
        return mkba_sc_fail(ld, mat, p->ramp_years >= 0 ? "ramp_years" : "friction_lasting",
                            "degree none routes every household to the providers, so its "
                            "teams have no start-up effect; remove this setting or give a "
                            "degree of integration");
    if (p->friction_lasting >= 0 && config_setting_get_member(mat, "friction") == NULL)
        return mkba_sc_fail(ld, mat, "friction_lasting", "lasting friction is a share of "
                            "`friction`, which is missing; expected friction with it");
    return 0;
}
