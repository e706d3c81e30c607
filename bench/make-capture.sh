#!/usr/bin/env bash
# make-capture.sh — build the benchmark's large capture from real traffic.
#
#   bench/make-capture.sh [OUTDIR]        (default: bench/data; run as root)
#
# Writes, in OUTDIR:
#   bench-1g.pcap      about 1 GB: what dumpcap captured on the endpoint
#   bench-1g.pcapng    the same packets as pcapng (editcap -F pcapng)
#   bench-100m.pcap    the first ~100 MB of bench-1g.pcap (editcap packet range)
#   capture-info.txt   how it was made: traffic counts, sizes, packet counts, drops
#
# The lab is the one of samples/make-samples.sh, cut down to what the
# benchmark needs: network namespaces named tdbench-<pid>-*, wired only to
# each other with veth pairs (MTU 1500, offloads off so captured frames look
# like wire frames), documentation addresses only (192.0.2.0/24,
# 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32), no default route anywhere,
# so nothing leaves the namespaces. Every traffic loop is bounded in count and
# in time; everything started is stopped by PID; the namespaces are removed on
# exit, error or signal.
#
# Traffic, all at once so the kinds interleave through the whole file:
#   - BULK_LOOPS loops of BULK_PER_LOOP HTTPS downloads of a BULK_MB MiB file
#     from cdn.example.net (nginx, rate-limited per connection to BULK_RATE so
#     the downloads span the short sessions and dumpcap keeps up);
#   - SHORT_WORKERS loops of SHORT_PER_WORKER short sessions: curl and openssl
#     s_client to tetra-defs.amp.cisco.com (nginx restricted to the TETRA
#     suites) directly, over IPv6, through a CONNECT proxy (squid); some
#     failing with handshake_failure (client offers only suites the server
#     refuses); plain HTTP; another HTTPS server. Every curl resolves its host
#     through the lab DNS server (dnsmasq), so DNS is in the capture too.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTDIR=${1:-$SCRIPT_DIR/data}

BULK_MB=${BULK_MB:-64}                 # size of the bulk file
BULK_LOOPS=${BULK_LOOPS:-3}
BULK_PER_LOOP=${BULK_PER_LOOP:-5}      # 3 x 5 x 64 MiB = 960 MiB of payload
BULK_RATE=${BULK_RATE:-8m}             # nginx limit_rate per download
SHORT_WORKERS=${SHORT_WORKERS:-4}
SHORT_PER_WORKER=${SHORT_PER_WORKER:-1000}
TRAFFIC_DEADLINE=${TRAFFIC_DEADLINE:-400}   # seconds: every loop stops by then
SLICE_MB=${SLICE_MB:-100}

log()  { printf '[make-capture] %s\n' "$*" >&2; }
die()  { printf '[make-capture] ERROR: %s\n' "$*" >&2; exit 1; }
# The namespace lab's plumbing, shared with the sample captures' lab.
# shellcheck source=../samples/lab.sh
source "$SCRIPT_DIR/../samples/lab.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, dumpcap)"

# --------------------------------------------------------------------------
# packages (system services are not started on the host: policy-rc.d)
# --------------------------------------------------------------------------
need_cmd_pkg=(
  "dumpcap:wireshark-common" "editcap:wireshark-common" "capinfos:wireshark-common"
  "squid:squid" "dnsmasq:dnsmasq-base" "nginx:nginx-light" "openssl:openssl"
  "curl:curl" "ip:iproute2" "ethtool:ethtool" "sysctl:procps" "timeout:coreutils"
  "ss:iproute2"
)
lab_install_missing "${need_cmd_pkg[@]}"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# --------------------------------------------------------------------------
# names, addresses, scratch space, cleanup
# --------------------------------------------------------------------------
P="tdbench-$$"
EP="$P-ep"; PX="$P-px"; RT="$P-rt"; SV="$P-srv"
ALL_NS=("$EP" "$PX" "$RT" "$SV")

EP4=192.0.2.10;  EP6=2001:db8:1::10
PX4=192.0.2.3
GW4=192.0.2.1;   GW6=2001:db8:1::1
RTS4=203.0.113.1; RTS6=2001:db8:2::1
TETRA4=203.0.113.10; TETRA6=2001:db8:2::10
DNS4=203.0.113.53
INTRA4=203.0.113.30
CDN4=198.51.100.20

