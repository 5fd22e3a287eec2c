#!/bin/sh
# make bench-identical: proof that an engine change keeps every number.
#
#   scripts/bench-identical.sh write MKBA DIR   result files of binary MKBA into DIR
#   scripts/bench-identical.sh check MKBA DIR   the same runs, h5diff against DIR
#
# Write DIR once with a build from before the change (e.g. main's), then
# check after every step. The runs cover both engines: the services
# (lockstep) engine on every pathway and on the test scenarios with queues,
# the streaming engine on the default and benchmark models. In check mode
# each run is made on 1 and on 2 threads (on 3 too for a scenario of two
# arms, where the services engine shares each cycle's households between
# threads instead of giving each thread whole arms) and compared with the
# reference (written on 1 thread). Every dataset and attribute must be equal
# except the root attributes `created` (the date) and `threads`.
# With MKBA_NO_SIMD=1 in the environment the runs take the generic
# (non-AVX2) kernels, which must give the same files.
set -eu
mode=$1 bin=$2 dir=$3
case $mode in write | check) ;; *) echo "usage: $0 write|check MKBA DIR" >&2; exit 2 ;; esac
mkdir -p "$dir"
# name|scenario|threads|options
RUNS='all-models|scenarios/pathways/all-models.cfg|1 2|--draws 6 --households 3000
utrecht|scenarios/pathways/utrecht-like.cfg|1 2|--draws 3 --households 2000
svc|tests/data/services.cfg|1 2 3|
svc-queue|tests/data/services_queue.cfg|1 2 3|
default|scenarios/default.cfg|1 2|--draws 20 --households 2000
bench|scenarios/bench.cfg|1 2|--draws 2 --households 20000'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# differing A B: the objects that differ, less `created` and `threads`.
. "$(dirname "$0")/h5-differing.sh"
echo "$RUNS" | while IFS='|' read -r name cfg nthreads opts; do
    if [ "$mode" = write ]; then
        # shellcheck disable=SC2086
        "$bin" run "$cfg" -q --force --threads 1 $opts -o "$dir/$name.h5"
        echo "bench-identical: wrote $dir/$name.h5"
        continue
    fi
    for threads in $nthreads; do
        out="$tmp/$name-t$threads.h5"
        # shellcheck disable=SC2086
        "$bin" run "$cfg" -q --force --threads $threads $opts -o "$out"
        differing "$dir/$name.h5" "$out" >"$tmp/diff"
        if [ -s "$tmp/diff" ]; then
            echo "bench-identical: $name on $threads threads DIFFERS from $dir/$name.h5:"
            head -20 "$tmp/diff"
            : >"$tmp/failed"
        else
            echo "bench-identical: $name on $threads threads identical"
        fi
    done
done
[ ! -f "$tmp/failed" ] || { echo "bench-identical: FAILED"; exit 1; }
[ "$mode" = write ] || echo "bench-identical: every dataset identical"
