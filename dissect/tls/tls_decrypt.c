/* TLS record decryption with libcrypto; see tls_decrypt.h.
 *
 * Key derivation is libcrypto's: the TLS13-KDF in EXPAND_ONLY mode is
 * HKDF-Expand-Label with the "tls13 " prefix (RFC 8446 7.1), the TLS1-PRF
 * with SHA-256/384 is the TLS 1.2 PRF (RFC 5246 5). The AEADs are EVP
 * ciphers. This file only lays out nonces and additional data, and checks
 * every length (read through the cursor) before libcrypto sees it. */
#include "tls_decrypt.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "cursor.h"

#define TLS13_VERSION        0x0304
#define TLS12_VERSION        0x0303
#define AEAD_NONCE_LEN       12u
#define SEQ_LEN              8u
#define TLS13_INNER_TYPE_LEN 1u
#define CT_APPLICATION_DATA  23
#define TLS12_AAD_LEN        (SEQ_LEN + 1u + 2u + 2u)   /* seq, type, version, length */
#define TLS12_MASTER_LEN     48u
#define TLS12_KEY_BLOCK_MAX  (2u * TLS_DECRYPT_MAX_KEY + 2u * TLS_DECRYPT_MAX_IV)

enum { SHA256 = TLS_HASH_SHA256, SHA384 = TLS_HASH_SHA384 };
enum {
    GCM128 = TLS_AEAD_AES_128_GCM, GCM256 = TLS_AEAD_AES_256_GCM,
    CHACHA = TLS_AEAD_CHACHA20_POLY1305, CCM128 = TLS_AEAD_AES_128_CCM,
    CCM256 = TLS_AEAD_AES_256_CCM,
};

/* suite, version, AEAD, hash, key, fixed IV, explicit nonce, tag */
static const struct tls_cipher_info cipher_table[] = {
    { 0x1301, TLS13_VERSION, GCM128, SHA256, 16, 12, 0, 16 },  /* TLS_AES_128_GCM_SHA256 */
    { 0x1302, TLS13_VERSION, GCM256, SHA384, 32, 12, 0, 16 },  /* TLS_AES_256_GCM_SHA384 */
    { 0x1303, TLS13_VERSION, CHACHA, SHA256, 32, 12, 0, 16 },  /* TLS_CHACHA20_POLY1305_SHA256 */
    { 0x1304, TLS13_VERSION, CCM128, SHA256, 16, 12, 0, 16 },  /* TLS_AES_128_CCM_SHA256 */
    { 0x1305, TLS13_VERSION, CCM128, SHA256, 16, 12, 0, 8 },   /* TLS_AES_128_CCM_8_SHA256 */
    { 0x009c, TLS12_VERSION, GCM128, SHA256, 16, 4, 8, 16 },   /* RSA_WITH_AES_128_GCM_SHA256 */
    { 0x009d, TLS12_VERSION, GCM256, SHA384, 32, 4, 8, 16 },   /* RSA_WITH_AES_256_GCM_SHA384 */
    { 0x009e, TLS12_VERSION, GCM128, SHA256, 16, 4, 8, 16 },   /* DHE_RSA_WITH_AES_128_GCM_SHA256 */
    { 0x009f, TLS12_VERSION, GCM256, SHA384, 32, 4, 8, 16 },   /* DHE_RSA_WITH_AES_256_GCM_SHA384 */
    { 0xc02b, TLS12_VERSION, GCM128, SHA256, 16, 4, 8, 16 },   /* ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
    { 0xc02c, TLS12_VERSION, GCM256, SHA384, 32, 4, 8, 16 },   /* ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 */
    { 0xc02f, TLS12_VERSION, GCM128, SHA256, 16, 4, 8, 16 },   /* ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
    { 0xc030, TLS12_VERSION, GCM256, SHA384, 32, 4, 8, 16 },   /* ECDHE_RSA_WITH_AES_256_GCM_SHA384 */
    { 0xcca8, TLS12_VERSION, CHACHA, SHA256, 32, 12, 0, 16 },  /* ECDHE_RSA_WITH_CHACHA20_POLY1305 */
    { 0xcca9, TLS12_VERSION, CHACHA, SHA256, 32, 12, 0, 16 },  /* ECDHE_ECDSA_WITH_CHACHA20_POLY1305 */
    { 0xccaa, TLS12_VERSION, CHACHA, SHA256, 32, 12, 0, 16 },  /* DHE_RSA_WITH_CHACHA20_POLY1305 */
    { 0xc09c, TLS12_VERSION, CCM128, SHA256, 16, 4, 8, 16 },   /* RSA_WITH_AES_128_CCM */
    { 0xc09d, TLS12_VERSION, CCM256, SHA256, 32, 4, 8, 16 },   /* RSA_WITH_AES_256_CCM */
    { 0xc09e, TLS12_VERSION, CCM128, SHA256, 16, 4, 8, 16 },   /* DHE_RSA_WITH_AES_128_CCM */
    { 0xc09f, TLS12_VERSION, CCM256, SHA256, 32, 4, 8, 16 },   /* DHE_RSA_WITH_AES_256_CCM */
    { 0xc0a0, TLS12_VERSION, CCM128, SHA256, 16, 4, 8, 8 },    /* RSA_WITH_AES_128_CCM_8 */
    { 0xc0a1, TLS12_VERSION, CCM256, SHA256, 32, 4, 8, 8 },    /* RSA_WITH_AES_256_CCM_8 */
    { 0xc0a2, TLS12_VERSION, CCM128, SHA256, 16, 4, 8, 8 },    /* DHE_RSA_WITH_AES_128_CCM_8 */
    { 0xc0a3, TLS12_VERSION, CCM256, SHA256, 32, 4, 8, 8 },    /* DHE_RSA_WITH_AES_256_CCM_8 */
    { 0xc0ac, TLS12_VERSION, CCM128, SHA256, 16, 4, 8, 16 },   /* ECDHE_ECDSA_WITH_AES_128_CCM */
    { 0xc0ad, TLS12_VERSION, CCM256, SHA256, 32, 4, 8, 16 },   /* ECDHE_ECDSA_WITH_AES_256_CCM */
    { 0xc0ae, TLS12_VERSION, CCM128, SHA256, 16, 4, 8, 8 },    /* ECDHE_ECDSA_WITH_AES_128_CCM_8 */
    { 0xc0af, TLS12_VERSION, CCM256, SHA256, 32, 4, 8, 8 },    /* ECDHE_ECDSA_WITH_AES_256_CCM_8 */
};

