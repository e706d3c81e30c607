/* Unit tests for analyzer/facts/facts.c: events in, per-connection facts out.
 * Events are built here the way the dissectors emit them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls_build.h"
#include "facts.h"
#include "hello_facts.h"

enum { CLIENT = 0, SERVER = 1 };

static const char *const target_hosts[] = { "example.com" };
static const char *const revocation_hosts[] = { "ocsp.example.net" };
static const uint16_t proxy_ports[] = { 3128 };

static struct facts_builder *fb;
static struct tcp_conn conn;
static struct pipeline_summary summary;

static int setup(void **state)
{
    (void)state;
    struct facts_options opt = { .hosts = target_hosts, .host_count = 1, .profile_hosts = target_hosts,
                                 .profile_host_count = 1, .revocation_hosts = revocation_hosts,
                                 .revocation_host_count = 1, .proxy_ports = proxy_ports, .proxy_port_count = 1 };
    fb = facts_new(&opt);
    assert_non_null(fb);
    memset(&summary, 0, sizeof summary);
    snprintf(summary.format, sizeof summary.format, "pcap");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    facts_free(fb);
    return 0;
}

static void open_conn(uint64_t id, uint8_t server_last_octet, uint16_t server_port)
{
    memset(&conn, 0, sizeof conn);
    conn.ip_version = 4;
    conn.id = id;
    conn.ep[CLIENT].addr[0] = 192, conn.ep[CLIENT].addr[1] = 0, conn.ep[CLIENT].addr[2] = 2, conn.ep[CLIENT].addr[3] = 10;
    conn.ep[SERVER].addr[0] = 203, conn.ep[SERVER].addr[1] = 0, conn.ep[SERVER].addr[2] = 113;
    conn.ep[SERVER].addr[3] = server_last_octet;
    conn.ep[CLIENT].port = 50000;
    conn.ep[SERVER].port = server_port;
    conn.client = CLIENT;
    conn.role_source = ROLE_FROM_SYN;
    conn.first_frame = 1;
}

static void send_event(struct event ev, uint64_t frame, int sender)
{
    ev.frame = frame;
    ev.ts_ns = (int64_t)frame * 1000000; /* one frame per millisecond */
    ev.conn = &conn;
    ev.sender = sender;
    if (frame > conn.last_frame) {
        conn.last_frame = frame;
        conn.last_ts = ev.ts_ns;
    }
    facts_on_event(fb, &ev);
}

/* As the reassembler does: a SYN or SYN-ACK is counted and seen in its
 * sender's half before its event. */
static void tcp(enum tcp_event_kind kind, uint64_t frame, int sender)
{
    if (kind == TCP_EV_SYN || kind == TCP_EV_SYNACK) {
        conn.half[sender].syn_count++;
        conn.half[sender].syn_seen = true;
    }
    send_event((struct event){ .type = EV_TCP, .u.tcp_kind = kind }, frame, sender);
}

static void end_conn(void) { send_event((struct event){ .type = EV_CONN_END }, conn.last_frame, CLIENT); }

static void client_hello(uint64_t frame)
{
    struct bytebuf body = { .len = 0 };
    build_client_hello(&body);
    struct tls_client_hello ch;
    tls_parse_client_hello(body.data, body.len, &ch);
    send_event((struct event){ .type = EV_CLIENT_HELLO, .u.client_hello = &ch }, frame, CLIENT);
}

static void alert(uint64_t frame, int sender, uint8_t level, uint8_t description)
{
    struct tls_alert a = { .level = level, .description = description, .record_len = 2 };
    send_event((struct event){ .type = EV_ALERT, .u.alert = &a }, frame, sender);
}

static void dns_exchange(uint64_t query_frame, const char *name, uint8_t rcode, uint8_t last_octet,
                         int64_t query_ts_ns, int64_t response_ts_ns)
{
    static struct dns_message m;
    memset(&m, 0, sizeof m);
    m.id = 7;
    m.qtype = DNS_TYPE_A;
    snprintf(m.qname, sizeof m.qname, "%s", name);
    uint8_t zero[16] = { 0 };
    struct dns_event dns = { &m, false, 4, zero, zero, 50001, 53, false };
    struct event q = { .type = EV_DNS, .frame = query_frame, .ts_ns = query_ts_ns, .u.dns = &dns };
    facts_on_event(fb, &q);
    m.is_response = true;
    m.rcode = rcode;
    if (rcode == 0) {
        m.answers_kept = 1;
        m.answers[0].type = DNS_TYPE_A;
        uint8_t addr[4] = { 203, 0, 113, last_octet };
        memcpy(m.answers[0].addr, addr, 4);
    }
    struct event r = { .type = EV_DNS, .frame = query_frame + 1, .ts_ns = response_ts_ns, .u.dns = &dns };
    facts_on_event(fb, &r);
}

/* The answer 1.5 ms after the query, on the one-frame-per-millisecond clock. */
static void dns_answer(uint64_t query_frame, const char *name, uint8_t rcode, uint8_t last_octet)
{
    dns_exchange(query_frame, name, rcode, last_octet, (int64_t)query_frame * 1000000,
                 (int64_t)(query_frame + 1) * 1000000 + 500000);
}

static const cJSON *get(const cJSON *o, const char *path)
{
    char key[64];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, path);
        o = cJSON_IsArray(o) ? cJSON_GetArrayItem(o, atoi(key)) : cJSON_GetObjectItem(o, key);
        path += n + (path[n] == '.');
    }
    return o;
}

static double num(const cJSON *o, const char *path) { return cJSON_GetNumberValue(get(o, path)); }
static const char *str(const cJSON *o, const char *path) { return cJSON_GetStringValue(get(o, path)); }

/* ---- whose stack sent a packet; what a server that is not TLS answers ----------------------- */

static void test_ip_ttl_of_synack_rst_and_alert(void **state)
{
    (void)state;
    open_conn(1, 10, 443);
    tcp(TCP_EV_SYN, 1, CLIENT);
    conn.half[SERVER].syn_count++, conn.half[SERVER].syn_seen = true;
    send_event((struct event){ .type = EV_TCP, .u.tcp_kind = TCP_EV_SYNACK, .ip_ttl = 55 }, 2, SERVER);
    client_hello(4);
    struct tls_alert a = { .level = 2, .description = 40, .record_len = 2 };
    send_event((struct event){ .type = EV_ALERT, .u.alert = &a, .ip_ttl = 64, .has_ip_id = true, .ip_id = 99 }, 5,
               SERVER);
    send_event((struct event){ .type = EV_TCP, .u.tcp_kind = TCP_EV_RST, .ip_ttl = 128, .has_ip_id = true,
                               .ip_id = 7 }, 6, SERVER);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *c = get(capture, "connections.0");
    assert_int_equal(num(c, "tcp.server_ip_ttl"), 55);
    assert_int_equal(num(c, "tcp.server_ip_hops"), 9);
    assert_int_equal(num(c, "tcp.rst.ip_ttl"), 128);
    assert_int_equal(num(c, "tcp.rst.ip_hops"), 0);
    assert_int_equal(num(c, "tcp.rst.ip_id"), 7);
    assert_int_equal(num(c, "tls.first_alert.ip_ttl"), 64);
    assert_int_equal(num(c, "tls.first_alert.ip_id"), 99);
    assert_int_equal(num(c, "timings.client_hello_to_end_ms"), 2);
    cJSON_Delete(capture);
}

