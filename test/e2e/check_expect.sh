#!/usr/bin/env bash
# `tlsdiag check` reads expectation files strictly: an unknown key, an
# empty expectation, a value of the wrong type, a JSON array or a manifest
# given to --expect, an unknown cause, outcome, rule or fact is unusable
# input — exit 2 and one line naming the file and the key — never an
# expectation silently ignored. An "outcome" expectation is checked against
# the report's outcome.
set -u
bin=${1:?usage: check_expect.sh TLSDIAG SAMPLES_DIR}
samples=${2:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
capture=$samples/bad-dns.pcapng

# refused NAME JSON STDERR_TEXT [--manifest]: exit 2, one line with the file and STDERR_TEXT.
refused() {
    local name=$1 json=$2 want=$3 file="$tmp/$1.json"
    printf '%s\n' "$json" >"$file"
    if [ "${4:-}" = --manifest ]; then
        "$bin" check --manifest "$file" >"$tmp/out" 2>"$tmp/err"
    else
        "$bin" check "$capture" --expect "$file" >"$tmp/out" 2>"$tmp/err"
    fi
    local rc=$?
    if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF -- "tlsdiag: $file: $want" "$tmp/err" &&
       ! grep -q '^ok' "$tmp/out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: exit $rc (want 2), stderr: $(head -c 300 "$tmp/err"), stdout: $(head -c 200 "$tmp/out")"
    fi
}

# result NAME JSON WANT_RC STDOUT_TEXT: the expectation is used; exit and output.
result() {
    local name=$1 json=$2 want_rc=$3 want=$4 file="$tmp/$1.json"
    printf '%s\n' "$json" >"$file"
    "$bin" check "$capture" --expect "$file" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ $rc -eq "$want_rc" ] && grep -qF -- "$want" "$tmp/out" && [ ! -s "$tmp/err" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: exit $rc (want $want_rc), stdout: $(head -c 300 "$tmp/out"), stderr: $(head -c 300 "$tmp/err")"
    fi
}

refused typo-key '{"caus": "dns_resolution_failure"}' "unknown key 'caus' in \"expect\" (did you mean 'cause'?)"
refused unknown-key '{"cause": "dns_resolution_failure", "severity": "critical"}' "unknown key 'severity' in \"expect\""
refused empty '{}' '"expect" is empty'
refused empty-wrapped '{"expect": {}}' '"expect" is empty'
refused empty-facts '{"facts": {"_note": "only a comment"}, "findings": []}' '"expect" is empty'
refused not-object '{"expect": ["dns_resolution_failure"]}' '"expect" must be an object'
refused array '[{"cause": "dns_resolution_failure"}]' 'a JSON array; --expect takes one expectation'
refused manifest "$(cat "$samples/expect.json")" 'a manifest (it has "samples"): give it with --manifest'
refused wrapper-key '{"capture": "bad-dns.pcapng", "expect": {"cause": "dns_resolution_failure"}}' "unknown key 'capture' in the file"
refused twice '{"cause": "dns_resolution_failure", "cause": "success"}' "key 'cause' given twice"
refused cause-type '{"cause": 3}' '"cause" must be a non-empty string'
refused cause-unknown '{"cause": "dns_resolution_failur"}' "unknown cause 'dns_resolution_failur' (did you mean 'dns_resolution_failure'?)"
refused outcome-unknown '{"outcome": "failure"}' "unknown outcome 'failure' (one of success, failed, intermittent, inconclusive)"
refused outcome-type '{"outcome": true}' '"outcome" must be a string'
refused findings-type '{"findings": "generic.dns_resolution_failure"}' '"findings" must be an array of rule ids'
refused findings-unknown '{"findings": ["generic.dns_resolution_failur"]}' "\"findings\": unknown rule 'generic.dns_resolution_failur' (did you mean 'generic.dns_resolution_failure'?)"
refused facts-type '{"facts": [["dns_rcode", "NXDOMAIN"]]}' '"facts" must be an object'
refused fact-unknown '{"facts": {"conn.tls.alerts.0.descriptio": 40}}' "unknown fact 'conn.tls.alerts.0.descriptio' (did you mean 'conn.tls.alerts.0.description'?)"
refused fact-value-type '{"facts": {"alert_description": "40"}}' "fact 'alert_description' is an integer, not a string"
refused fact-null '{"facts": {"dns_rcode": null}}' "fact 'dns_rcode': null never matches"
# A manifest is read whole before any capture: every problem is named.
refused manifest-array '[]' 'a JSON array; a manifest is' --manifest
refused manifest-expectation '{"cause": "success"}' 'one expectation, not a manifest: give it with CAPTURE --expect' --manifest
refused manifest-key '{"version": 1, "sample": []}' "unknown key 'sample' in the manifest (did you mean 'samples'?)" --manifest
refused manifest-empty '{"version": 1, "samples": []}' '"samples" must be a non-empty array' --manifest
refused manifest-version '{"version": 2, "samples": [{"capture": "bad-dns.pcapng", "expect": {"cause": "dns_resolution_failure"}}]}' '"version" must be 1' --manifest
refused sample-key '{"samples": [{"capture": "bad-dns.pcapng", "goood": "good-direct.pcapng", "expect": {"cause": "dns_resolution_failure"}}]}' \
    "samples[0] ('bad-dns.pcapng'): unknown key 'goood' in the sample (did you mean 'good'?)" --manifest
refused sample-expect '{"samples": [{"capture": "bad-dns.pcapng", "expect": {"caus": "dns_resolution_failure"}}]}' \
    "samples[0] ('bad-dns.pcapng'): unknown key 'caus' in \"expect\"" --manifest
refused sample-no-expect '{"samples": [{"capture": "bad-dns.pcapng"}]}' "samples[0] ('bad-dns.pcapng'): a sample needs \"expect\"" --manifest

result holds '{"cause": "dns_resolution_failure", "findings": ["generic.dns_resolution_failure"], "facts": {"dns_rcode": "NXDOMAIN", "_why": "a comment"}}' 0 \
    "ok   $capture: dns_resolution_failure"
result regression '{"cause": "success"}' 1 "FAIL $capture: cause expected success, got dns_resolution_failure"
result outcome '{"cause": "dns_resolution_failure", "outcome": "failed"}' 0 \
    "ok   $capture: dns_resolution_failure"
result outcome-regression '{"cause": "dns_resolution_failure", "outcome": "inconclusive"}' 1 \
    "FAIL $capture: outcome expected inconclusive, got failed"
echo "check_expect: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
