/* The facts of a Client Hello and a Server Hello, kept as plain data while
 * their connection is open, and made JSON only for the connections a report
 * keeps.
 *
 * A hello's view (dissect/tls_msg.h) lives only during its event; its JSON
 * is a hundred nodes and more. Most connections of a long capture are
 * counted and dropped before the report, and thousands can be open at once:
 * a fixed-size record per hello keeps both the work and the memory of the
 * ones never reported small. Lists keep their first items (FACTS_MAX_SUITES
 * suites, FACTS_MAX_LIST of the others) and count them all. */
#ifndef TLSDIAG_HELLO_FACTS_H
#define TLSDIAG_HELLO_FACTS_H

#include <cjson/cJSON.h>
#include "tls_msg.h"

/* Items kept of one list of a hello (the rest counted in *_total fields):
 * cipher suites (a real hello offers at most ~100), and the others. */
#define FACTS_MAX_SUITES 256
#define FACTS_MAX_LIST 48
#define HELLO_ALPN_TEXT 1024       /* the ALPN names kept, NUL-separated */
/* A hello up to this size is kept as bytes and fingerprinted only when its
 * JSON is made (JA3, JA3S and JA4 are most of a hello's cost); a larger one
 * is fingerprinted at once. */
#define HELLO_RAW_MAX 2048

struct value_list {
    uint16_t v[FACTS_MAX_LIST];
    uint32_t kept, total;
};

struct client_hello_facts {
    uint64_t frame;
    int64_t since_conn_start_ns;
    uint16_t legacy_version, max_version;
    uint16_t min_version;          /* the lowest supported_versions offers; 0 without it */
    bool has_supported_versions;
    struct value_list versions;    /* GREASE left out */
    uint32_t suites[FACTS_MAX_SUITES];  /* 32 bits: SSLv2 cipher specs have 3 bytes */
    uint32_t suites_kept, suites_total;
    struct value_list extensions, groups, signature_algorithms;
    char alpn[HELLO_ALPN_TEXT];
    uint32_t alpn_kept, alpn_total;
    bool has_sni;
    char sni[256];                 /* printable ASCII, '?' for the rest */
    uint16_t key_shares[TLS_MAX_KEY_SHARES];
    uint8_t key_share_count;
    bool sslv2, malformed;
    uint8_t *raw;                  /* owned: the message, to fingerprint later ... */
    size_t raw_len;
    char *ja3;                     /* ... or its fingerprints (owned), when it was too large */
    char ja3_hash[33], ja4[40];
};

struct server_hello_facts {
    uint64_t frame;
    int64_t since_conn_start_ns;
    uint16_t legacy_version, version;
    bool has_cipher_suite;
    uint16_t cipher_suite;
    struct value_list extensions;
    bool has_alpn;
    char alpn[256];
    bool sslv2;
    uint8_t msg_type;
    uint8_t *raw;                  /* owned: the message, to fingerprint later ... */
    size_t raw_len;
    char *ja3s;                    /* ... or JA3S (owned), when it was too large; both NULL for SSLv2 */
    char ja3s_hash[33];
};

/* NULL when out of memory. Free with client_/server_hello_facts_free. */
struct client_hello_facts *client_hello_facts_record(const struct tls_client_hello *ch, uint64_t frame,
                                                     int64_t since_conn_start_ns);
struct server_hello_facts *server_hello_facts_record(const struct tls_server_hello *sh, uint64_t frame,
                                                     int64_t since_conn_start_ns);
void client_hello_facts_free(struct client_hello_facts *h);
void server_hello_facts_free(struct server_hello_facts *h);

/* The JSON of analyzer/report.schema.json's client_hello / server_hello. */
cJSON *client_hello_facts_json(const struct client_hello_facts *h);
cJSON *server_hello_facts_json(const struct server_hello_facts *h);

#endif
