/* Unit tests for analyzer/facts/fingerprint.c: JA3, JA3S, JA4 and JA4_r.
 *
 * The hellos are built here byte by byte and parsed with dissect/tls_hello.c.
 * Expected strings follow the Salesforce JA3 reference (python/ja3.py) and
 * FoxIO's technical_details/JA4.md; the first JA4 case is the spec's own
 * worked example (t13d1516h2_8daaf6152771_e5627efa2ab1), with GREASE added
 * everywhere a browser puts it. Digests were computed independently
 * (Python hashlib) from the strings shown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "bytebuf.h"
#include "fingerprint.h"

static struct bytebuf buf;

/* ---- building hellos ---------------------------------------------------------- */

static void ch_begin(struct bytebuf *b, uint16_t version, const uint16_t *suites, size_t n)
{
    b->len = 0;
    bb_be16(b, version);
    bb_fill(b, 0x11, 32);          /* random */
    bb_u8(b, 32);                  /* session id */
    bb_fill(b, 0x22, 32);
    bb_be16(b, (uint16_t)(n * 2));
    for (size_t i = 0; i < n; i++)
        bb_be16(b, suites[i]);
    bb_u8(b, 1);                   /* compression: null */
    bb_u8(b, 0);
}

static size_t ext_open(struct bytebuf *b, uint16_t type)
{
    bb_be16(b, type);
    return bb_open(b, 2);
}

static void ext_close(struct bytebuf *b, size_t at) { bb_close(b, at, 2); }

static void ext_bytes(struct bytebuf *b, uint16_t type, const void *data, size_t n)
{
    size_t at = ext_open(b, type);
    bb_bytes(b, data, n);
    ext_close(b, at);
}

static void ext_empty(struct bytebuf *b, uint16_t type) { ext_bytes(b, type, "", 0); }

static void ext_sni(struct bytebuf *b, const char *host)
{
    size_t at = ext_open(b, 0x0000);
    size_t list = bb_open(b, 2);
    bb_u8(b, 0);
    bb_be16(b, (uint16_t)strlen(host));
    bb_str(b, host);
    bb_close(b, list, 2);
    ext_close(b, at);
}

/* An ALPN extension with protocol names given as (pointer, length) pairs. */
static void ext_alpn_raw(struct bytebuf *b, const uint8_t *const *names, const size_t *lens, size_t n)
{
    size_t at = ext_open(b, 0x0010);
    size_t list = bb_open(b, 2);
    for (size_t i = 0; i < n; i++) {
        bb_u8(b, (uint8_t)lens[i]);
        bb_bytes(b, names[i], lens[i]);
    }
    bb_close(b, list, 2);
    ext_close(b, at);
}

static void ext_alpn(struct bytebuf *b, const char *const *names, size_t n)
{
    const uint8_t *p[8];
    size_t l[8];
    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        p[i] = (const uint8_t *)names[i];
        l[i] = strlen(names[i]);
    }
    ext_alpn_raw(b, p, l, n);
}

/* A list of 16-bit values behind a length prefix of prefix_bytes. */
static void ext_u16_list(struct bytebuf *b, uint16_t type, int prefix_bytes, const uint16_t *v, size_t n)
{
    size_t at = ext_open(b, type);
    size_t list = bb_open(b, prefix_bytes);
    for (size_t i = 0; i < n; i++)
        bb_be16(b, v[i]);
    bb_close(b, list, prefix_bytes);
    ext_close(b, at);
}

static void ext_point_formats(struct bytebuf *b, const uint8_t *v, size_t n)
{
    size_t at = ext_open(b, 0x000B);
    bb_u8(b, (uint8_t)n);
    bb_bytes(b, v, n);
    ext_close(b, at);
}

static void ext_key_share(struct bytebuf *b)
{
    size_t at = ext_open(b, 0x0033);
    size_t list = bb_open(b, 2);
    bb_be16(b, 0x4A4A);            /* GREASE key share, one byte */
    bb_be16(b, 1);
    bb_u8(b, 0);
    bb_be16(b, 0x001D);            /* x25519 */
    bb_be16(b, 32);
    bb_fill(b, 0x33, 32);
    bb_close(b, list, 2);
    ext_close(b, at);
}

