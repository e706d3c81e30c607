/* Tests for the pass API (analyzer/pass/pipeline.h): a capture opened from
 * a path or from memory, read to the end or a few packets at a time, gives
 * the same events and summary; how it was read is a status; the taps and
 * a pass fed decoded packets. Runs from the repository root (samples/). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pipeline.h"

#define SAMPLE "samples/bad-cipher-proxy.pcapng"   /* DNS, CONNECT, TLS and an alert */

/* ---- an event sink that remembers the sequence ---- */

struct seen {
    uint64_t events;
    uint64_t by_type[EV_HTTP_RESPONSE + 1];
    uint64_t cut_gaps;  /* EV_STREAM_GAP of bytes a snapshot length cut */
    uint64_t hash;      /* of every event's type, frame, sender and connection, in order */
};

static void remember(void *ctx, const struct event *ev)
{
    struct seen *s = ctx;
    s->events++;
    s->by_type[ev->type]++;
    s->cut_gaps += ev->type == EV_STREAM_GAP && ev->u.cut;
    uint64_t conn = ev->conn ? ev->conn->id : 0;
    s->hash = (s->hash * 1000003u) ^ ((uint64_t)ev->type << 56 ^ ev->frame << 8 ^ conn << 2 ^ (uint64_t)ev->sender);
}

static uint8_t *file_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("%s: cannot open (run from the repository root)", path);
    struct stat st;
    assert_int_equal(fstat(fileno(f), &st), 0);
    *len = (size_t)st.st_size;
    uint8_t *data = malloc(*len);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, *len, f), *len);
    fclose(f);
    return data;
}

struct outcome {
    struct seen seen;
    struct pipeline_summary summary;
    enum pass_status status;
    struct event_sink sink;     /* to seen */
};

static struct pipeline_options opt;
static char err[256];

static int set_up(void **state)
{
    (void)state;
    pipeline_default_options(&opt);
    return 0;
}

/* A fresh outcome whose sink records into it. */
static struct event_sink *watch(struct outcome *out)
{
    memset(out, 0, sizeof *out);
    out->sink = (struct event_sink){ &out->seen, remember };
    return &out->sink;
}

/* Reads p with pass_feed(step) (0: pass_run) and finishes it. */
static void read_all(struct pass *p, uint64_t step, struct outcome *out)
{
    assert_non_null(p);
    if (step == 0) {
        pass_run(p);
    } else {
        uint64_t n;
        while ((n = pass_feed(p, step)) == step)
            ;
        assert_true(n < step);
        assert_int_equal(pass_feed(p, step), 0);
    }
    out->status = pass_finish(p, &out->summary);
}

/* The sample, from its path, to the end. */
static void read_sample(struct outcome *out)
{
    read_all(pass_open_path(SAMPLE, &opt, watch(out), err, sizeof err), 0, out);
    assert_int_equal(out->status, PASS_OK);
}

static void assert_same(const struct outcome *a, const struct outcome *b)
{
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->seen.events, b->seen.events);
    assert_memory_equal(a->seen.by_type, b->seen.by_type, sizeof a->seen.by_type);
    assert_int_equal(a->seen.hash, b->seen.hash);
    assert_int_equal(a->summary.frames, b->summary.frames);
    assert_int_equal(a->summary.bytes, b->summary.bytes);
    assert_int_equal(a->summary.first_ts, b->summary.first_ts);
    assert_int_equal(a->summary.last_ts, b->summary.last_ts);
    assert_int_equal(a->summary.decoded_tcp, b->summary.decoded_tcp);
    assert_int_equal(a->summary.decoded_udp, b->summary.decoded_udp);
    assert_int_equal(a->summary.damaged_tail, b->summary.damaged_tail);
    assert_string_equal(a->summary.damage, b->summary.damage);
    assert_string_equal(a->summary.format, b->summary.format);
    assert_int_equal(a->summary.streams.dns_messages, b->summary.streams.dns_messages);
    assert_int_equal(a->summary.reasm.max_live_conns, b->summary.reasm.max_live_conns);
}

/* ---- path, memory, whole or in steps: the same pass ---- */

static void test_path_and_memory_read_the_same(void **state)
{
    (void)state;
    struct outcome from_path;
    read_sample(&from_path);
    assert_true(from_path.summary.frames > 10);
    assert_true(from_path.seen.by_type[EV_CLIENT_HELLO] > 0);
    assert_true(from_path.seen.by_type[EV_CONNECT_REQUEST] > 0);
    assert_true(from_path.seen.by_type[EV_ALERT] > 0);
    assert_true(from_path.seen.by_type[EV_CONN_END] > 0);

    size_t len;
    uint8_t *data = file_bytes(SAMPLE, &len);
    static const uint64_t steps[] = { 0, 1, 7, 1000000 };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        struct outcome from_memory;
        read_all(pass_open_memory(data, len, &opt, watch(&from_memory), err, sizeof err), steps[i],
                 &from_memory);
        assert_same(&from_path, &from_memory);
    }
    free(data);
}

