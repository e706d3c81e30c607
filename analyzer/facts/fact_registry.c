/* The facts vocabulary (fact_registry.h), declared once as X-macro lists.
 *
 * A record that appears in several places (an alert, a certificate, a
 * connection, a failed connect) is one list taking the prefix it is
 * written under: ALERT_FACTS(F, "conn.tls.first_alert") and
 * ALERT_FACTS(F, "conn.tls.alerts[]") are the same eleven facts. To add a
 * fact: add its line here, write it in the facts builder, describe it in
 * analyzer/report/report.schema.json (test_fact_registry fails until the
 * two agree). */
#include "fact_registry.h"

#include <string.h>

/* F(path, TYPE, meaning), TYPE one of enum fact_type without FACT_. */

#define ALERT_FACTS(F, P)                                                                          \
    F(P ".frame", FRAME, "the frame of the alert record")                                       \
    F(P ".time_ms", NUMBER, "milliseconds from the connection's first packet")                   \
    F(P ".sender", STRING, "who sent it: client or server")                                      \
    F(P ".encrypted", BOOLEAN, "the alert is encrypted: its level and description are unknown") \
    F(P ".level", INTEGER, "the alert level: 1 warning, 2 fatal")                                \
    F(P ".level_name", STRING, "the level's name: warning, fatal or unknown")                    \
    F(P ".description", INTEGER, "the alert description number (40 handshake_failure, ...)")    \
    F(P ".description_name", STRING, "the description's IANA name, or unknown")                 \
    F(P ".after", STRING, "the handshake message or record the alert followed")                 \
    F(P ".after_frame", FRAME, "the frame of that message")                                      \
    F(P ".ms_after", NUMBER, "milliseconds between that message and the alert")                 \
    F(P ".before_handshake_done", BOOLEAN, "the alert came before the handshake completed")      \
    F(P ".likely", BOOLEAN, "TLS 1.3 without keys: an alert-sized record that ended its side")  \
    F(P ".record_length", INTEGER, "that record's length")                                       \
    F(P ".decrypted", BOOLEAN, "read from an encrypted record with key log secrets")             \
    F(P ".ip_ttl", INTEGER, "the IP TTL (hop limit) of the packet that carried it")              \
    F(P ".ip_id", INTEGER, "that packet's IPv4 identification")

#define CERT_FACTS(F, P)                                                                           \
    F(P ".subject", STRING, "the certificate's subject distinguished name")                     \
    F(P ".issuer", STRING, "its issuer's distinguished name")                                    \
    F(P ".subject_cn", STRING, "the subject's common name")                                      \
    F(P ".issuer_cn", STRING, "the issuer's common name")                                        \
    F(P ".serial", STRING, "the serial number in hex")                                           \
    F(P ".not_before", STRING, "start of validity, e.g. 2024-01-31T00:00:00Z")                   \
    F(P ".not_after", STRING, "end of validity, e.g. 2025-01-31T23:59:59Z")                      \
    F(P ".expired", BOOLEAN, "not_after is before the time of the Certificate message")         \
    F(P ".not_yet_valid", BOOLEAN, "not_before is after the time of the Certificate message")   \
    F(P ".san", ARRAY, "the subject alternative names")                                          \
    F(P ".san[]", STRING, "one subject alternative name")                                        \
    F(P ".ocsp", ARRAY, "the OCSP responder URLs (authority information access)")               \
    F(P ".ocsp[]", STRING, "one OCSP responder URL")                                             \
    F(P ".crl", ARRAY, "the CRL distribution point URLs")                                        \
    F(P ".crl[]", STRING, "one CRL URL")                                                         \
    F(P ".key", STRING, "the public key's type: RSA, EC, ...")                                   \
    F(P ".key_bits", INTEGER, "the public key's size in bits")                                   \
    F(P ".signature_algorithm", STRING, "the signature algorithm's name")                        \
    F(P ".self_signed", BOOLEAN, "subject and issuer are the same")                              \
    F(P ".ca", BOOLEAN, "basic constraints say it is a CA")                                      \
    F(P ".sha256", STRING, "SHA-256 of the certificate's DER, in hex")

