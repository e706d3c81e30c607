#!/usr/bin/env bash
# Rules are data: a rule added in a new file under a --rules folder changes
# the diagnosis without recompiling, and a malformed rule file (bad syntax,
# a misspelled fact, an undeclared cause) is refused with an error naming
# the file and the rule. No rule pack at all is refused too, naming every
# place the packs were looked for.
set -u
bin=${1:?usage: rules_dir.sh TLSDIAG SAMPLES_DIR}
samples=${2:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

cause_of() { "$bin" analyze --format json "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["diagnosis"]["cause"])'; }

before=$(cause_of "$samples/bad-download-interrupted.pcapng")
[ "$before" = download_interrupted ] && ok || bad "baseline cause: $before"

# A site rule: on this network long downloads are cut by the proxy's session
# limit, which is a proxy problem here; it outranks the generic rule.
mkdir "$tmp/site"
cat >"$tmp/site/site.json" <<'JSON'
{
  "pack": "site", "version": "0.1.0",
  "rules": [ {
    "id": "site.transfer_cut_by_proxy_limit",
    "cause": "proxy_upstream_failure",
    "severity": "critical",
    "rank": 99,
    "title": "Our proxy's session limit cuts update downloads",
    "when": [ { "fact": "$conn.failed_stage", "op": "eq", "value": "transfer" } ],
    "message": "The download from {conn.server} stops after {conn.tls.app_data.s2c_bytes} bytes.",
    "remedy": "Raise the session byte limit for {conn.server_name} on the proxy.",
    "evidence": [ { "what": "last data", "frame": "$conn.tls.app_data.s2c_last_frame" } ]
  } ]
}
JSON
after=$(cause_of --rules "$tmp/site" "$samples/bad-download-interrupted.pcapng")
[ "$after" = proxy_upstream_failure ] && ok || bad "with --rules: cause $after"
"$bin" analyze --rules "$tmp/site" "$samples/bad-download-interrupted.pcapng" | head -1 | grep -q "session limit" && ok ||
    bad "text report does not lead with the site rule"
# Other captures are untouched by it.
[ "$(cause_of --rules "$tmp/site" "$samples/good-direct.pcapng")" = success ] && ok || bad "site rule changed good-direct"

# Malformed rule files are refused, naming file and rule.
mkdir "$tmp/broken"
sed 's/"op": "eq"/"op": "equals"/' "$tmp/site/site.json" >"$tmp/broken/broken.json"
"$bin" analyze --rules "$tmp/broken" "$samples/good-direct.pcapng" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q "broken.json: rule 'site.transfer_cut_by_proxy_limit'.*equals" "$tmp/err"; then ok; else
    bad "malformed rule: exit $rc, stderr: $(cat "$tmp/err")"; fi
printf '{ "pack": "x", "version": "1", "rules": [ {,] }\n' >"$tmp/broken/broken.json"
"$bin" analyze --rules "$tmp/broken" "$samples/good-direct.pcapng" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q "broken.json: line 1" "$tmp/err"; then ok; else
    bad "JSON syntax error: exit $rc, stderr: $(cat "$tmp/err")"; fi
# A misspelled fact is refused wherever the rule writes it: one line naming
# the file, the rule, the path as written and the fact it most likely means.
typo=conn.tls.client_helo.frame
refused() {  # NAME SED-EXPRESSION: the site rule edited into broken.json
    sed "$2" "$tmp/site/site.json" >"$tmp/broken/broken.json"
    "$bin" analyze --rules "$tmp/broken" "$samples/good-direct.pcapng" >/dev/null 2>"$tmp/err"; rc=$?
    if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
       grep -q "broken.json: rule 'site.transfer_cut_by_proxy_limit': .*unknown fact '.$typo.*' (did you mean '.conn.tls.client_hello.frame.*'?)" "$tmp/err"
    then ok; else bad "misspelled fact in $1: exit $rc, stderr: $(cat "$tmp/err")"; fi
}
refused when 's/"fact": "$conn.failed_stage"/"fact": "$'$typo'"/'
refused let 's/"when": \[/"let": { "f": { "op": "value", "a": "$'$typo'" } }, "when": [/'
refused template 's/after {conn.tls.app_data.s2c_bytes} bytes/after frame {'$typo'}/'
refused evidence 's/"frame": "$conn.tls.app_data.s2c_last_frame"/"frame": "$'$typo'"/'
# So is a cause no loaded pack declares.
sed 's/"cause": "proxy_upstream_failure"/"cause": "proxy_upstream_failur"/' "$tmp/site/site.json" >"$tmp/broken/broken.json"
"$bin" analyze --rules "$tmp/broken" "$samples/good-direct.pcapng" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q "broken.json: rule 'site.transfer_cut_by_proxy_limit': unknown cause 'proxy_upstream_failur' (did you mean 'proxy_upstream_failure'?)" "$tmp/err"
then ok; else bad "undeclared cause: exit $rc, stderr: $(cat "$tmp/err")"; fi

# No rule pack, nothing silent: the binary copied where no packs are (and
# no TLSDIAG_RULES) stops with exit 2 and one line naming every place it
# looked in, instead of "no rule explains this capture".
mkdir -p "$tmp/opt/bin"
cp "$bin" "$tmp/opt/bin/tlsdiag"
env -u TLSDIAG_RULES "$tmp/opt/bin/tlsdiag" analyze "$samples/good-direct.pcapng" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
   grep -qF "no rule pack found; looked in: \$TLSDIAG_RULES (not set), $tmp/opt/rules/packs, $tmp/rules/packs, $tmp/opt/share/tlsdiag/rules, /usr/share/tlsdiag/rules;" "$tmp/err"
then ok; else bad "no rule pack: exit $rc, stdout: $(head -c 200 "$tmp/out"), stderr: $(cat "$tmp/err")"; fi
TLSDIAG_RULES="$tmp/nowhere" "$tmp/opt/bin/tlsdiag" check --manifest "$samples/expect.json" >"$tmp/out" 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -qF "no rule pack found; looked in: \$TLSDIAG_RULES=$tmp/nowhere (No such file or directory)" "$tmp/err"
then ok; else bad "TLSDIAG_RULES to nowhere: exit $rc, stderr: $(cat "$tmp/err")"; fi
"$bin" analyze --no-default-rules "$samples/good-direct.pcapng" >/dev/null 2>"$tmp/err"; rc=$?
if [ $rc -eq 2 ] && grep -q "no rule pack to load: --no-default-rules and no --rules" "$tmp/err"
then ok; else bad "--no-default-rules alone: exit $rc, stderr: $(cat "$tmp/err")"; fi
# The packs beside the copy (share/tlsdiag/rules) are found.
mkdir -p "$tmp/opt/share/tlsdiag/rules"
cp "$(dirname "$0")/../../rules/packs/"*.json "$tmp/opt/share/tlsdiag/rules/"
[ "$(env -u TLSDIAG_RULES "$tmp/opt/bin/tlsdiag" analyze --format json "$samples/good-direct.pcapng" |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["diagnosis"]["cause"])' 2>/dev/null)" = success ] && ok ||
    bad "packs in share/tlsdiag/rules beside the binary not found"
echo "rules: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
