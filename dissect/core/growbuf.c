#include "growbuf.h"

#include <stdlib.h>
#include <string.h>

bool growbuf_append(struct growbuf *b, const uint8_t *p, size_t n, size_t limit)
{
    if (n == 0)
        return true;
    if (n > limit || b->len > limit - n)
        return false;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 512;
        while (cap < b->len + n)
            cap *= 2;
        if (cap > limit)
            cap = limit;
        uint8_t *grown = realloc(b->data, cap);
        if (!grown)
            return false;
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return true;
}

void growbuf_consume(struct growbuf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void growbuf_free(struct growbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void growbuf_shrink_if_empty(struct growbuf *b, size_t keep)
{
    if (b->len == 0 && b->cap > keep)
        growbuf_free(b);
}