static const char *const result_names[] = {
#define TLS_DECRYPT_RESULT_NAME(id, name, message) name,
    TLS_DECRYPT_RESULTS(TLS_DECRYPT_RESULT_NAME)
#undef TLS_DECRYPT_RESULT_NAME
};

static const char *const result_messages[] = {
#define TLS_DECRYPT_RESULT_MESSAGE(id, name, message) message,
    TLS_DECRYPT_RESULTS(TLS_DECRYPT_RESULT_MESSAGE)
#undef TLS_DECRYPT_RESULT_MESSAGE
};

#define RESULT_COUNT (sizeof result_names / sizeof result_names[0])

const char *tls_decrypt_result_name(enum tls_decrypt_result r)
{
    return (size_t)r < RESULT_COUNT ? result_names[r] : "?";
}

const char *tls_decrypt_result_message(enum tls_decrypt_result r)
{
    return (size_t)r < RESULT_COUNT ? result_messages[r] : "?";
}

const struct tls_cipher_info *tls_cipher_lookup(uint16_t suite)
{
    for (size_t i = 0; i < sizeof cipher_table / sizeof cipher_table[0]; i++)
        if (cipher_table[i].suite == suite)
            return &cipher_table[i];
    return NULL;
}

void tls_decrypt_state_clear(struct tls_decrypt_state *st)
{
    OPENSSL_cleanse(st, sizeof *st);
    st->cipher = NULL;
    st->seq = 0;
}

/* ---- libcrypto names ---- */

static const char *digest_name(const struct tls_cipher_info *c)
{
    return c->hash == TLS_HASH_SHA384 ? "SHA384" : "SHA256";
}

static size_t digest_len(const struct tls_cipher_info *c)
{
    return c->hash == TLS_HASH_SHA384 ? 48 : 32;
}

static const EVP_CIPHER *evp_cipher(const struct tls_cipher_info *c)
{
    switch (c->aead) {
    case GCM128: return EVP_aes_128_gcm();
    case GCM256: return EVP_aes_256_gcm();
    case CHACHA: return EVP_chacha20_poly1305();
    case CCM128: return EVP_aes_128_ccm();
    case CCM256: return EVP_aes_256_ccm();
    default:     return NULL;
    }
}

