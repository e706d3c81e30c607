/* Certificate chains from TLS Certificate messages.
 *
 * The TLS framing is walked with the cursor; every certificate is handed to
 * libcrypto (d2i_X509) and only what libcrypto decoded is reported. Strings
 * taken from certificates are attacker-chosen and end up in a terminal and in
 * JSON, so each one is copied through copy_for_display().
 */
#if !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* timegm, gmtime_r */
#endif

#include "x509.h"

#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* ---- strings safe to print ------------------------------------------------ */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0 when the bytes are not one. */
static size_t utf8_sequence_length(const unsigned char *s, size_t avail, uint32_t *code_point)
{
    unsigned char lead = s[0];
    unsigned char lowest = 0x80, highest = 0xBF; /* allowed range of the 2nd byte */
    size_t need;
    uint32_t cp;

    if (lead < 0x80) {
        *code_point = lead;
        return 1;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 2;
        cp = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 3;
        cp = lead & 0x0Fu;
        lowest = lead == 0xE0 ? 0xA0 : 0x80;  /* overlong */
        highest = lead == 0xED ? 0x9F : 0xBF; /* surrogates */
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 4;
        cp = lead & 0x07u;
        lowest = lead == 0xF0 ? 0x90 : 0x80;  /* overlong */
        highest = lead == 0xF4 ? 0x8F : 0xBF; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (avail < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if (s[i] < lowest || s[i] > highest)
            return 0;
        lowest = 0x80;
        highest = 0xBF;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    *code_point = cp;
    return need;
}

/* Characters a terminal would act on instead of showing (C0, DEL, C1), and
 * the bidirectional overrides that can make one name display as another. */
static bool unsafe_to_display(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Copies n bytes into dst (capacity cap) as NUL-terminated, valid UTF-8 with
 * every unsafe or malformed character replaced by '?'. Truncation happens on
 * a character boundary so a cut never leaves half a UTF-8 sequence for the
 * JSON writer to choke on. Embedded NULs become '?', so "a.com\0.evil" stays
 * visible as such. */
static void copy_for_display(char *dst, size_t cap, const void *src, size_t n)
{
    const unsigned char *bytes = src;
    size_t out = 0;

    if (cap == 0)
        return;
    for (size_t in = 0; in < n;) {
        uint32_t cp = 0;
        size_t seq = utf8_sequence_length(bytes + in, n - in, &cp);
        if (seq == 0 || unsafe_to_display(cp)) {
            if (out + 1 >= cap)
                break;
            dst[out++] = '?';
            in += seq ? seq : 1;
            continue;
        }
        if (out + seq >= cap)
            break;
        memcpy(dst + out, bytes + in, seq);
        out += seq;
        in += seq;
    }
    dst[out] = '\0';
}

static void copy_asn1_string(char *dst, size_t cap, const ASN1_STRING *s)
{
    int n = s ? ASN1_STRING_length(s) : 0;
    copy_for_display(dst, cap, n > 0 ? ASN1_STRING_get0_data(s) : NULL, n > 0 ? (size_t)n : 0);
}

/* ---- names, serial, validity ---------------------------------------------- */

static void format_name(char *dst, size_t cap, const X509_NAME *name)
{
    BIO *text = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n = 0;

    dst[0] = '\0';
    if (text && name && X509_NAME_print_ex(text, name, 0, XN_FLAG_RFC2253) >= 0)
        n = BIO_get_mem_data(text, &data);
    if (n > 0 && data)
        copy_for_display(dst, cap, data, (size_t)n);
    BIO_free(text);
}

/* A DN may hold several CNs; the last is the most specific in DN order. */
static void copy_common_name(char *dst, size_t cap, const X509_NAME *name)
{
    int last = -1;

    dst[0] = '\0';
    for (int i = -1; name && (i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0;)
        last = i;
    if (last < 0)
        return;

    const ASN1_STRING *value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, value);
    if (n >= 0)
        copy_for_display(dst, cap, utf8, (size_t)n);
    else /* a BMPString with odd length and the like: show the raw bytes */
        copy_asn1_string(dst, cap, value);
    OPENSSL_free(utf8);
}

static void format_serial(char *dst, size_t cap, const X509 *cert)
{
    BIGNUM *number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *hex = number ? BN_bn2hex(number) : NULL;

    dst[0] = '\0';
    if (hex)
        copy_for_display(dst, cap, hex, strlen(hex));
    OPENSSL_free(hex);
    BN_free(number);
}

/* d2i_X509 accepts any bytes in a UTCTime, so the conversion can fail on a
 * decoded certificate; *malformed is set then and 0 returned. */
static int64_t asn1_time_to_epoch(const ASN1_TIME *when, bool *malformed)
{
    struct tm fields;

    memset(&fields, 0, sizeof fields);
    if (!when || ASN1_TIME_to_tm(when, &fields) != 1) {
        *malformed = true;
        return 0;
    }
    return (int64_t)timegm(&fields);
}

/* ---- extensions ----------------------------------------------------------- */

/* IP SANs are 4 or 16 octets; other lengths are malformed and skipped. */
static bool format_ip_address(char *dst, size_t cap, const ASN1_OCTET_STRING *address)
{
    int len = ASN1_STRING_length(address);
    int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : AF_UNSPEC;
    char text[INET6_ADDRSTRLEN];

    if (family == AF_UNSPEC ||
        !inet_ntop(family, ASN1_STRING_get0_data(address), text, sizeof text))
        return false;
    copy_for_display(dst, cap, text, strlen(text));
    return true;
}

/* Fills dst for the SAN kinds a hostname check uses; false for the others. */
static bool format_san_entry(char *dst, size_t cap, const GENERAL_NAME *entry)
{
    if (entry->type == GEN_DNS) {
        copy_asn1_string(dst, cap, entry->d.dNSName);
        return true;
    }
    if (entry->type == GEN_IPADD)
        return format_ip_address(dst, cap, entry->d.iPAddress);
    return false;
}

static void collect_subject_alt_names(struct cert_summary *summary, const X509 *cert)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);

    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *entry = sk_GENERAL_NAME_value(names, i);
        if (entry->type != GEN_DNS && entry->type != GEN_IPADD)
            continue;
        if (summary->san_count == X509_MAX_NAMES) {
            summary->san_truncated = true;
            break;
        }
        if (format_san_entry(summary->san[summary->san_count], X509_TEXT_MAX, entry)) {
            if (entry->type == GEN_IPADD)
                summary->san_ip |= (uint16_t)(1u << summary->san_count);
            summary->san_count++;
        }
    }
    GENERAL_NAMES_free(names);
}

