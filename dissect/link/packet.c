/* Link, IP and tunnel decoding down to the innermost TCP or UDP segment. */
#include "packet.h"
#include "cursor.h"

#include <string.h>

/* Both numberings: libpcap hands out DLT_ values, pcapng files hold LINKTYPE_. */
enum {
    LINK_NULL = 0, LINK_ETHERNET = 1, LINK_RAW_BSD = 12, LINK_RAW_OPENBSD = 14,
    LINK_RAW = 101, LINK_LOOP = 108, LINK_SLL = 113, LINK_IPV4 = 228, LINK_IPV6 = 229,
    LINK_SLL2 = 276,
};

enum {
    ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86DD, ETH_VLAN = 0x8100, ETH_QINQ = 0x88A8,
    ETH_QINQ_OLD = 0x9100, ETH_PPPOE = 0x8864, ETH_MPLS = 0x8847, ETH_MPLS_MC = 0x8848,
    ETH_TEB = 0x6558,
};

enum { PROTO_IPIP = 4, PROTO_IPV6_IN_IP = 41, PROTO_GRE = 47 };
enum { PORT_GTPU = 2152, PORT_VXLAN = 4789 };


struct decode_ctx {
    struct packet_decoder *dec;
    struct packet_view *out;
    int depth;
    uint32_t cut_bytes;     /* what the snapshot length removed from the frame */
};

/* Bytes the headers announce but the capture lacks. Only a frame cut by the
 * snapshot length can lack bytes; a length field that claims more than an
 * uncut frame holds is lying, and only what is present counts. */
static uint32_t announced_len(const struct decode_ctx *x, uint32_t announced, uint32_t present)
{
    if (announced <= present)
        return announced;
    uint32_t missing = announced - present;
    return present + (missing < x->cut_bytes ? missing : x->cut_bytes);
}

static enum decode_result decode_ip(struct decode_ctx *x, const uint8_t *p, uint32_t len);
static enum decode_result decode_ethernet(struct decode_ctx *x, const uint8_t *p, uint32_t len);

static enum decode_result decode_by_ethertype(struct decode_ctx *x, uint16_t type,
                                              const uint8_t *p, uint32_t len)
{
    switch (type) {
    case ETH_IPV4:
    case ETH_IPV6:
        return decode_ip(x, p, len);
    case ETH_TEB:
        return decode_ethernet(x, p, len);
    default:
        return DECODE_NOT_IP;
    }
}

static enum decode_result decode_mpls(struct decode_ctx *x, struct cursor *c)
{
    for (int i = 0; i < PACKET_MAX_MPLS_LABELS; i++) {
        uint32_t entry = cursor_be32(c);
        if (!cursor_ok(c))
            return DECODE_TRUNCATED;
        if (entry & 0x100) { /* bottom of stack: guess the payload by its version nibble */
            struct cursor rest = cursor_rest(c);
            return decode_ip(x, rest.data, (uint32_t)rest.len);
        }
    }
    return DECODE_INVALID;
}

static enum decode_result decode_pppoe(struct decode_ctx *x, struct cursor *c)
{
    cursor_skip(c, 6); /* version/type, code, session id, length */
    uint16_t ppp_proto = cursor_be16(c);
    if (!cursor_ok(c))
        return DECODE_TRUNCATED;
    struct cursor rest = cursor_rest(c);
    if (ppp_proto == 0x0021 || ppp_proto == 0x0057)
        return decode_ip(x, rest.data, (uint32_t)rest.len);
    return DECODE_NOT_IP;
}

