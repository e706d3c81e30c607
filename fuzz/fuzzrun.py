#!/usr/bin/env python3
"""Runs the libFuzzer targets built in build/fuzz/ and accounts for them.

  fuzzrun.py run --seconds N TARGET...
      each target N seconds on a fresh corpus seeded from fuzz/seeds/TARGET
      and test/fuzz-regressions/TARGET; prints executions, coverage and
      findings per target; exits 1 when any target found something.
  fuzzrun.py campaign --target T --seconds N
      one resumable campaign step on one core (-jobs=1 -workers=1): the
      corpus grows in build/fuzz/corpus-T, logs go to build/fuzz/campaign-T/,
      findings to build/fuzz/findings-T/; the step's CPU time, executions,
      coverage and findings are appended to fuzz/campaign.jsonl and the
      cumulative table in fuzz/RESULTS.md is rewritten.
  fuzzrun.py rotate --seconds N [--until-cpu S] [--only T1,T2]
      campaign steps of N seconds (less when the target needs less), always
      on the target with the least CPU time so far, until every target (of
      --only) has S CPU-seconds (default 3600).
  fuzzrun.py minimize --target T
      merges build/fuzz/corpus-T into build/fuzz/corpus-T.min (smallest set
      with the same coverage) and prints its size.
  fuzzrun.py keep --target T
      copies build/fuzz/corpus-T.min into fuzz/seeds/T as min-* files (a
      fresh checkout then starts from the campaign's coverage), within the
      5 MB budget of fuzz/seeds.
  fuzzrun.py table
      rewrites the table in fuzz/RESULTS.md from fuzz/campaign.jsonl."""
import argparse
import datetime
import glob
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build", "fuzz")
TARGETS = ["capture", "pcapng", "tls", "http", "dns", "reasm", "rules", "keylog", "dsb", "decrypt"]
MAX_LEN = {"capture": 65536, "pcapng": 65536, "tls": 32768, "reasm": 49152, "http": 8192,
           "dns": 4096, "rules": 65536, "keylog": 65536, "dsb": 65536, "decrypt": 20000}
DICT = {"capture": "tls.dict", "pcapng": "tls.dict", "tls": "tls.dict", "reasm": "tls.dict",
        "http": "http.dict", "rules": "rules.dict", "keylog": "keylog.dict", "dsb": "keylog.dict"}
LOG_JSONL = os.path.join(ROOT, "fuzz", "campaign.jsonl")
RESULTS = os.path.join(ROOT, "fuzz", "RESULTS.md")
TABLE_BEGIN = "<!-- campaign table: fuzz/fuzzrun.py table -->"
TABLE_END = "<!-- end of campaign table -->"
CPU_GOAL = 3600
STATUS = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)")
ARTIFACT = re.compile(r"^(crash|leak|timeout|oom|slow-unit)-")


def fuzzer_args(target, seconds, findings):
    args = [os.path.join(BUILD, "fuzz_" + target), f"-max_total_time={seconds}",
            f"-max_len={MAX_LEN[target]}", "-timeout=10", "-rss_limit_mb=2048",
            "-print_final_stats=1", f"-artifact_prefix={findings}/"]
    if target in DICT:
        args.append("-dict=" + os.path.join(ROOT, "fuzz", DICT[target]))
    return args


def seed_dirs(target):
    dirs = [os.path.join(ROOT, "fuzz", "seeds", target),
            os.path.join(ROOT, "test", "fuzz-regressions", target)]
    return [d for d in dirs if os.path.isdir(d)]


def parse_log(text):
    """Last status line and the final stats of a libFuzzer log."""
    out = {"execs": 0, "cov": 0, "ft": 0, "corpus_files": 0}
    for line in text.splitlines():
        m = STATUS.match(line)
        if m:
            out.update(execs=int(m.group(1)), cov=int(m.group(2)), ft=int(m.group(3)),
                       corpus_files=int(m.group(4)))
        m = re.match(r"^stat::number_of_executed_units: (\d+)", line)
        if m:
            out["execs"] = int(m.group(1))
    return out


def artifacts(findings):
    if not os.path.isdir(findings):
        return set()
    return {f for f in os.listdir(findings) if ARTIFACT.match(f) and not f.startswith("slow-unit")}


def children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def dir_size(path):
    files = [f for f in glob.glob(os.path.join(path, "*")) if os.path.isfile(f)]
    return len(files), sum(os.path.getsize(f) for f in files)