static void parse_ch(const struct bytebuf *b, struct tls_client_hello *ch)
{
    assert_int_equal(tls_parse_client_hello(b->data, b->len, ch), PARSE_OK);
}

/* ---- checking ------------------------------------------------------------------- */

static void check_ja3(const struct tls_client_hello *ch, const char *text, const char *md5)
{
    char t[JA3_TEXT_MAX], h[33];
    fingerprint_ja3(ch, t, sizeof t, h);
    assert_string_equal(t, text);
    assert_string_equal(h, md5);
}

static void check_ja4(const struct tls_client_hello *ch, const char *ja4, const char *raw)
{
    char out[JA4_MAX];
    static char r[8192];
    fingerprint_ja4(ch, out);
    assert_string_equal(out, ja4);
    fingerprint_ja4_raw(ch, r, sizeof r);
    assert_string_equal(r, raw);
}

/* ---- the JA4 spec example, Chrome-style GREASE added ------------------------- */

static const uint16_t spec_suites[] = {
    0x0A0A, /* GREASE */
    0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC013, 0xC014,
    0x009C, 0x009D, 0x002F, 0x0035,
};

/* Extensions in the spec's order 001b,0000,0033,0010,4469,0017,002d,000d,0005,
 * 0023,0012,002b,ff01,000b,000a,0015, between two GREASE extensions. */
static void build_spec_hello(struct bytebuf *b, const uint16_t *sigalgs, size_t n_sigalgs)
{
    static const char *const alpn[] = { "h2", "http/1.1" };
    static const uint16_t versions[] = { 0x6A6A, 0x0304, 0x0303 };
    static const uint16_t groups[] = { 0x7A7A, 0x001D, 0x0017, 0x0018 };
    static const uint8_t formats[] = { 0 };
    static const uint8_t compress[] = { 0x02, 0x00, 0x02 };
    static const uint8_t alps[] = { 0x00, 0x03, 0x02, 'h', '2' };
    static const uint8_t psk_modes[] = { 0x01, 0x01 };
    static const uint8_t status[] = { 0x01, 0x00, 0x00, 0x00, 0x00 };
    static const uint8_t reneg[] = { 0x00 };
    static const uint8_t zeros[10] = { 0 };

    ch_begin(b, 0x0303, spec_suites, sizeof spec_suites / sizeof spec_suites[0]);
    size_t exts = bb_open(b, 2);
    ext_empty(b, 0x2A2A);
    ext_bytes(b, 0x001B, compress, sizeof compress);
    ext_sni(b, "example.com");
    ext_key_share(b);
    ext_alpn(b, alpn, 2);
    ext_bytes(b, 0x4469, alps, sizeof alps);
    ext_empty(b, 0x0017);
    ext_bytes(b, 0x002D, psk_modes, sizeof psk_modes);
    ext_u16_list(b, 0x000D, 2, sigalgs, n_sigalgs);
    ext_bytes(b, 0x0005, status, sizeof status);
    ext_empty(b, 0x0023);
    ext_empty(b, 0x0012);
    ext_u16_list(b, 0x002B, 1, versions, 3);
    ext_bytes(b, 0xFF01, reneg, sizeof reneg);
    ext_point_formats(b, formats, sizeof formats);
    ext_u16_list(b, 0x000A, 2, groups, 4);
    ext_bytes(b, 0x0015, zeros, sizeof zeros);
    ext_bytes(b, 0x3A3A, zeros, 1);
    bb_close(b, exts, 2);
}

static const uint16_t spec_sigalgs[] = {
    0x5A5A, /* GREASE, as Chrome 152+ sends */
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601,
};

#define SPEC_JA4_R_AB                                                                            \
    "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_" \
    "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01"

static void test_spec_example_with_grease(void **state)
{
    (void)state;
    struct tls_client_hello ch;
    build_spec_hello(&buf, spec_sigalgs, sizeof spec_sigalgs / sizeof spec_sigalgs[0]);
    parse_ch(&buf, &ch);
    check_ja4(&ch, "t13d1516h2_8daaf6152771_e5627efa2ab1",
              SPEC_JA4_R_AB "_0403,0804,0401,0503,0805,0501,0806,0601");
    check_ja3(&ch,
              "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,"
              "27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0",
              "c000e2caf3a25423f9de6c8a4b12a975");
}

