/* JA3 / JA3S (github.com/salesforce/ja3) and JA4 (FoxIO, technical_details/JA4.md).
 *
 * Each fingerprint string is written once, through a sink that feeds the
 * digest and copies into the caller's text buffer as far as it fits, so the
 * hash always covers the whole string and nothing is allocated for it.
 */
#include "fingerprint.h"
#include "json_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* ---- output: a digest and/or a bounded text buffer -------------------------- */

/* The digest is fed in chunks: EVP_DigestUpdate per value, a few bytes at a
 * time, cost more than the rest of the fingerprint. */
#define SINK_CHUNK 256

struct sink {
    EVP_MD_CTX *md;   /* NULL: no digest */
    char *text;       /* NULL: no text */
    size_t cap;
    size_t len;       /* bytes stored in text (excluding the NUL) */
    size_t pending;   /* bytes in chunk not yet given to md */
    char chunk[SINK_CHUNK];
};

static EVP_MD_CTX *digest_start(const EVP_MD *type)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md && EVP_DigestInit_ex(md, type, NULL) != 1) {
        EVP_MD_CTX_free(md);
        md = NULL;
    }
    return md;
}

/* type NULL: text only. A digest sink is finished by sink_digest_hex(). */
static void sink_init(struct sink *s, const EVP_MD *type, char *text, size_t cap)
{
    s->md = type ? digest_start(type) : NULL;
    s->text = cap ? text : NULL;
    s->cap = cap;
    s->len = 0;
    s->pending = 0;
    if (s->text)
        s->text[0] = '\0';
}

static void sink_flush(struct sink *s)
{
    if (s->md && s->pending)
        EVP_DigestUpdate(s->md, s->chunk, s->pending);
    s->pending = 0;
}

static void sink_put(struct sink *s, const char *p, size_t n)
{
    if (s->md) {
        if (s->pending + n > SINK_CHUNK)
            sink_flush(s);
        if (n > SINK_CHUNK)
            EVP_DigestUpdate(s->md, p, n);
        else {
            memcpy(s->chunk + s->pending, p, n);
            s->pending += n;
        }
    }
    if (s->text && s->len + 1 < s->cap) {
        size_t room = s->cap - 1 - s->len;
        size_t k = n < room ? n : room;
        memcpy(s->text + s->len, p, k);
        s->len += k;
        s->text[s->len] = '\0';
    }
}

static void sink_char(struct sink *s, char c) { sink_put(s, &c, 1); }

