/* Client Hello and Server Hello grammar (RFC 8446 4.1, RFC 5246 7.4.1,
 * SSLv2 CLIENT-HELLO per RFC 6101 appendix E). */
#include "tls_msg.h"

#include <string.h>

/* RFC 8446 4.1.3: a Server Hello with this random is a HelloRetryRequest. */
static const uint8_t hello_retry_random[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

bool tls_next_extension(struct cursor *block, struct tls_extension *ext)
{
    if (cursor_remaining(block) < 4)
        return false;
    ext->type = cursor_be16(block);
    struct cursor body = cursor_vec16(block);
    if (!cursor_ok(&body))
        return false;
    ext->data.data = body.data;
    ext->data.len = body.len;
    return true;
}

/* A list inside an extension: its length prefix, then fixed-width items. */
static struct wire_list read_list(struct cursor *c, int prefix_bytes, uint8_t width)
{
    struct cursor v = prefix_bytes == 1 ? cursor_vec8(c) : cursor_vec16(c);
    struct wire_list l = { 0 };
    if (cursor_ok(&v))
        l = wire_list_make(v.data, v.len, width);
    return l;
}

static void read_server_name(struct cursor c, struct tls_client_hello *ch)
{
    struct cursor list = cursor_vec16(&c);
    while (cursor_remaining(&list) >= 3) {
        uint8_t name_type = cursor_u8(&list);
        struct cursor name = cursor_vec16(&list);
        if (!cursor_ok(&name))
            return;
        if (name_type == 0) { /* host_name */
            ch->sni.data = name.data;
            ch->sni.len = name.len;
            ch->has_sni = true;
            return;
        }
    }
}

static void read_key_shares(struct cursor c, uint16_t *groups, uint8_t *count)
{
    struct cursor list = cursor_vec16(&c);
    while (cursor_remaining(&list) >= 4 && *count < TLS_MAX_KEY_SHARES) {
        uint16_t group = cursor_be16(&list);
        struct cursor key = cursor_vec16(&list);
        if (!cursor_ok(&key))
            return;
        groups[(*count)++] = group;
    }
}

static void read_client_extension(struct tls_client_hello *ch, const struct tls_extension *ext)
{
    struct cursor c = cursor_make(ext->data.data, ext->data.len);
    switch (ext->type) {
    case TLS_EXT_SERVER_NAME:
        if (!ch->has_sni)
            read_server_name(c, ch);
        break;
    case TLS_EXT_SUPPORTED_GROUPS:
        ch->supported_groups = read_list(&c, 2, 2);
        break;
    case TLS_EXT_EC_POINT_FORMATS:
        ch->ec_point_formats = read_list(&c, 1, 1);
        break;
    case TLS_EXT_SIGNATURE_ALGORITHMS:
        ch->signature_algorithms = read_list(&c, 2, 2);
        break;
    case TLS_EXT_SUPPORTED_VERSIONS:
        ch->supported_versions = read_list(&c, 1, 2);
        break;
    case TLS_EXT_ALPN: {
        struct cursor list = cursor_vec16(&c);
        if (cursor_ok(&list)) {
            ch->alpn.data = list.data;
            ch->alpn.len = list.len;
            ch->has_alpn = true;
        }
        break;
    }
    case TLS_EXT_KEY_SHARE:
        read_key_shares(c, ch->key_share_groups, &ch->key_share_count);
        break;
    default:
        break;
    }
}

/* Extensions come last; a block that overruns the message is read as far as
 * it goes, like tshark does, so a damaged tail keeps the extensions before it. */
static void read_client_extensions(struct cursor *c, struct tls_client_hello *ch)
{
    if (cursor_remaining(c) < 2)
        return;
    uint16_t declared = cursor_be16(c);
    size_t available = cursor_remaining(c);
    struct cursor block = cursor_sub(c, declared <= available ? declared : available);
    if (declared > available)
        ch->status = PARSE_INVALID;
    ch->has_extensions = true;
    ch->extensions.data = block.data;
    ch->extensions.len = block.len;
    struct tls_extension ext;
    while (tls_next_extension(&block, &ext)) {
        ch->extension_count++;
        read_client_extension(ch, &ext);
    }
    if (cursor_remaining(&block))
        ch->status = PARSE_INVALID;
}

enum parse_status tls_parse_client_hello(const uint8_t *body, size_t len, struct tls_client_hello *out)
{
    memset(out, 0, sizeof *out);
    out->message = (struct wire_bytes){ body, len };
    struct cursor c = cursor_make(body, len);
    out->legacy_version = cursor_be16(&c);
    const uint8_t *random = cursor_bytes(&c, 32);
    struct cursor sid = cursor_vec8(&c);
    if (!cursor_ok(&c))
        return out->status = PARSE_INVALID;
    out->random = (struct wire_bytes){ random, 32 };
    out->session_id = (struct wire_bytes){ sid.data, sid.len };
    /* tshark reads an odd-length suite vector as floor(len/2) suites and
     * leaves out one that runs past the message. */
    uint16_t suites_len = cursor_be16(&c);
    if (!cursor_ok(&c) || suites_len > cursor_remaining(&c))
        return out->status = PARSE_INVALID;
    struct cursor suites = cursor_sub(&c, suites_len);
    out->cipher_suites = wire_list_make(suites.data, suites.len, 2);
    if (suites_len % 2)
        out->status = PARSE_INVALID;
    out->compression_methods = read_list(&c, 1, 1);
    if (!cursor_ok(&c))
        return out->status = PARSE_INVALID;
    read_client_extensions(&c, out);
    if (cursor_remaining(&c) && out->status == PARSE_OK)
        out->status = PARSE_INVALID;
    return out->status;
}

enum parse_status tls_parse_sslv2_client_hello(const uint8_t *msg, size_t len,
                                               struct tls_client_hello *out)
{
    memset(out, 0, sizeof *out);
    out->message = (struct wire_bytes){ msg, len };
    out->sslv2 = true;
    struct cursor c = cursor_make(msg, len);
    uint8_t msg_type = cursor_u8(&c);
    out->legacy_version = cursor_be16(&c);
    uint16_t specs_len = cursor_be16(&c);
    uint16_t sid_len = cursor_be16(&c);
    uint16_t challenge_len = cursor_be16(&c);
    struct cursor specs = cursor_sub(&c, specs_len);
    struct cursor sid = cursor_sub(&c, sid_len);
    struct cursor challenge = cursor_sub(&c, challenge_len);
    if (msg_type != 1)
        cursor_fail(&c, PARSE_INVALID);
    if (!cursor_ok(&c))
        return out->status = c.status;
    out->cipher_suites = wire_list_make(specs.data, specs.len, 3);
    out->session_id = (struct wire_bytes){ sid.data, sid.len };
    out->random = (struct wire_bytes){ challenge.data, challenge.len };
    return out->status = specs_len % 3 ? PARSE_INVALID : PARSE_OK;
}

static void read_server_extensions(struct cursor *c, struct tls_server_hello *sh)
{
    if (cursor_remaining(c) < 2)
        return;
    struct cursor block = cursor_vec16(c);
    if (!cursor_ok(&block)) {
        sh->status = PARSE_INVALID;
        return;
    }
    sh->has_extensions = true;
    sh->extensions.data = block.data;
    sh->extensions.len = block.len;
    struct tls_extension ext;
    while (tls_next_extension(&block, &ext)) {
        sh->extension_count++;
        struct cursor e = cursor_make(ext.data.data, ext.data.len);
        if (ext.type == TLS_EXT_SUPPORTED_VERSIONS && ext.data.len >= 2) {
            sh->supported_version = cursor_be16(&e);
            sh->has_supported_version = true;
        } else if (ext.type == TLS_EXT_KEY_SHARE && ext.data.len >= 2) {
            sh->key_share_group = cursor_be16(&e);
        } else if (ext.type == TLS_EXT_ALPN) {
            struct cursor list = cursor_vec16(&e);
            struct cursor name = cursor_vec8(&list);
            if (cursor_ok(&name)) {
                sh->alpn.data = name.data;
                sh->alpn.len = name.len;
                sh->has_alpn = true;
            }
        }
    }
    if (cursor_remaining(&block))
        sh->status = PARSE_INVALID;
}

enum parse_status tls_parse_server_hello(const uint8_t *body, size_t len, uint8_t msg_type,
                                         struct tls_server_hello *out)
{
    memset(out, 0, sizeof *out);
    out->message = (struct wire_bytes){ body, len };
    out->msg_type = msg_type;
    struct cursor c = cursor_make(body, len);
    out->legacy_version = cursor_be16(&c);
    const uint8_t *random = cursor_bytes(&c, 32);
    if (!cursor_ok(&c))
        return out->status = PARSE_INVALID;
    out->random = (struct wire_bytes){ random, 32 };
    out->is_hello_retry_request =
        msg_type == TLS_HS_HELLO_RETRY_REQUEST || memcmp(random, hello_retry_random, 32) == 0;
    /* Draft-era HelloRetryRequest (type 6), and a ServerHello of TLS 1.3
     * drafts before 22 (version 0x7F00 + draft, sent as the hello's own
     * version), have no session id or compression. */
    bool draft_layout = msg_type == TLS_HS_HELLO_RETRY_REQUEST ||
                        ((out->legacy_version >> 8) == 0x7F && (out->legacy_version & 0xFF) < 22);
    if (!draft_layout) {
        struct cursor sid = cursor_vec8(&c);
        out->session_id = (struct wire_bytes){ sid.data, sid.len };
    }
    out->cipher_suite = cursor_be16(&c);
    if (!cursor_ok(&c))
        return out->status = PARSE_INVALID;
    out->has_cipher_suite = true;
    if (!draft_layout)
        out->compression_method = cursor_u8(&c);
    if (!cursor_ok(&c))
        return out->status = PARSE_INVALID;
    read_server_extensions(&c, out);
    if (cursor_remaining(&c) && out->status == PARSE_OK)
        out->status = PARSE_INVALID;
    return out->status;
}