#define CERTIFICATE_MSG_FACTS(F, P)                                                                \
    F(P ".frame", FRAME, "the frame of the Certificate message")                                \
    F(P ".time_ms", NUMBER, "milliseconds from the connection's first packet")                   \
    F(P ".count", INTEGER, "certificates in the message")                                        \
    F(P ".undecodable", INTEGER, "of them, how many could not be decoded")                       \
    F(P ".malformed", BOOLEAN, "the message itself is malformed or truncated")                   \
    F(P ".chain", ARRAY, "the decoded certificates, leaf first")                                 \
    F(P ".chain[]", OBJECT, "one certificate of the chain")                                      \
    CERT_FACTS(F, P ".chain[]")                                                                  \
    F(P ".checked_at", STRING, "the time validity is judged at: the Certificate message's, e.g. 2026-12-06T21:34:33Z") \
    F(P ".leaf_expired", BOOLEAN, "the leaf (first) certificate has expired")                    \
    F(P ".leaf_not_yet_valid", BOOLEAN, "the leaf's not_before is after checked_at")             \
    F(P ".any_expired", BOOLEAN, "a certificate of the chain has expired (unreadable dates do not count)") \
    F(P ".any_not_yet_valid", BOOLEAN, "a certificate of the chain is not yet valid (the same)") \
    F(P ".any_outside_validity", BOOLEAN, "a certificate of the chain is expired or not yet valid") \
    F(P ".leaf_issuer", STRING, "the leaf's issuer")                                             \
    F(P ".top_issuer", STRING, "the issuer of the last certificate sent: the chain's anchor")    \
    F(P ".top_issuer_cn", STRING, "that issuer's common name")                                   \
    F(P ".includes_self_signed_root", BOOLEAN, "the last certificate sent is self-signed (a root)") \
    F(P ".leaf_issuer_sent", BOOLEAN, "the leaf's issuer is among the certificates sent, or the leaf is self-signed") \
    F(P ".names_checked_against", STRING, "server's: the name the client asked for (SNI, else CONNECT host, else DNS name)") \
    F(P ".name_matches", BOOLEAN, "server's: the leaf's SANs (its CN when it has none) cover that name") \
    F(P ".decrypted", BOOLEAN, "read from encrypted records with key log secrets (TLS 1.3)")

#define CLIENT_HELLO_FACTS(F, P)                                                                   \
    F(P ".frame", FRAME, "its frame")                                                            \
    F(P ".time_ms", NUMBER, "milliseconds from the connection's first packet")                   \
    F(P ".legacy_version", INTEGER, "the legacy_version field (771 = TLS 1.2)")                  \
    F(P ".max_version", INTEGER, "the highest version offered (supported_versions, else legacy)") \
    F(P ".max_version_name", STRING, "its name: TLS 1.2, TLS 1.3, ...")                          \
    F(P ".min_version", INTEGER, "the lowest version supported_versions offers (absent without it)") \
    F(P ".min_version_name", STRING, "its name")                                                 \
    F(P ".versions", ARRAY, "the versions offered (supported_versions, else legacy_version)")    \
    F(P ".versions[]", INTEGER, "one version offered")                                           \
    F(P ".versions_total", INTEGER, "versions offered when the list was cut")                    \
    F(P ".cipher_suites", ARRAY, "the cipher suites offered, in order")                          \
    F(P ".cipher_suites[]", INTEGER, "one cipher suite offered")                                 \
    F(P ".cipher_suites_total", INTEGER, "suites offered when the list was cut (at 256)")        \
    F(P ".cipher_suite_names", ARRAY, "the offered suites' IANA names, in order")                \
    F(P ".cipher_suite_names[]", STRING, "one suite's name, or 0x.... when unassigned")          \
    F(P ".extensions", ARRAY, "the extension types, in order")                                   \
    F(P ".extensions[]", INTEGER, "one extension type")                                          \
    F(P ".extensions_total", INTEGER, "extensions sent when the list was cut")                   \
    F(P ".sni", STRING, "the server name (SNI)")                                                 \
    F(P ".groups", ARRAY, "the supported groups offered")                                        \
    F(P ".groups[]", INTEGER, "one supported group")                                             \
    F(P ".groups_total", INTEGER, "groups offered when the list was cut")                        \
    F(P ".signature_algorithms", ARRAY, "the signature algorithms offered")                      \
    F(P ".signature_algorithms[]", INTEGER, "one signature algorithm")                           \
    F(P ".signature_algorithms_total", INTEGER, "signature algorithms offered when the list was cut") \
    F(P ".alpn", ARRAY, "the ALPN protocols offered")                                            \
    F(P ".alpn[]", STRING, "one ALPN protocol")                                                  \
    F(P ".alpn_total", INTEGER, "ALPN protocols offered when the list was cut")                  \
    F(P ".key_share_groups", ARRAY, "the groups of the key shares sent")                         \
    F(P ".key_share_groups[]", INTEGER, "one key share's group")                                 \
    F(P ".sslv2_format", BOOLEAN, "sent in the SSL 2.0 compatible format")                       \
    F(P ".malformed", BOOLEAN, "the hello is malformed or truncated")                            \
    F(P ".lists_truncated", BOOLEAN, "a list kept only its first items (see the *_total facts)") \
    F(P ".ja3", STRING, "the JA3 string")                                                        \
    F(P ".ja3_hash", STRING, "the JA3 fingerprint (MD5 of ja3, hex)")                            \
    F(P ".ja4", STRING, "the JA4 fingerprint")

