#!/usr/bin/python3
"""Lists the user-facing error messages in src/ that no test provokes.

A message is a call site of one of the error-reporting functions below
(mkba_error_set, mkba_sc_fail, ...) or, in src/cli, an fprintf to stderr.
After the test suite has run on the coverage build (`make coverage`), gcov's
execution counts tell whether each call ran: gcov puts a multi-line call on
the line of its first token, and `gcov -b` lists the calls made on each line
with their counts. A message whose call never ran is unprovoked.

Messages that cannot be reached are listed, with the reason, in
docs/reliability.md, section "Error paths and coverage", each as a line
holding the file in backquotes and the start of its format string in double
quotes; they are reported apart. The function may follow the file, in
backquotes, and `function#N` picks the Nth of that function's messages
that start with those words (in the order of the source), for a function
that reports the same words at several places. An entry must pick one
message that did not run: one matching several, none, or one a test
provoked gets a warning (on standard error), so a stale or ambiguous
entry cannot hide a message that stopped being provoked. An entry meant
for every message with those words says so: `function#*`, or `*` for the
whole file (the same allocation failure reported in several places).

Usage: scripts/unprovoked-messages.py [--build DIR] [--all]
Run from the top folder of the repository. Exits 0; the last line gives the
counts.
"""
import argparse
import fnmatch
import glob
import os
import re
import subprocess
import sys

# Functions whose call sites report an error to the user, the files they
# apply to (a glob) and the position of the format among their arguments.
REPORTERS = [
    ("mkba_error_set", "src/*/*.c", 2),
    ("mkba_error_set_sys", "src/*/*.c", 3),
    ("mkba_sc_fail", "src/*/*.c", 3),
    ("mkba_h5_error", "src/*/*.c", 2),
    ("mkba_h5_write_error", "src/*/*.c", 2),   # its callers' words, or the cause
    ("mkba_cli_usage_error", "src/*/*.c", 0),
    ("fail", "src/core/expr.c", 1),            # the expression scanner's errors
    ("fail", "src/expost/observed.c", 2),      # the observed-data reader's
    ("fail", "src/report/manifest.c", 1),      # the chart manifest reader's
    ("extend_error", "src/study/study.c", 1),  # what a failed run kept, added
    ("fprintf(stderr", "src/cli/*.c", 1),
]
# Functions that only pass on a message made elsewhere (their callers'
# words): the reports made in their own bodies are skipped, in the file
# (glob) that defines them and nowhere else, so a function of the same
# name in another file is still checked. The third field names the
# reporters skipped there (None: all); a report with its own words in such
# a body (mkba_h5_write_error's "cannot write %s: %s") is a message too.
PASS_ON = [
    ("mkba_error_set", "src/core/error.c", None),
    ("mkba_error_set_sys", "src/core/error.c", None),
    ("mkba_sc_fail", "src/model/scenario_values.c", None),
    ("mkba_h5_error", "src/io/h5util.c", None),
    ("mkba_h5_write_error", "src/io/h5util.c", {"mkba_h5_error"}),
    ("mkba_cli_usage_error", "src/cli/args.c", None),
    ("mkba_cli_library_error", "src/cli/args.c", None),
    ("fail", "src/core/expr.c", None),
    ("fail", "src/expost/observed.c", None),
    ("fail", "src/report/manifest.c", None),
]


def passes_on(function, path, reporter):
    """Whether a report made by `reporter` inside `function` of `path` only
    passes a message on."""
    return any(function == name and fnmatch.fnmatch(path, pattern)
               and (which is None or reporter in which)
               for name, pattern, which in PASS_ON)


DOC = "docs/reliability.md"
DOC_SECTION = "Error paths and coverage"


