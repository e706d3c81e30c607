/* TLS record decryption from key log secrets, with libcrypto only: its KDFs
 * (TLS13-KDF for HKDF-Expand-Label, TLS1-PRF for the TLS 1.2 key block) and
 * its AEAD ciphers. Nothing cryptographic is written here by hand.
 *
 * What it decrypts: AEAD cipher suites, one TLSCiphertext record at a time.
 *   TLS 1.3 (RFC 8446 5.2, 7.1, 7.3): 0x1301 AES-128-GCM, 0x1302 AES-256-GCM,
 *     0x1303 ChaCha20-Poly1305, 0x1304 AES-128-CCM, 0x1305 AES-128-CCM-8.
 *   TLS 1.2: AES-GCM (RFC 5288: 0x009c-0x009f, 0xc02b, 0xc02c, 0xc02f,
 *     0xc030), ChaCha20-Poly1305 (RFC 7905: 0xcca8-0xccaa) and AES-CCM
 *     (RFC 6655/7251: 0xc09c-0xc0a3, 0xc0ac-0xc0af).
 * CBC and stream suites are not supported (TLS_DECRYPT_UNSUPPORTED).
 *
 * Use: one struct tls_decrypt_state per direction, owned by the caller. Set
 * its keys from the key log (tls13_set_traffic_secret for each TLS 1.3 key
 * change, tls12_set_master_secret once after ChangeCipherSpec for both
 * directions), then hand it every protected record of that direction in
 * order. The sequence number is in the state: it starts at 0 when keys are
 * set and advances with each record that decrypts. A record that does not
 * authenticate leaves it where it was; after a capture gap the caller may set
 * st->seq to try further on. tls_decrypt_state_clear() wipes the keys.
 *
 * The record layer must pass only records that are protected: in TLS 1.3
 * application_data records (type 23) after the ServerHello, never the
 * middlebox-compatibility ChangeCipherSpec; in TLS 1.2 every record after the
 * direction's ChangeCipherSpec.
 *
 * No global state; every EVP object lives for one call. Never crashes on any
 * record bytes: lengths are checked before libcrypto sees them. */
#ifndef TLSDIAG_TLS_DECRYPT_H
#define TLSDIAG_TLS_DECRYPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TLS_DECRYPT_HEADER_LEN  5u
#define TLS_DECRYPT_MAX_BODY    (16384u + 2048u)  /* record bodies accepted, as tls.h's record limit */
#define TLS_DECRYPT_MAX_KEY     32u
#define TLS_DECRYPT_MAX_IV      12u
#define TLS_DECRYPT_MAX_SECRET  48u
#define TLS_RANDOM_LEN          32u

#define TLS_DECRYPT_RESULTS(X)                                                          \
    X(TLS_DECRYPT_OK, "ok", "decrypted")                                                \
    X(TLS_DECRYPT_AUTH_FAILED, "auth_failed",                                           \
      "does not authenticate: wrong key, wrong sequence number or damaged bytes")       \
    X(TLS_DECRYPT_UNSUPPORTED, "unsupported", "cipher suite not decryptable (not AEAD)") \
    X(TLS_DECRYPT_BAD_SECRET, "bad_secret", "secret length does not fit the cipher suite") \
    X(TLS_DECRYPT_MALFORMED, "malformed",                                               \
      "record too short or too long for its cipher, or without a content type")         \
    X(TLS_DECRYPT_NO_KEYS, "no_keys", "no keys set for this direction")                 \
    X(TLS_DECRYPT_INTERNAL, "internal", "libcrypto failed, or the output buffer is too small")

enum tls_decrypt_result {
#define TLS_DECRYPT_RESULT_ENUM(id, name, message) id,
    TLS_DECRYPT_RESULTS(TLS_DECRYPT_RESULT_ENUM)
#undef TLS_DECRYPT_RESULT_ENUM
};

