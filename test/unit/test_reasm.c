/* Unit tests for dissect/tcp_reasm.c: hand-built packet views go in, the
 * callbacks are recorded and the recorded streams are checked byte by byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_reasm.h"

#define MS 1000000LL
#define SEC 1000000000LL

/* ---- recording callbacks ------------------------------------------------------------ */

#define MAX_CALLS 16384
#define STREAM_CAP 65536

struct data_call {
    uint64_t conn_id;
    int sender;
    size_t offset;          /* where the run starts in the recorded stream */
    size_t len;
    uint64_t frame;
    bool segment_start;
};

struct gap_call {
    int sender;
    uint64_t missing;
    uint64_t frame;
    bool cut;
};

struct tcp_call {
    int sender;
    enum tcp_event_kind kind;
    uint64_t frame;
};

struct recorder {
    /* Per sender: the bytes passed on; a gap is written as '?' bytes so
     * offsets stay those of the stream. */
    uint8_t stream[2][STREAM_CAP];
    size_t stream_len[2];
    struct data_call data[MAX_CALLS];
    size_t n_data;
    struct gap_call gaps[MAX_CALLS];
    size_t n_gaps;
    struct tcp_call tcp[MAX_CALLS];
    size_t n_tcp;
    uint64_t ended_ids[64];
    size_t n_ended;
    struct tcp_conn *conn;  /* the connection of the last packet */
};

static struct recorder rec;

static void on_data(void *ctx, struct tcp_conn *c, int sender, const uint8_t *data, size_t len,
                    const struct packet_view *pkt, bool segment_start)
{
    (void)ctx;
    assert_true(rec.n_data < MAX_CALLS);
    assert_true(rec.stream_len[sender] + len <= STREAM_CAP);
    rec.data[rec.n_data++] = (struct data_call){ c->id, sender, rec.stream_len[sender], len,
                                                 pkt->frame, segment_start };
    memcpy(rec.stream[sender] + rec.stream_len[sender], data, len);
    rec.stream_len[sender] += len;
}

static void on_gap(void *ctx, struct tcp_conn *c, int sender, uint64_t missing,
                   const struct packet_view *pkt, bool cut)
{
    (void)ctx;
    (void)c;
    assert_true(rec.n_gaps < MAX_CALLS);
    assert_true(rec.stream_len[sender] + missing <= STREAM_CAP);
    rec.gaps[rec.n_gaps++] = (struct gap_call){ sender, missing, pkt->frame, cut };
    memset(rec.stream[sender] + rec.stream_len[sender], '?', missing);
    rec.stream_len[sender] += missing;
}

static void on_tcp_event(void *ctx, struct tcp_conn *c, int sender, enum tcp_event_kind kind,
                         const struct packet_view *pkt)
{
    (void)ctx;
    (void)c;
    assert_true(rec.n_tcp < sizeof rec.tcp / sizeof rec.tcp[0]);
    rec.tcp[rec.n_tcp++] = (struct tcp_call){ sender, kind, pkt->frame };
}

static void on_packet(void *ctx, struct tcp_conn *c, int sender, const struct packet_view *pkt)
{
    (void)ctx;
    (void)sender;
    (void)pkt;
    rec.conn = c;
}

static void on_conn_end(void *ctx, struct tcp_conn *c)
{
    (void)ctx;
    assert_true(rec.n_ended < sizeof rec.ended_ids / sizeof rec.ended_ids[0]);
    rec.ended_ids[rec.n_ended++] = c->id;
    if (rec.conn == c)
        rec.conn = NULL;
}

/* ---- the reassembler and packets ---------------------------------------------------- */

static struct tcp_reassembler reasm;
static uint64_t frame_no;
static int64_t now_ns;

static void start(const struct reasm_limits *limits)
{
    memset(&rec, 0, sizeof rec);
    struct reasm_callbacks cb = { NULL, on_data, on_gap, on_tcp_event, on_packet, on_conn_end };
    assert_true(reasm_init(&reasm, limits, &cb));
    frame_no = 0;
    now_ns = 1 * SEC;
}

static int setup(void **state)
{
    (void)state;
    struct reasm_limits limits;
    reasm_default_limits(&limits);
    start(&limits);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    reasm_finish(&reasm); /* idempotent: tests may have finished already */
    return 0;
}

static void restart(const struct reasm_limits *limits)
{
    reasm_finish(&reasm);
    start(limits);
}

/* Two hosts; side 0 is 10.0.0.1:40000 (the client in most tests), side 1
 * is 10.0.0.2:443. `port_offset` makes other connections between them. */
enum { CLIENT = 0, SERVER = 1 };
static const uint16_t side_port[2] = { 40000, 443 };

struct seg {
    int side;
    uint32_t seq;
    uint8_t flags;
    const void *data;
    uint32_t len;
    uint32_t wire_len;      /* 0: same as len */
    uint16_t port_offset;
    uint32_t ack;
    uint16_t window;
};

