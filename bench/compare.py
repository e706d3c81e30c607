#!/usr/bin/env python3
"""compare.py — before/after figures for the Changes section of RESULTS.md.

    bench/compare.py [--reps N] LABEL=TLSDIAG_BINARY ... [-- ENV=VALUE ...]

Times `analyze` and `events` of each binary on the 1 GB pcap and `analyze` on
the 100 MB slice (medians, as bench.py measures them) and prints a Markdown
table. A label may carry environment settings for that binary after a
comma: `label,PROTO_NOSHA=1=/path/to/tlsdiag`. A binary outside the tree
needs TLSDIAG_RULES (set here to the tree's rules/packs/ when unset).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--data", default=os.path.join(bench.HERE, "data"))
    ap.add_argument("variants", nargs="+", help="LABEL[,ENV=V...]=BINARY")
    a = ap.parse_args()
    os.environ.setdefault("TLSDIAG_RULES", os.path.join(bench.ROOT, "rules", "packs"))
    big = os.path.join(a.data, "bench-1g.pcap")
    small = os.path.join(a.data, "bench-100m.pcap")
    rows = []
    for v in a.variants:
        label, binary = v.rsplit("=", 1)
        parts = label.split(",")
        label, env = parts[0], dict(p.split("=", 1) for p in parts[1:])
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        sys.stderr.write(f"compare: {label}\n")
        r = [bench.measure("analyze 1g", [binary, "analyze", big], a.reps, (0, 1)),
             bench.measure("events 1g", [binary, "events", big], a.reps, (0,)),
             bench.measure("analyze 100m", [binary, "analyze", small], a.reps, (0, 1))]
        for k, old in saved.items():
            if old is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = old
        rows.append((label, r))
    print("| build | analyze 1 GB wall s | CPU s | peak RSS MB | events 1 GB wall s | peak RSS MB "
          "| analyze 100 MB wall s | peak RSS MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, (an, ev, sm) in rows:
        print(f"| {label} | {an['wall']:.3f} | {an['cpu']:.3f} | {an['rss_mb']:.1f} | {ev['wall']:.3f} | "
              f"{ev['rss_mb']:.1f} | {sm['wall']:.3f} | {sm['rss_mb']:.1f} |")
    print(f"\nload average at the end: {bench.loadavg():.2f}")


if __name__ == "__main__":
    main()
