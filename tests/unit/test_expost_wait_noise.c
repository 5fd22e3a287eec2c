/* The Monte Carlo variance the likelihood adds to normal figures other than
 * spending (src/expost/metric.c, docs/expost.md "The likelihood of a mean
 * wait"), against an independent estimate: the spread of the model's
 * value over SEEDS base-case runs of the shipped model-b scenario that
 * differ only in the household streams.
 *
 * - A team's mean wait: the linear-noise approximation of its queue (a
 *   random walk of Poisson arrivals while the queue stays positive) for
 *   figures whose queue stays positive in every seed, where the
 *   approximation holds (a queue that empties in some seeds only is the
 *   documented limit).
 * - A count given with se: the binomial household noise mu (1000 - mu) / H
 *   of a share (with_problem) and the Poisson noise 1000 mu / H of a
 *   count of events (escalations).
 *
 * Each run has one draw, so the likelihood's variance of a figure is
 * var_share mu^2 exactly (the pooled share over one draw). The ratio of the
 * mean of those to the variance over the seeds has a sampling error of
 * sqrt(2 / (SEEDS - 1)), 26% with 30 seeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "mkba/mkba.h"
#include "mkba/expost.h"
#include "expost/expost_impl.h"
#include "support.h"

#define SEEDS 30
#define HOUSEHOLDS 1000

/* The figures (se 0.05 for waits, 5 per 1000 for counts: a normal
 * likelihood) and the bounds of the ratio V / spread each must meet. */
static const char csv[] =
    "year,arm,metric,value,n,se,domain,team,payer\n"
    "2,model_b,mean_wait,0.6,,0.05,,team-volwassenen,\n"
    "4,model_b,mean_wait,0.6,,0.05,,team-volwassenen,\n"
    "2,model_b,mean_wait,0.8,,0.05,,team-jeugd-gezin,\n"
    "2,model_b,with_problem,600,,5,debt,,\n"
    "2,classic,escalations,20,,5,youth,,\n";
#define NFIG 5
static const double lowest[NFIG] = { 0.5, 0.5, 0.5, 0.6, 0.6 };
static const double highest[NFIG] = { 2.5, 2.5, 2.5, 1.6, 1.6 };

static void test_noise_against_seeds(void **state)
{
    (void)state;
    mkba_model *m = NULL;
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_scenario_load(NULL, "scenarios/pathways/model-b.cfg", &m, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    mkba_observed *obs = NULL;
    if (mkba_observed_parse(csv, strlen(csv), "noise.csv", m, &obs, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    char out[256];
    snprintf(out, sizeof out, "/tmp/mkba-wait-noise-%ld.h5", (long)getpid());
    double sum[NFIG] = { 0 }, sq[NFIG] = { 0 }, v[NFIG] = { 0 };
    for (int s = 0; s < SEEDS; s++) {
        mkba_run_options o;
        mkba_run_options_init(&o);
        o.output = out;
        o.force = 1;
        o.draws = 0;
        o.households = HOUSEHOLDS;
        o.seed_set = 1;
        o.seed = 500 + (uint64_t)s;
        if (mkba_run(NULL, m, &o, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        mkba_h5_totals *t = NULL;
        if (mkba_h5_read_totals(out, &t, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        assert_int_equal(t->ndraws, 1);
        double *mu = mkba_expost_model_values(out, t, m, obs, &err);
        if (mu == NULL || mkba_expost_model_noise(out, t, obs, mu, &err) != MKBA_OK)
            fail_msg("%s", err.message);
        const mkba_observation *ob = obs->obs;
        for (size_t i = 0; i < NFIG; i++) {
            if (!isfinite(mu[i]))
                fail_msg("figure %zu has no model value at seed %d", i, s);
            /* A wait figure is asserted only where its queue never
             * empties: a positive value in every seed. */
            if (i < 3 && !(mu[i] > 0))
                fail_msg("figure %zu: no wait at seed %d, outside the tested regime", i, s);
            sum[i] += mu[i];
            sq[i] += mu[i] * mu[i];
            v[i] += ob[i].var_share * mu[i] * mu[i] / SEEDS;
        }
        free(mu);
        mkba_h5_totals_free(t);
    }
    remove(out);
    for (size_t i = 0; i < NFIG; i++) {
        double mean = sum[i] / SEEDS, spread = (sq[i] - SEEDS * mean * mean) / (SEEDS - 1);
        double ratio = v[i] / spread;
        print_message("figure %zu: mean %.4g, V %.4g, spread over seeds %.4g, ratio %.3f\n", i,
                      mean, v[i], spread, ratio);
        if (!(ratio >= lowest[i] && ratio <= highest[i]))
            fail_msg("figure %zu: V / spread %.3f outside [%g, %g]", i, ratio, lowest[i],
                     highest[i]);
    }
    mkba_observed_free(obs);
    mkba_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_noise_against_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
