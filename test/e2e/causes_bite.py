#!/usr/bin/env python3
"""Every rule that decides a golden capture is held by it: with that one
rule's cause changed in a copy of the packs, `tlsdiag check` of the
captures it decides fails, naming the capture, the expected and the actual
cause. The sets: samples/expect.json with every pack,
test/data/generic-expect.json with the generic pack alone (where a TETRA
rule would decide first), and any further MANIFEST with every pack (such as
test/data/profile-expect.json: made captures whose rule needs the profile to
name the server). Rules that decide nothing are listed.

usage: causes_bite.py TLSDIAG SAMPLES_DIR PACKS_DIR GENERIC_MANIFEST [MANIFEST...]"""
import copy
import json
import os
import subprocess
import sys
import tempfile


def deciding_rules(tlsdiag, manifest_path, pack_args):
    """rule id -> the manifest's entries it decides (analyze alone)."""
    base = os.path.dirname(manifest_path)
    deciding = {}
    for s in json.load(open(manifest_path))["samples"]:
        if "cause" not in s["expect"]:
            continue
        r = subprocess.run([tlsdiag, "analyze", "--format", "json", *pack_args, os.path.join(base, s["capture"])],
                           capture_output=True, text=True)
        rule = json.loads(r.stdout)["diagnosis"].get("rule")
        if rule:
            deciding.setdefault(rule, []).append({k: v for k, v in s.items() if k not in ("good", "expect_diff")})
        # a rule only a diff decides (it compares with the working capture)
        if "expect_diff" in s and "cause" in s["expect_diff"]:
            r = subprocess.run([tlsdiag, "diff", "--format", "json", *pack_args, "--good",
                                os.path.join(base, s["good"]), "--bad", os.path.join(base, s["capture"])],
                               capture_output=True, text=True)
            rule = json.loads(r.stdout)["diagnosis"].get("rule")
            if rule:
                deciding.setdefault(rule, []).append(s)
    return deciding


def bite(tlsdiag, manifest_path, packs, deciding, tmp, problems):
    """Each deciding rule's cause changed in turn; returns the rules that bit."""
    bitten = set()
    for pack_file, pack in packs.items():
        for index, rule in enumerate(pack["rules"]):
            rid, cause = rule["id"], rule["cause"]
            if rid not in deciding:
                continue
            other = "tls_failure_other" if cause != "tls_failure_other" else "cert_rejected"
            changed = copy.deepcopy(pack)
            changed["rules"][index]["cause"] = other
            pdir = tempfile.mkdtemp(dir=tmp)
            for f, p in packs.items():
                json.dump(changed if f == pack_file else p, open(os.path.join(pdir, f), "w"))
            sub = {"version": 1, "samples": deciding[rid]}
            mpath = os.path.join(os.path.dirname(manifest_path), f".bite-{rid}.json")
            json.dump(sub, open(mpath, "w"))
            try:
                r = subprocess.run([tlsdiag, "check", "--no-default-rules", "--rules", pdir, "--manifest", mpath],
                                   capture_output=True, text=True)
            finally:
                os.unlink(mpath)
            want = f"cause expected {cause}, got {other}"
            if r.returncode == 1 and any(f"FAIL {s['capture']}: {want}" in r.stdout or
                                         f"FAIL {s['capture']} (diff against {s.get('good')}): {want}" in r.stdout
                                         for s in deciding[rid]):
                bitten.add(rid)
            else:
                problems.append(f"{rid}: cause changed to {other}, check exit {r.returncode}: {r.stdout.strip()[:200]}")
    return bitten


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    tlsdiag, samples, packs_dir, generic_manifest = sys.argv[1:5]
    more_manifests = sys.argv[5:]
    packs = {f: json.load(open(os.path.join(packs_dir, f))) for f in sorted(os.listdir(packs_dir)) if f.endswith(".json")}
    generic = {"generic.json": packs["generic.json"]}
    problems, bitten = [], set()
    with tempfile.TemporaryDirectory() as tmp:
        for manifest in [os.path.join(samples, "expect.json")] + more_manifests:
            bitten |= bite(tlsdiag, manifest, packs, deciding_rules(tlsdiag, manifest, []), tmp, problems)
        only = ["--no-default-rules", "--rules", os.path.join(packs_dir, "generic.json")]
        bitten |= bite(tlsdiag, generic_manifest, generic, deciding_rules(tlsdiag, generic_manifest, only), tmp,
                       problems)
    idle = [r["id"] for p in packs.values() for r in p["rules"] if r["id"] not in bitten]
    for p in problems:
        print("FAIL", p)
    print(f"causes bite: {len(bitten)} rules decide golden captures and fail check when their cause "
          f"changes; {len(idle)} decide none: {', '.join(idle)}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
