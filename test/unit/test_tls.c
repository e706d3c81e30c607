/* Unit tests for dissect/tls_hello.c (hello grammar),
 * dissect/tls_key_exchange.c (ServerKeyExchange parameters) and
 * dissect/tls.c (record layer, handshake reassembly, sync), on messages
 * built here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "tls_build.h"
#include "tls.h"

/* ---- (a) hello parsers ------------------------------------------------------------ */

static void assert_list(const struct wire_list *l, const uint16_t *expected, size_t n)
{
    assert_true(l->present);
    assert_int_equal(l->count, n);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(wire_list_get(l, i), expected[i]);
}

static void test_parse_client_hello_fields(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    build_client_hello(&b);
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_client_hello(b.data, b.len, &ch), PARSE_OK);
    assert_int_equal(ch.status, PARSE_OK);
    assert_false(ch.sslv2);
    assert_int_equal(ch.legacy_version, 0x0303);
    assert_ptr_equal(ch.random.data, b.data + 2);
    assert_int_equal(ch.random.len, 32);
    assert_int_equal(ch.session_id.len, 32);
    assert_list(&ch.cipher_suites, ch_suites, COUNT(ch_suites));
    assert_int_equal(ch.compression_methods.count, 1);
    assert_true(ch.has_sni);
    assert_int_equal(ch.sni.len, strlen(CH_SNI));
    assert_memory_equal(ch.sni.data, CH_SNI, strlen(CH_SNI));
    assert_list(&ch.supported_versions, ch_versions, COUNT(ch_versions));
    assert_list(&ch.supported_groups, ch_groups, COUNT(ch_groups));
    assert_list(&ch.signature_algorithms, ch_sig_algs, COUNT(ch_sig_algs));
    assert_int_equal(ch.ec_point_formats.count, 1);
    assert_true(ch.has_alpn);
    assert_int_equal(ch.alpn.len, 12);
    assert_memory_equal(ch.alpn.data, "\x02h2\x08http/1.1", 12);
    assert_int_equal(ch.key_share_count, 2);
    assert_int_equal(ch.key_share_groups[0], 0x2A2A);
    assert_int_equal(ch.key_share_groups[1], 0x001D);
    assert_int_equal(ch.extension_count, CH_EXTENSION_COUNT);
    assert_true(ch.has_extensions);
}

static void test_parse_client_hello_keeps_grease(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    build_client_hello(&b);
    struct tls_client_hello ch;
    tls_parse_client_hello(b.data, b.len, &ch);
    assert_true(tls_is_grease(wire_list_get(&ch.cipher_suites, 0)));
    assert_true(tls_is_grease(wire_list_get(&ch.supported_groups, 0)));
    assert_true(tls_is_grease(wire_list_get(&ch.supported_versions, 0)));
    assert_true(tls_is_grease(ch.key_share_groups[0]));
    assert_false(tls_is_grease(0x1301));
    assert_false(tls_is_grease(0x0A1A));
    /* The GREASE extension is counted: it is the first one in the block. */
    struct cursor block = cursor_make(ch.extensions.data, ch.extensions.len);
    struct tls_extension ext;
    assert_true(tls_next_extension(&block, &ext));
    assert_int_equal(ext.type, EXT_GREASE);
    assert_int_equal(ext.data.len, 0);
}

static void test_parse_client_hello_without_extensions(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_client_hello_prefix(&b);
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_client_hello(b.data, b.len, &ch), PARSE_OK);
    assert_false(ch.has_extensions);
    assert_int_equal(ch.extension_count, 0);
    assert_false(ch.has_sni);
    assert_false(ch.supported_versions.present);
    assert_int_equal(ch.cipher_suites.count, COUNT(ch_suites));
}

/* Version, random and an empty session id, then whatever the test writes. */
static void put_short_hello_start(struct bytebuf *b)
{
    bb_be16(b, 0x0303);
    bb_fill(b, 0x11, 32);
    bb_u8(b, 0);
}

static void test_parse_client_hello_odd_suite_length_floor_and_invalid(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_short_hello_start(&b);
    bb_be16(&b, 5);
    bb_be16(&b, 0x1301);
    bb_be16(&b, 0x1302);
    bb_u8(&b, 0xC0);
    bb_u8(&b, 1);
    bb_u8(&b, 0);
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_client_hello(b.data, b.len, &ch), PARSE_INVALID);
    assert_true(ch.cipher_suites.present);
    assert_int_equal(ch.cipher_suites.count, 2);
    assert_int_equal(wire_list_get(&ch.cipher_suites, 1), 0x1302);
    /* Parsing went on after the suites. */
    assert_int_equal(ch.compression_methods.count, 1);
}

static void test_parse_client_hello_suites_past_end_absent(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_short_hello_start(&b);
    bb_be16(&b, 0x0100);
    bb_be16(&b, 0x1301);
    bb_be16(&b, 0x1302);
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_client_hello(b.data, b.len, &ch), PARSE_INVALID);
    assert_false(ch.cipher_suites.present);
    assert_int_equal(ch.cipher_suites.count, 0);
    assert_int_equal(ch.random.len, 32);
}

static void test_parse_client_hello_extension_overrun_keeps_earlier(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_client_hello_prefix(&b);
    bb_be16(&b, 0x0200); /* far more than follows */
    put_sni_ext(&b, CH_SNI);
    put_list_ext(&b, EXT_GROUPS, 2, ch_groups, COUNT(ch_groups));
    bb_be16(&b, EXT_SIG_ALGS);
    bb_be16(&b, 32);     /* runs past the message */
    bb_be16(&b, 0x0403);
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_client_hello(b.data, b.len, &ch), PARSE_INVALID);
    assert_true(ch.has_sni);
    assert_memory_equal(ch.sni.data, CH_SNI, strlen(CH_SNI));
    assert_list(&ch.supported_groups, ch_groups, COUNT(ch_groups));
    assert_false(ch.signature_algorithms.present);
    assert_int_equal(ch.extension_count, 2);
}

static void test_parse_client_hello_cut_in_random_invalid(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    build_client_hello(&b);
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_client_hello(b.data, 20, &ch), PARSE_INVALID);
    assert_false(ch.cipher_suites.present);
    assert_false(ch.has_sni);
}

static void test_parse_server_hello_fields(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    build_server_hello(&b, 0x33, 0x1301, 0x0304, "h2");
    struct tls_server_hello sh;
    assert_int_equal(tls_parse_server_hello(b.data, b.len, HS_SERVER_HELLO, &sh), PARSE_OK);
    assert_false(sh.is_hello_retry_request);
    assert_int_equal(sh.legacy_version, 0x0303);
    assert_int_equal(sh.random.len, 32);
    assert_int_equal(sh.random.data[0], 0x33);
    assert_int_equal(sh.session_id.len, 32);
    assert_true(sh.has_cipher_suite);
    assert_int_equal(sh.cipher_suite, 0x1301);
    assert_int_equal(sh.compression_method, 0);
    assert_true(sh.has_supported_version);
    assert_int_equal(sh.supported_version, 0x0304);
    assert_int_equal(sh.key_share_group, 0x001D);
    assert_true(sh.has_alpn);
    assert_int_equal(sh.alpn.len, 2);
    assert_memory_equal(sh.alpn.data, "h2", 2);
    assert_int_equal(sh.extension_count, 3);
}

static const uint8_t hello_retry_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

static void build_hello_retry_request(struct bytebuf *b)
{
    build_server_hello(b, 0, 0x1301, 0x0304, NULL);
    memcpy(b->data + 2, hello_retry_random, 32);
}

static void test_parse_server_hello_retry_request_random(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    build_hello_retry_request(&b);
    struct tls_server_hello sh;
    assert_int_equal(tls_parse_server_hello(b.data, b.len, HS_SERVER_HELLO, &sh), PARSE_OK);
    assert_true(sh.is_hello_retry_request);
    assert_int_equal(sh.supported_version, 0x0304);
}

