/* Unit tests for dissect/tls/tls_decrypt.c, with keys looked up through
 * dissect/tls/keylog.c.
 *
 * TLS 1.3 against the published trace of RFC 8448 section 3 (rfc8448.h):
 * its traffic secrets must give its keys and IVs, and its encrypted records
 * must decrypt to its handshake messages and application data.
 *
 * Every supported suite, TLS 1.2 and 1.3, against real traffic: libssl (in
 * this test only, never in the program) runs a handshake over memory BIOs,
 * every byte each side sends is kept, the key log callback's lines go
 * through keylog_feed(), and every protected record in both directions must
 * decrypt, in order, to what was sent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "keylog.h"
#include "rfc8448.h"
#include "tls_decrypt.h"

#define MAX_BYTES 4096
#define CT_CCS 20
#define CT_ALERT 21
#define CT_HANDSHAKE 22
#define CT_APPDATA 23
#define HS_FINISHED 20
#define HS_NEW_SESSION_TICKET 4
#define HELLO_RANDOM_OFFSET 11    /* record header 5, handshake header 4, version 2 */

struct bytes {
    uint8_t data[MAX_BYTES];
    size_t len;
};

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    fail_msg("not a hex digit: '%c'", c);
    return 0;
}

/* Hex text with any spacing (the RFC's layout) to bytes. */
static void hex(const char *text, struct bytes *out)
{
    out->len = 0;
    int high = -1;
    for (const char *p = text; *p; p++) {
        if (*p == ' ')
            continue;
        int v = nibble(*p);
        if (high < 0) {
            high = v;
            continue;
        }
        assert_true(out->len < MAX_BYTES);
        out->data[out->len++] = (uint8_t)(high << 4 | v);
        high = -1;
    }
    assert_int_equal(high, -1);
}

static void assert_bytes_hex(const uint8_t *got, size_t got_len, const char *want_hex)
{
    struct bytes want;
    hex(want_hex, &want);
    assert_int_equal(got_len, want.len);
    assert_memory_equal(got, want.data, want.len);
}

static void set_tls13_keys(struct tls_decrypt_state *st, const char *secret_hex)
{
    struct bytes secret;
    hex(secret_hex, &secret);
    assert_int_equal(tls13_set_traffic_secret(st, 0x1301, secret.data, secret.len),
                     TLS_DECRYPT_OK);
}

static uint8_t out[TLS_DECRYPT_MAX_BODY];

static enum tls_decrypt_result decrypt_hex(struct tls_decrypt_state *st, const char *record_hex,
                                           struct tls_plaintext *pt)
{
    struct bytes record;
    hex(record_hex, &record);
    return tls_decrypt_record(st, record.data, record.len, out, sizeof out, pt);
}

/* ---- RFC 8448 ---- */

static void check_keys(const char *secret, const char *key, const char *iv)
{
    struct tls_decrypt_state st = { 0 };
    set_tls13_keys(&st, secret);
    assert_non_null(st.cipher);
    assert_int_equal(st.cipher->suite, 0x1301);
    assert_bytes_hex(st.key, st.cipher->key_len, key);
    assert_bytes_hex(st.iv, st.cipher->fixed_iv_len, iv);
    assert_true(st.seq == 0);
    tls_decrypt_state_clear(&st);
    assert_null(st.cipher);
}

static void test_rfc8448_traffic_keys(void **state)
{
    (void)state;
    check_keys(RFC_S_HS_SECRET, RFC_S_HS_KEY, RFC_S_HS_IV);
    check_keys(RFC_C_HS_SECRET, RFC_C_HS_KEY, RFC_C_HS_IV);
    check_keys(RFC_S_AP_SECRET, RFC_S_AP_KEY, RFC_S_AP_IV);
    check_keys(RFC_C_AP_SECRET, RFC_C_AP_KEY, RFC_C_AP_IV);
}

