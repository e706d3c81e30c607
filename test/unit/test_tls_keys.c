/* Unit tests for the record layer with a key log (dissect/tls/tls.c's
 * decryption part): RFC 8448's "Simple 1-RTT Handshake" records, fed after
 * a Client Hello whose random the key log names, come out as the same
 * events as plaintext messages, marked decrypted; missing secrets, a wrong
 * secret, a capture hole and an unsupported suite say so and leave the
 * records as they are without keys. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keylog.h"
#include "rfc8448.h"
#include "tls.h"
#include "tls_build.h"

/* build_client_hello's random: 32 bytes of 0x11. */
#define RANDOM_HEX "1111111111111111111111111111111111111111111111111111111111111111"

struct seen {
    enum event_type type;
    uint64_t frame;
    int sender;
    uint32_t length;
    uint8_t handshake_type;
    uint8_t tls_phase;
    bool decrypted;
    struct tls_alert alert;
    struct tls_decryption_note note;
    size_t cert_len;
};

static struct seen events[64];
static size_t n_events;

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
    s->handshake_type = ev->handshake_type;
    s->tls_phase = ev->tls_phase;
    s->decrypted = ev->decrypted;
    if (ev->type == EV_ALERT)
        s->alert = *ev->u.alert;
    if (ev->type == EV_TLS_DECRYPTION)
        s->note = *ev->u.decryption;
    if (ev->type == EV_CERTIFICATE)
        s->cert_len = ev->u.certificate->len;
}

enum { CLIENT = 0, SERVER = 1 };

static struct tls_session session;
static struct tcp_conn conn;
static struct tls_limits limits;
static const struct event_sink sink = { NULL, record_event };
static struct tls_keyring ring;

static int setup(void **state)
{
    (void)state;
    memset(&session, 0, sizeof session);
    memset(&conn, 0, sizeof conn);
    conn.ep[0].port = 40000;
    conn.ep[1].port = 443;
    conn.client = -1;
    limits.max_handshake_message = 256 * 1024;
    n_events = 0;
    memset(&ring, 0, sizeof ring);
    ring.store = keylog_new();
    assert_non_null(ring.store);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tls_session_free(&session);
    tls_keyring_free(&ring);
    keylog_free(ring.store);
    return 0;
}

static void keys(const char *text)
{
    assert_int_equal(keylog_feed(ring.store, (const uint8_t *)text, strlen(text), 1), KEYLOG_OK);
}

/* RFC hex (any spacing) to bytes. */
static void hex(struct bytebuf *b, const char *text)
{
    int high = -1;
    for (const char *p = text; *p; p++) {
        if (*p == ' ')
            continue;
        int v = *p <= '9' ? *p - '0' : *p - 'a' + 10;
        if (high < 0) {
            high = v;
        } else {
            bb_u8(b, (uint8_t)(high << 4 | v));
            high = -1;
        }
    }
}

/* An RFC secret as key log text. */
static void secret_hex(char *out, size_t len, const char *rfc)
{
    size_t n = 0;
    for (const char *p = rfc; *p && n + 1 < len; p++)
        if (*p != ' ')
            out[n++] = *p;
    out[n] = '\0';
}

static void feed(int sender, uint64_t frame, const struct bytebuf *b)
{
    struct packet_view pkt = { .frame = frame, .ts_ns = (int64_t)frame * 1000 };
    struct tls_feed_ctx x = { &sink, &limits, &session, &conn, sender, &pkt, &ring };
    tls_feed(&x, b->data, b->len, true);
}

static void gap(int sender, uint64_t frame, uint64_t missing)
{
    struct packet_view pkt = { .frame = frame };
    struct tls_feed_ctx x = { &sink, &limits, &session, &conn, sender, &pkt, &ring };
    tls_gap(&x, missing);
}

/* Client Hello (frame 1) and a TLS 1.3 Server Hello choosing suite (2). */
static void hellos(uint16_t suite, uint16_t version)
{
    struct bytebuf ch = { .len = 0 }, sh = { .len = 0 }, msg = { .len = 0 }, rec = { .len = 0 };
    build_client_hello_record(&ch);
    build_server_hello(&sh, 0x33, suite, version == 0x0304 ? 0x0304 : 0, NULL);
    put_handshake(&msg, HS_SERVER_HELLO, sh.data, sh.len);
    put_record(&rec, CT_HANDSHAKE, msg.data, msg.len);
    feed(CLIENT, 1, &ch);
    feed(SERVER, 2, &rec);
}

static void rfc_record(struct bytebuf *b, const char *record_hex)
{
    b->len = 0;
    hex(b, record_hex);
}

static char line_text[512];

static const char *line(const char *label, const char *rfc_secret)
{
    char secret[200];
    secret_hex(secret, sizeof secret, rfc_secret);
    snprintf(line_text, sizeof line_text, "%s " RANDOM_HEX " %s\n", label, secret);
    return line_text;
}

