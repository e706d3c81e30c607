#!/usr/bin/env python3
"""The text report is read in an 80-column terminal: every line of `analyze`
on each sample and of `diff` against its working counterpart fits, except a
single word that cannot be broken (a file path longer than the line).

usage: text_width.py TLSDIAG SAMPLES_DIR"""
import json
import os
import subprocess
import sys

WIDTH = 80


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tlsdiag, samples = sys.argv[1], sys.argv[2]
    with open(os.path.join(samples, "expect.json")) as f:
        manifest = json.load(f)["samples"]
    runs = []
    for entry in manifest:
        bad = os.path.join(samples, entry["capture"])
        runs.append(["analyze", bad])
        if entry.get("good") and entry["good"] != entry["capture"]:
            runs.append(["diff", "--good", os.path.join(samples, entry["good"]), "--bad", bad])
    failures = 0
    for args in runs:
        out = subprocess.run([tlsdiag] + args, capture_output=True, text=True).stdout
        if not out.strip():
            print(f"FAIL {' '.join(args)}: no text report")
            failures += 1
        for number, line in enumerate(out.splitlines(), 1):
            if len(line) > WIDTH and len(line.split()) > 1:
                print(f"FAIL {' '.join(args)}: line {number} has {len(line)} columns: {line}")
                failures += 1
    print(f"text_width: {len(runs)} reports, {failures} lines over {WIDTH} columns")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