static void test_rfc8448_server_flight(void **state)
{
    (void)state;
    struct tls_decrypt_state st = { 0 };
    set_tls13_keys(&st, RFC_S_HS_SECRET);
    struct bytes record;
    hex(RFC_SERVER_FLIGHT_RECORD, &record);
    assert_int_equal(record.len, 679);
    struct tls_plaintext pt;
    assert_int_equal(tls_decrypt_record(&st, record.data, record.len, out, sizeof out, &pt),
                     TLS_DECRYPT_OK);
    assert_int_equal(pt.content_type, CT_HANDSHAKE);
    assert_ptr_equal(pt.data, out);
    /* EncryptedExtensions, Certificate, CertificateVerify, Finished: the
     * RFC's "payload (657 octets)" of this record. */
    assert_bytes_hex(pt.data, pt.len, RFC_ENCRYPTED_EXTENSIONS " " RFC_CERTIFICATE " "
                     RFC_CERTIFICATE_VERIFY " " RFC_SERVER_FINISHED);
    assert_int_equal(pt.len, 657);
    assert_true(st.seq == 1);

    /* The same record again: the sequence number moved on, so it fails. */
    assert_int_equal(tls_decrypt_record(&st, record.data, record.len, out, sizeof out, &pt),
                     TLS_DECRYPT_AUTH_FAILED);
    assert_true(st.seq == 1);
}

static void test_rfc8448_client_finished(void **state)
{
    (void)state;
    struct tls_decrypt_state st = { 0 };
    set_tls13_keys(&st, RFC_C_HS_SECRET);
    struct tls_plaintext pt;
    assert_int_equal(decrypt_hex(&st, RFC_CLIENT_FINISHED_RECORD, &pt), TLS_DECRYPT_OK);
    assert_int_equal(pt.content_type, CT_HANDSHAKE);
    assert_bytes_hex(pt.data, pt.len, RFC_CLIENT_FINISHED);
}

static void assert_rfc_app_payload(const struct tls_plaintext *pt)
{
    assert_int_equal(pt->content_type, CT_APPDATA);
    assert_int_equal(pt->len, 50);
    for (size_t i = 0; i < pt->len; i++)
        assert_int_equal(pt->data[i], i);
}

static void test_rfc8448_application_data(void **state)
{
    (void)state;
    struct tls_decrypt_state client = { 0 }, server = { 0 };
    struct tls_plaintext pt;

    set_tls13_keys(&client, RFC_C_AP_SECRET);
    assert_int_equal(decrypt_hex(&client, RFC_CLIENT_APPDATA_RECORD, &pt), TLS_DECRYPT_OK);
    assert_rfc_app_payload(&pt);
    /* Then its close_notify alert, sequence number 1. */
    assert_int_equal(decrypt_hex(&client, RFC_CLIENT_ALERT_RECORD, &pt), TLS_DECRYPT_OK);
    assert_int_equal(pt.content_type, CT_ALERT);
    assert_bytes_hex(pt.data, pt.len, "01 00");

    /* The server's application data follows its NewSessionTicket (seq 0). */
    set_tls13_keys(&server, RFC_S_AP_SECRET);
    assert_int_equal(decrypt_hex(&server, RFC_SERVER_APPDATA_RECORD, &pt),
                     TLS_DECRYPT_AUTH_FAILED);
    server.seq = 1;
    assert_int_equal(decrypt_hex(&server, RFC_SERVER_APPDATA_RECORD, &pt), TLS_DECRYPT_OK);
    assert_rfc_app_payload(&pt);
    assert_true(server.seq == 2);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Damage anywhere fails authentication; nothing of the plaintext is left
 * behind and the sequence number stays. */
static void test_rfc8448_damage_fails(void **state)
{
    (void)state;
    struct bytes record;
    hex(RFC_SERVER_FLIGHT_RECORD, &record);
    const size_t positions[] = { 1, 2, 5, 100, 678 };   /* the version (in the AAD), body, tag */
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
        struct bytes damaged = record;
        damaged.data[positions[i]] ^= 0x01;
        struct tls_decrypt_state st = { 0 };
        set_tls13_keys(&st, RFC_S_HS_SECRET);
        struct tls_plaintext pt;
        memset(out, 0xAA, sizeof out);
        assert_int_equal(tls_decrypt_record(&st, damaged.data, damaged.len, out, sizeof out, &pt),
                         TLS_DECRYPT_AUTH_FAILED);
        assert_true(all_zero(out, record.len - 5));
        assert_null(pt.data);
        assert_int_equal(pt.len, 0);
        assert_true(st.seq == 0);
    }
    /* The right record with the wrong direction's keys, or the wrong
     * sequence number. */
    struct tls_decrypt_state st = { 0 };
    struct tls_plaintext pt;
    set_tls13_keys(&st, RFC_C_HS_SECRET);
    assert_int_equal(tls_decrypt_record(&st, record.data, record.len, out, sizeof out, &pt),
                     TLS_DECRYPT_AUTH_FAILED);
    set_tls13_keys(&st, RFC_S_HS_SECRET);
    st.seq = 1;
    assert_int_equal(tls_decrypt_record(&st, record.data, record.len, out, sizeof out, &pt),
                     TLS_DECRYPT_AUTH_FAILED);
}

