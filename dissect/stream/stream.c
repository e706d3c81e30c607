#include "stream.h"

#include <stdlib.h>
#include <string.h>

#include "keylog.h"

/* UNKNOWN: not yet recognised; OTHER: given up on (not ours, or its
 * grammar said no). The kinds between are rows of protocols[] below. */
enum stream_kind {
    STREAM_UNKNOWN,
    STREAM_OTHER,
    STREAM_DNS,
    STREAM_FIRST_PROTOCOL = STREAM_DNS,
    STREAM_CONNECT,
    STREAM_HTTP,
    STREAM_TLS,
    STREAM_KIND_COUNT
};

enum { PORT_DNS = 53, PORT_MDNS = 5353 };

struct stream_direction {
    bool seen_payload;
    struct growbuf pending;    /* an HTTP head or a DNS/TCP message being collected */
};

struct stream_conn {
    uint8_t kind;              /* enum stream_kind */
    bool request_done;         /* the CONNECT request of the current exchange */
    bool tunnel_open;          /* the proxy answered 2xx: the rest is TLS */
    int8_t requester;          /* who sent CONNECT */
    struct stream_direction dir[2];
    struct tls_session tls;
};

void stream_default_limits(struct stream_limits *limits)
{
    limits->tls.max_handshake_message = 256 * 1024;
    limits->max_http_header = 64 * 1024;
    limits->max_dns_tcp_message = 65535 + 2;
}

void stream_init(struct stream_dissector *s, const struct event_sink *sink,
                 const struct stream_limits *limits)
{
    memset(s, 0, sizeof *s);
    s->sink = *sink;
    s->limits = *limits;
}

void stream_set_keys(struct stream_dissector *s, struct keylog *store)
{
    s->keys.store = store;
    s->keyring = store ? &s->keys : NULL;
}

void stream_finish(struct stream_dissector *s)
{
    s->stats.tls_conns_with_keys = s->keys.conns_with_keys;
    tls_keyring_free(&s->keys);
}

static struct stream_conn *conn_state(struct tcp_conn *c)
{
    if (!c->app)
        c->app = calloc(1, sizeof(struct stream_conn));
    return c->app;
}

void stream_release(struct stream_dissector *s, struct tcp_conn *c)
{
    (void)s;
    struct stream_conn *sc = c->app;
    if (!sc)
        return;
    tls_session_free(&sc->tls);
    growbuf_free(&sc->dir[0].pending);
    growbuf_free(&sc->dir[1].pending);
    free(sc);
    c->app = NULL;
}

static void emit(struct stream_dissector *s, struct event *ev, struct tcp_conn *c, int sender,
                 const struct packet_view *pkt)
{
    event_at_packet(ev, pkt);
    ev->conn = c;
    ev->sender = sender;
    s->sink.emit(s->sink.ctx, ev);
}

static void feed_tls(struct stream_dissector *s, struct stream_conn *sc, struct tcp_conn *c,
                     int sender, const uint8_t *data, size_t len, const struct packet_view *pkt,
                     bool segment_start)
{
    struct tls_feed_ctx x = { &s->sink, &s->limits.tls, &sc->tls, c, sender, pkt, s->keyring };
    tls_feed(&x, data, len, segment_start);
}

/* PROXY protocol (HAProxy) v1 text line or v2 binary header: its length, or
 * 0 when the bytes do not start with one (or it is not complete here). */
static size_t proxy_protocol_header_len(const uint8_t *p, size_t len)
{
    static const uint8_t v2_signature[12] = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                              0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };
    if (len >= 16 && memcmp(p, v2_signature, 12) == 0) {
        struct cursor c = cursor_make(p + 14, len - 14);
        size_t body = cursor_be16(&c);
        return 16 + body <= len ? 16 + body : 0;
    }
    if (len >= 8 && memcmp(p, "PROXY ", 6) == 0) {
        size_t limit = len < 108 ? len : 108; /* the v1 line is at most 107 bytes */
        for (size_t i = 6; i + 1 < limit; i++)
            if (p[i] == '\r' && p[i + 1] == '\n')
                return i + 2;
    }
    return 0;
}

/* Collects bytes into dir->pending; false when the cap is exceeded. */
static bool collect(struct stream_direction *dir, const uint8_t *data, size_t len, size_t cap)
{
    return growbuf_append(&dir->pending, data, len, cap);
}

