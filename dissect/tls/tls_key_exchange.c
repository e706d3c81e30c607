/* The DH and ECDH parameters of a TLS <= 1.2 ServerKeyExchange: the size of
 * the server's DH prime, or its named curve, is what an endpoint that
 * refuses a weak key exchange judges. */
#include "tls_msg.h"
#include "tls_names.h"

#include <string.h>

/* The IANA names spell the key exchange, and tls_names.c is the one list of
 * suites: a second table by code point could only drift from it. The PSK
 * forms come first, as their prefixes start with the plain ones'. */
enum tls_kx tls_suite_key_exchange(uint16_t suite)
{
    static const struct {
        const char *prefix;
        enum tls_kx kx;
    } by_prefix[] = {
        { "TLS_DHE_PSK_", TLS_KX_DHE_PSK },     { "TLS_DHE_", TLS_KX_DHE },
        { "TLS_DH_anon_", TLS_KX_DHE },         { "TLS_ECDHE_PSK_", TLS_KX_ECDHE_PSK },
        { "TLS_ECDHE_", TLS_KX_ECDHE },         { "TLS_ECDH_anon_", TLS_KX_ECDHE },
    };
    const char *name = tls_cipher_suite_name(suite);
    if (!name)
        return TLS_KX_OTHER;
    for (size_t i = 0; i < sizeof by_prefix / sizeof by_prefix[0]; i++)
        if (!strncmp(name, by_prefix[i].prefix, strlen(by_prefix[i].prefix)))
            return by_prefix[i].kx;
    return TLS_KX_OTHER;
}

/* A prime sent with leading zero bytes is no larger for them. */
static uint32_t significant_bits(const uint8_t *p, size_t len)
{
    while (len && !*p)
        p++, len--;
    if (!len)
        return 0;
    uint32_t bits = (uint32_t)(len - 1) * 8;
    for (uint8_t top = p[0]; top; top >>= 1)
        bits++;
    return bits;
}

/* opaque x<1..2^16-1>: an empty one contradicts the grammar. */
static struct wire_bytes read_dh_value(struct cursor *c)
{
    struct cursor v = cursor_vec16(c);
    if (cursor_ok(c) && cursor_at_end(&v))
        cursor_fail(c, PARSE_INVALID);
    return cursor_ok(c) ? (struct wire_bytes){ v.data, v.len } : (struct wire_bytes){ 0 };
}

static void read_dh_params(struct cursor *c, struct tls_server_key_exchange *out)
{
    out->dh_p = read_dh_value(c);
    if (!cursor_ok(c))
        return;
    out->has_dh_p = true;
    out->dh_p_bits = significant_bits(out->dh_p.data, out->dh_p.len);
    out->dh_g = read_dh_value(c);
    out->dh_ys = read_dh_value(c);
}

static void read_ecdh_params(struct cursor *c, struct tls_server_key_exchange *out)
{
    out->curve_type = cursor_u8(c);
    if (!cursor_ok(c))
        return;
    if (out->curve_type == 1 || out->curve_type == 2)
        return; /* explicit curves (deprecated, RFC 8422 5.4): nothing an analyst compares */
    if (out->curve_type != TLS_EC_CURVE_NAMED) {
        cursor_fail(c, PARSE_INVALID);
        return;
    }
    out->named_group = cursor_be16(c);
    if (!cursor_ok(c))
        return;
    out->has_named_group = true;
    struct cursor point = cursor_vec8(c);
    if (cursor_ok(c) && cursor_at_end(&point))
        cursor_fail(c, PARSE_INVALID); /* ECPoint<1..2^8-1> */
    if (cursor_ok(c))
        out->ec_point = (struct wire_bytes){ point.data, point.len };
}

enum parse_status tls_parse_server_key_exchange(const uint8_t *body, size_t len, uint16_t suite,
                                                struct tls_server_key_exchange *out)
{
    memset(out, 0, sizeof *out);
    out->kx = (uint8_t)tls_suite_key_exchange(suite);
    struct cursor c = cursor_make(body, body ? len : 0);
    if (out->kx == TLS_KX_DHE_PSK || out->kx == TLS_KX_ECDHE_PSK)
        (void)cursor_vec16(&c); /* psk_identity_hint: says nothing of the key's strength */
    if (out->kx == TLS_KX_DHE || out->kx == TLS_KX_DHE_PSK)
        read_dh_params(&c, out);
    else if (out->kx == TLS_KX_ECDHE || out->kx == TLS_KX_ECDHE_PSK)
        read_ecdh_params(&c, out);
    return out->status = c.status;
}
