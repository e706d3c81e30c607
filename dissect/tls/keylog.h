/* NSS key log text (the SSLKEYLOGFILE format) parsed from memory into a
 * store the record layer looks secrets up in.
 *
 * Input is what a --keylog file holds or what a pcapng Decryption Secrets
 * Block carries: lines `LABEL <client_random: 64 hex> <secret: hex>`, '#'
 * comments and blank lines skipped, LF or CRLF, spaces or tabs between the
 * fields. Kept labels: CLIENT_RANDOM (the TLS <= 1.2 master secret, 48
 * bytes) and the four TLS 1.3 traffic secrets (32 or 48 bytes: SHA-256 or
 * SHA-384 suites). Labels for secrets we never use (exporters, early data,
 * RSA pre-master secrets, ECH) are counted as ignored. Anything else is a
 * malformed line: counted, the first one's position kept, never fatal.
 *
 * Entries are keyed by (client random, label). A second line with the same
 * key is a duplicate: the first one stays. Each entry carries where it came
 * from (the caller's source number and the line) and a "used" mark the
 * decryptor sets, so a report can say which lines helped and how many did
 * not. Entries never move: a pointer from keylog_find() stays valid until
 * keylog_free(), across later feeds.
 *
 * Bounded: at most KEYLOG_MAX_ENTRIES entries and KEYLOG_MAX_INPUT bytes of
 * text over all feeds; past either, the store says so in its status and
 * keeps what it has. Lookups are hashed with a key drawn per store, so lines
 * crafted to collide cannot make them slow.
 *
 * Secrets are bytes for key derivation only. Nothing here formats them, and
 * keylog_free() wipes them. */
#ifndef TLSDIAG_KEYLOG_H
#define TLSDIAG_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KEYLOG_MAX_ENTRIES 100000u                   /* entries kept per store */
#define KEYLOG_MAX_INPUT   (64u * 1024u * 1024u)     /* bytes of text per store, all feeds */
#define KEYLOG_RANDOM_LEN  32u
#define KEYLOG_MAX_SECRET  48u

/* The labels kept, in one list: the enum and the names come from it. */
#define KEYLOG_LABELS(X)                                                      \
    X(KEYLOG_CLIENT_RANDOM, "CLIENT_RANDOM")                                  \
    X(KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, "CLIENT_HANDSHAKE_TRAFFIC_SECRET") \
    X(KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, "SERVER_HANDSHAKE_TRAFFIC_SECRET") \
    X(KEYLOG_CLIENT_TRAFFIC_SECRET_0, "CLIENT_TRAFFIC_SECRET_0")              \
    X(KEYLOG_SERVER_TRAFFIC_SECRET_0, "SERVER_TRAFFIC_SECRET_0")

enum keylog_label {
#define KEYLOG_LABEL_ENUM(id, text) id,
    KEYLOG_LABELS(KEYLOG_LABEL_ENUM)
#undef KEYLOG_LABEL_ENUM
    KEYLOG_LABEL_COUNT
};

#define KEYLOG_STATUSES(X)                                                     \
    X(KEYLOG_OK, "ok")                                                         \
    X(KEYLOG_INPUT_TOO_LARGE, "key log text over the 64 MiB limit: the rest not read") \
    X(KEYLOG_TOO_MANY_ENTRIES, "more than 100000 key log entries: the rest not kept") \
    X(KEYLOG_NO_MEMORY, "out of memory for the key log")

enum keylog_status {
#define KEYLOG_STATUS_ENUM(id, text) id,
    KEYLOG_STATUSES(KEYLOG_STATUS_ENUM)
#undef KEYLOG_STATUS_ENUM
};

struct keylog;         /* the store */
struct keylog_entry;   /* one kept line */

struct keylog_stats {
    uint32_t feeds;                  /* keylog_feed() calls that were read */
    uint64_t bytes;                  /* text read, all feeds */
    uint64_t lines;                  /* every line, blank and comment lines too */
    uint32_t entries;                /* kept */
    uint32_t used;                   /* kept and marked used */
    uint64_t ignored;                /* labels we know and do not use */
    uint64_t duplicates;             /* same client random and label as a kept entry */
    uint64_t over_cap;               /* good lines past KEYLOG_MAX_ENTRIES */
    uint64_t malformed;
    uint32_t first_malformed_source; /* valid when malformed > 0 */
    uint32_t first_malformed_line;   /* 1-based within its feed; 0: none */
    enum keylog_status status;       /* the first limit hit, else KEYLOG_OK */
};

/* NULL when out of memory. */
struct keylog *keylog_new(void);

/* Wipes every secret, then frees. NULL is fine. */
void keylog_free(struct keylog *kl);

/* Reads one buffer of key log text. Lines are numbered from 1 in each feed;
 * source is the caller's number for this feed (say 0 for a --keylog file,
 * 1.. for Decryption Secrets Blocks) and is kept with each entry. A feed that
 * would take the store past KEYLOG_MAX_INPUT is not read at all. Returns
 * KEYLOG_OK or the limit this feed hit (the store's status keeps the first
 * one). */
enum keylog_status keylog_feed(struct keylog *kl, const uint8_t *text, size_t len,
                               uint32_t source);

void keylog_get_stats(const struct keylog *kl, struct keylog_stats *out);

/* The entry for a client random and label, or NULL. */
const struct keylog_entry *keylog_find(const struct keylog *kl,
                                       const uint8_t client_random[KEYLOG_RANDOM_LEN],
                                       enum keylog_label label);

/* Records that an entry's secret decrypted something (idempotent). e must
 * come from this store. */
void keylog_mark_used(struct keylog *kl, const struct keylog_entry *e);

/* Forgets every "used" mark: the store serves a second pass over the same
 * capture, whose marks alone must count. */
void keylog_clear_used(struct keylog *kl);

/* Entries in the order they were read: 0 <= i < keylog_count(). */
size_t keylog_count(const struct keylog *kl);
const struct keylog_entry *keylog_entry_at(const struct keylog *kl, size_t i);

enum keylog_label keylog_entry_label(const struct keylog_entry *e);
const uint8_t *keylog_entry_client_random(const struct keylog_entry *e);
uint32_t keylog_entry_source(const struct keylog_entry *e);
uint32_t keylog_entry_line(const struct keylog_entry *e);
bool keylog_entry_used(const struct keylog_entry *e);

/* The secret, for key derivation (never for display): *secret points into
 * the store; returns its length (48 for CLIENT_RANDOM, 32 or 48 else). */
size_t keylog_entry_secret(const struct keylog_entry *e, const uint8_t **secret);

const char *keylog_label_name(enum keylog_label label);
const char *keylog_status_message(enum keylog_status status);

#endif