/* No signature algorithms left after GREASE: part c has no '_' (the spec's
 * "6d807ffa2a79" example). */
static void test_no_signature_algorithms(void **state)
{
    (void)state;
    static const uint16_t grease_only[] = { 0x5A5A, 0x9A9A };
    struct tls_client_hello ch;
    build_spec_hello(&buf, grease_only, 2);
    parse_ch(&buf, &ch);
    check_ja4(&ch, "t13d1516h2_8daaf6152771_6d807ffa2a79", SPEC_JA4_R_AB);

    build_spec_hello(&buf, grease_only, 0); /* present, empty */
    parse_ch(&buf, &ch);
    check_ja4(&ch, "t13d1516h2_8daaf6152771_6d807ffa2a79", SPEC_JA4_R_AB);
}

/* ---- other shapes ------------------------------------------------------------------ */

static void test_tls12_without_sni(void **state)
{
    (void)state;
    static const uint16_t suites[] = { 0xC02F, 0xC030, 0x009C, 0x00FF };
    static const uint8_t formats[] = { 0, 1, 2 };
    static const uint16_t groups[] = { 0x001D, 0x0017 };
    static const uint16_t sigalgs[] = { 0x0401, 0x0201 };
    static const char *const alpn[] = { "http/1.1" };
    struct tls_client_hello ch;
    ch_begin(&buf, 0x0303, suites, 4);
    size_t exts = bb_open(&buf, 2);
    ext_point_formats(&buf, formats, 3);
    ext_u16_list(&buf, 0x000A, 2, groups, 2);
    ext_u16_list(&buf, 0x000D, 2, sigalgs, 2);
    ext_alpn(&buf, alpn, 1);
    ext_empty(&buf, 0x0017);
    bb_close(&buf, exts, 2);
    parse_ch(&buf, &ch);
    check_ja3(&ch, "771,49199-49200-156-255,11-10-13-16-23,29-23,0-1-2", "aa9f45bd7bb5d379e93ae5818241b8cc");
    check_ja4(&ch, "t12i0405h1_fe3406f53c8c_0f31238089db",
              "t12i0405h1_009c,00ff,c02f,c030_000a,000b,000d,0017_0401,0201");
}

static void test_without_alpn(void **state)
{
    (void)state;
    static const uint16_t suites[] = { 0xC014, 0x0035, 0x000A };
    static const uint16_t groups[] = { 0x0017 };
    static const uint8_t formats[] = { 0 };
    static const uint8_t reneg[] = { 0 };
    struct tls_client_hello ch;
    ch_begin(&buf, 0x0301, suites, 3);
    size_t exts = bb_open(&buf, 2);
    ext_sni(&buf, "a.example");
    ext_u16_list(&buf, 0x000A, 2, groups, 1);
    ext_point_formats(&buf, formats, 1);
    ext_bytes(&buf, 0xFF01, reneg, 1);
    bb_close(&buf, exts, 2);
    parse_ch(&buf, &ch);
    check_ja3(&ch, "769,49172-53-10,0-10-11-65281,23,0", "958342fa8f1774cd173c3faae5be8e04");
    check_ja4(&ch, "t10d030400_c1b3e11fac4e_f8ec56bc740a", "t10d030400_000a,0035,c014_000a,000b,ff01");
}

/* No extension block at all: JA3 keeps its five fields (Salesforce), JA4 part c
 * is the all-zero hash. */
static void test_no_extensions(void **state)
{
    (void)state;
    static const uint16_t suites[] = { 0x002F, 0x0035 };
    struct tls_client_hello ch;
    ch_begin(&buf, 0x0301, suites, 2);
    parse_ch(&buf, &ch);
    assert_false(ch.has_extensions);
    check_ja3(&ch, "769,47-53,,,", "dac4920d4335e769327dbf4e1b759e15");
    check_ja4(&ch, "t10i020000_f54dd463d39b_000000000000", "t10i020000_002f,0035_");

    /* An empty extension block is the same. */
    bb_be16(&buf, 0);
    parse_ch(&buf, &ch);
    assert_true(ch.has_extensions);
    check_ja3(&ch, "769,47-53,,,", "dac4920d4335e769327dbf4e1b759e15");
    check_ja4(&ch, "t10i020000_f54dd463d39b_000000000000", "t10i020000_002f,0035_");
}