static void collect_ocsp_urls(struct cert_summary *summary, const X509 *cert)
{
    AUTHORITY_INFO_ACCESS *access = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);

    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(access) && summary->ocsp_count < X509_MAX_URLS;
         i++) {
        const ACCESS_DESCRIPTION *method = sk_ACCESS_DESCRIPTION_value(access, i);
        if (OBJ_obj2nid(method->method) != NID_ad_OCSP || method->location->type != GEN_URI)
            continue;
        copy_asn1_string(summary->ocsp_urls[summary->ocsp_count++], X509_TEXT_MAX,
                         method->location->d.uniformResourceIdentifier);
    }
    AUTHORITY_INFO_ACCESS_free(access);
}

static void copy_uris(char urls[][X509_TEXT_MAX], uint8_t *count, const GENERAL_NAMES *names)
{
    for (int i = 0; i < sk_GENERAL_NAME_num(names) && *count < X509_MAX_URLS; i++) {
        const GENERAL_NAME *entry = sk_GENERAL_NAME_value(names, i);
        if (entry->type == GEN_URI)
            copy_asn1_string(urls[(*count)++], X509_TEXT_MAX, entry->d.uniformResourceIdentifier);
    }
}

/* Only fullName URIs: a nameRelativeToCRLIssuer is not something an analyst
 * can fetch. */
static void collect_crl_urls(struct cert_summary *summary, const X509 *cert)
{
    CRL_DIST_POINTS *points = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);

    for (int i = 0; i < sk_DIST_POINT_num(points); i++) {
        const DIST_POINT *point = sk_DIST_POINT_value(points, i);
        if (point->distpoint && point->distpoint->type == 0)
            copy_uris(summary->crl_urls, &summary->crl_count, point->distpoint->name.fullname);
    }
    CRL_DIST_POINTS_free(points);
}

/* ---- key, signature, role ------------------------------------------------- */

