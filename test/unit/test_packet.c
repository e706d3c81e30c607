/* Unit tests for dissect/link/packet.c (and dissect/link/ipfrag.c through it): link,
 * IP and tunnel decoding of frames built here, field by field. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "bytebuf.h"
#include "packet.h"

/* Link types, both numberings (see packet_decode). */
enum {
    LT_NULL = 0, LT_ETHERNET = 1, LT_DLT_RAW = 12, LT_RAW = 101, LT_LOOP = 108, LT_SLL = 113,
    LT_IPV4 = 228, LT_IPV6 = 229, LT_SLL2 = 276, LT_UNKNOWN = 147,
};

enum {
    ET_IPV4 = 0x0800, ET_ARP = 0x0806, ET_IPV6 = 0x86DD, ET_VLAN = 0x8100, ET_QINQ = 0x88A8,
    ET_PPPOE = 0x8864, ET_MPLS = 0x8847,
};

enum { IP_TCP = 6, IP_UDP = 17, IP_IPIP = 4, IP_GRE = 47, IP6_HOP = 0, IP6_DSTOPTS = 60, IP6_FRAG = 44 };

static const uint8_t outer_src[4] = { 10, 0, 0, 1 }, outer_dst[4] = { 10, 0, 0, 2 };
static const uint8_t inner_src[4] = { 192, 168, 1, 1 }, inner_dst[4] = { 192, 168, 1, 2 };
static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

enum { SPORT = 40000, DPORT = 443, SEQ = 0x11223344u, ACK = 0x55667788u, WINDOW = 0x1000 };
static const char payload[] = "GET / HTTP/1.1\r\nHost: example\r\n\r\n"; /* 33 bytes */
#define PAYLOAD_LEN (sizeof payload - 1)

/* ---- frame builders -------------------------------------------------------------- */

static void put_eth(struct bytebuf *b, uint16_t ethertype)
{
    static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1 };
    bb_bytes(b, macs, sizeof macs);
    bb_be16(b, ethertype);
}

static void put_vlan_tag(struct bytebuf *b, uint16_t vid, uint16_t next_type)
{
    bb_be16(b, vid);
    bb_be16(b, next_type);
}

/* IPv4 header; the total length is patched by ipv4_end. */
static size_t ipv4_begin_full(struct bytebuf *b, uint8_t proto, const uint8_t src[4],
                              const uint8_t dst[4], uint16_t id, uint16_t frag_field,
                              size_t option_bytes)
{
    size_t at = b->len;
    bb_u8(b, (uint8_t)(0x40 | (5 + option_bytes / 4)));
    bb_u8(b, 0);
    bb_be16(b, 0); /* total length */
    bb_be16(b, id);
    bb_be16(b, frag_field);
    bb_u8(b, 64);
    bb_u8(b, proto);
    bb_be16(b, 0);
    bb_bytes(b, src, 4);
    bb_bytes(b, dst, 4);
    bb_fill(b, 1 /* NOP */, option_bytes);
    return at;
}

static size_t ipv4_begin(struct bytebuf *b, uint8_t proto, const uint8_t src[4], const uint8_t dst[4])
{
    return ipv4_begin_full(b, proto, src, dst, 0x4242, 0x4000 /* DF */, 0);
}

static void ipv4_end(struct bytebuf *b, size_t at)
{
    size_t total = b->len - at;
    b->data[at + 2] = (uint8_t)(total >> 8);
    b->data[at + 3] = (uint8_t)total;
}

static size_t ipv6_begin(struct bytebuf *b, uint8_t next)
{
    size_t at = b->len;
    bb_be32(b, 0x60000000);
    bb_be16(b, 0); /* payload length */
    bb_u8(b, next);
    bb_u8(b, 64);
    bb_bytes(b, v6_src, 16);
    bb_bytes(b, v6_dst, 16);
    return at;
}

static void ipv6_end(struct bytebuf *b, size_t at)
{
    size_t n = b->len - at - 40;
    b->data[at + 4] = (uint8_t)(n >> 8);
    b->data[at + 5] = (uint8_t)n;
}

/* An 8-byte extension header (hop-by-hop or destination options, all padding). */
static void put_ipv6_padding_ext(struct bytebuf *b, uint8_t next)
{
    bb_u8(b, next);
    bb_u8(b, 0);
    bb_u8(b, 1); /* PadN */
    bb_u8(b, 4);
    bb_fill(b, 0, 4);
}

