/* Unit tests for dissect/tls/x509.c.
 *
 * Every certificate is made here with libcrypto (EC P-256 keys for speed, one
 * RSA and one Ed25519 key for the key-type paths) and wrapped in Certificate
 * message bytes built here, so the expectations are exact and no fixture file
 * can drift from the code.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "x509.h"

#define OCSP_URL "http://commercial.ocsp.identrust.com/"
#define CRL_URL "http://validation.identrust.com/crl/x.crl"

#define NOT_BEFORE 1700000000  /* 2023-11-14T22:13:20Z */
#define NOT_AFTER 1900000000   /* 2030-03-17T17:46:40Z */
#define ROOT_NOT_AFTER 2600000000LL /* 2052: encoded as GeneralizedTime */
#define EXPIRED_NOT_AFTER 1500000000 /* 2017-07-14T02:40:00Z */

/* ---- byte buffers for Certificate messages -------------------------------- */

struct buffer {
    uint8_t *data;
    size_t len;
    size_t cap;
};

static void buffer_put(struct buffer *b, const void *bytes, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->data = realloc(b->data, b->cap);
        assert_non_null(b->data);
    }
    if (n)
        memcpy(b->data + b->len, bytes, n);
    b->len += n;
}

static void buffer_put_be(struct buffer *b, uint32_t value, int width)
{
    for (int shift = (width - 1) * 8; shift >= 0; shift -= 8) {
        uint8_t byte = (uint8_t)(value >> shift);
        buffer_put(b, &byte, 1);
    }
}

/* Reserves a length prefix; buffer_close_vector fills it in. */
static size_t buffer_open_vector(struct buffer *b, int width)
{
    size_t at = b->len;
    buffer_put_be(b, 0, width);
    return at;
}

static void buffer_close_vector(struct buffer *b, size_t at, int width)
{
    size_t body = b->len - at - (size_t)width;
    for (int i = 0; i < width; i++)
        b->data[at + (size_t)i] = (uint8_t)(body >> (8 * (width - 1 - i)));
}

static void buffer_put_der(struct buffer *b, X509 *cert)
{
    unsigned char *der = NULL;
    int n = i2d_X509(cert, &der);
    assert_true(n > 0);
    buffer_put(b, der, (size_t)n);
    OPENSSL_free(der);
}

/* Where each certificate's DER ends in a message, to know what a cut keeps. */
struct entry_ends {
    size_t der_end[16];
    size_t count;
};

static struct buffer tls12_message(X509 *const *certs, size_t n, struct entry_ends *ends)
{
    struct buffer msg = { 0 };
    size_t list = buffer_open_vector(&msg, 3);
    for (size_t i = 0; i < n; i++) {
        size_t entry = buffer_open_vector(&msg, 3);
        buffer_put_der(&msg, certs[i]);
        buffer_close_vector(&msg, entry, 3);
        if (ends)
            ends->der_end[ends->count++] = msg.len;
    }
    buffer_close_vector(&msg, list, 3);
    return msg;
}

/* Each entry carries a status_request extension (an OCSP staple stand-in)
 * and an empty signed_certificate_timestamp one. */
static struct buffer tls13_message(X509 *const *certs, size_t n, struct entry_ends *ends)
{
    static const uint8_t context[] = { 0xC0, 0xFF, 0xEE };
    static const uint8_t staple[] = { 0x01, 0x00, 0x00, 0x03, 0x30, 0x01, 0x00 };
    struct buffer msg = { 0 };

    buffer_put_be(&msg, sizeof context, 1);
    buffer_put(&msg, context, sizeof context);
    size_t list = buffer_open_vector(&msg, 3);
    for (size_t i = 0; i < n; i++) {
        size_t entry = buffer_open_vector(&msg, 3);
        buffer_put_der(&msg, certs[i]);
        buffer_close_vector(&msg, entry, 3);
        if (ends)
            ends->der_end[ends->count++] = msg.len;
        size_t extensions = buffer_open_vector(&msg, 2);
        buffer_put_be(&msg, 5, 2); /* status_request */
        buffer_put_be(&msg, sizeof staple, 2);
        buffer_put(&msg, staple, sizeof staple);
        buffer_put_be(&msg, 18, 2); /* signed_certificate_timestamp */
        buffer_put_be(&msg, 0, 2);
        buffer_close_vector(&msg, extensions, 2);
    }
    buffer_close_vector(&msg, list, 3);
    return msg;
}

/* ---- certificates --------------------------------------------------------- */

struct cert_template {
    const char *common_name;
    long serial;
    int64_t not_before;
    int64_t not_after;
    const char *subject_alt_names;      /* X509v3 config syntax, or NULL */
    const char *authority_info_access;
    const char *crl_distribution_points;
    const char *basic_constraints;
    const char *key_usage;
};

