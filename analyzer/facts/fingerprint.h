/* TLS client and server fingerprints: JA3, JA3S (Salesforce) and JA4 (FoxIO).
 *
 * All functions read a parsed hello (dissect/tls_msg.h) and write into the
 * caller's buffers; nothing is kept. Hashes are computed over the whole
 * fingerprint string even when the text buffer is too small to hold it (the
 * text is then cut short, always NUL-terminated).
 */
#ifndef TLSDIAG_FINGERPRINT_H
#define TLSDIAG_FINGERPRINT_H

#include <stddef.h>

#include "tls_msg.h"

#define JA3_TEXT_MAX 4096
#define JA4_MAX 40

/* JA3: "SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats",
 * decimal values joined by '-', GREASE values (RFC 8701) left out of every
 * list; md5_hex is the lowercase MD5 of that string. An SSLv2 CLIENT-HELLO
 * gives its version and the cipher specs that fit in two bytes (first byte
 * 0), with the three other fields empty. */
void fingerprint_ja3(const struct tls_client_hello *ch, char *text, size_t text_len, char md5_hex[33]);

/* JA3S: "SSLVersion,Cipher,Extensions": the server's legacy_version, the chosen
 * suite and the extension types in order (GREASE left out, as for JA3). */
void fingerprint_ja3s(const struct tls_server_hello *sh, char *text, size_t text_len, char md5_hex[33]);

/* JA4 of a client hello seen over TCP, e.g. "t13d1516h2_8daaf6152771_e5627efa2ab1"
 * (FoxIO technical_details/JA4.md): version from supported_versions (highest
 * non-GREASE) else legacy_version; 'd'/'i' for the SNI extension; cipher and
 * extension counts without GREASE (at most 99); first and last character of
 * the first ALPN value; truncated SHA-256 of the sorted cipher list and of the
 * sorted extension list (without SNI and ALPN) '_' the signature algorithms in
 * wire order. GREASE is left out everywhere, signature algorithms included.
 * An SSLv2 hello contributes the cipher specs that fit in two bytes. */
void fingerprint_ja4(const struct tls_client_hello *ch, char out[JA4_MAX]);

/* JA4_r, the same before hashing:
 * "t13d1516h2_002f,0035,..._0005,000a,..._0403,0804,..." */
void fingerprint_ja4_raw(const struct tls_client_hello *ch, char *out, size_t out_len);

#endif