static void test_malformed_records(void **state)
{
    (void)state;
    struct tls_decrypt_state st = { 0 };
    struct tls_plaintext pt;
    struct bytes record;
    hex(RFC_CLIENT_FINISHED_RECORD, &record);

    assert_int_equal(tls_decrypt_record(&st, record.data, record.len, out, sizeof out, &pt),
                     TLS_DECRYPT_NO_KEYS);
    set_tls13_keys(&st, RFC_C_HS_SECRET);

    /* The header's length must match what is passed. */
    assert_int_equal(tls_decrypt_record(&st, record.data, record.len - 1, out, sizeof out, &pt),
                     TLS_DECRYPT_MALFORMED);
    assert_int_equal(tls_decrypt_record(&st, record.data, 4, out, sizeof out, &pt),
                     TLS_DECRYPT_MALFORMED);
    assert_int_equal(tls_decrypt_record(&st, record.data, 0, out, sizeof out, &pt),
                     TLS_DECRYPT_MALFORMED);
    assert_int_equal(tls_decrypt_record(&st, NULL, 0, out, sizeof out, &pt),
                     TLS_DECRYPT_MALFORMED);
    /* TLS 1.3 protects only application_data records. */
    struct bytes other_type = record;
    other_type.data[0] = CT_HANDSHAKE;
    assert_int_equal(tls_decrypt_record(&st, other_type.data, other_type.len, out, sizeof out, &pt),
                     TLS_DECRYPT_MALFORMED);
    /* Shorter than a tag and a content type. */
    assert_int_equal(decrypt_hex(&st, "17 03 03 00 10 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f",
                                 &pt), TLS_DECRYPT_MALFORMED);
    assert_int_equal(decrypt_hex(&st, "17 03 03 00 00", &pt), TLS_DECRYPT_MALFORMED);
    /* Longer than any record may be. */
    size_t huge_len = 5 + 0xFFFF;
    uint8_t *huge = calloc(1, huge_len);
    assert_non_null(huge);
    huge[0] = CT_APPDATA;
    huge[1] = 3;
    huge[2] = 3;
    huge[3] = 0xFF;
    huge[4] = 0xFF;
    assert_int_equal(tls_decrypt_record(&st, huge, huge_len, out, sizeof out, &pt),
                     TLS_DECRYPT_MALFORMED);
    free(huge);
    /* An output buffer shorter than the body is the caller's mistake. */
    assert_int_equal(tls_decrypt_record(&st, record.data, record.len, out, record.len - 6, &pt),
                     TLS_DECRYPT_INTERNAL);
    assert_int_equal(tls_decrypt_record(&st, record.data, record.len, NULL, 0, &pt),
                     TLS_DECRYPT_INTERNAL);
    assert_true(st.seq == 0);
    /* And after all that, the record still decrypts. */
    assert_int_equal(tls_decrypt_record(&st, record.data, record.len, out, record.len - 5, &pt),
                     TLS_DECRYPT_OK);
}

static void test_key_setup_errors(void **state)
{
    (void)state;
    struct tls_decrypt_state st = { 0 }, other = { 0 };
    uint8_t secret[48] = { 1 };
    uint8_t random[32] = { 2 };
    assert_int_equal(tls13_set_traffic_secret(&st, 0x1301, secret, 48), TLS_DECRYPT_BAD_SECRET);
    assert_int_equal(tls13_set_traffic_secret(&st, 0x1302, secret, 32), TLS_DECRYPT_BAD_SECRET);
    assert_int_equal(tls13_set_traffic_secret(&st, 0x1302, secret, 48), TLS_DECRYPT_OK);
    assert_int_equal(tls13_set_traffic_secret(&st, 0x1301, NULL, 32), TLS_DECRYPT_BAD_SECRET);
    assert_null(st.cipher);
    assert_int_equal(tls13_set_traffic_secret(&st, 0x002f, secret, 32), TLS_DECRYPT_UNSUPPORTED);
    assert_int_equal(tls13_set_traffic_secret(&st, 0xc02f, secret, 32), TLS_DECRYPT_UNSUPPORTED);
    assert_int_equal(tls12_set_master_secret(&st, &other, 0x1301, secret, 48, random, random),
                     TLS_DECRYPT_UNSUPPORTED);
    assert_int_equal(tls12_set_master_secret(&st, &other, 0xc013, secret, 48, random, random),
                     TLS_DECRYPT_UNSUPPORTED);   /* CBC */
    assert_int_equal(tls12_set_master_secret(&st, &other, 0xc02f, secret, 32, random, random),
                     TLS_DECRYPT_BAD_SECRET);
    assert_int_equal(tls12_set_master_secret(NULL, &other, 0xc02f, secret, 48, random, random),
                     TLS_DECRYPT_OK);
    assert_non_null(other.cipher);
    assert_null(tls_cipher_lookup(0x0000));
    assert_string_equal(tls_decrypt_result_name(TLS_DECRYPT_AUTH_FAILED), "auth_failed");
    assert_string_equal(tls_decrypt_result_name(TLS_DECRYPT_UNSUPPORTED), "unsupported");
    assert_string_equal(tls_decrypt_result_name((enum tls_decrypt_result)99), "?");
    assert_non_null(strstr(tls_decrypt_result_message(TLS_DECRYPT_AUTH_FAILED), "wrong key"));
}

