/* Zero-copy views of wire vectors.
 *
 * Parsed messages point into the buffer they were parsed from; a view is
 * valid only for as long as that buffer (the length of an event callback).
 * Consumers that keep anything must copy it.
 */
#ifndef TLSDIAG_WIRE_H
#define TLSDIAG_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* A vector of big-endian unsigned integers of 1, 2 or 3 bytes each. */
struct wire_list {
    const uint8_t *bytes;
    uint32_t count;
    uint8_t width;
    bool present; /* false: the field was absent or could not be read */
};

static inline uint32_t wire_list_get(const struct wire_list *l, uint32_t i)
{
    const uint8_t *p = l->bytes + (size_t)i * l->width;
    switch (l->width) {
    case 1: return p[0];
    case 2: return (uint32_t)p[0] << 8 | p[1];
    default: return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    }
}

static inline struct wire_list wire_list_make(const uint8_t *bytes, size_t len, uint8_t width)
{
    struct wire_list l = { bytes, (uint32_t)(len / width), width, true };
    return l;
}

/* Bytes that are not NUL-terminated, e.g. a host name inside a message. */
struct wire_bytes {
    const uint8_t *data;
    size_t len;
};

#endif
