/* TCP connection tracking and per-direction stream reassembly.
 *
 * Each direction becomes one byte stream in sequence order, handed to the
 * stream dissectors through callbacks as it becomes contiguous:
 * - in-order bytes are passed straight from the packet, never copied;
 * - out-of-order segments are copied and held until the hole before them
 *   fills, up to a per-direction byte and segment cap;
 * - overlap policy: bytes already passed on are never replaced, and among
 *   held segments the one that starts earlier in sequence space wins (ties:
 *   the one received first). A retransmission carrying different bytes is
 *   counted, not believed;
 * - a hole that the cap forces us to give up on is a gap: the dissector is
 *   told how many bytes are missing and resynchronises;
 * - the bytes a snapshot length cut off a segment (the frame's captured
 *   length is shorter than its wire length) are a gap of their own kind, a
 *   cut: the capture dropped them on purpose, the network lost nothing.
 *   They are counted apart (cuts, cut_bytes), never as gaps;
 * - sequence numbers compare modulo 2^32 (RFC 1982 serial arithmetic).
 * Memory is bounded by the number of live connections: closed connections
 * are freed after a short linger (sooner when more than max_closed_conns of
 * them linger: the oldest closed goes first), idle ones after a timeout, and
 * the least recently active one is evicted when the table is full.
 */
#ifndef TLSDIAG_TCP_REASM_H
#define TLSDIAG_TCP_REASM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "packet.h"

struct endpoint {
    uint8_t addr[16];
    uint16_t port;
};

/* How the client end was decided, weakest first (oracle `conn` rule). */
enum role_source {
    ROLE_UNKNOWN = 0,
    ROLE_FROM_PORTS,        /* higher port, or the first sender on equal ports */
    ROLE_FROM_MESSAGE,      /* who sent the first hello or CONNECT */
    ROLE_FROM_SYNACK,       /* receiver of the first SYN-ACK */
    ROLE_FROM_SYN,          /* sender of the first SYN */
};

struct held_segment;

/* One direction, named by its sender. */
struct tcp_half {
    bool have_base;         /* next_seq is meaningful */
    bool syn_seen, fin_seen, rst_seen;
    uint32_t isn;
    uint32_t next_seq;      /* next stream byte expected */
    uint64_t syn_frame, fin_frame, rst_frame, first_frame;
    uint32_t syn_count;     /* SYNs (or SYN-ACKs) sent: > 1 means retransmitted */
    struct held_segment *held;
    uint32_t held_bytes, held_count;
    uint64_t bytes_delivered;
    uint64_t packets, payload_packets;
    uint32_t retransmissions;    /* segments carrying only bytes already seen */
    uint32_t conflicting_retransmissions; /* ... whose bytes differ from what was kept */
    uint32_t out_of_order;
    uint32_t gaps;               /* holes: bytes the capture lost */
    uint64_t gap_bytes;
    uint64_t first_gap_frame;
    uint32_t cuts;               /* segments whose payload the snapshot length cut */
    uint64_t cut_bytes;          /* their bytes not captured */
    uint64_t first_cut_frame;
    uint32_t dup_acks, zero_windows;
    uint32_t last_ack;
    uint16_t last_window;
    /* This side's ACK that first covered every byte the peer had passed on
     * by then (acked_upto: the peer's next_seq it covered): what the peer
     * sent arrived. */
    uint32_t acked_upto;
    uint64_t acked_frame;
    /* The furthest sequence number this side's segments reached, bare ACKs
     * included: beyond next_seq and the held bytes, it sent bytes the
     * capture never saw. */
    bool have_seq_end;
    uint32_t seq_end;
    uint32_t fin_seq;            /* where the FIN sits: the ACKs after it are one past */
    bool limit_hit;              /* the out-of-order cap forced a gap */
    uint64_t limit_frame;
};