TETRA=tetra-defs.amp.cisco.com
INTRA=intranet.corp.example
CDN=cdn.example.net
PROXY_NAME=proxy.corp.example
PROXY_PORT=3128

W=$(mktemp -d /tmp/tdbench.XXXXXX)
chmod 755 "$W"
mkdir -p "$W"/{pki,log,cap,run,home,www/tetra/tetra/defs,www/cdn,www/intranet}

lab_init

# --------------------------------------------------------------------------
# the network (as in samples/make-samples.sh, plus a CDN address)
# --------------------------------------------------------------------------
mac() { printf '02:00:5e:20:%02x:%02x' "$1" "$2"; }

build_net() {
  log "building namespaces $P-{ep,px,rt,srv}"
  local ns d a
  for ns in "${ALL_NS[@]}"; do ns_prepare "$ns"; done
  ip link add eth0 netns "$EP" address "$(mac 1 10)" type veth peer name lan-ep netns "$RT" address "$(mac 1 110)"
  ip link add eth0 netns "$PX" address "$(mac 1 3)"  type veth peer name lan-px netns "$RT" address "$(mac 1 103)"
  ip link add eth0 netns "$SV" address "$(mac 2 10)" type veth peer name eth-srv netns "$RT" address "$(mac 2 1)"

  nsx "$RT" ip link add br-lan address "$(mac 1 1)" type bridge stp_state 0 mcast_snooping 0
  nsx "$RT" ip link set lan-ep master br-lan
  nsx "$RT" ip link set lan-px master br-lan
  nsx "$RT" ip addr add $GW4/24 dev br-lan
  nsx "$RT" ip addr add $GW6/64 dev br-lan nodad
  nsx "$RT" ip addr add $RTS4/24 dev eth-srv
  nsx "$RT" ip addr add $RTS6/64 dev eth-srv nodad
  nsx "$RT" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  for d in lan-ep lan-px eth-srv br-lan; do no_offload "$RT" $d; nsx "$RT" ip link set $d up; done
  nsx "$RT" ip route add 198.51.100.0/24 via $TETRA4 dev eth-srv

  nsx "$EP" ip addr add $EP4/24 dev eth0
  nsx "$EP" ip addr add $EP6/64 dev eth0 nodad
  no_offload "$EP" eth0
  nsx "$EP" ip link set eth0 up
  nsx "$EP" ip route add 203.0.113.0/24 via $GW4
  nsx "$EP" ip route add 198.51.100.0/24 via $GW4
  nsx "$EP" ip -6 route add 2001:db8:2::/64 via $GW6

  nsx "$PX" ip addr add $PX4/24 dev eth0
  no_offload "$PX" eth0
  nsx "$PX" ip link set eth0 up
  nsx "$PX" ip route add 203.0.113.0/24 via $GW4

  for a in $TETRA4 $DNS4 $INTRA4; do nsx "$SV" ip addr add $a/24 dev eth0; done
  nsx "$SV" ip addr add $CDN4/24 dev eth0
  nsx "$SV" ip addr add $TETRA6/64 dev eth0 nodad
  no_offload "$SV" eth0
  nsx "$SV" ip link set eth0 up
  nsx "$SV" ip route add 192.0.2.0/24 via $RTS4
  nsx "$SV" ip -6 route add 2001:db8:1::/64 via $RTS6

  for ns in "$EP" "$PX"; do
    mkdir -p "/etc/netns/$ns"
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"/etc/netns/$ns/hosts"
    printf 'nameserver %s\noptions timeout:2 attempts:2\n' $DNS4 >"/etc/netns/$ns/resolv.conf"
  done

  lab_assert_closed
  nsx "$EP" ip route get $CDN4 | grep -q "via $GW4" || die "lab routing broken"
  sleep 2
}

