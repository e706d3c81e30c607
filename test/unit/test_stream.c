/* Unit tests for dissect/stream.c: what a connection carries is decided by
 * content, then its bytes go to TLS, CONNECT or DNS. A real tcp_conn and a
 * recording sink; no reassembler. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tls_build.h"
#include "stream.h"

/* ---- recording sink ------------------------------------------------------------------ */

struct seen {
    enum event_type type;
    uint64_t frame;
    int sender;
    uint32_t length;
    char text[80];          /* SNI, CONNECT target or DNS question name */
    uint16_t status;        /* CONNECT response status */
    bool has_credentials;   /* CONNECT request with Proxy-Authorization */
    uint16_t dns_id;
    bool dns_over_tcp;
    bool cut;               /* a gap or DNS message a snapshot length cut */
    uint8_t dns_answers;    /* answers read whole */
};

static struct seen events[64];
static size_t n_events;

static void copy_text(char *dst, size_t cap, const void *src, size_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static void record_event(void *ctx, const struct event *ev)
{
    (void)ctx;
    assert_true(n_events < COUNT(events));
    struct seen *s = &events[n_events++];
    memset(s, 0, sizeof *s);
    s->type = ev->type;
    s->frame = ev->frame;
    s->sender = ev->sender;
    s->length = ev->length;
    switch (ev->type) {
    case EV_CLIENT_HELLO:
        copy_text(s->text, sizeof s->text, ev->u.client_hello->sni.data, ev->u.client_hello->sni.len);
        break;
    case EV_CONNECT_REQUEST:
        copy_text(s->text, sizeof s->text, ev->u.connect_request->target.data,
                  ev->u.connect_request->target.len);
        s->has_credentials = ev->u.connect_request->has_proxy_authorization;
        break;
    case EV_CONNECT_RESPONSE:
    case EV_HTTP_RESPONSE:
        s->status = ev->u.connect_response->status;
        break;
    case EV_HTTP_REQUEST:
        copy_text(s->text, sizeof s->text, ev->u.connect_request->host.data,
                  ev->u.connect_request->host.len);
        break;
    case EV_DNS:
        s->dns_id = ev->u.dns->msg->id;
        s->dns_over_tcp = ev->u.dns->over_tcp;
        s->cut = ev->u.dns->cut;
        s->dns_answers = ev->u.dns->msg->answers_kept;
        copy_text(s->text, sizeof s->text, ev->u.dns->msg->qname, strlen(ev->u.dns->msg->qname));
        break;
    case EV_STREAM_GAP:
        s->cut = ev->u.cut;
        break;
    default:
        break;
    }
}

/* ---- fixture --------------------------------------------------------------------------- */

enum { CLIENT = 0, SERVER = 1 };

static struct stream_dissector sd;
static struct tcp_conn conn;

static int setup(void **state)
{
    (void)state;
    struct stream_limits limits;
    stream_default_limits(&limits);
    struct event_sink sink = { NULL, record_event };
    stream_init(&sd, &sink, &limits);
    memset(&conn, 0, sizeof conn);
    conn.ep[CLIENT].addr[0] = 10, conn.ep[CLIENT].addr[3] = 1;
    conn.ep[SERVER].addr[0] = 10, conn.ep[SERVER].addr[3] = 2;
    conn.ep[CLIENT].port = 40000;
    conn.ep[SERVER].port = 443;
    conn.client = -1;
    conn.id = 1;
    n_events = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stream_release(&sd, &conn);
    assert_null(conn.app);
    return 0;
}

static void set_server_port(uint16_t port) { conn.ep[SERVER].port = port; }

/* One TCP segment from sender, at frame. */
static void segment(int sender, uint64_t frame, const void *data, size_t len)
{
    struct packet_view pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.frame = frame;
    pkt.ts_ns = (int64_t)frame * 1000;
    pkt.ip_version = 4;
    memcpy(pkt.src, conn.ep[sender].addr, 16);
    memcpy(pkt.dst, conn.ep[1 - sender].addr, 16);
    pkt.l4 = L4_TCP;
    pkt.sport = conn.ep[sender].port;
    pkt.dport = conn.ep[1 - sender].port;
    pkt.payload = data;
    pkt.payload_len = pkt.payload_wire_len = (uint32_t)len;
    stream_on_data(&sd, &conn, sender, data, len, &pkt, true);
}

static void text_segment(int sender, uint64_t frame, const char *text)
{
    segment(sender, frame, text, strlen(text));
}

static void buf_segment(int sender, uint64_t frame, const struct bytebuf *b)
{
    segment(sender, frame, b->data, b->len);
}

static void assert_event(size_t i, enum event_type type, uint64_t frame, int sender)
{
    assert_true(i < n_events);
    assert_int_equal(events[i].type, type);
    assert_int_equal(events[i].frame, frame);
    assert_int_equal(events[i].sender, sender);
}

static void assert_client_hello(size_t i, uint64_t frame)
{
    assert_event(i, EV_CLIENT_HELLO, frame, CLIENT);
    assert_string_equal(events[i].text, CH_SNI);
}

/* ---- TLS ------------------------------------------------------------------------------ */

static void test_client_hello_as_first_payload(void **state)
{
    (void)state;
    struct bytebuf hello = { .len = 0 };
    build_client_hello_record(&hello);
    buf_segment(CLIENT, 4, &hello);
    assert_int_equal(n_events, 1);
    assert_client_hello(0, 4);
    assert_string_equal(stream_kind_name(&conn), "tls");
    assert_non_null(stream_tls_session(&conn));
    assert_int_equal(sd.stats.tls_conns, 1);
    assert_int_equal(conn_client(&conn), CLIENT);
}

static void test_starttls_client_hello_at_later_segment_start(void **state)
{
    (void)state;
    set_server_port(25);
    text_segment(SERVER, 1, "220 mail.example.com ESMTP\r\n");
    text_segment(CLIENT, 2, "EHLO client.example.com\r\n");
    text_segment(SERVER, 3, "250-mail.example.com\r\n250 STARTTLS\r\n");
    text_segment(CLIENT, 4, "STARTTLS\r\n");
    text_segment(SERVER, 5, "220 2.0.0 Ready to start TLS\r\n");
    assert_int_equal(n_events, 0);
    assert_string_equal(stream_kind_name(&conn), "unknown");
    struct bytebuf hello = { .len = 0 };
    build_client_hello_record(&hello);
    buf_segment(CLIENT, 6, &hello);
    assert_int_equal(n_events, 1);
    assert_client_hello(0, 6);
    assert_string_equal(stream_kind_name(&conn), "tls");
}

static void test_later_segment_starts_tls_only_with_a_hello_record(void **state)
{
    (void)state;
    set_server_port(25);
    text_segment(CLIENT, 1, "EHLO client.example.com\r\n");
    struct bytebuf app = { .len = 0 };
    put_record(&app, CT_APPDATA, "0123456789abcdef", 16);
    buf_segment(CLIENT, 2, &app); /* a record, but not a hello: still not TLS */
    assert_string_equal(stream_kind_name(&conn), "unknown");
    struct bytebuf hello = { .len = 0 };
    build_client_hello_record(&hello);
    buf_segment(CLIENT, 3, &hello);
    assert_int_equal(n_events, 1);
    assert_client_hello(0, 3);
}

static void test_random_binary_data_gives_no_events(void **state)
{
    (void)state;
    uint8_t junk[1400];
    uint32_t x = 12345;
    for (int seg = 0; seg < 20; seg++) {
        for (size_t i = 0; i < sizeof junk; i++) {
            x = x * 1103515245u + 12345u;
            junk[i] = (uint8_t)(x >> 16);
        }
        junk[0] |= 0x40; /* neither a record type nor an SSLv2 header */
        segment(seg % 2, (uint64_t)seg + 1, junk, sizeof junk);
    }
    assert_int_equal(n_events, 0);
    assert_null(stream_tls_session(&conn));
}

static void test_proxy_v1_header_then_client_hello_in_one_segment(void **state)
{
    (void)state;
    struct bytebuf seg = { .len = 0 };
    bb_str(&seg, "PROXY TCP4 198.51.100.7 203.0.113.9 51234 443\r\n");
    build_client_hello_record(&seg);
    buf_segment(CLIENT, 2, &seg);
    assert_int_equal(n_events, 1);
    assert_client_hello(0, 2);
}

static void test_proxy_v2_header_then_client_hello_in_one_segment(void **state)
{
    (void)state;
    static const uint8_t signature[12] = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                           0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };
    struct bytebuf seg = { .len = 0 };
    bb_bytes(&seg, signature, sizeof signature);
    bb_u8(&seg, 0x21); /* version 2, PROXY */
    bb_u8(&seg, 0x11); /* TCP over IPv4 */
    bb_be16(&seg, 12);
    bb_be32(&seg, 0xC6336407);
    bb_be32(&seg, 0xCB007109);
    bb_be16(&seg, 51234);
    bb_be16(&seg, 443);
    build_client_hello_record(&seg);
    buf_segment(CLIENT, 2, &seg);
    assert_int_equal(n_events, 1);
    assert_client_hello(0, 2);
}

