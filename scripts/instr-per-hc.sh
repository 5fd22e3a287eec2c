#!/bin/sh
# make bench-ir: instructions per household-cycle of both engines, the
# figure that stays stable on a loaded machine (wall times do not).
#
#   scripts/instr-per-hc.sh [MKBA]        (default build/mkba)
#
# Each engine runs one draw under callgrind at two household counts, on one
# thread; the difference of the instruction counts divided by the extra
# household-cycles (households x arms x cycles) leaves out start-up,
# loading, analyses and output, which do not grow with households.
# Streaming: scenarios/bench.cfg; services (lockstep): all-models.cfg.
set -eu
bin=${1:-build/mkba}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# instructions CFG HOUSEHOLDS: the total Ir of one run.
instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" \
        "$bin" run "$1" -q --force --threads 1 --draws 1 --households "$2" \
        -o "$tmp/r.h5" >/dev/null 2>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }
    sed -n 's/^summary: *//p' "$tmp/cg.out"
}
# per_hc CFG ARMS CYCLES H1 H2: instructions per household-cycle.
per_hc() {
    i1=$(instructions "$1" "$4")
    i2=$(instructions "$1" "$5")
    echo "$i1 $i2 $4 $5 $2 $3" | awk '{ printf "%.0f", ($2 - $1) / (($4 - $3) * $5 * $6) }'
}
# Both scenarios: 10 yearly cycles; bench.cfg 2 arms, all-models 7.
s=$(per_hc scenarios/bench.cfg 2 10 10000 30000)
v=$(per_hc scenarios/pathways/all-models.cfg 7 10 1000 3000)
echo "bench-ir: streaming_ir_per_hc=$s services_ir_per_hc=$v"