static void add_extension(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    if (!value)
        return;
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(cert, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

static void add_name_entry(X509_NAME *name, const char *field, const char *utf8_value)
{
    const unsigned char *value = (const unsigned char *)utf8_value;
    assert_int_equal(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, value, -1, -1, 0), 1);
}

static X509_NAME *make_name(const char *common_name)
{
    X509_NAME *name = X509_NAME_new();
    assert_non_null(name);
    add_name_entry(name, "C", "US");
    add_name_entry(name, "O", "tlsdiag test");
    add_name_entry(name, "CN", common_name);
    return name;
}

/* Unsigned certificate with names, validity and extensions from t. issuer
 * NULL makes it self-issued (issuer name = subject name). */
static X509 *build_certificate(const struct cert_template *t, X509_NAME *subject,
                               EVP_PKEY *subject_key, X509 *issuer)
{
    X509 *cert = X509_new();
    assert_non_null(cert);
    assert_int_equal(X509_set_version(cert, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(cert), t->serial), 1);
    assert_int_equal(X509_set_subject_name(cert, subject), 1);
    X509_NAME *issuer_name = issuer ? X509_get_subject_name(issuer) : subject;
    assert_int_equal(X509_set_issuer_name(cert, issuer_name), 1);
    assert_non_null(ASN1_TIME_set(X509_getm_notBefore(cert), (time_t)t->not_before));
    assert_non_null(ASN1_TIME_set(X509_getm_notAfter(cert), (time_t)t->not_after));
    assert_int_equal(X509_set_pubkey(cert, subject_key), 1);

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
    add_extension(cert, &ctx, NID_subject_key_identifier, "hash");
    add_extension(cert, &ctx, NID_authority_key_identifier, "keyid:always");
    add_extension(cert, &ctx, NID_basic_constraints, t->basic_constraints);
    add_extension(cert, &ctx, NID_key_usage, t->key_usage);
    add_extension(cert, &ctx, NID_subject_alt_name, t->subject_alt_names);
    add_extension(cert, &ctx, NID_info_access, t->authority_info_access);
    add_extension(cert, &ctx, NID_crl_distribution_points, t->crl_distribution_points);
    return cert;
}

static void sign_certificate(X509 *cert, EVP_PKEY *signer)
{
    /* Ed25519 signs the message itself: no separate digest. */
    const EVP_MD *digest = EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519 ? NULL : EVP_sha256();
    assert_true(X509_sign(cert, signer, digest) > 0);
}

static X509 *issue(const struct cert_template *t, EVP_PKEY *subject_key, X509 *issuer,
                   EVP_PKEY *issuer_key)
{
    X509_NAME *subject = make_name(t->common_name);
    X509 *cert = build_certificate(t, subject, subject_key, issuer);
    X509_NAME_free(subject);
    sign_certificate(cert, issuer_key);
    return cert;
}

static EVP_PKEY *ec_key(void)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(key);
    return key;
}

static const struct cert_template leaf_template = {
    .common_name = "leaf.example.com",
    .serial = 0x1234ABCD,
    .not_before = NOT_BEFORE,
    .not_after = NOT_AFTER,
    .subject_alt_names = "DNS:leaf.example.com,DNS:*.example.com,email:ops@example.com,"
                         "IP:192.0.2.10,IP:2001:db8::1",
    .authority_info_access = "caIssuers;URI:http://example.com/ca.crt,OCSP;URI:" OCSP_URL,
    .crl_distribution_points = "URI:" CRL_URL,
    .basic_constraints = "critical,CA:FALSE",
    .key_usage = "critical,digitalSignature",
};

/* ---- shared fixture: a root / intermediate / leaf chain -------------------- */

struct fixture {
    EVP_PKEY *root_key;     /* RSA 1024: 2048-bit keygen alone can take 1 s */
    EVP_PKEY *intermediate_key;
    EVP_PKEY *leaf_key;
    EVP_PKEY *small_key;    /* Ed25519 */
    X509 *root;
    X509 *intermediate;
    X509 *leaf;
    X509 *small;            /* self-signed Ed25519, few extensions: cheap to decode */
    struct cert_chain *chain; /* 75 KiB: kept off the stack */
};

static int setup_chain(void **state)
{
    static const struct cert_template root_template = {
        .common_name = "tlsdiag Test Root", .serial = 1,
        .not_before = NOT_BEFORE, .not_after = ROOT_NOT_AFTER,
        .basic_constraints = "critical,CA:TRUE", .key_usage = "critical,keyCertSign,cRLSign",
    };
    static const struct cert_template intermediate_template = {
        .common_name = "tlsdiag Test Intermediate", .serial = 2,
        .not_before = NOT_BEFORE, .not_after = NOT_AFTER,
        .authority_info_access = "OCSP;URI:http://ocsp.example.com/root",
        .crl_distribution_points = "URI:http://crl.example.com/root.crl",
        .basic_constraints = "critical,CA:TRUE,pathlen:0",
        .key_usage = "critical,keyCertSign,cRLSign",
    };
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    static const struct cert_template small_template = {
        .common_name = "small", .serial = 3, .not_before = NOT_BEFORE, .not_after = NOT_AFTER,
        .basic_constraints = "critical,CA:FALSE", .key_usage = "critical,digitalSignature",
    };
    f->root_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    assert_non_null(f->root_key);
    f->intermediate_key = ec_key();
    f->leaf_key = ec_key();
    f->root = issue(&root_template, f->root_key, NULL, f->root_key);
    f->intermediate = issue(&intermediate_template, f->intermediate_key, f->root, f->root_key);
    f->leaf = issue(&leaf_template, f->leaf_key, f->intermediate, f->intermediate_key);
    f->small_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_non_null(f->small_key);
    f->small = issue(&small_template, f->small_key, NULL, f->small_key);
    f->chain = calloc(1, sizeof *f->chain);
    assert_non_null(f->chain);
    *state = f;
    return 0;
}