/* TLS 1.3 draft 18 (version 0x7F12): no session id, no compression. */
static void test_parse_server_hello_draft18_layout(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    bb_be16(&b, 0x7F12);
    bb_fill(&b, 0x44, 32);
    bb_be16(&b, 0x1301);
    size_t exts = bb_open(&b, 2);
    size_t e = ext_begin(&b, EXT_KEY_SHARE);
    bb_be16(&b, 0x001D);
    size_t key = bb_open(&b, 2);
    bb_fill(&b, 0x4B, 32);
    bb_close(&b, key, 2);
    ext_end(&b, e);
    bb_close(&b, exts, 2);
    struct tls_server_hello sh;
    assert_int_equal(tls_parse_server_hello(b.data, b.len, HS_SERVER_HELLO, &sh), PARSE_OK);
    assert_int_equal(sh.legacy_version, 0x7F12);
    assert_int_equal(sh.cipher_suite, 0x1301);
    assert_false(sh.has_supported_version);
    assert_int_equal(sh.session_id.len, 0);
}

static void test_parse_server_hello_tls12_without_extensions(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_short_hello_start(&b);
    bb_be16(&b, 0xC02F);
    bb_u8(&b, 0);
    struct tls_server_hello sh;
    assert_int_equal(tls_parse_server_hello(b.data, b.len, HS_SERVER_HELLO, &sh), PARSE_OK);
    assert_int_equal(sh.cipher_suite, 0xC02F);
    assert_false(sh.has_extensions);
    assert_false(sh.has_supported_version);
}

/* SSLv2 CLIENT-HELLO: type, version, three lengths, then cipher specs,
 * session id and challenge. */
static const uint8_t sslv2_specs[9] = { 0x01, 0x00, 0x80, 0x00, 0x00, 0x04, 0x00, 0xC0, 0x2F };

static void build_sslv2_client_hello(struct bytebuf *b, size_t specs_len)
{
    bb_u8(b, 1);
    bb_be16(b, 0x0301);
    bb_be16(b, (uint16_t)specs_len);
    bb_be16(b, 0);
    bb_be16(b, 16);
    bb_bytes(b, sslv2_specs, specs_len);
    bb_fill(b, 0xCC, 16);
}

static void test_parse_sslv2_client_hello_three_byte_specs(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    build_sslv2_client_hello(&b, sizeof sslv2_specs);
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_sslv2_client_hello(b.data, b.len, &ch), PARSE_OK);
    assert_true(ch.sslv2);
    assert_int_equal(ch.legacy_version, 0x0301);
    assert_int_equal(ch.cipher_suites.width, 3);
    assert_int_equal(ch.cipher_suites.count, 3);
    assert_int_equal(wire_list_get(&ch.cipher_suites, 0), 0x010080);
    assert_int_equal(wire_list_get(&ch.cipher_suites, 1), 0x000004);
    assert_int_equal(wire_list_get(&ch.cipher_suites, 2), 0x00C02F);
    assert_int_equal(ch.session_id.len, 0);
    assert_int_equal(ch.random.len, 16);
    assert_int_equal(ch.random.data[0], 0xCC);
}

static void test_parse_sslv2_client_hello_partial_spec_invalid(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    build_sslv2_client_hello(&b, 8);
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_sslv2_client_hello(b.data, b.len, &ch), PARSE_INVALID);
    assert_int_equal(ch.cipher_suites.count, 2);
}

/* ---- ServerKeyExchange parameters ---------------------------------------------------- */

enum { SUITE_DHE_RSA = 0x009E, SUITE_RSA = 0x009C, SUITE_ECDHE_RSA = 0xC02F, SUITE_DHE_PSK = 0x00AA };

/* ServerDHParams with a prime of prime_len bytes whose first byte is
 * top, then a TLS 1.2 signature. */
static void build_dhe_params(struct bytebuf *b, size_t prime_len, uint8_t top)
{
    size_t p = bb_open(b, 2);
    bb_u8(b, top);
    bb_fill(b, 0xA5, prime_len - 1);
    bb_close(b, p, 2);
    bb_be16(b, 1);
    bb_u8(b, 2);                    /* g = 2 */
    size_t ys = bb_open(b, 2);
    bb_fill(b, 0x5A, prime_len);
    bb_close(b, ys, 2);
    bb_be16(b, 0x0401);             /* rsa_pkcs1_sha256 */
    size_t sig = bb_open(b, 2);
    bb_fill(b, 0x11, 256);
    bb_close(b, sig, 2);
}

static void test_suite_key_exchange_from_the_suite_name(void **state)
{
    (void)state;
    assert_int_equal(tls_suite_key_exchange(SUITE_DHE_RSA), TLS_KX_DHE);
    assert_int_equal(tls_suite_key_exchange(0x0034), TLS_KX_DHE);         /* DH_anon */
    assert_int_equal(tls_suite_key_exchange(SUITE_DHE_PSK), TLS_KX_DHE_PSK);
    assert_int_equal(tls_suite_key_exchange(SUITE_ECDHE_RSA), TLS_KX_ECDHE);
    assert_int_equal(tls_suite_key_exchange(0xC018), TLS_KX_ECDHE);       /* ECDH_anon */
    assert_int_equal(tls_suite_key_exchange(0xC037), TLS_KX_ECDHE_PSK);
    assert_int_equal(tls_suite_key_exchange(0x0030), TLS_KX_OTHER);       /* static DH_DSS: no SKE */
    assert_int_equal(tls_suite_key_exchange(SUITE_RSA), TLS_KX_OTHER);
    assert_int_equal(tls_suite_key_exchange(0x1301), TLS_KX_OTHER);
    assert_int_equal(tls_suite_key_exchange(0x0A0A), TLS_KX_OTHER);       /* GREASE */
    assert_int_equal(tls_suite_key_exchange(0xFFFF), TLS_KX_OTHER);       /* unassigned */
}

static void test_server_key_exchange_dh_prime_bits(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    build_dhe_params(&b, 128, 0xF7);
    struct tls_server_key_exchange ske;
    assert_int_equal(tls_parse_server_key_exchange(b.data, b.len, SUITE_DHE_RSA, &ske), PARSE_OK);
    assert_int_equal(ske.kx, TLS_KX_DHE);
    assert_true(ske.has_dh_p);
    assert_int_equal(ske.dh_p.len, 128);
    assert_int_equal(ske.dh_p_bits, 1024);
    assert_int_equal(ske.dh_g.len, 1);
    assert_int_equal(ske.dh_ys.len, 128);
    assert_false(ske.has_named_group);

    b.len = 0;
    build_dhe_params(&b, 256, 0x80);
    assert_int_equal(tls_parse_server_key_exchange(b.data, b.len, SUITE_DHE_RSA, &ske), PARSE_OK);
    assert_int_equal(ske.dh_p_bits, 2048);
}

/* A prime sent with a leading zero byte (a signed-integer habit) is as
 * large as its first set bit says. */
static void test_server_key_exchange_dh_prime_leading_zeros(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    build_dhe_params(&b, 129, 0x00);
    b.data[3] = 0x7F;                /* the prime's second byte */
    struct tls_server_key_exchange ske;
    assert_int_equal(tls_parse_server_key_exchange(b.data, b.len, SUITE_DHE_RSA, &ske), PARSE_OK);
    assert_int_equal(ske.dh_p.len, 129);
    assert_int_equal(ske.dh_p_bits, 1023);
}

/* Cut inside the prime: nothing to report. Cut after it: the prime's size
 * is still known. */
static void test_server_key_exchange_truncated(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    build_dhe_params(&b, 128, 0xC0);
    struct tls_server_key_exchange ske;
    for (size_t cut = 0; cut < 2 + 128; cut++) {
        assert_int_equal(tls_parse_server_key_exchange(b.data, cut, SUITE_DHE_RSA, &ske), PARSE_TRUNCATED);
        assert_false(ske.has_dh_p);
        assert_int_equal(ske.dh_p_bits, 0);
    }
    for (size_t cut = 2 + 128; cut < 2 + 128 + 3 + 2 + 128; cut++) {
        assert_int_equal(tls_parse_server_key_exchange(b.data, cut, SUITE_DHE_RSA, &ske), PARSE_TRUNCATED);
        assert_true(ske.has_dh_p);
        assert_int_equal(ske.dh_p_bits, 1024);
    }
    /* The signature after the parameters is not read: a cut there is no fault of theirs. */
    assert_int_equal(tls_parse_server_key_exchange(b.data, 2 + 128 + 3 + 2 + 128, SUITE_DHE_RSA, &ske), PARSE_OK);
    assert_int_equal(tls_parse_server_key_exchange(NULL, 0, SUITE_DHE_RSA, &ske), PARSE_TRUNCATED);
}