/* Records sealed here with the RFC's server handshake key (libcrypto's
 * AES-128-GCM): the padding cases the RFC trace does not have. */
static size_t seal_tls13(const struct tls_decrypt_state *st, const uint8_t *inner, size_t len,
                         uint8_t *record)
{
    size_t body = len + 16;
    record[0] = CT_APPDATA;
    record[1] = 3;
    record[2] = 3;
    record[3] = (uint8_t)(body >> 8);
    record[4] = (uint8_t)body;
    uint8_t nonce[12];
    memcpy(nonce, st->iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(st->seq >> (8 * i));
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n;
    assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, st->key, nonce), 1);
    assert_int_equal(EVP_EncryptUpdate(ctx, NULL, &n, record, 5), 1);
    assert_int_equal(EVP_EncryptUpdate(ctx, record + 5, &n, inner, (int)len), 1);
    assert_int_equal(EVP_EncryptFinal_ex(ctx, record + 5 + n, &n), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, record + 5 + len), 1);
    EVP_CIPHER_CTX_free(ctx);
    return 5 + body;
}

static void test_tls13_padding(void **state)
{
    (void)state;
    struct tls_decrypt_state st = { 0 };
    set_tls13_keys(&st, RFC_S_HS_SECRET);
    uint8_t inner[300] = "hello";
    uint8_t record[400];
    struct tls_plaintext pt;

    inner[5] = CT_APPDATA;                          /* then 294 bytes of zero padding */
    size_t n = seal_tls13(&st, inner, sizeof inner, record);
    assert_int_equal(tls_decrypt_record(&st, record, n, out, sizeof out, &pt), TLS_DECRYPT_OK);
    assert_int_equal(pt.content_type, CT_APPDATA);
    assert_int_equal(pt.len, 5);
    assert_memory_equal(pt.data, "hello", 5);

    /* Zero bytes inside the content stay. */
    uint8_t with_zeros[] = { 0, 'a', 0, 0, CT_HANDSHAKE, 0, 0 };
    n = seal_tls13(&st, with_zeros, sizeof with_zeros, record);
    assert_int_equal(tls_decrypt_record(&st, record, n, out, sizeof out, &pt), TLS_DECRYPT_OK);
    assert_int_equal(pt.content_type, CT_HANDSHAKE);
    assert_int_equal(pt.len, 4);
    assert_memory_equal(pt.data, with_zeros, 4);

    /* Nothing but padding: authentic, but no content type. */
    uint8_t zeros[20] = { 0 };
    n = seal_tls13(&st, zeros, sizeof zeros, record);
    assert_int_equal(tls_decrypt_record(&st, record, n, out, sizeof out, &pt),
                     TLS_DECRYPT_MALFORMED);
    assert_true(st.seq == 2);
}

/* ---- real traffic from libssl, every supported suite ---- */

static EVP_PKEY *rsa_key, *ec_key;
static X509 *rsa_cert, *ec_cert;

static X509 *self_signed(EVP_PKEY *key)
{
    X509 *cert = X509_new();
    assert_non_null(cert);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"tlsdiag.test",
                               -1, -1, 0);
    X509_set_issuer_name(cert, name);
    assert_true(X509_sign(cert, key, EVP_sha256()) > 0);
    return cert;
}