static struct packet_view view_of(const struct seg *s)
{
    struct packet_view v;
    memset(&v, 0, sizeof v);
    v.frame = ++frame_no;
    now_ns += MS;
    v.ts_ns = now_ns;
    v.ip_version = 4;
    v.src[0] = v.dst[0] = 10;
    v.src[3] = (uint8_t)(1 + s->side);
    v.dst[3] = (uint8_t)(2 - s->side);
    v.l4 = L4_TCP;
    v.sport = (uint16_t)(side_port[s->side] + (s->side == CLIENT ? s->port_offset : 0));
    v.dport = (uint16_t)(side_port[1 - s->side] + (s->side == SERVER ? s->port_offset : 0));
    v.seq = s->seq;
    v.ack = s->ack;
    v.tcp_flags = s->flags ? s->flags : TCP_ACK;
    v.window = s->window ? s->window : 1024;
    v.payload = s->data;
    v.payload_len = s->len;
    v.payload_wire_len = s->wire_len ? s->wire_len : s->len;
    return v;
}

/* Feeds one segment and returns its frame number. */
static uint64_t feed_seg(struct seg s)
{
    struct packet_view v = view_of(&s);
    reasm_packet(&reasm, &v);
    return v.frame;
}

static uint64_t feed(int side, uint32_t seq, uint8_t flags, const char *text)
{
    return feed_seg((struct seg){ .side = side, .seq = seq, .flags = flags, .data = text,
                                  .len = text ? (uint32_t)strlen(text) : 0 });
}

static uint64_t data(int side, uint32_t seq, const char *text)
{
    return feed(side, seq, TCP_ACK | TCP_PSH, text);
}

static void handshake(uint32_t client_isn, uint32_t server_isn)
{
    feed_seg((struct seg){ .side = CLIENT, .seq = client_isn, .flags = TCP_SYN });
    feed_seg((struct seg){ .side = SERVER, .seq = server_isn, .flags = TCP_SYN | TCP_ACK,
                           .ack = client_isn + 1 });
    feed_seg((struct seg){ .side = CLIENT, .seq = client_isn + 1, .flags = TCP_ACK,
                           .ack = server_isn + 1 });
}

static void assert_stream(int sender, const char *expected)
{
    assert_int_equal(rec.stream_len[sender], strlen(expected));
    assert_memory_equal(rec.stream[sender], expected, strlen(expected));
}

static void assert_data_call(size_t i, int sender, size_t offset, size_t len, uint64_t frame,
                             bool segment_start)
{
    assert_true(i < rec.n_data);
    assert_int_equal(rec.data[i].sender, sender);
    assert_int_equal(rec.data[i].offset, offset);
    assert_int_equal(rec.data[i].len, len);
    assert_int_equal(rec.data[i].frame, frame);
    assert_int_equal(rec.data[i].segment_start, segment_start);
}

static size_t count_tcp_events(enum tcp_event_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < rec.n_tcp; i++)
        n += rec.tcp[i].kind == kind;
    return n;
}

/* ---- ordering -------------------------------------------------------------------------- */

static void test_in_order_both_directions(void **state)
{
    (void)state;
    handshake(1000, 5000);
    uint64_t f1 = data(CLIENT, 1001, "hello ");
    uint64_t f2 = data(SERVER, 5001, "welcome");
    uint64_t f3 = data(CLIENT, 1007, "again");
    assert_stream(CLIENT, "hello again");
    assert_stream(SERVER, "welcome");
    assert_int_equal(rec.n_data, 3);
    assert_data_call(0, CLIENT, 0, 6, f1, true);
    assert_data_call(1, SERVER, 0, 7, f2, true);
    assert_data_call(2, CLIENT, 6, 5, f3, true);
    assert_int_equal(rec.n_gaps, 0);
    assert_int_equal(rec.conn->half[CLIENT].bytes_delivered, 11);
    assert_int_equal(rec.conn->half[CLIENT].next_seq, 1012);
    assert_int_equal(rec.conn->half[CLIENT].out_of_order, 0);
}

static void test_out_of_order_3_1_2_delivered_when_hole_fills(void **state)
{
    (void)state;
    handshake(100, 900);
    uint64_t f3 = data(CLIENT, 107, "ccc");
    assert_int_equal(rec.n_data, 0);
    uint64_t f1 = data(CLIENT, 101, "aaa");
    assert_int_equal(rec.n_data, 1);
    uint64_t f2 = data(CLIENT, 104, "bbb");
    assert_stream(CLIENT, "aaabbbccc");
    assert_int_equal(rec.n_data, 3);
    assert_data_call(0, CLIENT, 0, 3, f1, true);
    assert_data_call(1, CLIENT, 3, 3, f2, true);
    assert_data_call(2, CLIENT, 6, 3, f2, true); /* at the frame that filled the hole */
    assert_true(f3 < f1);
    assert_int_equal(rec.conn->half[CLIENT].out_of_order, 1);
    assert_int_equal(rec.conn->half[CLIENT].held_count, 0);
    assert_int_equal(rec.conn->half[CLIENT].held_bytes, 0);
}

