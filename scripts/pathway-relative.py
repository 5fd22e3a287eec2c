#!/usr/bin/env python3
"""Relative municipal cost of each arm against the reference, in years 6-10.

    scripts/pathway-relative.py RESULT.h5 [FIRST LAST]

The table of docs/scenarios.md ("Results of the shipped scenarios"), by the
arithmetic of tests/unit/test_calibration.c: per draw, the undiscounted
/draws/cost summed over cycles FIRST..LAST (default 6..10) and over the
payers of a group, then (arm - reference) / reference; printed as the mean
and the 5% and 95% points (linear interpolation, R's type 7) over the
draws. Groups: adults = gemeente-wmo, gemeente-participatiewet,
gemeente-schuldhulp; youth = gemeente-jeugdwet; municipality = both;
society = every payer. Reads the file with h5dump (no Python HDF5 module
needed)."""
import re
import subprocess
import sys

GROUPS = {
    "adults": ["gemeente-wmo", "gemeente-participatiewet", "gemeente-schuldhulp"],
    "youth": ["gemeente-jeugdwet"],
    "municipality": ["gemeente-wmo", "gemeente-participatiewet", "gemeente-schuldhulp",
                     "gemeente-jeugdwet"],
    "society": None,
}


def dump(path, name):
    out = subprocess.run(["h5dump", "-d", name, "-w", "0", path], check=True,
                         capture_output=True, text=True).stdout
    body = out[out.index("DATA {") + 6:]
    dims = [int(x) for x in re.search(r"DATASPACE\s+SIMPLE\s+\{\s*\(([^)]*)\)", out)
            .group(1).split(",")]
    if "STRING" in out.split("DATA {")[0]:
        return re.findall(r'"((?:[^"\\]|\\.)*)"', body), dims
    values = []
    for line in body.splitlines():
        if ":" in line:
            line = line.split(":", 1)[1]
        values += [float(x) for x in re.findall(r"-?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)", line)]
    return values, dims


def quantile(x, q):
    x = sorted(x)
    h = q * (len(x) - 1)
    i = int(h)
    if i + 1 >= len(x):
        return x[-1]
    return x[i] + (h - i) * (x[i + 1] - x[i])


def main():
    path = sys.argv[1]
    first, last = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (6, 10)
    arms, _ = dump(path, "/labels/arms")
    payers, _ = dump(path, "/labels/payers")
    cost, (D, A, T, P) = dump(path, "/draws/cost")
    reference = 0  # the library lists its reference arm, classic, first
    def total(d, a, group):
        s = 0.0
        for k in range(first - 1, last):
            for p in range(P):
                if group is None or payers[p] in group:
                    s += cost[((d * A + a) * T + k) * P + p]
        return s
    print("arm " + " ".join(GROUPS))
    for a in range(A):
        if a == reference:
            continue
        cells = []
        for g in GROUPS.values():
            rel = [100.0 * (total(d, a, g) - total(d, reference, g)) / total(d, reference, g)
                   for d in range(D)]
            cells.append("%+.1f%% [%+.1f, %+.1f]" % (sum(rel) / D, quantile(rel, 0.05),
                                                   quantile(rel, 0.95)))
        print(arms[a] + " | " + " | ".join(cells))


main()
