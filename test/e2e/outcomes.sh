#!/usr/bin/env bash
# The outcome and its exit status (0 success, 1 failed or intermittent, 3
# inconclusive): success only when shown, a fallback from IPv6 to IPv4 is
# success, a failure then a success is intermittent, a one-direction capture
# and a capture without the target are inconclusive and say why, a failure
# on another server is never the verdict when the target is named.
set -u
bin=${1:?usage: outcomes.sh TLSDIAG SAMPLES_DIR CORPUS_DIR}
samples=${2:?}
corpus=${3:?}
pass=0 fail=0

# expect NAME WANT_EXIT WANT_TEXT -- ARGS...: the text report's exit status
# and a phrase it must hold (spaces normalised: the report wraps lines).
expect() {
    local name=$1 want_rc=$2 want_text=$3; shift 4
    local out rc
    out=$("$bin" analyze "$@" 2>&1); rc=$?
    out=$(printf '%s' "$out" | tr -s ' \n' '  ')
    if [ "$rc" -ne "$want_rc" ]; then
        echo "FAIL $name: exit $rc, want $want_rc"; fail=$((fail + 1)); return
    fi
    case "$out" in
        *"$want_text"*) pass=$((pass + 1)) ;;
        *) echo "FAIL $name: no '$want_text' in: ${out:0:300}"; fail=$((fail + 1)) ;;
    esac
}

expect good 0 "OK success:" -- "$samples/good-direct.pcapng"
expect happy-eyeballs 0 "1 fell back to the other IP version" -- "$samples/good-happy-eyeballs.pcapng"
expect happy-eyeballs-attempts 0 "IPv6 fallback address_family_broken" -- "$samples/good-happy-eyeballs.pcapng"
expect hostname-mismatch-tls12 1 "FAILED" -- "$samples/bad-hostname-mismatch-curl.pcapng"
expect client-cert-tls13 1 "FAILED client_cert_required" -- "$samples/tls13-client-cert-required.pcapng"
expect client-cert-nginx 1 "FAILED client_cert_required" -- "$samples/bad-client-cert-required-nginx-tls13.pcapng"
expect reset-then-retry 1 "INTERMITTENT connection_reset_after_client_hello" -- "$samples/intermittent-reset-then-retry.pcapng"
expect reset-then-retry-later 1 "a later attempt (connection 2," -- "$samples/intermittent-reset-then-retry.pcapng"
expect refused-then-success 1 "4 attempts to the server: 1 succeeded, 3 failed" -- "$samples/intermittent-refused-then-success.pcapng"
expect one-direction 3 "only the client's side of the connection is in the capture" -- "$samples/inconclusive-one-direction.pcapng"
expect no-target 3 "Inconclusive: no connection to the target servers is in the capture" -- --host nothing.example "$samples/good-direct.pcapng"
expect other-server-not-verdict 3 "Also seen (other servers, not the verdict)" -- "$corpus/tls_alert.pcap"
expect other-server-named 1 "FAILED" -- --host '*' "$corpus/tls_alert.pcap"

# diff: the failing side's outcome decides.
out=$("$bin" diff --good "$samples/good-direct.pcapng" --bad "$samples/good-happy-eyeballs.pcapng" >/dev/null 2>&1); rc=$?
if [ "$rc" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL diff happy-eyeballs: exit $rc, want 0"; fail=$((fail + 1)); fi
"$bin" diff --good "$samples/good-direct.pcapng" --bad "$samples/inconclusive-one-direction.pcapng" >/dev/null 2>&1; rc=$?
if [ "$rc" -eq 3 ]; then pass=$((pass + 1)); else echo "FAIL diff one-direction: exit $rc, want 3"; fail=$((fail + 1)); fi

echo "outcomes: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