static void test_retransmission_of_delivered_data_ignored(void **state)
{
    (void)state;
    handshake(100, 900);
    data(CLIENT, 101, "abcdef");
    uint64_t again = data(CLIENT, 101, "abcdef");
    data(CLIENT, 104, "def"); /* inside what was delivered */
    assert_stream(CLIENT, "abcdef");
    assert_int_equal(rec.n_data, 1);
    assert_int_equal(rec.conn->half[CLIENT].retransmissions, 2);
    assert_int_equal(count_tcp_events(TCP_EV_RETRANSMISSION), 2);
    assert_int_equal(rec.tcp[rec.n_tcp - 2].frame, again);
}

static void test_overlap_with_delivered_bytes_keeps_original_bytes(void **state)
{
    (void)state;
    handshake(0, 900);
    data(CLIENT, 1, "AAAAAAAA");
    uint64_t f = data(CLIENT, 5, "XXXXYYYY"); /* 4 bytes overlap, with different values */
    assert_stream(CLIENT, "AAAAAAAAYYYY");
    assert_int_equal(rec.n_data, 2);
    assert_data_call(1, CLIENT, 8, 4, f, false); /* not where its segment began */
    assert_int_equal(rec.conn->half[CLIENT].retransmissions, 1);
}

static void test_held_overlap_earlier_starting_segment_wins(void **state)
{
    (void)state;
    handshake(0, 900);
    data(CLIENT, 9, "CCCCCCCC");  /* 9..16, arrives first */
    data(CLIENT, 5, "BBBBBBBB");  /* 5..12, starts earlier: wins 9..12 */
    data(CLIENT, 1, "aaaa");
    assert_stream(CLIENT, "aaaaBBBBBBBBCCCC");
    assert_int_equal(rec.n_data, 3);
    assert_false(rec.data[2].segment_start);
}

static void test_held_overlap_same_start_first_received_wins(void **state)
{
    (void)state;
    handshake(0, 900);
    data(CLIENT, 5, "BBBB");
    data(CLIENT, 5, "ZZZZ");      /* same place, other bytes: counted, not believed */
    data(CLIENT, 5, "ZZZZZZ");    /* same start, longer: only its tail is new */
    data(CLIENT, 1, "aaaa");
    assert_stream(CLIENT, "aaaaBBBBZZ");
    assert_int_equal(rec.conn->half[CLIENT].conflicting_retransmissions, 1);
}

static void test_sequence_wraparound(void **state)
{
    (void)state;
    const uint32_t isn = 0xFFFFFFF0u;
    handshake(isn, 900);
    char first[33];
    memset(first, 'w', 32);
    first[32] = '\0';
    data(CLIENT, isn + 33, "after"); /* 0x11: past 2^32, arrives early */
    data(CLIENT, isn + 1, first);    /* 0xFFFFFFF1 .. 0x10 */
    data(CLIENT, isn + 38, "!");
    assert_stream(CLIENT, "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwafter!");
    assert_int_equal(rec.conn->half[CLIENT].next_seq, 0x17);
    assert_int_equal(rec.n_gaps, 0);
}

static void test_segment_half_the_sequence_space_away(void **state)
{
    (void)state;
    handshake(0, 900);
    data(CLIENT, 1, "ok");
    /* 2^31 from the next expected byte: neither clearly before nor after. */
    data(CLIENT, 3 + 0x80000000u, "far");
    data(CLIENT, 3, "!");
    assert_stream(CLIENT, "ok!");
}

static void test_syn_carrying_data(void **state)
{
    (void)state;
    uint64_t f = feed(CLIENT, 100, TCP_SYN, "early");
    feed(SERVER, 900, TCP_SYN | TCP_ACK, NULL);
    data(CLIENT, 106, " bird");
    assert_stream(CLIENT, "early bird");
    assert_data_call(0, CLIENT, 0, 5, f, true);
}

static void test_no_syn_starts_at_first_data_segment(void **state)
{
    (void)state;
    data(SERVER, 7777, "abc");
    data(SERVER, 7770, "old"); /* before the first byte we saw: a retransmission */
    data(SERVER, 7780, "def");
    assert_stream(0, "abcdef"); /* the first sender is ep[0] */
    assert_int_equal(rec.conn->ep[0].port, 443);
    assert_int_equal(rec.conn->half[0].retransmissions, 1);
}

/* ---- roles ------------------------------------------------------------------------------ */

