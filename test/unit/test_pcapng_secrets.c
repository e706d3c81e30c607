/* Unit tests for analyzer/input/pcapng_secrets.c and the Decryption Secrets
 * Block hook of pcapng_reader.c. Every file is built here block by block,
 * in both byte orders: key log blocks before, between and after packets and
 * in a second section; other secrets types; secrets lengths past their
 * block; block lengths past the file; files that are not pcapng. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapng_build.h"
#include "keylog.h"
#include "pcapng_reader.h"
#include "pcapng_secrets.h"

/* ---- scanning ---- */

struct outcome {
    enum dsb_scan_result result;
    struct dsb_scan scan;
    struct keylog_stats stats;
    char err[256];
};

static struct keylog *scan_memory(struct outcome *o)
{
    struct keylog *kl = keylog_new();
    assert_non_null(kl);
    o->result = pcapng_secrets_scan_memory(file.data, file.len, kl, &o->scan, o->err,
                                           sizeof o->err);
    keylog_get_stats(kl, &o->stats);
    return kl;
}

static void assert_keylog_a_and_b(struct keylog *kl)
{
    uint8_t r1[32], r2[32];
    memset(r1, 1, 32);
    memset(r2, 2, 32);
    const struct keylog_entry *e = keylog_find(kl, r1, KEYLOG_CLIENT_RANDOM);
    assert_non_null(e);
    assert_int_equal(keylog_entry_source(e), 1);     /* the first key log block */
    assert_int_equal(keylog_entry_line(e), 2);
    e = keylog_find(kl, r2, KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET);
    assert_non_null(e);
    assert_int_equal(keylog_entry_source(e), 2);
    assert_int_equal(keylog_entry_line(e), 2);
    assert_non_null(keylog_find(kl, r2, KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET));
}

static void check_blocks_anywhere(bool big)
{
    begin(big);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    epb(0x11);
    dsb(WIREGUARD_SECRETS, "not a key log");
    epb(0x22);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_B);       /* odd length: padded */
    struct outcome o;
    struct keylog *kl = scan_memory(&o);
    assert_int_equal(o.result, DSB_SCAN_OK);
    assert_string_equal(o.err, "");
    assert_int_equal(o.scan.blocks, 3);
    assert_int_equal(o.scan.key_log_blocks, 2);
    assert_int_equal(o.scan.other_blocks, 1);
    assert_int_equal(o.scan.malformed_blocks, 0);
    assert_int_equal(o.scan.key_log_bytes, strlen(KEYLOG_A) + strlen(KEYLOG_B));
    assert_int_equal(o.scan.keylog_status, KEYLOG_OK);
    assert_int_equal(o.stats.entries, 3);
    assert_int_equal(o.stats.malformed, 0);
    assert_keylog_a_and_b(kl);
    keylog_free(kl);
}

static void test_blocks_anywhere_little_endian(void **state) { (void)state; check_blocks_anywhere(false); }
static void test_blocks_anywhere_big_endian(void **state) { (void)state; check_blocks_anywhere(true); }

/* A second section in the other byte order carries the second block. */
static void test_second_section(void **state)
{
    (void)state;
    begin(false);
    epb(0x11);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    big_endian = true;
    shb();
    idb();
    epb(0x22);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_B);
    struct outcome o;
    struct keylog *kl = scan_memory(&o);
    assert_int_equal(o.result, DSB_SCAN_OK);
    assert_int_equal(o.scan.key_log_blocks, 2);
    assert_keylog_a_and_b(kl);
    keylog_free(kl);
}

/* A secrets length past its block is counted; the blocks after it are
 * still read, since the block lengths still frame the file. */
static void test_secrets_length_past_block(void **state)
{
    (void)state;
    begin(false);
    epb(0x11);
    size_t bad_offset = file.len;
    dsb_claiming(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_B, 0xFFFFFFF0u);
    dsb_claiming(PCAPNG_SECRETS_TLS_KEY_LOG, "12345678", 9);     /* one byte too many */
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, "");
    size_t start = block_start(0x0000000Au);                     /* no room for the header */
    block_end(start);
    struct outcome o;
    struct keylog *kl = scan_memory(&o);
    assert_int_equal(o.result, DSB_SCAN_OK);
    assert_int_equal(o.scan.blocks, 5);
    assert_int_equal(o.scan.malformed_blocks, 3);
    assert_int_equal(o.scan.first_malformed_offset, bad_offset);
    assert_int_equal(o.scan.key_log_blocks, 2);
    assert_int_equal(o.stats.entries, 1);
    assert_int_equal(o.stats.feeds, 2);
    keylog_free(kl);
}

