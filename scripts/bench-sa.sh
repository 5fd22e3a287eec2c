#!/usr/bin/env bash
# make bench-sa: a Sobol analysis of scenarios/pathways/all-models.cfg
# (10 factors, 2,000 households per point, 2 threads) at N = 128 and
# N = 512 base points: wall time, points per second and peak memory, so
# the cost is seen to grow linearly in points and the memory not at all.
set -euo pipefail
bin=${1:-build/mkba}
factors=caseload_team,caseload_family,self_share_makelpunt,improve_generalist,improve_specialist,improve_broker,detect_team,seek_severe,worsen_care,stigma_team
if [ ! -x /usr/bin/time ]; then
    echo "bench-sa: needs /usr/bin/time for the peak memory (apt-get install time)" >&2
    exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for n in ${BENCH_SA_N:-128 512}; do
    points=$((n * 12))
    /usr/bin/time -f "%e %M" -o "$out/time" "$bin" sa sobol scenarios/pathways/all-models.cfg \
        --factors "$factors" -n "$n" --households 2000 --threads 2 -q -o "$out/sobol.h5" --force
    read -r wall rss < "$out/time"
    awk -v n="$n" -v p="$points" -v w="$wall" -v r="$rss" 'BEGIN {
        printf "bench-sa: N=%d points=%d wall_s=%.1f points_per_s=%.1f peak_rss_MB=%.0f\n",
               n, p, w, p / w, r / 1024 }'
done