static void test_client_is_syn_sender(void **state)
{
    (void)state;
    feed(SERVER, 900, TCP_ACK, NULL); /* the server is seen first: ep[0] */
    feed(CLIENT, 100, TCP_SYN, NULL);
    assert_int_equal(rec.conn->client, 1);
    assert_int_equal(rec.conn->role_source, ROLE_FROM_SYN);
    assert_int_equal(conn_client(rec.conn), 1);
}

static void test_client_is_synack_receiver_when_syn_missing(void **state)
{
    (void)state;
    feed(SERVER, 900, TCP_SYN | TCP_ACK, NULL);
    assert_int_equal(rec.conn->client, 1);
    assert_int_equal(rec.conn->role_source, ROLE_FROM_SYNACK);
    /* A later SYN is stronger evidence. */
    feed(SERVER, 5, TCP_SYN, NULL);
    assert_int_equal(rec.conn->client, 0);
    assert_int_equal(rec.conn->role_source, ROLE_FROM_SYN);
}

static void test_conn_client_port_rule_higher_port(void **state)
{
    (void)state;
    data(SERVER, 900, "from 443");
    assert_int_equal(rec.conn->client, -1);
    assert_int_equal(conn_client(rec.conn), 1); /* ep[1] has port 40000 */
    assert_int_equal(rec.conn->role_source, ROLE_FROM_PORTS);
    /* A message settles it more strongly; ports never override it. */
    assert_int_equal(conn_settle_client(rec.conn, 0, ROLE_FROM_MESSAGE), 0);
    assert_int_equal(conn_settle_client(rec.conn, 1, ROLE_FROM_PORTS), 0);
}

static void test_conn_client_equal_ports_first_sender(void **state)
{
    (void)state;
    struct seg s = { .side = SERVER, .seq = 1, .flags = TCP_ACK, .port_offset = 0 };
    struct packet_view v = view_of(&s);
    v.sport = v.dport = 5000;
    reasm_packet(&reasm, &v);
    assert_int_equal(conn_client(rec.conn), 0);
    assert_int_equal(rec.conn->role_source, ROLE_FROM_PORTS);
}

static void test_newest_synack_isn_wins_before_data(void **state)
{
    (void)state;
    feed(CLIENT, 100, TCP_SYN, NULL);
    feed(SERVER, 5000, TCP_SYN | TCP_ACK, NULL);
    feed(SERVER, 9000, TCP_SYN | TCP_ACK, NULL);
    data(SERVER, 9001, "new");
    data(SERVER, 5001, "old");
    assert_stream(SERVER, "new");
    assert_int_equal(rec.conn->half[SERVER].isn, 9000);
    assert_int_equal(rec.conn->half[SERVER].syn_count, 2);
    assert_int_equal(count_tcp_events(TCP_EV_SYNACK), 2);
}

/* ---- FIN, RST ------------------------------------------------------------------------------ */

static void test_fin_noted_with_frame_and_side(void **state)
{
    (void)state;
    handshake(100, 900);
    uint64_t fin_c = feed(CLIENT, 101, TCP_FIN | TCP_ACK, NULL);
    assert_true(rec.conn->half[CLIENT].fin_seen);
    assert_int_equal(rec.conn->half[CLIENT].fin_frame, fin_c);
    assert_false(rec.conn->closed);
    uint64_t fin_s = feed(SERVER, 901, TCP_FIN | TCP_ACK, NULL);
    assert_int_equal(rec.conn->half[SERVER].fin_frame, fin_s);
    assert_true(rec.conn->closed);
    assert_int_equal(count_tcp_events(TCP_EV_FIN), 2);
    assert_int_equal(rec.tcp[rec.n_tcp - 1].sender, SERVER);
    assert_int_equal(rec.tcp[rec.n_tcp - 1].frame, fin_s);
}

static void test_rst_noted_with_frame_and_side_payload_ignored(void **state)
{
    (void)state;
    handshake(100, 900);
    uint64_t f = feed(SERVER, 901, TCP_RST | TCP_ACK, "junk");
    assert_true(rec.conn->half[SERVER].rst_seen);
    assert_int_equal(rec.conn->half[SERVER].rst_frame, f);
    assert_false(rec.conn->half[CLIENT].rst_seen);
    assert_true(rec.conn->closed);
    assert_int_equal(rec.n_data, 0);
    assert_int_equal(rec.tcp[rec.n_tcp - 1].kind, TCP_EV_RST);
    assert_int_equal(rec.tcp[rec.n_tcp - 1].sender, SERVER);
}