def run_one(target, seconds, corpus, workdir, findings, one_core_jobs):
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(workdir, exist_ok=True)
    os.makedirs(findings, exist_ok=True)
    before_artifacts = artifacts(findings)
    args = fuzzer_args(target, seconds, findings)
    if one_core_jobs:
        args += ["-jobs=1", "-workers=1"]
    args += [corpus] + seed_dirs(target)
    log_path = os.path.join(workdir, "fuzz-0.log" if one_core_jobs else "fuzz.log")
    if os.path.exists(log_path):
        os.remove(log_path)
    cpu_before = children_cpu()
    started = datetime.datetime.now()
    with open(os.path.join(workdir, "driver.log"), "w") as driver_log:
        if one_core_jobs:
            # libFuzzer writes the job's output to fuzz-0.log in its cwd.
            rc = subprocess.run(args, cwd=workdir, stdout=driver_log, stderr=subprocess.STDOUT).returncode
        else:
            with open(log_path, "w") as log:
                rc = subprocess.run(args, cwd=workdir, stdout=log, stderr=subprocess.STDOUT).returncode
    wall = (datetime.datetime.now() - started).total_seconds()
    cpu = children_cpu() - cpu_before
    with open(log_path, errors="replace") as f:
        text = f.read()
    stats = parse_log(text)
    new = sorted(artifacts(findings) - before_artifacts)
    files, size = dir_size(corpus)
    return {"target": target, "date": started.strftime("%Y-%m-%d %H:%M"), "seconds": seconds,
            "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "execs": stats["execs"],
            "cov": stats["cov"], "ft": stats["ft"], "corpus_files": files, "corpus_bytes": size,
            "exit": rc, "findings": new, "log": os.path.relpath(log_path, ROOT)}


def cmd_run(opts):
    failed = False
    for target in opts.targets:
        base = os.path.join(BUILD, "smoke-" + target)
        shutil.rmtree(base, ignore_errors=True)
        r = run_one(target, opts.seconds, os.path.join(base, "corpus"), base,
                    os.path.join(BUILD, "findings-" + target), one_core_jobs=False)
        bad = r["exit"] != 0 or r["findings"]
        failed |= bool(bad)
        print(f"fuzz_{target:8} {r['wall_s']:6.1f} s  {r['execs']:>9} execs  cov: {r['cov']:>5} ft: {r['ft']:>6}"
              f"  corpus: {r['corpus_files']:>4} files  findings: "
              + (", ".join(r["findings"]) or ("exit %d" % r["exit"] if r["exit"] else "none"))
              + (f"  (log: {r['log']})" if bad else ""))
    return 1 if failed else 0


def load_steps():
    if not os.path.exists(LOG_JSONL):
        return []
    with open(LOG_JSONL) as f:
        return [json.loads(line) for line in f if line.strip()]


def cumulative():
    total = {t: {"cpu_s": 0.0, "execs": 0, "cov": 0, "ft": 0, "corpus_files": 0, "corpus_bytes": 0,
                 "steps": 0, "findings": []} for t in TARGETS}
    for step in load_steps():
        t = total.setdefault(step["target"], dict(total[TARGETS[0]], findings=[]))
        t["cpu_s"] += step["cpu_s"]
        t["execs"] += step["execs"]
        t["steps"] += 1
        # Coverage and corpus are those of the latest step: each step reloads
        # the whole corpus, so they already include the earlier steps.
        for k in ("cov", "ft", "corpus_files", "corpus_bytes"):
            t[k] = step[k]
        t["findings"] += step["findings"]
    return total


def write_table():
    total = cumulative()
    lines = [TABLE_BEGIN, "",
             "| target | CPU time | executions | cov (edges) | ft (features) | corpus | findings | CPU left to 1 h |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |"]
    for t in TARGETS:
        c = total[t]
        left = max(0, CPU_GOAL - c["cpu_s"])
        lines.append(f"| {t} | {c['cpu_s'] / 60:.1f} min | {c['execs']:,} | {c['cov']} | {c['ft']} | "
                     f"{c['corpus_files']} files, {c['corpus_bytes'] / 1024:.0f} KB | "
                     f"{len(c['findings'])} | {left / 60:.1f} min |")
    cpu_left = sum(max(0, CPU_GOAL - total[t]["cpu_s"]) for t in TARGETS)
    lines += ["", f"Total CPU time: {sum(total[t]['cpu_s'] for t in TARGETS) / 3600:.2f} h; "
              f"left to reach 1 CPU-hour per target: {cpu_left / 3600:.2f} h.", "", TABLE_END]
    text = open(RESULTS).read() if os.path.exists(RESULTS) else f"# Fuzzing results\n\n{TABLE_BEGIN}\n{TABLE_END}\n"
    start, end = text.find(TABLE_BEGIN), text.find(TABLE_END)
    if start < 0 or end < 0:
        text += "\n" + "\n".join(lines) + "\n"
    else:
        text = text[:start] + "\n".join(lines) + text[end + len(TABLE_END):]
    with open(RESULTS, "w") as f:
        f.write(text)