static void put_tcp_full(struct bytebuf *b, uint16_t sport, uint16_t dport, uint8_t data_offset_words,
                         uint8_t flags, const void *data, size_t len)
{
    bb_be16(b, sport);
    bb_be16(b, dport);
    bb_be32(b, SEQ);
    bb_be32(b, ACK);
    bb_u8(b, (uint8_t)(data_offset_words << 4));
    bb_u8(b, flags);
    bb_be16(b, WINDOW);
    bb_be32(b, 0); /* checksum, urgent pointer */
    if (data_offset_words > 5)
        bb_fill(b, 1 /* NOP */, (size_t)(data_offset_words - 5) * 4);
    bb_bytes(b, data, len);
}

static void put_tcp(struct bytebuf *b, const void *data, size_t len)
{
    put_tcp_full(b, SPORT, DPORT, 5, TCP_PSH | TCP_ACK, data, len);
}

static size_t udp_begin(struct bytebuf *b, uint16_t sport, uint16_t dport)
{
    size_t at = b->len;
    bb_be16(b, sport);
    bb_be16(b, dport);
    bb_be16(b, 0); /* length */
    bb_be16(b, 0);
    return at;
}

static void udp_end(struct bytebuf *b, size_t at)
{
    size_t n = b->len - at;
    b->data[at + 4] = (uint8_t)(n >> 8);
    b->data[at + 5] = (uint8_t)n;
}

/* The packet every tunnel test carries: inner IPv4 + TCP + payload. */
static void put_ipv4_tcp(struct bytebuf *b, const uint8_t src[4], const uint8_t dst[4])
{
    size_t ip = ipv4_begin(b, IP_TCP, src, dst);
    put_tcp(b, payload, PAYLOAD_LEN);
    ipv4_end(b, ip);
}

static void put_ipv6_tcp(struct bytebuf *b)
{
    size_t ip = ipv6_begin(b, IP_TCP);
    put_tcp(b, payload, PAYLOAD_LEN);
    ipv6_end(b, ip);
}

/* ---- decoding -------------------------------------------------------------------- */

static struct packet_decoder dec;
static struct packet_view view;
static uint64_t next_frame;

static int setup(void **state)
{
    (void)state;
    struct ipfrag_limits limits = { .max_datagrams = 4, .timeout_ns = 10LL * 1000000000LL };
    packet_decoder_init(&dec, &limits);
    next_frame = 1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    packet_decoder_free(&dec);
    return 0;
}

/* caplen bytes of the frame were captured out of wirelen on the wire. */
static enum decode_result decode_cut(int linktype, const struct bytebuf *b, size_t caplen, size_t wirelen)
{
    return packet_decode(&dec, linktype, b->data, (uint32_t)caplen, (uint32_t)wirelen, next_frame++,
                         1000, &view);
}

static enum decode_result decode(int linktype, const struct bytebuf *b)
{
    return decode_cut(linktype, b, b->len, b->len);
}

static void assert_tcp_view(const uint8_t src[4], const uint8_t dst[4])
{
    assert_int_equal(view.ip_version, 4);
    assert_memory_equal(view.src, src, 4);
    assert_memory_equal(view.dst, dst, 4);
    assert_int_equal(view.l4, L4_TCP);
    assert_int_equal(view.sport, SPORT);
    assert_int_equal(view.dport, DPORT);
    assert_int_equal(view.seq, SEQ);
    assert_int_equal(view.ack, ACK);
    assert_int_equal(view.tcp_flags, TCP_PSH | TCP_ACK);
    assert_int_equal(view.window, WINDOW);
    assert_int_equal(view.payload_len, PAYLOAD_LEN);
    assert_int_equal(view.payload_wire_len, PAYLOAD_LEN);
    assert_memory_equal(view.payload, payload, PAYLOAD_LEN);
}

static void assert_inner_tcp_view(void) { assert_tcp_view(inner_src, inner_dst); }

/* ---- Ethernet and VLANs --------------------------------------------------------------- */

static void test_ethernet_ipv4_tcp_fields(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_IPV4);
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
    assert_int_equal(view.frame, 1);
    assert_int_equal(view.ts_ns, 1000);
    assert_ptr_equal(view.ip_header, b.data + 14);
    assert_int_equal(view.ip_len, 20 + 20 + PAYLOAD_LEN);
    assert_ptr_equal(view.payload, b.data + 14 + 40);
    assert_false(view.from_fragments);
    assert_memory_equal(view.src + 4, (uint8_t[12]){ 0 }, 12);
}

