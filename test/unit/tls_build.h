/* Builders for TLS hello messages, handshake messages and records, shared
 * by the TLS and stream unit tests. */
#ifndef TEST_TLS_BUILD_H
#define TEST_TLS_BUILD_H

#include "bytebuf.h"
#include "tls_msg.h"

enum {
    CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23,
    HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_CERTIFICATE = 11, HS_SERVER_HELLO_DONE = 14,
    HS_FINISHED = 20,
    EXT_SNI = 0, EXT_GROUPS = 10, EXT_POINT_FORMATS = 11, EXT_SIG_ALGS = 13, EXT_ALPN = 16,
    EXT_VERSIONS = 43, EXT_KEY_SHARE = 51, EXT_GREASE = 0xDADA,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* What build_client_hello puts in: GREASE in suites, groups, versions,
 * key shares and one extension. */
static const uint16_t ch_suites[] = { 0x0A0A, 0x1301, 0x1302, 0xC02F };
static const uint16_t ch_groups[] = { 0x2A2A, 0x001D, 0x0017 };
static const uint16_t ch_sig_algs[] = { 0x0403, 0x0804, 0x0401 };
static const uint16_t ch_versions[] = { 0x3A3A, 0x0304, 0x0303 };
static const uint16_t ch_key_shares[] = { 0x2A2A, 0x001D };
#define CH_SNI "example.com"
#define CH_EXTENSION_COUNT 8

static inline void put_u16_list(struct bytebuf *b, int prefix_width, const uint16_t *v, size_t n)
{
    size_t at = bb_open(b, prefix_width);
    for (size_t i = 0; i < n; i++)
        bb_be16(b, v[i]);
    bb_close(b, at, prefix_width);
}

/* Extensions: ext_begin writes the type and opens the length. */
static inline size_t ext_begin(struct bytebuf *b, uint16_t type)
{
    bb_be16(b, type);
    return bb_open(b, 2);
}

static inline void ext_end(struct bytebuf *b, size_t at) { bb_close(b, at, 2); }

static inline void put_sni_ext(struct bytebuf *b, const char *host)
{
    size_t ext = ext_begin(b, EXT_SNI);
    size_t list = bb_open(b, 2);
    bb_u8(b, 0); /* host_name */
    size_t name = bb_open(b, 2);
    bb_str(b, host);
    bb_close(b, name, 2);
    bb_close(b, list, 2);
    ext_end(b, ext);
}

static inline void put_list_ext(struct bytebuf *b, uint16_t type, int prefix_width, const uint16_t *v,
                                size_t n)
{
    size_t ext = ext_begin(b, type);
    put_u16_list(b, prefix_width, v, n);
    ext_end(b, ext);
}

/* protos: NUL-separated names, ending with an empty one ("h2\0http/1.1\0"). */
static inline void put_alpn_ext(struct bytebuf *b, const char *protos)
{
    size_t ext = ext_begin(b, EXT_ALPN);
    size_t list = bb_open(b, 2);
    for (const char *p = protos; *p; p += strlen(p) + 1) {
        bb_u8(b, (uint8_t)strlen(p));
        bb_str(b, p);
    }
    bb_close(b, list, 2);
    ext_end(b, ext);
}

static inline void put_key_share_ext(struct bytebuf *b, const uint16_t *groups, size_t n)
{
    size_t ext = ext_begin(b, EXT_KEY_SHARE);
    size_t list = bb_open(b, 2);
    for (size_t i = 0; i < n; i++) {
        bb_be16(b, groups[i]);
        size_t key = bb_open(b, 2);
        bb_fill(b, 0x4B, tls_is_grease(groups[i]) ? 1 : 32);
        bb_close(b, key, 2);
    }
    bb_close(b, list, 2);
    ext_end(b, ext);
}

/* Version, random (0x11...), a 32-byte session id, suites, null compression. */
static inline void put_client_hello_prefix(struct bytebuf *b)
{
    bb_be16(b, 0x0303);
    bb_fill(b, 0x11, 32);
    bb_u8(b, 32);
    bb_fill(b, 0x22, 32);
    put_u16_list(b, 2, ch_suites, COUNT(ch_suites));
    bb_u8(b, 1);
    bb_u8(b, 0);
}

static inline void put_client_extensions(struct bytebuf *b)
{
    static const uint16_t point_formats[] = { 0 };
    size_t ext = ext_begin(b, EXT_GREASE);
    ext_end(b, ext);
    put_sni_ext(b, CH_SNI);
    size_t pf = ext_begin(b, EXT_POINT_FORMATS);
    bb_u8(b, 1);
    bb_u8(b, (uint8_t)point_formats[0]);
    ext_end(b, pf);
    put_list_ext(b, EXT_GROUPS, 2, ch_groups, COUNT(ch_groups));
    put_list_ext(b, EXT_SIG_ALGS, 2, ch_sig_algs, COUNT(ch_sig_algs));
    put_alpn_ext(b, "h2\0http/1.1\0");
    put_list_ext(b, EXT_VERSIONS, 1, ch_versions, COUNT(ch_versions));
    put_key_share_ext(b, ch_key_shares, COUNT(ch_key_shares));
}

/* A Client Hello body (no handshake header). */
static inline void build_client_hello(struct bytebuf *b)
{
    put_client_hello_prefix(b);
    size_t exts = bb_open(b, 2);
    put_client_extensions(b);
    bb_close(b, exts, 2);
}

/* A Server Hello body: selected_version 0 leaves supported_versions out,
 * alpn NULL leaves ALPN out. */
static inline void build_server_hello(struct bytebuf *b, uint8_t random_fill, uint16_t suite,
                                      uint16_t selected_version, const char *alpn)
{
    bb_be16(b, 0x0303);
    bb_fill(b, random_fill, 32);
    bb_u8(b, 32);
    bb_fill(b, 0x22, 32);
    bb_be16(b, suite);
    bb_u8(b, 0);
    size_t exts = bb_open(b, 2);
    if (selected_version) {
        size_t e = ext_begin(b, EXT_VERSIONS);
        bb_be16(b, selected_version);
        ext_end(b, e);
        e = ext_begin(b, EXT_KEY_SHARE);
        bb_be16(b, 0x001D);
        size_t key = bb_open(b, 2);
        bb_fill(b, 0x4B, 32);
        bb_close(b, key, 2);
        ext_end(b, e);
    }
    if (alpn) {
        size_t e = ext_begin(b, EXT_ALPN);
        size_t list = bb_open(b, 2);
        bb_u8(b, (uint8_t)strlen(alpn));
        bb_str(b, alpn);
        bb_close(b, list, 2);
        ext_end(b, e);
    }
    bb_close(b, exts, 2);
}

/* A handshake message: type, 24-bit length, body. */
static inline void put_handshake(struct bytebuf *out, uint8_t type, const void *body, size_t len)
{
    bb_u8(out, type);
    bb_be24(out, (uint32_t)len);
    bb_bytes(out, body, len);
}

static inline void put_record_v(struct bytebuf *out, uint8_t content_type, uint16_t version,
                                const void *body, size_t len)
{
    bb_u8(out, content_type);
    bb_be16(out, version);
    bb_be16(out, (uint16_t)len);
    bb_bytes(out, body, len);
}

static inline void put_record(struct bytebuf *out, uint8_t content_type, const void *body, size_t len)
{
    put_record_v(out, content_type, 0x0303, body, len);
}

/* A whole Client Hello record, as a client's first flight starts. */
static inline void build_client_hello_record(struct bytebuf *out)
{
    struct bytebuf body = { .len = 0 }, msg = { .len = 0 };
    build_client_hello(&body);
    put_handshake(&msg, HS_CLIENT_HELLO, body.data, body.len);
    put_record_v(out, CT_HANDSHAKE, 0x0301, msg.data, msg.len);
}

#endif
