/* Decryption Secrets Blocks from the bytes on their way to libpcap; see
 * pcapng_tap.h.
 *
 * A small state machine over the stream: collect a block's header (in a
 * buffer of its own, since the header may arrive in several pieces), then
 * step over or collect its body, then collect its trailer. Most blocks are
 * packets lying whole inside the piece being fed; those are stepped over
 * where they lie, without the states. Every field is read through a
 * cursor, over those buffers or over the piece. */
#include "pcapng_tap.h"

#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "pcapng_reader.h"

#define BLOCK_SECTION_HEADER     0x0A0D0D0Au   /* the same in both byte orders */
#define BLOCK_PACKET_OBSOLETE    0x00000002u
#define BLOCK_SIMPLE_PACKET      0x00000003u
#define BLOCK_ENHANCED_PACKET    0x00000006u
#define BLOCK_DECRYPTION_SECRETS 0x0000000Au
#define BYTE_ORDER_MAGIC         0x1A2B3C4Du

#define BLOCK_HEADER_LEN         8u    /* type, total length */
#define BLOCK_TRAILER_LEN        4u
#define MIN_BLOCK_LEN            (BLOCK_HEADER_LEN + BLOCK_TRAILER_LEN)
#define MIN_SECTION_HEADER_LEN   28u
/* A section header's length means nothing before its byte-order magic, and
 * its version decides whether the rest is pcapng as we know it: type,
 * length, magic, major and minor version. */
#define SECTION_HEADER_PEEK      16u
#define PCAPNG_MAJOR_VERSION     1u

enum tap_phase {
    TAP_HEADER,      /* collecting head[] */
    TAP_SKIP,        /* stepping over a body */
    TAP_BODY,        /* collecting a secrets block's body */
    TAP_TRAILER,     /* collecting the trailing length */
    TAP_STOPPED,
};

struct pcapng_tap {
    pcapng_secrets_fn fn;
    void *ctx;
    uint64_t size;               /* of the file; 0: unknown */
    uint64_t offset;             /* of the next byte fed */
    uint64_t block_offset;       /* where the current block starts */
    enum tap_phase phase;
    bool big_endian;             /* of the current section */
    bool packets_seen;           /* a packet block has been completed */

    uint8_t head[SECTION_HEADER_PEEK];
    uint32_t head_have, head_want;
    uint32_t block_type, block_len;
    uint32_t body_left;          /* bytes of the body still to come */

    uint8_t *body;               /* a secrets block's body, between the lengths */
    uint32_t body_len, body_capacity;

    uint8_t trailer[BLOCK_TRAILER_LEN];
    uint32_t trailer_have;
};

struct pcapng_tap *pcapng_tap_new(uint64_t size, pcapng_secrets_fn fn, void *ctx)
{
    struct pcapng_tap *tap = calloc(1, sizeof *tap);
    if (!tap)
        return NULL;
    tap->fn = fn;
    tap->ctx = ctx;
    tap->size = size;
    tap->phase = TAP_HEADER;
    tap->head_want = BLOCK_HEADER_LEN;
    return tap;
}

void pcapng_tap_free(struct pcapng_tap *tap)
{
    if (!tap)
        return;
    free(tap->body);
    free(tap);
}

bool pcapng_tap_stopped(const struct pcapng_tap *tap)
{
    return tap->phase == TAP_STOPPED;
}

static uint16_t read_u16(struct cursor *c, bool big_endian)
{
    return big_endian ? cursor_be16(c) : cursor_le16(c);
}

static uint32_t read_u32(struct cursor *c, bool big_endian)
{
    return big_endian ? cursor_be32(c) : cursor_le32(c);
}

static bool is_packet_block(uint32_t type)
{
    return type == BLOCK_ENHANCED_PACKET || type == BLOCK_SIMPLE_PACKET
           || type == BLOCK_PACKET_OBSOLETE;
}

static void next_block(struct pcapng_tap *tap)
{
    tap->block_offset = tap->offset;
    tap->phase = TAP_HEADER;
    tap->head_have = 0;
    tap->head_want = BLOCK_HEADER_LEN;
    tap->trailer_have = 0;
}

static bool read_section_order(struct pcapng_tap *tap)
{
    struct cursor magic = cursor_make(tap->head + BLOCK_HEADER_LEN, 4);
    struct cursor magic_le = magic;
    if (cursor_be32(&magic) == BYTE_ORDER_MAGIC)
        tap->big_endian = true;
    else if (cursor_le32(&magic_le) == BYTE_ORDER_MAGIC)
        tap->big_endian = false;
    else
        return false;
    struct cursor version = cursor_make(tap->head + BLOCK_HEADER_LEN + 4, 2);
    return read_u16(&version, tap->big_endian) == PCAPNG_MAJOR_VERSION && cursor_ok(&version);
}

static bool body_room(struct pcapng_tap *tap, uint32_t len)
{
    if (len <= tap->body_capacity)
        return true;
    uint8_t *grown = realloc(tap->body, len);
    if (!grown)
        return false;
    tap->body = grown;
    tap->body_capacity = len;
    return true;
}

/* The whole head is there: check the block's length and choose what to do
 * with its body. False on damage. */