static void on_connect_request(struct stream_dissector *s, struct stream_conn *sc,
                               struct tcp_conn *c, int sender, const struct packet_view *pkt)
{
    struct stream_direction *dir = &sc->dir[sender];
    struct http_request req;
    enum parse_status st = http_parse_request(dir->pending.data, dir->pending.len, &req);
    if (st == PARSE_TRUNCATED)
        return;
    if (st == PARSE_INVALID) {
        sc->kind = STREAM_OTHER;
        return;
    }
    sc->request_done = true;
    sc->requester = (int8_t)sender;
    conn_settle_client(c, sender, ROLE_FROM_MESSAGE);
    struct event ev = { .type = EV_CONNECT_REQUEST, .length = (uint32_t)req.message_len,
                        .u.connect_request = &req };
    emit(s, &ev, c, sender, pkt);
    size_t rest = dir->pending.len - req.message_len;
    if (rest) { /* the client did not wait for the answer */
        feed_tls(s, sc, c, sender, dir->pending.data + req.message_len, rest, pkt, true);
    }
    dir->pending.len = 0;
}

/* Returns true when it read an interim (1xx) response and more bytes wait. */
static bool on_connect_response(struct stream_dissector *s, struct stream_conn *sc,
                                struct tcp_conn *c, int sender, const struct packet_view *pkt)
{
    struct stream_direction *dir = &sc->dir[sender];
    struct http_response resp;
    enum parse_status st = http_parse_connect_response(dir->pending.data, dir->pending.len, &resp);
    if (st == PARSE_TRUNCATED)
        return false;
    if (st == PARSE_INVALID) {
        sc->kind = STREAM_OTHER;
        return false;
    }
    conn_settle_client(c, 1 - sender, ROLE_FROM_MESSAGE);
    struct event ev = { .type = EV_CONNECT_RESPONSE, .length = (uint32_t)resp.message_len,
                        .u.connect_response = &resp };
    emit(s, &ev, c, sender, pkt);
    size_t used = resp.message_len;
    size_t rest = dir->pending.len - used;
    if (resp.status >= 200 && resp.status < 300) {
        sc->tunnel_open = true;
        s->stats.connect_tunnels++;
        if (rest)
            feed_tls(s, sc, c, sender, dir->pending.data + used, rest, pkt, true);
        growbuf_free(&sc->dir[0].pending);
        growbuf_free(&sc->dir[1].pending);
        return false;
    }
    if (resp.status >= 100 && resp.status < 200) { /* interim: the real answer follows */
        growbuf_consume(&dir->pending, used);
        return dir->pending.len > 0;
    }
    /* Refused (407, 403, 5xx): the client may try again on the same
     * connection, e.g. with credentials after a 407. */
    sc->request_done = false;
    dir->pending.len = 0;
    return false;
}

static void on_connect_data(struct stream_dissector *s, struct stream_conn *sc, struct tcp_conn *c,
                            int sender, const uint8_t *data, size_t len,
                            const struct packet_view *pkt, bool segment_start)
{
    if (sc->tunnel_open || (sc->request_done && sender == sc->requester)) {
        feed_tls(s, sc, c, sender, data, len, pkt, segment_start);
        return;
    }
    bool is_request = !sc->request_done;
    if (is_request && sc->dir[sender].pending.len == 0 && !http_looks_like_connect(data, len))
        return; /* the proxy speaking first, or noise */
    if (!is_request && sender == sc->requester)
        return;
    if (!collect(&sc->dir[sender], data, len, s->limits.max_http_header)) {
        sc->kind = STREAM_OTHER;
        return;
    }
    if (is_request)
        on_connect_request(s, sc, c, sender, pkt);
    else
        while (on_connect_response(s, sc, c, sender, pkt))
            continue;
}

/* cut: a datagram the snapshot length cut. It is passed on when its header
 * and question are whole (the event says it was cut); otherwise it is not
 * malformed, only missing, and nothing is counted. */
static void emit_dns(struct stream_dissector *s, const uint8_t *msg, size_t len, bool over_tcp, bool cut,
                     struct tcp_conn *c, int sender, const struct packet_view *pkt)
{
    enum parse_status st = dns_parse_message(msg, len, &s->dns_scratch);
    bool partial = cut && st == PARSE_TRUNCATED && s->dns_scratch.question_read;
    if (st != PARSE_OK && !partial) {
        if (!cut)
            s->stats.dns_malformed++;
        return;
    }
    s->stats.dns_messages++;
    struct dns_event dns = { &s->dns_scratch, over_tcp, pkt->ip_version, pkt->src, pkt->dst,
                             pkt->sport, pkt->dport, partial };
    struct event ev = { .type = EV_DNS, .length = (uint32_t)len, .u.dns = &dns };
    emit(s, &ev, c, sender, pkt);
}