/* supported_versions decides the version: its highest non-GREASE value, and
 * legacy_version when only GREASE is listed. */
static void test_supported_versions(void **state)
{
    (void)state;
    static const uint16_t suites[] = { 0xC02F };
    static const uint16_t versions[] = { 0x1A1A, 0x0302, 0x0303 };
    static const uint16_t only_grease[] = { 0x1A1A };
    static const uint16_t sigalgs[] = { 0x0804 };
    struct tls_client_hello ch;

    ch_begin(&buf, 0x0303, suites, 1);
    size_t exts = bb_open(&buf, 2);
    ext_u16_list(&buf, 0x002B, 1, versions, 3);
    ext_u16_list(&buf, 0x000D, 2, sigalgs, 1);
    bb_close(&buf, exts, 2);
    parse_ch(&buf, &ch);
    check_ja4(&ch, "t12i010200_f06271c2b022_7d7d0a6273d8", "t12i010200_c02f_000d,002b_0804");

    ch_begin(&buf, 0x0301, suites, 1);
    exts = bb_open(&buf, 2);
    ext_u16_list(&buf, 0x002B, 1, only_grease, 1);
    ext_u16_list(&buf, 0x000D, 2, sigalgs, 1);
    bb_close(&buf, exts, 2);
    parse_ch(&buf, &ch);
    check_ja4(&ch, "t10i010200_f06271c2b022_7d7d0a6273d8", "t10i010200_c02f_000d,002b_0804");

    /* JA3 uses legacy_version whatever supported_versions says. */
    char t[JA3_TEXT_MAX], h[33];
    fingerprint_ja3(&ch, t, sizeof t, h);
    assert_string_equal(t, "769,49199,43-13,,");
}

/* SSLv2 CLIENT-HELLO: three-byte cipher specs; those with a zero first byte
 * are TLS suites and count, the SSLv2-only ones do not. */
static void build_sslv2(struct bytebuf *b, uint16_t version, const uint32_t *specs, size_t n)
{
    b->len = 0;
    bb_u8(b, 1);                    /* CLIENT-HELLO */
    bb_be16(b, version);
    bb_be16(b, (uint16_t)(n * 3));
    bb_be16(b, 0);                  /* session id */
    bb_be16(b, 16);                 /* challenge */
    for (size_t i = 0; i < n; i++)
        bb_be24(b, specs[i]);
    bb_fill(b, 0x44, 16);
}

static void test_sslv2_hello(void **state)
{
    (void)state;
    static const uint32_t compat[] = { 0x010080, 0x070040, 0x000039, 0x00002F, 0x0000FF };
    static const uint32_t pure[] = { 0x010080, 0x020080 };
    struct tls_client_hello ch;

    build_sslv2(&buf, 0x0301, compat, 5);
    assert_int_equal(tls_parse_sslv2_client_hello(buf.data, buf.len, &ch), PARSE_OK);
    check_ja3(&ch, "769,57-47-255,,,", "98216a28a2fe7f6b5bc3f78b698bf862");
    check_ja4(&ch, "t10i030000_a8f7fd439671_000000000000", "t10i030000_002f,0039,00ff_");

    build_sslv2(&buf, 0x0002, pure, 2);
    assert_int_equal(tls_parse_sslv2_client_hello(buf.data, buf.len, &ch), PARSE_OK);
    check_ja3(&ch, "2,,,,", "ebd319fa8e3e1956278f639d75f61787");
    check_ja4(&ch, "ts2i000000_000000000000_000000000000", "ts2i000000__");
}

