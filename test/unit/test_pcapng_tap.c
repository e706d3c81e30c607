/* Unit tests for analyzer/input/pcapng_tap.c, and for the secrets blocks a
 * capture source delivers as it is read (capture.c) and key_sources.c
 * takes from it.
 *
 * The tap is fed each file whole, then cut in two at every position, then
 * a byte at a time, then in three pieces: it must deliver the same blocks
 * every time, in both byte orders, before and after packets, in a second
 * section; damage to the framing stops it at the same block however the
 * bytes are cut. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "key_sources.h"
#include "keylog.h"
#include "pcapng_build.h"
#include "pcapng_reader.h"
#include "pcapng_tap.h"

#define MAX_SEEN 16
#define MAX_SECRETS_KEPT 512

struct delivery {
    uint64_t block_offset;
    uint32_t secrets_type;
    uint32_t claimed_len;
    uint32_t len;
    bool malformed;
    bool after_packets;
    uint8_t data[MAX_SECRETS_KEPT];
};

struct seen {
    int count;
    struct delivery d[MAX_SEEN];
};

static void record(void *ctx, const struct pcapng_secrets *s)
{
    struct seen *seen = ctx;
    assert_true(seen->count < MAX_SEEN);
    struct delivery *d = &seen->d[seen->count++];
    memset(d, 0, sizeof *d);
    d->block_offset = s->block_offset;
    d->secrets_type = s->secrets_type;
    d->claimed_len = s->claimed_len;
    d->len = s->len;
    d->malformed = s->malformed;
    d->after_packets = s->after_packets;
    if (s->malformed) {
        assert_null(s->data);
    } else {
        assert_true(s->len <= MAX_SECRETS_KEPT);
        memcpy(d->data, s->data, s->len);
    }
}

/* Feeds file in the pieces that end at the given cut positions (ascending,
 * each at most file.len); size is what the tap is told of the file. */
static bool feed_cut(uint64_t size, const size_t *cuts, size_t ncuts, struct seen *seen)
{
    memset(seen, 0, sizeof *seen);
    struct pcapng_tap *tap = pcapng_tap_new(size, record, seen);
    assert_non_null(tap);
    size_t at = 0;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t end = i < ncuts ? cuts[i] : file.len;
        /* Each piece from a buffer of its own size, so that a read past the
         * piece shows under the sanitizers. */
        uint8_t *piece = malloc(end - at ? end - at : 1);
        assert_non_null(piece);
        memcpy(piece, file.data + at, end - at);
        pcapng_tap_feed(tap, piece, end - at);
        free(piece);
        at = end;
    }
    bool stopped = pcapng_tap_stopped(tap);
    pcapng_tap_free(tap);
    return stopped;
}

static void assert_same_seen(const struct seen *a, const struct seen *b)
{
    assert_int_equal(a->count, b->count);
    assert_memory_equal(a->d, b->d, sizeof a->d);
}

/* The file whole, then cut anywhere: the same blocks, the same ending. */
static void check_every_cut(uint64_t size, struct seen *whole, bool *stopped)
{
    *stopped = feed_cut(size, NULL, 0, whole);
    struct seen cut;
    for (size_t i = 0; i <= file.len; i++) {
        assert_int_equal(feed_cut(size, &i, 1, &cut), *stopped);
        assert_same_seen(whole, &cut);
    }
    /* A byte at a time. */
    size_t *every = malloc(file.len * sizeof *every);
    assert_non_null(every);
    for (size_t i = 0; i < file.len; i++)
        every[i] = i;
    assert_int_equal(feed_cut(size, every, file.len, &cut), *stopped);
    assert_same_seen(whole, &cut);
    free(every);
    /* Three pieces, the second one short. */
    for (size_t i = 0; i + 5 <= file.len; i++) {
        for (size_t len = 1; len <= 5; len++) {
            size_t cuts[2] = { i, i + len };
            assert_int_equal(feed_cut(size, cuts, 2, &cut), *stopped);
            assert_same_seen(whole, &cut);
        }
    }
}

