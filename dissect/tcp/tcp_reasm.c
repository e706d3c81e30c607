#include "tcp_reasm.h"
#include "timestamp.h"

#include <stdlib.h>
#include <string.h>

struct held_segment {
    struct held_segment *next;
    uint32_t seq;
    uint32_t len;        /* bytes held */
    uint32_t wire_len;   /* bytes the segment carried on the wire (>= len when cut) */
    uint8_t data[];
};

#define INITIAL_BUCKETS 4096u

/* RFC 1982: a is before b when the signed distance is negative. */
static int32_t seq_diff(uint32_t a, uint32_t b) { return (int32_t)(a - b); }

void reasm_default_limits(struct reasm_limits *limits)
{
    /* About 1 KB per live connection in `analyze` (ours, plus nDPI's state
     * while a flow is classified): 65536 keep a flood of one-packet flows
     * near 85 MB, far under the 256 MB a hostile capture may cost (README,
     * LIMITS; 262144 took 622 MB before nDPI's flows were capped). */
    limits->max_conns = 65536;
    limits->max_held_bytes = 1024 * 1024;
    limits->max_held_segments = 2048;
    limits->idle_timeout_ns = 600LL * 1000000000LL;
    limits->closed_linger_ns = 30LL * 1000000000LL;
    /* A busy capture closes connections faster than they linger out: 30 s
     * at 70 closes a second kept 2,000 closed connections (and their
     * consumers' state) alive. Late retransmissions come within seconds. */
    limits->max_closed_conns = 512;
}

bool reasm_init(struct tcp_reassembler *r, const struct reasm_limits *limits,
                const struct reasm_callbacks *cb)
{
    memset(r, 0, sizeof *r);
    r->limits = *limits;
    if (r->limits.max_conns == 0)
        r->limits.max_conns = 1;
    r->cb = *cb;
    r->buckets = calloc(INITIAL_BUCKETS, sizeof *r->buckets);
    r->bucket_mask = INITIAL_BUCKETS - 1;
    return r->buckets != NULL;
}

/* A word at a time (the bucket is looked up for every packet): the address
 * as two 64-bit words and the port, multiplied apart and then mixed
 * (MurmurHash3's finaliser). */
static uint32_t hash_endpoint(const struct endpoint *e)
{
    uint64_t hi, lo;
    memcpy(&hi, e->addr, 8);
    memcpy(&lo, e->addr + 8, 8);
    uint64_t h = hi * 0x9E3779B97F4A7C15ull ^ lo * 0xC2B2AE3D27D4EB4Full ^
                 (uint64_t)e->port * 0x165667B19E3779F9ull;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return (uint32_t)h;
}

/* Symmetric, so both directions find the same bucket. */
static uint32_t hash_pair(const struct endpoint *a, const struct endpoint *b)
{
    return hash_endpoint(a) + hash_endpoint(b);
}

static bool endpoint_equal(const struct endpoint *a, const struct endpoint *b)
{
    return a->port == b->port && memcmp(a->addr, b->addr, 16) == 0;
}

/* Each connection sits in the list of its state: c->closed picks it. */
static void lru_unlink(struct tcp_reassembler *r, struct tcp_conn *c)
{
    int l = c->closed;
    if (c->lru_prev)
        c->lru_prev->lru_next = c->lru_next;
    else
        r->lru_head[l] = c->lru_next;
    if (c->lru_next)
        c->lru_next->lru_prev = c->lru_prev;
    else
        r->lru_tail[l] = c->lru_prev;
    c->lru_prev = c->lru_next = NULL;
}

static void lru_push_head(struct tcp_reassembler *r, struct tcp_conn *c)
{
    int l = c->closed;
    c->lru_prev = NULL;
    c->lru_next = r->lru_head[l];
    if (r->lru_head[l])
        r->lru_head[l]->lru_prev = c;
    r->lru_head[l] = c;
    if (!r->lru_tail[l])
        r->lru_tail[l] = c;
}

static void mark_closed(struct tcp_reassembler *r, struct tcp_conn *c)
{
    if (c->closed)
        return;
    lru_unlink(r, c);
    c->closed = true;
    r->closed_live++;
    lru_push_head(r, c);
}

/* The connection to give up when the table is full: the oldest closed one,
 * else the least recently active open one. */
static struct tcp_conn *eviction_victim(const struct tcp_reassembler *r)
{
    return r->lru_tail[1] ? r->lru_tail[1] : r->lru_tail[0];
}