/* dh_p, dh_g and dh_Ys are <1..2^16-1>: an empty one contradicts the grammar. */
static void test_server_key_exchange_empty_values_invalid(void **state)
{
    (void)state;
    static const uint8_t empty_prime[] = { 0, 0, 0, 1, 2, 0, 1, 9 };
    static const uint8_t empty_generator[] = { 0, 2, 0xFF, 0xFB, 0, 0, 0, 1, 9 };
    struct tls_server_key_exchange ske;
    assert_int_equal(tls_parse_server_key_exchange(empty_prime, sizeof empty_prime, SUITE_DHE_RSA, &ske),
                     PARSE_INVALID);
    assert_false(ske.has_dh_p);
    assert_int_equal(tls_parse_server_key_exchange(empty_generator, sizeof empty_generator, SUITE_DHE_RSA, &ske),
                     PARSE_INVALID);
    assert_true(ske.has_dh_p);
    assert_int_equal(ske.dh_p_bits, 16);
}

static void test_server_key_exchange_dhe_psk_hint_first(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t hint = bb_open(&b, 2);
    bb_str(&b, "endpoint-7");
    bb_close(&b, hint, 2);
    build_dhe_params(&b, 96, 0x80);
    struct tls_server_key_exchange ske;
    assert_int_equal(tls_parse_server_key_exchange(b.data, b.len, SUITE_DHE_PSK, &ske), PARSE_OK);
    assert_int_equal(ske.kx, TLS_KX_DHE_PSK);
    assert_int_equal(ske.dh_p_bits, 768);
}

static void test_server_key_exchange_ecdhe_named_curve(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    bb_u8(&b, 3);                    /* named_curve */
    bb_be16(&b, 0x001D);
    bb_u8(&b, 32);
    bb_fill(&b, 0x4B, 32);
    bb_be16(&b, 0x0804);
    size_t sig = bb_open(&b, 2);
    bb_fill(&b, 0x11, 64);
    bb_close(&b, sig, 2);
    struct tls_server_key_exchange ske;
    assert_int_equal(tls_parse_server_key_exchange(b.data, b.len, SUITE_ECDHE_RSA, &ske), PARSE_OK);
    assert_int_equal(ske.kx, TLS_KX_ECDHE);
    assert_int_equal(ske.curve_type, TLS_EC_CURVE_NAMED);
    assert_true(ske.has_named_group);
    assert_int_equal(ske.named_group, 0x001D);
    assert_int_equal(ske.ec_point.len, 32);
    assert_false(ske.has_dh_p);

    assert_int_equal(tls_parse_server_key_exchange(b.data, 3, SUITE_ECDHE_RSA, &ske), PARSE_TRUNCATED);
    assert_true(ske.has_named_group);
    b.data[3] = 0;                   /* ECPoint<1..2^8-1> */
    assert_int_equal(tls_parse_server_key_exchange(b.data, b.len, SUITE_ECDHE_RSA, &ske), PARSE_INVALID);
    b.data[0] = 1;                   /* explicit_prime: read no further */
    assert_int_equal(tls_parse_server_key_exchange(b.data, b.len, SUITE_ECDHE_RSA, &ske), PARSE_OK);
    assert_false(ske.has_named_group);
    b.data[0] = 7;                   /* no such ECCurveType */
    assert_int_equal(tls_parse_server_key_exchange(b.data, b.len, SUITE_ECDHE_RSA, &ske), PARSE_INVALID);
}

/* An RSA key exchange sends no ServerKeyExchange a client would weigh. */
static void test_server_key_exchange_other_suite_reads_nothing(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    build_dhe_params(&b, 128, 0x80);
    struct tls_server_key_exchange ske;
    assert_int_equal(tls_parse_server_key_exchange(b.data, b.len, SUITE_RSA, &ske), PARSE_OK);
    assert_int_equal(ske.kx, TLS_KX_OTHER);
    assert_false(ske.has_dh_p);
}

/* ---- (b) the record layer through tls_feed -------------------------------------------- */

struct seen {
    enum event_type type;
    uint64_t frame;
    int sender;
    uint32_t length;
    uint8_t handshake_type;
    uint16_t record_version;
    /* copied from a Client Hello */
    bool sslv2;
    uint32_t suite_count;
    char sni[64];
    /* copied from a Server Hello */
    bool hrr;
    uint16_t selected_version;
    uint8_t random[32];
    char alpn[16];
    struct tls_alert alert;
    const char *problem;
    uint8_t tls_phase;
    uint8_t ip_ttl;
    bool has_ip_id;
    uint16_t ip_id;
    /* copied from a reply that is not TLS */
    uint8_t not_tls_kind;
    char not_tls_bytes[16];
    /* copied from a ServerKeyExchange's parameters */
    bool has_key_exchange;
    uint32_t dh_bits;
};

static struct seen events[64];
static size_t n_events;

static void copy_text(char *dst, size_t cap, const uint8_t *src, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static void record_event(void *ctx, const struct event *ev)
{
    (void)ctx;
    assert_true(n_events < COUNT(events));
    struct seen *s = &events[n_events++];
    memset(s, 0, sizeof *s);
    s->type = ev->type;
    s->frame = ev->frame;
    s->sender = ev->sender;
    s->length = ev->length;
    s->handshake_type = ev->handshake_type;
    s->record_version = ev->record_version;
    s->tls_phase = ev->tls_phase;
    s->ip_ttl = ev->ip_ttl;
    s->has_ip_id = ev->has_ip_id;
    s->ip_id = ev->ip_id;
    switch (ev->type) {
    case EV_CLIENT_HELLO:
        s->sslv2 = ev->u.client_hello->sslv2;
        s->suite_count = ev->u.client_hello->cipher_suites.count;
        if (ev->u.client_hello->has_sni)
            copy_text(s->sni, sizeof s->sni, ev->u.client_hello->sni.data, ev->u.client_hello->sni.len);
        break;
    case EV_SERVER_HELLO: {
        const struct tls_server_hello *sh = ev->u.server_hello;
        s->hrr = sh->is_hello_retry_request;
        s->selected_version = sh->supported_version;
        /* Reads through every view, so a view into freed memory shows under ASan. */
        if (sh->random.data)
            memcpy(s->random, sh->random.data, 32);
        if (sh->has_alpn)
            copy_text(s->alpn, sizeof s->alpn, sh->alpn.data, sh->alpn.len);
        break;
    }
    case EV_ALERT:
        s->alert = *ev->u.alert;
        break;
    case EV_HANDSHAKE_OTHER:
        if (ev->u.server_key_exchange) {
            s->has_key_exchange = true;
            s->dh_bits = ev->u.server_key_exchange->dh_p_bits;
            /* Reads through the view, so a view into freed memory shows under ASan. */
            if (ev->u.server_key_exchange->has_dh_p)
                assert_int_not_equal(ev->u.server_key_exchange->dh_p.data[0], 0x00);
        }
        break;
    case EV_TLS_MALFORMED:
    case EV_TLS_LIMIT:
        s->problem = ev->u.problem;
        break;
    case EV_NOT_TLS:
        s->not_tls_kind = ev->u.not_tls->kind;
        copy_text(s->not_tls_bytes, sizeof s->not_tls_bytes, ev->u.not_tls->bytes, ev->u.not_tls->len);
        break;
    default:
        break;
    }
}

enum { CLIENT = 0, SERVER = 1 };

static struct tls_session session;
static struct tcp_conn conn;
static struct tls_limits limits;
static struct tls_keyring *keyring;   /* NULL: no key log */
static const struct event_sink sink = { NULL, record_event };

static int setup(void **state)
{
    (void)state;
    memset(&session, 0, sizeof session);
    memset(&conn, 0, sizeof conn);
    conn.ep[0].port = 40000;
    conn.ep[1].port = 443;
    conn.client = -1;
    limits.max_handshake_message = 256 * 1024;
    n_events = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tls_session_free(&session);
    return 0;
}

static void feed_at(int sender, uint64_t frame, const void *p, size_t len, bool segment_start)
{
    struct packet_view pkt = { .frame = frame, .ts_ns = (int64_t)frame * 1000 };
    struct tls_feed_ctx x = { &sink, &limits, &session, &conn, sender, &pkt, keyring };
    tls_feed(&x, p, len, segment_start);
}

/* A whole TCP segment. */
static void feed_segment(int sender, uint64_t frame, const struct bytebuf *b)
{
    feed_at(sender, frame, b->data, b->len, true);
}

static void gap(int sender, uint64_t frame, uint64_t missing)
{
    struct packet_view pkt = { .frame = frame };
    struct tls_feed_ctx x = { &sink, &limits, &session, &conn, sender, &pkt, keyring };
    tls_gap(&x, missing);
}

static void assert_event(size_t i, enum event_type type, uint64_t frame, int sender)
{
    assert_true(i < n_events);
    assert_int_equal(events[i].type, type);
    assert_int_equal(events[i].frame, frame);
    assert_int_equal(events[i].sender, sender);
}

static void put_alert_record(struct bytebuf *b, uint8_t level, uint8_t description)
{
    const uint8_t alert[2] = { level, description };
    put_record(b, CT_ALERT, alert, 2);
}

static void test_feed_client_hello_one_byte_at_a_time(void **state)
{
    (void)state;
    struct bytebuf rec = { .len = 0 };
    build_client_hello_record(&rec);
    for (size_t i = 0; i < rec.len; i++)
        feed_at(CLIENT, 100 + i, rec.data + i, 1, true);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_CLIENT_HELLO, 100 + rec.len - 1, CLIENT);
    assert_int_equal(events[0].length, rec.len - 9);
    assert_int_equal(events[0].record_version, 0x0301);
    assert_int_equal(events[0].handshake_type, HS_CLIENT_HELLO);
    assert_string_equal(events[0].sni, CH_SNI);
    assert_int_equal(events[0].suite_count, COUNT(ch_suites));
    assert_int_equal(conn.client, CLIENT);
    assert_int_equal(conn.role_source, ROLE_FROM_MESSAGE);
}

