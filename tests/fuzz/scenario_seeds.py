#!/usr/bin/env python3
"""Writes fuzz_scenario seeds: each scenario of the repository with its
@include files packed into one input, as the target expects (the scenario,
then each included file after a line "@@@@", the @include lines renamed to
"incK.cfg").

Usage: tests/fuzz/scenario_seeds.py OUT_FOLDER   (from the top folder)
The seeds are made afresh by `make fuzz` (build-fuzz/seeds/scenario); only
small inputs the fuzzer found are committed (tests/fuzz/corpus/scenario):
  build-fuzz/fuzz_scenario -merge=1 tests/fuzz/corpus/scenario SMALL_INPUTS
"""
import glob
import hashlib
import os
import re
import sys

INCLUDE = re.compile(r'^(\s*)@include\s+"([^"]*)"', re.M)
MAX_PARTS = 16


def pack(path):
    """The packed input for scenario `path`, or None when it includes more
    files than the target has parts."""
    folder = os.path.dirname(path)   # libconfig resolves every @include here
    parts = [None]
    numbers = {}

    def rewrite(text):
        def one(m):
            name = os.path.normpath(os.path.join(folder, m.group(2)))
            if not os.path.isfile(name):
                return m.group(0)    # a missing include stays missing
            if name not in numbers:
                numbers[name] = len(parts)
                parts.append(None)
                with open(name, encoding="utf-8", errors="replace") as f:
                    parts[numbers[name]] = rewrite(f.read())
            return '%s@include "inc%d.cfg"' % (m.group(1), numbers[name])
        return INCLUDE.sub(one, text)

    with open(path, encoding="utf-8", errors="replace") as f:
        parts[0] = rewrite(f.read())
    if len(parts) > MAX_PARTS:
        return None
    return "\n@@@@\n".join(parts).encode()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    paths = sorted(glob.glob("scenarios/**/*.cfg", recursive=True)
                   + glob.glob("params/*.cfg")
                   + glob.glob("tests/data/**/*.cfg", recursive=True))
    for path in paths:
        data = pack(path)
        if data is None:
            print("skipped (too many includes):", path, file=sys.stderr)
            continue
        with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
