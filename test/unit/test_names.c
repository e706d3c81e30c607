/* Unit tests for dissect/tls/tls_names.c: a sample of every table, unknown
 * values, GREASE, and the size of each table so an entry cannot vanish
 * unnoticed. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tls_names.h"

static const uint16_t grease16[16] = {
    0x0A0A, 0x1A1A, 0x2A2A, 0x3A3A, 0x4A4A, 0x5A5A, 0x6A6A, 0x7A7A,
    0x8A8A, 0x9A9A, 0xAAAA, 0xBABA, 0xCACA, 0xDADA, 0xEAEA, 0xFAFA,
};

static void test_cipher_suites(void **state)
{
    (void)state;
    assert_string_equal(tls_cipher_suite_name(0x0000), "TLS_NULL_WITH_NULL_NULL");
    assert_string_equal(tls_cipher_suite_name(0x0004), "TLS_RSA_WITH_RC4_128_MD5");
    assert_string_equal(tls_cipher_suite_name(0x000A), "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    assert_string_equal(tls_cipher_suite_name(0x002F), "TLS_RSA_WITH_AES_128_CBC_SHA");
    assert_string_equal(tls_cipher_suite_name(0x0035), "TLS_RSA_WITH_AES_256_CBC_SHA");
    assert_string_equal(tls_cipher_suite_name(0x0039), "TLS_DHE_RSA_WITH_AES_256_CBC_SHA");
    assert_string_equal(tls_cipher_suite_name(0x009C), "TLS_RSA_WITH_AES_128_GCM_SHA256");
    assert_string_equal(tls_cipher_suite_name(0x009F), "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");
    assert_string_equal(tls_cipher_suite_name(0x00A8), "TLS_PSK_WITH_AES_128_GCM_SHA256");
    assert_string_equal(tls_cipher_suite_name(0x00C4), "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256");
    assert_string_equal(tls_cipher_suite_name(0x00FF), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    assert_string_equal(tls_cipher_suite_name(0x5600), "TLS_FALLBACK_SCSV");
    assert_string_equal(tls_cipher_suite_name(0x1301), "TLS_AES_128_GCM_SHA256");
    assert_string_equal(tls_cipher_suite_name(0x1302), "TLS_AES_256_GCM_SHA384");
    assert_string_equal(tls_cipher_suite_name(0x1303), "TLS_CHACHA20_POLY1305_SHA256");
    assert_string_equal(tls_cipher_suite_name(0x1304), "TLS_AES_128_CCM_SHA256");
    assert_string_equal(tls_cipher_suite_name(0x1305), "TLS_AES_128_CCM_8_SHA256");
    assert_string_equal(tls_cipher_suite_name(0x1306), "TLS_AEGIS_256_SHA512");
    assert_string_equal(tls_cipher_suite_name(0x1307), "TLS_AEGIS_128L_SHA256");
    assert_string_equal(tls_cipher_suite_name(0xC009), "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
    assert_string_equal(tls_cipher_suite_name(0xC014), "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
    assert_string_equal(tls_cipher_suite_name(0xC02B), "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    assert_string_equal(tls_cipher_suite_name(0xC02F), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    assert_string_equal(tls_cipher_suite_name(0xC030), "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    assert_string_equal(tls_cipher_suite_name(0xC035), "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA");
    assert_string_equal(tls_cipher_suite_name(0xC05C), "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256");
    assert_string_equal(tls_cipher_suite_name(0xC08B), "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384");
    assert_string_equal(tls_cipher_suite_name(0xC09C), "TLS_RSA_WITH_AES_128_CCM");
    assert_string_equal(tls_cipher_suite_name(0xC0AA), "TLS_PSK_DHE_WITH_AES_128_CCM_8");
    assert_string_equal(tls_cipher_suite_name(0xC0AF), "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8");
    assert_string_equal(tls_cipher_suite_name(0xC0B5), "TLS_SHA384_SHA384");
    assert_string_equal(tls_cipher_suite_name(0xC106), "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S");
    assert_string_equal(tls_cipher_suite_name(0xCCA8), "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    assert_string_equal(tls_cipher_suite_name(0xCCA9), "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    assert_string_equal(tls_cipher_suite_name(0xCCAE), "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256");
    assert_string_equal(tls_cipher_suite_name(0xCC13), "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD");
    assert_string_equal(tls_cipher_suite_name(0xD005), "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256");
    assert_string_equal(tls_cipher_suite_name(0x0060), "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5");
}

static void test_cipher_suite_unknowns_and_grease(void **state)
{
    (void)state;
    static const uint16_t unknown[] = { 0x001C, 0x001D, 0x0047, 0x005F, 0x006E, 0x00C8, 0x00FE, 0x0100,
                                        0x1300, 0x1308, 0x5601, 0xC000, 0xC0B6, 0xC0FF, 0xC107, 0xCCA7,
                                        0xCCAF, 0xD004, 0xFFFF };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_null(tls_cipher_suite_name(unknown[i]));
    for (size_t i = 0; i < 16; i++)
        assert_string_equal(tls_cipher_suite_name(grease16[i]), "GREASE");
    /* Almost-GREASE is not GREASE. */
    assert_null(tls_cipher_suite_name(0x0A1A));
    assert_null(tls_cipher_suite_name(0x0B0B));
}