static void simple_packet(void)
{
    size_t start = block_start(3);
    put32(12);            /* original length */
    bb_fill(&file, 0x44, 12);
    block_end(start);
}

static void check_blocks_everywhere(bool big)
{
    begin(big);
    size_t first = file.len;
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    epb(0x11);
    size_t wireguard = file.len;
    dsb(WIREGUARD_SECRETS, "wg");
    simple_packet();
    size_t second = file.len;
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_B);           /* odd length: padded */
    size_t malformed = file.len;
    dsb_claiming(PCAPNG_SECRETS_TLS_KEY_LOG, "12345678", 9);
    /* A second section in the other byte order, a block before its packets
     * (but after the first section's). */
    big_endian = !big;
    shb();
    idb();
    size_t third = file.len;
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    epb(0x22);

    struct seen seen;
    bool stopped;
    check_every_cut(file.len, &seen, &stopped);
    assert_false(stopped);
    assert_int_equal(seen.count, 5);
    const struct delivery *d = seen.d;
    assert_int_equal(d[0].block_offset, first);
    assert_int_equal(d[0].secrets_type, PCAPNG_SECRETS_TLS_KEY_LOG);
    assert_int_equal(d[0].len, strlen(KEYLOG_A));
    assert_memory_equal(d[0].data, KEYLOG_A, strlen(KEYLOG_A));
    assert_false(d[0].after_packets);
    assert_int_equal(d[1].block_offset, wireguard);
    assert_int_equal(d[1].secrets_type, WIREGUARD_SECRETS);
    assert_true(d[1].after_packets);
    assert_int_equal(d[2].block_offset, second);
    assert_int_equal(d[2].len, strlen(KEYLOG_B));
    assert_memory_equal(d[2].data, KEYLOG_B, strlen(KEYLOG_B));
    assert_true(d[2].after_packets);
    assert_int_equal(d[3].block_offset, malformed);
    assert_true(d[3].malformed);
    assert_int_equal(d[3].claimed_len, 9);
    assert_int_equal(d[4].block_offset, third);
    assert_memory_equal(d[4].data, KEYLOG_A, strlen(KEYLOG_A));
    assert_true(d[4].after_packets);

    /* Without the file's size the same. */
    struct seen unsized;
    assert_false(feed_cut(0, NULL, 0, &unsized));
    assert_same_seen(&seen, &unsized);
}

static void test_blocks_everywhere_little_endian(void **state) { (void)state; check_blocks_everywhere(false); }
static void test_blocks_everywhere_big_endian(void **state) { (void)state; check_blocks_everywhere(true); }

/* A block with no room for the secrets header is a malformed one, as our
 * reader says. */
static void test_empty_secrets_block(void **state)
{
    (void)state;
    begin(false);
    size_t start = block_start(0x0000000Au);
    block_end(start);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, "");
    struct seen seen;
    bool stopped;
    check_every_cut(file.len, &seen, &stopped);
    assert_false(stopped);
    assert_int_equal(seen.count, 2);
    assert_true(seen.d[0].malformed);
    assert_false(seen.d[1].malformed);
    assert_int_equal(seen.d[1].len, 0);
}

/* ---- damage ---- */

/* A file with a key log block, the damage written by damage(), and a key
 * log block that must not be delivered. */
static void check_damage(bool big, void (*damage)(void), uint64_t size_told)
{
    begin(big);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    epb(0x11);
    damage();
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_B);
    struct seen seen;
    bool stopped;
    check_every_cut(size_told == UINT64_MAX ? file.len : size_told, &seen, &stopped);
    assert_true(stopped);
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.d[0].len, strlen(KEYLOG_A));
}

static void length_below_minimum(void) { put32(6); put32(8); }
static void length_not_multiple_of_4(void) { put32(6); put32(30); bb_fill(&file, 0, 18); put32(30); }
static void length_over_cap(void) { put32(0x0000000Au); put32(PCAPNG_MAX_BLOCK + 4); }
static void length_past_file(void) { put32(6); put32(1u << 20); }