static bool is_ccm(const struct tls_cipher_info *c)
{
    return c->aead == CCM128 || c->aead == CCM256;
}

/* ---- key derivation ---- */

static EVP_KDF_CTX *kdf_context(const char *name)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, name, NULL);
    if (!kdf)
        return NULL;
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    return ctx;
}

/* HKDF-Expand-Label(secret, label, "", out_len), RFC 8446 7.1. */
static bool hkdf_expand_label(const struct tls_cipher_info *c, const uint8_t *secret,
                              size_t secret_len, const char *label, uint8_t *out, size_t out_len)
{
    static const char prefix[] = "tls13 ";
    EVP_KDF_CTX *ctx = kdf_context(OSSL_KDF_NAME_TLS1_3_KDF);
    if (!ctx)
        return false;
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest_name(c), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, (void *)prefix,
                                          sizeof prefix - 1),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label)),
        OSSL_PARAM_construct_end(),
    };
    bool ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

/* PRF(master_secret, "key expansion", server_random + client_random),
 * RFC 5246 6.3. */
static bool tls12_key_block(const struct tls_cipher_info *c, const uint8_t *master,
                            const uint8_t *client_random, const uint8_t *server_random,
                            uint8_t *out, size_t out_len)
{
    static const char label[] = "key expansion";
    uint8_t seed[sizeof label - 1 + 2 * TLS_RANDOM_LEN];
    memcpy(seed, label, sizeof label - 1);
    memcpy(seed + sizeof label - 1, server_random, TLS_RANDOM_LEN);
    memcpy(seed + sizeof label - 1 + TLS_RANDOM_LEN, client_random, TLS_RANDOM_LEN);

    EVP_KDF_CTX *ctx = kdf_context(OSSL_KDF_NAME_TLS1_PRF);
    if (!ctx)
        return false;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest_name(c), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)master, TLS12_MASTER_LEN),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof seed),
        OSSL_PARAM_construct_end(),
    };
    bool ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    return ok;
}

enum tls_decrypt_result tls13_set_traffic_secret(struct tls_decrypt_state *st, uint16_t suite,
                                                 const uint8_t *secret, size_t secret_len)
{
    tls_decrypt_state_clear(st);
    const struct tls_cipher_info *c = tls_cipher_lookup(suite);
    if (!c || c->version != TLS13_VERSION)
        return TLS_DECRYPT_UNSUPPORTED;
    if (!secret || secret_len != digest_len(c))
        return TLS_DECRYPT_BAD_SECRET;
    if (!hkdf_expand_label(c, secret, secret_len, "key", st->key, c->key_len)
        || !hkdf_expand_label(c, secret, secret_len, "iv", st->iv, c->fixed_iv_len)) {
        tls_decrypt_state_clear(st);
        return TLS_DECRYPT_INTERNAL;
    }
    st->cipher = c;
    return TLS_DECRYPT_OK;
}

enum tls_decrypt_result tls12_set_master_secret(struct tls_decrypt_state *client,
                                                struct tls_decrypt_state *server, uint16_t suite,
                                                const uint8_t *master_secret, size_t master_len,
                                                const uint8_t client_random[TLS_RANDOM_LEN],
                                                const uint8_t server_random[TLS_RANDOM_LEN])
{
    if (client)
        tls_decrypt_state_clear(client);
    if (server)
        tls_decrypt_state_clear(server);
    const struct tls_cipher_info *c = tls_cipher_lookup(suite);
    if (!c || c->version != TLS12_VERSION)
        return TLS_DECRYPT_UNSUPPORTED;
    if (!master_secret || master_len != TLS12_MASTER_LEN || !client_random || !server_random)
        return TLS_DECRYPT_BAD_SECRET;

    /* client_write_key, server_write_key, client_write_IV, server_write_IV
     * (AEAD suites have no MAC keys). */
    uint8_t block[TLS12_KEY_BLOCK_MAX];
    size_t block_len = 2u * c->key_len + 2u * c->fixed_iv_len;
    if (!tls12_key_block(c, master_secret, client_random, server_random, block, block_len)) {
        OPENSSL_cleanse(block, sizeof block);
        return TLS_DECRYPT_INTERNAL;
    }
    const uint8_t *client_key = block;
    const uint8_t *server_key = client_key + c->key_len;
    const uint8_t *client_iv = server_key + c->key_len;
    const uint8_t *server_iv = client_iv + c->fixed_iv_len;
    if (client) {
        memcpy(client->key, client_key, c->key_len);
        memcpy(client->iv, client_iv, c->fixed_iv_len);
        client->cipher = c;
    }
    if (server) {
        memcpy(server->key, server_key, c->key_len);
        memcpy(server->iv, server_iv, c->fixed_iv_len);
        server->cipher = c;
    }
    OPENSSL_cleanse(block, sizeof block);
    return TLS_DECRYPT_OK;
}