static void test_zero_window_and_duplicate_ack_events(void **state)
{
    (void)state;
    handshake(100, 900);
    feed_seg((struct seg){ .side = SERVER, .seq = 901, .ack = 101, .window = 512 });
    uint64_t dup = feed_seg((struct seg){ .side = SERVER, .seq = 901, .ack = 101, .window = 512 });
    struct seg zero = { .side = CLIENT, .seq = 101, .ack = 901 };
    struct packet_view v = view_of(&zero);
    v.window = 0;
    reasm_packet(&reasm, &v);
    assert_int_equal(count_tcp_events(TCP_EV_DUP_ACK), 1);
    assert_int_equal(count_tcp_events(TCP_EV_ZERO_WINDOW), 1);
    assert_int_equal(rec.tcp[rec.n_tcp - 2].frame, dup);
    assert_int_equal(rec.conn->half[SERVER].dup_acks, 1);
    assert_int_equal(rec.conn->half[CLIENT].zero_windows, 1);
}

/* ---- what arrived, by the peer's ACKs and the sender's sequence numbers ----------------------- */

static void test_ack_of_all_the_peers_bytes_noted(void **state)
{
    (void)state;
    handshake(100, 900);
    data(CLIENT, 101, "hello");                                    /* 101..105 */
    feed_seg((struct seg){ .side = SERVER, .seq = 901, .ack = 103 }); /* part of it */
    assert_int_equal(rec.conn->half[SERVER].acked_frame, 0);
    uint64_t all = feed_seg((struct seg){ .side = SERVER, .seq = 901, .ack = 106 });
    feed_seg((struct seg){ .side = SERVER, .seq = 901, .ack = 106 }); /* again: the first stays */
    assert_int_equal(rec.conn->half[SERVER].acked_frame, all);
    assert_int_equal(rec.conn->half[SERVER].acked_upto, 106);
    data(CLIENT, 106, "more");                                     /* not acknowledged yet */
    assert_int_not_equal(rec.conn->half[SERVER].acked_upto, rec.conn->half[CLIENT].next_seq);
    uint64_t again = feed_seg((struct seg){ .side = SERVER, .seq = 901, .ack = 110 });
    assert_int_equal(rec.conn->half[SERVER].acked_frame, again);
    assert_int_equal(rec.conn->half[SERVER].acked_upto, rec.conn->half[CLIENT].next_seq);
}

/* The server's first, full-size segment never arrives, its last one does,
 * and its ACK after the client's FIN says how far it sent: a path-MTU
 * black hole's trace. */
static void test_shortfall_counts_unseen_and_stranded_bytes(void **state)
{
    (void)state;
    handshake(100, 900);
    data(CLIENT, 101, "hello");
    data(SERVER, 911, "stranded");                      /* 901..910 never came */
    struct half_shortfall s = reasm_shortfall(&rec.conn->half[SERVER]);
    assert_int_equal(s.unseen_bytes, 10);
    assert_int_equal(s.stranded_bytes, 8);
    feed(CLIENT, 106, TCP_FIN | TCP_ACK, NULL);
    feed_seg((struct seg){ .side = SERVER, .seq = 919, .ack = 107 }); /* its ACK: sent up to 918 */
    s = reasm_shortfall(&rec.conn->half[SERVER]);
    assert_int_equal(s.unseen_bytes, 10);
    assert_int_equal(s.stranded_bytes, 8);
    s = reasm_shortfall(&rec.conn->half[CLIENT]);
    assert_int_equal(s.unseen_bytes + s.stranded_bytes, 0);
}

/* A FIN takes a sequence number: the ACKs after it are one past the data;
 * and a RST's sequence number is anything its sender chose. */
static void test_shortfall_ignores_fin_and_rst_sequence_numbers(void **state)
{
    (void)state;
    handshake(100, 900);
    data(SERVER, 901, "abc");
    feed(SERVER, 904, TCP_FIN | TCP_ACK, NULL);
    feed_seg((struct seg){ .side = SERVER, .seq = 905, .ack = 101 });
    struct half_shortfall s = reasm_shortfall(&rec.conn->half[SERVER]);
    assert_int_equal(s.unseen_bytes + s.stranded_bytes, 0);
    feed(SERVER, 904 + 50000, TCP_RST | TCP_ACK, NULL);
    s = reasm_shortfall(&rec.conn->half[SERVER]);
    assert_int_equal(s.unseen_bytes + s.stranded_bytes, 0);
}

/* ---- caps and gaps ---------------------------------------------------------------------------- */

static void limits_with_hold_caps(struct reasm_limits *l, uint32_t bytes, uint32_t segments)
{
    reasm_default_limits(l);
    l->max_held_bytes = bytes;
    l->max_held_segments = segments;
}

/* Segment i of a 10-byte-per-segment stream: "0000000000", "1111111111" ... */
static uint64_t feed_block(int i)
{
    static char blocks[10][11];
    memset(blocks[i], '0' + i, 10);
    blocks[i][10] = '\0';
    return data(CLIENT, 1 + 10 * (uint32_t)i, blocks[i]);
}

