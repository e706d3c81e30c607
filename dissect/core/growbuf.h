/* A byte buffer with a hard cap, for the few places that must copy stream
 * bytes: a handshake message or a header block being collected. */
#ifndef TLSDIAG_GROWBUF_H
#define TLSDIAG_GROWBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct growbuf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* Appends; false (and nothing appended) when len + n would exceed limit. */
bool growbuf_append(struct growbuf *b, const uint8_t *p, size_t n, size_t limit);
/* Drops the first n bytes. */
void growbuf_consume(struct growbuf *b, size_t n);
void growbuf_free(struct growbuf *b);
/* Frees an empty buffer that grew past keep bytes: a connection that once
 * collected a large message does not hold the memory while it waits. */
void growbuf_shrink_if_empty(struct growbuf *b, size_t keep);

#endif
