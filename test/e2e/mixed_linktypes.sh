#!/usr/bin/env bash
# A pcapng whose interfaces have different link types (Ethernet + Linux
# cooked), as Wireshark writes when capturing on two interfaces: libpcap
# refuses it, tlsdiag must read every packet with its own block reader.
set -u
bin=${1:?usage: mixed_linktypes.sh TLSDIAG}
here=$(cd "$(dirname "$0")" && pwd)
fail=0
check() { # FILE WANT_FRAMES
    local stats; stats=$("$bin" stats "$1") || { echo "FAIL $1: exit $?"; fail=1; return; }
    python3 - "$stats" "$2" <<'PY' || fail=1
import json, sys
s = json.loads(sys.argv[1]); want = int(sys.argv[2])
ok = s["frames"] == want and "own reader" in s["format"] and not s["damaged_tail"] and s["unknown_link_packets"] == 0
print(("ok  " if ok else "FAIL") + f" {s['file']}: {s['frames']}/{want} frames, format {s['format']}")
sys.exit(0 if ok else 1)
PY
}
check "$here/../data/mixed-linktypes.pcapng" 12
# Made afresh from two corpus captures when Wireshark's tools are present.
if command -v mergecap >/dev/null && command -v capinfos >/dev/null && [ -d "${2:-../shared}/corpus/public" ]; then
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    corpus=${2:-../shared}/corpus/public
    mergecap -w "$tmp/mixed.pcapng" "$corpus/ssldump-tls1.2_aes256.pcap" "$corpus/reasm_crash_anon.pcapng"
    check "$tmp/mixed.pcapng" "$(capinfos -Mc "$tmp/mixed.pcapng" | awk '/Number of packets/ {print $NF}')"
fi
exit $fail
