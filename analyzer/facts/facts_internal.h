/* What the files of the facts builder share; facts.h is the interface.
 * Included only inside analyzer/facts: the rest of the program sees the
 * builder as an opaque struct, so these records can change freely.
 *
 * A pass flows through the files in this order: facts.c dispatches each
 * event; facts_names.c and facts_dns.c follow DNS; facts_tls.c,
 * facts_proxy.c and facts_tcp.c fold a connection's events into its
 * conn_track; keep.c decides at a connection's end whether it is kept (and
 * which may hold facts while open); facts_conn.c makes a kept connection's
 * JSON, with verdict.c's outcome; summaries.c the capture-wide parts. */
#ifndef TLSDIAG_FACTS_INTERNAL_H
#define TLSDIAG_FACTS_INTERNAL_H

#include "facts.h"
#include "classify.h"
#include "json_build.h"
#include "timestamp.h"
#include "addr.h"

enum side { SIDE_CLIENT = 0, SIDE_SERVER = 1 };

static inline const char *side_name(int side) { return side == SIDE_CLIENT ? "client" : "server"; }

/* A moment of a connection as its facts give it (the *time_ms facts):
 * milliseconds from the connection's first packet, so a report can place
 * each frame it names on the connection's time line. */
static inline void json_add_conn_time(cJSON *o, const char *literal_key, int64_t ts_ns, int64_t conn_first_ts)
{
    json_add_ms(o, literal_key, timestamp_between(ts_ns, conn_first_ts));
}

/* The names a connection gives its server, from its own bytes. */
struct conn_names {
    char sni[256];
    char connect_host[256];
    char http_host[256];
};

/* The reassembler's counters of one direction, as the facts report them. */
struct direction_counts {
    uint64_t packets, payload_packets, bytes_delivered, gap_bytes;
    uint32_t syn_count, retransmissions, dup_acks, zero_windows, gaps;
    bool limit_hit;
    uint64_t limit_frame;
    uint32_t cuts;                 /* segments a snapshot length cut */
    uint64_t cut_bytes, first_cut_frame;
    uint64_t acked_all_frame;      /* this side's ACK of all the peer passed on (0: none) */
    uint64_t unseen_bytes, stranded_bytes;   /* struct half_shortfall at the end */
};

/* What the facts need of a tcp_conn after the reassembler frees it, by role
 * (enum side): a kept connection's JSON is made at the end of the capture. */
struct conn_snapshot {
    uint64_t id;
    uint8_t ip_version;
    struct endpoint end[2];
    struct direction_counts sent[2];
    uint64_t first_frame, last_frame;
    int64_t first_ts, last_ts;
    /* Neither side's SYN is in the capture: the connection was open before
     * it began (a capture started mid-connection). */
    bool open_at_start;
};

/* Whether a snapshot length cut payload bytes of the connection, and the
 * first frame it did so in (0: none). */
static inline uint64_t conn_first_cut_frame(const struct conn_snapshot *c)
{
    uint64_t a = c->sent[0].first_cut_frame, b = c->sent[1].first_cut_frame;
    return !a ? b : !b ? a : a < b ? a : b;
}

/* An HTTP status as the verdict and the summaries read it, besides its JSON. */
struct http_answer {
    bool seen;
    uint16_t status;
    uint64_t frame;
};

static inline bool http_success(const struct http_answer *a)
{
    return a->status >= 200 && a->status < 300;
}

/* What we follow of one connection while the pass runs: counters, the
 * hellos as plain records (hello_facts.h), and the few rarer parts
 * (certificates, alerts, CONNECT, HTTP) as JSON as they arrive. */
