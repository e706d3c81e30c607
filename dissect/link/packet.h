/* Link and network layers: from a captured frame to the innermost IP header
 * and its TCP or UDP segment.
 *
 * A frame cut short by the snapshot length is decoded as far as its bytes go
 * and the missing payload is reported (payload_len < payload_wire_len), so
 * the reassembler can record a gap instead of reading past the end.
 */
#ifndef TLSDIAG_PACKET_H
#define TLSDIAG_PACKET_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "ipfrag.h"

enum l4_proto { L4_OTHER = 0, L4_TCP = 6, L4_UDP = 17 };

/* Headers a frame may stack (a hostile frame may stack them without end);
 * one over the cap makes the frame invalid. */
#define PACKET_MAX_ENCAP_DEPTH 8        /* nested tunnels */
#define PACKET_MAX_VLAN_TAGS 16
#define PACKET_MAX_MPLS_LABELS 16
#define PACKET_MAX_IPV6_EXT_HEADERS 16

enum tcp_flag_bits {
    TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10,
};

struct packet_view {
    uint64_t frame;
    int64_t ts_ns;
    uint8_t ip_version;            /* 4 or 6 */
    uint8_t src[16], dst[16];      /* IPv4 uses the first 4 bytes */
    uint8_t l4;                    /* enum l4_proto, or another IP protocol number */
    uint16_t sport, dport;
    uint32_t seq, ack;             /* TCP */
    uint8_t tcp_flags;
    uint16_t window;
    const uint8_t *payload;
    uint32_t payload_len;          /* bytes present in the capture */
    uint32_t payload_wire_len;     /* bytes the headers announce */
    const uint8_t *ip_header;      /* innermost IP header, for classification */
    uint32_t ip_len;               /* bytes present from ip_header on */
    /* The innermost header's TTL (IPv6: hop limit) and IPv4 identification:
     * a packet a middlebox forges in the server's name tends to differ from
     * the server's own in both. IPv6 has no identification outside fragments. */
    uint8_t ip_ttl;
    bool has_ip_id;
    uint16_t ip_id;
    bool from_fragments;           /* payload is an IPv4/IPv6 datagram we reassembled */
};

enum decode_result {
    DECODE_OK,
    DECODE_NOT_IP,           /* ARP, LLC, an IP protocol we do not follow ... */
    DECODE_UNKNOWN_LINK,     /* link type we do not know */
    DECODE_TRUNCATED,        /* headers cut short by the snapshot length */
    DECODE_INVALID,          /* headers contradict themselves */
    DECODE_FRAGMENT_HELD,    /* an IP fragment, kept until its datagram completes */
};

struct packet_decoder {
    struct ipfrag_table frags;
    uint64_t tunnels_opened;       /* GTP-U / IP-in-IP / GRE layers seen */
};

void packet_decoder_init(struct packet_decoder *d, const struct ipfrag_limits *limits);
void packet_decoder_free(struct packet_decoder *d);

/* linktype is a DLT_ or LINKTYPE_ value (both numberings are understood);
 * wirelen is the frame's length on the wire (>= caplen when it was cut). */
enum decode_result packet_decode(struct packet_decoder *d, int linktype, const uint8_t *data,
                                 uint32_t caplen, uint32_t wirelen, uint64_t frame, int64_t ts_ns,
                                 struct packet_view *out);

const char *decode_result_name(enum decode_result r);

#endif