static int make_keys(void **state)
{
    (void)state;
    rsa_key = EVP_RSA_gen(2048);
    ec_key = EVP_EC_gen("P-256");
    if (!rsa_key || !ec_key)
        return -1;
    rsa_cert = self_signed(rsa_key);
    ec_cert = self_signed(ec_key);
    return 0;
}

static int free_keys(void **state)
{
    (void)state;
    X509_free(rsa_cert);
    X509_free(ec_cert);
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(ec_key);
    return 0;
}

struct wire {
    uint8_t data[65536];
    size_t len;
};

struct session {
    struct wire c2s, s2c;               /* every byte each side sent */
    char keylog[8192];
    size_t keylog_len;
    uint16_t suite;
};

static const char CLIENT_MESSAGE[] = "GET / HTTP/1.1\r\nHost: tlsdiag.test\r\n\r\n";
static const char SERVER_MESSAGE[] = "HTTP/1.1 204 No Content\r\n\r\n";

static int session_index;

static void keylog_line(const SSL *ssl, const char *line)
{
    struct session *s = SSL_get_ex_data(ssl, session_index);
    int n = snprintf(s->keylog + s->keylog_len, sizeof s->keylog - s->keylog_len, "%s\n", line);
    assert_true(n > 0 && (size_t)n < sizeof s->keylog - s->keylog_len);
    s->keylog_len += (size_t)n;
}

/* Moves what one side wrote to the other, keeping a copy. */
static void pump(BIO *from, BIO *to, struct wire *log)
{
    uint8_t buf[4096];
    int n;
    while ((n = BIO_read(from, buf, sizeof buf)) > 0) {
        assert_true(log->len + (size_t)n <= sizeof log->data);
        memcpy(log->data + log->len, buf, (size_t)n);
        log->len += (size_t)n;
        assert_int_equal(BIO_write(to, buf, n), n);
    }
}

struct suite_case {
    const char *openssl_name;
    uint16_t suite;
    bool tls13;
    bool ecdsa;
    bool padding;          /* TLS 1.3 record padding to 512-byte blocks */
};

static SSL_CTX *context(const SSL_METHOD *method, const struct suite_case *c)
{
    SSL_CTX *ctx = SSL_CTX_new(method);
    assert_non_null(ctx);
    int version = c->tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    if (c->tls13)
        assert_int_equal(SSL_CTX_set_ciphersuites(ctx, c->openssl_name), 1);
    else
        assert_int_equal(SSL_CTX_set_cipher_list(ctx, c->openssl_name), 1);
    if (c->padding)
        assert_int_equal(SSL_CTX_set_block_padding(ctx, 512), 1);
    return ctx;
}

static void run_session(const struct suite_case *c, struct session *s)
{
    SSL_CTX *server_ctx = context(TLS_server_method(), c);
    SSL_CTX *client_ctx = context(TLS_client_method(), c);
    assert_int_equal(SSL_CTX_use_certificate(server_ctx, c->ecdsa ? ec_cert : rsa_cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(server_ctx, c->ecdsa ? ec_key : rsa_key), 1);
    SSL_CTX_set_dh_auto(server_ctx, 1);
    SSL_CTX_set_keylog_callback(client_ctx, keylog_line);

    SSL *server = SSL_new(server_ctx), *client = SSL_new(client_ctx);
    assert_non_null(server);
    assert_non_null(client);
    SSL_set_ex_data(client, session_index, s);
    BIO *client_in = BIO_new(BIO_s_mem()), *client_out = BIO_new(BIO_s_mem());
    BIO *server_in = BIO_new(BIO_s_mem()), *server_out = BIO_new(BIO_s_mem());
    SSL_set_bio(client, client_in, client_out);
    SSL_set_bio(server, server_in, server_out);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    for (int i = 0; i < 20 && !(SSL_is_init_finished(client) && SSL_is_init_finished(server)); i++) {
        SSL_do_handshake(client);
        pump(client_out, server_in, &s->c2s);
        SSL_do_handshake(server);
        pump(server_out, client_in, &s->s2c);
    }
    assert_true(SSL_is_init_finished(client) && SSL_is_init_finished(server));

    char buf[256];
    int n = (int)strlen(CLIENT_MESSAGE);
    assert_int_equal(SSL_write(client, CLIENT_MESSAGE, n), n);
    pump(client_out, server_in, &s->c2s);
    assert_int_equal(SSL_read(server, buf, sizeof buf), n);
    n = (int)strlen(SERVER_MESSAGE);
    assert_int_equal(SSL_write(server, SERVER_MESSAGE, n), n);
    pump(server_out, client_in, &s->s2c);
    assert_int_equal(SSL_read(client, buf, sizeof buf), n);

    s->suite = (uint16_t)SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(client));
    SSL_free(client);
    SSL_free(server);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
}