#define SERVER_HELLO_FACTS(F, P)                                                                   \
    F(P ".frame", FRAME, "its frame")                                                            \
    F(P ".time_ms", NUMBER, "milliseconds from the connection's first packet")                   \
    F(P ".legacy_version", INTEGER, "the legacy_version field")                                  \
    F(P ".version", INTEGER, "the version chosen (supported_versions, else legacy)")             \
    F(P ".version_name", STRING, "its name: TLS 1.2, TLS 1.3, ...")                              \
    F(P ".cipher_suite", INTEGER, "the cipher suite chosen")                                     \
    F(P ".cipher_suite_name", STRING, "its IANA name, or unknown")                               \
    F(P ".extensions", ARRAY, "the extension types, in order")                                   \
    F(P ".extensions[]", INTEGER, "one extension type")                                          \
    F(P ".extensions_total", INTEGER, "extensions sent when the list was cut")                   \
    F(P ".lists_truncated", BOOLEAN, "the extension list kept only its first items")             \
    F(P ".alpn", STRING, "the ALPN protocol chosen")                                             \
    F(P ".ja3s", STRING, "the JA3S string")                                                      \
    F(P ".ja3s_hash", STRING, "the JA3S fingerprint (MD5 of ja3s, hex)")                         \
    F(P ".ip_ttl", INTEGER, "the IP TTL (hop limit) of the packet that completed it")

/* With a key log only (--keylog or a pcapng Decryption Secrets Block). */
#define DECRYPTION_FACTS(F, P)                                                                     \
    F(P, OBJECT, "what the key log did for the connection (only with a key log)")                 \
    F(P ".status", STRING, "decrypted, no_keys, unsupported_suite, records_missing or auth_failed") \
    F(P ".reason", STRING, "the status in words")                                                 \
    F(P ".key_log_lines_used", INTEGER, "key log lines whose secrets decrypted records")          \
    F(P ".key_log_lines", ARRAY, "those lines as FILE:LINE (pcapng DSB N:LINE), the first 8")      \
    F(P ".key_log_lines[]", STRING, "one key log line")                                          \
    F(P ".secrets_used", ARRAY, "the key log labels used (CLIENT_RANDOM, ...)")                   \
    F(P ".secrets_used[]", STRING, "one label")                                                  \
    F(P ".secrets_missing", ARRAY, "labels the connection needed and the key log lacks")          \
    F(P ".secrets_missing[]", STRING, "one label")                                               \
    F(P ".records_decrypted_client", INTEGER, "records of the client decrypted")                  \
    F(P ".records_decrypted_server", INTEGER, "records of the server decrypted")                  \
    F(P ".cipher_suite", INTEGER, "unsupported_suite: the suite")                                 \
    F(P ".records_missing_frame", FRAME, "where a capture hole ended decryption")                  \
    F(P ".auth_failed_frame", FRAME, "the first record that did not authenticate")                \
    F(P ".key_update_frame", FRAME, "a KeyUpdate: the sender's later records are not decrypted")  \
    F(P ".key_update_by", STRING, "who sent it: client or server")

#define KEYLOG_SUMMARY_FACTS(F, P)                                                                 \
    F(P, OBJECT, "the capture's key log (only with --keylog or a Decryption Secrets Block)")      \
    F(P ".sources", ARRAY, "where its lines came from: --keylog files, pcapng DSB N")             \
    F(P ".sources[]", STRING, "one source")                                                      \
    F(P ".dsb_blocks", INTEGER, "TLS key log Decryption Secrets Blocks in the capture")           \
    F(P ".lines_read", INTEGER, "lines read, blank and comment lines too")                        \
    F(P ".entries", INTEGER, "secrets kept")                                                     \
    F(P ".entries_used", INTEGER, "of them, used to decrypt")                                    \
    F(P ".entries_unused", INTEGER, "of them, not used")                                         \
    F(P ".malformed_lines", INTEGER, "lines that are not key log lines")                          \
    F(P ".first_malformed_line", STRING, "the first of them, as SOURCE:LINE")                     \
    F(P ".ignored_lines", INTEGER, "lines with labels tlsdiag does not use (EXPORTER_SECRET, ...)") \
    F(P ".duplicates", INTEGER, "lines repeating a kept client random and label")                 \
    F(P ".over_cap", INTEGER, "good lines past the 100,000-entry limit, not kept")                \
    F(P ".status", STRING, "ok, or the key log limit that was hit")                               \
    F(P ".unused_lines", ARRAY, "the unused entries' lines, the first 8")                         \
    F(P ".unused_lines[]", STRING, "one line, as SOURCE:LINE")

