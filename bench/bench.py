#!/usr/bin/env python3
"""bench.py — time tlsdiag, the floor and the peers on the benchmark captures,
and write bench/RESULTS.md. Run by bench/run.sh (`make bench`), which builds
the programs, makes or reuses the data and warms the page cache first.

Each program runs under /usr/bin/time -v (CPU time, peak RSS); wall time is
taken around it with a monotonic clock. One untimed warm-up run, then REPS
timed runs; medians are reported. Standard output goes to /dev/null.
"""
import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

TSHARK_FIELDS = ["frame.number", "tls.handshake.type", "tls.handshake.version",
                 "tls.handshake.ciphersuite", "tls.handshake.extensions_server_name",
                 "tls.alert_message.level", "tls.alert_message.desc"]


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def busy_processes(seconds=1.0):
    """Other processes that used more than 20 % of a core over `seconds`."""
    def sample():
        out = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    st = f.read()
            except OSError:
                continue
            name = st[st.index("(") + 1:st.rindex(")")]
            fields = st[st.rindex(")") + 2:].split()
            out[pid] = (name, int(fields[11]) + int(fields[12]))
        return out
    a = sample()
    time.sleep(seconds)
    b = sample()
    hz = os.sysconf("SC_CLK_TCK")
    busy = []
    for pid, (name, t) in b.items():
        if pid in a and pid != str(os.getpid()):
            pct = (t - a[pid][1]) / hz / seconds * 100
            if pct > 20:
                busy.append(f"{name} ({pct:.0f} %)")
    return ", ".join(busy) or "none"


def run_once(argv, ok_codes):
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name] + argv,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        text = tf.read()
    if p.returncode not in ok_codes:
        sys.stderr.write(p.stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"bench: {' '.join(argv)}: exit status {p.returncode}")

    def field(name):
        m = re.search(re.escape(name) + r":\s*([0-9.]+)", text)
        return float(m.group(1)) if m else 0.0
    return {"wall": wall, "user": field("User time (seconds)"), "sys": field("System time (seconds)"),
            "rss_kb": field("Maximum resident set size (kbytes)")}


def measure(name, argv, reps, ok_codes=(0,), warmup=True):
    load_before = loadavg()
    if warmup:
        run_once(argv, ok_codes)
    runs = [run_once(argv, ok_codes) for _ in range(reps)]
    walls = sorted(r["wall"] for r in runs)
    res = {
        "name": name, "argv": argv, "reps": reps,
        "wall": statistics.median(walls), "wall_min": walls[0], "wall_max": walls[-1],
        "cpu": statistics.median(r["user"] + r["sys"] for r in runs),
        "user": statistics.median(r["user"] for r in runs),
        "sys": statistics.median(r["sys"] for r in runs),
        "rss_mb": max(r["rss_kb"] for r in runs) / 1024.0,
        "load_before": load_before, "load_after": loadavg(),
    }
    sys.stderr.write(f"  {name:<24} wall {res['wall']:7.3f} s  cpu {res['cpu']:7.3f} s  "
                     f"rss {res['rss_mb']:6.1f} MB  (load {load_before:.2f})\n")
    return res


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def mem_total():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1048576:.1f} GiB"
    return "?"


