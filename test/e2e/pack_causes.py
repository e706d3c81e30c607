#!/usr/bin/env python3
"""Causes belong to the rule packs: a pack written at run time declares a
new cause and a rule for it, and without rebuilding anything
- `tlsdiag analyze --rules DIR` diagnoses that cause,
- the JSON report validates against the schema, and its causes are all
  declared by the loaded packs (report_schema.py's checks),
- `tlsdiag check --rules DIR` accepts it as an expectation, and without the
  pack refuses it as unknown (exit 2),
- a rule naming a cause no pack declares is refused at load (exit 2, one
  line naming the file, the rule and the cause).

usage: pack_causes.py TLSDIAG SAMPLES_DIR SCHEMA"""
import json
import os
import subprocess
import sys
import tempfile

import report_schema

CAUSE = "site.proxy_session_limit"
RULE = "site.transfer_cut_by_session_limit"

PACK = {
    "pack": "site", "version": "0.1.0",
    "causes": [{"id": CAUSE, "title": "The proxy's session limit cuts the download",
                "meaning": "Our proxy ends TLS sessions after a byte limit; long downloads stop mid-way.",
                "who_acts": ["proxy"]}],
    "rules": [{
        "id": RULE, "cause": CAUSE, "severity": "critical", "rank": 99,
        "title": "Our proxy's session limit cuts update downloads",
        "when": [{"fact": "$conn.failed_stage", "op": "eq", "value": "transfer"}],
        "message": "The download from {conn.server} stops after {conn.tls.app_data.s2c_bytes} bytes.",
        "remedy": "Raise the session byte limit for {conn.server_name} on the proxy.",
        "evidence": [{"what": "last data", "frame": "$conn.tls.app_data.s2c_last_frame"}],
    }],
}


def run(binary, *args):
    return subprocess.run([binary] + list(args), capture_output=True, text=True, timeout=120)


def main():
    binary, samples, schema_path = sys.argv[1:4]
    capture = os.path.join(samples, "bad-download-interrupted.pcapng")
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    default_packs = os.path.join(top, "rules", "packs")
    schema = json.load(open(schema_path))
    validator = report_schema.jsonschema.Draft202012Validator(schema)
    passed, failed = 0, 0

    def expect(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {what}")

    with tempfile.TemporaryDirectory(prefix="tlsdiag-causes-") as tmp:
        site = os.path.join(tmp, "site")
        os.mkdir(site)
        with open(os.path.join(site, "site.json"), "w") as f:
            json.dump(PACK, f, indent=2)

        # analyze diagnoses the pack's own cause.
        r = run(binary, "analyze", "--format", "json", "--rules", site, capture)
        report = json.loads(r.stdout) if r.returncode in (0, 1, 3) else {}
        cause = report.get("diagnosis", {}).get("cause")
        expect(r.returncode == 1 and cause == CAUSE, f"analyze --rules: exit {r.returncode}, cause {cause!r}: {r.stderr.strip()}")

        # The report validates, and every cause in it is declared by the loaded packs ...
        wrong = report_schema.problems(validator, schema, report, report_schema.declared_causes([default_packs, site]))
        expect(not wrong, "report with the site pack: " + "; ".join(wrong[:3]))
        # ... which the check notices when the site pack is not counted.
        wrong = report_schema.problems(validator, schema, report, report_schema.declared_causes([default_packs]))
        expect(any(CAUSE in line for line in wrong), "cause check without the site pack found nothing")

        # check takes the cause as an expectation with the pack, refuses it without.
        manifest = os.path.join(tmp, "expect.json")
        with open(manifest, "w") as f:
            json.dump({"version": 1, "samples": [{"capture": os.path.abspath(capture),
                                                  "expect": {"cause": CAUSE, "findings": [RULE],
                                                             "facts": {"failed_stage": "transfer"}}}]}, f)
        r = run(binary, "check", "--rules", site, "--manifest", manifest)
        expect(r.returncode == 0 and f"ok   {os.path.abspath(capture)}: {CAUSE}" in r.stdout,
               f"check --rules: exit {r.returncode}: {r.stdout.strip()} {r.stderr.strip()}")
        r = run(binary, "check", "--manifest", manifest)
        expect(r.returncode == 2 and f"unknown cause '{CAUSE}'" in r.stderr,
               f"check without the pack: exit {r.returncode}: {r.stderr.strip()}")

        # A rule naming a cause no loaded pack declares does not load.
        broken = os.path.join(tmp, "broken")
        os.mkdir(broken)
        undeclared = dict(PACK, causes=[])
        undeclared["rules"] = [dict(PACK["rules"][0], cause="site.proxy_session_limt")]
        path = os.path.join(broken, "broken.json")
        with open(path, "w") as f:
            json.dump(undeclared, f)
        r = run(binary, "analyze", "--rules", broken, capture)
        line = r.stderr.strip()
        expect(r.returncode == 2 and "\n" not in line and path in line and f"rule '{RULE}'" in line
               and "unknown cause 'site.proxy_session_limt'" in line,
               f"undeclared cause: exit {r.returncode}, stderr: {line}")

    print(f"pack causes: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
