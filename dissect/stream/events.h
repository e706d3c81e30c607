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
    EV_ENCRYPTED_HANDSHAKE,   /* a handshake record after ChangeCipherSpec, or TLS 1.3's flights (tls_phase) */
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
    EV_TLS_DECRYPTION,        /* with a key log: a secret used, or why records were not decrypted */
    EV_NOT_TLS,               /* a direction of a TLS connection begins with bytes that are not TLS */
};

/* Where an opaque TLS 1.3 record (content type 23) falls in the handshake,
 * from the record layer's view of both directions: the server's encrypted
 * flight (everything it sends before the client's first encrypted record),
 * the client's second flight (up to its Finished-sized record), then
 * application data (and post-handshake messages, such as session tickets,
 * that only keys can tell apart). TLS <= 1.2 records have no phase.
 * With keys the phases are exact, and a decrypted handshake record after
 * its sender's Finished (NewSessionTicket, KeyUpdate) is POST_HANDSHAKE:
 * not application data. */
enum tls_record_phase {
    TLS_PHASE_NONE,
    TLS_PHASE_SERVER_FLIGHT,
    TLS_PHASE_CLIENT_FLIGHT,
    TLS_PHASE_AFTER_HANDSHAKE,
    TLS_PHASE_POST_HANDSHAKE,
};

/* EV_TLS_DECRYPTION: what happened to a connection's decryption, from the
 * sender's side (ev->sender). Never a secret: a key log entry is named by
 * its source (the caller's number for a --keylog file or a Decryption
 * Secrets Block) and line. */
enum tls_decryption_what {
    TLS_DECRYPTION_SECRET_USED,       /* a key log line decrypted its first record */
    TLS_DECRYPTION_UNSUPPORTED_SUITE, /* keys exist, the suite is not an AEAD one we decrypt */
    TLS_DECRYPTION_RECORDS_MISSING,   /* a capture hole: the sequence numbers are lost */
    TLS_DECRYPTION_AUTH_FAILED,       /* a record did not authenticate with the key log's secret */
    TLS_DECRYPTION_KEY_UPDATE,        /* a KeyUpdate: later records of the sender are not decrypted */
    TLS_DECRYPTION_NO_SECRET,         /* the key log lacks the secret this direction needs next */
};

struct tls_decryption_note {
    uint8_t what;             /* enum tls_decryption_what */
    uint8_t label;            /* enum keylog_label: the secret used or missing */
    uint16_t cipher_suite;
    uint32_t source, line;    /* SECRET_USED: where the key log line is */
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

/* EV_NOT_TLS: what a peer answers instead of TLS, by its first bytes. */
enum not_tls_kind { NOT_TLS_OTHER, NOT_TLS_HTTP, NOT_TLS_SSH };

struct not_tls_reply {
    uint8_t kind;             /* enum not_tls_kind */
    const uint8_t *bytes;     /* the segment's bytes from the first on */
    size_t len;
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
    uint8_t tls_phase;        /* enum tls_record_phase: EV_ENCRYPTED_HANDSHAKE, EV_APPLICATION_DATA */
    bool decrypted;           /* read from an encrypted record with key log secrets */
    uint32_t length;          /* record or message length, gap size */
    /* The IP header of the packet that completed the event (not set for
     * EV_CONN_END): a packet another device forges in a peer's name tends
     * to differ from the peer's own in TTL and identification. */
    uint8_t ip_ttl;
    bool has_ip_id;
    uint16_t ip_id;
    union {
        const struct tls_client_hello *client_hello;
        const struct tls_server_hello *server_hello;
        const struct tls_certificate_msg *certificate;
        /* EV_HANDSHAKE_OTHER of a plaintext ServerKeyExchange whose suite
         * carries DH or ECDH parameters; NULL for every other message. */
        const struct tls_server_key_exchange *server_key_exchange;
        const struct tls_alert *alert;
        const struct http_request *connect_request;   /* also EV_HTTP_REQUEST */
        const struct http_response *connect_response; /* also EV_HTTP_RESPONSE */
        const struct dns_event *dns;
        enum tcp_event_kind tcp_kind;
        const char *problem;  /* EV_TLS_MALFORMED / EV_TLS_LIMIT: what and why */
        const struct tls_decryption_note *decryption;   /* EV_TLS_DECRYPTION */
        const struct not_tls_reply *not_tls;            /* EV_NOT_TLS */
        bool cut;             /* EV_STREAM_GAP: a snapshot length cut the bytes off the
                               * frame (the capture's choice), rather than lost */
    } u;
};

/* The event's frame, time and IP header fields, from the packet that completed it. */
static inline void event_at_packet(struct event *ev, const struct packet_view *pkt)
{
    ev->frame = pkt->frame;
    ev->ts_ns = pkt->ts_ns;
    ev->ip_ttl = pkt->ip_ttl;
    ev->has_ip_id = pkt->has_ip_id;
    ev->ip_id = pkt->ip_id;
}

struct event_sink {
    void *ctx;
    void (*emit)(void *ctx, const struct event *ev);
};

#endif