/* DNS over TCP: each message behind a 2-byte length (RFC 1035 4.2.2). */
static void on_dns_tcp_data(struct stream_dissector *s, struct stream_conn *sc, struct tcp_conn *c,
                            int sender, const uint8_t *data, size_t len, const struct packet_view *pkt)
{
    struct stream_direction *dir = &sc->dir[sender];
    if (!collect(dir, data, len, s->limits.max_dns_tcp_message * 2)) {
        sc->kind = STREAM_OTHER;
        return;
    }
    while (dir->pending.len >= 2) {
        struct cursor cur = cursor_make(dir->pending.data, dir->pending.len);
        size_t msg_len = cursor_be16(&cur);
        const uint8_t *msg = cursor_bytes(&cur, msg_len);
        if (!msg)
            return;
        emit_dns(s, msg, msg_len, true, false, c, sender, pkt);
        growbuf_consume(&dir->pending, 2 + msg_len);
    }
}

/* Plain HTTP: the first request head and the head of its answer are all we
 * read (who was asked for what, and the status); bodies are never copied. */
static void on_http_data(struct stream_dissector *s, struct stream_conn *sc, struct tcp_conn *c,
                         int sender, const uint8_t *data, size_t len, const struct packet_view *pkt)
{
    bool is_request = !sc->request_done;
    if (!is_request && sender == sc->requester)
        return;
    if (is_request && sc->dir[sender].pending.len == 0 && !http_looks_like_request(data, len))
        return;
    struct stream_direction *dir = &sc->dir[sender];
    if (!collect(dir, data, len, s->limits.max_http_header)) {
        sc->kind = STREAM_OTHER;
        return;
    }
    struct event ev = { .length = 0 };
    struct http_request req;
    struct http_response resp;
    enum parse_status st;
    if (is_request) {
        st = http_parse_request(dir->pending.data, dir->pending.len, &req);
        ev.type = EV_HTTP_REQUEST;
        ev.u.connect_request = &req;
    } else {
        st = http_parse_response_head(dir->pending.data, dir->pending.len, &resp);
        ev.type = EV_HTTP_RESPONSE;
        ev.u.connect_response = &resp;
    }
    if (st == PARSE_TRUNCATED)
        return;
    if (st == PARSE_OK) {
        if (is_request) {
            sc->request_done = true;
            sc->requester = (int8_t)sender;
            conn_settle_client(c, sender, ROLE_FROM_MESSAGE);
        }
        emit(s, &ev, c, sender, pkt);
    }
    growbuf_free(&dir->pending);
    if (st != PARSE_OK || !is_request)
        sc->kind = STREAM_OTHER; /* done with this connection */
}

static bool is_dns_port(uint16_t port) { return port == PORT_DNS; }

static void on_tls_data(struct stream_dissector *s, struct stream_conn *sc, struct tcp_conn *c,
                        int sender, const uint8_t *data, size_t len, const struct packet_view *pkt,
                        bool segment_start)
{
    feed_tls(s, sc, c, sender, data, len, pkt, segment_start);
}

static void on_dns_data(struct stream_dissector *s, struct stream_conn *sc, struct tcp_conn *c,
                        int sender, const uint8_t *data, size_t len, const struct packet_view *pkt,
                        bool segment_start)
{
    (void)segment_start;
    on_dns_tcp_data(s, sc, c, sender, data, len, pkt);
}

static void on_plain_http_data(struct stream_dissector *s, struct stream_conn *sc, struct tcp_conn *c,
                               int sender, const uint8_t *data, size_t len,
                               const struct packet_view *pkt, bool segment_start)
{
    (void)segment_start;
    on_http_data(s, sc, c, sender, data, len, pkt);
}

static bool dns_by_port(const struct tcp_conn *c, const uint8_t *data, size_t len, bool first)
{
    (void)data, (void)len, (void)first;
    return is_dns_port(c->ep[0].port) || is_dns_port(c->ep[1].port);
}

static bool connect_by_content(const struct tcp_conn *c, const uint8_t *data, size_t len, bool first)
{
    (void)c;
    return first && len >= 8 && http_looks_like_connect(data, len);
}

static bool http_by_content(const struct tcp_conn *c, const uint8_t *data, size_t len, bool first)
{
    (void)c;
    return first && len >= 8 && http_looks_like_request(data, len);
}

static bool tls_by_content(const struct tcp_conn *c, const uint8_t *data, size_t len, bool first)
{
    (void)c;
    return tls_looks_like_start(data, len, first);
}

static const char *connect_name(const struct stream_conn *sc)
{
    return sc->tunnel_open ? "connect+tls" : "connect";
}

/* The stream dissectors, in the order they are tried on a connection's
 * bytes: a new one is a grammar of its own and a row here. by_port rows
 * are tried on any bytes; the others on a segment's start, after a PROXY
 * protocol header. */