static void free_held(struct tcp_half *h)
{
    struct held_segment *s = h->held;
    while (s) {
        struct held_segment *next = s->next;
        free(s);
        s = next;
    }
    h->held = NULL;
    h->held_bytes = h->held_count = 0;
}

static void end_conn(struct tcp_reassembler *r, struct tcp_conn *c)
{
    if (r->cb.on_conn_end)
        r->cb.on_conn_end(r->cb.ctx, c);
    uint32_t b = hash_pair(&c->ep[0], &c->ep[1]) & r->bucket_mask;
    for (struct tcp_conn **pp = &r->buckets[b]; *pp; pp = &(*pp)->hash_next) {
        if (*pp == c) {
            *pp = c->hash_next;
            break;
        }
    }
    lru_unlink(r, c);
    free_held(&c->half[0]);
    free_held(&c->half[1]);
    r->live--;
    if (c->closed)
        r->closed_live--;
    c->hash_next = r->free_conns;
    r->free_conns = c;
}

static void grow_buckets(struct tcp_reassembler *r)
{
    uint32_t new_count = (r->bucket_mask + 1) * 2;
    struct tcp_conn **nb = calloc(new_count, sizeof *nb);
    if (!nb)
        return; /* keep the old table: slower, still correct */
    for (uint32_t i = 0; i <= r->bucket_mask; i++) {
        struct tcp_conn *c = r->buckets[i];
        while (c) {
            struct tcp_conn *next = c->hash_next;
            uint32_t b = hash_pair(&c->ep[0], &c->ep[1]) & (new_count - 1);
            c->hash_next = nb[b];
            nb[b] = c;
            c = next;
        }
    }
    free(r->buckets);
    r->buckets = nb;
    r->bucket_mask = new_count - 1;
}

static struct tcp_conn *new_conn(struct tcp_reassembler *r, const struct endpoint *src,
                                 const struct endpoint *dst, const struct packet_view *pkt)
{
    if (r->live >= r->limits.max_conns && eviction_victim(r)) {
        r->stats.conns_evicted++;
        end_conn(r, eviction_victim(r));
    }
    struct tcp_conn *c = r->free_conns;
    if (c)
        r->free_conns = c->hash_next;
    else if (!(c = malloc(sizeof *c)))
        return NULL;
    memset(c, 0, sizeof *c);
    c->ip_version = pkt->ip_version;
    c->ep[0] = *src;
    c->ep[1] = *dst;
    c->client = -1;
    c->id = ++r->next_id;
    c->first_frame = pkt->frame;
    c->first_ts = pkt->ts_ns;
    if (r->live + 1 > r->bucket_mask + 1)
        grow_buckets(r);
    uint32_t b = hash_pair(src, dst) & r->bucket_mask;
    c->hash_next = r->buckets[b];
    r->buckets[b] = c;
    lru_push_head(r, c);
    r->live++;
    r->stats.conns_created++;
    if (r->live > r->stats.max_live_conns)
        r->stats.max_live_conns = r->live;
    return c;
}

static struct tcp_conn *find_conn(struct tcp_reassembler *r, const struct endpoint *src,
                                  const struct endpoint *dst, int *sender)
{
    uint32_t b = hash_pair(src, dst) & r->bucket_mask;
    for (struct tcp_conn *c = r->buckets[b]; c; c = c->hash_next) {
        if (endpoint_equal(&c->ep[0], src) && endpoint_equal(&c->ep[1], dst)) {
            *sender = 0;
            return c;
        }
        if (endpoint_equal(&c->ep[1], src) && endpoint_equal(&c->ep[0], dst)) {
            *sender = 1;
            return c;
        }
    }
    return NULL;
}

/* Time moves forward in a capture, so the least recently active connection
 * is the first to look at. */
static void expire(struct tcp_reassembler *r, int64_t now)
{
    for (int l = 0; l < 2; l++) {
        int64_t limit = l ? r->limits.closed_linger_ns : r->limits.idle_timeout_ns;
        while (r->lru_tail[l] && timestamp_between(now, r->lru_tail[l]->last_ts) > limit) {
            r->stats.conns_timed_out++;
            end_conn(r, r->lru_tail[l]);
        }
    }
    while (r->limits.max_closed_conns && r->closed_live > r->limits.max_closed_conns) {
        r->stats.conns_timed_out++;
        end_conn(r, r->lru_tail[1]);
    }
}