struct conn_track {
    cJSON *tls;                    /* "tls" facts, NULL until a TLS event */
    cJSON *proxy;                  /* "proxy" facts, NULL until a CONNECT */
    cJSON *http;                   /* "http" facts of a plain HTTP exchange */
    struct conn_names *names;      /* with the facts: NULL until they are built */
    /* TLS (facts_tls.c) */
    struct client_hello_facts *client_hello;   /* the first; JSON only in the report */
    uint32_t client_hello_count;
    struct server_hello_facts *server_hello;
    struct pending_certificate {   /* by side: the message, made JSON in the report */
        uint8_t *raw;
        size_t len;
        bool tls13;
        bool decrypted;            /* read from encrypted records with keys */
        uint64_t frame;            /* 0: none kept */
        int64_t ts_ns;
    } certificate[2];
    struct {                       /* the ServerKeyExchange's DH/ECDH parameters */
        uint64_t frame;            /* 0: none read */
        uint8_t kx;                /* enum tls_kx */
        bool has_dh_bits, has_group, malformed;
        uint32_t dh_bits;
        uint16_t group;
    } key_exchange;
    int64_t client_hello_ts, server_hello_ts;
    uint8_t server_hello_ttl;      /* the IP TTL of the packet that completed it */
    const char *last_message;      /* handshake message names are static strings */
    int64_t last_message_ts;
    uint64_t last_message_frame;
    uint64_t ccs_frame[2];
    int64_t ccs_ts[2];
    uint64_t app_bytes[2], app_records[2], app_first_frame[2], app_last_frame[2];
    int64_t app_first_ts[2], app_last_ts[2];
    uint64_t server_app_after_client_app;    /* TLS 1.3: the server answered the client */
    uint64_t app_prev_frame[2];    /* the application record before the last, by side */
    /* TLS 1.3 without keys: opaque records by the record layer's phase. */
    uint64_t enc_hs_bytes[2], enc_hs_records[2], enc_hs_first_frame[2];
    int64_t enc_hs_first_ts[2];
    struct opaque_record {
        uint64_t frame;
        int64_t ts_ns;
        uint32_t len;
        uint8_t phase;             /* enum tls_record_phase; TLS_PHASE_NONE: none yet */
    } last_opaque[2];
    /* The server's leading small records after the client's flight: session
     * tickets when the answer follows them (see count_likely_tickets). */
    uint32_t ticket_run_records;
    uint64_t ticket_run_bytes, ticket_run_first_frame;
    int64_t ticket_run_first_ts;
    bool ticket_run_over;
    uint64_t tickets_records, tickets_bytes, tickets_first_frame;
    int64_t tickets_first_ts;
    uint64_t alert_records[2];
    uint64_t first_alert_frame[2];
    uint64_t first_fatal_alert_frame;
    bool tls13;
    bool handshake_done;
    int64_t handshake_done_ts;
    struct decryption_track *decryption;   /* facts_decrypt.c; NULL without keys */
    /* TCP (facts_tcp.c) */
    uint64_t syn_frame, synack_frame, rst_frame, fin_frame[2];
    int64_t syn_ts, synack_ts, rst_ts, fin_ts[2];
    int rst_side;
    /* The IP headers of the SYN-ACK and the first RST: a RST whose TTL is
     * not the SYN-ACK's came from another device than the server's stack. */
    uint8_t synack_ttl, rst_ttl;
    bool rst_has_ip_id;
    uint16_t rst_ip_id;
    uint64_t gap_frame;            /* the first capture hole (lost bytes, not cut ones) */
    /* CONNECT and plain HTTP (facts_proxy.c) */
    struct http_answer connect_answer;   /* the latest CONNECT response */
    struct http_answer http_answer;      /* the first response to the latest plain HTTP request */
    /* The budget (keep.c) */
    bool detailed;                 /* counted in facts_builder.detailed_open[pool] ... */
    uint8_t pool;
    bool left_budget;              /* ... until it closed */
    bool without_facts;            /* over --max-open-tls: only counted */
};

/* A connection kept for the report, until the report is made: its track
 * and the reassembler's view at its end. Its JSON is made only if it is
 * still kept when the capture ends: most connections of a long capture are
 * dropped from the sample before that. */
struct conn_record {
    struct conn_snapshot conn;
    struct flow_class class;
    bool classified;
    struct conn_track *t;
    bool has_server_name;
    char server_name[DNS_NAME_MAX];
    const char *name_source, *matched_by;   /* static strings */
};

/* A target given as an address or a prefix (facts_names.c). */
struct addr_target {
    uint8_t ip_version;
    uint8_t bits;                  /* prefix length; 32 or 128 for an address */
    uint8_t addr[16];
};

struct lookup_slot {
    uint8_t addr[16];
    uint8_t ip_version;
    char name[DNS_NAME_MAX];
};

/* Which connections' facts are kept when a capture holds more than fit: the
 * first and the latest of each outcome, failed and the rest apart, so a
 * failure late in a long capture of successes (or the one success after
 * many failures) is never lost, and memory does not grow with the capture.
 * The counts of what was seen stay exact. */
