#!/usr/bin/env bash
# Scores `tlsdiag events` against tshark's events over the public corpus and
# fails below the bar of the foundation issue: >= 98% of expected events
# matched with every field equal, extra events < 1% of expected, no crash.
set -u
bin=${1:?usage: oracle.sh TLSDIAG [SHARED_DIR]}
shared=${2:-../shared}
if [ ! -d "$shared/corpus/public" ]; then
    echo "oracle: $shared/corpus/public not found" >&2
    exit 1
fi
out=$("$shared/oracle/score.sh" "$bin")
echo "$out"
last=$(printf '%s\n' "$out" | tail -n 1)
python3 - "$last" <<'PY'
import re, sys
m = re.search(r"oracle: (\d+)/(\d+) expected events matched \(([\d.]+)%\), (\d+) extra, (\d+) files failed, (\d+) crashed", sys.argv[1])
if not m:
    sys.exit("oracle: could not read the score line")
matched, expected, _, extra, _, crashed = map(float, m.groups())
ok = expected > 0 and matched / expected >= 0.98 and extra < 0.01 * expected and crashed == 0
print("oracle bar (>= 98% matched, extra < 1%, no crash):", "met" if ok else "NOT MET")
sys.exit(0 if ok else 1)
PY