struct record {
    uint8_t type;
    const uint8_t *bytes;     /* header and body */
    size_t len;
};

static size_t split_records(const struct wire *w, struct record *recs, size_t max)
{
    size_t n = 0, pos = 0;
    while (pos < w->len) {
        assert_true(pos + 5 <= w->len);
        size_t len = 5 + ((size_t)w->data[pos + 3] << 8 | w->data[pos + 4]);
        assert_true(pos + len <= w->len);
        assert_true(n < max);
        recs[n++] = (struct record){ w->data[pos], w->data + pos, len };
        pos += len;
    }
    return n;
}

static bool has_handshake_message(const struct tls_plaintext *pt, uint8_t type)
{
    size_t i = 0;
    while (i + 4 <= pt->len) {
        if (pt->data[i] == type)
            return true;
        i += 4 + ((size_t)pt->data[i + 1] << 16 | (size_t)pt->data[i + 2] << 8 | pt->data[i + 3]);
    }
    return false;
}

static const struct keylog_entry *find_secret(struct keylog *kl, const uint8_t *random,
                                              enum keylog_label label, const uint8_t **secret,
                                              size_t *len)
{
    const struct keylog_entry *e = keylog_find(kl, random, label);
    assert_non_null(e);
    *len = keylog_entry_secret(e, secret);
    return e;
}

/* One direction of a TLS 1.3 session: handshake keys until the Finished,
 * then application keys. */
static void check_tls13_direction(struct keylog *kl, const struct wire *w, uint16_t suite,
                                  const uint8_t *client_random, enum keylog_label handshake,
                                  enum keylog_label application, const char *message)
{
    const uint8_t *secret;
    size_t secret_len;
    struct tls_decrypt_state st = { 0 };
    const struct keylog_entry *hs = find_secret(kl, client_random, handshake, &secret, &secret_len);
    assert_int_equal(tls13_set_traffic_secret(&st, suite, secret, secret_len), TLS_DECRYPT_OK);

    struct record recs[64];
    size_t n = split_records(w, recs, 64);
    bool finished = false;
    int messages = 0, protected_records = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].type != CT_APPDATA)
            continue;                    /* the hellos and compatibility ChangeCipherSpec */
        protected_records++;
        struct tls_plaintext pt;
        assert_int_equal(tls_decrypt_record(&st, recs[i].bytes, recs[i].len, out, sizeof out, &pt),
                         TLS_DECRYPT_OK);
        if (!finished) {
            assert_int_equal(pt.content_type, CT_HANDSHAKE);
            if (has_handshake_message(&pt, HS_FINISHED)) {
                finished = true;
                keylog_mark_used(kl, hs);
                const struct keylog_entry *ap = find_secret(kl, client_random, application,
                                                            &secret, &secret_len);
                assert_int_equal(tls13_set_traffic_secret(&st, suite, secret, secret_len),
                                 TLS_DECRYPT_OK);
                keylog_mark_used(kl, ap);
            }
        } else if (pt.content_type == CT_APPDATA) {
            assert_int_equal(pt.len, strlen(message));
            assert_memory_equal(pt.data, message, pt.len);
            messages++;
        } else {
            assert_int_equal(pt.content_type, CT_HANDSHAKE);
            assert_true(has_handshake_message(&pt, HS_NEW_SESSION_TICKET));
        }
    }
    assert_true(finished);
    assert_int_equal(messages, 1);
    assert_true(protected_records >= 2);

    /* The last record again, one bit off, at its own sequence number. */
    struct record last = recs[n - 1];
    uint8_t damaged[MAX_BYTES];
    assert_true(last.len <= sizeof damaged);
    memcpy(damaged, last.bytes, last.len);
    damaged[last.len - 1] ^= 0x80;
    st.seq--;
    struct tls_plaintext pt;
    assert_int_equal(tls_decrypt_record(&st, damaged, last.len, out, sizeof out, &pt),
                     TLS_DECRYPT_AUTH_FAILED);
    tls_decrypt_state_clear(&st);
}