/* Server Hello (TLS 1.2), Certificate, Server Hello Done in one record. */
static void test_feed_several_messages_in_one_record(void **state)
{
    (void)state;
    struct bytebuf sh = { .len = 0 }, msgs = { .len = 0 }, rec = { .len = 0 };
    build_server_hello(&sh, 0x33, 0xC02F, 0, "h2");
    static const uint8_t cert[3] = { 0, 0, 0 }; /* an empty certificate list */
    put_handshake(&msgs, HS_SERVER_HELLO, sh.data, sh.len);
    put_handshake(&msgs, HS_CERTIFICATE, cert, sizeof cert);
    put_handshake(&msgs, HS_SERVER_HELLO_DONE, NULL, 0);
    put_record(&rec, CT_HANDSHAKE, msgs.data, msgs.len);
    feed_segment(SERVER, 7, &rec);
    assert_int_equal(n_events, 3);
    assert_event(0, EV_SERVER_HELLO, 7, SERVER);
    assert_string_equal(events[0].alpn, "h2");
    assert_event(1, EV_CERTIFICATE, 7, SERVER);
    assert_int_equal(events[1].length, 3);
    assert_event(2, EV_HANDSHAKE_OTHER, 7, SERVER);
    assert_int_equal(events[2].handshake_type, HS_SERVER_HELLO_DONE);
    assert_int_equal(events[2].length, 0);
    assert_int_equal(session.version, 0x0303);
    assert_int_equal(conn.client, CLIENT); /* the other end of a Server Hello */
}

static void test_feed_one_message_split_over_three_records(void **state)
{
    (void)state;
    struct bytebuf body = { .len = 0 }, msg = { .len = 0 };
    build_client_hello(&body);
    put_handshake(&msg, HS_CLIENT_HELLO, body.data, body.len);
    size_t third = msg.len / 3;
    for (int part = 0; part < 3; part++) {
        size_t from = (size_t)part * third, to = part == 2 ? msg.len : from + third;
        struct bytebuf rec = { .len = 0 };
        put_record(&rec, CT_HANDSHAKE, msg.data + from, to - from);
        feed_segment(CLIENT, 10 + (uint64_t)part, &rec);
        assert_int_equal(n_events, part == 2 ? 1 : 0);
    }
    assert_event(0, EV_CLIENT_HELLO, 12, CLIENT);
    assert_int_equal(events[0].length, body.len);
    assert_string_equal(events[0].sni, CH_SNI);
}

static void test_feed_message_split_with_header_across_records(void **state)
{
    (void)state;
    struct bytebuf body = { .len = 0 }, msg = { .len = 0 }, seg = { .len = 0 };
    build_client_hello(&body);
    put_handshake(&msg, HS_CLIENT_HELLO, body.data, body.len);
    put_record(&seg, CT_HANDSHAKE, msg.data, 2); /* half of the message header */
    put_record(&seg, CT_HANDSHAKE, msg.data + 2, msg.len - 2);
    feed_segment(CLIENT, 3, &seg);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_CLIENT_HELLO, 3, CLIENT);
    assert_string_equal(events[0].sni, CH_SNI);
}

static void test_feed_ccs_then_encrypted_finished_not_parsed(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 }, finished = { .len = 0 };
    static const uint8_t ccs = 1;
    put_record(&seg, CT_CCS, &ccs, 1);
    /* It even looks like a plaintext Finished; after CCS it is not read. */
    put_handshake(&finished, HS_FINISHED, "0123456789ab", 12);
    put_record(&seg, CT_HANDSHAKE, finished.data, finished.len);
    feed_segment(CLIENT, 5, &seg);
    assert_int_equal(n_events, 2);
    assert_event(0, EV_CHANGE_CIPHER_SPEC, 5, CLIENT);
    assert_event(1, EV_ENCRYPTED_HANDSHAKE, 5, CLIENT);
    assert_int_equal(events[1].length, 16);
    assert_true(session.dir[CLIENT].ccs_seen);
    assert_int_equal(session.dir[CLIENT].record.cap, 0);
    assert_int_equal(session.dir[CLIENT].handshake.cap, 0);
}

static void test_feed_two_byte_alert(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    put_alert_record(&seg, 2, 40);
    feed_segment(SERVER, 9, &seg);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_ALERT, 9, SERVER);
    assert_false(events[0].alert.encrypted);
    assert_int_equal(events[0].alert.level, 2);
    assert_int_equal(events[0].alert.description, 40);
    assert_int_equal(events[0].alert.record_len, 2);
    assert_int_equal(events[0].length, 2);
}

static void test_feed_26_byte_alert_is_encrypted(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    uint8_t body[26];
    memset(body, 0x5A, sizeof body);
    put_record(&seg, CT_ALERT, body, sizeof body);
    feed_segment(SERVER, 9, &seg);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_ALERT, 9, SERVER);
    assert_true(events[0].alert.encrypted);
    assert_int_equal(events[0].alert.record_len, 26);
    assert_int_equal(events[0].alert.level, 0);
    assert_int_equal(session.dir[SERVER].record.cap, 0);
}

static void test_feed_application_data_counted_never_copied(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    bb_u8(&seg, CT_APPDATA);
    bb_be16(&seg, 0x0303);
    bb_be16(&seg, 16384);
    bb_fill(&seg, 0xAB, 16384);
    /* In TCP-sized pieces. */
    for (size_t off = 0, frame = 1; off < seg.len; off += 1448, frame++) {
        size_t n = seg.len - off < 1448 ? seg.len - off : 1448;
        feed_at(SERVER, frame, seg.data + off, n, true);
    }
    assert_int_equal(n_events, 1);
    assert_event(0, EV_APPLICATION_DATA, (seg.len + 1447) / 1448, SERVER);
    assert_int_equal(events[0].length, 16384);
    assert_int_equal(session.dir[SERVER].record.cap, 0);
    assert_int_equal(session.dir[SERVER].handshake.cap, 0);
    assert_int_equal(session.dir[SERVER].records, 1);
}

static void test_feed_zero_length_records(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    put_record(&seg, CT_APPDATA, NULL, 0);
    put_record(&seg, CT_HANDSHAKE, NULL, 0);
    build_client_hello_record(&seg);
    put_record(&seg, CT_APPDATA, NULL, 0);
    feed_segment(CLIENT, 4, &seg);
    assert_int_equal(n_events, 3);
    assert_event(0, EV_APPLICATION_DATA, 4, CLIENT);
    assert_int_equal(events[0].length, 0);
    assert_event(1, EV_CLIENT_HELLO, 4, CLIENT);
    assert_event(2, EV_APPLICATION_DATA, 4, CLIENT);
    assert_int_equal(session.dir[CLIENT].records, 4);
}

