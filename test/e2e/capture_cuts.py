#!/usr/bin/env python3
"""Captures cut by a snapshot length, and captures begun mid-connection.

test/data/cut/ holds samples cut with editcap -s 96 and -s 128 (one a pcap
whose header declares 96, as tcpdump -s 96 writes); test/data/mid-connection/
holds samples whose first frames editcap -r left out. For each cut capture:
- `stats` counts the cut frames, the first one and the snapshot length as
  this script counts them from the file itself;
- the JSON report validates (report_schema.py's checks), every cut
  connection's verdict is unknown, and no critical or error finding is read
  into the bytes cut off;
- the text report names the cut and the connection's first cut frame, once,
  and no line holds a placeholder for an absent fact (a lone "-": "valid
  from - to -", "stops after -").
For each mid-connection capture (and ../shared's tls-appdata.pcap): the
report says "already open at capture start" and nothing is a connect
failure. An uncut sample says none of it.

usage: capture_cuts.py TLSDIAG [SHARED]"""
import glob
import json
import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import report_schema  # noqa: E402  (the same checks as every sample's report)

WIDTH = 80
# A lone "-" in prose is an absent fact rendered by a template.
PLACEHOLDER = re.compile(r"(?:^|\s)-(?=[\s.,;:)]|$)")


def cut_frames(path):
    """(frames, cut frames, first cut frame, its captured length), read from
    the file: pcap records or pcapng Enhanced Packet Blocks."""
    data = open(path, "rb").read()
    frames, cut, first, caplen_first = 0, 0, 0, 0

    def frame(caplen, wirelen):
        nonlocal frames, cut, first, caplen_first
        frames += 1
        if caplen < wirelen:
            cut += 1
            if not first:
                first, caplen_first = frames, caplen

    if data[:4] == b"\x0a\x0d\x0d\x0a":
        order = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        pos = 0
        while pos + 12 <= len(data):
            block_type, length = struct.unpack_from(order + "II", data, pos)
            if block_type == 6:
                caplen, wirelen = struct.unpack_from(order + "II", data, pos + 20)
                frame(caplen, wirelen)
            pos += length
    else:
        order = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        pos = 24
        while pos + 16 <= len(data):
            caplen, wirelen = struct.unpack_from(order + "II", data, pos + 8)
            frame(caplen, wirelen)
            pos += 16 + caplen
    return frames, cut, first, caplen_first