/* Without an IP header (TTL 0 never crosses a link) nothing is claimed. */
static void test_no_ip_ttl_no_ttl_facts(void **state)
{
    (void)state;
    open_conn(1, 10, 443);
    tcp(TCP_EV_SYN, 1, CLIENT);
    tcp(TCP_EV_SYNACK, 2, SERVER);
    client_hello(4);
    tcp(TCP_EV_RST, 5, SERVER);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *c = get(capture, "connections.0");
    assert_null(get(c, "tcp.server_ip_ttl"));
    assert_null(get(c, "tcp.rst.ip_ttl"));
    assert_null(get(c, "tcp.rst.ip_id"));
    cJSON_Delete(capture);
}

static void not_tls(uint64_t frame, int sender, uint8_t kind, const void *bytes, size_t len)
{
    struct not_tls_reply r = { kind, bytes, len };
    send_event((struct event){ .type = EV_NOT_TLS, .length = (uint32_t)len, .u.not_tls = &r }, frame, sender);
}

static void test_server_not_tls_prefix_escaped_and_bounded(void **state)
{
    (void)state;
    open_conn(1, 10, 443);
    tcp(TCP_EV_SYN, 1, CLIENT);
    tcp(TCP_EV_SYNACK, 2, SERVER);
    client_hello(4);
    uint8_t reply[300];
    memcpy(reply, "SSH-2.0-x\r\n\t\\\x01\xff", 15);
    memset(reply + 15, 'z', sizeof reply - 15);
    not_tls(5, CLIENT, NOT_TLS_OTHER, "GET /", 5);   /* the client's: not the server's answer */
    not_tls(6, SERVER, NOT_TLS_SSH, reply, sizeof reply);
    not_tls(7, SERVER, NOT_TLS_HTTP, "HTTP/1.1 200 OK", 15);  /* only the first */
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *c = get(capture, "connections.0");
    assert_int_equal(num(c, "tls.server_not_tls.frame"), 6);
    assert_string_equal(str(c, "tls.server_not_tls.kind"), "ssh");
    assert_int_equal(num(c, "tls.server_not_tls.segment_bytes"), 300);
    /* 40 bytes: the 15 written, 25 of the z's. */
    assert_string_equal(str(c, "tls.server_not_tls.prefix"),
                        "SSH-2.0-x\\r\\n\\t\\\\\\x01\\xffzzzzzzzzzzzzzzzzzzzzzzzzz");
    cJSON_Delete(capture);
}

/* A connection begun before the capture: its first bytes seen may be the
 * middle of a record, not what the server answered first. */
static void test_server_not_tls_needs_the_stream_start(void **state)
{
    (void)state;
    open_conn(1, 10, 443);
    client_hello(4);
    not_tls(5, SERVER, NOT_TLS_OTHER, "\x17\x99", 2);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    assert_null(get(capture, "connections.0.tls.server_not_tls"));
    cJSON_Delete(capture);
}

static void dns_query_only(uint64_t frame, uint16_t id, uint16_t qtype)
{
    static struct dns_message m;
    memset(&m, 0, sizeof m);
    m.id = id;
    m.qtype = qtype;
    snprintf(m.qname, sizeof m.qname, "example.com");
    uint8_t client[16] = { 192, 0, 2, 10 }, server[16] = { 203, 0, 113, 53 };
    struct dns_event dns = { &m, false, 4, client, server, 50001, 53, false };
    struct event q = { .type = EV_DNS, .frame = frame, .ts_ns = (int64_t)frame * 1000000, .u.dns = &dns };
    facts_on_event(fb, &q);
}

static void test_dns_target_failure_no_answer(void **state)
{
    (void)state;
    dns_query_only(3, 1, DNS_TYPE_A);
    dns_query_only(4, 2, DNS_TYPE_AAAA);
    summary.last_ts = 2004 * 1000000LL;
    cJSON *capture = facts_finish(fb, &summary);
    assert_string_equal(str(capture, "dns.target_failure.how"), "no_answer");
    assert_string_equal(str(capture, "dns.target_failure.server"), "203.0.113.53");
    assert_int_equal(num(capture, "dns.target_failure.query_frame"), 3);
    assert_int_equal(num(capture, "dns.target_failure.queries"), 2);
    assert_int_equal(num(capture, "dns.target_failure.unanswered"), 2);
    assert_int_equal(num(capture, "dns.target_failure.waited_ms"), 2001);
    assert_null(get(capture, "dns.target_failure.rcode_name"));
    cJSON_Delete(capture);
}

/* An error response tells more than a query nobody answered. */
static void test_dns_target_failure_prefers_an_error_response(void **state)
{
    (void)state;
    dns_query_only(2, 9, DNS_TYPE_AAAA);
    dns_answer(3, "example.com", 2, 0);
    cJSON *capture = facts_finish(fb, &summary);
    assert_string_equal(str(capture, "dns.target_failure.how"), "servfail");
    assert_string_equal(str(capture, "dns.target_failure.rcode_name"), "SERVFAIL");
    assert_int_equal(num(capture, "dns.target_failure.response_frame"), 4);
    assert_int_equal(num(capture, "dns.target_failure.unanswered"), 1);
    cJSON_Delete(capture);
}

static void test_dns_target_failure_absent_once_resolved(void **state)
{
    (void)state;
    dns_answer(1, "example.com", 3, 0);
    dns_answer(5, "example.com", 0, 10);
    cJSON *capture = facts_finish(fb, &summary);
    assert_false(cJSON_IsTrue(get(capture, "dns.target_failed")));
    assert_null(get(capture, "dns.target_failure"));
    cJSON_Delete(capture);
}

