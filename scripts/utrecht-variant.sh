#!/bin/sh
# One variant of the utrecht arm, for the calibration sweep of
# docs/scenarios.md ("Calibration of utrecht-like"): copies scenarios/pathways
# and params/ to a temporary folder, applies a sed script to the copy of
# shared/arms/utrecht.cfg (or, with -f FILE, to another file of the copy,
# relative to scenarios/pathways), runs utrecht-like.cfg and prints the
# years 6-10 relative municipal cost by scripts/pathway-relative.py.
#
#   scripts/utrecht-variant.sh [-f FILE] SED-SCRIPT [mkba run options]
#
# Run from the top folder of a built worktree. The shipped files are never
# touched; the temporary folder is removed afterwards.
set -eu
file=shared/arms/utrecht.cfg
if [ "${1:-}" = "-f" ]; then file=$2; shift 2; fi
[ $# -ge 1 ] || { echo "usage: $0 [-f FILE] SED-SCRIPT [mkba run options]" >&2; exit 2; }
script=$1; shift
top=$(pwd)
[ -x "$top/build/mkba" ] || { echo "$0: no build/mkba in $top (run make first)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/utrecht-variant.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/scenarios"
cp -r "$top/scenarios/pathways" "$tmp/scenarios/"
cp -r "$top/params" "$tmp/"
target="$tmp/scenarios/pathways/$file"
[ -f "$target" ] || { echo "$0: no $file under scenarios/pathways" >&2; exit 2; }
cp "$target" "$tmp/before"
sed -i "$script" "$target"
if cmp -s "$tmp/before" "$target" && [ "$script" != "" ]; then
    echo "$0: the sed script changed nothing in $file" >&2; exit 2
fi
"$top/build/mkba" run "$tmp/scenarios/pathways/utrecht-like.cfg" -o "$tmp/r.h5" --force "$@" \
    >"$tmp/log" 2>&1 || { tail -3 "$tmp/log" >&2; exit 1; }
"$top/scripts/pathway-relative.py" "$tmp/r.h5" | tail -1
