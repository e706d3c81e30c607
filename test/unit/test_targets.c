/* Unit tests for the targets of analyzer/facts (facts_names.c, keep.c):
 * --host as a name pattern, an IP address, a prefix, or "*". Events are
 * built here the way the dissectors emit them. */
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

enum { CLIENT = 0, SERVER = 1 };

static struct facts_builder *fb;
static struct tcp_conn conn;
static struct pipeline_summary summary;

static void start(const char *const *hosts, size_t count)
{
    struct facts_options opt = { .hosts = hosts, .host_count = count, .hosts_from_user = true };
    fb = facts_new(&opt);
    assert_non_null(fb);
    memset(&summary, 0, sizeof summary);
    snprintf(summary.format, sizeof summary.format, "pcap");
}

static int teardown(void **state)
{
    (void)state;
    facts_free(fb);
    fb = NULL;
    return 0;
}

static void open_conn4(uint64_t id, const uint8_t server[4])
{
    memset(&conn, 0, sizeof conn);
    conn.ip_version = 4;
    conn.id = id;
    const uint8_t client[4] = { 192, 0, 2, 10 };
    memcpy(conn.ep[CLIENT].addr, client, 4);
    memcpy(conn.ep[SERVER].addr, server, 4);
    conn.ep[CLIENT].port = 50000;
    conn.ep[SERVER].port = 443;
    conn.client = CLIENT;
    conn.role_source = ROLE_FROM_SYN;
    conn.first_frame = id * 10;
}

static void open_conn6(uint64_t id, const uint8_t server[16])
{
    open_conn4(id, (const uint8_t[4]){ 0 });
    conn.ip_version = 6;
    memset(conn.ep[CLIENT].addr, 0, 16);
    conn.ep[CLIENT].addr[0] = 0x20, conn.ep[CLIENT].addr[1] = 0x01, conn.ep[CLIENT].addr[15] = 1;
    memcpy(conn.ep[SERVER].addr, server, 16);
}

static void send_event(struct event ev, uint64_t frame, int sender)
{
    ev.frame = frame;
    ev.ts_ns = (int64_t)frame * 1000000;
    ev.conn = &conn;
    ev.sender = sender;
    if (frame > conn.last_frame) {
        conn.last_frame = frame;
        conn.last_ts = ev.ts_ns;
    }
    facts_on_event(fb, &ev);
}

static void tcp(enum tcp_event_kind kind, uint64_t frame, int sender)
{
    if (kind == TCP_EV_SYN)
        conn.half[sender].syn_count++;
    send_event((struct event){ .type = EV_TCP, .u.tcp_kind = kind }, frame, sender);
}

/* A Client Hello with (SNI example.com) or without any extension. */
static void client_hello(uint64_t frame, bool with_sni)
{
    struct bytebuf body = { .len = 0 };
    if (with_sni) {
        build_client_hello(&body);
    } else {
        put_client_hello_prefix(&body);
        size_t exts = bb_open(&body, 2);
        bb_close(&body, exts, 2);
    }
    struct tls_client_hello ch;
    tls_parse_client_hello(body.data, body.len, &ch);
    send_event((struct event){ .type = EV_CLIENT_HELLO, .u.client_hello = &ch }, frame, CLIENT);
}

static void alert(uint64_t frame, int sender, uint8_t description)
{
    struct tls_alert a = { .level = 2, .description = description, .record_len = 2 };
    send_event((struct event){ .type = EV_ALERT, .u.alert = &a }, frame, sender);
}

/* A connection that gets as far as a Client Hello (with or without SNI)
 * and a fatal alert from the server. */
static void tls_conn(uint64_t id, bool with_sni)
{
    uint64_t f = id * 10;
    tcp(TCP_EV_SYN, f, CLIENT);
    tcp(TCP_EV_SYNACK, f + 1, SERVER);
    client_hello(f + 2, with_sni);
    alert(f + 3, SERVER, 40);
    tcp(TCP_EV_FIN, f + 4, SERVER);
    send_event((struct event){ .type = EV_CONN_END }, f + 4, CLIENT);
}

/* A connection with no TLS: SYN, SYN-ACK, FIN. */
static void plain_conn(uint64_t id)
{
    uint64_t f = id * 10;
    tcp(TCP_EV_SYN, f, CLIENT);
    tcp(TCP_EV_SYNACK, f + 1, SERVER);
    tcp(TCP_EV_FIN, f + 2, SERVER);
    send_event((struct event){ .type = EV_CONN_END }, f + 2, CLIENT);
}

/* The ids of the connections kept as targets, as "1,3" (or "" for none). */
static void target_ids(char *out, size_t len)
{
    cJSON *capture = facts_finish(fb, &summary);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(capture, "selection")), "targets");
    out[0] = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(capture, "connections")) {
        snprintf(out + strlen(out), len - strlen(out), "%s%.0f", out[0] ? "," : "",
                 cJSON_GetNumberValue(cJSON_GetObjectItem(c, "id")));
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(c, "matched_by")), "host");
    }
    cJSON_Delete(capture);
}