#define SAMPLE_FIRST 32
#define SAMPLE_LATEST 96

struct sample_group {
    struct conn_record *first[SAMPLE_FIRST];
    uint32_t first_count;
    struct conn_record *latest[SAMPLE_LATEST];  /* a ring: latest_next is the oldest once full */
    uint32_t latest_count, latest_next;
};

enum sample_outcome { OUTCOME_FAILED, OUTCOME_OTHER, OUTCOME_COUNT };

struct conn_sample {
    struct sample_group group[OUTCOME_COUNT];
    uint64_t seen;
    /* Of every connection seen (kept or not), by verdict. */
    uint64_t succeeded, failed, unknown;
};
_Static_assert(OUTCOME_COUNT * (SAMPLE_FIRST + SAMPLE_LATEST) == FACTS_MAX_KEPT_CONNS, "facts.h's cap");

/* One entry of facts_builder.lookups, as answers are matched on it and the
 * summaries read it. */
struct pending_lookup {
    uint16_t id, qtype;
    bool answered, query_seen;
    bool response_cut;             /* a snapshot length cut the response: answers may be missing */
    bool of_target;                /* else of a revocation host */
    uint8_t rcode;
    uint8_t answers_listed;        /* the entry's "answers" */
    const char *name;              /* the entry's own "name" string */
    cJSON *entry;
    int64_t query_ts_ns;
    uint64_t query_frame, response_frame;
    uint8_t server_ip_version;     /* the DNS server asked (or that answered) */
    uint8_t server[16];
};

/* A connection that never got past its SYN. */
struct failed_connect {
    uint8_t ip_version;
    struct endpoint server;
    char *server_name;             /* owned; NULL: none known */
    uint64_t syn_frame, rst_frame;
    uint32_t syn_count;
    bool refused;                  /* the server reset it */
    bool proxy_port;               /* to one of facts_options.proxy_ports */
};

/* A lookup, connect or plain HTTP fetch that failed, of a name that is
 * neither a target's nor a revocation host's of the profile: the client's
 * revocation check (OCSP, CRL) when it falls inside a handshake the client
 * then gave up (summaries.c matches them to handshake_window). */
#define SIDE_FAILURE_HOST_MAX 256
#define SIDE_FAILURES_MAX 64
#define OTHER_LOOKUPS_PENDING 32

struct side_failure {
    uint8_t ip_version;
    uint8_t client[16];            /* the address that asked */
    uint64_t start_frame;          /* the query, SYN or connection's first packet */
    uint64_t frame;                /* what shows the failure */
    const char *how;               /* static: "dns", "dns_no_answer", "tcp" or "http" */
    char detail[32];
    char host[SIDE_FAILURE_HOST_MAX];   /* the name, else the address */
    char server[CONN_TEXT_MAX];    /* address:port; "" for a lookup */
};

/* A lookup of another name, waiting for its answer. */
struct other_lookup {
    bool open;
    uint16_t id, qtype;
    uint8_t ip_version;
    uint8_t client[16];
    uint64_t frame;
    char name[SIDE_FAILURE_HOST_MAX];
};

/* A kept connection whose handshake failed after the server's first
 * flight: from its Server Hello to the client's first alert, FIN or RST
 * (UINT64_MAX: the client never gave up within the capture). */
struct handshake_window {
    uint64_t conn_id, from_frame, to_frame;
    bool fetch_failed;             /* a connect or HTTP fetch in it failed (summaries.c) */
    uint8_t ip_version;
    uint8_t client[16];
};