static size_t find(size_t from, enum event_type type)
{
    for (size_t i = from; i < n_events; i++)
        if (events[i].type == type)
            return i;
    fail_msg("no event of type %d from %zu", type, from);
    return 0;
}

/* The whole RFC 8448 exchange with every secret: the server's flight,
 * the client's Finished, its request and close_notify. */
static void test_rfc8448_flights_decrypted_as_events(void **state)
{
    (void)state;
    keys(line("SERVER_HANDSHAKE_TRAFFIC_SECRET", RFC_S_HS_SECRET));
    keys(line("CLIENT_HANDSHAKE_TRAFFIC_SECRET", RFC_C_HS_SECRET));
    keys(line("SERVER_TRAFFIC_SECRET_0", RFC_S_AP_SECRET));
    keys(line("CLIENT_TRAFFIC_SECRET_0", RFC_C_AP_SECRET));
    hellos(0x1301, 0x0304);
    assert_non_null(session.crypto);
    assert_int_equal(ring.conns_with_keys, 1);
    assert_int_equal(n_events, 2);

    struct bytebuf rec = { .len = 0 };
    rfc_record(&rec, RFC_SERVER_FLIGHT_RECORD);
    feed(SERVER, 3, &rec);
    /* The secret used, the record, then EE, Certificate, CertificateVerify, Finished. */
    size_t i = 2;
    assert_int_equal(events[i].type, EV_TLS_DECRYPTION);
    assert_int_equal(events[i].note.what, TLS_DECRYPTION_SECRET_USED);
    assert_int_equal(events[i].note.label, KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET);
    assert_int_equal(events[i].note.source, 1);
    assert_int_equal(events[i].note.line, 1);
    assert_int_equal(events[++i].type, EV_ENCRYPTED_HANDSHAKE);
    assert_int_equal(events[i].tls_phase, TLS_PHASE_SERVER_FLIGHT);
    assert_int_equal(events[i].length, rec.len - 5);
    assert_true(events[i].decrypted);
    static const uint8_t types[] = { 8, 11, 15, 20 };
    for (size_t k = 0; k < COUNT(types); k++) {
        i++;
        assert_int_equal(events[i].type, types[k] == 11 ? EV_CERTIFICATE : EV_HANDSHAKE_OTHER);
        assert_int_equal(events[i].handshake_type, types[k]);
        assert_int_equal(events[i].sender, SERVER);
        assert_int_equal(events[i].frame, 3);
        assert_true(events[i].decrypted);
    }
    assert_int_equal(events[5].cert_len, 445 - 4);
    assert_int_equal(n_events, i + 1);

    rfc_record(&rec, RFC_CLIENT_FINISHED_RECORD);
    feed(CLIENT, 4, &rec);
    i = find(n_events - 1, EV_HANDSHAKE_OTHER);
    assert_int_equal(events[i].handshake_type, 20);
    assert_int_equal(events[i - 1].tls_phase, TLS_PHASE_CLIENT_FLIGHT);

    rfc_record(&rec, RFC_CLIENT_APPDATA_RECORD);
    feed(CLIENT, 5, &rec);
    i = find(n_events - 1, EV_APPLICATION_DATA);
    assert_true(events[i].decrypted);
    assert_int_equal(events[i].tls_phase, TLS_PHASE_AFTER_HANDSHAKE);
    assert_int_equal(events[i - 1].note.label, KEYLOG_CLIENT_TRAFFIC_SECRET_0);

    rfc_record(&rec, RFC_CLIENT_ALERT_RECORD);
    feed(CLIENT, 6, &rec);
    i = n_events - 1;
    assert_int_equal(events[i].type, EV_ALERT);
    assert_true(events[i].decrypted);
    assert_false(events[i].alert.encrypted);
    assert_int_equal(events[i].alert.level, 1);
    assert_int_equal(events[i].alert.description, 0);
    assert_int_equal(events[i].sender, CLIENT);

    struct keylog_stats st;
    keylog_get_stats(ring.store, &st);
    assert_int_equal(st.used, 3); /* the server's application secret decrypted nothing here */
}

/* Only the server's handshake secret (what some key logs hold): its flight
 * is read, the client's records and what follows the server's Finished
 * stay as they are without keys, and the missing secrets are named. */
