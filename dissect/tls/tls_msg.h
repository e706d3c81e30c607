/* TLS handshake grammar: Client Hello, Server Hello and the parameters of a
 * ServerKeyExchange as zero-copy views.
 *
 * The parsers take one complete handshake message body and fill a view whose
 * pointers go into that body. Following tshark's leniency, a vector that runs
 * past its message is left out (present = false) and parsing stops there, so
 * the fields before it are still reported; `status` says what went wrong.
 */
#ifndef TLSDIAG_TLS_MSG_H
#define TLSDIAG_TLS_MSG_H

#include "cursor.h"
#include "wire.h"

enum tls_handshake_type {
    TLS_HS_HELLO_REQUEST = 0, TLS_HS_CLIENT_HELLO = 1, TLS_HS_SERVER_HELLO = 2,
    TLS_HS_HELLO_VERIFY_REQUEST = 3, TLS_HS_NEW_SESSION_TICKET = 4, TLS_HS_END_OF_EARLY_DATA = 5,
    TLS_HS_HELLO_RETRY_REQUEST = 6, TLS_HS_ENCRYPTED_EXTENSIONS = 8, TLS_HS_CERTIFICATE = 11,
    TLS_HS_SERVER_KEY_EXCHANGE = 12, TLS_HS_CERTIFICATE_REQUEST = 13, TLS_HS_SERVER_HELLO_DONE = 14,
    TLS_HS_CERTIFICATE_VERIFY = 15, TLS_HS_CLIENT_KEY_EXCHANGE = 16, TLS_HS_FINISHED = 20,
    TLS_HS_CERTIFICATE_URL = 21, TLS_HS_CERTIFICATE_STATUS = 22, TLS_HS_SUPPLEMENTAL_DATA = 23,
    TLS_HS_KEY_UPDATE = 24, TLS_HS_COMPRESSED_CERTIFICATE = 25, TLS_HS_MESSAGE_HASH = 254,
};

enum tls_extension_type {
    TLS_EXT_SERVER_NAME = 0, TLS_EXT_STATUS_REQUEST = 5, TLS_EXT_SUPPORTED_GROUPS = 10,
    TLS_EXT_EC_POINT_FORMATS = 11, TLS_EXT_SIGNATURE_ALGORITHMS = 13, TLS_EXT_ALPN = 16,
    TLS_EXT_SUPPORTED_VERSIONS = 43, TLS_EXT_KEY_SHARE = 51,
};

#define TLS_MAX_KEY_SHARES 8

struct tls_client_hello {
    struct wire_bytes message;        /* all the bytes parsed (what the views point into) */
    bool sslv2;                       /* SSLv2-format CLIENT-HELLO */
    uint16_t legacy_version;
    struct wire_bytes random;         /* 32 bytes (SSLv2: the challenge) */
    struct wire_bytes session_id;
    struct wire_list cipher_suites;   /* width 2, or 3 for SSLv2 cipher specs */
    struct wire_list compression_methods;
    struct wire_bytes extensions;     /* the raw extension block, for walking */
    bool has_extensions;
    struct wire_bytes sni;            /* first host_name, if any */
    bool has_sni;
    struct wire_list supported_versions;
    struct wire_list supported_groups;
    struct wire_list signature_algorithms;
    struct wire_list ec_point_formats;
    struct wire_bytes alpn;           /* the protocol_name_list, for walking */
    bool has_alpn;
    uint16_t key_share_groups[TLS_MAX_KEY_SHARES];
    uint8_t key_share_count;
    uint16_t extension_count;
    enum parse_status status;
};

struct tls_server_hello {
    struct wire_bytes message;        /* all the bytes parsed (what the views point into) */
    uint8_t msg_type;                 /* 2, or 6 for a draft HelloRetryRequest */
    bool sslv2;
    bool is_hello_retry_request;
    uint16_t legacy_version;
    struct wire_bytes random;
    struct wire_bytes session_id;
    uint16_t cipher_suite;
    bool has_cipher_suite;
    uint8_t compression_method;
    struct wire_bytes extensions;
    bool has_extensions;
    bool has_supported_version;
    uint16_t supported_version;       /* the selected version */
    struct wire_bytes alpn;           /* the selected protocol */
    bool has_alpn;
    uint16_t key_share_group;
    uint16_t extension_count;
    enum parse_status status;
};

/* The key exchange of a suite before TLS 1.3, as far as the
 * ServerKeyExchange is concerned: whose parameters it carries. */
enum tls_kx {
    TLS_KX_OTHER,       /* RSA, PSK, SRP, static DH ...: no DH/ECDH parameters read */
    TLS_KX_DHE,         /* ServerDHParams (DHE_RSA, DHE_DSS, DH_anon) */
    TLS_KX_DHE_PSK,     /* psk_identity_hint, then ServerDHParams */
    TLS_KX_ECDHE,       /* ServerECDHParams (ECDHE_RSA, ECDHE_ECDSA, ECDH_anon) */
    TLS_KX_ECDHE_PSK,   /* psk_identity_hint, then ServerECDHParams */
};

enum { TLS_EC_CURVE_NAMED = 3 };

/* The parameters at the head of a ServerKeyExchange (RFC 5246 7.4.3,
 * RFC 8422 5.4, RFC 4279/5489 for the PSK forms); the signature after them
 * is not read. */
struct tls_server_key_exchange {
    uint8_t kx;                       /* enum tls_kx */
    struct wire_bytes dh_p, dh_g, dh_ys;
    bool has_dh_p;
    uint32_t dh_p_bits;               /* the prime's size, from its first set bit */
    uint8_t curve_type;               /* ECDHE: TLS_EC_CURVE_NAMED, or 1/2 (explicit, not read) */
    bool has_named_group;
    uint16_t named_group;
    struct wire_bytes ec_point;
    enum parse_status status;
};

/* The key exchange a suite's IANA name spells (TLS_DHE_RSA_..., ...). */
enum tls_kx tls_suite_key_exchange(uint16_t suite);

/* A ServerKeyExchange body for the suite the Server Hello chose. Fields
 * are filled as far as they are read: a prime whose vector is whole is
 * reported even when what follows it is not. TRUNCATED: a vector runs past
 * the body; INVALID: an empty vector the grammar forbids, or an unknown
 * curve type. A suite without DH/ECDH parameters reads nothing (PARSE_OK,
 * kx TLS_KX_OTHER). */
enum parse_status tls_parse_server_key_exchange(const uint8_t *body, size_t len, uint16_t suite,
                                                struct tls_server_key_exchange *out);

struct tls_extension {
    uint16_t type;
    struct wire_bytes data;
};

/* Walks an extension block: returns false at the end or on damage. */
bool tls_next_extension(struct cursor *block, struct tls_extension *ext);

enum parse_status tls_parse_client_hello(const uint8_t *body, size_t len, struct tls_client_hello *out);
enum parse_status tls_parse_sslv2_client_hello(const uint8_t *msg, size_t len,
                                               struct tls_client_hello *out);
/* msg_type 2 or 6 (draft HelloRetryRequest). */
enum parse_status tls_parse_server_hello(const uint8_t *body, size_t len, uint8_t msg_type,
                                         struct tls_server_hello *out);

/* GREASE values (RFC 8701): 0x?A?A with both bytes equal. */
static inline bool tls_is_grease(uint32_t v)
{
    return (v & 0x0F0F) == 0x0A0A && (v >> 8) == (v & 0xFF);
}

#endif
