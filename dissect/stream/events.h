/* What the dissectors tell the rest of the program.
 *
 * Dissectors never print: they emit events to one sink. An event's pointers
 * are valid only during the sink call. Connection events carry the TCP
 * connection; the sender is an index into conn->ep (not yet a role), so
 * consumers decide client/server with conn_client().
 */
#ifndef TLSDIAG_EVENTS_H
#define TLSDIAG_EVENTS_H

#include "tcp_reasm.h"
#include "tls_msg.h"
#include "http.h"
#include "dns.h"

enum event_type {
    EV_CLIENT_HELLO,
    EV_SERVER_HELLO,          /* also HelloRetryRequest: see server_hello->is_hello_retry_request */
    EV_CERTIFICATE,
    EV_HANDSHAKE_OTHER,       /* a plaintext handshake message we do not dissect further */
    EV_CHANGE_CIPHER_SPEC,
    EV_ALERT,
    EV_APPLICATION_DATA,      /* one record; only its length is known */
    EV_ENCRYPTED_HANDSHAKE,   /* a handshake record after ChangeCipherSpec, or TLS 1.3 */
    EV_TLS_MALFORMED,         /* a record or message that contradicts the grammar */
    EV_TLS_LIMIT,             /* a message larger than the handshake buffer cap */
    EV_CONNECT_REQUEST,
    EV_CONNECT_RESPONSE,
    EV_TCP,                   /* SYN, SYN-ACK, FIN, RST ... see tcp_kind */
    EV_STREAM_GAP,            /* bytes the capture does not have: lost, or cut (see u.cut) */
    EV_CONN_END,              /* the connection leaves the table; its facts are final */
    EV_DNS,                   /* a DNS query or response (UDP or TCP) */
    EV_HTTP_REQUEST,          /* a plain HTTP request head (e.g. an OCSP or CRL fetch) */
    EV_HTTP_RESPONSE,         /* ... and the head of its response */
};

struct tls_alert {
    bool encrypted;
    uint8_t level;
    uint8_t description;
    uint16_t record_len;
};

struct tls_certificate_msg {
    const uint8_t *body;      /* the message body, for x509_parse_certificate_message */
    size_t len;
    bool tls13;
};

struct dns_event {
    const struct dns_message *msg;
    bool over_tcp;
    uint8_t ip_version;
    const uint8_t *src, *dst; /* 16-byte addresses */
    uint16_t sport, dport;
    /* A message a snapshot length cut: its header and question are whole,
     * the records after them may be missing (msg->answers_kept of them were
     * read whole). */
    bool cut;
};

struct event {
    enum event_type type;
    uint64_t frame;
    int64_t ts_ns;
    struct tcp_conn *conn;    /* NULL for DNS over UDP */
    int sender;               /* index into conn->ep */
    uint16_t record_version;  /* TLS record layer version of the record */
    uint8_t handshake_type;   /* for handshake events */
    uint32_t length;          /* record or message length, gap size */
    union {
        const struct tls_client_hello *client_hello;
        const struct tls_server_hello *server_hello;
        const struct tls_certificate_msg *certificate;
        const struct tls_alert *alert;
        const struct http_request *connect_request;   /* also EV_HTTP_REQUEST */
        const struct http_response *connect_response; /* also EV_HTTP_RESPONSE */
        const struct dns_event *dns;
        enum tcp_event_kind tcp_kind;
        const char *problem;  /* EV_TLS_MALFORMED / EV_TLS_LIMIT: what and why */
        bool cut;             /* EV_STREAM_GAP: a snapshot length cut the bytes off the
                               * frame (the capture's choice), rather than lost */
    } u;
};

struct event_sink {
    void *ctx;
    void (*emit)(void *ctx, const struct event *ev);
};

#endif