static void test_ethernet_padding_is_not_payload(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_IPV4);
    size_t ip = ipv4_begin(&b, IP_TCP, outer_src, outer_dst);
    put_tcp_full(&b, SPORT, DPORT, 5, TCP_ACK, NULL, 0);
    ipv4_end(&b, ip);
    bb_fill(&b, 0, 6); /* padded to the 60-byte minimum */
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_int_equal(view.payload_len, 0);
    assert_int_equal(view.payload_wire_len, 0);
    assert_int_equal(view.ip_len, 40);
}

static void test_vlan_8021q_tag(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_VLAN);
    put_vlan_tag(&b, 100, ET_IPV4);
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
    assert_ptr_equal(view.ip_header, b.data + 18);
}

static void test_qinq_two_tags(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_QINQ);
    put_vlan_tag(&b, 10, ET_VLAN);
    put_vlan_tag(&b, 20, ET_IPV4);
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
    assert_ptr_equal(view.ip_header, b.data + 22);
}

static void put_stacked_vlans(struct bytebuf *b, int tags)
{
    put_eth(b, ET_VLAN);
    for (int i = 0; i < tags; i++)
        put_vlan_tag(b, (uint16_t)i, i + 1 < tags ? ET_VLAN : ET_IPV4);
    put_ipv4_tcp(b, outer_src, outer_dst);
}

static void test_sixteen_stacked_vlan_tags_decode(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_stacked_vlans(&b, 16);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
}

static void test_seventeen_stacked_vlan_tags_invalid(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_stacked_vlans(&b, 17);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_INVALID);
}

static void test_arp_is_not_ip(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_ARP);
    bb_be16(&b, 1);
    bb_be16(&b, ET_IPV4);
    bb_u8(&b, 6);
    bb_u8(&b, 4);
    bb_be16(&b, 1);
    bb_fill(&b, 0, 20);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_NOT_IP);
}

static void test_unknown_link_type(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode(LT_UNKNOWN, &b), DECODE_UNKNOWN_LINK);
}

/* ---- other link layers --------------------------------------------------------------- */