static void test_hole_never_filled_segment_cap_forces_gap(void **state)
{
    (void)state;
    struct reasm_limits l;
    limits_with_hold_caps(&l, 1 << 20, 4);
    restart(&l);
    handshake(0, 900);
    feed_block(0);
    /* block 1 never arrives */
    for (int i = 2; i <= 5; i++)
        feed_block(i);
    assert_int_equal(rec.conn->half[CLIENT].held_count, 4);
    assert_int_equal(rec.n_gaps, 0);
    uint64_t f = feed_block(6);
    assert_int_equal(rec.n_gaps, 1);
    assert_int_equal(rec.gaps[0].missing, 10);
    assert_int_equal(rec.gaps[0].frame, f);
    assert_stream(CLIENT, "0000000000??????????22222222223333333333444444444455555555556666666666");
    assert_true(rec.conn->half[CLIENT].limit_hit);
    assert_int_equal(rec.conn->half[CLIENT].limit_frame, f);
    assert_false(rec.gaps[0].cut);
    assert_int_equal(rec.conn->half[CLIENT].gaps, 1);
    assert_int_equal(rec.conn->half[CLIENT].gap_bytes, 10);
    assert_int_equal(rec.conn->half[CLIENT].cuts, 0);
    assert_int_equal(rec.conn->half[CLIENT].held_count, 0);
    /* The late block is now old news. */
    feed_block(1);
    assert_int_equal(rec.stream_len[CLIENT], 70);
}

static void test_hole_never_filled_byte_cap_forces_gap(void **state)
{
    (void)state;
    struct reasm_limits l;
    limits_with_hold_caps(&l, 25, 1000);
    restart(&l);
    handshake(0, 900);
    feed_block(0);
    feed_block(3);
    feed_block(4);
    assert_int_equal(rec.conn->half[CLIENT].held_bytes, 20);
    uint64_t f = feed_block(5); /* 30 bytes would be held */
    assert_int_equal(rec.n_gaps, 1);
    assert_int_equal(rec.gaps[0].missing, 20);
    assert_int_equal(rec.gaps[0].frame, f);
    assert_stream(CLIENT, "0000000000????????????????????333333333344444444445555555555");
    assert_true(rec.conn->half[CLIENT].limit_hit);
    assert_int_equal(rec.conn->half[CLIENT].held_bytes, 0);
}

/* The bytes a snapshot length cut off are a cut: passed on as a gap marked
 * cut, counted apart from the holes the capture lost. */
static void test_snaplen_cut_segment_gives_data_then_cut(void **state)
{
    (void)state;
    handshake(0, 900);
    uint64_t f = feed_seg((struct seg){ .side = CLIENT, .seq = 1, .flags = TCP_ACK, .data = "0123456789",
                                        .len = 10, .wire_len = 30 });
    data(CLIENT, 31, "next");
    assert_stream(CLIENT, "0123456789????????????????????next");
    assert_data_call(0, CLIENT, 0, 10, f, true);
    assert_int_equal(rec.n_gaps, 1);
    assert_int_equal(rec.gaps[0].missing, 20);
    assert_int_equal(rec.gaps[0].frame, f);
    assert_true(rec.gaps[0].cut);
    const struct tcp_half *h = &rec.conn->half[CLIENT];
    assert_int_equal(h->cuts, 1);
    assert_int_equal(h->cut_bytes, 20);
    assert_int_equal(h->first_cut_frame, f);
    assert_int_equal(h->gaps, 0);
    assert_int_equal(h->gap_bytes, 0);
    assert_int_equal(h->first_gap_frame, 0);
    assert_false(h->limit_hit);
}

static void test_snaplen_cut_segment_held_then_drained(void **state)
{
    (void)state;
    handshake(0, 900);
    uint64_t f = feed_seg((struct seg){ .side = CLIENT, .seq = 5, .flags = TCP_ACK, .data = "cut", .len = 3,
                                        .wire_len = 8 });
    data(CLIENT, 1, "head");
    data(CLIENT, 13, "tail");
    assert_stream(CLIENT, "headcut?????tail");
    assert_int_equal(rec.gaps[0].missing, 5);
    assert_true(rec.gaps[0].cut);
    /* Passed on when the hole before it filled; the cut is the held segment's. */
    assert_int_equal(rec.conn->half[CLIENT].cut_bytes, 5);
    assert_int_equal(rec.conn->half[CLIENT].first_cut_frame, f + 1);
    assert_int_equal(rec.conn->half[CLIENT].gaps, 0);
}

