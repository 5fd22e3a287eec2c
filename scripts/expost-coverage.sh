#!/usr/bin/env bash
# Coverage of the ex-post update (docs/expost.md, "Coverage"): K synthetic
# data sets of the shipped template whose true values are drawn from the
# prior (PSA draws 5001 .. 5000+K, `mkba expost --simulate --truth-draw`),
# each updated from one ex-ante PSA; prints the share of true values inside
# the posterior 50% and 90% intervals (about 50% and 90% when the update is
# calibrated), per data set and pooled over the data sets that reached the
# posterior, for three groups of parameters:
#   refined  the tuned walk's (/expost/refine/parameter: named or screened),
#   others   every other parameter, split into
#   free     those no observed figure can depend on by the model's
#            structure (/expost/refine/free: utilities, costs of payers no
#            figure observes...): their posterior is their prior, so they
#            measure the sampler alone, and
#   informed the rest (which the data may inform): the coverage that
#            matters,
#   utility  of the free, the utilities (u_*),
#   all      every parameter.
# Each pooled share comes with two standard errors: binomial at the nominal
# share over its true values (a lower bound) and from the spread of the
# data sets' own shares (which counts that a data set's values share one
# truth and one run).
# Data sets whose refinement stopped below temperature 1 (tempered, wider
# than the posterior) are listed and counted apart. Quote a figure only
# with K >= 10: the parameters of one data set share one truth and one run.
#
#   scripts/expost-coverage.sh [BIN] [K]
#
# Environment: EXPOST_DRAWS (60), EXPOST_HOUSEHOLDS (400) of the PSA and the
# refinement, EXPOST_TRUTH_HOUSEHOLDS (5000) of each truth run,
# EXPOST_REFINE (the parameters of the tuned walk; default: the screening),
# EXPOST_SPENDING (1: the template's spending row is kept; its normal
# likelihood includes the model's household noise V since lik11. 0: dropped,
# to measure the sampler apart from that likelihood),
# EXPOST_THREADS (1), EXPOST_FIRST (1: data sets FIRST .. K, so that
# several runs can share the K data sets; each prints its own pooled
# figures, and the data sets' true values and PSA are the same in all),
# EXPOST_DIR (keep each data set's files in this directory instead of a
# temporary one that is removed at the end), EXPOST_POOL (1: run nothing,
# pool the data sets FIRST .. K already in EXPOST_DIR, e.g. after two runs
# with EXPOST_FIRST=1 and 7 and K 6 and 12).
set -euo pipefail
bin=${1:-build/mkba}
k=${2:-10}
scenario=scenarios/pathways/model-b.cfg
template=scenarios/pathways/observed/model-b-template.csv
draws=${EXPOST_DRAWS:-60} households=${EXPOST_HOUSEHOLDS:-400}
truth_households=${EXPOST_TRUTH_HOUSEHOLDS:-5000} threads=${EXPOST_THREADS:-1}
first=${EXPOST_FIRST:-1}
refine=()
[ -n "${EXPOST_REFINE:-}" ] && refine=(--refine-parameters "$EXPOST_REFINE")
pool=${EXPOST_POOL:-0}
if [ -n "${EXPOST_DIR:-}" ]; then
    out=$EXPOST_DIR
    mkdir -p "$out"
else
    [ "$pool" = 1 ] && { echo "EXPOST_POOL=1 needs EXPOST_DIR" >&2; exit 2; }
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi
if [ "$pool" = 1 ]; then
    for i in $(seq "$first" "$k"); do
        [ -s "$out/columns-$i.txt" ] || { echo "$out: data set $i is missing" >&2; exit 2; }
    done
    first_run=$((k + 1))     # nothing to run
else
    first_run=$first
fi
if [ "$first_run" -gt "$k" ]; then
    :
elif [ "${EXPOST_SPENDING:-1}" = 1 ]; then
    cp "$template" "$out/template.csv"
else
    awk -F, '$3 != "spending"' "$template" > "$out/template.csv"
fi
# Each run its own PSA (the same: one seed), so that runs sharing
# EXPOST_DIR in parallel do not write one file.
psa=$out/psa-$first.h5
[ "$first_run" -gt "$k" ] || "$bin" run "$scenario" --draws "$draws" --households "$households" \
    --seed 4242 -q --threads "$threads" -o "$psa"
for i in $(seq "$first_run" "$k"); do
    "$bin" expost "$scenario" --simulate --observed "$out/template.csv" -o "$out/data-$i.csv" \
        -q --truth-draw $((5000 + i)) --households "$truth_households" --seed $((700 + i)) \
        --threads "$threads"
    "$bin" expost "$scenario" --observed "$out/data-$i.csv" --from "$psa" -q \
        --threads "$threads" -o "$out/expost-$i.h5" --accept-partial "${refine[@]}"
    for d in parameter:/expost/parameter summary:/expost/parameter_summary \
             update:/expost/update refined:/expost/refine/parameter \
             free:/expost/refine/free; do
        h5dump -y -w 0 -d "${d#*:}" "$out/expost-$i.h5" > "$out/${d%%:*}-$i.txt" \
            2>/dev/null || : > "$out/${d%%:*}-$i.txt"   # no refinement: no refined ones
    done
    h5dump -w 0 -a /expost/parameter_summary/description "$out/expost-$i.h5" \
        > "$out/columns-$i.txt"
    h5dump -w 0 -a /expost/update/description "$out/expost-$i.h5" \
        > "$out/update-columns-$i.txt"