/* Finishing early: the packets read so far are the capture. */
static void test_finish_before_the_end(void **state)
{
    (void)state;
    struct outcome out;
    struct pass *p = pass_open_path(SAMPLE, &opt, watch(&out), err, sizeof err);
    assert_non_null(p);
    assert_int_equal(pass_feed(p, 3), 3);
    out.status = pass_finish(p, &out.summary);
    assert_int_equal(out.status, PASS_OK);
    assert_int_equal(out.summary.frames, 3);
    assert_false(out.summary.damaged_tail);
}

/* ---- how a capture was read ---- */

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static void test_statuses(void **state)
{
    (void)state;
    struct outcome out;
    const struct event_sink *sink = watch(&out);
    struct pipeline_summary summary;

    size_t len;
    uint8_t *data = file_bytes(SAMPLE, &len);
    /* The sample is little-endian pcapng: a section header, an interface,
     * then packets. */
    assert_int_equal(le32(data), 0x0A0D0D0A);
    size_t first_packet = le32(data + 4);
    first_packet += le32(data + first_packet + 4);

    /* Cut inside the last block: what came before is read. */
    struct capture_source src = { .data = data, .len = len - 3 };
    assert_int_equal(pass_read(&src, &opt, sink, &summary, err, sizeof err), PASS_DAMAGED_TAIL);
    assert_true(summary.damaged_tail);
    assert_true(summary.frames > 10);
    assert_true(strlen(summary.damage) > 0);

    /* Cut inside the first packet: nothing is usable, and err says why. */
    src.len = first_packet + 10;
    err[0] = 0;
    assert_int_equal(pass_read(&src, &opt, sink, &summary, err, sizeof err), PASS_UNUSABLE);
    assert_int_equal(summary.frames, 0);
    assert_string_equal(err, summary.damage);
    assert_true(strlen(err) > 0);

    /* Not a capture at all: no pass, the reason in err, a zero summary. */
    src.len = 3;
    assert_null(pass_open(&src, &opt, sink, err, sizeof err));
    assert_string_equal(err, "too short to be a capture (3 bytes)");
    memset(&summary, 0xAA, sizeof summary);
    assert_int_equal(pass_read(&src, &opt, sink, &summary, err, sizeof err), PASS_UNUSABLE);
    assert_int_equal(summary.frames, 0);
    assert_string_equal(err, "too short to be a capture (3 bytes)");
    assert_null(pass_open_path("samples/no-such-file.pcap", &opt, sink, err, sizeof err));
    assert_string_equal(err, "no such file");
    free(data);
}

/* ---- frames a snapshot length cut ---- */

#define CUT_PCAP "test/data/cut/good-direct-s96.pcap"          /* header snaplen 96 */
#define CUT_PCAPNG "test/data/cut/good-direct-s128.pcapng"     /* IDB declares none */

static void read_path(const char *path, struct outcome *out)
{
    read_all(pass_open_path(path, &opt, watch(out), err, sizeof err), 0, out);
    assert_int_equal(out->status, PASS_OK);
}

static void test_cut_frames_counted(void **state)
{
    (void)state;
    struct outcome out;
    read_path(CUT_PCAP, &out);
    assert_int_equal(out.summary.frames, 23);
    assert_int_equal(out.summary.frames_cut, 9);       /* capinfos: 9 frames over 96 bytes */
    assert_int_equal(out.summary.first_cut_frame, 5);  /* the DNS answer */
    assert_int_equal(out.summary.cut_caplen, 96);
    assert_int_equal(out.summary.snaplen, 96);
    assert_int_equal(pipeline_cut_snaplen(&out.summary), 96);
    /* The TCP payload the cut left out reaches the sink as cut gaps only. */
    assert_true(out.seen.cut_gaps > 0);
    assert_int_equal(out.seen.cut_gaps, out.seen.by_type[EV_STREAM_GAP]);

    read_path(CUT_PCAPNG, &out);
    assert_int_equal(out.summary.frames_cut, 6);
    assert_int_equal(out.summary.first_cut_frame, 10); /* the Client Hello */
    assert_int_equal(out.summary.snaplen, 0);
    assert_int_equal(pipeline_cut_snaplen(&out.summary), 128);

    read_sample(&out);
    assert_int_equal(out.summary.frames_cut, 0);
    assert_int_equal(out.summary.first_cut_frame, 0);
    assert_int_equal(pipeline_cut_snaplen(&out.summary), 0);
    assert_int_equal(out.seen.cut_gaps, 0);
}