static int teardown_chain(void **state)
{
    struct fixture *f = *state;
    X509_free(f->root);
    X509_free(f->intermediate);
    X509_free(f->leaf);
    X509_free(f->small);
    EVP_PKEY_free(f->small_key);
    EVP_PKEY_free(f->root_key);
    EVP_PKEY_free(f->intermediate_key);
    EVP_PKEY_free(f->leaf_key);
    free(f->chain);
    free(f);
    return 0;
}

static enum parse_status parse(const struct buffer *msg, bool tls13, struct cert_chain *out)
{
    return x509_parse_certificate_message(msg->data, msg->len, tls13, out);
}

static void assert_sha256_of_der(const struct cert_summary *s, X509 *cert)
{
    uint8_t expected[32];
    unsigned int n = 0;
    assert_int_equal(X509_digest(cert, EVP_sha256(), expected, &n), 1);
    assert_int_equal(n, 32);
    assert_memory_equal(s->sha256, expected, 32);
    assert_int_equal(s->der_len, (size_t)i2d_X509(cert, NULL));
}

/* ---- the chain, field by field --------------------------------------------- */

static void assert_leaf_fields(const struct cert_summary *s, X509 *leaf)
{
    assert_true(s->decoded);
    assert_string_equal(s->subject, "CN=leaf.example.com,O=tlsdiag test,C=US");
    assert_string_equal(s->issuer, "CN=tlsdiag Test Intermediate,O=tlsdiag test,C=US");
    assert_string_equal(s->subject_cn, "leaf.example.com");
    assert_string_equal(s->issuer_cn, "tlsdiag Test Intermediate");
    assert_string_equal(s->serial_hex, "1234ABCD");
    assert_int_equal(s->not_before, NOT_BEFORE);
    assert_int_equal(s->not_after, NOT_AFTER);
    assert_false(s->validity_malformed);
    assert_int_equal(s->san_count, 4); /* the email SAN is not kept */
    assert_false(s->san_truncated);
    assert_string_equal(s->san[0], "leaf.example.com");
    assert_string_equal(s->san[1], "*.example.com");
    assert_string_equal(s->san[2], "192.0.2.10");
    assert_string_equal(s->san[3], "2001:db8::1");
    assert_int_equal(s->ocsp_count, 1); /* caIssuers is not an OCSP URL */
    assert_string_equal(s->ocsp_urls[0], OCSP_URL);
    assert_int_equal(s->crl_count, 1);
    assert_string_equal(s->crl_urls[0], CRL_URL);
    assert_string_equal(s->key_type, "EC");
    assert_int_equal(s->key_bits, 256);
    assert_string_equal(s->signature_algorithm, "ecdsa-with-SHA256");
    assert_false(s->is_ca);
    assert_false(s->self_signed);
    assert_sha256_of_der(s, leaf);
}

static void test_chain_all_fields(void **state)
{
    struct fixture *f = *state;
    X509 *certs[] = { f->leaf, f->intermediate, f->root };
    struct buffer msg = tls12_message(certs, 3, NULL);
    struct cert_chain *chain = f->chain;

    assert_int_equal(parse(&msg, false, chain), PARSE_OK);
    assert_int_equal(chain->count, 3);
    assert_int_equal(chain->total, 3);
    assert_int_equal(chain->undecodable, 0);
    assert_leaf_fields(&chain->certs[0], f->leaf);

    const struct cert_summary *mid = &chain->certs[1];
    assert_string_equal(mid->subject_cn, "tlsdiag Test Intermediate");
    assert_string_equal(mid->issuer_cn, "tlsdiag Test Root");
    assert_string_equal(mid->ocsp_urls[0], "http://ocsp.example.com/root");
    assert_string_equal(mid->crl_urls[0], "http://crl.example.com/root.crl");
    assert_int_equal(mid->san_count, 0);
    assert_string_equal(mid->signature_algorithm, "sha256WithRSAEncryption");
    assert_true(mid->is_ca);
    assert_false(mid->self_signed);
    assert_sha256_of_der(mid, f->intermediate);

    const struct cert_summary *root = &chain->certs[2];
    assert_string_equal(root->subject, "CN=tlsdiag Test Root,O=tlsdiag test,C=US");
    assert_string_equal(root->subject, root->issuer);
    assert_string_equal(root->serial_hex, "01");
    assert_int_equal(root->not_before, NOT_BEFORE);
    assert_int_equal(root->not_after, ROOT_NOT_AFTER);
    assert_string_equal(root->key_type, "RSA");
    assert_int_equal(root->key_bits, 1024);
    assert_int_equal(root->ocsp_count, 0);
    assert_int_equal(root->crl_count, 0);
    assert_true(root->is_ca);
    assert_true(root->self_signed);
    free(msg.data);
}