static void test_feed_bad_content_type_out_of_sync_then_resync(void **state)
{
    (void)state;
    struct bytebuf hello = { .len = 0 }, bad = { .len = 0 }, alert = { .len = 0 };
    build_client_hello_record(&hello);
    static const uint8_t junk[7] = { 99, 3, 3, 0, 2, 1, 1 };
    bb_bytes(&bad, junk, sizeof junk);
    put_alert_record(&bad, 1, 0); /* in the same segment: ignored */
    put_alert_record(&alert, 2, 50);
    feed_segment(CLIENT, 1, &hello);
    feed_segment(CLIENT, 2, &bad);
    assert_false(session.dir[CLIENT].in_sync);
    feed_at(CLIENT, 3, alert.data, alert.len, false); /* not a segment start: ignored */
    feed_segment(CLIENT, 4, &alert);
    assert_int_equal(n_events, 3);
    assert_event(0, EV_CLIENT_HELLO, 1, CLIENT);
    assert_event(1, EV_TLS_MALFORMED, 2, CLIENT);
    assert_non_null(events[1].problem);
    assert_event(2, EV_ALERT, 4, CLIENT);
    assert_int_equal(events[2].alert.description, 50);
    assert_true(session.dir[CLIENT].in_sync);
}

/* ---- a peer that does not speak TLS ------------------------------------------------ */

static void feed_text(int sender, uint64_t frame, const char *text)
{
    feed_at(sender, frame, text, strlen(text), true);
}

static void test_not_tls_reply_classified_once(void **state)
{
    (void)state;
    struct bytebuf hello = { .len = 0 };
    build_client_hello_record(&hello);
    feed_segment(CLIENT, 1, &hello);
    feed_text(SERVER, 2, "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n");
    feed_text(SERVER, 3, "<html>still not TLS</html>");
    assert_int_equal(n_events, 2);
    assert_event(0, EV_CLIENT_HELLO, 1, CLIENT);
    assert_event(1, EV_NOT_TLS, 2, SERVER);
    assert_int_equal(events[1].not_tls_kind, NOT_TLS_HTTP);
    assert_int_equal(events[1].length, 43);
    assert_string_equal(events[1].not_tls_bytes, "HTTP/1.1 400 Ba");
    assert_false(session.dir[SERVER].in_sync);
}

static void test_not_tls_ssh_banner_and_other_bytes(void **state)
{
    (void)state;
    feed_text(SERVER, 1, "SSH-2.0-OpenSSH_9.2p1\r\n");
    feed_text(CLIENT, 2, "220 smtp.example ESMTP\r\n");
    assert_int_equal(n_events, 2);
    assert_event(0, EV_NOT_TLS, 1, SERVER);
    assert_int_equal(events[0].not_tls_kind, NOT_TLS_SSH);
    assert_event(1, EV_NOT_TLS, 2, CLIENT);
    assert_int_equal(events[1].not_tls_kind, NOT_TLS_OTHER);
}

/* Too short to tell, or a word that only starts like one: not TLS, and no
 * more than that. */
static void test_not_tls_truncated_starts(void **state)
{
    (void)state;
    static const char *const starts[] = { "S", "SS", "SSH", "HTTP", "HTTPS/1.1", "SSH_2.0" };
    for (size_t i = 0; i < COUNT(starts); i++) {
        setup(NULL);
        feed_text(SERVER, 1, starts[i]);
        assert_int_equal(n_events, 1);
        assert_event(0, EV_NOT_TLS, 1, SERVER);
        assert_int_equal(events[0].not_tls_kind, NOT_TLS_OTHER);
        assert_int_equal(events[0].length, strlen(starts[i]));
    }
}

/* A direction that begins with TLS, or whose first bytes the capture lost,
 * is never reported: later bytes that are not TLS are a malformed record, or
 * a gap's doing. */
static void test_not_tls_only_at_the_direction_start(void **state)
{
    (void)state;
    struct bytebuf alert = { .len = 0 };
    put_alert_record(&alert, 2, 40);
    feed_segment(SERVER, 1, &alert);
    feed_text(SERVER, 2, "HTTP/1.1 200 OK\r\n");
    gap(CLIENT, 3, 100);
    feed_text(CLIENT, 4, "SSH-2.0-x\r\n");
    assert_int_equal(n_events, 2);
    assert_event(0, EV_ALERT, 1, SERVER);
    assert_event(1, EV_TLS_MALFORMED, 2, SERVER);
}

/* Not a segment start (the middle of a segment the stream layer already
 * read from): nothing to say of where the direction begins. */
static void test_not_tls_not_at_segment_start_not_reported(void **state)
{
    (void)state;
    feed_at(SERVER, 1, "HTTP/1.1 200 OK", 15, false);
    assert_int_equal(n_events, 0);
}

static void test_events_carry_the_packets_ip_header(void **state)
{
    (void)state;
    struct bytebuf alert = { .len = 0 };
    put_alert_record(&alert, 2, 112);
    struct packet_view pkt = { .frame = 7, .ip_ttl = 63, .has_ip_id = true, .ip_id = 0x1234 };
    struct tls_feed_ctx x = { &sink, &limits, &session, &conn, SERVER, &pkt, keyring };
    tls_feed(&x, alert.data, alert.len, true);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_ALERT, 7, SERVER);
    assert_int_equal(events[0].ip_ttl, 63);
    assert_true(events[0].has_ip_id);
    assert_int_equal(events[0].ip_id, 0x1234);
}

static void test_feed_record_of_maximum_length_accepted(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    bb_u8(&seg, CT_APPDATA);
    bb_be16(&seg, 0x0303);
    bb_be16(&seg, 16384 + 2048);
    bb_fill(&seg, 0xAB, 16384 + 2048);
    feed_segment(SERVER, 1, &seg);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_APPLICATION_DATA, 1, SERVER);
    assert_int_equal(events[0].length, 16384 + 2048);
}

static void test_feed_record_longer_than_2_14_plus_2048_malformed(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    bb_u8(&seg, CT_APPDATA);
    bb_be16(&seg, 0x0303);
    bb_be16(&seg, 16384 + 2049);
    bb_fill(&seg, 0xAB, 100);
    feed_segment(SERVER, 1, &seg);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_TLS_MALFORMED, 1, SERVER);
    assert_false(session.dir[SERVER].in_sync);
}

static void put_tls12_server_hello_message(struct bytebuf *msgs)
{
    struct bytebuf sh = { .len = 0 };
    build_server_hello(&sh, 0x33, 0xC02F, 0, NULL);
    put_handshake(msgs, HS_SERVER_HELLO, sh.data, sh.len);
}

static void test_feed_16mb_handshake_message_limit_without_allocation(void **state)
{
    (void)state;
    struct bytebuf msgs = { .len = 0 }, seg = { .len = 0 };
    put_tls12_server_hello_message(&msgs);
    bb_u8(&msgs, HS_CERTIFICATE);
    bb_be24(&msgs, 0xFFFFFF);
    bb_fill(&msgs, 0x30, 100);
    put_record(&seg, CT_HANDSHAKE, msgs.data, msgs.len);
    feed_segment(SERVER, 1, &seg);
    assert_int_equal(n_events, 2);
    assert_event(0, EV_SERVER_HELLO, 1, SERVER);
    assert_event(1, EV_TLS_LIMIT, 1, SERVER);
    assert_int_equal(events[1].handshake_type, HS_CERTIFICATE);
    assert_int_equal(events[1].length, 0xFFFFFF);
    assert_non_null(events[1].problem);
    /* The rest of the message goes by without being collected. */
    static uint8_t filler[16000];
    memset(filler, 0x30, sizeof filler);
    for (uint64_t frame = 2; frame < 5; frame++) {
        struct bytebuf more = { .len = 0 };
        put_record(&more, CT_HANDSHAKE, filler, sizeof filler);
        feed_segment(SERVER, frame, &more);
    }
    assert_int_equal(n_events, 2);
    assert_int_equal(session.dir[SERVER].skip_handshake, 0xFFFFFF - 100 - 3 * sizeof filler);
    assert_true(session.dir[SERVER].handshake.cap <= 4096);
    assert_true(session.dir[SERVER].record.cap <= TLS_MAX_RECORD_LEN);
}