static enum decode_result decode_ethernet(struct decode_ctx *x, const uint8_t *p, uint32_t len)
{
    if (++x->depth > PACKET_MAX_ENCAP_DEPTH)
        return DECODE_INVALID;
    struct cursor c = cursor_make(p, len);
    cursor_skip(&c, 12);
    uint16_t type = cursor_be16(&c);
    for (int tags = 0; cursor_ok(&c) && (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD);
         tags++) {
        if (tags == PACKET_MAX_VLAN_TAGS)
            return DECODE_INVALID;
        cursor_skip(&c, 2);
        type = cursor_be16(&c);
    }
    if (!cursor_ok(&c))
        return DECODE_TRUNCATED;
    if (type == ETH_PPPOE)
        return decode_pppoe(x, &c);
    if (type == ETH_MPLS || type == ETH_MPLS_MC)
        return decode_mpls(x, &c);
    if (type <= 1500) /* an 802.3 length: LLC follows, not IP */
        return DECODE_NOT_IP;
    struct cursor rest = cursor_rest(&c);
    return decode_by_ethertype(x, type, rest.data, (uint32_t)rest.len);
}

static enum decode_result decode_tcp(struct decode_ctx *x, struct cursor *c, uint32_t wire_len)
{
    struct packet_view *o = x->out;
    o->sport = cursor_be16(c);
    o->dport = cursor_be16(c);
    o->seq = cursor_be32(c);
    o->ack = cursor_be32(c);
    uint8_t offset_byte = cursor_u8(c);
    o->tcp_flags = cursor_u8(c);
    o->window = cursor_be16(c);
    cursor_skip(c, 4); /* checksum, urgent pointer */
    if (!cursor_ok(c))
        return DECODE_TRUNCATED;
    uint32_t header_len = (uint32_t)(offset_byte >> 4) * 4;
    if (header_len < 20 || header_len > wire_len)
        return DECODE_INVALID;
    cursor_skip(c, header_len - 20);
    if (!cursor_ok(c))
        return DECODE_TRUNCATED;
    o->l4 = L4_TCP;
    o->payload = cursor_here(c);
    uint32_t present = (uint32_t)cursor_remaining(c);
    o->payload_wire_len = announced_len(x, wire_len - header_len, present);
    o->payload_len = present < o->payload_wire_len ? present : o->payload_wire_len;
    return DECODE_OK;
}

/* Only a GTPv1-U G-PDU carries a user packet; other GTP-U messages (echo,
 * error indication) stay plain UDP. */
static bool is_gtpu_gpdu(const struct cursor *c)
{
    return cursor_remaining(c) >= 2 && (cursor_here(c)[0] >> 5) == 1 && cursor_here(c)[1] == 0xFF;
}

static enum decode_result decode_gtpu(struct decode_ctx *x, struct cursor *c)
{
    uint8_t flags = cursor_u8(c);
    cursor_skip(c, 7); /* message type, length, TEID */
    if (!cursor_ok(c))
        return DECODE_TRUNCATED;
    x->dec->tunnels_opened++;
    if (flags & 0x07) {
        cursor_skip(c, 3); /* sequence number, N-PDU number */
        uint8_t next_ext = cursor_u8(c);
        for (int i = 0; next_ext && cursor_ok(c); i++) {
            if (i == PACKET_MAX_IPV6_EXT_HEADERS)
                return DECODE_INVALID;
            uint8_t units = cursor_u8(c);
            if (units == 0)
                return DECODE_INVALID;
            cursor_skip(c, (size_t)units * 4 - 2);
            next_ext = cursor_u8(c);
        }
        if (!cursor_ok(c))
            return DECODE_TRUNCATED;
    }
    struct cursor rest = cursor_rest(c);
    return decode_ip(x, rest.data, (uint32_t)rest.len);
}