static void test_server_handshake_secret_only(void **state)
{
    (void)state;
    keys(line("SERVER_HANDSHAKE_TRAFFIC_SECRET", RFC_S_HS_SECRET));
    hellos(0x1301, 0x0304);
    size_t i = find(2, EV_TLS_DECRYPTION);
    assert_int_equal(events[i].note.what, TLS_DECRYPTION_NO_SECRET);
    assert_int_equal(events[i].note.label, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET);
    assert_int_equal(events[i].sender, CLIENT);
    struct bytebuf rec = { .len = 0 };
    rfc_record(&rec, RFC_SERVER_FLIGHT_RECORD);
    feed(SERVER, 3, &rec);
    assert_int_equal(events[find(3, EV_CERTIFICATE)].frame, 3);
    i = n_events - 1;
    assert_int_equal(events[i].type, EV_TLS_DECRYPTION);
    assert_int_equal(events[i].note.what, TLS_DECRYPTION_NO_SECRET);
    assert_int_equal(events[i].note.label, KEYLOG_SERVER_TRAFFIC_SECRET_0);
    size_t before = n_events;
    rfc_record(&rec, RFC_CLIENT_FINISHED_RECORD);
    feed(CLIENT, 4, &rec);
    assert_int_equal(n_events, before + 1);
    assert_int_equal(events[before].type, EV_ENCRYPTED_HANDSHAKE);
    assert_false(events[before].decrypted);
    assert_int_equal(events[before].tls_phase, TLS_PHASE_CLIENT_FLIGHT);
}

/* A secret that does not fit the records: said once, the record goes on
 * as without keys. */
static void test_wrong_secret_auth_failed(void **state)
{
    (void)state;
    keys(line("SERVER_HANDSHAKE_TRAFFIC_SECRET", RFC_C_HS_SECRET));
    hellos(0x1301, 0x0304);
    struct bytebuf rec = { .len = 0 };
    rfc_record(&rec, RFC_SERVER_FLIGHT_RECORD);
    feed(SERVER, 3, &rec);
    size_t i = find(2, EV_TLS_DECRYPTION);
    assert_int_equal(events[i].note.what, TLS_DECRYPTION_NO_SECRET);   /* the client's */
    i = find(i + 1, EV_TLS_DECRYPTION);
    assert_int_equal(events[i].note.what, TLS_DECRYPTION_AUTH_FAILED);
    assert_int_equal(events[i].sender, SERVER);
    assert_int_equal(events[i].note.line, 1);
    i = find(i, EV_ENCRYPTED_HANDSHAKE);
    assert_false(events[i].decrypted);
    assert_int_equal(events[i].tls_phase, TLS_PHASE_SERVER_FLIGHT);
    for (size_t k = 0; k < n_events; k++)
        assert_true(events[k].type != EV_CERTIFICATE);
}

/* A hole in the server's records: the sequence numbers are lost. */
static void test_gap_records_missing(void **state)
{
    (void)state;
    keys(line("SERVER_HANDSHAKE_TRAFFIC_SECRET", RFC_S_HS_SECRET));
    hellos(0x1301, 0x0304);
    struct bytebuf rec = { .len = 0 };
    rfc_record(&rec, RFC_SERVER_FLIGHT_RECORD);
    struct packet_view pkt = { .frame = 3 };
    struct tls_feed_ctx x = { &sink, &limits, &session, &conn, SERVER, &pkt, &ring };
    tls_feed(&x, rec.data, 100, true);
    gap(SERVER, 4, 50);
    size_t i = n_events - 1;
    assert_int_equal(events[i].type, EV_TLS_DECRYPTION);
    assert_int_equal(events[i].note.what, TLS_DECRYPTION_RECORDS_MISSING);
    assert_int_equal(session.dir[SERVER].decrypt_types, 0);
}

/* TLS 1.2 with a CBC suite: keys exist, the suite is not decryptable. */
static void test_unsupported_suite(void **state)
{
    (void)state;
    keys("CLIENT_RANDOM " RANDOM_HEX " "
         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f\n");
    hellos(0x002F, 0x0303);
    size_t i = find(2, EV_TLS_DECRYPTION);
    assert_int_equal(events[i].note.what, TLS_DECRYPTION_UNSUPPORTED_SUITE);
    assert_int_equal(events[i].note.cipher_suite, 0x002F);
    assert_int_equal(session.dir[SERVER].decrypt_types, 0);
}

/* No entry for this client random: no keys, no cost, no note. */
static void test_other_random_no_crypto(void **state)
{
    (void)state;
    keys("SERVER_HANDSHAKE_TRAFFIC_SECRET 2222222222222222222222222222222222222222222222222222222222222222 "
         "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38\n");
    hellos(0x1301, 0x0304);
    assert_null(session.crypto);
    assert_int_equal(ring.conns_with_keys, 0);
    struct bytebuf rec = { .len = 0 };
    rfc_record(&rec, RFC_SERVER_FLIGHT_RECORD);
    feed(SERVER, 3, &rec);
    assert_int_equal(n_events, 3);
    assert_int_equal(events[2].type, EV_ENCRYPTED_HANDSHAKE);
    assert_false(events[2].decrypted);
    assert_int_equal(session.dir[SERVER].record.cap, 0); /* nothing copied */
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_rfc8448_flights_decrypted_as_events),
        T(test_server_handshake_secret_only),
        T(test_wrong_secret_auth_failed),
        T(test_gap_records_missing),
        T(test_unsupported_suite),
        T(test_other_random_no_crypto),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
