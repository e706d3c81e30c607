/* The TCP reassembler (dissect/tcp_reasm.c) fed made-up segments through a
 * pass of decoded packets (pass_open_decoded()), with the real stream
 * dissectors (TLS, CONNECT, DNS over TCP) behind it and the events writer
 * and facts builder behind those.
 *
 * Input header (10 bytes): limits (byte: max_conns 1-4 from bits 0-1, held
 * segments 1-16 from bits 2-5, bit 6: held bytes 256 instead of 4096, bit 7:
 * idle timeout 2 s instead of 600 s), then the initial sequence number of
 * each direction (2 x u32; make them near 2^32 to wrap mid-stream), then a
 * byte: bit 0 a 512-byte handshake cap, bit 1 the facts builder runs too.
 * Then segments, each:
 *   u8 flags: bits 0-4 TCP FIN SYN RST PSH ACK, bit 5 direction,
 *             bit 6 sequence number absolute (u32) rather than
 *             ISN + u16 offset, bit 7 the segment was cut (a u8 of bytes
 *             missing from the capture follows the length)
 *   u8 extra: bits 0-2 which of 8 connections (server port 443, 8080 or
 *             53), bits 3-7 seconds since the previous segment
 *   sequence number (u16 offset or u32), length u8 (255: a u16 follows),
 *   [cut bytes], payload. */
#include <stdint.h>
#include <string.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
    FLAG_BITS = 0x1F, FLAG_DIRECTION = 0x20, FLAG_ABSOLUTE_SEQ = 0x40, FLAG_CUT = 0x80,
    LEN_EXTENDED = 255,
};

static uint16_t server_port(unsigned conn_index)
{
    static const uint16_t ports[8] = { 443, 443, 443, 443, 8080, 8080, 53, 443 };
    return ports[conn_index & 7];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = { data, size, 0 };
    uint8_t limit_bits = fuzz_u8(&in);
    uint32_t isn[2];
    isn[0] = fuzz_u32(&in);
    isn[1] = fuzz_u32(&in);
    uint8_t stream_bits = fuzz_u8(&in);

    struct pipeline_options opt;
    pipeline_default_options(&opt);
    opt.reasm.max_conns = 1u + (limit_bits & 3);
    opt.reasm.max_held_segments = 1u + ((limit_bits >> 2) & 15);
    opt.reasm.max_held_bytes = (limit_bits & 0x40) ? 256 : 4096;
    if (limit_bits & 0x80)
        opt.reasm.idle_timeout_ns = 2000000000LL;
    opt.stream.tls.max_handshake_message = (stream_bits & 1) ? 512 : 256 * 1024;
    opt.stream.max_http_header = 1024;

    struct fuzz_consumer consumer;
    fuzz_consumer_init(&consumer, (stream_bits & 2) != 0);
    char err[256];
    struct pass *pass = pass_open_decoded(&opt, &consumer.sink, err, sizeof err);
    if (!pass) {
        fuzz_consumer_finish(&consumer, NULL);
        return 0;
    }
    struct packet_view pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.ip_version = 4;
    pkt.l4 = L4_TCP;
    int64_t now = 1700000000LL * 1000000000LL;
    while (fuzz_remaining(&in) > 0) {
        uint8_t flags = fuzz_u8(&in);
        uint8_t extra = fuzz_u8(&in);
        int dir = (flags & FLAG_DIRECTION) ? 1 : 0;
        unsigned conn_index = extra & 7;
        now += (int64_t)(extra >> 3) * 1000000000LL;
        uint32_t seq = (flags & FLAG_ABSOLUTE_SEQ) ? fuzz_u32(&in) : isn[dir] + fuzz_u16(&in);
        size_t want = fuzz_u8(&in);
        if (want == LEN_EXTENDED)
            want = fuzz_u16(&in);
        uint32_t cut = (flags & FLAG_CUT) ? fuzz_u8(&in) : 0;
        size_t got;
        const uint8_t *payload = fuzz_bytes(&in, want, &got);

        uint8_t client[4] = { 10, 0, 0, (uint8_t)(1 + conn_index) };
        uint8_t server[4] = { 10, 0, 1, 1 };
        uint16_t client_port = (uint16_t)(40000 + conn_index);
        memset(pkt.src, 0, 16);
        memset(pkt.dst, 0, 16);
        memcpy(pkt.src, dir ? server : client, 4);
        memcpy(pkt.dst, dir ? client : server, 4);
        pkt.sport = dir ? server_port(conn_index) : client_port;
        pkt.dport = dir ? client_port : server_port(conn_index);
        pkt.frame++;
        pkt.ts_ns = now;
        pkt.seq = seq;
        pkt.ack = isn[1 - dir] + 1;
        pkt.tcp_flags = flags & FLAG_BITS;
        pkt.window = 65535;
        pkt.payload = payload;
        pkt.payload_len = (uint32_t)got;
        pkt.payload_wire_len = (uint32_t)got + cut;
        pass_put_decoded(pass, &pkt);
    }
    struct pipeline_summary summary;
    pass_finish(pass, &summary);
    fuzz_consumer_finish(&consumer, &summary);
    return 0;
}
