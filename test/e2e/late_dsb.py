#!/usr/bin/env python3
"""A Decryption Secrets Block after the packets it decrypts: for every sample
with a key log (samples/NAME.keys) and a copy with the block at its start
(NAME-dsb.pcapng), a copy of NAME.pcapng with the key log appended as a
block after its last packet is made here, a 3 MiB custom block between
them: the input reads ahead of the packets by up to 1 MiB, and without
the filler the block would be read before the first packet is returned.
analyze reads the capture's
blocks as it reads the file and reads it a second time when a key log
block came after packets: its report on the late copy must be the report
on NAME-dsb.pcapng (text and JSON, but for the file's name, size and
digest), with the same connections decrypted. events finds the blocks
before it reads: its events must be the same too.

usage: test/e2e/late_dsb.py TLSDIAG SAMPLES_DIR"""
import json
import os
import struct
import subprocess
import sys
import tempfile

SECRETS_BLOCK = 0x0000000A
CUSTOM_BLOCK = 0x00000BAD            # copied by rewriters, skipped by readers
FILLER_LEN = 3 << 20
TLS_KEY_LOG = 0x544C534B
BYTE_ORDER_MAGIC = 0x1A2B3C4D


def section_order(capture):
    """'<' or '>': the byte order of the file's (first and only) section."""
    magic = struct.unpack_from("<I", capture, 8)[0]
    return "<" if magic == BYTE_ORDER_MAGIC else ">"


def secrets_block(order, keys):
    body = struct.pack(order + "II", TLS_KEY_LOG, len(keys)) + keys + b"\0" * (-len(keys) % 4)
    total = 12 + len(body)
    return struct.pack(order + "II", SECRETS_BLOCK, total) + body + struct.pack(order + "I", total)


def filler_block(order):
    """A custom block of FILLER_LEN zero bytes (an unassigned enterprise number, 0)."""
    body = struct.pack(order + "I", 0) + bytes(FILLER_LEN)
    total = 12 + len(body)
    return struct.pack(order + "II", CUSTOM_BLOCK, total) + body + struct.pack(order + "I", total)


def run(tlsdiag, *args):
    return subprocess.run([tlsdiag, *args], capture_output=True, text=True)


def without_file(report):
    """The report minus what names the input file: its name, size and digest."""
    for entry in report.get("inputs", []):
        for key in ("file", "size", "sha256"):
            entry.pop(key, None)
    for capture in report.get("captures", {}).values():
        capture.pop("file", None)
    return report


def decrypted(report):
    conns = report["captures"]["capture"]["facts"]["connections"]
    return sum(1 for c in conns
               if ((c.get("tls") or {}).get("decryption") or {}).get("status") == "decrypted")


def text_without_file(text):
    """The text report minus its line(s) naming the capture, which wrap by
    the name's length."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("capture: "):
            return lines[:i]
    return lines


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tlsdiag, samples = sys.argv[1], sys.argv[2]
    passed, failed = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(samples)):
            if not name.endswith(".keys"):
                continue
            base = name[:-len(".keys")]
            plain = os.path.join(samples, base + ".pcapng")
            early = os.path.join(samples, base + "-dsb.pcapng")
            if not (os.path.exists(plain) and os.path.exists(early)):
                continue
            with open(plain, "rb") as f:
                capture = f.read()
            with open(os.path.join(samples, name), "rb") as f:
                keys = f.read()
            late = os.path.join(tmp, base + "-late.pcapng")
            with open(late, "wb") as f:
                order = section_order(capture)
                f.write(capture + filler_block(order) + secrets_block(order, keys))
            problems = []
            reports = {}
            for label, path in (("late", late), ("early", early)):
                out = run(tlsdiag, "analyze", "--format", "json", path)
                reports[label] = json.loads(out.stdout) if out.stdout else None
                if reports[label] is None:
                    problems.append(f"analyze {label}: no report ({out.stderr.strip()})")
            if not problems:
                if without_file(reports["late"]) != without_file(reports["early"]):
                    problems.append("JSON report differs from the one with the block at the start")
                if decrypted(reports["late"]) == 0:
                    problems.append("no connection decrypted")
                if reports["late"]["captures"]["capture"]["facts"].get("keylog", {}).get("dsb_blocks") != 1:
                    problems.append("keylog.dsb_blocks is not 1")
            late_text, early_text = run(tlsdiag, "analyze", late).stdout, run(tlsdiag, "analyze", early).stdout
            if text_without_file(late_text) != text_without_file(early_text):
                problems.append("text report differs from the one with the block at the start")
            if run(tlsdiag, "events", late).stdout != run(tlsdiag, "events", early).stdout:
                problems.append("events differ from those with the block at the start")
            if problems:
                failed += 1
                for p in problems:
                    print(f"late-dsb: {base}: {p}", file=sys.stderr)
            else:
                passed += 1
    if passed == 0 and failed == 0:
        sys.exit("late-dsb: no sample with NAME.keys, NAME.pcapng and NAME-dsb.pcapng")
    print(f"late-dsb: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
