#!/usr/bin/env bash
# Coverage of the ex-post update (docs/expost.md, "Coverage"): K synthetic
# data sets of the shipped template whose true values are drawn from the
# prior (PSA draws 5001 .. 5000+K, `mkba expost --simulate --truth-draw`),
# each updated from one ex-ante PSA; prints, over all data sets and
# uncertain parameters, the share of true values inside the posterior 50%
# and 90% intervals (about 50% and 90% when the update is calibrated).
#
#   scripts/expost-coverage.sh [BIN] [K]
#
# Environment: EXPOST_DRAWS (60), EXPOST_HOUSEHOLDS (400) of the PSA and the
# refinement, EXPOST_TRUTH_HOUSEHOLDS (5000) of each truth run,
# EXPOST_REFINE (the parameters of the tuned walk; default: the screening).
set -euo pipefail
bin=${1:-build/mkba}
k=${2:-10}
scenario=scenarios/pathways/model-b.cfg
template=scenarios/pathways/observed/model-b-template.csv
draws=${EXPOST_DRAWS:-60} households=${EXPOST_HOUSEHOLDS:-400}
truth_households=${EXPOST_TRUTH_HOUSEHOLDS:-5000}
refine=()
[ -n "${EXPOST_REFINE:-}" ] && refine=(--refine-parameters "$EXPOST_REFINE")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" run "$scenario" --draws "$draws" --households "$households" --seed 4242 -q \
    -o "$out/psa.h5"
for i in $(seq 1 "$k"); do
    "$bin" expost "$scenario" --simulate --observed "$template" -o "$out/data-$i.csv" -q \
        --truth-draw $((5000 + i)) --households "$truth_households" --seed $((700 + i))
    "$bin" expost "$scenario" --observed "$out/data-$i.csv" --from "$out/psa.h5" -q \
        -o "$out/expost-$i.h5" --accept-partial "${refine[@]}"
    h5dump -y -w 0 -d /expost/parameter "$out/expost-$i.h5" > "$out/names-$i.txt"
    h5dump -y -w 0 -d /expost/parameter_summary "$out/expost-$i.h5" > "$out/summary-$i.txt"
    h5dump -y -w 0 -d /expost/update "$out/expost-$i.h5" > "$out/update-$i.txt"
done
python3 - "$out" "$k" <<'EOF'
import re, sys
out, k = sys.argv[1], int(sys.argv[2])
def data(path, strings=False):
    text = open(path).read()
    body = text[text.index("DATA {") + 6:text.index("}", text.index("DATA {"))]
    if strings:
        return re.findall(r'"([^"]*)"', body)
    return [float(x) for x in re.findall(r'[-+0-9.eEnaNiIf]+', body) if x.strip()]
PS_N = 10   # MKBA_PS_N: ..., POST_P05 4, POST_P95 5, ..., POST_P25 8, POST_P75 9
total = in50 = in90 = 0
for i in range(1, k + 1):
    truth = {}
    for line in open(f"{out}/data-{i}.csv"):
        m = re.match(r"# true (\S+)=(\S+)", line)
        if m:
            truth[m.group(1)] = float(m.group(2))
    names = data(f"{out}/names-{i}.txt", True)
    ps = data(f"{out}/summary-{i}.txt")
    up = data(f"{out}/update-{i}.txt")
    a50 = a90 = 0
    for j, name in enumerate(names):
        row = ps[j * PS_N:(j + 1) * PS_N]
        t = truth[name]
        a90 += row[4] <= t <= row[5]
        a50 += row[8] <= t <= row[9]
    print(f"data set {i}: {len(names)} parameters, inside 50%: {a50 / len(names):.0%}, "
          f"inside 90%: {a90 / len(names):.0%} (ESS {up[1]:.1f}, refined {up[7]:.0f}, "
          f"temperature {up[9]:.2f})")
    total += len(names)
    in50 += a50
    in90 += a90
print(f"all {k} data sets: {total} true values, inside the 50% interval {in50 / total:.1%}, "
      f"inside the 90% interval {in90 / total:.1%}")
EOF