static enum decode_result decode_udp(struct decode_ctx *x, struct cursor *c, uint32_t wire_len)
{
    struct packet_view *o = x->out;
    o->sport = cursor_be16(c);
    o->dport = cursor_be16(c);
    uint16_t udp_len = cursor_be16(c);
    cursor_skip(c, 2);
    if (!cursor_ok(c))
        return DECODE_TRUNCATED;
    if (udp_len < 8 || udp_len > wire_len)
        udp_len = (uint16_t)(wire_len < 0xFFFF ? wire_len : 0xFFFF);
    if ((o->sport == PORT_GTPU || o->dport == PORT_GTPU) && is_gtpu_gpdu(c))
        return decode_gtpu(x, c);
    if (o->dport == PORT_VXLAN) {
        cursor_skip(c, 8);
        if (!cursor_ok(c))
            return DECODE_TRUNCATED;
        struct cursor rest = cursor_rest(c);
        return decode_ethernet(x, rest.data, (uint32_t)rest.len);
    }
    o->l4 = L4_UDP;
    o->payload = cursor_here(c);
    uint32_t present = (uint32_t)cursor_remaining(c);
    o->payload_wire_len = announced_len(x, udp_len - 8u, present);
    o->payload_len = present < o->payload_wire_len ? present : o->payload_wire_len;
    return DECODE_OK;
}

static enum decode_result decode_gre(struct decode_ctx *x, struct cursor *c)
{
    uint16_t flags = cursor_be16(c);
    uint16_t proto = cursor_be16(c);
    if ((flags & 0x7) != 0) /* version 1 is PPTP's enhanced GRE: not followed */
        return DECODE_NOT_IP;
    cursor_skip(c, ((flags & 0x8000) ? 4u : 0u) + ((flags & 0x2000) ? 4u : 0u) +
                       ((flags & 0x1000) ? 4u : 0u));
    if (!cursor_ok(c))
        return DECODE_TRUNCATED;
    struct cursor rest = cursor_rest(c);
    return decode_by_ethertype(x, proto, rest.data, (uint32_t)rest.len);
}

/* Dispatches on the transport protocol once the IP layer is done.
 * bytes: the transport header and payload present; wire_len: as announced. */
static enum decode_result decode_transport(struct decode_ctx *x, uint8_t proto, const uint8_t *bytes,
                                           uint32_t present, uint32_t wire_len)
{
    struct cursor c = cursor_make(bytes, present);
    switch (proto) {
    case L4_TCP:
        return decode_tcp(x, &c, wire_len);
    case L4_UDP:
        return decode_udp(x, &c, wire_len);
    case PROTO_IPIP:
    case PROTO_IPV6_IN_IP:
        x->dec->tunnels_opened++;
        return decode_ip(x, bytes, present);
    case PROTO_GRE:
        x->dec->tunnels_opened++;
        return decode_gre(x, &c);
    default:
        x->out->l4 = proto;
        return DECODE_NOT_IP;
    }
}

static enum decode_result reassemble_fragment(struct decode_ctx *x, struct ipfrag_key *key,
                                              uint32_t offset, bool more, const uint8_t *data,
                                              uint32_t present, uint32_t wire_len)
{
    if (present < announced_len(x, wire_len, present)) /* a cut fragment cannot complete a datagram */
        return DECODE_TRUNCATED;
    const uint8_t *whole;
    uint32_t whole_len;
    if (!ipfrag_add(&x->dec->frags, key, offset, more, data, present, x->out->ts_ns, &whole,
                    &whole_len))
        return DECODE_FRAGMENT_HELD;
    x->out->from_fragments = true;
    return decode_transport(x, key->protocol, whole, whole_len, whole_len);
}

