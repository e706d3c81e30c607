#!/usr/bin/env bash
# `tlsdiag events` with keys against tshark's events with the same keys, on
# every sample that comes with a key log (samples/NAME.keys): NAME.pcapng
# with --keylog NAME.keys, and NAME-dsb.pcapng (the keys inside, as pcapng
# Decryption Secrets Blocks) with no option. The expected outputs are
# tshark's (../shared/oracle/tshark_events.py -o tls.keylog_file:NAME.keys,
# and without -o for the DSB copy: tshark reads the blocks itself), stored
# in test/data/oracle-keys/ so this test needs no tshark. Every file must
# pass: every expected event matched with every field, no extra event.
#
#   test/e2e/oracle_keys.sh TLSDIAG [SHARED_DIR]              # check
#   test/e2e/oracle_keys.sh --regenerate TLSDIAG [SHARED_DIR] # rewrite the expected outputs with tshark
set -u
regenerate=0
if [ "${1:-}" = --regenerate ]; then regenerate=1; shift; fi
bin=${1:?usage: oracle_keys.sh [--regenerate] TLSDIAG [SHARED_DIR]}
shared=${2:-../shared}
top=$(cd "$(dirname "$0")/../.." && pwd)
expected=$top/test/data/oracle-keys
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
n=0
for keys in "$top"/samples/*.keys; do
    name=$(basename "$keys" .keys)
    plain=$top/samples/$name.pcapng
    dsb=$top/samples/$name-dsb.pcapng
    if [ $regenerate = 1 ]; then
        "$shared/oracle/tshark_events.py" -o "tls.keylog_file:$keys" "$plain" > "$expected/$name.pcapng.keys.jsonl" || exit 1
        "$shared/oracle/tshark_events.py" "$dsb" > "$expected/$name-dsb.pcapng.jsonl" || exit 1
    fi
    "$bin" events --keylog "$keys" "$plain" > "$out/$name.pcapng.keys.jsonl" || { echo "oracle-keys: $name: tlsdiag failed" >&2; exit 1; }
    "$bin" events "$dsb" > "$out/$name-dsb.pcapng.jsonl" || { echo "oracle-keys: $name-dsb: tlsdiag failed" >&2; exit 1; }
    n=$((n + 2))
done
if [ $n = 0 ]; then
    echo "oracle-keys: no samples/*.keys" >&2
    exit 1
fi
python3 "$shared/oracle/compare.py" -q "$expected" "$out" || exit 1
# A Decryption Secrets Block after the packets it decrypts is used all the
# same (tshark, reading in one pass, would not: test/KNOWN-DIFFS.md): the
# events equal tshark's with the same keys given as a key log.
late=$out/late
mkdir -p "$late/expected" "$late/actual"
python3 - "$top/samples/tls13-cert-expired-dsb.pcapng" "$late/tls13-cert-expired-late-dsb.pcapng" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
blocks, off = [], 0
while off < len(data):
    kind, length = struct.unpack_from("<II", data, off)
    blocks.append((kind, data[off:off + length]))
    off += length
secrets = [b for k, b in blocks if k == 0x0000000A]
assert secrets, "no Decryption Secrets Block"
open(sys.argv[2], "wb").write(b"".join([b for k, b in blocks if k != 0x0000000A] + secrets))
PY
cp "$expected/tls13-cert-expired.pcapng.keys.jsonl" "$late/expected/late.jsonl"
"$bin" events "$late/tls13-cert-expired-late-dsb.pcapng" > "$late/actual/late.jsonl" || exit 1
python3 "$shared/oracle/compare.py" -q "$late/expected" "$late/actual"