/* ---- taps ---- */

struct tapped {
    uint64_t decoded, tcp, udp;
    uint64_t stream_bytes, gaps;
    uint64_t stream_bytes_before_events;   /* a tap sees the bytes before the dissectors */
    struct seen *seen;
};

static void tap_decoded(void *ctx, const struct packet_view *pkt)
{
    struct tapped *t = ctx;
    t->decoded++;
    t->tcp += pkt->l4 == L4_TCP;
    t->udp += pkt->l4 == L4_UDP;
}

static void tap_data(void *ctx, struct tcp_conn *c, int sender, const uint8_t *data, size_t len,
                     const struct packet_view *pkt, bool segment_start)
{
    (void)c, (void)sender, (void)data, (void)pkt, (void)segment_start;
    struct tapped *t = ctx;
    if (t->seen->by_type[EV_CLIENT_HELLO] == 0)
        t->stream_bytes_before_events += len;
    t->stream_bytes += len;
}

static void tap_gap(void *ctx, struct tcp_conn *c, int sender, uint64_t missing, const struct packet_view *pkt,
                    bool cut)
{
    (void)c, (void)sender, (void)missing, (void)pkt, (void)cut;
    struct tapped *t = ctx;
    t->gaps++;
}

static void test_taps(void **state)
{
    (void)state;
    struct outcome plain;
    read_sample(&plain);

    struct outcome watched;
    const struct event_sink *sink = watch(&watched);
    struct tapped t = { .seen = &watched.seen };
    struct pass_taps taps = { &t, tap_decoded, tap_data, tap_gap };
    struct pass *p = pass_open_path(SAMPLE, &opt, sink, err, sizeof err);
    assert_non_null(p);
    pass_set_taps(p, &taps);
    read_all(p, 0, &watched);

    /* Watching changes nothing. */
    assert_same(&plain, &watched);
    assert_int_equal(t.tcp, watched.summary.decoded_tcp);
    assert_int_equal(t.udp, watched.summary.decoded_udp);
    assert_int_equal(t.decoded, t.tcp + t.udp);
    assert_true(t.stream_bytes > 0);
    assert_true(t.stream_bytes_before_events > 0);
}

/* ---- a pass fed decoded packets ---- */

static void put_segment(struct pass *p, uint64_t frame, int from_server, uint8_t flags, uint32_t seq,
                        uint32_t ack)
{
    struct packet_view pkt;
    memset(&pkt, 0, sizeof pkt);
    uint8_t client[4] = { 10, 0, 0, 1 }, server[4] = { 10, 0, 0, 2 };
    pkt.frame = frame;
    pkt.ts_ns = 1700000000LL * 1000000000LL + (int64_t)frame * 1000;
    pkt.ip_version = 4;
    memcpy(pkt.src, from_server ? server : client, 4);
    memcpy(pkt.dst, from_server ? client : server, 4);
    pkt.l4 = L4_TCP;
    pkt.sport = from_server ? 443 : 40000;
    pkt.dport = from_server ? 40000 : 443;
    pkt.seq = seq;
    pkt.ack = ack;
    pkt.tcp_flags = flags;
    pkt.window = 65535;
    pass_put_decoded(p, &pkt);
}

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10 };

static void test_decoded_packets(void **state)
{
    (void)state;
    struct outcome out;
    struct pass *p = pass_open_decoded(&opt, watch(&out), err, sizeof err);
    assert_non_null(p);
    assert_int_equal(pass_feed(p, 10), 0);   /* no capture to read */
    put_segment(p, 1, 0, SYN, 1000, 0);
    put_segment(p, 2, 1, SYN | ACK, 5000, 1001);
    put_segment(p, 3, 0, RST, 1001, 0);
    out.status = pass_finish(p, &out.summary);
    assert_int_equal(out.status, PASS_OK);
    assert_int_equal(out.summary.frames, 3);
    assert_int_equal(out.summary.decoded_tcp, 3);
    assert_int_equal(out.summary.last_ts - out.summary.first_ts, 2000);
    assert_string_equal(out.summary.format, "decoded packets");
    assert_true(out.seen.by_type[EV_TCP] >= 3);
    assert_int_equal(out.seen.by_type[EV_CONN_END], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_and_memory_read_the_same),
        cmocka_unit_test(test_finish_before_the_end),
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_cut_frames_counted),
        cmocka_unit_test(test_taps),
        cmocka_unit_test(test_decoded_packets),
    };
    return cmocka_run_group_tests(tests, set_up, NULL);
}
