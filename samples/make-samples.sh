#!/usr/bin/env bash
# make-samples.sh — build the tlsdiag sample-capture lab and (re)generate the
# committed sample captures in samples/ (NAME.pcapng + NAME.md + expect.json).
#
# Run as root (`make samples`).  Everything happens inside network namespaces
# named tdlab-<pid>-*, wired only to each other with veth pairs and using only
# documentation addresses (192.0.2.0/24, 203.0.113.0/24, 2001:db8::/32).  No
# namespace has a route or a link to the host or to anything outside the lab.
#
# Environment:
#   ONLY="good-direct bad-dns"   run only these scenarios (expect.json is then
#                                left untouched)
#   KEEP_WORKDIR=1               keep the scratch directory (/tmp/tdlab.*)
#   OUT=dir                      write the samples somewhere else (default:
#                                the directory holding this script)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$SCRIPT_DIR}
ONLY=${ONLY:-}

log()  { printf '[make-samples] %s\n' "$*" >&2; }
die()  { printf '[make-samples] ERROR: %s\n' "$*" >&2; exit 1; }
# shellcheck source=lab.sh
source "$SCRIPT_DIR/lab.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, dumpcap, iptables)"

# --------------------------------------------------------------------------
# 1. packages
# --------------------------------------------------------------------------
need_cmd_pkg=(
  "dumpcap:wireshark-common" "tshark:tshark" "squid:squid" "dnsmasq:dnsmasq-base"
  "nginx:nginx-light" "openssl:openssl" "gnutls-cli:gnutls-bin" "curl:curl"
  "iptables:iptables" "ip:iproute2" "ethtool:ethtool" "sysctl:procps"
  "timeout:coreutils"
)
lab_install_missing "${need_cmd_pkg[@]}" "/usr/lib/squid/basic_ncsa_auth:squid"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# --------------------------------------------------------------------------
# 2. names, addresses, scratch space, cleanup
# --------------------------------------------------------------------------
P="tdlab-$$"
EP="$P-ep"     # the endpoint (Secure Endpoint connector host), capture point
PX="$P-px"     # the HTTP proxy host (squid)
RT="$P-rt"     # router + LAN switch (bridge) + "middlebox" firewall
SV="$P-srv"    # the server side: tetra update server, DNS, revocation hosts
ALL_NS=("$EP" "$PX" "$RT" "$SV")

EP4=192.0.2.10;  EP6=2001:db8:1::10
PX4=192.0.2.3
GW4=192.0.2.1;   GW6=2001:db8:1::1
RTS4=203.0.113.1; RTS6=2001:db8:2::1
TETRA4=203.0.113.10; TETRA6=2001:db8:2::10
DNS4=203.0.113.53;   DNS6=2001:db8:2::53
OCSP4=203.0.113.20   # commercial.ocsp.identrust.com (nothing listens)
CRL4=203.0.113.21    # validation.identrust.com     (nothing listens)
INTRA4=203.0.113.30  # intranet.corp.example (another HTTPS server)

TETRA=tetra-defs.amp.cisco.com
OCSP_HOST=commercial.ocsp.identrust.com
CRL_HOST=validation.identrust.com
PROXY_NAME=proxy.corp.example
INTRA=intranet.corp.example
PROXY_PORT=3128        # squid without authentication
PROXY_AUTH_PORT=8080   # squid with basic authentication
PROXY_USER=amp-connector
PROXY_PASS=Tetra-Lab-2026
DEFS_SMALL=/tetra/defs/versions.xml
DEFS_BIG=/tetra/defs/tetra-defs-x64.bin

W=$(mktemp -d /tmp/tdlab.XXXXXX)
chmod 755 "$W"
mkdir -p "$W"/{pki,log,cap,run,www/tetra/tetra/defs,www/intranet,home,expect,tshark}

lab_init

# --------------------------------------------------------------------------
# 3. the network
# --------------------------------------------------------------------------
#
#   [EP] eth0 192.0.2.10 ---+
#                           |  br-lan 192.0.2.1          eth-srv 203.0.113.1
#   [PX] eth0 192.0.2.3 ----+--[RT] (bridge + router) ----------------- [SV] eth0
#                                                         203.0.113.10 tetra-defs
#                                                         203.0.113.53 dnsmasq
#                                                         203.0.113.20 OCSP host
#                                                         203.0.113.21 CRL host
#                                                         203.0.113.30 intranet
mac() { printf '02:00:5e:10:%02x:%02x' "$1" "$2"; }   # deterministic local MACs

build_net() {
  log "building namespaces $P-{ep,px,rt,srv}"
  local ns
  for ns in "${ALL_NS[@]}"; do ns_prepare "$ns"; done
  # veth pairs are created directly inside the lab namespaces: nothing ever
  # appears in (or is connected to) the host namespace.
  ip link add eth0 netns "$EP" address "$(mac 1 10)" type veth peer name lan-ep netns "$RT" address "$(mac 1 110)"
  ip link add eth0 netns "$PX" address "$(mac 1 3)"  type veth peer name lan-px netns "$RT" address "$(mac 1 103)"
  ip link add eth0 netns "$SV" address "$(mac 2 10)" type veth peer name eth-srv netns "$RT" address "$(mac 2 1)"

  # router: a bridge for the LAN (endpoint + proxy) and a routed server link
  nsx "$RT" ip link add br-lan address "$(mac 1 1)" type bridge stp_state 0 mcast_snooping 0
  nsx "$RT" ip link set lan-ep master br-lan
  nsx "$RT" ip link set lan-px master br-lan
  nsx "$RT" ip addr add $GW4/24 dev br-lan
  nsx "$RT" ip addr add $GW6/64 dev br-lan nodad
  nsx "$RT" ip addr add $RTS4/24 dev eth-srv
  nsx "$RT" ip addr add $RTS6/64 dev eth-srv nodad
  nsx "$RT" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  for d in lan-ep lan-px eth-srv br-lan; do no_offload "$RT" $d; nsx "$RT" ip link set $d up; done

  # endpoint: only routes to the two lab networks, no default route
  nsx "$EP" ip addr add $EP4/24 dev eth0
  nsx "$EP" ip addr add $EP6/64 dev eth0 nodad
  no_offload "$EP" eth0
  nsx "$EP" ip link set eth0 up
  nsx "$EP" ip route add 203.0.113.0/24 via $GW4
  nsx "$EP" ip -6 route add 2001:db8:2::/64 via $GW6

  # proxy host
  nsx "$PX" ip addr add $PX4/24 dev eth0
  no_offload "$PX" eth0
  nsx "$PX" ip link set eth0 up
  nsx "$PX" ip route add 203.0.113.0/24 via $GW4

  # servers
  local a
  for a in $TETRA4 $DNS4 $OCSP4 $CRL4 $INTRA4; do nsx "$SV" ip addr add $a/24 dev eth0; done
  for a in $TETRA6 $DNS6; do nsx "$SV" ip addr add $a/64 dev eth0 nodad; done
  no_offload "$SV" eth0
  nsx "$SV" ip link set eth0 up
  nsx "$SV" ip route add 192.0.2.0/24 via $RTS4
  nsx "$SV" ip -6 route add 2001:db8:1::/64 via $RTS6

  # per-namespace resolver files for `ip netns exec`
  for ns in "$EP" "$PX"; do
    mkdir -p "/etc/netns/$ns"
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"/etc/netns/$ns/hosts"
  done
  set_resolver v4
  printf 'nameserver %s\noptions timeout:2 attempts:1\n' $DNS4 >"/etc/netns/$PX/resolv.conf"

  # sanity: the lab is closed — no default route anywhere
  lab_assert_closed
  nsx "$EP" ip route get $TETRA4 | grep -q "via $GW4" || die "lab routing broken"
  nsx "$EP" ip -6 route get $TETRA6 | grep -q "via $GW6" || die "lab IPv6 routing broken"
  # let IPv6 link-up chatter (MLD reports) die down before the first capture
  sleep 3
}

