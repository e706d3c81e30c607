/* Bounds-checked reader over bytes from the wire.
 *
 * Every length that comes off the wire is read through this type. Errors are
 * sticky: once a read runs past the end the cursor is TRUNCATED, every later
 * read returns 0 and the status stays, so a grammar can read a run of fields
 * and test the status once. A grammar that finds a well-formed but impossible
 * value (a length that contradicts another) marks the cursor INVALID; the two
 * are kept apart because "the capture cut this short" and "the peer sent
 * garbage" lead an analyst to different conclusions.
 */
#ifndef TLSDIAG_CURSOR_H
#define TLSDIAG_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

enum parse_status {
    PARSE_OK = 0,
    PARSE_TRUNCATED, /* ran out of bytes: the data may continue elsewhere */
    PARSE_INVALID,   /* the bytes contradict the grammar */
};

struct cursor {
    const uint8_t *data;
    size_t len;
    size_t pos;
    enum parse_status status;
};

static inline struct cursor cursor_make(const uint8_t *data, size_t len)
{
    struct cursor c = { data, len, 0, PARSE_OK };
    return c;
}

static inline size_t cursor_remaining(const struct cursor *c)
{
    return c->status == PARSE_OK ? c->len - c->pos : 0;
}

static inline bool cursor_ok(const struct cursor *c) { return c->status == PARSE_OK; }
static inline bool cursor_at_end(const struct cursor *c) { return cursor_remaining(c) == 0; }
static inline const uint8_t *cursor_here(const struct cursor *c) { return c->data + c->pos; }

/* Records a failure unless an earlier one is already recorded. */
static inline void cursor_fail(struct cursor *c, enum parse_status why)
{
    if (c->status == PARSE_OK)
        c->status = why;
}

static inline bool cursor_need(struct cursor *c, size_t n)
{
    if (c->status != PARSE_OK)
        return false;
    if (c->len - c->pos < n) {
        c->status = PARSE_TRUNCATED;
        return false;
    }
    return true;
}

static inline uint8_t cursor_u8(struct cursor *c)
{
    if (!cursor_need(c, 1))
        return 0;
    return c->data[c->pos++];
}

static inline uint16_t cursor_be16(struct cursor *c)
{
    if (!cursor_need(c, 2))
        return 0;
    const uint8_t *p = c->data + c->pos;
    c->pos += 2;
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t cursor_be24(struct cursor *c)
{
    if (!cursor_need(c, 3))
        return 0;
    const uint8_t *p = c->data + c->pos;
    c->pos += 3;
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t cursor_be32(struct cursor *c)
{
    if (!cursor_need(c, 4))
        return 0;
    const uint8_t *p = c->data + c->pos;
    c->pos += 4;
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t cursor_le16(struct cursor *c)
{
    if (!cursor_need(c, 2))
        return 0;
    const uint8_t *p = c->data + c->pos;
    c->pos += 2;
    return (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t cursor_le32(struct cursor *c)
{
    if (!cursor_need(c, 4))
        return 0;
    const uint8_t *p = c->data + c->pos;
    c->pos += 4;
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline void cursor_skip(struct cursor *c, size_t n)
{
    if (cursor_need(c, n))
        c->pos += n;
}

/* Returns a pointer to the next n bytes and moves past them, or NULL. */
static inline const uint8_t *cursor_bytes(struct cursor *c, size_t n)
{
    if (!cursor_need(c, n))
        return NULL;
    const uint8_t *p = c->data + c->pos;
    c->pos += n;
    return p;
}

/* Splits off the next n bytes as a cursor of their own. When fewer remain,
 * the parent becomes TRUNCATED and so does the returned cursor. */
static inline struct cursor cursor_sub(struct cursor *c, size_t n)
{
    const uint8_t *p = cursor_bytes(c, n);
    struct cursor sub = cursor_make(p, p ? n : 0);
    if (!p)
        sub.status = PARSE_TRUNCATED;
    return sub;
}

/* Length-prefixed vectors, the shape of most TLS fields. */
static inline struct cursor cursor_vec8(struct cursor *c) { return cursor_sub(c, cursor_u8(c)); }
static inline struct cursor cursor_vec16(struct cursor *c) { return cursor_sub(c, cursor_be16(c)); }
static inline struct cursor cursor_vec24(struct cursor *c) { return cursor_sub(c, cursor_be24(c)); }

/* Returns the rest of the bytes as a cursor and leaves c at its end. */
static inline struct cursor cursor_rest(struct cursor *c)
{
    return cursor_sub(c, cursor_remaining(c));
}

#endif