int conn_settle_client(struct tcp_conn *c, int client_ep, enum role_source source)
{
    if (source > c->role_source) {
        c->client = (int8_t)client_ep;
        c->role_source = (uint8_t)source;
    }
    return c->client;
}

int conn_client(struct tcp_conn *c)
{
    if (c->client < 0) {
        int client = c->ep[1].port > c->ep[0].port ? 1 : 0;
        conn_settle_client(c, client, ROLE_FROM_PORTS);
    }
    return c->client;
}

static void emit(struct tcp_reassembler *r, struct tcp_conn *c, int sender, enum tcp_event_kind k,
                 const struct packet_view *pkt)
{
    if (r->cb.on_tcp_event)
        r->cb.on_tcp_event(r->cb.ctx, c, sender, k, pkt);
}

/* Passes bytes at h->next_seq on: the present part as data, the part the
 * snapshot length cut off as a gap. */
static void deliver(struct tcp_reassembler *r, struct tcp_conn *c, int sender, const uint8_t *data,
                    uint32_t present, uint32_t wire, const struct packet_view *pkt, bool segment_start)
{
    struct tcp_half *h = &c->half[sender];
    if (present) {
        h->next_seq += present;
        h->bytes_delivered += present;
        r->cb.on_data(r->cb.ctx, c, sender, data, present, pkt, segment_start);
    }
    if (wire > present) {
        /* Only a frame cut by the snapshot length lacks bytes its headers
         * announce (packet.h): a cut, not a loss. */
        uint32_t missing = wire - present;
        h->next_seq += missing;
        h->cuts++;
        h->cut_bytes += missing;
        if (!h->first_cut_frame)
            h->first_cut_frame = pkt->frame;
        r->cb.on_gap(r->cb.ctx, c, sender, missing, pkt, true);
    }
}

/* A segment that starts at or before next_seq: trims what was already seen. */
static void accept_in_order(struct tcp_reassembler *r, struct tcp_conn *c, int sender, uint32_t seq,
                            const uint8_t *data, uint32_t present, uint32_t wire,
                            const struct packet_view *pkt)
{
    struct tcp_half *h = &c->half[sender];
    uint32_t already = h->next_seq - seq; /* seq is at or before next_seq */
    if (already >= wire) {
        h->retransmissions++;
        emit(r, c, sender, TCP_EV_RETRANSMISSION, pkt);
        return;
    }
    if (already)
        h->retransmissions++;
    uint32_t skip_present = already < present ? already : present;
    deliver(r, c, sender, data + skip_present, present - skip_present, wire - already, pkt,
            already == 0);
}

static void drain_held(struct tcp_reassembler *r, struct tcp_conn *c, int sender,
                       const struct packet_view *pkt)
{
    struct tcp_half *h = &c->half[sender];
    while (h->held && seq_diff(h->held->seq, h->next_seq) <= 0) {
        struct held_segment *s = h->held;
        h->held = s->next;
        h->held_bytes -= s->len;
        h->held_count--;
        accept_in_order(r, c, sender, s->seq, s->data, s->len, s->wire_len, pkt);
        free(s);
    }
}

/* Gives up on the hole before the first held segment: the capture lost it,
 * or a peer is flooding us with segments we cannot place. */
static void skip_hole(struct tcp_reassembler *r, struct tcp_conn *c, int sender,
                      const struct packet_view *pkt)
{
    struct tcp_half *h = &c->half[sender];
    uint32_t missing = (uint32_t)seq_diff(h->held->seq, h->next_seq);
    h->next_seq = h->held->seq;
    h->gaps++;
    h->gap_bytes += missing;
    if (!h->first_gap_frame)
        h->first_gap_frame = pkt->frame;
    if (!h->limit_hit) {
        h->limit_hit = true;
        h->limit_frame = pkt->frame;
    }
    r->cb.on_gap(r->cb.ctx, c, sender, missing, pkt, false);
    drain_held(r, c, sender, pkt);
}

static bool hold(struct tcp_reassembler *r, struct tcp_half *h, uint32_t seq, const uint8_t *data,
                 uint32_t present, uint32_t wire)
{
    struct held_segment **pp = &h->held;
    while (*pp && seq_diff((*pp)->seq, seq) <= 0) {
        if ((*pp)->seq == seq && (*pp)->wire_len >= wire) {
            h->retransmissions++;
            if (memcmp((*pp)->data, data, present < (*pp)->len ? present : (*pp)->len))
                h->conflicting_retransmissions++;
            return true;
        }
        pp = &(*pp)->next;
    }
    struct held_segment *s = malloc(sizeof *s + present);
    if (!s)
        return false;
    s->seq = seq;
    s->len = present;
    s->wire_len = wire;
    memcpy(s->data, data, present);
    s->next = *pp;
    *pp = s;
    h->held_bytes += present;
    h->held_count++;
    h->out_of_order++;
    r->stats.held_segments++;
    return true;
}