done
python3 - "$out" "$first" "$k" <<'EOF'
import re, sys
out, first, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def data(path, strings=False):
    text = open(path).read()
    if "DATA {" not in text:
        return []
    body = text[text.index("DATA {") + 6:text.index("}", text.index("DATA {"))]
    if strings:
        return re.findall(r'"([^"]*)"', body)
    return [float(x) for x in re.findall(r'[-+0-9.eEnaNiIf]+', body) if x.strip()]
# The columns of /expost/parameter_summary, in the order its description
# (src/results/datasets.def) states; anything else stops the script.
COLUMNS = ("prior mean, 5% and 95%, posterior mean, 5% and 95%, and how much the data "
           "narrowed the 90% interval (1 - posterior width / prior width, a share), the "
           "number of distinct values in the posterior sample, and the posterior 25% and 75%")
PS_N, P05, P95, P25, P75 = 10, 4, 5, 8, 9
# The same for /expost/update (the part that names the last statistics).
UPDATE_COLUMNS = ("the number of normal scores labelled free (redrawn from the prior) and "
                  "the mean sd over the final particles of the other scores outside the "
                  "refined walk")
UP_N, UP_ESS, UP_REFINED, UP_PHI, UP_FREE, UP_OTHER_SD = 13, 1, 7, 9, 11, 12
groups = ("refined", "others", "free", "informed", "utility", "all")
pooled = {g: [0, 0, 0] for g in groups}     # true values, inside 50%, inside 90%
shares = {g: [] for g in groups}            # per data set reached: (inside 50%, inside 90%)
tempered = []
for i in range(first, k + 1):
    if COLUMNS not in open(f"{out}/columns-{i}.txt").read():
        sys.exit(f"data set {i}: /expost/parameter_summary's columns are not the expected "
                 f"ones (its description changed): update this script")
    if UPDATE_COLUMNS not in " ".join(open(f"{out}/update-columns-{i}.txt").read().split()):
        sys.exit(f"data set {i}: /expost/update's statistics are not the expected ones "
                 f"(its description changed): update this script")
    truth = {}
    for line in open(f"{out}/data-{i}.csv"):
        m = re.match(r"# true (\S+)=(\S+)", line)
        if m:
            truth[m.group(1)] = float(m.group(2))
    names = data(f"{out}/parameter-{i}.txt", True)
    ps = data(f"{out}/summary-{i}.txt")
    up = data(f"{out}/update-{i}.txt")
    refined = set(data(f"{out}/refined-{i}.txt", True))
    free_flag = data(f"{out}/free-{i}.txt")
    if refined and len(free_flag) != len(names):
        sys.exit(f"data set {i}: /expost/refine/free has {len(free_flag)} values, not "
                 f"{len(names)}")
    if len(ps) != len(names) * PS_N:
        sys.exit(f"data set {i}: /expost/parameter_summary has {len(ps)} values, not "
                 f"{len(names)} x {PS_N}")
    count = {g: [0, 0, 0] for g in groups}
    for j, name in enumerate(names):
        row = ps[j * PS_N:(j + 1) * PS_N]
        t = truth[name]
        group = ["refined" if name in refined else "others", "all"]
        if name not in refined and free_flag:
            group.append("free" if free_flag[j] == 1 else "informed")
        if name.startswith("u_"):
            group.append("utility")
        for g in group:
            count[g][0] += 1
            count[g][1] += row[P25] <= t <= row[P75]
            count[g][2] += row[P05] <= t <= row[P95]
    phi = up[UP_PHI]
    line = ", ".join(f"{g} {c[0]}: {c[1] / c[0]:.0%} / {c[2] / c[0]:.0%}"
                     for g, c in count.items() if c[0] > 0)
    if len(up) != UP_N:
        sys.exit(f"data set {i}: /expost/update has {len(up)} values, not {UP_N}")
    free = (f", {up[UP_FREE]:.0f} scores free, the other unrefined scores' sd "
            f"{up[UP_OTHER_SD]:.2f}" if up[UP_REFINED] > 0 else "")
    print(f"data set {i}: inside 50% / 90%: {line} (ESS {up[UP_ESS]:.1f}, refined "
          f"{up[UP_REFINED]:.0f}, temperature {phi:.2f}{free}"
          f"{', tempered: left out of the pooled figures' if phi < 1 else ''})")
    if phi < 1:
        tempered.append(i)
        continue
    for g in groups:
        for c in range(3):
            pooled[g][c] += count[g][c]
        if count[g][0] > 0:
            shares[g].append((count[g][1] / count[g][0], count[g][2] / count[g][0]))
used = k - first + 1 - len(tempered)
print(f"{used} of {k - first + 1} data sets reached the posterior (tempered: "
      f"{', '.join(map(str, tempered)) or 'none'})")
# Two standard errors of a pooled share: binomial at the nominal share
# over the n true values (a lower bound: the values of one data set share
# one truth and one run), and from the spread of the data sets' own shares
# over the K data sets (which counts that clustering; needs K >= 2).
def cluster_se(values):
    m = sum(values) / len(values)
    return (sum((v - m) ** 2 for v in values) / (len(values) - 1) / len(values)) ** 0.5
for g in groups:
    n, a50, a90 = pooled[g]
    if n > 0:
        per = shares[g]
        spread = (f"; se over the {len(per)} data sets {cluster_se([s[0] for s in per]):.1%} "
                  f"and {cluster_se([s[1] for s in per]):.1%}" if len(per) >= 2 else "")
        print(f"  {g}: {n} true values, inside the 50% interval {a50 / n:.1%}, inside the "
              f"90% interval {a90 / n:.1%} (binomial se at the nominal share "
              f"{(0.25 / n) ** 0.5:.1%} and {(0.09 / n) ** 0.5:.1%}{spread})")
if used < 10:
    print("fewer than 10 data sets: too few to quote")
EOF
