/* Stream dissectors: decide what a TCP connection carries and hand its bytes
 * to the right grammar.
 *
 * TLS is found by content, never by port: a direction's first payload that
 * starts with a TLS record, or a later segment that starts a Client or Server
 * Hello (which covers STARTTLS and SOCKS), after a PROXY protocol header, or
 * inside an HTTP CONNECT tunnel once the proxy answered 2xx. DNS is parsed on
 * port 53, over UDP and over TCP.
 */
#ifndef TLSDIAG_STREAM_H
#define TLSDIAG_STREAM_H

#include "tls.h"

struct stream_limits {
    struct tls_limits tls;
    uint32_t max_http_header;      /* bytes of a CONNECT request/response head */
    uint32_t max_dns_tcp_message;
};

struct stream_stats {
    uint64_t tls_conns, connect_tunnels, dns_messages, dns_malformed;
    uint64_t tls_conns_with_keys;   /* their Client Hello random is in the key log */
};

struct stream_dissector {
    struct event_sink sink;
    struct stream_limits limits;
    struct stream_stats stats;
    struct dns_message dns_scratch;  /* large; reused for every message */
    struct tls_keyring keys;         /* the key log, when there is one */
    struct tls_keyring *keyring;     /* &keys when the key log has entries, else NULL */
};

void stream_default_limits(struct stream_limits *limits);
void stream_init(struct stream_dissector *s, const struct event_sink *sink,
                 const struct stream_limits *limits);
/* The key log TLS records are decrypted with (NULL: none, and nothing is
 * spent on decryption). Before the first byte. The store may still be
 * empty then and be filled while the capture is read (a pcapng file's
 * secrets blocks, key_sources.h); until it is, each Client Hello costs a
 * lookup that finds nothing. */
void stream_set_keys(struct stream_dissector *s, struct keylog *store);
/* Frees what the dissector allocated for itself (not per connection). */
void stream_finish(struct stream_dissector *s);

/* Reassembler callbacks (struct reasm_callbacks); ctx is the stream_dissector. */
void stream_on_data(void *ctx, struct tcp_conn *c, int sender, const uint8_t *data, size_t len,
                    const struct packet_view *pkt, bool segment_start);
void stream_on_gap(void *ctx, struct tcp_conn *c, int sender, uint64_t missing,
                   const struct packet_view *pkt, bool cut);
/* Frees the connection's dissector state. */
void stream_release(struct stream_dissector *s, struct tcp_conn *c);

/* A UDP datagram: DNS on port 53 (and 5353 multicast DNS). A response cut
 * by the snapshot length is still passed on when its question is whole
 * (struct dns_event.cut). */
void stream_on_datagram(struct stream_dissector *s, const struct packet_view *pkt);

/* What the connection turned out to carry, for reports. */
const char *stream_kind_name(const struct tcp_conn *c);
/* The TLS state of a connection, or NULL when it is not TLS. */
const struct tls_session *stream_tls_session(const struct tcp_conn *c);

#endif