static void test_host_values(void **state)
{
    (void)state;
    static const char *const valid[] = { "192.0.2.1", "2001:db8::1", "[2001:db8::1]", "192.0.2.0/24",
                                         "192.0.2.77/24", "2001:db8::/32", "0.0.0.0/0", "::/0",
                                         "[2001:db8::]/48", "*", "*.example.com", "api.example.org",
                                         "tetra-defs.amp.cisco.com", "10.0.0.*" };
    for (size_t i = 0; i < COUNT(valid); i++) {
        char why[200] = "";
        if (!facts_host_valid(valid[i], why, sizeof why))
            fail_msg("'%s' refused: %s", valid[i], why);
    }
    static const struct { const char *text, *why; } invalid[] = {
        { "", "an empty name" },
        { "192.0.2.0/33", "from 0 to 32" },
        { "2001:db8::/129", "from 0 to 128" },
        { "192.0.2.0/", "from 0 to 32" },
        { "192.0.2.0/-1", "from 0 to 32" },
        { "192.0.2.0/24x", "from 0 to 32" },
        { "example.com/24", "a prefix is ADDRESS/BITS" },
        { "192.0.2/24", "a prefix is ADDRESS/BITS" },
    };
    for (size_t i = 0; i < COUNT(invalid); i++) {
        char why[200] = "";
        if (facts_host_valid(invalid[i].text, why, sizeof why))
            fail_msg("'%s' accepted", invalid[i].text);
        if (!strstr(why, invalid[i].why))
            fail_msg("'%s': \"%s\" does not say \"%s\"", invalid[i].text, why, invalid[i].why);
    }
}

/* An address finds the connections to it, with a name or without. */
static void test_address_target(void **state)
{
    (void)state;
    static const char *const hosts[] = { "203.0.113.10" };
    start(hosts, 1);
    open_conn4(1, (const uint8_t[4]){ 203, 0, 113, 10 });
    tls_conn(1, false);
    open_conn4(2, (const uint8_t[4]){ 203, 0, 113, 11 });
    tls_conn(2, false);
    open_conn4(3, (const uint8_t[4]){ 203, 0, 113, 10 });
    tls_conn(3, true);
    open_conn4(4, (const uint8_t[4]){ 203, 0, 113, 10 });
    plain_conn(4);   /* a connection to the address, TLS or not */
    char ids[64];
    target_ids(ids, sizeof ids);
    assert_string_equal(ids, "1,3,4");
}

/* A prefix: its first bits, to the bit; another family never matches. */
static void test_prefix_target(void **state)
{
    (void)state;
    static const char *const hosts[] = { "203.0.113.0/25", "2001:db8::/32" };
    start(hosts, 2);
    open_conn4(1, (const uint8_t[4]){ 203, 0, 113, 127 });
    tls_conn(1, false);
    open_conn4(2, (const uint8_t[4]){ 203, 0, 113, 128 });
    tls_conn(2, false);
    open_conn4(3, (const uint8_t[4]){ 203, 0, 112, 1 });
    tls_conn(3, false);
    uint8_t in6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 1 };
    open_conn6(4, in6);
    tls_conn(4, false);
    uint8_t out6[16] = { 0x20, 0x01, 0x0d, 0xb9, [15] = 1 };
    open_conn6(5, out6);
    tls_conn(5, false);
    uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 203, 0, 113, 1 };   /* ::ffff:203.0.113.1 */
    open_conn6(6, mapped);
    tls_conn(6, false);
    char ids[64];
    target_ids(ids, sizeof ids);
    assert_string_equal(ids, "1,4");
}

/* "*": every TLS connection, those without any name too; a connection
 * without TLS and without a name is not one. */
static void test_every_tls_connection(void **state)
{
    (void)state;
    static const char *const hosts[] = { "*" };
    start(hosts, 1);
    open_conn4(1, (const uint8_t[4]){ 203, 0, 113, 10 });
    tls_conn(1, false);
    open_conn4(2, (const uint8_t[4]){ 198, 51, 100, 7 });
    tls_conn(2, true);
    open_conn4(3, (const uint8_t[4]){ 198, 51, 100, 8 });
    plain_conn(3);
    char ids[64];
    target_ids(ids, sizeof ids);
    assert_string_equal(ids, "1,2");
}

/* A prefix that holds no server finds nothing, and says it was a target
 * search (no fallback to every TLS connection). */
static void test_prefix_without_match(void **state)
{
    (void)state;
    static const char *const hosts[] = { "192.0.2.0/24" };   /* the clients' network, not a server's */
    start(hosts, 1);
    open_conn4(1, (const uint8_t[4]){ 203, 0, 113, 10 });
    tls_conn(1, true);
    cJSON *capture = facts_finish(fb, &summary);
    assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(capture, "target_connections")), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(capture, "connections")), 0);
    cJSON_Delete(capture);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_values),
        cmocka_unit_test_teardown(test_address_target, teardown),
        cmocka_unit_test_teardown(test_prefix_target, teardown),
        cmocka_unit_test_teardown(test_every_tls_connection, teardown),
        cmocka_unit_test_teardown(test_prefix_without_match, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