#define TLS_FACTS(F, P)                                                                            \
    F(P ".client_hello_count", INTEGER, "Client Hellos sent (a second one follows a HelloRetryRequest)") \
    F(P ".client_hello", OBJECT, "the connection's first Client Hello")                          \
    CLIENT_HELLO_FACTS(F, P ".client_hello")                                                     \
    F(P ".hello_retry_request", OBJECT, "the server's HelloRetryRequest")                        \
    F(P ".hello_retry_request.frame", FRAME, "its frame")                                        \
    F(P ".hello_retry_request.time_ms", NUMBER, "milliseconds from the connection's first packet")\
    F(P ".hello_retry_request.cipher_suite", INTEGER, "the cipher suite it names")               \
    F(P ".hello_retry_request.group", INTEGER, "the key share group it asks for")                \
    F(P ".server_hello", OBJECT, "the Server Hello")                                             \
    SERVER_HELLO_FACTS(F, P ".server_hello")                                                     \
    F(P ".server_key_exchange", OBJECT, "the DH/ECDH parameters of the server's ServerKeyExchange (TLS <= 1.2)") \
    F(P ".server_key_exchange.frame", FRAME, "its frame")                                        \
    F(P ".server_key_exchange.kind", STRING, "the key exchange: dhe, dhe_psk, ecdhe or ecdhe_psk") \
    F(P ".server_key_exchange.dh_bits", INTEGER, "DHE: the size of the server's DH prime in bits") \
    F(P ".server_key_exchange.group", INTEGER, "ECDHE: the named curve (a supported_groups number)") \
    F(P ".server_key_exchange.group_name", STRING, "its name: x25519, secp256r1, ...")           \
    F(P ".server_key_exchange.malformed", BOOLEAN, "the parameters are malformed or cut short")  \
    F(P ".certificate", OBJECT, "the server's Certificate message")                              \
    CERTIFICATE_MSG_FACTS(F, P ".certificate")                                                   \
    F(P ".client_certificate", OBJECT, "the client's Certificate message")                       \
    CERTIFICATE_MSG_FACTS(F, P ".client_certificate")                                            \
    F(P ".alerts", ARRAY, "the alerts of both sides in order (at most 16)")                      \
    F(P ".alerts[]", OBJECT, "one alert")                                                        \
    ALERT_FACTS(F, P ".alerts[]")                                                                \
    F(P ".first_alert", OBJECT, "the first alert sent in clear")                                 \
    ALERT_FACTS(F, P ".first_alert")                                                             \
    F(P ".problems", ARRAY, "malformed records and limits hit, in order (at most 8)")            \
    F(P ".problems[]", OBJECT, "one problem")                                                    \
    F(P ".problems[].frame", FRAME, "where it was seen")                                         \
    F(P ".problems[].kind", STRING, "malformed or limit")                                        \
    F(P ".problems[].what", STRING, "what it was")                                               \
    F(P ".handshake_complete", BOOLEAN, "the handshake completed")                               \
    F(P ".tls13", BOOLEAN, "the server chose TLS 1.3")                                           \
    F(P ".ccs_client_frame", FRAME, "the client's ChangeCipherSpec")                             \
    F(P ".ccs_server_frame", FRAME, "the server's ChangeCipherSpec")                             \
    F(P ".app_data", OBJECT, "application data records")                                         \
    F(P ".app_data.c2s_bytes", INTEGER, "bytes of application data from the client")             \
    F(P ".app_data.s2c_bytes", INTEGER, "bytes of application data from the server")             \
    F(P ".app_data.c2s_records", INTEGER, "application data records from the client")            \
    F(P ".app_data.s2c_records", INTEGER, "application data records from the server")            \
    F(P ".app_data.s2c_first_frame", FRAME, "the server's first application data record")        \
    F(P ".app_data.s2c_first_time_ms", NUMBER, "when it came, ms from the connection's first packet")\
    F(P ".app_data.s2c_last_frame", FRAME, "the server's last application data record")          \
    F(P ".encrypted_handshake", OBJECT, "TLS 1.3 without keys: the encrypted flights")          \
    F(P ".encrypted_handshake.s2c_bytes", INTEGER, "bytes of the server's encrypted flight")    \
    F(P ".encrypted_handshake.s2c_records", INTEGER, "records of the server's encrypted flight") \
    F(P ".encrypted_handshake.s2c_first_frame", FRAME, "the first of them")                     \
    F(P ".encrypted_handshake.s2c_first_time_ms", NUMBER, "when it came, ms from the connection's first packet")\
    F(P ".encrypted_handshake.c2s_bytes", INTEGER, "bytes of the client's second flight")      \
    F(P ".encrypted_handshake.c2s_records", INTEGER, "records of the client's second flight")   \
    F(P ".encrypted_handshake.c2s_first_frame", FRAME, "the first of them")                     \
    F(P ".encrypted_handshake.c2s_first_time_ms", NUMBER, "when it came, ms from the connection's first packet")\
    F(P ".encrypted_handshake.client_certificate_likely", STRING,                                \
      "what the client's flight size says of its Certificate: none, empty or sent")               \
    F(P ".likely_tickets", OBJECT, "TLS 1.3 without keys: records taken for session tickets")  \
    F(P ".likely_tickets.s2c_records", INTEGER, "how many")                                     \
    F(P ".likely_tickets.s2c_bytes", INTEGER, "their bytes")                                    \
    F(P ".likely_tickets.s2c_first_frame", FRAME, "the first of them")                          \
    F(P ".likely_tickets.s2c_first_time_ms", NUMBER, "when it came, ms from the connection's first packet")\
    F(P ".alert_records_client", INTEGER, "alert records from the client, encrypted ones too")   \
    F(P ".alert_records_server", INTEGER, "alert records from the server, encrypted ones too")   \
    F(P ".last_message", STRING, "the last handshake message or record type seen (client_hello, ...)") \
    F(P ".server_not_tls", OBJECT, "the server's first bytes are not TLS: it speaks another protocol") \
    F(P ".server_not_tls.frame", FRAME, "the frame they came in")                                \
    F(P ".server_not_tls.kind", STRING, "what they look like: http (a status line), ssh (a banner) or other") \
    F(P ".server_not_tls.prefix", STRING, "their first 40 bytes, non-printable ones escaped (\\r, \\xNN)") \
    F(P ".server_not_tls.segment_bytes", INTEGER, "bytes of that first reply")                     \
    DECRYPTION_FACTS(F, P ".decryption")