static enum decode_result decode_ipv4(struct decode_ctx *x, const uint8_t *p, uint32_t len)
{
    struct packet_view *o = x->out;
    struct cursor c = cursor_make(p, len);
    uint8_t version_ihl = cursor_u8(&c);
    cursor_skip(&c, 1);
    uint16_t total_len = cursor_be16(&c);
    uint16_t id = cursor_be16(&c);
    uint16_t frag = cursor_be16(&c);
    uint8_t ttl = cursor_u8(&c);
    uint8_t proto = cursor_u8(&c);
    cursor_skip(&c, 2);
    const uint8_t *src = cursor_bytes(&c, 4);
    const uint8_t *dst = cursor_bytes(&c, 4);
    if (!cursor_ok(&c))
        return DECODE_TRUNCATED;
    uint32_t header_len = (uint32_t)(version_ihl & 0x0F) * 4;
    /* Offloaded segments are often captured with total length 0. */
    if (total_len == 0)
        total_len = (uint16_t)(len < 0xFFFF ? len : 0xFFFF);
    if (header_len < 20 || total_len < header_len)
        return DECODE_INVALID;
    cursor_skip(&c, header_len - 20); /* options */
    if (!cursor_ok(&c))
        return DECODE_TRUNCATED;
    o->ip_version = 4;
    o->ip_ttl = ttl;
    o->has_ip_id = true;
    o->ip_id = id;
    memset(o->src, 0, 16);
    memset(o->dst, 0, 16);
    memcpy(o->src, src, 4);
    memcpy(o->dst, dst, 4);
    o->ip_header = p;
    o->ip_len = len < total_len ? len : total_len;
    uint32_t wire_payload = total_len - header_len;
    uint32_t present = o->ip_len - header_len;
    uint32_t frag_offset = (uint32_t)(frag & 0x1FFF) * 8;
    bool more_fragments = frag & 0x2000;
    if (frag_offset || more_fragments) {
        struct ipfrag_key key = { .id = id, .protocol = proto, .ip_version = 4 };
        memcpy(key.src, o->src, 16);
        memcpy(key.dst, o->dst, 16);
        return reassemble_fragment(x, &key, frag_offset, more_fragments, cursor_here(&c), present,
                                   wire_payload);
    }
    return decode_transport(x, proto, cursor_here(&c), present, wire_payload);
}

static bool is_ipv6_extension(uint8_t next)
{
    return next == 0 || next == 43 || next == 44 || next == 60 || next == 51 || next == 135 ||
           next == 139 || next == 140;
}

static enum decode_result decode_ipv6(struct decode_ctx *x, const uint8_t *p, uint32_t len)
{
    struct packet_view *o = x->out;
    struct cursor c = cursor_make(p, len);
    cursor_skip(&c, 4);
    uint32_t payload_len = cursor_be16(&c);
    uint8_t next = cursor_u8(&c);
    uint8_t hop_limit = cursor_u8(&c);
    const uint8_t *src = cursor_bytes(&c, 16);
    const uint8_t *dst = cursor_bytes(&c, 16);
    if (!cursor_ok(&c))
        return DECODE_TRUNCATED;
    o->ip_version = 6;
    o->ip_ttl = hop_limit;
    o->has_ip_id = false;
    memcpy(o->src, src, 16);
    memcpy(o->dst, dst, 16);
    if (payload_len == 0) /* jumbogram or offload: take what is there */
        payload_len = len - 40;
    o->ip_header = p;
    o->ip_len = len < payload_len + 40 ? len : payload_len + 40;
    c.len = o->ip_len;
    uint32_t frag_offset = 0, frag_id = 0;
    bool fragmented = false, more = false;
    for (int i = 0; is_ipv6_extension(next); i++) {
        if (i == PACKET_MAX_IPV6_EXT_HEADERS)
            return DECODE_INVALID;
        uint8_t this_header = next;
        next = cursor_u8(&c);
        uint8_t ext_len = cursor_u8(&c);
        size_t header_bytes = this_header == 51 ? ((size_t)ext_len + 2) * 4
                              : this_header == 44 ? 8
                                                  : ((size_t)ext_len + 1) * 8;
        if (this_header == 44) {
            uint16_t off_flags = cursor_be16(&c);
            frag_id = cursor_be32(&c);
            frag_offset = off_flags & 0xFFF8;
            more = off_flags & 1;
            fragmented = true;
        } else {
            cursor_skip(&c, header_bytes - 2);
        }
        if (!cursor_ok(&c))
            return DECODE_TRUNCATED;
    }
    uint32_t consumed = (uint32_t)c.pos - 40;
    if (consumed > payload_len)
        return DECODE_INVALID;
    uint32_t wire_payload = payload_len - consumed;
    uint32_t present = (uint32_t)cursor_remaining(&c);
    if (fragmented && (frag_offset || more)) {
        struct ipfrag_key key = { .id = frag_id, .protocol = next, .ip_version = 6 };
        memcpy(key.src, o->src, 16);
        memcpy(key.dst, o->dst, 16);
        return reassemble_fragment(x, &key, frag_offset, more, cursor_here(&c), present, wire_payload);
    }
    return decode_transport(x, next, cursor_here(&c), present, wire_payload);
}

