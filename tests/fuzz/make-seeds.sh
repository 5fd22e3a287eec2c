#!/usr/bin/env bash
# Writes the seed result files of fuzz_summary (and the first corpus of
# fuzz_h5bytes) with the mkba program given: small runs of the test
# scenarios, one file of each kind the summary reads (PSA draws, the base
# case, a cohort trace, a services scenario, two sensitivity analyses).
# Usage: tests/fuzz/make-seeds.sh MKBA OUT_FOLDER   (from the top folder)
set -euo pipefail
mkba=$1
out=$2
mkdir -p "$out"
common=(--threads 1 -q --force)
"$mkba" run tests/data/full.cfg -o "$out/psa.h5" --draws 6 --households 30 "${common[@]}"
"$mkba" run tests/data/full.cfg -o "$out/base.h5" --draws 0 --households 30 "${common[@]}"
"$mkba" run tests/data/full.cfg -o "$out/cohort.h5" --draws 3 --cohort "${common[@]}"
"$mkba" run tests/data/services.cfg -o "$out/services.h5" --draws 3 --households 30 "${common[@]}"
"$mkba" sa sobol tests/data/full.cfg -o "$out/sobol.h5" -n 8 --households 30 "${common[@]}"
"$mkba" sa tornado tests/data/full.cfg -o "$out/tornado.h5" --households 30 "${common[@]}"