#define CONNECTION_FACTS(F, P)                                                                     \
    F(P ".id", INTEGER, "the connection's number in the capture, from 1")                        \
    F(P ".client", STRING, "the client's address:port")                                          \
    F(P ".server", STRING, "the server's address:port (the proxy's, through a proxy)")          \
    F(P ".server_ip", STRING, "the server's address")                                            \
    F(P ".server_port", INTEGER, "the server's port")                                            \
    F(P ".ip_version", INTEGER, "4 or 6")                                                        \
    F(P ".server_name", STRING, "the server's name, from name_source")                           \
    F(P ".name_source", STRING, "where the name comes from: sni, connect, http_host or dns")     \
    F(P ".http", OBJECT, "a plain HTTP exchange on the connection (an OCSP or CRL fetch)")       \
    F(P ".http.request_frame", FRAME, "the request")                                             \
    F(P ".http.method", STRING, "its method")                                                    \
    F(P ".http.target", STRING, "its request target")                                            \
    F(P ".http.host", STRING, "its Host header")                                                 \
    F(P ".http.response_frame", FRAME, "the response")                                           \
    F(P ".http.status", INTEGER, "its status code")                                              \
    F(P ".http.reason", STRING, "its reason phrase")                                             \
    F(P ".http.via", STRING, "its Via header")                                                   \
    F(P ".http.error", STRING, "the proxy's error header in it (X-Squid-Error, ...)")            \
    F(P ".matched_by", STRING, "why it is analysed: profile, host, generic or revocation")       \
    F(P ".path", STRING, "direct, or proxy (through an HTTP CONNECT)")                           \
    F(P ".first_frame", FRAME, "its first packet")                                               \
    F(P ".last_frame", FRAME, "its last packet")                                                 \
    F(P ".start_ts", NUMBER, "time of its first packet, seconds since the epoch")                \
    F(P ".duration_ms", NUMBER, "milliseconds from its first packet to its last")                \
    F(P ".classification", OBJECT, "what nDPI makes of the flow")                                \
    F(P ".classification.protocol", STRING, "the protocol nDPI names")                           \
    F(P ".classification.category", STRING, "its category")                                      \
    F(P ".classification.risks", ARRAY, "the flow risks nDPI raises")                            \
    F(P ".classification.risks[]", STRING, "one risk's name")                                    \
    F(P ".verdict", STRING, "success, failed, or unknown (the capture cannot tell)")             \
    F(P ".unknown_reason", STRING, "why the verdict is unknown")                                 \
    F(P ".fallback", OBJECT, "a failed connect another address family made good (happy eyeballs)") \
    F(P ".fallback.to_connection", INTEGER, "the connection that worked")                        \
    F(P ".fallback.to_ip_version", INTEGER, "its IP version")                                    \
    F(P ".fallback.after_ms", NUMBER, "how long after this one it started (negative: before)")   \
    F(P ".capture_cut", OBJECT, "a snapshot length cut the connection's packets: TLS contents not available") \
    F(P ".capture_cut.snaplen", INTEGER, "bytes kept of each packet")                            \
    F(P ".capture_cut.first_frame", FRAME, "the connection's first packet whose payload was cut") \
    F(P ".capture_cut.bytes", INTEGER, "payload bytes not captured, both ways")                  \
    F(P ".failed_stage", STRING, "where it failed: proxy, tcp_connect, tls_handshake or transfer") \
    F(P ".proxy", OBJECT, "the HTTP CONNECT exchange, through a proxy")                          \
    F(P ".proxy.attempts", INTEGER, "CONNECT requests sent")                                     \
    F(P ".proxy.target", STRING, "the host:port the last CONNECT asks for")                      \
    F(P ".proxy.request_frame", FRAME, "the last CONNECT request")                               \
    F(P ".proxy.request_time_ms", NUMBER, "when it was sent, ms from the connection's first packet")\
    F(P ".proxy.authorization_sent", BOOLEAN, "the last CONNECT carried Proxy-Authorization")     \
    F(P ".proxy.status", INTEGER, "the status code of the proxy's last answer")                  \
    F(P ".proxy.reason", STRING, "its reason phrase")                                            \
    F(P ".proxy.response_frame", FRAME, "the proxy's last answer")                               \
    F(P ".proxy.response_time_ms", NUMBER, "when it came, ms from the connection's first packet")\
    F(P ".proxy.auth_schemes", ARRAY, "the schemes the proxy asks for (Proxy-Authenticate)")     \
    F(P ".proxy.auth_schemes[]", STRING, "one scheme")                                           \
    F(P ".proxy.via", STRING, "the answer's Via header")                                         \
    F(P ".proxy.error", STRING, "the proxy's error header (X-Squid-Error, ...)")                 \
    F(P ".proxy.server", STRING, "the answer's Server header")                                   \
    F(P ".proxy.responses", ARRAY, "every answer of the proxy in order (at most 8)")             \
    F(P ".proxy.responses[]", OBJECT, "one answer")                                              \
    F(P ".proxy.responses[].frame", FRAME, "its frame")                                          \
    F(P ".proxy.responses[].time_ms", NUMBER, "when it came, ms from the connection's first packet")\
    F(P ".proxy.responses[].status", INTEGER, "its status code")                                 \
    F(P ".proxy.address", STRING, "the proxy's address:port")                                    \
    F(P ".tcp", OBJECT, "the TCP connection")                                                    \
    F(P ".tcp.syn_frame", FRAME, "the client's first SYN")                                       \
    F(P ".tcp.syn_time_ms", NUMBER, "when it was sent, ms from the connection's first packet")   \
    F(P ".tcp.syn_count", INTEGER, "SYNs the client sent")                                       \
    F(P ".tcp.synack_frame", FRAME, "the server's SYN-ACK")                                      \
    F(P ".tcp.synack_time_ms", NUMBER, "when it came, ms from the connection's first packet")    \
    F(P ".tcp.server_ip_ttl", INTEGER, "the IP TTL (hop limit) of the SYN-ACK: the server's stack") \
    F(P ".tcp.server_ip_hops", INTEGER, "routers it crossed, guessed from the TTL (32, 64, 128 or 255 less it)") \
    F(P ".tcp.connected", BOOLEAN, "the TCP handshake completed (SYN-ACK seen, data sent, or open at capture start)") \
    F(P ".tcp.open_at_capture_start", BOOLEAN, "already open when the capture began: no SYN or SYN-ACK in it") \
    F(P ".tcp.rst", OBJECT, "the first RST")                                                     \
    F(P ".tcp.rst.frame", FRAME, "its frame")                                                    \
    F(P ".tcp.rst.time_ms", NUMBER, "when it came, ms from the connection's first packet")       \
    F(P ".tcp.rst.from", STRING, "who sent it: client or server")                                \
    F(P ".tcp.rst.ip_ttl", INTEGER, "its IP TTL (hop limit)")                                     \
    F(P ".tcp.rst.ip_hops", INTEGER, "routers it crossed, guessed from the TTL")                  \
    F(P ".tcp.rst.ip_id", INTEGER, "its IPv4 identification")                                    \
    F(P ".tcp.fin_client_frame", FRAME, "the client's FIN")                                      \
    F(P ".tcp.fin_client_time_ms", NUMBER, "when it was sent, ms from the connection's first packet")\
    F(P ".tcp.fin_server_frame", FRAME, "the server's FIN")                                      \
    F(P ".tcp.fin_server_time_ms", NUMBER, "when it was sent, ms from the connection's first packet")\
    F(P ".tcp.close", STRING, "how it ended: rst, fin or open")                                  \
    F(P ".tcp.closed_by", STRING, "who ended it: client or server")                              \
    F(P ".tcp.retransmissions", INTEGER, "retransmitted segments, both ways")                    \
    F(P ".tcp.dup_acks", INTEGER, "duplicate ACKs, both ways")                                   \
    F(P ".tcp.zero_windows", INTEGER, "zero-window advertisements, both ways")                   \
    F(P ".tcp.bytes_c2s", INTEGER, "payload bytes delivered from the client")                    \
    F(P ".tcp.bytes_s2c", INTEGER, "payload bytes delivered from the server")                    \
    F(P ".tcp.packets_c2s", INTEGER, "packets from the client")                                  \
    F(P ".tcp.packets_s2c", INTEGER, "packets from the server")                                  \
    F(P ".tcp.gaps", INTEGER, "holes in the captured stream, both ways")                         \
    F(P ".tcp.gap_bytes", INTEGER, "bytes missing in those holes")                               \
    F(P ".tcp.first_gap_frame", FRAME, "where the first hole was noticed")                       \
    F(P ".tcp.reassembly_limit_frame", FRAME, "where a direction hit the reassembly limit")      \
    F(P ".tcp.c2s_acked_frame", FRAME, "the server's ACK of every byte the client sent: they arrived") \
    F(P ".tcp.s2c_unseen_bytes", INTEGER, "bytes the server sent, by its sequence numbers, that never arrived") \
    F(P ".tcp.s2c_stranded_bytes", INTEGER, "server bytes that arrived past such a hole, never read")  \
    F(P ".tls", OBJECT, "the TLS facts, when the connection carried TLS")                        \
    TLS_FACTS(F, P ".tls")                                                                       \
    F(P ".timings", OBJECT, "durations measured on the connection")                              \
    F(P ".timings.connect_rtt_ms", NUMBER, "SYN to SYN-ACK, milliseconds")                       \
    F(P ".timings.server_hello_ms", NUMBER, "Client Hello to Server Hello, milliseconds")        \
    F(P ".timings.handshake_ms", NUMBER, "Client Hello to the handshake's end, milliseconds")     \
    F(P ".timings.transfer_ms", NUMBER, "the server's first to last application data, milliseconds") \
    F(P ".timings.client_hello_to_end_ms", NUMBER, "Client Hello to the first FIN or RST (else the last packet), milliseconds")

