#!/usr/bin/env bash
# Installs what mkba needs to build and test on Debian 12 (or a close
# Ubuntu): only the packages that are missing, so a second run does nothing.
# Runs apt-get as root, or through sudo when started by another user.
# Usage: install-deps.sh [--peers] [--fuzz]
set -euo pipefail

packages=(build-essential pkg-config libgsl-dev libconfig-dev libhdf5-dev hdf5-tools
          libcmocka-dev librandom123-dev libmatheval-dev)
# --peers adds the peer packages some tests compare against (they skip with a
# message without them): OpenTURNS for the Sobol estimators, R's mgcv for
# EVPPI. .ci/run asks for them.
# --fuzz adds clang with libFuzzer and the sanitizer runtimes (in
# libclang-rt-dev) and LLVM's OpenMP (libomp-dev), for `make fuzz`; the
# default clang of the release, so the names hold beyond Debian 12; python3
# packs the scenario seeds (tests/fuzz/scenario_seeds.py).
for option in "$@"; do
    case "$option" in
        --peers) packages+=(python3-openturns r-cran-mgcv r-cran-mass) ;;
        --fuzz) packages+=(clang libclang-rt-dev libomp-dev python3) ;;
        *) echo "install-deps: unknown option $option (expected --peers or --fuzz)" >&2
           exit 1 ;;
    esac
done

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
# apt's chatter goes to a log that is shown only when something fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
       ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive \
           apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "install-deps: apt-get failed (log above)" >&2
    exit 1
fi