static void sink_dec(struct sink *s, uint32_t v)
{
    char buf[10];
    size_t n = sizeof buf;
    do {
        buf[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    sink_put(s, buf + n, sizeof buf - n);
}

static const char hex_digits[] = "0123456789abcdef";

static void sink_hex4(struct sink *s, uint16_t v)
{
    char buf[4] = { hex_digits[v >> 12], hex_digits[(v >> 8) & 0xF],
                    hex_digits[(v >> 4) & 0xF], hex_digits[v & 0xF] };
    sink_put(s, buf, 4);
}

/* Writes the lowercase hex digest of what went into s into out (2 * digest
 * size + 1). */
static void sink_digest_hex(struct sink *s, char *out)
{
    EVP_MD_CTX *md = s->md;
    sink_flush(s);
    s->md = NULL;
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (md && EVP_DigestFinal_ex(md, d, &n) == 1)
        hex_from_bytes(d, n, out);
    else
        out[0] = '\0';
    EVP_MD_CTX_free(md);
}

/* ---- reading the hello ------------------------------------------------------ */

/* The i-th cipher as a 16-bit value; false for an SSLv2 cipher spec that does
 * not fit (first byte non-zero) and for GREASE. */
static bool cipher_at(const struct wire_list *l, uint32_t i, uint16_t *out)
{
    uint32_t v = wire_list_get(l, i);
    if (l->width == 3) {
        if (v > 0xFFFF)
            return false;
    }
    if (tls_is_grease(v))
        return false;
    *out = (uint16_t)v;
    return true;
}

static uint32_t list_count(const struct wire_list *l)
{
    return l->present && l->bytes ? l->count : 0;
}

static struct cursor extension_block(const struct wire_bytes *b)
{
    return cursor_make(b->data, b->data ? b->len : 0);
}

/* A decimal list "a-b-c" of the non-GREASE values of l. */
static void put_dec_list(struct sink *s, const struct wire_list *l)
{
    bool first = true;
    for (uint32_t i = 0; i < list_count(l); i++) {
        uint32_t v = wire_list_get(l, i);
        if (tls_is_grease(v))
            continue;
        if (!first)
            sink_char(s, '-');
        sink_dec(s, v);
        first = false;
    }
}

static void put_dec_extensions(struct sink *s, const struct wire_bytes *block)
{
    struct cursor c = extension_block(block);
    struct tls_extension ext;
    bool first = true;
    while (tls_next_extension(&c, &ext)) {
        if (tls_is_grease(ext.type))
            continue;
        if (!first)
            sink_char(s, '-');
        sink_dec(s, ext.type);
        first = false;
    }
}

/* ---- JA3 / JA3S ------------------------------------------------------------- */

void fingerprint_ja3(const struct tls_client_hello *ch, char *text, size_t text_len, char md5_hex[33])
{
    struct sink s;
    sink_init(&s, EVP_md5(), text, text_len);

    sink_dec(&s, ch->legacy_version);
    sink_char(&s, ',');
    bool first = true;
    for (uint32_t i = 0; i < list_count(&ch->cipher_suites); i++) {
        uint16_t v;
        if (!cipher_at(&ch->cipher_suites, i, &v))
            continue;
        if (!first)
            sink_char(&s, '-');
        sink_dec(&s, v);
        first = false;
    }
    sink_char(&s, ',');
    if (!ch->sslv2 && ch->has_extensions)
        put_dec_extensions(&s, &ch->extensions);
    sink_char(&s, ',');
    if (!ch->sslv2)
        put_dec_list(&s, &ch->supported_groups);
    sink_char(&s, ',');
    if (!ch->sslv2)
        put_dec_list(&s, &ch->ec_point_formats);

    sink_digest_hex(&s, md5_hex);
}

void fingerprint_ja3s(const struct tls_server_hello *sh, char *text, size_t text_len, char md5_hex[33])
{
    struct sink s;
    sink_init(&s, EVP_md5(), text, text_len);

    sink_dec(&s, sh->legacy_version);
    sink_char(&s, ',');
    sink_dec(&s, sh->cipher_suite);
    sink_char(&s, ',');
    if (sh->has_extensions)
        put_dec_extensions(&s, &sh->extensions);

    sink_digest_hex(&s, md5_hex);
}

/* ---- JA4 -------------------------------------------------------------------- */

#define JA4_A_LEN 10 /* "t13d1516h2" */
#define JA4_HASH_LEN 12
#define JA4_EMPTY_HASH "000000000000"

/* The values that go into JA4, GREASE removed, ciphers and extensions sorted. */
struct ja4_lists {
    uint16_t *ciphers;
    size_t n_ciphers;
    uint16_t *exts;       /* without SNI and ALPN */
    size_t n_exts;
    size_t n_all_exts;    /* with SNI and ALPN, for the count */
    bool has_sni;
    bool ok;              /* false: out of memory */
};

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

static void ja4_lists_make(const struct tls_client_hello *ch, struct ja4_lists *L)
{
    memset(L, 0, sizeof *L);
    L->ok = true;

    uint32_t nc = list_count(&ch->cipher_suites);
    if (nc) {
        L->ciphers = malloc(nc * sizeof *L->ciphers);
        if (!L->ciphers) {
            L->ok = false;
            return;
        }
        for (uint32_t i = 0; i < nc; i++) {
            uint16_t v;
            if (cipher_at(&ch->cipher_suites, i, &v))
                L->ciphers[L->n_ciphers++] = v;
        }
        qsort(L->ciphers, L->n_ciphers, sizeof *L->ciphers, cmp_u16);
    }

    if (ch->sslv2 || !ch->has_extensions)
        return;
    /* At most one extension per 4 bytes of the block. */
    size_t max_exts = ch->extensions.len / 4;
    if (max_exts) {
        L->exts = malloc(max_exts * sizeof *L->exts);
        if (!L->exts) {
            L->ok = false;
            return;
        }
    }
    struct cursor c = extension_block(&ch->extensions);
    struct tls_extension ext;
    while (tls_next_extension(&c, &ext)) {
        if (tls_is_grease(ext.type))
            continue;
        L->n_all_exts++;
        if (ext.type == TLS_EXT_SERVER_NAME)
            L->has_sni = true;
        if (ext.type == TLS_EXT_SERVER_NAME || ext.type == TLS_EXT_ALPN)
            continue;
        if (L->n_exts < max_exts)
            L->exts[L->n_exts++] = ext.type;
    }
    if (L->n_exts)
        qsort(L->exts, L->n_exts, sizeof *L->exts, cmp_u16);
}

static void ja4_lists_free(struct ja4_lists *L)
{
    free(L->ciphers);
    free(L->exts);
}

static bool is_alnum_byte(uint8_t b)
{
    return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
}

/* The two ALPN characters: first and last byte of the first protocol name.
 * A first byte that is not alphanumeric gives "99", as FoxIO's own
 * implementations write it (their expected values, e.g. for the ALPN
 * 0xBA 0xAD, say "99"; the prose's hex form would say "bd"); a last byte
 * that is not alphanumeric gives the last hex digit of the name, as the
 * prose says. */
static void ja4_alpn(const struct tls_client_hello *ch, char out[2])
{
    out[0] = out[1] = '0';
    if (!ch->has_alpn || !ch->alpn.data || ch->alpn.len < 2)
        return;
    size_t n = ch->alpn.data[0];
    if (n == 0 || n > ch->alpn.len - 1)
        return;
    uint8_t first = ch->alpn.data[1], last = ch->alpn.data[n];
    if (!is_alnum_byte(first)) {
        out[0] = out[1] = '9';
    } else if (is_alnum_byte(last)) {
        out[0] = (char)first;
        out[1] = (char)last;
    } else {
        out[0] = hex_digits[first >> 4];
        out[1] = hex_digits[last & 0xF];
    }
}

static const char *ja4_version(const struct tls_client_hello *ch)
{
    uint16_t v = ch->legacy_version;
    bool found = false;
    uint16_t best = 0;
    for (uint32_t i = 0; i < list_count(&ch->supported_versions); i++) {
        uint32_t sv = wire_list_get(&ch->supported_versions, i);
        if (tls_is_grease(sv))
            continue;
        if (!found || sv > best)
            best = (uint16_t)sv;
        found = true;
    }
    if (found)
        v = best;
    switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: /* SSLv2 CLIENT-HELLO version field */
    case 0x0200: return "s2";
    case 0x0100: return "s1";
    case 0xFEFF: return "d1";
    case 0xFEFD: return "d2";
    case 0xFEFC: return "d3";
    default: return "00";
    }
}

/* "t13d1516h2" into a[11]. */
static void ja4_part_a(const struct tls_client_hello *ch, const struct ja4_lists *L, char a[JA4_A_LEN + 1])
{
    size_t nc = L->n_ciphers > 99 ? 99 : L->n_ciphers;
    size_t ne = L->n_all_exts > 99 ? 99 : L->n_all_exts;
    char alpn[2];
    ja4_alpn(ch, alpn);
    snprintf(a, JA4_A_LEN + 1, "t%s%c%02u%02u%c%c", ja4_version(ch), L->has_sni ? 'd' : 'i',
             (unsigned)nc, (unsigned)ne, alpn[0], alpn[1]);
}

static void put_hex_list(struct sink *s, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            sink_char(s, ',');
        sink_hex4(s, v[i]);
    }
}

