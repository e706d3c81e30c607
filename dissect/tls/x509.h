/* Certificate chains from a TLS Certificate message (TLS <= 1.2 and the
 * TLS 1.3 form), read with OpenSSL's libcrypto (d2i_X509); no DER is parsed
 * by hand. Every string is NUL-terminated valid UTF-8 with control
 * characters (and bidi overrides) replaced by '?', safe for a terminal and
 * for JSON; strings longer than their buffer are cut on a character
 * boundary. */
#ifndef TLSDIAG_X509_H
#define TLSDIAG_X509_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "cursor.h"

#define X509_TEXT_MAX 256
#define X509_MAX_NAMES 16     /* SANs kept per certificate */
#define X509_MAX_URLS 4       /* OCSP / CRL URLs kept per certificate */
#define X509_MAX_CHAIN 10     /* certificates kept per chain */
_Static_assert(X509_MAX_NAMES <= 16, "cert_summary.san_ip has a bit per SAN");

struct cert_summary {
    bool decoded;                    /* false: libcrypto refused the DER; only
                                        der_len and sha256 are filled */
    char subject[X509_TEXT_MAX];     /* RFC 2253 one-line form */
    char issuer[X509_TEXT_MAX];
    char subject_cn[X509_TEXT_MAX];
    char issuer_cn[X509_TEXT_MAX];   /* the last CN of the name, "" if none */
    char serial_hex[80];
    int64_t not_before;              /* seconds since the epoch, UTC */
    int64_t not_after;
    bool validity_malformed;         /* a time that does not parse (verifiers
                                        reject the certificate); it reads as 0 */
    char san[X509_MAX_NAMES][X509_TEXT_MAX];   /* DNS names and IP addresses */
    uint8_t san_count;
    uint16_t san_ip;                 /* bit i: san[i] is an iPAddress, else a dNSName */
    bool san_truncated;              /* more than X509_MAX_NAMES: a name missing
                                        from san[] may still be in the cert */
    char ocsp_urls[X509_MAX_URLS][X509_TEXT_MAX];
    uint8_t ocsp_count;
    char crl_urls[X509_MAX_URLS][X509_TEXT_MAX];
    uint8_t crl_count;
    char key_type[16];               /* "RSA", "EC", "Ed25519" ... */
    int key_bits;
    char signature_algorithm[64];    /* "sha256WithRSAEncryption" */
    bool self_signed;                /* subject == issuer and the signature verifies */
    bool is_ca;
    uint8_t sha256[32];              /* of the DER */
    size_t der_len;
};

/* certs[i] is the i-th certificate of the message (certs[0] the peer's own),
 * including ones libcrypto refused, so positions are never shifted. */
struct cert_chain {
    struct cert_summary certs[X509_MAX_CHAIN];
    uint8_t count;                   /* kept */
    uint16_t total;                  /* in the message (saturates) */
    uint16_t undecodable;            /* DER libcrypto refused, or bytes after
                                        the DER inside cert_data; all of the
                                        message, not only the kept ones */
};

/* body: the Certificate handshake message body (after the 4-byte handshake
 * header), i.e. starting with the 3-byte certificate_list length. When
 * tls13 is set, the body starts with certificate_request_context and each
 * entry carries extensions (their lengths are checked, contents ignored).
 *
 * out is always reset and filled with what was read, whatever the status:
 * PARSE_TRUNCATED: the message ends before its own vectors do (a cut
 *   capture); the certificates before the cut are in out.
 * PARSE_INVALID: a length contradicts an enclosing one, an empty cert_data,
 *   or bytes after certificate_list. */
enum parse_status x509_parse_certificate_message(const uint8_t *body, size_t len, bool tls13,
                                                 struct cert_chain *out);

/* Whether a DNS name a certificate presents (a dNSName, or its CN) covers
 * the reference name a client asked for, as TLS clients check it (RFC 6125
 * 6.4, narrowed as RFC 9525 does): ASCII case-insensitive; one trailing dot
 * on either side ignored; '*' only as the whole left-most label, standing
 * for exactly one non-empty label, with at least two labels after it
 * ("*.example.com" covers "a.example.com", not "example.com" nor
 * "a.b.example.com"; "f*.example.com" and "*.com" cover nothing). No IDNA
 * conversion: A-labels compare as ASCII, other bytes as they are. A name
 * with an empty label or a character no host name has ('?' included, which
 * stands for a byte the display copy replaced) covers nothing. */
bool x509_dns_name_matches(const char *presented, const char *reference);

enum x509_name_match { X509_NAME_UNKNOWN = -1, X509_NAME_MISMATCH = 0, X509_NAME_MATCH = 1 };

/* Whether the certificate is for reference, the name the client asked for:
 * a DNS name against its dNSName SANs, or its subject CN only when it has
 * none; an IPv4 or IPv6 literal ("[v6]" too) against its iPAddress SANs.
 * UNKNOWN: not decoded, no reference, or no match among the SANs kept while
 * more were cut off (san_truncated). */
enum x509_name_match x509_certificate_names_match(const struct cert_summary *cert, const char *reference);

/* Formats seconds since the epoch as "2026-11-23T19:04:21Z". */
void x509_format_time(int64_t t, char *buf, size_t buflen);

#endif