static void test_expired_certificate(void **state)
{
    struct fixture *f = *state;
    struct cert_template expired = leaf_template;
    expired.not_before = EXPIRED_NOT_AFTER - 90 * 86400;
    expired.not_after = EXPIRED_NOT_AFTER;
    X509 *cert = issue(&expired, f->leaf_key, f->intermediate, f->intermediate_key);
    struct buffer msg = tls12_message(&cert, 1, NULL);
    char when[32];

    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    assert_int_equal(f->chain->certs[0].not_after, EXPIRED_NOT_AFTER);
    assert_true(f->chain->certs[0].not_after < (int64_t)time(NULL));
    x509_format_time(f->chain->certs[0].not_after, when, sizeof when);
    assert_string_equal(when, "2017-07-14T02:40:00Z");
    X509_free(cert);
    free(msg.data);
}

/* A certificate named like a root but signed by another key is not
 * self-signed: the names and key identifiers match, the signature does not. */
static void test_self_issued_but_foreign_signature(void **state)
{
    struct fixture *f = *state;
    struct cert_template impostor = leaf_template;
    X509_NAME *subject = make_name("Impostor Root");
    X509 *cert = build_certificate(&impostor, subject, f->leaf_key, NULL);
    X509_NAME_free(subject);
    sign_certificate(cert, f->intermediate_key);
    struct buffer msg = tls12_message(&cert, 1, NULL);

    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    assert_string_equal(f->chain->certs[0].subject, f->chain->certs[0].issuer);
    assert_false(f->chain->certs[0].self_signed);
    X509_free(cert);
    free(msg.data);
}

static void test_ed25519_key(void **state)
{
    struct fixture *f = *state;
    struct buffer msg = tls12_message(&f->small, 1, NULL);

    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    assert_string_equal(f->chain->certs[0].key_type, "Ed25519");
    assert_int_equal(f->chain->certs[0].key_bits, 256); /* OpenSSL 3 reports 256 */
    assert_string_equal(f->chain->certs[0].signature_algorithm, "ED25519");
    /* Self-signed with keyUsage digitalSignature only, as most self-signed
     * server certificates are. */
    assert_true(f->chain->certs[0].self_signed);
    assert_false(f->chain->certs[0].is_ca);
    free(msg.data);
}

/* libcrypto decodes a certificate whose notAfter is not a time at all; the
 * summary must say so rather than report it expired in 1970. */
static void test_malformed_validity(void **state)
{
    struct fixture *f = *state;
    struct buffer msg = tls12_message(&f->small, 1, NULL);
    uint8_t *not_after = memmem(msg.data, msg.len, "300317174640Z", 13);
    assert_non_null(not_after);
    memcpy(not_after, "30031717464XZ", 13);

    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    assert_true(f->chain->certs[0].decoded);
    assert_true(f->chain->certs[0].validity_malformed);
    assert_int_equal(f->chain->certs[0].not_before, NOT_BEFORE);
    assert_int_equal(f->chain->certs[0].not_after, 0);
    assert_false(f->chain->certs[0].self_signed); /* the signature no longer matches */
    free(msg.data);
}

/* ---- message framing -------------------------------------------------------- */

static void test_tls13_entries_with_extensions(void **state)
{
    struct fixture *f = *state;
    X509 *certs[] = { f->leaf, f->intermediate };
    struct buffer msg = tls13_message(certs, 2, NULL);

    assert_int_equal(parse(&msg, true, f->chain), PARSE_OK);
    assert_int_equal(f->chain->count, 2);
    assert_int_equal(f->chain->total, 2);
    assert_leaf_fields(&f->chain->certs[0], f->leaf);
    assert_string_equal(f->chain->certs[1].subject_cn, "tlsdiag Test Intermediate");

    /* The same bytes read as TLS 1.2 start with a 1-byte context length:
     * the framing cannot line up. */
    assert_int_not_equal(parse(&msg, false, f->chain), PARSE_OK);
    free(msg.data);
}

static void test_tls13_extension_overrun_is_invalid(void **state)
{
    struct fixture *f = *state;
    struct buffer msg = tls13_message(&f->leaf, 1, NULL);
    /* The last extension is signed_certificate_timestamp with 0 bytes of
     * data; claim 1 byte instead, which the extensions block does not have. */
    msg.data[msg.len - 1] = 1;

    assert_int_equal(parse(&msg, true, f->chain), PARSE_INVALID);
    assert_int_equal(f->chain->count, 1); /* the DER before it was read */
    free(msg.data);
}

static void test_empty_list(void **state)
{
    struct fixture *f = *state;
    static const uint8_t tls12[] = { 0x00, 0x00, 0x00 };
    static const uint8_t tls13[] = { 0x00, 0x00, 0x00, 0x00 };

    struct cert_chain *chain = f->chain;

    assert_int_equal(x509_parse_certificate_message(tls12, sizeof tls12, false, chain), PARSE_OK);
    assert_int_equal(f->chain->count, 0);
    assert_int_equal(f->chain->total, 0);
    assert_int_equal(x509_parse_certificate_message(tls13, sizeof tls13, true, chain), PARSE_OK);
    assert_int_equal(f->chain->count, 0);
    assert_int_equal(x509_parse_certificate_message(NULL, 0, false, f->chain), PARSE_TRUNCATED);
}

static void put_entry(struct buffer *msg, const void *der, size_t n)
{
    buffer_put_be(msg, (uint32_t)n, 3);
    buffer_put(msg, der, n);
}

