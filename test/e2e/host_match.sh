#!/usr/bin/env bash
# --host takes names with wildcards, IP addresses (IPv4, IPv6), prefixes
# (ADDRESS/BITS) and "*": each finds exactly the connections it names in
# public corpus captures, those without any server name too, and a prefix
# that holds no server finds none. A malformed prefix is exit 2.
#
# What the captures hold (`tlsdiag analyze --format json`, facts.connections):
# - google_ssl.pcap: one TLS connection to 216.58.212.100, with no SNI and
#   no DNS answer for it, so no name to match;
# - anyconnect-vpn.pcap: 22 TCP connections, 11 of them TLS (6 without any
#   server name: 10.0.0.149:8009, 52.37.243.173 twice, 35.201.124.9,
#   8.37.96.194:4287, 52.10.115.210), and 5 more to named servers (plain
#   HTTP to detectportal.firefox.com twice and to 10.0.0.149 and 10.0.0.151
#   by Host, a refused connect to mail.viasat.com at 8.37.103.196);
# - smtp-starttls.pcap: STARTTLS to 173.194.68.26 (no name) and to
#   2003:de:2016:120::a08:53 (SNI dovecot.weberlab.de).
set -u
bin=${1:?usage: host_match.sh TLSDIAG CORPUS_DIR}
corpus=${2:?}
pass=0 fail=0

# targets CAPTURE --host VALUE...: "N ip,ip,..." — the target connections
# found and the sorted server addresses of those kept.
targets() {
    local capture=$1; shift
    "$bin" analyze --format json "$@" "$corpus/$capture" 2>/dev/null | python3 -c '
import json, sys
facts = json.load(sys.stdin)["captures"]["capture"]["facts"]
assert facts["selection"] == "targets", facts["selection"]
ips = sorted(c["server_ip"] for c in facts["connections"])
print(facts["target_connections"], ",".join(ips))' 2>/dev/null || echo "no report"
}

# expect NAME WANT CAPTURE ARGS...
expect() {
    local name=$1 want=$2; shift 2
    local got
    got=$(targets "$@")
    if [ "$got" = "$want" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: got '$got', want '$want'"
    fi
}

expect ipv4-without-name "1 216.58.212.100" google_ssl.pcap --host 216.58.212.100
expect ipv4-bracketed "1 216.58.212.100" google_ssl.pcap --host '[216.58.212.100]'
expect ipv4-prefix "3 52.10.115.210,52.37.243.173,52.37.243.173" anyconnect-vpn.pcap --host 52.0.0.0/8
expect ipv4-prefix-bits "5 8.37.102.91,8.37.102.91,8.37.102.91,8.37.103.196,8.37.96.194" \
    anyconnect-vpn.pcap --host 8.37.96.0/20
expect ipv4-prefix-none "0 " anyconnect-vpn.pcap --host 192.0.2.0/24
expect ipv6 "1 2003:de:2016:120::a08:53" smtp-starttls.pcap --host 2003:de:2016:120::a08:53
expect ipv6-prefix "1 2003:de:2016:120::a08:53" smtp-starttls.pcap --host 2003:de::/32
expect ipv6-prefix-none "0 " smtp-starttls.pcap --host 2001:db8::/32
expect address-and-name "2 173.194.68.26,2003:de:2016:120::a08:53" smtp-starttls.pcap \
    --host 173.194.68.26 --host 'DOVECOT.*'
expect name-glob "3 8.37.102.91,8.37.102.91,8.37.102.91" anyconnect-vpn.pcap --host 'vco.pandion.*'

# "*": every TLS connection of the capture (the 11 that analyze finds with
# no --host, nameless ones included), and the 5 others to named servers.
all_tls=$("$bin" analyze --format json "$corpus/anyconnect-vpn.pcap" | python3 -c '
import json, sys
facts = json.load(sys.stdin)["captures"]["capture"]["facts"]
print(facts["tls_connections"], ",".join(str(c["id"]) for c in facts["connections"]))')
star=$("$bin" analyze --format json --host '*' "$corpus/anyconnect-vpn.pcap" | python3 -c '
import json, sys
facts = json.load(sys.stdin)["captures"]["capture"]["facts"]
conns = facts["connections"]
print(facts["target_connections"], ",".join(str(c["id"]) for c in conns),
      sum(1 for c in conns if "server_name" not in c))')
read -r tls_count tls_ids <<<"$all_tls"
read -r star_count star_ids nameless <<<"$star"
missing=$(comm -23 <(tr , '\n' <<<"$tls_ids" | sort) <(tr , '\n' <<<"$star_ids" | sort) | tr '\n' ' ')
if [ "$tls_count" = 11 ] && [ "$star_count" = 16 ] && [ "$nameless" = 6 ] && [ -z "$missing" ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL star: TLS connections $tls_count ($tls_ids), '*' found $star_count ($star_ids), $nameless without a name, TLS ones missing: $missing"
fi

# Malformed values are refused, naming the value.
for bad in 192.0.2.0/33 2001:db8::/129 example.com/24 ''; do
    "$bin" analyze --host "$bad" "$corpus/google_ssl.pcap" >/dev/null 2>/tmp/host_match.$$; rc=$?
    if [ $rc -eq 2 ] && grep -qF -- "--host '$bad'" /tmp/host_match.$$; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL --host '$bad': exit $rc, stderr: $(cat /tmp/host_match.$$)"
    fi
done
rm -f /tmp/host_match.$$
echo "host_match: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