static bool start_body(struct pcapng_tap *tap, bool section)
{
    if (section && !read_section_order(tap))
        return false;
    struct cursor fields = cursor_make(tap->head, tap->head_have);
    tap->block_type = read_u32(&fields, tap->big_endian);
    tap->block_len = read_u32(&fields, tap->big_endian);
    if (!cursor_ok(&fields))
        return false;
    uint32_t minimum = section ? MIN_SECTION_HEADER_LEN : MIN_BLOCK_LEN;
    uint32_t len = tap->block_len;
    if (len < minimum || len % 4 != 0 || len > PCAPNG_MAX_BLOCK)
        return false;
    if (tap->size && (tap->block_offset > tap->size || len > tap->size - tap->block_offset))
        return false;
    tap->body_left = len - tap->head_have - BLOCK_TRAILER_LEN;
    if (tap->block_type == BLOCK_DECRYPTION_SECRETS) {
        tap->body_len = len - MIN_BLOCK_LEN;
        if (!body_room(tap, tap->body_len))
            return false;              /* out of memory: give up quietly, like damage */
        tap->phase = tap->body_left ? TAP_BODY : TAP_TRAILER;
    } else {
        tap->phase = tap->body_left ? TAP_SKIP : TAP_TRAILER;
    }
    return true;
}

/* head_want bytes of the head are there: read more of a section header's,
 * or start the body. False when the file cannot be pcapng from here on. */
static bool head_arrived(struct pcapng_tap *tap)
{
    struct cursor type = cursor_make(tap->head, BLOCK_HEADER_LEN);
    bool section = cursor_be32(&type) == BLOCK_SECTION_HEADER;
    if (!section && tap->block_offset == 0)
        return false;                      /* a file opens with a section header */
    if (section && tap->head_want < SECTION_HEADER_PEEK) {
        tap->head_want = SECTION_HEADER_PEEK;
        return true;
    }
    return start_body(tap, section);
}

/* Secrets type, secrets length, the secrets, padding, options. */
static void deliver_secrets(struct pcapng_tap *tap)
{
    struct cursor body = cursor_make(tap->body, tap->body_len);
    struct pcapng_secrets secrets = {
        .block_offset = tap->block_offset,
        .after_packets = tap->packets_seen,
    };
    secrets.secrets_type = read_u32(&body, tap->big_endian);
    secrets.claimed_len = read_u32(&body, tap->big_endian);
    secrets.data = cursor_bytes(&body, secrets.claimed_len);
    if (secrets.data)
        secrets.len = secrets.claimed_len;
    else
        secrets.malformed = true;
    tap->fn(tap->ctx, &secrets);
}

/* The trailer is there. False on damage. */
static bool end_block(struct pcapng_tap *tap)
{
    struct cursor trailer = cursor_make(tap->trailer, BLOCK_TRAILER_LEN);
    if (read_u32(&trailer, tap->big_endian) != tap->block_len)
        return false;
    if (tap->block_type == BLOCK_DECRYPTION_SECRETS)
        deliver_secrets(tap);
    else if (is_packet_block(tap->block_type))
        tap->packets_seen = true;
    next_block(tap);
    return true;
}

static uint32_t take(size_t available, uint32_t wanted)
{
    return available < wanted ? (uint32_t)available : wanted;
}

/* At a block boundary, the blocks that lie whole in the piece and are
 * neither section headers nor secrets blocks, read where they are: most
 * blocks are packets, and walking each through the states costs several
 * times this. Stops at the first block it does not take, for the states to
 * read (and judge, when it is damage). Returns the bytes taken. */
static size_t take_whole_blocks(struct pcapng_tap *tap, const uint8_t *bytes, size_t len)
{
    struct cursor c = cursor_make(bytes, len);
    size_t taken = 0;
    while (cursor_remaining(&c) >= MIN_BLOCK_LEN) {
        uint32_t type = read_u32(&c, tap->big_endian);
        uint32_t total = read_u32(&c, tap->big_endian);
        if (type == BLOCK_SECTION_HEADER || type == BLOCK_DECRYPTION_SECRETS
            || total < MIN_BLOCK_LEN || total % 4 != 0 || total > PCAPNG_MAX_BLOCK)
            break;
        cursor_skip(&c, total - MIN_BLOCK_LEN);
        uint32_t trailing = read_u32(&c, tap->big_endian);
        if (!cursor_ok(&c) || trailing != total)
            break;                 /* cut by the piece's end, or damage */
        if (is_packet_block(type))
            tap->packets_seen = true;
        taken += total;
    }
    tap->offset += taken;
    tap->block_offset = tap->offset;
    return taken;
}

void pcapng_tap_feed(struct pcapng_tap *tap, const uint8_t *bytes, size_t len)
{
    while (len && tap->phase != TAP_STOPPED) {
        /* The first block goes through the states: it must be a section
         * header. */
        if (tap->phase == TAP_HEADER && tap->head_have == 0 && tap->block_offset != 0) {
            size_t taken = take_whole_blocks(tap, bytes, len);
            bytes += taken;
            len -= taken;
            if (!len)
                break;
        }
        uint32_t n = 0;
        bool ok = true;
        switch (tap->phase) {
        case TAP_HEADER:
            n = take(len, tap->head_want - tap->head_have);
            memcpy(tap->head + tap->head_have, bytes, n);
            tap->head_have += n;
            tap->offset += n;
            if (tap->head_have == tap->head_want)
                ok = head_arrived(tap);
            break;
        case TAP_SKIP:
        case TAP_BODY:
            n = take(len, tap->body_left);
            if (tap->phase == TAP_BODY)
                memcpy(tap->body + (tap->body_len - tap->body_left), bytes, n);
            tap->body_left -= n;
            tap->offset += n;
            if (!tap->body_left)
                tap->phase = TAP_TRAILER;
            break;
        case TAP_TRAILER:
            n = take(len, BLOCK_TRAILER_LEN - tap->trailer_have);
            memcpy(tap->trailer + tap->trailer_have, bytes, n);
            tap->trailer_have += n;
            tap->offset += n;
            if (tap->trailer_have == BLOCK_TRAILER_LEN)
                ok = end_block(tap);
            break;
        case TAP_STOPPED:
            return;
        }
        bytes += n;
        len -= n;
        if (!ok)
            tap->phase = TAP_STOPPED;
    }
}
