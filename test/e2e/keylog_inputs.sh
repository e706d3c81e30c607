#!/usr/bin/env bash
# --keylog files that cannot be used: one line naming the file, exit 2 (a
# missing file, a directory, a file over the 64 MiB key log limit, a file
# that is not a key log). And no secret of a key log ever shows in any
# output: events, the text and JSON reports, with --keylog and with a
# capture's Decryption Secrets Block.
set -u
bin=${1:?usage: keylog_inputs.sh TLSDIAG}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
capture=$top/samples/tls13-good.pcapng

expect_unusable() {   # NAME KEYLOG
    "$bin" analyze --keylog "$2" "$capture" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    lines=$(wc -l < "$tmp/err")
    if [ $rc -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -qF "$2" "$tmp/err"; then
        echo "keylog-inputs: $1: expected exit 2 and one line naming the file, got $rc:" >&2
        cat "$tmp/err" >&2
        fail=1
    fi
    "$bin" events --keylog "$2" "$capture" > /dev/null 2>&1
    [ $? -eq 2 ] || { echo "keylog-inputs: $1: events did not exit 2" >&2; fail=1; }
}

expect_unusable missing "$tmp/no-such.keys"
expect_unusable directory "$tmp"
truncate -s 65M "$tmp/huge.keys"
expect_unusable over-limit "$tmp/huge.keys"
expect_unusable not-a-key-log "$capture"

# Secrets never in outputs.
for keys in "$top"/samples/*.keys; do
    name=$(basename "$keys" .keys)
    {
        "$bin" events --keylog "$keys" "$top/samples/$name.pcapng"
        "$bin" analyze --keylog "$keys" "$top/samples/$name.pcapng"
        "$bin" analyze --format json --keylog "$keys" "$top/samples/$name.pcapng"
        "$bin" analyze --format json "$top/samples/$name-dsb.pcapng"
    } > "$tmp/all" 2>&1
    # Every secret (third field) of the key log, at least 64 hex digits.
    awk 'NF == 3 && $1 !~ /^#/ { print tolower($3) }' "$keys" > "$tmp/secrets"
    if grep -qiF -f "$tmp/secrets" "$tmp/all"; then
        echo "keylog-inputs: a secret of $keys shows in an output" >&2
        fail=1
    fi
done
[ $fail = 0 ] && echo "keylog-inputs: unusable key logs refused in one line, no secret in any output"
exit $fail
