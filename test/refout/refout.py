#!/usr/bin/env python3
"""Reference outputs: every report tlsdiag gives on the inputs it is tested
with, saved once and compared after a change that must not alter behaviour
(a refactor, a speed-up).

    test/refout/refout.py save    TLSDIAG DIR [--shared ../shared]
    test/refout/refout.py compare TLSDIAG DIR [--shared ../shared]

What is run (each output to its own file, with stderr and the exit status):
- every sample: `analyze` text and `--format json`;
- every pair of samples/expect.json with a "good": `diff` text and JSON;
- every public corpus capture: `analyze` text and JSON (generic mode: no
  profile host is in them), and `events`;
- the hostile captures (test/hostile/make-hostile.py, small flow count):
  `analyze` text and JSON, `events`, `stats`.

Lines that name the tool's version or the rule packs' files are masked, so
a version bump or a pack moved to another folder is not a difference.
compare prints the number of outputs compared and every one that differs,
and exits 1 when any does."""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

MASKS = [
    (re.compile(r'("version":\s*)"[^"]*"'), r'\1"*"'),
    (re.compile(r'("file":\s*)"[^"]*\.json"'), r'\1"*.json"'),
    (re.compile(r'tlsdiag \d+\.\d+\.\d+'), 'tlsdiag *'),
    (re.compile(r'(rules?:? )\S*/(\w+)\.json'), r'\1\2.json'),
]


def mask(text):
    for pattern, repl in MASKS:
        text = pattern.sub(repl, text)
    return text


def jobs(shared):
    samples = os.path.join(TOP, "samples")
    # Relative to the tree, so the same text comes out of any checkout
    # beside ../shared (a path's length changes how the report wraps).
    corpus = os.path.relpath(os.path.join(shared, "corpus", "public"), TOP)
    for name in sorted(os.listdir(samples)):
        if name.endswith((".pcapng", ".pcap")):
            path = os.path.join("samples", name)
            yield f"sample-{name}.txt", ["analyze", path]
            yield f"sample-{name}.json", ["analyze", "--format", "json", path]
    with open(os.path.join(samples, "expect.json")) as f:
        for entry in json.load(f)["samples"]:
            if entry.get("good"):
                bad = os.path.join("samples", entry["capture"])
                good = os.path.join("samples", entry["good"])
                key = f"{entry['capture']}-vs-{entry['good']}"
                yield f"diff-{key}.txt", ["diff", "--good", good, "--bad", bad]
                yield f"diff-{key}.json", ["diff", "--format", "json", "--good", good, "--bad", bad]
    for name in sorted(os.listdir(os.path.join(TOP, corpus))):
        path = os.path.join(corpus, name)
        yield f"corpus-{name}.txt", ["analyze", path]
        yield f"corpus-{name}.json", ["analyze", "--format", "json", path]
        yield f"corpus-{name}.events", ["events", path]


def hostile_jobs(work):
    subprocess.run([sys.executable, os.path.join(TOP, "test", "hostile", "make-hostile.py"), work,
                    "--flows", "20000"], check=True, stdout=subprocess.DEVNULL)
    for name in sorted(os.listdir(work)):
        if name.endswith((".pcap", ".pcapng")):
            path = os.path.join(work, name)
            yield f"hostile-{name}.txt", ["analyze", path], path
            yield f"hostile-{name}.json", ["analyze", "--format", "json", path], path
            yield f"hostile-{name}.events", ["events", path], path
            yield f"hostile-{name}.stats", ["stats", path], path


def run(tlsdiag, args, hostile_dir=None):
    r = subprocess.run([tlsdiag] + args, capture_output=True, cwd=TOP)
    out = r.stdout.decode(errors="replace") + "\n--- stderr\n" + r.stderr.decode(errors="replace") \
        + f"\n--- exit {r.returncode}\n"
    if hostile_dir:
        out = out.replace(hostile_dir, "HOSTILE")
    return mask(out)


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[0] not in ("save", "compare"):
        sys.exit(__doc__)
    mode, tlsdiag, outdir = args[0], os.path.abspath(args[1]), os.path.abspath(args[2])
    shared = os.path.abspath(args[args.index("--shared") + 1]) if "--shared" in args \
        else os.path.join(TOP, "..", "shared")
    os.makedirs(outdir, exist_ok=True)
    compared, differ, unreferenced = 0, [], 0

    def one(name, output):
        nonlocal compared, unreferenced
        path = os.path.join(outdir, name)
        if mode == "save":
            with open(path, "w") as f:
                f.write(output)
            return
        try:
            with open(path) as f:
                before = f.read()
        except FileNotFoundError:
            unreferenced += 1  # an input added after the references were saved
            return
        compared += 1
        if before != output:
            differ.append(name)

    for name, argv in jobs(shared):
        one(name, run(tlsdiag, argv))
    with tempfile.TemporaryDirectory(prefix="tlsdiag-refout-") as work:
        for name, argv, _ in hostile_jobs(work):
            one(name, run(tlsdiag, argv, work))
    if mode == "save":
        print(f"refout: saved {len(os.listdir(outdir))} outputs in {outdir}")
        return 0
    print(f"refout: {compared} outputs compared, {len(differ)} differ"
          + (f" ({unreferenced} outputs of newer inputs have no reference)" if unreferenced else ""))
    for name in differ:
        print(f"  differs: {name}  (diff {os.path.join(outdir, name)} against a fresh run)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