static void test_linux_cooked_v1(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    bb_be16(&b, 0);      /* packet type: to us */
    bb_be16(&b, 1);      /* ARPHRD_ETHER */
    bb_be16(&b, 6);      /* address length */
    bb_fill(&b, 0xAB, 8);
    bb_be16(&b, ET_IPV4);
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode(LT_SLL, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
    assert_ptr_equal(view.ip_header, b.data + 16);
}

static void test_linux_cooked_v2(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    bb_be16(&b, ET_IPV4);
    bb_be16(&b, 0);      /* reserved */
    bb_be32(&b, 3);      /* interface index */
    bb_be16(&b, 1);      /* ARPHRD_ETHER */
    bb_u8(&b, 4);        /* packet type: outgoing */
    bb_u8(&b, 6);
    bb_fill(&b, 0xAB, 8);
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode(LT_SLL2, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
    assert_ptr_equal(view.ip_header, b.data + 20);
}

static void test_raw_ip_link_types(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_ipv4_tcp(&b, outer_src, outer_dst);
    static const int raw_types[] = { LT_RAW, LT_DLT_RAW, LT_IPV4 };
    for (size_t i = 0; i < sizeof raw_types / sizeof raw_types[0]; i++) {
        assert_int_equal(decode(raw_types[i], &b), DECODE_OK);
        assert_tcp_view(outer_src, outer_dst);
        assert_ptr_equal(view.ip_header, b.data);
    }
}

static void test_raw_ipv6_link_type_229(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_ipv6_tcp(&b);
    assert_int_equal(decode(LT_IPV6, &b), DECODE_OK);
    assert_int_equal(view.ip_version, 6);
    assert_memory_equal(view.src, v6_src, 16);
    assert_memory_equal(view.dst, v6_dst, 16);
    assert_int_equal(view.l4, L4_TCP);
    assert_int_equal(view.payload_len, PAYLOAD_LEN);
    assert_memory_equal(view.payload, payload, PAYLOAD_LEN);
    assert_int_equal(view.ip_len, 40 + 20 + PAYLOAD_LEN);
}

static void test_bsd_null_little_endian_family(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    bb_le32(&b, 2); /* AF_INET, host byte order of a little-endian host */
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode(LT_NULL, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
}

static void test_bsd_null_big_endian_family_still_understood(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    bb_be32(&b, 2); /* written by a big-endian host */
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode(LT_NULL, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
}

static void test_loop_big_endian_family(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    bb_be32(&b, 2);
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode(LT_LOOP, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
}

static void test_bsd_null_unknown_family_not_ip(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    bb_le32(&b, 7);
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode(LT_NULL, &b), DECODE_NOT_IP);
}

/* ---- IP options and extension headers -------------------------------------------------- */

static void test_ipv4_with_options(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t ip = ipv4_begin_full(&b, IP_TCP, outer_src, outer_dst, 1, 0, 12);
    put_tcp(&b, payload, PAYLOAD_LEN);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_RAW, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
    assert_ptr_equal(view.payload, b.data + 32 + 20);
}

static void test_ipv4_header_length_below_20_invalid(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_ipv4_tcp(&b, outer_src, outer_dst);
    b.data[0] = 0x44; /* IHL 4: 16 bytes */
    assert_int_equal(decode(LT_RAW, &b), DECODE_INVALID);
}

static void test_tcp_with_options(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t ip = ipv4_begin(&b, IP_TCP, outer_src, outer_dst);
    put_tcp_full(&b, SPORT, DPORT, 8, TCP_PSH | TCP_ACK, payload, PAYLOAD_LEN);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_RAW, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
    assert_ptr_equal(view.payload, b.data + 20 + 32);
}

static void test_ipv6_hop_by_hop_and_destination_options(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t ip = ipv6_begin(&b, IP6_HOP);
    put_ipv6_padding_ext(&b, IP6_DSTOPTS);
    put_ipv6_padding_ext(&b, IP_TCP);
    put_tcp(&b, payload, PAYLOAD_LEN);
    ipv6_end(&b, ip);
    assert_int_equal(decode(LT_RAW, &b), DECODE_OK);
    assert_int_equal(view.ip_version, 6);
    assert_int_equal(view.l4, L4_TCP);
    assert_int_equal(view.sport, SPORT);
    assert_int_equal(view.seq, SEQ);
    assert_int_equal(view.payload_len, PAYLOAD_LEN);
    assert_int_equal(view.payload_wire_len, PAYLOAD_LEN);
    assert_ptr_equal(view.payload, b.data + 40 + 16 + 20);
}

static void put_ipv6_ext_chain(struct bytebuf *b, int headers)
{
    size_t ip = ipv6_begin(b, IP6_DSTOPTS);
    for (int i = 0; i < headers; i++)
        put_ipv6_padding_ext(b, i + 1 < headers ? IP6_DSTOPTS : IP_TCP);
    put_tcp(b, payload, PAYLOAD_LEN);
    ipv6_end(b, ip);
}

static void test_ipv6_sixteen_extension_headers_decode(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_ipv6_ext_chain(&b, 16);
    assert_int_equal(decode(LT_RAW, &b), DECODE_OK);
    assert_int_equal(view.payload_len, PAYLOAD_LEN);
}

static void test_ipv6_extension_chain_over_16_invalid(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_ipv6_ext_chain(&b, 17);
    assert_int_equal(decode(LT_RAW, &b), DECODE_INVALID);
}

/* ---- IP fragments ----------------------------------------------------------------------- */

/* The TCP segment the fragment tests split: 20-byte header + 60 bytes. */
static void build_segment(struct bytebuf *seg)
{
    uint8_t data[60];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)('a' + i % 26);
    put_tcp(seg, data, sizeof data);
}

static void put_ipv4_fragment(struct bytebuf *b, uint16_t id, const struct bytebuf *seg, size_t offset,
                              size_t len, bool more)
{
    uint16_t frag_field = (uint16_t)((more ? 0x2000 : 0) | offset / 8);
    size_t ip = ipv4_begin_full(b, IP_TCP, outer_src, outer_dst, id, frag_field, 0);
    bb_bytes(b, seg->data + offset, len);
    ipv4_end(b, ip);
}

static enum decode_result decode_ipv4_fragment(uint16_t id, const struct bytebuf *seg, size_t offset,
                                               size_t len, bool more)
{
    struct bytebuf b = { .len = 0 };
    put_ipv4_fragment(&b, id, seg, offset, len, more);
    return decode(LT_RAW, &b);
}

static void assert_reassembled_segment(const struct bytebuf *seg)
{
    assert_true(view.from_fragments);
    assert_int_equal(view.l4, L4_TCP);
    assert_int_equal(view.sport, SPORT);
    assert_int_equal(view.seq, SEQ);
    assert_int_equal(view.payload_len, seg->len - 20);
    assert_int_equal(view.payload_wire_len, seg->len - 20);
    assert_memory_equal(view.payload, seg->data + 20, seg->len - 20);
}

static void test_ipv4_two_fragments_reassemble(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    build_segment(&seg);
    assert_int_equal(decode_ipv4_fragment(7, &seg, 0, 24, true), DECODE_FRAGMENT_HELD);
    assert_int_equal(decode_ipv4_fragment(7, &seg, 24, seg.len - 24, false), DECODE_OK);
    assert_reassembled_segment(&seg);
    assert_memory_equal(view.src, outer_src, 4);
    assert_int_equal(dec.frags.datagrams_completed, 1);
}

static void test_ipv4_fragments_out_of_order(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    build_segment(&seg);
    assert_int_equal(decode_ipv4_fragment(8, &seg, 48, seg.len - 48, false), DECODE_FRAGMENT_HELD);
    assert_int_equal(decode_ipv4_fragment(8, &seg, 24, 24, true), DECODE_FRAGMENT_HELD);
    assert_int_equal(decode_ipv4_fragment(8, &seg, 0, 24, true), DECODE_OK);
    assert_reassembled_segment(&seg);
}

static void test_ipv4_overlapping_fragment_keeps_first_bytes(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    build_segment(&seg);
    struct bytebuf liar = seg;
    memset(liar.data + 24, 'X', 8); /* different bytes where the fragments overlap */
    assert_int_equal(decode_ipv4_fragment(9, &seg, 0, 32, true), DECODE_FRAGMENT_HELD);
    assert_int_equal(decode_ipv4_fragment(9, &liar, 24, liar.len - 24, false), DECODE_OK);
    assert_reassembled_segment(&seg);
    assert_int_equal(dec.frags.overlaps, 1);
}

static void test_ipv4_fragments_never_completing_are_held(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    build_segment(&seg);
    assert_int_equal(decode_ipv4_fragment(10, &seg, 0, 24, true), DECODE_FRAGMENT_HELD);
    assert_int_equal(decode_ipv4_fragment(10, &seg, 48, seg.len - 48, false), DECODE_FRAGMENT_HELD);
    assert_int_equal(decode_ipv4_fragment(11, &seg, 0, 24, true), DECODE_FRAGMENT_HELD);
    assert_int_equal(dec.frags.datagrams_completed, 0);
    assert_int_equal(dec.frags.fragments_seen, 3);
}

static void test_ipv4_fragments_of_different_datagrams_do_not_mix(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    build_segment(&seg);
    assert_int_equal(decode_ipv4_fragment(20, &seg, 0, 24, true), DECODE_FRAGMENT_HELD);
    assert_int_equal(decode_ipv4_fragment(21, &seg, 24, seg.len - 24, false), DECODE_FRAGMENT_HELD);
    assert_int_equal(decode_ipv4_fragment(20, &seg, 24, seg.len - 24, false), DECODE_OK);
    assert_reassembled_segment(&seg);
}

static void test_ipv6_fragment_header(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    build_segment(&seg);
    const size_t split = 40;
    for (int part = 0; part < 2; part++) {
        size_t offset = part ? split : 0, len = part ? seg.len - split : split;
        struct bytebuf b = { .len = 0 };
        size_t ip = ipv6_begin(&b, IP6_FRAG);
        bb_u8(&b, IP_TCP);
        bb_u8(&b, 0);
        bb_be16(&b, (uint16_t)(offset | (part ? 0 : 1)));
        bb_be32(&b, 0xCAFEF00D);
        bb_bytes(&b, seg.data + offset, len);
        ipv6_end(&b, ip);
        assert_int_equal(decode(LT_RAW, &b), part ? DECODE_OK : DECODE_FRAGMENT_HELD);
    }
    assert_int_equal(view.ip_version, 6);
    assert_memory_equal(view.src, v6_src, 16);
    assert_reassembled_segment(&seg);
}

/* ---- tunnels ------------------------------------------------------------------------------ */

static void test_gtpu_ipv4_tcp_over_udp_2152(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_IPV4);
    size_t ip = ipv4_begin(&b, IP_UDP, outer_src, outer_dst);
    size_t udp = udp_begin(&b, 2152, 2152);
    bb_u8(&b, 0x30);   /* version 1, PT 1 */
    bb_u8(&b, 0xFF);   /* G-PDU */
    size_t gtp_len = bb_open(&b, 2);
    bb_be32(&b, 0x01020304); /* TEID */
    put_ipv4_tcp(&b, inner_src, inner_dst);
    bb_patch_be16(&b, gtp_len, (uint16_t)(b.len - gtp_len - 6)); /* after the TEID */
    udp_end(&b, udp);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_inner_tcp_view();
    assert_int_equal(dec.tunnels_opened, 1);
}

static void test_gtpu_with_sequence_and_extension_header(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t ip = ipv4_begin(&b, IP_UDP, outer_src, outer_dst);
    size_t udp = udp_begin(&b, 2152, 2152);
    bb_u8(&b, 0x36);   /* version 1, PT 1, E and S */
    bb_u8(&b, 0xFF);
    bb_be16(&b, 0);    /* length: not used by the decoder */
    bb_be32(&b, 0x01020304);
    bb_be16(&b, 0x0001); /* sequence */
    bb_u8(&b, 0);        /* N-PDU */
    bb_u8(&b, 0x85);     /* next extension: PDU session container */
    bb_u8(&b, 1);        /* 4 bytes */
    bb_be16(&b, 0x0009);
    bb_u8(&b, 0);        /* no further extension */
    put_ipv4_tcp(&b, inner_src, inner_dst);
    udp_end(&b, udp);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_RAW, &b), DECODE_OK);
    assert_inner_tcp_view();
}