static void accept_segment(struct tcp_reassembler *r, struct tcp_conn *c, int sender, uint32_t seq,
                           const uint8_t *data, uint32_t present, uint32_t wire,
                           const struct packet_view *pkt)
{
    struct tcp_half *h = &c->half[sender];
    if (seq_diff(seq, h->next_seq) <= 0) {
        accept_in_order(r, c, sender, seq, data, present, wire, pkt);
        drain_held(r, c, sender, pkt);
        return;
    }
    while (h->held && (h->held_bytes + present > r->limits.max_held_bytes ||
                       h->held_count + 1 > r->limits.max_held_segments)) {
        skip_hole(r, c, sender, pkt);
        if (seq_diff(seq, h->next_seq) <= 0) {
            accept_in_order(r, c, sender, seq, data, present, wire, pkt);
            drain_held(r, c, sender, pkt);
            return;
        }
    }
    if (present > r->limits.max_held_bytes || !hold(r, h, seq, data, present, wire)) {
        /* It cannot be held at all: the hole before it is lost. */
        uint32_t missing = (uint32_t)seq_diff(seq, h->next_seq);
        h->next_seq = seq;
        h->gaps++;
        h->gap_bytes += missing;
        h->limit_hit = true;
        if (!h->limit_frame)
            h->limit_frame = pkt->frame;
        r->cb.on_gap(r->cb.ctx, c, sender, missing, pkt, false);
        accept_in_order(r, c, sender, seq, data, present, wire, pkt);
        drain_held(r, c, sender, pkt);
    }
}

static void handle_syn(struct tcp_reassembler *r, struct tcp_conn *c, int sender,
                       const struct packet_view *pkt)
{
    struct tcp_half *h = &c->half[sender];
    bool is_synack = pkt->tcp_flags & TCP_ACK;
    if (is_synack)
        conn_settle_client(c, 1 - sender, ROLE_FROM_SYNACK);
    else
        conn_settle_client(c, sender, ROLE_FROM_SYN);
    h->syn_count++;
    /* A second SYN-ACK with another ISN (a middlebox, or a stack that
     * restarted the handshake) rebases the direction while no data has been
     * passed on; later data follows the newest handshake. */
    bool rebase = !h->syn_seen || (h->isn != pkt->seq && h->bytes_delivered == 0);
    if (rebase) {
        h->isn = pkt->seq;
        h->next_seq = pkt->seq + 1;
        h->have_base = true;
        h->have_seq_end = false;
        free_held(h);
    }
    if (!h->syn_seen) {
        h->syn_seen = true;
        h->syn_frame = pkt->frame;
    }
    emit(r, c, sender, is_synack ? TCP_EV_SYNACK : TCP_EV_SYN, pkt);
}

static void track_acks(struct tcp_reassembler *r, struct tcp_conn *c, int sender,
                       const struct packet_view *pkt)
{
    struct tcp_half *h = &c->half[sender];
    bool pure_ack = pkt->payload_wire_len == 0 &&
                    !(pkt->tcp_flags & (TCP_SYN | TCP_FIN | TCP_RST)) && (pkt->tcp_flags & TCP_ACK);
    if (pure_ack && h->packets > 1 && pkt->ack == h->last_ack && pkt->window == h->last_window) {
        h->dup_acks++;
        emit(r, c, sender, TCP_EV_DUP_ACK, pkt);
    }
    if (pkt->window == 0 && !(pkt->tcp_flags & (TCP_RST | TCP_SYN | TCP_FIN))) {
        h->zero_windows++;
        emit(r, c, sender, TCP_EV_ZERO_WINDOW, pkt);
    }
    h->last_ack = pkt->ack;
    h->last_window = pkt->window;
    const struct tcp_half *peer = &c->half[1 - sender];
    if ((pkt->tcp_flags & TCP_ACK) && peer->bytes_delivered && seq_diff(pkt->ack, peer->next_seq) >= 0 &&
        (!h->acked_frame || h->acked_upto != peer->next_seq)) {
        h->acked_upto = peer->next_seq;
        h->acked_frame = pkt->frame;
    }
}

