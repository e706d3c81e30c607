/* NSS key log parser and store; see keylog.h.
 *
 * The text is walked with the cursor: each line is split off as a cursor of
 * its own and its fields are split off that, so no read can leave the line.
 * Entries live in fixed-size chunks (they never move) and are found through
 * an open-addressing table of entry numbers, hashed with a random key drawn
 * for each store (vector multiply-shift hashing): a capture that carries
 * lines crafted to collide cannot know the key. */
#include "keylog.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "cursor.h"

#define CHUNK_ENTRIES   1024u
#define MAX_CHUNKS      ((KEYLOG_MAX_ENTRIES + CHUNK_ENTRIES - 1) / CHUNK_ENTRIES)
#define MIN_SLOT_BITS   10u
#define RANDOM_WORDS    (KEYLOG_RANDOM_LEN / 4)
#define HASH_KEY_WORDS  (RANDOM_WORDS + 2)    /* one per word, one for the label, the offset */

/* Secret lengths a label may carry, in bytes. */
#define TLS12_MASTER_SECRET_LEN 48u
#define SHA256_LEN 32u
#define SHA384_LEN 48u

/* The status messages (keylog.h) name these numbers. */
_Static_assert(KEYLOG_MAX_ENTRIES == 100000u, "KEYLOG_TOO_MANY_ENTRIES's message says 100000");
_Static_assert(KEYLOG_MAX_INPUT == 64u * 1024u * 1024u, "KEYLOG_INPUT_TOO_LARGE's message says 64 MiB");

struct keylog_entry {
    uint8_t client_random[KEYLOG_RANDOM_LEN];
    uint8_t secret[KEYLOG_MAX_SECRET];
    uint8_t secret_len;
    uint8_t label;             /* enum keylog_label */
    bool used;
    uint32_t index;            /* position in the store */
    uint32_t source;
    uint32_t line;
};

struct keylog {
    struct keylog_entry *chunks[MAX_CHUNKS];
    uint32_t count;
    uint32_t *slots;           /* entry index + 1; 0 is an empty slot */
    unsigned slot_bits;
    uint64_t hash_key[HASH_KEY_WORDS];
    struct keylog_stats stats;
};

static const char *const label_names[] = {
#define KEYLOG_LABEL_NAME(id, text) text,
    KEYLOG_LABELS(KEYLOG_LABEL_NAME)
#undef KEYLOG_LABEL_NAME
};

static const char *const status_messages[] = {
#define KEYLOG_STATUS_MESSAGE(id, text) text,
    KEYLOG_STATUSES(KEYLOG_STATUS_MESSAGE)
#undef KEYLOG_STATUS_MESSAGE
};

/* Labels of secrets tlsdiag never uses: known, so not malformed. */
static const char *const ignored_labels[] = {
    "CLIENT_EARLY_TRAFFIC_SECRET", "EARLY_EXPORTER_SECRET", "EARLY_EXPORTER_MASTER_SECRET",
    "EXPORTER_SECRET", "RSA", "PMS_CLIENT_RANDOM", "ECH_SECRET", "ECH_CONFIG",
};

const char *keylog_label_name(enum keylog_label label)
{
    return (unsigned)label < KEYLOG_LABEL_COUNT ? label_names[label] : "?";
}

const char *keylog_status_message(enum keylog_status status)
{
    size_t n = sizeof status_messages / sizeof status_messages[0];
    return (size_t)status < n ? status_messages[status] : "?";
}

/* ---- the store ---- */

struct keylog *keylog_new(void)
{
    struct keylog *kl = calloc(1, sizeof *kl);
    if (!kl)
        return NULL;
    if (RAND_bytes((unsigned char *)kl->hash_key, sizeof kl->hash_key) != 1) {
        /* Still correct, only predictable. */
        for (size_t i = 0; i < HASH_KEY_WORDS; i++)
            kl->hash_key[i] = UINT64_C(0x9E3779B97F4A7C15) * (i + 1);
    }
    return kl;
}

