/* Decryption Secrets Blocks from arbitrary pcapng bytes
 * (analyzer/input/pcapng_secrets.c over pcapng_reader.c) into a key log
 * store, from memory and, for one input length in 8, from a file holding the
 * same bytes: both must agree. Besides the sanitizers it checks that the
 * counts add up and match what the store was fed. The same bytes also go
 * through the tap that sees these blocks as libpcap reads a file
 * (pcapng_tap.c), whole and cut in two where the input's last byte says:
 * the same blocks must come out, each inside the file. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "keylog.h"
#include "pcapng_secrets.h"
#include "pcapng_tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzz_memfile dsb_file;

static bool same_scan(const struct dsb_scan *a, const struct dsb_scan *b)
{
    return a->blocks == b->blocks && a->key_log_blocks == b->key_log_blocks
           && a->other_blocks == b->other_blocks && a->malformed_blocks == b->malformed_blocks
           && a->first_malformed_offset == b->first_malformed_offset
           && a->key_log_bytes == b->key_log_bytes && a->keylog_status == b->keylog_status;
}

static void check(const struct dsb_scan *scan, const struct keylog *kl, size_t size)
{
    struct keylog_stats s;
    keylog_get_stats(kl, &s);
    if (scan->key_log_blocks + scan->other_blocks + scan->malformed_blocks != scan->blocks)
        abort();
    if (s.feeds != scan->key_log_blocks || s.bytes != scan->key_log_bytes
        || scan->keylog_status != KEYLOG_OK || s.status != KEYLOG_OK)
        abort();                       /* a fuzz input is far below the store's caps */
    if (scan->malformed_blocks && scan->first_malformed_offset + 12 > size)
        abort();                       /* a malformed block is still a whole block */
    for (size_t i = 0; i < keylog_count(kl); i++) {
        const struct keylog_entry *e = keylog_entry_at(kl, i);
        if (keylog_entry_source(e) == 0 || keylog_entry_source(e) > scan->key_log_blocks)
            abort();
    }
}

/* What the tap delivered, folded into a hash (FNV-1a). */
struct tap_seen {
    size_t size;
    uint32_t blocks;
    uint64_t hash;
};

static void fold(struct tap_seen *seen, const void *bytes, size_t len)
{
    const uint8_t *p = bytes;
    for (size_t i = 0; i < len; i++)
        seen->hash = (seen->hash ^ p[i]) * 0x100000001b3u;
}

static void tap_record(void *ctx, const struct pcapng_secrets *s)
{
    struct tap_seen *seen = ctx;
    if (s->block_offset + 12 > seen->size || s->len > seen->size || (s->malformed != !s->data))
        abort();
    seen->blocks++;
    uint64_t fields[6] = { s->block_offset, s->secrets_type, s->claimed_len, s->len,
                           s->malformed, s->after_packets };
    fold(seen, fields, sizeof fields);
    if (s->data)
        fold(seen, s->data, s->len);
}

static struct tap_seen tap_over(const uint8_t *data, size_t size, size_t cut)
{
    struct tap_seen seen = { .size = size, .hash = 0xcbf29ce484222325u };
    struct pcapng_tap *tap = pcapng_tap_new(size, tap_record, &seen);
    if (!tap)
        abort();
    pcapng_tap_feed(tap, data, cut);
    pcapng_tap_feed(tap, data + cut, size - cut);
    pcapng_tap_free(tap);
    return seen;
}

static void check_tap(const uint8_t *data, size_t size)
{
    struct tap_seen whole = tap_over(data, size, size);
    size_t cut = size ? (size_t)data[size - 1] * size / 256 : 0;
    struct tap_seen split = tap_over(data, size, cut);
    if (whole.blocks != split.blocks || whole.hash != split.hash)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_tap(data, size);
    struct keylog *kl = keylog_new();
    if (!kl)
        return 0;
    struct dsb_scan scan;
    char err[256];
    enum dsb_scan_result r = pcapng_secrets_scan_memory(data, size, kl, &scan, err, sizeof err);
    if (strnlen(err, sizeof err) >= sizeof err)
        abort();
    check(&scan, kl, size);
    if (size % 8 == 0 && fuzz_memfile_write(&dsb_file, data, size) == 0) {
        struct keylog *again = keylog_new();
        struct dsb_scan file_scan;
        char file_err[256];
        if (again) {
            enum dsb_scan_result fr = pcapng_secrets_scan_file(dsb_file.path, again, &file_scan,
                                                               file_err, sizeof file_err);
            if (fr != r || !same_scan(&file_scan, &scan)
                || keylog_count(again) != keylog_count(kl) || strcmp(err, file_err) != 0)
                abort();
            keylog_free(again);
        }
    }
    keylog_free(kl);
    return 0;
}