struct facts_builder {
    struct facts_options opt;
    struct addr_target *addr_targets;   /* the targets that are addresses or prefixes */
    size_t addr_target_count;
    bool every_tls_target;         /* "*": every TLS connection, named or not */
    struct cert_cache *certs;
    struct lookup_slot *names;     /* address -> name, open addressing */
    uint32_t name_count;
    cJSON *lookups;                /* DNS lookups of targets and revocation hosts */
    struct pending_lookup lookup_index[FACTS_MAX_LOOKUPS];
    uint32_t lookup_count;
    uint32_t other_lookups, other_failed_lookups;
    struct conn_sample targets;    /* connection facts of target connections */
    struct conn_sample generic;    /* TLS connections kept while no target is seen */
    struct failed_connect failed_connects[FACTS_MAX_FAILED_CONNECTS];   /* the first */
    uint32_t failed_connect_count;
    struct conn_record *revocation_conns[FACTS_MAX_FAILED_CONNECTS];   /* the latest, oldest first */
    uint32_t revocation_conn_count;
    struct side_failure side_failures[SIDE_FAILURES_MAX];   /* the latest: a ring */
    uint32_t side_failure_count, side_failure_next;
    struct other_lookup other_lookups_pending[OTHER_LOOKUPS_PENDING];   /* a ring */
    uint32_t other_lookup_next;
    struct handshake_window windows[FACTS_MAX_KEPT_CONNS];
    uint32_t window_count;
    uint64_t conns_seen, tls_conns_seen;
    /* Open connections with TLS/CONNECT/HTTP facts, in two pools of
     * max_detailed_open each: those that name a target when their facts
     * start (SNI, CONNECT target, DNS name of the server), and the rest, so
     * a busy capture's other traffic never crowds out the server's. */
    uint32_t detailed_open[2];
    uint32_t max_detailed_open;
    uint64_t conns_without_facts;
    uint32_t cut_snaplen;          /* bytes kept of each cut frame, for the report (0: unknown) */
};

/* facts.c */
void track_free(struct facts_builder *fb, struct conn_track *t);

/* facts_names.c: the server name of an address, from DNS answers */
const char *name_for_addr(const struct facts_builder *fb, const uint8_t *addr, uint8_t ip_version);
/* The addresses a successful response answers, under its question's name. */
void remember_answers(struct facts_builder *fb, const struct dns_message *m);
/* A name or an address literal ("192.0.2.1", "2001:db8::1") that is a target. */
bool is_target_name(const struct facts_builder *fb, const char *name);
/* The server's address is a target (an address or in a prefix given). */
bool is_target_addr(const struct facts_builder *fb, uint8_t ip_version, const uint8_t *addr);
/* The targets that are addresses, prefixes or "*", from fb->opt.hosts;
 * false when out of memory. */
bool targets_init(struct facts_builder *fb);
bool is_revocation_name(const struct facts_builder *fb, const char *name);

/* facts_dns.c */
void on_dns(struct facts_builder *fb, const struct event *ev);

/* facts_tls.c: the TLS events; side is enum side */
void on_client_hello(struct conn_track *t, const struct event *ev);
void on_server_hello(struct conn_track *t, const struct event *ev);
void on_certificate(struct facts_builder *fb, struct conn_track *t, const struct event *ev, int side);
void on_handshake_other(struct conn_track *t, const struct event *ev);
void on_change_cipher_spec(struct conn_track *t, const struct event *ev, int side);
void on_encrypted_handshake(struct conn_track *t, const struct event *ev, int side);
void on_alert(struct conn_track *t, const struct event *ev, int side);
void on_app_data(struct conn_track *t, const struct event *ev, int side);
/* A side's FIN or RST: its last opaque TLS 1.3 record, if alert-sized, was
 * most likely an encrypted alert. */
void on_tls_close(struct conn_track *t, int side, int64_t conn_first_ts);
void on_tls_problem(struct conn_track *t, const struct event *ev);
/* The server answered in another protocol than TLS. */
void on_not_tls(struct conn_track *t, const struct event *ev, int side);
/* The stream layer found TLS by content, but a snapshot length cut every
 * message: the connection has TLS facts all the same (none of them known). */
void on_tls_without_messages(struct conn_track *t);
/* The track's "tls" facts, complete, moved out of it; NULL without TLS.
 * conn_first_ts: the connection's first packet (times count from it);
 * server_name: the name the client asked for, the server's certificate is
 * checked against it (NULL: none known). */
cJSON *tls_json_take(struct facts_builder *fb, struct conn_track *t, int64_t conn_first_ts,
                     const char *server_name);

/* facts_decrypt.c: with a key log only */
void on_tls_decryption(struct conn_track *t, const struct event *ev, int side);
void on_decrypted_event(struct conn_track *t, const struct event *ev, int side);
void on_decrypted_handshake_other(struct conn_track *t, const struct event *ev, int side);
void add_decryption_facts(struct facts_builder *fb, const struct conn_track *t, cJSON *tls);
void add_keylog_summary(struct facts_builder *fb, cJSON *capture);
void decryption_track_free(struct conn_track *t);