def campaign_step(target, seconds):
    r = run_one(target, seconds, os.path.join(BUILD, "corpus-" + target),
                os.path.join(BUILD, "campaign-" + target), os.path.join(BUILD, "findings-" + target),
                one_core_jobs=True)
    with open(LOG_JSONL, "a") as f:
        f.write(json.dumps(r) + "\n")
    write_table()
    print(json.dumps(r), flush=True)
    return r


def cmd_campaign(opts):
    r = campaign_step(opts.target, opts.seconds)
    return 1 if r["findings"] else 0


def binary_mtime(target):
    return os.path.getmtime(os.path.join(BUILD, "fuzz_" + target))


def cmd_rotate(opts):
    stopped = {}   # target -> its binary's mtime when it found something
    while True:
        # A finding stops that target until it is fixed (its binary rebuilt);
        # the others go on meanwhile.
        stopped = {t: m for t, m in stopped.items() if binary_mtime(t) == m}
        total = cumulative()
        todo = [t for t in opts.only if total[t]["cpu_s"] < opts.until_cpu and t not in stopped]
        if not todo:
            if stopped:
                time.sleep(60)
                continue
            return 0
        target = min(todo, key=lambda t: total[t]["cpu_s"])
        mtime = binary_mtime(target)
        # No step longer than what the target still needs (and a minute at least).
        left = opts.until_cpu - total[target]["cpu_s"]
        r = campaign_step(target, int(min(opts.seconds, max(60, left + 30))))
        if r["findings"]:
            stopped[target] = mtime


def cmd_minimize(opts):
    corpus = os.path.join(BUILD, "corpus-" + opts.target)
    out = corpus + ".min"
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    args = fuzzer_args(opts.target, 0, os.path.join(BUILD, "findings-" + opts.target))
    args = [a for a in args if not a.startswith("-max_total_time")]
    subprocess.run(args + ["-merge=1", out, corpus], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    files, size = dir_size(out)
    print(f"{out}: {files} files, {size / 1024:.0f} KB")
    return 0


def cmd_keep(opts):
    """Copies the minimised corpus into fuzz/seeds/TARGET as min-* files, so
    a fresh checkout resumes from the campaign's coverage; refuses when the
    seeds would pass the 5 MB budget."""
    source = os.path.join(BUILD, "corpus-" + opts.target + ".min")
    if not os.path.isdir(source):
        sys.exit(f"{source}: run `fuzzrun.py minimize --target {opts.target}` first")
    seeds = os.path.join(ROOT, "fuzz", "seeds")
    target_dir = os.path.join(seeds, opts.target)
    kept = [f for f in os.listdir(target_dir) if f.startswith("min-")]
    _, adding = dir_size(source)
    current = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(seeds) for f in fs)
    current -= sum(os.path.getsize(os.path.join(target_dir, f)) for f in kept)
    if current + adding > 5_000_000:
        sys.exit(f"fuzz/seeds would be {(current + adding) / 1e6:.1f} MB: over the 5 MB budget")
    for f in kept:
        os.remove(os.path.join(target_dir, f))
    for f in os.listdir(source):
        shutil.copy(os.path.join(source, f), os.path.join(target_dir, "min-" + f))
    print(f"fuzz/seeds/{opts.target}: {len(os.listdir(source))} min-* files, "
          f"seeds now {(current + adding) / 1e6:.2f} MB")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--seconds", type=int, default=60)
    r.add_argument("targets", nargs="+", choices=TARGETS)
    c = sub.add_parser("campaign")
    c.add_argument("--target", required=True, choices=TARGETS)
    c.add_argument("--seconds", type=int, default=3600)
    o = sub.add_parser("rotate")
    o.add_argument("--seconds", type=int, default=900)
    o.add_argument("--until-cpu", type=float, default=CPU_GOAL)
    o.add_argument("--only", type=lambda v: v.split(","), default=TARGETS,
                   help="comma-separated targets (two rotations on two cores take disjoint sets)")
    m = sub.add_parser("minimize")
    m.add_argument("--target", required=True, choices=TARGETS)
    k = sub.add_parser("keep")
    k.add_argument("--target", required=True, choices=TARGETS)
    sub.add_parser("table")
    opts = p.parse_args()
    handlers = {"run": cmd_run, "campaign": cmd_campaign, "rotate": cmd_rotate,
                "minimize": cmd_minimize, "keep": cmd_keep, "table": lambda o: write_table() or 0}
    sys.exit(handlers[opts.cmd](opts))


if __name__ == "__main__":
    main()
