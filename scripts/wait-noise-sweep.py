#!/usr/bin/env python3
"""The mean-wait noise of the ex-post likelihood against the spread over seeds,
for every team and year of a scenario (docs/expost.md, "The likelihood of a
mean wait").

    scripts/wait-noise-sweep.py BIN SCENARIO.cfg [SEEDS] [HOUSEHOLDS]

Runs the base case SEEDS times (default 40) at HOUSEHOLDS (default 1000)
with seeds 1..SEEDS, then for every arm, team and year whose mean wait has
an sd over 0.02 years over the seeds and more than 20 admissions, prints
the mean of the queue walk's sd (the formula of src/expost/metric.c,
wait_variance, written again here) against the sd over the seeds, and the
median and range of the ratios, overall and per regime (docs/expost.md,
"What the method cannot do"): the queue the year's waits sum (the one at
the end of the year before) empty in some seeds only, or positive in every
seed, then by its age (the median over the seeds of the years since it last
emptied: 1-2, 3-5, 6 or more). For scenarios with yearly cycles (the
pathway scenarios). Needs numpy and h5py (/usr/bin/python3 on
Debian)."""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np


def lna_sd(q, r, h, dt):
    """sd of each year's mean wait (one cycle per year: dt years)."""
    out = np.full(len(q), np.nan)
    for y in range(len(q)):
        if r[y] <= 0:
            continue
        var, m = 0.0, y - 1
        while m >= 0 and q[m] > 0:
            before = q[m - 1] if m > 0 else 0.0
            var += max(r[m] + q[m] - before, 0.0) / h
            m -= 1
        out[y] = dt * np.sqrt(var) / r[y]
    return out


def regime(q, y):
    """The regime of year y's mean wait from the queues q[seed, year]."""
    before = q[:, y - 1] if y > 0 else np.zeros(q.shape[0])
    if np.any(before <= 0):
        return "empty in some seeds" if np.any(before > 0) else "empty in every seed"
    ages = []
    for s in range(q.shape[0]):
        m = y - 1
        while m >= 0 and q[s, m] > 0:
            m -= 1
        ages.append(y - 1 - m)
    age = np.median(ages)
    return "positive, age 1-2" if age <= 2 else "positive, age 3-5" if age <= 5 \
        else "positive, age 6+"


def main():
    binary, scenario = sys.argv[1], sys.argv[2]
    seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    h = float(sys.argv[4]) if len(sys.argv) > 4 else 1000.0
    tmp = tempfile.mkdtemp()
    wait, reached, queue = [], [], []
    for s in range(1, seeds + 1):
        out = os.path.join(tmp, "s%d.h5" % s)
        subprocess.run([binary, "run", scenario, "--draws", "0", "--households", str(int(h)),
                        "--seed", str(s), "-q", "--force", "-o", out], check=True)
        with h5py.File(out) as f:
            wait.append(f["/draws/services/team_mean_wait"][0])
            reached.append(f["/draws/services/team_reached"][0])
            queue.append(f["/draws/services/team_queue"][0])
            teams = [t.decode() for t in f["/labels/teams"][:]]
            arms = [a.decode() for a in f["/labels/arms"][:]]
        os.remove(out)
    wait, reached, queue = np.array(wait), np.array(reached), np.array(queue)
    ratios, by_regime = [], {}
    for a in range(wait.shape[1]):
        for t in range(wait.shape[3]):
            if np.all(reached[:, a, :, t] == 0):
                continue
            sd = np.nanstd(wait[:, a, :, t], 0, ddof=1)
            est = np.nanmean([lna_sd(queue[s, a, :, t], reached[s, a, :, t], h, 1.0)
                              for s in range(seeds)], 0)
            for y in range(wait.shape[2]):
                if sd[y] > 0.02 and np.mean(reached[:, a, y, t]) * h > 20:
                    ratios.append(est[y] / sd[y])
                    kind = regime(queue[:, a, :, t], y)
                    by_regime.setdefault(kind, []).append(est[y] / sd[y])
                    print("%s %s year %d: mean wait %.3f, sd over seeds %.3f, walk "
                          "%.3f, ratio %.2f (%s)" % (arms[a], teams[t], y + 1,
                                                     np.nanmean(wait[:, a, y, t]), sd[y],
                                                     est[y], est[y] / sd[y], kind))
    print("ratios of sd: median %.2f, range %.2f-%.2f over %d team-years"
          % (np.median(ratios), min(ratios), max(ratios), len(ratios)))
    for kind in sorted(by_regime):
        r = by_regime[kind]
        print("  %s: median %.2f, range %.2f-%.2f over %d team-years"
              % (kind, np.median(r), min(r), max(r), len(r)))


if __name__ == "__main__":
    main()