/* The signature algorithms of extension 13, wire order, GREASE removed. */
static void put_sigalgs(struct sink *s, const struct tls_client_hello *ch)
{
    bool first = true;
    for (uint32_t i = 0; i < list_count(&ch->signature_algorithms); i++) {
        uint32_t v = wire_list_get(&ch->signature_algorithms, i);
        if (tls_is_grease(v))
            continue;
        if (!first)
            sink_char(s, ',');
        sink_hex4(s, (uint16_t)v);
        first = false;
    }
}

static bool has_sigalgs(const struct tls_client_hello *ch)
{
    for (uint32_t i = 0; i < list_count(&ch->signature_algorithms); i++)
        if (!tls_is_grease(wire_list_get(&ch->signature_algorithms, i)))
            return true;
    return false;
}

/* Part c before hashing: sorted extensions, then '_' and the signature
 * algorithms when there are any. */
static void put_part_c(struct sink *s, const struct tls_client_hello *ch, const struct ja4_lists *L)
{
    put_hex_list(s, L->exts, L->n_exts);
    if (has_sigalgs(ch)) {
        sink_char(s, '_');
        put_sigalgs(s, ch);
    }
}

/* First 12 hex digits of the SHA-256 of what fill writes; the spec's
 * "000000000000" when the list is empty. */
