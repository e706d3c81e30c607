/* The TLS record layer and handshake reassembly (dissect/tls.c, tls_hello.c)
 * fed a byte stream in the chunks the input chooses, in both directions,
 * with gaps, as the reassembler would feed it. Events go to the events
 * writer and the facts builder (fingerprints, certificates via libcrypto).
 *
 * Input: byte 0 picks the handshake cap (bit 0: 1 KB instead of the
 * default), whether the session starts as TLS 1.3 (bit 1) and whether the
 * facts builder runs too (bit 2). Then a
 * sequence of commands, each one control byte c:
 *   c & 1        direction (conn->ep index of the sender)
 *   c & 2        a gap: the next 2 bytes + 1 are missing bytes
 *   otherwise    a chunk: c & 4 = it starts a TCP segment; length c >> 3,
 *                or the next 2 bytes when c >> 3 == 31; then the bytes. */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { CHUNK_LEN_EXTENDED = 31 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = { data, size, 0 };
    uint8_t setup = fuzz_u8(&in);

    struct tls_limits limits = { .max_handshake_message = (setup & 1) ? 1024 : 256 * 1024 };
    struct tls_session session;
    memset(&session, 0, sizeof session);
    if (setup & 2)
        session.version = 0x0304;
    struct tcp_conn conn;
    memset(&conn, 0, sizeof conn);
    conn.ip_version = 4;
    conn.ep[0].addr[0] = 192, conn.ep[0].addr[3] = 1, conn.ep[0].port = 50000;
    conn.ep[1].addr[0] = 192, conn.ep[1].addr[3] = 2, conn.ep[1].port = 443;
    conn.client = -1;
    conn.id = 1;
    conn.first_frame = 1;

    struct fuzz_consumer consumer;
    fuzz_consumer_init(&consumer, (setup & 4) != 0);
    struct packet_view pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.ip_version = 4;
    pkt.l4 = L4_TCP;

    while (fuzz_remaining(&in) > 0) {
        uint8_t c = fuzz_u8(&in);
        int sender = c & 1;
        pkt.frame++;
        pkt.ts_ns += 1000;
        conn.last_frame = pkt.frame;
        conn.last_ts = pkt.ts_ns;
        struct tls_feed_ctx x = { &consumer.sink, &limits, &session, &conn, sender, &pkt, NULL };
        if (c & 2) {
            tls_gap(&x, (uint64_t)fuzz_u16(&in) + 1);
            continue;
        }
        size_t want = c >> 3;
        if (want == CHUNK_LEN_EXTENDED)
            want = fuzz_u16(&in);
        size_t got;
        const uint8_t *chunk = fuzz_bytes(&in, want, &got);
        pkt.payload = chunk;
        pkt.payload_len = pkt.payload_wire_len = (uint32_t)got;
        tls_feed(&x, chunk, got, (c & 4) != 0);
    }
    struct event end = { .type = EV_CONN_END, .frame = pkt.frame, .ts_ns = pkt.ts_ns, .conn = &conn };
    consumer.sink.emit(consumer.sink.ctx, &end);
    tls_session_free(&session);
    struct pipeline_summary summary;
    memset(&summary, 0, sizeof summary);
    fuzz_consumer_finish(&consumer, &summary);
    return 0;
}