/* Only SNI and ALPN: counted, but part c has nothing to hash. */
static void test_only_sni_and_alpn(void **state)
{
    (void)state;
    static const uint16_t suites[] = { 0x1301 };
    static const char *const alpn[] = { "h2" };
    struct tls_client_hello ch;
    ch_begin(&buf, 0x0303, suites, 1);
    size_t exts = bb_open(&buf, 2);
    ext_sni(&buf, "example.org");
    ext_alpn(&buf, alpn, 1);
    bb_close(&buf, exts, 2);
    parse_ch(&buf, &ch);
    check_ja4(&ch, "t12d0102h2_0f2cb44170f4_000000000000", "t12d0102h2_1301_");
}

/* ALPN characters (JA4.md "ALPN Extension Value"). */
static void alpn_case(const uint8_t *first, size_t len, size_t n_names, const char *expect)
{
    static const uint16_t suites[] = { 0x1301 };
    const uint8_t *names[2] = { first, (const uint8_t *)"h2" };
    size_t lens[2] = { len, 2 };
    struct tls_client_hello ch;
    ch_begin(&buf, 0x0303, suites, 1);
    size_t exts = bb_open(&buf, 2);
    ext_alpn_raw(&buf, names, lens, n_names);
    bb_close(&buf, exts, 2);
    parse_ch(&buf, &ch);
    char out[JA4_MAX];
    fingerprint_ja4(&ch, out);
    assert_int_equal(strlen(out), 36);
    assert_memory_equal(out, "t12i0101", 8);
    assert_memory_equal(out + 8, expect, 2);
    assert_string_equal(out + 24, "000000000000");
}

static void test_alpn_characters(void **state)
{
    (void)state;
    alpn_case((const uint8_t *)"h2", 2, 1, "h2");
    alpn_case((const uint8_t *)"http/1.1", 8, 2, "h1");
    alpn_case((const uint8_t *)"a", 1, 1, "aa");
    alpn_case((const uint8_t *)"Z9", 2, 1, "Z9");
    /* FoxIO's implementations: a first byte that is not alphanumeric. */
    alpn_case((const uint8_t *)"\xAB", 1, 1, "99");
    alpn_case((const uint8_t *)"\xAB\xCD", 2, 1, "99");
    alpn_case((const uint8_t *)"\xBA\xAD", 2, 1, "99");  /* FoxIO's tls-non-ascii-alpn */
    alpn_case((const uint8_t *)"\x30\xAB", 2, 1, "3b");
    alpn_case((const uint8_t *)"\x30\x31\xAB\xCD", 4, 1, "3d");
    alpn_case((const uint8_t *)"\x30\xAB\xCD\x31", 4, 1, "01");
    alpn_case((const uint8_t *)"-x", 2, 1, "99");
    alpn_case((const uint8_t *)"", 0, 2, "00");     /* empty first value */
    alpn_case((const uint8_t *)"", 0, 0, "00");     /* empty protocol list */
}

/* More than 99 ciphers: the count stops at 99, the hash covers all of them. */
static void test_cipher_count_cap(void **state)
{
    (void)state;
    uint16_t suites[120];
    for (size_t i = 0; i < 120; i++)
        suites[i] = (uint16_t)(0x0100 + i);
    struct tls_client_hello ch;
    ch_begin(&buf, 0x0303, suites, 120);
    parse_ch(&buf, &ch);
    char out[JA4_MAX];
    fingerprint_ja4(&ch, out);
    assert_string_equal(out, "t12i990000_78cd3e4e4f62_000000000000");
}

/* A text buffer too small for the string: cut short, NUL-terminated, and the
 * digest is still that of the whole string. */
static void test_ja3_truncated_text(void **state)
{
    (void)state;
    struct tls_client_hello ch;
    build_spec_hello(&buf, spec_sigalgs, sizeof spec_sigalgs / sizeof spec_sigalgs[0]);
    parse_ch(&buf, &ch);
    char t[16], h[33];
    memset(t, 'x', sizeof t);
    fingerprint_ja3(&ch, t, sizeof t, h);
    assert_string_equal(t, "771,4865-4866-4");
    assert_string_equal(h, "c000e2caf3a25423f9de6c8a4b12a975");
    fingerprint_ja3(&ch, NULL, 0, h);
    assert_string_equal(h, "c000e2caf3a25423f9de6c8a4b12a975");

    char raw[20];
    fingerprint_ja4_raw(&ch, raw, sizeof raw);
    assert_string_equal(raw, "t13d1516h2_002f,003");
}