/* One direction of a TLS 1.2 session: every record after its
 * ChangeCipherSpec, the Finished first. */
static void check_tls12_direction(const struct wire *w, struct tls_decrypt_state *st,
                                  const char *message)
{
    struct record recs[64];
    size_t n = split_records(w, recs, 64);
    bool protected = false;
    int records = 0;
    for (size_t i = 0; i < n; i++) {
        if (!protected) {
            protected = recs[i].type == CT_CCS;
            continue;
        }
        struct tls_plaintext pt;
        assert_int_equal(tls_decrypt_record(st, recs[i].bytes, recs[i].len, out, sizeof out, &pt),
                         TLS_DECRYPT_OK);
        if (records++ == 0) {
            assert_int_equal(pt.content_type, CT_HANDSHAKE);
            assert_int_equal(pt.len, 16);          /* Finished: 4-byte header, 12 bytes verify_data */
            assert_int_equal(pt.data[0], HS_FINISHED);
        } else {
            assert_int_equal(pt.content_type, CT_APPDATA);
            assert_int_equal(pt.len, strlen(message));
            assert_memory_equal(pt.data, message, pt.len);
        }
    }
    assert_int_equal(records, 2);
}

static void test_real_traffic(void **state)
{
    const struct suite_case *c = *state;
    struct session *s = calloc(1, sizeof *s);
    assert_non_null(s);
    run_session(c, s);
    assert_int_equal(s->suite, c->suite);
    assert_non_null(tls_cipher_lookup(c->suite));

    struct keylog *kl = keylog_new();
    assert_non_null(kl);
    assert_int_equal(keylog_feed(kl, (const uint8_t *)s->keylog, s->keylog_len, 0), KEYLOG_OK);
    struct keylog_stats stats;
    keylog_get_stats(kl, &stats);
    assert_int_equal(stats.malformed, 0);

    assert_true(s->c2s.len > HELLO_RANDOM_OFFSET + 32 && s->s2c.len > HELLO_RANDOM_OFFSET + 32);
    assert_int_equal(s->c2s.data[5], 1);                 /* ClientHello */
    assert_int_equal(s->s2c.data[5], 2);                 /* ServerHello */
    const uint8_t *client_random = s->c2s.data + HELLO_RANDOM_OFFSET;
    const uint8_t *server_random = s->s2c.data + HELLO_RANDOM_OFFSET;

    if (c->tls13) {
        assert_int_equal(stats.entries, 4);
        assert_int_equal(stats.ignored, 1);              /* EXPORTER_SECRET */
        check_tls13_direction(kl, &s->s2c, c->suite, client_random,
                              KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
                              KEYLOG_SERVER_TRAFFIC_SECRET_0, SERVER_MESSAGE);
        check_tls13_direction(kl, &s->c2s, c->suite, client_random,
                              KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
                              KEYLOG_CLIENT_TRAFFIC_SECRET_0, CLIENT_MESSAGE);
    } else {
        assert_int_equal(stats.entries, 1);
        const uint8_t *master;
        size_t master_len;
        const struct keylog_entry *e = find_secret(kl, client_random, KEYLOG_CLIENT_RANDOM,
                                                   &master, &master_len);
        struct tls_decrypt_state client = { 0 }, server = { 0 };
        assert_int_equal(tls12_set_master_secret(&client, &server, c->suite, master, master_len,
                                                 client_random, server_random), TLS_DECRYPT_OK);
        check_tls12_direction(&s->c2s, &client, CLIENT_MESSAGE);
        check_tls12_direction(&s->s2c, &server, SERVER_MESSAGE);
        keylog_mark_used(kl, e);
        /* The randoms swapped give other keys. */
        assert_int_equal(tls12_set_master_secret(&client, NULL, c->suite, master, master_len,
                                                 server_random, client_random), TLS_DECRYPT_OK);
        struct record recs[64];
        size_t n = split_records(&s->c2s, recs, 64);
        struct tls_plaintext pt;
        client.seq = 1;
        assert_int_equal(tls_decrypt_record(&client, recs[n - 1].bytes, recs[n - 1].len, out,
                                            sizeof out, &pt), TLS_DECRYPT_AUTH_FAILED);
        tls_decrypt_state_clear(&client);
        tls_decrypt_state_clear(&server);
    }
    keylog_get_stats(kl, &stats);
    assert_int_equal(stats.used, stats.entries);
    keylog_free(kl);
    free(s);
}

