#!/usr/bin/env python3
"""A fleet: 200 captures (copies of the samples, so their outcomes and
causes are known) in one directory.

- `analyze --format json DIR` is one document valid against
  fleet.schema.json, each report in it valid against report.schema.json,
  with a row per capture whose outcome and cause are the sample's;
- the roll-up's counts equal those computed here from the samples;
- the README's GNU parallel recipe (parallel -j2 analyze, one process and
  one single report per capture, then summarize) gives the same rows and
  roll-up as the one run;
- the text output is a line per capture and the roll-up, in 80 columns (on
  40 of them);
- the Kubernetes indexed Job in the README parses as YAML and runs one
  capture per index into a shared volume.

usage: fleet.py TLSDIAG SAMPLES_DIR REPORT_SCHEMA FLEET_SCHEMA README"""
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jsonschema
import yaml

COUNT = 200
TEXT_COUNT = 40   # the text view on a part of them: the same code per line


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    tlsdiag, samples, report_schema_path, fleet_schema_path, readme = sys.argv[1:]
    tlsdiag = os.path.abspath(tlsdiag)
    report_schema = json.load(open(report_schema_path))
    fleet_schema = json.load(open(fleet_schema_path))
    manifest = json.load(open(os.path.join(samples, "expect.json")))
    problems = []

    def expect(ok, what):
        if not ok:
            problems.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        fleet = os.path.join(tmp, "fleet")
        os.mkdir(fleet)
        known = {}
        entries = [s for s in manifest["samples"] if "cause" in s["expect"]]
        for i in range(COUNT):
            s = entries[i % len(entries)]
            name = f"ep{i:03d}-{s['capture']}"
            shutil.copy(os.path.join(samples, s["capture"]), os.path.join(fleet, name))
            known[name] = (s["expect"]["outcome"], s["expect"]["cause"])
        # a file that is not a capture is left out, and said so
        with open(os.path.join(fleet, "notes.txt"), "w") as f:
            f.write("not a capture\n")

        run = subprocess.run([tlsdiag, "analyze", "--jobs", "2", "--format", "json", fleet],
                             capture_output=True, text=True)
        expect(run.returncode in (1, 3), f"analyze DIR: exit {run.returncode}")
        expect("notes.txt" not in run.stdout and "1 file left out" in run.stderr,
               f"analyze DIR: the non-capture was not said: {run.stderr.strip()[:200]}")
        doc = json.loads(run.stdout)
        jsonschema.validate(doc, fleet_schema)
        for r in doc["reports"]:
            jsonschema.validate(r, report_schema)
        expect(len(doc["reports"]) == COUNT and len(doc["captures"]) == COUNT,
               f"{len(doc['reports'])} reports, {len(doc['captures'])} rows")
        for row in doc["captures"]:
            want = known[os.path.basename(row["file"])]
            expect((row["outcome"], row["cause"]) == want, f"{row['file']}: {row['outcome']} {row['cause']}, want {want}")
        outcomes = collections.Counter(o for o, _ in known.values())
        causes = collections.Counter(c for _, c in known.values())
        rollup = doc["rollup"]
        expect(rollup["captures"] == COUNT, f"roll-up captures {rollup['captures']}")
        expect(all(rollup["outcomes"][o] == outcomes.get(o, 0) for o in rollup["outcomes"]),
               f"roll-up outcomes {rollup['outcomes']} != {dict(outcomes)}")
        expect({c["cause"]: c["captures"] for c in rollup["causes"]} == dict(causes),
               "roll-up causes differ from the samples'")

        # the README's GNU parallel recipe, run as written
        recipe = re.search(r"<!-- parallel recipe -->\n```sh\n(.*?)```", open(readme).read(), re.S)
        expect(recipe is not None, "README: no GNU parallel recipe")
        if recipe:
            env = dict(os.environ, PATH=os.path.dirname(tlsdiag) + os.pathsep + os.environ["PATH"],
                       CAPTURES=fleet, OUT=os.path.join(tmp, "parallel"))
            par = subprocess.run(["bash", "-euc", recipe.group(1)], capture_output=True, text=True, env=env,
                                 cwd=tmp)
            expect(par.returncode == 0, f"parallel recipe: exit {par.returncode}: {par.stderr.strip()[:300]}")
            if par.returncode == 0:
                # the recipe's single reports, one process each, merged by summarize
                merged = json.loads(open(os.path.join(tmp, "rollup.json")).read())
                jsonschema.validate(merged, fleet_schema)
                expect(merged["rollup"] == rollup, "summarize of the single reports: another roll-up")
                expect(merged["captures"] == doc["captures"], "summarize of the single reports: other rows")

        # text: a line per capture (details under it when they do not fit), the roll-up, 80 columns
        few = os.path.join(tmp, "few")
        os.mkdir(few)
        for name in sorted(known)[:TEXT_COUNT]:
            os.link(os.path.join(fleet, name), os.path.join(few, name))
        text = subprocess.run([tlsdiag, "analyze", "--jobs", "2", few], capture_output=True, text=True).stdout
        long = [l for l in text.splitlines() if len(l) > 80]
        expect(not long, f"text over 80 columns: {long[:2]}")
        expect(f"Roll-up: {TEXT_COUNT} captures" in text, "text: no roll-up")
        rows = [l for l in text.splitlines() if re.match(r"(success|failed|intermittent|inconclusive) ", l)]
        expect(len(rows) == TEXT_COUNT, f"text: {len(rows)} capture lines, want {TEXT_COUNT}")

        # the README's Kubernetes indexed Job
        job = re.search(r"<!-- kubernetes job -->\n```yaml\n(.*?)```", open(readme).read(), re.S)
        expect(job is not None, "README: no Kubernetes Job")
        if job:
            spec = yaml.safe_load(job.group(1))
            expect(spec.get("kind") == "Job" and spec["spec"].get("completionMode") == "Indexed",
                   "Kubernetes: not an indexed Job")
            container = spec["spec"]["template"]["spec"]["containers"][0]
            command = " ".join(container.get("command", []) + container.get("args", []))
            expect("JOB_COMPLETION_INDEX" in command and "--format json" in command,
                   "Kubernetes: the Job does not analyse one capture per index into JSON")

    for p in problems:
        print("FAIL", p)
    print(f"fleet: {COUNT} captures; {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