static void trailer_differs(void)
{
    size_t start = block_start(6);
    bb_fill(&file, 0, 20);
    block_end(start);
    file.data[file.len - (big_endian ? 1 : 4)] ^= 0x04;
}

static void section_with_bad_magic(void)
{
    size_t start = block_start(0x0A0D0D0Au);
    put32(0x1A2B3C4Eu);
    put16(1);
    put16(0);
    put32(0xFFFFFFFFu);
    put32(0xFFFFFFFFu);
    block_end(start);
}

static void section_of_version_2(void)
{
    size_t start = block_start(0x0A0D0D0Au);
    put32(0x1A2B3C4Du);
    put16(2);
    put16(0);
    put32(0xFFFFFFFFu);
    put32(0xFFFFFFFFu);
    block_end(start);
}

static void section_too_short(void)
{
    size_t start = block_start(0x0A0D0D0Au);
    put32(0x1A2B3C4Du);
    put16(1);
    put16(0);
    put32(0xFFFFFFFFu);                 /* 24 bytes in all */
    block_end(start);
}

static void test_damaged_lengths(void **state)
{
    (void)state;
    for (int big = 0; big <= 1; big++) {
        check_damage(big, length_below_minimum, UINT64_MAX);
        check_damage(big, length_not_multiple_of_4, UINT64_MAX);
        check_damage(big, length_over_cap, 0);          /* stopped without the size */
        check_damage(big, length_past_file, UINT64_MAX);
        check_damage(big, trailer_differs, UINT64_MAX);
        check_damage(big, section_with_bad_magic, UINT64_MAX);
        check_damage(big, section_of_version_2, UINT64_MAX);
        check_damage(big, section_too_short, UINT64_MAX);
    }
}

/* Without the size, a block longer than the bytes fed is a file cut short:
 * nothing more is delivered, and the tap has not seen damage. */
static void test_cut_short_without_size(void **state)
{
    (void)state;
    begin(false);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_B);
    file.len -= 6;
    struct seen seen;
    bool stopped;
    check_every_cut(0, &seen, &stopped);
    assert_false(stopped);
    assert_int_equal(seen.count, 1);
}

static void test_not_a_section_first(void **state)
{
    (void)state;
    memset(&file, 0, sizeof file);
    big_endian = false;
    idb();
    shb();
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    struct seen seen;
    bool stopped;
    check_every_cut(file.len, &seen, &stopped);
    assert_true(stopped);
    assert_int_equal(seen.count, 0);
}

/* ---- through a capture source ---- */

static char *write_temp(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/tlsdiag-tap-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, file.data, file.len), (ssize_t)file.len);
    close(fd);
    return path;
}

/* Reads src to its end; returns the packets. */
static int read_all(const struct capture_source *src, enum capture_result *end)
{
    char err[256];
    struct capture *cap = capture_open_source(src, err, sizeof err);
    assert_non_null(cap);
    struct capture_packet pkt;
    int packets = 0;
    while ((*end = capture_next(cap, &pkt, err, sizeof err)) == CAPTURE_PACKET)
        packets++;
    capture_close(cap);
    return packets;
}

/* libpcap reads this file, the tap sees its blocks: from a file and from
 * memory alike, each block once. */
static void test_capture_source(void **state)
{
    (void)state;
    begin(true);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    epb(0x11);
    epb(0x22);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_B);
    epb(0x33);
    char *path = write_temp();
    struct seen from_file = { 0 }, from_memory = { 0 };
    struct capture_source sources[2] = {
        { .path = path, .on_secrets = record, .secrets_ctx = &from_file },
        { .data = file.data, .len = file.len, .on_secrets = record, .secrets_ctx = &from_memory },
    };
    for (int i = 0; i < 2; i++) {
        enum capture_result end;
        assert_int_equal(read_all(&sources[i], &end), 3);
        assert_int_equal(end, CAPTURE_EOF);
    }
    unlink(path);
    assert_int_equal(from_file.count, 2);
    assert_false(from_file.d[0].after_packets);
    assert_true(from_file.d[1].after_packets);
    assert_same_seen(&from_file, &from_memory);
}

