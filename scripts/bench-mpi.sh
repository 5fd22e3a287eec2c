#!/usr/bin/env bash
# make bench-mpi: strong and weak scaling across MPI ranks (docs/scaling.md).
#
#   scripts/bench-mpi.sh build-mpi/mkba
#
# Two workloads on the services engine (scenarios/pathways/all-models.cfg,
# 7 arms x 10 cycles): a PSA run, and a Sobol design of `mkba sa` (4
# factors, so n (4 + 2) points). Each runs on 1, 2 and 3 ranks with one
# OpenMP thread per rank; 3 ranks on a 2-core machine are oversubscribed
# and labelled so. Strong scaling keeps the work fixed; weak scaling gives
# every rank the same work (the 1-rank size times the ranks). One line per
# configuration: wall time of mpirun, household-cycles per second (points
# x households x arms x cycles over the wall time), efficiency (strong:
# T1 / (P TP); weak: T1 / TP) and peak resident memory (the largest rank,
# from /usr/bin/time on each rank). Then the bytes a worker sends rank 0
# per point, counted by Open MPI's own monitoring (pml_monitoring), not by
# mkba. Each configuration is run BENCH_MPI_REPEAT times (default 3) and
# its shortest wall time kept. Sizes: BENCH_MPI_HOUSEHOLDS (default 4000),
# BENCH_MPI_DRAWS (12), BENCH_MPI_N (8).
set -euo pipefail
bin=${1:-build-mpi/mkba}
scenario=scenarios/pathways/all-models.cfg
factors=caseload_team,detect_team,seek_severe,worsen_care
households=${BENCH_MPI_HOUSEHOLDS:-4000}
draws=${BENCH_MPI_DRAWS:-12}
n=${BENCH_MPI_N:-8}
cores=$(nproc)
export OMP_NUM_THREADS=1
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
for tool in mpirun /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench-mpi: needs $tool" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Arms and cycles, as `mkba check` states them.
shape=$("$bin" check "$scenario" | awk '/^Arms \(/ { gsub(/[()]/, "", $2); a = $2 }
    /^Timing:/ { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^cycles/) c = $i } END { print a * c }')
[ "$shape" -gt 0 ] || { echo "bench-mpi: cannot read the arms and cycles of $scenario" >&2; exit 1; }

# timed NP ARGS...: runs mkba on NP ranks BENCH_MPI_REPEAT times (default
# 3); sets wall (s, the shortest: other jobs only ever slow a run) and rss
# (KiB, the largest rank of any repeat).
timed() {
    local np=$1
    shift
    wall= rss=0
    for _ in $(seq "${BENCH_MPI_REPEAT:-3}"); do
        rm -f "$tmp"/rss.*
        local start end w r
        start=$(date +%s.%N)
        # shellcheck disable=SC2016
        mpirun -q --oversubscribe --stdin none -np "$np" sh -c \
            'exec /usr/bin/time -f %M -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$tmp/rss" \
            "$bin" "$@" -q --force --threads 1 -o "$tmp/out.h5" </dev/null
        end=$(date +%s.%N)
        w=$(echo "$end - $start" | bc -l)
        r=$(cat "$tmp"/rss.* | sort -n | tail -1)
        if [ -z "$wall" ] || [ "$(echo "$w < $wall" | bc -l)" -eq 1 ]; then wall=$w; fi
        if [ "$r" -gt "$rss" ]; then rss=$r; fi
    done
}

# workload NAME SCALING NP POINTS ARGS...: one line.
declare -A base
line() {
    local name=$1 scaling=$2 np=$3 points=$4
    shift 4
    timed "$np" "$@"
    local key="$name"
    [ "$np" -eq 1 ] && base[$key]=$wall
    local label=$np
    [ "$np" -gt "$cores" ] && label="$np(oversubscribed:${cores}cores)"
    awk -v w="$name" -v s="$scaling" -v p="$np" -v l="$label" -v t="$wall" -v t1="${base[$key]}" \
        -v pts="$points" -v h="$households" -v sh="$shape" -v r="$rss" 'BEGIN {
        eff = s == "strong" ? t1 / (p * t) : t1 / t
        printf "bench-mpi: workload=%s scaling=%s ranks=%s points=%d wall_s=%.2f " \
               "hcycles_per_s=%.0f efficiency=%.2f peak_rss_mb=%.0f\n",
               w, s, l, pts, t, pts * h * sh / t, eff, r / 1024 }'
}

for np in 1 2 3; do
    line services strong "$np" "$draws" run "$scenario" --draws "$draws" --households "$households"
done
for np in 2 3; do
    d=$((draws * np))
    line services weak "$np" "$d" run "$scenario" --draws "$d" --households "$households"
done
for np in 1 2 3; do
    line sobol strong "$np" $((n * 6)) sa sobol "$scenario" --factors "$factors" -n "$n" \
        --households "$households" --bootstrap 20
