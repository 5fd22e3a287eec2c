/* The shared "sim" of the service-pathway tests (support_sim.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "support_sim.h"

mkba_model *support_load(const char *path)
{
    mkba_model *m = NULL;
    mkba_error err = {0};
    if (mkba_scenario_load(NULL, path, &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    return m;
}

void sim_open_draw(sim *s, const char *path, long households, long draw)
{
    mkba_error err = {0};
    memset(s, 0, sizeof *s);
    s->m = support_load(path);
    s->l = mkba_layout_alloc(s->m, &err);
    assert_non_null(s->l);
    s->t = mkba_tables_alloc(s->m, s->l);
    s->pw = mkba_params_work_alloc(s->m->params);
    s->np = mkba_params_count(s->m->params);
    s->values = calloc(s->m->narms * (s->np + 1), sizeof *s->values);
    assert_true(s->t && s->pw && s->values);
    assert_int_equal(mkba_params_sample(s->m->params, s->m->seed,
                                        draw < 0 ? 0 : (uint32_t)draw, draw < 0,
                                        draw < 0 ? MKBA_BASE_MEAN : s->m->base_case, s->values,
                                        s->pw, &err), MKBA_OK);
    s->households = households;
}

void sim_open(sim *s, const char *path, long households)
{
    sim_open_draw(s, path, households, 0);
}

void sim_close(sim *s)
{
    mkba_tables_free(s->t);
    mkba_layout_free(s->l);
    mkba_params_work_free(s->pw);
    free(s->values);
    mkba_model_free(s->m);
}

/* Sets value `index` in arm `arm` (all arms when arm < 0). */
void set_value(sim *s, int arm, int index, double v)
{
    for (size_t a = 0; a < s->m->narms; a++)
        if (arm < 0 || (size_t)arm == a)
            s->values[a * s->np + (size_t)index] = v;
}

/* Runs the draw with services into counts and a priced result. */
mkba_draw_result *sim_run(sim *s, int threads, mkba_counts **counts)
{
    mkba_error err = {0};
    assert_int_equal(mkba_tables_resolve(s->t, s->m, s->values, 0, &err), MKBA_OK);
    mkba_svc_work *w = mkba_svc_work_alloc(s->m, s->l, s->households, threads);
    mkba_counts *c = mkba_counts_alloc(s->l);
    mkba_draw_result *r = mkba_draw_result_alloc(s->m);
    assert_true(w && c && r);
    mkba_svc_run(s->m, s->t, s->values, NULL, s->m->seed, 0, NULL, w, c);
    mkba_tally(s->m, s->l, c, s->values, NULL, r);
    mkba_svc_price(s->m, w, NULL, r);
    mkba_svc_work_free(w);
    if (counts != NULL)
        *counts = c;
    else
        mkba_counts_free(c);
    return r;
}
