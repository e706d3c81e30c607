#!/usr/bin/env python3
"""Every report tlsdiag writes for the samples validates against
analyzer/report/report.schema.json: analyze on each sample, diff of each
failing sample against its working one (from samples/expect.json) and the
same pair swapped (a diff with warnings), and every report in the fleet
document that analyze writes for several captures. Beyond the schema (which
lets a minor version add keys), every key of the facts must be one the
schema describes: the schema and the fact registry are proven to agree
(test/unit/test_fact_registry.c), so the facts hold nothing the registry
does not declare. And every cause in a report must be one the loaded packs
declare (the schema only says it is a string): here the packs of
rules/packs/, which tlsdiag loads from the source tree.

usage: report_schema.py TLSDIAG SAMPLES_DIR SCHEMA"""
import glob, json, os, subprocess, sys

try:
    import jsonschema
except ImportError:
    sys.exit("report_schema: python3-jsonschema is missing (make deps installs it)")

def run(binary, args):
    proc = subprocess.run([binary] + args + ["--format", "json"], capture_output=True, text=True, timeout=120)
    if proc.returncode not in (0, 1, 3):
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


def declared_causes(pack_paths):
    """The cause ids the packs (files or folders of *.json) declare."""
    causes = set()
    for path in pack_paths:
        files = sorted(glob.glob(os.path.join(path, "*.json"))) if os.path.isdir(path) else [path]
        for name in files:
            with open(name) as f:
                causes |= {c["id"] for c in json.load(f).get("causes", [])}
    return causes


def undeclared_causes(report, causes):
    """Where the report names a cause outside causes."""
    out = []
    for role, side in report.get("captures", {}).items():
        for where, item in [("diagnosis", side.get("diagnosis", {}))] + \
                [(f"findings.{i}", f) for i, f in enumerate(side.get("findings", []))]:
            if item.get("cause") not in causes:
                out.append(f"captures.{role}.{where}: cause {item.get('cause')!r} is declared by no loaded pack")
    cause = report.get("diagnosis", {}).get("cause")
    if cause not in causes:
        out.append(f"diagnosis: cause {cause!r} is declared by no loaded pack")
    for i, w in enumerate(report.get("warnings", [])):
        for key in ("good_cause", "bad_cause"):
            if key in w and w[key] not in causes:
                out.append(f"warnings.{i}.{key}: cause {w[key]!r} is declared by no loaded pack")
    return out


def problems(validator, schema, report, causes):
    """Everything wrong with one report, as lines."""
    out = [f"{'/'.join(map(str, e.path))}: {e.message[:200]}"
           for e in sorted(validator.iter_errors(report), key=lambda e: list(e.path))]
    out += [f"{path}: a fact the schema does not describe" for path in check_facts_declared(schema, report)]
    return out + undeclared_causes(report, causes)


def main():
    binary, samples, schema_path = sys.argv[1:4]
    schema = json.load(open(schema_path))
    validator = jsonschema.Draft202012Validator(schema)
    causes = declared_causes([os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "rules", "packs")])
    manifest = json.load(open(os.path.join(samples, "expect.json")))
    runs = []
    for s in manifest["samples"]:
        cap = os.path.join(samples, s["capture"])
        runs.append((s["capture"], ["analyze", cap]))
        if s.get("good") and s["good"] != s["capture"]:
            good = os.path.join(samples, s["good"])
            runs.append((s["capture"] + " diff", ["diff", "--good", good, "--bad", cap]))
            # Swapped, the diff carries warnings: those validate too.
            runs.append((s["capture"] + " diff swapped", ["diff", "--good", cap, "--bad", good]))
    passed = failed = 0
    for label, args in runs:
        wrong = problems(validator, schema, run(binary, args), causes)
        if wrong:
            failed += 1
            for line in wrong[:5]:
                print(f"FAIL {label}: {line}")
        else:
            passed += 1
    several = run(binary, ["analyze", "--jobs", "2"] + [os.path.join(samples, s["capture"]) for s in manifest["samples"][:4]])
    reports = several.get("reports") if isinstance(several, dict) and several.get("schema") == "tlsdiag-fleet" else None
    if isinstance(reports, list) and len(reports) == 4 and not any(problems(validator, schema, r, causes) for r in reports):
        passed += 1
    else:
        failed += 1
        print("FAIL analyze with several captures: not a fleet document of 4 valid reports")
    print(f"report schema: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
