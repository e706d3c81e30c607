#!/usr/bin/env python3
"""TLS 1.3 without keys: on every TLS 1.3 sample that has a key log, the
report shows the server's encrypted flight as "encrypted handshake, N bytes",
never as application data, and the bytes received are the application data
tshark counts with the keys (test/data/tls13-app-bytes.json).

usage: test/e2e/tls13_without_keys.py TLSDIAG SAMPLES_DIR"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tlsdiag, samples = sys.argv[1], sys.argv[2]
    with open(os.path.join(HERE, "..", "data", "tls13-app-bytes.json")) as f:
        truth = json.load(f)["samples"]
    passed, failed = 0, 0
    for name, want in sorted(truth.items()):
        capture = os.path.join(samples, name + ".pcapng")
        problems = []
        text = subprocess.run([tlsdiag, "analyze", capture], capture_output=True, text=True).stdout
        report = json.loads(subprocess.run([tlsdiag, "analyze", "--format", "json", capture],
                                           capture_output=True, text=True).stdout)
        conns = [c for c in report["captures"]["capture"]["facts"]["connections"]
                 if (c.get("tls") or {}).get("tls13")]
        if not conns:
            problems.append("no TLS 1.3 connection")
        for c in conns:
            got = c["tls"]["app_data"]["s2c_bytes"]
            if got != want:
                problems.append(f"connection {c['id']}: {got} bytes received, tshark with keys counts {want}")
        if "encrypted handshake, " not in text:
            problems.append("the text report does not say 'encrypted handshake, N bytes'")
        for line in text.splitlines():
            if "App data" in line and want == 0:
                problems.append(f"application data where there was none: {line.strip()}")
        if problems:
            failed += 1
            for p in problems:
                print(f"FAIL {name}: {p}")
        else:
            passed += 1
    print(f"tls13 without keys: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
