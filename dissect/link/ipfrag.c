#include "ipfrag.h"
#include "timestamp.h"

#include <stdlib.h>
#include <string.h>

#define BLOCK 8u
#define BLOCKS (IPFRAG_MAX_DATAGRAM / BLOCK + 1)

struct ipfrag_datagram {
    bool in_use;
    struct ipfrag_key key;
    int64_t first_ts;
    uint32_t total_len;             /* 0 until the last fragment arrives */
    uint8_t *bytes;                 /* IPFRAG_MAX_DATAGRAM, allocated on first use */
    uint8_t filled[BLOCKS / 8 + 1]; /* one bit per 8-byte block */
};

void ipfrag_init(struct ipfrag_table *t, const struct ipfrag_limits *limits)
{
    memset(t, 0, sizeof *t);
    t->limits = *limits;
    if (t->limits.max_datagrams == 0)
        t->limits.max_datagrams = 1;
}

void ipfrag_free(struct ipfrag_table *t)
{
    for (uint32_t i = 0; i < t->slot_count; i++)
        free(t->slots[i].bytes);
    free(t->slots);
    free(t->completed);
    memset(t, 0, sizeof *t);
}

static bool block_filled(const struct ipfrag_datagram *d, uint32_t b)
{
    return d->filled[b / 8] & (1u << (b % 8));
}

static void release(struct ipfrag_datagram *d)
{
    d->in_use = false;
    d->total_len = 0;
    memset(d->filled, 0, sizeof d->filled);
}

static bool keys_equal(const struct ipfrag_key *a, const struct ipfrag_key *b)
{
    return a->id == b->id && a->protocol == b->protocol && a->ip_version == b->ip_version &&
           memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0;
}

/* Finds the datagram for key, or a free slot for it. The table is small and
 * fragments are rare, so a linear scan beats any index here. */
static struct ipfrag_datagram *find_slot(struct ipfrag_table *t, const struct ipfrag_key *key,
                                         int64_t ts_ns)
{
    struct ipfrag_datagram *free_slot = NULL, *oldest = NULL;
    for (uint32_t i = 0; i < t->slot_count; i++) {
        struct ipfrag_datagram *d = &t->slots[i];
        if (d->in_use && timestamp_between(ts_ns, d->first_ts) > t->limits.timeout_ns) {
            release(d);
            t->datagrams_dropped++;
        }
        if (d->in_use && keys_equal(&d->key, key))
            return d;
        if (!d->in_use && !free_slot)
            free_slot = d;
        if (d->in_use && (!oldest || d->first_ts < oldest->first_ts))
            oldest = d;
    }
    if (!free_slot && t->slot_count < t->limits.max_datagrams) {
        if (!t->slots) {
            t->slots = calloc(t->limits.max_datagrams, sizeof *t->slots);
            if (!t->slots)
                return NULL;
        }
        free_slot = &t->slots[t->slot_count++];
    }
    if (!free_slot) {
        release(oldest);
        t->datagrams_dropped++;
        free_slot = oldest;
    }
    if (!free_slot->bytes && !(free_slot->bytes = malloc(IPFRAG_MAX_DATAGRAM)))
        return NULL;
    free_slot->in_use = true;
    free_slot->key = *key;
    free_slot->first_ts = ts_ns;
    return free_slot;
}

static bool complete(const struct ipfrag_datagram *d)
{
    if (d->total_len == 0)
        return false;
    uint32_t blocks = (d->total_len + BLOCK - 1) / BLOCK;
    for (uint32_t b = 0; b < blocks; b++)
        if (!block_filled(d, b))
            return false;
    return true;
}

bool ipfrag_add(struct ipfrag_table *t, const struct ipfrag_key *key, uint32_t offset, bool more,
                const uint8_t *data, uint32_t len, int64_t ts_ns, const uint8_t **payload,
                uint32_t *payload_len)
{
    t->fragments_seen++;
    /* Non-final fragments must end on a block boundary (RFC 791); a final
     * one may not extend the datagram past 64 KiB. */
    if ((more && len % BLOCK) || offset % BLOCK || offset + len > IPFRAG_MAX_DATAGRAM)
        return false;
    struct ipfrag_datagram *d = find_slot(t, key, ts_ns);
    if (!d)
        return false;
    if (!more)
        d->total_len = offset + len;
    for (uint32_t pos = 0; pos < len; pos += BLOCK) {
        uint32_t b = (offset + pos) / BLOCK;
        uint32_t n = len - pos < BLOCK ? len - pos : BLOCK;
        if (block_filled(d, b)) {
            t->overlaps++;
            continue;
        }
        memcpy(d->bytes + offset + pos, data + pos, n);
        d->filled[b / 8] |= (uint8_t)(1u << (b % 8));
    }
    if (!complete(d))
        return false;
    /* Hand the bytes over and keep the slot's buffer for reuse. */
    uint8_t *done = d->bytes;
    d->bytes = t->completed;
    t->completed = done;
    *payload = done;
    *payload_len = d->total_len;
    release(d);
    t->datagrams_completed++;
    return true;
}
