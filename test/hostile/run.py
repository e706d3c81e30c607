#!/usr/bin/env python3
"""Runs tlsdiag on every hostile capture (make-hostile.py) and checks that a
limit is a fact, not a failure: exit 0 or 2 (analyze: 0, 1, 2 or 3), the limit
visible in the output (stats JSON, analyze JSON, the text report or stderr), peak RSS under
256 MB, a time bound, no sanitizer report. A raised limit must be honoured.

usage: test/hostile/run.py TLSDIAG [--keep DIR]

Against an AddressSanitizer build (detected from the binary) the million-flow
case has 100,000 flows and the bounds are wider: ASan's shadow memory and
quarantine add a fixed ~200 MB and its checks slow everything 3-5 times."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "UndefinedBehaviorSanitizer")


def is_sanitized(binary):
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def build_peak_rss(work):
    """peak_rss.c measures what Python cannot (see its comment)."""
    binary = os.path.join(work, "peak_rss")
    subprocess.run(["cc", "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-o", binary,
                    os.path.join(HERE, "peak_rss.c")], check=True)
    return binary


def run(peak_rss, cmd, out_path):
    """Runs cmd; returns (exit, seconds, peak RSS in MB, stderr text); a
    command killed by a signal has the exit -SIGNAL."""
    started = time.monotonic()
    result_path = out_path + ".rusage"
    with open(out_path, "wb") as out, tempfile.TemporaryFile() as err:
        subprocess.run([peak_rss, result_path] + cmd, stdout=out, stderr=err, check=True)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    with open(result_path) as f:
        how, number, rss_kb = f.read().split()
    os.unlink(result_path)
    code = -int(number) if how == "signalled" else int(number)
    return code, time.monotonic() - started, int(rss_kb) / 1024, stderr


def check_value(actual, wanted):
    if wanted == ">0":
        return isinstance(actual, (int, float)) and actual > 0
    return actual == wanted


def events_of(path):
    """Only the fields the checks read: a hostile capture's events can be
    hundreds of MB of JSON, and a large python process would inflate the
    peak RSS measured of the next children (ru_maxrss counts the fork)."""
    keep = ("type", "sni", "alert_description")
    with open(path) as f:
        return [{k: e[k] for k in keep if k in e} for e in map(json.loads, filter(str.strip, f))]


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    tlsdiag = os.path.abspath(args[0])
    keep = args[args.index("--keep") + 1] if "--keep" in args else None
    sanitized = is_sanitized(tlsdiag)
    rss_limit_mb = 512 if sanitized else 256
    time_limit_s = 40 if sanitized else 15
    flows = 100_000 if sanitized else 1_000_000
    work = keep or tempfile.mkdtemp(prefix="tlsdiag-hostile-")
    subprocess.run([sys.executable, os.path.join(HERE, "make-hostile.py"), work, "--flows", str(flows)],
                   check=True)
    with open(os.path.join(work, "cases.json")) as f:
        cases = json.load(f)
    peak_rss = build_peak_rss(work)

    failures = []
    # A user who meets a limit must find it in --help, whatever the command.
    for command in ("analyze", "diff", "check", "events", "stats"):
        text = subprocess.run([tlsdiag, command, "--help"], capture_output=True, text=True).stdout
        for option in ("--max-conns", "--max-ooo-bytes", "--max-ooo-segments", "--max-handshake",
                       "--max-http-header", "--max-fragments", "--idle-timeout", "fixed limits"):
            if option not in text:
                failures.append(f"tlsdiag {command} --help does not list {option}")
    print(f"hostile: {tlsdiag}{' (sanitized)' if sanitized else ''}: peak RSS < {rss_limit_mb} MB, "
          f"< {time_limit_s} s per run; many-flows has {flows:,} flows")
    print(f"{'case':24} {'command':8} {'exit':>4} {'seconds':>8} {'peak RSS':>9}  limit shown")
    suite_started = time.monotonic()
    for name, expect in cases.items():
        capture = os.path.join(work, expect["file"])
        commands = [("events", []), ("analyze", ["--format", "json"])]
        if "stats" in expect:
            commands.append(("stats", []))
        if "raised" in expect:
            commands.append(("events", expect["raised"]["option"]))
        if "analyze_text" in expect:
            # The text report a person reads says a limit was hit, and where.
            commands.append(("analyze", ["--host", "*"]))
        if "raised_analyze" in expect:
            commands.append(("analyze", ["--format", "json"] + expect["raised_analyze"]["option"]))
        outputs = {}
        for command, extra in commands:
            label = command + ("+" if extra and command == "events" else "")
            if command == "analyze" and "--host" in extra:
                label = "text"
            elif command == "analyze" and "raised_analyze" in expect and \
                    expect["raised_analyze"]["option"][0] in extra:
                label = "analyze+"
            out_path = os.path.join(work, f"{name}.{label}.out")
            code, seconds, rss, stderr = run(peak_rss, [tlsdiag, command] + extra + [capture], out_path)
            outputs[label] = (out_path, stderr)
            problems = []
            allowed = (0, 1, 2, 3) if command == "analyze" else (0, 2)
            if code not in allowed:
                problems.append(f"exit {code}")
            if any(m in stderr for m in SANITIZER_MARKERS):
                problems.append("sanitizer report:\n" + stderr[-3000:])
            if rss >= rss_limit_mb:
                problems.append(f"peak RSS {rss:.0f} MB")
            if seconds >= time_limit_s:
                problems.append(f"{seconds:.1f} s")
            shown = ""
            if command == "stats" and code == 0:
                stats = json.loads(open(out_path).read().splitlines()[0])
                shown = ", ".join(f"{k}={stats.get(k)}" for k in expect["stats"])
                for key, wanted in expect["stats"].items():
                    if not check_value(stats.get(key), wanted):
                        problems.append(f"stats {key} = {stats.get(key)!r}, expected {wanted}")
            if label == "analyze+":
                facts = json.load(open(out_path))["captures"]["capture"]["facts"]
                for path, wanted in expect["raised_analyze"]["facts"].items():
                    value = facts
                    for key in path.split("."):
                        value = value.get(key) if isinstance(value, dict) else None
                    if not check_value(value, wanted):
                        problems.append(f"with {' '.join(expect['raised_analyze']['option'])}: {path} = {value!r}")
                shown = "raised limit honoured: " + " ".join(expect["raised_analyze"]["option"])
            elif label == "text":
                with open(out_path, errors="replace") as f:
                    report = f.read()
                if expect["analyze_text"] in report:
                    shown = expect["analyze_text"]
                else:
                    problems.append(f"text report lacks '{expect['analyze_text']}'")
            elif command == "analyze" and "analyze_facts" in expect:
                facts = json.load(open(out_path))["captures"]["capture"]["facts"]
                for path, wanted in expect["analyze_facts"].items():
                    value = facts
                    for key in path.split("."):
                        value = value.get(key) if isinstance(value, dict) else None
                    if not check_value(value, wanted):
                        problems.append(f"analyze facts {path} = {value!r}, expected {wanted}")
                shown = ", ".join(f"{p.split('.')[-1]}" for p in expect["analyze_facts"])
            elif command == "analyze" and "analyze" in expect:
                text = json.dumps(json.load(open(out_path)), separators=(", ", ": "))
                if expect["analyze"] in text:
                    shown = expect["analyze"].replace('"', "")
                else:
                    problems.append(f"analyze JSON lacks {expect['analyze']}")
            if "stderr" in expect and command != "analyze":
                first_line = stderr.strip().splitlines()[0] if stderr.strip() else ""
                shown = shown or first_line[:60]
                if expect["stderr"] not in stderr:
                    problems.append(f"stderr lacks '{expect['stderr']}'")
            print(f"{name:24} {label:8} {code:>4} {seconds:8.2f} {rss:7.0f} MB  {shown}")
            for p in problems:
                failures.append(f"{name} {label}: {p}")

        events_path, _ = outputs["events"]
        events = events_of(events_path) if os.path.getsize(events_path) else []
        snis = {e.get("sni") for e in events if e.get("type") == "client_hello"}
        for sni in expect.get("events_sni", []):
            if sni not in snis:
                failures.append(f"{name}: no client_hello for {sni} in events")
        if "events_alert" in expect and not any(e.get("alert_description") == expect["events_alert"] for e in events):
            failures.append(f"{name}: alert {expect['events_alert']} not read after the limit")
        if "events_type_absent" in expect and any(e.get("type") == expect["events_type_absent"] for e in events):
            failures.append(f"{name}: {expect['events_type_absent']} parsed despite the default limit")
        if "raised" in expect:
            raised = events_of(outputs["events+"][0])
            if not any(e.get("type") == expect["raised"]["events_type"] for e in raised):
                failures.append(f"{name}: {expect['raised']['events_type']} not parsed with "
                                + " ".join(expect["raised"]["option"]))
            else:
                print(f"{'':24} raised limit {' '.join(expect['raised']['option'])} honoured: "
                      f"{expect['raised']['events_type']} parsed")
    print(f"hostile: {len(cases)} cases in {time.monotonic() - suite_started:.1f} s")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("hostile: FAIL " + f, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
