/* TLS record layer and handshake reassembly, one state per direction.
 *
 * Bytes arrive in stream order in arbitrary chunks. Records are followed by
 * their headers; only the bodies we must read (plaintext handshake, 2-byte
 * alerts, ChangeCipherSpec) are copied, everything else is skipped by
 * arithmetic, so after the handshake no payload is copied at all. Handshake
 * messages are reassembled across records up to a cap. A direction that
 * meets bytes that are not a record header is out of sync and waits for the
 * next TCP segment that starts with a plausible record header, as tshark
 * does; a gap inside a record we were skipping costs nothing.
 *
 * With a key log (struct tls_keyring, NULL without one: then nothing here
 * costs anything more) a connection whose Client Hello random has an entry
 * gets a struct tls_crypto, and only then are its protected records copied
 * and decrypted: TLS 1.3 handshake flights, alerts and post-handshake
 * messages, TLS 1.2 AEAD records after each ChangeCipherSpec (Finished,
 * alerts). Decrypted messages are the same events as plaintext ones, with
 * ev->decrypted set; application data is decrypted only to learn its inner
 * type, then wiped, never handed on.
 */
#ifndef TLSDIAG_TLS_H
#define TLSDIAG_TLS_H

#include "events.h"
#include "growbuf.h"

#define TLS_MAX_RECORD_LEN (16384u + 2048u)      /* RFC 5246 6.2.3 ciphertext limit */

struct tls_limits {
    uint32_t max_handshake_message;   /* bytes of one handshake message we collect */
};

enum tls_format { TLS_FORMAT_UNKNOWN, TLS_FORMAT_V3, TLS_FORMAT_SSLV2 };

struct tls_direction {
    bool started;                   /* bytes (or a gap) came this way */
    uint8_t format;                 /* enum tls_format */
    uint8_t decrypt_types;          /* bit (type - 20): content types decrypted now (keys only) */
    bool record_with_header;        /* record holds the 5-byte header before the body */
    bool in_sync;
    bool ccs_seen;
    bool encrypted_from_now;        /* TLS 1.3 server after its ServerHello */
    bool in_record;
    bool copying;                   /* this record's body is being collected */
    bool malformed_reported;
    uint8_t header[5];
    uint8_t header_have;
    uint8_t content_type;
    uint16_t record_version;
    uint32_t record_len, record_done;
    struct growbuf record;
    struct growbuf handshake;       /* a message that spans records */
    uint64_t skip_handshake;        /* bytes left of a message over the cap */
    uint64_t records;
};

struct tls_session {
    struct tls_direction dir[2];    /* indexed by sender (conn->ep index) */
    uint16_t version;               /* negotiated, from the ServerHello */
    /* A HelloRetryRequest or a ServerHello chose TLS 1.3 (or a draft): a
     * ChangeCipherSpec is then only the middlebox-compatibility record and
     * switches nothing (RFC 8446 D.4). */
    bool tls13;
    /* TLS 1.3 without keys: which opaque records are still handshake. */
    uint16_t cipher_suite;          /* from the ServerHello */
    bool server_hello_tls13;        /* a ServerHello (not a retry) chose 1.3 */
    int8_t server_sender;           /* conn->ep index of the ServerHello's sender */
    bool client_flight_started, client_flight_done;
    uint8_t client_flight_records;
    struct tls_crypto *crypto;      /* keys of this connection; NULL without */
};

struct keylog;

/* The key log a pass decrypts with, and one record's plaintext. Owned by
 * the stream dissector; NULL in the feed context when there are no keys. */
struct tls_keyring {
    struct keylog *store;
    uint8_t *scratch;               /* TLS_MAX_RECORD_LEN bytes, allocated on first use */
    uint64_t conns_with_keys;       /* connections whose client random has entries */
};

/* Everything a feed call needs to know about where the bytes came from. */
struct tls_feed_ctx {
    const struct event_sink *sink;
    const struct tls_limits *limits;
    struct tls_session *session;
    struct tcp_conn *conn;
    int sender;
    const struct packet_view *pkt;
    struct tls_keyring *keys;       /* NULL: no key log */
};

/* A direction whose first bytes are not a TLS record (an HTTP status line,
 * an SSH banner, anything else) is told once with EV_NOT_TLS. */
void tls_feed(struct tls_feed_ctx *x, const uint8_t *data, size_t len, bool segment_start);
void tls_gap(struct tls_feed_ctx *x, uint64_t missing);
void tls_session_free(struct tls_session *s);
void tls_keyring_free(struct tls_keyring *k);   /* the scratch; not the store */

/* Does a TCP payload start with a TLS record? first_payload: the direction's
 * first bytes, where any record type counts; later only a handshake record
 * that begins a Client or Server Hello does (tshark's heuristic). */
bool tls_looks_like_start(const uint8_t *p, size_t len, bool first_payload);

#endif