set_resolver() {  # v4|v6
  local ns=$1
  if [ "$ns" = v6 ]; then
    printf 'nameserver %s\noptions timeout:2 attempts:1\n' $DNS6 >"/etc/netns/$EP/resolv.conf"
  else
    printf 'nameserver %s\noptions timeout:2 attempts:1\n' $DNS4 >"/etc/netns/$EP/resolv.conf"
  fi
}

# --------------------------------------------------------------------------
# 4. PKI: lab root -> lab issuing CA -> tetra-defs leaf; an "SSL inspection"
#    CA the client does not trust; an expired leaf.
# --------------------------------------------------------------------------
d_utc() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

build_pki() {
  log "building test PKI"
  local k=$W/pki today
  today=$(date -u +%F)
  mkdir -p "$k/newcerts"
  : >"$k/index.txt"
  cat >"$k/ca.cnf" <<EOF
[ ca ]
default_ca = labca
[ labca ]
dir = $k
database = $k/index.txt
new_certs_dir = $k/newcerts
serial = $k/serial
default_md = sha256
policy = pol
unique_subject = no
copy_extensions = none
email_in_dn = no
[ pol ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = placeholder
[ v3_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_int ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://$CRL_HOST/crl/test.crl
authorityInfoAccess = OCSP;URI:http://$OCSP_HOST/
[ v3_tetra ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:$TETRA
authorityInfoAccess = OCSP;URI:http://$OCSP_HOST/
crlDistributionPoints = URI:http://$CRL_HOST/crl/test.crl
[ v3_intranet ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:$INTRA
[ v3_inspect_leaf ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:$TETRA
EOF
  local name
  for name in root int tetra intranet inspect-root inspect-leaf expired; do
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$k/$name.key" 2>/dev/null
  done
  # sign NAME SUBJECT EXT ISSUER(name|self) SERIAL START END
  sign() {
    local n=$1 subj=$2 ext=$3 iss=$4 serial=$5 start=$6 end=$7
    openssl req -new -config "$k/ca.cnf" -key "$k/$n.key" -subj "$subj" -out "$k/$n.csr"
    echo "$serial" >"$k/serial"
    if [ "$iss" = self ]; then
      openssl ca -config "$k/ca.cnf" -batch -notext -selfsign -keyfile "$k/$n.key" \
        -in "$k/$n.csr" -out "$k/$n.pem" -extensions "$ext" -startdate "$start" -enddate "$end" 2>/dev/null
    else
      openssl ca -config "$k/ca.cnf" -batch -notext -cert "$k/$iss.pem" -keyfile "$k/$iss.key" \
        -in "$k/$n.csr" -out "$k/$n.pem" -extensions "$ext" -startdate "$start" -enddate "$end" 2>/dev/null
    fi
    [ -s "$k/$n.pem" ] || die "could not make certificate $n"
  }
  local s0 e_root e_int e_leaf
  s0=$(d_utc "$today -30 days")
  e_root=$(d_utc "$today +3650 days")
  e_int=$(d_utc "$today +1825 days")
  e_leaf=$(d_utc "$today +365 days")
  sign root  "/C=US/O=tlsdiag lab/CN=tlsdiag Lab Root CA"        v3_root self 1000 "$s0" "$e_root"
  sign int   "/C=US/O=tlsdiag lab/CN=tlsdiag Lab Issuing CA 1"   v3_int  root 1001 "$s0" "$e_int"
  sign tetra "/C=US/O=tlsdiag lab/CN=$TETRA"                     v3_tetra int 1002 "$s0" "$e_leaf"
  sign intranet "/C=US/O=tlsdiag lab/CN=$INTRA"                  v3_intranet int 1003 "$s0" "$e_leaf"
  sign expired "/C=US/O=tlsdiag lab/CN=$TETRA"                   v3_tetra int 1004 20240301000000Z 20250301000000Z
  sign inspect-root "/C=US/O=Example Corp/OU=Network Security/CN=Example Corp SSL Inspection CA" \
       v3_root self 2000 "$s0" "$e_root"
  sign inspect-leaf "/C=US/O=tlsdiag lab/CN=$TETRA"              v3_inspect_leaf inspect-root 2001 "$s0" "$e_leaf"

  cat "$k/tetra.pem" "$k/int.pem"           >"$k/tetra-chain.pem"
  cat "$k/intranet.pem" "$k/int.pem"        >"$k/intranet-chain.pem"
  cat "$k/expired.pem" "$k/int.pem"         >"$k/expired-chain.pem"
  cat "$k/inspect-leaf.pem" "$k/inspect-root.pem" >"$k/inspect-chain.pem"
  cp "$k/root.pem" "$k/lab-root-ca.pem"     # what the clients trust
  openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$k/ffdhe2048.pem"
  openssl verify -CAfile "$k/root.pem" -untrusted "$k/int.pem" "$k/tetra.pem" >/dev/null
  # htpasswd for the authenticating squid (fixed salt: deterministic file)
  printf '%s:%s\n' "$PROXY_USER" "$(openssl passwd -apr1 -salt tdlab2026 "$PROXY_PASS")" >"$W/run/squid.htpasswd"
  chmod 644 "$W/run/squid.htpasswd" "$k"/*.pem
}

build_content() {
  cat >"$W/www/tetra/tetra/defs/versions.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<tetra-definitions>
  <product>tetra-x64</product>
  <version>2026.11.23.1</version>
  <file name="tetra-defs-x64.bin" size="204800"/>
</tetra-definitions>
EOF
  # 200 KiB of deterministic, incompressible-looking data
  openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
    -iv 00000000000000000000000000000000 -in /dev/zero 2>/dev/null | head -c 204800 \
    >"$W/www/tetra/tetra/defs/tetra-defs-x64.bin" || true
  [ "$(stat -c %s "$W/www/tetra/tetra/defs/tetra-defs-x64.bin")" -eq 204800 ] || die "content"
  printf '<html><body>Example Corp intranet</body></html>\n' >"$W/www/intranet/index.html"
}

# --------------------------------------------------------------------------
# 5. services
# --------------------------------------------------------------------------
# dnsmasq: authoritative-style answers for the lab names, NXDOMAIN for anything
# else (local=/#/ means: never forward, answer from local data only).
dns_start() {  # variant: normal | no-tetra | v6   (DNS_EXTRA: more dnsmasq lines)
  local variant=${1:-normal} c=$W/run/dnsmasq.conf
  {
    echo "no-resolv"; echo "no-hosts"; echo "no-poll"; echo "bind-interfaces"
    echo "listen-address=$DNS4"
    [ "$variant" = v6 ] && echo "listen-address=$DNS6"
    echo "port=53"; echo "user=root"; echo "group=root"
    echo "local=/#/"
    echo "log-queries"; echo "log-facility=$W/log/dnsmasq-queries.log"
    echo "cache-size=0"
    case $variant in
      normal)   echo "host-record=$TETRA,$TETRA4" ;;
      v6)       echo "host-record=$TETRA,$TETRA4,$TETRA6" ;;
      no-tetra) : ;;   # the tetra name is unknown: NXDOMAIN
    esac
    echo "host-record=$OCSP_HOST,$OCSP4"
    echo "host-record=$CRL_HOST,$CRL4"
    echo "host-record=$PROXY_NAME,$PX4"
    echo "host-record=$INTRA,$INTRA4"
    # more lines from the caller (make-samples-2.sh: SERVFAIL/REFUSED setups)
    [ -z "${DNS_EXTRA:-}" ] || printf '%s\n' "$DNS_EXTRA"
  } >"$c"
  start_svc dnsmasq "$SV" dnsmasq --keep-in-foreground --conf-file="$c" --pid-file
  wait_listen "$SV" udp "$DNS4:53" dnsmasq
}
dns_stop() { stop_svc dnsmasq; }

# nginx: the update server.  Only the four suites of the real server.
# nginx_conf_head prints the part of the configuration every nginx of the lab
# shares (everything up to the server blocks); nginx_launch starts nginx on a
# configuration and waits for its listener.  make-samples-2.sh uses both with
# server blocks of its own.
NGINX_PFX=$W/run/nginx
nginx_conf_head() {
  cat <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $NGINX_PFX/nginx.pid;
error_log $W/log/nginx-error.log info;
events { worker_connections 64; }
http {
  access_log $W/log/nginx-access.log;
  server_tokens off;
  default_type application/octet-stream;
  types { text/xml xml; text/html html; }
  client_body_temp_path $NGINX_PFX/body;
  proxy_temp_path $NGINX_PFX/proxy;
  fastcgi_temp_path $NGINX_PFX/fastcgi;
  uwsgi_temp_path $NGINX_PFX/uwsgi;
  scgi_temp_path $NGINX_PFX/scgi;
  keepalive_timeout 5s;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256;
  ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
  ssl_prefer_server_ciphers off;
  ssl_dhparam $W/pki/ffdhe2048.pem;
  ssl_session_cache off;
  ssl_session_tickets off;
EOF
}

nginx_launch() {  # config [listen address:port, default the update server's]
  mkdir -p "$NGINX_PFX/logs"
  start_svc nginx "$SV" nginx -p "$NGINX_PFX" -e "$W/log/nginx-error.log" -c "$1"
  wait_listen "$SV" tcp "${2:-$TETRA4:443}" nginx
}

nginx_start() {  # cert: tetra | inspect | expired ; rate: bytes/s or 0
  local cert=${1:-tetra} rate=${2:-0} c=$W/run/nginx.conf key
  key=$cert; [ "$cert" = inspect ] && key=inspect-leaf
  {
    nginx_conf_head
    cat <<EOF
  server {
    listen $TETRA4:443 ssl;
    listen [$TETRA6]:443 ssl;
    server_name $TETRA;
    ssl_certificate $W/pki/$cert-chain.pem;
    ssl_certificate_key $W/pki/$key.key;
    root $W/www/tetra;
    location / { limit_rate $rate; }
  }
  server {
    listen $INTRA4:443 ssl;
    server_name $INTRA;
    ssl_certificate $W/pki/intranet-chain.pem;
    ssl_certificate_key $W/pki/intranet.key;
    root $W/www/intranet;
  }
}
EOF
  } >"$c"
  nginx_launch "$c"
}
nginx_stop() { stop_svc nginx; }

squid_start() {  # variant: open | auth | deny
  local variant=$1 port=$PROXY_PORT d=$W/run/squid-$1
  [ "$variant" = auth ] && port=$PROXY_AUTH_PORT
  mkdir -p "$d"; chown proxy:proxy "$d"
  {
    cat <<EOF
http_port $PX4:$port
visible_hostname $PROXY_NAME
cache_effective_user proxy
cache_effective_group proxy
pid_filename $d/squid.pid
cache_log $d/cache.log
access_log stdio:$d/access.log
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
acl SSL_ports port 443
acl CONNECT method CONNECT
acl lab_lan src 192.0.2.0/24
http_access deny CONNECT !SSL_ports
EOF
    case $variant in
      auth)
        cat <<EOF
auth_param basic program /usr/lib/squid/basic_ncsa_auth $W/run/squid.htpasswd
auth_param basic children 1 startup=1 idle=1
auth_param basic realm Example Corp proxy
auth_param basic credentialsttl 1 minute
acl authenticated proxy_auth REQUIRED
http_access deny !authenticated
EOF
        ;;
      deny)
        cat <<EOF
acl amp_updates dstdomain $TETRA
http_access deny CONNECT amp_updates
EOF
        ;;
    esac
    echo "http_access allow lab_lan"
    echo "http_access deny all"
  } >"$d/squid.conf"
  start_svc squid "$PX" squid -N -f "$d/squid.conf"
  wait_listen "$PX" tcp "$PX4:$port" squid
  sleep 0.5   # let the auth helper start before the first request
}
squid_stop() { stop_svc squid; }

# --------------------------------------------------------------------------
# 6. capture + client + verification helpers
# --------------------------------------------------------------------------
lab_reset() {  # fresh neighbour caches so every capture starts the same way
  local ns
  for ns in "$EP" "$PX" "$RT"; do nsx "$ns" ip neigh flush all >/dev/null 2>&1 || true; done
  nsx "$EP" ip -6 neigh flush all >/dev/null 2>&1 || true
  nsx "$RT" ip -6 neigh flush all >/dev/null 2>&1 || true
}

cap_start() {  # name   (CAP_FILTER, if set: a capture filter for dumpcap -f)
  CUR=$1
  lab_reset
  local f=$W/cap/$CUR.pcapng i
  rm -f "$f"
  ip netns exec "$EP" dumpcap -q -i eth0 -s 0 ${CAP_FILTER:+-f "$CAP_FILTER"} -a duration:120 -w "$f" \
    >"$W/log/dumpcap-$CUR.log" 2>&1 &
  CAP_PID=$!
  for ((i = 0; i < 100; i++)); do
    [ -s "$f" ] && break
    kill -0 "$CAP_PID" 2>/dev/null || die "dumpcap died: $(cat "$W/log/dumpcap-$CUR.log")"
    sleep 0.1
  done
  [ -s "$f" ] || die "dumpcap did not start"
  sleep 0.5
}

cap_stop() {
  sleep "${1:-1}"   # trailing FIN/ACK/RST
  kill -INT "$CAP_PID" 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do kill -0 "$CAP_PID" 2>/dev/null || break; sleep 0.1; done
  stop_pid "$CAP_PID" 1
  CAP_PID=""
}

shq() {  # print a command line, quoting only where needed
  local a out=""
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then out+="$a "; else out+="'${a//\'/\'\\\'\'}' "; fi
  done
  printf '%s' "${out% }"
}

CLIENT_CMD=""; CLIENT_RC=0
client() {  # command...   (runs in the endpoint namespace, cwd = scratch dir)
  CLIENT_CMD=$(shq "$@")
  log "  client: $CLIENT_CMD"
  if (cd "$W" && ip netns exec "$EP" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        HOME="$W/home" LANG=C.UTF-8 LC_ALL=C.UTF-8 "$@") \
        >"$W/log/client-$CUR.out" 2>"$W/log/client-$CUR.err" </dev/null; then
    CLIENT_RC=0
  else
    CLIENT_RC=$?
  fi
  log "  client exit code: $CLIENT_RC"
}

expect_rc() {  # allowed exit codes...
  local c
  for c in "$@"; do [ "$CLIENT_RC" = "$c" ] && return 0; done
  cat "$W/log/client-$CUR.err" >&2 || true
  die "$CUR: client exit code $CLIENT_RC, expected one of: $*"
}

expect_out() {  # ERE that the client's stdout must contain
  grep -qE -- "$1" "$W/log/client-$CUR.out" || die "$CUR: client stdout lacks /$1/: $(cat "$W/log/client-$CUR.out")"
}

KEYLINE=""
keyline() {  # ERE  — the client output line that tells what happened
  KEYLINE=$(cat "$W/log/client-$CUR.out" "$W/log/client-$CUR.err" | tr -d '\r' | grep -E -m1 -- "$1" || true)
  if [ -z "$KEYLINE" ]; then
    { echo "--- stdout"; cat "$W/log/client-$CUR.out"; echo "--- stderr"; cat "$W/log/client-$CUR.err"; } >&2
    die "$CUR: expected client output /$1/ not found"
  fi
  log "  client said: $KEYLINE"
}

cap_file() { echo "$W/cap/$1.pcapng"; }

ts() { tshark -r "$@" 2>/dev/null; }   # tshark quietly (no root warning)

FILTER=""; FILTER_OUT=""
check_filter() {  # filter — must show at least one packet
  FILTER=$1
  FILTER_OUT=$(ts "$(cap_file "$CUR")" -Y "$FILTER")
  [ -n "$FILTER_OUT" ] || die "$CUR: filter '$FILTER' shows nothing"
  log "  filter '$FILTER': $(printf '%s\n' "$FILTER_OUT" | wc -l) packet(s)"
}

verify_filter() {  # filter — must show at least one packet (not documented)
  local out
  out=$(ts "$(cap_file "$CUR")" -Y "$1")
  [ -n "$out" ] || die "$CUR: filter '$1' shows nothing"
  log "  verified '$1': $(printf '%s\n' "$out" | wc -l) packet(s)"
}

must_not_match() {  # filter — must show nothing (e.g. no contact with tetra)
  local out
  out=$(ts "$(cap_file "$CUR")" -Y "$1")
  [ -z "$out" ] || die "$CUR: filter '$1' unexpectedly matched: $out"
}

# --- facts, each read back from the capture with tshark --------------------
FACTS=()
fact_int() { FACTS+=("\"$1\": $2"); }
fact_str() { FACTS+=("\"$1\": \"$2\""); }
hex2int() { printf '%d' "$1"; }

fact_alert() {  # expected_desc expected_sender
  local line desc src sender
  line=$(ts "$(cap_file "$CUR")" -Y 'tls.alert_message.desc' -T fields -E separator=' ' \
         -e tls.alert_message.desc -e ip.src -e ipv6.src | head -1)
  desc=$(echo "$line" | awk '{print $1}' | cut -d, -f1)
  src=$(echo "$line" | awk '{print $2}')
  case $src in $EP4|$EP6) sender=client ;; *) sender=server ;; esac
  [ "$desc" = "$1" ] || die "$CUR: alert description $desc (expected $1)"
  [ "$sender" = "$2" ] || die "$CUR: alert sent by $sender (expected $2)"
  fact_int alert_description "$desc"
  fact_str alert_sender "$sender"
}

fact_proxy_status() {  # expected
  local s
  s=$(ts "$(cap_file "$CUR")" -Y 'http.response.code' -T fields -e http.response.code | head -1)
  [ "$s" = "$1" ] || die "$CUR: proxy status '$s' (expected $1)"
  fact_int proxy_status "$s"
}

fact_dns_rcode() {  # expected name (NOERROR, NXDOMAIN, ...) for the tetra name
  local r name
  r=$(ts "$(cap_file "$CUR")" -Y "dns.flags.response == 1 && dns.qry.name == \"${2:-$TETRA}\"" \
        -T fields -e dns.flags.rcode | head -1)
  case $r in 0) name=NOERROR ;; 2) name=SERVFAIL ;; 3) name=NXDOMAIN ;; 5) name=REFUSED ;; *) name="rcode$r" ;; esac
  [ "$name" = "$1" ] || die "$CUR: DNS rcode $name (expected $1)"
  fact_str dns_rcode "$name"
}

fact_server_hello() {  # expected_suite_hex expected_version_int
  local line suite ver sv
  line=$(ts "$(cap_file "$CUR")" -Y 'tls.handshake.type == 2' -T fields -E separator=' ' \
         -e tls.handshake.ciphersuite -e tls.handshake.version \
         -e tls.handshake.extensions.supported_version | head -1)
  suite=$(echo "$line" | awk '{print $1}')
  ver=$(echo "$line" | awk '{print $2}')
  sv=$(echo "$line" | awk '{print $3}')
  [ -n "$sv" ] && ver=$sv
  [ -n "$suite" ] || die "$CUR: no Server Hello"
  [ "$(hex2int "$suite")" = "$(hex2int "$1")" ] || die "$CUR: suite $suite (expected $1)"
  [ "$(hex2int "$ver")" = "$2" ] || die "$CUR: version $ver (expected $2)"
  fact_int chosen_suite "$(hex2int "$suite")"
  fact_int tls_version "$(hex2int "$ver")"
}

# --- output ------------------------------------------------------------------
SAMPLES_DONE=()
publish_capture() {  # scrubbed copy of the capture in $OUT, showing the documented filter's packets
  local f
  f=$(cap_file "$CUR")
  # normalise: drop the capture host's description (CPU and OS strings in
  # the section header, OS string in the interface description).
  pcapng_scrub "$f" "$W/cap/$CUR.norm.pcapng"
  cp "$W/cap/$CUR.norm.pcapng" "$OUT/$CUR.pcapng"
  chmod 644 "$OUT/$CUR.pcapng"
  # the documented filter must show the same packets in the written file
  [ "$(ts "$OUT/$CUR.pcapng" -Y "$FILTER")" = "$FILTER_OUT" ] ||
    die "$CUR: filter output differs in the scrubbed capture"
}

facts_json() {  # the FACTS collected so far, joined for a manifest entry
  local facts="" i
  for ((i = 0; i < ${#FACTS[@]}; i++)); do
    [ $i -gt 0 ] && facts+=", "
    facts+="${FACTS[$i]}"
  done
  printf '%s' "$facts"
}

md_filter_block() {  # tshark command line, its output — the "To see it" part of NAME.md
  echo "To see it in the capture:"
  echo
  echo '```'
  echo "$1"
  echo '```'
  echo
  echo "which showed, when the sample was generated:"
  echo
  echo '```'
  printf '%s\n' "$2" | sed 's/[[:space:]]*$//' | head -20
  echo '```'
}

finish() {  # cause good-sample title paragraph
  local cause=$1 good=$2 title=$3 para=$4
  publish_capture
  printf '    {"capture": "%s.pcapng", "good": "%s.pcapng", "expect": {"cause": "%s", "facts": {%s}}}' \
    "$CUR" "$good" "$cause" "$(facts_json)" >"$W/expect/$CUR.json"
  local err_out
  err_out=$(cat "$W/log/client-$CUR.out" "$W/log/client-$CUR.err" | tr -d '\r' | head -c 4000)
  {
    echo "# $CUR — $title"
    echo
    echo "Expected cause: \`$cause\`.  Working counterpart: \`$good.pcapng\`."
    echo
    echo "$para"
    echo
    echo "Client command (run by \`make-samples.sh\` inside the endpoint namespace, 192.0.2.10 / 2001:db8:1::10, with the lab DNS server $DNS4 in its resolv.conf):"
    echo
    echo '```'
    echo "$CLIENT_CMD"
    echo '```'
    echo
    echo "The client exited with code **$CLIENT_RC**; the key line it printed:"
    echo
    echo '```'
    echo "$KEYLINE"
    echo '```'
    echo
    md_filter_block "tshark -r samples/$CUR.pcapng -Y '$FILTER'" "$FILTER_OUT"
  } >"$OUT/$CUR.md"
  SAMPLES_DONE+=("$CUR")
  log "  wrote $CUR.pcapng ($(stat -c %s "$OUT/$CUR.pcapng") bytes) and $CUR.md"
  FACTS=()
  KEYLINE=""; FILTER=""; FILTER_OUT=""
}

# Rewrite a pcapng file without the host-describing options: SHB
# shb_hardware(2)/shb_os(3) and IDB if_os(12).  Everything else is copied.
pcapng_scrub() {  # in out
  perl -e '
    use strict; use warnings;
    my ($in, $out) = @ARGV;
    open(my $fh, "<:raw", $in) or die "$in: $!";
    local $/; my $d = <$fh>; close $fh;
    my ($o, $e, @blocks) = (0, "V");
    while ($o + 12 <= length $d) {
      my $type = unpack("V", substr($d, $o, 4));
      if ($type == 0x0A0D0D0A) {
        my $bom = substr($d, $o + 8, 4);
        $e = ($bom eq "\x4d\x3c\x2b\x1a") ? "V" : "N";
      }
      my $t = unpack($e, substr($d, $o, 4));
      my $len = unpack($e, substr($d, $o + 4, 4));
      die "bad block length at $o" if $len < 12 || $o + $len > length $d;
      my $body = substr($d, $o + 8, $len - 12);
      my ($fixed, %drop);
      if ($t == 0x0A0D0D0A) { $fixed = 16; %drop = (2 => 1, 3 => 1); }
      elsif ($t == 1)      { $fixed = 8;  %drop = (12 => 1); }
      if (defined $fixed) {
        my $nb = substr($body, 0, $fixed);
        my $p = $fixed;
        my $v = ($e eq "V") ? "v" : "n";
        while ($p + 4 <= length $body) {
          my ($code, $olen) = unpack("$v$v", substr($body, $p, 4));
          my $pad = ($olen + 3) & ~3;
          my $opt = substr($body, $p, 4 + $pad);
          $p += 4 + $pad;
          last if $code == 0;
          $nb .= $opt unless $drop{$code};
        }
        $nb .= pack("$v$v", 0, 0) if length($nb) > $fixed;
        $body = $nb;
        $len = length($body) + 12;
      }
      push @blocks, pack($e, $t) . pack($e, $len) . $body . pack($e, $len);
      $o += unpack($e, substr($d, $o + 4, 4));
    }
    open(my $oh, ">:raw", $out) or die "$out: $!";
    print $oh @blocks; close $oh;
  ' "$1" "$2" || die "pcapng_scrub $1"
  capinfos "$2" >/dev/null 2>&1 || die "pcapng_scrub produced an unreadable file"
}

want() {  # scenario name — selected by ONLY?
  [ -z "$ONLY" ] && return 0
  [[ " $ONLY " == *" $1 "* ]]
}

# common client argument sets
T=20   # seconds: upper bound of every client command
CURL=(timeout $T curl -q -sS -o /dev/null --connect-timeout 8
      -w 'http_code=%{http_code} size_download=%{size_download} ssl_verify_result=%{ssl_verify_result}\n')
CACERT=(--cacert pki/lab-root-ca.pem)
URL_SMALL="https://$TETRA$DEFS_SMALL"
URL_BIG="https://$TETRA$DEFS_BIG"

# --------------------------------------------------------------------------
# 7. scenarios
# --------------------------------------------------------------------------
sc_good_direct() {
  nginx_start tetra
  cap_start good-direct
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'SSL connection using'
  check_filter 'tls.handshake.type == 2 || tls.app_data'
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  finish success good-direct "working direct download (TLS 1.2)" \
"The endpoint resolves $TETRA through the lab DNS server ($DNS4 answers $TETRA4), opens TCP to port 443 and performs a TLS 1.2 handshake: curl offers its normal OpenSSL suite list (including 0xc030 and 0xc02f), the server chooses TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030) and sends the chain $TETRA -> tlsdiag Lab Issuing CA 1 (root: tlsdiag Lab Root CA, which the client trusts). The client then fetches $DEFS_SMALL (HTTP 200) as application data. Server: nginx $(nginx -v 2>&1 | sed 's,.*/,,') with OpenSSL, restricted to the four suites of the real update server."
}

sc_good_tls13() {
  nginx_start tetra
  cap_start good-tls13
  client "${CURL[@]}" -v --tlsv1.3 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'SSL connection using TLSv1.3'
  check_filter 'tls.handshake.type == 2 || tls.app_data'
  fact_dns_rcode NOERROR
  fact_server_hello 0x1301 772
  finish success good-tls13 "working direct download (TLS 1.3)" \
"Same as good-direct but curl insists on TLS 1.3 (--tlsv1.3). The client offers TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 and TLS_AES_128_GCM_SHA256; the server only allows TLS_AES_128_GCM_SHA256 (0x1301) and selects it (supported_versions = TLS 1.3, 0x0304). The certificate is encrypted in TLS 1.3, so only the Server Hello and the application data records are visible."
}

sc_good_direct_ipv6() {
  dns_stop; dns_start v6; set_resolver v6
  nginx_start tetra
  cap_start good-direct-ipv6
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  dns_stop; set_resolver v4; dns_start normal
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'SSL connection using'
  check_filter 'ipv6 && (tls.handshake.type == 2 || tls.app_data)'
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  finish success good-direct-ipv6 "working direct download over IPv6 (TLS 1.2)" \
"The endpoint asks the lab DNS server over IPv6 ($DNS6) for A and AAAA of $TETRA, gets $TETRA4 and $TETRA6, and curl connects to the IPv6 address first (happy eyeballs; the IPv6 connect succeeds at once, so no IPv4 attempt is made). TLS 1.2 handshake with TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030), then $DEFS_SMALL is fetched (HTTP 200). Also shows IPv6 neighbour discovery with the router."
}

sc_good_proxy() {
  nginx_start tetra; squid_start open
  cap_start good-proxy
  client "${CURL[@]}" -v --tls-max 1.2 -x "http://$PROXY_NAME:$PROXY_PORT" "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  squid_stop; nginx_stop
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'SSL connection using'
  check_filter 'http.request.method == "CONNECT" || http.response.code == 200 || tls.handshake.type == 2'
  fact_proxy_status 200
  fact_server_hello 0xc030 771
  finish success good-proxy "working download through an HTTP proxy (no authentication)" \
"The endpoint resolves the proxy name $PROXY_NAME ($PX4) through the lab DNS, connects to squid on port $PROXY_PORT and sends \`CONNECT $TETRA:443\`. Squid (no authentication) resolves the name itself, connects to the update server and answers \`HTTP/1.1 200 Connection established\`; the TLS 1.2 handshake (TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, 0xc030) and the download of $DEFS_SMALL then run inside the same TCP connection. The endpoint never talks to $TETRA4 directly and never looks up $TETRA."
}

sc_good_proxy_auth() {
  nginx_start tetra; squid_start auth
  cap_start good-proxy-auth
  client "${CURL[@]}" -v --tls-max 1.2 -x "http://$PROXY_NAME:$PROXY_AUTH_PORT" \
    --proxy-user "$PROXY_USER:$PROXY_PASS" "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  squid_stop; nginx_stop
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'SSL connection using'
  check_filter 'http.proxy_authorization || http.response.code == 200 || tls.handshake.type == 2'
  fact_proxy_status 200
  fact_server_hello 0xc030 771
  finish success good-proxy-auth "working download through an authenticating HTTP proxy" \
"Like good-proxy, but the squid instance on port $PROXY_AUTH_PORT requires Basic authentication (basic_ncsa_auth with an htpasswd file made by the lab script). curl sends the credentials pre-emptively (\`Proxy-Authorization: Basic ...\` for user $PROXY_USER) with \`CONNECT $TETRA:443\`, squid answers 200 Connection established, and the TLS 1.2 handshake (0xc030) and the download follow in the tunnel."
}

sc_bad_cipher_direct() {
  nginx_start tetra
  cap_start bad-cipher-direct
  client "${CURL[@]}" -v --tls-max 1.2 --ciphers AES256-SHA:AES128-SHA "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 35
  keyline '^curl: \(35\)'
  check_filter 'tls.handshake.type == 1 || tls.alert_message'
  fact_dns_rcode NOERROR
  verify_filter 'tls.handshake.type == 1 && tls.handshake.cipher_suites_length == 6 && tls.handshake.ciphersuite == 0x0035 && tls.handshake.ciphersuite == 0x002f'
  must_not_match 'tls.handshake.type == 2'
  fact_alert 40 server
  finish tls_no_shared_cipher good-direct "no shared cipher suite (direct)" \
"DNS and the TCP connection to $TETRA4:443 work, but the Client Hello offers only TLS_RSA_WITH_AES_256_CBC_SHA (0x0035) and TLS_RSA_WITH_AES_128_CBC_SHA (0x002f) (plus the renegotiation SCSV), none of which the update server accepts (it only takes 0xc030, 0xc02f, 0x009e and 0x1301). The server answers the Client Hello directly with a fatal handshake_failure alert (40) and closes the connection; no Server Hello is ever sent."
}

sc_bad_cipher_proxy() {
  nginx_start tetra; squid_start open
  cap_start bad-cipher-proxy
  client "${CURL[@]}" -v --tls-max 1.2 --ciphers AES256-SHA:AES128-SHA -x "http://$PROXY_NAME:$PROXY_PORT" \
    "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  squid_stop; nginx_stop
  expect_rc 35
  keyline '^curl: \(35\)'
  check_filter 'http.response.code == 200 || tls.handshake.type == 1 || tls.alert_message'
  fact_proxy_status 200
  fact_alert 40 server
  finish tls_no_shared_cipher good-proxy "no shared cipher suite (through the proxy)" \
"The proxy part works: \`CONNECT $TETRA:443\` to squid ($PX4:$PROXY_PORT) is answered with \`200 Connection established\`. Inside the tunnel the Client Hello offers only 0x0035 and 0x002f (AES256-SHA, AES128-SHA); the update server, relayed by squid, answers with a fatal handshake_failure alert (40) and the tunnel is closed."
}

sc_bad_dns() {
  dns_stop; dns_start no-tetra
  cap_start bad-dns
  client "${CURL[@]}" --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  dns_stop; dns_start normal
  expect_rc 6
  keyline '^curl: \(6\)'
  check_filter "dns.qry.name == \"$TETRA\" && dns.flags.rcode == 3"
  fact_dns_rcode NXDOMAIN
  must_not_match 'tcp'
  finish dns_resolution_failure good-direct "the update host name does not resolve" \
"The endpoint asks the lab DNS server ($DNS4, dnsmasq) for A and AAAA of $TETRA. The server does not know the name and answers both queries with NXDOMAIN (rcode 3), so curl gives up without any TCP connection: the capture holds only ARP and the DNS exchange."
}

sc_bad_server_refused() {
  # the name resolves, but nothing listens on the server's port 443
  cap_start bad-server-refused
  client "${CURL[@]}" --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  expect_rc 7
  keyline '^curl: \(7\)'
  check_filter 'tcp.flags.syn == 1 || tcp.flags.reset == 1'
  fact_dns_rcode NOERROR
  verify_filter "tcp.flags.reset == 1 && ip.src == $TETRA4 && tcp.srcport == 443"
  finish server_connect_failure good-direct "TCP connection to the update server refused" \
"DNS works ($TETRA -> $TETRA4), but the update service is down: the endpoint's SYN to $TETRA4:443 is answered with RST/ACK by the server host (nothing listens on 443), curl reports the connection as refused. No TLS is ever sent."
}

sc_bad_proxy_unreachable() {
  # the proxy name resolves, but squid is not running
  cap_start bad-proxy-unreachable
  client "${CURL[@]}" --tls-max 1.2 -x "http://$PROXY_NAME:$PROXY_PORT" "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  expect_rc 7
  keyline '^curl: \(7\)'
  check_filter "tcp.port == $PROXY_PORT && (tcp.flags.syn == 1 || tcp.flags.reset == 1)"
  verify_filter "dns.qry.name == \"$PROXY_NAME\" && dns.flags.rcode == 0 && dns.a == $PX4"
  must_not_match "tcp.port == 443 || dns.qry.name == \"$TETRA\""
  finish proxy_connect_failure good-proxy "the configured proxy refuses the connection" \
"The endpoint is configured to use the proxy $PROXY_NAME:$PROXY_PORT. The name resolves ($PX4), but no proxy service runs there: the SYN to $PX4:$PROXY_PORT is answered with RST/ACK, so no CONNECT request is ever sent and the update server is never reached."
}

sc_bad_proxy_407() {
  nginx_start tetra; squid_start auth
  cap_start bad-proxy-407
  client "${CURL[@]}" -v --tls-max 1.2 -x "http://$PROXY_NAME:$PROXY_AUTH_PORT" \
    --proxy-user "$PROXY_USER:wrong-password" "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  squid_stop; nginx_stop
  expect_rc 56
  keyline '^curl: \(56\)'
  check_filter 'http.request.method == "CONNECT" || http.response.code == 407'
  verify_filter 'http.response.code == 407 && http.proxy_authenticate contains "Basic"'
  fact_proxy_status 407
  finish proxy_auth_failure good-proxy-auth "proxy authentication rejected (407)" \
"The endpoint sends \`CONNECT $TETRA:443\` to the authenticating squid ($PX4:$PROXY_AUTH_PORT) with Basic credentials for $PROXY_USER, but with a wrong password. Squid's basic_ncsa_auth helper rejects them and squid answers \`HTTP/1.1 407 Proxy Authentication Required\` with \`Proxy-Authenticate: Basic realm=\"Example Corp proxy\"\`. curl does not retry and gives up; no TLS is sent."
}

sc_bad_proxy_403() {
  nginx_start tetra; squid_start deny
  cap_start bad-proxy-403
  client "${CURL[@]}" -v --tls-max 1.2 -x "http://$PROXY_NAME:$PROXY_PORT" "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  squid_stop; nginx_stop
  expect_rc 56
  keyline '^curl: \(56\)'
  verify_filter 'http.response.code == 403 && http.response.line contains "ERR_ACCESS_DENIED"'
  check_filter 'http.request.method == "CONNECT" || http.response.code == 403'
  fact_proxy_status 403
  finish proxy_denied good-proxy "proxy policy denies the CONNECT (403)" \
"The endpoint sends \`CONNECT $TETRA:443\` to squid ($PX4:$PROXY_PORT). This squid instance has a policy rule (\`acl amp_updates dstdomain $TETRA\` + \`http_access deny CONNECT amp_updates\`), so it answers \`HTTP/1.1 403 Forbidden\` (X-Squid-Error: ERR_ACCESS_DENIED) without contacting the server. curl gives up; no TLS is sent."
}

sc_bad_proxy_upstream() {
  squid_start open   # the update server is down
  cap_start bad-proxy-upstream
  client "${CURL[@]}" -v --tls-max 1.2 -x "http://$PROXY_NAME:$PROXY_PORT" "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  squid_stop
  expect_rc 56
  keyline '^curl: \(56\)'
  verify_filter 'http.response.code == 503 && http.response.line contains "ERR_CONNECT_FAIL"'
  check_filter 'http.request.method == "CONNECT" || http.response.code == 503'
  fact_proxy_status 503
  finish proxy_upstream_failure good-proxy "proxy cannot reach the update server (503)" \
"The endpoint sends \`CONNECT $TETRA:443\` to squid ($PX4:$PROXY_PORT), which accepts it, resolves the name and tries to connect to $TETRA4:443. The update service is down (the server host refuses the connection), so squid answers \`HTTP/1.1 503 Service Unavailable\` with \`X-Squid-Error: ERR_CONNECT_FAIL 111\`. The proxy-to-server leg is not on the endpoint's wire; only the CONNECT and the 503 are."
}

sc_bad_untrusted_issuer() {
  nginx_start inspect
  cap_start bad-untrusted-issuer
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 60
  keyline '^curl: \(60\)'
  check_filter 'tls.handshake.type == 11 || tls.alert_message'
  fact_dns_rcode NOERROR
  verify_filter 'tls.handshake.type == 11 && x509sat.uTF8String == "Example Corp SSL Inspection CA"'
  fact_alert 48 client
  finish cert_untrusted_issuer good-direct "certificate issued by a CA the endpoint does not trust" \
"The connection to $TETRA4:443 and the TLS 1.2 negotiation work (Server Hello with 0xc030), but the certificate chain the server sends is $TETRA issued by \"Example Corp SSL Inspection CA\" (a self-signed CA the lab script makes, as an SSL-inspection device would), and the endpoint only trusts the tlsdiag Lab Root CA. curl/OpenSSL cannot build a trusted chain and sends a fatal unknown_ca alert (48) right after the server's Certificate/ServerHelloDone."
}

sc_bad_cert_expired() {
  nginx_start expired
  cap_start bad-cert-expired
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 60
  keyline '^curl: \(60\)'
  check_filter 'tls.handshake.type == 11 || tls.alert_message'
  fact_dns_rcode NOERROR
  fact_alert 45 client
  finish cert_expired good-direct "server certificate expired" \
"The server presents a $TETRA certificate issued by the trusted tlsdiag Lab Issuing CA 1 but valid only from 2024-03-01 to 2025-03-01 (made with \`openssl ca -startdate/-enddate\`). The TLS 1.2 handshake gets as far as Certificate/ServerHelloDone; OpenSSL in curl finds the leaf expired and sends a fatal certificate_expired alert (45)."
}

sc_bad_tls_old() {
  nginx_start tetra
  cap_start bad-tls-old
  client "${CURL[@]}" -v --tlsv1.0 --tls-max 1.0 --ciphers 'DEFAULT@SECLEVEL=0' "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 35
  keyline '^curl: \(35\)'
  check_filter 'tls.handshake.type == 1 || tls.alert_message'
  fact_dns_rcode NOERROR
  fact_alert 70 server
  finish tls_version_too_old good-direct "client offers only TLS 1.0" \
"The endpoint's TLS stack is limited to TLS 1.0 (curl --tlsv1.0 --tls-max 1.0; SECLEVEL=0 is needed for OpenSSL 3 to even send it). The Client Hello carries version 0x0301 and no supported_versions extension. The update server accepts only TLS 1.2 and 1.3 and answers with a fatal protocol_version alert (70)."
}

sc_bad_reset_after_hello() {
  nginx_start tetra
  # a middlebox in the router resets connections whose first bytes carry the SNI
  nsx "$RT" iptables -A FORWARD -p tcp --dport 443 -m string --algo bm --string "$TETRA" \
    -j REJECT --reject-with tcp-reset
  cap_start bad-reset-after-hello
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nsx "$RT" iptables -F FORWARD
  nginx_stop
  expect_rc 35
  keyline '^curl: \(35\)'
  check_filter 'tls.handshake.type == 1 || tcp.flags.reset == 1'
  fact_dns_rcode NOERROR
  finish connection_reset_after_client_hello good-direct "connection reset right after the Client Hello" \
"DNS and the TCP handshake with $TETRA4:443 work. A middlebox (iptables in the lab router: \`-p tcp --dport 443 -m string --string $TETRA -j REJECT --reject-with tcp-reset\`) drops the Client Hello because its SNI names the update host and sends the endpoint a TCP RST in the server's name. curl reports the connection as reset during the TLS handshake."
}

sc_bad_download_interrupted() {
  nginx_start tetra 100k
  cap_start bad-download-interrupted
  # kill the server (by pid) about one second into the rate-limited download
  local npid=${PIDS[nginx]}
  log "  (nginx pid $npid is killed on purpose 1.2 s into the download; bash may report it as Killed)"
  ( sleep 1.2; kill -KILL "$npid" 2>/dev/null ) &
  local killer=$!
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_BIG"
  wait "$killer" 2>/dev/null || true
  cap_stop
  nginx_stop
  expect_rc 18 56
  keyline '^curl: \((18|56)\)'
  check_filter "tcp.srcport == 443 && (tcp.flags.fin == 1 || tcp.flags.reset == 1)"
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  local got
  got=$(grep -o 'size_download=[0-9]*' "$W/log/client-$CUR.out" | cut -d= -f2)
  [ -n "$got" ] && [ "$got" -gt 0 ] && [ "$got" -lt 204800 ] || die "$CUR: client got '$got' bytes"
  local left
  left=$(echo "$KEYLINE" | grep -oE 'with [0-9]+ bytes remaining' | grep -oE '[0-9]+' || true)
  if [ -n "$left" ]; then
    [ $((got + left)) -eq 204800 ] || die "$CUR: $got received + $left remaining != Content-Length 204800"
  fi
  finish download_interrupted good-direct "download cut off mid-transfer" \
"The TLS 1.2 handshake succeeds (0xc030) and the endpoint requests $DEFS_BIG (Content-Length 204800). The server sends it rate-limited (nginx limit_rate 100k); about 1.2 s after the client started, the lab script kills the nginx process (SIGKILL by pid), so the server host's kernel closes the connection with a FIN without any TLS close_notify. curl received $got of 204800 bytes and reports an error."
}

sc_bad_revocation_unreachable() {
  nginx_start tetra
  cap_start bad-revocation-unreachable
  client timeout $T gnutls-cli --ocsp --x509cafile pki/lab-root-ca.pem \
    --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' "$TETRA" -p 443
  cap_stop
  nginx_stop
  expect_rc 1
  keyline 'Could not connect to .*:80'
  verify_filter "ip.src == $OCSP4 && tcp.srcport == 80 && tcp.flags.reset == 1"
  verify_filter "ip.src == $EP4 && tcp.dstport == 443 && tcp.flags.reset == 1"
  verify_filter "x509ce.uniformResourceIdentifier contains \"$CRL_HOST\""
  must_not_match "tls.handshake.type == 16 || tls.alert_message"
  check_filter "tls.handshake.type == 11 || dns.qry.name == \"$OCSP_HOST\" || tcp.port == 80 || (tcp.port == 443 && tcp.flags.reset == 1)"
  fact_dns_rcode NOERROR
  fact_dns_rcode NOERROR "$OCSP_HOST"
  FACTS=("${FACTS[0]}")
  finish cert_revocation_unreachable good-direct "revocation check (OCSP) cannot be reached" \
"Produced with gnutls-cli $(gnutls-cli --version 2>/dev/null | head -1 | awk '{print $NF}') and its --ocsp option, which checks the server certificate's revocation status over OCSP while the handshake is in progress. The endpoint resolves $TETRA, connects to 443 and offers TLS 1.2; the server answers Server Hello, Certificate (leaf with AIA OCSP URL http://$OCSP_HOST/ and CRL distribution point http://$CRL_HOST/crl/test.crl, plus the issuing CA), Server Key Exchange, Server Hello Done. The chain itself verifies against the trusted lab root. gnutls-cli then pauses the handshake, looks up $OCSP_HOST (the lab DNS answers $OCSP4) and tries TCP port 80 there; nothing listens, so the SYN is answered with RST/ACK. gnutls-cli gives up (\"Could not connect ... Connection refused\", exit code 1) without sending a TLS alert: its TLS connection to the update server is torn down with a TCP RST from the endpoint, before any Client Key Exchange. No CRL download is attempted by this client."
}

sc_bad_no_connection() {
  nginx_start tetra
  cap_start bad-no-connection
  client "${CURL[@]}" -v "${CACERT[@]}" "https://$INTRA/"
  cap_stop
  nginx_stop
  expect_rc 0
  keyline 'http_code=200'
  check_filter "dns.qry.name == \"$INTRA\" || tls.handshake.type == 1"
  must_not_match "dns.qry.name == \"$TETRA\" || ip.addr == $TETRA4 || tls.handshake.extensions_server_name == \"$TETRA\""
  finish no_connection_attempt good-direct "the endpoint never contacts the update server" \
"The endpoint is busy with other traffic: it resolves $INTRA ($INTRA4) and fetches https://$INTRA/ successfully (TLS with SNI $INTRA), but it never looks up $TETRA, never connects to $TETRA4 and never sends a Client Hello for the update host, e.g. because the connector's update is disabled or its service is not running."
}

SCENARIOS=(
  good-direct good-proxy good-proxy-auth good-tls13 good-direct-ipv6
  bad-cipher-direct bad-cipher-proxy bad-dns bad-server-refused bad-proxy-unreachable
  bad-proxy-407 bad-proxy-403 bad-proxy-upstream bad-untrusted-issuer bad-cert-expired
  bad-revocation-unreachable bad-tls-old bad-reset-after-hello bad-download-interrupted
  bad-no-connection
)

# --------------------------------------------------------------------------
# 8. main
# --------------------------------------------------------------------------
main() {
  build_pki
  build_content
  build_net
  dns_start normal
  local s
  for s in "${SCENARIOS[@]}"; do
    want "$s" || continue
    log "scenario $s"
    "sc_${s//-/_}"
  done
  dns_stop
  if [ -z "$ONLY" ]; then
    {
      echo '{"version": 1, "samples": ['
      local first=1
      for s in "${SCENARIOS[@]}"; do
        [ $first -eq 1 ] || echo ','
        first=0
        cat "$W/expect/$s.json"
      done
      echo
      echo ']}'
    } >"$OUT/expect.json"
    log "wrote expect.json (${#SAMPLES_DONE[@]} samples)"
  else
    log "ONLY set: expect.json left unchanged"
  fi
  du -sh "$OUT" >&2
}
# make-samples-2.sh sources this file for its lab, services and helpers, and
# runs scenarios of its own: main runs only when this script is run itself.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