/* A lost hole and a cut on the same direction: each counted as what it is. */
static void test_cut_and_loss_counted_apart(void **state)
{
    (void)state;
    struct reasm_limits l;
    limits_with_hold_caps(&l, 1 << 20, 1);
    restart(&l);
    handshake(0, 900);
    uint64_t cut = feed_seg((struct seg){ .side = CLIENT, .seq = 1, .flags = TCP_ACK, .data = "abcd",
                                          .len = 4, .wire_len = 10 });
    data(CLIENT, 21, "held");         /* bytes 11..20 never arrive */
    uint64_t lost = data(CLIENT, 31, "next");   /* over the cap: 11..20 are given up */
    data(CLIENT, 25, "fill!!");
    assert_stream(CLIENT, "abcd????????????????heldfill!!next");
    const struct tcp_half *h = &rec.conn->half[CLIENT];
    assert_int_equal(h->cuts, 1);
    assert_int_equal(h->cut_bytes, 6);
    assert_int_equal(h->first_cut_frame, cut);
    assert_int_equal(h->gaps, 1);
    assert_int_equal(h->gap_bytes, 10);
    assert_int_equal(h->first_gap_frame, lost);
    assert_true(rec.gaps[0].cut);
    assert_false(rec.gaps[1].cut);
}

/* ---- connection lifetime ------------------------------------------------------------------------ */

static void test_idle_timeout_ends_connection(void **state)
{
    (void)state;
    struct reasm_limits l;
    reasm_default_limits(&l);
    l.idle_timeout_ns = 10 * SEC;
    restart(&l);
    data(CLIENT, 1, "first");
    uint64_t first_id = rec.conn->id;
    now_ns += 5 * SEC;
    feed_seg((struct seg){ .side = CLIENT, .seq = 1, .port_offset = 1 }); /* another connection */
    assert_int_equal(rec.n_ended, 0);
    now_ns += 6 * SEC; /* the first is idle 11 s, the second 6 s */
    feed_seg((struct seg){ .side = CLIENT, .seq = 1, .port_offset = 2 });
    assert_int_equal(rec.n_ended, 1);
    assert_int_equal(rec.ended_ids[0], first_id);
    assert_int_equal(reasm.live, 2);
    assert_int_equal(reasm.stats.conns_timed_out, 1);
}

static void test_closed_linger_ends_connection_before_idle_timeout(void **state)
{
    (void)state;
    struct reasm_limits l;
    reasm_default_limits(&l);
    l.idle_timeout_ns = 100 * SEC;
    l.closed_linger_ns = 1 * SEC;
    restart(&l);
    handshake(100, 900);
    feed(CLIENT, 101, TCP_RST, NULL);
    uint64_t closed_id = rec.conn->id;
    feed_seg((struct seg){ .side = CLIENT, .seq = 1, .port_offset = 1 }); /* stays open */
    now_ns += 2 * SEC;
    feed_seg((struct seg){ .side = CLIENT, .seq = 1, .port_offset = 2 });
    assert_int_equal(rec.n_ended, 1);
    assert_int_equal(rec.ended_ids[0], closed_id);
    assert_int_equal(reasm.live, 2);
}

static void test_max_conns_evicts_least_recently_active(void **state)
{
    (void)state;
    struct reasm_limits l;
    reasm_default_limits(&l);
    l.max_conns = 2;
    restart(&l);
    feed_seg((struct seg){ .side = CLIENT, .seq = 1, .port_offset = 1 });
    uint64_t id1 = rec.conn->id;
    feed_seg((struct seg){ .side = CLIENT, .seq = 1, .port_offset = 2 });
    uint64_t id2 = rec.conn->id;
    feed_seg((struct seg){ .side = SERVER, .seq = 1, .port_offset = 1 }); /* conn 1 active again */
    assert_int_equal(rec.conn->id, id1);
    feed_seg((struct seg){ .side = CLIENT, .seq = 1, .port_offset = 3 });
    assert_int_equal(rec.n_ended, 1);
    assert_int_equal(rec.ended_ids[0], id2);
    assert_int_equal(reasm.live, 2);
    assert_int_equal(reasm.stats.conns_evicted, 1);
    assert_int_equal(rec.conn->id, 3);
}

static void test_port_reuse_after_close_new_syn_new_connection(void **state)
{
    (void)state;
    handshake(100, 900);
    data(CLIENT, 101, "one");
    feed(CLIENT, 104, TCP_FIN | TCP_ACK, NULL);
    feed(SERVER, 901, TCP_FIN | TCP_ACK, NULL);
    uint64_t old_id = rec.conn->id;
    assert_true(rec.conn->closed);
    feed(CLIENT, 7000, TCP_SYN, NULL);
    assert_int_equal(rec.n_ended, 1);
    assert_int_equal(rec.ended_ids[0], old_id);
    assert_int_not_equal(rec.conn->id, old_id);
    assert_false(rec.conn->closed);
    data(CLIENT, 7001, "two");
    assert_stream(CLIENT, "onetwo");
    assert_int_equal(rec.data[1].conn_id, rec.conn->id);
    assert_int_equal(reasm.live, 1);
}

static void test_retransmitted_syn_of_closed_connection_is_not_a_new_one(void **state)
{
    (void)state;
    handshake(100, 900);
    feed(CLIENT, 101, TCP_RST, NULL);
    uint64_t id = rec.conn->id;
    feed(CLIENT, 100, TCP_SYN, NULL);
    assert_int_equal(rec.conn->id, id);
    assert_int_equal(rec.n_ended, 0);
}