/* ---- JA3S ------------------------------------------------------------------------ */

static void sh_begin(struct bytebuf *b, uint16_t version, uint16_t suite)
{
    b->len = 0;
    bb_be16(b, version);
    bb_fill(b, 0x55, 32);
    bb_u8(b, 32);
    bb_fill(b, 0x22, 32);
    bb_be16(b, suite);
    bb_u8(b, 0);
}

static void check_ja3s(const struct bytebuf *b, const char *text, const char *md5)
{
    struct tls_server_hello sh;
    assert_int_equal(tls_parse_server_hello(b->data, b->len, TLS_HS_SERVER_HELLO, &sh), PARSE_OK);
    char t[JA3_TEXT_MAX], h[33];
    fingerprint_ja3s(&sh, t, sizeof t, h);
    assert_string_equal(t, text);
    assert_string_equal(h, md5);
}

static void test_ja3s(void **state)
{
    (void)state;
    /* TLS 1.3 */
    sh_begin(&buf, 0x0303, 0x1301);
    size_t exts = bb_open(&buf, 2);
    size_t at = ext_open(&buf, 0x002B);
    bb_be16(&buf, 0x0304);
    ext_close(&buf, at);
    at = ext_open(&buf, 0x0033);
    bb_be16(&buf, 0x001D);
    bb_be16(&buf, 32);
    bb_fill(&buf, 0x66, 32);
    ext_close(&buf, at);
    bb_close(&buf, exts, 2);
    check_ja3s(&buf, "771,4865,43-51", "f4febc55ea12b31ae17cfb7e614afda8");

    /* No extensions: the trailing empty field stays (as python/ja3s.py). */
    sh_begin(&buf, 0x0301, 0x0005);
    check_ja3s(&buf, "769,5,", "9aeeb84942a46257594025306635f0ff");

    /* GREASE left out, order kept. */
    static const uint8_t reneg[] = { 0 };
    sh_begin(&buf, 0x0303, 0xC02F);
    exts = bb_open(&buf, 2);
    ext_empty(&buf, 0x0A0A);
    ext_bytes(&buf, 0xFF01, reneg, 1);
    ext_empty(&buf, 0x0017);
    bb_close(&buf, exts, 2);
    check_ja3s(&buf, "771,49199,65281-23", "394441ab65754e2207b1e1b457b3641d");
}

/* Damaged input never reads outside the message: every prefix of a hello is
 * fingerprinted without complaint from the sanitizers. */
static void test_prefixes_are_safe(void **state)
{
    (void)state;
    build_spec_hello(&buf, spec_sigalgs, sizeof spec_sigalgs / sizeof spec_sigalgs[0]);
    static struct bytebuf copy;
    for (size_t n = 0; n <= buf.len; n++) {
        memcpy(copy.data, buf.data, n);
        struct tls_client_hello ch;
        tls_parse_client_hello(copy.data, n, &ch);
        char t[JA3_TEXT_MAX], h[33], out[JA4_MAX], raw[1024];
        fingerprint_ja3(&ch, t, sizeof t, h);
        assert_int_equal(strlen(h), 32);
        fingerprint_ja4(&ch, out);
        assert_int_equal(strlen(out), 36);
        fingerprint_ja4_raw(&ch, raw, sizeof raw);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example_with_grease),
        cmocka_unit_test(test_no_signature_algorithms),
        cmocka_unit_test(test_tls12_without_sni),
        cmocka_unit_test(test_without_alpn),
        cmocka_unit_test(test_no_extensions),
        cmocka_unit_test(test_supported_versions),
        cmocka_unit_test(test_sslv2_hello),
        cmocka_unit_test(test_only_sni_and_alpn),
        cmocka_unit_test(test_alpn_characters),
        cmocka_unit_test(test_cipher_count_cap),
        cmocka_unit_test(test_ja3_truncated_text),
        cmocka_unit_test(test_ja3s),
        cmocka_unit_test(test_prefixes_are_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