/* ---- one record ---- */

/* Opens ct_len bytes of ciphertext with their tag into out. */
static enum tls_decrypt_result aead_open(const struct tls_cipher_info *c, const uint8_t *key,
                                         const uint8_t nonce[AEAD_NONCE_LEN],
                                         const uint8_t *aad, size_t aad_len,
                                         const uint8_t *ct, size_t ct_len,
                                         const uint8_t *tag, uint8_t *out)
{
    const EVP_CIPHER *cipher = evp_cipher(c);
    EVP_CIPHER_CTX *ctx = cipher ? EVP_CIPHER_CTX_new() : NULL;
    if (!ctx)
        return TLS_DECRYPT_INTERNAL;
    enum tls_decrypt_result result = TLS_DECRYPT_INTERNAL;
    int n = 0;
    bool ccm = is_ccm(c);
    if (EVP_DecryptInit_ex(ctx, cipher, NULL, NULL, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AEAD_NONCE_LEN, NULL) != 1)
        goto done;
    /* CCM wants the tag and the message length before the data. */
    if (ccm && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, c->tag_len, (void *)tag) != 1)
        goto done;
    if (EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) != 1)
        goto done;
    if (ccm && EVP_DecryptUpdate(ctx, NULL, &n, NULL, (int)ct_len) != 1)
        goto done;
    if (EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aad_len) != 1)
        goto done;
    if (ccm) {
        /* The one update both decrypts and checks the tag. */
        result = EVP_DecryptUpdate(ctx, out, &n, ct, (int)ct_len) == 1 ? TLS_DECRYPT_OK
                                                                       : TLS_DECRYPT_AUTH_FAILED;
        goto done;
    }
    if (EVP_DecryptUpdate(ctx, out, &n, ct, (int)ct_len) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, c->tag_len, (void *)tag) != 1)
        goto done;
    int final_len = 0;
    result = EVP_DecryptFinal_ex(ctx, out + n, &final_len) == 1 ? TLS_DECRYPT_OK
                                                                : TLS_DECRYPT_AUTH_FAILED;
done:
    EVP_CIPHER_CTX_free(ctx);
    return result;
}

/* The per-record nonce: the fixed IV XOR the sequence number, right-aligned
 * (RFC 8446 5.3, RFC 7905 2). */
static void xor_nonce(const struct tls_decrypt_state *st, uint8_t nonce[AEAD_NONCE_LEN])
{
    memcpy(nonce, st->iv, AEAD_NONCE_LEN);
    for (unsigned i = 0; i < SEQ_LEN; i++)
        nonce[AEAD_NONCE_LEN - 1 - i] ^= (uint8_t)(st->seq >> (8 * i));
}