/* With a small cap, a message over it can sit whole inside one record,
 * followed by more messages: those must still be read. */
static void test_feed_oversized_message_whole_in_record_next_message_parsed(void **state)
{
    (void)state;
    limits.max_handshake_message = 1024;
    struct bytebuf msgs = { .len = 0 }, seg = { .len = 0 }, later = { .len = 0 };
    static uint8_t cert[2000];
    memset(cert, 0x30, sizeof cert);
    put_tls12_server_hello_message(&msgs);
    put_handshake(&msgs, HS_CERTIFICATE, cert, sizeof cert);
    put_handshake(&msgs, HS_SERVER_HELLO_DONE, NULL, 0);
    put_record(&seg, CT_HANDSHAKE, msgs.data, msgs.len);
    feed_segment(SERVER, 1, &seg);
    struct bytebuf hello_request = { .len = 0 };
    put_handshake(&hello_request, 0, NULL, 0);
    put_record(&later, CT_HANDSHAKE, hello_request.data, hello_request.len);
    feed_segment(SERVER, 2, &later);
    assert_int_equal(n_events, 4);
    assert_event(0, EV_SERVER_HELLO, 1, SERVER);
    assert_event(1, EV_TLS_LIMIT, 1, SERVER);
    assert_int_equal(events[1].length, sizeof cert);
    assert_event(2, EV_HANDSHAKE_OTHER, 1, SERVER);
    assert_int_equal(events[2].handshake_type, HS_SERVER_HELLO_DONE);
    assert_event(3, EV_HANDSHAKE_OTHER, 2, SERVER);
    assert_int_equal(events[3].handshake_type, 0);
    assert_int_equal(session.dir[SERVER].skip_handshake, 0);
}

static void test_feed_oversized_message_over_records_then_next_message(void **state)
{
    (void)state;
    limits.max_handshake_message = 1024;
    struct bytebuf msgs = { .len = 0 }, first = { .len = 0 }, second = { .len = 0 };
    static uint8_t cert[2000];
    memset(cert, 0x30, sizeof cert);
    put_handshake(&msgs, HS_CERTIFICATE, cert, sizeof cert);
    put_handshake(&msgs, HS_SERVER_HELLO_DONE, NULL, 0);
    put_record(&first, CT_HANDSHAKE, msgs.data, 500);
    put_record(&second, CT_HANDSHAKE, msgs.data + 500, msgs.len - 500);
    feed_segment(SERVER, 1, &first);
    feed_segment(SERVER, 2, &second);
    assert_int_equal(n_events, 2);
    assert_event(0, EV_TLS_LIMIT, 1, SERVER);
    assert_event(1, EV_HANDSHAKE_OTHER, 2, SERVER);
    assert_int_equal(events[1].handshake_type, HS_SERVER_HELLO_DONE);
}

static void test_feed_unknown_first_handshake_type_is_encrypted(void **state)
{
    (void)state;
    struct bytebuf msg = { .len = 0 }, seg = { .len = 0 };
    put_handshake(&msg, 0x63, "0123456789abcdef", 16);
    put_record(&seg, CT_HANDSHAKE, msg.data, msg.len);
    feed_segment(CLIENT, 1, &seg);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_ENCRYPTED_HANDSHAKE, 1, CLIENT);
    assert_int_equal(events[0].length, 20);
    assert_int_equal(session.dir[CLIENT].handshake.len, 0);
}

static void test_feed_first_handshake_message_of_64k_is_encrypted(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    uint8_t body[40];
    memset(body, 0x42, sizeof body);
    body[0] = HS_FINISHED;
    body[1] = 0x01, body[2] = 0x00, body[3] = 0x00; /* 65536 */
    put_record(&seg, CT_HANDSHAKE, body, sizeof body);
    feed_segment(CLIENT, 1, &seg);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_ENCRYPTED_HANDSHAKE, 1, CLIENT);
}

static void test_gap_inside_application_data_keeps_sync(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 }, rest = { .len = 0 };
    bb_u8(&seg, CT_APPDATA);
    bb_be16(&seg, 0x0303);
    bb_be16(&seg, 1000);
    bb_fill(&seg, 0xEE, 300);
    bb_fill(&rest, 0xEE, 300); /* 1000 = 300 + 400 missing + 300 */
    put_alert_record(&rest, 1, 0);
    feed_segment(SERVER, 1, &seg);
    gap(SERVER, 2, 400);
    feed_segment(SERVER, 3, &rest);
    assert_int_equal(n_events, 2);
    assert_event(0, EV_APPLICATION_DATA, 3, SERVER);
    assert_int_equal(events[0].length, 1000);
    assert_event(1, EV_ALERT, 3, SERVER);
    assert_true(session.dir[SERVER].in_sync);
}

static void test_gap_inside_handshake_record_loses_sync(void **state)
{
    (void)state;
    struct bytebuf hello = { .len = 0 }, alert = { .len = 0 };
    build_client_hello_record(&hello);
    put_alert_record(&alert, 2, 40);
    feed_at(CLIENT, 1, hello.data, 50, true);
    gap(CLIENT, 2, 20);
    assert_false(session.dir[CLIENT].in_sync);
    assert_int_equal(session.dir[CLIENT].handshake.len, 0);
    feed_at(CLIENT, 3, hello.data + 70, hello.len - 70, true); /* the rest: not a header */
    feed_segment(CLIENT, 4, &alert);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_ALERT, 4, CLIENT);
}

static void put_handshake_record_of(struct bytebuf *seg, const struct bytebuf *body, uint8_t type)
{
    struct bytebuf msg = { .len = 0 };
    put_handshake(&msg, type, body->data, body->len);
    put_record(seg, CT_HANDSHAKE, msg.data, msg.len);
}

static void test_tls13_server_hello_later_server_handshake_not_parsed(void **state)
{
    (void)state;
    struct bytebuf sh = { .len = 0 }, seg = { .len = 0 }, cert = { .len = 0 }, later = { .len = 0 };
    build_server_hello(&sh, 0x33, 0x1301, 0x0304, "h2");
    put_handshake_record_of(&seg, &sh, HS_SERVER_HELLO);
    bb_fill(&cert, 0, 3);
    put_handshake_record_of(&later, &cert, HS_CERTIFICATE); /* looks plaintext */
    feed_segment(SERVER, 1, &seg);
    feed_segment(SERVER, 2, &later);
    assert_int_equal(n_events, 2);
    assert_event(0, EV_SERVER_HELLO, 1, SERVER);
    assert_int_equal(events[0].selected_version, 0x0304);
    assert_string_equal(events[0].alpn, "h2");
    assert_int_equal(events[0].random[0], 0x33);
    assert_int_equal(events[0].random[31], 0x33);
    assert_event(1, EV_ENCRYPTED_HANDSHAKE, 2, SERVER);
    assert_int_equal(session.version, 0x0304);
    assert_true(session.dir[SERVER].encrypted_from_now);
    assert_int_equal(session.dir[SERVER].handshake.cap, 0);
    /* The client's direction is not affected. */
    struct bytebuf hello = { .len = 0 };
    build_client_hello_record(&hello);
    feed_segment(CLIENT, 3, &hello);
    assert_event(2, EV_CLIENT_HELLO, 3, CLIENT);
}

static void test_hello_retry_request_does_not_stop_parsing(void **state)
{
    (void)state;
    struct bytebuf hrr = { .len = 0 }, sh = { .len = 0 }, seg1 = { .len = 0 }, seg2 = { .len = 0 };
    build_hello_retry_request(&hrr);
    build_server_hello(&sh, 0x33, 0x1301, 0x0304, NULL);
    put_handshake_record_of(&seg1, &hrr, HS_SERVER_HELLO);
    put_handshake_record_of(&seg2, &sh, HS_SERVER_HELLO);
    feed_segment(SERVER, 1, &seg1);
    assert_false(session.dir[SERVER].encrypted_from_now);
    feed_segment(SERVER, 2, &seg2);
    assert_int_equal(n_events, 2);
    assert_true(events[0].hrr);
    assert_false(events[1].hrr);
    assert_true(session.dir[SERVER].encrypted_from_now);
}