static const char *key_type_name(const EVP_PKEY *key)
{
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return "RSA";
    case EVP_PKEY_RSA_PSS: return "RSA-PSS";
    case EVP_PKEY_EC: return "EC";
    case EVP_PKEY_ED25519: return "Ed25519";
    case EVP_PKEY_ED448: return "Ed448";
    case EVP_PKEY_DSA: return "DSA";
    default: break;
    }
    const char *provider_name = EVP_PKEY_get0_type_name(key);
    return provider_name ? provider_name : "unknown";
}

/* A key libcrypto cannot load (an algorithm it lacks, a corrupt point) still
 * has an algorithm OID worth showing; its size stays 0. */
static void describe_public_key(struct cert_summary *summary, const X509 *cert)
{
    const EVP_PKEY *key = X509_get0_pubkey(cert);
    ASN1_OBJECT *algorithm = NULL;
    char oid_text[64] = "unknown";

    if (key) {
        const char *name = key_type_name(key);
        copy_for_display(summary->key_type, sizeof summary->key_type, name, strlen(name));
        summary->key_bits = EVP_PKEY_get_bits(key);
        return;
    }
    if (X509_PUBKEY_get0_param(&algorithm, NULL, NULL, NULL,
                               X509_get_X509_PUBKEY(cert)) == 1 && algorithm)
        OBJ_obj2txt(oid_text, sizeof oid_text, algorithm, 0);
    copy_for_display(summary->key_type, sizeof summary->key_type, oid_text, strlen(oid_text));
}

/* The outer signatureAlgorithm, named by its long name or, when OpenSSL
 * does not know it, by dotted OID. */
static void describe_signature_algorithm(char *dst, size_t cap, const X509 *cert)
{
    const X509_ALGOR *algorithm = NULL;
    const ASN1_OBJECT *oid = NULL;
    char text[128] = "";

    X509_get0_signature(NULL, &algorithm, cert);
    if (algorithm)
        X509_ALGOR_get0(&oid, NULL, NULL, algorithm);
    if (oid)
        OBJ_obj2txt(text, sizeof text, oid, 0);
    copy_for_display(dst, cap, text, strlen(text));
}

/* Names and key identifiers must match and the certificate's own key must
 * verify its signature: matching names alone would let any certificate with
 * subject == issuer pass as a root. Not X509_check_issued(cert, cert): it
 * also demands keyCertSign, and most self-signed server certificates carry
 * digitalSignature only. */
static bool is_self_signed(X509 *cert)
{
    return X509_self_signed(cert, 1) == 1;
}

static void summarize_certificate(struct cert_summary *summary, X509 *cert)
{
    summary->decoded = true;
    format_name(summary->subject, sizeof summary->subject, X509_get_subject_name(cert));
    format_name(summary->issuer, sizeof summary->issuer, X509_get_issuer_name(cert));
    copy_common_name(summary->subject_cn, sizeof summary->subject_cn, X509_get_subject_name(cert));
    copy_common_name(summary->issuer_cn, sizeof summary->issuer_cn, X509_get_issuer_name(cert));
    format_serial(summary->serial_hex, sizeof summary->serial_hex, cert);
    bool *malformed = &summary->validity_malformed;
    summary->not_before = asn1_time_to_epoch(X509_get0_notBefore(cert), malformed);
    summary->not_after = asn1_time_to_epoch(X509_get0_notAfter(cert), malformed);
    collect_subject_alt_names(summary, cert);
    collect_ocsp_urls(summary, cert);
    collect_crl_urls(summary, cert);
    describe_public_key(summary, cert);
    describe_signature_algorithm(summary->signature_algorithm,
                                 sizeof summary->signature_algorithm, cert);
    summary->is_ca = X509_check_ca(cert) != 0;
    summary->self_signed = is_self_signed(cert);
}

/* ---- the Certificate message ---------------------------------------------- */

static void count_up(uint16_t *counter)
{
    if (*counter < UINT16_MAX)
        (*counter)++;
}

/* Every certificate is decoded, even past X509_MAX_CHAIN, so `undecodable`
 * covers the whole message. A refused certificate keeps its slot so that
 * certs[0] is always the peer's own certificate. */