/* Refused DER keeps its slot (so certs[2] is still the third certificate)
 * and is counted; parsing goes on. */
static void test_garbage_der(void **state)
{
    struct fixture *f = *state;
    static const uint8_t garbage[] = { 0x30, 0x82, 0xFF, 0xFF, 'n', 'o', 'p', 'e' };
    unsigned char *leaf_der = NULL;
    int leaf_len = i2d_X509(f->leaf, &leaf_der);
    struct buffer msg = { 0 };
    size_t list = buffer_open_vector(&msg, 3);
    put_entry(&msg, garbage, sizeof garbage);
    /* A good certificate with a stray byte after it inside cert_data. */
    buffer_put_be(&msg, (uint32_t)leaf_len + 1, 3);
    buffer_put(&msg, leaf_der, (size_t)leaf_len);
    buffer_put_be(&msg, 0, 1);
    put_entry(&msg, leaf_der, (size_t)leaf_len);
    buffer_close_vector(&msg, list, 3);

    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    assert_int_equal(ERR_peek_error(), 0); /* libcrypto's complaints not left queued */
    assert_int_equal(f->chain->count, 3);
    assert_int_equal(f->chain->total, 3);
    assert_int_equal(f->chain->undecodable, 2);
    const struct cert_summary *refused = &f->chain->certs[0];
    uint8_t expected[32];
    assert_int_equal(EVP_Digest(garbage, sizeof garbage, expected, NULL, EVP_sha256(), NULL), 1);
    assert_false(refused->decoded);
    assert_int_equal(refused->der_len, sizeof garbage);
    assert_memory_equal(refused->sha256, expected, 32);
    assert_string_equal(refused->subject, "");
    assert_false(f->chain->certs[1].decoded);
    assert_int_equal(f->chain->certs[1].der_len, (size_t)leaf_len + 1);
    assert_true(f->chain->certs[2].decoded);
    assert_string_equal(f->chain->certs[2].subject_cn, "leaf.example.com");
    OPENSSL_free(leaf_der);
    free(msg.data);
}

static void test_inconsistent_lengths_are_invalid(void **state)
{
    struct fixture *f = *state;
    /* list of 13 bytes whose one entry claims 20; the message has 30 more,
     * so this is a contradiction, not a cut. */
    uint8_t inner_past_outer[3 + 13 + 30] = { 0x00, 0x00, 13, 0x00, 0x00, 20 };
    static const uint8_t empty_cert_data[] = { 0x00, 0x00, 0x03, 0x00, 0x00, 0x00 };
    static const uint8_t after_list[] = { 0x00, 0x00, 0x00, 0xAA };
    struct buffer good = tls12_message(&f->leaf, 1, NULL);
    struct buffer overrun_after_good = tls12_message(&f->leaf, 1, NULL);

    assert_int_equal(x509_parse_certificate_message(inner_past_outer, sizeof inner_past_outer,
                                                    false, f->chain), PARSE_INVALID);
    assert_int_equal(f->chain->total, 0);
    assert_int_equal(x509_parse_certificate_message(empty_cert_data, sizeof empty_cert_data,
                                                    false, f->chain), PARSE_INVALID);
    assert_int_equal(x509_parse_certificate_message(after_list, sizeof after_list, false,
                                                    f->chain), PARSE_INVALID);

    /* A good certificate, then an entry claiming 9 bytes where the list has
     * 1 left and the message 8 more after the list: what was read is kept. */
    static const uint8_t overrun_entry[] = { 0x00, 0x00, 0x09, 0xAB };
    buffer_put(&overrun_after_good, overrun_entry, sizeof overrun_entry);
    buffer_close_vector(&overrun_after_good, 0, 3);
    buffer_put(&overrun_after_good, "12345678", 8);
    assert_int_equal(parse(&overrun_after_good, false, f->chain), PARSE_INVALID);
    assert_int_equal(f->chain->count, 1);
    assert_string_equal(f->chain->certs[0].subject_cn, "leaf.example.com");

    assert_int_equal(parse(&good, false, f->chain), PARSE_OK);
    free(good.data);
    free(overrun_after_good.data);
}

/* Every prefix of a valid message is a capture cut short: always TRUNCATED,
 * with exactly the certificates whose DER is whole. Each prefix is copied
 * to a buffer of its own size so ASan sees any read past it. */
static void check_every_cut(const struct buffer *msg, const struct entry_ends *ends, bool tls13,
                            struct cert_chain *chain)
{
    for (size_t cut = 0; cut < msg->len; cut++) {
        uint8_t *prefix = malloc(cut ? cut : 1);
        assert_non_null(prefix);
        memcpy(prefix, msg->data, cut);
        size_t whole = 0;
        while (whole < ends->count && ends->der_end[whole] <= cut)
            whole++;

        assert_int_equal(x509_parse_certificate_message(prefix, cut, tls13, chain),
                         PARSE_TRUNCATED);
        assert_int_equal(chain->count, whole);
        assert_int_equal(chain->undecodable, 0);
        free(prefix);
    }
}

