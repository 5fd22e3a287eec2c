#!/bin/sh
# Problem and plan domains per household in each team's care (docs/scenarios.md,
# "The multi-problem team's caseload"): the figures the caseload_mpg comparison
# rests on (4.62 problem domains in the multi-problem teams, 2.67-2.68 plan
# domains; the generalists' 2.5-2.9 and 1.7-1.9).
#
#   scripts/team-domains.sh [SCENARIO [mkba run options]]
#
# Run from the top folder of a worktree. Copies src/, include/, scripts/,
# tools/, tests/, the Makefile, params/ and scenarios/pathways/ to a
# temporary folder, applies scripts/team-domains.patch there (a counter in mkba_svc_admit, never in the
# shipped engine), builds it, sets svc_population to 1000 (ample staff: ten
# times the places, as the Staffing section's demand runs) and runs SCENARIO
# (default all-models.cfg, 50 draws x 2,000 households, --threads 1). It prints,
# per arm and team, the household-cycles in care in years 6-10 and their mean
# problem domains (any severity) and plan domains. Nothing in the worktree is
# touched; the temporary folder is removed afterwards.
set -eu
scenario=${1:-all-models.cfg}
[ $# -ge 1 ] && shift
top=$(pwd)
[ -f "$top/scripts/team-domains.patch" ] || { echo "$0: run from the top folder (no scripts/team-domains.patch)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/team-domains.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -r "$top/src" "$top/include" "$top/Makefile" "$top/params" "$top/scripts" "$tmp/"
mkdir "$tmp/scenarios" && cp -r "$top/scenarios/pathways" "$tmp/scenarios/"
[ -d "$top/tools" ] && cp -r "$top/tools" "$tmp/"
[ -d "$top/tests" ] && cp -r "$top/tests" "$tmp/"
(cd "$tmp" && patch -p1 -s < "$top/scripts/team-domains.patch")
sed -i 's/^svc_population = { value = 10000.0;/svc_population = { value = 1000.0;/' "$tmp/params/services-teams.cfg"
grep -q '^svc_population = { value = 1000.0;' "$tmp/params/services-teams.cfg" \
    || { echo "$0: could not set svc_population in the copy" >&2; exit 2; }
(cd "$tmp" && make -j2 build/mkba >/dev/null)
cd "$tmp/scenarios/pathways"
"$tmp/build/mkba" run "$scenario" -o "$tmp/out.h5" --threads 1 --force "$@" 2>"$tmp/err" >/dev/null
grep '^team-domains:' "$tmp/err" | sed 's/^team-domains: //' | column -t
