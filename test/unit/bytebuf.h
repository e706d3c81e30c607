/* A fixed-size byte builder shared by the unit tests: frames, records and
 * messages are written field by field, big-endian unless the name says so. */
#ifndef TEST_BYTEBUF_H
#define TEST_BYTEBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

struct bytebuf {
    uint8_t data[70000];
    size_t len;
};

static inline void bb_u8(struct bytebuf *b, uint8_t v)
{
    assert_true(b->len < sizeof b->data);
    b->data[b->len++] = v;
}

static inline void bb_be16(struct bytebuf *b, uint16_t v)
{
    bb_u8(b, (uint8_t)(v >> 8));
    bb_u8(b, (uint8_t)v);
}

static inline void bb_be24(struct bytebuf *b, uint32_t v)
{
    bb_u8(b, (uint8_t)(v >> 16));
    bb_be16(b, (uint16_t)v);
}

static inline void bb_be32(struct bytebuf *b, uint32_t v)
{
    bb_be16(b, (uint16_t)(v >> 16));
    bb_be16(b, (uint16_t)v);
}

static inline void bb_le32(struct bytebuf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        bb_u8(b, (uint8_t)(v >> (8 * i)));
}

static inline void bb_bytes(struct bytebuf *b, const void *p, size_t n)
{
    assert_true(n <= sizeof b->data - b->len);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

static inline void bb_str(struct bytebuf *b, const char *s) { bb_bytes(b, s, strlen(s)); }

static inline void bb_fill(struct bytebuf *b, uint8_t v, size_t n)
{
    assert_true(n <= sizeof b->data - b->len);
    memset(b->data + b->len, v, n);
    b->len += n;
}

static inline void bb_patch_be16(struct bytebuf *b, size_t at, uint16_t v)
{
    b->data[at] = (uint8_t)(v >> 8);
    b->data[at + 1] = (uint8_t)v;
}

/* Length prefixes written before their contents are known: open one, write
 * the contents, close it to patch in the length. */
static inline size_t bb_open(struct bytebuf *b, int width)
{
    size_t at = b->len;
    bb_fill(b, 0, (size_t)width);
    return at;
}

static inline void bb_close(struct bytebuf *b, size_t at, int width)
{
    size_t n = b->len - at - (size_t)width;
    for (int i = 0; i < width; i++)
        b->data[at + (size_t)i] = (uint8_t)(n >> (8 * (width - 1 - i)));
}

#endif
