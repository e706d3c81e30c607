#!/usr/bin/env python3
"""`tlsdiag diff` explains what changed, not only that something did:
- a list fact that is a list on both sides (suites, groups, extensions,
  ALPN, signature algorithms, SANs, DNS answers) carries "added" (in bad, not
  in good) and "removed" (in good, not in bad), computed here again from the
  two lists; the text names the removed suites ("0xc030 TLS_ECDHE_...",
  the names the facts give) and says how many more there are;
- no difference is equal, or absent, on both sides;
- a --good whose diagnosis is not success, a --bad whose diagnosis is, or
  both (swapped inputs) is warned about in the JSON ("warnings") and in the
  text right after the verdict; a right pair has no warning;
- every line fits in 80 columns.
Runs every pair of samples/expect.json both ways round.

usage: diff_explains.py TLSDIAG SAMPLES_DIR"""
import json
import os
import re
import subprocess
import sys

WIDTH = 80


def run(tlsdiag, good, bad):
    args = [tlsdiag, "diff", "--good", good, "--bad", bad]
    text = subprocess.run(args, capture_output=True, text=True).stdout
    report = json.loads(subprocess.run(args + ["--format", "json"], capture_output=True, text=True).stdout)
    return text, report


def unique_missing(source, other):
    out = []
    for item in source:
        if item not in other and item not in out:
            out.append(item)
    return out


def difference_problems(report):
    out = []
    for d in report.get("differences", []):
        good, bad = d.get("good"), d.get("bad")
        if good is None and bad is None:
            out.append(f"{d['fact']}: absent on both sides, yet listed")
        elif good == bad:
            out.append(f"{d['fact']}: equal on both sides, yet listed")
        if isinstance(good, list) and isinstance(bad, list):
            if d.get("added") != unique_missing(bad, good) or d.get("removed") != unique_missing(good, bad):
                out.append(f"{d['fact']}: added {d.get('added')} / removed {d.get('removed')}, "
                           f"want {unique_missing(bad, good)} / {unique_missing(good, bad)}")
        elif "added" in d or "removed" in d:
            out.append(f"{d['fact']}: added/removed without a list on both sides")
    return out


def width_problems(text):
    return [f"line over {WIDTH} columns: {line}" for line in text.splitlines()
            if len(line) > WIDTH and len(line.split()) > 1]


def verdict_block(text):
    """The lines before the first blank one: the verdict, its fix and what
    must be read with it."""
    return text.split("\n\n", 1)[0]


def warning_problems(text, report, want_code):
    out = []
    codes = [w.get("code") for w in report.get("warnings", [])]
    if want_code is None:
        if codes:
            out.append(f"warnings {codes} on a right pair")
        if "Warning" in text:
            out.append("a Warning line on a right pair")
        return out
    if codes != [want_code]:
        out.append(f"warnings {codes}, want [{want_code!r}]")
    block = verdict_block(text)
    if not re.search(r"^Warning ", block, re.M):
        out.append("no 'Warning' line right after the verdict")
    for w in report.get("warnings", []):
        # The text says what the JSON says, wrapped.
        if " ".join(w.get("message", "").split()) not in " ".join(re.sub(r"^Warning ", "", block, flags=re.M).split()):
            out.append(f"the text does not say the warning: {w.get('message')}")
    return out


def cause(report, role):
    return report["captures"][role]["diagnosis"]["cause"]


def expected_warning(report):
    good_failed = cause(report, "good") != "success"
    bad_succeeded = cause(report, "bad") == "success"
    if good_failed and bad_succeeded:
        return "inputs_swapped"
    if good_failed:
        return "good_not_working"
    return "bad_succeeded" if bad_succeeded else None


def primary(report, role):
    side = report["captures"][role]
    return next((c for c in side["facts"]["connections"] if c["id"] == side.get("primary_connection")), None)


def removed_suites_problems(text, report):
    """The cipher suites row names what the failing endpoint stopped offering."""
    row = next((d for d in report.get("differences", []) if d["fact"] == "tls.client_hello.cipher_suites"), None)
    if not row or not row.get("removed"):
        return ["no removed cipher suites in the differences"]
    hello = None
    for c in report["captures"]["good"]["facts"]["connections"]:
        h = (c.get("tls") or {}).get("client_hello")
        if h and h.get("cipher_suites") == row["good"]:
            hello = h
    names = dict(zip(hello["cipher_suites"], hello["cipher_suite_names"]))
    section = " ".join(text.split("Other differences", 1)[-1].split())
    m = re.search(r"cipher suites offered: (\d+) items -> (\d+) items; (.*?)(?: \S+:| certificate|$)", section)
    if not m:
        return ["no 'cipher suites offered: N items -> M items;' row in the text"]
    out = []
    shown = row["removed"][:16]
    for suite in shown:
        want = f"0x{suite:04x} {names[suite]}" if names.get(suite) else f"0x{suite:04x}"
        if want not in section:
            out.append(f"removed suite {want} not named in the text")
    more = len(row["removed"]) - len(shown)
    if more and f"and {more} more" not in section:
        out.append(f"'and {more} more' missing")
    if not section.count("removed 0x"):
        out.append("no 'removed 0x...' in the text")
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tlsdiag, samples = sys.argv[1], sys.argv[2]
    sample = lambda name: os.path.join(samples, name)
    with open(sample("expect.json")) as f:
        pairs = [(e["good"], e["capture"]) for e in json.load(f)["samples"] if e.get("good")]
    checks = []
    # The motivating case: the suites the failing endpoint no longer offers, by name.
    text, report = run(tlsdiag, sample("good-direct.pcapng"), sample("bad-cipher-direct.pcapng"))
    checks.append(("good-direct -> bad-cipher-direct: removed suites",
                   removed_suites_problems(text, report) + warning_problems(text, report, None)))
    # Each way the inputs can be wrong, with the code it must get.
    for good, bad, code in [("bad-cipher-direct.pcapng", "good-direct.pcapng", "inputs_swapped"),
                            ("bad-reset-after-hello.pcapng", "bad-cipher-direct.pcapng", "good_not_working"),
                            ("good-direct.pcapng", "good-tls13.pcapng", "bad_succeeded")]:
        text, report = run(tlsdiag, sample(good), sample(bad))
        checks.append((f"--good {good} --bad {bad}: {code}", warning_problems(text, report, code)))
    # Every pair both ways: differences as sets, hidden when equal, the
    # warning exactly when a side's diagnosis calls for it, 80 columns.
    for good, bad in pairs:
        for g, b in ((good, bad), (bad, good)) if good != bad else ((good, bad),):
            text, report = run(tlsdiag, sample(g), sample(b))
            checks.append((f"--good {g} --bad {b}",
                           difference_problems(report) + width_problems(text)
                           + warning_problems(text, report, expected_warning(report))))
    failed = 0
    for label, problems in checks:
        for p in problems:
            print(f"FAIL {label}: {p}")
        failed += bool(problems)
    print(f"diff_explains: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
