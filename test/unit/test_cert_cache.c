/* Unit tests for analyzer/facts/cert_cache.c (chains remembered by the bytes of
 * their Certificate message) and analyzer/input/file_digest.c (an input's
 * SHA-256). Certificates are made here with libcrypto. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert_cache.h"
#include "file_digest.h"

struct message {
    uint8_t data[4096];
    size_t len;
};

/* A self-signed Ed25519 certificate for common_name, as a TLS 1.2
 * Certificate message body: certificate_list<3> of one cert_data<3>. */
static void certificate_message(const char *common_name, long serial, struct message *m)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    X509 *cert = X509_new();
    assert_non_null(key);
    assert_non_null(cert);
    X509_NAME *name = X509_NAME_new();
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name,
                                                -1, -1, 0), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(cert), serial), 1);
    X509_set_subject_name(cert, name);
    X509_set_issuer_name(cert, name);
    ASN1_TIME_set(X509_getm_notBefore(cert), 1700000000);
    ASN1_TIME_set(X509_getm_notAfter(cert), 1900000000);
    X509_set_pubkey(cert, key);
    assert_true(X509_sign(cert, key, NULL) > 0);
    unsigned char *der = NULL;
    int der_len = i2d_X509(cert, &der);
    assert_true(der_len > 0 && (size_t)der_len + 6 <= sizeof m->data);
    size_t list_len = (size_t)der_len + 3;
    uint8_t *p = m->data;
    *p++ = (uint8_t)(list_len >> 16), *p++ = (uint8_t)(list_len >> 8), *p++ = (uint8_t)list_len;
    *p++ = (uint8_t)(der_len >> 16), *p++ = (uint8_t)(der_len >> 8), *p++ = (uint8_t)der_len;
    memcpy(p, der, (size_t)der_len);
    m->len = list_len + 3;
    OPENSSL_free(der);
    X509_NAME_free(name);
    X509_free(cert);
    EVP_PKEY_free(key);
}

static void test_same_message_decoded_once(void **state)
{
    (void)state;
    struct message a, b;
    certificate_message("a.example.com", 1, &a);
    certificate_message("b.example.com", 2, &b);
    struct cert_cache *cc = cert_cache_new();
    assert_non_null(cc);
    enum parse_status st;
    const struct cert_chain *chain = cert_cache_parse(cc, a.data, a.len, false, &st);
    assert_int_equal(st, PARSE_OK);
    assert_string_equal(chain->certs[0].subject_cn, "a.example.com");
    chain = cert_cache_parse(cc, b.data, b.len, false, &st);
    assert_string_equal(chain->certs[0].subject_cn, "b.example.com");
    chain = cert_cache_parse(cc, a.data, a.len, false, &st);
    assert_int_equal(st, PARSE_OK);
    assert_string_equal(chain->certs[0].subject_cn, "a.example.com");
    assert_int_equal(chain->count, 1);
    struct cert_cache_stats stats = cert_cache_stats(cc);
    assert_int_equal(stats.misses, 2);
    assert_int_equal(stats.hits, 1);
    cert_cache_free(cc);
}

/* One byte changed, same length: a different chain, never the cached one. */
static void test_one_byte_apart_is_another_chain(void **state)
{
    (void)state;
    struct message a;
    certificate_message("a.example.com", 1, &a);
    struct cert_cache *cc = cert_cache_new();
    enum parse_status st;
    const struct cert_chain *chain = cert_cache_parse(cc, a.data, a.len, false, &st);
    uint8_t sha_before[32];
    memcpy(sha_before, chain->certs[0].sha256, 32);
    a.data[a.len - 1] ^= 0x01; /* inside the signature: still decodes */
    chain = cert_cache_parse(cc, a.data, a.len, false, &st);
    assert_memory_not_equal(chain->certs[0].sha256, sha_before, 32);
    /* The same bytes read as TLS 1.3 are another message too. */
    cert_cache_parse(cc, a.data, a.len, true, &st);
    assert_int_equal(cert_cache_stats(cc).misses, 3);
    assert_int_equal(cert_cache_stats(cc).hits, 0);
    cert_cache_free(cc);
}

/* More chains than slots: the least recently used one goes. */
static void test_least_recently_used_is_evicted(void **state)
{
    (void)state;
    struct message m[CERT_CACHE_SLOTS + 1];
    char cn[32];
    for (int i = 0; i <= CERT_CACHE_SLOTS; i++) {
        snprintf(cn, sizeof cn, "host%d.example.com", i);
        certificate_message(cn, i + 1, &m[i]);
    }
    struct cert_cache *cc = cert_cache_new();
    enum parse_status st;
    for (int i = 0; i < CERT_CACHE_SLOTS; i++)
        cert_cache_parse(cc, m[i].data, m[i].len, false, &st);
    cert_cache_parse(cc, m[0].data, m[0].len, false, &st);  /* 0 is now the most recent */
    cert_cache_parse(cc, m[CERT_CACHE_SLOTS].data, m[CERT_CACHE_SLOTS].len, false, &st);  /* evicts 1 */
    assert_int_equal(cert_cache_stats(cc).hits, 1);
    cert_cache_parse(cc, m[0].data, m[0].len, false, &st);
    assert_int_equal(cert_cache_stats(cc).hits, 2);
    const struct cert_chain *chain = cert_cache_parse(cc, m[1].data, m[1].len, false, &st);
    assert_int_equal(cert_cache_stats(cc).misses, CERT_CACHE_SLOTS + 2);
    assert_string_equal(chain->certs[0].subject_cn, "host1.example.com");
    cert_cache_free(cc);
}

/* A message over the cache's size cap is parsed every time, correctly. */
static void test_large_message_not_cached(void **state)
{
    (void)state;
    size_t len = CERT_CACHE_MAX_MESSAGE + 16;
    uint8_t *big = calloc(1, len);
    assert_non_null(big);
    big[0] = (uint8_t)((len - 3) >> 16), big[1] = (uint8_t)((len - 3) >> 8), big[2] = (uint8_t)(len - 3);
    struct cert_cache *cc = cert_cache_new();
    enum parse_status st;
    const struct cert_chain *chain = cert_cache_parse(cc, big, len, false, &st);
    assert_non_null(chain);
    assert_int_not_equal(st, PARSE_OK);  /* zeros are no certificate */
    cert_cache_parse(cc, big, len, false, &st);
    assert_int_equal(cert_cache_stats(cc).hits + cert_cache_stats(cc).misses, 0);
    cert_cache_free(cc);
    free(big);
}

static void test_file_digest_is_sha256(void **state)
{
    (void)state;
    char path[] = "/tmp/tlsdiag-digest-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "abc", 3), 3);
    close(fd);
    char hex[FILE_DIGEST_HEX];
    assert_true(file_digest_finish(file_digest_start(path), hex));
    /* FIPS 180-2, appendix B.1 */
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    unlink(path);
    assert_false(file_digest_finish(file_digest_start(path), hex));
    assert_string_equal(hex, "");
    assert_false(file_digest_finish(NULL, hex));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_message_decoded_once),
        cmocka_unit_test(test_one_byte_apart_is_another_chain),
        cmocka_unit_test(test_least_recently_used_is_evicted),
        cmocka_unit_test(test_large_message_not_cached),
        cmocka_unit_test(test_file_digest_is_sha256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