static void test_gap_reported_and_passed_to_tls(void **state)
{
    (void)state;
    struct bytebuf hello = { .len = 0 };
    build_client_hello_record(&hello);
    segment(CLIENT, 1, hello.data, 40);
    struct packet_view pkt = { .frame = 2 };
    stream_on_gap(&sd, &conn, CLIENT, 30, &pkt, false);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_STREAM_GAP, 2, CLIENT);
    assert_int_equal(events[0].length, 30);
    assert_false(events[0].cut);
    assert_false(stream_tls_session(&conn)->dir[CLIENT].in_sync);
}

/* Bytes a snapshot length cut are a gap marked cut: the record layer
 * resynchronises all the same. */
static void test_cut_gap_marked_cut(void **state)
{
    (void)state;
    struct bytebuf hello = { .len = 0 };
    build_client_hello_record(&hello);
    segment(CLIENT, 1, hello.data, 40);
    struct packet_view pkt = { .frame = 1 };
    stream_on_gap(&sd, &conn, CLIENT, hello.len - 40, &pkt, true);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_STREAM_GAP, 1, CLIENT);
    assert_int_equal(events[0].length, hello.len - 40);
    assert_true(events[0].cut);
    assert_false(stream_tls_session(&conn)->dir[CLIENT].in_sync);
}