/* RFC 8446 D.4: after a HelloRetryRequest both sides may send the
 * middlebox-compatibility ChangeCipherSpec; the second Client Hello and the
 * real Server Hello that follow are plaintext and must be read. */
static void test_compat_ccs_after_hello_retry_request_switches_nothing(void **state)
{
    (void)state;
    static const uint8_t ccs_body[1] = { 1 };
    struct bytebuf ch1 = { .len = 0 }, ch2 = { .len = 0 }, hrr = { .len = 0 }, sh = { .len = 0 };
    struct bytebuf server1 = { .len = 0 }, client2 = { .len = 0 }, server2 = { .len = 0 };
    build_client_hello_record(&ch1);
    build_hello_retry_request(&hrr);
    put_handshake_record_of(&server1, &hrr, HS_SERVER_HELLO);
    put_record(&server1, CT_CCS, ccs_body, 1);
    put_record(&client2, CT_CCS, ccs_body, 1);
    build_client_hello_record(&ch2);
    bb_bytes(&client2, ch2.data, ch2.len);
    build_server_hello(&sh, 0x33, 0x1301, 0x0304, NULL);
    put_handshake_record_of(&server2, &sh, HS_SERVER_HELLO);
    feed_segment(CLIENT, 1, &ch1);
    feed_segment(SERVER, 2, &server1);
    feed_segment(CLIENT, 3, &client2);
    feed_segment(SERVER, 4, &server2);
    assert_int_equal(n_events, 6);
    assert_event(0, EV_CLIENT_HELLO, 1, CLIENT);
    assert_event(1, EV_SERVER_HELLO, 2, SERVER);
    assert_true(events[1].hrr);
    assert_event(2, EV_CHANGE_CIPHER_SPEC, 2, SERVER);
    assert_event(3, EV_CHANGE_CIPHER_SPEC, 3, CLIENT);
    assert_event(4, EV_CLIENT_HELLO, 3, CLIENT);
    assert_event(5, EV_SERVER_HELLO, 4, SERVER);
    assert_false(events[5].hrr);
    assert_true(session.dir[SERVER].encrypted_from_now);
}

/* TLS 1.2 keeps its meaning: records after a CCS are encrypted. */
static void test_tls12_ccs_still_switches_to_encrypted(void **state)
{
    (void)state;
    static const uint8_t ccs_body[1] = { 1 };
    struct bytebuf sh = { .len = 0 }, seg = { .len = 0 }, fin = { .len = 0 };
    build_server_hello(&sh, 0x33, 0xC02F, 0, NULL);
    put_handshake_record_of(&seg, &sh, HS_SERVER_HELLO);
    put_record(&seg, CT_CCS, ccs_body, 1);
    bb_fill(&fin, 0, 12);
    put_handshake_record_of(&seg, &fin, HS_FINISHED);
    feed_segment(SERVER, 1, &seg);
    assert_int_equal(n_events, 3);
    assert_event(1, EV_CHANGE_CIPHER_SPEC, 1, SERVER);
    assert_event(2, EV_ENCRYPTED_HANDSHAKE, 1, SERVER);
    assert_true(session.dir[SERVER].ccs_seen);
}

static void put_opaque_record(struct bytebuf *b, size_t len)
{
    struct bytebuf body = { .len = 0 };
    bb_fill(&body, 0xE7, len);
    put_record(b, CT_APPDATA, body.data, body.len);
}

/* The server's flight of a DHE suite: the ServerKeyExchange's event
 * carries its parameters; with an RSA key exchange it carries none. */
static void test_server_key_exchange_event_carries_parameters(void **state)
{
    (void)state;
    struct bytebuf sh = { .len = 0 }, seg = { .len = 0 }, ske = { .len = 0 }, done = { .len = 0 };
    build_server_hello(&sh, 0x33, SUITE_DHE_RSA, 0, NULL);
    put_handshake_record_of(&seg, &sh, HS_SERVER_HELLO);
    build_dhe_params(&ske, 128, 0x80);
    put_handshake_record_of(&seg, &ske, 12);
    put_handshake_record_of(&seg, &done, HS_SERVER_HELLO_DONE);
    feed_segment(SERVER, 1, &seg);
    assert_int_equal(n_events, 3);
    assert_event(1, EV_HANDSHAKE_OTHER, 1, SERVER);
    assert_int_equal(events[1].handshake_type, 12);
    assert_true(events[1].has_key_exchange);
    assert_int_equal(events[1].dh_bits, 1024);
    assert_false(events[2].has_key_exchange);   /* ServerHelloDone */
}

static void test_server_key_exchange_of_rsa_suite_has_no_parameters(void **state)
{
    (void)state;
    struct bytebuf sh = { .len = 0 }, seg = { .len = 0 }, ske = { .len = 0 };
    build_server_hello(&sh, 0x33, SUITE_RSA, 0, NULL);
    put_handshake_record_of(&seg, &sh, HS_SERVER_HELLO);
    build_dhe_params(&ske, 128, 0x80);
    put_handshake_record_of(&seg, &ske, 12);
    feed_segment(SERVER, 1, &seg);
    assert_int_equal(n_events, 2);
    assert_event(1, EV_HANDSHAKE_OTHER, 1, SERVER);
    assert_false(events[1].has_key_exchange);
}

/* TLS 1.3 without keys: the server's flight and the client's Finished are
 * encrypted handshake, what follows is application data. */
static void test_tls13_opaque_records_classified_by_phase(void **state)
{
    (void)state;
    static const uint8_t ccs_body[1] = { 1 };
    struct bytebuf ch = { .len = 0 }, sh = { .len = 0 }, server1 = { .len = 0 }, client2 = { .len = 0 };
    struct bytebuf server3 = { .len = 0 };
    build_client_hello_record(&ch);
    build_server_hello(&sh, 0x33, 0x1301, 0x0304, NULL);
    put_handshake_record_of(&server1, &sh, HS_SERVER_HELLO);
    put_record(&server1, CT_CCS, ccs_body, 1);
    put_opaque_record(&server1, 2000);  /* EncryptedExtensions .. Finished */
    put_record(&client2, CT_CCS, ccs_body, 1);
    put_opaque_record(&client2, 53);    /* Finished: 4 + 32 + 1 + 16 */
    put_opaque_record(&client2, 90);    /* the request */
    put_opaque_record(&server3, 250);   /* a ticket or data: only keys tell */
    put_opaque_record(&server3, 900);
    feed_segment(CLIENT, 1, &ch);
    feed_segment(SERVER, 2, &server1);
    feed_segment(CLIENT, 3, &client2);
    feed_segment(SERVER, 4, &server3);
    assert_int_equal(n_events, 9);
    assert_event(3, EV_ENCRYPTED_HANDSHAKE, 2, SERVER);
    assert_int_equal(events[3].tls_phase, TLS_PHASE_SERVER_FLIGHT);
    assert_int_equal(events[3].length, 2000);
    assert_event(4, EV_CHANGE_CIPHER_SPEC, 3, CLIENT);
    assert_event(5, EV_ENCRYPTED_HANDSHAKE, 3, CLIENT);
    assert_int_equal(events[5].tls_phase, TLS_PHASE_CLIENT_FLIGHT);
    assert_event(6, EV_APPLICATION_DATA, 3, CLIENT);
    assert_int_equal(events[6].tls_phase, TLS_PHASE_AFTER_HANDSHAKE);
    assert_event(7, EV_APPLICATION_DATA, 4, SERVER);
    assert_int_equal(events[7].tls_phase, TLS_PHASE_AFTER_HANDSHAKE);
    assert_event(8, EV_APPLICATION_DATA, 4, SERVER);
}

