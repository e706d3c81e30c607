/* TLS record decryption (dissect/tls/tls_decrypt.c) with a fixed valid key
 * for every supported suite: the TLS 1.3 ones from a fixed traffic secret
 * (for 0x1301 the server handshake traffic secret of RFC 8448, so its
 * records are valid inputs), the TLS 1.2 ones from a fixed master secret and
 * randoms.
 *
 * Input: byte 0 picks the suite (modulo the number supported), byte 1 the
 * mode, bytes 2-9 the first sequence number (big-endian). Then:
 *   raw mode (byte 1 even): records, one after another; each takes what its
 *     header's length says, or what is left when less is. Every one goes to
 *     tls_decrypt_record(), whatever it holds.
 *   seal mode (byte 1 odd): chunks [content type][padding length][length:
 *     2 bytes][bytes]. Each is sealed here with libcrypto (independently of
 *     the code under test: the RFC 8446 5.2 / RFC 5288 / RFC 7905 record
 *     layout) and must decrypt to exactly what was sealed; then the record
 *     with one bit flipped (the position from the input) must not decrypt.
 *
 * Besides the sanitizers it checks the promises of tls_decrypt.h: on success
 * the plaintext lies in the output buffer and the sequence number moves by
 * one; on failure the output is empty and the sequence number stays. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "harness.h"
#include "tls_decrypt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SUITES 64
#define MAX_RECORD (TLS_DECRYPT_HEADER_LEN + TLS_DECRYPT_MAX_BODY)
#define MAX_SEALED_CONTENT 16384u

static const uint8_t RFC8448_SERVER_HS_SECRET[32] = {
    0xb6, 0x7b, 0x7d, 0x69, 0x0c, 0xc1, 0x6c, 0x4e, 0x75, 0xe5, 0x42, 0x13, 0xcb, 0x2d, 0x37, 0xb4,
    0xe9, 0xc9, 0x12, 0xbc, 0xde, 0xd9, 0x10, 0x5d, 0x42, 0xbe, 0xfd, 0x59, 0xd3, 0x91, 0xad, 0x38,
};

static struct tls_decrypt_state keys[MAX_SUITES];
static size_t suite_count;

static void set_up_keys(void)
{
    uint8_t secret[48], master[48], client_random[32], server_random[32];
    for (size_t i = 0; i < sizeof secret; i++) {
        secret[i] = (uint8_t)(0x5a ^ i);
        master[i] = (uint8_t)(0xa5 ^ i);
    }
    memset(client_random, 0xc1, sizeof client_random);
    memset(server_random, 0x51, sizeof server_random);
    for (uint32_t suite = 0; suite <= 0xFFFF && suite_count < MAX_SUITES; suite++) {
        const struct tls_cipher_info *c = tls_cipher_lookup((uint16_t)suite);
        if (!c)
            continue;
        struct tls_decrypt_state *st = &keys[suite_count];
        enum tls_decrypt_result r;
        if (c->version == 0x0304) {
            const uint8_t *s = suite == 0x1301 ? RFC8448_SERVER_HS_SECRET : secret;
            r = tls13_set_traffic_secret(st, (uint16_t)suite, s, c->hash ? 48 : 32);
        } else {
            r = tls12_set_master_secret(st, NULL, (uint16_t)suite, master, sizeof master,
                                        client_random, server_random);
        }
        if (r != TLS_DECRYPT_OK)
            abort();
        suite_count++;
    }
}

static const EVP_CIPHER *evp_cipher(const struct tls_cipher_info *c)
{
    switch (c->aead) {
    case TLS_AEAD_AES_128_GCM: return EVP_aes_128_gcm();
    case TLS_AEAD_AES_256_GCM: return EVP_aes_256_gcm();
    case TLS_AEAD_CHACHA20_POLY1305: return EVP_chacha20_poly1305();
    case TLS_AEAD_AES_128_CCM: return EVP_aes_128_ccm();
    case TLS_AEAD_AES_256_CCM: return EVP_aes_256_ccm();
    default: abort();
    }
}

/* AEAD-seals plain into out (ciphertext then tag). */
static void seal(const struct tls_cipher_info *c, const uint8_t *key, const uint8_t nonce[12],
                 const uint8_t *aad, size_t aad_len, const uint8_t *plain, size_t len,
                 uint8_t *out)
{
    bool ccm = c->aead == TLS_AEAD_AES_128_CCM || c->aead == TLS_AEAD_AES_256_CCM;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    bool ok = ctx && EVP_EncryptInit_ex(ctx, evp_cipher(c), NULL, NULL, NULL) == 1
              && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1
              && (!ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, c->tag_len, NULL) == 1)
              && EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1
              && (!ccm || EVP_EncryptUpdate(ctx, NULL, &n, NULL, (int)len) == 1)
              && EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1
              && EVP_EncryptUpdate(ctx, out, &n, plain, (int)len) == 1
              && EVP_EncryptFinal_ex(ctx, out + n, &n) == 1
              && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, c->tag_len, out + len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok)
        abort();
}