done
for np in 2 3; do
    m=$((n * np))
    line sobol weak "$np" $((m * 6)) sa sobol "$scenario" --factors "$factors" -n "$m" \
        --households "$households" --bootstrap 20
done

# Bytes per point sent to rank 0: 2 ranks and 2 W points (so rank 1
# evaluates W whatever the chunk, a power of 2 up to W), Open MPI's count
# of rank 1's point-to-point bytes to rank 0, less its 16-byte end
# message, over W: records and their messages' 16-byte headers.
volume() {
    local name=$1 w=$2
    shift 2
    rm -f "$tmp"/mon.*
    mpirun -q --oversubscribe --stdin none --mca pml_monitoring_enable 2 \
        --mca pml_monitoring_enable_output 3 --mca pml_monitoring_filename "$tmp/mon" -np 2 \
        "$bin" "$@" -q --force --threads 1 -o "$tmp/out.h5" </dev/null
    awk -v name="$name" -v w="$w" '$1 == "E" && $2 == 1 && $3 == 0 { b += $4; m += $6 } END {
        printf "bench-mpi: workload=%s bytes_to_rank0_per_point=%.0f messages=%d\n",
               name, (b - 16) / w, m }' "$tmp/mon.1.prof"
}
volume services 8 run "$scenario" --draws 16 --households 200 | tee "$tmp/volume"
bytes=$(awk -F'bytes_to_rank0_per_point=' '{ split($2, a, " "); print a[1] }' "$tmp/volume")
# Sobol: n (k + 2) = 8 x 4 = 32 points.
volume sobol 16 sa sobol "$scenario" --factors caseload_team,detect_team -n 8 --households 200 \
    --bootstrap 20

# The model (docs/scaling.md, "Where it stops"): rank 0 evaluates its own
# share and, one after the other, stores every point (receiving the
# others'), so a run of N points on P ranks takes
#   T(P) = T0 + ceil(N / P) (tp + te) + N (ts + B / link)
# against T(1) = T0 + N (tp + te + ts). Measured here, in CPU seconds (user
# + system) of one process, which is what a free core's wall time would be:
# T0, start and end (a run of 2 draws of 1 household); the overhead of a
# point (402 draws of 1 household, less T0, over 400), which is its
# evaluation's set-up te (parameters, engine, tables: on every rank) and
# rank 0's store ts (HDF5 row, checkpoint record, share of the analyses:
# serial), divided by BENCH_MPI_EVAL_SHARE, te's share of it by
# instruction counts (default 0.307: the review of scale17's callgrind of
# `run scenarios/pathways/all-models.cfg --draws 102 --households 1
# --threads 1`, evaluate_block 578 M Ir against store_block 732 M and
# mkba_h5_finish 571 M); tp, the evaluation of a point's households (the
# services run's draws, less T0 and their overheads, per draw, then per
# household); B, the bytes above. Assumed: the link's rate BENCH_MPI_LINK
# (bytes/s, default 1.25e9: 10 Gbit/s Ethernet).
link=${BENCH_MPI_LINK:-1.25e9}
eval_share=${BENCH_MPI_EVAL_SHARE:-0.307}
cpu() {
    /usr/bin/time -f "%U %S" -o "$tmp/t" "$bin" run "$scenario" "$@" -q --force --threads 1 \
        -o "$tmp/small.h5" </dev/null
    awk '{ print $1 + $2 }' "$tmp/t"
}
t0=$(cpu --draws 2 --households 1)
t402=$(cpu --draws 402 --households 1)
tbig=$(cpu --draws "$draws" --households "$households")
awk -v t0="$t0" -v t402="$t402" -v tbig="$tbig" -v d="$draws" -v hh="$households" -v b="$bytes" \
    -v link="$link" -v share="$eval_share" 'BEGIN {
    overhead = (t402 - t0) / 400
    if (overhead < 0) overhead = 0
    te = share * overhead
    ts = overhead - te
    per_household = (tbig - t0 - d * overhead) / d / hh
    printf "bench-mpi: model T0_s=%.2f te_ms=%.2f ts_ms=%.2f tp_per_household_us=%.2f bytes=%d link=%.3g\n",
           t0, te * 1e3, ts * 1e3, per_household * 1e6, b, link
    split("64 256 1024", ps, " ")
    split("10000 100000", hs, " ")
    n = 10000
    for (i = 1; i <= 2; i++) for (j = 1; j <= 3; j++) {
        h = hs[i]; p = ps[j]
        tp = h * per_household
        t1 = t0 + n * (tp + te + ts)
        tpar = t0 + int((n + p - 1) / p) * (tp + te) + n * (ts + b / link)
        printf "bench-mpi: model points=%d households=%d ranks=%d speedup=%.0f efficiency=%.2f\n",
               n, h, p, t1 / tpar, t1 / tpar / p
    }
}'