#define DNS_LOOKUP_FACTS(F, P)                                                                     \
    F(P ".name", STRING, "the name asked for")                                                   \
    F(P ".qtype", INTEGER, "the query type number")                                              \
    F(P ".qtype_name", STRING, "its name: A, AAAA, ...")                                         \
    F(P ".id", INTEGER, "the DNS message id")                                                    \
    F(P ".role", STRING, "target or revocation: whose name it is")                               \
    F(P ".query_frame", FRAME, "the query")                                                      \
    F(P ".query_ts_ns", NUMBER, "the query's time, nanoseconds since the epoch")                 \
    F(P ".response_frame", FRAME, "the response")                                                \
    F(P ".rcode", INTEGER, "the response code (0 NOERROR, 3 NXDOMAIN, ...)")                     \
    F(P ".rcode_name", STRING, "its name")                                                       \
    F(P ".answers", ARRAY, "the answers: addresses and names")                                   \
    F(P ".answers[]", STRING, "one answer")                                                      \
    F(P ".rtt_ms", NUMBER, "query to response, milliseconds")                                    \
    F(P ".response_cut", BOOLEAN, "a snapshot length cut the response: its answers may be missing")

#define FAILED_CONNECT_FACTS(F, P)                                                                 \
    F(P ".server", STRING, "the address:port the client tried")                                  \
    F(P ".server_ip", STRING, "its address")                                                     \
    F(P ".server_port", INTEGER, "its port")                                                     \
    F(P ".server_name", STRING, "its name, when known")                                          \
    F(P ".syn_frame", FRAME, "the first SYN")                                                    \
    F(P ".syn_count", INTEGER, "SYNs sent")                                                      \
    F(P ".result", STRING, "refused (a RST came back) or no answer")                             \
    F(P ".rst_frame", FRAME, "the RST")                                                          \
    F(P ".proxy_port", BOOLEAN, "the port is one of the profile's proxy ports")