static void test_gtpu_echo_request_stays_plain_udp(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t ip = ipv4_begin(&b, IP_UDP, outer_src, outer_dst);
    size_t udp = udp_begin(&b, 2152, 2152);
    static const uint8_t echo[12] = { 0x32, 0x01, 0x00, 0x04, 0, 0, 0, 0, 0x00, 0x2A, 0, 0 };
    bb_bytes(&b, echo, sizeof echo);
    udp_end(&b, udp);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_RAW, &b), DECODE_OK);
    assert_int_equal(view.l4, L4_UDP);
    assert_int_equal(view.payload_len, sizeof echo);
    assert_int_equal(view.payload_wire_len, sizeof echo);
    assert_ptr_equal(view.payload, b.data + 28);
}

static void test_gtpu_carrying_icmp_is_not_ip(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t ip = ipv4_begin(&b, IP_UDP, outer_src, outer_dst);
    size_t udp = udp_begin(&b, 2152, 2152);
    bb_u8(&b, 0x30);
    bb_u8(&b, 0xFF);
    bb_be16(&b, 28);
    bb_be32(&b, 0x01020304);
    size_t inner = ipv4_begin(&b, 1 /* ICMP */, inner_src, inner_dst);
    bb_be32(&b, 0x08000000); /* echo request */
    bb_be32(&b, 0x00010001);
    ipv4_end(&b, inner);
    udp_end(&b, udp);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_RAW, &b), DECODE_NOT_IP);
    assert_int_equal(view.l4, 1);
}