/* ---- HTTP CONNECT ------------------------------------------------------------------------ */

#define CONNECT_REQUEST "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
#define CONNECT_WITH_CREDENTIALS                                                                  \
    "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"                               \
    "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n"
#define CONNECT_OK "HTTP/1.1 200 Connection established\r\n\r\n"
#define CONNECT_407                                                                               \
    "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"proxy\"\r\n" \
    "Content-Length: 10\r\n\r\n0123456789"

static void test_connect_200_then_client_hello(void **state)
{
    (void)state;
    set_server_port(3128);
    text_segment(CLIENT, 1, CONNECT_REQUEST);
    text_segment(SERVER, 2, CONNECT_OK);
    struct bytebuf hello = { .len = 0 };
    build_client_hello_record(&hello);
    buf_segment(CLIENT, 3, &hello);
    assert_int_equal(n_events, 3);
    assert_event(0, EV_CONNECT_REQUEST, 1, CLIENT);
    assert_string_equal(events[0].text, "example.com:443");
    assert_int_equal(events[0].length, strlen(CONNECT_REQUEST));
    assert_event(1, EV_CONNECT_RESPONSE, 2, SERVER);
    assert_int_equal(events[1].status, 200);
    assert_client_hello(2, 3);
    assert_string_equal(stream_kind_name(&conn), "connect+tls");
    assert_int_equal(sd.stats.connect_tunnels, 1);
    assert_non_null(stream_tls_session(&conn));
}

/* ---- plain HTTP ------------------------------------------------------------------------ */