/* facts_proxy.c */
void on_connect_request(struct conn_track *t, const struct event *ev);
void on_connect_response(struct conn_track *t, const struct event *ev);
void on_http_request(struct conn_track *t, const struct event *ev);
void on_http_response(struct conn_track *t, const struct event *ev);
/* The host part of "host:port", "[v6]:port" or an absolute URI. */
void host_of(const char *text, char *out, size_t outlen);

/* facts_tcp.c */
void on_tcp(struct conn_track *t, const struct event *ev, int side);
void on_stream_gap(struct conn_track *t, const struct event *ev);
void conn_snapshot_take(struct conn_snapshot *s, struct tcp_conn *c);
void endpoint_text(uint8_t ip_version, const struct endpoint *e, char *buf, size_t len, bool with_port);
/* "server", "server_ip" and "server_port" into o. */
void add_server_members(cJSON *o, uint8_t ip_version, const struct endpoint *server);
bool conn_connected(const struct conn_snapshot *c, const struct conn_track *t);
/* How many routers a packet crossed, guessed from its TTL: the distance
 * from the nearest initial TTL stacks use (32, 64, 128, 255) at or above it. */
unsigned ttl_hops(uint8_t ttl);
cJSON *tcp_json(const struct conn_snapshot *c, const struct conn_track *t);

/* verdict.c: the stage the connection failed at, or NULL: it worked, or
 * the capture cannot tell (then *unknown says why). Reads the track's JSON
 * parts by presence, so decide before facts_conn.c moves them out. */
const char *conn_outcome(const struct conn_snapshot *c, const struct conn_track *t, const char **unknown);
/* The unknown reason of a connection a snapshot length cut (the report
 * words it with the snapshot length and the frame). */
extern const char unknown_reason_cut[];
bool conn_failed(const struct conn_snapshot *c, const struct conn_track *t);
/* facts_tls.c: TLS 1.3 without keys, what the size of the client's second
 * flight says of its Certificate message: "none", "empty" (the server asked
 * for one, the client had none), "sent", or NULL (cannot tell). */
const char *client_certificate_likely(const struct conn_track *t);

/* facts_conn.c: a kept connection. record_new takes the track from c;
 * record_json moves the track's JSON parts into the connection's facts. */
struct conn_record *record_new(struct tcp_conn *c, struct conn_track *t, const char *server_name,
                               const char *name_source, const char *matched_by);
void record_free(struct facts_builder *fb, struct conn_record *rec);
cJSON *record_json(struct facts_builder *fb, struct conn_record *rec);

/* keep.c */
bool may_build_facts(struct facts_builder *fb, struct conn_track *t, const struct event *ev);
void leave_budget(struct facts_builder *fb, struct conn_track *t);
void leave_budget_when_closed(struct facts_builder *fb, struct conn_track *t);
void on_conn_end(struct facts_builder *fb, struct tcp_conn *c);
/* The selected connections' facts, in the order they began, and the
 * selection's counts into capture; the records are freed. */
cJSON *kept_connections_take(struct facts_builder *fb, cJSON *capture);
/* The revocation checks' facts, oldest first; the records are freed. */
cJSON *revocation_conns_take(struct facts_builder *fb);
void kept_connections_free(struct facts_builder *fb);

/* summaries.c */
void record_failed_connect(struct facts_builder *fb, struct tcp_conn *c, struct conn_track *t,
                           const char *server_name);
/* A connection to neither a target nor a revocation host that ended: a
 * failed connect or plain HTTP fetch to port 80 becomes a side failure. */
void record_side_fetch(struct facts_builder *fb, struct tcp_conn *c, struct conn_track *t, const char *server_name);
/* A DNS message of another name (neither a target's nor a revocation
 * host's): failed answers, and at the end unanswered queries, become side
 * failures; a name that resolves drops the failures of the names its
 * lookup went through first (resolver search domains). */
void record_other_lookup(struct facts_builder *fb, const struct event *ev);
/* The span of a kept connection's failed handshake, for the summaries. */
void record_handshake_window(struct facts_builder *fb, const struct conn_record *rec);
void failed_connects_free(struct facts_builder *fb);
/* The capture's "dns", "revocation", "failed_connects" and
 * "proxy_connect_failures" into capture; what they were made of is freed.
 * end_ts: the capture's last frame's time. */
void add_summaries(struct facts_builder *fb, cJSON *capture, int64_t end_ts);

#endif
