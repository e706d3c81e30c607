#!/usr/bin/env python3
"""Every corpus capture, read once and read ten times in a row: exit 0, no
sanitizer report, and peak memory that does not grow with the file.

usage: corpus.py TLSDIAG CORPUS_DIR [--rss-slack-kb N]
The ten-fold file is built without extra tools: pcapng sections can simply
follow each other; pcap copies lose their file header (what `mergecap -a`
does for the packets)."""
import os, resource, subprocess, sys, tempfile

def concatenated(path, copies, out_path):
    with open(path, "rb") as f:
        data = f.read()
    is_pcapng = data[:4] == b"\x0a\x0d\x0d\x0a"
    with open(out_path, "wb") as out:
        out.write(data)
        for _ in range(copies - 1):
            out.write(data if is_pcapng else data[24:])

def run(binary, capture):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run([binary, "events", capture], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=120)
    # ru_maxrss of children is the max over all of them, so run the larger
    # file last and compare against the single run's figure measured apart.
    return proc.returncode, proc.stderr.decode(errors="replace"), before

def peak_rss_kb(binary, capture):
    code = ("import resource,subprocess,sys;"
            "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, binary, "events", capture],
                         capture_output=True, text=True, timeout=300)
    return int(out.stdout.strip() or 0)

def main():
    binary, corpus = sys.argv[1], sys.argv[2]
    slack = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--rss-slack-kb" else 4096
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(corpus)):
            path = os.path.join(corpus, name)
            rc, err, _ = run(binary, path)
            if rc != 0 or "Sanitizer" in err or "runtime error" in err:
                failed += 1
                print(f"FAIL {name}: exit {rc}: {err.strip()[:400]}")
                continue
            big = os.path.join(tmp, "x10-" + name)
            concatenated(path, 10, big)
            rc, err, _ = run(binary, big)
            one, ten = peak_rss_kb(binary, path), peak_rss_kb(binary, big)
            os.unlink(big)
            if rc != 0 or "Sanitizer" in err or "runtime error" in err or ten > one + slack:
                failed += 1
                print(f"FAIL {name} x10: exit {rc}, peak {one} KB once vs {ten} KB ten times: {err.strip()[:300]}")
                continue
            passed += 1
    print(f"corpus: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
