#!/usr/bin/env bash
# The shipped ex-post example (docs/expost.md, "The shipped example").
#
#   scripts/expost-example.sh [BIN]          regenerate the synthetic data
#   scripts/expost-example.sh [BIN] --time   also run the ex-ante PSA and time
#                                            the update: reweighting alone
#                                            (--no-refine) and with the
#                                            sequential refinement
#
# --time runs the commands of docs/expost.md, "The shipped example": a PSA of
# 200 draws of 1,000 households (seed 20240301), the update without the
# refinement (--no-refine --accept-partial), then with it, refining
# detect_team, p_pw_youth_escalate, seek_medium and seek_light. Environment:
# EXPOST_DRAWS, EXPOST_HOUSEHOLDS (200, 1000) of the PSA; EXPOST_OUT (a
# folder to keep psa.h5, rew.h5 and refine.h5 in for `mkba summary`;
# default: a temporary one, removed).
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
    if [ -n "${EXPOST_OUT:-}" ]; then
        out=$EXPOST_OUT
        mkdir -p "$out"
    else
        out=$(mktemp -d)
        trap 'rm -rf "$out"' EXIT
    fi
    draws=${EXPOST_DRAWS:-200} households=${EXPOST_HOUSEHOLDS:-1000}
    "$bin" run "$scenario" --draws "$draws" --households "$households" --seed 20240301 \
        --threads 2 -q -o "$out/psa.h5"
    for mode in reweighting refine; do
        if [ "$mode" = refine ]; then
            flags=(--refine-parameters detect_team,p_pw_youth_escalate,seek_medium,seek_light)
        else
            # Reweighting alone rests on about one draw here: keep its file.
            flags=(--no-refine --accept-partial)
        fi
        start=$(date +%s.%N)
        "$bin" expost "$scenario" --observed "$dir/model-b-synthetic.csv" --from "$out/psa.h5" \
            -o "$out/$([ "$mode" = refine ] && echo refine || echo rew).h5" --force \
            --threads 2 -q "${flags[@]}"
        end=$(date +%s.%N)
        awk -v m="$mode" -v s="$start" -v e="$end" -v d="$draws" -v h="$households" 'BEGIN {
            printf "expost-example: %s: %.1f s wall (%d draws of %d households)\n",
                   m == "refine" ? "with the sequential refinement" : "reweighting only",
                   e - s, d, h }'
    done
fi