void keylog_free(struct keylog *kl)
{
    if (!kl)
        return;
    for (size_t i = 0; i < MAX_CHUNKS && kl->chunks[i]; i++) {
        OPENSSL_cleanse(kl->chunks[i], CHUNK_ENTRIES * sizeof *kl->chunks[i]);
        free(kl->chunks[i]);
    }
    free(kl->slots);
    OPENSSL_cleanse(kl, sizeof *kl);
    free(kl);
}

static struct keylog_entry *entry_slot(const struct keylog *kl, uint32_t index)
{
    return &kl->chunks[index / CHUNK_ENTRIES][index % CHUNK_ENTRIES];
}

static uint64_t entry_hash(const struct keylog *kl, const uint8_t *random, unsigned label)
{
    uint64_t h = kl->hash_key[HASH_KEY_WORDS - 1];
    for (unsigned i = 0; i < RANDOM_WORDS; i++) {
        const uint8_t *w = random + 4 * i;
        uint32_t word = (uint32_t)w[0] << 24 | (uint32_t)w[1] << 16 | (uint32_t)w[2] << 8 | w[3];
        h += kl->hash_key[i] * word;
    }
    h += kl->hash_key[RANDOM_WORDS] * (label + 1u);
    return h;
}

static size_t slot_of(const struct keylog *kl, const uint8_t *random, unsigned label)
{
    return (size_t)(entry_hash(kl, random, label) >> (64 - kl->slot_bits));
}

static bool entry_matches(const struct keylog_entry *e, const uint8_t *random, unsigned label)
{
    return e->label == label && memcmp(e->client_random, random, KEYLOG_RANDOM_LEN) == 0;
}

/* Where the key is, or the empty slot it would go in. */
static size_t probe(const struct keylog *kl, const uint8_t *random, unsigned label)
{
    size_t mask = ((size_t)1 << kl->slot_bits) - 1;
    size_t i = slot_of(kl, random, label);
    while (kl->slots[i] && !entry_matches(entry_slot(kl, kl->slots[i] - 1), random, label))
        i = (i + 1) & mask;
    return i;
}

/* Keeps the table at most half full. */
static bool ensure_slots(struct keylog *kl)
{
    if (kl->slots && ((size_t)kl->count + 1) * 2 <= (size_t)1 << kl->slot_bits)
        return true;
    unsigned bits = kl->slots ? kl->slot_bits + 1 : MIN_SLOT_BITS;
    uint32_t *grown = calloc((size_t)1 << bits, sizeof *grown);
    if (!grown)
        return false;
    uint32_t *old = kl->slots;
    kl->slots = grown;
    kl->slot_bits = bits;
    for (uint32_t i = 0; i < kl->count; i++) {
        const struct keylog_entry *e = entry_slot(kl, i);
        kl->slots[probe(kl, e->client_random, e->label)] = i + 1;
    }
    free(old);
    return true;
}

static bool ensure_chunk(struct keylog *kl)
{
    uint32_t chunk = kl->count / CHUNK_ENTRIES;
    if (kl->chunks[chunk])
        return true;
    kl->chunks[chunk] = calloc(CHUNK_ENTRIES, sizeof *kl->chunks[chunk]);
    return kl->chunks[chunk] != NULL;
}

static void note_status(struct keylog *kl, enum keylog_status *feed_status, enum keylog_status s)
{
    if (kl->stats.status == KEYLOG_OK)
        kl->stats.status = s;
    if (*feed_status == KEYLOG_OK)
        *feed_status = s;
}

/* ---- one line ---- */

enum line_kind { LINE_BLANK, LINE_COMMENT, LINE_ENTRY, LINE_IGNORED, LINE_MALFORMED };

static bool is_blank(uint8_t c) { return c == ' ' || c == '\t'; }

static void skip_blanks(struct cursor *c)
{
    while (!cursor_at_end(c) && is_blank(*cursor_here(c)))
        cursor_skip(c, 1);
}