# --------------------------------------------------------------------------
# PKI and content
# --------------------------------------------------------------------------
build_pki() {
  log "building test PKI"
  local k=$W/pki n
  cat >"$k/ext.cnf" <<EOF
[ v3_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_leaf ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$k/root.key" -out "$k/root.pem" -days 3650 \
    -subj "/C=US/O=tlsdiag bench/CN=tlsdiag Bench Root CA" -extensions v3_root \
    -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n'; cat "$k/ext.cnf") 2>/dev/null
  for n in "$TETRA" "$CDN" "$INTRA"; do
    openssl req -new -newkey rsa:2048 -nodes -keyout "$k/$n.key" -out "$k/$n.csr" \
      -subj "/C=US/O=tlsdiag bench/CN=$n" 2>/dev/null
    openssl x509 -req -in "$k/$n.csr" -CA "$k/root.pem" -CAkey "$k/root.key" -CAcreateserial \
      -days 365 -out "$k/$n.pem" -extfile <(cat "$k/ext.cnf"; echo "subjectAltName = DNS:$n") \
      -extensions v3_leaf 2>/dev/null
    cat "$k/$n.pem" "$k/root.pem" >"$k/$n-chain.pem"
  done
  chmod 644 "$k"/*.pem
}

build_content() {
  printf '<?xml version="1.0"?>\n<tetra-definitions><version>2026.11.23.1</version></tetra-definitions>\n' \
    >"$W/www/tetra/tetra/defs/versions.xml"
  openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
    -iv 00000000000000000000000000000000 -in /dev/zero 2>/dev/null | head -c 204800 \
    >"$W/www/tetra/tetra/defs/tetra-defs-x64.bin" || true
  openssl enc -aes-128-ctr -nosalt -K 0f0e0d0c0b0a09080706050403020100 \
    -iv 00000000000000000000000000000000 -in /dev/zero 2>/dev/null | head -c $((BULK_MB * 1048576)) \
    >"$W/www/cdn/big.bin" || true
  [ "$(stat -c %s "$W/www/cdn/big.bin")" -eq $((BULK_MB * 1048576)) ] || die "content"
  printf '<html><body>Example page</body></html>\n' >"$W/www/cdn/index.html"
  printf '<html><body>Example Corp intranet</body></html>\n' >"$W/www/intranet/index.html"
}

# --------------------------------------------------------------------------
# services
# --------------------------------------------------------------------------
dns_start() {
  local c=$W/run/dnsmasq.conf
  cat >"$c" <<EOF
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=$DNS4
port=53
user=root
group=root
local=/#/
cache-size=0
host-record=$TETRA,$TETRA4
host-record=$CDN,$CDN4
host-record=$INTRA,$INTRA4
host-record=$PROXY_NAME,$PX4
EOF
  start_svc dnsmasq "$SV" dnsmasq --keep-in-foreground --conf-file="$c" --pid-file
  wait_listen "$SV" udp "$DNS4:53" dnsmasq
}

nginx_start() {
  local c=$W/run/nginx.conf pfx=$W/run/nginx k=$W/pki
  mkdir -p "$pfx/logs"
  cat >"$c" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $pfx/nginx.pid;
error_log $W/log/nginx-error.log warn;
worker_rlimit_nofile 4096;
events { worker_connections 1024; }
http {
  access_log off;
  server_tokens off;
  sendfile off;
  default_type application/octet-stream;
  types { text/xml xml; text/html html; }
  client_body_temp_path $pfx/body;
  proxy_temp_path $pfx/proxy;
  fastcgi_temp_path $pfx/fastcgi;
  uwsgi_temp_path $pfx/uwsgi;
  scgi_temp_path $pfx/scgi;
  keepalive_timeout 5s;
  ssl_session_cache off;
  ssl_session_tickets off;
  server {
    # the update server: only the four suites of the real one
    listen $TETRA4:443 ssl;
    listen [$TETRA6]:443 ssl;
    server_name $TETRA;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
    ssl_certificate $k/$TETRA-chain.pem;
    ssl_certificate_key $k/$TETRA.key;
    root $W/www/tetra;
  }
  server {
    listen $CDN4:443 ssl;
    server_name $CDN;
    ssl_certificate $k/$CDN-chain.pem;
    ssl_certificate_key $k/$CDN.key;
    root $W/www/cdn;
    location /big.bin { limit_rate $BULK_RATE; }
  }
  server {
    listen $CDN4:80;
    server_name $CDN;
    root $W/www/cdn;
  }
  server {
    listen $INTRA4:443 ssl;
    server_name $INTRA;
    ssl_certificate $k/$INTRA-chain.pem;
    ssl_certificate_key $k/$INTRA.key;
    root $W/www/intranet;
  }
}
EOF
  start_svc nginx "$SV" nginx -p "$pfx" -e "$W/log/nginx-error.log" -c "$c"
  wait_listen "$SV" tcp "$TETRA4:443" nginx
  wait_listen "$SV" tcp "$CDN4:443" nginx
}

squid_start() {
  local d=$W/run/squid
  mkdir -p "$d"; chown proxy:proxy "$d"
  cat >"$d/squid.conf" <<EOF
http_port $PX4:$PROXY_PORT
visible_hostname $PROXY_NAME
cache_effective_user proxy
cache_effective_group proxy
pid_filename $d/squid.pid
cache_log $d/cache.log
access_log none
cache_store_log none
logfile_rotate 0
netdb_filename none
coredump_dir $d
cache deny all
cache_mem 8 MB
dns_nameservers $DNS4
hosts_file none
pinger_enable off
shutdown_lifetime 1 seconds
connect_timeout 10 seconds
forward_max_tries 2
max_filedescriptors 4096
acl SSL_ports port 443
acl CONNECT method CONNECT
acl lab_lan src 192.0.2.0/24
http_access deny CONNECT !SSL_ports
http_access allow lab_lan
http_access deny all
EOF
  start_svc squid "$PX" squid -N -f "$d/squid.conf"
  wait_listen "$PX" tcp "$PX4:$PROXY_PORT" squid
  sleep 0.5
}

# --------------------------------------------------------------------------
# clients: bounded loops run inside the endpoint namespace
# --------------------------------------------------------------------------
write_workers() {
  cat >"$W/run/short.sh" <<EOF
#!/bin/bash
# short.sh WORKER COUNT DEADLINE(epoch s): COUNT short sessions, stop at DEADLINE
w=\$1; n=\$2; deadline=\$3
cd "$W"
CURL="timeout 15 curl -q -s -o /dev/null --connect-timeout 5 --cacert pki/root.pem"
ok=0; fail=0
for ((i = 0; i < n; i++)); do
  [ "\$(date +%s)" -lt "\$deadline" ] || break
  case \$(( (i + w * 7) % 20 )) in
    0|1|2|3) c="\$CURL --tls-max 1.2 https://$TETRA/tetra/defs/versions.xml" ;;
    4|5)     c="\$CURL --tlsv1.3 https://$TETRA/tetra/defs/versions.xml" ;;
    6)       c="\$CURL --tls-max 1.2 https://$TETRA/tetra/defs/tetra-defs-x64.bin" ;;
    7|8|9)   c="\$CURL --tls-max 1.2 -x http://$PROXY_NAME:$PROXY_PORT https://$TETRA/tetra/defs/versions.xml" ;;
    10)      c="\$CURL -x http://$PROXY_NAME:$PROXY_PORT https://$TETRA/tetra/defs/versions.xml" ;;
    11|12)   c="\$CURL --tls-max 1.2 --ciphers AES256-SHA:AES128-SHA https://$TETRA/tetra/defs/versions.xml" ;;
    13)      c="\$CURL --tls-max 1.2 --ciphers AES256-SHA:AES128-SHA -x http://$PROXY_NAME:$PROXY_PORT https://$TETRA/tetra/defs/versions.xml" ;;
    14|15)   c="timeout 15 openssl s_client -brief -connect $TETRA4:443 -servername $TETRA -CAfile pki/root.pem" ;;
    16|17)   c="\$CURL http://$CDN/index.html" ;;
    18)      c="\$CURL https://$INTRA/" ;;
    19)      c="\$CURL --tls-max 1.2 --resolve $TETRA:443:[$TETRA6] https://$TETRA/tetra/defs/versions.xml" ;;
  esac
  if \$c </dev/null >/dev/null 2>&1; then ok=\$((ok + 1)); else fail=\$((fail + 1)); fi
done
echo "short worker \$w: \$i sessions, \$ok ok, \$fail failed (handshake failures are expected)"
EOF
  cat >"$W/run/bulk.sh" <<EOF
#!/bin/bash
# bulk.sh LOOP COUNT DEADLINE(epoch s): COUNT downloads of the bulk file
w=\$1; n=\$2; deadline=\$3
cd "$W"
ok=0
for ((i = 0; i < n; i++)); do
  left=\$(( deadline - \$(date +%s) ))
  [ "\$left" -gt 5 ] || break
  if timeout "\$left" curl -q -s -o /dev/null --cacert pki/root.pem https://$CDN/big.bin; then ok=\$((ok + 1)); fi
done
echo "bulk loop \$w: \$i downloads, \$ok complete"
EOF
  chmod 755 "$W/run/short.sh" "$W/run/bulk.sh"
}

run_in_ep() {  # logname command...  (background; pid appended to LAB_WORKERS)
  local name=$1; shift
  ip netns exec "$EP" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$W/home" LANG=C.UTF-8 \
    "$@" >"$W/log/$name.log" 2>&1 </dev/null &
  LAB_WORKERS+=($!)
}

# --------------------------------------------------------------------------
# capture
# --------------------------------------------------------------------------
capture() {
  local f=$W/cap/raw.pcap i
  ip netns exec "$EP" dumpcap -q -P -i eth0 -s 0 -B 512 -a duration:$((TRAFFIC_DEADLINE + 60)) \
    -w "$f" >"$W/log/dumpcap.log" 2>&1 &
  CAP_PID=$!
  for ((i = 0; i < 100; i++)); do
    [ -s "$f" ] && break
    kill -0 "$CAP_PID" 2>/dev/null || die "dumpcap died: $(cat "$W/log/dumpcap.log")"
    sleep 0.1
  done
  [ -s "$f" ] || die "dumpcap did not start"
  sleep 0.5

  local deadline=$(( $(date +%s) + TRAFFIC_DEADLINE )) t0
  t0=$(date +%s)
  log "traffic: $BULK_LOOPS x $BULK_PER_LOOP downloads of $BULK_MB MiB at $BULK_RATE, $SHORT_WORKERS x $SHORT_PER_WORKER short sessions (deadline ${TRAFFIC_DEADLINE}s)"
  for ((i = 0; i < BULK_LOOPS; i++)); do run_in_ep "bulk$i" "$W/run/bulk.sh" $i $BULK_PER_LOOP $deadline; done
  for ((i = 0; i < SHORT_WORKERS; i++)); do run_in_ep "short$i" "$W/run/short.sh" $i $SHORT_PER_WORKER $deadline; done
  local pid
  for pid in "${LAB_WORKERS[@]}"; do wait "$pid" || true; done
  LAB_WORKERS=()
  TRAFFIC_SECONDS=$(( $(date +%s) - t0 ))
  sleep 2
  kill -INT "$CAP_PID" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do kill -0 "$CAP_PID" 2>/dev/null || break; sleep 0.1; done
  stop_pid "$CAP_PID" 1
  CAP_PID=""
  cat "$W"/log/bulk*.log "$W"/log/short*.log >&2
  grep -i drop "$W/log/dumpcap.log" >&2 || true
}

# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------
main() {
  mkdir -p "$OUTDIR"
  build_pki
  build_content
  build_net
  dns_start
  nginx_start
  squid_start
  write_workers
  capture
  local raw=$W/cap/raw.pcap
  log "captured $(stat -c %s "$raw") bytes in ${TRAFFIC_SECONDS}s"

  mv "$raw" "$OUTDIR/bench-1g.pcap.tmp"
  editcap -F pcapng "$OUTDIR/bench-1g.pcap.tmp" "$OUTDIR/bench-1g.pcapng.tmp"
  local size packets n
  size=$(stat -c %s "$OUTDIR/bench-1g.pcap.tmp")
  packets=$(capinfos -M -c -T "$OUTDIR/bench-1g.pcap.tmp" | awk -F'\t' 'NR==2{print $2}')
  n=$(( packets * SLICE_MB * 1000000 / size ))
  editcap -r "$OUTDIR/bench-1g.pcap.tmp" "$OUTDIR/bench-100m.pcap.tmp" "1-$n"
  {
    echo "made by bench/make-capture.sh on $(date -u +%FT%TZ)"
    echo "traffic: $BULK_LOOPS x $BULK_PER_LOOP HTTPS downloads of $BULK_MB MiB (limit_rate $BULK_RATE),"
    echo "         $SHORT_WORKERS x $SHORT_PER_WORKER short sessions, ${TRAFFIC_SECONDS}s of real traffic, no copies"
    cat "$W"/log/bulk*.log "$W"/log/short*.log
    grep -i -E 'drop|packets' "$W/log/dumpcap.log" || true
    echo "bench-1g.pcap:   $size bytes, $packets packets"
    echo "bench-100m.pcap: the first $n packets of bench-1g.pcap"
  } >"$OUTDIR/capture-info.txt"
  chmod 644 "$OUTDIR"/*.tmp
  mv "$OUTDIR/bench-1g.pcap.tmp" "$OUTDIR/bench-1g.pcap"
  mv "$OUTDIR/bench-1g.pcapng.tmp" "$OUTDIR/bench-1g.pcapng"
  mv "$OUTDIR/bench-100m.pcap.tmp" "$OUTDIR/bench-100m.pcap"
  ls -l "$OUTDIR" >&2
}
main "$@"
