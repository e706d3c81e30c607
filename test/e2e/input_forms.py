#!/usr/bin/env python3
"""The same capture in every form a user may hand it over gives the same
diagnosis and the same events as the file: standard input (`-`), a pipe
(`/dev/stdin`), a gzip file (told by its magic, whatever its name), gzip
on standard input, and a directory of gzip'ed copies; `--opt=value` is
`--opt value`. A truncated gzip yields what came before the cut, with a
warning. Every sample of samples/expect.json.

usage: input_forms.py TLSDIAG SAMPLES_DIR"""
import gzip
import json
import os
import subprocess
import sys
import tempfile


def diagnosis(args, stdin=None):
    r = subprocess.run(args, input=stdin, capture_output=True)
    if r.returncode not in (0, 1, 3):
        return f"exit {r.returncode}: {r.stderr.decode(errors='replace').strip()[:200]}"
    d = json.loads(r.stdout)["diagnosis"]
    return (d["outcome"], d["cause"], d.get("connection"), json.dumps(d.get("evidence")))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tlsdiag, samples = os.path.abspath(sys.argv[1]), sys.argv[2]
    manifest = json.load(open(os.path.join(samples, "expect.json")))
    problems, checked = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        gzdir = os.path.join(tmp, "gz")
        os.mkdir(gzdir)
        names = sorted({s["capture"] for s in manifest["samples"]})
        want = {}
        for name in names:
            path = os.path.join(samples, name)
            raw = open(path, "rb").read()
            packed = gzip.compress(raw)
            gz = os.path.join(gzdir, name + ".data")   # no .gz: the magic decides
            open(gz, "wb").write(packed)
            base = diagnosis([tlsdiag, "analyze", "--format", "json", path])
            want[name] = base
            forms = {
                "stdin": diagnosis([tlsdiag, "analyze", "--format", "json", "-"], raw),
                "/dev/stdin": diagnosis([tlsdiag, "analyze", "--format=json", "/dev/stdin"], raw),
                "gzip file": diagnosis([tlsdiag, "analyze", "--format=json", gz]),
                "gzip on stdin": diagnosis([tlsdiag, "analyze", "--format", "json", "-"], packed),
            }
            for form, got in forms.items():
                checked += 1
                if got != base:
                    problems.append(f"{name} as {form}: {got} != {base}")
            ev_file = subprocess.run([tlsdiag, "events", path], capture_output=True).stdout
            ev_pipe = subprocess.run([tlsdiag, "events", "-"], input=packed, capture_output=True).stdout
            checked += 1
            if ev_file != ev_pipe:
                problems.append(f"{name}: events of gzip on stdin differ from the file's")
        # a directory of gzip'ed copies: the fleet's rows are the files' diagnoses
        r = subprocess.run([tlsdiag, "analyze", "--format", "json", gzdir], capture_output=True)
        rows = json.loads(r.stdout)["captures"]
        checked += 1
        got = {os.path.basename(row["file"])[:-5]: (row["outcome"], row["cause"]) for row in rows}
        if got != {n: want[n][:2] for n in names}:
            problems.append("a directory of gzip'ed captures: other diagnoses than the files'")
        # a gzip cut in the middle: the frames before the cut, and a warning
        cut = os.path.join(tmp, "cut.gz")
        whole = gzip.compress(open(os.path.join(samples, "good-direct.pcapng"), "rb").read())
        open(cut, "wb").write(whole[: len(whole) * 2 // 3])
        r = subprocess.run([tlsdiag, "analyze", cut], capture_output=True, text=True)
        checked += 1
        if r.returncode not in (0, 1, 3) or "warning" not in r.stderr or "frames before it were analysed" not in r.stderr:
            problems.append(f"a cut gzip: exit {r.returncode}: {r.stderr.strip()[:200]}")
    for p in problems:
        print("FAIL", p)
    print(f"input forms: {checked} checks, {len(problems)} failed")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