static void test_gre_ipv4(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t ip = ipv4_begin(&b, IP_GRE, outer_src, outer_dst);
    bb_be16(&b, 0x2000); /* key present */
    bb_be16(&b, ET_IPV4);
    bb_be32(&b, 0x0000BEEF);
    put_ipv4_tcp(&b, inner_src, inner_dst);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_RAW, &b), DECODE_OK);
    assert_inner_tcp_view();
    assert_int_equal(dec.tunnels_opened, 1);
}

static void test_ip_in_ip(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_IPV4);
    size_t ip = ipv4_begin(&b, IP_IPIP, outer_src, outer_dst);
    put_ipv4_tcp(&b, inner_src, inner_dst);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_inner_tcp_view();
    assert_ptr_equal(view.ip_header, b.data + 34);
    assert_int_equal(dec.tunnels_opened, 1);
}

static void test_vxlan(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_IPV4);
    size_t ip = ipv4_begin(&b, IP_UDP, outer_src, outer_dst);
    size_t udp = udp_begin(&b, 51000, 4789);
    bb_be32(&b, 0x08000000); /* I flag */
    bb_be32(&b, 0x00123400); /* VNI */
    put_eth(&b, ET_IPV4);
    put_ipv4_tcp(&b, inner_src, inner_dst);
    udp_end(&b, udp);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_inner_tcp_view();
}

static void test_pppoe_session(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_PPPOE);
    bb_u8(&b, 0x11);     /* version 1, type 1 */
    bb_u8(&b, 0);        /* session data */
    bb_be16(&b, 0x0042); /* session id */
    size_t len = bb_open(&b, 2);
    bb_be16(&b, 0x0021); /* PPP: IPv4 */
    put_ipv4_tcp(&b, outer_src, outer_dst);
    bb_close(&b, len, 2);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
}

static void test_mpls_two_labels(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_MPLS);
    bb_be32(&b, 1000u << 12 | 64);          /* label 1000, TTL 64 */
    bb_be32(&b, 2000u << 12 | 0x100 | 64);  /* bottom of stack */
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_tcp_view(outer_src, outer_dst);
}

/* ---- lengths: cut frames, lying headers ------------------------------------------------------- */