#define CAPTURE_FACTS(F, P)                                                                        \
    F(P ".frames", INTEGER, "frames in the capture")                                             \
    F(P ".bytes", INTEGER, "bytes of the frames")                                                \
    F(P ".start_ts", NUMBER, "time of the first frame, seconds since the epoch")                 \
    F(P ".duration_ms", NUMBER, "first to last frame, milliseconds")                             \
    F(P ".format", STRING, "the file format: pcap, pcapng, ...")                                 \
    F(P ".damaged_tail", BOOLEAN, "the file ends in a damaged or cut record")                    \
    F(P ".cut", OBJECT, "frames a snapshot length cut (captured shorter than on the wire)")      \
    F(P ".cut.frames", INTEGER, "how many")                                                      \
    F(P ".cut.first_frame", FRAME, "the first of them")                                          \
    F(P ".cut.snaplen", INTEGER, "bytes kept of each: the file's snapshot length, else the first cut frame's") \
    F(P ".reading_losses", OBJECT, "what limits and bad headers kept from the analysis")         \
    F(P ".reading_losses.connections_evicted", INTEGER, "live connections ended early at --max-conns") \
    F(P ".reading_losses.ip_datagrams_incomplete", INTEGER, "IP fragments dropped (timeout or --max-fragments)") \
    F(P ".reading_losses.invalid_headers", INTEGER, "packets with an invalid header")            \
    F(P ".reading_losses.truncated_headers", INTEGER, "packets cut inside a header")             \
    F(P ".reading_losses.connections_without_facts", INTEGER, "TLS/CONNECT/HTTP connections over --max-open-tls, only counted") \
    F(P ".reading_losses.flows_not_classified", INTEGER, "flows over what nDPI classifies at once") \
    F(P ".tcp_connections", INTEGER, "TCP connections in the capture")                           \
    F(P ".tls_connections", INTEGER, "of them, with TLS or a CONNECT")                           \
    F(P ".target_hosts", ARRAY, "the server names analysed (--host, else the profile's)")        \
    F(P ".target_hosts[]", STRING, "one name or pattern")                                        \
    F(P ".selection", STRING, "targets, or all_tls when no target connection was seen")          \
    F(P ".target_connections", INTEGER, "connections to a target")                               \
    F(P ".selected_connections", INTEGER, "connections of the selection")                        \
    F(P ".attempts", OBJECT, "the selection's connections by verdict, kept or not")                \
    F(P ".attempts.total", INTEGER, "connections of the selection")                               \
    F(P ".attempts.succeeded", INTEGER, "of them, verdict success")                                \
    F(P ".attempts.failed", INTEGER, "of them, verdict failed")                                    \
    F(P ".attempts.unknown", INTEGER, "of them, verdict unknown")                                  \
    F(P ".attempts.fallbacks", INTEGER, "failed connects the other address family made good")      \
    F(P ".kept_connections", INTEGER, "of them, kept in the report's connection list")          \
    F(P ".dns", OBJECT, "DNS lookups of the targets and revocation hosts")                       \
    F(P ".dns.target_asked", BOOLEAN, "a target's name was looked up")                           \
    F(P ".dns.target_resolved", BOOLEAN, "a lookup of a target's name got an answer")            \
    F(P ".dns.target_failed", BOOLEAN, "lookups of a target's name failed, none resolved")       \
    F(P ".dns.target_failure", OBJECT, "how they failed: the first error response, else the first unanswered query") \
    F(P ".dns.target_failure.how", STRING, "nxdomain, servfail, refused, error (another rcode) or no_answer") \
    F(P ".dns.target_failure.name", STRING, "the name asked for")                                \
    F(P ".dns.target_failure.qtype_name", STRING, "the query type: A, AAAA, ...")                \
    F(P ".dns.target_failure.server", STRING, "the DNS server asked (or that answered)")          \
    F(P ".dns.target_failure.query_frame", FRAME, "the query")                                   \
    F(P ".dns.target_failure.response_frame", FRAME, "the response")                             \
    F(P ".dns.target_failure.rcode", INTEGER, "its response code")                               \
    F(P ".dns.target_failure.rcode_name", STRING, "its name")                                    \
    F(P ".dns.target_failure.waited_ms", NUMBER, "no_answer: the query to the capture's end, milliseconds") \
    F(P ".dns.target_failure.queries", INTEGER, "queries of the target's names seen")            \
    F(P ".dns.target_failure.unanswered", INTEGER, "of them, without a response")                \
    F(P ".dns.lookups", ARRAY, "the lookups, in order")                                          \
    F(P ".dns.lookups[]", OBJECT, "one lookup")                                                  \
    DNS_LOOKUP_FACTS(F, P ".dns.lookups[]")                                                      \
    F(P ".dns.other_lookups", INTEGER, "answered lookups of other names")                        \
    F(P ".dns.other_failed_lookups", INTEGER, "of them, failed ones")                            \
    F(P ".revocation", OBJECT, "certificate revocation checks (OCSP, CRL)")                      \
    F(P ".revocation.unreachable", ARRAY, "revocation hosts that could not be reached")          \
    F(P ".revocation.unreachable[]", OBJECT, "one of them")                                      \
    F(P ".revocation.unreachable[].host", STRING, "its name")                                    \
    F(P ".revocation.unreachable[].how", STRING, "what failed: dns, dns_no_answer, tcp or http") \
    F(P ".revocation.unreachable[].detail", STRING, "how it failed, in words")                   \
    F(P ".revocation.unreachable[].server", STRING, "the address:port tried")                    \
    F(P ".revocation.unreachable[].frame", FRAME, "the frame that shows it")                     \
    F(P ".revocation.unreachable[].recognised_by", STRING,                                       \
      "profile (a profile revocation host), or timing (failed in a handshake the client gave up)") \
    F(P ".revocation.unreachable[].connection", INTEGER, "timing: the TLS connection whose handshake it fell in") \
    F(P ".revocation.attempted", BOOLEAN, "a revocation host was looked up or connected to, or a fetch was recognised by timing") \
    F(P ".revocation.reachable", BOOLEAN, "a connection to a revocation host worked")            \
    F(P ".revocation.connections", ARRAY, "the connections to revocation hosts")                 \
    F(P ".revocation.connections[]", OBJECT, "one of them, with a connection's facts")           \
    CONNECTION_FACTS(F, P ".revocation.connections[]")                                           \
    F(P ".failed_connects", ARRAY, "connections that never got past the SYN")                    \
    F(P ".failed_connects[]", OBJECT, "one of them")                                             \
    FAILED_CONNECT_FACTS(F, P ".failed_connects[]")                                              \
    F(P ".proxy_connect_failures", ARRAY, "of the failed connects, those to a proxy port")       \
    F(P ".proxy_connect_failures[]", OBJECT, "one of them")                                      \
    FAILED_CONNECT_FACTS(F, P ".proxy_connect_failures[]")                                        \
    KEYLOG_SUMMARY_FACTS(F, P ".keylog")