/* A RST's sequence number says nothing of what was sent (a forged one is
 * anything that the peer accepts). */
static void track_seq_end(struct tcp_half *h, const struct packet_view *pkt)
{
    if (!h->have_base || (pkt->tcp_flags & TCP_RST))
        return;
    uint32_t end = pkt->seq + ((pkt->tcp_flags & TCP_SYN) ? 1u : 0u) + pkt->payload_wire_len;
    if (!h->have_seq_end || seq_diff(end, h->seq_end) > 0) {
        h->seq_end = end;
        h->have_seq_end = true;
    }
}

struct half_shortfall reasm_shortfall(const struct tcp_half *h)
{
    struct half_shortfall s = { 0, 0 };
    if (!h->have_seq_end || !h->have_base)
        return s;
    uint32_t end = h->fin_seen && seq_diff(h->seq_end, h->fin_seq) > 0 ? h->fin_seq : h->seq_end;
    int32_t ahead = seq_diff(end, h->next_seq);
    if (ahead <= 0)
        return s;
    s.stranded_bytes = h->held_bytes < (uint32_t)ahead ? h->held_bytes : (uint32_t)ahead;
    s.unseen_bytes = (uint32_t)ahead - s.stranded_bytes;
    return s;
}

void reasm_packet(struct tcp_reassembler *r, const struct packet_view *pkt)
{
    r->stats.segments++;
    expire(r, pkt->ts_ns);
    struct endpoint src = { .port = pkt->sport }, dst = { .port = pkt->dport };
    memcpy(src.addr, pkt->src, 16);
    memcpy(dst.addr, pkt->dst, 16);
    int sender = 0;
    struct tcp_conn *c = find_conn(r, &src, &dst, &sender);
    bool fresh_syn = (pkt->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
    /* A SYN with a new ISN after the old connection closed, or after its
     * handshake completed (the close was not captured): port reuse. */
    if (c && fresh_syn && c->half[sender].syn_seen && c->half[sender].isn != pkt->seq &&
        (c->closed || c->half[1 - sender].syn_seen)) {
        end_conn(r, c);
        c = NULL;
    }
    if (!c) {
        sender = 0;
        if (!(c = new_conn(r, &src, &dst, pkt)))
            return;
    }
    struct tcp_half *h = &c->half[sender];
    if (!h->packets)
        h->first_frame = pkt->frame;
    h->packets++;
    c->last_frame = pkt->frame;
    c->last_ts = pkt->ts_ns;
    lru_unlink(r, c);
    lru_push_head(r, c);
    if (r->cb.on_packet)
        r->cb.on_packet(r->cb.ctx, c, sender, pkt);

    if (pkt->tcp_flags & TCP_SYN)
        handle_syn(r, c, sender, pkt);
    track_acks(r, c, sender, pkt);
    uint32_t data_seq = pkt->seq + ((pkt->tcp_flags & TCP_SYN) ? 1u : 0u);
    if (pkt->payload_wire_len && !(pkt->tcp_flags & TCP_RST)) {
        h->payload_packets++;
        if (!h->have_base) {
            h->next_seq = data_seq;
            h->have_base = true;
        }
        accept_segment(r, c, sender, data_seq, pkt->payload, pkt->payload_len,
                       pkt->payload_wire_len, pkt);
    }
    track_seq_end(h, pkt);
    if ((pkt->tcp_flags & TCP_FIN) && !h->fin_seen) {
        h->fin_seen = true;
        h->fin_frame = pkt->frame;
        h->fin_seq = data_seq + pkt->payload_wire_len;
        emit(r, c, sender, TCP_EV_FIN, pkt);
        if (c->half[1 - sender].fin_seen)
            mark_closed(r, c);
    }
    if (pkt->tcp_flags & TCP_RST) {
        if (!h->rst_seen) {
            h->rst_seen = true;
            h->rst_frame = pkt->frame;
        }
        mark_closed(r, c);
        emit(r, c, sender, TCP_EV_RST, pkt);
    }
}

void reasm_finish(struct tcp_reassembler *r)
{
    /* Oldest first, so connections end in the order they went quiet. */
    while (eviction_victim(r))
        end_conn(r, eviction_victim(r));
    while (r->free_conns) {
        struct tcp_conn *c = r->free_conns;
        r->free_conns = c->hash_next;
        free(c);
    }
    free(r->buckets);
    r->buckets = NULL;
}
