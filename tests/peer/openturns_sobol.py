#!/usr/bin/python3
"""Peer check of mkba's Sobol' estimators (src/analysis/sobol.c) with OpenTURNS.

Usage: openturns_sobol.py FILE

FILE holds a first-order Saltelli design and its outputs as written by
tests/unit/test_sobol.c: a line "n k", then n (k + 2) lines "u_1 .. u_k y"
in mkba's row order A, B, AB_1 .. AB_k. That is OpenTURNS's input-design
layout [A; B; E_1 .. E_k] (SobolIndicesExperiment, E_i = A with column i
from B), which this script checks before using it.

Prints "s1 i value" and "st i value" (i from 0) in mkba's conventions,
recomputed from OpenTURNS on the very same sample:

- First order: MauntzKucherenkoSensitivityAlgorithm estimates
  V_i = sum_j yB (yE_i - yA) / (N - 1) on outputs centred on their mean over
  the whole design, which is mkba's Saltelli (2010) sum divided by N - 1
  instead of N.
- Total order: JansenSensitivityAlgorithm estimates
  VT_i = sum_j (yE_i - yA)^2 / (2N - 1), mkba's Jansen (1999) sum divided by
  2N - 1 instead of 2N.
- Both divide by the variance of A alone (denominator N - 1), where mkba
  divides by the variance of A and B together (denominator 2N).

So S1 = S1_OT varA (N - 1) / N / V and ST = ST_OT varA (2N - 1) / (2N) / V,
with varA and V computed by OpenTURNS's Sample.computeVariance. Exit status
77 when OpenTURNS cannot be imported (the test then skips), 2 on a malformed
file or a design that is not in OpenTURNS's layout.
"""
import sys

try:
    import openturns as ot
except ImportError:
    print("openturns is not installed for", sys.executable)
    sys.exit(77)


def main(path):
    with open(path) as f:
        n, k = (int(v) for v in f.readline().split())
        rows = [[float(v) for v in line.split()] for line in f if line.strip()]
    if len(rows) != n * (k + 2) or any(len(r) != k + 1 for r in rows):
        print("expected %d rows of %d values" % (n * (k + 2), k + 1))
        return 2
    for i in range(k):
        for j in range(n):
            a, b, e = rows[j], rows[n + j], rows[(2 + i) * n + j]
            want = [b[c] if c == i else a[c] for c in range(k)]
            if e[:k] != want:
                print("row %d of block AB_%d is not A with column %d from B" % (j, i + 1, i + 1))
                return 2
    ot.Log.Show(ot.Log.NONE)
    x = ot.Sample([r[:k] for r in rows])
    y = ot.Sample([[r[k]] for r in rows])
    s1_ot = ot.MauntzKucherenkoSensitivityAlgorithm(x, y, n).getFirstOrderIndices()
    st_ot = ot.JansenSensitivityAlgorithm(x, y, n).getTotalOrderIndices()
    var_a = ot.Sample(y, 0, n).computeVariance()[0]
    var_ab = ot.Sample(y, 0, 2 * n).computeVariance()[0] * (2 * n - 1) / (2 * n)
    for i in range(k):
        print("s1 %d %.17g" % (i, s1_ot[i] * var_a * (n - 1) / n / var_ab))
    for i in range(k):
        print("st %d %.17g" % (i, st_ot[i] * var_a * (2 * n - 1) / (2 * n) / var_ab))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