#define FACT_REGISTRY(F)                                                                           \
    F("conn", OBJECT, "the connection a connection-scope rule is evaluated for")                \
    CONNECTION_FACTS(F, "conn")                                                                  \
    F("capture", OBJECT, "the capture's facts, without its connection list")                     \
    CAPTURE_FACTS(F, "capture")

#define AS_DEF(path, type, meaning) { path, FACT_##type, meaning },
#define AS_PATH(path, type, meaning) path,

const struct fact_def fact_registry[] = { FACT_REGISTRY(AS_DEF) };
const size_t fact_registry_count = sizeof fact_registry / sizeof fact_registry[0];
const char *const fact_registry_paths[] = { FACT_REGISTRY(AS_PATH) };
_Static_assert(sizeof fact_registry / sizeof fact_registry[0] ==
               sizeof fact_registry_paths / sizeof fact_registry_paths[0], "one list, two forms");

const char *fact_type_name(enum fact_type type)
{
    static const char *const names[] = {
        [FACT_BOOLEAN] = "boolean", [FACT_INTEGER] = "integer", [FACT_NUMBER] = "number",
        [FACT_STRING] = "string",   [FACT_FRAME] = "frame",     [FACT_OBJECT] = "object",
        [FACT_ARRAY] = "array",
    };
    return (size_t)type < sizeof names / sizeof names[0] ? names[type] : "?";
}

const struct fact_def *fact_registry_find(const char *path)
{
    for (size_t i = 0; i < fact_registry_count; i++)
        if (strcmp(fact_registry[i].path, path) == 0)
            return &fact_registry[i];
    return NULL;
}
