/* Names of TLS code points, after the IANA TLS registries.
 *
 * Every function returns a static string (never freed, safe to keep) or NULL
 * for a value it does not know. The tables are const; there is no state.
 * GREASE values (RFC 8701) are named "GREASE" where the registry reserves them
 * (cipher suites, versions, extensions, groups, signature schemes).
 */
#ifndef TLSDIAG_TLS_NAMES_H
#define TLSDIAG_TLS_NAMES_H

#include <stdbool.h>
#include <stdint.h>

/* IANA TLS Cipher Suites, e.g. "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
 * 0x00FF "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", 0x5600 "TLS_FALLBACK_SCSV".
 * A few pre-standard code points still seen on the wire are named too
 * (0x0060-0x0066 EXPORT1024, 0x0080-0x0083 GOST, 0xCC13-0xCC15 draft ChaCha20
 * as "..._OLD", 0xFEFE/0xFEFF/0xFFE0/0xFFE1 Netscape FIPS). */
/* A value in the cipher suite list that is not a suite: a signalling value
 * (TLS_EMPTY_RENEGOTIATION_INFO_SCSV 0x00ff, TLS_FALLBACK_SCSV 0x5600) or
 * GREASE (RFC 8701). Not counted when suites offered are counted. */
bool tls_suite_is_signal(uint16_t id);
const char *tls_cipher_suite_name(uint16_t id);

/* "SSL 2.0", "SSL 3.0", "TLS 1.0" .. "TLS 1.3", "TLS 1.3 (draft N)" for
 * 0x7Fnn, "DTLS 1.0"/"DTLS 1.2"/"DTLS 1.3", "GREASE". */
const char *tls_version_name(uint16_t v);

/* AlertDescription: 40 "handshake_failure", 48 "unknown_ca", ... */
const char *tls_alert_name(uint8_t description);
/* AlertLevel: 1 "warning", 2 "fatal". */
const char *tls_alert_level_name(uint8_t level);

/* ExtensionType: "server_name", "supported_groups", ... */
const char *tls_extension_name(uint16_t type);
/* NamedGroup: "x25519", "secp256r1", "ffdhe2048", "X25519MLKEM768", ... */
const char *tls_group_name(uint16_t group);
/* SignatureScheme (and the TLS 1.2 hash/signature pairs it grew from):
 * "rsa_pss_rsae_sha256", "ecdsa_secp256r1_sha256", ... */
const char *tls_sigalg_name(uint16_t scheme);
/* HandshakeType: "client_hello", "server_hello", "certificate", ... */
const char *tls_handshake_name(uint8_t type);

/* The TLS 1.3 suites of RFC 8446 (0x1301-0x1305). */
bool tls_suite_is_tls13(uint16_t id);

#endif
