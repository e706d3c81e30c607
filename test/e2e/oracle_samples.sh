#!/usr/bin/env bash
# `tlsdiag events` on every sample against tshark's events for it
# (test/data/oracle-samples/NAME.jsonl, made with
# ../shared/oracle/tshark_events.py, so the test needs no tshark): every
# event equal, none extra — HelloRetryRequest, the second Client Hello and
# the real Server Hello included (tls13-hrr).
# Regenerate after adding a sample:
#   for p in samples/*.pcapng; do case $p in *-dsb.pcapng) continue;; esac
#     ../shared/oracle/tshark_events.py "$p" > "test/data/oracle-samples/$(basename "$p").jsonl"; done
set -u
bin=${1:?usage: oracle_samples.sh TLSDIAG [SHARED_DIR]}
shared=${2:-../shared}
here=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for expected in "$here"/test/data/oracle-samples/*.jsonl; do
    name=$(basename "$expected" .jsonl)
    "$bin" events "$here/samples/$name" > "$out/$name.jsonl" 2>/dev/null
done
python3 "$shared/oracle/compare.py" -q "$here/test/data/oracle-samples" "$out" | tail -n 1 | sed 's/^/oracle on samples: /'
exit "${PIPESTATUS[0]}"
