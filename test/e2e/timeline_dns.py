#!/usr/bin/env python3
"""A connection's timeline holds its own DNS lookups only: those of its
server name (or answered with its address) made after the latest earlier
connection to the same server started (or the capture started) and before
its SYN, and the revocation lookups made while it was open; never another
attempt's. Checked on the samples with several attempts, in `analyze` and on
both sides of `diff`, against the frames the JSON facts give, and against
the frames known from the samples (samples/intermittent-*.md):
intermittent-reset-then-retry resolves at frames 3-6 for its first
connection (SYN 7) and again at 12-15 for its retry (SYN 16).

usage: timeline_dns.py TLSDIAG SAMPLES_DIR"""
import json
import os
import re
import subprocess
import sys


def run(tlsdiag, args):
    text = subprocess.run([tlsdiag] + args, capture_output=True, text=True).stdout
    report = json.loads(subprocess.run([tlsdiag] + args + ["--format", "json"],
                                       capture_output=True, text=True).stdout)
    return text, report


def start(conn):
    return (conn.get("tcp") or {}).get("syn_frame") or conn.get("first_frame", 0)


def belongs(facts, conn, lookup):
    frame = lookup.get("query_frame") or lookup.get("response_frame", 0)
    if lookup.get("role") == "revocation":
        return conn["first_frame"] <= frame <= conn["last_frame"]
    name = (conn.get("server_name") or "").lower()
    if (lookup.get("name") or "").lower() != name and conn.get("server_ip") not in lookup.get("answers", []):
        return False
    earlier = [start(c) for c in facts["connections"]
               if c is not conn and c.get("server") == conn.get("server") and start(c) < start(conn)]
    return max(earlier, default=0) < frame < start(conn)


def expected_frames(side):
    facts = side["facts"]
    conn = next((c for c in facts["connections"] if c["id"] == side.get("primary_connection")), None)
    frames = set()
    for lookup in facts["dns"]["lookups"]:
        if conn is None or belongs(facts, conn, lookup):
            frames |= {lookup[k] for k in ("query_frame", "response_frame") if k in lookup}
    return frames


def timeline_frames(text, heading):
    """The frames of the DNS lines in the timeline under heading."""
    m = re.search(r"^" + re.escape(heading) + r"  .*?(?=^\S|\Z)", text, re.M | re.S)
    if not m:
        return None
    return {int(f) for f in re.findall(r"^  #(\d+)\s+(?:\d\d:\d\d:\d\d\.\d{3}\s+)?DNS (?:query|answer)", m.group(0), re.M)}


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tlsdiag, samples = sys.argv[1], sys.argv[2]
    sample = lambda name: os.path.join(samples, name)
    retry, refused = sample("intermittent-reset-then-retry.pcapng"), sample("intermittent-refused-then-success.pcapng")
    # (arguments, heading, role in the JSON, frames the samples say, or None)
    cases = [
        (["analyze", retry], "Endpoint", "capture", {3, 4, 5, 6}),
        (["analyze", refused], "Endpoint", "capture", {3, 4, 5, 6}),
        (["diff", "--good", sample("good-direct.pcapng"), "--bad", retry], "Failing endpoint", "bad", {3, 4, 5, 6}),
        (["diff", "--good", retry, "--bad", sample("bad-cipher-direct.pcapng")], "Working endpoint", "good", None),
        (["diff", "--good", refused, "--bad", sample("bad-cipher-direct.pcapng")], "Working endpoint", "good", None),
        (["diff", "--good", sample("good-direct.pcapng"), "--bad", refused], "Failing endpoint", "bad", None),
        # Guards: lookups shared by two attempts at once, and a revocation
        # check made during the connection, stay in its timeline.
        (["analyze", sample("good-happy-eyeballs.pcapng")], "Endpoint", "capture", {3, 4, 5, 6}),
        (["analyze", sample("bad-revocation-unreachable.pcapng")], "Endpoint", "capture",
         {3, 4, 5, 6, 16, 17, 18, 19}),
    ]
    failed = 0
    for args, heading, role, known in cases:
        text, report = run(tlsdiag, args)
        label = " ".join(a if not a.startswith(samples) else os.path.basename(a) for a in args)
        shown = timeline_frames(text, heading)
        want = expected_frames(report["captures"][role])
        problems = []
        if shown is None:
            problems.append(f"no '{heading}' timeline")
        else:
            if shown != want:
                problems.append(f"DNS frames {sorted(shown)}, the facts give {sorted(want)}")
            if known is not None and shown != known:
                problems.append(f"DNS frames {sorted(shown)}, the sample's are {sorted(known)}")
        for p in problems:
            print(f"FAIL {label}: {p}")
        failed += bool(problems)
    print(f"timeline_dns: {len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