static void test_no_shared_cipher_facts(void **state)
{
    (void)state;
    open_conn(1, 10, 443);
    tcp(TCP_EV_SYN, 1, CLIENT);
    tcp(TCP_EV_SYNACK, 2, SERVER);
    client_hello(4);
    alert(5, SERVER, 2, 40);
    tcp(TCP_EV_FIN, 6, SERVER);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *c = get(capture, "connections.0");
    assert_non_null(c);
    assert_string_equal(str(c, "server_name"), "example.com");
    assert_string_equal(str(c, "name_source"), "sni");
    assert_string_equal(str(c, "matched_by"), "profile");
    assert_string_equal(str(c, "verdict"), "failed");
    assert_string_equal(str(c, "failed_stage"), "tls_handshake");
    assert_int_equal(num(c, "tls.client_hello.frame"), 4);
    assert_int_equal(cJSON_GetArraySize(get(c, "tls.client_hello.cipher_suites")), COUNT(ch_suites));
    assert_string_equal(str(c, "tls.client_hello.max_version_name"), "TLS 1.3");
    assert_string_equal(str(c, "tls.first_alert.sender"), "server");
    assert_int_equal(num(c, "tls.first_alert.description"), 40);
    assert_string_equal(str(c, "tls.first_alert.description_name"), "handshake_failure");
    assert_string_equal(str(c, "tls.first_alert.after"), "client_hello");
    assert_true(num(c, "tls.first_alert.ms_after") == 1.0);
    assert_int_equal(num(c, "timings.connect_rtt_ms"), 1);
    assert_string_equal(str(c, "tcp.closed_by"), "server");
    assert_int_equal(num(capture, "target_connections"), 1);
    cJSON_Delete(capture);
}

static void test_dns_answer_names_a_connection_without_sni(void **state)
{
    (void)state;
    dns_answer(1, "example.com", 0, 10);
    open_conn(1, 10, 443);
    tcp(TCP_EV_SYN, 3, CLIENT);
    tcp(TCP_EV_RST, 4, SERVER);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *c = get(capture, "connections.0");
    assert_string_equal(str(c, "name_source"), "dns");
    assert_string_equal(str(c, "failed_stage"), "tcp_connect");
    assert_string_equal(str(c, "tcp.rst.from"), "server");
    assert_true(cJSON_IsTrue(get(capture, "dns.target_resolved")));
    assert_true(num(capture, "dns.lookups.0.rtt_ms") == 1.5);
    assert_string_equal(str(capture, "dns.lookups.0.answers.0"), "203.0.113.10");
    assert_string_equal(str(capture, "failed_connects.0.result"), "refused");
    cJSON_Delete(capture);
}

/* At today's epoch times (1.5e18 ns) a double holds nanoseconds only to
 * 256 ns: the round trip must be computed on the integers, as tshark's
 * dns.time is (anyconnect-vpn.pcap: 0.037329 s, once reported as 37.328). */
static void test_dns_rtt_exact_at_epoch_times(void **state)
{
    (void)state;
    int64_t query_ts = 1569687245251202000LL;
    dns_exchange(1, "example.com", 0, 10, query_ts, query_ts + 37329000);
    cJSON *capture = facts_finish(fb, &summary);
    assert_true(num(capture, "dns.lookups.0.rtt_ms") == 37.329);
    cJSON_Delete(capture);
}

static void test_nxdomain_leaves_no_connection(void **state)
{
    (void)state;
    dns_answer(1, "example.com", 3, 0);
    cJSON *capture = facts_finish(fb, &summary);
    assert_int_equal(num(capture, "target_connections"), 0);
    assert_true(cJSON_IsTrue(get(capture, "dns.target_failed")));
    assert_string_equal(str(capture, "dns.lookups.0.rcode_name"), "NXDOMAIN");
    cJSON_Delete(capture);
}

static void test_syn_to_proxy_port_refused(void **state)
{
    (void)state;
    open_conn(1, 3, 3128);
    tcp(TCP_EV_SYN, 1, CLIENT);
    tcp(TCP_EV_RST, 2, SERVER);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    assert_int_equal(num(capture, "target_connections"), 0);
    assert_int_equal(cJSON_GetArraySize(get(capture, "proxy_connect_failures")), 1);
    assert_int_equal(num(capture, "proxy_connect_failures.0.syn_frame"), 1);
    assert_int_equal(num(capture, "proxy_connect_failures.0.rst_frame"), 2);
    cJSON_Delete(capture);
}

static void test_connect_407_then_closed(void **state)
{
    (void)state;
    open_conn(1, 3, 3128);
    tcp(TCP_EV_SYN, 1, CLIENT);
    tcp(TCP_EV_SYNACK, 2, SERVER);
    const char *req_text = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n";
    struct http_request req;
    assert_int_equal(http_parse_request((const uint8_t *)req_text, strlen(req_text), &req), PARSE_OK);
    send_event((struct event){ .type = EV_CONNECT_REQUEST, .u.connect_request = &req }, 4, CLIENT);
    const char *resp_text = "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Negotiate\r\n"
                            "Proxy-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n";
    struct http_response resp;
    assert_int_equal(http_parse_connect_response((const uint8_t *)resp_text, strlen(resp_text), &resp), PARSE_OK);
    send_event((struct event){ .type = EV_CONNECT_RESPONSE, .u.connect_response = &resp }, 5, SERVER);
    tcp(TCP_EV_FIN, 6, SERVER);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *c = get(capture, "connections.0");
    assert_string_equal(str(c, "path"), "proxy");
    assert_string_equal(str(c, "name_source"), "connect");
    assert_string_equal(str(c, "failed_stage"), "proxy");
    assert_int_equal(num(c, "proxy.status"), 407);
    assert_string_equal(str(c, "proxy.auth_schemes.0"), "Negotiate");
    assert_string_equal(str(c, "proxy.auth_schemes.1"), "Basic");
    assert_false(cJSON_IsTrue(get(c, "proxy.authorization_sent")));
    cJSON_Delete(capture);
}

static void test_revocation_fetch_answered_with_http_error(void **state)
{
    (void)state;
    open_conn(1, 20, 80);
    tcp(TCP_EV_SYN, 1, CLIENT);
    tcp(TCP_EV_SYNACK, 2, SERVER);
    const char *req_text = "GET /ocsp HTTP/1.1\r\nHost: ocsp.example.net\r\n\r\n";
    struct http_request req;
    assert_int_equal(http_parse_request((const uint8_t *)req_text, strlen(req_text), &req), PARSE_OK);
    send_event((struct event){ .type = EV_HTTP_REQUEST, .u.connect_request = &req }, 3, CLIENT);
    const char *resp_text = "HTTP/1.1 503 Service Unavailable\r\n\r\n";
    struct http_response resp;
    assert_int_equal(http_parse_response_head((const uint8_t *)resp_text, strlen(resp_text), &resp), PARSE_OK);
    send_event((struct event){ .type = EV_HTTP_RESPONSE, .u.connect_response = &resp }, 4, SERVER);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    assert_int_equal(num(capture, "target_connections"), 0);
    assert_string_equal(str(capture, "revocation.unreachable.0.host"), "ocsp.example.net");
    assert_string_equal(str(capture, "revocation.unreachable.0.how"), "http");
    assert_string_equal(str(capture, "revocation.unreachable.0.detail"), "HTTP 503");
    assert_int_equal(num(capture, "revocation.unreachable.0.frame"), 4);
    cJSON_Delete(capture);
}