/* A block that claims more than the file holds ends the walk with the
 * place named; what came before was read. (The length is checked against
 * the file's size before any buffer is sized for it.) */
static void test_block_length_past_file(void **state)
{
    (void)state;
    begin(true);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    size_t bad_offset = file.len;
    put32(0x0000000Au);
    put32(0x03FFFFF0u);                  /* just under PCAPNG_MAX_BLOCK */
    put32(PCAPNG_SECRETS_TLS_KEY_LOG);
    put32(0x03FFFFD0u);
    bb_str(&file, KEYLOG_B);
    struct outcome o;
    struct keylog *kl = scan_memory(&o);
    assert_int_equal(o.result, DSB_SCAN_DAMAGED);
    char where[64];
    snprintf(where, sizeof where, "block at offset %zu", bad_offset);
    assert_non_null(strstr(o.err, where));
    assert_non_null(strstr(o.err, "past end of file"));
    assert_int_equal(o.scan.key_log_blocks, 1);
    assert_int_equal(o.stats.entries, 1);
    keylog_free(kl);

    /* Over the block cap whatever the file holds. */
    begin(false);
    put32(0x0000000Au);
    put32(0xFFFFFFF0u);
    kl = scan_memory(&o);
    assert_int_equal(o.result, DSB_SCAN_DAMAGED);
    assert_int_equal(o.scan.blocks, 0);
    keylog_free(kl);

    /* Cut inside a block. */
    begin(false);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    file.len -= 10;
    kl = scan_memory(&o);
    assert_int_equal(o.result, DSB_SCAN_DAMAGED);
    assert_int_equal(o.scan.blocks, 0);
    keylog_free(kl);
}

static void test_not_pcapng(void **state)
{
    (void)state;
    struct keylog *kl = keylog_new();
    struct dsb_scan scan;
    char err[128];
    const uint8_t pcap[] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
    assert_int_equal(pcapng_secrets_scan_memory(pcap, sizeof pcap, kl, &scan, err, sizeof err),
                     DSB_SCAN_NOT_PCAPNG);
    assert_int_equal(pcapng_secrets_scan_memory(pcap, 0, kl, &scan, err, sizeof err),
                     DSB_SCAN_NOT_PCAPNG);
    assert_int_equal(pcapng_secrets_scan_memory(NULL, 0, kl, &scan, err, sizeof err),
                     DSB_SCAN_NOT_PCAPNG);
    const uint8_t shb_only_magic[] = { 0x0a, 0x0d, 0x0d, 0x0a };
    assert_int_equal(pcapng_secrets_scan_memory(shb_only_magic, 3, kl, &scan, err, sizeof err),
                     DSB_SCAN_NOT_PCAPNG);
    /* The magic and nothing more is a pcapng file cut short. */
    assert_int_equal(pcapng_secrets_scan_memory(shb_only_magic, 4, kl, &scan, err, sizeof err),
                     DSB_SCAN_DAMAGED);
    assert_int_equal(scan.blocks, 0);
    keylog_free(kl);
}

/* The store's limits show in the scan: here its input cap. */
static void test_store_limit(void **state)
{
    (void)state;
    struct keylog *kl = keylog_new();
    size_t almost = KEYLOG_MAX_INPUT - 10;
    uint8_t *filler = calloc(1, almost);
    assert_non_null(filler);
    assert_int_equal(keylog_feed(kl, filler, almost, 0), KEYLOG_OK);
    free(filler);
    begin(false);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    struct dsb_scan scan;
    char err[128];
    assert_int_equal(pcapng_secrets_scan_memory(file.data, file.len, kl, &scan, err, sizeof err),
                     DSB_SCAN_OK);
    assert_int_equal(scan.key_log_blocks, 1);
    assert_int_equal(scan.keylog_status, KEYLOG_INPUT_TOO_LARGE);
    keylog_free(kl);
}