/* Interfaces of two link types: libpcap gives up at the second and our
 * reader reads the file again from its start, so the blocks come again.
 * The keys take each once, and know the second came after packets. */
static void test_reread_from_start(void **state)
{
    (void)state;
    begin(false);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    epb(0x11);
    idb_of(113);                        /* Linux cooked capture */
    epb(0x22);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_B);
    epb(0x33);
    struct seen seen = { 0 };
    struct capture_source src = { .data = file.data, .len = file.len, .on_secrets = record,
                                  .secrets_ctx = &seen };
    enum capture_result end;
    assert_int_equal(read_all(&src, &end), 3);
    assert_int_equal(end, CAPTURE_EOF);
    /* The tap read the whole (small) file before libpcap gave up. */
    assert_int_equal(seen.count, 4);
    assert_int_equal(seen.d[2].block_offset, seen.d[0].block_offset);
    assert_int_equal(seen.d[3].block_offset, seen.d[1].block_offset);
    assert_true(seen.d[3].after_packets);

    struct capture_keys keys;
    struct capture_source keyed = { .data = file.data, .len = file.len };
    capture_keys_load_while_read(&keys, NULL, &keyed);
    assert_non_null(keys.store);
    assert_non_null(keyed.on_secrets);
    for (int pass = 0; pass < 2; pass++) {      /* a second pass feeds nothing more */
        assert_int_equal(read_all(&keyed, &end), 3);
        assert_int_equal(keys.dsb.blocks, 2);
        assert_int_equal(keys.dsb.key_log_blocks, 2);
        assert_true(keys.late);
    }
    capture_keys_pass_done(&keys);
    assert_non_null(keys.store);
    assert_int_equal(keylog_count(keys.store), 3);
    capture_keys_free(&keys);
}

/* No key log block and no --keylog file: no store after the pass, as when
 * the blocks were looked for before it; a block before every packet is not
 * late. */
static void test_keys_while_read(void **state)
{
    (void)state;
    begin(false);
    dsb(WIREGUARD_SECRETS, "wg");
    epb(0x11);
    struct capture_keys keys;
    struct capture_source src = { .data = file.data, .len = file.len };
    capture_keys_load_while_read(&keys, NULL, &src);
    assert_non_null(keys.store);
    enum capture_result end;
    assert_int_equal(read_all(&src, &end), 1);
    assert_int_equal(keys.dsb.blocks, 1);
    assert_int_equal(keys.dsb.other_blocks, 1);
    assert_false(keys.late);
    capture_keys_pass_done(&keys);
    assert_null(keys.store);
    capture_keys_free(&keys);

    begin(false);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    epb(0x11);
    src = (struct capture_source){ .data = file.data, .len = file.len };
    capture_keys_load_while_read(&keys, NULL, &src);
    assert_int_equal(read_all(&src, &end), 1);
    assert_false(keys.late);
    capture_keys_pass_done(&keys);
    assert_non_null(keys.store);
    assert_int_equal(keylog_count(keys.store), 1);
    capture_keys_free(&keys);

    /* A pcap file is not looked at: no store, no callback. */
    const uint8_t pcap[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0,
                               0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0 };
    src = (struct capture_source){ .data = pcap, .len = sizeof pcap };
    capture_keys_load_while_read(&keys, NULL, &src);
    assert_null(keys.store);
    assert_null(src.on_secrets);
    capture_keys_free(&keys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_everywhere_little_endian),
        cmocka_unit_test(test_blocks_everywhere_big_endian),
        cmocka_unit_test(test_empty_secrets_block),
        cmocka_unit_test(test_damaged_lengths),
        cmocka_unit_test(test_cut_short_without_size),
        cmocka_unit_test(test_not_a_section_first),
        cmocka_unit_test(test_capture_source),
        cmocka_unit_test(test_reread_from_start),
        cmocka_unit_test(test_keys_while_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
