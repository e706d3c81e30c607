/* Parsed certificate chains, remembered by the bytes of their Certificate
 * message.
 *
 * A server sends the same chain on every connection, and libcrypto's
 * d2i_X509 (public-key decoding through OpenSSL 3's provider decoders) costs
 * far more than the rest of a short connection's analysis: a capture of
 * thousands of connections to a few servers decodes each chain once. A hit
 * compares the whole message, not only its hash, so a chain is never taken
 * for another. */
#ifndef TLSDIAG_CERT_CACHE_H
#define TLSDIAG_CERT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "x509.h"

#define CERT_CACHE_SLOTS 8
#define CERT_CACHE_MAX_MESSAGE 65536   /* larger messages are parsed every time */

struct cert_cache_stats {
    uint64_t hits, misses;
};

struct cert_cache;

struct cert_cache *cert_cache_new(void);
void cert_cache_free(struct cert_cache *cc);

/* x509_parse_certificate_message() through the cache. The chain stays valid
 * until the next call; NULL only when out of memory. */
const struct cert_chain *cert_cache_parse(struct cert_cache *cc, const uint8_t *body, size_t len, bool tls13,
                                          enum parse_status *status);

struct cert_cache_stats cert_cache_stats(const struct cert_cache *cc);

#endif
