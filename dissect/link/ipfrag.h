/* IPv4 and IPv6 fragment reassembly, bounded.
 *
 * TCP segments are rarely fragmented, but when they are (tunnels with a small
 * MTU), losing them would lose a Client Hello. Datagrams are kept until
 * complete, until the table is full (the oldest is dropped) or until they are
 * older than the timeout; overlapping fragments keep the bytes that arrived
 * first.
 */
#ifndef TLSDIAG_IPFRAG_H
#define TLSDIAG_IPFRAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define IPFRAG_MAX_DATAGRAM 65535u

struct ipfrag_limits {
    uint32_t max_datagrams;        /* in progress at once */
    int64_t timeout_ns;
};

struct ipfrag_datagram;

struct ipfrag_table {
    struct ipfrag_datagram *slots;
    uint32_t slot_count;
    struct ipfrag_limits limits;
    uint8_t *completed;            /* last completed payload, valid until the next call */
    uint64_t fragments_seen;
    uint64_t datagrams_completed;
    uint64_t datagrams_dropped;    /* incomplete: evicted or timed out */
    uint64_t overlaps;             /* fragments that overlapped bytes already held */
};

struct ipfrag_key {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint8_t protocol;
    uint8_t ip_version;
};

void ipfrag_init(struct ipfrag_table *t, const struct ipfrag_limits *limits);
void ipfrag_free(struct ipfrag_table *t);

/* Adds one fragment: offset in bytes, more = the MF bit. Returns true when
 * the datagram is complete; then *payload / *len hold it (valid until the
 * next call). */
bool ipfrag_add(struct ipfrag_table *t, const struct ipfrag_key *key, uint32_t offset, bool more,
                const uint8_t *data, uint32_t len, int64_t ts_ns, const uint8_t **payload,
                uint32_t *payload_len);

#endif