/* 10,000 one-byte segments, each run of 200 sent backwards: far more held
 * segments than the cap allows, so the reassembler must keep giving up. */
static void test_ten_thousand_tiny_out_of_order_segments_bounded(void **state)
{
    (void)state;
    enum { SEGMENTS = 10000, RUN = 200, CAP_SEGMENTS = 32, CAP_BYTES = 48 };
    struct reasm_limits l;
    limits_with_hold_caps(&l, CAP_BYTES, CAP_SEGMENTS);
    restart(&l);
    handshake(0, 900);
    static uint8_t bytes[SEGMENTS];
    for (int i = 0; i < SEGMENTS; i++)
        bytes[i] = (uint8_t)('A' + i % 26);
    uint32_t max_held = 0, max_held_bytes = 0;
    for (int run = 0; run < SEGMENTS / RUN; run++) {
        for (int k = RUN - 1; k >= 0; k--) {
            int i = run * RUN + k;
            feed_seg((struct seg){ .side = CLIENT, .seq = 1 + (uint32_t)i, .data = &bytes[i], .len = 1 });
            struct tcp_half *h = &rec.conn->half[CLIENT];
            max_held = h->held_count > max_held ? h->held_count : max_held;
            max_held_bytes = h->held_bytes > max_held_bytes ? h->held_bytes : max_held_bytes;
        }
    }
    struct tcp_half *h = &rec.conn->half[CLIENT];
    assert_true(max_held <= CAP_SEGMENTS);
    assert_true(max_held_bytes <= CAP_BYTES);
    assert_true(h->limit_hit);
    /* Every byte is accounted for, as data or as gap, and the data is right. */
    assert_int_equal(h->bytes_delivered + h->held_bytes + h->gap_bytes, SEGMENTS);
    size_t delivered = 0;
    for (size_t i = 0; i < rec.stream_len[CLIENT]; i++) {
        if (rec.stream[CLIENT][i] == '?')
            continue;
        assert_int_equal(rec.stream[CLIENT][i], bytes[i]);
        delivered++;
    }
    assert_int_equal(delivered, h->bytes_delivered);
    assert_true(delivered > 0);
}

static void test_reasm_finish_ends_all_live_connections(void **state)
{
    (void)state;
    for (uint16_t p = 1; p <= 3; p++)
        feed_seg((struct seg){ .side = CLIENT, .seq = 1, .port_offset = p });
    data(CLIENT, 1, "held?"); /* a fourth, main connection */
    data(CLIENT, 100, "held bytes are freed too");
    assert_int_equal(reasm.live, 4);
    reasm_finish(&reasm);
    assert_int_equal(rec.n_ended, 4);
    /* Oldest first. */
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(rec.ended_ids[i], i + 1);
    assert_int_equal(reasm.live, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_in_order_both_directions),
        T(test_out_of_order_3_1_2_delivered_when_hole_fills),
        T(test_retransmission_of_delivered_data_ignored),
        T(test_overlap_with_delivered_bytes_keeps_original_bytes),
        T(test_held_overlap_earlier_starting_segment_wins),
        T(test_held_overlap_same_start_first_received_wins),
        T(test_sequence_wraparound),
        T(test_segment_half_the_sequence_space_away),
        T(test_syn_carrying_data),
        T(test_no_syn_starts_at_first_data_segment),
        T(test_client_is_syn_sender),
        T(test_client_is_synack_receiver_when_syn_missing),
        T(test_conn_client_port_rule_higher_port),
        T(test_conn_client_equal_ports_first_sender),
        T(test_newest_synack_isn_wins_before_data),
        T(test_fin_noted_with_frame_and_side),
        T(test_rst_noted_with_frame_and_side_payload_ignored),
        T(test_zero_window_and_duplicate_ack_events),
        T(test_ack_of_all_the_peers_bytes_noted),
        T(test_shortfall_counts_unseen_and_stranded_bytes),
        T(test_shortfall_ignores_fin_and_rst_sequence_numbers),
        T(test_hole_never_filled_segment_cap_forces_gap),
        T(test_hole_never_filled_byte_cap_forces_gap),
        T(test_snaplen_cut_segment_gives_data_then_cut),
        T(test_cut_and_loss_counted_apart),
        T(test_snaplen_cut_segment_held_then_drained),
        T(test_idle_timeout_ends_connection),
        T(test_closed_linger_ends_connection_before_idle_timeout),
        T(test_max_conns_evicts_least_recently_active),
        T(test_port_reuse_after_close_new_syn_new_connection),
        T(test_retransmitted_syn_of_closed_connection_is_not_a_new_one),
        T(test_ten_thousand_tiny_out_of_order_segments_bounded),
        T(test_reasm_finish_ends_all_live_connections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