static const struct suite_case suite_cases[] = {
    { "TLS_AES_128_GCM_SHA256", 0x1301, true, false, false },
    { "TLS_AES_256_GCM_SHA384", 0x1302, true, false, true },
    { "TLS_CHACHA20_POLY1305_SHA256", 0x1303, true, true, false },
    { "TLS_AES_128_CCM_SHA256", 0x1304, true, false, true },
    { "TLS_AES_128_CCM_8_SHA256", 0x1305, true, false, false },
    { "AES128-GCM-SHA256", 0x009c, false, false, false },
    { "AES256-GCM-SHA384", 0x009d, false, false, false },
    { "DHE-RSA-AES128-GCM-SHA256", 0x009e, false, false, false },
    { "DHE-RSA-AES256-GCM-SHA384", 0x009f, false, false, false },
    { "ECDHE-ECDSA-AES128-GCM-SHA256", 0xc02b, false, true, false },
    { "ECDHE-ECDSA-AES256-GCM-SHA384", 0xc02c, false, true, false },
    { "ECDHE-RSA-AES128-GCM-SHA256", 0xc02f, false, false, false },
    { "ECDHE-RSA-AES256-GCM-SHA384", 0xc030, false, false, false },
    { "ECDHE-RSA-CHACHA20-POLY1305", 0xcca8, false, false, false },
    { "ECDHE-ECDSA-CHACHA20-POLY1305", 0xcca9, false, true, false },
    { "DHE-RSA-CHACHA20-POLY1305", 0xccaa, false, false, false },
    { "AES128-CCM", 0xc09c, false, false, false },
    { "AES256-CCM", 0xc09d, false, false, false },
    { "DHE-RSA-AES128-CCM", 0xc09e, false, false, false },
    { "DHE-RSA-AES256-CCM", 0xc09f, false, false, false },
    { "AES128-CCM8", 0xc0a0, false, false, false },
    { "AES256-CCM8", 0xc0a1, false, false, false },
    { "DHE-RSA-AES128-CCM8", 0xc0a2, false, false, false },
    { "DHE-RSA-AES256-CCM8", 0xc0a3, false, false, false },
    { "ECDHE-ECDSA-AES128-CCM", 0xc0ac, false, true, false },
    { "ECDHE-ECDSA-AES256-CCM", 0xc0ad, false, true, false },
    { "ECDHE-ECDSA-AES128-CCM8", 0xc0ae, false, true, false },
    { "ECDHE-ECDSA-AES256-CCM8", 0xc0af, false, true, false },
};
#define SUITE_CASES (sizeof suite_cases / sizeof suite_cases[0])

/* Every suite the table decrypts has a real-traffic case above. */
static void test_every_suite_has_a_case(void **state)
{
    (void)state;
    size_t supported = 0;
    for (uint32_t suite = 0; suite <= 0xFFFF; suite++) {
        if (!tls_cipher_lookup((uint16_t)suite))
            continue;
        supported++;
        bool found = false;
        for (size_t i = 0; i < SUITE_CASES; i++)
            found |= suite_cases[i].suite == suite;
        if (!found)
            fail_msg("suite 0x%04x has no real-traffic case", suite);
    }
    assert_int_equal(supported, SUITE_CASES);
}

int main(void)
{
    session_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    static struct CMUnitTest tests[16 + SUITE_CASES];
    static char names[SUITE_CASES][80];
    size_t n = 0;
    const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_rfc8448_traffic_keys),
        cmocka_unit_test(test_rfc8448_server_flight),
        cmocka_unit_test(test_rfc8448_client_finished),
        cmocka_unit_test(test_rfc8448_application_data),
        cmocka_unit_test(test_rfc8448_damage_fails),
        cmocka_unit_test(test_malformed_records),
        cmocka_unit_test(test_key_setup_errors),
        cmocka_unit_test(test_tls13_padding),
        cmocka_unit_test(test_every_suite_has_a_case),
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        tests[n++] = fixed[i];
    for (size_t i = 0; i < SUITE_CASES; i++) {
        snprintf(names[i], sizeof names[i], "real traffic 0x%04x %s", suite_cases[i].suite,
                 suite_cases[i].openssl_name);
        tests[n++] = (struct CMUnitTest){
            .name = names[i],
            .test_func = test_real_traffic,
            .initial_state = (void *)&suite_cases[i],
        };
    }
    return _cmocka_run_group_tests("tls_decrypt", tests, n, make_keys, free_keys);
}