static void test_http_request_and_response_heads_only(void **state)
{
    (void)state;
    set_server_port(80);
    text_segment(CLIENT, 1, "GET /crl/x.crl HTTP/1.1\r\nHost: validation.identrust.com\r\n\r\n");
    text_segment(SERVER, 2, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 100000\r\n\r\npartial");
    text_segment(SERVER, 3, "more body bytes that are never collected");
    assert_int_equal(n_events, 2);
    assert_event(0, EV_HTTP_REQUEST, 1, CLIENT);
    assert_string_equal(events[0].text, "validation.identrust.com");
    assert_event(1, EV_HTTP_RESPONSE, 2, SERVER);
    assert_int_equal(events[1].status, 503);
    assert_string_equal(stream_kind_name(&conn), "other");
}

static void test_http_request_split_over_segments(void **state)
{
    (void)state;
    set_server_port(80);
    text_segment(CLIENT, 1, "GET / HTTP/1.1\r\nHo");
    text_segment(CLIENT, 2, "st: a.example\r\n\r\n");
    assert_int_equal(n_events, 1);
    assert_event(0, EV_HTTP_REQUEST, 2, CLIENT);
    assert_string_equal(events[0].text, "a.example");
}

static void test_connect_407_then_retry_with_credentials_then_200(void **state)
{
    (void)state;
    set_server_port(3128);
    text_segment(CLIENT, 1, CONNECT_REQUEST);
    text_segment(SERVER, 2, CONNECT_407);
    text_segment(CLIENT, 3, CONNECT_WITH_CREDENTIALS);
    text_segment(SERVER, 4, CONNECT_OK);
    struct bytebuf hello = { .len = 0 };
    build_client_hello_record(&hello);
    buf_segment(CLIENT, 5, &hello);
    assert_int_equal(n_events, 5);
    assert_event(0, EV_CONNECT_REQUEST, 1, CLIENT);
    assert_false(events[0].has_credentials);
    assert_event(1, EV_CONNECT_RESPONSE, 2, SERVER);
    assert_int_equal(events[1].status, 407);
    assert_event(2, EV_CONNECT_REQUEST, 3, CLIENT);
    assert_true(events[2].has_credentials);
    assert_event(3, EV_CONNECT_RESPONSE, 4, SERVER);
    assert_int_equal(events[3].status, 200);
    assert_client_hello(4, 5);
}

static void test_connect_response_split_over_segments(void **state)
{
    (void)state;
    set_server_port(3128);
    text_segment(CLIENT, 1, CONNECT_REQUEST);
    text_segment(SERVER, 2, "HTTP/1.1 200 Connection");
    assert_int_equal(n_events, 1);
    text_segment(SERVER, 3, " established\r\n\r\n");
    assert_int_equal(n_events, 2);
    assert_event(1, EV_CONNECT_RESPONSE, 3, SERVER);
    assert_int_equal(events[1].status, 200);
}

static void test_connect_interim_100_and_200_in_one_segment(void **state)
{
    (void)state;
    set_server_port(3128);
    text_segment(CLIENT, 1, CONNECT_REQUEST);
    text_segment(SERVER, 2, "HTTP/1.1 100 Continue\r\n\r\n" CONNECT_OK);
    assert_int_equal(n_events, 3);
    assert_event(1, EV_CONNECT_RESPONSE, 2, SERVER);
    assert_int_equal(events[1].status, 100);
    assert_event(2, EV_CONNECT_RESPONSE, 2, SERVER);
    assert_int_equal(events[2].status, 200);
    assert_string_equal(stream_kind_name(&conn), "connect+tls");
}

/* ---- DNS over TCP ------------------------------------------------------------------------ */

static void put_dns_query(struct bytebuf *b, uint16_t id, const char *label1, const char *label2)
{
    size_t len = bb_open(b, 2); /* the TCP length prefix */
    bb_be16(b, id);
    bb_be16(b, 0x0100);
    bb_be16(b, 1);
    bb_fill(b, 0, 6);
    bb_u8(b, (uint8_t)strlen(label1));
    bb_str(b, label1);
    bb_u8(b, (uint8_t)strlen(label2));
    bb_str(b, label2);
    bb_u8(b, 0);
    bb_be16(b, 1);  /* A */
    bb_be16(b, 1);  /* IN */
    bb_close(b, len, 2);
}

static void test_dns_over_tcp_two_messages_in_one_segment(void **state)
{
    (void)state;
    set_server_port(53);
    struct bytebuf seg = { .len = 0 };
    put_dns_query(&seg, 0x1111, "example", "com");
    put_dns_query(&seg, 0x2222, "example", "org");
    buf_segment(CLIENT, 8, &seg);
    assert_int_equal(n_events, 2);
    assert_event(0, EV_DNS, 8, CLIENT);
    assert_int_equal(events[0].dns_id, 0x1111);
    assert_true(events[0].dns_over_tcp);
    assert_string_equal(events[0].text, "example.com");
    assert_event(1, EV_DNS, 8, CLIENT);
    assert_int_equal(events[1].dns_id, 0x2222);
    assert_string_equal(events[1].text, "example.org");
    assert_string_equal(stream_kind_name(&conn), "dns");
    assert_int_equal(sd.stats.dns_messages, 2);
}

static void test_dns_over_tcp_message_split_over_segments(void **state)
{
    (void)state;
    set_server_port(53);
    struct bytebuf msg = { .len = 0 };
    put_dns_query(&msg, 0x3333, "example", "net");
    segment(CLIENT, 1, msg.data, 1); /* half of the length prefix */
    segment(CLIENT, 2, msg.data + 1, 10);
    assert_int_equal(n_events, 0);
    segment(CLIENT, 3, msg.data + 11, msg.len - 11);
    assert_int_equal(n_events, 1);
    assert_event(0, EV_DNS, 3, CLIENT);
    assert_int_equal(events[0].dns_id, 0x3333);
}

/* ---- DNS over UDP cut by a snapshot length ------------------------------------------------------ */

/* A response to "example.com A" with one A answer, 203.0.113.7. */
static void put_dns_response(struct bytebuf *b)
{
    bb_be16(b, 0x4444);
    bb_be16(b, 0x8180);
    bb_be16(b, 1);
    bb_be16(b, 1);
    bb_fill(b, 0, 4);
    bb_u8(b, 7);
    bb_str(b, "example");
    bb_u8(b, 3);
    bb_str(b, "com");
    bb_u8(b, 0);
    bb_be16(b, 1);
    bb_be16(b, 1);
    bb_be16(b, 0xc00c);     /* the answer: a pointer to the question's name */
    bb_be16(b, 1);
    bb_be16(b, 1);
    bb_be32(b, 60);
    bb_be16(b, 4);
    bb_u8(b, 203), bb_u8(b, 0), bb_u8(b, 113), bb_u8(b, 7);
}

static void dns_datagram(uint64_t frame, const struct bytebuf *msg, uint32_t present)
{
    struct packet_view pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.frame = frame;
    pkt.ip_version = 4;
    pkt.l4 = L4_UDP;
    pkt.sport = 53;
    pkt.dport = 40000;
    pkt.payload = msg->data;
    pkt.payload_len = present;
    pkt.payload_wire_len = (uint32_t)msg->len;
    stream_on_datagram(&sd, &pkt);
}

static void test_dns_datagram_cut_after_question_is_passed_on_marked_cut(void **state)
{
    (void)state;
    struct bytebuf msg = { .len = 0 };
    put_dns_response(&msg);
    dns_datagram(5, &msg, (uint32_t)msg.len);     /* whole */
    dns_datagram(6, &msg, (uint32_t)msg.len - 6); /* the answer's rdata cut */
    dns_datagram(7, &msg, 20);                    /* inside the question: nothing to say */
    assert_int_equal(n_events, 2);
    assert_event(0, EV_DNS, 5, 0);
    assert_false(events[0].cut);
    assert_int_equal(events[0].dns_answers, 1);
    assert_event(1, EV_DNS, 6, 0);
    assert_true(events[1].cut);
    assert_string_equal(events[1].text, "example.com");
    assert_int_equal(events[1].dns_answers, 0);
    assert_int_equal(sd.stats.dns_messages, 2);
    assert_int_equal(sd.stats.dns_malformed, 0);
}

/* ---- release ------------------------------------------------------------------------------ */

static void test_stream_release_frees_partial_state(void **state)
{
    (void)state;
    set_server_port(3128);
    text_segment(CLIENT, 1, CONNECT_REQUEST);
    text_segment(SERVER, 2, "HTTP/1.1 200 Conn"); /* a response head being collected */
    struct bytebuf hello = { .len = 0 };
    build_client_hello_record(&hello);
    segment(CLIENT, 3, hello.data, hello.len / 2); /* a handshake message being collected */
    assert_non_null(conn.app);
    stream_release(&sd, &conn);
    assert_null(conn.app);
    assert_string_equal(stream_kind_name(&conn), "none");
    stream_release(&sd, &conn); /* harmless twice */
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_client_hello_as_first_payload),
        T(test_starttls_client_hello_at_later_segment_start),
        T(test_later_segment_starts_tls_only_with_a_hello_record),
        T(test_random_binary_data_gives_no_events),
        T(test_proxy_v1_header_then_client_hello_in_one_segment),
        T(test_proxy_v2_header_then_client_hello_in_one_segment),
        T(test_gap_reported_and_passed_to_tls),
        T(test_cut_gap_marked_cut),
        T(test_dns_datagram_cut_after_question_is_passed_on_marked_cut),
        T(test_connect_200_then_client_hello),
        T(test_http_request_and_response_heads_only),
        T(test_http_request_split_over_segments),
        T(test_connect_407_then_retry_with_credentials_then_200),
        T(test_connect_response_split_over_segments),
        T(test_connect_interim_100_and_200_in_one_segment),
        T(test_dns_over_tcp_two_messages_in_one_segment),
        T(test_dns_over_tcp_message_split_over_segments),
        T(test_stream_release_frees_partial_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
