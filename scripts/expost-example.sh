#!/usr/bin/env bash
# The shipped ex-post example (docs/expost.md, "The shipped example").
#
#   scripts/expost-example.sh [BIN]          regenerate the synthetic data
#   scripts/expost-example.sh [BIN] --time   also run the ex-ante PSA and time
#                                            the update: reweighting alone
#                                            (--no-refine) and with the
#                                            sequential refinement
#
# The synthetic observed data are the model's own: the base case of
# scenarios/pathways/model-b.cfg with three "true" values, each figure of
# the template drawn through its observation model. Same binary, same file.
set -euo pipefail
bin=${1:-build/mkba}
dir=scenarios/pathways/observed
scenario=scenarios/pathways/model-b.cfg
"$bin" expost "$scenario" --simulate --observed "$dir/model-b-template.csv" \
    -o "$dir/model-b-synthetic.csv" --force -q --households 20000 --seed 20261205 \
    --set detect_team=0.66 --set p_pw_youth_escalate=0.09 --set seek_medium=0.7
echo "expost-example: wrote $dir/model-b-synthetic.csv"
if [ "${2:-}" = "--time" ]; then
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
    draws=${EXPOST_DRAWS:-200} households=${EXPOST_HOUSEHOLDS:-1000}
    "$bin" run "$scenario" --draws "$draws" --households "$households" --threads 2 -q \
        -o "$out/psa.h5"
    for mode in --no-refine refine; do
        # Reweighting alone rests on about one draw here: keep its file.
        flag=$([ "$mode" = refine ] && echo "" || echo "$mode --accept-partial")
        start=$(date +%s.%N)
        "$bin" expost "$scenario" --observed "$dir/model-b-synthetic.csv" --from "$out/psa.h5" \
            -o "$out/expost.h5" --force --threads 2 -q $flag
        end=$(date +%s.%N)
        awk -v m="$mode" -v s="$start" -v e="$end" -v d="$draws" -v h="$households" 'BEGIN {
            printf "expost-example: %s: %.1f s wall (%d draws of %d households)\n",
                   m == "refine" ? "with the sequential refinement" : "reweighting only",
                   e - s, d, h }'
    done
fi