class Checks:
    def __init__(self, tlsdiag):
        self.tlsdiag = tlsdiag
        self.failed = 0
        self.passed = 0
        schema_path = os.path.join(TOP, "analyzer", "report", "report.schema.json")
        self.schema = json.load(open(schema_path))
        self.validator = report_schema.jsonschema.Draft202012Validator(self.schema)
        self.causes = report_schema.declared_causes([os.path.join(TOP, "rules", "packs")])

    def run(self, args, codes=(0, 1, 3)):
        proc = subprocess.run([self.tlsdiag] + args, capture_output=True, text=True, timeout=120)
        if proc.returncode not in codes:
            raise RuntimeError(f"{' '.join(args)}: exit {proc.returncode}: {proc.stderr.strip()}")
        return proc

    def report(self, label, problems):
        if problems:
            self.failed += 1
            for p in problems[:8]:
                print(f"FAIL {label}: {p}")
        else:
            self.passed += 1
            print(f"ok   {label}")

    def text_problems(self, text):
        out = []
        for line in text.splitlines():
            if PLACEHOLDER.search(line):
                out.append(f"placeholder for an absent fact: {line.strip()!r}")
            if len(line) > WIDTH and " " in line.strip():
                out.append(f"over {WIDTH} columns: {line!r}")
        return out

    def json_problems(self, report):
        return report_schema.problems(self.validator, self.schema, report, self.causes)

    def cut_capture(self, path):
        name = os.path.relpath(path, TOP)
        snaplen = int(re.search(r"-s(\d+)\.", path).group(1))
        frames, cut, first, caplen_first = cut_frames(path)
        problems = []
        if not cut or caplen_first != snaplen:
            problems.append(f"test data: {cut} cut frames, the first {caplen_first} bytes (want -s{snaplen})")

        stats = json.loads(self.run(["stats", path], (0,)).stdout)
        want = {"frames": frames, "frames_cut": cut, "first_cut_frame": first, "snaplen": snaplen,
                "connections_with_gaps": 0}
        problems += [f"stats {k} = {stats.get(k)!r}, counted {v!r}" for k, v in want.items() if stats.get(k) != v]
        if not stats.get("connections_cut"):
            problems.append("stats connections_cut is not > 0")

        proc = self.run(["analyze", "--format", "json", path])
        report = json.loads(proc.stdout)
        problems += self.json_problems(report)
        side = report["captures"]["capture"]
        conns = [c for c in side["facts"]["connections"] if "capture_cut" in c]
        if not conns:
            problems.append("no connection has capture_cut")
        for c in conns:
            if c["verdict"] != "unknown" or "failed_stage" in c:
                problems.append(f"connection {c['id']}: verdict {c['verdict']} {c.get('failed_stage', '')} on missing bytes")
            if c["capture_cut"].get("snaplen") != snaplen:
                problems.append(f"connection {c['id']}: capture_cut.snaplen {c['capture_cut'].get('snaplen')}")
        for f in side["findings"]:
            if f["severity"] in ("critical", "error"):
                problems.append(f"finding {f['rule']} ({f['severity']}) read into a cut capture: {f['message']}")
        if proc.returncode != 3:
            problems.append(f"analyze exit {proc.returncode} (want 3, inconclusive): a verdict read from missing bytes")

        text = self.run(["analyze", path]).stdout
        problems += self.text_problems(text)
        for c in conns:
            said = re.findall(rf"capture cut to {snaplen} bytes per\s+packet from frame #?{c['capture_cut']['first_frame']}\b",
                              text)
            if len(said) != 1:
                problems.append(f"the text names the cut from frame {c['capture_cut']['first_frame']} "
                                f"{len(said)} times, not once")
        self.report(f"{name}: {cut} of {frames} frames cut to {snaplen} bytes from #{first}", problems)

    def cut_diff(self, good, bad):
        problems = []
        report = json.loads(self.run(["diff", "--format", "json", "--good", good, "--bad", bad]).stdout)
        problems += self.json_problems(report)
        text = self.run(["diff", "--good", good, "--bad", bad]).stdout
        problems += self.text_problems(text)
        for role, path in (("bad", bad), ("good", good)):
            for c in report["captures"][role]["facts"]["connections"]:
                if "capture_cut" in c and f"from frame #{c['capture_cut']['first_frame']}" not in text \
                        and f"from frame {c['capture_cut']['first_frame']}" not in text:
                    problems.append(f"{role}: the cut of connection {c['id']} is not in the text")
        self.report(f"diff of two cut captures ({os.path.basename(bad)} vs {os.path.basename(good)})", problems)

    def mid_connection(self, path):
        name = os.path.relpath(path, TOP) if path.startswith(TOP) else path
        problems = []
        proc = self.run(["analyze", "--format", "json", path])
        report = json.loads(proc.stdout)
        problems += self.json_problems(report)
        side = report["captures"]["capture"]
        conns = [c for c in side["facts"]["connections"] if c["tcp"].get("open_at_capture_start")]
        if not conns:
            problems.append("no connection is open_at_capture_start")
        for c in conns:
            if c.get("failed_stage") == "tcp_connect" or not c["tcp"]["connected"]:
                problems.append(f"connection {c['id']}: a connect failure, open at capture start")
        for f in side["findings"]:
            if f["cause"] == "server_connect_failure":
                problems.append(f"finding {f['rule']}: {f['message']}")
        text = self.run(["analyze", path]).stdout
        if "already open at capture start" not in " ".join(text.split()):
            problems.append("the text does not say 'already open at capture start'")
        if "SYN(s) sent" in text:
            problems.append("the text calls it a connect failure")
        if "frames_cut" in self.run(["stats", path], (0,)).stdout:
            problems.append("stats counts cut frames in an uncut capture")
        self.report(f"{name}: {len(conns)} connection(s) open at capture start", problems)

    def uncut(self, path):
        problems = []
        if "frames_cut" in self.run(["stats", path], (0,)).stdout:
            problems.append("stats counts cut frames")
        report = self.run(["analyze", "--format", "json", path]).stdout
        if "capture_cut" in report or "open_at_capture_start" in report or '"cut"' in report:
            problems.append("the report speaks of a cut or a capture begun mid-connection")
        self.report(f"{os.path.relpath(path, TOP)}: uncut, from its start", problems)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    checks = Checks(sys.argv[1])
    shared = sys.argv[2] if len(sys.argv) > 2 else os.path.join(TOP, "..", "shared")
    data = os.path.join(TOP, "test", "data")
    for path in sorted(glob.glob(os.path.join(data, "cut", "*.pcap*"))):
        checks.cut_capture(path)
    checks.cut_diff(os.path.join(data, "cut", "good-direct-s128.pcapng"),
                    os.path.join(data, "cut", "bad-cipher-direct-s96.pcapng"))
    mid = sorted(glob.glob(os.path.join(data, "mid-connection", "*.pcap*")))
    appdata = os.path.join(shared, "corpus", "public", "tls-appdata.pcap")
    if os.path.exists(appdata):
        mid.append(appdata)
    for path in mid:
        checks.mid_connection(path)
    checks.uncut(os.path.join(TOP, "samples", "good-direct.pcapng"))
    print(f"capture cuts: {checks.passed} passed, {checks.failed} failed")
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
