#!/usr/bin/env python3
"""Writes fuzz/rules_facts.json, the fixed facts the rules fuzz target
evaluates every rule file against: the facts tlsdiag builds for a few sample
captures (a success, a cipher failure behind a proxy, a proxy 407, a DNS
failure, an expired certificate), taken from `tlsdiag diff --format json`.

usage: fuzz/make_rules_facts.py build/tlsdiag > fuzz/rules_facts.json"""
import json
import subprocess
import sys

PAIRS = [
    ("bad-cipher-direct", "good-direct"),
    ("bad-proxy-407", "good-proxy-auth"),
    ("bad-dns", "good-direct"),
    ("bad-cert-expired", "good-direct"),
    ("bad-cipher-proxy", "good-proxy"),
]


def main():
    tlsdiag = sys.argv[1]
    captures = []
    for bad, good in PAIRS:
        out = subprocess.run([tlsdiag, "diff", "--good", f"samples/{good}.pcapng",
                              "--bad", f"samples/{bad}.pcapng", "--format", "json"],
                             capture_output=True, text=True).stdout
        report = json.loads(out)
        captures.append({"bad": report["captures"]["bad"]["facts"],
                         "good": report["captures"]["good"]["facts"]})
    json.dump({"captures": captures}, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


main()
