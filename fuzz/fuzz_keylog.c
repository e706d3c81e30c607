/* The NSS key log parser and store (dissect/tls/keylog.c). Input: byte 0
 * says into how many feeds (1-4) the rest is cut, in equal parts, as a
 * --keylog file and Decryption Secrets Blocks would arrive. Besides the
 * sanitizers it checks the promises of keylog.h: every kept entry is found
 * again by its own client random and label, with a secret of a length its
 * label allows; counts add up; used marks count once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "keylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_entry(struct keylog *kl, const struct keylog_entry *e, uint32_t feeds)
{
    enum keylog_label label = keylog_entry_label(e);
    if ((unsigned)label >= KEYLOG_LABEL_COUNT)
        abort();
    if (keylog_find(kl, keylog_entry_client_random(e), label) != e)
        abort();
    const uint8_t *secret;
    size_t len = keylog_entry_secret(e, &secret);
    if (label == KEYLOG_CLIENT_RANDOM ? len != 48 : len != 32 && len != 48)
        abort();
    fuzz_touch(secret, len);
    if (keylog_entry_line(e) == 0 || keylog_entry_source(e) >= feeds)
        abort();
    fuzz_touch(keylog_label_name(label), 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in = { data, size, 0 };
    uint32_t feeds = fuzz_u8(&in) % 4 + 1;
    struct keylog *kl = keylog_new();
    if (!kl)
        return 0;
    size_t part = fuzz_remaining(&in) / feeds;
    for (uint32_t i = 0; i < feeds; i++) {
        size_t got;
        const uint8_t *text = fuzz_bytes(&in, i + 1 == feeds ? fuzz_remaining(&in) : part, &got);
        if (keylog_feed(kl, text, got, i) != KEYLOG_OK)
            abort();                      /* a fuzz input is far below every cap */
    }
    struct keylog_stats s;
    keylog_get_stats(kl, &s);
    size_t count = keylog_count(kl);
    if (s.entries != count || count > KEYLOG_MAX_ENTRIES || s.feeds != feeds
        || s.bytes != size - (size ? 1 : 0) || s.status != KEYLOG_OK)
        abort();
    if (s.entries + s.ignored + s.duplicates + s.malformed + s.over_cap > s.lines)
        abort();
    if (s.malformed && (s.first_malformed_line == 0 || s.first_malformed_source >= feeds))
        abort();
    for (size_t i = 0; i < count; i++) {
        const struct keylog_entry *e = keylog_entry_at(kl, i);
        check_entry(kl, e, feeds);
        if (i % 2 == 0) {
            keylog_mark_used(kl, e);
            keylog_mark_used(kl, e);
        }
    }
    keylog_get_stats(kl, &s);
    if (s.used != (count + 1) / 2)
        abort();
    /* The input's first bytes as a client random, under every label. */
    uint8_t random[KEYLOG_RANDOM_LEN] = { 0 };
    memcpy(random, data, size < sizeof random ? size : sizeof random);
    for (int label = 0; label < KEYLOG_LABEL_COUNT; label++) {
        const struct keylog_entry *e = keylog_find(kl, random, (enum keylog_label)label);
        if (e && (memcmp(keylog_entry_client_random(e), random, sizeof random)
                  || keylog_entry_label(e) != (enum keylog_label)label))
            abort();
    }
    keylog_free(kl);
    return 0;
}