static enum decode_result decode_ip(struct decode_ctx *x, const uint8_t *p, uint32_t len)
{
    if (++x->depth > PACKET_MAX_ENCAP_DEPTH)
        return DECODE_INVALID;
    if (len < 1)
        return DECODE_TRUNCATED;
    switch (p[0] >> 4) {
    case 4: return decode_ipv4(x, p, len);
    case 6: return decode_ipv6(x, p, len);
    default: return DECODE_NOT_IP;
    }
}

/* BSD loopback: the address family in the byte order of the capturing host. */
static enum decode_result decode_null(struct decode_ctx *x, const uint8_t *p, uint32_t len, bool network_order)
{
    struct cursor c = cursor_make(p, len);
    uint32_t family = network_order ? cursor_be32(&c) : cursor_le32(&c);
    if (!cursor_ok(&c))
        return DECODE_TRUNCATED;
    if (!network_order && family > 0xFFFF)
        family = __builtin_bswap32(family);
    struct cursor rest = cursor_rest(&c);
    if (family == 2 || family == 24 || family == 28 || family == 30 || family == 10)
        return decode_ip(x, rest.data, (uint32_t)rest.len);
    return DECODE_NOT_IP;
}

static enum decode_result decode_sll(struct decode_ctx *x, const uint8_t *p, uint32_t len, bool v2)
{
    struct cursor c = cursor_make(p, len);
    uint16_t proto;
    if (v2) {
        proto = cursor_be16(&c);
        cursor_skip(&c, 18);
    } else {
        cursor_skip(&c, 14);
        proto = cursor_be16(&c);
    }
    if (!cursor_ok(&c))
        return DECODE_TRUNCATED;
    struct cursor rest = cursor_rest(&c);
    return decode_by_ethertype(x, proto, rest.data, (uint32_t)rest.len);
}

void packet_decoder_init(struct packet_decoder *d, const struct ipfrag_limits *limits)
{
    memset(d, 0, sizeof *d);
    ipfrag_init(&d->frags, limits);
}

void packet_decoder_free(struct packet_decoder *d)
{
    ipfrag_free(&d->frags);
}

enum decode_result packet_decode(struct packet_decoder *d, int linktype, const uint8_t *data,
                                 uint32_t caplen, uint32_t wirelen, uint64_t frame, int64_t ts_ns,
                                 struct packet_view *out)
{
    memset(out, 0, sizeof *out);
    out->frame = frame;
    out->ts_ns = ts_ns;
    struct decode_ctx x = { d, out, 0, wirelen > caplen ? wirelen - caplen : 0 };
    switch (linktype) {
    case LINK_ETHERNET: return decode_ethernet(&x, data, caplen);
    case LINK_NULL: return decode_null(&x, data, caplen, false);
    case LINK_LOOP: return decode_null(&x, data, caplen, true);
    case LINK_RAW:
    case LINK_RAW_BSD:
    case LINK_RAW_OPENBSD:
    case LINK_IPV4:
    case LINK_IPV6: return decode_ip(&x, data, caplen);
    case LINK_SLL: return decode_sll(&x, data, caplen, false);
    case LINK_SLL2: return decode_sll(&x, data, caplen, true);
    default: return DECODE_UNKNOWN_LINK;
    }
}

const char *decode_result_name(enum decode_result r)
{
    switch (r) {
    case DECODE_OK: return "ok";
    case DECODE_NOT_IP: return "not IP/TCP/UDP";
    case DECODE_UNKNOWN_LINK: return "unknown link type";
    case DECODE_TRUNCATED: return "headers truncated";
    case DECODE_INVALID: return "invalid headers";
    case DECODE_FRAGMENT_HELD: return "IP fragment held";
    }
    return "?";
}