static void put_be64(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

struct record_view {
    const uint8_t *header;
    uint8_t type;
    uint16_t version;
    struct cursor body;
};

static enum tls_decrypt_result open_tls13(const struct tls_decrypt_state *st,
                                          struct record_view *r, uint8_t *out,
                                          struct tls_plaintext *pt)
{
    const struct tls_cipher_info *c = st->cipher;
    if (r->type != CT_APPLICATION_DATA)
        return TLS_DECRYPT_MALFORMED;
    size_t body_len = cursor_remaining(&r->body);
    if (body_len < (size_t)c->tag_len + TLS13_INNER_TYPE_LEN)
        return TLS_DECRYPT_MALFORMED;
    size_t ct_len = body_len - c->tag_len;
    const uint8_t *ct = cursor_bytes(&r->body, ct_len);
    const uint8_t *tag = cursor_bytes(&r->body, c->tag_len);
    if (!ct || !tag)
        return TLS_DECRYPT_MALFORMED;

    uint8_t nonce[AEAD_NONCE_LEN];
    xor_nonce(st, nonce);
    enum tls_decrypt_result result = aead_open(c, st->key, nonce, r->header,
                                               TLS_DECRYPT_HEADER_LEN, ct, ct_len, tag, out);
    OPENSSL_cleanse(nonce, sizeof nonce);
    if (result != TLS_DECRYPT_OK)
        return result;
    /* TLSInnerPlaintext: content, the type, then zero padding. */
    size_t n = ct_len;
    while (n > 0 && out[n - 1] == 0)
        n--;
    if (n == 0)
        return TLS_DECRYPT_MALFORMED;           /* all padding: no content type */
    pt->content_type = out[n - 1];
    pt->data = out;
    pt->len = n - 1;
    return TLS_DECRYPT_OK;
}

static enum tls_decrypt_result open_tls12(const struct tls_decrypt_state *st,
                                          struct record_view *r, uint8_t *out,
                                          struct tls_plaintext *pt)
{
    const struct tls_cipher_info *c = st->cipher;
    size_t body_len = cursor_remaining(&r->body);
    size_t overhead = (size_t)c->explicit_nonce_len + c->tag_len;
    if (body_len < overhead)
        return TLS_DECRYPT_MALFORMED;
    size_t ct_len = body_len - overhead;
    uint8_t nonce[AEAD_NONCE_LEN];
    if (c->explicit_nonce_len) {
        /* RFC 5288 3 / RFC 6655 3: salt from the key block, then the
         * record's explicit part. */
        const uint8_t *explicit_nonce = cursor_bytes(&r->body, c->explicit_nonce_len);
        if (!explicit_nonce || c->fixed_iv_len + c->explicit_nonce_len != AEAD_NONCE_LEN)
            return TLS_DECRYPT_MALFORMED;
        memcpy(nonce, st->iv, c->fixed_iv_len);
        memcpy(nonce + c->fixed_iv_len, explicit_nonce, c->explicit_nonce_len);
    } else {
        xor_nonce(st, nonce);
    }
    const uint8_t *ct = cursor_bytes(&r->body, ct_len);
    const uint8_t *tag = cursor_bytes(&r->body, c->tag_len);
    if (!ct || !tag)
        return TLS_DECRYPT_MALFORMED;

    /* additional_data = seq_num + type + version + length (RFC 5246 6.2.3.3) */
    uint8_t aad[TLS12_AAD_LEN];
    put_be64(aad, st->seq);
    aad[SEQ_LEN] = r->type;
    aad[SEQ_LEN + 1] = (uint8_t)(r->version >> 8);
    aad[SEQ_LEN + 2] = (uint8_t)r->version;
    aad[SEQ_LEN + 3] = (uint8_t)(ct_len >> 8);
    aad[SEQ_LEN + 4] = (uint8_t)ct_len;

    enum tls_decrypt_result result = aead_open(c, st->key, nonce, aad, sizeof aad, ct, ct_len,
                                               tag, out);
    OPENSSL_cleanse(nonce, sizeof nonce);
    if (result != TLS_DECRYPT_OK)
        return result;
    pt->content_type = r->type;
    pt->data = out;
    pt->len = ct_len;
    return TLS_DECRYPT_OK;
}

enum tls_decrypt_result tls_decrypt_record(struct tls_decrypt_state *st, const uint8_t *record,
                                           size_t record_len, uint8_t *out, size_t out_cap,
                                           struct tls_plaintext *pt)
{
    memset(pt, 0, sizeof *pt);
    if (!st->cipher)
        return TLS_DECRYPT_NO_KEYS;
    if (!record)
        return TLS_DECRYPT_MALFORMED;

    struct cursor in = cursor_make(record, record_len);
    struct record_view r = { .header = record };
    r.type = cursor_u8(&in);
    r.version = cursor_be16(&in);
    uint16_t length = cursor_be16(&in);
    if (!cursor_ok(&in) || cursor_remaining(&in) != length || length > TLS_DECRYPT_MAX_BODY)
        return TLS_DECRYPT_MALFORMED;
    if (!out || out_cap < length)
        return TLS_DECRYPT_INTERNAL;
    r.body = cursor_rest(&in);

    enum tls_decrypt_result result = st->cipher->version == TLS13_VERSION
                                         ? open_tls13(st, &r, out, pt)
                                         : open_tls12(st, &r, out, pt);
    if (result != TLS_DECRYPT_OK) {
        OPENSSL_cleanse(out, length);
        memset(pt, 0, sizeof *pt);
        return result;
    }
    st->seq++;
    return TLS_DECRYPT_OK;
}