static void record_certificate(struct cert_chain *out, const uint8_t *der, size_t der_len)
{
    const unsigned char *decoded_up_to = der;
    X509 *cert = d2i_X509(NULL, &decoded_up_to, (long)der_len);
    /* Bytes after the certificate inside cert_data: TLS stacks reject this. */
    bool usable = cert && decoded_up_to == der + der_len;

    if (!usable)
        count_up(&out->undecodable);
    if (out->count < X509_MAX_CHAIN) {
        struct cert_summary *summary = &out->certs[out->count++];
        summary->der_len = der_len;
        EVP_Digest(der, der_len, summary->sha256, NULL, EVP_sha256(), NULL);
        if (usable)
            summarize_certificate(summary, cert);
    }
    count_up(&out->total);
    X509_free(cert);
}

/* TLS 1.3 entry extensions (OCSP staple, SCTs) are not summarized here, but
 * their lengths must agree with the entry they sit in. */
static void check_entry_extensions(struct cursor *list)
{
    struct cursor extensions = cursor_vec16(list);

    while (cursor_ok(&extensions) && !cursor_at_end(&extensions)) {
        cursor_be16(&extensions); /* extension_type */
        cursor_vec16(&extensions); /* extension_data */
    }
    if (cursor_ok(list) && !cursor_ok(&extensions))
        cursor_fail(list, PARSE_INVALID);
}

/* Returns the list cursor's status: TRUNCATED when an entry runs past the
 * end of the bytes the list has. */
static enum parse_status walk_certificate_list(struct cursor *list, bool tls13,
                                               struct cert_chain *out)
{
    while (cursor_ok(list) && !cursor_at_end(list)) {
        struct cursor der = cursor_vec24(list);
        if (!cursor_ok(list))
            break;
        if (cursor_at_end(&der)) /* ASN.1Cert<1..2^24-1> */
            return PARSE_INVALID;
        record_certificate(out, cursor_here(&der), cursor_remaining(&der));
        if (tls13)
            check_entry_extensions(list);
    }
    return list->status;
}

/* Splits off certificate_list. When the message ends before the list does,
 * the capture was cut: the bytes that are there are returned, *cut is set and
 * the message is marked TRUNCATED, so certificates before the cut are still
 * summarized. */
static struct cursor split_certificate_list(struct cursor *message, bool *cut)
{
    uint32_t declared = cursor_be24(message);

    *cut = !cursor_ok(message) || cursor_remaining(message) < declared;
    if (!*cut)
        return cursor_sub(message, declared);
    struct cursor available = cursor_ok(message) ? cursor_rest(message) : cursor_sub(message, 0);
    cursor_fail(message, PARSE_TRUNCATED);
    return available;
}

static enum parse_status walk_certificate_message(struct cursor *message, bool tls13,
                                                  struct cert_chain *out)
{
    if (tls13) {
        /* certificate_request_context only echoes a CertificateRequest;
         * its content says nothing about why a handshake failed. */
        (void)cursor_vec8(message);
        if (!cursor_ok(message))
            return message->status;
    }

    bool cut = false;
    struct cursor list = split_certificate_list(message, &cut);
    enum parse_status status = walk_certificate_list(&list, tls13, out);

    /* An entry overrunning a list that arrived whole contradicts the list's
     * own length; overrunning a list the capture cut is just the cut. */
    if (status == PARSE_TRUNCATED && !cut)
        return PARSE_INVALID;
    if (status != PARSE_OK)
        return status;
    if (cut)
        return PARSE_TRUNCATED;
    return cursor_at_end(message) ? PARSE_OK : PARSE_INVALID; /* bytes after the list */
}

enum parse_status x509_parse_certificate_message(const uint8_t *body, size_t len, bool tls13,
                                                 struct cert_chain *out)
{
    struct cursor message = cursor_make(body, body ? len : 0);

    memset(out, 0, sizeof *out);
    /* libcrypto queues an error for every certificate it refuses; the mark
     * drops ours without touching errors the caller had queued. */
    ERR_set_mark();
    enum parse_status status = walk_certificate_message(&message, tls13, out);
    ERR_pop_to_mark();
    return status;
}

/* ---- the name a client asked for -------------------------------------- */

static size_t without_trailing_dot(const char *name)
{
    size_t n = strlen(name);
    return n > 1 && name[n - 1] == '.' ? n - 1 : n;
}