enum tls_aead {
    TLS_AEAD_AES_128_GCM, TLS_AEAD_AES_256_GCM, TLS_AEAD_CHACHA20_POLY1305,
    TLS_AEAD_AES_128_CCM, TLS_AEAD_AES_256_CCM,
};

enum tls_prf_hash { TLS_HASH_SHA256, TLS_HASH_SHA384 };

/* One decryptable cipher suite. */
struct tls_cipher_info {
    uint16_t suite;
    uint16_t version;             /* 0x0304: a TLS 1.3 suite; 0x0303: TLS 1.2 */
    uint8_t aead;                 /* enum tls_aead */
    uint8_t hash;                 /* enum tls_prf_hash: HKDF's or the PRF's */
    uint8_t key_len;
    uint8_t fixed_iv_len;         /* 12, or the 4-byte salt of TLS 1.2 GCM/CCM */
    uint8_t explicit_nonce_len;   /* 8 for TLS 1.2 GCM/CCM, else 0 */
    uint8_t tag_len;              /* 16, or 8 for CCM-8 */
};

/* NULL when the suite is not one we decrypt. */
const struct tls_cipher_info *tls_cipher_lookup(uint16_t suite);

/* One direction's keys and sequence number. Caller-owned; all zero is "no
 * keys". */
struct tls_decrypt_state {
    const struct tls_cipher_info *cipher;   /* NULL until keys are set */
    uint8_t key[TLS_DECRYPT_MAX_KEY];
    uint8_t iv[TLS_DECRYPT_MAX_IV];         /* fixed_iv_len bytes used */
    uint64_t seq;                           /* the next record's sequence number */
};

struct tls_plaintext {
    uint8_t content_type;         /* TLS 1.3: the inner type; TLS 1.2: the record's */
    const uint8_t *data;          /* in the caller's out buffer */
    size_t len;                   /* TLS 1.3: padding removed */
};

/* TLS 1.3: key and IV from a traffic secret (a key log *_TRAFFIC_SECRET line)
 * by HKDF-Expand-Label(secret, "key"/"iv", "", length); seq = 0. The secret
 * must be as long as the suite's hash. On failure st has no keys. */
enum tls_decrypt_result tls13_set_traffic_secret(struct tls_decrypt_state *st, uint16_t suite,
                                                 const uint8_t *secret, size_t secret_len);

/* TLS 1.2: both directions' keys from the master secret (a key log
 * CLIENT_RANDOM line) and the two hello randoms, by the suite's PRF
 * (RFC 5246 6.3); seq = 0 in each. client or server may be NULL. On failure
 * neither has keys. */
enum tls_decrypt_result tls12_set_master_secret(struct tls_decrypt_state *client,
                                                struct tls_decrypt_state *server, uint16_t suite,
                                                const uint8_t *master_secret, size_t master_len,
                                                const uint8_t client_random[TLS_RANDOM_LEN],
                                                const uint8_t server_random[TLS_RANDOM_LEN]);

/* Decrypts one whole record: record points at its 5-byte header and
 * record_len covers header and body exactly (the header's length must agree).
 * The plaintext goes to out, which must hold the body's length
 * (TLS_DECRYPT_MAX_BODY always suffices) and must not overlap the record; pt
 * points into it. On TLS_DECRYPT_OK st->seq advances; on anything else out
 * is wiped, pt is empty and st->seq stays. */
enum tls_decrypt_result tls_decrypt_record(struct tls_decrypt_state *st, const uint8_t *record,
                                           size_t record_len, uint8_t *out, size_t out_cap,
                                           struct tls_plaintext *pt);

/* Wipes the keys; the state is "no keys" again. */
void tls_decrypt_state_clear(struct tls_decrypt_state *st);

/* "auth_failed" and the like, and a sentence for a report. */
const char *tls_decrypt_result_name(enum tls_decrypt_result r);
const char *tls_decrypt_result_message(enum tls_decrypt_result r);

#endif