static void test_host_patterns(void **state)
{
    (void)state;
    const char *const patterns[] = { "*.amp.cisco.com", "api.example.org" };
    assert_true(facts_host_matches("tetra-defs.amp.cisco.com", patterns, 2));
    assert_true(facts_host_matches("API.EXAMPLE.ORG", patterns, 2));
    assert_false(facts_host_matches("amp.cisco.com.evil", patterns, 2));
    assert_false(facts_host_matches("", patterns, 2));
    assert_false(facts_host_matches(NULL, patterns, 2));
}

/* Connection id: its frames are id * 10 onwards; returns the first. */
static uint64_t conn_up_to_client_hello(uint64_t id)
{
    open_conn(id, 10, 443);
    uint64_t f = id * 10;
    conn.first_frame = f;
    tcp(TCP_EV_SYN, f, CLIENT);
    tcp(TCP_EV_SYNACK, f + 1, SERVER);
    client_hello(f + 2);
    return f;
}

static void successful_conn(uint64_t id)
{
    uint64_t f = conn_up_to_client_hello(id);
    send_event((struct event){ .type = EV_CHANGE_CIPHER_SPEC }, f + 3, CLIENT);
    send_event((struct event){ .type = EV_CHANGE_CIPHER_SPEC }, f + 4, SERVER);
    send_event((struct event){ .type = EV_APPLICATION_DATA, .length = 100 }, f + 5, CLIENT);
    send_event((struct event){ .type = EV_APPLICATION_DATA, .length = 5000 }, f + 6, SERVER);
    tcp(TCP_EV_FIN, f + 7, CLIENT);
    tcp(TCP_EV_FIN, f + 8, SERVER);
    end_conn();
}

static void failed_conn(uint64_t id)
{
    uint64_t f = conn_up_to_client_hello(id);
    alert(f + 3, SERVER, 2, 40);
    tcp(TCP_EV_FIN, f + 4, SERVER);
    end_conn();
}

static bool kept(const cJSON *capture, uint64_t id)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(capture, "connections"))
        if (num(c, "id") == (double)id)
            return true;
    return false;
}

/* More connections than are kept: the first and latest of each outcome
 * stay, so the one failure after 250 successes is not lost; counts are of
 * everything seen. */
static void test_late_failure_kept_among_many(void **state)
{
    (void)state;
    uint64_t id = 1;
    for (int i = 0; i < 10; i++)
        failed_conn(id++);
    for (int i = 0; i < 250; i++)
        successful_conn(id++);
    failed_conn(id);
    cJSON *capture = facts_finish(fb, &summary);
    assert_int_equal(num(capture, "target_connections"), 261);
    assert_int_equal(num(capture, "selected_connections"), 261);
    assert_int_equal(num(capture, "kept_connections"), 11 + 32 + 96);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(capture, "connections")), 11 + 32 + 96);
    assert_true(kept(capture, 261));       /* the late failure */
    assert_true(kept(capture, 1));         /* the first failure */
    assert_true(kept(capture, 11));        /* the first success */
    assert_true(kept(capture, 42));        /* ... and the 32nd */
    assert_false(kept(capture, 43));       /* between the first and the latest */
    assert_false(kept(capture, 164));
    assert_true(kept(capture, 165));       /* the latest 96 successes: 165..260 */
    assert_true(kept(capture, 260));
    /* Listed in the order they began. */
    const cJSON *conns = cJSON_GetObjectItem(capture, "connections");
    double previous = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, conns) {
        assert_true(num(c, "first_frame") >= previous);
        previous = num(c, "first_frame");
    }
    cJSON_Delete(capture);
}

/* Sends ev on c (not the shared conn): for several connections open at once. */
static void send_on(struct tcp_conn *c, struct event ev, uint64_t frame, int sender)
{
    ev.frame = frame;
    ev.ts_ns = (int64_t)frame * 1000000;
    ev.conn = c;
    ev.sender = sender;
    c->last_frame = frame;
    facts_on_event(fb, &ev);
}

static void hello_on(struct tcp_conn *c, uint64_t frame)
{
    struct bytebuf body = { .len = 0 };
    build_client_hello(&body);
    struct tls_client_hello ch;
    tls_parse_client_hello(body.data, body.len, &ch);
    send_on(c, (struct event){ .type = EV_CLIENT_HELLO, .u.client_hello = &ch }, frame, CLIENT);
}

/* A builder that keeps facts of at most max_open connections at once, and
 * n connections to use with it (ids 1..n, frames from 10 * i + 1). */
static void budgeted_builder(uint32_t max_open, struct tcp_conn *c, int n)
{
    facts_free(fb);
    struct facts_options opt = { .hosts = target_hosts, .host_count = 1, .max_open_tls_facts = max_open };
    fb = facts_new(&opt);
    memset(c, 0, (size_t)n * sizeof *c);
    for (int i = 0; i < n; i++) {
        c[i].ip_version = 4, c[i].id = (uint64_t)i + 1, c[i].client = CLIENT, c[i].role_source = ROLE_FROM_SYN;
        c[i].ep[CLIENT].port = (uint16_t)(50000 + i), c[i].ep[SERVER].port = 443;
        c[i].first_frame = (uint64_t)i * 10 + 1;
    }
}

/* At most max_open_tls_facts open connections hold facts; the others are
 * counted, not half-described; a closed one makes room. */
static void test_open_connections_with_facts_are_capped(void **state)
{
    (void)state;
    struct tcp_conn c[4];
    budgeted_builder(2, c, 4);
    hello_on(&c[0], 1);
    hello_on(&c[1], 11);
    hello_on(&c[2], 21);                       /* the third open one: no facts */
    send_on(&c[0], (struct event){ .type = EV_TCP, .u.tcp_kind = TCP_EV_RST }, 30, SERVER);
    hello_on(&c[3], 31);                       /* room again: c[0] is closed */
    for (int i = 0; i < 4; i++)
        send_on(&c[i], (struct event){ .type = EV_CONN_END }, 40 + (uint64_t)i, CLIENT);
    cJSON *capture = facts_finish(fb, &summary);
    assert_int_equal(num(capture, "reading_losses.connections_without_facts"), 1);
    assert_int_equal(num(capture, "target_connections"), 3);
    assert_true(kept(capture, 1) && kept(capture, 2) && kept(capture, 4));
    assert_false(kept(capture, 3));
    cJSON_Delete(capture);
}