struct tcp_conn {
    struct tcp_conn *hash_next;
    struct tcp_conn *lru_prev, *lru_next;   /* most recent at head of its list */
    uint8_t ip_version;
    struct endpoint ep[2];       /* ep[0] sent the first packet we saw */
    struct tcp_half half[2];     /* half[i]: the bytes ep[i] sends */
    int8_t client;               /* index into ep of the client, -1 while unknown */
    uint8_t role_source;         /* enum role_source */
    bool closed;                 /* both FINs, or a RST */
    uint64_t id;                 /* 1-based, in order of first packet */
    uint64_t first_frame, last_frame;
    int64_t first_ts, last_ts;
    void *app;                   /* the stream dissectors' state */
    void *classifier;            /* the flow classifier's state */
    void *consumer;              /* the event consumer's per-connection state */
};

enum tcp_event_kind {
    TCP_EV_SYN, TCP_EV_SYNACK, TCP_EV_FIN, TCP_EV_RST,
    TCP_EV_RETRANSMISSION, TCP_EV_ZERO_WINDOW, TCP_EV_DUP_ACK,
};

struct reasm_callbacks {
    void *ctx;
    /* A contiguous run of stream bytes from sender (an index into ep).
     * segment_start: the run begins where the segment carrying it began. */
    void (*on_data)(void *ctx, struct tcp_conn *c, int sender, const uint8_t *data, size_t len,
                    const struct packet_view *pkt, bool segment_start);
    /* Bytes that will never be seen: the stream skips missing bytes. cut:
     * the snapshot length cut them off the segment in pkt (else lost). */
    void (*on_gap)(void *ctx, struct tcp_conn *c, int sender, uint64_t missing,
                   const struct packet_view *pkt, bool cut);
    void (*on_tcp_event)(void *ctx, struct tcp_conn *c, int sender, enum tcp_event_kind kind,
                         const struct packet_view *pkt);
    /* Called once per packet of the connection, before its payload is used. */
    void (*on_packet)(void *ctx, struct tcp_conn *c, int sender, const struct packet_view *pkt);
    /* The connection is about to be freed (closed, idle, evicted or end of capture). */
    void (*on_conn_end)(void *ctx, struct tcp_conn *c);
};

struct reasm_limits {
    uint32_t max_conns;             /* live connections */
    uint32_t max_held_bytes;        /* out-of-order bytes held per direction */
    uint32_t max_held_segments;     /* out-of-order segments held per direction */
    int64_t idle_timeout_ns;        /* an open connection with no packets */
    int64_t closed_linger_ns;       /* a closed connection, for late retransmissions */
    uint32_t max_closed_conns;      /* closed connections lingering at once (0: no cap) */
};

struct reasm_stats {
    uint64_t conns_created, conns_evicted, conns_timed_out;
    uint64_t max_live_conns;
    uint64_t segments, held_segments;
};

struct tcp_reassembler {
    struct tcp_conn **buckets;
    uint32_t bucket_mask;
    uint32_t live;
    uint32_t closed_live;           /* of them closed, lingering */
    /* Two recency lists, open and closed connections apart, so a closed
     * connection's short linger is not held up behind an idle open one. */
    struct tcp_conn *lru_head[2], *lru_tail[2];
    struct tcp_conn *free_conns;    /* recycled, so the steady state does not allocate */
    uint64_t next_id;
    struct reasm_limits limits;
    struct reasm_callbacks cb;
    struct reasm_stats stats;
};

void reasm_default_limits(struct reasm_limits *limits);
bool reasm_init(struct tcp_reassembler *r, const struct reasm_limits *limits,
                const struct reasm_callbacks *cb);
/* Ends every live connection (callbacks run) and frees everything. */
void reasm_finish(struct tcp_reassembler *r);

/* Feeds one decoded TCP packet. */
void reasm_packet(struct tcp_reassembler *r, const struct packet_view *pkt);

/* Of what the sender sent, by its sequence numbers, at the moment of the
 * call (the end of a connection, for its facts): bytes that arrived past a
 * hole that never filled (stranded), and bytes no captured segment carried
 * (unseen). */
struct half_shortfall {
    uint64_t unseen_bytes, stranded_bytes;
};
struct half_shortfall reasm_shortfall(const struct tcp_half *h);

/* Settles the client end if the current decision is weaker than `source`.
 * client_ep: index into c->ep. Returns the client index. */
int conn_settle_client(struct tcp_conn *c, int client_ep, enum role_source source);

/* The client index, applying the port rule if nothing stronger is known. */
int conn_client(struct tcp_conn *c);

#endif