/* A client certificate: Certificate, CertificateVerify, Finished. */
static void test_tls13_client_flight_with_certificate(void **state)
{
    (void)state;
    struct bytebuf sh = { .len = 0 }, server1 = { .len = 0 }, client2 = { .len = 0 };
    build_server_hello(&sh, 0x33, 0x1302, 0x0304, NULL);
    put_handshake_record_of(&server1, &sh, HS_SERVER_HELLO);
    put_opaque_record(&server1, 3000);
    put_opaque_record(&client2, 1200);  /* Certificate */
    put_opaque_record(&client2, 280);   /* CertificateVerify */
    put_opaque_record(&client2, 69);    /* Finished: 4 + 48 + 1 + 16 */
    put_opaque_record(&client2, 19);    /* alert-sized: data as far as the record layer knows */
    feed_segment(SERVER, 1, &server1);
    feed_segment(CLIENT, 2, &client2);
    assert_int_equal(n_events, 6);
    for (size_t i = 2; i <= 4; i++) {
        assert_event(i, EV_ENCRYPTED_HANDSHAKE, 2, CLIENT);
        assert_int_equal(events[i].tls_phase, TLS_PHASE_CLIENT_FLIGHT);
    }
    assert_event(5, EV_APPLICATION_DATA, 2, CLIENT);
}

/* TLS 1.2 application data has no phase. */
static void test_tls12_application_data_has_no_phase(void **state)
{
    (void)state;
    struct bytebuf sh = { .len = 0 }, seg = { .len = 0 };
    build_server_hello(&sh, 0x33, 0xC02F, 0, NULL);
    put_handshake_record_of(&seg, &sh, HS_SERVER_HELLO);
    put_opaque_record(&seg, 100);
    feed_segment(SERVER, 1, &seg);
    assert_event(1, EV_APPLICATION_DATA, 1, SERVER);
    assert_int_equal(events[1].tls_phase, TLS_PHASE_NONE);
}

static void test_feed_sslv2_client_hello(void **state)
{
    (void)state;
    struct bytebuf msg = { .len = 0 }, seg = { .len = 0 };
    build_sslv2_client_hello(&msg, sizeof sslv2_specs);
    bb_u8(&seg, (uint8_t)(0x80 | msg.len >> 8));
    bb_u8(&seg, (uint8_t)msg.len);
    bb_bytes(&seg, msg.data, msg.len);
    feed_segment(CLIENT, 1, &seg);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_CLIENT_HELLO, 1, CLIENT);
    assert_true(events[0].sslv2);
    assert_int_equal(events[0].suite_count, 3);
    assert_int_equal(events[0].length, msg.len);
    assert_int_equal(conn.client, CLIENT);
}

/* ---- tls_looks_like_start ------------------------------------------------------------------ */

static bool looks(const char *hex_bytes, size_t len, bool first)
{
    return tls_looks_like_start((const uint8_t *)hex_bytes, len, first);
}

static void test_looks_like_start_first_payload_any_record_type(void **state)
{
    (void)state;
    assert_true(looks("\x14\x03\x03", 3, true));
    assert_true(looks("\x15\x03\x01\x00\x02", 5, true));
    assert_true(looks("\x16\x03\x00\x00\x10", 5, true));
    assert_true(looks("\x17\x03\x04\x00\x10", 5, true));
    assert_false(looks("\x13\x03\x03\x00\x10", 5, true)); /* not a record type */
    assert_false(looks("\x18\x03\x03\x00\x10", 5, true)); /* heartbeat does not start one */
    assert_false(looks("\x16\x03\x05\x00\x10", 5, true)); /* no TLS 3.5 */
    assert_false(looks("\x16\x02\x00\x00\x10", 5, true));
    assert_false(looks("\x16\x03", 2, true));             /* too short to tell */
    assert_false(looks("GET / HTTP/1.1\r\n", 16, true));
}

static void test_looks_like_start_later_only_hello_records(void **state)
{
    (void)state;
    assert_true(looks("\x16\x03\x01\x02\x00\x01", 6, false));  /* Client Hello */
    assert_true(looks("\x16\x03\x03\x00\x5a\x02", 6, false));  /* Server Hello */
    assert_false(looks("\x16\x03\x03\x00\x5a\x0b", 6, false)); /* Certificate */
    assert_false(looks("\x17\x03\x03\x00\x20\x01", 6, false)); /* application data */
    assert_false(looks("\x15\x03\x03\x00\x02\x02", 6, false));
    assert_false(looks("\x16\x03\x01\x02\x00", 5, false));     /* handshake type not there */
}

static void test_looks_like_start_sslv2_hello(void **state)
{
    (void)state;
    struct bytebuf msg = { .len = 0 }, seg = { .len = 0 };
    build_sslv2_client_hello(&msg, sizeof sslv2_specs);
    bb_u8(&seg, 0x80);
    bb_u8(&seg, (uint8_t)msg.len);
    bb_bytes(&seg, msg.data, msg.len);
    assert_true(tls_looks_like_start(seg.data, seg.len, true));
    assert_false(tls_looks_like_start(seg.data, seg.len, false));
    seg.data[2] = 7; /* not a hello */
    assert_false(tls_looks_like_start(seg.data, seg.len, true));
}

#define P(name) cmocka_unit_test(name)
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        P(test_parse_client_hello_fields),
        P(test_parse_client_hello_keeps_grease),
        P(test_parse_client_hello_without_extensions),
        P(test_parse_client_hello_odd_suite_length_floor_and_invalid),
        P(test_parse_client_hello_suites_past_end_absent),
        P(test_parse_client_hello_extension_overrun_keeps_earlier),
        P(test_parse_client_hello_cut_in_random_invalid),
        P(test_parse_server_hello_fields),
        P(test_parse_server_hello_retry_request_random),
        P(test_parse_server_hello_tls12_without_extensions),
        P(test_parse_server_hello_draft18_layout),
        P(test_parse_sslv2_client_hello_three_byte_specs),
        P(test_parse_sslv2_client_hello_partial_spec_invalid),
        P(test_suite_key_exchange_from_the_suite_name),
        P(test_server_key_exchange_dh_prime_bits),
        P(test_server_key_exchange_dh_prime_leading_zeros),
        P(test_server_key_exchange_truncated),
        P(test_server_key_exchange_empty_values_invalid),
        P(test_server_key_exchange_dhe_psk_hint_first),
        P(test_server_key_exchange_ecdhe_named_curve),
        P(test_server_key_exchange_other_suite_reads_nothing),
        T(test_feed_client_hello_one_byte_at_a_time),
        T(test_feed_several_messages_in_one_record),
        T(test_feed_one_message_split_over_three_records),
        T(test_feed_message_split_with_header_across_records),
        T(test_feed_ccs_then_encrypted_finished_not_parsed),
        T(test_feed_two_byte_alert),
        T(test_feed_26_byte_alert_is_encrypted),
        T(test_feed_application_data_counted_never_copied),
        T(test_feed_zero_length_records),
        T(test_feed_bad_content_type_out_of_sync_then_resync),
        T(test_feed_record_of_maximum_length_accepted),
        T(test_feed_record_longer_than_2_14_plus_2048_malformed),
        T(test_feed_16mb_handshake_message_limit_without_allocation),
        T(test_feed_oversized_message_whole_in_record_next_message_parsed),
        T(test_feed_oversized_message_over_records_then_next_message),
        T(test_feed_unknown_first_handshake_type_is_encrypted),
        T(test_feed_first_handshake_message_of_64k_is_encrypted),
        T(test_not_tls_reply_classified_once),
        T(test_not_tls_ssh_banner_and_other_bytes),
        T(test_not_tls_truncated_starts),
        T(test_not_tls_only_at_the_direction_start),
        T(test_not_tls_not_at_segment_start_not_reported),
        T(test_events_carry_the_packets_ip_header),
        T(test_gap_inside_application_data_keeps_sync),
        T(test_gap_inside_handshake_record_loses_sync),
        T(test_tls13_server_hello_later_server_handshake_not_parsed),
        T(test_hello_retry_request_does_not_stop_parsing),
        T(test_compat_ccs_after_hello_retry_request_switches_nothing),
        T(test_tls12_ccs_still_switches_to_encrypted),
        T(test_server_key_exchange_event_carries_parameters),
        T(test_server_key_exchange_of_rsa_suite_has_no_parameters),
        T(test_tls13_opaque_records_classified_by_phase),
        T(test_tls13_client_flight_with_certificate),
        T(test_tls12_application_data_has_no_phase),
        T(test_feed_sslv2_client_hello),
        T(test_looks_like_start_first_payload_any_record_type),
        T(test_looks_like_start_later_only_hello_records),
        T(test_looks_like_start_sslv2_hello),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
