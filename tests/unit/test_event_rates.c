/* The shipped pathway library's event rates against national figures
 * (issue 12, docs/scenarios.md "Event rates against national figures").
 *
 * The library's population is the households known to the municipal
 * social domain. Nationally 1.4 million households used an individual
 * social-domain provision in 2018 (SCP, "Voorzieningen in 3D", ch. 4), so
 * a national count N is N / 1.4e6 per known household. The classic arm of
 * the SHIPPED scenarios/pathways/classic.cfg is run through mkba_run and
 * its rates are read from /draws/occupancy and /draws/escalations.
 *
 * The band is stated before looking at the model: a factor 2 either way,
 * for the denominator (2018's users, every provision, Wmo-only elderly
 * included) and for persons against households. Every rate checked must
 * lie inside it. Evictions and debt restructurings lay 9.7 and 3.3 times
 * the national rate until issue 12 split eviction into judgment and
 * execution and recalibrated entry into a restructuring (branch rate12,
 * params/escalation.cfg); this test keeps them there. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "engine/services.h"
#include "support.h"

#define CLASSIC "scenarios/pathways/classic.cfg"
#define KNOWN_HOUSEHOLDS 1.4e6 /* SCP 2018: households using a provision */
#define BAND 2.0               /* stated factor either way */

/* National figures (docs/scenarios.md lists the pages). */
#define BIJSTAND_PERSONS 394000.0  /* CBS: algemene bijstand, end of 2022 */
#define JEUGDHULP_YOUTHS 457000.0  /* CBS: youths with jeugdhulp in 2022 */
#define EVICTIONS_2016 4800.0      /* Aedes: executed by corporations, 2016 */
#define DEBT_SETTLEMENTS 20471.0   /* NVVK members' debt settlements, 2019 */
#define WSNP_ADMITTED 3000.0       /* Raad voor Rechtsbijstand: WSNP, 2020 */

static int domain_index(const mkba_model *m, const char *name)
{
    for (size_t d = 0; d < m->ndomains; d++)
        if (strcmp(m->domain[d].name, name) == 0)
            return (int)d;
    fail_msg("domain '%s' missing from %s", name, m->path);
    return -1;
}

static int state_index(const mkba_model *m, int d, const char *name)
{
    for (int s = 0; s < m->domain[d].nstates; s++)
        if (strcmp(m->domain[d].state[s].name, name) == 0)
            return s;
    fail_msg("state '%s' of domain '%s' missing from %s", name, m->domain[d].name, m->path);
    return -1;
}

/* The column of (domain, state) in /draws/occupancy: states in domain
 * order (docs/output.md, /labels/states). */
static size_t state_column(const mkba_model *m, const char *domain, const char *state)
{
    int d = domain_index(m, domain);
    size_t col = 0;
    for (int i = 0; i < d; i++)
        col += (size_t)m->domain[i].nstates;
    return col + (size_t)state_index(m, d, state);
}

typedef struct run {
    mkba_model *m;
    double *occ, *esc;
    size_t D, A, T, S, N;
    size_t arm;
} run;

static void run_classic(run *r)
{
    mkba_error err = {0};
    memset(r, 0, sizeof *r);
    if (mkba_scenario_load(NULL, CLASSIC, &r->m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char path[64];
    snprintf(path, sizeof path, "/tmp/mkba-event-rates-%d.h5", (int)getpid());
    mkba_run_options o;
    mkba_run_options_init(&o);
    o.output = path;
    o.force = 1;
    o.draws = 50;
    /* Under the sanitizers fewer households (the suite's convention). */
    const char *san = getenv("MKBA_SANITIZED");
    o.households = san != NULL && san[0] != '\0' && strcmp(san, "0") != 0 ? 1000 : 2000;
    mkba_context ctx;
    mkba_context_init(&ctx);
    ctx.threads = 2;
    if (mkba_run(&ctx, r->m, &o, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    size_t nocc, nesc;
    r->occ = support_read_doubles(path, "/draws/occupancy", &nocc);
    r->esc = support_read_doubles(path, "/draws/escalations", &nesc);
    assert_true(r->occ != NULL && r->esc != NULL);
    remove(path);
    r->A = r->m->narms;
    r->T = (size_t)r->m->timing.ncycles;
    r->N = r->m->ndomains;
    r->S = 0;
    for (size_t d = 0; d < r->N; d++)
        r->S += (size_t)r->m->domain[d].nstates;
    r->D = nesc / (r->A * r->T * r->N);
    assert_int_equal(r->D, 50);
    assert_int_equal(nocc, r->D * r->A * (r->T + 1) * r->S);
    r->arm = (size_t)r->m->reference;
    assert_string_equal(r->m->arm[r->arm].name, "classic");
}

static void run_free(run *r)
{
    free(r->occ);
    free(r->esc);
    mkba_model_free(r->m);
}

/* Mean over draws and the points 1..T of the share of households in the
 * listed states (NULL-terminated pairs domain, state). */
static double prevalence(const run *r, const char *const *pairs)
{
    double sum = 0.0;
    for (const char *const *p = pairs; *p != NULL; p += 2) {
        size_t col = state_column(r->m, p[0], p[1]);
        for (size_t d = 0; d < r->D; d++)
            for (size_t j = 1; j <= r->T; j++)
                sum += r->occ[((d * r->A + r->arm) * (r->T + 1) + j) * r->S + col];
    }
    return sum / (double)(r->D * r->T);
}

/* Mean entries into a domain's second-line state per household a year. */
static double entries_per_year(const run *r, const char *domain)
{
    size_t n = (size_t)domain_index(r->m, domain);
    double sum = 0.0;
    for (size_t d = 0; d < r->D; d++)
        for (size_t k = 0; k < r->T; k++)
            sum += r->esc[((d * r->A + r->arm) * r->T + k) * r->N + n];
    return sum / (double)(r->D * r->T) / r->m->timing.cycle_years;
}

static void assert_in_band(const char *what, double model, double national)
{
    print_message("%-36s model %.4f  national %.4f  ratio %.2f\n", what, model, national,
                  model / national);
    if (model < national / BAND || model > national * BAND)
        fail_msg("%s: the model's %.4f per known household lies outside %.4f-%.4f (the "
                 "national %.4f within a factor %.0f); docs/scenarios.md, \"Event rates\"",
                 what, model, national / BAND, national * BAND, national, BAND);
}

static void test_classic_against_national(void **state)
{
    (void)state;
    run r;
    run_classic(&r);
    static const char *const bijstand[] = {"work_income", "medium", "work_income", "severe",
                                           NULL};
    static const char *const youth_help[] = {"youth", "medium", "youth", "placed", NULL};
    assert_in_band("households on full bijstand", prevalence(&r, bijstand),
                   BIJSTAND_PERSONS / KNOWN_HOUSEHOLDS);
    assert_in_band("households with youth help", prevalence(&r, youth_help),
                   JEUGDHULP_YOUTHS / KNOWN_HOUSEHOLDS);
    /* Entries into the top state: evictions against those executed by the
     * corporations (procedure -> judgment -> eviction), restructurings
     * against NVVK settlements plus WSNP admissions. */
    assert_in_band("evictions a year", entries_per_year(&r, "housing"),
                   EVICTIONS_2016 / KNOWN_HOUSEHOLDS);
    assert_in_band("debt restructurings a year", entries_per_year(&r, "debt"),
                   (DEBT_SETTLEMENTS + WSNP_ADMITTED) / KNOWN_HOUSEHOLDS);
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classic_against_national),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