static void hello_for_on(struct tcp_conn *c, uint64_t frame, const char *sni)
{
    struct bytebuf body = { .len = 0 };
    put_client_hello_prefix(&body);
    size_t exts = bb_open(&body, 2);
    put_sni_ext(&body, sni);
    bb_close(&body, exts, 2);
    struct tls_client_hello ch;
    tls_parse_client_hello(body.data, body.len, &ch);
    send_on(c, (struct event){ .type = EV_CLIENT_HELLO, .u.client_hello = &ch }, frame, CLIENT);
}

/* Other traffic filling its pool leaves the server's connections their own. */
static void test_other_connections_do_not_crowd_out_targets(void **state)
{
    (void)state;
    struct tcp_conn c[3];
    budgeted_builder(1, c, 3);
    hello_for_on(&c[0], 1, "other.example");
    hello_for_on(&c[1], 11, "another.example");   /* the other pool is full */
    hello_for_on(&c[2], 21, "example.com");       /* the server's pool is not */
    for (int i = 0; i < 3; i++)
        send_on(&c[i], (struct event){ .type = EV_CONN_END }, 30 + (uint64_t)i, CLIENT);
    cJSON *capture = facts_finish(fb, &summary);
    assert_int_equal(num(capture, "reading_losses.connections_without_facts"), 1);
    assert_int_equal(num(capture, "target_connections"), 1);
    assert_true(kept(capture, 3));
    cJSON_Delete(capture);
}

