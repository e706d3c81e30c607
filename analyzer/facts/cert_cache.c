#include "cert_cache.h"

#include <stdlib.h>
#include <string.h>

struct cache_slot {
    uint8_t *message;              /* NULL: the slot is empty */
    size_t len;
    uint64_t hash;
    bool tls13;
    enum parse_status status;
    uint64_t last_used;
    struct cert_chain chain;
};

struct cert_cache {
    struct cache_slot slots[CERT_CACHE_SLOTS];
    struct cert_chain uncached;    /* for messages too large to keep */
    uint64_t clock;
    struct cert_cache_stats stats;
};

/* FNV-1a, 8 bytes at a time: cheap beside a memcmp of the same bytes. */
static uint64_t message_hash(const uint8_t *p, size_t len, bool tls13)
{
    uint64_t h = 14695981039346656037ull ^ (uint64_t)len ^ (tls13 ? 1ull << 63 : 0);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 1099511628211ull;
    }
    for (; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

struct cert_cache *cert_cache_new(void)
{
    return calloc(1, sizeof(struct cert_cache));
}

void cert_cache_free(struct cert_cache *cc)
{
    if (!cc)
        return;
    for (int i = 0; i < CERT_CACHE_SLOTS; i++)
        free(cc->slots[i].message);
    free(cc);
}

static struct cache_slot *find(struct cert_cache *cc, const uint8_t *body, size_t len, bool tls13, uint64_t hash)
{
    for (int i = 0; i < CERT_CACHE_SLOTS; i++) {
        struct cache_slot *s = &cc->slots[i];
        if (s->message && s->hash == hash && s->len == len && s->tls13 == tls13 &&
            memcmp(s->message, body, len) == 0)
            return s;
    }
    return NULL;
}

static struct cache_slot *victim(struct cert_cache *cc)
{
    struct cache_slot *oldest = &cc->slots[0];
    for (int i = 0; i < CERT_CACHE_SLOTS; i++) {
        if (!cc->slots[i].message)
            return &cc->slots[i];
        if (cc->slots[i].last_used < oldest->last_used)
            oldest = &cc->slots[i];
    }
    return oldest;
}

const struct cert_chain *cert_cache_parse(struct cert_cache *cc, const uint8_t *body, size_t len, bool tls13,
                                          enum parse_status *status)
{
    if (len == 0 || len > CERT_CACHE_MAX_MESSAGE) {
        *status = x509_parse_certificate_message(body, len, tls13, &cc->uncached);
        return &cc->uncached;
    }
    uint64_t hash = message_hash(body, len, tls13);
    struct cache_slot *s = find(cc, body, len, tls13, hash);
    if (s) {
        cc->stats.hits++;
    } else {
        cc->stats.misses++;
        uint8_t *copy = malloc(len);
        if (!copy) {
            *status = x509_parse_certificate_message(body, len, tls13, &cc->uncached);
            return &cc->uncached;
        }
        memcpy(copy, body, len);
        s = victim(cc);
        free(s->message);
        s->message = copy;
        s->len = len;
        s->hash = hash;
        s->tls13 = tls13;
        s->status = x509_parse_certificate_message(body, len, tls13, &s->chain);
    }
    s->last_used = ++cc->clock;
    *status = s->status;
    return &s->chain;
}

struct cert_cache_stats cert_cache_stats(const struct cert_cache *cc)
{
    return cc->stats;
}