static void test_snaplen_cut_payload(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_IPV4);
    put_ipv4_tcp(&b, outer_src, outer_dst);
    size_t caplen = b.len - 13;
    assert_int_equal(decode_cut(LT_ETHERNET, &b, caplen, b.len), DECODE_OK);
    assert_int_equal(view.payload_len, PAYLOAD_LEN - 13);
    assert_int_equal(view.payload_wire_len, PAYLOAD_LEN);
    assert_int_equal(view.ip_len, caplen - 14);
    assert_memory_equal(view.payload, payload, PAYLOAD_LEN - 13);
}

static void test_uncut_frame_with_lying_ip_total_length(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_IPV4);
    put_ipv4_tcp(&b, outer_src, outer_dst);
    bb_patch_be16(&b, 14 + 2, 1500); /* IP total length */
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_int_equal(view.payload_len, PAYLOAD_LEN);
    assert_int_equal(view.payload_wire_len, PAYLOAD_LEN);
}

static void test_cut_frame_with_lying_ip_total_length_counts_only_cut_bytes(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_IPV4);
    put_ipv4_tcp(&b, outer_src, outer_dst);
    bb_patch_be16(&b, 14 + 2, 1500); /* IP total length */
    /* 10 bytes cut: at most 10 bytes can be missing, whatever IP says. */
    assert_int_equal(decode_cut(LT_ETHERNET, &b, b.len - 10, b.len), DECODE_OK);
    assert_int_equal(view.payload_len, PAYLOAD_LEN - 10);
    assert_int_equal(view.payload_wire_len, PAYLOAD_LEN);
}

static void test_tcp_data_offset_below_5_invalid(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t ip = ipv4_begin(&b, IP_TCP, outer_src, outer_dst);
    put_tcp_full(&b, SPORT, DPORT, 4, TCP_ACK, payload, PAYLOAD_LEN);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_RAW, &b), DECODE_INVALID);
}

static void test_headers_cut_mid_tcp_header_truncated(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_IPV4);
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode_cut(LT_ETHERNET, &b, 14 + 20 + 10, b.len), DECODE_TRUNCATED);
}

static void test_headers_cut_mid_tcp_options_truncated(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t ip = ipv4_begin(&b, IP_TCP, outer_src, outer_dst);
    put_tcp_full(&b, SPORT, DPORT, 10, TCP_ACK, payload, PAYLOAD_LEN);
    ipv4_end(&b, ip);
    assert_int_equal(decode_cut(LT_RAW, &b, 20 + 30, b.len), DECODE_TRUNCATED);
}

/* ---- IP TTL and identification: whose stack sent a packet ------------------------------ */

static void test_ipv4_ttl_and_id_carried(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_IPV4);
    size_t ip = ipv4_begin_full(&b, IP_TCP, outer_src, outer_dst, 0xBEEF, 0x4000, 0);
    b.data[ip + 8] = 57;
    put_tcp(&b, payload, PAYLOAD_LEN);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_int_equal(view.ip_ttl, 57);
    assert_true(view.has_ip_id);
    assert_int_equal(view.ip_id, 0xBEEF);
}

static void test_ipv6_hop_limit_carried_without_id(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t ip = ipv6_begin(&b, IP_TCP);
    b.data[ip + 7] = 250;
    put_tcp(&b, payload, PAYLOAD_LEN);
    ipv6_end(&b, ip);
    assert_int_equal(decode(LT_IPV6, &b), DECODE_OK);
    assert_int_equal(view.ip_ttl, 250);
    assert_false(view.has_ip_id);
}

/* A tunnel's outer header is the tunnel's, not the sender's. */
static void test_tunnel_gives_the_innermost_ttl_and_id(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    size_t outer = ipv4_begin_full(&b, IP_IPIP, outer_src, outer_dst, 0x1111, 0x4000, 0);
    b.data[outer + 8] = 30;
    size_t inner = ipv4_begin_full(&b, IP_TCP, inner_src, inner_dst, 0x2222, 0x4000, 0);
    b.data[inner + 8] = 61;
    put_tcp(&b, payload, PAYLOAD_LEN);
    ipv4_end(&b, inner);
    ipv4_end(&b, outer);
    assert_int_equal(decode(LT_RAW, &b), DECODE_OK);
    assert_inner_tcp_view();
    assert_int_equal(view.ip_ttl, 61);
    assert_int_equal(view.ip_id, 0x2222);

    struct bytebuf v6in4 = { .len = 0 };
    outer = ipv4_begin_full(&v6in4, 41 /* IPv6 in IPv4 */, outer_src, outer_dst, 0x3333, 0x4000, 0);
    put_ipv6_tcp(&v6in4);
    ipv4_end(&v6in4, outer);
    assert_int_equal(decode(LT_RAW, &v6in4), DECODE_OK);
    assert_int_equal(view.ip_version, 6);
    assert_int_equal(view.ip_ttl, 64);
    assert_false(view.has_ip_id);
}