/* A hello's lists keep their first items and say how long they were. */
static void test_hello_lists_are_capped(void **state)
{
    (void)state;
    enum { SUITES = 600 };
    static const uint8_t sni_extension[] = { 0x00, 0x00, 0x00, 0x10, 0x00, 0x0e, 0x00, 0x00, 0x0b,
                                             'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'c', 'o', 'm' };
    uint8_t full[2 + 32 + 1 + 2 + 2 * SUITES + 2 + 2 + sizeof sni_extension];
    size_t n = 0;
    full[n++] = 3, full[n++] = 3;
    memset(full + n, 0, 32), n += 32;
    full[n++] = 0;                                      /* session id */
    full[n++] = (2 * SUITES) >> 8, full[n++] = (2 * SUITES) & 0xFF;
    for (int i = 0; i < SUITES; i++)
        full[n++] = (uint8_t)(0x01 + i / 256), full[n++] = (uint8_t)i;
    full[n++] = 1, full[n++] = 0;                       /* compression: null */
    full[n++] = 0, full[n++] = sizeof sni_extension;
    memcpy(full + n, sni_extension, sizeof sni_extension);
    n += sizeof sni_extension;
    struct tls_client_hello ch;
    assert_int_equal(tls_parse_client_hello(full, n, &ch), PARSE_OK);
    open_conn(1, 10, 443);
    tcp(TCP_EV_SYN, 1, CLIENT);
    tcp(TCP_EV_SYNACK, 2, SERVER);
    send_event((struct event){ .type = EV_CLIENT_HELLO, .u.client_hello = &ch }, 3, CLIENT);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *hello = get(capture, "connections.0.tls.client_hello");
    assert_int_equal(cJSON_GetArraySize(get(hello, "cipher_suites")), FACTS_MAX_SUITES);
    assert_int_equal(cJSON_GetArraySize(get(hello, "cipher_suite_names")), FACTS_MAX_SUITES);
    assert_int_equal(num(hello, "cipher_suites_total"), SUITES);
    assert_true(cJSON_IsTrue(get(hello, "lists_truncated")));
    assert_int_equal(num(hello, "cipher_suites.0"), 0x0100);
    assert_string_equal(str(hello, "sni"), "example.com");
    assert_null(get(hello, "extensions_total"));
    cJSON_Delete(capture);
}

/* ---- a capture cut by a snapshot length, a capture begun mid-connection ---- */

static void app_data(uint64_t frame, int sender, uint32_t len)
{
    send_event((struct event){ .type = EV_APPLICATION_DATA, .length = len }, frame, sender);
}

/* What the reassembler records of a segment the snapshot length cut, and
 * the gap it passes on marked cut. */
static void cut_segment(uint64_t frame, int sender, uint32_t missing)
{
    struct tcp_half *h = &conn.half[sender];
    h->cuts++;
    h->cut_bytes += missing;
    if (!h->first_cut_frame)
        h->first_cut_frame = frame;
    h->packets++;
    h->payload_packets++;
    send_event((struct event){ .type = EV_STREAM_GAP, .length = missing, .u.cut = true }, frame, sender);
}

static void cut_capture_summary(uint64_t first_cut_frame)
{
    summary.frames_cut = 3;
    summary.first_cut_frame = first_cut_frame;
    summary.cut_caplen = 96;
}

/* A handshake whose messages the cut took: the facts say the capture cannot
 * tell, with the snapshot length and the frame; the cut is no capture gap. */
static void test_cut_connection_is_unknown_not_failed(void **state)
{
    (void)state;
    dns_answer(1, "example.com", 0, 10);
    open_conn(1, 10, 443);
    tcp(TCP_EV_SYN, 3, CLIENT);
    tcp(TCP_EV_SYNACK, 4, SERVER);
    cut_segment(6, CLIENT, 200);          /* the Client Hello */
    cut_segment(8, SERVER, 2900);         /* Server Hello, Certificate ... */
    tcp(TCP_EV_FIN, 12, SERVER);
    tcp(TCP_EV_FIN, 13, CLIENT);
    end_conn();
    cut_capture_summary(2);
    cJSON *capture = facts_finish(fb, &summary);
    assert_int_equal(num(capture, "cut.frames"), 3);
    assert_int_equal(num(capture, "cut.first_frame"), 2);
    assert_int_equal(num(capture, "cut.snaplen"), 96);
    const cJSON *c = get(capture, "connections.0");
    assert_string_equal(str(c, "verdict"), "unknown");
    assert_null(get(c, "failed_stage"));
    assert_string_equal(str(c, "unknown_reason"),
                        "capture cut to 96 bytes per packet from frame 6: TLS contents not available");
    assert_int_equal(num(c, "capture_cut.snaplen"), 96);
    assert_int_equal(num(c, "capture_cut.first_frame"), 6);
    assert_int_equal(num(c, "capture_cut.bytes"), 3100);
    assert_null(get(c, "tcp.first_gap_frame"));
    assert_null(get(c, "tcp.open_at_capture_start"));
    cJSON_Delete(capture);
}

/* A fatal alert is in the bytes the capture kept, what caused it is not:
 * the facts keep the alert, the verdict stays unknown. */
static void test_cut_connection_with_fatal_alert_is_unknown(void **state)
{
    (void)state;
    open_conn(1, 10, 443);
    tcp(TCP_EV_SYN, 3, CLIENT);
    tcp(TCP_EV_SYNACK, 4, SERVER);
    cut_segment(6, CLIENT, 200);
    conn.half[SERVER].packets = 3;
    alert(7, SERVER, 2, 40);
    tcp(TCP_EV_FIN, 8, SERVER);
    end_conn();
    cut_capture_summary(6);
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *c = get(capture, "connections.0");
    assert_string_equal(str(c, "verdict"), "unknown");
    assert_null(get(c, "failed_stage"));
    assert_int_equal(num(c, "capture_cut.first_frame"), 6);
    assert_null(get(c, "tls.client_hello"));
    assert_int_equal(num(c, "tls.first_alert.description"), 40);
    assert_string_equal(str(c, "tls.first_alert.sender"), "server");
    cJSON_Delete(capture);
}

/* Lost bytes stay a gap beside cut ones. */
static void test_loss_in_cut_connection_is_still_a_gap(void **state)
{
    (void)state;
    dns_answer(1, "example.com", 0, 10);
    open_conn(1, 10, 443);
    tcp(TCP_EV_SYN, 3, CLIENT);
    tcp(TCP_EV_SYNACK, 4, SERVER);
    cut_segment(6, CLIENT, 200);
    conn.half[SERVER].gaps = 1;
    conn.half[SERVER].gap_bytes = 1000;
    send_event((struct event){ .type = EV_STREAM_GAP, .length = 1000 }, 9, SERVER);
    end_conn();
    cut_capture_summary(6);
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *c = get(capture, "connections.0");
    assert_int_equal(num(c, "tcp.first_gap_frame"), 9);
    assert_int_equal(num(c, "tcp.gap_bytes"), 1000);
    assert_int_equal(num(c, "capture_cut.bytes"), 200);
    cJSON_Delete(capture);
}

/* A DNS answer the cut took: the lookup is answered, neither resolved nor
 * failed, and says its response was cut. */
static void test_cut_dns_response_is_no_failure(void **state)
{
    (void)state;
    static struct dns_message m;
    memset(&m, 0, sizeof m);
    m.id = 9;
    m.qtype = DNS_TYPE_A;
    snprintf(m.qname, sizeof m.qname, "example.com");
    uint8_t zero[16] = { 0 };
    struct dns_event dns = { &m, false, 4, zero, zero, 50001, 53, false };
    facts_on_event(fb, &(struct event){ .type = EV_DNS, .frame = 3, .ts_ns = 3000000, .u.dns = &dns });
    m.is_response = true;
    m.answer_count = 1;
    dns.cut = true;
    facts_on_event(fb, &(struct event){ .type = EV_DNS, .frame = 5, .ts_ns = 5000000, .u.dns = &dns });
    cJSON *capture = facts_finish(fb, &summary);
    assert_true(cJSON_IsTrue(get(capture, "dns.target_asked")));
    assert_false(cJSON_IsTrue(get(capture, "dns.target_resolved")));
    assert_false(cJSON_IsTrue(get(capture, "dns.target_failed")));
    assert_true(cJSON_IsTrue(get(capture, "dns.lookups.0.response_cut")));
    assert_int_equal(num(capture, "dns.lookups.0.response_frame"), 5);
    cJSON_Delete(capture);
}

/* No SYN in the capture, only the close: the connection was open before the
 * capture began, which is no connect failure. */
static void test_open_at_capture_start_is_no_connect_failure(void **state)
{
    (void)state;
    dns_answer(1, "example.com", 0, 10);
    open_conn(1, 10, 443);
    conn.first_frame = 7;
    tcp(TCP_EV_FIN, 7, SERVER);
    tcp(TCP_EV_FIN, 8, CLIENT);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *c = get(capture, "connections.0");
    assert_non_null(c);
    assert_true(cJSON_IsTrue(get(c, "tcp.open_at_capture_start")));
    assert_true(cJSON_IsTrue(get(c, "tcp.connected")));
    assert_string_equal(str(c, "verdict"), "unknown");
    assert_null(get(c, "failed_stage"));
    assert_string_equal(str(c, "unknown_reason"),
                        "the connection was already open at capture start: its beginning is not in the capture");
    assert_int_equal(cJSON_GetArraySize(get(capture, "failed_connects")), 0);
    assert_null(get(capture, "cut"));
    cJSON_Delete(capture);
}

/* The same with TLS records: the handshake is what is missing. */
static void test_open_at_capture_start_with_tls_records(void **state)
{
    (void)state;
    open_conn(1, 10, 443);
    app_data(5, CLIENT, 100);
    app_data(6, SERVER, 400);
    tcp(TCP_EV_RST, 7, CLIENT);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *c = get(capture, "connections.0");
    assert_true(cJSON_IsTrue(get(c, "tcp.open_at_capture_start")));
    assert_string_equal(str(c, "verdict"), "unknown");
    assert_string_equal(str(c, "unknown_reason"),
                        "the handshake is not in the capture (it started before the capture)");
    cJSON_Delete(capture);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static void tls13_server_hello(uint64_t frame)
{
    static const uint8_t random[32] = { 0x33 };
    struct tls_server_hello sh = { .legacy_version = 0x0303, .has_supported_version = true,
                                   .supported_version = 0x0304, .cipher_suite = 0x1301,
                                   .has_cipher_suite = true, .random = { random, 32 } };
    send_event((struct event){ .type = EV_SERVER_HELLO, .handshake_type = 2, .u.server_hello = &sh }, frame, SERVER);
}

static void opaque(uint64_t frame, int sender, uint32_t length, enum tls_record_phase phase)
{
    bool handshake = phase == TLS_PHASE_SERVER_FLIGHT || phase == TLS_PHASE_CLIENT_FLIGHT;
    send_event((struct event){ .type = handshake ? EV_ENCRYPTED_HANDSHAKE : EV_APPLICATION_DATA,
                               .length = length, .tls_phase = (uint8_t)phase }, frame, sender);
}

/* TLS 1.3 without keys: the flights are handshake, two equal small records
 * before the answer are tickets, an alert-sized last record before a FIN is
 * an alert, and only the rest is data received. */
static void test_tls13_records_by_phase(void **state)
{
    (void)state;
    uint64_t f = conn_up_to_client_hello(1);
    tls13_server_hello(f + 3);
    opaque(f + 3, SERVER, 2400, TLS_PHASE_SERVER_FLIGHT);
    opaque(f + 4, CLIENT, 53, TLS_PHASE_CLIENT_FLIGHT);
    opaque(f + 4, CLIENT, 120, TLS_PHASE_AFTER_HANDSHAKE);
    opaque(f + 5, SERVER, 74, TLS_PHASE_AFTER_HANDSHAKE);
    opaque(f + 5, SERVER, 74, TLS_PHASE_AFTER_HANDSHAKE);
    opaque(f + 6, SERVER, 441, TLS_PHASE_AFTER_HANDSHAKE);
    opaque(f + 7, CLIENT, 19, TLS_PHASE_AFTER_HANDSHAKE);
    tcp(TCP_EV_FIN, f + 7, CLIENT);
    tcp(TCP_EV_FIN, f + 8, SERVER);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *tls = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(capture, "connections"), 0), "tls");
    assert_int_equal(num(tls, "encrypted_handshake.s2c_bytes"), 2400);
    assert_int_equal(num(tls, "encrypted_handshake.c2s_bytes"), 53);
    assert_int_equal(num(tls, "likely_tickets.s2c_records"), 2);
    assert_int_equal(num(tls, "likely_tickets.s2c_bytes"), 148);
    assert_int_equal(num(tls, "app_data.s2c_bytes"), 441);
    assert_int_equal(num(tls, "app_data.s2c_first_frame"), f + 6);
    assert_int_equal(num(tls, "app_data.c2s_bytes"), 120);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tls, "handshake_complete")));
    const cJSON *a = cJSON_GetArrayItem(cJSON_GetObjectItem(tls, "alerts"), 0);
    assert_non_null(a);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(a, "likely")));
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a, "sender")), "client");
    assert_int_equal(num(a, "frame"), f + 7);
    cJSON_Delete(capture);
}