static void ja4_hash_b(const struct ja4_lists *L, char out[JA4_HASH_LEN + 1])
{
    strcpy(out, JA4_EMPTY_HASH);
    if (L->n_ciphers == 0)
        return;
    struct sink s;
    sink_init(&s, EVP_sha256(), NULL, 0);
    put_hex_list(&s, L->ciphers, L->n_ciphers);
    char full[2 * EVP_MAX_MD_SIZE + 1];
    sink_digest_hex(&s, full);
    if (strlen(full) >= JA4_HASH_LEN)
        memcpy(out, full, JA4_HASH_LEN);
}

static void ja4_hash_c(const struct tls_client_hello *ch, const struct ja4_lists *L,
                       char out[JA4_HASH_LEN + 1])
{
    strcpy(out, JA4_EMPTY_HASH);
    if (L->n_exts == 0)
        return;
    struct sink s;
    sink_init(&s, EVP_sha256(), NULL, 0);
    put_part_c(&s, ch, L);
    char full[2 * EVP_MAX_MD_SIZE + 1];
    sink_digest_hex(&s, full);
    if (strlen(full) >= JA4_HASH_LEN)
        memcpy(out, full, JA4_HASH_LEN);
}

void fingerprint_ja4(const struct tls_client_hello *ch, char out[JA4_MAX])
{
    struct ja4_lists L;
    ja4_lists_make(ch, &L);
    if (!L.ok) {
        ja4_lists_free(&L);
        out[0] = '\0';
        return;
    }
    char a[JA4_A_LEN + 1], b[JA4_HASH_LEN + 1], c[JA4_HASH_LEN + 1];
    ja4_part_a(ch, &L, a);
    ja4_hash_b(&L, b);
    ja4_hash_c(ch, &L, c);
    snprintf(out, JA4_MAX, "%s_%s_%s", a, b, c);
    ja4_lists_free(&L);
}

void fingerprint_ja4_raw(const struct tls_client_hello *ch, char *out, size_t out_len)
{
    if (!out || !out_len)
        return;
    struct ja4_lists L;
    ja4_lists_make(ch, &L);
    if (!L.ok) {
        ja4_lists_free(&L);
        out[0] = '\0';
        return;
    }
    char a[JA4_A_LEN + 1];
    ja4_part_a(ch, &L, a);
    struct sink s;
    sink_init(&s, NULL, out, out_len);
    sink_put(&s, a, strlen(a));
    sink_char(&s, '_');
    put_hex_list(&s, L.ciphers, L.n_ciphers);
    sink_char(&s, '_');
    put_part_c(&s, ch, &L);
    ja4_lists_free(&L);
}
