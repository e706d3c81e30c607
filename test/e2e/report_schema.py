#!/usr/bin/env python3
"""Every report tlsdiag writes for the samples validates against
analyzer/report/report.schema.json: analyze on each sample, diff of each
failing sample against its working one (from samples/expect.json), and the
array that analyze writes for several captures. Beyond the schema (which
lets a minor version add keys), every key of the facts must be one the
schema describes: the schema and the fact registry are proven to agree
(test/unit/test_fact_registry.c), so the facts hold nothing the registry
does not declare.

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

def undeclared_facts(schema, node, value, path, out):
    """Keys of value (facts) that node (a schema part) does not describe."""
    defs = schema["$defs"]
    while "$ref" in node:
        node = defs[node["$ref"].split("/")[-1]]
    if isinstance(value, dict) and "properties" in node:
        for key, v in value.items():
            if key not in node["properties"]:
                out.append(f"{path}.{key}")
            else:
                undeclared_facts(schema, node["properties"][key], v, f"{path}.{key}", out)
    elif isinstance(value, list) and "items" in node:
        for i, v in enumerate(value):
            undeclared_facts(schema, node["items"], v, f"{path}.{i}", out)


def check_facts_declared(schema, report):
    out = []
    for role, side in report.get("captures", {}).items():
        undeclared_facts(schema, schema["$defs"]["capture_facts"], side.get("facts"), f"captures.{role}.facts", out)
    return sorted(set(out))


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
        report = run(binary, args)
        errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
        undeclared = check_facts_declared(schema, report)
        if errors or undeclared:
            failed += 1
            for e in errors[:5]:
                print(f"FAIL {label}: {'/'.join(map(str, e.path))}: {e.message[:200]}")
            for path in undeclared[:5]:
                print(f"FAIL {label}: {path}: a fact the schema does not describe")
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