/* A whole record of this content at st->seq; returns its length. */
static size_t seal_record(const struct tls_decrypt_state *st, uint8_t type, const uint8_t *content,
                          size_t len, size_t padding, uint8_t *record)
{
    const struct tls_cipher_info *c = st->cipher;
    static uint8_t inner[MAX_SEALED_CONTENT + 256 + 1];
    uint8_t nonce[12];
    size_t inner_len, body;
    uint8_t *header = record;
    header[1] = 3;
    header[2] = 3;
    if (c->version == 0x0304) {
        memcpy(inner, content, len);
        inner[len] = type;
        memset(inner + len + 1, 0, padding);
        inner_len = len + 1 + padding;
        body = inner_len + c->tag_len;
        header[0] = 23;
    } else {
        memcpy(inner, content, len);
        inner_len = len;
        body = c->explicit_nonce_len + inner_len + c->tag_len;
        header[0] = type;
    }
    header[3] = (uint8_t)(body >> 8);
    header[4] = (uint8_t)body;
    uint8_t *payload = record + 5;
    uint8_t aad[13];
    size_t aad_len;
    if (c->version == 0x0304) {
        memcpy(aad, header, 5);
        aad_len = 5;
    } else {
        for (int i = 0; i < 8; i++)
            aad[i] = (uint8_t)(st->seq >> (56 - 8 * i));
        aad[8] = type;
        aad[9] = 3;
        aad[10] = 3;
        aad[11] = (uint8_t)(inner_len >> 8);
        aad[12] = (uint8_t)inner_len;
        aad_len = 13;
    }
    if (c->explicit_nonce_len) {
        /* Salt, then the explicit part: here the sequence number, as
         * OpenSSL sends it. */
        memcpy(nonce, st->iv, 4);
        for (int i = 0; i < 8; i++)
            nonce[4 + i] = payload[i] = (uint8_t)(st->seq >> (56 - 8 * i));
        payload += 8;
    } else {
        memcpy(nonce, st->iv, 12);
        for (int i = 0; i < 8; i++)
            nonce[11 - i] ^= (uint8_t)(st->seq >> (8 * i));
    }
    seal(c, st->key, nonce, aad, aad_len, inner, inner_len, payload);
    return 5 + body;
}

static uint8_t out[TLS_DECRYPT_MAX_BODY];
static uint8_t sealed[MAX_RECORD];

static enum tls_decrypt_result checked_decrypt(struct tls_decrypt_state *st, const uint8_t *rec,
                                               size_t len, struct tls_plaintext *pt)
{
    uint64_t seq = st->seq;
    enum tls_decrypt_result r = tls_decrypt_record(st, rec, len, out, sizeof out, pt);
    if (r == TLS_DECRYPT_OK) {
        if (st->seq != seq + 1 || len < 5 || pt->len > len - 5)
            abort();
        if (pt->len && (pt->data < out || pt->data + pt->len > out + sizeof out))
            abort();
        fuzz_touch(pt->data, pt->len);
    } else if (st->seq != seq || pt->data || pt->len) {
        abort();
    }
    if (!tls_decrypt_result_name(r) || !tls_decrypt_result_message(r))
        abort();
    return r;
}

static void raw_records(struct tls_decrypt_state *st, struct fuzz_input *in)
{
    while (fuzz_remaining(in)) {
        size_t want = fuzz_remaining(in);
        if (want >= 5) {
            const uint8_t *h = in->data + in->pos;
            want = 5 + ((size_t)h[3] << 8 | h[4]);
        }
        size_t got;
        const uint8_t *rec = fuzz_bytes(in, want, &got);
        struct tls_plaintext pt;
        checked_decrypt(st, rec, got, &pt);
    }
}

static void sealed_records(struct tls_decrypt_state *st, struct fuzz_input *in)
{
    while (fuzz_remaining(in) >= 4) {
        uint8_t type = fuzz_u8(in) | 1;               /* never 0: TLS 1.3 needs a type */
        size_t padding = fuzz_u8(in);
        size_t len = fuzz_u16(in) % (MAX_SEALED_CONTENT + 1);
        size_t got;
        const uint8_t *content = fuzz_bytes(in, len, &got);
        if (st->cipher->version == 0x0303)
            padding = 0;
        size_t n = seal_record(st, type, content, got, padding, sealed);

        struct tls_plaintext pt;
        uint64_t seq = st->seq;
        if (checked_decrypt(st, sealed, n, &pt) != TLS_DECRYPT_OK)
            abort();
        if (pt.content_type != type || pt.len != got || (got && memcmp(pt.data, content, got)))
            abort();

        /* One bit off anywhere, at the same sequence number: never OK. */
        size_t bit = ((size_t)fuzz_u8(in) << 8 | fuzz_u8(in)) % (n * 8);
        sealed[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        st->seq = seq;
        if (checked_decrypt(st, sealed, n, &pt) == TLS_DECRYPT_OK)
            abort();
        st->seq = seq + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!suite_count)
        set_up_keys();
    struct fuzz_input in = { data, size, 0 };
    struct tls_decrypt_state st = keys[fuzz_u8(&in) % suite_count];
    uint8_t mode = fuzz_u8(&in);
    st.seq = (uint64_t)fuzz_u32(&in) << 32;
    st.seq |= fuzz_u32(&in);
    if (mode & 1)
        sealed_records(&st, &in);
    else
        raw_records(&st, &in);
    tls_decrypt_state_clear(&st);
    return 0;
}