static void test_suite_is_tls13(void **state)
{
    (void)state;
    for (uint16_t id = 0x1301; id <= 0x1305; id++)
        assert_true(tls_suite_is_tls13(id));
    assert_false(tls_suite_is_tls13(0x1300));
    assert_false(tls_suite_is_tls13(0x1306));
    assert_false(tls_suite_is_tls13(0xC02F));
    assert_false(tls_suite_is_tls13(0x0A0A));
}

static size_t count_named(const char *(*fn)(uint16_t), bool with_grease)
{
    size_t n = 0;
    for (uint32_t v = 0; v <= 0xFFFF; v++) {
        const char *name = fn((uint16_t)v);
        if (name && (with_grease || strcmp(name, "GREASE") != 0))
            n++;
    }
    return n;
}

/* Every name is a well-formed token and the tables keep their size. */
static void test_table_sizes(void **state)
{
    (void)state;
    assert_int_equal(count_named(tls_cipher_suite_name, false), 370);
    assert_int_equal(count_named(tls_cipher_suite_name, true), 386);
    assert_int_equal(count_named(tls_extension_name, false), 70);
    assert_int_equal(count_named(tls_group_name, false), 57);
    assert_int_equal(count_named(tls_sigalg_name, false), 47);
    assert_int_equal(count_named(tls_version_name, false), 256 + 13);
    for (uint32_t v = 0; v <= 0xFFFF; v++) {
        const char *name = tls_cipher_suite_name((uint16_t)v);
        if (!name || strcmp(name, "GREASE") == 0)
            continue;
        assert_true(strncmp(name, "TLS_", 4) == 0 || strncmp(name, "SSL_", 4) == 0);
        for (const char *p = name; *p; p++)
            assert_true((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                        (*p >= 'a' && *p <= 'z'));
    }
}

static void test_versions(void **state)
{
    (void)state;
    assert_string_equal(tls_version_name(0x0002), "SSL 2.0");
    assert_string_equal(tls_version_name(0x0300), "SSL 3.0");
    assert_string_equal(tls_version_name(0x0301), "TLS 1.0");
    assert_string_equal(tls_version_name(0x0302), "TLS 1.1");
    assert_string_equal(tls_version_name(0x0303), "TLS 1.2");
    assert_string_equal(tls_version_name(0x0304), "TLS 1.3");
    assert_string_equal(tls_version_name(0x7F00), "TLS 1.3 (draft 0)");
    assert_string_equal(tls_version_name(0x7F09), "TLS 1.3 (draft 9)");
    assert_string_equal(tls_version_name(0x7F0E), "TLS 1.3 (draft 14)");
    assert_string_equal(tls_version_name(0x7F12), "TLS 1.3 (draft 18)");
    assert_string_equal(tls_version_name(0x7F1C), "TLS 1.3 (draft 28)");
    assert_string_equal(tls_version_name(0x7F64), "TLS 1.3 (draft 100)");
    assert_string_equal(tls_version_name(0x7FF9), "TLS 1.3 (draft 249)");
    assert_string_equal(tls_version_name(0x7FFA), "TLS 1.3 (draft 250)");
    assert_string_equal(tls_version_name(0x7FFF), "TLS 1.3 (draft 255)");
    assert_string_equal(tls_version_name(0xFEFF), "DTLS 1.0");
    assert_string_equal(tls_version_name(0xFEFD), "DTLS 1.2");
    assert_string_equal(tls_version_name(0xFB17), "TLS 1.3 (Facebook draft 23)");
    for (size_t i = 0; i < 16; i++)
        assert_string_equal(tls_version_name(grease16[i]), "GREASE");
    assert_null(tls_version_name(0x0000));
    assert_null(tls_version_name(0x0200));
    assert_null(tls_version_name(0x0305));
    assert_null(tls_version_name(0x7E00));
    assert_null(tls_version_name(0x8000));
    assert_null(tls_version_name(0xFFFF));
}

static void test_alerts(void **state)
{
    (void)state;
    assert_string_equal(tls_alert_name(0), "close_notify");
    assert_string_equal(tls_alert_name(10), "unexpected_message");
    assert_string_equal(tls_alert_name(20), "bad_record_mac");
    assert_string_equal(tls_alert_name(40), "handshake_failure");
    assert_string_equal(tls_alert_name(42), "bad_certificate");
    assert_string_equal(tls_alert_name(45), "certificate_expired");
    assert_string_equal(tls_alert_name(46), "certificate_unknown");
    assert_string_equal(tls_alert_name(47), "illegal_parameter");
    assert_string_equal(tls_alert_name(48), "unknown_ca");
    assert_string_equal(tls_alert_name(50), "decode_error");
    assert_string_equal(tls_alert_name(51), "decrypt_error");
    assert_string_equal(tls_alert_name(70), "protocol_version");
    assert_string_equal(tls_alert_name(71), "insufficient_security");
    assert_string_equal(tls_alert_name(80), "internal_error");
    assert_string_equal(tls_alert_name(86), "inappropriate_fallback");
    assert_string_equal(tls_alert_name(90), "user_canceled");
    assert_string_equal(tls_alert_name(100), "no_renegotiation");
    assert_string_equal(tls_alert_name(109), "missing_extension");
    assert_string_equal(tls_alert_name(112), "unrecognized_name");
    assert_string_equal(tls_alert_name(116), "certificate_required");
    assert_string_equal(tls_alert_name(120), "no_application_protocol");
    assert_string_equal(tls_alert_name(121), "ech_required");
    static const uint8_t unknown[] = { 1, 9, 11, 39, 53, 72, 99, 101, 118, 122, 200, 255 };
    for (size_t i = 0; i < sizeof unknown; i++)
        assert_null(tls_alert_name(unknown[i]));
    size_t n = 0;
    for (unsigned v = 0; v < 256; v++)
        n += tls_alert_name((uint8_t)v) != NULL;
    assert_int_equal(n, 37);

    assert_string_equal(tls_alert_level_name(1), "warning");
    assert_string_equal(tls_alert_level_name(2), "fatal");
    assert_null(tls_alert_level_name(0));
    assert_null(tls_alert_level_name(3));
    assert_null(tls_alert_level_name(255));
}

static void test_extensions(void **state)
{
    (void)state;
    assert_string_equal(tls_extension_name(0), "server_name");
    assert_string_equal(tls_extension_name(5), "status_request");
    assert_string_equal(tls_extension_name(10), "supported_groups");
    assert_string_equal(tls_extension_name(11), "ec_point_formats");
    assert_string_equal(tls_extension_name(13), "signature_algorithms");
    assert_string_equal(tls_extension_name(16), "application_layer_protocol_negotiation");
    assert_string_equal(tls_extension_name(21), "padding");
    assert_string_equal(tls_extension_name(23), "extended_master_secret");
    assert_string_equal(tls_extension_name(27), "compress_certificate");
    assert_string_equal(tls_extension_name(35), "session_ticket");
    assert_string_equal(tls_extension_name(41), "pre_shared_key");
    assert_string_equal(tls_extension_name(43), "supported_versions");
    assert_string_equal(tls_extension_name(45), "psk_key_exchange_modes");
    assert_string_equal(tls_extension_name(51), "key_share");
    assert_string_equal(tls_extension_name(57), "quic_transport_parameters");
    assert_string_equal(tls_extension_name(0xFE0D), "encrypted_client_hello");
    assert_string_equal(tls_extension_name(0xFF01), "renegotiation_info");
    assert_string_equal(tls_extension_name(13172), "next_protocol_negotiation");
    assert_string_equal(tls_extension_name(17513), "application_settings_old");
    for (size_t i = 0; i < 16; i++)
        assert_string_equal(tls_extension_name(grease16[i]), "GREASE");
    assert_null(tls_extension_name(40));
    assert_null(tls_extension_name(46));
    assert_null(tls_extension_name(63));
    assert_null(tls_extension_name(0x1234));
    assert_null(tls_extension_name(0xFFFF));
}

static void test_groups(void **state)
{
    (void)state;
    assert_string_equal(tls_group_name(23), "secp256r1");
    assert_string_equal(tls_group_name(24), "secp384r1");
    assert_string_equal(tls_group_name(25), "secp521r1");
    assert_string_equal(tls_group_name(29), "x25519");
    assert_string_equal(tls_group_name(30), "x448");
    assert_string_equal(tls_group_name(1), "sect163k1");
    assert_string_equal(tls_group_name(26), "brainpoolP256r1");
    assert_string_equal(tls_group_name(256), "ffdhe2048");
    assert_string_equal(tls_group_name(260), "ffdhe8192");
    assert_string_equal(tls_group_name(0x0201), "MLKEM768");
    assert_string_equal(tls_group_name(0x11EC), "X25519MLKEM768");
    assert_string_equal(tls_group_name(0x11EB), "SecP256r1MLKEM768");
    assert_string_equal(tls_group_name(0x6399), "X25519Kyber768Draft00");
    assert_string_equal(tls_group_name(0xFF01), "arbitrary_explicit_prime_curves");
    for (size_t i = 0; i < 16; i++)
        assert_string_equal(tls_group_name(grease16[i]), "GREASE");
    assert_null(tls_group_name(0));
    assert_null(tls_group_name(42));
    assert_null(tls_group_name(261));
    assert_null(tls_group_name(0xFFFF));
}

static void test_sigalgs(void **state)
{
    (void)state;
    assert_string_equal(tls_sigalg_name(0x0401), "rsa_pkcs1_sha256");
    assert_string_equal(tls_sigalg_name(0x0403), "ecdsa_secp256r1_sha256");
    assert_string_equal(tls_sigalg_name(0x0503), "ecdsa_secp384r1_sha384");
    assert_string_equal(tls_sigalg_name(0x0603), "ecdsa_secp521r1_sha512");
    assert_string_equal(tls_sigalg_name(0x0804), "rsa_pss_rsae_sha256");
    assert_string_equal(tls_sigalg_name(0x0806), "rsa_pss_rsae_sha512");
    assert_string_equal(tls_sigalg_name(0x0807), "ed25519");
    assert_string_equal(tls_sigalg_name(0x0808), "ed448");
    assert_string_equal(tls_sigalg_name(0x0809), "rsa_pss_pss_sha256");
    assert_string_equal(tls_sigalg_name(0x0201), "rsa_pkcs1_sha1");
    assert_string_equal(tls_sigalg_name(0x0203), "ecdsa_sha1");
    assert_string_equal(tls_sigalg_name(0x0202), "dsa_sha1");
    assert_string_equal(tls_sigalg_name(0x0905), "mldsa65");
    for (size_t i = 0; i < 16; i++)
        assert_string_equal(tls_sigalg_name(grease16[i]), "GREASE");
    assert_null(tls_sigalg_name(0x0000));
    assert_null(tls_sigalg_name(0x0404));
    assert_null(tls_sigalg_name(0x080C));
    assert_null(tls_sigalg_name(0xFFFF));
}

static void test_handshake_types(void **state)
{
    (void)state;
    assert_string_equal(tls_handshake_name(0), "hello_request");
    assert_string_equal(tls_handshake_name(1), "client_hello");
    assert_string_equal(tls_handshake_name(2), "server_hello");
    assert_string_equal(tls_handshake_name(4), "new_session_ticket");
    assert_string_equal(tls_handshake_name(8), "encrypted_extensions");
    assert_string_equal(tls_handshake_name(11), "certificate");
    assert_string_equal(tls_handshake_name(12), "server_key_exchange");
    assert_string_equal(tls_handshake_name(13), "certificate_request");
    assert_string_equal(tls_handshake_name(14), "server_hello_done");
    assert_string_equal(tls_handshake_name(15), "certificate_verify");
    assert_string_equal(tls_handshake_name(16), "client_key_exchange");
    assert_string_equal(tls_handshake_name(20), "finished");
    assert_string_equal(tls_handshake_name(22), "certificate_status");
    assert_string_equal(tls_handshake_name(24), "key_update");
    assert_string_equal(tls_handshake_name(254), "message_hash");
    assert_null(tls_handshake_name(7));
    assert_null(tls_handshake_name(18));
    assert_null(tls_handshake_name(255));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cipher_suites),
        cmocka_unit_test(test_cipher_suite_unknowns_and_grease),
        cmocka_unit_test(test_suite_is_tls13),
        cmocka_unit_test(test_table_sizes),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_sigalgs),
        cmocka_unit_test(test_handshake_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