static void test_cut_at_every_offset(void **state)
{
    struct fixture *f = *state;
    /* Only prefixes holding a whole DER cost a decode; the small certificate
     * last keeps those few, so the test stays fast. */
    X509 *certs[] = { f->leaf, f->small };
    struct entry_ends tls12_ends = { .count = 0 }, tls13_ends = { .count = 0 };
    struct buffer tls12 = tls12_message(certs, 2, &tls12_ends);
    struct buffer tls13 = tls13_message(certs, 2, &tls13_ends);

    check_every_cut(&tls12, &tls12_ends, false, f->chain);
    check_every_cut(&tls13, &tls13_ends, true, f->chain);
    free(tls12.data);
    free(tls13.data);
}

static void test_more_than_max_chain(void **state)
{
    struct fixture *f = *state;
    enum { SENT = X509_MAX_CHAIN + 3 };
    X509 *certs[SENT];
    for (size_t i = 0; i < SENT; i++)
        certs[i] = i == SENT - 1 ? f->root : f->leaf;
    struct buffer msg = tls12_message(certs, SENT, NULL);

    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    assert_int_equal(f->chain->count, X509_MAX_CHAIN);
    assert_int_equal(f->chain->total, SENT);
    assert_int_equal(f->chain->undecodable, 0);
    free(msg.data);
}

/* ---- hostile and oversized strings ------------------------------------------ */

static bool has_control_bytes(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F)
            return true;
    return false;
}

static void test_very_long_subject(void **state)
{
    struct fixture *f = *state;
    struct cert_template t = leaf_template;
    X509_NAME *subject = make_name("long.example.com");
    char unit[61];
    memset(unit, 'u', 60);
    unit[60] = '\0';
    for (int i = 0; i < 8; i++)
        add_name_entry(subject, "OU", unit);
    X509 *cert = build_certificate(&t, subject, f->leaf_key, f->intermediate);
    X509_NAME_free(subject);
    sign_certificate(cert, f->intermediate_key);
    struct buffer msg = tls12_message(&cert, 1, NULL);

    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    const struct cert_summary *s = &f->chain->certs[0];
    assert_int_equal(strlen(s->subject), X509_TEXT_MAX - 1);
    assert_memory_equal(s->subject, "OU=uuuu", 7); /* RFC 2253: last RDN first */
    assert_string_equal(s->subject_cn, "long.example.com");
    X509_free(cert);
    free(msg.data);
}

/* SANs made by hand: the config syntax cannot express NUL or raw bytes. */
static GENERAL_NAMES *dns_names(const char *const *names, const size_t *lengths, size_t n)
{
    GENERAL_NAMES *list = sk_GENERAL_NAME_new_null();
    assert_non_null(list);
    for (size_t i = 0; i < n; i++) {
        ASN1_IA5STRING *text = ASN1_IA5STRING_new();
        GENERAL_NAME *entry = GENERAL_NAME_new();
        assert_non_null(text);
        assert_non_null(entry);
        assert_int_equal(ASN1_STRING_set(text, names[i], (int)lengths[i]), 1);
        GENERAL_NAME_set0_value(entry, GEN_DNS, text);
        assert_true(sk_GENERAL_NAME_push(list, entry) > 0);
    }
    return list;
}

static void test_hostile_strings(void **state)
{
    struct fixture *f = *state;
    struct cert_template t = leaf_template;
    t.subject_alt_names = NULL;
    /* 64 x U+1F600: 256 bytes of UTF-8, one character too many to fit. */
    char emoji_cn[64 * 4 + 1];
    for (int i = 0; i < 64; i++)
        memcpy(emoji_cn + 4 * i, "\xF0\x9F\x98\x80", 4);
    emoji_cn[256] = '\0';
    X509_NAME *subject = make_name(emoji_cn);
    add_name_entry(subject, "OU", "tab\there\x1b[31m");
    X509 *cert = build_certificate(&t, subject, f->leaf_key, f->intermediate);
    X509_NAME_free(subject);

    const char *const names[] = { "www.bank.com\0.evil.com", "abc\xE2\x80\xAEmoc.evil",
                                  "\xFF\xC0\xAFx", "bell\a" };
    const size_t lengths[] = { 22, 14, 4, 5 };
    GENERAL_NAMES *sans = dns_names(names, lengths, 4);
    assert_int_equal(X509_add1_ext_i2d(cert, NID_subject_alt_name, sans, 0, X509V3_ADD_DEFAULT), 1);
    GENERAL_NAMES_free(sans);
    sign_certificate(cert, f->intermediate_key);
    struct buffer msg = tls12_message(&cert, 1, NULL);

    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    const struct cert_summary *s = &f->chain->certs[0];
    assert_int_equal(strlen(s->subject_cn), 63 * 4); /* whole characters only */
    assert_memory_equal(s->subject_cn, emoji_cn, 63 * 4);
    assert_false(has_control_bytes(s->subject));
    assert_int_equal(s->san_count, 4);
    assert_string_equal(s->san[0], "www.bank.com?.evil.com");
    assert_string_equal(s->san[1], "abc?moc.evil");
    assert_string_equal(s->san[2], "???x");
    assert_string_equal(s->san[3], "bell?");
    X509_free(cert);
    free(msg.data);
}

