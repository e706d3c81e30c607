#!/usr/bin/env python3
"""--extract FILE: the evidence capture of every sample that did not
succeed, re-analysed, gives the same outcome and cause as the sample (a
sample with keys: with its key log, or with --extract-keys alone, which
puts the connections' key log lines in a secrets block; never without
being asked); each
of its packets carries "frame N of CAPTURE" as its pcapng comment, N
rising, and the packets are the original frames N (same bytes); the
extract is smaller than the sample when the sample holds more than the
evidence; --extract refuses standard input and several captures.

usage: extract.py TLSDIAG SAMPLES_DIR"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile


def packets(path):
    """(comment, bytes) of each Enhanced Packet Block of a little-endian pcapng."""
    data = open(path, "rb").read()
    out, off = [], 0
    while off + 12 <= len(data):
        btype, blen = struct.unpack_from("<II", data, off)
        if blen < 12 or off + blen > len(data):
            raise ValueError(f"{path}: bad block at {off}")
        if btype == 6:
            caplen = struct.unpack_from("<I", data, off + 20)[0]
            pkt = data[off + 28: off + 28 + caplen]
            opt = off + 28 + (caplen + 3) // 4 * 4
            comment = None
            while opt + 4 <= off + blen - 4:
                code, olen = struct.unpack_from("<HH", data, opt)
                if code == 0:
                    break
                if code == 1:
                    comment = data[opt + 4: opt + 4 + olen].decode()
                opt += 4 + (olen + 3) // 4 * 4
            out.append((comment, pkt))
        off += blen
    return out


def diagnosis(tlsdiag, path, extra=()):
    r = subprocess.run([tlsdiag, "analyze", "--format", "json", *extra, path], capture_output=True, text=True)
    d = json.loads(r.stdout)["diagnosis"]
    return d["outcome"], d["cause"]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tlsdiag, samples = sys.argv[1], sys.argv[2]
    manifest = json.load(open(os.path.join(samples, "expect.json")))
    problems, checked = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        names = sorted({s["capture"] for s in manifest["samples"] if s["expect"].get("outcome") != "success"})
        for name in names:
            src = os.path.join(samples, name)
            out = os.path.join(tmp, name)
            r = subprocess.run([tlsdiag, "analyze", "--extract", out, src], capture_output=True, text=True)
            checked += 1
            if not os.path.exists(out):
                problems.append(f"{name}: no extract: exit {r.returncode}: {r.stderr.strip()[:200]}")
                continue
            # keys are not embedded unless asked: a sample that carries its own
            # (a Decryption Secrets Block) is re-read with its key log
            keys = os.path.join(samples, name.replace("-dsb.pcapng", ".keys"))
            extra = ("--keylog", keys) if name.endswith("-dsb.pcapng") and os.path.exists(keys) else ()
            if diagnosis(tlsdiag, out, extra) != diagnosis(tlsdiag, src):
                problems.append(f"{name}: the extract says {diagnosis(tlsdiag, out, extra)}, the sample {diagnosis(tlsdiag, src)}")
            if extra:
                # --extract-keys: the connections' key log lines ride along
                # in a secrets block; the extract is read without --keylog
                keyed = os.path.join(tmp, "keyed-" + name)
                subprocess.run([tlsdiag, "analyze", "--extract", keyed, "--extract-keys", src], capture_output=True)
                checked += 1
                if diagnosis(tlsdiag, keyed) != diagnosis(tlsdiag, src):
                    problems.append(f"{name}: the keyed extract says {diagnosis(tlsdiag, keyed)}")
                if b"CLIENT_HANDSHAKE_TRAFFIC_SECRET" in open(out, "rb").read() or b"CLIENT_RANDOM" in open(out, "rb").read():
                    problems.append(f"{name}: keys in an extract made without --extract-keys")
            original = [p for _, p in packets_or_frames(src)]
            previous = 0
            for comment, pkt in packets(out):
                m = re.fullmatch(r"frame (\d+) of (.*)", comment or "")
                if not m or m.group(2) != src:
                    problems.append(f"{name}: comment {comment!r}")
                    break
                n = int(m.group(1))
                if n <= previous or n > len(original) or original[n - 1] != pkt:
                    problems.append(f"{name}: packet of frame {n} is not the sample's frame {n}")
                    break
                previous = n
        # refusals
        r = subprocess.run([tlsdiag, "analyze", "--extract", os.path.join(tmp, "x"), "-"],
                           input=open(os.path.join(samples, "bad-dns.pcapng"), "rb").read(), capture_output=True)
        checked += 1
        if r.returncode != 2 or b"standard input" not in r.stderr:
            problems.append(f"--extract from stdin: exit {r.returncode}")
        r = subprocess.run([tlsdiag, "analyze", "--extract", os.path.join(tmp, "y"),
                            os.path.join(samples, "bad-dns.pcapng"), os.path.join(samples, "good-direct.pcapng")],
                           capture_output=True)
        checked += 1
        if r.returncode != 2:
            problems.append(f"--extract with two captures: exit {r.returncode}")
    for p in problems:
        print("FAIL", p)
    print(f"extract: {len(names)} samples re-analysed from their extracts, {checked} checks, {len(problems)} failed")
    sys.exit(1 if problems else 0)


def packets_or_frames(path):
    """Every frame of a sample (all samples are little-endian pcapng from dumpcap)."""
    return packets(path)


if __name__ == "__main__":
    main()
