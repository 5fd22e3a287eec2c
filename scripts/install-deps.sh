#!/usr/bin/env bash
# Installs what mkba needs to build and test on Debian 12 (or a close
# Ubuntu): only the packages that are missing, so a second run does nothing.
# Runs apt-get as root, or through sudo when started by another user.
# Usage: install-deps.sh [--peers] [--coverage] [--fuzz] [--mpi]
set -euo pipefail

# python3 with matplotlib, h5py and numpy draws the charts of `mkba report`
# (tools/mkba_plots.py, run by /usr/bin/python3: Debian's, where these
# packages install).
packages=(build-essential pkg-config libgsl-dev libconfig-dev libhdf5-dev hdf5-tools
          libcmocka-dev librandom123-dev libmatheval-dev libxlsxwriter-dev
          python3 python3-matplotlib python3-h5py python3-numpy)
for option in "$@"; do
    case "$option" in
    # --peers adds the peer packages some tests compare against (they skip
    # with a message without them): OpenTURNS for the Sobol estimators, R's
    # mgcv for EVPPI, python3 to read back the xlsx and HTML report and
    # chromium to render the report headless (and for `mkba report --pdf`).
    # .ci/run asks for them.
    --peers) packages+=(python3-openturns r-cran-mgcv r-cran-mass python3 chromium) ;;
    # --coverage adds lcov (with genhtml) for `make coverage`; gcov comes
    # with gcc.
    --coverage) packages+=(lcov) ;;
    # --fuzz adds clang with libFuzzer and the sanitizer runtimes (in
    # libclang-rt-dev) and LLVM's OpenMP (libomp-dev), for `make fuzz`;
    # python3 packs the scenario seeds (tests/fuzz/scenario_seeds.py).
    --fuzz) packages+=(clang libclang-rt-dev libomp-dev python3) ;;
    # --mpi adds Open MPI for the optional build across processes and hosts
    # (make MPI=1, make check-mpi); the default build needs no MPI.
    --mpi) packages+=(libopenmpi-dev openmpi-bin) ;;
    *) echo "install-deps: unknown option '$option' (expected --peers, --coverage, --fuzz or --mpi)" >&2
       exit 2 ;;
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
# A mirror's passing error (a 5xx, a dropped connection) must not fail a
# CI run before any test: apt retries every download 3 times, and the
# index update, which also fails on a mirror caught mid-sync (a hash sum
# mismatch that no download retry mends), runs once more after a pause.
# On a freshly booted machine the boot-time updates may hold apt's locks:
# the install waits up to 5 minutes for dpkg's (the index update's own
# lock is not covered by this option: its retry above is what helps).
apt=(${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive
     apt-get -o Acquire::Retries=3 -o DPkg::Lock::Timeout=300)
if ! { { "${apt[@]}" update -qq || { sleep 15 && "${apt[@]}" update -qq; }; } &&
       "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "install-deps: apt-get failed (log above)" >&2
    exit 1
fi