def version(argv, pattern=None):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=30).stdout.decode(errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    if pattern:
        m = re.search(pattern, out)
        return m.group(1) if m else "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


def dpkg_version(pkg):
    return version(["dpkg-query", "-W", "-f=${Version}", pkg], r"(\S+)")


def floor_packets(floor, path):
    out = subprocess.run([floor, path], stdout=subprocess.PIPE, check=True).stdout.decode()
    return int(re.search(r"packets (\d+)", out).group(1))


def extract_size(tlsdiag, path):
    """Bytes of the evidence capture of path (--extract), or None."""
    out = tempfile.mktemp(suffix=".pcapng")
    try:
        subprocess.run([tlsdiag, "analyze", "--quiet", "--extract", out, path], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        return os.path.getsize(out) if os.path.exists(out) else None
    finally:
        if os.path.exists(out):
            os.unlink(out)


def jobs_supported(tlsdiag):
    sample = os.path.join(ROOT, "samples", "good-direct.pcapng")
    p = subprocess.run([tlsdiag, "analyze", "--jobs", "1", sample], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    return p.returncode in (0, 1)


def fmt_ratio(x):
    return f"{x:.2f}x" if x < 10 else f"{x:.1f}x"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--tlsdiag", default=os.path.join(ROOT, "build", "tlsdiag"))
    ap.add_argument("--floor", default=os.path.join(ROOT, "build", "bench", "floor"))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--peer-reps", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--changes", default=os.path.join(HERE, "CHANGES.md"))
    ap.add_argument("--only-tlsdiag", action="store_true", help="skip the peers (quick runs)")
    a = ap.parse_args()

    files = {
        "1g.pcap": os.path.join(a.data, "bench-1g.pcap"),
        "1g.pcapng": os.path.join(a.data, "bench-1g.pcapng"),
        "100m.pcap": os.path.join(a.data, "bench-100m.pcap"),
    }
    info = {}
    for key, path in files.items():
        info[key] = {"path": path, "bytes": os.path.getsize(path), "packets": floor_packets(a.floor, path)}

    tsh = ["tshark", "-n", "-r", None, "-Y", "tls.handshake or tls.alert_message", "-T", "fields"]
    for f in TSHARK_FIELDS:
        tsh += ["-e", f]

    def tools_for(path, peers):
        t = [
            ("floor", [a.floor, path], a.reps, (0,)),
            ("floor -b (1 MiB buffer)", [a.floor, "-b", path], a.reps, (0,)),
            ("tlsdiag analyze", [a.tlsdiag, "analyze", path], a.reps, (0, 1, 3)),
            # The JSON and HTML reports add the input's SHA-256, hashed on a second thread.
            ("tlsdiag analyze --format json", [a.tlsdiag, "analyze", "--format", "json", path], a.reps, (0, 1, 3)),
            ("tlsdiag analyze --format html", [a.tlsdiag, "analyze", "--format", "html", path], a.reps, (0, 1, 3)),
            ("tlsdiag events", [a.tlsdiag, "events", path], a.reps, (0,)),
        ]
        if peers and not a.only_tlsdiag:
            t += [
                ("ssldump -n -j", ["ssldump", "-n", "-j", "-r", path], a.peer_reps, (0,)),
                ("ndpiReader -q", ["ndpiReader", "-q", "-i", path], a.peer_reps, (0,)),
                ("tshark -T fields", [x if x is not None else path for x in tsh], a.peer_reps, (0,)),
            ]
        return t

    start_load = loadavg()
    start_busy = busy_processes()
    results = {}
    for key in ("1g.pcap", "1g.pcapng", "100m.pcap"):
        sys.stderr.write(f"bench: {key}\n")
        results[key] = []
        for name, argv, reps, ok in tools_for(files[key], key != "1g.pcapng"):
            results[key].append(measure(name, argv, reps, ok, warmup=not name.startswith("tshark")))

    # --jobs on a batch of four copies (hard links) of the 100 MB slice.
    batch = [os.path.join(a.data, "jobs", f"slice-{i}.pcap") for i in range(1, 5)]
    jobs = {"supported": jobs_supported(a.tlsdiag)}
    sys.stderr.write("bench: batch of 4 x 100m.pcap\n")
    jobs["sequential"] = measure("analyze 4 files", [a.tlsdiag, "analyze"] + batch, a.reps, (0, 1, 3))
    if jobs["supported"]:
        for n in (1, 2):
            jobs[n] = measure(f"analyze --jobs {n}", [a.tlsdiag, "analyze", "--jobs", str(n)] + batch,
                              a.reps, (0, 1))
    end_load = loadavg()
    end_busy = busy_processes()

    # ---------------------------------------------------------------- report
    def row(r, inf, floor_wall):
        mb = inf["bytes"] / 1e6
        return (f"| {r['name']} | {r['wall']:.3f} ({r['wall_min']:.3f}–{r['wall_max']:.3f}) | "
                f"{r['cpu']:.3f} ({r['user']:.2f} u + {r['sys']:.2f} s) | {mb / r['wall']:.0f} | "
                f"{inf['packets'] / r['wall'] / 1e3:.0f} k | {r['rss_mb']:.1f} | "
                f"{fmt_ratio(r['wall'] / floor_wall)} | {r['reps']} |")

    def get(key, name):
        for r in results[key]:
            if r["name"] == name:
                return r
        return None

    lines = []
    out = lines.append
    out("# tlsdiag benchmark results")
    out("")
    out("Generated by `make bench` (bench/run.sh + bench/bench.py); the Changes section at the end is")
    out("bench/CHANGES.md. Do not edit this file by hand: rerun `make bench`.")
    out("")
    out("## Machine")
    out("")
    out(f"- nproc: {os.cpu_count()}; CPU: {cpu_model()}; memory: {mem_total()}; kernel: {platform.release()}")
    out(f"- load average (1 min) at start {start_load:.2f}, at end {end_load:.2f}; "
        "per-measurement load in the Load section")
    out(f"- other processes busy on a core at the start: {start_busy}; at the end: {end_busy}")
    git = version(["git", "-C", ROOT, "describe", "--always", "--dirty"], r"(\S+)")
    out(f"- tlsdiag {git}; tshark {dpkg_version('tshark')}; ssldump {dpkg_version('ssldump')}; "
        f"ndpiReader (libndpi-bin) {dpkg_version('libndpi-bin')}; libpcap {dpkg_version('libpcap0.8')}")
    out("")
    out("## Data")
    out("")
    for key, inf in info.items():
        out(f"- `{os.path.relpath(inf['path'], ROOT)}`: {inf['bytes'] / 1e6:.1f} MB, {inf['packets']} packets")
    ci = os.path.join(a.data, "capture-info.txt")
    if os.path.exists(ci):
        out("")
        out("How it was made (bench/data/capture-info.txt):")
        out("")
        out("```")
        with open(ci) as f:
            out(f.read().rstrip())
        out("```")
    out("")
    out("All runs read the files from the page cache (warmed before the first run); each program")
    out("runs once untimed, then the number of times in the `runs` column (tshark: no warm-up run);")
    out("figures are medians, wall time with [min–max]. MB/s and packets/s are file bytes and packets")
    out("over the median wall time. Peak RSS is the largest of the runs. Standard output goes to")
    out("/dev/null. `floor` is bench/floor.c, a bare libpcap loop (pcap_open_offline, pcap_next_ex,")
    out("Ethernet/IP/TCP header parse, 5-tuple hash into a flow table); `floor -b` is the same loop")
    out("reading through the 1 MiB stdio buffer tlsdiag uses. The targets are against `floor`.")
    out("`tlsdiag` is a snapshot copy of build/tlsdiag (build/bench/tlsdiag). tshark extracts the handshake fields: `" + " ".join(
        x if x is not None else "F" for x in tsh) + "`.")
    out("")
    out("## Results")
    for key in ("1g.pcap", "1g.pcapng", "100m.pcap"):
        inf = info[key]
        fl = get(key, "floor")
        out("")
        out(f"### {key} — {inf['bytes'] / 1e6:.0f} MB, {inf['packets']} packets")
        out("")
        out("| program | wall s (min–max) | CPU s | MB/s | packets/s | peak RSS MB | x floor | runs |")
        out("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in results[key]:
            out(row(r, inf, fl["wall"]))
    out("")
    out("## Ratios and targets")
    out("")
    an = get("1g.pcap", "tlsdiag analyze")
    fl = get("1g.pcap", "floor")
    an_ng = get("1g.pcapng", "tlsdiag analyze")
    an_small = get("100m.pcap", "tlsdiag analyze")
    targets = []

    def target(text, ok, detail):
        targets.append(ok)
        out(f"| {text} | {detail} | {'met' if ok else '**not met**'} |")

    out("| target (1 GB pcap unless said) | measured | |")
    out("| --- | --- | --- |")
    target("`analyze` wall <= 1.5x floor", an["wall"] <= 1.5 * fl["wall"],
           f"{an['wall']:.3f} s / {fl['wall']:.3f} s = {fmt_ratio(an['wall'] / fl['wall'])}")
    for peer, factor in (("ssldump -n -j", 1.0), ("ndpiReader -q", 1.0), ("tshark -T fields", 30.0)):
        p = get("1g.pcap", peer)
        if p is None:
            continue
        speed = p["wall"] / an["wall"]
        want = "faster than" if factor == 1.0 else f"at least {factor:.0f}x faster than"
        target(f"`analyze` {want} {peer.split()[0]}", speed > factor if factor == 1.0 else speed >= factor,
               f"{p['wall']:.3f} s / {an['wall']:.3f} s = {fmt_ratio(speed)}")
    target("peak RSS <= 64 MB", an["rss_mb"] <= 64, f"{an['rss_mb']:.1f} MB")
    target("1 GB peak RSS within 16 MB of the 100 MB slice's", an["rss_mb"] - an_small["rss_mb"] <= 16,
           f"{an['rss_mb']:.1f} MB vs {an_small['rss_mb']:.1f} MB: +{an['rss_mb'] - an_small['rss_mb']:.1f} MB")
    for fmt in ("json", "html"):
        r = get("1g.pcap", f"tlsdiag analyze --format {fmt}")
        target(f"`analyze --format {fmt}` wall <= 2.5x floor", r["wall"] <= 2.5 * fl["wall"],
               f"{r['wall']:.3f} s / {fl['wall']:.3f} s = {fmt_ratio(r['wall'] / fl['wall'])}")
        target(f"`analyze --format {fmt}` peak RSS within 16 MB of text's", r["rss_mb"] - an["rss_mb"] <= 16,
               f"{r['rss_mb']:.1f} MB vs {an['rss_mb']:.1f} MB")
    ext = extract_size(a.tlsdiag, files["1g.pcap"])
    target("`--extract` under 5% of the capture", ext is not None and ext < 0.05 * os.path.getsize(files["1g.pcap"]),
           f"{ext / 1e6:.1f} MB of {os.path.getsize(files['1g.pcap']) / 1e6:.0f} MB"
           f" = {100.0 * ext / os.path.getsize(files['1g.pcap']):.2f}%" if ext is not None else "no extract written")
    target("pcapng <= 1.2x pcap time", an_ng["wall"] <= 1.2 * an["wall"],
           f"{an_ng['wall']:.3f} s / {an['wall']:.3f} s = {fmt_ratio(an_ng['wall'] / an['wall'])}")
    if jobs["supported"]:
        sp = jobs[1]["wall"] / jobs[2]["wall"]
        target("`--jobs 2` scales to both cores (4 x 100 MB)", sp >= 1.6,
               f"--jobs 1 {jobs[1]['wall']:.3f} s, --jobs 2 {jobs[2]['wall']:.3f} s: speed-up {sp:.2f}x")
    else:
        out("| `--jobs 2` scales to both cores | `tlsdiag analyze --jobs` not available in this build | not measured |")
    out("")
    out("Other ratios on the 1 GB pcap (wall time):")
    out("")
    ev = get("1g.pcap", "tlsdiag events")
    flb = get("1g.pcap", "floor -b (1 MiB buffer)")
    out(f"- `events`: {fmt_ratio(ev['wall'] / fl['wall'])} the floor, "
        f"{fmt_ratio(ev['wall'] / flb['wall'])} the floor reading as tlsdiag does (floor -b)")
    out(f"- `analyze`: {fmt_ratio(an['wall'] / flb['wall'])} floor -b")
    aj = get("1g.pcap", "tlsdiag analyze --format json")
    if aj:
        out(f"- `analyze --format json` (the report with the input's SHA-256, hashed on a second thread): "
            f"{fmt_ratio(aj['wall'] / fl['wall'])} the floor, CPU {aj['cpu']:.3f} s; `sha256sum`-grade hashing "
            "of the whole file alone takes about as long as the floor's read")
    for peer in ("ssldump -n -j", "ndpiReader -q", "tshark -T fields"):
        p = get("1g.pcap", peer)
        if p:
            out(f"- {peer}: {fmt_ratio(p['wall'] / fl['wall'])} the floor; `analyze` is "
                f"{fmt_ratio(p['wall'] / an['wall'])} faster, `events` {fmt_ratio(p['wall'] / ev['wall'])} faster")
    out("")
    out("## --jobs (batch of 4 hard links to the 100 MB slice)")
    out("")
    out("| command | wall s (min–max) | CPU s | peak RSS MB |")
    out("| --- | --- | --- | --- |")
    seq = jobs["sequential"]
    out(f"| `tlsdiag analyze` 4 files | {seq['wall']:.3f} ({seq['wall_min']:.3f}–{seq['wall_max']:.3f}) | "
        f"{seq['cpu']:.3f} | {seq['rss_mb']:.1f} |")
    if jobs["supported"]:
        for n in (1, 2):
            r = jobs[n]
            out(f"| `tlsdiag analyze --jobs {n}` 4 files | {r['wall']:.3f} ({r['wall_min']:.3f}–{r['wall_max']:.3f}) | "
                f"{r['cpu']:.3f} | {r['rss_mb']:.1f} |")
        out("")
        out(f"Speed-up --jobs 2 over --jobs 1: {jobs[1]['wall'] / jobs[2]['wall']:.2f}x on {os.cpu_count()} cores.")
    else:
        out("")
        out("`--jobs` is not in this build of `tlsdiag analyze`; only the sequential batch was timed.")
    out("")
    out("## Load")
    out("")
    out("The machine is shared; a 1-minute load average above ~0.5 before a series means another")
    out("process may have competed for the 2 cores and the figure may be high.")
    out("")
    out("| file | program | load before | load after |")
    out("| --- | --- | --- | --- |")
    busy = False
    for key in results:
        for r in results[key]:
            flag = " (busy)" if r["load_before"] > 1.0 else ""
            busy |= bool(flag)
            out(f"| {key} | {r['name']} | {r['load_before']:.2f}{flag} | {r['load_after']:.2f} |")
    if busy:
        out("")
        out("Series marked (busy) started with a 1-minute load above 1.0: other work may have disturbed them.")
    if os.path.exists(a.changes):
        out("")
        with open(a.changes) as f:
            out(f.read().rstrip())
    text = "\n".join(lines) + "\n"
    with open(a.out, "w") as f:
        f.write(text)
    # The tables on standard output.
    show = False
    for line in lines:
        if line.startswith("## Results"):
            show = True
        elif line.startswith("## Load"):
            show = False
        if show:
            print(line)
    print(f"\nbench: wrote {os.path.relpath(a.out, os.getcwd())}; targets met: {sum(targets)}/{len(targets)}")


if __name__ == "__main__":
    main()
