#!/usr/bin/env bash
# make-samples-2.sh — the second set of sample captures: TLS 1.3 with key logs,
# verdict samples (happy eyeballs, retries, one-direction capture) and more
# failure classes.  Writes NAME.pcapng + NAME.md (+ NAME.keys and NAME-dsb.pcapng
# where the client wrote a key log) and samples/expect-next.json.
#
# It runs in the lab of make-samples.sh: that script is sourced (its main
# does not run), so the namespaces, addresses, PKI, dnsmasq, nginx, squid,
# capture and verification helpers are the same; this file only adds what the
# new scenarios need.  It never rewrites the captures of make-samples.sh nor
# samples/expect.json.
#
# Run as root.  Environment (as for make-samples.sh):
#   ONLY="tls13-good bad-dns-servfail"   run only these scenarios; their
#                                entries in expect-next.json are replaced,
#                                the others kept
#   KEEP_WORKDIR=1               keep the scratch directory (/tmp/tdlab.*)
#   OUT=dir                      write the samples somewhere else
set -euo pipefail

SCRIPT2_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=make-samples.sh
source "$SCRIPT2_DIR/make-samples.sh"
log()  { printf '[make-samples-2] %s\n' "$*" >&2; }
die()  { printf '[make-samples-2] ERROR: %s\n' "$*" >&2; exit 1; }

lab_install_missing "python3:python3" "lighttpd:lighttpd" "editcap:wireshark-common"
# mod_mbedtls is a library, not a command: a name that is never found makes it install
[ -e /usr/lib/lighttpd/mod_mbedtls.so ] || lab_install_missing "/nonexistent/mod_mbedtls:lighttpd-mod-mbedtls"
LABTOOLS=$SCRIPT2_DIR/labtools.py
LAB_SCRIPT=make-samples-2.sh
mkdir -p "$W"/{keys,expect2}
PY=(python3 "$LABTOOLS" --timeout 60)   # every helper exits after 60 s at the latest