static bool host_name_byte(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
           ch == '_' || ch >= 0x80;
}

/* Labels all non-empty and of host name bytes; with a wildcard allowed,
 * the first label may be "*" alone. */
static bool well_formed_name(const char *name, size_t len, bool wildcard_allowed)
{
    size_t label = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        bool wildcard = ch == '*' && wildcard_allowed && i == 0 && (len == 1 || name[1] == '.');
        if (!wildcard && !host_name_byte(ch))
            return false;
        label++;
    }
    return label > 0;
}

/* Only ASCII letters fold: a U-label's bytes are compared as they are, so
 * the result never depends on the process's locale. */
static bool equal_ignoring_ascii_case(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

bool x509_dns_name_matches(const char *presented, const char *reference)
{
    if (!presented || !reference)
        return false;
    size_t plen = without_trailing_dot(presented), rlen = without_trailing_dot(reference);
    if (!well_formed_name(reference, rlen, false) || !well_formed_name(presented, plen, true))
        return false;
    if (presented[0] != '*')
        return plen == rlen && equal_ignoring_ascii_case(presented, reference, plen);
    /* "*" alone, or "*.tld": a wildcard that broad is never honoured. */
    const char *suffix = presented + 1;   /* ".example.com" */
    size_t suffix_len = plen - 1;
    if (suffix_len < 2 || !memchr(suffix + 1, '.', suffix_len - 1))
        return false;
    const char *first_dot = memchr(reference, '.', rlen);
    if (!first_dot)
        return false;
    size_t reference_suffix_len = rlen - (size_t)(first_dot - reference);
    return reference_suffix_len == suffix_len && equal_ignoring_ascii_case(first_dot, suffix, suffix_len);
}

/* An IPv4 or IPv6 literal, "[v6]" too, as 4 or 16 bytes. */
static bool parse_ip_literal(const char *text, uint8_t out[16], int *family)
{
    char buf[INET6_ADDRSTRLEN + 2];
    size_t len = strlen(text);
    if (len >= 2 && text[0] == '[' && text[len - 1] == ']')
        text++, len -= 2;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, out) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, buf, out) == 1) {
        *family = AF_INET6;
        return true;
    }
    return false;
}

static enum x509_name_match ip_matches(const struct cert_summary *cert, const uint8_t *want, int family)
{
    for (int i = 0; i < cert->san_count; i++) {
        uint8_t have[16];
        int have_family;
        if ((cert->san_ip & (1u << i)) && parse_ip_literal(cert->san[i], have, &have_family) &&
            have_family == family && !memcmp(have, want, family == AF_INET ? 4 : 16))
            return X509_NAME_MATCH;
    }
    return cert->san_truncated ? X509_NAME_UNKNOWN : X509_NAME_MISMATCH;
}

enum x509_name_match x509_certificate_names_match(const struct cert_summary *cert, const char *reference)
{
    if (!cert || !cert->decoded || !reference || !*reference)
        return X509_NAME_UNKNOWN;
    uint8_t address[16];
    int family;
    if (parse_ip_literal(reference, address, &family))
        return ip_matches(cert, address, family);
    bool any_dns_name = false;
    for (int i = 0; i < cert->san_count; i++) {
        if (cert->san_ip & (1u << i))
            continue;
        any_dns_name = true;
        if (x509_dns_name_matches(cert->san[i], reference))
            return X509_NAME_MATCH;
    }
    if (cert->san_truncated)
        return X509_NAME_UNKNOWN;
    /* The CN is a fallback for certificates from before SANs, and only for them. */
    if (any_dns_name)
        return X509_NAME_MISMATCH;
    return x509_dns_name_matches(cert->subject_cn, reference) ? X509_NAME_MATCH : X509_NAME_MISMATCH;
}

void x509_format_time(int64_t t, char *buf, size_t buflen)
{
    struct tm fields;
    time_t when = (time_t)t;

    if (!buf || buflen == 0)
        return;
    buf[0] = '\0';
    if ((int64_t)when != t || !gmtime_r(&when, &fields))
        return;
    if (strftime(buf, buflen, "%Y-%m-%dT%H:%M:%SZ", &fields) == 0)
        buf[0] = '\0';
}
