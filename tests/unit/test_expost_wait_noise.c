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

/* ---- The rules exactly, on a hand-built draw with monthly cycles ---- */

#define MONTHS 24
/* In double precision (cmocka's assert_float_equal is single). */
#define assert_near(x, y, tol)                                                            \
    do {                                                                                  \
        double x_ = (x), y_ = (y);                                                        \
        if (!(fabs(x_ - y_) <= (tol)))                                                    \
            fail_msg("%s = %.17g, expected %.17g", #x, x_, y_);                           \
    } while (0)
#define H 2000.0

/* One draw, one arm, MONTHS monthly cycles of H households: an all-teams
 * queue q and admissions r (per household), copied in. */
typedef struct month_draw {
    mkba_h5_totals t;
    double q[MONTHS], r[MONTHS];
} month_draw;

static void month_draw_set(month_draw *x, const double *q, const double *r)
{
    memset(&x->t, 0, sizeof x->t);
    x->t.ndraws = x->t.narms = 1;
    x->t.ncycles = MONTHS;
    x->t.cycle_years = 1.0 / 12.0;
    x->t.households = (long)H;
    x->t.services = 1;
    memcpy(x->q, q, sizeof x->q);
    memcpy(x->r, r, sizeof x->r);
    x->t.service[MKBA_H5_SVC_QUEUE] = x->q;
    x->t.service[MKBA_H5_SVC_REACHED] = x->r;
}

/* The variance the likelihood adds to figure `metric` of year 2 with model
 * value mu (se 1, no n), from mkba_expost_model_noise. */
static double added(month_draw *x, mkba_expost_metric metric, double mu)
{
    mkba_observation o;
    memset(&o, 0, sizeof o);
    o.year = 2;
    o.metric = metric;
    o.n = NAN;
    o.se = 1.0;
    o.team = o.domain = o.payer = -1;
    o.likelihood = MKBA_LIK_NORMAL;
    mkba_observed obs = { "hand.csv", 1, &o };
    mkba_error err;
    mkba_error_clear(&err);
    if (mkba_expost_model_noise("unused.h5", &x->t, &obs, &mu, &err) != MKBA_OK)
        fail_msg("%s", err.message);
    return mkba_expost_model_variance(&o, mu);
}

/* A queue Q > 0 from the first month on, r admitted a month: the net
 * arrivals are a_0 = r + Q and a_m = r. Year 2's wait cycles sum q_11 ..
 * q_22, so the steps of months 0-11 reach all 12 of them and step m of
 * 12-22 reaches 23 - m: V = dt^2 (144 (Q + 12 r) + r (1^2 + ... + 11^2))
 * / (H R^2), R = 12 r, and the year's last queue q_23 carries every
 * step: 10^6 (Q + 24 r) / H per 1000 squared. */
static void test_rules_persistent_queue(void **state)
{
    (void)state;
    const double Q = 0.02, r = 0.005, dt = 1.0 / 12.0, R = 12 * r;
    double q[MONTHS], rr[MONTHS];
    for (int k = 0; k < MONTHS; k++)
        q[k] = Q, rr[k] = r;
    month_draw x;
    month_draw_set(&x, q, rr);
    double wait = dt * dt * (144 * (Q + 12 * r) + 506 * r) / (H * R * R);
    assert_near(added(&x, MKBA_METRIC_MEAN_WAIT, 0.4), wait, 1e-12 * wait);
    double stock = 1e6 * (Q + 24 * r) / H;
    assert_near(added(&x, MKBA_METRIC_WAITING, 20.0), stock, 1e-12 * stock);
}

/* The same queue emptied in month 17 (the sixth of year 2): steps of
 * months 0-11 reach q_11 .. q_16 (6 terms), step m of 12-16 reaches 17 - m,
 * step 17 is forgotten, and the queue restarts with a_18 = r + Q, whose
 * steps m of 18-22 reach 23 - m: V = dt^2 (36 (Q + 12 r) + 55 r + 25 (r +
 * Q) + 30 r) / (H R^2) = dt^2 (61 Q + 542 r) / (H R^2); the last queue
 * carries steps 18-23 only: 10^6 (Q + 6 r) / H. */
static void test_rules_queue_empties_mid_year(void **state)
{
    (void)state;
    const double Q = 0.02, r = 0.005, dt = 1.0 / 12.0, R = 12 * r;
    double q[MONTHS], rr[MONTHS];
    for (int k = 0; k < MONTHS; k++)
        q[k] = k == 17 ? 0.0 : Q, rr[k] = r;
    month_draw x;
    month_draw_set(&x, q, rr);
    double wait = dt * dt * (61 * Q + 542 * r) / (H * R * R);
    assert_near(added(&x, MKBA_METRIC_MEAN_WAIT, 0.4), wait, 1e-12 * wait);
    double stock = 1e6 * (Q + 6 * r) / H;
    assert_near(added(&x, MKBA_METRIC_WAITING, 20.0), stock, 1e-12 * stock);
}

/* Counts given with se: the household variance at the value itself, not
 * a share pooled over draws (1000 mu / H for events, mu (1000 - mu) / H
 * for occupancy, at two values whose ratio a pooled mu^2 rule would
 * square); reached is capped by the places and adds nothing. */
static void test_rules_counts_exact_at_mu(void **state)
{
    (void)state;
    double q[MONTHS] = { 0 }, rr[MONTHS] = { 0 };
    month_draw x;
    month_draw_set(&x, q, rr);
    for (double mu = 10.0; mu <= 40.0; mu += 30.0) {
        assert_near(added(&x, MKBA_METRIC_ESCALATIONS, mu), 1000.0 * mu / H, 1e-12);
        assert_near(added(&x, MKBA_METRIC_WITH_PROBLEM, 10 * mu),
                            10 * mu * (1000.0 - 10 * mu) / H, 1e-9);
        assert_near(added(&x, MKBA_METRIC_REACHED, mu), 0.0, 0.0);
    }
}

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
            v[i] += mkba_expost_model_variance(&ob[i], mu[i]) / SEEDS;
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
        cmocka_unit_test(test_rules_persistent_queue),
        cmocka_unit_test(test_rules_queue_empties_mid_year),
        cmocka_unit_test(test_rules_counts_exact_at_mu),
        cmocka_unit_test(test_noise_against_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
