#!/usr/bin/env bash
# Unusable and damaged inputs: one clear line naming the file (and frame),
# exit 2 for unusable input, exit 0 with a warning for a damaged tail.
set -u
bin=${1:?usage: inputs.sh TLSDIAG [SHARED_DIR]}
shared=${2:-../shared}
corpus=$shared/corpus/public
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect NAME WANT_RC STDERR_REGEX CMD...
expect() {
    local name=$1 want=$2 pattern=$3; shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ "$rc" -eq "$want" ] && grep -Eq -- "$pattern" "$tmp/err" && ! grep -q 'Sanitizer\|runtime error' "$tmp/err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: exit $rc (want $want), stderr: $(head -c 300 "$tmp/err")"
    fi
}

: >"$tmp/empty.pcap"
printf 'GET / HTTP/1.1\r\n\r\n' >"$tmp/text.pcap"
head -c 10 "$corpus/http_connect.pcap" >"$tmp/short.pcap"
head -c 3000 "$corpus/http_connect.pcap" >"$tmp/cut.pcap"
head -c 5000 "$corpus/tls_with_huge_ch.pcapng" >"$tmp/cut.pcapng"
cp "$corpus/http_connect.pcap" "$tmp/garbage-tail.pcap"
head -c 4096 /dev/urandom >>"$tmp/garbage-tail.pcap"
cp "$corpus/http_connect.pcap" "$tmp/unreadable.pcap"; chmod 000 "$tmp/unreadable.pcap"

expect missing 2 "^tlsdiag: $tmp/nope.pcap: no such file" "$bin" events "$tmp/nope.pcap"
expect directory 2 "^tlsdiag: $tmp: is a directory" "$bin" events "$tmp"
expect empty 2 "^tlsdiag: $tmp/empty.pcap: empty file" "$bin" events "$tmp/empty.pcap"
expect not-a-capture 2 "^tlsdiag: $tmp/text.pcap: not a pcap or pcapng file" "$bin" events "$tmp/text.pcap"
expect too-short 2 "^tlsdiag: $tmp/short.pcap: " "$bin" events "$tmp/short.pcap"
expect cut-pcap 0 "warning: $tmp/cut.pcap: after frame [0-9]+" "$bin" events "$tmp/cut.pcap"
expect cut-pcapng 0 "warning: $tmp/cut.pcapng: after frame [0-9]+" "$bin" events "$tmp/cut.pcapng"
expect garbage-tail 0 "warning: $tmp/garbage-tail.pcap: after frame 100" "$bin" events "$tmp/garbage-tail.pcap"
expect bad-option 2 "unknown option" "$bin" events --bogus "$tmp/cut.pcap"
expect bad-limit 2 "--max-conns" "$bin" events --max-conns x "$tmp/cut.pcap"
if [ "$(id -u)" -ne 0 ]; then
    expect unreadable 2 "^tlsdiag: $tmp/unreadable.pcap: " "$bin" events "$tmp/unreadable.pcap"
fi
# A damaged tail keeps what came before it.
"$bin" events "$tmp/cut.pcap" 2>/dev/null | grep -q '"type": "connect_request"' && pass=$((pass + 1)) ||
    { fail=$((fail + 1)); echo "FAIL cut-pcap: events before the damage are missing"; }
echo "inputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