struct stream_protocol {
    const char *name;
    bool by_port;
    bool (*recognise)(const struct tcp_conn *c, const uint8_t *data, size_t len, bool first);
    void (*on_data)(struct stream_dissector *s, struct stream_conn *sc, struct tcp_conn *c, int sender,
                    const uint8_t *data, size_t len, const struct packet_view *pkt, bool segment_start);
    const char *(*describe)(const struct stream_conn *sc);   /* NULL: name */
};

static const struct stream_protocol protocols[STREAM_KIND_COUNT] = {
    [STREAM_DNS] = { "dns", true, dns_by_port, on_dns_data, NULL },
    [STREAM_CONNECT] = { "connect", false, connect_by_content, on_connect_data, connect_name },
    [STREAM_HTTP] = { "http", false, http_by_content, on_plain_http_data, NULL },
    [STREAM_TLS] = { "tls", false, tls_by_content, on_tls_data, NULL },
};

static void recognised(struct stream_dissector *s, struct stream_conn *sc, enum stream_kind kind)
{
    sc->kind = (uint8_t)kind;
    if (kind == STREAM_TLS)
        s->stats.tls_conns++;
}

/* Decides what a connection carries from the bytes of a segment. */
static void classify(struct stream_dissector *s, struct stream_conn *sc, struct tcp_conn *c,
                     const uint8_t **data, size_t *len, bool first, bool segment_start)
{
    for (int k = STREAM_FIRST_PROTOCOL; k < STREAM_KIND_COUNT; k++)
        if (protocols[k].by_port && protocols[k].recognise(c, *data, *len, first)) {
            recognised(s, sc, (enum stream_kind)k);
            return;
        }
    if (!segment_start)
        return;
    if (first) {
        size_t proxy_len = proxy_protocol_header_len(*data, *len);
        *data += proxy_len;
        *len -= proxy_len;
    }
    for (int k = STREAM_FIRST_PROTOCOL; k < STREAM_KIND_COUNT; k++)
        if (!protocols[k].by_port && protocols[k].recognise(c, *data, *len, first)) {
            recognised(s, sc, (enum stream_kind)k);
            return;
        }
}

static bool is_protocol(uint8_t kind) { return kind >= STREAM_FIRST_PROTOCOL && kind < STREAM_KIND_COUNT; }

void stream_on_data(void *ctx, struct tcp_conn *c, int sender, const uint8_t *data, size_t len,
                    const struct packet_view *pkt, bool segment_start)
{
    struct stream_dissector *s = ctx;
    struct stream_conn *sc = conn_state(c);
    if (!sc)
        return;
    bool first = !sc->dir[sender].seen_payload;
    sc->dir[sender].seen_payload = true;
    if (sc->kind == STREAM_UNKNOWN)
        classify(s, sc, c, &data, &len, first, segment_start);
    if (is_protocol(sc->kind))
        protocols[sc->kind].on_data(s, sc, c, sender, data, len, pkt, segment_start);
}

void stream_on_gap(void *ctx, struct tcp_conn *c, int sender, uint64_t missing,
                   const struct packet_view *pkt, bool cut)
{
    struct stream_dissector *s = ctx;
    struct stream_conn *sc = c->app;
    struct event ev = { .type = EV_STREAM_GAP, .length = (uint32_t)(missing > UINT32_MAX ? UINT32_MAX : missing),
                        .u.cut = cut };
    emit(s, &ev, c, sender, pkt);
    if (!sc)
        return;
    sc->dir[sender].pending.len = 0;
    if (sc->kind == STREAM_TLS || sc->tunnel_open) {
        struct tls_feed_ctx x = { &s->sink, &s->limits.tls, &sc->tls, c, sender, pkt, s->keyring };
        tls_gap(&x, missing);
    }
}

void stream_on_datagram(struct stream_dissector *s, const struct packet_view *pkt)
{
    bool dns = is_dns_port(pkt->sport) || is_dns_port(pkt->dport) || pkt->sport == PORT_MDNS ||
               pkt->dport == PORT_MDNS;
    if (dns)
        emit_dns(s, pkt->payload, pkt->payload_len, false, pkt->payload_len < pkt->payload_wire_len, NULL, 0,
                 pkt);
}

const char *stream_kind_name(const struct tcp_conn *c)
{
    const struct stream_conn *sc = c->app;
    if (!sc)
        return "none";
    if (sc->kind == STREAM_OTHER)
        return "other";
    if (!is_protocol(sc->kind))
        return "unknown";
    const struct stream_protocol *p = &protocols[sc->kind];
    return p->describe ? p->describe(sc) : p->name;
}

const struct tls_session *stream_tls_session(const struct tcp_conn *c)
{
    const struct stream_conn *sc = c->app;
    if (!sc || (sc->kind != STREAM_TLS && !sc->tunnel_open))
        return NULL;
    return &sc->tls;
}
