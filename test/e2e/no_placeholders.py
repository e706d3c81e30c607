#!/usr/bin/env python3
"""Nothing half-rendered: no verdict, message, remedy or evidence line says
"-", "'-'" or "?" where a value belongs.

A template placeholder whose fact is absent renders as "-" (rules/FORMAT.md,
Templates); the packs say in words what the capture lacks instead ("no
alert", "no answer", sections that leave a clause out). This runs
- every sample (samples/*.pcapng, both sets) through `analyze`,
- every public corpus capture through `analyze`, alone and with
  `--host '*'` (every TLS connection a target, those without a name too),
- every pair of samples/expect.json and samples/expect-next.json with a
  "good" through `diff`,
each as text and as JSON, and looks in
- the text report's verdict block (the lines before the first blank line:
  verdict, message, evidence, fix), its wrapped lines joined;
- the JSON report's diagnosis and every finding: message, remedy and each
  evidence "what".
A placeholder in prose is a lone "-" or "?": a token of its own (" - ",
"got -;"), or quoted or bracketed ("'-'", "(-)", "[-]"). Hyphens inside
words ("tetra-defs", "SSL-inspection"), options ("--host"), arrows ("->"),
negative numbers ("-3000") and an ellipsis ("...") are not.

usage: no_placeholders.py TLSDIAG SAMPLES_DIR CORPUS_DIR"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys

# A lone "-" or "?": nothing but a space, an opening bracket or quote before
# it, and nothing but a space, punctuation, a closing bracket or quote (or
# the end) after it.
LONE = re.compile(r"""(?:^|(?<=[\s(\['"]))[-?](?=$|[\s.,;:)\]'"])""")


def placeholders(text):
    """The spots of text where a lone "-" or "?" stands, with context."""
    return [text[max(0, m.start() - 30):m.end() + 30] for m in LONE.finditer(text)]


def text_verdict(out):
    """The verdict block of a text report, wrapped lines joined."""
    block = out.split("\n\n", 1)[0]
    return " ".join(line.strip() for line in block.splitlines())


def json_strings(report):
    """(where, string) for every rendered template of a JSON report."""
    def of(where, finding):
        for key in ("message", "remedy"):
            if isinstance(finding.get(key), str):
                yield f"{where}.{key}", finding[key]
        for i, e in enumerate(finding.get("evidence") or []):
            if isinstance(e.get("what"), str):
                yield f"{where}.evidence[{i}].what", e["what"]
    yield from of("diagnosis", report.get("diagnosis") or {})
    for role, side in (report.get("captures") or {}).items():
        for i, f in enumerate(side.get("findings") or []):
            yield from of(f"captures.{role}.findings[{i}] ({f.get('rule')})", f)


def found(where, text):
    """One problem line for a string with placeholders in it, or none."""
    spots = placeholders(text)
    if not spots:
        return []
    return [f"{where}: {len(spots)} placeholder(s), first at ...{spots[0]}..."]


def run(tlsdiag, args):
    r = subprocess.run([tlsdiag] + args, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def check(tlsdiag, args):
    """The problems of one run, as lines."""
    label = " ".join(args)
    problems = []
    rc, out, err = run(tlsdiag, args)
    if rc not in (0, 1, 3) or not out.strip():
        return [f"{label}: exit {rc}, no report: {err.strip()[:200]}"]
    problems += found(f"{label} (text verdict)", text_verdict(out))
    rc, out, err = run(tlsdiag, args[:1] + ["--format", "json"] + args[1:])
    try:
        report = json.loads(out)
    except ValueError:
        return problems + [f"{label} --format json: exit {rc}, not JSON: {err.strip()[:200]}"]
    for where, text in json_strings(report):
        problems += found(f"{label} (json {where})", text)
    return problems


def runs(samples, corpus):
    for name in sorted(os.listdir(samples)):
        if name.endswith((".pcapng", ".pcap")):
            yield ["analyze", os.path.join(samples, name)]
    for name in sorted(os.listdir(corpus)):
        if name.endswith((".pcapng", ".pcap")):
            yield ["analyze", os.path.join(corpus, name)]
            # Every TLS connection a target: nameless servers in the prose.
            yield ["analyze", "--host", "*", os.path.join(corpus, name)]
    for manifest in ("expect.json", "expect-next.json"):
        path = os.path.join(samples, manifest)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for entry in json.load(f)["samples"]:
                if entry.get("good") and entry["good"] != entry["capture"]:
                    yield ["diff", "--good", os.path.join(samples, entry["good"]),
                           "--bad", os.path.join(samples, entry["capture"])]


def self_test():
    """The pattern flags placeholders and leaves ordinary prose alone."""
    flagged = ["- with -; 3152201 bytes received", "and got -; it", "issued by '-' (chain",
               "first alert: - from the -;", "the server chose - there", "reset by: -.",
               "(-)", "is ?.", "version ? here"]
    clean = ["tetra-defs.amp.cisco.com", "SSL-inspection proxy", "tlsdiag diff --good ... --bad ...",
             "192.0.2.10:443 -> 203.0.113.10:443", "[connector -3000]", "TLS 1.3-only",
             "a re-signed chain", "what is it?", "(see --host)"]
    wrong = [s for s in flagged if not placeholders(s)] + [s for s in clean if placeholders(s)]
    for s in wrong:
        print(f"FAIL pattern self-test: {s!r}")
    return not wrong


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    tlsdiag, samples, corpus = sys.argv[1:]
    if not self_test():
        return 1
    all_runs = list(runs(samples, corpus))
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for problems in pool.map(lambda a: check(tlsdiag, a), all_runs):
            for p in problems:
                print(f"FAIL {p}")
            failures += len(problems)
    print(f"no_placeholders: {len(all_runs)} runs (text and JSON), {failures} rendered strings with a placeholder in prose")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