/* A server that rejects the client's flight: its alert-sized record then
 * its FIN is the likely alert, and no data was received. */
static void test_tls13_server_alert_after_client_flight(void **state)
{
    (void)state;
    uint64_t f = conn_up_to_client_hello(1);
    tls13_server_hello(f + 3);
    opaque(f + 3, SERVER, 2400, TLS_PHASE_SERVER_FLIGHT);
    opaque(f + 4, CLIENT, 1200, TLS_PHASE_CLIENT_FLIGHT);
    opaque(f + 4, CLIENT, 53, TLS_PHASE_CLIENT_FLIGHT);
    opaque(f + 5, SERVER, 19, TLS_PHASE_AFTER_HANDSHAKE);
    tcp(TCP_EV_FIN, f + 6, SERVER);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *tls = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(capture, "connections"), 0), "tls");
    assert_int_equal(num(tls, "app_data.s2c_bytes"), 0);
    assert_int_equal(num(tls, "app_data.s2c_records"), 0);
    assert_null(cJSON_GetObjectItem(tls, "likely_tickets"));
    const cJSON *a = cJSON_GetArrayItem(cJSON_GetObjectItem(tls, "alerts"), 0);
    assert_non_null(a);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(a, "sender")), "server");
    cJSON_Delete(capture);
}

/* ---- revocation checks recognised by their timing ---- */

static const uint8_t endpoint_addr[16] = { 192, 0, 2, 10 };

/* A lookup of name from the endpoint (or, from_other, from another
 * address): the query at frame, its answer (rcode, one address when 0) at
 * frame + 1; answered false leaves the answer out. */
static void lookup_from(uint64_t frame, const char *name, uint8_t rcode, bool answered, bool from_other)
{
    static struct dns_message m;
    memset(&m, 0, sizeof m);
    m.id = (uint16_t)frame;
    m.qtype = DNS_TYPE_A;
    snprintf(m.qname, sizeof m.qname, "%s", name);
    static const uint8_t resolver[16] = { 203, 0, 113, 53 }, other[16] = { 192, 0, 2, 99 };
    const uint8_t *client = from_other ? other : endpoint_addr;
    struct dns_event q = { &m, false, 4, client, resolver, 50001, 53, false };
    facts_on_event(fb, &(struct event){ .type = EV_DNS, .frame = frame, .ts_ns = (int64_t)frame * 1000000,
                                        .u.dns = &q });
    if (!answered)
        return;
    m.is_response = true;
    m.rcode = rcode;
    if (rcode == 0) {
        m.answers_kept = 1;
        m.answers[0].type = DNS_TYPE_A;
        memcpy(m.answers[0].addr, (uint8_t[4]){ 203, 0, 113, 20 }, 4);
    }
    struct dns_event r = { &m, false, 4, resolver, client, 53, 50001, false };
    facts_on_event(fb, &(struct event){ .type = EV_DNS, .frame = frame + 1, .ts_ns = (int64_t)(frame + 1) * 1000000,
                                        .u.dns = &r });
}

/* A connect from the endpoint to port 80 of 203.0.113.last_octet, refused. */
static void refused_fetch(struct tcp_conn *c, uint64_t id, uint8_t last_octet, uint64_t frame)
{
    memset(c, 0, sizeof *c);
    c->ip_version = 4, c->id = id, c->client = CLIENT, c->role_source = ROLE_FROM_SYN, c->first_frame = frame;
    memcpy(c->ep[CLIENT].addr, endpoint_addr, 16);
    memcpy(c->ep[SERVER].addr, (uint8_t[4]){ 203, 0, 113, last_octet }, 4);
    c->ep[CLIENT].port = 49098, c->ep[SERVER].port = 80;
    c->half[CLIENT].syn_count = 1;
    send_on(c, (struct event){ .type = EV_TCP, .u.tcp_kind = TCP_EV_SYN }, frame, CLIENT);
    send_on(c, (struct event){ .type = EV_TCP, .u.tcp_kind = TCP_EV_RST }, frame + 1, SERVER);
    send_on(c, (struct event){ .type = EV_CONN_END }, frame + 1, CLIENT);
}

/* TLS 1.3 to the server (connection 1, frames 10..13 up to its flight);
 * returns the frame of the server's flight. */
static uint64_t tls13_flight(void)
{
    uint64_t f = conn_up_to_client_hello(1);
    tls13_server_hello(f + 3);
    opaque(f + 3, SERVER, 2400, TLS_PHASE_SERVER_FLIGHT);
    return f + 3;
}

static void endpoint_gives_up(uint64_t frame)
{
    tcp(TCP_EV_RST, frame, CLIENT);
    end_conn();
}