static void test_scan_file(void **state)
{
    (void)state;
    char path[] = "/tmp/tlsdiag-dsb-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    begin(true);
    epb(0x33);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_B);
    assert_int_equal(write(fd, file.data, file.len), (ssize_t)file.len);
    close(fd);

    struct keylog *kl = keylog_new();
    struct dsb_scan scan;
    char err[128];
    assert_int_equal(pcapng_secrets_scan_file(path, kl, &scan, err, sizeof err), DSB_SCAN_OK);
    assert_int_equal(scan.key_log_blocks, 2);
    assert_keylog_a_and_b(kl);
    keylog_free(kl);

    /* A pcap file has none. */
    FILE *f = fopen(path, "wb");
    const uint8_t pcap[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
    assert_int_equal(fwrite(pcap, 1, sizeof pcap, f), sizeof pcap);
    fclose(f);
    kl = keylog_new();
    assert_int_equal(pcapng_secrets_scan_file(path, kl, &scan, err, sizeof err),
                     DSB_SCAN_NOT_PCAPNG);
    unlink(path);
    assert_int_equal(pcapng_secrets_scan_file(path, kl, &scan, err, sizeof err),
                     DSB_SCAN_UNREADABLE);
    assert_non_null(strstr(err, "No such file"));
    keylog_free(kl);
}

/* ---- the reader's hook, beside its packets ---- */

struct seen {
    int calls;
    uint32_t types[8];
    size_t lens[8];
    bool malformed[8];
};

static void record_secrets(void *ctx, const struct pcapng_secrets *s)
{
    struct seen *seen = ctx;
    assert_true(seen->calls < 8);
    seen->types[seen->calls] = s->secrets_type;
    seen->lens[seen->calls] = s->len;
    seen->malformed[seen->calls] = s->malformed;
    if (!s->malformed)
        assert_non_null(s->data);
    seen->calls++;
}

static int read_packets(bool with_hook, struct seen *seen)
{
    FILE *f = fmemopen(file.data, file.len, "rb");
    assert_non_null(f);
    char err[256];
    struct pcapng_reader *r = pcapng_reader_open_sized(f, file.len, err, sizeof err);
    assert_non_null(r);
    if (with_hook)
        pcapng_reader_on_secrets(r, record_secrets, seen);
    struct capture_packet pkt;
    int packets = 0;
    enum capture_result res;
    while ((res = pcapng_reader_next(r, &pkt, err, sizeof err)) == CAPTURE_PACKET) {
        assert_int_equal(pkt.caplen, 20);
        assert_int_equal(pkt.data[0], 0x11 * (packets + 1));
        packets++;
    }
    assert_int_equal(res, CAPTURE_EOF);
    pcapng_reader_close(r);
    return packets;
}

static void test_reader_hook_beside_packets(void **state)
{
    (void)state;
    begin(false);
    dsb(PCAPNG_SECRETS_TLS_KEY_LOG, KEYLOG_A);
    epb(0x11);
    dsb_claiming(PCAPNG_SECRETS_TLS_KEY_LOG, "x", 1000);
    epb(0x22);
    dsb(WIREGUARD_SECRETS, "wg");
    epb(0x33);
    struct seen seen = { 0 };
    assert_int_equal(read_packets(true, &seen), 3);
    assert_int_equal(seen.calls, 3);
    assert_int_equal(seen.types[0], PCAPNG_SECRETS_TLS_KEY_LOG);
    assert_int_equal(seen.lens[0], strlen(KEYLOG_A));
    assert_true(seen.malformed[1]);
    assert_int_equal(seen.types[2], WIREGUARD_SECRETS);
    /* Without the hook the same file reads as it always did. */
    struct seen none = { 0 };
    assert_int_equal(read_packets(false, &none), 3);
    assert_int_equal(none.calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocks_anywhere_little_endian),
        cmocka_unit_test(test_blocks_anywhere_big_endian),
        cmocka_unit_test(test_second_section),
        cmocka_unit_test(test_secrets_length_past_block),
        cmocka_unit_test(test_block_length_past_file),
        cmocka_unit_test(test_not_pcapng),
        cmocka_unit_test(test_store_limit),
        cmocka_unit_test(test_scan_file),
        cmocka_unit_test(test_reader_hook_beside_packets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