def mask(text):
    """The text with comments blanked and string and character literals
    replaced by spaces inside their quotes, newlines kept, so offsets and
    line numbers stay valid."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                if out[k] != "\n":
                    out[k] = " "
            i = j + 1
        else:
            i += 1
    return "".join(out)


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def matching_paren(masked, open_at):
    depth = 0
    for k in range(open_at, len(masked)):
        if masked[k] == "(":
            depth += 1
        elif masked[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return len(masked) - 1


def enclosing_functions(masked):
    """For each offset range of a function body at file scope, the function's
    name: a list of (start, end, name)."""
    bodies = []
    depth = 0
    start = None
    for m in re.finditer(r"[{}]", masked):
        if m.group() == "{":
            if depth == 0:
                start = m.start()
            depth += 1
        else:
            depth -= 1
            if depth == 0 and start is not None:
                head = masked[max(0, start - 400):start]
                # A function body follows its parameter list's ')';
                # initializers (`= {`) and struct bodies do not.
                if re.search(r"\)\s*$", head):
                    bodies.append((start, m.end(), _function_name(head)))
                start = None
    return bodies


def _function_name(head):
    """The defined function's name in the text just before its body: the last
    identifier followed by '(' at the start of a statement (after ';', '}',
    or a blank line)."""
    tail = re.split(r"[;}]", head)[-1]
    names = re.findall(r"\b([A-Za-z_]\w*)\s*\(", tail)
    return names[0] if names else "?"


def message_text(text, masked, open_at, close, position):
    """The format the user reads: the string literals of argument number
    `position` (0-based) of the call whose parentheses are at open_at and
    close, joined as C joins adjacent literals."""
    depth, start, args = 0, open_at + 1, []
    for k in range(open_at, close + 1):
        c = masked[k]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if (c == "," and depth == 1) or k == close:
            args.append((start, k))
            start = k + 1
    if position >= len(args):
        return ""
    a, b = args[position]
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text[a:b]))


def call_sites(path):
    text = open(path, encoding="utf-8").read()
    masked = mask(text)
    bodies = enclosing_functions(masked)
    sites = []
    for name, pattern, position in REPORTERS:
        if not fnmatch.fnmatch(path, pattern):
            continue
        if name.startswith("fprintf"):
            regex = re.compile(r"\bfprintf\s*\(\s*stderr\b")
        else:
            regex = re.compile(r"(?<![\w.>])" + re.escape(name) + r"\s*\(")
        for m in regex.finditer(masked):
            inside = [b for b in bodies if b[0] < m.start() < b[1]]
            if not inside:
                continue            # a declaration or the definition itself
            function = inside[0][2]
            if passes_on(function, path, name.split("(")[0]):
                continue
            open_at = masked.index("(", m.start())
            close = matching_paren(masked, open_at)
            sites.append({
                "file": path,
                "line": line_of(text, m.start()),
                "end": line_of(text, close),
                "function": function,
                "reporter": name.split("(")[0],
                "message": message_text(text, masked, open_at, close, position),
            })
    return sites


def gcov_lines(path, build):
    """{line: (count or None, [call counts])} from gcov's text output for
    source `path`; None when the build has no data for it."""
    objdir = os.path.join(build, os.path.dirname(path))
    gcda = os.path.join(objdir, os.path.splitext(os.path.basename(path))[0] + ".gcda")
    if not os.path.exists(gcda):
        return None
    run = subprocess.run(["gcov", "-b", "-c", "-t", "-o", objdir, path],
                         capture_output=True, text=True)
    if run.returncode != 0:
        # A count file left by a program built before the object was.
        print(f"unprovoked-messages: gcov {path}: {run.stderr.strip()}; counted as never run",
              file=sys.stderr)
        return None
    out = run.stdout
    lines = {}
    current = None
    for row in out.splitlines():
        m = re.match(r"\s*([^:]+):\s*(\d+):", row)
        if m:
            count, number = m.group(1).strip(), int(m.group(2))
            if number == 0:
                continue
            if count == "-":
                value = None
            elif count.startswith("#") or count.startswith("="):
                value = 0
            else:
                value = int(count.rstrip("*"))
            current = lines.setdefault(number, [value, []])
            continue
        m = re.match(r"call\s+\d+\s+(returned (\d+)|never executed)", row)
        if m and current is not None:
            current[1].append(int(m.group(2)) if m.group(2) else 0)
    return lines


def provoked(site, lines):
    """Whether the call of `site` ran: the first line of the statement that
    gcov counts holds the call. When that line makes several calls (an `if`
    and the report), the report is the last of them (arguments and
    conditions are evaluated first)."""
    if lines is None:
        return False
    for number in range(site["line"], site["end"] + 1):
        entry = lines.get(number)
        if entry is None or entry[0] is None:
            continue
        count, calls = entry
        if count == 0:
            return False
        return calls[-1] > 0 if calls else True
    return False


def documented():
    """(file, function or None, ordinal or None, message start, doc line)
    listed as unreachable in the docs: a line holding the file in
    backquotes, optionally the function right after it in backquotes (with
    #N: its Nth message with those words), and the start of the format in
    double quotes."""
    try:
        text = open(DOC, encoding="utf-8").read()
    except OSError:
        return []
    m = re.search(r"^#+\s*" + re.escape(DOC_SECTION) + r"\s*$(.*?)(?=^#+\s|\Z)", text,
                  re.M | re.S)
    if not m:
        return []
    first = text.count("\n", 0, m.start(1)) + 1
    entries = []
    for i, row in enumerate(m.group(1).splitlines()):
        f = re.search(r"`(src/[^`]+\.c)`(?:\s*`(\w+|\*)(?:#(\d+|\*))?`)?", row)
        q = re.search(r'"((?:[^"\\]|\\.)+)"', row)
        if f and q and q.start() > f.start():
            function, ordinal = f.group(2), f.group(3)
            if function == "*":
                function, ordinal = None, "*"
            if ordinal is not None and ordinal != "*":
                ordinal = int(ordinal)
            entries.append((f.group(1), function, ordinal, q.group(1), first + i))
    return entries


def matches(entry, sites):
    """The sites (in source order) an entry names."""
    path, function, ordinal, start, _ = entry
    found = [s for s in sites if s["file"] == path and function in (None, s["function"])
             and s["message"].startswith(start)]
    if isinstance(ordinal, int):
        found = found[ordinal - 1:ordinal] if function is not None else []
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build-cov", metavar="DIR",
                    help="the coverage build folder (default build-cov)")
    ap.add_argument("--all", action="store_true",
                    help="list every message with its status, not only the unprovoked")
    args = ap.parse_args()
    if not os.path.isdir(args.build):
        sys.exit(f"unprovoked-messages: no folder {args.build}; run `make coverage` first")
    known = documented()
    sites = []
    for path in sorted(glob.glob("src/*/*.c")):
        found = sorted(call_sites(path), key=lambda s: s["line"])
        if not found:
            continue
        lines = gcov_lines(path, args.build)
        for s in found:
            s["ran"] = provoked(s, lines)
        sites.extend(found)
    explained_sites = set()
    for entry in known:
        named = matches(entry, sites)
        where = f"{DOC}:{entry[4]}"
        if not named:
            print(f"unprovoked-messages: {where}: the entry names no message (stale?)",
                  file=sys.stderr)
        elif len(named) > 1 and entry[2] != "*":
            print(f"unprovoked-messages: {where}: the entry names {len(named)} messages ("
                  + ", ".join(f'{s["file"]}:{s["line"]} in {s["function"]}' for s in named)
                  + "); pick one (`function`, `function#N`) or mark it `function#*` or `*`",
                  file=sys.stderr)
        for s in named:
            if s["ran"]:
                print(f'unprovoked-messages: {where}: documented as unreachable, but '
                      f'{s["file"]}:{s["line"]} was provoked', file=sys.stderr)
            explained_sites.add((s["file"], s["line"]))
    total = unprovoked = explained = 0
    for s in sites:
        total += 1
        if s["ran"]:
            status = "provoked"
        elif (s["file"], s["line"]) in explained_sites:
            status = "unreachable (docs)"
            explained += 1
        else:
            status = "UNPROVOKED"
            unprovoked += 1
        if args.all or status == "UNPROVOKED":
            print(f'{s["file"]}:{s["line"]}: {status}: {s["function"]}: '
                  f'"{s["message"]}"')
    print(f"unprovoked-messages: {unprovoked} of {total} messages unprovoked "
          f"({explained} more documented as unreachable in {DOC})")


if __name__ == "__main__":
    main()