/* The responder is no revocation host of the profile and the certificate
 * is encrypted: the refused port-80 connect between the server's flight and
 * the endpoint's RST is the revocation check, named by the answer another
 * client got. The endpoint's failed lookup is left out (the connect says
 * more), and so is a refused connect after the RST. */
static void test_revocation_check_recognised_by_timing(void **state)
{
    (void)state;
    uint64_t flight = tls13_flight();
    struct tcp_conn fetch, late;
    lookup_from(flight + 1, "ocsp.unknown-ca.example", 3, true, false);
    lookup_from(flight + 3, "ocsp.unknown-ca.example", 0, true, true);
    refused_fetch(&fetch, 2, 20, flight + 5);
    endpoint_gives_up(flight + 7);
    refused_fetch(&late, 3, 21, flight + 9);
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *unreachable = get(capture, "revocation.unreachable");
    assert_int_equal(cJSON_GetArraySize(unreachable), 1);
    assert_string_equal(str(unreachable, "0.how"), "tcp");
    assert_string_equal(str(unreachable, "0.detail"), "connection refused");
    assert_string_equal(str(unreachable, "0.host"), "ocsp.unknown-ca.example");   /* from the answer */
    assert_string_equal(str(unreachable, "0.server"), "203.0.113.20:80");
    assert_int_equal(num(unreachable, "0.frame"), flight + 6);
    assert_string_equal(str(unreachable, "0.recognised_by"), "timing");
    assert_int_equal(num(unreachable, "0.connection"), 1);
    assert_true(cJSON_IsTrue(get(capture, "revocation.attempted")));
    cJSON_Delete(capture);
}

/* Lookups alone: an unanswered one inside the handshake counts; one whose
 * name a later lookup shows to be a search-domain try does not, nor does
 * one from another address. */
static void test_revocation_lookups_recognised_by_timing(void **state)
{
    (void)state;
    uint64_t flight = tls13_flight();
    lookup_from(flight + 1, "crl.ca.example.corp.local", 3, true, false);
    lookup_from(flight + 3, "crl.ca.example", 0, true, false);
    lookup_from(flight + 5, "ocsp.ca.example", 2, false, false);
    lookup_from(flight + 6, "wpad.corp.local", 3, true, true);
    endpoint_gives_up(flight + 9);
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *unreachable = get(capture, "revocation.unreachable");
    assert_int_equal(cJSON_GetArraySize(unreachable), 1);
    assert_string_equal(str(unreachable, "0.host"), "ocsp.ca.example");
    assert_string_equal(str(unreachable, "0.how"), "dns_no_answer");
    assert_int_equal(num(unreachable, "0.frame"), flight + 5);
    assert_int_equal(num(unreachable, "0.connection"), 1);
    cJSON_Delete(capture);
}

/* A handshake that worked has no window: nothing in it is a revocation
 * failure, whatever failed around it. */
static void test_no_revocation_check_without_a_failed_handshake(void **state)
{
    (void)state;
    struct tcp_conn fetch;
    successful_conn(1);
    refused_fetch(&fetch, 2, 20, 16);
    cJSON *capture = facts_finish(fb, &summary);
    assert_int_equal(cJSON_GetArraySize(get(capture, "revocation.unreachable")), 0);
    assert_false(cJSON_IsTrue(get(capture, "revocation.attempted")));
    cJSON_Delete(capture);
}

/* A DHE suite's ServerKeyExchange: the size of its prime. */
static void test_server_key_exchange_facts(void **state)
{
    (void)state;
    uint64_t f = conn_up_to_client_hello(1);
    static const uint8_t random[32] = { 0x33 };
    struct tls_server_hello sh = { .legacy_version = 0x0303, .cipher_suite = 0x009E, .has_cipher_suite = true,
                                   .random = { random, 32 } };
    send_event((struct event){ .type = EV_SERVER_HELLO, .handshake_type = 2, .u.server_hello = &sh }, f + 3, SERVER);
    struct tls_server_key_exchange ske = { .kx = TLS_KX_DHE, .has_dh_p = true, .dh_p_bits = 1024 };
    send_event((struct event){ .type = EV_HANDSHAKE_OTHER, .handshake_type = 12, .u.server_key_exchange = &ske },
               f + 3, SERVER);
    alert(f + 4, CLIENT, 2, 40);
    tcp(TCP_EV_FIN, f + 5, CLIENT);
    end_conn();
    cJSON *capture = facts_finish(fb, &summary);
    const cJSON *tls = get(capture, "connections.0.tls");
    assert_int_equal(num(tls, "server_key_exchange.frame"), f + 3);
    assert_string_equal(str(tls, "server_key_exchange.kind"), "dhe");
    assert_int_equal(num(tls, "server_key_exchange.dh_bits"), 1024);
    assert_null(get(tls, "server_key_exchange.group"));
    assert_false(cJSON_IsTrue(get(tls, "server_key_exchange.malformed")));
    cJSON_Delete(capture);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_no_shared_cipher_facts),
        T(test_dns_answer_names_a_connection_without_sni),
        T(test_dns_rtt_exact_at_epoch_times),
        T(test_nxdomain_leaves_no_connection),
        T(test_syn_to_proxy_port_refused),
        T(test_connect_407_then_closed),
        T(test_revocation_fetch_answered_with_http_error),
        T(test_host_patterns),
        T(test_late_failure_kept_among_many),
        T(test_open_connections_with_facts_are_capped),
        T(test_other_connections_do_not_crowd_out_targets),
        T(test_hello_lists_are_capped),
        T(test_tls13_records_by_phase),
        T(test_tls13_server_alert_after_client_flight),
        T(test_ip_ttl_of_synack_rst_and_alert),
        T(test_no_ip_ttl_no_ttl_facts),
        T(test_server_not_tls_prefix_escaped_and_bounded),
        T(test_server_not_tls_needs_the_stream_start),
        T(test_dns_target_failure_no_answer),
        T(test_dns_target_failure_prefers_an_error_response),
        T(test_dns_target_failure_absent_once_resolved),
        T(test_cut_connection_is_unknown_not_failed),
        T(test_cut_connection_with_fatal_alert_is_unknown),
        T(test_loss_in_cut_connection_is_still_a_gap),
        T(test_cut_dns_response_is_no_failure),
        T(test_open_at_capture_start_is_no_connect_failure),
        T(test_open_at_capture_start_with_tls_records),
        T(test_revocation_check_recognised_by_timing),
        T(test_revocation_lookups_recognised_by_timing),
        T(test_no_revocation_check_without_a_failed_handshake),
        T(test_server_key_exchange_facts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