/* The next run of non-blank bytes, as a cursor of its own. */
static struct cursor next_field(struct cursor *c)
{
    skip_blanks(c);
    size_t left = cursor_remaining(c);
    size_t n = 0;
    if (left) {
        const uint8_t *p = cursor_here(c);
        while (n < left && !is_blank(p[n]))
            n++;
    }
    return cursor_sub(c, n);
}

static bool field_is(const struct cursor *field, const char *text)
{
    size_t n = strlen(text);
    return cursor_remaining(field) == n && memcmp(cursor_here(field), text, n) == 0;
}

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the whole field into out (out_len bytes: the field must be exactly
 * twice as long). */
static bool decode_hex(struct cursor field, uint8_t *out, size_t out_len)
{
    if (cursor_remaining(&field) != 2 * out_len)
        return false;
    for (size_t i = 0; i < out_len; i++) {
        int hi = hex_value(cursor_u8(&field));
        int lo = hex_value(cursor_u8(&field));
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return cursor_ok(&field);
}

static int kept_label(const struct cursor *field)
{
    for (int i = 0; i < KEYLOG_LABEL_COUNT; i++)
        if (field_is(field, label_names[i]))
            return i;
    return -1;
}

static bool is_ignored_label(const struct cursor *field)
{
    for (size_t i = 0; i < sizeof ignored_labels / sizeof ignored_labels[0]; i++)
        if (field_is(field, ignored_labels[i]))
            return true;
    return false;
}

static bool secret_length_fits(unsigned label, size_t len)
{
    if (label == KEYLOG_CLIENT_RANDOM)
        return len == TLS12_MASTER_SECRET_LEN;
    return len == SHA256_LEN || len == SHA384_LEN;
}

static enum line_kind parse_line(struct cursor line, struct keylog_entry *out)
{
    skip_blanks(&line);
    if (cursor_at_end(&line))
        return LINE_BLANK;
    if (*cursor_here(&line) == '#')
        return LINE_COMMENT;
    struct cursor label = next_field(&line);
    int kept = kept_label(&label);
    if (kept < 0)
        return is_ignored_label(&label) ? LINE_IGNORED : LINE_MALFORMED;
    struct cursor random = next_field(&line);
    struct cursor secret = next_field(&line);
    skip_blanks(&line);
    if (!cursor_ok(&line) || !cursor_at_end(&line))
        return LINE_MALFORMED;                 /* a fourth field */
    size_t secret_len = cursor_remaining(&secret) / 2;
    if (!secret_length_fits((unsigned)kept, secret_len)
        || !decode_hex(random, out->client_random, KEYLOG_RANDOM_LEN)
        || !decode_hex(secret, out->secret, secret_len))
        return LINE_MALFORMED;
    out->label = (uint8_t)kept;
    out->secret_len = (uint8_t)secret_len;
    return LINE_ENTRY;
}

static void add_entry(struct keylog *kl, const struct keylog_entry *parsed,
                      enum keylog_status *feed_status)
{
    if (kl->slots) {
        size_t at = probe(kl, parsed->client_random, parsed->label);
        if (kl->slots[at]) {
            kl->stats.duplicates++;
            return;
        }
    }
    if (kl->count >= KEYLOG_MAX_ENTRIES) {
        kl->stats.over_cap++;
        note_status(kl, feed_status, KEYLOG_TOO_MANY_ENTRIES);
        return;
    }
    if (!ensure_slots(kl) || !ensure_chunk(kl)) {
        note_status(kl, feed_status, KEYLOG_NO_MEMORY);
        return;
    }
    struct keylog_entry *e = entry_slot(kl, kl->count);
    *e = *parsed;
    e->index = kl->count;
    e->used = false;
    kl->slots[probe(kl, e->client_random, e->label)] = kl->count + 1;
    kl->count++;
    kl->stats.entries = kl->count;
}

static void note_malformed(struct keylog *kl, uint32_t source, uint32_t line)
{
    if (kl->stats.malformed++ == 0) {
        kl->stats.first_malformed_source = source;
        kl->stats.first_malformed_line = line;
    }
}

/* ---- feeding ---- */

enum keylog_status keylog_feed(struct keylog *kl, const uint8_t *text, size_t len,
                               uint32_t source)
{
    enum keylog_status feed_status = KEYLOG_OK;
    if (len > KEYLOG_MAX_INPUT - kl->stats.bytes) {
        note_status(kl, &feed_status, KEYLOG_INPUT_TOO_LARGE);
        return feed_status;
    }
    kl->stats.feeds++;
    kl->stats.bytes += len;
    if (len == 0)
        return feed_status;

    struct cursor in = cursor_make(text, len);
    uint32_t line_number = 0;
    struct keylog_entry parsed;
    while (!cursor_at_end(&in)) {
        size_t left = cursor_remaining(&in);
        const uint8_t *newline = memchr(cursor_here(&in), '\n', left);
        size_t line_len = newline ? (size_t)(newline - cursor_here(&in)) : left;
        size_t content_len = line_len;
        if (content_len && cursor_here(&in)[content_len - 1] == '\r')
            content_len--;                     /* CRLF */
        struct cursor line = cursor_sub(&in, content_len);
        cursor_skip(&in, line_len - content_len + (newline ? 1 : 0));
        line_number++;
        kl->stats.lines++;

        memset(&parsed, 0, sizeof parsed);
        switch (parse_line(line, &parsed)) {
        case LINE_BLANK:
        case LINE_COMMENT:
            break;
        case LINE_IGNORED:
            kl->stats.ignored++;
            break;
        case LINE_MALFORMED:
            note_malformed(kl, source, line_number);
            break;
        case LINE_ENTRY:
            parsed.source = source;
            parsed.line = line_number;
            add_entry(kl, &parsed, &feed_status);
            break;
        }
    }
    OPENSSL_cleanse(&parsed, sizeof parsed);
    return feed_status;
}

/* ---- lookups ---- */

void keylog_get_stats(const struct keylog *kl, struct keylog_stats *out)
{
    *out = kl->stats;
}

const struct keylog_entry *keylog_find(const struct keylog *kl,
                                       const uint8_t client_random[KEYLOG_RANDOM_LEN],
                                       enum keylog_label label)
{
    if (!kl->slots || (unsigned)label >= KEYLOG_LABEL_COUNT)
        return NULL;
    size_t at = probe(kl, client_random, (unsigned)label);
    return kl->slots[at] ? entry_slot(kl, kl->slots[at] - 1) : NULL;
}

void keylog_mark_used(struct keylog *kl, const struct keylog_entry *e)
{
    if (!e || e->index >= kl->count)
        return;
    struct keylog_entry *own = entry_slot(kl, e->index);
    if (own != e || own->used)
        return;
    own->used = true;
    kl->stats.used++;
}

void keylog_clear_used(struct keylog *kl)
{
    for (uint32_t i = 0; i < kl->count; i++)
        entry_slot(kl, i)->used = false;
    kl->stats.used = 0;
}

size_t keylog_count(const struct keylog *kl) { return kl->count; }

const struct keylog_entry *keylog_entry_at(const struct keylog *kl, size_t i)
{
    return i < kl->count ? entry_slot(kl, (uint32_t)i) : NULL;
}

enum keylog_label keylog_entry_label(const struct keylog_entry *e) { return e->label; }
const uint8_t *keylog_entry_client_random(const struct keylog_entry *e) { return e->client_random; }
uint32_t keylog_entry_source(const struct keylog_entry *e) { return e->source; }
uint32_t keylog_entry_line(const struct keylog_entry *e) { return e->line; }
bool keylog_entry_used(const struct keylog_entry *e) { return e->used; }

size_t keylog_entry_secret(const struct keylog_entry *e, const uint8_t **secret)
{
    *secret = e->secret;
    return e->secret_len;
}
