#!/usr/bin/env python3
"""Every report tlsdiag writes for the samples validates against
analyzer/report.schema.json: analyze on each sample, diff of each failing
sample against its working one (from samples/expect.json), and the array
that analyze writes for several captures.

usage: report_schema.py TLSDIAG SAMPLES_DIR SCHEMA"""
import json, os, subprocess, sys

try:
    import jsonschema
except ImportError:
    sys.exit("report_schema: python3-jsonschema is missing (make deps installs it)")

def run(binary, args):
    proc = subprocess.run([binary] + args + ["--format", "json"], capture_output=True, text=True, timeout=120)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(args)}: exit {proc.returncode}: {proc.stderr.strip()}")
    return json.loads(proc.stdout)

def main():
    binary, samples, schema_path = sys.argv[1:4]
    schema = json.load(open(schema_path))
    validator = jsonschema.Draft202012Validator(schema)
    manifest = json.load(open(os.path.join(samples, "expect.json")))
    runs = []
    for s in manifest["samples"]:
        cap = os.path.join(samples, s["capture"])
        runs.append((s["capture"], ["analyze", cap]))
        if s.get("good") and s["good"] != s["capture"]:
            runs.append((s["capture"] + " diff", ["diff", "--good", os.path.join(samples, s["good"]), "--bad", cap]))
    passed = failed = 0
    for label, args in runs:
        errors = sorted(validator.iter_errors(run(binary, args)), key=lambda e: list(e.path))
        if errors:
            failed += 1
            for e in errors[:5]:
                print(f"FAIL {label}: {'/'.join(map(str, e.path))}: {e.message[:200]}")
        else:
            passed += 1
    several = run(binary, ["analyze", "--jobs", "2"] + [os.path.join(samples, s["capture"]) for s in manifest["samples"][:4]])
    if isinstance(several, list) and len(several) == 4 and all(validator.is_valid(r) for r in several):
        passed += 1
    else:
        failed += 1
        print("FAIL analyze with several captures: not an array of 4 valid reports")
    print(f"report schema: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