static void test_ipv4_header_cut_after_ttl_truncated(void **state)
{
    (void)state;
    struct bytebuf b = { .len = 0 };
    put_ipv4_tcp(&b, outer_src, outer_dst);
    assert_int_equal(decode_cut(LT_RAW, &b, 9, b.len), DECODE_TRUNCATED);
    assert_int_equal(view.ip_ttl, 0);
    struct bytebuf v6 = { .len = 0 };
    put_ipv6_tcp(&v6);
    assert_int_equal(decode_cut(LT_IPV6, &v6, 8, v6.len), DECODE_TRUNCATED);
    assert_int_equal(view.ip_ttl, 0);
}

static void test_udp_dns_payload(void **state)
{
    (void)state;
    static const uint8_t query[] = {
        0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0x00, 0x01, 0x00, 0x01,
    };
    struct bytebuf b = { .len = 0 };
    put_eth(&b, ET_IPV4);
    size_t ip = ipv4_begin(&b, IP_UDP, outer_src, outer_dst);
    size_t udp = udp_begin(&b, 53000, 53);
    bb_bytes(&b, query, sizeof query);
    udp_end(&b, udp);
    ipv4_end(&b, ip);
    assert_int_equal(decode(LT_ETHERNET, &b), DECODE_OK);
    assert_int_equal(view.l4, L4_UDP);
    assert_int_equal(view.sport, 53000);
    assert_int_equal(view.dport, 53);
    assert_int_equal(view.payload_len, sizeof query);
    assert_int_equal(view.payload_wire_len, sizeof query);
    assert_memory_equal(view.payload, query, sizeof query);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_ethernet_ipv4_tcp_fields),
        T(test_ethernet_padding_is_not_payload),
        T(test_vlan_8021q_tag),
        T(test_qinq_two_tags),
        T(test_sixteen_stacked_vlan_tags_decode),
        T(test_seventeen_stacked_vlan_tags_invalid),
        T(test_arp_is_not_ip),
        T(test_unknown_link_type),
        T(test_linux_cooked_v1),
        T(test_linux_cooked_v2),
        T(test_raw_ip_link_types),
        T(test_raw_ipv6_link_type_229),
        T(test_bsd_null_little_endian_family),
        T(test_bsd_null_big_endian_family_still_understood),
        T(test_loop_big_endian_family),
        T(test_bsd_null_unknown_family_not_ip),
        T(test_ipv4_with_options),
        T(test_ipv4_header_length_below_20_invalid),
        T(test_tcp_with_options),
        T(test_ipv6_hop_by_hop_and_destination_options),
        T(test_ipv6_sixteen_extension_headers_decode),
        T(test_ipv6_extension_chain_over_16_invalid),
        T(test_ipv4_two_fragments_reassemble),
        T(test_ipv4_fragments_out_of_order),
        T(test_ipv4_overlapping_fragment_keeps_first_bytes),
        T(test_ipv4_fragments_never_completing_are_held),
        T(test_ipv4_fragments_of_different_datagrams_do_not_mix),
        T(test_ipv6_fragment_header),
        T(test_gtpu_ipv4_tcp_over_udp_2152),
        T(test_gtpu_with_sequence_and_extension_header),
        T(test_gtpu_echo_request_stays_plain_udp),
        T(test_gtpu_carrying_icmp_is_not_ip),
        T(test_gre_ipv4),
        T(test_ip_in_ip),
        T(test_vxlan),
        T(test_pppoe_session),
        T(test_mpls_two_labels),
        T(test_snaplen_cut_payload),
        T(test_uncut_frame_with_lying_ip_total_length),
        T(test_cut_frame_with_lying_ip_total_length_counts_only_cut_bytes),
        T(test_tcp_data_offset_below_5_invalid),
        T(test_headers_cut_mid_tcp_header_truncated),
        T(test_headers_cut_mid_tcp_options_truncated),
        T(test_udp_dns_payload),
        T(test_ipv4_ttl_and_id_carried),
        T(test_ipv6_hop_limit_carried_without_id),
        T(test_tunnel_gives_the_innermost_ttl_and_id),
        T(test_ipv4_header_cut_after_ttl_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