static void test_too_many_sans(void **state)
{
    struct fixture *f = *state;
    struct cert_template t = leaf_template;
    char sans[X509_MAX_NAMES * 2 * 24] = "";
    for (int i = 0; i < X509_MAX_NAMES + 2; i++) {
        char one[24];
        snprintf(one, sizeof one, "%sDNS:h%d.example.com", i ? "," : "", i);
        strcat(sans, one);
    }
    t.subject_alt_names = sans;
    X509 *cert = issue(&t, f->leaf_key, f->intermediate, f->intermediate_key);
    struct buffer msg = tls12_message(&cert, 1, NULL);

    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    assert_int_equal(f->chain->certs[0].san_count, X509_MAX_NAMES);
    assert_true(f->chain->certs[0].san_truncated);
    assert_string_equal(f->chain->certs[0].san[X509_MAX_NAMES - 1], "h15.example.com");
    X509_free(cert);
    free(msg.data);
}

/* ---- the name a client asked for ---------------------------------------- */

static void test_dns_name_matching(void **state)
{
    (void)state;
    static const struct {
        const char *presented, *reference;
        bool matches;
    } cases[] = {
        { "leaf.example.com", "leaf.example.com", true },
        { "Leaf.EXAMPLE.com", "lEAF.example.COM", true },        /* ASCII case-insensitive */
        { "example.com", "example.com.", true },                 /* one trailing dot ignored */
        { "example.com.", "example.com", true },
        { "example.com..", "example.com", false },
        { "example.com", "example.com..", false },
        { "example.com", "www.example.com", false },
        { "www.example.com", "example.com", false },
        { "*.example.com", "a.example.com", true },
        { "*.example.com", "A.EXAMPLE.COM.", true },
        { "*.Example.com.", "a.example.com", true },
        { "*.example.com", "a.b.example.com", false },           /* one label only */
        { "*.example.com", "example.com", false },
        { "*.example.com", ".example.com", false },
        { "*.example.com", "a.example.org", false },
        { "*.example.com", "*.example.com", false },             /* the reference is a name, not a pattern */
        { "f*.example.com", "foo.example.com", false },          /* partial wildcards: never */
        { "*oo.example.com", "foo.example.com", false },
        { "a.*.example.com", "a.b.example.com", false },
        { "**.example.com", "a.example.com", false },
        { "*", "example", false },
        { "*.", "example", false },
        { "*.com", "example.com", false },                       /* too broad */
        { "*.xn--bcher-kva.example", "shop.xn--bcher-kva.example", true },
        { "xn--bcher-kva.example", "XN--BCHER-KVA.example", true }, /* A-labels compare as ASCII */
        { "b\xc3\xbc" "cher.example", "b\xc3\xbc" "cher.example", true },   /* other bytes as they are */
        { "b\xc3\xbc" "cher.example", "xn--bcher-kva.example", false },   /* no IDNA conversion */
        { "B\xc3\x9c" "CHER.example", "b\xc3\xbc" "cher.example", false },  /* only ASCII folds */
        { "a?b.example.com", "a?b.example.com", false },         /* a byte the display copy replaced */
        { "exa mple.com", "exa mple.com", false },
        { "a..example.com", "a..example.com", false },
        { ".example.com", ".example.com", false },
        { "", "example.com", false },
        { "example.com", "", false },
        { "example.com", ".", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool got = x509_dns_name_matches(cases[i].presented, cases[i].reference);
        if (got != cases[i].matches)
            fail_msg("'%s' against '%s': %d, expected %d", cases[i].presented, cases[i].reference, got,
                     cases[i].matches);
    }
    assert_false(x509_dns_name_matches(NULL, "example.com"));
    assert_false(x509_dns_name_matches("example.com", NULL));
}

static void test_certificate_names_match_sans(void **state)
{
    struct fixture *f = *state;
    struct buffer msg = tls12_message(&f->leaf, 1, NULL);
    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    const struct cert_summary *leaf = &f->chain->certs[0];
    assert_int_equal(leaf->san_ip, 0x0C); /* san[2] and san[3] */
    assert_int_equal(x509_certificate_names_match(leaf, "leaf.example.com"), X509_NAME_MATCH);
    assert_int_equal(x509_certificate_names_match(leaf, "LEAF.example.com."), X509_NAME_MATCH);
    assert_int_equal(x509_certificate_names_match(leaf, "www.example.com"), X509_NAME_MATCH);
    assert_int_equal(x509_certificate_names_match(leaf, "a.b.example.com"), X509_NAME_MISMATCH);
    assert_int_equal(x509_certificate_names_match(leaf, "example.com"), X509_NAME_MISMATCH);
    assert_int_equal(x509_certificate_names_match(leaf, "192.0.2.10"), X509_NAME_MATCH);
    assert_int_equal(x509_certificate_names_match(leaf, "192.0.2.11"), X509_NAME_MISMATCH);
    assert_int_equal(x509_certificate_names_match(leaf, "[2001:db8::1]"), X509_NAME_MATCH);
    assert_int_equal(x509_certificate_names_match(leaf, "2001:db8:0:0::1"), X509_NAME_MATCH);
    assert_int_equal(x509_certificate_names_match(leaf, "2001:db8::2"), X509_NAME_MISMATCH);
    assert_int_equal(x509_certificate_names_match(leaf, ""), X509_NAME_UNKNOWN);
    assert_int_equal(x509_certificate_names_match(leaf, NULL), X509_NAME_UNKNOWN);
    free(msg.data);
}

/* The CN counts only for a certificate without DNS names among its SANs;
 * an IP address literal is never checked against it. */
static void test_certificate_common_name_only_without_dns_sans(void **state)
{
    struct fixture *f = *state;
    struct cert_template t = leaf_template;
    t.common_name = "legacy.example.com";
    t.subject_alt_names = NULL;
    X509 *cn_only = issue(&t, f->leaf_key, f->intermediate, f->intermediate_key);
    t.subject_alt_names = "IP:192.0.2.10";
    X509 *ip_only = issue(&t, f->leaf_key, f->intermediate, f->intermediate_key);
    t.subject_alt_names = "DNS:other.example.com";
    X509 *with_dns = issue(&t, f->leaf_key, f->intermediate, f->intermediate_key);
    X509 *certs[] = { cn_only, ip_only, with_dns };
    struct buffer msg = tls12_message(certs, 3, NULL);
    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    const struct cert_summary *c = f->chain->certs;
    assert_int_equal(x509_certificate_names_match(&c[0], "legacy.example.com"), X509_NAME_MATCH);
    assert_int_equal(x509_certificate_names_match(&c[0], "other.example.com"), X509_NAME_MISMATCH);
    assert_int_equal(x509_certificate_names_match(&c[1], "legacy.example.com"), X509_NAME_MATCH);
    assert_int_equal(x509_certificate_names_match(&c[1], "192.0.2.10"), X509_NAME_MATCH);
    assert_int_equal(x509_certificate_names_match(&c[2], "legacy.example.com"), X509_NAME_MISMATCH);
    assert_int_equal(x509_certificate_names_match(&c[2], "other.example.com"), X509_NAME_MATCH);
    for (size_t i = 0; i < 3; i++)
        X509_free(certs[i]);
    free(msg.data);
}

/* Past the SANs kept, a name may still be in the certificate: cannot tell. */
static void test_certificate_names_beyond_those_kept(void **state)
{
    struct fixture *f = *state;
    struct cert_template t = leaf_template;
    char sans[X509_MAX_NAMES * 2 * 24] = "";
    for (int i = 0; i < X509_MAX_NAMES + 2; i++) {
        char one[24];
        snprintf(one, sizeof one, "%sDNS:h%d.example.com", i ? "," : "", i);
        strcat(sans, one);
    }
    t.subject_alt_names = sans;
    X509 *cert = issue(&t, f->leaf_key, f->intermediate, f->intermediate_key);
    struct buffer msg = tls12_message(&cert, 1, NULL);
    assert_int_equal(parse(&msg, false, f->chain), PARSE_OK);
    const struct cert_summary *c = &f->chain->certs[0];
    assert_int_equal(x509_certificate_names_match(c, "h3.example.com"), X509_NAME_MATCH);
    assert_int_equal(x509_certificate_names_match(c, "h17.example.com"), X509_NAME_UNKNOWN);
    assert_int_equal(x509_certificate_names_match(c, "192.0.2.1"), X509_NAME_UNKNOWN);
    struct cert_summary undecoded = { .decoded = false };
    assert_int_equal(x509_certificate_names_match(&undecoded, "h3.example.com"), X509_NAME_UNKNOWN);
    X509_free(cert);
    free(msg.data);
}

static void test_format_time(void **state)
{
    (void)state;
    char buf[32];
    x509_format_time(0, buf, sizeof buf);
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    x509_format_time(NOT_BEFORE, buf, sizeof buf);
    assert_string_equal(buf, "2023-11-14T22:13:20Z");
    x509_format_time(ROOT_NOT_AFTER, buf, sizeof buf);
    assert_string_equal(buf, "2052-05-22T14:13:20Z");
    x509_format_time(NOT_BEFORE, buf, 8); /* too small: empty, not cut */
    assert_string_equal(buf, "");
    x509_format_time(INT64_MAX, buf, sizeof buf); /* year out of range */
    assert_string_equal(buf, "");
    x509_format_time(0, NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_all_fields),
        cmocka_unit_test(test_expired_certificate),
        cmocka_unit_test(test_self_issued_but_foreign_signature),
        cmocka_unit_test(test_ed25519_key),
        cmocka_unit_test(test_malformed_validity),
        cmocka_unit_test(test_tls13_entries_with_extensions),
        cmocka_unit_test(test_tls13_extension_overrun_is_invalid),
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_garbage_der),
        cmocka_unit_test(test_inconsistent_lengths_are_invalid),
        cmocka_unit_test(test_cut_at_every_offset),
        cmocka_unit_test(test_more_than_max_chain),
        cmocka_unit_test(test_very_long_subject),
        cmocka_unit_test(test_hostile_strings),
        cmocka_unit_test(test_too_many_sans),
        cmocka_unit_test(test_dns_name_matching),
        cmocka_unit_test(test_certificate_names_match_sans),
        cmocka_unit_test(test_certificate_common_name_only_without_dns_sans),
        cmocka_unit_test(test_certificate_names_beyond_those_kept),
        cmocka_unit_test(test_format_time),
    };
    return cmocka_run_group_tests(tests, setup_chain, teardown_chain);
}