# --------------------------------------------------------------------------
# PKI and servers beyond those of make-samples.sh
# --------------------------------------------------------------------------
build_pki_2() {
  log "adding certificates: not yet valid, leaf without chain, RSA-1024; DH-1024 parameters"
  local k=$W/pki today s0 e_leaf
  today=$(date -u +%F)
  s0=$(d_utc "$today -30 days"); e_leaf=$(d_utc "$today +365 days")
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$k/notyet.key" 2>/dev/null
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$k/weak1024.key" 2>/dev/null
  sign notyet   "/C=US/O=tlsdiag lab/CN=$TETRA" v3_tetra int 1005 "$(d_utc "$today +30 days")" "$(d_utc "$today +395 days")"
  sign weak1024 "/C=US/O=tlsdiag lab/CN=$TETRA" v3_tetra int 1006 "$s0" "$e_leaf"
  cat "$k/notyet.pem" "$k/int.pem"   >"$k/notyet-chain.pem"
  cat "$k/weak1024.pem" "$k/int.pem" >"$k/weak1024-chain.pem"
  cp "$k/tetra.pem" "$k/leafonly-chain.pem"   # the leaf alone, without the issuing CA
  cp "$k/tetra.key" "$k/leafonly.key"
  openssl dhparam -out "$k/dh1024.pem" 1024 2>/dev/null
  chmod 644 "$k"/*.pem
}

# nginx with server blocks of the caller's (after the shared http preamble)
nginx_start_with() {  # server-blocks [listen address:port]
  local c=$W/run/nginx.conf
  { nginx_conf_head; printf '%s\n}\n' "$1"; } >"$c"
  nginx_launch "$c" "${2:-$TETRA4:443}"
}

tetra_block() {  # cert-name [extra directives] — the update server's server block
  cat <<EOF
  server {
    listen $TETRA4:443 ssl;
    listen [$TETRA6]:443 ssl;
    server_name $TETRA;
    ssl_certificate $W/pki/$1-chain.pem;
    ssl_certificate_key $W/pki/$1.key;
    root $W/www/tetra;
    ${2:-}
  }
EOF
}

s_server_start() {  # options... — openssl s_server on the update server's address, for one connection
  start_svc s_server "$SV" openssl s_server -accept "$TETRA4:443" -naccept 1 "$@"
  wait_listen "$SV" tcp "$TETRA4:443" s_server
}

lighttpd_start() {  # lighttpd with mod_mbedtls (mbed TLS 2.28: TLS 1.2 only) as the update server
  local c=$W/run/lighttpd.conf
  cat >"$c" <<EOF
server.modules = ( "mod_mbedtls" )
server.document-root = "$W/www/tetra"
server.bind = "$TETRA4"
server.port = 443
server.errorlog = "$W/log/lighttpd-error.log"
server.pid-file = "$W/run/lighttpd.pid"
ssl.engine = "enable"
ssl.pemfile = "$W/pki/tetra-chain.pem"
ssl.privkey = "$W/pki/tetra.key"
EOF
  start_svc lighttpd "$SV" lighttpd -D -f "$c"
  wait_listen "$SV" tcp "$TETRA4:443" lighttpd
}

# --------------------------------------------------------------------------
# key logs, decrypted views, several client runs, the second manifest
# --------------------------------------------------------------------------
TS_KEYLOG=""
ts() {  # tshark quietly; with the key log of the current sample once with_keys is on
  if [ -n "$TS_KEYLOG" ]; then
    tshark -o "tls.keylog_file:$TS_KEYLOG" -r "$@" 2>/dev/null
  else
    tshark -r "$@" 2>/dev/null
  fi
}
KEYLOG=""                     # relative path the client writes its key log to (cwd = $W)
keylog() { KEYLOG=keys/$CUR.keys; rm -f "$W/$KEYLOG"; }   # call after cap_start
RAW_FACTS=(); DEC_FILTER=""; DEC_OUT=""
with_keys() {  # from here on, tshark decrypts; facts so far are those of the capture alone
  [ -s "$W/$KEYLOG" ] || die "$CUR: the client wrote no key log ($KEYLOG)"
  RAW_FACTS=("${FACTS[@]}")
  TS_KEYLOG=$W/$KEYLOG
}
check_filter_keys() {  # filter — with the key log, must show at least one packet
  DEC_FILTER=$1
  DEC_OUT=$(ts "$(cap_file "$CUR")" -Y "$DEC_FILTER")
  [ -n "$DEC_OUT" ] || die "$CUR: filter '$DEC_FILTER' shows nothing once decrypted"
  log "  decrypted, filter '$DEC_FILTER': $(printf '%s\n' "$DEC_OUT" | wc -l) packet(s)"
}

RUN_CMDS=(); RUN_RCS=(); RUN_KEYS=()
save_run() {  # keep this client run (command, exit code, key line) for the .md
  local n=${#RUN_CMDS[@]}
  RUN_CMDS+=("$CLIENT_CMD"); RUN_RCS+=("$CLIENT_RC"); RUN_KEYS+=("$KEYLINE")
  cp "$W/log/client-$CUR.out" "$W/log/client-$CUR.$n.out"
  cp "$W/log/client-$CUR.err" "$W/log/client-$CUR.$n.err"
}

client_second_flight_records() {  # n — TLS 1.3: encrypted records with the client's Change Cipher Spec
  # (Finished alone: 1; after a CertificateRequest: Certificate and Finished, 2)
  local n
  n=$(ts "$(cap_file "$CUR")" -Y "tls.change_cipher_spec && ip.src == $EP4" -T fields -e tls.record.opaque_type |
      head -1 | tr ',' '\n' | grep -c '^23$' || true)
  [ "$n" = "$1" ] || die "$CUR: $n encrypted records in the client's second flight (expected $1)"
  log "  client's second flight: Change Cipher Spec + $n encrypted records"
}

fact_count() {  # fact-name filter — number of packets the filter shows
  local n
  n=$(ts "$(cap_file "$CUR")" -Y "$2" | wc -l)
  fact_int "$1" "$n"
}

entry_json() {  # capture good cause outcome facts
  printf '{"capture": "%s", "good": "%s", "expect": {"cause": "%s", "outcome": "%s", "facts": {%s}}}\n' \
    "$1" "$2" "$3" "$4" "$5"
}

DSB_CAUSE=""; DSB_GOOD=""; MD_NOTE=""
finish_next() {  # cause outcome good-sample title paragraph
  local cause=$1 outcome=$2 good=$3 title=$4 para=$5 keyed=0 i dsb_cause dsb_good dec_facts
  [ -n "$TS_KEYLOG" ] && keyed=1
  dec_facts=$(facts_json)
  if [ $keyed = 1 ]; then FACTS=("${RAW_FACTS[@]}"); fi
  TS_KEYLOG=""                      # the documented plain filter: the capture alone
  publish_capture
  entry_json "$CUR.pcapng" "$good.pcapng" "$cause" "$outcome" "$(facts_json)" >"$W/expect2/$CUR.json"
  if [ $keyed = 1 ]; then
    dsb_cause=${DSB_CAUSE:-$cause}
    dsb_good=${DSB_GOOD:-$good}
    cp "$W/$KEYLOG" "$OUT/$CUR.keys"; chmod 644 "$OUT/$CUR.keys"
    editcap --inject-secrets "tls,$OUT/$CUR.keys" "$OUT/$CUR.pcapng" "$W/cap/$CUR-dsb.raw.pcapng" ||
      die "$CUR: editcap --inject-secrets failed"
    pcapng_scrub "$W/cap/$CUR-dsb.raw.pcapng" "$OUT/$CUR-dsb.pcapng"
    chmod 644 "$OUT/$CUR-dsb.pcapng"
    # the DSB file decrypts on its own, exactly as the capture plus the key log does
    [ "$(tshark -r "$OUT/$CUR-dsb.pcapng" -Y "$DEC_FILTER" 2>/dev/null)" = "$DEC_OUT" ] ||
      die "$CUR: $CUR-dsb.pcapng does not decrypt like $CUR.pcapng + $CUR.keys"
    [ "$(tshark -o "tls.keylog_file:$OUT/$CUR.keys" -r "$OUT/$CUR.pcapng" -Y "$DEC_FILTER" 2>/dev/null)" = "$DEC_OUT" ] ||
      die "$CUR: decrypted filter output differs in the scrubbed capture"
    entry_json "$CUR-dsb.pcapng" "$dsb_good-dsb.pcapng" "$dsb_cause" "$outcome" "$dec_facts" >>"$W/expect2/$CUR.json"
  fi
  if [ ${#RUN_CMDS[@]} -eq 0 ]; then save_run; fi
  {
    echo "# $CUR — $title"
    echo
    echo "Expected cause: \`$cause\`, outcome: \`$outcome\`.  Working counterpart: \`$good.pcapng\`."
    if [ $keyed = 1 ]; then
      echo
      echo "With the client's key log (\`$CUR.keys\`, or \`$CUR-dsb.pcapng\`, which carries it): expected cause: \`$dsb_cause\`, outcome: \`$outcome\`.  Working counterpart: \`$dsb_good-dsb.pcapng\`."
    fi
    echo
    echo "$para"
    if [ -n "$MD_NOTE" ]; then echo; echo "$MD_NOTE"; fi
    echo
    if [ ${#RUN_CMDS[@]} -eq 1 ]; then
      echo "Client command (run by \`$LAB_SCRIPT\` inside the endpoint namespace, 192.0.2.10 / 2001:db8:1::10, with the lab DNS server $DNS4 in its resolv.conf):"
      echo
      echo '```'; echo "${RUN_CMDS[0]}"; echo '```'
      echo
      echo "The client exited with code **${RUN_RCS[0]}**; the key line it printed:"
      echo
      echo '```'; echo "${RUN_KEYS[0]}"; echo '```'
    else
      echo "Client commands, one after the other (run by \`$LAB_SCRIPT\` inside the endpoint namespace, 192.0.2.10 / 2001:db8:1::10, with the lab DNS server $DNS4 in its resolv.conf):"
      for ((i = 0; i < ${#RUN_CMDS[@]}; i++)); do
        echo
        echo "Run $((i + 1)):"
        echo
        echo '```'; echo "${RUN_CMDS[$i]}"; echo '```'
        echo
        echo "exited with code **${RUN_RCS[$i]}**; key line:"
        echo
        echo '```'; echo "${RUN_KEYS[$i]}"; echo '```'
      done
    fi
    echo
    md_filter_block "tshark -r samples/$CUR.pcapng -Y '$FILTER'" "$FILTER_OUT"
    if [ $keyed = 1 ]; then
      echo
      echo "The client wrote its TLS secrets to \`$CUR.keys\` (NSS key log format). \`$CUR-dsb.pcapng\` is the same capture with these secrets embedded (a pcapng Decryption Secrets Block), made with \`editcap --inject-secrets tls,samples/$CUR.keys samples/$CUR.pcapng samples/$CUR-dsb.pcapng\`; tshark and Wireshark decrypt it without options (\`tshark -r samples/$CUR-dsb.pcapng -Y ...\` shows the same as below). Decrypted with the key log:"
      echo
      echo '```'
      echo "tshark -o tls.keylog_file:samples/$CUR.keys -r samples/$CUR.pcapng -Y '$DEC_FILTER'"
      echo '```'
      echo
      echo "which showed, when the sample was generated:"
      echo
      echo '```'
      printf '%s\n' "$DEC_OUT" | sed 's/[[:space:]]*$//' | head -20
      echo '```'
    fi
  } >"$OUT/$CUR.md"
  SAMPLES_DONE+=("$CUR")
  log "  wrote $CUR.pcapng ($(stat -c %s "$OUT/$CUR.pcapng") bytes)$([ $keyed = 1 ] && echo ", $CUR.keys, $CUR-dsb.pcapng") and $CUR.md"
  FACTS=(); RAW_FACTS=(); KEYLINE=""; FILTER=""; FILTER_OUT=""; DEC_FILTER=""; DEC_OUT=""
  TS_KEYLOG=""; KEYLOG=""; DSB_CAUSE=""; DSB_GOOD=""; MD_NOTE=""
  RUN_CMDS=(); RUN_RCS=(); RUN_KEYS=()
}

# common client pieces
GNUTLS=(timeout $T gnutls-cli --x509cafile pki/lab-root-ca.pem)
S_CLIENT=(timeout $T openssl s_client -CAfile pki/lab-root-ca.pem -verify_return_error)
TLS13_GOOD=tls13-good   # the working TLS 1.3 sample with a key log

# --------------------------------------------------------------------------
# A. TLS 1.3 as it really flows, with the client's key log
# --------------------------------------------------------------------------
# Without the keys the certificate, the alerts and the HTTP exchange of TLS 1.3
# are encrypted records: for a capture alone the expected cause is what the
# record flow shows; with the key log (NAME-dsb.pcapng) it is the real one.

sc_tls13_good() {
  nginx_start tetra
  cap_start tls13-good; keylog
  client env "SSLKEYLOGFILE=$KEYLOG" "${CURL[@]}" -v --tlsv1.3 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'SSL connection using TLSv1.3'
  check_filter 'tls.handshake.type == 2 || tls.app_data'
  fact_dns_rcode NOERROR
  fact_server_hello 0x1301 772
  with_keys
  check_filter_keys 'tls.handshake || http || tls.alert_message'
  verify_filter 'http.response.code == 200'
  fact_int http_status 200
  finish_next success success "$TLS13_GOOD" "working direct download (TLS 1.3, with key log)" \
"curl (OpenSSL 3) insists on TLS 1.3 and writes its secrets to the file named by SSLKEYLOGFILE. The server chooses TLS_AES_128_GCM_SHA256 (0x1301). In the capture alone only the Client Hello, the Server Hello and the compatibility Change Cipher Spec are readable; EncryptedExtensions, Certificate, CertificateVerify, both Finished messages, the HTTP request and the 200 response are encrypted records (outer type application_data). With the key log they read as they are: the certificate chain $TETRA -> tlsdiag Lab Issuing CA 1, GET $DEFS_SMALL, HTTP/1.1 200 OK, and the client's closing close_notify."
}

sc_tls13_untrusted_issuer() {
  nginx_start inspect
  cap_start tls13-untrusted-issuer; keylog
  client env "SSLKEYLOGFILE=$KEYLOG" "${CURL[@]}" -v --tlsv1.3 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 60
  keyline '^curl: \(60\)'
  check_filter 'tls.handshake.type == 2 || tls.app_data || tls.alert_message'
  must_not_match 'tls.handshake.type == 11'
  fact_dns_rcode NOERROR
  fact_server_hello 0x1301 772
  fact_alert 48 client
  with_keys
  check_filter_keys 'tls.handshake.type == 11 || tls.alert_message'
  verify_filter 'tls.handshake.type == 11 && x509sat.uTF8String == "Example Corp SSL Inspection CA"'
  must_not_match 'http'
  finish_next cert_untrusted_issuer failed "$TLS13_GOOD" "TLS 1.3: certificate from an SSL-inspection CA the endpoint does not trust (curl)" \
"As bad-untrusted-issuer, but in TLS 1.3: the server (standing in for an SSL-inspection device) presents $TETRA issued by \"Example Corp SSL Inspection CA\", which the endpoint does not trust. The Certificate travels encrypted in the server's first flight. curl (OpenSSL 3.0) rejects it while still reading that flight, before it has switched its own writing to the handshake keys, so its fatal unknown_ca alert (48) goes out as a plaintext record (\"Alert (Level: Fatal, Description: Unknown CA)\" even without keys), with no Change Cipher Spec before it. That is how OpenSSL clients abort TLS 1.3 on a bad certificate; a GnuTLS client encrypts the alert instead (tls13-untrusted-issuer-gnutls). The key log adds the certificate chain."
}

sc_tls13_untrusted_issuer_gnutls() {
  nginx_start inspect
  cap_start tls13-untrusted-issuer-gnutls; keylog
  client env "SSLKEYLOGFILE=$KEYLOG" "${GNUTLS[@]}" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' "$TETRA" -p 443
  cap_stop
  nginx_stop
  expect_rc 1
  keyline 'issuer is unknown'
  check_filter 'tls.handshake.type == 2 || tls.app_data || tls.change_cipher_spec'
  must_not_match 'tls.handshake.type == 11 || tls.alert_message'
  verify_filter "tls.app_data && ip.src == $EP4 && tls.record.length == 19"
  fact_dns_rcode NOERROR
  fact_server_hello 0x1301 772
  with_keys
  check_filter_keys 'tls.handshake.type == 11 || tls.alert_message'
  verify_filter 'tls.handshake.type == 11 && x509sat.uTF8String == "Example Corp SSL Inspection CA"'
  fact_alert 42 client
  DSB_CAUSE=cert_untrusted_issuer
  finish_next cert_rejected failed "$TLS13_GOOD" "TLS 1.3: certificate from an untrusted SSL-inspection CA, encrypted alert (gnutls-cli)" \
"The same server as tls13-untrusted-issuer (leaf for $TETRA issued by the untrusted \"Example Corp SSL Inspection CA\"), the client is gnutls-cli $(gnutls-cli --version 2>/dev/null | head -1 | awk '{print $NF}') limited to TLS 1.3. GnuTLS verifies the chain after the server's whole flight, sends its middlebox-compatibility Change Cipher Spec and then its fatal alert encrypted under the client handshake traffic key: on the wire one application_data record of 19 bytes (2 bytes of alert, the inner content type, a 16-byte tag). Its description is bad_certificate (42), GnuTLS's alert for any verification failure, not unknown_ca. Without the key log the capture shows only that the client gives up after the server's encrypted flight; with it, the Certificate (issuer Example Corp SSL Inspection CA, unlike the working sample's tlsdiag Lab Issuing CA 1) and the alert."
}

sc_tls13_hostname_mismatch() {
  nginx_start intranet
  cap_start tls13-hostname-mismatch; keylog
  client "${S_CLIENT[@]}" -connect "$TETRA:443" -servername "$TETRA" -verify_hostname "$TETRA" \
    -tls1_3 -keylogfile "$KEYLOG"
  cap_stop
  nginx_stop
  expect_rc 1
  keyline 'hostname mismatch'
  check_filter 'tls.handshake.type == 2 || tls.app_data || tls.alert_message'
  must_not_match 'tls.handshake.type == 11'
  fact_dns_rcode NOERROR
  fact_server_hello 0x1301 772
  fact_alert 42 client
  with_keys
  check_filter_keys 'tls.handshake.type == 11 || tls.alert_message'
  verify_filter "tls.handshake.type == 11 && x509ce.dNSName == \"$INTRA\""
  DSB_CAUSE=cert_hostname_mismatch
  finish_next cert_rejected failed "$TLS13_GOOD" "TLS 1.3: the server's certificate is for another name" \
"The update server's address answers with the certificate of another site ($INTRA, valid and issued by the trusted lab CA, but without $TETRA among its names), as after a wrong virtual-host or load-balancer configuration. openssl s_client checks the name (-verify_hostname) and stops at the first verification error (-verify_return_error). Like every OpenSSL client aborting inside the server's first TLS 1.3 flight, it sends its fatal bad_certificate alert (42) as a plaintext record. Without the key log, bad_certificate after an encrypted Certificate says only that the client rejected the certificate; the key log shows the Certificate and its name ($INTRA), not the one the client asked for in the SNI."
}

sc_tls13_cert_expired() {
  nginx_start expired
  cap_start tls13-cert-expired; keylog
  client env "SSLKEYLOGFILE=$KEYLOG" "${CURL[@]}" -v --tlsv1.3 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 60
  keyline '^curl: \(60\)'
  check_filter 'tls.handshake.type == 2 || tls.app_data || tls.alert_message'
  must_not_match 'tls.handshake.type == 11'
  fact_dns_rcode NOERROR
  fact_server_hello 0x1301 772
  fact_alert 45 client
  with_keys
  check_filter_keys 'tls.handshake.type == 11 || tls.alert_message'
  verify_filter 'tls.handshake.type == 11 && x509af.notAfter'
  finish_next cert_expired failed "$TLS13_GOOD" "TLS 1.3: server certificate expired" \
"As bad-cert-expired (leaf valid 2024-03-01 to 2025-03-01, issued by the trusted lab CA), but in TLS 1.3: curl receives the encrypted Certificate, finds the leaf expired and sends a fatal certificate_expired alert (45), in plaintext (OpenSSL has not switched its writing to the handshake keys yet). The key log shows the certificate and its validity dates."
}

sc_tls13_client_cert_required() {
  s_server_start -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256 -cert "$W/pki/tetra.pem" -key "$W/pki/tetra.key" \
    -cert_chain "$W/pki/int.pem" -Verify 1 -CAfile "$W/pki/root.pem" -www
  cap_start tls13-client-cert-required; keylog
  client env "SSLKEYLOGFILE=$KEYLOG" "${CURL[@]}" -v --tlsv1.3 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  stop_svc s_server
  expect_rc 56 35
  keyline 'certificate required'
  check_filter 'tls.handshake.type == 2 || tls.app_data'
  client_second_flight_records 2
  fact_dns_rcode NOERROR
  fact_server_hello 0x1301 772
  with_keys
  check_filter_keys 'tls.handshake.type == 13 || tls.handshake.type == 11 || tls.handshake.type == 20 || tls.alert_message'
  verify_filter "tls.handshake.type == 11 && ip.src == $EP4 && tls.handshake.certificates_length == 0"
  fact_alert 116 server
  finish_next client_cert_required failed "$TLS13_GOOD" "TLS 1.3: the server requires a client certificate, the endpoint has none" \
"openssl s_server (-Verify 1: a client certificate is required) stands in for the update server. In TLS 1.3 its CertificateRequest is encrypted with the server's first flight; curl has no client certificate, answers with an empty Certificate and its Finished, considers the handshake done and sends its HTTP request. The server then rejects the handshake with an encrypted fatal certificate_required alert (116) and closes. Without the key log the capture shows two small encrypted records from the client (empty Certificate, Finished) before the request, then one short encrypted record from the server and its close (a client that was not asked for a certificate sends one record there, its Finished: see tls13-good); the key log shows the CertificateRequest, the empty Certificate and the alert."
}

sc_tls12_encrypted_alert() {
  nginx_start tetra
  cap_start tls12-encrypted-alert; keylog
  client env "SSLKEYLOGFILE=$KEYLOG" "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'SSL connection using TLSv1.2'
  check_filter 'tls.record.content_type == 21 || tls.app_data'
  verify_filter "tls.record.content_type == 21 && ip.src == $EP4"
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  with_keys
  check_filter_keys 'tls.alert_message || http'
  fact_alert 0 client
  fact_int http_status 200
  finish_next success success tls12-encrypted-alert "TLS 1.2 download ending with an encrypted close_notify" \
"A working TLS 1.2 download (TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, 0xc030, an AEAD suite). After the HTTP 200 response curl closes the connection with a close_notify alert; since it follows the Change Cipher Spec it is encrypted, and without keys tshark shows it only as \"Encrypted Alert\" (content type 21, 26 bytes: explicit nonce, one encrypted alert, GCM tag). An analyzer must not take such an alert for a failure. With curl's key log it reads Alert (Level: Warning, Description: Close Notify)."
}

sc_tls13_hrr() {
  nginx_start_with "$(tetra_block tetra 'ssl_ecdh_curve prime256v1;')"
  cap_start tls13-hrr; keylog
  client env "SSLKEYLOGFILE=$KEYLOG" "${CURL[@]}" -v --tlsv1.3 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'SSL connection using TLSv1.3'
  check_filter 'tls.handshake.type == 1 || tls.handshake.type == 2 || tls.change_cipher_spec'
  local n
  n=$(ts "$(cap_file "$CUR")" -Y 'tls.handshake.type == 1' | wc -l)
  [ "$n" = 2 ] || die "$CUR: $n Client Hellos (expected 2)"
  verify_filter 'tls.handshake.type == 1 && tls.handshake.extensions_key_share_group == 29'
  verify_filter 'tls.handshake.type == 2 && tls.handshake.random == cf:21:ad:74:e5:9a:61:11:be:1d:8c:02:1e:65:b8:91:c2:a2:11:16:7a:bb:8c:5e:07:9e:09:e2:c8:a8:33:9c'
  verify_filter 'tls.handshake.type == 2 && tls.handshake.extensions_key_share_group == 23 && tls.handshake.extensions_key_share_key_exchange_length == 65'
  verify_filter "tls.change_cipher_spec && ip.src == $EP4"
  fact_dns_rcode NOERROR
  fact_server_hello 0x1301 772
  fact_int client_hellos 2
  fact_int hello_retry_request true
  with_keys
  check_filter_keys 'tls.handshake || http'
  verify_filter 'http.response.code == 200'
  finish_next success success tls13-hrr "TLS 1.3 with a HelloRetryRequest" \
"The server (nginx, ssl_ecdh_curve prime256v1) accepts only the P-256 group. curl's first Client Hello carries a key share for X25519 only (group 29, while P-256 is listed in supported_groups), so the server answers with a HelloRetryRequest: a Server Hello whose random is the fixed HRR value, with supported_versions TLS 1.3, suite 0x1301 and a key_share naming secp256r1 (23). The client sends its middlebox-compatibility Change Cipher Spec and a second Client Hello with a P-256 key share (65 bytes); the real Server Hello follows, then the encrypted flight and the download (HTTP 200). Two Client Hellos and two Server Hellos on one connection are normal here, not a failure."
}

# --------------------------------------------------------------------------
# B. Verdicts you can trust
# --------------------------------------------------------------------------
sc_tls12_hostname_mismatch() {
  nginx_start intranet
  cap_start tls12-hostname-mismatch
  client "${GNUTLS[@]}" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' "$TETRA" -p 443
  cap_stop
  nginx_stop
  expect_rc 1
  keyline 'does not match'
  check_filter 'tls.handshake.type == 11 || tls.alert_message'
  verify_filter "tls.handshake.type == 11 && x509ce.dNSName == \"$INTRA\""
  must_not_match 'tls.app_data'
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  fact_alert 42 client
  finish_next cert_hostname_mismatch failed good-direct "TLS 1.2: the server's certificate is for another name" \
"The update server's address presents the certificate of $INTRA (trusted issuer, valid dates, but no $TETRA among its names). gnutls-cli $(gnutls-cli --version 2>/dev/null | head -1 | awk '{print $NF}') checks the certificate during the TLS 1.2 handshake, right after Certificate/ServerKeyExchange/ServerHelloDone, and sends a fatal bad_certificate alert (42). No application data is exchanged: 0 bytes received."
}

sc_bad_client_cert_required_openssl_tls12() {
  s_server_start -tls1_2 -cert "$W/pki/tetra.pem" -key "$W/pki/tetra.key" -cert_chain "$W/pki/int.pem" \
    -Verify 1 -CAfile "$W/pki/root.pem" -www
  cap_start bad-client-cert-required-openssl-tls12
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  stop_svc s_server
  expect_rc 35 56
  keyline '^curl: \((35|56)\)'
  check_filter 'tls.handshake.type == 13 || tls.handshake.type == 11 || tls.alert_message'
  verify_filter "tls.handshake.type == 11 && ip.src == $EP4 && tls.handshake.certificates_length == 0"
  verify_filter "tls.handshake.type == 13 && ip.src == $TETRA4"
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  fact_alert 40 server
  finish_next client_cert_required failed good-direct "TLS 1.2: the server requires a client certificate (openssl s_server)" \
"openssl s_server -Verify 1 stands in for the update server: its TLS 1.2 flight ends with a CertificateRequest (certificate types and the accepted CA name, tlsdiag Lab Root CA). curl has no client certificate and answers with an empty Certificate message (certificates length 0), then ClientKeyExchange, ChangeCipherSpec and Finished. The server refuses the handshake with a fatal handshake_failure alert (40: OpenSSL's alert for \"peer did not return a certificate\" before TLS 1.3)."
}

sc_bad_client_cert_required_nginx_tls13() {
  nginx_start_with "$(tetra_block tetra "ssl_verify_client on; ssl_client_certificate $W/pki/root.pem;")"
  cap_start bad-client-cert-required-nginx-tls13; keylog
  client env "SSLKEYLOGFILE=$KEYLOG" "${CURL[@]}" -v --tlsv1.3 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 0
  expect_out 'http_code=400 '
  keyline 'HTTP/1.1 400'
  check_filter 'tls.handshake.type == 2 || tls.app_data'
  client_second_flight_records 2
  fact_dns_rcode NOERROR
  fact_server_hello 0x1301 772
  with_keys
  check_filter_keys 'tls.handshake.type == 13 || tls.handshake.type == 11 || http.response.code'
  verify_filter "tls.handshake.type == 11 && ip.src == $EP4 && tls.handshake.certificates_length == 0"
  verify_filter 'http.response.code == 400 && http.file_data contains "No required SSL certificate was sent"'
  fact_int http_status 400
  finish_next client_cert_required failed "$TLS13_GOOD" "TLS 1.3: nginx requires a client certificate, answers 400 after the handshake" \
"nginx with \`ssl_verify_client on\` requests a client certificate (CertificateRequest, encrypted in TLS 1.3) but, as nginx does, does not fail the handshake when none comes: curl answers with an empty Certificate and Finished, the handshake completes, curl sends its GET, and nginx answers \`HTTP/1.1 400 Bad Request\` (\"No required SSL certificate was sent\") inside TLS and closes. curl itself exits 0 with http_code=400: the download failed although the TLS handshake worked. Without the key log the capture shows a completed handshake, a short exchange of application data and the server's close; the client's second flight has two encrypted handshake records (the empty Certificate and Finished) instead of one, the only sign of the CertificateRequest."
}

sc_good_happy_eyeballs() {
  dns_stop; dns_start v6
  nginx_start tetra
  # the IPv6 path to the server is broken: the router drops it silently
  nsx "$RT" ip6tables -A FORWARD -d "$TETRA6" -p tcp --dport 443 -j DROP
  cap_start good-happy-eyeballs
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nsx "$RT" ip6tables -F FORWARD
  nginx_stop
  dns_stop; dns_start normal
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'Connected to .*\(203\.0\.113\.10\)'
  check_filter 'tcp.flags.syn == 1 || tls.handshake.type == 2'
  verify_filter "ipv6.dst == $TETRA6 && tcp.flags.syn == 1 && tcp.flags.ack == 0"
  must_not_match "ipv6.src == $TETRA6"
  verify_filter "ip.src == $TETRA4 && tls.handshake.type == 2"
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  fact_int ip_version_used 4
  finish_next success success good-happy-eyeballs "happy eyeballs: the IPv6 attempt gets no answer, IPv4 works" \
"The lab DNS answers both A ($TETRA4) and AAAA ($TETRA6) for $TETRA. The router silently drops TCP to [$TETRA6]:443 (ip6tables DROP), as a broken IPv6 path would. curl tries IPv6 first (SYN to $TETRA6, never answered), starts the IPv4 attempt 200 ms later (happy eyeballs, RFC 8305), which connects at once; it abandons the IPv6 attempt and downloads $DEFS_SMALL over IPv4 with TLS 1.2 (0xc030). The download works: the unanswered IPv6 SYN is not the failure of this capture."
}

sc_intermittent_reset_then_retry() {
  nginx_start tetra
  cap_start intermittent-reset-then-retry
  nsx "$RT" iptables -A FORWARD -p tcp --dport 443 -m string --algo bm --string "$TETRA" \
    -j REJECT --reject-with tcp-reset
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  expect_rc 35
  keyline '^curl: \(35\)'
  save_run
  nsx "$RT" iptables -F FORWARD
  sleep 2
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'http_code=200'
  save_run
  cap_stop
  nginx_stop
  check_filter 'tls.handshake.type == 1 || tls.handshake.type == 2 || tcp.flags.reset == 1'
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  fact_count tcp_attempts 'tcp.flags.syn == 1 && tcp.flags.ack == 0'
  fact_count failed_attempts "tcp.flags.reset == 1 && ip.src == $TETRA4"
  finish_next connection_reset_after_client_hello intermittent good-direct "reset after the Client Hello, then a successful retry" \
"Two downloads by the same endpoint, two seconds apart. During the first, a middlebox in the router resets connections whose Client Hello names $TETRA (iptables string match, REJECT with tcp-reset, as in bad-reset-after-hello): curl gets a RST in the server's name right after its Client Hello and fails. The rule is then removed; the second download, from the same endpoint to the same server, completes (TLS 1.2, 0xc030, HTTP 200). The problem is intermittent, not permanent."
}

sc_intermittent_refused_then_success() {
  nginx_start tetra
  cap_start intermittent-refused-then-success
  # the server refuses connections for 2.5 s (RST to every SYN), then accepts again
  nsx "$RT" iptables -A FORWARD -p tcp -d "$TETRA4" --dport 443 --syn -j REJECT --reject-with tcp-reset
  ( sleep 2.5; nsx "$RT" iptables -F FORWARD ) &
  LAB_WORKERS+=($!)
  client "${CURL[@]}" -v --tls-max 1.2 --retry 4 --retry-connrefused --retry-delay 1 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nsx "$RT" iptables -F FORWARD
  nginx_stop
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'port 443 failed: Connection refused'
  [ "$(grep -c '^curl: (7)' "$W/log/client-$CUR.err")" = 3 ] || die "$CUR: curl did not report three refused attempts"
  check_filter "(tcp.flags.syn == 1 && tcp.flags.ack == 0) || (tcp.flags.reset == 1 && ip.src == $TETRA4) || tls.handshake.type == 2"
  local fails
  fails=$(ts "$(cap_file "$CUR")" -Y "tcp.flags.reset == 1 && ip.src == $TETRA4" | wc -l)
  [ "$fails" = 3 ] || die "$CUR: $fails refused attempts (expected 3)"
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  fact_count tcp_attempts 'tcp.flags.syn == 1 && tcp.flags.ack == 0'
  fact_int failed_attempts "$fails"
  finish_next server_connect_failure intermittent good-direct "three refused connections, then a successful one" \
"The update server refuses connections for a while (the lab router answers every SYN to $TETRA4:443 with a RST in the server's name for 2.5 s, as a server restarting or a load balancer without a healthy backend would). curl, told to retry (--retry 4 --retry-connrefused --retry-delay 1), is refused three times one second apart; its fourth attempt connects and the download works (TLS 1.2, 0xc030, HTTP 200)."
}

sc_inconclusive_one_direction() {
  nginx_start tetra
  CAP_FILTER="src host $EP4"
  cap_start inconclusive-one-direction
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  CAP_FILTER=""
  nginx_stop
  expect_rc 0
  expect_out 'http_code=200 size_download=[1-9][0-9]* '
  keyline 'SSL connection using'
  check_filter 'tcp.flags.syn == 1 || tls || dns'
  must_not_match "ip.src == $TETRA4 || ip.src == $DNS4"
  verify_filter 'tls.handshake.type == 1'
  fact_int server_packets 0
  finish_next tls_failure_other inconclusive good-direct "capture of one direction only" \
"A working download (as good-direct), but captured with the capture filter \`src host $EP4\` (dumpcap -f), as happens with a filter on one direction or with asymmetric routing past a capture point: the capture holds only what the endpoint sent — its DNS queries, SYN, ACKs, Client Hello, ClientKeyExchange/ChangeCipherSpec/Finished, the encrypted HTTP request and its close — and nothing from the DNS server or the update server. Whether the handshake worked cannot be told from it (in reality it did)."
}

# --------------------------------------------------------------------------
# C. more failure classes, two or more captures each
# --------------------------------------------------------------------------
fact_cert_count() {  # n — certificates in the server's (plaintext, TLS 1.2) Certificate message
  local n
  n=$(ts "$(cap_file "$CUR")" -Y "tls.handshake.type == 11 && ip.src == $TETRA4" -T fields -e tls.handshake.certificate_length |
      head -1 | tr ',' '\n' | grep -c . || true)
  [ "$n" = "$1" ] || die "$CUR: $n certificates in the server's Certificate message (expected $1)"
  fact_int server_cert_count "$n"
}

fact_server_ttl() {  # ttl — IP TTL of the first packet from the update server's address
  local t
  t=$(ts "$(cap_file "$CUR")" -Y "ip.src == $TETRA4" -T fields -e ip.ttl | head -1)
  [ "$t" = "$1" ] || die "$CUR: TTL $t from $TETRA4 (expected $1)"
  fact_int server_ip_ttl "$t"
}

wait_log() {  # service ERE — wait until the service's log shows it (helpers without a port)
  local i
  for ((i = 0; i < 50; i++)); do
    grep -qE -- "$2" "$W/log/$1.log" 2>/dev/null && return 0
    kill -0 "${PIDS[$1]}" 2>/dev/null || die "$1 exited: $(tail -n 3 "$W/log/$1.log")"
    sleep 0.1
  done
  die "$1 did not start (see $W/log/$1.log)"
}

# --- cert_hostname_mismatch (also tls13-hostname-mismatch, tls12-hostname-mismatch)
sc_bad_hostname_mismatch_curl() {
  nginx_start intranet
  cap_start bad-hostname-mismatch-curl; keylog
  client env "SSLKEYLOGFILE=$KEYLOG" "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 60
  keyline '^curl: \(60\)'
  check_filter 'tls.handshake.type == 1 || tls.handshake.type == 11 || tls.change_cipher_spec || tls.record.content_type == 21 || tls.app_data'
  verify_filter "tls.handshake.type == 11 && x509ce.dNSName == \"$INTRA\""
  verify_filter "tls.handshake.extensions_server_name == \"$TETRA\""
  verify_filter "tls.change_cipher_spec && ip.src == $TETRA4"
  verify_filter "tls.record.content_type == 21 && ip.src == $EP4"
  must_not_match 'tls.app_data'
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  with_keys
  check_filter_keys 'tls.handshake.type == 20 || tls.alert_message'
  fact_alert 0 client
  DSB_GOOD=tls12-encrypted-alert
  finish_next cert_hostname_mismatch failed good-direct "TLS 1.2: curl finishes the handshake, then drops a certificate for another name" \
"The server presents the certificate of $INTRA (trusted issuer, valid dates) for the SNI $TETRA. curl 7.88 with OpenSSL lets the chain verification pass inside the handshake and checks the host name itself once the handshake is over, so the whole TLS 1.2 handshake completes (ClientKeyExchange, both Finished) and no certificate alert is sent; curl then closes with an encrypted alert and a FIN before sending any request (0 bytes received). With curl's key log that alert reads close_notify (0): nothing on the wire says why curl gave up. The name mismatch shows only by comparing the SNI ($TETRA) with the certificate's subjectAltName ($INTRA)."
}

# --- cert_not_yet_valid
sc_bad_cert_not_yet_valid_curl() {
  nginx_start notyet
  cap_start bad-cert-not-yet-valid-curl
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 60
  keyline '^curl: \(60\)'
  check_filter 'tls.handshake.type == 11 || tls.alert_message'
  verify_filter 'tls.handshake.type == 11 && x509af.notBefore'
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  fact_alert 42 client
  finish_next cert_not_yet_valid failed good-direct "TLS 1.2: server certificate not valid yet (curl)" \
"The server's leaf for $TETRA is issued by the trusted lab CA but valid only from 30 days after the day the sample was made (notBefore in the future, as with a server or endpoint clock that is wrong, or a certificate installed too early). curl/OpenSSL rejects it right after Certificate/ServerKeyExchange/ServerHelloDone with a fatal alert (bad_certificate, 42: OpenSSL has no specific alert for a not-yet-valid certificate)."
}

sc_bad_cert_not_yet_valid_gnutls() {
  nginx_start notyet
  cap_start bad-cert-not-yet-valid-gnutls
  client "${GNUTLS[@]}" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2' "$TETRA" -p 443
  cap_stop
  nginx_stop
  expect_rc 1
  keyline 'not yet'
  check_filter 'tls.handshake.type == 11 || tls.alert_message'
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  fact_alert 42 client
  finish_next cert_not_yet_valid failed good-direct "TLS 1.2: server certificate not valid yet (gnutls-cli)" \
"The same not-yet-valid leaf as bad-cert-not-yet-valid-curl, the client is gnutls-cli $(gnutls-cli --version 2>/dev/null | head -1 | awk '{print $NF}') with TLS 1.2: it verifies the chain inside the handshake and sends a fatal bad_certificate alert (42) after ServerHelloDone."
}

# --- cert_chain_incomplete
sc_bad_chain_incomplete_curl() {
  nginx_start leafonly
  cap_start bad-chain-incomplete-curl
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 60
  keyline '^curl: \(60\)'
  check_filter 'tls.handshake.type == 11 || tls.alert_message'
  fact_dns_rcode NOERROR
  fact_server_hello 0xc030 771
  fact_cert_count 1
  fact_alert 48 client
  finish_next cert_chain_incomplete failed good-direct "TLS 1.2: the server sends its leaf without the intermediate CA (curl)" \
"nginx is configured with the leaf certificate alone (ssl_certificate without the issuing CA appended), a common installation mistake. The Certificate message carries one certificate, $TETRA issued by tlsdiag Lab Issuing CA 1; the endpoint trusts only the lab root and does not have the intermediate, so it cannot build the chain: curl/OpenSSL reports \"unable to get local issuer certificate\" and sends a fatal unknown_ca alert (48). The working sample sends two certificates."
}

sc_bad_chain_incomplete_proxy() {
  nginx_start leafonly; squid_start open
  cap_start bad-chain-incomplete-proxy
  client "${CURL[@]}" -v --tls-max 1.2 -x "http://$PROXY_NAME:$PROXY_PORT" "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  squid_stop; nginx_stop
  expect_rc 60
  keyline '^curl: \(60\)'
  check_filter 'http.response.code == 200 || tls.handshake.type == 11 || tls.alert_message'
  fact_proxy_status 200
  fact_server_hello 0xc030 771
  local n
  n=$(ts "$(cap_file "$CUR")" -Y 'tls.handshake.type == 11' -T fields -e tls.handshake.certificate_length | head -1 | tr ',' '\n' | grep -c .)
  [ "$n" = 1 ] || die "$CUR: $n certificates (expected 1)"
  fact_int server_cert_count 1
  fact_alert 48 client
  finish_next cert_chain_incomplete failed good-proxy "TLS 1.2 through the proxy: the server sends its leaf without the intermediate CA" \
"As bad-chain-incomplete-curl, through squid: \`CONNECT $TETRA:443\` is answered 200, and inside the tunnel the server's Certificate message holds only the leaf. curl cannot build a chain to the lab root and sends unknown_ca (48)."
}

# --- tls_sni_rejected
sc_bad_sni_rejected_openssl() {
  s_server_start -cert "$W/pki/tetra.pem" -key "$W/pki/tetra.key" -cert_chain "$W/pki/int.pem" \
    -cert2 "$W/pki/intranet.pem" -key2 "$W/pki/intranet.key" -servername "$INTRA" -servername_fatal -www
  cap_start bad-sni-rejected-openssl
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  stop_svc s_server
  expect_rc 35
  keyline '^curl: \(35\)'
  check_filter 'tls.handshake.type == 1 || tls.alert_message'
  verify_filter "tls.handshake.extensions_server_name == \"$TETRA\""
  must_not_match 'tls.handshake.type == 2'
  fact_dns_rcode NOERROR
  fact_alert 112 server
  finish_next tls_sni_rejected failed good-direct "the server rejects the SNI with a fatal unrecognized_name (openssl s_server, TLS 1.2)" \
"A TLS front end on the update server's address (openssl s_server -servername $INTRA -servername_fatal) serves only $INTRA and refuses any other server name. curl's Client Hello carries SNI $TETRA; the server answers it at once with a fatal unrecognized_name alert (112), no Server Hello."
}

sc_bad_sni_rejected_nginx_tls13() {
  nginx_start_with "  server {
    listen $TETRA4:443 ssl default_server;
    ssl_reject_handshake on;
  }
  server {
    listen $TETRA4:443 ssl;
    server_name $INTRA;
    ssl_certificate $W/pki/intranet-chain.pem;
    ssl_certificate_key $W/pki/intranet.key;
    root $W/www/intranet;
  }"
  cap_start bad-sni-rejected-nginx-tls13
  client "${CURL[@]}" -v --tlsv1.3 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 35
  keyline '^curl: \(35\)'
  check_filter 'tls.handshake.type == 1 || tls.alert_message'
  verify_filter "tls.handshake.extensions_server_name == \"$TETRA\" && tls.handshake.extensions.supported_version == 0x0304"
  must_not_match 'tls.handshake.type == 2'
  fact_dns_rcode NOERROR
  fact_alert 112 server
  finish_next tls_sni_rejected failed "$TLS13_GOOD" "nginx rejects an unknown SNI (ssl_reject_handshake, TLS 1.3 client)" \
"nginx on the update server's address knows only the virtual host $INTRA; its default server has \`ssl_reject_handshake on\`, so a Client Hello for any other name is refused. curl (TLS 1.3 only) sends SNI $TETRA and gets a fatal unrecognized_name alert (112) in plaintext, before any Server Hello."
}

# --- server_version_too_old
sc_bad_server_version_old_nginx() {
  nginx_start_with "$(tetra_block tetra 'ssl_protocols TLSv1.2;')"
  cap_start bad-server-version-old-nginx
  client "${CURL[@]}" -v --tlsv1.3 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 35
  keyline '^curl: \(35\)'
  check_filter 'tls.handshake.type == 1 || tls.alert_message'
  verify_filter 'tls.handshake.type == 1 && tls.handshake.extensions.supported_version == 0x0304 && !(tls.handshake.extensions.supported_version == 0x0303)'
  must_not_match 'tls.handshake.type == 2'
  fact_dns_rcode NOERROR
  fact_alert 70 server
  finish_next server_version_too_old failed "$TLS13_GOOD" "the endpoint requires TLS 1.3, the server stops at TLS 1.2 (nginx)" \
"The endpoint accepts only TLS 1.3 (curl --tlsv1.3: supported_versions lists 0x0304 alone, and only TLS 1.3 suites are offered); the update server (nginx, ssl_protocols TLSv1.2) speaks at most TLS 1.2. OpenSSL on the server reads supported_versions, finds no version it can do and answers with a fatal protocol_version alert (70). Unlike bad-tls-old, the alert says the server is too old, not the client."
}

sc_bad_server_version_old_lighttpd() {
  lighttpd_start
  cap_start bad-server-version-old-lighttpd
  client "${GNUTLS[@]}" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' "$TETRA" -p 443
  cap_stop
  stop_svc lighttpd
  expect_rc 1
  keyline 'Received alert|Handshake failed'
  check_filter 'tls.handshake.type == 1 || tls.alert_message'
  verify_filter 'tls.handshake.type == 1 && tls.handshake.extensions.supported_version == 0x0304 && !(tls.handshake.extensions.supported_version == 0x0303)'
  must_not_match 'tls.handshake.type == 2'
  fact_dns_rcode NOERROR
  fact_alert 40 server
  finish_next server_version_too_old failed "$TLS13_GOOD" "the endpoint requires TLS 1.3, the server is a TLS 1.2-only stack (lighttpd + mbed TLS)" \
"The update server is lighttpd $(lighttpd -v 2>/dev/null | sed -n 's,^lighttpd/\([^ ]*\).*,\1,p') with mod_mbedtls (mbed TLS 2.28, built without TLS 1.3). gnutls-cli offers only TLS 1.3 (supported_versions 0x0304, TLS 1.3 suites only). mbed TLS 2.28 does not know supported_versions, reads the legacy version 0x0303 as TLS 1.2, finds none of the offered suites among its TLS 1.2 suites and answers with a fatal handshake_failure alert (40), not protocol_version. The cause is still the version: the same endpoint with TLS 1.2 allowed works with this server. (A client-sent protocol_version alert after a TLS 1.2 Server Hello would need a server that picks a TLS 1.2 suite from a TLS 1.3-only Client Hello; none of the Debian 12 TLS stacks does.)"
}

# --- server_key_too_weak
sc_bad_server_key_weak_dhe1024() {
  s_server_start -tls1_2 -cert "$W/pki/tetra.pem" -key "$W/pki/tetra.key" -cert_chain "$W/pki/int.pem" \
    -dhparam "$W/pki/dh1024.pem" -cipher 'DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0' -www
  cap_start bad-server-key-weak-dhe1024
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  stop_svc s_server
  expect_rc 35
  keyline 'dh key too small'
  check_filter 'tls.handshake.type == 12 || tls.alert_message'
  verify_filter 'tls.handshake.type == 12 && tls.handshake.p_len == 128'
  fact_dns_rcode NOERROR
  fact_server_hello 0x009e 771
  fact_int dh_prime_bits 1024
  fact_alert 40 client
  finish_next server_key_too_weak failed good-direct "TLS 1.2: the server's DHE group is 1024 bits, the endpoint refuses it (curl)" \
"The server (openssl s_server at SECLEVEL 0) offers only TLS_DHE_RSA_WITH_AES_128_GCM_SHA256 (0x009e) with a 1024-bit DH group (p length 128 bytes in the ServerKeyExchange). curl/OpenSSL on Debian 12 runs at security level 2, which requires at least 2048-bit DH: it aborts with \"dh key too small\" and a fatal handshake_failure alert (40) right after ServerHelloDone."
}

sc_bad_server_key_weak_rsa1024() {
  s_server_start -tls1_2 -cert "$W/pki/weak1024.pem" -key "$W/pki/weak1024.key" -cert_chain "$W/pki/int.pem" \
    -cipher 'DEFAULT:@SECLEVEL=0' -www
  cap_start bad-server-key-weak-rsa1024
  client "${S_CLIENT[@]}" -connect "$TETRA:443" -servername "$TETRA" -verify_hostname "$TETRA" -tls1_2
  cap_stop
  stop_svc s_server
  expect_rc 1
  keyline 'key too weak|key too small'
  check_filter 'tls.handshake.type == 11 || tls.alert_message'
  verify_filter 'tls.handshake.type == 11 && pkcs1.modulus'
  ts "$(cap_file "$CUR")" -Y 'tls.handshake.type == 11' -T fields -e tls.handshake.certificate | head -1 |
    cut -d, -f1 | python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip().replace(":", "")))' |
    openssl x509 -inform der -noout -text | grep -q 'Public-Key: (1024 bit)' ||
    die "$CUR: the server's leaf has no 1024-bit key"
  fact_dns_rcode NOERROR
  fact_int server_rsa_bits 1024
  fact_alert 42 client
  finish_next server_key_too_weak failed good-direct "TLS 1.2: the server's certificate has a 1024-bit RSA key (openssl s_client)" \
"The server's leaf for $TETRA, issued by the trusted lab CA, has a 1024-bit RSA key (visible in the plaintext Certificate of TLS 1.2). openssl s_client at Debian's default security level 2 refuses end-entity keys under 2048 bits (\"EE certificate key too weak\") and sends a fatal bad_certificate alert (42)."
}

# --- server_not_tls
sc_bad_server_not_tls_http() {
  nginx_start_with "  server {
    listen $TETRA4:443;
    server_name $TETRA;
    root $W/www/tetra;
  }"
  cap_start bad-server-not-tls-http
  client "${CURL[@]}" -v "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  expect_rc 35
  keyline '^curl: \(35\)'
  check_filter "tls.handshake.type == 1 || (tcp.srcport == 443 && tcp.len > 0)"
  local reply
  reply=$(ts "$(cap_file "$CUR")" -Y "tcp.srcport == 443 && tcp.len > 0" -T fields -e tcp.payload | head -1)
  [[ $reply == 485454502f312e3120343030* ]] || die "$CUR: the server's reply does not start with HTTP/1.1 400 ($reply)"
  fact_dns_rcode NOERROR
  finish_next server_not_tls failed good-direct "port 443 answers plain HTTP" \
"Port 443 of the update server is served by nginx without TLS (\`listen $TETRA4:443;\` without ssl), as after a configuration mistake. nginx reads curl's Client Hello as a malformed HTTP request and answers in plaintext: \`HTTP/1.1 400 Bad Request\` with an HTML page, then closes. OpenSSL takes the first bytes \"HTTP/\" for a TLS record header and fails (\"wrong version number\"). tshark recognises the reply as HTTP although it comes from port 443."
}

sc_bad_server_not_tls_ssh() {
  start_svc banner "$SV" "${PY[@]}" banner --listen "$TETRA4:443" --line 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n' \
    --reply 'Invalid SSH identification string.\r\n'
  wait_listen "$SV" tcp "$TETRA4:443" banner
  cap_start bad-server-not-tls-ssh
  client "${GNUTLS[@]}" "$TETRA" -p 443
  cap_stop
  stop_svc banner
  expect_rc 1
  keyline 'Error|error'
  check_filter "tls.handshake.type == 1 || (tcp.srcport == 443 && tcp.len > 0)"
  verify_filter 'tcp.srcport == 443 && tcp.payload contains "SSH-2.0-OpenSSH"'
  fact_dns_rcode NOERROR
  finish_next server_not_tls failed good-direct "port 443 answers with an SSH banner" \
"The service on port 443 of the update server's address is not TLS at all but speaks SSH (a small python stand-in in labtools.py, \`banner\`): as soon as the TCP connection is up it sends its identification line \`SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\` (here it arrives just after gnutls-cli's Client Hello, which crossed it); it then answers the Client Hello with \`Invalid SSH identification string.\` as OpenSSH does, and closes. gnutls-cli reads the banner as a TLS record and gives up."
}

# --- handshake_stalled
sc_bad_handshake_stalled_silent() {
  start_svc silent "$SV" "${PY[@]}" silent --listen "$TETRA4:443" --hold 30
  wait_listen "$SV" tcp "$TETRA4:443" silent
  cap_start bad-handshake-stalled-silent
  client timeout 8 openssl s_client -CAfile pki/lab-root-ca.pem -connect "$TETRA:443" -servername "$TETRA" -state
  cap_stop
  stop_svc silent
  expect_rc 124
  keyline 'write client hello'
  grep -q 'read server hello' "$W/log/client-$CUR.err" && die "$CUR: the client read a Server Hello"
  check_filter 'tls.handshake.type == 1 || (tcp.srcport == 443 && tcp.flags.fin == 1) || (tcp.dstport == 443 && tcp.flags.fin == 1)'
  must_not_match 'tcp.srcport == 443 && tcp.len > 0'
  verify_filter 'tcp.srcport == 443 && tcp.flags.ack == 1 && tcp.ack > 1 && tcp.len == 0'
  fact_dns_rcode NOERROR
  finish_next handshake_stalled failed good-direct "the server accepts the connection and never answers the Client Hello" \
"Something on port 443 of the update server's address (a python stand-in, labtools.py \`silent\`: a hung service, or a proxy/load balancer whose back end does not answer) accepts the TCP connection and reads the Client Hello, so the server host's TCP acknowledges it, but no TLS byte ever comes back. openssl s_client (-state) reports that it wrote its Client Hello and then waits for the Server Hello; after 8 s the lab stops it (timeout, exit 124) and the connection is closed with a FIN from the endpoint."
}

sc_bad_handshake_stalled_pmtu() {
  nginx_start tetra
  # a path-MTU black hole toward the endpoint: packets over 1000 bytes vanish (no ICMP)
  nsx "$RT" iptables -A FORWARD -d "$EP4" -p tcp --sport 443 -m length --length 1201:65535 -j DROP
  cap_start bad-handshake-stalled-pmtu
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nginx_stop
  # the server host's kernel would go on retransmitting the lost flight into
  # the next capture: destroy what is left of the connection on both ends
  nsx "$SV" ss -K -t dst "$EP4" >/dev/null 2>&1 || true
  nsx "$EP" ss -K -t dst "$TETRA4" >/dev/null 2>&1 || true
  nsx "$RT" iptables -F FORWARD
  expect_rc 28
  keyline '^curl: \(28\)'
  check_filter "tls.handshake.type == 1 || (tcp.srcport == 443 && tcp.len > 0) || (tcp.dstport == 443 && tcp.analysis.duplicate_ack)"
  must_not_match 'tls.handshake.type == 2'
  must_not_match 'frame.len > 1214'
  verify_filter "ip.src == $TETRA4 && tcp.len > 0 && tcp.analysis.lost_segment"
  verify_filter "ip.src == $EP4 && tcp.options.sack_le"
  fact_dns_rcode NOERROR
  finish_next handshake_stalled failed good-direct "path-MTU black hole: the server's large first flight never arrives" \
"The router drops every packet over 1200 bytes on its way to the endpoint, without an ICMP \"fragmentation needed\" (iptables -m length ... -j DROP; a link with a small MTU behind a firewall that filters ICMP has this effect). TCP connects and the Client Hello gets through; the server's TLS 1.2 flight (Server Hello, two certificates, ServerKeyExchange: about 2.5 KB) goes out as a full-size segment (1500 bytes) and a shorter one (about 1100 bytes); the full-size one is lost, again at every retransmission, and only the shorter last segment arrives, out of order (tshark: previous segment not captured); the endpoint answers it with a duplicate ACK carrying a SACK block. No Server Hello ever reaches curl, which gives up after its 8 s connect timeout (exit 28)."
}

# --- connection_closed_after_client_hello
sc_bad_closed_after_hello_curl() {
  start_svc closer "$SV" "${PY[@]}" close-after-hello --listen "$TETRA4:443"
  wait_listen "$SV" tcp "$TETRA4:443" closer
  cap_start bad-closed-after-hello-curl
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  stop_svc closer
  expect_rc 35
  keyline '^curl: \(35\)'
  check_filter 'tls.handshake.type == 1 || tcp.flags.fin == 1 || tcp.flags.reset == 1'
  verify_filter "ip.src == $TETRA4 && tcp.flags.fin == 1"
  must_not_match "tls.alert_message || (ip.src == $TETRA4 && tcp.flags.reset == 1) || (tcp.srcport == 443 && tcp.len > 0)"
  fact_dns_rcode NOERROR
  finish_next connection_closed_after_client_hello failed good-direct "the server closes (FIN, no alert) right after the Client Hello (curl)" \
"The service on the update server's port 443 (labtools.py \`close-after-hello\`: as a TLS terminator that drops clients it will not serve, or a crashed back end) reads the Client Hello and closes the connection with a FIN, without any TLS alert or Server Hello. curl/OpenSSL reports an unexpected end of file during the handshake."
}

sc_bad_closed_after_hello_gnutls() {
  start_svc closer "$SV" "${PY[@]}" close-after-hello --listen "$TETRA4:443"
  wait_listen "$SV" tcp "$TETRA4:443" closer
  cap_start bad-closed-after-hello-gnutls
  client "${GNUTLS[@]}" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' "$TETRA" -p 443
  cap_stop
  stop_svc closer
  expect_rc 1
  keyline 'non-properly terminated|Error in the pull function|terminated'
  check_filter 'tls.handshake.type == 1 || tls.alert_message || tcp.flags.fin == 1 || tcp.flags.reset == 1'
  verify_filter "ip.src == $TETRA4 && tcp.flags.fin == 1"
  must_not_match "(ip.src == $TETRA4 && tcp.flags.reset == 1) || (tcp.srcport == 443 && tcp.len > 0)"
  fact_dns_rcode NOERROR
  fact_alert 10 client
  finish_next connection_closed_after_client_hello failed "$TLS13_GOOD" "the server closes (FIN, no alert) right after a TLS 1.3 Client Hello (gnutls-cli)" \
"As bad-closed-after-hello-curl, with gnutls-cli offering only TLS 1.3: the server reads the Client Hello and closes with a FIN, without an alert or a Server Hello. GnuTLS, unlike OpenSSL, answers the premature end with an alert of its own, fatal unexpected_message (10): the only alert of the connection comes from the client, after the server's FIN."
}

# --- proxy_tunnel_closed
sc_bad_proxy_tunnel_closed_fin() {
  start_svc tunnelproxy "$PX" "${PY[@]}" tunnel-close-proxy --listen "$PX4:$PROXY_PORT"
  wait_listen "$PX" tcp "$PX4:$PROXY_PORT" tunnelproxy
  cap_start bad-proxy-tunnel-closed-fin
  client "${CURL[@]}" -v --tls-max 1.2 -x "http://$PROXY_NAME:$PROXY_PORT" "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  stop_svc tunnelproxy
  expect_rc 35
  keyline '^curl: \(35\)'
  check_filter 'http.request.method == "CONNECT" || http.response.code == 200 || tls.handshake.type == 1 || tcp.flags.fin == 1'
  verify_filter "ip.src == $PX4 && tcp.flags.fin == 1"
  must_not_match 'tls.handshake.type == 2 || tls.alert_message'
  fact_proxy_status 200
  finish_next proxy_tunnel_closed failed good-proxy "the proxy accepts the CONNECT, then closes the tunnel after the Client Hello (FIN)" \
"An HTTP proxy (a python stand-in, labtools.py \`tunnel-close-proxy\`, on $PX4:$PROXY_PORT instead of squid) answers \`CONNECT $TETRA:443\` with \`HTTP/1.1 200 Connection established\`, reads the Client Hello that curl sends into the tunnel and then closes the connection with a FIN, without a byte from the server: as a proxy whose policy or TLS inspection rejects the Client Hello, or whose upstream connection fails after the 200. The endpoint never sees a Server Hello."
}

sc_bad_proxy_tunnel_closed_rst() {
  nginx_start tetra
  start_svc tunnelproxy "$PX" "${PY[@]}" tunnel-close-proxy --listen "$PX4:$PROXY_PORT" --upstream --rst --delay 0.05
  wait_listen "$PX" tcp "$PX4:$PROXY_PORT" tunnelproxy
  cap_start bad-proxy-tunnel-closed-rst
  client "${CURL[@]}" -v --tlsv1.3 -x "http://$PROXY_NAME:$PROXY_PORT" "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  stop_svc tunnelproxy; nginx_stop
  expect_rc 35 56
  keyline '^curl: \((35|56)\)'
  check_filter 'http.request.method == "CONNECT" || http.response.code == 200 || tls.handshake.type == 1 || tcp.flags.reset == 1'
  verify_filter "ip.src == $PX4 && tcp.flags.reset == 1"
  must_not_match 'tls.handshake.type == 2 || tls.alert_message'
  fact_proxy_status 200
  finish_next proxy_tunnel_closed failed good-proxy "the proxy relays the TLS 1.3 Client Hello upstream, then resets the tunnel" \
"The python proxy (labtools.py \`tunnel-close-proxy --upstream --rst\`) answers the CONNECT with 200, opens the connection to $TETRA:443 and relays curl's TLS 1.3 Client Hello to it, but then resets the client side of the tunnel (RST) instead of relaying the server's answer. The proxy-to-server leg is not on the endpoint's wire; the endpoint sees 200, its Client Hello, and a RST from the proxy."
}

# --- middlebox_interference
sc_bad_middlebox_forged_alert() {
  nginx_start tetra
  # a transparent device in the router takes over connections to the server's port 443
  nsx "$RT" iptables -t nat -A PREROUTING -i br-lan -p tcp -d "$TETRA4" --dport 443 -j REDIRECT --to-ports 8443
  start_svc forger "$RT" "${PY[@]}" forge-alert --listen "$GW4:8443" --alert 40
  wait_listen "$RT" tcp "$GW4:8443" forger
  cap_start bad-middlebox-forged-alert
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  stop_svc forger
  nsx "$RT" iptables -t nat -F PREROUTING
  nginx_stop
  expect_rc 35
  keyline '^curl: \(35\)'
  check_filter 'tls.handshake.type == 1 || tls.alert_message'
  verify_filter 'tls.handshake.type == 1 && tls.handshake.ciphersuite == 0xc030 && tls.handshake.ciphersuite == 0xc02f'
  must_not_match 'tls.handshake.type == 2'
  fact_dns_rcode NOERROR
  fact_alert 40 server
  fact_server_ttl 64
  finish_next middlebox_interference failed good-direct "a middlebox forges a handshake_failure alert in the server's name" \
"A transparent device in the router (iptables REDIRECT of $TETRA4:443 to a python relay, labtools.py \`forge-alert\`) terminates the endpoint's TCP connection itself and answers the Client Hello with a fatal handshake_failure alert (40) in the server's name, then closes. The Client Hello is the one that works in good-direct: it offers 0xc030 and 0xc02f, which the real server accepts, so \"no shared cipher\" cannot be the reason. The packets \"from\" $TETRA4 arrive with IP TTL 64, while the real server, one router hop away, arrives with TTL 63 (good-direct; and the DNS answers from $DNS4 in this very capture)."
}

sc_bad_middlebox_forged_rst() {
  nginx_start tetra
  start_svc injector "$RT" chrt -f 50 "${PY[@]}" inject-rst --iface lan-ep --client "$EP4" --sni "$TETRA" --ttl 64
  wait_log injector 'sniffing'
  cap_start bad-middlebox-forged-rst
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  stop_svc injector
  nginx_stop
  expect_rc 35 56
  keyline '^curl: \((35|56)\)'
  check_filter 'tls.handshake.type == 1 || tls.handshake.type == 2 || tcp.flags.reset == 1'
  verify_filter "ip.src == $TETRA4 && tcp.flags.reset == 1 && ip.ttl == 64"
  verify_filter "ip.src == $TETRA4 && tls.handshake.type == 2 && ip.ttl == 63"
  verify_filter "ip.src == $EP4 && tcp.flags.reset == 1"
  local rst sh
  rst=$(ts "$(cap_file "$CUR")" -Y "ip.src == $TETRA4 && tcp.flags.reset == 1" -T fields -e frame.number | head -1)
  sh=$(ts "$(cap_file "$CUR")" -Y "tls.handshake.type == 2" -T fields -e frame.number | head -1)
  [ "$rst" -lt "$sh" ] || die "$CUR: the injected RST (frame $rst) came after the Server Hello (frame $sh)"
  fact_dns_rcode NOERROR
  fact_int rst_ip_ttl 64
  fact_int server_ip_ttl 63
  finish_next middlebox_interference failed good-direct "an on-path device injects a RST; the real Server Hello arrives after it" \
"An on-path injector in the router (labtools.py \`inject-rst\`: it watches the LAN port for a Client Hello naming $TETRA and sends the endpoint a forged RST/ACK in the server's name, with exactly the expected sequence number; it runs at real-time priority, chrt -f 50, so that it answers within a fraction of a millisecond as a dedicated device would) lets the Client Hello pass. The endpoint gets the forged RST first (IP TTL 64) and aborts; a moment later the real server's Server Hello and certificate arrive (IP TTL 63, one hop) for a connection that no longer exists, and the endpoint's kernel answers them with RSTs. A RST and a Server Hello on the same connection, from the same address with different TTLs, is the mark of injection."
}

# --- dns_resolution_failure: no answer, SERVFAIL, REFUSED (NXDOMAIN is bad-dns)
sc_bad_dns_no_answer() {
  nsx "$RT" iptables -A FORWARD -p udp -d "$DNS4" --dport 53 -j DROP
  cap_start bad-dns-no-answer
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  nsx "$RT" iptables -F FORWARD
  expect_rc 6
  keyline '^curl: \(6\)'
  check_filter "dns.qry.name == \"$TETRA\""
  must_not_match 'dns.flags.response == 1 || tcp || icmp'
  fact_str dns_rcode none
  finish_next dns_resolution_failure failed good-direct "the DNS server never answers" \
"The endpoint's DNS queries (A and AAAA of $TETRA to $DNS4) are dropped on the way (iptables DROP in the router, as a firewall blocking DNS or a dead resolver would), so no answer and no ICMP error ever comes back. With the resolver's \`options timeout:2 attempts:1\` the lookup gives up after about 2 s; curl reports that it could not resolve the host. No TCP connection is attempted."
}

sc_bad_dns_servfail() {
  dns_stop
  # dnsmasq forwards tetra's name to an upstream server that fails (SERVFAIL)
  start_svc upstream "$SV" "${PY[@]}" dns-rcode --listen "$DNS4:5353" --rcode 2 --max-conn 20
  wait_listen "$SV" udp "$DNS4:5353" upstream
  DNS_EXTRA="server=/$TETRA/$DNS4#5353"
  dns_start no-tetra
  DNS_EXTRA=""
  cap_start bad-dns-servfail
  client "${GNUTLS[@]}" "$TETRA" -p 443
  cap_stop
  stop_svc upstream
  dns_stop; dns_start normal
  expect_rc 1
  keyline 'resolve'
  check_filter "dns.qry.name == \"$TETRA\""
  fact_dns_rcode SERVFAIL
  must_not_match 'tcp'
  finish_next dns_resolution_failure failed good-direct "the DNS server answers SERVFAIL" \
"The lab DNS server (dnsmasq) forwards queries for $TETRA to an upstream server (\`server=/$TETRA/$DNS4#5353\`: labtools.py \`dns-rcode\`, standing in for a broken authoritative server) which fails every query with SERVFAIL; dnsmasq passes the SERVFAIL (rcode 2) on to the endpoint. The upstream exchange is not on the endpoint's wire. gnutls-cli cannot resolve the name and gives up without any TCP connection. Unlike NXDOMAIN (bad-dns), SERVFAIL says that the resolver could not get an answer, not that the name does not exist."
}

sc_bad_dns_refused() {
  dns_stop
  # no answer from local data and no upstream server for tetra's name: dnsmasq says REFUSED
  DNS_EXTRA="server=/$TETRA/#"
  dns_start no-tetra
  DNS_EXTRA=""
  cap_start bad-dns-refused
  client "${CURL[@]}" -v --tls-max 1.2 "${CACERT[@]}" "$URL_SMALL"
  cap_stop
  dns_stop; dns_start normal
  expect_rc 6
  keyline '^curl: \(6\)'
  check_filter "dns.qry.name == \"$TETRA\""
  fact_dns_rcode REFUSED
  must_not_match 'tcp'
  finish_next dns_resolution_failure failed good-direct "the DNS server refuses the query" \
"The lab DNS server (dnsmasq) has no data and no upstream server for $TETRA (\`server=/$TETRA/#\`: use the default servers, of which it has none) and answers the endpoint's queries with REFUSED (rcode 5), as a resolver that does not serve this client or this zone does. curl cannot resolve the name."
}

# --- cert_revocation_unreachable in TLS 1.3 (bad-revocation-unreachable is TLS 1.2)
sc_bad_revocation_unreachable_tls13() {
  nginx_start tetra
  cap_start bad-revocation-unreachable-tls13; keylog
  client env "SSLKEYLOGFILE=$KEYLOG" "${GNUTLS[@]}" --ocsp --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3' "$TETRA" -p 443
  cap_stop
  nginx_stop
  expect_rc 1
  keyline 'Could not connect to .*:80'
  check_filter "tls.handshake.type == 2 || dns.qry.name == \"$OCSP_HOST\" || tcp.port == 80 || (tcp.port == 443 && (tcp.flags.reset == 1 || tcp.flags.fin == 1))"
  verify_filter "ip.src == $OCSP4 && tcp.srcport == 80 && tcp.flags.reset == 1"
  fact_dns_rcode NOERROR
  fact_server_hello 0x1301 772
  with_keys
  check_filter_keys 'tls.handshake || tls.alert_message'
  verify_filter "tls.handshake.type == 11 && x509ce.uniformResourceIdentifier contains \"$OCSP_HOST\""
  finish_next cert_revocation_unreachable failed "$TLS13_GOOD" "TLS 1.3: the revocation check (OCSP) cannot be reached" \
"As bad-revocation-unreachable, in TLS 1.3: gnutls-cli --ocsp receives the server's encrypted flight (its Certificate carries the AIA OCSP URL http://$OCSP_HOST/), sends its Change Cipher Spec, then (before its Finished) looks up $OCSP_HOST and connects to port 80 there, which refuses (RST/ACK). gnutls-cli gives up, and its TLS connection to the update server ends with a RST from the endpoint, without a TLS alert. In the capture alone the certificate is not readable; the OCSP lookup and the refused port 80 between the server's flight and the end of the connection are."
}

# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------
SCENARIOS2=(
  tls13-good tls13-untrusted-issuer tls13-untrusted-issuer-gnutls tls13-hostname-mismatch tls13-cert-expired
  tls13-client-cert-required tls12-encrypted-alert tls13-hrr
  tls12-hostname-mismatch bad-client-cert-required-openssl-tls12 bad-client-cert-required-nginx-tls13
  good-happy-eyeballs intermittent-reset-then-retry intermittent-refused-then-success
  inconclusive-one-direction
  bad-hostname-mismatch-curl bad-cert-not-yet-valid-curl bad-cert-not-yet-valid-gnutls
  bad-chain-incomplete-curl bad-chain-incomplete-proxy
  bad-sni-rejected-openssl bad-sni-rejected-nginx-tls13
  bad-server-version-old-nginx bad-server-version-old-lighttpd
  bad-server-key-weak-dhe1024 bad-server-key-weak-rsa1024
  bad-server-not-tls-http bad-server-not-tls-ssh
  bad-handshake-stalled-silent bad-handshake-stalled-pmtu
  bad-closed-after-hello-curl bad-closed-after-hello-gnutls
  bad-proxy-tunnel-closed-fin bad-proxy-tunnel-closed-rst
  bad-middlebox-forged-alert bad-middlebox-forged-rst
  bad-dns-no-answer bad-dns-servfail bad-dns-refused
  bad-revocation-unreachable-tls13
)

write_expect_next() {  # merge this run's entries into expect-next.json (order: SCENARIOS2)
  python3 - "$OUT/expect-next.json" "$W/expect2" "${SCENARIOS2[@]}" <<'PYEOF'
import json, os, sys
path, newdir, order = sys.argv[1], sys.argv[2], sys.argv[3:]
old = {}
if os.path.exists(path):
    for e in json.load(open(path))["samples"]:
        old[e["capture"]] = e
new = {}
for name in order:
    f = os.path.join(newdir, name + ".json")
    if os.path.exists(f):
        for k in [name + ".pcapng", name + "-dsb.pcapng"]:
            old.pop(k, None)
        for line in open(f):
            e = json.loads(line)
            new[e["capture"]] = e
merged = {**old, **new}
out = []
for name in order:
    for k in [name + ".pcapng", name + "-dsb.pcapng"]:
        if k in merged:
            out.append(merged.pop(k))
for k in merged:
    print("expect-next.json: dropped %s (no such scenario)" % k, file=sys.stderr)
with open(path, "w") as fh:
    fh.write('{"version": 1, "samples": [\n')
    fh.write(",\n".join("    " + json.dumps(e) for e in out))
    fh.write("\n]}\n")
print("expect-next.json: %d entries" % len(out), file=sys.stderr)
PYEOF
}

main2() {
  local s
  for s in $ONLY; do
    [[ " ${SCENARIOS2[*]} " == *" $s "* ]] || die "unknown scenario '$s' (make-samples-2.sh makes: ${SCENARIOS2[*]})"
  done
  build_pki
  build_pki_2
  build_content
  build_net
  dns_start normal
  for s in "${SCENARIOS2[@]}"; do
    want "$s" || continue
    log "scenario $s"
    "sc_${s//-/_}"
  done
  dns_stop
  write_expect_next
  du -sh "$OUT" >&2
}
main2 "$@"
