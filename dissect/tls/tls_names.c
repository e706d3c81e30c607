/* Names of TLS code points (IANA "Transport Layer Security (TLS) Parameters"
 * and "TLS ExtensionType Values" registries, RFC 8446, RFC 8447).
 *
 * Each table is a switch: the compiler turns it into a jump table or a
 * binary search, and a value listed twice is a compile error.
 */
#include "tls_names.h"

#include <stddef.h>

#include "tls_msg.h" /* tls_is_grease */

/* Cipher suites: the name is the token itself, so a typo cannot hide in a
 * string literal. */
#define SUITE(code, name) case code: return #name;

bool tls_suite_is_signal(uint16_t id)
{
    return id == 0x00FF || id == 0x5600 || tls_is_grease(id);
}

const char *tls_cipher_suite_name(uint16_t id)
{
    if (tls_is_grease(id))
        return "GREASE";
    switch (id) {
    /* RFC 5246 and the SSL 3.0 / TLS 1.0 era */
    SUITE(0x0000, TLS_NULL_WITH_NULL_NULL)
    SUITE(0x0001, TLS_RSA_WITH_NULL_MD5)
    SUITE(0x0002, TLS_RSA_WITH_NULL_SHA)
    SUITE(0x0003, TLS_RSA_EXPORT_WITH_RC4_40_MD5)
    SUITE(0x0004, TLS_RSA_WITH_RC4_128_MD5)
    SUITE(0x0005, TLS_RSA_WITH_RC4_128_SHA)
    SUITE(0x0006, TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5)
    SUITE(0x0007, TLS_RSA_WITH_IDEA_CBC_SHA)
    SUITE(0x0008, TLS_RSA_EXPORT_WITH_DES40_CBC_SHA)
    SUITE(0x0009, TLS_RSA_WITH_DES_CBC_SHA)
    SUITE(0x000A, TLS_RSA_WITH_3DES_EDE_CBC_SHA)
    SUITE(0x000B, TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA)
    SUITE(0x000C, TLS_DH_DSS_WITH_DES_CBC_SHA)
    SUITE(0x000D, TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA)
    SUITE(0x000E, TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA)
    SUITE(0x000F, TLS_DH_RSA_WITH_DES_CBC_SHA)
    SUITE(0x0010, TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA)
    SUITE(0x0011, TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA)
    SUITE(0x0012, TLS_DHE_DSS_WITH_DES_CBC_SHA)
    SUITE(0x0013, TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA)
    SUITE(0x0014, TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA)
    SUITE(0x0015, TLS_DHE_RSA_WITH_DES_CBC_SHA)
    SUITE(0x0016, TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA)
    SUITE(0x0017, TLS_DH_anon_EXPORT_WITH_RC4_40_MD5)
    SUITE(0x0018, TLS_DH_anon_WITH_RC4_128_MD5)
    SUITE(0x0019, TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA)
    SUITE(0x001A, TLS_DH_anon_WITH_DES_CBC_SHA)
    SUITE(0x001B, TLS_DH_anon_WITH_3DES_EDE_CBC_SHA)
    /* RFC 2712 Kerberos */
    SUITE(0x001E, TLS_KRB5_WITH_DES_CBC_SHA)
    SUITE(0x001F, TLS_KRB5_WITH_3DES_EDE_CBC_SHA)
    SUITE(0x0020, TLS_KRB5_WITH_RC4_128_SHA)
    SUITE(0x0021, TLS_KRB5_WITH_IDEA_CBC_SHA)
    SUITE(0x0022, TLS_KRB5_WITH_DES_CBC_MD5)
    SUITE(0x0023, TLS_KRB5_WITH_3DES_EDE_CBC_MD5)
    SUITE(0x0024, TLS_KRB5_WITH_RC4_128_MD5)
    SUITE(0x0025, TLS_KRB5_WITH_IDEA_CBC_MD5)
    SUITE(0x0026, TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA)
    SUITE(0x0027, TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA)
    SUITE(0x0028, TLS_KRB5_EXPORT_WITH_RC4_40_SHA)
    SUITE(0x0029, TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5)
    SUITE(0x002A, TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5)
    SUITE(0x002B, TLS_KRB5_EXPORT_WITH_RC4_40_MD5)
    /* RFC 4785 PSK with NULL */
    SUITE(0x002C, TLS_PSK_WITH_NULL_SHA)
    SUITE(0x002D, TLS_DHE_PSK_WITH_NULL_SHA)
    SUITE(0x002E, TLS_RSA_PSK_WITH_NULL_SHA)
    /* RFC 3268 / RFC 5246 AES */
    SUITE(0x002F, TLS_RSA_WITH_AES_128_CBC_SHA)
    SUITE(0x0030, TLS_DH_DSS_WITH_AES_128_CBC_SHA)
    SUITE(0x0031, TLS_DH_RSA_WITH_AES_128_CBC_SHA)
    SUITE(0x0032, TLS_DHE_DSS_WITH_AES_128_CBC_SHA)
    SUITE(0x0033, TLS_DHE_RSA_WITH_AES_128_CBC_SHA)
    SUITE(0x0034, TLS_DH_anon_WITH_AES_128_CBC_SHA)
    SUITE(0x0035, TLS_RSA_WITH_AES_256_CBC_SHA)
    SUITE(0x0036, TLS_DH_DSS_WITH_AES_256_CBC_SHA)
    SUITE(0x0037, TLS_DH_RSA_WITH_AES_256_CBC_SHA)
    SUITE(0x0038, TLS_DHE_DSS_WITH_AES_256_CBC_SHA)
    SUITE(0x0039, TLS_DHE_RSA_WITH_AES_256_CBC_SHA)
    SUITE(0x003A, TLS_DH_anon_WITH_AES_256_CBC_SHA)
    SUITE(0x003B, TLS_RSA_WITH_NULL_SHA256)
    SUITE(0x003C, TLS_RSA_WITH_AES_128_CBC_SHA256)
    SUITE(0x003D, TLS_RSA_WITH_AES_256_CBC_SHA256)
    SUITE(0x003E, TLS_DH_DSS_WITH_AES_128_CBC_SHA256)
    SUITE(0x003F, TLS_DH_RSA_WITH_AES_128_CBC_SHA256)
    SUITE(0x0040, TLS_DHE_DSS_WITH_AES_128_CBC_SHA256)
    /* RFC 5932 Camellia */
    SUITE(0x0041, TLS_RSA_WITH_CAMELLIA_128_CBC_SHA)
    SUITE(0x0042, TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA)
    SUITE(0x0043, TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA)
    SUITE(0x0044, TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA)
    SUITE(0x0045, TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA)
    SUITE(0x0046, TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA)
    /* Pre-standard (draft-ietf-tls-56-bit-ciphersuites), sent by old OpenSSL */
    SUITE(0x0060, TLS_RSA_EXPORT1024_WITH_RC4_56_MD5)
    SUITE(0x0061, TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5)
    SUITE(0x0062, TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA)
    SUITE(0x0063, TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA)
    SUITE(0x0064, TLS_RSA_EXPORT1024_WITH_RC4_56_SHA)
    SUITE(0x0065, TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA)
    SUITE(0x0066, TLS_DHE_DSS_WITH_RC4_128_SHA)
    SUITE(0x0067, TLS_DHE_RSA_WITH_AES_128_CBC_SHA256)
    SUITE(0x0068, TLS_DH_DSS_WITH_AES_256_CBC_SHA256)
    SUITE(0x0069, TLS_DH_RSA_WITH_AES_256_CBC_SHA256)
    SUITE(0x006A, TLS_DHE_DSS_WITH_AES_256_CBC_SHA256)
    SUITE(0x006B, TLS_DHE_RSA_WITH_AES_256_CBC_SHA256)
    SUITE(0x006C, TLS_DH_anon_WITH_AES_128_CBC_SHA256)
    SUITE(0x006D, TLS_DH_anon_WITH_AES_256_CBC_SHA256)
    /* Pre-standard GOST (draft-chudov-cryptopro-cptls) */
    SUITE(0x0080, TLS_GOSTR341094_WITH_28147_CNT_IMIT)
    SUITE(0x0081, TLS_GOSTR341001_WITH_28147_CNT_IMIT)
    SUITE(0x0082, TLS_GOSTR341094_WITH_NULL_GOSTR3411)
    SUITE(0x0083, TLS_GOSTR341001_WITH_NULL_GOSTR3411)
    SUITE(0x0084, TLS_RSA_WITH_CAMELLIA_256_CBC_SHA)
    SUITE(0x0085, TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA)
    SUITE(0x0086, TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA)
    SUITE(0x0087, TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA)
    SUITE(0x0088, TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA)
    SUITE(0x0089, TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA)
    /* RFC 4279 PSK */
    SUITE(0x008A, TLS_PSK_WITH_RC4_128_SHA)
    SUITE(0x008B, TLS_PSK_WITH_3DES_EDE_CBC_SHA)
    SUITE(0x008C, TLS_PSK_WITH_AES_128_CBC_SHA)
    SUITE(0x008D, TLS_PSK_WITH_AES_256_CBC_SHA)
    SUITE(0x008E, TLS_DHE_PSK_WITH_RC4_128_SHA)
    SUITE(0x008F, TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA)
    SUITE(0x0090, TLS_DHE_PSK_WITH_AES_128_CBC_SHA)
    SUITE(0x0091, TLS_DHE_PSK_WITH_AES_256_CBC_SHA)
    SUITE(0x0092, TLS_RSA_PSK_WITH_RC4_128_SHA)
    SUITE(0x0093, TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA)
    SUITE(0x0094, TLS_RSA_PSK_WITH_AES_128_CBC_SHA)
    SUITE(0x0095, TLS_RSA_PSK_WITH_AES_256_CBC_SHA)
    /* RFC 4162 SEED */
    SUITE(0x0096, TLS_RSA_WITH_SEED_CBC_SHA)
    SUITE(0x0097, TLS_DH_DSS_WITH_SEED_CBC_SHA)
    SUITE(0x0098, TLS_DH_RSA_WITH_SEED_CBC_SHA)
    SUITE(0x0099, TLS_DHE_DSS_WITH_SEED_CBC_SHA)
    SUITE(0x009A, TLS_DHE_RSA_WITH_SEED_CBC_SHA)
    SUITE(0x009B, TLS_DH_anon_WITH_SEED_CBC_SHA)
    /* RFC 5288 AES-GCM, RFC 5487 PSK */
    SUITE(0x009C, TLS_RSA_WITH_AES_128_GCM_SHA256)
    SUITE(0x009D, TLS_RSA_WITH_AES_256_GCM_SHA384)
    SUITE(0x009E, TLS_DHE_RSA_WITH_AES_128_GCM_SHA256)
    SUITE(0x009F, TLS_DHE_RSA_WITH_AES_256_GCM_SHA384)
    SUITE(0x00A0, TLS_DH_RSA_WITH_AES_128_GCM_SHA256)
    SUITE(0x00A1, TLS_DH_RSA_WITH_AES_256_GCM_SHA384)
    SUITE(0x00A2, TLS_DHE_DSS_WITH_AES_128_GCM_SHA256)
    SUITE(0x00A3, TLS_DHE_DSS_WITH_AES_256_GCM_SHA384)
    SUITE(0x00A4, TLS_DH_DSS_WITH_AES_128_GCM_SHA256)
    SUITE(0x00A5, TLS_DH_DSS_WITH_AES_256_GCM_SHA384)
    SUITE(0x00A6, TLS_DH_anon_WITH_AES_128_GCM_SHA256)
    SUITE(0x00A7, TLS_DH_anon_WITH_AES_256_GCM_SHA384)
    SUITE(0x00A8, TLS_PSK_WITH_AES_128_GCM_SHA256)
    SUITE(0x00A9, TLS_PSK_WITH_AES_256_GCM_SHA384)
    SUITE(0x00AA, TLS_DHE_PSK_WITH_AES_128_GCM_SHA256)
    SUITE(0x00AB, TLS_DHE_PSK_WITH_AES_256_GCM_SHA384)
    SUITE(0x00AC, TLS_RSA_PSK_WITH_AES_128_GCM_SHA256)
    SUITE(0x00AD, TLS_RSA_PSK_WITH_AES_256_GCM_SHA384)
    SUITE(0x00AE, TLS_PSK_WITH_AES_128_CBC_SHA256)
    SUITE(0x00AF, TLS_PSK_WITH_AES_256_CBC_SHA384)
    SUITE(0x00B0, TLS_PSK_WITH_NULL_SHA256)
    SUITE(0x00B1, TLS_PSK_WITH_NULL_SHA384)
    SUITE(0x00B2, TLS_DHE_PSK_WITH_AES_128_CBC_SHA256)
    SUITE(0x00B3, TLS_DHE_PSK_WITH_AES_256_CBC_SHA384)
    SUITE(0x00B4, TLS_DHE_PSK_WITH_NULL_SHA256)
    SUITE(0x00B5, TLS_DHE_PSK_WITH_NULL_SHA384)
    SUITE(0x00B6, TLS_RSA_PSK_WITH_AES_128_CBC_SHA256)
    SUITE(0x00B7, TLS_RSA_PSK_WITH_AES_256_CBC_SHA384)
    SUITE(0x00B8, TLS_RSA_PSK_WITH_NULL_SHA256)
    SUITE(0x00B9, TLS_RSA_PSK_WITH_NULL_SHA384)
    /* RFC 5932 Camellia with SHA-2 */
    SUITE(0x00BA, TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0x00BB, TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0x00BC, TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0x00BD, TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0x00BE, TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0x00BF, TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0x00C0, TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256)
    SUITE(0x00C1, TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256)
    SUITE(0x00C2, TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256)
    SUITE(0x00C3, TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256)
    SUITE(0x00C4, TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256)
    SUITE(0x00C5, TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256)
    /* RFC 8998 ShangMi */
    SUITE(0x00C6, TLS_SM4_GCM_SM3)
    SUITE(0x00C7, TLS_SM4_CCM_SM3)
    /* RFC 5746 */
    SUITE(0x00FF, TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
    /* RFC 8446 TLS 1.3; 0x1306/0x1307 AEGIS (draft-irtf-cfrg-aegis-aead) */
    SUITE(0x1301, TLS_AES_128_GCM_SHA256)
    SUITE(0x1302, TLS_AES_256_GCM_SHA384)
    SUITE(0x1303, TLS_CHACHA20_POLY1305_SHA256)
    SUITE(0x1304, TLS_AES_128_CCM_SHA256)
    SUITE(0x1305, TLS_AES_128_CCM_8_SHA256)
    SUITE(0x1306, TLS_AEGIS_256_SHA512)
    SUITE(0x1307, TLS_AEGIS_128L_SHA256)
    /* RFC 7507 */
    SUITE(0x5600, TLS_FALLBACK_SCSV)
    /* RFC 8422 ECC */
    SUITE(0xC001, TLS_ECDH_ECDSA_WITH_NULL_SHA)
    SUITE(0xC002, TLS_ECDH_ECDSA_WITH_RC4_128_SHA)
    SUITE(0xC003, TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA)
    SUITE(0xC004, TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA)
    SUITE(0xC005, TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA)
    SUITE(0xC006, TLS_ECDHE_ECDSA_WITH_NULL_SHA)
    SUITE(0xC007, TLS_ECDHE_ECDSA_WITH_RC4_128_SHA)
    SUITE(0xC008, TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA)
    SUITE(0xC009, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA)
    SUITE(0xC00A, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA)
    SUITE(0xC00B, TLS_ECDH_RSA_WITH_NULL_SHA)
    SUITE(0xC00C, TLS_ECDH_RSA_WITH_RC4_128_SHA)
    SUITE(0xC00D, TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA)
    SUITE(0xC00E, TLS_ECDH_RSA_WITH_AES_128_CBC_SHA)
    SUITE(0xC00F, TLS_ECDH_RSA_WITH_AES_256_CBC_SHA)
    SUITE(0xC010, TLS_ECDHE_RSA_WITH_NULL_SHA)
    SUITE(0xC011, TLS_ECDHE_RSA_WITH_RC4_128_SHA)
    SUITE(0xC012, TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA)
    SUITE(0xC013, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA)
    SUITE(0xC014, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA)
    SUITE(0xC015, TLS_ECDH_anon_WITH_NULL_SHA)
    SUITE(0xC016, TLS_ECDH_anon_WITH_RC4_128_SHA)
    SUITE(0xC017, TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA)
    SUITE(0xC018, TLS_ECDH_anon_WITH_AES_128_CBC_SHA)
    SUITE(0xC019, TLS_ECDH_anon_WITH_AES_256_CBC_SHA)
    /* RFC 5054 SRP */
    SUITE(0xC01A, TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA)
    SUITE(0xC01B, TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA)
    SUITE(0xC01C, TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA)
    SUITE(0xC01D, TLS_SRP_SHA_WITH_AES_128_CBC_SHA)
    SUITE(0xC01E, TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA)
    SUITE(0xC01F, TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA)
    SUITE(0xC020, TLS_SRP_SHA_WITH_AES_256_CBC_SHA)
    SUITE(0xC021, TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA)
    SUITE(0xC022, TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA)
    /* RFC 5289 ECC with SHA-2 and GCM */
    SUITE(0xC023, TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256)
    SUITE(0xC024, TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384)
    SUITE(0xC025, TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256)
    SUITE(0xC026, TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384)
    SUITE(0xC027, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256)
    SUITE(0xC028, TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384)
    SUITE(0xC029, TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256)
    SUITE(0xC02A, TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384)
    SUITE(0xC02B, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
    SUITE(0xC02C, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384)
    SUITE(0xC02D, TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256)
    SUITE(0xC02E, TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384)
    SUITE(0xC02F, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
    SUITE(0xC030, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)
    SUITE(0xC031, TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256)
    SUITE(0xC032, TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384)
    /* RFC 5489 ECDHE-PSK */
    SUITE(0xC033, TLS_ECDHE_PSK_WITH_RC4_128_SHA)
    SUITE(0xC034, TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA)
    SUITE(0xC035, TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA)
    SUITE(0xC036, TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA)
    SUITE(0xC037, TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256)
    SUITE(0xC038, TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384)
    SUITE(0xC039, TLS_ECDHE_PSK_WITH_NULL_SHA)
    SUITE(0xC03A, TLS_ECDHE_PSK_WITH_NULL_SHA256)
    SUITE(0xC03B, TLS_ECDHE_PSK_WITH_NULL_SHA384)
    /* RFC 6209 ARIA */
    SUITE(0xC03C, TLS_RSA_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC03D, TLS_RSA_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC03E, TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC03F, TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC040, TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC041, TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC042, TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC043, TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC044, TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC045, TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC046, TLS_DH_anon_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC047, TLS_DH_anon_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC048, TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC049, TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC04A, TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC04B, TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC04C, TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC04D, TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC04E, TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC04F, TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC050, TLS_RSA_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC051, TLS_RSA_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC052, TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC053, TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC054, TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC055, TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC056, TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC057, TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC058, TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC059, TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC05A, TLS_DH_anon_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC05B, TLS_DH_anon_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC05C, TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC05D, TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC05E, TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC05F, TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC060, TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC061, TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC062, TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC063, TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC064, TLS_PSK_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC065, TLS_PSK_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC066, TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC067, TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC068, TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC069, TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384)
    SUITE(0xC06A, TLS_PSK_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC06B, TLS_PSK_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC06C, TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC06D, TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC06E, TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256)
    SUITE(0xC06F, TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384)
    SUITE(0xC070, TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256)
    SUITE(0xC071, TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384)
    /* RFC 6367 Camellia */
    SUITE(0xC072, TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0xC073, TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384)
    SUITE(0xC074, TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0xC075, TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384)
    SUITE(0xC076, TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0xC077, TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384)
    SUITE(0xC078, TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0xC079, TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384)
    SUITE(0xC07A, TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC07B, TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC07C, TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC07D, TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC07E, TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC07F, TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC080, TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC081, TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC082, TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC083, TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC084, TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC085, TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC086, TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC087, TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC088, TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC089, TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC08A, TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC08B, TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC08C, TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC08D, TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC08E, TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC08F, TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC090, TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC091, TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC092, TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256)
    SUITE(0xC093, TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384)
    SUITE(0xC094, TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0xC095, TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384)
    SUITE(0xC096, TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0xC097, TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384)
    SUITE(0xC098, TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0xC099, TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384)
    SUITE(0xC09A, TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256)
    SUITE(0xC09B, TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384)
    /* RFC 6655, RFC 7251 AES-CCM */
    SUITE(0xC09C, TLS_RSA_WITH_AES_128_CCM)
    SUITE(0xC09D, TLS_RSA_WITH_AES_256_CCM)
    SUITE(0xC09E, TLS_DHE_RSA_WITH_AES_128_CCM)
    SUITE(0xC09F, TLS_DHE_RSA_WITH_AES_256_CCM)
    SUITE(0xC0A0, TLS_RSA_WITH_AES_128_CCM_8)
    SUITE(0xC0A1, TLS_RSA_WITH_AES_256_CCM_8)
    SUITE(0xC0A2, TLS_DHE_RSA_WITH_AES_128_CCM_8)
    SUITE(0xC0A3, TLS_DHE_RSA_WITH_AES_256_CCM_8)
    SUITE(0xC0A4, TLS_PSK_WITH_AES_128_CCM)
    SUITE(0xC0A5, TLS_PSK_WITH_AES_256_CCM)
    SUITE(0xC0A6, TLS_DHE_PSK_WITH_AES_128_CCM)
    SUITE(0xC0A7, TLS_DHE_PSK_WITH_AES_256_CCM)
    SUITE(0xC0A8, TLS_PSK_WITH_AES_128_CCM_8)
    SUITE(0xC0A9, TLS_PSK_WITH_AES_256_CCM_8)
    SUITE(0xC0AA, TLS_PSK_DHE_WITH_AES_128_CCM_8)
    SUITE(0xC0AB, TLS_PSK_DHE_WITH_AES_256_CCM_8)
    SUITE(0xC0AC, TLS_ECDHE_ECDSA_WITH_AES_128_CCM)
    SUITE(0xC0AD, TLS_ECDHE_ECDSA_WITH_AES_256_CCM)
    SUITE(0xC0AE, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8)
    SUITE(0xC0AF, TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8)
    /* RFC 8492 ECCPWD, RFC 9150 integrity-only */
    SUITE(0xC0B0, TLS_ECCPWD_WITH_AES_128_GCM_SHA256)
    SUITE(0xC0B1, TLS_ECCPWD_WITH_AES_256_GCM_SHA384)
    SUITE(0xC0B2, TLS_ECCPWD_WITH_AES_128_CCM_SHA256)
    SUITE(0xC0B3, TLS_ECCPWD_WITH_AES_256_CCM_SHA384)
    SUITE(0xC0B4, TLS_SHA256_SHA256)
    SUITE(0xC0B5, TLS_SHA384_SHA384)
    /* RFC 9189 GOST */
    SUITE(0xC100, TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC)
    SUITE(0xC101, TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC)
    SUITE(0xC102, TLS_GOSTR341112_256_WITH_28147_CNT_IMIT)
    SUITE(0xC103, TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L)
    SUITE(0xC104, TLS_GOSTR341112_256_WITH_MAGMA_MGM_L)
    SUITE(0xC105, TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S)
    SUITE(0xC106, TLS_GOSTR341112_256_WITH_MAGMA_MGM_S)
    /* Pre-standard ChaCha20-Poly1305 (Chrome 2014-2016), before RFC 7905 */
    SUITE(0xCC13, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD)
    SUITE(0xCC14, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_OLD)
    SUITE(0xCC15, TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD)
    /* RFC 7905 ChaCha20-Poly1305 */
    SUITE(0xCCA8, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256)
    SUITE(0xCCA9, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256)
    SUITE(0xCCAA, TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256)
    SUITE(0xCCAB, TLS_PSK_WITH_CHACHA20_POLY1305_SHA256)
    SUITE(0xCCAC, TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256)
    SUITE(0xCCAD, TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256)
    SUITE(0xCCAE, TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256)
    /* RFC 8442 ECDHE-PSK AEAD */
    SUITE(0xD001, TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256)
    SUITE(0xD002, TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384)
    SUITE(0xD003, TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256)
    SUITE(0xD005, TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256)
    /* Netscape/NSS private FIPS suites (SSL 3.0 era) */
    SUITE(0xFEFE, SSL_RSA_FIPS_WITH_DES_CBC_SHA)
    SUITE(0xFEFF, SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA)
    SUITE(0xFFE0, SSL_RSA_FIPS_WITH_3DES_EDE_CBC_SHA_OLD)
    SUITE(0xFFE1, SSL_RSA_FIPS_WITH_DES_CBC_SHA_OLD)
    default:
        return NULL;
    }
}

#undef SUITE

bool tls_suite_is_tls13(uint16_t id)
{
    return id >= 0x1301 && id <= 0x1305;
}

/* "TLS 1.3 (draft N)" for every 0x7Fnn, built by the preprocessor so the
 * table stays const: D(n) is entry n, TENS(t) is entries t0..t9. */
#define D(n) "TLS 1.3 (draft " #n ")",
#define TENS(t) D(t##0) D(t##1) D(t##2) D(t##3) D(t##4) D(t##5) D(t##6) D(t##7) D(t##8) D(t##9)
static const char *const tls13_draft_names[256] = {
    D(0) D(1) D(2) D(3) D(4) D(5) D(6) D(7) D(8) D(9)
    TENS(1) TENS(2) TENS(3) TENS(4) TENS(5) TENS(6) TENS(7) TENS(8) TENS(9) TENS(10)
    TENS(11) TENS(12) TENS(13) TENS(14) TENS(15) TENS(16) TENS(17) TENS(18) TENS(19)
    TENS(20) TENS(21) TENS(22) TENS(23) TENS(24)
    D(250) D(251) D(252) D(253) D(254) D(255)
};
#undef TENS
#undef D

const char *tls_version_name(uint16_t v)
{
    if (tls_is_grease(v))
        return "GREASE";
    if ((v >> 8) == 0x7F)
        return tls13_draft_names[v & 0xFF];
    switch (v) {
    case 0x0002: return "SSL 2.0";
    case 0x0300: return "SSL 3.0";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    case 0x0100: return "DTLS 1.0 (OpenSSL pre 0.9.8f)";
    case 0x0101: return "GMTLS";
    case 0xFB17: return "TLS 1.3 (Facebook draft 23)";
    case 0xFB1A: return "TLS 1.3 (Facebook draft 26)";
    case 0xFEFF: return "DTLS 1.0";
    case 0xFEFD: return "DTLS 1.2";
    case 0xFEFC: return "DTLS 1.3";
    default: return NULL;
    }
}

const char *tls_alert_name(uint8_t description)
{
    switch (description) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 21: return "decryption_failed";
    case 22: return "record_overflow";
    case 30: return "decompression_failure";
    case 40: return "handshake_failure";
    case 41: return "no_certificate";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 52: return "too_many_cids_requested";
    case 60: return "export_restriction";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 100: return "no_renegotiation";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 111: return "certificate_unobtainable";
    case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response";
    case 114: return "bad_certificate_hash_value";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 117: return "general_error";
    case 120: return "no_application_protocol";
    case 121: return "ech_required";
    default: return NULL;
    }
}

const char *tls_alert_level_name(uint8_t level)
{
    switch (level) {
    case 1: return "warning";
    case 2: return "fatal";
    default: return NULL;
    }
}

const char *tls_extension_name(uint16_t type)
{
    if (tls_is_grease(type))
        return "GREASE";
    switch (type) {
    case 0: return "server_name";
    case 1: return "max_fragment_length";
    case 2: return "client_certificate_url";
    case 3: return "trusted_ca_keys";
    case 4: return "truncated_hmac";
    case 5: return "status_request";
    case 6: return "user_mapping";
    case 7: return "client_authz";
    case 8: return "server_authz";
    case 9: return "cert_type";
    case 10: return "supported_groups";
    case 11: return "ec_point_formats";
    case 12: return "srp";
    case 13: return "signature_algorithms";
    case 14: return "use_srtp";
    case 15: return "heartbeat";
    case 16: return "application_layer_protocol_negotiation";
    case 17: return "status_request_v2";
    case 18: return "signed_certificate_timestamp";
    case 19: return "client_certificate_type";
    case 20: return "server_certificate_type";
    case 21: return "padding";
    case 22: return "encrypt_then_mac";
    case 23: return "extended_master_secret"; /* RFC 7627 (IANA now: extended_main_secret) */
    case 24: return "token_binding";
    case 25: return "cached_info";
    case 26: return "tls_lts";
    case 27: return "compress_certificate";
    case 28: return "record_size_limit";
    case 29: return "pwd_protect";
    case 30: return "pwd_clear";
    case 31: return "password_salt";
    case 32: return "ticket_pinning";
    case 33: return "tls_cert_with_extern_psk";
    case 34: return "delegated_credential";
    case 35: return "session_ticket";
    case 36: return "TLMSP";
    case 37: return "TLMSP_proxying";
    case 38: return "TLMSP_delegate";
    case 39: return "supported_ekt_ciphers";
    case 41: return "pre_shared_key";
    case 42: return "early_data";
    case 43: return "supported_versions";
    case 44: return "cookie";
    case 45: return "psk_key_exchange_modes";
    case 47: return "certificate_authorities";
    case 48: return "oid_filters";
    case 49: return "post_handshake_auth";
    case 50: return "signature_algorithms_cert";
    case 51: return "key_share";
    case 52: return "transparency_info";
    case 53: return "connection_id_deprecated";
    case 54: return "connection_id";
    case 55: return "external_id_hash";
    case 56: return "external_session_id";
    case 57: return "quic_transport_parameters";
    case 58: return "ticket_request";
    case 59: return "dnssec_chain";
    case 60: return "sequence_number_encryption_algorithms";
    case 61: return "rrc";
    case 62: return "tls_flags";
    /* Not in the IANA registry but common on the wire */
    case 13172: return "next_protocol_negotiation";   /* 0x3374, NPN draft */
    case 17513: return "application_settings_old";    /* 0x4469, ALPS (Chrome) */
    case 17613: return "application_settings";        /* 0x44CD, ALPS (Chrome) */
    case 30031: return "channel_id_old";              /* 0x754F */
    case 30032: return "channel_id";                  /* 0x7550 */
    case 0xFD00: return "ech_outer_extensions";
    case 0xFE0D: return "encrypted_client_hello";
    case 0xFF01: return "renegotiation_info";
    case 0xFFCE: return "encrypted_server_name";      /* ESNI draft */
    default: return NULL;
    }
}

const char *tls_group_name(uint16_t group)
{
    if (tls_is_grease(group))
        return "GREASE";
    switch (group) {
    case 1: return "sect163k1";
    case 2: return "sect163r1";
    case 3: return "sect163r2";
    case 4: return "sect193r1";
    case 5: return "sect193r2";
    case 6: return "sect233k1";
    case 7: return "sect233r1";
    case 8: return "sect239k1";
    case 9: return "sect283k1";
    case 10: return "sect283r1";
    case 11: return "sect409k1";
    case 12: return "sect409r1";
    case 13: return "sect571k1";
    case 14: return "sect571r1";
    case 15: return "secp160k1";
    case 16: return "secp160r1";
    case 17: return "secp160r2";
    case 18: return "secp192k1";
    case 19: return "secp192r1";
    case 20: return "secp224k1";
    case 21: return "secp224r1";
    case 22: return "secp256k1";
    case 23: return "secp256r1";
    case 24: return "secp384r1";
    case 25: return "secp521r1";
    case 26: return "brainpoolP256r1";
    case 27: return "brainpoolP384r1";
    case 28: return "brainpoolP512r1";
    case 29: return "x25519";
    case 30: return "x448";
    case 31: return "brainpoolP256r1tls13";
    case 32: return "brainpoolP384r1tls13";
    case 33: return "brainpoolP512r1tls13";
    case 34: return "GC256A";
    case 35: return "GC256B";
    case 36: return "GC256C";
    case 37: return "GC256D";
    case 38: return "GC512A";
    case 39: return "GC512B";
    case 40: return "GC512C";
    case 41: return "curveSM2";
    case 256: return "ffdhe2048";
    case 257: return "ffdhe3072";
    case 258: return "ffdhe4096";
    case 259: return "ffdhe6144";
    case 260: return "ffdhe8192";
    case 512: return "MLKEM512";
    case 513: return "MLKEM768";
    case 514: return "MLKEM1024";
    case 0x11EB: return "SecP256r1MLKEM768";
    case 0x11EC: return "X25519MLKEM768";
    case 0x11ED: return "SecP384r1MLKEM1024";
    case 0x11EE: return "curveSM2MLKEM768";
    case 0x6399: return "X25519Kyber768Draft00";
    case 0x639A: return "SecP256r1Kyber768Draft00";
    case 0xFF01: return "arbitrary_explicit_prime_curves";
    case 0xFF02: return "arbitrary_explicit_char2_curves";
    default: return NULL;
    }
}

const char *tls_sigalg_name(uint16_t scheme)
{
    if (tls_is_grease(scheme))
        return "GREASE";
    switch (scheme) {
    /* TLS 1.2 SignatureAndHashAlgorithm pairs (hash, signature) that the
     * SignatureScheme registry keeps only as "reserved for compatibility" */
    case 0x0101: return "rsa_pkcs1_md5";
    case 0x0102: return "dsa_md5";
    case 0x0103: return "ecdsa_md5";
    case 0x0202: return "dsa_sha1";
    case 0x0301: return "rsa_pkcs1_sha224";
    case 0x0302: return "dsa_sha224";
    case 0x0303: return "ecdsa_sha224";
    case 0x0402: return "dsa_sha256";
    case 0x0502: return "dsa_sha384";
    case 0x0602: return "dsa_sha512";
    /* RFC 8446 SignatureScheme */
    case 0x0201: return "rsa_pkcs1_sha1";
    case 0x0203: return "ecdsa_sha1";
    case 0x0401: return "rsa_pkcs1_sha256";
    case 0x0403: return "ecdsa_secp256r1_sha256";
    case 0x0420: return "rsa_pkcs1_sha256_legacy";
    case 0x0501: return "rsa_pkcs1_sha384";
    case 0x0503: return "ecdsa_secp384r1_sha384";
    case 0x0520: return "rsa_pkcs1_sha384_legacy";
    case 0x0601: return "rsa_pkcs1_sha512";
    case 0x0603: return "ecdsa_secp521r1_sha512";
    case 0x0620: return "rsa_pkcs1_sha512_legacy";
    case 0x0704: return "eccsi_sha256";
    case 0x0705: return "iso_ibs1";
    case 0x0706: return "iso_ibs2";
    case 0x0707: return "iso_chinese_ibs";
    case 0x0708: return "sm2sig_sm3";
    case 0x0709: return "gostr34102012_256a";
    case 0x070A: return "gostr34102012_256b";
    case 0x070B: return "gostr34102012_256c";
    case 0x070C: return "gostr34102012_256d";
    case 0x070D: return "gostr34102012_512a";
    case 0x070E: return "gostr34102012_512b";
    case 0x070F: return "gostr34102012_512c";
    case 0x0804: return "rsa_pss_rsae_sha256";
    case 0x0805: return "rsa_pss_rsae_sha384";
    case 0x0806: return "rsa_pss_rsae_sha512";
    case 0x0807: return "ed25519";
    case 0x0808: return "ed448";
    case 0x0809: return "rsa_pss_pss_sha256";
    case 0x080A: return "rsa_pss_pss_sha384";
    case 0x080B: return "rsa_pss_pss_sha512";
    case 0x081A: return "ecdsa_brainpoolP256r1tls13_sha256";
    case 0x081B: return "ecdsa_brainpoolP384r1tls13_sha384";
    case 0x081C: return "ecdsa_brainpoolP512r1tls13_sha512";
    case 0x0904: return "mldsa44";
    case 0x0905: return "mldsa65";
    case 0x0906: return "mldsa87";
    default: return NULL;
    }
}

const char *tls_handshake_name(uint8_t type)
{
    switch (type) {
    case 0: return "hello_request";
    case 1: return "client_hello";
    case 2: return "server_hello";
    case 3: return "hello_verify_request";
    case 4: return "new_session_ticket";
    case 5: return "end_of_early_data";
    case 6: return "hello_retry_request";
    case 8: return "encrypted_extensions";
    case 9: return "request_connection_id";
    case 10: return "new_connection_id";
    case 11: return "certificate";
    case 12: return "server_key_exchange";
    case 13: return "certificate_request";
    case 14: return "server_hello_done";
    case 15: return "certificate_verify";
    case 16: return "client_key_exchange";
    case 17: return "client_certificate_request";
    case 20: return "finished";
    case 21: return "certificate_url";
    case 22: return "certificate_status";
    case 23: return "supplemental_data";
    case 24: return "key_update";
    case 25: return "compressed_certificate";
    case 26: return "ekt_key";
    case 67: return "next_protocol";   /* NPN draft, not in the registry */
    case 254: return "message_hash";
    default: return NULL;
    }
}
